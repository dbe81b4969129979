//! `wgpolicyk8s.io/v1alpha2` PolicyReport (one per namespace) and ClusterPolicyReport (for
//! cluster-scoped objects), as YAML.

use std::collections::BTreeMap;
use std::io;

use serde_json::{json, Value};

use super::{kept, FormatWriter};
use crate::document::Source;
use crate::engine::{Finding, Report};

/// Kinds that have no namespace.
const CLUSTER_KINDS: &[&str] = &[
    "Namespace",
    "Node",
    "PersistentVolume",
    "ClusterRole",
    "ClusterRoleBinding",
    "StorageClass",
    "CustomResourceDefinition",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "PriorityClass",
    "RuntimeClass",
    "CSIDriver",
    "IngressClass",
    "APIService",
    "CertificateSigningRequest",
    "ClusterPolicyReport",
];

/// The PolicyReports of a whole report, as a YAML stream (a comment when there is no
/// finding).
pub fn policy_report(report: &Report) -> String {
    let mut groups: BTreeMap<Option<String>, Vec<&Finding>> = BTreeMap::new();
    for f in &report.findings {
        let ns = if CLUSTER_KINDS.contains(&f.object.kind.as_str()) {
            None
        } else {
            Some(f.object.namespace.clone().unwrap_or_else(|| "default".into()))
        };
        groups.entry(ns).or_default().push(f);
    }
    let docs: Vec<Value> = groups
        .iter()
        .map(|(ns, findings)| {
            let results: Vec<Value> = findings.iter().map(|f| result(f)).collect();
            let mut metadata = json!({"name": format!("rempart-{}", ns.as_deref().unwrap_or("cluster")), "labels": {"app.kubernetes.io/managed-by": "rempart"}});
            if let Some(ns) = ns {
                set(&mut metadata, "namespace", Value::String(ns.clone()));
            }
            json!({
                "apiVersion": "wgpolicyk8s.io/v1alpha2",
                "kind": if ns.is_some() { "PolicyReport" } else { "ClusterPolicyReport" },
                "metadata": metadata,
                "summary": {"pass": 0, "fail": findings.len(), "warn": 0, "error": 0, "skip": 0},
                "results": results
            })
        })
        .collect();
    if docs.is_empty() {
        return "# no findings\n".into();
    }
    docs.iter().map(yaml).collect::<Vec<_>>().join("---\n")
}

fn result(f: &Finding) -> Value {
    let mut resource = json!({"apiVersion": f.object.api_version, "kind": f.object.kind});
    if let Some(ns) = &f.object.namespace {
        set(&mut resource, "namespace", Value::String(ns.clone()));
    }
    if let Some(name) = &f.object.name {
        set(&mut resource, "name", Value::String(name.clone()));
    }
    let rule = f.policy.rsplit('/').next().unwrap_or(&f.policy);
    let mut result = json!({
        "policy": f.policy,
        "rule": rule,
        "result": "fail",
        "scored": true,
        "severity": f.severity,
        "category": f.category,
        "source": "rempart",
        "message": f.message,
        "resources": [resource],
        "properties": {
            "file": f.file,
            "line": f.span.start.line.to_string(),
            "column": f.span.start.column.to_string(),
            "path": f.path,
        }
    });
    if !f.related.is_empty() {
        // PolicyReport properties are strings: one line per related place.
        let related: Vec<String> = f.related.iter().map(|r| r.one_line()).collect();
        if let Some(properties) = result.get_mut("properties") {
            set(properties, "related", Value::String(related.join("\n")));
        }
    }
    result
}

/// Block-style YAML for a JSON value; every string is double-quoted (see [`quoted`]).
fn yaml(value: &Value) -> String {
    let mut out = String::new();
    write_value(value, 0, &mut out);
    out
}

/// Keys are written plain when YAML reads them back as the same string, quoted otherwise.
fn plain_key(key: &str) -> String {
    let simple = key.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | '-'));
    let special = matches!(
        key.to_ascii_lowercase().as_str(),
        "y" | "n" | "yes" | "no" | "on" | "off" | "true" | "false" | "null"
    );
    if simple && !special {
        key.to_owned()
    } else {
        quoted(key)
    }
}

/// A YAML double-quoted scalar that every YAML reader (1.1 and 1.2) reads back as `text`:
/// everything but printable characters is escaped — controls, DEL, C1 (U+0080–U+009F,
/// NEL included), the line and paragraph separators (line breaks in YAML 1.1), the
/// byte-order mark and the non-characters U+FFFE/U+FFFF.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c < ' ' || ('\u{7f}'..='\u{9f}').contains(&c) => out.push_str(&format!("\\x{:02x}", u32::from(c))),
            '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}' => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => quoted(s),
        Value::Array(a) if a.is_empty() => "[]".into(),
        Value::Object(o) if o.is_empty() => "{}".into(),
        other => other.to_string(),
    }
}

fn is_block(v: &Value) -> bool {
    matches!(v, Value::Array(a) if !a.is_empty()) || matches!(v, Value::Object(o) if !o.is_empty())
}

fn write_value(value: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                let key = plain_key(k);
                if is_block(v) {
                    out.push_str(&format!("{pad}{key}:\n"));
                    write_value(v, if v.is_array() { indent } else { indent + 2 }, out);
                } else {
                    out.push_str(&format!("{pad}{key}: {}\n", scalar(v)));
                }
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for item in items {
                if is_block(item) && item.is_object() {
                    let mut inner = String::new();
                    write_value(item, indent + 2, &mut inner);
                    out.push_str(&format!("{pad}- {}", inner.trim_start()));
                } else if is_block(item) {
                    out.push_str(&format!("{pad}-\n"));
                    write_value(item, indent + 2, out);
                } else {
                    out.push_str(&format!("{pad}- {}\n", scalar(item)));
                }
            }
        }
        other => out.push_str(&format!("{pad}{}\n", scalar(other))),
    }
}

/// Sets `key` on a JSON object (a no-op on anything else).
fn set(value: &mut Value, key: &str, item: Value) {
    if let Value::Object(map) = value {
        map.insert(key.to_owned(), item);
    }
}

/// Writes the PolicyReports of a scan: findings are kept (without their standards) file by
/// file and grouped by namespace at the end.
pub struct PolicyReportWriter<W: io::Write> {
    out: W,
    findings: Vec<Finding>,
}

impl<W: io::Write> PolicyReportWriter<W> {
    /// Writes to `out`.
    pub fn new(out: W) -> Self {
        PolicyReportWriter {
            out,
            findings: Vec::new(),
        }
    }
}

impl<W: io::Write> FormatWriter for PolicyReportWriter<W> {
    fn file(&mut self, report: &Report, _: Option<&Source>) -> io::Result<()> {
        self.findings.extend(report.findings.iter().map(kept));
        Ok(())
    }

    fn finish(mut self: Box<Self>, totals: &Report) -> io::Result<()> {
        let whole = Report {
            findings: std::mem::take(&mut self.findings),
            ..totals.clone()
        };
        self.out.write_all(policy_report(&whole).as_bytes())?;
        self.out.flush()
    }
}
