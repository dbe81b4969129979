//! Named conditions (`define`) and example objects (`fixtures`) that policy files share.
//!
//! A document without an `id` that holds `define` and/or `fixtures` is a definitions
//! document. Its conditions are compiled once, when the policies are loaded, and a condition
//! names one with `{use: name}`; a test case starts from a fixture with `{fixture: name, …}`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, OnceLock};

use super::condition::Named;
use super::load::Loader;
use crate::decode::Decoder;
use crate::decode::PolicyError;
use crate::document::{parse_stream, Limits, Node, Source, Span, Value};

/// Compiled definitions: conditions by name and fixtures by name.
#[derive(Clone, Debug, Default)]
pub struct Definitions {
    /// Conditions by name (`use: name`).
    pub conditions: BTreeMap<String, Arc<Named>>,
    /// Fixtures by name (`fixture: name`).
    pub fixtures: BTreeMap<String, Node>,
    /// Shared parameters: name → (description, default). A definition reads them as
    /// `{param: name}`, and a policy that uses such a definition has them as its own.
    pub params: BTreeMap<String, (String, Node)>,
    /// Names defined with a mistake (reported where they are defined): a use of one fails
    /// without repeating it.
    pub broken: BTreeSet<String>,
    /// Where each name is defined (`file:line`) and as what, for duplicate names.
    origins: BTreeMap<String, (String, Node)>,
}

/// How many conditions a definition, or a policy, may hold once its uses are counted: uses
/// share one compiled definition, but each is evaluated, so a few lines that use definitions
/// that use others twice over must not stand for millions of tests.
pub(crate) const MAX_SIZE: usize = 100_000;

/// True for a document that holds definitions rather than a policy.
pub(crate) fn is_definitions(node: &Node) -> bool {
    node.get("id").is_none()
        && (node.get("define").is_some() || node.get("fixtures").is_some() || node.get("params").is_some())
}

/// The definitions of the built-in packs, read once.
pub fn builtin_definitions() -> &'static (Arc<Definitions>, Vec<PolicyError>) {
    static BUILTIN: OnceLock<(Arc<Definitions>, Vec<PolicyError>)> = OnceLock::new();
    BUILTIN.get_or_init(|| {
        let sources: Vec<Source> = super::builtin_files()
            .iter()
            .map(|(name, text)| Source::new(format!("builtin:{name}"), *text))
            .collect();
        let (defs, errors) = load_definitions(&Definitions::default(), &sources);
        (Arc::new(defs), errors)
    })
}

/// A raw definition: the source it comes from, its name's node and its condition's node.
struct Raw {
    source: usize,
    key: Node,
    value: Node,
}

