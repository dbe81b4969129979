//! The engine: policies compiled once, then applied to sets of documents.

mod baseline;
mod comments;
mod editor_cache;
mod evaluate;
mod exceptions;
mod fingerprint;
mod options;
mod pod_security;
mod report;
mod request;
mod suppress;
mod templates;

use std::collections::HashMap;

pub use baseline::{Baseline, BaselineEntry};
pub use editor_cache::EditorCache;
pub use evaluate::ScanContext;
pub use exceptions::{Date, Exception, ExceptionSet, EXPIRED_ID, STALE_ID};
pub use fingerprint::{fingerprint, fingerprint_in};
pub use options::{
    id_matches, options_error_message, LevelChoice, OptionError, OptionLayer, OptionNames, OptionRef, Options,
    PathStep, PolicyText,
};
pub use report::{ErrorEntry, Finding, Note, RelatedLocation, Report, SourceSpan, Summary};
pub use suppress::{ANNOTATION as SUPPRESS_ANNOTATION, MISSING_REASON_ID};

use crate::document::{Documents, Limits, Node, RawDocument, Source};
use crate::policy::{
    builtin_definitions, builtin_files, load_definitions, load_policies_with, Level, Policy, PolicyError, Status,
    Version,
};

/// Why an engine could not be built.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    #[error("{} mistake(s) in policy files:\n{}", .0.len(), .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    /// Mistakes in policy files, each positioned.
    Policies(Vec<PolicyError>),
    #[error("{0}")]
    /// Options that cannot be used, with what to write instead.
    Options(String),
    /// More policies than `limits.maxPolicies`.
    #[error("{0}")]
    Limit(String),
    /// Options that name policies (`select`, `ignore`, `params`, `severities`) name some that
    /// do not exist: each mistake, with the option it is in.
    #[error("{}", mistakes_text(.0))]
    InvalidOptions(Vec<OptionError>),
}

/// One mistake on its own line; several under a line that counts them.
fn mistakes_text(mistakes: &[OptionError]) -> String {
    let lines: Vec<String> = mistakes.iter().map(ToString::to_string).collect();
    match lines.len() {
        1 => lines.concat(),
        n => format!("{n} mistakes in the options:\n{}", lines.join("\n")),
    }
}

/// Compiled policies, ready to evaluate documents. Immutable, `Send + Sync`: share one
/// engine across threads and requests.
#[derive(Debug)]
pub struct Engine {
    policies: Vec<Policy>,
    /// Indexes of policies by the kind they match; `None` = pod policies.
    by_kind: HashMap<String, Vec<usize>>,
    pod_policies: Vec<usize>,
    /// For each policy, the policies that replace it while they apply.
    overridden_by: Vec<Vec<usize>>,
    /// For each policy, the Pod Security level it belongs to (read once from its standards).
    pod_security_levels: Vec<Option<Level>>,
    level: LevelChoice,
    version: Version,
    limits: Limits,
    /// Notes about the options, added to every report (a version newer than known).
    notes: Vec<String>,
    /// What the pre-pass over a scan's inputs collects for these policies and this level.
    wanted: evaluate::Wanted,
    /// How admission reviews are answered.
    admission: crate::admission::AdmissionSettings,
    /// Policies that aggregate audit events (`aggregate`): left out of the index unless the
    /// engine judges events (`crate::detect`), as one object alone says nothing about them.
    aggregates: Vec<usize>,
}

