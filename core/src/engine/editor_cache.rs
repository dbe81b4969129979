//! Reuse across keystrokes: an editor evaluates the whole text at every change, but a change
//! touches one document. The findings of a document depend on that document and on the
//! text's context (its Namespaces, the objects policies look up; comments that suppress across
//! documents turn the cache off), so the report of an unchanged document in an unchanged
//! context is reused, moved to where the document now stands.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use super::evaluate::Evaluator;
use super::report::{Report, SourceSpan};
use super::Engine;
use crate::document::{Documents, Source};

/// One document's report, as computed where the document stood then.
struct Cached {
    start: usize,
    line: usize,
    first_index: usize,
    documents: usize,
    report: Report,
}

/// Reports of the documents of the last evaluation, by file name and text.
#[derive(Default)]
pub struct EditorCache {
    entries: HashMap<u64, Cached>,
}

fn key(name: &str, piece: &str, context: u64) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    name.hash(&mut h);
    context.hash(&mut h);
    piece.hash(&mut h);
    h.finish()
}

fn shift(span: &mut SourceSpan, bytes: isize, lines: isize) {
    for p in [&mut span.start, &mut span.end] {
        p.offset = p.offset.saturating_add_signed(bytes);
        p.line = p.line.saturating_add_signed(lines);
    }
}

impl Engine {
    /// Scans `source` like [`Engine::scan_source`], reusing from `cache` the reports of the
    /// documents that did not change since the last call; the cache then holds this text's.
    pub fn scan_with_cache(&self, source: &Source, cache: &mut EditorCache) -> Report {
        if source.text.contains(super::comments::MARKER) {
            cache.entries.clear();
            return self.scan_source(source);
        }
        // A document's findings depend on it and on the context of the whole text (its
        // Namespaces, the objects policies look up): the context's fingerprint is part of
        // every key, so a change there computes every document again.
        let context = self.context(std::iter::once(source));
        let fingerprint = context.fingerprint();
        let evaluator = Evaluator {
            engine: self,
            context: &context,
            patches: false,
        };
        let mut fresh: HashMap<u64, Cached> = HashMap::new();
        let mut total = Report::new();
        total.notes = self.option_notes();
        let mut index = 0;
        for range in Documents::pieces(&source.text) {
            let (start, end) = range;
            let piece = source.text.get(start..end).unwrap_or_default();
            let k = key(&source.name, piece, fingerprint);
            let line = source.position(start).line;
            let cached = cache.entries.remove(&k).map(|mut c| {
                let (bytes, lines) = (start as isize - c.start as isize, line as isize - c.line as isize);
                let documents = index as isize - c.first_index as isize;
                for f in &mut c.report.findings {
                    shift(&mut f.span, bytes, lines);
                    f.document = f.document.saturating_add_signed(documents);
                }
                for e in c.report.notes.iter_mut() {
                    if let Some(span) = e.span.as_mut() {
                        shift(span, bytes, lines);
                    }
                    e.document = e.document.map(|d| d.saturating_add_signed(documents));
                }
                Cached {
                    start,
                    line,
                    first_index: index,
                    documents: c.documents,
                    report: c.report,
                }
            });
            let entry = match cached {
                Some(c) => c,
                None => {
                    let docs: Vec<_> = Documents::piece(&source.text, range, index, &self.limits).collect();
                    let documents = docs.len();
                    let report = evaluator.file(source, docs.into_iter());
                    Cached {
                        start,
                        line,
                        first_index: index,
                        documents,
                        report,
                    }
                }
            };
            index += entry.documents;
            let mut part = entry.report.clone();
            part.summary.files = 0;
            total.findings.append(&mut part.findings);
            total.errors.append(&mut part.errors);
            total.notes.append(&mut part.notes);
            let s = &mut total.summary;
            s.documents += part.summary.documents;
            s.findings += part.summary.findings;
            s.errors += part.summary.errors;
            s.skipped += part.summary.skipped;
            s.suppressed += part.summary.suppressed;
            // A piece that did not parse may carry line numbers in its messages: not reused.
            if entry.report.errors.is_empty() {
                fresh.insert(k, entry);
            }
        }
        total.summary.files = 1;
        cache.entries = fresh;
        total
    }
}
