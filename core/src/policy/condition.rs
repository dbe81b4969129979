//! Conditions: a subject (path, effective value, map keys, command-line flag) tested by
//! operators, combined with `all`, `any` and `not`. Evaluating a condition says whether it
//! holds and which node makes it hold, so every finding points at its cause.

use regex::Regex;

use super::model::KindPattern;
use super::path::{Item, Path, Resolve, Root};
use super::related::Related;
use super::version::{Version, VersionRange};
use crate::document::{Node, Value};

/// What a test looks at.
#[derive(Clone, Debug)]
pub enum Subject {
    /// Every node the path selects (null counts as absent).
    Path(Path),
    /// The first of these paths that is set: a container's field, else the pod's.
    Effective(Vec<Path>),
    /// The keys of the maps the path selects, each a node with its own span.
    Keys(Path),
    /// A command-line flag in the current item's `command` and `args`.
    Flag(String),
    /// A parameter's value (to switch a rule on or off by configuration).
    Value(Node),
    /// The decoded values of a query parameter of the URIs the path selects
    /// (`{path: requestURI, query: command}`).
    Query(Path, String),
}

/// A test applied to each value of the subject.
#[derive(Clone, Debug)]
pub enum Op {
    /// `present`: whether the path selects a non-null value (`true`) or none (`false`).
    Present(bool),
    /// `equals`: the value equals this one.
    Equals(Node),
    /// `in`: the value is one of these.
    In(Vec<Node>),
    /// `notIn`: the value is none of these.
    NotIn(Vec<Node>),
    /// `contains`: the list holds this item, the string this substring, the map this key.
    Contains(Node),
    /// `excludes`: the opposite of `contains`.
    Excludes(Node),
    /// `matches`: the string matches this regular expression.
    Matches(Regex),
    /// `prefix`: the string starts with one of these.
    Prefix(Vec<String>),
    /// `suffix`: the string ends with one of these.
    Suffix(Vec<String>),
    /// `gt`, `gte`, `lt`, `lte`: the number compares so with this one.
    Compare(Ordering, f64),
    /// A Go duration (`4h0m0s`, `90s`) compared with another, in nanoseconds: `longerThan`
    /// (`Gt`) and `shorterThan` (`Lt`). Values that are not durations never hold.
    Duration(Ordering, i128),
    /// Equal to one of the values another path selects.
    InPath(Path),
    /// Equal to none of the values another path selects.
    NotInPath(Path),
    /// `type`: the value is of this YAML type (`null`, `boolean`, `number`, `integer`, `string`,
    /// `list`, `map`).
    Type(String),
    /// A base64 certificate (kubeconfig's `client-certificate-data`) whose subject has one of
    /// these organisations (O=).
    CertificateOrganization(Vec<String>),
    /// An image whose tag names a Kubernetes version in the range (`…:v1.23.4`); an image
    /// without one is taken to be at the version the object is judged at.
    TagVersion(VersionRange),
    /// An IP address of one of these classes (`loopback`, `private`, `link-local`, `public`,
    /// `other`); text that is no address never holds.
    IpClass(Vec<String>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ordering {
    Gt,
    Gte,
    Lt,
    Lte,
}

#[derive(Clone, Debug)]
/// A condition of the policy language.
pub enum Condition {
    /// The operators applied to the values of a subject (all must hold).
    Test {
        /// What the operators test.
        subject: Subject,
        /// The operators.
        ops: Vec<Op>,
    },
    /// `all`: every condition holds.
    All(Vec<Condition>),
    /// `any`: one condition holds.
    Any(Vec<Condition>),
    /// `not`: the condition does not hold.
    Not(Box<Condition>),
    /// Holds only at the Kubernetes versions of the range (and there as the inner condition).
    Versioned(VersionRange, Box<Condition>),
    /// Holds when one node the path selects satisfies the inner condition, with that node
    /// bound as the current item (and under its name). With `before`, only nodes that come
    /// earlier in the document than that bound item count: first-match-wins lists (audit
    /// rules, encryption providers) and duplicates are written with it.
    Some(Box<Quantifier>),
    /// A named definition (`use: name`), compiled once and shared by every use.
    Named(std::sync::Arc<Named>),
    /// Holds when the scan holds the object another object names (a pod's ServiceAccount),
    /// and it satisfies the inner condition, with that object bound as the current item.
    Lookup(Box<Lookup>),
    /// A condition over RBAC effective permissions (`can`, `missingRole`, `bound`).
    Rbac(Box<super::can::RbacCondition>),
}

/// A compiled definition.
#[derive(Clone, Debug)]
pub struct Named {
    /// Its name (`use: name`).
    pub name: String,
    /// How many conditions it holds, its uses counted in full (to bound what a file can build).
    pub size: usize,
    /// The condition.
    pub condition: Condition,
    /// The shared parameters (`params` of a definitions document) it reads, its uses
    /// included: a policy that uses it gets them as its own parameters.
    pub params: Vec<String>,
    /// The file and node it was written in, to compile it again with a policy's values of
    /// those parameters.
    pub origin: Option<std::sync::Arc<(crate::document::Source, Node)>>,
}

impl Condition {
    /// How many conditions this one holds, definitions counted in full.
    pub fn size(&self) -> usize {
        match self {
            Condition::Test { .. } => 1,
            Condition::All(conds) | Condition::Any(conds) => {
                conds.iter().fold(1, |total, c| total.saturating_add(c.size()))
            }
            Condition::Not(inner) | Condition::Versioned(_, inner) => inner.size().saturating_add(1),
            Condition::Some(q) => q.inner.size().saturating_add(1),
            Condition::Named(n) => n.size,
            Condition::Lookup(l) => l.inner.as_ref().map_or(1, |c| c.size().saturating_add(1)),
            Condition::Rbac(_) => 1,
        }
    }

    /// True when this condition consults RBAC effective permissions, definitions included.
    pub fn uses_rbac(&self) -> bool {
        match self {
            Condition::Test { .. } => false,
            Condition::All(conds) | Condition::Any(conds) => conds.iter().any(Condition::uses_rbac),
            Condition::Not(inner) | Condition::Versioned(_, inner) => inner.uses_rbac(),
            Condition::Some(q) => q.inner.uses_rbac(),
            Condition::Named(n) => n.condition.uses_rbac(),
            Condition::Lookup(l) => l.inner.as_ref().is_some_and(|c| c.uses_rbac()),
            Condition::Rbac(_) => true,
        }
    }

    /// The places that explain why this condition holds (the RBAC rule and binding that grant
    /// a right), for the finding's related locations; empty for conditions of one object.
    pub fn chain(&self, scope: &Scope<'_, '_>) -> Vec<(crate::objects::Place, String)> {
        match self {
            Condition::Rbac(r) => r.chain(scope),
            Condition::All(conds) => conds
                .iter()
                .map(|c| c.chain(scope))
                .find(|c| !c.is_empty())
                .unwrap_or_default(),
            Condition::Any(conds) => conds
                .iter()
                .find(|c| c.eval(scope).is_some())
                .map(|c| c.chain(scope))
                .unwrap_or_default(),
            Condition::Versioned(_, inner) => inner.chain(scope),
            Condition::Named(n) => n.condition.chain(scope),
            _ => Vec::new(),
        }
    }

    /// The kinds this condition looks up in the scan (`lookup`), definitions included.
    pub fn lookup_kinds(&self, out: &mut Vec<KindPattern>) {
        match self {
            Condition::Test { .. } => {}
            Condition::All(conds) | Condition::Any(conds) => conds.iter().for_each(|c| c.lookup_kinds(out)),
            Condition::Not(inner) | Condition::Versioned(_, inner) => inner.lookup_kinds(out),
            Condition::Some(q) => q.inner.lookup_kinds(out),
            Condition::Named(n) => n.condition.lookup_kinds(out),
            Condition::Rbac(_) => {}
            Condition::Lookup(l) => {
                if !out.contains(&l.kind) {
                    out.push(l.kind.clone());
                }
                if let Some(inner) = &l.inner {
                    inner.lookup_kinds(out);
                }
            }
        }
    }
}

/// `lookup: {kind, name, defaultName, namespace, as, where}`: another object of the scan, by
/// kind, namespace and name.
#[derive(Clone, Debug)]
pub struct Lookup {
    /// The kind looked up.
    pub kind: KindPattern,
    /// Paths to the name, first non-empty string wins.
    pub name: Vec<Path>,
    /// The name when none of the paths holds one (a pod's `default` ServiceAccount).
    pub default_name: Option<String>,
    /// The path to the namespace; the object's own namespace when it selects nothing.
    pub namespace: Option<Path>,
    /// What the object found must satisfy (`where`); none: being found is enough.
    pub inner: Option<Condition>,
}

#[derive(Clone, Debug)]
/// `some: {path, before, where}`: a node the path selects that satisfies a condition.
pub struct Quantifier {
    /// The nodes considered.
    pub path: Path,
    /// Depth of the binding whose item the nodes must precede.
    pub before: Option<usize>,
    /// What one of them must satisfy.
    pub inner: Condition,
}

/// How many steps a policy may still take on the current object. Every node a wildcard
/// visits, every item an `each` binds (at every nesting level), every candidate of `some`,
/// every value `inPath`/`notInPath` or `contains` compares with spends one; every finding
/// spends [`Budget::FINDING_COST`], so the findings one policy may produce on one object are
/// bounded too. Once it is spent, evaluation stops and the caller reports the policy as
/// stopped instead of its findings.
#[derive(Debug)]
pub struct Budget {
    left: std::cell::Cell<usize>,
    refused: std::cell::Cell<bool>,
}

impl Budget {
    /// A budget of `comparisons` steps.
    pub fn new(comparisons: usize) -> Self {
        Budget {
            left: std::cell::Cell::new(comparisons),
            refused: std::cell::Cell::new(false),
        }
    }

    /// What a finding costs, in comparisons: with the default budget of a million, one policy
    /// reports at most ten thousand findings on one object (their messages and places take
    /// memory and time that a comparison does not).
    pub const FINDING_COST: usize = 100;

    /// Takes one comparison; false (and from then on `spent`) once none is left.
    pub fn spend(&self) -> bool {
        self.spend_many(1)
    }

    /// Takes `n` comparisons at once; false (and from then on `spent`) when fewer are left.
    pub fn spend_many(&self, n: usize) -> bool {
        if self.refused.get() {
            return false;
        }
        match self.left.get().checked_sub(n) {
            Some(left) => {
                self.left.set(left);
                true
            }
            None => {
                self.left.set(0);
                self.refused.set(true);
                false
            }
        }
    }

    /// True once a comparison was refused: the evaluation stopped short.
    pub fn spent(&self) -> bool {
        self.refused.get()
    }
}

/// The nodes paths can start from while one object is evaluated.
#[derive(Clone, Copy, Debug)]
pub struct Scope<'a, 's> {
    /// The object as written.
    pub object: &'a Node,
    /// The policy root: the pod for pod policies, else the object.
    pub root: &'a Node,
    /// Items bound by `each`, outermost first.
    pub items: &'s [Item<'a>],
    /// The Kubernetes version the object is judged at.
    pub version: Version,
    /// The steps left for this policy on this object.
    pub budget: &'s Budget,
    /// The objects of the scan that `lookup` may find.
    pub related: &'a Related,
}

impl Resolve for Scope<'_, '_> {
    fn text(&self, path: &Path) -> Option<String> {
        path.first(self.start(path), self)
            .filter(|n| !n.is_null())
            .map(Node::display)
    }

