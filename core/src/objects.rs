//! The object set of a scan: the objects of every input, for analyses that span objects
//! (RBAC effective permissions, NetworkPolicy selections, references between objects).
//!
//! An [`ObjectSet`] is filled one source at a time (the engine's pre-pass does it, see
//! `Engine::add_to_context`), keeps only the kinds it is asked for ([`Wants`]), and indexes
//! them by group, kind, namespace and name, by kind and namespace, and by label. Each object
//! keeps its place — file, document, JSON pointer, line and column — so that a finding or a
//! related location can point at any node inside it ([`SetObject::place_of`]).
//!
//! Choices, as `kubectl apply` behaves:
//! - `List` and `*List` documents are read item by item (as [`expand`] does); each item is an
//!   object of the set. Items do not count against the per-file document limit
//!   (`maxDocuments`): a cluster dump (`kubectl get … -A -o yaml`) is one `List` of many
//!   items. The set has a budget of its own, [`MAX_SET_OBJECTS`] objects; past it the rest
//!   is left out with one error ([`ObjectSet::overflow`]).
//! - The same group, kind, namespace and name twice is a duplicate: the last one read wins
//!   (as a later `kubectl apply` of it would), and [`ObjectSet::duplicates`] names both places.
//! - An object without `metadata.namespace` keeps no namespace here (`None`): whether it is
//!   cluster-scoped or goes to the namespace kubectl is told to use is for each analysis to
//!   say (RBAC reads a namespaced object without one as in `default`).
//! - Objects without a name (or `generateName`) cannot be referred to and are not kept.
//!
//! This module reads documents only: it knows nothing of policies or reports.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use crate::document::{expand, Documents, Limits, Node, ObjectId, Position, RawDocument, Source, Span, Value};

/// Most objects one set holds (items of lists included); the rest is left out, with an
/// error. Ten times the per-file document limit, so a cluster dump of tens of thousands of
/// objects is read whole, while a hostile input cannot fill memory.
pub const MAX_SET_OBJECTS: usize = 1_000_000;

/// Where a node of the set is written: file, document, RFC 6901 pointer into the document as
/// written (`/items/3/rules/0` inside a list), and its span.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Place {
    /// The file, as the scan names it.
    pub file: String,
    /// 0-based index of the document in its file.
    pub document: usize,
    /// RFC 6901 pointer into the document as written.
    pub path: String,
    /// Where the node starts.
    pub start: Position,
    /// Where the node ends.
    pub end: Position,
}

/// The text of one document that holds objects of the set, with its own line index (shared by
/// the objects of the document): positions are computed when asked for, from this text only,
/// so the set never keeps whole files.
#[derive(Debug)]
struct Excerpt {
    file: String,
    document: usize,
    /// Byte offset of the document in its file.
    base: usize,
    /// Position of the document's first byte in its file.
    start: Position,
    text: Source,
}

impl Excerpt {
    /// The position in the file of a byte offset in the file (clamped to the document).
    fn position(&self, offset: usize) -> Position {
        let inner = self.text.position(offset.saturating_sub(self.base));
        let column = if inner.line == 1 {
            self.start.column + inner.column - 1
        } else {
            inner.column
        };
        Position {
            line: self.start.line + inner.line - 1,
            column,
            offset: self.base + inner.offset,
        }
    }
}

/// One object of the set.
#[derive(Clone, Debug)]
pub struct SetObject {
    /// The object's identity (`apiVersion`, kind, namespace, name).
    pub id: ObjectId,
    /// The API group (`""` for the core group).
    pub group: String,
    /// The object's node (a copy; its spans are offsets in its file).
    pub node: Node,
    /// The pointer of the object in its document: `""`, or `/items/N` for an item of a list.
    pub pointer: String,
    excerpt: Arc<Excerpt>,
}

impl SetObject {
    /// The object's name (`metadata.name`, else `metadata.generateName`).
    pub fn name(&self) -> &str {
        self.id.name.as_deref().unwrap_or_default()
    }

    /// `metadata.namespace` as written, `None` when missing or empty.
    pub fn namespace(&self) -> Option<&str> {
        self.id.namespace.as_deref().filter(|n| !n.is_empty())
    }

    /// The file the object was read from.
    pub fn file(&self) -> &str {
        &self.excerpt.file
    }

    /// 0-based index of its document in the file.
    pub fn document(&self) -> usize {
        self.excerpt.document
    }

    /// The place of the object itself (its first line).
    pub fn place(&self) -> Place {
        self.place_of(&self.node)
    }

