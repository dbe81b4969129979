#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
//! Findings on block scalars (`|`, `>`) all start at the indicator, on the line of their key,
//! and end with the last character of the content — whatever precedes the indicator.

mod common;

/// (line, column) of the start and end of every finding of `policy`.
fn places(text: &str, policy: &str) -> Vec<((usize, usize), (usize, usize))> {
    common::findings_of(text, policy)
        .iter()
        .map(|f| {
            (
                (f.span.start.line, f.span.start.column),
                (f.span.end.line, f.span.end.column),
            )
        })
        .collect()
}

#[test]
fn a_credential_in_a_block_scalar_is_placed_from_its_indicator() {
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata:\n  literal: |\n    -----BEGIN RSA PRIVATE KEY-----\n    abc\n\n  folded: &key !!str >-  # the key\n    -----BEGIN RSA PRIVATE KEY-----\n  quoted: \"-----BEGIN RSA PRIVATE KEY-----\"\n";
    assert_eq!(
        places(text, "secrets/credentials-in-config"),
        [((5, 12), (7, 8)), ((9, 22), (10, 36)), ((11, 11), (11, 44))]
    );
}

#[test]
fn an_environment_value_in_a_block_scalar_is_placed_from_its_indicator() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: nginx:1.27\n    env:\n    - name: TOKEN\n      value: >\n        ghp_abcdefghijklmnopqrstuvwxyz0123456789AB\n    - name: KEY\n      value:\n        |\n          -----BEGIN RSA PRIVATE KEY-----\n";
    assert_eq!(
        places(text, "secrets/hardcoded-credentials-in-env"),
        [((10, 14), (11, 51)), ((14, 9), (15, 42))]
    );
}
