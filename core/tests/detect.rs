#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
//! `rempart::detect`: audit events in every input layout and cloud format, one alert per
//! request across stages, aggregation windows, exceptions, and bad input.

use rempart::detect::{DetectReport, Detector, InputFormat};
use rempart::{Engine, Options, PolicyText};

/// A per-event rule (exec into a pod) beside the built-in aggregating ones.
const EXEC: &str = r#"
id: test/exec
title: Exec into a pod
severity: high
match: {kinds: [audit.k8s.io/Event]}
docs: {why: test, fix: test}
rules:
  - when: {path: objectRef.resource, equals: pods}
    deny: {path: objectRef.subresource, in: [exec, attach]}
    message: "`{user.username}` ran `{objectRef.subresource}` in pod `{objectRef.name}`"
tests:
  pass: [{kind: Event, apiVersion: audit.k8s.io/v1, verb: get, objectRef: {resource: pods, name: p}}]
  fail: [{kind: Event, apiVersion: audit.k8s.io/v1, verb: create, objectRef: {resource: pods, subresource: exec, name: p}}]
"#;

fn engine() -> Engine {
    Engine::new(&Options {
        policies: vec![PolicyText {
            name: "exec.yaml".into(),
            text: EXEC.into(),
        }],
        // The built-in twin of `test/exec` would alert on the same events.
        ignore: vec!["detect/exec-into-pod".into()],
        ..Options::default()
    })
    .unwrap()
}

fn exec_event(id: &str, stage: &str) -> String {
    format!(
        r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"{id}","stage":"{stage}","requestURI":"/api/v1/namespaces/prod/pods/web-0/exec?command=sh&stdin=true","verb":"create","user":{{"username":"alice","groups":["devs"]}},"sourceIPs":["203.0.113.9"],"objectRef":{{"resource":"pods","namespace":"prod","name":"web-0","apiVersion":"v1","subresource":"exec"}},"responseStatus":{{"code":101}},"requestReceivedTimestamp":"2024-05-01T10:00:00.000000Z","stageTimestamp":"2024-05-01T10:00:01.000000Z"}}"#
    )
}

fn run(text: &str) -> DetectReport {
    Detector::new(&engine()).text("audit.log", text)
}

fn rules(report: &DetectReport) -> Vec<(&str, usize)> {
    report.alerts.iter().map(|a| (a.rule.as_str(), a.line)).collect()
}

#[test]
fn json_lines_alert_with_the_event_fields_and_line() {
    let text = format!(
        "{}\n{}\n",
        exec_event("a", "ResponseComplete"),
        exec_event("b", "ResponseComplete")
    );
    let r = run(&text);
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert_eq!(rules(&r), vec![("test/exec", 1), ("test/exec", 2)]);
    let a = &r.alerts[0];
    assert_eq!(a.audit_id.as_deref(), Some("a"));
    assert_eq!(a.user.as_deref(), Some("alice"));
    assert_eq!(a.verb.as_deref(), Some("create"));
    assert_eq!(a.source_ips, vec!["203.0.113.9"]);
    assert_eq!(a.time.as_deref(), Some("2024-05-01T10:00:00.000000Z"));
    assert_eq!(a.path, "/objectRef/subresource");
    assert_eq!(a.object_ref.as_ref().unwrap().namespace.as_deref(), Some("prod"));
    assert_eq!(a.message, "`alice` ran `exec` in pod `web-0`");
    assert_eq!(a.input, InputFormat::K8s);
    assert_eq!(r.summary.events, 2);
    // Only the policies written for audit events judge them (not those for every kind).
    let detector = Detector::new(&engine());
    let ids: Vec<&str> = detector.policies().iter().map(|p| p.id.as_str()).collect();
    assert!(
        ids.contains(&"test/exec") && ids.contains(&"detect/bulk-secret-access"),
        "{ids:?}"
    );
    assert!(!ids.contains(&"secrets/credentials-in-config"), "{ids:?}");
}

#[test]
fn stages_of_one_request_alert_once() {
    let text = ["RequestReceived", "ResponseStarted", "ResponseComplete"]
        .map(|s| exec_event("same", s))
        .join("\n");
    let r = run(&text);
    assert_eq!(rules(&r), vec![("test/exec", 1)]);
    assert_eq!(r.summary.duplicates, 2);
    assert_eq!(r.summary.events, 3);
}

