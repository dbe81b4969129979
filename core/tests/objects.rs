#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
//! Documents that are lists, patches or templates: each is judged as Kubernetes tooling reads
//! it, or refused with a positioned error.

use rempart::{Engine, Options, Report, Source};

fn engine() -> Engine {
    Engine::new(&Options::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn data(name: &str) -> Source {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    Source::new(name, text)
}

fn privileged(report: &Report) -> Vec<(&str, Option<&str>, &str, usize)> {
    report
        .findings
        .iter()
        .filter(|f| f.policy == "pod-security/baseline/privileged")
        .map(|f| {
            (
                f.object.kind.as_str(),
                f.object.name.as_deref(),
                f.path.as_str(),
                f.span.start.line,
            )
        })
        .collect()
}

#[test]
fn typed_list_items_without_kind_are_checked_as_the_list_item_kind() {
    let report = engine().scan_source(&data("podlist-without-kinds.yaml"));
    assert_eq!(
        privileged(&report),
        vec![(
            "Pod",
            Some("web"),
            "/items/0/spec/containers/0/securityContext/privileged",
            12
        )]
    );
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(report.notes.is_empty(), "{:?}", report.notes);
}

#[test]
fn items_of_any_object_are_applied_and_checked() {
    let report = engine().scan_source(&data("configmap-with-items.yaml"));
    assert_eq!(
        privileged(&report),
        vec![(
            "Pod",
            Some("hidden"),
            "/items/0/spec/containers/0/securityContext/privileged",
            18
        )]
    );
    // The ConfigMap itself never reaches the cluster: a note says so.
    let note = report
        .notes
        .iter()
        .map(|n| n.message.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        note.contains("`ConfigMap` has an `items` field, so kubectl reads it as a list"),
        "{note}"
    );
    assert!(
        report.findings.iter().all(|f| f.object.kind == "Pod"),
        "{:?}",
        report.findings
    );
}

#[test]
fn lists_kubectl_cannot_read_are_positioned_errors() {
    let text = "apiVersion: v1\nkind: List\nitems:\n- just a string\n- metadata: {name: nokind}\n- apiVersion: v1\n  kind: List\n  items: []\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: ok}\n  spec:\n    containers:\n    - {name: a, image: \"x:1\", securityContext: {privileged: true}}\n---\napiVersion: v1\nkind: PodList\nitems: {a: b}\n";
    let report = engine().scan_source(&Source::new("lists.yaml", text));
    let errors: Vec<(usize, &str)> = report
        .errors
        .iter()
        .map(|e| (e.span.map_or(0, |s| s.start.line), e.message.as_str()))
        .collect();
    assert_eq!(errors.len(), 4, "{errors:?}");
    assert!(
        errors[0].0 == 4 && errors[0].1.contains("`/items/0` is a string, not an object"),
        "{errors:?}"
    );
    assert!(
        errors[1].0 == 5 && errors[1].1.contains("`/items/1` has no `apiVersion` and `kind`"),
        "{errors:?}"
    );
    assert!(
        errors[2].0 == 6 && errors[2].1.contains("`/items/2` is itself a list"),
        "{errors:?}"
    );
    assert!(
        errors[3].0 == 18 && errors[3].1.contains("`items` is a map"),
        "{errors:?}"
    );
    // The readable item is still checked.
    assert_eq!(privileged(&report).len(), 1);
}
