//! Bounds on what one input may cost. Every limit has a clear error when it is hit.

use serde::{Deserialize, Serialize};

/// Resource limits applied while reading documents.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Limits {
    /// Largest document (bytes of source text) that is parsed.
    pub max_document_bytes: usize,
    /// Most documents read from one file; the rest of the file is reported, not read.
    pub max_documents: usize,
    /// Deepest nesting of maps and lists (aliases' copies included). Never more than
    /// [`super::HARD_MAX_DEPTH`], whatever is configured: deeper trees would exhaust the stack.
    pub max_depth: usize,
    /// Most nodes that aliases (`*name`) may copy into one document ("billion laughs"); also
    /// how many nodes, beyond the document's own, anchors nested in anchors may keep copies of.
    pub max_alias_nodes: usize,
    /// Most bytes of scalar text in one document, counting what aliases copy.
    pub max_scalar_bytes: usize,
    /// Largest text handed to the engine at once by a binding, or read from one file.
    pub max_input_bytes: usize,
    /// Most policies an engine may hold.
    pub max_policies: usize,
    /// Most steps one policy may take on one object (nodes visited by wildcards, items bound
    /// by `each` at every nesting level, values compared with a list; a finding costs 100):
    /// what keeps first-match-wins checks on a huge list or deeply nested `each` from running
    /// for hours or filling memory. A policy that needs more is stopped there, with an error.
    pub max_comparisons: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_document_bytes: 16 * 1024 * 1024,
            max_documents: 10_000,
            max_depth: 200,
            max_alias_nodes: 10_000,
            max_scalar_bytes: 64 * 1024 * 1024,
            max_input_bytes: 256 * 1024 * 1024,
            max_policies: 10_000,
            max_comparisons: 1_000_000,
        }
    }
}
