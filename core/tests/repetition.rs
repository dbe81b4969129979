#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
//! `scripts/repetition` (blocks of 6+ lines repeated across policy files) over the built-in
//! packs, and on small cases that show what it counts.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repeated blocks the built-in packs still hold: the credential formats that
/// `secrets/credentials-in-config` and `secrets/hardcoded-credentials-in-env` both declare as
/// their `formats` parameter (a parameter cannot be shared between policies yet).
const KNOWN: usize = 1;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs the script; its exit code and standard output.
fn run(args: &[&str]) -> (i32, String) {
    let out = Command::new("python3")
        .arg(root().join("scripts/repetition"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("python3 is needed to run scripts/repetition: {e}"));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn the_builtin_packs_repeat_no_block_beyond_the_known_one() {
    let policies = root().join("policies");
    let (code, out) = run(&["--max", &KNOWN.to_string(), policies.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(&format!("{KNOWN} repeated block(s)")), "{out}");
}

#[test]
fn blocks_are_found_whatever_their_indentation_and_blank_lines() {
    let dir = std::env::temp_dir().join(format!("rempart-repetition-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("pack")).unwrap();
    let lines = ["a: 1", "b: 2", "c: 3", "d: 4", "e: 5", "f: 6"];
    std::fs::write(dir.join("pack/one.yaml"), format!("id: one\n{}\n", lines.join("\n"))).unwrap();
    // Indented, with blank lines and bare keys in between: the same block.
    let spread: Vec<String> = lines.iter().map(|l| format!("    {l}\n\n  rules:\n")).collect();
    std::fs::write(dir.join("pack/two.yml"), format!("id: two\n{}", spread.concat())).unwrap();
    let (code, out) = run(&[dir.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("6 lines in 2 files") && out.contains("1 repeated block(s)"),
        "{out}"
    );
    // Five shared lines are not a block.
    std::fs::write(
        dir.join("pack/two.yml"),
        format!("id: two\n{}\n", lines[..5].join("\n")),
    )
    .unwrap();
    let (code, out) = run(&[dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    std::fs::remove_dir_all(&dir).unwrap();
}
