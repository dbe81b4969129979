//! Policy selection: the Pod Security level and Kubernetes version an object is judged at,
//! and whether a policy runs on it (versions, kinds, namespaces, labels, annotations).

use super::Evaluator;
use crate::document::Object;
use crate::engine::{pod_security, LevelChoice};
use crate::policy::{name_matches, Level, Version};

impl Evaluator<'_> {
    /// The level and version this object's pod is judged at.
    pub(super) fn level_for(&self, obj: &Object<'_>) -> (Level, Version) {
        let engine = self.engine;
        let namespace = match engine.level {
            LevelChoice::FromNamespace => {
                let ns = obj.id.namespace.as_deref().unwrap_or("default");
                self.context.namespaces.get(ns)
            }
            _ => None,
        };
        pod_security::judged_at(engine.level, engine.version, namespace)
    }

    /// Whether policy `index` runs on `obj`; `kind` is the object's API group and whether it
    /// runs pods, read once per object.
    pub(super) fn applies(
        &self,
        index: usize,
        obj: &Object<'_>,
        kind: (&str, bool),
        level: Level,
        version: Version,
    ) -> bool {
        let engine = self.engine;
        let Some(policy) = engine.policies.get(index) else {
            return false;
        };
        if !policy.versions.contains(version) {
            return false;
        }
        if !pod_security::runs(engine.pod_security_levels.get(index).copied().flatten(), level) {
            return false;
        }
        let (group, pod_kind) = kind;
        let m = &policy.matcher;
        let kind_ok = (m.pods && pod_kind) || m.kinds.iter().any(|k| k.matches(&obj.id.kind, group));
        if !kind_ok {
            return false;
        }
        let ns = obj.id.namespace.as_deref();
        if !m.namespaces.is_empty() && !ns.is_some_and(|ns| m.namespaces.iter().any(|p| name_matches(p, ns))) {
            return false;
        }
        if ns.is_some_and(|ns| m.exclude_namespaces.iter().any(|p| name_matches(p, ns))) {
            return false;
        }
        let meta = |key: &str, wanted: &[(String, Option<String>)]| {
            let map = obj.node.get_path(&["metadata", key]);
            wanted.iter().all(|(k, v)| {
                map.and_then(|m| m.get(k))
                    .is_some_and(|found| v.as_ref().is_none_or(|v| found.display() == *v))
            })
        };
        meta("labels", &m.labels) && meta("annotations", &m.annotations)
    }
}
