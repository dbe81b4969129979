//! YAML/JSON streams: parsing never panics, and every span lies inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rempart::document::{parse_stream, Node, Value};
use rempart::Limits;

fn check(node: &Node, len: usize) {
    assert!(node.span.start <= node.span.end && node.span.end <= len, "span {:?} outside {len}", node.span);
    match &node.value {
        Value::Seq(items) => items.iter().for_each(|n| check(n, len)),
        Value::Map(entries) => entries.iter().for_each(|(k, v)| {
            check(k, len);
            check(v, len);
        }),
        _ => {}
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for doc in parse_stream(text, &Limits::default()) {
        match doc.result {
            Ok(node) => check(&node, text.len()),
            Err(e) => assert!(e.span.end <= text.len() && !e.message.is_empty()),
        }
    }
});
