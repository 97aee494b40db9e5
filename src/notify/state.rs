//! When to alert: a small JSON file (or `watch`'s memory) remembers, per set of contexts
//! checked together and per channel, a fingerprint of the drift last alerted on, when that
//! was, and whether it was a drift alert. An unchanged drift is then not sent again until `every` has passed, and a
//! "resolved" message goes out once when it is gone.
//!
//! The file (`version` guards the format):
//!
//! ```text
//! {
//!   "version": 1,
//!   "scopes": {
//!     "production,staging|slack#9f2c1a0b": {  // the run's contexts, sorted; the channel
//!       "fingerprint": "sha256:9f2c…",    // the drift last alerted on; null once gone
//!       "last_alert": "2026-03-01T12:00:00Z",
//!       "last_alert_drift": true,         // false after a "resolved" message
//!       "failures": 1,                    // only after failed sends: how many in a row,
//!       "retry_at": "2026-03-01T12:05:30Z" // and when to try the channel again
//!     }
//!   }
//! }
//! ```
//!
//! Keying by the contexts lets separate runs for different clusters share one file.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::message::Alert;
use super::NotifyError;
use crate::check::extra::ALERT_STATE_LABEL;
use crate::report::{redact, Report};

const VERSION: u32 = 1;

/// The whole file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub version: u32,
    #[serde(default)]
    pub scopes: BTreeMap<String, Entry>,
}

impl Default for State {
    fn default() -> State {
        State {
            version: VERSION,
            scopes: BTreeMap::new(),
        }
    }
}

/// What was last alerted for one set of contexts (on one channel, for entries keyed with
/// [`channel_scope`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub fingerprint: Option<String>,
    pub last_alert: Option<DateTime<Utc>>,
    pub last_alert_drift: bool,
    /// Sends to the channel that failed in a row since its last delivery.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub failures: u32,
    /// After a failure: not before this time, so that a channel that is down is tried
    /// again with backoff, not every round.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_at: Option<DateTime<Utc>>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// The key of one channel's entry: the run's scope and the channel, named by its label and
/// a short hash of its whole address (two Slack webhooks are two channels; the hash does
/// not give the secret part of an address away).
pub fn channel_scope(scope: &str, channel: &super::Channel) -> String {
    let address = match channel {
        super::Channel::Slack(url) | super::Channel::Webhook(url) => url.as_str(),
        super::Channel::Email(address) => address.as_str(),
    };
    let digest = Sha256::digest(address.as_bytes());
    let short: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
    format!("{scope}|{}#{short}", channel.label())
}

/// How long a channel that failed `failures` times in a row waits before the next try:
/// 30 seconds, doubling, at most 30 minutes.
pub fn backoff(failures: u32) -> chrono::Duration {
    let seconds = 30u64.saturating_mul(1 << failures.saturating_sub(1).min(6));
    chrono::Duration::seconds(seconds.min(1800) as i64)
}

impl State {
    /// Remembers an alert that reached at least one channel.
    pub fn record(
        &mut self,
        scope: &str,
        alert: Alert,
        fingerprint: Option<String>,
        now: DateTime<Utc>,
    ) {
        let drift = alert == Alert::Drift;
        self.scopes.insert(
            scope.to_string(),
            Entry {
                fingerprint: if drift { fingerprint } else { None },
                last_alert: Some(now),
                last_alert_drift: drift,
                failures: 0,
                retry_at: None,
            },
        );
    }

    /// Remembers that the drift is gone, without a message, so that it alerts again if it
    /// comes back.
    pub fn forget(&mut self, scope: &str) {
        if let Some(entry) = self.scopes.get_mut(scope) {
            entry.fingerprint = None;
            entry.last_alert_drift = false;
            entry.failures = 0;
            entry.retry_at = None;
        }
    }

    /// Remembers a send to the channel that failed: the alert stays due, tried again after
    /// a backoff.
    pub fn failed(&mut self, key: &str, fallback: Option<&Entry>, now: DateTime<Utc>) {
        let entry = self.scopes.entry(key.to_string()).or_insert_with(|| {
            fallback.cloned().unwrap_or(Entry {
                fingerprint: None,
                last_alert: None,
                last_alert_drift: false,
                failures: 0,
                retry_at: None,
            })
        });
        entry.failures = entry.failures.saturating_add(1);
        entry.retry_at = Some(now + backoff(entry.failures));
    }