    /// The place of `node`, found by identity inside [`SetObject::node`] (a reference taken
    /// from it). A map or list that is the value of a key is placed at the key, where a reader
    /// looks for it; a node not inside the object gives the object's place.
    pub fn place_of(&self, node: &Node) -> Place {
        let (inner, key) = self.node.locate(node).unwrap_or_default();
        let span = match (&node.value, key) {
            (Value::Map(_) | Value::Seq(_), Some(k)) => k.span,
            _ => node.span,
        };
        self.place_span(format!("{}{inner}", self.pointer), span)
    }

    /// The place of the node at `path` (keys and list indexes as text) below the object, or
    /// of the nearest node on the way there.
    pub fn place_at(&self, path: &[&str]) -> Place {
        let mut at = &self.node;
        for step in path {
            let next = match &at.value {
                Value::Map(_) => at.get(step),
                Value::Seq(items) => step.parse::<usize>().ok().and_then(|i| items.get(i)),
                _ => None,
            };
            match next {
                Some(n) => at = n,
                None => break,
            }
        }
        self.place_of(at)
    }

    fn place_span(&self, path: String, span: Span) -> Place {
        Place {
            file: self.excerpt.file.clone(),
            document: self.excerpt.document,
            path,
            start: self.excerpt.position(span.start),
            end: self.excerpt.position(span.end),
        }
    }

    /// `metadata.labels` whose keys and values are strings.
    pub fn labels(&self) -> impl Iterator<Item = (&str, &str)> {
        self.node
            .get_path(&["metadata", "labels"])
            .and_then(Node::as_map)
            .unwrap_or_default()
            .iter()
            .filter_map(|(k, v)| Some((k.as_str()?, v.as_str()?)))
    }

    /// The label `key`, when it is a string.
    pub fn label(&self, key: &str) -> Option<&str> {
        self.node
            .get_path(&["metadata", "labels"])
            .and_then(|l| l.get(key))
            .and_then(Node::as_str)
    }
}

/// The kinds a set keeps: `(group, kind)`, the group `None` for any group; the kind `*` for
/// every kind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Wants {
    /// The wanted kinds: `(group, kind)`, the group `None` for any group.
    pub kinds: Vec<(Option<String>, String)>,
}

impl Wants {
    /// Kinds in any group.
    pub fn kinds<'k>(kinds: impl IntoIterator<Item = &'k str>) -> Wants {
        Wants {
            kinds: kinds.into_iter().map(|k| (None, k.to_owned())).collect(),
        }
    }

    /// Adds a kind (in `group`, or any group for `None`) unless it is there.
    pub fn add(&mut self, group: Option<&str>, kind: &str) {
        let entry = (group.map(str::to_owned), kind.to_owned());
        if !self.kinds.contains(&entry) {
            self.kinds.push(entry);
        }
    }

    /// True when no kind is wanted.
    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }

    /// True for an object of `kind` in `group`.
    pub fn matches(&self, kind: &str, group: &str) -> bool {
        self.kinds
            .iter()
            .any(|(g, k)| (k == "*" || k == kind) && g.as_deref().is_none_or(|g| g == group))
    }

    /// The words whose presence in a document's text means it may hold a wanted object
    /// (`None`: every document may).
    pub fn needles(&self) -> Option<Vec<&str>> {
        if self.kinds.iter().any(|(_, k)| k == "*") {
            return None;
        }
        Some(self.kinds.iter().map(|(_, k)| k.as_str()).collect())
    }
}

/// An object read twice: the one kept (the last) and the one it replaced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Duplicate {
    /// The identity of the object read twice.
    pub id: ObjectId,
    /// The earlier object, replaced.
    pub first: Place,
    /// The later object, kept.
    pub second: Place,
}

impl Duplicate {
    /// What the report says, at the later place.
    pub fn message(&self) -> String {
        let clean = |t: &str| -> String {
            t.chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .take(200)
                .collect()
        };
        let namespace = self
            .id
            .namespace
            .as_deref()
            .filter(|n| !n.is_empty())
            .map(|n| format!(" in namespace `{}`", clean(n)))
            .unwrap_or_default();
        format!(
            "{} `{}`{namespace} is defined twice: here and at {}:{}:{}; the last one read (this one) is used, as a later `kubectl apply` would replace the first; remove one of them",
            clean(&self.id.kind),
            clean(self.id.name.as_deref().unwrap_or_default()),
            self.first.file,
            self.first.start.line,
            self.first.start.column
        )
    }
}

/// Group, kind, namespace (`None` when missing or empty) and name.
type Key = (String, String, Option<String>, String);

