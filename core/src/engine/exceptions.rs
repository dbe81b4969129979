//! Exceptions from the configuration applied to reports: an exception in force hides the
//! findings it covers; an expired one hides nothing and is reported; one that covered
//! nothing in the whole scan is reported as stale.

use std::path::Path;

use serde::Serialize;

use super::report::{Finding, Report, SourceSpan};
use crate::document::{ObjectId, Source, Span};
use crate::glob::Glob;
use crate::policy::{name_matches, KindPattern, Severity};

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
    /// The exceptions as of `today` (which decides which have expired).
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

/// Kind patterns written back as they were given.
fn kind_texts<S: serde::Serializer>(kinds: &[KindPattern], s: S) -> Result<S::Ok, S::Error> {
    let texts: Vec<String> = kinds
        .iter()
        .map(|k| match &k.group {
            Some(g) if g.is_empty() => format!("core/{}", k.kind),
            Some(g) => format!("{g}/{}", k.kind),
            None => k.kind.clone(),
        })
        .collect();
    serde::Serialize::serialize(&texts, s)
}

/// A calendar date, `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Date(pub i32, pub u32, pub u32);

impl Date {
    /// Reads `YYYY-MM-DD`; `None` when it is not a calendar date.
    pub fn parse(text: &str) -> Option<Date> {
        let mut it = text.trim().splitn(3, '-');
        let y = it.next()?.parse().ok()?;
        let m = it.next()?.parse().ok().filter(|m| (1..=12).contains(m))?;
        let d = it.next()?.parse().ok().filter(|d| (1..=31).contains(d))?;
        Some(Date(y, m, d))
    }

    /// Today in UTC, from the system clock.
    pub fn today() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Date::from_days(i64::try_from(secs / 86_400).unwrap_or_default())
    }

    /// The civil date `days` after 1970-01-01 (proleptic Gregorian calendar).
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        Date(
            i32::try_from(y).unwrap_or_default(),
            u32::try_from(m).unwrap_or(1),
            u32::try_from(d).unwrap_or(1),
        )
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.0, self.1, self.2)
    }
}

/// A finding that is accepted, for a reason, maybe until a date.
#[derive(Clone, Debug, Serialize)]
pub struct Exception {
    /// Policy ids or prefixes the exception covers.
    pub policies: Vec<String>,
    #[serde(serialize_with = "kind_texts")]
    /// Kinds it covers (empty: every kind).
    pub kinds: Vec<KindPattern>,
    /// Namespaces it covers, as name patterns (empty: every namespace).
    pub namespaces: Vec<String>,
    /// Object names it covers, as name patterns (empty: every name).
    pub names: Vec<String>,
    /// Files it covers (empty: every file).
    pub files: Vec<Glob>,
    /// Users (`user.username` of an audit event, name patterns): an exception that names
    /// users covers alerts of `rempart detect` only.
    pub users: Vec<String>,
    /// Why the findings are accepted.
    pub reason: String,
    /// The last day the exception applies; past it, the exception is reported as expired.
    pub expires: Option<Date>,
    /// Where the exception is written: file, JSON pointer, span.
    #[serde(skip)]
    pub file: String,
    #[serde(skip)]
    /// The JSON pointer of the exception in its file.
    pub pointer: String,
    #[serde(skip)]
    /// The exception's span in its file.
    pub span: Span,
    #[serde(skip)]
    /// The span of its `expires` value, when it has one.
    pub expires_span: Option<Span>,
}

impl Exception {
    /// True when the exception covers this finding (expired or not).
    pub fn covers(&self, f: &crate::Finding) -> bool {
        let group = f.object.api_version.rsplit_once('/').map_or("", |(g, _)| g);
        let named = |patterns: &[String], name: Option<&str>| {
            patterns.is_empty() || patterns.iter().any(|p| name_matches(p, name.unwrap_or_default()))
        };
        self.policies.iter().any(|p| crate::engine::id_matches(&f.policy, p))
            && self.users.is_empty()
            && (self.kinds.is_empty() || self.kinds.iter().any(|k| k.matches(&f.object.kind, group)))
            && named(&self.namespaces, f.object.namespace.as_deref())
            && named(&self.names, f.object.name.as_deref())
            && (self.files.is_empty() || self.files.iter().any(|g| g.matches(Path::new(&f.file))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(Date::from_days(0), Date(1970, 1, 1));
        assert_eq!(Date::from_days(20_785), Date(2026, 11, 28));
        assert_eq!(Date::from_days(11_016), Date(2000, 2, 29));
        assert_eq!(Date::parse("2027-06-30"), Some(Date(2027, 6, 30)));
        assert_eq!(Date::parse("2027-13-01"), None);
        assert!(Date(2027, 6, 30) < Date(2027, 7, 1));
    }
}
