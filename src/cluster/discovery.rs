//! Aggregated discovery (two requests per cluster) lowered into a `Catalog` of resource
//! types, which resolves kubectl-style TYPE arguments (short names, plurals, kinds,
//! `group`-qualified names) and manifest `apiVersion`/`kind` pairs.

use kube::client::{APIGroupDiscovery, APIGroupDiscoveryList};
use kube::core::ApiResource;

use super::{Cluster, ClusterError};
use crate::retry;

/// The most one discovery answer may take: a cluster with a thousand types answers a few MiB.
pub const MAX_DISCOVERY_BYTES: usize = 32 << 20;

/// One aggregated discovery document, read bounded.
async fn aggregated(cluster: &Cluster, path: &str) -> Result<APIGroupDiscoveryList, kube::Error> {
    let request = http::Request::get(path)
        .header(
            http::header::ACCEPT,
            kube::core::discovery::v2::ACCEPT_AGGREGATED_DISCOVERY_V2,
        )
        .body(Vec::new())
        .map_err(kube::Error::HttpError)?;
    let what = format!("the discovery document {path}");
    let body = super::read_bounded(cluster, request, MAX_DISCOVERY_BYTES, &what).await?;
    serde_json::from_slice(&body).map_err(kube::Error::SerdeError)
}

/// One served resource type in its preferred (or requested) version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceType {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub plural: String,
    pub singular: String,
    pub short_names: Vec<String>,
    pub namespaced: bool,
    pub verbs: Vec<String>,
    /// Whether this version is the group's preferred one.
    pub preferred: bool,
    /// Whether `status` is written through a subresource of its own (and so never applied
    /// with the object); without one, a custom resource's `status` is a field like any other.
    pub status_subresource: bool,
}

impl ResourceType {
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    pub fn api_resource(&self) -> ApiResource {
        ApiResource {
            group: self.group.clone(),
            version: self.version.clone(),
            api_version: self.api_version(),
            kind: self.kind.clone(),
            plural: self.plural.clone(),
        }
    }

    /// Whether objects of this type hold secret values (core `Secret`).
    pub fn is_secret(&self) -> bool {
        super::errors::is_secret(&self.group, &self.kind)
    }

    /// `deployments.apps`, or `services` for the core group: how kubectl names a type.
    pub fn qualified_plural(&self) -> String {
        if self.group.is_empty() {
            self.plural.clone()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    fn answers_to(&self, name: &str) -> bool {
        let name = name.to_ascii_lowercase();
        name == self.plural
            || name == self.singular
            || name == self.kind.to_ascii_lowercase()
            || self.short_names.contains(&name)
    }
}

/// Every resource type one cluster serves, preferred versions first.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    types: Vec<ResourceType>,
}

/// A TYPE argument that discovery cannot resolve.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("the server doesn't have a resource type {0:?}")]
pub struct UnknownType(pub String);

impl Catalog {
    /// Runs aggregated discovery: one request for `/api`, one for `/apis`, each read to at
    /// most [`MAX_DISCOVERY_BYTES`].
    pub async fn discover(cluster: &Cluster) -> Result<Catalog, ClusterError> {
        let (core, apis) = futures::try_join!(
            retry::with_retries(|| cluster.deadline.bound(aggregated(cluster, "/api"))),
            retry::with_retries(|| cluster.deadline.bound(aggregated(cluster, "/apis"))),
        )
        .map_err(|error| ClusterError::Api {
            context: cluster.context.clone(),
            what: "discovery failed".into(),
            error,
        })?;
        Ok(Catalog::from_discovery([core, apis]))
    }

    pub fn from_discovery(lists: impl IntoIterator<Item = APIGroupDiscoveryList>) -> Catalog {
        let mut types = Vec::new();
        for list in lists {
            for group in list.items {
                add_group(&mut types, group);
            }
        }
        Catalog { types }
    }

    /// The type for a manifest's `apiVersion` and `kind`, in exactly that version.
    pub fn for_manifest(&self, api_version: &str, kind: &str) -> Option<&ResourceType> {
        let (group, version) = split_api_version(api_version);
        self.types
            .iter()
            .find(|t| t.group == group && t.version == version && t.kind == kind)
    }

