//! `rempart netpol connectivity` and `rempart netpol exposure`: who can talk to whom under
//! the NetworkPolicies of a set of manifests.

use std::io::Write;

use clap::{Args, Subcommand, ValueEnum};
use rempart::netpol::{render, Analysis};

use crate::{emit, EXIT_OK};

#[derive(Subcommand, Debug)]
pub(crate) enum NetpolCommand {
    /// Every allowed connection between workloads and with the outside world (or only those
    /// of `--focus`), with their ports.
    Connectivity(ConnectivityArgs),
    /// Workloads reachable from any pod of any namespace, of their own namespace, or from
    /// outside the cluster (and what they may reach), with the ports.
    Exposure(ExposureArgs),
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum GraphFormat {
    Text,
    Json,
    Dot,
    Mermaid,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ListFormat {
    Text,
    Json,
}

#[derive(Args, Debug)]
pub(crate) struct InputArgs {
    /// Files, directories or `-` (stdin) holding workloads, NetworkPolicies and Namespaces
    /// (repeatable).
    #[arg(long = "filename", short = 'f', value_name = "PATH", required = true)]
    files: Vec<String>,
}

#[derive(Args, Debug)]
pub(crate) struct ConnectivityArgs {
    /// Only the connections of this workload, `namespace/name[Kind]` (e.g.
    /// `default/web[Deployment]`; `namespace/name` when the name is unique).
    #[arg(long, value_name = "WORKLOAD")]
    focus: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = GraphFormat::Text)]
    format: GraphFormat,
    #[command(flatten)]
    input: InputArgs,
}

#[derive(Args, Debug)]
pub(crate) struct ExposureArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    format: ListFormat,
    #[command(flatten)]
    input: InputArgs,
}

pub(crate) fn run(command: NetpolCommand, out: &mut dyn Write) -> Result<i32, String> {
    match command {
        NetpolCommand::Connectivity(a) => connectivity(a, out),
        NetpolCommand::Exposure(a) => exposure(a, out),
    }
}

/// Reads the inputs as `rempart scan` does and builds the analysis; what is wrong in them
/// goes to stderr.
fn analysis(a: &InputArgs) -> Result<Analysis, String> {
    let (engine, sources) = crate::inputs::read_set(&a.files)?;
    let analysis = engine.netpol(&sources);
    for p in analysis.problems() {
        crate::inputs::print_problem(p.error, &p.place, &p.message);
    }
    if sources.is_empty() {
        return Err("no input could be read".into());
    }
    Ok(analysis)
}

fn json(value: &impl serde::Serialize) -> Result<String, String> {
    serde_json::to_string_pretty(value)
        .map(|t| t + "\n")
        .map_err(|e| format!("cannot write JSON: {e}"))
}

fn connectivity(a: ConnectivityArgs, out: &mut dyn Write) -> Result<i32, String> {
    let analysis = analysis(&a.input)?;
    let connections = match &a.focus {
        Some(name) => analysis.connectivity_of(analysis.find(name)?),
        None => analysis.connectivity(),
    };
    let report = render::sorted(&analysis, &connections);
    let text = match a.format {
        GraphFormat::Text => render::text(&report),
        GraphFormat::Json => json(&report)?,
        GraphFormat::Dot => render::dot(&report),
        GraphFormat::Mermaid => render::mermaid(&report),
    };
    emit(out, &text)?;
    Ok(EXIT_OK)
}

fn exposure(a: ExposureArgs, out: &mut dyn Write) -> Result<i32, String> {
    let analysis = analysis(&a.input)?;
    let report = render::exposure(&analysis, &analysis.exposure());
    let text = match a.format {
        ListFormat::Text => render::exposure_text(&report),
        ListFormat::Json => json(&report)?,
    };
    emit(out, &text)?;
    Ok(EXIT_OK)
}
