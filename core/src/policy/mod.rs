//! The policy language: files, their compiled form, paths and conditions.

mod aggregate;
mod audit;
mod can;
mod catalog;
mod certificate;
mod condition;
mod define;
mod examples_cut;
mod load;
mod model;
mod path;
mod related;
mod version;

pub use crate::decode::{suggest, PolicyError};
pub use aggregate::{parse_duration, Aggregate, Repeat};
pub use audit::{ip_class, query_values};
pub use catalog::markdown_table;
pub use condition::{Budget, Condition, Hit, Lookup, Named, Op, Quantifier, Scope, Subject};
pub use define::{builtin_definitions, load_definitions, Definitions};
pub use load::{load_policies, load_policies_with, load_policies_without_examples, ParamOverrides};
pub use model::{
    name_matches, Docs, Each, Iteration, KindPattern, Level, Match, Param, Part, Policy, RequestView, Rule, Severity,
    Status, Template, TestCase, Tests,
};
pub use path::{Item, KeyPart, NoResolve, Path, Resolve, Root, Step};
pub use related::Related;
pub use version::{Version, VersionRange, NEWEST_MINOR};

/// The built-in policy files, embedded at build time: (path under `policies/`, text).
pub fn builtin_files() -> &'static [(&'static str, &'static str)] {
    include!(concat!(env!("OUT_DIR"), "/builtin_policies.rs"))
}
