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

    /// Records spaces inserted at once: `(position in the current copy, count)`, sorted.
    fn add_many(&mut self, added: &[(usize, usize)]) {
        // Where each position of the current copy moves: past the spaces inserted at or before it.
        let sums: Vec<usize> = std::iter::once(0)
            .chain(added.iter().scan(0, |total, &(_, n)| {
                *total += n;
                Some(*total)
            }))
            .collect();
        let shift = |p: usize| -> usize {
            let k = added.partition_point(|&(pos, _)| pos <= p);
            sums.get(k).copied().unwrap_or_default()
        };
        let mut plain: Vec<(usize, usize)> = self.list.iter().map(|&(p, c, _)| (p + shift(p), c)).collect();
        let mut before_new = 0;
        for &(pos, count) in added {
            plain.push((pos + before_new, count));
            before_new += count;
        }
        self.set(plain);
    }

    /// Replaces the list with `plain` (position, count), sorted, each with the count of the
    /// spaces inserted before it.
    fn set(&mut self, mut plain: Vec<(usize, usize)>) {
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

    /// Records `count` spaces inserted at `pos` of the current copy.
    fn add(&mut self, pos: usize, count: usize) {
        let mut plain: Vec<(usize, usize)> = self.list.iter().map(|&(p, c, _)| (p, c)).collect();
        for entry in plain.iter_mut().filter(|(p, _)| *p >= pos) {
            entry.0 += count;
        }
        plain.push((pos, count));
        self.set(plain);
    }
}

/// The continuation lines of the quoted scalar opening at character `quote` of `text` that
/// are indented less than its opening quote: `(byte offset of the line, spaces missing)`.
fn under_indented(text: &str, quote: usize) -> Vec<(usize, usize)> {
    match text.char_indices().nth(quote) {
        Some((qb, _)) => under_indented_at(text, qb),
        None => Vec::new(),
    }
}

