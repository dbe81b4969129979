//! A validating admission webhook over the Rempart engine: `POST /validate` answers an
//! `AdmissionReview` with [`rempart::Engine::review_with`]; `GET /healthz`, `/readyz` and
//! `/metrics` serve the kubelet and Prometheus. Certificates, policies and configuration are
//! read from files and reloaded when they change; a broken new set is logged and the previous
//! one kept.

pub mod args;
pub mod log;
pub mod metrics;
pub mod reload;
pub mod server;
pub mod tls;

pub use args::Args;
pub use server::run;

/// The body limit of the API server's webhook requests (3 MiB); larger bodies get 413.
pub const MAX_BODY_BYTES: usize = 3 * 1024 * 1024;
