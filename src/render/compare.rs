//! `compare`'s report written out in the formats `check` has: side by side (side A on the
//! left), unified (from A to B), JSON and a summary. The diffs come from the same pieces as
//! `check`'s, with the two sides' names as the column titles and file names.
//!
//! The JSON document's shape (`kubectl-drift/v1`, a new version only for a change that is
//! not an added key):
//!
//! ```text
//! {
//!   "apiVersion": "kubectl-drift/v1", "kind": "CompareReport", "at": "2026-…Z",
//!   "sides": [{"context": "staging", "namespace": "shop", "label": "staging"}, {…}],
//!   "commit": "3f9c2a1…",                 // with --path, else null
//!   "objects": [
//!     {"group": "apps", "version": "v1", "kind": "Deployment", "name": "web",
//!      "namespaces": ["shop", "shop"],     // side A's and side B's
//!      "status": "Different",              // Same | Different | Declared | OnlyInA |
//!                                          // OnlyInB | Absent | Ignored | Error
//!      "origin": {"file": …, "line": …, "commit": …},   // with --path, else null
//!      "fields": [
//!        {"path": "spec.replicas", "declared": false,
//!         "a": {"value": 2, "manager": "spinnaker", "operation": "Apply",
//!               "subresource": null, "time": "2026-…Z"},
//!         "b": {"value": 5, "manager": "kubectl", "operation": "Update",
//!               "subresource": "scale", "time": null}}
//!      ],
//!      "ignored_fields": [{"path": …, "reason": …}], "message": null}
//!   ],
//!   "errors": [],                          // what a side could not list
//!   "exit_code": 1
//! }
//! ```
//!
//! A Secret's values are markers (`(hidden)`, `(hidden, changed)`) before they get here.

use std::io::{self, Write};

use chrono::SecondsFormat;
use owo_colors::OwoColorize;
use serde::Serialize;
use serde_json::Value;
use unicode_width::UnicodeWidthStr;

use super::side_by_side::{indented, two_columns};
use super::unified::{comment, file_name, patch};
use crate::cli::CompareFormat;
use crate::drift::{Attribution, IgnoredField};
use crate::report::compare::{Comparison, Difference, ObjectComparison, SideLabel};
use crate::report::{
    ago, attribution_words, terminal_text, truncate, truncate_pair, value_text, wrap, yaml_text,
    Style,
};
use crate::source::Origin;

/// Writes the comparison in `format`.
pub fn render(
    report: &Comparison,
    format: CompareFormat,
    style: &Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        CompareFormat::SideBySide => side_by_side(report, style, out),
        CompareFormat::Unified => unified(report, style, out),
        CompareFormat::Json => json(report, style, out),
        CompareFormat::Summary => summary(report, style, out),
    }
}

/// The objects shown in the diff formats: all but those that are the same.
fn shown(report: &Comparison) -> impl Iterator<Item = &ObjectComparison> {
    report
        .objects
        .iter()
        .filter(|o| o.status != Difference::Same || o.message.is_some())
}

/// `Deployment shop/web  ·  staging ↔ production  ·  Different (2 fields)`
fn header(report: &Comparison, object: &ObjectComparison, style: &Style) -> String {
    let status = match object.status {
        Difference::Declared if object.fields.is_empty() => "Declared".to_string(),
        Difference::Different | Difference::Declared => {
            let n = object.fields.len();
            let declared = object.fields.iter().filter(|f| f.declared).count();
            let mut text = format!(
                "{} ({n} field{}",
                if object.status == Difference::Declared {
                    "Declared"
                } else {
                    "Different"
                },
                if n == 1 { "" } else { "s" }
            );
            if declared > 0 && declared < n {
                text.push_str(&format!(", {declared} declared"));
            }
            text.push(')');
            text
        }
        Difference::OnlyInA => format!("Only in {}", report.sides[0].label),
        Difference::OnlyInB => format!("Only in {}", report.sides[1].label),
        other => other.to_string(),
    };
    let middle = format!(
        "  ·  {} ↔ {}  ·  ",
        terminal_text(&report.sides[0].label),
        terminal_text(&report.sides[1].label)
    );
    let name = format!("{} {}", object.identity.kind, object.name_text());
    let name = truncate(
        &name,
        style
            .width
            .saturating_sub(middle.width() + status.width())
            .max(1),
    );
    if !style.color {
        return format!("{name}{middle}{status}");
    }
    format!(
        "{}{middle}{}",
        name.bold(),
        paint(object.status, &status, true)
    )
}

