//! Times `ffi::scan_paths_json` (what the Python package calls) on folders:
//! `cargo run --release -p rempart --example scan_paths -- DIR…`.

fn main() {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    let Ok(engine) = rempart::Engine::new(&rempart::Options::default()) else {
        std::process::exit(2)
    };
    let mut best = f64::MAX;
    let mut len = 0;
    for _ in 0..3 {
        let start = std::time::Instant::now();
        len = rempart::ffi::scan_paths_json(&engine, &paths).len();
        best = best.min(start.elapsed().as_secs_f64());
    }
    println!("scan_paths_json: {:.0} ms, {len} bytes of JSON", best * 1000.0);
}
