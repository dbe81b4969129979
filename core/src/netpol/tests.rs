//! Table tests, one per semantic rule of the module documentation (from the Kubernetes API
//! reference and the "Network Policies" concept page).

use super::render;
use super::*;

fn analysis(yaml: &str) -> Analysis {
    Analysis::read([&Source::new("t.yaml", yaml)], &Limits::default())
}

/// A Deployment `name` in `ns` with pod labels `labels` (`k: v, …`) and container ports.
fn deploy(ns: &str, name: &str, labels: &str, ports: &str) -> String {
    format!(
        "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n  selector: {{matchLabels: {{{labels}}}}}\n  template:\n    metadata: {{labels: {{{labels}}}}}\n    spec:\n      containers: [{{name: c, image: i, ports: [{ports}]}}]\n"
    )
}

fn policy(ns: &str, name: &str, spec: &str) -> String {
    format!("---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: {name}, namespace: {ns}}}\nspec: {spec}\n")
}

fn namespace(name: &str, labels: &str) -> String {
    format!("---\napiVersion: v1\nkind: Namespace\nmetadata: {{name: {name}, labels: {{{labels}}}}}\n")
}

/// The ports allowed from `src` to `dst` (`ns/name`).
fn conn(a: &Analysis, src: &str, dst: &str) -> String {
    let s = a.find(src).unwrap();
    let d = a.find(dst).unwrap();
    a.between(s, d).display()
}

fn three() -> String {
    [
        deploy("a", "web", "app: web", "{containerPort: 8080, name: http}"),
        deploy("a", "db", "app: db", "{containerPort: 5432, name: pg}"),
        deploy("b", "client", "app: client", ""),
    ]
    .concat()
}

#[test]
fn without_policies_everything_is_allowed() {
    let a = analysis(&three());
    assert_eq!(conn(&a, "a/web", "a/db"), "All Connections");
    assert_eq!(conn(&a, "b/client", "a/web"), "All Connections");
    let lines = render::sorted(&a, &a.connectivity()).connections;
    // 3 workloads: 6 pairs, and each with the outside world both ways.
    assert_eq!(lines.len(), 6 + 6);
    assert!(lines
        .iter()
        .any(|l| l.src == "0.0.0.0-255.255.255.255[External]" && l.dst == "a/web[Deployment]"));
}

#[test]
fn an_empty_pod_selector_selects_every_pod_of_its_namespace_only() {
    let yaml = three() + &policy("a", "deny", "{podSelector: {}}");
    let a = analysis(&yaml);
    assert_eq!(conn(&a, "b/client", "a/web"), "No Connections");
    assert_eq!(conn(&a, "a/web", "a/db"), "No Connections");
    // The policy is in `a`: `b` is not isolated, and egress is not isolated (Ingress only).
    assert_eq!(conn(&a, "a/web", "b/client"), "All Connections");
    assert_eq!(a.selects.first().map(Vec::len), Some(2));
}

#[test]
fn policy_types_default_to_ingress_and_to_egress_when_egress_rules_exist() {
    // Egress rules, no policyTypes: Ingress and Egress both isolate.
    let yaml = three()
        + &policy(
            "a",
            "p",
            "{podSelector: {matchLabels: {app: web}}, egress: [{to: [{podSelector: {matchLabels: {app: db}}}]}]}",
        );
    let a = analysis(&yaml);
    assert_eq!(conn(&a, "a/web", "a/db"), "All Connections");
    assert_eq!(conn(&a, "a/web", "b/client"), "No Connections");
    assert_eq!(
        conn(&a, "a/db", "a/web"),
        "No Connections",
        "ingress isolated by default"
    );
    // Only Egress listed: ingress stays open, egress denied (no rules).
    let a = analysis(
        &(three()
            + &policy(
                "a",
                "p",
                "{podSelector: {matchLabels: {app: web}}, policyTypes: [Egress]}",
            )),
    );
    assert_eq!(conn(&a, "a/db", "a/web"), "All Connections");
    assert_eq!(conn(&a, "a/web", "a/db"), "No Connections");
    // `egress: []` without policyTypes: not an egress policy.
    let a = analysis(&(three() + &policy("a", "p", "{podSelector: {matchLabels: {app: web}}, egress: []}")));
    assert_eq!(conn(&a, "a/web", "a/db"), "All Connections");
    assert_eq!(conn(&a, "a/db", "a/web"), "No Connections");
}

