//! The server's own schema: the OpenAPI v3 index (`/openapi/v3`), then one document per
//! group-version a check needs (CRDs included), compiled into `drift::schema::Schema`.
//! Compiled documents are cached on disk by the server and the document's hash from the
//! index, so a warm run costs the index request only. A schema that cannot be had is
//! simply absent: the pre-check then proves nothing and every pair gets a dry run.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::Cluster;
use crate::drift::schema::{Schema, Type};
use crate::retry;

/// The schemas of one cluster, by group-version.
#[derive(Debug, Default)]
pub struct Schemas {
    by_group_version: BTreeMap<(String, String), Schema>,
}

impl Schemas {
    /// The type of a kind, when its group-version's schema could be had.
    pub fn kind(&self, group: &str, version: &str, kind: &str) -> Option<Type<'_>> {
        self.by_group_version
            .get(&(group.to_string(), version.to_string()))?
            .kind(group, version, kind)
    }

    pub fn len(&self) -> usize {
        self.by_group_version.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_group_version.is_empty()
    }
}

/// Where compiled schemas are kept: `openapi` in the user's cache (see `crate::dirs`).
pub fn cache_root() -> PathBuf {
    crate::dirs::cache().join("openapi")
}

/// The server a context talks to, as the kubeconfig names it: what the cache is keyed by.
pub fn server_of(kubeconfig: &kube::config::Kubeconfig, context: &str) -> String {
    let cluster = kubeconfig
        .contexts
        .iter()
        .find(|c| c.name == context)
        .and_then(|c| c.context.as_ref())
        .map(|c| c.cluster.clone());
    cluster
        .and_then(|name| kubeconfig.clusters.iter().find(|c| c.name == name))
        .and_then(|c| c.cluster.as_ref())
        .and_then(|c| c.server.clone())
        // In a pod, or an entry without a server: the context stands for it.
        .unwrap_or_else(|| format!("context:{context}"))
}

/// The schemas of `group_versions` (group, version), from the cache where the index's hash
/// matches, else fetched. Whatever fails is left out.
pub async fn load(
    cluster: &Cluster,
    server: &str,
    group_versions: &BTreeSet<(String, String)>,
) -> Schemas {
    load_in(&cache_root(), cluster, server, group_versions).await
}

async fn load_in(
    root: &Path,
    cluster: &Cluster,
    server: &str,
    group_versions: &BTreeSet<(String, String)>,
) -> Schemas {
    let mut schemas = Schemas::default();
    if group_versions.is_empty() {
        return schemas;
    }
    let Ok(index) = get_json(cluster, "/openapi/v3").await else {
        return schemas;
    };
    let folder = root.join(short_hash(server));
    prune(root, &folder);
    let loads = group_versions.iter().filter_map(|(group, version)| {
        let key = if group.is_empty() {
            format!("api/{version}")
        } else {
            format!("apis/{group}/{version}")
        };
        let url = index["paths"][&key]["serverRelativeURL"]
            .as_str()?
            .to_string();
        // The server's answer names the document; only a path under the index is followed.
        let hash = url
            .strip_prefix(&format!("/openapi/v3/{key}?hash="))?
            .to_string();
        if hash.is_empty() || !hash.chars().all(|c| c.is_ascii_alphanumeric()) {
            return None;
        }
        let file = folder.join(format!(
            "{}-{}.json",
            key.replace(
                |c: char| !c.is_ascii_alphanumeric() && c != '.' && c != '-',
                "_"
            ),
            short_hash(&hash)
        ));
        Some(async move {
            let schema = match read_cached(&file) {
                Some(schema) => Some(schema),
                None => {
                    let document = get_json(cluster, &url).await.ok()?;
                    let schema = Schema::from_openapi(&document);
                    // A cache that cannot be written costs speed, never the answer.
                    let _ = write_cached(&file, &schema);
                    Some(schema)
                }
            };
            schema.map(|s| ((group.clone(), version.clone()), s))
        })
    });
    for (gv, schema) in futures::future::join_all(loads).await.into_iter().flatten() {
        if !schema.is_empty() {
            schemas.by_group_version.insert(gv, schema);
        }
    }
    schemas
}

