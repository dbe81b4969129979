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
    /// The file's text.
    pub text: String,
}

/// The level pods are judged at.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LevelChoice {
    /// The baseline level of the Pod Security Standards.
    Baseline,
    #[default]
    /// The restricted level (the default).
    Restricted,
    /// The level the pod's Namespace enforces (in the same scan); the default level otherwise.
    FromNamespace,
}

impl LevelChoice {
    /// Reads `baseline`, `restricted` or `from-namespace`.
    pub fn parse(text: &str) -> Option<LevelChoice> {
        match text {
            "baseline" => Some(LevelChoice::Baseline),
            "restricted" => Some(LevelChoice::Restricted),
            "from-namespace" => Some(LevelChoice::FromNamespace),
            _ => None,
        }
    }
}

/// Defines [`Options`] and [`OptionLayer`] from one list of fields (name, type, default), so
/// that the engine options, the configuration file's and a caller's settings cannot drift.
macro_rules! engine_options {
    ($( $(#[$meta:meta])* $field:ident: $ty:ty = $default:expr, )*) => {
        /// What an engine is built from.
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        #[serde(default, rename_all = "camelCase", deny_unknown_fields)]
        pub struct Options {
            $( $(#[$meta])* pub $field: $ty, )*
        }

        impl Default for Options {
            fn default() -> Self {
                Options { $( $field: $default, )* }
            }
        }

        /// [`Options`] with each field unset until a layer sets it: a configuration file's,
        /// a caller's (command-line flags, a binding's arguments). Layers are laid one over
        /// the other ([`OptionLayer::over`]), then over the defaults ([`OptionLayer::resolve`]).
        #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
        #[serde(default, rename_all = "camelCase", deny_unknown_fields)]
        pub struct OptionLayer {
            $( $(#[$meta])* #[serde(skip_serializing_if = "Option::is_none")] pub $field: Option<$ty>, )*
        }

        /// The fields' names, in their Rust spelling and in order.
        const FIELD_NAMES: &[&str] = &[$( stringify!($field), )*];

        impl OptionLayer {
            /// This layer over `below`: a field set here wins.
            pub fn over(self, below: OptionLayer) -> OptionLayer {
                OptionLayer { $( $field: self.$field.or(below.$field), )* }
            }

            /// The options: a field no layer set takes its default.
            pub fn resolve(self) -> Options {
                let d = Options::default();
                Options { $( $field: self.$field.unwrap_or(d.$field), )* }
            }
        }
    };
}

engine_options! {
    /// Load the built-in policies.
    builtin: bool = true,
    /// More policy files.
    policies: Vec<PolicyText> = Vec::new(),
    /// Keep only these policies and the policies below them, by whole `/`-separated parts
    /// (`pod-security`, `pod-security/baseline/*`); a value that matches no policy is an error.
    select: Vec<String> = Vec::new(),
    /// Drop these policies and the policies below them, like `select`.
    ignore: Vec<String> = Vec::new(),
    /// Parameter values: policy id → parameter → value.
    params: ParamOverrides = ParamOverrides::new(),
    /// Severity per policy id, replacing the policy's own.
    severities: BTreeMap<String, Severity> = BTreeMap::new(),
    /// The level pods are judged at.
    pod_security_level: LevelChoice = LevelChoice::default(),
    /// `v1.N` or `latest`.
    pod_security_version: String = "latest".into(),
    /// Input limits.
    limits: Limits = Limits::default(),
    /// How admission reviews are answered (modes, exemptions, `UPDATE`, namespace levels).
    admission: crate::admission::AdmissionSettings = crate::admission::AdmissionSettings::default(),
}

impl OptionLayer {
    /// The options that the JSON map `given` sets, read from `options` (the same map, checked).
    pub fn given(options: &Options, given: &serde_json::Map<String, serde_json::Value>) -> OptionLayer {
        let all = serde_json::to_value(options).unwrap_or_default();
        let set: serde_json::Map<String, serde_json::Value> = all
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(k, _)| given.contains_key(*k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        serde_json::from_value(serde_json::Value::Object(set)).unwrap_or_default()
    }
}

/// The options' names in JSON (`podSecurityLevel`), from their definition.
fn option_fields() -> Vec<String> {
    FIELD_NAMES
        .iter()
        .map(|f| {
            let mut parts = f.split('_');
            let first = parts.next().unwrap_or_default().to_owned();
            parts.fold(first, |mut out, p| {
                let mut chars = p.chars();
                out.extend(chars.next().map(|c| c.to_ascii_uppercase()));
                out.push_str(chars.as_str());
                out
            })
        })
        .collect()
}

/// True when `id` is `prefix` or lies below it (`pod-security` selects `pod-security/…`).
pub fn id_matches(id: &str, prefix: &str) -> bool {
    let prefix = prefix.trim_end_matches(['*', '/']);
    prefix.is_empty() || id == prefix || id.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('/'))
}

/// Which option a mistake is about; [`OptionRef::path`] finds it in a configuration file,
/// whose fields have the same names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OptionRef {
    /// The value of `select` at this index.
    Select(usize),
    /// The value of `ignore` at this index.
    Ignore(usize),
    /// A policy id under `params`, or one of its parameter names.
    Param {
        /// The policy id.
        policy: String,
        /// The parameter name, when the mistake is about one.
        param: Option<String>,
    },
    /// A policy id under `severities`.
    Severity(String),
}

/// One step from a configuration file's root towards a value: a map key or a list index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathStep {
    /// A map key.
    Key(String),
    /// A list index.
    Index(usize),
}

impl OptionRef {
    /// The option's name, as in the configuration file and the JSON options.
    pub fn name(&self) -> &'static str {
        match self {
            OptionRef::Select(_) => "select",
            OptionRef::Ignore(_) => "ignore",
            OptionRef::Param { .. } => "params",
            OptionRef::Severity(_) => "severities",
        }
    }

    /// The keys and indexes leading to the value (for a map entry, to its key).
    pub fn path(&self) -> Vec<PathStep> {
        let key = |k: &str| PathStep::Key(k.to_owned());
        match self {
            OptionRef::Select(i) | OptionRef::Ignore(i) => vec![key(self.name()), PathStep::Index(*i)],
            OptionRef::Param { policy, param } => {
                let mut path = vec![key("params"), key(policy)];
                path.extend(param.as_deref().map(key));
                path
            }
            OptionRef::Severity(policy) => vec![key("severities"), key(policy)],
        }
    }
}

/// A mistake in the options that name policies: a `select` or `ignore` value that matches
/// no policy, parameters or a severity for a policy (or a parameter) that does not exist.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("option `{}`: {message}", .option.name())]
pub struct OptionError {
    /// The option that is wrong.
    pub option: OptionRef,
    /// What is wrong, without the option's name.
    pub message: String,
}

/// The options that name policies, checked against the policies loaded (before `select`
/// and `ignore` apply): every mistake, in the order of the options.
pub(crate) fn check_policy_names(options: &Options, policies: &[crate::Policy]) -> Vec<OptionError> {
    let ids: Vec<&str> = policies.iter().map(|p| p.id.as_str()).collect();
    // The findings the engine itself reports (suppressions, exceptions) have ids too.
    let own = [super::MISSING_REASON_ID, super::EXPIRED_ID, super::STALE_ID];
    let known: Vec<&str> = ids.iter().copied().chain(own).collect();
    let mut errors = Vec::new();
    let patterns = options
        .select
        .iter()
        .enumerate()
        .map(|(i, s)| (OptionRef::Select(i), s))
        .chain(
            options
                .ignore
                .iter()
                .enumerate()
                .map(|(i, s)| (OptionRef::Ignore(i), s)),
        );
    for (option, pattern) in patterns {
        if !known.iter().any(|id| id_matches(id, pattern)) {
            errors.push(OptionError {
                option,
                message: matches_nothing(pattern, &ids),
            });
        }
    }
    for (id, values) in &options.params {
        let option = OptionRef::Param {
            policy: id.clone(),
            param: None,
        };
        // A pack (`detect`, `detect/*`) sets a parameter for every policy of it that has one.
        let matched: Vec<&crate::Policy> = match policies.iter().find(|p| &p.id == id) {
            Some(p) => vec![p],
            None => policies.iter().filter(|p| id_matches(&p.id, id)).collect(),
        };
        if matched.is_empty() {
            errors.push(OptionError {
                option,
                message: unknown_policy(id, &ids),
            });
            continue;
        }
        let mut names: Vec<&str> = matched
            .iter()
            .flat_map(|p| p.params.iter().map(|q| q.name.as_str()))
            .collect();
        names.sort_unstable();
        names.dedup();
        for name in values.keys().filter(|n| !names.contains(&n.as_str())) {
            let hint = crate::policy::suggest(name, &names)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            let known = if names.is_empty() {
                "it has none".to_owned()
            } else {
                format!("it has {}", quoted_list(&names))
            };
            errors.push(OptionError {
                option: OptionRef::Param {
                    policy: id.clone(),
                    param: Some(name.clone()),
                },
                message: format!("policy `{id}` has no parameter `{}` ({known}){hint}", user_text(name)),
            });
        }
    }
    for id in options.severities.keys() {
        if !ids.contains(&id.as_str()) {
            errors.push(OptionError {
                option: OptionRef::Severity(id.clone()),
                message: unknown_policy(id, &ids),
            });
        }
    }
    errors
}

fn unknown_policy(id: &str, ids: &[&str]) -> String {
    let hint = crate::policy::suggest(id, ids)
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default();
    format!("there is no policy `{}`{hint}", user_text(id))
}

/// Why a `select`/`ignore` value selects nothing, with the closest id or prefix.
fn matches_nothing(pattern: &str, ids: &[&str]) -> String {
    let rule = "a value selects a policy id and the policies below it, by whole `/`-separated parts: \
                `pod-security`, `pod-security/baseline`, `pod-security/baseline/*`";
    if ids.is_empty() {
        return format!("`{}` matches no policy: no policies are loaded", user_text(pattern));
    }
    // Every id and every prefix of whole parts.
    let mut candidates: Vec<String> = Vec::new();
    for id in ids {
        let mut prefix = String::new();
        for part in id.split('/') {
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(part);
            candidates.push(prefix.clone());
        }
    }
    candidates.sort();
    candidates.dedup();
    let base = pattern.trim_end_matches(['*', '/']);
    // A prefix cut inside a part (`workload/read-only`): the shortest id or prefix it begins.
    let started = candidates
        .iter()
        .filter(|c| !base.is_empty() && c.starts_with(base))
        .min_by_key(|c| c.len());
    let refs: Vec<&str> = candidates.iter().map(String::as_str).collect();
    let hint = match started
        .map(String::as_str)
        .or_else(|| crate::policy::suggest(base, &refs))
    {
        Some(s) => format!("did you mean `{s}`?"),
        None => {
            let mut packs: Vec<&str> = ids.iter().filter_map(|id| id.split('/').next()).collect();
            packs.dedup();
            packs.sort_unstable();
            packs.dedup();
            format!("the policy ids start with {}", quoted_list(&packs))
        }
    };
    format!("`{}` matches no policy ({rule}); {hint}", user_text(pattern))
}

fn quoted_list(items: &[&str]) -> String {
    items.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ")
}

/// A user's text for a message: control characters and backticks escaped.
fn user_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '`' => out.push_str("\\`"),
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out
}

/// A note when the Pod Security version asked for is newer than the newest known: the
/// newest known version's checks apply (a newer Kubernetes keeps them unless it changes them).
pub(crate) fn version_note(text: &str) -> Option<String> {
    let t = text.trim();
    let minor: u32 = t
        .strip_prefix('v')
        .unwrap_or(t)
        .strip_prefix("1.")?
        .split('.')
        .next()?
        .parse()
        .ok()?;
    let newest = crate::policy::Version::LATEST;
    (minor > newest.0).then(|| {
        format!(
            "Pod Security version `{}` is newer than {newest}, the newest this release of Rempart knows; \
             the checks of {newest} apply",
            user_text(t)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Engine, EngineError};

    fn mistakes(options: &Options) -> Vec<OptionError> {
        match Engine::new(options) {
            Err(EngineError::InvalidOptions(m)) => m,
            other => panic!("expected option mistakes, got {other:?}"),
        }
    }

    #[test]
    fn values_that_name_no_policy_are_mistakes_with_a_suggestion() {
        let m = mistakes(&Options {
            select: vec!["pod-security".into(), "workload/read-only".into(), "nope".into()],
            ignore: vec!["imagez".into()],
            ..Options::default()
        });
        assert_eq!(m.len(), 3, "{m:?}");
        assert_eq!(m[0].option, OptionRef::Select(1));
        assert!(
            m[0].message
                .ends_with("did you mean `workload/read-only-root-filesystem`?"),
            "{}",
            m[0]
        );
        assert_eq!(m[1].option, OptionRef::Select(2));
        assert!(m[1].message.contains("the policy ids start with `audit`"), "{}", m[1]);
        assert_eq!(m[2].option, OptionRef::Ignore(0));
        assert!(
            m[2].to_string()
                .starts_with("option `ignore`: `imagez` matches no policy"),
            "{}",
            m[2]
        );
        assert!(m[2].message.ends_with("did you mean `images`?"), "{}", m[2]);
        for good in [
            "pod-security/baseline/*",
            "pod-security/",
            "rempart",
            "images/latest-tag",
        ] {
            let options = Options {
                select: vec![good.into()],
                ..Options::default()
            };
            assert!(Engine::new(&options).is_ok(), "{good}");
        }
    }

    #[test]
    fn parameters_of_an_existing_policy_are_checked_by_name() {
        let mut params = crate::policy::ParamOverrides::new();
        params.insert(
            "pod-security/namespace-enforce-level".into(),
            [("bogus".to_owned(), serde_json::json!(1))].into_iter().collect(),
        );
        let m = mistakes(&Options {
            params,
            ..Options::default()
        });
        assert_eq!(m.len(), 1, "one mistake, no false `does not exist`: {m:?}");
        assert_eq!(
            m[0].option.path(),
            vec![
                PathStep::Key("params".into()),
                PathStep::Key("pod-security/namespace-enforce-level".into()),
                PathStep::Key("bogus".into())
            ]
        );
        assert!(
            m[0].message.contains("has no parameter `bogus` (it has `exempt`)"),
            "{}",
            m[0]
        );
    }

    #[test]
    fn layers_lay_set_fields_over_each_other_then_the_defaults() {
        let file = OptionLayer {
            select: Some(vec!["images".into()]),
            pod_security_version: Some("v1.29".into()),
            ..OptionLayer::default()
        };
        let flags = OptionLayer {
            select: Some(vec!["pod-security".into()]),
            ..OptionLayer::default()
        };
        let options = flags.over(file).resolve();
        assert_eq!(options.select, ["pod-security"]);
        assert_eq!(options.pod_security_version, "v1.29");
        assert_eq!((options.builtin, options.limits), (true, Limits::default()));
        // Only the options the JSON names are set.
        let json = serde_json::json!({"podSecurityLevel": "baseline", "builtin": true});
        let given = OptionLayer::given(
            &Options::from_json(&json.to_string(), OptionNames::CamelCase).unwrap(),
            json.as_object().unwrap(),
        );
        assert_eq!(given.pod_security_level, Some(LevelChoice::Baseline));
        assert_eq!((given.builtin, given.select.is_none()), (Some(true), true));
        assert_eq!(option_fields().first().map(String::as_str), Some("builtin"));
        assert!(option_fields().contains(&"podSecurityLevel".to_owned()));
    }

    #[test]
    fn versions_newer_than_known_get_a_note() {
        assert!(version_note("v1.30").is_none() && version_note("latest").is_none());
        let note = version_note("v1.99").unwrap();
        let newest = crate::policy::Version::LATEST;
        assert!(note.contains(&format!("`v1.99` is newer than {newest}")), "{note}");
        assert!(note.ends_with(&format!("the checks of {newest} apply")), "{note}");
        let engine = Engine::new(&Options {
            pod_security_version: "1.99.2".into(),
            ..Options::default()
        })
        .unwrap();
        let report = engine.scan_source(&crate::Source::new("a.yaml", "a: 1"));
        assert_eq!(
            report.notes.iter().filter(|n| n.file == "options").count(),
            1,
            "{:?}",
            report.notes
        );
    }

    #[test]
    fn user_text_is_escaped() {
        assert_eq!(user_text("a`b\n"), "a\\`b\\n");
    }
}

/// How the bindings spell the top-level options in messages: `podSecurityLevel` (JSON,
/// JavaScript) or `pod_security_level` (Python keyword arguments).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionNames {
    /// `podSecurityLevel`.
    CamelCase,
    /// `pod_security_level`.
    SnakeCase,
}

const LIMIT_FIELDS: &[&str] = &[
    "maxDocumentBytes",
    "maxDocuments",
    "maxDepth",
    "maxAliasNodes",
    "maxScalarBytes",
    "maxInputBytes",
    "maxPolicies",
    "maxComparisons",
];

impl OptionNames {
    /// `name` (a field name in snake case) as this spelling writes it.
    pub fn spell(self, name: &str) -> String {
        match self {
            OptionNames::CamelCase => name.to_owned(),
            OptionNames::SnakeCase => name.chars().fold(String::new(), |mut out, c| {
                if c.is_ascii_uppercase() {
                    out.push('_');
                }
                out.push(c.to_ascii_lowercase());
                out
            }),
        }
    }
}

impl Options {
    /// Reads the engine options from JSON (the shape the bindings send). A mistake names the
    /// option and what it accepts, never a position in the JSON text.
    pub fn from_json(text: &str, names: OptionNames) -> Result<Options, String> {
        if text.trim().is_empty() {
            return Ok(Options::default());
        }
        serde_json::from_str(text).map_err(|e| options_error_message(text, &e, names))
    }
}

/// Turns serde's error about the JSON options into a message that names the option and the
/// values it accepts: "option `podSecurityLevel`: `bogus` is not one of `baseline`, …".
pub fn options_error_message(text: &str, error: &serde_json::Error, names: OptionNames) -> String {
    let value: serde_json::Value = match serde_json::from_str(text) {
        Ok(value) => value,
        Err(e) => {
            return match top_level_key_at(text, e.line(), e.column()) {
                Some(key) => format!(
                    "option `{}`: its value cannot be written as JSON (NaN and infinities are not allowed)",
                    names.spell(&key)
                ),
                None => format!("the options are not valid JSON ({})", without_position(&e)),
            };
        }
    };
    let Some(map) = value.as_object() else {
        return format!(
            "the options must be a map of option names to values, not {}",
            describe(&value)
        );
    };
    for (key, v) in map {
        let option = names.spell(key);
        let fields = option_fields();
        if !fields.contains(key) {
            let spelled: Vec<String> = fields.iter().map(|f| names.spell(f)).collect();
            let refs: Vec<&str> = spelled.iter().map(String::as_str).collect();
            let hint = crate::policy::suggest(&option, &refs)
                .map(|s| format!("did you mean `{s}`? "))
                .unwrap_or_default();
            return format!(
                "unknown option `{}`; {hint}(the options are {})",
                user_text(&option),
                quoted_list(&refs)
            );
        }
        let single = serde_json::json!({ key: v });
        let Err(e) = serde_json::from_value::<Options>(single) else {
            continue;
        };
        let problem = match key.as_str() {
            "builtin" => format!("{} is not `true` or `false`", describe(v)),
            "policies" => format!("{} is not a list of policy texts (`{{name, text}}` each)", describe(v)),
            "select" | "ignore" => format!("{} is not a list of policy ids or prefixes", describe(v)),
            "params" => match v.as_object() {
                Some(m) => match m.iter().find(|(_, p)| !p.is_object()) {
                    Some((id, p)) => format!(
                        "the parameters of `{}` are {}, not a map of parameter names to values",
                        user_text(id),
                        describe(p)
                    ),
                    None => without_position(&e),
                },
                None => format!("{} is not a map of policy ids to `{{parameter: value}}`", describe(v)),
            },
            "severities" => {
                let accepted = "`info`, `low`, `medium`, `high`, `critical`";
                match v.as_object() {
                    Some(m) => match m
                        .iter()
                        .find(|(_, s)| s.as_str().and_then(crate::Severity::parse).is_none())
                    {
                        Some((id, s)) => {
                            format!("{} for `{}` is not one of {accepted}", describe(s), user_text(id))
                        }
                        None => without_position(&e),
                    },
                    None => format!("{} is not a map of policy ids to a severity ({accepted})", describe(v)),
                }
            }
            "podSecurityLevel" => {
                format!(
                    "{} is not one of `baseline`, `restricted`, `from-namespace`",
                    describe(v)
                )
            }
            "podSecurityVersion" => format!("{} is not a version like `v1.29`, or `latest`", describe(v)),
            "limits" => return limits_message(v, &option, &e),
            _ => without_position(&e),
        };
        return format!("option `{option}`: {problem}");
    }
    format!("invalid options: {}", without_position(error))
}

fn limits_message(v: &serde_json::Value, option: &str, e: &serde_json::Error) -> String {
    let Some(map) = v.as_object() else {
        return format!(
            "option `{option}`: {} is not a map of limit names to numbers",
            describe(v)
        );
    };
    for (name, n) in map {
        if !LIMIT_FIELDS.contains(&name.as_str()) {
            let hint = crate::policy::suggest(name, LIMIT_FIELDS)
                .map(|s| format!("did you mean `{s}`? "))
                .unwrap_or_default();
            return format!(
                "option `{option}`: unknown limit `{}`; {hint}(the limits are {})",
                user_text(name),
                quoted_list(LIMIT_FIELDS)
            );
        }
        if n.as_u64().is_none_or(|n| usize::try_from(n).is_err()) {
            return format!(
                "option `{option}.{name}`: {} is not a whole number of 0 or more",
                describe(n)
            );
        }
    }
    format!("option `{option}`: {}", without_position(e))
}

/// A JSON value as a message shows it: a string or number in backticks, else its kind.
fn describe(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => format!("`{}`", user_text(s)),
        serde_json::Value::Number(n) => format!("`{n}`"),
        serde_json::Value::Bool(b) => format!("`{b}`"),
        serde_json::Value::Null => "null".into(),
        serde_json::Value::Array(_) => "a list".into(),
        serde_json::Value::Object(_) => "a map".into(),
    }
}

/// serde's message without its " at line L column C".
fn without_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    text.strip_suffix(&suffix).unwrap_or(&text).to_owned()
}

/// The top-level key whose value holds the 1-based `line` and `column` of a JSON text.
fn top_level_key_at(text: &str, line: usize, column: usize) -> Option<String> {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let end = text
        .get(line_start..)?
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(text.len(), |(i, _)| line_start + i);
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    let (mut current, mut last_string, mut key) = (String::new(), None::<String>, None::<String>);
    for c in text.get(..end)?.chars() {
        if in_string {
            match (escaped, c) {
                (true, _) => {
                    escaped = false;
                    current.push(c);
                }
                (false, '\\') => escaped = true,
                (false, '"') => {
                    in_string = false;
                    last_string = Some(std::mem::take(&mut current));
                }
                (false, c) => current.push(c),
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '{' | '[' => depth += 1,
            '}' | ']' => depth = depth.saturating_sub(1),
            ':' if depth == 1 => key = last_string.take(),
            _ => {}
        }
    }
    key
}

#[cfg(test)]
mod json_tests {
    use super::*;

    fn message(json: &str, names: OptionNames) -> String {
        let m = Options::from_json(json, names).unwrap_err();
        assert!(
            !m.contains(" line ") && !m.contains(" column "),
            "no serde position: {m}"
        );
        m
    }

    #[test]
    fn mistakes_name_the_option_and_what_it_accepts() {
        let camel = OptionNames::CamelCase;
        assert_eq!(
            message(r#"{"builtin": true, "podSecurityLevel": "bogus"}"#, camel),
            "option `podSecurityLevel`: `bogus` is not one of `baseline`, `restricted`, `from-namespace`"
        );
        assert_eq!(
            message(r#"{"podSecurityLevel": "bogus"}"#, OptionNames::SnakeCase),
            "option `pod_security_level`: `bogus` is not one of `baseline`, `restricted`, `from-namespace`"
        );
        assert_eq!(
            message(
                r#"{"builtin": true, "limits": {"maxDepth": NaN}}"#,
                OptionNames::SnakeCase
            ),
            "option `limits`: its value cannot be written as JSON (NaN and infinities are not allowed)"
        );
        assert_eq!(
            message(r#"{"limits": {"maxDepth": null}}"#, camel),
            "option `limits.maxDepth`: null is not a whole number of 0 or more"
        );
        assert!(message(r#"{"limits": {"maxDepht": 3}}"#, camel)
            .contains("unknown limit `maxDepht`; did you mean `maxDepth`?"));
        assert!(message(r#"{"selekt": ["x"]}"#, camel).starts_with("unknown option `selekt`; did you mean `select`?"));
        assert_eq!(
            message(r#"{"severities": {"images/latest-tag": "urgent"}}"#, camel),
            "option `severities`: `urgent` for `images/latest-tag` is not one of `info`, `low`, `medium`, `high`, `critical`"
        );
        assert_eq!(
            message(r#"{"select": "pod-security"}"#, camel),
            "option `select`: `pod-security` is not a list of policy ids or prefixes"
        );
        assert_eq!(
            message(r#"{"params": {"a/b": 3}}"#, camel),
            "option `params`: the parameters of `a/b` are `3`, not a map of parameter names to values"
        );
        assert!(message("[1]", camel).starts_with("the options must be a map"));
        assert!(
            Options::from_json("", camel).is_ok() && Options::from_json(r#"{"select": ["images"]}"#, camel).is_ok()
        );
    }
}
