//! Kustomize patches: files a kustomization applies as patches, and documents carrying patch
//! directives (`$patch`), are fragments merged into other objects, not objects of their own.
//! Judged as complete objects they give false findings (a patch that only sets resources has
//! no `automountServiceAccountToken`), so they are skipped with a note that says to scan what
//! `kustomize build` renders.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::document::{parse_stream, Limits, Node, Span, Value};
use crate::engine::{Note, Report};
use crate::files::{display, Input};
use crate::Source;

/// The names kustomize looks for in a directory.
const KUSTOMIZATION_FILES: &[&str] = &["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// A kustomization file is small; a larger one is not read for patches.
const MAX_KUSTOMIZATION_BYTES: u64 = 4 * 1024 * 1024;

/// The files of a scan that kustomizations use as patches.
#[derive(Debug, Default)]
pub struct Patches {
    /// Canonical path of each patch file → the kustomization's directory and the field.
    by_file: HashMap<PathBuf, (PathBuf, &'static str)>,
}

impl Patches {
    /// Finds the kustomizations that can use the given inputs as patches — in the directory of
    /// each input file and in the directories above it, as kustomize only loads files below a
    /// kustomization — and the patch files they name. Costs nothing without kustomizations.
    pub fn find(inputs: &[Input]) -> Patches {
        let mut dirs = HashSet::new();
        let mut by_file = HashMap::new();
        for input in inputs {
            let Input::File(file) = input else {
                continue;
            };
            for dir in file.ancestors().skip(1) {
                if !dirs.insert(dir.to_path_buf()) {
                    break;
                }
                let base = if dir.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    dir
                };
                for name in KUSTOMIZATION_FILES {
                    read_kustomization(base, &base.join(name), &mut by_file);
                }
            }
        }
        Patches { by_file }
    }

    /// The report for `input` when it is a patch file: not scanned, with a note.
    pub fn skip(&self, input: &Input) -> Option<Report> {
        if self.by_file.is_empty() {
            return None;
        }
        let Input::File(file) = input else {
            return None;
        };
        let (dir, field) = self.by_file.get(&std::fs::canonicalize(file).ok()?)?;
        let mut report = Report::new();
        report.summary.files = 1;
        report.summary.skipped = 1;
        report.notes.push(Note {
            file: display(file),
            document: None,
            message: format!(
                "the kustomization in `{dir}` applies this file as a patch (`{field}`); a patch is not a complete object, so only the values it sets are checked here: scan what kustomize renders too, `kustomize build {dir} | rempart scan -`",
                dir = clean(&display(dir))
            ),
            span: None,
        });
        Some(report)
    }
}

/// Reads the kustomization at `path` (if there is one) and records the patch files it names.
fn read_kustomization(dir: &Path, path: &Path, out: &mut HashMap<PathBuf, (PathBuf, &'static str)>) {
    if !std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() <= MAX_KUSTOMIZATION_BYTES) {
        return;
    }
    let Ok(text) = std::fs::read_to_string(path) else {
        return;
    };
    let Some(root) = parse_stream(&text, &Limits::default())
        .into_iter()
        .find_map(|d| d.result.ok())
    else {
        return;
    };
    let mut add = |entry: &str, field: &'static str| {
        if let Ok(file) = std::fs::canonicalize(dir.join(entry)) {
            out.entry(file).or_insert((dir.to_path_buf(), field));
        }
    };
    let list = |key: &str| root.get(key).and_then(Node::as_seq).unwrap_or_default();
    for (field, key) in [("patches", "patches"), ("patchesJson6902", "patchesJson6902")] {
        for entry in list(key) {
            if let Some(p) = entry.get("path").and_then(Node::as_str) {
                add(p, field);
            }
        }
    }
    // Entries are file paths or inline patches; an inline patch spans lines or is a flow map.
    for entry in list("patchesStrategicMerge").iter().filter_map(Node::as_str) {
        let entry = entry.trim();
        if !entry.is_empty() && !entry.contains('\n') && !entry.starts_with('{') {
            add(entry, "patchesStrategicMerge");
        }
    }
}

