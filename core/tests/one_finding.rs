#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
//! One root cause, one finding: cases where several fields or objects express the same risk
//! are reported once, by the whole engine (every built-in policy on), not only by the policy
//! that owns them.

use rempart::{Engine, Options, Source};

/// The findings of `policy` when `text` is scanned with every built-in policy: (pointer, message).
fn findings(text: &str, policy: &str) -> Vec<(String, String)> {
    let engine = Engine::new(&Options::default()).unwrap_or_else(|e| panic!("{e}"));
    let report = engine.scan_source(&Source::new("case.yaml", text));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    report
        .findings
        .iter()
        .filter(|f| f.policy == policy)
        .map(|f| (f.path.clone(), f.message.clone()))
        .collect()
}

#[test]
fn a_wildcard_rule_is_one_finding() {
    let text = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: star}\nrules:\n- apiGroups: ['*']\n  resources: ['*']\n  verbs: ['*']\n";
    let found = findings(text, "identity/rbac-wildcard");
    assert_eq!(found.len(), 1, "{found:?}");
    let (path, message) = &found[0];
    assert_eq!(path, "/rules/0/verbs/0");
    for granted in [
        "escalate",
        "bind",
        "impersonate",
        "certificate requests",
        "admission webhooks",
        "Secret",
    ] {
        assert!(message.contains(granted), "{message}");
    }
    // Reading Secrets through `resources: ['*']` is part of the wildcard's finding.
    assert!(findings(text, "identity/secrets-read").is_empty());
}

#[test]
fn each_wildcard_rule_of_a_role_is_one_finding() {
    let text = "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r}\nrules:\n- apiGroups: ['']\n  resources: ['*']\n  verbs: ['*']\n- apiGroups: ['*']\n  resources: [pods]\n  verbs: [get]\n";
    let found = findings(text, "identity/rbac-wildcard");
    let paths: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(paths, ["/rules/0/verbs/0", "/rules/1/apiGroups/0"], "{found:?}");
}

#[test]
fn a_token_mount_is_reported_on_the_object_that_decides_it() {
    let text = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: app}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      serviceAccountName: app\n      containers: [{name: a, image: 'x:1'}]\n";
    let found = findings(text, "identity/automount-service-account-token");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].1.contains("service account `app`"), "{found:?}");
}

#[test]
fn a_root_user_and_group_are_one_finding() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: root}\nspec:\n  containers:\n  - name: a\n    image: 'x:1'\n    securityContext: {runAsUser: 0, runAsGroup: 0}\n";
    let root = findings(text, "pod-security/restricted/run-as-user");
    assert_eq!(root.len(), 1, "{root:?}");
    assert!(findings(text, "workload/low-user-id").is_empty());
    let low = "apiVersion: v1\nkind: Pod\nmetadata: {name: low}\nspec:\n  containers:\n  - name: a\n    image: 'x:1'\n    securityContext: {runAsUser: 1000, runAsGroup: 1000}\n";
    let found = findings(low, "workload/low-user-id");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "/spec/containers/0/securityContext/runAsUser");
}
