//! Baselines: the findings a repository already has, recorded by fingerprint (policy,
//! object, JSON pointer, message and file — not the line), so that a scan reports only new
//! ones.
//!
//! The file is named relative to the root of the Git repository that holds it (the nearest
//! directory upward with a `.git`), so that a baseline matches whether the scan runs from the
//! root or from a sub-directory; outside a repository, relative to the current directory.
//! Moving or renaming a file brings its findings back (they are new in that file): the price
//! of not letting a finding recorded in `staging/web.yaml` hide the same one in
//! `prod/web.yaml`.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::fingerprint::{fingerprint, fingerprint_in};
use super::report::{Finding, Report};
use crate::document::ObjectId;

/// The version of the baselines this writes: 2 has the file in the fingerprint; 1 did not.
pub const BASELINE_VERSION: u32 = 2;

/// One recorded finding.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BaselineEntry {
    /// The finding's fingerprint (see [`fingerprint`](crate::engine::fingerprint)).
    pub fingerprint: String,
    /// Its policy id.
    pub policy: String,
    /// Its object.
    pub object: ObjectId,
    /// Its JSON pointer.
    pub path: String,
    /// Its file.
    pub file: String,
}

/// A baseline file.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Baseline {
    /// The format version ([`BASELINE_VERSION`] when written by this version).
    pub version: u32,
    /// The recorded findings.
    pub findings: Vec<BaselineEntry>,
    #[serde(skip)]
    known: HashSet<String>,
}

/// The name a baseline records a file under: its path relative to the root of the Git
/// repository that holds it, or to the current directory, `/`-separated; the name as given
/// when neither applies (stdin, a file elsewhere, no file system).
pub fn file_key(file: &str) -> String {
    let as_given = || {
        let s = file.replace('\\', "/");
        s.strip_prefix("./").unwrap_or(&s).to_owned()
    };
    let Ok(canonical) = Path::new(file).canonicalize() else {
        return as_given();
    };
    let repository = canonical.ancestors().skip(1).find(|d| d.join(".git").exists());
    let cwd = std::env::current_dir().and_then(|d| d.canonicalize()).ok();
    let base = repository.map(Path::to_path_buf).or(cwd);
    match base.as_deref().and_then(|b| canonical.strip_prefix(b).ok()) {
        Some(rel) => rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
        None => as_given(),
    }
}

/// [`file_key`] once per file.
#[derive(Default)]
struct Keys(HashMap<String, String>);

impl Keys {
    fn of(&mut self, file: &str) -> &str {
        self.0.entry(file.to_owned()).or_insert_with(|| file_key(file))
    }
}

