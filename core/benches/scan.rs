#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
//! Parse vs parse-and-evaluate on a generated corpus of typical workloads, and the Pod
//! Security pack over the upstream fixtures. `cargo bench -p rempart`.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rempart::document::parse_stream;
use rempart::{Engine, LevelChoice, Limits, Options, Source};

mod corpus;
use corpus::corpus;

fn fixtures() -> Vec<(String, String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance/pod-security");
    let manifest = std::fs::read_to_string(dir.join("MANIFEST.tsv")).unwrap_or_default();
    manifest
        .lines()
        .skip(1)
        .filter_map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            let text = std::fs::read_to_string(dir.join(cols.first()?)).ok()?;
            Some((cols.get(1)?.to_string(), cols.get(2)?.to_string(), text))
        })
        .collect()
}

fn benches(c: &mut Criterion) {
    let text = corpus(1000);
    let engine = Engine::new(&Options::default()).unwrap();
    let mut g = c.benchmark_group("workloads-1000");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.sample_size(20);
    g.bench_function("parse", |b| {
        b.iter(|| black_box(parse_stream(black_box(&text), &Limits::default())))
    });
    g.bench_function("parse+evaluate all built-ins", |b| {
        b.iter(|| black_box(engine.scan_source(&Source::new("corpus.yaml", black_box(text.clone())))))
    });
    g.bench_function("copy text only", |b| {
        b.iter(|| black_box(Source::new("corpus.yaml", black_box(text.clone()))))
    });
    g.finish();

    let fixtures = fixtures();
    if !fixtures.is_empty() {
        let mut engines = std::collections::HashMap::new();
        for (level, version, _) in &fixtures {
            engines.entry((level.clone(), version.clone())).or_insert_with(|| {
                let options = Options::pod_security(LevelChoice::parse(level).unwrap_or_default(), version);
                Engine::new(&options).unwrap()
            });
        }
        let bytes: usize = fixtures.iter().map(|f| f.2.len()).sum();
        let mut g = c.benchmark_group("pss-fixtures-4537");
        g.throughput(Throughput::Bytes(bytes as u64));
        g.sample_size(10);
        g.bench_function("parse", |b| {
            b.iter(|| {
                for (_, _, t) in &fixtures {
                    black_box(parse_stream(t, &Limits::default()));
                }
            })
        });
        g.bench_function("parse+evaluate at own level and version", |b| {
            b.iter(|| {
                for (l, v, t) in &fixtures {
                    let e = &engines[&(l.clone(), v.clone())];
                    black_box(e.scan_source(&Source::new("f.yaml", t.clone())));
                }
            })
        });
        g.finish();
    }

    c.bench_function("engine build (load + compile all built-ins)", |b| {
        b.iter(|| black_box(Engine::new(&Options::default()).unwrap()))
    });
}

criterion_group!(scan, benches);
criterion_main!(scan);
