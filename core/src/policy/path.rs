//! Paths into documents: `spec.containers[*].image`, `$.metadata.annotations['a/b']`,
//! `container.securityContext`. A subset of JSONPath (RFC 9535) — names, indexes, wildcards
//! — compiled once and walked without allocation; filtering is written with `each`/`when`.

use crate::document::Node;
use crate::document::Value;

/// Where a path starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Root {
    /// The current item inside `each`, else the policy root.
    Current,
    /// `$`: the policy root (the pod for pod policies, else the object).
    Root,
    /// `object`: the object as written (for a workload, the workload, not its pod).
    Object,
    /// A name bound by `each … as`, by its depth.
    Binding(usize),
}

#[derive(Clone, Debug, PartialEq, Eq)]
/// One step of a path.
pub enum Step {
    /// A map key.
    Key(String),
    /// `['a','b']`: each of these keys that exists.
    Keys(Vec<String>),
    /// `['prefix/{container.name}']`: a key built from other values at evaluation time.
    Dynamic(Vec<KeyPart>),
    /// A list index (negative: from the end).
    Index(i64),
    /// `[*]` or `.*`: every item or entry.
    Wildcard,
}

#[derive(Clone, Debug, PartialEq, Eq)]
/// A piece of a key built at evaluation time.
pub enum KeyPart {
    /// Text written as is.
    Text(String),
    /// The value of another path.
    Path(Path),
}

/// Gives the text of a path, for keys built at evaluation time, and meters the walk.
pub trait Resolve {
    /// The text of the value `path` selects, when there is one.
    fn text(&self, path: &Path) -> Option<String>;

    /// Called before each node a wildcard visits; false stops the walk (an evaluation
    /// budget is spent), which then selects nothing more.
    fn step(&self) -> bool {
        true
    }
}

/// For paths without built keys.
pub struct NoResolve;

impl Resolve for NoResolve {
    fn text(&self, _: &Path) -> Option<String> {
        None
    }
}

/// A compiled path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Path {
    /// What the path starts from.
    pub root: Root,
    /// Its steps.
    pub steps: Vec<Step>,
    /// The path as written.
    pub text: String,
}

/// What a path starts from at evaluation time: a node, or a map entry (key and value).
#[derive(Clone, Copy, Debug)]
pub struct Item<'a> {
    /// The node.
    pub node: &'a Node,
    /// The key of the entry, for a map entry.
    pub key: Option<&'a Node>,
}

impl<'a> Item<'a> {
    /// The item of a node alone.
    pub fn node(node: &'a Node) -> Self {
        Item { node, key: None }
    }
}

fn unquote(part: &str) -> Option<&str> {
    part.strip_prefix('\'')
        .and_then(|s| s.strip_suffix('\''))
        .or_else(|| part.strip_prefix('"').and_then(|s| s.strip_suffix('"')))
}

/// Splits `prefix/{container.name}` into text and paths.
fn key_parts(key: &str, bindings: &[String], whole: &str) -> Result<Vec<KeyPart>, String> {
    let mut parts = Vec::new();
    let mut rest = key;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            parts.push(KeyPart::Text(rest.get(..open).unwrap_or_default().to_owned()));
        }
        let after = rest.get(open + 1..).unwrap_or_default();
        let close = after
            .find('}')
            .ok_or_else(|| format!("`{{` without `}}` in path `{whole}`"))?;
        parts.push(KeyPart::Path(Path::parse(
            after.get(..close).unwrap_or_default(),
            bindings,
        )?));
        rest = after.get(close + 1..).unwrap_or_default();
    }
    if !rest.is_empty() {
        parts.push(KeyPart::Text(rest.to_owned()));
    }
    Ok(parts)
}