#[test]
fn arrays_and_event_lists_pretty_or_not() {
    let pretty_list = format!(
        "{{\n  \"kind\": \"EventList\",\n  \"apiVersion\": \"audit.k8s.io/v1\",\n  \"metadata\": {{}},\n  \"items\": [\n    {},\n    {}\n  ]\n}}\n",
        exec_event("x", "ResponseComplete"),
        exec_event("y", "ResponseComplete")
    );
    assert_eq!(rules(&run(&pretty_list)), vec![("test/exec", 6), ("test/exec", 7)]);
    let array = format!(
        "[{},\n{}]",
        exec_event("x", "ResponseComplete"),
        exec_event("y", "ResponseComplete")
    );
    assert_eq!(rules(&run(&array)), vec![("test/exec", 1), ("test/exec", 2)]);
    let compact = format!(
        "{{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\",\"items\":[{},{}]}}",
        exec_event("x", "ResponseComplete"),
        exec_event("y", "ResponseComplete")
    );
    assert_eq!(rules(&run(&compact)).len(), 2);
    // An event pretty-printed over lines points at the line of the value.
    let value: serde_json::Value = serde_json::from_str(&exec_event("p", "ResponseComplete")).unwrap();
    let pretty = serde_json::to_string_pretty(&value).unwrap();
    let r = run(&pretty);
    assert_eq!(r.alerts.len(), 1);
    let line = pretty.lines().position(|l| l.contains("\"subresource\"")).unwrap() + 1;
    assert_eq!(r.alerts[0].line, line);
}

#[test]
fn cloud_records_are_mapped() {
    let event = exec_event("c", "ResponseComplete");
    let aks = serde_json::json!({"category": "kube-audit", "operationName": "Microsoft.ContainerService/managedClusters/diagnosticLogs/Read", "properties": {"log": event, "stream": "stdout", "pod": "kube-apiserver-1"}, "time": "2024-05-01T10:00:01Z"});
    let eks = serde_json::json!({"@timestamp": "2024-05-01 10:00:01.000", "@logStream": "kube-apiserver-audit-1", "@message": exec_event("e", "ResponseComplete")});
    let eks_subscription = serde_json::json!({"messageType": "DATA_MESSAGE", "logGroup": "/aws/eks/c/cluster", "logEvents": [{"id": "1", "timestamp": 1, "message": exec_event("d", "ResponseComplete")}]});
    let gke = serde_json::json!({
        "insertId": "abc", "logName": "projects/p/logs/cloudaudit.googleapis.com%2Factivity",
        "operation": {"id": "g-1", "producer": "k8s.io", "first": true, "last": true},
        "protoPayload": {
            "@type": "type.googleapis.com/google.cloud.audit.AuditLog",
            "authenticationInfo": {"principalEmail": "bob@example.com"},
            "methodName": "io.k8s.core.v1.pods.exec.create",
            "requestMetadata": {"callerIp": "198.51.100.4", "callerSuppliedUserAgent": "kubectl/v1.30.0"},
            "resourceName": "core/v1/namespaces/prod/pods/web-0/exec",
            "serviceName": "k8s.io",
            "status": {"code": 0}
        },
        "timestamp": "2024-05-01T10:00:02Z",
        "labels": {"authorization.k8s.io/decision": "allow"}
    });
    let text = [aks, eks, eks_subscription, gke].map(|v| v.to_string()).join("\n");
    let r = run(&text);
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    let inputs: Vec<(InputFormat, usize)> = r.alerts.iter().map(|a| (a.input, a.line)).collect();
    assert_eq!(
        inputs,
        vec![
            (InputFormat::Aks, 1),
            (InputFormat::Eks, 2),
            (InputFormat::Eks, 3),
            (InputFormat::Gke, 4)
        ]
    );
    let g = &r.alerts[3];
    assert_eq!(g.user.as_deref(), Some("bob@example.com"));
    assert_eq!(g.audit_id.as_deref(), Some("g-1"));
    assert_eq!(g.verb.as_deref(), Some("create"));
    assert_eq!(g.source_ips, vec!["198.51.100.4"]);
    assert_eq!(g.message, "`bob@example.com` ran `exec` in pod `web-0`");
    // Forced to one format, the others are errors.
    let mut d = Detector::new(&engine()).with_format(InputFormat::Gke);
    let r = d.text("x", &text);
    assert_eq!(r.alerts.len(), 1);
    assert_eq!(r.errors.len(), 3);
    assert!(r.errors[0].message.contains("GKE"), "{}", r.errors[0].message);
}

#[test]
fn bad_input_is_an_error_per_line_and_never_an_alert() {
    let good = exec_event("g", "ResponseComplete");
    let huge = format!(
        r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"h","verb":"create","objectRef":{{"resource":"configmaps"}},"requestObject":{{"data":{{"k":"{}"}}}}}}"#,
        "x".repeat(2_000_000)
    );
    let lines = [
        good.clone(),                                                               // 1
        "{\"kind\": \"Event\", \"apiVersion\": ".into(),                            // 2: truncated
        "not json at all".into(),                                                   // 3
        r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}}"#.into(), // 4: not an event
        "[1, \"two\"]".into(),                                                      // 5: array of non-events
        r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1"}"#.into(),                // 6: no verb, user, objectRef
        "{\"a\": \"\u{1}\"}".into(),                                                // 7: control character
        huge,                                                                       // 8
        "\u{0}\u{0}\u{7f}garbage".into(),                                           // 9
        good.replace("\"g\"", "\"g2\""),                                            // 10
        good[..good.len() / 2].to_owned(),                                          // 11: truncated last line
    ];
    let mut text = lines.join("\n").into_bytes();
    // Invalid UTF-8 inside a string of line 12.
    text.extend_from_slice(b"\n{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"verb\":\"\xff\xfe\"}\n");
    text.extend_from_slice(&good.as_bytes()[..40]);
    let mut d = Detector::new(&engine());
    let mut alerts = Vec::new();
    let mut errors = Vec::new();
    d.read("bad.log", &text[..], &mut |x| match x {
        rempart::detect::Detection::Alert(a) => alerts.push(a.line),
        rempart::detect::Detection::Error(e) => errors.push((e.line, e.message)),
    })
    .unwrap();
    assert_eq!(alerts, vec![1, 10]);
    let lines: Vec<usize> = errors.iter().map(|e| e.0).collect();
    assert_eq!(lines, vec![2, 3, 4, 5, 5, 7, 9, 11, 12, 13], "{errors:#?}");
    assert!(errors[1].1.starts_with("not JSON"));
    assert!(errors[2].1.contains("`kind: Pod`"), "{}", errors[2].1);
    assert!(errors[9].1.contains("stream ends"), "{}", errors[9].1);
    for (_, m) in &errors {
        assert!(!m.contains('\u{0}') && !m.contains('\u{1}'), "{m:?}");
    }
}