    fn step(&self) -> bool {
        self.budget.spend()
    }
}

impl<'a> Scope<'a, '_> {
    /// The item a path starts from.
    pub fn start(&self, path: &Path) -> Item<'a> {
        match path.root {
            Root::Current => self.items.last().copied().unwrap_or(Item::node(self.root)),
            Root::Root => Item::node(self.root),
            Root::Object => Item::node(self.object),
            Root::Binding(depth) => self.items.get(depth).copied().unwrap_or(Item::node(self.root)),
        }
    }

    pub(crate) fn current(&self) -> Item<'a> {
        self.items.last().copied().unwrap_or(Item::node(self.root))
    }
}

/// Why a condition holds: the node to point at and the value found there, if any.
#[derive(Clone, Debug)]
pub struct Hit<'a> {
    /// The node to point at.
    pub at: &'a Node,
    /// The value found there, for `{value}` in messages.
    pub value: Option<String>,
}

impl Condition {
    /// `Some` with the node that makes the condition hold, `None` when it does not hold.
    pub fn eval<'a>(&self, scope: &Scope<'a, '_>) -> Option<Hit<'a>> {
        match self {
            Condition::Test { subject, ops } => test(subject, ops, scope),
            // Every condition must hold; the finding points where the first one points, so a
            // policy names its subject first and its qualifiers after.
            Condition::All(conds) => {
                let mut first = None;
                for c in conds {
                    let hit = c.eval(scope)?;
                    first.get_or_insert(hit);
                }
                first
            }
            Condition::Any(conds) => conds.iter().find_map(|c| c.eval(scope)),
            Condition::Versioned(range, inner) => {
                if range.contains(scope.version) {
                    inner.eval(scope)
                } else {
                    None
                }
            }
            Condition::Some(q) => q.eval(scope),
            Condition::Named(n) => n.condition.eval(scope),
            Condition::Lookup(l) => l.eval(scope),
            Condition::Rbac(r) => r.eval(scope),
            Condition::Not(inner) => match inner.eval(scope) {
                Some(_) => None,
                None => {
                    let (at, value) = inner.locate(scope);
                    Some(Hit { at, value })
                }
            },
        }
    }