/// A status's text colored by what it means, when `color` is on.
fn paint(status: Difference, text: &str, color: bool) -> String {
    if !color {
        return text.to_string();
    }
    match status {
        Difference::Same | Difference::Declared | Difference::Ignored => text.green().to_string(),
        Difference::Different => text.yellow().to_string(),
        Difference::OnlyInA | Difference::OnlyInB | Difference::Absent => {
            text.magenta().to_string()
        }
        Difference::Error => text.red().bold().to_string(),
    }
}

/// The lines under a header: each differing field with its value and writer on each side,
/// or what the status means.
fn field_lines(report: &Comparison, object: &ObjectComparison, style: &Style) -> Vec<String> {
    let mut lines = Vec::new();
    let label_width = report
        .sides
        .iter()
        .map(|s| terminal_text(&s.label).width())
        .max()
        .unwrap_or(0);
    for field in &object.fields {
        let mut head = format!("  {}", field.path);
        if field.declared {
            head.push_str("  (declared in Git: expected)");
        }
        let head = truncate(&head, style.width);
        lines.push(if style.color {
            head.bold().to_string()
        } else {
            head
        });
        let a = value_text(field.a.as_ref());
        let b = value_text(field.b.as_ref());
        let whos = [
            attribution_words(field.a_by.as_ref(), |t| ago(style.now, t)),
            attribution_words(field.b_by.as_ref(), |t| ago(style.now, t)),
        ];
        // The values give way to the label and the writer.
        let fixed = 4 + label_width + 2 + 2;
        // One room for both, as the values are aligned in one column.
        let who_width = whos.iter().map(|w| w.width()).max().unwrap_or(0);
        let room = style.width.saturating_sub(fixed + who_width).max(8);
        let (a, b) = truncate_pair(&a, &b, room, room);
        let values = [a, b];
        let width = values.iter().map(|v| v.width()).max().unwrap_or(0);
        for (i, side) in report.sides.iter().enumerate() {
            let label = terminal_text(&side.label);
            let pad = " ".repeat(label_width - label.width());
            let vpad = " ".repeat(width - values[i].width());
            let plain = format!(
                "    {label}{pad}  {}{vpad}  {}",
                values[i],
                terminal_text(&whos[i])
            );
            // Colored only when whole: a cut line is cut as plain text.
            let line = if !style.color || plain.width() > style.width {
                truncate(&plain, style.width)
            } else {
                let value = if i == 0 {
                    values[i].red().to_string()
                } else {
                    values[i].green().to_string()
                };
                format!(
                    "    {label}{pad}  {value}{vpad}  {}",
                    terminal_text(&whos[i])
                )
            };
            lines.push(line);
        }
    }
    lines
}

