//! The `rempart` command line: argument parsing, reading inputs and writing reports. The
//! Python package calls [`run`] too, so both commands behave the same.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use rempart::{Engine, LevelChoice, Options, Severity, Source};

use rempart::engine::Report;
use rempart::files::{policy_files, scan_paths};
use rempart::report::{text_file, text_summary, JsonWriter};

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
    /// List the policies (built-in and loaded).
    Policies(PolicyArgs),
    /// Show what a policy checks, why, and how to fix what it finds.
    Explain {
        /// Policy id, e.g. `pod-security/baseline/privileged`.
        id: String,
        #[command(flatten)]
        policies: PolicyArgs,
    },
    /// Run the inline pass/fail examples of policy files (the built-in ones by default).
    Test {
        /// Policy files or directories.
        paths: Vec<PathBuf>,
    },
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
    /// Run only policies whose id starts with this (repeatable), e.g. `pod-security`.
    #[arg(long, value_name = "PREFIX")]
    select: Vec<String>,
    /// Skip policies whose id starts with this (repeatable).
    #[arg(long, value_name = "PREFIX")]
    ignore: Vec<String>,
    /// Pod Security level pods are judged at.
    #[arg(long, value_enum, default_value_t = LevelArg::Restricted)]
    pod_security_level: LevelArg,
    /// Kubernetes version of the Pod Security Standards: `v1.N` or `latest`.
    #[arg(long, default_value = "latest", value_name = "VERSION")]
    pod_security_version: String,
    /// Fail (exit 1) on findings of this severity or above; `info` findings never fail.
    #[arg(long, value_enum, default_value_t = FailOn::Low)]
    fail_on: FailOn,
    /// Colour: auto (on a terminal), always, never.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    color: ColorArg,
    /// Also list documents that were skipped, and why.
    #[arg(long, short = 'v')]
    verbose: bool,
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

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum ListFormat {
    Text,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum LevelArg {
    Baseline,
    Restricted,
    FromNamespace,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
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
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { EXIT_ERROR } else { EXIT_OK };
        }
    };
    let mut stdout = std::io::stdout().lock();
    let result = match cli.command {
        Command::Scan(a) => scan(a, &mut stdout),
        Command::Policies(a) => list(&a, &mut stdout),
        Command::Explain { id, policies } => explain(&id, &policies, &mut stdout),
        Command::Test { paths } => test(&paths, &mut stdout),
    };
    let _ = stdout.flush();
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("rempart: {message}");
            EXIT_ERROR
        }
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