    /// The node a condition is about, whether it holds or not: the subject's node when it
    /// exists, else its nearest existing parent.
    pub fn locate<'a>(&self, scope: &Scope<'a, '_>) -> (&'a Node, Option<String>) {
        match self {
            Condition::Test { subject, .. } => match subject {
                Subject::Path(p) => match p.first(scope.start(p), scope).filter(|n| !n.is_null()) {
                    Some(n) => (n, Some(n.display())),
                    None => (p.nearest(scope.start(p), scope), None),
                },
                Subject::Effective(paths) => effective(paths, scope).map_or_else(
                    || {
                        (
                            paths.first().map_or(scope.root, |p| p.nearest(scope.start(p), scope)),
                            None,
                        )
                    },
                    |n| (n, Some(n.display())),
                ),
                Subject::Keys(p) => (p.nearest(scope.start(p), scope), None),
                Subject::Query(p, name) => match p.first(scope.start(p), scope).filter(|n| !n.is_null()) {
                    Some(n) => (
                        n,
                        n.as_str()
                            .and_then(|uri| super::audit::query_values(uri, name).into_iter().next()),
                    ),
                    None => (p.nearest(scope.start(p), scope), None),
                },
                Subject::Value(v) => (scope.current().node, Some(v.display())),
                Subject::Flag(name) => match flag(name, scope.current()) {
                    Some(f) => (f.at, Some(f.value)),
                    None => (flag_home(scope.current()), None),
                },
            },
            Condition::All(conds) | Condition::Any(conds) => {
                conds.first().map_or((scope.root, None), |c| c.locate(scope))
            }
            Condition::Not(inner) | Condition::Versioned(_, inner) => inner.locate(scope),
            Condition::Named(n) => n.condition.locate(scope),
            Condition::Some(q) => (q.path.nearest(scope.start(&q.path), scope), None),
            Condition::Lookup(l) => {
                let (at, name) = l.target(scope);
                (at, name)
            }
            Condition::Rbac(_) => (scope.current().node, None),
        }
    }
}

