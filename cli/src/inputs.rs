//! Reading the inputs of the cross-object commands (`rempart auth`, `rempart netpol`): files,
//! directories and `-` as `rempart scan` reads them, with what cannot be read on stderr.

use std::io;

use rempart::files::{collect_inputs, read_bounded, read_input};
use rempart::format::visible;
use rempart::objects::Place;
use rempart::{Engine, Options, Source};

/// An engine without policies (the analyses need only its limits and pre-pass) and the texts
/// of `files`; each input that cannot be read is an error line on stderr.
pub fn read_set(files: &[String]) -> Result<(Engine, Vec<Source>), String> {
    let engine = Engine::new(&Options {
        builtin: false,
        ..Options::default()
    })
    .map_err(|e| e.to_string())?;
    let max = engine.limits().max_input_bytes;
    let mut stdin = String::new();
    if files.iter().any(|p| p == "-") {
        let bytes = read_bounded(io::stdin().lock(), max).map_err(|e| format!("cannot read stdin: {e}"))?;
        stdin = String::from_utf8_lossy(&bytes).into_owned();
    }
    let inputs = collect_inputs(files, &[]);
    let mut errors = inputs.errors;
    let mut sources = Vec::new();
    for input in &inputs.inputs {
        match read_input(input, &stdin, max) {
            Ok(s) => sources.push(s),
            Err(e) => errors.push(e),
        }
    }
    for e in &errors {
        let at = e
            .span
            .map(|s| format!(":{}:{}", s.start.line, s.start.column))
            .unwrap_or_default();
        eprintln!("rempart: {}{at}: error: {}", visible(&e.file), visible(&e.message));
    }
    Ok((engine, sources))
}

/// Writes one problem an analysis found in its inputs (an error, or a note) on stderr.
pub fn print_problem(error: bool, place: &Place, message: &str) {
    let level = if error { "error" } else { "note" };
    eprintln!(
        "rempart: {}:{}:{}: {level}: {}",
        visible(&place.file),
        place.start.line,
        place.start.column,
        visible(message)
    );
}
