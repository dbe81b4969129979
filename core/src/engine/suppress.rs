//! Suppression annotations: `rempart.io/suppress` on an object (or its pod template) names
//! policy ids and the reason they do not apply, one per line: `images/latest-tag: pinned by CD`.

use crate::document::Node;

/// The annotation read for suppressions.
pub const ANNOTATION: &str = "rempart.io/suppress";
/// The id of the finding raised for a suppression without a reason.
pub const MISSING_REASON_ID: &str = "rempart/suppression-without-reason";

/// One line of a suppression annotation.
#[derive(Clone, Debug)]
pub struct Suppression<'a> {
    /// A policy id or a prefix of ids (`pod-security/` or `pod-security/*`).
    pub pattern: String,
    pub reason: Option<String>,
    /// The annotation's value node.
    pub at: &'a Node,
}

impl Suppression<'_> {
    pub fn covers(&self, id: &str) -> bool {
        self.reason.is_some() && super::options::id_matches(id, &self.pattern)
    }
}

/// Reads the suppressions on each of these metadata owners (object, pod template).
pub fn read<'a>(owners: &[&'a Node]) -> Vec<Suppression<'a>> {
    let mut out = Vec::new();
    for owner in owners {
        let Some(value) = owner.get_path(&["metadata", "annotations", ANNOTATION]) else {
            continue;
        };
        let text = value.as_str().unwrap_or_default();
        for line in text.split(['\n', ';']).map(str::trim).filter(|l| !l.is_empty()) {
            let (pattern, reason) = match line.split_once(':') {
                Some((p, r)) => (p.trim(), Some(r.trim()).filter(|r| !r.is_empty())),
                None => (line, None),
            };
            out.push(Suppression {
                pattern: pattern.to_owned(),
                reason: reason.map(str::to_owned),
                at: value,
            });
        }
    }
    out
}
