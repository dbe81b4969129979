//! The generated benchmark corpus, shared by the criterion bench and `examples/corpus.rs`.

/// A Deployment like those found in real repositories: labels, probes, resources, env, a
/// security context; every third one carries typical mistakes.
fn workload(i: usize) -> String {
    let risky = i % 3 == 0;
    format!(
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: service-{i}
  namespace: team-{ns}
  labels: {{app: service-{i}, team: team-{ns}, tier: backend}}
  annotations:
    deployment.kubernetes.io/revision: "{i}"
spec:
  replicas: 3
  selector:
    matchLabels: {{app: service-{i}}}
  template:
    metadata:
      labels: {{app: service-{i}, team: team-{ns}}}
    spec:
      serviceAccountName: service-{i}
      automountServiceAccountToken: {automount}
      securityContext:
        runAsNonRoot: true
        seccompProfile: {{type: RuntimeDefault}}
      containers:
        - name: app
          image: registry.example.com/team-{ns}/service-{i}:{tag}
          ports:
            - containerPort: 8080
              name: http
          env:
            - name: LOG_LEVEL
              value: info
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef: {{name: db-{i}, key: password}}
          resources:
            requests: {{cpu: 100m, memory: 128Mi}}
            limits: {{cpu: 500m, memory: 256Mi}}
          livenessProbe:
            httpGet: {{path: /healthz, port: http}}
          readinessProbe:
            httpGet: {{path: /ready, port: http}}
          securityContext:
            allowPrivilegeEscalation: {escalation}
            readOnlyRootFilesystem: true
            capabilities:
              drop: [ALL]
        - name: proxy
          image: envoyproxy/envoy:v1.31.2
          resources:
            limits: {{cpu: 200m, memory: 128Mi}}
          securityContext:
            allowPrivilegeEscalation: false
            capabilities: {{drop: [ALL]}}
"#,
        ns = i % 7,
        automount = if risky { "true" } else { "false" },
        tag = if risky { "latest" } else { "1.4.2" },
        escalation = if risky { "true" } else { "false" },
    )
}

/// `n` workloads as one YAML stream.
pub fn corpus(n: usize) -> String {
    (0..n).map(workload).collect::<Vec<_>>().join("---\n")
}
