//! Documents: spanned parsing of YAML and JSON streams, positions, Kubernetes objects.

mod block;
mod lenient;
mod limits;
mod node;
mod object;
mod positions;
mod scalar;
mod source;
mod tags;
mod yaml;

pub use limits::Limits;
pub use node::{push_escaped, Node, Span, Value};
pub use object::{expand, Expanded, Object, ObjectId, Skip};
pub use source::{Position, Source};
pub use yaml::{parse_piece, parse_stream, Documents, ParseError, Parsed, RawDocument, HARD_MAX_DEPTH};
