//! `fix`: walks the drift of a check, one resource at a time, and puts the Git state back
//! where the person (or `--yes`) says so, written as the pipeline's next deploy would write
//! it: a server-side apply as the pipeline's field manager, or for a client-side pipeline
//! an update as `kubectl apply` makes it (last-applied annotation included), always with
//! the live resourceVersion and UID the diff was computed from as its precondition, so that
//! an object deleted since is never made anew. A context whose server leaves one request
//! unanswered is given up, as `check` gives it up; the write left unanswered is audited as
//! `unknown` and read back once. Every write is audited; every fixed resource is checked
//! again.
//! Decisions come from a `Decider`, so the terminal prompts stay at the edge.

pub mod accept;
pub mod audit;
mod one;
mod order;
pub mod plan;
pub mod prompt;
mod prune;

use std::io::{self, Write};
use std::path::PathBuf;

use chrono::NaiveDate;

use crate::check::extra;
use crate::check::{self, Checked, ResourceHandle};
use crate::cluster::{errors, live, Catalog, Cluster};
use crate::drift::Status;
use crate::render::side_by_side;
use crate::report::{terminal_text, ContextSummary, ResourceReport, Style};
use crate::settings::CheckSettings;
use one::*;
use order::*;
use prune::*;

/// What to do with one drifted resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    Apply,
    Skip,
    Accept {
        reason: String,
        until: Option<NaiveDate>,
    },
    /// Write the live values into the Git manifests (`kubectl drift adopt` for one).
    Adopt,
    Show,
    Quit,
}

/// Where decisions come from: a person at a terminal, or `--yes`.
pub trait Decider {
    /// The choice for a drifted or missing resource whose diff was just shown.
    fn choose(&mut self, resource: &ResourceReport) -> io::Result<Choice>;
    /// Whether to take over fields that other managers own, listed in `conflicts`.
    fn force(&mut self, resource: &ResourceReport, conflicts: &str) -> io::Result<bool>;
}

/// Applies everything, forcing conflicts: the pipeline's unattended remediation.
pub struct Unattended;

impl Decider for Unattended {
    fn choose(&mut self, _: &ResourceReport) -> io::Result<Choice> {
        Ok(Choice::Apply)
    }
    fn force(&mut self, _: &ResourceReport, _: &str) -> io::Result<bool> {
        Ok(true)
    }
}

/// How `fix` runs, beyond the check's settings.
#[derive(Debug, Clone)]
pub struct FixSettings {
    pub check: CheckSettings,
    pub dry_run: bool,
    pub audit_log: PathBuf,
    /// Delete `Extra` objects (live, tracked, with no manifest in Git).
    pub prune: bool,
    /// With `dry_run`: where to save the plan of what would be written.
    pub save_plan: Option<PathBuf>,
}

/// How one resource ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Applied (or created) and in sync on re-check.
    Fixed,
    /// Applied, but the re-check still finds drift (a webhook, say).
    StillDrifted,
    Skipped,
    Accepted,
    /// The live values were written into the work tree's manifests, to be committed.
    Adopted,
    /// Would be written (`--dry-run`).
    WouldApply,
    Failed(String),
    /// Not reached: the person quit first.
    NotReached,
}

/// The end of a fix run.
#[derive(Debug, Clone, Default)]
pub struct FixSummary {
    pub outcomes: Vec<(ResourceReport, Outcome)>,
    pub contexts: Vec<ContextSummary>,
    /// Resources that could not be checked at all.
    pub errors: usize,
}

impl FixSummary {
    /// 0 when everything chosen ended in sync, 1 when drift remains, 2 on errors (a write
    /// the server refused among them).
    pub fn exit_code(&self) -> i32 {
        let failed = self
            .outcomes
            .iter()
            .any(|(_, o)| matches!(o, Outcome::Failed(_)));
        if failed || self.errors > 0 || self.contexts.iter().any(|c| c.error.is_some()) {
            2
        } else if self
            .outcomes
            .iter()
            .any(|(_, o)| !matches!(o, Outcome::Fixed | Outcome::Accepted | Outcome::Adopted))
        {
            1
        } else {
            0
        }
    }
}

