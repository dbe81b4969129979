//! Resolution of plain (unquoted) scalars with the YAML 1.1 rules Kubernetes applies.
//!
//! Kubernetes decodes manifests through go-yaml v2, so `yes`, `on` and `y` are booleans,
//! `0644` is octal, `1_000` is an integer and `09` is the float 9. Quoted scalars never get
//! here: they stay strings.

use super::node::Value;

/// Resolves the text of a plain scalar to the value Kubernetes would read.
pub fn resolve_plain(text: &str) -> Value {
    let Some(first) = text.bytes().next() else {
        return Value::Null;
    };
    match first {
        b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~' => {
            named(text).unwrap_or_else(|| Value::Str(text.to_owned()))
        }
        b'.' => named(text)
            .or_else(|| dotted_float(text))
            .unwrap_or_else(|| Value::Str(text.to_owned())),
        b'+' | b'-' | b'0'..=b'9' => named(text)
            .or_else(|| number(text))
            .unwrap_or_else(|| Value::Str(text.to_owned())),
        _ => Value::Str(text.to_owned()),
    }
}

/// Resolves the text of a scalar tagged `!!int`, `!!float`, `!!bool`, `!!null` or
/// `!!timestamp` (by the tag's suffix) as go-yaml v2 does, or `None` when the text does not fit
/// the tag (go-yaml then refuses the document). An integer fits `!!float`; a timestamp stays
/// its text, as go-yaml hands timestamps to Kubernetes.
pub fn resolve_tagged(text: &str, tag: &str) -> Option<Value> {
    if tag == "timestamp" {
        return is_timestamp(text).then(|| Value::Str(text.to_owned()));
    }
    let value = resolve_plain(text);
    match (tag, value) {
        ("int", v @ Value::Int(_)) | ("bool", v @ Value::Bool(_)) | ("null", v @ Value::Null) => Some(v),
        // `ParseUint` of a number past i64 (kept as a float here) is still an integer to go-yaml.
        ("int", v @ Value::Float(_)) => {
            let plain: String = text.chars().filter(|&c| c != '_').collect();
            go_int(&plain).is_some().then_some(v)
        }
        ("float", Value::Int(i)) => Some(Value::Float(i as f64)),
        ("float", v @ Value::Float(_)) => Some(v),
        _ => None,
    }
}

/// go-yaml v2's `parseTimestamp`: `YYYY-M-D`, optionally followed by `T`/`t` and a time with a
/// zone (`Z` or `±hh:mm`), or by a space and a time without zone; fractions of seconds allowed.
fn is_timestamp(s: &str) -> bool {
    fn number(b: &[u8], i: &mut usize, min: usize, max: usize) -> Option<u32> {
        let start = *i;
        while *i - start < max && b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        let digits = b.get(start..*i)?;
        if digits.len() < min {
            return None;
        }
        digits
            .iter()
            .try_fold(0u32, |n, d| n.checked_mul(10)?.checked_add(u32::from(d - b'0')))
    }
    let b = s.as_bytes();
    let mut i = 0;
    let mut check = || -> Option<bool> {
        let year = number(b, &mut i, 4, 4)?;
        (b.get(i) == Some(&b'-')).then_some(())?;
        i += 1;
        let month = number(b, &mut i, 1, 2)?;
        (b.get(i) == Some(&b'-')).then_some(())?;
        i += 1;
        let day = number(b, &mut i, 1, 2)?;
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return Some(false),
        };
        if day == 0 || day > days {
            return Some(false);
        }
        let Some(&sep) = b.get(i) else {
            return Some(true);
        };
        if !matches!(sep, b'T' | b't' | b' ') {
            return Some(false);
        }
        i += 1;
        let hour = number(b, &mut i, 1, 2)?;
        (b.get(i) == Some(&b':')).then_some(())?;
        i += 1;
        let minute = number(b, &mut i, 1, 2)?;
        (b.get(i) == Some(&b':')).then_some(())?;
        i += 1;
        let second = number(b, &mut i, 1, 2)?;
        if hour > 23 || minute > 59 || second > 59 {
            return Some(false);
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            number(b, &mut i, 1, usize::MAX)?;
        }
        if sep == b' ' {
            return Some(i == b.len());
        }
        match b.get(i) {
            Some(b'Z') => Some(i + 1 == b.len()),
            Some(b'+' | b'-') => {
                i += 1;
                let hh = number(b, &mut i, 2, 2)?;
                (b.get(i) == Some(&b':')).then_some(())?;
                i += 1;
                let mm = number(b, &mut i, 2, 2)?;
                Some(hh <= 24 && mm <= 60 && i == b.len())
            }
            _ => Some(false),
        }
    };
    check().unwrap_or(false)
}

fn named(text: &str) -> Option<Value> {
    Some(match text {
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "true" | "True" | "TRUE" => Value::Bool(true),
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "false" | "False" | "FALSE" => Value::Bool(false),
        "~" | "null" | "Null" | "NULL" => Value::Null,
        ".nan" | ".NaN" | ".NAN" => Value::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Value::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Value::Float(f64::NEG_INFINITY),
        _ => return None,
    })
}

