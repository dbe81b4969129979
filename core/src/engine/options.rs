//! What an engine is built from: which policies, their parameters, the Pod Security level
//! and version, and the input limits. The same shape crosses into the bindings as JSON.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::document::Limits;
use crate::policy::{ParamOverrides, Severity};

/// A policy file handed over as text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyText {
    /// Shown in errors (a file path, or any label).
    pub name: String,
    pub text: String,
}

/// The level pods are judged at.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LevelChoice {
    Baseline,
    #[default]
    Restricted,
    /// The level the pod's Namespace enforces (in the same scan); the default level otherwise.
    FromNamespace,
}

impl LevelChoice {
    pub fn parse(text: &str) -> Option<LevelChoice> {
        match text {
            "baseline" => Some(LevelChoice::Baseline),
            "restricted" => Some(LevelChoice::Restricted),
            "from-namespace" => Some(LevelChoice::FromNamespace),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Options {
    /// Load the built-in policies.
    pub builtin: bool,
    /// More policy files.
    pub policies: Vec<PolicyText>,
    /// Keep only policies whose id starts with one of these (by `/`-separated parts).
    pub select: Vec<String>,
    /// Drop policies whose id starts with one of these.
    pub ignore: Vec<String>,
    /// Parameter values: policy id → parameter → value.
    pub params: ParamOverrides,
    /// Severity per policy id, replacing the policy's own.
    pub severities: BTreeMap<String, Severity>,
    pub pod_security_level: LevelChoice,
    /// `v1.N` or `latest`.
    pub pod_security_version: String,
    pub limits: Limits,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            builtin: true,
            policies: Vec::new(),
            select: Vec::new(),
            ignore: Vec::new(),
            params: ParamOverrides::new(),
            severities: BTreeMap::new(),
            pod_security_level: LevelChoice::default(),
            pod_security_version: "latest".into(),
            limits: Limits::default(),
        }
    }
}

impl Options {
    /// Only the Pod Security pack, at this level and version: what the admission controller
    /// of that Kubernetes version checks.
    pub fn pod_security(level: LevelChoice, version: &str) -> Options {
        Options {
            select: vec!["pod-security".into()],
            pod_security_level: level,
            pod_security_version: version.into(),
            ..Options::default()
        }
    }
}

/// True when `id` is `prefix` or lies below it (`pod-security` selects `pod-security/…`).
pub fn id_matches(id: &str, prefix: &str) -> bool {
    let prefix = prefix.trim_end_matches(['*', '/']);
    prefix.is_empty() || id == prefix || id.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('/'))
}
