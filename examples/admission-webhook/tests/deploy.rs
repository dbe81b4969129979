#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
//! The deployment manifests pass the project's own policies (what `rempart scan
//! examples/admission-webhook/deploy` prints: no finding, no error, nothing skipped), and
//! hold the settings the webhook relies on.

use std::path::PathBuf;

use serde_json::Value;

fn deploy() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("deploy")
}

#[test]
fn the_manifests_have_no_finding() {
    let engine = rempart::Engine::new(&rempart::Options::default()).unwrap();
    let report = rempart::ffi::scan_paths(&engine, &[deploy().display().to_string()]);
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    assert!(report.errors.is_empty(), "{:#?}", report.errors);
    assert_eq!(report.summary.skipped, 0, "{:#?}", report.notes);
    assert!(report.summary.documents >= 9, "{:?}", report.summary);
}

fn yaml_as_json(name: &str) -> Vec<Value> {
    // The manifests are JSON-compatible enough for the engine's own reader.
    let text = std::fs::read_to_string(deploy().join(name)).unwrap();
    let docs = rempart::document::parse_stream(&text, &rempart::Limits::default());
    docs.into_iter().map(|d| d.result.unwrap().to_json()).collect()
}

#[test]
fn the_webhook_configuration_holds_what_the_server_expects() {
    let config = yaml_as_json("90-webhook.yaml").remove(0);
    let hook = &config["webhooks"][0];
    assert_eq!(hook["admissionReviewVersions"], serde_json::json!(["v1"]));
    assert_eq!(hook["sideEffects"], "None");
    assert_eq!(hook["clientConfig"]["service"]["path"], "/validate");
    let excluded = hook["namespaceSelector"]["matchExpressions"][0]["values"].to_string();
    assert!(excluded.contains("kube-system") && excluded.contains("rempart-system"));
    let timeout_ms = hook["timeoutSeconds"].as_u64().unwrap() * 1000;
    let deployment = yaml_as_json("40-deployment.yaml").remove(0);
    let container = &deployment["spec"]["template"]["spec"]["containers"][0];
    let args: Vec<&str> = container["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    let request_ms: u64 = args
        .iter()
        .find_map(|a| a.strip_prefix("--request-timeout-ms="))
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        request_ms < timeout_ms,
        "the request timeout must stay below timeoutSeconds"
    );
    assert_eq!(deployment["spec"]["replicas"], 2);
    // The arguments are the ones the binary reads.
    let argv: Vec<String> = args
        .iter()
        .flat_map(|a| a.splitn(2, '=').map(str::to_owned).collect::<Vec<_>>())
        .collect();
    rempart_webhook::Args::parse(&argv).unwrap();
    let cert = yaml_as_json("30-certificate.yaml");
    assert!(cert
        .iter()
        .any(|c| c["kind"] == "Certificate" && c["spec"]["secretName"] == "rempart-webhook-tls"));
    assert_eq!(
        config["metadata"]["annotations"]["cert-manager.io/inject-ca-from"],
        "rempart-system/rempart-webhook"
    );
}

#[test]
fn the_bundled_configuration_builds_an_engine() {
    let map = yaml_as_json("10-config.yaml").remove(0);
    let dir = std::env::temp_dir().join(format!("rempart-webhook-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("rempart.yaml");
    std::fs::write(&file, map["data"]["rempart.yaml"].as_str().unwrap()).unwrap();
    let argv: Vec<String> = [
        "--listen",
        "127.0.0.1:1",
        "--tls-cert",
        "c",
        "--tls-key",
        "k",
        "--config",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .chain([file.display().to_string()])
    .collect();
    let engine = rempart_webhook::reload::build_engine(&rempart_webhook::Args::parse(&argv).unwrap()).unwrap();
    assert_eq!(
        engine.admission().on_update,
        rempart::admission::OnUpdate::NewViolations
    );
    let _ = std::fs::remove_dir_all(dir);
}
