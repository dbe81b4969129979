//! Threat detection over Kubernetes audit logs: `audit.k8s.io/v1` `Event`s, read as a
//! stream, judged by the engine's policies that match `audit.k8s.io/Event`, and turned into
//! alerts.
//!
//! ```
//! use rempart::{Engine, Options};
//! use rempart::detect::Detector;
//! let engine = Engine::new(&Options::default()).expect("built-in policies load");
//! let mut detector = Detector::new(&engine);
//! let line = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"1","stage":"ResponseComplete","verb":"get","user":{"username":"alice"},"objectRef":{"resource":"secrets","namespace":"prod","name":"db"},"responseStatus":{"code":200},"requestReceivedTimestamp":"2024-05-01T10:00:00Z"}"#;
//! let out = detector.text("audit.log", line);
//! assert!(out.errors.is_empty());
//! ```
//!
//! - Input: JSON lines, JSON arrays, `EventList`s, or cloud records ([`InputFormat`]), cut
//!   by [`input::Cutter`] without holding the stream; a malformed line is an error with its
//!   line number and reading goes on; a value that is not an event is an error, never an
//!   alert.
//! - One alert per rule per request: the stages of one request (`RequestReceived`,
//!   `ResponseStarted`, `ResponseComplete`, `Panic`) share an `auditID`, remembered for at
//!   least an hour of event time or 200,000 alerts.
//! - Policies with `aggregate` count their matches per key in a sliding window of event time
//!   (`requestReceivedTimestamp`, else `stageTimestamp`) and alert once at the threshold.
//! - Memory: one value of the stream, the remembered requests and the windows, all bounded.

pub mod adapters;
pub mod files;
pub mod input;
pub mod json;
pub mod state;

use std::collections::HashMap;
use std::io::Read;

use serde::{Deserialize, Serialize};

use adapters::Found;
pub use adapters::InputFormat;
use input::{Cutter, Unit};
use state::{parse_time, Seen, Windows};

use crate::document::{Node, Object, Source};
use crate::engine::{Date, Exception};
use crate::engine::{Engine, Report};
use crate::policy::{name_matches, Item, NoResolve, Path, Severity};

/// What the request was about, as the event's `objectRef` says.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectRef {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    /// The resource (`pods`, `secrets`).
    pub resource: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    /// The subresource (`exec`, `status`).
    pub subresource: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    /// The namespace, for namespaced resources.
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    /// The object's name, when the request names one.
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    /// The API group (empty for the core group).
    pub api_group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    /// The API version.
    pub api_version: Option<String>,
}

/// For an alert of an aggregating rule: how many matches crossed the threshold, for which
/// key, since when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AggregateInfo {
    /// Path → value of the key (`user.username` → `alice`).
    pub key: std::collections::BTreeMap<String, String>,
    /// Matches (or distinct values) within the window.
    pub count: usize,
    /// The window as the rule writes it (`10m`).
    pub window: String,
    /// The time of the first match of the window.
    pub first: String,
}

/// One alert: a rule that an audit event (or, for an aggregating rule, a run of events)
/// breaks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// `requestReceivedTimestamp`, else `stageTimestamp`, as written in the event.
    pub time: Option<String>,
    /// The rule's id (`detect/exec-into-pod`).
    pub rule: String,
    /// The rule's title.
    pub title: String,
    /// The rule's severity (after configured overrides).
    pub severity: Severity,
    /// The rule's category.
    pub category: String,
    /// What happened, with values from the event.
    pub message: String,
    #[serde(rename = "auditID")]
    /// The request's `auditID`.
    pub audit_id: Option<String>,
    /// The event's `stage`.
    pub stage: Option<String>,
    /// `user.username`.
    pub user: Option<String>,
    #[serde(rename = "sourceIPs")]
    /// The event's `sourceIPs`.
    pub source_ips: Vec<String>,
    /// The request's `verb`.
    pub verb: Option<String>,
    #[serde(rename = "objectRef")]
    /// The event's `objectRef`.
    pub object_ref: Option<ObjectRef>,
    /// The input and the 1-based line where the event (or the record holding it) starts.
    pub file: String,
    /// 1-based line of the event (or of the place in a pretty-printed one).
    pub line: usize,
    /// RFC 6901 pointer into the event (for a cloud record, into the mapped event).
    pub path: String,
    /// The format the event was read in (`k8s`, `gke`, `aks`, `eks`).
    pub input: InputFormat,
    /// The rule's standards (MITRE ATT&CK technique ids).
    pub standards: serde_json::Map<String, serde_json::Value>,
    /// How to respond, from the rule's documentation.
    pub fix: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    /// For a rule with `aggregate`: what crossed its threshold.
    pub aggregate: Option<AggregateInfo>,
}

