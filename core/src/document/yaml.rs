//! Multi-document YAML and JSON into spanned node trees.
//!
//! The stream is first cut at `---` separator lines, as kubectl's reader does, and each
//! piece is parsed on its own: a syntax error in one document leaves the others readable.
//! JSON is read by the same parser (YAML 1.2 is a superset of JSON).

use std::borrow::Cow;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, ScanError, Tag};

use super::limits::Limits;
use super::node::{Node, Span, Value};
use super::scalar::resolve_plain;

/// A document that could not be read, with the place where reading stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub span: Span,
}

/// One document of a stream, parsed or not.
#[derive(Debug)]
pub struct RawDocument {
    /// 0-based index of the document in its stream.
    pub index: usize,
    /// Span of the document's text.
    pub span: Span,
    pub result: Result<Node, ParseError>,
}

/// Parses every document of `text`.
pub fn parse_stream(text: &str, limits: &Limits) -> Vec<RawDocument> {
    Documents::new(text, limits).collect()
}

/// The documents of a text, parsed one at a time as they are asked for, so that a caller
/// that drops each document after use holds one tree at a time.
pub struct Documents<'t> {
    text: &'t str,
    limits: Limits,
    pieces: std::vec::IntoIter<(usize, usize)>,
    /// Documents of the current piece not handed out yet.
    pending: std::collections::VecDeque<RawDocument>,
    count: usize,
    done: bool,
}

impl<'t> Documents<'t> {
    pub fn new(text: &'t str, limits: &Limits) -> Self {
        Documents {
            text,
            limits: limits.clone(),
            pieces: split_documents(text).into_iter(),
            pending: std::collections::VecDeque::new(),
            count: 0,
            done: false,
        }
    }

    /// The documents of one piece (`start..end`, from [`Documents::pieces`]), numbered from
    /// `first_index`.
    pub fn piece(text: &'t str, range: (usize, usize), first_index: usize, limits: &Limits) -> Self {
        Documents {
            text,
            limits: limits.clone(),
            pieces: vec![range].into_iter(),
            pending: std::collections::VecDeque::new(),
            count: first_index,
            done: false,
        }
    }

    /// The byte ranges of the text's pieces: the parts between separator lines that hold
    /// something besides blanks and comments. A piece usually holds one document.
    pub fn pieces(text: &str) -> Vec<(usize, usize)> {
        split_documents(text)
    }

    /// The byte ranges of the pieces not read yet whose text contains `needle` (a cheap
    /// pre-filter: only those can hold what the caller looks for).
    pub fn pieces_containing(text: &str, needle: &str) -> Vec<(usize, usize)> {
        split_documents(text)
            .into_iter()
            .filter(|&(s, e)| text.get(s..e).is_some_and(|p| p.contains(needle)))
            .collect()
    }

    fn document(&mut self, span: Span, result: Result<Node, ParseError>) -> RawDocument {
        let doc = RawDocument {
            index: self.count,
            span,
            result,
        };
        self.count += 1;
        doc
    }

    fn refill(&mut self) {
        let Some((start, end)) = self.pieces.next() else {
            self.done = true;
            return;
        };
        let limits = &self.limits;
        if self.count >= limits.max_documents {
            let message = format!(
                "the file holds more than {} documents; the rest was not read (raise `maxDocuments` to read more)",
                limits.max_documents
            );
            let doc = self.document(
                Span::new(start, self.text.len()),
                Err(ParseError {
                    message,
                    span: Span::new(start, start),
                }),
            );
            self.pending.push_back(doc);
            self.done = true;
            return;
        }
        let size = end - start;
        if size > limits.max_document_bytes {
            let message = format!(
                "the document is {size} bytes, over the limit of {} bytes; it was not read (split it or raise `maxDocumentBytes`)",
                limits.max_document_bytes
            );
            let doc = self.document(
                Span::new(start, end),
                Err(ParseError {
                    message,
                    span: Span::new(start, start),
                }),
            );
            self.pending.push_back(doc);
            return;
        }
        for result in parse_piece(self.text, start, end, &self.limits) {
            let span = match &result {
                Ok(node) => node.span,
                Err(e) => Span::new(start, end.max(e.span.end)),
            };
            let doc = self.document(span, result);
            self.pending.push_back(doc);
        }
    }
}

impl Iterator for Documents<'_> {
    type Item = RawDocument;

    fn next(&mut self) -> Option<RawDocument> {
        while self.pending.is_empty() && !self.done {
            self.refill();
        }
        self.pending.pop_front()
    }
}