fn dotted_float(text: &str) -> Option<Value> {
    let digits = text.strip_prefix('.')?;
    let valid = !digits.is_empty() && float_shape(text);
    valid.then(|| text.parse::<f64>().ok().map(Value::Float)).flatten()
}

fn number(text: &str) -> Option<Value> {
    if looks_like_timestamp(text) {
        return None;
    }
    let plain: String = text.chars().filter(|&c| c != '_').collect();
    if let Some(i) = go_int(&plain) {
        return Some(i);
    }
    if float_shape(&plain) {
        return plain.parse::<f64>().ok().map(Value::Float);
    }
    None
}

/// `strconv.ParseInt(s, 0, 64)`, then `ParseUint` (kept as a float when it does not fit i64).
fn go_int(s: &str) -> Option<Value> {
    let (negative, body) = match s.as_bytes().first() {
        Some(b'-') => (true, s.get(1..)?),
        Some(b'+') => (false, s.get(1..)?),
        _ => (false, s),
    };
    let lower = body.get(..2).map(str::to_ascii_lowercase);
    let (radix, digits) = match lower.as_deref() {
        Some("0x") => (16, body.get(2..)?),
        Some("0o") => (8, body.get(2..)?),
        Some("0b") => (2, body.get(2..)?),
        _ if body.len() > 1 && body.starts_with('0') => (8, body.get(1..)?),
        _ => (10, body),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u128::from_str_radix(digits, radix).ok()?;
    let signed = if negative {
        -(magnitude as i128)
    } else {
        magnitude as i128
    };
    if let Ok(i) = i64::try_from(signed) {
        Some(Value::Int(i))
    } else if !negative && magnitude <= u128::from(u64::MAX) {
        Some(Value::Float(magnitude as f64))
    } else {
        None
    }
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn float_shape(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'-' | b'+')));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// go-yaml reads `2001-12-14`-like plain scalars as timestamps; Kubernetes then sees a string.
fn looks_like_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let year = b.get(..4).is_some_and(|y| y.iter().all(u8::is_ascii_digit));
    year && b.get(4) == Some(&b'-') && b.get(5).is_some_and(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booleans_follow_yaml_1_1() {
        for t in ["y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE"] {
            assert_eq!(resolve_plain(t), Value::Bool(true), "{t}");
        }
        for t in [
            "n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE",
        ] {
            assert_eq!(resolve_plain(t), Value::Bool(false), "{t}");
        }
        for t in ["yES", "oN", "tRUE", "enabled"] {
            assert_eq!(resolve_plain(t), Value::Str(t.into()), "{t}");
        }
    }

    #[test]
    fn numbers_follow_go_parse_int() {
        assert_eq!(resolve_plain("0644"), Value::Int(0o644));
        assert_eq!(resolve_plain("0o17"), Value::Int(15));
        assert_eq!(resolve_plain("0x1F"), Value::Int(31));
        assert_eq!(resolve_plain("0b101"), Value::Int(5));
        assert_eq!(resolve_plain("-42"), Value::Int(-42));
        assert_eq!(resolve_plain("+7"), Value::Int(7));
        assert_eq!(resolve_plain("1_000"), Value::Int(1000));
        assert_eq!(resolve_plain("09"), Value::Float(9.0));
        assert_eq!(resolve_plain("1.5e3"), Value::Float(1500.0));
        assert_eq!(resolve_plain(".5"), Value::Float(0.5));
        assert_eq!(resolve_plain("0"), Value::Int(0));
        assert_eq!(
            resolve_plain("18446744073709551615"),
            Value::Float(18446744073709551615.0)
        );
    }

    #[test]
    fn tagged_text_fits_its_tag_or_not() {
        assert_eq!(resolve_tagged("0", "int"), Some(Value::Int(0)));
        assert_eq!(resolve_tagged("7", "float"), Some(Value::Float(7.0)));
        assert_eq!(resolve_tagged("yes", "bool"), Some(Value::Bool(true)));
        assert_eq!(resolve_tagged("~", "null"), Some(Value::Null));
        assert_eq!(resolve_tagged("abc", "int"), None);
        assert_eq!(resolve_tagged("1.5", "int"), None);
        assert_eq!(resolve_tagged("1", "bool"), None);
        for ok in [
            "2001-12-14",
            "2001-1-2",
            "2001-12-14T21:59:43.10-05:00",
            "2001-12-14t21:59:43Z",
            "2001-12-14 21:59:43.10",
        ] {
            assert_eq!(resolve_tagged(ok, "timestamp"), Some(Value::Str(ok.into())), "{ok}");
        }
        for bad in [
            "2001-13-14",
            "2001-02-30",
            "2001-12-14T21:59:43",
            "2001-12-14 21:59:43Z",
            "12",
            "x",
        ] {
            assert_eq!(resolve_tagged(bad, "timestamp"), None, "{bad}");
        }
    }

    #[test]
    fn other_text_stays_a_string() {
        for t in ["1.2.3", "-", "0x", "2001-12-14", "12:30", "nginx:1.25", "1e", "."] {
            assert_eq!(resolve_plain(t), Value::Str(t.into()), "{t}");
        }
        assert_eq!(resolve_plain(""), Value::Null);
        assert_eq!(resolve_plain("~"), Value::Null);
    }
}
