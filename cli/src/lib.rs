//! The `rempart` command line: argument parsing, reading inputs and writing reports. The
//! Python package calls [`run`] too, so both commands behave the same.

use std::io::Write;
use std::path::PathBuf;

mod auth;
mod detect;
mod inputs;
mod netpol;
mod output;
mod scan;
mod settings;

use clap::{Args, Parser, Subcommand, ValueEnum};
use rempart::{Engine, Options};

use rempart::files::policy_files;
use rempart::format::visible;

/// Exit code: nothing at or above the failure threshold.
pub const EXIT_OK: i32 = 0;
/// Exit code: findings at or above the threshold, or failing policy tests.
pub const EXIT_FINDINGS: i32 = 1;
/// Exit code: a usage error, bad policies, or an input that could not be read or parsed.
pub const EXIT_ERROR: i32 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "rempart",
    version,
    about = "Scan Kubernetes manifests for security misconfigurations"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Scan files, directories (recursively: .yaml, .yml, .json) or `-` for stdin.
    Scan(ScanArgs),
    /// Print the effective configuration: the configuration file found (or given), with the
    /// command-line flags applied.
    Config(ScanArgs),
    /// List the policies (built-in and loaded).
    Policies(PolicyArgs),
    /// Show what a policy checks, why, and how to fix what it finds.
    Explain {
        /// Policy id, e.g. `pod-security/baseline/privileged`.
        id: String,
        #[command(flatten)]
        policies: PolicyArgs,
    },
    /// Detect threats in Kubernetes audit logs (JSON lines, JSON arrays, EventLists, GKE,
    /// AKS and EKS exports; files, directories, `.gz`, or `-` for stdin, the default).
    Detect(DetectArgs),
    /// Run the inline pass/fail examples of policy files (the built-in ones by default).
    Test {
        /// Policy files or directories.
        paths: Vec<PathBuf>,
    },
    /// RBAC effective permissions of a set of manifests: `can-i`, `can-i --list`, `who-can`.
    #[command(subcommand)]
    Auth(auth::AuthCommand),
    /// NetworkPolicy connectivity of a set of manifests: `connectivity`, `exposure`.
    #[command(subcommand)]
    Netpol(netpol::NetpolCommand),
}

#[derive(Args, Debug, Clone)]
struct PolicyArgs {
    /// Add policies from a file or directory (repeatable).
    #[arg(long = "policies", value_name = "PATH")]
    policies: Vec<PathBuf>,
    /// Leave out the built-in policies.
    #[arg(long)]
    no_builtin: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    format: ListFormat,
}