impl Engine {
    /// Loads, compiles and selects the policies. Every mistake in every policy file is
    /// reported at once.
    pub fn new(options: &Options) -> Result<Engine, EngineError> {
        let version = Version::parse(&options.pod_security_version).map_err(EngineError::Options)?;
        // The built-in policies' examples were checked when they were built (`cargo test`),
        // so they are read only when asked for; a user's policy files are read whole, so that
        // a mistake in their examples is reported at once.
        let mut texts: Vec<(String, &str, bool)> = Vec::new();
        if options.builtin {
            texts.extend(
                builtin_files()
                    .iter()
                    .map(|(name, text)| (format!("builtin:{name}"), *text, false)),
            );
        }
        texts.extend(options.policies.iter().map(|p| (p.name.clone(), p.text.as_str(), true)));
        let mut policies: Vec<Policy> = Vec::new();
        // Definitions come first, from every file: the built-in ones and the user's.
        let (builtin_defs, builtin_errors) = builtin_definitions();
        let mut errors = builtin_errors.clone();
        let user: Vec<Source> = options
            .policies
            .iter()
            .map(|p| Source::new(p.name.clone(), p.text.as_str()))
            .collect();
        let defs = if user.is_empty() {
            builtin_defs.clone()
        } else {
            let (defs, errs) = load_definitions(builtin_defs, &user);
            errors.extend(errs);
            std::sync::Arc::new(defs)
        };
        for (name, text, examples) in texts {
            let source = Source::new(name, text);
            let (found, errs) = load_policies_with(&source, &options.params, &defs, examples);
            errors.extend(errs);
            for p in found {
                if let Some(first) = policies.iter().find(|q| q.id == p.id) {
                    errors.push(PolicyError {
                        file: p.file.clone(),
                        line: 1,
                        column: 1,
                        message: format!(
                            "policy id `{}` is already used by {}; ids must be unique",
                            p.id, first.file
                        ),
                    });
                } else {
                    policies.push(p);
                }
            }
        }
        for p in &policies {
            if let Status::Deprecated { replacement } = &p.status {
                if !policies.iter().any(|q| &q.id == replacement) {
                    errors.push(PolicyError {
                        file: p.file.clone(),
                        line: 1,
                        column: 1,
                        message: format!(
                            "policy `{}` is deprecated in favour of `{replacement}`, which does not exist",
                            p.id
                        ),
                    });
                }
            }
        }
        if !errors.is_empty() {
            return Err(EngineError::Policies(errors));
        }
        let mistakes = options::check_policy_names(options, &policies);
        if !mistakes.is_empty() {
            return Err(EngineError::InvalidOptions(mistakes));
        }
        if policies.len() > options.limits.max_policies {
            return Err(EngineError::Limit(format!(
                "{} policies were loaded, more than the limit of {}; select fewer or raise `maxPolicies`",
                policies.len(),
                options.limits.max_policies
            )));
        }
        let level = options.pod_security_level;
        policies.retain(|p| {
            (options.select.is_empty() || options.select.iter().any(|s| id_matches(&p.id, s)))
                && !options.ignore.iter().any(|s| id_matches(&p.id, s))
                && pod_security::kept(level, p)
        });
        for p in &mut policies {
            if let Some(s) = options.severities.get(&p.id) {
                p.severity = *s;
            }
        }
        policies.sort_by(|a, b| a.id.cmp(&b.id));
        // A preview runs only when selected by its id; it is still listed, explained and tested.
        let dormant = |p: &Policy| p.status == Status::Preview && !options.select.contains(&p.id);
        let mut engine = Engine::index(policies, level, version, options.limits.clone(), &dormant, false);
        let ids: Vec<&str> = engine.policies.iter().map(|p| p.id.as_str()).collect();
        if let Some(unknown) = options.admission.unknown_policies(&ids).next() {
            return Err(EngineError::Options(format!(
                "option `admission.policies`: `{unknown}` names no selected policy"
            )));
        }
        engine.admission = options.admission.clone();
        engine
            .notes
            .extend(options::version_note(&options.pod_security_version));
        Ok(engine)
    }

    /// Notes about the options that every report of this engine carries (a Pod Security
    /// version newer than the newest known, and which version's checks apply instead).
    pub fn option_notes(&self) -> Vec<Note> {
        self.notes
            .iter()
            .map(|message| Note {
                file: "options".into(),
                document: None,
                message: message.clone(),
                span: None,
            })
            .collect()
    }

