//! Policy rules and requests, matched as the Kubernetes RBAC authorizer matches them: verbs,
//! API groups and resources with `*`; `*/subresource` and `resource/subresource`;
//! `resourceNames` (a request without a name matches no rule that lists names); non-resource
//! URLs with a trailing `*` as a prefix. Comparisons are case-sensitive and verbatim.

use crate::document::Node;

/// `*`: every verb, group, resource or URL.
pub const ALL: &str = "*";

/// One rule of a Role or ClusterRole.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    /// `verbs`, as written.
    pub verbs: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    /// `apiGroups` (`""` is the core group).
    pub api_groups: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    /// `resources` (`resource` or `resource/subresource`).
    pub resources: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    /// `resourceNames`.
    pub resource_names: Vec<String>,
    #[serde(rename = "nonResourceURLs", skip_serializing_if = "Vec::is_empty")]
    /// `nonResourceURLs`.
    pub non_resource_urls: Vec<String>,
}

impl Rule {
    /// Reads a rule; what Kubernetes would refuse (a field that is not a list of strings)
    /// comes back as problems, with the node concerned, and is left out of the rule.
    pub fn read(node: &Node) -> (Rule, Vec<(&Node, String)>) {
        let mut problems = Vec::new();
        let mut list = |key: &str| -> Vec<String> {
            let Some(value) = node.get(key).filter(|v| !v.is_null()) else {
                return Vec::new();
            };
            let Some(items) = value.as_seq() else {
                problems.push((
                    value,
                    format!("`{key}` must be a list of strings, not a {}", value.type_name()),
                ));
                return Vec::new();
            };
            items
                .iter()
                .filter_map(|i| match i.as_str() {
                    Some(s) => Some(s.to_owned()),
                    None => {
                        problems.push((
                            i,
                            format!("an item of `{key}` must be a string, not a {}", i.type_name()),
                        ));
                        None
                    }
                })
                .collect()
        };
        let rule = Rule {
            verbs: list("verbs"),
            api_groups: list("apiGroups"),
            resources: list("resources"),
            resource_names: list("resourceNames"),
            non_resource_urls: list("nonResourceURLs"),
        };
        if node.as_map().is_none() {
            problems.push((node, format!("a rule must be a map, not a {}", node.type_name())));
        }
        (rule, problems)
    }

    /// Whether this rule allows the request (the authorizer's `RuleAllows`).
    pub fn allows(&self, request: &Request) -> bool {
        if !verb_matches(self, &request.verb) {
            return false;
        }
        match &request.target {
            Target::Resource {
                group,
                resource,
                subresource,
                name,
            } => {
                api_group_matches(self, group)
                    && resource_matches_parts(self, resource, subresource)
                    && resource_name_matches(self, name)
            }
            Target::NonResource { path } => non_resource_url_matches(self, path),
        }
    }

    /// True for a rule that grants every verb on every resource of every group (or, for a
    /// non-resource rule, every URL): what `cluster-admin` holds.
    pub fn is_full_wildcard(&self) -> bool {
        let all = |v: &[String]| v.iter().any(|s| s == ALL);
        all(&self.verbs) && ((all(&self.api_groups) && all(&self.resources)) && self.resource_names.is_empty())
    }
}

/// What a request asks for, besides its verb.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A resource request: API group (`""` for the core group), resource, subresource (`""`
    /// for none) and object name (`""` for none: `list`, `create`, `watch` of a collection).
    Resource {
        /// The API group (`""` for the core group).
        group: String,
        /// The resource (plural, as the API names it).
        resource: String,
        /// The subresource (`""` for none).
        subresource: String,
        /// The object's name (`""` for none).
        name: String,
    },
    /// A non-resource request (`/healthz`, `/metrics`).
    NonResource {
        /// The URL path.
        path: String,
    },
}

/// A request to the API server, as the authorizer sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The verb (`get`, `list`, `create`, …).
    pub verb: String,
    /// `""` for a cluster-wide request (a cluster-scoped resource, every namespace, or a
    /// non-resource URL): only ClusterRoleBindings grant those.
    pub namespace: String,
    /// What is asked for.
    pub target: Target,
}

