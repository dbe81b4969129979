//! Running the inline `tests:` of policies: every pass example must give no finding of its
//! policy, every fail example at least one (at the given pointer, when one is given).

use crate::document::{Node, Source};
use crate::engine::Engine;
use crate::policy::TestCase;

/// An inline example that did not behave as its policy says.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TestFailure {
    /// The policy id.
    pub policy: String,
    /// The policy file.
    pub file: String,
    /// What happened.
    pub message: String,
}

/// Runs the inline tests of every policy of `engine`; returns the failures and the number
/// of examples run.
pub fn run_policy_tests(engine: &Engine) -> (Vec<TestFailure>, usize) {
    let mut failures = Vec::new();
    let mut count = 0;
    for policy in engine.policies() {
        let tests = policy.examples();
        let cases = tests
            .pass
            .iter()
            .map(|c| (true, c))
            .chain(tests.fail.iter().map(|c| (false, c)));
        for (n, (pass, case)) in cases.enumerate() {
            count += 1;
            let fail = |message: String| TestFailure {
                policy: policy.id.clone(),
                file: policy.file.clone(),
                message,
            };
            let compiled = match &case.params {
                Some(params) => recompiled(policy, params),
                None => Some(policy.clone()),
            };
            let Some(single) = compiled.and_then(|p| engine.with_policy(p, case.version, case.level)) else {
                failures.push(fail("the example's `params` do not compile with the policy".into()));
                continue;
            };
            // A set of documents is scanned as one scan (policies that look up other objects
            // see them all); its findings count on the case's `document`, else on any.
            let label = describe(case, n, pass);
            if policy.aggregate.is_some() || case.repeat.is_some() {
                failures.extend(crate::detect::test_sequence(&single, policy, case, pass, &label).map(fail));
                continue;
            }
            let report = match case.documents.as_slice() {
                [] => single.scan_nodes("test", std::slice::from_ref(&case.object)),
                set => single.scan_nodes("test", set),
            };
            let paths: Vec<&str> = report
                .findings
                .iter()
                .filter(|f| f.policy == policy.id && case.document.is_none_or(|d| f.document == d))
                .map(|f| f.path.as_str())
                .collect();
            if pass && !paths.is_empty() {
                failures.push(fail(format!(
                    "{label} should pass but is flagged at {}",
                    paths.join(", ")
                )));
            } else if !pass && paths.is_empty() {
                failures.push(fail(format!("{label} should be flagged but passes")));
            } else if let Some(want) = case.path.as_deref().filter(|_| !pass) {
                if !paths.contains(&want) {
                    failures.push(fail(format!(
                        "{label} is flagged at {} instead of {want}",
                        paths.join(", ")
                    )));
                }
            }
            if !report.errors.is_empty() || !report.notes.is_empty() {
                failures.push(fail(format!("{label} is not a readable Kubernetes object")));
            }
        }
    }
    (failures, count)
}

/// The policy compiled again from its file with other parameter values.
fn recompiled(
    policy: &crate::Policy,
    params: &std::collections::BTreeMap<String, serde_json::Value>,
) -> Option<crate::Policy> {
    // A case may only set parameters the policy declares.
    if params.keys().any(|name| !policy.params.iter().any(|p| &p.name == name)) {
        return None;
    }
    let overrides = std::iter::once((policy.id.clone(), params.clone())).collect();
    let source = Source::new(policy.file.clone(), policy.text.to_string());
    let (found, _) = crate::policy::load_policies_with(&source, &overrides, &policy.definitions, true);
    found.into_iter().find(|p| p.id == policy.id)
}

fn describe(case: &TestCase, n: usize, pass: bool) -> String {
    let name = case
        .object
        .get_path(&["metadata", "name"])
        .map(Node::display)
        .unwrap_or_default();
    let version = case.version.map(|v| format!(" at {v}")).unwrap_or_default();
    let set = if case.documents.is_empty() {
        String::new()
    } else {
        format!(" (a set of {} documents)", case.documents.len())
    };
    format!(
        "{} example `{name}` (#{}){version}{set}",
        if pass { "pass" } else { "fail" },
        n + 1
    )
}
