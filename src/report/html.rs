//! The HTML format: one self-contained page to archive, attach to a ticket or open offline.
//! It holds the per-context summary, a chart of drift per namespace and per kind, and one
//! section per resource that is not in sync with its drifted fields, their writers and a
//! side-by-side diff of the Git and live YAML.
//!
//! Everything is inline: the CSS, the SVG charts (drawn here, not by script) and a small
//! script that adds filters. A Content-Security-Policy with the hashes of that CSS and
//! script forbids anything else, so the page loads nothing from anywhere, and markup that
//! slipped through escaping could not run. Without JavaScript the page shows everything.
//!
//! Hooks for tests and scripts: `id="total-<count>"` and
//! `data-count="<count>" data-context="<context>"` hold the summary numbers, where
//! `<count>` is one of [`COUNTS`]; every resource carries `data-resource`, `data-status`
//! (`Drifted`, …), `data-context`, `data-kind`, `data-namespace` (empty when cluster-scoped)
//! and `data-name`; the script sets `data-ready="1"` on `<body>` once it has run. The
//! filters can be preset in the fragment: `#q=web&status=Drifted,Missing&context=production`.
//!
//! Secret values arrive here already hidden, as in every other format.

use std::collections::BTreeMap;
use std::io::{self, BufWriter, Write};
use std::time::Duration;

use base64::Engine as _;
use sha2::{Digest, Sha256};
use similar::{DiffOp, TextDiff};

use super::hunks::{Fold, LineDiff, Mark, Piece, Row};
use super::{attribution_text, redact, truncate, value_text, yaml_text};
use super::{ContextSummary, Report, ResourceReport, Style};
use crate::drift::Status;
use crate::source::short_commit;

/// Bars per chart; the rest are summed into one last bar.
const CHART_BARS: usize = 16;
/// Lines longer than this are not diffed character by character (cost grows with length,
/// and such lines are blobs where the highlight says little).
const MAX_INLINE: usize = 400;

/// The summary counts, as `(hook, label)`: the hook names `id="total-<hook>"` and
/// `data-count="<hook>"`.
pub const COUNTS: &[(&str, &str)] = &[
    ("drifted", "drifted"),
    ("missing", "missing"),
    ("extra", "extra"),
    ("errors", "errors"),
    ("accepted", "accepted"),
    ("ignored", "ignored"),
    ("ignored-fields", "ignored fields"),
    ("in-sync", "in sync"),
    ("skipped-files", "skipped files"),
];

/// Statuses in the order the page lists them: the ones that need attention first.
const STATUSES: &[Status] = &[
    Status::Drifted,
    Status::Missing,
    Status::Extra,
    Status::Error,
    Status::Accepted,
    Status::Ignored,
    Status::InSync,
];

/// Writes the page. `style.now` dates it and times the attributions; `style.color` and
/// `style.width` are unused, because the page has its own colors and reflows to the window.
pub fn render(report: &Report, style: &Style, out: &mut dyn Write) -> io::Result<()> {
    let mut out = BufWriter::new(out);
    head(&mut out)?;
    writeln!(out, "<body>")?;
    page_header(report, style, &mut out)?;
    writeln!(out, "<main class=\"wrap\">")?;
    summary(report, &mut out)?;
    charts(report, &mut out)?;
    filters(report, &mut out)?;
    resources(report, style, &mut out)?;
    writeln!(out, "</main>")?;
    writeln!(
        out,
        "<footer class=\"wrap\">kubectl-drift {} · secret values are hidden</footer>",
        esc(env!("CARGO_PKG_VERSION"))
    )?;
    writeln!(out, "<script>{SCRIPT}</script>\n</body>\n</html>")?;
    out.flush()
}

/// Text made safe for HTML, in element content and in quoted attribute values alike. Every
/// piece of the report goes through here.
pub fn esc(text: &str) -> String {
    super::escape_markup(text)
}

/// `'sha256-…'`, the CSP source that allows exactly this inline style or script.
fn csp_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

fn head(out: &mut dyn Write) -> io::Result<()> {
    let csp = format!(
        "default-src 'none'; style-src {}; script-src {}; base-uri 'none'; form-action 'none'",
        csp_hash(CSS),
        csp_hash(SCRIPT)
    );
    writeln!(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>")?;
    writeln!(out, "<meta charset=\"utf-8\">")?;
    writeln!(
        out,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">",
        esc(&csp)
    )?;
    writeln!(
        out,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    )?;
    writeln!(out, "<meta name=\"color-scheme\" content=\"light dark\">")?;
    writeln!(out, "<title>kubectl-drift report</title>")?;
    writeln!(out, "<style>{CSS}</style>\n</head>")
}

/// The CSS class of a status: `s-drifted`, `s-in-sync`, ….
fn status_class(status: Status) -> &'static str {
    match status {
        Status::InSync => "s-in-sync",
        Status::Drifted => "s-drifted",
        Status::Missing => "s-missing",
        Status::Accepted => "s-accepted",
        Status::Ignored => "s-ignored",
        Status::Extra => "s-extra",
        Status::Error => "s-error",
    }
}

