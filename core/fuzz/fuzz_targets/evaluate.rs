//! Evaluation of arbitrary documents against every built-in policy: no panic, and every
//! finding points inside the text at a node its pointer names.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use rempart::{Engine, Options, Source};

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::new(&Options::default()).unwrap_or_else(|e| panic!("{e}")))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let report = engine().scan_source(&Source::new("fuzz.yaml", text));
    for f in &report.findings {
        assert!(f.span.start.offset <= f.span.end.offset && f.span.end.offset <= text.len());
        assert!(text.is_char_boundary(f.span.start.offset) && text.is_char_boundary(f.span.end.offset));
        assert!(f.path.is_empty() || f.path.starts_with('/'));
    }
});