impl Quantifier {
    fn eval<'a>(&self, scope: &Scope<'a, '_>) -> Option<Hit<'a>> {
        if scope.budget.spent() {
            return None;
        }
        let limit = self
            .before
            .map(|depth| scope.items.get(depth).map_or(0, |i| i.node.span.start));
        let mut items = scope.items.to_vec();
        let mut found = None;
        self.path.any(scope.start(&self.path), scope, &mut |n| {
            // Each candidate was paid for by the wildcard step that reached it.
            if n.is_null() || limit.is_some_and(|l| n.span.start >= l) {
                return false;
            }
            items.push(Item::node(n));
            let inner = Scope {
                items: &items,
                ..*scope
            };
            found = self.inner.eval(&inner);
            items.pop();
            found.is_some()
        });
        found
    }
}

impl Lookup {
    /// The node naming the object (or, when the name is the default, the nearest parent of
    /// the first name path) and the name.
    fn target<'a>(&self, scope: &Scope<'a, '_>) -> (&'a Node, Option<String>) {
        for p in &self.name {
            let found = p.first(scope.start(p), scope);
            if let Some((n, s)) = found.and_then(|n| n.as_str().filter(|s| !s.is_empty()).map(|s| (n, s))) {
                return (n, Some(s.to_owned()));
            }
        }
        let at = self
            .name
            .first()
            .map_or(scope.root, |p| p.nearest(scope.start(p), scope));
        (at, self.default_name.clone())
    }

    /// The namespace the object is looked up in.
    fn namespace(&self, scope: &Scope<'_, '_>) -> Option<String> {
        let own = || {
            scope
                .object
                .get_path(&["metadata", "namespace"])
                .and_then(Node::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        match &self.namespace {
            Some(p) => p
                .first(scope.start(p), scope)
                .and_then(Node::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .or_else(own),
            None => own(),
        }
    }

    /// A hit points at the name in the current object, never into the other object (which
    /// may be in another file).
    fn eval<'a>(&self, scope: &Scope<'a, '_>) -> Option<Hit<'a>> {
        if !scope.budget.spend() {
            return None;
        }
        let (at, name) = self.target(scope);
        let name = name?;
        let namespace = self.namespace(scope);
        let found = scope.related.find(&self.kind, namespace.as_deref(), &name)?;
        if let Some(inner) = &self.inner {
            let mut items = scope.items.to_vec();
            items.push(Item::node(found));
            let bound = Scope {
                items: &items,
                ..*scope
            };
            inner.eval(&bound)?;
        }
        Some(Hit { at, value: Some(name) })
    }
}

fn effective<'a>(paths: &[Path], scope: &Scope<'a, '_>) -> Option<&'a Node> {
    paths
        .iter()
        .find_map(|p| p.first(scope.start(p), scope).filter(|n| !n.is_null()))
}

fn test<'a>(subject: &Subject, ops: &[Op], scope: &Scope<'a, '_>) -> Option<Hit<'a>> {
    let wants_absent = ops.iter().any(|op| matches!(op, Op::Present(false)));
    let hit = |n: &'a Node| ops.iter().all(|op| apply(op, n, None, scope));
    let found: Option<&'a Node> = match subject {
        Subject::Path(p) => {
            let mut found = None;
            p.any(scope.start(p), scope, &mut |n| {
                let ok = !n.is_null() && (wants_absent || hit(n));
                if ok {
                    found = Some(n);
                }
                ok
            });
            found
        }
        Subject::Effective(paths) => effective(paths, scope).filter(|n| wants_absent || hit(n)),
        Subject::Keys(p) => {
            let mut found = None;
            p.any(scope.start(p), scope, &mut |map| {
                // A key whose value is null is as good as absent, as Kubernetes reads it.
                // Each key tested spends the budget.
                let key = map.as_map().filter(|e| scope.budget.spend_many(e.len())).and_then(|e| {
                    e.iter()
                        .filter(|(_, v)| !v.is_null())
                        .map(|(k, _)| k)
                        .find(|k| wants_absent || hit(k))
                });
                found = key;
                key.is_some()
            });
            found
        }
        // Each decoded value is tested; a finding points at the URI and names the value.
        Subject::Query(p, name) => {
            let mut found: Option<(&'a Node, String)> = None;
            let mut any = false;
            p.any(scope.start(p), scope, &mut |uri| {
                let values = uri
                    .as_str()
                    .map(|u| super::audit::query_values(u, name))
                    .unwrap_or_default();
                for v in values {
                    if !scope.budget.spend() {
                        return true;
                    }
                    any = true;
                    let value = Node::new(Value::Str(v.clone()), uri.span);
                    if !wants_absent && ops.iter().all(|op| apply(op, &value, None, scope)) {
                        found = Some((uri, v));
                        return true;
                    }
                }
                false
            });
            if wants_absent {
                return (!any && !scope.budget.spent()).then(|| Hit {
                    at: p.nearest(scope.start(p), scope),
                    value: None,
                });
            }
            return found.map(|(at, v)| Hit { at, value: Some(v) });
        }
        // A parameter: the test holds or not; a finding points at the current item.
        Subject::Value(v) => {
            let holds = if wants_absent {
                v.is_null()
            } else {
                ops.iter().all(|op| apply(op, v, None, scope))
            };
            return holds.then(|| Hit {
                at: scope.current().node,
                value: Some(v.display()),
            });
        }
        Subject::Flag(name) => {
            // Reading the flags goes through every argument: each spends the budget.
            let item = scope.current().node;
            let args: usize = ["command", "args"]
                .iter()
                .map(|k| item.get(k).and_then(Node::as_seq).map_or(0, <[Node]>::len))
                .sum();
            if !scope.budget.spend_many(args) {
                return None;
            }
            let f = flag(name, scope.current());
            return match (f, wants_absent) {
                (None, true) => Some(Hit {
                    at: flag_home(scope.current()),
                    value: None,
                }),
                (Some(_), true) | (None, false) => None,
                (Some(f), false) => {
                    let value = Node::new(Value::Str(f.value.clone()), f.at.span);
                    ops.iter()
                        .all(|op| apply(op, &value, Some(&f.items), scope))
                        .then_some(Hit {
                            at: f.at,
                            value: Some(f.value),
                        })
                }
            };
        }
    };
    match (found, wants_absent) {
        (Some(_), true) => None,
        (None, true) => {
            let (at, _) = Condition::Test {
                subject: subject.clone(),
                ops: Vec::new(),
            }
            .locate(scope);
            Some(Hit { at, value: None })
        }
        (Some(n), false) => Some(Hit {
            at: narrow(ops, n),
            value: Some(n.display()),
        }),
        (None, false) => None,
    }
}

/// For `contains` on a list, point at the matching element rather than the list.
fn narrow<'a>(ops: &[Op], node: &'a Node) -> &'a Node {
    for op in ops {
        if let (Op::Contains(x), Some(items)) = (op, node.as_seq()) {
            if let Some(item) = items.iter().find(|i| i.same_value(x)) {
                return item;
            }
        }
    }
    node
}