/// A part of the input that could not be read as an event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetectError {
    /// The input (`<stdin>` for standard input).
    pub file: String,
    /// 1-based line (0 when the error is about the whole input).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Counts of a detection run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetectSummary {
    /// Inputs read.
    pub files: usize,
    /// Events judged.
    pub events: usize,
    /// Alerts given.
    pub alerts: usize,
    /// Errors reported.
    pub errors: usize,
    /// Alerts left out because an earlier stage of the same request gave them.
    pub duplicates: usize,
    /// Alerts covered by a configured exception.
    pub suppressed: usize,
}

/// What a detection run gives, in input order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
#[allow(clippy::large_enum_variant)] // handed over one at a time, never stored in bulk
pub enum Detection {
    /// An alert.
    Alert(Alert),
    /// A part of the input that could not be read as an event.
    Error(DetectError),
}

/// Alerts and errors of a whole text or set of files.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DetectReport {
    /// The Rempart version.
    pub version: String,
    /// Alerts, in input order.
    pub alerts: Vec<Alert>,
    /// Errors, in input order.
    pub errors: Vec<DetectError>,
    /// Counts.
    pub summary: DetectSummary,
}

/// Judges audit events one at a time, remembering what rules across events need. Build one
/// per stream (or per set of streams judged together: a rotated log's files); it holds an
/// engine of the event policies of the engine it was made from.
pub struct Detector {
    engine: Engine,
    format: InputFormat,
    seen: Seen,
    windows: HashMap<usize, Windows>,
    /// The newest event time seen (for events without one).
    latest: i64,
    exceptions: Vec<Exception>,
    today: Option<Date>,
    summary: DetectSummary,
    /// An empty source for the input being read, reused for its one-line values.
    empty: Option<Source>,
    /// False: aggregating rules alert on every match, uncounted (for runs split across
    /// machines, whose matches are then counted in one place).
    aggregate: bool,
}

impl std::fmt::Debug for Detector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Detector")
            .field("format", &self.format)
            .field("summary", &self.summary)
            .finish_non_exhaustive()
    }
}

/// How many alerts a run of one event may give for one rule: one (the first place found);
/// the others are counted in its message.
fn more_text(n: usize) -> String {
    match n {
        0 => String::new(),
        1 => " (and 1 more place in this event)".into(),
        n => format!(" (and {n} more places in this event)"),
    }
}

impl Detector {
    /// A detector with the policies of `engine` that match `audit.k8s.io/Event`.
    pub fn new(engine: &Engine) -> Detector {
        Detector {
            engine: engine.for_events(),
            format: InputFormat::Auto,
            seen: Seen::default(),
            windows: HashMap::new(),
            latest: 0,
            exceptions: Vec::new(),
            today: None,
            summary: DetectSummary::default(),
            empty: None,
            aggregate: true,
        }
    }

    /// With `false`, rules with `aggregate` alert on each matching event instead of counting
    /// (the alert's `aggregate` stays empty): a run split over many machines collects these
    /// matches, orders them by time and counts them in one detector, as
    /// `examples/dask-audit` does.
    pub fn with_aggregation(mut self, aggregate: bool) -> Detector {
        self.aggregate = aggregate;
        self
    }

    /// Reads inputs as `format` (default: each value by its shape).
    pub fn with_format(mut self, format: InputFormat) -> Detector {
        self.format = format;
        self
    }

    /// Leaves out the alerts that an exception in force on `today` covers (by rule, and by
    /// the `users`, `namespaces`, `names` and `files` of its `match`).
    pub fn with_exceptions(mut self, exceptions: Vec<Exception>, today: Date) -> Detector {
        self.exceptions = exceptions;
        self.today = Some(today);
        self
    }

    /// The policies events are judged by (sorted by id).
    pub fn policies(&self) -> &[crate::Policy] {
        self.engine.policies()
    }