#[derive(Args, Debug)]
struct ScanArgs {
    /// Files, directories or `-` (stdin). Default: the current directory.
    paths: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write the report to this file instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Add policies from a file or directory (repeatable).
    #[arg(long = "policies", value_name = "PATH")]
    policies: Vec<PathBuf>,
    /// Leave out the built-in policies.
    #[arg(long)]
    no_builtin: bool,
    /// Run only this policy and the policies below it, by whole `/`-separated parts (repeatable):
    /// `pod-security`, `pod-security/baseline`, `pod-security/baseline/*` or a full id. A value
    /// that matches no policy is an error.
    #[arg(long, value_name = "ID")]
    select: Vec<String>,
    /// Skip this policy and the policies below it, like `--select` (repeatable).
    #[arg(long, value_name = "ID")]
    ignore: Vec<String>,
    /// Pod Security level pods are judged at [default: restricted].
    #[arg(long, value_enum)]
    pod_security_level: Option<LevelArg>,
    /// Kubernetes version of the Pod Security Standards: `v1.N` or `latest` [default: latest].
    #[arg(long, value_name = "VERSION")]
    pod_security_version: Option<String>,
    /// Fail (exit 1) on findings of this severity or above; `info` findings never fail [default: low].
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    /// Configuration file [default: `.rempart.yaml` or `rempart.yaml` from the first path upward].
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    config: Option<PathBuf>,
    /// Use no configuration file.
    #[arg(long)]
    no_config: bool,
    /// Exceptions file (`exceptions:` as in the configuration file), in addition to the configuration's.
    #[arg(long, value_name = "FILE")]
    exceptions: Option<PathBuf>,
    /// Report only findings that this baseline file does not have.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Record the findings of this scan as a baseline file.
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
    /// The date exceptions are checked against (`YYYY-MM-DD`; default: today).
    #[arg(long, value_name = "DATE", hide = true)]
    today: Option<String>,
    /// Colour: auto (on a terminal), always, never.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    color: ColorArg,
    /// Also list documents that were skipped, and why.
    #[arg(long, short = 'v')]
    verbose: bool,
    /// Files scanned at once (default: the available cores; 1 scans on one thread). The
    /// report is the same for any number.
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    /// `file:line:col severity policy message` with a code frame.
    Text,
    /// The JSON report (the stable contract of the README).
    Json,
    /// SARIF 2.1.0, for code scanning (GitHub, GitLab, Azure DevOps).
    Sarif,
    /// JUnit XML, for test report views (GitLab, Jenkins).
    Junit,
    /// wgpolicyk8s.io/v1alpha2 PolicyReport and ClusterPolicyReport YAML.
    PolicyReport,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
}

