//! Reading policy files: every mistake is collected with its file, line and column, and
//! unknown fields get a "did you mean".

use std::collections::BTreeMap;
use std::sync::Arc;

use regex::Regex;
use serde::Serialize;

use super::condition::{Condition, Lookup, Op, Ordering, Quantifier, Subject};
use super::define::{self, builtin_definitions, is_definitions, load_definitions, Definitions};
use super::examples_cut::examples_start;
use super::model::{
    Docs, Each, Iteration, KindPattern, Level, Match, Param, Part, Policy, Rule, Severity, Status, Template, TestCase,
    Tests,
};
use super::path::Path;
use super::version::{Version, VersionRange};
use crate::decode::{Decoder, Fields};
use crate::document::{parse_stream, Limits, Node, Source, Span, Value};

/// A mistake in a policy file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct PolicyError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Parameter values that replace policy defaults: policy id → parameter → value.
pub type ParamOverrides = BTreeMap<String, BTreeMap<String, serde_json::Value>>;

const POLICY_FIELDS: &[&str] = &[
    "id",
    "title",
    "severity",
    "category",
    "standards",
    "docs",
    "match",
    "versions",
    "params",
    "unless",
    "rules",
    "overrides",
    "since",
    "status",
    "replacement",
    "tests",
];
const RULE_FIELDS: &[&str] = &["each", "when", "deny", "at", "message", "versions"];
const SUBJECTS: &[&str] = &["path", "effective", "keys", "flag", "param"];
const OPS: &[&str] = &[
    "present",
    "equals",
    "in",
    "notIn",
    "inPath",
    "notInPath",
    "contains",
    "excludes",
    "matches",
    "prefix",
    "suffix",
    "gt",
    "gte",
    "lt",
    "lte",
    "longerThan",
    "shorterThan",
    "type",
    "certificateOrganization",
    "tagVersion",
];
const LOGIC: &[&str] = &["all", "any", "not", "some", "use", "lookup", "network", "managed"];
const VERSIONS: &[&str] = &["since", "until"];
const FIXTURE_CHANGES: &[&str] = &["fixture", "patch", "splice", "container", "without", "flags"];
const TYPES: &[&str] = &["null", "boolean", "number", "integer", "string", "list", "map"];

/// Reads every policy of a policy file. A file may hold several documents, one policy each,
/// and documents of definitions; its policies may use those and the built-in definitions.
pub fn load_policies(source: &Source, overrides: &ParamOverrides) -> (Vec<Policy>, Vec<PolicyError>) {
    load_alone(source, overrides, true)
}

/// A file read on its own: its definitions on top of the built-in ones.
fn load_alone(source: &Source, overrides: &ParamOverrides, examples: bool) -> (Vec<Policy>, Vec<PolicyError>) {
    let (builtin, builtin_errors) = builtin_definitions();
    let (defs, mut errors) = load_definitions(builtin, std::slice::from_ref(source));
    let (policies, more) = load_policies_with(source, overrides, &Arc::new(defs), examples);
    errors.extend(more);
    errors.extend(builtin_errors.iter().cloned());
    (policies, errors)
}

/// Reads the policies of a file with definitions read beforehand (from every file at once);
/// its definitions documents are skipped. Without `examples`, see
/// [`load_policies_without_examples`].
pub fn load_policies_with(
    source: &Source,
    overrides: &ParamOverrides,
    defs: &Arc<Definitions>,
    examples: bool,
) -> (Vec<Policy>, Vec<PolicyError>) {
    if examples {
        return load(source, Arc::from(source.text.as_str()), overrides, true, defs);
    }
    let whole: Arc<str> = Arc::from(source.text.as_str());
    match examples_start(&source.text).and_then(|cut| source.text.get(..cut)) {
        Some(head) => load(&Source::new(source.name.clone(), head), whole, overrides, false, defs),
        None => load(source, whole, overrides, false, defs),
    }
}

/// Reads the policies of a file without their inline examples, which only `rempart test`
/// needs. When the file is one policy whose top-level `tests:` comes last (as in the built-in
/// packs, where the examples are most of the text), the text from there on is not even
/// parsed. The policies keep the whole text, and [`Policy::examples`] reads them from it.
pub fn load_policies_without_examples(source: &Source, overrides: &ParamOverrides) -> (Vec<Policy>, Vec<PolicyError>) {
    load_alone(source, overrides, false)
}

fn load(
    source: &Source,
    text: Arc<str>,
    overrides: &ParamOverrides,
    examples: bool,
    defs: &Arc<Definitions>,
) -> (Vec<Policy>, Vec<PolicyError>) {
    let mut loader = Loader {
        decoder: Decoder::new(source),
        text,
        examples,
        params: Vec::new(),
        bindings: Vec::new(),
        defs,
        shared: defs.clone(),
        lookups: Vec::new(),
    };
    let mut policies = Vec::new();
    let mut definitions = false;
    for doc in parse_stream(&source.text, &Limits::default()) {
        // A policy file must be unambiguous: errors of a document that was still read (a
        // repeated key) are errors here too.
        for e in doc.errors {
            loader.error_at(e.span, e.message);
        }
        match doc.result {
            Ok(node) if is_definitions(&node) => definitions = true,
            Ok(node) => {
                if let Some(p) = loader.policy(&node, overrides) {
                    policies.push(p);
                }
            }
            Err(e) => loader.error_at(e.span, e.message),
        }
    }
    if policies.is_empty() && !definitions && loader.errors.is_empty() {
        loader.error_at(Span::default(), "the file holds no policy".into());
    }
    (policies, loader.decoder.errors)
}

/// Reads policies and definitions; the generic checks (fields, strings, positioned errors)
/// are the [`Decoder`]'s.
pub(crate) struct Loader<'s, 'd> {
    pub(crate) decoder: Decoder<'s>,
    /// The file's text, kept by each policy.
    text: Arc<str>,
    /// Whether `tests` is read (and required); without it, the examples are read on demand.
    examples: bool,
    /// Parameters of the policy being read, with their values.
    params: Vec<(String, Node)>,
    /// Names bound by the enclosing `each`.
    bindings: Vec<String>,
    /// The definitions `use` and `fixture` name.
    defs: &'d Definitions,
    /// The same, kept by each policy (to read its examples again).
    shared: Arc<Definitions>,
    /// The kinds the policy being read looks up in the scan (`lookup`).
    lookups: Vec<KindPattern>,
}

