//! The policy table of `policies/README.md`, generated from the policy files themselves.

use super::model::Policy;

/// A Markdown table of the policies: id, pack, severity, title, the standards they map to
/// and the Kubernetes versions they apply to.
pub fn markdown_table(policies: &[Policy]) -> String {
    let mut out = String::from("| id | pack | severity | title | standards | versions |\n|---|---|---|---|---|---|\n");
    for p in policies {
        let standards: Vec<String> = p
            .standards
            .iter()
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => format!("{k} {s}"),
                serde_json::Value::Object(m) => {
                    let check = m.get("check").and_then(|c| c.as_str()).unwrap_or_default();
                    let level = m.get("level").and_then(|c| c.as_str()).unwrap_or_default();
                    format!("{k} {level} `{check}`")
                }
                other => format!("{k} {}", other.to_string().replace('"', "")),
            })
            .collect();
        let versions = match (p.versions.since, p.versions.until) {
            (None, None) => "all".to_owned(),
            (Some(s), None) => format!("{s}+"),
            (None, Some(u)) => format!("before {u}"),
            (Some(s), Some(u)) => format!("{s} to {u}"),
        };
        let title = p.title.replace('|', "\\|");
        let pack = match p.id.rsplit_once('/') {
            Some((pack, _)) => pack,
            None => "",
        };
        out.push_str(&format!(
            "| `{}` | {pack} | {} | {title} | {} | {versions} |\n",
            p.id,
            p.severity,
            standards.join("; ")
        ));
    }
    out
}
