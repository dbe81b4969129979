//! Unrendered templates: `{{ … }}` actions that a template engine (Helm, and Go templates
//! generally) would replace before Kubernetes sees the manifest.
//!
//! The rule, by where the action's `{{` sits once the document is parsed:
//! - in a **comment**: a template. Template engines render comments too, and an action there
//!   can write new lines into the object (`# {{- "\n  privileged: true" }}`);
//! - in a **mapping key**, or **outside every scalar** (where YAML sees flow syntax, or in text
//!   the parser never read as a value): a template, it shapes the structure;
//! - in a **plain** (unquoted) scalar value, when the action's own text holds a line break or
//!   a `\n`/`\r` escape: a template, it renders new lines where a plain value cannot have any;
//! - anywhere else **inside a scalar value** (plain, quoted or block): data. Prometheus rules,
//!   Alertmanager and Grafana write `{{ $labels.pod }}` in string values, and those manifests
//!   are scanned as they are.
//!
//! A document holding a template is not evaluated: what Kubernetes would read cannot be known
//! from it, so the scan reports a positioned error instead.

use crate::document::{Node, Source, Span, Value};

/// One `{{ … }}` action: from its `{{` to the end of its `}}` (or of its line when unclosed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Action {
    pub span: Span,
}

/// Where an action that makes its document a template sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    Comment,
    Key,
    Structure,
    /// A line break rendered inside a plain value.
    PlainLineBreak,
}

/// The actions of `text[from..to]` (an action may end after `to`), in order, found as they
/// are asked for: none, at no cost, where there is no `{{`.
pub fn actions(text: &str, from: usize, to: usize) -> impl Iterator<Item = Action> + '_ {
    let mut from = from;
    std::iter::from_fn(move || {
        // Bytes: `{` is ASCII, never part of another character, and an action that starts
        // just before `to` is found.
        let window = text.as_bytes().get(from..(to + 1).min(text.len()))?;
        let start = from + window.windows(2).position(|w| w == b"{{")?;
        let rest = text.get(start + 2..).unwrap_or_default();
        let line_end = rest.find('\n').unwrap_or(rest.len());
        let end = match rest.find("}}") {
            // An action may span lines (a raw string), but an unclosed one ends with its line.
            Some(close) => start + 2 + close + 2,
            None => start + 2 + line_end,
        };
        from = end.max(start + 2);
        Some(Action {
            span: Span::new(start, end),
        })
    })
}

/// Where the actions a document holds end: its own end and, unless another document follows
/// before the next separator line, its trailing comments up to that line (or the end of the
/// text). Actions before the document (comments above it) are its too.
pub fn claim_end(text: &str, doc: Span) -> usize {
    let mut offset = doc.end;
    // The rest of the document's last line, then whole lines.
    for (i, line) in text
        .get(doc.end..)
        .unwrap_or_default()
        .split_inclusive('\n')
        .enumerate()
    {
        let t = line.trim();
        let separator = i > 0 && line.starts_with("---") && {
            let rest = line.get(3..).unwrap_or_default().trim();
            rest.is_empty() || rest.starts_with('#')
        };
        if separator {
            return offset;
        }
        if !(t.is_empty() || t.starts_with('#') || t == "...") {
            // Another document in the same piece: it holds what follows.
            return if i == 0 { doc.end } else { offset.max(doc.end) };
        }
        offset += line.len();
    }
    offset
}

/// The scalars of a parsed document, sorted by start: `(span, is_key)`.
fn scalars(root: &Node) -> Vec<(Span, bool)> {
    let mut out = Vec::new();
    let mut stack = vec![(root, false)];
    while let Some((node, key)) = stack.pop() {
        match &node.value {
            Value::Seq(items) => stack.extend(items.iter().map(|n| (n, false))),
            Value::Map(entries) => {
                for (k, v) in entries {
                    stack.push((k, true));
                    stack.push((v, false));
                }
            }
            _ => out.push((node.span, key)),
        }
    }
    out.sort_by_key(|(s, _)| (s.start, s.end));
    out
}

