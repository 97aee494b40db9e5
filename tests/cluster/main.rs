//! Integration tests against the real kube-apiserver and etcd from `tests/testenv`.
//! One test binary, so the clusters start once per run; every test works in namespaces
//! of its own, so the tests run in parallel.

mod adopt;
mod alerts;
mod check;
mod cluster_identity;
mod common;
mod compare;
mod completion;
mod deploy;
mod differential;
mod fix;
mod fix_pipeline;
mod fix_plan;
mod fleet;
mod foundation;
mod guarded_writes;
mod helm;
mod hostile_programs;
mod hostile_reads;
mod hostile_repo;
mod hostile_server;
mod platforms;
mod precheck;
mod rbac;
mod readme;
mod reports;
mod schema;
mod setup;
mod severity;
mod static_binary;
mod versions;
mod watch;
mod yaml;
