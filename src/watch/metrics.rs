//! Prometheus metrics for `watch`: the text exposition format built from the latest report
//! and what earlier rounds remember (when each drift was first seen, errors, last
//! success). Cardinality stays bounded: series are per context, namespace, kind and status,
//! never per field; per-resource series only when asked for. Every series about a context
//! carries its identity (`target`, `cluster_uid`), so that a fleet's series aggregate by
//! cluster; so do the series about the watch process itself (rounds, requests, watches,
//! leader) when it checks one cluster, as a fleet's watches do. Pure: no I/O.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use crate::drift::Status;
use crate::report::{Report, ResourceReport};

/// Every status, so that a count that falls to zero is a zero, not a vanished series.
const STATUSES: [Status; 7] = [
    Status::InSync,
    Status::Drifted,
    Status::Missing,
    Status::Extra,
    Status::Accepted,
    Status::Ignored,
    Status::Error,
];

/// (context, group, kind, namespace, name): one resource across rounds.
pub type ResourceKey = (String, String, String, Option<String>, String);

pub fn key(r: &ResourceReport) -> ResourceKey {
    let id = &r.identity;
    (
        r.context.clone(),
        id.group.clone(),
        id.kind.clone(),
        id.namespace.clone(),
        id.name.clone(),
    )
}

/// Who a context's series belong to, on every series about it: the config target (the
/// context's name when no target names it), the key accepted records and alert state use;
/// and the cluster's identity, the `kube-system` namespace's UID (empty until read), which
/// tells apart a fleet's clusters whose contexts are all called `in-cluster`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContextIdentity {
    pub target: String,
    pub cluster_uid: String,
}

/// What `watch` remembers between rounds.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// When each resource's current drift was first seen.
    pub drift_since: BTreeMap<ResourceKey, DateTime<Utc>>,
    /// Rounds in which a context could not be checked, or held resources in error.
    pub errors: BTreeMap<String, u64>,
    /// The end of the last round that checked the context without a context error.
    pub last_success: BTreeMap<String, DateTime<Utc>>,
    pub rounds: u64,
    /// Seconds the last round took.
    pub last_duration: f64,
    /// Every context seen so far.
    pub contexts: BTreeSet<String>,
    /// Each context's resources as its last good round found them (without their objects):
    /// a failed round leaves the gauges at their last values instead of dropping them.
    pub resources: BTreeMap<String, Vec<ResourceReport>>,
    /// Whether the last round checked the context.
    pub up: BTreeMap<String, bool>,
    /// Each context's identity labels, as last learnt: a failed round keeps them.
    pub identities: BTreeMap<String, ContextIdentity>,
    /// What was alerted on each channel, when no state file keeps it.
    pub alerts: crate::notify::state::State,
    /// How many watches keep live state current, after the last round.
    pub watches: usize,
    /// Rounds whose alert state could not be read (no alert could be sent).
    pub alert_state_errors: u64,
}

