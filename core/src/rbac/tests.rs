//! Table tests of the authorizer's semantics, one group per rule of the issue's "Semantics".

use super::*;

const RBAC: &str = "rbac.authorization.k8s.io/v1";

fn authorizer(yaml: &str) -> Authorizer {
    let set = ObjectSet::read([&Source::new("set.yaml", yaml)], &Limits::default(), &wants());
    Authorizer::new(&set)
}

fn role(kind: &str, ns: Option<&str>, name: &str, rules: &str) -> String {
    let ns = ns.map(|n| format!(", namespace: {n}")).unwrap_or_default();
    format!("---\napiVersion: {RBAC}\nkind: {kind}\nmetadata: {{name: {name}{ns}}}\nrules: {rules}\n")
}

fn binding(kind: &str, ns: Option<&str>, name: &str, role_kind: &str, role: &str, subjects: &str) -> String {
    let ns = ns.map(|n| format!(", namespace: {n}")).unwrap_or_default();
    format!("---\napiVersion: {RBAC}\nkind: {kind}\nmetadata: {{name: {name}{ns}}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: {role_kind}, name: {role}}}\nsubjects: {subjects}\n")
}

fn user(name: &str) -> User {
    User::named(name, &[])
}

fn allowed(a: &Authorizer, u: &User, r: &Request) -> bool {
    !a.can_i(u, r).is_empty()
}

#[test]
fn cluster_role_bindings_grant_everywhere_role_bindings_in_their_namespace() {
    let set = [
        role(
            "ClusterRole",
            None,
            "read-pods",
            "[{apiGroups: [''], resources: [pods], verbs: [get, list]}]",
        ),
        binding(
            "ClusterRoleBinding",
            None,
            "crb",
            "ClusterRole",
            "read-pods",
            "[{kind: User, name: alice}]",
        ),
        binding(
            "RoleBinding",
            Some("dev"),
            "rb",
            "ClusterRole",
            "read-pods",
            "[{kind: User, name: bob}]",
        ),
        role(
            "Role",
            Some("dev"),
            "secrets",
            "[{apiGroups: [''], resources: [secrets], verbs: [get]}]",
        ),
        binding(
            "RoleBinding",
            Some("dev"),
            "rb2",
            "Role",
            "secrets",
            "[{kind: User, name: bob}]",
        ),
        // A RoleBinding in `prod` cannot use the Role of `dev`.
        binding(
            "RoleBinding",
            Some("prod"),
            "rb3",
            "Role",
            "secrets",
            "[{kind: User, name: carol}]",
        ),
        // A ClusterRoleBinding cannot name a Role.
        binding(
            "ClusterRoleBinding",
            None,
            "crb2",
            "Role",
            "secrets",
            "[{kind: User, name: dave}]",
        ),
    ]
    .concat();
    let a = authorizer(&set);
    let get = |ns: &str| Request::resource("get", "", "pods", "", "p", ns);
    let secret = |ns: &str| Request::resource("get", "", "secrets", "", "s", ns);
    let cases = [
        ("alice", get("dev"), true),
        ("alice", get("prod"), true),
        ("alice", get(""), true),
        ("bob", get("dev"), true),
        ("bob", get("prod"), false),
        ("bob", get(""), false),
        ("bob", secret("dev"), true),
        ("bob", secret("prod"), false),
        ("carol", secret("prod"), false),
        ("dave", secret("dev"), false),
        ("eve", get("dev"), false),
    ];
    for (who, request, expected) in cases {
        assert_eq!(allowed(&a, &user(who), &request), expected, "{who} {request:?}");
    }
    assert!(a
        .problems
        .iter()
        .any(|p| p.error && p.message.contains("`roleRef.kind` is `Role`")));
}

