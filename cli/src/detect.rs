//! `rempart detect`: audit logs in, alerts out (text, JSON lines, JSON, SARIF), as they come.

use std::io::{self, Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use rempart::detect::{files, Alert, DetectError, DetectSummary, Detection, Detector, InputFormat};
use rempart::format::{visible, FormatWriter, SarifWriter};
use rempart::Severity;

use crate::output::Destination;
use crate::{ColorArg, DetectArgs, DetectFormat, Format, InputArg, ScanArgs, EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};

/// Errors kept for the formats that write them at the end (JSON, SARIF); the others are
/// counted in the summary.
const MAX_KEPT_ERRORS: usize = 10_000;

fn scan_args(a: &DetectArgs, paths: &[String]) -> ScanArgs {
    ScanArgs {
        paths: paths.to_vec(),
        format: Format::Text,
        output: None,
        policies: a.policies.clone(),
        no_builtin: a.no_builtin,
        select: a.select.clone(),
        ignore: a.ignore.clone(),
        pod_security_level: None,
        pod_security_version: None,
        fail_on: a.fail_on,
        config: a.config.clone(),
        no_config: a.no_config,
        exceptions: a.exceptions.clone(),
        baseline: None,
        write_baseline: None,
        today: a.today.clone(),
        color: ColorArg::Never,
        verbose: false,
        jobs: None,
    }
}

/// Where alerts go, as they come.
enum Sink<'p, W: Write> {
    Text(W),
    Lines(W),
    Json { out: W, first: bool },
    Sarif(SarifWriter<'p, W>),
}

fn or_dash(v: Option<&str>) -> String {
    visible(v.filter(|s| !s.is_empty()).unwrap_or("-")).into_owned()
}

/// One line per alert: time, severity, rule, user, verb, resource, namespace/name, message,
/// `file:line`.
fn text_line(a: &Alert) -> String {
    let r = a.object_ref.clone().unwrap_or_default();
    let resource = match (&r.resource, &r.subresource) {
        (Some(res), Some(sub)) => format!("{res}/{sub}"),
        (Some(res), None) => res.clone(),
        _ => "-".into(),
    };
    let place = match (&r.namespace, &r.name) {
        (Some(ns), Some(n)) => format!("{ns}/{n}"),
        (Some(ns), None) => format!("{ns}/-"),
        (None, Some(n)) => n.clone(),
        (None, None) => "-".into(),
    };
    format!(
        "{} {} {} {} {} {} {} {} {}:{}\n",
        or_dash(a.time.as_deref()),
        a.severity,
        visible(&a.rule),
        or_dash(a.user.as_deref()),
        or_dash(a.verb.as_deref()),
        visible(&resource),
        visible(&place),
        visible(&a.message),
        visible(&a.file),
        a.line
    )
}

fn error_line(e: &DetectError) -> String {
    if e.line > 0 {
        format!("{}:{}: error: {}\n", visible(&e.file), e.line, visible(&e.message))
    } else {
        format!("{}: error: {}\n", visible(&e.file), visible(&e.message))
    }
}

impl<W: Write> Sink<'_, W> {
    fn alert(&mut self, a: &Alert) -> io::Result<()> {
        match self {
            Sink::Text(out) => out.write_all(text_line(a).as_bytes()),
            Sink::Lines(out) => {
                serde_json::to_writer(&mut *out, a)?;
                out.write_all(b"\n")
            }
            Sink::Json { out, first } => {
                out.write_all(if *first { b"\n    " } else { b",\n    " })?;
                *first = false;
                serde_json::to_writer(&mut *out, a).map_err(io::Error::other)
            }
            Sink::Sarif(w) => {
                let mut one = rempart::Report::new();
                one.findings.push(a.to_finding());
                w.file(&one, None)
            }
        }
    }

    fn error(&mut self, e: &DetectError, kept: &mut Vec<DetectError>) -> io::Result<()> {
        match self {
            Sink::Text(out) => out.write_all(error_line(e).as_bytes()),
            Sink::Lines(_) => {
                eprint!("rempart: {}", error_line(e));
                Ok(())
            }
            Sink::Json { .. } | Sink::Sarif(_) => {
                if kept.len() < MAX_KEPT_ERRORS {
                    kept.push(e.clone());
                }
                Ok(())
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::Text(out) | Sink::Lines(out) | Sink::Json { out, .. } => out.flush(),
            Sink::Sarif(_) => Ok(()),
        }
    }

    fn finish(self, errors: &[DetectError], summary: &DetectSummary) -> io::Result<()> {
        match self {
            Sink::Text(mut out) => {
                let s = summary;
                let mut extra = Vec::new();
                if s.duplicates > 0 {
                    extra.push(format!("{} repeated by later stages of the same request", s.duplicates));
                }
                if s.suppressed > 0 {
                    extra.push(format!("{} covered by exceptions", s.suppressed));
                }
                let extra = if extra.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", extra.join(", "))
                };
                writeln!(
                    out,
                    "{} alert(s), {} error(s) in {} event(s) from {} input(s){extra}",
                    s.alerts, s.errors, s.events, s.files
                )?;
                out.flush()
            }
            Sink::Lines(mut out) => out.flush(),
            Sink::Json { mut out, first } => {
                let close = if first { "]" } else { "\n  ]" };
                let tail = serde_json::json!({"errors": errors, "summary": summary});
                let tail = serde_json::to_string_pretty(&tail).map_err(io::Error::other)?;
                // `{"errors": …, "summary": …}` without its opening brace, after the alerts.
                let tail = tail.strip_prefix('{').unwrap_or(&tail);
                writeln!(out, "{close},{tail}")?;
                out.flush()
            }
            Sink::Sarif(w) => {
                let mut totals = rempart::Report::new();
                totals.errors = errors.iter().map(DetectError::to_entry).collect();
                Box::new(w).finish(&totals)
            }
        }
    }
}

