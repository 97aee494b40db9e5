//! The JUnit XML format, for CI systems that show test reports: one test suite per context
//! and one test case per resource. Drift is a `<failure>` whose text carries the drifted
//! fields with their attribution and the unified diff; a resource that could not be checked
//! is an `<error>`; accepted and ignored resources are `<skipped>` with the reason. A drifted
//! case's `<properties>` carry its severity and rule, and each field's (`severity:PATH`).

use std::io::{self, Write};

use super::unified;
use crate::drift::Status;
use crate::report::{
    attribution_text, escape_markup as escape, value_text, ContextSummary, Report, ResourceReport,
    Style,
};
use crate::severity;

/// Writes the document; colors are never used, and `style.now` dates the attributions.
pub fn render(report: &Report, style: &Style, out: &mut dyn Write) -> io::Result<()> {
    let plain = Style {
        color: false,
        ..*style
    };
    let count =
        |want: fn(Status) -> bool| report.resources.iter().filter(|r| want(r.status)).count();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="kubectl-drift" tests="{}" failures="{}" errors="{}" skipped="{}">"#,
        report.resources.len(),
        count(Status::is_drift),
        count(|s| s == Status::Error)
            + report.contexts.iter().filter(|c| c.error.is_some()).count(),
        count(|s| matches!(s, Status::Accepted | Status::Ignored)),
    )?;
    for summary in &report.contexts {
        suite(report, summary, &plain, out)?;
    }
    writeln!(out, "</testsuites>")
}

fn suite(
    report: &Report,
    summary: &ContextSummary,
    style: &Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    let resources: Vec<&ResourceReport> = report
        .resources
        .iter()
        .filter(|r| r.context == summary.context)
        .collect();
    let errors = summary.errors + usize::from(summary.error.is_some());
    writeln!(
        out,
        r#"  <testsuite name="{}" tests="{}" failures="{}" errors="{errors}" skipped="{}">"#,
        escape(&summary.context),
        resources.len() + usize::from(summary.error.is_some()),
        summary.drifted + summary.missing + summary.extra,
        summary.accepted + summary.ignored,
    )?;
    writeln!(out, "    <properties>")?;
    for (name, value) in [
        ("commit", summary.commit.as_deref()),
        ("target", summary.target.as_deref()),
    ] {
        if let Some(value) = value {
            writeln!(
                out,
                r#"      <property name="{name}" value="{}"/>"#,
                escape(value)
            )?;
        }
    }
    writeln!(out, "    </properties>")?;
    if let Some(error) = &summary.error {
        writeln!(
            out,
            r#"    <testcase classname="{0}" name="context {0}"><error message="{1}" type="ContextError">{1}</error></testcase>"#,
            escape(&summary.context),
            escape(error)
        )?;
    }
    for resource in resources {
        case(resource, style, out)?;
    }
    writeln!(out, "  </testsuite>")
}

/// The resource's severity and rule, then each field's as `severity:PATH` and `rule:PATH`.
fn properties(resource: &ResourceReport) -> String {
    let mut pairs = Vec::new();
    if let Some(rating) = severity::of_resource(resource) {
        pairs.push(("severity".to_string(), rating.severity.to_string()));
        pairs.push(("rule".to_string(), rating.rule.to_string()));
    }
    for field in &resource.fields {
        if let Some(rating) = field.rating {
            pairs.push((
                format!("severity:{}", field.path),
                rating.severity.to_string(),
            ));
            pairs.push((format!("rule:{}", field.path), rating.rule.to_string()));
        }
    }
    if pairs.is_empty() {
        return String::new();
    }
    let mut text = "<properties>".to_string();
    for (name, value) in pairs {
        text.push_str(&format!(
            r#"<property name="{}" value="{}"/>"#,
            escape(&name),
            escape(&value)
        ));
    }
    text.push_str("</properties>");
    text
}

fn case(resource: &ResourceReport, style: &Style, out: &mut dyn Write) -> io::Result<()> {
    let id = &resource.identity;
    let classname = format!(
        "{}.{}",
        resource.context,
        id.namespace.as_deref().unwrap_or("(cluster)")
    );
    let mut open = format!(
        r#"    <testcase classname="{}" name="{}/{}""#,
        escape(&classname),
        escape(&id.kind),
        escape(&id.name)
    );
    if let Some(origin) = &resource.origin {
        open.push_str(&format!(
            r#" file="{}" line="{}""#,
            escape(&origin.file),
            origin.line
        ));
    }
    let message = resource.message.as_deref().unwrap_or_default();
    match resource.status {
        Status::InSync => writeln!(out, "{open}/>"),
        Status::Accepted | Status::Ignored => writeln!(
            out,
            r#"{open}><skipped message="{}: {}"/></testcase>"#,
            resource.status,
            escape(message)
        ),
        Status::Error => writeln!(
            out,
            r#"{open}><error message="{0}" type="Error">{0}</error></testcase>"#,
            escape(message)
        ),
        Status::Drifted | Status::Missing | Status::Extra => {
            let headline = match (resource.status, resource.fields.len()) {
                (Status::Drifted, 1) => "Drifted (1 field)".to_string(),
                (Status::Drifted, n) => format!("Drifted ({n} fields)"),
                (other, _) => other.to_string(),
            };
            let mut text = String::new();
            for field in &resource.fields {
                text.push_str(&format!(
                    "{}  {} → {}  {}\n",
                    field.path,
                    value_text(field.git.as_ref()),
                    value_text(field.live.as_ref()),
                    attribution_text(field, style.now)
                ));
            }
            if !message.is_empty() {
                text.push_str(message);
                text.push('\n');
            }
            let mut diff = Vec::new();
            unified::diff(resource, style, &mut diff)?;
            text.push('\n');
            text.push_str(&String::from_utf8_lossy(&diff));
            writeln!(
                out,
                r#"{open}>{}<failure message="{}" type="{}">{}</failure></testcase>"#,
                properties(resource),
                escape(&headline),
                resource.status,
                escape(&text)
            )
        }
    }
}
