//! Loading the kubeconfig the way kubectl does (`--kubeconfig`, else the `KUBECONFIG` list
//! merged first-wins with missing files skipped, else `~/.kube/config`), choosing contexts,
//! and building one client per context.

use std::path::{Path, PathBuf};

use kube::config::{KubeConfigOptions, Kubeconfig};

use super::ClusterError;

/// One selected kubeconfig context with a ready client.
#[derive(Clone)]
pub struct Cluster {
    /// The context's name, as the user knows it.
    pub context: String,
    /// The kubeconfig user of the context, for audit lines and messages.
    pub user: Option<String>,
    /// Who the server says this context's credentials are, once asked (`fix` asks).
    pub server_user: Option<ServerUser>,
    /// The context's namespace, or `default`.
    pub default_namespace: String,
    pub client: kube::Client,
    /// Every request through `live` and discovery is bounded by this.
    pub deadline: std::sync::Arc<super::Deadline>,
    /// The API server's URL, for messages.
    pub server: String,
}

/// A user as the server authenticated it (a SelfSubjectReview's answer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerUser {
    pub username: String,
    pub groups: Vec<String>,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster")
            .field("context", &self.context)
            .finish()
    }
}

/// Reads the kubeconfig named by `--kubeconfig`, else `KUBECONFIG`, else the default file.
pub fn load_kubeconfig(explicit: Option<&Path>) -> Result<Kubeconfig, ClusterError> {
    if let Some(path) = explicit {
        return read(path);
    }
    if let Some(list) = std::env::var_os("KUBECONFIG") {
        let paths: Vec<PathBuf> = std::env::split_paths(&list)
            .filter(|p| !p.as_os_str().is_empty())
            .collect();
        if !paths.is_empty() {
            let mut merged: Option<Kubeconfig> = None;
            // kubectl skips listed files that do not exist, and fails on unreadable ones.
            for path in paths.iter().filter(|p| p.exists()) {
                let next = read(path)?;
                merged = Some(match merged {
                    None => next,
                    Some(m) => m
                        .merge(next)
                        .map_err(|source| ClusterError::KubeconfigRead {
                            path: path.clone(),
                            source,
                        })?,
                });
            }
            return merged.ok_or_else(|| ClusterError::NoKubeconfigFiles {
                list: list.to_string_lossy().into_owned(),
            });
        }
    }
    let default = crate::dirs::home().map(|home| home.join(".kube").join("config"));
    match default {
        Some(path) if path.exists() => read(&path),
        // In a pod with no kubeconfig, the service account's, as kubectl does.
        _ => in_cluster().ok_or(ClusterError::NoKubeconfig),
    }
}

/// The context name of the in-cluster configuration.
pub const IN_CLUSTER_CONTEXT: &str = "in-cluster";
/// Where a pod finds its service account's token, CA and namespace.
const SERVICE_ACCOUNT_DIR: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// A kubeconfig for the pod's own service account: the API server from
/// `KUBERNETES_SERVICE_HOST`/`_PORT`, the CA, and the token file (re-read as it rotates).
/// `KUBECTL_DRIFT_SERVICEACCOUNT_DIR` points elsewhere than the pod's mount, for running
/// the same way outside a pod.
fn in_cluster() -> Option<Kubeconfig> {
    let host = std::env::var("KUBERNETES_SERVICE_HOST").ok()?;
    let port = std::env::var("KUBERNETES_SERVICE_PORT").ok()?;
    let dir = std::env::var_os("KUBECTL_DRIFT_SERVICEACCOUNT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(SERVICE_ACCOUNT_DIR));
    let token = std::fs::read_to_string(dir.join("token")).ok()?;
    let namespace = std::fs::read_to_string(dir.join("namespace"))
        .map(|n| n.trim().to_string())
        .unwrap_or_else(|_| "default".into());
    let host = if host.contains(':') {
        format!("[{host}]")
    } else {
        host
    };
    let user = token_subject(&token).unwrap_or_else(|| "serviceaccount".into());
    let config = serde_json::json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": IN_CLUSTER_CONTEXT, "cluster": {
            "server": format!("https://{host}:{port}"),
            "certificate-authority": dir.join("ca.crt"),
        }}],
        "users": [{"name": user, "user": {"tokenFile": dir.join("token")}}],
        "contexts": [{"name": IN_CLUSTER_CONTEXT, "context": {
            "cluster": IN_CLUSTER_CONTEXT, "user": user, "namespace": namespace,
        }}],
        "current-context": IN_CLUSTER_CONTEXT,
    });
    serde_json::from_value(config).ok()
}

/// `system:serviceaccount:NS:NAME` from a service account token (a JWT's `sub`), so that
/// audit lines name who wrote.
fn token_subject(token: &str) -> Option<String> {
    use base64::Engine;
    let payload = token.trim().split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    claims["sub"].as_str().map(str::to_string)
}

fn read(path: &Path) -> Result<Kubeconfig, ClusterError> {
    Kubeconfig::read_from(path).map_err(|source| ClusterError::KubeconfigRead {
        path: path.to_path_buf(),
        source,
    })
}

/// Which contexts to use: the named ones (each must exist), all of them, or the current one.
pub fn select_contexts(
    config: &Kubeconfig,
    named: &[String],
    all: bool,
) -> Result<Vec<String>, ClusterError> {
    let known: Vec<String> = config.contexts.iter().map(|c| c.name.clone()).collect();
    if all {
        return Ok(known);
    }
    if named.is_empty() {
        let current = config
            .current_context
            .clone()
            .filter(|c| !c.is_empty())
            .ok_or(ClusterError::NoCurrentContext)?;
        return Ok(vec![current]);
    }
    let mut chosen = Vec::new();
    for name in named {
        if !known.contains(name) {
            return Err(ClusterError::UnknownContext {
                name: name.clone(),
                known: known.join(", "),
            });
        }
        if !chosen.contains(name) {
            chosen.push(name.clone());
        }
    }
    Ok(chosen)
}

