//! Cloud exports of Kubernetes audit logs, mapped to `audit.k8s.io/v1` `Event`s. What each
//! mapping keeps and loses is documented in the README (`rempart detect`, "Input formats").
//!
//! - GKE (Cloud Logging `LogEntry` whose `protoPayload` is an `AuditLog`): the event is
//!   rebuilt from the entry's fields.
//! - AKS (diagnostic records, `category: kube-audit` or `kube-audit-admin`): the event is the
//!   JSON text in `properties.log` (or `log_s` in a Log Analytics export).
//! - EKS (CloudWatch Logs): the event is the JSON text (or object) in `@message` or `message`,
//!   and each `logEvents[].message` of a subscription delivery.
//!
//! `{"records": [...]}` (Azure storage exports) holds records of any of these.

use crate::document::{Node, Span, Value};

/// Which format an input is read as.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InputFormat {
    /// Each value by its shape: an event, an `EventList`, or a record of a cloud export.
    #[default]
    Auto,
    /// `audit.k8s.io` events and `EventList`s only.
    K8s,
    /// GKE Cloud Logging entries (`protoPayload` of type `AuditLog`).
    Gke,
    /// AKS diagnostic records (`category: kube-audit`, the event in `properties.log`).
    Aks,
    /// EKS CloudWatch records (the event in `@message` or `message`).
    Eks,
}

impl InputFormat {
    /// Reads `auto`, `k8s`, `gke`, `aks` or `eks`.
    pub fn parse(text: &str) -> Option<InputFormat> {
        match text {
            "auto" => Some(InputFormat::Auto),
            "k8s" => Some(InputFormat::K8s),
            "gke" => Some(InputFormat::Gke),
            "aks" => Some(InputFormat::Aks),
            "eks" => Some(InputFormat::Eks),
            _ => None,
        }
    }

    /// The name `parse` reads.
    pub fn as_str(self) -> &'static str {
        match self {
            InputFormat::Auto => "auto",
            InputFormat::K8s => "k8s",
            InputFormat::Gke => "gke",
            InputFormat::Aks => "aks",
            InputFormat::Eks => "eks",
        }
    }
}

/// An event found in a value: in place (its spans point into the value's text), or rebuilt
/// from a cloud record (its spans point nowhere; positions are the record's line).
#[derive(Debug)]
pub enum Found<'n> {
    /// An event inside the value read.
    InPlace(&'n Node),
    /// An event rebuilt from a record of this format.
    Mapped(Node, InputFormat),
    /// A value that holds no event, and why.
    Error(String),
}

/// True for a node that is an audit event (`kind: Event` in the `audit.k8s.io` group).
pub fn is_event(node: &Node) -> bool {
    node.get("kind").and_then(Node::as_str) == Some("Event")
        && node
            .get("apiVersion")
            .and_then(Node::as_str)
            .is_some_and(|v| v.starts_with("audit.k8s.io/"))
}

/// The events a parsed value holds, read as `format`.
pub fn events<'n>(node: &'n Node, format: InputFormat, max_depth: usize, out: &mut Vec<Found<'n>>) {
    events_at(node, format, max_depth, 0, out);
}

fn events_at<'n>(node: &'n Node, format: InputFormat, max_depth: usize, depth: usize, out: &mut Vec<Found<'n>>) {
    let auto = format == InputFormat::Auto;
    if node.as_map().is_none() {
        out.push(Found::Error(format!(
            "not an audit event: a JSON {}, where an object of `kind: Event` (`audit.k8s.io/v1`) was expected",
            node.type_name()
        )));
        return;
    }
    let kind = node.get("kind").and_then(Node::as_str);
    if (auto || format == InputFormat::K8s) && is_event(node) {
        out.push(Found::InPlace(node));
        return;
    }
    if (auto || format == InputFormat::K8s) && kind == Some("EventList") {
        match node.get("items").map(|i| &i.value) {
            Some(Value::Seq(items)) => {
                for item in items {
                    events_at(item, InputFormat::K8s, max_depth, depth + 1, out);
                }
            }
            Some(Value::Null) | None => {}
            Some(_) => out.push(Found::Error("`items` of this `EventList` is not a list".into())),
        }
        return;
    }
    // A delivery of several records (Azure storage, CloudWatch subscriptions).
    if depth == 0 && !matches!(format, InputFormat::K8s | InputFormat::Gke) {
        if let Some(list) = node
            .get("records")
            .or_else(|| node.get("logEvents"))
            .and_then(Node::as_seq)
        {
            for record in list {
                events_at(record, format, max_depth, depth + 1, out);
            }
            return;
        }
    }
    if (auto || format == InputFormat::Gke) && node.get("protoPayload").is_some() {
        out.push(match gke(node) {
            Ok(event) => Found::Mapped(event, InputFormat::Gke),
            Err(e) => Found::Error(e),
        });
        return;
    }
    if auto || format == InputFormat::Aks {
        let category = node.get("category").and_then(Node::as_str);
        let log = node.get_path(&["properties", "log"]).or_else(|| node.get("log_s"));
        if category.is_some_and(|c| c.starts_with("kube-audit")) || (format == InputFormat::Aks && log.is_some()) {
            out.push(match log {
                Some(log) => embedded(log, "`properties.log`", InputFormat::Aks, max_depth),
                None => Found::Error("this AKS `kube-audit` record has no `properties.log` holding the event".into()),
            });
            return;
        }
    }
    if auto || format == InputFormat::Eks {
        if let Some((field, message)) = [("@message", "`@message`"), ("message", "`message`")]
            .iter()
            .find_map(|(k, label)| node.get(k).map(|m| (*label, m)))
        {
            out.push(embedded(message, field, InputFormat::Eks, max_depth));
            return;
        }
    }
    let what = match (node.get("apiVersion").and_then(Node::as_str), kind) {
        (Some(v), Some(k)) => format!("an object of `kind: {}` (`{}`)", clean(k), clean(v)),
        (None, Some(k)) => format!("an object of `kind: {}` without `apiVersion`", clean(k)),
        _ => "an object without `apiVersion` and `kind`".into(),
    };
    let expected = match format {
        InputFormat::Auto => "an audit event, an `EventList`, or a GKE, AKS or EKS audit record",
        InputFormat::K8s => "an audit event (`kind: Event`, `apiVersion: audit.k8s.io/v1`) or an `EventList`",
        InputFormat::Gke => "a GKE Cloud Logging entry with a `protoPayload`",
        InputFormat::Aks => "an AKS `kube-audit` record with `properties.log`",
        InputFormat::Eks => "an EKS CloudWatch record with `@message` or `message`",
    };
    out.push(Found::Error(format!(
        "not an audit event: {what}, where {expected} was expected"
    )));
}