pub fn detect(a: DetectArgs, out: &mut dyn Write) -> Result<i32, String> {
    let paths = if a.paths.is_empty() {
        vec!["-".to_owned()]
    } else {
        a.paths.clone()
    };
    if a.follow && (paths.len() != 1 || paths.first().is_some_and(|p| p == "-")) {
        return Err("`--follow` follows one file: name it (standard input is read to its end anyway)".into());
    }
    if a.follow && a.output.is_some() {
        return Err("`--follow` writes alerts as they come: leave out `--output` and redirect the output".into());
    }
    let project = crate::settings::resolve(&scan_args(&a, &paths), &paths)?;
    let engine = project.engine().map_err(|e| e.message)?;
    let format = match a.input {
        InputArg::Auto => InputFormat::Auto,
        InputArg::K8s => InputFormat::K8s,
        InputArg::Gke => InputFormat::Gke,
        InputArg::Aks => InputFormat::Aks,
        InputArg::Eks => InputFormat::Eks,
    };
    let mut detector = Detector::new(&engine)
        .with_format(format)
        .with_exceptions(project.exceptions.clone(), project.today);
    let (report_file, mut file_out) = match &a.output {
        Some(path) => {
            let (d, f) = Destination::create(path, "report")?;
            for p in paths.iter().filter(|p| *p != "-") {
                d.check_input(Path::new(p))?;
            }
            (Some(d), Some(f))
        }
        None => (None, None),
    };
    let target: &mut dyn Write = match &mut file_out {
        Some(f) => f,
        None => out,
    };
    let buffered = io::BufWriter::new(target);
    let root = std::env::current_dir()
        .map(|d| d.to_string_lossy().into_owned())
        .unwrap_or_default();
    let write_err = |e: io::Error| format!("cannot write the output: {e}");
    let policies: Vec<rempart::Policy> = detector.policies().to_vec();
    let mut sink = match a.format {
        DetectFormat::Text => Sink::Text(buffered),
        DetectFormat::Jsonl => Sink::Lines(buffered),
        DetectFormat::Json => {
            let mut b = buffered;
            write!(
                b,
                "{{\n  \"version\": {},\n  \"alerts\": [",
                serde_json::json!(rempart::VERSION)
            )
            .map_err(write_err)?;
            Sink::Json { out: b, first: true }
        }
        DetectFormat::Sarif => Sink::Sarif(SarifWriter::start(buffered, &policies, &root).map_err(write_err)?),
    };
    let mut worst: Option<Severity> = None;
    let mut kept: Vec<DetectError> = Vec::new();
    let mut failure: Option<io::Error> = None;
    {
        let mut handle = |d: Detection| {
            if failure.is_some() {
                return;
            }
            let written = match &d {
                Detection::Alert(alert) => {
                    worst = worst.max(Some(alert.severity).filter(|s| *s > Severity::Info));
                    sink.alert(alert)
                }
                Detection::Error(e) => sink.error(e, &mut kept),
            };
            // Alerts are seen as soon as they are found (a log shipper, a terminal).
            let flushed = written.and_then(|()| if a.follow { sink.flush() } else { Ok(()) });
            if let Err(e) = flushed {
                failure = Some(e);
            }
        };
        if a.follow {
            let path = paths.first().cloned().unwrap_or_default();
            follow(&mut detector, &path, a.follow_idle_exit, &mut handle);
        } else {
            files::detect_paths(&mut detector, &paths, &mut handle);
        }
    }
    let summary = detector.summary().clone();
    match failure {
        // The reader went away (`rempart detect … | head`): stop quietly, as Unix tools do.
        Some(e) if e.kind() == io::ErrorKind::BrokenPipe => drop(sink),
        Some(e) => {
            drop(sink);
            return Err(write_err(e));
        }
        None => sink.finish(&kept, &summary).map_err(write_err)?,
    }
    drop(file_out);
    if let Some(d) = report_file {
        d.commit()?;
    }
    let fails = project.fail_on.is_some_and(|t| worst.is_some_and(|w| w >= t));
    Ok(if summary.errors > 0 {
        EXIT_ERROR
    } else if fails {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}

/// Reads a file, then what is appended to it, as `tail -F` does: when the file is replaced
/// (another inode: rotation by renaming) or shrinks (rotation by truncation), the rest of the
/// old stream is finished and the new file is read from its start. Runs until stopped, or
/// once nothing new came for `idle_exit` milliseconds (for tests).
fn follow(detector: &mut Detector, path: &str, idle_exit: Option<u64>, out: &mut dyn FnMut(Detection)) {
    let name = rempart::files::display(Path::new(path));
    let mut buf = vec![0u8; 64 * 1024];
    let mut last_data = Instant::now();
    'reopen: loop {
        let mut file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) => {
                if idle_exit.is_some_and(|ms| last_data.elapsed() > Duration::from_millis(ms)) {
                    out(Detection::Error(DetectError {
                        file: name.clone(),
                        line: 0,
                        message: format!("cannot read: {e}"),
                    }));
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
                continue;
            }
        };
        let identity = file_identity(&file);
        let mut cutter = detector.cutter();
        let mut position: u64 = 0;
        loop {
            match file.read(&mut buf) {
                Ok(0) => {}
                Ok(n) => {
                    position += n as u64;
                    last_data = Instant::now();
                    detector.feed(&mut cutter, &name, buf.get(..n).unwrap_or_default(), out);
                    continue;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    out(Detection::Error(DetectError {
                        file: name.clone(),
                        line: 0,
                        message: format!("cannot read: {e}"),
                    }));
                    return;
                }
            }
            // At the end of what was written so far: rotated, or wait for more.
            let rotated = match std::fs::metadata(path) {
                Ok(m) => file_identity_of(&m) != identity || m.len() < position,
                Err(_) => false,
            };
            if rotated {
                detector.finish(&mut cutter, &name, out);
                continue 'reopen;
            }
            if idle_exit.is_some_and(|ms| last_data.elapsed() > Duration::from_millis(ms)) {
                detector.finish(&mut cutter, &name, out);
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

#[cfg(unix)]
fn file_identity_of(m: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (m.dev(), m.ino())
}

#[cfg(not(unix))]
fn file_identity_of(m: &std::fs::Metadata) -> (u64, u64) {
    let created = m
        .created()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
    (0, created.map_or(0, |d| d.as_secs()))
}

fn file_identity(file: &std::fs::File) -> (u64, u64) {
    file.metadata().map(|m| file_identity_of(&m)).unwrap_or_default()
}
