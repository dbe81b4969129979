//! Kubernetes objects inside parsed documents: identity, `List` expansion and pod views.

use super::node::{Node, Value};

/// Identity of an object as the report shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct ObjectId {
    #[serde(rename = "apiVersion")]
    /// `apiVersion`.
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    /// `metadata.namespace`, when set.
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    /// `metadata.name`, when set.
    pub name: Option<String>,
}

/// A Kubernetes object: the document itself, or one item of a `List`.
#[derive(Clone, Debug)]
pub struct Object<'a> {
    /// Its identity.
    pub id: ObjectId,
    /// The object's node.
    pub node: &'a Node,
    /// The document the object was read from (a `List` for list items).
    pub document: &'a Node,
    /// 0-based index of the document in its file.
    pub document_index: usize,
}

/// Why a document, or an item of a list, was not evaluated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Skip {
    /// The document is not a map.
    NotAMap,
    /// The document has no `apiVersion` and `kind`.
    NoKind,
    /// The document carries `items` but is not a `…List`: kubectl reads it as a list, applies
    /// its items and drops the rest of it.
    ListCarrier,
    /// `items` is neither a list nor null: kubectl cannot read the document.
    ItemsNotAList,
    /// Item `n` of a list is not an object: kubectl cannot read the list.
    ItemNotAMap(usize),
    /// Item `n` has no `apiVersion` and `kind`, and the list's kind gives none.
    ItemNoKind(usize),
    /// Item `n` is itself a list, which kubectl does not expand.
    NestedList(usize),
}

impl Skip {
    /// True when Kubernetes tooling refuses what was skipped: the scan reports an error, not a
    /// note, as the manifest cannot be applied as written.
    pub fn is_error(&self) -> bool {
        !matches!(self, Skip::NotAMap | Skip::NoKind | Skip::ListCarrier)
    }

    /// What the report says; `at` is the skipped node, `document` the document holding it.
    pub fn message(&self, at: &Node, document: &Node) -> String {
        let kind = document.get("kind").and_then(Node::as_str).unwrap_or_default();
        let kind: String = kind
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .take(100)
            .collect();
        match self {
            Skip::NotAMap => format!("skipped: the document is a {}, not a Kubernetes object", at.type_name()),
            Skip::NoKind => "skipped: the document has no `apiVersion` and `kind`, so it is not a Kubernetes object".into(),
            Skip::ListCarrier => format!(
                "this `{kind}` has an `items` field, so kubectl reads it as a list: each item is applied as an object of its own (and checked as such), and the rest of the `{kind}` is dropped; move the items to documents of their own if that is not meant"
            ),
            Skip::ItemsNotAList => format!(
                "`items` is a {}, but kubectl reads any object with `items` as a list and cannot read this one; make `items` a list of objects",
                at.type_name()
            ),
            Skip::ItemNotAMap(i) => format!(
                "`/items/{i}` is a {}, not an object, so kubectl cannot read this list; make every item an object",
                at.type_name()
            ),
            Skip::ItemNoKind(i) => format!(
                "`/items/{i}` has no `apiVersion` and `kind` (kubectl fills them in only when both are missing and the list's kind names the item kind, as `PodList` does), so it cannot be applied and was not checked; give it an `apiVersion` and a `kind`"
            ),
            Skip::NestedList(i) => format!(
                "`/items/{i}` is itself a list (it has `items`), which kubectl does not expand inside a list, so it cannot be applied and was not checked; move its items into the outer list"
            ),
        }
    }
}

impl<'a> Object<'a> {
    /// Reads the object at `node`, or says why it is not one.
    pub fn read(node: &'a Node, document: &'a Node, document_index: usize) -> Result<Self, Skip> {
        Object::read_as(node, document, document_index, None)
    }

