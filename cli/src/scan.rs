//! `rempart scan` and `rempart config`.

use std::io::{IsTerminal, Read, Write};

use rempart::engine::{Baseline, ExceptionSet, Report};
use rempart::files::scan_paths;
use rempart::report::{text_file, text_summary, JsonWriter};
use rempart::{Engine, Severity, Source};

use crate::settings::Settings;
use crate::{ColorArg, Format, ScanArgs, EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};

fn paths_of(a: &ScanArgs) -> Vec<String> {
    if a.paths.is_empty() {
        vec![".".to_owned()]
    } else {
        a.paths.clone()
    }
}

pub fn print_config(a: ScanArgs, out: &mut dyn Write) -> Result<i32, String> {
    let settings = Settings::resolve(&a, &paths_of(&a))?;
    let text = serde_json::to_string_pretty(&settings.describe()).map_err(|e| e.to_string())?;
    writeln!(out, "{text}").map_err(|e| e.to_string())?;
    Ok(EXIT_OK)
}

pub fn scan(a: ScanArgs, out: &mut dyn Write) -> Result<i32, String> {
    let paths = paths_of(&a);
    let settings = Settings::resolve(&a, &paths)?;
    let engine = settings.engine()?;
    let baseline = match &a.baseline {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read the baseline `{}`: {e}", path.display()))
                .and_then(|t| Baseline::from_json(&t).map_err(|e| format!("`{}`: {e}", path.display())))?,
        ),
        None => None,
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
    let mut exceptions = ExceptionSet::new(&settings.exceptions, settings.today);
    let mut recorded: Vec<rempart::Finding> = Vec::new();
    let mut worst: Option<Severity> = None;
    // Each file is read, scanned and written out before the next: memory follows the
    // largest document, not the whole scan.
    let mut totals = scan_paths(&engine, &paths, &settings.exclude, &stdin, |report, source| {
        exceptions.apply(report);
        if a.write_baseline.is_some() {
            recorded.extend(report.findings.iter().cloned());
        }
        if let Some(b) = &baseline {
            b.apply(report);
        }
        worst = worst.max(report.worst().filter(|s| *s > Severity::Info));
        output.file(report, source)
    })
    .map_err(write_err)?;
    // Findings about the exceptions themselves (expired, stale), in the files that hold them.
    for source in &settings.exception_sources {
        let mut closing = exceptions.closing(source);
        closing.findings.retain(|f| f.file == source.name);
        closing.summary.findings = closing.findings.len();
        worst = worst.max(closing.worst().filter(|s| *s > Severity::Info));
        output.file(&closing, Some(source)).map_err(write_err)?;
        closing.findings.clear();
        totals.merge(closing);
    }
    output.finish(totals.clone(), a.verbose, &engine).map_err(write_err)?;
    if let Some(path) = &a.write_baseline {
        std::fs::write(path, Baseline::from_findings(&recorded).to_json())
            .map_err(|e| format!("cannot write the baseline `{}`: {e}", path.display()))?;
    }
    Ok(if !totals.errors.is_empty() {
        EXIT_ERROR
    } else if settings.fail_on.is_some_and(|t| worst.is_some_and(|w| w >= t)) {
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
                // Notes about the options (no document) always; skipped documents with -v.
                for n in totals.notes.iter().filter(|n| verbose || n.document.is_none()) {
                    let at = n
                        .span
                        .map(|s| format!(":{}:{}", s.start.line, s.start.column))
                        .unwrap_or_default();
                    writeln!(out, "{}{at}: note: {}", n.file, n.message)?;
                }
                out.write_all(text_summary(&totals.summary).as_bytes())?;
                out.flush()
            }
        }
    }
}