#[test]
fn subjects_users_groups_and_service_accounts_with_namespace_defaulting() {
    let rules = "[{apiGroups: [''], resources: [configmaps], verbs: [get]}]";
    let set = [
        role("ClusterRole", None, "cm", rules),
        binding(
            "RoleBinding",
            Some("a"),
            "by-group",
            "ClusterRole",
            "cm",
            "[{kind: Group, name: team}]",
        ),
        // No namespace: the RoleBinding's own.
        binding(
            "RoleBinding",
            Some("a"),
            "sa-local",
            "ClusterRole",
            "cm",
            "[{kind: ServiceAccount, name: app}]",
        ),
        // Another namespace's ServiceAccount, granted in `a`.
        binding(
            "RoleBinding",
            Some("a"),
            "sa-other",
            "ClusterRole",
            "cm",
            "[{kind: ServiceAccount, name: ci, namespace: tools}]",
        ),
        // A ClusterRoleBinding's ServiceAccount without a namespace matches no one.
        binding(
            "ClusterRoleBinding",
            None,
            "sa-none",
            "ClusterRole",
            "cm",
            "[{kind: ServiceAccount, name: app}]",
        ),
        binding(
            "RoleBinding",
            Some("b"),
            "all-sa",
            "ClusterRole",
            "cm",
            "[{kind: Group, name: 'system:serviceaccounts:c'}]",
        ),
        binding(
            "RoleBinding",
            Some("d"),
            "as-user",
            "ClusterRole",
            "cm",
            "[{kind: User, name: 'system:serviceaccount:x:y'}]",
        ),
        binding(
            "RoleBinding",
            Some("e"),
            "unknown",
            "ClusterRole",
            "cm",
            "[{kind: Robot, name: alice}, {kind: user, name: alice}]",
        ),
        binding(
            "RoleBinding",
            Some("f"),
            "everyone",
            "ClusterRole",
            "cm",
            "[{kind: Group, name: 'system:authenticated'}]",
        ),
        binding(
            "RoleBinding",
            Some("g"),
            "anon",
            "ClusterRole",
            "cm",
            "[{kind: Group, name: 'system:unauthenticated'}]",
        ),
    ]
    .concat();
    let a = authorizer(&set);
    let get = |ns: &str| Request::resource("get", "", "configmaps", "", "x", ns);
    let team = User::named("zed", &["team".to_owned()]);
    let cases: Vec<(User, &str, bool)> = vec![
        (team.clone(), "a", true),
        (team, "b", false),
        (User::service_account("a", "app"), "a", true),
        (User::service_account("b", "app"), "a", false),
        (User::service_account("tools", "ci"), "a", true),
        (User::service_account("a", "ci"), "a", false),
        (User::service_account("a", "app"), "z", false),
        (User::service_account("c", "anything"), "b", true),
        (user("system:serviceaccount:c:x"), "b", true),
        (User::service_account("x", "y"), "d", true),
        (user("alice"), "e", false),
        (user("alice"), "f", true),
        (User::service_account("q", "r"), "f", true),
        (user("system:anonymous"), "f", false),
        (user("system:anonymous"), "g", true),
        (user("alice"), "g", false),
    ];
    for (u, ns, expected) in cases {
        assert_eq!(allowed(&a, &u, &get(ns)), expected, "{} in {ns}", u.name);
    }
    let kinds: Vec<&str> = a.problems.iter().map(|p| p.message.as_str()).collect();
    assert!(kinds.iter().any(|m| m.contains("subject kind `Robot`")), "{kinds:?}");
    assert!(
        kinds.iter().any(|m| m.contains("subject kind `user`")),
        "case-sensitive: {kinds:?}"
    );
    assert!(kinds.iter().any(|m| m.contains("names no namespace")), "{kinds:?}");
}

#[test]
fn aggregation_replaces_rules_with_the_union_of_the_selected_roles() {
    let set = [
        format!("---\napiVersion: {RBAC}\nkind: ClusterRole\nmetadata: {{name: agg}}\naggregationRule:\n  clusterRoleSelectors:\n  - matchLabels: {{x: 'yes'}}\n  - matchExpressions: [{{key: tier, operator: In, values: [gold]}}]\nrules: [{{apiGroups: [''], resources: [nodes], verbs: [get]}}]\n"),
        format!("---\napiVersion: {RBAC}\nkind: ClusterRole\nmetadata: {{name: a, labels: {{x: 'yes'}}}}\nrules: [{{apiGroups: [''], resources: [pods], verbs: [get]}}]\n"),
        format!("---\napiVersion: {RBAC}\nkind: ClusterRole\nmetadata: {{name: b, labels: {{tier: gold, x: 'yes'}}}}\nrules: [{{apiGroups: [''], resources: [services], verbs: [get]}}, {{apiGroups: [''], resources: [pods], verbs: [get]}}]\n"),
        format!("---\napiVersion: {RBAC}\nkind: ClusterRole\nmetadata: {{name: c, labels: {{tier: silver}}}}\nrules: [{{apiGroups: [''], resources: [secrets], verbs: [get]}}]\n"),
        format!("---\napiVersion: {RBAC}\nkind: ClusterRole\nmetadata: {{name: bad}}\naggregationRule:\n  clusterRoleSelectors:\n  - matchExpressions: [{{key: tier, operator: Equals, values: [gold]}}]\nrules: [{{apiGroups: [''], resources: [events], verbs: [get]}}]\n"),
        binding("ClusterRoleBinding", None, "crb", "ClusterRole", "agg", "[{kind: User, name: u}]"),
        binding("ClusterRoleBinding", None, "crb-bad", "ClusterRole", "bad", "[{kind: User, name: v}]"),
    ]
    .concat();
    let a = authorizer(&set);
    let get = |r: &str| Request::resource("get", "", r, "", "x", "");
    let u = user("u");
    assert!(allowed(&a, &u, &get("pods")));
    assert!(allowed(&a, &u, &get("services")));
    assert!(!allowed(&a, &u, &get("secrets")), "not selected");
    assert!(!allowed(&a, &u, &get("nodes")), "its own rules are replaced");
    // Each rule once: `pods` from `a` (first by name), not again from `b`.
    assert_eq!(a.can_i(&u, &get("pods")).len(), 1);
    // An invalid operator: the controller stops, the role keeps its own rules.
    assert!(allowed(&a, &user("v"), &get("events")));
    assert!(a.problems.iter().any(|p| p.message.contains("operator `Equals`")));
}

