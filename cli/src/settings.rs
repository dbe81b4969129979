//! The settings of a scan: the configuration file (found or given) with the command-line
//! flags over it.

use std::path::{Path, PathBuf};

use rempart::config::{discover, load_config, locate, locate_at, Config, Date, Exception, Glob};
use rempart::engine::{OptionRef, PathStep};
use rempart::files::{display, policy_files};
use rempart::{Engine, EngineError, LevelChoice, Options, Severity, Source};
use serde_json::json;

use crate::{FailOn, LevelArg, ScanArgs};

/// Everything a scan needs beyond its paths.
pub struct Settings {
    pub options: Options,
    /// Findings of this severity or above fail the scan; `None` never fails.
    pub fail_on: Option<Severity>,
    pub exclude: Vec<Glob>,
    pub exceptions: Vec<Exception>,
    /// The files that hold the exceptions, for the findings about them.
    pub exception_sources: Vec<Source>,
    pub config: Option<Config>,
    /// The configuration file, to point at its mistakes.
    config_source: Option<Source>,
    /// `select` and `ignore` come from the configuration file (no flag replaced them).
    select_from_config: bool,
    ignore_from_config: bool,
    pub today: Date,
}

fn read(path: &Path) -> Result<Source, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    Source::from_bytes(display(path), bytes).map_err(|e| format!("`{}`: {e}", path.display()))
}

fn load(path: &Path) -> Result<(Config, Source), String> {
    let source = read(path)?;
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let dir = if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir
    };
    match load_config(&source, &dir) {
        Ok(config) => Ok((config, source)),
        Err(errors) => Err(format!(
            "{} mistake(s) in `{}`:\n{}",
            errors.len(),
            path.display(),
            errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
        )),
    }
}

impl Settings {
    pub fn resolve(a: &ScanArgs, paths: &[String]) -> Result<Settings, String> {
        let found = match (&a.config, a.no_config) {
            (Some(path), _) => Some(path.clone()),
            (None, true) => None,
            (None, false) => discover(Path::new(
                paths.first().filter(|p| *p != "-").map_or(".", String::as_str),
            )),
        };
        let (config, config_source) = match &found {
            Some(path) => {
                let (c, s) = load(path)?;
                (Some(c), Some(s))
            }
            None => (None, None),
        };
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
                    return Err(locate_at(source, &steps, message.clone()).map_or(message, |e| e.to_string()));
                }
            }
        }
        let mut policy_paths = c.policies.clone();
        policy_paths.extend(a.policies.iter().cloned());
        let level = match a.pod_security_level {
            Some(LevelArg::Baseline) => LevelChoice::Baseline,
            Some(LevelArg::Restricted) => LevelChoice::Restricted,
            Some(LevelArg::FromNamespace) => LevelChoice::FromNamespace,
            None => c.pod_security_level.unwrap_or_default(),
        };
        let options = Options {
            builtin: !a.no_builtin,
            policies: policy_files(&policy_paths)?,
            select: if a.select.is_empty() {
                c.select.clone()
            } else {
                a.select.clone()
            },
            ignore: if a.ignore.is_empty() {
                c.ignore.clone()
            } else {
                a.ignore.clone()
            },
            params: c.params.clone(),
            severities: c.severities.clone(),
            pod_security_level: level,
            pod_security_version: a
                .pod_security_version
                .clone()
                .or(c.pod_security_version.clone())
                .unwrap_or_else(|| "latest".into()),
            limits: c.limits.clone().unwrap_or_default(),
            admission: c.admission.clone().unwrap_or_default(),
        };
        let fail_on = match a.fail_on {
            Some(FailOn::Low) => Some(Severity::Low),
            Some(FailOn::Medium) => Some(Severity::Medium),
            Some(FailOn::High) => Some(Severity::High),
            Some(FailOn::Critical) => Some(Severity::Critical),
            Some(FailOn::None) => None,
            None => match c.fail_on.as_deref() {
                Some("none") => None,
                Some(s) => Severity::parse(s),
                None => Some(Severity::Low),
            },
        };
        let mut exceptions = c.exceptions.clone();
        let mut exception_sources: Vec<Source> = config_source
            .iter()
            .map(|s| Source::new(s.name.clone(), s.text.to_string()))
            .collect();
        if let Some(path) = &a.exceptions {
            let (extra, source) = load(path)?;
            exceptions.extend(extra.exceptions);
            exception_sources.push(source);
        }
        let today = match &a.today {
            Some(t) => Date::parse(t).ok_or_else(|| format!("`--today {t}` is not a date written YYYY-MM-DD"))?,
            None => Date::today(),
        };
        Ok(Settings {
            options,
            fail_on,
            exclude: c.exclude.clone(),
            exceptions,
            exception_sources,
            config,
            config_source,
            select_from_config: a.select.is_empty(),
            ignore_from_config: a.ignore.is_empty(),
            today,
        })
    }

    /// The engine for these settings. A mistake in an option that names policies points at
    /// the configuration file's line and column when the file holds it, else at the flag.
    pub fn engine(&self) -> Result<Engine, String> {
        Engine::new(&self.options).map_err(|e| match e {
            EngineError::InvalidOptions(mistakes) => {
                let header = (mistakes.len() > 1).then(|| format!("{} mistakes in the options:", mistakes.len()));
                header
                    .into_iter()
                    .chain(mistakes.iter().map(|m| {
                        let flag = match m.option {
                            OptionRef::Select(_) if !self.select_from_config => Some("--select"),
                            OptionRef::Ignore(_) if !self.ignore_from_config => Some("--ignore"),
                            _ => None,
                        };
                        let located = self
                            .config_source
                            .as_ref()
                            .filter(|_| flag.is_none())
                            .and_then(|s| locate(s, m));
                        match (flag, located) {
                            (Some(flag), _) => format!("`{flag}`: {}", m.message),
                            (None, Some(at)) => at.to_string(),
                            (None, None) => m.to_string(),
                        }
                    }))
                    .collect::<Vec<_>>()
                    .join("\n")
            }
            other => other.to_string(),
        })
    }

    /// The effective configuration, as `rempart config` prints it.
    pub fn describe(&self) -> serde_json::Value {
        let o = &self.options;
        json!({
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
}
