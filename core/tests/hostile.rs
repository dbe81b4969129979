#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
//! Hostile input: every case ends in a clear, positioned error or a note, never a panic or a
//! hang, and the other documents of the same file are still checked. What each case costs
//! (time and peak memory on the release build) is asserted by `scripts/hostile`, which
//! `scripts/test` runs: bounds belong to a measured run, not to timed unit tests.

use rempart::{Engine, Limits, Options, Source};

/// Options with these limits and everything else by default.
fn limited(limits: Limits) -> Options {
    Options {
        limits,
        ..Options::default()
    }
}

fn engine() -> Engine {
    Engine::new(&Options::default()).unwrap_or_else(|e| panic!("{e}"))
}

const PRIVILEGED: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: after}\nspec:\n  containers:\n  - {name: a, image: \"x:1\", securityContext: {privileged: true}}\n";

/// Scans `bad` followed by a privileged pod; the pod's finding must survive.
fn scan_with_survivor(bad: &str) -> rempart::Report {
    let text = format!("{bad}\n---\n{PRIVILEGED}");
    let report = engine().scan_source(&Source::new("hostile.yaml", text));
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.policy == "pod-security/baseline/privileged" && f.object.name.as_deref() == Some("after")),
        "the document after the bad one was not checked: {:?}",
        report.errors
    );
    report
}

fn first_error(report: &rempart::Report) -> String {
    report.errors.first().map(|e| e.message.clone()).unwrap_or_default()
}

#[test]
fn tabs_are_a_positioned_error() {
    let report = scan_with_survivor("apiVersion: v1\nkind: Pod\nmetadata:\n\tname: tabbed\n");
    let e = report.errors.first().unwrap_or_else(|| panic!("no error"));
    assert!(e.message.contains("tab"), "{}", e.message);
    assert_eq!(e.span.map(|s| s.start.line), Some(4));
}

#[test]
fn billion_laughs_is_refused() {
    let mut bomb = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\ndata:\n  a0: &a0 \"lol\"\n");
    for i in 1..=9 {
        let p = i - 1;
        bomb.push_str(&format!(
            "  a{i}: &a{i} [*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p}]\n"
        ));
    }
    let report = scan_with_survivor(&bomb);
    assert!(
        first_error(&report).contains("billion laughs"),
        "{}",
        first_error(&report)
    );
}

#[test]
fn deep_nesting_is_refused() {
    for deep in [
        "[".repeat(100_000),
        "{a: ".repeat(100_000),
        (0..300).map(|i| format!("{}k:\n", " ".repeat(i))).collect(),
    ] {
        let report = scan_with_survivor(&deep);
        assert!(
            first_error(&report).contains("nesting") || first_error(&report).contains("deep"),
            "{}",
            first_error(&report)
        );
    }
}

#[test]
fn huge_documents_are_refused_without_being_parsed() {
    let huge = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: big}}\ndata:\n  blob: \"{}\"\n",
        "x".repeat(50 * 1024 * 1024)
    );
    let report = scan_with_survivor(&huge);
    assert!(
        first_error(&report).contains("over the limit"),
        "{}",
        first_error(&report)
    );
}

#[test]
fn document_count_is_limited() {
    let options = limited(Limits {
        max_documents: 3,
        ..Limits::default()
    });
    let engine = Engine::new(&options).unwrap_or_else(|e| panic!("{e}"));
    let text = (0..10)
        .map(|i| format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}}}\n"))
        .collect::<Vec<_>>()
        .join("---\n");
    let report = engine.scan_source(&Source::new("many.yaml", text));
    assert_eq!(report.summary.documents, 4);
    assert!(
        first_error(&report).contains("more than 3 documents"),
        "{}",
        first_error(&report)
    );
}

