//! The report: findings, errors, notes and the summary, in the stable JSON shape.

use serde::{Deserialize, Serialize};

use crate::document::{ObjectId, Position, Source, Span};
use crate::policy::Severity;

/// A start and end position in the source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SourceSpan {
    pub start: Position,
    pub end: Position,
}

impl SourceSpan {
    pub fn of(source: &Source, span: Span) -> Self {
        SourceSpan {
            start: source.position(span.start),
            end: source.position(span.end),
        }
    }
}

/// One policy violation, pointing at the node that causes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub policy: String,
    pub title: String,
    pub severity: Severity,
    pub category: String,
    pub message: String,
    pub file: String,
    /// 0-based index of the document in its file.
    pub document: usize,
    pub object: ObjectId,
    /// RFC 6901 pointer into the document as written.
    pub path: String,
    pub span: SourceSpan,
    pub standards: serde_json::Map<String, serde_json::Value>,
    pub fix: String,
    /// Other places that explain the finding (the role rule that grants a right, the policy
    /// that selects a pod), in order of relevance. Written only when not empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<RelatedLocation>,
}

/// A place in the same or another input that a finding refers to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelatedLocation {
    pub file: String,
    /// 0-based index of the document in its file.
    pub document: usize,
    /// RFC 6901 pointer into that document as written.
    pub path: String,
    pub span: SourceSpan,
    /// What this place is, e.g. "the rule of ClusterRole `edit` that grants it".
    pub message: String,
}

impl RelatedLocation {
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
pub struct ErrorEntry {
    pub file: String,
    pub document: Option<usize>,
    pub message: String,
    pub span: Option<SourceSpan>,
}

/// A document that was read but not evaluated, and why.
pub type Note = ErrorEntry;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub files: usize,
    pub documents: usize,
    pub findings: usize,
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
pub struct Report {
    pub version: String,
    pub findings: Vec<Finding>,
    pub errors: Vec<ErrorEntry>,
    pub notes: Vec<Note>,
    pub summary: Summary,
}

impl Report {
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
