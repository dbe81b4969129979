//! A compiled policy: metadata, what it applies to, its rules and its own tests.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::condition::Condition;
use super::path::Path;
use super::version::{Version, VersionRange};
use crate::document::Node;

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    pub fn parse(text: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The Pod Security Standards level a policy belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Privileged,
    Baseline,
    Restricted,
}

impl Level {
    pub fn parse(text: &str) -> Option<Level> {
        match text {
            "privileged" => Some(Level::Privileged),
            "baseline" => Some(Level::Baseline),
            "restricted" => Some(Level::Restricted),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Privileged => "privileged",
            Level::Baseline => "baseline",
            Level::Restricted => "restricted",
        }
    }
}

/// Documentation shown by `rempart explain` and carried into reports.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Docs {
    pub why: String,
    pub fix: String,
    pub references: Vec<String>,
}

/// A kind a policy applies to: `Kind` (any group), `group/Kind` (`core` for the core group).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KindPattern {
    pub group: Option<String>,
    pub kind: String,
}

impl KindPattern {
    /// Reads `Kind`, `group/Kind` or `core/Kind`; `*` as the kind matches every kind.
    pub fn parse(text: &str) -> KindPattern {
        match text.rsplit_once('/') {
            Some((g, kind)) => KindPattern {
                group: Some(if g == "core" { String::new() } else { g.to_owned() }),
                kind: kind.to_owned(),
            },
            None => KindPattern {
                group: None,
                kind: text.to_owned(),
            },
        }
    }

    /// True for an object of this kind in this API group (`""` for the core group).
    pub fn matches(&self, kind: &str, group: &str) -> bool {
        (self.kind == "*" || self.kind == kind) && self.group.as_deref().is_none_or(|g| g == group)
    }
}

/// A name pattern of `match` and exceptions: a trailing `*` matches any suffix; otherwise the
/// names must be equal.
pub fn name_matches(pattern: &str, name: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => pattern == name,
    }
}

/// What a policy applies to.
#[derive(Clone, Debug, Default)]
pub struct Match {
    /// Pods and every pod template; the policy root becomes the pod.
    pub pods: bool,
    pub kinds: Vec<KindPattern>,
    pub namespaces: Vec<String>,
    pub exclude_namespaces: Vec<String>,
    pub labels: Vec<(String, Option<String>)>,
    pub annotations: Vec<(String, Option<String>)>,
}

/// How a rule walks the object: one item at a time, bound to a name.
#[derive(Clone, Debug)]
pub enum Iteration {
    /// Containers of the pod: init, regular and ephemeral (or the chosen ones).
    Containers { init: bool, regular: bool, ephemeral: bool },
    /// Every node a path selects.
    Nodes(Path),
    /// Every entry (key and value) of the maps a path selects.
    Entries(Path),
}

#[derive(Clone, Debug)]
pub struct Each {
    pub over: Iteration,
    pub name: String,
}

/// A piece of a message template.
#[derive(Clone, Debug)]
pub enum Part {
    Text(String),
    /// `{value}`: the value found where the finding points.
    Value,
    Path(Path),
}

#[derive(Clone, Debug, Default)]
pub struct Template {
    pub parts: Vec<Part>,
}

#[derive(Clone, Debug)]
pub struct Rule {
    pub each: Vec<Each>,
    pub when: Option<Condition>,
    pub deny: Condition,
    pub at: Option<Path>,
    pub message: Template,
    pub versions: VersionRange,
}

/// A declared parameter and its value (the default unless overridden).
#[derive(Clone, Debug, Serialize)]
pub struct Param {
    pub name: String,
    pub description: String,
    pub value: serde_json::Value,
}

/// One inline test: an object, or a set of documents scanned together.
#[derive(Clone, Debug)]
pub struct TestCase {
    /// The object the case is about: the only one, or `documents[document]` (the first
    /// document when the case does not name one).
    pub object: Node,
    /// For a set (`documents:`), every document, scanned together as one scan.
    pub documents: Vec<Node>,
    /// For a set, the index of the document whose findings count (`None`: any document).
    pub document: Option<usize>,
    pub version: Option<Version>,
    pub level: Option<Level>,
    /// For failing cases: the JSON pointer the finding must have.
    pub path: Option<String>,
    /// Parameter values for this case (the policy is compiled again with them).
    pub params: Option<BTreeMap<String, serde_json::Value>>,
}

#[derive(Clone, Debug, Default)]
pub struct Tests {
    pub pass: Vec<TestCase>,
    pub fail: Vec<TestCase>,
}

/// Where a policy stands in its life.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Status {
    #[default]
    Stable,
    /// Runs only when selected by its id: new, and may still change.
    Preview,
    /// Still runs; `replacement` is the policy to use instead.
    Deprecated { replacement: String },
}

impl Status {
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Stable => "stable",
            Status::Preview => "preview",
            Status::Deprecated { .. } => "deprecated",
        }
    }
}

/// A compiled policy.
#[derive(Clone, Debug)]
pub struct Policy {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub category: String,
    pub standards: serde_json::Map<String, serde_json::Value>,
    pub docs: Docs,
    pub matcher: Match,
    pub versions: VersionRange,
    pub params: Vec<Param>,
    pub unless: Vec<Condition>,
    pub rules: Vec<Rule>,
    /// Policies this one replaces while it applies (a restricted check over its baseline twin).
    pub overrides: Vec<String>,
    /// The Rempart version that added the policy (`0.4.0`).
    pub since: Option<String>,
    pub status: Status,
    /// The kinds the policy looks up among the other objects of the scan (`lookup`): the
    /// engine's pre-pass indexes them.
    pub lookups: Vec<KindPattern>,
    /// The inline examples; `None` when the policy was loaded without them (see
    /// [`Policy::examples`]).
    pub tests: Option<Tests>,
    /// File the policy came from (`builtin:…` for embedded ones).
    pub file: String,
    /// The text of that file, to compile the policy again with other parameters.
    pub text: std::sync::Arc<str>,
    /// The definitions it was compiled with (its examples may start from their fixtures).
    pub definitions: std::sync::Arc<super::Definitions>,
}

impl Policy {
    /// True when a condition of the policy consults RBAC effective permissions.
    pub fn uses_rbac(&self) -> bool {
        self.unless.iter().any(Condition::uses_rbac)
            || self
                .rules
                .iter()
                .any(|r| r.deny.uses_rbac() || r.when.as_ref().is_some_and(Condition::uses_rbac))
    }

    /// The inline examples, read again from the policy's file when it was loaded without them.
    pub fn examples(&self) -> std::borrow::Cow<'_, Tests> {
        match &self.tests {
            Some(t) => std::borrow::Cow::Borrowed(t),
            None => {
                let source = crate::document::Source::new(self.file.clone(), self.text.to_string());
                let (found, _) =
                    super::load_policies_with(&source, &super::ParamOverrides::new(), &self.definitions, true);
                std::borrow::Cow::Owned(
                    found
                        .into_iter()
                        .find(|p| p.id == self.id)
                        .and_then(|p| p.tests)
                        .unwrap_or_default(),
                )
            }
        }
    }

    /// The Pod Security level named in `standards.pod-security.level`.
    pub fn pod_security_level(&self) -> Option<Level> {
        self.standards
            .get("pod-security")
            .and_then(|p| p.get("level"))
            .and_then(|l| l.as_str())
            .and_then(Level::parse)
    }
}
