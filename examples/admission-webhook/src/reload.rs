//! What the webhook reads from files (the engine from the configuration and policies; the
//! certificate and key), and how it notices that they changed: the files' contents are
//! hashed at each check, so a ConfigMap or Secret update (a symbolic link swapped by the
//! kubelet) is seen like an edit in place.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use rempart::config::load_config;
use rempart::{Engine, Options, Source};

use crate::Args;

/// A hash of the contents of `paths` (folders: their files, sorted); a missing file hashes
/// as missing, so that its return counts as a change.
pub fn fingerprint(paths: &[PathBuf]) -> u64 {
    let mut h = DefaultHasher::new();
    for path in paths {
        path.hash(&mut h);
        hash_path(path, &mut h, 0);
    }
    h.finish()
}

fn hash_path(path: &Path, h: &mut DefaultHasher, depth: usize) {
    if depth > 4 {
        return;
    }
    match std::fs::read_dir(path) {
        Ok(entries) => {
            let mut names: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
            names.sort();
            for p in names {
                // The kubelet's `..data` and timestamped folders are reached through the links.
                if p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(".."))
                {
                    continue;
                }
                p.hash(h);
                hash_path(&p, h, depth + 1);
            }
        }
        Err(_) => match std::fs::read(path) {
            Ok(bytes) => bytes.hash(h),
            Err(e) => e.kind().hash(h),
        },
    }
}

/// The files whose change reloads the engine.
pub fn engine_inputs(args: &Args) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = args.config.iter().cloned().collect();
    paths.extend(args.policies.iter().cloned());
    paths
}

/// The engine the configuration file and the policy paths describe; every mistake in one
/// message.
pub fn build_engine(args: &Args) -> Result<Engine, String> {
    let mut options = Options::default();
    let mut policy_paths = Vec::new();
    if let Some(path) = &args.config {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let dir = path.parent().unwrap_or(Path::new("."));
        let source = Source::new(path.display().to_string(), text);
        let config = load_config(&source, dir).map_err(|errors| {
            errors
                .iter()
                .map(|e| format!("{}:{}:{}: {}", e.file, e.line, e.column, e.message))
                .collect::<Vec<_>>()
                .join("\n")
        })?;
        if !config.exceptions.is_empty() {
            return Err(format!(
                "{}: `exceptions` are not applied at admission; exempt namespaces or users under `admission.exempt`, or set a policy's mode under `admission.policies`",
                path.display()
            ));
        }
        options = config.options.resolve();
        policy_paths.extend(config.policies);
    }
    policy_paths.extend(args.policies.iter().cloned());
    options.policies = rempart::files::policy_files(&policy_paths)?;
    Engine::new(&options).map_err(|e| e.to_string())
}
