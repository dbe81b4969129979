//! A project: the configuration file (named, given as text, or found from the scanned paths
//! upward) with the caller's settings over it, the exceptions with their expiry, a baseline,
//! and the failure threshold. The CLI and both bindings build one and get the same report
//! and the same exit decision; they only convert arguments and write output.

use std::path::{Path, PathBuf};

use crate::config::{discover, load_config, locate, locate_at, Config};
use crate::document::Source;
use crate::engine::{
    Baseline, Date, Engine, EngineError, ErrorEntry, Exception, ExceptionSet, Finding, OptionLayer, OptionRef, Options,
    PathStep, Report,
};
use crate::files::{display, policy_files};
use crate::format::visible;
use crate::glob::Glob;
use crate::policy::{PolicyError, Severity};

/// Where the configuration file comes from.
#[derive(Clone, Debug, Default)]
pub enum ConfigChoice {
    /// No configuration file.
    #[default]
    None,
    /// The first of [`crate::config::FILE_NAMES`] in the folder of this path (a file or a
    /// folder) or any folder above; none when there is none.
    Discover(PathBuf),
    /// This file.
    File(PathBuf),
    /// A configuration file's text, for callers without a file system (the browser); its
    /// relative paths are relative to the current folder.
    Text {
        /// Names the file in messages.
        name: String,
        /// The file's text.
        text: String,
    },
}

/// Where the baseline comes from.
#[derive(Clone, Debug, Default)]
pub enum BaselineChoice {
    #[default]
    /// No baseline.
    None,
    /// This baseline file.
    File(PathBuf),
    /// A baseline's JSON text; `name` names it in messages and notes.
    Text {
        /// Names the baseline in messages and notes.
        name: String,
        /// The baseline's JSON text.
        text: String,
    },
}

/// What the caller sets over the configuration file (command-line flags, a binding's
/// arguments): an engine option set in `options` replaces the file's; `options.policies`
/// (texts) and `policy_paths` add to the file's `policies`.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// Which configuration file applies.
    pub config: ConfigChoice,
    /// Engine options set by the caller, over the file's.
    pub options: OptionLayer,
    /// Policy files and folders to read.
    pub policy_paths: Vec<PathBuf>,
    /// The failure threshold: `Some(None)` never fails.
    pub fail_on: Option<Option<Severity>>,
    /// A file of more exceptions (`exceptions:` as in the configuration file).
    pub exceptions: Option<PathBuf>,
    /// The date exceptions are checked against, `YYYY-MM-DD`; today (UTC) when unset.
    pub today: Option<String>,
    /// How messages name the `select` and `ignore` the caller sets (``"`--select`"``).
    pub select_name: Option<String>,
    /// How messages name the `ignore` the caller sets.
    pub ignore_name: Option<String>,
}

/// A mistake in the project's settings: what it is about (`config` for a configuration or
/// exceptions file, `policy` for a policy file, `options` for the rest), the message, and
/// each mistake with its file, line and column when it has them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProjectError {
    /// `config`, `policy` or `options`.
    pub code: &'static str,
    /// What is wrong.
    pub message: String,
    /// Each mistake with its file, line and column, when it has them.
    pub locations: Vec<PolicyError>,
}

impl std::fmt::Display for ProjectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ProjectError {}

impl From<String> for ProjectError {
    fn from(message: String) -> Self {
        ProjectError {
            code: "options",
            message,
            locations: Vec::new(),
        }
    }
}

impl ProjectError {
    fn config(message: String, locations: Vec<PolicyError>) -> Self {
        ProjectError {
            code: "config",
            message,
            locations,
        }
    }
}

/// What a scan decides: the exit status of `rempart scan`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing at or above the threshold, no error.
    Pass,
    /// Findings at or above the threshold.
    Findings,
    /// An input or a document could not be read.
    Error,
}

impl Outcome {
    /// An error wins; then findings of `worst` severity fail at or above `fail_on` (`info`
    /// findings never fail).
    pub fn decide(errors: bool, worst: Option<Severity>, fail_on: Option<Severity>) -> Outcome {
        let worst = worst.filter(|s| *s > Severity::Info);
        if errors {
            Outcome::Error
        } else if fail_on.is_some_and(|t| worst.is_some_and(|w| w >= t)) {
            Outcome::Findings
        } else {
            Outcome::Pass
        }
    }

