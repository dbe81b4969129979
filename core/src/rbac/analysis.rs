//! Answers over a set of documents: `can-i`, `who-can` and the effective rules of a user,
//! each grant with the places of its binding, role and rule.

use serde::Serialize;

use super::rules::{Request, Rule};
use super::users::User;
use super::{wants, Authorizer, Grant, Problem, Scope};
use crate::document::{Limits, Source};
use crate::objects::{ObjectSet, SetObject};

/// An object a grant goes through: kind, namespace, name and where it is written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ObjectRef {
    /// `RoleBinding`, `ClusterRoleBinding`, `Role` or `ClusterRole`.
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The namespace of a namespaced object.
    pub namespace: Option<String>,
    /// `metadata.name`.
    pub name: String,
    /// The file it is written in (`builtin:…` for a default ClusterRole).
    pub file: String,
    /// 1-based line of the object.
    pub line: usize,
    /// 1-based column of the object.
    pub column: usize,
    /// RFC 6901 pointer of the object in its document.
    pub path: String,
}

/// One binding + role + rule that grants a request; `rule` is the rule's index in the
/// `rules` of the role that writes it — the bound role itself, or, for an aggregated
/// ClusterRole, the role named by `from`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GrantRef {
    /// The binding that grants it.
    pub binding: ObjectRef,
    /// The role the binding names.
    pub role: ObjectRef,
    /// The rule's index in the `rules` of the role that writes it.
    pub rule: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The role that writes the rule, when the bound role aggregates it.
    pub from: Option<ObjectRef>,
}

/// The answer to `can-i`: allowed, and every grant that allows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CanI {
    /// True when some grant allows the request.
    pub allowed: bool,
    /// Every grant that allows it.
    pub grants: Vec<GrantRef>,
}

/// One subject that may make a request, with the grants that allow it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SubjectGrants {
    /// `User`, `Group` or `ServiceAccount`.
    pub kind: String,
    /// The subject's name.
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The ServiceAccount's namespace.
    pub namespace: Option<String>,
    /// The grants that allow it.
    pub via: Vec<GrantRef>,
}

/// The answer to `who-can`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WhoCan {
    /// Every subject that may make the request, in the order first bound.
    pub subjects: Vec<SubjectGrants>,
}

/// One rule a user holds, with where it comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EffectiveRule {
    #[serde(flatten)]
    /// The rule.
    pub rule: Rule,
    #[serde(flatten)]
    /// Where it comes from.
    pub grant: GrantRef,
}

/// The RBAC objects of a set of documents and the authorizer over them.
#[derive(Debug)]
pub struct Analysis {
    /// The RBAC objects read (and ServiceAccounts).
    pub set: ObjectSet,
    /// The authorizer over them.
    pub authorizer: Authorizer,
}

impl Analysis {
    /// The limits an analysis reads with: a `List` document (a cluster dump) may be as large as
    /// a whole input (`maxInputBytes`), not only `maxDocumentBytes`; its items are objects of
    /// their own and do not count against `maxDocuments`.
    pub fn limits(limits: &Limits) -> Limits {
        Limits {
            max_document_bytes: limits.max_document_bytes.max(limits.max_input_bytes),
            ..limits.clone()
        }
    }

    /// Reads the RBAC objects of `sources`.
    pub fn read<'s>(sources: impl IntoIterator<Item = &'s Source>, limits: &Limits) -> Analysis {
        let set = ObjectSet::read(sources, &Analysis::limits(limits), &wants());
        Analysis::of(set)
    }

    /// The analysis of an object set already read.
    pub fn of(set: ObjectSet) -> Analysis {
        let authorizer = Authorizer::new(&set);
        Analysis { set, authorizer }
    }

    /// What is wrong in the set: duplicates (the last one wins), objects Kubernetes would
    /// refuse, and notes (roles without rules, aggregation cycles).
    pub fn problems(&self) -> Vec<Problem> {
        let mut out: Vec<Problem> = self
            .set
            .duplicates()
            .iter()
            .map(|d| Problem {
                place: d.second.clone(),
                message: d.message(),
                error: true,
            })
            .collect();
        out.extend(self.set.unread().iter().map(|(place, message)| Problem {
            place: place.clone(),
            message: format!("{message}; the objects of this document are left out"),
            error: true,
        }));
        if let Some(place) = self.set.overflow() {
            out.push(Problem {
                place: place.clone(),
                message: format!(
                    "the set holds more than {} RBAC objects; from this one on they are left out",
                    crate::objects::MAX_SET_OBJECTS
                ),
                error: true,
            });
        }
        out.extend(self.authorizer.problems.iter().cloned());
        out
    }

    /// Whether `user` may make `request`, with every grant that allows it.
    pub fn can_i(&self, user: &User, request: &Request) -> CanI {
        let grants: Vec<GrantRef> = self
            .authorizer
            .can_i(user, request)
            .iter()
            .map(|g| self.grant(g))
            .collect();
        CanI {
            allowed: !grants.is_empty(),
            grants,
        }
    }

    /// Every subject that may make `request`.
    pub fn who_can(&self, request: &Request) -> WhoCan {
        let subjects = self
            .authorizer
            .who_can(request)
            .into_iter()
            .map(|(s, grants)| SubjectGrants {
                kind: s.kind,
                name: s.name,
                namespace: s.namespace,
                via: grants.iter().map(|g| self.grant(g)).collect(),
            })
            .collect();
        WhoCan { subjects }
    }

    /// The rules `user` holds in `namespace` (`""`: the cluster-wide ones only).
    pub fn rules(&self, user: &User, namespace: &str) -> Vec<EffectiveRule> {
        self.authorizer
            .rules_for(user, namespace)
            .iter()
            .map(|g| EffectiveRule {
                rule: (*g.rule.rule).clone(),
                grant: self.grant(g),
            })
            .collect()
    }

    /// The places of a grant.
    pub fn grant(&self, g: &Grant) -> GrantRef {
        let a = &self.authorizer;
        let binding = a.bindings.get(g.binding).map(|b| {
            let kind = match b.scope {
                Scope::Namespaced => "RoleBinding",
                Scope::Cluster => "ClusterRoleBinding",
            };
            object_ref(kind, b.namespace.clone(), &b.object)
        });
        let role_ref = |i: usize| {
            a.roles
                .get(i)
                .map(|r| object_ref(r.kind(), r.namespace.clone(), &r.object))
        };
        GrantRef {
            binding: binding.unwrap_or_else(empty_ref),
            role: role_ref(g.role).unwrap_or_else(empty_ref),
            rule: g.rule.index,
            from: (g.rule.role != g.role).then(|| role_ref(g.rule.role)).flatten(),
        }
    }
}

fn object_ref(kind: &str, namespace: Option<String>, object: &SetObject) -> ObjectRef {
    let place = object.place();
    ObjectRef {
        kind: kind.to_owned(),
        namespace,
        name: object.name().to_owned(),
        file: place.file,
        line: place.start.line,
        column: place.start.column,
        path: place.path,
    }
}

fn empty_ref() -> ObjectRef {
    ObjectRef {
        kind: String::new(),
        namespace: None,
        name: String::new(),
        file: String::new(),
        line: 0,
        column: 0,
        path: String::new(),
    }
}
