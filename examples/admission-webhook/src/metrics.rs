//! Counters and a latency histogram, written in the Prometheus text format.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];

#[derive(Debug, Default)]
pub struct Metrics {
    allowed: AtomicU64,
    denied: AtomicU64,
    /// Errors by reason (`bad_request`, `too_large`, `unsupported_media_type`, `timeout`, …).
    errors: Mutex<BTreeMap<&'static str, u64>>,
    denials: Mutex<BTreeMap<String, u64>>,
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
    reloads_ok: AtomicU64,
    reloads_failed: AtomicU64,
}

fn bump<K: Ord>(map: &Mutex<BTreeMap<K, u64>>, key: K) {
    if let Ok(mut m) = map.lock() {
        *m.entry(key).or_default() += 1;
    }
}

impl Metrics {
    /// A review answered: its decision, the policies that denied it and how long it took.
    pub fn review(&self, allowed: bool, denied_by: &[String], latency: Duration) {
        if allowed {
            self.allowed.fetch_add(1, Ordering::Relaxed);
        } else {
            self.denied.fetch_add(1, Ordering::Relaxed);
        }
        for id in denied_by {
            bump(&self.denials, id.clone());
        }
        self.latency(latency);
    }

    /// A request that got an error answer, by reason.
    pub fn error(&self, reason: &'static str, latency: Duration) {
        bump(&self.errors, reason);
        self.latency(latency);
    }

    pub fn reload(&self, ok: bool) {
        let counter = if ok { &self.reloads_ok } else { &self.reloads_failed };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    fn latency(&self, latency: Duration) {
        let secs = latency.as_secs_f64();
        for (bound, bucket) in BUCKETS.iter().zip(&self.buckets) {
            if secs <= *bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        self.sum_micros.fetch_add(micros, Ordering::Relaxed);
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        out.push_str("# HELP rempart_webhook_requests_total Admission reviews answered, by decision.\n");
        out.push_str("# TYPE rempart_webhook_requests_total counter\n");
        let _ = writeln!(
            out,
            "rempart_webhook_requests_total{{decision=\"allowed\"}} {}",
            load(&self.allowed)
        );
        let _ = writeln!(
            out,
            "rempart_webhook_requests_total{{decision=\"denied\"}} {}",
            load(&self.denied)
        );
        let errors = self.errors.lock().map(|m| m.clone()).unwrap_or_default();
        let total_errors: u64 = errors.values().sum();
        let _ = writeln!(
            out,
            "rempart_webhook_requests_total{{decision=\"error\"}} {total_errors}"
        );
        out.push_str("# HELP rempart_webhook_errors_total Requests answered with an error, by reason.\n");
        out.push_str("# TYPE rempart_webhook_errors_total counter\n");
        for (reason, n) in &errors {
            let _ = writeln!(out, "rempart_webhook_errors_total{{reason=\"{reason}\"}} {n}");
        }
        out.push_str("# HELP rempart_webhook_denials_total Denials, by policy id.\n");
        out.push_str("# TYPE rempart_webhook_denials_total counter\n");
        for (policy, n) in self.denials.lock().map(|m| m.clone()).unwrap_or_default() {
            let _ = writeln!(
                out,
                "rempart_webhook_denials_total{{policy=\"{}\"}} {n}",
                label(&policy)
            );
        }
        out.push_str("# HELP rempart_webhook_request_duration_seconds Time to answer a request.\n");
        out.push_str("# TYPE rempart_webhook_request_duration_seconds histogram\n");
        for (bound, bucket) in BUCKETS.iter().zip(&self.buckets) {
            let _ = writeln!(
                out,
                "rempart_webhook_request_duration_seconds_bucket{{le=\"{bound}\"}} {}",
                load(bucket)
            );
        }
        let count = load(&self.count);
        let _ = writeln!(
            out,
            "rempart_webhook_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        let sum = Duration::from_micros(load(&self.sum_micros)).as_secs_f64();
        let _ = writeln!(out, "rempart_webhook_request_duration_seconds_sum {sum}");
        let _ = writeln!(out, "rempart_webhook_request_duration_seconds_count {count}");
        out.push_str(
            "# HELP rempart_webhook_reloads_total Reloads of certificates, configuration and policies, by result.\n",
        );
        out.push_str("# TYPE rempart_webhook_reloads_total counter\n");
        let _ = writeln!(
            out,
            "rempart_webhook_reloads_total{{result=\"ok\"}} {}",
            load(&self.reloads_ok)
        );
        let _ = writeln!(
            out,
            "rempart_webhook_reloads_total{{result=\"failed\"}} {}",
            load(&self.reloads_failed)
        );
        out
    }
}

/// A label value escaped as the text format requires.
fn label(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_decisions_denials_and_latency() {
        let m = Metrics::default();
        m.review(
            false,
            &["pod-security/baseline/privileged".into()],
            Duration::from_micros(700),
        );
        m.review(true, &[], Duration::from_millis(3));
        m.error("too_large", Duration::from_micros(10));
        let text = m.render();
        assert!(
            text.contains("rempart_webhook_requests_total{decision=\"denied\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("rempart_webhook_requests_total{decision=\"error\"} 1"),
            "{text}"
        );
        assert!(text.contains("rempart_webhook_denials_total{policy=\"pod-security/baseline/privileged\"} 1"));
        assert!(
            text.contains("rempart_webhook_request_duration_seconds_bucket{le=\"0.001\"} 2"),
            "{text}"
        );
        assert!(
            text.contains("rempart_webhook_request_duration_seconds_count 3"),
            "{text}"
        );
    }
}
