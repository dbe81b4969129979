//! GitHub Actions workflow commands: one annotation per finding and per read error.

use std::fmt::Write;

use crate::engine::Report;
use crate::policy::Severity;

pub fn github(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let level = match f.severity {
            Severity::Critical | Severity::High => "error",
            Severity::Medium => "warning",
            Severity::Low | Severity::Info => "notice",
        };
        let _ = writeln!(
            out,
            "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            property(&f.file),
            f.span.start.line,
            f.span.start.column,
            f.span.end.line,
            f.span.end.column,
            property(&format!("{} ({})", f.policy, f.severity)),
            data(&format!("{}\nFix: {}", f.message, f.fix))
        );
    }
    for e in &report.errors {
        let at = e
            .span
            .map(|s| format!(",line={},col={}", s.start.line, s.start.column))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "::error file={}{at},title=rempart::{}",
            property(&e.file),
            data(&e.message)
        );
    }
    out
}

/// Escapes a command's message.
fn data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a command property (`file=`, `title=`).
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}
