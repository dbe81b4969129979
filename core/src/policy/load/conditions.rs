//! The third grammar: conditions (`all`, `any`, `not`, `some`, `use`, `lookup`), their
//! subjects and their operators.

use regex::Regex;

use super::{Loader, LOGIC, MODIFIERS, OPS, SUBJECTS, TYPES, VERSIONS};
use crate::decode::suggest;
use crate::document::{Node, Value};
use crate::policy::condition::{Condition, Lookup, Op, Ordering, Quantifier, Subject};
use crate::policy::model::KindPattern;
use crate::policy::path::Path;

impl Loader<'_, '_> {
    pub(super) fn condition_list(&mut self, node: &Node) -> Vec<Condition> {
        match &node.value {
            Value::Seq(items) => items.iter().filter_map(|c| self.condition(c)).collect(),
            _ => self.condition(node).into_iter().collect(),
        }
    }

    /// A condition; `since`/`until` in it limit it to a range of Kubernetes versions.
    pub(crate) fn condition(&mut self, node: &Node) -> Option<Condition> {
        let known: Vec<&str> = SUBJECTS
            .iter()
            .chain(OPS)
            .chain(LOGIC)
            .chain(VERSIONS)
            .chain(MODIFIERS)
            .copied()
            .collect();
        let f = self.fields(node, "a condition", &known)?;
        if VERSIONS.iter().any(|k| f.has(k)) {
            let range = self.versions_of(&f);
            let rest: Vec<(Node, Node)> = f
                .entries
                .iter()
                .filter(|(k, _)| !VERSIONS.contains(&k.as_str().unwrap_or_default()))
                .cloned()
                .collect();
            let inner = self.condition(&Node::new(Value::Map(rest), node.span))?;
            return Some(Condition::Versioned(range, Box::new(inner)));
        }
        let logic: Vec<&str> = LOGIC.iter().copied().filter(|k| f.has(k)).collect();
        if !logic.is_empty() {
            if f.entries.len() > 1 {
                self.error(
                    node,
                    "`all`, `any`, `not`, `some`, `use` and `lookup` stand alone in a condition; nest the other tests inside them",
                );
                return None;
            }
            return match logic.first().copied() {
                Some("use") => self.named(f.get("use")?),
                Some("not") => Some(Condition::Not(Box::new(self.condition(f.get("not")?)?))),
                Some("some") => self.quantifier(f.get("some")?),
                Some("lookup") => self.lookup(f.get("lookup")?),
                Some("can") => match crate::policy::can::Can::parse(f.get("can")?) {
                    Ok(can) => Some(Condition::Rbac(Box::new(crate::policy::can::RbacCondition::Can(can)))),
                    Err(mistakes) => {
                        for (at, message) in mistakes {
                            self.error(at, message);
                        }
                        None
                    }
                },
                Some(key @ ("missingRole" | "bound")) => {
                    let v = f.get(key)?;
                    if v.display() != "true" {
                        self.error(v, format!("`{key}` takes `true`"));
                        return None;
                    }
                    Some(Condition::Rbac(Box::new(if key == "bound" {
                        crate::policy::can::RbacCondition::Bound
                    } else {
                        crate::policy::can::RbacCondition::MissingRole
                    })))
                }
                Some(key) => {
                    let list = f.get(key)?;
                    if list.as_seq().is_none_or(<[Node]>::is_empty) {
                        self.error(list, format!("`{key}` takes a non-empty list of conditions"));
                        return None;
                    }
                    let conds = self.condition_list(list);
                    Some(if key == "all" {
                        Condition::All(conds)
                    } else {
                        Condition::Any(conds)
                    })
                }
                None => None,
            };
        }
        let subjects: Vec<&str> = SUBJECTS.iter().copied().filter(|k| f.has(k)).collect();
        let subject = match subjects.as_slice() {
            [one] => {
                let n = f.get(one)?;
                match *one {
                    "path" => Subject::Path(self.path(n)?),
                    "keys" => Subject::Keys(self.path(n)?),
                    "flag" => {
                        let name = self.string(n, "`flag`")?;
                        if !name.starts_with('-') {
                            self.error(
                                n,
                                format!("flag `{name}` must be written with its dashes, like `--{name}`"),
                            );
                        }
                        Subject::Flag(name)
                    }
                    "param" => {
                        let name = self.string(n, "`param`")?;
                        let found = self.param_value(&name);
                        if found.is_none() {
                            self.error(n, format!("no parameter `{name}` is declared in `params`"));
                        }
                        Subject::Value(found?)
                    }
                    _ => Subject::Effective(self.effective(n)?),
                }
            }
            [] => {
                self.error(
                    node,
                    "a condition needs what it tests: `path`, `effective`, `keys` or `flag` (or `all`/`any`/`not`)",
                );
                return None;
            }
            _ => {
                self.error(
                    node,
                    format!(
                        "a condition tests one thing, but this one names {}",
                        subjects.join(" and ")
                    ),
                );
                return None;
            }
        };
        let subject = self.with_query(f.get("query"), subject)?;
        let mut ops = Vec::new();
        for (k, v) in f.entries {
            let key = k.as_str().unwrap_or_default();
            if OPS.contains(&key) {
                if let Some(op) = self.op(key, v) {
                    ops.push(op);
                }
            }
        }
        if ops.is_empty() {
            self.error(node, format!("a condition needs a test: one of {}", OPS.join(", ")));
            return None;
        }
        if ops.iter().any(|o| matches!(o, Op::Present(false))) && ops.len() > 1 {
            self.error(node, "`present: false` cannot be combined with tests of the value");
            return None;
        }
        Some(Condition::Test { subject, ops })
    }

