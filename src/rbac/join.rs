//! Joining grants with drift: which field managers that changed the checked resources by
//! hand belong to a subject with a grant.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::cluster::{Catalog, ResourceType};

use super::*;

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

/// One context's answer: the grants that let subjects other than the allowed ones change
/// the checked resources, the managers that changed them by hand, and which of those the
/// grants explain.
#[derive(Debug, Clone, Serialize)]
pub struct ContextEditors {
    pub context: String,
    pub editors: Vec<Grant>,
    pub managers: Vec<String>,
    pub notes: Vec<String>,
}

/// For each context of a check: its editors beside the allowed subjects, over the checked
/// types and namespaces; or why the context's RBAC could not be read.
pub async fn analyze(
    checked: &crate::check::Checked,
    allow: &[Subject],
) -> Vec<Result<ContextEditors, RbacError>> {
    let mut answers = Vec::new();
    for cluster in &checked.clusters {
        let mut types: Vec<ResourceType> = Vec::new();
        let mut namespaces: Vec<String> = Vec::new();
        let handles = checked
            .handles
            .iter()
            .filter(|s| s.context == cluster.context);
        for handle in handles {
            if let Some(rt) = &handle.resource {
                if !types
                    .iter()
                    .any(|t| t.group == rt.group && t.kind == rt.kind)
                {
                    types.push(rt.clone());
                }
            }
            if let Some(ns) = &handle.identity.namespace {
                if !namespaces.contains(ns) {
                    namespaces.push(ns.clone());
                }
            }
        }
        let mut managers: Vec<String> = checked
            .report
            .resources
            .iter()
            .filter(|r| r.context == cluster.context)
            .flat_map(|r| r.fields.iter())
            .filter_map(|f| f.attribution.as_ref().map(|a| a.manager.clone()))
            // The tool's own writes, and the pipeline's, are not hand-made.
            .filter(|m| {
                !checked
                    .handles
                    .iter()
                    .any(|s| s.context == cluster.context && &s.field_manager == m)
            })
            .collect();
        managers.sort();
        managers.dedup();
        let grants = match Catalog::discover(cluster).await {
            Ok(catalog) => fetch_and_analyze(cluster, &catalog, &types, Some(&namespaces)).await,
            Err(e) => Err(RbacError::Discovery {
                context: cluster.context.clone(),
                source: Box::new(e),
            }),
        };
        answers.push(match grants {
            Ok(grants) => {
                let editors: Vec<Grant> = grants
                    .into_iter()
                    .filter(|g| !is_allowed(&g.subject, allow))
                    .collect();
                let notes = join_managers(&editors, &managers);
                Ok(ContextEditors {
                    context: cluster.context.clone(),
                    editors,
                    managers,
                    notes,
                })
            }
            Err(e) => Err(e),
        });
    }
    answers
}
