//! GitHub Actions workflow commands: one annotation per finding and per read error.

use std::fmt::Write;
use std::io;

use super::escape::visible;
use super::FormatWriter;
use crate::document::Source;
use crate::engine::{ErrorEntry, Finding, Report};
use crate::policy::Severity;

/// The annotations of a whole report: its findings, then its read errors.
pub fn github(report: &Report) -> String {
    let mut out = github_findings(&report.findings);
    out.push_str(&github_errors(&report.errors));
    out
}

/// The annotations of findings (a scan writes them file by file).
fn github_findings(findings: &[Finding]) -> String {
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
fn github_errors(errors: &[ErrorEntry]) -> String {
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

/// Writes the annotations as a scan goes: each file's findings, then every read error.
pub struct GithubWriter<W: io::Write> {
    out: W,
}

impl<W: io::Write> GithubWriter<W> {
    /// Writes to `out`.
    pub fn new(out: W) -> Self {
        GithubWriter { out }
    }
}

impl<W: io::Write> FormatWriter for GithubWriter<W> {
    fn file(&mut self, report: &Report, _: Option<&Source>) -> io::Result<()> {
        self.out.write_all(github_findings(&report.findings).as_bytes())
    }

    fn finish(mut self: Box<Self>, totals: &Report) -> io::Result<()> {
        self.out.write_all(github_errors(&totals.errors).as_bytes())?;
        self.out.flush()
    }
}
