//! Tags, as go-yaml v2 (the reader behind kubectl, Helm and most GitOps tools) applies them.
//!
//! go-yaml v2 (`resolve.go`) honours the core tags `!!str`, `!!int`, `!!float`, `!!bool`,
//! `!!null` and `!!timestamp` on scalars: the text is resolved as a plain scalar would be, and a
//! result that does not fit the tag is a decode error (`!!int "abc"`), except that an integer
//! fits `!!float`. `!!binary` decodes base64 (`decode.go`); sigs.k8s.io/yaml then hands the
//! bytes to `encoding/json`, which replaces each byte that is not UTF-8 with U+FFFD. Every other
//! tag on a scalar (`!foo`, the non-specific `!`, `!!map` …) is not resolvable, so the value is
//! its text, a string. Tags on maps and lists are ignored. Verbatim tags
//! (`!<tag:yaml.org,2002:int>`) and `%TAG` handles resolve to the same full tags.

use std::borrow::Cow;

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use saphyr_parser::{ScalarStyle, Tag};

use super::node::Value;
use super::scalar::{resolve_plain, resolve_tagged};

const CORE: &str = "tag:yaml.org,2002:";

/// What a tag means to go-yaml.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum TagClass<'a> {
    /// No tag.
    None,
    /// The non-specific tag `!`.
    NonSpecific,
    /// A tag of the YAML core schema, by its suffix (`int` for `!!int`).
    Core(Cow<'a, str>),
    /// Any other tag, as it is shown to people.
    Other(String),
}

pub(super) fn classify(tag: Option<&Tag>) -> TagClass<'_> {
    let Some(tag) = tag else {
        return TagClass::None;
    };
    if tag.handle.is_empty() && tag.suffix == "!" {
        return TagClass::NonSpecific;
    }
    if tag.handle == CORE {
        return TagClass::Core(Cow::Borrowed(tag.suffix.as_str()));
    }
    let full = format!("{}{}", tag.handle, tag.suffix);
    if let Some(rest) = full.strip_prefix(CORE) {
        return TagClass::Core(Cow::Owned(rest.to_owned()));
    }
    TagClass::Other(if tag.handle == "!" {
        format!("!{}", tag.suffix)
    } else {
        format!("!<{full}>")
    })
}

/// A scalar as Kubernetes reads it.
#[derive(Debug)]
pub(super) struct Scalar {
    pub value: Value,
    /// A merge key (`<<` plain, untagged or tagged `!!merge`).
    pub merge: bool,
    /// What a person should know about how it was read.
    pub note: Option<String>,
}

/// Resolves one scalar, or says why go-yaml refuses it.
pub(super) fn scalar(text: &str, style: ScalarStyle, tag: Option<&Tag>) -> Result<Scalar, String> {
    let plain = matches!(style, ScalarStyle::Plain);
    let mut note = None;
    let mut merge = false;
    let value = match classify(tag) {
        TagClass::None => {
            merge = plain && text == "<<";
            if plain {
                resolve_plain(text)
            } else {
                Value::Str(text.to_owned())
            }
        }
        TagClass::NonSpecific => {
            // go-yaml marks `! x` implicit (so `! <<` merges) but cannot resolve the tag `!`.
            merge = text == "<<";
            Value::Str(text.to_owned())
        }
        TagClass::Core(suffix) => match suffix.as_ref() {
            "str" => Value::Str(text.to_owned()),
            "binary" => Value::Str(binary(text)?),
            "merge" => {
                merge = text == "<<";
                Value::Str(text.to_owned())
            }
            "int" | "float" | "bool" | "null" | "timestamp" => {
                resolve_tagged(text, &suffix).ok_or_else(|| {
                    format!(
                        "the value {} is tagged `!!{suffix}` but is not a{} {}; Kubernetes refuses the document (fix the value or remove the tag)",
                        shown(text),
                        if suffix == "int" { "n" } else { "" },
                        match suffix.as_ref() {
                            "int" => "integer",
                            "float" => "number",
                            "bool" => "boolean",
                            "null" => "null",
                            _ => "timestamp",
                        }
                    )
                })?
            }
            "map" | "seq" => {
                note = Some(format!(
                    "the tag `!!{suffix}` stands on a single value; Kubernetes ignores it and reads {} as a string",
                    shown(text)
                ));
                Value::Str(text.to_owned())
            }
            other => {
                note = Some(unknown_note(&format!("!!{other}"), Some(text)));
                Value::Str(text.to_owned())
            }
        },
        TagClass::Other(shown_tag) => {
            note = Some(unknown_note(&shown_tag, Some(text)));
            Value::Str(text.to_owned())
        }
    };
    Ok(Scalar { value, merge, note })
}

