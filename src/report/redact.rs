//! Secret redaction: a Secret's values never reach any output unless `--show-secrets`. A
//! changed key still shows as changed, because the markers on the two sides differ.

use serde_json::Value;

use super::ResourceReport;

/// Marker for a hidden value: on the Git side always, and live where it equals Git.
pub const HIDDEN: &str = "(hidden)";
/// Marker for a live value that differs from Git's, so that diffs still show the change.
pub const HIDDEN_CHANGED: &str = "(hidden, changed)";

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
    let sides = [
        (report.git_object.as_mut(), false),
        (report.live_object.as_mut(), true),
    ];
    for (object, is_live) in sides {
        let Some(object) = object else { continue };
        for section in ["data", "stringData"] {
            if let Some(Value::Object(map)) = object.get_mut(section) {
                for (key, value) in map.iter_mut() {
                    let marker = if is_live && changed(key) {
                        HIDDEN_CHANGED
                    } else {
                        HIDDEN
                    };
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
        if let Some(value) = field.git.as_mut() {
            *value = hide(value, HIDDEN);
        }
        if let Some(value) = field.live.as_mut() {
            *value = hide(value, HIDDEN_CHANGED);
        }
    }
}

/// Hides a value, keeping a map's keys visible so that added or removed keys can be seen.
fn hide(value: &Value, marker: &str) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.keys()
                .map(|k| (k.clone(), Value::String(HIDDEN.to_string())))
                .collect(),
        ),
        _ => Value::String(marker.to_string()),
    }
}
