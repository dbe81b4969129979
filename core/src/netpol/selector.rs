//! Label selectors (`matchLabels` and `matchExpressions`) as apimachinery reads and matches
//! them: every requirement must hold (AND); an empty selector matches everything.

use crate::document::Node;

/// An operator of `matchExpressions`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    /// The label has one of the values.
    In,
    /// The label is missing or has none of the values.
    NotIn,
    /// The label is present.
    Exists,
    /// The label is missing.
    DoesNotExist,
}

/// One requirement: `key` compared by `operator` with `values`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirement {
    /// The label name.
    pub key: String,
    /// How the label is compared.
    pub operator: Operator,
    /// The values compared with.
    pub values: Vec<String>,
}

/// A label selector; the empty selector matches every set of labels.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selector {
    /// The requirements, all of which must hold.
    pub requirements: Vec<Requirement>,
}

/// Labels as a sorted list of pairs.
pub type Labels = [(String, String)];

/// The value of `key` in sorted `labels`.
pub fn label<'l>(labels: &'l Labels, key: &str) -> Option<&'l str> {
    labels
        .binary_search_by(|(k, _)| k.as_str().cmp(key))
        .ok()
        .and_then(|i| labels.get(i))
        .map(|(_, v)| v.as_str())
}

impl Selector {
    /// True when nothing is in it.
    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    /// True when every requirement holds for `labels` (sorted by key).
    pub fn matches(&self, labels: &Labels) -> bool {
        self.requirements.iter().all(|r| {
            let value = label(labels, &r.key);
            match r.operator {
                Operator::In => value.is_some_and(|v| r.values.iter().any(|w| w == v)),
                // A missing key satisfies `NotIn`, as apimachinery defines it.
                Operator::NotIn => value.is_none_or(|v| !r.values.iter().any(|w| w == v)),
                Operator::Exists => value.is_some(),
                Operator::DoesNotExist => value.is_none(),
            }
        })
    }

    /// A label every matching set must carry (`key`, `value`), to look candidates up in an
    /// index: from `matchLabels`, or an `In` with one value.
    pub fn anchor(&self) -> Option<(&str, &str)> {
        self.requirements
            .iter()
            .find_map(|r| match (r.operator, r.values.as_slice()) {
                (Operator::In, [v]) => Some((r.key.as_str(), v.as_str())),
                _ => None,
            })
    }

    /// Reads a selector; its mistakes (which make the API server refuse the object) go to
    /// `errors` with the node they are at.
    pub fn read<'n>(node: &'n Node, errors: &mut Vec<(&'n Node, String)>) -> Selector {
        let mut out = Selector::default();
        if node.is_null() {
            return out;
        }
        let Some(entries) = node.as_map() else {
            errors.push((
                node,
                format!("a label selector must be a map, not a {}", node.type_name()),
            ));
            return out;
        };
        for (k, v) in entries {
            match k.as_str() {
                Some("matchLabels") => {
                    if v.is_null() {
                        continue;
                    }
                    let Some(labels) = v.as_map() else {
                        errors.push((
                            v,
                            format!("`matchLabels` must be a map of labels, not a {}", v.type_name()),
                        ));
                        continue;
                    };
                    for (key, value) in labels {
                        match (key.as_str(), value.as_str()) {
                            (Some(key), Some(value)) => out.requirements.push(Requirement {
                                key: key.to_owned(),
                                operator: Operator::In,
                                values: vec![value.to_owned()],
                            }),
                            _ => errors.push((
                                value,
                                format!(
                                    "the label value `{}` is a {}, but label values are strings: quote it",
                                    value.display(),
                                    value.type_name()
                                ),
                            )),
                        }
                    }
                }
                Some("matchExpressions") => {
                    if v.is_null() {
                        continue;
                    }
                    let Some(items) = v.as_seq() else {
                        errors.push((v, format!("`matchExpressions` must be a list, not a {}", v.type_name())));
                        continue;
                    };
                    for item in items {
                        if let Some(r) = requirement(item, errors) {
                            out.requirements.push(r);
                        }
                    }
                }
                _ => {}
            }
        }
        out
    }
}

fn requirement<'n>(item: &'n Node, errors: &mut Vec<(&'n Node, String)>) -> Option<Requirement> {
    let Some(key) = item.get("key").and_then(Node::as_str) else {
        errors.push((item, "a `matchExpressions` entry needs a `key` (a label name)".into()));
        return None;
    };
    let op_node = item.get("operator");
    let operator = match op_node.and_then(Node::as_str) {
        Some("In") => Operator::In,
        Some("NotIn") => Operator::NotIn,
        Some("Exists") => Operator::Exists,
        Some("DoesNotExist") => Operator::DoesNotExist,
        other => {
            let shown = other.map_or_else(|| "nothing".to_owned(), |o| format!("`{o}`"));
            errors.push((
                op_node.unwrap_or(item),
                format!("the operator is {shown}, but a label selector's operator is one of `In`, `NotIn`, `Exists`, `DoesNotExist` (case matters)"),
            ));
            return None;
        }
    };
    let values_node = item.get("values").filter(|v| !v.is_null());
    let mut values = Vec::new();
    if let Some(v) = values_node {
        let Some(list) = v.as_seq() else {
            errors.push((
                v,
                format!("`values` must be a list of strings, not a {}", v.type_name()),
            ));
            return None;
        };
        for value in list {
            match value.as_str() {
                Some(s) => values.push(s.to_owned()),
                None => {
                    errors.push((
                        value,
                        format!(
                            "`{}` is a {}, but values are strings: quote it",
                            value.display(),
                            value.type_name()
                        ),
                    ));
                    return None;
                }
            }
        }
    }
    match operator {
        Operator::In | Operator::NotIn if values.is_empty() => {
            errors.push((
                values_node.unwrap_or(item),
                "`In` and `NotIn` need at least one value in `values`".into(),
            ));
            return None;
        }
        Operator::Exists | Operator::DoesNotExist if !values.is_empty() => {
            errors.push((
                values_node.unwrap_or(item),
                "`Exists` and `DoesNotExist` take no `values`: remove them".into(),
            ));
            return None;
        }
        _ => {}
    }
    Some(Requirement {
        key: key.to_owned(),
        operator,
        values,
    })
}