#[test]
fn an_empty_rule_list_allows_nothing_and_an_empty_rule_everything() {
    let a = analysis(&(three() + &policy("a", "p", "{podSelector: {}, ingress: []}")));
    assert_eq!(conn(&a, "b/client", "a/db"), "No Connections");
    let a = analysis(&(three() + &policy("a", "p", "{podSelector: {}, ingress: [{}]}")));
    assert_eq!(conn(&a, "b/client", "a/db"), "All Connections");
    // `from: []` and `ports: []` mean every peer and every port.
    let a = analysis(&(three() + &policy("a", "p", "{podSelector: {}, ingress: [{from: [], ports: []}]}")));
    assert_eq!(conn(&a, "b/client", "a/db"), "All Connections");
    let ext = a.external(a.find("a/db").unwrap(), Direction::Ingress);
    assert_eq!(ext.len(), 1);
}

#[test]
fn a_pod_selector_peer_means_pods_of_the_policys_namespace() {
    let yaml = three()
        + &deploy("b", "web", "app: web", "")
        + &policy(
            "a",
            "p",
            "{podSelector: {matchLabels: {app: db}}, ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]}",
        );
    let a = analysis(&yaml);
    assert_eq!(conn(&a, "a/web", "a/db"), "All Connections");
    assert_eq!(conn(&a, "b/web", "a/db"), "No Connections");
}

#[test]
fn namespace_selectors_read_namespace_labels_and_the_automatic_name_label() {
    let yaml = three()
        + &deploy("c", "other", "app: client", "")
        + &namespace("b", "team: x")
        + &policy("a", "p", "{podSelector: {matchLabels: {app: db}}, ingress: [{from: [{namespaceSelector: {matchLabels: {team: x}}}]}]}");
    let a = analysis(&yaml);
    assert_eq!(conn(&a, "b/client", "a/db"), "All Connections");
    assert_eq!(conn(&a, "c/other", "a/db"), "No Connections");
    assert_eq!(
        conn(&a, "a/web", "a/db"),
        "No Connections",
        "a namespace selector does not include its own namespace by default"
    );
    // The automatic label, also for a namespace without a Namespace object.
    let yaml = three()
        + &deploy("c", "other", "app: client", "")
        + &policy("a", "p", "{podSelector: {matchLabels: {app: db}}, ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: c}}}]}]}");
    let a = analysis(&yaml);
    assert_eq!(conn(&a, "c/other", "a/db"), "All Connections");
    assert_eq!(conn(&a, "b/client", "a/db"), "No Connections");
    // Empty: every namespace.
    let yaml = three()
        + &policy(
            "a",
            "p",
            "{podSelector: {matchLabels: {app: db}}, ingress: [{from: [{namespaceSelector: {}}]}]}",
        );
    let a = analysis(&yaml);
    assert_eq!(conn(&a, "b/client", "a/db"), "All Connections");
    assert_eq!(conn(&a, "a/web", "a/db"), "All Connections");
}

#[test]
fn both_selectors_in_one_peer_are_and_two_peers_are_or() {
    let base = three() + &deploy("b", "other", "app: other", "") + &namespace("b", "team: x");
    let and = policy("a", "p", "{podSelector: {matchLabels: {app: db}}, ingress: [{from: [{namespaceSelector: {matchLabels: {team: x}}, podSelector: {matchLabels: {app: client}}}]}]}");
    let a = analysis(&(base.clone() + &and));
    assert_eq!(conn(&a, "b/client", "a/db"), "All Connections");
    assert_eq!(conn(&a, "b/other", "a/db"), "No Connections");
    let or = policy("a", "p", "{podSelector: {matchLabels: {app: db}}, ingress: [{from: [{namespaceSelector: {matchLabels: {team: x}}}, {podSelector: {matchLabels: {app: web}}}]}]}");
    let a = analysis(&(base + &or));
    assert_eq!(conn(&a, "b/other", "a/db"), "All Connections");
    assert_eq!(conn(&a, "a/web", "a/db"), "All Connections");
}

