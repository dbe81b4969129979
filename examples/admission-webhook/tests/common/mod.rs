#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![allow(dead_code)]
//! What the webhook tests share: a generated CA and serving certificate, the real binary
//! started on loopback with its JSON log lines collected, a small HTTPS client, and reviews.

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

pub struct Ca {
    pub cert: rcgen::Certificate,
    pub key: KeyPair,
}

pub fn ca() -> Ca {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let cert = params.self_signed(&key).unwrap();
    Ca { cert, key }
}

/// A serving certificate for `localhost` and 127.0.0.1, signed by `ca`: (cert PEM, key PEM, DER).
pub fn leaf(ca: &Ca) -> (String, String, Vec<u8>) {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    params
        .subject_alt_names
        .push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
    let cert = params.signed_by(&key, &ca.cert, &ca.key).unwrap();
    (cert.pem(), key.serialize_pem(), cert.der().to_vec())
}

pub struct Server {
    pub child: Child,
    pub addr: SocketAddr,
    pub logs: Arc<Mutex<Vec<Value>>>,
    pub dir: PathBuf,
    pub connector: TlsConnector,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rempart-webhook-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn start(name: &str, cas: &[&Ca], first: &Ca, config: Option<&str>) -> Server {
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
    pub async fn connect(&self) -> TlsStream<TcpStream> {
        let tcp = TcpStream::connect(self.addr).await.unwrap();
        let name = ServerName::try_from("localhost").unwrap();
        self.connector.connect(name, tcp).await.unwrap()
    }

    /// One request on a new connection: (status, body).
    pub async fn request(&self, method: &str, path: &str, content_type: &str, body: &[u8]) -> (u16, Vec<u8>) {
        let mut tls = self.connect().await;
        send(&mut tls, method, path, content_type, body).await
    }

    pub async fn review(&self, review: &Value) -> Value {
        let (status, body) = self
            .request("POST", "/validate", "application/json", review.to_string().as_bytes())
            .await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        serde_json::from_slice(&body).unwrap()
    }

    pub fn wait_log(&self, what: impl Fn(&Value) -> bool) -> Value {
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

pub fn head(method: &str, path: &str, content_type: &str, len: usize) -> String {
    format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: {content_type}\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n")
}

pub async fn send(
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

pub async fn read_response(tls: &mut TlsStream<TcpStream>) -> (u16, Vec<u8>) {
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

pub fn container(name: &str, privileged: bool) -> Value {
    json!({"name": name, "image": format!("registry.example.com/{name}@sha256:{}", "a".repeat(64)),
        "securityContext": {"privileged": privileged, "allowPrivilegeEscalation": privileged, "runAsNonRoot": true,
            "readOnlyRootFilesystem": true, "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}},
        "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}, "requests": {"cpu": "100m", "memory": "128Mi"}},
        "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080}},
        "readinessProbe": {"httpGet": {"path": "/readyz", "port": 8080}}})
}

pub fn pod_spec(privileged: bool) -> Value {
    json!({"serviceAccountName": "web", "automountServiceAccountToken": false, "containers": [container("app", privileged)]})
}

pub fn review(uid: &str, kind: (&str, &str), object: Value) -> Value {
    json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
        "uid": uid, "kind": {"group": kind.0, "version": "v1", "kind": kind.1}, "operation": "CREATE",
        "namespace": "team-a", "name": "web", "userInfo": {"username": "alice", "groups": ["system:authenticated"]},
        "object": object}})
}

pub fn deployment(uid: &str, privileged: bool) -> Value {
    review(
        uid,
        ("apps", "Deployment"),
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "team-a"},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": {"app": "web"}}, "spec": pod_spec(privileged)}}}),
    )
}

pub fn pod(uid: &str, privileged: bool) -> Value {
    review(
        uid,
        ("", "Pod"),
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "team-a"}, "spec": pod_spec(privileged)}),
    )
}
