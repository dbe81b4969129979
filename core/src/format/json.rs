//! The JSON report, written in one piece or streamed finding by finding.

use std::io::{self, Write};

use serde::Serialize;

use super::FormatWriter;
use crate::document::Source;
use crate::engine::Report;

/// The JSON report (the stable contract described in the README).
pub fn json(report: &Report) -> String {
    let mut out = Vec::new();
    let written = JsonWriter::start(&mut out).and_then(|mut w| {
        w.file(report, None)?;
        Box::new(w).finish(report)
    });
    match written {
        Ok(()) => String::from_utf8(out).unwrap_or_default(),
        Err(e) => format!("{{\"error\": \"cannot write the report: {e}\"}}"),
    }
}

/// Writes the JSON report incrementally: findings as they are found, then errors, notes and
/// the summary. The bytes equal those of [`json`] for the same report.
pub struct JsonWriter<W: Write> {
    out: W,
    first: bool,
    buf: Vec<u8>,
}

impl<W: Write> JsonWriter<W> {
    /// Starts the report on `out` (its opening is written at once).
    pub fn start(mut out: W) -> io::Result<Self> {
        write!(out, "{{\n  \"version\": {},\n  \"findings\": [", quoted(crate::VERSION))?;
        Ok(JsonWriter {
            out,
            first: true,
            buf: Vec::new(),
        })
    }
}

impl<W: Write> FormatWriter for JsonWriter<W> {
    fn file(&mut self, report: &Report, _: Option<&Source>) -> io::Result<()> {
        for f in &report.findings {
            write_item(&mut self.out, &mut self.buf, &mut self.first, f, "    ")?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>, totals: &Report) -> io::Result<()> {
        let close = if self.first { "]" } else { "\n  ]" };
        write!(
            self.out,
            "{close},\n  \"errors\": {},\n  \"notes\": {},\n  \"summary\": {}\n}}",
            pretty(&totals.errors, 2),
            pretty(&totals.notes, 2),
            pretty(&totals.summary, 2)
        )?;
        self.out.flush()
    }
}

fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// Pretty JSON of `value`, its continuation lines indented by `indent` spaces.
fn pretty<T: Serialize + ?Sized>(value: &T, indent: usize) -> String {
    let text = serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".into());
    text.replace('\n', &format!("\n{}", " ".repeat(indent)))
}

/// Writes one item of a streamed JSON array: the separator, then `value` pretty-printed with
/// every line indented by `indent`. One buffer serves every item (no string, no growth per
/// item), copied to the output line by line.
pub(super) fn write_item<W: Write>(
    out: &mut W,
    buf: &mut Vec<u8>,
    first: &mut bool,
    value: &impl serde::Serialize,
    indent: &str,
) -> io::Result<()> {
    out.write_all(if *first { b"\n" } else { b",\n" })?;
    out.write_all(indent.as_bytes())?;
    *first = false;
    buf.clear();
    serde_json::to_writer_pretty(&mut *buf, value).map_err(io::Error::other)?;
    let mut lines = buf.split(|b| *b == b'\n');
    if let Some(line) = lines.next() {
        out.write_all(line)?;
    }
    for line in lines {
        out.write_all(b"\n")?;
        out.write_all(indent.as_bytes())?;
        out.write_all(line)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Engine, Options, Source};

    #[test]
    fn streamed_json_equals_serde_pretty() {
        let engine = Engine::new(&Options::default()).unwrap();
        for text in ["", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {hostPID: true, containers: [{name: a, image: x}]}\n---\n[\n---\nfoo: 1\n"] {
            let report = engine.scan_source(&Source::new("p.yaml", text));
            assert_eq!(json(&report), serde_json::to_string_pretty(&report).unwrap());
        }
    }
}
