//! `rempart auth can-i` and `rempart auth who-can`: RBAC effective permissions over a set of
//! manifests, as `kubectl auth can-i` asks a cluster.

use std::io::Write;

use clap::{Args, Subcommand, ValueEnum};
use rempart::format::visible;
use rempart::rbac::{resources, Analysis, EffectiveRule, GrantRef, Request, User};

use crate::{emit, EXIT_FINDINGS, EXIT_OK};

#[derive(Subcommand, Debug)]
pub(crate) enum AuthCommand {
    /// Whether a user may do something: `can-i VERB TYPE[/NAME]` or `can-i VERB /URL`; exit 0
    /// for yes, 1 for no. With `--list`, the rules the user holds.
    CanI(CanIArgs),
    /// Every subject that may do something, with the binding, role and rule that allow it.
    WhoCan(WhoCanArgs),
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AuthFormat {
    Text,
    Json,
}

#[derive(Args, Debug)]
pub(crate) struct RequestArgs {
    /// The subresource (`exec`, `log`, `status`, …).
    #[arg(long, value_name = "S", default_value = "")]
    subresource: String,
    /// The API group, overriding the one of TYPE (`""` for the core group).
    #[arg(long, value_name = "GROUP")]
    api_group: Option<String>,
    /// The namespace asked about. Without it (or with `-A`) the question is cluster-wide:
    /// only ClusterRoleBindings count (there is no kubeconfig context to take one from).
    #[arg(long, short = 'n', value_name = "NAMESPACE")]
    namespace: Option<String>,
    /// Ask across all namespaces (cluster-wide), the default.
    #[arg(long, short = 'A', conflicts_with = "namespace")]
    all_namespaces: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = AuthFormat::Text)]
    format: AuthFormat,
    /// Files, directories or `-` (stdin) holding the RBAC objects (repeatable).
    #[arg(long = "filename", short = 'f', value_name = "PATH", required = true)]
    files: Vec<String>,
}

#[derive(Args, Debug)]
pub(crate) struct CanIArgs {
    /// VERB and TYPE[/NAME] (or a non-resource URL such as `/healthz`); none with `--list`.
    args: Vec<String>,
    /// List the rules the user holds (in `-n NAMESPACE`, or cluster-wide).
    #[arg(long)]
    list: bool,
    /// The user asking (`system:serviceaccount:NS:NAME` for a ServiceAccount,
    /// `system:anonymous` for requests without credentials).
    #[arg(long = "as", value_name = "USER")]
    as_user: Option<String>,
    /// A group of the user (repeatable).
    #[arg(long = "as-group", value_name = "GROUP")]
    as_group: Vec<String>,
    #[command(flatten)]
    request: RequestArgs,
}

#[derive(Args, Debug)]
pub(crate) struct WhoCanArgs {
    /// VERB and TYPE[/NAME] (or a non-resource URL such as `/metrics`).
    args: Vec<String>,
    #[command(flatten)]
    request: RequestArgs,
}

pub(crate) fn run(command: AuthCommand, out: &mut dyn Write) -> Result<i32, String> {
    match command {
        AuthCommand::CanI(a) => can_i(a, out),
        AuthCommand::WhoCan(a) => who_can(a, out),
    }
}

/// Reads the inputs and builds the analysis; what is wrong in them goes to stderr.
fn analysis(a: &RequestArgs) -> Result<Analysis, String> {
    let (engine, sources) = crate::inputs::read_set(&a.files)?;
    let analysis = engine.rbac(&sources);
    for p in analysis.problems() {
        crate::inputs::print_problem(p.error, &p.place, &p.message);
    }
    if sources.is_empty() {
        return Err("no input could be read".into());
    }
    Ok(analysis)
}

fn namespace(a: &RequestArgs) -> &str {
    if a.all_namespaces {
        ""
    } else {
        a.namespace.as_deref().unwrap_or_default()
    }
}

fn request(args: &[String], a: &RequestArgs) -> Result<Request, String> {
    let [verb, target] = args else {
        return Err(format!(
            "give a VERB and a TYPE[/NAME] or a URL (e.g. `get pods`, `create pods/x --subresource exec`, `get /healthz`); got {} argument(s)",
            args.len()
        ));
    };
    resources::request(verb, target, &a.subresource, a.api_group.as_deref(), namespace(a))
        .map_err(|e| visible(&e).into_owned())
}