    /// Reads the object at `node`; `inferred` is the `apiVersion` and `kind` it takes when it
    /// names neither (the items of a `PodList` are Pods).
    fn read_as(
        node: &'a Node,
        document: &'a Node,
        document_index: usize,
        inferred: Option<(&str, &str)>,
    ) -> Result<Self, Skip> {
        if !matches!(node.value, Value::Map(_)) {
            return Err(Skip::NotAMap);
        }
        let text = |key: &str| node.get(key).and_then(Node::as_str).filter(|s| !s.is_empty());
        let (api_version, kind) = match (text("apiVersion"), text("kind"), inferred) {
            (Some(a), Some(k), _) => (a, k),
            (None, None, Some((a, k))) if !a.is_empty() && !k.is_empty() => (a, k),
            _ => return Err(Skip::NoKind),
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

/// Expands a document into its objects, as kubectl reads it (apimachinery's unstructured
/// decoder and the resource builder's list flattening):
/// - a document with an `items` field is a list, whatever its kind: its items are the objects
///   applied, each on its own, and the rest of the document is dropped (a document that is not
///   a `…List` gets a [`Skip::ListCarrier`] note saying so);
/// - an item that names neither `apiVersion` nor `kind` takes the list's `apiVersion` and the
///   list's kind without its `List` suffix (`PodList` items are Pods);
/// - an item that is not an object, an `items` that is not a list, and a list inside a list
///   make kubectl refuse the manifest: they come back as skips that are errors;
/// - anything else gives itself.
///
/// Items that are not objects come back as skips with their node.
/// Objects come one at a time, so a list of millions of items costs one object at a time.
pub fn expand<'a>(document: &'a Node, index: usize) -> Box<dyn Iterator<Item = Expanded<'a>> + 'a> {
    let (Some(items), Some(kind)) = (
        document.get("items"),
        document.get("kind").and_then(Node::as_str).filter(|k| !k.is_empty()),
    ) else {
        // Without a kind the document is not an object at all, list or not.
        return Box::new(std::iter::once(
            Object::read(document, document, index).map_err(|s| (s, document)),
        ));
    };
    let carrier = (!kind.ends_with("List")).then_some(Err((Skip::ListCarrier, document)));
    let items = match &items.value {
        Value::Seq(items) => items.as_slice(),
        Value::Null => &[],
        _ => {
            return Box::new(
                carrier
                    .into_iter()
                    .chain(std::iter::once(Err((Skip::ItemsNotAList, items)))),
            )
        }
    };
    let api_version = document.get("apiVersion").and_then(Node::as_str).unwrap_or_default();
    let item_kind = kind.strip_suffix("List").unwrap_or(kind);
    let read = move |(i, item): (usize, &'a Node)| {
        let read = if !matches!(item.value, Value::Map(_)) {
            Err(Skip::ItemNotAMap(i))
        } else if item.get("items").is_some_and(|n| n.as_seq().is_some()) {
            Err(Skip::NestedList(i))
        } else {
            Object::read_as(item, document, index, Some((api_version, item_kind))).map_err(|_| Skip::ItemNoKind(i))
        };
        read.map_err(|s| (s, item))
    };
    Box::new(carrier.into_iter().chain(items.iter().enumerate().map(read)))
}

/// One object of a document, or why a node was not read as one.
pub type Expanded<'a> = Result<Object<'a>, (Skip, &'a Node)>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{parse_stream, Limits};

    fn doc(text: &str) -> Node {
        parse_stream(text, &Limits::default())
            .into_iter()
            .find_map(|d| d.result.ok())
            .unwrap_or_else(|| Node::new(Value::Null, Default::default()))
    }

    fn kinds(text: &str) -> Vec<Result<(String, String), Skip>> {
        let d = doc(text);
        expand(&d, 0)
            .map(|r| r.map(|o| (o.id.api_version, o.id.kind)).map_err(|(s, _)| s))
            .collect()
    }

    #[test]
    fn typed_list_items_take_the_list_kind_only_when_they_name_neither() {
        let found = kinds(
            "apiVersion: v1\nkind: PodList\nitems:\n- metadata: {name: a}\n- {apiVersion: apps/v1, kind: Deployment}\n- {kind: Pod}\n- {apiVersion: v1, kind: \"\"}\n",
        );
        assert_eq!(
            found,
            vec![
                Ok(("v1".into(), "Pod".into())),
                Ok(("apps/v1".into(), "Deployment".into())),
                Err(Skip::ItemNoKind(2)),
                Err(Skip::ItemNoKind(3)),
            ]
        );
        // `List` names no item kind.
        assert_eq!(
            kinds("apiVersion: v1\nkind: List\nitems:\n- {metadata: {name: a}}\n"),
            vec![Err(Skip::ItemNoKind(0))]
        );
    }

    #[test]
    fn any_object_with_items_is_read_as_a_list() {
        let found = kinds("apiVersion: v1\nkind: ConfigMap\nitems:\n- {apiVersion: v1, kind: Pod}\n- {}\n- x\n- {apiVersion: v1, kind: List, items: []}\n");
        assert_eq!(
            found,
            vec![
                Err(Skip::ListCarrier),
                Ok(("v1".into(), "Pod".into())),
                Ok(("v1".into(), "ConfigMap".into())),
                Err(Skip::ItemNotAMap(2)),
                Err(Skip::NestedList(3)),
            ]
        );
        assert_eq!(
            kinds("apiVersion: v1\nkind: PodList\nitems: {a: b}\n"),
            vec![Err(Skip::ItemsNotAList)]
        );
        assert_eq!(kinds("apiVersion: v1\nkind: PodList\nitems:\n"), vec![]);
        // Without a kind it is no object at all; `items: null` inside an item is no list.
        assert_eq!(kinds("items: [{apiVersion: v1, kind: Pod}]\n"), vec![Err(Skip::NoKind)]);
        assert_eq!(
            kinds("apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Pod, items: null}\n"),
            vec![Ok(("v1".into(), "Pod".into()))]
        );
    }
}
