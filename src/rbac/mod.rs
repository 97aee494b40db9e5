//! Who can change the selected resources outside the pipeline: the analysis behind
//! `kubectl drift rbac`. Drift shows *that* a live object was changed by hand; this module
//! answers *who could have*, so that write access can be narrowed to the pipeline.
//!
//! The analysis reads RBAC objects as plain JSON and evaluates them the way the API
//! server's RBAC authorizer does:
//!
//! - ClusterRoleBindings grant cluster-wide; RoleBindings grant in their own namespace,
//!   whether they reference a Role or a ClusterRole.
//! - `*` in `apiGroups`, `resources` and `verbs` matches everything.
//! - Rules with `resourceNames` still count (the grant records the names), but never for
//!   `create` or `deletecollection`, which the authorizer cannot restrict by name.
//! - Writes through the subresources in [`EDITING_SUBRESOURCES`] (`deployments/scale`
//!   changes `spec.replicas`) count, also as `*/scale`. `status` does not: drift compares
//!   objects without their status. Other subresources (`exec`, `proxy`, `eviction`,
//!   `token`, ...) do not change the object's fields and are ignored.
//! - `nonResourceURLs` grant no access to objects and are ignored.
//! - Aggregated ClusterRoles: kube-controller-manager fills their `rules` from the
//!   ClusterRoles their `aggregationRule` selects. Where that has not happened (no
//!   controller, as in a bare API server), the rules are aggregated here from the selectors.
//!
//! Not covered: `impersonate` (whoever may impersonate a subject has its access),
//! `escalate`/`bind` and write access to RBAC objects (whoever may edit bindings may grant
//! themselves anything), authorizers other than RBAC (Node, webhooks), and group
//! membership, which lives in the identity provider: a Group is reported as the group.

mod authorize;
mod fetch;
mod join;
pub mod render;
mod subjects;

pub use authorize::*;
pub use fetch::*;
pub use join::*;
pub use subjects::*;

/// The API group of Roles, ClusterRoles and their bindings.
pub const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// The verbs that change objects: `create`, `update`, `patch`, `delete`, and
/// `deletecollection`, which deletes objects as surely as `delete` does. `*` grants them
/// all and is reported as `*`.
pub const WRITE_VERBS: &[&str] = &["create", "update", "patch", "delete", "deletecollection"];

/// Subresources whose writes change an object's spec: `scale` (`spec.replicas`), and for
/// Pods `resize` (container resources) and `ephemeralcontainers`. Only `update` and `patch`
/// on them count; the server serves no other writes there.
pub const EDITING_SUBRESOURCES: &[&str] = &["scale", "resize", "ephemeralcontainers"];

/// Subjects that `kubectl drift rbac` leaves out unless told otherwise, in `--allow`
/// syntax. They are the cluster itself, not people: the `system:masters` group (the
/// break-glass admin credentials every cluster has), the control plane's own users, and
/// the controllers' service accounts in `kube-system`. A caller with a different policy
/// passes its own list to [`is_allowed`].
pub const DEFAULT_ALLOW: &[&str] = &[
    "group:system:masters",
    "user:system:kube-controller-manager",
    "user:system:kube-scheduler",
    "user:system:kube-proxy",
    "serviceaccount:kube-system:*",
];

/// What can go wrong while reading RBAC or parsing `--allow`.
#[derive(Debug, thiserror::Error)]
pub enum RbacError {
    #[error("{input:?} is not a subject: {reason} (use user:NAME, group:NAME or serviceaccount:NAMESPACE:NAME)")]
    BadSubject { input: String, reason: &'static str },
    #[error("context {context}: the server does not serve {resource}, so its RBAC cannot be read")]
    NoRbacApi { context: String, resource: String },
    #[error("context {context}: cannot list {resource} {scope}: {source}")]
    List {
        context: String,
        resource: String,
        /// `cluster-wide` or `in namespace NAME`.
        scope: String,
        /// Boxed, so that every `Result<_, RbacError>` stays small.
        #[source]
        source: Box<kube::Error>,
    },
    #[error("context {context}: {source}")]
    Discovery {
        context: String,
        #[source]
        source: Box<crate::cluster::ClusterError>,
    },
}

#[cfg(test)]
mod tests;