#[test]
fn match_expressions_in_notin_exists_doesnotexist() {
    let base = [
        deploy("a", "t", "app: t", ""),
        deploy("a", "x", "tier: x", ""),
        deploy("a", "v", "tier: v", ""),
        deploy("a", "z", "other: z", ""),
    ]
    .concat();
    let case = |expr: &str| -> Vec<&'static str> {
        let yaml = base.clone()
            + &policy("a", "p", &format!("{{podSelector: {{matchLabels: {{app: t}}}}, ingress: [{{from: [{{podSelector: {{matchExpressions: [{expr}]}}}}]}}]}}"));
        let a = analysis(&yaml);
        ["a/x", "a/v", "a/z"]
            .into_iter()
            .filter(|s| conn(&a, s, "a/t") == "All Connections")
            .collect()
    };
    assert_eq!(case("{key: tier, operator: In, values: [x]}"), ["a/x"]);
    assert_eq!(
        case("{key: tier, operator: NotIn, values: [x]}"),
        ["a/v", "a/z"],
        "a missing key satisfies NotIn"
    );
    assert_eq!(case("{key: tier, operator: Exists}"), ["a/x", "a/v"]);
    assert_eq!(case("{key: tier, operator: DoesNotExist}"), ["a/z"]);
}

#[test]
fn ip_blocks_with_except_are_outside_addresses_cut_into_disjoint_ranges() {
    let yaml = three()
        + &policy("a", "p", "{podSelector: {matchLabels: {app: web}}, ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}], ports: [{port: 80}]}]}");
    let a = analysis(&yaml);
    let lines = render::text(&render::sorted(&a, &a.connectivity_of(a.find("a/web").unwrap())));
    assert!(
        lines.contains("10.0.0.0-10.0.255.255[External] => a/web[Deployment] : TCP 80\n"),
        "{lines}"
    );
    assert!(
        lines.contains("10.2.0.0-10.255.255.255[External] => a/web[Deployment] : TCP 80\n"),
        "{lines}"
    );
    assert!(!lines.contains("10.1.0.0"), "{lines}");
    // An ipBlock never stands for pods.
    assert_eq!(conn(&a, "a/db", "a/web"), "No Connections");
    // Egress stays open to the whole outside world.
    assert!(
        lines.contains("a/web[Deployment] => 0.0.0.0-255.255.255.255[External] : All Connections\n"),
        "{lines}"
    );
}

#[test]
fn ports_numbers_ranges_protocols_and_named_ports() {
    let yaml = three()
        + &policy("a", "p", "{podSelector: {matchLabels: {app: web}}, ingress: [{ports: [{port: 80}, {port: 9000, endPort: 9010, protocol: TCP}, {protocol: UDP, port: 53}, {protocol: SCTP}, {port: http}, {port: pg}]}]}");
    let a = analysis(&yaml);
    // `http` is web's container port 8080; `pg` is db's, not web's: it resolves to nothing.
    assert_eq!(conn(&a, "a/db", "a/web"), "TCP 80,8080,9000-9010,UDP 53,SCTP");
    // Egress named ports resolve against the destination.
    let yaml = three()
        + &policy(
            "a",
            "p",
            "{podSelector: {matchLabels: {app: web}}, policyTypes: [Egress], egress: [{ports: [{port: pg}]}]}",
        );
    let a = analysis(&yaml);
    assert_eq!(conn(&a, "a/web", "a/db"), "TCP 5432");
    assert_eq!(conn(&a, "a/web", "b/client"), "No Connections");
    let ext = a.external(a.find("a/web").unwrap(), Direction::Egress);
    assert!(ext.is_empty(), "outside addresses have no named ports");
}

#[test]
fn a_connection_needs_the_sources_egress_and_the_destinations_ingress() {
    let yaml = three()
        + &policy("a", "in", "{podSelector: {matchLabels: {app: db}}, ingress: [{ports: [{port: 5432}, {port: 5433}]}]}")
        + &policy("a", "out", "{podSelector: {matchLabels: {app: web}}, policyTypes: [Egress], egress: [{ports: [{port: 5432}, {port: 6000}]}]}");
    let a = analysis(&yaml);
    assert_eq!(conn(&a, "a/web", "a/db"), "TCP 5432");
    assert_eq!(conn(&a, "b/client", "a/db"), "TCP 5432-5433");
    // Policies add up: a second policy on db opens more.
    let yaml = yaml + &policy("a", "more", "{podSelector: {}, ingress: [{ports: [{port: 6000}]}]}");
    let a = analysis(&yaml);
    assert_eq!(conn(&a, "a/web", "a/db"), "TCP 5432,6000");
}

