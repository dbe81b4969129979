//! Conditions over RBAC effective permissions: `can`, `missingRole` and `bound`.
//!
//! They are evaluated against the RBAC index of the scan (`Related::rbac`), for the subject at
//! hand:
//! - in a RoleBinding or ClusterRoleBinding, with the current item a subject entry
//!   (`each: subjects[*]`): what this binding grants that subject;
//! - in any other object that runs pods: what the pod's ServiceAccount holds
//!   (`spec.serviceAccountName`, else `default`, in the object's namespace), through every
//!   binding of the scan.

use std::sync::Arc;

use super::condition::{Hit, Scope as Env};
use crate::document::Node;
use crate::objects::Place;
use crate::rbac::{self, Authorizer, Request, Rule, RuleAt, Scope, User};

/// Where a grant must hold for `can` to count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Within {
    /// Anywhere.
    Any,
    /// Cluster-wide (a ClusterRoleBinding).
    Cluster,
    /// Cluster-wide, or in a namespace that is not the subject's own (a ServiceAccount owns
    /// its namespace; users and groups own none).
    Foreign,
    /// Cluster-wide, or in this namespace.
    Namespace(String),
}

/// `can: {verbs, resources, apiGroups, nonResourceURLs, scope, beyondDiscovery}`.
#[derive(Clone, Debug)]
pub struct Can {
    pub verbs: Vec<String>,
    /// `resource` or `resource/subresource`.
    pub resources: Vec<String>,
    pub api_groups: Vec<String>,
    pub urls: Vec<String>,
    pub within: Within,
    /// Holds for any rule that grants more than discovery (the URLs of `system:discovery` and
    /// `system:public-info-viewer`, and the self-reviews of `system:basic-user`).
    pub beyond_discovery: bool,
    /// The requests asked, built once (a rule's match does not depend on the namespace).
    requests: Vec<Request>,
}

/// The RBAC conditions.
#[derive(Clone, Debug)]
pub enum RbacCondition {
    Can(Can),
    /// In a binding: the role it names is neither in the scan nor a default ClusterRole.
    MissingRole,
    /// In a Role or ClusterRole: some binding of the scan grants it to a subject.
    Bound,
}

/// Reads a list of strings; `None` when the node is not one.
fn strings(node: &Node) -> Option<Vec<String>> {
    node.as_seq()?.iter().map(|n| n.as_str().map(str::to_owned)).collect()
}

impl Can {
    /// Reads `can: {…}`; mistakes with the node they are about.
    pub fn parse<'n>(node: &'n Node) -> Result<Can, Vec<(&'n Node, String)>> {
        let mut errors = Vec::new();
        let mut can = Can {
            verbs: Vec::new(),
            resources: Vec::new(),
            api_groups: vec![String::new()],
            urls: Vec::new(),
            within: Within::Any,
            beyond_discovery: false,
            requests: Vec::new(),
        };
        let Some(entries) = node.as_map() else {
            return Err(vec![(node, "`can` takes a map: `{verbs: […], resources: […], apiGroups: […], scope: cluster|foreign|any, namespace: …}`".into())]);
        };
        for (k, v) in entries {
            let key = k.as_str().unwrap_or_default();
            let list = |errors: &mut Vec<(&'n Node, String)>| {
                strings(v).unwrap_or_else(|| {
                    errors.push((v, format!("`{key}` of `can` takes a list of strings")));
                    Vec::new()
                })
            };
            match key {
                "verbs" => can.verbs = list(&mut errors),
                "resources" => can.resources = list(&mut errors),
                "apiGroups" => can.api_groups = list(&mut errors),
                "nonResourceURLs" => can.urls = list(&mut errors),
                "beyondDiscovery" => can.beyond_discovery = v.as_str() == Some("true") || v.display() == "true",
                "scope" => {
                    can.within = match v.as_str() {
                        Some("any") => Within::Any,
                        Some("cluster") => Within::Cluster,
                        Some("foreign") => Within::Foreign,
                        _ => {
                            errors.push((v, "`scope` of `can` is `any`, `cluster` or `foreign`".into()));
                            Within::Any
                        }
                    }
                }
                "namespace" => match v.as_str() {
                    Some(ns) if !ns.is_empty() => can.within = Within::Namespace(ns.to_owned()),
                    _ => errors.push((v, "`namespace` of `can` takes a namespace name".into())),
                },
                _ => errors.push((k, format!("`{key}` is not a field of `can` (verbs, resources, apiGroups, nonResourceURLs, scope, namespace, beyondDiscovery)"))),
            }
        }
        if !can.beyond_discovery && (can.verbs.is_empty() || (can.resources.is_empty() && can.urls.is_empty())) {
            errors.push((
                node,
                "`can` needs `verbs` and `resources` or `nonResourceURLs` (or `beyondDiscovery: true`)".into(),
            ));
        }
        if errors.is_empty() {
            can.requests = can.build_requests();
            Ok(can)
        } else {
            Err(errors)
        }
    }

    /// The requests this asks about.
    fn build_requests(&self) -> Vec<Request> {
        let namespace = "";
        let mut out = Vec::new();
        for verb in &self.verbs {
            for res in &self.resources {
                let (resource, sub) = res.split_once('/').unwrap_or((res, ""));
                for g in &self.api_groups {
                    out.push(Request::resource(verb, g, resource, sub, "", namespace));
                }
            }
            for url in &self.urls {
                out.push(Request::non_resource(verb, url));
            }
        }
        out
    }

    /// Whether `rule` grants what this asks.
    fn granted_by(&self, rule: &Rule) -> bool {
        if self.beyond_discovery {
            return !is_discovery(rule);
        }
        self.requests.iter().any(|r| rule.allows(r))
    }
}

