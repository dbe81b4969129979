#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
//! What makes adoption easy: the configuration file, exceptions with expiry, baselines that
//! survive line shifts, suppression comments, path excludes.

use std::path::Path;

mod common;
use common::Dir;

/// Runs `rempart ARGS` in `d`: exit code, the JSON report (or null), stdout then stderr.
fn run(d: &Dir, args: &[&str]) -> (i32, serde_json::Value, String) {
    let o = d.run(args);
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    let json = serde_json::from_str(&stdout).unwrap_or(serde_json::Value::Null);
    (
        o.status.code().unwrap_or(-1),
        json,
        stdout + &String::from_utf8_lossy(&o.stderr),
    )
}

const WEB: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: nginx:latest\n";

fn policies(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["policy"].as_str().unwrap().to_owned())
        .collect()
}

fn scan<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["scan", "--format", "json"];
    args.extend_from_slice(extra);
    args
}

#[test]
fn configuration_file_is_found_upward_and_flags_override_it() {
    let d = Dir::new("config");
    d.write(".rempart.yaml", "select: [images]\nfailOn: high\n")
        .write("k8s/app/web.yaml", WEB);
    let (code, report, out) = run(&d, &scan(&["k8s/app"]));
    assert_eq!(code, 0, "a medium finding does not fail at `failOn: high`: {out}");
    assert_eq!(policies(&report), vec!["images/latest-tag"]);
    let (code, _, _) = run(&d, &scan(&["k8s/app", "--fail-on", "low"]));
    assert_eq!(code, 1);
    let (code, report, _) = run(&d, &scan(&["k8s/app", "--select", "workload/resource-limits"]));
    assert_eq!(code, 0);
    assert!(policies(&report).iter().all(|p| p == "workload/resource-limits"));
    let (code, config, out) = run(&d, &["config", "k8s/app"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(config["select"], serde_json::json!(["images"]));
    assert_eq!(config["failOn"], "high");
    assert!(config["configFile"].as_str().unwrap().ends_with(".rempart.yaml"));
    let (_, report, _) = run(&d, &scan(&["k8s/app", "--no-config", "--fail-on", "none"]));
    assert!(policies(&report).len() > 1);
}

#[test]
fn configuration_mistakes_are_positioned() {
    let d = Dir::new("badconfig");
    d.write("rempart.yaml", "select: [images]\nfailon: high\npodSecurity: {level: strict}\nexceptions:\n  - policies: [images/latest-tag]\n").write("web.yaml", WEB);
    let (code, _, out) = run(&d, &scan(&["."]));
    assert_eq!(code, 2);
    assert!(
        out.contains("rempart.yaml:2:1: unknown field `failon` in the configuration; did you mean `failOn`?"),
        "{out}"
    );
    assert!(out.contains("rempart.yaml:3:22: `podSecurity.level` is"), "{out}");
    assert!(
        out.contains("rempart.yaml:5:5: an exception (say why the finding is accepted) needs `reason`"),
        "{out}"
    );
}

#[test]
fn exceptions_apply_until_they_expire_and_stale_ones_are_reported() {
    let d = Dir::new("exceptions");
    d.write(
        ".rempart.yaml",
        "select: [images]\nexceptions:\n  - policies: [images/latest-tag]\n    match: {kinds: [apps/Deployment], names: [web], files: [\"k8s/**\"]}\n    reason: the tag is rewritten to a digest at release\n    expires: 2027-06-30\n  - policies: [images/]\n    match: {namespaces: [legacy-*]}\n    reason: the legacy namespace is being retired\n",
    )
    .write("k8s/web.yaml", WEB);
    let (code, report, out) = run(&d, &scan(&["k8s", "--today", "2027-01-01"]));
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        policies(&report),
        vec!["rempart/exception-stale"],
        "the second exception covers nothing"
    );
    assert_eq!(report["findings"][0]["severity"], "info");
    assert_eq!(report["findings"][0]["file"], ".rempart.yaml");
    assert_eq!(report["findings"][0]["span"]["start"]["line"], 7);
    assert_eq!(report["summary"]["suppressed"], 1);
    let (code, report, _) = run(&d, &scan(&["k8s", "--today", "2027-07-01"]));
    assert_eq!(code, 1);
    let found = policies(&report);
    assert!(
        found.contains(&"images/latest-tag".to_owned()) && found.contains(&"rempart/exception-expired".to_owned()),
        "{found:?}"
    );
    let expired = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["policy"] == "rempart/exception-expired")
        .unwrap();
    assert_eq!(expired["span"]["start"]["line"], 6, "points at `expires`");
    assert!(expired["message"].as_str().unwrap().contains("expired on 2027-06-30"));
    // A separate exceptions file works the same way.
    d.write(
        "exceptions.yaml",
        "exceptions:\n  - policies: [images/latest-tag]\n    reason: accepted\n",
    );
    let (code, report, _) = run(
        &d,
        &scan(&[
            "k8s",
            "--no-config",
            "--select",
            "images",
            "--exceptions",
            "exceptions.yaml",
        ]),
    );
    assert_eq!((code, policies(&report).len()), (0, 0));
}

