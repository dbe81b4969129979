//! The human-readable report: `file:line:col`, severity, policy and message, with a code
//! frame and a caret under the offending node.

use std::fmt::Write;
use std::io;

use super::escape::{push_char, visible};
use super::FormatWriter;
use crate::document::Source;
use crate::engine::{Finding, Note, Report, SourceSpan};

struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
}

/// Renders the report as text; `sources` give the code frames (a file not among them is
/// shown without one). `color` adds ANSI colours, for terminals.
pub fn text(report: &Report, sources: &[&Source], color: bool) -> String {
    let mut out = String::new();
    for source in sources {
        let mut own = Report::new();
        own.findings = report
            .findings
            .iter()
            .filter(|f| f.file == source.name)
            .cloned()
            .collect();
        own.errors = report
            .errors
            .iter()
            .filter(|e| e.file == source.name)
            .cloned()
            .collect();
        out.push_str(&text_file(&own, Some(source), color));
    }
    let mut rest = Report::new();
    rest.findings = report
        .findings
        .iter()
        .filter(|f| !sources.iter().any(|s| s.name == f.file))
        .cloned()
        .collect();
    rest.errors = report
        .errors
        .iter()
        .filter(|e| !sources.iter().any(|s| s.name == e.file))
        .cloned()
        .collect();
    out.push_str(&text_file(&rest, None, color));
    out.push_str(&text_summary(&report.summary));
    out
}

/// The findings and errors of one file, with code frames when its source is given.
/// Everything taken from the input (file names, messages, kinds, names, paths, source
/// lines) is written through [`visible`]: one line per record, no terminal escapes.
pub fn text_file(report: &Report, source: Option<&Source>, color: bool) -> String {
    let paint = Paint { on: color };
    let mut out = String::new();
    for f in &report.findings {
        finding(&mut out, f, source.filter(|s| s.name == f.file), &paint);
    }
    // Errors get a frame only in a Kubernetes manifest (see [`kubernetes_like`]).
    let framed = if report.errors.is_empty() {
        None
    } else {
        source.filter(|s| kubernetes_like(&s.text))
    };
    for e in &report.errors {
        let _ = writeln!(
            out,
            "{}{}: {} {}",
            visible(&e.file),
            at(e.span),
            paint.wrap("1;31", "error"),
            visible(&e.message)
        );
        if let (Some(span), Some(src)) = (e.span, framed.filter(|s| s.name == e.file)) {
            frame(&mut out, src, span, &paint);
        }
        out.push('\n');
    }
    out
}

/// Whether a file's lines may be shown in an error's code frame. The rule: the text has
/// both an `apiVersion` and a `kind` key — the word, an optional closing quote, optional
/// spaces, then `:` — somewhere (YAML or JSON, any document). A file without them is not a
/// Kubernetes manifest (a credentials file reached by mistake, a private key, an INI file):
/// its errors give the message and the position, never its lines, so that secrets do not
/// end up in CI logs. Findings are always on Kubernetes objects and always get a frame.
pub fn kubernetes_like(text: &str) -> bool {
    let has_key = |word: &str| {
        text.match_indices(word).any(|(i, _)| {
            let after = text.get(i + word.len()..).unwrap_or_default();
            let after = after.strip_prefix(['"', '\'']).unwrap_or(after);
            after.trim_start_matches([' ', '\t']).starts_with(':')
        })
    };
    has_key("apiVersion") && has_key("kind")
}

/// The notes (documents read but not evaluated, paths left out), one line each.
pub fn text_notes(notes: &[Note]) -> String {
    let mut out = String::new();
    for n in notes {
        let _ = writeln!(out, "{}{}: note: {}", visible(&n.file), at(n.span), visible(&n.message));
    }
    out
}

fn at(span: Option<SourceSpan>) -> String {
    span.map(|s| format!(":{}:{}", s.start.line, s.start.column))
        .unwrap_or_default()
}

