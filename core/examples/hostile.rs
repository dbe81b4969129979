//! Writes the hostile inputs that `scripts/hostile` runs through the release CLI to check the
//! time and memory bounds: `cargo run --release -p rempart --example hostile -- DIR`.
//!
//! Each case is a folder of DIR holding the files to scan, and optionally a `.rempart.yaml`
//! (configuration from the scanned repository, which is hostile too) and `policies/`.

use std::fmt::Write as _;
use std::path::Path;

const POD_HEAD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n";

/// Anchors nested inside anchors: each level's definition copies everything below it.
fn nested_anchors() -> String {
    let mut leaf = String::from("[");
    for i in 0..300_000 {
        let _ = write!(leaf, "v{i},");
    }
    leaf.push(']');
    let mut text = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: anchors}\ndata:\n  x: ");
    for level in 0..150 {
        let _ = write!(text, "&a{level} [");
    }
    text.push_str(&leaf);
    text.push_str(&"]".repeat(150));
    text.push('\n');
    text
}

/// One map with 200,000 distinct keys (duplicate detection must stay linear).
fn wide_map() -> String {
    let mut text = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: wide}\ndata:\n");
    for i in 0..200_000 {
        let _ = writeln!(text, "  key{i}: v");
    }
    text
}

/// Document-end markers: one piece holding hundreds of thousands of documents.
fn document_ends() -> String {
    "x: 1\n...\n".repeat(1_400_000)
}

/// One line of JSON with many findings: code frames must be clipped.
fn one_line_json() -> String {
    let containers: Vec<String> = (0..8_000)
        .map(|i| format!("{{\"name\": \"c{i}\", \"image\": \"nginx\", \"securityContext\": {{\"privileged\": true}}}}"))
        .collect();
    format!(
        "{{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {{\"name\": \"wide\"}}, \"spec\": {{\"containers\": [{}]}}}}\n",
        containers.join(", ")
    )
}

/// A pod with 100,000 containers (6.5 MB), for every output format.
fn many_containers() -> String {
    let mut text = String::from(POD_HEAD);
    for i in 0..100_000 {
        let _ = writeln!(text, "  - {{name: c{i}, image: nginx}}");
    }
    text
}

/// Nested sequences two million bytes deep, with a configuration that raises `maxDepth`.
fn deep_sequences() -> String {
    "- ".repeat(1_000_000) + "x\n"
}

/// A billion-laughs bomb.
fn alias_bomb() -> String {
    let mut text = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\ndata:\n  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..12 {
        let p = i - 1;
        let _ = writeln!(
            text,
            "  a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]"
        );
    }
    text
}

/// A policy that iterates the same list four levels deep (200⁴ combinations).
const NESTED_EACH_POLICY: &str = r#"id: hostile/nested-each
title: Iterates four levels deep
severity: low
match: {kinds: [ConfigMap]}
rules:
  - each:
      - {path: "$.data.xs[*]", as: a}
      - {path: "$.data.xs[*]", as: b}
      - {path: "$.data.xs[*]", as: c}
      - {path: "$.data.xs[*]", as: d}
    deny: {path: "$.metadata.name", equals: each}
    message: every combination is a finding
docs:
  why: A policy from the scanned repository that iterates without bound.
  fix: Nothing; the engine must stop it.
tests:
  pass: [{apiVersion: v1, kind: ConfigMap, metadata: {name: other}, data: {xs: [a]}}]
  fail: [{apiVersion: v1, kind: ConfigMap, metadata: {name: each}, data: {xs: [a]}}]
"#;

fn nested_each_object() -> String {
    let items: Vec<String> = (0..200).map(|i| format!("i{i}")).collect();
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: each}}\ndata:\n  xs: [{}]\n",
        items.join(", ")
    )
}

fn write(dir: &Path, name: &str, text: &str) -> std::io::Result<()> {
    if let Some(parent) = dir.join(name).parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(dir.join(name), text)
}

fn main() -> std::io::Result<()> {
    let root = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "hostile".into()));
    write(&root, "nested-anchors/in.yaml", &nested_anchors())?;
    write(&root, "wide-map/in.yaml", &wide_map())?;
    let ends = document_ends();
    for i in 0..6 {
        write(&root, &format!("document-ends/in{i}.yaml"), &ends)?;
    }
    write(&root, "one-line-json/in.json", &one_line_json())?;
    write(&root, "many-containers/in.yaml", &many_containers())?;
    write(&root, "deep-sequences/in.yaml", &deep_sequences())?;
    write(&root, "deep-sequences/.rempart.yaml", "limits: {maxDepth: 100000000}\n")?;
    write(&root, "alias-bomb/in.yaml", &alias_bomb())?;
    write(&root, "nested-each/in.yaml", &nested_each_object())?;
    write(&root, "nested-each/policies/nested.yaml", NESTED_EACH_POLICY)?;
    write(
        &root,
        "nested-each/.rempart.yaml",
        "policies: [policies]\nexclude: [policies/**]\n",
    )?;
    println!("hostile cases written under {}", root.display());
    Ok(())
}
