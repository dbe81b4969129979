//! Rule execution: a policy's `unless`, then each rule over the items its `each` binds, its
//! condition evaluated within the comparison budget.

use super::messages::render;
use super::Draft;
use crate::document::Node;
use crate::policy::{Budget, Each, Item, Iteration, Policy, Related, Rule, Scope, Version};

/// What a policy's evaluation on one object needs besides the object.
pub(super) struct Env<'b, 'a> {
    pub(super) version: Version,
    pub(super) budget: &'b Budget,
    pub(super) related: &'a Related,
}

pub(super) fn run_policy<'a>(
    index: usize,
    policy: &Policy,
    object: &'a Node,
    root: &'a Node,
    env: &Env<'_, 'a>,
    out: &mut Vec<Draft<'a>>,
) {
    let (version, budget, related) = (env.version, env.budget, env.related);
    let scope = Scope {
        object,
        root,
        items: &[],
        version,
        budget,
        related,
    };
    if policy.unless.iter().any(|c| c.eval(&scope).is_some()) {
        return;
    }
    for rule in policy.rules.iter().filter(|r| r.versions.contains(version)) {
        let mut items = Vec::new();
        let mut ctx = RuleRun {
            index,
            policy,
            rule,
            object,
            root,
            version,
            budget,
            related,
            out: &mut *out,
        };
        ctx.iterate(0, &mut items);
    }
}

struct RuleRun<'r, 'a> {
    index: usize,
    policy: &'r Policy,
    rule: &'r Rule,
    object: &'a Node,
    root: &'a Node,
    version: Version,
    budget: &'r Budget,
    related: &'a Related,
    out: &'r mut Vec<Draft<'a>>,
}

impl<'a> RuleRun<'_, 'a> {
    fn iterate(&mut self, depth: usize, items: &mut Vec<Item<'a>>) {
        if self.budget.spent() {
            return;
        }
        let Some(each) = self.rule.each.get(depth) else {
            self.leaf(items);
            return;
        };
        let found = each_items(each, &self.scope(items));
        for item in found {
            // Every item bound, at every level of nested `each`, spends the budget: nesting
            // multiplies the work, and the budget bounds the product.
            if !self.budget.spend() {
                return;
            }
            items.push(item);
            self.iterate(depth + 1, items);
            items.pop();
        }
    }

    /// The scope of the rule's conditions with these items bound.
    fn scope<'s>(&'s self, items: &'s [Item<'a>]) -> Scope<'a, 's> {
        Scope {
            object: self.object,
            root: self.root,
            items,
            version: self.version,
            budget: self.budget,
            related: self.related,
        }
    }

    fn leaf(&mut self, items: &[Item<'a>]) {
        let scope = self.scope(items);
        if let Some(when) = &self.rule.when {
            if when.eval(&scope).is_none() {
                return;
            }
        }
        let Some(hit) = self.rule.deny.eval(&scope) else {
            return;
        };
        let at = match &self.rule.at {
            Some(p) => p
                .first(scope.start(p), &scope)
                .unwrap_or_else(|| p.nearest(scope.start(p), &scope)),
            None => hit.at,
        };
        // A finding costs more than a comparison, which bounds the findings of one policy on
        // one object (and the memory they take).
        if !self.budget.spend_many(Budget::FINDING_COST) {
            return;
        }
        let message = render(&self.rule.message, &scope, hit.value.as_deref());
        let related = self.rule.deny.chain(&scope);
        self.out.push(Draft {
            policy: self.index,
            at,
            message,
            severity: self.policy.severity,
            version: self.version,
            related,
        });
    }
}

fn each_items<'a>(each: &Each, scope: &Scope<'a, '_>) -> Vec<Item<'a>> {
    let mut out = Vec::new();
    match &each.over {
        Iteration::Containers {
            init,
            regular,
            ephemeral,
        } => {
            let spec = scope.root.get("spec");
            for (on, key) in [
                (init, "initContainers"),
                (regular, "containers"),
                (ephemeral, "ephemeralContainers"),
            ] {
                if *on {
                    let list = spec.and_then(|s| s.get(key)).and_then(Node::as_seq).unwrap_or_default();
                    out.extend(list.iter().filter(|c| c.as_map().is_some()).map(Item::node));
                }
            }
        }
        Iteration::Nodes(path) => {
            path.any(scope.start(path), scope, &mut |n| {
                if !n.is_null() {
                    out.push(Item::node(n));
                }
                false
            });
        }
        Iteration::Entries(path) => {
            path.any(scope.start(path), scope, &mut |n| {
                for (k, v) in n.as_map().unwrap_or_default() {
                    out.push(Item { node: v, key: Some(k) });
                }
                false
            });
        }
    }
    out
}