fn clean(text: &str) -> String {
    let mut out: String = text
        .chars()
        .take(80)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().count() > 80 {
        out.push('…');
    }
    out
}

/// An event written as JSON text inside a record (or as an object there).
fn embedded(node: &Node, field: &str, format: InputFormat, max_depth: usize) -> Found<'static> {
    let parsed = match &node.value {
        Value::Str(text) => match super::json::parse(text, max_depth) {
            Ok(n) => n,
            Err(e) => return Found::Error(format!("{field} is not JSON: {} (at byte {})", e.message, e.offset)),
        },
        Value::Map(_) => strip_spans(node.clone()),
        _ => return Found::Error(format!("{field} holds a {}, not an audit event", node.type_name())),
    };
    if is_event(&parsed) {
        Found::Mapped(strip_spans(parsed), format)
    } else {
        Found::Error(format!(
            "{field} does not hold an audit event (`kind: Event`, `apiVersion: audit.k8s.io/v1`)"
        ))
    }
}

/// Spans that point nowhere (the event's text is not the stream's).
fn strip_spans(mut node: Node) -> Node {
    fn walk(node: &mut Node) {
        node.span = Span::default();
        match &mut node.value {
            Value::Seq(items) => items.iter_mut().for_each(walk),
            Value::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
                k.span = Span::default();
                walk(v);
            }),
            _ => {}
        }
    }
    walk(&mut node);
    node
}

fn text(s: &str) -> Node {
    Node::new(Value::Str(s.to_owned()), Span::default())
}

fn map(entries: Vec<(&str, Node)>) -> Node {
    Node::new(
        Value::Map(entries.into_iter().map(|(k, v)| (text(k), v)).collect()),
        Span::default(),
    )
}

/// The HTTP status the API server answered for a `google.rpc.Code`.
fn http_status(code: i64) -> i64 {
    match code {
        0 => 200,
        3 | 9 | 11 => 400,
        16 => 401,
        7 => 403,
        5 => 404,
        6 | 10 => 409,
        8 => 429,
        1 => 499,
        12 => 501,
        14 => 503,
        4 => 504,
        _ => 500,
    }
}

