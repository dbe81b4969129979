//! The HTTPS server: routes, limits, timeouts, reloads and graceful shutdown.

use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderValue, CONTENT_LENGTH, CONTENT_TYPE};
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use rempart::Engine;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use crate::metrics::Metrics;
use crate::tls::Certificates;
use crate::{log, reload, tls, Args, MAX_BODY_BYTES};

/// What every request shares.
pub struct State {
    engine: RwLock<Arc<Engine>>,
    pub metrics: Metrics,
    ready: AtomicBool,
    request_timeout: Duration,
}

impl State {
    fn engine(&self) -> Option<Arc<Engine>> {
        self.engine.read().ok().map(|e| e.clone())
    }
}

type Answer = Response<Full<Bytes>>;

fn answer(status: StatusCode, content_type: &'static str, body: impl Into<Bytes>) -> Answer {
    let mut r = Response::new(Full::new(body.into()));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

fn json_error(status: StatusCode, message: &str) -> Answer {
    let body = json!({"error": message, "code": status.as_u16()}).to_string();
    answer(status, "application/json", body)
}

/// Whether a `Content-Type` names JSON (`application/json`, with any parameters).
fn is_json(value: Option<&HeaderValue>) -> bool {
    value
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
}

async fn route(state: Arc<State>, request: Request<Incoming>) -> Result<Answer, Infallible> {
    let path = request.uri().path().to_owned();
    Ok(match (request.method(), path.as_str()) {
        (&Method::POST, "/validate") => validate(&state, request).await,
        (&Method::GET, "/healthz") => answer(StatusCode::OK, "text/plain", "ok\n"),
        (&Method::GET, "/readyz") => {
            if state.ready.load(Ordering::Relaxed) {
                answer(StatusCode::OK, "text/plain", "ready\n")
            } else {
                answer(StatusCode::SERVICE_UNAVAILABLE, "text/plain", "shutting down\n")
            }
        }
        (&Method::GET, "/metrics") => answer(StatusCode::OK, "text/plain; version=0.0.4", state.metrics.render()),
        (_, "/validate" | "/healthz" | "/readyz" | "/metrics") => {
            json_error(StatusCode::METHOD_NOT_ALLOWED, "method not allowed")
        }
        _ => json_error(StatusCode::NOT_FOUND, "not found: the webhook answers `POST /validate`"),
    })
}

async fn validate(state: &Arc<State>, request: Request<Incoming>) -> Answer {
    let start = Instant::now();
    let fail = |reason: &'static str, status: StatusCode, message: &str| {
        state.metrics.error(reason, start.elapsed());
        log::line(
            "error",
            json!({"reason": reason, "status": status.as_u16(), "message": message,
                   "latencyMs": start.elapsed().as_secs_f64() * 1000.0}),
        );
        json_error(status, message)
    };
    if !is_json(request.headers().get(CONTENT_TYPE)) {
        return fail(
            "unsupported_media_type",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "the body must be an AdmissionReview sent as `Content-Type: application/json`",
        );
    }
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let too_large = format!("the body is larger than the limit of {MAX_BODY_BYTES} bytes");
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return fail("too_large", StatusCode::PAYLOAD_TOO_LARGE, &too_large);
    }
    let body = match Limited::new(request.into_body(), MAX_BODY_BYTES).collect().await {
        Ok(body) => body.to_bytes(),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => {
            return fail("too_large", StatusCode::PAYLOAD_TOO_LARGE, &too_large);
        }
        Err(_) => return fail("read", StatusCode::BAD_REQUEST, "the body could not be read"),
    };
    let Some(engine) = state.engine() else {
        return fail("internal", StatusCode::INTERNAL_SERVER_ERROR, "no engine");
    };
    let judged = tokio::task::spawn_blocking(move || engine.review_with(&body, None));
    let result = match tokio::time::timeout(state.request_timeout, judged).await {
        Ok(Ok(result)) => result,
        Ok(Err(_)) => {
            return fail(
                "internal",
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal error in the engine",
            )
        }
        Err(_) => {
            let message = format!("the review took longer than {} ms", state.request_timeout.as_millis());
            return fail("timeout", StatusCode::SERVICE_UNAVAILABLE, &message);
        }
    };
    match result {
        Ok(reviewed) => {
            let latency = start.elapsed();
            state.metrics.review(reviewed.allowed, &reviewed.denied_by, latency);
            let mut policies: Vec<&str> = reviewed.findings.iter().map(|(f, _)| f.policy.as_str()).collect();
            policies.dedup();
            log::line(
                "review",
                json!({
                    "uid": reviewed.uid, "kind": reviewed.kind, "namespace": reviewed.namespace,
                    "name": reviewed.name, "operation": reviewed.operation,
                    "subResource": reviewed.sub_resource, "dryRun": reviewed.dry_run,
                    "decision": if reviewed.allowed { "allowed" } else { "denied" },
                    "deniedBy": reviewed.denied_by, "policies": policies, "skipped": reviewed.skipped,
                    "latencyMs": latency.as_secs_f64() * 1000.0,
                }),
            );
            answer(StatusCode::OK, "application/json", reviewed.to_bytes())
        }
        Err(e) => fail("bad_request", StatusCode::BAD_REQUEST, &e.message),
    }
}