/// Errors that stop `fix` before it starts.
#[derive(Debug, thiserror::Error)]
pub enum FixError {
    #[error(transparent)]
    Check(#[from] check::CheckError),
    #[error(transparent)]
    Io(#[from] io::Error),
    #[error(transparent)]
    Plan(#[from] plan::PlanError),
}

/// Runs a check, then fixes what it found, writing diffs and results to `out`.
pub async fn run(
    settings: &FixSettings,
    decider: &mut dyn Decider,
    style: &Style,
    out: &mut dyn Write,
) -> Result<FixSummary, FixError> {
    let checked = check::run_checked(&settings.check, &|_| {}).await?;
    let at_head = crate::adopt::Repository::of(&checked).is_ok();
    let Checked {
        report,
        handles,
        mut clusters,
        accepted_file,
        work_tree,
        targets,
    } = checked;
    // Adopting writes into the work tree the check read, at HEAD.
    let adopting = match &work_tree {
        Some(tree) if at_head => Some(crate::adopt::Repository {
            work_tree: tree,
            targets: &targets,
        }),
        _ => None,
    };
    if !settings.dry_run {
        // Who the server says we are, for the audit log: the kubeconfig's user name is only
        // a name in a file.
        for cluster in &mut clusters {
            cluster.server_user = live::self_subject_review(cluster).await.ok();
        }
    }
    let mut summary = FixSummary {
        contexts: report.contexts.clone(),
        errors: report
            .resources
            .iter()
            .filter(|r| r.status == Status::Error)
            .count(),
        ..Default::default()
    };
    // A type not served yet may come with a CRD of this run: it gets its turn after them.
    let unserved = |i: usize| {
        report.resources[i].status == Status::Error
            && handles[i].resource.is_none()
            && handles[i].origin.is_some()
    };
    for (i, resource) in report.resources.iter().enumerate() {
        if resource.status == Status::Error && !unserved(i) {
            side_by_side::render_resource(resource, style, out)?;
            writeln!(out)?;
        }
    }
    let order = write_order(&report.resources, &handles, &unserved);
    let mut catalogs: Vec<(String, Option<Catalog>)> = Vec::new();
    let mut quit = false;
    let mut entries = Vec::new();
    for i in order {
        let (mut resource, mut handle) = (report.resources[i].clone(), handles[i].clone());
        if quit {
            summary.outcomes.push((resource, Outcome::NotReached));
            continue;
        }
        let cluster = clusters
            .iter()
            .find(|c| c.context == handle.context)
            .expect("a drifted resource comes from a connected context");
        if let Some(after) = given_up(cluster) {
            // As check does: a server that left one request unanswered is taken as frozen,
            // and nothing more is tried on it, rather than each write waiting out its own
            // timeout in turn.
            if let Some(context) = summary
                .contexts
                .iter_mut()
                .find(|c| c.context == cluster.context && c.error.is_none())
            {
                context.error = Some(format!(
                    "{}; the rest of this context was given up",
                    crate::cluster::TimedOut { after }
                ));
            }
            summary.outcomes.push((resource, Outcome::NotReached));
            continue;
        }
        if unserved(i) {
            // Served now, when a CRD written before it made its type.
            let catalog = catalogs.iter().find(|(c, _)| *c == cluster.context);
            let served = catalog
                .and_then(|(_, catalog)| catalog.as_ref())
                .and_then(|catalog| {
                    catalog.for_manifest(
                        handle.manifest["apiVersion"].as_str().unwrap_or_default(),
                        &handle.identity.kind,
                    )
                })
                .cloned();
            let Some(resource_type) = served else {
                side_by_side::render_resource(&resource, style, out)?;
                writeln!(out)?;
                continue;
            };
            summary.errors -= 1;
            if !resource_type.namespaced {
                handle.identity.namespace = None;
                if let Some(meta) = handle.manifest["metadata"].as_object_mut() {
                    meta.remove("namespace");
                }
            }
            handle.resource = Some(resource_type);
            let (now, target) = check::recheck(cluster, &handle, &settings.check).await;
            (resource, handle) = (now, target);
            if !resource.status.is_drift() {
                let outcome = match resource.status {
                    Status::Error => Outcome::Failed(resource.message.clone().unwrap_or_default()),
                    _ => Outcome::Fixed,
                };
                summary.outcomes.push((resource, outcome));
                continue;
            }
        }
        let (final_report, outcome) = if resource.status == Status::Extra {
            prune_one(settings, decider, style, out, cluster, resource, &handle).await?
        } else {
            fix_one(
                settings,
                decider,
                style,
                out,
                cluster,
                accepted_file.as_deref(),
                adopting,
                report
                    .contexts
                    .iter()
                    .find(|c| c.context == resource.context)
                    .and_then(|c| c.target.clone()),
                resource,
                handle.clone(),
            )
            .await?
        };
        if is_crd(&handle.identity) && matches!(outcome, Outcome::Fixed) {
            // The CRD is established (see `fix_one`): its types are served from now on.
            let catalog = Catalog::discover(cluster).await.ok();
            catalogs.retain(|(c, _)| *c != cluster.context);
            catalogs.push((cluster.context.clone(), catalog));
        }
        if outcome == Outcome::NotReached {
            quit = true;
        }
        if settings.save_plan.is_some() && outcome == Outcome::WouldApply {
            let body = planned_body(cluster, &final_report, &handle).await;
            let body = match body {
                Ok(body) => body,
                Err(error) => {
                    return Err(plan::PlanError::NotPlannable(format!(
                        "{}: cannot be read: {}",
                        describe(&final_report),
                        errors::describe(&error, false)
                    ))
                    .into())
                }
            };
            entries.push(plan::entry(&final_report, &handle, body)?);
        }
        summary.outcomes.push((final_report, outcome));
    }
    write_summary(&summary, out)?;
    if let Some(file) = &settings.save_plan {
        // A plan must be all of what `fix --yes` would do: one with holes is not saved.
        if summary.errors > 0 || summary.contexts.iter().any(|c| c.error.is_some()) {
            return Err(plan::PlanError::NotPlannable(format!(
                "{} selected resources could not be checked; the plan would be incomplete",
                summary.errors.max(1)
            ))
            .into());
        }
        let commit = handles.iter().find_map(|s| s.commit.clone());
        let contexts = plan_contexts(settings, &summary, &clusters, &entries).await?;
        let mut saved = plan::FixPlan {
            api_version: plan::API_VERSION.into(),
            kind: plan::KIND.into(),
            commit,
            created: chrono::Utc::now(),
            contexts,
            entries,
        };
        plan::seal(&mut saved);
        plan::save(&saved, file)?;
        writeln!(
            out,
            "plan saved to {} ({} entries); run it with kubectl drift fix --plan {}",
            terminal_text(&file.display().to_string()),
            saved.entries.len(),
            terminal_text(&file.display().to_string())
        )?;
    }
    Ok(summary)
}

/// What a plan entry will send: Git's manifest without ignored fields, and those the
/// pipeline's manager owns as they are live, as `fix --yes` would send it.
async fn planned_body(
    cluster: &Cluster,
    resource: &ResourceReport,
    handle: &ResourceHandle,
) -> Result<serde_json::Value, kube::Error> {
    let (body, _) = crate::ignore::without_ignored(&handle.manifest, resource);
    match (&handle.resource, resource.status) {
        (Some(rt), Status::Drifted) if handle.field_manager != live::CLIENT_SIDE_APPLY => {
            kept_ignored(cluster, rt, handle, resource, body).await
        }
        _ => Ok(body),
    }
}

/// The cluster each context of a plan reaches: the kubeconfig's server URL and the
/// `kube-system` namespace's UID. A context whose identity cannot be read is not planned.
async fn plan_contexts(
    settings: &FixSettings,
    summary: &FixSummary,
    clusters: &[Cluster],
    entries: &[plan::PlanEntry],
) -> Result<Vec<plan::PlanContext>, FixError> {
    let config = crate::cluster::load_kubeconfig(settings.check.cluster.kubeconfig.as_deref())
        .map_err(check::CheckError::from)?;
    let mut contexts: Vec<plan::PlanContext> = Vec::new();
    for e in entries {
        if contexts.iter().any(|c| c.name == e.context) {
            continue;
        }
        let not_plannable = |what: &str| {
            plan::PlanError::NotPlannable(format!(
                "context {}: {what}, which binds a plan to its cluster",
                terminal_text(&e.context)
            ))
        };
        let server = plan::server_of(&config, &e.context)
            .ok_or_else(|| not_plannable("the kubeconfig gives it no server"))?;
        let known = summary
            .contexts
            .iter()
            .find(|c| c.context == e.context)
            .and_then(|c| c.cluster_uid.clone());
        let uid = match known {
            Some(uid) => uid,
            None => match clusters.iter().find(|c| c.context == e.context) {
                Some(cluster) => crate::cluster::kubeconfig::cluster_uid(cluster)
                    .await
                    .unwrap_or_default(),
                None => String::new(),
            },
        };
        if uid.is_empty() {
            return Err(not_plannable("its kube-system namespace's UID cannot be read").into());
        }
        contexts.push(plan::PlanContext {
            name: e.context.clone(),
            server,
            cluster_uid: uid,
        });
    }
    Ok(contexts)
}

fn write_summary(summary: &FixSummary, out: &mut dyn Write) -> io::Result<()> {
    let count =
        |want: fn(&Outcome) -> bool| summary.outcomes.iter().filter(|(_, o)| want(o)).count();
    let parts = [
        (count(|o| *o == Outcome::Fixed), "fixed"),
        (count(|o| *o == Outcome::StillDrifted), "still drifted"),
        (count(|o| *o == Outcome::Skipped), "skipped"),
        (count(|o| *o == Outcome::Accepted), "accepted"),
        (count(|o| *o == Outcome::Adopted), "adopted"),
        (count(|o| *o == Outcome::WouldApply), "would be applied"),
        (count(|o| matches!(o, Outcome::Failed(_))), "failed"),
        (count(|o| *o == Outcome::NotReached), "not reached"),
        (summary.errors, "could not be checked"),
    ];
    let text: Vec<String> = parts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, word)| format!("{n} {word}"))
        .collect();
    if text.is_empty() {
        writeln!(out, "nothing to fix: everything selected is in sync")?;
    } else {
        writeln!(out, "fix: {}", text.join(", "))?;
    }
    for context in &summary.contexts {
        if let Some(error) = &context.error {
            writeln!(
                out,
                "{}",
                terminal_text(&format!("{}: error: {error}", context.context))
            )?;
        }
    }
    Ok(())
}

/// Helper for prompts: a `YYYY-MM-DD` date.
pub fn parse_date(text: &str) -> Result<Option<NaiveDate>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| format!("{text:?} is not a date like 2026-12-31"))
}
