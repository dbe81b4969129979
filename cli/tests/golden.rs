#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
//! Golden files for every output format on the example manifests and on a file with errors
//! and hostile names. `REMPART_BLESS=1 cargo test -p rempart-cli --test golden` rewrites
//! them; review the diff before committing.

use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .unwrap()
}

const FORMATS: &[(&str, &str)] = &[
    ("text", "txt"),
    ("json", "json"),
    ("sarif", "sarif"),
    ("junit", "xml"),
    ("policy-report", "yaml"),
    ("github", "github"),
];

const CASES: &[(&str, &[&str])] = &[
    ("examples", &["examples/manifests"]),
    ("mixed", &["cli/tests/fixtures/mixed.yaml"]),
];

#[test]
fn every_format_matches_its_golden_file() {
    let bless = std::env::var_os("REMPART_BLESS").is_some();
    let root = root();
    let mut failures = Vec::new();
    for (case, paths) in CASES {
        for (format, ext) in FORMATS {
            let out = Command::new(env!("CARGO_BIN_EXE_rempart"))
                .args(["scan", "--format", format, "--color", "never"])
                .args(*paths)
                .current_dir(&root)
                .output()
                .unwrap();
            // The checkout's own location and the version are not part of the format.
            let text = String::from_utf8(out.stdout)
                .unwrap()
                .replace(&root.to_string_lossy().into_owned(), "<root>")
                .replace(rempart::VERSION, "<version>");
            let golden = root.join(format!("cli/tests/golden/{case}.{ext}"));
            if bless {
                std::fs::write(&golden, &text).unwrap();
            } else if std::fs::read_to_string(&golden).unwrap_or_default() != text {
                failures.push(format!(
                    "{} differs from the output of --format {format}:\n{text}",
                    golden.display()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
