//! Policy files: loading never panics; a file either loads (policies, or definitions
//! documents that hold no policy) or says where it is wrong.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rempart::policy::{load_definitions, load_policies, Definitions, ParamOverrides};
use rempart::Source;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let source = Source::new("fuzz.yaml", text);
    let (policies, errors) = load_policies(&source, &ParamOverrides::new());
    let (defs, def_errors) = load_definitions(&Definitions::default(), std::slice::from_ref(&source));
    let defines = !defs.conditions.is_empty() || !defs.fixtures.is_empty() || !defs.broken.is_empty();
    // A definitions document may also define nothing (`define: {}`): it is no policy and no mistake.
    let definitions_document = text.contains("define") || text.contains("fixtures");
    assert!(!policies.is_empty() || !errors.is_empty() || defines || !def_errors.is_empty() || definitions_document);
    for e in errors.iter().chain(&def_errors) {
        assert!(e.line >= 1 && e.column >= 1 && !e.message.is_empty());
    }
});
