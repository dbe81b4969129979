//! Evaluation of parsed documents: which policies apply to each object, their rules over
//! the node tree, suppressions, and the findings with exact places.

use std::collections::HashMap;

use super::comments;
use super::report::{ErrorEntry, Finding, Note, Report, SourceSpan};
use super::suppress::{self, MISSING_REASON_ID};
use super::templates;
use super::{Engine, LevelChoice};
use crate::document::{expand, Documents, Limits, Node, Object, ObjectId, RawDocument, Source, Span};
use crate::objects::{ObjectSet, Place, Wants, MAX_SET_OBJECTS};
use crate::policy::{
    name_matches, Budget, Each, Item, Iteration, KindPattern, Level, Part, Policy, Related, Rule, Scope, Severity,
    Template, Version,
};

/// What the whole scan knows that single objects need: the Pod Security labels of the
/// Namespaces in it (when pods are judged at their Namespace's level), and the objects of the
/// kinds that policies look up (`lookup`).
#[derive(Debug, Default)]
pub struct ScanContext {
    namespaces: HashMap<String, (Option<Level>, Option<Version>)>,
    related: Related,
    /// The objects of the kinds cross-object analyses read (`Wanted::set`), with places.
    pub(crate) objects: ObjectSet,
    /// True when a policy asks `network` questions (`related.network` is then built).
    network: bool,
}

/// What the pre-pass collects.
#[derive(Debug, Default)]
pub(crate) struct Wanted {
    pub namespaces: bool,
    pub kinds: Vec<KindPattern>,
    /// The kinds the object set keeps, for cross-object analyses.
    pub set: Wants,
    /// A policy that runs asks `network` questions.
    pub network: bool,
}

impl Wanted {
    pub fn any(&self) -> bool {
        self.namespaces || !self.kinds.is_empty() || !self.set.is_empty()
    }
}

