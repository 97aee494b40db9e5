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

/// An answer bigger than we read: a LIST page or a type with too many objects, or a body
/// over its byte limit. Named with what was asked and of which server.
#[derive(Debug, thiserror::Error)]
#[error("{what} from {server} is over {limit}: refused (a server that ignores the page size, or a hostile one)")]
pub struct OverLimit {
    pub what: String,
    pub server: String,
    pub limit: String,
}

/// The most an error answer's body is read to (its Status is a few hundred bytes).
const ERROR_BODY_LIMIT: usize = 1 << 20;

/// Sends `request` and reads the answer's body, failing with [`OverLimit`] as soon as it
/// passes `limit` bytes instead of holding whatever the server sends. Error answers become
/// `kube::Error::Api` with the server's Status, as the client's own `request` makes them.
/// Not bounded in time: callers run it under [`Deadline::bound`].
pub async fn read_bounded(
    cluster: &Cluster,
    request: http::Request<Vec<u8>>,
    limit: usize,
    what: &str,
) -> Result<Vec<u8>, kube::Error> {
    use http_body_util::BodyExt;
    let response = cluster
        .client
        .send(request.map(kube::client::Body::from))
        .await?;
    let status = response.status();
    let failed = status.is_client_error() || status.is_server_error();
    let limit = if failed {
        limit.min(ERROR_BODY_LIMIT)
    } else {
        limit
    };
    let mut body = response.into_body();
    let mut bytes = Vec::new();
    while let Some(frame) = body.frame().await {
        if let Some(data) = frame?.data_ref() {
            if bytes.len() + data.len() > limit {
                return Err(kube::Error::Service(Box::new(OverLimit {
                    what: what.to_string(),
                    server: cluster.server.clone(),
                    limit: mebibytes(limit),
                })));
            }
            bytes.extend_from_slice(data);
        }
    }
    if failed {
        let text = String::from_utf8_lossy(&bytes);
        let answer = serde_json::from_str::<kube::core::Status>(&text).unwrap_or_else(|_| {
            kube::core::Status::failure(text.trim(), "Failed to parse error data")
                .with_code(status.as_u16())
        });
        return Err(kube::Error::Api(Box::new(answer)));
    }
    Ok(bytes)
}

/// `limit` bytes for messages: `16 MiB`.
pub fn mebibytes(limit: usize) -> String {
    if limit >= 1 << 20 && limit.is_multiple_of(1 << 20) {
        format!("{} MiB", limit >> 20)
    } else {
        format!("{limit} bytes")
    }
}

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
