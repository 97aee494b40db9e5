//! `fix`: walks the drift of a check, one resource at a time, and puts the Git state back
//! where the person (or `--yes`) says so, written as the pipeline's next deploy would write
//! it: a server-side apply as the pipeline's field manager, or for a client-side pipeline
//! an update as `kubectl apply` makes it (last-applied annotation included), always with
//! the live resourceVersion the diff was computed from as its precondition. Every write is
//! audited; every fixed resource is checked again.
//! Decisions come from a `Decider`, so the terminal prompts stay at the edge.

pub mod audit;
pub mod plan;
pub mod prompt;

use std::io::{self, Write};
use std::path::PathBuf;

use chrono::NaiveDate;

use crate::check::extra;
use crate::check::{self, Checked, Subject};
use crate::cluster::{errors, live, Catalog, Cluster};
use crate::drift::Status;
use crate::report::{side_by_side, terminal_text, ContextSummary, ResourceReport, Style};
use crate::settings::CheckSettings;

/// What to do with one drifted resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    Apply,
    Skip,
    Accept {
        reason: String,
        until: Option<NaiveDate>,
    },
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
            .any(|(_, o)| !matches!(o, Outcome::Fixed | Outcome::Accepted))
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
    let Checked {
        report,
        subjects,
        mut clusters,
        accepted_file,
    } = checked;
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
            && subjects[i].resource.is_none()
            && subjects[i].origin.is_some()
    };
    for (i, resource) in report.resources.iter().enumerate() {
        if resource.status == Status::Error && !unserved(i) {
            side_by_side::render_resource(resource, style, out)?;
            writeln!(out)?;
        }
    }
    let order = write_order(&report.resources, &subjects, &unserved);
    let mut catalogs: Vec<(String, Option<Catalog>)> = Vec::new();
    let mut quit = false;
    let mut entries = Vec::new();
    for i in order {
        let (mut resource, mut subject) = (report.resources[i].clone(), subjects[i].clone());
        if quit {
            summary.outcomes.push((resource, Outcome::NotReached));
            continue;
        }
        let cluster = clusters
            .iter()
            .find(|c| c.context == subject.context)
            .expect("a drifted resource comes from a connected context");
        if unserved(i) {
            // Served now, when a CRD written before it made its type.
            let catalog = catalogs.iter().find(|(c, _)| *c == cluster.context);
            let served = catalog
                .and_then(|(_, catalog)| catalog.as_ref())
                .and_then(|catalog| {
                    catalog.for_manifest(
                        subject.manifest["apiVersion"].as_str().unwrap_or_default(),
                        &subject.identity.kind,
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
                subject.identity.namespace = None;
                if let Some(meta) = subject.manifest["metadata"].as_object_mut() {
                    meta.remove("namespace");
                }
            }
            subject.resource = Some(resource_type);
            let (now, target) = check::recheck(cluster, &subject, &settings.check).await;
            (resource, subject) = (now, target);
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
            prune_one(settings, decider, style, out, cluster, resource, &subject).await?
        } else {
            fix_one(
                settings,
                decider,
                style,
                out,
                cluster,
                accepted_file.as_deref(),
                resource,
                subject.clone(),
            )
            .await?
        };
        if is_crd(&subject.identity) && matches!(outcome, Outcome::Fixed) {
            // The CRD is established (see `fix_one`): its types are served from now on.
            let catalog = Catalog::discover(cluster).await.ok();
            catalogs.retain(|(c, _)| *c != cluster.context);
            catalogs.push((cluster.context.clone(), catalog));
        }
        if outcome == Outcome::NotReached {
            quit = true;
        }
        if settings.save_plan.is_some() && outcome == Outcome::WouldApply {
            entries.push(plan::entry(&final_report, &subject)?);
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
        let commit = subjects.iter().find_map(|s| s.commit.clone());
        let saved = plan::FixPlan {
            api_version: plan::API_VERSION.into(),
            kind: plan::KIND.into(),
            commit,
            created: chrono::Utc::now(),
            entries,
        };
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

/// How many times one object may be diffed again because it moved under a write, before
/// it is skipped: something that keeps writing it would otherwise hold the run forever.
const MAX_REDIFFS: usize = 3;

// Everything one resource's fix touches; bundling them would only rename them.
#[allow(clippy::too_many_arguments)]
async fn fix_one(
    settings: &FixSettings,
    decider: &mut dyn Decider,
    style: &Style,
    out: &mut dyn Write,
    cluster: &Cluster,
    accepted_file: Option<&std::path::Path>,
    mut resource: ResourceReport,
    mut subject: Subject,
) -> Result<(ResourceReport, Outcome), FixError> {
    let mut force = false;
    let mut rediffs = 0;
    let secret = errors::is_secret(&subject.identity.group, &subject.identity.kind);
    loop {
        // A forced retry applies what was just shown; everything else shows the diff first.
        if !force {
            side_by_side::render_resource(&resource, style, out)?;
            writeln!(out)?;
            out.flush()?;
        }
        if settings.dry_run {
            writeln!(
                out,
                "would apply {} as {}\n",
                describe(&resource),
                subject.field_manager
            )?;
            return Ok((resource, Outcome::WouldApply));
        }
        let choice = if force {
            Choice::Apply
        } else {
            decider.choose(&resource)?
        };
        match choice {
            Choice::Skip => return Ok((resource, Outcome::Skipped)),
            Choice::Quit => return Ok((resource, Outcome::NotReached)),
            Choice::Show => {
                side_by_side::render_full(&resource, style, out)?;
                writeln!(out)?;
                continue;
            }
            Choice::Accept { reason, until } => {
                let Some(file) = accepted_file else {
                    let message = "accepted drift is recorded in a work tree; run fix in a clone of the repository".to_string();
                    writeln!(
                        out,
                        "{}: not accepted: {}\n",
                        describe(&resource),
                        terminal_text(&message)
                    )?;
                    return Ok((resource, Outcome::Failed(message)));
                };
                let by = cluster.user.clone().unwrap_or_else(|| "unknown".into());
                let outcome = crate::accepted::acceptance(&resource, &reason, until, &by)
                    .and_then(|record| crate::accepted::record(file, record));
                return Ok(match outcome {
                    Ok(()) => {
                        writeln!(out, "accepted: recorded in {}\n", file.display())?;
                        (resource, Outcome::Accepted)
                    }
                    Err(e) => (resource, Outcome::Failed(e.to_string())),
                });
            }
            Choice::Apply => {}
        }
        let Some(resource_type) = subject.resource.clone() else {
            return Ok((resource, Outcome::Failed("its type is not served".into())));
        };
        let (manifest, notes) = crate::ignore::without_ignored(&subject.manifest, &resource);
        for note in notes {
            writeln!(out, "{}: {}", describe(&resource), terminal_text(&note))?;
        }
        let created = resource.status == Status::Missing;
        // A client-side pipeline's objects are written as its `kubectl apply` writes them,
        // last-applied annotation included, so that its next deploy finds them current.
        let client_side = subject.field_manager == live::CLIENT_SIDE_APPLY;
        let action = if created { "create" } else { "apply" };
        if let Err(message) = audit_intent(settings, cluster, &subject, &resource, action) {
            writeln!(
                out,
                "{}: {}\n",
                describe(&resource),
                terminal_text(&message)
            )?;
            return Ok((resource, Outcome::Failed(message)));
        }
        // A missing object has no version to hold on to: it is created only if it still does
        // not exist (409 AlreadyExists otherwise, handled as a change since the diff).
        let result = if created {
            let body = match client_side {
                true => live::with_last_applied(&manifest, &subject.manifest),
                false => manifest,
            };
            live::create(
                cluster,
                &resource_type,
                subject.identity.namespace.as_deref(),
                &subject.identity.name,
                &body,
                &subject.field_manager,
            )
            .await
        } else if client_side {
            live::apply_client_side(
                cluster,
                &resource_type,
                subject.identity.namespace.as_deref(),
                &subject.identity.name,
                &manifest,
                &subject.manifest,
                subject.live_resource_version.as_deref(),
            )
            .await
        } else {
            live::apply(
                cluster,
                &resource_type,
                subject.identity.namespace.as_deref(),
                &subject.identity.name,
                &manifest,
                &live::ApplyOptions {
                    field_manager: &subject.field_manager,
                    force,
                    resource_version: subject.live_resource_version.as_deref(),
                },
            )
            .await
        };
        match result {
            Ok(_) => {
                audit_write(
                    settings,
                    cluster,
                    &subject,
                    &resource,
                    if created { "created" } else { "applied" },
                    None,
                )?;
                if is_crd(&subject.identity) {
                    // Its custom resources, later in the run, need the type served.
                    match live::wait_established(cluster, &resource_type, &subject.identity.name)
                        .await
                    {
                        Ok(true) => {}
                        Ok(false) => writeln!(
                            out,
                            "{}: not Established within {}s; its custom resources may fail",
                            describe(&resource),
                            live::ESTABLISHED_WAIT.as_secs()
                        )?,
                        Err(error) => writeln!(
                            out,
                            "{}: cannot read whether it is Established: {}",
                            describe(&resource),
                            terminal_text(&errors::describe(&error, false))
                        )?,
                    }
                }
                let (mut after, _) = check::recheck(cluster, &subject, &settings.check).await;
                crate::ignore::carry_over(&mut after, &resource);
                let outcome = if after.status == Status::InSync {
                    writeln!(out, "{}: in sync\n", describe(&after))?;
                    Outcome::Fixed
                } else {
                    writeln!(out, "{}: still differs after the apply (a mutating webhook or a controller may rewrite it):", describe(&after))?;
                    side_by_side::render_resource(&after, style, out)?;
                    writeln!(out)?;
                    Outcome::StillDrifted
                };
                return Ok((after, outcome));
            }
            Err(kube::Error::Api(status)) if status.code == 409 => {
                // The server weighs field ownership before the version, so look first whether
                // the object moved on since its diff was shown: then show the new diff and ask
                // again, before any talk of forcing.
                let (now, new_target) = check::recheck(cluster, &subject, &settings.check).await;
                let moved = new_target.live_resource_version != subject.live_resource_version;
                if moved || !is_field_conflict(&status) {
                    audit_write(
                        settings,
                        cluster,
                        &subject,
                        &resource,
                        "changed-since-diff",
                        Some(&errors::status_text(&status, secret)),
                    )?;
                    writeln!(
                        out,
                        "{} changed since its diff was shown; nothing was written. The new diff:\n",
                        describe(&resource)
                    )?;
                    rediffs += 1;
                    if rediffs > MAX_REDIFFS {
                        let reason = format!(
                            "changed {rediffs} times while being fixed (someone or something keeps writing it); skipped"
                        );
                        writeln!(out, "{}: {reason}\n", describe(&resource))?;
                        return Ok((now, Outcome::Skipped));
                    }
                    resource = now;
                    subject = new_target;
                    force = false;
                    if !resource.status.is_drift() {
                        writeln!(out, "{}: now {}\n", describe(&resource), resource.status)?;
                        let outcome = match resource.status {
                            Status::InSync => Outcome::Fixed,
                            _ => Outcome::Failed(resource.message.clone().unwrap_or_default()),
                        };
                        return Ok((resource, outcome));
                    }
                    continue;
                }
                audit_write(
                    settings,
                    cluster,
                    &subject,
                    &resource,
                    "conflict",
                    Some(&errors::status_text(&status, secret)),
                )?;
                let conflicts = conflict_lines(&status, secret);
                writeln!(
                    out,
                    "{} is also managed by others:\n{conflicts}",
                    describe(&resource)
                )?;
                if decider.force(&resource, &conflicts)? {
                    force = true;
                    continue;
                }
                return Ok((resource, Outcome::Skipped));
            }
            Err(error) => {
                let (outcome, message) = match &error {
                    kube::Error::Api(status) if status.code == 403 => {
                        ("forbidden", errors::status_text(status, secret))
                    }
                    other => ("failed", errors::describe(other, secret)),
                };
                audit_write(
                    settings,
                    cluster,
                    &subject,
                    &resource,
                    outcome,
                    Some(&message),
                )?;
                writeln!(
                    out,
                    "{}: not written: {}\n",
                    describe(&resource),
                    terminal_text(&message)
                )?;
                return Ok((resource, Outcome::Failed(message)));
            }
        }
    }
}

/// An `Extra` object: deleted with `--prune` (after asking, in a terminal), else left alone.
async fn prune_one(
    settings: &FixSettings,
    decider: &mut dyn Decider,
    style: &Style,
    out: &mut dyn Write,
    cluster: &Cluster,
    resource: ResourceReport,
    subject: &Subject,
) -> Result<(ResourceReport, Outcome), FixError> {
    // What Kubernetes, Helm or a controller made is never deleted, whatever the report says.
    if let Some(why) = extra::made_by_kubernetes(&subject.identity, &subject.manifest) {
        writeln!(out, "{}: left in place: {why}\n", describe(&resource))?;
        return Ok((resource, Outcome::Skipped));
    }
    let secret = errors::is_secret(&subject.identity.group, &subject.identity.kind);
    if !settings.prune {
        writeln!(
            out,
            "{}: live with no manifest in Git; left in place (--prune deletes such objects)\n",
            describe(&resource)
        )?;
        return Ok((resource, Outcome::Skipped));
    }
    side_by_side::render_resource(&resource, style, out)?;
    writeln!(out)?;
    if settings.dry_run {
        writeln!(out, "would delete {}\n", describe(&resource))?;
        return Ok((resource, Outcome::WouldApply));
    }
    loop {
        match decider.choose(&resource)? {
            Choice::Skip => return Ok((resource, Outcome::Skipped)),
            Choice::Quit => return Ok((resource, Outcome::NotReached)),
            Choice::Show => {
                side_by_side::render_full(&resource, style, out)?;
                writeln!(out)?;
            }
            Choice::Accept { .. } => {
                writeln!(
                    out,
                    "an object with no manifest cannot be accepted; add its manifest to Git instead\n"
                )?;
            }
            Choice::Apply => break,
        }
    }
    let Some(resource_type) = subject.resource.clone() else {
        return Ok((resource, Outcome::Failed("its type is not served".into())));
    };
    if let Err(message) = audit_intent(settings, cluster, subject, &resource, "delete") {
        writeln!(
            out,
            "{}: {}\n",
            describe(&resource),
            terminal_text(&message)
        )?;
        return Ok((resource, Outcome::Failed(message)));
    }
    let result = live::delete(
        cluster,
        &resource_type,
        subject.identity.namespace.as_deref(),
        &subject.identity.name,
        subject.live_resource_version.as_deref(),
    )
    .await;
    match result {
        Ok(()) => {
            audit_write(settings, cluster, subject, &resource, "deleted", None)?;
            let (after, _) = check::recheck(cluster, subject, &settings.check).await;
            if after.status == Status::InSync {
                writeln!(out, "{}: deleted\n", describe(&after))?;
                Ok((after, Outcome::Fixed))
            } else {
                writeln!(
                    out,
                    "{}: still live after the delete (finalizers may hold it)\n",
                    describe(&after)
                )?;
                Ok((after, Outcome::StillDrifted))
            }
        }
        Err(error) => {
            let message = match &error {
                kube::Error::Api(status) if status.code == 409 => {
                    format!(
                        "changed since it was shown; not deleted: {}",
                        errors::status_text(status, secret)
                    )
                }
                other => errors::describe(other, secret),
            };
            audit_write(
                settings,
                cluster,
                subject,
                &resource,
                "failed",
                Some(&message),
            )?;
            writeln!(
                out,
                "{}: not deleted: {}\n",
                describe(&resource),
                terminal_text(&message)
            )?;
            Ok((resource, Outcome::Failed(message)))
        }
    }
}

/// Where a kind stands among writes: what others need goes first. Namespaces and CRDs, then
/// ServiceAccounts, RBAC roles, their bindings, ConfigMaps and Secrets, then the rest.
fn rank(identity: &crate::drift::Identity) -> u8 {
    match (identity.group.as_str(), identity.kind.as_str()) {
        ("", "Namespace") | ("apiextensions.k8s.io", "CustomResourceDefinition") => 0,
        ("", "ServiceAccount") => 1,
        ("rbac.authorization.k8s.io", "ClusterRole" | "Role") => 2,
        ("rbac.authorization.k8s.io", "ClusterRoleBinding" | "RoleBinding") => 3,
        ("", "ConfigMap" | "Secret") => 4,
        _ => 5,
    }
}

fn is_crd(identity: &crate::drift::Identity) -> bool {
    identity.group == "apiextensions.k8s.io" && identity.kind == "CustomResourceDefinition"
}

/// The order of a run's writes, per context (in the report's order): applies and creates by
/// rank, then deletes of extra objects in the reverse order. `unserved` resources (a type
/// a CRD of the run may make) go with the applies.
fn write_order(
    resources: &[ResourceReport],
    subjects: &[Subject],
    unserved: &dyn Fn(usize) -> bool,
) -> Vec<usize> {
    let mut contexts: Vec<&str> = Vec::new();
    for s in subjects {
        if !contexts.contains(&s.context.as_str()) {
            contexts.push(&s.context);
        }
    }
    let mut order: Vec<(usize, bool, i16, usize)> = resources
        .iter()
        .enumerate()
        .filter(|(i, r)| r.status.is_drift() || unserved(*i))
        .map(|(i, r)| {
            let context = contexts
                .iter()
                .position(|c| *c == subjects[i].context)
                .unwrap_or_default();
            let rank = i16::from(rank(&r.identity));
            match r.status == Status::Extra {
                true => (context, true, -rank, i),
                false => (context, false, rank, i),
            }
        })
        .collect();
    order.sort();
    order.into_iter().map(|(.., i)| i).collect()
}

/// `Deployment shop/web (production)`, safe for the terminal.
fn describe(resource: &ResourceReport) -> String {
    terminal_text(&format!(
        "{} {} ({})",
        resource.identity.kind,
        resource.identity.namespaced_name(),
        resource.context
    ))
    .into_owned()
}

fn is_field_conflict(status: &kube::core::Status) -> bool {
    status
        .details
        .as_ref()
        .is_some_and(|d| d.causes.iter().any(|c| c.reason == "FieldManagerConflict"))
}

/// `  .spec.replicas  owned by kubectl (conflict with "kubectl" …)`, one per conflicting field.
/// For a Secret only the fields: the server's words are not passed on.
fn conflict_lines(status: &kube::core::Status, secret: bool) -> String {
    status
        .details
        .as_ref()
        .map(|d| {
            d.causes
                .iter()
                .filter(|c| c.reason == "FieldManagerConflict")
                .map(|c| match secret {
                    true => format!("  {}", terminal_text(&c.field)),
                    false => format!(
                        "  {}",
                        terminal_text(&format!("{}  {}", c.field, c.message))
                    ),
                })
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

/// The line before a write: what is about to be written, by whom. When it cannot be
/// written, neither is the object: the message says why.
fn audit_intent(
    settings: &FixSettings,
    cluster: &Cluster,
    subject: &Subject,
    resource: &ResourceReport,
    action: &str,
) -> Result<(), String> {
    audit_write(settings, cluster, subject, resource, "intent", Some(action)).map_err(|e| {
        format!(
            "not written: the audit log {} cannot be written: {e}",
            settings.audit_log.display()
        )
    })
}

fn audit_write(
    settings: &FixSettings,
    cluster: &Cluster,
    subject: &Subject,
    resource: &ResourceReport,
    outcome: &str,
    message: Option<&str>,
) -> io::Result<()> {
    let server = cluster.server_user.as_ref();
    audit::append(
        &settings.audit_log,
        &audit::AuditLine {
            time: chrono::Utc::now(),
            user: server.map(|u| u.username.as_str()),
            groups: server.map(|u| u.groups.as_slice()).unwrap_or_default(),
            kubeconfig_user: cluster.user.as_deref(),
            manager: (!subject.field_manager.is_empty()).then_some(&subject.field_manager),
            context: &cluster.context,
            identity: &subject.identity,
            commit: subject.commit.as_deref(),
            fields: resource.fields.iter().map(|f| f.path.to_string()).collect(),
            outcome,
            message,
        },
    )
}

fn write_summary(summary: &FixSummary, out: &mut dyn Write) -> io::Result<()> {
    let count =
        |want: fn(&Outcome) -> bool| summary.outcomes.iter().filter(|(_, o)| want(o)).count();
    let parts = [
        (count(|o| *o == Outcome::Fixed), "fixed"),
        (count(|o| *o == Outcome::StillDrifted), "still drifted"),
        (count(|o| *o == Outcome::Skipped), "skipped"),
        (count(|o| *o == Outcome::Accepted), "accepted"),
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