impl Path {
    /// Parses `text`; `bindings` are the names bound by the enclosing `each`, outermost first.
    pub fn parse(text: &str, bindings: &[String]) -> Result<Path, String> {
        let text = text.trim();
        let mut rest = text;
        let root = if let Some(r) = rest.strip_prefix('$') {
            rest = r;
            Root::Root
        } else if let Some(r) = rest.strip_prefix('@') {
            rest = r;
            Root::Current
        } else {
            let head_end = rest.find(['.', '[']).unwrap_or(rest.len());
            let head = rest.get(..head_end).unwrap_or_default();
            if let Some(depth) = bindings.iter().rposition(|b| b == head) {
                rest = rest.get(head_end..).unwrap_or_default();
                Root::Binding(depth)
            } else if head == "object" {
                rest = rest.get(head_end..).unwrap_or_default();
                Root::Object
            } else {
                Root::Current
            }
        };
        let mut steps = Vec::new();
        let mut first = root == Root::Current && !text.starts_with('@');
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix('[') {
                let close = r.find(']').ok_or_else(|| format!("`[` without `]` in path `{text}`"))?;
                let inner = r.get(..close).unwrap_or_default().trim();
                rest = r.get(close + 1..).unwrap_or_default();
                let names: Option<Vec<&str>> = inner.split(',').map(|part| unquote(part.trim())).collect();
                steps.push(if let Some(names) = names {
                    match names.as_slice() {
                        [one] if one.contains('{') => Step::Dynamic(key_parts(one, bindings, text)?),
                        [one] => Step::Key((*one).to_owned()),
                        many => Step::Keys(many.iter().map(|n| (*n).to_owned()).collect()),
                    }
                } else if inner == "*" {
                    Step::Wildcard
                } else {
                    Step::Index(inner.parse().map_err(|_| {
                        format!("`[{inner}]` in path `{text}` is not an index, `*` or a quoted name; write `['{inner}']` for a key")
                    })?)
                });
            } else {
                let r = if first {
                    rest
                } else {
                    rest.strip_prefix('.')
                        .ok_or_else(|| format!("expected `.` or `[` at `{rest}` in path `{text}`"))?
                };
                let end = r.find(['.', '[']).unwrap_or(r.len());
                let name = r.get(..end).unwrap_or_default();
                if name.is_empty() {
                    return Err(format!("empty name in path `{text}`"));
                }
                steps.push(if name == "*" {
                    Step::Wildcard
                } else {
                    Step::Key(name.to_owned())
                });
                rest = r.get(end..).unwrap_or_default();
            }
            first = false;
        }
        Ok(Path {
            root,
            steps,
            text: text.to_owned(),
        })
    }

    /// Calls `f` with every selected node until it returns true; returns whether it did.
    pub fn any<'a>(&self, start: Item<'a>, env: &dyn Resolve, f: &mut dyn FnMut(&'a Node) -> bool) -> bool {
        let (node, steps) = self.start(start);
        walk(node, steps, env, f)
    }

    /// The first selected node.
    pub fn first<'a>(&self, start: Item<'a>, env: &dyn Resolve) -> Option<&'a Node> {
        let mut found = None;
        self.any(start, env, &mut |n| {
            found = Some(n);
            true
        });
        found
    }

    /// The deepest node that exists along the path: the path's node when it exists, else
    /// its nearest existing parent.
    pub fn nearest<'a>(&self, start: Item<'a>, env: &dyn Resolve) -> &'a Node {
        let (mut node, steps) = self.start(start);
        for step in steps {
            let next = match step {
                Step::Key(k) => node.get(k),
                Step::Keys(keys) => keys.iter().find_map(|k| node.get(k)),
                Step::Dynamic(parts) => dynamic_key(parts, env).and_then(|k| node.get(&k)),
                Step::Index(i) => index(node, *i),
                Step::Wildcard => children(node).next(),
            };
            match next {
                Some(n) if !n.is_null() => node = n,
                _ => break,
            }
        }
        node
    }

    fn start<'a, 's>(&'s self, item: Item<'a>) -> (&'a Node, &'s [Step]) {
        if let (Some(key), Some(Step::Key(first))) = (item.key, self.steps.first()) {
            let rest = self.steps.get(1..).unwrap_or_default();
            match first.as_str() {
                "key" => return (key, rest),
                "value" => return (item.node, rest),
                _ => {}
            }
        }
        (item.node, &self.steps)
    }
}

