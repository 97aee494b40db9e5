//! Accepted drift: the record of a person's judgment that a resource's current drift is
//! intentional (a hotfix, say), with a reason and an optional expiry. Records live in a
//! YAML file in the repository (`.kubectl-drift/accepted.yaml`), to be reviewed and
//! committed like any other change. A fingerprint of the drifted fields' live values and
//! what Git said of those fields tie a record to the drift it was made for: a further change
//! on either side no longer matches it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::drift::Status;
use crate::report::{redact, ResourceReport};
use crate::source::Opened;

/// Where records go, relative to the repository root.
pub const DEFAULT_FILE: &str = ".kubectl-drift/accepted.yaml";

/// One accepted drift.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Acceptance {
    pub context: String,
    /// The config's target the context belongs to: the record then holds for any context
    /// of that target (a laptop's alias and the CronJob's `in-cluster` alike).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    pub group: String,
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub name: String,
    pub fields: Vec<String>,
    pub fingerprint: String,
    /// What Git said of each drifted field when the drift was accepted, as shown (Secret
    /// values hidden; absent as null): "5 while Git says 4" is not "5 while Git says 10".
    /// Records written without it are bound to the live values only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git: Option<BTreeMap<String, serde_json::Value>>,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
    pub by: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct AcceptedFile {
    #[serde(default)]
    accepted: Vec<Acceptance>,
}

/// What can go wrong with the file of records.
#[derive(Debug, thiserror::Error)]
pub enum AcceptError {
    #[error("cannot read {path}: {message}")]
    Read { path: PathBuf, message: String },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("a reason is required to accept drift")]
    NoReason,
}

/// Where records are written: `.kubectl-drift/accepted.yaml` (or the config's `accepted`)
/// under the repository's work tree, or the current folder for plain files. A URL
/// repository has no work tree: its records are read from the commit and written nowhere.
///
/// The root is resolved first (its own path may pass through symlinks the user made), so
/// that below it [`record`] and [`load_all`] can refuse any symlink: one committed in the
/// repository must not lead a write out of it.
pub fn location(opened: &Opened, configured: Option<&str>) -> Option<PathBuf> {
    opened.work_tree().map(|root| {
        std::fs::canonicalize(&root)
            .unwrap_or(root)
            .join(configured.unwrap_or(DEFAULT_FILE))
    })
}

/// Refuses `path` when it, or a folder on its way, is a symlink (or not a regular file):
/// the existing part of the path must resolve to itself. Only [`location`]'s paths, whose
/// root is already resolved, are used here.
fn check_no_symlinks(path: &Path) -> Result<(), String> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            return Err("it is a symlink; kubectl-drift follows no symlinks in a repository".into())
        }
        Ok(meta) if !meta.is_file() => return Err("not a regular file".into()),
        _ => {}
    }
    let Some(existing) = path.ancestors().skip(1).find(|p| p.exists()) else {
        return Ok(());
    };
    let existing = if existing.as_os_str().is_empty() {
        Path::new(".")
    } else {
        existing
    };
    match std::fs::canonicalize(existing) {
        Ok(real) if real == std::path::absolute(existing).unwrap_or_default() => Ok(()),
        Ok(real) => Err(format!(
            "{} leads to {} through a symlink; kubectl-drift follows no symlinks in a repository",
            existing.display(),
            real.display()
        )),
        Err(e) => Err(e.to_string()),
    }
}

/// Every record for a source: from the work tree's file, else from the commit's.
pub fn load_for(opened: &Opened, configured: Option<&str>) -> Result<Vec<Acceptance>, AcceptError> {
    if let Some(path) = location(opened, configured) {
        return load_all(&path);
    }
    let name = configured.unwrap_or(DEFAULT_FILE);
    match opened.repo_file(name) {
        Ok(Some((file, bytes))) => {
            let read_error = |e: crate::yaml::Error| AcceptError::Read {
                path: PathBuf::from(&file),
                message: parse_message(&e),
            };
            let text = crate::yaml::decode(&bytes).map_err(read_error)?;
            let file_records: AcceptedFile = crate::yaml::from_str(&text).map_err(read_error)?;
            Ok(file_records.accepted)
        }
        Ok(None) => Ok(Vec::new()),
        Err(e) => Err(AcceptError::Read {
            path: PathBuf::from(name),
            message: e.to_string(),
        }),
    }
}

