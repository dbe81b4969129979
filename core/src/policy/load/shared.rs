//! What the language reads for audit events, kept apart from the grammars it hooks into:
//! shared parameters (declared in definitions documents and inherited by the policies that
//! read them), `match.requestObject`, `query` beside a `path` and the `ipClass` test.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{Loader, ParamOverrides};
use crate::document::{Node, Value};
use crate::policy::condition::{Condition, Named, Op, Subject};
use crate::policy::model::{Param, RequestView};

/// The parameter values the options give policy `id`: those given to its pack (`detect`,
/// `detect/*`: every policy of the pack that has the parameter), then those given to the id
/// itself, which win.
pub(super) fn overrides_for(overrides: &ParamOverrides, id: &str) -> BTreeMap<String, serde_json::Value> {
    let covers = |pattern: &str| {
        let pack = pattern.trim_end_matches(['*', '/']);
        pattern != id && (pack.is_empty() || id.strip_prefix(pack).is_some_and(|rest| rest.starts_with('/')))
    };
    let mut packs: Vec<(&String, &BTreeMap<String, serde_json::Value>)> =
        overrides.iter().filter(|(pattern, _)| covers(pattern)).collect();
    // A narrower pack (`detect/exec`) wins over a wider one (`detect`).
    packs.sort_by_key(|(pattern, _)| pattern.trim_end_matches(['*', '/']).len());
    let mut out = BTreeMap::new();
    for (_, values) in packs.into_iter().chain(overrides.get_key_value(id)) {
        out.extend(values.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    out
}

impl Loader<'_, '_> {
    /// The parameters read by the conditions compiled so far, each once.
    pub(crate) fn shared_params_read(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for name in &self.params_read {
            if !out.contains(name) {
                out.push(name.clone());
            }
        }
        out
    }

    /// A parameter's value, noting that it was read. A parameter the policy does not declare
    /// may be a shared one (`params` of a definitions document): the policy then has it as its
    /// own, with the value the options give it.
    pub(super) fn param_value(&mut self, name: &str) -> Option<Node> {
        let found = match self.params.iter().find(|(p, _)| p == name) {
            Some((_, v)) => v.clone(),
            None => self.inherit(name)?,
        };
        self.params_read.push(name.to_owned());
        Some(found)
    }

    /// Makes the shared parameter `name` one of the policy's, with the options' value.
    fn inherit(&mut self, name: &str) -> Option<Node> {
        let (description, default) = self.defs.params.get(name)?;
        let value = self
            .overrides
            .get(name)
            .map_or_else(|| default.clone(), Node::from_json);
        self.params.push((name.to_owned(), value.clone()));
        self.inherited.push(Param {
            name: name.to_owned(),
            description: description.clone(),
            value: value.to_json(),
        });
        Some(value)
    }

    /// A definition used by a policy. One that reads shared parameters gives them to the
    /// policy (unless it declares them itself); when a value differs from the shared default,
    /// the definition is compiled again with the policy's values.
    pub(super) fn with_shared_params(&mut self, c: Arc<Named>) -> Option<Condition> {
        let mut changed = false;
        for name in &c.params {
            self.params_read.push(name.clone());
            let Some((_, default)) = self.defs.params.get(name) else {
                continue;
            };
            let value = match self.params.iter().find(|(p, _)| p == name) {
                Some((_, v)) => Some(v.clone()),
                None => self.inherit(name),
            };
            changed |= value.is_some_and(|v| !v.same_value(default));
        }
        let Some(origin) = c.origin.as_ref().filter(|_| changed) else {
            return Some(Condition::Named(c));
        };
        let (source, node) = (&origin.0, &origin.1);
        let mut again = Loader::for_definitions(source, self.defs);
        again.params = self.params.clone();
        let compiled = again.condition(node);
        let mut errors = std::mem::take(&mut again.decoder.errors);
        let failed = !errors.is_empty();
        self.decoder.errors.append(&mut errors);
        let condition = compiled.filter(|_| !failed)?;
        Some(Condition::Named(Arc::new(Named {
            name: c.name.clone(),
            size: condition.size(),
            condition,
            params: c.params.clone(),
            origin: c.origin.clone(),
        })))
    }

    /// `match.requestObject`: `true` or `pods`.
    pub(super) fn request_view(&mut self, node: Option<&Node>) -> Option<RequestView> {
        match node.map(|n| (n, &n.value)) {
            None | Some((_, Value::Bool(false))) => None,
            Some((_, Value::Bool(true))) => Some(RequestView::Object),
            Some((_, Value::Str(s))) if s == "pods" => Some(RequestView::Pods),
            Some((n, _)) => {
                self.error(
                    n,
                    "`requestObject` is `true` (the object of an audit event's request) or `pods` (its pod)",
                );
                None
            }
        }
    }

    /// `query: name` beside `path`: the subject becomes that query parameter's values.
    pub(super) fn with_query(&mut self, query: Option<&Node>, subject: Subject) -> Option<Subject> {
        match (query, subject) {
            (None, s) => Some(s),
            (Some(q), Subject::Path(p)) => Some(Subject::Query(p, self.string(q, "`query`")?)),
            (Some(q), _) => {
                self.error(
                    q,
                    "`query` reads a query parameter of the URI a `path` selects; use it with `path`",
                );
                None
            }
        }
    }

    /// `ipClass: public` or a list of classes.
    pub(super) fn ip_class(&mut self, node: &Node, classes: Vec<String>) -> Option<Op> {
        let known = crate::policy::audit::IP_CLASSES;
        if classes.iter().all(|c| known.contains(&c.as_str())) {
            return Some(Op::IpClass(classes));
        }
        self.error(node, format!("`ipClass` takes classes among {}", known.join(", ")));
        None
    }
}
