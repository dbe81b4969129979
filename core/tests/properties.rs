#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
//! Properties that hold for any input: no panic, spans inside the source, pointers that
//! resolve, deterministic and order-independent results, YAML and JSON alike,
//! suppressions that only hide what they name, and YAML that decodes to the value it spells
//! (styles, tags, anchors and aliases) within the alias limit.

use std::collections::BTreeSet;

use proptest::prelude::*;
use rempart::{Engine, Options, Source};
use serde_json::{json, Value};

fn engine() -> &'static Engine {
    static ENGINE: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
    ENGINE.get_or_init(|| Engine::new(&Options::default()).unwrap_or_else(|e| panic!("{e}")))
}

/// Text made of YAML's punctuation and Kubernetes words, to reach odd parser states.
fn yamlish() -> impl Strategy<Value = String> {
    let atoms = prop::sample::select(vec![
        "apiVersion: v1\n",
        "kind: Pod\n",
        "kind: List\n",
        "items:\n",
        "metadata:\n",
        "  name: x\n",
        "spec:\n",
        "  containers:\n",
        "  - name: a\n",
        "    image: x:latest\n",
        "    securityContext: {privileged: yes}\n",
        "---\n",
        "...\n",
        "- ",
        ": ",
        "[",
        "]",
        "{",
        "}",
        ",",
        "&a ",
        "*a ",
        "<<: ",
        "!!str ",
        "|\n",
        ">-\n",
        "'",
        "\"",
        "#",
        "\t",
        "\n",
        "  ",
        "é",
        "☕",
        "\r\n",
        "%YAML 1.1\n",
        "? ",
        "0644",
        "yes",
        "~",
        "k:\n  v: 'a\n b'\n",
        "    - \"q\n x\"\n",
        "!!binary ",
        "!<tag:yaml.org,2002:int> ",
        "!foo ",
        "%TAG !e! tag:yaml.org,2002:\n",
        "!e!bool ",
    ]);
    prop::collection::vec(atoms, 0..60).prop_map(|v| v.concat())
}

fn security_context() -> impl Strategy<Value = Value> {
    (
        prop::option::of(any::<bool>()),
        prop::option::of(prop::sample::select(vec![
            "Unconfined",
            "RuntimeDefault",
            "Localhost",
            "",
        ])),
        prop::collection::vec(
            prop::sample::select(vec!["NET_ADMIN", "CHOWN", "NET_BIND_SERVICE", "SYS_ADMIN", "ALL"]),
            0..3,
        ),
        prop::option::of(prop::sample::select(vec![0i64, 1000, 10001])),
        prop::option::of(any::<bool>()),
    )
        .prop_map(|(privileged, seccomp, caps, user, non_root)| {
            let mut sc = serde_json::Map::new();
            if let Some(p) = privileged {
                sc.insert("privileged".into(), json!(p));
            }
            if let Some(t) = seccomp {
                sc.insert("seccompProfile".into(), json!({"type": t}));
            }
            if !caps.is_empty() {
                sc.insert("capabilities".into(), json!({"add": caps, "drop": ["ALL"]}));
            }
            if let Some(u) = user {
                sc.insert("runAsUser".into(), json!(u));
            }
            if let Some(n) = non_root {
                sc.insert("runAsNonRoot".into(), json!(n));
            }
            Value::Object(sc)
        })
}

fn container() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(vec!["app", "side", "init"]),
        prop::sample::select(vec!["nginx", "nginx:latest", "nginx:1.27", "r.io/a@sha256:00"]),
        prop::option::of(security_context()),
        prop::option::of(prop::sample::select(vec![0i64, 80, 8080])),
    )
        .prop_map(|(name, image, sc, host_port)| {
            let mut c = json!({"name": name, "image": image});
            if let Some(sc) = sc {
                c["securityContext"] = sc;
            }
            if let Some(p) = host_port {
                c["ports"] = json!([{"containerPort": 80, "hostPort": p}]);
            }
            c
        })
}

