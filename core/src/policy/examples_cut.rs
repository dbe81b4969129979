//! Where a policy file's inline examples start. Shared with `build.rs`, which leaves them out
//! of the WebAssembly build (no `rempart test` there), so this file uses only `std`.

/// Where a last top-level `tests:` (a policy's examples) or `fixtures:` (a definitions
/// document's example objects) starts: a line `tests:` or `fixtures:` after which every line
/// is blank, a comment or indented (no other top-level key, no other document).
pub fn examples_start(text: &str) -> Option<usize> {
    let last = |key: &str| {
        if text.starts_with(key) {
            Some(0)
        } else {
            text.rfind(&format!("\n{key}")).map(|i| i + 1)
        }
    };
    let start = last("tests:").max(last("fixtures:"))?;
    let rest = text.get(start..)?;
    let later_top_level = rest.lines().skip(1).any(|line| {
        line.chars()
            .next()
            .is_some_and(|c| !(c == ' ' || c == '#' || c == '-') || line.starts_with("---"))
    });
    (!later_top_level).then_some(start)
}