impl<'s> std::ops::Deref for Loader<'s, '_> {
    type Target = Decoder<'s>;
    fn deref(&self) -> &Decoder<'s> {
        &self.decoder
    }
}

impl std::ops::DerefMut for Loader<'_, '_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.decoder
    }
}

impl<'s, 'd> Loader<'s, 'd> {
    /// A loader for the conditions of a definitions document: no parameters, no bound names.
    pub(crate) fn for_definitions(source: &'s Source, defs: &'d Definitions) -> Self {
        Loader {
            decoder: Decoder::new(source),
            text: Arc::from(""),
            examples: false,
            params: Vec::new(),
            bindings: Vec::new(),
            defs,
            shared: Arc::default(),
            lookups: Vec::new(),
        }
    }

    fn policy(&mut self, node: &Node, overrides: &ParamOverrides) -> Option<Policy> {
        let f = self.fields(node, "a policy", POLICY_FIELDS)?;
        let errors_before = self.errors.len();
        let id = self
            .required(&f, node, "id", "a policy")
            .and_then(|n| self.string(n, "`id`"));
        if let (Some(id), Some(n)) = (&id, f.get("id")) {
            let valid = !id.is_empty()
                && id.split('/').all(|seg| {
                    !seg.is_empty()
                        && seg
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                });
            if !valid {
                self.error(n, format!("policy id `{id}` must be lowercase words joined by `-`, in `/`-separated parts (like `images/latest-tag`)"));
            }
        }
        let title = self
            .required(&f, node, "title", "a policy")
            .and_then(|n| self.string(n, "`title`"));
        let severity = self.required(&f, node, "severity", "a policy").and_then(|n| {
            let s = self.string(n, "`severity`")?;
            let found = Severity::parse(&s);
            if found.is_none() {
                self.error(
                    n,
                    format!("severity `{s}` is not one of info, low, medium, high, critical"),
                );
            }
            found
        });
        let category = f
            .get("category")
            .and_then(|n| self.string(n, "`category`"))
            .unwrap_or_default();
        let standards = match f.get("standards") {
            Some(n) => match n.to_json() {
                serde_json::Value::Object(m) => m,
                _ => {
                    self.error(n, "`standards` must be a map, like `{cis: \"5.2.1\"}`");
                    serde_json::Map::new()
                }
            },
            None => serde_json::Map::new(),
        };
        if let Some(level) = standards.get("pod-security").and_then(|p| p.get("level")) {
            if level.as_str().and_then(Level::parse).is_none() {
                if let Some(n) = f.get("standards") {
                    self.error(n, "`standards.pod-security.level` must be `baseline` or `restricted`");
                }
            }
        }
        let docs = self
            .required(&f, node, "docs", "a policy")
            .and_then(|n| self.docs(n))
            .unwrap_or_default();
        let versions = f.get("versions").map(|n| self.versions(n)).unwrap_or_default();
        let pid = id.clone().unwrap_or_default();
        let params = f
            .get("params")
            .map(|n| self.params(n, overrides.get(&pid)))
            .unwrap_or_default();
        // Parameter names that the policy does not declare are reported by the engine, which
        // knows where the options come from (`check_policy_names`).
        self.params = params
            .iter()
            .map(|p| (p.name.clone(), Node::from_json(&p.value)))
            .collect();
        self.bindings.clear();
        self.lookups.clear();
        let matcher = self
            .required(&f, node, "match", "a policy")
            .and_then(|n| self.matcher(n))
            .unwrap_or_default();
        let unless = f.get("unless").map(|n| self.condition_list(n)).unwrap_or_default();
        let rules = self
            .required(&f, node, "rules", "a policy")
            .map(|n| self.rules(n, &matcher))
            .unwrap_or_default();
        let size = rules
            .iter()
            .flat_map(|r| r.when.iter().chain(std::iter::once(&r.deny)))
            .chain(&unless)
            .fold(0usize, |total, c| total.saturating_add(c.size()));
        if size > define::MAX_SIZE {
            self.error(
                node,
                format!(
                    "the policy holds more than {} conditions once the definitions it uses are counted",
                    define::MAX_SIZE
                ),
            );
        }
        let overrides_ids = f
            .get("overrides")
            .map(|n| self.strings(n, "`overrides`"))
            .unwrap_or_default();
        let (since, status) = self.lifecycle(&f, id.as_deref().unwrap_or_default());
        let tests = match (f.get("tests"), self.examples) {
            (_, false) => None,
            (Some(n), true) => Some(self.tests(n)),
            (None, true) => {
                self.error(node, "a policy needs `tests` with `pass` and `fail` examples");
                None
            }
        };
        if self.errors.len() > errors_before {
            return None;
        }
        Some(Policy {
            id: id?,
            title: title?,
            severity: severity?,
            category,
            standards,
            docs,
            matcher,
            versions,
            params,
            unless,
            rules,
            overrides: overrides_ids,
            since,
            status,
            lookups: std::mem::take(&mut self.lookups),
            tests,
            file: self.source.name.clone(),
            text: self.text.clone(),
            definitions: self.shared.clone(),
        })
    }

