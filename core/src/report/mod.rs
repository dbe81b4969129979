//! Output formats for a report. JSON and text can be written file by file as a scan goes
//! (see [`JsonWriter`] and [`text_file`]); SARIF, JUnit, PolicyReport and GitHub annotations
//! are written from the whole report.

mod escape;
mod fingerprint;
mod github;
mod json;
mod junit;
mod policy_report;
mod sarif;
mod text;

pub use escape::{is_hidden, push_visible, visible};
pub use fingerprint::{fingerprint, fingerprint_in};
pub use github::github;
pub use json::{json, JsonWriter};
pub use junit::junit;
pub use policy_report::policy_report;
pub use sarif::sarif;
pub use text::{kubernetes_like, text, text_file, text_notes, text_summary};
