//! RBAC effective permissions over an [`ObjectSet`]: the Kubernetes RBAC authorizer's exact
//! semantics, in time linear in the number of roles and bindings.
//!
//! - Rules match requests as in [`rules`] (the authorizer's evaluation helpers).
//! - A ClusterRoleBinding grants its ClusterRole everywhere; a RoleBinding grants its Role, or
//!   a ClusterRole, in its own namespace only. A namespaced object that names no namespace
//!   (`kubectl apply` without `-n`) is read as in `default`.
//! - Subjects: `User` matches the user's name, `Group` one of its groups, `ServiceAccount` the
//!   user `system:serviceaccount:NS:NAME`, where NS is the subject's namespace or, when it
//!   names none, the RoleBinding's (a ClusterRoleBinding's ServiceAccount without a
//!   namespace matches no one). Any other kind matches no one.
//! - A ClusterRole with an `aggregationRule` holds the union of the rules of the ClusterRoles
//!   its selectors pick (itself left out, by name, each rule once), replacing its own, as the
//!   aggregation controller writes it; chains aggregate through (`admin` ← `edit` ← `view`).
//! - The default ClusterRoles every cluster has (`policies/rbac/default-cluster-roles.data.yaml`)
//!   stand in for the ones the set does not define, and take part in aggregation.
//! - A binding whose role is missing grants nothing.
//!
//! Indexes: bindings by user name, by group, by namespace and by role; roles by kind,
//! namespace and name, ClusterRoles by label. No question compares all pairs.

pub mod analysis;
pub mod resources;
pub mod rules;
mod users;

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

pub use analysis::{Analysis, CanI, EffectiveRule, GrantRef, ObjectRef, SubjectGrants, WhoCan};
pub use rules::{Request, Rule, Target};
pub use users::{User, ANONYMOUS, AUTHENTICATED, UNAUTHENTICATED};

use crate::document::{Limits, Node, Source};
use crate::objects::{ObjectSet, Place, SetObject, Wants};

/// The API group of RBAC objects.
pub const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// Name of the embedded default ClusterRoles, as places name it.
pub const DEFAULTS_FILE: &str = "builtin:rbac/default-cluster-roles.data.yaml";

/// The kinds an RBAC analysis reads from a scan.
pub fn wants() -> Wants {
    let mut w = Wants::default();
    for kind in ["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"] {
        w.add(Some(RBAC_GROUP), kind);
    }
    w.add(Some(""), "ServiceAccount");
    w
}

/// The default ClusterRoles, read once.
pub fn defaults() -> &'static ObjectSet {
    static DEFAULTS: OnceLock<ObjectSet> = OnceLock::new();
    DEFAULTS.get_or_init(|| {
        let text = include_str!("../../../policies/rbac/default-cluster-roles.data.yaml");
        ObjectSet::read([&Source::new(DEFAULTS_FILE, text)], &Limits::default(), &wants())
    })
}

/// `Role` or `ClusterRole`; `RoleBinding` or `ClusterRoleBinding`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// A Role or RoleBinding: one namespace.
    Namespaced,
    /// A ClusterRole or ClusterRoleBinding: cluster-wide.
    Cluster,
}

/// A role as the analysis resolved it.
#[derive(Debug)]
pub struct Role {
    /// A Role (namespaced) or a ClusterRole.
    pub scope: Scope,
    /// The namespace of a Role (`default` when it names none); `None` for a ClusterRole.
    pub namespace: Option<String>,
    /// `metadata.name`.
    pub name: String,
    /// The role as read from the set (or the default ClusterRoles).
    pub object: Arc<SetObject>,
    /// True for a default ClusterRole (not in the scanned set).
    pub builtin: bool,
    /// The rules as written in the role.
    pub own: Vec<Rule>,
    /// The rules it holds: its own, or for an aggregated ClusterRole the rules of the roles
    /// it aggregates, each with where it is written.
    pub rules: Vec<RuleAt>,
    /// Selectors of `aggregationRule.clusterRoleSelectors`, when there is one.
    aggregation: Option<Vec<Selector>>,
}

impl Role {
    /// `Role` or `ClusterRole`.
    pub fn kind(&self) -> &'static str {
        match self.scope {
            Scope::Namespaced => "Role",
            Scope::Cluster => "ClusterRole",
        }
    }
}