#[derive(Args, Debug)]
struct DetectArgs {
    /// Audit log files, directories (every file below them) or `-` (stdin). Default: stdin.
    paths: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DetectFormat::Text)]
    format: DetectFormat,
    /// How to read the input: `auto` recognises each value (audit event, EventList, GKE, AKS
    /// or EKS record); the others accept that format only.
    #[arg(long, value_enum, default_value_t = InputArg::Auto)]
    input: InputArg,
    /// Keep reading the file as it grows, reopening it when it is rotated (one file).
    #[arg(long)]
    follow: bool,
    /// With `--follow`: stop once nothing new came for this many milliseconds (for tests).
    #[arg(long, value_name = "MS", hide = true)]
    follow_idle_exit: Option<u64>,
    /// Write the report to this file instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Add policies from a file or directory (repeatable).
    #[arg(long = "policies", value_name = "PATH")]
    policies: Vec<PathBuf>,
    /// Leave out the built-in policies.
    #[arg(long)]
    no_builtin: bool,
    /// Run only these rules and the rules below them (repeatable), e.g. `detect/exec-into-pod`.
    #[arg(long, value_name = "ID")]
    select: Vec<String>,
    /// Skip these rules and the rules below them (repeatable).
    #[arg(long, value_name = "ID")]
    ignore: Vec<String>,
    /// Fail (exit 1) on alerts of this severity or above; `info` alerts never fail [default: low].
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    /// Configuration file [default: `.rempart.yaml` or `rempart.yaml` from the first path upward].
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    config: Option<PathBuf>,
    /// Use no configuration file.
    #[arg(long)]
    no_config: bool,
    /// Exceptions file (`exceptions:` as in the configuration file), in addition to the configuration's.
    #[arg(long, value_name = "FILE")]
    exceptions: Option<PathBuf>,
    /// The date exceptions are checked against (`YYYY-MM-DD`; default: today).
    #[arg(long, value_name = "DATE", hide = true)]
    today: Option<String>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum DetectFormat {
    /// One line per alert: time, severity, rule, user, verb, resource, namespace/name, message, file:line.
    Text,
    /// One JSON object per alert and line (errors go to stderr).
    Jsonl,
    /// One JSON report: alerts, errors, summary.
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum InputArg {
    Auto,
    K8s,
    Gke,
    Aks,
    Eks,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum ListFormat {
    Text,
    Json,
    /// The policy table of `policies/README.md`.
    Markdown,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum LevelArg {
    Baseline,
    Restricted,
    FromNamespace,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum FailOn {
    Low,
    Medium,
    High,
    Critical,
    /// Never fail on findings.
    None,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum ColorArg {
    Auto,
    Always,
    Never,
}

/// Runs the command line `args` (program name first) and returns the exit code.
pub fn run(args: &[String]) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) if e.use_stderr() => {
            // One prefix for every error of the command: `rempart: …`.
            let text = e.render().to_string();
            eprint!("rempart: {}", text.strip_prefix("error: ").unwrap_or(&text));
            return EXIT_ERROR;
        }
        Err(e) => {
            let _ = e.print();
            return EXIT_OK;
        }
    };
    let mut stdout = std::io::stdout().lock();
    let result = match cli.command {
        Command::Scan(a) => scan::scan(a, &mut stdout),
        Command::Config(a) => scan::print_config(a, &mut stdout),
        Command::Detect(a) => detect::detect(a, &mut stdout),
        Command::Policies(a) => list(&a, &mut stdout),
        Command::Explain { id, policies } => explain(&id, &policies, &mut stdout),
        Command::Test { paths } => test(&paths, &mut stdout),
        Command::Auth(a) => auth::run(a, &mut stdout),
        Command::Netpol(a) => netpol::run(a, &mut stdout),
    };
    let _ = stdout.flush();
    match result {
        Ok(code) => code,
        Err(message) => {
            // Line by line: some messages list several mistakes, one a line.
            let lines: Vec<_> = message.lines().map(visible).collect();
            eprintln!("rempart: {}", lines.join("\n"));
            EXIT_ERROR
        }
    }
}

/// Writes a command's output; a reader that went away (`rempart policies | head -1`) is not
/// an error, as for Unix tools.
fn emit(out: &mut dyn Write, text: &str) -> Result<(), String> {
    match out.write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(format!("cannot write the output: {e}")),
        _ => Ok(()),
    }
}

fn engine(options: &Options) -> Result<Engine, String> {
    Engine::new(options).map_err(|e| e.to_string())
}

fn options_with(paths: &[PathBuf], no_builtin: bool) -> Result<Options, String> {
    let policies = policy_files(paths)?;
    Ok(Options {
        builtin: !no_builtin,
        policies,
        ..Options::default()
    })
}

fn list(a: &PolicyArgs, out: &mut dyn Write) -> Result<i32, String> {
    let engine = engine(&options_with(&a.policies, a.no_builtin)?)?;
    let text = match a.format {
        ListFormat::Json => {
            serde_json::to_string_pretty(&rempart::ffi::policies(&engine)).map_err(|e| e.to_string())?
        }
        ListFormat::Markdown => rempart::policy::markdown_table(engine.policies()),
        ListFormat::Text => {
            let width = engine.policies().iter().map(|p| p.id.len()).max().unwrap_or(0);
            let mut t = String::new();
            for p in engine.policies() {
                t.push_str(&format!(
                    "{:<width$}  {:<8}  {}{}\n",
                    visible(&p.id),
                    p.severity.as_str(),
                    visible(&p.title),
                    lifecycle(p)
                ));
            }
            t.push_str(&format!("{} policies\n", engine.policies().len()));
            t
        }
    };
    emit(out, &text)?;
    Ok(EXIT_OK)
}

/// A policy's status after its title in `rempart policies` (nothing for a stable one).
fn lifecycle(p: &rempart::Policy) -> String {
    match &p.status {
        rempart::policy::Status::Stable => String::new(),
        rempart::policy::Status::Preview => " [preview: runs only when selected]".into(),
        rempart::policy::Status::Deprecated { replacement } => format!(" [deprecated: use {replacement}]"),
    }
}

fn explain(id: &str, a: &PolicyArgs, out: &mut dyn Write) -> Result<i32, String> {
    let engine = engine(&options_with(&a.policies, a.no_builtin)?)?;
    let info =
        rempart::ffi::explain(&engine, id).map_err(|e| format!("{} (`rempart policies` lists them)", e.message))?;
    let Some(p) = engine.policy(&info.id) else {
        return Err(format!("no policy `{id}`"));
    };
    let text = match a.format {
        ListFormat::Json => serde_json::to_string_pretty(&info).map_err(|e| e.to_string())?,
        ListFormat::Text | ListFormat::Markdown => {
            let mut t = format!("{}\n{}\n\nseverity: {}\n", p.id, p.title, p.severity);
            match &p.status {
                rempart::policy::Status::Stable => {}
                rempart::policy::Status::Preview => {
                    t.push_str("status: preview (runs only when selected by its id: `--select ID`)\n");
                }
                rempart::policy::Status::Deprecated { replacement } => {
                    t.push_str(&format!("status: deprecated (use `{replacement}` instead)\n"));
                }
            }
            if let Some(since) = &p.since {
                t.push_str(&format!("since: Rempart {since}\n"));
            }
            if !p.category.is_empty() {
                t.push_str(&format!("category: {}\n", p.category));
            }
            if !p.standards.is_empty() {
                t.push_str(&format!("standards: {}\n", standards_text(&p.standards)));
            }
            t.push_str(&format!("\nwhy: {}\n\nfix: {}\n", p.docs.why, p.docs.fix));
            for r in &p.docs.references {
                t.push_str(&format!("see: {r}\n"));
            }
            for param in &p.params {
                t.push_str(&format!(
                    "parameter `{}` = {} — {}\n",
                    param.name, param.value, param.description
                ));
            }
            t
        }
    };
    emit(out, &text)?;
    Ok(EXIT_OK)
}

/// A policy's standards as a reader writes them: `CIS 1.2.1, MITRE T1078, Pod Security
/// baseline \`privileged\``.
fn standards_text(standards: &serde_json::Map<String, serde_json::Value>) -> String {
    use serde_json::Value;
    let label = |key: &str| match key {
        "cis" => "CIS".to_owned(),
        "mitre" => "MITRE".to_owned(),
        "nsa-cisa" => "NSA/CISA".to_owned(),
        "pod-security" => "Pod Security".to_owned(),
        other => other.to_owned(),
    };
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut items = Vec::new();
    for (key, value) in standards {
        let name = label(key);
        match value {
            Value::Array(values) => items.extend(values.iter().map(|v| format!("{name} {}", text(v)))),
            Value::Object(fields) if key == "pod-security" => {
                let field = |f: &str| fields.get(f).map(text);
                let mut item = name;
                item.extend(field("level").map(|l| format!(" {l}")));
                item.extend(field("check").map(|c| format!(" `{c}`")));
                item.extend(field("version").map(|v| format!(" ({v})")));
                items.push(item);
            }
            Value::Object(fields) => items.push(format!(
                "{name} ({})",
                fields
                    .iter()
                    .map(|(k, v)| format!("{k}: {}", text(v)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            other => items.push(format!("{name} {}", text(other))),
        }
    }
    items.join(", ")
}

fn test(paths: &[PathBuf], out: &mut dyn Write) -> Result<i32, String> {
    let options = if paths.is_empty() {
        Options::default()
    } else {
        options_with(paths, true)?
    };
    let engine = engine(&options)?;
    let (failures, count) = rempart::run_policy_tests(&engine);
    let mut text = String::new();
    for f in &failures {
        text.push_str(&format!(
            "FAIL {} ({}): {}\n",
            visible(&f.policy),
            visible(&f.file),
            visible(&f.message)
        ));
    }
    text.push_str(&format!("{} policies, {count} examples\n", engine.policies().len()));
    text.push_str(&format!(
        "examples: {} passed, {} failed\n",
        count - failures.len().min(count),
        failures.len()
    ));
    emit(out, &text)?;
    Ok(if failures.is_empty() { EXIT_OK } else { EXIT_FINDINGS })
}
