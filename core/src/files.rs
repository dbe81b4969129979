//! Reading what the user names: files, directories and stdin, and policy files. Shared by
//! the CLI and the Python package, so both read the same files the same way.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::engine::{ErrorEntry, PolicyText, Report, ScanContext};
use crate::glob::Glob;
use crate::Engine;
use crate::Source;

/// The extensions `kubectl apply -f DIR` reads (compared like Go's `filepath.Ext`: from the
/// last dot of the name, case-sensitive, so `.yaml` alone counts).
const EXTENSIONS: &[&str] = &[".yaml", ".yml", ".json"];

/// Directories left out of a walk, deliberately: version-control metadata, never manifests.
/// Each one left out is a note and counts in `summary.ignored`.
const LEFT_OUT_DIRS: &[&str] = &[".git"];

fn has_extension(path: &Path) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    name.rfind('.')
        .and_then(|i| name.get(i..))
        .is_some_and(|ext| EXTENSIONS.contains(&ext))
}

/// What walking the named paths gives.
#[derive(Default)]
struct Walk {
    files: Vec<PathBuf>,
    errors: Vec<ErrorEntry>,
    /// Paths left out, and why (one note each).
    notes: Vec<ErrorEntry>,
}

/// What a special file is, for messages.
fn special_kind(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
    }
    let _ = t;
    "not a regular file"
}

/// Expands one named path: a directory is walked as `kubectl apply -R -f DIR` reads it
/// (every `.yaml`/`.yml`/`.json` file, hidden ones included, sorted); a file named directly is
/// taken whatever its extension but must be a regular file.
fn expand(path: &Path, roots: &[PathBuf], walk: &mut Walk) {
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => walk_dir(path, roots, walk),
        Ok(m) if m.is_file() => walk.files.push(path.to_path_buf()),
        Ok(m) => walk.errors.push(file_error(
            path,
            format!(
                "{}, not a regular file; only files, directories and `-` (stdin) are read",
                special_kind(&m.file_type())
            ),
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            walk.errors.push(file_error(path, "no such file or directory".into()))
        }
        Err(e) => walk.errors.push(file_error(path, format!("cannot read: {e}"))),
    }
}

/// Walks a directory. Only regular files are opened; symbolic links are followed to files
/// inside the scanned roots only (a link to a directory is not descended, as in kubectl,
/// whose walk does not follow them either); a link to a file outside them is an error.
fn walk_dir(dir: &Path, roots: &[PathBuf], walk: &mut Walk) {
    let mut entries: Vec<(PathBuf, std::fs::FileType)> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .flatten()
            .filter_map(|e| e.file_type().ok().map(|t| (e.path(), t)))
            .collect(),
        Err(e) => {
            walk.errors
                .push(file_error(dir, format!("cannot read the directory: {e}")));
            return;
        }
    };
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    for (entry, kind) in entries {
        if kind.is_dir() {
            let name = entry.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
            if LEFT_OUT_DIRS.contains(&name.as_ref()) {
                walk.notes.push(file_error(
                    &entry,
                    "version-control metadata, left out of the scan".into(),
                ));
            } else {
                walk_dir(&entry, roots, walk);
            }
        } else if !has_extension(&entry) {
            // Not a manifest name: kubectl would not read it either.
        } else if kind.is_file() {
            walk.files.push(entry);
        } else if kind.is_symlink() {
            match entry.canonicalize() {
                Err(_) => walk
                    .notes
                    .push(file_error(&entry, "a symbolic link to nothing; not read".into())),
                // kubectl reads through the link (its walk takes a link as a file): left out
                // silently, what it points to would be applied unchecked. It is not read here
                // (it may be any file of the machine), so the scan fails instead.
                Ok(target) if !roots.iter().any(|r| target.starts_with(r)) && !target.is_file() => walk.notes.push(file_error(
                    &entry,
                    "a symbolic link to a directory or a special file outside the scanned paths; not followed (kubectl cannot apply it either)"
                        .into(),
                )),
                Ok(target) if !roots.iter().any(|r| target.starts_with(r)) => walk.errors.push(file_error(
                    &entry,
                    "a symbolic link to a file outside the scanned paths, which kubectl would read and apply; not followed (scan its target too by naming it, or remove the link)"
                        .into(),
                )),
                Ok(target) => match std::fs::metadata(&target) {
                    Ok(m) if m.is_file() => walk.files.push(entry),
                    // A directory inside the roots is walked under its own name.
                    Ok(m) if m.is_dir() => {}
                    Ok(m) => walk.notes.push(file_error(
                        &entry,
                        format!("a symbolic link to {}; not read", special_kind(&m.file_type())),
                    )),
                    Err(e) => walk.notes.push(file_error(&entry, format!("cannot read: {e}"))),
                },
            }
        } else {
            walk.notes
                .push(file_error(&entry, format!("{}; not read", special_kind(&kind))));
        }
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
    /// Standard input (`-`).
    Stdin,
    /// A file.
    File(PathBuf),
}

