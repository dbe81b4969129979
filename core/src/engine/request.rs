//! The object of an audit event's request, for policies with `match.requestObject`: the
//! object sent with a `create` or `update`, the partial object of a merge patch, or, for a
//! JSON patch, an object built from the values its `add` and `replace` operations set (the
//! copies keep their place in the file, so findings point into the patch). Its pod is found
//! by the object's `kind`, else by the event's `objectRef` (a patch names no kind).

use std::borrow::Cow;

use crate::document::{Node, Span, Value};
use crate::policy::RequestView;

/// How the request carried the object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Form {
    Whole,
    MergePatch,
    JsonPatch,
}

impl Form {
    /// What a finding on a patch adds to its message: the object was judged from a part.
    pub(crate) fn note(self) -> Option<&'static str> {
        match self {
            Form::Whole => None,
            Form::MergePatch => Some(" (judged from the request's merge patch, which holds only the fields it changes)"),
            Form::JsonPatch => Some(
                " (judged from the request's JSON patch: only the values of its `add` and `replace` operations are known)",
            ),
        }
    }
}

/// The object of the event's request, and how it was sent; `None` when the event carries no
/// request object (a `Metadata`-level event, a read).
pub(crate) fn request_object(event: &Node) -> Option<(Cow<'_, Node>, Form)> {
    let object = event.get("requestObject").filter(|n| !n.is_null())?;
    match &object.value {
        Value::Seq(ops) => Some((Cow::Owned(from_json_patch(ops, object.span)), Form::JsonPatch)),
        Value::Map(_) if event.get("verb").and_then(Node::as_str) == Some("patch") => {
            Some((Cow::Borrowed(object), Form::MergePatch))
        }
        Value::Map(_) => Some((Cow::Borrowed(object), Form::Whole)),
        _ => None,
    }
}

/// The root a policy with this view starts from: the object, or its pod (`None` when the
/// object runs no pod).
pub(crate) fn root<'a>(object: &'a Node, view: RequestView, event: &Node) -> Option<&'a Node> {
    match view {
        RequestView::Object => Some(object),
        RequestView::Pods => pod_of(object, event),
    }
}

/// The pod an object runs, by its kind (`apiVersion`/`kind`), else by the event's
/// `objectRef` (`resource`, `apiGroup`).
fn pod_of<'a>(object: &'a Node, event: &Node) -> Option<&'a Node> {
    let text = |n: &Node, key: &str| n.get(key).and_then(Node::as_str).map(str::to_owned);
    let (group, kind) = match text(object, "kind") {
        Some(kind) => {
            let api = text(object, "apiVersion").unwrap_or_default();
            (api.rsplit_once('/').map_or(String::new(), |(g, _)| g.to_owned()), kind)
        }
        None => {
            let reference = event.get("objectRef")?;
            let group = text(reference, "apiGroup").unwrap_or_default();
            let kind = match text(reference, "resource")?.as_str() {
                "pods" => "Pod",
                "podtemplates" => "PodTemplate",
                "replicationcontrollers" => "ReplicationController",
                "deployments" => "Deployment",
                "replicasets" => "ReplicaSet",
                "statefulsets" => "StatefulSet",
                "daemonsets" => "DaemonSet",
                "jobs" => "Job",
                "cronjobs" => "CronJob",
                _ => return None,
            };
            (group, kind.to_owned())
        }
    };
    let path: &[&str] = match (group.as_str(), kind.as_str()) {
        ("", "Pod") => &[],
        ("", "PodTemplate") => &["template"],
        ("", "ReplicationController")
        | ("apps" | "extensions", "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet")
        | ("batch", "Job") => &["spec", "template"],
        ("batch", "CronJob") => &["spec", "jobTemplate", "spec", "template"],
        _ => return None,
    };
    if path.is_empty() {
        return Some(object);
    }
    object.get_path(path).filter(|n| n.as_map().is_some())
}

/// How many steps a JSON patch's path may have to be placed (a path is text: the document's
/// depth limit does not bound it).
const MAX_PATCH_DEPTH: usize = 64;

/// The part of the object a JSON patch (RFC 6902) sets: the value of each `add` and `replace`
/// operation placed at its path. List items are placed in the order the patch writes them
/// (an index past the end, or `-`, adds an item), so positions in lists may differ from the
/// object's; `remove`, `move`, `copy` and `test` set no value that can be known.
fn from_json_patch(ops: &[Node], span: Span) -> Node {
    let mut root = Node::new(Value::Map(Vec::new()), span);
    for op in ops {
        let Some("add" | "replace") = op.get("op").and_then(Node::as_str) else {
            continue;
        };
        let (Some(path), Some(value)) = (op.get("path"), op.get("value")) else {
            continue;
        };
        let Some(text) = path.as_str() else { continue };
        if text.is_empty() {
            root = value.clone();
            continue;
        }
        let Some(pointer) = text.strip_prefix('/') else {
            continue;
        };
        // No object of the API nests that deep: a longer path is left out rather than built.
        if pointer.split('/').count() > MAX_PATCH_DEPTH {
            continue;
        }
        let steps: Vec<String> = pointer
            .split('/')
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .collect();
        place(&mut root, &steps, value, path.span);
    }
    root
}

fn is_index(step: &str) -> bool {
    step == "-" || (!step.is_empty() && step.bytes().all(|b| b.is_ascii_digit()))
}

