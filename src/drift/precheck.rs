//! The local pre-check: compares only what the manifest declares with the live object, by
//! meaning (quantities like `0.5` and `500m`, int-or-string ports, keyed lists), so that the
//! server's dry run can be skipped where the pair is provably in sync. It never proves
//! drift; only in read-only mode do its differences stand in for the server's answer.

use base64::Engine as _;
use serde_json::Value;

use super::attribution::ManagedFields;
use super::diff::FieldChange;
use super::path::{item_key, list_key, FieldPath, Segment};
use super::undeclared;

/// Fields whose values are resource quantities.
const QUANTITY_PARENTS: &[&str] = &[
    "limits",
    "requests",
    "hard",
    "capacity",
    "sizeLimit",
    "storage",
];
/// Fields that take an int or a string.
const INT_OR_STRING: &[&str] = &[
    "port",
    "targetPort",
    "containerPort",
    "maxSurge",
    "maxUnavailable",
    "minAvailable",
];

/// True when the pair is in sync without asking the server: every declared field matches by
/// meaning, and the live object holds nothing that `field_manager` applied and Git dropped.
pub fn proves_in_sync(desired: &Value, live: &Value, field_manager: &str) -> bool {
    if !declared_differences(desired, live).is_empty() {
        return false;
    }
    match ManagedFields::of(live).applied_by(field_manager) {
        Some(applied) => undeclared::in_fieldset(applied, desired).is_empty(),
        None => true,
    }
}

/// The declared fields of `desired` whose live values differ by meaning.
pub fn declared_differences(desired: &Value, live: &Value) -> Vec<FieldChange> {
    let desired = secret_string_data_as_data(desired);
    let mut out = Vec::new();
    compare(&FieldPath::default(), &desired, Some(live), &mut out);
    out
}

fn compare(path: &FieldPath, desired: &Value, live: Option<&Value>, out: &mut Vec<FieldChange>) {
    let differ = |out: &mut Vec<FieldChange>| {
        out.push(FieldChange {
            path: path.clone(),
            git: Some(desired.clone()),
            live: live.cloned(),
        })
    };
    match (desired, live) {
        (Value::Null, None | Some(Value::Null)) => {}
        (Value::Object(d), Some(Value::Object(l))) => {
            for (key, dv) in d {
                compare(
                    &path.child(Segment::Field(key.clone())),
                    dv,
                    l.get(key),
                    out,
                );
            }
        }
        (Value::Array(d), Some(Value::Array(l))) => {
            if d.len() != l.len() {
                return differ(out);
            }
            match list_key(&[d]) {
                Some(fields) => {
                    for item in d {
                        let Some(key) = item_key(item, fields) else {
                            return differ(out);
                        };
                        let found = l
                            .iter()
                            .find(|li| item_key(li, fields).as_ref() == Some(&key));
                        compare(&path.child(Segment::Key(key)), item, found, out);
                    }
                }
                None => {
                    for (i, (dv, lv)) in d.iter().zip(l).enumerate() {
                        compare(&path.child(Segment::Index(i)), dv, Some(lv), out);
                    }
                }
            }
        }
        (d, Some(l)) if scalars_equal(path, d, l) => {}
        _ => differ(out),
    }
}