/// A Pod or workload with random security-relevant fields.
fn object() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(vec!["Pod", "Deployment", "CronJob", "ConfigMap"]),
        "[a-z]{1,8}",
        prop::collection::vec(container(), 0..3),
        prop::option::of(any::<bool>()),
        prop::option::of(security_context()),
        prop::collection::vec(prop::sample::select(vec!["hostPath", "emptyDir", "nfs", "secret"]), 0..3),
    )
        .prop_map(|(kind, name, containers, host_network, pod_sc, volumes)| {
            let volumes: Vec<Value> =
                volumes.iter().enumerate().map(|(i, t)| json!({"name": format!("v{i}"), *t: {"path": "/"}})).collect();
            let mut spec = json!({"containers": containers, "volumes": volumes});
            if let Some(h) = host_network {
                spec["hostNetwork"] = json!(h);
            }
            if let Some(sc) = pod_sc {
                spec["securityContext"] = sc;
            }
            let pod = json!({"metadata": {"labels": {"app": name}}, "spec": spec});
            match kind {
                "Pod" => json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": pod["spec"]}),
                "Deployment" => json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name}, "spec": {"template": pod}}),
                "CronJob" => json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": name}, "spec": {"jobTemplate": {"spec": {"template": pod}}}}),
                _ => json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"k": "v"}}),
            }
        })
}

/// Block-style YAML for a JSON value (test helper; scalars are written as JSON, which YAML reads).
fn to_yaml(v: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, val) in m {
                out.push_str(&format!("{pad}{}:", serde_json::to_string(k).unwrap_or_default()));
                match val {
                    Value::Object(x) if !x.is_empty() => {
                        out.push('\n');
                        to_yaml(val, indent + 2, out);
                    }
                    Value::Array(x) if !x.is_empty() => {
                        out.push('\n');
                        to_yaml(val, indent, out);
                    }
                    _ => out.push_str(&format!(" {val}\n")),
                }
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for item in items {
                out.push_str(&format!("{pad}-\n"));
                to_yaml(item, indent + 2, out);
            }
        }
        other => out.push_str(&format!("{pad}{other}\n")),
    }
}

fn yaml_stream(objects: &[Value]) -> String {
    objects
        .iter()
        .map(|o| {
            let mut s = String::new();
            to_yaml(o, 0, &mut s);
            s
        })
        .collect::<Vec<_>>()
        .join("---\n")
}

/// What a finding says, without where it stands in the text.
fn essence(report: &rempart::Report) -> BTreeSet<(String, Option<String>, String, String)> {
    report
        .findings
        .iter()
        .map(|f| {
            (
                f.policy.clone(),
                f.object.name.clone(),
                f.path.clone(),
                f.message.clone(),
            )
        })
        .collect()
}

