//! Times the editor path (`ffi::evaluate_for_editor` plus the JSON the bindings send) on one
//! manifest: `cargo run --release -p rempart --example keystroke -- FILE`.

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "examples/manifests/insecure/app.yaml".into());
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let engine = match rempart::Engine::new(&rempart::Options::default()) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let limits = rempart::Limits::default();
    let time = |label: &str, f: &dyn Fn() -> usize| {
        let n = 2000;
        let start = std::time::Instant::now();
        let mut total = 0;
        for _ in 0..n {
            total += f();
        }
        println!(
            "{label:<28} {:8.1} µs  ({total})",
            start.elapsed().as_secs_f64() * 1e6 / f64::from(n)
        );
    };
    time("saphyr events only", &|| {
        let mut parser = saphyr_parser::Parser::new_from_str(&text);
        let mut n = 0;
        while let Some(Ok(_)) = parser.next_event() {
            n += 1;
        }
        n
    });
    time("parse", &|| rempart::document::parse_stream(&text, &limits).len());
    time("scan", &|| {
        engine
            .scan_source(&rempart::Source::new("f.yaml", text.clone()))
            .findings
            .len()
    });
    time("editor report", &|| {
        rempart::ffi::evaluate_for_editor(&engine, "f.yaml", &text)
            .findings
            .len()
    });
    time("editor report + JSON", &|| {
        serde_json::to_string(&rempart::ffi::evaluate_for_editor(&engine, "f.yaml", &text)).map_or(0, |s| s.len())
    });
}
