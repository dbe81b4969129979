//! The JSON-shaped request and answer both bindings wrap: one engine, one set of rules,
//! the same findings everywhere.

use serde::{Deserialize, Serialize};

use std::path::PathBuf;

use crate::document::{Node, Source};
use crate::engine::{
    EditorCache, Engine, EngineError, ErrorEntry, Finding, OptionLayer, OptionNames, Options, Report, SourceSpan,
    Summary,
};
use crate::files;
use crate::format::FormatWriter;
use crate::policy::{Docs, Param, Policy, Severity};
use crate::project::{BaselineChoice, ConfigChoice, Outcome, Project, ProjectError, Settings};

/// One text to scan.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// The name shown in the report.
    pub filename: String,
    /// The text.
    pub text: String,
}

/// An error as the bindings raise it: a stable code, a message, and where it happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorInfo {
    /// `options`, `config`, `policy`, `limit` or `internal`.
    pub code: String,
    /// What is wrong.
    pub message: String,
    #[serde(rename = "sourceLocations")]
    /// Where it is (positioned errors of policy files), first the main place.
    pub source_locations: Vec<SourceLocation>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
/// A place an error refers to.
pub struct SourceLocation {
    /// The file.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong there.
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
            EngineError::Limit(message) => ErrorInfo {
                code: "limit".into(),
                message,
                source_locations: Vec::new(),
            },
        }
    }
}

