//! The unified format, like `kubectl diff`: one `diff -u` of the Git YAML against the live
//! YAML per resource that is not in sync. Everything else is a `#` comment line, so the
//! output stays a patch that `patch` and `git apply` accept.

use std::io::{self, Write};

use owo_colors::OwoColorize;
use similar::ChangeTag;

use super::hunks::{Fold, LineDiff, Piece};
use crate::drift::{Identity, Status};
use crate::report::{
    header_line, redact, terminal_text, truncate, wrap, yaml_text, Report, ResourceReport, Style,
};

/// Writes a diff per resource that is not in sync (a note for one in sync that carries
/// one), then the line of each context as a comment.
pub fn render(report: &Report, style: &Style, out: &mut dyn Write) -> io::Result<()> {
    for resource in report
        .resources
        .iter()
        .filter(|r| r.status != Status::InSync || r.message.is_some())
    {
        let header = header_line(resource, style.color, style.width.saturating_sub(2));
        writeln!(out, "# {header}")?;
        match resource.status {
            Status::InSync => {
                let note = resource.message.as_deref().unwrap_or_default();
                for line in wrap(note, style.width.saturating_sub(2)) {
                    comment(&line, style, out)?;
                }
            }
            Status::Accepted | Status::Ignored => {
                let message = resource.message.as_deref().unwrap_or("accepted");
                comment(
                    &truncate(message, style.width.saturating_sub(2)),
                    style,
                    out,
                )?;
            }
            Status::Error => {
                let message = resource.message.as_deref().unwrap_or("unknown error");
                let width = style.width.saturating_sub(2);
                for line in message
                    .lines()
                    .flat_map(|l| wrap(&format!("error: {l}"), width))
                {
                    comment(&line, style, out)?;
                }
            }
            _ => diff(resource, style, out)?,
        }
    }
    for summary in &report.contexts {
        for line in summary.lines(style.width.saturating_sub(2)) {
            comment(&line, style, out)?;
        }
    }
    Ok(())
}

/// The diff of one resource; a missing one diffs against nothing, every line removed.
pub fn diff(resource: &ResourceReport, style: &Style, out: &mut dyn Write) -> io::Result<()> {
    let old = yaml_text(resource.predicted_object.as_ref());
    let new = yaml_text(resource.live_object.as_ref());
    let name = file_name(&resource.identity);
    let secret = redact::is_secret(resource);
    patch(
        &old,
        &new,
        (&format!("predicted/{name}"), &format!("live/{name}")),
        secret,
        style,
        out,
    )
}

/// A `diff -u` of two texts under their file names (`predicted/…` and `live/…`, or the
/// two sides of a comparison), given as data.
pub(super) fn patch(
    old: &str,
    new: &str,
    (old_name, new_name): (&str, &str),
    secret: bool,
    style: &Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    let diff = LineDiff::new(old, new);
    let Some(pieces) = diff.pieces(Fold::HUNKS) else {
        let why = if secret {
            "no line differences to show: secret values are hidden"
        } else {
            "no line differences to show"
        };
        return comment(why, style, out);
    };
    for (marker, name) in [("---", old_name), ("+++", new_name)] {
        let line = format!("{marker} {}", terminal_text(name));
        if style.color {
            writeln!(out, "{}", line.bold())?;
        } else {
            writeln!(out, "{line}")?;
        }
    }
    // Unchanged lines between hunks are left out, as in any patch.
    for piece in &pieces {
        let Piece::Hunk(hunk) = piece else { continue };
        let header = diff.header(hunk);
        if style.color {
            writeln!(out, "{}", header.cyan())?;
        } else {
            writeln!(out, "{header}")?;
        }
        for (tag, value) in diff.changes(hunk) {
            let text = terminal_text(value.trim_end_matches('\n'));
            let line = format!("{tag}{text}");
            match tag {
                _ if !style.color => writeln!(out, "{line}")?,
                ChangeTag::Delete => writeln!(out, "{}", line.red())?,
                ChangeTag::Insert => writeln!(out, "{}", line.green())?,
                ChangeTag::Equal => writeln!(out, "{line}")?,
            }
        }
    }
    Ok(())
}

/// `apps.v1.Deployment.shop.web` as `kubectl diff` names its files; the core group and a
/// cluster-scoped object's namespace are left out.
pub(super) fn file_name(identity: &Identity) -> String {
    let mut parts = Vec::new();
    if !identity.group.is_empty() {
        parts.push(identity.group.as_str());
    }
    parts.extend([identity.version.as_str(), identity.kind.as_str()]);
    if let Some(namespace) = &identity.namespace {
        parts.push(namespace);
    }
    parts.push(&identity.name);
    parts.join(".")
}

pub(super) fn comment(text: &str, style: &Style, out: &mut dyn Write) -> io::Result<()> {
    let line = format!("# {}", terminal_text(text));
    if style.color {
        writeln!(out, "{}", line.dimmed())
    } else {
        writeln!(out, "{line}")
    }
}