/// The note under an object that has no field lines, or after them.
fn note(report: &Comparison, object: &ObjectComparison) -> Option<String> {
    let mut notes = Vec::new();
    match object.status {
        Difference::OnlyInA => notes.push(format!(
            "live in {}, absent in {}",
            report.sides[0].label, report.sides[1].label
        )),
        Difference::OnlyInB => notes.push(format!(
            "live in {}, absent in {}",
            report.sides[1].label, report.sides[0].label
        )),
        Difference::Absent => notes.push(match &object.origin {
            Some(origin) => format!("in Git at {}, live on neither side", origin.label()),
            None => "live on neither side".to_string(),
        }),
        _ => {}
    }
    if !object.ignored_fields.is_empty() {
        let list: Vec<String> = object
            .ignored_fields
            .iter()
            .map(|f| format!("{} ({})", f.path, f.reason))
            .collect();
        notes.push(format!(
            "{} ignored: {}",
            match list.len() {
                1 => "1 field".to_string(),
                n => format!("{n} fields"),
            },
            list.join(", ")
        ));
    }
    notes.extend(object.message.clone());
    (!notes.is_empty()).then(|| notes.join("\n"))
}

fn side_title(side: &SideLabel, namespace: &Option<String>, identity_ns: bool) -> String {
    match namespace {
        // The namespace is in the header already when both sides share it.
        Some(ns) if !identity_ns && side.namespace.is_none() => format!("{} · {ns}", side.label),
        _ => side.label.clone(),
    }
}

fn side_by_side(report: &Comparison, style: &Style, out: &mut dyn Write) -> io::Result<()> {
    let mut first = true;
    for object in shown(report) {
        if !first {
            writeln!(out)?;
        }
        first = false;
        writeln!(out, "{}", header(report, object, style))?;
        for line in field_lines(report, object, style) {
            writeln!(out, "{line}")?;
        }
        if let Some(note) = note(report, object) {
            indented(&note, style, object.status == Difference::Error, out)?;
        }
        if let [Some(a), Some(b)] = &object.objects {
            if !object.fields.is_empty() {
                let shared = object.identity.namespace.is_some();
                let titles = (
                    side_title(&report.sides[0], &object.namespaces[0], shared),
                    side_title(&report.sides[1], &object.namespaces[1], shared),
                );
                writeln!(out)?;
                let (left, right) = (yaml_text(Some(a)), yaml_text(Some(b)));
                if !two_columns(&left, &right, (&titles.0, &titles.1), style, out)? {
                    indented(no_lines(object), style, false, out)?;
                }
            }
        }
    }
    if !first {
        writeln!(out)?;
    }
    summary_lines(report, style, out)
}

fn no_lines(object: &ObjectComparison) -> &'static str {
    if crate::cluster::errors::is_secret(&object.identity.group, &object.identity.kind) {
        "no line differences to show: secret values are hidden"
    } else {
        "no line differences to show"
    }
}

fn summary_lines(report: &Comparison, style: &Style, out: &mut dyn Write) -> io::Result<()> {
    for line in wrap(&report.summary_line(), style.width) {
        writeln!(out, "{line}")?;
    }
    for error in &report.errors {
        for line in wrap(&format!("  error: {error}"), style.width) {
            writeln!(out, "{line}")?;
        }
    }
    Ok(())
}

fn unified(report: &Comparison, style: &Style, out: &mut dyn Write) -> io::Result<()> {
    let width = style.width.saturating_sub(2);
    let narrower = Style { width, ..*style };
    for object in shown(report) {
        let header = header(report, object, &narrower);
        writeln!(out, "# {header}")?;
        for line in field_lines(
            report,
            object,
            &Style {
                color: false,
                ..narrower
            },
        ) {
            comment(line.trim_start(), style, out)?;
        }
        if let Some(note) = note(report, object) {
            for line in note.lines().flat_map(|l| wrap(l, width)) {
                comment(&line, style, out)?;
            }
        }
        if object.fields.is_empty()
            && !matches!(object.status, Difference::OnlyInA | Difference::OnlyInB)
        {
            continue;
        }
        let name = file_name(&object.identity);
        let (old, new) = (
            yaml_text(object.objects[0].as_ref()),
            yaml_text(object.objects[1].as_ref()),
        );
        let names = (
            format!("{}/{name}", report.sides[0].label),
            format!("{}/{name}", report.sides[1].label),
        );
        let secret =
            crate::cluster::errors::is_secret(&object.identity.group, &object.identity.kind);
        patch(&old, &new, (&names.0, &names.1), secret, style, out)?;
    }
    for line in wrap(&report.summary_line(), width) {
        comment(&line, style, out)?;
    }
    for error in &report.errors {
        comment(&format!("error: {error}"), style, out)?;
    }
    Ok(())
}