/// Byte ranges of the pieces between separator lines that hold anything but blanks and comments.
fn split_documents(text: &str) -> Vec<(usize, usize)> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if is_separator(line) {
            pieces.push((start, offset));
            start = offset;
        }
        offset += line.len();
    }
    pieces.push((start, text.len()));
    pieces.retain(|&(s, e)| text.get(s..e).is_some_and(has_content));
    pieces
}

fn is_separator(line: &str) -> bool {
    line.strip_prefix("---").is_some_and(|rest| {
        let rest = rest.trim();
        rest.is_empty() || rest.starts_with('#')
    })
}

fn has_content(piece: &str) -> bool {
    piece.lines().any(|line| {
        let t = line.trim();
        !(t.is_empty() || t.starts_with('#') || is_separator(line) || t == "...")
    })
}

/// Parses one piece; it usually holds one document, but `--- {…}` or `...` may start more.
pub fn parse_piece(text: &str, base: usize, end: usize, limits: &Limits) -> Vec<Result<Node, ParseError>> {
    let piece = text.get(base..end).unwrap_or_default();
    let positions = Positions::new(text, piece, base);
    let mut builder = Builder::new(limits, positions);
    // The parser is a dependency; a panic inside it must not take the scan down.
    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        builder.run(piece);
        builder
    }));
    match run {
        Ok(builder) => builder.finish(),
        Err(_) => vec![Err(ParseError {
            message: "the YAML parser failed on this document; check its syntax".into(),
            span: Span::new(base, base),
        })],
    }
}

/// Converts the parser's character positions into byte offsets of the whole text.
struct Positions<'a> {
    /// The whole text, for line numbers in messages.
    text: &'a str,
    piece: &'a str,
    base: usize,
    ascii: bool,
    cursor_chars: usize,
    cursor_bytes: usize,
}

impl<'a> Positions<'a> {
    fn new(text: &'a str, piece: &'a str, base: usize) -> Self {
        Positions {
            text,
            piece,
            base,
            ascii: piece.is_ascii(),
            cursor_chars: 0,
            cursor_bytes: 0,
        }
    }

    /// The 1-based line of a byte offset of the whole text.
    fn line(&self, offset: usize) -> usize {
        self.text.get(..offset).map_or(0, |t| t.matches('\n').count()) + 1
    }

    /// Byte offset of character index `chars`; amortised linear because events move forward.
    fn offset(&mut self, chars: usize) -> usize {
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

    fn span(&mut self, span: saphyr_parser::Span) -> Span {
        let start = self.offset(span.start.index());
        let end = self.offset(span.end.index());
        Span::new(start, end)
    }

    fn at(&mut self, marker: &Marker) -> Span {
        let at = self.offset(marker.index());
        Span::new(at, at)
    }
}

enum Frame {
    Seq {
        items: Vec<Node>,
        start: usize,
        anchor: usize,
    },
    Map {
        entries: Vec<(Node, Node)>,
        explicit: Vec<bool>,
        key: Option<Node>,
        merge: bool,
        start: usize,
        anchor: usize,
    },
}

struct Builder<'l, 'p> {
    limits: &'l Limits,
    positions: Positions<'p>,
    stack: Vec<Frame>,
    anchors: Vec<(usize, Node, usize, usize)>,
    alias_nodes: usize,
    scalar_bytes: usize,
    docs: Vec<Result<Node, ParseError>>,
    current: Option<Node>,
    failed: bool,
    /// Where the previous event ended: block scalars look for their indicator from there.
    last_end: usize,
}

impl<'l, 'p> Builder<'l, 'p> {
    fn new(limits: &'l Limits, positions: Positions<'p>) -> Self {
        let base = positions.base;
        Builder {
            limits,
            positions,
            stack: Vec::new(),
            anchors: Vec::new(),
            alias_nodes: 0,
            scalar_bytes: 0,
            docs: Vec::new(),
            current: None,
            failed: false,
            last_end: base,
        }
    }

    fn finish(self) -> Vec<Result<Node, ParseError>> {
        self.docs
    }

    fn run(&mut self, piece: &str) {
        let mut parser = Parser::new_from_str(piece);
        while let Some(event) = parser.next_event() {
            let step = match event {
                Ok((event, span)) => self.event(event, span),
                Err(e) => Err(self.scan_error(&e)),
            };
            if let Err(e) = step {
                self.docs.push(Err(e));
                self.failed = true;
                return;
            }
        }
    }

    fn scan_error(&mut self, e: &ScanError) -> ParseError {
        ParseError {
            message: describe_scan_error(e.info()),
            span: self.positions.at(e.marker()),
        }
    }

    fn error(&mut self, message: String, span: Span) -> ParseError {
        ParseError { message, span }
    }

