//! Attribution: who last wrote a field and when, read from the live object's
//! `metadata.managedFields` (server-side apply's field ownership, `fieldsV1`).

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use super::path::{FieldPath, Segment};

/// The manager that owns a drifted field in the live object.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attribution {
    pub manager: String,
    /// `Apply` or `Update`.
    pub operation: String,
    pub time: Option<DateTime<Utc>>,
    /// Set when the write went through a subresource, e.g. `scale`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subresource: Option<String>,
}

/// One `managedFields` entry.
#[derive(Debug, Clone)]
struct Entry {
    attribution: Attribution,
    fields: Value,
}

/// The field ownership of one live object.
#[derive(Debug, Clone, Default)]
pub struct ManagedFields {
    entries: Vec<Entry>,
}

impl ManagedFields {
    pub fn of(live: &Value) -> ManagedFields {
        let entries = live["metadata"]["managedFields"]
            .as_array()
            .map(|list| {
                list.iter()
                    .map(|e| Entry {
                        attribution: Attribution {
                            manager: e["manager"].as_str().unwrap_or("unknown").to_string(),
                            operation: e["operation"].as_str().unwrap_or_default().to_string(),
                            time: e["time"]
                                .as_str()
                                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                                .map(|t| t.with_timezone(&Utc)),
                            subresource: e["subresource"]
                                .as_str()
                                .filter(|s| !s.is_empty())
                                .map(str::to_string),
                        },
                        fields: e["fieldsV1"].clone(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        ManagedFields { entries }
    }

    /// The most recent writer of `path` in `live`, if any manager owns it.
    pub fn owner(&self, path: &FieldPath, live: &Value) -> Option<Attribution> {
        self.entries
            .iter()
            .filter(|e| owns(&e.fields, path.segments(), Some(live)))
            .max_by_key(|e| e.attribution.time)
            .map(|e| e.attribution.clone())
    }

    /// Every entry: who wrote, and the `fieldsV1` tree of what.
    pub fn entries(&self) -> impl Iterator<Item = (&Attribution, &Value)> {
        self.entries.iter().map(|e| (&e.attribution, &e.fields))
    }

    /// Whether `manager` owns `path` through apply: a field it would remove by leaving it
    /// out of its next apply.
    pub fn applied_owns(&self, manager: &str, path: &FieldPath, live: &Value) -> bool {
        self.applied_by(manager)
            .is_some_and(|fields| owns(fields, path.segments(), Some(live)))
    }

    /// The fields `manager` set through apply, as a `fieldsV1` tree.
    pub fn applied_by(&self, manager: &str) -> Option<&Value> {
        self.entries
            .iter()
            .find(|e| {
                e.attribution.manager == manager
                    && e.attribution.operation == "Apply"
                    && e.attribution.subresource.is_none()
            })
            .map(|e| &e.fields)
    }
}

/// Whether the `fieldsV1` tree `fields` covers `path`. A leaf (`{}`) covers everything below
/// it: that is how ownership of an atomic list or map is recorded.
fn owns(fields: &Value, path: &[Segment], live: Option<&Value>) -> bool {
    let Some(map) = fields.as_object() else {
        return false;
    };
    let Some((first, rest)) = path.split_first() else {
        return true;
    };
    if map.is_empty() {
        return true;
    }
    match first {
        Segment::Field(name) => match map.get(&format!("f:{name}")) {
            Some(next) => owns(next, rest, live.and_then(|l| l.get(name))),
            None => false,
        },
        Segment::Key(_) | Segment::Index(_) => {
            let item = live
                .and_then(|l| FieldPath(vec![first.clone()]).lookup(l))
                .cloned();
            let item = item.or_else(|| match first {
                Segment::Key(pairs) => Some(Value::Object(pairs.iter().cloned().collect())),
                _ => None,
            });
            let Some(item) = item else {
                return false;
            };
            map.iter()
                .find(|(key, _)| item_matches(key, &item))
                .is_some_and(|(_, next)| owns(next, rest, Some(&item)))
        }
    }
}

/// The manager of client-side `kubectl apply`.
pub const CLIENT_SIDE_APPLY: &str = "kubectl-client-side-apply";

/// The manager that put Git's fields on the live object, as a fix should write them: the
/// `Apply` manager owning most of the fields `desired` declares, or client-side apply
/// (`kubectl apply`) when it owns more. `own` (the tool's own manager, left by an older fix)
/// and controllers never count. `None` when no such manager owns any of Git's fields.
pub fn pipeline_manager(live: &Value, desired: &Value, own: &str) -> Option<String> {
    let managed = ManagedFields::of(live);
    let mut best: Option<(usize, &str)> = None;
    for entry in &managed.entries {
        let a = &entry.attribution;
        let pipeline = match a.operation.as_str() {
            "Apply" => true,
            "Update" => a.manager == CLIENT_SIDE_APPLY,
            _ => false,
        };
        if !pipeline
            || a.subresource.is_some()
            || a.manager == own
            || super::undeclared::is_controller(&a.manager, &[])
        {
            continue;
        }
        let count = declared_leaves(&entry.fields, desired);
        if count > 0 && best.is_none_or(|(n, _)| count > n) {
            best = Some((count, &a.manager));
        }
    }
    best.map(|(_, manager)| manager.to_string())
}

/// How many owned fields of the `fieldsV1` tree `fields` `desired` declares.
fn declared_leaves(fields: &Value, desired: &Value) -> usize {
    let Some(map) = fields.as_object() else {
        return 0;
    };
    let mut count = 0;
    for (key, next) in map {
        if key == "." {
            continue;
        }
        let child = if let Some(name) = key.strip_prefix("f:") {
            desired.get(name)
        } else {
            desired
                .as_array()
                .and_then(|items| items.iter().find(|item| item_matches(key, item)))
        };
        let Some(child) = child else {
            continue;
        };
        let has_fields = next.as_object().is_some_and(|m| m.keys().any(|k| k != "."));
        count += if has_fields && !key.starts_with("v:") {
            declared_leaves(next, child)
        } else {
            1
        };
    }
    count
}

/// Matches a `k:{...}` or `v:...` key of `fieldsV1` against a list item.
pub fn item_matches(key: &str, item: &Value) -> bool {
    if let Some(json) = key.strip_prefix("k:") {
        let Ok(Value::Object(pairs)) = serde_json::from_str::<Value>(json) else {
            return false;
        };
        pairs.iter().all(|(k, v)| match item.get(k) {
            Some(found) => found == v,
            // A port's protocol left out is the server's default, TCP.
            None => k == "protocol" && v == "TCP",
        })
    } else if let Some(json) = key.strip_prefix("v:") {
        serde_json::from_str::<Value>(json).is_ok_and(|v| &v == item)
    } else {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn live() -> Value {
        json!({
            "metadata": {"managedFields": [
                {"manager": "pipeline", "operation": "Apply", "time": "2026-01-01T00:00:00Z",
                 "fieldsV1": {"f:spec": {"f:replicas": {}, "f:template": {"f:spec": {"f:containers": {
                    "k:{\"name\":\"app\"}": {".": {}, "f:image": {}, "f:name": {}}}}}}}},
                {"manager": "kubectl-set", "operation": "Update", "time": "2026-01-02T00:00:00Z",
                 "fieldsV1": {"f:spec": {"f:template": {"f:spec": {"f:containers": {
                    "k:{\"name\":\"app\"}": {"f:image": {}}}}}}}},
                {"manager": "kubectl", "operation": "Update", "subresource": "scale",
                 "time": "2026-01-03T00:00:00Z", "fieldsV1": {"f:spec": {"f:replicas": {}}}}
            ]},
            "spec": {"replicas": 5, "template": {"spec": {"containers": [{"name": "app", "image": "b"}]}}}
        })
    }

    fn path(segments: Vec<Segment>) -> FieldPath {
        FieldPath(segments)
    }

    #[test]
    fn newest_owner_wins() {
        let live = live();
        let managed = ManagedFields::of(&live);
        let image = path(vec![
            Segment::Field("spec".into()),
            Segment::Field("template".into()),
            Segment::Field("spec".into()),
            Segment::Field("containers".into()),
            Segment::Key(vec![("name".into(), json!("app"))]),
            Segment::Field("image".into()),
        ]);
        assert_eq!(managed.owner(&image, &live).unwrap().manager, "kubectl-set");
        let replicas = path(vec![
            Segment::Field("spec".into()),
            Segment::Field("replicas".into()),
        ]);
        let owner = managed.owner(&replicas, &live).unwrap();
        assert_eq!(
            (owner.manager.as_str(), owner.subresource.as_deref()),
            ("kubectl", Some("scale"))
        );
        let nobody = path(vec![
            Segment::Field("spec".into()),
            Segment::Field("paused".into()),
        ]);
        assert!(managed.owner(&nobody, &live).is_none());
        assert!(managed.applied_by("pipeline").is_some());
        assert!(managed.applied_by("kubectl-set").is_none());
    }

    #[test]
    fn the_pipeline_is_the_apply_manager_owning_most_of_git() {
        let desired = json!({"spec": {"replicas": 3, "template": {"spec": {"containers": [
            {"name": "app", "image": "a"}]}}}});
        assert_eq!(
            pipeline_manager(&live(), &desired, "kubectl-drift").as_deref(),
            Some("pipeline")
        );
        // The tool's own writes and hand-made updates never count.
        assert_eq!(pipeline_manager(&live(), &desired, "pipeline"), None);
        let client_side = json!({"metadata": {"managedFields": [
            {"manager": "kubectl-client-side-apply", "operation": "Update",
             "fieldsV1": {"f:spec": {"f:replicas": {}, "f:paused": {}}}},
            {"manager": "kubectl-drift", "operation": "Apply",
             "fieldsV1": {"f:spec": {"f:replicas": {}, "f:template": {}}}}]}});
        assert_eq!(
            pipeline_manager(&client_side, &desired, "kubectl-drift").as_deref(),
            Some(CLIENT_SIDE_APPLY)
        );
    }
}
