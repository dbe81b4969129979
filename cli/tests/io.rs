#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
//! Inputs, outputs and reports that hostile files cannot abuse: closed pipes, special files,
//! symlinks, hidden files, control characters, outputs written over inputs.

use std::io::Read;
use std::process::{Command, Output, Stdio};

mod common;
use common::Dir;

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}{}", out(o), err(o)))
}

const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  hostPID: true\n  containers: [{name: a, image: \"nginx:latest\"}]\n";

fn many_pods(n: usize) -> String {
    (0..n)
        .map(|i| POD.replace("name: web", &format!("name: web{i}")))
        .collect::<Vec<_>>()
        .join("---\n")
}

#[test]
fn a_closed_pipe_ends_the_scan_quietly() {
    let d = Dir::new("pipe");
    d.write("pods.yaml", &many_pods(400));
    for format in ["text", "json", "sarif", "github"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_rempart"))
            .args(["scan", "--format", format, "pods.yaml"])
            .current_dir(&d.0)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Read one byte and go away, like `head -c 1`.
        let mut first = [0u8; 1];
        child.stdout.take().unwrap().read_exact(&mut first).unwrap();
        let o = child.wait_with_output().unwrap();
        assert_eq!(err(&o), "", "{format}: nothing on stderr");
        assert_eq!(
            o.status.code(),
            Some(1),
            "{format}: findings were seen before the pipe closed"
        );
    }
}

#[test]
fn hostile_names_cannot_forge_workflow_commands_or_terminal_escapes() {
    let d = Dir::new("escape");
    let hostile = POD.replace("name: web", "name: \"x\\n::error file=a::pwned\\e[2J\\u202e\"");
    d.write("pod.yaml", &hostile);
    d.write("x\n::error file=b::forged\u{1b}[31m.yaml", &hostile);
    d.write(
        "broken\n::warning::x.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: [\n",
    );
    for format in ["text", "github", "junit", "sarif"] {
        let o = d.run(&["scan", "--format", format, "--color", "never", "-v", "."]);
        let text = out(&o) + &err(&o);
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{202e}'),
            "{format}: {text}"
        );
        for line in text.lines() {
            let line = line.trim_start();
            for forged in ["::error file=a::", "::error file=b::", "::warning::x"] {
                assert!(!line.starts_with(forged), "{format}: forged command in {line:?}");
            }
        }
        if format == "text" || format == "junit" {
            assert!(
                text.contains("x\\n::error file=a::pwned"),
                "{format}: the name is shown escaped: {text}"
            );
        }
    }
}

#[test]
fn reports_and_baselines_never_overwrite_inputs_or_follow_links() {
    let d = Dir::new("output");
    d.write("pod.yaml", POD)
        .write("k8s/app.yaml", POD)
        .write("k8s/old.json", "{}");
    // The report over the file named.
    let o = d.run(&["scan", "-o", "pod.yaml", "pod.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("would overwrite `pod.yaml`"), "{}", err(&o));
    assert_eq!(std::fs::read_to_string(d.path("pod.yaml")).unwrap(), POD);
    // Over a file found in a directory, or a baseline over an input.
    let o = d.run(&["scan", "--format", "json", "-o", "k8s/old.json", "k8s"]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert_eq!(std::fs::read_to_string(d.path("k8s/old.json")).unwrap(), "{}");
    let o = d.run(&["scan", "--write-baseline", "./k8s/../pod.yaml", "pod.yaml"]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert_eq!(std::fs::read_to_string(d.path("pod.yaml")).unwrap(), POD);
    // Through a symbolic link: refused, the link's target untouched.
    std::os::unix::fs::symlink(d.path("k8s/app.yaml"), d.path("report.txt")).unwrap();
    let o = d.run(&["scan", "-o", "report.txt", "pod.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("symbolic link"), "{}", err(&o));
    assert_eq!(std::fs::read_to_string(d.path("k8s/app.yaml")).unwrap(), POD);
    // A normal run writes both files and leaves no temporary file behind.
    let o = d.run(&[
        "scan",
        "--format",
        "json",
        "-o",
        "out/../report.json",
        "--write-baseline",
        "b.json",
        "pod.yaml",
    ]);
    assert!(
        o.status.code() == Some(2) && err(&o).contains("out"),
        "no such directory: {}",
        err(&o)
    );
    let o = d.run(&[
        "scan",
        "--format",
        "json",
        "-o",
        "report.json",
        "--write-baseline",
        "b.json",
        "pod.yaml",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(d.path("report.json")).unwrap()).unwrap();
    assert!(report["summary"]["findings"].as_u64().unwrap() > 0);
    assert!(std::fs::read_to_string(d.path("b.json"))
        .unwrap()
        .contains("fingerprint"));
    let names: Vec<String> = std::fs::read_dir(&d.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.ends_with(".tmp")), "{names:?}");
    // Writing to a device is allowed.
    let o = d.run(&["scan", "-o", "/dev/null", "pod.yaml"]);
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
}

/// Runs with a deadline: a scan that blocks (a FIFO, an endless device) fails the test
/// instead of hanging it.
fn run_within(d: &Dir, args: &[&str], stdin: Stdio, secs: u64) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rempart"))
        .args(args)
        .current_dir(&d.0)
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed().as_secs() > secs {
            child.kill().unwrap();
            panic!("`rempart {}` did not finish in {secs} s", args.join(" "));
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn devices_fifos_and_endless_stdin_are_bounded() {
    let d = Dir::new("special");
    d.write("k8s/pod.yaml", POD)
        .write(".rempart.yaml", "limits: {maxInputBytes: 4096}\n");
    std::os::unix::fs::symlink("/dev/zero", d.path("k8s/zero.yaml")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", d.path("zero.yaml")).unwrap();
    assert!(Command::new("mkfifo")
        .arg(d.path("k8s/pipe.yaml"))
        .status()
        .unwrap()
        .success());
    // In a directory: the special files are left out, with a note each; the pod is scanned.
    let o = run_within(&d, &["scan", "--format", "json", "k8s"], Stdio::null(), 60);
    let v = json(&o);
    assert_eq!(v["summary"]["files"], 1, "{v}");
    assert_eq!(v["summary"]["ignored"], 2, "{v}");
    let notes = v["notes"].to_string();
    assert!(
        notes.contains("k8s/pipe.yaml") && notes.contains("named pipe"),
        "{notes}"
    );
    assert!(notes.contains("k8s/zero.yaml"), "{notes}");
    // Named directly: refused with a clear error, not read.
    for name in ["zero.yaml", "k8s/pipe.yaml"] {
        let o = run_within(&d, &["scan", "--format", "json", name], Stdio::null(), 60);
        assert_eq!(o.status.code(), Some(2));
        let v = json(&o);
        assert!(
            v["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("not a regular file"),
            "{v}"
        );
    }
    // A file over the limit, and endless stdin: read up to the limit only.
    d.write("big.yaml", &many_pods(100));
    let o = run_within(&d, &["scan", "--format", "json", "big.yaml"], Stdio::null(), 60);
    assert!(json(&o)["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("over the limit of 4096 bytes"));
    let zero = std::fs::File::open("/dev/zero").unwrap();
    let o = run_within(&d, &["scan", "--format", "json", "-"], Stdio::from(zero), 60);
    let v = json(&o);
    assert_eq!(v["errors"][0]["file"], "<stdin>", "{v}");
    assert!(
        v["errors"][0]["message"].as_str().unwrap().contains("over the limit"),
        "{v}"
    );
}

#[test]
fn hidden_files_are_scanned_as_kubectl_reads_them_and_git_is_left_out_visibly() {
    let d = Dir::new("hidden");
    d.write("k8s/.backdoor.yaml", POD)
        .write("k8s/.hidden/pod.yml", POD)
        .write("k8s/.yaml", POD)
        .write("k8s/notes.txt", POD)
        .write("k8s/.git/config.yaml", POD);
    let o = d.run(&["scan", "--format", "json", "k8s"]);
    let v = json(&o);
    let mut files: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    files.dedup();
    assert_eq!(files, ["k8s/.backdoor.yaml", "k8s/.hidden/pod.yml", "k8s/.yaml"]);
    assert_eq!(v["summary"]["ignored"], 1);
    assert_eq!(v["notes"][0]["file"], "k8s/.git");
    let o = d.run(&["scan", "--color", "never", "k8s"]);
    assert!(out(&o).contains("1 path(s) left out"), "{}", out(&o));
}

#[test]
fn symlinks_leaving_the_scanned_paths_are_not_followed_and_secrets_never_framed() {
    let d = Dir::new("links");
    d.write(
        "secret/credentials",
        "[default]\naws_secret_access_key = wJalrXUtnFEMI: x\n",
    );
    d.write("k8s/pod.yaml", POD).write("k8s/sub/app.yaml", POD);
    std::os::unix::fs::symlink(d.path("secret/credentials"), d.path("k8s/config.yaml")).unwrap();
    std::os::unix::fs::symlink(d.path("secret"), d.path("k8s/secrets.yaml")).unwrap();
    // Inside the scanned directory: followed.
    std::os::unix::fs::symlink(d.path("k8s/pod.yaml"), d.path("k8s/sub/link.yaml")).unwrap();
    let o = d.run(&["scan", "--color", "never", "-v", "k8s"]);
    let text = out(&o);
    assert!(!text.contains("wJalr"), "{text}");
    assert!(
        text.contains(
            "k8s/config.yaml: error a symbolic link to a file outside the scanned paths, which kubectl would read"
        ),
        "{text}"
    );
    assert!(
        text.contains("k8s/secrets.yaml: note: a symbolic link to a directory or a special file outside"),
        "{text}"
    );
    assert!(text.contains("k8s/sub/link.yaml:"), "{text}");
    // kubectl would apply what the link points to: the scan cannot pass without it.
    assert_eq!(o.status.code(), Some(2), "{text}");
    // Unless the user leaves the link out.
    d.write(".rempart.yaml", "exclude: [k8s/config.yaml]\n");
    let o = d.run(&["scan", "--color", "never", "k8s"]);
    assert!(!out(&o).contains("k8s/config.yaml"), "{}", out(&o));
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    std::fs::remove_file(d.path(".rempart.yaml")).unwrap();
    // Named directly, the file is read, but its error shows no line of it.
    let o = d.run(&["scan", "--color", "never", "secret/credentials"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        out(&o).contains("secret/credentials:2:") && !out(&o).contains("wJalr"),
        "{}",
        out(&o)
    );
}

#[test]
fn a_baseline_recorded_for_one_file_does_not_hide_the_same_finding_in_another() {
    let d = Dir::new("baseline-file");
    std::fs::create_dir_all(d.path(".git")).unwrap();
    d.write("k8s/staging/web.yaml", POD);
    let o = d.run(&["scan", "--format", "json", "--write-baseline", "b.json", "k8s/staging"]);
    assert_eq!(o.status.code(), Some(1));
    let b: serde_json::Value = serde_json::from_slice(&std::fs::read(d.path("b.json")).unwrap()).unwrap();
    assert_eq!(b["version"], 2);
    assert_eq!(b["findings"][0]["file"], "k8s/staging/web.yaml");
    // From a sub-directory of the repository, lines shifted: still hidden.
    d.write("k8s/staging/web.yaml", &format!("# moved\n{POD}"));
    let o = Command::new(env!("CARGO_BIN_EXE_rempart"))
        .args(["scan", "--format", "json", "--baseline", "../b.json", "staging"])
        .current_dir(d.path("k8s"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    // The same manifest in prod: reported.
    d.write("k8s/prod/web.yaml", POD);
    let o = d.run(&["scan", "--format", "json", "--baseline", "b.json", "k8s"]);
    let v = json(&o);
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["file"] == "k8s/prod/web.yaml"),
        "{v}"
    );
    assert!(v["summary"]["baselined"].as_u64().unwrap() > 0 && v["summary"]["findings"].as_u64().unwrap() > 0);
    let o = d.run(&["scan", "--color", "never", "--baseline", "b.json", "k8s"]);
    assert!(
        out(&o).contains(" hidden by the baseline"),
        "the text summary says it: {}",
        out(&o)
    );
    // A version 1 baseline is read with a note to record it again.
    let mut old = b.clone();
    old["version"] = 1.into();
    std::fs::write(d.path("old.json"), old.to_string()).unwrap();
    let o = d.run(&["scan", "--format", "json", "--baseline", "old.json", "k8s"]);
    assert!(err(&o).contains("record it again"), "{}", err(&o));
    assert!(json(&o)["notes"].to_string().contains("record it again"));
}