/// A status as people read it.
fn status_label(status: Status) -> &'static str {
    match status {
        Status::InSync => "In sync",
        Status::Drifted => "Drifted",
        Status::Missing => "Missing",
        Status::Accepted => "Accepted",
        Status::Ignored => "Ignored",
        Status::Extra => "Extra",
        Status::Error => "Error",
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// The count behind a hook in one context's summary.
fn count(summary: &ContextSummary, hook: &str) -> usize {
    match hook {
        "drifted" => summary.drifted,
        "missing" => summary.missing,
        "extra" => summary.extra,
        "errors" => summary.errors,
        "accepted" => summary.accepted,
        "ignored" => summary.ignored,
        "ignored-fields" => summary.ignored_fields,
        "in-sync" => summary.in_sync,
        "skipped-files" => summary.skipped_files,
        _ => 0,
    }
}

fn page_header(report: &Report, style: &Style, out: &mut dyn Write) -> io::Result<()> {
    let drifted = report
        .resources
        .iter()
        .filter(|r| r.status.is_drift())
        .count();
    let failed = report
        .resources
        .iter()
        .filter(|r| r.status == Status::Error)
        .count();
    let failed_contexts = report.contexts.iter().filter(|c| c.error.is_some()).count();
    let mut verdict = Vec::new();
    if drifted > 0 {
        verdict.push(format!(
            "{} from Git",
            plural(drifted, "resource differs", "resources differ")
        ));
    }
    if failed > 0 {
        verdict.push(format!(
            "{} could not be checked",
            plural(failed, "resource", "resources")
        ));
    }
    if failed_contexts > 0 {
        verdict.push(format!(
            "{} could not be checked",
            plural(failed_contexts, "context", "contexts")
        ));
    }
    let class = if report.has_errors() {
        "error"
    } else if report.has_drift() {
        "drift"
    } else {
        "clean"
    };
    if verdict.is_empty() {
        verdict.push(if report.resources.is_empty() {
            "No resources were checked".to_string()
        } else {
            "Everything matches Git".to_string()
        });
    }
    writeln!(out, "<header class=\"top\"><div class=\"wrap\">")?;
    writeln!(out, "<h1>kubectl-drift report</h1>")?;
    writeln!(
        out,
        "<p class=\"meta\">Checked <time id=\"generated\" datetime=\"{}\">{}</time> · {} in {}</p>",
        esc(&style.now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        esc(&style.now.format("%Y-%m-%d %H:%M:%S UTC").to_string()),
        esc(&plural(report.resources.len(), "resource", "resources")),
        esc(&plural(report.contexts.len(), "context", "contexts")),
    )?;
    writeln!(
        out,
        "<p id=\"verdict\" class=\"verdict {class}\" data-drift=\"{}\" data-errors=\"{}\">{}</p>",
        u8::from(report.has_drift()),
        u8::from(report.has_errors()),
        esc(&verdict.join(" · "))
    )?;
    writeln!(out, "</div></header>")
}

/// The totals as cards, then one row per context.
fn summary(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "<section id=\"summary\" aria-label=\"Summary\">\n<div class=\"totals\">"
    )?;
    for &(hook, label) in COUNTS {
        let total: usize = report.contexts.iter().map(|c| count(c, hook)).sum();
        let zero = if total == 0 { " zero" } else { "" };
        writeln!(
            out,
            "<div class=\"total t-{hook}{zero}\"><span class=\"num\" id=\"total-{hook}\">{total}</span><span class=\"label\">{label}</span></div>"
        )?;
    }
    writeln!(out, "</div>")?;
    if report.contexts.is_empty() {
        return writeln!(out, "</section>");
    }
    writeln!(
        out,
        "<div class=\"scroll\"><table class=\"contexts\">\n<thead><tr><th>Context</th><th>Target</th><th>Git</th>"
    )?;
    for &(hook, label) in COUNTS {
        writeln!(out, "<th class=\"num t-{hook}\">{label}</th>")?;
    }
    writeln!(out, "<th>Notes</th></tr></thead>\n<tbody>")?;
    for summary in &report.contexts {
        let context = esc(&summary.context);
        let failed = if summary.error.is_some() {
            " class=\"failed\""
        } else {
            ""
        };
        writeln!(
            out,
            "<tr data-context=\"{context}\"{failed}><th scope=\"row\">{context}</th>"
        )?;
        match &summary.target {
            Some(target) => writeln!(out, "<td>{}</td>", esc(target))?,
            None => writeln!(out, "<td class=\"none\">—</td>")?,
        }
        match &summary.commit {
            Some(commit) => writeln!(
                out,
                "<td><code class=\"commit\" title=\"{}\">{}</code></td>",
                esc(commit),
                esc(short_commit(commit))
            )?,
            None => writeln!(out, "<td class=\"none\">—</td>")?,
        }
        for &(hook, _) in COUNTS {
            let n = count(summary, hook);
            let zero = if n == 0 { " zero" } else { "" };
            writeln!(
                out,
                "<td class=\"num t-{hook}{zero}\" data-count=\"{hook}\" data-context=\"{context}\">{n}</td>"
            )?;
        }
        write!(out, "<td class=\"notes\">")?;
        if summary.read_only {
            let types = if summary.read_only_types.is_empty() {
                String::new()
            } else {
                format!(" for {}", esc(&summary.read_only_types.join(", ")))
            };
            write!(
                out,
                "<span class=\"tag\" title=\"dry runs were not allowed\">read-only: declared fields only{types}</span>"
            )?;
        }
        if let Some(error) = &summary.error {
            write!(out, "<p class=\"context-error\">error: {}</p>", esc(error))?;
        }
        if !summary.warnings.is_empty() {
            write!(out, "<ul class=\"warnings\">")?;
            for warning in &summary.warnings {
                write!(out, "<li>warning: {}</li>", esc(warning))?;
            }
            write!(out, "</ul>")?;
        }
        writeln!(out, "</td></tr>")?;
    }
    writeln!(out, "</tbody></table></div>\n</section>")
}

/// Drift per namespace and per kind, summed over all contexts.
fn charts(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let drift: Vec<&ResourceReport> = report
        .resources
        .iter()
        .filter(|r| r.status.is_drift())
        .collect();
    writeln!(out, "<section id=\"charts\" aria-label=\"Drift charts\">")?;
    let by_namespace = bars(&drift, |r| {
        r.identity
            .namespace
            .clone()
            .unwrap_or_else(|| "(cluster)".to_string())
    });
    let by_kind = bars(&drift, |r| r.identity.kind.clone());
    chart("chart-namespace", "Drift by namespace", &by_namespace, out)?;
    chart("chart-kind", "Drift by kind", &by_kind, out)?;
    writeln!(
        out,
        "<p class=\"legend\"><span class=\"key s-drifted\"></span>drifted <span class=\"key s-missing\"></span>missing <span class=\"key s-extra\"></span>extra</p>"
    )?;
    writeln!(out, "</section>")
}

/// One bar: a group's drifted, missing and extra resources.
struct Bar {
    label: String,
    counts: [usize; 3],
}

impl Bar {
    fn total(&self) -> usize {
        self.counts.iter().sum()
    }
}

/// The statuses a bar stacks, in the order of `Bar::counts`.
const BAR_STATUSES: [Status; 3] = [Status::Drifted, Status::Missing, Status::Extra];

/// Groups drifting resources by `key`, biggest first; past `CHART_BARS` the rest become one
/// bar, so that the chart stays small.
fn bars(drift: &[&ResourceReport], key: impl Fn(&ResourceReport) -> String) -> Vec<Bar> {
    let mut groups: BTreeMap<String, [usize; 3]> = BTreeMap::new();
    for resource in drift {
        let Some(i) = BAR_STATUSES.iter().position(|s| *s == resource.status) else {
            continue;
        };
        groups.entry(key(resource)).or_default()[i] += 1;
    }
    let mut bars: Vec<Bar> = groups
        .into_iter()
        .map(|(label, counts)| Bar { label, counts })
        .collect();
    // Stable: equal totals stay in name order.
    bars.sort_by_key(|b| std::cmp::Reverse(b.total()));
    if bars.len() > CHART_BARS {
        let rest = bars.split_off(CHART_BARS - 1);
        let mut counts = [0; 3];
        for bar in &rest {
            for (sum, n) in counts.iter_mut().zip(bar.counts) {
                *sum += n;
            }
        }
        bars.push(Bar {
            label: format!("{} others", rest.len()),
            counts,
        });
    }
    bars
}

/// A horizontal stacked bar chart as inline SVG.
fn chart(id: &str, title: &str, bars: &[Bar], out: &mut dyn Write) -> io::Result<()> {
    const WIDTH: f64 = 560.0;
    const LABEL: f64 = 160.0;
    const NUMBER: f64 = 40.0;
    const ROW: f64 = 26.0;
    const BAR: f64 = 16.0;
    writeln!(
        out,
        "<figure class=\"chart\" id=\"{id}\"><figcaption>{}</figcaption>",
        esc(title)
    )?;
    if bars.is_empty() {
        return writeln!(out, "<p class=\"empty\">No drift.</p></figure>");
    }
    let height = ROW * bars.len() as f64;
    let max = bars.iter().map(Bar::total).max().unwrap_or(1).max(1) as f64;
    let room = WIDTH - LABEL - 8.0 - NUMBER;
    writeln!(
        out,
        "<svg viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\" role=\"img\" aria-label=\"{}\">",
        esc(title)
    )?;
    for (i, bar) in bars.iter().enumerate() {
        let y = ROW * i as f64;
        let middle = y + ROW / 2.0;
        let parts: Vec<String> = BAR_STATUSES
            .iter()
            .zip(bar.counts)
            .filter(|(_, n)| *n > 0)
            .map(|(s, n)| format!("{n} {}", status_label(*s).to_lowercase()))
            .collect();
        writeln!(
            out,
            "<g class=\"bar\" data-label=\"{}\" data-count=\"{}\" data-drifted=\"{}\" data-missing=\"{}\" data-extra=\"{}\"><title>{}: {}</title>",
            esc(&bar.label),
            bar.total(),
            bar.counts[0],
            bar.counts[1],
            bar.counts[2],
            esc(&bar.label),
            esc(&parts.join(", "))
        )?;
        writeln!(
            out,
            "<text class=\"label\" x=\"{}\" y=\"{middle}\" text-anchor=\"end\" dominant-baseline=\"central\">{}</text>",
            LABEL,
            esc(&truncate(&bar.label, 22))
        )?;
        // Segments start at rounded running totals, so that they meet without gaps.
        let mut done = 0;
        for (status, n) in BAR_STATUSES.iter().zip(bar.counts) {
            if n == 0 {
                continue;
            }
            let x0 = (done as f64 / max * room).round();
            let x1 = ((done + n) as f64 / max * room).round();
            done += n;
            writeln!(
                out,
                "<rect class=\"seg {}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{BAR}\" rx=\"2\"></rect>",
                status_class(*status),
                LABEL + 8.0 + x0,
                y + (ROW - BAR) / 2.0,
                (x1 - x0).max(1.0)
            )?;
        }
        let end = (bar.total() as f64 / max * room).round();
        writeln!(
            out,
            "<text class=\"count\" x=\"{}\" y=\"{middle}\" dominant-baseline=\"central\">{}</text></g>",
            LABEL + 8.0 + end + 6.0,
            bar.total()
        )?;
    }
    writeln!(out, "</svg></figure>")
}

/// The filter bar; hidden until the script shows it, since without script it does nothing.
fn filters(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "<nav id=\"filters\" class=\"filters\" aria-label=\"Filters\" hidden>\n<input type=\"search\" id=\"filter-text\" placeholder=\"Filter by name, kind or namespace  ( / )\" autocomplete=\"off\" spellcheck=\"false\" aria-label=\"Filter by name, kind or namespace\">"
    )?;
    writeln!(out, "<fieldset class=\"chips\"><legend>Status</legend>")?;
    for &status in STATUSES {
        let n = report
            .resources
            .iter()
            .filter(|r| r.status == status)
            .count();
        if n == 0 {
            continue;
        }
        writeln!(
            out,
            "<label class=\"chip {}\"><input type=\"checkbox\" data-filter=\"status\" value=\"{status}\" checked><span>{}</span><span class=\"n\">{n}</span></label>",
            status_class(status),
            status_label(status)
        )?;
    }
    writeln!(
        out,
        "</fieldset>\n<fieldset class=\"chips\"><legend>Context</legend>"
    )?;
    for context in contexts(report) {
        let n = report
            .resources
            .iter()
            .filter(|r| r.context == context)
            .count();
        writeln!(
            out,
            "<label class=\"chip\"><input type=\"checkbox\" data-filter=\"context\" value=\"{0}\" checked><span>{0}</span><span class=\"n\">{n}</span></label>",
            esc(context)
        )?;
    }
    writeln!(
        out,
        "</fieldset>\n<span class=\"shown\"><span id=\"shown-count\">{0}</span> of {0} shown</span>",
        report.resources.len()
    )?;
    writeln!(
        out,
        "<span class=\"buttons\"><button type=\"button\" id=\"expand-all\">Expand all</button><button type=\"button\" id=\"collapse-all\">Collapse all</button></span>\n</nav>"
    )
}

