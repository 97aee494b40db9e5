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

mod diff;
mod overview;
mod resources;

use std::io::{self, BufWriter, Write};

use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::drift::Status;
use crate::report::{ContextSummary, Report, Style};
use overview::{charts, filters, page_header, summary};
use resources::resources;

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
    crate::report::escape_markup(text)
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
        "ignored-fields" => summary.ignored_field_count,
        "in-sync" => summary.in_sync,
        "skipped-files" => summary.skipped_files,
        _ => 0,
    }
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
}