#[test]
fn invalid_utf8_and_binary_are_refused_clearly() {
    let bad = Source::from_bytes("bad.yaml", b"apiVersion: v1\nkind: \xff\xfePod\n".to_vec());
    assert!(
        bad.as_ref()
            .is_err_and(|e| e.contains("invalid UTF-8 at byte 21 (line 2)")),
        "{bad:?}"
    );
    let binary = Source::from_bytes("image.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec());
    assert!(binary.as_ref().is_err_and(|e| e.contains("binary")), "{binary:?}");
    let bom = Source::from_bytes("bom.yaml", b"\xef\xbb\xbfa: 1\n".to_vec()).map(|s| s.text);
    assert_eq!(bom.as_deref(), Ok("a: 1\n"));
}

#[test]
fn helm_templates_get_a_hint() {
    let report = scan_with_survivor(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}\n  {{- include \"labels\" . }}\n",
    );
    assert!(
        first_error(&report).contains("unrendered Helm template"),
        "{}",
        first_error(&report)
    );
}

#[test]
fn garbage_never_panics() {
    for bad in [
        "- - - -\n",
        ": : :",
        "? complex\n: key",
        "!!binary aGVsbG8=",
        "&a [*a]",
        "*unknown",
        "%YAML 1.2\n---\na: 1",
        "\"unterminated",
        "a: 'x\n",
        "\u{0}\u{1}",
        "[1, 2",
        "{\"kind\": ",
        "---\n...\n---\n...",
    ] {
        let report = engine().scan_source(&Source::new("junk.yaml", bad));
        for e in &report.errors {
            assert!(!e.message.is_empty());
        }
    }
}

#[test]
fn long_single_line_json_with_unicode_is_linear() {
    let items: Vec<String> = (0..20_000)
        .map(|i| format!("{{\"name\": \"café-{i}\", \"value\": \"☕\"}}"))
        .collect();
    let text = format!("{{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {{\"name\": \"wide\"}}, \"spec\": {{\"containers\": [{{\"name\": \"a\", \"image\": \"x:latest\", \"env\": [{}]}}]}}}}", items.join(", "));
    let report = engine().scan_source(&Source::new("wide.json", text.clone()));
    let f = report
        .findings
        .iter()
        .find(|f| f.policy == "images/latest-tag")
        .unwrap_or_else(|| panic!("no finding"));
    assert_eq!(text.get(f.span.start.offset..f.span.end.offset), Some("\"x:latest\""));
}

#[test]
fn scalar_bytes_after_alias_expansion_are_limited() {
    let options = limited(Limits {
        max_scalar_bytes: 50_000,
        ..Limits::default()
    });
    let engine = Engine::new(&options).unwrap();
    let big = "x".repeat(1000);
    let aliases = "*s, ".repeat(100);
    let text = format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c}}\ndata:\n  s: &s \"{big}\"\n  many: [{aliases}]\n---\n{PRIVILEGED}");
    let report = engine.scan_source(&Source::new("bytes.yaml", text));
    assert!(
        first_error(&report).contains("add up to more than 50000 bytes"),
        "{}",
        first_error(&report)
    );
    assert!(report
        .findings
        .iter()
        .any(|f| f.object.name.as_deref() == Some("after")));
}

#[test]
fn inputs_and_policy_counts_are_limited() {
    let options = limited(Limits {
        max_input_bytes: 100,
        ..Limits::default()
    });
    let engine = Engine::new(&options).unwrap();
    let inputs = [
        rempart::ffi::Input {
            filename: "big.yaml".into(),
            text: "a: 1\n".repeat(100),
        },
        rempart::ffi::Input {
            filename: "small.yaml".into(),
            text: "a: 1\n".into(),
        },
    ];
    let report = rempart::ffi::scan(&engine, &inputs);
    assert_eq!(report.summary.files, 2);
    assert!(report
        .errors
        .iter()
        .any(|e| e.file == "big.yaml" && e.message.contains("over the limit of 100 bytes")));
    let few = limited(Limits {
        max_policies: 5,
        ..Limits::default()
    });
    let err = Engine::new(&few).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("more than the limit of 5"), "{err}");
}

/// A template action inside a quoted value is data (as in Prometheus rules); one in a comment
/// is an unrendered template: a positioned error, and the document is not checked.
#[test]
fn templates_in_comments_are_errors_and_in_quoted_values_data() {
    let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: \"{{ .Release.Name }}\"\nspec: {}\n";
    let report = engine().scan_source(&Source::new("chart.yaml", text));
    assert!(
        report.errors.is_empty() && report.notes.is_empty(),
        "{:?} {:?}",
        report.errors,
        report.notes
    );
    let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web # {{ .Release.Name }}\nspec: {}\n";
    let report = scan_with_survivor(text);
    assert!(
        first_error(&report).contains("unrendered template action `{{ .Release.Name }}` in a comment"),
        "{}",
        first_error(&report)
    );
    assert_eq!(
        report
            .errors
            .first()
            .and_then(|e| e.span)
            .map(|s| (s.start.line, s.start.column)),
        Some((4, 15))
    );
}

#[test]
fn hostile_names_cannot_inject_into_any_format() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: \"evil\\n::error file=x::pwned\\r\\n<script>&\"}\nspec:\n  containers:\n  - {name: \"c\\u001b[31m\\n\", image: \"x:1\", securityContext: {privileged: true}}\n";
    let engine = engine();
    let report = engine.scan_source(&Source::new("evil.yaml", text));
    assert!(!report.findings.is_empty());
    for f in &report.findings {
        assert!(
            !f.message.chars().any(char::is_control),
            "control characters in {:?}",
            f.message
        );
    }
    let github = rempart::format::github(&report);
    for line in github.lines() {
        assert!(
            line.starts_with("::error ") || line.starts_with("::warning ") || line.starts_with("::notice "),
            "{line}"
        );
    }
    assert!(!github.contains("\n::error file=x::pwned"));
    let junit = rempart::format::junit(&report, engine.policies());
    assert!(!junit.contains("<script>") && junit.contains("&lt;script&gt;&amp;"));
    assert!(!junit.chars().any(|c| c.is_control() && c != '\n' && c != '\t'));
    let sarif: serde_json::Value =
        serde_json::from_str(&rempart::format::sarif(&report, engine.policies(), "/repo")).unwrap();
    assert!(sarif["runs"][0]["results"].as_array().is_some_and(|r| !r.is_empty()));
    let text_out = rempart::format::text(&report, &[], false);
    assert!(
        !text_out.contains('\u{1b}'),
        "escape codes from the document reach the terminal"
    );
    let yaml = rempart::format::policy_report(&report);
    assert!(yaml.lines().all(|l| !l.contains("::error file=x")) || yaml.contains("\\n::error"));
}

