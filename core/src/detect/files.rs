//! Reading audit logs from paths: files, directories (every regular file below them, in
//! name order, hidden names and symbolic links left out), gzip-compressed files (recognised
//! by their first bytes, whatever their name), and standard input (`-`).

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use super::{DetectError, Detection, Detector};

/// The files the paths name, in order; a path that cannot be listed is an error.
pub fn expand(paths: &[String]) -> (Vec<String>, Vec<DetectError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        if p == "-" {
            files.push(p.clone());
            continue;
        }
        let path = Path::new(p);
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => walk(path, &mut files, &mut errors, 0),
            Ok(_) => files.push(p.clone()),
            Err(e) => errors.push(DetectError {
                file: crate::files::display(path),
                line: 0,
                message: format!("cannot read: {e}"),
            }),
        }
    }
    (files, errors)
}

fn walk(dir: &Path, files: &mut Vec<String>, errors: &mut Vec<DetectError>, depth: usize) {
    if depth > 64 {
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) => {
            errors.push(DetectError {
                file: crate::files::display(dir),
                line: 0,
                message: format!("cannot list: {e}"),
            });
            return;
        }
    };
    let mut found: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    found.sort();
    for path in found {
        if path
            .file_name()
            .and_then(|n| n.to_str())
            .is_none_or(|n| n.starts_with('.'))
        {
            continue;
        }
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            walk(&path, files, errors, depth + 1);
        } else if meta.is_file() {
            files.push(crate::files::display(&path));
        }
    }
}

/// A reader of the file's text, decompressed when it starts as gzip does.
pub fn open(path: &Path) -> std::io::Result<Box<dyn Read>> {
    let file = File::open(path)?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    decompressed(BufReader::new(file))
}

/// The bytes of `reader`, decompressed when they start with the gzip magic number.
pub fn decompressed<R: Read + 'static>(reader: R) -> std::io::Result<Box<dyn Read>> {
    let mut reader = std::io::BufReader::new(reader);
    let head = std::io::BufRead::fill_buf(&mut reader)?;
    if head.starts_with(&[0x1f, 0x8b]) {
        #[cfg(feature = "gzip")]
        return Ok(Box::new(flate2::read::MultiGzDecoder::new(reader)));
        #[cfg(not(feature = "gzip"))]
        return Err(std::io::Error::other(
            "gzip-compressed input cannot be read by this build",
        ));
    }
    Ok(Box::new(reader))
}

/// Reads every file the paths name (stdin for `-`) through `detector`, handing over alerts
/// and errors as they come.
pub fn detect_paths(detector: &mut Detector, paths: &[String], out: &mut dyn FnMut(Detection)) {
    let (files, errors) = expand(paths);
    for e in errors {
        detector.summary.errors += 1;
        out(Detection::Error(e));
    }
    for f in files {
        let (name, reader) = if f == "-" {
            ("<stdin>".to_owned(), decompressed(std::io::stdin()))
        } else {
            (f.clone(), open(Path::new(&f)))
        };
        let result = reader.and_then(|r| detector.read(&name, r, out));
        if let Err(e) = result {
            detector.summary.errors += 1;
            out(Detection::Error(DetectError {
                file: name,
                line: 0,
                message: format!("cannot read: {e}"),
            }));
        }
    }
}
