#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
//! Options that select nothing, versions newer than known, and configuration mistakes: usage
//! errors that name the value and point at the configuration file, never a silent empty scan.

use std::path::PathBuf;
use std::process::Output;

mod common;
use common::{rempart, run_in};

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A folder with a configuration file and one insecure Pod.
fn project(name: &str, config: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rempart-options-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(".rempart.yaml"), config).unwrap();
    std::fs::write(
        dir.join("pod.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {hostPID: true, containers: [{name: c, image: x}]}\n",
    )
    .unwrap();
    dir
}

#[test]
fn a_select_or_ignore_value_that_matches_nothing_is_a_usage_error() {
    let o = rempart(&["scan", "--select", "nope", "examples/manifests"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(o.stdout.is_empty(), "nothing is scanned");
    let e = stderr(&o);
    assert!(e.starts_with("rempart: `--select`: `nope` matches no policy"), "{e}");
    assert!(e.contains("`pod-security`"), "{e}");

    // Matching is by whole parts: a prefix cut inside a part names the id it begins.
    let o = rempart(&["scan", "--select", "workload/read-only", "examples/manifests"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("did you mean `workload/read-only-root-filesystem`?"),
        "{}",
        stderr(&o)
    );
    let o = rempart(&["scan", "--ignore", "pod-securty", "examples/manifests"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("`--ignore`: `pod-securty` matches no policy"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("did you mean `pod-security`?"), "{}", stderr(&o));

    // Whole-part prefixes and `/*` globs select what the help says.
    for select in [
        "pod-security",
        "pod-security/baseline",
        "pod-security/baseline/*",
        "pod-security/baseline/privileged",
    ] {
        let o = rempart(&[
            "scan",
            "--format",
            "json",
            "--select",
            select,
            "examples/manifests/insecure",
        ]);
        assert_eq!(o.status.code(), Some(1), "{select}: {}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let findings = v["findings"].as_array().unwrap();
        let prefix = select.trim_end_matches('*');
        assert!(!findings.is_empty(), "{select}");
        assert!(
            findings
                .iter()
                .all(|f| f["policy"].as_str().unwrap().starts_with(prefix)),
            "{select}"
        );
    }
}

#[test]
fn a_version_newer_than_known_applies_the_newest_with_a_note() {
    let o = rempart(&[
        "scan",
        "--format",
        "json",
        "--pod-security-version",
        "v1.99",
        "examples/manifests/insecure",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let notes = v["notes"].as_array().unwrap();
    let newest = format!("v1.{}", rempart::policy::NEWEST_MINOR);
    assert!(
        notes.iter().any(|n| n["message"]
            .as_str()
            .unwrap()
            .contains(&format!("`v1.99` is newer than {newest}"))
            && n["message"]
                .as_str()
                .unwrap()
                .contains(&format!("the checks of {newest} apply"))),
        "{notes:?}"
    );
    assert_eq!(v["summary"]["skipped"], 0, "a note about the options skips no document");
    // The text report shows it without -v; a known version has no such note.
    let text = rempart(&["scan", "--pod-security-version", "v1.99", "examples/manifests/insecure"]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("note: Pod Security version `v1.99` is newer"));
    let known = rempart(&[
        "scan",
        "--format",
        "json",
        "--pod-security-version",
        "v1.30",
        "examples/manifests/insecure",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&known.stdout).unwrap();
    assert_eq!(v["notes"].as_array().map(Vec::len), Some(0));
}

#[test]
fn configuration_mistakes_point_at_the_configuration_file() {
    let dir = project(
        "params",
        "select: [pod-security]\nparams: {\"pod-security/namespace-enforce-level\": {bogus: 1}}\n",
    );
    let o = run_in(&dir, &["scan", "."]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert_eq!(
        e.trim_end(),
        "rempart: .rempart.yaml:2:51: `params`: policy `pod-security/namespace-enforce-level` has no parameter `bogus` (it has `exempt`)",
        "one error, at the parameter's key, and no false `does not exist`"
    );
    assert!(!e.contains("options:1:1"), "{e}");

    let dir = project(
        "names",
        "select:\n  - pod-security\n  - workload/read-only\nseverities: {images/latst-tag: low}\nparams: {acme/x: {a: 1}}\n",
    );
    let e = stderr(&run_in(&dir, &["scan", "."]));
    assert!(
        e.contains(".rempart.yaml:3:5: `select`: `workload/read-only` matches no policy"),
        "{e}"
    );
    assert!(e.contains(".rempart.yaml:4:14: `severities`: there is no policy `images/latst-tag`; did you mean `images/latest-tag`?"), "{e}");
    assert!(
        e.contains(".rempart.yaml:5:10: `params`: there is no policy `acme/x`"),
        "{e}"
    );
    assert!(!e.contains("options:1:1"), "{e}");
    // A flag replaces the file's `select`: its mistake is the flag's.
    let o = run_in(&dir, &["scan", "--select", "nope", "."]);
    assert!(
        stderr(&o).contains("`--select`: `nope` matches no policy"),
        "{}",
        stderr(&o)
    );
    // A policy path that is not there.
    let dir = project("paths", "failOn: high\npolicies: [acme/]\n");
    let e = stderr(&run_in(&dir, &["scan", "."]));
    assert_eq!(
        e.trim_end(),
        "rempart: .rempart.yaml:2:12: `policies`: `acme` does not exist"
    );
}

#[test]
fn explain_lists_standards_readably() {
    let o = rempart(&["explain", "control-plane/apiserver-anonymous-auth"]);
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(text.contains("\nstandards: CIS 1.2.1, MITRE T1078\n"), "{text}");
    let o = rempart(&["explain", "pod-security/baseline/privileged"]);
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        text.contains("\nstandards: MITRE T1611, Pod Security baseline `privileged`\n"),
        "{text}"
    );
}

#[test]
fn every_error_starts_with_the_command_name() {
    for args in [
        &["scan", "--bogus"][..],
        &["scan", "--format", "yml"],
        &["explain", "nope"],
        &["scan", "--select", "nope"],
    ] {
        let o = rempart(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let e = stderr(&o);
        assert!(e.starts_with("rempart: ") && !e.contains("error:"), "{args:?}: {e}");
    }
}
