#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
//! What the language reads in audit events: the request's object (whole, merge patch, JSON
//! patch) and its pod, query parameters, address classes, and shared parameters set by the
//! options; mistakes in them are positioned errors.

use rempart::engine::PolicyText;
use rempart::{Engine, Options, Source};

fn engine_with(policy: &str, params: &[(&str, &str, serde_json::Value)]) -> Result<Engine, String> {
    let mut options = Options {
        builtin: false,
        policies: vec![PolicyText {
            name: "policy.yaml".into(),
            text: policy.into(),
        }],
        ..Options::default()
    };
    for (id, name, value) in params {
        options
            .params
            .entry((*id).to_owned())
            .or_default()
            .insert((*name).to_owned(), value.clone());
    }
    Engine::new(&options).map_err(|e| e.to_string())
}

const EVENT: &str = r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "stage": "ResponseComplete", "verb": "VERB",
 "user": {"username": "mallory", "groups": ["system:authenticated"]}, "sourceIPs": ["10.0.0.9", "203.0.113.8"],
 "requestURI": "/api/v1/namespaces/web/pods/api/exec?command=tar&command=cf&command=-&command=%2Fetc",
 "objectRef": {"resource": "deployments", "namespace": "web", "name": "api", "apiGroup": "apps"},
 "responseStatus": {"code": 200}, "requestObject": OBJECT}"#;

fn event(verb: &str, object: &str) -> Source {
    Source::new("audit.json", EVENT.replace("VERB", verb).replace("OBJECT", object))
}

const POD_POLICY: &str = "id: my/host-pid\ntitle: t\nseverity: high\ndocs: {why: w, fix: f}\nmatch: {kinds: [audit.k8s.io/Event], requestObject: pods}\nrules:\n  - deny: {path: spec.hostPID, equals: true}\n    message: \"`{object.user.username}` sets hostPID\"\n  - each: containers\n    deny: {path: securityContext.privileged, equals: true}\n    message: \"privileged `{container.name}`\"\ntests:\n  pass: [{kind: Event, apiVersion: audit.k8s.io/v1, verb: get}]\n  fail: [{kind: Event, apiVersion: audit.k8s.io/v1, verb: create, requestObject: {kind: Pod, apiVersion: v1, spec: {hostPID: true}}}]\n";

#[test]
fn the_pod_of_a_request_is_judged_whole_or_from_a_patch_and_says_so() {
    let engine = engine_with(POD_POLICY, &[]).unwrap();
    let whole = r#"{"kind": "Deployment", "apiVersion": "apps/v1", "spec": {"template": {"spec": {"hostPID": true, "containers": [{"name": "a", "image": "x"}]}}}}"#;
    let report = engine.scan(&[event("create", whole)]);
    assert_eq!(report.findings.len(), 1, "{:?}", report.findings);
    assert_eq!(report.findings[0].path, "/requestObject/spec/template/spec/hostPID");
    assert_eq!(report.findings[0].message, "`mallory` sets hostPID");

    let merge = r#"{"spec": {"template": {"spec": {"hostPID": true}}}}"#;
    let report = engine.scan(&[event("patch", merge)]);
    assert_eq!(report.findings.len(), 1, "{:?}", report.findings);
    assert!(report.findings[0]
        .message
        .ends_with("(judged from the request's merge patch, which holds only the fields it changes)"));

    let json = r#"[{"op": "test", "path": "/spec/replicas", "value": 1},
      {"op": "add", "path": "/spec/template/spec/containers/0/securityContext", "value": {"privileged": true}},
      {"op": "remove", "path": "/spec/template/spec/hostPID"}]"#;
    let report = engine.scan(&[event("patch", json)]);
    assert_eq!(report.findings.len(), 1, "{:?}", report.findings);
    assert_eq!(report.findings[0].path, "/requestObject/1/value/privileged");
    assert!(
        report.findings[0].message.contains("JSON patch"),
        "{}",
        report.findings[0].message
    );

    // No request object, or an object that runs no pod: nothing to judge.
    assert!(engine.scan(&[event("get", "null")]).findings.is_empty());
    let secret = r#"{"kind": "Secret", "apiVersion": "v1", "spec": {"hostPID": true}}"#;
    assert!(engine.scan(&[event("create", secret)]).findings.is_empty());
}

const URI_POLICY: &str = "id: my/uri\ntitle: t\nseverity: high\ndocs: {why: w, fix: f}\nmatch: {kinds: [audit.k8s.io/Event]}\nrules:\n  - deny: {path: requestURI, query: command, equals: /etc}\n    message: \"reads `{value}`\"\n  - deny: {path: 'sourceIPs[*]', ipClass: [public]}\n    message: \"from `{value}`\"\n  - deny: {path: requestURI, query: container, present: false}\n    message: no container\ntests:\n  pass: [{kind: Event, apiVersion: audit.k8s.io/v1, requestURI: '/x?container=a'}]\n  fail: [{kind: Event, apiVersion: audit.k8s.io/v1, requestURI: /x}]\n";