    /// `use: name`: a condition of a definitions document, compiled once.
    fn named(&mut self, node: &Node) -> Option<Condition> {
        let name = self.string(node, "`use`")?;
        if let Some(c) = self.defs.conditions.get(&name) {
            // The kinds a definition looks up are the policy's to index, as if written in it.
            let mut kinds = Vec::new();
            c.condition.lookup_kinds(&mut kinds);
            for kind in kinds {
                if !self.lookups.contains(&kind) {
                    self.lookups.push(kind);
                }
            }
            return self.with_shared_params(c.clone());
        }
        if self.defs.broken.contains(&name) {
            self.error(
                node,
                format!("the definition `{name}` has a mistake (reported where it is defined)"),
            );
            return None;
        }
        let names: Vec<&str> = self.defs.conditions.keys().map(String::as_str).collect();
        let hint = suggest(&name, &names).map_or_else(
            || " (definitions are written under `define:` in a document without `id`)".to_owned(),
            |s| format!("; did you mean `{s}`?"),
        );
        self.error(node, format!("no definition `{name}`{hint}"));
        None
    }

    /// `lookup: {kind: …, name: path or paths, defaultName: …, namespace: path, as: name,
    /// where: condition}`.
    fn lookup(&mut self, node: &Node) -> Option<Condition> {
        let what = "`lookup`";
        let f = self.fields(node, what, &["kind", "name", "defaultName", "namespace", "as", "where"])?;
        let kind = self
            .required(&f, node, "kind", what)
            .and_then(|n| self.string(n, "`kind`"))
            .map(|k| KindPattern::parse(&k));
        if let (Some(k), Some(n)) = (&kind, f.get("kind")) {
            if k.kind.is_empty() || k.kind == "*" {
                self.error(n, "`lookup` needs one kind, like `core/ServiceAccount`");
            }
        }
        let name = self.required(&f, node, "name", what).and_then(|n| match &n.value {
            Value::Seq(items) if !items.is_empty() => items.iter().map(|i| self.path(i)).collect(),
            Value::Str(_) => self.path(n).map(|p| vec![p]),
            _ => {
                self.error(
                    n,
                    "`name` of `lookup` takes a path or a list of paths (the first that holds a name wins)",
                );
                None
            }
        });
        let default_name = f.get("defaultName").and_then(|n| self.string(n, "`defaultName`"));
        let namespace = f.get("namespace").and_then(|n| self.path(n));
        let inner = match f.get("where") {
            Some(w) => {
                let bound = f
                    .get("as")
                    .and_then(|n| self.string(n, "`as`"))
                    .unwrap_or_else(|| "it".into());
                self.bindings.push(bound);
                let inner = self.condition(w);
                self.bindings.pop();
                Some(inner?)
            }
            None => {
                if let Some(n) = f.get("as") {
                    self.error(n, "`as` names the found object for `where`; add a `where` or drop `as`");
                }
                None
            }
        };
        let kind = kind?;
        if !self.lookups.contains(&kind) {
            self.lookups.push(kind.clone());
        }
        Some(Condition::Lookup(Box::new(Lookup {
            kind,
            name: name?,
            default_name,
            namespace,
            inner,
        })))
    }

