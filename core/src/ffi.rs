//! The JSON-shaped request and answer both bindings wrap: one engine, one set of rules,
//! the same findings everywhere.

use serde::{Deserialize, Serialize};

use std::path::PathBuf;

use crate::document::{Node, Source};
use crate::engine::{
    EditorCache, Engine, EngineError, ErrorEntry, Finding, OptionNames, Options, Report, SourceSpan, Summary,
};
use crate::files;
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
            EngineError::InvalidOptions(_) => ErrorInfo {
                code: "options".into(),
                message: e.to_string(),
                source_locations: Vec::new(),
            },
            EngineError::Options(message) => ErrorInfo {
                code: "options".into(),
                message,
                source_locations: Vec::new(),
            },
        }
    }
}

impl ErrorInfo {
    fn options(message: String) -> Self {
        ErrorInfo {
            code: "options".into(),
            message,
            source_locations: Vec::new(),
        }
    }
}

/// Builds an engine from JSON options (the shape of [`Options`]).
pub fn engine_from_json(options: &str) -> Result<Engine, ErrorInfo> {
    engine_with_policy_paths(options, &[])
}

/// Builds an engine from JSON options plus policy files and directories to read.
pub fn engine_with_policy_paths(options: &str, policy_paths: &[PathBuf]) -> Result<Engine, ErrorInfo> {
    engine_with_names(options, policy_paths, OptionNames::CamelCase)
}

/// Like [`engine_with_policy_paths`], with the options spelled in messages as the binding
/// names them (`pod_security_level` for Python).
pub fn engine_with_names(options: &str, policy_paths: &[PathBuf], names: OptionNames) -> Result<Engine, ErrorInfo> {
    let mut options = Options::from_json(options, names).map_err(ErrorInfo::options)?;
    options
        .policies
        .extend(files::policy_files(policy_paths).map_err(ErrorInfo::options)?);
    Engine::new(&options).map_err(ErrorInfo::from)
}

/// Scans files and directories (recursively: .yaml, .yml, .json), one file at a time.
pub fn scan_paths(engine: &Engine, paths: &[String]) -> Report {
    let mut findings = Vec::new();
    let collected: Result<Report, std::convert::Infallible> = files::scan_paths(engine, paths, &[], "", |report, _| {
        findings.append(&mut report.findings);
        Ok(())
    });
    let mut report = collected.unwrap_or_else(|never| match never {});
    report.findings = findings;
    report
}

/// Scans files and directories like [`scan_paths`], writing the JSON report (the CLI's, byte
/// for byte) as the files go, so that no finding is kept longer than its file.
pub fn scan_paths_json(engine: &Engine, paths: &[String]) -> String {
    let mut out = Vec::new();
    let written = crate::report::JsonWriter::start(&mut out).and_then(|mut writer| {
        let totals = files::scan_paths(engine, paths, &[], "", |report, _| writer.findings(&report.findings))?;
        writer.finish(&totals.errors, &totals.notes, &totals.summary)
    });
    match written {
        Ok(()) => String::from_utf8(out).unwrap_or_default(),
        Err(e) => format!("{{\"error\": \"cannot write the report: {e}\"}}"),
    }
}

/// Evaluates objects already loaded (a JSON object, or an array of them): each is a document
/// of the input named `<object>`, with no source positions (spans are empty).
pub fn evaluate_json(engine: &Engine, json: &str) -> Result<Report, ErrorInfo> {
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| ErrorInfo::options(format!("the objects are not valid JSON: {e}")))?;
    let nodes: Vec<Node> = match &value {
        serde_json::Value::Array(items) => items.iter().map(Node::from_json).collect(),
        other => vec![Node::from_json(other)],
    };
    Ok(engine.scan_nodes("<object>", &nodes))
}

/// Where something stands, in the units JavaScript editors use: 1-based lines, 1-based
/// columns and 0-based offsets counted in UTF-16 code units.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EditorRange {
    pub start_line: usize,
    pub start_column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub start_offset: usize,
    pub end_offset: usize,
}

impl EditorRange {
    pub fn of(source: &Source, span: &SourceSpan) -> Self {
        EditorRange {
            start_line: span.start.line,
            start_column: source.utf16_column(span.start.offset),
            end_line: span.end.line,
            end_column: source.utf16_column(span.end.offset),
            start_offset: source.utf16_offset(span.start.offset),
            end_offset: source.utf16_offset(span.end.offset),
        }
    }
}

/// A finding with its place in editor units.
#[derive(Clone, Debug, Serialize)]
pub struct EditorFinding {
    #[serde(flatten)]
    pub finding: Finding,
    pub editor: EditorRange,
    /// The editor ranges of the finding's `related` places, in the same order (`null` for a
    /// place in another text). Written only when the finding has related places.
    #[serde(rename = "relatedEditor", skip_serializing_if = "Vec::is_empty")]
    pub related_editor: Vec<Option<EditorRange>>,
}

