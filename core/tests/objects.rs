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

/// A user policy with `each` nested four deep over thousands of items would bind 3000⁴
/// items: the budget stops it quickly, with the positioned error, in bounded memory.
#[test]
fn nested_each_is_stopped_by_the_budget() {
    let policy = r#"id: test/nested
title: Nested iteration
severity: low
category: test
docs: {why: w, fix: f}
match: {kinds: [example.com/Thing]}
rules:
  - each:
      - {path: "spec.values[*]", as: a}
      - {path: "$.spec.values[*]", as: b}
      - {path: "$.spec.values[*]", as: c}
      - {path: "$.spec.values[*]", as: d}
    deny: {path: "@", present: true}
    message: "value `{d}` after `{a}`, `{b}` and `{c}`"
tests:
  pass:
    - {apiVersion: example.com/v1, kind: Thing, metadata: {name: t}, spec: {values: []}}
  fail:
    - object: {apiVersion: example.com/v1, kind: Thing, metadata: {name: t}, spec: {values: [x]}}
      path: /spec/values/0
"#;
    let options = Options {
        builtin: false,
        policies: vec![rempart::PolicyText {
            name: "nested.yaml".into(),
            text: policy.into(),
        }],
        ..Options::default()
    };
    let engine = Engine::new(&options).unwrap_or_else(|e| panic!("{e}"));
    let values: String = (0..3000).map(|i| format!("    - v{i}\n")).collect();
    let text = format!(
        "apiVersion: example.com/v1\nkind: Thing\nmetadata: {{name: big}}\nspec:\n  values:\n{values}---\napiVersion: example.com/v1\nkind: Thing\nmetadata: {{name: small}}\nspec:\n  values: [one]\n"
    );
    let started = std::time::Instant::now();
    let report = engine.scan_source(&Source::new("things.yaml", text));
    assert!(started.elapsed().as_secs() < 60, "took {:?}", started.elapsed());
    let error = report
        .errors
        .iter()
        .find(|e| e.message.contains("policy `test/nested` was stopped on Thing `big`"))
        .unwrap_or_else(|| panic!("{:?}", report.errors));
    assert_eq!(error.span.map(|s| s.start.line), Some(1));
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    // No partial findings for the big object; the small one is still checked.
    let names: Vec<_> = report.findings.iter().map(|f| f.object.name.as_deref()).collect();
    assert_eq!(names, vec![Some("small")]);
    // The budget also bounds the findings: everything stops long before memory grows.
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        let peak_kb: usize = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0);
        assert!(peak_kb < 1024 * 1024, "peak memory {peak_kb} kB");
    }
}

/// Without nesting, one finding per item: the findings one policy makes on one object are
/// bounded (a finding costs `FINDING_COST` comparisons), and stopping says so.
#[test]
fn findings_per_policy_and_object_are_bounded() {
    let policy = "id: test/each-value\ntitle: t\nseverity: low\ncategory: test\ndocs: {why: w, fix: f}\nmatch: {kinds: [example.com/Thing]}\nrules:\n  - each: {path: 'spec.values[*]', as: v}\n    deny: {path: '@', present: true}\n    message: 'value `{v}`'\ntests:\n  pass: [{apiVersion: example.com/v1, kind: Thing, spec: {values: []}}]\n  fail: [{object: {apiVersion: example.com/v1, kind: Thing, spec: {values: [x]}}, path: /spec/values/0}]\n";
    let options = |max_comparisons| Options {
        builtin: false,
        policies: vec![rempart::PolicyText {
            name: "each.yaml".into(),
            text: policy.into(),
        }],
        limits: rempart::Limits {
            max_comparisons,
            ..rempart::Limits::default()
        },
        ..Options::default()
    };
    let values: String = (0..500).map(|i| format!("    - v{i}\n")).collect();
    let text = format!("apiVersion: example.com/v1\nkind: Thing\nmetadata: {{name: t}}\nspec:\n  values:\n{values}");
    let source = Source::new("thing.yaml", text);
    let full = Engine::new(&options(1_000_000)).unwrap().scan_source(&source);
    assert!(full.errors.is_empty(), "{:?}", full.errors);
    assert_eq!(full.findings.len(), 500);
    // 500 findings cost 50,000 alone: 20,000 stops the policy after about 190.
    let stopped = Engine::new(&options(20_000)).unwrap().scan_source(&source);
    assert!(stopped.findings.is_empty(), "{:?}", stopped.findings.len());
    assert!(
        stopped
            .errors
            .iter()
            .any(|e| e.message.contains("policy `test/each-value` was stopped")),
        "{:?}",
        stopped.errors
    );
}