    /// Counts so far.
    pub fn summary(&self) -> &DetectSummary {
        &self.summary
    }

    /// A cutter for one stream, with this detector's limits.
    pub fn cutter(&self) -> Cutter {
        Cutter::new(self.engine.limits().max_document_bytes)
    }

    /// Judges a whole text (one input named `name`).
    pub fn text(&mut self, name: &str, text: &str) -> DetectReport {
        let mut report = DetectReport {
            version: crate::VERSION.to_owned(),
            ..DetectReport::default()
        };
        let before = self.summary.clone();
        let mut cutter = self.cutter();
        let mut out = |d: Detection| match d {
            Detection::Alert(a) => report.alerts.push(a),
            Detection::Error(e) => report.errors.push(e),
        };
        self.summary.files += 1;
        self.feed(&mut cutter, name, text.as_bytes(), &mut out);
        self.finish(&mut cutter, name, &mut out);
        report.summary = self.summary.clone();
        report.summary.files -= before.files;
        report.summary.events -= before.events;
        report.summary.alerts -= before.alerts;
        report.summary.errors -= before.errors;
        report.summary.duplicates -= before.duplicates;
        report.summary.suppressed -= before.suppressed;
        report
    }

    /// Reads a stream to its end (`name` for positions), handing over each alert and error as
    /// it comes; memory holds one value of the stream.
    pub fn read(&mut self, name: &str, mut reader: impl Read, out: &mut dyn FnMut(Detection)) -> std::io::Result<()> {
        let mut cutter = self.cutter();
        let mut buf = vec![0u8; 64 * 1024];
        self.summary.files += 1;
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            self.feed(&mut cutter, name, buf.get(..n).unwrap_or_default(), out);
        }
        self.finish(&mut cutter, name, out);
        Ok(())
    }

    /// Feeds bytes of a stream that `cutter` cuts (for inputs that arrive in pieces: a file
    /// that grows, lines from a generator).
    pub fn feed(&mut self, cutter: &mut Cutter, name: &str, bytes: &[u8], out: &mut dyn FnMut(Detection)) {
        let mut units = Vec::new();
        cutter.feed(bytes, &mut |u| units.push(u));
        for u in units {
            self.unit(name, u, out);
        }
    }

    /// The end of a stream: a value left open is an error (a truncated last line).
    pub fn finish(&mut self, cutter: &mut Cutter, name: &str, out: &mut dyn FnMut(Detection)) {
        let mut units = Vec::new();
        cutter.finish(&mut |u| units.push(u));
        for u in units {
            self.unit(name, u, out);
        }
    }

    fn error(&mut self, file: &str, line: usize, message: String, out: &mut dyn FnMut(Detection)) {
        self.summary.errors += 1;
        out(Detection::Error(DetectError {
            file: file.to_owned(),
            line,
            message,
        }));
    }

    fn unit(&mut self, name: &str, unit: Unit, out: &mut dyn FnMut(Detection)) {
        let (bytes, line) = match unit {
            Unit::Error { line, message } => return self.error(name, line, message, out),
            Unit::Value { text, line, .. } => (text, line),
        };
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let lines = e
                    .as_bytes()
                    .get(..at)
                    .map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count());
                return self.error(
                    name,
                    line + lines,
                    format!("invalid UTF-8 (binary data?) at byte {at} of this value; it was skipped"),
                    out,
                );
            }
        };
        let node = match json::parse(&text, self.engine.limits().max_depth) {
            Ok(n) => n,
            Err(e) => {
                let lines = text.get(..e.offset).map_or(0, |t| t.matches('\n').count());
                return self.error(name, line + lines, format!("invalid JSON: {}", e.message), out);
            }
        };
        self.value(name, line, &text, &node, out);
    }

    /// Judges the events a parsed value holds; `text` is the value's text (its nodes' spans
    /// point into it) and `line` the line where it starts.
    fn value(&mut self, name: &str, line: usize, text: &str, node: &Node, out: &mut dyn FnMut(Detection)) {
        let mut found = Vec::new();
        adapters::events(node, self.format, self.engine.limits().max_depth, &mut found);
        // Line breaks inside the value, for the line of an event in a pretty-printed list.
        // An empty source (every position on its first line) serves every one-line value.
        let empty = match self.empty.take() {
            Some(s) if s.name == name => s,
            _ => Source::new(name, ""),
        };
        let multi = text.contains('\n').then(|| Source::new(name, text));
        let source = multi.as_ref().unwrap_or(&empty);
        for f in found {
            match f {
                Found::Error(message) => self.error(name, line, message, out),
                Found::InPlace(event) => {
                    let at = line + source.position(event.span.start).line - 1;
                    self.event(source, at, event, InputFormat::K8s, out);
                }
                Found::Mapped(event, format) => self.event(&empty, line, &event, format, out),
            }
        }
        self.empty = Some(empty);
    }

    /// Judges one parsed event (for events handed over already parsed, such as a binding's
    /// dictionaries): `name` and `line` are where it comes from.
    pub fn event_node(&mut self, name: &str, line: usize, node: &Node, out: &mut dyn FnMut(Detection)) {
        let mut found = Vec::new();
        adapters::events(node, self.format, self.engine.limits().max_depth, &mut found);
        let empty = Source::new(name, "");
        for f in found {
            match f {
                Found::Error(message) => self.error(name, line, message, out),
                Found::InPlace(event) => self.event(&empty, line, event, InputFormat::K8s, out),
                Found::Mapped(event, format) => self.event(&empty, line, &event, format, out),
            }
        }
    }

    fn event(
        &mut self,
        source: &Source,
        line: usize,
        event: &Node,
        format: InputFormat,
        out: &mut dyn FnMut(Detection),
    ) {
        self.summary.events += 1;
        let Ok(object) = Object::read(event, event, 0) else {
            return self.error(&source.name, line, "not an audit event".into(), out);
        };
        let mut report = Report::new();
        self.engine.evaluate_object(source, &object, &mut report);
        for e in report.errors {
            let at = line + e.span.map_or(1, |s| s.start.line) - 1;
            self.error(&source.name, at, e.message, out);
        }
        if report.findings.is_empty() {
            return;
        }
        let s = |path: &[&str]| event.get_path(path).and_then(Node::as_str).map(str::to_owned);
        let time_text = s(&["requestReceivedTimestamp"]).or_else(|| s(&["stageTimestamp"]));
        let time = time_text.as_deref().and_then(parse_time);
        if let Some(t) = time {
            self.latest = self.latest.max(t);
        }
        let audit_id = s(&["auditID"]).filter(|a| !a.is_empty());
        // One alert per rule: the first place found, the others counted.
        let mut by_rule: Vec<(String, usize, usize)> = Vec::new();
        for (i, f) in report.findings.iter().enumerate() {
            match by_rule.iter_mut().find(|(id, _, _)| *id == f.policy) {
                Some(entry) => entry.2 += 1,
                None => by_rule.push((f.policy.clone(), i, 0)),
            }
        }
        for (id, first, more) in by_rule {
            let Some(f) = report.findings.get(first) else {
                continue;
            };
            let Some(index) = self.engine.policies().iter().position(|p| p.id == id) else {
                continue;
            };
            if let Some(a) = &audit_id {
                if !self.seen.first(a, index, time) {
                    self.summary.duplicates += 1;
                    continue;
                }
            }
            let Some(policy) = self.engine.policies().get(index) else {
                continue;
            };
            let mut message = format!("{}{}", f.message, more_text(more));
            let mut aggregate = None;
            if let Some(agg) = policy.aggregate.as_ref().filter(|_| self.aggregate) {
                let key: Vec<String> = agg.by.iter().map(|p| value_at(p, event)).collect();
                let distinct = agg.distinct.as_ref().map(|p| value_at(p, event));
                let at = time.unwrap_or(self.latest);
                let windows = self.windows.entry(index).or_default();
                let Some(crossing) = windows.add(key.clone(), at, distinct, agg.window, agg.count) else {
                    continue;
                };
                let described: Vec<String> = agg
                    .by
                    .iter()
                    .zip(&key)
                    .map(|(p, v)| format!("{} `{v}`", p.text))
                    .collect();
                let what = match &agg.distinct {
                    Some(d) => format!("{} distinct `{}` values", crossing.count, d.text),
                    None => format!("{} matching events", crossing.count),
                };
                message = format!(
                    "{message}: {what} for {} within {}",
                    described.join(", "),
                    agg.window_text
                );
                aggregate = Some(AggregateInfo {
                    key: agg.by.iter().map(|p| p.text.clone()).zip(key).collect(),
                    count: crossing.count,
                    window: agg.window_text.clone(),
                    first: format_time(crossing.first),
                });
            }
            let object_ref = event.get("objectRef").filter(|o| o.as_map().is_some()).map(|o| {
                let t = |k: &str| o.get(k).and_then(Node::as_str).map(str::to_owned);
                ObjectRef {
                    resource: t("resource"),
                    subresource: t("subresource"),
                    namespace: t("namespace"),
                    name: t("name"),
                    api_group: t("apiGroup"),
                    api_version: t("apiVersion"),
                }
            });
            let alert = Alert {
                time: time_text.clone(),
                rule: policy.id.clone(),
                title: policy.title.clone(),
                severity: f.severity,
                category: policy.category.clone(),
                message,
                audit_id: audit_id.clone(),
                stage: s(&["stage"]),
                user: s(&["user", "username"]),
                source_ips: event
                    .get("sourceIPs")
                    .and_then(Node::as_seq)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|n| n.as_str().map(str::to_owned))
                    .collect(),
                verb: s(&["verb"]),
                object_ref,
                file: source.name.clone(),
                line: line + f.span.start.line - 1,
                path: f.path.clone(),
                input: format,
                standards: f.standards.clone(),
                fix: f.fix.clone(),
                aggregate,
            };
            if self.excepted(&alert) {
                self.summary.suppressed += 1;
                continue;
            }
            self.summary.alerts += 1;
            out(Detection::Alert(alert));
        }
    }

    fn excepted(&self, alert: &Alert) -> bool {
        let Some(today) = self.today else {
            return false;
        };
        self.exceptions
            .iter()
            .any(|e| e.expires.is_none_or(|d| d >= today) && covers(e, alert))
    }
}

