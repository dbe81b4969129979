//! Suppression comments: `# rempart:ignore <policy-id> <reason>` on a line silences that
//! policy's findings that start on the same line or the next one, for teams that keep
//! suppressions out of the deployed object.

use crate::document::{Source, Span};
use crate::engine::Finding;

pub const MARKER: &str = "rempart:ignore";

/// One suppression comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineSuppression {
    /// 1-based line of the comment.
    pub line: usize,
    pub pattern: String,
    pub reason: Option<String>,
    /// The comment's text.
    pub span: Span,
}

impl LineSuppression {
    pub fn covers(&self, f: &Finding) -> bool {
        self.reason.is_some()
            && (f.span.start.line == self.line || f.span.start.line == self.line + 1)
            && super::id_matches(&f.policy, &self.pattern)
    }
}

/// The suppression comments of a source (none, at no cost, when the marker is absent).
pub fn read(source: &Source) -> Vec<LineSuppression> {
    if !source.text.contains(MARKER) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut offset = 0;
    for (i, line) in source.text.split_inclusive('\n').enumerate() {
        if let Some(at) = comment_start(line) {
            let comment = line.get(at + 1..).unwrap_or_default().trim_end_matches(['\n', '\r']);
            let body = comment.trim_start();
            if let Some(rest) = body
                .strip_prefix(MARKER)
                .filter(|r| r.is_empty() || r.starts_with([' ', '\t']))
            {
                let rest = rest.trim();
                let (pattern, reason) = match rest.split_once(char::is_whitespace) {
                    Some((p, r)) => (p, Some(r.trim()).filter(|r| !r.is_empty())),
                    None => (rest, None),
                };
                if !pattern.is_empty() {
                    let start = offset + at;
                    out.push(LineSuppression {
                        line: i + 1,
                        pattern: pattern.to_owned(),
                        reason: reason.map(str::to_owned),
                        span: Span::new(start, start + 1 + comment.len()),
                    });
                }
            }
        }
        offset += line.len();
    }
    out
}

/// The byte index of the `#` that starts a YAML comment on this line, if any: at the start
/// of the line or after white space, and outside quoted text.
pub(super) fn comment_start(line: &str) -> Option<usize> {
    let (mut single, mut double, mut escaped) = (false, false, false);
    let mut previous = ' ';
    for (i, c) in line.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if double => escaped = true,
            '"' if !single => double = !double,
            '\'' if !double => single = !single,
            '#' if !single && !double && previous.is_whitespace() => return Some(i),
            _ => {}
        }
        previous = c;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_comments_not_hashes_in_values() {
        let s = Source::new("a.yaml", "a: 1 # rempart:ignore images/latest-tag pinned by CD\nb: \"x # rempart:ignore y z\"\n# rempart:ignore pod-security/\nc: 'it''s # not' # rempart:ignorex foo bar\n");
        let found = read(&s);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(
            (found[0].line, found[0].pattern.as_str(), found[0].reason.as_deref()),
            (1, "images/latest-tag", Some("pinned by CD"))
        );
        assert_eq!(
            (found[1].line, found[1].pattern.as_str(), found[1].reason.as_deref()),
            (3, "pod-security/", None)
        );
        assert_eq!(
            s.text.get(found[0].span.start..found[0].span.end),
            Some("# rempart:ignore images/latest-tag pinned by CD")
        );
    }
}
