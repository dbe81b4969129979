//! Workloads, the unit of connectivity: Pods and the objects that carry a pod template, with
//! Pods that have an owner grouped under it.

use std::collections::HashMap;
use std::sync::Arc;

use super::ports::Protocol;
use crate::document::{Node, Object};
use crate::objects::{ObjectSet, SetObject};

/// A workload: its identity, the labels of its pods, their container ports.
#[derive(Clone, Debug)]
pub struct Workload {
    /// The namespace (`default` when the object names none).
    pub namespace: String,
    /// The name.
    pub name: String,
    /// The kind (of the owner, for grouped Pods).
    pub kind: String,
    /// The labels of its pods, sorted by key.
    pub labels: Vec<(String, String)>,
    /// Named container ports: name, protocol, number.
    pub ports: Vec<(String, Protocol, u32)>,
    /// The object that stands for it (the first Pod of a group whose owner is not in the set).
    pub object: Arc<SetObject>,
}

impl Workload {
    /// `ns/name[Kind]`.
    pub fn display(&self) -> String {
        format!("{}/{}[{}]", self.namespace, self.name, self.kind)
    }
}

/// Kinds that run pods, with their API group (`PodTemplate` runs none).
pub const KINDS: [(&str, &str); 8] = [
    ("", "Pod"),
    ("apps", "Deployment"),
    ("apps", "StatefulSet"),
    ("apps", "DaemonSet"),
    ("apps", "ReplicaSet"),
    ("batch", "Job"),
    ("batch", "CronJob"),
    ("", "ReplicationController"),
];

fn is_workload(o: &SetObject) -> bool {
    KINDS.iter().any(|(g, k)| *g == o.group && *k == o.id.kind)
}

/// The pod template (or the Pod itself) of a workload object.
pub fn pod_of(o: &SetObject) -> Option<&Node> {
    Object::read(&o.node, &o.node, 0).ok()?.pod_view()
}

/// The owner a Pod (or ReplicaSet, Job) names: the controller reference, else the first;
/// `(group, kind, name)`.
fn owner(o: &SetObject) -> Option<(String, String, String)> {
    let refs = o.node.get_path(&["metadata", "ownerReferences"])?.as_seq()?;
    let pick = refs
        .iter()
        .find(|r| {
            matches!(
                r.get("controller").map(|c| &c.value),
                Some(crate::document::Value::Bool(true))
            )
        })
        .or_else(|| refs.first())?;
    let text = |k: &str| pick.get(k).and_then(Node::as_str).filter(|s| !s.is_empty());
    let group = text("apiVersion").map_or("", |a| a.rsplit_once('/').map_or("", |(g, _)| g));
    Some((group.to_owned(), text("kind")?.to_owned(), text("name")?.to_owned()))
}

/// The sorted string labels of a pod (or pod template).
fn labels_of(pod: Option<&Node>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = pod
        .and_then(|p| p.get_path(&["metadata", "labels"]))
        .and_then(Node::as_map)
        .unwrap_or_default()
        .iter()
        .filter_map(|(k, v)| Some((k.as_str()?.to_owned(), v.as_str()?.to_owned())))
        .collect();
    out.sort();
    out.dedup_by(|a, b| a.0 == b.0);
    out
}

/// The named ports of a pod's containers (and of sidecar init containers, which keep
/// running), the protocol `TCP` when none is written.
fn ports_of(pod: Option<&Node>) -> Vec<(String, Protocol, u32)> {
    let spec = pod.and_then(|p| p.get("spec"));
    let mut out = Vec::new();
    for key in ["containers", "initContainers"] {
        for c in spec.and_then(|s| s.get(key)).and_then(Node::as_seq).unwrap_or_default() {
            if key == "initContainers" && c.get("restartPolicy").and_then(Node::as_str) != Some("Always") {
                continue;
            }
            for p in c.get("ports").and_then(Node::as_seq).unwrap_or_default() {
                let (Some(name), Some(number)) = (
                    p.get("name").and_then(Node::as_str),
                    p.get("containerPort").and_then(Node::as_f64),
                ) else {
                    continue;
                };
                let protocol = match p.get("protocol").and_then(Node::as_str) {
                    None => Protocol::Tcp,
                    Some(t) => match Protocol::parse(t) {
                        Some(p) => p,
                        None => continue,
                    },
                };
                if number.fract() == 0.0 && (1.0..=65535.0).contains(&number) {
                    out.push((name.to_owned(), protocol, number as u32));
                }
            }
        }
    }
    out
}

/// The workloads of a set, in reading order: every object of a workload kind, except those
/// whose owner is in the set (a ReplicaSet of a Deployment, a Job of a CronJob, a Pod of any:
/// they are folded into it); Pods whose owner is not in the set are grouped under the owner's
/// name and kind (`ns/web-5d8f[ReplicaSet]`).
pub fn workloads(set: &ObjectSet) -> Vec<Workload> {
    let mut out: Vec<Workload> = Vec::new();
    let mut groups: HashMap<(String, String, String), usize> = HashMap::new();
    for o in set.objects().iter().filter(|o| is_workload(o)) {
        let namespace = o.namespace().unwrap_or("default").to_owned();
        // Follow the owners through the set, up to the first owner not in it.
        let mut at: Arc<SetObject> = o.clone();
        let mut missing: Option<(String, String)> = None;
        for _ in 0..4 {
            let Some((group, kind, name)) = owner(&at) else { break };
            match set
                .get(&group, &kind, Some(&namespace), &name)
                .filter(|n| is_workload(n))
            {
                Some(next) => at = next.clone(),
                None => {
                    missing = Some((kind, name));
                    break;
                }
            }
        }
        if !Arc::ptr_eq(&at, o) {
            continue; // folded into its owner, a workload of the set
        }
        let pod = pod_of(o);
        let (kind, name) = match missing {
            Some(owner) if o.id.kind == "Pod" => owner,
            _ => (o.id.kind.clone(), o.name().to_owned()),
        };
        let key = (namespace.clone(), kind.clone(), name.clone());
        if let Some(&i) = groups.get(&key) {
            if let Some(w) = out.get_mut(i) {
                for p in ports_of(pod) {
                    if !w.ports.contains(&p) {
                        w.ports.push(p);
                    }
                }
            }
            continue;
        }
        groups.insert(key, out.len());
        out.push(Workload {
            namespace,
            name,
            kind,
            labels: labels_of(pod),
            ports: ports_of(pod),
            object: o.clone(),
        });
    }
    out
}
