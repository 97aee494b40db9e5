//! The check pipeline: read the desired set, then for every selected context (concurrently)
//! discover, list the live objects once per (type, namespace), pair them with their
//! manifests, skip the dry run where the local pre-check proves a pair in sync, ask the
//! server for the predicted object elsewhere, and collect a `Report`. Nothing here prints;
//! progress goes to a callback.

mod compare;
mod context;
pub mod extra;
pub mod helm;
mod list;
mod place;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use futures::stream::{self, StreamExt};
use serde_json::Value;

use crate::accepted;
use crate::cluster::cache::LiveCache;
use crate::cluster::openapi;
use crate::cluster::{
    self, errors, kubeconfig, live, Catalog, Cluster, ClusterError, ResourceType,
};
use crate::drift::schema;
use crate::drift::{self, precheck, undeclared, Identity, PairDrift, Status};
use crate::ignore;
use crate::report::{redact, ContextSummary, Report, ResourceReport};
use crate::settings::config::{self, Config, ConfigError};
use crate::settings::{
    self, CheckSettings, KnownContexts, NamespaceScope, PlanError, Selection, TargetSettings,
};
use crate::severity;
use crate::source::{self, DesiredObject, DesiredSet, Origin, SourceError};
use compare::*;
use context::*;
use list::*;
use place::*;

/// What `watch` keeps between rounds: the desired sets of the current commit, and live
/// state kept current by watches.
#[derive(Debug, Default)]
pub struct Caches {
    pub desired: source::DesiredCache,
    pub live: LiveCache,
    /// Charts rendered, by commit, settings and cluster capabilities.
    pub renders: helm::Renders,
}