/// Every context, in the summary's order, then any only resources name.
fn contexts(report: &Report) -> Vec<&str> {
    let mut names: Vec<&str> = report.contexts.iter().map(|c| c.context.as_str()).collect();
    for resource in &report.resources {
        if !names.contains(&resource.context.as_str()) {
            names.push(&resource.context);
        }
    }
    names
}

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

fn resources(report: &Report, style: &Style, out: &mut dyn Write) -> io::Result<()> {
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

/// The Git and live YAML next to each other; only one side for objects on one side only.
fn diff(resource: &ResourceReport, out: &mut dyn Write) -> io::Result<()> {
    let git_title = match &resource.origin {
        Some(origin) => format!("Git · {}", origin.label()),
        None => "Git".to_string(),
    };
    let live_title = format!("Live · {}", resource.context);
    match (&resource.git_object, &resource.live_object) {
        (Some(git), Some(live)) => {
            let left = yaml_text(Some(git));
            let right = yaml_text(Some(live));
            let diff = LineDiff::new(&left, &right);
            match diff.pieces(Fold::FOLDS) {
                Some(pieces) => diff_table(&diff, &pieces, (&git_title, &live_title), out),
                None => {
                    let why = if redact::is_secret(resource) {
                        "No line differences to show: secret values are hidden."
                    } else {
                        "No line differences to show."
                    };
                    writeln!(out, "<p class=\"note\">{why}</p>")
                }
            }
        }
        (Some(git), None) if resource.status == Status::Missing => {
            one_side(&yaml_text(Some(git)), true, (&git_title, &live_title), out)
        }
        (None, Some(live)) if resource.status == Status::Extra => one_side(
            &yaml_text(Some(live)),
            false,
            (&git_title, &live_title),
            out,
        ),
        _ => Ok(()),
    }
}

fn diff_head(titles: (&str, &str), out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "<div class=\"scroll\"><table class=\"diff\">\n<colgroup><col class=\"ln\"><col class=\"code\"><col class=\"ln\"><col class=\"code\"></colgroup>\n<thead><tr><th colspan=\"2\">{}</th><th colspan=\"2\">{}</th></tr></thead>",
        esc(titles.0),
        esc(titles.1)
    )
}