fn check_places(text: &str, report: &rempart::Report, objects: &[Value]) -> Result<(), TestCaseError> {
    for f in &report.findings {
        prop_assert!(
            f.span.start.offset <= f.span.end.offset && f.span.end.offset <= text.len(),
            "span outside: {f:?}"
        );
        prop_assert!(text.is_char_boundary(f.span.start.offset) && text.is_char_boundary(f.span.end.offset));
        let doc = objects
            .get(f.document)
            .ok_or_else(|| TestCaseError::fail("bad document index"))?;
        prop_assert!(
            doc.pointer(&f.path).is_some(),
            "pointer {} does not resolve in {doc}",
            f.path
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics_and_spans_stay_inside(text in yamlish()) {
        let report = engine().scan_source(&Source::new("fuzz.yaml", text.clone()));
        for f in &report.findings {
            prop_assert!(f.span.end.offset <= text.len());
        }
        for e in &report.errors {
            if let Some(s) = e.span {
                prop_assert!(s.end.offset <= text.len() && s.start.line >= 1 && s.start.column >= 1);
            }
        }
    }

    #[test]
    fn findings_point_at_real_nodes_and_do_not_depend_on_order(objects in prop::collection::vec(object(), 1..4)) {
        let text = yaml_stream(&objects);
        let first = engine().scan_source(&Source::new("a.yaml", text.clone()));
        prop_assert!(first.errors.is_empty(), "{:?}\n{text}", first.errors);
        check_places(&text, &first, &objects)?;
        // Deterministic.
        prop_assert_eq!(&first, &engine().scan_source(&Source::new("a.yaml", text.clone())));
        // Independent of document order and of file order.
        let reversed: Vec<Value> = objects.iter().rev().cloned().collect();
        let second = engine().scan_source(&Source::new("a.yaml", yaml_stream(&reversed)));
        prop_assert_eq!(essence(&first), essence(&second));
        let split: Vec<Source> = objects.iter().map(|o| Source::new("a.yaml", yaml_stream(std::slice::from_ref(o)))).rev().collect();
        prop_assert_eq!(essence(&first), essence(&engine().scan(&split)));
    }

    #[test]
    fn yaml_and_json_give_the_same_findings(objects in prop::collection::vec(object(), 1..3)) {
        let yaml = engine().scan_source(&Source::new("a.yaml", yaml_stream(&objects)));
        let json_text = objects.iter().map(Value::to_string).collect::<Vec<_>>().join("\n---\n");
        let json = engine().scan_source(&Source::new("a.yaml", json_text.clone()));
        check_places(&json_text, &json, &objects)?;
        prop_assert_eq!(essence(&yaml), essence(&json));
    }

    #[test]
    fn the_editor_cache_gives_the_findings_of_a_fresh_scan(
        objects in prop::collection::vec(object(), 1..5),
        edits in prop::collection::vec((0usize..6, object(), any::<bool>()), 1..5),
    ) {
        let mut cache = rempart::engine::EditorCache::default();
        let mut current = objects;
        let mut header = String::new();
        let source = Source::new("edit.yaml", yaml_stream(&current));
        prop_assert_eq!(engine().scan_with_cache(&source, &mut cache), engine().scan_source(&source));
        for (at, replacement, shift_lines) in edits {
            if at < current.len() {
                current[at] = replacement;
            } else {
                current.insert(0, replacement);
            }
            if shift_lines {
                header.push_str("# a line added above\n");
            }
            let source = Source::new("edit.yaml", format!("{header}{}", yaml_stream(&current)));
            prop_assert_eq!(engine().scan_with_cache(&source, &mut cache), engine().scan_source(&source));
        }
    }

    #[test]
    fn a_suppression_hides_only_its_policy(object in object()) {
        let plain = engine().scan_source(&Source::new("a.yaml", yaml_stream(std::slice::from_ref(&object))));
        let Some(target) = plain.findings.first().map(|f| f.policy.clone()) else { return Ok(()) };
        let mut annotated = object.clone();
        annotated["metadata"]["annotations"] = json!({"rempart.io/suppress": format!("{target}: accepted risk")});
        let silenced = engine().scan_source(&Source::new("a.yaml", yaml_stream(std::slice::from_ref(&annotated))));
        prop_assert!(silenced.findings.iter().all(|f| f.policy != target));
        let others = |r: &rempart::Report| r.findings.iter().filter(|f| f.policy != target).map(|f| (f.policy.clone(), f.path.clone())).collect::<BTreeSet<_>>();
        prop_assert_eq!(others(&plain), others(&silenced));
        prop_assert!(silenced.summary.suppressed > 0);
    }
}

/// A value tree for the decoding property: what Kubernetes must read back.
#[derive(Clone, Debug)]
enum Tree {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Tree>),
    Map(Vec<(String, Tree)>),
}

impl Tree {
    /// The reference decoding: the JSON value the generator means.
    fn json(&self) -> Value {
        match self {
            Tree::Null => Value::Null,
            Tree::Bool(b) => json!(b),
            Tree::Int(i) => json!(i),
            Tree::Float(f) => json!(f),
            Tree::Str(s) => json!(s),
            Tree::Seq(items) => Value::Array(items.iter().map(Tree::json).collect()),
            Tree::Map(entries) => Value::Object(entries.iter().map(|(k, v)| (k.clone(), v.json())).collect()),
        }
    }
}

fn text_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "s[a-z0-9]{0,6}",
        "[a-z0-9 :#,'\"\\\\é☕\n\t{}\\[\\]-]{0,12}",
        prop::sample::select(vec![
            "yes",
            "no",
            "on",
            "0644",
            "~",
            "null",
            "<<",
            "1.5",
            "true",
            "",
            " lead",
            "2001-12-14"
        ])
        .prop_map(String::from),
    ]
}