impl History {
    /// Takes in one round's report (or, `None`, a round that failed before any context
    /// was checked).
    pub fn record(&mut self, report: Option<&Report>, now: DateTime<Utc>, duration: f64) {
        self.rounds += 1;
        self.last_duration = duration;
        let Some(report) = report else {
            let contexts: Vec<String> = if self.contexts.is_empty() {
                vec![String::new()]
            } else {
                self.contexts.iter().cloned().collect()
            };
            for context in contexts {
                *self.errors.entry(context).or_default() += 1;
            }
            for up in self.up.values_mut() {
                *up = false;
            }
            return;
        };
        let drifted: BTreeSet<ResourceKey> = report
            .resources
            .iter()
            .filter(|r| r.status.is_drift())
            .map(key)
            .collect();
        // A failed context tells nothing about its resources: keep their ages.
        let failed: BTreeSet<&str> = report
            .contexts
            .iter()
            .filter(|c| c.error.is_some())
            .map(|c| c.context.as_str())
            .collect();
        self.drift_since
            .retain(|k, _| drifted.contains(k) || failed.contains(k.0.as_str()));
        for k in drifted {
            self.drift_since.entry(k).or_insert(now);
        }
        for summary in &report.contexts {
            self.contexts.insert(summary.context.clone());
            if summary.error.is_some() || summary.errors > 0 {
                *self.errors.entry(summary.context.clone()).or_default() += 1;
            } else {
                self.errors.entry(summary.context.clone()).or_default();
            }
            if summary.error.is_none() {
                self.last_success.insert(summary.context.clone(), now);
                let kept: Vec<ResourceReport> = report
                    .resources
                    .iter()
                    .filter(|r| r.context == summary.context)
                    .map(|r| ResourceReport {
                        predicted_object: None,
                        live_object: None,
                        ..r.clone()
                    })
                    .collect();
                self.resources.insert(summary.context.clone(), kept);
            }
            self.up
                .insert(summary.context.clone(), summary.error.is_none());
            let known = self.identities.contains_key(&summary.context);
            let identity = self.identities.entry(summary.context.clone()).or_default();
            // A context that could not be checked may not know its target either (its
            // cluster out of reach): its series keep the labels they had.
            if summary.error.is_none() || !known {
                identity.target = summary
                    .target
                    .clone()
                    .unwrap_or_else(|| summary.context.clone());
            }
            // A round that could not reach the cluster does not know its UID: keep the last.
            if let Some(uid) = &summary.cluster_uid {
                identity.cluster_uid = uid.clone();
            }
        }
        self.keep_only(report);
    }

    /// Forgets contexts the report does not have (a config that no longer names them):
    /// their gauges would otherwise stay at their last values for good.
    fn keep_only(&mut self, report: &Report) {
        let present: BTreeSet<&str> = report.contexts.iter().map(|c| c.context.as_str()).collect();
        let kept = |context: &String| present.contains(context.as_str());
        self.contexts.retain(|c| kept(c));
        self.errors.retain(|c, _| kept(c));
        self.last_success.retain(|c, _| kept(c));
        self.resources.retain(|c, _| kept(c));
        self.up.retain(|c, _| kept(c));
        self.identities.retain(|c, _| kept(c));
    }

    /// The context's labels with its identity: `context`, `target`, `cluster_uid`.
    fn labelled<'a>(&'a self, context: &'a str) -> [(&'a str, &'a str); 3] {
        let identity = self.identities.get(context);
        [
            ("context", context),
            ("target", identity.map_or(context, |i| i.target.as_str())),
            (
                "cluster_uid",
                identity.map_or("", |i| i.cluster_uid.as_str()),
            ),
        ]
    }

    /// Every context's resources as last checked.
    fn last_resources(&self) -> impl Iterator<Item = &ResourceReport> {
        self.resources.values().flatten()
    }
}

fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn labels(pairs: &[(&str, &str)]) -> String {
    let inner: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
        .collect();
    format!("{{{}}}", inner.join(","))
}

/// The labels of the series about the watch process itself: when it checks one context, as
/// a fleet's watch does, that context's target and cluster, so that every series of a
/// fleet's watch names its cluster; none when it checks several (no one cluster is right).
pub fn process_labels(history: &History) -> String {
    match history.identities.iter().collect::<Vec<_>>().as_slice() {
        [(_, identity)] => labels(&[
            ("target", &identity.target),
            ("cluster_uid", &identity.cluster_uid),
        ]),
        _ => String::new(),
    }
}

