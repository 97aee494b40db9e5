//! The RBAC authorizer's answer, computed from Roles, ClusterRoles and their bindings: which
//! subjects may write which of the checked types, and through which binding and role
//! (aggregated ClusterRoles, resource names, subresources and wildcards included).

use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::*;

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
pub(super) struct Rule {
    pub(super) groups: Vec<String>,
    pub(super) resources: Vec<String>,
    pub(super) verbs: Vec<String>,
    pub(super) names: Vec<String>,
}

pub(super) fn strings(value: &Value) -> Vec<String> {
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

pub(super) fn rules_of(role: &Value) -> Vec<Rule> {
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

pub(super) fn name_of(object: &Value) -> &str {
    object["metadata"]["name"].as_str().unwrap_or_default()
}

pub(super) fn namespace_of(object: &Value) -> &str {
    object["metadata"]["namespace"].as_str().unwrap_or_default()
}

/// Whether `labels` satisfy one `clusterRoleSelectors` entry. As in Kubernetes, an empty
/// selector selects every ClusterRole; an unknown operator selects none.
pub(super) fn selector_matches(selector: &Value, labels: &Value) -> bool {
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
pub(super) fn cluster_role_rules(cluster_roles: &[Value]) -> HashMap<String, Vec<Rule>> {
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
pub(super) fn label(group: &str, plural: &str, subresource: Option<&str>) -> String {
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
pub(super) fn write_verbs(rule: &Rule, subresource: bool) -> BTreeSet<String> {
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
pub(super) type Access = BTreeMap<(String, Vec<String>), BTreeSet<String>>;

pub(super) fn access(rules: &[Rule], wanted: &[(String, String)]) -> Access {
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
pub(super) fn ordered_verbs(verbs: &BTreeSet<String>) -> Vec<String> {
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
pub(super) fn grants_of(
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
