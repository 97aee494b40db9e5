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
//! The webhook document (`POST`, `Content-Type: application/json`) is made of the report's
//! own JSON shapes (`render::json`), with the drifted resources only:
//!
//! ```text
//! {
//!   "apiVersion": "kubectl-drift/v1",
//!   "kind": "DriftAlert",
//!   "state": "drift",                     // "drift" | "resolved"
//!   "at": "2026-03-01T12:00:00Z",         // when the check ran, RFC 3339
//!   "headline": "3 drifted, 1 missing in production",
//!   "resources": [                        // Drifted, Missing and Extra ones, as the report
//!     {                                   // has them; [] when resolved
//!       "context": "production", "group": "apps", "version": "v1", "kind": "Deployment",
//!       "namespace": "shop", "name": "web", "status": "Drifted",
//!       "origin": {"file": "deploy/web.yaml", "line": 1, "commit": "3f9c2a1e…"},
//!       "fields": [                       // at most 20; "git" and "live" left out for
//!         {"path": "spec.replicas", "git": 3, "live": 5, "manager": "kubectl",
//!          "operation": "Update", "subresource": "scale",   // Secrets and for values
//!          "time": "2026-03-01T10:00:00Z"}                  // over 1 KiB
//!       ],
//!       "ignored_fields": [],
//!       "message": null,                  // null for Secrets
//!       "more_fields": 0                  // fields left out
//!     }
//!   ],
//!   "more_resources": 0,                  // resources left out (at most 100 per context)
//!   "summary": [ … ]                      // the report's summary per context
//! }
//! ```
//!
//! The Slack payload: `{"text": <the subject, for notifications>, "blocks": [header,
//! one mrkdwn section per context, context block with the Git commit and time]}`.

use std::borrow::Cow;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};

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

/// The webhook document described at the top of this module: the report's own resource
/// and summary shapes, with the drifted resources only.
pub fn webhook(report: &Report, alert: Alert, now: DateTime<Utc>) -> Value {
    let views = views(report);
    let mut resources = Vec::new();
    let mut more_resources = 0;
    if alert == Alert::Drift {
        for v in &views {
            resources.extend(
                v.drift
                    .iter()
                    .take(WEBHOOK.resources)
                    .map(|r| webhook_resource(r)),
            );
            more_resources += v.drift.len().saturating_sub(WEBHOOK.resources);
        }
    }
    let summary: Vec<&ContextSummary> = views.iter().map(|v| v.summary.as_ref()).collect();
    json!({
        "apiVersion": crate::render::json::API_VERSION,
        "kind": "DriftAlert",
        "state": match alert { Alert::Drift => "drift", Alert::Resolved => "resolved" },
        "at": now.to_rfc3339_opts(SecondsFormat::Secs, true),
        "headline": headline(&views, alert),
        "resources": resources,
        "more_resources": more_resources,
        "summary": summary,
    })
}

/// One drifted resource as the report's JSON has it, its fields bounded; for a Secret, and
/// for values over the bound, the values are left out, and a Secret's note too.
fn webhook_resource(r: &ResourceReport) -> Value {
    let secret = redact::is_secret(r);
    let mut resource = crate::render::json::resource_value(r);
    let fields = resource["fields"]
        .as_array_mut()
        .map(std::mem::take)
        .unwrap_or_default();
    let more_fields = fields.len().saturating_sub(WEBHOOK.fields);
    let small = |v: Option<&Value>| v.is_none_or(|v| v.to_string().len() <= WEBHOOK.value_chars);
    let fields: Vec<Value> = fields
        .into_iter()
        .take(WEBHOOK.fields)
        .map(|mut field| {
            if secret || !small(field.get("git")) || !small(field.get("live")) {
                if let Some(field) = field.as_object_mut() {
                    field.remove("git");
                    field.remove("live");
                }
            }
            field
        })
        .collect();
    resource["fields"] = Value::Array(fields);
    resource["more_fields"] = json!(more_fields);
    if secret {
        resource["message"] = Value::Null;
    }
    resource
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
            rating: None,
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
            predicted_object: None,
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
        assert_eq!(w["resources"].as_array().unwrap().len(), 100);
        assert_eq!(w["more_resources"], 50);
        assert_eq!(w["resources"][0]["more_fields"], 10);
        assert_eq!(w["resources"][0]["fields"].as_array().unwrap().len(), 20);
        assert!(w["resources"][0]["fields"][0].get("git").is_none());
        assert!(w["resources"][0]["fields"][0].get("live").is_none());
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
        assert_eq!(w["resources"], json!([]));
        assert_eq!(w["more_resources"], 0);
    }
}
