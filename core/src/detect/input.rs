//! Cutting a byte stream of audit events into units, without holding the stream: JSON lines
//! (the API server's log backend), a JSON array of events, an `EventList`, or several of them
//! one after another. Bytes are fed as they come (a file, stdin, a file that grows), and each
//! complete unit is handed over with the line and column it starts at; memory holds one unit.
//!
//! The layout is read from the first value: a stream whose first value is an array, or an
//! object whose first line holds only `{`, is pretty-printed JSON (line breaks are spaces);
//! anything else is JSON lines, where a line break inside a value makes that line an error
//! (a truncated or malformed line) and reading goes on at the next line.

/// A complete JSON value of the stream, or an error about a part of it.
#[derive(Debug, PartialEq, Eq)]
pub enum Unit {
    /// The text of one value, starting at 1-based `line` and `column` (bytes) of the stream.
    Value {
        /// The value's bytes.
        text: Vec<u8>,
        /// 1-based line where it starts.
        line: usize,
        /// 1-based byte column where it starts.
        column: usize,
    },
    /// What could not be read, at the 1-based line where it starts.
    Error {
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layout {
    Unknown,
    /// The first value started `{` and nothing else was seen on its line yet.
    Pending,
    Lines,
    Pretty,
}

/// Where the cutter stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Between values.
    Between,
    /// Inside a value that is one unit (depth counts open brackets).
    Whole,
    /// Inside a top-level array: its items are units.
    Array,
    /// Inside the `items` array of a top-level object (an `EventList`): its items are units.
    Items,
    /// In the rest of an `EventList` after its items.
    ListTail,
    /// Skipping the rest of a line that is not JSON.
    Garbage,
}

/// Cuts a stream into [`Unit`]s. Feed bytes with [`Cutter::feed`], then call
/// [`Cutter::finish`] at the end of the stream.
#[derive(Debug)]
pub struct Cutter {
    layout: Layout,
    state: State,
    /// Open brackets in the current top-level value.
    depth: usize,
    in_string: bool,
    escaped: bool,
    /// The unit being read.
    buf: Vec<u8>,
    /// The unit being read has passed `max_bytes` and is skipped.
    oversized: bool,
    max_bytes: usize,
    /// 1-based line and byte column of the next byte.
    line: usize,
    column: usize,
    /// Where the unit (or top-level value) being read started.
    start: (usize, usize),
    /// The depth at which items are units (1 in an array, 2 in an `EventList`'s `items`).
    item_depth: usize,
    /// A unit is being read inside a container.
    in_item: bool,
    /// Where the last string read at depth 1 of a top-level object starts and ends in `buf`
    /// (a key, when `:` follows).
    string_at: (usize, usize),
    /// The value being read at depth 1 is that of the key `items`.
    items_key: bool,
}

/// The bytes that matter inside a string (its end, an escape, a line break) and outside one.
fn is_stop(c: u8, in_string: bool) -> bool {
    if in_string {
        matches!(c, b'"' | b'\\' | b'\n')
    } else {
        matches!(c, b'"' | b'{' | b'}' | b'[' | b']' | b'\n')
    }
}

impl Cutter {
    /// A cutter whose units may hold at most `max_bytes` bytes (larger ones are errors).
    pub fn new(max_bytes: usize) -> Self {
        Cutter {
            layout: Layout::Unknown,
            state: State::Between,
            depth: 0,
            in_string: false,
            escaped: false,
            buf: Vec::new(),
            oversized: false,
            max_bytes,
            line: 1,
            column: 1,
            start: (1, 1),
            item_depth: 0,
            in_item: false,
            string_at: (0, 0),
            items_key: false,
        }
    }