impl Baseline {
    /// A baseline recording `findings`.
    pub fn from_findings<'f>(findings: impl IntoIterator<Item = &'f Finding>) -> Baseline {
        let mut keys = Keys::default();
        let mut entries: Vec<BaselineEntry> = findings
            .into_iter()
            .map(|f| {
                let file = keys.of(&f.file).to_owned();
                BaselineEntry {
                    fingerprint: fingerprint_in(f, &file),
                    policy: f.policy.clone(),
                    object: f.object.clone(),
                    path: f.path.clone(),
                    file,
                }
            })
            .collect();
        entries.sort();
        entries.dedup();
        Baseline {
            version: BASELINE_VERSION,
            findings: entries,
            known: HashSet::new(),
        }
        .indexed()
    }

    /// Reads a baseline file (versions 1 and 2).
    pub fn from_json(text: &str) -> Result<Baseline, String> {
        let baseline = serde_json::from_str::<Baseline>(text).map_err(|e| {
            format!("not a Rempart baseline file ({e}); write one with `rempart scan --write-baseline FILE`")
        })?;
        if baseline.version > BASELINE_VERSION || baseline.version == 0 {
            return Err(format!(
                "baseline version {} is not one this Rempart reads (1 to {BASELINE_VERSION}); record it again with `rempart scan --write-baseline FILE`",
                baseline.version
            ));
        }
        Ok(baseline.indexed())
    }

    /// What to tell the user about this baseline: a version 1 baseline (no file in its
    /// fingerprints) still applies, matching each finding's file as it was named when it
    /// was recorded, but should be recorded again.
    pub fn note(&self) -> Option<String> {
        (self.version < BASELINE_VERSION).then(|| {
            format!(
                "this baseline has version {}, whose fingerprints leave out the file; it is matched with the file names it recorded, as named then; record it again with `--write-baseline` (version {BASELINE_VERSION})",
                self.version
            )
        })
    }

    /// The baseline file's text.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    fn indexed(mut self) -> Baseline {
        self.known = if self.version < BASELINE_VERSION {
            self.findings.iter().map(|e| legacy(&e.fingerprint, &e.file)).collect()
        } else {
            self.findings.iter().map(|e| e.fingerprint.clone()).collect()
        };
        self
    }

    /// Removes the findings the baseline already has; counts them in the summary.
    pub fn apply(&self, report: &mut Report) {
        let before = report.findings.len();
        let mut keys = Keys::default();
        let legacy_version = self.version < BASELINE_VERSION;
        report.findings.retain(|f| {
            let key = if legacy_version {
                legacy(&fingerprint(f), &f.file)
            } else {
                fingerprint_in(f, keys.of(&f.file))
            };
            !self.known.contains(&key)
        });
        let removed = before - report.findings.len();
        report.summary.baselined += removed;
        report.summary.findings -= removed.min(report.summary.findings);
    }
}

/// A version 1 entry's key: its fingerprint (without the file) and the file as named.
fn legacy(fingerprint: &str, file: &str) -> String {
    format!("{fingerprint} {file}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Engine, Options, Source};

    const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  hostPID: true\n  containers: [{name: a, image: \"nginx:1\"}]\n";

    #[test]
    fn the_file_is_part_of_the_fingerprint_and_lines_are_not() {
        let engine = Engine::new(&Options::default()).unwrap();
        let staging = engine.scan_source(&Source::new("staging/web.yaml", POD));
        let baseline = Baseline::from_findings(&staging.findings);
        assert_eq!(baseline.version, 2);
        assert!(baseline.findings.iter().all(|e| e.file == "staging/web.yaml"));
        // Shifted lines in the same file: hidden.
        let mut moved = engine.scan_source(&Source::new("./staging/web.yaml", format!("# a\n# b\n{POD}")));
        baseline.apply(&mut moved);
        assert_eq!(
            (moved.findings.len(), moved.summary.baselined),
            (0, staging.findings.len())
        );
        // The same finding in another file: reported.
        let mut prod = engine.scan_source(&Source::new("prod/web.yaml", POD));
        baseline.apply(&mut prod);
        assert_eq!(prod.findings.len(), staging.findings.len());
        // Round trip.
        let again = Baseline::from_json(&baseline.to_json()).unwrap();
        assert!(again.note().is_none());
    }

    #[test]
    fn a_version_1_baseline_still_applies_per_file_with_a_note() {
        let engine = Engine::new(&Options::default()).unwrap();
        let staging = engine.scan_source(&Source::new("staging/web.yaml", POD));
        let entries: Vec<serde_json::Value> = staging
            .findings
            .iter()
            .map(|f| {
                serde_json::json!({"fingerprint": fingerprint(f), "policy": f.policy, "object": f.object, "path": f.path, "file": f.file})
            })
            .collect();
        let old = Baseline::from_json(&serde_json::json!({"version": 1, "findings": entries}).to_string()).unwrap();
        assert!(old.note().unwrap().contains("record it again"));
        let mut same = engine.scan_source(&Source::new("staging/web.yaml", POD));
        old.apply(&mut same);
        assert!(same.findings.is_empty());
        let mut prod = engine.scan_source(&Source::new("prod/web.yaml", POD));
        old.apply(&mut prod);
        assert_eq!(prod.findings.len(), staging.findings.len());
        assert!(Baseline::from_json("{\"version\": 9, \"findings\": []}")
            .unwrap_err()
            .contains("version 9"));
    }
}
