#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
//! One root cause, one finding: cases where several fields or objects express the same risk
//! are reported once, by the whole engine (every built-in policy on), not only by the policy
//! that owns them.

use rempart::{Engine, Options, Source};

mod common;

/// The findings of `policy` when `text` is scanned with every built-in policy: (pointer, message).
fn findings(text: &str, policy: &str) -> Vec<(String, String)> {
    common::findings_of(text, policy)
        .iter()
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

const ACCOUNT: &str = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: app}\n";
const OPTED_OUT: &str =
    "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: app}\nautomountServiceAccountToken: false\n";
const WORKLOAD: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      serviceAccountName: app\n      containers: [{name: a, image: 'x:1'}]\n";
const TOKEN: &str = "identity/automount-service-account-token";

/// (file, pointer) of the token findings.
fn token_places(report: &rempart::Report) -> Vec<(String, String)> {
    report
        .findings
        .iter()
        .filter(|f| f.policy == TOKEN)
        .map(|f| (f.file.clone(), f.path.clone()))
        .collect()
}

#[test]
fn a_pod_whose_service_account_is_not_scanned_is_flagged() {
    let found = findings(WORKLOAD, TOKEN);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "/spec/template/spec/serviceAccountName");
    assert!(
        found[0].1.contains("service account `app`, which is not in the scan"),
        "{found:?}"
    );
    // The opted-out account in the same scan covers the pod: nothing at all.
    assert!(findings(&format!("{OPTED_OUT}---\n{WORKLOAD}"), TOKEN).is_empty());
    // An account of the same name in another namespace does not.
    let other = OPTED_OUT.replace("{name: app}", "{name: app, namespace: other}");
    assert_eq!(findings(&format!("{other}---\n{WORKLOAD}"), TOKEN).len(), 1);
}