/// A rule and where it is written: the role that writes it (an index into
/// [`Authorizer::roles`]) and its index in that role's `rules`.
#[derive(Clone, Debug)]
pub struct RuleAt {
    /// The rule.
    pub rule: Arc<Rule>,
    /// The role that writes it (an index into [`Authorizer::roles`]).
    pub role: usize,
    /// Its index in that role's `rules`.
    pub index: usize,
}

/// One subject of a binding, as written.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct Subject {
    /// `User`, `Group` or `ServiceAccount`.
    pub kind: String,
    /// The name, as written.
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The namespace of a ServiceAccount (the RoleBinding's when the subject names none).
    pub namespace: Option<String>,
}

/// A binding as the analysis resolved it.
#[derive(Debug)]
pub struct Binding {
    /// A RoleBinding (namespaced) or a ClusterRoleBinding.
    pub scope: Scope,
    /// The namespace of a RoleBinding (`default` when it names none); `None` for a
    /// ClusterRoleBinding.
    pub namespace: Option<String>,
    /// `metadata.name`.
    pub name: String,
    /// The binding as read from the set.
    pub object: Arc<SetObject>,
    /// `roleRef.kind` and `roleRef.name`, when written.
    pub role_ref: Option<(String, String)>,
    /// The role it grants (an index into [`Authorizer::roles`]), when found.
    pub role: Option<usize>,
    /// Subjects with their index in `subjects`; the namespace of a ServiceAccount is the one
    /// it matches (defaulted to the RoleBinding's).
    pub subjects: Vec<(usize, Subject)>,
}

/// What the analysis found wrong in the set: a positioned message; `error` when Kubernetes
/// refuses the object, a note otherwise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Where the problem is.
    pub place: Place,
    /// What is wrong, and what to do.
    pub message: String,
    /// True when Kubernetes would refuse the object; a note otherwise.
    pub error: bool,
}

/// One way a request is granted: binding, subject entry, role, rule.
#[derive(Clone, Debug)]
pub struct Grant {
    /// Index into [`Authorizer::bindings`].
    pub binding: usize,
    /// Index of the matching subject in the binding's `subjects`.
    pub subject: usize,
    /// The role the binding names (index into [`Authorizer::roles`]).
    pub role: usize,
    /// The rule that allows it, with where it is written.
    pub rule: RuleAt,
}

/// A label selector as `metav1.LabelSelectorAsSelector` reads it; `None` when invalid.
#[derive(Clone, Debug)]
struct Selector {
    labels: Vec<(String, String)>,
    expressions: Vec<(String, Op, Vec<String>)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

impl Selector {
    fn matches(&self, role: &SetObject) -> bool {
        self.labels.iter().all(|(k, v)| role.label(k) == Some(v.as_str()))
            && self.expressions.iter().all(|(k, op, values)| {
                let found = role.label(k);
                match op {
                    Op::In => found.is_some_and(|f| values.iter().any(|v| v == f)),
                    Op::NotIn => found.is_none_or(|f| !values.iter().any(|v| v == f)),
                    Op::Exists => role.labels().any(|(key, _)| key == k),
                    Op::DoesNotExist => !role.labels().any(|(key, _)| key == k),
                }
            })
    }
}

/// The RBAC state of a set of objects, indexed for questions.
#[derive(Debug, Default)]
pub struct Authorizer {
    /// The roles: the set's, and the default ClusterRoles it does not define.
    pub roles: Vec<Role>,
    /// The bindings of the set.
    pub bindings: Vec<Binding>,
    /// What is wrong in the set's RBAC objects.
    pub problems: Vec<Problem>,
    /// ServiceAccounts of the set, by namespace.
    service_accounts: HashMap<String, Vec<Arc<SetObject>>>,
    role_by_key: HashMap<(Scope, Option<String>, String), usize>,
    binding_by_key: HashMap<(Scope, Option<String>, String), usize>,
    /// Bindings by the user name a subject matches (`User` and `ServiceAccount` subjects).
    by_user: HashMap<String, Vec<(usize, usize)>>,
    by_group: HashMap<String, Vec<(usize, usize)>>,
    /// Bindings by namespace (`None`: ClusterRoleBindings).
    by_namespace: HashMap<Option<String>, Vec<usize>>,
    by_role: HashMap<usize, Vec<usize>>,
}

/// A string field of a map, as written.
fn text<'n>(node: &'n Node, key: &str) -> Option<&'n str> {
    node.get(key).and_then(Node::as_str)
}