/// Reads the definitions documents of `sources` on top of `base`. Every condition is
/// compiled once, in an order where a definition comes after those it uses; unknown names
/// and cycles are reported where they are written.
pub fn load_definitions(base: &Definitions, sources: &[Source]) -> (Definitions, Vec<PolicyError>) {
    let mut out = base.clone();
    let mut errors = Vec::new();
    let mut raw: BTreeMap<String, Raw> = BTreeMap::new();
    let mut order_written: Vec<String> = Vec::new();
    // Fixtures written as changes of another fixture: `{fixture: base, flags: …}`.
    let mut derived: BTreeMap<String, Raw> = BTreeMap::new();
    for (index, source) in sources.iter().enumerate() {
        // Only a file that names `define` or `fixtures` can hold a definitions document:
        // the others (most policy files) are not parsed twice.
        if !(source.text.contains("define") || source.text.contains("fixtures")) {
            continue;
        }
        let mut decoder = Decoder::new(source);
        // Syntax errors are the policy loader's to report (it reads the same files).
        for doc in parse_stream(&source.text, &Limits::default()) {
            let Ok(node) = doc.result else { continue };
            if !is_definitions(&node) {
                continue;
            }
            let Some(f) = decoder.fields(&node, "a definitions document", &["define", "fixtures", "params"]) else {
                continue;
            };
            if let Some(map) = f.get("params") {
                shared_params(&mut decoder, map, &mut out);
            }
            for (key, what) in [("define", "`define`"), ("fixtures", "`fixtures`")] {
                let Some(map) = f.get(key) else { continue };
                let Some(entries) = map.as_map() else {
                    decoder.error(
                        map,
                        format!(
                            "{what} must be a map of names to {}",
                            if key == "define" {
                                "conditions"
                            } else {
                                "example objects"
                            }
                        ),
                    );
                    continue;
                };
                for (k, v) in entries {
                    let name = k.as_str().unwrap_or_default().to_owned();
                    let valid = !name.is_empty()
                        && name
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
                    if !valid {
                        decoder.error(k, format!("the name `{name}` must be lowercase words joined by `-`"));
                        continue;
                    }
                    let here = format!("{}:{}", source.name, source.position(k.span.start).line);
                    let origin_key = format!("{key}/{name}");
                    if let Some((first, written)) = out.origins.get(&origin_key) {
                        // The same file read again (a built-in one loaded on its own) is no conflict.
                        if !written.same_value(v) {
                            decoder.error(
                                k,
                                format!("`{name}` is already defined at {first}; names must be unique"),
                            );
                        }
                        continue;
                    }
                    out.origins.insert(origin_key, (here, v.clone()));
                    if key == "define" {
                        order_written.push(name.clone());
                        raw.insert(
                            name,
                            Raw {
                                source: index,
                                key: k.clone(),
                                value: v.clone(),
                            },
                        );
                    } else if v.get("fixture").is_some() && v.get("kind").is_none() {
                        derived.insert(
                            name,
                            Raw {
                                source: index,
                                key: k.clone(),
                                value: v.clone(),
                            },
                        );
                    } else {
                        out.fixtures.insert(name, v.clone());
                    }
                }
            }
        }
        errors.append(&mut decoder.errors);
    }
    resolve_fixtures(&mut out, derived, sources, &mut errors);
    let order = compile_order(&order_written, &raw, sources, &mut out.broken, &mut errors);
    for name in order {
        let Some(r) = raw.get(&name) else { continue };
        let Some(source) = sources.get(r.source) else { continue };
        let (compiled, mut errs, params) = {
            let mut loader = Loader::for_definitions(source, &out);
            let c = loader.condition(&r.value);
            (
                c,
                std::mem::take(&mut loader.decoder.errors),
                loader.shared_params_read(),
            )
        };
        // A mistake anywhere in it (even one a list left out) makes the definition unusable.
        let compiled = compiled.filter(|_| errs.is_empty());
        errors.append(&mut errs);
        match compiled {
            Some(c) if c.size() > MAX_SIZE => {
                if let Some(source) = sources.get(r.source) {
                    let mut d = Decoder::new(source);
                    d.error(
                        &r.key,
                        format!(
                            "the definition `{name}` holds more than {MAX_SIZE} conditions once its uses are counted"
                        ),
                    );
                    errors.append(&mut d.errors);
                }
                out.broken.insert(name);
            }
            Some(c) => {
                let size = c.size();
                let origin = (!params.is_empty())
                    .then(|| Arc::new((Source::new(source.name.clone(), source.text.clone()), r.value.clone())));
                out.conditions.insert(
                    name.clone(),
                    Arc::new(Named {
                        name,
                        size,
                        condition: c,
                        params,
                        origin,
                    }),
                );
            }
            None => {
                out.broken.insert(name);
            }
        }
    }
    (out, errors)
}

/// Reads `params: {name: {default: …, description: …}}` of a definitions document.
fn shared_params(decoder: &mut Decoder<'_>, map: &Node, out: &mut Definitions) {
    let Some(entries) = map.as_map() else {
        decoder.error(
            map,
            "`params` must be a map of parameter names to `{default: …, description: …}`",
        );
        return;
    };
    for (k, v) in entries {
        let name = k.as_str().unwrap_or_default().to_owned();
        let valid = name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && name.chars().all(|c| c.is_ascii_alphanumeric());
        if !valid {
            decoder.error(
                k,
                format!("the parameter name `{name}` must be a word in camelCase, like `systemUsers`"),
            );
            continue;
        }
        let Some(f) = decoder.fields(v, "a parameter", &["default", "description"]) else {
            continue;
        };
        let Some(default) = decoder.required(&f, v, "default", "a parameter").cloned() else {
            continue;
        };
        let description = f
            .get("description")
            .and_then(|d| decoder.string(d, "`description`"))
            .unwrap_or_default();
        let origin_key = format!("params/{name}");
        if let Some((first, written)) = out.origins.get(&origin_key) {
            if !written.same_value(v) {
                decoder.error(
                    k,
                    format!("`{name}` is already defined at {first}; names must be unique"),
                );
            }
            continue;
        }
        let here = format!("{}:{}", decoder.source.name, decoder.source.position(k.span.start).line);
        out.origins.insert(origin_key, (here, v.clone()));
        out.params.insert(name, (description, default));
    }
}

