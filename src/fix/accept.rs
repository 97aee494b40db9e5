//! `kubectl drift accept`: records the drift a check found for the named resources as
//! intentional, each with its reason, expiry and who accepted it (the user the server
//! authenticates), in the accepted-drift file of the work tree. What it did comes back as
//! lines for the edge to print.

use std::path::Path;

use chrono::NaiveDate;

use crate::check::Checked;
use crate::report::{EXIT_ERROR, EXIT_IN_SYNC};

/// One line of what accepting did: for stdout (recorded, or nothing to accept) or stderr (why
/// not).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Said {
    Out(String),
    Err(String),
}

/// The lines, in order, and the exit code: 2 when anything could not be accepted or checked.
#[derive(Debug)]
pub struct Accepted {
    pub lines: Vec<Said>,
    pub code: i32,
}

/// Records every drifted (or already accepted) resource of `checked` in `file`.
pub async fn record_all(
    checked: &Checked,
    file: &Path,
    reason: &str,
    until: Option<NaiveDate>,
) -> Accepted {
    let mut code = if checked.report.has_errors() {
        EXIT_ERROR
    } else {
        EXIT_IN_SYNC
    };
    let mut lines = Vec::new();
    // Who accepts: the user the server authenticates (SelfSubjectReview), else the
    // kubeconfig's user name.
    let mut by_context = std::collections::HashMap::new();
    for cluster in &checked.clusters {
        let by = match crate::cluster::live::self_subject_review(cluster).await {
            Ok(user) => user.username,
            Err(_) => cluster.user.clone().unwrap_or_else(|| "unknown".into()),
        };
        by_context.insert(cluster.context.clone(), by);
    }
    let mut recorded = 0;
    for resource in &checked.report.resources {
        let name = format!(
            "{} {} ({})",
            resource.identity.kind,
            resource.identity.namespaced_name(),
            resource.context
        );
        match resource.status {
            crate::drift::Status::Drifted | crate::drift::Status::Accepted => {
                let by = by_context
                    .get(&resource.context)
                    .cloned()
                    .unwrap_or_else(|| "unknown".into());
                let target = checked
                    .report
                    .contexts
                    .iter()
                    .find(|c| c.context == resource.context)
                    .and_then(|c| c.target.as_deref());
                let result = crate::accepted::acceptance(resource, target, reason, until, &by)
                    .and_then(|record| crate::accepted::record(file, record));
                match result {
                    Ok(()) => {
                        recorded += 1;
                        lines.push(Said::Out(format!(
                            "accepted: {name}, {} field(s)",
                            resource.fields.len()
                        )));
                    }
                    Err(e) => {
                        lines.push(Said::Err(format!("error: {name}: {e}")));
                        code = EXIT_ERROR;
                    }
                }
            }
            crate::drift::Status::Missing => {
                lines.push(Said::Err(format!(
                    "error: {name} is missing live; only drift of existing objects can be accepted"
                )));
                code = EXIT_ERROR;
            }
            crate::drift::Status::Error => {
                lines.push(Said::Err(format!(
                    "error: {name}: {}",
                    resource.message.as_deref().unwrap_or("cannot be checked")
                )));
            }
            crate::drift::Status::InSync => {
                lines.push(Said::Out(format!("in sync, nothing to accept: {name}")))
            }
            crate::drift::Status::Ignored => {
                lines.push(Said::Out(format!("ignored, nothing to accept: {name}")))
            }
            crate::drift::Status::Extra => {
                lines.push(Said::Err(format!(
                    "error: {name} has no manifest in Git; add one, or delete the object"
                )));
                code = EXIT_ERROR;
            }
        }
    }
    for summary in checked.report.contexts.iter().filter(|c| c.error.is_some()) {
        lines.push(Said::Err(format!(
            "error: context {}: {}",
            summary.context,
            summary.error.as_deref().unwrap_or_default()
        )));
    }
    if recorded > 0 {
        lines.push(Said::Out(format!(
            "recorded in {}: review and commit it",
            file.display()
        )));
    }
    Accepted { lines, code }
}
