//! Extra objects: live objects that a target tracks (by its tracking label, or because
//! they sit in a namespace the target owns) and that have no manifest in Git. Only objects a
//! person or pipeline made can be extra: never those Kubernetes, an installer (Helm,
//! kustomize-controller, Argo CD) or a controller made or manages, told by evidence (owner
//! references, the managers Kubernetes' own components write as, installers' labels, the
//! config's `controllers:`), never by how a manager's name is spelled
//! (`made_by_kubernetes`, which also guards `fix --prune`), nor kinds that are
//! records rather than configuration (events, endpoints, leases). What a target declares is
//! every manifest of its own paths in the commit, whatever the command line selected.

use std::collections::BTreeSet;

use futures::stream::{self, StreamExt};
use serde_json::Value;

use super::ResourceHandle;
use crate::cluster::{live, Catalog, Cluster, ResourceType};
use crate::drift::{normalize, undeclared, Identity, Status};
use crate::ignore;
use crate::report::ResourceReport;
use crate::settings::{LabelSelector, TargetSettings};

/// (group, kind): kinds that hold what happened or what a controller derived, not intent.
const NOT_CONFIGURATION: &[(&str, &str)] = &[
    ("", "Event"),
    ("events.k8s.io", "Event"),
    ("", "Endpoints"),
    ("discovery.k8s.io", "EndpointSlice"),
    ("coordination.k8s.io", "Lease"),
    ("apps", "ControllerRevision"),
];

/// The label on the ConfigMap `watch` keeps its alert state in (under `ALERT_STATE_KEY`),
/// so that `fix --prune`, which knows no `--state`, leaves it too.
pub const ALERT_STATE_LABEL: (&str, &str) = ("app.kubernetes.io/managed-by", "kubectl-drift");

/// The key of the alert state in its ConfigMap.
pub const ALERT_STATE_KEY: &str = "state.json";

/// Declared objects, by (group, kind, namespace, name).
pub type Declared = BTreeSet<(String, String, Option<String>, String)>;

/// What the command line selected: a namespace (or all), a label selector, types and names.
pub struct Scope<'a> {
    pub namespace: Option<&'a str>,
    pub labels: Option<&'a LabelSelector>,
    pub types: &'a [(ResourceType, Vec<String>)],
    /// The ConfigMap (namespace, name) `watch` keeps its alert state in: its own, never
    /// Extra.
    pub alert_state: Option<(&'a str, &'a str)>,
}

