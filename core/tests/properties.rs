#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
//! Properties that hold for any input: no panic, spans inside the source, pointers that
//! resolve, deterministic and order-independent results, YAML and JSON alike, and
//! suppressions that only hide what they name.

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