#[test]
fn pods_with_owners_are_grouped_under_them_and_owned_templates_fold_into_their_owner() {
    let pod = |name: &str, owner: &str| {
        format!("---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: a\n  labels: {{app: x}}\n  ownerReferences: [{owner}]\nspec:\n  containers: [{{name: c, image: i}}]\n")
    };
    let rs_owner = "{apiVersion: apps/v1, kind: ReplicaSet, name: x-1, controller: true, uid: u}";
    let yaml = pod("x-1-a", rs_owner) + &pod("x-1-b", rs_owner) + &pod("lone", "");
    let a = analysis(&yaml);
    let names: Vec<String> = a.workloads.iter().map(Workload::display).collect();
    assert_eq!(names, ["a/x-1[ReplicaSet]", "a/lone[Pod]"]);
    // The ReplicaSet in the set, owned by a Deployment in the set: one workload, the Deployment.
    let rs = "---\napiVersion: apps/v1\nkind: ReplicaSet\nmetadata:\n  name: x-1\n  namespace: a\n  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: x, controller: true}]\nspec:\n  template: {metadata: {labels: {app: x}}, spec: {containers: [{name: c, image: i}]}}\n";
    let yaml = deploy("a", "x", "app: x", "") + rs + &pod("x-1-a", rs_owner);
    let a = analysis(&yaml);
    let names: Vec<String> = a.workloads.iter().map(Workload::display).collect();
    assert_eq!(names, ["a/x[Deployment]"]);
    // Every template kind is a workload; a missing namespace is `default`.
    let kinds = "---\napiVersion: batch/v1\nkind: CronJob\nmetadata: {name: cj}\nspec: {schedule: '* * * * *', jobTemplate: {spec: {template: {metadata: {labels: {a: b}}, spec: {containers: []}}}}}\n---\napiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: ds}\nspec: {template: {spec: {containers: []}}}\n---\napiVersion: v1\nkind: PodTemplate\nmetadata: {name: pt}\ntemplate: {spec: {containers: []}}\n";
    let a = analysis(kinds);
    let names: Vec<String> = a.workloads.iter().map(Workload::display).collect();
    assert_eq!(names, ["default/cj[CronJob]", "default/ds[DaemonSet]"]);
    assert_eq!(
        a.workloads.first().map(|w| w.labels.clone()),
        Some(vec![("a".to_owned(), "b".to_owned())])
    );
}

#[test]
fn invalid_policies_are_left_out_with_positioned_errors_and_the_rest_runs() {
    let bad = [
        (
            "{podSelector: {}, ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/33}}]}]}",
            "prefix length",
        ),
        (
            "{podSelector: {}, ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8, except: [11.0.0.0/16]}}]}]}",
            "strict subset",
        ),
        (
            "{podSelector: {}, ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.0.0.0/8]}}]}]}",
            "strict subset",
        ),
        (
            "{podSelector: {}, ingress: [{ports: [{protocol: ICMP}]}]}",
            "not a protocol",
        ),
        (
            "{podSelector: {}, ingress: [{ports: [{protocol: tcp}]}]}",
            "not a protocol",
        ),
        (
            "{podSelector: {matchExpressions: [{key: a, operator: in, values: [b]}]}}",
            "operator",
        ),
        (
            "{podSelector: {matchExpressions: [{key: a, operator: In}]}}",
            "at least one value",
        ),
        (
            "{podSelector: {matchExpressions: [{key: a, operator: Exists, values: [b]}]}}",
            "take no",
        ),
        ("{podSelector: {}, ingress: [{ports: [{port: 70000}]}]}", "not a port"),
        ("{podSelector: {}, ingress: [{ports: [{port: 0}]}]}", "not a port"),
        (
            "{podSelector: {}, ingress: [{ports: [{port: 90, endPort: 80}]}]}",
            "below",
        ),
        (
            "{podSelector: {}, ingress: [{ports: [{port: http, endPort: 80}]}]}",
            "numeric",
        ),
        ("{podSelector: {}, ingress: [{ports: [{port: \"80\"}]}]}", "port name"),
        ("{podSelector: {}, ingress: [{from: [{}]}]}", "must name"),
        (
            "{podSelector: {}, ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}]}]}",
            "may not also",
        ),
        ("{podSelector: {}, policyTypes: [ingress]}", "policy type"),
    ];
    for (spec, words) in bad {
        let yaml = three() + &policy("a", "bad", spec) + &policy("b", "good", "{podSelector: {}}");
        let a = analysis(&yaml);
        let problems = a.problems();
        let p = problems.first().unwrap_or_else(|| panic!("no error for {spec}"));
        assert!(p.error && p.message.contains(words), "{spec}: {}", p.message);
        assert!(p.message.contains("left out"), "{}", p.message);
        assert!(
            p.place.start.line > 1 && p.place.path.starts_with("/spec"),
            "{spec}: {:?}",
            p.place
        );
        assert_eq!(a.policies.len(), 1, "{spec}");
        assert_eq!(
            conn(&a, "a/web", "a/db"),
            "All Connections",
            "{spec}: the bad policy is left out"
        );
        assert_eq!(
            conn(&a, "a/web", "b/client"),
            "No Connections",
            "{spec}: the good one applies"
        );
    }
}