fn diff_table(
    diff: &LineDiff,
    pieces: &[Piece],
    titles: (&str, &str),
    out: &mut dyn Write,
) -> io::Result<()> {
    diff_head(titles, out)?;
    for piece in pieces {
        match piece {
            Piece::Hunk(hunk) => {
                writeln!(out, "<tbody>")?;
                for row in diff.rows(hunk) {
                    diff_row(&row, false, out)?;
                }
            }
            Piece::Gap(gap) => {
                let rows = diff.rows(gap);
                // A checkbox and `:has()` unfold it, so that this works without script.
                writeln!(
                    out,
                    "<tbody class=\"fold\"><tr class=\"toggle\"><td colspan=\"4\"><label><input type=\"checkbox\"><span>{}</span></label></td></tr>",
                    esc(&plural(rows.len(), "unchanged line", "unchanged lines"))
                )?;
                for row in &rows {
                    diff_row(row, true, out)?;
                }
            }
        }
        writeln!(out, "</tbody>")?;
    }
    writeln!(out, "</table></div>")
}

fn diff_row(row: &Row, folded: bool, out: &mut dyn Write) -> io::Result<()> {
    let (left, right) = match (row.mark, &row.left, &row.right) {
        (Mark::Replaced, Some((_, l)), Some((_, r))) => inline(l, r),
        (_, l, r) => (
            l.as_ref().map(|(_, t)| esc(t)).unwrap_or_default(),
            r.as_ref().map(|(_, t)| esc(t)).unwrap_or_default(),
        ),
    };
    let mark = match row.mark {
        Mark::Same => "same",
        Mark::Deleted => "del",
        Mark::Inserted => "ins",
        Mark::Replaced => "mod",
    };
    let side = |n: &Option<(usize, &str)>, text: &str, which: &str| match n {
        Some((n, _)) => {
            format!("<td class=\"ln {which}\">{n}</td><td class=\"code {which}\">{text}</td>")
        }
        None => format!("<td class=\"ln {which}\"></td><td class=\"code blank {which}\"></td>"),
    };
    let folded = if folded { "folded " } else { "" };
    writeln!(
        out,
        "<tr class=\"{folded}{mark}\">{}{}</tr>",
        side(&row.left, &left, "l"),
        side(&row.right, &right, "r")
    )
}

