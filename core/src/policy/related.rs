//! Other objects of the scan that a policy may consult (`lookup`): an index by kind,
//! namespace and name, filled by the engine's pre-pass over every input of the scan.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use super::model::KindPattern;
use crate::document::{Limits, Node, RawDocument, Source};
use crate::objects::{ObjectSet, Wants};
use crate::rbac::Authorizer;

/// One indexed object: its API group and its node.
#[derive(Clone, Debug)]
struct Entry {
    group: String,
    node: Node,
}

/// Namespace (`None` when the object names none) and name.
type Key = (Option<String>, String);

/// The objects of the scan of the kinds some policy looks up, by kind, then by namespace
/// (`None` when the object names none) and name.
///
/// It also holds the object set of the scan for cross-object analyses ([`ObjectSet`]) and the
/// RBAC index built from it when first asked for ([`Related::rbac`]).
#[derive(Debug, Default)]
pub struct Related {
    objects: HashMap<String, HashMap<Key, Vec<Entry>>>,
    set: ObjectSet,
    rbac: std::sync::OnceLock<Authorizer>,
}

impl Related {
    /// Records an object; a later object of the same group, kind, namespace and name replaces
    /// the earlier one, as a later `kubectl apply` of it would.
    pub fn add(&mut self, group: &str, kind: &str, namespace: Option<&str>, name: &str, node: Node) {
        let entries = self
            .objects
            .entry(kind.to_owned())
            .or_default()
            .entry((namespace.filter(|n| !n.is_empty()).map(str::to_owned), name.to_owned()))
            .or_default();
        entries.retain(|e| e.group != group);
        entries.push(Entry {
            group: group.to_owned(),
            node,
        });
    }

    /// The object of this kind, namespace and name, if the scan holds one.
    pub fn find(&self, kind: &KindPattern, namespace: Option<&str>, name: &str) -> Option<&Node> {
        let key = (namespace.filter(|n| !n.is_empty()).map(str::to_owned), name.to_owned());
        self.objects
            .get(&kind.kind)?
            .get(&key)?
            .iter()
            .find(|e| kind.group.as_deref().is_none_or(|g| g == e.group))
            .map(|e| &e.node)
    }

    /// Whether no object was added.
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty() && self.set.is_empty()
    }

    /// The object set of the scan.
    pub fn set(&self) -> &ObjectSet {
        &self.set
    }

    /// Adds the wanted objects of a source to the object set.
    pub fn add_to_set(&mut self, source: &Source, limits: &Limits, wants: &Wants) {
        self.rbac.take();
        self.set.add_source(source, limits, wants);
    }

    /// Adds the wanted objects of one parsed document to the object set.
    pub fn add_document_to_set(&mut self, source: &Source, doc: &RawDocument, wants: &Wants) {
        self.rbac.take();
        self.set.add_document(source, doc, wants);
    }

    /// The RBAC index of the object set, built once when first asked for.
    pub fn rbac(&self) -> Option<&Authorizer> {
        Some(self.rbac.get_or_init(|| Authorizer::new(&self.set)))
    }

    /// A hash of the indexed objects' values (not their places), to tell whether two scans
    /// see the same related objects.
    pub fn fingerprint(&self, hasher: &mut impl Hasher) {
        let mut all: Vec<(&String, &Key, &Entry)> = self
            .objects
            .iter()
            .flat_map(|(kind, by)| {
                by.iter()
                    .flat_map(move |(key, es)| es.iter().map(move |e| (kind, key, e)))
            })
            .collect();
        all.sort_by(|a, b| (a.0, a.1, &a.2.group).cmp(&(b.0, b.1, &b.2.group)));
        for (kind, key, e) in all {
            (kind, key, &e.group, e.node.to_json().to_string()).hash(hasher);
        }
        self.set.fingerprint(hasher);
    }
}
