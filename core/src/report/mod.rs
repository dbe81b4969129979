//! Output formats for a report.

mod text;

pub use text::text;

use crate::engine::Report;

/// The JSON report (the stable contract described in the README).
pub fn json(report: &Report) -> String {
    serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"cannot write the report: {e}\"}}"))
}