/// [`under_indented`] for the quote at byte `qb`.
fn under_indented_at(text: &str, qb: usize) -> Vec<(usize, usize)> {
    let mut fixes = Vec::new();
    let Some(q) = text.get(qb..).and_then(|t| t.chars().next()) else {
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

/// The end (byte offset of the closing quote) of the quoted scalar whose opening quote is at
/// byte `open` of `text`, if it closes.
pub(super) fn closing_quote(text: &str, open: usize) -> Option<usize> {
    let b = text.as_bytes();
    let q = *b.get(open)?;
    let mut i = open + 1;
    while let Some(&c) = b.get(i) {
        match c {
            b'\\' if q == b'"' => i += 1,
            b'\'' if q == b'\'' => {
                if b.get(i + 1) == Some(&b'\'') {
                    i += 1;
                } else {
                    return Some(i);
                }
            }
            b'"' if q == b'"' => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// The quoted scalars a quick forward reading of `text` from byte `from` finds, as byte
/// offsets of their opening and closing quotes. It knows comments, flow indicators, `key: `,
/// `- `, node properties and block scalars, not everything YAML allows (a quote that starts a
/// continuation line of a multi-line plain scalar looks like a quoted scalar to it): its
/// guesses are only used once the parser has confirmed them.
pub(super) fn quoted_scalars(text: &str, from: usize) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut found = Vec::new();
    let mut i = from;
    let mut token_start = false;
    // The indentation of the line that opened a block scalar, while its content is skipped.
    let mut block: Option<usize> = None;
    let mut line_start = false;
    while i < b.len() {
        if line_start || i == 0 {
            line_start = false;
            let indent = b.get(i..).map_or(0, |r| r.iter().take_while(|&&c| c == b' ').count());
            let rest = b.get(i + indent).copied();
            if let Some(parent) = block {
                if matches!(rest, None | Some(b'\n' | b'\r')) || indent > parent {
                    // Content (or a blank line) of the block scalar.
                    i = b
                        .get(i..)
                        .and_then(|r| r.iter().position(|&c| c == b'\n'))
                        .map_or(b.len(), |n| i + n + 1);
                    line_start = true;
                    continue;
                }
                block = None;
            }
            i += indent;
            token_start = true;
            continue;
        }
        let Some(&c) = b.get(i) else { break };
        let next = b.get(i + 1).copied();
        let blank_after = matches!(next, None | Some(b' ' | b'\t' | b'\n' | b'\r'));
        match c {
            b'\n' => {
                line_start = true;
                i += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' => {}
            b'#' if i == 0 || matches!(b.get(i - 1), Some(b' ' | b'\t' | b'\n')) => {
                i = b
                    .get(i..)
                    .and_then(|r| r.iter().position(|&c| c == b'\n'))
                    .map_or(b.len(), |n| i + n);
                continue;
            }
            b'[' | b'{' | b',' => token_start = true,
            b']' | b'}' => token_start = false,
            b':' if blank_after => token_start = true,
            b'-' | b'?' if token_start && blank_after => {}
            b'&' | b'!' if token_start => {
                // A property: up to the next blank; the node follows it.
                while b
                    .get(i + 1)
                    .is_some_and(|&c| !matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
                {
                    i += 1;
                }
            }
            b'"' | b'\'' if token_start => {
                let Some(close) = closing_quote(text, i) else { break };
                found.push((i, close));
                token_start = false;
                i = close;
            }
            b'|' | b'>' if token_start => {
                let line = b
                    .get(..i)
                    .and_then(|t| t.iter().rposition(|&c| c == b'\n'))
                    .map_or(0, |n| n + 1);
                let indent = b
                    .get(line..)
                    .map_or(0, |r| r.iter().take_while(|&&c| c == b' ').count());
                block = Some(indent);
                i = b
                    .get(i..)
                    .and_then(|r| r.iter().position(|&c| c == b'\n'))
                    .map_or(b.len(), |n| i + n);
                continue;
            }
            _ if token_start => {
                // A plain scalar: up to `: `, ` #`, the end of the line or (in flow) an indicator.
                token_start = false;
                while let Some(&c) = b.get(i + 1) {
                    let after = b.get(i + 2).copied();
                    if c == b'\n'
                        || (c == b':' && matches!(after, None | Some(b' ' | b'\t' | b'\n' | b'\r')))
                        || matches!(c, b',' | b']' | b'}')
                        || (c == b'#' && matches!(b.get(i), Some(b' ' | b'\t')))
                    {
                        break;
                    }
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    found
}

/// Indents, in one go, every quoted scalar [`quoted_scalars`] finds in `copy` after byte
/// `from` whose continuation lines are indented less than its opening quote. Returns, for each
/// scalar changed, the character indices in the copy before the change of its opening quote,
/// its closing quote and its first line indented.
pub(super) fn indent_all_quoted(copy: &mut String, inserts: &mut Inserts, from: usize) -> Vec<(usize, usize, usize)> {
    let mut changed = Vec::new();
    let mut fixes: Vec<(usize, usize)> = Vec::new();
    for (open, close) in quoted_scalars(copy, from) {
        let lines = under_indented_at(copy, open);
        if let Some(&(first, _)) = lines.first() {
            changed.push((open, close, first));
            fixes.extend(lines);
        }
    }
    if fixes.is_empty() {
        return Vec::new();
    }
    // Byte offsets to character indices, in one pass (all are in increasing order).
    let mut wanted: Vec<usize> = changed
        .iter()
        .flat_map(|&(o, c, f)| [o, c, f])
        .chain(fixes.iter().map(|&(b, _)| b))
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    let mut index = std::collections::HashMap::with_capacity(wanted.len());
    let mut chars = 0;
    let mut last = 0;
    for &w in &wanted {
        chars += copy.get(last..w).map_or(0, |t| t.chars().count());
        last = w;
        index.insert(w, chars);
    }
    let at = |b: usize| index.get(&b).copied().unwrap_or_default();
    let mut added: Vec<(usize, usize)> = fixes.iter().map(|&(b, n)| (at(b), n)).collect();
    added.sort_unstable();
    // Build the new copy in one pass.
    let mut out = String::with_capacity(copy.len() + fixes.iter().map(|&(_, n)| n).sum::<usize>());
    let mut last = 0;
    let mut sorted = fixes.clone();
    sorted.sort_unstable();
    for (b, n) in sorted {
        out.push_str(copy.get(last..b).unwrap_or_default());
        out.extend(std::iter::repeat_n(' ', n));
        last = b;
    }
    out.push_str(copy.get(last..).unwrap_or_default());
    *copy = out;
    inserts.add_many(&added);
    changed.into_iter().map(|(o, c, f)| (at(o), at(c), at(f))).collect()
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