/// First-match-wins checks compare each audit rule with every earlier one: on a huge list a
/// budget stops the policy with an error (instead of running for hours), and every other
/// policy and document still reports.
#[test]
fn quadratic_checks_are_stopped_by_the_comparison_budget() {
    let mut audit = String::from("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n");
    for i in 0..400 {
        audit.push_str(&format!("  - {{level: RequestResponse, users: [u{i}]}}\n"));
    }
    let text = format!("{audit}---\n{PRIVILEGED}");
    let small = limited(Limits {
        max_comparisons: 5_000,
        ..Limits::default()
    });
    let stopped = Engine::new(&small)
        .unwrap()
        .scan_source(&Source::new("audit.yaml", text.clone()));
    let error = stopped
        .errors
        .iter()
        .find(|e| e.message.contains("audit/sensitive-bodies"))
        .unwrap_or_else(|| panic!("{:?}", stopped.errors));
    assert!(
        error.message.contains("was stopped on Policy after 5000 comparisons"),
        "{}",
        error.message
    );
    assert!(error.message.contains("`maxComparisons`"), "{}", error.message);
    assert_eq!(error.span.map(|s| s.start.line), Some(1));
    assert!(
        !stopped.findings.iter().any(|f| f.policy == "audit/sensitive-bodies"),
        "no partial findings"
    );
    assert!(stopped
        .findings
        .iter()
        .any(|f| f.policy == "audit/omit-request-received"));
    assert!(stopped
        .findings
        .iter()
        .any(|f| f.policy == "pod-security/baseline/privileged"));
    // With the default budget the same policy finishes: every rule can log Secrets.
    let full = engine().scan_source(&Source::new("audit.yaml", text));
    assert!(full.errors.is_empty(), "{:?}", full.errors);
    let n = full
        .findings
        .iter()
        .filter(|f| f.policy == "audit/sensitive-bodies")
        .count();
    assert_eq!(
        n,
        400 * 4,
        "Secrets, ConfigMaps, token requests and TokenReviews for each rule"
    );
}

fn data(name: &str) -> Source {
    let path = format!("{}/tests/data/hostile/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    Source::new(name, text)
}

/// The JSON value of each document of a text, as Kubernetes reads it.
fn values(text: &str) -> Vec<serde_json::Value> {
    rempart::document::parse_stream(text, &Limits::default())
        .into_iter()
        .map(|d| {
            d.result
                .map(|n| n.to_json())
                .unwrap_or_else(|e| panic!("{}", e.message))
        })
        .collect()
}

fn has_finding(report: &rempart::Report, policy: &str, name: &str) -> bool {
    report
        .findings
        .iter()
        .any(|f| f.policy == policy && f.object.name.as_deref() == Some(name))
}

/// kubectl reads a repeated key with the last value winning: the document is checked with
/// that value, and the repetition is an error that fails the scan.
#[test]
fn duplicate_keys_are_errors_and_the_last_value_is_checked() {
    let report = engine().scan_source(&data("duplicate-key.yaml"));
    assert!(
        has_finding(&report, "pod-security/baseline/privileged", "twice"),
        "{:?}",
        report.findings
    );
    let e = report.errors.first().unwrap_or_else(|| panic!("no error"));
    assert!(
        e.message.contains("`privileged` appears twice") && e.message.contains("first on line 10"),
        "{}",
        e.message
    );
    let span = e.span.unwrap_or_else(|| panic!("no span"));
    assert_eq!((span.start.line, span.start.column), (12, 9));
    assert_eq!(report.errors.len(), 1);
}

#[test]
fn an_alias_used_as_a_key_is_its_scalar() {
    let report = engine().scan_source(&data("alias-key.yaml"));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(
        has_finding(&report, "pod-security/baseline/privileged", "aliased"),
        "{:?}",
        report.findings
    );
    // The key stands where the alias is written: a repeated key points there.
    let text = "a: &k x\nb: {x: 1, *k : 2}\n";
    let doc = rempart::document::parse_stream(text, &Limits::default())
        .into_iter()
        .next()
        .unwrap();
    assert_eq!(doc.errors.first().map(|e| e.span.start), text.find("*k"));
    let collection = "a: &m {x: 1}\nb: {*m : 1}\n";
    let doc = rempart::document::parse_stream(collection, &Limits::default());
    let e = doc
        .first()
        .and_then(|d| d.result.as_ref().err())
        .unwrap_or_else(|| panic!("no error"));
    assert!(e.message.contains("used as a key"), "{}", e.message);
    assert_eq!(e.span.start, 17);
}

#[test]
fn binary_values_are_decoded() {
    let report = engine().scan_source(&data("binary.yaml"));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(
        has_finding(&report, "pod-security/baseline/privileged", "encoded"),
        "{:?}",
        report.findings
    );
    let star = values(&data("binary.yaml").text);
    assert_eq!(star[1]["rules"][0]["verbs"], serde_json::json!(["*"]));
    let bad = engine().scan_source(&Source::new(
        "bad.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\ndata: {a: !!binary \"Kg\"}\n",
    ));
    let e = bad.errors.first().unwrap_or_else(|| panic!("no error"));
    assert!(e.message.contains("not valid base64"), "{}", e.message);
    // The node starts at its tag.
    assert_eq!(e.span.map(|s| (s.start.line, s.start.column)), Some((4, 11)));
}

#[test]
fn core_tags_in_every_form_are_honoured() {
    let report = engine().scan_source(&data("tags.yaml"));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(
        has_finding(&report, "pod-security/baseline/privileged", "verbatim"),
        "{:?}",
        report.findings
    );
    assert!(
        has_finding(&report, "pod-security/restricted/run-as-user", "verbatim"),
        "{:?}",
        report.findings
    );
    assert!(
        has_finding(&report, "pod-security/baseline/privileged", "directive"),
        "{:?}",
        report.findings
    );
    let docs = values(&data("tags.yaml").text);
    let sc = &docs[0]["spec"]["containers"][0]["securityContext"];
    assert_eq!(
        sc,
        &serde_json::json!({"privileged": true, "runAsUser": 0, "allowPrivilegeEscalation": true})
    );
    // A tag Kubernetes does not know is ignored, the value kept as text, and a note says so.
    assert_eq!(docs[2]["spec"]["containers"][0]["image"], "nginx:1.27");
    let note = report
        .notes
        .iter()
        .find(|n| n.message.contains("`!custom`"))
        .unwrap_or_else(|| panic!("{:?}", report.notes));
    assert_eq!(note.span.map(|s| s.start.line), Some(24));
}

#[test]
fn values_that_do_not_fit_their_tag_fail_the_document() {
    for (value, tag) in [
        ("\"abc\"", "int"),
        ("\"1.5\"", "int"),
        ("\"x\"", "bool"),
        ("x", "null"),
        ("12", "timestamp"),
    ] {
        let text = format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: t}}\ndata: {{a: !!{tag} {value}}}\n");
        let report = scan_with_survivor(&text);
        let e = report.errors.first().unwrap_or_else(|| panic!("no error for {value}"));
        assert!(e.message.contains(&format!("tagged `!!{tag}`")), "{}", e.message);
        assert_eq!(e.span.map(|s| s.start.line), Some(4));
    }
}

