//! The fourth grammar: message templates and the inline examples (`tests`), with fixtures
//! derived from other fixtures.

use super::{Loader, FIXTURE_CHANGES};
use crate::decode::{suggest, Fields};
use crate::document::{Node, Value};
use crate::policy::define;
use crate::policy::model::{Level, Part, Template, TestCase, Tests};
use crate::policy::path::Path;
use crate::policy::version::Version;

impl Loader<'_, '_> {
    pub(super) fn template(&mut self, node: &Node) -> Option<Template> {
        let text = self.string(node, "`message`")?;
        let mut parts = Vec::new();
        let mut rest = text.as_str();
        let mut literal = String::new();
        while let Some(open) = rest.find('{') {
            literal.push_str(rest.get(..open).unwrap_or_default());
            let after = rest.get(open + 1..).unwrap_or_default();
            if let Some(r) = after.strip_prefix('{') {
                literal.push('{');
                rest = r;
                continue;
            }
            let Some(close) = after.find('}') else {
                self.error(node, "`{` without `}` in the message; write `{{` for a brace");
                return None;
            };
            let inner = after.get(..close).unwrap_or_default().trim();
            if !literal.is_empty() {
                parts.push(Part::Text(std::mem::take(&mut literal)));
            }
            if inner == "value" {
                parts.push(Part::Value);
            } else if let Some(param) = inner.strip_prefix("params.") {
                match self.params.iter().find(|(n, _)| n == param) {
                    Some((_, v)) => parts.push(Part::Text(v.display())),
                    None => self.error(
                        node,
                        format!("the message names `{{{inner}}}`, but no parameter `{param}` is declared"),
                    ),
                }
            } else {
                match Path::parse(inner, &self.bindings) {
                    Ok(p) => parts.push(Part::Path(p)),
                    Err(e) => self.error(node, e),
                }
            }
            rest = after.get(close + 1..).unwrap_or_default();
        }
        literal.push_str(&rest.replace("}}", "}"));
        if !literal.is_empty() {
            parts.push(Part::Text(literal));
        }
        Some(Template { parts })
    }

    pub(super) fn tests(&mut self, node: &Node) -> Tests {
        let Some(f) = self.fields(node, "`tests`", &["pass", "fail"]) else {
            return Tests::default();
        };
        let mut read = |key: &str| -> Vec<TestCase> {
            let Some(list) = f.get(key).and_then(|n| n.as_seq()).filter(|s| !s.is_empty()) else {
                self.error(node, format!("`tests.{key}` needs at least one example object"));
                return Vec::new();
            };
            list.iter().filter_map(|case| self.test_case(case)).collect()
        };
        let pass = read("pass");
        let fail = read("fail");
        Tests { pass, fail }
    }

    fn test_case(&mut self, node: &Node) -> Option<TestCase> {
        if node.get("kind").is_some() {
            return Some(TestCase {
                object: node.clone(),
                documents: Vec::new(),
                document: None,
                version: None,
                level: None,
                path: None,
                params: None,
                repeat: None,
            });
        }
        let f = self.fields(
            node,
            "a test case (an object with `kind`, `{object, …}`, `{fixture, …}` or `{documents, document, …}`)",
            &[
                "object",
                "fixture",
                "documents",
                "document",
                "patch",
                "splice",
                "container",
                "without",
                "flags",
                "version",
                "level",
                "path",
                "params",
                "repeat",
            ],
        )?;
        if f.get("fixture").is_none() {
            if let Some(extra) = ["patch", "splice", "container", "without", "flags"]
                .iter()
                .find_map(|k| f.get(k))
            {
                self.error(extra, "`patch`, `splice`, `container`, `without` and `flags` change a `fixture`; write the change into `object`");
                return None;
            }
        }
        if f.get("documents").is_none() {
            if let Some(n) = f.get("document") {
                self.error(n, "`document` picks one of `documents`; this case has a single object");
            }
        }
        let (object, documents, document) = match (f.get("object"), f.get("fixture"), f.get("documents")) {
            (Some(o), None, None) => (o.clone(), Vec::new(), None),
            (None, Some(name), None) => (self.fixture_object(name, &f)?, Vec::new(), None),
            (None, None, Some(d)) => {
                let Some(items) = d.as_seq().filter(|s| !s.is_empty()) else {
                    self.error(d, "`documents` takes a non-empty list of objects, scanned together");
                    return None;
                };
                let document = match f.get("document") {
                    Some(n) => match n
                        .as_f64()
                        .filter(|i| i.fract() == 0.0 && *i >= 0.0 && (*i as usize) < items.len())
                    {
                        Some(i) => Some(i as usize),
                        None => {
                            self.error(
                                n,
                                format!(
                                    "`document` is the index of one of the {} `documents`, from 0",
                                    items.len()
                                ),
                            );
                            return None;
                        }
                    },
                    None => None,
                };
                let object = items.get(document.unwrap_or(0)).cloned()?;
                (object, items.to_vec(), document)
            }
            (None, None, None) => {
                self.error(
                    node,
                    "a test case needs an `object`, a `fixture` to start from, or `documents`",
                );
                return None;
            }
            _ => {
                self.error(
                    node,
                    "a test case has one of `object`, `fixture` and `documents`, not several",
                );
                return None;
            }
        };
        let version = match f.get("version") {
            Some(n) => match Version::parse(&n.display()) {
                Ok(v) => Some(v),
                Err(e) => {
                    self.error(n, e);
                    None
                }
            },
            None => None,
        };
        let level = f.get("level").and_then(|n| {
            let l = n.as_str().and_then(Level::parse);
            if l.is_none() {
                self.error(n, "`level` is `baseline` or `restricted`");
            }
            l
        });
        let path = f.get("path").and_then(|n| self.string(n, "`path`"));
        let params = match f.get("params").map(Node::to_json) {
            Some(serde_json::Value::Object(m)) => Some(m.into_iter().collect()),
            Some(_) => {
                if let Some(n) = f.get("params") {
                    self.error(n, "`params` of a test case maps parameter names to values");
                }
                None
            }
            None => None,
        };
        let repeat = f.get("repeat").and_then(|n| self.repeat(n));
        Some(TestCase {
            object,
            documents,
            document,
            version,
            level,
            path,
            params,
            repeat,
        })
    }

