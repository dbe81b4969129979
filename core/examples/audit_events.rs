//! Writes realistic Kubernetes audit events as JSON lines, for the detection benchmark:
//! `cargo run --release -p rempart --example audit_events -- FILE COUNT`.
//!
//! The mix follows a busy cluster's log: reads by controllers and users (get, list, watch on
//! pods, configmaps, secrets, deployments: about 55 %), writes with their request bodies
//! (Deployments with a pod template, ConfigMaps, patches: 20 %), a `RequestReceived` stage
//! before some requests (10 %), refused requests (5 %), exec into pods (5 %) and RBAC changes
//! (Roles, ClusterRoles, bindings: 5 %). Events weigh 1 to 3 KB; the generator is
//! deterministic (a fixed linear congruential sequence).

use std::io::Write;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items
            .get(self.below(items.len() as u64) as usize)
            .copied()
            .unwrap_or_default()
    }
}

const NAMESPACES: &[&str] = &[
    "prod",
    "staging",
    "payments",
    "monitoring",
    "kube-system",
    "ingress",
    "data",
    "default",
];
const USERS: &[&str] = &[
    "system:serviceaccount:kube-system:replicaset-controller",
    "system:serviceaccount:kube-system:deployment-controller",
    "system:kube-scheduler",
    "system:node:ip-10-0-12-34.ec2.internal",
    "system:serviceaccount:monitoring:prometheus",
    "system:serviceaccount:argocd:argocd-application-controller",
    "alice@example.com",
    "bob@example.com",
    "ci-deployer",
];
const AGENTS: &[&str] = &[
    "kube-controller-manager/v1.30.2 (linux/amd64) kubernetes/3c1c1c9/system:serviceaccount:kube-system:replicaset-controller",
    "kubectl/v1.30.1 (linux/amd64) kubernetes/9d6cd4a",
    "prometheus/2.51.0",
    "argocd-application-controller/v2.10.4 (linux/amd64)",
    "kubelet/v1.30.2 (linux/amd64) kubernetes/3c1c1c9",
];

fn pod_template(rng: &mut Rng, name: &str) -> String {
    let privileged = rng.below(20) == 0;
    format!(
        r#"{{"metadata":{{"labels":{{"app":"{name}","team":"core","version":"v{}"}},"annotations":{{"prometheus.io/scrape":"true","prometheus.io/port":"9090"}}}},"spec":{{"serviceAccountName":"{name}","securityContext":{{"runAsNonRoot":true,"seccompProfile":{{"type":"RuntimeDefault"}}}},"containers":[{{"name":"app","image":"registry.example.com/{name}:1.{}.{}","ports":[{{"containerPort":8080,"protocol":"TCP"}}],"env":[{{"name":"LOG_LEVEL","value":"info"}},{{"name":"DB_HOST","value":"postgres.data.svc"}},{{"name":"DB_PASSWORD","valueFrom":{{"secretKeyRef":{{"name":"{name}-db","key":"password"}}}}}}],"resources":{{"requests":{{"cpu":"100m","memory":"128Mi"}},"limits":{{"cpu":"1","memory":"512Mi"}}}},"securityContext":{{"allowPrivilegeEscalation":false,"privileged":{privileged},"readOnlyRootFilesystem":true,"capabilities":{{"drop":["ALL"]}}}},"livenessProbe":{{"httpGet":{{"path":"/healthz","port":8080}},"periodSeconds":10}},"readinessProbe":{{"httpGet":{{"path":"/ready","port":8080}}}},"volumeMounts":[{{"name":"config","mountPath":"/etc/app"}}]}}],"volumes":[{{"name":"config","configMap":{{"name":"{name}-config"}}}}]}}}}"#,
        rng.below(9),
        rng.below(30),
        rng.below(10)
    )
}