#[test]
fn only_a_plain_or_merge_tagged_key_merges() {
    let docs = values(&data("merge-lookalikes.yaml").text);
    assert_eq!(
        docs[0]["data"],
        serde_json::json!({
            "quoted": {"<<": {"privileged": true}},
            "tagged": {"<<": {"privileged": true}},
            "merged": {"privileged": true, "other": "x"},
        })
    );
}

/// Anchors nested in anchors each keep a copy of their tree: those copies count against
/// `maxAliasNodes` beyond the document's own nodes, so memory stays a small multiple of the
/// input, and a genuine anchor on a large tree still reads.
#[test]
fn nested_anchors_cannot_multiply_memory() {
    let payload: String = (0..50_000).map(|i| format!("v{i},")).collect();
    let depth = 150;
    let mut bomb = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: nested}\ndata:\n  x: ");
    for i in 0..depth {
        bomb.push_str(&format!("&a{i} ["));
    }
    bomb.push_str(&payload);
    bomb.push_str(&"]".repeat(depth));
    bomb.push('\n');
    let started = std::time::Instant::now();
    let report = scan_with_survivor(&bomb);
    assert!(started.elapsed().as_secs() < 60, "took {:?}", started.elapsed());
    assert!(
        first_error(&report).contains("anchors nested in anchors"),
        "{}",
        first_error(&report)
    );
    assert_eq!(report.errors[0].span.map(|s| s.start.line), Some(5));
    // One anchor over the whole document, used once, is fine.
    let genuine = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: big}}\ndata: &d {{{}}}\nother: *d\n",
        (0..5000).map(|i| format!("k{i}: v,")).collect::<String>()
    );
    let options = limited(Limits {
        max_alias_nodes: 20_000,
        ..Limits::default()
    });
    let report = Engine::new(&options)
        .unwrap()
        .scan_source(&Source::new("genuine.yaml", genuine));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
}

/// Aliases inside anchored nodes are counted where they are copied again.
#[test]
fn aliases_copied_through_anchors_are_counted() {
    let options = limited(Limits {
        max_alias_nodes: 1000,
        ..Limits::default()
    });
    let engine = Engine::new(&options).unwrap();
    let mut text = String::from("a0: &a0 [x, x, x, x]\n");
    for i in 1..8 {
        let p = i - 1;
        text.push_str(&format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}]\n"));
    }
    let report = engine.scan_source(&Source::new("nested.yaml", format!("{text}---\n{PRIVILEGED}")));
    assert!(
        first_error(&report).contains("billion laughs"),
        "{}",
        first_error(&report)
    );
    assert_eq!(report.errors[0].span.map(|s| s.start.line), Some(5));
    assert!(report
        .findings
        .iter()
        .any(|f| f.object.name.as_deref() == Some("after")));
}

