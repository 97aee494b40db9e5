//! Fields the live object holds that Git does not declare. Two sources matter: the fields
//! a manager recorded in `managedFields` (for `--strict`, and for the pre-check's question
//! "did the field manager apply something Git has since dropped?"), and the client-side
//! `last-applied-configuration` annotation, whose fields missing from Git are exactly what
//! the next `kubectl apply` removes.

use serde_json::Value;

use super::attribution::{item_matches, ManagedFields, CLIENT_SIDE_APPLY};
use super::normalize::TOOL_ANNOTATIONS;
use super::path::{item_key, list_key, FieldPath, Segment};
use super::precheck::secret_string_data_as_data;

/// The paths in the `fieldsV1` tree `fields` that `desired` does not declare, each at the
/// highest level where the declaration stops.
pub fn in_fieldset(fields: &Value, desired: &Value) -> Vec<FieldPath> {
    let mut out = Vec::new();
    walk_fieldset(fields, Some(desired), &FieldPath::default(), &mut out);
    out.retain(|p| !is_tool_annotation(p));
    out
}

fn walk_fieldset(
    fields: &Value,
    desired: Option<&Value>,
    path: &FieldPath,
    out: &mut Vec<FieldPath>,
) {
    let Some(map) = fields.as_object() else {
        return;
    };
    for (key, next) in map {
        if key == "." {
            continue;
        }
        let (segment, child) = if let Some(name) = key.strip_prefix("f:") {
            (
                Segment::Field(name.to_string()),
                desired.and_then(|d| d.get(name)),
            )
        } else if let Some(json) = key.strip_prefix("k:") {
            let pairs = match serde_json::from_str::<Value>(json) {
                Ok(Value::Object(map)) => map.into_iter().collect(),
                _ => continue,
            };
            let child = desired
                .and_then(Value::as_array)
                .and_then(|items| items.iter().find(|item| item_matches(key, item)));
            (Segment::Key(pairs), child)
        } else {
            // A set item (`v:`): the list it belongs to is the field.
            let declared = desired
                .and_then(Value::as_array)
                .is_some_and(|items| items.iter().any(|item| item_matches(key, item)));
            if !declared && !out.contains(path) {
                out.push(path.clone());
            }
            continue;
        };
        let here = path.child(segment);
        let has_fields = next.as_object().is_some_and(|m| m.keys().any(|k| k != "."));
        match child {
            // A map Git lacks altogether: name its fields one by one, which says more than
            // the whole map and leaves out what tools wrote into it.
            None if has_fields && matches!(here.segments().last(), Some(Segment::Field(_))) => {
                walk_fieldset(next, None, &here, out)
            }
            None => out.push(here),
            Some(child) => walk_fieldset(next, Some(child), &here, out),
        }
    }
}

/// What the live `last-applied-configuration` annotation says Git no longer declares.
#[derive(Debug, Clone, PartialEq)]
pub enum LastApplied {
    /// The fields the next client-side `kubectl apply` of Git removes (none without the
    /// annotation).
    Removals(Vec<FieldPath>),
    /// The annotation holds a whole live object, not a declared set: `kubectl get -o yaml
    /// | kubectl replace -f -` after a client-side apply copies everything into it.
    CopyOfLive,
}

/// What the live annotation's copy of a live object looks like, told to the user.
pub const COPY_OF_LIVE_NOTE: &str = "the last-applied-configuration annotation is a copy of a live object (it holds uid, resourceVersion, creationTimestamp or status), not what was applied: fields Git dropped since cannot be told from it";

/// The fields of the live `last-applied-configuration` annotation that `desired` no
/// longer declares: what the next client-side `kubectl apply` of Git removes.
pub fn in_last_applied(live: &Value, desired: &Value) -> LastApplied {
    let Some(text) = live["metadata"]["annotations"][TOOL_ANNOTATIONS[0]].as_str() else {
        return LastApplied::Removals(Vec::new());
    };
    let Ok(applied) = serde_json::from_str::<Value>(text) else {
        return LastApplied::Removals(Vec::new());
    };
    if is_copy_of_live(&applied) {
        return LastApplied::CopyOfLive;
    }
    let mut out = Vec::new();
    walk_applied(&applied, desired, &FieldPath::default(), &mut out);
    out.retain(|p| !is_tool_annotation(p));
    LastApplied::Removals(out)
}

/// Fields only the server writes: a manifest never holds them, a live object always does.
fn is_copy_of_live(applied: &Value) -> bool {
    let meta = &applied["metadata"];
    ["uid", "resourceVersion", "creationTimestamp"]
        .iter()
        .any(|field| meta.get(field).is_some())
        || applied.get("status").is_some()
}

fn walk_applied(applied: &Value, desired: &Value, path: &FieldPath, out: &mut Vec<FieldPath>) {
    match (applied, desired) {
        (Value::Object(a), Value::Object(d)) => {
            for (key, value) in a {
                let here = path.child(Segment::Field(key.clone()));
                match (d.get(key), value) {
                    // A map Git lacks altogether: name its fields one by one.
                    (None, Value::Object(_)) => {
                        walk_applied(value, &Value::Object(Default::default()), &here, out)
                    }
                    (None, _) => out.push(here),
                    (Some(child), _) => walk_applied(value, child, &here, out),
                }
            }
        }
        (Value::Array(a), Value::Array(d)) => {
            // Lists without keys are replaced whole by an apply: nothing is left behind.
            let Some(fields) = list_key(&[a, d]) else {
                return;
            };
            for item in a {
                let Some(key) = item_key(item, fields) else {
                    continue;
                };
                let here = path.child(Segment::Key(key.clone()));
                match d
                    .iter()
                    .find(|di| item_key(di, fields).as_ref() == Some(&key))
                {
                    None => out.push(here),
                    Some(child) => walk_applied(item, child, &here, out),
                }
            }
        }
        _ => {}
    }
}

