#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
//! `rempart detect`: inputs (files, directories, stdin, gzip, `--follow` with rotation),
//! output formats, exit codes, selection and exceptions.

mod common;

use std::io::{Read, Write};
use std::process::{Command, Stdio};

use common::Dir;

const EXEC: &str = r#"id: test/exec
title: Exec into a pod
severity: high
match: {kinds: [audit.k8s.io/Event]}
docs: {why: test, fix: test}
rules:
  - when: {path: objectRef.resource, equals: pods}
    deny: {path: objectRef.subresource, in: [exec, attach]}
    message: "`{user.username}` ran `{objectRef.subresource}` in pod `{objectRef.name}`"
tests:
  pass: [{kind: Event, apiVersion: audit.k8s.io/v1, verb: get, objectRef: {resource: pods, name: p}}]
  fail: [{kind: Event, apiVersion: audit.k8s.io/v1, verb: create, objectRef: {resource: pods, subresource: exec, name: p}}]
"#;

fn exec(id: &str, user: &str, ns: &str) -> String {
    format!(
        r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"{id}","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/{ns}/pods/web-0/exec?command=sh","verb":"create","user":{{"username":"{user}"}},"sourceIPs":["203.0.113.9"],"objectRef":{{"resource":"pods","namespace":"{ns}","name":"web-0","apiVersion":"v1","subresource":"exec"}},"responseStatus":{{"code":101}},"requestReceivedTimestamp":"2024-05-01T10:00:00.000000Z"}}"#
    )
}

