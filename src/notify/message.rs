//! Alert messages, built from a report without any I/O: a Slack Block Kit payload, a JSON
//! document for generic webhooks, and an email subject and plain-text body. All three say
//! the same thing: per context its counts and Git commit, then the drifted resources
//! (Drifted, Missing, Extra) with their fields and who last wrote them.
//!
//! Sizes are bounded (a few resources per context and fields per resource in Slack, more
//! in email and the webhook), ending in "… and K more". Secret values never appear: the
//! report has them hidden already, and for Secrets the messages show field paths only,
//! never a value nor the resource's note.
//!
//! The webhook document (`POST`, `Content-Type: application/json`):
//!
//! ```text
//! {
//!   "kind": "kubectl-drift/alert",
//!   "version": 1,
//!   "state": "drift",                     // "drift" | "resolved"
//!   "at": "2026-03-01T12:00:00Z",         // when the check ran, RFC 3339
//!   "summary": "3 drifted, 1 missing in production",
//!   "contexts": [
//!     {
//!       "context": "production",          // the kubeconfig context
//!       "target": "production",           // the config's target, or null
//!       "commit": "3f9c2a1e…",            // the Git commit compared, or null
//!       "error": null,                    // why the context could not be checked
//!       "counts": {"drifted": 3, "missing": 1, "extra": 0, "in_sync": 42,
//!                  "accepted": 0, "ignored": 0, "ignored_fields": 1, "errors": 0,
//!                  "skipped_files": 0},
//!       "resources": [                    // drifted, missing and extra ones; [] when resolved
//!         {
//!           "group": "apps",              // "" for the core group
//!           "version": "v1",
//!           "kind": "Deployment",
//!           "namespace": "shop",          // null for cluster-scoped objects
//!           "name": "web",
//!           "status": "Drifted",          // "Drifted" | "Missing" | "Extra"
//!           "file": "deploy/web.yaml",    // where the manifest is, or null
//!           "line": 1,                    // or null
//!           "fields": [
//!             {
//!               "path": "spec.replicas",
//!               "git": 3,                 // JSON values, null when absent on that side;
//!               "live": 5,                // both keys left out for Secrets and for
//!                                         // values over 1 KiB
//!               "manager": "kubectl",     // who last wrote the field, or null
//!               "operation": "Update",    // "Apply" | "Update", or null
//!               "subresource": "scale",   // or null
//!               "time": "2026-03-01T10:00:00Z"  // or null
//!             }
//!           ],
//!           "more_fields": 0,             // fields left out (at most 20 are listed)
//!           "message": null               // a note on the resource; null for Secrets
//!         }
//!       ],
//!       "more_resources": 0               // resources left out (at most 100 are listed)
//!     }
//!   ]
//! }
//! ```
//!
//! The Slack payload: `{"text": <the subject, for notifications>, "blocks": [header,
//! one mrkdwn section per context, context block with the Git commit and time]}`.

use std::borrow::Cow;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Map, Value};

use crate::drift::FieldDrift;
use crate::drift::Status;
use crate::report::{redact, truncate, value_text, ContextSummary, Report, ResourceReport};
use crate::source::short_commit;

/// Which message: drift found, or drift alerted on before is gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alert {
    Drift,
    Resolved,
}

/// How much of the drift one message shows.
#[derive(Debug, Clone, Copy)]
struct Limits {
    resources: usize,
    fields: usize,
    value_chars: usize,
}

/// Slack shows a message in a narrow column, and a section holds at most 3000 characters.
const SLACK: Limits = Limits {
    resources: 10,
    fields: 3,
    value_chars: 60,
};
const EMAIL: Limits = Limits {
    resources: 50,
    fields: 10,
    value_chars: 200,
};
const WEBHOOK: Limits = Limits {
    resources: 100,
    fields: 20,
    value_chars: 1024,
};
/// Slack allows 50 blocks; a header and a footer take two.
const SLACK_CONTEXTS: usize = 40;
/// Slack's limit per text object is 3000; this leaves room for the "… and K more" line.
const SLACK_SECTION_CHARS: usize = 2800;
/// Slack's limit for a header.
const SLACK_HEADER_CHARS: usize = 150;
/// Free text (context errors, resource notes) is cut to this.
const NOTE_CHARS: usize = 300;

/// One context and its drifted resources.
struct View<'a> {
    summary: Cow<'a, ContextSummary>,
    drift: Vec<&'a ResourceReport>,
}

