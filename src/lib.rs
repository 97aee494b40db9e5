//! kubectl-drift: compare live Kubernetes objects with their manifests in Git.
//!
//! The flow is settings → desired and live state → drift → report → renderers. `main`
//! only parses and calls [`app::main`]; everything below the report is pure.

pub mod accepted;
pub mod adopt;
pub mod app;
pub mod check;
pub mod cli;
pub mod cluster;
pub mod compare;
pub mod complete;
pub mod dirs;
pub mod drift;
pub mod fix;
#[doc(hidden)]
pub mod fuzzing;
pub mod history;
pub mod ignore;
pub mod notify;
pub mod rbac;
pub mod render;
pub mod report;
pub mod retry;
pub mod runner;
pub mod settings;
pub mod severity;
pub mod source;
pub mod watch;
pub mod yaml;
