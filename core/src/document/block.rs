//! Spans of block scalars (`|` and `>`).
//!
//! The rule, for every block scalar whatever precedes it (a key, `- `, an anchor, a tag): its
//! span starts at the indicator (`|` or `>`, with its chomping and indentation header such as
//! `|-` or `>+2`) and ends after the last non-blank character of its content. The parser gives
//! another start depending on what precedes the scalar (the anchor or tag when there is one,
//! else the first content line) and an end that runs into the next line's indentation, so a
//! finding on the same kind of value would land on different lines; with this rule it lands on
//! the line of its key, where the reader looks, and a span shown in full covers the whole text.

use super::Span;

/// The span of a block scalar, given the parser's `span` for it and `from`, an offset before
/// it where nothing but separators (spaces, line breaks, comments, `:`, `-`, `?`, `---`) and
/// node properties (anchor, tag) may stand between it and the indicator: the end of the
/// previous parser event. When the indicator is not found there, the parser's span is kept.
pub(super) fn block_scalar_span(text: &str, from: usize, span: Span) -> Span {
    let Some(indicator) = find_indicator(text, from, span.end) else {
        return span;
    };
    let rest = text.get(indicator..).unwrap_or_default();
    let header_len = rest
        .char_indices()
        .skip(1)
        .find(|(_, c)| !(c.is_ascii_digit() || *c == '+' || *c == '-'))
        .map_or(rest.len(), |(i, _)| i);
    let header_end = indicator + header_len;
    // The content starts on the line after the header (the header line holds at most a
    // comment); the parser's end is the start of the next token, past trailing blank lines.
    let content_start = rest.find('\n').map_or(span.end, |i| indicator + i + 1);
    let content = text.get(content_start..span.end).unwrap_or_default();
    let end = match content.trim_end().len() {
        0 => header_end,
        n => content_start + n,
    };
    Span::new(indicator, end.max(header_end))
}

/// The offset of the `|` or `>` of the block scalar that the parser spans as `..end`, looking
/// forward from `from` over separators and properties only.
fn find_indicator(text: &str, from: usize, end: usize) -> Option<usize> {
    let window = text.get(from..end)?;
    let mut chars = window.char_indices().peekable();
    // True at the start of a token: after a separator, where `#` starts a comment.
    let mut at_token_start = true;
    while let Some((i, c)) = chars.next() {
        match c {
            '|' | '>' => return Some(from + i),
            ' ' | '\t' | '\r' | '\n' => at_token_start = true,
            '#' if at_token_start => {
                // A comment runs to the end of its line.
                while chars.next_if(|&(_, c)| c != '\n').is_some() {}
            }
            ':' | '-' | '?' => at_token_start = false,
            '&' | '!' => {
                // An anchor or a tag: skip to the next separator.
                while chars.next_if(|&(_, c)| !c.is_whitespace()).is_some() {}
                at_token_start = false;
            }
            _ => return None,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span_of(text: &str, from: &str, content: &str) -> Option<String> {
        let from = text.find(from)? + from.len();
        let start = text.find(content)?;
        // As the parser reports it: up to the start of the next token.
        let end = text.rfind("next").filter(|&i| i > start).unwrap_or(text.len());
        let span = block_scalar_span(text, from, Span::new(start, end));
        text.get(span.start..span.end).map(str::to_owned)
    }

    #[test]
    fn block_scalars_span_from_their_indicator_to_their_last_character() {
        assert_eq!(
            span_of("key: |\n  a\n  b\n\nnext: 1\n", "key", "a").as_deref(),
            Some("|\n  a\n  b")
        );
        assert_eq!(
            span_of("key: >-\n  a\nnext: 1\n", "key", "a").as_deref(),
            Some(">-\n  a")
        );
        assert_eq!(
            span_of("key: &x !!str |+2 # c | d\n    a\nnext: 1\n", "key", "    a").as_deref(),
            Some("|+2 # c | d\n    a")
        );
        assert_eq!(
            span_of("key:   # a | in a comment\n  |\n  a\nnext: 1\n", "key", "  a").as_deref(),
            Some("|\n  a")
        );
        assert_eq!(span_of("- |\n  a\nnext", "", "  a").as_deref(), Some("|\n  a"));
    }

    #[test]
    fn anything_else_keeps_the_parser_span() {
        let text = "key: x |\n  a\n";
        let span = Span::new(11, 12);
        assert_eq!(block_scalar_span(text, 3, span), span);
        assert_eq!(block_scalar_span(text, 100, span), span);
    }
}
