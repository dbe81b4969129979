//! One JSON object per line on standard output: a line per review and per event (start,
//! reload, error, shutdown).

use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

/// Writes `fields` as one JSON line, with the time (`ts`, Unix milliseconds) and the event.
pub fn line(event: &str, fields: Value) {
    let mut map = Map::new();
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    map.insert("ts".into(), Value::from(ms));
    map.insert("event".into(), Value::from(event));
    if let Value::Object(fields) = fields {
        map.extend(fields);
    }
    let mut text = Value::Object(map).to_string();
    text.push('\n');
    // A closed standard output must not stop the webhook.
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}
