//! `rempart scan -j N`: files are scanned in parallel, and the report is the same, byte for
//! byte, as with one thread.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;
use common::{rempart, run_in, Dir};

/// A corpus of many small files: pods with and without findings, a namespace the pods'
/// context needs, a file that does not parse, an empty file, a folder in between.
fn corpus() -> Dir {
    let d = Dir::new("jobs-corpus");
    d.write(
        "ns.yaml",
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n  labels:\n    pod-security.kubernetes.io/enforce: restricted\n",
    );
    for i in 0..120 {
        let text = match i % 5 {
            0 => format!(
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p{i}\n  namespace: team\nspec:\n  hostNetwork: true\n  containers:\n  - name: c\n    image: nginx:{i}\n    securityContext:\n      privileged: true\n"
            ),
            1 => format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d{i}\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        image: registry.example/app@sha256:{:064}\n        securityContext:\n          runAsNonRoot: true\n          allowPrivilegeEscalation: false\n          readOnlyRootFilesystem: true\n          capabilities: {{drop: [ALL]}}\n          seccompProfile: {{type: RuntimeDefault}}\n        resources: {{limits: {{cpu: 1, memory: 1Gi}}, requests: {{cpu: 1, memory: 1Gi}}}}\n---\napiVersion: v1\nkind: Service\nmetadata: {{name: s{i}}}\nspec: {{type: NodePort}}\n",
                i
            ),
            2 => format!("apiVersion: v1\nkind: Pod\nmetadata: {{name: broken{i}\nspec: [\n"),
            3 => String::new(),
            _ => format!(
                "{{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {{\"name\": \"j{i}\"}}, \"spec\": {{\"containers\": [{{\"name\": \"c\", \"image\": \"busybox\"}}]}}}}\n"
            ),
        };
        let ext = if i % 5 == 4 { "json" } else { "yaml" };
        d.write(&format!("group{}/f{i:03}.{ext}", i % 7), &text);
    }
    d
}

fn same_for_any_jobs(run: impl Fn(&[&str]) -> std::process::Output, args: &[&str]) {
    let one = run(&[args, &["-j", "1"]].concat());
    let refused = String::from_utf8_lossy(&one.stderr);
    assert!(!refused.contains("unexpected argument"), "{refused}");
    assert!(!one.stdout.is_empty());
    for jobs in ["2", "4", "13"] {
        let many = run(&[args, &["--jobs", jobs]].concat());
        assert_eq!(many.status.code(), one.status.code(), "-j {jobs} {args:?}");
        assert!(
            many.stdout == one.stdout,
            "-j {jobs} {args:?}: the report differs from -j 1"
        );
        assert_eq!(many.stderr, one.stderr, "-j {jobs} {args:?}");
    }
    // The default (the available cores) gives the same report too.
    let default = run(args);
    assert!(
        default.stdout == one.stdout,
        "{args:?}: the default report differs from -j 1"
    );
}

#[test]
fn the_examples_give_the_same_report_on_any_number_of_threads() {
    for format in ["json", "text", "sarif", "junit", "github"] {
        same_for_any_jobs(rempart, &["scan", "examples", "--color", "never", "--format", format]);
    }
}

#[test]
fn a_generated_corpus_gives_the_same_report_on_any_number_of_threads() {
    let d = corpus();
    for format in ["json", "text", "sarif"] {
        same_for_any_jobs(
            |args| run_in(&d.0, args),
            &["scan", ".", "--color", "never", "--format", format],
        );
    }
    // A baseline recorded on many threads holds the same findings, in the same order.
    let one = run_in(
        &d.0,
        &[
            "scan",
            ".",
            "-j",
            "1",
            "--write-baseline",
            "b1.json",
            "--format",
            "json",
        ],
    );
    let four = run_in(
        &d.0,
        &[
            "scan",
            ".",
            "-j",
            "4",
            "--write-baseline",
            "b4.json",
            "--format",
            "json",
        ],
    );
    assert_eq!(one.status.code(), four.status.code());
    let b1 = std::fs::read(d.0.join("b1.json")).unwrap();
    assert!(b1.len() > 100);
    assert!(b1 == std::fs::read(d.0.join("b4.json")).unwrap());
}

#[test]
fn zero_jobs_is_refused() {
    let out = rempart(&["scan", "examples", "-j", "0"]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
}