/// The contexts in report order, with resources of a context the summaries lack added.
fn views(report: &Report) -> Vec<View<'_>> {
    let mut views: Vec<View> = report
        .contexts
        .iter()
        .map(|c| View {
            summary: Cow::Borrowed(c),
            drift: Vec::new(),
        })
        .collect();
    for r in &report.resources {
        if !views.iter().any(|v| v.summary.context == r.context) {
            let mut summary = ContextSummary {
                context: r.context.clone(),
                ..ContextSummary::default()
            };
            summary.count(&report.resources);
            views.push(View {
                summary: Cow::Owned(summary),
                drift: Vec::new(),
            });
        }
        if r.status.is_drift() {
            if let Some(view) = views.iter_mut().find(|v| v.summary.context == r.context) {
                view.drift.push(r);
            }
        }
    }
    views
}

/// `3 drifted, 1 missing in production` or `drift resolved in production and staging`.
fn headline(views: &[View], alert: Alert) -> String {
    match alert {
        Alert::Drift => {
            let drift: Vec<&ResourceReport> =
                views.iter().flat_map(|v| v.drift.iter().copied()).collect();
            let counts: Vec<String> = [
                (Status::Drifted, "drifted"),
                (Status::Missing, "missing"),
                (Status::Extra, "extra"),
            ]
            .into_iter()
            .filter_map(|(status, word)| {
                let n = drift.iter().filter(|r| r.status == status).count();
                (n > 0).then(|| format!("{n} {word}"))
            })
            .collect();
            let places: Vec<&str> = views
                .iter()
                .filter(|v| !v.drift.is_empty())
                .map(|v| v.summary.context.as_str())
                .collect();
            format!("{} in {}", counts.join(", "), places_text(&places))
        }
        Alert::Resolved => {
            let places: Vec<&str> = views.iter().map(|v| v.summary.context.as_str()).collect();
            format!("drift resolved in {}", places_text(&places))
        }
    }
}

fn places_text(places: &[&str]) -> String {
    match places {
        [] => "no context".to_string(),
        [one] => one.to_string(),
        [a, b] => format!("{a} and {b}"),
        many => format!("{} contexts", many.len()),
    }
}

/// The email subject, also Slack's notification text: `kubectl-drift: 3 drifted, 1
/// missing in production`.
pub fn subject(report: &Report, alert: Alert) -> String {
    format!("kubectl-drift: {}", headline(&views(report), alert))
}