fn setup(name: &str) -> Dir {
    let d = Dir::new(name);
    d.write("exec.yaml", EXEC);
    d
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn text_line_per_alert_with_every_field_and_exit_codes() {
    let d = setup("detect-text");
    d.write(
        "logs/audit.log",
        &format!("{}\n{}\n", exec("1", "alice", "prod"), exec("1", "alice", "prod")),
    );
    let o = d.run(&[
        "detect",
        "--no-config",
        "--policies",
        "exec.yaml",
        "--ignore",
        "detect/exec-into-pod",
        "logs/audit.log",
    ]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    let first = out.lines().next().unwrap();
    assert_eq!(
        first,
        "2024-05-01T10:00:00.000000Z high test/exec alice create pods/exec prod/web-0 `alice` ran `exec` in pod `web-0` logs/audit.log:1"
    );
    assert!(
        out.contains(
            "1 alert(s), 0 error(s) in 2 event(s) from 1 input(s) (1 repeated by later stages of the same request)"
        ),
        "{out}"
    );
    let o = d.run(&[
        "detect",
        "--no-config",
        "--policies",
        "exec.yaml",
        // The built-in twin of `test/exec` would alert on the same events.
        "--ignore",
        "detect/exec-into-pod",
        "--fail-on",
        "critical",
        "logs",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = d.run(&[
        "detect",
        "--no-config",
        "--policies",
        "exec.yaml",
        // The built-in twin of `test/exec` would alert on the same events.
        "--ignore",
        "detect/exec-into-pod",
        "--ignore",
        "test/exec",
        "logs",
    ]);
    assert!(stdout(&o).starts_with("0 alert(s)"), "{}", stdout(&o));
    // A malformed line is an error (exit 2) and the lines after it are still read.
    d.write("logs/audit.log", &format!("{{oops\n{}\n", exec("2", "bob", "prod")));
    let o = d.run(&[
        "detect",
        "--no-config",
        "--policies",
        "exec.yaml",
        "--ignore",
        "detect/exec-into-pod",
        "logs",
    ]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(
        out.contains("logs/audit.log:1: error: the line ends inside a JSON value"),
        "{out}"
    );
    assert!(out.contains("test/exec bob"), "{out}");
}

#[test]
fn jsonl_json_and_sarif() {
    let d = setup("detect-formats");
    d.write("audit.log", &format!("{}\n", exec("1", "alice", "prod")));
    let args = [
        "detect",
        "--no-config",
        "--policies",
        "exec.yaml",
        // The built-in twin of `test/exec` would alert on the same events.
        "--ignore",
        "detect/exec-into-pod",
        "audit.log",
        "--format",
    ];
    let o = d.run(&[&args[..], &["jsonl"]].concat());
    let line: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    for key in [
        "time",
        "rule",
        "severity",
        "message",
        "auditID",
        "user",
        "sourceIPs",
        "verb",
        "objectRef",
        "file",
        "line",
        "path",
        "standards",
    ] {
        assert!(line.get(key).is_some(), "{key} missing in {line}");
    }
    assert_eq!(line["path"], "/objectRef/subresource");
    assert_eq!(line["objectRef"]["namespace"], "prod");
    let o = d.run(&[&args[..], &["json"]].concat());
    let report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(report["alerts"][0]["rule"], "test/exec");
    assert_eq!(report["summary"]["events"], 1);
    assert_eq!(report["errors"], serde_json::json!([]));
    let o = d.run(&[&args[..], &["sarif"]].concat());
    let sarif: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "test/exec");
    assert_eq!(result["locations"][0]["physicalLocation"]["region"]["startLine"], 1);
    let rules: Vec<&str> = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(
        rules.contains(&"test/exec") && rules.contains(&"detect/bulk-secret-access"),
        "{rules:?}"
    );
    assert!(
        !rules.iter().any(|r| r.starts_with("pod-security")),
        "only event rules: {rules:?}"
    );
    // `--input` forces one format; `-o` writes the report to a file.
    let eks = serde_json::json!({"@message": exec("9", "carol", "prod")}).to_string();
    d.write("eks.log", &format!("{eks}\n"));
    let o = d.run(&[
        "detect",
        "--no-config",
        "--policies",
        "exec.yaml",
        "--input",
        "k8s",
        "eks.log",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stdout(&o).contains("eks.log:1: error: not an audit event"),
        "{}",
        stdout(&o)
    );
    let o = d.run(&[
        "detect",
        "--no-config",
        "--policies",
        "exec.yaml",
        "--input",
        "eks",
        "eks.log",
        "--format",
        "json",
        "-o",
        "out.json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.path("out.json")).unwrap()).unwrap();
    assert_eq!(report["alerts"][0]["input"], "eks");
    assert_eq!(report["alerts"][0]["user"], "carol");
}

#[test]
fn stdin_gzip_and_exceptions_from_the_configuration() {
    let d = setup("detect-inputs");
    let text = format!(
        "{}\n{}\n{}\n",
        exec("1", "alice", "prod"),
        exec("2", "oncall", "prod"),
        exec("3", "oncall", "dev")
    );
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(text.as_bytes()).unwrap();
    std::fs::write(d.path("rotated.log.1"), gz.finish().unwrap()).unwrap();
    d.write(
        ".rempart.yaml",
        "policies: [exec.yaml]\nignore: [detect/exec-into-pod]\nexceptions:\n  - policies: [test/exec]\n    match: {users: [oncall], namespaces: [prod]}\n    reason: the on-call engineer debugs production\n",
    );
    let o = d.run(&["detect", "rotated.log.1"]);
    let out = stdout(&o);
    assert!(
        out.contains("test/exec alice") && out.contains("test/exec oncall create pods/exec dev/web-0"),
        "{out}"
    );
    assert!(!out.contains("oncall create pods/exec prod"), "{out}");
    assert!(out.contains("(1 covered by exceptions)"), "{out}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_rempart"))
        .args([
            "detect",
            "--no-config",
            "--policies",
            "exec.yaml",
            "--ignore",
            "detect/exec-into-pod",
            "--format",
            "jsonl",
        ])
        .current_dir(&d.0)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    let files: Vec<String> = stdout(&o)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["file"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(files, vec!["<stdin>"; 3]);
}

#[test]
fn follow_reads_what_is_appended_and_survives_rotation() {
    let d = setup("detect-follow");
    d.write("audit.log", &format!("{}\n", exec("1", "alice", "prod")));
    let mut child = Command::new(env!("CARGO_BIN_EXE_rempart"))
        .args([
            "detect",
            "--no-config",
            "--policies",
            "exec.yaml",
            // The built-in twin of `test/exec` would alert on the same events.
            "--ignore",
            "detect/exec-into-pod",
            "--format",
            "jsonl",
            "--follow",
            "--follow-idle-exit",
            "3000",
            "audit.log",
        ])
        .current_dir(&d.0)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let pause = || std::thread::sleep(std::time::Duration::from_millis(700));
    pause();
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(d.path("audit.log"))
        .unwrap();
    // Half a line, then the rest: one event.
    let second = exec("2", "bob", "prod");
    f.write_all(&second.as_bytes()[..50]).unwrap();
    f.flush().unwrap();
    pause();
    f.write_all(format!("{}\n", &second[50..]).as_bytes()).unwrap();
    drop(f);
    pause();
    // Rotation by renaming: the new file is read from its start.
    std::fs::rename(d.path("audit.log"), d.path("audit.log.1")).unwrap();
    d.write("audit.log", &format!("{}\n", exec("3", "carol", "prod")));
    pause();
    // Rotation by truncation.
    d.write("audit.log", &format!("{}\n", exec("4", "d", "prod")));
    let mut out = String::new();
    child.stdout.take().unwrap().read_to_string(&mut out).unwrap();
    let status = child.wait().unwrap();
    let users: Vec<String> = out
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["user"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(users, vec!["alice", "bob", "carol", "d"], "{out}");
    assert_eq!(status.code(), Some(1));
}
