//! JSON text straight into the spanned [`Node`] tree: audit logs are JSON written by the API
//! server, so events skip the YAML parser (several times slower on the same text). Same
//! values as the YAML reader gives for JSON: integers that fit are `Int`, other numbers
//! `Float`; a repeated key keeps its last value, as Go's `encoding/json` does.

use crate::document::{Node, Span, Value};

/// Why a text is not JSON: the message, and the byte offset where reading stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    /// Byte offset in the text where reading stopped.
    pub offset: usize,
    /// What is wrong there.
    pub message: String,
}

/// Parses one JSON value filling `text` (whitespace around it allowed), at most `max_depth`
/// maps and lists deep.
pub fn parse(text: &str, max_depth: usize) -> Result<Node, JsonError> {
    let mut p = Parser {
        text,
        bytes: text.as_bytes(),
        at: 0,
        max_depth,
    };
    p.skip_space();
    let node = p.value(0)?;
    p.skip_space();
    if p.at < p.bytes.len() {
        return Err(p.error("more text after the JSON value"));
    }
    Ok(node)
}

struct Parser<'t> {
    text: &'t str,
    bytes: &'t [u8],
    at: usize,
    max_depth: usize,
}

impl Parser<'_> {
    fn error(&self, message: &str) -> JsonError {
        JsonError {
            offset: self.at,
            message: message.to_owned(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    fn found(&self) -> String {
        match self.text.get(self.at..).and_then(|s| s.chars().next()) {
            Some(c) if c.is_control() => format!("the control character U+{:04X}", u32::from(c)),
            Some(c) => format!("`{c}`"),
            None => "the end of the text".into(),
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, JsonError> {
        let start = self.at;
        let value = match self.peek() {
            Some(b'{') => self.map(depth)?,
            Some(b'[') => self.seq(depth)?,
            Some(b'"') => Value::Str(self.string()?),
            Some(b't') => self.word("true", Value::Bool(true))?,
            Some(b'f') => self.word("false", Value::Bool(false))?,
            Some(b'n') => self.word("null", Value::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            _ => return Err(self.error(&format!("expected a JSON value, found {}", self.found()))),
        };
        Ok(Node::new(value, Span::new(start, self.at)))
    }

    fn word(&mut self, word: &str, value: Value) -> Result<Value, JsonError> {
        if self.bytes.get(self.at..self.at + word.len()) == Some(word.as_bytes()) {
            self.at += word.len();
            Ok(value)
        } else {
            Err(self.error(&format!("expected a JSON value, found {}", self.found())))
        }
    }

    fn enter(&self, depth: usize) -> Result<(), JsonError> {
        if depth >= self.max_depth {
            return Err(self.error(&format!("the value is nested more than {} levels deep", self.max_depth)));
        }
        Ok(())
    }

    fn seq(&mut self, depth: usize) -> Result<Value, JsonError> {
        self.enter(depth)?;
        self.at += 1;
        let mut items = Vec::new();
        self.skip_space();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Ok(Value::Seq(items));
        }
        loop {
            self.skip_space();
            items.push(self.value(depth + 1)?);
            self.skip_space();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b']') => {
                    self.at += 1;
                    return Ok(Value::Seq(items));
                }
                _ => return Err(self.error(&format!("expected `,` or `]`, found {}", self.found()))),
            }
        }
    }

    fn map(&mut self, depth: usize) -> Result<Value, JsonError> {
        self.enter(depth)?;
        self.at += 1;
        let mut entries: Vec<(Node, Node)> = Vec::new();
        self.skip_space();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(Value::Map(entries));
        }
        loop {
            self.skip_space();
            if self.peek() != Some(b'"') {
                return Err(self.error(&format!("expected a key in double quotes, found {}", self.found())));
            }
            let start = self.at;
            let key = Node::new(Value::Str(self.string()?), Span::new(start, self.at));
            self.skip_space();
            if self.peek() != Some(b':') {
                return Err(self.error(&format!("expected `:` after the key, found {}", self.found())));
            }
            self.at += 1;
            self.skip_space();
            let value = self.value(depth + 1)?;
            entries.push((key, value));
            self.skip_space();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    return Ok(Value::Map(last_wins(entries)));
                }
                _ => return Err(self.error(&format!("expected `,` or `}}`, found {}", self.found()))),
            }
        }
    }

    fn string(&mut self) -> Result<String, JsonError> {
        let open = self.at;
        self.at += 1;
        let mut out = String::new();
        loop {
            let run = self.at;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.at += 1;
            }
            // The run stops at an ASCII byte, so it ends on a character boundary.
            out.push_str(self.text.get(run..self.at).unwrap_or_default());
            match self.peek() {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.at += 1;
                    self.escape(&mut out)?;
                }
                Some(_) => {
                    return Err(self.error(&format!("{} inside a string (escape it)", self.found())));
                }
                None => {
                    return Err(JsonError {
                        offset: open,
                        message: "a string that never ends".into(),
                    })
                }
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), JsonError> {
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.at += 1;
                let first = self.hex4()?;
                let c = if (0xD800..0xDC00).contains(&first) {
                    // A high surrogate: the low one must follow as `\uDC00`–`\uDFFF`.
                    let low = if self.bytes.get(self.at..self.at + 2) == Some(b"\\u") {
                        self.at += 2;
                        self.hex4()?
                    } else {
                        0
                    };
                    if !(0xDC00..0xE000).contains(&low) {
                        return Err(self.error("a lone UTF-16 surrogate in a `\\u` escape"));
                    }
                    char::from_u32(0x10000 + ((first - 0xD800) << 10) + (low - 0xDC00))
                } else {
                    char::from_u32(first)
                };
                // Go decodes a lone surrogate as U+FFFD; so does this reader.
                out.push(c.unwrap_or('\u{FFFD}'));
                return Ok(());
            }
            _ => return Err(self.error(&format!("`\\` followed by {}, not a JSON escape", self.found()))),
        };
        self.at += 1;
        out.push(c);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let digits = self
            .text
            .get(self.at..self.at + 4)
            .filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| self.error("`\\u` needs four hexadecimal digits"))?;
        let n = u32::from_str_radix(digits, 16).map_err(|_| self.error("`\\u` needs four hexadecimal digits"))?;
        self.at += 4;
        Ok(n)
    }

    fn number(&mut self) -> Result<Value, JsonError> {
        let start = self.at;
        let digits = |p: &mut Self| {
            let from = p.at;
            while p.peek().is_some_and(|b| b.is_ascii_digit()) {
                p.at += 1;
            }
            p.at - from
        };
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        let int_start = self.at;
        let n = digits(self);
        if n == 0 || (n > 1 && self.bytes.get(int_start) == Some(&b'0')) {
            return Err(self.error("a malformed number"));
        }
        let mut integer = true;
        if self.peek() == Some(b'.') {
            self.at += 1;
            integer = false;
            if digits(self) == 0 {
                return Err(self.error("a malformed number (digits must follow `.`)"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.at += 1;
            integer = false;
            if let Some(b'+' | b'-') = self.peek() {
                self.at += 1;
            }
            if digits(self) == 0 {
                return Err(self.error("a malformed number (digits must follow the exponent)"));
            }
        }
        let text = self.text.get(start..self.at).unwrap_or_default();
        if integer {
            if let Ok(i) = text.parse::<i64>() {
                return Ok(Value::Int(i));
            }
        }
        Ok(Value::Float(text.parse::<f64>().unwrap_or(f64::NAN)))
    }
}

/// Keeps the last of repeated keys (where the first stood); linear for small maps, sorted for
/// large ones, so a map of many keys costs `n log n`, not `n²`.
fn last_wins(mut entries: Vec<(Node, Node)>) -> Vec<(Node, Node)> {
    let key = |e: &(Node, Node)| e.0.as_str().map(str::to_owned).unwrap_or_default();
    let repeated = if entries.len() <= 16 {
        entries
            .iter()
            .enumerate()
            .any(|(i, a)| entries.iter().skip(i + 1).any(|b| a.0.as_str() == b.0.as_str()))
    } else {
        let mut keys: Vec<&str> = entries.iter().filter_map(|e| e.0.as_str()).collect();
        keys.sort_unstable();
        keys.windows(2).any(|w| w.first() == w.get(1))
    };
    if !repeated {
        return entries;
    }
    let mut last: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (i, e) in entries.iter().enumerate() {
        last.insert(key(e), i);
    }
    let mut first: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut slots: Vec<Option<(Node, Node)>> = entries.drain(..).map(Some).collect();
    let mut out = Vec::with_capacity(last.len());
    for i in 0..slots.len() {
        let Some(e) = slots.get(i).and_then(|s| s.as_ref()) else {
            continue;
        };
        let k = key(e);
        if first.contains_key(&k) {
            continue;
        }
        first.insert(k.clone(), i);
        let from = last.get(&k).copied().unwrap_or(i);
        if let Some(taken) = slots.get_mut(from).and_then(Option::take) {
            out.push(taken);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_values_with_spans() {
        let text = r#" {"a": [1, -2.5e3, "x\u00e9\ud83d\ude00\n"], "b": {"c": null, "d": true}} "#;
        let node = parse(text, 10).unwrap();
        let a = node.get("a").unwrap().as_seq().unwrap();
        assert_eq!(a[0].value, Value::Int(1));
        assert_eq!(a[1].value, Value::Float(-2500.0));
        assert_eq!(a[2].as_str(), Some("xé😀\n"));
        assert_eq!(&text[a[2].span.start..a[2].span.end], r#""x\u00e9\ud83d\ude00\n""#);
        assert!(node.get_path(&["b", "c"]).unwrap().is_null());
    }

    #[test]
    fn refuses_what_is_not_json() {
        for bad in [
            "{",
            "{\"a\" 1}",
            "[1,]",
            "01",
            "\"a\tb\"",
            "{a: 1}",
            "[1] x",
            "\"\\ud800\"",
            "tru",
            "",
        ] {
            assert!(parse(bad, 10).is_err(), "{bad}");
        }
        assert!(parse("[[[[1]]]]", 3).is_err());
        assert!(parse("[[[1]]]", 3).is_ok());
    }

    #[test]
    fn the_last_repeated_key_wins() {
        let node = parse(r#"{"a": 1, "b": 2, "a": 3}"#, 10).unwrap();
        assert_eq!(node.as_map().unwrap().len(), 2);
        assert_eq!(node.get("a").unwrap().value, Value::Int(3));
        let many: Vec<String> = (0..40).map(|i| format!("\"k{}\": {i}", i % 20)).collect();
        let node = parse(&format!("{{{}}}", many.join(",")), 10).unwrap();
        assert_eq!(node.as_map().unwrap().len(), 20);
        assert_eq!(node.get("k3").unwrap().value, Value::Int(23));
    }
}