    /// The decision for a whole report (its findings all there).
    pub fn of(report: &Report, fail_on: Option<Severity>) -> Outcome {
        Outcome::decide(!report.errors.is_empty(), report.worst(), fail_on)
    }

    /// `0`, `1` or `2`, as `rempart scan` exits.
    pub fn exit_code(self) -> i32 {
        match self {
            Outcome::Pass => 0,
            Outcome::Findings => 1,
            Outcome::Error => 2,
        }
    }
}

/// The settings of a scan, resolved: the engine options, the threshold, the paths left out,
/// the exceptions and the baseline.
#[derive(Debug)]
pub struct Project {
    /// The engine options: the file's, with the caller's over them.
    pub options: Options,
    /// Findings of this severity or above fail the scan; `None` never fails.
    pub fail_on: Option<Severity>,
    /// Paths left out of the scan.
    pub exclude: Vec<Glob>,
    /// Accepted findings (the file's and the caller's exceptions file).
    pub exceptions: Vec<Exception>,
    /// The files that hold the exceptions, for the findings about them.
    pub exception_sources: Vec<Source>,
    /// The configuration file read, when there is one.
    pub config: Option<Config>,
    /// The configuration file was found from the scanned paths (not named by the caller).
    pub discovered: bool,
    /// The baseline read, when one is given.
    pub baseline: Option<Baseline>,
    baseline_name: Option<String>,
    config_source: Option<Source>,
    select_name: Option<String>,
    ignore_name: Option<String>,
    /// The date exceptions are checked against.
    pub today: Date,
}

fn read(path: &Path) -> Result<Source, ProjectError> {
    let bytes = std::fs::read(path)
        .map_err(|e| ProjectError::config(format!("cannot read `{}`: {e}", path.display()), Vec::new()))?;
    Source::from_bytes(display(path), bytes)
        .map_err(|e| ProjectError::config(format!("`{}`: {e}", path.display()), Vec::new()))
}

fn load(source: Source, dir: &Path, shown: &str) -> Result<(Config, Source), ProjectError> {
    match load_config(&source, dir) {
        Ok(config) => Ok((config, source)),
        Err(errors) => Err(ProjectError::config(
            format!(
                "{} mistake(s) in `{shown}`:\n{}",
                errors.len(),
                errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
            ),
            errors,
        )),
    }
}

fn load_file(path: &Path) -> Result<(Config, Source), ProjectError> {
    let source = read(path)?;
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let dir = if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir
    };
    load(source, &dir, &path.display().to_string())
}

impl Project {
    /// Reads the configuration file (if any) and the exceptions file, and lays the settings
    /// over them. Every mistake of a configuration file has its line and column.
    pub fn new(s: &Settings) -> Result<Project, ProjectError> {
        let (found, discovered) = match &s.config {
            ConfigChoice::None => (None, false),
            ConfigChoice::File(path) => (Some(load_file(path)?), false),
            ConfigChoice::Discover(start) => (discover(start).map(|p| load_file(&p)).transpose()?, true),
            ConfigChoice::Text { name, text } => {
                let source = Source::new(name.clone(), text.clone());
                (Some(load(source, Path::new("."), name)?), false)
            }
        };
        let (config, config_source) = found.map_or((None, None), |(c, s)| (Some(c), Some(s)));
        let c = config.clone().unwrap_or_default();
        // A policy path of the configuration file that is not there: at its line and column.
        if let Some(source) = &config_source {
            for (i, path) in c.policies.iter().enumerate() {
                if !path.exists() {
                    let message = format!(
                        "`policies`: `{}` does not exist",
                        path.strip_prefix(".").unwrap_or(path).display()
                    );
                    let steps = [PathStep::Key("policies".into()), PathStep::Index(i)];
                    return Err(match locate_at(source, &steps, message.clone()) {
                        Some(at) => ProjectError::config(at.to_string(), vec![at]),
                        None => ProjectError::config(message, Vec::new()),
                    });
                }
            }
        }
        let mut policy_paths = c.policies.clone();
        policy_paths.extend(s.policy_paths.iter().cloned());
        let mut policies = policy_files(&policy_paths)?;
        policies.extend(s.options.policies.iter().flatten().cloned());
        let mut layer = s.options.clone().over(c.options.clone());
        layer.policies = Some(policies);
        let options = layer.resolve();
        let fail_on = match s.fail_on {
            Some(threshold) => threshold,
            None => match c.fail_on.as_deref() {
                Some("none") => None,
                Some(t) => Severity::parse(t),
                None => Some(Severity::Low),
            },
        };
        let mut exceptions = c.exceptions.clone();
        let mut exception_sources: Vec<Source> = config_source
            .iter()
            .map(|s| Source::new(s.name.clone(), s.text.to_string()))
            .collect();
        if let Some(path) = &s.exceptions {
            let (extra, source) = load_file(path)?;
            exceptions.extend(extra.exceptions);
            exception_sources.push(source);
        }
        let today = match &s.today {
            Some(t) => Date::parse(t).ok_or_else(|| format!("`--today {t}` is not a date written YYYY-MM-DD"))?,
            // The clock is read only when an exception can expire (a browser's WebAssembly
            // has no clock: the JS package passes the date).
            None if exceptions.iter().any(|e| e.expires.is_some()) => Date::today(),
            None => Date::from_days(0),
        };
        Ok(Project {
            options,
            fail_on,
            exclude: c.exclude.clone(),
            exceptions,
            exception_sources,
            config,
            discovered: discovered && config_source.is_some(),
            baseline: None,
            baseline_name: None,
            config_source,
            select_name: s.options.select.as_ref().and(s.select_name.clone()),
            ignore_name: s.options.ignore.as_ref().and(s.ignore_name.clone()),
            today,
        })
    }

