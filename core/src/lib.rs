//! Rempart: a Kubernetes security policy engine.
//!
//! Text goes in (YAML or JSON, many documents), findings come out, each pointing at the
//! exact node that causes it. Policies are declarative YAML files compiled once into an
//! [`Engine`], which is immutable and shared freely across threads.
//!
//! ```
//! use rempart::{Engine, Options, Source};
//! let engine = Engine::new(&Options::default()).expect("built-in policies load");
//! let report = engine.scan_source(&Source::new("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    image: nginx\n    securityContext: {privileged: true}\n"));
//! assert!(report.findings.iter().any(|f| f.policy == "pod-security/baseline/privileged"));
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod admission;
pub mod config;
mod decode;
pub mod detect;
pub mod document;
pub mod engine;
pub mod ffi;
pub mod files;
pub mod format;
pub mod glob;
pub mod kustomize;
pub mod objects;
pub mod policy;
pub mod project;
pub mod rbac;
mod testing;

pub use document::{Limits, Source};
pub use engine::{Engine, EngineError, Finding, LevelChoice, Options, PolicyText, Report};
pub use policy::{Level, Policy, PolicyError, Severity, Version};
pub use testing::{run_policy_tests, TestFailure};

/// The README's Rust examples, compiled and run as doc-tests (`cargo test -p rempart --doc`).
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

/// The version of this crate, written into every report.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
