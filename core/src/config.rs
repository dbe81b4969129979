//! The configuration file (`.rempart.yaml` or `rempart.yaml`, found from the scanned path
//! upward, or named with `--config`): which policies, their parameters and severities, the
//! Pod Security level and version, the failure threshold, extra policy paths, paths to leave
//! out, and exceptions with a reason and an optional expiry date.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::decode::Decoder;
use crate::document::{parse_stream, Limits, Node, Source};
use crate::engine::{Date, Exception, LevelChoice, OptionLayer};
use crate::glob::Glob;
use crate::policy::{KindPattern, ParamOverrides, PolicyError, Severity};

/// The names looked for, in this order, in each folder from the scanned path upward.
pub const FILE_NAMES: &[&str] = &[".rempart.yaml", "rempart.yaml"];

const FIELDS: &[&str] = &[
    "select",
    "ignore",
    "severities",
    "params",
    "podSecurity",
    "failOn",
    "policies",
    "exclude",
    "exceptions",
    "limits",
    "admission",
];

/// A configuration file, read: the engine options it sets (the same fields as the engine's,
/// see [`OptionLayer`]) and the settings of a scan.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// The file read (`None` when no file was found).
    pub file: Option<String>,
    /// `select`, `ignore`, `severities`, `params`, `podSecurity`, `limits` and `admission`.
    pub options: OptionLayer,
    /// `failOn`: the lowest severity that fails the scan.
    pub fail_on: Option<String>,
    /// Policy files and folders, relative to the file's folder.
    pub policies: Vec<PathBuf>,
    /// `exclude`: paths left out of the scan.
    pub exclude: Vec<Glob>,
    /// `exceptions`: accepted findings.
    pub exceptions: Vec<Exception>,
}

/// The configuration file for `start` (a file or folder): the first of [`FILE_NAMES`] in
/// its folder or any folder above.
pub fn discover(start: &Path) -> Option<PathBuf> {
    let start = if start.is_absolute() {
        start.to_path_buf()
    } else {
        std::env::current_dir().ok()?.join(start)
    };
    let mut dir = if start.is_dir() {
        Some(start.as_path())
    } else {
        start.parent()
    };
    while let Some(d) = dir {
        for name in FILE_NAMES {
            let candidate = d.join(name);
            if candidate.is_file() {
                // Shown relative to the current folder when it lies below it.
                let cwd = std::env::current_dir().unwrap_or_default();
                return Some(candidate.strip_prefix(&cwd).map(Path::to_path_buf).unwrap_or(candidate));
            }
        }
        dir = d.parent();
    }
    None
}

/// Reads a configuration file (or an exceptions file, which holds `exceptions:` only).
/// Every mistake is reported with its line and column.
pub fn load_config(source: &Source, dir: &Path) -> Result<Config, Vec<PolicyError>> {
    let mut d = Decoder::new(source);
    let mut config = Config {
        file: Some(source.name.clone()),
        ..Config::default()
    };
    let docs = parse_stream(&source.text, &Limits::default());
    let first = docs.into_iter().next();
    if let Some(e) = first.as_ref().and_then(|doc| doc.errors.first()) {
        d.error_at(e.span, e.message.clone());
        return Err(d.errors);
    }
    let node = match first.map(|doc| doc.result) {
        Some(Ok(node)) => node,
        Some(Err(e)) => {
            d.error_at(e.span, e.message);
            return Err(d.errors);
        }
        None => return Ok(config),
    };
    if node.is_null() {
        return Ok(config);
    }
    let Some(f) = d.fields(&node, "the configuration", FIELDS) else {
        return Err(d.errors);
    };
    let o = &mut config.options;
    o.select = f.get("select").map(|n| d.strings(n, "`select`"));
    o.ignore = f.get("ignore").map(|n| d.strings(n, "`ignore`"));
    if let Some(n) = f.get("severities") {
        let severities = o.severities.get_or_insert_with(BTreeMap::new);
        for (k, v) in n.as_map().unwrap_or_default() {
            match v.as_str().and_then(Severity::parse) {
                Some(s) => {
                    severities.insert(k.display(), s);
                }
                None => d.error(v, "a severity is one of info, low, medium, high, critical"),
            }
        }
    }
    if let Some(n) = f.get("params") {
        let all = o.params.get_or_insert_with(ParamOverrides::new);
        match n.to_json() {
            serde_json::Value::Object(m) => {
                for (id, params) in m {
                    match params {
                        serde_json::Value::Object(p) => {
                            all.insert(id, p.into_iter().collect());
                        }
                        _ => d.error(n, format!("`params.{id}` must map parameter names to values")),
                    }
                }
            }
            _ => d.error(n, "`params` must map policy ids to `{parameter: value}`"),
        }
    }
    if let Some(n) = f.get("podSecurity") {
        if let Some(ps) = d.fields(n, "`podSecurity`", &["level", "version"]) {
            if let Some(l) = ps.get("level") {
                o.pod_security_level = l.as_str().and_then(LevelChoice::parse);
                if o.pod_security_level.is_none() {
                    d.error(l, "`podSecurity.level` is `baseline`, `restricted` or `from-namespace`");
                }
            }
            if let Some(v) = ps.get("version") {
                match v.as_str().map(crate::policy::Version::parse) {
                    Some(Ok(_)) => o.pod_security_version = v.as_str().map(str::to_owned),
                    Some(Err(e)) => d.error(v, e),
                    None => d.error(v, "write the version as a string like `v1.29` or `latest`"),
                }
            }
        }
    }
    if let Some(n) = f.get("failOn") {
        let value = n.as_str().unwrap_or_default();
        if ["low", "medium", "high", "critical", "none"].contains(&value) {
            config.fail_on = Some(value.to_owned());
        } else {
            d.error(n, "`failOn` is one of low, medium, high, critical, none");
        }
    }
    config.policies = f
        .get("policies")
        .map(|n| d.strings(n, "a policy path"))
        .unwrap_or_default()
        .iter()
        .map(|p| dir.join(p))
        .collect();
    config.exclude = globs(&mut d, f.get("exclude"), dir);
    if let Some(n) = f.get("limits") {
        match serde_json::from_value::<crate::Limits>(n.to_json()) {
            Ok(limits) => o.limits = Some(limits),
            Err(e) => d.error(n, format!("`limits`: {e} (the limits are maxDocumentBytes, maxDocuments, maxDepth, maxAliasNodes, maxScalarBytes, maxInputBytes, maxPolicies, maxComparisons)")),
        }
    }
    if let Some(n) = f.get("admission") {
        crate::admission::read_config(&mut d, n, &mut o.admission);
    }
    if let Some(list) = f.get("exceptions") {
        match list.as_seq() {
            Some(items) => {
                for (i, item) in items.iter().enumerate() {
                    if let Some(e) = exception(&mut d, item, i, dir) {
                        config.exceptions.push(e);
                    }
                }
            }
            None => d.error(list, "`exceptions` must be a list"),
        }
    }
    if d.errors.is_empty() {
        Ok(config)
    } else {
        Err(d.errors)
    }
}

