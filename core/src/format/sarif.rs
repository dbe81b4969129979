//! SARIF 2.1.0: one rule per selected policy, one result per finding with its region and a
//! fingerprint that does not move with the lines; read errors become notifications.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::{Component, Path};

use serde_json::{json, Value};

use super::escape::visible;
use super::FormatWriter;
use crate::document::Source;
use crate::engine::fingerprint;
use crate::engine::{ErrorEntry, Finding, Report, SourceSpan};
use crate::policy::{Policy, Severity};

/// `root` is the scan root (an absolute directory); file names are made relative to it.
pub fn sarif(report: &Report, policies: &[Policy], root: &str) -> String {
    let mut out = Vec::new();
    let written = SarifWriter::start(&mut out, policies, root).and_then(|mut w| {
        w.file(report, None)?;
        Box::new(w).finish(report)
    });
    match written {
        Ok(()) => String::from_utf8(out).unwrap_or_default(),
        Err(e) => format!("{{\"error\": \"cannot write the report: {e}\"}}"),
    }
}

/// Writes the SARIF log incrementally, results as they are found, so that memory follows
/// one file's findings and not the whole scan; the rules (with one for each finding the
/// engine raises itself) and the notifications come after the results.
pub struct SarifWriter<'p, W: Write> {
    out: W,
    root: String,
    /// The policies, sorted by id: the rules, in order.
    rules: Vec<&'p Policy>,
    index: HashMap<&'p str, usize>,
    /// Rules for the findings the engine raises itself (suppressions, exceptions), in the
    /// order met, after the policies.
    engine_rules: Vec<Value>,
    engine_index: HashMap<String, usize>,
    first: bool,
    buf: Vec<u8>,
}

impl<'p, W: Write> SarifWriter<'p, W> {
    /// Starts the log on `out`, with `policies` as its rules; `root` is the scan root (an
    /// absolute directory), which file names are made relative to.
    pub fn start(mut out: W, policies: &'p [Policy], root: &str) -> io::Result<Self> {
        let mut rules: Vec<&Policy> = policies.iter().collect();
        rules.sort_by(|a, b| a.id.cmp(&b.id));
        let index = rules.iter().enumerate().map(|(i, p)| (p.id.as_str(), i)).collect();
        write!(
            out,
            "{{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n  \"runs\": [\n    {{\n      \"columnKind\": \"unicodeCodePoints\",\n      \"originalUriBaseIds\": {},\n      \"results\": [",
            pretty(&json!({"SRCROOT": {"uri": dir_uri(root)}}), 6)
        )?;
        Ok(SarifWriter {
            out,
            root: root.to_owned(),
            rules,
            index,
            engine_rules: Vec::new(),
            engine_index: HashMap::new(),
            first: true,
            buf: Vec::new(),
        })
    }

    fn rule_index(&mut self, f: &Finding) -> usize {
        if let Some(i) = self.index.get(f.policy.as_str()) {
            return *i;
        }
        if let Some(i) = self.engine_index.get(&f.policy) {
            return *i;
        }
        let i = self.rules.len() + self.engine_rules.len();
        self.engine_index.insert(f.policy.clone(), i);
        self.engine_rules.push(json!({
            "id": f.policy,
            "name": camel(&f.policy),
            "shortDescription": {"text": f.title},
            "fullDescription": {"text": f.title},
            "help": {"text": f.fix},
            "defaultConfiguration": {"level": level(f.severity)},
            "properties": {"tags": ["rempart"]}
        }));
        i
    }
}