#[test]
fn query_parameters_and_address_classes_are_read() {
    let engine = engine_with(URI_POLICY, &[]).unwrap();
    let report = engine.scan(&[event("create", "null")]);
    let messages: Vec<(&str, &str)> = report
        .findings
        .iter()
        .map(|f| (f.message.as_str(), f.path.as_str()))
        .collect();
    assert_eq!(
        messages,
        vec![
            ("from `203.0.113.8`", "/sourceIPs/1"),
            ("no container", "/requestURI"),
            ("reads `/etc`", "/requestURI")
        ]
    );
    assert!(rempart::run_policy_tests(&engine).0.is_empty());
}

const SHARED: &str = "params:\n  trustedUsers: {description: Users that raise nothing., default: ['^system:']}\ndefine:\n  trusted: {path: object.user.username, matches: {param: trustedUsers}}\n---\nid: my/any-request\ntitle: t\nseverity: low\ndocs: {why: w, fix: f}\nmatch: {kinds: [audit.k8s.io/Event]}\nunless: [{use: trusted}]\nrules:\n  - deny: {path: verb, present: true}\n    message: \"`{user.username}`\"\ntests:\n  pass: [{kind: Event, apiVersion: audit.k8s.io/v1, verb: get, user: {username: 'system:x'}}, {object: {kind: Event, apiVersion: audit.k8s.io/v1, verb: get, user: {username: bob}}, params: {trustedUsers: ['^bob$']}}]\n  fail: [{kind: Event, apiVersion: audit.k8s.io/v1, verb: get, user: {username: bob}}]\n";

#[test]
fn shared_parameters_belong_to_the_policies_that_read_them() {
    let engine = engine_with(SHARED, &[]).unwrap();
    let policy = engine.policy("my/any-request").unwrap();
    assert_eq!(policy.params.len(), 1);
    assert_eq!(policy.params[0].name, "trustedUsers");
    assert_eq!(policy.params[0].description, "Users that raise nothing.");
    let failures = rempart::run_policy_tests(&engine).0;
    assert!(failures.is_empty(), "{failures:?}");
    assert_eq!(engine.scan(&[event("get", "null")]).findings.len(), 1);

    // Set in the options for the policy, the value replaces the shared default.
    let trusting = engine_with(
        SHARED,
        &[("my/any-request", "trustedUsers", serde_json::json!(["^mallory$"]))],
    )
    .unwrap();
    assert!(trusting.scan(&[event("get", "null")]).findings.is_empty());
    assert_eq!(
        trusting.policy("my/any-request").unwrap().params[0].value,
        serde_json::json!(["^mallory$"])
    );
    // Set for the pack, it applies to every policy of the pack that has the parameter; the
    // policy's own value wins.
    let pack = engine_with(SHARED, &[("my/*", "trustedUsers", serde_json::json!(["^mallory$"]))]).unwrap();
    assert!(pack.scan(&[event("get", "null")]).findings.is_empty());
    let both = engine_with(
        SHARED,
        &[
            ("my", "trustedUsers", serde_json::json!(["^mallory$"])),
            ("my/any-request", "trustedUsers", serde_json::json!(["^bob$"])),
        ],
    )
    .unwrap();
    assert_eq!(both.scan(&[event("get", "null")]).findings.len(), 1);
    let err = engine_with(SHARED, &[("other/*", "trustedUsers", serde_json::json!([]))]).unwrap_err();
    assert!(err.contains("other/*"), "{err}");
    let err = engine_with(SHARED, &[("my/*", "trustedUser", serde_json::json!([]))]).unwrap_err();
    assert!(err.contains("did you mean `trustedUsers`?"), "{err}");
    // A value of the wrong type is a positioned error in the definition that reads it.
    let err = engine_with(SHARED, &[("my/any-request", "trustedUsers", serde_json::json!(3))]).unwrap_err();
    assert!(err.contains("policy.yaml:4:"), "{err}");
}

#[test]
fn mistakes_in_the_audit_additions_are_positioned() {
    let bad = URI_POLICY
        .replace("ipClass: [public]", "ipClass: [publik]")
        .replace("{path: requestURI, query: command", "{keys: requestURI, query: command");
    let err = engine_with(&bad, &[]).unwrap_err();
    assert!(
        err.contains("policy.yaml:9:43: `ipClass` takes classes among loopback, private, link-local, public, other"),
        "{err}"
    );
    assert!(
        err.contains("`query` reads a query parameter of the URI a `path` selects"),
        "{err}"
    );
    let bad = POD_POLICY.replace("requestObject: pods", "requestObject: pod");
    let err = engine_with(&bad, &[]).unwrap_err();
    assert!(err.contains("policy.yaml:5:53: `requestObject` is `true`"), "{err}");
    let bad = SHARED.replace("  trustedUsers:", "  trusted-users:");
    let err = engine_with(&bad, &[]).unwrap_err();
    assert!(err.contains("must be a word in camelCase"), "{err}");
}
