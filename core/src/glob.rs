//! Path patterns, as the configuration file's `exclude` and an exception's `match.files`
//! write them.

use std::path::{Path, PathBuf};

use regex::Regex;
use serde::Serialize;

/// A path pattern: `*` within a folder name, `**` across folders, `?` one character;
/// relative patterns are relative to the folder of the file that holds them.
#[derive(Clone, Debug, Serialize)]
pub struct Glob {
    /// The pattern as written.
    pub pattern: String,
    #[serde(skip)]
    regex: Option<Regex>,
}

impl Glob {
    /// Compiles `pattern`; a relative pattern is taken from the folder `base`.
    pub fn new(pattern: &str, base: &Path) -> Result<Glob, String> {
        let full = if Path::new(pattern).is_absolute() {
            PathBuf::from(pattern)
        } else {
            base.join(pattern)
        };
        let full = normalize(&absolute(&full));
        let mut re = String::from("^");
        let mut chars = full.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '*' if chars.peek() == Some(&'*') => {
                    chars.next();
                    if chars.peek() == Some(&'/') {
                        chars.next();
                        re.push_str("(?:.*/)?");
                    } else {
                        re.push_str(".*");
                    }
                }
                '*' => re.push_str("[^/]*"),
                '?' => re.push_str("[^/]"),
                c => re.push_str(&regex::escape(&c.to_string())),
            }
        }
        re.push('$');
        let regex = Regex::new(&re).map_err(|e| format!("`{pattern}` is not a usable path pattern: {e}"))?;
        Ok(Glob {
            pattern: pattern.to_owned(),
            regex: Some(regex),
        })
    }

    /// True when `path` (absolute, or relative to the current folder) matches.
    pub fn matches(&self, path: &Path) -> bool {
        self.regex
            .as_ref()
            .is_some_and(|r| r.is_match(&normalize(&absolute(path))))
    }
}

fn absolute(path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    }
}

/// An absolute path as text, with `.` and `..` folded and `/` separators.
fn normalize(path: &Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    for c in path.components() {
        match c {
            std::path::Component::ParentDir => {
                parts.pop();
            }
            std::path::Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
            _ => {}
        }
    }
    format!("/{}", parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_below_their_folder() {
        let base = Path::new("/work/repo");
        let vendor = Glob::new("vendor/**", base).unwrap();
        assert!(vendor.matches(Path::new("/work/repo/vendor/chart/a.yaml")));
        assert!(!vendor.matches(Path::new("/work/repo/k8s/a.yaml")));
        let generated = Glob::new("**/*.generated.yaml", base).unwrap();
        assert!(generated.matches(Path::new("/work/repo/k8s/x/a.generated.yaml")));
        assert!(generated.matches(Path::new("/work/repo/a.generated.yaml")));
        assert!(!generated.matches(Path::new("/work/repo/a.yaml")));
        let one = Glob::new("k8s/?.yaml", base).unwrap();
        assert!(one.matches(Path::new("/work/repo/k8s/a.yaml")) && !one.matches(Path::new("/work/repo/k8s/ab.yaml")));
    }
}
