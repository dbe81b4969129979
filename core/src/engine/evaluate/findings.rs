//! One object's findings: the selected policies run on it, their violations placed in the
//! source, and suppressions (annotations and `# rempart:ignore` comments) applied.

use super::messages::clean;
use super::rules::{run_policy, Env};
use super::Evaluator;
use crate::document::{Node, Object, ObjectId, Source, Span};
use crate::engine::report::{ErrorEntry, Finding, RelatedLocation, Report, SourceSpan};
use crate::engine::request;
use crate::engine::suppress::{self, MISSING_REASON_ID};
use crate::engine::{comments, pod_security};
use crate::policy::{Budget, Severity};

impl Evaluator<'_> {
    pub(crate) fn object(&self, source: &Source, obj: &Object<'_>, report: &mut Report) {
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
        // The object of an audit event's request, for the policies that judge it.
        let wants_request = active
            .iter()
            .any(|&i| engine.policies.get(i).is_some_and(|p| p.matcher.request.is_some()));
        let request = wants_request.then(|| request::request_object(obj.node)).flatten();
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
            let (root, note) = match policy.matcher.request {
                Some(view) => match request
                    .as_ref()
                    .and_then(|(o, f)| Some((request::root(o, view, obj.node)?, f.note())))
                {
                    Some(found) => found,
                    None => continue,
                },
                None if policy.matcher.pods && kind.1 => match pod {
                    Some(p) => (p, None),
                    None => continue,
                },
                None => (obj.node, None),
            };
            let before = drafts.len();
            let budget = Budget::new(engine.limits.max_comparisons);
            let env = Env {
                version,
                budget: &budget,
                related: &self.context.related,
            };
            run_policy(i, policy, obj.node, root, &env, &mut drafts);
            for draft in drafts.iter_mut().skip(before).filter(|_| note.is_some()) {
                draft.message.push_str(note.unwrap_or_default());
            }
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
            pod_security::stamp_version(&mut standards, draft.version);
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
                related: draft
                    .related
                    .into_iter()
                    .map(|(p, message)| RelatedLocation::at(p, message))
                    .chain(self.context.network_related(policy, obj.node))
                    .collect(),
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
pub(super) fn describe(obj: &Object<'_>) -> String {
    match obj.id.name.as_deref() {
        Some(n) => format!("{} `{}`", obj.id.kind, clean(n)),
        None => obj.id.kind.clone(),
    }
}

/// Where a finding on `at` points: its pointer, and the span to show — for a map or a list
/// that is the value of a key, the key (`securityContext:`), where a reader looks for it.
fn place<'a>(document: &'a Node, at: &'a Node) -> (String, Span) {
    // A node of an object built from a JSON patch is a copy: found by its place in the file.
    let (path, key) = document
        .locate(at)
        .or_else(|| request::pointer_of_copy(document, at).map(|p| (p, None)))
        .unwrap_or_default();
    let span = match (&at.value, key) {
        (crate::document::Value::Map(_) | crate::document::Value::Seq(_), Some(k)) => k.span,
        _ => at.span,
    };
    (path, span)
}

/// The finding for a suppression that gives no reason (and is therefore not applied).
pub(super) fn missing_reason(
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
pub(super) fn apply_comments(
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
