//! Source texts and the mapping from byte offsets to lines and columns.

use serde::{Deserialize, Serialize};

/// One input text (a file, stdin or a string) with its line index.
#[derive(Debug)]
pub struct Source {
    /// Shown in reports (a file path, `<stdin>`, or any label).
    pub name: String,
    /// The whole text.
    pub text: String,
    line_starts: Vec<usize>,
    /// ASCII text: bytes, characters and UTF-16 units count alike.
    ascii: bool,
}

/// A position reported to users: 1-based line and column (in Unicode scalar values) plus
/// the byte offset.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in Unicode scalar values.
    pub column: usize,
    /// 0-based byte offset.
    pub offset: usize,
}

impl Source {
    /// A text named `name` (its line index is built at once).
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let ascii = text.is_ascii();
        Source {
            name: name.into(),
            text,
            line_starts,
            ascii,
        }
    }

    /// The 0-based line holding `offset`.
    pub fn line_index(&self, offset: usize) -> usize {
        self.line_starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1)
    }

    /// The byte offset at which 0-based line `line` starts.
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts.get(line).copied().unwrap_or(self.text.len())
    }

    /// The text of 0-based line `line`, without its line break.
    pub fn line_text(&self, line: usize) -> &str {
        let start = self.line_start(line);
        let end = self.line_starts.get(line + 1).copied().unwrap_or(self.text.len());
        self.text
            .get(start..end)
            .unwrap_or_default()
            .trim_end_matches(['\n', '\r'])
    }

    /// How many lines the text has.
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The line and column of a byte offset.
    pub fn position(&self, offset: usize) -> Position {
        let offset = self.floor_char_boundary(offset.min(self.text.len()));
        let line = self.line_index(offset);
        let start = self.line_start(line);
        let column = if self.ascii {
            offset - start
        } else {
            self.text.get(start..offset).map_or(0, |s| s.chars().count())
        } + 1;
        Position {
            line: line + 1,
            column,
            offset,
        }
    }

    /// The column of `offset` counted in UTF-16 code units (1-based), as JS editors count.
    pub fn utf16_column(&self, offset: usize) -> usize {
        let offset = self.floor_char_boundary(offset.min(self.text.len()));
        let start = self.line_start(self.line_index(offset));
        if self.ascii {
            return offset - start + 1;
        }
        self.text.get(start..offset).map_or(0, |s| s.encode_utf16().count()) + 1
    }

    /// The offset of `offset` counted in UTF-16 code units from the start of the text.
    pub fn utf16_offset(&self, offset: usize) -> usize {
        let offset = self.floor_char_boundary(offset.min(self.text.len()));
        if self.ascii {
            return offset;
        }
        self.text.get(..offset).map_or(0, |s| s.encode_utf16().count())
    }

    fn floor_char_boundary(&self, mut offset: usize) -> usize {
        while offset > 0 && !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }
}

impl Source {
    /// Reads raw bytes as a source: UTF-8 text (a byte-order mark is dropped), or UTF-16 text
    /// that starts with its byte-order mark, which go-yaml decodes too
    /// (`yaml_parser_determine_encoding`), so kubectl applies such a file; binary data and
    /// invalid UTF-8 are refused with the place of the first bad byte.
    pub fn from_bytes(name: impl Into<String>, bytes: Vec<u8>) -> Result<Source, String> {
        let name = name.into();
        if let Some(text) = utf16(&bytes) {
            let text = text?;
            if let Some(at) = text.find('\0') {
                return Err(format!(
                    "binary data (a NUL character at offset {at} of the decoded UTF-16 text), not YAML or JSON text; skipped"
                ));
            }
            return Ok(Source::new(name, text));
        }
        if let Some(at) = bytes.iter().take(8192).position(|&b| b == 0) {
            return Err(format!(
                "binary data (a NUL byte at offset {at}), not YAML or JSON text; skipped"
            ));
        }
        match String::from_utf8(bytes) {
            Ok(mut text) => {
                if text.starts_with('\u{feff}') {
                    text.replace_range(..3, "");
                }
                Ok(Source::new(name, text))
            }
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let valid = e.as_bytes().get(..at).unwrap_or_default();
                let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
                Err(format!(
                    "invalid UTF-8 at byte {at} (line {line}); save the file as UTF-8"
                ))
            }
        }
    }
}

/// The text of UTF-16 bytes that start with a byte-order mark (`None` without one), or why
/// they are not UTF-16.
fn utf16(bytes: &[u8]) -> Option<Result<String, String>> {
    let little = match bytes.get(..2)? {
        [0xFF, 0xFE] => true,
        [0xFE, 0xFF] => false,
        _ => return None,
    };
    let body = bytes.get(2..).unwrap_or_default();
    let units = body.chunks_exact(2).map(|pair| match *pair {
        [a, b] if little => u16::from_le_bytes([a, b]),
        [a, b] => u16::from_be_bytes([a, b]),
        _ => 0,
    });
    let mut text = String::with_capacity(body.len() / 2);
    for (i, c) in char::decode_utf16(units).enumerate() {
        match c {
            Ok(c) => text.push(c),
            Err(_) => {
                return Some(Err(format!(
                    "invalid UTF-16 (a lone surrogate after {i} characters); save the file as UTF-8"
                )))
            }
        }
    }
    if body.len() % 2 == 1 {
        return Some(Err(
            "invalid UTF-16 (an odd number of bytes); save the file as UTF-8".into()
        ));
    }
    Some(Ok(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_lines_and_unicode_columns() {
        let s = Source::new("x", "a: 1\nnamé: ü\n");
        assert_eq!(
            s.position(0),
            Position {
                line: 1,
                column: 1,
                offset: 0
            }
        );
        let at = s.text.find('ü').unwrap_or_default();
        assert_eq!(
            s.position(at),
            Position {
                line: 2,
                column: 7,
                offset: at
            }
        );
        assert_eq!(s.line_text(1), "namé: ü");
        assert_eq!(s.utf16_column(at), 7);
    }
}
