//! GitHub Actions workflow commands: one annotation per finding and per read error.

use std::fmt::Write;

use super::escape::visible;
use crate::engine::{ErrorEntry, Finding, Report};
use crate::policy::Severity;

pub fn github(report: &Report) -> String {
    let mut out = github_findings(&report.findings);
    out.push_str(&github_errors(&report.errors));
    out
}

/// The annotations of findings (a scan writes them file by file).
pub fn github_findings(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
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
            data(&format!(
                "{}{}\nFix: {}",
                visible(&f.message),
                f.related
                    .iter()
                    .map(|r| format!("\nRelated: {}", visible(&r.one_line())))
                    .collect::<String>(),
                f.fix.lines().map(visible).collect::<Vec<_>>().join("\n")
            ))
        );
    }
    out
}

/// The annotations of read errors (a scan writes them at the end).
pub fn github_errors(errors: &[ErrorEntry]) -> String {
    let mut out = String::new();
    for e in errors {
        let at = e
            .span
            .map(|s| format!(",line={},col={}", s.start.line, s.start.column))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "::error file={}{at},title=rempart::{}",
            property(&e.file),
            data(&visible(&e.message))
        );
    }
    out
}

/// Escapes a command's message: hidden characters from the input are written as escapes
/// (see [`visible`]), then the command syntax is percent-encoded. Only the line break
/// between the message and its fix is a real one (`%0A`).
fn data(text: &str) -> String {
    text.split('\n')
        .map(|line| visible(line).replace('%', "%25"))
        .collect::<Vec<_>>()
        .join("%0A")
}

/// Escapes a command property (`file=`, `title=`).
fn property(text: &str) -> String {
    data(&visible(text)).replace(':', "%3A").replace(',', "%2C")
}