impl Authorizer {
    /// Reads the roles, bindings and ServiceAccounts of `set`, with the default ClusterRoles
    /// for those it does not define.
    pub fn new(set: &ObjectSet) -> Authorizer {
        let mut a = Authorizer::default();
        for o in set.objects() {
            match (o.group.as_str(), o.id.kind.as_str()) {
                (RBAC_GROUP, "Role") => a.add_role(o, Scope::Namespaced, false),
                (RBAC_GROUP, "ClusterRole") => a.add_role(o, Scope::Cluster, false),
                ("", "ServiceAccount") => a
                    .service_accounts
                    .entry(o.namespace().unwrap_or("default").to_owned())
                    .or_default()
                    .push(o.clone()),
                _ => {}
            }
        }
        for o in defaults().objects() {
            if !a.role_by_key.contains_key(&(Scope::Cluster, None, o.name().to_owned())) {
                a.add_role(o, Scope::Cluster, true);
            }
        }
        a.aggregate();
        for o in set.objects() {
            match (o.group.as_str(), o.id.kind.as_str()) {
                (RBAC_GROUP, "RoleBinding") => a.add_binding(o, Scope::Namespaced),
                (RBAC_GROUP, "ClusterRoleBinding") => a.add_binding(o, Scope::Cluster),
                _ => {}
            }
        }
        a
    }

    fn problem(&mut self, object: &SetObject, at: &Node, message: String, error: bool) {
        self.problems.push(Problem {
            place: object.place_of(at),
            message,
            error,
        });
    }

    fn add_role(&mut self, o: &Arc<SetObject>, scope: Scope, builtin: bool) {
        let namespace = match scope {
            Scope::Namespaced => Some(o.namespace().unwrap_or("default").to_owned()),
            Scope::Cluster => None,
        };
        let index = self.roles.len();
        let mut own = Vec::new();
        let rules_node = o.node.get("rules").filter(|r| !r.is_null());
        match rules_node.map(|r| (r, r.as_seq())) {
            Some((_, Some(items))) => {
                for item in items {
                    let (rule, problems) = Rule::read(item);
                    for (at, message) in problems {
                        self.problem(
                            o,
                            at,
                            format!(
                                "{} `{}`: {message}; Kubernetes would reject it",
                                kind_of(scope),
                                o.name()
                            ),
                            true,
                        );
                    }
                    own.push(rule);
                }
            }
            Some((r, None)) => self.problem(
                o,
                r,
                format!(
                    "`rules` must be a list, not a {}; Kubernetes would reject it",
                    r.type_name()
                ),
                true,
            ),
            None => {}
        }
        let aggregation = match scope {
            Scope::Cluster => self.read_aggregation(o),
            Scope::Namespaced => None,
        };
        if own.is_empty() && aggregation.is_none() && !builtin {
            self.problem(
                o,
                &o.node,
                format!("{} `{}` has no rules, so it grants nothing", kind_of(scope), o.name()),
                false,
            );
        }
        let rules = own
            .iter()
            .enumerate()
            .map(|(i, r)| RuleAt {
                rule: Arc::new(r.clone()),
                role: index,
                index: i,
            })
            .collect();
        self.role_by_key
            .insert((scope, namespace.clone(), o.name().to_owned()), index);
        self.roles.push(Role {
            scope,
            namespace,
            name: o.name().to_owned(),
            object: o.clone(),
            builtin,
            own,
            rules,
            aggregation,
        });
    }

