//! The connectivity and exposure reports: the JSON shape the bindings share, text lines in
//! the notation network-policy analysers use, and graphs (Graphviz `dot`, Mermaid).

use serde::Serialize;

use super::policy::Direction;
use super::{Analysis, Connection, Exposure, Reach};
use crate::format::visible;

/// One connection as reported: `src`, `dst` (`ns/name[Kind]` or `a.b.c.d-e.f.g.h[External]`)
/// and `ports` (`All Connections`, `TCP 8080,UDP 53`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Line {
    /// Where the connection starts.
    pub src: String,
    /// Where it goes.
    pub dst: String,
    /// The connections allowed.
    pub ports: String,
}

/// The JSON report of `connectivity`: `{"connections": [{"src", "dst", "ports"}]}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConnectivityReport {
    /// The connections, sorted by source then destination.
    pub connections: Vec<Line>,
}

/// One exposure line: the workload, `ingress` or `egress`, the peer (`entire-cluster`,
/// `NAMESPACE/*` for any pod of the workload's own namespace, or a range `[External]`) and
/// the ports.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ExposureLine {
    /// The workload (index into `Analysis::workloads`, or its name in a report).
    pub workload: String,
    /// Ingress or egress.
    pub direction: &'static str,
    /// `entire-cluster`, `NAMESPACE/*` or an address range `[External]`.
    pub peer: String,
    /// The connections allowed.
    pub ports: String,
}

/// The JSON report of `exposure`: `{"exposure": [{"workload", "direction", "peer", "ports"}]}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExposureReport {
    /// The lines, sorted.
    pub exposure: Vec<ExposureLine>,
}

/// The connections as lines, sorted by source then destination.
pub fn sorted(analysis: &Analysis, connections: &[Connection]) -> ConnectivityReport {
    let mut lines: Vec<Line> = connections
        .iter()
        .map(|c| Line {
            src: analysis.name(&c.src),
            dst: analysis.name(&c.dst),
            ports: c.ports.display(),
        })
        .collect();
    lines.sort();
    lines.dedup();
    ConnectivityReport { connections: lines }
}

/// The exposure lines, sorted by workload, direction, peer.
pub fn exposure(analysis: &Analysis, entries: &[Exposure]) -> ExposureReport {
    let mut lines: Vec<ExposureLine> = entries
        .iter()
        .map(|e| {
            let ns = analysis
                .workloads
                .get(e.workload)
                .map(|w| w.namespace.as_str())
                .unwrap_or_default();
            ExposureLine {
                workload: analysis.name(&super::Endpoint::Workload(e.workload)),
                direction: match e.direction {
                    Direction::Ingress => "ingress",
                    Direction::Egress => "egress",
                },
                peer: match e.reach {
                    Reach::EntireCluster => "entire-cluster".to_owned(),
                    Reach::OwnNamespace => format!("{ns}/*"),
                    Reach::External(r) => format!("{}[External]", r.display()),
                },
                ports: e.ports.display(),
            }
        })
        .collect();
    lines.sort();
    ExposureReport { exposure: lines }
}

/// `src => dst : ports`, one line per connection (escaped).
pub fn text(report: &ConnectivityReport) -> String {
    let mut out = String::new();
    for l in &report.connections {
        out.push_str(&format!("{} => {} : {}\n", visible(&l.src), visible(&l.dst), l.ports));
    }
    out
}

/// `workload <= peer : ports` (ingress) and `workload => peer : ports` (egress).
pub fn exposure_text(report: &ExposureReport) -> String {
    let mut out = String::new();
    for l in &report.exposure {
        let arrow = if l.direction == "ingress" { "<=" } else { "=>" };
        out.push_str(&format!(
            "{} {arrow} {} : {}\n",
            visible(&l.workload),
            visible(&l.peer),
            l.ports
        ));
    }
    out
}

/// The nodes of a report, in order of first appearance.
fn nodes(report: &ConnectivityReport) -> Vec<&str> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for l in &report.connections {
        for n in [l.src.as_str(), l.dst.as_str()] {
            if seen.insert(n) {
                out.push(n);
            }
        }
    }
    out
}

/// A Graphviz graph: workloads as boxes, address ranges as ellipses, edges labelled with
/// their ports.
pub fn dot(report: &ConnectivityReport) -> String {
    let quote = |s: &str| -> String {
        let mut q = String::from("\"");
        for c in visible(s).chars() {
            if c == '"' || c == '\\' {
                q.push('\\');
            }
            q.push(c);
        }
        q.push('"');
        q
    };
    let mut out = String::from("digraph connectivity {\n  rankdir=LR;\n");
    for n in nodes(report) {
        let shape = if n.ends_with("[External]") { "ellipse" } else { "box" };
        out.push_str(&format!("  {} [shape={shape}];\n", quote(n)));
    }
    for l in &report.connections {
        out.push_str(&format!(
            "  {} -> {} [label={}];\n",
            quote(&l.src),
            quote(&l.dst),
            quote(&l.ports)
        ));
    }
    out.push_str("}\n");
    out
}

/// A Mermaid flowchart: nodes `n0`, `n1`… labelled with their names.
pub fn mermaid(report: &ConnectivityReport) -> String {
    let label = |s: &str| -> String {
        visible(s)
            .replace('#', "#35;")
            .replace('"', "#quot;")
            .replace('<', "#lt;")
            .replace('>', "#gt;")
    };
    let list = nodes(report);
    let index: std::collections::HashMap<&str, usize> = list.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let id = |n: &str| index.get(n).copied().unwrap_or_default();
    let mut out = String::from("graph LR\n");
    for (i, n) in list.iter().enumerate() {
        if n.ends_with("[External]") {
            out.push_str(&format!("  n{i}([\"{}\"])\n", label(n)));
        } else {
            out.push_str(&format!("  n{i}[\"{}\"]\n", label(n)));
        }
    }
    for l in &report.connections {
        out.push_str(&format!(
            "  n{} -->|\"{}\"| n{}\n",
            id(&l.src),
            label(&l.ports),
            id(&l.dst)
        ));
    }
    out
}