impl<W: Write> FormatWriter for SarifWriter<'_, W> {
    fn file(&mut self, report: &Report, _: Option<&Source>) -> io::Result<()> {
        for f in &report.findings {
            let value = result(f, self.rule_index(f), &self.root);
            super::json::write_item(&mut self.out, &mut self.buf, &mut self.first, &value, "        ")?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>, totals: &Report) -> io::Result<()> {
        let errors = &totals.errors;
        let close = if self.first { "]" } else { "\n      ]" };
        let notifications: Vec<Value> = errors.iter().map(|e| notification(e, &self.root)).collect();
        let mut rules: Vec<Value> = self.rules.iter().map(|p| rule(p)).collect();
        rules.append(&mut self.engine_rules);
        let invocations =
            json!([{"executionSuccessful": errors.is_empty(), "toolExecutionNotifications": notifications}]);
        let tool = json!({"driver": {
            "name": "rempart",
            "rules": rules,
            "semanticVersion": crate::VERSION,
            "version": crate::VERSION
        }});
        write!(
            self.out,
            "{close},\n      \"invocations\": {},\n      \"tool\": {}\n    }}\n  ],\n  \"version\": \"2.1.0\"\n}}",
            pretty(&invocations, 6),
            pretty(&tool, 6)
        )?;
        self.out.flush()
    }
}

