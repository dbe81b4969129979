#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
//! Shared test vectors: the same files run here, in the Python tests and in the Node tests,
//! and must give the same findings everywhere. `REMPART_BLESS=1 cargo test --test vectors`
//! rewrites the expectations from the current engine (review the diff before committing).

use std::path::PathBuf;

use serde_json::Value;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors")
}

/// The part of a report the vectors pin down (documentation texts are left out).
fn project(report: &rempart::Report) -> Value {
    let mut v = serde_json::to_value(report).unwrap_or_default();
    if let Some(obj) = v.as_object_mut() {
        obj.remove("version");
        if let Some(Value::Array(findings)) = obj.get_mut("findings") {
            for f in findings.iter_mut().filter_map(Value::as_object_mut) {
                for key in ["title", "category", "fix"] {
                    f.remove(key);
                }
            }
        }
    }
    v
}

/// The engine options of a vector, with its project (configuration text, baseline text,
/// today's date, failure threshold) as the bindings pass them.
fn session_options(vector: &Value) -> String {
    let mut options = vector.get("options").cloned().unwrap_or_else(|| serde_json::json!({}));
    if let (Some(map), Some(p)) = (options.as_object_mut(), vector.get("project")) {
        for (from, to) in [
            ("config", "configText"),
            ("baseline", "baselineText"),
            ("today", "today"),
            ("failOn", "failOn"),
        ] {
            if let Some(v) = p.get(from) {
                map.insert(to.into(), v.clone());
            }
        }
    }
    options.to_string()
}

#[test]
fn shared_vectors() {
    let bless = std::env::var_os("REMPART_BLESS").is_some();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir())
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "json"))
                .filter(|p| !is_detect(p))
                // The admission vectors have their own test (`tests/admission.rs`).
                .filter(|p| {
                    !p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with("admission-"))
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    assert!(files.len() >= 10, "expected the shared vectors in {}", dir().display());
    let mut failures = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        let mut vector: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let options = session_options(&vector);
        let names = rempart::engine::OptionNames::CamelCase;
        let session =
            rempart::ffi::Session::new(&options, &[], names).unwrap_or_else(|e| panic!("{}: {e:?}", file.display()));
        let inputs: Vec<rempart::ffi::Input> =
            serde_json::from_value(vector.get("inputs").cloned().unwrap_or_default()).unwrap_or_default();
        // RBAC questions over the same inputs (`rbac-*.json`): `can-i`, `who-can`, `list`.
        let engine_options = vector.get("options").map(Value::to_string).unwrap_or_default();
        if let Some(Value::Array(queries)) = vector.get_mut("queries") {
            let engine =
                rempart::ffi::engine_from_json(&engine_options).unwrap_or_else(|e| panic!("{}: {e:?}", file.display()));
            for q in queries.iter_mut() {
                let ask: rempart::ffi::AuthQuery =
                    serde_json::from_value(q["query"].clone()).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
                let answer = match q["kind"].as_str() {
                    Some("can-i") => {
                        serde_json::to_value(rempart::ffi::can_i(&engine, &inputs, &ask).unwrap()).unwrap()
                    }
                    Some("who-can") => {
                        serde_json::to_value(rempart::ffi::who_can(&engine, &inputs, &ask).unwrap()).unwrap()
                    }
                    Some("list") => {
                        serde_json::to_value(rempart::ffi::effective_rules(&engine, &inputs, &ask)).unwrap()
                    }
                    other => panic!("{}: unknown query kind {other:?}", file.display()),
                };
                if bless {
                    q["expected"] = answer;
                } else if q.get("expected") != Some(&answer) {
                    failures.push(format!(
                        "{}: query {}:
expected {}
     got {}",
                        file.display(),
                        q["query"],
                        q["expected"],
                        answer
                    ));
                }
            }
        }
        let judged = session.scan(&inputs);
        let got = project(&judged.report);
        if vector.get("project").is_some() {
            let exit = Value::from(judged.exit_code());
            if bless {
                vector["exitCode"] = exit;
            } else if vector.get("exitCode") != Some(&exit) {
                failures.push(format!("{}: exit code {exit}", file.display()));
            }
        }
        if bless {
            vector["expected"] = got;
            let out = serde_json::to_string_pretty(&vector).unwrap_or_default() + "\n";
            std::fs::write(file, out).unwrap_or_else(|e| panic!("{e}"));
        } else if vector.get("expected") != Some(&got) {
            failures.push(format!(
                "{}:\nexpected {}\n     got {}",
                file.display(),
                vector.get("expected").map(Value::to_string).unwrap_or_default(),
                got
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// `detect-*.json` vectors are audit logs for `rempart detect` (see [`detect_vectors`]).
fn is_detect(path: &std::path::Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with("detect-"))
}

/// The part of a detection report the vectors pin down (documentation texts left out).
fn project_detect(report: &rempart::detect::DetectReport) -> Value {
    let mut v = serde_json::to_value(report).unwrap_or_default();
    if let Some(obj) = v.as_object_mut() {
        obj.remove("version");
        if let Some(Value::Array(alerts)) = obj.get_mut("alerts") {
            for a in alerts.iter_mut().filter_map(Value::as_object_mut) {
                for key in ["title", "category", "fix"] {
                    a.remove(key);
                }
            }
        }
    }
    v
}

/// `detect-*.json`: `{options, input: {filename, text}, expected: {alerts, errors, summary}}`,
/// run here, by the Python package (`detect_lines` over the text's lines) and by the npm
/// package (`detect(text)`).
#[test]
fn detect_vectors() {
    let bless = std::env::var_os("REMPART_BLESS").is_some();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir())
        .map(|rd| rd.flatten().map(|e| e.path()).filter(|p| is_detect(p)).collect())
        .unwrap_or_default();
    files.sort();
    assert!(files.len() >= 2, "expected detect vectors in {}", dir().display());
    let mut failures = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        let mut vector: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let options = vector.get("options").map(Value::to_string).unwrap_or_default();
        let engine = rempart::ffi::engine_from_json(&options).unwrap_or_else(|e| panic!("{}: {e:?}", file.display()));
        let input = &vector["input"];
        let report = rempart::ffi::detect(
            &engine,
            input["filename"].as_str().unwrap(),
            input["text"].as_str().unwrap(),
            input.get("format").and_then(Value::as_str).unwrap_or(""),
        )
        .unwrap();
        let got = project_detect(&report);
        if bless {
            vector["expected"] = got;
            let out = serde_json::to_string_pretty(&vector).unwrap_or_default() + "\n";
            std::fs::write(file, out).unwrap_or_else(|e| panic!("{e}"));
        } else if vector.get("expected") != Some(&got) {
            failures.push(format!(
                "{}:\nexpected {}\n     got {}",
                file.display(),
                vector.get("expected").map(Value::to_string).unwrap_or_default(),
                got
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
