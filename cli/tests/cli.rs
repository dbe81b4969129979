#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
//! The `rempart` command end to end: exit codes, formats, inputs, and the README's commands.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

mod common;
use common::{rempart, root};

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn hardened_example_passes_and_insecure_fails() {
    let ok = rempart(&["scan", "examples/manifests/hardened"]);
    assert_eq!(ok.status.code(), Some(0), "{}", stdout(&ok));
    assert!(stdout(&ok).contains("0 finding(s)"));
    let bad = rempart(&["scan", "examples/manifests/insecure", "--color", "never"]);
    assert_eq!(bad.status.code(), Some(1));
    let text = stdout(&bad);
    assert!(
        text.contains("examples/manifests/insecure/app.yaml:51:25: critical pod-security/baseline/privileged"),
        "{text}"
    );
    assert!(text.contains("^^^^"), "code frame with a caret: {text}");
}

/// The kubeadm-like control-plane examples: the insecure set triggers every control-plane
/// pack with findings on the exact flag or field; the hardened set triggers nothing.
#[test]
fn control_plane_examples_trigger_every_pack_only_when_insecure() {
    let ok = rempart(&["scan", "--format", "json", "examples/control-plane/hardened"]);
    let v: serde_json::Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(v["findings"].as_array().map(Vec::len), Some(0), "{}", stdout(&ok));
    assert!(
        v["summary"]["suppressed"].as_u64().unwrap() > 0,
        "the folder's exceptions apply"
    );
    assert_eq!(ok.status.code(), Some(0));

    let bad = rempart(&["scan", "--format", "json", "examples/control-plane/insecure"]);
    assert_eq!(bad.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&bad.stdout).unwrap();
    let findings = v["findings"].as_array().unwrap();
    let fired: std::collections::BTreeSet<&str> = findings.iter().map(|f| f["policy"].as_str().unwrap()).collect();
    for pack in [
        "control-plane/apiserver-",
        "control-plane/controller-manager-",
        "control-plane/scheduler-",
        "control-plane/etcd-",
        "kubelet/",
        "encryption/",
        "audit/",
        "kubeconfig/",
    ] {
        let n = fired.iter().filter(|p| p.starts_with(pack)).count();
        assert!(n >= 2, "{pack}: {n} policies fired");
    }
    let at = |policy: &str| {
        let f = findings
            .iter()
            .find(|f| f["policy"] == policy)
            .unwrap_or_else(|| panic!("{policy} did not fire"));
        (
            f["file"].as_str().unwrap().rsplit('/').next().unwrap().to_owned(),
            f["path"].as_str().unwrap().to_owned(),
            f["span"]["start"]["line"].as_u64().unwrap(),
            f["span"]["start"]["column"].as_u64().unwrap(),
        )
    };
    assert_eq!(
        at("control-plane/apiserver-anonymous-auth"),
        (
            "kube-apiserver.yaml".into(),
            "/spec/containers/0/command/2".into(),
            20,
            7
        )
    );
    assert_eq!(at("control-plane/etcd-auto-tls").1, "/spec/containers/0/command/9");
    assert_eq!(at("kubelet/read-only-port").1, "/readOnlyPort");
    assert_eq!(at("encryption/identity-first").1, "/resources/0/providers/0/identity");
    assert_eq!(at("audit/sensitive-bodies").1, "/rules/2/level");
    assert_eq!(
        at("kubeconfig/system-masters-credential").1,
        "/users/0/user/client-certificate-data"
    );
}