/// The closing line: counts of findings, errors, documents and files, then what was not
/// reported and why (skipped documents, suppressions by comment or annotation, exceptions,
/// the baseline, paths left out), each only when there is some.
pub fn text_summary(s: &crate::engine::Summary) -> String {
    let mut out = format!(
        "{} finding(s), {} error(s) in {} document(s) of {} file(s)",
        s.findings, s.errors, s.documents, s.files
    );
    let by_comment = s.suppressed.saturating_sub(s.excepted);
    let parts = [
        (s.skipped, "skipped (not complete Kubernetes objects: `-v` lists them)"),
        (by_comment, "suppressed (comments or annotations)"),
        (s.excepted, "covered by exceptions"),
        (s.baselined, "hidden by the baseline"),
        (s.ignored, "path(s) left out (listed above)"),
    ];
    for (n, what) in parts {
        if n > 0 {
            let _ = write!(out, "; {n} {what}");
        }
    }
    out.push('\n');
    out
}

fn finding(out: &mut String, f: &Finding, source: Option<&Source>, paint: &Paint) {
    let color = match f.severity.as_str() {
        "critical" | "high" => "1;31",
        "medium" => "1;33",
        _ => "1;36",
    };
    let _ = writeln!(
        out,
        "{}:{}:{}: {} {} {}",
        visible(&f.file),
        f.span.start.line,
        f.span.start.column,
        paint.wrap(color, f.severity.as_str()),
        paint.wrap("1", &visible(&f.policy)),
        visible(&f.message)
    );
    if let Some(src) = source {
        frame(out, src, f.span, paint);
    }
    // Configuration files (KubeletConfiguration, EncryptionConfiguration, audit Policy) have
    // no name; they are shown by kind alone.
    let name = f
        .object
        .name
        .as_deref()
        .map(|n| format!(" `{}`", visible(n)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "   = in {}{name} at {}",
        visible(&f.object.kind),
        if f.path.is_empty() {
            "/".into()
        } else {
            visible(&f.path)
        }
    );
    for r in &f.related {
        let _ = writeln!(
            out,
            "   = related: {}:{}:{}: {}",
            visible(&r.file),
            r.span.start.line,
            r.span.start.column,
            visible(&r.message)
        );
        // A second frame when the related place is in the same file (the others are named).
        if let Some(src) = source.filter(|s| s.name == r.file) {
            frame(out, src, r.span, paint);
        }
    }
    if !f.fix.is_empty() {
        let _ = writeln!(out, "   = fix: {}", visible(f.fix.lines().next().unwrap_or_default()));
    }
    out.push('\n');
}

/// The widest a code frame's line gets, in display columns, before it is clipped around
/// the span (with `…` on the clipped sides): a one-line JSON manifest of megabytes gives a
/// frame of one screen line per finding, not of megabytes.
const FRAME_WIDTH: usize = 120;
/// Columns of context kept before the span when the line is clipped.
const FRAME_CONTEXT: usize = 30;

/// One character as shown in a frame: itself, or its escape.
fn cell(c: char) -> (String, usize) {
    let mut shown = String::new();
    push_char(&mut shown, c);
    let width = if shown.chars().count() > 1 {
        shown.len()
    } else {
        char_width(c)
    };
    (shown, width)
}

/// Display columns of a character: 2 for East Asian wide ones and most emoji, 0 for
/// combining marks and zero-width characters, 1 otherwise.
fn char_width(c: char) -> usize {
    match u32::from(c) {
        0x0300..=0x036f | 0x200b..=0x200d | 0x20d0..=0x20ff | 0xfe00..=0xfe0f => 0,
        0x1100..=0x115f
        | 0x2e80..=0x303e
        | 0x3041..=0x33ff
        | 0x3400..=0x4dbf
        | 0x4e00..=0x9fff
        | 0xa000..=0xa4cf
        | 0xac00..=0xd7a3
        | 0xf900..=0xfaff
        | 0xfe30..=0xfe4f
        | 0xff00..=0xff60
        | 0xffe0..=0xffe6
        | 0x1f300..=0x1f64f
        | 0x1f900..=0x1f9ff
        | 0x20000..=0x3fffd => 2,
        _ => 1,
    }
}

/// The frame of the line where `span` starts: the line (clipped to [`FRAME_WIDTH`] columns
/// around the span, hidden characters escaped) and carets under the span's characters.
fn frame(out: &mut String, src: &Source, span: SourceSpan, paint: &Paint) {
    let line = span.start.line;
    if line == 0 || line > src.line_count() || src.text.is_empty() {
        return;
    }
    let text = src.line_text(line - 1);
    let line_start = src.line_start(line - 1);
    // Byte offsets of the span within the line, on character boundaries.
    let boundary = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let start = if (line_start..=line_start + text.len()).contains(&span.start.offset) {
        boundary(span.start.offset - line_start)
    } else {
        // No usable offset: count the columns.
        text.char_indices()
            .nth(span.start.column.saturating_sub(1))
            .map_or(text.len(), |(i, _)| i)
    };
    let end = if span.end.line == line && span.end.offset >= line_start {
        boundary(span.end.offset - line_start).max(start)
    } else {
        text.len()
    };
    let (before, rest) = text.split_at(start);
    let (inside, after) = rest.split_at(end - start);
    // The span's characters, then what follows, within the width; then context before.
    let mut used = 0;
    let mut right: Vec<(String, usize, bool)> = Vec::new();
    let mut clipped_right = false;
    for (c, in_span) in inside
        .chars()
        .map(|c| (c, true))
        .chain(after.chars().map(|c| (c, false)))
    {
        let (shown, width) = cell(c);
        let room = FRAME_WIDTH.saturating_sub(2 + FRAME_CONTEXT.min(before.len()));
        if used + width > room && !right.is_empty() {
            clipped_right = true;
            break;
        }
        used += width;
        right.push((shown, width, in_span));
    }
    let mut left: Vec<(String, usize)> = Vec::new();
    let mut clipped_left = false;
    for c in before.chars().rev() {
        let (shown, width) = cell(c);
        if used + width > FRAME_WIDTH.saturating_sub(2) {
            clipped_left = true;
            break;
        }
        used += width;
        left.push((shown, width));
    }
    let mut shown = String::new();
    let mut pad = 0;
    if clipped_left {
        shown.push('…');
        pad += 1;
    }
    for (s, w) in left.iter().rev() {
        shown.push_str(s);
        pad += w;
    }
    let mut carets = 0;
    for (s, w, in_span) in &right {
        shown.push_str(s);
        if *in_span {
            carets += w;
        }
    }
    if clipped_right {
        shown.push('…');
    }
    let number = line.to_string();
    let gutter = " ".repeat(number.len());
    let _ = writeln!(out, "{gutter} {}", paint.wrap("34", "|"));
    let _ = writeln!(out, "{} {} {shown}", paint.wrap("34", &number), paint.wrap("34", "|"));
    let caret = format!("{}{}", " ".repeat(pad), "^".repeat(carets.max(1)));
    let _ = writeln!(out, "{gutter} {} {}", paint.wrap("34", "|"), paint.wrap("1;31", &caret));
}

/// Writes the text report as a scan goes: each file's findings and errors with their code
/// frames, then the notes and the summary line.
pub struct TextWriter<W: io::Write> {
    out: W,
    color: bool,
    verbose: bool,
}

impl<W: io::Write> TextWriter<W> {
    /// Writes to `out`; `color` adds ANSI colours (for terminals), `verbose` lists the
    /// skipped documents too (otherwise only counted in the summary).
    pub fn new(out: W, color: bool, verbose: bool) -> Self {
        TextWriter { out, color, verbose }
    }
}

impl<W: io::Write> FormatWriter for TextWriter<W> {
    fn file(&mut self, report: &Report, source: Option<&Source>) -> io::Result<()> {
        self.out.write_all(text_file(report, source, self.color).as_bytes())
    }

    fn finish(mut self: Box<Self>, totals: &Report) -> io::Result<()> {
        // Skipped documents are counted in the summary and listed with -v; every other note
        // (options, paths left out, leniencies of the decoder) always.
        let shown: Vec<Note> = totals
            .notes
            .iter()
            .filter(|n| self.verbose || !n.message.starts_with("skipped"))
            .cloned()
            .collect();
        self.out.write_all(text_notes(&shown).as_bytes())?;
        self.out.write_all(text_summary(&totals.summary).as_bytes())?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span_at(src: &Source, start: usize, end: usize) -> SourceSpan {
        SourceSpan {
            start: src.position(start),
            end: src.position(end),
        }
    }

    fn frame_of(src: &Source, span: SourceSpan) -> (String, String) {
        let mut out = String::new();
        frame(&mut out, src, span, &Paint { on: false });
        let lines: Vec<&str> = out.lines().collect();
        (lines[1].to_owned(), lines[2].to_owned())
    }

    #[test]
    fn long_lines_are_clipped_around_the_span_with_the_caret_under_it() {
        let mut text = String::from("{\"a\": \"");
        text.push_str(&"x".repeat(300_000));
        text.push_str("\", \"hostPID\": true, \"b\": \"");
        text.push_str(&"y".repeat(300_000));
        text.push_str("\"}\n");
        let src = Source::new("big.json", text.clone());
        let at = text.find("true").unwrap();
        let (line, caret) = frame_of(&src, span_at(&src, at, at + 4));
        assert!(line.chars().count() <= FRAME_WIDTH + 4, "{}", line.len());
        assert!(line.starts_with("1 | …") && line.ends_with('…'), "{line}");
        let col = caret.find('^').unwrap();
        let under: String = line.chars().skip(col).take(4).collect();
        assert_eq!(under, "true", "{line}\n{caret}");
        assert_eq!(caret.trim_start_matches(['|', ' ']), "^^^^");
        // A short line is shown whole.
        let src = Source::new("p.yaml", "spec: {hostPID: true}\n");
        let (line, caret) = frame_of(&src, span_at(&src, 16, 20));
        assert_eq!(line, "1 | spec: {hostPID: true}");
        assert_eq!(caret, "  |                 ^^^^");
    }

    #[test]
    fn hidden_characters_in_frames_are_escaped_and_the_caret_follows() {
        let text = "name: \"\u{1b}[2J\u{202e}漢\" # x\n";
        let src = Source::new("p.yaml", text);
        let at = text.find('#').unwrap();
        let (line, caret) = frame_of(&src, span_at(&src, at, at + 1));
        assert_eq!(line, "1 | name: \"\\u{1b}[2J\\u{202e}漢\" # x");
        // `漢` takes two columns on a terminal.
        assert_eq!(
            caret.find('^').unwrap(),
            line.chars().position(|c| c == '#').unwrap() + 1
        );
    }
}

#[cfg(test)]
mod frame_rule {
    use super::*;
    use crate::{Engine, Options};

    #[test]
    fn errors_in_files_that_are_not_kubernetes_manifests_show_no_source_lines() {
        assert!(kubernetes_like("apiVersion: v1\nkind: Pod\n"));
        assert!(kubernetes_like("{\"apiVersion\" : \"v1\", \"kind\":\"Pod\"}"));
        assert!(!kubernetes_like(
            "[default]\naws_secret_access_key = kind: apiVersion\n"
        ));
        let engine = Engine::new(&Options::default()).unwrap();
        let secret = Source::new("credentials.yaml", "[default]\naws_secret_access_key: wJalr: x\n");
        let text = text_file(&engine.scan_source(&secret), Some(&secret), false);
        assert!(text.contains("credentials.yaml:") && text.contains("error"), "{text}");
        assert!(!text.contains("wJalr"), "no source line: {text}");
        let manifest = Source::new("p.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: wJalr: x\n");
        let text = text_file(&engine.scan_source(&manifest), Some(&manifest), false);
        assert!(text.contains("wJalr"), "a manifest's error has its frame: {text}");
    }
}

#[cfg(test)]
mod summary {
    use super::*;

    #[test]
    fn the_summary_says_what_was_not_reported_and_why() {
        let s = crate::engine::Summary {
            files: 2,
            documents: 3,
            findings: 1,
            suppressed: 5,
            excepted: 2,
            baselined: 4,
            ..Default::default()
        };
        assert_eq!(
            text_summary(&s),
            "1 finding(s), 0 error(s) in 3 document(s) of 2 file(s); 3 suppressed (comments or annotations); 2 covered by exceptions; 4 hidden by the baseline\n"
        );
    }
}
