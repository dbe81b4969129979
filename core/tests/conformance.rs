#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
//! Pod Security Standards conformance: every upstream reference fixture, at its own level and
//! version, must get exactly the verdict the admission controller gives — as a Pod and
//! wrapped in every workload kind.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use rempart::{Engine, LevelChoice, Options, Source};

/// The upstream fixtures: in `$REMPART_SHARED` when set, else in the `shared/` folder
/// beside the checkout.
fn fixtures_dir() -> PathBuf {
    let shared = std::env::var_os("REMPART_SHARED").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared"),
        PathBuf::from,
    );
    shared.join("conformance/pod-security")
}

struct Case {
    path: String,
    level: String,
    version: String,
    pass: bool,
    check: String,
}

/// The fixture manifest, or `None` when the fixtures are not there and the run may go on
/// without them: outside CI the test is skipped with a notice on the terminal; in CI
/// (`CI=true`), where the fixtures are provided, their absence fails the test.
fn manifest_text() -> Option<String> {
    let manifest = fixtures_dir().join("MANIFEST_detail.tsv");
    match std::fs::read_to_string(&manifest) {
        Ok(text) => Some(text),
        Err(e) if std::env::var("CI").is_ok_and(|v| v == "true") => panic!(
            "cannot read {}: {e}; CI=true requires the upstream Pod Security fixtures in the `shared/` folder beside the checkout",
            manifest.display()
        ),
        Err(e) => {
            // Written to the terminal directly: the test harness captures `eprintln!`.
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "\nSKIPPED conformance::every_fixture_agrees_with_the_admission_controller: cannot read {} ({e}).\n\
                 It checks the built-in Pod Security policies against the 4537 upstream admission-controller fixtures,\n\
                 which live outside this repository. To run it, put the `shared/` folder (with `conformance/pod-security/`)\n\
                 beside the checkout or set REMPART_SHARED=/path/to/shared; with CI=true a missing folder fails the test instead of skipping it.",
                manifest.display()
            );
            None
        }
    }
}

fn cases(text: &str) -> Vec<Case> {
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            let col = |i: usize| cols.get(i).copied().unwrap_or_default().to_owned();
            Case {
                path: col(0),
                level: col(1),
                version: col(2),
                pass: col(3) == "pass",
                check: col(5),
            }
        })
        .collect()
}

fn engine(level: &str, version: &str) -> Engine {
    let options = Options::pod_security(LevelChoice::parse(level).unwrap_or_default(), version);
    Engine::new(&options).unwrap_or_else(|e| panic!("{e}"))
}

/// The upstream check ids found, with the pointers of their findings.
fn checks(report: &rempart::Report) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in &report.findings {
        let check = f
            .standards
            .get("pod-security")
            .and_then(|p| p.get("check"))
            .and_then(|c| c.as_str());
        if let Some(check) = check {
            out.entry(check.to_owned()).or_default().push(f.path.clone());
        }
    }
    out
}

/// Wraps a pod (as JSON) into a workload kind; returns the text and the template pointer.
fn wrap(kind: &str, pod: &serde_json::Value) -> (String, &'static str) {
    let template = serde_json::json!({"metadata": pod.get("metadata").cloned().unwrap_or_default(), "spec": pod.get("spec").cloned().unwrap_or_default()});
    let meta = serde_json::json!({"name": "wrapped"});
    let (api, spec, prefix) = match kind {
        "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet" => {
            ("apps/v1", serde_json::json!({"template": template}), "/spec/template")
        }
        "Job" => ("batch/v1", serde_json::json!({"template": template}), "/spec/template"),
        "ReplicationController" => ("v1", serde_json::json!({"template": template}), "/spec/template"),
        "CronJob" => (
            "batch/v1",
            serde_json::json!({"schedule": "@daily", "jobTemplate": {"spec": {"template": template}}}),
            "/spec/jobTemplate/spec/template",
        ),
        _ => ("v1", serde_json::Value::Null, "/template"),
    };
    let doc = if kind == "PodTemplate" {
        serde_json::json!({"apiVersion": api, "kind": kind, "metadata": meta, "template": template})
    } else {
        serde_json::json!({"apiVersion": api, "kind": kind, "metadata": meta, "spec": spec})
    };
    (doc.to_string(), prefix)
}

const WORKLOADS: &[&str] = &[
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
    "ReplicationController",
    "PodTemplate",
];

#[test]
fn every_fixture_agrees_with_the_admission_controller() {
    let Some(text) = manifest_text() else { return };
    let cases = cases(&text);
    assert_eq!(cases.len(), 4537, "the manifest lists 4537 fixtures");
    let mut engines: BTreeMap<(String, String), Engine> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut wrapped = 0;
    for case in &cases {
        let engine = engines
            .entry((case.level.clone(), case.version.clone()))
            .or_insert_with(|| engine(&case.level, &case.version));
        let text = std::fs::read_to_string(fixtures_dir().join(&case.path)).unwrap_or_default();
        let report = engine.scan_source(&Source::new(case.path.clone(), text.clone()));
        if !report.errors.is_empty() {
            failures.push(format!("{}: not readable: {:?}", case.path, report.errors));
            continue;
        }
        let found = checks(&report);
        if case.pass && !found.is_empty() {
            failures.push(format!("{}: should pass, found {:?}", case.path, found));
        }
        if !case.pass && !found.contains_key(&case.check) {
            failures.push(format!(
                "{}: should fail `{}`, found {:?}",
                case.path, case.check, found
            ));
        }
        // The same pod in every workload kind: same checks, findings inside the template.
        let pod: serde_json::Value = report_json(&text);
        let expected: BTreeSet<&String> = found.keys().collect();
        for kind in WORKLOADS {
            let (doc, prefix) = wrap(kind, &pod);
            let r = engine.scan_source(&Source::new(format!("{}#{kind}", case.path), doc));
            let got = checks(&r);
            wrapped += 1;
            if got.keys().collect::<BTreeSet<_>>() != expected {
                failures.push(format!(
                    "{} as {kind}: found {:?}, as a Pod {:?}",
                    case.path,
                    got.keys(),
                    expected
                ));
            }
            if let Some(bad) = got.values().flatten().find(|p| !p.starts_with(prefix)) {
                failures.push(format!("{} as {kind}: finding at {bad}, outside {prefix}", case.path));
            }
        }
    }
    let shown: Vec<&String> = failures.iter().take(40).collect();
    assert!(
        failures.is_empty(),
        "{} of {} fixtures ({} wrapped) disagree:\n{:#?}",
        failures.len(),
        cases.len(),
        wrapped,
        shown
    );
}

/// The fixture as JSON (through the engine's own parser, so YAML 1.1 rules apply).
fn report_json(text: &str) -> serde_json::Value {
    let docs = rempart::document::parse_stream(text, &rempart::Limits::default());
    docs.into_iter()
        .find_map(|d| d.result.ok())
        .map(|n| n.to_json())
        .unwrap_or_default()
}
