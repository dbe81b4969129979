#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
//! The operators of the policy language that the built-in packs use least, each in a small
//! user policy whose passing and failing examples run (`policies/README.md`, "Operators").
//! `certificateOrganization` is tested by the examples of the `kubeconfig/` pack.

use rempart::engine::PolicyText;
use rempart::{Engine, Options};

/// A policy over a custom kind with one rule, a passing and a failing `spec`, and the pointer
/// the failing one must give.
fn policy(op: &str, deny: &str, pass: &str, fail: &str, at: &str) -> String {
    format!(
        "id: t/{op}\ntitle: t\nseverity: low\ndocs: {{why: w, fix: f}}\nmatch: {{kinds: [Widget]}}\n\
         rules:\n  - deny: {deny}\n    message: m\n\
         tests:\n  pass: [{{apiVersion: example.com/v1, kind: Widget, metadata: {{name: a}}, spec: {pass}}}]\n  \
         fail: [{{object: {{apiVersion: example.com/v1, kind: Widget, metadata: {{name: a}}, spec: {fail}}}, path: {at}}}]\n"
    )
}

#[test]
fn each_operator_passes_and_fails_its_examples() {
    let policies = [
        policy(
            "suffix",
            "{path: spec.host, suffix: [.internal, .local]}",
            "{host: example.com}",
            "{host: db.internal}",
            "/spec/host",
        ),
        policy(
            "not-in-path",
            "{path: 'spec.used', notInPath: 'spec.allowed[*]'}",
            "{allowed: [a, b], used: b}",
            "{allowed: [a, b], used: c}",
            "/spec/used",
        ),
        policy(
            "excludes",
            "{path: spec.plugins, excludes: Audit}",
            "{plugins: 'Audit,Quota'}",
            "{plugins: 'Quota'}",
            "/spec/plugins",
        ),
        policy(
            "excludes-list",
            "{path: spec.list, excludes: x}",
            "{list: [x, y]}",
            "{list: [y]}",
            "/spec/list",
        ),
        policy(
            "lte",
            "{path: spec.port, lte: 1024}",
            "{port: '8443'}",
            "{port: '0'}",
            "/spec/port",
        ),
        policy(
            "gte",
            "{path: spec.replicas, gte: 10}",
            "{replicas: 9}",
            "{replicas: 10}",
            "/spec/replicas",
        ),
        policy(
            "type",
            "{path: spec.value, type: string}",
            "{value: 3}",
            "{value: 'three'}",
            "/spec/value",
        ),
        policy(
            "type-integer",
            "{path: spec.value, type: integer}",
            "{value: 1.5}",
            "{value: 2}",
            "/spec/value",
        ),
    ];
    let options = Options {
        builtin: false,
        policies: policies
            .iter()
            .enumerate()
            .map(|(i, text)| PolicyText {
                name: format!("p{i}.yaml"),
                text: text.clone(),
            })
            .collect(),
        ..Options::default()
    };
    let engine = Engine::new(&options).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(engine.policies().len(), policies.len());
    let (failures, count) = rempart::run_policy_tests(&engine);
    assert!(failures.is_empty(), "{failures:#?}");
    assert_eq!(count, 2 * policies.len());
}

#[test]
fn an_operator_with_a_wrong_operand_is_a_positioned_error() {
    for (deny, message) in [
        ("{path: spec.x, type: text}", "type `text` is not one of"),
        ("{path: spec.x, lte: many}", "`lte` takes a number"),
        (
            "{path: spec.x, suffix: [1]}",
            "`suffix` takes a string or a list of strings",
        ),
    ] {
        let text = policy("bad", deny, "{x: 1}", "{x: 2}", "/spec/x");
        let options = Options {
            builtin: false,
            policies: vec![PolicyText {
                name: "bad.yaml".into(),
                text,
            }],
            ..Options::default()
        };
        let error = Engine::new(&options).unwrap_err().to_string();
        assert!(error.contains(message) && error.contains("bad.yaml:7:"), "{error}");
    }
}