/// The inputs the named paths expand to, in order, with what could not be listed (errors)
/// and the paths left out of directories (notes).
pub struct Inputs {
    /// The inputs, in order.
    pub inputs: Vec<Input>,
    /// Paths that could not be listed.
    pub errors: Vec<ErrorEntry>,
    /// Paths left out of directories.
    pub notes: Vec<ErrorEntry>,
}

/// Expands the paths the user named into inputs, in order; a path that does not exist or
/// cannot be listed becomes an error entry, a path left out of a directory a note.
pub fn collect_inputs(paths: &[String], exclude: &[Glob]) -> Inputs {
    let roots: Vec<PathBuf> = paths
        .iter()
        .filter(|p| *p != "-")
        .filter_map(|p| Path::new(p).canonicalize().ok())
        .collect();
    let mut inputs = Vec::new();
    let mut walk = Walk::default();
    for p in paths {
        if p == "-" {
            inputs.push(Input::Stdin);
            continue;
        }
        let from = walk.files.len();
        expand(Path::new(p), &roots, &mut walk);
        let files = walk.files.split_off(from);
        inputs.extend(
            files
                .into_iter()
                .filter(|f| !exclude.iter().any(|g| g.matches(f)))
                .map(Input::File),
        );
    }
    let excluded = |e: &ErrorEntry| exclude.iter().any(|g| g.matches(Path::new(&e.file)));
    walk.notes.retain(|n| !excluded(n));
    // A link left out by the user's `exclude` is no error either.
    walk.errors.retain(|n| !excluded(n));
    Inputs {
        inputs,
        errors: walk.errors,
        notes: walk.notes,
    }
}

fn too_big(name: &Path, max_bytes: usize) -> ErrorEntry {
    over_limit(display(name), max_bytes)
}

/// The one error of an input over `limits.maxInputBytes` (a file, stdin, a text handed to a
/// binding): it is not read, and the other inputs are scanned.
pub fn over_limit(file: String, max_bytes: usize) -> ErrorEntry {
    ErrorEntry {
        file,
        document: None,
        message: format!("the input is over the limit of {max_bytes} bytes; it was not read (raise `maxInputBytes`)"),
        span: None,
    }
}

/// Reads at most `max_bytes + 1` bytes from `reader`: more than `max_bytes` means the input
/// is over the limit, and the rest is never read.
pub fn read_bounded(reader: impl Read, max_bytes: usize) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader
        .take((max_bytes as u64).saturating_add(1))
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Reads one input of at most `max_bytes` (counted while reading: the size a file reports
/// is not trusted); what cannot be read becomes an error entry. `stdin` is what the caller
/// read from standard input with [`read_bounded`] (`max_bytes + 1` bytes when there was more).
pub fn read_input(input: &Input, stdin: &str, max_bytes: usize) -> Result<Source, ErrorEntry> {
    match input {
        Input::Stdin if stdin.len() > max_bytes => Err(too_big(Path::new("<stdin>"), max_bytes)),
        Input::Stdin => Ok(Source::new("<stdin>", stdin)),
        Input::File(file) => read_file(file, max_bytes),
    }
}

/// Opens a file for reading without waiting: should the name have become a named pipe since
/// it was listed, opening it does not block until a writer comes (Linux's `O_NONBLOCK`,
/// which regular files ignore); the handle is then checked to be a regular file.
fn open_without_blocking(file: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(all(
        target_os = "linux",
        any(
            target_arch = "x86_64",
            target_arch = "x86",
            target_arch = "aarch64",
            target_arch = "arm",
            target_arch = "riscv64"
        )
    ))]
    {
        use std::os::unix::fs::OpenOptionsExt;
        const O_NONBLOCK: i32 = 0o4000;
        options.custom_flags(O_NONBLOCK);
    }
    options.open(file)
}

