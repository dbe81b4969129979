//! Kubernetes objects inside parsed documents: identity, `List` expansion and pod views.

use super::node::{Node, Value};

/// Identity of an object as the report shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct ObjectId {
    #[serde(rename = "apiVersion")]
    pub api_version: String,
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub name: Option<String>,
}

/// A Kubernetes object: the document itself, or one item of a `List`.
#[derive(Clone, Debug)]
pub struct Object<'a> {
    pub id: ObjectId,
    /// The object's node.
    pub node: &'a Node,
    /// The document the object was read from (a `List` for list items).
    pub document: &'a Node,
    /// 0-based index of the document in its file.
    pub document_index: usize,
}

/// Why a document was not evaluated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Skip {
    NotAMap,
    NoKind,
}

impl<'a> Object<'a> {
    /// Reads the object at `node`, or says why it is not one.
    pub fn read(node: &'a Node, document: &'a Node, document_index: usize) -> Result<Self, Skip> {
        if !matches!(node.value, Value::Map(_)) {
            return Err(Skip::NotAMap);
        }
        let text = |key: &str| node.get(key).and_then(Node::as_str).filter(|s| !s.is_empty());
        let (Some(api_version), Some(kind)) = (text("apiVersion"), text("kind")) else {
            return Err(Skip::NoKind);
        };
        let meta = |key: &str| {
            node.get_path(&["metadata", key])
                .and_then(Node::as_str)
                .map(str::to_owned)
        };
        let id = ObjectId {
            api_version: api_version.to_owned(),
            kind: kind.to_owned(),
            namespace: meta("namespace"),
            name: meta("name").or_else(|| meta("generateName")),
        };
        Ok(Object {
            id,
            node,
            document,
            document_index,
        })
    }

    /// The API group: `apps` for `apps/v1`, empty for the core group.
    pub fn group(&self) -> &str {
        self.id.api_version.rsplit_once('/').map_or("", |(g, _)| g)
    }

    /// The pod this object runs: the object itself for a Pod, the pod template of a
    /// workload kind, `None` for every other kind.
    pub fn pod_view(&self) -> Option<&'a Node> {
        let path: &[&str] = match (self.group(), self.id.kind.as_str()) {
            ("", "Pod") => return Some(self.node),
            ("", "PodTemplate") => &["template"],
            ("", "ReplicationController")
            | ("apps" | "extensions", "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet")
            | ("apps", "ControllerRevision")
            | ("batch", "Job") => &["spec", "template"],
            ("batch", "CronJob") => &["spec", "jobTemplate", "spec", "template"],
            _ => return None,
        };
        self.node.get_path(path).filter(|n| matches!(n.value, Value::Map(_)))
    }

    /// Where the object breaks the structure Kubernetes requires (a list where a map must be,
    /// …): such an object would be rejected, and the parts concerned cannot be checked.
    pub fn shape_problems(&self) -> Vec<(String, &'a Node)> {
        let mut out = Vec::new();
        let mut expect = |node: Option<&'a Node>, path: &str, want: &str| {
            let Some(node) = node.filter(|n| !n.is_null()) else {
                return;
            };
            let ok = match want {
                "map" => node.as_map().is_some(),
                _ => node.as_seq().is_some(),
            };
            if !ok {
                out.push((format!("`{path}` must be a {want}, not a {}", node.type_name()), node));
            }
        };
        expect(self.node.get("metadata"), "metadata", "map");
        for key in ["labels", "annotations"] {
            expect(
                self.node.get_path(&["metadata", key]),
                &format!("metadata.{key}"),
                "map",
            );
        }
        if !self.is_pod_kind() {
            return out;
        }
        let template: &[&str] = match (self.group(), self.id.kind.as_str()) {
            ("", "Pod") => &[],
            ("", "PodTemplate") => &["template"],
            ("batch", "CronJob") => &["spec", "jobTemplate", "spec", "template"],
            _ => &["spec", "template"],
        };
        let prefix = template.join(".");
        let at = |rest: &str| {
            if prefix.is_empty() {
                rest.to_owned()
            } else {
                format!("{prefix}.{rest}")
            }
        };
        for i in 1..=template.len() {
            let part = template.get(..i).unwrap_or_default();
            expect(self.node.get_path(part), &part.join("."), "map");
        }
        let Some(pod) = self.pod_view() else {
            return out;
        };
        expect(pod.get("spec"), &at("spec"), "map");
        expect(
            pod.get_path(&["spec", "securityContext"]),
            &at("spec.securityContext"),
            "map",
        );
        for key in ["containers", "initContainers", "ephemeralContainers", "volumes"] {
            let list = pod.get_path(&["spec", key]);
            expect(list, &at(&format!("spec.{key}")), "list");
            for (i, item) in list.and_then(Node::as_seq).unwrap_or_default().iter().enumerate() {
                let path = at(&format!("spec.{key}[{i}]"));
                expect(Some(item), &path, "map");
                expect(item.get("securityContext"), &format!("{path}.securityContext"), "map");
            }
        }
        out
    }

    /// True when the object's kind carries a pod template or is a Pod.
    pub fn is_pod_kind(&self) -> bool {
        matches!(
            (self.group(), self.id.kind.as_str()),
            ("", "Pod" | "PodTemplate" | "ReplicationController")
                | (
                    "apps" | "extensions",
                    "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet"
                )
                | ("batch", "Job" | "CronJob")
        )
    }
}

/// Expands a document into its objects: a `List` (or any `*List` kind with `items`) gives
/// its items, anything else gives itself. Items that are not objects come back as skips
/// with their node.
pub fn expand<'a>(document: &'a Node, index: usize) -> Vec<Result<Object<'a>, (Skip, &'a Node)>> {
    let is_list = document
        .get("kind")
        .and_then(Node::as_str)
        .is_some_and(|k| k.ends_with("List"))
        && document
            .get("items")
            .is_some_and(|i| matches!(i.value, Value::Seq(_) | Value::Null));
    if is_list {
        let items = document.get("items").and_then(Node::as_seq).unwrap_or_default();
        return items
            .iter()
            .map(|item| Object::read(item, document, index).map_err(|s| (s, item)))
            .collect();
    }
    vec![Object::read(document, document, index).map_err(|s| (s, document))]
}
