//! Positions: the parser's character indexes turned into byte offsets of the whole text
//! (through the spaces a lenient re-reading inserted), and line numbers for messages.

use std::sync::{Arc, OnceLock};

use super::lenient::Inserts;
use super::node::Span;

/// Byte offsets of a text's line starts, shared by the pieces of the text and built when a
/// message first needs a line number.
pub(super) type LineTable = Arc<OnceLock<Vec<usize>>>;

/// Converts the parser's character positions into byte offsets of the whole text.
pub(super) struct Positions<'a> {
    /// The whole text, for line numbers in messages.
    pub(super) text: &'a str,
    piece: &'a str,
    pub(super) base: usize,
    ascii: bool,
    pub(super) cursor_chars: usize,
    pub(super) cursor_bytes: usize,
    lines: LineTable,
    /// Spaces the parser sees that are not in the text (see [`lenient`](super::lenient)).
    pub(super) inserts: Inserts,
}

impl<'a> Positions<'a> {
    pub(super) fn new(text: &'a str, piece: &'a str, base: usize, lines: LineTable) -> Self {
        Positions {
            text,
            piece,
            base,
            ascii: piece.is_ascii(),
            cursor_chars: 0,
            cursor_bytes: 0,
            lines,
            inserts: Inserts::default(),
        }
    }

    /// The 1-based line of a byte offset of the whole text.
    pub(super) fn line(&mut self, offset: usize) -> usize {
        let text = self.text;
        let lines = self.lines.get_or_init(|| {
            std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        lines.partition_point(|&start| start <= offset).max(1)
    }

    /// Byte offset of character index `chars` (of what the parser reads); amortised linear
    /// because events move forward.
    pub(super) fn offset(&mut self, chars: usize) -> usize {
        let chars = if self.inserts.is_empty() {
            chars
        } else {
            self.inserts.original(chars)
        };
        if self.ascii {
            return self.base + chars.min(self.piece.len());
        }
        if chars < self.cursor_chars {
            self.cursor_chars = 0;
            self.cursor_bytes = 0;
        }
        let rest = self.piece.get(self.cursor_bytes..).unwrap_or_default();
        for (i, (byte, _)) in rest.char_indices().enumerate() {
            if self.cursor_chars + i == chars {
                self.cursor_chars = chars;
                self.cursor_bytes += byte;
                return self.base + self.cursor_bytes;
            }
        }
        self.cursor_chars += rest.chars().count();
        self.cursor_bytes = self.piece.len();
        self.base + self.piece.len()
    }

    pub(super) fn span(&mut self, span: saphyr_parser::Span) -> Span {
        let start = self.offset(span.start.index());
        let end = self.offset(span.end.index());
        Span::new(start, end)
    }
}
