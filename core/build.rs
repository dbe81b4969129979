//! Embeds every policy file under `../policies` into the crate, so that no file system is
//! needed at run time (WASM included).

use std::path::{Path, PathBuf};
use std::{env, fs};

#[path = "src/policy/examples_cut.rs"]
mod examples_cut;

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml")
            // `name.data.yaml` holds data that policies use (the default ClusterRoles), not policies.
            && !path.file_name().is_some_and(|n| n.to_string_lossy().ends_with(".data.yaml"))
        {
            out.push(path);
        }
    }
}

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let out_dir = PathBuf::from(env::var("OUT_DIR").unwrap_or_default());
    // The WebAssembly build has no `rempart test`: its policies leave their examples out.
    let without_examples = env::var("CARGO_CFG_TARGET_ARCH").is_ok_and(|a| a == "wasm32");
    let root = manifest.join("../policies");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    collect(&root, &mut files);
    files.sort();
    let mut code = String::from("&[\n");
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
        let rel = file
            .strip_prefix(&root)
            .unwrap_or(file)
            .to_string_lossy()
            .replace('\\', "/");
        let mut abs = fs::canonicalize(file).unwrap_or_else(|_| file.clone());
        if without_examples {
            let text = fs::read_to_string(file).unwrap_or_default();
            let head = examples_cut::examples_start(&text)
                .and_then(|cut| text.get(..cut))
                .unwrap_or(&text);
            let copy = out_dir.join("policies").join(&rel);
            if let Some(dir) = copy.parent() {
                let _ = fs::create_dir_all(dir);
            }
            if fs::write(&copy, head).is_ok() {
                abs = copy;
            }
        }
        code.push_str(&format!(
            "    ({rel:?}, include_str!({:?})),\n",
            abs.display().to_string()
        ));
    }
    code.push(']');
    let out = out_dir.join("builtin_policies.rs");
    if let Err(e) = fs::write(&out, code) {
        println!("cargo:warning=cannot write {}: {e}", out.display());
    }
}