#[test]
fn json_report_follows_the_contract() {
    let o = rempart(&["scan", "--format", "json", "examples/manifests"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    for key in ["version", "findings", "errors", "summary"] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    let f = &v["findings"][0];
    for key in [
        "policy",
        "title",
        "severity",
        "category",
        "message",
        "file",
        "document",
        "object",
        "path",
        "span",
        "standards",
        "fix",
    ] {
        assert!(f.get(key).is_some(), "finding lacks {key}: {f}");
    }
    for key in ["line", "column", "offset"] {
        assert!(f["span"]["start"].get(key).is_some() && f["span"]["end"].get(key).is_some());
    }
    assert_eq!(v["summary"]["files"], 2);
}

#[test]
fn fail_on_threshold() {
    assert_eq!(
        rempart(&["scan", "examples/manifests/insecure", "--fail-on", "critical"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        rempart(&["scan", "examples/manifests/insecure", "--fail-on", "none"])
            .status
            .code(),
        Some(0)
    );
    let only_low = [
        "scan",
        "examples/manifests/insecure",
        "--select",
        "workload/resource-limits",
    ];
    assert_eq!(rempart(&only_low).status.code(), Some(1));
    assert_eq!(
        rempart(&[&only_low[..], &["--fail-on", "medium"]].concat())
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn stdin_and_unreadable_inputs() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rempart"))
        .args(["scan", "-", "--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {hostPID: true, containers: []}\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["policy"] == "pod-security/baseline/host-namespaces" && f["file"] == "<stdin>"));
    let missing = rempart(&["scan", "no/such/dir"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stdout(&missing).contains("no/such/dir: error no such file or directory"),
        "{}",
        stdout(&missing)
    );
}

#[test]
fn parse_errors_exit_2_but_other_documents_are_reported() {
    let dir = std::env::temp_dir().join(format!("rempart-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("mixed.yaml");
    std::fs::write(
        &file,
        "a: [\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {hostIPC: true, containers: []}\n",
    )
    .unwrap();
    let o = rempart(&["scan", file.to_str().unwrap(), "--color", "never"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).contains("pod-security/baseline/host-namespaces"));
    assert!(stdout(&o).contains("error invalid YAML"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn policies_explain_and_test() {
    let list = rempart(&["policies"]);
    assert!(stdout(&list).contains("pod-security/restricted/run-as-non-root"));
    let explain = rempart(&["explain", "pod-security/baseline/privileged"]);
    assert!(stdout(&explain).contains("fix:"), "{}", stdout(&explain));
    let typo = rempart(&["explain", "pod-security/baseline/privileges"]);
    assert_eq!(typo.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&typo.stderr).contains("did you mean `pod-security/baseline/privileged`"));
    let t = rempart(&["test"]);
    assert_eq!(t.status.code(), Some(0), "{}", stdout(&t));
    assert!(stdout(&t).contains(" passed, 0 failed"));
    assert_eq!(rempart(&["test", "examples/policies"]).status.code(), Some(0));
}

#[test]
fn broken_user_policy_is_a_positioned_error() {
    let dir = std::env::temp_dir().join(format!("rempart-pol-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("bad.yaml"), "id: acme/x\ntitle: t\nseverity: hihg\ndocs: {why: w, fix: f}\nmatch: {pods: true}\nrules: [{deny: {path: spec.x, equals: 1}, mesage: m}]\ntests: {pass: [{kind: Pod}], fail: [{kind: Pod}]}\n").unwrap();
    let o = rempart(&["scan", "--policies", dir.to_str().unwrap(), "examples/manifests"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("bad.yaml:3:11: severity `hihg` is not one of"), "{err}");
    assert!(
        err.contains("bad.yaml:6:43: unknown field `mesage` in a rule; did you mean `message`?"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// The README's first screen gives the two commands; they must be the ones tested here.
#[test]
fn readme_commands_are_true() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    assert!(readme.contains("cargo run --release -p rempart-cli -- scan examples/manifests"));
    assert!(readme.contains("./scripts/test"));
    assert!(Path::new(&root().join("scripts/test")).exists());
    let o = rempart(&["scan", "examples/manifests"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "the main job shows findings of the insecure example"
    );
}

/// The streamed CLI report is byte for byte the library's report of the same scan.
#[test]
fn cli_json_equals_the_library_report() {
    let files = [
        "examples/manifests/hardened/app.yaml",
        "examples/manifests/insecure/app.yaml",
    ];
    let sources: Vec<rempart::Source> = files
        .iter()
        .map(|f| rempart::Source::new(*f, std::fs::read_to_string(root().join(f)).unwrap()))
        .collect();
    let engine = rempart::Engine::new(&rempart::Options::default()).unwrap();
    let expected = rempart::format::json(&engine.scan(&sources));
    let o = rempart(&["scan", "--format", "json", "examples/manifests"]);
    assert_eq!(stdout(&o), expected);
}