impl From<ProjectError> for ErrorInfo {
    fn from(e: ProjectError) -> Self {
        ErrorInfo {
            code: e.code.into(),
            message: e.message,
            source_locations: e
                .locations
                .into_iter()
                .map(|p| SourceLocation {
                    file: p.file,
                    line: p.line,
                    column: p.column,
                    message: p.message,
                })
                .collect(),
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
    let written = crate::format::JsonWriter::start(&mut out).and_then(|writer| {
        let mut writer: Box<dyn FormatWriter + '_> = Box::new(writer);
        let totals = files::scan_paths(engine, paths, &[], "", |report, source| writer.file(report, source))?;
        writer.finish(&totals)
    });
    match written {
        Ok(()) => String::from_utf8(out).unwrap_or_default(),
        Err(e) => format!("{{\"error\": \"cannot write the report: {e}\"}}"),
    }
}

/// Evaluates objects already loaded (a JSON object, or an array of them): each is a document
/// of the input named `<object>`, with no source positions (spans are empty).
pub fn evaluate_json(engine: &Engine, json: &str) -> Result<Report, ErrorInfo> {
    if json.len() > engine.limits().max_input_bytes {
        return Ok(oversized(engine, "<object>"));
    }
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
    /// 1-based line of the start.
    pub start_line: usize,
    /// 1-based column of the start, in UTF-16 units.
    pub start_column: usize,
    /// 1-based line of the end.
    pub end_line: usize,
    /// 1-based column of the end, in UTF-16 units.
    pub end_column: usize,
    /// 0-based offset of the start, in UTF-16 units.
    pub start_offset: usize,
    /// 0-based offset of the end, in UTF-16 units.
    pub end_offset: usize,
}

impl EditorRange {
    /// The editor range of a span of `source`.
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
    /// The finding, its fields flattened.
    pub finding: Finding,
    /// Its range in editor units.
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
    /// The error or note, its fields flattened.
    pub entry: ErrorEntry,
    /// Its range in editor units, when it has a place.
    pub editor: Option<EditorRange>,
}

/// The report of one text, as an editor shows it: the JSON report's fields plus `editor`
/// ranges on every finding, error and note.
#[derive(Clone, Debug, Serialize)]
pub struct EditorReport {
    /// The Rempart version.
    pub version: String,
    /// The findings.
    pub findings: Vec<EditorFinding>,
    /// The errors.
    pub errors: Vec<EditorEntry>,
    /// The notes.
    pub notes: Vec<EditorEntry>,
    /// The counts.
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
    let report = raw_editor_report(engine, cache, &source);
    editor_report(&source, &[], report)
}

fn raw_editor_report(engine: &Engine, cache: &mut EditorCache, source: &Source) -> Report {
    if source.text.len() > engine.limits().max_input_bytes {
        oversized(engine, &source.name)
    } else {
        engine.scan_with_cache(source, cache)
    }
}

/// The editor ranges of a report: against `source`, or one of `others` for what lies in
/// them (a configuration text's exceptions).
fn editor_report(source: &Source, others: &[Source], report: Report) -> EditorReport {
    let text_of = |file: &str| {
        std::iter::once(source)
            .chain(others)
            .find(|s| s.name == file)
            .unwrap_or(source)
    };
    let entries = |items: Vec<ErrorEntry>| {
        items
            .into_iter()
            .map(|entry| EditorEntry {
                editor: entry.span.as_ref().map(|s| EditorRange::of(text_of(&entry.file), s)),
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
                editor: EditorRange::of(text_of(&finding.file), &finding.span),
                related_editor: finding
                    .related
                    .iter()
                    .map(|r| (r.file == source.name).then(|| EditorRange::of(source, &r.span)))
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

/// Scans texts; one over `maxInputBytes` (UTF-8 bytes) is an error of the report and is not
/// read, as a file over the limit is; the others are scanned.
pub fn scan(engine: &Engine, inputs: &[Input]) -> Report {
    let max = engine.limits().max_input_bytes;
    let (fit, over): (Vec<&Input>, Vec<&Input>) = inputs.iter().partition(|i| i.text.len() <= max);
    let sources: Vec<Source> = fit
        .iter()
        .map(|i| Source::new(i.filename.clone(), i.text.clone()))
        .collect();
    let mut report = engine.scan(&sources);
    for i in over {
        report.merge(oversized(engine, &i.filename));
    }
    report
}

/// The report of an input over `maxInputBytes`, not read: one error. A binding that refuses a
/// text before handing it over (JS, to spare the copy) answers with this report.
pub fn oversized(engine: &Engine, filename: &str) -> Report {
    let mut report = Report::new();
    report
        .errors
        .push(files::over_limit(filename.to_owned(), engine.limits().max_input_bytes));
    report.summary.files = 1;
    report.summary.errors = 1;
    report
}

/// A policy's metadata and documentation, as `policies()` lists it.
#[derive(Clone, Debug, Serialize)]
pub struct PolicyInfo {
    /// The policy id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its severity (after configuration).
    pub severity: String,
    /// Its category.
    pub category: String,
    /// The standards it maps to.
    pub standards: serde_json::Map<String, serde_json::Value>,
    /// Why it matters, how to fix it, references.
    pub docs: Docs,
    /// Its parameters and their values.
    pub params: Vec<Param>,
    /// The policy file it comes from.
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

/// The engine's policies, as the bindings list them.
pub fn policies(engine: &Engine) -> Vec<PolicyInfo> {
    engine.policies().iter().map(PolicyInfo::from).collect()
}

/// An RBAC question as the bindings ask it: `verb` and `resource` as `kubectl auth can-i`
/// reads them (`TYPE[/NAME]`, `resource.group`, or a non-resource URL such as `/healthz`).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct AuthQuery {
    /// The verb (`get`, `create`, …).
    pub verb: String,
    /// `TYPE[/NAME]`, `resource.group`, or a non-resource URL.
    pub resource: String,
    /// The subresource (`exec`, `log`, …); `""` for none.
    pub subresource: String,
    /// Overrides the group of `resource` (`""` for the core group).
    pub api_group: Option<String>,
    /// `""`: cluster-wide.
    pub namespace: String,
    /// The user asking (`can_i` only); `system:serviceaccount:NS:NAME` for a ServiceAccount.
    pub user: String,
    /// The user's groups (`can_i` only).
    pub groups: Vec<String>,
}

fn auth_sources(engine: &Engine, inputs: &[Input]) -> Vec<Source> {
    let max = engine.limits().max_input_bytes;
    inputs
        .iter()
        .filter(|i| i.text.len() <= max)
        .map(|i| Source::new(i.filename.clone(), i.text.clone()))
        .collect()
}

/// The texts of files and directories, read as `rempart scan` reads them (`kubectl apply -f`
/// expansion, bounded reads); unreadable paths are errors.
pub fn read_paths(engine: &Engine, paths: &[String]) -> Result<Vec<Input>, ErrorInfo> {
    let max = engine.limits().max_input_bytes;
    let collected = files::collect_inputs(paths, &[]);
    if let Some(e) = collected.errors.first() {
        return Err(ErrorInfo::options(format!("`{}`: {}", e.file, e.message)));
    }
    collected
        .inputs
        .iter()
        .map(|i| {
            files::read_input(i, "", max)
                .map(|s| Input {
                    filename: s.name,
                    text: s.text,
                })
                .map_err(|e| ErrorInfo::options(format!("`{}`: {}", e.file, e.message)))
        })
        .collect()
}

fn auth_request(q: &AuthQuery) -> Result<crate::rbac::Request, ErrorInfo> {
    crate::rbac::resources::request(
        &q.verb,
        &q.resource,
        &q.subresource,
        q.api_group.as_deref(),
        &q.namespace,
    )
    .map_err(ErrorInfo::options)
}

/// Whether `query.user` (in `query.groups`) may make the request, over the RBAC objects of
/// `inputs`, with every grant that allows it.
pub fn can_i(engine: &Engine, inputs: &[Input], query: &AuthQuery) -> Result<crate::rbac::CanI, ErrorInfo> {
    if query.user.is_empty() {
        return Err(ErrorInfo::options(
            "say who asks: `user` (a ServiceAccount is `system:serviceaccount:NAMESPACE:NAME`)".into(),
        ));
    }
    let request = auth_request(query)?;
    let analysis = engine.rbac(&auth_sources(engine, inputs));
    Ok(analysis.can_i(&crate::rbac::User::named(&query.user, &query.groups), &request))
}

/// Every subject that may make the request, over the RBAC objects of `inputs`.
pub fn who_can(engine: &Engine, inputs: &[Input], query: &AuthQuery) -> Result<crate::rbac::WhoCan, ErrorInfo> {
    let request = auth_request(query)?;
    let analysis = engine.rbac(&auth_sources(engine, inputs));
    Ok(analysis.who_can(&request))
}

/// The rules `query.user` holds in `query.namespace` (`verb` and `resource` unused).
pub fn effective_rules(engine: &Engine, inputs: &[Input], query: &AuthQuery) -> Vec<crate::rbac::EffectiveRule> {
    let analysis = engine.rbac(&auth_sources(engine, inputs));
    analysis.rules(&crate::rbac::User::named(&query.user, &query.groups), &query.namespace)
}

/// The settings both bindings accept beside the engine options, as JSON keys: `configFile`
/// (a path), `configText` (a configuration file's text), `discover` (find the configuration
/// file from the scanned paths when none is given), `baselineFile`, `baselineText`, `failOn`
/// (`low` … `critical`, `none`) and `today` (`YYYY-MM-DD`, the date exceptions expire against).
pub const PROJECT_KEYS: &[&str] = &[
    "configFile",
    "configText",
    "discover",
    "baselineFile",
    "baselineText",
    "failOn",
    "today",
];

/// An engine with its project: the configuration file, exceptions, baseline and threshold
/// applied to every scan, as `rempart scan` applies them. Immutable but for the engines of
/// configuration files found from scanned paths, built once each.
#[derive(Debug)]
pub struct Session {
    settings: Settings,
    discover: bool,
    baseline: BaselineChoice,
    engine: Engine,
    project: Project,
    /// The configuration file last found from scanned paths, with its engine and project.
    found: std::sync::Mutex<Option<(PathBuf, Built)>>,
}

/// An engine and its project, shared by the scans that found the same configuration file.
type Built = std::sync::Arc<(Engine, Project)>;

/// A report with the decision `rempart scan` would make on it.
#[derive(Clone, Debug)]
pub struct Judged<T> {
    /// The report.
    pub report: T,
    /// The decision: pass, findings or error.
    pub outcome: Outcome,
}

impl Judged<Report> {
    /// `0`, `1` or `2`, as `rempart scan` exits.
    pub fn exit_code(&self) -> i32 {
        self.outcome.exit_code()
    }
}

fn string_key(
    map: &mut serde_json::Map<String, serde_json::Value>,
    key: &str,
    names: OptionNames,
) -> Result<Option<String>, ErrorInfo> {
    match map.remove(key) {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(ErrorInfo::options(format!(
            "option `{}`: {} is not a string",
            names.spell(key),
            crate::format::visible(&other.to_string())
        ))),
    }
}

impl Session {
    /// Builds the project and its engine from JSON options (the engine options plus
    /// [`PROJECT_KEYS`]) and policy files or folders to read.
    pub fn new(options: &str, policy_paths: &[PathBuf], names: OptionNames) -> Result<Session, ErrorInfo> {
        let mut map = match serde_json::from_str::<serde_json::Value>(options) {
            Ok(serde_json::Value::Object(map)) => map,
            // Not a map, or not JSON: the engine options say what is wrong.
            _ => {
                Options::from_json(options, names).map_err(ErrorInfo::options)?;
                serde_json::Map::new()
            }
        };
        let config_file = string_key(&mut map, "configFile", names)?;
        let config_text = string_key(&mut map, "configText", names)?;
        let baseline_file = string_key(&mut map, "baselineFile", names)?;
        let baseline_text = string_key(&mut map, "baselineText", names)?;
        let fail_on = string_key(&mut map, "failOn", names)?;
        let today = string_key(&mut map, "today", names)?;
        let discover = match map.remove("discover") {
            None | Some(serde_json::Value::Null) => false,
            Some(serde_json::Value::Bool(b)) => b,
            Some(_) => {
                return Err(ErrorInfo::options(format!(
                    "option `{}` is `true` or `false`",
                    names.spell("discover")
                )))
            }
        };
        let o = Options::from_json(&serde_json::Value::Object(map.clone()).to_string(), names).map_err(|message| {
            // A misspelt project key (`failon`): say which one was meant.
            let spelled: Vec<String> = PROJECT_KEYS.iter().map(|k| names.spell(k)).collect();
            let refs: Vec<&str> = spelled.iter().map(String::as_str).collect();
            let meant = map
                .keys()
                .find_map(|k| crate::policy::suggest(&names.spell(k), &refs).map(|s| (k.clone(), s.to_owned())));
            match meant {
                Some((key, project_key)) if message.starts_with("unknown option") => ErrorInfo::options(format!(
                    "unknown option `{}`; did you mean `{project_key}`?",
                    crate::format::visible(&names.spell(&key))
                )),
                _ => ErrorInfo::options(message),
            }
        })?;
        let options = OptionLayer::given(&o, &map);
        let fail_on = match fail_on.as_deref() {
            None => None,
            Some("none") => Some(None),
            Some(t) => Some(Some(Severity::parse(t).filter(|s| *s > Severity::Info).ok_or_else(
                || {
                    ErrorInfo::options(format!(
                        "option `{}`: `{}` is not one of `low`, `medium`, `high`, `critical`, `none`",
                        names.spell("failOn"),
                        crate::format::visible(t)
                    ))
                },
            )?)),
        };
        let config = match (config_file, config_text) {
            (Some(_), Some(_)) => {
                return Err(ErrorInfo::options(format!(
                    "options `{}` and `{}`: give one configuration file, not two",
                    names.spell("configFile"),
                    names.spell("configText")
                )))
            }
            (Some(path), None) => ConfigChoice::File(PathBuf::from(path)),
            (None, Some(text)) => ConfigChoice::Text {
                name: crate::config::FILE_NAMES
                    .first()
                    .copied()
                    .unwrap_or_default()
                    .to_owned(),
                text,
            },
            (None, None) => ConfigChoice::None,
        };
        let discover = discover && matches!(config, ConfigChoice::None);
        let baseline = match (baseline_file, baseline_text) {
            (Some(path), _) => BaselineChoice::File(PathBuf::from(path)),
            (None, Some(text)) => BaselineChoice::Text {
                name: "<baseline>".into(),
                text,
            },
            (None, None) => BaselineChoice::None,
        };
        let settings = Settings {
            config,
            options,
            policy_paths: policy_paths.to_vec(),
            fail_on,
            exceptions: None,
            today,
            select_name: Some(format!("option `{}`", names.spell("select"))),
            ignore_name: Some(format!("option `{}`", names.spell("ignore"))),
        };
        let (engine, project) = Session::build(&settings, &baseline)?;
        Ok(Session {
            settings,
            discover,
            baseline,
            engine,
            project,
            found: std::sync::Mutex::new(None),
        })
    }

    fn build(settings: &Settings, baseline: &BaselineChoice) -> Result<(Engine, Project), ErrorInfo> {
        let mut project = Project::new(settings)?;
        let engine = project.engine()?;
        project.read_baseline(baseline)?;
        Ok((engine, project))
    }

    /// The engine built from the options and the configuration file given (not one found
    /// from scanned paths).
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The project (configuration, exceptions, baseline) the scans use.
    pub fn project(&self) -> &Project {
        &self.project
    }

    /// Scans texts as one set; texts over `maxInputBytes` are errors (see [`scan`]).
    pub fn scan(&self, inputs: &[Input]) -> Judged<Report> {
        let (report, outcome) = self.project.apply(scan(&self.engine, inputs));
        Judged { report, outcome }
    }

    /// Evaluates objects already loaded (see [`evaluate_json`]).
    pub fn evaluate_json(&self, json: &str) -> Result<Judged<Report>, ErrorInfo> {
        let (report, outcome) = self.project.apply(evaluate_json(&self.engine, json)?);
        Ok(Judged { report, outcome })
    }

    /// Scans files and folders, writing the JSON report as the files go (see
    /// [`scan_paths_json`]). With `discover`, and no configuration file given, the one found
    /// from the first path upward applies, and a note says so. `jobs` files are scanned at
    /// once (0: the available cores); the report is the same for any number.
    pub fn scan_paths_json(&self, paths: &[String], jobs: usize) -> Result<Judged<String>, ErrorInfo> {
        let jobs = if jobs == 0 { crate::files::default_jobs() } else { jobs };
        let found = self.discovered(paths)?;
        let (engine, project) = match &found {
            Some(pair) => (&pair.0, &pair.1),
            None => (&self.engine, &self.project),
        };
        let mut out = Vec::new();
        let written = crate::format::JsonWriter::start(&mut out).and_then(|writer| {
            let mut writer: Box<dyn FormatWriter + '_> = Box::new(writer);
            let (totals, outcome) =
                project.scan_paths(engine, paths, jobs, |report, source| writer.file(report, source))?;
            writer.finish(&totals)?;
            Ok(outcome)
        });
        match written {
            Ok(outcome) => Ok(Judged {
                report: String::from_utf8(out).unwrap_or_default(),
                outcome,
            }),
            Err(e) => Err(ErrorInfo {
                code: "internal".into(),
                message: format!("cannot write the report: {e}"),
                source_locations: Vec::new(),
            }),
        }
    }

    /// The engine and project of the configuration file found from the first path, when
    /// discovery is on and one is there.
    fn discovered(&self, paths: &[String]) -> Result<Option<Built>, ErrorInfo> {
        if !self.discover {
            return Ok(None);
        }
        let start = PathBuf::from(paths.first().map_or(".", String::as_str));
        let Some(file) = crate::config::discover(&start) else {
            return Ok(None);
        };
        let mut found = self.found.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((path, pair)) = found.as_ref() {
            if *path == file {
                return Ok(Some(std::sync::Arc::clone(pair)));
            }
        }
        let settings = Settings {
            config: ConfigChoice::Discover(start),
            ..self.settings.clone()
        };
        let pair = std::sync::Arc::new(Session::build(&settings, &self.baseline)?);
        *found = Some((file, std::sync::Arc::clone(&pair)));
        Ok(Some(pair))
    }

    /// The editor report of a text over `maxInputBytes` that was not handed over.
    pub fn oversized_for_editor(&self, filename: &str) -> Judged<EditorReport> {
        let source = Source::new(filename, "");
        let (report, outcome) = self.project.apply(oversized(&self.engine, filename));
        Judged {
            report: editor_report(&source, &self.project.exception_sources, report),
            outcome,
        }
    }

    /// Scans one text for an editor, reusing from `cache` what did not change; findings
    /// about exceptions of a configuration text get ranges in that text.
    pub fn evaluate_for_editor(&self, cache: &mut EditorCache, filename: &str, text: &str) -> Judged<EditorReport> {
        let source = Source::new(filename, text);
        let (report, outcome) = self.project.apply(raw_editor_report(&self.engine, cache, &source));
        Judged {
            report: editor_report(&source, &self.project.exception_sources, report),
            outcome,
        }
    }
}

/// Reads `input` (`auto`, `k8s`, `gke`, `aks`, `eks`; empty for `auto`).
fn input_format(input: &str) -> Result<crate::detect::InputFormat, ErrorInfo> {
    if input.is_empty() {
        return Ok(crate::detect::InputFormat::Auto);
    }
    crate::detect::InputFormat::parse(input)
        .ok_or_else(|| ErrorInfo::options(format!("`input` is one of auto, k8s, gke, aks, eks, not `{input}`")))
}

/// Detects threats in one text of audit events (`rempart detect` on a file of that text).
pub fn detect(
    engine: &Engine,
    filename: &str,
    text: &str,
    input: &str,
) -> Result<crate::detect::DetectReport, ErrorInfo> {
    let mut detector = crate::detect::Detector::new(engine).with_format(input_format(input)?);
    Ok(detector.text(filename, text))
}

/// Detects threats in files and directories (`.gz` included), judged as one run: a request
/// logged in two files alerts once, and windows span the files.
pub fn detect_paths(engine: &Engine, paths: &[String], input: &str) -> Result<crate::detect::DetectReport, ErrorInfo> {
    let mut detector = crate::detect::Detector::new(engine).with_format(input_format(input)?);
    let mut report = crate::detect::DetectReport {
        version: crate::VERSION.to_owned(),
        ..Default::default()
    };
    crate::detect::files::detect_paths(&mut detector, paths, &mut |d| match d {
        crate::detect::Detection::Alert(a) => report.alerts.push(a),
        crate::detect::Detection::Error(e) => report.errors.push(e),
    });
    report.summary = detector.summary().clone();
    Ok(report)
}

/// A stream of audit events fed in pieces (lines from a generator, chunks from a socket):
/// alerts come out as soon as the events that raise them are complete.
#[derive(Debug)]
pub struct DetectStream {
    detector: crate::detect::Detector,
    cutter: crate::detect::input::Cutter,
    name: String,
}

impl DetectStream {
    /// `aggregate: false`: rules with `aggregate` alert on every match, uncounted (see
    /// [`crate::detect::Detector::with_aggregation`]).
    pub fn new(engine: &Engine, name: &str, input: &str, aggregate: bool) -> Result<DetectStream, ErrorInfo> {
        let detector = crate::detect::Detector::new(engine)
            .with_format(input_format(input)?)
            .with_aggregation(aggregate);
        let cutter = detector.cutter();
        Ok(DetectStream {
            detector,
            cutter,
            name: name.to_owned(),
        })
    }

    /// Feeds bytes; returns what they completed.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<crate::detect::Detection> {
        let mut out = Vec::new();
        self.detector
            .feed(&mut self.cutter, &self.name, bytes, &mut |d| out.push(d));
        out
    }

    /// The end of the stream (a value left open is an error).
    pub fn finish(&mut self) -> Vec<crate::detect::Detection> {
        let mut out = Vec::new();
        self.detector.finish(&mut self.cutter, &self.name, &mut |d| out.push(d));
        out
    }

    /// Counts so far.
    pub fn summary(&self) -> crate::detect::DetectSummary {
        self.detector.summary().clone()
    }
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