impl ScanContext {
    /// Reads the Namespaces of the sources. Only the documents whose text mentions
    /// `Namespace` are parsed, so this pre-pass costs little.
    pub fn collect<'s>(sources: impl IntoIterator<Item = &'s Source>, limits: &Limits) -> Self {
        let wanted = Wanted {
            namespaces: true,
            kinds: Vec::new(),
            set: Wants::default(),
            network: false,
        };
        let mut context = ScanContext::default();
        for source in sources {
            context.add_source(source, limits, &wanted);
        }
        context
    }

    /// Adds what one source holds. Only the documents whose text names a wanted kind (or
    /// holds an escape, which may spell it) are parsed, so this pre-pass costs little.
    pub(crate) fn add_source(&mut self, source: &Source, limits: &Limits, wanted: &Wanted) {
        self.objects.add_source(source, limits, &wanted.set);
        self.want_network(wanted);
        let mut needles: Vec<&str> = wanted.kinds.iter().map(|k| k.kind.as_str()).collect();
        if wanted.namespaces {
            needles.push("Namespace");
        }
        if needles.is_empty() {
            return;
        }
        for range in Documents::pieces(&source.text) {
            let (start, end) = range;
            let piece = source.text.get(start..end).unwrap_or_default();
            // A kind written with escapes (`"Servic\u0065Account"`) does not hold the word:
            // a document with a backslash is read too.
            if !needles.iter().any(|n| contains_word(piece, n)) && !piece.contains('\\') {
                continue;
            }
            for doc in Documents::piece(&source.text, range, 0, limits) {
                if let Ok(node) = &doc.result {
                    self.add_document(node, wanted);
                }
            }
        }
    }

    /// Adds the objects of one parsed document.
    pub(crate) fn add_document(&mut self, node: &Node, wanted: &Wanted) {
        self.want_network(wanted);
        for obj in expand(node, 0).flatten() {
            let group = obj.group();
            if wanted.kinds.iter().any(|k| k.matches(&obj.id.kind, group)) {
                if let Some(name) = obj.id.name.as_deref() {
                    self.related
                        .add(group, &obj.id.kind, obj.id.namespace.as_deref(), name, obj.node.clone());
                }
            }
            if !wanted.namespaces || obj.id.kind != "Namespace" || !group.is_empty() {
                continue;
            }
            let label = |key: &str| {
                obj.node
                    .get_path(&["metadata", "labels"])
                    .and_then(|l| l.get(key))
                    .and_then(Node::as_str)
            };
            let level = label("pod-security.kubernetes.io/enforce").and_then(Level::parse);
            let version = label("pod-security.kubernetes.io/enforce-version").and_then(|v| Version::parse(v).ok());
            if let Some(name) = obj.id.name {
                self.namespaces.insert(name, (level, version));
            }
        }
    }

    /// Notes that a policy asks `network` questions; the analysis is built again when asked.
    fn want_network(&mut self, wanted: &Wanted) {
        if wanted.network {
            self.network = true;
            self.related.network = std::sync::OnceLock::new();
        }
    }

    /// Builds the NetworkPolicy analysis of the set once every source is read, when a
    /// policy asks `network` questions.
    pub(crate) fn prepare_network(&self) {
        if self.network {
            self.related
                .network
                .get_or_init(|| crate::netpol::checks::of_objects(&self.objects));
        }
    }

    /// Related places for a finding of `policy` (one that asks `network` questions) on the
    /// object `node`.
    pub(crate) fn network_related(&self, policy: &Policy, node: &Node) -> Vec<super::report::RelatedLocation> {
        let Some(analysis) = self.related.network.get() else {
            return Vec::new();
        };
        if !policy.lookups.contains(&crate::policy::network_kind()) {
            return Vec::new();
        }
        crate::netpol::checks::related(analysis, node)
            .into_iter()
            .map(|(p, message)| super::report::RelatedLocation {
                file: p.file,
                document: p.document,
                path: p.path,
                span: SourceSpan { start: p.start, end: p.end },
                message,
            })
            .collect()
    }

    /// A hash of what the context holds, by value: two scans with the same fingerprint judge
    /// a document the same way.
    pub(crate) fn fingerprint(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        let mut namespaces: Vec<_> = self.namespaces.iter().collect();
        namespaces.sort_by(|a, b| a.0.cmp(b.0));
        for (name, (level, version)) in namespaces {
            (name, level, version.map(|v| v.to_string())).hash(&mut h);
        }
        self.related.fingerprint(&mut h);
        self.objects.fingerprint(&mut h);
        h.finish()
    }

    /// The object set of the scan (the kinds cross-object analyses read).
    pub fn objects(&self) -> &ObjectSet {
        &self.objects
    }

    /// What the whole set holds that is wrong and belongs in the report: objects read twice
    /// (the last one wins), and objects past the set's budget.
    pub fn errors(&self) -> Vec<ErrorEntry> {
        let at = |p: &Place| SourceSpan { start: p.start, end: p.end };
        let mut out: Vec<ErrorEntry> = self
            .objects
            .duplicates()
            .iter()
            .map(|d| ErrorEntry {
                file: d.second.file.clone(),
                document: Some(d.second.document),
                message: d.message(),
                span: Some(at(&d.second)),
            })
            .collect();
        if let Some(p) = self.objects.overflow() {
            out.push(ErrorEntry {
                file: p.file.clone(),
                document: Some(p.document),
                message: format!(
                    "the scan holds more than {MAX_SET_OBJECTS} objects of the kinds cross-object checks read; from this one on they are left out of those checks; scan fewer files at once"
                ),
                span: Some(at(p)),
            });
        }
        out
    }
}

/// The items kubectl cannot read that are reported one by one in a document.
const MAX_REFUSED_ITEMS: usize = 10;

/// Most errors, and most notes, listed for one file; the rest are counted in one more entry,
/// so that a file of small documents each with many errors cannot fill memory (10,000
/// documents of 100 repeated keys took 1.4 GB, and 10 GB as SARIF).
const MAX_ENTRIES_PER_FILE: usize = 1_000;

/// Most findings kept for one file: past them the rest of the file is not checked and an
/// error says so (a 2.7 MB file of pods with 100 bare containers each made 1.2 million
/// findings and took 2.3 GB).
const MAX_FINDINGS_PER_FILE: usize = 100_000;

