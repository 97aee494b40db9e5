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

/// The page's style sheet: a light theme, a dark one when the system asks for it. A file of
/// its own so that it can be edited as CSS; `head` hashes whatever it holds into the CSP.
const CSS: &str = include_str!("style.css");

/// The filters: a text box and a checkbox per status and per context, kept in the URL's
/// fragment. Reads everything from the DOM, so that no report data sits in script.
const SCRIPT: &str = include_str!("filters.js");

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