/// `...` ends a document without a separator line: every document counts against the limit.
#[test]
fn document_end_markers_count_against_the_document_limit() {
    let options = limited(Limits {
        max_documents: 3,
        ..Limits::default()
    });
    let engine = Engine::new(&options).unwrap();
    let text: String = (0..10)
        .map(|i| format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}}}\n...\n"))
        .collect();
    let report = engine.scan_source(&Source::new("ended.yaml", text.clone()));
    assert_eq!(report.summary.documents, 4);
    assert!(
        first_error(&report).contains("more than 3 documents"),
        "{}",
        first_error(&report)
    );
    assert_eq!(report.errors[0].span.map(|s| s.start.line), Some(13));
    let all = rempart::document::parse_stream(&text, &Limits::default());
    assert_eq!(all.len(), 10);
    assert!(all.iter().all(|d| d.result.is_ok()));
}

/// Runs `f` on a thread with the default test stack (2 MiB): a stack overflow aborts the test
/// binary.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap_or_else(|_| panic!("the thread panicked"));
}

/// A raised `maxDepth` cannot take nesting past what the stack affords.
#[test]
fn depth_is_capped_whatever_the_configuration() {
    on_small_stack(|| {
        let options = limited(Limits {
            max_depth: 100_000,
            ..Limits::default()
        });
        let engine = Engine::new(&options).unwrap();
        for deep in [
            "- ".repeat(1024 * 1024),
            "[".repeat(2 * 1024 * 1024),
            "{a: ".repeat(500_000),
        ] {
            let report = engine.scan_source(&Source::new("deep.yaml", format!("{deep}\n---\n{PRIVILEGED}")));
            assert!(
                first_error(&report).contains("the most Rempart reads") || first_error(&report).contains("too deep"),
                "{}",
                first_error(&report)
            );
            assert!(report
                .findings
                .iter()
                .any(|f| f.object.name.as_deref() == Some("after")));
        }
        // Just under the cap: read, converted, checked and dropped without overflow.
        let depth = rempart::document::HARD_MAX_DEPTH - 1;
        let text = format!("{}x\n", "- ".repeat(depth));
        let docs = rempart::document::parse_stream(&text, &options.limits);
        let node = docs
            .into_iter()
            .next()
            .and_then(|d| d.result.ok())
            .unwrap_or_else(|| panic!("not read"));
        assert!(node.to_json().is_array());
        let nested = format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: d}}\nspec:\n{}",
            (1..depth - 1)
                .map(|i| format!("{}a:\n", " ".repeat(i)))
                .collect::<String>()
        );
        let report = engine.scan_source(&Source::new("nested.yaml", nested));
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        drop(node);
    });
}

/// An alias copies its tree's depth: the copy cannot go past the cap either.
#[test]
fn aliases_cannot_nest_past_the_cap() {
    let limits = Limits {
        max_depth: 100,
        ..Limits::default()
    };
    let text = format!(
        "a: &x {}1{}\nb: {}*x{}\n",
        "[".repeat(60),
        "]".repeat(60),
        "[".repeat(60),
        "]".repeat(60)
    );
    let docs = rempart::document::parse_stream(&text, &limits);
    let e = docs
        .first()
        .and_then(|d| d.result.as_ref().err())
        .unwrap_or_else(|| panic!("read"));
    assert!(e.message.contains("deeper than 100 levels"), "{}", e.message);
    assert_eq!(e.span.start, text.find("*x").unwrap());
}

/// go-yaml reads a quoted value whose continuation lines are indented less than YAML
/// allows; so does Rempart, with a note, and every position still points into the file.
#[test]
fn quoted_continuation_lines_are_read_as_kubectl_reads_them() {
    let source = data("quoted-continuation.yaml");
    let report = engine().scan_source(&source);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let f = report
        .findings
        .iter()
        .find(|f| f.policy == "pod-security/baseline/privileged" && f.object.name.as_deref() == Some("lenient"))
        .unwrap_or_else(|| panic!("{:?}", report.findings));
    assert_eq!(source.text.get(f.span.start.offset..f.span.end.offset), Some("true"));
    assert_eq!((f.span.start.line, f.span.start.column), (16, 21));
    let note = report
        .notes
        .iter()
        .find(|n| n.message.contains("indented less than YAML allows"))
        .unwrap_or_else(|| panic!("{:?}", report.notes));
    assert_eq!(note.span.map(|s| (s.start.line, s.start.column)), Some((13, 1)));
    let docs = values(&source.text);
    assert_eq!(
        docs[0]["spec"]["containers"][0]["command"][2],
        "echo first line second line third line"
    );
    // The same in one piece with other documents: those before it are not handed out twice.
    let text = format!(
        "{PRIVILEGED}...\n{}...\n{}",
        source.text,
        PRIVILEGED.replace("after", "later")
    );
    let report = engine().scan_source(&Source::new("stream.yaml", text));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.summary.documents, 3);
    for name in ["after", "lenient", "later"] {
        assert!(has_finding(&report, "pod-security/baseline/privileged", name), "{name}");
    }
}