/// The contexts whose cluster entry sets `insecure-skip-tls-verify: true`: their server's
/// identity is not checked, and the person should hear so.
pub fn insecure_contexts(config: &Kubeconfig) -> Vec<String> {
    config
        .contexts
        .iter()
        .filter(|named| {
            let cluster = named.context.as_ref().map(|c| c.cluster.as_str());
            config.clusters.iter().any(|c| {
                Some(c.name.as_str()) == cluster
                    && c.cluster
                        .as_ref()
                        .and_then(|c| c.insecure_skip_tls_verify)
                        .unwrap_or(false)
            })
        })
        .map(|named| named.name.clone())
        .collect()
}

/// Builds a client for one context of an already loaded kubeconfig, with the default
/// request timeout.
pub async fn connect(config: &Kubeconfig, context: &str) -> Result<Cluster, ClusterError> {
    connect_with_timeout(config, context, Some(super::DEFAULT_REQUEST_TIMEOUT)).await
}

/// Builds a client for one context whose requests each get at most `request_timeout`
/// (`None`: no limit).
pub async fn connect_with_timeout(
    config: &Kubeconfig,
    context: &str,
    request_timeout: Option<std::time::Duration>,
) -> Result<Cluster, ClusterError> {
    connect_with(config, context, request_timeout, None).await
}

/// As `connect_with_timeout`, and every response must start within `read_timeout`: for a
/// client whose calls go around `Deadline::bound` (a Lease manager's) and must never hang.
/// Not for watches, which wait for events as long as there are none.
pub async fn connect_with(
    config: &Kubeconfig,
    context: &str,
    request_timeout: Option<std::time::Duration>,
    read_timeout: Option<std::time::Duration>,
) -> Result<Cluster, ClusterError> {
    let options = KubeConfigOptions {
        context: Some(context.to_string()),
        ..Default::default()
    };
    let client_config = kube::Config::from_custom_kubeconfig(config.clone(), &options)
        .await
        .map_err(|source| ClusterError::Config {
            context: context.to_string(),
            source,
        })?;
    let user = config
        .contexts
        .iter()
        .find(|c| c.name == context)
        .and_then(|c| c.context.as_ref())
        .and_then(|c| c.user.clone());
    let default_namespace = client_config.default_namespace.clone();
    let mut client_config = client_config;
    let server = client_config.cluster_url.to_string();
    if let Some(after) = request_timeout {
        // A second past the request timeout, so that `Deadline::bound` always fires first and
        // the context is given up with the timeout named, whichever timer the runtime wakes.
        client_config.connect_timeout = Some(after + std::time::Duration::from_secs(1));
    }
    if read_timeout.is_some() {
        client_config.read_timeout = read_timeout;
    }
    let client = kube::Client::try_from(client_config).map_err(|source| ClusterError::Client {
        context: context.to_string(),
        source,
    })?;
    Ok(Cluster {
        context: context.to_string(),
        user,
        server_user: None,
        default_namespace,
        client,
        deadline: std::sync::Arc::new(super::Deadline::new(request_timeout)),
        server,
    })
}

/// The cluster's identity: the UID of its `kube-system` namespace, which every context
/// that reaches the cluster sees alike and which lives as long as the cluster.
pub async fn cluster_uid(cluster: &Cluster) -> Result<String, ClusterError> {
    let api: kube::Api<k8s_openapi::api::core::v1::Namespace> =
        kube::Api::all(cluster.client.clone());
    let namespace = cluster
        .deadline
        .bound(api.get("kube-system"))
        .await
        .map_err(|error| ClusterError::Api {
            context: cluster.context.clone(),
            what: "cannot read the kube-system namespace (the cluster's identity)".into(),
            error,
        })?;
    let uid = namespace.metadata.uid.unwrap_or_default();
    Ok(if plausible_uid(&uid) {
        uid
    } else {
        String::new()
    })
}

/// The UID ends up in metric labels and reports: a server's answer is taken only when it
/// looks like one (at most 64 letters, digits and `-`), never a megabyte or a line break.
fn plausible_uid(uid: &str) -> bool {
    (1..=64).contains(&uid.len()) && uid.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// The server's version string, e.g. `v1.33.13`.
pub async fn server_version(cluster: &Cluster) -> Result<String, ClusterError> {
    cluster
        .deadline
        .bound(cluster.client.apiserver_version())
        .await
        .map(|info| info.git_version)
        .map_err(|error| ClusterError::Api {
            context: cluster.context.clone(),
            what: "cannot read the server version".into(),
            error,
        })
}

#[cfg(test)]
mod tests {
    use super::plausible_uid;

    #[test]
    fn only_a_uid_shaped_answer_is_taken_as_the_clusters_identity() {
        assert!(plausible_uid("5b1e2c3d-8f0a-4c1e-9d2b-7a6f3e1c0b94"));
        for hostile in [
            "",
            "a\"} 1\nkubectl_drift_leader 1",
            "uid with spaces",
            "\u{1b}[31mred",
            &"a".repeat(65),
        ] {
            assert!(!plausible_uid(hostile), "{hostile:?}");
        }
    }
}
