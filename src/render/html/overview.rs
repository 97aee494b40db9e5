//! The top of the page: its header, the summary counts per context, the charts of drift per
//! namespace and per kind, and the filter bar.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::{count, esc, plural, status_class, status_label, COUNTS, STATUSES};
use crate::drift::Status;
use crate::report::{truncate, Report, ResourceReport, Style};
use crate::source::short_commit;

/// Bars per chart; the rest are summed into one last bar.
const CHART_BARS: usize = 16;

pub(super) fn page_header(report: &Report, style: &Style, out: &mut dyn Write) -> io::Result<()> {
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
pub(super) fn summary(report: &Report, out: &mut dyn Write) -> io::Result<()> {
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
pub(super) fn charts(report: &Report, out: &mut dyn Write) -> io::Result<()> {
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
pub(super) fn filters(report: &Report, out: &mut dyn Write) -> io::Result<()> {
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
