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

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use serde_json::Value;

use crate::cluster::{live, Catalog, Cluster, ResourceType};

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
}

/// The kinds of subject a binding names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum SubjectKind {
    User,
    Group,
    ServiceAccount,
}

impl fmt::Display for SubjectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SubjectKind::User => "User",
            SubjectKind::Group => "Group",
            SubjectKind::ServiceAccount => "ServiceAccount",
        })
    }
}

/// Someone a binding grants to. Service accounts carry their namespace; users and groups
/// do not have one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Subject {
    pub kind: SubjectKind,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// The user name prefix of service accounts: `system:serviceaccount:NS:NAME`.
const SERVICE_ACCOUNT_USER_PREFIX: &str = "system:serviceaccount:";

impl Subject {
    pub fn user(name: &str) -> Subject {
        // A service account authenticates as this user name, and a binding to that user
        // name applies to it: one subject, not two.
        if let Some((namespace, name)) = name
            .strip_prefix(SERVICE_ACCOUNT_USER_PREFIX)
            .and_then(|rest| rest.split_once(':'))
        {
            if !namespace.is_empty() && !name.is_empty() && !name.contains(':') {
                return Subject::service_account(namespace, name);
            }
        }
        Subject {
            kind: SubjectKind::User,
            name: name.to_string(),
            namespace: None,
        }
    }

    pub fn group(name: &str) -> Subject {
        Subject {
            kind: SubjectKind::Group,
            name: name.to_string(),
            namespace: None,
        }
    }

    pub fn service_account(namespace: &str, name: &str) -> Subject {
        Subject {
            kind: SubjectKind::ServiceAccount,
            name: name.to_string(),
            namespace: Some(namespace.to_string()),
        }
    }

    /// A binding's `subjects[]` entry; a service account without a namespace is in the
    /// binding's namespace, as the authorizer reads it. Unknown kinds are `None`.
    fn from_binding(entry: &Value, binding_namespace: Option<&str>) -> Option<Subject> {
        let name = entry["name"].as_str().filter(|n| !n.is_empty())?;
        match entry["kind"].as_str()? {
            "User" => Some(Subject::user(name)),
            "Group" => Some(Subject::group(name)),
            "ServiceAccount" => {
                let namespace = entry["namespace"]
                    .as_str()
                    .filter(|n| !n.is_empty())
                    .or(binding_namespace)?;
                Some(Subject::service_account(namespace, name))
            }
            _ => None,
        }
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.kind, &self.namespace) {
            (SubjectKind::ServiceAccount, Some(namespace)) => {
                write!(f, "ServiceAccount {namespace}/{}", self.name)
            }
            (kind, _) => write!(f, "{kind} {}", self.name),
        }
    }
}

/// Parses `--allow` values: `user:alice`, `group:oncall`, `serviceaccount:ci:deployer` or
/// `system:serviceaccount:ci:deployer`. The kind is case-insensitive; user and group names
/// may contain colons (`group:system:masters`). A name of `*` matches every name of that
/// kind (in that namespace, for service accounts); see [`is_allowed`].
impl FromStr for Subject {
    type Err = RbacError;

    fn from_str(input: &str) -> Result<Subject, RbacError> {
        let bad = |reason| RbacError::BadSubject {
            input: input.to_string(),
            reason,
        };
        let text = input.trim();
        let service_account = |rest: &str| match rest.split_once(':') {
            Some((namespace, name))
                if !namespace.is_empty() && !name.is_empty() && !name.contains(':') =>
            {
                Ok(Subject::service_account(namespace, name))
            }
            _ => Err(bad("a service account is NAMESPACE:NAME")),
        };
        if let Some(rest) = text.strip_prefix(SERVICE_ACCOUNT_USER_PREFIX) {
            return service_account(rest);
        }
        let (kind, rest) = text.split_once(':').ok_or_else(|| bad("no KIND: prefix"))?;
        if rest.is_empty() {
            return Err(bad("the name is empty"));
        }
        match kind.to_ascii_lowercase().as_str() {
            "user" => Ok(Subject::user(rest)),
            "group" => Ok(Subject::group(rest)),
            "serviceaccount" | "sa" => service_account(rest),
            _ => Err(bad("the kind is not user, group or serviceaccount")),
        }
    }
}

/// [`DEFAULT_ALLOW`], parsed.
pub fn default_allow() -> Vec<Subject> {
    DEFAULT_ALLOW
        .iter()
        .map(|s| s.parse().expect("DEFAULT_ALLOW entries parse"))
        .collect()
}

/// Whether `subject` is on the allow list: same kind, same namespace, and the same name or
/// an allow entry named `*`. Group membership is not known here, so a user in an allowed
/// group is not thereby allowed; allow the group, and the group's grants are left out.
pub fn is_allowed(subject: &Subject, allow: &[Subject]) -> bool {
    allow.iter().any(|a| {
        a.kind == subject.kind
            && a.namespace == subject.namespace
            && (a.name == subject.name || a.name == "*")
    })
}

/// One subject's write access to some of the selected resources, through one binding.
/// Every verb applies to every resource of the grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grant {
    pub subject: Subject,
    /// Write verbs in [`WRITE_VERBS`] order, or just `*`.
    pub verbs: Vec<String>,
    /// kubectl-style qualified plurals, `deployments.apps` or `configmaps`, with
    /// `/scale` and the like for access through a subresource only.
    pub resources: Vec<String>,
    /// `resourceNames` the grant is restricted to; empty for every object.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resource_names: Vec<String>,
    /// The namespace a RoleBinding grants in; `None` for cluster-wide.
    pub namespace: Option<String>,
    /// `ClusterRoleBinding/NAME` or `RoleBinding/NAMESPACE/NAME`.
    pub binding: String,
    /// `ClusterRole/NAME` or `Role/NAMESPACE/NAME`.
    pub role: String,
}

