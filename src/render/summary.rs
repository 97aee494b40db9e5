//! The summary format: one aligned line per resource (status, context, kind, name, how many
//! fields drifted, where it is declared, and an error's message), then one line per context.

use std::io::{self, Write};

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::drift::Status;
use crate::report::{paint_status, truncate, Report, ResourceReport, Style};

/// Space between columns.
const SEPARATOR: &str = "  ";
/// Columns always left to the origin, however narrow the terminal.
const MIN_ORIGIN: usize = 12;
/// An error's message is left out rather than cut shorter than this.
const MIN_MESSAGE: usize = 16;

/// The columns before the origin, all padded to their widest cell.
const FIXED: usize = 5;

/// Writes one line per resource, in sync or not, then the line of each context.
pub fn render(report: &Report, style: &Style, out: &mut dyn Write) -> io::Result<()> {
    let rows: Vec<Row> = report.resources.iter().map(Row::of).collect();
    let mut widths = [0; FIXED];
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(&row.fixed) {
            *width = (*width).max(cell.width());
        }
    }
    let fixed: usize = widths.iter().map(|w| w + SEPARATOR.len()).sum();
    let origin_width = rows.iter().map(|r| r.origin.width()).max().unwrap_or(0);
    // A long origin loses its start: the file name and line are what identify it.
    let origin_width = origin_width.min(style.width.saturating_sub(fixed).max(MIN_ORIGIN));
    for (resource, row) in report.resources.iter().zip(&rows) {
        let mut line = String::new();
        for (cell, width) in row.fixed.iter().zip(widths) {
            line.push_str(&format!(
                "{cell}{}{SEPARATOR}",
                " ".repeat(width - cell.width())
            ));
        }
        let origin = truncate_start(&row.origin, origin_width);
        let room = style
            .width
            .saturating_sub(fixed + origin_width + SEPARATOR.len());
        match &row.message {
            Some(message) if room >= MIN_MESSAGE.min(message.width()) => {
                let pad = " ".repeat(origin_width - origin.width());
                line.push_str(&format!(
                    "{origin}{pad}{SEPARATOR}{}",
                    truncate(message, room)
                ));
            }
            _ => line.push_str(&origin),
        }
        // Narrower than the fixed columns themselves: cut, then color what is left.
        let line = truncate(&line, style.width);
        let status = widths[0].min(line.len());
        let (status, rest) = line.split_at(if line.is_char_boundary(status) {
            status
        } else {
            0
        });
        writeln!(
            out,
            "{}{rest}",
            paint_status(resource.status, status, style.color)
        )?;
    }
    if !rows.is_empty() && !report.contexts.is_empty() {
        writeln!(out)?;
    }
    for summary in &report.contexts {
        for line in summary.lines(style.width) {
            writeln!(out, "{line}")?;
        }
    }
    Ok(())
}

/// The cells of one resource's line.
struct Row {
    /// Status, context, kind, name and the number of drifted fields.
    fixed: [String; FIXED],
    /// `file:line`, or `-` when the resource has no origin.
    origin: String,
    /// The first line of an error's message.
    message: Option<String>,
}

impl Row {
    fn of(r: &ResourceReport) -> Row {
        let fields = match (r.status, r.fields.len()) {
            (Status::Drifted, 1) => "1 field".to_string(),
            (Status::Drifted, n) => format!("{n} fields"),
            _ => "-".to_string(),
        };
        Row {
            fixed: [
                r.status.to_string(),
                r.context.clone(),
                r.identity.kind.clone(),
                r.identity.namespaced_name(),
                fields,
            ],
            origin: match &r.origin {
                Some(o) => format!("{}:{}", o.file, o.line),
                None => "-".to_string(),
            },
            message: r
                .message
                .as_deref()
                .map(|m| m.lines().next().unwrap_or_default().to_string()),
        }
    }
}

/// `text` cut to at most `width` columns from the start, beginning with `…` when cut.
fn truncate_start(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let mut kept = Vec::new();
    let mut used = 1;
    for c in text.chars().rev() {
        used += c.width().unwrap_or(0);
        if used > width {
            break;
        }
        kept.push(c);
    }
    std::iter::once('…').chain(kept.into_iter().rev()).collect()
}