/// Marks drifted resources whose drift is accepted, and says why a record no longer holds.
pub fn apply(
    resources: &mut [ResourceReport],
    records: &[Acceptance],
    targets: &std::collections::BTreeMap<String, String>,
    today: NaiveDate,
) {
    for resource in resources.iter_mut().filter(|r| r.status == Status::Drifted) {
        let target = targets.get(&resource.context);
        let Some(record) = records.iter().find(|a| {
            (a.context == resource.context || (a.target.is_some() && a.target.as_ref() == target))
                && a.group == resource.identity.group
                && a.kind == resource.identity.kind
                && a.namespace == resource.identity.namespace
                && a.name == resource.identity.name
        }) else {
            continue;
        };
        if record.until.is_some_and(|until| until < today) {
            resource.message = Some(format!(
                "accepted drift expired on {} ({})",
                record.until.unwrap_or(today),
                record.reason
            ));
        } else if let Some(said) = record
            .git
            .as_ref()
            .filter(|said| **said != git_side(resource))
        {
            resource.message = Some(format!(
                "accepted while Git said {}; Git now says {} ({}: {})",
                describe(said),
                describe(&git_side(resource)),
                record.by,
                record.reason
            ));
        } else if record.fingerprint != fingerprint(resource) {
            resource.message = Some(format!(
                "drift changed since {} accepted it ({})",
                record.by, record.reason
            ));
        } else {
            resource.status = Status::Accepted;
            let until = record
                .until
                .map(|u| format!(", until {u}"))
                .unwrap_or_default();
            resource.message = Some(format!(
                "accepted by {} on {}{until}: {}",
                record.by,
                record.at.format("%Y-%m-%d"),
                record.reason
            ));
        }
    }
}

/// A digest of the drifted fields and their live values as shown, Secret values hidden
/// whatever `--show-secrets` says, so that a record never depends on how it was displayed;
/// for a Secret, its keyed digest of the values (`redact::live_digest`) instead.
pub fn fingerprint(report: &ResourceReport) -> String {
    let mut shown = report.clone();
    redact::redact(&mut shown);
    let fields: Vec<(String, &Option<serde_json::Value>)> = shown
        .fields
        .iter()
        .map(|f| (f.path.to_string(), &f.live))
        .collect();
    let mut canonical = serde_json::to_string(&fields).unwrap_or_default();
    // A Secret's values are hidden above; their keyed digest tells a further change.
    if let Some(digest) = &report.live_digest {
        canonical.push_str(digest);
    }
    format!("sha256:{:x}", Sha256::digest(canonical.as_bytes()))
}

/// What Git says of each drifted field, as shown: Secret values hidden whatever
/// `--show-secrets` says.
pub fn git_side(report: &ResourceReport) -> BTreeMap<String, serde_json::Value> {
    let mut shown = report.clone();
    redact::redact(&mut shown);
    shown
        .fields
        .into_iter()
        .map(|f| (f.path.to_string(), f.git.unwrap_or(serde_json::Value::Null)))
        .collect()
}

/// `spec.replicas: 4, spec.paused: (absent)`, a few fields at most.
fn describe(side: &BTreeMap<String, serde_json::Value>) -> String {
    const SHOWN: usize = 3;
    let mut parts: Vec<String> = side
        .iter()
        .take(SHOWN)
        .map(|(path, value)| match value {
            serde_json::Value::Null => format!("{path}: (absent)"),
            value => format!("{path}: {value}"),
        })
        .collect();
    if side.len() > SHOWN {
        parts.push(format!("and {} more", side.len() - SHOWN));
    }
    if parts.is_empty() {
        "nothing".into()
    } else {
        parts.join(", ")
    }
}

/// A record for the report's current drift.
pub fn acceptance(
    report: &ResourceReport,
    target: Option<&str>,
    reason: &str,
    until: Option<NaiveDate>,
    by: &str,
) -> Result<Acceptance, AcceptError> {
    if reason.trim().is_empty() {
        return Err(AcceptError::NoReason);
    }
    Ok(Acceptance {
        context: report.context.clone(),
        target: target.map(str::to_string),
        group: report.identity.group.clone(),
        kind: report.identity.kind.clone(),
        namespace: report.identity.namespace.clone(),
        name: report.identity.name.clone(),
        fields: report.fields.iter().map(|f| f.path.to_string()).collect(),
        fingerprint: fingerprint(report),
        git: Some(git_side(report)),
        reason: reason.trim().to_string(),
        until,
        by: by.to_string(),
        at: Utc::now(),
    })
}

/// Adds a record, replacing an older one for the same resource. The file is written to a
/// temporary file first and renamed, so a crash never leaves it half-written.
pub fn record(path: &Path, acceptance: Acceptance) -> Result<(), AcceptError> {
    let mut file = load(path)?;
    file.accepted.retain(|a| {
        let same_place = a.context == acceptance.context
            || (a.target.is_some() && a.target == acceptance.target);
        !(same_place
            && (&a.group, &a.kind, &a.namespace, &a.name)
                == (
                    &acceptance.group,
                    &acceptance.kind,
                    &acceptance.namespace,
                    &acceptance.name,
                ))
    });
    file.accepted.push(acceptance);
    let text = format!(
        "# Drift accepted as intentional with kubectl drift. Review and commit this file.\n{}",
        crate::yaml::to_string(&file).unwrap_or_default()
    );
    let write_error = |source| AcceptError::Write {
        path: path.to_path_buf(),
        source,
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(write_error)?;
    }
    // Checked again once the folders exist: none of them may be a symlink.
    check_no_symlinks(path).map_err(|message| AcceptError::Read {
        path: path.to_path_buf(),
        message,
    })?;
    let temp = path.with_extension("yaml.tmp");
    // A fresh file: never written through whatever was left under the temporary name.
    match std::fs::remove_file(&temp) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(write_error(e)),
        _ => {}
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp)
        .map_err(write_error)?;
    std::io::Write::write_all(&mut file, text.as_bytes()).map_err(write_error)?;
    std::fs::rename(&temp, path).map_err(write_error)
}