fn apply(op: &Op, node: &Node, flag_items: Option<&[String]>, scope: &Scope<'_, '_>) -> bool {
    // A flag's value is text: `--anonymous-auth=false` equals `false` written either way.
    let same = |x: &Node| node.same_value(x) || (flag_items.is_some() && node.as_str() == Some(&x.display()));
    match op {
        Op::Present(p) => *p,
        Op::Equals(x) => same(x),
        Op::In(list) => list.iter().any(same),
        Op::NotIn(list) => !list.iter().any(same),
        // Comparing with every element of a list spends one comparison per element.
        Op::Contains(x) => scope.budget.spend_many(elements(node)) && contains(node, x, flag_items),
        Op::Excludes(x) => scope.budget.spend_many(elements(node)) && !contains(node, x, flag_items),
        Op::Matches(re) => text(node).is_some_and(|t| re.is_match(&t)),
        Op::Prefix(ps) => node
            .as_str()
            .is_some_and(|s| ps.iter().any(|p| s.starts_with(p.as_str()))),
        Op::Suffix(ps) => node
            .as_str()
            .is_some_and(|s| ps.iter().any(|p| s.ends_with(p.as_str()))),
        Op::Compare(ord, limit) => number(node).is_some_and(|n| match ord {
            Ordering::Gt => n > *limit,
            Ordering::Gte => n >= *limit,
            Ordering::Lt => n < *limit,
            Ordering::Lte => n <= *limit,
        }),
        // Once the budget is spent, neither holds: the policy is reported as stopped anyway.
        Op::InPath(p) => {
            !scope.budget.spent()
                && p.any(scope.start(p), scope, &mut |other| {
                    scope.budget.spend() && node.same_value(other)
                })
        }
        Op::NotInPath(p) => {
            let mut spent = scope.budget.spent();
            let found = spent
                || p.any(scope.start(p), scope, &mut |other| {
                    spent = !scope.budget.spend();
                    spent || node.same_value(other)
                });
            !found && !spent
        }
        Op::Duration(ord, limit) => node.as_str().and_then(go_duration).is_some_and(|d| match ord {
            Ordering::Gt => d > *limit,
            Ordering::Gte => d >= *limit,
            Ordering::Lt => d < *limit,
            Ordering::Lte => d <= *limit,
        }),
        Op::Type(t) => node.type_name() == t || (t == "integer" && matches!(node.value, Value::Int(_))),
        Op::CertificateOrganization(wanted) => node
            .as_str()
            .is_some_and(|s| super::certificate::organizations(s).iter().any(|o| wanted.contains(o))),
        Op::TagVersion(range) => node
            .as_str()
            .is_some_and(|image| range.contains(image_version(image).unwrap_or(scope.version))),
        Op::IpClass(classes) => node
            .as_str()
            .and_then(super::audit::ip_class)
            .is_some_and(|c| classes.iter().any(|w| w == c)),
    }
}