/// The first action of `actions` that makes the document at `root` a template, with where it
/// sits, and how many such actions the document holds.
/// Without a document (actions in comments after the last one), every action counts.
pub fn first_template(
    source: &Source,
    root: Option<&Node>,
    mut actions: impl Iterator<Item = Action>,
) -> Option<(Action, Place, usize)> {
    let first = actions.next()?;
    let scalars = root.map(scalars).unwrap_or_default();
    let mut found = None;
    let mut count = 0;
    for action in std::iter::once(first).chain(actions) {
        let at = action.span.start;
        // The last scalar starting at or before the action, if it encloses it.
        let index = scalars.partition_point(|(s, _)| s.start <= at);
        let enclosing = index
            .checked_sub(1)
            .and_then(|i| scalars.get(i))
            .filter(|(s, _)| at < s.end);
        let place = match enclosing {
            Some((_, true)) => Some(Place::Key),
            Some((span, false)) => {
                let body = source.text.get(action.span.start..action.span.end).unwrap_or_default();
                let breaks = body.contains(['\n', '\r']) || body.contains("\\n") || body.contains("\\r");
                (breaks && is_plain(&source.text, *span)).then_some(Place::PlainLineBreak)
            }
            None if in_comment(source, at) => Some(Place::Comment),
            None => Some(Place::Structure),
        };
        if let Some(place) = place {
            count += 1;
            found.get_or_insert((action, place));
        }
    }
    found.map(|(action, place)| (action, place, count))
}

/// True when the scalar at `span` is written plain: neither quoted nor a block scalar.
fn is_plain(text: &str, span: Span) -> bool {
    let body = text.get(span.start..span.end).unwrap_or_default();
    // A block scalar's span starts at its `|` or `>` indicator (see `document/block.rs`).
    if body.starts_with(['"', '\'', '|', '>']) {
        return false;
    }
    // Should a block scalar's span hold only its content, its header ends the text before it.
    let before = text.get(..span.start).unwrap_or_default().trim_end();
    let header_line = before.rsplit('\n').next().unwrap_or_default();
    let header = match super::comments::comment_start(header_line) {
        Some(i) => header_line.get(..i).unwrap_or_default(),
        None => header_line,
    };
    let header = header
        .trim_end()
        .trim_end_matches(|c: char| c.is_ascii_digit() || c == '-' || c == '+');
    !header.ends_with(['|', '>'])
}

/// True when `offset` is inside a comment on its line.
fn in_comment(source: &Source, offset: usize) -> bool {
    let line = source.line_index(offset);
    let start = source.line_start(line);
    super::comments::comment_start(source.line_text(line)).is_some_and(|hash| start + hash < offset)
}

/// True when an action starts on the line of `offset` or near it (two lines before, one
/// after): a parse error there is likely the template's doing.
pub fn near(source: &Source, offset: usize) -> bool {
    let line = source.line_index(offset);
    let from = source.line_start(line.saturating_sub(2));
    let to = source.line_start(line + 2);
    source.text.get(from..to).is_some_and(|t| t.contains("{{"))
}