    /// Reads `bytes`, handing each complete unit to `out`.
    pub fn feed(&mut self, bytes: &[u8], out: &mut dyn FnMut(Unit)) {
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            // Inside a nested part of a value, a run of bytes that opens, closes or ends
            // nothing is kept at once (most of an event's bytes).
            if self.in_nested() && !self.escaped {
                let in_string = self.in_string;
                let rest = bytes.get(i..).unwrap_or_default();
                let run = if in_string {
                    memchr::memchr3(b'"', b'\\', b'\n', rest)
                } else {
                    rest.iter().position(|&c| is_stop(c, false))
                }
                .unwrap_or(rest.len());
                if run > 0 {
                    self.keep_all(rest.get(..run).unwrap_or_default());
                    self.column += run;
                    i += run;
                    continue;
                }
            }
            self.byte(b, out);
            if b == b'\n' {
                self.line += 1;
                self.column = 1;
            } else {
                self.column += 1;
            }
            i += 1;
        }
    }

    /// True inside a part of a value that no key or item boundary depends on.
    fn in_nested(&self) -> bool {
        match self.state {
            State::Whole => self.depth >= 2 || self.in_string,
            State::Array | State::Items => self.in_item && self.depth > self.item_depth,
            _ => false,
        }
    }

    fn keep_all(&mut self, run: &[u8]) {
        if self.oversized {
            return;
        }
        if self.buf.len() + run.len() > self.max_bytes {
            self.oversized = true;
            self.buf = Vec::new();
            return;
        }
        self.buf.extend_from_slice(run);
    }

    /// The end of the stream: a value still open is an error (a truncated last line).
    pub fn finish(&mut self, out: &mut dyn FnMut(Unit)) {
        match self.state {
            State::Between | State::Garbage => {}
            State::ListTail => {}
            State::Whole | State::Array | State::Items => {
                let line = if self.in_item || self.state == State::Whole {
                    self.start.0
                } else {
                    self.line
                };
                out(Unit::Error {
                    line,
                    message: "the stream ends inside a JSON value (a truncated last line?)".into(),
                });
            }
        }
        self.reset();
    }

    fn reset(&mut self) {
        self.state = State::Between;
        self.depth = 0;
        self.in_string = false;
        self.escaped = false;
        self.buf.clear();
        self.oversized = false;
        self.in_item = false;
        self.string_at = (0, 0);
        self.items_key = false;
    }

    fn keep(&mut self, b: u8) {
        if self.oversized {
            return;
        }
        if self.buf.len() >= self.max_bytes {
            self.oversized = true;
            self.buf = Vec::new();
            return;
        }
        self.buf.push(b);
    }

    /// Hands the unit read over.
    fn emit(&mut self, out: &mut dyn FnMut(Unit)) {
        let (line, column) = self.start;
        if self.oversized {
            out(Unit::Error {
                line,
                message: format!(
                    "an event larger than {} bytes was skipped (raise `maxDocumentBytes` to read it)",
                    self.max_bytes
                ),
            });
        } else {
            // The next unit starts with room for one like this one.
            let room = self.buf.len();
            out(Unit::Value {
                text: std::mem::replace(&mut self.buf, Vec::with_capacity(room)),
                line,
                column,
            });
        }
        self.buf.clear();
        self.oversized = false;
    }

    fn byte(&mut self, b: u8, out: &mut dyn FnMut(Unit)) {
        if self.layout == Layout::Pending && !matches!(b, b' ' | b'\t' | b'\r') {
            self.layout = if b == b'\n' { Layout::Pretty } else { Layout::Lines };
        }
        // In JSON lines, a line break inside a value ends it as an error.
        if b == b'\n' && self.layout == Layout::Lines && !matches!(self.state, State::Between) {
            if self.state != State::Garbage {
                let line = self.start.0;
                out(Unit::Error {
                    line,
                    message: "the line ends inside a JSON value (truncated or malformed); it was skipped".into(),
                });
            }
            self.reset();
            return;
        }
        match self.state {
            State::Garbage => {}
            State::Between => self.between(b, out),
            State::Whole => {
                if self.state_of_whole(b, out) {
                    self.reset();
                }
            }
            State::Array | State::Items => self.container(b, out),
            State::ListTail => {
                self.track(b);
                if self.depth == 0 {
                    self.reset();
                }
            }
        }
    }

