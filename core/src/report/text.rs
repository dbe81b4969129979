//! The human-readable report: `file:line:col`, severity, policy and message, with a code
//! frame and a caret under the offending node.

use std::fmt::Write;

use crate::document::Source;
use crate::engine::{Finding, Report, SourceSpan};

struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
}

/// Renders the report as text; `sources` give the code frames (a file not among them is
/// shown without one). `color` adds ANSI colours, for terminals.
pub fn text(report: &Report, sources: &[&Source], color: bool) -> String {
    let mut out = String::new();
    for source in sources {
        let mut own = Report::new();
        own.findings = report
            .findings
            .iter()
            .filter(|f| f.file == source.name)
            .cloned()
            .collect();
        own.errors = report
            .errors
            .iter()
            .filter(|e| e.file == source.name)
            .cloned()
            .collect();
        out.push_str(&text_file(&own, Some(source), color));
    }
    let mut rest = Report::new();
    rest.findings = report
        .findings
        .iter()
        .filter(|f| !sources.iter().any(|s| s.name == f.file))
        .cloned()
        .collect();
    rest.errors = report
        .errors
        .iter()
        .filter(|e| !sources.iter().any(|s| s.name == e.file))
        .cloned()
        .collect();
    out.push_str(&text_file(&rest, None, color));
    out.push_str(&text_summary(&report.summary));
    out
}

/// The findings and errors of one file, with code frames when its source is given.
pub fn text_file(report: &Report, source: Option<&Source>, color: bool) -> String {
    let paint = Paint { on: color };
    let mut out = String::new();
    for f in &report.findings {
        finding(&mut out, f, source.filter(|s| s.name == f.file), &paint);
    }
    for e in &report.errors {
        let at = e
            .span
            .map(|s| format!(":{}:{}", s.start.line, s.start.column))
            .unwrap_or_default();
        let _ = writeln!(out, "{}{at}: {} {}", e.file, paint.wrap("1;31", "error"), e.message);
        if let (Some(span), Some(src)) = (e.span, source.filter(|s| s.name == e.file)) {
            frame(&mut out, src, span, &paint);
        }
        out.push('\n');
    }
    out
}

/// The closing line: counts of findings, errors, documents and files.
pub fn text_summary(s: &crate::engine::Summary) -> String {
    format!(
        "{} finding(s), {} error(s) in {} document(s) of {} file(s){}{}\n",
        s.findings,
        s.errors,
        s.documents,
        s.files,
        if s.skipped > 0 {
            format!("; {} skipped (not Kubernetes objects)", s.skipped)
        } else {
            String::new()
        },
        if s.suppressed > 0 {
            format!("; {} suppressed", s.suppressed)
        } else {
            String::new()
        },
    )
}

fn finding(out: &mut String, f: &Finding, source: Option<&Source>, paint: &Paint) {
    let color = match f.severity.as_str() {
        "critical" | "high" => "1;31",
        "medium" => "1;33",
        _ => "1;36",
    };
    let _ = writeln!(
        out,
        "{}:{}:{}: {} {} {}",
        f.file,
        f.span.start.line,
        f.span.start.column,
        paint.wrap(color, f.severity.as_str()),
        paint.wrap("1", &f.policy),
        f.message
    );
    if let Some(src) = source {
        frame(out, src, f.span, paint);
    }
    // Configuration files (KubeletConfiguration, EncryptionConfiguration, audit Policy) have
    // no name; they are shown by kind alone.
    let name = f.object.name.as_deref().map(|n| format!(" `{n}`")).unwrap_or_default();
    let _ = writeln!(
        out,
        "   = in {}{name} at {}",
        f.object.kind,
        if f.path.is_empty() { "/" } else { &f.path }
    );
    if !f.fix.is_empty() {
        let _ = writeln!(out, "   = fix: {}", f.fix.lines().next().unwrap_or_default());
    }
    out.push('\n');
}

fn frame(out: &mut String, src: &Source, span: SourceSpan, paint: &Paint) {
    let line = span.start.line;
    if line == 0 || line > src.line_count() || src.text.is_empty() {
        return;
    }
    let text = src.line_text(line - 1);
    let width = line.to_string().len();
    let gutter = " ".repeat(width);
    let start = span.start.column.saturating_sub(1);
    let len = if span.end.line == line {
        span.end.column.saturating_sub(span.start.column)
    } else {
        text.chars().count().saturating_sub(start)
    };
    let shown: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let _ = writeln!(out, "{gutter} {}", paint.wrap("34", "|"));
    let _ = writeln!(
        out,
        "{} {} {shown}",
        paint.wrap("34", &line.to_string()),
        paint.wrap("34", "|")
    );
    let caret = format!("{}{}", " ".repeat(start), "^".repeat(len.max(1)));
    let _ = writeln!(out, "{gutter} {} {}", paint.wrap("34", "|"), paint.wrap("1;31", &caret));
}
