//! Multi-document YAML and JSON into spanned node trees.
//!
//! The stream is first cut at `---` separator lines, as kubectl's reader does, and each
//! piece is parsed on its own: a syntax error in one document leaves the others readable.
//! JSON is read by the same parser (YAML 1.2 is a superset of JSON).
//!
//! Values are what Kubernetes reads: kubectl turns YAML into JSON with sigs.k8s.io/yaml, which
//! decodes with go-yaml v2. `k8s.io/apimachinery/pkg/util/yaml` (`YAMLToJSONDecoder.Decode`,
//! used by kubectl's resource builder) calls `yaml.Unmarshal`, not `UnmarshalStrict`, and
//! go-yaml v2 only refuses a repeated key in strict mode (`decode.go`, `mapping`): elsewhere
//! the last value wins. So a repeated key is an error here (a person must fix it) but the
//! document is still checked with the value Kubernetes keeps.

use std::collections::HashMap;

use saphyr_parser::{BufferedInput, Event, Parser, ScalarStyle, ScanError, StrInput};

use super::lenient;
use super::limits::Limits;
use super::node::{Node, Span, Value};
use super::positions::{LineTable, Positions};
use super::tags;

/// The deepest nesting read, whatever `maxDepth` says: what the recursive walks over a tree
/// (dropping it included) can afford on a small thread stack.
pub const HARD_MAX_DEPTH: usize = 512;

/// Most duplicate-key errors reported for one document; the rest are counted.
const MAX_DUPLICATE_ERRORS: usize = 100;

/// Most notes of one kind kept for one document (tags ignored) or one piece (quoted values
/// re-indented); the rest are counted, so that a note on every line cannot fill memory.
const MAX_NOTES: usize = 100;

/// A document that could not be read, with the place where reading stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// What is wrong, for a person editing the text.
    pub message: String,
    /// Where reading stopped, or the offending text.
    pub span: Span,
}
/// One document of a stream, parsed or not.
///
/// A document can be read *with errors*: Kubernetes reads it (so `result` holds the value it
/// reads and the document is checked) but it breaks a rule a person must fix, such as a key
/// that appears twice. Those errors fail the scan like any other.
#[derive(Debug)]
pub struct RawDocument {
    /// 0-based index of the document in its stream.
    pub index: usize,
    /// Span of the document's text.
    pub span: Span,
    /// The value read, or why it could not be.
    pub result: Result<Node, ParseError>,
    /// Errors in a document that was still read (`result` is `Ok`).
    pub errors: Vec<ParseError>,
    /// What the reader did that the author may not expect (an unknown tag ignored, a
    /// leniency of Kubernetes' YAML reader used); reported as notes.
    pub notes: Vec<ParseError>,
}

/// One document as the parser hands it over.
#[derive(Debug)]
pub struct Parsed {
    /// The value read, or the error that stopped reading.
    pub result: Result<Node, ParseError>,
    /// Errors in a document that was still read.
    pub errors: Vec<ParseError>,
    /// Notes on how it was read.
    pub notes: Vec<ParseError>,
}

impl Parsed {
    fn failed(error: ParseError) -> Self {
        Parsed {
            result: Err(error),
            errors: Vec::new(),
            notes: Vec::new(),
        }
    }
}

/// Parses every document of `text`.
pub fn parse_stream(text: &str, limits: &Limits) -> Vec<RawDocument> {
    Documents::new(text, limits).collect()
}

/// The documents of a text, parsed one at a time as they are asked for, so that a caller
/// that drops each document after use holds one tree at a time (also when one piece holds
/// many documents, ended by `...`).
pub struct Documents<'t> {
    text: &'t str,
    limits: Limits,
    pieces: std::vec::IntoIter<(usize, usize)>,
    /// The piece being read.
    current: Option<PieceReader<'t>>,
    count: usize,
    /// Documents read so far, counted against `maxDocuments`.
    read: usize,
    done: bool,
    /// Line starts of the text, built once when a message first needs a line number.
    lines: LineTable,
}

impl<'t> Documents<'t> {
    /// The documents of `text`, within `limits`.
    pub fn new(text: &'t str, limits: &Limits) -> Self {
        Documents {
            text,
            limits: limits.clone(),
            pieces: split_documents(text).into_iter(),
            current: None,
            count: 0,
            read: 0,
            done: false,
            lines: LineTable::default(),
        }
    }