    /// Reads `aggregationRule.clusterRoleSelectors`; an invalid selector is an error (the
    /// controller stops on it and leaves the role's rules as they are: `None`).
    fn read_aggregation(&mut self, o: &Arc<SetObject>) -> Option<Vec<Selector>> {
        let rule = o.node.get("aggregationRule").filter(|n| !n.is_null())?;
        let mut selectors = Vec::new();
        let items = rule
            .get("clusterRoleSelectors")
            .and_then(Node::as_seq)
            .unwrap_or_default();
        for item in items {
            let mut s = Selector {
                labels: Vec::new(),
                expressions: Vec::new(),
            };
            for (k, v) in item.get("matchLabels").and_then(Node::as_map).unwrap_or_default() {
                s.labels.push((k.display(), v.display()));
            }
            for e in item.get("matchExpressions").and_then(Node::as_seq).unwrap_or_default() {
                let key = text(e, "key").unwrap_or_default().to_owned();
                let values: Vec<String> = e
                    .get("values")
                    .and_then(Node::as_seq)
                    .unwrap_or_default()
                    .iter()
                    .map(Node::display)
                    .collect();
                let op = match text(e, "operator") {
                    Some("In") => Op::In,
                    Some("NotIn") => Op::NotIn,
                    Some("Exists") => Op::Exists,
                    Some("DoesNotExist") => Op::DoesNotExist,
                    other => {
                        let at = e.get("operator").unwrap_or(e);
                        let message = format!(
                            "ClusterRole `{}`: the selector operator `{}` is not one of `In`, `NotIn`, `Exists`, `DoesNotExist`; the aggregation controller cannot use this selector, so the role keeps the rules it has",
                            o.name(),
                            other.unwrap_or_default()
                        );
                        self.problem(o, at, message, true);
                        return None;
                    }
                };
                let needs_values = matches!(op, Op::In | Op::NotIn);
                if needs_values == values.is_empty() {
                    let message = format!(
                        "ClusterRole `{}`: the operator `{}` {}; the aggregation controller cannot use this selector, so the role keeps the rules it has",
                        o.name(),
                        text(e, "operator").unwrap_or_default(),
                        if needs_values { "needs `values`" } else { "takes no `values`" }
                    );
                    self.problem(o, e, message, true);
                    return None;
                }
                s.expressions.push((key, op, values));
            }
            selectors.push(s);
        }
        Some(selectors)
    }

    /// Fills the rules of aggregated ClusterRoles from the roles their selectors pick, through
    /// chains, as the controller settles them: each aggregated role holds the rules of the
    /// roles it picks, repeated until nothing changes (a cycle of aggregation labels is a
    /// note; its roles settle on the union of what the cycle reaches).
    fn aggregate(&mut self) {
        // ClusterRoles by label, for selectors that name a label.
        let mut by_label: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
        let mut clusters: Vec<usize> = Vec::new();
        for (i, r) in self.roles.iter().enumerate().filter(|(_, r)| r.scope == Scope::Cluster) {
            clusters.push(i);
            for (k, v) in r.object.labels() {
                by_label.entry((k, v)).or_default().push(i);
            }
        }
        // What each aggregated role picks, in the controller's order: selector by selector,
        // the roles by name, itself left out.
        let mut picks: Vec<(usize, Vec<usize>)> = Vec::new();
        for (i, role) in self.roles.iter().enumerate() {
            let Some(selectors) = &role.aggregation else {
                continue;
            };
            let mut all = Vec::new();
            for s in selectors {
                let mut picked: Vec<usize> = match s.labels.first() {
                    Some((k, v)) => by_label.get(&(k.as_str(), v.as_str())).cloned().unwrap_or_default(),
                    None => clusters.clone(),
                };
                picked.retain(|&j| {
                    self.roles
                        .get(j)
                        .is_some_and(|r| r.name != role.name && s.matches(&r.object))
                });
                picked.sort_by(|a, b| {
                    let name = |x: &usize| self.roles.get(*x).map(|r| r.name.as_str());
                    name(a).cmp(&name(b))
                });
                all.extend(picked);
            }
            picks.push((i, all));
        }
        for (i, _) in &picks {
            if let Some(r) = self.roles.get_mut(*i) {
                r.rules.clear();
            }
        }
        // Each round follows one more link of every chain; a round that changes nothing ends
        // it (at most one round per aggregated role, plus one).
        for _ in 0..=picks.len() {
            let mut changed = false;
            for (i, picked) in &picks {
                let mut seen: std::collections::HashSet<Arc<Rule>> = std::collections::HashSet::new();
                let mut rules: Vec<RuleAt> = Vec::new();
                for j in picked {
                    for r in self.roles.get(*j).map(|r| r.rules.as_slice()).unwrap_or_default() {
                        if seen.insert(r.rule.clone()) {
                            rules.push(r.clone());
                        }
                    }
                }
                if let Some(role) = self.roles.get_mut(*i) {
                    if role.rules.len() != rules.len() {
                        changed = true;
                    }
                    role.rules = rules;
                }
            }
            if !changed {
                break;
            }
        }
        self.note_cycles(&picks);
    }