/// The indexes built from the objects when first asked for (the set is filled first, then
/// read).
#[derive(Debug, Default)]
struct Index {
    by_kind: HashMap<String, Vec<usize>>,
    by_namespace: HashMap<(String, Option<String>), Vec<usize>>,
    by_label: HashMap<(String, String, String), Vec<usize>>,
}

/// The objects of a scan of the kinds asked for, indexed by group, kind, namespace and name,
/// by kind and namespace, and by label; see the module documentation for the rules.
#[derive(Debug, Default)]
pub struct ObjectSet {
    objects: Vec<Arc<SetObject>>,
    by_key: HashMap<Key, usize>,
    duplicates: Vec<Duplicate>,
    overflow: Option<Place>,
    /// Documents that could be read for the set but do not parse: place and message.
    unread: Vec<(Place, String)>,
    index: OnceLock<Index>,
}

impl ObjectSet {
    /// A set of the `wants` kinds read from `sources`.
    pub fn read<'s>(sources: impl IntoIterator<Item = &'s Source>, limits: &Limits, wants: &Wants) -> ObjectSet {
        let mut set = ObjectSet::default();
        for source in sources {
            set.add_source(source, limits, wants);
        }
        set
    }

    /// Adds the wanted objects of one source. Only the documents whose text names a wanted
    /// kind (or holds a backslash, which may spell one with an escape) are parsed.
    pub fn add_source(&mut self, source: &Source, limits: &Limits, wants: &Wants) {
        if wants.is_empty() {
            return;
        }
        // A piece holds one document unless a `...` line ends one inside it: then the
        // documents are numbered by reading them all.
        let ended = source.text.lines().any(|l| l.starts_with("..."));
        let needles = wants.needles().filter(|_| !ended);
        let Some(needles) = needles else {
            for doc in Documents::new(&source.text, limits) {
                self.add_document(source, &doc, wants);
            }
            return;
        };
        for (index, range) in Documents::pieces(&source.text).into_iter().enumerate() {
            let piece = source.text.get(range.0..range.1).unwrap_or_default();
            if !needles.iter().any(|n| contains_word(piece, n)) && !piece.contains('\\') {
                continue;
            }
            for doc in Documents::piece(&source.text, range, index, limits) {
                self.add_document(source, &doc, wants);
            }
        }
    }

    /// Adds the wanted objects of one parsed document of `source` (one that does not parse
    /// adds nothing: the scan reports it).
    pub fn add_document(&mut self, source: &Source, doc: &RawDocument, wants: &Wants) {
        let node = match &doc.result {
            Ok(node) => node,
            Err(e) => {
                let place = Place {
                    file: source.name.clone(),
                    document: doc.index,
                    path: String::new(),
                    start: source.position(e.span.start),
                    end: source.position(e.span.end),
                };
                self.unread.push((place, e.message.clone()));
                return;
            }
        };
        let mut excerpt: Option<Arc<Excerpt>> = None;
        for obj in expand(node, doc.index).flatten() {
            let group = obj.group();
            if !wants.matches(&obj.id.kind, group) || obj.id.name.as_deref().is_none_or(str::is_empty) {
                continue;
            }
            let excerpt = excerpt
                .get_or_insert_with(|| {
                    Arc::new(Excerpt {
                        file: source.name.clone(),
                        document: doc.index,
                        base: doc.span.start,
                        start: source.position(doc.span.start),
                        text: Source::new(
                            String::new(),
                            source.text.get(doc.span.start..doc.span.end).unwrap_or_default(),
                        ),
                    })
                })
                .clone();
            let pointer = if std::ptr::eq(obj.node, node) {
                String::new()
            } else {
                node.pointer_to(obj.node).unwrap_or_default()
            };
            let group = group.to_owned();
            self.insert(Arc::new(SetObject {
                id: obj.id.clone(),
                group,
                node: obj.node.clone(),
                pointer,
                excerpt,
            }));
        }
    }

    fn insert(&mut self, object: Arc<SetObject>) {
        let key: Key = (
            object.group.clone(),
            object.id.kind.clone(),
            object.namespace().map(str::to_owned),
            object.name().to_owned(),
        );
        self.index.take();
        if let Some(&i) = self.by_key.get(&key) {
            if let Some(slot) = self.objects.get_mut(i) {
                self.duplicates.push(Duplicate {
                    id: object.id.clone(),
                    first: slot.place(),
                    second: object.place(),
                });
                *slot = object;
            }
            return;
        }
        if self.objects.len() >= MAX_SET_OBJECTS {
            if self.overflow.is_none() {
                self.overflow = Some(object.place());
            }
            return;
        }
        self.by_key.insert(key, self.objects.len());
        self.objects.push(object);
    }

    /// Every object, in the order first read (a duplicate takes the place of the one it
    /// replaces). Shared: an analysis keeps the objects it needs without copying them.
    pub fn objects(&self) -> &[Arc<SetObject>] {
        &self.objects
    }

    /// How many objects the set holds.
    pub fn len(&self) -> usize {
        self.objects.len()
    }

    /// True when the set holds no object.
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    /// The object of this group, kind, namespace (`None` or `""` for none) and name.
    pub fn get(&self, group: &str, kind: &str, namespace: Option<&str>, name: &str) -> Option<&Arc<SetObject>> {
        let key: Key = (
            group.to_owned(),
            kind.to_owned(),
            namespace.filter(|n| !n.is_empty()).map(str::to_owned),
            name.to_owned(),
        );
        self.objects.get(*self.by_key.get(&key)?)
    }

    /// The objects of a kind, in any group, in reading order.
    pub fn of_kind<'s>(&'s self, kind: &str) -> impl Iterator<Item = &'s Arc<SetObject>> + 's {
        self.indexed(self.index().by_kind.get(kind))
    }

    /// The objects of a kind, in any group, in one namespace (`None` for the objects that
    /// name none).
    pub fn in_namespace<'s>(
        &'s self,
        kind: &str,
        namespace: Option<&str>,
    ) -> impl Iterator<Item = &'s Arc<SetObject>> + 's {
        let key = (kind.to_owned(), namespace.filter(|n| !n.is_empty()).map(str::to_owned));
        self.indexed(self.index().by_namespace.get(&key))
    }

    /// The objects of a kind, in any group, that carry the label `key` with `value`.
    pub fn with_label<'s>(
        &'s self,
        kind: &str,
        key: &str,
        value: &str,
    ) -> impl Iterator<Item = &'s Arc<SetObject>> + 's {
        let key = (kind.to_owned(), key.to_owned(), value.to_owned());
        self.indexed(self.index().by_label.get(&key))
    }

    fn indexed<'s>(&'s self, list: Option<&'s Vec<usize>>) -> impl Iterator<Item = &'s Arc<SetObject>> + 's {
        list.map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter_map(|&i| self.objects.get(i))
    }

    fn index(&self) -> &Index {
        self.index.get_or_init(|| {
            let mut index = Index::default();
            for (i, o) in self.objects.iter().enumerate() {
                index.by_kind.entry(o.id.kind.clone()).or_default().push(i);
                index
                    .by_namespace
                    .entry((o.id.kind.clone(), o.namespace().map(str::to_owned)))
                    .or_default()
                    .push(i);
                for (k, v) in o.labels() {
                    index
                        .by_label
                        .entry((o.id.kind.clone(), k.to_owned(), v.to_owned()))
                        .or_default()
                        .push(i);
                }
            }
            index
        })
    }

    /// The objects read twice (the last one is kept).
    pub fn duplicates(&self) -> &[Duplicate] {
        &self.duplicates
    }

    /// The documents that may hold wanted objects but do not parse (a scan reports them
    /// already; an analysis on its own reports these).
    pub fn unread(&self) -> &[(Place, String)] {
        &self.unread
    }

    /// The first object left out because the set was full ([`MAX_SET_OBJECTS`]).
    pub fn overflow(&self) -> Option<&Place> {
        self.overflow.as_ref()
    }

    /// A hash of the objects' values (not their places), to tell whether two scans see the
    /// same set.
    pub fn fingerprint(&self, hasher: &mut impl std::hash::Hasher) {
        use std::hash::Hash;
        let mut keys: Vec<(&Key, &usize)> = self.by_key.iter().collect();
        keys.sort();
        for (key, &i) in keys {
            key.hash(hasher);
            if let Some(o) = self.objects.get(i) {
                o.node.to_json().to_string().hash(hasher);
            }
        }
    }
}