/// The error message for a template found at `place`; `in_document` when it made a document
/// go unchecked (else it sits in comments after the last document).
pub fn message(source: &Source, action: Action, place: Place, count: usize, in_document: bool) -> String {
    let text = source.text.get(action.span.start..action.span.end).unwrap_or_default();
    let mut shown: String = text
        .chars()
        .flat_map(|c| match c {
            '\n' => vec!['\\', 'n'],
            '\r' => vec!['\\', 'r'],
            '\t' => vec!['\\', 't'],
            '`' => vec!['\''],
            c if c.is_control() => vec![' '],
            c => vec![c],
        })
        .take(120)
        .collect();
    if text.chars().count() > 120 {
        shown.push('…');
    }
    let where_ = match place {
        Place::Comment => {
            "in a comment; template engines such as Helm render comments too, so it can add fields the scan cannot see"
        }
        Place::Key => "in a key; it decides the object's structure",
        Place::Structure => "where YAML expects a value or a key; it decides the object's structure",
        Place::PlainLineBreak => {
            "in an unquoted value, and it renders a line break there, which can add fields the scan cannot see"
        }
    };
    let more = match count {
        0 | 1 => String::new(),
        2 => " (and 1 more action)".into(),
        n => format!(" (and {} more actions)", n - 1),
    };
    let unchecked = if in_document {
        "this document was not checked: "
    } else {
        ""
    };
    format!("unrendered template action `{shown}` {where_}{more}; {unchecked}render it first (`helm template …`) and scan the output")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{parse_stream, Limits};

    fn places(text: &str) -> Option<(String, Place, usize)> {
        let source = Source::new("t.yaml", text);
        let root = parse_stream(text, &Limits::default())
            .into_iter()
            .find_map(|d| d.result.ok())?;
        first_template(&source, Some(&root), actions(text, 0, text.len()))
            .map(|(a, p, n)| (text.get(a.span.start..a.span.end).unwrap_or_default().to_owned(), p, n))
    }

    #[test]
    fn finds_actions() {
        let text = "a: {{ x }} b {{ y\nc: }}\n";
        let found: Vec<&str> = actions(text, 0, text.len())
            .map(|a| text.get(a.span.start..a.span.end).unwrap_or_default())
            .collect();
        assert_eq!(found, vec!["{{ x }}", "{{ y\nc: }}"]);
        assert_eq!(
            actions("a: {{ x", 0, 7).collect::<Vec<_>>(),
            vec![Action { span: Span::new(3, 7) }]
        );
        assert_eq!(actions("a: { b: {} }", 0, 12).count(), 0);
        // From an offset, up to a limit; the last action may end after it.
        assert_eq!(actions(text, 4, 14).count(), 1);
    }

    #[test]
    fn values_are_data_comments_keys_and_line_breaks_are_templates() {
        for data in [
            "summary: Instance {{ $labels.instance }} down\n",
            "description: \"{{ $labels.pod }} restarts {{ $value }} times\"\n",
            "text: '{{ range .Alerts }}{{ \"\\n\" }}{{ end }}'\n",
            "script: |\n  {{ range .Alerts }}\n  {{ \"\\n\" }}\n  {{ end }}\n",
            "folded: >-\n  a {{ .b }}\n",
            "url: \"http://x/#{{ .y }}\"\n",
        ] {
            assert_eq!(places(data), None, "{data}");
        }
        assert_eq!(
            places("a: false # {{- \"\\n  privileged: true\" }}\n"),
            Some(("{{- \"\\n  privileged: true\" }}".into(), Place::Comment, 1))
        );
        assert_eq!(
            places("# {{ .Values.x }}\na: 1\nb: x # {{ .y }}\n").map(|(_, p, n)| (p, n)),
            Some((Place::Comment, 2))
        );
        assert_eq!(places("? a{{ .x }}\n: 1\n").map(|(_, p, _)| p), Some(Place::Key));
        assert_eq!(
            places("a: on{{ \"\\nprivileged\" }}\n").map(|(_, p, _)| p),
            Some(Place::PlainLineBreak)
        );
    }

    #[test]
    fn documents_hold_their_trailing_comments() {
        let text = "a: 1 # x\n# y\n---\nb: 2\n";
        assert_eq!(claim_end(text, Span::new(0, 4)), 13);
        let text = "a: 1\n# y\n...\n--- {b: 2}\n";
        assert_eq!(claim_end(text, Span::new(0, 4)), 13);
        let text = "a: 1\n# y\n";
        assert_eq!(claim_end(text, Span::new(0, 4)), text.len());
    }

    #[test]
    fn nearness_is_by_line() {
        let text = "a: 1\nb: 2\nc: 3\nd: {{ x }}\ne: 5\nf: 6\n";
        let source = Source::new("t.yaml", text);
        let at_line = |l: usize| source.line_start(l);
        assert!(near(&source, at_line(3)));
        assert!(near(&source, at_line(2)));
        assert!(near(&source, at_line(5)));
        assert!(!near(&source, at_line(1)));
        assert!(!near(&source, at_line(0)));
    }
}