fn read_file(file: &Path, max_bytes: usize) -> Result<Source, ErrorEntry> {
    let cannot = |e: std::io::Error| file_error(file, format!("cannot read the file: {e}"));
    let not_regular = |t: &std::fs::FileType| {
        file_error(
            file,
            format!("{}, not a regular file; it was not read", special_kind(t)),
        )
    };
    match std::fs::metadata(file) {
        Ok(m) if !m.is_file() => return Err(not_regular(&m.file_type())),
        Err(e) => return Err(cannot(e)),
        Ok(_) => {}
    }
    let handle = open_without_blocking(file).map_err(cannot)?;
    // What was opened, not what the name pointed to a moment before.
    let meta = handle.metadata().map_err(cannot)?;
    if !meta.is_file() {
        return Err(not_regular(&meta.file_type()));
    }
    let bytes = read_bounded(handle, max_bytes).map_err(cannot)?;
    if bytes.len() > max_bytes {
        return Err(too_big(file, max_bytes));
    }
    Source::from_bytes(display(file), bytes).map_err(|message| file_error(file, message))
}

/// Reads policy files and directories.
pub fn policy_files(paths: &[PathBuf]) -> Result<Vec<PolicyText>, String> {
    let roots: Vec<PathBuf> = paths.iter().filter_map(|p| p.canonicalize().ok()).collect();
    let mut walk = Walk::default();
    for p in paths {
        expand(p, &roots, &mut walk);
    }
    if let Some(e) = walk.errors.first() {
        return Err(format!("policies `{}`: {}", e.file, e.message));
    }
    walk.files
        .iter()
        // `name.data.yaml` holds data policies use (the default ClusterRoles), not policies.
        .filter(|f| !f.to_string_lossy().ends_with(".data.yaml"))
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
    each: impl FnMut(&mut Report, Option<&Source>) -> Result<(), E>,
) -> Result<Report, E> {
    scan_paths_jobs(engine, paths, exclude, stdin, 1, each)
}

/// The number of files scanned at once by default: the cores this process may use.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map(usize::from).unwrap_or(1)
}

/// [`scan_paths`] on `jobs` threads: files are scanned in parallel, and `each` still receives
/// the reports one at a time in the order of the inputs (the output is the same as with one
/// thread). At most a few files per thread are held ahead of the one `each` waits for.
/// `jobs` of 0 or 1 scans on the calling thread.
pub fn scan_paths_jobs<E>(
    engine: &Engine,
    paths: &[String],
    exclude: &[Glob],
    stdin: &str,
    jobs: usize,
    mut each: impl FnMut(&mut Report, Option<&Source>) -> Result<(), E>,
) -> Result<Report, E> {
    let Inputs {
        inputs,
        errors: missing,
        notes: left_out,
    } = collect_inputs(paths, exclude);
    // Pods judged by their Namespace, and policies that look up other objects of the set (a
    // pod's ServiceAccount), need those objects first: a light pre-pass, one file at a time.
    let mut context = ScanContext::default();
    if engine.needs_context() {
        let max = engine.limits().max_input_bytes;
        for source in inputs.iter().filter_map(|i| read_input(i, stdin, max).ok()) {
            engine.add_to_context(&mut context, &source);
        }
    }
    let mut totals = Report::new();
    let mut first = Report::new();
    first.summary.files = missing.len();
    first.summary.errors = missing.len();
    first.errors = missing;
    first.summary.ignored = left_out.len();
    first.notes = engine.option_notes();
    // Objects of the set read twice, named with both places; objects past the set's budget.
    first.notes.extend(context.notes());
    let set_errors = context.errors();
    first.summary.errors += set_errors.len();
    first.errors.extend(set_errors);
    first.notes.extend(left_out);
    each(&mut first, None)?;
    totals.merge(first);
    // Files that kustomizations apply as patches are not complete objects: noted, not scanned.
    let patches = crate::kustomize::Patches::find(&inputs);
    let work = |input: &Input| scan_input(engine, input, stdin, &patches, &context);
    let mut emit = |(mut report, source): (Report, Option<Source>)| {
        each(&mut report, source.as_ref())?;
        report.findings.clear();
        totals.merge(report);
        Ok(())
    };
    let jobs = jobs.min(inputs.len());
    if jobs <= 1 {
        for input in &inputs {
            emit(work(input))?;
        }
    } else {
        in_order(&inputs, jobs, work, emit)?;
    }
    Ok(totals)
}

