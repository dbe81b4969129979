//! Reading what the user names: files, directories and stdin, and policy files. Shared by
//! the CLI and the Python package, so both read the same files the same way.

use std::path::{Path, PathBuf};

use crate::config::Glob;
use crate::engine::{ErrorEntry, PolicyText, Report, ScanContext};
use crate::Engine;
use crate::Source;

const EXTENSIONS: &[&str] = &["yaml", "yml", "json"];

/// Expands directories (recursively, sorted, hidden entries left out) into their
/// `.yaml`/`.yml`/`.json` files; a file named directly is taken whatever its extension.
fn expand(path: &Path, out: &mut Vec<PathBuf>, errors: &mut Vec<ErrorEntry>) {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = match std::fs::read_dir(path) {
            Ok(rd) => rd.flatten().map(|e| e.path()).collect(),
            Err(e) => {
                errors.push(file_error(path, format!("cannot read the directory: {e}")));
                return;
            }
        };
        entries.sort();
        for entry in entries {
            let hidden = entry
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'));
            let is_link = entry.symlink_metadata().is_ok_and(|m| m.file_type().is_symlink());
            if hidden || (is_link && entry.is_dir()) {
                continue;
            }
            if entry.is_dir() {
                expand(&entry, out, errors);
            } else if entry
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| EXTENSIONS.contains(&e))
            {
                out.push(entry);
            }
        }
    } else if path.exists() {
        out.push(path.to_path_buf());
    } else {
        errors.push(file_error(path, "no such file or directory".into()));
    }
}

fn file_error(path: &Path, message: String) -> ErrorEntry {
    ErrorEntry {
        file: display(path),
        document: None,
        message,
        span: None,
    }
}

/// How a path is named in findings: as given, without a leading `./`.
pub fn display(path: &Path) -> String {
    let s = path.to_string_lossy();
    s.strip_prefix("./").unwrap_or(&s).to_owned()
}

/// One input to scan.
pub enum Input {
    Stdin,
    File(PathBuf),
}

/// Expands the paths the user named into inputs, in order; a path that does not exist or
/// cannot be listed becomes an error entry.
pub fn collect_inputs(paths: &[String], exclude: &[Glob]) -> (Vec<Input>, Vec<ErrorEntry>) {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        if p == "-" {
            inputs.push(Input::Stdin);
            continue;
        }
        let mut files = Vec::new();
        expand(Path::new(p), &mut files, &mut errors);
        inputs.extend(
            files
                .into_iter()
                .filter(|f| !exclude.iter().any(|g| g.matches(f)))
                .map(Input::File),
        );
    }
    (inputs, errors)
}

/// Reads one input of at most `max_bytes`; what cannot be read becomes an error entry.
pub fn read_input(input: &Input, stdin: &str, max_bytes: usize) -> Result<Source, ErrorEntry> {
    let too_big = |name: &Path, size: u64| {
        file_error(
            name,
            format!("the input is {size} bytes, over the limit of {max_bytes} bytes; it was not read (raise `maxInputBytes`)"),
        )
    };
    match input {
        Input::Stdin if stdin.len() > max_bytes => Err(too_big(Path::new("<stdin>"), stdin.len() as u64)),
        Input::Stdin => Ok(Source::new("<stdin>", stdin)),
        Input::File(file) => match std::fs::metadata(file).map(|m| m.len()) {
            Ok(size) if size > max_bytes as u64 => Err(too_big(file, size)),
            _ => read_file(file),
        },
    }
}

fn read_file(file: &Path) -> Result<Source, ErrorEntry> {
    match std::fs::read(file) {
        Ok(bytes) => Source::from_bytes(display(file), bytes).map_err(|message| file_error(file, message)),
        Err(e) => Err(file_error(file, format!("cannot read the file: {e}"))),
    }
}

/// Reads policy files and directories.
pub fn policy_files(paths: &[PathBuf]) -> Result<Vec<PolicyText>, String> {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        expand(p, &mut files, &mut errors);
    }
    if let Some(e) = errors.first() {
        return Err(format!("policies `{}`: {}", e.file, e.message));
    }
    files
        .iter()
        .map(|f| {
            std::fs::read_to_string(f)
                .map(|text| PolicyText { name: display(f), text })
                .map_err(|e| format!("cannot read policy file `{}`: {e}", f.display()))
        })
        .collect()
}

/// Scans the named paths (files, directories, `-` for `stdin`; files matching `exclude` are
/// left out) one file at a time: `each` receives every file's report, findings included,
/// with its source, and may change it; then the file is dropped. Returns the totals —
/// errors, notes and summary — without the findings.
pub fn scan_paths<E>(
    engine: &Engine,
    paths: &[String],
    exclude: &[Glob],
    stdin: &str,
    mut each: impl FnMut(&mut Report, Option<&Source>) -> Result<(), E>,
) -> Result<Report, E> {
    let (inputs, missing) = collect_inputs(paths, exclude);
    // Pods judged by their Namespace need every Namespace first: a light pre-pass.
    let context = if engine.needs_context() {
        let max = engine.limits().max_input_bytes;
        let sources: Vec<Source> = inputs.iter().filter_map(|i| read_input(i, stdin, max).ok()).collect();
        engine.context(&sources)
    } else {
        ScanContext::default()
    };
    let mut totals = Report::new();
    let mut first = Report::new();
    first.summary.files = missing.len();
    first.summary.errors = missing.len();
    first.errors = missing;
    each(&mut first, None)?;
    totals.merge(first);
    // Files that kustomizations apply as patches are not complete objects: noted, not scanned.
    let patches = crate::kustomize::Patches::find(&inputs);
    for input in &inputs {
        if let Some(mut noted) = patches.skip(input) {
            each(&mut noted, None)?;
            totals.merge(noted);
            continue;
        }
        let (mut report, source) = match read_input(input, stdin, engine.limits().max_input_bytes) {
            Ok(source) => (engine.scan_with(&source, &context), Some(source)),
            Err(error) => {
                let mut r = Report::new();
                r.summary.files = 1;
                r.summary.errors = 1;
                r.errors.push(error);
                (r, None)
            }
        };
        each(&mut report, source.as_ref())?;
        report.findings.clear();
        totals.merge(report);
    }
    Ok(totals)
}
