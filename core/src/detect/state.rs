//! What detection remembers between events, bounded: the requests already alerted on (one
//! alert per rule per `auditID` across the stages of a request), and the sliding windows of
//! aggregating rules.

use std::collections::{HashMap, HashSet};

/// Microseconds since 1970-01-01T00:00:00Z of an RFC 3339 time (`2024-05-01T10:00:00.123456Z`,
/// any fraction, `Z` or an offset); `None` when the text is not one.
pub fn parse_time(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = text.get(from..from + len)?;
        if !part.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    let sep = |at: usize, want: &[u8]| b.get(at).is_some_and(|c| want.contains(c));
    if !(sep(4, b"-") && sep(7, b"-") && sep(10, b"Tt ") && sep(13, b":") && sep(16, b":")) {
        return None;
    }
    let (y, mo, d, h, mi, s) = (
        num(0, 4)?,
        num(5, 2)?,
        num(8, 2)?,
        num(11, 2)?,
        num(14, 2)?,
        num(17, 2)?,
    );
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let mut at = 19;
    let mut micros = 0i64;
    if b.get(at) == Some(&b'.') {
        at += 1;
        let mut digits = 0;
        while let Some(c) = b.get(at).filter(|c| c.is_ascii_digit()) {
            if digits < 6 {
                micros = micros * 10 + i64::from(c - b'0');
            }
            digits += 1;
            at += 1;
        }
        if digits == 0 {
            return None;
        }
        for _ in digits..6 {
            micros *= 10;
        }
    }
    let offset = match b.get(at) {
        Some(b'Z' | b'z') if at + 1 == b.len() => 0,
        Some(sign @ (b'+' | b'-')) if at + 6 == b.len() && sep(at + 3, b":") => {
            let minutes = num(at + 1, 2)? * 60 + num(at + 4, 2)?;
            if *sign == b'+' {
                minutes
            } else {
                -minutes
            }
        }
        _ => return None,
    };
    // Days from the civil date (proleptic Gregorian).
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let seconds = days * 86_400 + h * 3_600 + mi * 60 + s - offset * 60;
    Some(seconds * 1_000_000 + micros)
}

/// The (request, rule) pairs already alerted on, in two generations: the current one is
/// retired when it holds [`Seen::GENERATION`] pairs or an hour of event time has passed since
/// it began, so a pair is remembered for at least that long (or that many alerts) and
/// memory stays bounded.
#[derive(Debug, Default)]
pub struct Seen {
    current: HashSet<(Box<str>, usize)>,
    previous: HashSet<(Box<str>, usize)>,
    began: Option<i64>,
}

impl Seen {
    /// Most pairs held by one generation.
    pub const GENERATION: usize = 200_000;
    const SPAN: i64 = 3_600_000_000;

    /// Records the pair; false when it was already there.
    pub fn first(&mut self, audit_id: &str, rule: usize, now: Option<i64>) -> bool {
        if let Some(now) = now {
            let began = *self.began.get_or_insert(now);
            if now - began > Self::SPAN {
                self.rotate(now);
            }
        }
        if self.current.len() >= Self::GENERATION {
            self.rotate(now.unwrap_or_default());
        }
        let key = (Box::from(audit_id), rule);
        if self.previous.contains(&key) {
            return false;
        }
        self.current.insert(key)
    }

    fn rotate(&mut self, now: i64) {
        self.previous = std::mem::take(&mut self.current);
        self.began = Some(now);
    }

    /// How many pairs are remembered.
    pub fn remembered(&self) -> usize {
        self.current.len() + self.previous.len()
    }
}

/// One key's recent matches of an aggregating rule.
#[derive(Debug, Default)]
struct Window {
    /// Times (and distinct values) of the matches, oldest first.
    hits: Vec<(i64, Option<String>)>,
    /// After an alert: no other alert for this key until a window without matches passes.
    quiet_until: Option<i64>,
    newest: i64,
}

/// What crossing a threshold gives: how many matches (or distinct values), and the time of
/// the first of them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Crossing {
    /// Matches (or distinct values) in the window.
    pub count: usize,
    /// Microseconds since the epoch of the window's first match.
    pub first: i64,
}

/// The windows of one aggregating rule, by key.
#[derive(Debug, Default)]
pub struct Windows {
    keys: HashMap<Vec<String>, Window>,
    /// The newest event time seen by this rule.
    latest: i64,
    added: usize,
}

impl Windows {
    /// Most keys kept for one rule; past it, the keys whose newest match is oldest are dropped.
    pub const MAX_KEYS: usize = 100_000;