fn key_name() -> impl Strategy<Value = String> {
    prop_oneof!["k[0-3]", "k[a-z0-9]{0,5}", text_value()]
}

fn tree() -> impl Strategy<Value = Tree> {
    let leaf = prop_oneof![
        Just(Tree::Null),
        any::<bool>().prop_map(Tree::Bool),
        (-100_000i64..100_000).prop_map(Tree::Int),
        prop::sample::select(vec![i64::MAX, i64::MIN + 1, 0]).prop_map(Tree::Int),
        (-800i32..800).prop_map(|k| Tree::Float(f64::from(k) / 8.0 + if k == 0 { 0.5 } else { 0.0 })),
        text_value().prop_map(Tree::Str),
    ];
    leaf.prop_recursive(4, 40, 5, |inner| {
        prop_oneof![
            (prop::collection::vec(inner.clone(), 0..5), any::<bool>()).prop_map(|(mut items, twice)| {
                // A repeated subtree, for aliases to copy.
                if let (true, Some(first)) = (twice, items.first().cloned()) {
                    items.push(first);
                }
                Tree::Seq(items)
            }),
            prop::collection::vec((key_name(), inner), 0..5).prop_map(|entries| {
                let mut seen = BTreeSet::new();
                Tree::Map(entries.into_iter().filter(|(k, _)| seen.insert(k.clone())).collect())
            }),
        ]
    })
}

/// Renders trees as YAML, each choice (style, tag form, anchor, alias) drawn from `choices`.
struct Render {
    choices: Vec<u8>,
    at: usize,
    out: String,
    /// Values anchored so far (complete nodes only), by anchor name.
    anchored: Vec<(Value, String)>,
}

impl Render {
    fn pick(&mut self, n: usize) -> usize {
        let c = self
            .choices
            .get(self.at % self.choices.len().max(1))
            .copied()
            .unwrap_or(0);
        self.at += 1;
        usize::from(c) % n
    }

    fn alias_for(&mut self, value: &Value) -> Option<String> {
        let name = self.anchored.iter().find(|(v, _)| v == value).map(|(_, n)| n.clone())?;
        (self.pick(2) == 0).then_some(name)
    }

    fn anchor(&mut self) -> Option<String> {
        (self.pick(5) == 0).then(|| format!("a{}", self.anchored.len() + self.at))
    }

    fn quoted(&mut self, s: &str) -> String {
        let simple = !s.chars().any(char::is_control);
        match self.pick(3) {
            1 if simple => format!("'{}'", s.replace('\'', "''")),
            _ => serde_json::to_string(s).unwrap_or_default(),
        }
    }