    /// A channel's entry, or, for a state written before entries were kept per channel, the
    /// run's.
    pub fn entry_for(&self, key: &str, scope: &str) -> Option<&Entry> {
        self.scopes.get(key).or_else(|| self.scopes.get(scope))
    }
}

/// What to do this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Nothing,
    Send(Alert),
    /// The drift alerted on is gone and no "resolved" message is wanted: update the state
    /// only.
    Forget,
}

/// Decides from what was last alerted (`previous`) and this run's drift fingerprint (`None`
/// when there is no drift).
pub fn decide(
    previous: Option<&Entry>,
    fingerprint: Option<&str>,
    has_errors: bool,
    every: Option<Duration>,
    on_resolve: bool,
    now: DateTime<Utc>,
) -> Decision {
    match (fingerprint, previous) {
        (Some(_), None) => Decision::Send(Alert::Drift),
        (Some(current), Some(entry)) => {
            let changed = entry.fingerprint.as_deref() != Some(current);
            let due = match (every, entry.last_alert) {
                (Some(every), Some(last)) => chrono::Duration::from_std(every)
                    .ok()
                    .and_then(|every| last.checked_add_signed(every))
                    .is_some_and(|next| now >= next),
                (Some(_), None) => true,
                (None, _) => false,
            };
            if changed || due {
                Decision::Send(Alert::Drift)
            } else {
                Decision::Nothing
            }
        }
        (None, Some(entry)) if entry.last_alert_drift || entry.fingerprint.is_some() => {
            // A context that could not be checked may still be drifted: not resolved yet.
            if has_errors {
                Decision::Nothing
            } else if on_resolve && entry.last_alert_drift {
                Decision::Send(Alert::Resolved)
            } else {
                Decision::Forget
            }
        }
        (None, _) => Decision::Nothing,
    }
}

/// The key of a run in the state file: its targets (for a context no target names, the
/// context), sorted; so that the CronJob's `in-cluster` and a laptop's alias of one target
/// share what was alerted.
pub fn scope(report: &Report) -> String {
    let name = |context: &str| -> String {
        report
            .contexts
            .iter()
            .find(|c| c.context == context)
            .and_then(|c| c.target.clone())
            .unwrap_or_else(|| context.to_string())
    };
    let mut contexts: Vec<String> = report
        .contexts
        .iter()
        .map(|c| name(&c.context))
        .chain(report.resources.iter().map(|r| name(&r.context)))
        .collect();
    contexts.sort_unstable();
    contexts.dedup();
    contexts.join(",")
}

/// A stable hash over the drifted resources, their statuses and field paths, and the live
/// values as the report shows them; `None` when nothing drifted. Order does not matter, and
/// neither do Git-side changes or a new commit: only what changed in the cluster. For
/// Secrets only paths and the keyed, slow digest of the values (`redact::live_digest`)
/// count, so that no plain hash of a value is stored.
pub fn fingerprint(report: &Report) -> Option<String> {
    let mut lines: Vec<String> = Vec::new();
    for r in report.resources.iter().filter(|r| r.status.is_drift()) {
        let id = &r.identity;
        let resource = format!(
            "{}\u{0}{}\u{0}{}\u{0}{}\u{0}{}\u{0}{}",
            r.context,
            id.group,
            id.kind,
            id.namespace.as_deref().unwrap_or(""),
            id.name,
            r.status
        );
        let secret = redact::is_secret(r);
        let mut fields: Vec<String> = r
            .fields
            .iter()
            .map(|f| {
                // A Secret's values count only through their keyed digest.
                let live = if secret {
                    r.live_digest.clone().unwrap_or_default()
                } else {
                    f.live.as_ref().map(canonical).unwrap_or_default()
                };
                format!("{}\u{0}{live}", f.path)
            })
            .collect();
        fields.sort_unstable();
        lines.push(format!("{resource}\u{1}{}", fields.join("\u{1}")));
    }
    if lines.is_empty() {
        return None;
    }
    lines.sort_unstable();
    let mut hash = Sha256::new();
    for line in &lines {
        hash.update(line.as_bytes());
        hash.update(b"\n");
    }
    let digest: String = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Some(format!("sha256:{digest}"))
}

