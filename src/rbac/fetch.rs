//! Reading a cluster's RBAC objects (cluster-wide, or per namespace where only that is
//! allowed) and analysing them for the checked types.

use crate::cluster::{live, Catalog, Cluster, ResourceType};
use serde_json::Value;
use std::collections::BTreeSet;

use super::*;

/// Lists Roles, ClusterRoles, RoleBindings and ClusterRoleBindings (the namespaced ones in
/// `namespaces` only, when given, so that namespace-scoped read access suffices for them)
/// and runs [`editors`] on the `wanted` types.
pub async fn fetch_and_analyze(
    cluster: &Cluster,
    catalog: &Catalog,
    wanted: &[ResourceType],
    namespaces: Option<&[String]>,
) -> Result<Vec<Grant>, RbacError> {
    let rbac_type = |plural: &str| {
        let qualified = format!("{plural}.{RBAC_GROUP}");
        catalog
            .resolve(&qualified)
            .map_err(|_| RbacError::NoRbacApi {
                context: cluster.context.clone(),
                resource: qualified,
            })
    };
    let (roles, cluster_roles, role_bindings, cluster_role_bindings) = futures::try_join!(
        list_all(cluster, rbac_type("roles")?, namespaces),
        list_all(cluster, rbac_type("clusterroles")?, None),
        list_all(cluster, rbac_type("rolebindings")?, namespaces),
        list_all(cluster, rbac_type("clusterrolebindings")?, None),
    )?;
    let pairs: BTreeSet<(String, String)> = wanted
        .iter()
        .map(|t| (t.group.clone(), t.plural.clone()))
        .collect();
    let pairs: Vec<(String, String)> = pairs.into_iter().collect();
    let grants = editors(
        &roles,
        &cluster_roles,
        &role_bindings,
        &cluster_role_bindings,
        &pairs,
        namespaces,
    );
    let cluster_scoped: Vec<String> = wanted
        .iter()
        .filter(|t| !(t.namespaced || t.group.is_empty() && t.plural == "namespaces"))
        .map(ResourceType::qualified_plural)
        .collect();
    Ok(drop_cluster_scoped(grants, &cluster_scoped))
}

/// Every object of `resource` in `namespaces` (or the whole cluster), or cluster-wide for
/// cluster-scoped types.
pub(super) async fn list_all(
    cluster: &Cluster,
    resource: &ResourceType,
    namespaces: Option<&[String]>,
) -> Result<Vec<Value>, RbacError> {
    let scopes: Vec<Option<&str>> = match namespaces {
        Some(list) if resource.namespaced => list.iter().map(|n| Some(n.as_str())).collect(),
        _ => vec![None],
    };
    let mut items = Vec::new();
    for namespace in scopes {
        let page = live::list(cluster, resource, namespace, None)
            .await
            .map_err(|source| RbacError::List {
                context: cluster.context.clone(),
                resource: resource.qualified_plural(),
                scope: namespace.map_or("cluster-wide".into(), |n| format!("in namespace {n}")),
                source: Box::new(source),
            })?;
        items.extend(page);
    }
    Ok(items)
}

/// RoleBinding grants without the cluster-scoped resources (`cluster_scoped`, qualified
/// plurals), which a RoleBinding cannot reach; grants left with no resource go.
pub(super) fn drop_cluster_scoped(grants: Vec<Grant>, cluster_scoped: &[String]) -> Vec<Grant> {
    grants
        .into_iter()
        .filter_map(|mut grant| {
            if grant.namespace.is_some() {
                grant.resources.retain(|r| {
                    let resource = r.split_once('/').map_or(r.as_str(), |(whole, _)| whole);
                    !cluster_scoped.iter().any(|c| c == resource)
                });
            }
            (!grant.resources.is_empty()).then_some(grant)
        })
        .collect()
}
