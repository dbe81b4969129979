//! How admission answers: the mode of each finding (by policy, else by severity), who and
//! which namespaces are exempt, what an `UPDATE` is denied for, and the Pod Security level
//! of each namespace when pods are judged `from-namespace`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::engine::id_matches;
use crate::policy::{Level, Severity};

/// What a finding does at admission, like Pod Security Admission's three modes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// The request is denied.
    Enforce,
    /// The request is allowed with a warning.
    Warn,
    /// The request is allowed; only the audit annotations count it.
    Audit,
}

impl Mode {
    /// `enforce`, `warn` or `audit`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Enforce => "enforce",
            Mode::Warn => "warn",
            Mode::Audit => "audit",
        }
    }
}

/// What an `UPDATE` is denied for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OnUpdate {
    /// Every enforced violation of the new object.
    #[default]
    All,
    /// Only the enforced violations the old object did not have (same policy, same place);
    /// the others become warnings, so that a label change on a legacy object goes through.
    NewViolations,
}

/// Requests that are allowed without being judged.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Exempt {
    /// User names (`system:apiserver`); a trailing `*` matches any suffix.
    pub users: Vec<String>,
    /// Groups of the requesting user; a trailing `*` matches any suffix.
    pub groups: Vec<String>,
    /// Namespaces of the object; a trailing `*` matches any suffix.
    pub namespaces: Vec<String>,
}

impl Default for Exempt {
    /// The API server's own identity and `kube-system`.
    fn default() -> Self {
        Exempt {
            users: vec!["system:apiserver".into()],
            groups: Vec::new(),
            namespaces: vec!["kube-system".into()],
        }
    }
}

/// The `admission:` section of the configuration and the `admission` engine option.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct AdmissionSettings {
    /// Mode per severity; a severity not given keeps its default (`enforce` for `high` and
    /// `critical`, `warn` for the others).
    pub modes: BTreeMap<Severity, Mode>,
    /// Mode per policy id or id prefix (`pod-security/restricted`), over the severity's; the
    /// longest prefix that matches wins.
    pub policies: BTreeMap<String, Mode>,
    /// Requests allowed without being judged.
    pub exempt: Exempt,
    /// What an `UPDATE` is denied for.
    pub on_update: OnUpdate,
    /// Pod Security level per namespace, used when pods are judged `from-namespace` (the
    /// webhook sees no Namespace object); a namespace not listed is judged at `restricted`,
    /// unless the caller passes its labels.
    pub namespace_levels: BTreeMap<String, Level>,
}

impl AdmissionSettings {
    /// The mode of a finding of policy `id` at severity `severity`.
    pub fn mode(&self, id: &str, severity: Severity) -> Mode {
        let by_policy = self
            .policies
            .iter()
            .filter(|(prefix, _)| id_matches(id, prefix))
            .max_by_key(|(prefix, _)| prefix.trim_end_matches(['*', '/']).len())
            .map(|(_, mode)| *mode);
        by_policy
            .or_else(|| self.modes.get(&severity).copied())
            .unwrap_or(if severity >= Severity::High {
                Mode::Enforce
            } else {
                Mode::Warn
            })
    }

    /// Policy ids (or prefixes) of `policies` that name no loaded policy.
    pub fn unknown_policies<'a>(&'a self, ids: &'a [&str]) -> impl Iterator<Item = &'a String> + 'a {
        self.policies
            .keys()
            .filter(move |prefix| !ids.iter().any(|id| id_matches(id, prefix)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_enforce_high_and_critical_and_warn_the_rest() {
        let s = AdmissionSettings::default();
        assert_eq!(s.mode("x", Severity::Critical), Mode::Enforce);
        assert_eq!(s.mode("x", Severity::High), Mode::Enforce);
        assert_eq!(s.mode("x", Severity::Medium), Mode::Warn);
        assert_eq!(s.mode("x", Severity::Info), Mode::Warn);
        assert_eq!(s.exempt.namespaces, vec!["kube-system".to_owned()]);
    }

    #[test]
    fn the_longest_policy_prefix_wins_over_the_severity() {
        let s: AdmissionSettings = serde_json::from_str(
            r#"{"modes": {"high": "audit"}, "policies": {"pod-security": "warn", "pod-security/baseline/privileged": "enforce"}}"#,
        )
        .unwrap();
        assert_eq!(s.mode("pod-security/baseline/privileged", Severity::Low), Mode::Enforce);
        assert_eq!(s.mode("pod-security/baseline/host-pid", Severity::High), Mode::Warn);
        assert_eq!(s.mode("images/latest-tag", Severity::High), Mode::Audit);
        assert_eq!(s.mode("images/latest-tag", Severity::Critical), Mode::Enforce);
    }

    #[test]
    fn unknown_fields_are_refused() {
        assert!(serde_json::from_str::<AdmissionSettings>(r#"{"mode": {}}"#).is_err());
        assert!(serde_json::from_str::<AdmissionSettings>(r#"{"onUpdate": "sometimes"}"#).is_err());
    }
}