/// Whether an exception covers an alert: its policies name the rule, and each list of its
/// `match` that is given holds the alert's user, namespace, name or file. Kinds do not apply
/// to alerts (an event names a resource, not a kind): an exception with `kinds` covers none.
pub fn covers(e: &Exception, alert: &Alert) -> bool {
    let named = |patterns: &[String], value: Option<&str>| {
        patterns.is_empty() || value.is_some_and(|v| patterns.iter().any(|p| name_matches(p, v)))
    };
    let r = alert.object_ref.as_ref();
    e.policies.iter().any(|p| crate::engine::id_matches(&alert.rule, p))
        && e.kinds.is_empty()
        && named(&e.users, alert.user.as_deref())
        && named(&e.namespaces, r.and_then(|r| r.namespace.as_deref()))
        && named(&e.names, r.and_then(|r| r.name.as_deref()))
        && (e.files.is_empty() || e.files.iter().any(|g| g.matches(std::path::Path::new(&alert.file))))
}

/// The text of the value at `path` in the event (`unset` when there is none).
fn value_at(path: &Path, event: &Node) -> String {
    path.first(Item::node(event), &NoResolve)
        .filter(|n| !n.is_null())
        .map_or_else(
            || "unset".to_owned(),
            |n| {
                n.display()
                    .chars()
                    .map(|c| if c.is_control() { ' ' } else { c })
                    .take(200)
                    .collect()
            },
        )
}

