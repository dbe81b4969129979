//! The settings of a scan from the command line: flags converted into core's project
//! settings (`rempart::project`), which read the configuration file and lay the flags over it.

use std::path::Path;

use rempart::engine::OptionLayer;
use rempart::project::{BaselineChoice, ConfigChoice, Project, Settings};
use rempart::{LevelChoice, Severity};

use crate::{FailOn, LevelArg, ScanArgs};

/// The project of a scan: the configuration file (found from the first path, or given) with
/// the flags over it, and the baseline.
pub fn resolve(a: &ScanArgs, paths: &[String]) -> Result<Project, String> {
    let config = match (&a.config, a.no_config) {
        (Some(path), _) => ConfigChoice::File(path.clone()),
        (None, true) => ConfigChoice::None,
        (None, false) => ConfigChoice::Discover(
            Path::new(paths.first().filter(|p| *p != "-").map_or(".", String::as_str)).to_path_buf(),
        ),
    };
    let settings = Settings {
        config,
        options: OptionLayer {
            builtin: Some(!a.no_builtin),
            select: (!a.select.is_empty()).then(|| a.select.clone()),
            ignore: (!a.ignore.is_empty()).then(|| a.ignore.clone()),
            pod_security_level: a.pod_security_level.map(|l| match l {
                LevelArg::Baseline => LevelChoice::Baseline,
                LevelArg::Restricted => LevelChoice::Restricted,
                LevelArg::FromNamespace => LevelChoice::FromNamespace,
            }),
            pod_security_version: a.pod_security_version.clone(),
            ..OptionLayer::default()
        },
        policy_paths: a.policies.clone(),
        fail_on: a.fail_on.map(|f| match f {
            FailOn::Low => Some(Severity::Low),
            FailOn::Medium => Some(Severity::Medium),
            FailOn::High => Some(Severity::High),
            FailOn::Critical => Some(Severity::Critical),
            FailOn::None => None,
        }),
        exceptions: a.exceptions.clone(),
        today: a.today.clone(),
        select_name: Some("`--select`".into()),
        ignore_name: Some("`--ignore`".into()),
    };
    Project::new(&settings).map_err(|e| e.message)
}

/// Reads the baseline given with `--baseline` (after the engine is built, so that a mistake
/// in the options is reported first).
pub fn read_baseline(project: &mut Project, a: &ScanArgs) -> Result<(), String> {
    let choice = a.baseline.clone().map_or(BaselineChoice::None, BaselineChoice::File);
    project.read_baseline(&choice).map_err(|e| e.message)
}