/// True for a rule that grants nothing beyond what every cluster gives every user for
/// discovery: `get` on the discovery URLs, and creating self-reviews.
fn is_discovery(rule: &Rule) -> bool {
    static DISCOVERY: std::sync::OnceLock<Vec<Rule>> = std::sync::OnceLock::new();
    let discovery = DISCOVERY.get_or_init(|| {
        ["system:discovery", "system:public-info-viewer"]
            .iter()
            .filter_map(|n| rbac::defaults().get(rbac::RBAC_GROUP, "ClusterRole", None, n))
            .flat_map(|o| o.node.get("rules").and_then(Node::as_seq).unwrap_or_default().iter())
            .map(|n| Rule::read(n).0)
            .collect()
    });
    if !rule.non_resource_urls.is_empty() {
        return rule.resources.is_empty()
            && rule.verbs.iter().all(|v| v == "get" || v == "head")
            && rule.non_resource_urls.iter().all(|u| {
                discovery.iter().any(|d| {
                    d.non_resource_urls.iter().any(|du| {
                        du == u || (du.ends_with('*') && u.starts_with(du.trim_end_matches('*')) && !u.ends_with('*'))
                    })
                })
            });
    }
    let selfish = [
        "selfsubjectaccessreviews",
        "selfsubjectrulesreviews",
        "selfsubjectreviews",
    ];
    rule.verbs.iter().all(|v| v == "create")
        && !rule.resources.is_empty()
        && rule.resources.iter().all(|r| selfish.contains(&r.as_str()))
        && rule
            .api_groups
            .iter()
            .all(|g| g == "authorization.k8s.io" || g == "authentication.k8s.io")
}

/// A grant found for a condition: the binding, the subject entry, and the rule.
#[derive(Clone, Debug)]
struct Found {
    binding: usize,
    subject: usize,
    rule: RuleAt,
}

/// The binding the current object is, in the scan's index.
fn current_binding(a: &Authorizer, object: &Node) -> Option<usize> {
    let kind = object.get("kind").and_then(Node::as_str)?;
    let scope = match kind {
        "RoleBinding" => Scope::Namespaced,
        "ClusterRoleBinding" => Scope::Cluster,
        _ => return None,
    };
    let name = object.get_path(&["metadata", "name"]).and_then(Node::as_str)?;
    let ns = object
        .get_path(&["metadata", "namespace"])
        .and_then(Node::as_str)
        .filter(|n| !n.is_empty());
    a.binding_index(scope, ns, name)
}

impl RbacCondition {
    pub fn eval<'a>(&self, env: &Env<'a, '_>) -> Option<Hit<'a>> {
        if !env.budget.spend() {
            return None;
        }
        let a = env.related.rbac()?;
        match self {
            RbacCondition::Can(can) => {
                let (at, found, who) = self.grants(can, a, env)?;
                let first = found.first()?;
                Some(Hit {
                    at,
                    value: Some(chain(a, &who, first)),
                })
            }
            RbacCondition::MissingRole => {
                let b = a.bindings.get(current_binding(a, env.object)?)?;
                let (kind, name) = a.missing_role(b)?;
                let at = env.object.get_path(&["roleRef", "name"]).unwrap_or(env.object);
                Some(Hit {
                    at,
                    value: Some(format!("{kind} `{name}`")),
                })
            }
            RbacCondition::Bound => {
                let i = a.role_index_of(env.object)?;
                let bound = a
                    .bindings_of_role(i)
                    .iter()
                    .any(|b| a.bindings.get(*b).is_some_and(|b| !b.subjects.is_empty()));
                bound.then_some(Hit {
                    at: env.object,
                    value: None,
                })
            }
        }
    }

