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
    /// The context's namespace, or `default`.
    pub default_namespace: String,
    pub client: kube::Client,
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
    let home = std::env::var_os("HOME").ok_or(ClusterError::NoKubeconfig)?;
    let path = PathBuf::from(home).join(".kube").join("config");
    if !path.exists() {
        return Err(ClusterError::NoKubeconfig);
    }
    read(&path)
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

/// Builds a client for one context of an already loaded kubeconfig.
pub async fn connect(config: &Kubeconfig, context: &str) -> Result<Cluster, ClusterError> {
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
    let client = kube::Client::try_from(client_config).map_err(|source| ClusterError::Client {
        context: context.to_string(),
        source,
    })?;
    Ok(Cluster {
        context: context.to_string(),
        user,
        default_namespace,
        client,
    })
}

/// The server's version string, e.g. `v1.33.13`.
pub async fn server_version(cluster: &Cluster) -> Result<String, ClusterError> {
    cluster
        .client
        .apiserver_version()
        .await
        .map(|info| info.git_version)
        .map_err(|source| ClusterError::Api {
            context: cluster.context.clone(),
            what: "cannot read the server version".into(),
            source,
        })
}