#[test]
fn the_service_account_is_found_in_another_file_by_every_entry_point() {
    let engine = Engine::new(&Options::default()).unwrap();
    let want = vec![("sa.yaml".to_owned(), String::new())];
    // Rust: a set of sources.
    let sources = [Source::new("sa.yaml", ACCOUNT), Source::new("app.yaml", WORKLOAD)];
    assert_eq!(token_places(&engine.scan(&sources)), want);
    // Python and WebAssembly: `scan` of texts.
    let inputs: Vec<rempart::ffi::Input> = sources
        .iter()
        .map(|s| rempart::ffi::Input {
            filename: s.name.clone(),
            text: s.text.clone(),
        })
        .collect();
    assert_eq!(token_places(&rempart::ffi::scan(&engine, &inputs)), want);
    // The CLI: files on disk, read one at a time.
    let dir = std::env::temp_dir().join(format!("rempart-lookup-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("sa.yaml"), ACCOUNT).unwrap();
    std::fs::write(dir.join("app.yaml"), WORKLOAD).unwrap();
    let mut places = Vec::new();
    let paths = [dir.display().to_string()];
    rempart::files::scan_paths(&engine, &paths, &[], "", |r: &mut rempart::Report, _| {
        places.extend(r.findings.iter().filter(|f| f.policy == TOKEN).map(|f| f.path.clone()));
        Ok::<(), ()>(())
    })
    .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(places, [""]);
}

#[test]
fn the_editor_follows_the_service_account_across_edits() {
    let engine = Engine::new(&Options::default()).unwrap();
    let mut cache = rempart::engine::EditorCache::default();
    let mut paths = |text: &str| -> Vec<String> {
        let cached = rempart::ffi::evaluate_for_editor_with(&engine, &mut cache, "e.yaml", text);
        let fresh = rempart::ffi::evaluate_for_editor(&engine, "e.yaml", text);
        let get = |r: &rempart::ffi::EditorReport| -> Vec<String> {
            r.findings
                .iter()
                .filter(|f| f.finding.policy == TOKEN)
                .map(|f| f.finding.path.clone())
                .collect()
        };
        assert_eq!(get(&cached), get(&fresh), "the cache changed the findings of {text}");
        get(&cached)
    };
    assert!(paths(&format!("{OPTED_OUT}---\n{WORKLOAD}")).is_empty());
    // The account no longer opts out: one finding, on it; the unchanged pod stays clean.
    assert_eq!(paths(&format!("{ACCOUNT}---\n{WORKLOAD}")), [""]);
    // The account is gone: the unchanged pod is flagged now.
    assert_eq!(paths(WORKLOAD), ["/spec/template/spec/serviceAccountName"]);
    assert!(paths(&format!("{OPTED_OUT}---\n{WORKLOAD}")).is_empty());
}

#[test]
fn the_pre_pass_runs_only_for_policies_that_look_up() {
    let policy = |rule: &str| {
        rempart::PolicyText {
        name: "p.yaml".into(),
        text: format!("id: t/x\ntitle: t\nseverity: low\ncategory: c\ndocs: {{why: w, fix: f}}\nmatch: {{pods: true}}\nrules:\n  - deny: {rule}\n    message: 'm {{value}}'\ntests:\n  pass: [{{documents: [{{apiVersion: v1, kind: ServiceAccount, metadata: {{name: x}}}}, {{apiVersion: v1, kind: Pod, metadata: {{name: p}}, spec: {{serviceAccountName: x}}}}]}}]\n  fail: [{{apiVersion: v1, kind: Pod, metadata: {{name: p}}, spec: {{serviceAccountName: x}}}}]\n"),
    }
    };
    let engine = |rule: &str| {
        let options = Options {
            builtin: false,
            policies: vec![policy(rule)],
            ..Options::default()
        };
        Engine::new(&options).unwrap_or_else(|e| panic!("{e}"))
    };
    assert!(!engine("{path: spec.serviceAccountName, present: true}").needs_context());
    let looks = engine("{not: {lookup: {kind: core/ServiceAccount, name: spec.serviceAccountName}}}");
    assert!(looks.needs_context());
    assert!(Engine::new(&Options::default()).unwrap().needs_context());
    // Its own examples: `x` is in the set (pass); `x` is not in the scan (fail).
    let (failures, count) = rempart::run_policy_tests(&looks);
    assert_eq!((failures, count), (Vec::new(), 2));
}

#[test]
fn lookup_mistakes_are_positioned() {
    let text = "id: t/x\ntitle: t\nseverity: low\ncategory: c\ndocs: {why: w, fix: f}\nmatch: {pods: true}\nrules:\n  - deny: {lookup: {kind: '*', nam: spec.x}}\n    message: m\ntests: {pass: [{kind: Pod}], fail: [{documents: [], path: /spec}]}\n";
    let options = Options {
        builtin: false,
        policies: vec![rempart::PolicyText {
            name: "p.yaml".into(),
            text: text.into(),
        }],
        ..Options::default()
    };
    let all = Engine::new(&options).unwrap_err().to_string();
    assert!(
        all.contains("p.yaml:8:32: unknown field `nam` in `lookup`; did you mean `name`?"),
        "{all}"
    );
    assert!(all.contains("p.yaml:8:27: `lookup` needs one kind"), "{all}");
    assert!(all.contains("`documents` takes a non-empty list"), "{all}");
}

#[test]
fn a_service_account_kind_written_with_escapes_is_found() {
    // The account is in the scan (its own finding covers the pod), though its text never
    // spells `ServiceAccount`.
    let yaml = "apiVersion: v1\nkind: \"Servic\\u0065Account\"\nmetadata: {name: app}\n";
    let json = r#"{"apiVersion": "v1", "kind": "Servic\u0065Account", "metadata": {"name": "app"}}"#;
    for account in [yaml, json] {
        let found = findings(&format!("{account}\n---\n{WORKLOAD}"), TOKEN);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "", "{found:?}");
    }
}

/// The documented form: a namespace path, a name bound for `where`, and set examples.
#[test]
fn a_lookup_with_a_namespace_and_a_condition_runs_its_examples() {
    let text = r#"id: t/binding-subject
title: t
severity: low
category: c
docs: {why: w, fix: f}
match: {kinds: [rbac.authorization.k8s.io/RoleBinding]}
rules:
  - each: {path: 'subjects[*]', as: subject}
    when: {path: subject.kind, equals: ServiceAccount}
    deny:
      not:
        lookup:
          kind: core/ServiceAccount
          name: subject.name
          namespace: subject.namespace
          as: account
          where: {path: account.automountServiceAccountToken, equals: false}
    message: "service account `{value}` is not in the scan or mounts its token"
tests:
  pass:
    - documents:
        - {apiVersion: v1, kind: ServiceAccount, metadata: {name: ci, namespace: tools}, automountServiceAccountToken: false}
        - {apiVersion: rbac.authorization.k8s.io/v1, kind: RoleBinding, metadata: {name: b, namespace: web}, roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}, subjects: [{kind: ServiceAccount, name: ci, namespace: tools}]}
  fail:
    - documents:
        - {apiVersion: v1, kind: ServiceAccount, metadata: {name: ci, namespace: tools}}
        - {apiVersion: rbac.authorization.k8s.io/v1, kind: RoleBinding, metadata: {name: b, namespace: web}, roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}, subjects: [{kind: ServiceAccount, name: ci, namespace: tools}]}
      document: 1
      path: /subjects/0/name
    - documents:
        - {apiVersion: v1, kind: ServiceAccount, metadata: {name: ci, namespace: web}, automountServiceAccountToken: false}
        - {apiVersion: rbac.authorization.k8s.io/v1, kind: RoleBinding, metadata: {name: b, namespace: web}, roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}, subjects: [{kind: ServiceAccount, name: ci, namespace: tools}]}
      document: 1
      path: /subjects/0/name
