#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
//! The real webhook binary on loopback, with a generated CA and certificate, answering real
//! HTTPS requests: decisions, errors, metrics, certificate rotation with requests in flight,
//! configuration reload (a broken one keeps the previous), graceful shutdown on SIGTERM.

use std::io::{BufRead, BufReader};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair, SanType};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{ClientConfig, RootCertStore};
use tokio_rustls::TlsConnector;

struct Ca {
    cert: rcgen::Certificate,
    key: KeyPair,
}

fn ca() -> Ca {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let cert = params.self_signed(&key).unwrap();
    Ca { cert, key }
}

/// A serving certificate for `localhost` and 127.0.0.1, signed by `ca`: (cert PEM, key PEM, DER).
fn leaf(ca: &Ca) -> (String, String, Vec<u8>) {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    params
        .subject_alt_names
        .push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
    let cert = params.signed_by(&key, &ca.cert, &ca.key).unwrap();
    (cert.pem(), key.serialize_pem(), cert.der().to_vec())
}

struct Server {
    child: Child,
    addr: SocketAddr,
    logs: Arc<Mutex<Vec<Value>>>,
    dir: PathBuf,
    connector: TlsConnector,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rempart-webhook-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn start(name: &str, cas: &[&Ca], first: &Ca, config: Option<&str>) -> Server {
    let dir = scratch(name);
    let (cert, key, _) = leaf(first);
    std::fs::write(dir.join("tls.crt"), cert).unwrap();
    std::fs::write(dir.join("tls.key"), key).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rempart-webhook"));
    cmd.args(["--listen", "127.0.0.1:0", "--tls-cert"])
        .arg(dir.join("tls.crt"))
        .arg("--tls-key")
        .arg(dir.join("tls.key"))
        .args(["--reload-interval-ms", "100"]);
    if let Some(text) = config {
        std::fs::write(dir.join("rempart.yaml"), text).unwrap();
        cmd.arg("--config").arg(dir.join("rempart.yaml"));
    }
    let mut child = cmd.stdout(Stdio::piped()).spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let logs = Arc::new(Mutex::new(Vec::new()));
    let (tx, rx) = std::sync::mpsc::channel();
    {
        let logs = logs.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let v: Value = serde_json::from_str(&line).unwrap_or_else(|_| panic!("not a JSON log line: {line}"));
                if v["event"] == "start" {
                    let _ = tx.send(v["listen"].as_str().unwrap().to_owned());
                }
                logs.lock().unwrap().push(v);
            }
        });
    }
    let addr: SocketAddr = rx.recv_timeout(Duration::from_secs(60)).unwrap().parse().unwrap();
    let mut roots = RootCertStore::empty();
    for ca in cas {
        roots.add(CertificateDer::from(ca.cert.der().to_vec())).unwrap();
    }
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    // Every connection makes a full handshake, so that it shows the certificate served now.
    config.resumption = tokio_rustls::rustls::client::Resumption::disabled();
    Server {
        child,
        addr,
        logs,
        dir,
        connector: TlsConnector::from(Arc::new(config)),
    }
}

impl Server {
    async fn connect(&self) -> TlsStream<TcpStream> {
        let tcp = TcpStream::connect(self.addr).await.unwrap();
        let name = ServerName::try_from("localhost").unwrap();
        self.connector.connect(name, tcp).await.unwrap()
    }

    /// One request on a new connection: (status, body).
    async fn request(&self, method: &str, path: &str, content_type: &str, body: &[u8]) -> (u16, Vec<u8>) {
        let mut tls = self.connect().await;
        send(&mut tls, method, path, content_type, body).await
    }

    async fn review(&self, review: &Value) -> Value {
        let (status, body) = self
            .request("POST", "/validate", "application/json", review.to_string().as_bytes())
            .await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        serde_json::from_slice(&body).unwrap()
    }

    fn wait_log(&self, what: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(v) = self.logs.lock().unwrap().iter().find(|v| what(v)) {
                return v.clone();
            }
            assert!(
                Instant::now() < deadline,
                "no such log line in {:?}",
                self.logs.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn head(method: &str, path: &str, content_type: &str, len: usize) -> String {
    format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: {content_type}\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n")
}

async fn send(
    tls: &mut TlsStream<TcpStream>,
    method: &str,
    path: &str,
    content_type: &str,
    body: &[u8],
) -> (u16, Vec<u8>) {
    tls.write_all(head(method, path, content_type, body.len()).as_bytes())
        .await
        .unwrap();
    // The server may answer (413) before reading the whole body.
    let _ = tls.write_all(body).await;
    read_response(tls).await
}

async fn read_response(tls: &mut TlsStream<TcpStream>) -> (u16, Vec<u8>) {
    let mut raw = Vec::new();
    let _ = tls.read_to_end(&mut raw).await;
    let text = String::from_utf8_lossy(&raw);
    let status: u16 = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no HTTP response: {text:?}"));
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    (status, raw[split..].to_vec())
}

fn container(name: &str, privileged: bool) -> Value {
    json!({"name": name, "image": format!("registry.example.com/{name}@sha256:{}", "a".repeat(64)),
        "securityContext": {"privileged": privileged, "allowPrivilegeEscalation": privileged, "runAsNonRoot": true,
            "readOnlyRootFilesystem": true, "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}},
        "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}, "requests": {"cpu": "100m", "memory": "128Mi"}},
        "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080}},
        "readinessProbe": {"httpGet": {"path": "/readyz", "port": 8080}}})
}

fn pod_spec(privileged: bool) -> Value {
    json!({"serviceAccountName": "web", "automountServiceAccountToken": false, "containers": [container("app", privileged)]})
}

fn review(uid: &str, kind: (&str, &str), object: Value) -> Value {
    json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
        "uid": uid, "kind": {"group": kind.0, "version": "v1", "kind": kind.1}, "operation": "CREATE",
        "namespace": "team-a", "name": "web", "userInfo": {"username": "alice", "groups": ["system:authenticated"]},
        "object": object}})
}

fn deployment(uid: &str, privileged: bool) -> Value {
    review(
        uid,
        ("apps", "Deployment"),
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "team-a"},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": {"app": "web"}}, "spec": pod_spec(privileged)}}}),
    )
}

fn pod(uid: &str, privileged: bool) -> Value {
    review(
        uid,
        ("", "Pod"),
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "team-a"}, "spec": pod_spec(privileged)}),
    )
}

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
