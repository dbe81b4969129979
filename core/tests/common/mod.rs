//! Helpers shared by the integration tests.
#![allow(dead_code, clippy::panic)]

use rempart::{Engine, Finding, Options, Source};

/// The findings of `policy` when `text` is scanned with every built-in policy; the scan must
/// have no error.
pub fn findings_of(text: &str, policy: &str) -> Vec<Finding> {
    let engine = Engine::new(&Options::default()).unwrap_or_else(|e| panic!("{e}"));
    let report = engine.scan_source(&Source::new("case.yaml", text));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    report.findings.into_iter().filter(|f| f.policy == policy).collect()
}
