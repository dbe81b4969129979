//! The pre-pass over a scan's inputs: the Pod Security labels of its Namespaces and the
//! objects of the kinds policies `lookup`, read before any object is judged.

use std::collections::HashMap;

use crate::document::{expand, Documents, Limits, Node, Source};
use crate::engine::pod_security;
use crate::engine::report::{ErrorEntry, Note, RelatedLocation, SourceSpan};
use crate::objects::{ObjectSet, Wants, MAX_SET_OBJECTS};
use crate::policy::{KindPattern, Level, Policy, Related, Version};

/// What the whole scan knows that single objects need: the Pod Security labels of the
/// Namespaces in it (when pods are judged at their Namespace's level), and the objects of the
/// kinds that policies look up (`lookup`).
#[derive(Debug, Default)]
pub struct ScanContext {
    pub(super) namespaces: HashMap<String, (Option<Level>, Option<Version>)>,
    /// The objects `lookup` finds, and the object set of the kinds cross-object analyses read
    /// (`Wanted::set`), with places.
    pub(crate) related: Related,
    /// True when a policy asks `network` questions (`related.network` is then built).
    network: bool,
}

/// What the pre-pass collects.
#[derive(Debug, Default)]
pub(crate) struct Wanted {
    pub namespaces: bool,
    pub kinds: Vec<KindPattern>,
    /// The kinds the object set keeps, for cross-object analyses.
    pub set: Wants,
    /// A policy that runs asks `network` questions.
    pub network: bool,
}

impl Wanted {
    pub fn any(&self) -> bool {
        self.namespaces || !self.kinds.is_empty() || !self.set.is_empty()
    }
}

impl ScanContext {
    /// Reads the Namespaces of the sources. Only the documents whose text mentions
    /// `Namespace` are parsed, so this pre-pass costs little.
    pub fn collect<'s>(sources: impl IntoIterator<Item = &'s Source>, limits: &Limits) -> Self {
        let wanted = Wanted {
            namespaces: true,
            kinds: Vec::new(),
            set: Wants::default(),
            network: false,
        };
        let mut context = ScanContext::default();
        for source in sources {
            context.add_source(source, limits, &wanted);
        }
        context
    }

    /// Adds what one source holds. Only the documents whose text names a wanted kind (or
    /// holds an escape, which may spell it) are parsed, so this pre-pass costs little.
    pub(crate) fn add_source(&mut self, source: &Source, limits: &Limits, wanted: &Wanted) {
        self.related.add_to_set(source, limits, &wanted.set);
        self.want_network(wanted);
        let mut needles: Vec<&str> = wanted.kinds.iter().map(|k| k.kind.as_str()).collect();
        if wanted.namespaces {
            needles.push("Namespace");
        }
        if needles.is_empty() {
            return;
        }
        for range in Documents::pieces(&source.text) {
            let (start, end) = range;
            let piece = source.text.get(start..end).unwrap_or_default();
            // A kind written with escapes (`"Servic\u0065Account"`) does not hold the word:
            // a document with a backslash is read too.
            if !needles.iter().any(|n| contains_word(piece, n)) && !piece.contains('\\') {
                continue;
            }
            for doc in Documents::piece(&source.text, range, 0, limits) {
                if let Ok(node) = &doc.result {
                    self.add_document(node, wanted);
                }
            }
        }
    }

    /// Adds the objects of one parsed document.
    pub(crate) fn add_document(&mut self, node: &Node, wanted: &Wanted) {
        self.want_network(wanted);
        for obj in expand(node, 0).flatten() {
            let group = obj.group();
            if wanted.kinds.iter().any(|k| k.matches(&obj.id.kind, group)) {
                if let Some(name) = obj.id.name.as_deref() {
                    self.related
                        .add(group, &obj.id.kind, obj.id.namespace.as_deref(), name, obj.node.clone());
                }
            }
            if !wanted.namespaces || obj.id.kind != "Namespace" || !group.is_empty() {
                continue;
            }
            if let Some(name) = obj.id.name {
                self.namespaces.insert(name, pod_security::namespace_labels(obj.node));
            }
        }
    }

    /// A hash of what the context holds, by value: two scans with the same fingerprint judge
    /// a document the same way.
    pub(crate) fn fingerprint(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        let mut namespaces: Vec<_> = self.namespaces.iter().collect();
        namespaces.sort_by(|a, b| a.0.cmp(b.0));
        for (name, (level, version)) in namespaces {
            (name, level, version.map(|v| v.to_string())).hash(&mut h);
        }
        self.related.fingerprint(&mut h);
        h.finish()
    }

    /// The object set of the scan (the kinds cross-object analyses read).
    pub fn objects(&self) -> &ObjectSet {
        self.related.set()
    }

    /// Notes that a policy asks `network` questions; the analysis is built again when asked.
    fn want_network(&mut self, wanted: &Wanted) {
        if wanted.network {
            self.network = true;
            self.related.network = std::sync::OnceLock::new();
        }
    }

    /// Builds the NetworkPolicy analysis of the set once every source is read, when a
    /// policy asks `network` questions.
    pub(crate) fn prepare_network(&self) {
        if self.network {
            self.related
                .network
                .get_or_init(|| crate::netpol::checks::of_objects(self.related.set()));
        }
    }

    /// Related places for a finding of `policy` (one that asks `network` questions) on the
    /// object `node`.
    pub(crate) fn network_related(&self, policy: &Policy, node: &Node) -> Vec<RelatedLocation> {
        let Some(analysis) = self.related.network.get() else {
            return Vec::new();
        };
        if !policy.lookups.contains(&crate::policy::network_kind()) {
            return Vec::new();
        }
        crate::netpol::checks::related(analysis, node)
            .into_iter()
            .map(|(p, message)| RelatedLocation::at(p, message))
            .collect()
    }

    /// Objects of the set read twice, as notes naming both places: each object is still
    /// judged on its own, and the checks across objects use the last one, as a later
    /// `kubectl apply` would (an error in `rempart auth`, whose answer depends on it).
    pub fn notes(&self) -> Vec<Note> {
        self.related
            .set()
            .duplicates()
            .iter()
            .map(|d| {
                let mut n = Note::new(d.second.file.clone(), d.message());
                n.document = Some(d.second.document);
                n.span = Some(SourceSpan {
                    start: d.second.start,
                    end: d.second.end,
                });
                n
            })
            .collect()
    }

    /// What the whole set holds that is wrong: objects past the set's budget.
    pub fn errors(&self) -> Vec<ErrorEntry> {
        let mut out = Vec::new();
        if let Some(p) = self.related.set().overflow() {
            let mut e = ErrorEntry::new(
                p.file.clone(),
                format!(
                    "the scan holds more than {MAX_SET_OBJECTS} objects of the kinds cross-object checks read; from this one on they are left out of those checks; scan fewer files at once"
                ),
            );
            e.document = Some(p.document);
            e.span = Some(SourceSpan {
                start: p.start,
                end: p.end,
            });
            out.push(e);
        }
        out
    }
}

