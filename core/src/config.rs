//! The configuration file (`.rempart.yaml` or `rempart.yaml`, found from the scanned path
//! upward, or named with `--config`): which policies, their parameters and severities, the
//! Pod Security level and version, the failure threshold, extra policy paths, paths to leave
//! out, and exceptions with a reason and an optional expiry date.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use regex::Regex;
use serde::Serialize;

use crate::decode::Decoder;
use crate::document::{parse_stream, Limits, Node, Source, Span};
use crate::engine::LevelChoice;
use crate::policy::{name_matches, KindPattern, ParamOverrides, PolicyError, Severity};

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

/// A path pattern: `*` within a folder name, `**` across folders, `?` one character;
/// relative patterns are relative to the folder of the file that holds them.
#[derive(Clone, Debug, Serialize)]
pub struct Glob {
    pub pattern: String,
    #[serde(skip)]
    regex: Option<Regex>,
}

impl Glob {
    pub fn new(pattern: &str, base: &Path) -> Result<Glob, String> {
        let full = if Path::new(pattern).is_absolute() {
            PathBuf::from(pattern)
        } else {
            base.join(pattern)
        };
        let full = normalize(&absolute(&full));
        let mut re = String::from("^");
        let mut chars = full.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '*' if chars.peek() == Some(&'*') => {
                    chars.next();
                    if chars.peek() == Some(&'/') {
                        chars.next();
                        re.push_str("(?:.*/)?");
                    } else {
                        re.push_str(".*");
                    }
                }
                '*' => re.push_str("[^/]*"),
                '?' => re.push_str("[^/]"),
                c => re.push_str(&regex::escape(&c.to_string())),
            }
        }
        re.push('$');
        let regex = Regex::new(&re).map_err(|e| format!("`{pattern}` is not a usable path pattern: {e}"))?;
        Ok(Glob {
            pattern: pattern.to_owned(),
            regex: Some(regex),
        })
    }

    /// True when `path` (absolute, or relative to the current folder) matches.
    pub fn matches(&self, path: &Path) -> bool {
        self.regex
            .as_ref()
            .is_some_and(|r| r.is_match(&normalize(&absolute(path))))
    }
}

fn absolute(path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    }
}

/// An absolute path as text, with `.` and `..` folded and `/` separators.
fn normalize(path: &Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    for c in path.components() {
        match c {
            std::path::Component::ParentDir => {
                parts.pop();
            }
            std::path::Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
            _ => {}
        }
    }
    format!("/{}", parts.join("/"))
}

/// Kind patterns written back as they were given.
fn kind_texts<S: serde::Serializer>(kinds: &[KindPattern], s: S) -> Result<S::Ok, S::Error> {
    let texts: Vec<String> = kinds
        .iter()
        .map(|k| match &k.group {
            Some(g) if g.is_empty() => format!("core/{}", k.kind),
            Some(g) => format!("{g}/{}", k.kind),
            None => k.kind.clone(),
        })
        .collect();
    serde::Serialize::serialize(&texts, s)
}

/// A calendar date, `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Date(pub i32, pub u32, pub u32);

impl Date {
    pub fn parse(text: &str) -> Option<Date> {
        let mut it = text.trim().splitn(3, '-');
        let y = it.next()?.parse().ok()?;
        let m = it.next()?.parse().ok().filter(|m| (1..=12).contains(m))?;
        let d = it.next()?.parse().ok().filter(|d| (1..=31).contains(d))?;
        Some(Date(y, m, d))
    }

    /// Today in UTC, from the system clock.
    pub fn today() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Date::from_days(i64::try_from(secs / 86_400).unwrap_or_default())
    }

    /// The civil date `days` after 1970-01-01 (proleptic Gregorian calendar).
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        Date(
            i32::try_from(y).unwrap_or_default(),
            u32::try_from(m).unwrap_or(1),
            u32::try_from(d).unwrap_or(1),
        )
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.0, self.1, self.2)
    }
}

/// A finding that is accepted, for a reason, maybe until a date.
#[derive(Clone, Debug, Serialize)]
pub struct Exception {
    pub policies: Vec<String>,
    #[serde(serialize_with = "kind_texts")]
    pub kinds: Vec<KindPattern>,
    pub namespaces: Vec<String>,
    pub names: Vec<String>,
    pub files: Vec<Glob>,
    pub reason: String,
    pub expires: Option<Date>,
    /// Where the exception is written: file, JSON pointer, span.
    #[serde(skip)]
    pub file: String,
    #[serde(skip)]
    pub pointer: String,
    #[serde(skip)]
    pub span: Span,
    #[serde(skip)]
    pub expires_span: Option<Span>,
}

