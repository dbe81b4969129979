//! The JSON-shaped request and answer both bindings wrap: one engine, one set of rules,
//! the same findings everywhere.

use serde::{Deserialize, Serialize};

use crate::document::Source;
use crate::engine::{Engine, EngineError, Options, Report};
use crate::policy::{Docs, Param, Policy};

/// One text to scan.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input {
    pub filename: String,
    pub text: String,
}

/// An error as the bindings raise it: a stable code, a message, and where it happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorInfo {
    /// `options`, `policy` or `internal`.
    pub code: String,
    pub message: String,
    #[serde(rename = "sourceLocations")]
    pub source_locations: Vec<SourceLocation>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceLocation {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl From<EngineError> for ErrorInfo {
    fn from(e: EngineError) -> Self {
        match e {
            EngineError::Policies(errors) => ErrorInfo {
                code: "policy".into(),
                message: EngineError::Policies(errors.clone()).to_string(),
                source_locations: errors
                    .into_iter()
                    .map(|p| SourceLocation {
                        file: p.file,
                        line: p.line,
                        column: p.column,
                        message: p.message,
                    })
                    .collect(),
            },
            EngineError::Options(message) => ErrorInfo {
                code: "options".into(),
                message,
                source_locations: Vec::new(),
            },
        }
    }
}

/// Builds an engine from JSON options (the shape of [`Options`]).
pub fn engine_from_json(options: &str) -> Result<Engine, ErrorInfo> {
    let options: Options = if options.trim().is_empty() {
        Options::default()
    } else {
        serde_json::from_str(options).map_err(|e| ErrorInfo {
            code: "options".into(),
            message: format!("invalid engine options: {e}"),
            source_locations: Vec::new(),
        })?
    };
    Engine::new(&options).map_err(ErrorInfo::from)
}

/// Scans texts.
pub fn scan(engine: &Engine, inputs: &[Input]) -> Report {
    let sources: Vec<Source> = inputs
        .iter()
        .map(|i| Source::new(i.filename.clone(), i.text.clone()))
        .collect();
    engine.scan(&sources)
}

/// A policy's metadata and documentation, as `policies()` lists it.
#[derive(Clone, Debug, Serialize)]
pub struct PolicyInfo {
    pub id: String,
    pub title: String,
    pub severity: String,
    pub category: String,
    pub standards: serde_json::Map<String, serde_json::Value>,
    pub docs: Docs,
    pub params: Vec<Param>,
    pub file: String,
}

impl From<&Policy> for PolicyInfo {
    fn from(p: &Policy) -> Self {
        PolicyInfo {
            id: p.id.clone(),
            title: p.title.clone(),
            severity: p.severity.to_string(),
            category: p.category.clone(),
            standards: p.standards.clone(),
            docs: p.docs.clone(),
            params: p.params.clone(),
            file: p.file.clone(),
        }
    }
}

pub fn policies(engine: &Engine) -> Vec<PolicyInfo> {
    engine.policies().iter().map(PolicyInfo::from).collect()
}
