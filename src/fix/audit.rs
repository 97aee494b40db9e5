//! The audit log: every write `fix` makes appends one JSON line saying when, who (the
//! kubeconfig user), where (context and identity), from which Git commit, which fields, and
//! how it went. Field paths only: values, and so Secret values, never reach the log.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::drift::Identity;

/// One write.
#[derive(Debug, Clone, Serialize)]
pub struct AuditLine<'a> {
    pub time: DateTime<Utc>,
    pub user: Option<&'a str>,
    pub context: &'a str,
    #[serde(flatten)]
    pub identity: &'a Identity,
    pub commit: Option<&'a str>,
    pub fields: Vec<String>,
    /// `applied`, `created`, `conflict`, `changed-since-diff`, `forbidden` or `failed`.
    pub outcome: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<&'a str>,
}

/// The default place: `$XDG_STATE_HOME/kubectl-drift/audit.log`, else under `~/.local/state`
/// (`%LOCALAPPDATA%\kubectl-drift\audit.log` on Windows).
pub fn default_path() -> PathBuf {
    crate::dirs::state().join("audit.log")
}

/// Appends one line; the whole line is written with one call so lines never interleave.
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
    file.write_all(text.as_bytes())
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