/// Builds the fixtures that start from other fixtures, each after the one it starts from
/// (following each chain without recursion); a fixture that starts from itself is reported.
fn resolve_fixtures(
    out: &mut Definitions,
    mut derived: BTreeMap<String, Raw>,
    sources: &[Source],
    errors: &mut Vec<PolicyError>,
) {
    let base_of = |r: &Raw| r.value.get("fixture").and_then(Node::as_str).map(str::to_owned);
    let names: Vec<String> = derived.keys().cloned().collect();
    for name in names {
        let mut chain = vec![name.clone()];
        let mut current = derived.get(&name).and_then(base_of);
        while let Some(base) = current {
            if chain.contains(&base) {
                if let Some(r) = derived.get(&name) {
                    if let Some(source) = sources.get(r.source) {
                        let mut d = Decoder::new(source);
                        d.error(
                            &r.key,
                            format!("the fixture `{name}` starts from itself (through `{base}`)"),
                        );
                        errors.append(&mut d.errors);
                    }
                }
                for n in &chain {
                    derived.remove(n);
                }
                chain.clear();
                break;
            }
            match derived.get(&base) {
                Some(r) => {
                    current = base_of(r);
                    chain.push(base);
                }
                None => break,
            }
        }
        for n in chain.iter().rev() {
            let Some(r) = derived.remove(n) else { continue };
            let Some(source) = sources.get(r.source) else { continue };
            let (built, mut errs) = {
                let mut loader = Loader::for_definitions(source, out);
                let built = loader.derived_fixture(&r.value);
                (built, std::mem::take(&mut loader.decoder.errors))
            };
            let built = built.filter(|_| errs.is_empty());
            errors.append(&mut errs);
            if let Some(object) = built {
                out.fixtures.insert(n.clone(), object);
            }
        }
    }
}

/// The names `use`d inside a condition's node.
fn uses(node: &Node, out: &mut Vec<String>) {
    match &node.value {
        Value::Map(entries) => {
            for (k, v) in entries {
                match (k.as_str(), v.as_str()) {
                    (Some("use"), Some(name)) => out.push(name.to_owned()),
                    _ => uses(v, out),
                }
            }
        }
        Value::Seq(items) => items.iter().for_each(|i| uses(i, out)),
        _ => {}
    }
}

/// The definitions in an order where each comes after those it uses (depth first, without
/// recursion); the members of a cycle are reported and left out.
fn compile_order(
    names: &[String],
    raw: &BTreeMap<String, Raw>,
    sources: &[Source],
    broken: &mut BTreeSet<String>,
    errors: &mut Vec<PolicyError>,
) -> Vec<String> {
    let deps: BTreeMap<&str, Vec<String>> = raw
        .iter()
        .map(|(n, r)| {
            let mut found = Vec::new();
            uses(&r.value, &mut found);
            (n.as_str(), found)
        })
        .collect();
    // 1: on the current path; 2: done.
    let mut state: BTreeMap<String, u8> = BTreeMap::new();
    let mut order = Vec::new();
    for root in names {
        if state.contains_key(root) {
            continue;
        }
        state.insert(root.clone(), 1);
        let mut stack: Vec<(String, usize)> = vec![(root.clone(), 0)];
        while let Some((name, next)) = stack.last_mut() {
            let dep = deps.get(name.as_str()).and_then(|d| d.get(*next)).cloned();
            *next += 1;
            let name = name.clone();
            let Some(dep) = dep else {
                state.insert(name.clone(), 2);
                order.push(name);
                stack.pop();
                continue;
            };
            if !raw.contains_key(&dep) {
                continue;
            }
            match state.get(&dep) {
                None => {
                    state.insert(dep.clone(), 1);
                    stack.push((dep, 0));
                }
                Some(1) => {
                    let from = stack.iter().position(|(n, _)| *n == dep).unwrap_or_default();
                    let mut cycle: Vec<String> = stack.iter().skip(from).map(|(n, _)| format!("`{n}`")).collect();
                    cycle.push(format!("`{dep}`"));
                    for (n, _) in stack.iter().skip(from) {
                        broken.insert(n.clone());
                    }
                    if let Some(r) = raw.get(&dep) {
                        if let Some(source) = sources.get(r.source) {
                            let mut d = Decoder::new(source);
                            d.error(
                                &r.key,
                                format!("the definition `{dep}` uses itself: {}", cycle.join(" → ")),
                            );
                            errors.append(&mut d.errors);
                        }
                    }
                }
                Some(_) => {}
            }
        }
    }
    order.retain(|n| !broken.contains(n));
    order
}