    /// The documents of one piece (`start..end`, from [`Documents::pieces`]), numbered from
    /// `first_index`.
    pub fn piece(text: &'t str, range: (usize, usize), first_index: usize, limits: &Limits) -> Self {
        Documents {
            text,
            limits: limits.clone(),
            pieces: vec![range].into_iter(),
            current: None,
            count: first_index,
            // The documents before this piece count against the limit too.
            read: first_index,
            done: false,
            lines: LineTable::default(),
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

    fn document(&mut self, span: Span, parsed: Parsed) -> RawDocument {
        let doc = RawDocument {
            index: self.count,
            span,
            result: parsed.result,
            errors: parsed.errors,
            notes: parsed.notes,
        };
        self.count += 1;
        self.read += 1;
        doc
    }

    /// The error that ends the stream once `maxDocuments` documents were read.
    fn too_many(&mut self, start: usize) -> RawDocument {
        let message = format!(
            "the file holds more than {} documents; the rest was not read (raise `maxDocuments` to read more)",
            self.limits.max_documents
        );
        self.done = true;
        self.current = None;
        self.document(
            Span::new(start, self.text.len()),
            Parsed::failed(ParseError {
                message,
                span: Span::new(start, start),
            }),
        )
    }
}

impl Iterator for Documents<'_> {
    type Item = RawDocument;

    fn next(&mut self) -> Option<RawDocument> {
        loop {
            if self.done {
                return None;
            }
            if let Some(reader) = self.current.as_mut() {
                match reader.next() {
                    Some(parsed) => {
                        let (start, end) = (reader.start, reader.end);
                        let span = match &parsed.result {
                            Ok(node) => node.span,
                            Err(e) => Span::new(start, end.max(e.span.end)),
                        };
                        if self.read >= self.limits.max_documents {
                            return Some(self.too_many(span.start));
                        }
                        return Some(self.document(span, parsed));
                    }
                    None => self.current = None,
                }
            }
            let Some((start, end)) = self.pieces.next() else {
                self.done = true;
                return None;
            };
            if self.read >= self.limits.max_documents {
                return Some(self.too_many(start));
            }
            let size = end - start;
            if size > self.limits.max_document_bytes {
                let message = format!(
                    "the document is {size} bytes, over the limit of {} bytes; it was not read (split it or raise `maxDocumentBytes`)",
                    self.limits.max_document_bytes
                );
                let error = ParseError {
                    message,
                    span: Span::new(start, start),
                };
                return Some(self.document(Span::new(start, end), Parsed::failed(error)));
            }
            self.current = Some(PieceReader::new(
                self.text,
                start,
                end,
                &self.limits,
                self.lines.clone(),
            ));
        }
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
/// A document read with errors comes back as its first error.
pub fn parse_piece(text: &str, base: usize, end: usize, limits: &Limits) -> Vec<Result<Node, ParseError>> {
    PieceReader::new(text, base, end, limits, LineTable::default())
        .map(|parsed| match (parsed.result, parsed.errors.into_iter().next()) {
            (Ok(_), Some(e)) | (Err(e), _) => Err(e),
            (Ok(node), None) => Ok(node),
        })
        .collect()
}

/// The parser over a piece's text, or over a copy of it that [`lenient`] rewrote.
enum Events<'t> {
    Text(Box<Parser<'t, StrInput<'t>>>),
    Copy(Box<Parser<'static, BufferedInput<std::vec::IntoIter<char>>>>),
}

impl<'t> Events<'t> {
    fn next_event(&mut self) -> Option<Result<(Event<'t>, saphyr_parser::Span), ScanError>> {
        match self {
            Events::Text(p) => p.next_event(),
            Events::Copy(p) => p.next_event(),
        }
    }
}

/// Reads the documents of one piece as they are asked for.
struct PieceReader<'t> {
    limits: Limits,
    /// The piece's text (its leading separator line left out), and the copy being read
    /// when it had to be rewritten.
    piece: &'t str,
    copy: Option<String>,
    /// Notes on rewrites, not yet handed out with their document (byte offsets, in order).
    lenient_notes: Vec<ParseError>,
    /// Notes on rewrites made in this piece, and the note that counts those past
    /// [`MAX_NOTES`] (at the first of them), not yet handed out.
    lenient_count: usize,
    lenient_more: Option<(ParseError, usize)>,
    /// Of `lenient_count`, those handed out (kept or counted).
    lenient_handed: usize,
    /// Byte offsets (in the whole text) of the line breaks only go-yaml knows (see
    /// [`yaml11_break`]), not yet handed out with their document, in order.
    breaks: Vec<usize>,
    rewrites: usize,
    start: usize,
    end: usize,
    events: Events<'t>,
    builder: Builder,
    positions: Positions<'t>,
    /// Documents handed out, to skip when the piece is read again from a rewritten copy.
    handed: usize,
    /// Documents to skip (already handed out before a rewrite).
    skip: usize,
    /// Whether a rewrite may also indent the quoted values found after the one the parser
    /// refused (see [`PieceReader::lenient`]).
    speculate: bool,
    /// The quoted values indented that way, as character indices of the piece (opening and
    /// closing quote), in order: each must be confirmed by the parser at every reading.
    guessed: Vec<(usize, usize)>,
    /// The first of `guessed` not confirmed yet in this reading.
    confirmed: usize,
    /// The text the piece was first read from (`None`: the piece itself).
    first_copy: Option<String>,
    /// Where the last document handed out ends: rewrites before it make no new notes.
    handed_end: usize,
    finished: bool,
}

impl<'t> PieceReader<'t> {
    fn new(text: &'t str, start: usize, end: usize, limits: &Limits, lines: LineTable) -> Self {
        // kubectl's reader hands go-yaml the lines after a separator, not the separator: a
        // `%TAG` directive may then open the piece.
        let mut piece = text.get(start..end).unwrap_or_default();
        let mut base = start;
        if let Some(first) = piece.split_inclusive('\n').next().filter(|line| is_separator(line)) {
            base += first.len();
            piece = piece.get(first.len()..).unwrap_or_default();
        }
        // go-yaml ends a line at NEL, LS and PS too; the parser here does not. A copy with a
        // `\n` for each (one character for one, so positions still map) reads the structure
        // Kubernetes reads. A stream whose first character is `{` is JSON to kubectl
        // (`GuessJSONStream`), decoded by encoding/json, for which they are characters.
        let json = text.trim_start().starts_with('{');
        let breaks: Vec<usize> = match json {
            true => Vec::new(),
            false => piece
                .char_indices()
                .filter(|&(_, c)| yaml11_break(c))
                .map(|(i, _)| base + i)
                .collect(),
        };
        let (copy, events) = if breaks.is_empty() {
            (None, Events::Text(Box::new(Parser::new_from_str(piece))))
        } else {
            let chars: Vec<char> = piece.chars().map(|c| if yaml11_break(c) { '\n' } else { c }).collect();
            let copy: String = chars.iter().collect();
            (
                Some(copy),
                Events::Copy(Box::new(Parser::new_from_iter(chars.into_iter()))),
            )
        };
        PieceReader {
            limits: limits.clone(),
            piece,
            copy: copy.clone(),
            lenient_notes: Vec::new(),
            lenient_count: 0,
            lenient_more: None,
            lenient_handed: 0,
            breaks,
            rewrites: 0,
            start,
            end,
            events,
            builder: Builder::new(limits),
            positions: Positions::new(text, piece, base, lines),
            handed: 0,
            skip: 0,
            speculate: true,
            guessed: Vec::new(),
            confirmed: 0,
            first_copy: copy,
            handed_end: 0,
            finished: false,
        }
    }

    /// Feeds events to the builder until a document is complete.
    fn step(&mut self) -> Option<Parsed> {
        loop {
            if let Some(parsed) = self.builder.ready.pop() {
                return Some(parsed);
            }
            if self.finished {
                return None;
            }
            // The parser is a dependency; a panic inside it must not take the scan down.
            let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let event = self.events.next_event()?;
                Some(match event {
                    Ok((event, span)) if !self.confirm(&event, span) => Err(Failure::Guess),
                    Ok((event, span)) => self.builder.event(event, span, &mut self.positions),
                    Err(e) => Err(Failure::Scan(e)),
                })
            }));
            match run {
                Ok(Some(Err(Failure::Guess))) => self.read_without_guesses(),
                Ok(Some(Err(Failure::Scan(e)))) if self.guess_before(e.marker().index()) => self.read_without_guesses(),
                Ok(None) => self.finished = true,
                Ok(Some(Ok(()))) => {}
                Ok(Some(Err(Failure::Scan(e)))) => {
                    if self.lenient(&e) {
                        continue;
                    }
                    self.finished = true;
                    let message = if e.info() == "invalid indentation in quoted scalar"
                        && self.rewrites >= self.max_rewrites()
                    {
                        format!(
                            "this line continues a quoted value but is indented less than YAML allows; Kubernetes reads it, but Rempart re-reads a document for at most {} such values and this one has more (indent the values' lines past their opening quote)",
                            self.max_rewrites()
                        )
                    } else {
                        describe_scan_error(e.info())
                    };
                    let error = ParseError {
                        message,
                        span: self.error_place(&e),
                    };
                    return Some(self.builder.fail(error));
                }
                Ok(Some(Err(Failure::Document(error)))) => {
                    // The parser itself is fine: the piece's next documents are still read.
                    let failed = self.builder.fail(error);
                    self.builder.skipping = true;
                    return Some(failed);
                }
                Err(_) => {
                    self.finished = true;
                    return Some(Parsed::failed(ParseError {
                        message: "the YAML parser failed on this document; check its syntax".into(),
                        span: Span::new(self.start, self.start),
                    }));
                }
            }
        }
    }
}

