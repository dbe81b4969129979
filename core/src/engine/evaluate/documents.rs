//! The document loop: one file's documents as they come, with the bounds on what one file
//! may report (errors, notes, findings) and the patches of a kustomization.

use super::findings::apply_comments;
use super::Evaluator;
use crate::document::{expand, Node, ObjectId, RawDocument, Source, Span};
use crate::engine::comments;
use crate::engine::report::{ErrorEntry, Note, Report, SourceSpan};
use crate::engine::templates;
use crate::policy::Severity;

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
}