"#;
    let options = Options {
        builtin: false,
        policies: vec![rempart::PolicyText {
            name: "p.yaml".into(),
            text: text.into(),
        }],
        ..Options::default()
    };
    let engine = Engine::new(&options).unwrap_or_else(|e| panic!("{e}"));
    let (failures, count) = rempart::run_policy_tests(&engine);
    assert_eq!((failures, count), (Vec::new(), 3));
    // `as` without `where` is a mistake.
    let stray = text.replace(
        "          where: {path: account.automountServiceAccountToken, equals: false}\n",
        "",
    );
    let options = Options {
        builtin: false,
        policies: vec![rempart::PolicyText {
            name: "p.yaml".into(),
            text: stray,
        }],
        ..Options::default()
    };
    let all = Engine::new(&options).unwrap_err().to_string();
    assert!(
        all.contains("p.yaml:16:15: `as` names the found object for `where`"),
        "{all}"
    );
}

/// A `lookup` written in a definition indexes its kind for every policy that uses it: the
/// same examples pass and fail as when the lookup is written in the policy.
#[test]
fn a_lookup_inside_a_definition_is_indexed_for_the_policy() {
    let text = "define:\n  account-missing: {not: {lookup: {kind: core/ServiceAccount, name: spec.serviceAccountName}}}\n---\nid: t/x\ntitle: t\nseverity: low\ncategory: c\ndocs: {why: w, fix: f}\nmatch: {pods: true}\nrules:\n  - deny: {use: account-missing}\n    message: 'm {value}'\ntests:\n  pass: [{documents: [{apiVersion: v1, kind: ServiceAccount, metadata: {name: x}}, {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {serviceAccountName: x}}], document: 1}]\n  fail: [{apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {serviceAccountName: x}}]\n";
    let options = Options {
        builtin: false,
        policies: vec![rempart::PolicyText {
            name: "p.yaml".into(),
            text: text.into(),
        }],
        ..Options::default()
    };
    let engine = Engine::new(&options).unwrap_or_else(|e| panic!("{e}"));
    assert!(engine.needs_context());
    let (failures, count) = rempart::run_policy_tests(&engine);
    assert_eq!((failures, count), (Vec::new(), 2));
}
