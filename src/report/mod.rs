//! The report: plain data, one entry per resource and a summary per context, built after all
//! I/O is done. Secret values are hidden here, once, before any renderer sees them. The
//! renderers turn a report and a `Style` into text on any `impl Write`.

pub mod compare;
pub mod redact;

use chrono::{DateTime, Utc};
use owo_colors::OwoColorize;
use serde::Serialize;
use serde_json::Value;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::drift::IgnoredField;
use crate::drift::{FieldDrift, Identity, Status};
use crate::severity::Severity;
use crate::source::Origin;

/// Everything one run found.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub resources: Vec<ResourceReport>,
    pub contexts: Vec<ContextSummary>,
}

/// The outcome for one resource in one context.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceReport {
    pub context: String,
    pub identity: Identity,
    pub status: Status,
    pub origin: Option<Origin>,
    pub fields: Vec<FieldDrift>,
    /// For a drifted Secret: a keyed, slow digest of its drifted live values
    /// (`redact::live_digest`), so that accepted drift and alerts notice a further change
    /// without the values being kept. Never rendered.
    pub live_digest: Option<String>,
    /// Drifted fields an ignore rule hides, kept so that they are counted and can be shown.
    pub ignored_fields: Vec<IgnoredField>,
    /// Why the resource could not be checked, for `Error`.
    pub message: Option<String>,
    /// What applying Git would make of the object: the server's dry-run answer, normalized
    /// (for a missing object or a type compared by declared fields, the normalized manifest).
    pub predicted_object: Option<Value>,
    /// The normalized live object, for diffs.
    pub live_object: Option<Value>,
}

impl ResourceReport {
    /// A resource's report with nothing found yet: no fields, message, origin or objects.
    pub fn new(context: &str, identity: Identity, status: Status) -> ResourceReport {
        ResourceReport {
            context: context.to_string(),
            identity,
            status,
            origin: None,
            fields: Vec::new(),
            live_digest: None,
            ignored_fields: Vec::new(),
            message: None,
            predicted_object: None,
            live_object: None,
        }
    }
}

/// Totals and notes for one context.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ContextSummary {
    pub context: String,
    /// The config target the context belongs to, if any.
    pub target: Option<String>,
    /// The cluster's identity (its `kube-system` namespace's UID), when the context could
    /// read it: what tells apart clusters whose contexts share a name (`in-cluster`).
    pub cluster_uid: Option<String>,
    pub in_sync: usize,
    pub drifted: usize,
    pub missing: usize,
    pub accepted: usize,
    /// Resources left out by an ignore rule or annotation.
    pub ignored: usize,
    /// Drifted fields hidden by ignore rules, in resources that were checked.
    pub ignored_field_count: usize,
    /// Live objects a target tracks that have no manifest in Git.
    pub extra: usize,
    pub errors: usize,
    pub skipped_files: usize,
    /// The commit compared, when the manifests came from Git.
    pub commit: Option<String>,
    /// Set when dry runs were forbidden for some types and only their declared fields were
    /// compared.
    pub read_only: bool,
    /// The types compared by their declared fields (`roles.rbac.authorization.k8s.io`).
    pub read_only_types: Vec<String>,
    /// Set when the context itself could not be checked.
    pub error: Option<String>,
    /// What could not be looked at, without failing the check (kinds that could not be
    /// listed while searching for extra objects).
    pub warnings: Vec<String>,
}

impl ContextSummary {
    /// Fills the counts from the resources of this context.
    pub fn count(&mut self, resources: &[ResourceReport]) {
        for r in resources.iter().filter(|r| r.context == self.context) {
            match r.status {
                Status::InSync => self.in_sync += 1,
                Status::Drifted => self.drifted += 1,
                Status::Missing => self.missing += 1,
                Status::Accepted => self.accepted += 1,
                Status::Ignored => self.ignored += 1,
                Status::Extra => self.extra += 1,
                Status::Error => self.errors += 1,
            }
            self.ignored_field_count += r.ignored_fields.len();
        }
    }

