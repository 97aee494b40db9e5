//! Everything that talks to clusters: kubeconfig contexts and their clients, aggregated
//! discovery, listing live objects, and server-side dry-run applies. Errors carry the
//! context (and where useful the resource) they happened in.

pub mod admission;
pub mod cache;
pub mod discovery;
pub mod errors;
pub mod kubeconfig;
pub mod live;
pub mod openapi;

use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;

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
    /// The error is put in words here and not passed on as a source: its own text is the
    /// client's dump of the server's answer.
    #[error("context {context}: {what}: {}", errors::describe(error, false))]
    Api {
        context: String,
        what: String,
        error: kube::Error,
    },
}

/// A request that got no answer within `--request-timeout`.
#[derive(Debug, thiserror::Error)]
#[error("timed out: the API server did not answer within {} (--request-timeout)", seconds(*.after))]
pub struct TimedOut {
    pub after: Duration,
}

fn seconds(d: Duration) -> String {
    format!("{}s", d.as_secs_f64())
}

pub use crate::cli::DEFAULT_REQUEST_TIMEOUT;

/// A cluster's deadline: once one of its requests times out, the server is taken as frozen
/// and the work left in its context is given up at once, instead of every remaining request
/// waiting out its own timeout in turn. Shared by the clones of one `Cluster`.
#[derive(Debug)]
pub struct Deadline {
    request_timeout: Option<Duration>,
    passed: tokio::sync::watch::Sender<Option<Duration>>,
}

impl Deadline {
    pub fn new(request_timeout: Option<Duration>) -> Deadline {
        Deadline {
            request_timeout,
            passed: tokio::sync::watch::Sender::new(None),
        }
    }

    /// Runs one request within the request timeout; one that times out passes the deadline.
    pub async fn bound<T>(
        &self,
        request: impl Future<Output = Result<T, kube::Error>>,
    ) -> Result<T, kube::Error> {
        let Some(after) = self.request_timeout else {
            return request.await;
        };
        match tokio::time::timeout(after, request).await {
            Ok(result) => result,
            Err(_) => {
                self.passed.send_replace(Some(after));
                Err(kube::Error::Service(Box::new(TimedOut { after })))
            }
        }
    }

    /// Resolves, with the timeout, once a request has timed out; never without.
    pub async fn passed(&self) -> Duration {
        let mut seen = self.passed.subscribe();
        let passed = seen.wait_for(Option::is_some).await.map(|after| *after);
        match passed {
            Ok(after) => after.unwrap_or_default(),
            // The sender lives as long as `self`: this cannot happen, but waiting forever is right.
            Err(_) => std::future::pending().await,
        }
    }
}