/// Finds the extra objects of one context for one target, in `only` (a namespace) or
/// everywhere. Kinds that cannot be listed are returned as warnings: what the user may not
/// see cannot be judged.
pub async fn find(
    cluster: &Cluster,
    catalog: &Catalog,
    declared: &Declared,
    target: &TargetSettings,
    scope: &Scope<'_>,
    concurrency: usize,
    cache: Option<&crate::cluster::cache::LiveCache>,
) -> (Vec<(ResourceReport, ResourceHandle)>, Vec<String>) {
    let kinds: Vec<&ResourceType> = catalog
        .types()
        .iter()
        .filter(|rt| rt.preferred && is_configuration(rt))
        .filter(|rt| {
            scope.types.is_empty()
                || scope
                    .types
                    .iter()
                    .any(|(t, _)| t.group == rt.group && t.kind == rt.kind)
        })
        .collect();
    // One LIST per (kind, scope): the tracking label across the cluster (or `-n`), and every
    // object of each owned namespace.
    let mut lists: Vec<(&ResourceType, Option<String>, Option<String>)> = Vec::new();
    for rt in &kinds {
        if let Some(label) = &target.tracking_label {
            let ns = if rt.namespaced {
                scope.namespace.map(str::to_string)
            } else {
                None
            };
            lists.push((rt, ns, Some(label.text.clone())));
        }
        if rt.namespaced {
            for ns in &target.owned_namespaces {
                if scope.namespace.is_none_or(|o| o == ns) {
                    lists.push((rt, Some(ns.clone()), None));
                }
            }
        }
    }
    // In `watch`, each list is kept current by a watch after its first round.
    let answers: Vec<_> = stream::iter(lists.into_iter().map(|(rt, ns, label)| async move {
        let (ns_ref, label_ref) = (ns.as_deref(), label.as_deref());
        if let Some(items) = cache.and_then(|c| c.get(cluster, rt, ns_ref, label_ref)) {
            return (rt, ns, Ok(items));
        }
        let result = live::list(cluster, rt, ns_ref, label_ref).await;
        if let (Some(cache), Ok(_)) = (cache, &result) {
            cache.start(cluster, rt, ns_ref, label_ref);
        }
        (rt, ns, result)
    }))
    .buffer_unordered(concurrency)
    .collect()
    .await;
    let mut found: Vec<(ResourceReport, ResourceHandle)> = Vec::new();
    let mut seen = BTreeSet::new();
    let mut warnings = Vec::new();
    for (rt, ns, result) in answers {
        let items = match result {
            Ok(items) => items,
            Err(error) => {
                let message = match &error {
                    kube::Error::Api(status) => status.message.clone(),
                    other => other.to_string(),
                };
                let scope = ns.map(|n| format!(" in namespace {n}")).unwrap_or_default();
                warnings.push(format!(
                    "extra objects: cannot list {}{scope}: {message}",
                    rt.qualified_plural()
                ));
                continue;
            }
        };
        for object in items {
            let identity = identity_of(rt, &object);
            let key = (
                identity.group.clone(),
                identity.kind.clone(),
                identity.namespace.clone(),
                identity.name.clone(),
            );
            if declared.contains(&key)
                || is_alert_state(&identity, scope.alert_state)
                || made_by_kubernetes(&identity, &object, &target.controllers).is_some()
                || ignore::annotation_reason(&object).is_some()
                || !selected(&identity, &object, scope)
                || !seen.insert(key)
            {
                continue;
            }
            let why = match (&target.tracking_label, &identity.namespace) {
                (_, Some(ns)) if target.owned_namespaces.contains(ns) => {
                    format!(
                        "live in namespace {ns}, which the target owns, with no manifest in Git"
                    )
                }
                (Some(label), _) => {
                    format!("live with label {}, with no manifest in Git", label.text)
                }
                _ => "live, with no manifest in Git".to_string(),
            };
            // kubectl's own managers (`kubectl-create`, `kubectl-edit`) are people at work.
            let by_kubectl = |m: &&str| *m == "kubectl" || m.starts_with("kubectl-");
            let why = match writers(&object).as_slice() {
                managers if managers.iter().all(by_kubectl) => why,
                managers => format!(
                    "{why}; written by {} (a controller? name it under `controllers:` in {})",
                    managers.join(", "),
                    crate::settings::config::FILE_NAME
                ),
            };
            found.push(entry(cluster, rt, identity, object, why));
        }
    }
    (found, warnings)
}

/// The report and handle of one extra object.
fn entry(
    cluster: &Cluster,
    rt: &ResourceType,
    identity: Identity,
    object: Value,
    why: String,
) -> (ResourceReport, ResourceHandle) {
    let mut report = ResourceReport::new(&cluster.context, identity.clone(), Status::Extra);
    report.message = Some(why);
    report.live_object = Some(normalize::normalize(&object));
    let handle = ResourceHandle {
        context: cluster.context.clone(),
        identity,
        origin: None,
        resource: Some(rt.clone()),
        live_resource_version: object["metadata"]["resourceVersion"]
            .as_str()
            .map(str::to_string),
        manifest: object,
        field_manager: String::new(),
        commit: None,
    };
    (report, handle)
}

/// The report of an extra object looked at again: gone (in sync) or still there.
pub fn recheck(handle: &ResourceHandle, live: Option<&Value>) -> ResourceReport {
    let mut report = ResourceReport::new(&handle.context, handle.identity.clone(), Status::InSync);
    if let Some(object) = live {
        report.status = Status::Extra;
        report.message = Some("still live, with no manifest in Git".into());
        report.live_object = Some(normalize::normalize(object));
    }
    report
}

/// Whether `identity` is the ConfigMap the run keeps its alert state in.
fn is_alert_state(identity: &Identity, alert_state: Option<(&str, &str)>) -> bool {
    alert_state.is_some_and(|(namespace, name)| {
        identity.group.is_empty()
            && identity.kind == "ConfigMap"
            && identity.namespace.as_deref() == Some(namespace)
            && identity.name == name
    })
}

fn is_configuration(rt: &ResourceType) -> bool {
    let can = |verb: &str| rt.verbs.iter().any(|v| v == verb);
    can("list")
        && can("create")
        && can("delete")
        && !NOT_CONFIGURATION
            .iter()
            .any(|(g, k)| *g == rt.group && *k == rt.kind)
}

/// The managers that wrote an object, as its managedFields name them.
fn writers(object: &Value) -> Vec<&str> {
    let mut managers: Vec<&str> = object["metadata"]["managedFields"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["manager"].as_str())
        .collect();
    managers.dedup();
    managers
}