    /// The summary line, then one `warning:` line per warning, wrapped to `width` with
    /// continuation lines indented.
    pub fn lines(&self, width: usize) -> Vec<String> {
        let indent = |text: &str, first: &str| -> Vec<String> {
            wrap(text, width.saturating_sub(2).max(1))
                .into_iter()
                .enumerate()
                .map(|(i, l)| {
                    if i == 0 {
                        format!("{first}{l}")
                    } else {
                        format!("  {l}")
                    }
                })
                .collect()
        };
        let mut lines = indent(&self.line(), "");
        for warning in &self.warnings {
            lines.extend(indent(&format!("warning: {warning}"), "  "));
        }
        lines
    }

    /// `production: 3 drifted, 1 missing, 42 in sync, 2 skipped files · Git abc1234`
    pub fn line(&self) -> String {
        let mut parts = Vec::new();
        if let Some(error) = &self.error {
            return format!("{}: error: {error}", self.context);
        }
        for (n, word) in [
            (self.drifted, "drifted"),
            (self.missing, "missing"),
            (self.extra, "extra"),
            (self.accepted, "accepted"),
            (self.ignored, "ignored"),
            (
                self.ignored_field_count,
                if self.ignored_field_count == 1 {
                    "ignored field"
                } else {
                    "ignored fields"
                },
            ),
            (
                self.errors,
                if self.errors == 1 { "error" } else { "errors" },
            ),
            (self.in_sync, "in sync"),
            (
                self.skipped_files,
                if self.skipped_files == 1 {
                    "skipped file"
                } else {
                    "skipped files"
                },
            ),
        ] {
            if n > 0 || word == "drifted" || word == "in sync" {
                parts.push(format!("{n} {word}"));
            }
        }
        let mut line = format!("{}: {}", self.context, parts.join(", "));
        if let Some(commit) = &self.commit {
            line.push_str(&format!(" · Git {}", crate::source::short_commit(commit)));
        }
        if self.read_only {
            line.push_str(" · read-only: declared fields only");
            if !self.read_only_types.is_empty() {
                line.push_str(&format!(" for {}", self.read_only_types.join(", ")));
            }
        }
        line
    }
}

/// Exit codes, as `kubectl diff` has them: in sync, drift, anything not checked.
pub const EXIT_IN_SYNC: i32 = 0;
pub const EXIT_DRIFT: i32 = 1;
pub const EXIT_ERROR: i32 = 2;

impl Report {
    /// 2 when anything could not be checked, else 1 on drift, else 0.
    pub fn exit_code(&self) -> i32 {
        if self.has_errors() {
            EXIT_ERROR
        } else if self.has_drift() {
            EXIT_DRIFT
        } else {
            EXIT_IN_SYNC
        }
    }

    /// Whether any resource drifted (exit 1).
    pub fn has_drift(&self) -> bool {
        self.resources.iter().any(|r| r.status.is_drift())
    }

    /// As [`Report::exit_code`], with only drift at or above `fail_on` counted (`--fail-on`);
    /// lower drift is still reported. `None`: every drift counts.
    pub fn exit_code_at(&self, fail_on: Option<Severity>) -> i32 {
        let Some(threshold) = fail_on else {
            return self.exit_code();
        };
        if self.has_errors() {
            EXIT_ERROR
        } else if self.resources.iter().any(|r| {
            r.status.is_drift()
                && crate::severity::of_resource(r)
                    .is_some_and(|rating| rating.severity >= threshold)
        }) {
            EXIT_DRIFT
        } else {
            EXIT_IN_SYNC
        }
    }

    /// Whether anything could not be checked (exit 2).
    pub fn has_errors(&self) -> bool {
        self.resources.iter().any(|r| r.status == Status::Error)
            || self.contexts.iter().any(|c| c.error.is_some())
    }
}

