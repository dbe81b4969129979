//! The spanned value tree every document is parsed into.

/// A byte range in the source text, `start..end`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// Byte after the last one.
    pub end: usize,
}

impl Span {
    /// The range `start..end` (an `end` before `start` is taken as `start`).
    pub fn new(start: usize, end: usize) -> Self {
        Span {
            start,
            end: end.max(start),
        }
    }
}

/// One node of a parsed document: its resolved value and where it stands in the source.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The resolved value.
    pub value: Value,
    /// Where the node is written.
    pub span: Span,
}

/// A resolved value, as Kubernetes would see it after reading the YAML or JSON.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`, `~` or nothing.
    Null,
    /// `true` or `false` (and YAML 1.1's other spellings).
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A string.
    Str(String),
    /// A list.
    Seq(Vec<Node>),
    /// Entries in source order; keys are string nodes carrying the key's own span.
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// A node of `value` at `span`.
    pub fn new(value: Value, span: Span) -> Self {
        Node { value, span }
    }

    /// The value under `key` when this node is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|(k, _)| k.as_str() == Some(key)).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Follows a chain of mapping keys.
    pub fn get_path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    /// The string, when the value is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The items, when the value is a list.
    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// The entries, when the value is a map.
    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// Whether the value is null.
    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// The number this node holds, if any.
    pub fn as_f64(&self) -> Option<f64> {
        match self.value {
            Value::Int(i) => Some(i as f64),
            Value::Float(f) => Some(f),
            _ => None,
        }
    }

    /// The name of this node's type, as a policy author writes it.
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Int(_) | Value::Float(_) => "number",
            Value::Str(_) => "string",
            Value::Seq(_) => "list",
            Value::Map(_) => "map",
        }
    }

    /// A short text form of a scalar for messages; collections are summarised.
    pub fn display(&self) -> String {
        match &self.value {
            Value::Null => "null".into(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Str(s) => s.clone(),
            Value::Seq(items) => {
                let shown: Vec<String> = items.iter().map(Node::display).collect();
                format!("[{}]", shown.join(", "))
            }
            Value::Map(_) => "{…}".into(),
        }
    }

    /// Semantic equality: numbers compare by value, maps ignore key order and spans.
    pub fn same_value(&self, other: &Node) -> bool {
        match (&self.value, &other.value) {
            (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) => self.as_f64() == other.as_f64(),
            (Value::Seq(a), Value::Seq(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same_value(y)),
            (Value::Map(a), Value::Map(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .all(|(k, v)| k.as_str().and_then(|k| other.get(k)).is_some_and(|w| v.same_value(w)))
            }
            (a, b) => a == b,
        }
    }

    /// Converts to a JSON value (spans are dropped).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::Str(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.as_str().unwrap_or_default().to_owned(), v.to_json()))
                    .collect(),
            ),
        }
    }

    /// Builds a span-less node from a JSON value (for objects handed over already loaded).
    pub fn from_json(value: &serde_json::Value) -> Node {
        use serde_json::Value as J;
        let v = match value {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => n
                .as_i64()
                .map_or_else(|| Value::Float(n.as_f64().unwrap_or(f64::NAN)), Value::Int),
            J::String(s) => Value::Str(s.clone()),
            J::Array(items) => Value::Seq(items.iter().map(Node::from_json).collect()),
            J::Object(map) => Value::Map(
                map.iter()
                    .map(|(k, v)| (Node::new(Value::Str(k.clone()), Span::default()), Node::from_json(v)))
                    .collect(),
            ),
        };
        Node::new(v, Span::default())
    }

    /// The RFC 6901 pointer of `target` (found by identity) below this node, if it is there.
    /// A mapping key resolves to the pointer of its entry.
    pub fn pointer_to(&self, target: &Node) -> Option<String> {
        self.locate(target).map(|(pointer, _)| pointer)
    }

    /// The pointer of `target` and, when it is the value of a map entry, that entry's key.
    pub fn locate<'a>(&'a self, target: &Node) -> Option<(String, Option<&'a Node>)> {
        // Nodes read from a file lie inside their parents' spans, so the search first follows
        // only the children that enclose the target; nodes reached through an alias or a merge
        // key carry their anchor's span, and the full search finds those.
        let mut steps = Vec::new();
        let found = self.find(target, &mut steps, true) || {
            steps.clear();
            self.find(target, &mut steps, false)
        };
        if !found {
            return None;
        }
        let mut out = String::new();
        let mut key = None;
        let mut node = self;
        for step in steps {
            match &node.value {
                Value::Seq(items) => {
                    out.push('/');
                    out.push_str(&step.to_string());
                    key = None;
                    node = items.get(step)?;
                }
                Value::Map(entries) => {
                    let (k, v) = entries.get(step)?;
                    out.push('/');
                    push_escaped(&mut out, k.as_str().unwrap_or_default());
                    if std::ptr::eq(k, target) {
                        return Some((out, None));
                    }
                    key = Some(k);
                    node = v;
                }
                _ => return None,
            }
        }
        Some((out, key))
    }

    /// Depth-first search by identity; `steps` collects the item or entry indexes on the way
    /// down. With `narrow`, only children whose span encloses the target's are visited.
    fn find(&self, target: &Node, steps: &mut Vec<usize>, narrow: bool) -> bool {
        if std::ptr::eq(self, target) {
            return true;
        }
        let encloses = |n: &Node| !narrow || (n.span.start <= target.span.start && target.span.end <= n.span.end);
        match &self.value {
            Value::Seq(items) => {
                for (i, item) in items.iter().enumerate().filter(|(_, n)| encloses(n)) {
                    steps.push(i);
                    if item.find(target, steps, narrow) {
                        return true;
                    }
                    steps.pop();
                }
            }
            Value::Map(entries) => {
                for (i, (k, v)) in entries.iter().enumerate() {
                    if std::ptr::eq(k, target) {
                        steps.push(i);
                        return true;
                    }
                    if !encloses(v) {
                        continue;
                    }
                    steps.push(i);
                    if v.find(target, steps, narrow) {
                        return true;
                    }
                    steps.pop();
                }
            }
            _ => {}
        }
        false
    }
}

/// Appends one RFC 6901 reference token.
pub fn push_escaped(out: &mut String, token: &str) {
    for c in token.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
}