/// How many values `contains` compares with in `node`.
fn elements(node: &Node) -> usize {
    node.as_seq().map_or(1, <[Node]>::len)
}

/// The Kubernetes version an image's tag names: `registry.k8s.io/kube-apiserver:v1.23.4`
/// (a digest after the tag is left aside).
fn image_version(image: &str) -> Option<Version> {
    let name = image.rsplit('/').next().unwrap_or(image);
    let name = name.split('@').next().unwrap_or(name);
    let (_, tag) = name.rsplit_once(':')?;
    Version::parse(tag).ok()
}

fn contains(node: &Node, x: &Node, flag_items: Option<&[String]>) -> bool {
    if let Some(items) = flag_items {
        return x.as_str().is_some_and(|x| items.iter().any(|i| i == x));
    }
    match &node.value {
        Value::Seq(items) => items.iter().any(|i| i.same_value(x)),
        Value::Str(s) => x.as_str().is_some_and(|x| s.contains(x)),
        Value::Map(_) => x.as_str().is_some_and(|k| node.get(k).is_some()),
        _ => false,
    }
}

/// Scalars as text, for regexes.
fn text(node: &Node) -> Option<std::borrow::Cow<'_, str>> {
    match &node.value {
        Value::Str(s) => Some(s.as_str().into()),
        Value::Int(_) | Value::Float(_) | Value::Bool(_) => Some(node.display().into()),
        _ => None,
    }
}