/// How to draw: colors, width and the clock, passed in as data.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
    pub width: usize,
    /// "Now", for "2h ago"; fixed in tests.
    pub now: DateTime<Utc>,
}

/// `kubectl-scale · Update · 2h ago` style attribution text.
pub fn attribution_text(field: &FieldDrift, now: DateTime<Utc>) -> String {
    attribution_with(field, |time| ago(now, time))
}

/// Attribution text with the time written by `when`: relative on a terminal, absolute in
/// messages read later.
pub fn attribution_with(field: &FieldDrift, when: impl Fn(DateTime<Utc>) -> String) -> String {
    attribution_words(field.attribution.as_ref(), when)
}

/// `kubectl (scale) · Update · 2h ago` for one attribution, or that none is recorded.
pub fn attribution_words(
    attribution: Option<&crate::drift::Attribution>,
    when: impl Fn(DateTime<Utc>) -> String,
) -> String {
    match attribution {
        Some(a) => {
            let mut text = a.manager.clone();
            if let Some(sub) = &a.subresource {
                text.push_str(&format!(" ({sub})"));
            }
            text.push_str(&format!(" · {}", a.operation));
            match a.time {
                Some(time) => text.push_str(&format!(" · {}", when(time))),
                // The API server records no time for writes through some subresources.
                None => text.push_str(" · time not recorded"),
            }
            text
        }
        None => "no recorded manager".to_string(),
    }
}

/// Text made safe for HTML and XML, in element content and quoted attribute values alike;
/// control characters that XML 1.0 cannot hold are dropped.
pub fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' | '\r' => out.push(c),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}

