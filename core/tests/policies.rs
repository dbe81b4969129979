#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
//! The built-in policies: every inline pass/fail example behaves as its policy says, and
//! the generated policy table in `policies/README.md` is up to date.

use std::path::PathBuf;

use rempart::{Engine, Options};

#[test]
fn every_builtin_policy_passes_its_own_examples() {
    let engine = Engine::new(&Options::default()).unwrap_or_else(|e| panic!("{e}"));
    let (failures, count) = rempart::run_policy_tests(&engine);
    let shown: Vec<String> = failures
        .iter()
        .map(|f| format!("{}: {}", f.policy, f.message))
        .collect();
    assert!(failures.is_empty(), "{}", shown.join("\n"));
    assert!(
        count >= 2 * engine.policies().len(),
        "{count} examples for {} policies",
        engine.policies().len()
    );
    // The built-in packs' bar: two pass and two fail examples, and a workload kind among the
    // examples of every policy that applies to pods.
    let mut short = Vec::new();
    for p in engine.policies() {
        let tests = p.examples();
        let (pass, fail) = (tests.pass.len(), tests.fail.len());
        let kinds: Vec<&str> = tests
            .pass
            .iter()
            .chain(&tests.fail)
            .filter_map(|c| c.object.get("kind")?.as_str())
            .collect();
        let workload = !p.matcher.pods || kinds.iter().any(|k| *k != "Pod");
        if pass < 2 || fail < 2 || !workload {
            short.push(format!(
                "{} ({pass} pass, {fail} fail, workload kind: {workload})",
                p.id
            ));
        }
    }
    assert!(
        short.is_empty(),
        "policies below the examples bar:\n{}",
        short.join("\n")
    );
}

/// The engine reads the built-in examples only on demand; read whole, every file is valid and
/// gives the same policy as without its examples.
#[test]
fn builtin_files_read_whole_or_without_examples_agree() {
    for (name, text) in rempart::policy::builtin_files() {
        let source = rempart::Source::new(*name, *text);
        let overrides = rempart::policy::ParamOverrides::new();
        let (whole, errors) = rempart::policy::load_policies(&source, &overrides);
        assert!(errors.is_empty(), "{name}: {errors:?}");
        let (head, errors) = rempart::policy::load_policies_without_examples(&source, &overrides);
        assert!(errors.is_empty(), "{name}: {errors:?}");
        // A definitions file (`_definitions.yaml`) holds no policy.
        if name.rsplit('/').next().is_some_and(|n| n.starts_with('_')) {
            assert!(
                whole.is_empty() && head.is_empty(),
                "{name}: a definitions file holds a policy"
            );
            continue;
        }
        assert_eq!(whole.len(), 1, "{name}");
        assert_eq!(head.len(), 1, "{name}");
        assert!(head[0].tests.is_none(), "{name}: the examples were parsed");
        assert_eq!(
            format!("{:?}", head[0].rules),
            format!("{:?}", whole[0].rules),
            "{name}"
        );
        assert_eq!(
            head[0].examples().pass.len(),
            whole[0].tests.as_ref().unwrap().pass.len(),
            "{name}"
        );
    }
}

#[test]
fn the_policy_table_is_up_to_date() {
    let engine = Engine::new(&Options::default()).unwrap_or_else(|e| panic!("{e}"));
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../policies/README.md");
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    let start = "<!-- policy-table:start -->\n";
    let end = "<!-- policy-table:end -->";
    let (Some(a), Some(b)) = (current.find(start), current.find(end)) else {
        panic!("{} must hold the markers {start:?} and {end:?}", path.display());
    };
    let fresh = format!(
        "{}{start}{}{}",
        &current[..a],
        rempart::policy::markdown_table(engine.policies()),
        &current[b..]
    );
    if std::env::var_os("REMPART_BLESS").is_some() {
        std::fs::write(&path, &fresh).unwrap();
    } else {
        assert!(
            current == fresh,
            "policies/README.md is stale; run `REMPART_BLESS=1 cargo test --test policies`"
        );
    }
}
