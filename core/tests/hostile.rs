#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
//! Hostile input: every case ends in a clear, positioned error or a note, never a panic or a
//! hang, and the other documents of the same file are still checked.

use rempart::{Engine, Limits, Options, Source};

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
    let options = Options {
        limits: Limits {
            max_documents: 3,
            ..Limits::default()
        },
        ..Options::default()
    };
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
    let options = Options {
        limits: Limits {
            max_scalar_bytes: 50_000,
            ..Limits::default()
        },
        ..Options::default()
    };
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
    let options = Options {
        limits: Limits {
            max_input_bytes: 100,
            ..Limits::default()
        },
        ..Options::default()
    };
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
    let few = Options {
        limits: Limits {
            max_policies: 5,
            ..Limits::default()
        },
        ..Options::default()
    };
    let err = Engine::new(&few).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("more than the limit of 5"), "{err}");
}

/// A template action inside a quoted value is data (as in Prometheus rules); one in a comment
/// is an unrendered template: a positioned error, and the document is not checked.
#[test]
fn templates_in_comments_are_errors_and_in_quoted_values_data() {
    let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: \"{{ .Release.Name }}\"\nspec: {}\n";
    let report = engine().scan_source(&Source::new("chart.yaml", text));
    assert!(report.errors.is_empty() && report.notes.is_empty(), "{:?} {:?}", report.errors, report.notes);
    let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web # {{ .Release.Name }}\nspec: {}\n";
    let report = scan_with_survivor(text);
    assert!(first_error(&report).contains("unrendered template action `{{ .Release.Name }}` in a comment"), "{}", first_error(&report));
    assert_eq!(report.errors.first().and_then(|e| e.span).map(|s| (s.start.line, s.start.column)), Some((4, 15)));
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
    let github = rempart::report::github(&report);
    for line in github.lines() {
        assert!(
            line.starts_with("::error ") || line.starts_with("::warning ") || line.starts_with("::notice "),
            "{line}"
        );
    }
    assert!(!github.contains("\n::error file=x::pwned"));
    let junit = rempart::report::junit(&report, engine.policies());
    assert!(!junit.contains("<script>") && junit.contains("&lt;script&gt;&amp;"));
    assert!(!junit.chars().any(|c| c.is_control() && c != '\n' && c != '\t'));
    let sarif: serde_json::Value =
        serde_json::from_str(&rempart::report::sarif(&report, engine.policies(), "/repo")).unwrap();
    assert!(sarif["runs"][0]["results"].as_array().is_some_and(|r| !r.is_empty()));
    let text_out = rempart::report::text(&report, &[], false);
    assert!(
        !text_out.contains('\u{1b}'),
        "escape codes from the document reach the terminal"
    );
    let yaml = rempart::report::policy_report(&report);
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
    let small = Options {
        limits: Limits {
            max_comparisons: 5_000,
            ..Limits::default()
        },
        ..Options::default()
    };
    let stopped = Engine::new(&small).unwrap().scan_source(&Source::new("audit.yaml", text.clone()));
    let error = stopped.errors.iter().find(|e| e.message.contains("audit/sensitive-bodies")).unwrap_or_else(|| panic!("{:?}", stopped.errors));
    assert!(error.message.contains("was stopped on Policy after 5000 comparisons"), "{}", error.message);
    assert!(error.message.contains("`maxComparisons`"), "{}", error.message);
    assert_eq!(error.span.map(|s| s.start.line), Some(1));
    assert!(!stopped.findings.iter().any(|f| f.policy == "audit/sensitive-bodies"), "no partial findings");
    assert!(stopped.findings.iter().any(|f| f.policy == "audit/omit-request-received"));
    assert!(stopped.findings.iter().any(|f| f.policy == "pod-security/baseline/privileged"));
    // With the default budget the same policy finishes: every rule can log Secrets.
    let full = engine().scan_source(&Source::new("audit.yaml", text));
    assert!(full.errors.is_empty(), "{:?}", full.errors);
    let n = full.findings.iter().filter(|f| f.policy == "audit/sensitive-bodies").count();
    assert_eq!(n, 400 * 4, "Secrets, ConfigMaps, token requests and TokenReviews for each rule");
}