/// A configuration file, read.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Config {
    pub file: Option<String>,
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub severities: BTreeMap<String, Severity>,
    pub params: ParamOverrides,
    pub pod_security_level: Option<LevelChoice>,
    pub pod_security_version: Option<String>,
    pub fail_on: Option<String>,
    pub policies: Vec<PathBuf>,
    pub exclude: Vec<Glob>,
    pub exceptions: Vec<Exception>,
    pub limits: Option<crate::Limits>,
    /// The `admission:` section (see [`crate::admission::AdmissionSettings`]).
    pub admission: Option<crate::admission::AdmissionSettings>,
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
    config.select = f.get("select").map(|n| d.strings(n, "`select`")).unwrap_or_default();
    config.ignore = f.get("ignore").map(|n| d.strings(n, "`ignore`")).unwrap_or_default();
    if let Some(n) = f.get("severities") {
        for (k, v) in n.as_map().unwrap_or_default() {
            match v.as_str().and_then(Severity::parse) {
                Some(s) => {
                    config.severities.insert(k.display(), s);
                }
                None => d.error(v, "a severity is one of info, low, medium, high, critical"),
            }
        }
    }
    if let Some(n) = f.get("params") {
        match n.to_json() {
            serde_json::Value::Object(m) => {
                for (id, params) in m {
                    match params {
                        serde_json::Value::Object(p) => {
                            config.params.insert(id, p.into_iter().collect());
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
                config.pod_security_level = l.as_str().and_then(LevelChoice::parse);
                if config.pod_security_level.is_none() {
                    d.error(l, "`podSecurity.level` is `baseline`, `restricted` or `from-namespace`");
                }
            }
            if let Some(v) = ps.get("version") {
                match v.as_str().map(crate::policy::Version::parse) {
                    Some(Ok(_)) => config.pod_security_version = v.as_str().map(str::to_owned),
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
            Ok(limits) => config.limits = Some(limits),
            Err(e) => d.error(n, format!("`limits`: {e} (the limits are maxDocumentBytes, maxDocuments, maxDepth, maxAliasNodes, maxScalarBytes, maxInputBytes, maxPolicies, maxComparisons)")),
        }
    }
    if let Some(n) = f.get("admission") {
        crate::admission::read_config(&mut d, n, &mut config.admission);
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
    if let Some(m) = f.get("match") {
        if let Some(mf) = d.fields(m, "`match`", &["kinds", "namespaces", "names", "files"]) {
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
        reason: reason.unwrap_or_default(),
        expires,
        file: d.source.name.clone(),
        pointer: format!("/exceptions/{index}"),
        span: node.span,
        expires_span: expires_node.map(|n| n.span),
    })
}

impl Exception {
    /// True when the exception covers this finding (expired or not).
    pub fn covers(&self, f: &crate::Finding) -> bool {
        let group = f.object.api_version.rsplit_once('/').map_or("", |(g, _)| g);
        let named = |patterns: &[String], name: Option<&str>| {
            patterns.is_empty() || patterns.iter().any(|p| name_matches(p, name.unwrap_or_default()))
        };
        self.policies.iter().any(|p| crate::engine::id_matches(&f.policy, p))
            && (self.kinds.is_empty() || self.kinds.iter().any(|k| k.matches(&f.object.kind, group)))
            && named(&self.namespaces, f.object.namespace.as_deref())
            && named(&self.names, f.object.name.as_deref())
            && (self.files.is_empty() || self.files.iter().any(|g| g.matches(Path::new(&f.file))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_below_their_folder() {
        let base = Path::new("/work/repo");
        let vendor = Glob::new("vendor/**", base).unwrap();
        assert!(vendor.matches(Path::new("/work/repo/vendor/chart/a.yaml")));
        assert!(!vendor.matches(Path::new("/work/repo/k8s/a.yaml")));
        let generated = Glob::new("**/*.generated.yaml", base).unwrap();
        assert!(generated.matches(Path::new("/work/repo/k8s/x/a.generated.yaml")));
        assert!(generated.matches(Path::new("/work/repo/a.generated.yaml")));
        assert!(!generated.matches(Path::new("/work/repo/a.yaml")));
        let one = Glob::new("k8s/?.yaml", base).unwrap();
        assert!(one.matches(Path::new("/work/repo/k8s/a.yaml")) && !one.matches(Path::new("/work/repo/k8s/ab.yaml")));
    }

    #[test]
    fn dates() {
        assert_eq!(Date::from_days(0), Date(1970, 1, 1));
        assert_eq!(Date::from_days(20_785), Date(2026, 11, 28));
        assert_eq!(Date::from_days(11_016), Date(2000, 2, 29));
        assert_eq!(Date::parse("2027-06-30"), Some(Date(2027, 6, 30)));
        assert_eq!(Date::parse("2027-13-01"), None);
        assert!(Date(2027, 6, 30) < Date(2027, 7, 1));
    }
}
