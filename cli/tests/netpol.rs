//! `rempart netpol connectivity` and `rempart netpol exposure`: every format, focus, stdin,
//! problems on stderr.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::Dir;
use serde_json::{json, Value};

const APP: &str = "apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: c, image: i, ports: [{name: http, containerPort: 8080}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: c, image: i}]
";

const POLICIES: &str = "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{ipBlock: {cidr: 10.0.0.0/8}}]
    ports: [{port: http}]
  egress:
  - to: [{podSelector: {matchLabels: {app: db}}}]
    ports: [{port: 5432}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from: [{podSelector: {}}]
    ports: [{port: 5432}, {port: 5433}]
";

fn dir(name: &str) -> Dir {
    let d = Dir::new(name);
    d.write("k8s/app.yaml", APP).write("k8s/policies.yaml", POLICIES);
    d
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

const LINES: &str = "10.0.0.0-10.255.255.255[External] => shop/web[Deployment] : TCP 8080
shop/web[Deployment] => shop/db[Deployment] : TCP 5432
";

#[test]
fn connectivity_text_lists_each_connection() {
    let d = dir("netpol-text");
    let o = d.run(&["netpol", "connectivity", "-f", "k8s"]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(stdout(&o), LINES);
    // Files one by one, in another order: the same answer.
    let o = d.run(&[
        "netpol",
        "connectivity",
        "-f",
        "k8s/policies.yaml",
        "-f",
        "k8s/app.yaml",
    ]);
    assert_eq!(stdout(&o), LINES);
}

#[test]
fn connectivity_json_dot_and_mermaid() {
    let d = dir("netpol-formats");
    let o = d.run(&["netpol", "connectivity", "-f", "k8s", "--format", "json"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        v,
        json!({"connections": [
            {"src": "10.0.0.0-10.255.255.255[External]", "dst": "shop/web[Deployment]", "ports": "TCP 8080"},
            {"src": "shop/web[Deployment]", "dst": "shop/db[Deployment]", "ports": "TCP 5432"}
        ]})
    );
    let o = d.run(&["netpol", "connectivity", "-f", "k8s", "--format", "dot"]);
    let dot = stdout(&o);
    assert!(dot.starts_with("digraph connectivity {\n"), "{dot}");
    assert!(
        dot.contains("\"10.0.0.0-10.255.255.255[External]\" [shape=ellipse];"),
        "{dot}"
    );
    assert!(
        dot.contains("\"shop/web[Deployment]\" -> \"shop/db[Deployment]\" [label=\"TCP 5432\"];"),
        "{dot}"
    );
    let o = d.run(&["netpol", "connectivity", "-f", "k8s", "--format", "mermaid"]);
    assert_eq!(
        stdout(&o),
        "graph LR\n  n0([\"10.0.0.0-10.255.255.255[External]\"])\n  n1[\"shop/web[Deployment]\"]\n  n2[\"shop/db[Deployment]\"]\n  n0 -->|\"TCP 8080\"| n1\n  n1 -->|\"TCP 5432\"| n2\n"
    );
}

#[test]
fn focus_keeps_the_connections_of_one_workload() {
    let d = dir("netpol-focus");
    d.write("k8s/more.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: tool, namespace: ops}\nspec: {containers: [{name: c, image: i}]}\n");
    let o = d.run(&["netpol", "connectivity", "-f", "k8s", "--focus", "shop/db[Deployment]"]);
    assert_eq!(stdout(&o), "shop/web[Deployment] => shop/db[Deployment] : TCP 5432\n");
    let o = d.run(&["netpol", "connectivity", "-f", "k8s", "--focus", "ops/tool"]);
    let text = stdout(&o);
    assert!(
        text.contains("ops/tool[Pod] => 0.0.0.0-255.255.255.255[External] : All Connections\n"),
        "{text}"
    );
    assert!(!text.contains("shop/db[Deployment] =>"), "{text}");
    let o = d.run(&["netpol", "connectivity", "-f", "k8s", "--focus", "shop/nothing"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no workload `shop/nothing`"));
}

#[test]
fn exposure_text_and_json() {
    let d = dir("netpol-exposure");
    d.write("k8s/open.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: tool, namespace: ops}\nspec: {containers: [{name: c, image: i}]}\n");
    let o = d.run(&["netpol", "exposure", "-f", "k8s"]);
    let text = stdout(&o);
    assert!(
        text.contains("ops/tool[Pod] <= entire-cluster : All Connections\n"),
        "{text}"
    );
    assert!(
        text.contains("shop/db[Deployment] <= shop/* : TCP 5432-5433\n"),
        "{text}"
    );
    assert!(
        text.contains("shop/web[Deployment] <= 10.0.0.0-10.255.255.255[External] : TCP 8080\n"),
        "{text}"
    );
    let o = d.run(&["netpol", "exposure", "-f", "k8s", "--format", "json"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["exposure"].as_array().unwrap().contains(
        &json!({"workload": "shop/db[Deployment]", "direction": "ingress", "peer": "shop/*", "ports": "TCP 5432-5433"})
    ));
}

#[test]
fn stdin_and_problems_on_stderr() {
    let bad = "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: bad, namespace: shop}\nspec:\n  podSelector: {}\n  ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/40}}]}]\n";
    let mut child = Command::new(env!("CARGO_BIN_EXE_rempart"))
        .args(["netpol", "connectivity", "-f", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let input = format!("{APP}{bad}");
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("rempart: <stdin>:26:38:") && err.contains("error: `10.0.0.0/40` is not a CIDR"),
        "{err}"
    );
    // The bad policy is left out: nothing is isolated.
    assert!(stdout(&o).contains("shop/db[Deployment] => shop/web[Deployment] : All Connections\n"));
}