/// The first container of an object's pod spec (a pod, a template, a cron job's template).
fn first_container(object: &mut Node) -> Option<&mut Node> {
    const SPECS: [&[&str]; 3] = [
        &["spec"],
        &["spec", "template", "spec"],
        &["spec", "jobTemplate", "spec", "template", "spec"],
    ];
    let keys = SPECS
        .iter()
        .find(|keys| object.get_path(keys).and_then(|s| s.get("containers")).is_some())?;
    let mut node = object;
    for key in keys.iter().chain(&["containers"]) {
        node = get_mut(node, key)?;
    }
    match &mut node.value {
        Value::Seq(items) => items.first_mut(),
        _ => None,
    }
}

fn get_mut<'a>(node: &'a mut Node, key: &str) -> Option<&'a mut Node> {
    match &mut node.value {
        Value::Map(entries) => entries
            .iter_mut()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v),
        _ => None,
    }
}

/// Applies a JSON merge patch (RFC 7386): maps merge, `null` removes a key, anything else
/// replaces the value.
pub(crate) fn merge_patch(target: &mut Node, patch: &Node) {
    let Some(entries) = patch.as_map() else {
        *target = patch.clone();
        return;
    };
    if target.as_map().is_none() {
        *target = Node::new(Value::Map(Vec::new()), patch.span);
    }
    for (k, v) in entries {
        let Value::Map(existing) = &mut target.value else {
            return;
        };
        let at = existing.iter().position(|(ek, _)| ek.as_str() == k.as_str());
        match (at, v.is_null()) {
            (Some(i), true) => {
                existing.remove(i);
            }
            (None, true) => {}
            (Some(i), false) => {
                if let Some((_, old)) = existing.get_mut(i) {
                    merge_patch(old, v);
                }
            }
            (None, false) => {
                let mut fresh = Node::new(Value::Null, v.span);
                merge_patch(&mut fresh, v);
                existing.push((k.clone(), fresh));
            }
        }
    }
}

/// Replaces `remove` items of the list at the dotted `path` from index `at` by `insert`.
pub(crate) fn splice(object: &mut Node, path: &str, at: usize, remove: usize, insert: Vec<Node>) -> Result<(), String> {
    let mut node = object;
    for key in path.split('.') {
        node = get_mut(node, key).ok_or_else(|| format!("the fixture has no `{path}` to splice"))?;
    }
    let Value::Seq(items) = &mut node.value else {
        return Err(format!("`{path}` of the fixture is not a list"));
    };
    let end = at.checked_add(remove).filter(|e| *e <= items.len()).ok_or_else(|| {
        format!(
            "`{path}` of the fixture has {} items; it cannot lose {remove} from index {at}",
            items.len()
        )
    })?;
    items.splice(at..end, insert);
    Ok(())
}

/// The flag a command-line word sets: `--name` of `--name=value`.
fn flag_name(word: &str) -> &str {
    word.split_once('=').map_or(word, |(n, _)| n)
}

/// Removes every word `--name` and `--name=…` of these flags from the first container's
/// `command` and `args`.
pub(crate) fn remove_flags(object: &mut Node, names: &[String]) -> bool {
    let Some(container) = first_container(object) else {
        return false;
    };
    for key in ["command", "args"] {
        if let Some(Node {
            value: Value::Seq(words),
            ..
        }) = get_mut(container, key)
        {
            words.retain(|w| !w.as_str().is_some_and(|s| names.iter().any(|n| flag_name(s) == n)));
        }
    }
    true
}

