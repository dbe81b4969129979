//! The second grammar: `rules`, each a condition to deny, and `each` (what a rule iterates:
//! list items, containers).

use super::{Loader, RULE_FIELDS};
use crate::document::{Node, Value};
use crate::policy::model::{Each, Iteration, Match, Rule};
use crate::policy::path::Path;

impl Loader<'_, '_> {
    pub(super) fn rules(&mut self, node: &Node, matcher: &Match) -> Vec<Rule> {
        let Some(items) = node.as_seq().filter(|s| !s.is_empty()) else {
            self.error(node, "`rules` must be a non-empty list");
            return Vec::new();
        };
        items.iter().filter_map(|r| self.rule(r, matcher)).collect()
    }

    fn rule(&mut self, node: &Node, matcher: &Match) -> Option<Rule> {
        let f = self.fields(node, "a rule", RULE_FIELDS)?;
        self.bindings.clear();
        let each = f.get("each").map(|n| self.each(n, matcher)).unwrap_or_default();
        let when = f.get("when").and_then(|n| self.condition(n));
        let deny = self
            .required(&f, node, "deny", "a rule")
            .and_then(|n| self.condition(n));
        let at = f.get("at").and_then(|n| self.path(n));
        let message = self
            .required(&f, node, "message", "a rule")
            .and_then(|n| self.template(n));
        let versions = f.get("versions").map(|n| self.versions(n)).unwrap_or_default();
        self.bindings.clear();
        Some(Rule {
            each,
            when,
            deny: deny?,
            at,
            message: message?,
            versions,
        })
    }

    fn each(&mut self, node: &Node, matcher: &Match) -> Vec<Each> {
        match &node.value {
            Value::Seq(items) => items.iter().filter_map(|i| self.each_one(i, matcher)).collect(),
            _ => self.each_one(node, matcher).into_iter().collect(),
        }
    }

    fn each_one(&mut self, node: &Node, matcher: &Match) -> Option<Each> {
        let (over, name) = match &node.value {
            Value::Str(s) if s == "containers" => (self.containers(node, None, matcher)?, None),
            Value::Str(_) => (Iteration::Nodes(self.path(node)?), None),
            Value::Map(_) => {
                let f = self.fields(node, "`each`", &["containers", "path", "entries", "as"])?;
                let name = f.get("as").and_then(|n| self.string(n, "`as`"));
                let over = match (f.get("containers"), f.get("path"), f.get("entries")) {
                    (Some(c), None, None) => self.containers(node, Some(c), matcher)?,
                    (None, Some(p), None) => Iteration::Nodes(self.path(p)?),
                    (None, None, Some(p)) => Iteration::Entries(self.path(p)?),
                    _ => {
                        self.error(node, "`each` takes exactly one of `containers`, `path` or `entries`");
                        return None;
                    }
                };
                (over, name)
            }
            _ => {
                self.error(
                    node,
                    "`each` must be `containers`, a path, or a map like `{path: …, as: …}`",
                );
                return None;
            }
        };
        let name = name.unwrap_or_else(|| match &over {
            Iteration::Containers { .. } => "container".into(),
            Iteration::Entries(_) => "entry".into(),
            Iteration::Nodes(p) => p
                .steps
                .iter()
                .rev()
                .find_map(|s| match s {
                    crate::policy::path::Step::Key(k) => Some(k.strip_suffix('s').unwrap_or(k).to_owned()),
                    _ => None,
                })
                .unwrap_or_else(|| "item".into()),
        });
        self.bindings.push(name.clone());
        Some(Each { over, name })
    }

    fn containers(&mut self, node: &Node, kinds: Option<&Node>, matcher: &Match) -> Option<Iteration> {
        if !matcher.pods && matcher.request != Some(crate::policy::model::RequestView::Pods) {
            self.error(
                node,
                "`each: containers` needs `match: {pods: true}` (or `requestObject: pods`)",
            );
            return None;
        }
        let Some(kinds) = kinds else {
            return Some(Iteration::Containers {
                init: true,
                regular: true,
                ephemeral: true,
            });
        };
        let (mut init, mut regular, mut ephemeral) = (false, false, false);
        for k in kinds.as_seq().unwrap_or(std::slice::from_ref(kinds)) {
            match k.as_str() {
                Some("init") => init = true,
                Some("regular") => regular = true,
                Some("ephemeral") => ephemeral = true,
                _ => self.error(k, "container kinds are `init`, `regular` and `ephemeral`"),
            }
        }
        Some(Iteration::Containers {
            init,
            regular,
            ephemeral,
        })
    }

    pub(super) fn path(&mut self, node: &Node) -> Option<Path> {
        let text = self.string(node, "a path")?;
        match Path::parse(&text, &self.bindings) {
            Ok(p) => Some(p),
            Err(e) => {
                self.error(node, e);
                None
            }
        }
    }
}