/// Numbers, and strings that hold one (flag values, quoted numbers).
fn number(node: &Node) -> Option<f64> {
    node.as_f64()
        .or_else(|| node.as_str().and_then(|s| s.trim().parse().ok()))
}

/// Reads a duration as Go's `time.ParseDuration` does (what `metav1.Duration` fields of
/// component configurations hold): an optional sign, then numbers with an optional fraction,
/// each followed by a unit (`ns`, `us`, `µs`, `μs`, `ms`, `s`, `m`, `h`); `0` alone is zero.
/// The result is in nanoseconds; `None` for anything Go would refuse.
pub fn go_duration(text: &str) -> Option<i128> {
    let (negative, mut rest) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if rest == "0" {
        return Some(0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total: f64 = 0.0;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number = rest.get(..digits)?;
        if number.is_empty() || number == "." || number.matches('.').count() > 1 {
            return None;
        }
        let value: f64 = number.parse().ok()?;
        rest = rest.get(digits..)?;
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match rest.get(..unit_len)? {
            "ns" => 1.0,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        rest = rest.get(unit_len..)?;
        total += value * scale;
    }
    // Go refuses durations beyond about 292 years.
    if !total.is_finite() || total > 9.3e18 {
        return None;
    }
    let nanos = total.round() as i128;
    Some(if negative { -nanos } else { nanos })
}

struct Flag<'a> {
    value: String,
    items: Vec<String>,
    at: &'a Node,
}

/// Where a missing flag would go: the item's `args`, else its `command`, else the item.
fn flag_home<'a>(item: Item<'a>) -> &'a Node {
    item.node
        .get("args")
        .or_else(|| item.node.get("command"))
        .unwrap_or(item.node)
}