/// Whether the RFC 6901 `pointer` leads, from `node`, to a scalar that is written there.
fn sets_scalar(node: &Node, pointer: &str) -> bool {
    let mut at = node;
    for step in pointer.split('/').skip(1) {
        let step = step.replace("~1", "/").replace("~0", "~");
        let next = match &at.value {
            crate::document::Value::Map(entries) => {
                entries.iter().find(|(k, _)| k.as_str() == Some(&step)).map(|(_, v)| v)
            }
            crate::document::Value::Seq(items) => step.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        };
        let Some(next) = next else {
            return false;
        };
        at = next;
    }
    !matches!(
        at.value,
        crate::document::Value::Map(_) | crate::document::Value::Seq(_)
    )
}

/// Entries of one kind past [`MAX_ENTRIES_PER_FILE`]: how many, and the first of them.
#[derive(Default)]
struct Overflow {
    count: usize,
    first: Option<ErrorEntry>,
}

impl Overflow {
    fn bound(&mut self, list: &mut Vec<ErrorEntry>) {
        if list.len() > MAX_ENTRIES_PER_FILE {
            let rest = list.split_off(MAX_ENTRIES_PER_FILE);
            self.count += rest.len();
            if self.first.is_none() {
                self.first = rest.into_iter().next();
            }
        }
    }

    /// The entry that counts the others, at the first of them.
    fn entry(self, what: &str) -> Option<ErrorEntry> {
        let first = self.first?;
        Some(ErrorEntry {
            message: format!(
                "{} more {what} in this file, from this one on, are not listed (only the first {MAX_ENTRIES_PER_FILE} are)",
                self.count
            ),
            ..first
        })
    }
}

pub struct Evaluator<'e> {
    pub engine: &'e Engine,
    pub context: &'e ScanContext,
    /// Every document of the file is a patch (a kustomization names the file as one).
    pub patches: bool,
}

/// A violation before it is placed in the source.
struct Draft<'a> {
    policy: usize,
    at: &'a Node,
    message: String,
    severity: Severity,
    version: Version,
}