/// JSON with map keys sorted, so that key order from the server does not change the hash.
fn canonical(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_unstable();
            let items: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{}:{}", Value::String(k.clone()), canonical(&map[k])))
                .collect();
            format!("{{{}}}", items.join(","))
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(canonical).collect();
            format!("[{}]", items.join(","))
        }
        other => other.to_string(),
    }
}

/// What is wrong with a state's text, and where, never what it holds: serde's messages
/// quote the values they reject.
fn fault(e: &serde_json::Error) -> String {
    let what = match e.classify() {
        serde_json::error::Category::Io => "unreadable",
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => "not JSON",
        serde_json::error::Category::Data => "not a kubectl-drift state",
    };
    format!("{what} (line {}, column {})", e.line(), e.column())
}

/// Reads the state; a missing file is an empty state.
pub fn load(path: &Path) -> Result<State, NotifyError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(State::default()),
        Err(source) => {
            return Err(NotifyError::StateRead {
                path: path.to_path_buf(),
                source,
            })
        }
    };
    let corrupt = |reason: String| NotifyError::StateCorrupt {
        path: path.to_path_buf(),
        reason,
    };
    let state: State = serde_json::from_str(&text).map_err(|e| corrupt(fault(&e)))?;
    if state.version != VERSION {
        return Err(corrupt(format!(
            "version {} is not the supported {VERSION}",
            state.version
        )));
    }
    Ok(state)
}

/// Writes the state through a temporary file in the same directory and a rename, so that a
/// crash or a concurrent reader never sees half a file.
pub fn save(path: &Path, state: &State) -> Result<(), NotifyError> {
    let failed = |source: std::io::Error| NotifyError::StateWrite {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(failed)?;
    let mut temp = tempfile::Builder::new()
        .prefix(".notify-state")
        .tempfile_in(dir)
        .map_err(failed)?;
    let mut text = serde_json::to_vec_pretty(state).map_err(|e| failed(e.into()))?;
    text.push(b'\n');
    temp.write_all(&text).map_err(failed)?;
    temp.as_file().sync_all().map_err(failed)?;
    temp.persist(path).map_err(|e| failed(e.error))?;
    Ok(())
}

/// `--state configmap/[NAMESPACE/]NAME`: where in a cluster the state is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigMapRef {
    /// `None`: the context's namespace (the pod's, in the cluster).
    pub namespace: Option<String>,
    pub name: String,
}

impl ConfigMapRef {
    /// `Some` when `text` names a ConfigMap, with an error for a bad name.
    pub fn parse(text: &str) -> Option<Result<ConfigMapRef, String>> {
        let rest = text.strip_prefix("configmap/")?;
        let parts: Vec<&str> = rest.split('/').collect();
        let (namespace, name) = match parts.as_slice() {
            [name] => (None, *name),
            [namespace, name] => (Some(*namespace), *name),
            _ => {
                return Some(Err(format!(
                    "{text:?} is not configmap/NAME or configmap/NAMESPACE/NAME"
                )))
            }
        };
        let valid = |n: &str| {
            !n.is_empty()
                && n.len() <= 253
                && n.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
                && n.starts_with(|c: char| c.is_ascii_alphanumeric())
                && n.ends_with(|c: char| c.is_ascii_alphanumeric())
        };
        if !valid(name) || namespace.is_some_and(|n| !valid(n)) {
            return Some(Err(format!(
                "{text:?} does not name a ConfigMap: lowercase letters, digits, '-' and '.'"
            )));
        }
        Some(Ok(ConfigMapRef {
            namespace: namespace.map(str::to_string),
            name: name.to_string(),
        }))
    }
}

/// The state kept in a ConfigMap (key `state.json`), read and written with the client of
/// one context.
#[derive(Debug)]
pub struct ConfigMapStore {
    cluster: crate::cluster::Cluster,
    namespace: String,
    name: String,
}