    /// A scalar's text, tagged or not, in one of the forms Kubernetes reads the same way.
    fn scalar(&mut self, t: &Tree) -> String {
        let verbatim = |tag: &str, text: String| format!("!<tag:yaml.org,2002:{tag}> {text}");
        match t {
            Tree::Null => match self.pick(5) {
                0 => "null".into(),
                1 => "~".into(),
                2 => "!!null ''".into(),
                3 => verbatim("null", "null".into()),
                _ => "Null".into(),
            },
            Tree::Bool(b) => {
                let words = if *b {
                    ["true", "yes", "on", "True"]
                } else {
                    ["false", "no", "off", "FALSE"]
                };
                match self.pick(6) {
                    4 => format!("!!bool \"{}\"", words[self.pick(4)]),
                    5 => verbatim("bool", format!("'{}'", words[self.pick(4)])),
                    n => words[n].into(),
                }
            }
            Tree::Int(i) => match self.pick(5) {
                0 if *i >= 0 => format!("0x{i:x}"),
                1 if *i >= 0 => format!("0o{i:o}"),
                2 => format!("!!int \"{i}\""),
                3 => verbatim("int", format!("\"{i}\"")),
                _ => i.to_string(),
            },
            Tree::Float(f) => match self.pick(4) {
                0 => format!("!!float \"{f:?}\""),
                1 if f.fract() == 0.0 => format!("!!float {}", *f as i64),
                2 => verbatim("float", format!("'{f:?}'")),
                _ => format!("{f:?}"),
            },
            Tree::Str(s) => {
                let plain = s.starts_with('s') && s.chars().all(|c| c.is_ascii_alphanumeric());
                let binary = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, s.as_bytes());
                match self.pick(6) {
                    0 if plain => s.clone(),
                    1 if plain => format!("!!str {s}"),
                    2 => format!("!!binary {}", if binary.is_empty() { "''".into() } else { binary }),
                    3 => {
                        let q = self.quoted(s);
                        verbatim("str", q)
                    }
                    _ => self.quoted(s),
                }
            }
            Tree::Seq(_) | Tree::Map(_) => String::new(),
        }
    }

    fn key(&mut self, k: &str) -> String {
        let value = json!(k);
        if let Some(name) = self.alias_for(&value) {
            return format!("*{name} ");
        }
        let plain = k.starts_with('k') && k.chars().all(|c| c.is_ascii_alphanumeric());
        let binary = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, k.as_bytes());
        let text = match self.pick(4) {
            0 if plain => k.to_owned(),
            1 if !binary.is_empty() => format!("!!binary {binary}"),
            _ => self.quoted(k),
        };
        match self.anchor() {
            Some(name) => {
                self.anchored.push((value, name.clone()));
                format!("&{name} {text}")
            }
            None => text,
        }
    }

    /// Properties (anchor, tag) of a collection; the anchor is recorded by the caller once the
    /// node is complete.
    fn props(&mut self, map: bool) -> (Option<String>, String) {
        let anchor = self.anchor();
        let tag = match (self.pick(4), map) {
            (0, true) => "!!map ",
            (0, false) => "!!seq ",
            (1, true) => "!<tag:yaml.org,2002:map> ",
            (1, false) => "!<tag:yaml.org,2002:seq> ",
            _ => "",
        };
        let mut p = anchor.as_ref().map(|a| format!("&{a} ")).unwrap_or_default();
        p.push_str(tag);
        (anchor, p)
    }

    /// A node in flow style.
    fn flow(&mut self, t: &Tree) -> String {
        let value = t.json();
        if let Some(name) = self.alias_for(&value) {
            return format!("*{name}");
        }
        let (anchor, text) = match t {
            Tree::Seq(items) => {
                let (anchor, props) = self.props(false);
                let parts: Vec<String> = items.iter().map(|i| self.flow(i)).collect();
                (anchor, format!("{props}[{}]", parts.join(", ")))
            }
            Tree::Map(entries) => {
                let (anchor, props) = self.props(true);
                let parts: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| {
                        let key = self.key(k);
                        let v = self.flow(v);
                        format!("{key}: {v}")
                    })
                    .collect();
                (anchor, format!("{props}{{{}}}", parts.join(", ")))
            }
            scalar => {
                let anchor = self.anchor();
                let text = self.scalar(scalar);
                let props = anchor.as_ref().map(|a| format!("&{a} ")).unwrap_or_default();
                (anchor, format!("{props}{text}"))
            }
        };
        if let Some(name) = anchor {
            self.anchored.push((value, name));
        }
        text
    }

    /// A node in block style after `key:` or `-` (the text starts on that line).
    fn block(&mut self, t: &Tree, indent: usize) {
        let collection = matches!(t, Tree::Seq(x) if !x.is_empty()) || matches!(t, Tree::Map(x) if !x.is_empty());
        if !collection || self.pick(4) == 0 {
            let text = self.flow(t);
            self.out.push_str(&format!(" {text}\n"));
            return;
        }
        let value = t.json();
        if let Some(name) = self.alias_for(&value) {
            self.out.push_str(&format!(" *{name}\n"));
            return;
        }
        let pad = " ".repeat(indent);
        let (anchor, props) = self.props(matches!(t, Tree::Map(_)));
        self.out.push_str(&format!(" {}\n", props.trim_end()));
        match t {
            Tree::Seq(items) => {
                for item in items {
                    self.out.push_str(&format!("{pad}-"));
                    self.block(item, indent + 2);
                }
            }
            Tree::Map(entries) => {
                for (k, v) in entries {
                    let key = self.key(k);
                    self.out.push_str(&format!("{pad}{key}:"));
                    self.block(v, indent + 2);
                }
            }
            _ => {}
        }
        if let Some(name) = anchor {
            self.anchored.push((value, name));
        }
    }

    fn document(entries: &[(String, Tree)], choices: Vec<u8>) -> String {
        let mut r = Render {
            choices,
            at: 0,
            out: String::new(),
            anchored: Vec::new(),
        };
        for (k, v) in entries {
            let key = r.key(k);
            r.out.push_str(&format!("{key}:"));
            r.block(v, 2);
        }
        r.out
    }
}