impl Grant {
    /// Whether the grant lets its subject `verb` every object of `resource` (a qualified
    /// plural as in [`Grant::resources`]), not only some named ones.
    pub fn allows(&self, verb: &str, resource: &str) -> bool {
        self.resource_names.is_empty()
            && self.resources.iter().any(|r| r == resource)
            && self.verbs.iter().any(|v| v == verb || v == "*")
    }
}

/// One `rules[]` entry of a role.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    groups: Vec<String>,
    resources: Vec<String>,
    verbs: Vec<String>,
    names: Vec<String>,
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn rules_of(role: &Value) -> Vec<Rule> {
    role["rules"]
        .as_array()
        .map(|rules| {
            rules
                .iter()
                .map(|rule| Rule {
                    groups: strings(&rule["apiGroups"]),
                    resources: strings(&rule["resources"]),
                    verbs: strings(&rule["verbs"]),
                    names: strings(&rule["resourceNames"]),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn name_of(object: &Value) -> &str {
    object["metadata"]["name"].as_str().unwrap_or_default()
}

fn namespace_of(object: &Value) -> &str {
    object["metadata"]["namespace"].as_str().unwrap_or_default()
}

/// Whether `labels` satisfy one `clusterRoleSelectors` entry. As in Kubernetes, an empty
/// selector selects every ClusterRole; an unknown operator selects none.
fn selector_matches(selector: &Value, labels: &Value) -> bool {
    let label = |key: &str| labels[key].as_str();
    let match_labels = selector["matchLabels"].as_object();
    if match_labels
        .into_iter()
        .flatten()
        .any(|(key, value)| label(key) != value.as_str())
    {
        return false;
    }
    let expressions = selector["matchExpressions"].as_array();
    expressions.into_iter().flatten().all(|expression| {
        let key = expression["key"].as_str().unwrap_or_default();
        let values = strings(&expression["values"]);
        let value = label(key);
        let listed = value.is_some_and(|v| values.iter().any(|x| x == v));
        match expression["operator"].as_str() {
            Some("In") => listed,
            Some("NotIn") => !listed,
            Some("Exists") => value.is_some(),
            Some("DoesNotExist") => value.is_none(),
            _ => false,
        }
    })
}

/// The rules of every ClusterRole, by name, with aggregation done.
///
/// The authorizer evaluates a ClusterRole's stored `rules`; kube-controller-manager keeps
/// those of aggregated roles equal to the union of the rules of the ClusterRoles their
/// selectors match (themselves excluded). So stored rules are trusted when there are any,
/// and only an aggregated role with none is computed here: the same result as the
/// controller's, without waiting for it. Aggregated roles may select aggregated roles
/// (`view` → `edit` → `admin`), even each other, so this repeats the controller's step
/// until nothing changes; rules only ever grow, so that ends.
fn cluster_role_rules(cluster_roles: &[Value]) -> HashMap<String, Vec<Rule>> {
    let mut rules: HashMap<String, Vec<Rule>> = cluster_roles
        .iter()
        .map(|r| (name_of(r).to_string(), rules_of(r)))
        .collect();
    // The roles to compute, each with the roles its selectors pick.
    let mut aggregated: Vec<(&str, Vec<&str>)> = Vec::new();
    for role in cluster_roles {
        let name = name_of(role);
        let Some(selectors) = role["aggregationRule"]["clusterRoleSelectors"].as_array() else {
            continue;
        };
        if !rules[name].is_empty() {
            continue;
        }
        let mut selected: Vec<&str> = cluster_roles
            .iter()
            .filter(|other| {
                let labels = &other["metadata"]["labels"];
                name_of(other) != name && selectors.iter().any(|s| selector_matches(s, labels))
            })
            .map(name_of)
            .collect();
        // In name order, as the controller does, so that the result is stable.
        selected.sort_unstable();
        aggregated.push((name, selected));
    }
    loop {
        let mut changed = false;
        for (name, selected) in &aggregated {
            let mut union = rules[*name].clone();
            for other in selected {
                for rule in &rules[*other] {
                    if !union.contains(rule) {
                        union.push(rule.clone());
                    }
                }
            }
            if union.len() != rules[*name].len() {
                rules.insert(name.to_string(), union);
                changed = true;
            }
        }
        if !changed {
            return rules;
        }
    }
}

/// `deployments.apps`, or `configmaps` for the core group, plus `/sub` for a subresource.
fn label(group: &str, plural: &str, subresource: Option<&str>) -> String {
    let mut label = if group.is_empty() {
        plural.to_string()
    } else {
        format!("{plural}.{group}")
    };
    if let Some(sub) = subresource {
        label.push('/');
        label.push_str(sub);
    }
    label
}

/// The write verbs of `rule` on one resource (or subresource): `*` alone when the rule
/// grants every verb. Named rules never authorize `create` or `deletecollection`, whose
/// requests carry no name.
fn write_verbs(rule: &Rule, subresource: bool) -> BTreeSet<String> {
    let allowed: &[&str] = match (subresource, rule.names.is_empty()) {
        (true, _) => &["update", "patch"],
        (false, true) => WRITE_VERBS,
        (false, false) => &["update", "patch", "delete"],
    };
    let everything = rule.verbs.iter().any(|v| v == "*");
    if everything && !subresource && rule.names.is_empty() {
        return BTreeSet::from(["*".to_string()]);
    }
    allowed
        .iter()
        .filter(|verb| everything || rule.verbs.iter().any(|v| v == *verb))
        .map(|verb| verb.to_string())
        .collect()
}

/// What one role lets its subjects write: (resource label, resource names) → verbs.
type Access = BTreeMap<(String, Vec<String>), BTreeSet<String>>;

fn access(rules: &[Rule], wanted: &[(String, String)]) -> Access {
    let mut access = Access::new();
    let mut add = |label: String, names: &[String], verbs: BTreeSet<String>| {
        if !verbs.is_empty() {
            access
                .entry((label, names.to_vec()))
                .or_default()
                .extend(verbs);
        }
    };
    for rule in rules {
        for (group, plural) in wanted {
            if !rule.groups.iter().any(|g| g == "*" || g == group) {
                continue;
            }
            let whole = rule.resources.iter().any(|r| r == "*" || r == plural);
            if whole {
                add(
                    label(group, plural, None),
                    &rule.names,
                    write_verbs(rule, false),
                );
                // `*` covers the subresources too, and says so already.
                continue;
            }
            for sub in EDITING_SUBRESOURCES {
                let through = rule
                    .resources
                    .iter()
                    .any(|r| *r == format!("{plural}/{sub}") || *r == format!("*/{sub}"));
                if through {
                    add(
                        label(group, plural, Some(sub)),
                        &rule.names,
                        write_verbs(rule, true),
                    );
                }
            }
        }
    }
    // A subresource adds nothing where the whole resource may already be written with the
    // same verb: `patch deployments` changes `spec.replicas` as well as `/scale` does.
    let whole: HashMap<String, BTreeSet<String>> = access
        .iter()
        .filter(|((label, names), _)| !label.contains('/') && names.is_empty())
        .map(|((label, _), verbs)| (label.clone(), verbs.clone()))
        .collect();
    access.retain(|(label, _), verbs| {
        let Some((resource, _)) = label.split_once('/') else {
            return true;
        };
        if let Some(covering) = whole.get(resource) {
            if covering.contains("*") {
                return false;
            }
            verbs.retain(|v| !covering.contains(v));
        }
        !verbs.is_empty()
    });
    access
}

/// `["*"]` when `*` is there, else the verbs in [`WRITE_VERBS`] order.
fn ordered_verbs(verbs: &BTreeSet<String>) -> Vec<String> {
    if verbs.contains("*") {
        return vec!["*".to_string()];
    }
    WRITE_VERBS
        .iter()
        .filter(|v| verbs.contains(**v))
        .map(|v| v.to_string())
        .collect()
}

/// The grants of one binding: one per subject and distinct (names, verbs), so that every
/// verb of a grant applies to every resource in it.
fn grants_of(
    binding: &Value,
    binding_label: String,
    role_label: String,
    namespace: Option<&str>,
    access: &Access,
    out: &mut Vec<Grant>,
) {
    let mut by_verbs: BTreeMap<(Vec<String>, Vec<String>), Vec<String>> = BTreeMap::new();
    for ((label, names), verbs) in access {
        by_verbs
            .entry((names.clone(), ordered_verbs(verbs)))
            .or_default()
            .push(label.clone());
    }
    let subjects = binding["subjects"].as_array().into_iter().flatten();
    let subjects: BTreeSet<Subject> = subjects
        .filter_map(|s| Subject::from_binding(s, namespace))
        .collect();
    for subject in subjects {
        for ((names, verbs), resources) in &by_verbs {
            out.push(Grant {
                subject: subject.clone(),
                verbs: verbs.clone(),
                resources: resources.clone(),
                resource_names: names.clone(),
                namespace: namespace.map(str::to_string),
                binding: binding_label.clone(),
                role: role_label.clone(),
            });
        }
    }
}

/// Every grant of write access (see [`WRITE_VERBS`]) to the `wanted` resources, given as
/// (API group, plural) pairs: through ClusterRoleBindings (cluster-wide), and through the
/// RoleBindings of `namespaces` (`None`: of every namespace). Sorted by subject, then
/// namespace and binding. Nothing is filtered by an allow list; see [`is_allowed`].
///
/// A RoleBinding's grant on a cluster-scoped resource has no effect (except on its own
/// Namespace object); the type's scope is not known here, [`fetch_and_analyze`] drops them.
pub fn editors(
    roles: &[Value],
    cluster_roles: &[Value],
    role_bindings: &[Value],
    cluster_role_bindings: &[Value],
    wanted: &[(String, String)],
    namespaces: Option<&[String]>,
) -> Vec<Grant> {
    let cluster_rules = cluster_role_rules(cluster_roles);
    let role_rules: HashMap<(&str, &str), Vec<Rule>> = roles
        .iter()
        .map(|r| ((namespace_of(r), name_of(r)), rules_of(r)))
        .collect();
    let mut grants = Vec::new();
    for binding in cluster_role_bindings {
        let role_ref = &binding["roleRef"];
        // A ClusterRoleBinding can only reference a ClusterRole.
        if role_ref["kind"].as_str() != Some("ClusterRole") {
            continue;
        }
        let role = role_ref["name"].as_str().unwrap_or_default();
        // A binding to a role that does not exist grants nothing, as in the authorizer.
        let Some(rules) = cluster_rules.get(role) else {
            continue;
        };
        grants_of(
            binding,
            format!("ClusterRoleBinding/{}", name_of(binding)),
            format!("ClusterRole/{role}"),
            None,
            &access(rules, wanted),
            &mut grants,
        );
    }
    for binding in role_bindings {
        let namespace = namespace_of(binding);
        if namespaces.is_some_and(|list| !list.iter().any(|n| n == namespace)) {
            continue;
        }
        let role_ref = &binding["roleRef"];
        let role = role_ref["name"].as_str().unwrap_or_default();
        let (rules, role_label) = match role_ref["kind"].as_str() {
            Some("ClusterRole") => (cluster_rules.get(role), format!("ClusterRole/{role}")),
            Some("Role") => (
                role_rules.get(&(namespace, role)),
                format!("Role/{namespace}/{role}"),
            ),
            _ => continue,
        };
        let Some(rules) = rules else {
            continue;
        };
        grants_of(
            binding,
            format!("RoleBinding/{namespace}/{}", name_of(binding)),
            role_label,
            Some(namespace),
            &access(rules, wanted),
            &mut grants,
        );
    }
    grants.sort_by(|a, b| {
        (&a.subject, &a.namespace, &a.binding, &a.resources, &a.verbs).cmp(&(
            &b.subject,
            &b.namespace,
            &b.binding,
            &b.resources,
            &b.verbs,
        ))
    });
    grants.dedup();
    grants
}

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
async fn list_all(
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
fn drop_cluster_scoped(grants: Vec<Grant>, cluster_scoped: &[String]) -> Vec<Grant> {
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

/// Whether a field manager is a tool people run by hand: `kubectl` (server-side apply's
/// default manager) and `kubectl-*` (`kubectl-edit`, `kubectl-patch`, `kubectl-set`,
/// `kubectl-client-side-apply`, `kubectl-scale`, ...), except kubectl-drift's own manager.
/// Controllers and pipelines (`kube-controller-manager`, `helm`, `argocd-controller`) are
/// not people.
pub fn is_human_tool(manager: &str) -> bool {
    manager != crate::settings::DEFAULT_FIELD_MANAGER
        && (manager == "kubectl" || manager.starts_with("kubectl-"))
}

/// One line per human field manager (see [`is_human_tool`]) among `managers` (those drift
/// attribution found; the pipeline's own manager left out by the caller), naming who could
/// have made those changes: every subject in `grants` (already filtered by the allow list)
/// that may create, update or patch, with its bindings. Delete-only access changes no
/// field, so it is not named.
///
/// `kubectl-edit changes were made; these subjects can edit: User alice (RoleBinding/shop/alice-edit), Group oncall (ClusterRoleBinding/oncall)`
pub fn join_managers(grants: &[Grant], managers: &[String]) -> Vec<String> {
    let mut editors: Vec<(&Subject, Vec<&str>)> = Vec::new();
    for grant in grants {
        let edits = grant
            .verbs
            .iter()
            .any(|v| matches!(v.as_str(), "*" | "create" | "update" | "patch"));
        if !edits {
            continue;
        }
        match editors.iter_mut().find(|(s, _)| *s == &grant.subject) {
            Some((_, bindings)) => {
                if !bindings.contains(&grant.binding.as_str()) {
                    bindings.push(&grant.binding);
                }
            }
            None => editors.push((&grant.subject, vec![&grant.binding])),
        }
    }
    let who = if editors.is_empty() {
        "no subject outside the allow list can edit these resources".to_string()
    } else {
        let names: Vec<String> = editors
            .iter()
            .map(|(subject, bindings)| format!("{subject} ({})", bindings.join(", ")))
            .collect();
        format!("these subjects can edit: {}", names.join(", "))
    };
    let mut seen = BTreeSet::new();
    managers
        .iter()
        .filter(|m| is_human_tool(m) && seen.insert(m.as_str()))
        .map(|manager| format!("{manager} changes were made; {who}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn wanted(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(g, p)| (g.to_string(), p.to_string()))
            .collect()
    }

    fn cluster_role(name: &str, rules: Value) -> Value {
        json!({"kind": "ClusterRole", "metadata": {"name": name}, "rules": rules})
    }

    fn role(namespace: &str, name: &str, rules: Value) -> Value {
        json!({"kind": "Role", "metadata": {"name": name, "namespace": namespace}, "rules": rules})
    }

    fn crb(name: &str, role: &str, subjects: Value) -> Value {
        json!({
            "kind": "ClusterRoleBinding",
            "metadata": {"name": name},
            "roleRef": {"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": role},
            "subjects": subjects,
        })
    }

    fn rb(namespace: &str, name: &str, kind: &str, role: &str, subjects: Value) -> Value {
        json!({
            "kind": "RoleBinding",
            "metadata": {"name": name, "namespace": namespace},
            "roleRef": {"apiGroup": RBAC_GROUP, "kind": kind, "name": role},
            "subjects": subjects,
        })
    }

    fn user(name: &str) -> Value {
        json!({"apiGroup": RBAC_GROUP, "kind": "User", "name": name})
    }

    fn group(name: &str) -> Value {
        json!({"apiGroup": RBAC_GROUP, "kind": "Group", "name": name})
    }

    fn deploys() -> Vec<(String, String)> {
        wanted(&[("apps", "deployments")])
    }

    /// (subject, verbs, resources, namespace, binding) of each grant, for short asserts.
    fn summary(grants: &[Grant]) -> Vec<String> {
        grants
            .iter()
            .map(|g| {
                let names = if g.resource_names.is_empty() {
                    String::new()
                } else {
                    format!(" names={}", g.resource_names.join(","))
                };
                format!(
                    "{} [{}] {}{names} in {} via {} -> {}",
                    g.subject,
                    g.verbs.join(","),
                    g.resources.join(","),
                    g.namespace.as_deref().unwrap_or("*"),
                    g.binding,
                    g.role
                )
            })
            .collect()
    }

    #[test]
    fn subjects_display_and_parse() {
        assert_eq!(Subject::user("alice").to_string(), "User alice");
        assert_eq!(Subject::group("oncall").to_string(), "Group oncall");
        assert_eq!(
            Subject::service_account("ci", "deployer").to_string(),
            "ServiceAccount ci/deployer"
        );
        let parse = |s: &str| s.parse::<Subject>().unwrap();
        assert_eq!(parse("user:alice"), Subject::user("alice"));
        assert_eq!(parse("User:alice"), Subject::user("alice"));
        assert_eq!(
            parse("group:system:masters"),
            Subject::group("system:masters")
        );
        assert_eq!(
            parse("serviceaccount:ci:deployer"),
            Subject::service_account("ci", "deployer")
        );
        assert_eq!(
            parse("system:serviceaccount:ci:deployer"),
            Subject::service_account("ci", "deployer")
        );
        // A user name that is a service account's is the service account.
        assert_eq!(
            parse("user:system:serviceaccount:ci:deployer"),
            Subject::service_account("ci", "deployer")
        );
        for bad in [
            "alice",
            "user:",
            "robot:x",
            "serviceaccount:ci",
            "serviceaccount::x",
            "system:serviceaccount:ci:a:b",
        ] {
            let err = bad.parse::<Subject>().unwrap_err();
            assert!(matches!(err, RbacError::BadSubject { .. }), "{bad}: {err}");
            assert!(err.to_string().contains("use user:NAME"), "{err}");
        }
    }

    #[test]
    fn cluster_role_bindings_grant_write_verbs_cluster_wide() {
        let grants = editors(
            &[],
            &[cluster_role(
                "deployer",
                json!([
                    {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "list", "patch", "update"]},
                    {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]},
                ]),
            )],
            &[],
            &[crb(
                "oncall",
                "deployer",
                json!([group("oncall"), user("alice")]),
            )],
            &wanted(&[("apps", "deployments"), ("", "configmaps")]),
            Some(&["shop".to_string()]),
        );
        assert_eq!(
            summary(&grants),
            vec![
                "User alice [update,patch] deployments.apps in * via ClusterRoleBinding/oncall -> ClusterRole/deployer",
                "Group oncall [update,patch] deployments.apps in * via ClusterRoleBinding/oncall -> ClusterRole/deployer",
            ]
        );
        assert!(grants[0].allows("patch", "deployments.apps"));
        assert!(!grants[0].allows("delete", "deployments.apps"));
        assert!(!grants[0].allows("patch", "configmaps"));
    }

    #[test]
    fn role_bindings_grant_in_their_namespace_through_roles_and_cluster_roles() {
        let write = json!([{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["create", "delete"]}]);
        let roles = [
            role("shop", "writer", write.clone()),
            role("other", "writer", write.clone()),
        ];
        let cluster_roles = [cluster_role("writer", write)];
        let bindings = [
            rb("shop", "a", "Role", "writer", json!([user("alice")])),
            rb("shop", "b", "ClusterRole", "writer", json!([user("bob")])),
            rb("other", "c", "Role", "writer", json!([user("carol")])),
            // The Role must be in the binding's namespace: this one is not.
            rb("third", "d", "Role", "writer", json!([user("dave")])),
            // A binding to a role that does not exist grants nothing.
            rb("shop", "e", "ClusterRole", "missing", json!([user("erin")])),
        ];
        let all = editors(&roles, &cluster_roles, &bindings, &[], &deploys(), None);
        assert_eq!(
            summary(&all),
            vec![
                "User alice [create,delete] deployments.apps in shop via RoleBinding/shop/a -> Role/shop/writer",
                "User bob [create,delete] deployments.apps in shop via RoleBinding/shop/b -> ClusterRole/writer",
                "User carol [create,delete] deployments.apps in other via RoleBinding/other/c -> Role/other/writer",
            ]
        );
        let shop = editors(
            &roles,
            &cluster_roles,
            &bindings,
            &[],
            &deploys(),
            Some(&["shop".to_string()]),
        );
        let who: Vec<String> = shop.iter().map(|g| g.subject.to_string()).collect();
        assert_eq!(who, ["User alice", "User bob"]);
    }

    #[test]
    fn wildcards_match_groups_resources_and_verbs() {
        let cluster_roles = [
            cluster_role(
                "admin-ish",
                json!([{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]),
            ),
            cluster_role(
                "any-group",
                json!([{"apiGroups": ["*"], "resources": ["deployments"], "verbs": ["delete"]}]),
            ),
            cluster_role(
                "any-verb",
                json!([{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["*"]}]),
            ),
            cluster_role(
                "other-group",
                json!([{"apiGroups": ["extensions"], "resources": ["*"], "verbs": ["*"]}]),
            ),
        ];
        let bindings = [
            crb("1", "admin-ish", json!([user("root")])),
            crb("2", "any-group", json!([user("deleter")])),
            crb("3", "any-verb", json!([user("owner")])),
            crb("4", "other-group", json!([user("legacy")])),
        ];
        let grants = editors(
            &[],
            &cluster_roles,
            &[],
            &bindings,
            &wanted(&[("apps", "deployments"), ("", "services")]),
            None,
        );
        assert_eq!(
            summary(&grants),
            vec![
                "User deleter [delete] deployments.apps in * via ClusterRoleBinding/2 -> ClusterRole/any-group",
                "User owner [*] deployments.apps in * via ClusterRoleBinding/3 -> ClusterRole/any-verb",
                "User root [*] deployments.apps,services in * via ClusterRoleBinding/1 -> ClusterRole/admin-ish",
            ]
        );
    }

    #[test]
    fn resource_names_still_count_but_never_for_create() {
        let cluster_roles = [
            cluster_role(
                "named",
                json!([{"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["app-config"], "verbs": ["create", "update", "deletecollection"]}]),
            ),
            cluster_role(
                "named-all",
                json!([{"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["app-config"], "verbs": ["*"]}]),
            ),
            cluster_role(
                "create-only",
                json!([{"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["app-config"], "verbs": ["create"]}]),
            ),
        ];
        let bindings = [
            crb("1", "named", json!([user("alice")])),
            crb("2", "named-all", json!([user("bob")])),
            crb("3", "create-only", json!([user("carol")])),
        ];
        let grants = editors(
            &[],
            &cluster_roles,
            &[],
            &bindings,
            &wanted(&[("", "configmaps")]),
            None,
        );
        assert_eq!(
            summary(&grants),
            vec![
                "User alice [update] configmaps names=app-config in * via ClusterRoleBinding/1 -> ClusterRole/named",
                "User bob [update,patch,delete] configmaps names=app-config in * via ClusterRoleBinding/2 -> ClusterRole/named-all",
            ]
        );
        // Named access is not access to every object.
        assert!(!grants[0].allows("update", "configmaps"));
    }

    #[test]
    fn editing_subresources_count_and_others_do_not() {
        let cluster_roles = [
            cluster_role(
                "scaler",
                json!([{"apiGroups": ["apps"], "resources": ["deployments/scale"], "verbs": ["get", "patch", "update"]}]),
            ),
            cluster_role(
                "any-scale",
                json!([{"apiGroups": ["apps"], "resources": ["*/scale"], "verbs": ["*"]}]),
            ),
            cluster_role(
                "status",
                json!([{"apiGroups": ["apps"], "resources": ["deployments/status"], "verbs": ["update", "patch"]}]),
            ),
            cluster_role(
                "exec",
                json!([{"apiGroups": [""], "resources": ["pods/exec", "pods/eviction"], "verbs": ["create"]}]),
            ),
            // Patch on the whole resource already changes the replicas.
            cluster_role(
                "both",
                json!([{"apiGroups": ["apps"], "resources": ["deployments", "deployments/scale"], "verbs": ["patch", "update"]}]),
            ),
            cluster_role(
                "patcher-scaler",
                json!([{"apiGroups": ["apps"], "resources": ["deployments", "deployments/scale"], "verbs": ["patch"]}, {"apiGroups": ["apps"], "resources": ["deployments/scale"], "verbs": ["update"]}]),
            ),
        ];
        let bindings = [
            crb("1", "scaler", json!([user("scaler")])),
            crb("2", "any-scale", json!([user("any")])),
            crb("3", "status", json!([user("status")])),
            crb("4", "exec", json!([user("exec")])),
            crb("5", "both", json!([user("both")])),
            crb("6", "patcher-scaler", json!([user("ps")])),
        ];
        let grants = editors(
            &[],
            &cluster_roles,
            &[],
            &bindings,
            &wanted(&[("apps", "deployments"), ("", "pods")]),
            None,
        );
        assert_eq!(
            summary(&grants),
            vec![
                "User any [update,patch] deployments.apps/scale in * via ClusterRoleBinding/2 -> ClusterRole/any-scale",
                "User both [update,patch] deployments.apps in * via ClusterRoleBinding/5 -> ClusterRole/both",
                "User ps [patch] deployments.apps in * via ClusterRoleBinding/6 -> ClusterRole/patcher-scaler",
                "User ps [update] deployments.apps/scale in * via ClusterRoleBinding/6 -> ClusterRole/patcher-scaler",
                "User scaler [update,patch] deployments.apps/scale in * via ClusterRoleBinding/1 -> ClusterRole/scaler",
            ]
        );
    }

    #[test]
    fn non_resource_urls_and_read_only_rules_grant_nothing() {
        let cluster_roles = [cluster_role(
            "reader",
            json!([
                {"nonResourceURLs": ["/healthz", "*"], "verbs": ["*"]},
                {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "list", "watch"]},
            ]),
        )];
        let grants = editors(
            &[],
            &cluster_roles,
            &[],
            &[crb("r", "reader", json!([user("viewer")]))],
            &deploys(),
            None,
        );
        assert!(grants.is_empty(), "{grants:#?}");
    }

    #[test]
    fn grants_split_where_verbs_differ_so_each_verb_covers_each_resource() {
        let cluster_roles = [cluster_role(
            "mixed",
            json!([
                {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["patch"]},
                {"apiGroups": [""], "resources": ["configmaps", "services"], "verbs": ["patch", "delete"]},
                {"apiGroups": [""], "resources": ["services"], "verbs": ["get"]},
            ]),
        )];
        let grants = editors(
            &[],
            &cluster_roles,
            &[],
            &[crb("m", "mixed", json!([user("alice"), user("alice")]))],
            &wanted(&[
                ("apps", "deployments"),
                ("", "configmaps"),
                ("", "services"),
            ]),
            None,
        );
        assert_eq!(
            summary(&grants),
            vec![
                "User alice [patch,delete] configmaps,services in * via ClusterRoleBinding/m -> ClusterRole/mixed",
                "User alice [patch] deployments.apps in * via ClusterRoleBinding/m -> ClusterRole/mixed",
            ]
        );
    }

    fn aggregated(name: &str, selectors: Value, labels: Value) -> Value {
        json!({
            "kind": "ClusterRole",
            "metadata": {"name": name, "labels": labels},
            "aggregationRule": {"clusterRoleSelectors": selectors},
            "rules": null,
        })
    }

    fn labelled(name: &str, labels: Value, rules: Value) -> Value {
        json!({"kind": "ClusterRole", "metadata": {"name": name, "labels": labels}, "rules": rules})
    }

    #[test]
    fn aggregated_cluster_roles_get_the_rules_their_selectors_match() {
        let cluster_roles = [
            aggregated(
                "team",
                json!([{"matchLabels": {"example.com/aggregate-to-team": "true"}}]),
                json!({}),
            ),
            labelled(
                "cm-updater",
                json!({"example.com/aggregate-to-team": "true"}),
                json!([{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["update"]}]),
            ),
            labelled(
                "svc-deleter",
                json!({"example.com/aggregate-to-team": "false"}),
                json!([{"apiGroups": [""], "resources": ["services"], "verbs": ["delete"]}]),
            ),
            // Expressions, and an aggregated role selecting another one (view → edit).
            aggregated(
                "lead",
                json!([
                    {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["team", "lead"]}]},
                    {"matchExpressions": [{"key": "example.com/aggregate-to-team", "operator": "Exists"}, {"key": "example.com/aggregate-to-team", "operator": "NotIn", "values": ["true"]}]},
                ]),
                json!({}),
            ),
            aggregated(
                "team-tier",
                json!([{"matchLabels": {"example.com/aggregate-to-team": "true"}}]),
                json!({"tier": "team"}),
            ),
        ];
        let grants = editors(
            &[],
            &cluster_roles,
            &[rb(
                "shop",
                "bob",
                "ClusterRole",
                "team",
                json!([user("bob")]),
            )],
            &[crb("lead", "lead", json!([user("lea")]))],
            &wanted(&[("", "configmaps"), ("", "services")]),
            None,
        );
        assert_eq!(
            summary(&grants),
            vec![
                "User bob [update] configmaps in shop via RoleBinding/shop/bob -> ClusterRole/team",
                "User lea [update] configmaps in * via ClusterRoleBinding/lead -> ClusterRole/lead",
                "User lea [delete] services in * via ClusterRoleBinding/lead -> ClusterRole/lead",
            ]
        );
    }

    #[test]
    fn stored_rules_of_aggregated_roles_are_trusted_and_cycles_end() {
        let cluster_roles = [
            // The controller filled this one: its stored rules are what the authorizer uses.
            json!({
                "metadata": {"name": "filled"},
                "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"a": "1"}}]},
                "rules": [{"apiGroups": [""], "resources": ["services"], "verbs": ["patch"]}],
            }),
            labelled(
                "source",
                json!({"a": "1"}),
                json!([{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["patch"]}]),
            ),
            // Two aggregated roles selecting each other (and themselves): ping gets what pong
            // selects.
            aggregated(
                "ping",
                json!([{"matchLabels": {"loop": "yes"}}]),
                json!({"loop": "yes"}),
            ),
            aggregated(
                "pong",
                json!([{"matchLabels": {"loop": "yes"}}, {"matchLabels": {"leaf": "pong"}}]),
                json!({"loop": "yes"}),
            ),
            labelled(
                "leaf",
                json!({"leaf": "pong"}),
                json!([{"apiGroups": [""], "resources": ["services"], "verbs": ["delete"]}]),
            ),
            // An empty selector selects every ClusterRole, as in Kubernetes.
            aggregated("everything", json!([{}]), json!({})),
        ];
        let bindings = [
            crb("f", "filled", json!([user("f")])),
            crb("p", "ping", json!([user("p")])),
            crb("e", "everything", json!([user("e")])),
        ];
        let grants = editors(
            &[],
            &cluster_roles,
            &[],
            &bindings,
            &wanted(&[("", "configmaps"), ("", "services")]),
            None,
        );
        assert_eq!(
            summary(&grants),
            vec![
                "User e [patch] configmaps in * via ClusterRoleBinding/e -> ClusterRole/everything",
                "User e [patch,delete] services in * via ClusterRoleBinding/e -> ClusterRole/everything",
                "User f [patch] services in * via ClusterRoleBinding/f -> ClusterRole/filled",
                "User p [delete] services in * via ClusterRoleBinding/p -> ClusterRole/ping",
            ]
        );
    }

    #[test]
    fn selectors_follow_kubernetes_semantics() {
        let labels = json!({"a": "1", "b": "2"});
        let matches = |selector: Value| selector_matches(&selector, &labels);
        assert!(matches(json!({})));
        assert!(matches(json!({"matchLabels": {"a": "1"}})));
        assert!(!matches(json!({"matchLabels": {"a": "1", "c": "3"}})));
        assert!(matches(
            json!({"matchExpressions": [{"key": "c", "operator": "DoesNotExist"}]})
        ));
        assert!(!matches(
            json!({"matchExpressions": [{"key": "a", "operator": "DoesNotExist"}]})
        ));
        assert!(matches(
            json!({"matchExpressions": [{"key": "c", "operator": "NotIn", "values": ["1"]}]})
        ));
        assert!(!matches(
            json!({"matchExpressions": [{"key": "b", "operator": "In", "values": ["1"]}]})
        ));
        assert!(!matches(
            json!({"matchExpressions": [{"key": "a", "operator": "Gt", "values": ["0"]}]})
        ));
        assert!(!selector_matches(
            &json!({"matchLabels": {"a": "1"}}),
            &Value::Null
        ));
    }

    #[test]
    fn service_accounts_are_one_subject_however_they_are_bound() {
        let roles = [role(
            "ci",
            "deployer",
            json!([{"apiGroups": [""], "resources": ["services"], "verbs": ["create", "delete"]}]),
        )];
        let bindings = [
            rb(
                "ci",
                "sa",
                "Role",
                "deployer",
                json!([{"kind": "ServiceAccount", "name": "deployer", "namespace": "ci"}]),
            ),
            // Without a namespace, the binding's; bound as a user name, the same account.
            rb(
                "ci",
                "sa-implicit",
                "Role",
                "deployer",
                json!([{"kind": "ServiceAccount", "name": "builder"}]),
            ),
            rb(
                "ci",
                "sa-user",
                "Role",
                "deployer",
                json!([user("system:serviceaccount:ci:deployer")]),
            ),
            // Service account groups stay groups.
            rb(
                "ci",
                "all-sa",
                "Role",
                "deployer",
                json!([group("system:serviceaccounts:ci"), group("system:authenticated"), {"kind": "Robot", "name": "r2"}]),
            ),
        ];
        let grants = editors(
            &roles,
            &[],
            &bindings,
            &[],
            &wanted(&[("", "services")]),
            None,
        );
        let who: Vec<(String, String)> = grants
            .iter()
            .map(|g| (g.subject.to_string(), g.binding.clone()))
            .collect();
        assert_eq!(
            who,
            [
                (
                    "Group system:authenticated".into(),
                    "RoleBinding/ci/all-sa".into()
                ),
                (
                    "Group system:serviceaccounts:ci".into(),
                    "RoleBinding/ci/all-sa".into()
                ),
                (
                    "ServiceAccount ci/builder".into(),
                    "RoleBinding/ci/sa-implicit".into()
                ),
                (
                    "ServiceAccount ci/deployer".into(),
                    "RoleBinding/ci/sa".into()
                ),
                (
                    "ServiceAccount ci/deployer".into(),
                    "RoleBinding/ci/sa-user".into()
                ),
            ]
        );
    }

    #[test]
    fn role_binding_grants_on_cluster_scoped_types_are_dropped() {
        let grant = |namespace: Option<&str>, resources: &[&str]| Grant {
            subject: Subject::user("alice"),
            verbs: vec!["*".into()],
            resources: resources.iter().map(|r| r.to_string()).collect(),
            resource_names: vec![],
            namespace: namespace.map(str::to_string),
            binding: "b".into(),
            role: "r".into(),
        };
        let kept = drop_cluster_scoped(
            vec![
                grant(Some("shop"), &["nodes", "configmaps"]),
                grant(Some("shop"), &["nodes/scale"]),
                grant(None, &["nodes"]),
            ],
            &["nodes".to_string()],
        );
        assert_eq!(
            kept,
            vec![
                grant(Some("shop"), &["configmaps"]),
                grant(None, &["nodes"])
            ]
        );
    }

    #[test]
    fn allow_lists_match_kind_namespace_and_name() {
        let allow = default_allow();
        assert!(is_allowed(&Subject::group("system:masters"), &allow));
        assert!(is_allowed(
            &Subject::service_account("kube-system", "deployment-controller"),
            &allow
        ));
        assert!(!is_allowed(
            &Subject::service_account("shop", "deployment-controller"),
            &allow
        ));
        assert!(!is_allowed(&Subject::user("system:masters"), &allow));
        assert!(is_allowed(&Subject::user("system:kube-scheduler"), &allow));
        let mine: Vec<Subject> = ["user:alice", "serviceaccount:ci:deployer"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        assert!(is_allowed(&Subject::user("alice"), &mine));
        assert!(!is_allowed(&Subject::user("alicia"), &mine));
        assert!(is_allowed(
            &Subject::service_account("ci", "deployer"),
            &mine
        ));
        assert!(!is_allowed(&Subject::service_account("ci", "other"), &mine));
    }

    #[test]
    fn managers_are_joined_with_who_could_have_edited() {
        let grant = |subject: Subject, verbs: &[&str], binding: &str| Grant {
            subject,
            verbs: verbs.iter().map(|v| v.to_string()).collect(),
            resources: vec!["deployments.apps".into()],
            resource_names: vec![],
            namespace: Some("shop".into()),
            binding: binding.into(),
            role: "ClusterRole/edit".into(),
        };
        let grants = [
            grant(
                Subject::user("alice"),
                &["patch"],
                "RoleBinding/shop/alice-edit",
            ),
            grant(Subject::user("alice"), &["*"], "ClusterRoleBinding/admins"),
            grant(
                Subject::user("alice"),
                &["update"],
                "ClusterRoleBinding/admins",
            ),
            grant(
                Subject::group("oncall"),
                &["update"],
                "ClusterRoleBinding/oncall",
            ),
            // Deleting changes no field.
            grant(
                Subject::user("janitor"),
                &["delete"],
                "ClusterRoleBinding/cleanup",
            ),
        ];
        let managers: Vec<String> = [
            "kubectl-edit",
            "kube-controller-manager",
            "kubectl-drift",
            "kubectl-edit",
            "kubectl",
        ]
        .iter()
        .map(|m| m.to_string())
        .collect();
        let who = "these subjects can edit: User alice (RoleBinding/shop/alice-edit, ClusterRoleBinding/admins), Group oncall (ClusterRoleBinding/oncall)";
        assert_eq!(
            join_managers(&grants, &managers),
            vec![
                format!("kubectl-edit changes were made; {who}"),
                format!("kubectl changes were made; {who}"),
            ]
        );
        assert_eq!(
            join_managers(&grants[4..], &["kubectl-patch".to_string()]),
            vec!["kubectl-patch changes were made; no subject outside the allow list can edit these resources"]
        );
        assert!(join_managers(&grants, &["helm".to_string()]).is_empty());
        assert!(is_human_tool("kubectl-client-side-apply"));
        assert!(!is_human_tool("kubectl-drift"));
        assert!(!is_human_tool("kubectlish"));
    }
}