impl Evaluator<'_> {
    /// Evaluates the documents of one source as they come; each tree is dropped after use.
    pub fn file(&self, source: &Source, documents: impl Iterator<Item = RawDocument>) -> Report {
        self.context.prepare_network();
        let mut report = Report::new();
        report.summary.files = 1;
        let comments = comments::read(source);
        // Each document's place and first object, for findings about comments without a
        // reason (kept only when there are such comments).
        let place = comments.iter().any(|c| c.reason.is_none());
        let mut placed: Vec<(Span, usize, ObjectId)> = Vec::new();
        // Template actions (`{{ … }}`) before `claimed` belong to documents already read.
        let (mut claimed, mut last) = (0, None);
        let (mut more_errors, mut more_notes) = (Overflow::default(), Overflow::default());
        // The first object left unchecked once the file has too many findings.
        let mut unchecked: Option<ErrorEntry> = None;
        for doc in documents {
            more_errors.bound(&mut report.errors);
            more_notes.bound(&mut report.notes);
            report.summary.documents += 1;
            // Errors in a document that was still read, and notes on how it was read.
            for (list, is_note) in [(&doc.errors, false), (&doc.notes, true)] {
                for e in list {
                    let entry = ErrorEntry {
                        file: source.name.clone(),
                        document: Some(doc.index),
                        message: e.message.clone(),
                        span: Some(SourceSpan::of(source, e.span)),
                    };
                    if is_note {
                        report.notes.push(entry);
                    } else {
                        report.errors.push(entry);
                    }
                }
            }
            let (from, to) = (claimed, templates::claim_end(&source.text, doc.span).max(claimed));
            claimed = to;
            last = Some(doc.index);
            let node = match &doc.result {
                Ok(node) => node,
                Err(e) => {
                    let message = if templates::near(source, e.span.start) {
                        format!("this looks like an unrendered Helm template (`{{{{ … }}}}`); render it first (`helm template …`) and scan the output ({})", e.message)
                    } else {
                        e.message.clone()
                    };
                    report.errors.push(ErrorEntry {
                        file: source.name.clone(),
                        document: Some(doc.index),
                        message,
                        span: Some(SourceSpan::of(source, e.span)),
                    });
                    continue;
                }
            };
            let mine = templates::actions(&source.text, from, to);
            if let Some((action, at, count)) = templates::first_template(source, Some(node), mine) {
                report.errors.push(ErrorEntry {
                    file: source.name.clone(),
                    document: Some(doc.index),
                    message: templates::message(source, action, at, count, true),
                    span: Some(SourceSpan::of(source, action.span)),
                });
                continue;
            }
            // A patch is not a complete object: only the dangerous values it sets are judged
            // (a high or critical finding on a scalar it holds, such as `privileged: true`,
            // holds once it is merged; one on something missing does not). Left out whole, a
            // complete object given a `$patch` key passed unchecked, while the API server drops
            // the unknown key and applies it (and `kubectl apply -f DIR` applies patch files).
            let patch = match crate::kustomize::patch_directive(node, source) {
                Some((directive, at)) => {
                    report.summary.skipped += 1;
                    report.notes.push(Note {
                        file: source.name.clone(),
                        document: Some(doc.index),
                        message: crate::kustomize::directive_note(&directive),
                        span: Some(SourceSpan::of(source, at)),
                    });
                    true
                }
                None => self.patches,
            };
            // Items kubectl cannot read: the first few are reported, then how many more.
            let (mut refused, mut unlisted) = (0usize, None);
            for item in expand(node, doc.index) {
                match item {
                    Ok(obj) => {
                        if place && placed.last().is_none_or(|p| p.1 != doc.index) {
                            placed.push((doc.span, doc.index, obj.id.clone()));
                        }
                        if report.findings.len() >= MAX_FINDINGS_PER_FILE {
                            unchecked.get_or_insert_with(|| ErrorEntry {
                                file: source.name.clone(),
                                document: Some(doc.index),
                                message: format!(
                                    "this file has more than {MAX_FINDINGS_PER_FILE} findings: the objects from this one on were not checked (fix the findings above, or split the file)"
                                ),
                                span: Some(SourceSpan::of(source, Span::new(obj.node.span.start, obj.node.span.start))),
                            });
                            continue;
                        }
                        if patch {
                            let mut part = Report::new();
                            self.object(source, &obj, &mut part);
                            part.findings
                                .retain(|f| f.severity >= Severity::High && sets_scalar(node, &f.path));
                            report.findings.append(&mut part.findings);
                        } else {
                            self.object(source, &obj, &mut report)
                        }
                    }
                    Err((skip, at)) => {
                        // An error spans the refused node; a note marks where the document starts.
                        let span = if skip.is_error() {
                            at.span
                        } else {
                            Span::new(at.span.start, at.span.start)
                        };
                        let entry = Note {
                            file: source.name.clone(),
                            document: Some(doc.index),
                            message: skip.message(at, node),
                            span: Some(SourceSpan::of(source, span)),
                        };
                        if skip.is_error() {
                            refused += 1;
                            if refused <= MAX_REFUSED_ITEMS {
                                report.errors.push(entry);
                            } else {
                                unlisted.get_or_insert(at.span);
                            }
                        } else {
                            report.summary.skipped += 1;
                            report.notes.push(entry);
                        }
                    }
                }
            }
            if let Some(at) = unlisted {
                report.errors.push(ErrorEntry {
                    file: source.name.clone(),
                    document: Some(doc.index),
                    message: format!(
                        "{} more items of this list, from this one on, cannot be read either (only the first {MAX_REFUSED_ITEMS} are listed)",
                        refused - MAX_REFUSED_ITEMS
                    ),
                    span: Some(SourceSpan::of(source, at)),
                });
            }
        }
        // Actions in the comments after the last document.
        let rest = templates::actions(&source.text, claimed, source.text.len());
        if let Some((action, at, count)) = templates::first_template(source, None, rest) {
            report.errors.push(ErrorEntry {
                file: source.name.clone(),
                document: last,
                message: templates::message(source, action, at, count, false),
                span: Some(SourceSpan::of(source, action.span)),
            });
        }
        more_errors.bound(&mut report.errors);
        more_notes.bound(&mut report.notes);
        report.errors.extend(more_errors.entry("errors"));
        report.notes.extend(more_notes.entry("notes"));
        report.errors.extend(unchecked);
        apply_comments(source, &comments, &placed, &mut report);
        report.findings.sort_by(|a, b| {
            (a.span.start.offset, &a.policy, &a.path, &a.message).cmp(&(
                b.span.start.offset,
                &b.policy,
                &b.path,
                &b.message,
            ))
        });
        report.findings.dedup_by(|a, b| {
            a.document == b.document && a.policy == b.policy && a.path == b.path && a.message == b.message
        });
        report
            .errors
            .sort_by_key(|e| (e.document, e.span.map(|s| s.start.offset)));
        report.summary.findings = report.findings.len();
        report.summary.errors = report.errors.len();
        report
    }

    /// The level and version this object's pod is judged at.
    fn level_for(&self, obj: &Object<'_>) -> (Level, Version) {
        let engine = self.engine;
        match engine.level {
            LevelChoice::Baseline => (Level::Baseline, engine.version),
            LevelChoice::Restricted => (Level::Restricted, engine.version),
            LevelChoice::FromNamespace => {
                let ns = obj.id.namespace.as_deref().unwrap_or("default");
                match self.context.namespaces.get(ns) {
                    Some((level, version)) => (level.unwrap_or(Level::Privileged), version.unwrap_or(engine.version)),
                    None => (Level::Restricted, engine.version),
                }
            }
        }
    }

    /// Whether policy `index` runs on `obj`; `kind` is the object's API group and whether it
    /// runs pods, read once per object.
    fn applies(&self, index: usize, obj: &Object<'_>, kind: (&str, bool), level: Level, version: Version) -> bool {
        let engine = self.engine;
        let Some(policy) = engine.policies.get(index) else {
            return false;
        };
        if !policy.versions.contains(version) {
            return false;
        }
        if let Some(needed) = engine.pod_security_levels.get(index).copied().flatten() {
            if needed > level {
                return false;
            }
        }
        let (group, pod_kind) = kind;
        let m = &policy.matcher;
        let kind_ok = (m.pods && pod_kind) || m.kinds.iter().any(|k| k.matches(&obj.id.kind, group));
        if !kind_ok {
            return false;
        }
        let ns = obj.id.namespace.as_deref();
        if !m.namespaces.is_empty() && !ns.is_some_and(|ns| m.namespaces.iter().any(|p| name_matches(p, ns))) {
            return false;
        }
        if ns.is_some_and(|ns| m.exclude_namespaces.iter().any(|p| name_matches(p, ns))) {
            return false;
        }
        let meta = |key: &str, wanted: &[(String, Option<String>)]| {
            let map = obj.node.get_path(&["metadata", key]);
            wanted.iter().all(|(k, v)| {
                map.and_then(|m| m.get(k))
                    .is_some_and(|found| v.as_ref().is_none_or(|v| found.display() == *v))
            })
        };
        meta("labels", &m.labels) && meta("annotations", &m.annotations)
    }

    fn object(&self, source: &Source, obj: &Object<'_>, report: &mut Report) {
        for (problem, at) in obj.shape_problems() {
            report.errors.push(ErrorEntry {
                file: source.name.clone(),
                document: Some(obj.document_index),
                message: format!(
                    "{}: {problem}; Kubernetes would reject it, and that part was not checked",
                    describe(obj)
                ),
                span: Some(SourceSpan::of(source, at.span)),
            });
        }
        let engine = self.engine;
        let pod = obj.pod_view();
        let (level, version) = self.level_for(obj);
        let mut candidates: Vec<usize> = engine.by_kind.get(&obj.id.kind).cloned().unwrap_or_default();
        candidates.extend(engine.by_kind.get("*").into_iter().flatten());
        if pod.is_some() {
            candidates.extend(&engine.pod_policies);
        }
        candidates.sort_unstable();
        candidates.dedup();
        // Read once per object, not once per policy.
        let kind = (obj.group(), obj.is_pod_kind());
        let active: Vec<usize> = candidates
            .into_iter()
            .filter(|&i| self.applies(i, obj, kind, level, version))
            .collect();
        let mut drafts = Vec::new();
        for &i in &active {
            let replaced = engine
                .overridden_by
                .get(i)
                .is_some_and(|by| by.iter().any(|j| active.contains(j)));
            let Some(policy) = engine.policies.get(i) else {
                continue;
            };
            if replaced {
                continue;
            }
            let root = if policy.matcher.pods && kind.1 {
                match pod {
                    Some(p) => p,
                    None => continue,
                }
            } else {
                obj.node
            };
            let before = drafts.len();
            let budget = Budget::new(engine.limits.max_comparisons);
            let env = Env {
                version,
                budget: &budget,
                related: &self.context.related,
            };
            run_policy(i, policy, obj.node, root, &env, &mut drafts);
            if budget.spent() {
                drafts.truncate(before);
                report.errors.push(ErrorEntry {
                    file: source.name.clone(),
                    document: Some(obj.document_index),
                    message: format!(
                        "policy `{}` was stopped on {} after {} comparisons, so its findings for this object are not reported; the object is too large for it (raise `maxComparisons` to let it finish)",
                        policy.id,
                        describe(obj),
                        engine.limits.max_comparisons
                    ),
                    span: Some(SourceSpan::of(source, Span::new(obj.node.span.start, obj.node.span.start))),
                });
            }
        }
        let owners: Vec<&Node> = std::iter::once(obj.node)
            .chain(pod.filter(|p| !std::ptr::eq(*p, obj.node)))
            .collect();
        let suppressions = suppress::read(&owners);
        for draft in drafts {
            let Some(policy) = engine.policies.get(draft.policy) else {
                continue;
            };
            if suppressions.iter().any(|s| s.covers(&policy.id)) {
                report.summary.suppressed += 1;
                continue;
            }
            let (path, span) = place(obj.document, draft.at);
            let mut standards = policy.standards.clone();
            if let Some(serde_json::Value::Object(pss)) = standards.get_mut("pod-security") {
                pss.insert("version".into(), draft.version.to_string().into());
            }
            report.findings.push(Finding {
                policy: policy.id.clone(),
                title: policy.title.clone(),
                severity: draft.severity,
                category: policy.category.clone(),
                message: draft.message,
                file: source.name.clone(),
                document: obj.document_index,
                object: obj.id.clone(),
                path,
                span: SourceSpan::of(source, span),
                standards,
                fix: policy.docs.fix.clone(),
                related: self.context.network_related(policy, obj.node),
            });
        }
        for s in suppressions.iter().filter(|s| s.reason.is_none()) {
            let pattern = clean(&s.pattern);
            report.findings.push(missing_reason(
                source,
                obj.document_index,
                obj.id.clone(),
                obj.document.pointer_to(s.at).unwrap_or_default(),
                s.at.span,
                format!("the suppression of `{pattern}` gives no reason, so it is not applied; write `{pattern}: <why this does not apply here>`"),
                format!("Give every line of the `{}` annotation a reason: `policy-id: reason`.", suppress::ANNOTATION),
            ));
        }
    }
}

