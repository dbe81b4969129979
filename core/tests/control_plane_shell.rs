#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
//! A control-plane component started by a shell (`sh -c "exec kube-apiserver --flag …"`) is
//! recognised, and the flags of its script are read: it gets the findings the same manifest
//! gets with a plain `command`.

use std::path::PathBuf;

use rempart::{Engine, Options, Source};

/// The insecure example manifest with its image made anonymous (so that only the command
/// tells the component) and its `command` list either kept as a list or run by a shell.
fn manifest(component: &str, shell: Option<&str>) -> String {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../examples/control-plane/insecure/{component}.yaml"));
    let text = std::fs::read_to_string(path).unwrap();
    let mut out = String::new();
    let mut words = Vec::new();
    let mut in_command = false;
    for line in text.lines() {
        if line.trim_start().starts_with("image:") {
            out.push_str("    image: registry.example/control-plane-tools:7\n");
            continue;
        }
        if line == "    command:" {
            in_command = true;
            continue;
        }
        if in_command {
            if let Some(word) = line.strip_prefix("    - ") {
                words.push(word.trim_matches('"').to_owned());
                continue;
            }
            in_command = false;
            match shell {
                Some(sh) => out.push_str(&format!("    command: [{sh}, -c, \"exec {}\"]\n", words.join(" "))),
                None => out.push_str(&format!(
                    "    command: [{}]\n",
                    words.iter().map(|w| format!("'{w}'")).collect::<Vec<_>>().join(", ")
                )),
            }
        }
        out.push_str(line);
        out.push('\n');
    }
    assert!(!words.is_empty(), "{component}: no command list found");
    out
}

fn control_plane_findings(engine: &Engine, text: String) -> Vec<String> {
    let report = engine.scan(&[Source::new("m.yaml", text)]);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let mut ids: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.policy.starts_with("control-plane/"))
        .map(|f| f.policy.clone())
        .collect();
    ids.sort();
    ids
}

#[test]
fn a_shell_wrapped_component_gets_the_findings_of_the_plain_one() {
    let engine = Engine::new(&Options::default()).unwrap_or_else(|e| panic!("{e}"));
    for component in ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd"] {
        let plain = control_plane_findings(&engine, manifest(component, None));
        assert!(
            !plain.is_empty(),
            "{component}: the insecure manifest has no control-plane finding"
        );
        for sh in ["sh", "/bin/sh", "bash"] {
            let wrapped = control_plane_findings(&engine, manifest(component, Some(sh)));
            assert_eq!(wrapped, plain, "{component} run by `{sh} -c`");
        }
    }
}

#[test]
fn the_apiserver_anonymous_auth_check_sees_a_shell_wrapped_apiserver() {
    let engine = Engine::new(&Options::default()).unwrap_or_else(|e| panic!("{e}"));
    let wrapped = control_plane_findings(&engine, manifest("kube-apiserver", Some("sh")));
    assert!(
        wrapped.iter().any(|id| id == "control-plane/apiserver-anonymous-auth"),
        "{wrapped:?}"
    );
}