    /// A note on each aggregated ClusterRole that picks itself through others.
    fn note_cycles(&mut self, picks: &[(usize, Vec<usize>)]) {
        let graph: HashMap<usize, &Vec<usize>> = picks.iter().map(|(i, p)| (*i, p)).collect();
        for (start, _) in picks {
            // Depth-first from `start` over aggregated roles; a way back to `start` is a cycle.
            let mut seen = std::collections::HashSet::new();
            let mut stack: Vec<usize> = graph.get(start).map(|p| p.to_vec()).unwrap_or_default();
            let mut cycle = false;
            while let Some(j) = stack.pop() {
                if j == *start {
                    cycle = true;
                    break;
                }
                if seen.insert(j) {
                    stack.extend(graph.get(&j).into_iter().flat_map(|p| p.iter()));
                }
            }
            if !cycle {
                continue;
            }
            let Some(role) = self.roles.get(*start) else {
                continue;
            };
            let object = role.object.clone();
            let at = object.node.get("aggregationRule").unwrap_or(&object.node);
            let message = format!(
                "ClusterRole `{}` aggregates itself through the roles it selects (a cycle of aggregation labels); the roles of the cycle all end with the union of their rules; break the cycle",
                role.name
            );
            self.problems.push(Problem {
                place: object.place_of(at),
                message,
                error: false,
            });
        }
    }

    fn add_binding(&mut self, o: &Arc<SetObject>, scope: Scope) {
        let namespace = match scope {
            Scope::Namespaced => Some(o.namespace().unwrap_or("default").to_owned()),
            Scope::Cluster => None,
        };
        let index = self.bindings.len();
        let what = format!("{} `{}`", binding_kind(scope), o.name());
        let role_ref = o.node.get("roleRef").filter(|r| !r.is_null());
        let role_ref = match role_ref {
            None => {
                self.problem(
                    o,
                    &o.node,
                    format!("{what} has no `roleRef`; Kubernetes would reject it, and it grants nothing"),
                    true,
                );
                None
            }
            Some(r) => match (text(r, "kind"), text(r, "name")) {
                (Some(k), Some(n)) if !n.is_empty() => Some((k.to_owned(), n.to_owned())),
                _ => {
                    self.problem(o, r, format!("{what}: `roleRef` needs a `kind` and a `name`; Kubernetes would reject it, and it grants nothing"), true);
                    None
                }
            },
        };
        let role = match &role_ref {
            Some((kind, name)) => match (kind.as_str(), scope) {
                ("ClusterRole", _) => self.role_by_key.get(&(Scope::Cluster, None, name.clone())).copied(),
                ("Role", Scope::Namespaced) => self
                    .role_by_key
                    .get(&(Scope::Namespaced, namespace.clone(), name.clone()))
                    .copied(),
                (k, _) => {
                    let at = o.node.get_path(&["roleRef", "kind"]).unwrap_or(&o.node);
                    let allowed = match scope {
                        Scope::Cluster => "`ClusterRole`",
                        Scope::Namespaced => "`Role` or `ClusterRole`",
                    };
                    let message = format!("{what}: `roleRef.kind` is `{k}`, but a {} can only refer to a {allowed}; Kubernetes would reject it, and it grants nothing", binding_kind(scope));
                    self.problem(o, at, message, true);
                    None
                }
            },
            None => None,
        };
        let mut subjects = Vec::new();
        let list = o.node.get("subjects").and_then(Node::as_seq).unwrap_or_default();
        for (i, s) in list.iter().enumerate() {
            let kind = text(s, "kind").unwrap_or_default();
            let name = text(s, "name").unwrap_or_default();
            let written_ns = text(s, "namespace").filter(|n| !n.is_empty());
            match kind {
                "User" | "Group" => {
                    let key = name.to_owned();
                    let map = if kind == "User" {
                        &mut self.by_user
                    } else {
                        &mut self.by_group
                    };
                    map.entry(key).or_default().push((index, i));
                    subjects.push((
                        i,
                        Subject {
                            kind: kind.to_owned(),
                            name: name.to_owned(),
                            namespace: None,
                        },
                    ));
                }
                "ServiceAccount" => {
                    let Some(ns) = written_ns.map(str::to_owned).or_else(|| namespace.clone()) else {
                        self.problem(o, s, format!("{what}: the ServiceAccount subject `{name}` names no namespace, so it matches no one (Kubernetes requires one in a ClusterRoleBinding)"), true);
                        continue;
                    };
                    self.by_user
                        .entry(format!("system:serviceaccount:{ns}:{name}"))
                        .or_default()
                        .push((index, i));
                    subjects.push((
                        i,
                        Subject {
                            kind: kind.to_owned(),
                            name: name.to_owned(),
                            namespace: Some(ns),
                        },
                    ));
                }
                other => {
                    let at = s.get("kind").unwrap_or(s);
                    self.problem(o, at, format!("{what}: the subject kind `{other}` is not `User`, `Group` or `ServiceAccount`, so it matches no one"), true);
                }
            }
        }
        if let Some(r) = role {
            self.by_role.entry(r).or_default().push(index);
        }
        self.by_namespace.entry(namespace.clone()).or_default().push(index);
        self.binding_by_key
            .insert((scope, namespace.clone(), o.name().to_owned()), index);
        self.bindings.push(Binding {
            scope,
            namespace,
            name: o.name().to_owned(),
            object: o.clone(),
            role_ref,
            role,
            subjects,
        });
    }

