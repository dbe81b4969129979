//! Admission: an `admission.k8s.io/v1` `AdmissionReview` request in, its response out, with
//! the very findings a scan of the same object gives.
//!
//! - `CREATE` and `UPDATE` judge `request.object` (on `UPDATE`, [`OnUpdate::NewViolations`]
//!   denies only what `oldObject` did not already have); `DELETE` is allowed.
//! - `CONNECT` (exec, attach, port-forward) judges the options object (`PodExecOptions`, …)
//!   with the policies that ask for it by naming that kind in `match.kinds` (not `*`); no
//!   built-in policy does.
//! - The `status` and `scale` subresources are not judged again; `pods/ephemeralcontainers`
//!   judges the pod with its new ephemeral containers; any other subresource judges the
//!   object it carries with the policies of that object's kind.
//! - Each finding has a mode ([`Mode`]): `enforce` findings deny (status 403, a message
//!   listing each one), `warn` findings become warnings, `audit` findings only count in the
//!   audit annotations, as every finding does.
//! - Exempt users, groups and namespaces are allowed without being judged.
//! - A review that cannot be read is an error ([`ReviewError`]), never an answer: the
//!   webhook answers it with HTTP 400 and the API server applies the `failurePolicy`.

mod settings;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

pub use settings::{AdmissionSettings, Exempt, Mode, OnUpdate};

use crate::document::Source;
use crate::engine::{Engine, Finding, LevelChoice, Report};
use crate::format::visible;
use crate::policy::Severity;

/// The longest status message sent back; longer lists end with how many were left out.
pub const MAX_MESSAGE_BYTES: usize = 4096;
/// The longest warning, in characters, as Kubernetes recommends.
pub const MAX_WARNING_CHARS: usize = 120;
/// The most warnings sent back (the API server keeps about 4 KiB of them); one more says how
/// many were left out.
pub const MAX_WARNINGS: usize = 24;
/// The longest audit annotation value.
pub const MAX_ANNOTATION_BYTES: usize = 1024;

/// Why an `AdmissionReview` could not be answered.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ReviewError {
    /// What is wrong with the review, for the webhook's 400 answer.
    pub message: String,
    /// The request's uid, when it could be read.
    pub uid: Option<String>,
}

fn error(message: impl Into<String>, uid: Option<&str>) -> ReviewError {
    ReviewError {
        message: message.into(),
        uid: uid.map(str::to_owned),
    }
}

/// A review answered: the response and what a log line or a metric needs.
#[derive(Clone, Debug, PartialEq)]
pub struct Reviewed {
    /// The whole `AdmissionReview` response.
    pub response: Value,
    /// `request.uid`.
    pub uid: String,
    /// `request.kind.kind`.
    pub kind: String,
    /// `request.namespace`.
    pub namespace: Option<String>,
    /// `request.name`.
    pub name: Option<String>,
    /// `CREATE`, `UPDATE`, `DELETE` or `CONNECT`.
    pub operation: String,
    /// `request.subResource`.
    pub sub_resource: Option<String>,
    /// The decision.
    pub allowed: bool,
    /// `request.dryRun`.
    pub dry_run: bool,
    /// Why the request was not judged (`exempt user`, `DELETE`, `status subresource`).
    pub skipped: Option<String>,
    /// The ids of the policies that denied the request, sorted, once each.
    pub denied_by: Vec<String>,
    /// Every finding with its mode (after the `UPDATE` comparison).
    pub findings: Vec<(Finding, Mode)>,
}

impl Reviewed {
    /// The response as JSON bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(&self.response).unwrap_or_default()
    }
}

/// The request fields a review reads.
struct Request<'a> {
    uid: &'a str,
    kind: String,
    group: String,
    operation: &'a str,
    sub_resource: Option<&'a str>,
    namespace: Option<&'a str>,
    name: Option<&'a str>,
    user: &'a str,
    groups: Vec<&'a str>,
    object: Option<&'a Value>,
    old_object: Option<&'a Value>,
    dry_run: bool,
}

fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