/// The key the state is kept under.
const CONFIGMAP_KEY: &str = crate::check::extra::ALERT_STATE_KEY;

impl ConfigMapStore {
    pub fn new(cluster: crate::cluster::Cluster, at: &ConfigMapRef) -> ConfigMapStore {
        let namespace = at
            .namespace
            .clone()
            .unwrap_or_else(|| cluster.default_namespace.clone());
        ConfigMapStore {
            cluster,
            namespace,
            name: at.name.clone(),
        }
    }

    fn error(&self, message: impl std::fmt::Display) -> NotifyError {
        NotifyError::StateConfigMap {
            name: format!("{}/{}", self.namespace, self.name),
            message: crate::report::terminal_text(&message.to_string()).into_owned(),
        }
    }

    fn api(&self) -> kube::Api<k8s_openapi::api::core::v1::ConfigMap> {
        kube::Api::namespaced(self.cluster.client.clone(), &self.namespace)
    }

    /// The state; a missing ConfigMap (or key) is an empty state.
    pub async fn load(&self) -> Result<State, NotifyError> {
        let found = self
            .cluster
            .deadline
            .bound(self.api().get_opt(&self.name))
            .await
            .map_err(|e| self.error(e))?;
        let Some(text) = found
            .and_then(|cm| cm.data)
            .and_then(|mut d| d.remove(CONFIGMAP_KEY))
        else {
            return Ok(State::default());
        };
        self.parse(&text)
    }

    /// The state in the ConfigMap's text; an error names the ConfigMap and where the text
    /// is wrong, never what it holds (serde's messages quote the values they reject).
    fn parse(&self, text: &str) -> Result<State, NotifyError> {
        let corrupt = |reason: String| NotifyError::StateConfigMapCorrupt {
            name: format!("{}/{}", self.namespace, self.name),
            reason,
        };
        let state: State = serde_json::from_str(text)
            .map_err(|e| corrupt(format!("{CONFIGMAP_KEY} is {}", fault(&e))))?;
        if state.version != VERSION {
            return Err(corrupt(format!(
                "{CONFIGMAP_KEY} has version {}, not the supported {VERSION}",
                state.version
            )));
        }
        Ok(state)
    }

