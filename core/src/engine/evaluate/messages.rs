//! Message templates filled with values from the document, cleaned of control characters.

use crate::document::Node;
use crate::policy::{Part, Scope, Template};

/// Fills a message template; values from the document are cleaned of control characters.
pub(super) fn render(template: &Template, scope: &Scope<'_, '_>, value: Option<&str>) -> String {
    let mut out = String::new();
    // A missing value reads "unset", without the code quotes meant for a value:
    // "`--profiling` is unset", not "is `unset`".
    let mut unquote_next = false;
    for part in &template.parts {
        let found = match part {
            Part::Text(t) => {
                let t = if unquote_next {
                    t.strip_prefix('`').unwrap_or(t)
                } else {
                    t
                };
                unquote_next = false;
                out.push_str(t);
                continue;
            }
            Part::Value => value.map(str::to_owned),
            Part::Path(p) => p
                .first(scope.start(p), scope)
                .filter(|n| !n.is_null())
                .map(Node::display),
        };
        match found {
            Some(v) => out.push_str(&clean(&v)),
            None => {
                unquote_next = out.ends_with('`');
                if unquote_next {
                    out.pop();
                }
                out.push_str("unset");
            }
        }
    }
    out
}

/// Replaces control characters (newlines, escapes) so that values cannot break reports.
pub(super) fn clean(text: &str) -> String {
    let mut out: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    if out.chars().count() > 200 {
        out = out.chars().take(200).collect::<String>() + "…";
    }
    out
}