/// The comment trick: Helm renders `{{- "\n  privileged: true" }}` inside the comment into a
/// new line, so the container it deploys is privileged. The scan fails with the action's place.
#[test]
fn templates_in_comments_are_scan_errors() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: sneaky\nspec:\n  containers:\n  - name: app\n    image: nginx:1.27\n    securityContext:\n      allowPrivilegeEscalation: false # {{- \"\\n      privileged: true\" }}\n";
    let report = engine().scan_source(&Source::new("sneaky.yaml", text));
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    let e = &report.errors[0];
    assert!(
        e.message
            .starts_with("unrendered template action `{{- \"\\n      privileged: true\" }}` in a comment"),
        "{}",
        e.message
    );
    assert!(e.message.contains("this document was not checked"), "{}", e.message);
    assert_eq!(e.span.map(|s| (s.start.line, s.start.column)), Some((10, 41)));
    assert!(
        report.findings.is_empty(),
        "an unrendered document is not judged as written"
    );
    // After the last document, in a comment of its own piece, too.
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n# {{ include \"pod\" . }}\n";
    let report = engine().scan_source(&Source::new("tail.yaml", text));
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    assert_eq!(report.errors[0].span.map(|s| s.start.line), Some(5));
}

/// Prometheus rules and Grafana dashboards write template actions in string values: data,
/// scanned as written, with no template note or error.
#[test]
fn template_actions_in_string_values_are_data() {
    let report = engine().scan_source(&data("prometheus-rule.yaml"));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(report.notes.is_empty(), "{:?}", report.notes);
    let report = engine().scan_source(&data("grafana-dashboard.json"));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(report.notes.is_empty(), "{:?}", report.notes);
    // The objects are judged: a credential in the dashboard's ConfigMap is still found.
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.policy == "secrets/credentials-in-config"),
        "{:?}",
        report.findings
    );
}

/// The template hint on a parse error is given only when an action is on or near the failing
/// line.
#[test]
fn template_hint_only_near_the_failing_line() {
    let far = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  annotations:\n    note: \"{{ .x }}\"\ndata:\n  a: 1\n  b: [unclosed\n";
    let report = engine().scan_source(&Source::new("far.yaml", far));
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    assert!(
        !report.errors[0].message.contains("template"),
        "{}",
        report.errors[0].message
    );
    let readme = "# Title\n\nSome text: with a colon\n- and: a list\n  that: breaks\n";
    let report = engine().scan_source(&Source::new("README.md", readme));
    assert!(
        report.errors.iter().all(|e| !e.message.contains("template")),
        "{:?}",
        report.errors
    );
    let near = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}\n";
    let report = engine().scan_source(&Source::new("near.yaml", near));
    assert!(
        report.errors[0].message.contains("unrendered Helm template"),
        "{}",
        report.errors[0].message
    );
}