    /// Reads the baseline whose findings the scans leave out.
    pub fn read_baseline(&mut self, choice: &BaselineChoice) -> Result<(), ProjectError> {
        let (name, text) = match choice {
            BaselineChoice::None => return Ok(()),
            BaselineChoice::File(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("cannot read the baseline `{}`: {e}", visible(&path.to_string_lossy())))?;
                (display(path), text)
            }
            BaselineChoice::Text { name, text } => (name.clone(), text.clone()),
        };
        let shown = visible(&name).into_owned();
        self.baseline = Some(Baseline::from_json(&text).map_err(|e| format!("`{shown}`: {e}"))?);
        self.baseline_name = Some(name);
        Ok(())
    }

    /// The configuration file's name, when there is one.
    pub fn config_file(&self) -> Option<&str> {
        self.config_source.as_ref().map(|s| s.name.as_str())
    }

    /// The engine for these settings. A mistake in an option that names policies points at
    /// the configuration file's line and column when the file holds it, else at the setting
    /// (`--select`).
    pub fn engine(&self) -> Result<Engine, ProjectError> {
        Engine::new(&self.options).map_err(|e| match e {
            EngineError::InvalidOptions(mistakes) => {
                let mut locations = Vec::new();
                let header = (mistakes.len() > 1).then(|| format!("{} mistakes in the options:", mistakes.len()));
                let lines: Vec<String> = mistakes
                    .iter()
                    .map(|m| {
                        let given = match m.option {
                            OptionRef::Select(_) => self.select_name.as_deref(),
                            OptionRef::Ignore(_) => self.ignore_name.as_deref(),
                            _ => None,
                        };
                        let located = self
                            .config_source
                            .as_ref()
                            .filter(|_| given.is_none())
                            .and_then(|s| locate(s, m));
                        match (given, located) {
                            (Some(name), _) => format!("{name}: {}", m.message),
                            (None, Some(at)) => {
                                let text = at.to_string();
                                locations.push(at);
                                text
                            }
                            (None, None) => m.to_string(),
                        }
                    })
                    .collect();
                ProjectError {
                    code: "options",
                    message: header.into_iter().chain(lines).collect::<Vec<_>>().join("\n"),
                    locations,
                }
            }
            EngineError::Policies(errors) => ProjectError {
                code: "policy",
                message: EngineError::Policies(errors.clone()).to_string(),
                locations: errors,
            },
            EngineError::Limit(message) => ProjectError {
                code: "limit",
                message,
                locations: Vec::new(),
            },
            other => other.to_string().into(),
        })
    }

    /// The effective configuration, as `rempart config` prints it.
    pub fn describe(&self) -> serde_json::Value {
        let o = &self.options;
        serde_json::json!({
            "configFile": self.config.as_ref().and_then(|c| c.file.clone()),
            "select": o.select,
            "ignore": o.ignore,
            "severities": o.severities,
            "params": o.params,
            "podSecurity": {"level": o.pod_security_level, "version": o.pod_security_version},
            "failOn": self.fail_on.map_or("none", Severity::as_str),
            "builtin": o.builtin,
            "policies": o.policies.iter().map(|p| p.name.clone()).collect::<Vec<_>>(),
            "exclude": self.exclude.iter().map(|g| g.pattern.clone()).collect::<Vec<_>>(),
            "exceptions": self.exceptions,
            "limits": o.limits,
        })
    }

    /// A judge for one scan: `record` keeps the findings for a new baseline.
    pub fn judge(&self, record: bool) -> Judge<'_> {
        Judge {
            project: self,
            exceptions: ExceptionSet::new(&self.exceptions, self.today),
            recorded: record.then(Vec::new),
            worst: None,
            errors: false,
        }
    }

    /// Scans files and folders (as `rempart scan` does, without stdin), `jobs` files at a time
    /// (see [`crate::files::scan_paths_jobs`]): `each` gets every file's report after
    /// exceptions and baseline, in the order of the inputs, then the reports of the
    /// exceptions' files (expired, stale). Returns the totals (without findings: `each` had
    /// them) and the decision.
    pub fn scan_paths<E>(
        &self,
        engine: &Engine,
        paths: &[String],
        jobs: usize,
        mut each: impl FnMut(&Report, Option<&Source>) -> Result<(), E>,
    ) -> Result<(Report, Outcome), E> {
        let mut judge = self.judge(false);
        let mut totals = crate::files::scan_paths_jobs(engine, paths, &self.exclude, "", jobs, |report, source| {
            judge.file(report);
            each(report, source)
        })?;
        for (mut closing, source) in judge.closing() {
            each(&closing, Some(source))?;
            closing.findings.clear();
            totals.merge(closing);
        }
        totals.notes.extend(judge.notes());
        totals.notes.extend(self.discovery_note());
        Ok((totals, judge.outcome()))
    }

    /// Applies exceptions and baseline to a whole report (of [`Engine::scan`], say); the
    /// findings about the exceptions follow.
    pub fn apply(&self, report: Report) -> (Report, Outcome) {
        let mut report = report;
        let mut judge = self.judge(false);
        judge.file(&mut report);
        for (closing, _) in judge.closing() {
            report.merge(closing);
        }
        report.notes.extend(judge.notes());
        report.notes.extend(self.discovery_note());
        (report, judge.outcome())
    }

    /// The note that says which configuration file was found and applied, so that a file
    /// picked up from a folder above never changes a scan unseen.
    pub fn discovery_note(&self) -> Option<ErrorEntry> {
        let file = self.config_file().filter(|_| self.discovered)?;
        Some(ErrorEntry {
            file: file.to_owned(),
            document: None,
            message: "configuration file found from the scanned paths and applied".into(),
            span: None,
        })
    }
}