    /// A fixture written as changes of another fixture.
    pub(crate) fn derived_fixture(&mut self, node: &Node) -> Option<Node> {
        let f = self.fields(
            node,
            "a fixture built from another (`{fixture, patch, container, without, flags}`)",
            FIXTURE_CHANGES,
        )?;
        self.fixture_object(f.get("fixture")?, &f)
    }

    /// A test object built from a fixture: `patch` (a JSON merge patch of the object), then
    /// `splice` (items of a list removed and inserted), then `container` (one of its first container), then `without` (flags removed), then `flags`
    /// (flags set in place, or added).
    fn fixture_object(&mut self, name_node: &Node, f: &Fields<'_>) -> Option<Node> {
        let name = self.string(name_node, "`fixture`")?;
        let Some(base) = self.defs.fixtures.get(&name) else {
            let names: Vec<&str> = self.defs.fixtures.keys().map(String::as_str).collect();
            let hint = suggest(&name, &names)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            self.error(name_node, format!("no fixture `{name}`{hint}"));
            return None;
        };
        let mut object = base.clone();
        if let Some(p) = f.get("patch") {
            define::merge_patch(&mut object, p);
        }
        if let Some(n) = f.get("splice") {
            for one in n.as_seq().unwrap_or(std::slice::from_ref(n)) {
                let g = self.fields(one, "`splice`", &["path", "at", "remove", "insert"])?;
                let path = self
                    .required(&g, one, "path", "`splice`")
                    .and_then(|p| self.string(p, "`splice.path`"))?;
                let count = |this: &mut Self, key: &str| match g.get(key).map(|n| (n, n.as_f64())) {
                    None => Some(0),
                    Some((_, Some(x))) if x >= 0.0 && x.fract() == 0.0 => Some(x as usize),
                    Some((n, _)) => {
                        this.error(n, format!("`splice.{key}` takes a whole number from 0"));
                        None
                    }
                };
                let (at, remove) = (count(self, "at")?, count(self, "remove")?);
                let insert = g.get("insert").map_or(Some(Vec::new()), |i| {
                    let items = i.as_seq().map(<[Node]>::to_vec);
                    if items.is_none() {
                        self.error(i, "`splice.insert` takes a list of items");
                    }
                    items
                })?;
                if let Err(e) = define::splice(&mut object, &path, at, remove, insert) {
                    self.error(one, e);
                    return None;
                }
            }
        }
        let mut fits = true;
        if let Some(p) = f.get("container") {
            fits &= define::patch_container(&mut object, p);
        }
        if let Some(n) = f.get("without") {
            let names = self.strings(n, "`without`");
            fits &= define::remove_flags(&mut object, &names);
        }
        if let Some(n) = f.get("flags") {
            let entries: Option<Vec<Vec<Node>>> = n
                .as_seq()
                .unwrap_or(std::slice::from_ref(n))
                .iter()
                .map(|e| match &e.value {
                    Value::Str(w) if w.starts_with('-') => Some(vec![e.clone()]),
                    Value::Seq(words) if words.first().and_then(Node::as_str).is_some_and(|w| w.starts_with('-')) => {
                        Some(words.clone())
                    }
                    _ => None,
                })
                .collect();
            let Some(entries) = entries else {
                self.error(
                    n,
                    "`flags` lists flags: `--name=value`, or `[--name, value]` for two words",
                );
                return None;
            };
            fits &= define::set_flags(&mut object, &entries);
        }
        if !fits {
            self.error(name_node, format!("fixture `{name}` has no container to change"));
            return None;
        }
        define::respan(&mut object, &mut 0);
        Some(object)
    }
}