/// A replaced line pair as escaped HTML, the changed characters marked on both sides when
/// the lines are alike enough for that to help.
fn inline(old: &str, new: &str) -> (String, String) {
    let plain = || (esc(old), esc(new));
    if old.len() > MAX_INLINE || new.len() > MAX_INLINE {
        return plain();
    }
    let diff = TextDiff::configure()
        .timeout(Duration::from_millis(20))
        .diff_chars(old, new);
    if diff.ratio() < 0.5 {
        return plain();
    }
    // (changed, old text, new text) runs.
    let mut runs: Vec<(bool, String, String)> = Vec::new();
    for op in diff.ops() {
        let old_text: String = op.old_range().filter_map(|i| diff.old_slice(i)).collect();
        let new_text: String = op.new_range().filter_map(|i| diff.new_slice(i)).collect();
        runs.push((!matches!(op, DiffOp::Equal { .. }), old_text, new_text));
    }
    // Two changes split by a character or two read better as one.
    let last = runs.len().saturating_sub(1);
    for i in 1..last {
        if !runs[i].0 && runs[i].1.chars().count() < 3 && runs[i - 1].0 && runs[i + 1].0 {
            runs[i].0 = true;
        }
    }
    let mut merged: Vec<(bool, String, String)> = Vec::new();
    for run in runs {
        match merged.last_mut() {
            Some(prev) if prev.0 && run.0 => {
                prev.1.push_str(&run.1);
                prev.2.push_str(&run.2);
            }
            _ => merged.push(run),
        }
    }
    let mut left = String::new();
    let mut right = String::new();
    for (changed, o, n) in merged {
        if changed {
            if !o.is_empty() {
                left.push_str(&format!("<span class=\"hl\">{}</span>", esc(&o)));
            }
            if !n.is_empty() {
                right.push_str(&format!("<span class=\"hl\">{}</span>", esc(&n)));
            }
        } else {
            left.push_str(&esc(&o));
            right.push_str(&esc(&n));
        }
    }
    (left, right)
}

/// An object on one side only: its lines all changed, the other side a note.
fn one_side(text: &str, git: bool, titles: (&str, &str), out: &mut dyn Write) -> io::Result<()> {
    let lines: Vec<&str> = text.lines().collect();
    if lines.is_empty() {
        return Ok(());
    }
    diff_head(titles, out)?;
    writeln!(out, "<tbody>")?;
    let (mark, which, other_side, absent) = if git {
        ("del", "l", "r", "absent live")
    } else {
        ("ins", "r", "l", "no manifest in Git")
    };
    for (i, line) in lines.iter().enumerate() {
        let code = format!(
            "<td class=\"ln {which}\">{}</td><td class=\"code {which}\">{}</td>",
            i + 1,
            esc(line)
        );
        let other = if i == 0 {
            format!(
                "<td class=\"absent {other_side}\" colspan=\"2\" rowspan=\"{}\">{absent}</td>",
                lines.len()
            )
        } else {
            String::new()
        };
        if git {
            writeln!(out, "<tr class=\"{mark}\">{code}{other}</tr>")?;
        } else {
            writeln!(out, "<tr class=\"{mark}\">{other}{code}</tr>")?;
        }
    }
    writeln!(out, "</tbody></table></div>")
}