/// Patches are fragments: the files a kustomization applies as patches and the documents
/// with a `$patch` directive get a note that says to scan `kustomize build` output, and only
/// the dangerous values they set are judged; the kustomization's resources are scanned as
/// usual.
#[test]
fn kustomize_patches_are_noted_not_judged() {
    let dir = format!("{}/tests/data/kustomize", env!("CARGO_MANIFEST_DIR"));
    let mut findings = Vec::new();
    let totals = rempart::files::scan_paths(&engine(), &[dir], &[], "", |report, _| {
        findings.extend(report.findings.iter().map(|f| (f.file.clone(), f.policy.clone())));
        Ok::<(), ()>(())
    })
    .unwrap();
    assert!(totals.errors.is_empty(), "{:?}", totals.errors);
    // Findings come from the base Deployment only.
    assert!(
        findings.iter().any(
            |(file, policy)| file.ends_with("base/deployment.yaml") && policy == "pod-security/baseline/privileged"
        ),
        "{findings:?}"
    );
    assert!(
        findings.iter().all(|(file, _)| file.ends_with("base/deployment.yaml")),
        "{findings:?}"
    );
    let notes: Vec<(&str, &str)> = totals
        .notes
        .iter()
        .map(|n| (n.file.as_str(), n.message.as_str()))
        .collect();
    let note = |file: &str| {
        notes
            .iter()
            .find(|(f, _)| f.ends_with(file))
            .map(|(_, m)| *m)
            .unwrap_or_else(|| panic!("no note for {file}: {notes:?}"))
    };
    let resources = note("overlay/patches/resources.yaml");
    assert!(
        resources.contains("applies this file as a patch (`patches`)"),
        "{resources}"
    );
    assert!(
        resources.contains("`kustomize build ") && resources.contains("overlay | rempart scan -`"),
        "{resources}"
    );
    assert!(note("overlay/delete-job.yaml").contains("(`patchesStrategicMerge`)"));
    let inline = note("overlay/inline-directive.yaml");
    assert!(
        inline.contains("kustomize patch (it has `$patch: replace`)"),
        "{inline}"
    );
    let at = totals
        .notes
        .iter()
        .find(|n| n.file.ends_with("inline-directive.yaml"))
        .and_then(|n| n.span);
    assert_eq!(at.map(|s| (s.start.line, s.start.column)), Some((11, 9)));
}

/// A list of a million items kubectl cannot read gives a bounded number of errors.
#[test]
fn refused_items_are_reported_in_bounded_number() {
    let items: String = (0..100_000).map(|i| format!("- {i}\n")).collect();
    let text = format!("apiVersion: v1\nkind: List\nitems:\n{items}");
    let report = engine().scan_source(&Source::new("many.yaml", text));
    assert_eq!(report.errors.len(), 11, "{:?}", report.errors.last());
    assert_eq!(report.errors[10].span.map(|s| s.start.line), Some(14));
    assert!(
        report.errors[10]
            .message
            .starts_with("99990 more items of this list, from this one on, cannot be read"),
        "{}",
        report.errors[10].message
    );
}

/// Testing every key of a big map for every item of a big list is quadratic: the keys tested
/// spend the budget too.
#[test]
fn keys_tested_spend_the_budget() {
    let policy = "id: test/keys\ntitle: t\nseverity: low\ncategory: test\ndocs: {why: w, fix: f}\nmatch: {kinds: [example.com/Thing]}\nrules:\n  - each: {path: 'spec.values[*]', as: v}\n    deny: {keys: '$.spec.labels', equals: never}\n    message: 'never'\ntests:\n  pass: [{apiVersion: example.com/v1, kind: Thing, spec: {values: [a], labels: {a: b}}}]\n  fail: [{object: {apiVersion: example.com/v1, kind: Thing, spec: {values: [a], labels: {never: x}}}, path: /spec/labels/never}]\n";
    let options = Options {
        builtin: false,
        policies: vec![rempart::PolicyText {
            name: "keys.yaml".into(),
            text: policy.into(),
        }],
        ..Options::default()
    };
    let values: String = (0..2000).map(|i| format!("    - v{i}\n")).collect();
    let labels: String = (0..2000).map(|i| format!("    k{i}: x\n")).collect();
    let text = format!(
        "apiVersion: example.com/v1\nkind: Thing\nmetadata: {{name: t}}\nspec:\n  values:\n{values}  labels:\n{labels}"
    );
    let report = Engine::new(&options)
        .unwrap()
        .scan_source(&Source::new("thing.yaml", text));
    assert!(
        report
            .errors
            .iter()
            .any(|e| e.message.contains("policy `test/keys` was stopped")),
        "{:?}",
        report.errors
    );
}