/// Failures that stop the whole run before any context is checked.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Cluster(#[from] ClusterError),
    #[error(transparent)]
    Accepted(#[from] accepted::AcceptError),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error(transparent)]
    Ignore(#[from] ignore::UnmatchableRule),
}

/// Why one context could not be checked.
#[derive(Debug, thiserror::Error)]
enum ContextError {
    #[error(transparent)]
    Cluster(#[from] ClusterError),
    #[error("{0}")]
    Selection(String),
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error("timed out: the API server did not answer within {}s (--request-timeout); the context was given up", .0.as_secs_f64())]
    TimedOut(std::time::Duration),
}

/// An error's text without the `context NAME: ` it may start with: it is shown where the
/// context is named already (its summary, `error: context NAME: …`).
fn without_context(context: &str, error: &dyn std::fmt::Display) -> String {
    let text = error.to_string();
    match text.strip_prefix(&format!("context {context}: ")) {
        Some(rest) => rest.to_string(),
        None => text,
    }
}

/// What the caller hears while a check runs: one more resource of a context is done.
#[derive(Debug, Clone)]
pub struct Progress {
    pub context: String,
    pub done: usize,
    pub total: usize,
}

/// Runs a whole check and returns its report.
pub async fn run(
    settings: &CheckSettings,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Report, CheckError> {
    // Without the handles, which hold every manifest once more and only `fix` and `rbac`
    // act on.
    Ok(checked(settings, None, progress, false).await?.report)
}

/// Runs a whole check as `run` does, reading Git and live state through what earlier
/// rounds of `watch` kept.
pub async fn run_cached(
    settings: &CheckSettings,
    caches: &Arc<Caches>,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Report, CheckError> {
    let checked = checked(settings, Some(caches), progress, false).await;
    // Watches this round did not read are dropped, whatever its outcome: kinds Git no
    // longer declares stop costing a watch each.
    if checked.is_ok() {
        caches.live.end_round();
    }
    Ok(checked?.report)
}

/// Runs a whole check and keeps, beside the report, the handles and clients behind it.
pub async fn run_checked(
    settings: &CheckSettings,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Checked, CheckError> {
    checked(settings, None, progress, true).await
}

async fn checked(
    settings: &CheckSettings,
    caches: Option<&Arc<Caches>>,
    progress: &(dyn Fn(Progress) + Sync),
    keep_handles: bool,
) -> Result<Checked, CheckError> {
    // The repository is opened (a URL one fetched) while the kubeconfig is read.
    let spec = settings.source.clone();
    let config_file = settings.config_file.clone();
    let opening = tokio::task::spawn_blocking(move || {
        let opened = source::open(&spec)?;
        let config = load_config(&opened, config_file.as_deref())?;
        Ok::<_, CheckError>((opened, config))
    });
    let kubeconfig = kubeconfig::load_kubeconfig(settings.cluster.kubeconfig.as_deref())?;
    let (opened, config) = opening.await.expect("opening Git does not panic")?;
    let mut known = KnownContexts {
        all: kubeconfig.contexts.iter().map(|c| c.name.clone()).collect(),
        current: kubeconfig.current_context.clone().filter(|c| !c.is_empty()),
        clusters: Default::default(),
    };
    // Targets pinned to a cluster take the contexts that reach it, whatever their names:
    // the identity of each context no target names is looked up (one GET each).
    let mut unidentified: BTreeMap<String, String> = BTreeMap::new();
    if let Some(config) = config
        .as_ref()
        .filter(|c| c.targets.iter().any(|t| t.cluster_uid.is_some()))
    {
        let named: Vec<&String> = config.targets.iter().flat_map(|t| &t.contexts).collect();
        let candidates: Vec<String> = if settings.cluster.all_contexts {
            known.all.clone()
        } else {
            settings.cluster.contexts.clone()
        };
        let lookups = candidates
            .into_iter()
            .filter(|c| !named.contains(&c) && known.all.contains(c))
            .map(|context| {
                let config = &kubeconfig;
                async move {
                    let timeout = settings.cluster.request_timeout;
                    let uid =
                        match kubeconfig::connect_with_timeout(config, &context, timeout).await {
                            Ok(cluster) => match kubeconfig::cluster_uid(&cluster).await {
                                Ok(uid) if uid.is_empty() => {
                                    Err("its kube-system namespace has no valid UID".to_string())
                                }
                                Ok(uid) => Ok(uid),
                                Err(error) => Err(without_context(&context, &error)),
                            },
                            Err(error) => Err(without_context(&context, &error)),
                        };
                    (context, uid)
                }
            });
        for (context, uid) in futures::future::join_all(lookups).await {
            match uid {
                Ok(uid) => {
                    known.clusters.insert(context, uid);
                }
                Err(why) => {
                    unidentified.insert(context, why);
                }
            }
        }
    }
    let mut plan = settings::plan(settings, config.as_ref(), &known)?;
    // A context whose cluster could not be told is not checked as no target's: with the
    // whole repository, under the wrong name. It is an error of its own, the others go on.
    let mut unresolved: Vec<ContextSummary> = Vec::new();
    for target in plan.iter_mut().filter(|t| t.name.is_none()) {
        target.contexts.retain(|context| match unidentified.get(context) {
            Some(why) => {
                unresolved.push(ContextSummary {
                    context: context.clone(),
                    error: Some(format!(
                        "cannot tell which target it is: {why}. The config pins targets by clusterUID: let this context read the kube-system namespace, or name it in its target's context:"
                    )),
                    ..Default::default()
                });
                false
            }
            None => true,
        });
    }
    plan.retain(|t| !t.contexts.is_empty());
    let opened = std::sync::Arc::new(opened);

    // Git is read while the clusters are reached and discovered: neither waits for the other.
    let reading = {
        let (opened, plan, caches) = (opened.clone(), plan.clone(), caches.cloned());
        tokio::task::spawn_blocking(move || {
            plan.iter()
                .map(|target| {
                    let desired = match &caches {
                        Some(caches) => caches.desired.read(&opened, &target.paths, &target.helm),
                        None => source::read(&opened, &target.paths, &target.helm),
                    }?;
                    Ok((desired, declared_set(&opened, target)))
                })
                .collect::<Result<Vec<(DesiredSet, Declaring)>, SourceError>>()
        })
    };
    let contexts: Vec<(usize, &String)> = plan
        .iter()
        .enumerate()
        .flat_map(|(i, t)| t.contexts.iter().map(move |c| (i, c)))
        .collect();
    let connecting = futures::future::join_all(contexts.iter().map(|(_, context)| {
        let config = &kubeconfig;
        let known_uid = known.clusters.get(*context).cloned();
        async move {
            let timeout = settings.cluster.request_timeout;
            let cluster = kubeconfig::connect_with_timeout(config, context, timeout).await?;
            // The identity labels the report and the metrics; a context that may not read
            // kube-system is checked all the same, without it.
            let identity = async {
                match known_uid {
                    Some(uid) => Some(uid),
                    None => kubeconfig::cluster_uid(&cluster).await.ok(),
                }
            };
            let (catalog, uid) = tokio::join!(Catalog::discover(&cluster), identity);
            Ok::<_, ContextError>((cluster, catalog?, uid))
        }
    }));
    let (desired, connected) = tokio::join!(reading, connecting);
    let desired = desired.expect("reading Git does not panic")?;
    let rules = config.as_ref().map_or(&[][..], |c| c.ignore.as_slice());
    let renders = caches.map(|c| c.renders.clone()).unwrap_or_default();
    let renders = &renders;
    let outcomes = futures::future::join_all(contexts.iter().zip(connected).map(
        |((index, context), connected)| {
            let ((desired, declaring), target) = (&desired[*index], &plan[*index]);
            let server = openapi::server_of(&kubeconfig, context);
            async move {
                let mut summary = ContextSummary {
                    context: (*context).clone(),
                    target: target.name.clone(),
                    skipped_files: desired.skipped_files.len(),
                    commit: desired.commit.clone(),
                    ..Default::default()
                };
                let outcome = match connected {
                    // A frozen server fails its own context at its first timed-out
                    // request; the other contexts go on.
                    Ok((cluster, catalog, uid)) => {
                        summary.cluster_uid = uid.filter(|u| !u.is_empty());
                        let deadline = cluster.deadline.clone();
                        tokio::select! {
                            outcome = check_context(cluster, catalog, &server, (desired, declaring), settings, target, progress, rules, caches.map(|c| &c.live), renders, keep_handles) => outcome,
                            after = deadline.passed() => Err(ContextError::TimedOut(after)),
                        }
                    }
                    Err(error) => Err(error),
                };
                let mut fits = Vec::new();
                let (pairs, cluster) = match outcome {
                    Ok(ContextOutcome {
                        pairs,
                        read_only,
                        cluster,
                        warnings,
                        rule_fits,
                    }) => {
                        fits = rule_fits;
                        summary.read_only = !read_only.is_empty();
                        summary.read_only_types = read_only;
                        summary.warnings = warnings;
                        (pairs, Some(cluster))
                    }
                    Err(error) => {
                        summary.error = Some(without_context(&summary.context, &error));
                        (Vec::new(), None)
                    }
                };
                summary.warnings.extend(desired.skipped_note());
                (pairs, summary, cluster, fits)
            }
        },
    ))
    .await;
    let accepted_in = config.as_ref().and_then(|c| c.accepted.as_deref());
    let mut checked = Checked {
        report: Report::default(),
        handles: Vec::new(),
        clusters: Vec::new(),
        accepted_file: accepted::location(&opened, accepted_in),
        work_tree: match &opened.kind {
            source::OpenedKind::Git { work_tree, .. } => work_tree.clone(),
            _ => None,
        },
        targets: plan.to_vec(),
    };
    let mut fits: Vec<Vec<ignore::SchemaFit>> = Vec::new();
    for (pairs, summary, cluster, context_fits) in outcomes {
        fits = merge_fits(fits, context_fits);
        for (report, handle) in pairs {
            checked.report.resources.push(report);
            checked.handles.extend(handle);
        }
        checked.report.contexts.push(summary);
        checked.clusters.extend(cluster);
    }
    checked.report.contexts.extend(unresolved);
    let today = chrono::Utc::now().date_naive();
    if let Some(config) = &config {
        ignore::check_rules(&checked.report.resources, &config.ignore)?;
        ignore::check_schema_fits(&config.ignore, &fits)?;
        ignore::apply(&mut checked.report.resources, &config.ignore, today);
    }
    let records = accepted::load_for(&opened, accepted_in)?;
    let targets: BTreeMap<String, String> = checked
        .report
        .contexts
        .iter()
        .filter_map(|c| Some((c.context.clone(), c.target.clone()?)))
        .collect();
    accepted::apply(&mut checked.report.resources, &records, &targets, today);
    // Judged before Secret values are hidden, on the fields left once ignore rules ran.
    severity::apply(&mut checked.report.resources);
    // Counted once every status is final, accepted drift included.
    for summary in &mut checked.report.contexts {
        summary.count(&checked.report.resources);
    }
    if !settings.show_secrets {
        checked.report.resources.iter_mut().for_each(redact::redact);
    }
    Ok(checked)
}

/// The schema fits of the contexts so far with one more context's (none when it failed).
fn merge_fits(
    so_far: Vec<Vec<ignore::SchemaFit>>,
    more: Vec<Vec<ignore::SchemaFit>>,
) -> Vec<Vec<ignore::SchemaFit>> {
    if so_far.is_empty() {
        return more;
    }
    if more.is_empty() {
        return so_far;
    }
    so_far
        .into_iter()
        .zip(more)
        .map(|(a, b)| a.into_iter().zip(b).map(|(a, b)| a.and(b)).collect())
        .collect()
}

/// Where the manifests a target declares come from, to tell its extra objects.
enum Declaring {
    /// The target does not track extra objects.
    Nothing,
    /// The desired set is all of them.
    Desired,
    /// The target's own paths at the commit, read whole: `-f` or `--path` chose less.
    Whole(DesiredSet),
    /// They could not be read whole: extra objects are not looked for, and why.
    Unknown(String),
}

/// What the target declares, whatever `-f`, `--path` or TYPE arguments chose: every
/// manifest of its own paths in the commit (for `-f`, the repository around the current
/// folder at `HEAD`).
fn declared_set(opened: &source::Opened, target: &TargetSettings) -> Declaring {
    let tracks = target.tracking_label.is_some() || !target.owned_namespaces.is_empty();
    let whole =
        |opened: &source::Opened| match source::read(opened, &target.own_paths, &target.helm) {
            Ok(set) => Declaring::Whole(set),
            Err(e) => Declaring::Unknown(format!(
                "extra objects not looked for: the target's manifests cannot be read whole: {e}"
            )),
        };
    match &opened.kind {
        _ if !tracks => Declaring::Nothing,
        source::OpenedKind::Git { .. } | source::OpenedKind::Releases { .. }
            if !target.paths_narrowed =>
        {
            Declaring::Desired
        }
        source::OpenedKind::Releases { .. } => Declaring::Desired,
        source::OpenedKind::Git { .. } => whole(opened),
        source::OpenedKind::Files(_) => {
            let spec = crate::settings::source::SourceSpec::Git {
                repo: crate::settings::source::RepoSpec::Local(None),
                rev: "HEAD".into(),
                paths: Vec::new(),
                offline: false,
                allow_remote_bases: opened.allow_remote_bases,
            };
            match source::open(&spec) {
                Ok(repository) => whole(&repository),
                Err(e) => Declaring::Unknown(format!(
                    "extra objects not looked for: -f reads files, and the commit of the target's manifests cannot be read: {e}"
                )),
            }
        }
    }
}

/// The config file: `--config`, else `.kubectl-drift.yaml` at the repository root (from the
/// commit, for a URL repository); none when there is no such file.
pub fn load_config(
    opened: &source::Opened,
    explicit: Option<&std::path::Path>,
) -> Result<Option<Config>, CheckError> {
    if let Some(path) = explicit {
        return Ok(Some(Config::load(path)?));
    }
    match opened.repo_file(config::FILE_NAME)? {
        Some((file, bytes)) => {
            let text = String::from_utf8_lossy(&bytes);
            Ok(Some(Config::parse(&file, &text)?))
        }
        None => Ok(None),
    }
}

/// Compares one handle again, from a fresh GET: after an apply, or when its object changed.
pub async fn recheck(
    cluster: &Cluster,
    handle: &ResourceHandle,
    settings: &CheckSettings,
) -> (ResourceReport, ResourceHandle) {
    let mut handle = handle.clone();
    let Some(resource) = handle.resource.clone() else {
        let (report, _) = compare(
            cluster,
            &handle,
            None,
            None,
            None,
            &Default::default(),
            settings,
            &ReadOnlyTypes::default(),
            None,
        )
        .await;
        return (report, handle);
    };
    let live = live::get(
        cluster,
        &resource,
        handle.identity.namespace.as_deref(),
        &handle.identity.name,
    )
    .await;
    let (live, error) = match live {
        Ok(live) => (live, None),
        Err(e) => (
            None,
            Some(format!(
                "cannot read the live object: {}",
                api_message(&e, is_secret(&handle.identity))
            )),
        ),
    };
    handle.live_resource_version = live.as_ref().and_then(resource_version);
    if handle.origin.is_none() && error.is_none() {
        let mut report = extra::recheck(&handle, live.as_ref());
        if !settings.show_secrets {
            redact::redact(&mut report);
        }
        return (report, handle);
    }
    let (mut report, _) = compare(
        cluster,
        &handle,
        live.as_ref(),
        error,
        None,
        &Default::default(),
        settings,
        &ReadOnlyTypes::default(),
        None,
    )
    .await;
    if !settings.show_secrets {
        redact::redact(&mut report);
    }
    (report, handle)
}

fn resource_version(object: &Value) -> Option<String> {
    object["metadata"]["resourceVersion"]
        .as_str()
        .map(str::to_string)
}

/// What it takes to compare, apply or re-check one resource: its identity, where it came
/// from, its type in that cluster, the manifest as it is sent (namespace filled in), and the
/// live version the comparison saw. Holds secret values: never rendered.
#[derive(Debug, Clone)]
pub struct ResourceHandle {
    pub context: String,
    pub identity: Identity,
    /// Where the manifest is written; none for an `Extra` object, which has no manifest.
    pub origin: Option<Origin>,
    pub resource: Option<ResourceType>,
    /// The manifest as sent; for an `Extra` object, the live object.
    pub manifest: Value,
    /// The field manager that dry runs and fixes of this resource use.
    pub field_manager: String,
    pub live_resource_version: Option<String>,
    /// The Git commit the manifest was read from.
    pub commit: Option<String>,
}

/// A check's report with what `fix` needs to act on it.
pub struct Checked {
    pub report: Report,
    /// One per entry of `report.resources`, in the same order.
    pub handles: Vec<ResourceHandle>,
    /// The connected clusters, by context.
    pub clusters: Vec<Cluster>,
    /// Where accepted drift is recorded; none for a URL repository, which has no work tree.
    pub accepted_file: Option<std::path::PathBuf>,
    /// The work tree of a local Git repository the manifests were read from.
    pub work_tree: Option<std::path::PathBuf>,
    /// The run's targets, as settled from flags, config and kubeconfig.
    pub targets: Vec<TargetSettings>,
}

#[cfg(test)]
mod context_text_tests {
    #[test]
    fn a_context_is_named_once() {
        let error = "context dead: discovery failed: connection refused";
        assert_eq!(
            super::without_context("dead", &error),
            "discovery failed: connection refused"
        );
        assert_eq!(super::without_context("other", &error), error);
    }
}
