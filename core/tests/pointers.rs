#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
//! A finding about an explicit value points at that value (pointer and line:column); about a
//! missing one, at the parent where it would be written.

mod common;

/// (pointer, line, column) of every finding of `policy`.
fn places(text: &str, policy: &str) -> Vec<(String, usize, usize)> {
    common::findings_of(text, policy)
        .iter()
        .map(|f| (f.path.clone(), f.span.start.line, f.span.start.column))
        .collect()
}

#[test]
fn the_default_service_account_is_pointed_at_where_it_is_named() {
    let explicit = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  serviceAccountName: default\n  containers: [{name: a, image: 'x:1'}]\n";
    assert_eq!(
        places(explicit, "identity/default-service-account"),
        [("/spec/serviceAccountName".to_owned(), 5, 23)]
    );
    let implicit = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, image: 'x:1'}]\n";
    assert_eq!(
        places(implicit, "identity/default-service-account"),
        [("/spec".to_owned(), 4, 1)]
    );
}

#[test]
fn a_writable_host_path_is_pointed_at_its_explicit_read_only_false() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: 'x:1'\n    volumeMounts:\n    - {name: logs, mountPath: /logs, readOnly: false}\n  volumes:\n  - {name: logs, hostPath: {path: /var/log}}\n";
    assert_eq!(
        places(text, "workload/writable-host-path"),
        [("/spec/containers/0/volumeMounts/0/readOnly".to_owned(), 9, 48)]
    );
}