/// Text made safe for a terminal: control characters (C0, DEL and C1, which start escape
/// sequences) and bidirectional overrides become visible escapes (`\x1b`, `\u{202e}`), so
/// nothing from a cluster or a repository can move the cursor, recolor, retitle or reorder
/// what the terminal shows. Every renderer and prompt passes such text through here.
pub fn terminal_text(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char =
        |c: char| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x80 && unsafe_char(c) => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if unsafe_char(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A short relative time: `40s ago`, `5m ago`, `2h ago`, `3d ago`.
pub fn ago(now: DateTime<Utc>, then: DateTime<Utc>) -> String {
    let secs = (now - then).num_seconds().max(0);
    match secs {
        s if s < 60 => format!("{s}s ago"),
        s if s < 3600 => format!("{}m ago", s / 60),
        s if s < 86400 => format!("{}h ago", s / 3600),
        s => format!("{}d ago", s / 86400),
    }
}

/// A field value as one line of text; `(absent)` when the field is not there.
pub fn value_text(value: Option<&Value>) -> String {
    match value {
        None => "(absent)".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// An object as YAML, the text both diff formats compare; empty when there is no object.
pub fn yaml_text(object: Option<&Value>) -> String {
    match object {
        Some(value) => crate::yaml::to_string(value)
            .unwrap_or_else(|e| format!("# cannot show as YAML: {e}\n")),
        None => String::new(),
    }
}

/// Two values cut to their widths so that where they differ shows: the prefix they share
/// (a registry and image name, say) is cut from the front first, leaving `…` and a few
/// characters of it before the difference; what still does not fit is cut at the end.
pub fn truncate_pair(a: &str, b: &str, a_width: usize, b_width: usize) -> (String, String) {
    let (a, b) = (terminal_text(a), terminal_text(b));
    let common = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    let cut = |text: &str, width: usize| {
        if text.width() <= width {
            return text.to_string();
        }
        // A few shared characters stay as context before the difference.
        let skip = common.saturating_sub(4);
        if skip > 0 {
            let rest: String = text.chars().skip(skip).collect();
            return truncate(&format!("…{rest}"), width);
        }
        truncate(text, width)
    };
    (cut(&a, a_width), cut(&b, b_width))
}

/// `text` cut to at most `width` display columns, ending in `…` when something was cut.
/// Control characters come out escaped (`terminal_text`).
pub fn truncate(text: &str, width: usize) -> String {
    let text = terminal_text(text);
    let text = text.as_ref();
    if text.width() <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        // One column stays free for the ellipsis.
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    if width > 0 {
        out.push('…');
    }
    out
}

/// A status word colored by severity, when `color` is on.
pub fn paint_status(status: Status, text: &str, color: bool) -> String {
    if !color {
        return text.to_string();
    }
    match status {
        Status::InSync => text.green().to_string(),
        Status::Drifted => text.yellow().to_string(),
        Status::Missing => text.red().to_string(),
        Status::Accepted | Status::Ignored => text.cyan().to_string(),
        Status::Extra => text.magenta().to_string(),
        Status::Error => text.red().bold().to_string(),
    }
}

/// `Deployment shop/web  ·  production  ·  Drifted (2 fields)`: the line that opens a
/// resource in the diff formats, within `width` columns (the name gives way first).
pub fn header_line(resource: &ResourceReport, color: bool, width: usize) -> String {
    let status = match resource.status {
        Status::Drifted => match resource.fields.len() {
            1 => "Drifted (1 field)".to_string(),
            n => format!("Drifted ({n} fields)"),
        },
        other => other.to_string(),
    };
    let middle = format!("  ·  {}  ·  ", terminal_text(&resource.context));
    let name = format!(
        "{} {}",
        resource.identity.kind,
        resource.identity.namespaced_name()
    );
    let name = truncate(
        &name,
        width.saturating_sub(middle.width() + status.width()).max(1),
    );
    if color {
        format!(
            "{}{middle}{}",
            name.bold(),
            paint_status(resource.status, &status, true)
        )
    } else {
        format!("{name}{middle}{status}")
    }
}

/// Breaks `text` into lines of at most `width` columns, at spaces where it can.
/// Control characters come out escaped (`terminal_text`).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let text = terminal_text(text);
    let text = text.as_ref();
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let needed = if line.is_empty() {
            word.width()
        } else {
            line.width() + 1 + word.width()
        };
        if needed <= width {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        // A word longer than a whole line is cut into pieces.
        let mut rest = word;
        while rest.width() > width {
            let piece = take_columns(rest, width);
            lines.push(piece.to_string());
            rest = &rest[piece.len()..];
        }
        line.push_str(rest);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// The longest prefix of `text` at most `width` columns wide (at least one character).
fn take_columns(text: &str, width: usize) -> &str {
    let mut used = 0;
    for (i, c) in text.char_indices() {
        used += c.width().unwrap_or(0);
        if used > width {
            return &text[..i.max(c.len_utf8())];
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_pair_keeps_where_the_values_differ() {
        let git = "registry.example.com/shop/web:1.4.2";
        let live = "registry.example.com/shop/web:1.4.3-hotfix";
        let (a, b) = truncate_pair(git, live, 14, 10);
        assert_eq!((a.as_str(), b.as_str()), ("…1.4.2", "…1.4.3-ho…"));
        // Values that fit stay whole; values with nothing in common are cut at the end.
        assert_eq!(truncate_pair("3", "5", 5, 5), ("3".into(), "5".into()));
        assert_eq!(
            truncate_pair("abcdef", "xyzuvw", 4, 4),
            ("abc…".into(), "xyz…".into())
        );
    }

    #[test]
    fn terminal_text_escapes_every_control_character() {
        assert_eq!(terminal_text("plain ünïcode"), "plain ünïcode");
        assert_eq!(
            terminal_text("\u{1b}]0;x\u{7}\u{9b}\u{202e}\r\n\t\u{7f}"),
            r"\x1b]0;x\x07\u{9b}\u{202e}\r\n\t\x7f"
        );
        assert_eq!(truncate("\u{1b}[2J", 10), r"\x1b[2J");
        assert_eq!(wrap("a \u{1b}[8m", 80), vec![r"a \x1b[8m".to_string()]);
    }
}
