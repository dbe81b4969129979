#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
//! A user's policy files use the built-in definitions and fixtures, and their own from
//! another file, with or without the built-in policies loaded.

use rempart::engine::PolicyText;
use rempart::{Engine, Options, Source};

const DEFINITIONS: &str = "define:\n  audit-to-file: {flag: --audit-log-path, present: true}\nfixtures:\n  quiet-apiserver: {fixture: hardened-apiserver, without: [--audit-log-path]}\n";
const POLICY: &str = "id: my/audit-file\ntitle: API server without an audit file\nseverity: low\ndocs: {why: w, fix: f}\nmatch: {pods: true}\nrules:\n  - each: containers\n    when: {use: kube-apiserver}\n    deny: {not: {use: audit-to-file}}\n    message: no audit file\ntests:\n  pass: [{fixture: hardened-apiserver}, {fixture: hosted-apiserver}]\n  fail: [{fixture: quiet-apiserver, path: /spec/containers/0/command}, {fixture: hosted-apiserver, without: [--audit-log-path]}]\n";

/// The definitions file and a policy file, with or without the built-in policies.
fn options(builtin: bool, policy: String) -> Options {
    Options {
        builtin,
        policies: vec![
            PolicyText {
                name: "defs.yaml".into(),
                text: DEFINITIONS.into(),
            },
            PolicyText {
                name: "policy.yaml".into(),
                text: policy,
            },
        ],
        ..Options::default()
    }
}

#[test]
fn user_policies_use_builtin_and_their_own_definitions() {
    for builtin in [false, true] {
        let engine = Engine::new(&options(builtin, POLICY.into())).unwrap_or_else(|e| panic!("{e}"));
        assert!(engine.policy("my/audit-file").is_some());
        assert!(engine.policy("defs").is_none());
        let (failures, count) = rempart::run_policy_tests(&engine);
        assert!(failures.is_empty(), "{failures:?}");
        assert!(count >= 4);
        let wrapped = "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n  - name: a\n    image: x:1\n    command: [sh, -c, 'exec kube-apiserver --secure-port=6443']\n";
        let report = engine.scan(&[Source::new("p.yaml", wrapped)]);
        assert!(
            report.findings.iter().any(|f| f.policy == "my/audit-file"),
            "{:?}",
            report.findings
        );
    }
}

#[test]
fn a_policy_that_names_an_unknown_definition_or_fixture_is_a_positioned_error() {
    let text = POLICY
        .replace("{use: audit-to-file}", "{use: audit-to-fle}")
        .replace("fixture: quiet-apiserver", "fixture: quiet-apiservr");
    let err = Engine::new(&options(false, text)).unwrap_err().to_string();
    assert!(
        err.contains("policy.yaml:9:23: no definition `audit-to-fle`; did you mean `audit-to-file`?"),
        "{err}"
    );
    assert!(
        err.contains("policy.yaml:13:20: no fixture `quiet-apiservr`; did you mean `quiet-apiserver`?"),
        "{err}"
    );
}