fn index(node: &Node, i: i64) -> Option<&Node> {
    let items = node.as_seq()?;
    let at = if i < 0 {
        items.len().checked_sub(i.unsigned_abs() as usize)?
    } else {
        i as usize
    };
    items.get(at)
}

fn children(node: &Node) -> Box<dyn Iterator<Item = &Node> + '_> {
    match &node.value {
        Value::Seq(items) => Box::new(items.iter()),
        Value::Map(entries) => Box::new(entries.iter().map(|(_, v)| v)),
        _ => Box::new(std::iter::empty()),
    }
}

fn dynamic_key(parts: &[KeyPart], env: &dyn Resolve) -> Option<String> {
    let mut key = String::new();
    for part in parts {
        match part {
            KeyPart::Text(t) => key.push_str(t),
            KeyPart::Path(p) => key.push_str(&env.text(p)?),
        }
    }
    Some(key)
}

fn walk<'a>(node: &'a Node, steps: &[Step], env: &dyn Resolve, f: &mut dyn FnMut(&'a Node) -> bool) -> bool {
    let Some((step, rest)) = steps.split_first() else {
        return f(node);
    };
    match step {
        Step::Key(k) => node.get(k).is_some_and(|n| walk(n, rest, env, f)),
        Step::Keys(keys) => keys.iter().filter_map(|k| node.get(k)).any(|n| walk(n, rest, env, f)),
        Step::Dynamic(parts) => dynamic_key(parts, env)
            .and_then(|k| node.get(&k))
            .is_some_and(|n| walk(n, rest, env, f)),
        Step::Index(i) => index(node, *i).is_some_and(|n| walk(n, rest, env, f)),
        Step::Wildcard => {
            for n in children(node) {
                if !env.step() {
                    return false;
                }
                if walk(n, rest, env, f) {
                    return true;
                }
            }
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{parse_stream, Limits};

    fn doc(text: &str) -> Node {
        parse_stream(text, &Limits::default())
            .into_iter()
            .find_map(|d| d.result.ok())
            .unwrap_or_else(|| Node::new(Value::Null, Default::default()))
    }

    #[test]
    fn parses_roots_and_steps() {
        let b = vec!["container".to_string()];
        let p = Path::parse("container.ports[*].hostPort", &b).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.root, Root::Binding(0));
        assert_eq!(
            p.steps,
            vec![Step::Key("ports".into()), Step::Wildcard, Step::Key("hostPort".into())]
        );
        let p = Path::parse("$.metadata.annotations['a.b/c']", &b).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.root, Root::Root);
        assert_eq!(p.steps.last(), Some(&Step::Key("a.b/c".into())));
        let p = Path::parse("$.metadata.annotations['c/{container.name}']", &b).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(p.steps.last(), Some(Step::Dynamic(parts)) if parts.len() == 2));
        assert!(Path::parse("a[x]", &b).is_err());
        assert!(Path::parse("a[1", &b).is_err());
    }

    #[test]
    fn selects_and_finds_nearest_parent() {
        let d = doc("spec:\n  containers:\n  - name: a\n  - name: b\n    securityContext: {}\n");
        let p = Path::parse("spec.containers[*].name", &[]).unwrap_or_else(|e| panic!("{e}"));
        let mut names = Vec::new();
        p.any(Item::node(&d), &NoResolve, &mut |n| {
            names.push(n.display());
            false
        });
        assert_eq!(names, vec!["a", "b"]);
        let p = Path::parse("spec.containers[-1].securityContext.privileged", &[]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.first(Item::node(&d), &NoResolve), None);
        assert_eq!(p.nearest(Item::node(&d), &NoResolve).type_name(), "map");
        let p = Path::parse("spec['initContainers','containers'][*].name", &[]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.first(Item::node(&d), &NoResolve).map(Node::display), Some("a".into()));
    }
}