/// A parse error's position and kind, never the file's contents.
fn parse_message(e: &crate::yaml::Error) -> String {
    let message = crate::yaml::redact_message(&e.kind.to_string());
    format!("line {}, column {}: {message}", e.line, e.column)
}

/// Every record in the file; none when it does not exist.
pub fn load_all(path: &Path) -> Result<Vec<Acceptance>, AcceptError> {
    Ok(load(path)?.accepted)
}

fn load(path: &Path) -> Result<AcceptedFile, AcceptError> {
    check_no_symlinks(path).map_err(|message| AcceptError::Read {
        path: path.to_path_buf(),
        message,
    })?;
    match std::fs::read_to_string(path) {
        Ok(text) => crate::yaml::from_str(&text).map_err(|e| AcceptError::Read {
            path: path.to_path_buf(),
            message: parse_message(&e),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(AcceptedFile::default()),
        Err(e) => Err(AcceptError::Read {
            path: path.to_path_buf(),
            message: e.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drift::path::Segment;
    use crate::drift::{FieldDrift, FieldPath, Identity};

    fn drifted(live: i64) -> ResourceReport {
        ResourceReport {
            context: "production".into(),
            identity: Identity {
                group: "apps".into(),
                version: "v1".into(),
                kind: "Deployment".into(),
                namespace: Some("shop".into()),
                name: "web".into(),
            },
            status: Status::Drifted,
            origin: None,
            live_digest: None,
            ignored_fields: Vec::new(),
            fields: vec![FieldDrift {
                rating: None,
                path: FieldPath(vec![
                    Segment::Field("spec".into()),
                    Segment::Field("replicas".into()),
                ]),
                git: Some(3.into()),
                live: Some(live.into()),
                attribution: None,
            }],
            message: None,
            predicted_object: None,
            live_object: None,
        }
    }

    #[test]
    fn records_hold_until_the_drift_changes_or_expires() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DEFAULT_FILE);
        let record = acceptance(
            &drifted(5),
            Some("prod"),
            "load test",
            NaiveDate::from_ymd_opt(2026, 12, 1),
            "admin",
        )
        .unwrap();
        super::record(&path, record).unwrap();
        let records = load_all(&path).unwrap();
        assert_eq!(records.len(), 1);
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();

        let mut same = vec![drifted(5)];
        super::apply(&mut same, &records, &Default::default(), today);
        assert_eq!(same[0].status, Status::Accepted);
        assert!(same[0].message.as_deref().unwrap().contains("load test"));

        let mut changed = vec![drifted(6)];
        super::apply(&mut changed, &records, &Default::default(), today);
        assert_eq!(changed[0].status, Status::Drifted);

        let mut late = vec![drifted(5)];
        super::apply(
            &mut late,
            &records,
            &Default::default(),
            NaiveDate::from_ymd_opt(2026, 12, 2).unwrap(),
        );
        assert_eq!(late[0].status, Status::Drifted);
        assert!(late[0].message.as_deref().unwrap().contains("expired"));
        assert!(acceptance(&drifted(5), None, " ", None, "x").is_err());

        // Another context of the same target: the record holds there too.
        let mut elsewhere = vec![drifted(5)];
        elsewhere[0].context = "in-cluster".into();
        super::apply(&mut elsewhere, &records, &Default::default(), today);
        assert_eq!(elsewhere[0].status, Status::Drifted, "not the same context");
        let targets = [("in-cluster".to_string(), "prod".to_string())].into();
        super::apply(&mut elsewhere, &records, &targets, today);
        assert_eq!(elsewhere[0].status, Status::Accepted);
    }

    #[test]
    fn a_record_holds_only_while_git_says_what_it_said() {
        let record = acceptance(&drifted(5), None, "load test", None, "admin").unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let mut moved = vec![drifted(5)];
        moved[0].fields[0].git = Some(10.into());
        super::apply(
            &mut moved,
            std::slice::from_ref(&record),
            &Default::default(),
            today,
        );
        assert_eq!(moved[0].status, Status::Drifted);
        let message = moved[0].message.as_deref().unwrap();
        assert!(
            message.starts_with(
                "accepted while Git said spec.replicas: 3; Git now says spec.replicas: 10"
            ),
            "{message}"
        );
        // A record written before Git's side was kept is bound to the live values alone.
        let old = Acceptance {
            git: None,
            ..record
        };
        super::apply(&mut moved, &[old], &Default::default(), today);
        assert_eq!(moved[0].status, Status::Accepted);
    }
}
