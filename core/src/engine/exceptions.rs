//! Exceptions from the configuration applied to reports: an exception in force hides the
//! findings it covers; an expired one hides nothing and is reported; one that covered
//! nothing in the whole scan is reported as stale.

use super::report::{Finding, Report, SourceSpan};
use crate::config::{Date, Exception};
use crate::document::{ObjectId, Source, Span};
use crate::policy::Severity;

/// The id of the finding for an expired exception.
pub const EXPIRED_ID: &str = "rempart/exception-expired";
/// The id of the finding for an exception that matched nothing.
pub const STALE_ID: &str = "rempart/exception-stale";

/// Exceptions and how many findings each covered so far.
pub struct ExceptionSet<'c> {
    exceptions: &'c [Exception],
    today: Date,
    hits: Vec<usize>,
}

impl<'c> ExceptionSet<'c> {
    pub fn new(exceptions: &'c [Exception], today: Date) -> Self {
        ExceptionSet {
            exceptions,
            today,
            hits: vec![0; exceptions.len()],
        }
    }

    fn in_force(&self, e: &Exception) -> bool {
        e.expires.is_none_or(|d| d >= self.today)
    }

    /// Removes the findings covered by an exception in force; counts them as suppressed.
    pub fn apply(&mut self, report: &mut Report) {
        let before = report.findings.len();
        let (exceptions, today, hits) = (self.exceptions, self.today, &mut self.hits);
        report.findings.retain(|f| {
            let covering = exceptions
                .iter()
                .position(|e| e.expires.is_none_or(|d| d >= today) && e.covers(f));
            match covering.and_then(|i| hits.get_mut(i)) {
                Some(count) => {
                    *count += 1;
                    false
                }
                None => true,
            }
        });
        let removed = before - report.findings.len();
        report.summary.suppressed += removed;
        report.summary.excepted += removed;
        report.summary.findings -= removed.min(report.summary.findings);
    }

    /// The findings about the exceptions themselves, once the scan is over: expired ones,
    /// and ones in force that covered nothing. `source` is the file that holds them.
    pub fn closing(&self, source: &Source) -> Report {
        let mut report = Report::new();
        for (i, e) in self.exceptions.iter().enumerate() {
            let ids = e.policies.join("`, `");
            if !self.in_force(e) {
                let date = e.expires.map(|d| d.to_string()).unwrap_or_default();
                report.findings.push(finding(
                    source,
                    e,
                    i,
                    EXPIRED_ID,
                    "Exception expired",
                    Severity::Low,
                    format!(
                        "the exception for `{ids}` (\"{}\") expired on {date}; its findings are reported again",
                        e.reason
                    ),
                    "Fix the findings, or renew the exception with a new `expires` date and a reason that still holds.",
                    e.expires_span.unwrap_or(e.span),
                ));
            } else if self.hits.get(i).copied().unwrap_or_default() == 0 {
                report.findings.push(finding(
                    source,
                    e,
                    i,
                    STALE_ID,
                    "Exception matches nothing",
                    Severity::Info,
                    format!(
                        "the exception for `{ids}` (\"{}\") matched no finding in this scan; it may be stale",
                        e.reason
                    ),
                    "Remove the exception if what it covered is gone, or correct its `policies` and `match`.",
                    e.span,
                ));
            }
        }
        report.summary.findings = report.findings.len();
        report
    }
}

#[allow(clippy::too_many_arguments)]
fn finding(
    source: &Source,
    e: &Exception,
    index: usize,
    id: &str,
    title: &str,
    severity: Severity,
    message: String,
    fix: &str,
    span: Span,
) -> Finding {
    Finding {
        policy: id.into(),
        title: title.into(),
        severity,
        category: "configuration".into(),
        message,
        file: e.file.clone(),
        document: 0,
        object: ObjectId {
            api_version: "rempart.io/v1".into(),
            kind: "Exception".into(),
            namespace: None,
            name: Some(format!("exceptions[{index}]")),
        },
        path: e.pointer.clone(),
        span: SourceSpan::of(source, span),
        standards: serde_json::Map::new(),
        fix: fix.into(),
        related: Vec::new(),
    }
}