#[test]
fn exceptions_cover_alerts_by_rule_user_and_namespace() {
    let config = "exceptions:\n  - policies: [test/exec]\n    match: {users: [alice], namespaces: [prod]}\n    reason: on-call debugging\n  - policies: [test/exec]\n    match: {users: [bob]}\n    reason: expired\n    expires: 2020-01-01\n";
    let source = rempart::Source::new(".rempart.yaml", config);
    let c = rempart::config::load_config(&source, std::path::Path::new(".")).unwrap();
    let today = rempart::engine::Date(2024, 6, 1);
    let text = [
        exec_event("1", "ResponseComplete"),
        exec_event("2", "ResponseComplete").replace("alice", "bob"),
        exec_event("3", "ResponseComplete").replace("\"prod\"", "\"dev\""),
    ]
    .join("\n");
    let mut d = Detector::new(&engine()).with_exceptions(c.exceptions.clone(), today);
    let r = d.text("audit.log", &text);
    assert_eq!(rules(&r), vec![("test/exec", 2), ("test/exec", 3)]);
    assert_eq!(r.summary.suppressed, 1);
    // An exception that names users covers no manifest finding.
    let scan = Engine::new(&Options::default()).unwrap().scan_source(&rempart::Source::new(
        "p.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: prod}\nspec: {containers: [{name: a, image: a, securityContext: {privileged: true}}]}\n",
    ));
    let f = scan
        .findings
        .iter()
        .find(|f| f.policy == "pod-security/baseline/privileged")
        .unwrap();
    let mut e = c.exceptions[0].clone();
    e.policies = vec!["pod-security".into()];
    e.namespaces.clear();
    assert!(!e.covers(f));
    e.users.clear();
    assert!(e.covers(f));
}

fn secret_read(n: usize, user: &str, seconds: u64) -> String {
    format!(
        r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"s{n}","stage":"ResponseComplete","verb":"get","user":{{"username":"{user}"}},"sourceIPs":["10.0.0.1"],"objectRef":{{"resource":"secrets","namespace":"prod","name":"secret-{n}","apiVersion":"v1"}},"responseStatus":{{"code":200}},"requestReceivedTimestamp":"2024-05-01T10:{:02}:{:02}Z"}}"#,
        seconds / 60,
        seconds % 60
    )
}

#[test]
fn aggregation_crosses_once_per_key_and_handles_late_events() {
    // Ten distinct Secrets by mallory in 9 minutes, one of them logged late; bob reads 9.
    let mut lines: Vec<String> = (0..10).map(|n| secret_read(n, "mallory", n as u64 * 60)).collect();
    lines.swap(3, 9);
    lines.extend((20..29).map(|n| secret_read(n, "bob", (n as u64 - 20) * 30)));
    // More reads by mallory within the same incident: no second alert.
    lines.extend((40..45).map(|n| secret_read(n, "mallory", 560)));
    let r = run(&lines.join("\n"));
    let bulk: Vec<_> = r
        .alerts
        .iter()
        .filter(|a| a.rule == "detect/bulk-secret-access")
        .collect();
    assert_eq!(bulk.len(), 1, "{:#?}", r.alerts);
    let a = bulk[0];
    assert_eq!(a.user.as_deref(), Some("mallory"));
    assert_eq!(a.line, 10);
    let agg = a.aggregate.as_ref().unwrap();
    assert_eq!(agg.count, 10);
    assert_eq!(agg.first, "2024-05-01T10:00:00Z");
    assert!(
        a.message
            .contains("10 distinct `objectRef.name` values for user.username `mallory` within 10m"),
        "{}",
        a.message
    );
    // A manifest scan never runs an aggregating rule, even on an event.
    let scan = engine().scan_source(&rempart::Source::new("e.json", secret_read(1, "m", 0)));
    assert!(scan.findings.iter().all(|f| f.policy != "detect/bulk-secret-access"));
}