/// Runs the webhook until SIGTERM or SIGINT, then finishes the requests in flight.
pub async fn run(args: Args) -> Result<(), String> {
    let engine = reload::build_engine(&args)?;
    let certificates = Certificates::new(tls::load(&args.tls_cert, &args.tls_key)?);
    let acceptor = TlsAcceptor::from(certificates.server_config()?);
    let state = Arc::new(State {
        engine: RwLock::new(Arc::new(engine)),
        metrics: Metrics::default(),
        ready: AtomicBool::new(true),
        request_timeout: args.request_timeout,
    });
    let listener = TcpListener::bind(args.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    log::line(
        "start",
        json!({"listen": local.to_string(), "policies": state.engine().map_or(0, |e| e.policies().len())}),
    );
    tokio::spawn(watch(args.clone(), state.clone(), certificates.clone()));
    let graceful = GracefulShutdown::new();
    let mut terminate = signal(tokio::signal::unix::SignalKind::terminate())?;
    let mut interrupt = signal(tokio::signal::unix::SignalKind::interrupt())?;
    loop {
        let (tcp, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    log::line("error", json!({"message": format!("accept: {e}")}));
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = terminate.recv() => break,
            _ = interrupt.recv() => break,
        };
        let acceptor = acceptor.clone();
        let state = state.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let tls = match tokio::time::timeout(Duration::from_secs(10), acceptor.accept(tcp)).await {
                Ok(Ok(tls)) => tls,
                Ok(Err(e)) => {
                    log::line("tls-error", json!({"message": e.to_string()}));
                    return;
                }
                Err(_) => return,
            };
            let service = service_fn(move |r| route(state.clone(), r));
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(Duration::from_secs(10));
            let connection = builder.serve_connection(TokioIo::new(tls), service);
            let _ = watcher.watch(connection).await;
        });
    }
    state.ready.store(false, Ordering::Relaxed);
    drop(listener);
    log::line("shutdown", json!({"message": "finishing the requests in flight"}));
    tokio::select! {
        () = graceful.shutdown() => log::line("stopped", json!({"message": "every request answered"})),
        () = tokio::time::sleep(args.shutdown_timeout) => {
            log::line("stopped", json!({"message": "shutdown timeout: connections still open were closed"}));
        }
    }
    Ok(())
}

fn signal(kind: tokio::signal::unix::SignalKind) -> Result<tokio::signal::unix::Signal, String> {
    tokio::signal::unix::signal(kind).map_err(|e| format!("cannot handle signals: {e}"))
}

/// Checks the files at each interval and reloads what changed; a broken new set is logged and
/// the previous one kept (and tried again only when the files change again).
async fn watch(args: Args, state: Arc<State>, certificates: Arc<Certificates>) {
    let engine_inputs = reload::engine_inputs(&args);
    let tls_inputs = vec![args.tls_cert.clone(), args.tls_key.clone()];
    let mut engine_seen = reload::fingerprint(&engine_inputs);
    let mut tls_seen = reload::fingerprint(&tls_inputs);
    let mut ticks = tokio::time::interval(args.reload_interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let now = reload::fingerprint(&tls_inputs);
        if now != tls_seen {
            tls_seen = now;
            match tls::load(&args.tls_cert, &args.tls_key) {
                Ok(next) => {
                    certificates.set(next);
                    state.metrics.reload(true);
                    log::line("reload", json!({"what": "certificate", "result": "ok"}));
                }
                Err(e) => {
                    state.metrics.reload(false);
                    log::line(
                        "reload",
                        json!({"what": "certificate", "result": "failed, the previous certificate is kept", "message": e}),
                    );
                }
            }
        }
        let now = reload::fingerprint(&engine_inputs);
        if now != engine_seen {
            engine_seen = now;
            let built = {
                let args = args.clone();
                tokio::task::spawn_blocking(move || reload::build_engine(&args)).await
            };
            match built {
                Ok(Ok(engine)) => {
                    let count = engine.policies().len();
                    if let Ok(mut current) = state.engine.write() {
                        *current = Arc::new(engine);
                    }
                    state.metrics.reload(true);
                    log::line(
                        "reload",
                        json!({"what": "configuration", "result": "ok", "policies": count}),
                    );
                }
                Ok(Err(e)) => {
                    state.metrics.reload(false);
                    log::line(
                        "reload",
                        json!({"what": "configuration", "result": "failed, the previous configuration is kept", "message": e}),
                    );
                }
                Err(_) => state.metrics.reload(false),
            }
        }
    }
}

/// The JSON error body the webhook answers with, for clients and tests.
pub fn error_message(body: &[u8]) -> Option<String> {
    serde_json::from_slice::<Value>(body)
        .ok()?
        .get("error")?
        .as_str()
        .map(str::to_owned)
}
