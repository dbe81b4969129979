//! Leniencies of go-yaml v2 that the YAML parser used here does not have.
//!
//! go-yaml v2 (a port of libyaml) does not check the indentation of the continuation lines
//! of a quoted scalar (`yaml_parser_scan_flow_scalar`), so kubectl reads
//!
//! ```yaml
//!       message: "first line
//!     second line"
//! ```
//!
//! inside a nested map, which YAML forbids. The leading blanks of continuation lines are not
//! part of the value, so indenting those lines further in a copy of the text reads the same
//! value; an offset map keeps every position pointing into the original text.

/// Spaces inserted in a copy of a piece: `(char index in the copy, count)`, in order.
#[derive(Clone, Debug, Default)]
pub(super) struct Inserts {
    /// `(position in the copy, count, spaces inserted before it)`.
    list: Vec<(usize, usize, usize)>,
}

impl Inserts {
    /// The character index in the original piece of character `c` of the copy; an inserted
    /// space maps to the place it was inserted at.
    pub fn original(&self, c: usize) -> usize {
        let k = self.list.partition_point(|&(pos, _, _)| pos <= c);
        let Some(&(pos, count, before)) = k.checked_sub(1).and_then(|k| self.list.get(k)) else {
            return c;
        };
        if c < pos + count {
            pos - before
        } else {
            c - before - count
        }
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Records `count` spaces inserted at `pos` of the current copy.
    fn add(&mut self, pos: usize, count: usize) {
        let mut plain: Vec<(usize, usize)> = self.list.iter().map(|&(p, c, _)| (p, c)).collect();
        for entry in plain.iter_mut().filter(|(p, _)| *p >= pos) {
            entry.0 += count;
        }
        plain.push((pos, count));
        plain.sort_unstable();
        let mut before = 0;
        self.list = plain
            .into_iter()
            .map(|(p, c)| {
                let entry = (p, c, before);
                before += c;
                entry
            })
            .collect();
    }
}

/// The continuation lines of the quoted scalar opening at character `quote` of `text` that
/// are indented less than its opening quote: `(byte offset of the line, spaces missing)`.
fn under_indented(text: &str, quote: usize) -> Vec<(usize, usize)> {
    let mut fixes = Vec::new();
    let Some((qb, q)) = text.char_indices().nth(quote) else {
        return fixes;
    };
    if q != '"' && q != '\'' {
        return fixes;
    }
    let line_start = text.get(..qb).and_then(|t| t.rfind('\n')).map_or(0, |i| i + 1);
    let column = text.get(line_start..qb).map_or(0, |t| t.chars().count());
    let body = text.get(qb + 1..).unwrap_or_default();
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' if q == '"' && chars.peek().is_some_and(|&(_, n)| n != '\n') => {
                chars.next();
            }
            '\'' if q == '\'' => {
                if chars.peek().is_some_and(|&(_, n)| n == '\'') {
                    chars.next();
                } else {
                    break;
                }
            }
            '"' if q == '"' => break,
            '\n' => {
                let start = qb + 1 + i + 1;
                let rest = text.get(start..).unwrap_or_default();
                let blanks = rest.chars().take_while(|c| matches!(c, ' ' | '\t')).count();
                if blanks < column {
                    fixes.push((start, column - blanks));
                }
            }
            _ => {}
        }
    }
    fixes
}

/// The character index of the first continuation line of the quoted scalar opening at
/// character `quote` that is indented less than its opening quote, if any.
pub(super) fn first_under_indented(text: &str, quote: usize) -> Option<usize> {
    let (byte, _) = under_indented(text, quote).into_iter().next()?;
    text.get(..byte).map(|t| t.chars().count())
}

/// The character index of the first line after character `from` of `text` that starts with
/// a document marker (`---` or `...`), which ends a quoted scalar early.
pub(super) fn document_marker_after(text: &str, from: usize) -> Option<usize> {
    let (fb, _) = text.char_indices().nth(from)?;
    let mut offset = fb;
    for (n, line) in text.get(fb..)?.split_inclusive('\n').enumerate() {
        if n > 0 && (line.starts_with("---") || line.starts_with("...")) {
            return text.get(..offset).map(|t| t.chars().count());
        }
        offset += line.len();
    }
    None
}

/// Indents the continuation lines of the quoted scalar opening at character `quote` of
/// `copy` at least as deep as its opening quote. Returns the character index (in the copy
/// before the change) of the first line it indented, or `None` when there was nothing to do.
pub(super) fn indent_quoted(copy: &mut String, inserts: &mut Inserts, quote: usize) -> Option<usize> {
    let fixes = under_indented(copy, quote);
    let first = fixes
        .first()
        .map(|&(b, _)| copy.get(..b).map_or(0, |t| t.chars().count()))?;
    for &(byte, count) in fixes.iter().rev() {
        let pos = copy.get(..byte).map_or(0, |t| t.chars().count());
        copy.insert_str(byte, &" ".repeat(count));
        inserts.add(pos, count);
    }
    Some(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuation_lines_are_indented_and_positions_map_back() {
        let original = "a:\n  b: \"one\n two\n\n three\"\n  c: 1\n";
        let mut copy = original.to_owned();
        let mut inserts = Inserts::default();
        let quote = original.find('"').unwrap_or_default();
        assert_eq!(indent_quoted(&mut copy, &mut inserts, quote), Some(13));
        assert_eq!(copy, "a:\n  b: \"one\n     two\n     \n     three\"\n  c: 1\n");
        let c_copy = copy.find("c: 1").unwrap_or_default();
        assert_eq!(inserts.original(c_copy), original.find("c: 1").unwrap_or_default());
        let two = copy.find("two").unwrap_or_default();
        assert_eq!(inserts.original(two), original.find("two").unwrap_or_default());
        assert_eq!(inserts.original(13), 13);
        assert_eq!(indent_quoted(&mut copy, &mut inserts, quote), None);
    }

    #[test]
    fn offending_lines_are_found() {
        let text = "a: \"x\n...\ny\"\n";
        assert_eq!(document_marker_after(text, 3), Some(6));
        assert_eq!(first_under_indented("k:\n  v: 'a\n b'\n", 8), Some(11));
        assert_eq!(first_under_indented("k: 'a\n     b'\n", 3), None);
    }
}