/// The JSON key sigs.k8s.io/yaml makes of a decoded key (`convertToJSONableObject`): strings
/// as they are, integers in decimal, booleans as `true`/`false`, floats as Go's
/// `FormatFloat(f, 'g', -1, 32)`; a null or an integer past i64 (go-yaml's uint64) has no JSON
/// key and the conversion fails.
pub(super) fn key_text(value: &Value, text: &str) -> Result<String, String> {
    match value {
        Value::Str(s) => Ok(s.clone()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Int(i) => Ok(i.to_string()),
        Value::Null => Err(format!(
            "the key {} is null, which Kubernetes cannot turn into a JSON key: it refuses the document (quote the key)",
            shown(text)
        )),
        Value::Float(_) if resolve_tagged(text, "int").is_some() => Err(format!(
            "the key {} is an integer too large for Kubernetes to turn into a JSON key: it refuses the document (quote the key)",
            shown(text)
        )),
        Value::Float(f) => Ok(go_float_key(*f)),
        Value::Seq(_) | Value::Map(_) => Err("a map or list is used as a key; Kubernetes keys are strings".into()),
    }
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 32)` with go-yaml's names for the infinities and NaN.
fn go_float_key(f: f64) -> String {
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf".into() } else { "-.inf".into() };
    }
    let single = f as f32;
    // Shortest digits of the 32-bit value, as `d.ddde±x`.
    let sci = format!("{:e}", single.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let exp: i32 = exp.parse().unwrap_or(0);
    let sign = if single.is_sign_negative() { "-" } else { "" };
    if !(-4..6).contains(&exp) {
        let (first, rest) = digits.split_at(1.min(digits.len()));
        let dot = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{first}{dot}e{esign}{:02}", exp.unsigned_abs());
    }
    // Plain notation: `digits` with the point after `exp + 1` of them.
    let point = exp + 1;
    let body = if point <= 0 {
        format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
    } else {
        let point = point as usize;
        if digits.len() <= point {
            format!("{digits}{}", "0".repeat(point - digits.len()))
        } else {
            let (int, frac) = digits.split_at(point);
            format!("{int}.{frac}")
        }
    };
    format!("{sign}{body}")
}

/// The note for a tag on a map or list, if it deserves one.
pub(super) fn collection_note(tag: Option<&Tag>, map: bool) -> Option<String> {
    match classify(tag) {
        TagClass::None | TagClass::NonSpecific => None,
        TagClass::Core(suffix) => match suffix.as_ref() {
            "map" if map => None,
            "seq" if !map => None,
            "str" | "int" | "float" | "bool" | "null" | "binary" | "timestamp" | "map" | "seq" | "merge" => {
                Some(format!(
                    "the tag `!!{suffix}` does not fit a {}; Kubernetes ignores it",
                    if map { "map" } else { "list" }
                ))
            }
            other => Some(unknown_note(&format!("!!{other}"), None)),
        },
        TagClass::Other(shown_tag) => Some(unknown_note(&shown_tag, None)),
    }
}

fn unknown_note(tag: &str, text: Option<&str>) -> String {
    let tag = escape(tag);
    match text {
        Some(text) => format!(
            "the tag `{tag}` means nothing to Kubernetes: it ignores the tag and reads {} as a string",
            shown(text)
        ),
        None => format!("the tag `{tag}` means nothing to Kubernetes: it ignores the tag"),
    }
}

/// `!!binary`: base64 as Go's `base64.StdEncoding` reads it (padding required, line breaks
/// skipped), the bytes then made a JSON string the way `encoding/json` does.
fn binary(text: &str) -> Result<String, String> {
    const GO_STD: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
    );
    let compact: String = text.chars().filter(|c| !matches!(c, '\r' | '\n')).collect();
    let bytes = GO_STD.decode(compact.as_bytes()).map_err(|_| {
        format!(
            "the value {} is tagged `!!binary` but is not valid base64; Kubernetes refuses the document (fix the value or remove the tag)",
            shown(text)
        )
    })?;
    Ok(go_json_string(&bytes))
}

/// Bytes as Go's `encoding/json` writes them: each byte that does not start valid UTF-8
/// becomes U+FFFD.
pub(super) fn go_json_string(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut rest = bytes;
    loop {
        match std::str::from_utf8(rest) {
            Ok(valid) => {
                out.push_str(valid);
                return out;
            }
            Err(e) => {
                let (valid, after) = rest.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                out.push('\u{FFFD}');
                rest = after.get(1..).unwrap_or_default();
            }
        }
    }
}

/// A user value for a message: in backticks, control characters escaped, long text cut.
pub(super) fn shown(text: &str) -> String {
    let mut cut: String = text.chars().take(60).collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    format!("`{}`", escape(&cut))
}

fn escape(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn core(suffix: &str) -> Tag {
        Tag {
            handle: CORE.into(),
            suffix: suffix.into(),
        }
    }

    fn value(text: &str, tag: &Tag) -> Result<Value, String> {
        scalar(text, ScalarStyle::DoubleQuoted, Some(tag)).map(|s| s.value)
    }

    #[test]
    fn core_tags_resolve_quoted_text() {
        assert_eq!(value("true", &core("bool")), Ok(Value::Bool(true)));
        assert_eq!(value("0", &core("int")), Ok(Value::Int(0)));
        assert_eq!(value("1", &core("float")), Ok(Value::Float(1.0)));
        assert_eq!(value("", &core("null")), Ok(Value::Null));
        assert_eq!(value("123", &core("str")), Ok(Value::Str("123".into())));
        assert_eq!(
            value("2001-12-14", &core("timestamp")),
            Ok(Value::Str("2001-12-14".into()))
        );
        assert_eq!(value("UG9k", &core("binary")), Ok(Value::Str("Pod".into())));
        assert_eq!(value("Kg==", &core("binary")), Ok(Value::Str("*".into())));
        assert_eq!(value("/w==", &core("binary")), Ok(Value::Str("\u{FFFD}".into())));
    }

    #[test]
    fn values_that_do_not_fit_their_tag_are_refused() {
        for (text, tag) in [
            ("abc", "int"),
            ("1.5", "int"),
            ("abc", "float"),
            ("1", "bool"),
            ("x", "null"),
            ("2001-13-45", "timestamp"),
            ("Kg", "binary"),
            ("!!!", "binary"),
        ] {
            let e = value(text, &core(tag));
            assert!(
                e.as_ref().is_err_and(|m| m.contains(&format!("`!!{tag}`"))),
                "{text} {tag}: {e:?}"
            );
        }
    }

    #[test]
    fn other_tags_keep_the_text_and_say_so() {
        let local = Tag {
            handle: "!".into(),
            suffix: "foo".into(),
        };
        let s = scalar("true", ScalarStyle::Plain, Some(&local)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.value, Value::Str("true".into()));
        assert!(s.note.is_some_and(|n| n.contains("`!foo`")));
        let verbatim = Tag {
            handle: String::new(),
            suffix: "tag:yaml.org,2002:int".into(),
        };
        assert_eq!(classify(Some(&verbatim)), TagClass::Core(Cow::Borrowed("int")));
    }

    #[test]
    fn keys_become_json_keys_as_sigs_yaml_makes_them() {
        let key = |text: &str| scalar(text, ScalarStyle::Plain, None).map(|s| key_text(&s.value, text));
        assert_eq!(key("yes"), Ok(Ok("true".into())));
        assert_eq!(key("0x10"), Ok(Ok("16".into())));
        assert_eq!(key("1.50"), Ok(Ok("1.5".into())));
        assert_eq!(key("1e3"), Ok(Ok("1000".into())));
        assert_eq!(key("1234567.0"), Ok(Ok("1.234567e+06".into())));
        assert_eq!(key("0.0001"), Ok(Ok("0.0001".into())));
        assert_eq!(key("0.00001"), Ok(Ok("1e-05".into())));
        assert_eq!(key("0.1"), Ok(Ok("0.1".into())));
        assert_eq!(key("-2.5"), Ok(Ok("-2.5".into())));
        assert_eq!(key("3.0"), Ok(Ok("3".into())));
        assert_eq!(key(".inf"), Ok(Ok(".inf".into())));
        assert!(key("~").is_ok_and(|k| k.is_err()));
        assert!(key("").is_ok_and(|k| k.is_err()));
        assert!(key("18446744073709551615").is_ok_and(|k| k.is_err()));
    }

    #[test]
    fn invalid_utf8_becomes_replacement_characters_byte_by_byte() {
        assert_eq!(go_json_string(b"a\xe2\x82b"), "a\u{FFFD}\u{FFFD}b");
        assert_eq!(go_json_string("é".as_bytes()), "é");
    }
}
