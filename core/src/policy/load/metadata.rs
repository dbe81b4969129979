//! The first grammar of a policy file: its metadata (id, title, severity, docs, lifecycle,
//! versions, parameters) and `match` (the objects it reads).

use std::collections::BTreeMap;

use super::{Loader, ParamOverrides, POLICY_FIELDS, VERSIONS};
use crate::decode::Fields;
use crate::document::{Node, Value};
use crate::policy::define;
use crate::policy::model::{Docs, KindPattern, Level, Match, Param, Policy, Severity, Status};
use crate::policy::version::{Version, VersionRange};

impl Loader<'_, '_> {
    pub(super) fn policy(&mut self, node: &Node, overrides: &ParamOverrides) -> Option<Policy> {
        let f = self.fields(node, "a policy", POLICY_FIELDS)?;
        let errors_before = self.errors.len();
        let id = self
            .required(&f, node, "id", "a policy")
            .and_then(|n| self.string(n, "`id`"));
        if let (Some(id), Some(n)) = (&id, f.get("id")) {
            let valid = !id.is_empty()
                && id.split('/').all(|seg| {
                    !seg.is_empty()
                        && seg
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                });
            if !valid {
                self.error(n, format!("policy id `{id}` must be lowercase words joined by `-`, in `/`-separated parts (like `images/latest-tag`)"));
            }
        }
        let title = self
            .required(&f, node, "title", "a policy")
            .and_then(|n| self.string(n, "`title`"));
        let severity = self.required(&f, node, "severity", "a policy").and_then(|n| {
            let s = self.string(n, "`severity`")?;
            let found = Severity::parse(&s);
            if found.is_none() {
                self.error(
                    n,
                    format!("severity `{s}` is not one of info, low, medium, high, critical"),
                );
            }
            found
        });
        let category = f
            .get("category")
            .and_then(|n| self.string(n, "`category`"))
            .unwrap_or_default();
        let standards = match f.get("standards") {
            Some(n) => match n.to_json() {
                serde_json::Value::Object(m) => m,
                _ => {
                    self.error(n, "`standards` must be a map, like `{cis: \"5.2.1\"}`");
                    serde_json::Map::new()
                }
            },
            None => serde_json::Map::new(),
        };
        if let Some(level) = standards.get("pod-security").and_then(|p| p.get("level")) {
            if level.as_str().and_then(Level::parse).is_none() {
                if let Some(n) = f.get("standards") {
                    self.error(n, "`standards.pod-security.level` must be `baseline` or `restricted`");
                }
            }
        }
        let docs = self
            .required(&f, node, "docs", "a policy")
            .and_then(|n| self.docs(n))
            .unwrap_or_default();
        let versions = f.get("versions").map(|n| self.versions(n)).unwrap_or_default();
        let pid = id.clone().unwrap_or_default();
        let given = super::shared::overrides_for(overrides, &pid);
        let params = f
            .get("params")
            .map(|n| self.params(n, Some(&given)))
            .unwrap_or_default();
        // Parameter names that the policy does not declare are reported by the engine, which
        // knows where the options come from (`check_policy_names`).
        self.params = params
            .iter()
            .map(|p| (p.name.clone(), Node::from_json(&p.value)))
            .collect();
        self.overrides = given;
        self.inherited.clear();
        self.bindings.clear();
        self.lookups.clear();
        let matcher = self
            .required(&f, node, "match", "a policy")
            .and_then(|n| self.matcher(n))
            .unwrap_or_default();
        let unless = f.get("unless").map(|n| self.condition_list(n)).unwrap_or_default();
        let rules = self
            .required(&f, node, "rules", "a policy")
            .map(|n| self.rules(n, &matcher))
            .unwrap_or_default();
        let size = rules
            .iter()
            .flat_map(|r| r.when.iter().chain(std::iter::once(&r.deny)))
            .chain(&unless)
            .fold(0usize, |total, c| total.saturating_add(c.size()));
        if size > define::MAX_SIZE {
            self.error(
                node,
                format!(
                    "the policy holds more than {} conditions once the definitions it uses are counted",
                    define::MAX_SIZE
                ),
            );
        }
        let mut params = params;
        params.append(&mut self.inherited);
        let overrides_ids = f
            .get("overrides")
            .map(|n| self.strings(n, "`overrides`"))
            .unwrap_or_default();
        let (since, status) = self.lifecycle(&f, id.as_deref().unwrap_or_default());
        let aggregate = f.get("aggregate").and_then(|n| self.aggregate(n));
        let tests = match (f.get("tests"), self.examples) {
            (_, false) => None,
            (Some(n), true) => Some(self.tests(n)),
            (None, true) => {
                self.error(node, "a policy needs `tests` with `pass` and `fail` examples");
                None
            }
        };
        if self.errors.len() > errors_before {
            return None;
        }
        Some(Policy {
            id: id?,
            title: title?,
            severity: severity?,
            category,
            standards,
            docs,
            matcher,
            versions,
            params,
            unless,
            rules,
            overrides: overrides_ids,
            since,
            status,
            lookups: std::mem::take(&mut self.lookups),
            aggregate,
            tests,
            file: self.source.name.clone(),
            text: self.text.clone(),
            definitions: self.shared.clone(),
        })
    }