    fn between(&mut self, b: u8, out: &mut dyn FnMut(Unit)) {
        if matches!(b, b' ' | b'\t' | b'\r' | b'\n') {
            return;
        }
        // A byte-order mark at the start of the stream.
        if self.line == 1 && self.column <= 3 && matches!(b, 0xEF | 0xBB | 0xBF) {
            return;
        }
        self.start = (self.line, self.column);
        match b {
            b'[' => {
                if self.layout == Layout::Unknown {
                    self.layout = Layout::Pretty;
                }
                self.state = State::Array;
                self.depth = 1;
                self.item_depth = 1;
            }
            b'{' => {
                if self.layout == Layout::Unknown {
                    self.layout = Layout::Pending;
                }
                self.state = State::Whole;
                self.depth = 1;
                self.buf.clear();
                self.keep(b);
            }
            _ => {
                out(Unit::Error {
                    line: self.line,
                    message: "not JSON (a line of audit events starts with `{`); the rest of the line was skipped"
                        .into(),
                });
                self.state = State::Garbage;
                if self.layout == Layout::Unknown {
                    self.layout = Layout::Lines;
                }
            }
        }
    }

    /// Strings and brackets; returns after updating `depth`.
    fn track(&mut self, b: u8) {
        if self.in_string {
            if self.escaped {
                self.escaped = false;
            } else if b == b'\\' {
                self.escaped = true;
            } else if b == b'"' {
                self.in_string = false;
            }
            return;
        }
        match b {
            b'"' => self.in_string = true,
            b'{' | b'[' => self.depth += 1,
            b'}' | b']' => self.depth = self.depth.saturating_sub(1),
            _ => {}
        }
    }

    /// A byte of a top-level object; true when the object is complete.
    fn state_of_whole(&mut self, b: u8, out: &mut dyn FnMut(Unit)) -> bool {
        let was_string = self.in_string;
        let depth = self.depth;
        self.track(b);
        self.keep(b);
        if depth == 1 && !self.oversized {
            // Keys of the top-level object: the `items` array of a list is read item by item.
            let at = self.buf.len();
            match (was_string, self.in_string, b) {
                (false, true, _) => self.string_at = (at - 1, at - 1),
                (true, false, _) => self.string_at.1 = at,
                (false, false, b':') => {
                    let (from, to) = self.string_at;
                    self.items_key = self.buf.get(from..to) == Some(b"\"items\"".as_slice());
                }
                (false, false, b',') => self.items_key = false,
                (false, false, b'[') if self.items_key && self.is_list_head() => {
                    self.state = State::Items;
                    self.item_depth = 2;
                    self.buf.clear();
                    self.oversized = false;
                    return false;
                }
                _ => {}
            }
        }
        if self.depth == 0 {
            self.emit(out);
            return true;
        }
        false
    }

    /// True when the object read so far (up to `"items": [`) names `kind: EventList` (the
    /// items then stream).
    fn is_list_head(&self) -> bool {
        let mut head = self.buf.clone();
        // Close what was read, in place of the `[`, to read what it holds.
        head.pop();
        head.extend_from_slice(b"null}");
        std::str::from_utf8(&head)
            .ok()
            .and_then(|t| super::json::parse(t, 64).ok())
            .and_then(|n| n.get("kind").and_then(|k| k.as_str()).map(|k| k == "EventList"))
            .unwrap_or(false)
    }