fn time_text(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// A value on one line, cut to `chars` columns.
fn value_line(value: Option<&serde_json::Value>, chars: usize) -> String {
    truncate(&value_text(value).replace('\n', "\\n"), chars)
}

/// `spec.replicas: 3 → 5`, or for a Secret only `data.password (value hidden)`.
fn field_text(field: &FieldDrift, secret: bool, chars: usize) -> String {
    if secret {
        format!("{} (value hidden)", field.path)
    } else {
        format!(
            "{}: {} → {}",
            field.path,
            value_line(field.git.as_ref(), chars),
            value_line(field.live.as_ref(), chars)
        )
    }
}

/// `kubectl (scale) · Update · 2026-03-01 10:00 UTC`: an absolute time, since a message
/// is read long after it was sent.
fn by_text(field: &FieldDrift) -> String {
    crate::report::attribution_with(field, time_text)
}

fn resource_name(r: &ResourceReport) -> String {
    format!("{} {}", r.identity.kind, r.identity.namespaced_name())
}

/// A resource's note, never a Secret's: an error text could quote its data.
fn note(r: &ResourceReport) -> Option<String> {
    if redact::is_secret(r) {
        return None;
    }
    r.message
        .as_deref()
        .map(|m| truncate(&m.replace('\n', " "), NOTE_CHARS))
}

fn more(n: usize, what: &str) -> String {
    format!("… and {n} more {what}")
}

/// The context's summary line, with its error cut short.
fn summary_line(summary: &ContextSummary) -> String {
    let mut summary = summary.clone();
    if let Some(error) = &summary.error {
        summary.error = Some(truncate(&error.replace('\n', " "), NOTE_CHARS));
    }
    summary.line()
}

// ---------------------------------------------------------------------------------------
// Slack

/// Slack's mrkdwn treats these three as markup.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Text inside backticks: a backtick would end the code span.
fn code(text: &str) -> String {
    format!("`{}`", escape(&text.replace('`', "'")))
}

/// The Block Kit payload for a Slack incoming webhook.
pub fn slack(report: &Report, alert: Alert, now: DateTime<Utc>) -> Value {
    let views = views(report);
    let subject = format!("kubectl-drift: {}", headline(&views, alert));
    let mut blocks = vec![json!({
        "type": "header",
        "text": {"type": "plain_text", "text": truncate(&subject, SLACK_HEADER_CHARS), "emoji": false},
    })];
    for view in views.iter().take(SLACK_CONTEXTS) {
        blocks.push(json!({
            "type": "section",
            "text": {"type": "mrkdwn", "text": slack_section(view, alert)},
        }));
    }
    if views.len() > SLACK_CONTEXTS {
        blocks.push(json!({
            "type": "section",
            "text": {"type": "mrkdwn", "text": more(views.len() - SLACK_CONTEXTS, "contexts")},
        }));
    }
    let mut footer = Vec::new();
    if let Some(commits) = commits_text(&views) {
        footer.push(commits);
    }
    footer.push(escape(&time_text(now)));
    footer.push("kubectl-drift".to_string());
    blocks.push(json!({
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": footer.join(" · ")}],
    }));
    json!({"text": subject, "blocks": blocks})
}

/// `Git `3f9c2a1``, or per context when the contexts compared different commits.
fn commits_text(views: &[View]) -> Option<String> {
    let with: Vec<(&str, &str)> = views
        .iter()
        .filter_map(|v| {
            v.summary
                .commit
                .as_deref()
                .map(|c| (v.summary.context.as_str(), short_commit(c)))
        })
        .collect();
    let first = with.first()?.1;
    if with.iter().all(|(_, c)| *c == first) {
        return Some(format!("Git {}", code(first)));
    }
    let mut parts: Vec<String> = with
        .iter()
        .take(10)
        .map(|(context, commit)| format!("{} @ {}", escape(context), code(commit)))
        .collect();
    if with.len() > 10 {
        parts.push(more(with.len() - 10, "contexts"));
    }
    Some(format!("Git {}", parts.join(", ")))
}

fn slack_section(view: &View, alert: Alert) -> String {
    let line = summary_line(&view.summary);
    // The context name in bold, the counts after it.
    let rest = line
        .strip_prefix(&view.summary.context)
        .unwrap_or(&line)
        .to_string();
    let mut text = format!("*{}*{}", escape(&view.summary.context), escape(&rest));
    if let Some(target) = view
        .summary
        .target
        .as_deref()
        .filter(|t| *t != view.summary.context)
    {
        text.push_str(&format!(" · target {}", escape(target)));
    }
    if alert == Alert::Resolved {
        return text;
    }
    let mut shown = 0;
    for r in view.drift.iter().take(SLACK.resources) {
        let chunk = slack_resource(r);
        if text.len() + chunk.len() > SLACK_SECTION_CHARS {
            break;
        }
        text.push_str(&chunk);
        shown += 1;
    }
    if view.drift.len() > shown {
        text.push('\n');
        text.push_str(&more(view.drift.len() - shown, "resources"));
    }
    text
}

fn slack_resource(r: &ResourceReport) -> String {
    let secret = redact::is_secret(r);
    let mut text = format!("\n• {} {}", code(&resource_name(r)), r.status);
    for field in r.fields.iter().take(SLACK.fields) {
        let line = field_text(field, secret, SLACK.value_chars);
        text.push_str(&format!(
            "\n      {} — {}",
            code(&line),
            escape(&by_text(field))
        ));
    }
    if r.fields.len() > SLACK.fields {
        text.push_str(&format!(
            "\n      {}",
            more(r.fields.len() - SLACK.fields, "fields")
        ));
    }
    if let Some(note) = note(r) {
        text.push_str(&format!("\n      _{}_", escape(&note)));
    }
    text
}

// ---------------------------------------------------------------------------------------
// Webhook

/// The webhook document described at the top of this module.
pub fn webhook(report: &Report, alert: Alert, now: DateTime<Utc>) -> Value {
    let views = views(report);
    let contexts: Vec<Value> = views
        .iter()
        .map(|v| {
            let s = &v.summary;
            let resources: Vec<Value> = match alert {
                Alert::Drift => v
                    .drift
                    .iter()
                    .take(WEBHOOK.resources)
                    .map(|r| webhook_resource(r))
                    .collect(),
                Alert::Resolved => Vec::new(),
            };
            let more_resources = match alert {
                Alert::Drift => v.drift.len() - resources.len(),
                Alert::Resolved => 0,
            };
            json!({
                "context": s.context,
                "target": s.target,
                "commit": s.commit,
                "error": s.error,
                "counts": {
                    "drifted": s.drifted, "missing": s.missing, "extra": s.extra,
                    "in_sync": s.in_sync, "accepted": s.accepted, "ignored": s.ignored,
                    "ignored_fields": s.ignored_fields, "errors": s.errors,
                    "skipped_files": s.skipped_files,
                },
                "resources": resources,
                "more_resources": more_resources,
            })
        })
        .collect();
    json!({
        "kind": "kubectl-drift/alert",
        "version": 1,
        "state": match alert { Alert::Drift => "drift", Alert::Resolved => "resolved" },
        "at": now.to_rfc3339_opts(SecondsFormat::Secs, true),
        "summary": headline(&views, alert),
        "contexts": contexts,
    })
}

fn webhook_resource(r: &ResourceReport) -> Value {
    let secret = redact::is_secret(r);
    let fields: Vec<Value> = r
        .fields
        .iter()
        .take(WEBHOOK.fields)
        .map(|f| {
            let by = f.attribution.as_ref();
            let mut field = Map::new();
            field.insert("path".into(), json!(f.path.to_string()));
            let small = |v: &Option<Value>| {
                v.as_ref()
                    .is_none_or(|v| v.to_string().len() <= WEBHOOK.value_chars)
            };
            if !secret && small(&f.git) && small(&f.live) {
                field.insert("git".into(), json!(f.git));
                field.insert("live".into(), json!(f.live));
            }
            field.insert("manager".into(), json!(by.map(|a| &a.manager)));
            field.insert("operation".into(), json!(by.map(|a| &a.operation)));
            field.insert(
                "subresource".into(),
                json!(by.and_then(|a| a.subresource.as_ref())),
            );
            field.insert(
                "time".into(),
                json!(by
                    .and_then(|a| a.time)
                    .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))),
            );
            Value::Object(field)
        })
        .collect();
    json!({
        "group": r.identity.group,
        "version": r.identity.version,
        "kind": r.identity.kind,
        "namespace": r.identity.namespace,
        "name": r.identity.name,
        "status": r.status.to_string(),
        "file": r.origin.as_ref().map(|o| &o.file),
        "line": r.origin.as_ref().map(|o| o.line),
        "fields": fields,
        "more_fields": r.fields.len() - fields.len(),
        "message": note(r),
    })
}