fn read(review: &Value) -> Result<Request<'_>, ReviewError> {
    let Some(top) = review.as_object() else {
        return Err(error(
            "the body is not an `AdmissionReview`: a JSON object was expected",
            None,
        ));
    };
    let request = top.get("request").filter(|r| r.is_object());
    let uid = request.and_then(|r| text(r, "uid"));
    let api_version = top.get("apiVersion").and_then(Value::as_str).unwrap_or_default();
    let kind = top.get("kind").and_then(Value::as_str).unwrap_or_default();
    if kind != "AdmissionReview" {
        return Err(error(
            format!("the body is not an `AdmissionReview` (`kind` is `{}`)", visible(kind)),
            uid,
        ));
    }
    if api_version != "admission.k8s.io/v1" {
        return Err(error(
            format!(
                "`apiVersion` `{}` is not supported: only `admission.k8s.io/v1` is (set `admissionReviewVersions: [v1]` in the webhook configuration)",
                visible(api_version)
            ),
            uid,
        ));
    }
    let Some(request) = request else {
        return Err(error("the `AdmissionReview` has no `request` object", None));
    };
    let Some(uid) = uid else {
        return Err(error("`request.uid` is missing or empty", None));
    };
    let operation = text(request, "operation").unwrap_or_default();
    if !["CREATE", "UPDATE", "DELETE", "CONNECT"].contains(&operation) {
        return Err(error(
            format!(
                "`request.operation` `{}` is not one of CREATE, UPDATE, DELETE, CONNECT",
                visible(operation)
            ),
            Some(uid),
        ));
    }
    let gvk = request.get("kind");
    let Some(kind) = gvk.and_then(|k| text(k, "kind")) else {
        return Err(error("`request.kind.kind` is missing", Some(uid)));
    };
    let group = gvk
        .and_then(|k| k.get("group"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let user_info = request.get("userInfo");
    let object = request.get("object").filter(|o| !o.is_null());
    if let Some(o) = object.filter(|o| !o.is_object()) {
        return Err(error(
            format!("`request.object` must be an object, not {}", json_type(o)),
            Some(uid),
        ));
    }
    let old_object = request.get("oldObject").filter(|o| o.is_object());
    Ok(Request {
        uid,
        kind: kind.to_owned(),
        group: group.to_owned(),
        operation,
        sub_resource: text(request, "subResource"),
        namespace: text(request, "namespace"),
        name: text(request, "name"),
        user: user_info.and_then(|u| text(u, "username")).unwrap_or_default(),
        groups: user_info
            .and_then(|u| u.get("groups"))
            .and_then(Value::as_array)
            .map(|g| g.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default(),
        object,
        old_object,
        dry_run: request.get("dryRun").and_then(Value::as_bool).unwrap_or(false),
    })
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// `text` cut to at most `max` bytes on a character boundary.
fn cut(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or_default()
}

/// A warning of at most [`MAX_WARNING_CHARS`] characters, ending with `…` when cut.
fn warning(text: &str) -> String {
    if text.chars().count() <= MAX_WARNING_CHARS {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(MAX_WARNING_CHARS - 1).collect();
    out.push('…');
    out
}

/// `id=count,…` for the findings of a mode, bounded.
fn counts(findings: &[(Finding, Mode)], mode: Mode) -> Option<String> {
    let mut by_id: BTreeMap<&str, usize> = BTreeMap::new();
    for (f, _) in findings.iter().filter(|(_, m)| *m == mode) {
        *by_id.entry(f.policy.as_str()).or_default() += 1;
    }
    if by_id.is_empty() {
        return None;
    }
    let all: Vec<String> = by_id.iter().map(|(id, n)| format!("{id}={n}")).collect();
    let mut out = String::new();
    for (i, item) in all.iter().enumerate() {
        let sep = if out.is_empty() { "" } else { "," };
        let rest = all.len() - i;
        if out.len() + sep.len() + item.len() + 24 > MAX_ANNOTATION_BYTES && rest > 1 {
            out.push_str(&format!("{sep}…{rest} more policies"));
            break;
        }
        out.push_str(sep);
        out.push_str(item);
    }
    Some(out)
}

/// The object judged: the request's object, with the namespace and name of the request
/// when the object does not carry them (a `CREATE` with `generateName`, a `CONNECT` options
/// object), so that namespace rules and messages see them.
fn object_text(request: &Request<'_>, object: &Value) -> String {
    let mut object = object.clone();
    if let Some(map) = object.as_object_mut() {
        let meta = map.entry("metadata").or_insert_with(|| Value::Object(Map::new()));
        if let Some(meta) = meta.as_object_mut() {
            for (key, value) in [("namespace", request.namespace), ("name", request.name)] {
                let missing = meta.get(key).and_then(Value::as_str).is_none_or(str::is_empty);
                if let (true, Some(value)) = (missing, value) {
                    meta.insert(key.to_owned(), Value::String(value.to_owned()));
                }
            }
        }
    }
    serde_json::to_string_pretty(&object).unwrap_or_default()
}

fn describe(request: &Request<'_>) -> String {
    let name = match (request.namespace, request.name) {
        (Some(ns), Some(name)) => format!(" `{}/{}`", visible(ns), visible(name)),
        (None, Some(name)) => format!(" `{}`", visible(name)),
        _ => String::new(),
    };
    format!("{}{name}", request.kind)
}

impl Engine {
    /// Answers an `admission.k8s.io/v1` `AdmissionReview` request (JSON bytes) with its
    /// response (JSON bytes). See [`Engine::review_with`].
    pub fn review(&self, request: &[u8]) -> Result<Vec<u8>, ReviewError> {
        self.review_with(request, None).map(|r| r.to_bytes())
    }

    /// Answers an `AdmissionReview` request, with the labels of the object's Namespace when
    /// the caller knows them: pods judged `from-namespace` then take the level of their
    /// `pod-security.kubernetes.io/enforce` label (and `enforce-version`); without them, the
    /// level comes from the `namespaceLevels` setting, else `restricted`.
    pub fn review_with(
        &self,
        request: &[u8],
        namespace_labels: Option<&BTreeMap<String, String>>,
    ) -> Result<Reviewed, ReviewError> {
        if request.len() > self.limits().max_input_bytes {
            return Err(error(
                format!(
                    "the review is {} bytes, more than the limit of {}",
                    request.len(),
                    self.limits().max_input_bytes
                ),
                None,
            ));
        }
        let review: Value = serde_json::from_slice(request).map_err(|e| {
            error(
                format!(
                    "the body is not valid JSON (line {}, column {}): {}",
                    e.line(),
                    e.column(),
                    match e.classify() {
                        serde_json::error::Category::Eof => "it ends too early",
                        serde_json::error::Category::Io => "it could not be read",
                        _ => "a value is malformed",
                    }
                ),
                None,
            )
        })?;
        let request = read(&review)?;
        let settings = self.admission();
        let mut reviewed = Reviewed {
            response: Value::Null,
            uid: request.uid.to_owned(),
            kind: request.kind.clone(),
            namespace: request.namespace.map(str::to_owned),
            name: request.name.map(str::to_owned),
            operation: request.operation.to_owned(),
            sub_resource: request.sub_resource.map(str::to_owned),
            allowed: true,
            dry_run: request.dry_run,
            skipped: None,
            denied_by: Vec::new(),
            findings: Vec::new(),
        };
        let ex = &settings.exempt;
        let matches = |patterns: &[String], value: &str| patterns.iter().any(|p| crate::policy::name_matches(p, value));
        reviewed.skipped = if matches(&ex.users, request.user) {
            Some("exempt user".into())
        } else if request.groups.iter().any(|g| matches(&ex.groups, g)) {
            Some("exempt group".into())
        } else if request.namespace.is_some_and(|ns| matches(&ex.namespaces, ns)) {
            Some("exempt namespace".into())
        } else if request.operation == "DELETE" {
            Some("DELETE".into())
        } else if let Some(sub @ ("status" | "scale")) = request.sub_resource {
            Some(format!("{sub} subresource"))
        } else {
            None
        };
        let mut errors = Vec::new();
        if reviewed.skipped.is_none() {
            let Some(object) = request.object else {
                return Err(error(
                    format!("`request.object` is missing from a {} review", request.operation),
                    Some(request.uid),
                ));
            };
            let context_source = self.namespace_source(&request, namespace_labels);
            let context = self.context(context_source.iter());
            let report = self.scan_with(&Source::new("request.object", object_text(&request, object)), &context);
            errors = report.errors.iter().map(|e| visible(&e.message).into_owned()).collect();
            let mut findings = self.connect_filter(&request, report);
            let old: BTreeSet<(String, String)> = match (settings.on_update, request.operation, request.old_object) {
                (OnUpdate::NewViolations, "UPDATE", Some(old)) => {
                    let old = self.scan_with(&Source::new("request.oldObject", object_text(&request, old)), &context);
                    old.findings.into_iter().map(|f| (f.policy, f.path)).collect()
                }
                _ => BTreeSet::new(),
            };
            findings.sort_by(|a, b| (&a.policy, &a.path).cmp(&(&b.policy, &b.path)));
            for f in findings {
                let mut mode = settings.mode(&f.policy, f.severity);
                if mode == Mode::Enforce && old.contains(&(f.policy.clone(), f.path.clone())) {
                    mode = Mode::Warn;
                }
                reviewed.findings.push((f, mode));
            }
        }
        reviewed.response = self.response(&request, &mut reviewed, &errors);
        Ok(reviewed)
    }

    /// A Namespace object for the scan context, when pods are judged `from-namespace`.
    fn namespace_source(&self, request: &Request<'_>, labels: Option<&BTreeMap<String, String>>) -> Option<Source> {
        if self.level_choice() != LevelChoice::FromNamespace {
            return None;
        }
        let ns = request.namespace?;
        let labels: Map<String, Value> = match labels {
            Some(labels) => labels
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect(),
            None => {
                let level = self.admission().namespace_levels.get(ns)?;
                [(
                    "pod-security.kubernetes.io/enforce".to_owned(),
                    Value::String(level.as_str().to_owned()),
                )]
                .into_iter()
                .collect()
            }
        };
        let namespace = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns, "labels": labels}});
        Some(Source::new("namespace", namespace.to_string()))
    }

    /// The findings that count: for `CONNECT`, only those of policies that name the options
    /// object's kind itself.
    fn connect_filter(&self, request: &Request<'_>, report: Report) -> Vec<Finding> {
        if request.operation != "CONNECT" {
            return report.findings;
        }
        report
            .findings
            .into_iter()
            .filter(|f| {
                self.policy(&f.policy).is_some_and(|p| {
                    p.matcher
                        .kinds
                        .iter()
                        .any(|k| k.kind == f.object.kind && k.group.as_deref().is_none_or(|g| g == request.group))
                })
            })
            .collect()
    }

    fn response(&self, request: &Request<'_>, reviewed: &mut Reviewed, errors: &[String]) -> Value {
        let findings = &reviewed.findings;
        let enforced: Vec<&Finding> = findings
            .iter()
            .filter(|(_, m)| *m == Mode::Enforce)
            .map(|(f, _)| f)
            .collect();
        let mut denied_by: Vec<String> = enforced.iter().map(|f| f.policy.clone()).collect();
        denied_by.dedup();
        reviewed.denied_by = denied_by;
        reviewed.allowed = enforced.is_empty() && errors.is_empty();
        let mut response = Map::new();
        response.insert("uid".into(), Value::String(request.uid.to_owned()));
        response.insert("allowed".into(), Value::Bool(reviewed.allowed));
        if !reviewed.allowed {
            let (code, reason, message) = if errors.is_empty() {
                let lines: Vec<String> = enforced
                    .iter()
                    .map(|f| format!("[{}] {} (at `{}`)", f.policy, visible(&f.message), visible(&f.path)))
                    .collect();
                let head = format!(
                    "{} denied by {} polic{}:",
                    describe(request),
                    reviewed.denied_by.len(),
                    if reviewed.denied_by.len() == 1 { "y" } else { "ies" }
                );
                (403, "Forbidden", bounded_list(&head, &lines))
            } else {
                let head = format!("{} could not be judged:", describe(request));
                (400, "BadRequest", bounded_list(&head, errors))
            };
            response.insert(
                "status".into(),
                json!({"metadata": {}, "status": "Failure", "reason": reason, "code": code, "message": message}),
            );
        }
        let warned: Vec<&Finding> = findings
            .iter()
            .filter(|(_, m)| *m == Mode::Warn)
            .map(|(f, _)| f)
            .collect();
        if !warned.is_empty() {
            let mut warnings: Vec<Value> = warned
                .iter()
                .take(MAX_WARNINGS)
                .map(|f| {
                    Value::String(warning(&format!(
                        "{} at {}: {}",
                        f.policy,
                        visible(&f.path),
                        visible(&f.message)
                    )))
                })
                .collect();
            if warned.len() > MAX_WARNINGS {
                warnings.push(Value::String(format!(
                    "{} more warnings left out; scan the object with rempart to see them all",
                    warned.len() - MAX_WARNINGS
                )));
            }
            response.insert("warnings".into(), Value::Array(warnings));
        }
        let mut annotations = Map::new();
        let decision = if reviewed.allowed { "allowed" } else { "denied" };
        annotations.insert("decision".into(), Value::String(decision.into()));
        for mode in [Mode::Enforce, Mode::Warn, Mode::Audit] {
            if let Some(value) = counts(findings, mode) {
                annotations.insert(mode.as_str().into(), Value::String(value));
            }
        }
        if let Some(why) = &reviewed.skipped {
            annotations.insert("skipped".into(), Value::String(why.clone()));
        }
        if request.dry_run {
            annotations.insert("dry-run".into(), Value::String("true".into()));
        }
        response.insert("auditAnnotations".into(), Value::Object(annotations));
        json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "response": response})
    }
}