    /// Resolves a kubectl TYPE: `deploy`, `deployments`, `Deployment`, `deployments.apps`,
    /// `deployments.v1.apps`. Prefers the group's preferred version and the core group.
    pub fn resolve(&self, arg: &str) -> Result<&ResourceType, UnknownType> {
        let lower = arg.to_ascii_lowercase();
        let mut candidates: Vec<&ResourceType> = Vec::new();
        // `name`, `name.group` or `name.version.group`, split at every dot.
        for (i, _) in lower
            .match_indices('.')
            .chain(std::iter::once((lower.len(), "")))
        {
            let (name, rest) = (&lower[..i], lower.get(i + 1..).unwrap_or(""));
            for t in &self.types {
                if !t.answers_to(name) {
                    continue;
                }
                let matches = if rest.is_empty() {
                    true
                } else if let Some((version, group)) = rest.split_once('.') {
                    (t.version == version && t.group == group) || t.group == rest
                } else {
                    t.group == rest || (t.group.is_empty() && t.version == rest)
                };
                if matches {
                    candidates.push(t);
                }
            }
            if !candidates.is_empty() {
                break;
            }
        }
        candidates.sort_by_key(|t| (!t.preferred, !t.group.is_empty(), t.group.clone()));
        candidates
            .into_iter()
            .next()
            .ok_or_else(|| UnknownType(arg.to_string()))
    }

    pub fn types(&self) -> &[ResourceType] {
        &self.types
    }
}

fn add_group(types: &mut Vec<ResourceType>, group: APIGroupDiscovery) {
    let group_name = group
        .metadata
        .as_ref()
        .and_then(|m| m.name.clone())
        .unwrap_or_default();
    for (index, version) in group.versions.into_iter().enumerate() {
        let Some(version_name) = version.version else {
            continue;
        };
        for resource in version.resources {
            let (Some(plural), Some(kind)) = (
                resource.resource,
                resource.response_kind.and_then(|k| k.kind),
            ) else {
                continue;
            };
            types.push(ResourceType {
                group: group_name.clone(),
                version: version_name.clone(),
                singular: resource
                    .singular_resource
                    .unwrap_or_else(|| kind.to_ascii_lowercase()),
                kind,
                plural,
                short_names: resource.short_names,
                namespaced: resource.scope.as_deref() == Some("Namespaced"),
                verbs: resource.verbs,
                preferred: index == 0,
                status_subresource: resource
                    .subresources
                    .iter()
                    .any(|s| s.subresource.as_deref() == Some("status")),
            });
        }
    }
}

/// `apps/v1` → (`apps`, `v1`); `v1` → (``, `v1`).
pub fn split_api_version(api_version: &str) -> (&str, &str) {
    match api_version.split_once('/') {
        Some((group, version)) => (group, version),
        None => ("", api_version),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        let t =
            |group: &str, version: &str, kind: &str, plural: &str, short: &[&str], preferred| {
                ResourceType {
                    group: group.into(),
                    version: version.into(),
                    kind: kind.into(),
                    plural: plural.into(),
                    singular: kind.to_ascii_lowercase(),
                    short_names: short.iter().map(|s| s.to_string()).collect(),
                    namespaced: true,
                    verbs: vec![],
                    preferred,
                    status_subresource: true,
                }
            };
        Catalog {
            types: vec![
                t("", "v1", "Service", "services", &["svc"], true),
                t("apps", "v1", "Deployment", "deployments", &["deploy"], true),
                t(
                    "autoscaling",
                    "v2",
                    "HorizontalPodAutoscaler",
                    "horizontalpodautoscalers",
                    &["hpa"],
                    true,
                ),
                t(
                    "autoscaling",
                    "v1",
                    "HorizontalPodAutoscaler",
                    "horizontalpodautoscalers",
                    &["hpa"],
                    false,
                ),
                t("example.com", "v1", "Service", "services", &[], true),
            ],
        }
    }

    #[test]
    fn resolves_like_kubectl() {
        let c = catalog();
        assert_eq!(c.resolve("deploy").unwrap().kind, "Deployment");
        assert_eq!(c.resolve("Deployments").unwrap().group, "apps");
        assert_eq!(c.resolve("deployment.apps").unwrap().version, "v1");
        assert_eq!(c.resolve("hpa").unwrap().version, "v2");
        assert_eq!(c.resolve("hpa.v1.autoscaling").unwrap().version, "v1");
        // The core group wins an unqualified name, as in kubectl.
        assert_eq!(c.resolve("services").unwrap().group, "");
        assert_eq!(
            c.resolve("services.example.com").unwrap().group,
            "example.com"
        );
        assert_eq!(c.resolve("nope"), Err(UnknownType("nope".into())));
    }

    #[test]
    fn finds_manifest_types_by_exact_version() {
        let c = catalog();
        assert!(c.for_manifest("apps/v1", "Deployment").is_some());
        assert!(c.for_manifest("apps/v1beta1", "Deployment").is_none());
        assert_eq!(split_api_version("v1"), ("", "v1"));
    }
}
