//! The side-by-side format, the default on a terminal: for every resource that is not in
//! sync, a header, one line per drifted field saying who changed it, and the changed parts of
//! the Git and live YAML next to each other, all within the terminal's width.

use std::io::{self, Write};

use owo_colors::OwoColorize;
use unicode_width::UnicodeWidthStr;

use super::hunks::{Fold, LineDiff, Mark, Piece};
use crate::drift::{FieldDrift, Status};
use crate::report::{
    attribution_text, header_line, redact, truncate, truncate_pair, value_text, wrap, yaml_text,
    Report, ResourceReport, Style,
};

/// Columns between the two sides: a space, the row's marker, the bar and a space.
const GUTTER: usize = 4;
/// Indentation of the lines under a header.
const INDENT: &str = "  ";
/// The fewest columns a cut field value is shown in.
const MIN_VALUE: usize = 8;

/// Writes every resource that is not in sync (or carries a note), then the line of each
/// context.
pub fn render(report: &Report, style: &Style, out: &mut dyn Write) -> io::Result<()> {
    let mut first = true;
    for resource in report
        .resources
        .iter()
        .filter(|r| r.status != Status::InSync || r.message.is_some())
    {
        if !first {
            writeln!(out)?;
        }
        first = false;
        resource_block(resource, style, Fold::HUNKS, out)?;
    }
    if !first && !report.contexts.is_empty() {
        writeln!(out)?;
    }
    for summary in &report.contexts {
        for line in summary.lines(style.width) {
            writeln!(out, "{line}")?;
        }
    }
    Ok(())
}

/// One resource: its header, drifted fields and the changed parts of its diff.
pub fn render_resource(
    resource: &ResourceReport,
    style: &Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    resource_block(resource, style, Fold::HUNKS, out)
}

/// One resource with both objects shown in full, changed lines marked.
pub fn render_full(
    resource: &ResourceReport,
    style: &Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    // No unchanged run is ever long enough to leave out.
    let all = Fold {
        context: usize::MAX,
        ..Fold::HUNKS
    };
    resource_block(resource, style, all, out)
}

fn resource_block(
    resource: &ResourceReport,
    style: &Style,
    fold: Fold,
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(out, "{}", header_line(resource, style.color, style.width))?;
    match resource.status {
        Status::InSync => match &resource.message {
            Some(note) => indented(note, style, false, out),
            None => Ok(()),
        },
        Status::Missing => {
            let text = match &resource.origin {
                Some(origin) => format!("in Git at {}, absent live", origin.label()),
                None => "in Git, absent live".to_string(),
            };
            indented(&text, style, false, out)
        }
        Status::Error => {
            let message = resource.message.as_deref().unwrap_or("unknown error");
            indented(message, style, true, out)
        }
        Status::Accepted | Status::Ignored => {
            let message = resource
                .message
                .as_deref()
                .unwrap_or("accepted as intentional");
            indented(message, style, false, out)
        }
        Status::Extra => {
            let message = resource
                .message
                .as_deref()
                .unwrap_or("live, with no manifest in Git");
            indented(message, style, false, out)
        }
        Status::Drifted => {
            for field in &resource.fields {
                writeln!(out, "{}", field_line(field, style))?;
            }
            if let Some(note) = ignored_note(resource) {
                indented(&note, style, false, out)?;
            }
            if let Some(message) = &resource.message {
                indented(message, style, false, out)?;
            }
            if let (Some(git), Some(live)) = (&resource.predicted_object, &resource.live_object) {
                let left = yaml_text(Some(git));
                let right = yaml_text(Some(live));
                // What applying the manifest would make of the object, not the file itself:
                // fields an ignore rule leaves to others show as live has them.
                let left_title = match &resource.origin {
                    Some(origin) => format!("predicted · {}", origin.label()),
                    None => "predicted".to_string(),
                };
                let right_title = format!("live · {}", resource.context);
                writeln!(out)?;
                let columns = Columns::new(style, fold);
                if !columns.diff(&left, &right, (&left_title, &right_title), out)? {
                    let why = if redact::is_secret(resource) {
                        "no line differences to show: secret values are hidden"
                    } else {
                        "no line differences to show"
                    };
                    indented(why, style, false, out)?;
                }
            }
            Ok(())
        }
    }
}