#[test]
fn default_cluster_roles_resolve_with_their_aggregation() {
    let set = [
        binding("RoleBinding", Some("dev"), "devs", "ClusterRole", "edit", "[{kind: Group, name: devs}]"),
        binding("RoleBinding", Some("dev"), "admins", "ClusterRole", "admin", "[{kind: User, name: boss}]"),
        binding("ClusterRoleBinding", None, "root", "ClusterRole", "cluster-admin", "[{kind: User, name: root}]"),
        // A ClusterRole of the set that joins `view` by its label.
        format!("---\napiVersion: {RBAC}\nkind: ClusterRole\nmetadata: {{name: crd-view, labels: {{rbac.authorization.k8s.io/aggregate-to-view: 'true'}}}}\nrules: [{{apiGroups: [example.com], resources: [widgets], verbs: [get]}}]\n"),
        binding("RoleBinding", Some("dev"), "viewers", "ClusterRole", "view", "[{kind: User, name: viewer}]"),
    ]
    .concat();
    let a = authorizer(&set);
    let dev = User::named("d", &["devs".to_owned()]);
    let r = |verb: &str, group: &str, res: &str, sub: &str, ns: &str| Request::resource(verb, group, res, sub, "x", ns);
    let cases: Vec<(&User, Request, bool)> = vec![
        (&dev, r("get", "", "secrets", "", "dev"), true),
        (&dev, r("create", "", "pods", "exec", "dev"), true),
        (&dev, r("create", "apps", "deployments", "", "dev"), true),
        (&dev, r("get", "example.com", "widgets", "", "dev"), true),
        (&dev, r("create", RBAC_GROUP, "rolebindings", "", "dev"), false),
        (&dev, r("get", "", "secrets", "", "prod"), false),
    ];
    for (u, request, expected) in cases {
        assert_eq!(allowed(&a, u, &request), expected, "{request:?}");
    }
    let boss = user("boss");
    assert!(allowed(&a, &boss, &r("create", RBAC_GROUP, "rolebindings", "", "dev")));
    assert!(
        allowed(&a, &boss, &r("get", "", "secrets", "", "dev")),
        "admin aggregates edit"
    );
    assert!(allowed(
        &a,
        &user("viewer"),
        &r("get", "example.com", "widgets", "", "dev")
    ));
    assert!(!allowed(&a, &user("viewer"), &r("get", "", "secrets", "", "dev")));
    let root = user("root");
    assert!(allowed(&a, &root, &r("delete", "anything.io", "things", "", "")));
    assert!(allowed(&a, &root, &Request::non_resource("get", "/metrics")));
    // A role of the set replaces the default of the same name.
    let own = [
        role(
            "ClusterRole",
            None,
            "edit",
            "[{apiGroups: [''], resources: [configmaps], verbs: [get]}]",
        ),
        binding(
            "RoleBinding",
            Some("dev"),
            "devs",
            "ClusterRole",
            "edit",
            "[{kind: User, name: d}]",
        ),
    ]
    .concat();
    let a = authorizer(&own);
    assert!(!allowed(&a, &user("d"), &r("get", "", "secrets", "", "dev")));
    assert!(allowed(&a, &user("d"), &r("get", "", "configmaps", "", "dev")));
}