/// The managers Kubernetes' own components write as.
pub const KUBERNETES_MANAGERS: &[&str] = &[
    "kube-controller-manager",
    "cloud-controller-manager",
    "kube-scheduler",
    "kube-apiserver",
    "kubelet",
];

/// Managers that reconcile objects on their own, whose writes are not hand-made drift:
/// Kubernetes' own components, and those `controllers` names (the config's). Never judged
/// by the spelling of a name: a `hotfix-controller` may be a person's script.
pub fn is_controller(manager: &str, controllers: &[String]) -> bool {
    KUBERNETES_MANAGERS.contains(&manager) || controllers.iter().any(|c| c == manager)
}

/// For `--strict`: fields live that Git does not declare, written by a manager that is
/// neither a controller, nor `field_manager`, nor client-side apply, outside of `status`.
pub fn hand_written(live: &Value, desired: &Value, field_manager: &str) -> Vec<FieldPath> {
    let desired = secret_string_data_as_data(desired);
    let mut out: Vec<FieldPath> = Vec::new();
    for (attribution, fields) in ManagedFields::of(live).entries() {
        if attribution.manager == field_manager
            || attribution.manager == CLIENT_SIDE_APPLY
            || is_controller(&attribution.manager, &[])
            || attribution.subresource.as_deref() == Some("status")
        {
            continue;
        }
        for path in in_fieldset(fields, &desired) {
            if !path.starts_with_fields(&["status"]) && !out.contains(&path) {
                out.push(path);
            }
        }
    }
    out
}

fn is_tool_annotation(path: &FieldPath) -> bool {
    TOOL_ANNOTATIONS.iter().any(|a| {
        path.segments()
            == [
                Segment::Field("metadata".into()),
                Segment::Field("annotations".into()),
                Segment::Field((*a).into()),
            ]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_fields_a_manager_wrote_that_git_lacks() {
        let fields = json!({"f:metadata": {"f:labels": {".": {}, "f:app": {}, "f:hotfix": {}}},
            "f:spec": {"f:template": {"f:spec": {"f:containers": {"k:{\"name\":\"app\"}": {
                "f:env": {"k:{\"name\":\"DEBUG\"}": {".": {}, "f:name": {}, "f:value": {}}}}}}}}});
        let desired = json!({"metadata": {"labels": {"app": "x"}},
            "spec": {"template": {"spec": {"containers": [{"name": "app", "env": []}]}}}});
        let paths: Vec<String> = in_fieldset(&fields, &desired)
            .iter()
            .map(|p| p.to_string())
            .collect();
        assert_eq!(
            paths,
            [
                "metadata.labels.hotfix",
                "spec.template.spec.containers[name=app].env[name=DEBUG]"
            ]
        );
    }

    #[test]
    fn finds_what_the_next_client_side_apply_removes() {
        let applied = json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "a", "labels": {"old": "1", "keep": "1"}},
            "data": {"gone": "x", "kept": "y"}});
        let live = json!({"metadata": {"annotations": {
            "kubectl.kubernetes.io/last-applied-configuration": applied.to_string()}}});
        let desired = json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "a", "labels": {"keep": "1"}}, "data": {"kept": "z"}});
        let LastApplied::Removals(removals) = in_last_applied(&live, &desired) else {
            panic!("a declared set");
        };
        let paths: Vec<String> = removals.iter().map(|p| p.to_string()).collect();
        assert_eq!(paths, ["metadata.labels.old", "data.gone"]);
    }

    #[test]
    fn a_copied_live_object_is_not_a_declared_set() {
        let desired = json!({"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "a"}, "spec": {"ports": [{"port": 80}]}});
        for copied in [
            json!({"metadata": {"name": "a", "uid": "1f0c"}}),
            json!({"metadata": {"name": "a", "resourceVersion": "42"}}),
            json!({"metadata": {"name": "a", "creationTimestamp": "2026-01-01T00:00:00Z"}}),
            json!({"metadata": {"name": "a"}, "status": {"loadBalancer": {}}}),
        ] {
            let live = json!({"metadata": {"annotations": {
                "kubectl.kubernetes.io/last-applied-configuration": copied.to_string()}}});
            assert_eq!(in_last_applied(&live, &desired), LastApplied::CopyOfLive);
        }
    }

    #[test]
    fn controllers_are_told_apart_from_people() {
        assert!(is_controller("kube-controller-manager", &[]));
        assert!(!is_controller("kubectl-edit", &[]));
        assert!(!is_controller("kubectl-patch", &[]));
        // By evidence, not by spelling.
        assert!(!is_controller("hotfix-controller", &[]));
        assert!(!is_controller("longhorn-manager", &[]));
        assert!(is_controller(
            "longhorn-manager",
            &["longhorn-manager".into()]
        ));
    }
}
