//! Drift: what differs between a live object and what Git says it should be. The
//! predicted object (the server's dry-run answer) and the live object are normalized, diffed
//! field by field, and each difference is attributed to the manager that last wrote it.
//! Pure computation: nothing here talks to a cluster.

pub mod attribution;
pub mod diff;
pub mod normalize;
pub mod path;
pub mod precheck;
pub mod schema;
pub mod undeclared;

use serde::Serialize;
use serde_json::Value;

pub use attribution::{Attribution, ManagedFields};
pub use diff::FieldChange;
pub use path::FieldPath;

/// Group, kind, namespace (none for cluster-scoped kinds) and name; the version rides along
/// for requests and output.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Identity {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
}

impl Identity {
    /// `namespace/name`, or `name` for cluster-scoped objects.
    pub fn namespaced_name(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{ns}/{}", self.name),
            None => self.name.clone(),
        }
    }

    /// Identity without the version: two manifests for one object in different versions clash.
    pub fn key(&self) -> (&str, &str, Option<&str>, &str) {
        (
            &self.group,
            &self.kind,
            self.namespace.as_deref(),
            &self.name,
        )
    }
}

/// The outcome for one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Status {
    InSync,
    Drifted,
    Missing,
    /// Drifted, but recorded as intentional, and the record still matches and holds.
    Accepted,
    /// Left out by an ignore rule or the `drift.kubectl.io/ignore` annotation.
    Ignored,
    /// Live and tracked by a target (its label or namespaces), with no manifest in Git.
    Extra,
    Error,
}

impl Status {
    /// Whether this status makes the run exit 1.
    pub fn is_drift(self) -> bool {
        matches!(self, Status::Drifted | Status::Missing | Status::Extra)
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Status::InSync => "InSync",
            Status::Drifted => "Drifted",
            Status::Missing => "Missing",
            Status::Accepted => "Accepted",
            Status::Ignored => "Ignored",
            Status::Extra => "Extra",
            Status::Error => "Error",
        })
    }
}

/// A drifted field a rule hides, kept in the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IgnoredField {
    pub path: String,
    pub reason: String,
    /// The field itself, for taking it out of what `fix` applies.
    #[serde(skip)]
    pub field: path::FieldPath,
}

/// One drifted field with its attribution.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDrift {
    pub path: FieldPath,
    pub git: Option<Value>,
    pub live: Option<Value>,
    pub attribution: Option<Attribution>,
    /// How much the field matters and the rule that said so (`severity`); none until the
    /// finished report is judged.
    pub rating: Option<crate::severity::Rating>,
}

/// The drift of one pair, with the normalized objects it was computed from.
#[derive(Debug, Clone, PartialEq)]
pub struct PairDrift {
    pub fields: Vec<FieldDrift>,
    /// The predicted (or, read-only, declared) object, normalized.
    pub git: Value,
    /// The live object, normalized.
    pub live: Value,
    /// Read-only: declared fields whose difference only a dry run could confirm (an empty
    /// value in Git that live lacks: the server drops some empty values, keeps others).
    pub unverified: Vec<FieldPath>,
}

/// Exact drift: the server's predicted object against the live one, lists compared as the
/// kind's schema says where there is one.
pub fn exact(
    predicted: &Value,
    live: &Value,
    status: normalize::StatusField,
    schema: Option<schema::Type<'_>>,
) -> PairDrift {
    let (git, live_normal) = (
        normalize::normalize_with(predicted, status),
        normalize::normalize_with(live, status),
    );
    let changes = diff::diff_typed(&git, &live_normal, schema);
    PairDrift {
        fields: attribute(changes, live),
        git,
        live: live_normal,
        unverified: Vec::new(),
    }
}

/// Read-only drift: declared fields that differ by meaning (by the kind's schema where
/// there is one), when no dry run is allowed.
/// A `status` Git declares counts only where applying writes it.
pub fn declared(
    desired: &Value,
    live: &Value,
    schema: Option<schema::Type<'_>>,
    status: normalize::StatusField,
) -> PairDrift {
    let mut desired = std::borrow::Cow::Borrowed(desired);
    if status == normalize::StatusField::Subresource && desired.get("status").is_some() {
        if let Some(map) = desired.to_mut().as_object_mut() {
            map.remove("status");
        }
    }
    let (unverified, changes): (Vec<FieldChange>, Vec<FieldChange>) =
        precheck::declared_differences(&desired, live, schema)
            .into_iter()
            .partition(|c| c.live.is_none() && c.git.as_ref().is_some_and(is_empty));
    PairDrift {
        fields: attribute(changes, live),
        git: normalize::normalize_with(&desired, status),
        live: normalize::normalize_with(live, status),
        unverified: unverified.into_iter().map(|c| c.path).collect(),
    }
}

/// `""`, `[]` or `{}`: values the server may drop (`args: []`, an env var's `value: ""`).
fn is_empty(value: &Value) -> bool {
    match value {
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// Adds fields live holds and Git does not declare (see `undeclared`) as removals, where
/// the diff does not already show them.
pub fn with_removals(mut drift: PairDrift, removals: Vec<FieldPath>, live: &Value) -> PairDrift {
    let shown: Vec<String> = drift.fields.iter().map(|f| f.path.to_string()).collect();
    let changes: Vec<FieldChange> = removals
        .into_iter()
        .filter(|p| !shown.contains(&p.to_string()))
        // A field gone from live already has nothing left to remove.
        .filter_map(|path| {
            let value = path.lookup(live)?.clone();
            Some(FieldChange {
                git: None,
                live: Some(value),
                path,
            })
        })
        .collect();
    drift.fields.extend(attribute(changes, live));
    drift
}

fn attribute(changes: Vec<FieldChange>, live: &Value) -> Vec<FieldDrift> {
    let managed = ManagedFields::of(live);
    changes
        .into_iter()
        .map(|c| FieldDrift {
            rating: None,
            attribution: managed.owner(&c.path, live),
            path: c.path,
            git: c.git,
            live: c.live,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn exact_drift_ignores_server_fields_and_attributes() {
        let predicted = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "a", "resourceVersion": "2", "generation": 2},
            "spec": {"replicas": 3}});
        let live = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "a", "resourceVersion": "1", "generation": 1, "managedFields": [
                {"manager": "kubectl", "operation": "Update", "subresource": "scale",
                 "time": "2026-01-01T00:00:00Z", "fieldsV1": {"f:spec": {"f:replicas": {}}}}]},
            "spec": {"replicas": 5}, "status": {"replicas": 5}});
        let drift = exact(&predicted, &live, normalize::StatusField::Subresource, None);
        assert_eq!(drift.fields.len(), 1);
        assert_eq!(drift.fields[0].path.to_string(), "spec.replicas");
        assert_eq!(
            drift.fields[0].attribution.as_ref().unwrap().manager,
            "kubectl"
        );
        assert!(drift.live.get("status").is_none());
    }

    #[test]
    fn read_only_drift_leaves_empty_values_live_lacks_unverified() {
        let desired = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"},
            "data": {"k": "", "j": "1"}, "binaryData": {}});
        let live = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"},
            "data": {"j": "2"}});
        let drift = declared(&desired, &live, None, normalize::StatusField::Subresource);
        let paths: Vec<String> = drift.fields.iter().map(|f| f.path.to_string()).collect();
        assert_eq!(paths, ["data.j"]);
        let unverified: Vec<String> = drift.unverified.iter().map(|p| p.to_string()).collect();
        assert_eq!(unverified, ["data.k", "binaryData"]);
    }
}