#[test]
fn non_resource_urls_are_granted_by_cluster_role_bindings_only() {
    let rules = "[{nonResourceURLs: ['/metrics'], verbs: [get]}]";
    let set = [
        role("ClusterRole", None, "m", rules),
        binding(
            "RoleBinding",
            Some("dev"),
            "rb",
            "ClusterRole",
            "m",
            "[{kind: User, name: a}]",
        ),
        binding(
            "ClusterRoleBinding",
            None,
            "crb",
            "ClusterRole",
            "m",
            "[{kind: User, name: b}]",
        ),
    ]
    .concat();
    let a = authorizer(&set);
    let m = Request::non_resource("get", "/metrics");
    assert!(!allowed(&a, &user("a"), &m));
    assert!(allowed(&a, &user("b"), &m));
    // The default `system:discovery` grants discovery URLs once bound.
    let d = authorizer(&binding(
        "ClusterRoleBinding",
        None,
        "d",
        "ClusterRole",
        "system:discovery",
        "[{kind: Group, name: 'system:authenticated'}]",
    ));
    assert!(allowed(&d, &user("x"), &Request::non_resource("get", "/apis/apps/v1")));
    assert!(!allowed(
        &d,
        &user("system:anonymous"),
        &Request::non_resource("get", "/apis")
    ));
}

#[test]
fn missing_roles_grant_nothing_and_are_named() {
    let set = [
        binding("RoleBinding", Some("dev"), "gone", "Role", "nope", "[{kind: User, name: a}]"),
        binding("ClusterRoleBinding", None, "gone2", "ClusterRole", "nope", "[{kind: User, name: a}]"),
        binding("RoleBinding", Some("dev"), "ok", "ClusterRole", "view", "[{kind: User, name: a}]"),
        format!("---\napiVersion: {RBAC}\nkind: RoleBinding\nmetadata: {{name: noref, namespace: dev}}\nsubjects: [{{kind: User, name: a}}]\n"),
    ]
    .concat();
    let a = authorizer(&set);
    let missing: Vec<&str> = a
        .bindings
        .iter()
        .filter(|b| a.missing_role(b).is_some())
        .map(|b| b.name.as_str())
        .collect();
    assert_eq!(missing, ["gone", "gone2"]);
    assert!(a
        .problems
        .iter()
        .any(|p| p.error && p.message.contains("has no `roleRef`")));
    assert!(!allowed(
        &a,
        &user("a"),
        &Request::resource("get", "", "secrets", "", "s", "dev")
    ));
}

#[test]
fn who_can_lists_every_subject_with_each_grant() {
    let set = [
        role("Role", Some("dev"), "r", "[{apiGroups: [''], resources: [secrets], verbs: [get, list]}, {apiGroups: ['*'], resources: ['*'], verbs: ['*']}]"),
        binding("RoleBinding", Some("dev"), "rb", "Role", "r", "[{kind: User, name: a}, {kind: ServiceAccount, name: s}]"),
        binding("ClusterRoleBinding", None, "root", "ClusterRole", "cluster-admin", "[{kind: Group, name: admins}]"),
    ]
    .concat();
    let a = authorizer(&set);
    let who = a.who_can(&Request::resource("get", "", "secrets", "", "x", "dev"));
    let names: Vec<(String, usize)> = who.iter().map(|(s, g)| (s.name.clone(), g.len())).collect();
    assert_eq!(names, [("a".into(), 2), ("s".into(), 2), ("admins".into(), 1)]);
    let who = a.who_can(&Request::resource("get", "", "secrets", "", "x", "prod"));
    assert_eq!(who.len(), 1);
    // Places: the subject entry and the rule.
    let (_, grants) = a
        .who_can(&Request::resource("list", "", "secrets", "", "", "dev"))
        .into_iter()
        .nth(1)
        .unwrap();
    let g = grants.first().unwrap();
    let subject = a.subject_place(g.binding, g.subject).unwrap();
    assert_eq!(subject.path, "/subjects/1");
    let rule = a.rule_place(&g.rule).unwrap();
    assert_eq!((rule.path.as_str(), rule.file.as_str()), ("/rules/0", "set.yaml"));
    // A default role's rule points into the embedded file.
    let (_, grants) = a
        .who_can(&Request::resource("get", "", "pods", "", "x", ""))
        .into_iter()
        .next()
        .unwrap();
    let p = a.rule_place(&grants.first().unwrap().rule).unwrap();
    assert_eq!(p.file, DEFAULTS_FILE);
}