fn summary(report: &Comparison, style: &Style, out: &mut dyn Write) -> io::Result<()> {
    let rows: Vec<[String; 4]> = report
        .objects
        .iter()
        .map(|o| {
            let fields = match o.fields.len() {
                0 => "-".to_string(),
                1 => "1 field".to_string(),
                n => format!("{n} fields"),
            };
            [
                o.status.to_string(),
                o.identity.kind.clone(),
                o.name_text(),
                fields,
            ]
        })
        .collect();
    let mut widths = [0; 4];
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(terminal_text(cell).width());
        }
    }
    for (object, row) in report.objects.iter().zip(&rows) {
        let line: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, w)| {
                let cell = terminal_text(cell);
                format!("{cell}{}", " ".repeat(w - cell.width()))
            })
            .collect();
        let line = truncate(line.join("  ").trim_end(), style.width);
        // The status opens the line and is plain ASCII: colored, then the rest as it is.
        let at = widths[0].min(line.len());
        let (status, rest) = line.split_at(if line.is_char_boundary(at) { at } else { 0 });
        writeln!(out, "{}{rest}", paint(object.status, status, style.color))?;
    }
    if !rows.is_empty() {
        writeln!(out)?;
    }
    summary_lines(report, style, out)
}

/// The version of `compare`'s JSON document, as for `check`'s.
#[derive(Serialize)]
struct Document<'a> {
    #[serde(rename = "apiVersion")]
    api_version: &'static str,
    kind: &'static str,
    at: String,
    sides: &'a [SideLabel; 2],
    commit: Option<&'a str>,
    objects: Vec<Object<'a>>,
    errors: &'a [String],
    exit_code: i32,
}

#[derive(Serialize)]
struct Object<'a> {
    group: &'a str,
    version: &'a str,
    kind: &'a str,
    name: &'a str,
    /// The namespace on side A and on side B.
    namespaces: &'a [Option<String>; 2],
    status: String,
    origin: Option<&'a Origin>,
    fields: Vec<Field<'a>>,
    ignored_fields: &'a [IgnoredField],
    message: Option<&'a str>,
}

#[derive(Serialize)]
struct Field<'a> {
    path: String,
    declared: bool,
    a: FieldSide<'a>,
    b: FieldSide<'a>,
}

/// A field on one side: its value (null when absent, a marker for a Secret's) and who last
/// wrote it there.
#[derive(Serialize)]
struct FieldSide<'a> {
    value: Option<&'a Value>,
    manager: Option<&'a str>,
    operation: Option<&'a str>,
    subresource: Option<&'a str>,
    time: Option<String>,
}

fn field_side<'a>(value: Option<&'a Value>, by: Option<&'a Attribution>) -> FieldSide<'a> {
    FieldSide {
        value,
        manager: by.map(|a| a.manager.as_str()),
        operation: by.map(|a| a.operation.as_str()),
        subresource: by.and_then(|a| a.subresource.as_deref()),
        time: by
            .and_then(|a| a.time)
            .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)),
    }
}

