//! One section per resource that is not in sync: its status, message, drifted fields with
//! their writers, the fields ignore rules hide, and its diff.

use std::io::{self, Write};

use super::diff::diff;
use super::{esc, plural, status_class, status_label};
use crate::drift::Status;
use crate::report::{attribution_text, value_text, Report, ResourceReport, Style};

/// The `data-` attributes the filters and tests select resources by.
fn data_attributes(resource: &ResourceReport) -> String {
    let id = &resource.identity;
    format!(
        "data-resource data-status=\"{}\" data-context=\"{}\" data-group=\"{}\" data-kind=\"{}\" data-namespace=\"{}\" data-name=\"{}\"",
        resource.status,
        esc(&resource.context),
        esc(&id.group),
        esc(&id.kind),
        esc(id.namespace.as_deref().unwrap_or_default()),
        esc(&id.name)
    )
}

pub(super) fn resources(report: &Report, style: &Style, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "<section id=\"resources\" aria-label=\"Resources\">")?;
    let mut any = false;
    for (i, resource) in report.resources.iter().enumerate() {
        if resource.status != Status::InSync {
            resource_section(i, resource, style, out)?;
            any = true;
        }
    }
    if !any {
        writeln!(
            out,
            "<p class=\"all-good\">No resource needs attention.</p>"
        )?;
    }
    writeln!(
        out,
        "<p id=\"no-match\" class=\"empty\" hidden>No resources match the filters.</p>"
    )?;
    let in_sync: Vec<(usize, &ResourceReport)> = report
        .resources
        .iter()
        .enumerate()
        .filter(|(_, r)| r.status == Status::InSync)
        .collect();
    if !in_sync.is_empty() {
        // Collapsed: in-sync resources are there to be looked up, not read.
        writeln!(
            out,
            "<details id=\"in-sync\" class=\"in-sync\"><summary><span class=\"badge s-in-sync\">In sync</span> <span id=\"in-sync-count\">{}</span></summary>",
            plural(in_sync.len(), "resource", "resources")
        )?;
        writeln!(out, "<table class=\"list\"><tbody>")?;
        for (i, resource) in in_sync {
            writeln!(
                out,
                "<tr id=\"resource-{i}\" {}><td>{}</td><td class=\"name\">{}</td><td>{}</td><td class=\"origin\">{}</td></tr>",
                data_attributes(resource),
                esc(&resource.identity.kind),
                esc(&resource.identity.namespaced_name()),
                esc(&resource.context),
                esc(&resource.origin.as_ref().map(|o| o.label()).unwrap_or_default())
            )?;
        }
        writeln!(out, "</tbody></table></details>")?;
    }
    writeln!(out, "</section>")
}

/// One resource that is not in sync: a collapsible section, open by default.
fn resource_section(
    i: usize,
    resource: &ResourceReport,
    style: &Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    let class = status_class(resource.status);
    writeln!(
        out,
        "<details class=\"resource {class}\" id=\"resource-{i}\" {} open>",
        data_attributes(resource)
    )?;
    let detail = match (resource.status, resource.fields.len()) {
        (_, 0) => String::new(),
        (_, n) => plural(n, "field", "fields"),
    };
    write!(
        out,
        "<summary><span class=\"badge {class}\">{}</span><span class=\"kind\">{}</span><span class=\"name\">{}</span>",
        status_label(resource.status),
        esc(&resource.identity.kind),
        esc(&resource.identity.namespaced_name())
    )?;
    if !detail.is_empty() {
        write!(out, "<span class=\"detail\">{}</span>", esc(&detail))?;
    }
    write!(
        out,
        "<span class=\"spacer\"></span><span class=\"context\" title=\"context\">{}</span>",
        esc(&resource.context)
    )?;
    if let Some(origin) = &resource.origin {
        let title = origin
            .commit
            .as_deref()
            .map(|c| format!(" title=\"commit {}\"", esc(c)))
            .unwrap_or_default();
        write!(
            out,
            "<code class=\"origin\"{title}>{}</code>",
            esc(&origin.label())
        )?;
    }
    writeln!(out, "</summary>\n<div class=\"body\">")?;
    message(resource, out)?;
    fields(resource, style, out)?;
    ignored(resource, out)?;
    diff(resource, out)?;
    writeln!(out, "</div></details>")
}

/// The message, or what the status means when there is none.
fn message(resource: &ResourceReport, out: &mut dyn Write) -> io::Result<()> {
    let fallback = match resource.status {
        Status::Missing => Some(match &resource.origin {
            Some(origin) => format!("In Git at {}, absent live.", origin.label()),
            None => "In Git, absent live.".to_string(),
        }),
        Status::Extra => Some("Live, with no manifest in Git.".to_string()),
        Status::Accepted => Some("Accepted as intentional.".to_string()),
        Status::Error => Some("Unknown error.".to_string()),
        _ => None,
    };
    let (text, class) = match (&resource.message, resource.status) {
        (Some(m), Status::Error) => (m.clone(), "message error"),
        (Some(m), _) => (m.clone(), "message"),
        (None, Status::Error) => (fallback.unwrap_or_default(), "message error"),
        (None, _) => match fallback {
            Some(text) => (text, "message"),
            None => return Ok(()),
        },
    };
    writeln!(out, "<p class=\"{class}\">{}</p>", esc(&text))
}

/// The drifted fields: path, both values and who last wrote the field.
fn fields(resource: &ResourceReport, style: &Style, out: &mut dyn Write) -> io::Result<()> {
    if resource.fields.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "<div class=\"scroll\"><table class=\"fields\">\n<thead><tr><th>Field</th><th>Git</th><th>Live</th><th>Last written by</th></tr></thead>\n<tbody>"
    )?;
    for field in &resource.fields {
        let value = |v: Option<&serde_json::Value>, side: &str| match v {
            Some(_) => format!(
                "<td class=\"value {side}\"><code>{}</code></td>",
                esc(&value_text(v))
            ),
            None => format!(
                "<td class=\"value {side} absent\">{}</td>",
                esc(&value_text(None))
            ),
        };
        let when = field
            .attribution
            .as_ref()
            .and_then(|a| a.time)
            .map(|t| {
                format!(
                    " title=\"{}\"",
                    esc(&t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                )
            })
            .unwrap_or_default();
        let unknown = if field.attribution.is_none() {
            " unknown"
        } else {
            ""
        };
        let path = esc(&field.path.to_string());
        // Break opportunities after the dots, so that a long path wraps between fields.
        let breakable = path.replace('.', ".<wbr>");
        writeln!(
            out,
            "<tr data-path=\"{path}\"><td class=\"path\"><code>{breakable}</code></td>{}{}<td class=\"who{unknown}\"{when}>{}</td></tr>",
            value(field.git.as_ref(), "git"),
            value(field.live.as_ref(), "live"),
            esc(&attribution_text(field, style.now))
        )?;
    }
    writeln!(out, "</tbody></table></div>")
}

/// Drifted fields that ignore rules hide, with the rules' reasons.
fn ignored(resource: &ResourceReport, out: &mut dyn Write) -> io::Result<()> {
    if resource.ignored_fields.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "<div class=\"ignored\"><h4>{} by rules</h4><ul>",
        esc(&plural(
            resource.ignored_fields.len(),
            "field ignored",
            "fields ignored"
        ))
    )?;
    for field in &resource.ignored_fields {
        writeln!(
            out,
            "<li><code>{}</code> <span class=\"reason\">{}</span></li>",
            esc(&field.path),
            esc(&field.reason)
        )?;
    }
    writeln!(out, "</ul></div>")
}