#[test]
fn named_ports_no_selected_container_exposes_are_noted() {
    let yaml = three() + &policy("a", "p", "{podSelector: {matchLabels: {app: web}}, ingress: [{ports: [{port: http}, {port: https}, {port: http, protocol: UDP}]}]}");
    let a = analysis(&yaml);
    let notes: Vec<String> = a
        .problems()
        .iter()
        .filter(|p| !p.error)
        .map(|p| format!("{} {}", p.place.path, p.message))
        .collect();
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(
        notes
            .first()
            .unwrap()
            .starts_with("/spec/ingress/0/ports/1/port no container"),
        "{notes:?}"
    );
    assert!(notes.get(1).unwrap().contains("UDP port named `http`"), "{notes:?}");
}

#[test]
fn duplicates_keep_the_last_and_are_errors() {
    let yaml = three() + &policy("a", "p", "{podSelector: {}}") + &policy("a", "p", "{podSelector: {}, ingress: [{}]}");
    let a = analysis(&yaml);
    assert!(a
        .problems()
        .iter()
        .any(|p| p.error && p.message.contains("defined twice")));
    assert_eq!(conn(&a, "b/client", "a/web"), "All Connections");
}

#[test]
fn a_focused_workload_sees_the_same_connections_as_the_full_list() {
    let yaml = three()
        + &namespace("b", "team: x")
        + &policy("a", "p", "{podSelector: {matchLabels: {app: db}}, ingress: [{from: [{namespaceSelector: {matchLabels: {team: x}}}, {ipBlock: {cidr: 192.168.0.0/16}}], ports: [{port: pg}]}]}")
        + &policy("b", "q", "{podSelector: {}, policyTypes: [Egress], egress: [{to: [{namespaceSelector: {}}]}]}");
    let a = analysis(&yaml);
    let all = render::sorted(&a, &a.connectivity()).connections;
    for (i, w) in a.workloads.iter().enumerate() {
        let name = w.display();
        let mine: Vec<_> = all.iter().filter(|l| l.src == name || l.dst == name).cloned().collect();
        assert_eq!(render::sorted(&a, &a.connectivity_of(i)).connections, mine, "{name}");
    }
    assert!(all.contains(&render::Line {
        src: "b/client[Deployment]".into(),
        dst: "a/db[Deployment]".into(),
        ports: "TCP 5432".into()
    }));
    assert!(!all
        .iter()
        .any(|l| l.src == "b/client[Deployment]" && l.dst.ends_with("[External]")));
}

#[test]
fn exposure_says_who_may_reach_a_workload() {
    let yaml = three()
        + &policy("a", "p", "{podSelector: {matchLabels: {app: db}}, ingress: [{from: [{namespaceSelector: {}}], ports: [{port: 5432}]}, {from: [{podSelector: {}}]}]}");
    let a = analysis(&yaml);
    let lines = render::exposure_text(&render::exposure(&a, &a.exposure()));
    assert!(
        lines.contains("a/db[Deployment] <= entire-cluster : TCP 5432\n"),
        "{lines}"
    );
    assert!(lines.contains("a/db[Deployment] <= a/* : All Connections\n"), "{lines}");
    assert!(!lines.contains("a/db[Deployment] <= 0.0.0.0"), "{lines}");
    assert!(
        lines.contains("a/web[Deployment] <= 0.0.0.0-255.255.255.255[External] : All Connections\n"),
        "{lines}"
    );
}