    /// Counts a match at `time` (microseconds) under `key`; returns the crossing when this
    /// match brings some window of `window` microseconds to `count`.
    pub fn add(
        &mut self,
        key: Vec<String>,
        time: i64,
        distinct: Option<String>,
        window: i64,
        count: usize,
    ) -> Option<Crossing> {
        self.latest = self.latest.max(time);
        self.added += 1;
        if self.added % 4096 == 0 || self.keys.len() >= Self::MAX_KEYS {
            self.sweep(window);
        }
        let w = self.keys.entry(key).or_default();
        w.newest = w.newest.max(time);
        if let Some(q) = w.quiet_until {
            if time <= q {
                w.quiet_until = Some(q.max(time.saturating_add(window)));
                return None;
            }
            w.quiet_until = None;
        }
        match distinct {
            // One entry per distinct value, at its latest time.
            Some(d) => match w.hits.iter().position(|(_, v)| v.as_deref() == Some(d.as_str())) {
                Some(i) => {
                    let t = w.hits.remove(i).0.max(time);
                    let at = w.hits.partition_point(|(u, _)| *u <= t);
                    w.hits.insert(at, (t, Some(d)));
                }
                None => {
                    let at = w.hits.partition_point(|(u, _)| *u <= time);
                    w.hits.insert(at, (time, Some(d)));
                }
            },
            None => {
                let at = w.hits.partition_point(|(u, _)| *u <= time);
                w.hits.insert(at, (time, None));
            }
        }
        // Matches older than a window before the newest can no longer share a window with it.
        let horizon = w.newest.saturating_sub(window);
        let old = w.hits.partition_point(|(u, _)| *u < horizon);
        w.hits.drain(..old);
        // The fullest window that holds this match: windows [t, t + window] starting at each hit.
        let mut best: Option<(usize, i64, i64)> = None;
        let mut end = 0;
        for (i, (start, _)) in w.hits.iter().enumerate() {
            end = end.max(i);
            while w
                .hits
                .get(end + 1)
                .is_some_and(|(u, _)| *u <= start.saturating_add(window))
            {
                end += 1;
            }
            let last = w.hits.get(end).map_or(*start, |h| h.0);
            let n = end + 1 - i;
            if *start <= time && time <= last && best.is_none_or(|b| n > b.0) {
                best = Some((n, *start, last));
            }
        }
        let (n, first, last) = best?;
        if n < count {
            return None;
        }
        w.hits.clear();
        w.quiet_until = Some(last.saturating_add(window));
        Some(Crossing { count: n, first })
    }

    /// Drops the keys that no longer hold a match within a window of the newest time, then,
    /// past [`Windows::MAX_KEYS`], the least recent half.
    fn sweep(&mut self, window: i64) {
        let horizon = self.latest.saturating_sub(window);
        self.keys
            .retain(|_, w| w.newest >= horizon || w.quiet_until.is_some_and(|q| q >= self.latest));
        if self.keys.len() >= Self::MAX_KEYS {
            let mut newest: Vec<i64> = self.keys.values().map(|w| w.newest).collect();
            newest.sort_unstable();
            let cut = newest.get(newest.len() / 2).copied().unwrap_or_default();
            self.keys.retain(|_, w| w.newest > cut);
        }
    }

    /// How many keys have a window.
    pub fn keys(&self) -> usize {
        self.keys.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000_000;

    #[test]
    fn times() {
        assert_eq!(parse_time("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_time("1970-01-01T00:00:01.5Z"), Some(1_500_000));
        assert_eq!(parse_time("2024-03-01T00:00:00.000001Z"), Some(1_709_251_200_000_001));
        assert_eq!(parse_time("2024-03-01T01:00:00+01:00"), Some(1_709_251_200_000_000));
        for bad in [
            "",
            "2024-03-01",
            "2024-13-01T00:00:00Z",
            "2024-03-01T00:00:00",
            "2024-03-01T00:00:00.Z",
        ] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_window_alerts_once_at_its_threshold_even_out_of_order() {
        let mut w = Windows::default();
        let key = || vec!["alice".to_owned()];
        // Times 0, 9, 3 (late), 5 minutes: the third match inside 10 minutes crosses.
        assert_eq!(w.add(key(), 0, None, 10 * MIN, 3), None);
        assert_eq!(w.add(key(), 9 * MIN, None, 10 * MIN, 3), None);
        assert_eq!(
            w.add(key(), 3 * MIN, None, 10 * MIN, 3),
            Some(Crossing { count: 3, first: 0 })
        );
        // Quiet while matches go on, then a new incident after a quiet window.
        assert_eq!(w.add(key(), 12 * MIN, None, 10 * MIN, 3), None);
        for t in [40, 41] {
            assert_eq!(w.add(key(), t * MIN, None, 10 * MIN, 3), None);
        }
        assert!(w.add(key(), 42 * MIN, None, 10 * MIN, 3).is_some());
        // Spread wider than the window: never.
        let other = || vec!["bob".to_owned()];
        for t in [0, 11, 22, 33] {
            assert_eq!(w.add(other(), t * MIN, None, 10 * MIN, 2), None);
        }
    }

    #[test]
    fn distinct_values_count_once() {
        let mut w = Windows::default();
        let key = || vec!["alice".to_owned()];
        for t in 0..5 {
            assert_eq!(w.add(key(), t * MIN, Some("same".into()), 10 * MIN, 3), None);
        }
        assert_eq!(w.add(key(), 6 * MIN, Some("b".into()), 10 * MIN, 3), None);
        assert!(w.add(key(), 7 * MIN, Some("c".into()), 10 * MIN, 3).is_some());
    }

    #[test]
    fn state_stays_bounded() {
        let mut w = Windows::default();
        for i in 0..(3 * Windows::MAX_KEYS as i64) {
            w.add(vec![i.to_string()], i * 1_000_000, None, MIN, 5);
        }
        assert!(w.keys() <= Windows::MAX_KEYS);
        let mut seen = Seen::default();
        for i in 0..(3 * Seen::GENERATION) {
            assert!(seen.first(&i.to_string(), 0, None));
        }
        assert!(seen.remembered() <= 2 * Seen::GENERATION);
        assert!(!seen.first(&(3 * Seen::GENERATION - 1).to_string(), 0, None));
    }
}