impl Request {
    /// A resource request.
    pub fn resource(verb: &str, group: &str, resource: &str, subresource: &str, name: &str, namespace: &str) -> Self {
        Request {
            verb: verb.to_owned(),
            namespace: namespace.to_owned(),
            target: Target::Resource {
                group: group.to_owned(),
                resource: resource.to_owned(),
                subresource: subresource.to_owned(),
                name: name.to_owned(),
            },
        }
    }

    /// A non-resource request (always cluster-wide).
    pub fn non_resource(verb: &str, path: &str) -> Self {
        Request {
            verb: verb.to_owned(),
            namespace: String::new(),
            target: Target::NonResource { path: path.to_owned() },
        }
    }
}

/// `*` or the verb itself.
pub fn verb_matches(rule: &Rule, verb: &str) -> bool {
    rule.verbs.iter().any(|v| v == ALL || v == verb)
}

/// `*` or the group itself (`""` is the core group).
pub fn api_group_matches(rule: &Rule, group: &str) -> bool {
    rule.api_groups.iter().any(|g| g == ALL || g == group)
}

/// `*`, the combined `resource/subresource` itself, or `*/subresource` for a request of
/// that subresource.
pub fn resource_matches(rule: &Rule, combined: &str, subresource: &str) -> bool {
    rule.resources.iter().any(|r| {
        r == ALL || r == combined || (!subresource.is_empty() && r.strip_prefix("*/").is_some_and(|s| s == subresource))
    })
}

/// [`resource_matches`] without building the combined `resource/subresource` text.
fn resource_matches_parts(rule: &Rule, resource: &str, subresource: &str) -> bool {
    rule.resources.iter().any(|r| {
        if r == ALL {
            return true;
        }
        if subresource.is_empty() {
            return r == resource;
        }
        let combined = r
            .strip_prefix(resource)
            .and_then(|rest| rest.strip_prefix('/'))
            .is_some_and(|rest| rest == subresource);
        combined || r.strip_prefix("*/").is_some_and(|s| s == subresource)
    })
}

/// No names in the rule, or the request's name among them (a request without a name only
/// matches a rule that lists the empty name).
pub fn resource_name_matches(rule: &Rule, name: &str) -> bool {
    rule.resource_names.is_empty() || rule.resource_names.iter().any(|n| n == name)
}