/// Labels and annotations installers put on what they install, and what they tell.
const INSTALLER_MARKS: &[(&str, &str)] = &[
    (
        "kustomize.toolkit.fluxcd.io/name",
        "kustomize-controller installed it",
    ),
    (
        "helm.toolkit.fluxcd.io/name",
        "Flux's helm-controller installed it",
    ),
    ("argocd.argoproj.io/instance", "Argo CD installed it"),
    ("argocd.argoproj.io/tracking-id", "Argo CD installed it"),
];

/// Why a live object is not one a person or pipeline made, and so is never `Extra` (nor
/// pruned): Kubernetes, an installer or a controller (Kubernetes' own, or one of
/// `controllers`) made or manages it. `None` for objects made by hand.
pub fn made_by_kubernetes(
    identity: &Identity,
    object: &Value,
    controllers: &[String],
) -> Option<&'static str> {
    let meta = &object["metadata"];
    if meta["ownerReferences"]
        .as_array()
        .is_some_and(|o| !o.is_empty())
    {
        return Some("it has an owner (ownerReferences)");
    }
    let core = identity.group.is_empty();
    let kind = identity.kind.as_str();
    let name = identity.name.as_str();
    if core && kind == "ServiceAccount" && name == "default" {
        return Some("every namespace's default ServiceAccount is made by Kubernetes");
    }
    if core && kind == "ConfigMap" && name == "kube-root-ca.crt" {
        return Some("every namespace's kube-root-ca.crt ConfigMap is made by Kubernetes");
    }
    let secret_type = object["type"].as_str().unwrap_or_default();
    if core && kind == "Secret" && secret_type == "kubernetes.io/service-account-token" {
        return Some("a service-account token Secret is made for its ServiceAccount");
    }
    if meta["labels"]["app.kubernetes.io/managed-by"].as_str() == Some("Helm") {
        return Some("Helm manages it (app.kubernetes.io/managed-by: Helm)");
    }
    if core
        && kind == "ConfigMap"
        && meta["labels"][ALERT_STATE_LABEL.0].as_str() == Some(ALERT_STATE_LABEL.1)
        && object["data"].get(ALERT_STATE_KEY).is_some()
    {
        return Some("kubectl-drift keeps its alert state in it");
    }
    let helm_label = meta["labels"]["owner"].as_str() == Some("helm");
    if core
        && ((kind == "Secret" && secret_type == "helm.sh/release.v1")
            || (kind == "ConfigMap" && helm_label))
    {
        return Some("a Helm release record is made by Helm");
    }
    for (key, why) in INSTALLER_MARKS {
        if meta["labels"].get(*key).is_some() || meta["annotations"].get(*key).is_some() {
            return Some(why);
        }
    }
    let managers = writers(object);
    if !managers.is_empty()
        && managers
            .iter()
            .all(|m| undeclared::is_controller(m, controllers))
    {
        return Some("only controllers wrote it");
    }
    None
}

fn identity_of(rt: &ResourceType, object: &Value) -> Identity {
    let meta = &object["metadata"];
    Identity {
        group: rt.group.clone(),
        version: rt.version.clone(),
        kind: rt.kind.clone(),
        namespace: meta["namespace"].as_str().map(str::to_string),
        name: meta["name"].as_str().unwrap_or_default().to_string(),
    }
}

