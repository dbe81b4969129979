//! Evaluation of parsed documents: which policies apply to each object, their rules over
//! the node tree, suppressions, and the findings with exact places.
//!
//! One file per step: `scan_context.rs` the pre-pass over the scan (Namespaces, looked-up
//! objects), `documents.rs` the document loop of one file, `selection.rs` which policies run
//! on an object, `findings.rs` an object's findings and their suppressions, `rules.rs` rule
//! execution, `messages.rs` message templates.

mod documents;
mod findings;
mod messages;
mod rules;
mod scan_context;
mod selection;

pub use scan_context::ScanContext;
pub(crate) use scan_context::Wanted;

use crate::document::Node;
use crate::engine::Engine;
use crate::policy::{Severity, Version};

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
    /// Places in other objects that explain the finding (the RBAC rule that grants a right).
    related: Vec<(crate::objects::Place, String)>,
}
