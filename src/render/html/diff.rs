//! A resource's Git and live YAML as a side-by-side table: the hunks of the shared line diff
//! shown, the unchanged runs between them folded behind a toggle, and the changed characters
//! of a replaced line marked.

use std::io::{self, Write};
use std::time::Duration;

use similar::{DiffOp, TextDiff};

use super::{esc, plural};
use crate::drift::Status;
use crate::render::hunks::{Fold, LineDiff, Mark, Piece, Row};
use crate::report::{redact, yaml_text, ResourceReport};

/// Lines longer than this are not diffed character by character (cost grows with length,
/// and such lines are blobs where the highlight says little).
const MAX_INLINE: usize = 400;

/// The Git and live YAML next to each other; only one side for objects on one side only.
pub(super) fn diff(resource: &ResourceReport, out: &mut dyn Write) -> io::Result<()> {
    let git_title = match &resource.origin {
        Some(origin) => format!("Git · {}", origin.label()),
        None => "Git".to_string(),
    };
    let live_title = format!("Live · {}", resource.context);
    match (&resource.predicted_object, &resource.live_object) {
        (Some(git), Some(live)) => {
            let left = yaml_text(Some(git));
            let right = yaml_text(Some(live));
            let diff = LineDiff::new(&left, &right);
            // The left side is what applying the manifest would make of the object.
            let predicted_title = match &resource.origin {
                Some(origin) => format!("Predicted · {}", origin.label()),
                None => "Predicted".to_string(),
            };
            match diff.pieces(Fold::FOLDS) {
                Some(pieces) => diff_table(&diff, &pieces, (&predicted_title, &live_title), out),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_marks_the_changed_characters() {
        let (l, r) = inline("image: web:1.4.2", "image: web:1.4.3-hotfix");
        assert_eq!(l, "image: web:1.4.<span class=\"hl\">2</span>");
        assert_eq!(r, "image: web:1.4.<span class=\"hl\">3-hotfix</span>");
    }
}
