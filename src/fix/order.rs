//! The order in which a fix writes: Namespaces and CRDs first, then ServiceAccounts, RBAC,
//! ConfigMaps and Secrets, then the rest; deletes in the reverse order.

use super::*;

/// Where a kind stands among writes: what others need goes first. Namespaces and CRDs, then
/// ServiceAccounts, RBAC roles, their bindings, ConfigMaps and Secrets, then the rest.
pub(super) fn rank(identity: &crate::drift::Identity) -> u8 {
    match (identity.group.as_str(), identity.kind.as_str()) {
        ("", "Namespace") | ("apiextensions.k8s.io", "CustomResourceDefinition") => 0,
        ("", "ServiceAccount") => 1,
        ("rbac.authorization.k8s.io", "ClusterRole" | "Role") => 2,
        ("rbac.authorization.k8s.io", "ClusterRoleBinding" | "RoleBinding") => 3,
        ("", "ConfigMap" | "Secret") => 4,
        _ => 5,
    }
}

pub(super) fn is_crd(identity: &crate::drift::Identity) -> bool {
    identity.group == "apiextensions.k8s.io" && identity.kind == "CustomResourceDefinition"
}

/// The order of a run's writes, per context (in the report's order): applies and creates by
/// rank, then deletes of extra objects in the reverse order. `unserved` resources (a type
/// a CRD of the run may make) go with the applies.
pub(super) fn write_order(
    resources: &[ResourceReport],
    handles: &[ResourceHandle],
    unserved: &dyn Fn(usize) -> bool,
) -> Vec<usize> {
    let mut contexts: Vec<&str> = Vec::new();
    for s in handles {
        if !contexts.contains(&s.context.as_str()) {
            contexts.push(&s.context);
        }
    }
    let mut order: Vec<(usize, bool, i16, usize)> = resources
        .iter()
        .enumerate()
        .filter(|(i, r)| r.status.is_drift() || unserved(*i))
        .map(|(i, r)| {
            let context = contexts
                .iter()
                .position(|c| *c == handles[i].context)
                .unwrap_or_default();
            let rank = i16::from(rank(&r.identity));
            match r.status == Status::Extra {
                true => (context, true, -rank, i),
                false => (context, false, rank, i),
            }
        })
        .collect();
    order.sort();
    order.into_iter().map(|(.., i)| i).collect()
}
