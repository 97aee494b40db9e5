//! Secret redaction: a Secret's values never reach any output unless `--show-secrets`. A
//! changed key still shows as changed, because the markers on the two sides differ.

use serde_json::Value;

use super::ResourceReport;

/// Marker for a hidden value that is the same on both sides.
pub const HIDDEN: &str = "(hidden)";
/// Marker for a hidden value that differs between Git and live.
pub const HIDDEN_CHANGED: &str = "(hidden, changed)";
/// Marker for a hidden value present on one side only.
pub const HIDDEN_PRESENT: &str = "(hidden)";

/// Whether this resource holds secret values.
pub fn is_secret(report: &ResourceReport) -> bool {
    report.identity.group.is_empty() && report.identity.kind == "Secret"
}

/// Replaces every value under `data` and `stringData` of a Secret report with a marker.
pub fn redact(report: &mut ResourceReport) {
    if !is_secret(report) {
        return;
    }
    let git_data = report.git_object.as_ref().map(|o| o["data"].clone());
    let live_data = report.live_object.as_ref().map(|o| o["data"].clone());
    let changed = |key: &str| {
        let g = git_data.as_ref().and_then(|d| d.get(key));
        let l = live_data.as_ref().and_then(|d| d.get(key));
        g.is_some() && l.is_some() && g != l
    };
    for object in [report.git_object.as_mut(), report.live_object.as_mut()]
        .into_iter()
        .flatten()
    {
        for section in ["data", "stringData"] {
            if let Some(Value::Object(map)) = object.get_mut(section) {
                for (key, value) in map.iter_mut() {
                    let marker = if changed(key) { HIDDEN_CHANGED } else { HIDDEN_PRESENT };
                    *value = Value::String(marker.to_string());
                }
            }
        }
    }
    for field in &mut report.fields {
        let under_data = field.path.starts_with_fields(&["data"])
            || field.path.starts_with_fields(&["stringData"]);
        if !under_data {
            continue;
        }
        for value in [field.git.as_mut(), field.live.as_mut()].into_iter().flatten() {
            *value = hide(value);
        }
    }
}

/// Hides a value, keeping a map's keys visible so that added or removed keys can be seen.
fn hide(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.keys()
                .map(|k| (k.clone(), Value::String(HIDDEN.to_string())))
                .collect(),
        ),
        _ => Value::String(HIDDEN_CHANGED.to_string()),
    }
}
