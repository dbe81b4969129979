//! Output formats: how a [`Report`] (the model, in `engine/report.rs`) is written.
//!
//! Every format has a writer behind one interface, [`FormatWriter`]: a scan hands it each
//! file's report as the file is done, then the totals. JSON, SARIF, text and GitHub
//! annotations write each file's findings at once; JUnit and PolicyReport group findings (by
//! policy, by namespace), so they keep what they print of each finding and write at the end.
//! Each format also has a function that writes a whole report at once (`json`, `sarif`, …).

use std::io;

use crate::document::Source;
use crate::engine::{Finding, Report};

mod escape;
mod github;
mod json;
mod junit;
mod policy_report;
mod sarif;
mod text;

pub use escape::{is_hidden, push_visible, visible};
pub use github::{github, GithubWriter};
pub use json::{json, JsonWriter};
pub use junit::{junit, JunitWriter};
pub use policy_report::{policy_report, PolicyReportWriter};
pub use sarif::{sarif, SarifWriter};
pub use text::{kubernetes_like, text, text_file, text_notes, text_summary, TextWriter};

/// A report format written as a scan goes: [`file`](FormatWriter::file) once per file, in
/// the order of the scan, then [`finish`](FormatWriter::finish) once. Output goes to the
/// writer the format was started on, and is flushed by `finish`.
pub trait FormatWriter {
    /// Writes one file's report (its findings and errors as the format places them); the
    /// source, when given, is the file's text for code frames.
    fn file(&mut self, report: &Report, source: Option<&Source>) -> io::Result<()>;

    /// Writes what follows the last file, from the scan's `totals` (errors, notes and
    /// summary; its findings are not read, they came through [`file`](FormatWriter::file)).
    fn finish(self: Box<Self>, totals: &Report) -> io::Result<()>;
}

/// What the formats that write at the end keep of a finding: all they print (not the
/// standards, which can be large).
fn kept(f: &Finding) -> Finding {
    Finding {
        standards: serde_json::Map::new(),
        ..f.clone()
    }
}
