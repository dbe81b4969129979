#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
//! Rule lifecycle: a preview runs only when selected by its id (it is still listed and
//! tested), a deprecated policy names an existing replacement, and mistakes are positioned.

use rempart::engine::PolicyText;
use rempart::policy::Status;
use rempart::{Engine, Options, Source};

const POLICY: &str = "id: my/ID\ntitle: t\nseverity: low\nsince: \"0.4.0\"\nSTATUS\ndocs: {why: w, fix: f}\nmatch: {kinds: [ConfigMap]}\nrules:\n  - {deny: {path: data.x, present: true}, message: m}\ntests: {pass: [{apiVersion: v1, kind: ConfigMap, metadata: {name: a}}, {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}], fail: [{apiVersion: v1, kind: ConfigMap, metadata: {name: c}, data: {x: '1'}}]}\n";

fn options(files: &[(&str, &str)], select: &[&str]) -> Options {
    Options {
        builtin: false,
        policies: files
            .iter()
            .map(|(id, status)| PolicyText {
                name: format!("{id}.yaml"),
                text: POLICY.replace("ID", id).replace("STATUS", status),
            })
            .collect(),
        select: select.iter().map(|s| (*s).to_owned()).collect(),
        ..Options::default()
    }
}

fn flagged(engine: &Engine) -> Vec<String> {
    let report = engine.scan(&[Source::new(
        "cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {x: '1'}\n",
    )]);
    report.findings.iter().map(|f| f.policy.clone()).collect()
}

#[test]
fn a_preview_runs_only_when_selected_by_its_id() {
    let files = [("new", "status: preview"), ("old", "status: stable")];
    let engine = Engine::new(&options(&files, &[])).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(flagged(&engine), ["my/old"]);
    let new = engine.policy("my/new").unwrap();
    assert_eq!(new.status, Status::Preview);
    assert_eq!(new.since.as_deref(), Some("0.4.0"));
    let (failures, count) = rempart::run_policy_tests(&engine);
    assert!(failures.is_empty() && count == 6, "{failures:?} {count}");
    let engine = Engine::new(&options(&files, &["my/new", "my/old"])).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(flagged(&engine), ["my/new", "my/old"]);
}

#[test]
fn a_deprecated_policy_names_an_existing_replacement() {
    let files = [
        ("old", "status: deprecated\nreplacement: my/new"),
        ("new", "status: stable"),
    ];
    let engine = Engine::new(&options(&files, &[])).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        engine.policy("my/old").unwrap().status,
        Status::Deprecated {
            replacement: "my/new".into()
        }
    );
    assert_eq!(flagged(&engine), ["my/new", "my/old"]);
    let mistakes: [(&str, &[&str]); 3] = [
        (
            "status: deprecated\nreplacement: my/gone",
            &["policy `my/old` is deprecated in favour of `my/gone`, which does not exist"],
        ),
        (
            "status: deprecated",
            &["old.yaml:5:9: a deprecated policy names the policy to use instead"],
        ),
        (
            "status: beta\nreplacement: my/x",
            &[
                "old.yaml:5:9: status `beta` is not one of stable, preview, deprecated",
                "old.yaml:6:14: `replacement` goes with `status: deprecated`",
            ],
        ),
    ];
    for (status, wanted) in mistakes {
        let err = Engine::new(&options(&[("old", status)], &[])).unwrap_err().to_string();
        for w in wanted {
            assert!(err.contains(w), "{err}");
        }
    }
    let bad_since = POLICY.replace("0.4.0", "soon").replace("ID", "x").replace("STATUS", "");
    let err = Engine::new(&Options {
        builtin: false,
        policies: vec![PolicyText {
            name: "x.yaml".into(),
            text: bad_since,
        }],
        ..Options::default()
    })
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("x.yaml:4:8: `since` is the Rempart version that added the policy"),
        "{err}"
    );
}