// ---------------------------------------------------------------------------------------
// Email

/// The plain-text email body.
pub fn email_body(report: &Report, alert: Alert, now: DateTime<Utc>) -> String {
    let views = views(report);
    let mut out = match alert {
        Alert::Drift => format!(
            "kubectl-drift found drift at {}: {}.\n",
            time_text(now),
            headline(&views, alert)
        ),
        Alert::Resolved => format!(
            "The drift kubectl-drift reported before is gone, as of {}.\n",
            time_text(now)
        ),
    };
    for view in &views {
        let s = &view.summary;
        out.push('\n');
        out.push_str(&summary_line(s));
        out.push('\n');
        let mut about = vec![format!("context {}", s.context)];
        if let Some(target) = &s.target {
            about.push(format!("target {target}"));
        }
        if let Some(commit) = &s.commit {
            about.push(format!("commit {commit}"));
        }
        out.push_str(&format!("  {}\n", about.join(" · ")));
        if alert == Alert::Resolved {
            continue;
        }
        for r in view.drift.iter().take(EMAIL.resources) {
            email_resource(r, &mut out);
        }
        if view.drift.len() > EMAIL.resources {
            out.push_str(&format!(
                "\n  {}\n",
                more(view.drift.len() - EMAIL.resources, "resources")
            ));
        }
    }
    out.push_str("\n-- \nkubectl-drift\n");
    out
}