/// Reads `--name=value`, `--name value` and bare `--name` (true) from `command` then `args`;
/// the last occurrence gives the value, every occurrence adds its comma-separated items.
/// An argument holding spaces (`sh -c "kube-apiserver --a=b"`) is split into words.
fn flag<'a>(name: &str, item: Item<'a>) -> Option<Flag<'a>> {
    let mut words: Vec<(&str, &'a Node)> = Vec::new();
    for key in ["command", "args"] {
        for arg in item.node.get(key).and_then(Node::as_seq).unwrap_or_default() {
            if let Some(s) = arg.as_str() {
                // A shell script's line continuations (`\`) are not words of the command.
                words.extend(s.split_whitespace().filter(|w| *w != "\\").map(|w| (w, arg)));
            }
        }
    }
    let mut out: Option<Flag<'a>> = None;
    let mut iter = words.iter().peekable();
    while let Some(&(word, at)) = iter.next() {
        let (value, at) = if word == name {
            match iter.peek() {
                Some(&&(next, next_at)) if !next.starts_with('-') => {
                    iter.next();
                    (next, next_at)
                }
                _ => ("true", at),
            }
        } else if let Some(v) = word.strip_prefix(name).and_then(|r| r.strip_prefix('=')) {
            (v, at)
        } else {
            continue;
        };
        let value = value.trim_matches(['"', '\'']);
        let mut items = out.map(|f| f.items).unwrap_or_default();
        items.extend(
            value
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
        );
        out = Some(Flag {
            value: value.to_owned(),
            items,
            at,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::go_duration;

    #[test]
    fn reads_durations_as_go_does() {
        let h = 3_600_000_000_000_i128;
        assert_eq!(go_duration("0"), Some(0));
        assert_eq!(go_duration("0s"), Some(0));
        assert_eq!(go_duration("0h0m0s"), Some(0));
        assert_eq!(go_duration("4h0m0s"), Some(4 * h));
        assert_eq!(go_duration("240m"), Some(4 * h));
        assert_eq!(go_duration("1.5h"), Some(3 * h / 2));
        assert_eq!(go_duration(".5s"), Some(500_000_000));
        assert_eq!(go_duration("1µs"), Some(1000));
        assert_eq!(go_duration("-5m"), Some(-300_000_000_000));
        assert_eq!(go_duration("+2ns"), Some(2));
        for bad in ["", "5", "5x", "h", "1..5s", " 5m", "5m ", "-", "99999999999h"] {
            assert_eq!(go_duration(bad), None, "{bad}");
        }
    }
}