/// `2 fields ignored: spec.replicas (HPA owns replicas), …`, when rules hid any.
pub fn ignored_note(resource: &ResourceReport) -> Option<String> {
    let fields = &resource.ignored_fields;
    if fields.is_empty() {
        return None;
    }
    let list: Vec<String> = fields
        .iter()
        .map(|f| format!("{} ({})", f.path, f.reason))
        .collect();
    let count = match fields.len() {
        1 => "1 field ignored".to_string(),
        n => format!("{n} fields ignored"),
    };
    Some(format!("{count}: {}", list.join(", ")))
}

/// `  spec.replicas  3 → 5  kubectl (scale) · Update · 2h ago`. The values give way first
/// when the line is too long, down to none at all: they show in the diff below, the path and
/// the writer do not. Past that the line is cut at the width.
fn field_line(field: &FieldDrift, style: &Style) -> String {
    let path = field.path.to_string();
    let git = value_text(field.git.as_ref());
    let live = value_text(field.live.as_ref());
    let who = attribution_text(field, style.now);
    let fixed = INDENT.width() + path.width() + "  ".width() + " → ".width() + "  ".width();
    let room = style.width.saturating_sub(fixed + who.width());
    let parts = match share(room, git.width(), live.width()) {
        Some((git_room, live_room)) => {
            let (git, live) = truncate_pair(&git, &live, git_room, live_room);
            vec![
                (INDENT.to_string(), Paint::Plain),
                (path, Paint::Bold),
                ("  ".to_string(), Paint::Plain),
                (git, Paint::Red),
                (" → ".to_string(), Paint::Plain),
                (live, Paint::Green),
                ("  ".to_string(), Paint::Plain),
                (who, Paint::Plain),
            ]
        }
        None => vec![
            (INDENT.to_string(), Paint::Plain),
            (path, Paint::Bold),
            ("  ".to_string(), Paint::Plain),
            (who, Paint::Plain),
        ],
    };
    spans(&parts, style.width, style.color)
}

/// Splits `room` columns between two values `a` and `b` columns wide: a short one keeps its
/// full width and the long one takes the rest. None when either would shrink below
/// `MIN_VALUE` columns, where a cut value no longer says anything.
fn share(room: usize, a: usize, b: usize) -> Option<(usize, usize)> {
    if a + b <= room {
        return Some((a, b));
    }
    let half = room / 2;
    let (x, y) = if a <= half {
        (a, room - a)
    } else if b <= half {
        (room - b, b)
    } else {
        (half, room - half)
    };
    (x >= MIN_VALUE.min(a) && y >= MIN_VALUE.min(b)).then_some((x, y))
}

/// How a piece of a field line is drawn when colors are on.
#[derive(Clone, Copy)]
enum Paint {
    Plain,
    Bold,
    Red,
    Green,
}

/// Joins pieces of a line, each painted when `color` is on, cutting the line at `width`.
fn spans(parts: &[(String, Paint)], width: usize, color: bool) -> String {
    let mut line = String::new();
    let mut room = width;
    for (text, paint) in parts {
        let text = truncate(text, room);
        room -= text.width();
        match paint {
            _ if !color => line.push_str(&text),
            Paint::Plain => line.push_str(&text),
            Paint::Bold => line.push_str(&text.bold().to_string()),
            Paint::Red => line.push_str(&text.red().to_string()),
            Paint::Green => line.push_str(&text.green().to_string()),
        }
        if room == 0 {
            break;
        }
    }
    line
}

/// Writes `text` indented under a header, wrapped at word boundaries to the width.
pub(super) fn indented(
    text: &str,
    style: &Style,
    error: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let width = style.width.saturating_sub(INDENT.width()).max(1);
    for line in text.lines().flat_map(|l| wrap(l, width)) {
        if style.color && error {
            writeln!(out, "{INDENT}{}", line.red())?;
        } else {
            writeln!(out, "{INDENT}{line}")?;
        }
    }
    Ok(())
}