    /// A byte inside a top-level array or an `EventList`'s `items`.
    fn container(&mut self, b: u8, out: &mut dyn FnMut(Unit)) {
        let before = self.depth;
        let was_string = self.in_string;
        if !self.in_item && before == self.item_depth && !was_string {
            match b {
                b' ' | b'\t' | b'\r' | b'\n' | b',' => return,
                b']' => {
                    self.depth -= 1;
                    if self.state == State::Array {
                        self.reset();
                    } else {
                        self.state = State::ListTail;
                    }
                    return;
                }
                _ => {
                    self.in_item = true;
                    self.start = (self.line, self.column);
                    self.buf.clear();
                    self.oversized = false;
                }
            }
        }
        // A scalar item ends before the `,` or `]` that follows it.
        if self.in_item && before == self.item_depth && !was_string && matches!(b, b',' | b']') {
            while self.buf.last().is_some_and(|c| c.is_ascii_whitespace()) {
                self.buf.pop();
            }
            self.emit(out);
            self.in_item = false;
            if b == b']' {
                self.depth -= 1;
                if self.state == State::Array {
                    self.reset();
                } else {
                    self.state = State::ListTail;
                }
            }
            return;
        }
        self.track(b);
        if self.in_item {
            self.keep(b);
            // A map or list item ends when its brackets close.
            if self.depth == self.item_depth && before > self.item_depth {
                self.emit(out);
                self.in_item = false;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cut(text: &str) -> Vec<(String, usize)> {
        let mut units = Vec::new();
        let mut c = Cutter::new(1000);
        let mut out = |u: Unit| {
            units.push(match u {
                Unit::Value { text, line, .. } => (String::from_utf8(text).unwrap(), line),
                Unit::Error { line, message } => (format!("error: {message}"), line),
            })
        };
        // Fed in small pieces, as a stream arrives.
        for chunk in text.as_bytes().chunks(3) {
            c.feed(chunk, &mut out);
        }
        c.finish(&mut out);
        units
    }

    #[test]
    fn json_lines_with_a_bad_line_and_a_truncated_last_one() {
        let units = cut("{\"a\":1}\nnot json\n{\"b\": [1, {\"c\": \"}\"}]}\n{\"d\":\n{\"e\":2}\n{\"f\":");
        assert_eq!(units[0], ("{\"a\":1}".into(), 1));
        assert!(units[1].0.starts_with("error: not JSON") && units[1].1 == 2);
        assert_eq!(units[2], ("{\"b\": [1, {\"c\": \"}\"}]}".into(), 3));
        assert!(units[3].0.starts_with("error: the line ends") && units[3].1 == 4);
        assert_eq!(units[4], ("{\"e\":2}".into(), 5));
        assert!(units[5].0.starts_with("error: the stream ends") && units[5].1 == 6);
        assert_eq!(units.len(), 6);
    }

    #[test]
    fn arrays_and_event_lists_stream_their_items() {
        let units = cut("[\n {\"a\": [1]},\n {\"b\": 2}, 3\n]\n");
        assert_eq!(
            units,
            vec![("{\"a\": [1]}".into(), 2), ("{\"b\": 2}".into(), 3), ("3".into(), 3)]
        );
        let list = "{\n \"kind\": \"EventList\", \"apiVersion\": \"audit.k8s.io/v1\",\n \"items\": [\n  {\"x\": 1},\n  {\"y\": \"]\"}\n ],\n \"metadata\": {}\n}\n";
        assert_eq!(
            units_of(list),
            vec![("{\"x\": 1}".into(), 4), ("{\"y\": \"]\"}".into(), 5)]
        );
        // Another object with `items` is one unit.
        let other = "{\"kind\": \"Other\", \"items\": [1]}\n";
        assert_eq!(cut(other), vec![(other.trim().into(), 1)]);
    }

    fn units_of(text: &str) -> Vec<(String, usize)> {
        cut(text)
    }

    #[test]
    fn oversized_units_are_errors() {
        let mut c = Cutter::new(10);
        let mut units = Vec::new();
        c.feed(b"{\"a\": \"0123456789\"}\n{\"b\":1}\n", &mut |u| units.push(u));
        c.finish(&mut |u| units.push(u));
        assert!(matches!(&units[0], Unit::Error { line: 1, message } if message.contains("larger than 10")));
        assert!(matches!(&units[1], Unit::Value { line: 2, .. }));
    }
}
