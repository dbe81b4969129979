#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
//! Pod Security cases the upstream fixtures do not cover: ephemeral containers, AppArmor
//! fields, Windows pods, `container_engine_t`, user namespaces, YAML 1.1 booleans, anchors.

use std::collections::BTreeSet;

use rempart::{Engine, LevelChoice, Options, Source};

/// The upstream check ids found in `text` at `level` and `version`, with their pointers.
fn checks(level: &str, version: &str, text: &str) -> BTreeSet<(String, String)> {
    let options = Options::pod_security(LevelChoice::parse(level).unwrap_or_default(), version);
    let report = Engine::new(&options).unwrap().scan_source(&Source::new("t.yaml", text));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    report
        .findings
        .iter()
        .filter_map(|f| {
            let check = f.standards.get("pod-security")?.get("check")?.as_str()?.to_owned();
            assert_eq!(
                f.standards["pod-security"]["version"],
                version.replace("latest", "v1.37")
            );
            Some((check, f.path.clone()))
        })
        .collect()
}

fn has(found: &BTreeSet<(String, String)>, check: &str, path: &str) -> bool {
    found.contains(&(check.to_owned(), path.to_owned()))
}

/// A pod that passes the restricted level, plus `extra` under `spec:` (indented by two).
fn restricted_pod(extra: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  securityContext: {{runAsNonRoot: true, seccompProfile: {{type: RuntimeDefault}}}}\n  containers:\n  - name: app\n    image: x:1\n    securityContext: {{allowPrivilegeEscalation: false, capabilities: {{drop: [ALL]}}}}\n{extra}"
    )
}

#[test]
fn the_restricted_pod_passes() {
    assert!(checks("restricted", "latest", &restricted_pod("")).is_empty());
}

#[test]
fn ephemeral_containers_are_checked() {
    let pod = restricted_pod("  ephemeralContainers:\n  - name: debug\n    image: busybox:1\n    securityContext: {privileged: true, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}\n");
    let found = checks("baseline", "latest", &pod);
    assert!(
        has(
            &found,
            "privileged",
            "/spec/ephemeralContainers/0/securityContext/privileged"
        ),
        "{found:?}"
    );
}

#[test]
fn apparmor_fields() {
    let pod = restricted_pod("  initContainers:\n  - name: init\n    image: x:1\n    securityContext: {appArmorProfile: {type: Unconfined}, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}\n");
    assert!(has(
        &checks("baseline", "v1.30", &pod),
        "appArmorProfile",
        "/spec/initContainers/0/securityContext/appArmorProfile/type"
    ));
    let ok = restricted_pod("  initContainers:\n  - name: init\n    image: x:1\n    securityContext: {appArmorProfile: {type: Localhost, localhostProfile: k8s-apparmor}, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}\n");
    assert!(checks("restricted", "v1.30", &ok).is_empty());
}

#[test]
fn windows_pods_are_exempt_from_v1_25() {
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: w}\nspec:\n  os: {name: windows}\n  securityContext: {runAsNonRoot: true}\n  containers:\n  - {name: app, image: x:1}\n";
    let before: BTreeSet<String> = checks("restricted", "v1.24", pod).into_iter().map(|c| c.0).collect();
    let expected: BTreeSet<String> = [
        "allowPrivilegeEscalation",
        "capabilities_restricted",
        "seccompProfile_restricted",
    ]
    .map(String::from)
    .into();
    assert_eq!(before, expected);
    assert!(checks("restricted", "v1.25", pod).is_empty());
}

#[test]
fn container_engine_t_is_allowed_from_v1_31() {
    let pod = restricted_pod("  hostIPC: false\n").replace(
        "capabilities: {drop: [ALL]}}",
        "capabilities: {drop: [ALL]}, seLinuxOptions: {type: container_engine_t}}",
    );
    assert!(has(
        &checks("baseline", "v1.30", &pod),
        "seLinuxOptions",
        "/spec/containers/0/securityContext/seLinuxOptions/type"
    ));
    assert!(checks("baseline", "v1.31", &pod).is_empty());
}

#[test]
fn user_namespaces() {
    let unmasked = "apiVersion: v1\nkind: Pod\nmetadata: {name: u}\nspec:\n  hostUsers: false\n  containers:\n  - {name: app, image: x:1, securityContext: {procMount: Unmasked, runAsUser: 0}}\n";
    assert!(has(
        &checks("baseline", "v1.34", unmasked),
        "procMount",
        "/spec/containers/0/securityContext/procMount"
    ));
    assert!(checks("baseline", "v1.35", unmasked).is_empty());
    let restricted: BTreeSet<String> = checks("restricted", "v1.35", unmasked)
        .into_iter()
        .map(|c| c.0)
        .collect();
    assert!(restricted.contains("procMount_restricted"), "{restricted:?}");
    assert!(
        !restricted.contains("runAsNonRoot") && !restricted.contains("runAsUser"),
        "{restricted:?}"
    );
}

#[test]
fn yaml_1_1_booleans_count() {
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: b}\nspec:\n  hostNetwork: on\n  hostPID: \"on\"\n  containers:\n  - {name: app, image: x:1, securityContext: {privileged: yes}}\n";
    let found = checks("baseline", "latest", pod);
    assert!(has(&found, "hostNamespaces", "/spec/hostNetwork"));
    assert!(
        !has(&found, "hostNamespaces", "/spec/hostPID"),
        "a quoted \"on\" is a string: {found:?}"
    );
    assert!(has(
        &found,
        "privileged",
        "/spec/containers/0/securityContext/privileged"
    ));
}

#[test]
fn anchors_and_aliases() {
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n  - {name: one, image: x:1, securityContext: &sc {capabilities: {add: [SYS_ADMIN]}}}\n  - {name: two, image: x:1, securityContext: *sc}\n";
    let found = checks("baseline", "latest", pod);
    assert!(has(
        &found,
        "capabilities_baseline",
        "/spec/containers/0/securityContext/capabilities/add/0"
    ));
    assert!(has(
        &found,
        "capabilities_baseline",
        "/spec/containers/1/securityContext/capabilities/add/0"
    ));
}

#[test]
fn engine_is_send_and_sync() {
    fn shared<T: Send + Sync>() {}
    shared::<Engine>();
}