impl PieceReader<'_> {
    /// Most quoted values one piece may have re-indented. Each costs a new reading of the
    /// piece, so the re-readings of a piece together may read at most 8 times its size plus
    /// 8 KiB: the time stays linear in the input, also over many small files (a fixed count
    /// of 64 or more let an 11 MB file of ten 1 MB pieces take 80 s). Values found by a guess
    /// (see [`PieceReader::guess`]) cost no reading of their own.
    fn max_rewrites(&self) -> usize {
        (8 + (8 << 10) / self.piece.len().max(1)).min(10_000)
    }

    /// When the parser refused a quoted scalar whose continuation lines are indented less
    /// than YAML wants (go-yaml reads it), reads the piece again from a copy with those lines
    /// indented further, skipping the documents already handed out. True when it did.
    fn lenient(&mut self, e: &ScanError) -> bool {
        if e.info() != "invalid indentation in quoted scalar" || self.rewrites >= self.max_rewrites() {
            return false;
        }
        let mut copy = self.copy.take().unwrap_or_else(|| self.piece.to_owned());
        let mut inserts = self.positions.inserts.clone();
        let quote = e.marker().index();
        let Some(first) = lenient::indent_quoted(&mut copy, &mut inserts, quote) else {
            self.copy = Some(copy);
            return false;
        };
        self.rewrites += 1;
        let at = self.positions.offset(first);
        self.lenient_note(at);
        if self.speculate {
            self.guess(&mut copy, &mut inserts, quote);
        }
        self.lenient_notes.sort_by_key(|n| n.span.start);
        let chars: Vec<char> = copy.chars().collect();
        self.events = Events::Copy(Box::new(Parser::new_from_iter(chars.into_iter())));
        self.copy = Some(copy);
        self.positions.inserts = inserts;
        self.confirmed = 0;
        self.positions.cursor_chars = 0;
        self.positions.cursor_bytes = 0;
        self.builder = Builder::new(&self.limits);
        self.skip = self.handed;
        self.finished = false;
        true
    }

    fn lenient_note(&mut self, at: usize) {
        if at < self.handed_end {
            return;
        }
        self.lenient_count += 1;
        if self.lenient_count > MAX_NOTES {
            // Counted; a note at the first one left out says how many there are.
            let (note, more) = self.lenient_more.get_or_insert((
                ParseError {
                    message: String::new(),
                    span: Span::new(at, at),
                },
                0,
            ));
            *more += 1;
            note.span = Span::new(note.span.start.min(at), note.span.start.min(at));
            note.message = lenient_more_message(*more);
            return;
        }
        // No line numbers in the text: the editor cache moves notes by their spans only.
        self.lenient_notes.push(ParseError {
            message: "this line continues a quoted value but is indented less than YAML allows; Kubernetes reads it anyway, other tools may refuse it (indent the value's lines past its opening quote)".into(),
            span: Span::new(at, at),
        });
    }

    /// Re-reading the piece for each under-indented quoted value costs time in the square of
    /// its size: with the one the parser refused (opening at character `quote` of `copy`),
    /// indents at once every later quoted value a quick reading finds under-indented. Those
    /// are guesses: each must be confirmed by the parser as a quoted value, else the piece is
    /// read again without guesses (see [`PieceReader::confirm`]).
    fn guess(&mut self, copy: &mut String, inserts: &mut lenient::Inserts, quote: usize) {
        let Some((qb, _)) = copy.char_indices().nth(quote) else {
            return;
        };
        let Some(close) = lenient::closing_quote(copy, qb) else {
            return;
        };
        let before = inserts.clone();
        let changed = lenient::indent_all_quoted(copy, inserts, close + 1);
        if changed.is_empty() {
            return;
        }
        // Positions before the guesses map to the piece through `before`.
        let current = std::mem::replace(&mut self.positions.inserts, before);
        self.positions.cursor_chars = 0;
        self.positions.cursor_bytes = 0;
        for (open, close, first) in changed {
            let (open, close) = (
                self.positions.inserts.original(open),
                self.positions.inserts.original(close),
            );
            self.guessed.push((open, close));
            let at = self.positions.offset(first);
            self.lenient_note(at);
        }
        self.positions.inserts = current;
        self.positions.cursor_chars = 0;
        self.positions.cursor_bytes = 0;
        self.guessed.sort_unstable();
        self.guessed.dedup();
    }

    /// Whether an event leaves the guesses standing: the next unconfirmed guess is confirmed
    /// by a quoted scalar that opens and closes where it was guessed, and refuted by any other
    /// scalar over it or any node after it (events come in the order of the text).
    fn confirm(&mut self, event: &Event<'_>, span: saphyr_parser::Span) -> bool {
        let Some(&(open, close)) = self.guessed.get(self.confirmed) else {
            return true;
        };
        let inserts = &self.positions.inserts;
        let (start, end) = (inserts.original(span.start.index()), inserts.original(span.end.index()));
        match event {
            Event::Scalar(_, style, ..) if start <= open && open < end => {
                let last = inserts.original(span.end.index().saturating_sub(1));
                let quoted = matches!(style, ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted);
                if quoted && last == close {
                    self.confirmed += 1;
                    return true;
                }
                false
            }
            Event::Scalar(..) | Event::Alias(_) | Event::MappingStart(..) | Event::SequenceStart(..) => open >= start,
            Event::StreamEnd => false,
            _ => true,
        }
    }

    /// Whether a guess not confirmed yet opens before character `at` (of the copy read).
    fn guess_before(&self, at: usize) -> bool {
        self.guessed
            .get(self.confirmed)
            .is_some_and(|&(open, _)| open < self.positions.inserts.original(at))
    }

    /// Reads the piece again from its first text, without guesses, skipping the documents
    /// handed out (their notes were handed out with them).
    fn read_without_guesses(&mut self) {
        self.speculate = false;
        self.guessed.clear();
        self.confirmed = 0;
        // The notes not handed out are made again as the piece is read again.
        self.lenient_notes.clear();
        self.lenient_more = None;
        self.lenient_count = self.lenient_handed;
        self.copy = self.first_copy.clone();
        self.events = match &self.copy {
            Some(copy) => {
                let chars: Vec<char> = copy.chars().collect();
                Events::Copy(Box::new(Parser::new_from_iter(chars.into_iter())))
            }
            None => Events::Text(Box::new(Parser::new_from_str(self.piece))),
        };
        self.positions.inserts = lenient::Inserts::default();
        self.positions.cursor_chars = 0;
        self.positions.cursor_bytes = 0;
        self.builder = Builder::new(&self.limits);
        self.skip = self.handed;
        self.finished = false;
    }

    /// Where a scan error is: the parser puts errors inside a quoted value at its opening
    /// quote; the line that is wrong is more useful.
    fn error_place(&mut self, e: &ScanError) -> Span {
        let quote = e.marker().index();
        let text = self.copy.as_deref().unwrap_or(self.piece);
        let line = match e.info() {
            "invalid indentation in quoted scalar" => lenient::first_under_indented(text, quote),
            "while scanning a quoted scalar, found unexpected document indicator" => {
                lenient::document_marker_after(text, quote)
            }
            _ => None,
        };
        let at = self.positions.offset(line.unwrap_or(quote));
        Span::new(at, at)
    }

    /// Hands the notes on rewrites inside `parsed` over with it, and an error for the line
    /// breaks only go-yaml knows.
    fn with_notes(&mut self, mut parsed: Parsed) -> Parsed {
        if self.lenient_notes.is_empty() && self.breaks.is_empty() {
            return parsed;
        }
        let end = match &parsed.result {
            Ok(node) => node.span.end,
            Err(e) => e.span.end.max(self.end),
        };
        // A document's breaks are those before its end. One in a comment after the last node
        // of a piece changes nothing Kubernetes reads: what follows it is a comment or blank.
        let n = self.breaks.partition_point(|&at| at <= end);
        let mut mine = self.breaks.drain(..n);
        if let Some(at) = mine.next() {
            let more = mine.count();
            let c = self
                .positions
                .text
                .get(at..)
                .and_then(|t| t.chars().next())
                .unwrap_or('\u{2028}');
            parsed.errors.push(ParseError {
                message: unicode_break_message(c, more),
                span: Span::new(at, at + c.len_utf8()),
            });
        }
        let n = self.lenient_notes.partition_point(|note| note.span.start <= end);
        self.lenient_handed += n;
        parsed.notes.extend(self.lenient_notes.drain(..n));
        if self
            .lenient_more
            .as_ref()
            .is_some_and(|(note, _)| note.span.start <= end)
        {
            if let Some((note, more)) = self.lenient_more.take() {
                self.lenient_handed += more;
                parsed.notes.push(note);
            }
        }
        parsed.notes.sort_by_key(|note| note.span.start);
        parsed
    }
}

