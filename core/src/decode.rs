//! Reading YAML into typed values with every mistake collected, positioned, and a "did you
//! mean" for unknown fields. Shared by the policy loader and the configuration file.

use serde::Serialize;

use crate::document::{Node, Source, Span, Value};

/// A mistake in a policy file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
#[non_exhaustive]
pub struct PolicyError {
    /// The file the mistake is in.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// What is wrong and how to fix it.
    pub message: String,
}

/// Collects positioned errors while reading one source.
pub(crate) struct Decoder<'s> {
    pub(crate) source: &'s Source,
    pub(crate) errors: Vec<PolicyError>,
}

/// The entries of a map whose keys were checked against the known ones.
pub(crate) struct Fields<'n> {
    pub(crate) entries: &'n [(Node, Node)],
}

impl<'n> Fields<'n> {
    pub(crate) fn get(&self, key: &str) -> Option<&'n Node> {
        self.entries
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
    }

    pub(crate) fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }
}

impl<'s> Decoder<'s> {
    pub(crate) fn new(source: &'s Source) -> Self {
        Decoder {
            source,
            errors: Vec::new(),
        }
    }

    pub(crate) fn error_at(&mut self, span: Span, message: String) {
        let pos = self.source.position(span.start);
        self.errors.push(PolicyError {
            file: self.source.name.clone(),
            line: pos.line,
            column: pos.column,
            message,
        });
    }

    pub(crate) fn error(&mut self, node: &Node, message: impl Into<String>) {
        self.error_at(node.span, message.into());
    }

    pub(crate) fn fields<'n>(&mut self, node: &'n Node, what: &str, known: &[&str]) -> Option<Fields<'n>> {
        let Some(entries) = node.as_map() else {
            self.error(node, format!("{what} must be a map, not a {}", node.type_name()));
            return None;
        };
        for (k, _) in entries {
            let name = k.as_str().unwrap_or_default();
            if !known.contains(&name) {
                let hint = suggest(name, known).map_or_else(
                    || format!("; the fields are: {}", known.join(", ")),
                    |s| format!("; did you mean `{s}`?"),
                );
                self.error(k, format!("unknown field `{name}` in {what}{hint}"));
            }
        }
        Some(Fields { entries })
    }

    pub(crate) fn string(&mut self, node: &Node, what: &str) -> Option<String> {
        match &node.value {
            Value::Str(s) => Some(s.clone()),
            _ => {
                self.error(node, format!("{what} must be a string, not a {}", node.type_name()));
                None
            }
        }
    }

    pub(crate) fn required<'n>(&mut self, fields: &Fields<'n>, at: &Node, key: &str, what: &str) -> Option<&'n Node> {
        let found = fields.get(key);
        if found.is_none() {
            self.error(at, format!("{what} needs `{key}`"));
        }
        found
    }

    pub(crate) fn strings(&mut self, node: &Node, what: &str) -> Vec<String> {
        match &node.value {
            Value::Str(s) => vec![s.clone()],
            Value::Seq(items) => items.iter().filter_map(|i| self.string(i, what)).collect(),
            _ => {
                self.error(node, format!("{what} must be a string or a list of strings"));
                Vec::new()
            }
        }
    }
}

/// The known name closest to `name`, when it is close enough to be a typo.
pub fn suggest<'k>(name: &str, known: &[&'k str]) -> Option<&'k str> {
    known
        .iter()
        .map(|k| (edit_distance(&name.to_lowercase(), &k.to_lowercase()), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut row = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or_default() + usize::from(ca != *cb);
            let del = prev.get(j + 1).copied().unwrap_or_default() + 1;
            let ins = row.get(j).copied().unwrap_or_default() + 1;
            row.push(sub.min(del).min(ins));
        }
        prev = row;
    }
    prev.last().copied().unwrap_or_default()
}
