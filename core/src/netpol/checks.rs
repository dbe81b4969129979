//! The questions policy files ask about the NetworkPolicies of a scan (the `network:`
//! condition), answered on one object of the scan: each holds when the object has the
//! problem, and gives the node to point at.

use std::sync::Arc;

use super::policy::Direction;
use super::{Analysis, NETWORKING_GROUP};
use crate::document::{Node, Object};
use crate::objects::Place;

/// A question of the `network:` condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// A workload no NetworkPolicy isolates for ingress.
    UnisolatedIngress,
    /// A workload no NetworkPolicy isolates for egress.
    UnisolatedEgress,
    /// A Namespace with workloads and no policy that isolates all of them for ingress (or,
    /// when the scan holds no Namespace object for it, the first workload of the namespace).
    NoDefaultDeny,
    /// A NetworkPolicy that selects no workload, while the scan holds workloads of its
    /// namespace.
    SelectsNothing,
    /// A `ports` entry (the current item) of a NetworkPolicy naming a port that no container
    /// it concerns declares.
    UnexposedNamedPort,
}

impl Check {
    /// The names a policy file writes, in the order of the variants.
    pub const NAMES: [&'static str; 5] = [
        "unisolated-ingress",
        "unisolated-egress",
        "no-default-deny",
        "selects-nothing",
        "unexposed-named-port",
    ];

    /// Reads a name as a policy file writes it.
    pub fn parse(text: &str) -> Option<Check> {
        Some(match text {
            "unisolated-ingress" => Check::UnisolatedIngress,
            "unisolated-egress" => Check::UnisolatedEgress,
            "no-default-deny" => Check::NoDefaultDeny,
            "selects-nothing" => Check::SelectsNothing,
            "unexposed-named-port" => Check::UnexposedNamedPort,
            _ => return None,
        })
    }
}

/// Kind, namespace (`default` when none), name of an object node.
fn identity(object: &Node) -> Option<(String, String, String, String)> {
    let o = Object::read(object, object, 0).ok()?;
    Some((
        o.group().to_owned(),
        o.id.kind.clone(),
        o.id.namespace
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "default".into()),
        o.id.name.clone()?,
    ))
}

/// Where a workload finding points: the pod template's `metadata` (whose labels policies
/// select), else the object's `metadata`.
fn workload_node(object: &Node) -> &Node {
    Object::read(object, object, 0)
        .ok()
        .and_then(|o| o.pod_view())
        .and_then(|p| p.get("metadata"))
        .or_else(|| object.get("metadata"))
        .unwrap_or(object)
}

/// True when some policy of `namespace` isolates every pod of it for ingress.
fn has_default_deny(a: &Analysis, namespace: &str) -> bool {
    a.policies_in(namespace)
        .iter()
        .filter_map(|&p| a.policies.get(p))
        .any(|p| p.selector.is_empty() && p.ingress.is_some())
}

/// The node of `object` that has the problem `check` names, if it has it; `current` is the
/// item bound by `each` (the object itself when none is).
pub fn eval<'a>(a: &Analysis, check: Check, object: &'a Node, current: &'a Node) -> Option<&'a Node> {
    let (group, kind, namespace, name) = identity(object)?;
    match check {
        Check::UnisolatedIngress | Check::UnisolatedEgress => {
            let w = a.workload_of(&kind, &namespace, &name)?;
            let iso = a.isolation.get(w)?;
            let direction = if check == Check::UnisolatedIngress {
                Direction::Ingress
            } else {
                Direction::Egress
            };
            iso.of(direction).is_empty().then(|| workload_node(object))
        }
        Check::NoDefaultDeny => {
            if kind == "Namespace" && group.is_empty() {
                let ns = name;
                return (!a.workloads_in(&ns).is_empty() && !has_default_deny(a, &ns))
                    .then(|| object.get_path(&["metadata", "name"]).unwrap_or(object));
            }
            let w = a.workload_of(&kind, &namespace, &name)?;
            let first = a.workloads_in(&namespace).first().copied();
            let declared = a.set.get("", "Namespace", None, &namespace).is_some();
            (first == Some(w) && !declared && !has_default_deny(a, &namespace)).then(|| workload_node(object))
        }
        Check::SelectsNothing => {
            if kind != "NetworkPolicy" || group != NETWORKING_GROUP {
                return None;
            }
            let p = a.policy_of(&namespace, &name)?;
            let selects = a.selects.get(p)?;
            (selects.is_empty() && !a.workloads_in(&namespace).is_empty())
                .then(|| object.get_path(&["spec", "podSelector"]).unwrap_or(object))
        }
        Check::UnexposedNamedPort => {
            if kind != "NetworkPolicy" || group != NETWORKING_GROUP || std::ptr::eq(current, object) {
                return None;
            }
            let pointer = object.pointer_to(current)?;
            a.unexposed(&namespace, &name, &pointer)
                .then(|| current.get("port").unwrap_or(current))
        }
    }
}

/// Related places for a finding of a `network` policy on `object`: for a workload, the
/// policies of its namespace (those that isolate it first); for a NetworkPolicy or a
/// Namespace, the workloads of its namespace. At most five, with what each is.
pub fn related(a: &Analysis, object: &Node) -> Vec<(Place, String)> {
    const MAX: usize = 5;
    let Some((group, kind, namespace, name)) = identity(object) else {
        return Vec::new();
    };
    let workloads_of = |ns: &str, what: &str| -> Vec<(Place, String)> {
        a.workloads_in(ns)
            .iter()
            .filter_map(|&w| a.workloads.get(w))
            .take(MAX)
            .map(|w| {
                (
                    w.object.place_at(&["metadata", "name"]),
                    format!("{} `{}` {what}", w.kind, w.name),
                )
            })
            .collect()
    };
    if kind == "NetworkPolicy" && group == NETWORKING_GROUP {
        return workloads_of(&namespace, "is a workload of this namespace");
    }
    if kind == "Namespace" && group.is_empty() {
        return workloads_of(&name, "runs in this namespace");
    }
    let Some(w) = a.workload_of(&kind, &namespace, &name) else {
        return Vec::new();
    };
    let selecting: Vec<usize> = a.isolation.get(w).map_or_else(Vec::new, |i| {
        let mut all = i.ingress.clone();
        all.extend(i.egress.iter().filter(|p| !i.ingress.contains(p)));
        all
    });
    let mut out: Vec<(Place, String)> = selecting
        .iter()
        .filter_map(|&p| a.policies.get(p))
        .map(|p| {
            (
                p.object.place_at(&["spec", "podSelector"]),
                format!("NetworkPolicy `{}` selects this workload", p.name),
            )
        })
        .collect();
    out.extend(
        a.policies_in(&namespace)
            .iter()
            .filter(|p| !selecting.contains(p))
            .filter_map(|&p| a.policies.get(p))
            .map(|p| {
                (
                    p.object.place_at(&["spec", "podSelector"]),
                    format!("NetworkPolicy `{}` of this namespace does not select it", p.name),
                )
            }),
    );
    out.truncate(MAX);
    out
}

/// The analysis of the NetworkPolicy kinds of a scan's object set.
pub fn of_objects(objects: &crate::objects::ObjectSet) -> Arc<Analysis> {
    let wants = super::wants();
    let set = crate::objects::ObjectSet::from_objects(
        objects
            .objects()
            .iter()
            .filter(|o| wants.matches(&o.id.kind, &o.group))
            .cloned(),
    );
    Arc::new(Analysis::of(set))
}