/// `*`, the URL itself, or a URL ending in `*` whose text before the `*`s starts the path.
pub fn non_resource_url_matches(rule: &Rule, path: &str) -> bool {
    rule.non_resource_urls
        .iter()
        .any(|u| u == ALL || u == path || (u.ends_with('*') && path.starts_with(u.trim_end_matches('*'))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(verbs: &[&str], groups: &[&str], resources: &[&str], names: &[&str], urls: &[&str]) -> Rule {
        let v = |l: &[&str]| l.iter().map(|s| (*s).to_owned()).collect();
        Rule {
            verbs: v(verbs),
            api_groups: v(groups),
            resources: v(resources),
            resource_names: v(names),
            non_resource_urls: v(urls),
        }
    }

    /// (rule, request, allowed): one row per semantic rule of the authorizer.
    #[test]
    fn rules_match_requests_as_the_authorizer_does() {
        let get_pods = Request::resource("get", "", "pods", "", "p", "ns");
        let list_pods = Request::resource("list", "", "pods", "", "", "ns");
        let exec = Request::resource("create", "", "pods", "exec", "p", "ns");
        let deploy = Request::resource("get", "apps", "deployments", "", "d", "ns");
        let scale = Request::resource("update", "apps", "deployments", "scale", "d", "ns");
        let cases: Vec<(&str, Rule, &Request, bool)> = vec![
            (
                "exact verb/group/resource",
                rule(&["get"], &[""], &["pods"], &[], &[]),
                &get_pods,
                true,
            ),
            (
                "other verb",
                rule(&["list"], &[""], &["pods"], &[], &[]),
                &get_pods,
                false,
            ),
            ("verb *", rule(&["*"], &[""], &["pods"], &[], &[]), &get_pods, true),
            (
                "group *",
                rule(&["get"], &["*"], &["deployments"], &[], &[]),
                &deploy,
                true,
            ),
            (
                "other group",
                rule(&["get"], &["extensions"], &["deployments"], &[], &[]),
                &deploy,
                false,
            ),
            (
                "core group is the empty string",
                rule(&["get"], &[""], &["deployments"], &[], &[]),
                &deploy,
                false,
            ),
            (
                "no apiGroups matches no resource",
                rule(&["get"], &[], &["pods"], &[], &[]),
                &get_pods,
                false,
            ),
            ("resource *", rule(&["get"], &[""], &["*"], &[], &[]), &get_pods, true),
            (
                "resource * covers subresources",
                rule(&["create"], &[""], &["*"], &[], &[]),
                &exec,
                true,
            ),
            (
                "resource does not cover its subresource",
                rule(&["create"], &[""], &["pods"], &[], &[]),
                &exec,
                false,
            ),
            (
                "resource/subresource",
                rule(&["create"], &[""], &["pods/exec"], &[], &[]),
                &exec,
                true,
            ),
            (
                "*/subresource",
                rule(&["update"], &["apps"], &["*/scale"], &[], &[]),
                &scale,
                true,
            ),
            (
                "*/subresource is not the resource",
                rule(&["get"], &["apps"], &["*/scale"], &[], &[]),
                &deploy,
                false,
            ),
            (
                "resource/* is no wildcard",
                rule(&["create"], &[""], &["pods/*"], &[], &[]),
                &exec,
                false,
            ),
            (
                "case-sensitive resource",
                rule(&["get"], &[""], &["Pods"], &[], &[]),
                &get_pods,
                false,
            ),
            (
                "case-sensitive verb",
                rule(&["GET"], &[""], &["pods"], &[], &[]),
                &get_pods,
                false,
            ),
            (
                "no pluralisation",
                rule(&["get"], &[""], &["pod"], &[], &[]),
                &get_pods,
                false,
            ),
            (
                "resourceNames match the name",
                rule(&["get"], &[""], &["pods"], &["p"], &[]),
                &get_pods,
                true,
            ),
            (
                "resourceNames other name",
                rule(&["get"], &[""], &["pods"], &["q"], &[]),
                &get_pods,
                false,
            ),
            (
                "resourceNames never match a list",
                rule(&["list"], &[""], &["pods"], &["p"], &[]),
                &list_pods,
                false,
            ),
            (
                "resourceNames * is a name, not a wildcard",
                rule(&["get"], &[""], &["pods"], &["*"], &[]),
                &get_pods,
                false,
            ),
            (
                "non-resource rule grants no resource",
                rule(&["get"], &[], &[], &[], &["*"]),
                &get_pods,
                false,
            ),
        ];
        for (what, rule, request, allowed) in cases {
            assert_eq!(rule.allows(request), allowed, "{what}");
        }
    }

    #[test]
    fn non_resource_urls_match_verbatim_or_by_trailing_star() {
        let cases: Vec<(&[&str], &str, &str, bool)> = vec![
            (&["/healthz"], "get", "/healthz", true),
            (&["/healthz"], "get", "/healthz/etcd", false),
            (&["/healthz/*"], "get", "/healthz/etcd", true),
            (&["/healthz/*"], "get", "/healthz", false),
            (&["/healthz*"], "get", "/healthz", true),
            (&["/healthz**"], "get", "/healthzx", true),
            (&["*"], "get", "/anything", true),
            (&["/api/*"], "post", "/api/v1", false),
            (&["/Metrics"], "get", "/metrics", false),
        ];
        for (urls, verb, path, allowed) in cases {
            let r = rule(&["get"], &[], &[], &[], urls);
            assert_eq!(
                r.allows(&Request::non_resource(verb, path)),
                allowed,
                "{urls:?} {verb} {path}"
            );
        }
        // A resource rule grants no URL.
        assert!(!rule(&["*"], &["*"], &["*"], &[], &[]).allows(&Request::non_resource("get", "/healthz")));
    }

    #[test]
    fn rules_read_from_yaml_report_what_kubernetes_refuses() {
        let doc = crate::document::parse_stream(
            "verbs: [get, 1]\nresources: pods\napiGroups: ['']\n",
            &crate::document::Limits::default(),
        )
        .into_iter()
        .find_map(|d| d.result.ok())
        .unwrap();
        let (rule, problems) = Rule::read(&doc);
        assert_eq!(rule.verbs, ["get"]);
        assert!(rule.resources.is_empty());
        let messages: Vec<&str> = problems.iter().map(|(_, m)| m.as_str()).collect();
        assert_eq!(
            messages,
            [
                "an item of `verbs` must be a string, not a number",
                "`resources` must be a list of strings, not a string"
            ]
        );
    }
}
