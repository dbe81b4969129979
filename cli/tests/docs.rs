#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
//! The README's examples against the real command: the sample output, the JSON contract's
//! example, the flag list, the configuration file and the policy example.

use std::path::Path;

mod common;
use common::{rempart, root};

fn readme() -> String {
    std::fs::read_to_string(root().join("README.md")).unwrap()
}

/// The code blocks of a Markdown text with this language tag.
fn blocks(text: &str, lang: &str) -> Vec<String> {
    let open = format!("```{lang}\n");
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(&open) {
        let body = &rest[start + open.len()..];
        let end = body.find("```").unwrap();
        out.push(body[..end].to_owned());
        rest = &body[end..];
        rest = &rest[3..];
    }
    out
}

#[test]
fn the_sample_output_is_what_the_first_command_prints() {
    let sample = blocks(&readme(), "text").into_iter().next().unwrap();
    let o = rempart(&["scan", "--color", "never", "examples/manifests"]);
    assert_eq!(o.status.code(), Some(1), "exit code 1: findings");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains(&sample),
        "the README's sample is not in the output:\n{sample}"
    );
}

#[test]
fn the_json_example_matches_a_real_run() {
    let example = blocks(&readme(), "json").into_iter().next().unwrap();
    let o = rempart(&["scan", "--format", "json", "examples/manifests"]);
    let real: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    // The finding as the README shows it.
    let start = example.find("    {\n      \"policy\"").unwrap();
    let end = example[start..].find("\n    }\n").unwrap() + start + 6;
    let shown: serde_json::Value = serde_json::from_str(&example[start..end]).unwrap();
    let found = real["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["policy"] == shown["policy"])
        .unwrap();
    assert_eq!(&shown, found);
    // The summary line.
    let line = example
        .lines()
        .find(|l| l.trim_start().starts_with("\"summary\""))
        .unwrap();
    let summary: serde_json::Value = serde_json::from_str(&format!("{{{}}}", line.trim())).unwrap();
    assert_eq!(summary["summary"], real["summary"]);
    assert!(example.contains(&format!("\"version\": \"{}\"", real["version"].as_str().unwrap())));
}

#[test]
fn the_flag_list_is_the_commands() {
    let text = readme();
    let list = blocks(&text, "text")
        .into_iter()
        .find(|b| b.starts_with("rempart scan"))
        .unwrap();
    let flags = |t: &str| -> std::collections::BTreeSet<String> {
        t.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .filter(|w| w.starts_with("--") && w.len() > 2)
            .map(str::to_owned)
            .collect()
    };
    let help = String::from_utf8_lossy(&rempart(&["scan", "--help"]).stdout).into_owned();
    let mut real = flags(&help);
    real.remove("--help");
    let documented = flags(&list);
    assert_eq!(documented, real, "README flags vs `rempart scan --help`");
}

#[test]
fn the_configuration_example_loads() {
    let config = blocks(&readme(), "yaml")
        .into_iter()
        .find(|b| b.starts_with("select:"))
        .unwrap();
    let source = rempart::Source::new(".rempart.yaml", config);
    let loaded = rempart::config::load_config(&source, Path::new(".")).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        loaded.options.select.as_deref(),
        Some(&["pod-security", "images", "workload"].map(String::from)[..])
    );
    assert_eq!(loaded.exceptions.len(), 1);
    // Its names are the policies' own: the engine accepts them.
    rempart::Engine::new(&loaded.options.resolve()).unwrap();
}

#[test]
fn the_policy_example_is_the_example_file_and_its_commands_run() {
    let policy = blocks(&readme(), "yaml")
        .into_iter()
        .find(|b| b.starts_with("id: acme/"))
        .unwrap();
    // The README's form is compact; it is a working policy with passing examples.
    let dir = std::env::temp_dir().join(format!("rempart-docs-policy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("require-team-label.yaml"), &policy).unwrap();
    let o = rempart(&["test", dir.to_str().unwrap()]);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("1 policies") && out.contains(", 0 failed"), "{out}");
    let file = std::fs::read_to_string(root().join("examples/policies/require-team-label.yaml")).unwrap();
    assert!(file.contains("id: acme/require-team-label\n"));
    let o = rempart(&["test", "examples/policies"]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stdout));
    let o = rempart(&["scan", "--policies", "examples/policies", "examples/manifests"]);
    assert_eq!(o.status.code(), Some(1));
}