/// The first patch directive of a document (`$patch: delete`, `$setElementOrder/…`, …) as
/// shown in the note, and its key's span; `None` for a document that is no patch. Strategic-merge patch directives are
/// keys starting with `$` that Kubernetes objects never have.
pub fn patch_directive(document: &Node, source: &Source) -> Option<(String, Span)> {
    let text = source
        .text
        .get(document.span.start..document.span.end)
        .unwrap_or_default();
    if !text.contains('$') {
        return None;
    }
    let mut stack = vec![document];
    while let Some(node) = stack.pop() {
        match &node.value {
            Value::Seq(items) => stack.extend(items.iter().rev()),
            Value::Map(entries) => {
                for (k, v) in entries {
                    let key = k.as_str().unwrap_or_default();
                    if is_directive(key) {
                        let shown = match v.as_str() {
                            Some(v) => format!("{key}: {v}"),
                            None => key.to_owned(),
                        };
                        return Some((clean(&shown), k.span));
                    }
                }
                stack.extend(entries.iter().rev().map(|(_, v)| v));
            }
            _ => {}
        }
    }
    None
}

fn is_directive(key: &str) -> bool {
    key == "$patch"
        || key == "$retainKeys"
        || key.starts_with("$setElementOrder/")
        || key.starts_with("$deleteFromPrimitiveList/")
}

/// The note for a document that is a patch, `directive` being the directive found.
pub fn directive_note(directive: &str) -> String {
    format!(
        "the document is a kustomize patch (it has `{directive}`), not a complete object, so only the values it sets are checked here: scan what kustomize renders too, `kustomize build DIR | rempart scan -`"
    )
}

/// Control characters out, length bounded: for names shown in notes.
fn clean(text: &str) -> String {
    let mut out: String = text
        .chars()
        .map(|c| if c.is_control() || c == '`' { ' ' } else { c })
        .take(200)
        .collect();
    if text.chars().count() > 200 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> (Source, Node) {
        let source = Source::new("p.yaml", text);
        let node = parse_stream(text, &Limits::default())
            .into_iter()
            .find_map(|d| d.result.ok())
            .unwrap_or_else(|| Node::new(Value::Null, Default::default()));
        (source, node)
    }

    #[test]
    fn finds_directives_anywhere_as_keys_only() {
        let (s, n) = doc("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n$patch: delete\n");
        assert_eq!(patch_directive(&n, &s).map(|d| d.0), Some("$patch: delete".into()));
        let (s, n) =
            doc("spec:\n  template:\n    spec:\n      containers:\n      - name: a\n        $patch: replace\n");
        let found = patch_directive(&n, &s);
        assert_eq!(found.as_ref().map(|d| d.0.as_str()), Some("$patch: replace"));
        assert_eq!(found.map(|d| d.1.start), s.text.find("$patch"));
        let (s, n) = doc("spec:\n  $setElementOrder/containers: [{name: a}]\n");
        assert_eq!(
            patch_directive(&n, &s).map(|d| d.0),
            Some("$setElementOrder/containers".into())
        );
        let (s, n) = doc("data:\n  price: \"$patch: 5\"\n  cost: $5\n");
        assert_eq!(patch_directive(&n, &s), None);
    }

    #[test]
    fn finds_the_patch_files_of_kustomizations_above_the_inputs() {
        let root = std::env::temp_dir().join(format!("rempart-kustomize-{}", std::process::id()));
        let overlay = root.join("overlay");
        std::fs::create_dir_all(overlay.join("patches")).unwrap();
        std::fs::write(
            overlay.join("kustomization.yaml"),
            "resources: [deploy.yaml]\npatches:\n- path: patches/resources.yaml\n- patch: |-\n    - op: remove\n      path: /spec/replicas\npatchesStrategicMerge:\n- sms.yaml\n- |-\n  apiVersion: v1\n  kind: Service\npatchesJson6902:\n- target: {kind: Deployment, name: web}\n  path: json.yaml\n",
        )
        .unwrap();
        for f in ["deploy.yaml", "patches/resources.yaml", "sms.yaml", "json.yaml"] {
            std::fs::write(overlay.join(f), "a: 1\n").unwrap();
        }
        let inputs: Vec<Input> = ["deploy.yaml", "patches/resources.yaml", "sms.yaml", "json.yaml"]
            .iter()
            .map(|f| Input::File(overlay.join(f)))
            .collect();
        let patches = Patches::find(&inputs);
        let skipped: Vec<bool> = inputs.iter().map(|i| patches.skip(i).is_some()).collect();
        assert_eq!(skipped, vec![false, true, true, true]);
        let note = patches
            .skip(&inputs[1])
            .and_then(|r| r.notes.first().map(|n| n.message.clone()))
            .unwrap();
        assert!(
            note.contains("(`patches`)") && note.contains("kustomize build"),
            "{note}"
        );
        std::fs::remove_dir_all(&root).unwrap();
    }
}
