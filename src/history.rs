//! History: the JSON reports a scheduled check keeps in `--report-dir`, read back as a
//! timeline. Lists the runs, and per resource when its drift first appeared and when it
//! ended (or that it is still there). Pure: the edge reads the files.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;

/// The parts of a saved report that history needs.
#[derive(Debug, Clone, Deserialize)]
pub struct SavedReport {
    pub at: DateTime<Utc>,
    #[serde(default)]
    pub resources: Vec<SavedResource>,
    #[serde(default)]
    pub summary: Vec<SavedSummary>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SavedResource {
    pub context: String,
    pub group: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    pub status: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SavedSummary {
    pub context: String,
    #[serde(default)]
    pub drifted: usize,
    #[serde(default)]
    pub missing: usize,
    #[serde(default)]
    pub extra: usize,
    #[serde(default)]
    pub in_sync: usize,
    #[serde(default)]
    pub errors: usize,
    pub commit: Option<String>,
    pub error: Option<String>,
}

/// One period during which a resource drifted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    /// `context`, `Kind namespace/name`.
    pub context: String,
    pub resource: String,
    /// The statuses seen during the period, e.g. `Drifted` or `Missing, Drifted`.
    pub statuses: Vec<String>,
    pub first_seen: DateTime<Utc>,
    /// The first run that found it in sync again (or gone); `None` while it lasts.
    pub ended: Option<DateTime<Utc>>,
    /// How many runs saw it drifted.
    pub runs: usize,
}

fn is_drift(status: &str) -> bool {
    matches!(status, "Drifted" | "Missing" | "Extra")
}

/// The drift periods of every resource, oldest first. A resource absent from a later run
/// (no longer in Git, nor extra) ends its period at that run; a context that failed in a
/// run says nothing about its resources then.
pub fn periods(mut reports: Vec<SavedReport>) -> Vec<Period> {
    reports.sort_by_key(|r| r.at);
    let mut open: BTreeMap<(String, String), Period> = BTreeMap::new();
    let mut done = Vec::new();
    for report in &reports {
        let failed: Vec<&str> = report
            .summary
            .iter()
            .filter(|s| s.error.is_some())
            .map(|s| s.context.as_str())
            .collect();
        let mut seen = Vec::new();
        for r in &report.resources {
            let name = match &r.namespace {
                Some(ns) => format!("{} {ns}/{}", r.kind, r.name),
                None => format!("{} {}", r.kind, r.name),
            };
            let key = (r.context.clone(), format!("{}\u{0}{name}", r.group));
            seen.push(key.clone());
            if is_drift(&r.status) {
                let period = open.entry(key).or_insert_with(|| Period {
                    context: r.context.clone(),
                    resource: name,
                    statuses: Vec::new(),
                    first_seen: report.at,
                    ended: None,
                    runs: 0,
                });
                period.runs += 1;
                if !period.statuses.contains(&r.status) {
                    period.statuses.push(r.status.clone());
                }
            } else if r.status != "Error" {
                if let Some(mut period) = open.remove(&key) {
                    period.ended = Some(report.at);
                    done.push(period);
                }
            }
        }
        let gone: Vec<(String, String)> = open
            .keys()
            .filter(|k| !seen.contains(k) && !failed.contains(&k.0.as_str()))
            .cloned()
            .collect();
        for key in gone {
            if let Some(mut period) = open.remove(&key) {
                period.ended = Some(report.at);
                done.push(period);
            }
        }
    }
    done.extend(open.into_values());
    done.sort_by(|a, b| {
        (a.first_seen, &a.context, &a.resource).cmp(&(b.first_seen, &b.context, &b.resource))
    });
    done
}

/// Prints the runs of a report folder, oldest first, then each drift's span: when it was
/// first seen, and when it ended or that it is still there. Values read from the files are
/// escaped for the terminal.
pub fn print(mut reports: Vec<SavedReport>, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut line = |text: String| writeln!(out, "{}", crate::report::terminal_text(&text));
    reports.sort_by_key(|r| r.at);
    line(format!("Runs ({}):", reports.len()))?;
    for report in &reports {
        let contexts: Vec<String> = report
            .summary
            .iter()
            .map(|s| match &s.error {
                Some(error) => format!("{}: error: {error}", s.context),
                None => format!(
                    "{}: {} drifted, {} missing, {} extra, {} in sync{}",
                    s.context,
                    s.drifted,
                    s.missing,
                    s.extra,
                    s.in_sync,
                    s.commit
                        .as_deref()
                        .map(|c| format!(" · Git {}", crate::source::short_commit(c)))
                        .unwrap_or_default()
                ),
            })
            .collect();
        line(format!(
            "  {}  {}",
            report.at.format("%Y-%m-%d %H:%M:%SZ"),
            contexts.join("; ")
        ))?;
    }
    let periods = periods(reports);
    line(String::new())?;
    if periods.is_empty() {
        line("No drift in these runs.".into())?;
        return Ok(());
    }
    line("Drift:".into())?;
    for p in &periods {
        let span = match p.ended {
            Some(ended) => format!(
                "from {} to {} ({} run{})",
                p.first_seen.format("%Y-%m-%d %H:%M:%SZ"),
                ended.format("%Y-%m-%d %H:%M:%SZ"),
                p.runs,
                if p.runs == 1 { "" } else { "s" }
            ),
            None => format!(
                "since {}, still there ({} run{})",
                p.first_seen.format("%Y-%m-%d %H:%M:%SZ"),
                p.runs,
                if p.runs == 1 { "" } else { "s" }
            ),
        };
        line(format!(
            "  {}  {}  {}  {span}",
            p.context,
            p.resource,
            p.statuses.join(", ")
        ))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(at: &str, resources: &[(&str, &str)]) -> SavedReport {
        SavedReport {
            at: at.parse().unwrap(),
            resources: resources
                .iter()
                .map(|(name, status)| SavedResource {
                    context: "production".into(),
                    group: "apps".into(),
                    kind: "Deployment".into(),
                    namespace: Some("shop".into()),
                    name: name.to_string(),
                    status: status.to_string(),
                })
                .collect(),
            summary: Vec::new(),
        }
    }

    #[test]
    fn drift_periods_start_and_end() {
        let runs = vec![
            report(
                "2026-11-25T10:30:00Z",
                &[("web", "Drifted"), ("api", "InSync")],
            ),
            report(
                "2026-11-25T10:00:00Z",
                &[("web", "InSync"), ("api", "InSync")],
            ),
            report(
                "2026-11-25T11:00:00Z",
                &[("web", "InSync"), ("api", "Missing")],
            ),
            report(
                "2026-11-25T11:30:00Z",
                &[("web", "Error"), ("api", "Drifted")],
            ),
        ];
        let periods = periods(runs);
        assert_eq!(periods.len(), 2);
        assert_eq!(periods[0].resource, "Deployment shop/web");
        assert_eq!(
            periods[0].first_seen.to_rfc3339(),
            "2026-11-25T10:30:00+00:00"
        );
        assert_eq!(
            periods[0].ended.map(|e| e.to_rfc3339()).as_deref(),
            Some("2026-11-25T11:00:00+00:00")
        );
        assert_eq!(periods[1].resource, "Deployment shop/api");
        assert_eq!(periods[1].ended, None);
        assert_eq!(periods[1].statuses, ["Missing", "Drifted"]);
        assert_eq!(periods[1].runs, 2);
    }
}