#[test]
fn every_format_writes_the_connections() {
    let yaml = [deploy("a", "x", "app: x", ""), deploy("a", "w", "app: w", "")].concat()
        + &policy("a", "p", "{podSelector: {}, policyTypes: [Ingress, Egress], ingress: [{from: [{podSelector: {matchLabels: {app: x}}}], ports: [{port: 80}]}], egress: [{to: [{podSelector: {}}]}]}");
    let a = analysis(&yaml);
    let report = render::sorted(&a, &a.connectivity());
    assert_eq!(render::text(&report), "a/x[Deployment] => a/w[Deployment] : TCP 80\n");
    assert_eq!(
        serde_json::to_string(&report).unwrap(),
        r#"{"connections":[{"src":"a/x[Deployment]","dst":"a/w[Deployment]","ports":"TCP 80"}]}"#
    );
    assert_eq!(
        render::dot(&report),
        "digraph connectivity {\n  rankdir=LR;\n  \"a/x[Deployment]\" [shape=box];\n  \"a/w[Deployment]\" [shape=box];\n  \"a/x[Deployment]\" -> \"a/w[Deployment]\" [label=\"TCP 80\"];\n}\n"
    );
    assert_eq!(
        render::mermaid(&report),
        "graph LR\n  n0[\"a/x[Deployment]\"]\n  n1[\"a/w[Deployment]\"]\n  n0 -->|\"TCP 80\"| n1\n"
    );
}

#[test]
fn ipv6_blocks_add_the_ipv6_world() {
    let yaml = three()
        + &policy(
            "a",
            "p",
            "{podSelector: {matchLabels: {app: web}}, ingress: [{from: [{ipBlock: {cidr: '2001:db8::/32'}}]}]}",
        );
    let a = analysis(&yaml);
    let ext = a.external(a.find("a/db").unwrap(), Direction::Ingress);
    assert_eq!(ext.len(), 2, "both families, all open");
    let web: Vec<String> = a
        .external(a.find("a/web").unwrap(), Direction::Ingress)
        .iter()
        .map(|(r, _)| r.display())
        .collect();
    assert_eq!(web, ["2001:db8::-2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"]);
}

#[test]
fn scan_findings_point_at_the_workload_with_the_policies_of_its_namespace_related() {
    let options = crate::Options {
        select: vec![
            "network/workload-not-isolated-ingress".into(),
            "network/network-policy-selects-nothing".into(),
        ],
        ..crate::Options::default()
    };
    let engine = crate::Engine::new(&options).unwrap();
    let yaml = three()
        + &policy("a", "p", "{podSelector: {matchLabels: {app: db}}}")
        + &policy("a", "typo", "{podSelector: {matchLabels: {app: dbb}}}");
    let report = engine.scan(&[Source::new("t.yaml", yaml)]);
    let mut found: Vec<(String, Option<String>, String)> = report
        .findings
        .iter()
        .map(|f| (f.policy.clone(), f.object.name.clone(), f.path.clone()))
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            (
                "network/network-policy-selects-nothing".to_owned(),
                Some("typo".to_owned()),
                "/spec/podSelector".to_owned()
            ),
            (
                "network/workload-not-isolated-ingress".to_owned(),
                Some("client".to_owned()),
                "/spec/template/metadata".to_owned()
            ),
            (
                "network/workload-not-isolated-ingress".to_owned(),
                Some("web".to_owned()),
                "/spec/template/metadata".to_owned()
            ),
        ]
    );
    let web = report
        .findings
        .iter()
        .find(|f| f.object.name.as_deref() == Some("web"))
        .unwrap();
    let related: Vec<&str> = web.related.iter().map(|r| r.message.as_str()).collect();
    assert_eq!(
        related,
        [
            "NetworkPolicy `p` of this namespace does not select it",
            "NetworkPolicy `typo` of this namespace does not select it"
        ]
    );
    assert_eq!(
        web.related.first().map(|r| (r.path.as_str(), r.span.start.line)),
        Some(("/spec/podSelector", 35))
    );
    let typo = report
        .findings
        .iter()
        .find(|f| f.object.name.as_deref() == Some("typo"))
        .unwrap();
    assert_eq!(typo.related.len(), 2, "the workloads of its namespace");
}