    /// Where the finding points, the grants, and who holds them.
    fn grants<'a>(&self, can: &Can, a: &Authorizer, env: &Env<'a, '_>) -> Option<(&'a Node, Vec<Found>, String)> {
        let current = env.current().node;
        if let Some(b) = current_binding(a, env.object) {
            // A subject entry of this binding.
            let subjects = env.object.get("subjects").and_then(Node::as_seq)?;
            let index = subjects.iter().position(|s| std::ptr::eq(s, current))?;
            let binding = a.bindings.get(b)?;
            let (_, subject) = binding.subjects.iter().find(|(i, _)| *i == index)?;
            let own = (subject.kind == "ServiceAccount")
                .then(|| subject.namespace.clone())
                .flatten();
            let found = binding_grants(a, b, index, own.as_deref(), can);
            if found.is_empty() {
                return None;
            }
            return Some((
                current,
                found,
                subject_text(&subject.kind, &subject.name, subject.namespace.as_deref()),
            ));
        }
        // A workload: its ServiceAccount.
        let spec = env.root.get("spec")?;
        let named = ["serviceAccountName", "serviceAccount"]
            .iter()
            .find_map(|k| spec.get(k).filter(|n| n.as_str().is_some_and(|s| !s.is_empty())));
        let name = named.and_then(Node::as_str).unwrap_or("default");
        let ns = env
            .object
            .get_path(&["metadata", "namespace"])
            .and_then(Node::as_str)
            .filter(|n| !n.is_empty())
            .unwrap_or("default");
        let user = User::service_account(ns, name);
        let mut found = Vec::new();
        for (b, s) in a.bindings_of(&user) {
            found.extend(binding_grants(a, b, s, Some(ns), can));
        }
        if found.is_empty() {
            return None;
        }
        let at = named.unwrap_or(spec);
        Some((at, found, subject_text("ServiceAccount", name, Some(ns))))
    }

    /// The places that explain a hit: the rule that grants it and, for a workload, the
    /// binding's subject entry.
    pub fn chain<'a>(&self, env: &Env<'a, '_>) -> Vec<(Place, String)> {
        let RbacCondition::Can(can) = self else {
            return Vec::new();
        };
        let Some(a) = env.related.rbac() else {
            return Vec::new();
        };
        let Some((_, found, _)) = self.grants(can, a, env) else {
            return Vec::new();
        };
        let Some(first) = found.first() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        if let (Some(place), Some(role)) = (a.rule_place(&first.rule), a.roles.get(first.rule.role)) {
            out.push((
                place,
                format!(
                    "rule {} of {} `{}`, which grants it",
                    first.rule.index,
                    role.kind(),
                    role.name
                ),
            ));
        }
        if current_binding(a, env.object).is_none() {
            if let (Some(place), Some(b)) = (
                a.subject_place(first.binding, first.subject),
                a.bindings.get(first.binding),
            ) {
                out.push((
                    place,
                    format!("the subject of {} `{}` that grants it", binding_kind(b.scope), b.name),
                ));
            }
        }
        out
    }
}

fn binding_kind(scope: Scope) -> &'static str {
    match scope {
        Scope::Namespaced => "RoleBinding",
        Scope::Cluster => "ClusterRoleBinding",
    }
}

/// The rules of binding `b` that grant what `can` asks, when the binding is within its scope;
/// `own` is the subject's own namespace (a ServiceAccount's).
fn binding_grants(a: &Authorizer, b: usize, subject: usize, own: Option<&str>, can: &Can) -> Vec<Found> {
    let Some(binding) = a.bindings.get(b) else {
        return Vec::new();
    };
    let ns = binding.namespace.as_deref();
    let within = match (&can.within, ns) {
        (Within::Any, _) | (_, None) => true,
        (Within::Cluster, Some(_)) => false,
        (Within::Foreign, Some(ns)) => own != Some(ns),
        (Within::Namespace(want), Some(ns)) => want == ns,
    };
    let Some(role) = binding.role.and_then(|r| a.roles.get(r)) else {
        return Vec::new();
    };
    if !within {
        return Vec::new();
    }
    role.rules
        .iter()
        .filter(|r| can.granted_by(&r.rule))
        .map(|r| Found {
            binding: b,
            subject,
            rule: r.clone(),
        })
        .collect()
}

fn subject_text(kind: &str, name: &str, namespace: Option<&str>) -> String {
    match namespace {
        Some(ns) if kind == "ServiceAccount" => format!("ServiceAccount `{ns}/{name}`"),
        _ => format!("{kind} `{name}`"),
    }
}

/// `subject ← binding ← role ← rule`, for messages.
fn chain(a: &Authorizer, who: &str, f: &Found) -> String {
    let binding = a.bindings.get(f.binding);
    let role = binding.and_then(|b| b.role).and_then(|r| a.roles.get(r));
    let mut text = who.to_owned();
    if let Some(b) = binding {
        let ns = b.namespace.as_deref().map(|n| format!("{n}/")).unwrap_or_default();
        text.push_str(&format!(" ← {} `{ns}{}`", binding_kind(b.scope), b.name));
    }
    if let Some(r) = role {
        text.push_str(&format!(" ← {} `{}`", r.kind(), r.name));
    }
    let from = a.roles.get(f.rule.role);
    match (from, role) {
        (Some(from), Some(r)) if !Arc::ptr_eq(&from.object, &r.object) => {
            text.push_str(&format!(" ← rule {} of {} `{}`", f.rule.index, from.kind(), from.name));
        }
        _ => text.push_str(&format!(" ← rule {}", f.rule.index)),
    }
    text
}
