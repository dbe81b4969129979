//! Pod Security: the part of its semantics that stays in Rust, all of it here.
//!
//! What the policy language says, in `policies/pod-security/`: each check is a policy file;
//! its level is data (`standards.pod-security.level`, read once when the engine is built);
//! the Kubernetes versions a check exists in are `versions:` and `since:` gates; its
//! exemptions are `unless:` conditions; a restricted check that replaces its baseline twin
//! says so with `overrides:`. Nothing in the engine names a check.
//!
//! What stays here, and why: the level an object is judged at is not a property of the
//! object, so no condition over the object can say it. It belongs to the run: an engine
//! option (`baseline`, `restricted`), or, with `from-namespace`, the
//! `pod-security.kubernetes.io/enforce` and `enforce-version` labels of the object's
//! Namespace found elsewhere in the scan (a pre-pass over every input, as the admission
//! controller reads the Namespace and not the pod). From that level follow which policies
//! are kept (a baseline run drops restricted checks) and which run on an object (those whose
//! level the object's level reaches), and findings record the version they were judged at.

use serde_json::{Map, Value};

use super::{LevelChoice, Options};
use crate::document::Node;
use crate::policy::{Level, Policy, Version};

/// The id prefix of the built-in Pod Security pack.
const PACK: &str = "pod-security";

impl Options {
    /// Only the Pod Security pack, at this level and version: what the admission controller
    /// of that Kubernetes version checks.
    pub fn pod_security(level: LevelChoice, version: &str) -> Options {
        Options {
            select: vec![PACK.into()],
            pod_security_level: level,
            pod_security_version: version.into(),
            ..Options::default()
        }
    }
}

/// The Pod Security level a policy belongs to, from its `standards.pod-security.level`.
pub(crate) fn level_of(policy: &Policy) -> Option<Level> {
    policy
        .standards
        .get(PACK)
        .and_then(|p| p.get("level"))
        .and_then(Value::as_str)
        .and_then(Level::parse)
}

/// Whether a run at `choice` keeps the policy at all: a baseline run drops restricted checks.
pub(crate) fn kept(choice: LevelChoice, policy: &Policy) -> bool {
    !(choice == LevelChoice::Baseline && level_of(policy) == Some(Level::Restricted))
}

/// Whether a policy of level `needed` runs on an object judged at `level`.
pub(crate) fn runs(needed: Option<Level>, level: Level) -> bool {
    needed.is_none_or(|needed| needed <= level)
}

/// The level and version an object is judged at. `namespace` is what the scan knows of the
/// object's Namespace (its enforce level and version labels), `None` when the scan does not
/// hold it.
pub(crate) fn judged_at(
    choice: LevelChoice,
    version: Version,
    namespace: Option<&(Option<Level>, Option<Version>)>,
) -> (Level, Version) {
    match choice {
        LevelChoice::Baseline => (Level::Baseline, version),
        LevelChoice::Restricted => (Level::Restricted, version),
        LevelChoice::FromNamespace => match namespace {
            Some((level, ns_version)) => (level.unwrap_or(Level::Privileged), ns_version.unwrap_or(version)),
            None => (Level::Restricted, version),
        },
    }
}

/// The enforce level and version a Namespace's labels set.
pub(crate) fn namespace_labels(namespace: &Node) -> (Option<Level>, Option<Version>) {
    let label = |key: &str| {
        namespace
            .get_path(&["metadata", "labels"])
            .and_then(|l| l.get(key))
            .and_then(Node::as_str)
    };
    let level = label("pod-security.kubernetes.io/enforce").and_then(Level::parse);
    let version = label("pod-security.kubernetes.io/enforce-version").and_then(|v| Version::parse(v).ok());
    (level, version)
}

/// Records in a finding's standards the version its Pod Security check was judged at.
pub(crate) fn stamp_version(standards: &mut Map<String, Value>, version: Version) {
    if let Some(Value::Object(pss)) = standards.get_mut(PACK) {
        pss.insert("version".into(), version.to_string().into());
    }
}

/// The run level that judges objects at `level` (a policy's own tests); `current` when none
/// is given.
pub(crate) fn choice_for(level: Option<Level>, current: LevelChoice) -> LevelChoice {
    match level {
        Some(Level::Baseline) => LevelChoice::Baseline,
        Some(_) => LevelChoice::Restricted,
        None => current,
    }
}