impl Iterator for PieceReader<'_> {
    type Item = Parsed;

    fn next(&mut self) -> Option<Parsed> {
        loop {
            let parsed = self.step()?;
            if self.skip > 0 {
                self.skip -= 1;
                continue;
            }
            self.handed += 1;
            self.handed_end = match &parsed.result {
                Ok(node) => node.span.end,
                Err(e) => e.span.end,
            };
            return Some(self.with_notes(parsed));
        }
    }
}

/// Why reading stopped.
enum Failure {
    Scan(ScanError),
    Document(ParseError),
    /// A quoted value indented on a guess is not one: the piece is read again without guesses.
    Guess,
}

impl From<ParseError> for Failure {
    fn from(e: ParseError) -> Self {
        Failure::Document(e)
    }
}

/// What a finished node costs: its nodes and scalar bytes (aliases' copies included) and its
/// height (0 for a scalar).
#[derive(Clone, Copy, Debug, Default)]
struct Size {
    nodes: usize,
    bytes: usize,
    height: usize,
}

impl Size {
    fn add(&mut self, child: Size) {
        self.nodes = self.nodes.saturating_add(child.nodes);
        self.bytes = self.bytes.saturating_add(child.bytes);
        self.height = self.height.max(child.height + 1);
    }
}

/// The entries of a map being built, with an index by key once there are more than a few, so
/// that finding a repeated key stays linear in the size of the map.
#[derive(Default)]
struct Entries {
    entries: Vec<(Node, Node)>,
    /// Whether each entry was written in the map itself (not brought by a merge key).
    explicit: Vec<bool>,
    index: Option<HashMap<String, usize>>,
}