/// Microseconds since the epoch as RFC 3339 (UTC).
pub fn format_time(micros: i64) -> String {
    let secs = micros.div_euclid(1_000_000);
    let frac = micros.rem_euclid(1_000_000);
    let days = secs.div_euclid(86_400);
    let rest = secs.rem_euclid(86_400);
    let date = Date::from_days(days);
    let (h, m, s) = (rest / 3600, rest % 3600 / 60, rest % 60);
    if frac == 0 {
        format!("{date}T{h:02}:{m:02}:{s:02}Z")
    } else {
        format!("{date}T{h:02}:{m:02}:{s:02}.{frac:06}Z")
    }
}

/// Runs one inline example of a policy on audit events as `rempart detect` would: the case's
/// documents (or object) as a sequence of events, repeated as `repeat` says (each copy with
/// its own `auditID` and times moved by `every`). Returns what went wrong, if anything.
pub(crate) fn test_sequence(
    engine: &Engine,
    policy: &crate::Policy,
    case: &crate::policy::TestCase,
    pass: bool,
    label: &str,
) -> Option<String> {
    let documents: &[Node] = match case.documents.as_slice() {
        [] => std::slice::from_ref(&case.object),
        set => set,
    };
    let repeat = case.repeat.unwrap_or(crate::policy::Repeat { times: 1, every: 0 });
    let mut detector = Detector::new(engine);
    let mut alerts = Vec::new();
    let mut errors = Vec::new();
    for copy in 0..repeat.times {
        for (i, doc) in documents.iter().enumerate() {
            let event = shifted(doc, copy, repeat.every.saturating_mul(copy as i64));
            detector.event_node("test", i + 1, &event, &mut |d| match d {
                Detection::Alert(a) => alerts.push(a),
                Detection::Error(e) => errors.push(e.message),
            });
        }
    }
    let paths: Vec<&str> = alerts
        .iter()
        .filter(|a| a.rule == policy.id)
        .map(|a| a.path.as_str())
        .collect();
    if !errors.is_empty() {
        return Some(format!("{label} is not a readable audit event: {}", errors.join("; ")));
    }
    if pass && !paths.is_empty() {
        return Some(format!("{label} should pass but alerts at {}", paths.join(", ")));
    }
    if !pass && paths.is_empty() {
        return Some(format!("{label} should alert but passes"));
    }
    match case.path.as_deref().filter(|_| !pass) {
        Some(want) if !paths.contains(&want) => {
            Some(format!("{label} alerts at {} instead of {want}", paths.join(", ")))
        }
        _ => None,
    }
}