fn email_resource(r: &ResourceReport, out: &mut String) {
    let secret = redact::is_secret(r);
    out.push_str(&format!("\n  {}: {}", resource_name(r), r.status));
    if let Some(origin) = &r.origin {
        out.push_str(&format!(" ({}:{})", origin.file, origin.line));
    }
    out.push('\n');
    for field in r.fields.iter().take(EMAIL.fields) {
        out.push_str(&format!(
            "    {}\n      by {}\n",
            field_text(field, secret, EMAIL.value_chars),
            by_text(field)
        ));
    }
    if r.fields.len() > EMAIL.fields {
        out.push_str(&format!(
            "    {}\n",
            more(r.fields.len() - EMAIL.fields, "fields")
        ));
    }
    if let Some(note) = note(r) {
        out.push_str(&format!("    note: {note}\n"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drift::path::{FieldPath, Segment};
    use crate::drift::{Attribution, Identity};

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn field(path: &str, git: Value, live: Value) -> FieldDrift {
        FieldDrift {
            path: FieldPath(path.split('.').map(|s| Segment::Field(s.into())).collect()),
            git: Some(git),
            live: Some(live),
            attribution: Some(Attribution {
                manager: "kubectl".into(),
                operation: "Update".into(),
                time: Some(now()),
                subresource: None,
            }),
        }
    }

    fn resource(kind: &str, name: &str, fields: Vec<FieldDrift>) -> ResourceReport {
        ResourceReport {
            context: "prod".into(),
            identity: Identity {
                group: String::new(),
                version: "v1".into(),
                kind: kind.into(),
                namespace: Some("shop".into()),
                name: name.into(),
            },
            status: Status::Drifted,
            origin: None,
            fields,
            live_digest: None,
            ignored_fields: vec![],
            message: Some("note with hunter2".into()),
            git_object: None,
            live_object: None,
        }
    }

    fn report(resources: Vec<ResourceReport>) -> Report {
        let mut summary = ContextSummary {
            context: "prod".into(),
            commit: Some("3f9c2a1e8b7d6c5f4a3b2c1d0e9f8a7b6c5d4e3f".into()),
            ..ContextSummary::default()
        };
        summary.count(&resources);
        Report {
            resources,
            contexts: vec![summary],
        }
    }

    #[test]
    fn secrets_show_paths_only() {
        // A field outside `data` is not redacted by the report, and must still not show.
        let r = report(vec![resource(
            "Secret",
            "db",
            vec![field(
                "metadata.annotations.last",
                json!("hunter2"),
                json!("hunter3"),
            )],
        )]);
        for text in [
            slack(&r, Alert::Drift, now()).to_string(),
            webhook(&r, Alert::Drift, now()).to_string(),
            email_body(&r, Alert::Drift, now()),
        ] {
            assert!(!text.contains("hunter"), "{text}");
            assert!(text.contains("metadata.annotations.last"), "{text}");
        }
    }

    #[test]
    fn bounded() {
        let fields: Vec<FieldDrift> = (0..30)
            .map(|i| field(&format!("spec.f{i}"), json!("x".repeat(5000)), json!(i)))
            .collect();
        let resources: Vec<ResourceReport> = (0..150)
            .map(|i| resource("ConfigMap", &format!("c{i}"), fields.clone()))
            .collect();
        let r = report(resources);
        let s = slack(&r, Alert::Drift, now());
        let section = s["blocks"][1]["text"]["text"].as_str().unwrap();
        assert!(section.chars().count() <= 3000, "{}", section.len());
        assert!(section.ends_with("more resources"), "{section}");
        let w = webhook(&r, Alert::Drift, now());
        assert_eq!(w["contexts"][0]["resources"].as_array().unwrap().len(), 100);
        assert_eq!(w["contexts"][0]["more_resources"], 50);
        assert_eq!(w["contexts"][0]["resources"][0]["more_fields"], 10);
        assert!(w["contexts"][0]["resources"][0]["fields"][0]
            .get("git")
            .is_none());
        let body = email_body(&r, Alert::Drift, now());
        assert!(body.contains("… and 100 more resources"), "{body}");
        assert!(body.contains("… and 20 more fields"));
        assert!(body.len() < 200_000, "{}", body.len());
        assert_eq!(
            subject(&r, Alert::Drift),
            "kubectl-drift: 150 drifted in prod"
        );
        assert_eq!(
            subject(&r, Alert::Resolved),
            "kubectl-drift: drift resolved in prod"
        );
        let w = webhook(&r, Alert::Resolved, now());
        assert_eq!(w["state"], "resolved");
        assert_eq!(w["contexts"][0]["resources"], json!([]));
        assert_eq!(w["contexts"][0]["more_resources"], 0);
    }
}