/// `Kind `name`` for messages (the kind alone for unnamed objects such as configuration files).
fn describe(obj: &Object<'_>) -> String {
    match obj.id.name.as_deref() {
        Some(n) => format!("{} `{}`", obj.id.kind, clean(n)),
        None => obj.id.kind.clone(),
    }
}

/// Where a finding on `at` points: its pointer, and the span to show — for a map or a list
/// that is the value of a key, the key (`securityContext:`), where a reader looks for it.
fn place<'a>(document: &'a Node, at: &'a Node) -> (String, Span) {
    let (path, key) = document.locate(at).unwrap_or_default();
    let span = match (&at.value, key) {
        (crate::document::Value::Map(_) | crate::document::Value::Seq(_), Some(k)) => k.span,
        _ => at.span,
    };
    (path, span)
}

/// The finding for a suppression that gives no reason (and is therefore not applied).
fn missing_reason(
    source: &Source,
    document: usize,
    object: ObjectId,
    path: String,
    span: Span,
    message: String,
    fix: String,
) -> Finding {
    Finding {
        policy: MISSING_REASON_ID.into(),
        title: "Suppression without a reason".into(),
        severity: Severity::Low,
        category: "configuration".into(),
        message,
        file: source.name.clone(),
        document,
        object,
        path,
        span: SourceSpan::of(source, span),
        standards: serde_json::Map::new(),
        fix,
        related: Vec::new(),
    }
}