/// Nodes of a JSON value.
fn count_nodes(v: &Value) -> usize {
    1 + match v {
        Value::Array(items) => items.iter().map(count_nodes).sum(),
        Value::Object(m) => m.values().map(|v| 1 + count_nodes(v)).sum(),
        _ => 0,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    /// Whatever the styles, tags (shorthand and verbatim), anchors and aliases (keys
    /// included), the decoded document is the value the generator meant.
    #[test]
    fn yaml_decodes_to_the_value_it_spells(
        entries in prop::collection::vec((key_name(), tree()), 1..6),
        choices in prop::collection::vec(any::<u8>(), 1..64),
    ) {
        let mut seen = BTreeSet::new();
        let entries: Vec<(String, Tree)> = entries.into_iter().filter(|(k, _)| seen.insert(k.clone())).collect();
        let reference = Tree::Map(entries.clone()).json();
        let text = Render::document(&entries, choices);
        let docs = rempart::document::parse_stream(&text, &rempart::Limits::default());
        prop_assert_eq!(docs.len(), 1, "{}", text);
        let doc = &docs[0];
        prop_assert!(doc.errors.is_empty() && doc.notes.is_empty(), "{:?} {:?}\n{}", doc.errors, doc.notes, text);
        let got = doc.result.as_ref().map(|n| n.to_json()).map_err(|e| format!("{e:?}\n{text}"));
        prop_assert_eq!(got, Ok(reference), "{}", text);
    }

    /// Alias-heavy documents: either refused with a clear error, or no bigger than their own
    /// nodes plus `maxAliasNodes`.
    #[test]
    fn aliases_never_expand_past_the_limit(
        widths in prop::collection::vec(1usize..6, 1..10),
        nested in any::<bool>(),
    ) {
        let limits = rempart::Limits { max_alias_nodes: 500, ..rempart::Limits::default() };
        let mut text = String::from("a0: &a0 [x, y]\n");
        for (i, w) in widths.iter().enumerate() {
            let p = i;
            let items = vec![format!("*a{p}"); *w].join(", ");
            if nested {
                text.push_str(&format!("a{}: &a{} [&b{} [{items}]]\n", i + 1, i + 1, i + 1));
            } else {
                text.push_str(&format!("a{}: &a{} [{items}]\n", i + 1, i + 1));
            }
        }
        let source_nodes = text.matches(['[', ',', ':']).count() * 2 + 4;
        for doc in rempart::document::parse_stream(&text, &limits) {
            match doc.result {
                Ok(node) => prop_assert!(count_nodes(&node.to_json()) <= source_nodes + 500, "{}", text),
                Err(e) => prop_assert!(e.message.contains("billion laughs") || e.message.contains("anchors nested"), "{}", e.message),
            }
        }
    }
}