/// The changed parts of two YAML texts next to each other under their column titles,
/// given as data (`predicted`/`live` for `check`, the two sides for `compare`); false when
/// no line differs and nothing was written.
pub(super) fn two_columns(
    left: &str,
    right: &str,
    titles: (&str, &str),
    style: &Style,
    out: &mut dyn Write,
) -> io::Result<bool> {
    Columns::new(style, Fold::HUNKS).diff(left, right, titles, out)
}

/// The two columns of the diff and how to draw rows in them.
struct Columns {
    /// Width of each side.
    side: usize,
    color: bool,
    /// Where unchanged lines are left out.
    fold: Fold,
}

impl Columns {
    fn new(style: &Style, fold: Fold) -> Columns {
        Columns {
            side: style.width.saturating_sub(GUTTER) / 2,
            color: style.color,
            fold,
        }
    }

    /// Writes the changed parts of `left` and `right` next to each other under `titles`;
    /// false when the two texts have no line differences and nothing was written.
    fn diff(
        &self,
        left: &str,
        right: &str,
        titles: (&str, &str),
        out: &mut dyn Write,
    ) -> io::Result<bool> {
        let diff = LineDiff::new(left, right);
        let Some(pieces) = diff.pieces(self.fold) else {
            return Ok(false);
        };
        self.titles(titles, out)?;
        for piece in &pieces {
            match piece {
                // `…` wherever unchanged lines were left out, above, between and below hunks.
                Piece::Gap(_) => self.skipped(out)?,
                Piece::Hunk(hunk) => {
                    for row in diff.rows(hunk) {
                        let (left, right) = (row.left.map(|l| l.1), row.right.map(|r| r.1));
                        self.row(left, right, row.mark, out)?;
                    }
                }
            }
        }
        Ok(true)
    }

    fn titles(&self, (left, right): (&str, &str), out: &mut dyn Write) -> io::Result<()> {
        let left = truncate(left, self.side);
        let pad = " ".repeat(self.side - left.width());
        let right = truncate(right, self.side);
        if self.color {
            writeln!(out, "{}{pad}  │ {}", left.bold(), right.bold())?;
        } else {
            writeln!(out, "{left}{pad}  │ {right}")?;
        }
        let rule = "─".repeat(self.side);
        let rule = format!("{rule}──┼─{rule}");
        if self.color {
            writeln!(out, "{}", rule.dimmed())
        } else {
            writeln!(out, "{rule}")
        }
    }

    fn skipped(&self, out: &mut dyn Write) -> io::Result<()> {
        let pad = " ".repeat(self.side.saturating_sub(1));
        if self.color {
            writeln!(
                out,
                "{}{pad}  {} {}",
                "…".dimmed(),
                "│".dimmed(),
                "…".dimmed()
            )
        } else {
            writeln!(out, "…{pad}  │ …")
        }
    }

    fn row(
        &self,
        left: Option<&str>,
        right: Option<&str>,
        mark: Mark,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        // Tabs would move the text past the column they were measured for.
        let left = truncate(&left.unwrap_or_default().replace('\t', "    "), self.side);
        let right = truncate(&right.unwrap_or_default().replace('\t', "    "), self.side);
        let pad = " ".repeat(self.side - left.width());
        let marker = match mark {
            Mark::Same => ' ',
            Mark::Deleted => '-',
            Mark::Inserted => '+',
            Mark::Replaced => '~',
        };
        let gap = if right.is_empty() { "" } else { " " };
        if !self.color {
            return writeln!(out, "{left}{pad} {marker}│{gap}{right}");
        }
        let left_changed = matches!(mark, Mark::Deleted | Mark::Replaced);
        let right_changed = matches!(mark, Mark::Inserted | Mark::Replaced);
        let left = if left_changed {
            left.red().to_string()
        } else {
            left
        };
        let right = if right_changed {
            right.green().to_string()
        } else {
            right
        };
        let marker = match mark {
            Mark::Same => " ".to_string(),
            Mark::Deleted => "-".red().to_string(),
            Mark::Inserted => "+".green().to_string(),
            Mark::Replaced => "~".yellow().to_string(),
        };
        writeln!(out, "{left}{pad} {marker}{}{gap}{right}", "│".dimmed())
    }
}