/// Policy and configuration files stay strict: a repeated key there is an error, not a
/// silent last-value-wins.
#[test]
fn repeated_keys_in_policies_and_configuration_are_errors() {
    let policy = Source::new("p.yaml", "id: custom/x\nid: custom/y\ntitle: t\n");
    let (_, errors) = rempart::policy::load_policies(&policy, &Default::default());
    assert!(
        errors
            .iter()
            .any(|e| e.message.contains("`id` appears twice") && e.line == 2),
        "{errors:?}"
    );
    let config = Source::new(".rempart.yaml", "select: [a]\nselect: [b]\n");
    let errors = rempart::config::load_config(&config, std::path::Path::new("."))
        .err()
        .unwrap_or_default();
    assert!(
        errors
            .iter()
            .any(|e| e.message.contains("`select` appears twice") && e.line == 2),
        "{errors:?}"
    );
}

/// sigs.k8s.io/yaml turns keys into JSON keys: a null key (or an integer past i64) has none
/// and Kubernetes refuses the document; a float key is written as Go writes it.
#[test]
fn keys_without_a_json_form_fail_the_document() {
    for key in ["~", "null", "18446744073709551615"] {
        let text = format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: k}}\ndata:\n  {key}: x\n");
        let report = scan_with_survivor(&text);
        let e = report.errors.first().unwrap_or_else(|| panic!("no error for {key}"));
        assert!(
            e.message.contains(&format!("`{key}`")) && e.message.contains("refuses"),
            "{}",
            e.message
        );
        assert_eq!(e.span.map(|s| (s.start.line, s.start.column)), Some((5, 3)));
    }
    assert_eq!(
        values("1.50: a\n1e6: b\n")[0],
        serde_json::json!({"1.5": "a", "1e+06": "b"})
    );
}

/// A document refused for what it holds (not for its syntax) does not stop the documents
/// after it in the same piece (after `...`).
#[test]
fn a_refused_document_leaves_the_next_ones_of_its_piece() {
    let bad = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bad}\ndata: {a: !!int \"abc\", b: [1, 2, 3]}\n";
    let text = format!("{bad}...\n{PRIVILEGED}");
    let report = engine().scan_source(&Source::new("one-piece.yaml", text));
    assert!(
        first_error(&report).contains("tagged `!!int`"),
        "{}",
        first_error(&report)
    );
    assert_eq!(report.summary.documents, 2);
    assert!(
        has_finding(&report, "pod-security/baseline/privileged", "after"),
        "{:?}",
        report.findings
    );
}

/// Many under-indented quoted values in one document are all read (each costs a reading of
/// the piece, within a bound).
#[test]
fn many_under_indented_quoted_values_are_read() {
    let mut text = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: many}\ndata:\n");
    for i in 0..300 {
        text.push_str(&format!("  k{i}:\n    nested: \"a\n  b\"\n"));
    }
    let docs = values(&text);
    assert_eq!(docs[0]["data"]["k299"]["nested"], "a b");
    let report = engine().scan_source(&Source::new("many.yaml", text));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    // One note each for the first 100, then one that counts the rest.
    let notes: Vec<_> = report
        .notes
        .iter()
        .filter(|n| n.message.contains("indented less"))
        .collect();
    assert_eq!(notes.len(), 101);
    assert!(
        notes[100].message.starts_with("200 more lines"),
        "{}",
        notes[100].message
    );
}

/// A quoted value cut by a document marker is invalid for go-yaml too: the error points at
/// the marker's line, not at the opening quote.
#[test]
fn a_quoted_value_cut_by_a_marker_points_at_the_marker() {
    let report =
        scan_with_survivor("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: q}\ndata:\n  a: \"one\n...\n  two\"\n");
    let e = report.errors.first().unwrap_or_else(|| panic!("no error"));
    assert!(e.message.contains("document indicator"), "{}", e.message);
    assert_eq!(e.span.map(|s| (s.start.line, s.start.column)), Some((6, 1)));
}