/// The command line's selection, applied to a live object.
fn selected(identity: &Identity, object: &Value, scope: &Scope<'_>) -> bool {
    let names_ok = scope.types.is_empty()
        || scope.types.iter().any(|(t, names)| {
            t.group == identity.group
                && t.kind == identity.kind
                && (names.is_empty() || names.contains(&identity.name))
        });
    let labels_ok = scope
        .labels
        .is_none_or(|s| s.matches(object["metadata"]["labels"].as_object()));
    names_ok && labels_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn made(kind: &str, object: Value) -> Option<&'static str> {
        let identity = Identity {
            group: String::new(),
            version: "v1".into(),
            kind: kind.into(),
            namespace: Some("shop".into()),
            name: object["metadata"]["name"].as_str().unwrap().into(),
        };
        made_by_kubernetes(&identity, &object, &[])
    }

    #[test]
    fn objects_kubernetes_or_controllers_made_are_never_extra() {
        let owned =
            json!({"metadata": {"name": "web-7d9f", "ownerReferences": [{"kind": "ReplicaSet"}]}});
        assert!(made("Pod", owned).is_some());
        let root_ca = json!({"metadata": {"name": "kube-root-ca.crt", "managedFields": [
            {"manager": "kubectl-create", "operation": "Update"}]}});
        assert!(made("ConfigMap", root_ca).is_some());
        let default_sa = json!({"metadata": {"name": "default"}});
        assert!(made("ServiceAccount", default_sa).is_some());
        let token = json!({"metadata": {"name": "builder-token"},
            "type": "kubernetes.io/service-account-token"});
        assert!(made("Secret", token).is_some());
        let release = json!({"metadata": {"name": "sh.helm.release.v1.shop.v3",
            "labels": {"owner": "helm"}}, "type": "helm.sh/release.v1"});
        assert!(made("Secret", release).is_some());
        let configmap_release = json!({"metadata": {"name": "sh.helm.release.v1.shop.v3",
            "labels": {"owner": "helm"}}});
        assert!(made("ConfigMap", configmap_release).is_some());
        let helm_managed = json!({"metadata": {"name": "web",
            "labels": {"app.kubernetes.io/managed-by": "Helm"}, "managedFields": [
            {"manager": "helm", "operation": "Update"}]}});
        assert!(made("Deployment", helm_managed).is_some());
        let by_controller = json!({"metadata": {"name": "cache", "managedFields": [
            {"manager": "kube-controller-manager", "operation": "Update"}]}});
        assert!(made("ConfigMap", by_controller).is_some());
    }

    #[test]
    fn the_alert_state_is_never_extra() {
        let state = json!({"metadata": {"name": "alerts",
            "labels": {"app.kubernetes.io/managed-by": "kubectl-drift"}},
            "data": {"state.json": "{}"}});
        assert!(made("ConfigMap", state).is_some());
        // The label alone, on a ConfigMap that holds no state, is not enough.
        let labelled = json!({"metadata": {"name": "web",
            "labels": {"app.kubernetes.io/managed-by": "kubectl-drift"}}, "data": {"a": "b"}});
        assert!(made("ConfigMap", labelled).is_none());
        let identity = |ns: &str, name: &str| Identity {
            group: String::new(),
            version: "v1".into(),
            kind: "ConfigMap".into(),
            namespace: Some(ns.into()),
            name: name.into(),
        };
        let at = Some(("ops", "alerts"));
        assert!(is_alert_state(&identity("ops", "alerts"), at));
        assert!(!is_alert_state(&identity("shop", "alerts"), at));
        assert!(!is_alert_state(&identity("ops", "alerts"), None));
    }

    #[test]
    fn objects_people_made_can_be_extra() {
        let by_hand = json!({"metadata": {"name": "debug", "managedFields": [
            {"manager": "kubectl-create", "operation": "Update"}]}});
        assert_eq!(made("ConfigMap", by_hand), None);
        assert_eq!(
            made("ConfigMap", json!({"metadata": {"name": "old"}})),
            None
        );
        // Only the namespace's own `default` is Kubernetes's; a ConfigMap named so is not.
        assert_eq!(
            made("ConfigMap", json!({"metadata": {"name": "default"}})),
            None
        );
        let opaque = json!({"metadata": {"name": "db", "labels": {"owner": "helm"}},
            "type": "Opaque"});
        assert_eq!(made("Secret", opaque), None);
    }

    #[test]
    fn controllers_are_told_by_evidence_not_by_their_names() {
        let by = |manager: &str| {
            json!({"metadata": {"name": "x", "managedFields": [
                {"manager": manager, "operation": "Update"}]}})
        };
        // A name that sounds like a controller proves nothing; one that does not, nothing either.
        assert_eq!(made("ConfigMap", by("hotfix-controller")), None);
        assert_eq!(made("ConfigMap", by("longhorn-manager")), None);
        let identity = Identity {
            group: "longhorn.io".into(),
            version: "v1beta2".into(),
            kind: "Setting".into(),
            namespace: Some("longhorn-system".into()),
            name: "x".into(),
        };
        let declared = ["longhorn-manager".to_string()];
        assert!(made_by_kubernetes(&identity, &by("longhorn-manager"), &declared).is_some());
        assert!(made_by_kubernetes(&identity, &by("hotfix-controller"), &declared).is_none());
        let flux = json!({"metadata": {"name": "x", "labels": {"kustomize.toolkit.fluxcd.io/name": "apps"}}});
        assert!(made("ConfigMap", flux).is_some());
        let argo = json!({"metadata": {"name": "x", "annotations": {"argocd.argoproj.io/tracking-id": "a:/ConfigMap:ns/x"}}});
        assert!(made("ConfigMap", argo).is_some());
        assert_eq!(writers(&by("longhorn-manager")), ["longhorn-manager"]);
    }
}