    fn event(&mut self, event: Event<'_>, span: saphyr_parser::Span) -> Result<(), ParseError> {
        match event {
            Event::DocumentStart(_) => {
                self.stack.clear();
                self.anchors.clear();
                self.alias_nodes = 0;
                self.scalar_bytes = 0;
                self.current = None;
            }
            Event::DocumentEnd => {
                if let Some(doc) = self.current.take() {
                    self.docs.push(Ok(doc));
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                let mut span = self.positions.span(span);
                if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
                    span = super::block::block_scalar_span(self.positions.text, self.last_end, span);
                }
                self.last_end = span.end;
                self.add_scalar_bytes(text.len(), span)?;
                let value = scalar_value(&text, style, tag.as_deref());
                let node = Node::new(value, span);
                self.remember(anchor, &node);
                self.attach(node, Some((text, style)))?;
            }
            Event::Alias(id) => {
                let span = self.positions.span(span);
                self.last_end = span.end;
                let Some((_, node, count, bytes)) = self.anchors.iter().rev().find(|(a, ..)| *a == id) else {
                    return Err(self.error("this alias names an anchor that is not defined before it".into(), span));
                };
                let (node, count, bytes) = (node.clone(), *count, *bytes);
                self.add_scalar_bytes(bytes, span)?;
                self.alias_nodes += count;
                if self.alias_nodes > self.limits.max_alias_nodes {
                    return Err(self.error(
                        format!(
                            "aliases expand to more than {} nodes in this document (a \"billion laughs\" bomb?); it was not read (raise `maxAliasNodes` if it is genuine)",
                            self.limits.max_alias_nodes
                        ),
                        span,
                    ));
                }
                self.attach(node, None)?;
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                let start = self.positions.span(span).start;
                self.last_end = start;
                if self.stack.len() >= self.limits.max_depth {
                    return Err(self.error(
                        format!(
                            "nesting is deeper than {} levels; the document was not read (raise `maxDepth` if it is genuine)",
                            self.limits.max_depth
                        ),
                        Span::new(start, start),
                    ));
                }
                self.stack.push(if matches!(event, Event::SequenceStart(..)) {
                    Frame::Seq {
                        items: Vec::new(),
                        start,
                        anchor,
                    }
                } else {
                    Frame::Map {
                        entries: Vec::new(),
                        explicit: Vec::new(),
                        key: None,
                        merge: false,
                        start,
                        anchor,
                    }
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let end_span = self.positions.span(span);
                let Some(frame) = self.stack.pop() else {
                    return Ok(());
                };
                let (value, start, anchor, last_end) = match frame {
                    Frame::Seq { items, start, anchor } => {
                        let last = items.last().map(|n| n.span.end);
                        (Value::Seq(items), start, anchor, last)
                    }
                    Frame::Map {
                        entries, start, anchor, ..
                    } => {
                        let last = entries.last().map(|(_, v)| v.span.end);
                        (Value::Map(entries), start, anchor, last)
                    }
                };
                // Flow collections end on their bracket; block ones end with their last item.
                let end = if end_span.end > end_span.start {
                    end_span.end
                } else {
                    last_end.unwrap_or(start)
                };
                let node = Node::new(value, Span::new(start, end));
                self.remember(anchor, &node);
                self.attach(node, None)?;
            }
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
        }
        Ok(())
    }

    fn remember(&mut self, anchor: usize, node: &Node) {
        if anchor != 0 {
            let (count, bytes) = measure(node);
            self.anchors.push((anchor, node.clone(), count, bytes));
        }
    }

    /// Counts scalar text, aliases' copies included, against `maxScalarBytes`.
    fn add_scalar_bytes(&mut self, bytes: usize, span: Span) -> Result<(), ParseError> {
        self.scalar_bytes = self.scalar_bytes.saturating_add(bytes);
        if self.scalar_bytes > self.limits.max_scalar_bytes {
            return Err(self.error(
                format!(
                    "the values of this document add up to more than {} bytes once aliases are expanded; it was not read (raise `maxScalarBytes` if it is genuine)",
                    self.limits.max_scalar_bytes
                ),
                span,
            ));
        }
        Ok(())
    }

    /// Hands a finished node to its parent, or makes it the document.
    fn attach(&mut self, node: Node, scalar: Option<(Cow<'_, str>, ScalarStyle)>) -> Result<(), ParseError> {
        let Some(frame) = self.stack.last_mut() else {
            self.current = Some(node);
            return Ok(());
        };
        match frame {
            Frame::Seq { items, .. } => items.push(node),
            Frame::Map {
                entries,
                explicit,
                key,
                merge,
                ..
            } => match key.take() {
                None => {
                    if matches!(&scalar, Some((text, ScalarStyle::Plain)) if text == "<<") {
                        *merge = true;
                        *key = Some(node);
                        return Ok(());
                    }
                    *merge = false;
                    let name = match (&node.value, &scalar) {
                        (Value::Seq(_) | Value::Map(_), _) => {
                            return Err(self.error(
                                "a map or list is used as a key; Kubernetes keys are strings".into(),
                                node.span,
                            ))
                        }
                        (_, Some((text, ScalarStyle::Plain))) => key_text(&node.value, text),
                        (_, Some((text, _))) => text.to_string(),
                        (value, None) => key_text(value, ""),
                    };
                    *key = Some(Node::new(Value::Str(name), node.span));
                }
                Some(k) => {
                    if *merge {
                        *merge = false;
                        return merge_into(entries, explicit, node).map_err(|span| ParseError {
                            message: "a merge key (`<<`) takes a map or a list of maps".into(),
                            span,
                        });
                    }
                    let name = k.as_str().unwrap_or_default();
                    if let Some(i) = entries.iter().position(|(e, _)| e.as_str() == Some(name)) {
                        if explicit.get(i).copied().unwrap_or(true) {
                            let first = entries.get(i).map(|(e, _)| e.span.start).unwrap_or_default();
                            let line = self.positions.line(first);
                            return Err(ParseError {
                                message: format!(
                                    "the key `{name}` appears twice in this map (first on line {line}); keep one"
                                ),
                                span: k.span,
                            });
                        }
                        if let Some(slot) = entries.get_mut(i) {
                            *slot = (k, node);
                        }
                        if let Some(e) = explicit.get_mut(i) {
                            *e = true;
                        }
                    } else {
                        entries.push((k, node));
                        explicit.push(true);
                    }
                }
            },
        }
        Ok(())
    }
}

/// go-yaml v2 merge: entries of the merged map(s) overwrite what is there; of a list of
/// maps, the earlier map wins.
fn merge_into(entries: &mut Vec<(Node, Node)>, explicit: &mut Vec<bool>, value: Node) -> Result<(), Span> {
    let sources = match value.value {
        Value::Map(_) => vec![value],
        Value::Seq(items) if items.iter().all(|i| matches!(i.value, Value::Map(_))) => {
            items.into_iter().rev().collect()
        }
        _ => return Err(value.span),
    };
    for source in sources {
        if let Value::Map(merged) = source.value {
            for (k, v) in merged {
                match entries.iter().position(|(e, _)| e.as_str() == k.as_str()) {
                    Some(i) => {
                        if let Some(slot) = entries.get_mut(i) {
                            *slot = (k, v);
                        }
                    }
                    None => {
                        entries.push((k, v));
                        explicit.push(false);
                    }
                }
            }
        }
    }
    Ok(())
}

/// The text a plain scalar key becomes once Kubernetes converts it to a JSON key.
fn key_text(value: &Value, text: &str) -> String {
    match value {
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Null => "null".into(),
        _ => text.to_owned(),
    }
}

fn scalar_value(text: &str, style: ScalarStyle, tag: Option<&Tag>) -> Value {
    if let Some(tag) = tag {
        if tag.is_yaml_core_schema() || tag.handle == "!!" {
            match tag.suffix.as_str() {
                "str" | "binary" | "timestamp" => return Value::Str(text.to_owned()),
                "int" | "float" | "bool" | "null" => return resolve_plain(text),
                _ => {}
            }
        }
    }
    match style {
        ScalarStyle::Plain => resolve_plain(text),
        _ => Value::Str(text.to_owned()),
    }
}

/// The number of nodes of a tree and the bytes of its scalar text (keys included).
fn measure(node: &Node) -> (usize, usize) {
    match &node.value {
        Value::Seq(items) => items
            .iter()
            .map(measure)
            .fold((1, 0), |(n, b), (n2, b2)| (n + n2, b + b2)),
        Value::Map(entries) => entries.iter().fold((1, 0), |(n, b), (k, v)| {
            let (n2, b2) = measure(v);
            (n + 1 + n2, b + k.as_str().map_or(0, str::len) + b2)
        }),
        Value::Str(s) => (1, s.len()),
        _ => (1, 8),
    }
}

/// Rewords the parser's messages into what a person editing YAML can act on.
fn describe_scan_error(info: &str) -> String {
    if info.contains("recursion limit") {
        return "nesting is too deep to read; the document was not read".into();
    }
    let hint = if info.contains("tab") {
        "; indent with spaces, YAML does not allow tabs there"
    } else if info.contains("mapping values are not allowed") {
        "; a `key: value` stands where it cannot, often a missing space after `:` or a wrong indentation above"
    } else if info.contains("did not find expected") || info.contains("could not find expected") {
        "; check the indentation and the brackets or quotes above"
    } else {
        ""
    };
    format!("invalid YAML: {info}{hint}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Vec<Result<Node, ParseError>> {
        parse_stream(text, &Limits::default())
            .into_iter()
            .map(|d| d.result)
            .collect()
    }

    fn one(text: &str) -> Node {
        match parse(text).into_iter().next() {
            Some(Ok(node)) => node,
            other => panic!("expected one document, got {other:?}"),
        }
    }

    #[test]
    fn spans_point_at_scalars_in_bytes() {
        let text = "a: 1\nnamé:\n  - héllo\n";
        let doc = one(text);
        let item = doc
            .get("namé")
            .and_then(|n| n.as_seq())
            .and_then(|s| s.first())
            .cloned();
        let item = item.unwrap_or_else(|| panic!("no item"));
        assert_eq!(text.get(item.span.start..item.span.end), Some("héllo"));
    }

    #[test]
    fn separators_split_documents_and_errors_stay_local() {
        let docs = parse("a: 1\n---\nb: [\n---\nc: 3\n");
        assert_eq!(docs.len(), 3);
        assert!(docs.first().is_some_and(|d| d.is_ok()));
        assert!(docs.get(1).is_some_and(|d| d.is_err()));
        assert!(docs.get(2).is_some_and(|d| d.is_ok()));
    }

    #[test]
    fn comment_only_pieces_are_not_documents() {
        assert_eq!(parse("# hello\n---\n---\na: 1\n---\n# bye\n").len(), 1);
    }

    #[test]
    fn duplicate_keys_are_positioned_errors() {
        let text = "a: 1\nb: 2\na: 3\n";
        let Some(Err(e)) = parse(text).into_iter().next() else {
            panic!("expected an error")
        };
        assert!(e.message.contains("`a` appears twice"), "{}", e.message);
        assert_eq!(e.span.start, 10);
    }

    #[test]
    fn quoted_scalars_stay_strings() {
        let doc = one("a: \"yes\"\nb: yes\nc: '0644'\nd: 0644\n");
        assert_eq!(doc.get("a").map(|n| &n.value), Some(&Value::Str("yes".into())));
        assert_eq!(doc.get("b").map(|n| &n.value), Some(&Value::Bool(true)));
        assert_eq!(doc.get("c").map(|n| &n.value), Some(&Value::Str("0644".into())));
        assert_eq!(doc.get("d").map(|n| &n.value), Some(&Value::Int(420)));
    }

    #[test]
    fn aliases_and_merge_keys() {
        let doc = one("base: &b {a: 1, b: 2}\nuse: {<<: *b, b: 3}\ncopy: *b\n");
        let used = doc.get("use").map(Node::to_json);
        assert_eq!(used, Some(serde_json::json!({"a": 1, "b": 3})));
        assert_eq!(
            doc.get("copy").map(Node::to_json),
            Some(serde_json::json!({"a": 1, "b": 2}))
        );
        // go-yaml v2 reads the plain key `y` as the boolean true, which Kubernetes spells "true".
        assert_eq!(one("y: 1\n").to_json(), serde_json::json!({"true": 1}));
    }

    #[test]
    fn alias_bombs_stop_at_the_limit() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let prev = i - 1;
            text.push_str(&format!("a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"));
        }
        let Some(Err(e)) = parse(&text).into_iter().next() else {
            panic!("expected an error")
        };
        assert!(e.message.contains("billion laughs"), "{}", e.message);
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = "[".repeat(100_000);
        let Some(Err(e)) = parse(&text).into_iter().next() else {
            panic!("expected an error")
        };
        assert!(e.message.contains("nesting"), "{}", e.message);
    }

    #[test]
    fn json_reads_like_yaml() {
        let doc = one("{\"kind\": \"Pod\", \"spec\": {\"hostNetwork\": true, \"n\": [1, 2.5]}}");
        assert_eq!(
            doc.get_path(&["spec", "hostNetwork"]).map(|n| &n.value),
            Some(&Value::Bool(true))
        );
    }

    #[test]
    fn block_collections_end_at_their_last_item() {
        let text = "a:\n  b: 1\n  c: 2\n\n\nz: 3\n";
        let doc = one(text);
        let a = doc.get("a").map(|n| n.span).unwrap_or_default();
        assert_eq!(text.get(a.start..a.end), Some("b: 1\n  c: 2"));
    }
}