#[test]
fn rules_for_lists_the_effective_rules_of_a_user() {
    let set = [
        role(
            "Role",
            Some("dev"),
            "r",
            "[{apiGroups: [''], resources: [secrets], verbs: [get]}]",
        ),
        binding("RoleBinding", Some("dev"), "rb", "Role", "r", "[{kind: User, name: a}]"),
        binding(
            "ClusterRoleBinding",
            None,
            "crb",
            "ClusterRole",
            "system:basic-user",
            "[{kind: Group, name: 'system:authenticated'}]",
        ),
    ]
    .concat();
    let a = authorizer(&set);
    assert_eq!(a.rules_for(&user("a"), "dev").len(), 3);
    assert_eq!(a.rules_for(&user("a"), "").len(), 2);
    assert_eq!(a.rules_for(&user("system:anonymous"), "dev").len(), 0);
}

#[test]
fn aggregation_cycles_are_noted_and_end() {
    let set = [
        format!("---\napiVersion: {RBAC}\nkind: ClusterRole\nmetadata: {{name: a, labels: {{b: 'y'}}}}\naggregationRule: {{clusterRoleSelectors: [{{matchLabels: {{a: 'y'}}}}]}}\n"),
        format!("---\napiVersion: {RBAC}\nkind: ClusterRole\nmetadata: {{name: b, labels: {{a: 'y'}}}}\naggregationRule: {{clusterRoleSelectors: [{{matchLabels: {{b: 'y'}}}}]}}\n"),
        role("ClusterRole", None, "c", "[{apiGroups: [''], resources: [pods], verbs: [get]}]").replace("{name: c}", "{name: c, labels: {a: 'y'}}"),
    ]
    .concat();
    let a = authorizer(&set);
    assert!(
        a.problems.iter().any(|p| p.message.contains("cycle")),
        "{:?}",
        a.problems
    );
    let b = a.roles.iter().find(|r| r.name == "b").unwrap();
    assert_eq!(b.rules.len(), 1);
}

#[test]
fn bad_input_gives_positioned_problems_never_a_panic() {
    let set = [
        // A role without rules: a note, it grants nothing.
        format!("---\napiVersion: {RBAC}\nkind: Role\nmetadata: {{name: empty, namespace: a}}\n"),
        // Rules that are not lists, items that are not strings.
        format!("---\napiVersion: {RBAC}\nkind: ClusterRole\nmetadata: {{name: odd}}\nrules: {{verbs: get}}\n"),
        format!("---\napiVersion: {RBAC}\nkind: ClusterRole\nmetadata: {{name: odd2}}\nrules: [x, {{verbs: [1], resources: pods}}]\n"),
        // Odd names: control characters, colons, Unicode; subjects without names; roleRef without a name.
        binding("RoleBinding", Some("a"), "\"b\\u0007\"", "ClusterRole", "\"système:x\"", "[{kind: User}, {kind: ServiceAccount, name: 'a:b'}, 42]"),
        format!("---\napiVersion: {RBAC}\nkind: RoleBinding\nmetadata: {{name: noname, namespace: a}}\nroleRef: {{kind: ClusterRole}}\nsubjects: [{{kind: User, name: u}}]\n"),
        // Selectors: an operator that needs values without them.
        format!("---\napiVersion: {RBAC}\nkind: ClusterRole\nmetadata: {{name: agg}}\naggregationRule: {{clusterRoleSelectors: [{{matchExpressions: [{{key: k, operator: In}}]}}]}}\n"),
    ]
    .concat();
    let a = authorizer(&set);
    let messages: Vec<String> = a
        .problems
        .iter()
        .map(|p| format!("{}:{} {}", p.place.start.line, p.place.start.column, p.message))
        .collect();
    let has = |needle: &str| messages.iter().any(|m| m.contains(needle));
    assert!(has("Role `empty` has no rules, so it grants nothing"), "{messages:#?}");
    assert!(has("`rules` must be a list, not a map"), "{messages:#?}");
    assert!(has("a rule must be a map, not a string"), "{messages:#?}");
    assert!(
        has("an item of `verbs` must be a string, not a number"),
        "{messages:#?}"
    );
    assert!(has("`roleRef` needs a `kind` and a `name`"), "{messages:#?}");
    assert!(has("the operator `In` needs `values`"), "{messages:#?}");
    // Every problem has a real position.
    assert!(a
        .problems
        .iter()
        .all(|p| p.place.start.line > 0 && p.place.file == "set.yaml"));
    // The binding with odd names still answers, and grants nothing (its role is missing).
    let b = a.bindings.iter().find(|b| b.name == "b\u{7}").unwrap();
    assert_eq!(a.missing_role(b).map(|r| r.1.as_str()), Some("système:x"));
    assert!(a
        .can_i(
            &User::service_account("a", "a:b"),
            &Request::resource("get", "", "pods", "", "", "a")
        )
        .is_empty());
}