impl Entries {
    const INDEX_FROM: usize = 8;

    fn find(&self, name: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(name).copied(),
            None => self.entries.iter().position(|(k, _)| k.as_str() == Some(name)),
        }
    }

    fn push(&mut self, key: Node, value: Node, explicit: bool) {
        let name = key.as_str().unwrap_or_default();
        match &mut self.index {
            Some(index) => {
                index.insert(name.to_owned(), self.entries.len());
            }
            None if self.entries.len() >= Self::INDEX_FROM => {
                let mut index: HashMap<String, usize> = self
                    .entries
                    .iter()
                    .enumerate()
                    .map(|(i, (k, _))| (k.as_str().unwrap_or_default().to_owned(), i))
                    .collect();
                index.insert(name.to_owned(), self.entries.len());
                self.index = Some(index);
            }
            None => {}
        }
        self.entries.push((key, value));
        self.explicit.push(explicit);
    }

    /// Sets entry `i` (same key text), keeping its place.
    fn replace(&mut self, i: usize, key: Node, value: Node, explicit: bool) {
        if let Some(slot) = self.entries.get_mut(i) {
            *slot = (key, value);
        }
        if let Some(e) = self.explicit.get_mut(i) {
            *e = explicit;
        }
    }
}

/// A map key as it will be written in JSON, or why it cannot be one.
struct Key {
    name: Result<String, String>,
    merge: bool,
}

enum Frame {
    Seq {
        items: Vec<Node>,
        start: usize,
        anchor: usize,
        size: Size,
    },
    Map {
        entries: Entries,
        /// The key read, waiting for its value.
        key: Option<Node>,
        merge: bool,
        start: usize,
        anchor: usize,
        size: Size,
    },
}

struct Anchor {
    node: Node,
    size: Size,
    /// The key text (or why there is none), when the anchored node is a scalar.
    key: Option<Result<String, String>>,
}

/// Builds the documents of a piece from parser events.
struct Builder {
    max_depth: usize,
    /// `maxDepth` as configured, for messages.
    configured_depth: usize,
    max_alias_nodes: usize,
    max_scalar_bytes: usize,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Anchor>,
    /// Nodes read from the source in this document.
    source_nodes: usize,
    /// Nodes copied by aliases.
    alias_nodes: usize,
    /// Nodes copied to remember anchored nodes.
    anchor_nodes: usize,
    scalar_bytes: usize,
    current: Option<Node>,
    errors: Vec<ParseError>,
    duplicates: usize,
    notes: Vec<ParseError>,
    /// Notes past [`MAX_NOTES`] in this document, counted.
    more_notes: usize,
    /// Finished documents, at most one at a time in practice.
    ready: Vec<Parsed>,
    /// Where the previous event ended: block scalars look for their indicator from there.
    last_end: Option<usize>,
    /// The current document failed: its remaining events are passed over.
    skipping: bool,
}