/// `head` and the lines, `; `-separated, within [`MAX_MESSAGE_BYTES`]: the lines that do not
/// fit are counted at the end.
fn bounded_list(head: &str, lines: &[String]) -> String {
    let mut out = cut(head, MAX_MESSAGE_BYTES / 4).to_owned();
    for (i, line) in lines.iter().enumerate() {
        let rest = lines.len() - i;
        let sep = if i == 0 { " " } else { "; " };
        if out.len() + sep.len() + line.len() + 40 > MAX_MESSAGE_BYTES {
            if i == 0 {
                out.push_str(sep);
                out.push_str(cut(line, MAX_MESSAGE_BYTES - out.len() - 40));
                out.push('…');
                if rest > 1 {
                    out.push_str(&format!("; and {} more", rest - 1));
                }
            } else {
                out.push_str(&format!("; and {rest} more"));
            }
            break;
        }
        out.push_str(sep);
        out.push_str(line);
    }
    out
}

/// Reads the `admission:` section of a configuration file; every mistake is positioned.
pub(crate) fn read_config(
    d: &mut crate::decode::Decoder<'_>,
    node: &crate::document::Node,
    out: &mut Option<AdmissionSettings>,
) {
    const FIELDS: &[&str] = &["modes", "policies", "exempt", "onUpdate", "namespaceLevels"];
    let Some(f) = d.fields(node, "`admission`", FIELDS) else {
        return;
    };
    let mut settings = AdmissionSettings::default();
    let mode = |d: &mut crate::decode::Decoder<'_>, v: &crate::document::Node| match v.as_str() {
        Some("enforce") => Some(Mode::Enforce),
        Some("warn") => Some(Mode::Warn),
        Some("audit") => Some(Mode::Audit),
        _ => {
            d.error(v, "a mode is one of enforce, warn, audit");
            None
        }
    };
    let entries =
        |d: &mut crate::decode::Decoder<'_>, key: &str| -> Vec<(crate::document::Node, crate::document::Node)> {
            match f.get(key) {
                Some(n) => match n.as_map() {
                    Some(m) => m.to_vec(),
                    None => {
                        d.error(n, format!("`admission.{key}` must be a map"));
                        Vec::new()
                    }
                },
                None => Vec::new(),
            }
        };
    for (k, v) in entries(d, "modes") {
        match Severity::parse(&k.display()) {
            Some(s) => {
                if let Some(m) = mode(d, &v) {
                    settings.modes.insert(s, m);
                }
            }
            None => d.error(
                &k,
                "`admission.modes` maps a severity (info, low, medium, high, critical) to a mode",
            ),
        }
    }
    for (k, v) in entries(d, "policies") {
        if let Some(m) = mode(d, &v) {
            settings.policies.insert(k.display(), m);
        }
    }
    for (k, v) in entries(d, "namespaceLevels") {
        match v.as_str().and_then(crate::policy::Level::parse) {
            Some(l) => {
                settings.namespace_levels.insert(k.display(), l);
            }
            None => d.error(&v, "a Pod Security level is one of privileged, baseline, restricted"),
        }
    }
    if let Some(n) = f.get("onUpdate") {
        match n.as_str() {
            Some("all") => settings.on_update = OnUpdate::All,
            Some("new-violations") => settings.on_update = OnUpdate::NewViolations,
            _ => d.error(n, "`admission.onUpdate` is `all` or `new-violations`"),
        }
    }
    if let Some(n) = f.get("exempt") {
        if let Some(e) = d.fields(n, "`admission.exempt`", &["users", "groups", "namespaces"]) {
            if let Some(v) = e.get("users") {
                settings.exempt.users = d.strings(v, "a user name");
            }
            if let Some(v) = e.get("groups") {
                settings.exempt.groups = d.strings(v, "a group name");
            }
            if let Some(v) = e.get("namespaces") {
                settings.exempt.namespaces = d.strings(v, "a namespace");
            }
        }
    }
    *out = Some(settings);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lists_stay_under_the_message_limit() {
        let lines: Vec<String> = (0..500).map(|i| format!("[p/{i}] {}", "x".repeat(50))).collect();
        let m = bounded_list("Pod `a/b` denied:", &lines);
        assert!(m.len() <= MAX_MESSAGE_BYTES, "{}", m.len());
        assert!(m.ends_with("more"), "{m}");
        let one = bounded_list("h:", &["é".repeat(5000)]);
        assert!(one.len() <= MAX_MESSAGE_BYTES);
    }

    #[test]
    fn warnings_are_cut_at_120_characters() {
        assert_eq!(warning(&"é".repeat(300)).chars().count(), MAX_WARNING_CHARS);
        assert_eq!(warning("short"), "short");
    }
}
