//! Output formats: how a [`Report`](crate::engine::Report) (the model, in `engine/report.rs`)
//! is written. JSON, SARIF, text and GitHub annotations can be written file
//! by file as a scan goes (see [`JsonWriter`], [`SarifWriter`], [`text_file`],
//! [`github_findings`]); JUnit and PolicyReport group findings (by policy, by namespace) and
//! are written from the whole report.

mod escape;
mod github;
mod json;
mod junit;
mod policy_report;
mod sarif;
mod text;

pub use escape::{is_hidden, push_visible, visible};
pub use github::{github, github_errors, github_findings};
pub use json::{json, JsonWriter};
pub use junit::junit;
pub use policy_report::policy_report;
pub use sarif::{sarif, SarifWriter};
pub use text::{kubernetes_like, text, text_file, text_notes, text_summary};