#[test]
fn baseline_hides_known_findings_through_line_shifts_and_reordering() {
    let d = Dir::new("baseline");
    let other = "apiVersion: v1\nkind: Pod\nmetadata: {name: other, namespace: shop}\nspec:\n  containers: [{name: a, image: \"busybox:latest\"}]\n";
    d.write("app.yaml", &format!("{WEB}---\n{other}"));
    let (code, before, _) = run(&d, &scan(&["app.yaml", "--write-baseline", "baseline.json"]));
    assert_eq!(code, 1);
    let known = before["findings"].as_array().unwrap().len();
    assert!(known > 2);
    let baseline: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.0.join("baseline.json")).unwrap()).unwrap();
    assert_eq!(baseline["findings"].as_array().unwrap().len(), known);
    // Comments above, the documents swapped: the same findings, on other lines.
    d.write("app.yaml", &format!("# moved\n# around\n{other}---\n\n{WEB}"));
    let (code, after, out) = run(&d, &scan(&["app.yaml", "--baseline", "baseline.json"]));
    assert_eq!(code, 0, "{out}");
    assert_eq!(after["findings"].as_array().unwrap().len(), 0);
    assert_eq!(after["summary"]["baselined"], known);
    // Something new is reported.
    d.write(
        "app.yaml",
        &format!(
            "{other}---\n{}",
            WEB.replace("containers:", "hostPID: true\n      containers:")
        ),
    );
    let (code, after, _) = run(&d, &scan(&["app.yaml", "--baseline", "baseline.json"]));
    assert_eq!(code, 1);
    assert_eq!(policies(&after), vec!["pod-security/baseline/host-namespaces"]);
    assert!(Path::new(&d.0.join("baseline.json")).exists());
}

#[test]
fn suppression_comments_on_the_line_or_above() {
    let d = Dir::new("comments");
    let text = WEB.replace("        image: nginx:latest\n", "        # rempart:ignore images/latest-tag pinned by the release pipeline\n        image: nginx:latest\n        imagePullPolicy: Always # rempart:ignore workload/\n");
    d.write("web.yaml", &text);
    let (_, report, _) = run(
        &d,
        &scan(&[
            "web.yaml", "--select", "images", "--select", "workload", "--select", "rempart",
        ]),
    );
    let found = policies(&report);
    assert!(!found.contains(&"images/latest-tag".to_owned()), "{found:?}");
    assert!(
        found.contains(&"rempart/suppression-without-reason".to_owned()),
        "{found:?}"
    );
    assert_eq!(report["summary"]["suppressed"], 1);
}

#[test]
fn excluded_paths_are_not_read() {
    let d = Dir::new("exclude");
    d.write(".rempart.yaml", "exclude: [\"vendor/**\", \"**/*.generated.yaml\"]\n")
        .write("vendor/chart/web.yaml", WEB)
        .write("k8s/web.generated.yaml", WEB)
        .write("k8s/web.yaml", WEB);
    let (_, report, _) = run(&d, &scan(&["."]));
    // The web manifest, and the configuration file (read as `kubectl apply -R -f .` reads it:
    // its document is not a Kubernetes object).
    assert_eq!(report["summary"]["files"], 2);
    assert_eq!(report["summary"]["skipped"], 1);
    assert!(report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["file"] == "./k8s/web.yaml" || f["file"] == "k8s/web.yaml"));
}