fn result(f: &Finding, rule_index: usize, root: &str) -> Value {
    let o = &f.object;
    let qualified = [Some(o.kind.as_str()), o.namespace.as_deref(), o.name.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("/");
    let mut result = json!({
        "ruleId": f.policy,
        "ruleIndex": rule_index,
        "level": level(f.severity),
        "message": {"text": visible(&f.message)},
        "locations": [{
            "physicalLocation": physical_location(&f.file, &f.span, root),
            "logicalLocations": [{"fullyQualifiedName": visible(&format!("{qualified}{}", f.path)), "kind": "object"}]
        }],
        "partialFingerprints": {"rempartFinding/v1": fingerprint(f)},
        "properties": {"severity": f.severity, "jsonPointer": f.path, "standards": f.standards}
    });
    if !f.related.is_empty() {
        let related: Vec<Value> = f
            .related
            .iter()
            .enumerate()
            .map(|(id, r)| {
                json!({
                    "id": id + 1,
                    "physicalLocation": physical_location(&r.file, &r.span, root),
                    "message": {"text": visible(&r.message)},
                    "properties": {"jsonPointer": r.path}
                })
            })
            .collect();
        if let Value::Object(fields) = &mut result {
            fields.insert("relatedLocations".into(), Value::Array(related));
        }
    }
    result
}

/// A file and the region of a span in it.
fn physical_location(file: &str, span: &SourceSpan, root: &str) -> Value {
    json!({
        "artifactLocation": artifact(file, root),
        "region": {
            "startLine": span.start.line,
            "startColumn": span.start.column,
            "endLine": span.end.line,
            "endColumn": span.end.column.max(1),
            "byteOffset": span.start.offset,
            "byteLength": span.end.offset.saturating_sub(span.start.offset)
        }
    })
}

/// Pretty JSON of `value`, its continuation lines indented by `indent` spaces.
fn pretty(value: &Value, indent: usize) -> String {
    let text = serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".into());
    text.replace('\n', &format!("\n{}", " ".repeat(indent)))
}

fn rule(p: &Policy) -> Value {
    let mut tags = vec!["security".to_owned(), p.category.clone()];
    for (k, v) in &p.standards {
        match v {
            Value::String(s) => tags.push(format!("{k}:{s}")),
            Value::Object(m) => {
                if let Some(check) = m.get("check").and_then(Value::as_str) {
                    tags.push(format!("{k}:{check}"));
                }
            }
            _ => tags.push(k.clone()),
        }
    }
    tags.retain(|t| !t.is_empty());
    let help = format!("{}\n\nFix: {}", p.docs.why, p.docs.fix);
    let mut markdown = format!("{}\n\n**Fix:** {}", p.docs.why, p.docs.fix);
    for r in &p.docs.references {
        markdown.push_str(&format!("\n\n- <{r}>"));
    }
    let mut rule = json!({
        "id": p.id,
        "name": camel(&p.id),
        "shortDescription": {"text": p.title},
        "fullDescription": {"text": p.docs.why},
        "help": {"text": help, "markdown": markdown},
        "defaultConfiguration": {"level": level(p.severity)},
        "properties": {"tags": tags, "security-severity": security_severity(p.severity), "precision": "very-high"}
    });
    if let Some(first) = p.docs.references.first() {
        set(&mut rule, "helpUri", Value::String(first.clone()));
    }
    rule
}

fn notification(e: &ErrorEntry, root: &str) -> Value {
    let mut physical = json!({"artifactLocation": artifact(&e.file, root)});
    if let Some(span) = e.span {
        set(
            &mut physical,
            "region",
            json!({"startLine": span.start.line, "startColumn": span.start.column}),
        );
    }
    json!({"level": "error", "message": {"text": visible(&e.message)}, "locations": [{"physicalLocation": physical}]})
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub code scanning reads this number to rank security results.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

/// `pod-security/baseline/host-ports` → `PodSecurityBaselineHostPorts`.
fn camel(id: &str) -> String {
    id.split(['/', '-'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The artifact location of a file: relative to the root (compared component by component,
/// so `/repo-other/x.yaml` is not under `/repo`) with `uriBaseId` `SRCROOT`, or an absolute
/// `file://` URI for a file outside it.
fn artifact(file: &str, root: &str) -> Value {
    let path = Path::new(file);
    match path.strip_prefix(root) {
        Ok(rel) if !root.is_empty() => json!({"uri": encode(rel), "uriBaseId": "SRCROOT"}),
        _ if path.is_absolute() => json!({"uri": format!("file://{}", encode(path))}),
        _ => json!({"uri": encode(path), "uriBaseId": "SRCROOT"}),
    }
}

/// A path percent-encoded as a URI reference, `.` components left out.
pub(crate) fn encode(path: &Path) -> String {
    let mut out = String::new();
    for component in path.components() {
        let part = match component {
            Component::RootDir => {
                out.push('/');
                continue;
            }
            Component::CurDir => continue,
            Component::ParentDir => "..".into(),
            Component::Normal(p) => p.to_string_lossy(),
            Component::Prefix(p) => p.as_os_str().to_string_lossy(),
        };
        if !out.is_empty() && !out.ends_with('/') {
            out.push('/');
        }
        for b in part.bytes() {
            match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => out.push(char::from(b)),
                _ => out.push_str(&format!("%{b:02X}")),
            }
        }
    }
    out
}

fn dir_uri(root: &str) -> String {
    let path = encode(Path::new(root));
    let path = if path.starts_with('/') {
        path
    } else {
        format!("/{path}")
    };
    format!("file://{}/", path.trim_end_matches('/'))
}

/// Sets `key` on a JSON object (a no-op on anything else).
fn set(value: &mut Value, key: &str, item: Value) {
    if let Value::Object(map) = value {
        map.insert(key.to_owned(), item);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn artifact_paths_compare_whole_components() {
        assert_eq!(
            artifact("/work/repo/k8s/a b.yaml", "/work/repo"),
            json!({"uri": "k8s/a%20b.yaml", "uriBaseId": "SRCROOT"})
        );
        assert_eq!(
            artifact("/work/repo/k8s/a.yaml", "/work/repo/"),
            json!({"uri": "k8s/a.yaml", "uriBaseId": "SRCROOT"})
        );
        // A sibling whose name starts with the root's name is not under it.
        assert_eq!(
            artifact("/work/repo-prod/a.yaml", "/work/repo"),
            json!({"uri": "file:///work/repo-prod/a.yaml"})
        );
        assert_eq!(
            artifact("./k8s/a.yaml", "/work/repo"),
            json!({"uri": "k8s/a.yaml", "uriBaseId": "SRCROOT"})
        );
        assert_eq!(
            artifact("../other/a.yaml", "/work/repo"),
            json!({"uri": "../other/a.yaml", "uriBaseId": "SRCROOT"})
        );
        assert_eq!(dir_uri("/work/my repo"), "file:///work/my%20repo/");
    }
}
