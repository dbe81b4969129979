//! Policy files: loading never panics; a file either loads or says where it is wrong.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rempart::policy::{load_policies, ParamOverrides};
use rempart::Source;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (policies, errors) = load_policies(&Source::new("fuzz.yaml", text), &ParamOverrides::new());
    assert!(!policies.is_empty() || !errors.is_empty());
    for e in &errors {
        assert!(e.line >= 1 && e.column >= 1 && !e.message.is_empty());
    }
});
