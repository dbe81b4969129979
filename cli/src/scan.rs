//! `rempart scan` and `rempart config`.

use std::cell::Cell;
use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::rc::Rc;

use rempart::files::{default_jobs, read_bounded, scan_paths_jobs};
use rempart::format::{
    visible, FormatWriter, GithubWriter, JsonWriter, JunitWriter, PolicyReportWriter, SarifWriter, TextWriter,
};
use rempart::project::Outcome;

use crate::output::Destination;
use crate::settings;
use crate::{ColorArg, Format, ScanArgs, EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};

fn paths_of(a: &ScanArgs) -> Vec<String> {
    if a.paths.is_empty() {
        vec![".".to_owned()]
    } else {
        a.paths.clone()
    }
}

pub fn print_config(a: ScanArgs, out: &mut dyn Write) -> Result<i32, String> {
    let project = settings::resolve(&a, &paths_of(&a))?;
    let text = serde_json::to_string_pretty(&project.describe()).map_err(|e| e.to_string())?;
    crate::emit(out, &format!("{text}\n"))?;
    Ok(EXIT_OK)
}

pub fn scan(a: ScanArgs, out: &mut dyn Write) -> Result<i32, String> {
    let paths = paths_of(&a);
    let mut project = settings::resolve(&a, &paths)?;
    let engine = project.engine().map_err(|e| e.message)?;
    settings::read_baseline(&mut project, &a)?;
    let mut stdin = String::new();
    if paths.iter().any(|p| p == "-") {
        // Bounded like a file: past the limit, the rest is not read.
        let bytes = read_bounded(io::stdin().lock(), engine.limits().max_input_bytes)
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
    // Reports and baselines are written to temporary files, put in place at the end, and
    // never over a file the scan reads.
    let (report_file, mut file_out) = match &a.output {
        Some(path) => {
            let (d, f) = Destination::create(path, "report")?;
            (Some(d), Some(f))
        }
        None => (None, None),
    };
    let (baseline_file, baseline_out) = match &a.write_baseline {
        Some(path) => {
            let (d, f) = Destination::create(path, "baseline")?;
            (Some(d), Some(f))
        }
        None => (None, None),
    };
    let destinations: Vec<&Destination> = report_file.iter().chain(baseline_file.iter()).collect();
    let read: Vec<&Path> = paths
        .iter()
        .filter(|p| *p != "-")
        .map(Path::new)
        .chain(a.baseline.as_deref())
        .chain(project.exception_sources.iter().map(|s| Path::new(&s.name)))
        .collect();
    for d in &destinations {
        for input in &read {
            d.check_input(input)?;
        }
    }
    let sink: &mut dyn Write = match &mut file_out {
        Some(file) => file,
        None => out,
    };
    let closed = Rc::new(Cell::new(false));
    let sink = io::BufWriter::new(PipeGuard {
        inner: sink,
        closed: Rc::clone(&closed),
    });
    let write_err = |e: io::Error| format!("cannot write the report: {e}");
    let root = std::env::current_dir()
        .map(|d| d.to_string_lossy().into_owned())
        .unwrap_or_default();
    // One line per format, and no catch-all: a new `Format` does not compile until it has a
    // writer here.
    let mut output: Box<dyn FormatWriter + '_> = match a.format {
        Format::Text => Box::new(TextWriter::new(sink, color, a.verbose)),
        Format::Json => Box::new(JsonWriter::start(sink).map_err(write_err)?),
        Format::Sarif => Box::new(SarifWriter::start(sink, engine.policies(), &root).map_err(write_err)?),
        Format::Junit => Box::new(JunitWriter::new(sink, engine.policies())),
        Format::PolicyReport => Box::new(PolicyReportWriter::new(sink)),
        Format::Github => Box::new(GithubWriter::new(sink)),
    };
    let mut judge = project.judge(a.write_baseline.is_some());
    let mut refused: Option<String> = None;
    // Each file is read, scanned and written out before the next: memory follows the
    // largest document, not the whole scan.
    // Files are scanned on `jobs` threads; reports come here one at a time, in input order.
    let jobs = a.jobs.map_or_else(default_jobs, usize::from);
    let scanned = scan_paths_jobs(&engine, &paths, &project.exclude, &stdin, jobs, |report, source| {
        // The reader went away (`rempart scan | head`): stop, unless a baseline is being
        // recorded, which must hold every finding.
        if closed.get() && a.write_baseline.is_none() {
            return Err(io::Error::from(io::ErrorKind::BrokenPipe));
        }
        let name = source
            .map(|s| s.name.as_str())
            .or(report.errors.first().map(|e| e.file.as_str()));
        if let Some(name) = name.filter(|n| *n != "<stdin>") {
            if let Some(e) = destinations.iter().find_map(|d| d.check_input(Path::new(name)).err()) {
                refused = Some(e);
                return Err(io::Error::other("refused"));
            }
        }
        judge.file(report);
        output.file(report, source)
    });
    let mut totals = match scanned {
        Ok(totals) => totals,
        // A closed pipe ends the command quietly, as Unix tools do; the exit status still
        // says what was found before the reader left.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(exit(judge.outcome())),
        Err(e) => return Err(refused.unwrap_or_else(|| write_err(e))),
    };
    // Findings about the exceptions themselves (expired, stale), in the files that hold them.
    for (mut closing, source) in judge.closing() {
        output.file(&closing, Some(source)).map_err(write_err)?;
        closing.findings.clear();
        totals.merge(closing);
    }
    for note in judge.notes() {
        eprintln!("rempart: note: {}: {}", visible(&note.file), note.message);
        totals.notes.push(note);
    }
    output.finish(&totals).map_err(write_err)?;
    drop(file_out);
    if let Some(d) = report_file {
        d.commit()?;
    }
    if let (Some(d), Some(mut file)) = (baseline_file, baseline_out) {
        file.write_all(judge.recorded().to_json().as_bytes())
            .and_then(|()| file.flush())
            .map_err(|e| format!("cannot write the baseline: {e}"))?;
        drop(file);
        d.commit()?;
    }
    Ok(exit(judge.outcome()))
}

fn exit(outcome: Outcome) -> i32 {
    match outcome {
        Outcome::Pass => EXIT_OK,
        Outcome::Findings => EXIT_FINDINGS,
        Outcome::Error => EXIT_ERROR,
    }
}

/// Standard output as Unix tools treat it: once the reader has gone (`rempart scan | head`),
/// the rest of the output is dropped instead of failing the command; `closed` tells the scan
/// to stop.
struct PipeGuard<W: Write> {
    inner: W,
    closed: Rc<Cell<bool>>,
}

impl<W: Write> PipeGuard<W> {
    fn guard<T>(&mut self, done: T, result: io::Result<T>) -> io::Result<T> {
        match result {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.closed.set(true);
                Ok(done)
            }
            other => other,
        }
    }
}

impl<W: Write> Write for PipeGuard<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.closed.get() {
            return Ok(buf.len());
        }
        let written = self.inner.write(buf);
        self.guard(buf.len(), written)
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.closed.get() {
            return Ok(());
        }
        let flushed = self.inner.flush();
        self.guard((), flushed)
    }
}