/// The most an OpenAPI document (or the index) may take: the largest built-in ones are a
/// few MiB, a group of many large CRDs some tens.
pub const MAX_DOCUMENT_BYTES: usize = 64 << 20;

async fn get_json(cluster: &Cluster, url: &str) -> Result<Value, kube::Error> {
    retry::with_retries(|| async {
        let request = http::Request::get(url)
            .header(http::header::ACCEPT, "application/json")
            .body(Vec::new())
            .map_err(|e| kube::Error::BuildRequest(kube::core::request::Error::BuildRequest(e)))?;
        let what = format!("the OpenAPI document {url}");
        let body = cluster
            .deadline
            .bound(super::read_bounded(
                cluster,
                request,
                MAX_DOCUMENT_BYTES,
                &what,
            ))
            .await?;
        serde_json::from_slice(&body).map_err(kube::Error::SerdeError)
    })
    .await
}

/// Servers not seen for this long lose their cached schemas.
const KEEP_FOR: std::time::Duration = std::time::Duration::from_secs(30 * 24 * 3600);

/// Touches this server's folder and removes those of servers long unseen, so that the cache
/// does not grow with every short-lived cluster.
fn prune(root: &Path, current: &Path) {
    if std::fs::create_dir_all(current).is_err() {
        return;
    }
    let now = std::time::SystemTime::now();
    let _ = std::fs::File::open(current).and_then(|f| f.set_modified(now));
    for entry in std::fs::read_dir(root).into_iter().flatten().flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age > KEEP_FOR);
        if old && entry.path() != current && entry.path().is_dir() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

fn short_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

fn read_cached(file: &Path) -> Option<Schema> {
    let bytes = std::fs::read(file).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Writes atomically (a reader sees the old file or the new one), and removes the
/// group-version's files of older hashes.
fn write_cached(file: &Path, schema: &Schema) -> std::io::Result<()> {
    let folder = file.parent().expect("cache files sit in a folder");
    std::fs::create_dir_all(folder)?;
    let mut temporary = tempfile::NamedTempFile::new_in(folder)?;
    serde_json::to_writer(&mut temporary, schema)?;
    temporary.persist(file).map_err(|e| e.error)?;
    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    if let Some((stem, _)) = name.rsplit_once('-') {
        for entry in std::fs::read_dir(folder)?.flatten() {
            let other = entry.file_name();
            let other = other.to_string_lossy();
            if other != name
                && other.strip_prefix(stem).is_some_and(|rest| {
                    rest.starts_with('-') && rest.len() == 1 + 32 + 5 && rest.ends_with(".json")
                })
            {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_keeps_one_file_per_group_version() {
        let dir = tempfile::tempdir().unwrap();
        let schema = Schema::from_openapi(&serde_json::json!({"components": {"schemas": {
            "A": {"type": "object", "x-kubernetes-group-version-kind": [{"group": "", "version": "v1", "kind": "A"}]}}}}));
        let old = dir.path().join(format!("api_v1-{}.json", short_hash("1")));
        let new = dir.path().join(format!("api_v1-{}.json", short_hash("2")));
        let other = dir
            .path()
            .join(format!("apis_apps_v1-{}.json", short_hash("1")));
        write_cached(&old, &schema).unwrap();
        write_cached(&other, &schema).unwrap();
        write_cached(&new, &schema).unwrap();
        assert!(!old.exists());
        assert!(other.exists());
        assert_eq!(read_cached(&new), Some(schema));
        std::fs::write(&new, "not json").unwrap();
        assert_eq!(read_cached(&new), None);
    }

    #[test]
    fn servers_long_unseen_lose_their_schemas() {
        let root = tempfile::tempdir().unwrap();
        let (old, recent, current) = (
            root.path().join("old"),
            root.path().join("recent"),
            root.path().join("current"),
        );
        for dir in [&old, &recent] {
            std::fs::create_dir_all(dir).unwrap();
        }
        let long_ago = std::time::SystemTime::now() - KEEP_FOR * 2;
        std::fs::File::open(&old)
            .unwrap()
            .set_modified(long_ago)
            .unwrap();
        prune(root.path(), &current);
        assert!(!old.exists());
        assert!(recent.exists() && current.exists());
    }
}