/// One scan's exceptions, baseline and decision, applied file by file.
pub struct Judge<'p> {
    project: &'p Project,
    exceptions: ExceptionSet<'p>,
    recorded: Option<Vec<Finding>>,
    worst: Option<Severity>,
    errors: bool,
}

impl<'p> Judge<'p> {
    /// Applies the exceptions (in force) and the baseline to one file's report.
    pub fn file(&mut self, report: &mut Report) {
        self.errors |= !report.errors.is_empty();
        self.exceptions.apply(report);
        if let Some(recorded) = &mut self.recorded {
            recorded.extend(report.findings.iter().cloned());
        }
        if let Some(b) = &self.project.baseline {
            b.apply(report);
        }
        self.worst = self.worst.max(report.worst());
    }

    /// Once the scan is over: the findings about the exceptions themselves (expired,
    /// stale), one report per file that holds exceptions.
    pub fn closing(&mut self) -> Vec<(Report, &'p Source)> {
        let mut reports = Vec::new();
        for source in &self.project.exception_sources {
            let mut closing = self.exceptions.closing(source);
            closing.findings.retain(|f| f.file == source.name);
            closing.summary.findings = closing.findings.len();
            self.worst = self.worst.max(closing.worst());
            reports.push((closing, source));
        }
        reports
    }