/// The page's style sheet: a light theme, a dark one when the system asks for it.
const CSS: &str = r##"
:root {
  color-scheme: light dark;
  --bg: #f5f6f8; --panel: #ffffff; --fg: #1f2328; --muted: #656d76; --border: #d8dee4;
  --head: #f6f8fa; --accent: #0969da;
  --drifted: #9a6700; --drifted-bg: #fff8c5; --drifted-bar: #d4a72c;
  --missing: #cf222e; --missing-bg: #ffebe9; --missing-bar: #e5534b;
  --extra: #8250df; --extra-bg: #fbefff; --extra-bar: #a371f7;
  --error: #a40e26; --error-bg: #ffebe9;
  --accepted: #1b7c83; --accepted-bg: #e0f6f6;
  --ignored: #57606a; --ignored-bg: #eaeef2;
  --in-sync: #1a7f37; --in-sync-bg: #dafbe1;
  --del-bg: #ffebe9; --del-hl: #ffb8b0; --del-ln: #ffd7d5;
  --ins-bg: #e6ffec; --ins-hl: #abf2bc; --ins-ln: #ccffd8;
  --mono: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --panel: #161b22; --fg: #e6edf3; --muted: #8d96a0; --border: #30363d;
    --head: #1c2128; --accent: #4493f8;
    --drifted: #d29922; --drifted-bg: rgba(187,128,9,.18); --drifted-bar: #d29922;
    --missing: #f85149; --missing-bg: rgba(248,81,73,.15); --missing-bar: #f85149;
    --extra: #bc8cff; --extra-bg: rgba(188,140,255,.15); --extra-bar: #a371f7;
    --error: #ff7b72; --error-bg: rgba(248,81,73,.15);
    --accepted: #39c5cf; --accepted-bg: rgba(57,197,207,.15);
    --ignored: #8d96a0; --ignored-bg: rgba(110,118,129,.2);
    --in-sync: #3fb950; --in-sync-bg: rgba(46,160,67,.15);
    --del-bg: rgba(248,81,73,.12); --del-hl: rgba(248,81,73,.4); --del-ln: rgba(248,81,73,.22);
    --ins-bg: rgba(46,160,67,.12); --ins-hl: rgba(46,160,67,.4); --ins-ln: rgba(46,160,67,.22);
  }
}
[hidden] { display: none !important; }
* { box-sizing: border-box; }
html { background: var(--bg); color: var(--fg); }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; }
code { font-family: var(--mono); font-size: 12.5px; }
.wrap { max-width: 1400px; margin: 0 auto; padding: 0 24px; }
.top { background: var(--panel); border-bottom: 1px solid var(--border); padding: 18px 0 14px; margin-bottom: 20px; }
h1 { font-size: 22px; margin: 0 0 2px; letter-spacing: -.01em; }
.meta { margin: 0; color: var(--muted); }
.verdict { display: inline-block; margin: 10px 0 0; padding: 4px 12px; border-radius: 999px; font-weight: 600; }
.verdict.drift { background: var(--drifted-bg); color: var(--drifted); }
.verdict.error { background: var(--error-bg); color: var(--error); }
.verdict.clean { background: var(--in-sync-bg); color: var(--in-sync); }
section { margin-bottom: 20px; }
.totals { display: grid; grid-template-columns: repeat(auto-fill, minmax(120px, 1fr)); gap: 10px; margin-bottom: 14px; }
.total { background: var(--panel); border: 1px solid var(--border); border-left: 4px solid var(--border); border-radius: 8px; padding: 8px 12px; }
.total .num { display: block; font-size: 24px; font-weight: 650; line-height: 1.2; font-variant-numeric: tabular-nums; }
.total .label { color: var(--muted); font-size: 12.5px; }
.total.zero .num { color: var(--muted); font-weight: 400; }
.t-drifted:not(.zero) { border-left-color: var(--drifted-bar); }
.t-missing:not(.zero) { border-left-color: var(--missing-bar); }
.t-extra:not(.zero) { border-left-color: var(--extra-bar); }
.t-errors:not(.zero) { border-left-color: var(--error); }
.t-accepted:not(.zero) { border-left-color: var(--accepted); }
.t-in-sync:not(.zero) { border-left-color: var(--in-sync); }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; }
.contexts, .fields, .list { width: 100%; background: var(--panel); border: 1px solid var(--border); border-radius: 8px; border-spacing: 0; border-collapse: separate; overflow: hidden; }
.contexts th, .contexts td, .fields th, .fields td, .list td { padding: 6px 10px; text-align: left; border-bottom: 1px solid var(--border); vertical-align: top; }
.contexts tr:last-child > *, .fields tr:last-child > *, .list tr:last-child > * { border-bottom: 0; }
.contexts thead th, .fields thead th { background: var(--head); font-size: 12px; font-weight: 600; color: var(--muted); vertical-align: bottom; line-height: 1.3; }
.contexts th, .contexts td { padding: 6px 8px; }
.contexts th.num, .contexts td.num { text-align: right; font-variant-numeric: tabular-nums; }
.contexts td.num { font-weight: 600; }
.contexts td.zero, .none { color: var(--muted); font-weight: 400 !important; }
.contexts td.t-drifted:not(.zero) { color: var(--drifted); }
.contexts td.t-missing:not(.zero), .contexts td.t-errors:not(.zero) { color: var(--missing); }
.contexts td.t-extra:not(.zero) { color: var(--extra); }
.contexts tr.failed th { color: var(--error); }
.notes { min-width: 200px; }
.notes p, .notes ul { margin: 0; }
.notes ul { padding-left: 16px; color: var(--drifted); }
.context-error { color: var(--error); }
.tag { display: inline-block; font-size: 12px; padding: 0 8px; border-radius: 999px; background: var(--ignored-bg); color: var(--ignored); }
#charts { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
@media (max-width: 900px) { #charts { grid-template-columns: 1fr; } }
.chart { margin: 0; background: var(--panel); border: 1px solid var(--border); border-radius: 8px; padding: 12px 16px; }
.chart figcaption { font-weight: 600; margin-bottom: 6px; }
.chart svg { max-width: 100%; height: auto; display: block; }
.chart text { fill: var(--fg); font-size: 12px; }
.chart text.count { fill: var(--muted); font-variant-numeric: tabular-nums; }
.seg.s-drifted, .key.s-drifted { fill: var(--drifted-bar); background: var(--drifted-bar); }
.seg.s-missing, .key.s-missing { fill: var(--missing-bar); background: var(--missing-bar); }
.seg.s-extra, .key.s-extra { fill: var(--extra-bar); background: var(--extra-bar); }
.legend { grid-column: 1 / -1; margin: 0; color: var(--muted); font-size: 12.5px; }
.key { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin: 0 4px 0 10px; }
.key:first-child { margin-left: 0; }
.empty, .note, .all-good { color: var(--muted); }
.filters { position: sticky; top: 0; z-index: 2; display: flex; flex-wrap: wrap; align-items: center; gap: 8px 16px; background: var(--panel); border: 1px solid var(--border); border-radius: 8px; padding: 10px 12px; margin-bottom: 16px; box-shadow: 0 2px 6px rgba(0,0,0,.06); }
#filter-text { flex: 1 1 260px; font: inherit; padding: 5px 10px; border: 1px solid var(--border); border-radius: 6px; background: var(--bg); color: var(--fg); }
#filter-text:focus { outline: 2px solid var(--accent); outline-offset: -1px; }
.chips { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; border: 0; margin: 0; padding: 0; }
.chips legend { float: left; color: var(--muted); font-size: 12px; margin-right: 4px; }
.chip { display: inline-flex; align-items: center; gap: 5px; padding: 2px 10px 2px 6px; border: 1px solid var(--border); border-radius: 999px; cursor: pointer; user-select: none; font-size: 13px; }
.chip input { margin: 0; accent-color: var(--accent); }
.chip .n { color: var(--muted); font-size: 12px; font-variant-numeric: tabular-nums; }
.chip:has(input:not(:checked)) { opacity: .5; }
.shown { color: var(--muted); font-size: 12.5px; margin-left: auto; }
.buttons { display: flex; gap: 6px; }
button { font: inherit; font-size: 12.5px; padding: 3px 10px; border: 1px solid var(--border); border-radius: 6px; background: var(--head); color: var(--fg); cursor: pointer; }
button:hover { border-color: var(--muted); }
.badge { display: inline-block; font-size: 12px; font-weight: 600; padding: 1px 9px; border-radius: 999px; white-space: nowrap; }
.badge.s-drifted, .chip.s-drifted span:first-of-type { color: var(--drifted); }
.badge.s-drifted { background: var(--drifted-bg); }
.badge.s-missing { background: var(--missing-bg); color: var(--missing); }
.badge.s-extra { background: var(--extra-bg); color: var(--extra); }
.badge.s-error { background: var(--error); color: #fff; }
.badge.s-accepted { background: var(--accepted-bg); color: var(--accepted); }
.badge.s-ignored { background: var(--ignored-bg); color: var(--ignored); }
.badge.s-in-sync { background: var(--in-sync-bg); color: var(--in-sync); }
.chip.s-missing span:first-of-type { color: var(--missing); }
.chip.s-extra span:first-of-type { color: var(--extra); }
.chip.s-error span:first-of-type { color: var(--error); }
.chip.s-accepted span:first-of-type { color: var(--accepted); }
.chip.s-in-sync span:first-of-type { color: var(--in-sync); }
.resource { background: var(--panel); border: 1px solid var(--border); border-left: 4px solid var(--border); border-radius: 8px; margin-bottom: 14px; }
.resource.s-drifted { border-left-color: var(--drifted-bar); }
.resource.s-missing { border-left-color: var(--missing-bar); }
.resource.s-extra { border-left-color: var(--extra-bar); }
.resource.s-error { border-left-color: var(--error); }
.resource.s-accepted { border-left-color: var(--accepted); }
.resource.s-ignored { border-left-color: var(--ignored); }
summary { cursor: pointer; list-style: none; }
summary::-webkit-details-marker { display: none; }
.resource > summary { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 10px; padding: 10px 14px; }
.resource > summary::before, .in-sync > summary::before { content: "▸"; color: var(--muted); display: inline-block; width: 10px; transition: transform .1s; }
.resource[open] > summary::before, .in-sync[open] > summary::before { transform: rotate(90deg); }
.resource[open] > summary { border-bottom: 1px solid var(--border); }
.kind { color: var(--muted); }
.name { font-weight: 650; font-size: 15px; word-break: break-all; }
.detail { color: var(--muted); font-size: 12.5px; }
.spacer { flex: 1; }
.context { font-size: 12.5px; padding: 1px 8px; border: 1px solid var(--border); border-radius: 6px; }
.origin { color: var(--muted); }
.body { padding: 12px 14px 14px; }
.body > * + * { margin-top: 12px; }
.message { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.message.error { color: var(--error); background: var(--error-bg); padding: 8px 12px; border-radius: 6px; }
.note { margin: 0; font-style: italic; }
.fields td.value { min-width: 9em; }
.fields td.value code { white-space: pre-wrap; overflow-wrap: anywhere; }
.fields td.git code { color: var(--missing); }
.fields td.live code { color: var(--in-sync); }
.fields td.absent { color: var(--muted); font-style: italic; }
.fields td.who { color: var(--muted); white-space: nowrap; }
@media (max-width: 900px) { .fields td.who { white-space: normal; } }
.fields td.who.unknown { font-style: italic; }
.ignored h4 { margin: 0 0 4px; font-size: 13px; color: var(--muted); font-weight: 600; }
.ignored ul { margin: 0; padding-left: 18px; }
.ignored .reason { color: var(--muted); }
.ignored .reason::before { content: "— "; }
.diff { width: 100%; table-layout: fixed; font-family: var(--mono); font-size: 12.5px; line-height: 1.45; border: 1px solid var(--border); border-radius: 6px; border-collapse: separate; border-spacing: 0; overflow: hidden; }
.diff col.ln { width: 3.6em; }
.diff thead th { text-align: left; font-family: system-ui, sans-serif; font-size: 12.5px; font-weight: 600; background: var(--head); padding: 6px 10px; border-bottom: 1px solid var(--border); overflow-wrap: anywhere; }
.diff thead th + th { border-left: 1px solid var(--border); }
.diff td { padding: 0 8px; vertical-align: top; }
.diff td.code { white-space: pre-wrap; overflow-wrap: anywhere; }
.diff td.ln { color: var(--muted); text-align: right; user-select: none; opacity: .8; padding-right: 6px; }
.diff td.ln.r, .diff td.absent.r { border-left: 1px solid var(--border); }
.diff tr.del td.l, .diff tr.mod td.l { background: var(--del-bg); }
.diff tr.ins td.r, .diff tr.mod td.r { background: var(--ins-bg); }
.diff tr.del td.ln.l, .diff tr.mod td.ln.l { background: var(--del-ln); }
.diff tr.ins td.ln.r, .diff tr.mod td.ln.r { background: var(--ins-ln); }
.diff td.blank { background: repeating-linear-gradient(135deg, transparent 0 6px, var(--head) 6px 12px) !important; }
.diff td.l .hl { background: var(--del-hl); border-radius: 2px; }
.diff td.r .hl { background: var(--ins-hl); border-radius: 2px; }
.diff td.absent { color: var(--muted); font-family: system-ui, sans-serif; font-style: italic; text-align: center; vertical-align: top; padding-top: 24px; background: repeating-linear-gradient(135deg, transparent 0 6px, var(--head) 6px 12px); }
.diff thead + tbody tr.toggle td { border-top: 0; }
.diff tbody:last-child tr.toggle td { border-bottom: 0; }
.diff tr.toggle td { background: var(--head); color: var(--muted); font-family: system-ui, sans-serif; font-size: 12px; padding: 2px 10px; border-top: 1px solid var(--border); border-bottom: 1px solid var(--border); }
.diff tr.toggle label { cursor: pointer; display: block; }
.diff tr.toggle input { position: absolute; opacity: 0; pointer-events: none; }
.diff tr.toggle span::before { content: "⋯ show "; }
.diff .fold:has(input:checked) tr.toggle span::before { content: "⋯ hide "; }
.diff tr.toggle label:hover { color: var(--accent); }
.diff tr.folded { display: none; }
.diff .fold:has(input:checked) tr.folded { display: table-row; }
.in-sync { background: var(--panel); border: 1px solid var(--border); border-left: 4px solid var(--in-sync); border-radius: 8px; }
.in-sync > summary { padding: 10px 14px; display: flex; gap: 10px; align-items: center; color: var(--muted); }
.in-sync .list { border: 0; border-top: 1px solid var(--border); border-radius: 0 0 8px 8px; }
.list td.name { font-weight: 600; font-size: 14px; }
.list td.origin { font-family: var(--mono); font-size: 12.5px; }
footer { color: var(--muted); font-size: 12px; padding-top: 8px; padding-bottom: 32px; }
"##;

/// The filters: a text box and a checkbox per status and per context, kept in the URL's
/// fragment. Reads everything from the DOM, so that no report data sits in script.
const SCRIPT: &str = r##"
(() => {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const bar = $("filters");
  const text = $("filter-text");
  const boxes = [...bar.querySelectorAll("input[data-filter]")];
  const items = [...document.querySelectorAll("[data-resource]")];
  const keys = ["status", "context"];
  const read = () => {
    const params = new URLSearchParams(location.hash.slice(1));
    if (params.has("q")) text.value = params.get("q");
    for (const key of keys) {
      if (!params.has(key)) continue;
      const on = params.get(key).split(",");
      for (const box of boxes) if (box.dataset.filter === key) box.checked = on.includes(box.value);
    }
  };
  const write = () => {
    const params = new URLSearchParams();
    if (text.value) params.set("q", text.value);
    for (const key of keys) {
      const group = boxes.filter((b) => b.dataset.filter === key);
      if (group.some((b) => !b.checked)) {
        params.set(key, group.filter((b) => b.checked).map((b) => b.value).join(","));
      }
    }
    const hash = params.toString();
    try {
      history.replaceState(null, "", hash ? "#" + hash : location.pathname + location.search);
    } catch (e) { /* some browsers refuse on file: URLs; the filters still work */ }
  };
  const apply = () => {
    const q = text.value.trim().toLowerCase();
    const on = { status: new Set(), context: new Set() };
    for (const box of boxes) if (box.checked) on[box.dataset.filter].add(box.value);
    let shown = 0;
    let inSync = 0;
    for (const item of items) {
      const d = item.dataset;
      const haystack = [d.kind, d.namespace, d.name, d.namespace + "/" + d.name].join(" ").toLowerCase();
      const ok = on.status.has(d.status) && on.context.has(d.context) && (!q || haystack.includes(q));
      item.hidden = !ok;
      if (ok) {
        shown += 1;
        if (d.status === "InSync") inSync += 1;
      }
    }
    $("shown-count").textContent = shown;
    $("no-match").hidden = shown > 0 || items.length === 0;
    const list = $("in-sync");
    if (list) {
      list.hidden = inSync === 0;
      $("in-sync-count").textContent = inSync + (inSync === 1 ? " resource" : " resources");
    }
  };
  const changed = () => { apply(); write(); };
  text.addEventListener("input", changed);
  for (const box of boxes) box.addEventListener("change", changed);
  window.addEventListener("hashchange", () => { read(); apply(); });
  const openAll = (open) => {
    for (const d of document.querySelectorAll("details.resource")) d.open = open;
  };
  $("expand-all").addEventListener("click", () => openAll(true));
  $("collapse-all").addEventListener("click", () => openAll(false));
  document.addEventListener("keydown", (e) => {
    if (e.key === "/" && document.activeElement !== text) { e.preventDefault(); text.focus(); }
    else if (e.key === "Escape" && document.activeElement === text) { text.value = ""; changed(); }
  });
  read();
  apply();
  bar.hidden = false;
  document.body.dataset.ready = "1";
})();
"##;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
    }

    #[test]
    fn inline_marks_the_changed_characters() {
        let (l, r) = inline("image: web:1.4.2", "image: web:1.4.3-hotfix");
        assert_eq!(l, "image: web:1.4.<span class=\"hl\">2</span>");
        assert_eq!(r, "image: web:1.4.<span class=\"hl\">3-hotfix</span>");
    }
}