fn place(node: &mut Node, steps: &[String], value: &Node, span: Span) {
    let Some((step, rest)) = steps.split_first() else {
        *node = value.clone();
        return;
    };
    if node.is_null() {
        let empty = if is_index(step) {
            Value::Seq(Vec::new())
        } else {
            Value::Map(Vec::new())
        };
        *node = Node::new(empty, span);
    }
    match &mut node.value {
        Value::Map(entries) => {
            let at = match entries.iter().position(|(k, _)| k.as_str() == Some(step.as_str())) {
                Some(i) => i,
                None => {
                    entries.push((Node::new(Value::Str(step.clone()), span), Node::new(Value::Null, span)));
                    entries.len().saturating_sub(1)
                }
            };
            if let Some((_, child)) = entries.get_mut(at) {
                place(child, rest, value, span);
            }
        }
        Value::Seq(items) if is_index(step) => {
            let index = step.parse::<usize>().ok().filter(|i| *i < items.len());
            let at = match index {
                Some(i) => i,
                None => {
                    items.push(Node::new(Value::Null, span));
                    items.len().saturating_sub(1)
                }
            };
            if let Some(child) = items.get_mut(at) {
                place(child, rest, value, span);
            }
        }
        _ => {}
    }
}

/// The JSON pointer of the node of `document` that `copy` was made from (a node of an object
/// built from a JSON patch): the innermost node with the same span.
pub(crate) fn pointer_of_copy(document: &Node, copy: &Node) -> Option<String> {
    let want = copy.span;
    let mut node = document;
    let mut out = String::new();
    let mut found = (node.span == want).then(|| out.clone());
    loop {
        let next = match &node.value {
            Value::Map(entries) => entries.iter().find_map(|(k, v)| {
                encloses(v.span, want).then(|| (k.as_str().map(escape).unwrap_or_else(|| k.display()), v))
            }),
            Value::Seq(items) => items
                .iter()
                .enumerate()
                .find_map(|(i, v)| encloses(v.span, want).then(|| (i.to_string(), v))),
            _ => None,
        };
        let Some((step, child)) = next else { break };
        out.push('/');
        out.push_str(&step);
        node = child;
        if node.span == want {
            found = Some(out.clone());
        }
    }
    found
}

fn encloses(outer: Span, inner: Span) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{parse_stream, Limits};

    fn doc(text: &str) -> Node {
        parse_stream(text, &Limits::default())
            .into_iter()
            .find_map(|d| d.result.ok())
            .unwrap_or_else(|| Node::new(Value::Null, Span::default()))
    }

    #[test]
    fn builds_the_object_a_json_patch_sets() {
        let event = doc(
            r#"{"verb": "patch", "objectRef": {"resource": "deployments", "apiGroup": "apps"}, "requestObject": [
            {"op": "add", "path": "/spec/template/spec/containers/0/securityContext", "value": {"privileged": true}},
            {"op": "replace", "path": "/spec/template/spec/hostPID", "value": true},
            {"op": "remove", "path": "/spec/template/spec/hostIPC"},
            {"op": "add", "path": "/metadata/annotations/a~1b", "value": "x"}]}"#,
        );
        let (object, form) = request_object(&event).unwrap_or_else(|| panic!("no object"));
        assert_eq!(form, Form::JsonPatch);
        let pod = root(&object, RequestView::Pods, &event).unwrap_or_else(|| panic!("no pod"));
        let privileged = pod
            .get_path(&["spec", "containers"])
            .and_then(Node::as_seq)
            .and_then(|c| c.first())
            .and_then(|c| c.get_path(&["securityContext", "privileged"]))
            .unwrap_or_else(|| panic!("no privileged"));
        assert_eq!(privileged.display(), "true");
        assert_eq!(
            pointer_of_copy(&event, privileged).as_deref(),
            Some("/requestObject/0/value/privileged")
        );
        assert!(pod.get_path(&["spec", "hostIPC"]).is_none());
        assert!(object.get_path(&["metadata", "annotations", "a/b"]).is_some());
    }

    #[test]
    fn a_json_patch_path_deeper_than_any_object_is_left_out() {
        let deep = "/a".repeat(100_000);
        let event = doc(&format!(
            r#"{{"verb": "patch", "requestObject": [{{"op": "add", "path": "{deep}", "value": 1}}, {{"op": "add", "path": "/spec/x", "value": 2}}]}}"#
        ));
        let (object, _) = request_object(&event).unwrap_or_else(|| panic!("no object"));
        assert!(object.get("a").is_none());
        assert!(object.get_path(&["spec", "x"]).is_some());
    }

    #[test]
    fn finds_the_pod_of_a_merge_patch_by_the_reference() {
        let event = doc(
            r#"{"verb": "patch", "objectRef": {"resource": "cronjobs", "apiGroup": "batch"}, "requestObject": {"spec": {"jobTemplate": {"spec": {"template": {"spec": {"hostNetwork": true}}}}}}}"#,
        );
        let (object, form) = request_object(&event).unwrap_or_else(|| panic!("no object"));
        assert_eq!(form, Form::MergePatch);
        assert!(
            root(&object, RequestView::Pods, &event).is_some_and(|p| p.get_path(&["spec", "hostNetwork"]).is_some())
        );
        let secret = doc(
            r#"{"verb": "create", "objectRef": {"resource": "secrets"}, "requestObject": {"kind": "Secret", "apiVersion": "v1"}}"#,
        );
        let (object, form) = request_object(&secret).unwrap_or_else(|| panic!("no object"));
        assert_eq!(form, Form::Whole);
        assert!(root(&object, RequestView::Pods, &secret).is_none());
        assert!(request_object(&doc(r#"{"verb": "get"}"#)).is_none());
    }
}
