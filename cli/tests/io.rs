#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
//! Inputs, outputs and reports that hostile files cannot abuse: closed pipes, special files,
//! symlinks, hidden files, control characters, outputs written over inputs.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let d = std::env::temp_dir().join(format!("rempart-io-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Dir(d)
    }

    fn write(&self, rel: &str, text: &str) -> &Dir {
        let p = self.0.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
        self
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.0.join(rel)
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_rempart"))
            .args(args)
            .current_dir(&self.0)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

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
    (0..n).map(|i| POD.replace("name: web", &format!("name: web{i}"))).collect::<Vec<_>>().join("---\n")
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
        assert_eq!(o.status.code(), Some(1), "{format}: findings were seen before the pipe closed");
    }
}

#[test]
fn hostile_names_cannot_forge_workflow_commands_or_terminal_escapes() {
    let d = Dir::new("escape");
    let hostile = POD.replace("name: web", "name: \"x\\n::error file=a::pwned\\e[2J\\u202e\"");
    d.write("pod.yaml", &hostile);
    d.write("x\n::error file=b::forged\u{1b}[31m.yaml", &hostile);
    d.write("broken\n::warning::x.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: [\n");
    for format in ["text", "github", "junit", "sarif"] {
        let o = d.run(&["scan", "--format", format, "--color", "never", "-v", "."]);
        let text = out(&o) + &err(&o);
        assert!(!text.contains('\u{1b}') && !text.contains('\u{202e}'), "{format}: {text}");
        for line in text.lines() {
            let line = line.trim_start();
            for forged in ["::error file=a::", "::error file=b::", "::warning::x"] {
                assert!(!line.starts_with(forged), "{format}: forged command in {line:?}");
            }
        }
        if format == "text" || format == "junit" {
            assert!(text.contains("x\\n::error file=a::pwned"), "{format}: the name is shown escaped: {text}");
        }
    }
}

#[test]
fn reports_and_baselines_never_overwrite_inputs_or_follow_links() {
    let d = Dir::new("output");
    d.write("pod.yaml", POD).write("k8s/app.yaml", POD).write("k8s/old.json", "{}");
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
    let o = d.run(&["scan", "--format", "json", "-o", "out/../report.json", "--write-baseline", "b.json", "pod.yaml"]);
    assert!(o.status.code() == Some(2) && err(&o).contains("out"), "no such directory: {}", err(&o));
    let o = d.run(&["scan", "--format", "json", "-o", "report.json", "--write-baseline", "b.json", "pod.yaml"]);
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(d.path("report.json")).unwrap()).unwrap();
    assert!(report["summary"]["findings"].as_u64().unwrap() > 0);
    assert!(std::fs::read_to_string(d.path("b.json")).unwrap().contains("fingerprint"));
    let names: Vec<String> = std::fs::read_dir(&d.0).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(!names.iter().any(|n| n.ends_with(".tmp")), "{names:?}");
    // Writing to a device is allowed.
    let o = d.run(&["scan", "-o", "/dev/null", "pod.yaml"]);
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
}
