//! Secret redaction: a Secret's values never reach any output unless `--show-secrets`. A
//! changed key still shows as changed, because the markers on the two sides differ.

use std::num::NonZeroU32;

use serde_json::Value;

use super::ResourceReport;
use crate::drift::FieldPath;

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
    redact_objects(
        report.predicted_object.as_mut(),
        report.live_object.as_mut(),
    );
    for field in &mut report.fields {
        redact_values(&field.path, &mut field.git, &mut field.live);
    }
}

/// Hides the values under `data` and `stringData` of two versions of one Secret: `HIDDEN`
/// on the left always, and on the right where the key's value equals the left's;
/// `HIDDEN_CHANGED` on the right where it differs, so that diffs still show which keys
/// changed and nothing of what they hold.
pub fn redact_objects(left: Option<&mut Value>, right: Option<&mut Value>) {
    let left_data = left.as_ref().map(|o| o["data"].clone());
    let right_data = right.as_ref().map(|o| o["data"].clone());
    let changed = |key: &str| {
        let l = left_data.as_ref().and_then(|d| d.get(key));
        let r = right_data.as_ref().and_then(|d| d.get(key));
        l.is_some() && r.is_some() && l != r
    };
    for (object, is_right) in [(left, false), (right, true)] {
        let Some(object) = object else { continue };
        for section in ["data", "stringData"] {
            if let Some(Value::Object(map)) = object.get_mut(section) {
                for (key, value) in map.iter_mut() {
                    let marker = if is_right && changed(key) {
                        HIDDEN_CHANGED
                    } else {
                        HIDDEN
                    };
                    *value = Value::String(marker.to_string());
                }
            }
        }
    }
}

/// Hides a differing Secret field's two values when it lies under `data` or `stringData`.
pub fn redact_values(path: &FieldPath, left: &mut Option<Value>, right: &mut Option<Value>) {
    if !(path.starts_with_fields(&["data"]) || path.starts_with_fields(&["stringData"])) {
        return;
    }
    if let Some(value) = left.as_mut() {
        *value = hide(value, HIDDEN);
    }
    if let Some(value) = right.as_mut() {
        *value = hide(value, HIDDEN_CHANGED);
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

/// PBKDF2 rounds for `live_digest`: some tens of milliseconds per drifted Secret in a
/// release build, and as much per guess for anyone trying to recover a value.
const DIGEST_ROUNDS: u32 = 100_000;

/// A digest of a Secret's drifted live values that tells a further change apart without
/// keeping the values or anything a short password could be recovered from offline.
///
/// Why this construction: the digest is stored where the repository's readers see it
/// (`.kubectl-drift/accepted.yaml`) and in `--state` files. A plain hash of a short password
/// is recovered by trying every candidate. Here the values go through PBKDF2-HMAC-SHA256,
/// keyed (salted) with the live Secret's `uid`: the uid is in no repository and is known only
/// to those who can read the Secret itself, who can read its values anyway; it also changes
/// when the Secret is recreated. The slow KDF makes each guess cost the same again for anyone
/// who learns the uid. `None` for anything but a drifted Secret with a uid.
pub fn live_digest(report: &ResourceReport, live: &Value) -> Option<String> {
    if !is_secret(report) {
        return None;
    }
    let uid = live["metadata"]["uid"].as_str().filter(|u| !u.is_empty())?;
    let values: Vec<(String, &Option<Value>)> = report
        .fields
        .iter()
        .filter(|f| {
            f.path.starts_with_fields(&["data"]) || f.path.starts_with_fields(&["stringData"])
        })
        .map(|f| (f.path.to_string(), &f.live))
        .collect();
    if values.is_empty() {
        return None;
    }
    let secret = serde_json::to_string(&values).unwrap_or_default();
    let salt = format!("kubectl-drift secret digest\u{0}{uid}");
    Some(format!(
        "pbkdf2-sha256:{}",
        slow_digest(&salt, secret.as_bytes())
    ))
}

/// PBKDF2-HMAC-SHA256 of `secret` salted with `salt`, in hex: what every stored digest of a
/// Secret's values is made with, so that a guess costs `DIGEST_ROUNDS` hashes.
pub fn slow_digest(salt: &str, secret: &[u8]) -> String {
    let mut out = [0u8; 32];
    ring::pbkdf2::derive(
        ring::pbkdf2::PBKDF2_HMAC_SHA256,
        NonZeroU32::new(DIGEST_ROUNDS).expect("not zero"),
        salt.as_bytes(),
        secret,
        &mut out,
    );
    out.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drift::path::{FieldPath, Segment};
    use crate::drift::{FieldDrift, Identity, Status};
    use serde_json::json;
    use sha2::Digest;

    fn secret(kind: &str, value: &str) -> ResourceReport {
        let identity = Identity {
            group: String::new(),
            version: "v1".into(),
            kind: kind.into(),
            namespace: Some("shop".into()),
            name: "creds".into(),
        };
        let mut report = ResourceReport::new("prod", identity, Status::Drifted);
        report.fields = vec![FieldDrift {
            rating: None,
            path: FieldPath(vec![
                Segment::Field("data".into()),
                Segment::Field("password".into()),
            ]),
            git: Some(json!("Z2l0")),
            live: Some(json!(value)),
            attribution: None,
        }];
        report
    }

    #[test]
    fn live_digest_is_keyed_by_the_uid_and_follows_the_values() {
        let live = |uid: &str| json!({"metadata": {"uid": uid}});
        let a = live_digest(&secret("Secret", "aHVudGVyMg=="), &live("u1")).unwrap();
        assert_eq!(
            Some(a.clone()),
            live_digest(&secret("Secret", "aHVudGVyMg=="), &live("u1"))
        );
        assert_ne!(
            Some(a.clone()),
            live_digest(&secret("Secret", "aHVudGVyMw=="), &live("u1"))
        );
        assert_ne!(
            Some(a.clone()),
            live_digest(&secret("Secret", "aHVudGVyMg=="), &live("u2"))
        );
        for plain in ["hunter2", "aHVudGVyMg=="] {
            assert!(!a.contains(&format!("{:x}", sha2::Sha256::digest(plain))));
        }
        assert_eq!(live_digest(&secret("ConfigMap", "x"), &live("u1")), None);
        assert_eq!(live_digest(&secret("Secret", "x"), &json!({})), None);
    }
}