/// True when `word` stands in `text` as a whole word, or as the item kind of a list kind
/// (`ServiceAccount` in `kind: ServiceAccount` or `kind: ServiceAccountList`, not in
/// `automountServiceAccountToken`): the pre-pass parses only documents that can hold a
/// wanted kind.
fn contains_word(text: &str, word: &str) -> bool {
    let identifier = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    text.match_indices(word).any(|(i, _)| {
        let before = text.get(..i).and_then(|t| t.chars().next_back());
        let rest = text.get(i + word.len()..).unwrap_or_default();
        let rest = rest.strip_prefix("List").unwrap_or(rest);
        !identifier(before) && !identifier(rest.chars().next())
    })
}

#[cfg(test)]
mod tests {
    use super::{contains_word, ScanContext, Wanted};
    use crate::document::{Limits, Source};
    use crate::objects::Wants;

    #[test]
    fn duplicates_in_the_object_set_are_positioned_notes_naming_both_places() {
        let wanted = Wanted {
            set: Wants::kinds(["ClusterRole"]),
            ..Wanted::default()
        };
        let text = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: \"a\\tb\"}\n";
        let mut context = ScanContext::default();
        for name in ["one.yaml", "two.yaml"] {
            context.add_source(&Source::new(name, text), &Limits::default(), &wanted);
        }
        assert!(context.errors().is_empty());
        let notes = context.notes();
        assert_eq!(notes.len(), 1);
        let e = notes.first().unwrap();
        assert_eq!(e.file, "two.yaml");
        assert_eq!(e.span.map(|s| (s.start.line, s.start.column)), Some((1, 1)));
        assert!(
            e.message
                .contains("ClusterRole `a b` is defined twice: here and at one.yaml:1:1"),
            "{}",
            e.message
        );
    }

    #[test]
    fn kinds_are_found_as_whole_words() {
        for yes in [
            "kind: ServiceAccount\n",
            "{\"kind\":\"ServiceAccount\"}",
            "kind: 'ServiceAccount'",
            "kind: ServiceAccountList",
        ] {
            assert!(contains_word(yes, "ServiceAccount"), "{yes}");
        }
        for no in [
            "automountServiceAccountToken: true",
            "kind: ServiceAccountList2",
            "x_ServiceAccount",
        ] {
            assert!(!contains_word(no, "ServiceAccount"), "{no}");
        }
    }
}
