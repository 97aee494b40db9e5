//! The audit log: before every write `fix` makes, an `intent` line, and after it one with
//! its outcome, each saying when, who (the user the server says we are, from a
//! SelfSubjectReview, with the kubeconfig user beside it), as which field manager, where
//! (context and identity), from which Git commit, which fields, and how it went. Each line
//! is on disk (fsynced) before `fix` goes on. Field paths only: values, and so Secret
//! values, never reach the log.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::drift::Identity;

/// One write.
#[derive(Debug, Clone, Serialize)]
pub struct AuditLine<'a> {
    pub time: DateTime<Utc>,
    /// The user the server authenticated (SelfSubjectReview); none when it would not say.
    pub user: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub groups: &'a [String],
    /// The kubeconfig's user name for the context.
    pub kubeconfig_user: Option<&'a str>,
    /// The field manager the write is made as.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manager: Option<&'a str>,
    pub context: &'a str,
    #[serde(flatten)]
    pub identity: &'a Identity,
    pub commit: Option<&'a str>,
    pub fields: Vec<String>,
    /// `intent` (before a write; the message is `apply`, `create` or `delete`), then
    /// `applied`, `created`, `deleted`, `conflict`, `changed-since-diff`,
    /// `changed-since-plan`, `forbidden`, `failed`, or `unknown` (no answer came: it may
    /// have landed), which a `read-back` line follows when the server answers again.
    pub outcome: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<&'a str>,
}

/// The default place: `$XDG_STATE_HOME/kubectl-drift/audit.log`, else under `~/.local/state`
/// (`%LOCALAPPDATA%\kubectl-drift\audit.log` on Windows).
pub fn default_path() -> PathBuf {
    crate::dirs::state().join("audit.log")
}

/// Appends one line and waits until it is on disk; the whole line is written with one call
/// so lines never interleave.
pub fn append(path: &Path, line: &AuditLine) -> std::io::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let mut text = serde_json::to_string(line).map_err(std::io::Error::other)?;
    text.push('\n');
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_data()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_json_and_append() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/audit.log");
        let identity = Identity {
            group: "apps".into(),
            version: "v1".into(),
            kind: "Deployment".into(),
            namespace: Some("shop".into()),
            name: "web".into(),
        };
        let line = AuditLine {
            time: Utc::now(),
            user: Some("admin"),
            groups: &[],
            kubeconfig_user: Some("admin"),
            manager: Some("pipeline"),
            context: "production",
            identity: &identity,
            commit: Some("abc"),
            fields: vec!["spec.replicas".into()],
            outcome: "applied",
            message: None,
        };
        append(&path, &line).unwrap();
        append(&path, &line).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["kind"], "Deployment");
        assert_eq!(lines[0]["fields"][0], "spec.replicas");
    }
}
