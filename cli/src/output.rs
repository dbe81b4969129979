//! Writing reports (`-o`) and baselines (`--write-baseline`) safely: never over a file the
//! scan reads, never through a symbolic link, and never half-written: the text goes to a
//! temporary file in the same directory, renamed over the target once complete.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use rempart::files::display;
use rempart::format::visible;

/// A file being written; [`Destination::commit`] puts it in place, dropping it without
/// committing removes the temporary file.
pub struct Destination {
    target: PathBuf,
    /// The temporary file, or `None` when writing straight to a device or named pipe.
    temp: Option<PathBuf>,
    canonical: Option<PathBuf>,
    what: &'static str,
}

impl Destination {
    /// Opens `target` for writing `what` ("report", "baseline").
    pub fn create(target: &Path, what: &'static str) -> Result<(Destination, File), String> {
        let shown = || visible(&display(target)).into_owned();
        let refuse = |why: &str| format!("cannot write the {what} `{}`: {why}", shown());
        match std::fs::symlink_metadata(target) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(refuse(
                    "it is a symbolic link; name the file it points to, or another file",
                ))
            }
            Ok(m) if m.is_dir() => return Err(refuse("it is a directory")),
            Ok(m) if !m.is_file() => {
                // A device (`/dev/null`) or a named pipe: nothing to truncate, written as is.
                let file = OpenOptions::new()
                    .write(true)
                    .open(target)
                    .map_err(|e| refuse(&e.to_string()))?;
                let destination = Destination {
                    target: target.to_path_buf(),
                    temp: None,
                    canonical: None,
                    what,
                };
                return Ok((destination, file));
            }
            _ => {}
        }
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = target
            .file_name()
            .ok_or_else(|| refuse("it names no file"))?
            .to_string_lossy()
            .into_owned();
        let canonical_dir = dir.canonicalize().map_err(|e| refuse(&e.to_string()))?;
        let mut attempt = 0u32;
        loop {
            let temp = dir.join(format!(".{name}.rempart-{}-{attempt}.tmp", std::process::id()));
            match OpenOptions::new().write(true).create_new(true).open(&temp) {
                Ok(file) => {
                    let destination = Destination {
                        target: target.to_path_buf(),
                        temp: Some(temp),
                        canonical: Some(canonical_dir.join(&name)),
                        what,
                    };
                    return Ok((destination, file));
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
                Err(e) => return Err(refuse(&e.to_string())),
            }
        }
    }

    /// The error if the file this writes is `input` (a scanned file, or a file the scan
    /// reads), compared by canonical path.
    pub fn check_input(&self, input: &Path) -> Result<(), String> {
        let Some(canonical) = &self.canonical else {
            return Ok(());
        };
        if input.canonicalize().is_ok_and(|c| c == *canonical) {
            return Err(format!(
                "the {} would overwrite `{}`, which this scan reads; write it to another file",
                self.what,
                visible(&display(&self.target))
            ));
        }
        Ok(())
    }

    /// Puts the written file in place.
    pub fn commit(mut self) -> Result<(), String> {
        if let Some(temp) = self.temp.take() {
            if let Err(e) = std::fs::rename(&temp, &self.target) {
                let _ = std::fs::remove_file(&temp);
                return Err(format!(
                    "cannot write the {} `{}`: {e}",
                    self.what,
                    visible(&display(&self.target))
                ));
            }
        }
        Ok(())
    }
}

impl Drop for Destination {
    fn drop(&mut self) {
        if let Some(temp) = self.temp.take() {
            let _ = std::fs::remove_file(temp);
        }
    }
}