/// Sets flags on the first container: each entry (its words: `--name=value`, or `--name`
/// and a value) replaces the first word that sets the same flag, or else is appended to
/// `args` (to `command` when the container has no `args`).
pub(crate) fn set_flags(object: &mut Node, entries: &[Vec<Node>]) -> bool {
    let Some(container) = first_container(object) else {
        return false;
    };
    for words in entries {
        let Some(name) = words.first().and_then(Node::as_str).map(|w| flag_name(w).to_owned()) else {
            continue;
        };
        let mut done = false;
        for key in ["command", "args"] {
            if done {
                break;
            }
            if let Some(Node {
                value: Value::Seq(list),
                ..
            }) = get_mut(container, key)
            {
                if let Some(i) = list
                    .iter()
                    .position(|w| w.as_str().is_some_and(|s| flag_name(s) == name))
                {
                    list.splice(i..=i, words.iter().cloned());
                    done = true;
                }
            }
        }
        if done {
            continue;
        }
        let key = if container.get("args").is_some() {
            "args"
        } else {
            "command"
        };
        if get_mut(container, key).is_none() {
            if let Value::Map(e) = &mut container.value {
                e.push((
                    Node::new(Value::Str(key.to_owned()), Span::default()),
                    Node::new(Value::Seq(Vec::new()), Span::default()),
                ));
            }
        }
        if let Some(Node {
            value: Value::Seq(list),
            ..
        }) = get_mut(container, key)
        {
            list.extend(words.iter().cloned());
        }
    }
    true
}

/// Patches the first container.
pub(crate) fn patch_container(object: &mut Node, patch: &Node) -> bool {
    match first_container(object) {
        Some(c) => {
            merge_patch(c, patch);
            true
        }
        None => false,
    }
}

