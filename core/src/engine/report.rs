//! The report: findings, errors, notes and the summary, in the stable JSON shape.

use serde::{Deserialize, Serialize};

use crate::document::{ObjectId, Position, Source, Span};
use crate::policy::Severity;

/// A start and end position in the source.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SourceSpan {
    /// Where it starts.
    pub start: Position,
    /// Where it ends (exclusive).
    pub end: Position,
}

impl SourceSpan {
    /// The positions of a byte span of `source`.
    pub fn of(source: &Source, span: Span) -> Self {
        SourceSpan {
            start: source.position(span.start),
            end: source.position(span.end),
        }
    }
}

/// One policy violation, pointing at the node that causes it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Finding {
    /// The policy id.
    pub policy: String,
    /// The policy's title.
    pub title: String,
    /// How serious it is.
    pub severity: Severity,
    /// The policy's category.
    pub category: String,
    /// What is wrong, where, and what to do; values from the input in backticks.
    pub message: String,
    /// The file (or input name).
    pub file: String,
    /// 0-based index of the document in its file.
    pub document: usize,
    /// The object it is about.
    pub object: ObjectId,
    /// RFC 6901 pointer into the document as written.
    pub path: String,
    /// Where the node stands in the file.
    pub span: SourceSpan,
    /// The standards the policy maps to (CIS, Pod Security, …), as the policy file writes them.
    pub standards: serde_json::Map<String, serde_json::Value>,
    /// How to fix it.
    pub fix: String,
    /// Other places that explain the finding (the role rule that grants a right, the policy
    /// that selects a pod), in order of relevance. Written only when not empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<RelatedLocation>,
}

/// A place in the same or another input that a finding refers to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RelatedLocation {
    /// The file (or input name).
    pub file: String,
    /// 0-based index of the document in its file.
    pub document: usize,
    /// RFC 6901 pointer into that document as written.
    pub path: String,
    /// Where the place stands in its file.
    pub span: SourceSpan,
    /// What this place is, e.g. "the rule of ClusterRole `edit` that grants it".
    pub message: String,
}

impl ErrorEntry {
    /// An entry about a whole input (no document, no place).
    pub fn new(file: impl Into<String>, message: impl Into<String>) -> Self {
        ErrorEntry {
            file: file.into(),
            document: None,
            message: message.into(),
            span: None,
        }
    }
}

impl RelatedLocation {
    /// The related location at a place of the scan's object set, described by `message`.
    pub fn at(place: crate::objects::Place, message: String) -> Self {
        RelatedLocation {
            file: place.file,
            document: place.document,
            path: place.path,
            span: SourceSpan {
                start: place.start,
                end: place.end,
            },
            message,
        }
    }

    /// `file:line:column: message`, as the one-line formats print it.
    pub fn one_line(&self) -> String {
        format!(
            "{}:{}:{}: {}",
            self.file, self.span.start.line, self.span.start.column, self.message
        )
    }
}

/// An input, or one document of it, that could not be read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ErrorEntry {
    /// The file (or input name).
    pub file: String,
    /// 0-based index of the document, when the entry is about one.
    pub document: Option<usize>,
    /// What happened.
    pub message: String,
    /// Where, when it is about a place.
    pub span: Option<SourceSpan>,
}

/// A document that was read but not evaluated, and why.
pub type Note = ErrorEntry;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
/// Counts of a scan.
#[non_exhaustive]
pub struct Summary {
    /// Files scanned.
    pub files: usize,
    /// Documents read.
    pub documents: usize,
    /// Findings reported.
    pub findings: usize,
    /// Errors reported.
    pub errors: usize,
    /// Documents read but not evaluated (see `notes`).
    pub skipped: usize,
    /// Findings silenced by a suppression (annotation, comment or configured exception).
    pub suppressed: usize,
    /// Findings hidden because the baseline has them.
    #[serde(default)]
    pub baselined: usize,
    /// Paths left out of the directories walked (`.git`, special files, symbolic links
    /// leaving the scanned paths); each has a note. Written only when not zero.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub ignored: usize,
    /// Of the `suppressed` findings, those a configured exception covered (the others were
    /// silenced by a comment or an annotation). Written only when not zero.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub excepted: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// What a scan found.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Report {
    /// The Rempart version that wrote the report.
    pub version: String,
    /// The findings, in file and document order.
    pub findings: Vec<Finding>,
    /// What could not be read or checked: each fails the scan.
    pub errors: Vec<ErrorEntry>,
    /// What was read in an unexpected way, or left out (see `summary`).
    pub notes: Vec<Note>,
    /// The counts.
    pub summary: Summary,
}

impl Report {
    /// An empty report of this Rempart version.
    pub fn new() -> Self {
        Report {
            version: crate::VERSION.to_owned(),
            ..Report::default()
        }
    }

    /// Appends another report (for another file).
    pub fn merge(&mut self, other: Report) {
        self.findings.extend(other.findings);
        self.errors.extend(other.errors);
        self.notes.extend(other.notes);
        let (a, b) = (&mut self.summary, other.summary);
        a.files += b.files;
        a.documents += b.documents;
        a.skipped += b.skipped;
        a.suppressed += b.suppressed;
        a.baselined += b.baselined;
        a.ignored += b.ignored;
        a.excepted += b.excepted;
        a.findings += b.findings;
        a.errors += b.errors;
    }

    /// The highest severity among the findings.
    pub fn worst(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }
}
