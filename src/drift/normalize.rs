//! Normalization: drop what only the server writes, so that what remains of a live and a
//! predicted object is what a person or a pipeline declared. No list of defaults is kept;
//! defaults are the server's business and show up on both sides alike.

use serde_json::Value;

/// Metadata fields the server owns.
const SERVER_METADATA: &[&str] = &[
    "managedFields",
    "resourceVersion",
    "uid",
    "generation",
    "creationTimestamp",
    "selfLink",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
];

/// Annotations that tools write about an object rather than into it.
pub const TOOL_ANNOTATIONS: &[&str] = &["kubectl.kubernetes.io/last-applied-configuration"];

/// Where a kind's `status` is written: through a subresource of its own, by controllers,
/// so that applying an object never sets it (left out of every comparison); or in the object
/// itself, for a custom resource without that subresource, where applying Git does write it
/// and it compares like any field.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum StatusField {
    #[default]
    Subresource,
    Object,
}

impl StatusField {
    pub fn with_subresource(subresource: bool) -> StatusField {
        if subresource {
            StatusField::Subresource
        } else {
            StatusField::Object
        }
    }
}

/// Returns `object` without status and server-written metadata, keys sorted the way
/// `kubectl get -o yaml` shows them, so that both sides line up whatever order the
/// server answered in.
pub fn normalize(object: &Value) -> Value {
    normalize_with(object, StatusField::Subresource)
}

/// As [`normalize`], keeping `status` where it is the object's own field.
pub fn normalize_with(object: &Value, status: StatusField) -> Value {
    let mut out = sorted(object);
    let Some(map) = out.as_object_mut() else {
        return out;
    };
    if status == StatusField::Subresource {
        map.remove("status");
    }
    if let Some(Value::Object(meta)) = map.get_mut("metadata") {
        for field in SERVER_METADATA {
            meta.remove(*field);
        }
        if let Some(Value::Object(annotations)) = meta.get_mut("annotations") {
            for annotation in TOOL_ANNOTATIONS {
                annotations.remove(*annotation);
            }
        }
        for field in ["annotations", "labels"] {
            if meta
                .get(field)
                .and_then(Value::as_object)
                .is_some_and(|m| m.is_empty())
            {
                meta.remove(field);
            }
        }
    }
    out
}

fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            Value::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), sorted(&map[k])))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn drops_server_fields_only() {
        let live = json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "a", "uid": "1", "resourceVersion": "5", "managedFields": [],
                "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}"},
                "labels": {"team": "x"}},
            "data": {"k": "v"}, "status": {}
        });
        let ordered = normalize(&json!({"kind": "A", "apiVersion": "v1"}));
        let keys: Vec<&String> = ordered.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["apiVersion", "kind"]);
        assert_eq!(
            normalize(&live),
            json!({"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "a", "labels": {"team": "x"}}, "data": {"k": "v"}})
        );
        // A custom resource without a status subresource: its status is applied like spec.
        let widget = json!({"kind": "Widget", "status": {"phase": "set-by-git"}});
        assert_eq!(
            normalize_with(&widget, StatusField::Object)["status"],
            json!({"phase": "set-by-git"})
        );
        assert!(normalize_with(&widget, StatusField::Subresource)
            .get("status")
            .is_none());
    }
}
