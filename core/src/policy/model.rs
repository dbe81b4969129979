//! A compiled policy: metadata, what it applies to, its rules and its own tests.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::condition::Condition;
use super::path::Path;
use super::version::{Version, VersionRange};
use crate::document::Node;

/// How serious a finding is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational: not a weakness by itself.
    #[default]
    Info,
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl Severity {
    /// Every severity, from the lowest.
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// Reads the lowercase name.
    pub fn parse(text: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The lowercase name.
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
    /// Privileged: unrestricted.
    Privileged,
    /// Baseline: prevents known privilege escalations.
    Baseline,
    /// Restricted: current pod hardening best practices.
    Restricted,
}

impl Level {
    /// Reads the lowercase name.
    pub fn parse(text: &str) -> Option<Level> {
        match text {
            "privileged" => Some(Level::Privileged),
            "baseline" => Some(Level::Baseline),
            "restricted" => Some(Level::Restricted),
            _ => None,
        }
    }

    /// The lowercase name.
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
    /// Why the policy matters.
    pub why: String,
    /// How to fix a finding.
    pub fix: String,
    /// Links to the standards and documentation.
    pub references: Vec<String>,
}

/// A kind a policy applies to: `Kind` (any group), `group/Kind` (`core` for the core group).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KindPattern {
    /// The API group (`None`: any group; `""`: the core group).
    pub group: Option<String>,
    /// The kind (`*`: every kind).
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
    /// Kinds it applies to.
    pub kinds: Vec<KindPattern>,
    /// Namespaces it applies to, as name patterns (empty: every namespace).
    pub namespaces: Vec<String>,
    /// Namespaces it never applies to, as name patterns.
    pub exclude_namespaces: Vec<String>,
    /// Labels the object must have, with their value when given.
    pub labels: Vec<(String, Option<String>)>,
    /// Annotations the object must have, with their value when given.
    pub annotations: Vec<(String, Option<String>)>,
    /// For audit events: the policy root is the object of the request (`requestObject`), or
    /// the pod it runs.
    pub request: Option<RequestView>,
}

/// What of an audit event's request a policy judges (`match.requestObject`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestView {
    /// `requestObject: true`: the object sent (a patch read as the part of the object it sets).
    Object,
    /// `requestObject: pods`: the pod of that object (the object itself for a Pod, the pod
    /// template of a workload).
    Pods,
}

/// How a rule walks the object: one item at a time, bound to a name.
#[derive(Clone, Debug)]
pub enum Iteration {
    /// Containers of the pod: init, regular and ephemeral (or the chosen ones).
    Containers {
        /// Init containers.
        init: bool,
        /// Regular containers.
        regular: bool,
        /// Ephemeral containers.
        ephemeral: bool,
    },
    /// Every node a path selects.
    Nodes(Path),
    /// Every entry (key and value) of the maps a path selects.
    Entries(Path),
}

#[derive(Clone, Debug)]
/// `each`: what a rule iterates, and the name each item is bound to.
pub struct Each {
    /// What is iterated.
    pub over: Iteration,
    /// The name the item is bound to.
    pub name: String,
}

/// A piece of a message template.
#[derive(Clone, Debug)]
pub enum Part {
    /// Text written as is.
    Text(String),
    /// `{value}`: the value found where the finding points.
    Value,
    /// `{path}`: the value a path selects ("unset" when none).
    Path(Path),
}

#[derive(Clone, Debug, Default)]
/// A message template: text and values filled in when a finding is made.
pub struct Template {
    /// Its pieces, in order.
    pub parts: Vec<Part>,
}

#[derive(Clone, Debug)]
/// A rule: a condition to deny, over the items its `each` binds.
pub struct Rule {
    /// The iterations, outermost first.
    pub each: Vec<Each>,
    /// A condition that must hold for the rule to run.
    pub when: Option<Condition>,
    /// The condition that makes a finding.
    pub deny: Condition,
    /// Where the finding points instead of the node the condition found.
    pub at: Option<Path>,
    /// The finding's message.
    pub message: Template,
    /// The Kubernetes versions the rule applies to.
    pub versions: VersionRange,
}

/// A declared parameter and its value (the default unless overridden).
#[derive(Clone, Debug, Serialize)]
pub struct Param {
    /// Its name.
    pub name: String,
    /// What it is for.
    pub description: String,
    /// Its value.
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
    /// The Kubernetes version the case is judged at.
    pub version: Option<Version>,
    /// The Pod Security level the case is judged at.
    pub level: Option<Level>,
    /// For failing cases: the JSON pointer the finding must have.
    pub path: Option<String>,
    /// Parameter values for this case (the policy is compiled again with them).
    pub params: Option<BTreeMap<String, serde_json::Value>>,
    /// For a policy that aggregates events: the documents repeated as a sequence of events.
    pub repeat: Option<super::aggregate::Repeat>,
}

#[derive(Clone, Debug, Default)]
/// A policy's inline examples.
pub struct Tests {
    /// Examples that must give no finding.
    pub pass: Vec<TestCase>,
    /// Examples that must give a finding.
    pub fail: Vec<TestCase>,
}

/// Where a policy stands in its life.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Status {
    #[default]
    /// Stable.
    Stable,
    /// Runs only when selected by its id: new, and may still change.
    Preview,
    /// Still runs; `replacement` is the policy to use instead.
    Deprecated {
        /// The id of the policy to use instead.
        replacement: String,
    },
}

impl Status {
    /// The name used in policy files.
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
    /// The policy id (`pack/name`).
    pub id: String,
    /// A one-line title.
    pub title: String,
    /// The default severity.
    pub severity: Severity,
    /// The category (`pod-security`, `rbac`, …).
    pub category: String,
    /// The standards it maps to, as the policy file writes them.
    pub standards: serde_json::Map<String, serde_json::Value>,
    /// Why it matters and how to fix it.
    pub docs: Docs,
    /// What it applies to.
    pub matcher: Match,
    /// The Kubernetes versions it applies to.
    pub versions: VersionRange,
    /// Its parameters.
    pub params: Vec<Param>,
    /// Conditions under which the policy does not apply to an object.
    pub unless: Vec<Condition>,
    /// Its rules.
    pub rules: Vec<Rule>,
    /// Policies this one replaces while it applies (a restricted check over its baseline twin).
    pub overrides: Vec<String>,
    /// The Rempart version that added the policy (`0.4.0`).
    pub since: Option<String>,
    /// Stable, preview or deprecated.
    pub status: Status,
    /// The kinds the policy looks up among the other objects of the scan (`lookup`): the
    /// engine's pre-pass indexes them.
    pub lookups: Vec<KindPattern>,
    /// Counted over many audit events instead of judged on each (`aggregate`).
    pub aggregate: Option<super::aggregate::Aggregate>,
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
}