/// True when `word` stands in `text` as a whole word, or as the item kind of a list kind
/// (`Role` in `kind: Role` or `kind: RoleList`, not in `kind: ClusterRole`).
pub fn contains_word(text: &str, word: &str) -> bool {
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
    use super::*;

    fn set(files: &[(&str, &str)], wants: &Wants) -> ObjectSet {
        let sources: Vec<Source> = files.iter().map(|(n, t)| Source::new(*n, *t)).collect();
        ObjectSet::read(&sources, &Limits::default(), wants)
    }

    #[test]
    fn objects_are_indexed_with_their_places() {
        let a = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa, namespace: ns}\n---\n# c\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: r\n  namespace: ns\n  labels: {team: a}\nrules:\n- verbs: [get]\n  resources: [pods]\n";
        let b = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: rbac.authorization.k8s.io/v1\n  kind: ClusterRole\n  metadata: {name: c, labels: {team: a}}\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: p}\n";
        let s = set(
            &[("a.yaml", a), ("b.yaml", b)],
            &Wants::kinds(["Role", "ClusterRole", "ServiceAccount"]),
        );
        assert_eq!(s.len(), 3);
        let role = s.get("rbac.authorization.k8s.io", "Role", Some("ns"), "r").unwrap();
        assert_eq!((role.file(), role.document()), ("a.yaml", 1));
        let place = role.place();
        assert_eq!((place.path.as_str(), place.start.line, place.start.column), ("", 6, 1));
        let rule = role.node.get("rules").unwrap().as_seq().unwrap().first().unwrap();
        let p = role.place_of(rule);
        assert_eq!((p.path.as_str(), p.start.line, p.start.column), ("/rules/0", 13, 3));
        let p = role.place_at(&["rules", "0", "verbs"]);
        assert_eq!(
            (p.path.as_str(), p.start.line, p.start.column),
            ("/rules/0/verbs", 13, 3)
        );
        // An item of a list: its pointer and exact position in the file.
        let c = s.get("rbac.authorization.k8s.io", "ClusterRole", None, "c").unwrap();
        assert_eq!(c.pointer, "/items/0");
        let p = c.place_at(&["metadata", "name"]);
        assert_eq!(
            (p.path.as_str(), p.start.line, p.start.column),
            ("/items/0/metadata/name", 6, 20)
        );
        assert_eq!(s.of_kind("Role").count(), 1);
        assert_eq!(s.in_namespace("ServiceAccount", Some("ns")).count(), 1);
        assert_eq!(s.in_namespace("ClusterRole", None).count(), 1);
        let labelled: Vec<&str> = ["Role", "ClusterRole"]
            .iter()
            .flat_map(|k| s.with_label(k, "team", "a"))
            .map(|o| o.name())
            .collect();
        assert_eq!(labelled, ["r", "c"]);
        assert!(s.get("", "Pod", None, "p").is_none(), "not wanted");
    }

    #[test]
    fn the_last_duplicate_wins_and_both_places_are_named() {
        let one =
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: ns}\nrules: []\n";
        let two = "kind: Role\napiVersion: rbac.authorization.k8s.io/v1\nmetadata: {name: r, namespace: ns}\nrules: [{verbs: ['*']}]\n";
        // Same name in another group or namespace is another object.
        let other = "apiVersion: example.com/v1\nkind: Role\nmetadata: {name: r, namespace: ns}\n";
        let s = set(
            &[("1.yaml", one), ("2.yaml", two), ("3.yaml", other)],
            &Wants::kinds(["Role"]),
        );
        assert_eq!(s.len(), 2);
        let kept = s.get("rbac.authorization.k8s.io", "Role", Some("ns"), "r").unwrap();
        assert_eq!(kept.file(), "2.yaml");
        let d = s.duplicates().first().unwrap();
        assert_eq!((d.first.file.as_str(), d.second.file.as_str()), ("1.yaml", "2.yaml"));
        assert_eq!(s.duplicates().len(), 1);
        assert_eq!(s.of_kind("Role").count(), 2);
    }

    #[test]
    fn prefilter_reads_documents_naming_a_wanted_kind_or_escapes() {
        let text = "apiVersion: v1\nkind: \"Servic\\u0065Account\"\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: Role}\n";
        let s = set(&[("x.yaml", text)], &Wants::kinds(["ServiceAccount"]));
        assert_eq!(s.len(), 1);
        let all = set(&[("x.yaml", text)], &Wants::kinds(["*"]));
        assert_eq!(all.len(), 2);
        // Unnamed objects cannot be referred to.
        let s = set(
            &[("y.yaml", "apiVersion: v1\nkind: ServiceAccount\nmetadata: {}\n")],
            &Wants::kinds(["ServiceAccount"]),
        );
        assert!(s.is_empty());
    }

    #[test]
    fn non_ascii_text_counts_columns_in_characters() {
        let text = "# é\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: \"é\", namespace: ns}\n";
        let s = set(&[("x.yaml", text)], &Wants::kinds(["ServiceAccount"]));
        let sa = s.objects().first().unwrap();
        let p = sa.place_at(&["metadata", "namespace"]);
        assert_eq!((p.start.line, p.start.column), (4, 34));
        assert_eq!(p.start.offset, text.find("ns}").unwrap());
    }
}
