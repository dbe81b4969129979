//! The one escaping function of every human-readable output (text, code frames, notes,
//! GitHub annotations, JUnit, SARIF messages): control characters and the invisible
//! characters that reorder or break lines are written as escapes, so that a manifest named
//! `"x\n::error file=a::pwned"` or holding terminal escape sequences can neither forge a
//! workflow command nor drive the terminal.

use std::borrow::Cow;
use std::fmt::Write;

/// Whether `c` is written as an escape: C0 and C1 controls, DEL, line and paragraph
/// separators, bidirectional controls and the byte-order mark.
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}'
        )
}

/// Appends the escape of one character (`\n`, `\r`, `\t`, `\u{1b}`), or the character.
pub fn push_char(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if is_hidden(c) => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
        c => out.push(c),
    }
}

/// Appends `text` with its hidden characters escaped.
pub fn push_visible(out: &mut String, text: &str) {
    for c in text.chars() {
        push_char(out, c);
    }
}

/// `text` with its hidden characters escaped (borrowed when there are none).
pub fn visible(text: &str) -> Cow<'_, str> {
    if text.chars().any(is_hidden) {
        let mut out = String::with_capacity(text.len() + 8);
        push_visible(&mut out, text);
        Cow::Owned(out)
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_invisible_characters_are_escaped() {
        assert_eq!(visible("plain `name` é 漢"), "plain `name` é 漢");
        assert_eq!(visible("x\n::error file=a::pwned"), "x\\n::error file=a::pwned");
        assert_eq!(
            visible("\x1b[31mred\u{7f}\u{85}\u{202e}\r\t"),
            "\\u{1b}[31mred\\u{7f}\\u{85}\\u{202e}\\r\\t"
        );
        assert!(!visible("\u{0}\u{9f}\u{2028}\u{feff}").chars().any(is_hidden));
    }
}