/// Gives an assembled object spans in document order, each inside its parent's, as if it
/// had been read from one file (so that "comes before" means what it says).
pub(crate) fn respan(node: &mut Node, next: &mut usize) {
    let start = *next;
    *next += 1;
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|i| respan(i, next)),
        Value::Map(entries) => {
            for (k, v) in entries {
                respan(k, next);
                respan(v, next);
            }
        }
        _ => {}
    }
    node.span = Span::new(start, *next);
    *next += 1;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{load_policies, ParamOverrides};

    fn errors_of(text: &str) -> String {
        let (_, errors) = load_policies(&Source::new("p.yaml", text), &ParamOverrides::new());
        errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
    }

    const POLICY: &str = "id: t/x\ntitle: t\nseverity: low\ndocs: {why: w, fix: f}\nmatch: {pods: true}\nrules:\n  - each: containers\n    when: {use: COND}\n    deny: {flag: --a, present: false}\n    message: m\ntests: {pass: [{kind: Pod}], fail: [{kind: Pod}]}\n";

    #[test]
    fn a_policy_uses_a_definition_of_its_file_or_a_builtin_one() {
        let own = format!(
            "define: {{runs-app: {{path: 'command[0]', equals: app}}}}\n---\n{}",
            POLICY.replace("COND", "runs-app")
        );
        let (policies, errors) = load_policies(&Source::new("p.yaml", own), &ParamOverrides::new());
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(policies.len(), 1);
        let builtin = POLICY.replace("COND", "kube-apiserver");
        assert_eq!(errors_of(&builtin), "");
    }

    #[test]
    fn unknown_names_cycles_and_duplicates_are_reported_where_written() {
        let all = errors_of(&POLICY.replace("COND", "kube-apiservr"));
        assert!(
            all.contains("p.yaml:8:17: no definition `kube-apiservr`; did you mean `kube-apiserver`?"),
            "{all}"
        );
        let cycle = format!(
            "define:\n  a: {{use: b}}\n  b: {{any: [{{use: a}}]}}\n---\n{}",
            POLICY.replace("COND", "a")
        );
        let all = errors_of(&cycle);
        assert!(
            all.contains("p.yaml:2:3: the definition `a` uses itself: `a` → `b` → `a`"),
            "{all}"
        );
        assert!(all.contains("the definition `a` has a mistake"), "{all}");
        let twice = "define: {shell: {path: image, equals: x}}\nfixtures: {f: {kind: Pod}, g: 3}\n";
        let all = errors_of(twice);
        assert!(
            all.contains("p.yaml:1:10: `shell` is already defined at builtin:control-plane/_definitions.yaml"),
            "{all}"
        );
        let bad = "define: {Bad_Name: {path: x, present: true}, c: {path: x, equalz: 1}}\n";
        let all = errors_of(bad);
        assert!(all.contains("the name `Bad_Name` must be lowercase"), "{all}");
        assert!(
            all.contains("unknown field `equalz` in a condition; did you mean `equals`?"),
            "{all}"
        );
    }

    #[test]
    fn a_long_chain_of_definitions_compiles_without_recursion() {
        let mut text = String::from("define:\n  d0: {path: x, present: true}\n");
        for i in 1..3000 {
            text.push_str(&format!("  d{i}: {{use: d{}}}\n", i - 1));
        }
        let (defs, errors) = load_definitions(&Definitions::default(), &[Source::new("d.yaml", text)]);
        assert!(errors.is_empty(), "{errors:?}");
        assert!(defs.conditions.contains_key("d2999"));
    }

    #[test]
    fn definitions_that_double_at_each_step_are_stopped() {
        let mut text = String::from("define:\n  d0: {path: x, present: true}\n");
        for i in 1..60 {
            text.push_str(&format!("  d{i}: {{all: [{{use: d{p}}}, {{use: d{p}}}]}}\n", p = i - 1));
        }
        let started = std::time::Instant::now();
        let (defs, errors) = load_definitions(&Definitions::default(), &[Source::new("d.yaml", text)]);
        assert!(started.elapsed().as_secs() < 5);
        let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown.first().map(String::as_str),
            Some("d.yaml:18:3: the definition `d16` holds more than 100000 conditions once its uses are counted")
        );
        assert_eq!(defs.conditions.get("d15").map(|n| n.size), Some(65_535));
        assert!(defs.broken.contains("d59"));
    }

    #[test]
    fn a_fixture_may_start_from_another_but_not_from_itself() {
        let text = "fixtures:\n  c: {fixture: b, flags: [--z=1]}\n  b: {fixture: a, without: [--x]}\n  a: {kind: Pod, spec: {containers: [{name: a, command: [app, --x=1]}]}}\n  d: {fixture: e}\n  e: {fixture: d}\n";
        let (defs, errors) = load_definitions(&Definitions::default(), &[Source::new("f.yaml", text)]);
        let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["f.yaml:5:3: the fixture `d` starts from itself (through `d`)"]);
        let c = defs.fixtures.get("c").map(Node::to_json).unwrap_or_default();
        assert_eq!(
            c.to_string(),
            r#"{"kind":"Pod","spec":{"containers":[{"command":["app","--z=1"],"name":"a"}]}}"#
        );
    }

    #[test]
    fn splice_edits_a_list_and_says_when_it_cannot() {
        let doc = parse_stream("{rules: [a, b, c]}", &Limits::default());
        let Some(Ok(mut object)) = doc.into_iter().next().map(|d| d.result) else {
            panic!("unreadable");
        };
        let item = Node::new(Value::Str("x".into()), Span::default());
        assert_eq!(splice(&mut object, "rules", 1, 1, vec![item]), Ok(()));
        assert_eq!(object.to_json().to_string(), r#"{"rules":["a","x","c"]}"#);
        assert_eq!(
            splice(&mut object, "rules", 2, 2, Vec::new()),
            Err("`rules` of the fixture has 3 items; it cannot lose 2 from index 2".into())
        );
        assert_eq!(
            splice(&mut object, "rules.x", 0, 0, Vec::new()),
            Err("the fixture has no `rules.x` to splice".into())
        );
    }

    #[test]
    fn fixtures_change_only_what_an_example_is_about() {
        let text = "fixtures:\n  app: {kind: Pod, spec: {containers: [{name: a, command: [app, --x=1, --y=2], args: [--z=3]}]}}\n";
        let (defs, errors) = load_definitions(&Definitions::default(), &[Source::new("f.yaml", text)]);
        assert!(errors.is_empty(), "{errors:?}");
        let mut object = defs
            .fixtures
            .get("app")
            .cloned()
            .unwrap_or_else(|| Node::new(Value::Null, Span::default()));
        let word = |s: &str| Node::new(Value::Str(s.to_owned()), Span::default());
        assert!(remove_flags(&mut object, &["--y".to_owned()]));
        assert!(set_flags(
            &mut object,
            &[vec![word("--x"), word("5")], vec![word("--w=4")]]
        ));
        let patch = parse_stream("{metadata: {name: b}, kind: null}", &Limits::default());
        if let Some(Ok(p)) = patch.into_iter().next().map(|d| d.result) {
            merge_patch(&mut object, &p);
        }
        assert_eq!(
            object.to_json().to_string(),
            r#"{"metadata":{"name":"b"},"spec":{"containers":[{"args":["--z=3","--w=4"],"command":["app","--x","5"],"name":"a"}]}}"#
        );
    }
}
