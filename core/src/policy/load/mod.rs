//! Reading policy files: every mistake is collected with its file, line and column, and
//! unknown fields get a "did you mean".

mod conditions;
mod metadata;
mod rules;
mod shared;
mod templates;

use std::collections::BTreeMap;
use std::sync::Arc;

use super::define::{builtin_definitions, is_definitions, load_definitions, Definitions};
use super::examples_cut::examples_start;
use super::model::{KindPattern, Param, Policy};
use crate::decode::{Decoder, PolicyError};
use crate::document::{parse_stream, Limits, Node, Source, Span};

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
    "aggregate",
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
    "ipClass",
];
/// Keys that qualify a subject: `query` reads a query parameter of the URI a `path` selects.
const MODIFIERS: &[&str] = &["query"];
const LOGIC: &[&str] = &[
    "all",
    "any",
    "not",
    "some",
    "use",
    "lookup",
    "can",
    "missingRole",
    "bound",
];
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
        params_read: Vec::new(),
        overrides: BTreeMap::new(),
        inherited: Vec::new(),
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
    /// The parameters the conditions read so far (for a definition: the shared ones it needs).
    params_read: Vec<String>,
    /// The values the options give the parameters of the policy being read.
    overrides: BTreeMap<String, serde_json::Value>,
    /// Shared parameters the policy has through the definitions it uses.
    inherited: Vec<Param>,
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
            bindings: Vec::new(),
            defs,
            shared: Arc::default(),
            lookups: Vec::new(),
            // A definition reads the shared parameters' defaults (a policy that uses it gets
            // it compiled again with its own values: `shared.rs`).
            params: defs
                .params
                .iter()
                .map(|(name, (_, default))| (name.clone(), default.clone()))
                .collect(),
            params_read: Vec::new(),
            overrides: BTreeMap::new(),
            inherited: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::suggest;

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
