//! `rempart auth can-i` and `rempart auth who-can`: answers, exit codes and JSON.

mod common;

use common::Dir;
use serde_json::{json, Value};

const SET: &str = "apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: secret-reader, namespace: prod}
rules:
- apiGroups: [\"\"]
  resources: [secrets]
  verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ci-secrets, namespace: prod}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: secret-reader}
subjects:
- {kind: ServiceAccount, name: ci, namespace: tools}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: devs-edit, namespace: prod}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects:
- {kind: Group, name: devs}
";

fn dir(name: &str) -> Dir {
    let d = Dir::new(name);
    d.write("rbac/set.yaml", SET);
    d
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn can_i_says_yes_or_no_with_kubectl_exit_codes() {
    let d = dir("auth-yes-no");
    let sa = "system:serviceaccount:tools:ci";
    let cases: Vec<(Vec<&str>, &str, i32)> = vec![
        (vec!["get", "secrets", "-n", "prod", "--as", sa], "yes\n", 0),
        (vec!["get", "secret/db", "-n", "prod", "--as", sa], "yes\n", 0),
        (vec!["get", "secrets", "--as", sa], "no\n", 1),
        (vec!["get", "secrets", "-n", "dev", "--as", sa], "no\n", 1),
        (vec!["delete", "secrets", "-n", "prod", "--as", sa], "no\n", 1),
        // The default `edit` ClusterRole, aggregated: exec and deployments (by short name).
        (
            vec![
                "create",
                "po",
                "--subresource",
                "exec",
                "-n",
                "prod",
                "--as",
                "x",
                "--as-group",
                "devs",
            ],
            "yes\n",
            0,
        ),
        (
            vec!["create", "deploy", "-n", "prod", "--as", "x", "--as-group", "devs"],
            "yes\n",
            0,
        ),
        (
            vec![
                "create",
                "deployments",
                "--api-group",
                "",
                "-n",
                "prod",
                "--as",
                "x",
                "--as-group",
                "devs",
            ],
            "no\n",
            1,
        ),
        (
            vec![
                "create",
                "rolebindings",
                "-n",
                "prod",
                "--as",
                "x",
                "--as-group",
                "devs",
            ],
            "no\n",
            1,
        ),
        (vec!["get", "/healthz", "--as", "x"], "no\n", 1),
    ];
    for (args, expected, code) in cases {
        let mut all = vec!["auth", "can-i"];
        all.extend(&args);
        all.extend(["-f", "rbac"]);
        let o = d.run(&all);
        assert_eq!(
            (stdout(&o).as_str(), o.status.code()),
            (expected, Some(code)),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

#[test]
fn can_i_json_lists_every_grant_with_its_places() {
    let d = dir("auth-json");
    let o = d.run(&[
        "auth",
        "can-i",
        "get",
        "secrets",
        "-n",
        "prod",
        "--as",
        "u",
        "--as-group",
        "devs",
        "--format",
        "json",
        "-f",
        "rbac",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["allowed"], json!(true));
    let g = &v["grants"][0];
    assert_eq!(
        g["binding"],
        json!({"kind": "RoleBinding", "namespace": "prod", "name": "devs-edit", "file": "rbac/set.yaml", "line": 16, "column": 1, "path": ""})
    );
    assert_eq!(g["role"]["name"], json!("edit"));
    assert_eq!(g["rule"], json!(0));
    assert_eq!(g["from"]["name"], json!("system:aggregate-to-edit"));
    let o = d.run(&[
        "auth", "can-i", "get", "nodes", "--as", "u", "--format", "json", "-f", "rbac",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v, json!({"allowed": false, "grants": []}));
}

#[test]
fn who_can_lists_subjects_in_json_and_as_a_table() {
    let d = dir("auth-who");
    let o = d.run(&[
        "auth", "who-can", "list", "secrets", "-n", "prod", "--format", "json", "-f", "rbac",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let subjects: Vec<(String, String, Option<String>)> = v["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["kind"].as_str().unwrap().into(),
                s["name"].as_str().unwrap().into(),
                s["namespace"].as_str().map(Into::into),
            )
        })
        .collect();
    assert_eq!(
        subjects,
        [
            ("ServiceAccount".into(), "ci".into(), Some("tools".into())),
            ("Group".into(), "devs".into(), None)
        ]
    );
    assert_eq!(v["subjects"][0]["via"][0]["binding"]["name"], json!("ci-secrets"));
    assert_eq!(v["subjects"][0]["via"][0]["role"]["line"], json!(1));
    let o = d.run(&["auth", "who-can", "list", "secrets", "-n", "prod", "-f", "rbac"]);
    let text = stdout(&o);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("BINDING"), "{text}");
    assert!(
        lines[1].contains("RoleBinding/ci-secrets")
            && lines[1].contains("Role/secret-reader")
            && lines[1].ends_with("tools"),
        "{text}"
    );
    // Cluster-wide: no RoleBinding counts.
    let o = d.run(&["auth", "who-can", "list", "secrets", "--format", "json", "-f", "rbac"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v, json!({"subjects": []}));
}

#[test]
fn can_i_list_gives_the_effective_rules_with_their_origin() {
    let d = dir("auth-list");
    let o = d.run(&[
        "auth",
        "can-i",
        "--list",
        "--as",
        "system:serviceaccount:tools:ci",
        "-n",
        "prod",
        "--format",
        "json",
        "-f",
        "rbac",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["verbs"], json!(["get", "list"]));
    assert_eq!(v[0]["resources"], json!(["secrets"]));
    assert_eq!(v[0]["binding"]["name"], json!("ci-secrets"));
    assert_eq!(v[0]["rule"], json!(0));
    let o = d.run(&[
        "auth",
        "can-i",
        "--list",
        "--as",
        "system:serviceaccount:tools:ci",
        "-n",
        "prod",
        "-f",
        "rbac",
    ]);
    let text = stdout(&o);
    assert!(text.lines().nth(1).unwrap().starts_with("secrets "), "{text}");
}

#[test]
fn bad_requests_and_bad_input_are_clear_errors() {
    let d = dir("auth-bad");
    let o = d.run(&["auth", "can-i", "get", "secrets", "-f", "rbac"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--as USER"));
    let o = d.run(&["auth", "can-i", "get", "--as", "u", "-f", "rbac"]);
    assert_eq!(o.status.code(), Some(2));
    d.write("bad/x.yaml", "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: b, namespace: ns1}\nsubjects: [{kind: Robot, name: r}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: ns1}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: ns1}\nrules: [{verbs: [get], apiGroups: [''], resources: [pods]}]\n");
    let o = d.run(&["auth", "can-i", "get", "pods", "-n", "ns1", "--as", "u", "-f", "bad"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(
            "bad/x.yaml:10:1: error: Role `r` in namespace `ns1` is defined twice: here and at bad/x.yaml:6:1"
        ),
        "{err}"
    );
    assert!(
        err.contains("bad/x.yaml:1:1: error: RoleBinding `b` has no `roleRef`"),
        "{err}"
    );
    assert!(err.contains("subject kind `Robot`"), "{err}");
}