/// Applies `# rempart:ignore` comments; one without a reason is reported, not applied.
fn apply_comments(
    source: &Source,
    comments: &[comments::LineSuppression],
    placed: &[(Span, usize, ObjectId)],
    report: &mut Report,
) {
    if comments.is_empty() {
        return;
    }
    let before = report.findings.len();
    report.findings.retain(|f| !comments.iter().any(|c| c.covers(f)));
    report.summary.suppressed += before - report.findings.len();
    for c in comments.iter().filter(|c| c.reason.is_none()) {
        let (document, object) = placed
            .iter()
            .rfind(|(span, _, _)| span.start <= c.span.start)
            .map(|(_, i, id)| (*i, id.clone()))
            .unwrap_or_default();
        let pattern = clean(&c.pattern);
        report.findings.push(missing_reason(
            source,
            document,
            object,
            String::new(),
            c.span,
            format!(
                "the suppression comment for `{pattern}` gives no reason, so it is not applied; write `# {} {pattern} <why this does not apply here>`",
                comments::MARKER
            ),
            "Give the comment a reason after the policy id.".into(),
        ));
    }
}

/// What a policy's evaluation on one object needs besides the object.
struct Env<'b, 'a> {
    version: Version,
    budget: &'b Budget,
    related: &'a Related,
}