fn scan(a: ScanArgs, out: &mut dyn Write) -> Result<i32, String> {
    let mut options = options_with(&a.policies, a.no_builtin)?;
    options.select = a.select;
    options.ignore = a.ignore;
    options.pod_security_level = match a.pod_security_level {
        LevelArg::Baseline => LevelChoice::Baseline,
        LevelArg::Restricted => LevelChoice::Restricted,
        LevelArg::FromNamespace => LevelChoice::FromNamespace,
    };
    options.pod_security_version = a.pod_security_version;
    let engine = engine(&options)?;
    let paths = if a.paths.is_empty() {
        vec![".".to_owned()]
    } else {
        a.paths
    };
    let mut stdin = String::new();
    if paths.iter().any(|p| p == "-") {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read stdin: {e}"))?;
        stdin = String::from_utf8_lossy(&bytes).into_owned();
    }
    let color = match a.color {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => {
            a.output.is_none() && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let mut file_out;
    let sink: &mut dyn Write = match &a.output {
        Some(path) => {
            file_out = std::fs::File::create(path).map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
            &mut file_out
        }
        None => out,
    };
    let sink = std::io::BufWriter::new(sink);
    let write_err = |e: std::io::Error| format!("cannot write the report: {e}");
    let mut output = match a.format {
        Format::Json => Output::Json(JsonWriter::start(sink).map_err(write_err)?),
        Format::Text => Output::Text { out: sink, color },
        whole => Output::Whole {
            out: sink,
            format: whole,
            findings: Vec::new(),
        },
    };
    // Each file is read, scanned and written out before the next: memory follows the
    // largest document, not the whole scan.
    let mut worst: Option<Severity> = None;
    let totals = scan_paths(&engine, &paths, &stdin, |report, source| {
        worst = worst.max(
            report
                .findings
                .iter()
                .map(|f| f.severity)
                .filter(|s| *s > Severity::Info)
                .max(),
        );
        output.file(report, source)
    })
    .map_err(write_err)?;
    output.finish(totals.clone(), a.verbose, &engine).map_err(write_err)?;
    let threshold = match a.fail_on {
        FailOn::Low => Some(Severity::Low),
        FailOn::Medium => Some(Severity::Medium),
        FailOn::High => Some(Severity::High),
        FailOn::Critical => Some(Severity::Critical),
        FailOn::None => None,
    };
    Ok(if !totals.errors.is_empty() {
        EXIT_ERROR
    } else if threshold.is_some_and(|t| worst.is_some_and(|w| w >= t)) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}

/// Where a scan's report goes: JSON and text file by file, the other formats at the end.
enum Output<W: Write> {
    Json(JsonWriter<W>),
    Text {
        out: W,
        color: bool,
    },
    Whole {
        out: W,
        format: Format,
        findings: Vec<rempart::Finding>,
    },
}

impl<W: Write> Output<W> {
    fn file(&mut self, report: &Report, source: Option<&Source>) -> std::io::Result<()> {
        match self {
            Output::Json(w) => w.findings(&report.findings),
            Output::Text { out, color } => out.write_all(text_file(report, source, *color).as_bytes()),
            Output::Whole { findings, .. } => {
                findings.extend(report.findings.iter().cloned());
                Ok(())
            }
        }
    }

    fn finish(self, mut totals: Report, verbose: bool, engine: &Engine) -> std::io::Result<()> {
        match self {
            Output::Whole {
                mut out,
                format,
                findings,
            } => {
                totals.findings = findings;
                let root = std::env::current_dir()
                    .map(|d| d.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let text = match format {
                    Format::Sarif => rempart::report::sarif(&totals, engine.policies(), &root),
                    Format::Junit => rempart::report::junit(&totals, engine.policies()),
                    Format::PolicyReport => rempart::report::policy_report(&totals),
                    _ => rempart::report::github(&totals),
                };
                out.write_all(text.as_bytes())?;
                out.flush()
            }
            Output::Json(w) => w.finish(&totals.errors, &totals.notes, &totals.summary),
            Output::Text { mut out, .. } => {
                if verbose {
                    for n in &totals.notes {
                        let at = n
                            .span
                            .map(|s| format!(":{}:{}", s.start.line, s.start.column))
                            .unwrap_or_default();
                        writeln!(out, "{}{at}: note: {}", n.file, n.message)?;
                    }
                }
                out.write_all(text_summary(&totals.summary).as_bytes())?;
                out.flush()
            }
        }
    }
}

fn list(a: &PolicyArgs, out: &mut dyn Write) -> Result<i32, String> {
    let engine = engine(&options_with(&a.policies, a.no_builtin)?)?;
    let text = match a.format {
        ListFormat::Json => {
            serde_json::to_string_pretty(&rempart::ffi::policies(&engine)).map_err(|e| e.to_string())?
        }
        ListFormat::Text => {
            let width = engine.policies().iter().map(|p| p.id.len()).max().unwrap_or(0);
            let mut t = String::new();
            for p in engine.policies() {
                t.push_str(&format!("{:<width$}  {:<8}  {}\n", p.id, p.severity.as_str(), p.title));
            }
            t.push_str(&format!("{} policies\n", engine.policies().len()));
            t
        }
    };
    out.write_all(text.as_bytes()).map_err(|e| e.to_string())?;
    Ok(EXIT_OK)
}

fn explain(id: &str, a: &PolicyArgs, out: &mut dyn Write) -> Result<i32, String> {
    let engine = engine(&options_with(&a.policies, a.no_builtin)?)?;
    let Some(p) = engine.policy(id) else {
        let ids: Vec<&str> = engine.policies().iter().map(|p| p.id.as_str()).collect();
        let hint = rempart::policy::suggest(id, &ids)
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        return Err(format!("no policy `{id}`{hint} (`rempart policies` lists them)"));
    };
    let text = match a.format {
        ListFormat::Json => {
            serde_json::to_string_pretty(&rempart::ffi::PolicyInfo::from(p)).map_err(|e| e.to_string())?
        }
        ListFormat::Text => {
            let mut t = format!("{}\n{}\n\nseverity: {}\n", p.id, p.title, p.severity);
            if !p.category.is_empty() {
                t.push_str(&format!("category: {}\n", p.category));
            }
            if !p.standards.is_empty() {
                t.push_str(&format!(
                    "standards: {}\n",
                    serde_json::Value::Object(p.standards.clone())
                ));
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
    out.write_all(text.as_bytes()).map_err(|e| e.to_string())?;
    Ok(EXIT_OK)
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
        text.push_str(&format!("FAIL {} ({}): {}\n", f.policy, f.file, f.message));
    }
    text.push_str(&format!("{} policies, {count} examples\n", engine.policies().len()));
    text.push_str(&format!(
        "examples: {} passed, {} failed\n",
        count - failures.len().min(count),
        failures.len()
    ));
    out.write_all(text.as_bytes()).map_err(|e| e.to_string())?;
    Ok(if failures.is_empty() { EXIT_OK } else { EXIT_FINDINGS })
}