fn scalars_equal(path: &FieldPath, desired: &Value, live: &Value) -> bool {
    if desired == live {
        return true;
    }
    let names: Vec<&str> = path
        .segments()
        .iter()
        .filter_map(|s| match s {
            Segment::Field(f) => Some(f.as_str()),
            _ => None,
        })
        .collect();
    if names.iter().any(|n| QUANTITY_PARENTS.contains(n)) {
        if let (Some(a), Some(b)) = (quantity(desired), quantity(live)) {
            return (a - b).abs() <= 1e-9 * a.abs().max(b.abs());
        }
    }
    if names.last().is_some_and(|n| INT_OR_STRING.contains(n)) {
        return scalar_text(desired) == scalar_text(live);
    }
    if let (Some(a), Some(b)) = (desired.as_f64(), live.as_f64()) {
        return a == b;
    }
    false
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Parses a Kubernetes resource quantity (`500m`, `0.5`, `1Gi`, `1e3`) into a number.
pub fn quantity(value: &Value) -> Option<f64> {
    let text = match value {
        Value::Number(n) => return n.as_f64(),
        Value::String(s) => s.trim(),
        _ => return None,
    };
    const SUFFIXES: &[(&str, f64)] = &[
        ("Ki", 1024.0),
        ("Mi", 1048576.0),
        ("Gi", 1073741824.0),
        ("Ti", 1099511627776.0),
        ("Pi", 1125899906842624.0),
        ("Ei", 1152921504606846976.0),
        ("n", 1e-9),
        ("u", 1e-6),
        ("m", 1e-3),
        ("k", 1e3),
        ("M", 1e6),
        ("G", 1e9),
        ("T", 1e12),
        ("P", 1e15),
        ("E", 1e18),
    ];
    for (suffix, factor) in SUFFIXES {
        if let Some(number) = text.strip_suffix(suffix) {
            if let Ok(n) = number.parse::<f64>() {
                return Some(n * factor);
            }
        }
    }
    text.parse::<f64>().ok()
}

/// A Secret's `stringData` is written into `data` base64-encoded by the server.
pub fn secret_string_data_as_data(desired: &Value) -> Value {
    let mut out = desired.clone();
    if desired["kind"] != "Secret" || desired["apiVersion"] != "v1" {
        return out;
    }
    let Some(map) = out.as_object_mut() else {
        return out;
    };
    if let Some(Value::Object(string_data)) = map.remove("stringData") {
        let data = map
            .entry("data")
            .or_insert_with(|| Value::Object(Default::default()));
        if let Some(data) = data.as_object_mut() {
            for (key, value) in string_data {
                let text = value.as_str().unwrap_or_default();
                let encoded = base64::engine::general_purpose::STANDARD.encode(text);
                data.insert(key, Value::String(encoded));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn quantities_and_ports_compare_by_meaning() {
        let desired = json!({"spec": {"containers": [{"name": "a",
            "resources": {"limits": {"cpu": 0.5, "memory": "1Gi"}},
            "ports": [{"containerPort": 8080}]}]}});
        let live = json!({"spec": {"containers": [{"name": "a", "imagePullPolicy": "Always",
            "resources": {"limits": {"cpu": "500m", "memory": "1073741824"}},
            "ports": [{"containerPort": 8080, "protocol": "TCP"}]}]}});
        assert!(declared_differences(&desired, &live).is_empty());
        assert_eq!(quantity(&json!("1.5k")), Some(1500.0));
    }

    #[test]
    fn numbers_in_plain_strings_are_not_quantities() {
        let desired = json!({"data": {"version": "1.0"}});
        let live = json!({"data": {"version": "1"}});
        assert_eq!(declared_differences(&desired, &live).len(), 1);
    }

    #[test]
    fn string_data_compares_with_base64_data() {
        let desired =
            json!({"apiVersion": "v1", "kind": "Secret", "stringData": {"password": "hunter2"}});
        let live =
            json!({"apiVersion": "v1", "kind": "Secret", "data": {"password": "aHVudGVyMg=="}});
        assert!(declared_differences(&desired, &live).is_empty());
        let changed =
            json!({"apiVersion": "v1", "kind": "Secret", "data": {"password": "b3RoZXI="}});
        assert_eq!(declared_differences(&desired, &changed).len(), 1);
    }

    #[test]
    fn a_field_the_manager_applied_and_git_dropped_is_not_proven() {
        let live = json!({"metadata": {"labels": {"a": "1", "b": "2"}, "managedFields": [
            {"manager": "pipeline", "operation": "Apply",
             "fieldsV1": {"f:metadata": {"f:labels": {"f:a": {}, "f:b": {}}}}}]}});
        let desired = json!({"metadata": {"labels": {"a": "1"}}});
        assert!(declared_differences(&desired, &live).is_empty());
        assert!(!proves_in_sync(&desired, &live, "pipeline"));
        assert!(proves_in_sync(&desired, &live, "someone-else"));
    }
}
