//! The JSON format, for scripts: one pretty-printed document holding every resource,
//! including the ones in sync, and the per-context summaries. No colors and no trailing
//! summary line, so that the output always parses.
//!
//! The document's shape:
//!
//! ```text
//! {
//!   "apiVersion": "kubectl-drift/v1",     // the shape's version: a new one only for a change
//!   "kind": "DriftReport",                // that is not an added key
//!   "at": "2026-11-25T10:00:00.000Z",     // when the report was made
//!   "resources": [
//!     {
//!       "context": "production",
//!       "group": "apps",                  // "" for the core group
//!       "version": "v1",
//!       "kind": "Deployment",
//!       "namespace": "shop",              // null for cluster-scoped objects
//!       "name": "web",
//!       "status": "Drifted",              // "InSync" | "Drifted" | "Missing" | "Extra" |
//!                                         // "Accepted" | "Ignored" | "Error"
//!       "severity": "low",                // the highest of the fields' ("critical" | "high" |
//!                                         // "medium" | "low" | "info"); for Missing and
//!                                         // Extra the resource's own; null otherwise
//!       "rule": "replicas",               // the rule that gave it, or null
//!       "origin": {"file": "deploy/web.yaml", "line": 1, "commit": "3f9c2a1…"},  // or null;
//!                                         // commit is null for plain files
//!       "fields": [
//!         {
//!           "path": "spec.replicas",      // as printed by the other formats
//!           "git": 3,                     // the JSON value, null when absent
//!           "live": 5,                    // the JSON value, null when absent
//!           "manager": "kubectl",         // who last wrote the field, or null
//!           "operation": "Update",        // "Apply" | "Update", or null
//!           "subresource": "scale",       // or null
//!           "time": "2026-03-01T10:00:00Z", // RFC 3339, or null
//!           "severity": "low",            // how much the field matters (see `severity`)
//!           "rule": "replicas"            // the built-in rule that said so
//!         }
//!       ],
//!       "ignored_fields": [               // drift hidden by ignore rules
//!         {"path": "spec.replicas", "reason": "the HPA scales it"}
//!       ],
//!       "message": null                   // why it could not be checked, or a note:
//!                                         // accepted or ignored by whom, an expired rule
//!     }
//!   ],
//!   "summary": [
//!     {"context": "production", "target": "production",  // the config's target, or null
//!      "cluster_uid": "5b1e2c3d-…",       // the kube-system namespace's UID, or null
//!      "in_sync": 1, "drifted": 2, "missing": 1, "accepted": 0, "ignored": 0,
//!      "ignored_field_count": 1, "extra": 0, "errors": 0, "skipped_files": 0,
//!      "commit": "3f9c2a1…", "read_only": false,
//!      "read_only_types": [],             // types compared by declared fields only
//!      "error": null, "warnings": []}
//!   ]
//! }
//! ```
//!
//! The alert webhook (`notify`) sends the same resource and summary objects.
//!
//! Secret values arrive here already hidden, as in every other format.

use std::io::{self, Write};

use chrono::SecondsFormat;
use serde::Serialize;
use serde_json::Value;

use crate::drift::FieldDrift;
use crate::drift::IgnoredField;
use crate::report::{ContextSummary, Report, ResourceReport, Style};
use crate::severity::{self, Severity};
use crate::source::Origin;

/// The version of the report's and the alert webhook's JSON documents; a change of shape
/// that is not an added key gives a new one.
pub const API_VERSION: &str = "kubectl-drift/v1";

#[derive(Serialize)]
struct Document<'a> {
    #[serde(rename = "apiVersion")]
    api_version: &'static str,
    kind: &'static str,
    /// When the report was made (RFC 3339, UTC).
    at: String,
    resources: Vec<Resource<'a>>,
    summary: &'a [ContextSummary],
}

#[derive(Serialize)]
struct Resource<'a> {
    context: &'a str,
    group: &'a str,
    version: &'a str,
    kind: &'a str,
    namespace: Option<&'a str>,
    name: &'a str,
    status: String,
    severity: Option<Severity>,
    rule: Option<&'static str>,
    origin: Option<&'a Origin>,
    fields: Vec<Field<'a>>,
    ignored_fields: &'a [IgnoredField],
    message: Option<&'a str>,
}

#[derive(Serialize)]
struct Field<'a> {
    path: String,
    git: Option<&'a Value>,
    live: Option<&'a Value>,
    manager: Option<&'a str>,
    operation: Option<&'a str>,
    subresource: Option<&'a str>,
    time: Option<String>,
    severity: Option<Severity>,
    rule: Option<&'static str>,
}

/// Writes the document; of `style` only the time is used: JSON has no colors nor a width.
pub fn render(report: &Report, style: &Style, out: &mut dyn Write) -> io::Result<()> {
    let document = Document {
        api_version: API_VERSION,
        kind: "DriftReport",
        at: style.now.to_rfc3339_opts(SecondsFormat::Millis, true),
        resources: report.resources.iter().map(resource).collect(),
        summary: &report.contexts,
    };
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}

/// One resource as the document has it, for documents built elsewhere from the same shape
/// (the alert webhook's).
pub fn resource_value(r: &ResourceReport) -> Value {
    serde_json::to_value(resource(r)).unwrap_or_default()
}

fn resource(r: &ResourceReport) -> Resource<'_> {
    let rating = severity::of_resource(r);
    Resource {
        context: &r.context,
        group: &r.identity.group,
        version: &r.identity.version,
        kind: &r.identity.kind,
        namespace: r.identity.namespace.as_deref(),
        name: &r.identity.name,
        status: r.status.to_string(),
        severity: rating.map(|r| r.severity),
        rule: rating.map(|r| r.rule),
        origin: r.origin.as_ref(),
        fields: r.fields.iter().map(field).collect(),
        ignored_fields: &r.ignored_fields,
        message: r.message.as_deref(),
    }
}

fn field(f: &FieldDrift) -> Field<'_> {
    let by = f.attribution.as_ref();
    Field {
        path: f.path.to_string(),
        git: f.git.as_ref(),
        live: f.live.as_ref(),
        manager: by.map(|a| a.manager.as_str()),
        operation: by.map(|a| a.operation.as_str()),
        subresource: by.and_then(|a| a.subresource.as_deref()),
        time: by
            .and_then(|a| a.time)
            .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)),
        severity: f.rating.map(|r| r.severity),
        rule: f.rating.map(|r| r.rule),
    }
}