    /// Whether binding `b` applies to a request in `namespace` (`""`: cluster-wide).
    fn binding_applies(&self, b: &Binding, namespace: &str) -> bool {
        match &b.namespace {
            None => true,
            Some(ns) => !namespace.is_empty() && ns == namespace,
        }
    }

    /// The bindings (and subject entries) that name this user, by name or group, in binding
    /// order.
    pub fn bindings_of(&self, user: &User) -> Vec<(usize, usize)> {
        let mut found: Vec<(usize, usize)> = self.by_user.get(&user.name).cloned().unwrap_or_default();
        for g in &user.groups {
            found.extend(self.by_group.get(g).into_iter().flatten());
        }
        found.sort_unstable();
        // One entry per binding: the first subject that matches, as `appliesTo` returns.
        found.dedup_by_key(|(b, _)| *b);
        found
    }

    /// Every binding, role and rule that allows `user` the request; empty when denied.
    pub fn can_i(&self, user: &User, request: &Request) -> Vec<Grant> {
        let mut out = Vec::new();
        for (b, s) in self.bindings_of(user) {
            let Some(binding) = self.bindings.get(b) else {
                continue;
            };
            if !self.binding_applies(binding, &request.namespace) {
                continue;
            }
            self.grants_of(b, s, request, &mut out);
        }
        out
    }

    fn grants_of(&self, b: usize, subject: usize, request: &Request, out: &mut Vec<Grant>) {
        let Some(role) = self.bindings.get(b).and_then(|x| x.role) else {
            return;
        };
        for r in self.roles.get(role).map(|r| r.rules.as_slice()).unwrap_or_default() {
            if r.rule.allows(request) {
                out.push(Grant {
                    binding: b,
                    subject,
                    role,
                    rule: r.clone(),
                });
            }
        }
    }

    /// Every subject that may make the request, each with the grants that allow it; subjects
    /// in the order first bound.
    pub fn who_can(&self, request: &Request) -> Vec<(Subject, Vec<Grant>)> {
        let mut order: Vec<Subject> = Vec::new();
        let mut by: HashMap<Subject, Vec<Grant>> = HashMap::new();
        let mut candidates: Vec<usize> = self.by_namespace.get(&None).cloned().unwrap_or_default();
        if !request.namespace.is_empty() {
            candidates.extend(
                self.by_namespace
                    .get(&Some(request.namespace.clone()))
                    .into_iter()
                    .flatten(),
            );
        }
        candidates.sort_unstable();
        for b in candidates {
            let Some(binding) = self.bindings.get(b) else {
                continue;
            };
            let mut grants = Vec::new();
            self.grants_of(b, 0, request, &mut grants);
            if grants.is_empty() {
                continue;
            }
            for (i, subject) in &binding.subjects {
                let list = by.entry(subject.clone()).or_insert_with(|| {
                    order.push(subject.clone());
                    Vec::new()
                });
                list.extend(grants.iter().cloned().map(|g| Grant { subject: *i, ..g }));
            }
        }
        order
            .into_iter()
            .map(|s| {
                let grants = by.remove(&s).unwrap_or_default();
                (s, grants)
            })
            .collect()
    }