    /// `some: {path: …, as: name, before: binding, where: condition}`.
    fn quantifier(&mut self, node: &Node) -> Option<Condition> {
        let f = self.fields(node, "`some`", &["path", "as", "before", "where"])?;
        let path = self.required(&f, node, "path", "`some`").and_then(|n| self.path(n));
        let before = f.get("before").and_then(|n| {
            let name = self.string(n, "`before`")?;
            let depth = self.bindings.iter().rposition(|b| *b == name);
            if depth.is_none() {
                let hint = if self.bindings.is_empty() {
                    "no `each` binds a name here".to_owned()
                } else {
                    format!(
                        "the names bound here are {}",
                        self.bindings
                            .iter()
                            .map(|b| format!("`{b}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                self.error(n, format!("`before: {name}` needs a name bound by `each`; {hint}"));
            }
            depth
        });
        let name = f
            .get("as")
            .and_then(|n| self.string(n, "`as`"))
            .unwrap_or_else(|| "it".into());
        let where_ = self.required(&f, node, "where", "`some`")?;
        self.bindings.push(name);
        let inner = self.condition(where_);
        self.bindings.pop();
        Some(Condition::Some(Box::new(Quantifier {
            path: path?,
            before,
            inner: inner?,
        })))
    }

    fn effective(&mut self, node: &Node) -> Option<Vec<Path>> {
        match &node.value {
            Value::Str(s) => {
                let own = Path::parse(s, &self.bindings);
                let pod = Path::parse(&format!("$.spec.{s}"), &self.bindings);
                match (own, pod) {
                    (Ok(a), Ok(b)) => Some(vec![a, b]),
                    (Err(e), _) | (_, Err(e)) => {
                        self.error(node, e);
                        None
                    }
                }
            }
            Value::Seq(items) if !items.is_empty() => items.iter().map(|i| self.path(i)).collect(),
            _ => {
                self.error(node, "`effective` takes a container field (`securityContext.runAsNonRoot`) or a list of paths, first set wins");
                None
            }
        }
    }

    /// A literal, or `{param: name}` for a parameter's value.
    fn operand(&mut self, node: &Node) -> Option<Node> {
        if let Some([(k, v)]) = node.as_map() {
            if k.as_str() == Some("param") {
                let name = self.string(v, "`param`")?;
                let found = self.param_value(&name);
                if found.is_none() {
                    let names: Vec<&str> = self.params.iter().map(|(n, _)| n.as_str()).collect();
                    let hint = suggest(&name, &names)
                        .map(|s| format!("; did you mean `{s}`?"))
                        .unwrap_or_default();
                    self.error(v, format!("no parameter `{name}` is declared in `params`{hint}"));
                }
                return found;
            }
        }
        Some(node.clone())
    }

    fn op(&mut self, key: &str, node: &Node) -> Option<Op> {
        let value = self.operand(node)?;
        let list = |this: &mut Self| match value.as_seq() {
            Some(items) => Some(items.to_vec()),
            None => {
                this.error(node, format!("`{key}` takes a list"));
                None
            }
        };
        let text = |this: &mut Self| this.string(&value, &format!("`{key}`"));
        // One string, or a list of them (any one matches).
        // A parameter's value has no place in the file: mistakes are shown at the operand.
        let texts = |this: &mut Self| {
            let items: Vec<&Node> = value.as_seq().map_or_else(|| vec![&value], |s| s.iter().collect());
            let found: Option<Vec<String>> = items.iter().map(|i| i.as_str().map(str::to_owned)).collect();
            if found.is_none() {
                this.error(node, format!("`{key}` takes a string or a list of strings"));
            }
            found
        };
        let number = |this: &mut Self| match value.as_f64() {
            Some(n) => Some(n),
            None => {
                this.error(node, format!("`{key}` takes a number"));
                None
            }
        };
        Some(match key {
            "present" => match value.value {
                Value::Bool(b) => Op::Present(b),
                _ => {
                    self.error(node, "`present` takes true or false");
                    return None;
                }
            },
            "equals" => Op::Equals(value),
            "in" => Op::In(list(self)?),
            "notIn" => Op::NotIn(list(self)?),
            "contains" => Op::Contains(value),
            "excludes" => Op::Excludes(value),
            "matches" => {
                // A list of patterns matches when any of them does.
                let patterns = texts(self)?;
                let pattern = match patterns.as_slice() {
                    [one] => one.clone(),
                    many => many.iter().map(|p| format!("(?:{p})")).collect::<Vec<_>>().join("|"),
                };
                match Regex::new(&pattern) {
                    Ok(re) => Op::Matches(re),
                    Err(e) => {
                        let first = e.to_string().lines().last().unwrap_or_default().trim().to_owned();
                        self.error(node, format!("`{pattern}` is not a valid regular expression: {first}"));
                        return None;
                    }
                }
            }
            "inPath" => Op::InPath(self.path(node)?),
            "notInPath" => Op::NotInPath(self.path(node)?),
            "prefix" => Op::Prefix(texts(self)?),
            "certificateOrganization" => Op::CertificateOrganization(texts(self)?),
            "suffix" => Op::Suffix(texts(self)?),
            "ipClass" => {
                let classes = texts(self)?;
                self.ip_class(node, classes)?
            }
            "gt" => Op::Compare(Ordering::Gt, number(self)?),
            "gte" => Op::Compare(Ordering::Gte, number(self)?),
            "lt" => Op::Compare(Ordering::Lt, number(self)?),
            "lte" => Op::Compare(Ordering::Lte, number(self)?),
            "longerThan" | "shorterThan" => {
                let Some(limit) = value.as_str().and_then(crate::policy::condition::go_duration) else {
                    self.error(
                        node,
                        format!("`{key}` takes a duration like `4h`, `30m` or `1h30m` (Go's duration syntax)"),
                    );
                    return None;
                };
                let ord = if key == "longerThan" {
                    Ordering::Gt
                } else {
                    Ordering::Lt
                };
                Op::Duration(ord, limit)
            }
            "tagVersion" => {
                let f = self.fields(node, "`tagVersion`", VERSIONS)?;
                let range = self.versions_of(&f);
                if range.since.is_none() && range.until.is_none() {
                    self.error(node, "`tagVersion` takes `since` and/or `until`, like `{until: v1.24}`");
                    return None;
                }
                Op::TagVersion(range)
            }
            _ => {
                let t = text(self)?;
                if !TYPES.contains(&t.as_str()) {
                    self.error(node, format!("type `{t}` is not one of {}", TYPES.join(", ")));
                    return None;
                }
                Op::Type(t)
            }
        })
    }
}
