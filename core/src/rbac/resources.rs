//! Requests as `kubectl auth can-i` reads them: `VERB TYPE[/NAME]` or `VERB /URL`, with the
//! built-in resources' singular and short names and their API groups.

use super::rules::Request;

/// A built-in resource: plural, singular, short names, API group, namespaced.
type Entry = (&'static str, &'static str, &'static [&'static str], &'static str, bool);

/// The built-in Kubernetes resources kubectl knows without discovery.
const BUILTIN: &[Entry] = &[
    ("pods", "pod", &["po"], "", true),
    ("services", "service", &["svc"], "", true),
    ("secrets", "secret", &[], "", true),
    ("configmaps", "configmap", &["cm"], "", true),
    ("serviceaccounts", "serviceaccount", &["sa"], "", true),
    ("namespaces", "namespace", &["ns"], "", false),
    ("nodes", "node", &["no"], "", false),
    ("persistentvolumes", "persistentvolume", &["pv"], "", false),
    ("persistentvolumeclaims", "persistentvolumeclaim", &["pvc"], "", true),
    ("endpoints", "endpoints", &["ep"], "", true),
    ("events", "event", &["ev"], "", true),
    ("limitranges", "limitrange", &["limits"], "", true),
    ("resourcequotas", "resourcequota", &["quota"], "", true),
    ("replicationcontrollers", "replicationcontroller", &["rc"], "", true),
    ("podtemplates", "podtemplate", &[], "", true),
    ("componentstatuses", "componentstatus", &["cs"], "", false),
    ("bindings", "binding", &[], "", true),
    ("deployments", "deployment", &["deploy"], "apps", true),
    ("replicasets", "replicaset", &["rs"], "apps", true),
    ("statefulsets", "statefulset", &["sts"], "apps", true),
    ("daemonsets", "daemonset", &["ds"], "apps", true),
    ("controllerrevisions", "controllerrevision", &[], "apps", true),
    ("jobs", "job", &[], "batch", true),
    ("cronjobs", "cronjob", &["cj"], "batch", true),
    (
        "horizontalpodautoscalers",
        "horizontalpodautoscaler",
        &["hpa"],
        "autoscaling",
        true,
    ),
    ("poddisruptionbudgets", "poddisruptionbudget", &["pdb"], "policy", true),
    ("ingresses", "ingress", &["ing"], "networking.k8s.io", true),
    (
        "networkpolicies",
        "networkpolicy",
        &["netpol"],
        "networking.k8s.io",
        true,
    ),
    ("ingressclasses", "ingressclass", &[], "networking.k8s.io", false),
    ("roles", "role", &[], "rbac.authorization.k8s.io", true),
    ("rolebindings", "rolebinding", &[], "rbac.authorization.k8s.io", true),
    ("clusterroles", "clusterrole", &[], "rbac.authorization.k8s.io", false),
    (
        "clusterrolebindings",
        "clusterrolebinding",
        &[],
        "rbac.authorization.k8s.io",
        false,
    ),
    ("storageclasses", "storageclass", &["sc"], "storage.k8s.io", false),
    ("csidrivers", "csidriver", &[], "storage.k8s.io", false),
    ("csinodes", "csinode", &[], "storage.k8s.io", false),
    ("volumeattachments", "volumeattachment", &[], "storage.k8s.io", false),
    (
        "certificatesigningrequests",
        "certificatesigningrequest",
        &["csr"],
        "certificates.k8s.io",
        false,
    ),
    (
        "mutatingwebhookconfigurations",
        "mutatingwebhookconfiguration",
        &[],
        "admissionregistration.k8s.io",
        false,
    ),
    (
        "validatingwebhookconfigurations",
        "validatingwebhookconfiguration",
        &[],
        "admissionregistration.k8s.io",
        false,
    ),
    (
        "validatingadmissionpolicies",
        "validatingadmissionpolicy",
        &[],
        "admissionregistration.k8s.io",
        false,
    ),
    (
        "validatingadmissionpolicybindings",
        "validatingadmissionpolicybinding",
        &[],
        "admissionregistration.k8s.io",
        false,
    ),
    (
        "customresourcedefinitions",
        "customresourcedefinition",
        &["crd", "crds"],
        "apiextensions.k8s.io",
        false,
    ),
    ("apiservices", "apiservice", &[], "apiregistration.k8s.io", false),
    ("leases", "lease", &[], "coordination.k8s.io", true),
    ("endpointslices", "endpointslice", &[], "discovery.k8s.io", true),
    ("priorityclasses", "priorityclass", &["pc"], "scheduling.k8s.io", false),
    ("runtimeclasses", "runtimeclass", &[], "node.k8s.io", false),
    ("tokenreviews", "tokenreview", &[], "authentication.k8s.io", false),
    (
        "subjectaccessreviews",
        "subjectaccessreview",
        &[],
        "authorization.k8s.io",
        false,
    ),
    (
        "selfsubjectaccessreviews",
        "selfsubjectaccessreview",
        &[],
        "authorization.k8s.io",
        false,
    ),
    (
        "localsubjectaccessreviews",
        "localsubjectaccessreview",
        &[],
        "authorization.k8s.io",
        true,
    ),
];