fn can_i(a: CanIArgs, out: &mut dyn Write) -> Result<i32, String> {
    let Some(name) = a.as_user.as_deref() else {
        return Err("say who asks: `--as USER` (and `--as-group GROUP`…); a ServiceAccount is `system:serviceaccount:NAMESPACE:NAME`".into());
    };
    let user = User::named(name, &a.as_group);
    if a.list {
        if !a.args.is_empty() {
            return Err("`--list` takes no VERB or TYPE".into());
        }
        let analysis = analysis(&a.request)?;
        let rules = analysis.rules(&user, namespace(&a.request));
        let text = match a.request.format {
            AuthFormat::Json => json(&rules)?,
            AuthFormat::Text => rules_table(&rules),
        };
        emit(out, &text)?;
        return Ok(EXIT_OK);
    }
    let request = request(&a.args, &a.request)?;
    let analysis = analysis(&a.request)?;
    let answer = analysis.can_i(&user, &request);
    let text = match a.request.format {
        AuthFormat::Json => json(&answer)?,
        AuthFormat::Text => if answer.allowed { "yes\n" } else { "no\n" }.to_owned(),
    };
    emit(out, &text)?;
    Ok(if answer.allowed { EXIT_OK } else { EXIT_FINDINGS })
}

fn who_can(a: WhoCanArgs, out: &mut dyn Write) -> Result<i32, String> {
    let request = request(&a.args, &a.request)?;
    let analysis = analysis(&a.request)?;
    let answer = analysis.who_can(&request);
    let text = match a.request.format {
        AuthFormat::Json => json(&answer)?,
        AuthFormat::Text => {
            let mut rows = vec![[
                "BINDING",
                "NAMESPACE",
                "ROLE",
                "RULE",
                "SUBJECT",
                "TYPE",
                "SA-NAMESPACE",
            ]
            .map(str::to_owned)];
            for s in &answer.subjects {
                for g in &s.via {
                    rows.push([
                        format!("{}/{}", g.binding.kind, g.binding.name),
                        g.binding.namespace.clone().unwrap_or_else(|| "-".into()),
                        format!("{}/{}", g.role.kind, g.role.name),
                        rule_text(g),
                        s.name.clone(),
                        s.kind.clone(),
                        s.namespace.clone().unwrap_or_else(|| "-".into()),
                    ]);
                }
            }
            if answer.subjects.is_empty() {
                "No subject found with this permission\n".to_owned()
            } else {
                table(&rows)
            }
        }
    };
    emit(out, &text)?;
    Ok(EXIT_OK)
}

/// `N` for a rule of the bound role, `Role/name#N` for a rule an aggregated role takes from
/// another.
fn rule_text(g: &GrantRef) -> String {
    match &g.from {
        Some(f) => format!("{}/{}#{}", f.kind, f.name, g.rule),
        None => g.rule.to_string(),
    }
}

fn json(value: &impl serde::Serialize) -> Result<String, String> {
    serde_json::to_string_pretty(value)
        .map(|t| t + "\n")
        .map_err(|e| format!("cannot write JSON: {e}"))
}

/// Columns padded to their widest cell, every cell escaped.
fn table<const N: usize>(rows: &[[String; N]]) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| visible(c).into_owned()).collect())
        .collect();
    let mut widths = [0usize; N];
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    for row in &cells {
        let mut line = String::new();
        for (w, c) in widths.iter().zip(row) {
            line.push_str(c);
            line.push_str(&" ".repeat(w - c.chars().count() + 3));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The rules as `kubectl auth can-i --list` prints them, with where each comes from.
fn rules_table(rules: &[EffectiveRule]) -> String {
    let list = |v: &[String]| format!("[{}]", v.join(" "));
    let mut rows = vec![[
        "Resources",
        "Non-Resource URLs",
        "Resource Names",
        "Verbs",
        "Granted by",
    ]
    .map(str::to_owned)];
    for r in rules {
        // One row per resource and group, as kubectl breaks rules down.
        let mut resources = Vec::new();
        for res in &r.rule.resources {
            for g in &r.rule.api_groups {
                resources.push(if g.is_empty() {
                    res.clone()
                } else {
                    format!("{res}.{g}")
                });
            }
        }
        if resources.is_empty() {
            resources.push(String::new());
        }
        let from = format!(
            "{}/{} → {}/{} rule {}",
            r.grant.binding.kind,
            r.grant.binding.name,
            r.grant.role.kind,
            r.grant.role.name,
            rule_text(&r.grant)
        );
        for res in resources {
            rows.push([
                res,
                list(&r.rule.non_resource_urls),
                list(&r.rule.resource_names),
                list(&r.rule.verbs),
                from.clone(),
            ]);
        }
    }
    table(&rows)
}
