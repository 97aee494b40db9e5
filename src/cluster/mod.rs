//! Everything that talks to clusters: kubeconfig contexts and their clients, aggregated
//! discovery, listing live objects, and server-side dry-run applies. Errors carry the
//! context (and where useful the resource) they happened in.

pub mod cache;
pub mod discovery;
pub mod errors;
pub mod kubeconfig;
pub mod live;

use std::path::PathBuf;

pub use discovery::{Catalog, ResourceType};
pub use kubeconfig::{load_kubeconfig, select_contexts, Cluster};

/// What can go wrong while reaching a cluster or reading its kubeconfig.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error("cannot read kubeconfig {path}: {source}")]
    KubeconfigRead {
        path: PathBuf,
        #[source]
        source: kube::config::KubeconfigError,
    },
    #[error("no kubeconfig found: set --kubeconfig or KUBECONFIG, or create ~/.kube/config")]
    NoKubeconfig,
    #[error("none of the files in KUBECONFIG exists: {list}")]
    NoKubeconfigFiles { list: String },
    #[error("context {name:?} is not in the kubeconfig (known contexts: {known})")]
    UnknownContext { name: String, known: String },
    #[error("the kubeconfig sets no current-context: choose one with --context")]
    NoCurrentContext,
    #[error("context {context}: invalid kubeconfig entry: {source}")]
    Config {
        context: String,
        #[source]
        source: kube::config::KubeconfigError,
    },
    #[error("context {context}: cannot build a client: {source}")]
    Client {
        context: String,
        #[source]
        source: kube::Error,
    },
    #[error("context {context}: {what}: {}", errors::describe(source, false))]
    Api {
        context: String,
        what: String,
        #[source]
        source: kube::Error,
    },
}
