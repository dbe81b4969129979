//! JUnit XML, as GitLab and Jenkins read it: a suite per policy, a test case per (policy,
//! object) with the findings as its failure, a passing case for a policy that found nothing,
//! and a `rempart` suite with a case per input that could not be read.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::io;

use super::escape::push_char;
use super::{kept, FormatWriter};
use crate::document::Source;
use crate::engine::{Finding, Report};
use crate::policy::Policy;

/// The JUnit XML of a whole report; `policies` are the suites (a policy without findings is
/// a passing case).
pub fn junit(report: &Report, policies: &[Policy]) -> String {
    let mut by_policy: BTreeMap<&str, BTreeMap<String, Vec<&Finding>>> = BTreeMap::new();
    for p in policies {
        by_policy.entry(p.id.as_str()).or_default();
    }
    for f in &report.findings {
        by_policy
            .entry(f.policy.as_str())
            .or_default()
            .entry(object_name(f))
            .or_default()
            .push(f);
    }
    let mut suites = String::new();
    let (mut tests, mut failures) = (0, 0);
    for (policy, objects) in &by_policy {
        let title = policies
            .iter()
            .find(|p| p.id == *policy)
            .map(|p| p.title.as_str())
            .unwrap_or_default();
        let cases = objects.len().max(1);
        tests += cases;
        failures += objects.len();
        let _ = writeln!(
            suites,
            "  <testsuite name=\"{}\" tests=\"{cases}\" failures=\"{}\" errors=\"0\" skipped=\"0\">",
            xml(policy),
            objects.len()
        );
        if objects.is_empty() {
            let _ = writeln!(
                suites,
                "    <testcase classname=\"{}\" name=\"no findings\"/>",
                xml(policy)
            );
        }
        for (object, findings) in objects {
            let first = findings.first().map(|f| f.file.as_str()).unwrap_or_default();
            let line = findings.first().map(|f| f.span.start.line).unwrap_or_default();
            let _ = writeln!(
                suites,
                "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" line=\"{line}\">",
                xml(policy),
                xml(object),
                xml(first)
            );
            let messages: Vec<String> = findings
                .iter()
                .map(|f| {
                    xml(&format!(
                        "{}:{}:{}: {} {}{}",
                        f.file,
                        f.span.start.line,
                        f.span.start.column,
                        f.severity,
                        f.message,
                        f.related
                            .iter()
                            .map(|r| format!("\n  related: {}", r.one_line()))
                            .collect::<String>()
                    ))
                })
                .collect();
            let severity = findings
                .iter()
                .map(|f| f.severity)
                .max()
                .map(|s| s.as_str())
                .unwrap_or_default();
            let _ = writeln!(
                suites,
                "      <failure message=\"{}\" type=\"{severity}\">{}\n{}</failure>",
                xml(findings.first().map(|f| f.message.as_str()).unwrap_or(title)),
                messages.join("\n"),
                findings
                    .first()
                    .map(|f| format!("Fix: {}", f.fix.lines().map(xml).collect::<Vec<_>>().join("\n")))
                    .unwrap_or_default()
            );
            suites.push_str("    </testcase>\n");
        }
        suites.push_str("  </testsuite>\n");
    }
    if !report.errors.is_empty() {
        let n = report.errors.len();
        tests += n;
        let _ = writeln!(
            suites,
            "  <testsuite name=\"rempart\" tests=\"{n}\" failures=\"0\" errors=\"{n}\" skipped=\"0\">"
        );
        for e in &report.errors {
            let at = e
                .span
                .map(|s| format!(":{}:{}", s.start.line, s.start.column))
                .unwrap_or_default();
            let _ = writeln!(
                suites,
                "    <testcase classname=\"rempart\" name=\"read {}\" file=\"{}\">\n      <error message=\"{}\" type=\"input\">{}{at}: {}</error>\n    </testcase>",
                xml(&e.file),
                xml(&e.file),
                xml(&e.message),
                xml(&e.file),
                xml(&e.message)
            );
        }
        suites.push_str("  </testsuite>\n");
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"rempart\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{}\">\n{suites}</testsuites>\n",
        report.errors.len()
    )
}

fn object_name(f: &Finding) -> String {
    let o = &f.object;
    let ns = o.namespace.as_deref().map(|n| format!("{n}/")).unwrap_or_default();
    format!(
        "{} {ns}{} ({})",
        o.kind,
        o.name.as_deref().unwrap_or("(unnamed)"),
        f.file
    )
}

/// Escapes text for XML attributes and content: hidden characters (line breaks included)
/// as [`push_char`] writes them, so that every one is allowed by XML 1.0, then the markup.
pub(crate) fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            c => push_char(&mut out, c),
        }
    }
    out
}

/// Writes JUnit XML for a scan: findings are kept (without their standards) file by file and
/// grouped at the end.
pub struct JunitWriter<'p, W: io::Write> {
    out: W,
    policies: &'p [Policy],
    findings: Vec<Finding>,
}

impl<'p, W: io::Write> JunitWriter<'p, W> {
    /// Writes to `out`, with a suite for each of `policies`.
    pub fn new(out: W, policies: &'p [Policy]) -> Self {
        JunitWriter {
            out,
            policies,
            findings: Vec::new(),
        }
    }
}

impl<W: io::Write> FormatWriter for JunitWriter<'_, W> {
    fn file(&mut self, report: &Report, _: Option<&Source>) -> io::Result<()> {
        self.findings.extend(report.findings.iter().map(kept));
        Ok(())
    }

    fn finish(mut self: Box<Self>, totals: &Report) -> io::Result<()> {
        let whole = Report {
            findings: std::mem::take(&mut self.findings),
            ..totals.clone()
        };
        self.out.write_all(junit(&whole, self.policies).as_bytes())?;
        self.out.flush()
    }
}
