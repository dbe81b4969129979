//! Baselines: the findings a repository already has, recorded by fingerprint (policy,
//! object, JSON pointer — not the line), so that a scan reports only new ones.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::report::{Finding, Report};
use crate::document::ObjectId;
use crate::report::fingerprint;

/// One recorded finding.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BaselineEntry {
    pub fingerprint: String,
    pub policy: String,
    pub object: ObjectId,
    pub path: String,
    pub file: String,
}

/// A baseline file.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<BaselineEntry>,
    #[serde(skip)]
    known: HashSet<String>,
}

impl Baseline {
    pub fn from_findings<'f>(findings: impl IntoIterator<Item = &'f Finding>) -> Baseline {
        let mut entries: Vec<BaselineEntry> = findings
            .into_iter()
            .map(|f| BaselineEntry {
                fingerprint: fingerprint(f),
                policy: f.policy.clone(),
                object: f.object.clone(),
                path: f.path.clone(),
                file: f.file.clone(),
            })
            .collect();
        entries.sort();
        entries.dedup();
        Baseline {
            version: 1,
            findings: entries,
            known: HashSet::new(),
        }
        .indexed()
    }

    pub fn from_json(text: &str) -> Result<Baseline, String> {
        serde_json::from_str::<Baseline>(text)
            .map(Baseline::indexed)
            .map_err(|e| {
                format!("not a Rempart baseline file ({e}); write one with `rempart scan --write-baseline FILE`")
            })
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    fn indexed(mut self) -> Baseline {
        self.known = self.findings.iter().map(|e| e.fingerprint.clone()).collect();
        self
    }

    /// Removes the findings the baseline already has; counts them in the summary.
    pub fn apply(&self, report: &mut Report) {
        let before = report.findings.len();
        report.findings.retain(|f| !self.known.contains(&fingerprint(f)));
        let removed = before - report.findings.len();
        report.summary.baselined += removed;
        report.summary.findings -= removed.min(report.summary.findings);
    }
}