    /// Notes about the baseline (an old version).
    pub fn notes(&self) -> Vec<ErrorEntry> {
        let note = self.project.baseline.as_ref().and_then(Baseline::note);
        match (note, &self.project.baseline_name) {
            (Some(message), Some(file)) => vec![ErrorEntry {
                file: file.clone(),
                document: None,
                message,
                span: None,
            }],
            _ => Vec::new(),
        }
    }

    /// The decision so far.
    pub fn outcome(&self) -> Outcome {
        Outcome::decide(self.errors, self.worst, self.project.fail_on)
    }

    /// The findings seen (after exceptions, before the baseline), as a new baseline.
    pub fn recorded(&self) -> Baseline {
        Baseline::from_findings(self.recorded.iter().flatten())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  hostPID: true\n  containers: [{name: a, image: \"nginx:1\"}]\n";

    fn project(config: &str, today: &str) -> Project {
        Project::new(&Settings {
            config: ConfigChoice::Text {
                name: ".rempart.yaml".into(),
                text: config.into(),
            },
            today: Some(today.into()),
            ..Settings::default()
        })
        .unwrap()
    }

    #[test]
    fn the_decision_is_the_exit_status_of_rempart_scan() {
        use Severity::*;
        assert_eq!(Outcome::decide(false, Some(High), Some(Low)), Outcome::Findings);
        assert_eq!(Outcome::decide(false, Some(Medium), Some(High)), Outcome::Pass);
        assert_eq!(Outcome::decide(false, Some(Info), Some(Low)), Outcome::Pass);
        assert_eq!(Outcome::decide(false, Some(Critical), None), Outcome::Pass);
        assert_eq!(Outcome::decide(true, None, None).exit_code(), 2);
    }

    #[test]
    fn exceptions_expire_and_settings_lay_over_the_file() {
        let config = "select: [pod-security/baseline]\nfailOn: high\nexceptions:\n  - policies: [pod-security/baseline/host-namespaces]\n    reason: node agent\n    expires: 2027-01-31\n";
        let before = project(config, "2027-01-31");
        let engine = before.engine().unwrap();
        let (report, outcome) = before.apply(engine.scan(&[Source::new("web.yaml", POD)]));
        assert!(report.findings.is_empty() && report.summary.excepted == 1);
        assert_eq!(outcome, Outcome::Pass);
        let after = project(config, "2027-02-01");
        let (report, outcome) = after.apply(engine.scan(&[Source::new("web.yaml", POD)]));
        let ids: Vec<&str> = report.findings.iter().map(|f| f.policy.as_str()).collect();
        assert_eq!(
            ids,
            ["pod-security/baseline/host-namespaces", crate::engine::EXPIRED_ID]
        );
        assert_eq!(outcome, Outcome::Findings);
        assert_eq!(
            report.findings.last().map(|f| (f.file.as_str(), f.span.start.line)),
            Some((".rempart.yaml", 6))
        );
        // A flag over the file: `select` replaced, `failOn` kept.
        let flags = Project::new(&Settings {
            config: ConfigChoice::Text {
                name: ".rempart.yaml".into(),
                text: config.into(),
            },
            options: OptionLayer {
                select: Some(vec!["images".into()]),
                ..OptionLayer::default()
            },
            ..Settings::default()
        })
        .unwrap();
        assert_eq!(
            (flags.options.select.as_slice(), flags.fail_on),
            (&["images".to_owned()][..], Some(Severity::High))
        );
    }

    #[test]
    fn mistakes_point_at_the_configuration_and_the_baseline() {
        let e = Project::new(&Settings {
            config: ConfigChoice::Text {
                name: ".rempart.yaml".into(),
                text: "failOn: sometimes\n".into(),
            },
            ..Settings::default()
        })
        .unwrap_err();
        assert_eq!((e.code, e.locations.len()), ("config", 1));
        assert_eq!(e.locations.first().map(|l| (l.line, l.column)), Some((1, 9)));
        let mut p = project("", "2027-01-01");
        let bad = BaselineChoice::Text {
            name: "b.json".into(),
            text: "[]".into(),
        };
        assert!(p
            .read_baseline(&bad)
            .unwrap_err()
            .message
            .starts_with("`b.json`: not a Rempart baseline"));
        // The clock is not read when no exception can expire.
        assert_eq!(Project::new(&Settings::default()).unwrap().today, Date::from_days(0));
    }
}