impl Builder {
    fn new(limits: &Limits) -> Self {
        Builder {
            max_depth: limits.max_depth.min(HARD_MAX_DEPTH),
            configured_depth: limits.max_depth,
            max_alias_nodes: limits.max_alias_nodes,
            max_scalar_bytes: limits.max_scalar_bytes,
            stack: Vec::new(),
            anchors: HashMap::new(),
            source_nodes: 0,
            alias_nodes: 0,
            anchor_nodes: 0,
            scalar_bytes: 0,
            current: None,
            errors: Vec::new(),
            duplicates: 0,
            notes: Vec::new(),
            more_notes: 0,
            ready: Vec::new(),
            last_end: None,
            skipping: false,
        }
    }

    /// The document that stopped on `error`, with the notes gathered before it.
    fn fail(&mut self, error: ParseError) -> Parsed {
        self.stack.clear();
        self.anchors.clear();
        self.current = None;
        Parsed {
            result: Err(error),
            errors: Vec::new(),
            notes: std::mem::take(&mut self.notes),
        }
    }

    fn reset(&mut self) {
        self.stack.clear();
        self.anchors.clear();
        self.source_nodes = 0;
        self.alias_nodes = 0;
        self.anchor_nodes = 0;
        self.scalar_bytes = 0;
        self.current = None;
        self.errors.clear();
        self.duplicates = 0;
        self.notes.clear();
        self.more_notes = 0;
    }