fn json(report: &Comparison, style: &Style, out: &mut dyn Write) -> io::Result<()> {
    let document = Document {
        api_version: super::json::API_VERSION,
        kind: "CompareReport",
        at: style.now.to_rfc3339_opts(SecondsFormat::Millis, true),
        sides: &report.sides,
        commit: report.commit.as_deref(),
        objects: report
            .objects
            .iter()
            .map(|o| Object {
                group: &o.identity.group,
                version: &o.identity.version,
                kind: &o.identity.kind,
                name: &o.identity.name,
                namespaces: &o.namespaces,
                status: o.status.to_string(),
                origin: o.origin.as_ref(),
                fields: o
                    .fields
                    .iter()
                    .map(|f| Field {
                        path: f.path.to_string(),
                        declared: f.declared,
                        a: field_side(f.a.as_ref(), f.a_by.as_ref()),
                        b: field_side(f.b.as_ref(), f.b_by.as_ref()),
                    })
                    .collect(),
                ignored_fields: &o.ignored_fields,
                message: o.message.as_deref(),
            })
            .collect(),
        errors: &report.errors,
        exit_code: report.exit_code(),
    };
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drift::path::Segment;
    use crate::drift::{FieldPath, Identity};
    use crate::report::compare::FieldDifference;
    use serde_json::json;

    fn report() -> Comparison {
        let side = |context: &str| SideLabel {
            context: context.into(),
            namespace: Some("shop".into()),
            label: context.into(),
        };
        let by = |manager: &str| Attribution {
            manager: manager.into(),
            operation: "Update".into(),
            time: None,
            subresource: None,
        };
        let object = |image: &str| json!({"kind": "Deployment", "spec": {"image": image}});
        let long = format!("registry.example.com/{}/web:1.4.0", "x".repeat(200));
        Comparison {
            sides: [side("staging"), side("production\u{1b}[2J")],
            objects: vec![ObjectComparison {
                identity: Identity {
                    group: "apps".into(),
                    version: "v1".into(),
                    kind: "Deployment".into(),
                    namespace: Some("shop".into()),
                    name: "web".into(),
                },
                namespaces: [Some("shop".into()), Some("shop".into())],
                status: Difference::Different,
                fields: vec![FieldDifference {
                    path: FieldPath(vec![
                        Segment::Field("spec".into()),
                        Segment::Field("image".into()),
                    ]),
                    a: Some(json!(long)),
                    b: Some(json!("evil\u{1b}]0;title\u{7}")),
                    a_by: Some(by("pipeline")),
                    b_by: Some(by("kubectl-set")),
                    declared: false,
                }],
                ignored_fields: Vec::new(),
                origin: None,
                message: None,
                objects: [Some(object(&long)), Some(object("evil"))],
            }],
            commit: None,
            errors: Vec::new(),
        }
    }

    #[test]
    fn every_text_format_stays_in_its_width_and_escapes_what_came_from_a_cluster() {
        let report = report();
        for format in [
            CompareFormat::SideBySide,
            CompareFormat::Unified,
            CompareFormat::Summary,
        ] {
            for color in [false, true] {
                let style = Style {
                    color,
                    width: 80,
                    now: chrono::Utc::now(),
                };
                let mut out = Vec::new();
                render(&report, format, &style, &mut out).unwrap();
                let text = String::from_utf8(out).unwrap();
                assert!(!text.contains("\u{7}"), "{format:?}: {text}");
                assert!(
                    !text.contains("\u{1b}]") && !text.contains("\u{1b}[2J"),
                    "{format:?}: {text}"
                );
                if !color {
                    // A patch's own lines stay whole, as in any patch.
                    let cut =
                        |line: &str| format != CompareFormat::Unified || line.starts_with('#');
                    for line in text.lines().filter(|l| cut(l)) {
                        assert!(line.width() <= 80, "{format:?}: {line:?}");
                    }
                    assert!(text.contains("staging"), "{format:?}: {text}");
                }
            }
        }
        let mut out = Vec::new();
        let style = Style {
            color: false,
            width: 80,
            now: chrono::Utc::now(),
        };
        render(&report, CompareFormat::Json, &style, &mut out).unwrap();
        let document: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(document["kind"], "CompareReport");
        assert_eq!(
            document["objects"][0]["fields"][0]["b"]["manager"],
            "kubectl-set"
        );
        assert_eq!(document["exit_code"], 1);
    }
}