    /// Writes the state with a server-side apply, as `kubectl-drift`.
    pub async fn save(&self, state: &State) -> Result<(), NotifyError> {
        let text = serde_json::to_string(state).map_err(|e| self.error(e))?;
        let body = serde_json::json!({
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": self.name,
                "namespace": self.namespace,
                "labels": {ALERT_STATE_LABEL.0: ALERT_STATE_LABEL.1},
            },
            "data": {CONFIGMAP_KEY: text},
        });
        let params = kube::api::PatchParams::apply(crate::settings::DEFAULT_FIELD_MANAGER).force();
        self.cluster
            .deadline
            .bound(
                self.api()
                    .patch(&self.name, &params, &kube::api::Patch::Apply(body)),
            )
            .await
            .map(|_| ())
            .map_err(|e| self.error(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drift::path::{FieldPath, Segment};
    use crate::drift::{FieldDrift, Identity, Status};
    use crate::report::ResourceReport;
    use serde_json::json;

    fn at(hour: u32) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(&format!("2026-03-01T{hour:02}:00:00Z"))
            .unwrap()
            .with_timezone(&Utc)
    }

    fn resource(kind: &str, live: Value) -> ResourceReport {
        ResourceReport {
            context: "prod".into(),
            identity: Identity {
                group: String::new(),
                version: "v1".into(),
                kind: kind.into(),
                namespace: Some("shop".into()),
                name: "web".into(),
            },
            status: Status::Drifted,
            origin: None,
            fields: vec![FieldDrift {
                rating: None,
                path: FieldPath(vec![Segment::Field("data".into())]),
                git: Some(json!("a")),
                live: Some(live),
                attribution: None,
            }],
            live_digest: None,
            ignored_fields: vec![],
            message: None,
            predicted_object: None,
            live_object: None,
        }
    }

    fn report(resources: Vec<ResourceReport>) -> Report {
        Report {
            resources,
            contexts: vec![],
        }
    }

    #[test]
    fn fingerprint_follows_live_values_but_not_key_order() {
        let a = fingerprint(&report(vec![resource(
            "ConfigMap",
            json!({"x": 1, "y": 2}),
        )]));
        let b = fingerprint(&report(vec![resource(
            "ConfigMap",
            json!({"y": 2, "x": 1}),
        )]));
        let c = fingerprint(&report(vec![resource(
            "ConfigMap",
            json!({"x": 1, "y": 3}),
        )]));
        assert!(a.is_some());
        assert_eq!(a, b);
        assert_ne!(a, c);
        // For Secrets, values do not count.
        let s1 = fingerprint(&report(vec![resource("Secret", json!("one"))]));
        let s2 = fingerprint(&report(vec![resource("Secret", json!("two"))]));
        assert_eq!(s1, s2);
        let mut clean = resource("ConfigMap", json!(1));
        clean.status = Status::InSync;
        assert_eq!(fingerprint(&report(vec![clean])), None);
    }

    #[test]
    fn decides() {
        let hour = Some(Duration::from_secs(3600));
        let sent = Entry {
            fingerprint: Some("f".into()),
            last_alert: Some(at(10)),
            last_alert_drift: true,
            failures: 0,
            retry_at: None,
        };
        let d = |prev, fp, errors, on_resolve, now| decide(prev, fp, errors, hour, on_resolve, now);
        assert_eq!(
            d(None, Some("f"), false, false, at(10)),
            Decision::Send(Alert::Drift)
        );
        assert_eq!(
            d(Some(&sent), Some("f"), false, false, at(10)),
            Decision::Nothing
        );
        assert_eq!(
            d(Some(&sent), Some("g"), false, false, at(10)),
            Decision::Send(Alert::Drift)
        );
        assert_eq!(
            d(Some(&sent), Some("f"), false, false, at(11)),
            Decision::Send(Alert::Drift)
        );
        assert_eq!(
            decide(Some(&sent), Some("f"), false, None, false, at(23)),
            Decision::Nothing
        );
        assert_eq!(
            d(Some(&sent), None, false, true, at(11)),
            Decision::Send(Alert::Resolved)
        );
        assert_eq!(d(Some(&sent), None, true, true, at(11)), Decision::Nothing);
        assert_eq!(d(Some(&sent), None, false, false, at(11)), Decision::Forget);
        let resolved = Entry {
            fingerprint: None,
            last_alert: Some(at(11)),
            last_alert_drift: false,
            failures: 0,
            retry_at: None,
        };
        assert_eq!(
            d(Some(&resolved), None, false, true, at(12)),
            Decision::Nothing
        );
        assert_eq!(d(None, None, false, true, at(12)), Decision::Nothing);
    }

    #[test]
    fn saves_atomically_and_rejects_corrupt_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/state.json");
        assert_eq!(load(&path).unwrap(), State::default());
        let mut state = State::default();
        state.record("prod", Alert::Drift, Some("sha256:1".into()), at(10));
        save(&path, &state).unwrap();
        assert_eq!(load(&path).unwrap(), state);
        // Only the state file is left, no temporary files.
        assert_eq!(
            std::fs::read_dir(path.parent().unwrap()).unwrap().count(),
            1
        );
        std::fs::write(&path, "{not json").unwrap();
        let err = load(&path).unwrap_err().to_string();
        assert!(
            err.contains("state.json") && err.contains("corrupt"),
            "{err}"
        );
        std::fs::write(&path, r#"{"version": 7, "scopes": {}}"#).unwrap();
        assert!(load(&path).unwrap_err().to_string().contains("version 7"));
        // What the file holds is never quoted back.
        std::fs::write(&path, r#"{"version": "hunter2", "scopes": {}}"#).unwrap();
        let err = load(&path).unwrap_err();
        assert!(err.is_unreadable_state());
        let err = err.to_string();
        assert!(
            err.contains("not a kubectl-drift state") && !err.contains("hunter2"),
            "{err}"
        );
    }
}
