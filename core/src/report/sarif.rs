//! SARIF 2.1.0: one rule per selected policy, one result per finding with its region and a
//! fingerprint that does not move with the lines; read errors become notifications.

use std::path::{Component, Path};

use serde_json::{json, Value};

use super::escape::visible;
use super::fingerprint::fingerprint;
use crate::engine::{ErrorEntry, Report};
use crate::policy::{Policy, Severity};

/// `root` is the scan root (an absolute directory); file names are made relative to it.
pub fn sarif(report: &Report, policies: &[Policy], root: &str) -> String {
    let mut rules: Vec<&Policy> = policies.iter().collect();
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    let index_of = |id: &str| rules.iter().position(|p| p.id == id);
    let mut rule_values: Vec<Value> = rules.iter().map(|p| rule(p)).collect();
    // Findings the engine raises itself (suppressions, exceptions) get a rule too.
    let mut engine_rules: Vec<String> = Vec::new();
    for f in &report.findings {
        if index_of(&f.policy).is_none() && !engine_rules.contains(&f.policy) {
            engine_rules.push(f.policy.clone());
            rule_values.push(json!({
                "id": f.policy,
                "name": camel(&f.policy),
                "shortDescription": {"text": f.title},
                "fullDescription": {"text": f.title},
                "help": {"text": f.fix},
                "defaultConfiguration": {"level": level(f.severity)},
                "properties": {"tags": ["rempart"]}
            }));
        }
    }
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let rule_index = index_of(&f.policy)
                .or_else(|| {
                    engine_rules
                        .iter()
                        .position(|r| *r == f.policy)
                        .map(|i| rules.len() + i)
                })
                .unwrap_or_default();
            let o = &f.object;
            let qualified = [Some(o.kind.as_str()), o.namespace.as_deref(), o.name.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join("/");
            json!({
                "ruleId": f.policy,
                "ruleIndex": rule_index,
                "level": level(f.severity),
                "message": {"text": visible(&f.message)},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": artifact(&f.file, root),
                        "region": {
                            "startLine": f.span.start.line,
                            "startColumn": f.span.start.column,
                            "endLine": f.span.end.line,
                            "endColumn": f.span.end.column.max(1),
                            "byteOffset": f.span.start.offset,
                            "byteLength": f.span.end.offset - f.span.start.offset
                        }
                    },
                    "logicalLocations": [{"fullyQualifiedName": visible(&format!("{qualified}{}", f.path)), "kind": "object"}]
                }],
                "partialFingerprints": {"rempartFinding/v1": fingerprint(f)},
                "properties": {"severity": f.severity, "jsonPointer": f.path, "standards": f.standards}
            })
        })
        .collect();
    let notifications: Vec<Value> = report.errors.iter().map(|e| notification(e, root)).collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "rempart",
                "version": crate::VERSION,
                "semanticVersion": crate::VERSION,
                "rules": rule_values
            }},
            "originalUriBaseIds": {"SRCROOT": {"uri": dir_uri(root)}},
            "columnKind": "unicodeCodePoints",
            "invocations": [{"executionSuccessful": report.errors.is_empty(), "toolExecutionNotifications": notifications}],
            "results": results
        }]
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
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
        assert_eq!(artifact("/work/repo/k8s/a b.yaml", "/work/repo"), json!({"uri": "k8s/a%20b.yaml", "uriBaseId": "SRCROOT"}));
        assert_eq!(artifact("/work/repo/k8s/a.yaml", "/work/repo/"), json!({"uri": "k8s/a.yaml", "uriBaseId": "SRCROOT"}));
        // A sibling whose name starts with the root's name is not under it.
        assert_eq!(artifact("/work/repo-prod/a.yaml", "/work/repo"), json!({"uri": "file:///work/repo-prod/a.yaml"}));
        assert_eq!(artifact("./k8s/a.yaml", "/work/repo"), json!({"uri": "k8s/a.yaml", "uriBaseId": "SRCROOT"}));
        assert_eq!(artifact("../other/a.yaml", "/work/repo"), json!({"uri": "../other/a.yaml", "uriBaseId": "SRCROOT"}));
        assert_eq!(dir_uri("/work/my repo"), "file:///work/my%20repo/");
    }
}