/// go-yaml v2 (YAML 1.1) ends a line at U+2028, U+0085 and U+2029, where YAML 1.2 parsers and
/// editors see an ordinary character: text after one in a comment is read by Kubernetes as a
/// new line. The document is checked as Kubernetes reads it, and the character is an error.
#[test]
fn unicode_line_breaks_end_lines_as_kubectl_reads_them() {
    let source = data("unicode-line-breaks.yaml");
    let report = engine().scan_source(&source);
    assert!(
        has_finding(&report, "pod-security/baseline/privileged", "hidden"),
        "{:?}",
        report.findings
    );
    assert!(
        has_finding(&report, "identity/cluster-admin-binding", "readers"),
        "{:?}",
        report.findings
    );
    assert!(
        has_finding(&report, "pod-security/baseline/host-namespaces", "para"),
        "{:?}",
        report.findings
    );
    let breaks: Vec<_> = report
        .errors
        .iter()
        .filter(|e| e.message.contains("ends the line"))
        .collect();
    let names: Vec<_> = breaks
        .iter()
        .map(|e| {
            (
                e.message.split(" (").next().unwrap_or_default(),
                e.span.map(|s| (s.start.line, s.start.column)),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("the character U+2028", Some((10, 31))),
            ("the character U+0085", Some((16, 90))),
            ("the character U+2029", Some((24, 39))),
        ]
    );
    // The finding past the break points at the value in the original text.
    let pid = report
        .findings
        .iter()
        .find(|f| f.policy == "pod-security/baseline/host-namespaces")
        .unwrap();
    let at = pid.span.start.offset;
    assert_eq!(source.text.get(at..at + 4), Some("true"));
    // A value cannot hide a line either: the break ends it, as in go-yaml.
    let plain = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  a: x\u{2028}  b: z\n";
    assert_eq!(values(plain)[0]["data"], serde_json::json!({"a": "x", "b": "z"}));
}

/// A stream that starts with `{` is JSON to kubectl, read by encoding/json: there U+2028 is a
/// character of a string like any other, no line break and no error.
#[test]
fn unicode_line_breaks_are_characters_in_json() {
    let text = "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"c\"}, \"data\": {\"a\": \"x\u{2028}y\"}}\n";
    let report = engine().scan_source(&Source::new("c.json", text));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(values(text)[0]["data"]["a"], "x\u{2028}y");
}

/// go-yaml decodes UTF-16 that starts with its byte-order mark, so kubectl applies such a file:
/// it is read and checked, not refused as binary.
#[test]
fn utf16_with_a_byte_order_mark_is_read() {
    let utf16 = |little: bool| -> Vec<u8> {
        let mut bytes = if little { vec![0xFF, 0xFE] } else { vec![0xFE, 0xFF] };
        for unit in PRIVILEGED.encode_utf16() {
            bytes.extend(if little { unit.to_le_bytes() } else { unit.to_be_bytes() });
        }
        bytes
    };
    for little in [true, false] {
        let source = Source::from_bytes("u16.yaml", utf16(little)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(source.text, PRIVILEGED);
        let report = engine().scan_source(&source);
        assert!(
            has_finding(&report, "pod-security/baseline/privileged", "after"),
            "{:?}",
            report.errors
        );
    }
    let mut odd = utf16(true);
    odd.push(b'x');
    assert!(Source::from_bytes("odd.yaml", odd)
        .err()
        .unwrap_or_default()
        .contains("invalid UTF-16"));
    let lone = vec![0xFF, 0xFE, 0x00, 0xD8, 0x41, 0x00];
    assert!(Source::from_bytes("lone.yaml", lone)
        .err()
        .unwrap_or_default()
        .contains("lone surrogate"));
    let nul = vec![0xFF, 0xFE, 0x41, 0x00, 0x00, 0x00];
    assert!(Source::from_bytes("nul.yaml", nul)
        .err()
        .unwrap_or_default()
        .contains("binary data"));
}

/// Under-indented quoted values after the first one the parser refuses are indented in the
/// same re-reading when a quick reading finds them; the parser must confirm each guess, else
/// the piece is read again without guesses. Either way the values are the ones go-yaml reads,
/// with one note per value, and the time stays linear in the input.
#[test]
fn under_indented_quoted_values_are_read_in_linear_time() {
    let head = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n";
    // A quote that opens a continuation line of a plain scalar, and one in a block scalar,
    // look like quoted values to the quick reading: the parser refutes the first guess.
    let tricky = format!(
        "{head}  a: \"x\n y\"\n  b: plain text\n    'looks quoted\n   but is plain'\n  c: \"p\n q\"\n  d: |\n    \"in a block\n     x\n  e: \"last\n one\"\n"
    );
    let data = &values(&tricky)[0]["data"];
    assert_eq!(
        data,
        &serde_json::json!({"a": "x y", "b": "plain text 'looks quoted but is plain'", "c": "p q", "d": "\"in a block\n x\n", "e": "last one"})
    );
    let report = engine().scan_source(&Source::new("tricky.yaml", tricky));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let lines: Vec<_> = report
        .notes
        .iter()
        .filter_map(|n| n.span.map(|s| s.start.line))
        .collect();
    assert_eq!(lines, [6, 11, 16]);
    // Ten pieces of 1 MB, each ending in 300 under-indented values: read in two readings each
    // (it took 80 s when each value cost a reading of its piece).
    let mut piece = String::from(head);
    for i in 0..25_000 {
        piece.push_str(&format!("  f{i}: vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv\n"));
    }
    for i in 0..300 {
        piece.push_str(&format!("  k{i}: \"a\n b\"\n"));
    }
    let text = vec![piece; 10].join("---\n");
    let started = std::time::Instant::now();
    let report = engine().scan_source(&Source::new("big.yaml", text));
    assert!(report.errors.is_empty(), "{:?}", report.errors.first());
    // 101 notes a piece (100, and one that counts the rest), 1,000 a file, and one more entry.
    assert_eq!(
        report
            .notes
            .iter()
            .filter(|n| n.message.contains("indented less"))
            .count(),
        1_000
    );
    let last = report.notes.last().map(|n| n.message.as_str()).unwrap_or_default();
    assert!(last.starts_with("10 more notes in this file"), "{last}");
    assert!(started.elapsed().as_secs() < 60, "took {:?}", started.elapsed());
}

/// When the quick reading is refuted, the re-readings that follow are bounded: past a number
/// that follows the piece's size, an under-indented value is an error, and time stays linear.
#[test]
fn refuted_guesses_leave_a_bounded_number_of_re_readings() {
    let mut piece = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n");
    piece.push_str("  a: \"x\n y\"\n  b: plain\n    'fake\n   quote'\n");
    for i in 0..10_000 {
        piece.push_str(&format!("  f{i}: vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv\n"));
    }
    for i in 0..300 {
        piece.push_str(&format!("  k{i}: \"a\n b\"\n"));
    }
    let started = std::time::Instant::now();
    let report = engine().scan_source(&Source::new("refuted.yaml", piece));
    let e = report.errors.first().unwrap_or_else(|| panic!("no error"));
    assert!(e.message.contains("re-reads a document for at most"), "{}", e.message);
    assert!(started.elapsed().as_secs() < 30, "took {:?}", started.elapsed());
}

/// A note on every line cannot fill memory: past 100 in a document, notes on tags are counted
/// in one more note (1.5 million ignored tags took 1.9 GB and 30 s).
#[test]
fn notes_per_document_are_bounded() {
    let mut text = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  a:\n");
    for _ in 0..50_000 {
        text.push_str("  - !x a\n");
    }
    let report = scan_with_survivor(&text);
    assert_eq!(report.notes.len(), 101, "{:?}", report.notes.last());
    let last = report.notes.last().map(|n| n.message.as_str()).unwrap_or_default();
    assert!(last.starts_with("49900 more notes on tags"), "{last}");
}

/// A file cannot fill memory with entries: past 1,000 errors (or notes) the rest are counted
/// in one more entry, and past 100,000 findings the rest of the file is not checked, with an
/// error that says so.
#[test]
fn entries_and_findings_per_file_are_bounded() {
    let doc = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: x}}\ndata:\n{}",
        "  a: 1\n".repeat(101)
    );
    let text = vec![doc; 30].join("---\n");
    let report = engine().scan_source(&Source::new("dups.yaml", text));
    assert_eq!(report.errors.len(), 1_001);
    let last = report.errors.last().map(|e| e.message.as_str()).unwrap_or_default();
    assert!(last.starts_with("2000 more errors in this file"), "{last}");
    assert_eq!(report.errors.last().and_then(|e| e.document), Some(10));

    let containers: String = (0..100).map(|i| format!("  - {{name: c{i}, image: x}}\n")).collect();
    let pod = format!("apiVersion: v1\nkind: Pod\nmetadata: {{name: x}}\nspec:\n  containers:\n{containers}");
    let text = vec![pod; 120].join("---\n");
    let report = engine().scan_source(&Source::new("many.yaml", text));
    assert!(report.findings.len() < 100_000 + 2_000, "{}", report.findings.len());
    let e = report.errors.last().unwrap_or_else(|| panic!("no error"));
    assert!(e.message.contains("more than 100000 findings"), "{}", e.message);
}

