#!/usr/bin/env python3
"""Writes the NetworkPolicy benchmark set of BENCHMARKS.md: NS namespaces, each with W
Deployments and P NetworkPolicies (a default deny, then rules by tier, by namespace label and
by address block), one file per namespace. Usage: netpol-bench-data.py OUTDIR [NS W P]"""
import os
import sys

out = sys.argv[1]
ns_count, per_ns, pol_per_ns = (int(a) for a in (sys.argv[2:5] if len(sys.argv) > 4 else (500, 100, 10)))
os.makedirs(out, exist_ok=True)
for n in range(ns_count):
    ns = f"ns{n}"
    with open(os.path.join(out, f"{ns}.yaml"), "w") as f:
            f.write(f"---\napiVersion: v1\nkind: Namespace\nmetadata: {{name: {ns}, labels: {{team: t{n % 20}}}}}\n")
            for w in range(per_ns):
                f.write(
                    f"---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: app{w}, namespace: {ns}}}\n"
                    f"spec:\n  selector: {{matchLabels: {{app: app{w}}}}}\n  template:\n"
                    f"    metadata: {{labels: {{app: app{w}, tier: tier{w % 10}}}}}\n"
                    f"    spec: {{containers: [{{name: c, image: 'i:1', ports: [{{name: http, containerPort: 8080}}]}}]}}\n"
                )
            f.write(
                f"---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: deny, namespace: {ns}}}\n"
                "spec: {podSelector: {}, policyTypes: [Ingress, Egress]}\n"
            )
            for p in range(1, pol_per_ns):
                t = p % 10
                f.write(
                    f"---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p{p}, namespace: {ns}}}\n"
                    f"spec:\n  podSelector: {{matchLabels: {{tier: tier{t}}}}}\n"
                    f"  ingress:\n  - from: [{{podSelector: {{matchLabels: {{tier: tier{(t + 1) % 10}}}}}}}, "
                    f"{{namespaceSelector: {{matchLabels: {{team: t{p % 20}}}}}, podSelector: {{matchLabels: {{tier: tier{t}}}}}}}]\n"
                    f"    ports: [{{port: http}}, {{port: 9000, endPort: 9100}}]\n"
                    f"  - from: [{{ipBlock: {{cidr: 10.{p}.0.0/16, except: [10.{p}.1.0/24]}}}}]\n"
                    f"  egress:\n  - to: [{{podSelector: {{matchLabels: {{tier: tier{(t + 2) % 10}}}}}}}]\n"
                    f"  - to: [{{namespaceSelector: {{}}}}]\n    ports: [{{port: 53, protocol: UDP}}]\n"
                )