/// The labels of a series about a context: its identity, then `more`.
fn context_labels(history: &History, context: &str, more: &[(&str, &str)]) -> String {
    let mut pairs = history.labelled(context).to_vec();
    pairs.extend_from_slice(more);
    labels(&pairs)
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// The metrics of the latest round, in Prometheus' text format.
pub fn exposition(
    report: Option<&Report>,
    history: &History,
    now: DateTime<Utc>,
    per_resource: bool,
) -> String {
    let mut out = String::new();
    let process = process_labels(history);
    let empty = Report::default();
    let report = report.unwrap_or(&empty);
    type Group = (String, String, String);
    let group = |r: &ResourceReport| -> Group {
        (
            r.context.clone(),
            r.identity.namespace.clone().unwrap_or_default(),
            r.identity.kind.clone(),
        )
    };

    header(
        &mut out,
        "kubectl_drift_resources",
        "gauge",
        "Resources checked in the last round, by context, namespace, kind and status.",
    );
    let mut counts: BTreeMap<Group, BTreeMap<Status, usize>> = BTreeMap::new();
    // As each context's last good round found them: a failed round keeps them.
    for r in history.last_resources() {
        *counts
            .entry(group(r))
            .or_default()
            .entry(r.status)
            .or_default() += 1;
    }
    for ((context, namespace, kind), by_status) in &counts {
        for status in STATUSES {
            let status_text = status.to_string();
            let _ = writeln!(
                out,
                "kubectl_drift_resources{} {}",
                context_labels(
                    history,
                    context,
                    &[
                        ("namespace", namespace),
                        ("kind", kind),
                        ("status", &status_text)
                    ]
                ),
                by_status.get(&status).copied().unwrap_or(0)
            );
        }
    }

    header(
        &mut out,
        "kubectl_drift_drifted_fields",
        "gauge",
        "Drifted fields of Drifted resources (not Accepted or Ignored ones) in the last good round, by context, namespace and kind.",
    );
    let mut fields: BTreeMap<Group, usize> = BTreeMap::new();
    for r in history.last_resources() {
        let n = if r.status == Status::Drifted {
            r.fields.len()
        } else {
            0
        };
        *fields.entry(group(r)).or_default() += n;
    }
    for ((context, namespace, kind), n) in &fields {
        let _ = writeln!(
            out,
            "kubectl_drift_drifted_fields{} {n}",
            context_labels(
                history,
                context,
                &[("namespace", namespace), ("kind", kind)]
            )
        );
    }

    header(
        &mut out,
        "kubectl_drift_drift_age_seconds",
        "gauge",
        "Seconds since the oldest current drift was first seen, by context, namespace and kind.",
    );
    let mut oldest: BTreeMap<Group, DateTime<Utc>> = BTreeMap::new();
    for ((context, _, kind, namespace, _), since) in &history.drift_since {
        let g = (
            context.clone(),
            namespace.clone().unwrap_or_default(),
            kind.clone(),
        );
        let entry = oldest.entry(g).or_insert(*since);
        *entry = (*entry).min(*since);
    }
    for ((context, namespace, kind), since) in &oldest {
        let _ = writeln!(
            out,
            "kubectl_drift_drift_age_seconds{} {}",
            context_labels(
                history,
                context,
                &[("namespace", namespace), ("kind", kind)]
            ),
            (now - *since).num_seconds().max(0)
        );
    }
    if per_resource {
        header(
            &mut out,
            "kubectl_drift_resource_drift_age_seconds",
            "gauge",
            "Seconds since this resource's current drift was first seen.",
        );
        for ((context, _, kind, namespace, name), since) in &history.drift_since {
            let _ = writeln!(
                out,
                "kubectl_drift_resource_drift_age_seconds{} {}",
                context_labels(
                    history,
                    context,
                    &[
                        ("namespace", namespace.as_deref().unwrap_or("")),
                        ("kind", kind),
                        ("name", name)
                    ]
                ),
                (now - *since).num_seconds().max(0)
            );
        }
    }

    header(
        &mut out,
        "kubectl_drift_last_success_timestamp_seconds",
        "gauge",
        "Unix time of the end of the last round that checked the context.",
    );
    for (context, at) in &history.last_success {
        let _ = writeln!(
            out,
            "kubectl_drift_last_success_timestamp_seconds{} {}",
            context_labels(history, context, &[]),
            at.timestamp()
        );
    }

    header(
        &mut out,
        "kubectl_drift_last_success_age_seconds",
        "gauge",
        "Seconds since the end of the last round that checked the context.",
    );
    for (context, at) in &history.last_success {
        let _ = writeln!(
            out,
            "kubectl_drift_last_success_age_seconds{} {}",
            context_labels(history, context, &[]),
            (now - *at).num_milliseconds().max(0) as f64 / 1000.0
        );
    }

    header(
        &mut out,
        "kubectl_drift_target_up",
        "gauge",
        "1 when the last round checked the context, 0 when it could not.",
    );
    for (context, up) in &history.up {
        let _ = writeln!(
            out,
            "kubectl_drift_target_up{} {}",
            context_labels(history, context, &[]),
            u8::from(*up)
        );
    }

    header(
        &mut out,
        "kubectl_drift_check_errors_total",
        "counter",
        "Rounds in which the context could not be checked or held resources in error.",
    );
    for (context, n) in &history.errors {
        let _ = writeln!(
            out,
            "kubectl_drift_check_errors_total{} {n}",
            context_labels(history, context, &[])
        );
    }

    header(
        &mut out,
        "kubectl_drift_alert_state_errors_total",
        "counter",
        "Rounds whose alert state could not be read: no alert was sent.",
    );
    let _ = writeln!(
        out,
        "kubectl_drift_alert_state_errors_total{process} {}",
        history.alert_state_errors
    );

    header(
        &mut out,
        "kubectl_drift_check_duration_seconds",
        "gauge",
        "How long the last round took, all contexts together.",
    );
    let _ = writeln!(
        out,
        "kubectl_drift_check_duration_seconds{process} {:.3}",
        history.last_duration
    );
    header(
        &mut out,
        "kubectl_drift_rounds_total",
        "counter",
        "Rounds run since start.",
    );
    let _ = writeln!(
        out,
        "kubectl_drift_rounds_total{process} {}",
        history.rounds
    );

    header(
        &mut out,
        "kubectl_drift_list_requests_total",
        "counter",
        "LIST requests the rounds sent since start, extra-object scans included; once watches run, later rounds send none.",
    );
    let _ = writeln!(
        out,
        "kubectl_drift_list_requests_total{process} {}",
        crate::cluster::live::LIST_REQUESTS.load(std::sync::atomic::Ordering::Relaxed)
    );

    header(
        &mut out,
        "kubectl_drift_watches",
        "gauge",
        "Watches keeping live state current (per context, type, namespace and selector); those no round reads any more are dropped.",
    );
    let _ = writeln!(out, "kubectl_drift_watches{process} {}", history.watches);

    header(
        &mut out,
        "kubectl_drift_git_reads_total",
        "counter",
        "Commits' manifests read since start; rounds re-read only when the ref moves.",
    );
    let _ = writeln!(
        out,
        "kubectl_drift_git_reads_total{process} {}",
        crate::source::GIT_READS.load(std::sync::atomic::Ordering::Relaxed)
    );

    header(
        &mut out,
        "kubectl_drift_helm_renders_total",
        "counter",
        "Helm charts rendered since start; rounds render again only when the commit, the chart's settings or the cluster's version and APIs change.",
    );
    let _ = writeln!(
        out,
        "kubectl_drift_helm_renders_total{process} {}",
        crate::check::helm::RENDERS.load(std::sync::atomic::Ordering::Relaxed)
    );

    header(
        &mut out,
        "kubectl_drift_git_info",
        "gauge",
        "The Git commit the last round compared, by context (always 1).",
    );
    for summary in &report.contexts {
        if let Some(commit) = &summary.commit {
            let _ = writeln!(
                out,
                "kubectl_drift_git_info{} 1",
                context_labels(history, &summary.context, &[("commit", commit)])
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drift::Identity;
    use crate::report::ContextSummary;

    fn resource(name: &str, status: Status) -> ResourceReport {
        ResourceReport::new(
            "production",
            Identity {
                group: "apps".into(),
                version: "v1".into(),
                kind: "Deployment".into(),
                namespace: Some("shop".into()),
                name: name.into(),
            },
            status,
        )
    }

    fn report(statuses: &[(&str, Status)]) -> Report {
        Report {
            resources: statuses.iter().map(|(n, s)| resource(n, *s)).collect(),
            contexts: vec![ContextSummary {
                context: "production".into(),
                target: Some("prod".into()),
                cluster_uid: Some("5b1e2c3d".into()),
                commit: Some("abc".into()),
                ..Default::default()
            }],
        }
    }

    #[test]
    fn drift_age_is_kept_across_rounds_and_ends_with_the_drift() {
        let t0: DateTime<Utc> = "2026-11-25T10:00:00Z".parse().unwrap();
        let t1 = t0 + chrono::Duration::seconds(300);
        let mut history = History::default();
        let first = report(&[("web", Status::Drifted), ("api", Status::InSync)]);
        history.record(Some(&first), t0, 1.5);
        let second = report(&[("web", Status::Drifted), ("api", Status::Missing)]);
        history.record(Some(&second), t1, 1.0);
        let text = exposition(Some(&second), &history, t1, true);
        assert!(text.contains(
            "kubectl_drift_drift_age_seconds{context=\"production\",target=\"prod\",cluster_uid=\"5b1e2c3d\",namespace=\"shop\",kind=\"Deployment\"} 300"
        ), "{text}");
        assert!(text.contains("kubectl_drift_resource_drift_age_seconds{context=\"production\",target=\"prod\",cluster_uid=\"5b1e2c3d\",namespace=\"shop\",kind=\"Deployment\",name=\"api\"} 0"));
        assert!(text.contains("status=\"Drifted\"} 1"));
        assert!(text.contains("status=\"Error\"} 0"));
        assert!(
            text.contains("kubectl_drift_rounds_total{target=\"prod\",cluster_uid=\"5b1e2c3d\"} 2")
        );
        let third = report(&[("web", Status::InSync), ("api", Status::InSync)]);
        history.record(Some(&third), t1, 1.0);
        assert!(history.drift_since.is_empty());
        let text = exposition(Some(&third), &history, t1, false);
        assert!(!text.contains("kubectl_drift_drift_age_seconds{"), "{text}");
        assert!(!text.contains("resource_drift_age"), "{text}");
    }

    #[test]
    fn failed_rounds_count_as_errors() {
        let t0: DateTime<Utc> = "2026-11-25T10:00:00Z".parse().unwrap();
        let mut history = History::default();
        history.record(Some(&report(&[("web", Status::InSync)])), t0, 1.0);
        history.record(None, t0, 1.0);
        let text = exposition(None, &history, t0, false);
        assert!(
            text.contains("kubectl_drift_check_errors_total{context=\"production\",target=\"prod\",cluster_uid=\"5b1e2c3d\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("kubectl_drift_last_success_timestamp_seconds{context=\"production\",target=\"prod\",cluster_uid=\"5b1e2c3d\"} ")
        );
        assert!(text.contains(
            "kubectl_drift_alert_state_errors_total{target=\"prod\",cluster_uid=\"5b1e2c3d\"} 0"
        ));
        history.alert_state_errors += 1;
        let text = exposition(None, &history, t0, false);
        assert!(text.contains(
            "kubectl_drift_alert_state_errors_total{target=\"prod\",cluster_uid=\"5b1e2c3d\"} 1"
        ));
    }

    #[test]
    fn a_failed_round_keeps_the_gauges_and_says_the_target_is_down() {
        let t0: DateTime<Utc> = "2026-11-25T10:00:00Z".parse().unwrap();
        let t1 = t0 + chrono::Duration::seconds(90);
        let mut history = History::default();
        let mut first = report(&[("web", Status::Drifted), ("api", Status::Accepted)]);
        for r in &mut first.resources {
            r.fields.push(crate::drift::FieldDrift {
                rating: None,
                path: Default::default(),
                git: None,
                live: None,
                attribution: None,
            });
        }
        history.record(Some(&first), t0, 1.0);
        let mut failed = report(&[]);
        failed.contexts[0].error = Some("timed out".into());
        // A round that cannot reach the cluster learns neither its UID nor its target; the
        // labels keep them.
        failed.contexts[0].cluster_uid = None;
        failed.contexts[0].target = None;
        history.record(Some(&failed), t1, 1.0);
        let text = exposition(Some(&failed), &history, t1, false);
        assert!(
            text.contains("kind=\"Deployment\",status=\"Drifted\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("kind=\"Deployment\",status=\"Accepted\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("kubectl_drift_drifted_fields{context=\"production\",target=\"prod\",cluster_uid=\"5b1e2c3d\",namespace=\"shop\",kind=\"Deployment\"} 1"),
            "an Accepted resource's fields are not drifted fields: {text}"
        );
        assert!(
            text.contains("kubectl_drift_target_up{context=\"production\",target=\"prod\",cluster_uid=\"5b1e2c3d\"} 0"),
            "{text}"
        );
        assert!(
            text.contains("kubectl_drift_last_success_age_seconds{context=\"production\",target=\"prod\",cluster_uid=\"5b1e2c3d\"} 90"),
            "{text}"
        );
        history.record(Some(&first), t1, 1.0);
        let text = exposition(Some(&first), &history, t1, false);
        assert!(
            text.contains("kubectl_drift_target_up{context=\"production\",target=\"prod\",cluster_uid=\"5b1e2c3d\"} 1"),
            "{text}"
        );
    }

    #[test]
    fn process_series_name_the_cluster_only_when_the_watch_checks_one() {
        let t0: DateTime<Utc> = "2026-11-25T10:00:00Z".parse().unwrap();
        let mut history = History::default();
        let one = report(&[("web", Status::InSync)]);
        history.record(Some(&one), t0, 1.0);
        let text = exposition(Some(&one), &history, t0, false);
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            assert!(
                line.contains("target=\"prod\",cluster_uid=\"5b1e2c3d\""),
                "{line}"
            );
        }
        let mut two = one.clone();
        two.contexts.push(ContextSummary {
            context: "staging".into(),
            cluster_uid: Some("77aa".into()),
            ..Default::default()
        });
        history.record(Some(&two), t0, 1.0);
        let text = exposition(Some(&two), &history, t0, false);
        assert!(text.contains("\nkubectl_drift_rounds_total 2\n"), "{text}");
        assert!(
            text.contains("kubectl_drift_target_up{context=\"staging\",target=\"staging\",cluster_uid=\"77aa\"} 1"),
            "{text}"
        );
    }

    #[test]
    fn a_context_the_config_no_longer_names_is_forgotten() {
        let t0: DateTime<Utc> = "2026-11-25T10:00:00Z".parse().unwrap();
        let mut history = History::default();
        let mut two = report(&[("web", Status::Drifted)]);
        two.contexts.push(ContextSummary {
            context: "staging".into(),
            ..Default::default()
        });
        history.record(Some(&two), t0, 1.0);
        assert!(exposition(Some(&two), &history, t0, false).contains("context=\"staging\""));
        let one = report(&[("web", Status::Drifted)]);
        history.record(Some(&one), t0, 1.0);
        let text = exposition(Some(&one), &history, t0, false);
        assert!(!text.contains("context=\"staging\""), "{text}");
        assert!(text.contains("context=\"production\""), "{text}");
    }
}