/// A GKE Cloud Logging entry (`protoPayload` of type `AuditLog`) as an audit event.
fn gke(entry: &Node) -> Result<Node, String> {
    let p = entry
        .get("protoPayload")
        .filter(|p| p.as_map().is_some())
        .ok_or("`protoPayload` is not an object")?;
    let ty = p.get("@type").and_then(Node::as_str).unwrap_or_default();
    if !ty.ends_with("google.cloud.audit.AuditLog") {
        return Err(format!(
            "this Cloud Logging entry's `protoPayload` is a `{}`, not an `AuditLog`",
            clean(ty)
        ));
    }
    let service = p.get("serviceName").and_then(Node::as_str).unwrap_or_default();
    if service != "k8s.io" {
        return Err(format!(
            "this Cloud Audit Logs entry is from `{}`, not from the Kubernetes API server (`k8s.io`)",
            clean(service)
        ));
    }
    fn s(n: Option<&Node>) -> Option<&str> {
        n.and_then(Node::as_str)
    }
    let method = s(p.get("methodName")).unwrap_or_default();
    let verb = method.rsplit('.').next().unwrap_or_default();
    let mut event: Vec<(&str, Node)> = vec![
        ("kind", text("Event")),
        ("apiVersion", text("audit.k8s.io/v1")),
        (
            "level",
            text(if p.get("request").is_some() || p.get("response").is_some() {
                "RequestResponse"
            } else {
                "Metadata"
            }),
        ),
    ];
    if let Some(id) = s(entry.get_path(&["operation", "id"])).or(s(entry.get("insertId"))) {
        event.push(("auditID", text(id)));
    }
    let last = entry.get_path(&["operation", "last"]).map(|n| n.value.clone());
    let stage = if last == Some(Value::Bool(false)) {
        "ResponseStarted"
    } else {
        "ResponseComplete"
    };
    event.push(("stage", text(stage)));
    if !verb.is_empty() {
        event.push(("verb", text(verb)));
    }
    if let Some(user) = s(p.get_path(&["authenticationInfo", "principalEmail"])) {
        event.push(("user", map(vec![("username", text(user))])));
    }
    if let Some(ip) = s(p.get_path(&["requestMetadata", "callerIp"])) {
        event.push(("sourceIPs", Node::new(Value::Seq(vec![text(ip)]), Span::default())));
    }
    if let Some(agent) = s(p.get_path(&["requestMetadata", "callerSuppliedUserAgent"])) {
        event.push(("userAgent", text(agent)));
    }
    if let Some(name) = s(p.get("resourceName")) {
        event.push(("objectRef", object_ref(name)));
    }
    if let Some(status) = p.get("status").filter(|n| n.as_map().is_some()) {
        let code = status.get("code").and_then(Node::as_f64).map_or(0, |c| c as i64);
        let mut fields = vec![("code", Node::new(Value::Int(http_status(code)), Span::default()))];
        if let Some(m) = s(status.get("message")) {
            fields.push(("message", text(m)));
        }
        event.push(("responseStatus", map(fields)));
    }
    for (key, field) in [("request", "requestObject"), ("response", "responseObject")] {
        if let Some(body) = p.get(key).filter(|b| b.as_map().is_some()) {
            let mut body = strip_spans(body.clone());
            if let Value::Map(entries) = &mut body.value {
                entries.retain(|(k, _)| k.as_str() != Some("@type"));
            }
            event.push((field, body));
        }
    }
    if let Some(time) = s(entry.get("timestamp")) {
        event.push(("requestReceivedTimestamp", text(time)));
        event.push(("stageTimestamp", text(time)));
    }
    let annotations: Vec<(&str, Node)> = entry
        .get("labels")
        .and_then(Node::as_map)
        .unwrap_or_default()
        .iter()
        .filter_map(|(k, v)| Some((k.as_str()?, v)))
        .filter(|(k, _)| k.contains(".k8s.io/"))
        .filter_map(|(k, v)| Some((k, text(v.as_str()?))))
        .collect();
    if !annotations.is_empty() {
        event.push(("annotations", map(annotations)));
    }
    Ok(map(event))
}

/// `objectRef` from a GKE `resourceName`: `{group}/{version}/[namespaces/{ns}/]{resource}[/{name}[/{subresource}]]`
/// (`core` for the core group).
fn object_ref(name: &str) -> Node {
    let parts: Vec<&str> = name.split('/').collect();
    let mut fields = Vec::new();
    if let [group, version, rest @ ..] = parts.as_slice() {
        fields.push(("apiGroup", text(if *group == "core" { "" } else { group })));
        fields.push(("apiVersion", text(version)));
        let rest = match rest {
            ["namespaces", ns, more @ ..] if !more.is_empty() => {
                fields.push(("namespace", text(ns)));
                more
            }
            other => other,
        };
        for (key, value) in ["resource", "name", "subresource"].iter().zip(rest) {
            fields.push((key, text(value)));
        }
    }
    map(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gke_resource_names() {
        let r = object_ref("core/v1/namespaces/default/pods/nginx/exec");
        assert_eq!(r.get("apiGroup").and_then(Node::as_str), Some(""));
        assert_eq!(r.get("namespace").and_then(Node::as_str), Some("default"));
        assert_eq!(r.get("resource").and_then(Node::as_str), Some("pods"));
        assert_eq!(r.get("name").and_then(Node::as_str), Some("nginx"));
        assert_eq!(r.get("subresource").and_then(Node::as_str), Some("exec"));
        let r = object_ref("core/v1/namespaces/kube-system");
        assert_eq!(r.get("resource").and_then(Node::as_str), Some("namespaces"));
        assert_eq!(r.get("name").and_then(Node::as_str), Some("kube-system"));
        let r = object_ref("rbac.authorization.k8s.io/v1/clusterrolebindings/admin");
        assert_eq!(
            r.get("apiGroup").and_then(Node::as_str),
            Some("rbac.authorization.k8s.io")
        );
        assert!(r.get("namespace").is_none());
    }
}