    fn index(
        policies: Vec<Policy>,
        level: LevelChoice,
        version: Version,
        limits: Limits,
        dormant: &dyn Fn(&Policy) -> bool,
        events: bool,
    ) -> Engine {
        let mut by_kind: HashMap<String, Vec<usize>> = HashMap::new();
        let mut pod_policies = Vec::new();
        let mut aggregates = Vec::new();
        for (i, p) in policies.iter().enumerate() {
            if dormant(p) {
                continue;
            }
            if p.aggregate.is_some() {
                aggregates.push(i);
                if !events {
                    continue;
                }
            }
            if p.matcher.pods {
                pod_policies.push(i);
            }
            for k in &p.matcher.kinds {
                by_kind.entry(k.kind.clone()).or_default().push(i);
            }
        }
        let overridden_by = policies
            .iter()
            .map(|p| {
                policies
                    .iter()
                    .enumerate()
                    .filter(|(_, q)| q.overrides.contains(&p.id))
                    .map(|(i, _)| i)
                    .collect()
            })
            .collect();
        let pod_security_levels = policies.iter().map(pod_security::level_of).collect();
        let mut wanted = evaluate::Wanted {
            namespaces: level == LevelChoice::FromNamespace,
            kinds: Vec::new(),
            set: crate::objects::Wants::default(),
        };
        // Policies over RBAC effective permissions need the RBAC objects of the whole scan.
        if policies.iter().any(Policy::uses_rbac) {
            wanted.set = crate::rbac::wants();
        }
        for k in policies.iter().flat_map(|p| &p.lookups) {
            if !wanted.kinds.contains(k) {
                wanted.kinds.push(k.clone());
            }
        }
        Engine {
            policies,
            by_kind,
            pod_policies,
            overridden_by,
            pod_security_levels,
            level,
            version,
            limits,
            notes: Vec::new(),
            wanted,
            admission: crate::admission::AdmissionSettings::default(),
            aggregates,
        }
    }

    /// An engine holding the policies of this one that judge audit events (`kinds` naming
    /// `audit.k8s.io/Event`, or `audit.k8s.io/*`; a policy for every kind of manifest is not
    /// one), aggregating ones included: what [`crate::detect::Detector`] evaluates each event
    /// with.
    pub(crate) fn for_events(&self) -> Engine {
        let event = |p: &Policy| {
            p.matcher
                .kinds
                .iter()
                .any(|k| k.group.as_deref() == Some("audit.k8s.io") && k.matches("Event", "audit.k8s.io"))
        };
        let active: Vec<usize> = self
            .by_kind
            .values()
            .flatten()
            .chain(&self.aggregates)
            .copied()
            .collect();
        let chosen: Vec<Policy> = self
            .policies
            .iter()
            .enumerate()
            .filter(|(i, p)| active.contains(i) && event(p))
            .map(|(_, p)| p.clone())
            .collect();
        Engine::index(chosen, self.level, self.version, self.limits.clone(), &|_| false, true)
    }

    /// The selected policies, sorted by id.
    pub fn policies(&self) -> &[Policy] {
        &self.policies
    }

    /// The policy of that id, when the engine has it.
    pub fn policy(&self, id: &str) -> Option<&Policy> {
        self.policies.iter().find(|p| p.id == id)
    }

    /// The resource limits of every scan.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// How this engine answers admission reviews.
    pub fn admission(&self) -> &crate::admission::AdmissionSettings {
        &self.admission
    }

    /// The level pods are judged at.
    pub fn level_choice(&self) -> LevelChoice {
        self.level
    }

    /// Scans a set of sources: each document is parsed once, evaluated and dropped, and the
    /// findings come sorted by file order, position and policy.
    pub fn scan(&self, sources: &[Source]) -> Report {
        let context = self.context(sources);
        let mut report = Report::new();
        report.notes = self.option_notes();
        report.errors = context.errors();
        report.notes.extend(context.notes());
        report.summary.errors = report.errors.len();
        for source in sources {
            report.merge(self.scan_with(source, &context));
        }
        report
    }

