//! `aggregate`: a rule over many events. A policy that carries it does not alert on each
//! matching audit event: its matches are counted per key (values of paths into the event)
//! within a sliding window of event time, and one alert is raised when the count reaches the
//! threshold. Evaluated by `rempart detect` (see `crate::detect`); a manifest scan never
//! runs such a policy.

use super::load::Loader;
use super::path::Path;
use crate::document::Node;

/// A compiled `aggregate`.
#[derive(Clone, Debug)]
pub struct Aggregate {
    /// The key: matches are counted apart for each combination of these values.
    pub by: Vec<Path>,
    /// The window, in microseconds of event time, and as written (`10m`).
    pub window: i64,
    /// The window as written (`10m`), for messages.
    pub window_text: String,
    /// Matches within one window that raise the alert.
    pub count: usize,
    /// When set, distinct values of this path are counted instead of matches.
    pub distinct: Option<Path>,
}

/// A test case's repetition of its documents: `repeat: {times: 10, every: 30s}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Repeat {
    /// How many times the documents are replayed.
    pub times: usize,
    /// Microseconds added to the event times of each copy.
    pub every: i64,
}

/// Most matches a window may need, and most keys listed in `by`.
const MAX_COUNT: usize = 100_000;
const MAX_KEYS: usize = 8;

/// Reads a duration written as Go writes them, units `h`, `m`, `s` (`90s`, `10m`, `1h30m`),
/// in microseconds; `None` for anything else, zero or more than 31 days.
pub fn parse_duration(text: &str) -> Option<i64> {
    let mut total: i64 = 0;
    let mut number = String::new();
    let mut units = 0;
    let mut chars = text.trim().chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit: i64 = match c {
            'h' => 3_600_000_000,
            'm' if chars.peek() == Some(&'s') => {
                chars.next();
                1_000
            }
            'm' => 60_000_000,
            's' => 1_000_000,
            _ => return None,
        };
        let n: i64 = number.parse().ok()?;
        number.clear();
        total = total.checked_add(n.checked_mul(unit)?)?;
        units += 1;
    }
    if !number.is_empty() || units == 0 || total <= 0 || total > 31 * 86_400_000_000 {
        return None;
    }
    Some(total)
}

impl Loader<'_, '_> {
    /// `aggregate: {by: [paths], window: 10m, count: 10, distinct: path}`.
    pub(crate) fn aggregate(&mut self, node: &Node) -> Option<Aggregate> {
        let f = self.fields(node, "`aggregate`", &["by", "window", "count", "distinct"])?;
        let errors = self.errors.len();
        let by_node = self.required(&f, node, "by", "`aggregate`");
        let by: Vec<Path> = by_node
            .map(|n| {
                let texts = self.strings(n, "a path");
                texts
                    .iter()
                    .filter_map(|t| match Path::parse(t, &[]) {
                        Ok(p) => Some(p),
                        Err(e) => {
                            self.error(n, e);
                            None
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        if let Some(n) = by_node {
            if by.is_empty() || by.len() > MAX_KEYS {
                self.error(
                    n,
                    format!("`by` lists 1 to {MAX_KEYS} paths into the event, like `[user.username]`"),
                );
            }
        }
        let window_node = self.required(&f, node, "window", "`aggregate`");
        let window_text = window_node.map(Node::display).unwrap_or_default();
        let window = window_node.and_then(|n| {
            let w = parse_duration(&window_text);
            if w.is_none() {
                self.error(
                    n,
                    format!(
                        "`window` is a duration such as `30s`, `10m` or `1h30m` (at most 31 days), not `{window_text}`"
                    ),
                );
            }
            w
        });
        let count = self.required(&f, node, "count", "`aggregate`").and_then(|n| {
            let c = n
                .as_f64()
                .filter(|c| c.fract() == 0.0 && *c >= 2.0 && *c <= MAX_COUNT as f64)
                .map(|c| c as usize);
            if c.is_none() {
                self.error(
                    n,
                    format!("`count` is a whole number from 2 to {MAX_COUNT}: the matches that raise the alert"),
                );
            }
            c
        });
        let distinct = f.get("distinct").and_then(|n| {
            let text = self.string(n, "`distinct`")?;
            match Path::parse(&text, &[]) {
                Ok(p) => Some(p),
                Err(e) => {
                    self.error(n, e);
                    None
                }
            }
        });
        if self.errors.len() > errors {
            return None;
        }
        Some(Aggregate {
            by,
            window: window?,
            window_text,
            count: count?,
            distinct,
        })
    }

    /// `repeat: {times: N, every: 30s}` of a test case.
    pub(crate) fn repeat(&mut self, node: &Node) -> Option<Repeat> {
        let f = self.fields(node, "`repeat`", &["times", "every"])?;
        let times = self.required(&f, node, "times", "`repeat`").and_then(|n| {
            let t = n
                .as_f64()
                .filter(|t| t.fract() == 0.0 && *t >= 1.0 && *t <= 1000.0)
                .map(|t| t as usize);
            if t.is_none() {
                self.error(n, "`times` is a whole number from 1 to 1000");
            }
            t
        })?;
        let every = match f.get("every") {
            Some(n) => {
                let e = parse_duration(&n.display());
                if e.is_none() {
                    self.error(n, "`every` is a duration such as `30s` or `1m`");
                }
                e?
            }
            None => 0,
        };
        Some(Repeat { times, every })
    }
}

#[cfg(test)]
mod tests {
    use super::parse_duration;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("10m"), Some(600_000_000));
        assert_eq!(parse_duration("1h30m"), Some(5_400_000_000));
        assert_eq!(parse_duration("250ms"), Some(250_000));
        for bad in ["", "10", "m", "-1m", "0s", "10d", "1m 2s", "40000h"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }
}