fn run_policy<'a>(
    index: usize,
    policy: &Policy,
    object: &'a Node,
    root: &'a Node,
    env: &Env<'_, 'a>,
    out: &mut Vec<Draft<'a>>,
) {
    let (version, budget, related) = (env.version, env.budget, env.related);
    let scope = Scope {
        object,
        root,
        items: &[],
        version,
        budget,
        related,
    };
    if policy.unless.iter().any(|c| c.eval(&scope).is_some()) {
        return;
    }
    for rule in policy.rules.iter().filter(|r| r.versions.contains(version)) {
        let mut items = Vec::new();
        let mut ctx = RuleRun {
            index,
            policy,
            rule,
            object,
            root,
            version,
            budget,
            related,
            out: &mut *out,
        };
        ctx.iterate(0, &mut items);
    }
}

struct RuleRun<'r, 'a> {
    index: usize,
    policy: &'r Policy,
    rule: &'r Rule,
    object: &'a Node,
    root: &'a Node,
    version: Version,
    budget: &'r Budget,
    related: &'a Related,
    out: &'r mut Vec<Draft<'a>>,
}

impl<'a> RuleRun<'_, 'a> {
    fn iterate(&mut self, depth: usize, items: &mut Vec<Item<'a>>) {
        if self.budget.spent() {
            return;
        }
        let Some(each) = self.rule.each.get(depth) else {
            self.leaf(items);
            return;
        };
        let found = each_items(each, &self.scope(items));
        for item in found {
            // Every item bound, at every level of nested `each`, spends the budget: nesting
            // multiplies the work, and the budget bounds the product.
            if !self.budget.spend() {
                return;
            }
            items.push(item);
            self.iterate(depth + 1, items);
            items.pop();
        }
    }

    /// The scope of the rule's conditions with these items bound.
    fn scope<'s>(&'s self, items: &'s [Item<'a>]) -> Scope<'a, 's> {
        Scope {
            object: self.object,
            root: self.root,
            items,
            version: self.version,
            budget: self.budget,
            related: self.related,
        }
    }

    fn leaf(&mut self, items: &[Item<'a>]) {
        let scope = self.scope(items);
        if let Some(when) = &self.rule.when {
            if when.eval(&scope).is_none() {
                return;
            }
        }
        let Some(hit) = self.rule.deny.eval(&scope) else {
            return;
        };
        let at = match &self.rule.at {
            Some(p) => p
                .first(scope.start(p), &scope)
                .unwrap_or_else(|| p.nearest(scope.start(p), &scope)),
            None => hit.at,
        };
        // A finding costs more than a comparison, which bounds the findings of one policy on
        // one object (and the memory they take).
        if !self.budget.spend_many(Budget::FINDING_COST) {
            return;
        }
        let message = render(&self.rule.message, &scope, hit.value.as_deref());
        self.out.push(Draft {
            policy: self.index,
            at,
            message,
            severity: self.policy.severity,
            version: self.version,
        });
    }
}

