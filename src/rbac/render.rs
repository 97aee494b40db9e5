//! `kubectl drift rbac`'s output: per context, the subjects besides the allowed ones that can
//! change the checked resources, each with its grants, and the hand edits the grants
//! explain; or one JSON document for every context. Values from the cluster are escaped
//! for the terminal.

use std::io::{self, Write};

use super::ContextEditors;
use crate::report::terminal_text;

/// One context in words.
pub fn text(answer: &ContextEditors, out: &mut dyn Write) -> io::Result<()> {
    let mut line = |text: String| writeln!(out, "{}", terminal_text(&text));
    let others = &answer.editors;
    if others.is_empty() {
        line(format!(
            "{}: no one but the allowed subjects can change these resources",
            answer.context
        ))?;
    } else {
        line(format!(
            "{}: {} grant(s) let others change these resources:",
            answer.context,
            others.len()
        ))?;
        let mut subjects: Vec<String> = others.iter().map(|g| g.subject.to_string()).collect();
        subjects.sort();
        subjects.dedup();
        for subject in subjects {
            line(format!("  {subject}"))?;
            for grant in others.iter().filter(|g| g.subject.to_string() == subject) {
                let scope = grant
                    .namespace
                    .as_deref()
                    .map(|ns| format!("in {ns}"))
                    .unwrap_or_else(|| "cluster-wide".into());
                let names = if grant.resource_names.is_empty() {
                    String::new()
                } else {
                    format!(" (only {})", grant.resource_names.join(", "))
                };
                line(format!(
                    "    {} {}{names} {scope}, by {} → {}",
                    grant.verbs.join(","),
                    grant.resources.join(","),
                    grant.binding,
                    grant.role
                ))?;
            }
        }
    }
    for note in &answer.notes {
        line(format!("  {note}"))?;
    }
    Ok(())
}

/// Every context as one JSON document, `{"contexts": [...]}`; JSON escapes control
/// characters itself.
pub fn json(answers: &[ContextEditors], out: &mut dyn Write) -> io::Result<()> {
    let document = serde_json::json!({ "contexts": answers });
    writeln!(
        out,
        "{}",
        serde_json::to_string_pretty(&document).unwrap_or_default()
    )
}