    fn event(
        &mut self,
        event: Event<'_>,
        span: saphyr_parser::Span,
        positions: &mut Positions<'_>,
    ) -> Result<(), Failure> {
        if self.skipping {
            if matches!(event, Event::DocumentEnd | Event::StreamEnd) {
                self.skipping = false;
                self.reset();
            }
            return Ok(());
        }
        match event {
            Event::DocumentStart(_) => self.reset(),
            Event::DocumentEnd => {
                if let Some(doc) = self.current.take() {
                    let mut errors = std::mem::take(&mut self.errors);
                    if self.duplicates > MAX_DUPLICATE_ERRORS {
                        errors.push(ParseError {
                            message: format!(
                                "{} more keys appear twice in this document; only the first {MAX_DUPLICATE_ERRORS} are shown",
                                self.duplicates - MAX_DUPLICATE_ERRORS
                            ),
                            span: Span::new(doc.span.start, doc.span.start),
                        });
                    }
                    let mut notes = std::mem::take(&mut self.notes);
                    if self.more_notes > 0 {
                        notes.push(ParseError {
                            message: format!(
                                "{} more notes on tags in this document; only the first {MAX_NOTES} are shown",
                                self.more_notes
                            ),
                            span: Span::new(doc.span.start, doc.span.start),
                        });
                    }
                    self.ready.push(Parsed {
                        result: Ok(doc),
                        errors,
                        notes,
                    });
                }
                // Anchors and copies are dropped here, not kept until the next document.
                self.reset();
            }
            Event::Scalar(text, style, anchor, tag) => {
                let mut span = positions.span(span);
                if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
                    let from = self.last_end.unwrap_or(positions.base);
                    span = super::block::block_scalar_span(positions.text, from, span);
                }
                self.last_end = Some(span.end);
                self.source_nodes += 1;
                self.add_scalar_bytes(text.len(), span)?;
                let scalar =
                    tags::scalar(&text, style, tag.as_deref()).map_err(|message| ParseError { message, span })?;
                if let Some(message) = scalar.note {
                    self.note(ParseError {
                        message,
                        span: Span::new(span.start, span.start),
                    });
                }
                let node = Node::new(scalar.value, span);
                let size = Size {
                    nodes: 1,
                    bytes: text.len(),
                    height: 0,
                };
                // The key text only when it may be needed: as a key, or for an alias of it.
                let is_key = matches!(self.stack.last(), Some(Frame::Map { key: None, .. }));
                let key_text = (is_key || anchor != 0).then(|| tags::key_text(&node.value, &text));
                self.remember(anchor, &node, size, key_text.as_ref())?;
                let key = key_text.map(|name| Key {
                    name,
                    merge: scalar.merge,
                });
                self.attach(node, size, key, positions)?;
            }
            Event::Alias(id) => {
                let span = positions.span(span);
                self.last_end = Some(span.end);
                let Some(anchor) = self.anchors.get(&id) else {
                    return Err(ParseError {
                        message: "this alias names an anchor that is not defined before it".into(),
                        span,
                    }
                    .into());
                };
                let size = anchor.size;
                if anchor.key.is_none() && matches!(self.stack.last(), Some(Frame::Map { key: None, .. })) {
                    return Err(ParseError {
                        message: "a map or list is used as a key; Kubernetes keys are strings".into(),
                        span,
                    }
                    .into());
                }
                if self.stack.len() + size.height > self.max_depth {
                    return Err(self.too_deep(span.start).into());
                }
                self.alias_nodes = self.alias_nodes.saturating_add(size.nodes);
                if self.alias_nodes > self.max_alias_nodes {
                    return Err(ParseError {
                        message: format!(
                            "aliases expand to more than {} nodes in this document (a \"billion laughs\" bomb?); it was not read (raise `maxAliasNodes` if it is genuine)",
                            self.max_alias_nodes
                        ),
                        span,
                    }
                    .into());
                }
                self.add_scalar_bytes(size.bytes, span)?;
                let Some(anchor) = self.anchors.get(&id) else {
                    return Ok(());
                };
                let mut node = anchor.node.clone();
                if matches!(self.stack.last(), Some(Frame::Map { key: None, .. })) {
                    // A key is where it is written (a value keeps its anchor's place).
                    node.span = span;
                }
                // An alias is never a merge key (go-yaml's `isMerge` wants a scalar node).
                let key = anchor.key.clone().map(|name| Key { name, merge: false });
                self.attach(node, size, key, positions)?;
            }
            Event::SequenceStart(anchor, ref tag) | Event::MappingStart(anchor, ref tag) => {
                let start = positions.span(span).start;
                self.last_end = Some(start);
                self.source_nodes += 1;
                if self.stack.len() >= self.max_depth {
                    return Err(self.too_deep(start).into());
                }
                let map = matches!(event, Event::MappingStart(..));
                if let Some(message) = tags::collection_note(tag.as_deref(), map) {
                    self.note(ParseError {
                        message,
                        span: Span::new(start, start),
                    });
                }
                let size = Size {
                    nodes: 1,
                    bytes: 0,
                    height: 1,
                };
                self.stack.push(if map {
                    Frame::Map {
                        entries: Entries::default(),
                        key: None,
                        merge: false,
                        start,
                        anchor,
                        size,
                    }
                } else {
                    Frame::Seq {
                        items: Vec::new(),
                        start,
                        anchor,
                        size,
                    }
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let end_span = positions.span(span);
                if end_span.end > end_span.start {
                    self.last_end = Some(end_span.end);
                }
                let Some(frame) = self.stack.pop() else {
                    return Ok(());
                };
                let (value, start, anchor, last_end, size) = match frame {
                    Frame::Seq {
                        items,
                        start,
                        anchor,
                        size,
                    } => {
                        let last = items.last().map(|n| n.span.end);
                        (Value::Seq(items), start, anchor, last, size)
                    }
                    Frame::Map {
                        entries,
                        start,
                        anchor,
                        size,
                        ..
                    } => {
                        let last = entries.entries.last().map(|(_, v)| v.span.end);
                        (Value::Map(entries.entries), start, anchor, last, size)
                    }
                };
                // Flow collections end on their bracket; block ones end with their last item.
                let end = if end_span.end > end_span.start {
                    end_span.end
                } else {
                    last_end.unwrap_or(start)
                };
                let node = Node::new(value, Span::new(start, end));
                self.remember(anchor, &node, size, None)?;
                self.attach(node, size, None, positions)?;
            }
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
        }
        Ok(())
    }

    /// Keeps a note, or counts it past [`MAX_NOTES`].
    fn note(&mut self, note: ParseError) {
        if self.notes.len() < MAX_NOTES {
            self.notes.push(note);
        } else {
            self.more_notes += 1;
        }
    }

    fn too_deep(&self, at: usize) -> ParseError {
        let message = if self.max_depth < self.configured_depth {
            format!(
                "nesting is deeper than {} levels, the most Rempart reads; the document was not read",
                self.max_depth
            )
        } else {
            format!(
                "nesting is deeper than {} levels; the document was not read (raise `maxDepth` if it is genuine)",
                self.max_depth
            )
        };
        ParseError {
            message,
            span: Span::new(at, at),
        }
    }

    /// Keeps a copy of an anchored node for its aliases. The copies count against
    /// `maxAliasNodes` beyond the nodes of the document itself, so nested anchors cannot
    /// multiply memory.
    fn remember(
        &mut self,
        anchor: usize,
        node: &Node,
        size: Size,
        key: Option<&Result<String, String>>,
    ) -> Result<(), ParseError> {
        if anchor == 0 {
            return Ok(());
        }
        self.anchor_nodes = self.anchor_nodes.saturating_add(size.nodes);
        let allowed = self.source_nodes.saturating_add(self.max_alias_nodes);
        if self.anchor_nodes > allowed {
            return Err(ParseError {
                message: format!(
                    "anchors nested in anchors copy more than {} nodes beyond the document's own in this document; it was not read (raise `maxAliasNodes` if it is genuine)",
                    self.max_alias_nodes
                ),
                span: Span::new(node.span.start, node.span.start),
            });
        }
        self.anchors.insert(
            anchor,
            Anchor {
                node: node.clone(),
                size,
                key: key.cloned(),
            },
        );
        Ok(())
    }

    /// Counts scalar text, aliases' copies included, against `maxScalarBytes`.
    fn add_scalar_bytes(&mut self, bytes: usize, span: Span) -> Result<(), ParseError> {
        self.scalar_bytes = self.scalar_bytes.saturating_add(bytes);
        if self.scalar_bytes > self.max_scalar_bytes {
            return Err(ParseError {
                message: format!(
                    "the values of this document add up to more than {} bytes once aliases are expanded; it was not read (raise `maxScalarBytes` if it is genuine)",
                    self.max_scalar_bytes
                ),
                span,
            });
        }
        Ok(())
    }

    /// Hands a finished node to its parent, or makes it the document. `key` is the text the
    /// node takes as a map key (for scalars and aliases of scalars).
    fn attach(
        &mut self,
        node: Node,
        size: Size,
        key: Option<Key>,
        positions: &mut Positions<'_>,
    ) -> Result<(), ParseError> {
        let Some(frame) = self.stack.last_mut() else {
            self.current = Some(node);
            return Ok(());
        };
        match frame {
            Frame::Seq { items, size: total, .. } => {
                total.add(size);
                items.push(node);
            }
            Frame::Map {
                entries,
                key: pending,
                merge,
                size: total,
                ..
            } => {
                total.add(size);
                match pending.take() {
                    None => {
                        let name = match (&node.value, key) {
                            (Value::Seq(_) | Value::Map(_), _) | (_, None) => {
                                return Err(ParseError {
                                    message: "a map or list is used as a key; Kubernetes keys are strings".into(),
                                    span: node.span,
                                })
                            }
                            (_, Some(key)) => key,
                        };
                        let text = name.name.map_err(|message| ParseError {
                            message,
                            span: node.span,
                        })?;
                        *merge = name.merge;
                        *pending = Some(Node::new(Value::Str(text), node.span));
                    }
                    Some(k) => {
                        if *merge {
                            *merge = false;
                            return merge_into(entries, node).map_err(|span| ParseError {
                                message: "a merge key (`<<`) takes a map or a list of maps".into(),
                                span,
                            });
                        }
                        let name = k.as_str().unwrap_or_default();
                        let Some(i) = entries.find(name) else {
                            entries.push(k, node, true);
                            return Ok(());
                        };
                        if entries.explicit.get(i).copied().unwrap_or(true) {
                            let first = entries.entries.get(i).map(|(e, _)| e.span.start).unwrap_or_default();
                            let message = format!(
                                "the key {} appears twice in this map (first on line {}); Kubernetes keeps the last value, which is what is checked; keep one",
                                tags::shown(name),
                                positions.line(first)
                            );
                            let span = k.span;
                            entries.replace(i, k, node, true);
                            self.duplicates += 1;
                            if self.duplicates <= MAX_DUPLICATE_ERRORS {
                                self.errors.push(ParseError { message, span });
                            }
                        } else {
                            entries.replace(i, k, node, true);
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// go-yaml v2 merge: entries of the merged map(s) overwrite what is there; of a list of
/// maps, the earlier map wins.
fn merge_into(entries: &mut Entries, value: Node) -> Result<(), Span> {
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
                match entries.find(k.as_str().unwrap_or_default()) {
                    Some(i) => entries.replace(i, k, v, false),
                    None => entries.push(k, v, false),
                }
            }
        }
    }
    Ok(())
}

/// The note on the quoted values re-indented past the ones noted.
fn lenient_more_message(more: usize) -> String {
    format!(
        "{more} more lines continue a quoted value but are indented less than YAML allows, from this one on; only the first {MAX_NOTES} are noted"
    )
}

/// A line break to go-yaml v2 (YAML 1.1: NEL, LS, PS; `is_break` in `yamlprivateh.go`) that
/// YAML 1.2 parsers read as an ordinary character.
fn yaml11_break(c: char) -> bool {
    matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// The error for a line break only go-yaml knows: Kubernetes reads the text after it as a new
/// line (out of the comment or value it seems to be in), while editors and reviewers do not.
fn unicode_break_message(c: char, more: usize) -> String {
    let name = match c {
        '\u{85}' => "U+0085 (next line)",
        '\u{2029}' => "U+2029 (paragraph separator)",
        _ => "U+2028 (line separator)",
    };
    let more = match more {
        0 => String::new(),
        1 => " (and 1 more such character in this document)".into(),
        n => format!(" (and {n} more such characters in this document)"),
    };
    format!(
        "the character {name} ends the line for Kubernetes' YAML reader: what follows it is read as a new line, not as part of the comment or value it appears to be in; this document is checked as Kubernetes reads it{more}; use a real line break, or write `\\u{:04X}` inside a double-quoted value",
        u32::from(c)
    )
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
    fn duplicate_keys_are_errors_but_the_last_value_is_read() {
        let text = "a: 1\nb: 2\na: 3\n";
        let doc = parse_stream(text, &Limits::default())
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no document"));
        let e = doc.errors.first().unwrap_or_else(|| panic!("expected an error"));
        assert!(e.message.contains("`a` appears twice"), "{}", e.message);
        assert!(e.message.contains("first on line 1"), "{}", e.message);
        assert_eq!(e.span.start, 10);
        assert_eq!(doc.result.map(|n| n.to_json()), Ok(serde_json::json!({"a": 3, "b": 2})));
    }

    #[test]
    fn duplicate_keys_are_found_in_linear_time() {
        let mut text = String::from("m:\n");
        for i in 0..200_000 {
            text.push_str(&format!("  k{i}: {i}\n"));
        }
        text.push_str("  k7: last\n");
        let started = std::time::Instant::now();
        let doc = parse_stream(&text, &Limits::default())
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no document"));
        assert!(started.elapsed().as_secs() < 20, "took {:?}", started.elapsed());
        assert_eq!(doc.errors.len(), 1, "{:?}", doc.errors);
        assert!(doc.errors.iter().all(|e| e.message.contains("first on line 9")));
        let node = doc.result.unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            node.get_path(&["m", "k7"]).map(|n| &n.value),
            Some(&Value::Str("last".into()))
        );
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
    fn rewritten_quoted_values_keep_spans_in_the_original_text() {
        let text = "é: 1\nm:\n  k: \"café\n crème\"\n  après: ☕\n";
        let doc = parse_stream(text, &Limits::default())
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("none"));
        assert_eq!(doc.notes.len(), 1, "{:?}", doc.notes);
        assert_eq!(doc.notes.first().map(|n| n.span.start), text.find(" crème"));
        let node = doc.result.unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(node.get_path(&["m", "k"]).and_then(Node::as_str), Some("café crème"));
        let cup = node.get_path(&["m", "après"]).map(|n| n.span).unwrap_or_default();
        assert_eq!(text.get(cup.start..cup.end), Some("☕"));
    }

    #[test]
    fn block_collections_end_at_their_last_item() {
        let text = "a:\n  b: 1\n  c: 2\n\n\nz: 3\n";
        let doc = one(text);
        let a = doc.get("a").map(|n| n.span).unwrap_or_default();
        assert_eq!(text.get(a.start..a.end), Some("b: 1\n  c: 2"));
    }
}