/// The built-in entry `name` names (plural, singular or short name), in `group` when given.
fn builtin(name: &str, group: Option<&str>) -> Option<&'static Entry> {
    BUILTIN.iter().find(|(plural, singular, short, g, _)| {
        group.is_none_or(|want| want == *g) && (*plural == name || *singular == name || short.contains(&name))
    })
}

/// Reads `VERB TYPE[/NAME]` (or `VERB /URL`) as kubectl does:
/// - `TYPE` is `resource` or `resource.group` (all after the first dot is the group);
/// - a built-in resource's singular or short name gives its plural and its group
///   (`deploy` → `deployments` in `apps`); any other name is used verbatim (no case folding,
///   no pluralisation) in the core group;
/// - `api_group` (`Some("")` for the core group) overrides the group;
/// - a built-in cluster-scoped resource is asked cluster-wide whatever the namespace;
/// - a `TYPE` starting with `/` is a non-resource URL (always cluster-wide).
pub fn request(
    verb: &str,
    target: &str,
    subresource: &str,
    api_group: Option<&str>,
    namespace: &str,
) -> Result<Request, String> {
    if verb.is_empty() {
        return Err("the verb is empty".into());
    }
    if target.starts_with('/') {
        if !subresource.is_empty() || api_group.is_some() {
            return Err(format!(
                "`{target}` is a non-resource URL, which takes no `--subresource` or `--api-group`"
            ));
        }
        return Ok(Request::non_resource(verb, target));
    }
    let (kind, name) = target.split_once('/').unwrap_or((target, ""));
    if kind.is_empty() {
        return Err(format!("`{target}` names no resource type"));
    }
    let (resource, written_group) = match kind.split_once('.') {
        Some((r, g)) => (r, Some(g)),
        None => (kind, None),
    };
    let entry = builtin(resource, written_group).or_else(|| api_group.and_then(|_| builtin(resource, None)));
    let (resource, group, namespaced) = match entry {
        Some((plural, _, _, g, namespaced)) => (*plural, written_group.unwrap_or(g), *namespaced),
        None => (resource, written_group.unwrap_or(""), true),
    };
    let group = api_group.unwrap_or(group);
    let namespace = if namespaced { namespace } else { "" };
    Ok(Request::resource(verb, group, resource, subresource, name, namespace))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rbac::rules::Target;

    /// Group, resource, subresource, name, namespace.
    type Parts = (String, String, String, String, String);

    fn parts(r: &Request) -> Parts {
        match &r.target {
            Target::Resource {
                group,
                resource,
                subresource,
                name,
            } => (
                group.clone(),
                resource.clone(),
                subresource.clone(),
                name.clone(),
                r.namespace.clone(),
            ),
            Target::NonResource { path } => (
                String::new(),
                path.clone(),
                String::new(),
                String::new(),
                r.namespace.clone(),
            ),
        }
    }

    #[test]
    fn types_resolve_as_kubectl_reads_them() {
        let s = |x: &str| x.to_owned();
        let cases: Vec<(&str, &str, Option<&str>, Parts)> = vec![
            ("pods", "", None, (s(""), s("pods"), s(""), s(""), s("ns"))),
            ("po/web", "exec", None, (s(""), s("pods"), s("exec"), s("web"), s("ns"))),
            ("pod", "", None, (s(""), s("pods"), s(""), s(""), s("ns"))),
            ("deploy", "", None, (s("apps"), s("deployments"), s(""), s(""), s("ns"))),
            (
                "deployments.apps",
                "",
                None,
                (s("apps"), s("deployments"), s(""), s(""), s("ns")),
            ),
            (
                "deployments.extensions",
                "",
                None,
                (s("extensions"), s("deployments"), s(""), s(""), s("ns")),
            ),
            (
                "widgets.example.com",
                "",
                None,
                (s("example.com"), s("widgets"), s(""), s(""), s("ns")),
            ),
            ("Pods", "", None, (s(""), s("Pods"), s(""), s(""), s("ns"))),
            ("widget", "", None, (s(""), s("widget"), s(""), s(""), s("ns"))),
            (
                "deployments",
                "",
                Some(""),
                (s(""), s("deployments"), s(""), s(""), s("ns")),
            ),
            (
                "pods",
                "",
                Some("metrics.k8s.io"),
                (s("metrics.k8s.io"), s("pods"), s(""), s(""), s("ns")),
            ),
            ("nodes", "proxy", None, (s(""), s("nodes"), s("proxy"), s(""), s(""))),
            (
                "csr",
                "approval",
                None,
                (
                    s("certificates.k8s.io"),
                    s("certificatesigningrequests"),
                    s("approval"),
                    s(""),
                    s(""),
                ),
            ),
        ];
        for (target, sub, group, expected) in cases {
            let r = request("get", target, sub, group, "ns").unwrap();
            assert_eq!(parts(&r), expected, "{target}");
        }
        let url = request("get", "/healthz", "", None, "ns").unwrap();
        assert_eq!(url, Request::non_resource("get", "/healthz"));
        assert!(request("get", "/healthz", "x", None, "").is_err());
        assert!(request("get", "", "", None, "").is_err());
    }
}