    /// `since` (the Rempart version that added the policy), `status` (`stable`, `preview`,
    /// `deprecated`) and, for a deprecated policy, its `replacement`.
    fn lifecycle(&mut self, f: &Fields<'_>, id: &str) -> (Option<String>, Status) {
        let since = f.get("since").and_then(|n| {
            let text = match &n.value {
                Value::Str(s) => s.clone(),
                _ => n.display(),
            };
            let valid = (2..=3).contains(&text.split('.').count())
                && text
                    .split('.')
                    .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
            if !valid {
                self.error(
                    n,
                    format!("`since` is the Rempart version that added the policy, like `\"0.4.0\"`, not `{text}`"),
                );
            }
            valid.then_some(text)
        });
        let replacement = f.get("replacement").and_then(|n| self.string(n, "`replacement`"));
        let status = match f.get("status").map(|n| (n, n.as_str())) {
            None | Some((_, Some("stable"))) => Status::Stable,
            Some((_, Some("preview"))) => Status::Preview,
            Some((n, Some("deprecated"))) => match &replacement {
                Some(r) if r != id => Status::Deprecated { replacement: r.clone() },
                Some(_) => {
                    self.error(n, "a deprecated policy cannot be its own `replacement`");
                    Status::Stable
                }
                None => {
                    self.error(
                        n,
                        "a deprecated policy names the policy to use instead: `replacement: pack/id`",
                    );
                    Status::Stable
                }
            },
            Some((n, _)) => {
                self.error(
                    n,
                    format!("status `{}` is not one of stable, preview, deprecated", n.display()),
                );
                Status::Stable
            }
        };
        if let (Some(n), false) = (f.get("replacement"), matches!(status, Status::Deprecated { .. })) {
            if f.get("status").and_then(Node::as_str) != Some("deprecated") || replacement.is_none() {
                self.error(n, "`replacement` goes with `status: deprecated`");
            }
        }
        (since, status)
    }

    fn docs(&mut self, node: &Node) -> Option<Docs> {
        let f = self.fields(node, "`docs`", &["why", "fix", "references"])?;
        let why = self
            .required(&f, node, "why", "`docs`")
            .and_then(|n| self.string(n, "`docs.why`"));
        let fix = self
            .required(&f, node, "fix", "`docs`")
            .and_then(|n| self.string(n, "`docs.fix`"));
        let references = f
            .get("references")
            .map(|n| self.strings(n, "`docs.references`"))
            .unwrap_or_default();
        Some(Docs {
            why: why?.trim().to_owned(),
            fix: fix?.trim().to_owned(),
            references,
        })
    }

    pub(super) fn versions(&mut self, node: &Node) -> VersionRange {
        let Some(f) = self.fields(node, "`versions`", VERSIONS) else {
            return VersionRange::default();
        };
        self.versions_of(&f)
    }

    pub(super) fn versions_of(&mut self, f: &Fields<'_>) -> VersionRange {
        let mut read = |key: &str| {
            let n = f.get(key)?;
            let text = match &n.value {
                Value::Str(s) => s.clone(),
                _ => {
                    self.error(
                        n,
                        format!("write the version as a string like `v1.25`, not `{}`", n.display()),
                    );
                    return None;
                }
            };
            match Version::parse(&text) {
                Ok(v) => Some(v),
                Err(e) => {
                    self.error(n, e);
                    None
                }
            }
        };
        VersionRange {
            since: read("since"),
            until: read("until"),
        }
    }

    fn params(&mut self, node: &Node, overrides: Option<&BTreeMap<String, serde_json::Value>>) -> Vec<Param> {
        let Some(entries) = node.as_map() else {
            self.error(
                node,
                "`params` must be a map of parameter names to `{default: …, description: …}`",
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (k, v) in entries {
            let name = k.as_str().unwrap_or_default().to_owned();
            let Some(f) = self.fields(v, "a parameter", &["default", "description"]) else {
                continue;
            };
            let Some(default) = self.required(&f, v, "default", "a parameter") else {
                continue;
            };
            let description = f
                .get("description")
                .and_then(|d| self.string(d, "`description`"))
                .unwrap_or_default();
            let value = overrides
                .and_then(|o| o.get(&name))
                .cloned()
                .unwrap_or_else(|| default.to_json());
            out.push(Param {
                name,
                description,
                value,
            });
        }
        out
    }

    fn matcher(&mut self, node: &Node) -> Option<Match> {
        let f = self.fields(
            node,
            "`match`",
            &[
                "pods",
                "kinds",
                "namespaces",
                "excludeNamespaces",
                "labels",
                "annotations",
                "requestObject",
            ],
        )?;
        let request = self.request_view(f.get("requestObject"));
        let pods = match f.get("pods").map(|n| &n.value) {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                if let Some(n) = f.get("pods") {
                    self.error(n, "`pods` must be true or false");
                }
                false
            }
        };
        let kinds = f
            .get("kinds")
            .map(|n| self.strings(n, "a kind"))
            .unwrap_or_default()
            .iter()
            .map(|k| KindPattern::parse(k))
            .collect::<Vec<_>>();
        if !pods && kinds.is_empty() {
            self.error(node, "`match` needs `pods: true` or a list of `kinds`");
        }
        let namespaces = f
            .get("namespaces")
            .map(|n| self.strings(n, "a namespace"))
            .unwrap_or_default();
        let exclude_namespaces = f
            .get("excludeNamespaces")
            .map(|n| self.strings(n, "a namespace"))
            .unwrap_or_default();
        let labels = f.get("labels").map(|n| self.selector(n)).unwrap_or_default();
        let annotations = f.get("annotations").map(|n| self.selector(n)).unwrap_or_default();
        Some(Match {
            pods,
            kinds,
            namespaces,
            exclude_namespaces,
            labels,
            annotations,
            request,
        })
    }

    /// `{key: value}` (value null = any value).
    fn selector(&mut self, node: &Node) -> Vec<(String, Option<String>)> {
        let Some(entries) = node.as_map() else {
            self.error(node, "a selector must be a map of keys to values (null for any value)");
            return Vec::new();
        };
        entries
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().unwrap_or_default().to_owned(),
                    (!v.is_null()).then(|| v.display()),
                )
            })
            .collect()
    }
}