fn event(rng: &mut Rng, n: u64) -> Vec<String> {
    let ns = rng.pick(NAMESPACES);
    let user = rng.pick(USERS);
    let agent = rng.pick(AGENTS);
    let name = format!(
        "{}-{}",
        rng.pick(&["api", "web", "worker", "cache", "billing", "search"]),
        rng.below(50)
    );
    let seconds = n / 20;
    let time = format!(
        "2024-05-01T{:02}:{:02}:{:02}.{:06}Z",
        (seconds / 3600) % 24,
        (seconds / 60) % 60,
        seconds % 60,
        (n % 20) * 50_000
    );
    let ip = format!("10.{}.{}.{}", rng.below(4), rng.below(256), rng.below(256));
    let roll = rng.below(100);
    let (verb, resource, sub, group, code, uri, body) = if roll < 55 {
        let verb = rng.pick(&["get", "list", "watch", "get"]);
        let resource = rng.pick(&["pods", "configmaps", "secrets", "deployments", "endpoints", "nodes"]);
        let group = if resource == "deployments" { "apps" } else { "" };
        let uri = format!("/api/v1/namespaces/{ns}/{resource}/{name}?resourceVersion=0");
        (verb, resource, None, group, 200, uri, None)
    } else if roll < 75 {
        let kind = rng.below(3);
        let (resource, group, body) = match kind {
            0 => (
                "deployments",
                "apps",
                format!(
                    r#"{{"kind":"Deployment","apiVersion":"apps/v1","metadata":{{"name":"{name}","namespace":"{ns}","labels":{{"app":"{name}"}}}},"spec":{{"replicas":3,"selector":{{"matchLabels":{{"app":"{name}"}}}},"template":{}}}}}"#,
                    pod_template(rng, &name)
                ),
            ),
            1 => (
                "configmaps",
                "",
                format!(
                    r#"{{"kind":"ConfigMap","apiVersion":"v1","metadata":{{"name":"{name}-config","namespace":"{ns}"}},"data":{{"app.yaml":"server:\n  port: 8080\n  timeout: 30s\nfeatures:\n  search: true\n  billing: false\n","LOG_FORMAT":"json"}}}}"#
                ),
            ),
            _ => ("pods", "", r#"{"metadata":{"labels":{"rollout":"canary"}}}"#.to_owned()),
        };
        let verb = match kind {
            2 => "patch",
            _ => rng.pick(&["create", "update"]),
        };
        let prefix = if group.is_empty() {
            "/api/v1".to_owned()
        } else {
            format!("/apis/{group}/v1")
        };
        let uri = format!("{prefix}/namespaces/{ns}/{resource}/{name}?fieldManager=kubectl-client-side-apply");
        (verb, resource, None, group, 200, uri, Some(body))
    } else if roll < 85 {
        // Announced here, logged again at ResponseComplete below.
        let uri = format!("/api/v1/namespaces/{ns}/pods/{name}");
        ("get", "pods", None, "", 0, uri, None)
    } else if roll < 90 {
        let uri = format!("/api/v1/namespaces/{ns}/secrets?limit=500");
        ("list", "secrets", None, "", 403, uri, None)
    } else if roll < 95 {
        let command = rng.pick(&[
            "command=sh&command=-c&command=id",
            "command=tar&command=cf&command=-&command=/data",
            "command=cat&command=/var/run/secrets/kubernetes.io/serviceaccount/token",
            "command=bash",
        ]);
        let uri =
            format!("/api/v1/namespaces/{ns}/pods/{name}/exec?{command}&container=app&stdin=true&stdout=true&tty=true");
        ("create", "pods", Some("exec"), "", 101, uri, None)
    } else {
        let (resource, body) = if rng.below(2) == 0 {
            (
                "clusterroles",
                format!(
                    r#"{{"kind":"ClusterRole","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{{"name":"{name}-reader"}},"rules":[{{"apiGroups":[""],"resources":["pods","pods/log","configmaps"],"verbs":["get","list","watch"]}},{{"apiGroups":["apps"],"resources":["deployments"],"verbs":["{}"]}}]}}"#,
                    rng.pick(&["get", "*", "patch"])
                ),
            )
        } else {
            (
                "rolebindings",
                format!(
                    r#"{{"kind":"RoleBinding","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{{"name":"{name}-binding","namespace":"{ns}"}},"roleRef":{{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"{}"}},"subjects":[{{"kind":"ServiceAccount","name":"{name}","namespace":"{ns}"}}]}}"#,
                    rng.pick(&["view", "edit", "admin", "cluster-admin"])
                ),
            )
        };
        let uri = format!("/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/{resource}");
        (
            "create",
            resource,
            None,
            "rbac.authorization.k8s.io",
            201,
            uri,
            Some(body),
        )
    };
    let level = if body.is_some() { "RequestResponse" } else { "Metadata" };
    let object_ref = format!(
        r#"{{"resource":"{resource}","namespace":"{ns}","name":"{name}","apiGroup":"{group}","apiVersion":"v1"{}}}"#,
        sub.map(|s| format!(r#","subresource":"{s}""#)).unwrap_or_default()
    );
    let common = |stage: &str, status: &str, body: &str| {
        format!(
            r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"{level}","auditID":"{:08x}-5c1e-4bd4-a2f1-{:012x}","stage":"{stage}","requestURI":"{uri}","verb":"{verb}","user":{{"username":"{user}","uid":"6f1b2c3d-{n:08x}","groups":["system:authenticated","system:serviceaccounts"],"extra":{{"authentication.kubernetes.io/pod-name":["{name}-7d9f8b6c5-x2x9q"],"authentication.kubernetes.io/pod-uid":["0b4a2e1c-{n:08x}"]}}}},"sourceIPs":["{ip}"],"userAgent":"{agent}","objectRef":{object_ref}{status}{body},"requestReceivedTimestamp":"{time}","stageTimestamp":"{time}","annotations":{{"authorization.k8s.io/decision":"{}","authorization.k8s.io/reason":"RBAC: allowed by ClusterRoleBinding \"system:controller:{name}\" of ClusterRole \"system:controller:{name}\" to ServiceAccount \"{name}/kube-system\""}}}}"#,
            n,
            n * 7919,
            if code == 403 { "forbid" } else { "allow" }
        )
    };
    let status = |code: u64| format!(r#","responseStatus":{{"metadata":{{}},"code":{code}}}"#);
    let request = body.map(|b| format!(r#","requestObject":{b}"#)).unwrap_or_default();
    if code == 0 {
        return vec![
            common("RequestReceived", "", ""),
            common("ResponseComplete", &status(200), ""),
        ];
    }
    vec![common("ResponseComplete", &status(code), &request)]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).map_or("audit.log", String::as_str);
    let count: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let file = match std::fs::File::create(path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("cannot create {path}: {e}");
            std::process::exit(2);
        }
    };
    let mut out = std::io::BufWriter::new(file);
    let mut rng = Rng(42);
    let (mut written, mut bytes, mut n) = (0u64, 0usize, 0u64);
    while written < count {
        for line in event(&mut rng, n) {
            bytes += line.len() + 1;
            written += 1;
            if writeln!(out, "{line}").is_err() {
                eprintln!("cannot write {path}");
                std::process::exit(2);
            }
        }
        n += 1;
    }
    if out.flush().is_err() {
        std::process::exit(2);
    }
    println!(
        "{written} events, {bytes} bytes ({} bytes per event) in {path}",
        bytes as u64 / written.max(1)
    );
}