/// An error or note with its place in editor units (when it has a place).
#[derive(Clone, Debug, Serialize)]
pub struct EditorEntry {
    #[serde(flatten)]
    pub entry: ErrorEntry,
    pub editor: Option<EditorRange>,
}

/// The report of one text, as an editor shows it: the JSON report's fields plus `editor`
/// ranges on every finding, error and note.
#[derive(Clone, Debug, Serialize)]
pub struct EditorReport {
    pub version: String,
    pub findings: Vec<EditorFinding>,
    pub errors: Vec<EditorEntry>,
    pub notes: Vec<EditorEntry>,
    pub summary: Summary,
}

/// Scans one text for an editor.
pub fn evaluate_for_editor(engine: &Engine, filename: &str, text: &str) -> EditorReport {
    evaluate_for_editor_with(engine, &mut EditorCache::default(), filename, text)
}

/// Scans one text for an editor, reusing from `cache` the findings of the documents that
/// did not change since the previous call (the same findings as without the cache).
pub fn evaluate_for_editor_with(engine: &Engine, cache: &mut EditorCache, filename: &str, text: &str) -> EditorReport {
    let source = Source::new(filename, text);
    let report = if text.len() > engine.limits().max_input_bytes {
        scan(
            engine,
            &[Input {
                filename: filename.to_owned(),
                text: text.to_owned(),
            }],
        )
    } else {
        engine.scan_with_cache(&source, cache)
    };
    let entries = |items: Vec<ErrorEntry>| {
        items
            .into_iter()
            .map(|entry| EditorEntry {
                editor: entry.span.as_ref().map(|s| EditorRange::of(&source, s)),
                entry,
            })
            .collect()
    };
    EditorReport {
        version: report.version,
        findings: report
            .findings
            .into_iter()
            .map(|finding| EditorFinding {
                editor: EditorRange::of(&source, &finding.span),
                related_editor: finding
                    .related
                    .iter()
                    .map(|r| (r.file == source.name).then(|| EditorRange::of(&source, &r.span)))
                    .collect(),
                finding,
            })
            .collect(),
        errors: entries(report.errors),
        notes: entries(report.notes),
        summary: report.summary,
    }
}

/// One policy's metadata and documentation.
pub fn explain(engine: &Engine, id: &str) -> Result<PolicyInfo, ErrorInfo> {
    engine.policy(id).map(PolicyInfo::from).ok_or_else(|| {
        let ids: Vec<&str> = engine.policies().iter().map(|p| p.id.as_str()).collect();
        let hint = crate::policy::suggest(id, &ids)
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        ErrorInfo::options(format!("no policy `{id}`{hint}"))
    })
}

/// Scans texts; one over `maxInputBytes` becomes an error entry and is not read.
pub fn scan(engine: &Engine, inputs: &[Input]) -> Report {
    let max = engine.limits().max_input_bytes;
    let (fit, over): (Vec<&Input>, Vec<&Input>) = inputs.iter().partition(|i| i.text.len() <= max);
    let sources: Vec<Source> = fit
        .iter()
        .map(|i| Source::new(i.filename.clone(), i.text.clone()))
        .collect();
    let mut report = engine.scan(&sources);
    for i in over {
        report.errors.push(ErrorEntry {
            file: i.filename.clone(),
            document: None,
            message: format!(
                "the input is {} bytes, over the limit of {max} bytes; it was not read (raise `maxInputBytes`)",
                i.text.len()
            ),
            span: None,
        });
        report.summary.files += 1;
        report.summary.errors += 1;
    }
    report
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

/// Answers an `AdmissionReview` request given as JSON text (see [`Engine::review_with`]),
/// with the labels of the object's Namespace as a JSON object when the caller knows them.
/// A review that cannot be read is an error with the code `review`.
pub fn review_json(engine: &Engine, review: &str, namespace_labels: Option<&str>) -> Result<String, ErrorInfo> {
    let labels: Option<std::collections::BTreeMap<String, String>> = match namespace_labels {
        Some(text) => Some(serde_json::from_str(text).map_err(|_| ErrorInfo {
            code: "review".into(),
            message: "the namespace labels must be an object of strings".into(),
            source_locations: Vec::new(),
        })?),
        None => None,
    };
    engine
        .review_with(review.as_bytes(), labels.as_ref())
        .map(|r| serde_json::to_string(&r.response).unwrap_or_default())
        .map_err(|e| ErrorInfo {
            code: "review".into(),
            message: e.message,
            source_locations: Vec::new(),
        })
}