    /// The RBAC effective permissions of a set of documents: `can_i`, `who_can` and the
    /// effective rules of a user (`rules`), each grant with its binding, role and rule and
    /// their places, read with this engine's limits (a `List` may be as large as an input).
    pub fn rbac<'s>(&self, sources: impl IntoIterator<Item = &'s Source>) -> crate::rbac::Analysis {
        crate::rbac::Analysis::read(sources, &self.limits)
    }

    /// Scans one source on its own.
    pub fn scan_source(&self, source: &Source) -> Report {
        self.scan(std::slice::from_ref(source))
    }

    /// What a scan of these sources needs to know across files: the Namespaces, when pods
    /// are judged at their Namespace's level (`from-namespace`), and the objects of the kinds
    /// the policies look up (`lookup`); nothing otherwise.
    pub fn context<'s>(&self, sources: impl IntoIterator<Item = &'s Source>) -> ScanContext {
        let mut context = ScanContext::default();
        for source in sources {
            self.add_to_context(&mut context, source);
        }
        context
    }

    /// Adds one source of the set to its context (a pre-pass that may read the sources one
    /// at a time: only the documents that name a wanted kind are parsed, then dropped).
    pub fn add_to_context(&self, context: &mut ScanContext, source: &Source) {
        if self.wanted.any() {
            context.add_source(source, &self.limits, &self.wanted);
        }
    }

    /// True when [`Engine::context`] must see every source before any is scanned.
    pub fn needs_context(&self) -> bool {
        self.wanted.any()
    }

    /// Scans one source of a larger set, with the set's context; memory follows the largest
    /// document, as documents are parsed and dropped one at a time.
    pub fn scan_with(&self, source: &Source, context: &ScanContext) -> Report {
        let documents = Documents::new(&source.text, &self.limits);
        let patches = false;
        evaluate::Evaluator {
            engine: self,
            context,
            patches,
        }
        .file(source, documents)
    }

    /// Evaluates one parsed object on its own, with no file-level reading (comments, Helm
    /// templates, patches, lists): how [`crate::detect`] judges an audit event.
    pub(crate) fn evaluate_object(&self, source: &Source, object: &crate::document::Object<'_>, report: &mut Report) {
        let context = ScanContext::default();
        evaluate::Evaluator {
            engine: self,
            context: &context,
            patches: false,
        }
        .object(source, object, report)
    }

    /// Scans a file a kustomization applies as a patch: only the values it sets are judged.
    pub(crate) fn scan_patches(&self, source: &Source, context: &ScanContext) -> Report {
        let documents = Documents::new(&source.text, &self.limits);
        let patches = true;
        evaluate::Evaluator {
            engine: self,
            context,
            patches,
        }
        .file(source, documents)
    }

    /// Evaluates objects that are already parsed (for example loaded from JSON); positions
    /// in the report are those the nodes carry.
    pub fn scan_nodes(&self, name: &str, nodes: &[Node]) -> Report {
        let source = Source::new(name, "");
        let documents = nodes
            .iter()
            .enumerate()
            .map(|(index, node)| RawDocument {
                index,
                span: node.span,
                result: Ok(node.clone()),
                errors: Vec::new(),
                notes: Vec::new(),
            })
            .collect();
        let mut report = self.scan_documents(&source, documents);
        report.notes.splice(0..0, self.option_notes());
        report
    }

    /// Evaluates documents already parsed, as one set: the context comes from them.
    pub(crate) fn scan_documents(&self, source: &Source, documents: Vec<RawDocument>) -> Report {
        let mut context = ScanContext::default();
        if self.wanted.any() {
            for node in documents.iter().filter_map(|d| d.result.as_ref().ok()) {
                context.add_document(node, &self.wanted);
            }
            for doc in &documents {
                context.related.add_document_to_set(source, doc, &self.wanted.set);
            }
        }
        evaluate::Evaluator {
            engine: self,
            context: &context,
            patches: false,
        }
        .file(source, documents.into_iter())
    }

    /// A copy of this engine holding only the given policy, at a fixed version and level
    /// (for running a policy's own tests).
    pub fn single(&self, id: &str, version: Option<Version>, level: Option<Level>) -> Option<Engine> {
        self.with_policy(self.policy(id)?.clone(), version, level)
    }

    /// An engine holding only `p`, at a fixed version and level, with this engine's limits.
    pub fn with_policy(&self, p: Policy, version: Option<Version>, level: Option<Level>) -> Option<Engine> {
        let level = pod_security::choice_for(level, self.level);
        Some(Engine::index(
            vec![p],
            level,
            version.unwrap_or(self.version),
            self.limits.clone(),
            &|_| false,
            false,
        ))
    }
}