    /// The rules `user` holds in `namespace` (`""`: only cluster-wide grants), each with the
    /// binding that grants it (the authorizer's `VisitRulesFor`).
    pub fn rules_for(&self, user: &User, namespace: &str) -> Vec<Grant> {
        let mut out = Vec::new();
        for (b, s) in self.bindings_of(user) {
            let Some(binding) = self.bindings.get(b) else {
                continue;
            };
            if !self.binding_applies(binding, namespace) {
                continue;
            }
            let Some(role) = binding.role else {
                continue;
            };
            for r in self.roles.get(role).map(|r| r.rules.as_slice()).unwrap_or_default() {
                out.push(Grant {
                    binding: b,
                    subject: s,
                    role,
                    rule: r.clone(),
                });
            }
        }
        out
    }

    /// The binding of this kind, namespace (`default` when `None`, for a RoleBinding) and
    /// name.
    pub fn binding_index(&self, scope: Scope, namespace: Option<&str>, name: &str) -> Option<usize> {
        let ns = match scope {
            Scope::Namespaced => Some(namespace.unwrap_or("default").to_owned()),
            Scope::Cluster => None,
        };
        self.binding_by_key.get(&(scope, ns, name.to_owned())).copied()
    }

    /// The role `object` is (a Role or ClusterRole of the set, read by kind, namespace, name).
    pub fn role_index_of(&self, object: &Node) -> Option<usize> {
        let scope = match object.get("kind").and_then(Node::as_str)? {
            "Role" => Scope::Namespaced,
            "ClusterRole" => Scope::Cluster,
            _ => return None,
        };
        let name = object.get_path(&["metadata", "name"]).and_then(Node::as_str)?;
        let ns = match scope {
            Scope::Namespaced => Some(
                object
                    .get_path(&["metadata", "namespace"])
                    .and_then(Node::as_str)
                    .filter(|n| !n.is_empty())
                    .unwrap_or("default")
                    .to_owned(),
            ),
            Scope::Cluster => None,
        };
        self.role_by_key.get(&(scope, ns, name.to_owned())).copied()
    }

    /// The bindings that name role `index` (an index into [`Authorizer::roles`]).
    pub fn bindings_of_role(&self, index: usize) -> &[usize] {
        self.by_role.get(&index).map(Vec::as_slice).unwrap_or_default()
    }

    /// The ServiceAccounts of the set in a namespace.
    pub fn service_accounts(&self, namespace: &str) -> &[Arc<SetObject>] {
        self.service_accounts
            .get(namespace)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// The place of a rule (in the role that writes it).
    pub fn rule_place(&self, rule: &RuleAt) -> Option<Place> {
        let role = self.roles.get(rule.role)?;
        let node = role.object.node.get("rules")?.as_seq()?.get(rule.index)?;
        Some(role.object.place_of(node))
    }

    /// The place of subject `subject` of binding `binding`.
    pub fn subject_place(&self, binding: usize, subject: usize) -> Option<Place> {
        let b = self.bindings.get(binding)?;
        let node = b.object.node.get("subjects")?.as_seq()?.get(subject)?;
        Some(b.object.place_of(node))
    }

    /// The role a binding names but which is neither in the set nor a default ClusterRole.
    pub fn missing_role<'b>(&self, binding: &'b Binding) -> Option<&'b (String, String)> {
        let r = binding.role_ref.as_ref()?;
        let valid_kind = r.0 == "ClusterRole" || (r.0 == "Role" && binding.scope == Scope::Namespaced);
        (binding.role.is_none() && valid_kind).then_some(r)
    }
}

fn kind_of(scope: Scope) -> &'static str {
    match scope {
        Scope::Namespaced => "Role",
        Scope::Cluster => "ClusterRole",
    }
}

fn binding_kind(scope: Scope) -> &'static str {
    match scope {
        Scope::Namespaced => "RoleBinding",
        Scope::Cluster => "ClusterRoleBinding",
    }
}

#[cfg(test)]
mod tests;