/// A mistake in an option that the configuration file holds, pointed at the file: its line
/// and column (for a map entry, its key's); `None` when the option is not in the file.
pub fn locate(source: &Source, error: &crate::engine::OptionError) -> Option<PolicyError> {
    locate_at(
        source,
        &error.option.path(),
        format!("`{}`: {}", error.option.name(), error.message),
    )
}

/// A message about the value at `path` of a configuration file (for a map entry, its key),
/// with the value's line and column; `None` when the file has no such value.
pub fn locate_at(source: &Source, path: &[crate::engine::PathStep], message: String) -> Option<PolicyError> {
    use crate::engine::PathStep;
    let docs = parse_stream(&source.text, &Limits::default());
    let mut node = docs.into_iter().next()?.result.ok()?;
    let mut span = node.span;
    for step in path.iter().cloned() {
        node = match step {
            PathStep::Key(k) => {
                // The last of duplicate keys is the one that counts.
                let (key, value) = node.as_map()?.iter().rev().find(|(key, _)| key.display() == k)?.clone();
                span = key.span;
                value
            }
            PathStep::Index(i) => match node.as_seq() {
                Some(items) => {
                    let item = items.get(i)?.clone();
                    span = item.span;
                    item
                }
                // `select: pod-security`, a single value written without a list.
                None if i == 0 => node,
                None => return None,
            },
        };
    }
    let at = source.position(span.start);
    Some(PolicyError {
        file: source.name.clone(),
        line: at.line,
        column: at.column,
        message,
    })
}

fn globs(d: &mut Decoder<'_>, node: Option<&Node>, dir: &Path) -> Vec<Glob> {
    let Some(node) = node else { return Vec::new() };
    let patterns = d.strings(node, "a path pattern");
    patterns
        .iter()
        .filter_map(|p| match Glob::new(p, dir) {
            Ok(g) => Some(g),
            Err(e) => {
                d.error(node, e);
                None
            }
        })
        .collect()
}

fn exception(d: &mut Decoder<'_>, node: &Node, index: usize, dir: &Path) -> Option<Exception> {
    let f = d.fields(node, "an exception", &["policies", "match", "reason", "expires"])?;
    let errors = d.errors.len();
    let policies = d
        .required(&f, node, "policies", "an exception")
        .map(|n| d.strings(n, "a policy id"))
        .unwrap_or_default();
    let reason = d
        .required(&f, node, "reason", "an exception (say why the finding is accepted)")
        .and_then(|n| d.string(n, "`reason`"));
    if reason.as_deref().is_some_and(|r| r.trim().is_empty()) {
        if let Some(n) = f.get("reason") {
            d.error(n, "the `reason` of an exception must not be empty");
        }
    }
    let (mut kinds, mut namespaces, mut names, mut files) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut users = Vec::new();
    if let Some(m) = f.get("match") {
        if let Some(mf) = d.fields(m, "`match`", &["kinds", "namespaces", "names", "files", "users"]) {
            users = mf.get("users").map(|n| d.strings(n, "a user")).unwrap_or_default();
            kinds = mf
                .get("kinds")
                .map(|n| d.strings(n, "a kind"))
                .unwrap_or_default()
                .iter()
                .map(|k| KindPattern::parse(k))
                .collect();
            namespaces = mf
                .get("namespaces")
                .map(|n| d.strings(n, "a namespace"))
                .unwrap_or_default();
            names = mf.get("names").map(|n| d.strings(n, "a name")).unwrap_or_default();
            files = globs(d, mf.get("files"), dir);
        }
    }
    let expires_node = f.get("expires");
    let expires = expires_node.and_then(|n| {
        let date = Date::parse(&n.display());
        if date.is_none() {
            d.error(
                n,
                format!("`expires` is a date written `YYYY-MM-DD`, not `{}`", n.display()),
            );
        }
        date
    });
    (d.errors.len() == errors).then(|| Exception {
        policies,
        kinds,
        namespaces,
        names,
        files,
        users,
        reason: reason.unwrap_or_default(),
        expires,
        file: d.source.name.clone(),
        pointer: format!("/exceptions/{index}"),
        span: node.span,
        expires_span: expires_node.map(|n| n.span),
    })
}