/// A copy of an event for a repeated test sequence: `{n}` in its strings replaced by the copy's
/// number (from 0), `auditID` made unique per copy, times moved by `shift` microseconds.
fn shifted(event: &Node, copy: usize, shift: i64) -> Node {
    use crate::document::Value;
    fn number(node: &mut Node, n: &str) {
        match &mut node.value {
            Value::Str(s) if s.contains("{n}") => *s = s.replace("{n}", n),
            Value::Seq(items) => items.iter_mut().for_each(|i| number(i, n)),
            Value::Map(entries) => entries.iter_mut().for_each(|(_, v)| number(v, n)),
            _ => {}
        }
    }
    let mut event = event.clone();
    number(&mut event, &copy.to_string());
    if copy == 0 {
        return event;
    }
    if let Value::Map(entries) = &mut event.value {
        for (k, v) in entries.iter_mut() {
            let new = match (k.as_str(), v.as_str()) {
                (Some("auditID"), Some(id)) => format!("{id}-{copy}"),
                (Some("requestReceivedTimestamp" | "stageTimestamp"), Some(t)) => match parse_time(t) {
                    Some(t) => format_time(t.saturating_add(shift)),
                    None => continue,
                },
                _ => continue,
            };
            v.value = Value::Str(new);
        }
    }
    event
}

impl Alert {
    /// The alert as a finding of the report model, for the formats shared with `scan` (SARIF):
    /// the object is the event (`audit.k8s.io/v1` `Event`, named by the request's object),
    /// the span its line.
    pub fn to_finding(&self) -> crate::Finding {
        let at = crate::document::Position {
            line: self.line,
            column: 1,
            offset: 0,
        };
        let r = self.object_ref.as_ref();
        crate::Finding {
            policy: self.rule.clone(),
            title: self.title.clone(),
            severity: self.severity,
            category: self.category.clone(),
            message: self.message.clone(),
            file: self.file.clone(),
            document: 0,
            object: crate::document::ObjectId {
                api_version: "audit.k8s.io/v1".into(),
                kind: "Event".into(),
                namespace: r.and_then(|r| r.namespace.clone()),
                name: self.audit_id.clone(),
            },
            path: self.path.clone(),
            span: crate::engine::SourceSpan { start: at, end: at },
            standards: self.standards.clone(),
            fix: self.fix.clone(),
            related: Vec::new(),
        }
    }
}

impl DetectError {
    /// The error as an entry of the report model (for SARIF notifications).
    pub fn to_entry(&self) -> crate::engine::ErrorEntry {
        let at = crate::document::Position {
            line: self.line.max(1),
            column: 1,
            offset: 0,
        };
        crate::engine::ErrorEntry {
            file: self.file.clone(),
            document: None,
            message: self.message.clone(),
            span: (self.line > 0).then_some(crate::engine::SourceSpan { start: at, end: at }),
        }
    }
}
