#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
//! The load test (ignored by default; `scripts/bench` runs it on a release build): 20,000
//! reviews of a typical Deployment, judged by every built-in policy, over 64 kept-alive HTTPS
//! connections to the real binary on loopback. It stops by itself and prints the throughput
//! and the latency percentiles seen by the client (figures in BENCHMARKS.md).
//!
//! `cargo test --release -p rempart-admission-webhook --test load -- --ignored --nocapture`
//! (`REMPART_LOAD_REVIEWS` and `REMPART_LOAD_CONNECTIONS` change the 20,000 and the 64).

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// One response on a kept-alive connection: its status and body.
async fn response(tls: &mut TlsStream<TcpStream>, buf: &mut Vec<u8>) -> (u16, Vec<u8>) {
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let status: u16 = head.split_whitespace().nth(1).unwrap().parse().unwrap();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map(|v| v.trim().parse().unwrap())
                .unwrap();
            let total = end + 4 + length;
            while buf.len() < total {
                read_more(tls, buf).await;
            }
            let body = buf[end + 4..total].to_vec();
            buf.drain(..total);
            return (status, body);
        }
        read_more(tls, buf).await;
    }
}

async fn read_more(tls: &mut TlsStream<TcpStream>, buf: &mut Vec<u8>) {
    let mut chunk = [0u8; 16 * 1024];
    let n = tls.read(&mut chunk).await.unwrap();
    assert!(n > 0, "the server closed the connection");
    buf.extend_from_slice(&chunk[..n]);
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((sorted.len() as f64) * p).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "load test: run by scripts/bench on a release build"]
async fn load() {
    let total = setting("REMPART_LOAD_REVIEWS", 20_000);
    let connections = setting("REMPART_LOAD_CONNECTIONS", 64);
    let ca = ca();
    let server = Arc::new(start("load", &[&ca], &ca, None));
    let body = deployment("load", false).to_string();
    let request = format!(
        "{}{body}",
        head("POST", "/validate", "application/json", body.len()).replace("Connection: close\r\n", "")
    );
    // Warm up: one review, allowed.
    assert_eq!(
        server.review(&deployment("warm", false)).await["response"]["allowed"],
        true
    );
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (server, next, request) = (server.clone(), next.clone(), request.clone());
        tasks.push(tokio::spawn(async move {
            let mut tls = server.connect().await;
            let mut buf = Vec::new();
            let mut latencies = Vec::new();
            while next.fetch_add(1, Ordering::Relaxed) < total {
                let t = Instant::now();
                tls.write_all(request.as_bytes()).await.unwrap();
                let (status, answer) = response(&mut tls, &mut buf).await;
                latencies.push(t.elapsed());
                assert_eq!(status, 200, "{}", String::from_utf8_lossy(&answer));
            }
            latencies
        }));
    }
    let mut latencies = Vec::with_capacity(total);
    for t in tasks {
        latencies.extend(t.await.unwrap());
    }
    let elapsed = started.elapsed();
    assert_eq!(latencies.len(), total);
    latencies.sort();
    let rate = total as f64 / elapsed.as_secs_f64();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "load: {total} reviews over {connections} connections in {:.2} s: {rate:.0} reviews/s, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        elapsed.as_secs_f64(),
        ms(percentile(&latencies, 0.50)),
        ms(percentile(&latencies, 0.99)),
        ms(*latencies.last().unwrap()),
    );
    let (_, metrics) = server.request("GET", "/metrics", "text/plain", b"").await;
    let metrics = String::from_utf8(metrics).unwrap();
    let served = metrics
        .lines()
        .find_map(|l| l.strip_prefix("rempart_webhook_requests_total{decision=\"allowed\"} "))
        .unwrap();
    assert_eq!(
        served.parse::<usize>().unwrap(),
        total + 1,
        "every review was answered by the server"
    );
    for line in metrics
        .lines()
        .filter(|l| l.starts_with("rempart_webhook_request_duration_seconds"))
    {
        println!("  {line}");
    }
}