fn each_items<'a>(each: &Each, scope: &Scope<'a, '_>) -> Vec<Item<'a>> {
    let mut out = Vec::new();
    match &each.over {
        Iteration::Containers {
            init,
            regular,
            ephemeral,
        } => {
            let spec = scope.root.get("spec");
            for (on, key) in [
                (init, "initContainers"),
                (regular, "containers"),
                (ephemeral, "ephemeralContainers"),
            ] {
                if *on {
                    let list = spec.and_then(|s| s.get(key)).and_then(Node::as_seq).unwrap_or_default();
                    out.extend(list.iter().filter(|c| c.as_map().is_some()).map(Item::node));
                }
            }
        }
        Iteration::Nodes(path) => {
            path.any(scope.start(path), scope, &mut |n| {
                if !n.is_null() {
                    out.push(Item::node(n));
                }
                false
            });
        }
        Iteration::Entries(path) => {
            path.any(scope.start(path), scope, &mut |n| {
                for (k, v) in n.as_map().unwrap_or_default() {
                    out.push(Item { node: v, key: Some(k) });
                }
                false
            });
        }
    }
    out
}

/// Fills a message template; values from the document are cleaned of control characters.
fn render(template: &Template, scope: &Scope<'_, '_>, value: Option<&str>) -> String {
    let mut out = String::new();
    // A missing value reads "unset", without the code quotes meant for a value:
    // "`--profiling` is unset", not "is `unset`".
    let mut unquote_next = false;
    for part in &template.parts {
        let found = match part {
            Part::Text(t) => {
                let t = if unquote_next {
                    t.strip_prefix('`').unwrap_or(t)
                } else {
                    t
                };
                unquote_next = false;
                out.push_str(t);
                continue;
            }
            Part::Value => value.map(str::to_owned),
            Part::Path(p) => p
                .first(scope.start(p), scope)
                .filter(|n| !n.is_null())
                .map(Node::display),
        };
        match found {
            Some(v) => out.push_str(&clean(&v)),
            None => {
                unquote_next = out.ends_with('`');
                if unquote_next {
                    out.pop();
                }
                out.push_str("unset");
            }
        }
    }
    out
}

/// Replaces control characters (newlines, escapes) so that values cannot break reports.
fn clean(text: &str) -> String {
    let mut out: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    if out.chars().count() > 200 {
        out = out.chars().take(200).collect::<String>() + "…";
    }
    out
}

/// True when `word` stands in `text` as a whole word, or as the item kind of a list kind
/// (`ServiceAccount` in `kind: ServiceAccount` or `kind: ServiceAccountList`, not in
/// `automountServiceAccountToken`): the pre-pass parses only documents that can hold a
/// wanted kind.
fn contains_word(text: &str, word: &str) -> bool {
    let identifier = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    text.match_indices(word).any(|(i, _)| {
        let before = text.get(..i).and_then(|t| t.chars().next_back());
        let rest = text.get(i + word.len()..).unwrap_or_default();
        let rest = rest.strip_prefix("List").unwrap_or(rest);
        !identifier(before) && !identifier(rest.chars().next())
    })
}

#[cfg(test)]
mod tests {
    use super::{contains_word, ScanContext, Wanted};
    use crate::document::{Limits, Source};
    use crate::objects::Wants;

    #[test]
    fn duplicates_in_the_object_set_are_positioned_errors_naming_both_places() {
        let wanted = Wanted {
            set: Wants::kinds(["ClusterRole"]),
            ..Wanted::default()
        };
        let text = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: \"a\\tb\"}\n";
        let mut context = ScanContext::default();
        for name in ["one.yaml", "two.yaml"] {
            context.add_source(&Source::new(name, text), &Limits::default(), &wanted);
        }
        let errors = context.errors();
        assert_eq!(errors.len(), 1);
        let e = errors.first().unwrap();
        assert_eq!(e.file, "two.yaml");
        assert_eq!(e.span.map(|s| (s.start.line, s.start.column)), Some((1, 1)));
        assert!(e.message.contains("ClusterRole `a b` is defined twice: here and at one.yaml:1:1"), "{}", e.message);
    }

    #[test]
    fn kinds_are_found_as_whole_words() {
        for yes in [
            "kind: ServiceAccount\n",
            "{\"kind\":\"ServiceAccount\"}",
            "kind: 'ServiceAccount'",
            "kind: ServiceAccountList",
        ] {
            assert!(contains_word(yes, "ServiceAccount"), "{yes}");
        }
        for no in [
            "automountServiceAccountToken: true",
            "kind: ServiceAccountList2",
            "x_ServiceAccount",
        ] {
            assert!(!contains_word(no, "ServiceAccount"), "{no}");
        }
    }
}