    /// `since` (the Rempart version that added the policy), `status` (`stable`, `preview`,
    /// `deprecated`) and, for a deprecated policy, its `replacement`.
    fn lifecycle(&mut self, f: &Fields<'_>, id: &str) -> (Option<String>, Status) {
        let since = f.get("since").and_then(|n| {
            let text = match &n.value {
                Value::Str(s) => s.clone(),
                _ => n.display(),
            };
            let valid = (2..=3).contains(&text.split('.').count())
                && text
                    .split('.')
                    .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
            if !valid {
                self.error(
                    n,
                    format!("`since` is the Rempart version that added the policy, like `\"0.4.0\"`, not `{text}`"),
                );
            }
            valid.then_some(text)
        });
        let replacement = f.get("replacement").and_then(|n| self.string(n, "`replacement`"));
        let status = match f.get("status").map(|n| (n, n.as_str())) {
            None | Some((_, Some("stable"))) => Status::Stable,
            Some((_, Some("preview"))) => Status::Preview,
            Some((n, Some("deprecated"))) => match &replacement {
                Some(r) if r != id => Status::Deprecated { replacement: r.clone() },
                Some(_) => {
                    self.error(n, "a deprecated policy cannot be its own `replacement`");
                    Status::Stable
                }
                None => {
                    self.error(
                        n,
                        "a deprecated policy names the policy to use instead: `replacement: pack/id`",
                    );
                    Status::Stable
                }
            },
            Some((n, _)) => {
                self.error(
                    n,
                    format!("status `{}` is not one of stable, preview, deprecated", n.display()),
                );
                Status::Stable
            }
        };
        if let (Some(n), false) = (f.get("replacement"), matches!(status, Status::Deprecated { .. })) {
            if f.get("status").and_then(Node::as_str) != Some("deprecated") || replacement.is_none() {
                self.error(n, "`replacement` goes with `status: deprecated`");
            }
        }
        (since, status)
    }

    fn docs(&mut self, node: &Node) -> Option<Docs> {
        let f = self.fields(node, "`docs`", &["why", "fix", "references"])?;
        let why = self
            .required(&f, node, "why", "`docs`")
            .and_then(|n| self.string(n, "`docs.why`"));
        let fix = self
            .required(&f, node, "fix", "`docs`")
            .and_then(|n| self.string(n, "`docs.fix`"));
        let references = f
            .get("references")
            .map(|n| self.strings(n, "`docs.references`"))
            .unwrap_or_default();
        Some(Docs {
            why: why?.trim().to_owned(),
            fix: fix?.trim().to_owned(),
            references,
        })
    }

    fn versions(&mut self, node: &Node) -> VersionRange {
        let Some(f) = self.fields(node, "`versions`", VERSIONS) else {
            return VersionRange::default();
        };
        self.versions_of(&f)
    }

    fn versions_of(&mut self, f: &Fields<'_>) -> VersionRange {
        let mut read = |key: &str| {
            let n = f.get(key)?;
            let text = match &n.value {
                Value::Str(s) => s.clone(),
                _ => {
                    self.error(
                        n,
                        format!("write the version as a string like `v1.25`, not `{}`", n.display()),
                    );
                    return None;
                }
            };
            match Version::parse(&text) {
                Ok(v) => Some(v),
                Err(e) => {
                    self.error(n, e);
                    None
                }
            }
        };
        VersionRange {
            since: read("since"),
            until: read("until"),
        }
    }

