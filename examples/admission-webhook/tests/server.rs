#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
//! The real webhook binary on loopback, with a generated CA and certificate, answering real
//! HTTPS requests: decisions, errors, metrics, certificate rotation with requests in flight,
//! configuration reload (a broken one keeps the previous), graceful shutdown on SIGTERM.

mod common;

use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use common::*;
use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decisions_errors_health_and_metrics() {
    let ca = ca();
    let server = start("decisions", &[&ca], &ca, None);

    let r = server.review(&deployment("d-ok", false)).await;
    assert_eq!(r["response"]["uid"], "d-ok");
    assert_eq!(r["response"]["allowed"], true, "{r}");
    let r = server.review(&deployment("d-bad", true)).await;
    assert_eq!(r["response"]["allowed"], false, "{r}");
    assert_eq!(r["response"]["status"]["code"], 403);
    let message = r["response"]["status"]["message"].as_str().unwrap();
    assert!(message.contains("[pod-security/baseline/privileged]"), "{message}");
    assert!(
        message.contains("/spec/template/spec/containers/0/securityContext/privileged"),
        "{message}"
    );
    assert_eq!(server.review(&pod("p-ok", false)).await["response"]["allowed"], true);
    assert_eq!(server.review(&pod("p-bad", true)).await["response"]["allowed"], false);

    let line = server.wait_log(|v| v["uid"] == "p-bad");
    assert_eq!(line["decision"], "denied");
    assert_eq!(line["kind"], "Pod");
    assert_eq!(line["namespace"], "team-a");
    assert_eq!(line["name"], "web");
    assert_eq!(line["operation"], "CREATE");
    assert!(line["deniedBy"]
        .as_array()
        .unwrap()
        .contains(&json!("pod-security/baseline/privileged")));
    assert!(line["latencyMs"].as_f64().unwrap() > 0.0);

    let (status, body) = server
        .request("POST", "/validate", "application/json", b"{not json")
        .await;
    assert_eq!(status, 400);
    let error: Value = serde_json::from_slice(&body).unwrap();
    assert!(error["error"].as_str().unwrap().contains("not valid JSON"), "{error}");
    let (status, body) = server
        .request(
            "POST",
            "/validate",
            "application/json",
            br#"{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview"}"#,
        )
        .await;
    assert_eq!(status, 400, "{}", String::from_utf8_lossy(&body));

    let (status, _) = server.request("POST", "/validate", "text/plain", b"{}").await;
    assert_eq!(status, 415);
    let (status, _) = server
        .request("POST", "/validate", "application/json; charset=utf-8", b"{}")
        .await;
    assert_eq!(status, 400, "a JSON content type with parameters is JSON");

    let big = vec![b' '; 3 * 1024 * 1024 + 1];
    let (status, body) = server.request("POST", "/validate", "application/json", &big).await;
    assert_eq!(status, 413, "{}", String::from_utf8_lossy(&body));
    // Exactly the limit is read and judged (here: not JSON).
    let at_limit = vec![b' '; 3 * 1024 * 1024];
    let (status, _) = server.request("POST", "/validate", "application/json", &at_limit).await;
    assert_eq!(status, 400);

    assert_eq!(server.request("GET", "/healthz", "text/plain", b"").await.0, 200);
    assert_eq!(server.request("GET", "/readyz", "text/plain", b"").await.0, 200);
    assert_eq!(server.request("GET", "/validate", "text/plain", b"").await.0, 405);
    assert_eq!(server.request("GET", "/nowhere", "text/plain", b"").await.0, 404);
    let (status, body) = server.request("GET", "/metrics", "text/plain", b"").await;
    assert_eq!(status, 200);
    let metrics = String::from_utf8(body).unwrap();
    assert!(
        metrics.contains("rempart_webhook_requests_total{decision=\"allowed\"} 2"),
        "{metrics}"
    );
    assert!(
        metrics.contains("rempart_webhook_requests_total{decision=\"denied\"} 2"),
        "{metrics}"
    );
    assert!(
        metrics.contains("rempart_webhook_denials_total{policy=\"pod-security/baseline/privileged\"} 2"),
        "{metrics}"
    );
    assert!(
        metrics.contains("rempart_webhook_errors_total{reason=\"too_large\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("rempart_webhook_errors_total{reason=\"unsupported_media_type\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("rempart_webhook_request_duration_seconds_count"),
        "{metrics}"
    );
}

fn peer(tls: &TlsStream<TcpStream>) -> Vec<u8> {
    tls.get_ref().1.peer_certificates().unwrap()[0].to_vec()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificate_rotation_while_requests_are_in_flight() {
    let (old_ca, new_ca) = (ca(), ca());
    let server = Arc::new(start("rotation", &[&old_ca, &new_ca], &old_ca, None));
    // A connection opened before the rotation, with a request half sent.
    let mut before = server.connect().await;
    let old_cert = peer(&before);
    let body = pod("in-flight", false).to_string();
    let (first, rest) = body.as_bytes().split_at(body.len() / 2);
    before
        .write_all(head("POST", "/validate", "application/json", body.len()).as_bytes())
        .await
        .unwrap();
    before.write_all(first).await.unwrap();
    // Requests keep coming while the files change.
    let load = {
        let server = server.clone();
        tokio::spawn(async move {
            let mut answered = 0;
            for i in 0..40 {
                let r = server.review(&pod(&format!("load-{i}"), false)).await;
                assert_eq!(r["response"]["allowed"], true);
                answered += 1;
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            answered
        })
    };
    let (cert, key, der) = leaf(&new_ca);
    // The key first, then the certificate: in between, the pair does not match and the
    // previous certificate is kept.
    std::fs::write(server.dir.join("tls.key"), key).unwrap();
    std::fs::write(server.dir.join("tls.crt"), cert).unwrap();
    server.wait_log(|v| v["event"] == "reload" && v["what"] == "certificate" && v["result"] == "ok");
    let after = server.connect().await;
    assert_eq!(peer(&after), der, "new connections get the new certificate");
    assert_ne!(old_cert, der);
    before.write_all(rest).await.unwrap();
    let (status, answer) = read_response(&mut before).await;
    assert_eq!(status, 200, "the request in flight is answered on its connection");
    let answer: Value = serde_json::from_slice(&answer).unwrap();
    assert_eq!(answer["response"]["uid"], "in-flight");
    assert_eq!(load.await.unwrap(), 40);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configuration_reload_keeps_the_previous_when_broken() {
    let ca = ca();
    let server = start(
        "reload",
        &[&ca],
        &ca,
        Some("admission:\n  modes: {high: warn, critical: warn}\n"),
    );
    let r = server.review(&pod("warned", true)).await;
    assert_eq!(r["response"]["allowed"], true, "{r}");
    assert!(
        r["response"]["warnings"]
            .to_string()
            .contains("pod-security/baseline/privileged"),
        "{r}"
    );

    std::fs::write(
        server.dir.join("rempart.yaml"),
        "admission:\n  modes: {high: enforce}\n",
    )
    .unwrap();
    server.wait_log(|v| v["event"] == "reload" && v["what"] == "configuration" && v["result"] == "ok");
    assert_eq!(
        server.review(&pod("enforced", true)).await["response"]["allowed"],
        false
    );

    std::fs::write(server.dir.join("rempart.yaml"), "admission:\n  modes: {high: deny}\n").unwrap();
    let failed = server.wait_log(|v| v["event"] == "reload" && v["what"] == "configuration" && v["result"] != "ok");
    assert!(
        failed["message"]
            .as_str()
            .unwrap()
            .contains("a mode is one of enforce, warn, audit"),
        "{failed}"
    );
    assert_eq!(
        server.review(&pod("still-enforced", true)).await["response"]["allowed"],
        false,
        "the previous configuration is kept"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_the_requests_in_flight() {
    let ca = ca();
    let mut server = start("sigterm", &[&ca], &ca, None);
    let mut tls = server.connect().await;
    let body = deployment("last", false).to_string();
    let (first, rest) = body.as_bytes().split_at(10);
    tls.write_all(head("POST", "/validate", "application/json", body.len()).as_bytes())
        .await
        .unwrap();
    tls.write_all(first).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let status = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    server.wait_log(|v| v["event"] == "shutdown");
    // New connections are refused once the listener is closed.
    assert!(TcpStream::connect(server.addr).await.is_err());
    tls.write_all(rest).await.unwrap();
    let (status, answer) = read_response(&mut tls).await;
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_slice::<Value>(&answer).unwrap()["response"]["uid"],
        "last"
    );
    let exit = server.child.wait().unwrap();
    assert!(exit.success(), "{exit:?}");
    server.wait_log(|v| v["event"] == "stopped");
}

#[test]
fn the_binary_refuses_bad_arguments_and_files() {
    let out = Command::new(env!("CARGO_BIN_EXE_rempart-webhook")).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`--listen` is required"));
    let dir = scratch("bad-files");
    let out = Command::new(env!("CARGO_BIN_EXE_rempart-webhook"))
        .args(["--listen", "127.0.0.1:0", "--tls-cert"])
        .arg(dir.join("missing.crt"))
        .arg("--tls-key")
        .arg(dir.join("missing.key"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let line: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["event"], "fatal");
    assert!(line["message"].as_str().unwrap().contains("missing.crt"), "{line}");
    let _ = std::fs::remove_dir_all(dir);
}
