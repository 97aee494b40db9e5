//! Mutating admission: the webhooks (`MutatingWebhookConfiguration`s) and policies
//! (`MutatingAdmissionPolicy`s, where the server serves them) that may change an object as
//! it is written, listed once per context with one LIST each. A kind they may touch is
//! never proven in sync locally: only the server's dry run, which calls them, can say what
//! applying Git makes of it.

use serde_json::Value;

use super::cache::LiveCache;
use super::discovery::Catalog;
use super::{live, Cluster};

/// What may mutate objects on their way in, as far as this context lets it be known.
#[derive(Debug, Clone, PartialEq)]
pub enum Mutating {
    Known(Vec<Mutator>),
    /// The configurations could not be listed (say, a role without access to them): any
    /// kind may be touched.
    Unknown(String),
}

/// One webhook or policy, and the types its rules match.
#[derive(Debug, Clone, PartialEq)]
pub struct Mutator {
    /// `MutatingWebhookConfiguration/NAME (webhook HOOK)` or `MutatingAdmissionPolicy/NAME`.
    pub name: String,
    rules: Vec<Rule>,
}

/// One rule: API groups and resources (`*` for any; `resource/sub` forms name subresources).
#[derive(Debug, Clone, PartialEq)]
struct Rule {
    groups: Vec<String>,
    resources: Vec<String>,
    operations: Vec<String>,
}

impl Default for Mutating {
    fn default() -> Self {
        Mutating::Known(Vec::new())
    }
}

impl Mutating {
    /// Reads the webhook configurations and, where served, the mutating admission policies;
    /// `watch` keeps them current with a watch of each (`cache`), so that its later rounds
    /// send no LIST and still see a webhook added meanwhile.
    pub async fn load(cluster: &Cluster, catalog: &Catalog, cache: Option<&LiveCache>) -> Mutating {
        let mut mutators = Vec::new();
        for kind in ["MutatingWebhookConfiguration", "MutatingAdmissionPolicy"] {
            let Some(resource) = catalog
                .types()
                .iter()
                .filter(|t| t.group == "admissionregistration.k8s.io" && t.kind == kind)
                .min_by_key(|t| !t.preferred)
            else {
                continue;
            };
            if let Some(items) = cache.and_then(|c| c.get(cluster, resource, None, None)) {
                mutators.extend(items.iter().flat_map(mutators_of));
                continue;
            }
            match live::list(cluster, resource, None, None).await {
                Ok(items) => {
                    if let Some(cache) = cache {
                        cache.start(cluster, resource, None, None);
                    }
                    mutators.extend(items.iter().flat_map(mutators_of))
                }
                Err(error) => {
                    return Mutating::Unknown(format!(
                        "{}: {}",
                        resource.qualified_plural(),
                        super::errors::describe(&error, false)
                    ))
                }
            }
        }
        Mutating::Known(mutators)
    }

    /// The webhook or policy that may change objects of this type when they are updated
    /// (an apply of an existing object is an update), or why that cannot be known; `None`
    /// when nothing may.
    pub fn may_touch(&self, group: &str, plural: &str) -> Option<&str> {
        match self {
            Mutating::Unknown(why) => Some(why),
            Mutating::Known(mutators) => mutators
                .iter()
                .find(|m| m.rules.iter().any(|r| r.matches(group, plural)))
                .map(|m| m.name.as_str()),
        }
    }
}

impl Rule {
    fn matches(&self, group: &str, plural: &str) -> bool {
        let any = |list: &[String], want: &str| list.iter().any(|v| v == "*" || v == want);
        any(&self.groups, group)
            && self.resources.iter().any(|r| {
                // `*` and `*/*` match every resource; `pods/status` only a subresource.
                let main = r.split('/').next().unwrap_or_default();
                r.split('/').nth(1).is_none_or(|sub| sub == "*") && (main == "*" || main == plural)
            })
            && (self.operations.is_empty() || any(&self.operations, "UPDATE"))
    }

    fn from(rule: &Value) -> Rule {
        let strings = |key: &str| -> Vec<String> {
            rule[key]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        };
        Rule {
            groups: strings("apiGroups"),
            resources: strings("resources"),
            operations: strings("operations"),
        }
    }
}

/// The mutators one listed object stands for: each webhook of a configuration, or a policy.
fn mutators_of(object: &Value) -> Vec<Mutator> {
    let kind = object["kind"].as_str().unwrap_or_default();
    let name = object["metadata"]["name"].as_str().unwrap_or_default();
    let rules = |list: &Value| {
        list.as_array()
            .into_iter()
            .flatten()
            .map(Rule::from)
            .collect()
    };
    match kind {
        "MutatingWebhookConfiguration" => object["webhooks"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|hook| Mutator {
                name: format!(
                    "{kind}/{name} (webhook {})",
                    hook["name"].as_str().unwrap_or_default()
                ),
                rules: rules(&hook["rules"]),
            })
            .collect(),
        _ => vec![Mutator {
            name: format!("{kind}/{name}"),
            rules: rules(&object["spec"]["matchConstraints"]["resourceRules"]),
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rules_match_groups_resources_and_updates() {
        let objects = [
            json!({"kind": "MutatingWebhookConfiguration", "metadata": {"name": "inject"},
                "webhooks": [{"name": "sidecar.example.com", "rules": [
                    {"apiGroups": ["apps"], "apiVersions": ["v1"], "resources": ["deployments", "pods/status"],
                     "operations": ["CREATE", "UPDATE"]},
                    {"apiGroups": [""], "apiVersions": ["*"], "resources": ["configmaps"], "operations": ["CREATE"]}]}]}),
            json!({"kind": "MutatingAdmissionPolicy", "metadata": {"name": "label"},
                "spec": {"matchConstraints": {"resourceRules": [
                    {"apiGroups": ["example.com"], "apiVersions": ["*"], "resources": ["*"], "operations": ["*"]}]}}}),
        ];
        let mutating = Mutating::Known(objects.iter().flat_map(mutators_of).collect());
        assert_eq!(
            mutating.may_touch("apps", "deployments"),
            Some("MutatingWebhookConfiguration/inject (webhook sidecar.example.com)")
        );
        assert_eq!(mutating.may_touch("", "pods"), None, "a subresource only");
        assert_eq!(mutating.may_touch("", "configmaps"), None, "on create only");
        assert_eq!(
            mutating.may_touch("example.com", "widgets"),
            Some("MutatingAdmissionPolicy/label")
        );
        assert_eq!(mutating.may_touch("apps", "statefulsets"), None);
        let unknown = Mutating::Unknown("forbidden".into());
        assert_eq!(unknown.may_touch("", "configmaps"), Some("forbidden"));
    }
}