/// One input's report, and its source when it could be read.
fn scan_input(
    engine: &Engine,
    input: &Input,
    stdin: &str,
    patches: &crate::kustomize::Patches,
    context: &ScanContext,
) -> (Report, Option<Source>) {
    let max = engine.limits().max_input_bytes;
    if let Some(mut noted) = patches.skip(input) {
        // kubectl apply -f DIR applies the file as it is: the values it sets are judged.
        let source = read_input(input, stdin, max).ok();
        if let Some(source) = &source {
            let mut judged = engine.scan_patches(source, context);
            noted.findings.append(&mut judged.findings);
            noted.summary.findings = noted.findings.len();
            noted.summary.documents = judged.summary.documents;
        }
        return (noted, source);
    }
    match read_input(input, stdin, max) {
        Ok(source) => (engine.scan_with(&source, context), Some(source)),
        Err(error) => {
            let mut r = Report::new();
            r.summary.files = 1;
            r.summary.errors = 1;
            r.errors.push(error);
            (r, None)
        }
    }
}

/// Where the workers of [`in_order`] stand.
struct Window {
    /// The next item a worker takes.
    next: usize,
    /// How many items `emit` has had.
    emitted: usize,
    /// `emit` failed: take no more.
    stop: bool,
}

/// Runs `work` over `items` on `jobs` threads and hands the results to `emit` on this thread
/// in the order of `items`. Workers stay within a window of `4 * jobs` items past the last
/// one emitted, so memory is bounded however slow `emit` is. Stops at the first error of
/// `emit`.
fn in_order<T: Sync, R: Send, E>(
    items: &[T],
    jobs: usize,
    work: impl Fn(&T) -> R + Sync,
    mut emit: impl FnMut(R) -> Result<(), E>,
) -> Result<(), E> {
    use std::sync::{mpsc, Condvar, Mutex, MutexGuard, PoisonError};
    let window = jobs.saturating_mul(4);
    let state = Mutex::new(Window {
        next: 0,
        emitted: 0,
        stop: false,
    });
    let turn = Condvar::new();
    let lock = || -> MutexGuard<'_, Window> { state.lock().unwrap_or_else(PoisonError::into_inner) };
    std::thread::scope(|scope| {
        let (done, results) = mpsc::channel::<(usize, R)>();
        for _ in 0..jobs {
            let done = done.clone();
            let (work, lock, turn) = (&work, &lock, &turn);
            scope.spawn(move || loop {
                let index = {
                    let mut w = lock();
                    loop {
                        if w.stop || w.next >= items.len() {
                            return;
                        }
                        if w.next < w.emitted.saturating_add(window) {
                            break;
                        }
                        w = turn.wait(w).unwrap_or_else(PoisonError::into_inner);
                    }
                    w.next += 1;
                    w.next - 1
                };
                let Some(item) = items.get(index) else { return };
                if done.send((index, work(item))).is_err() {
                    return;
                }
            });
        }
        drop(done);
        let mut pending = std::collections::BTreeMap::new();
        let mut wanted = 0;
        for (index, result) in results.iter() {
            pending.insert(index, result);
            while let Some(result) = pending.remove(&wanted) {
                wanted += 1;
                let emitted = emit(result);
                let mut w = lock();
                w.emitted = wanted;
                w.stop = emitted.is_err();
                drop(w);
                turn.notify_all();
                emitted?;
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_refuses_special_files_and_counts_bytes_as_it_reads() {
        let dir = std::env::temp_dir().join(format!("rempart-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let fifo = dir.join("p.yaml");
        let _ = std::fs::remove_file(&fifo);
        assert!(std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success());
        // Named as an input after the walk (it could have been replaced since): not opened.
        let e = read_input(&Input::File(fifo.clone()), "", 100).err().unwrap();
        assert!(e.message.contains("named pipe"), "{}", e.message);
        // `/dev/zero` reports a length of 0 and never ends: read up to the limit only.
        let e = read_input(&Input::File("/dev/zero".into()), "", 100).err().unwrap();
        assert!(e.message.contains("a device"), "{}", e.message);
        assert_eq!(read_bounded(std::io::repeat(b'a'), 100).unwrap().len(), 101);
        let e = read_input(&Input::Stdin, &"x".repeat(101), 100).err().unwrap();
        assert!(e.message.contains("over the limit of 100 bytes"), "{}", e.message);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
