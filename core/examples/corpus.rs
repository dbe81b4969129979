//! Writes the benchmark corpus: `cargo run --release -p rempart --example corpus -- DIR FILES DOCS_PER_FILE`.

#[path = "../benches/corpus.rs"]
mod corpus;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = std::path::PathBuf::from(args.get(1).map_or("bench-corpus", String::as_str));
    let files: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(100);
    let per_file: usize = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(100);
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("cannot create {}: {e}", dir.display());
        std::process::exit(2);
    }
    let text = corpus::corpus(per_file);
    for f in 0..files {
        if let Err(e) = std::fs::write(dir.join(format!("workloads-{f:04}.yaml")), &text) {
            eprintln!("cannot write: {e}");
            std::process::exit(2);
        }
    }
    println!(
        "{} documents in {files} files under {}",
        files * per_file,
        dir.display()
    );
}