    fn params(&mut self, node: &Node, overrides: Option<&BTreeMap<String, serde_json::Value>>) -> Vec<Param> {
        let Some(entries) = node.as_map() else {
            self.error(
                node,
                "`params` must be a map of parameter names to `{default: …, description: …}`",
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (k, v) in entries {
            let name = k.as_str().unwrap_or_default().to_owned();
            let Some(f) = self.fields(v, "a parameter", &["default", "description"]) else {
                continue;
            };
            let Some(default) = self.required(&f, v, "default", "a parameter") else {
                continue;
            };
            let description = f
                .get("description")
                .and_then(|d| self.string(d, "`description`"))
                .unwrap_or_default();
            let value = overrides
                .and_then(|o| o.get(&name))
                .cloned()
                .unwrap_or_else(|| default.to_json());
            out.push(Param {
                name,
                description,
                value,
            });
        }
        out
    }

    fn matcher(&mut self, node: &Node) -> Option<Match> {
        let f = self.fields(
            node,
            "`match`",
            &[
                "pods",
                "kinds",
                "namespaces",
                "excludeNamespaces",
                "labels",
                "annotations",
            ],
        )?;
        let pods = match f.get("pods").map(|n| &n.value) {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                if let Some(n) = f.get("pods") {
                    self.error(n, "`pods` must be true or false");
                }
                false
            }
        };
        let kinds = f
            .get("kinds")
            .map(|n| self.strings(n, "a kind"))
            .unwrap_or_default()
            .iter()
            .map(|k| KindPattern::parse(k))
            .collect::<Vec<_>>();
        if !pods && kinds.is_empty() {
            self.error(node, "`match` needs `pods: true` or a list of `kinds`");
        }
        let namespaces = f
            .get("namespaces")
            .map(|n| self.strings(n, "a namespace"))
            .unwrap_or_default();
        let exclude_namespaces = f
            .get("excludeNamespaces")
            .map(|n| self.strings(n, "a namespace"))
            .unwrap_or_default();
        let labels = f.get("labels").map(|n| self.selector(n)).unwrap_or_default();
        let annotations = f.get("annotations").map(|n| self.selector(n)).unwrap_or_default();
        Some(Match {
            pods,
            kinds,
            namespaces,
            exclude_namespaces,
            labels,
            annotations,
        })
    }

    /// `{key: value}` (value null = any value).
    fn selector(&mut self, node: &Node) -> Vec<(String, Option<String>)> {
        let Some(entries) = node.as_map() else {
            self.error(node, "a selector must be a map of keys to values (null for any value)");
            return Vec::new();
        };
        entries
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().unwrap_or_default().to_owned(),
                    (!v.is_null()).then(|| v.display()),
                )
            })
            .collect()
    }

    fn rules(&mut self, node: &Node, matcher: &Match) -> Vec<Rule> {
        let Some(items) = node.as_seq().filter(|s| !s.is_empty()) else {
            self.error(node, "`rules` must be a non-empty list");
            return Vec::new();
        };
        items.iter().filter_map(|r| self.rule(r, matcher)).collect()
    }

    fn rule(&mut self, node: &Node, matcher: &Match) -> Option<Rule> {
        let f = self.fields(node, "a rule", RULE_FIELDS)?;
        self.bindings.clear();
        let each = f.get("each").map(|n| self.each(n, matcher)).unwrap_or_default();
        let when = f.get("when").and_then(|n| self.condition(n));
        let deny = self
            .required(&f, node, "deny", "a rule")
            .and_then(|n| self.condition(n));
        let at = f.get("at").and_then(|n| self.path(n));
        let message = self
            .required(&f, node, "message", "a rule")
            .and_then(|n| self.template(n));
        let versions = f.get("versions").map(|n| self.versions(n)).unwrap_or_default();
        self.bindings.clear();
        Some(Rule {
            each,
            when,
            deny: deny?,
            at,
            message: message?,
            versions,
        })
    }

    fn each(&mut self, node: &Node, matcher: &Match) -> Vec<Each> {
        match &node.value {
            Value::Seq(items) => items.iter().filter_map(|i| self.each_one(i, matcher)).collect(),
            _ => self.each_one(node, matcher).into_iter().collect(),
        }
    }

    fn each_one(&mut self, node: &Node, matcher: &Match) -> Option<Each> {
        let (over, name) = match &node.value {
            Value::Str(s) if s == "containers" => (self.containers(node, None, matcher)?, None),
            Value::Str(_) => (Iteration::Nodes(self.path(node)?), None),
            Value::Map(_) => {
                let f = self.fields(node, "`each`", &["containers", "path", "entries", "as"])?;
                let name = f.get("as").and_then(|n| self.string(n, "`as`"));
                let over = match (f.get("containers"), f.get("path"), f.get("entries")) {
                    (Some(c), None, None) => self.containers(node, Some(c), matcher)?,
                    (None, Some(p), None) => Iteration::Nodes(self.path(p)?),
                    (None, None, Some(p)) => Iteration::Entries(self.path(p)?),
                    _ => {
                        self.error(node, "`each` takes exactly one of `containers`, `path` or `entries`");
                        return None;
                    }
                };
                (over, name)
            }
            _ => {
                self.error(
                    node,
                    "`each` must be `containers`, a path, or a map like `{path: …, as: …}`",
                );
                return None;
            }
        };
        let name = name.unwrap_or_else(|| match &over {
            Iteration::Containers { .. } => "container".into(),
            Iteration::Entries(_) => "entry".into(),
            Iteration::Nodes(p) => p
                .steps
                .iter()
                .rev()
                .find_map(|s| match s {
                    super::path::Step::Key(k) => Some(k.strip_suffix('s').unwrap_or(k).to_owned()),
                    _ => None,
                })
                .unwrap_or_else(|| "item".into()),
        });
        self.bindings.push(name.clone());
        Some(Each { over, name })
    }

    fn containers(&mut self, node: &Node, kinds: Option<&Node>, matcher: &Match) -> Option<Iteration> {
        if !matcher.pods {
            self.error(node, "`each: containers` needs `match: {pods: true}`");
            return None;
        }
        let Some(kinds) = kinds else {
            return Some(Iteration::Containers {
                init: true,
                regular: true,
                ephemeral: true,
            });
        };
        let (mut init, mut regular, mut ephemeral) = (false, false, false);
        for k in kinds.as_seq().unwrap_or(std::slice::from_ref(kinds)) {
            match k.as_str() {
                Some("init") => init = true,
                Some("regular") => regular = true,
                Some("ephemeral") => ephemeral = true,
                _ => self.error(k, "container kinds are `init`, `regular` and `ephemeral`"),
            }
        }
        Some(Iteration::Containers {
            init,
            regular,
            ephemeral,
        })
    }

    fn path(&mut self, node: &Node) -> Option<Path> {
        let text = self.string(node, "a path")?;
        match Path::parse(&text, &self.bindings) {
            Ok(p) => Some(p),
            Err(e) => {
                self.error(node, e);
                None
            }
        }
    }

    fn condition_list(&mut self, node: &Node) -> Vec<Condition> {
        match &node.value {
            Value::Seq(items) => items.iter().filter_map(|c| self.condition(c)).collect(),
            _ => self.condition(node).into_iter().collect(),
        }
    }

    /// A condition; `since`/`until` in it limit it to a range of Kubernetes versions.
    pub(crate) fn condition(&mut self, node: &Node) -> Option<Condition> {
        let known: Vec<&str> = SUBJECTS
            .iter()
            .chain(OPS)
            .chain(LOGIC)
            .chain(VERSIONS)
            .copied()
            .collect();
        let f = self.fields(node, "a condition", &known)?;
        if VERSIONS.iter().any(|k| f.has(k)) {
            let range = self.versions_of(&f);
            let rest: Vec<(Node, Node)> = f
                .entries
                .iter()
                .filter(|(k, _)| !VERSIONS.contains(&k.as_str().unwrap_or_default()))
                .cloned()
                .collect();
            let inner = self.condition(&Node::new(Value::Map(rest), node.span))?;
            return Some(Condition::Versioned(range, Box::new(inner)));
        }
        let logic: Vec<&str> = LOGIC.iter().copied().filter(|k| f.has(k)).collect();
        if !logic.is_empty() {
            if f.entries.len() > 1 {
                self.error(
                    node,
                    "`all`, `any`, `not`, `some`, `use`, `lookup`, `network` and `managed` stand alone in a condition; nest the other tests inside them",
                );
                return None;
            }
            return match logic.first().copied() {
                Some("use") => self.named(f.get("use")?),
                Some("not") => Some(Condition::Not(Box::new(self.condition(f.get("not")?)?))),
                Some("some") => self.quantifier(f.get("some")?),
                Some("lookup") => self.lookup(f.get("lookup")?),
                Some("network") => self.network(f.get("network")?),
                Some("managed") => self.managed(f.get("managed")?),
                Some(key) => {
                    let list = f.get(key)?;
                    if list.as_seq().is_none_or(<[Node]>::is_empty) {
                        self.error(list, format!("`{key}` takes a non-empty list of conditions"));
                        return None;
                    }
                    let conds = self.condition_list(list);
                    Some(if key == "all" {
                        Condition::All(conds)
                    } else {
                        Condition::Any(conds)
                    })
                }
                None => None,
            };
        }
        let subjects: Vec<&str> = SUBJECTS.iter().copied().filter(|k| f.has(k)).collect();
        let subject = match subjects.as_slice() {
            [one] => {
                let n = f.get(one)?;
                match *one {
                    "path" => Subject::Path(self.path(n)?),
                    "keys" => Subject::Keys(self.path(n)?),
                    "flag" => {
                        let name = self.string(n, "`flag`")?;
                        if !name.starts_with('-') {
                            self.error(
                                n,
                                format!("flag `{name}` must be written with its dashes, like `--{name}`"),
                            );
                        }
                        Subject::Flag(name)
                    }
                    "param" => {
                        let name = self.string(n, "`param`")?;
                        let found = self.params.iter().find(|(p, _)| *p == name).map(|(_, v)| v.clone());
                        if found.is_none() {
                            self.error(n, format!("no parameter `{name}` is declared in `params`"));
                        }
                        Subject::Value(found?)
                    }
                    _ => Subject::Effective(self.effective(n)?),
                }
            }
            [] => {
                self.error(
                    node,
                    "a condition needs what it tests: `path`, `effective`, `keys` or `flag` (or `all`/`any`/`not`)",
                );
                return None;
            }
            _ => {
                self.error(
                    node,
                    format!(
                        "a condition tests one thing, but this one names {}",
                        subjects.join(" and ")
                    ),
                );
                return None;
            }
        };
        let mut ops = Vec::new();
        for (k, v) in f.entries {
            let key = k.as_str().unwrap_or_default();
            if OPS.contains(&key) {
                if let Some(op) = self.op(key, v) {
                    ops.push(op);
                }
            }
        }
        if ops.is_empty() {
            self.error(node, format!("a condition needs a test: one of {}", OPS.join(", ")));
            return None;
        }
        if ops.iter().any(|o| matches!(o, Op::Present(false))) && ops.len() > 1 {
            self.error(node, "`present: false` cannot be combined with tests of the value");
            return None;
        }
        Some(Condition::Test { subject, ops })
    }

    /// `use: name`: a condition of a definitions document, compiled once.
    fn named(&mut self, node: &Node) -> Option<Condition> {
        let name = self.string(node, "`use`")?;
        if let Some(c) = self.defs.conditions.get(&name) {
            // The kinds a definition looks up are the policy's to index, as if written in it.
            let mut kinds = Vec::new();
            c.condition.lookup_kinds(&mut kinds);
            for kind in kinds {
                if !self.lookups.contains(&kind) {
                    self.lookups.push(kind);
                }
            }
            return Some(Condition::Named(c.clone()));
        }
        if self.defs.broken.contains(&name) {
            self.error(
                node,
                format!("the definition `{name}` has a mistake (reported where it is defined)"),
            );
            return None;
        }
        let names: Vec<&str> = self.defs.conditions.keys().map(String::as_str).collect();
        let hint = suggest(&name, &names).map_or_else(
            || " (definitions are written under `define:` in a document without `id`)".to_owned(),
            |s| format!("; did you mean `{s}`?"),
        );
        self.error(node, format!("no definition `{name}`{hint}"));
        None
    }

    /// `lookup: {kind: …, name: path or paths, defaultName: …, namespace: path, as: name,
    /// where: condition}`.
    /// `managed: KIND`: the scan holds objects of that kind in the object's namespace.
    fn managed(&mut self, node: &Node) -> Option<Condition> {
        let kind = KindPattern::parse(&self.string(node, "`managed`")?);
        if kind.kind.is_empty() || kind.kind == "*" {
            self.error(node, "`managed` needs one kind, like `core/ConfigMap`");
            return None;
        }
        if !self.lookups.contains(&kind) {
            self.lookups.push(kind.clone());
        }
        Some(Condition::Managed(kind))
    }

    /// `network: CHECK`: a question to the scan's NetworkPolicy analysis.
    fn network(&mut self, node: &Node) -> Option<Condition> {
        let name = self.string(node, "`network`")?;
        let Some(check) = crate::netpol::checks::Check::parse(&name) else {
            let names = crate::netpol::checks::Check::NAMES;
            let hint = suggest(&name, &names).map_or_else(String::new, |s| format!("; did you mean `{s}`?"));
            self.error(node, format!("`network` asks one of `{}`, not `{name}`{hint}", names.join("`, `")));
            return None;
        };
        let kind = super::condition::network_kind();
        if !self.lookups.contains(&kind) {
            self.lookups.push(kind);
        }
        Some(Condition::Network(check))
    }

    fn lookup(&mut self, node: &Node) -> Option<Condition> {
        let what = "`lookup`";
        let f = self.fields(node, what, &["kind", "name", "defaultName", "namespace", "as", "where"])?;
        let kind = self
            .required(&f, node, "kind", what)
            .and_then(|n| self.string(n, "`kind`"))
            .map(|k| KindPattern::parse(&k));
        if let (Some(k), Some(n)) = (&kind, f.get("kind")) {
            if k.kind.is_empty() || k.kind == "*" {
                self.error(n, "`lookup` needs one kind, like `core/ServiceAccount`");
            }
        }
        let name = self.required(&f, node, "name", what).and_then(|n| match &n.value {
            Value::Seq(items) if !items.is_empty() => items.iter().map(|i| self.path(i)).collect(),
            Value::Str(_) => self.path(n).map(|p| vec![p]),
            _ => {
                self.error(
                    n,
                    "`name` of `lookup` takes a path or a list of paths (the first that holds a name wins)",
                );
                None
            }
        });
        let default_name = f.get("defaultName").and_then(|n| self.string(n, "`defaultName`"));
        let namespace = f.get("namespace").and_then(|n| self.path(n));
        let inner = match f.get("where") {
            Some(w) => {
                let bound = f
                    .get("as")
                    .and_then(|n| self.string(n, "`as`"))
                    .unwrap_or_else(|| "it".into());
                self.bindings.push(bound);
                let inner = self.condition(w);
                self.bindings.pop();
                Some(inner?)
            }
            None => {
                if let Some(n) = f.get("as") {
                    self.error(n, "`as` names the found object for `where`; add a `where` or drop `as`");
                }
                None
            }
        };
        let kind = kind?;
        if !self.lookups.contains(&kind) {
            self.lookups.push(kind.clone());
        }
        Some(Condition::Lookup(Box::new(Lookup {
            kind,
            name: name?,
            default_name,
            namespace,
            inner,
        })))
    }

    /// `some: {path: …, as: name, before: binding, where: condition}`.
    fn quantifier(&mut self, node: &Node) -> Option<Condition> {
        let f = self.fields(node, "`some`", &["path", "as", "before", "where"])?;
        let path = self.required(&f, node, "path", "`some`").and_then(|n| self.path(n));
        let before = f.get("before").and_then(|n| {
            let name = self.string(n, "`before`")?;
            let depth = self.bindings.iter().rposition(|b| *b == name);
            if depth.is_none() {
                let hint = if self.bindings.is_empty() {
                    "no `each` binds a name here".to_owned()
                } else {
                    format!(
                        "the names bound here are {}",
                        self.bindings
                            .iter()
                            .map(|b| format!("`{b}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                self.error(n, format!("`before: {name}` needs a name bound by `each`; {hint}"));
            }
            depth
        });
        let name = f
            .get("as")
            .and_then(|n| self.string(n, "`as`"))
            .unwrap_or_else(|| "it".into());
        let where_ = self.required(&f, node, "where", "`some`")?;
        self.bindings.push(name);
        let inner = self.condition(where_);
        self.bindings.pop();
        Some(Condition::Some(Box::new(Quantifier {
            path: path?,
            before,
            inner: inner?,
        })))
    }

    fn effective(&mut self, node: &Node) -> Option<Vec<Path>> {
        match &node.value {
            Value::Str(s) => {
                let own = Path::parse(s, &self.bindings);
                let pod = Path::parse(&format!("$.spec.{s}"), &self.bindings);
                match (own, pod) {
                    (Ok(a), Ok(b)) => Some(vec![a, b]),
                    (Err(e), _) | (_, Err(e)) => {
                        self.error(node, e);
                        None
                    }
                }
            }
            Value::Seq(items) if !items.is_empty() => items.iter().map(|i| self.path(i)).collect(),
            _ => {
                self.error(node, "`effective` takes a container field (`securityContext.runAsNonRoot`) or a list of paths, first set wins");
                None
            }
        }
    }

    /// A literal, or `{param: name}` for a parameter's value.
    fn operand(&mut self, node: &Node) -> Option<Node> {
        if let Some([(k, v)]) = node.as_map() {
            if k.as_str() == Some("param") {
                let name = self.string(v, "`param`")?;
                let found = self.params.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone());
                if found.is_none() {
                    let names: Vec<&str> = self.params.iter().map(|(n, _)| n.as_str()).collect();
                    let hint = suggest(&name, &names)
                        .map(|s| format!("; did you mean `{s}`?"))
                        .unwrap_or_default();
                    self.error(v, format!("no parameter `{name}` is declared in `params`{hint}"));
                }
                return found;
            }
        }
        Some(node.clone())
    }

    fn op(&mut self, key: &str, node: &Node) -> Option<Op> {
        let value = self.operand(node)?;
        let list = |this: &mut Self| match value.as_seq() {
            Some(items) => Some(items.to_vec()),
            None => {
                this.error(node, format!("`{key}` takes a list"));
                None
            }
        };
        let text = |this: &mut Self| this.string(&value, &format!("`{key}`"));
        // One string, or a list of them (any one matches).
        // A parameter's value has no place in the file: mistakes are shown at the operand.
        let texts = |this: &mut Self| {
            let items: Vec<&Node> = value.as_seq().map_or_else(|| vec![&value], |s| s.iter().collect());
            let found: Option<Vec<String>> = items.iter().map(|i| i.as_str().map(str::to_owned)).collect();
            if found.is_none() {
                this.error(node, format!("`{key}` takes a string or a list of strings"));
            }
            found
        };
        let number = |this: &mut Self| match value.as_f64() {
            Some(n) => Some(n),
            None => {
                this.error(node, format!("`{key}` takes a number"));
                None
            }
        };
        Some(match key {
            "present" => match value.value {
                Value::Bool(b) => Op::Present(b),
                _ => {
                    self.error(node, "`present` takes true or false");
                    return None;
                }
            },
            "equals" => Op::Equals(value),
            "in" => Op::In(list(self)?),
            "notIn" => Op::NotIn(list(self)?),
            "contains" => Op::Contains(value),
            "excludes" => Op::Excludes(value),
            "matches" => {
                // A list of patterns matches when any of them does.
                let patterns = texts(self)?;
                let pattern = match patterns.as_slice() {
                    [one] => one.clone(),
                    many => many.iter().map(|p| format!("(?:{p})")).collect::<Vec<_>>().join("|"),
                };
                match Regex::new(&pattern) {
                    Ok(re) => Op::Matches(re),
                    Err(e) => {
                        let first = e.to_string().lines().last().unwrap_or_default().trim().to_owned();
                        self.error(node, format!("`{pattern}` is not a valid regular expression: {first}"));
                        return None;
                    }
                }
            }
            "inPath" => Op::InPath(self.path(node)?),
            "notInPath" => Op::NotInPath(self.path(node)?),
            "prefix" => Op::Prefix(texts(self)?),
            "certificateOrganization" => Op::CertificateOrganization(texts(self)?),
            "suffix" => Op::Suffix(texts(self)?),
            "gt" => Op::Compare(Ordering::Gt, number(self)?),
            "gte" => Op::Compare(Ordering::Gte, number(self)?),
            "lt" => Op::Compare(Ordering::Lt, number(self)?),
            "lte" => Op::Compare(Ordering::Lte, number(self)?),
            "longerThan" | "shorterThan" => {
                let Some(limit) = value.as_str().and_then(super::condition::go_duration) else {
                    self.error(
                        node,
                        format!("`{key}` takes a duration like `4h`, `30m` or `1h30m` (Go's duration syntax)"),
                    );
                    return None;
                };
                let ord = if key == "longerThan" {
                    Ordering::Gt
                } else {
                    Ordering::Lt
                };
                Op::Duration(ord, limit)
            }
            "tagVersion" => {
                let f = self.fields(node, "`tagVersion`", VERSIONS)?;
                let range = self.versions_of(&f);
                if range.since.is_none() && range.until.is_none() {
                    self.error(node, "`tagVersion` takes `since` and/or `until`, like `{until: v1.24}`");
                    return None;
                }
                Op::TagVersion(range)
            }
            _ => {
                let t = text(self)?;
                if !TYPES.contains(&t.as_str()) {
                    self.error(node, format!("type `{t}` is not one of {}", TYPES.join(", ")));
                    return None;
                }
                Op::Type(t)
            }
        })
    }

    fn template(&mut self, node: &Node) -> Option<Template> {
        let text = self.string(node, "`message`")?;
        let mut parts = Vec::new();
        let mut rest = text.as_str();
        let mut literal = String::new();
        while let Some(open) = rest.find('{') {
            literal.push_str(rest.get(..open).unwrap_or_default());
            let after = rest.get(open + 1..).unwrap_or_default();
            if let Some(r) = after.strip_prefix('{') {
                literal.push('{');
                rest = r;
                continue;
            }
            let Some(close) = after.find('}') else {
                self.error(node, "`{` without `}` in the message; write `{{` for a brace");
                return None;
            };
            let inner = after.get(..close).unwrap_or_default().trim();
            if !literal.is_empty() {
                parts.push(Part::Text(std::mem::take(&mut literal)));
            }
            if inner == "value" {
                parts.push(Part::Value);
            } else if let Some(param) = inner.strip_prefix("params.") {
                match self.params.iter().find(|(n, _)| n == param) {
                    Some((_, v)) => parts.push(Part::Text(v.display())),
                    None => self.error(
                        node,
                        format!("the message names `{{{inner}}}`, but no parameter `{param}` is declared"),
                    ),
                }
            } else {
                match Path::parse(inner, &self.bindings) {
                    Ok(p) => parts.push(Part::Path(p)),
                    Err(e) => self.error(node, e),
                }
            }
            rest = after.get(close + 1..).unwrap_or_default();
        }
        literal.push_str(&rest.replace("}}", "}"));
        if !literal.is_empty() {
            parts.push(Part::Text(literal));
        }
        Some(Template { parts })
    }

    fn tests(&mut self, node: &Node) -> Tests {
        let Some(f) = self.fields(node, "`tests`", &["pass", "fail"]) else {
            return Tests::default();
        };
        let mut read = |key: &str| -> Vec<TestCase> {
            let Some(list) = f.get(key).and_then(|n| n.as_seq()).filter(|s| !s.is_empty()) else {
                self.error(node, format!("`tests.{key}` needs at least one example object"));
                return Vec::new();
            };
            list.iter().filter_map(|case| self.test_case(case)).collect()
        };
        let pass = read("pass");
        let fail = read("fail");
        Tests { pass, fail }
    }

    fn test_case(&mut self, node: &Node) -> Option<TestCase> {
        if node.get("kind").is_some() {
            return Some(TestCase {
                object: node.clone(),
                documents: Vec::new(),
                document: None,
                version: None,
                level: None,
                path: None,
                params: None,
            });
        }
        let f = self.fields(
            node,
            "a test case (an object with `kind`, `{object, …}`, `{fixture, …}` or `{documents, document, …}`)",
            &[
                "object",
                "fixture",
                "documents",
                "document",
                "patch",
                "splice",
                "container",
                "without",
                "flags",
                "version",
                "level",
                "path",
                "params",
            ],
        )?;
        if f.get("fixture").is_none() {
            if let Some(extra) = ["patch", "splice", "container", "without", "flags"]
                .iter()
                .find_map(|k| f.get(k))
            {
                self.error(extra, "`patch`, `splice`, `container`, `without` and `flags` change a `fixture`; write the change into `object`");
                return None;
            }
        }
        if f.get("documents").is_none() {
            if let Some(n) = f.get("document") {
                self.error(n, "`document` picks one of `documents`; this case has a single object");
            }
        }
        let (object, documents, document) = match (f.get("object"), f.get("fixture"), f.get("documents")) {
            (Some(o), None, None) => (o.clone(), Vec::new(), None),
            (None, Some(name), None) => (self.fixture_object(name, &f)?, Vec::new(), None),
            (None, None, Some(d)) => {
                let Some(items) = d.as_seq().filter(|s| !s.is_empty()) else {
                    self.error(d, "`documents` takes a non-empty list of objects, scanned together");
                    return None;
                };
                let document = match f.get("document") {
                    Some(n) => match n
                        .as_f64()
                        .filter(|i| i.fract() == 0.0 && *i >= 0.0 && (*i as usize) < items.len())
                    {
                        Some(i) => Some(i as usize),
                        None => {
                            self.error(
                                n,
                                format!(
                                    "`document` is the index of one of the {} `documents`, from 0",
                                    items.len()
                                ),
                            );
                            return None;
                        }
                    },
                    None => None,
                };
                let object = items.get(document.unwrap_or(0)).cloned()?;
                (object, items.to_vec(), document)
            }
            (None, None, None) => {
                self.error(
                    node,
                    "a test case needs an `object`, a `fixture` to start from, or `documents`",
                );
                return None;
            }
            _ => {
                self.error(
                    node,
                    "a test case has one of `object`, `fixture` and `documents`, not several",
                );
                return None;
            }
        };
        let version = match f.get("version") {
            Some(n) => match Version::parse(&n.display()) {
                Ok(v) => Some(v),
                Err(e) => {
                    self.error(n, e);
                    None
                }
            },
            None => None,
        };
        let level = f.get("level").and_then(|n| {
            let l = n.as_str().and_then(Level::parse);
            if l.is_none() {
                self.error(n, "`level` is `baseline` or `restricted`");
            }
            l
        });
        let path = f.get("path").and_then(|n| self.string(n, "`path`"));
        let params = match f.get("params").map(Node::to_json) {
            Some(serde_json::Value::Object(m)) => Some(m.into_iter().collect()),
            Some(_) => {
                if let Some(n) = f.get("params") {
                    self.error(n, "`params` of a test case maps parameter names to values");
                }
                None
            }
            None => None,
        };
        Some(TestCase {
            object,
            documents,
            document,
            version,
            level,
            path,
            params,
        })
    }
}

impl Loader<'_, '_> {
    /// A fixture written as changes of another fixture.
    pub(crate) fn derived_fixture(&mut self, node: &Node) -> Option<Node> {
        let f = self.fields(
            node,
            "a fixture built from another (`{fixture, patch, container, without, flags}`)",
            FIXTURE_CHANGES,
        )?;
        self.fixture_object(f.get("fixture")?, &f)
    }

    /// A test object built from a fixture: `patch` (a JSON merge patch of the object), then
    /// `splice` (items of a list removed and inserted), then `container` (one of its first container), then `without` (flags removed), then `flags`
    /// (flags set in place, or added).
    fn fixture_object(&mut self, name_node: &Node, f: &Fields<'_>) -> Option<Node> {
        let name = self.string(name_node, "`fixture`")?;
        let Some(base) = self.defs.fixtures.get(&name) else {
            let names: Vec<&str> = self.defs.fixtures.keys().map(String::as_str).collect();
            let hint = suggest(&name, &names)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            self.error(name_node, format!("no fixture `{name}`{hint}"));
            return None;
        };
        let mut object = base.clone();
        if let Some(p) = f.get("patch") {
            define::merge_patch(&mut object, p);
        }
        if let Some(n) = f.get("splice") {
            for one in n.as_seq().unwrap_or(std::slice::from_ref(n)) {
                let g = self.fields(one, "`splice`", &["path", "at", "remove", "insert"])?;
                let path = self
                    .required(&g, one, "path", "`splice`")
                    .and_then(|p| self.string(p, "`splice.path`"))?;
                let count = |this: &mut Self, key: &str| match g.get(key).map(|n| (n, n.as_f64())) {
                    None => Some(0),
                    Some((_, Some(x))) if x >= 0.0 && x.fract() == 0.0 => Some(x as usize),
                    Some((n, _)) => {
                        this.error(n, format!("`splice.{key}` takes a whole number from 0"));
                        None
                    }
                };
                let (at, remove) = (count(self, "at")?, count(self, "remove")?);
                let insert = g.get("insert").map_or(Some(Vec::new()), |i| {
                    let items = i.as_seq().map(<[Node]>::to_vec);
                    if items.is_none() {
                        self.error(i, "`splice.insert` takes a list of items");
                    }
                    items
                })?;
                if let Err(e) = define::splice(&mut object, &path, at, remove, insert) {
                    self.error(one, e);
                    return None;
                }
            }
        }
        let mut fits = true;
        if let Some(p) = f.get("container") {
            fits &= define::patch_container(&mut object, p);
        }
        if let Some(n) = f.get("without") {
            let names = self.strings(n, "`without`");
            fits &= define::remove_flags(&mut object, &names);
        }
        if let Some(n) = f.get("flags") {
            let entries: Option<Vec<Vec<Node>>> = n
                .as_seq()
                .unwrap_or(std::slice::from_ref(n))
                .iter()
                .map(|e| match &e.value {
                    Value::Str(w) if w.starts_with('-') => Some(vec![e.clone()]),
                    Value::Seq(words) if words.first().and_then(Node::as_str).is_some_and(|w| w.starts_with('-')) => {
                        Some(words.clone())
                    }
                    _ => None,
                })
                .collect();
            let Some(entries) = entries else {
                self.error(
                    n,
                    "`flags` lists flags: `--name=value`, or `[--name, value]` for two words",
                );
                return None;
            };
            fits &= define::set_flags(&mut object, &entries);
        }
        if !fits {
            self.error(name_node, format!("fixture `{name}` has no container to change"));
            return None;
        }
        define::respan(&mut object, &mut 0);
        Some(object)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_names() {
        assert_eq!(suggest("sevrity", POLICY_FIELDS), Some("severity"));
        assert_eq!(suggest("notin", OPS), Some("notIn"));
        assert_eq!(suggest("zzzzzz", POLICY_FIELDS), None);
    }

    #[test]
    fn reports_every_mistake_with_its_position() {
        let text = "id: Bad Id\ntitle: t\nsevrity: high\ndocs: {why: w, fix: f}\nmatch: {pods: true}\nrules:\n  - deny: {path: spec.x, equalz: 1}\n    message: m\ntests: {pass: [{kind: Pod}], fail: []}\n";
        let (policies, errors) = load_policies(&Source::new("p.yaml", text), &ParamOverrides::new());
        assert!(policies.is_empty());
        let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
        let all = shown.join("\n");
        assert!(all.contains("p.yaml:1:5: policy id `Bad Id`"), "{all}");
        assert!(
            all.contains("p.yaml:3:1: unknown field `sevrity` in a policy; did you mean `severity`?"),
            "{all}"
        );
        assert!(all.contains("needs `severity`"), "{all}");
        assert!(
            all.contains("p.yaml:7:26: unknown field `equalz` in a condition; did you mean `equals`?"),
            "{all}"
        );
        assert!(all.contains("`tests.fail` needs at least one example"), "{all}");
    }

    #[test]
    fn some_needs_a_bound_name_for_before() {
        let text = "id: t/x\ntitle: t\nseverity: low\ncategory: c\ndocs: {why: w, fix: f}\nmatch: {kinds: [Policy]}\nrules:\n  - each: {path: 'rules[*]', as: rule}\n    deny: {some: {path: '$.rules[*]', before: rle, where: {path: level, equals: None}}}\n    message: m\ntests: {pass: [{kind: Policy}], fail: [{kind: Policy}]}\n";
        let (_, errors) = load_policies(&Source::new("p.yaml", text), &ParamOverrides::new());
        let all: Vec<String> = errors.iter().map(ToString::to_string).collect();
        let all = all.join("\n");
        assert!(
            all.contains("p.yaml:9:47: `before: rle` needs a name bound by `each`; the names bound here are `rule`"),
            "{all}"
        );
    }

    #[test]
    fn examples_are_cut_only_when_they_come_last() {
        let last = "id: a\nrules: []\ntests:\n  pass: []\n# done\n  fail: []\n";
        assert_eq!(examples_start(last), last.find("tests:"));
        assert_eq!(examples_start("tests:\n- x\n"), Some(0));
        assert_eq!(examples_start("id: a\ntests: {pass: []}\nrules: []\n"), None);
        assert_eq!(examples_start("id: a\ntests: {pass: []}\n---\nid: b\n"), None);
        assert_eq!(examples_start("id: a\n  tests: x\n"), None);
        let definitions = "define: {a: {path: x, present: true}}\nfixtures:\n  f: {kind: Pod}\n";
        assert_eq!(examples_start(definitions), definitions.find("fixtures:"));
    }
}
