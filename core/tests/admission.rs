#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
//! The shared admission vectors (`vectors/admission-*.json`): an `AdmissionReview` request,
//! the engine options and the exact response; the Python and Node tests run the same files.
//! `REMPART_BLESS=1 cargo test --test admission` rewrites the expectations (review the diff).

use std::path::PathBuf;

use serde_json::{json, Value};

fn files() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("admission-") && n.ends_with(".json"))
        })
        .collect();
    files.sort();
    files
}

/// What the vector's review gives: the response, or `{"error": {code, message}}`.
fn answer(vector: &Value) -> Value {
    let engine = rempart::ffi::engine_from_json(&vector["options"].to_string()).unwrap();
    let labels = vector.get("namespaceLabels").map(Value::to_string);
    match rempart::ffi::review_json(&engine, &vector["review"].to_string(), labels.as_deref()) {
        Ok(text) => serde_json::from_str(&text).unwrap(),
        Err(e) => json!({"error": {"code": e.code, "message": e.message}}),
    }
}

#[test]
fn admission_vectors() {
    let bless = std::env::var_os("REMPART_BLESS").is_some();
    let files = files();
    assert!(files.len() >= 15, "expected the admission vectors");
    let mut failures = Vec::new();
    for file in &files {
        let mut vector: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let got = answer(&vector);
        if bless {
            vector["expected"] = got;
            std::fs::write(file, serde_json::to_string_pretty(&vector).unwrap() + "\n").unwrap();
        } else if vector["expected"] != got {
            failures.push(format!(
                "{}:\nexpected {}\n     got {}",
                file.display(),
                vector["expected"],
                got
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The properties every answer keeps, whatever the vector says.
#[test]
fn answers_echo_the_uid_and_deny_only_with_403() {
    for file in files() {
        let vector: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let got = answer(&vector);
        let Some(response) = got.get("response") else { continue };
        assert_eq!(
            response["uid"],
            vector["review"]["request"]["uid"],
            "{}",
            file.display()
        );
        let allowed = response["allowed"].as_bool().unwrap();
        assert_eq!(allowed, response.get("status").is_none(), "{}", file.display());
        for w in response.get("warnings").and_then(Value::as_array).into_iter().flatten() {
            assert!(w.as_str().unwrap().chars().count() <= 120, "{}", file.display());
        }
    }
}

fn engine() -> rempart::Engine {
    rempart::Engine::new(&rempart::Options::default()).unwrap()
}

#[test]
fn hostile_reviews_are_errors_never_panics() {
    let engine = engine();
    let bodies: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"\xff\xfe".to_vec(),
        b"[]".to_vec(),
        b"{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": \"AdmissionReview\", \"request\": {\"uid\": \"u\", \"operation\": \"CREATE\", \"kind\": {\"kind\": \"Pod\"}, \"object\": 3}}".to_vec(),
        b"{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": \"AdmissionReview\", \"request\": {\"uid\": \"u\", \"operation\": \"CREATE\", \"kind\": {\"kind\": \"Pod\"}}}".to_vec(),
        format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)).into_bytes(),
    ];
    for body in bodies {
        let e = engine.review(&body).unwrap_err();
        assert!(!e.message.is_empty());
        assert!(!e.message.contains("serde"), "{}", e.message);
    }
}

#[test]
fn a_denial_lists_every_violated_policy_with_its_pointer_within_bounds() {
    let engine = engine();
    let containers: Vec<Value> = (0..300)
        .map(|i| json!({"name": format!("c{i}"), "image": "nginx", "securityContext": {"privileged": true}}))
        .collect();
    let review = json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
        "uid": "u1", "operation": "CREATE", "kind": {"group": "", "version": "v1", "kind": "Pod"}, "namespace": "n",
        "name": "p", "userInfo": {"username": "bob"},
        "object": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": containers}}}});
    let r = engine.review_with(review.to_string().as_bytes(), None).unwrap();
    assert!(!r.allowed);
    let message = r.response["response"]["status"]["message"].as_str().unwrap();
    assert!(
        message.len() <= rempart::admission::MAX_MESSAGE_BYTES,
        "{}",
        message.len()
    );
    assert!(message.contains("[pod-security/baseline/privileged]"), "{message}");
    assert!(
        message.contains("(at `/spec/containers/0/securityContext/privileged`)"),
        "{message}"
    );
    assert!(message.ends_with(" more"), "{message}");
    assert_eq!(r.response["response"]["status"]["code"], 403);
    let warnings = r.response["response"]["warnings"].as_array().unwrap();
    assert!(warnings.len() <= rempart::admission::MAX_WARNINGS + 1);
    assert!(r.denied_by.contains(&"pod-security/baseline/privileged".to_owned()));
    assert_eq!(r.namespace.as_deref(), Some("n"));
}

#[test]
fn the_configuration_file_admission_section_is_read_with_positions() {
    let src = rempart::Source::new(
        ".rempart.yaml",
        "admission:\n  modes: {high: warn}\n  policies: {pod-security: audit}\n  onUpdate: new-violations\n  exempt: {namespaces: [infra-*]}\n  namespaceLevels: {legacy: privileged}\n",
    );
    let c = rempart::config::load_config(&src, std::path::Path::new(".")).unwrap();
    let a = c.options.admission.unwrap();
    assert_eq!(a.on_update, rempart::admission::OnUpdate::NewViolations);
    assert_eq!(a.exempt.namespaces, vec!["infra-*".to_owned()]);
    assert_eq!(a.exempt.users, vec!["system:apiserver".to_owned()]);
    assert_eq!(a.mode("x", rempart::Severity::High), rempart::admission::Mode::Warn);
    let bad = rempart::Source::new(
        ".rempart.yaml",
        "admission:\n  modes: {high: deny}\n  onUpdate: sometimes\n  exmpt: {}\n",
    );
    let errors = rempart::config::load_config(&bad, std::path::Path::new(".")).unwrap_err();
    let text: Vec<String> = errors
        .iter()
        .map(|e| format!("{}:{}: {}", e.line, e.column, e.message))
        .collect();
    let all = text.join("\n");
    assert!(all.contains("4:3:"), "{all}");
    assert!(all.contains("2:17: a mode is one of enforce, warn, audit"), "{all}");
    assert!(
        all.contains("3:13: `admission.onUpdate` is `all` or `new-violations`"),
        "{all}"
    );
}

#[test]
fn admission_policies_that_name_nothing_are_refused() {
    let options: rempart::Options =
        serde_json::from_value(json!({"admission": {"policies": {"pod-securty": "warn"}}})).unwrap();
    let e = rempart::Engine::new(&options).unwrap_err().to_string();
    assert!(e.contains("`pod-securty` names no selected policy"), "{e}");
}

#[test]
fn the_readme_admission_settings_load_and_build_an_engine() {
    let readme = std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../README.md")).unwrap();
    let block = readme
        .split("```yaml\n")
        .skip(1)
        .filter_map(|b| b.split("```").next())
        .find(|b| b.starts_with("admission:"))
        .expect("an `admission:` example in the README");
    let source = rempart::Source::new(".rempart.yaml", block);
    let config = rempart::config::load_config(&source, std::path::Path::new(".")).unwrap();
    let admission = config.options.admission.unwrap();
    assert_eq!(admission.namespace_levels.len(), 2);
    let options = rempart::Options {
        admission,
        ..rempart::Options::default()
    };
    let engine = rempart::Engine::new(&options).unwrap();
    assert_eq!(
        engine
            .admission()
            .mode("pod-security/restricted/run-as-non-root", rempart::Severity::High),
        rempart::admission::Mode::Warn
    );
}

#[test]
fn control_characters_of_the_object_are_escaped_in_the_answer() {
    let engine = engine();
    let review = json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
        "uid": "u2", "operation": "CREATE", "kind": {"group": "", "version": "v1", "kind": "Pod"}, "namespace": "n",
        "name": "p\u{1b}[31m", "userInfo": {"username": "bob"},
        "object": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [
            {"name": "evil\u{1b}]0;owned\u{7}", "image": "nginx", "securityContext": {"privileged": true}}]}}}});
    let r = engine.review_with(review.to_string().as_bytes(), None).unwrap();
    let text = r.response.to_string();
    assert!(!text.contains("\\u001b"), "{text}");
    let message = r.response["response"]["status"]["message"].as_str().unwrap();
    assert!(!message.chars().any(char::is_control), "{message}");
    assert!(message.contains("`n/p\\u{1b}[31m`"), "{message}");
    let warnings = r.response["response"]["warnings"].to_string();
    assert!(!warnings.contains("\\u0007"), "{warnings}");
}