/// A complete object is not skipped for carrying a `$patch` key (the API server drops the
/// unknown key and applies it), nor a file for being named as a patch by a kustomization
/// (`kubectl apply -f DIR` applies it as it is): the dangerous values they set are judged.
#[test]
fn patches_cannot_hide_dangerous_values() {
    let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec:\n      hostPID: true\n      containers:\n      - name: c\n        image: nginx:1\n        securityContext: {privileged: true}\n        $patch: merge\n";
    let report = engine().scan_source(&Source::new("patch.yaml", text));
    assert!(
        has_finding(&report, "pod-security/baseline/privileged", "web"),
        "{:?}",
        report.findings
    );
    assert!(
        has_finding(&report, "pod-security/baseline/host-namespaces", "web"),
        "{:?}",
        report.findings
    );
    // What it does not set is not judged.
    assert!(
        report.findings.iter().all(|f| f.severity >= rempart::Severity::High),
        "{:?}",
        report.findings
    );
    assert!(report
        .notes
        .iter()
        .any(|n| n.message.contains("only the values it sets are checked")));

    let dir = std::env::temp_dir().join(format!("rempart-patch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("kustomization.yaml"), "patches:\n- path: evil.yaml\n").unwrap();
    std::fs::write(dir.join("evil.yaml"), PRIVILEGED).unwrap();
    let mut found = Vec::new();
    let totals = rempart::files::scan_paths(&engine(), &[dir.display().to_string()], &[], "", |report, _| {
        found.extend(report.findings.iter().map(|f| f.policy.clone()));
        Ok::<(), ()>(())
    })
    .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(found, ["pod-security/baseline/privileged"]);
    assert_eq!(totals.summary.findings, 1);
}
