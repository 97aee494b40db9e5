//! The check pipeline: read the desired set, then for every selected context (concurrently)
//! discover, list the live objects once per (type, namespace), pair them with their
//! manifests, skip the dry run where the local pre-check proves a pair in sync, ask the
//! server for the predicted object elsewhere, and collect a `Report`. Nothing here prints;
//! progress goes to a callback.

pub mod extra;

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
use crate::source::{self, DesiredObject, DesiredSet, Origin, SourceError};

/// What `watch` keeps between rounds: the desired sets of the current commit, and live
/// state kept current by watches.
#[derive(Debug, Default)]
pub struct Caches {
    pub desired: source::DesiredCache,
    pub live: LiveCache,
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
    #[error("timed out: the API server did not answer within {}s (--request-timeout); the context was given up", .0.as_secs_f64())]
    TimedOut(std::time::Duration),
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
    // Without the subjects, which hold every manifest once more and only `fix` and `rbac`
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
    Ok(checked(settings, Some(caches), progress, false)
        .await?
        .report)
}

/// Runs a whole check and keeps, beside the report, the subjects and clients behind it.
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
    keep_subjects: bool,
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
    let known = KnownContexts {
        all: kubeconfig.contexts.iter().map(|c| c.name.clone()).collect(),
        current: kubeconfig.current_context.clone().filter(|c| !c.is_empty()),
    };
    let plan = settings::plan(settings, config.as_ref(), &known)?;
    let opened = std::sync::Arc::new(opened);

    // Git is read while the clusters are reached and discovered: neither waits for the other.
    let reading = {
        let (opened, plan, caches) = (opened.clone(), plan.clone(), caches.cloned());
        tokio::task::spawn_blocking(move || {
            plan.iter()
                .map(|target| {
                    let desired = match &caches {
                        Some(caches) => caches.desired.read(&opened, &target.paths),
                        None => source::read(&opened, &target.paths),
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
        async move {
            let timeout = settings.cluster.request_timeout;
            let cluster = kubeconfig::connect_with_timeout(config, context, timeout).await?;
            let catalog = Catalog::discover(&cluster).await?;
            Ok::<_, ContextError>((cluster, catalog))
        }
    }));
    let (desired, connected) = tokio::join!(reading, connecting);
    let desired = desired.expect("reading Git does not panic")?;
    let rules = config.as_ref().map_or(&[][..], |c| c.ignore.as_slice());
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
                    Ok((cluster, catalog)) => {
                        let deadline = cluster.deadline.clone();
                        tokio::select! {
                            outcome = check_context(cluster, catalog, &server, (desired, declaring), settings, target, progress, rules, caches.map(|c| &c.live), keep_subjects) => outcome,
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
                        summary.error = Some(error.to_string());
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
        subjects: Vec::new(),
        clusters: Vec::new(),
        accepted_file: accepted::location(&opened, accepted_in),
    };
    let mut fits: Vec<Vec<ignore::SchemaFit>> = Vec::new();
    for (pairs, summary, cluster, context_fits) in outcomes {
        fits = merge_fits(fits, context_fits);
        for (report, subject) in pairs {
            checked.report.resources.push(report);
            checked.subjects.extend(subject);
        }
        checked.report.contexts.push(summary);
        checked.clusters.extend(cluster);
    }
    let today = chrono::Utc::now().date_naive();
    if let Some(config) = &config {
        ignore::check_rules(&checked.report.resources, &config.ignore)?;
        ignore::check_schema_fits(&config.ignore, &fits)?;
        ignore::apply(&mut checked.report.resources, &config.ignore, today);
    }
    let records = accepted::load_for(&opened, accepted_in)?;
    accepted::apply(&mut checked.report.resources, &records, today);
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
    let whole = |opened: &source::Opened| match source::read(opened, &target.own_paths) {
        Ok(set) => Declaring::Whole(set),
        Err(e) => Declaring::Unknown(format!(
            "extra objects not looked for: the target's manifests cannot be read whole: {e}"
        )),
    };
    match &opened.kind {
        _ if !tracks => Declaring::Nothing,
        source::OpenedKind::Git { .. } if !target.paths_narrowed => Declaring::Desired,
        source::OpenedKind::Git { .. } => whole(opened),
        source::OpenedKind::Files(_) => {
            let spec = source::SourceSpec::Git {
                repo: source::RepoSpec::Local(None),
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
fn load_config(
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

/// Compares one subject again, from a fresh GET: after an apply, or when its object changed.
pub async fn recheck(
    cluster: &Cluster,
    subject: &Subject,
    settings: &CheckSettings,
) -> (ResourceReport, Subject) {
    let mut subject = subject.clone();
    let Some(resource) = subject.resource.clone() else {
        let (report, _) = compare(
            cluster,
            &subject,
            None,
            None,
            None,
            settings,
            &ReadOnlyTypes::default(),
            None,
        )
        .await;
        return (report, subject);
    };
    let live = live::get(
        cluster,
        &resource,
        subject.identity.namespace.as_deref(),
        &subject.identity.name,
    )
    .await;
    let (live, error) = match live {
        Ok(live) => (live, None),
        Err(e) => (
            None,
            Some(format!(
                "cannot read the live object: {}",
                api_message(&e, is_secret(&subject.identity))
            )),
        ),
    };
    subject.live_resource_version = live.as_ref().and_then(resource_version);
    if subject.origin.is_none() && error.is_none() {
        let mut report = extra::recheck(&subject, live.as_ref());
        if !settings.show_secrets {
            redact::redact(&mut report);
        }
        return (report, subject);
    }
    let (mut report, _) = compare(
        cluster,
        &subject,
        live.as_ref(),
        error,
        None,
        settings,
        &ReadOnlyTypes::default(),
        None,
    )
    .await;
    if !settings.show_secrets {
        redact::redact(&mut report);
    }
    (report, subject)
}

fn resource_version(object: &Value) -> Option<String> {
    object["metadata"]["resourceVersion"]
        .as_str()
        .map(str::to_string)
}

/// One context's results.
struct ContextOutcome {
    /// Each report with its subject, where subjects are kept.
    pairs: Vec<(ResourceReport, Option<Subject>)>,
    /// The types compared by their declared fields: dry runs of them are forbidden.
    read_only: Vec<String>,
    cluster: Cluster,
    /// What could not be looked at while searching for extra objects.
    warnings: Vec<String>,
    /// Whether the schemas here know each ignore rule's paths.
    rule_fits: Vec<Vec<ignore::SchemaFit>>,
}

/// One desired object placed in a context: its type there and its identity.
struct Placed<'a> {
    desired: &'a DesiredObject,
    resource: Option<&'a ResourceType>,
    identity: Identity,
}

/// What it takes to compare, apply or re-check one resource: its identity, where it came
/// from, its type in that cluster, the manifest as it is sent (namespace filled in), and the
/// live version the comparison saw. Holds secret values: never rendered.
#[derive(Debug, Clone)]
pub struct Subject {
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
    pub subjects: Vec<Subject>,
    /// The connected clusters, by context.
    pub clusters: Vec<Cluster>,
    /// Where accepted drift is recorded; none for a URL repository, which has no work tree.
    pub accepted_file: Option<std::path::PathBuf>,
}

#[allow(clippy::too_many_arguments)]
async fn check_context(
    cluster: Cluster,
    catalog: Catalog,
    server: &str,
    (desired, declaring): (&DesiredSet, &Declaring),
    settings: &CheckSettings,
    target: &TargetSettings,
    progress: &(dyn Fn(Progress) + Sync),
    rules: &[ignore::Rule],
    live_cache: Option<&LiveCache>,
    keep_subjects: bool,
) -> Result<ContextOutcome, ContextError> {
    let selection = &settings.selection;
    let selected_types = resolve_types(&catalog, selection)?;
    // A target's namespace stands in for the context's, as kubectl's --namespace would.
    let context_ns = target
        .default_namespace
        .as_deref()
        .unwrap_or(&cluster.default_namespace);
    let default_ns = match &selection.namespace {
        NamespaceScope::Only(ns) => ns.clone(),
        _ => context_ns.to_string(),
    };

    let mut placed: Vec<Placed> = desired
        .objects
        .iter()
        .map(|d| place(d, &catalog, &default_ns))
        .collect();
    // For extra objects everything the target declares counts, whatever the command line
    // selected: an object outside the selection still has its manifest.
    let key = |p: Placed| {
        let id = p.identity;
        (id.group, id.kind, id.namespace, id.name)
    };
    let declared: Option<extra::Declared> = match declaring {
        Declaring::Nothing | Declaring::Unknown(_) => None,
        Declaring::Desired => Some(
            desired
                .objects
                .iter()
                .map(|d| key(place(d, &catalog, &default_ns)))
                .collect(),
        ),
        Declaring::Whole(set) => Some(
            set.objects
                .iter()
                .map(|d| key(place(d, &catalog, &default_ns)))
                .collect(),
        ),
    };
    placed.retain(|p| selected(p, selection, &selected_types, context_ns));
    placed.sort_by(|a, b| a.identity.cmp(&b.identity));
    check_duplicates(&placed)?;
    if placed.is_empty() {
        return Err(ContextError::Selection(describe_empty_selection(
            selection, desired,
        )));
    }

    // The schemas of the group-versions at hand, for the pre-check, while listing.
    let group_versions = placed
        .iter()
        .filter_map(|p| p.resource)
        .map(|rt| (rt.group.clone(), rt.version.clone()))
        .collect();

    let total = placed.len();
    let read_only = ReadOnlyTypes::default();
    let done = AtomicUsize::new(0);
    let commit = desired.commit.clone();
    // The manager each object's dry run and fix write as: the target's (from
    // `--field-manager` or the config), else the pipeline manager that applied Git's fields to
    // the live object. Where none is found, `usual` (the one most live objects of the context
    // have, known once every page has arrived) stands in: see `usual_manager`. A fix so
    // writes as the pipeline's next deploy would.
    let managers_found: std::sync::Mutex<BTreeMap<String, usize>> = Default::default();
    let subject_of = |p: &Placed, live: Option<&Value>, usual: &str| {
        let manifest = manifest_for(p);
        let field_manager = match (&target.field_manager, live) {
            (Some(manager), _) => manager.clone(),
            (None, Some(live)) => match drift::attribution::pipeline_manager(
                live,
                &manifest,
                settings::DEFAULT_FIELD_MANAGER,
            ) {
                Some(manager) => {
                    *managers_found
                        .lock()
                        .expect("never poisoned")
                        .entry(manager.clone())
                        .or_default() += 1;
                    manager
                }
                None => usual.to_string(),
            },
            (None, None) => usual.to_string(),
        };
        Subject {
            context: cluster.context.clone(),
            identity: p.identity.clone(),
            origin: Some(p.desired.origin.clone()),
            resource: p.resource.cloned(),
            manifest,
            field_manager,
            live_resource_version: live.and_then(resource_version),
            commit: commit.clone(),
        }
    };
    let tick = || {
        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
        progress(Progress {
            context: cluster.context.clone(),
            done: n,
            total,
        });
    };
    // Live objects are compared as their LIST pages arrive and then dropped, so that memory
    // holds a few pages, not the cluster. --concurrency bounds the objects compared at once
    // (each with its dry run), as kubectl diff's does; LIST pages are read ahead of them in
    // a lane of their own, as many at once, so that a dry run never waits for a page to
    // download, nor a page for a dry run. The channel holds as many objects again: a lane
    // that runs ahead stops there.
    let index: LiveIndex = placed
        .iter()
        .enumerate()
        .map(|(i, p)| (live_key(&p.identity), i))
        .collect();
    let permits = tokio::sync::Semaphore::new(settings.concurrency);
    let list_permits = tokio::sync::Semaphore::new(settings.concurrency);
    let (found, arriving) = futures::channel::mpsc::channel(settings.concurrency);
    let listing = list_live(
        &cluster,
        &placed,
        &index,
        &list_permits,
        settings.concurrency,
        live_cache,
        found,
    );
    let comparing = async {
        let schemas = openapi::load(&cluster, server, &group_versions).await;
        let compared: Vec<(usize, Compared)> = arriving
            .map(|(i, live): (usize, Value)| {
                let (p, schemas, read_only, permits) = (&placed[i], &schemas, &read_only, &permits);
                let (cluster, subject_of, tick) = (&cluster, &subject_of, &tick);
                async move {
                    let subject = subject_of(p, Some(&live), settings::DEFAULT_FIELD_MANAGER);
                    let schema = schema_of(p, schemas);
                    let (report, dry_run) = compare(
                        cluster,
                        &subject,
                        Some(&live),
                        None,
                        schema,
                        settings,
                        read_only,
                        Some(permits),
                    )
                    .await;
                    tick();
                    // The live object is kept only where the type may yet turn out
                    // read-only: see below.
                    let subject = (keep_subjects || dry_run).then_some(subject);
                    (i, (report, subject, dry_run.then_some(live)))
                }
            })
            .buffer_unordered(settings.concurrency)
            .collect()
            .await;
        (schemas, compared)
    };
    let (list_errors, (schemas, mut compared)) = tokio::join!(listing, comparing);
    compared.sort_unstable_by_key(|(i, _)| *i);
    let mut compared = compared.into_iter().peekable();
    let usual = usual_manager(&managers_found.lock().expect("never poisoned"));
    let mut pairs: Vec<(ResourceReport, Option<Subject>)> = Vec::with_capacity(placed.len());
    for (i, p) in placed.iter().enumerate() {
        let found = compared.next_if(|(j, _)| *j == i).map(|(_, pair)| pair);
        let list_error = list_errors.get(&type_key(&p.identity)).cloned();
        let (mut report, mut subject, live) = match found {
            Some(pair) if list_error.is_none() => pair,
            // Not found live, or its type could not be listed (even part way through: then
            // none of its pairs counts as compared).
            found => {
                let subject = subject_of(p, None, &usual);
                let (report, _) = compare(
                    &cluster,
                    &subject,
                    None,
                    list_error,
                    schema_of(p, &schemas),
                    settings,
                    &read_only,
                    Some(&permits),
                )
                .await;
                if found.is_none() {
                    tick();
                }
                (report, Some(subject), None)
            }
        };
        // A type found read-only only part way through had some of its pairs compared with
        // a dry run already: those are compared again by their declared fields, so that the
        // answer does not depend on the order in which requests finished. Every other
        // pair's answer holds whatever the type turned out to be.
        if let (Some(subject), Some(live)) = (&subject, &live) {
            if read_only.covers(subject) {
                (report, _) = compare(
                    &cluster,
                    subject,
                    Some(live),
                    None,
                    schema_of(p, &schemas),
                    settings,
                    &read_only,
                    Some(&permits),
                )
                .await;
            }
        }
        if let Some(subject) = subject.as_mut() {
            // Live, but no pipeline manager applied Git's fields: the usual one writes.
            if target.field_manager.is_none()
                && subject.field_manager == settings::DEFAULT_FIELD_MANAGER
            {
                subject.field_manager.clone_from(&usual);
            }
        }
        pairs.push((report, subject.filter(|_| keep_subjects)));
    }
    let mut warnings = Vec::new();
    if let Declaring::Unknown(why) = declaring {
        warnings.push(why.clone());
    } else if let Some(declared) = &declared {
        let scope = extra::Scope {
            namespace: match &selection.namespace {
                NamespaceScope::Only(ns) => Some(ns.as_str()),
                NamespaceScope::ContextDefault => Some(context_ns),
                NamespaceScope::All => None,
            },
            labels: selection.labels.as_ref(),
            types: &selected_types,
        };
        let (extras, errors) = extra::find(
            &cluster,
            &catalog,
            declared,
            target,
            &scope,
            settings.concurrency,
        )
        .await;
        pairs.extend(
            extras
                .into_iter()
                .map(|(r, s)| (r, Some(s).filter(|_| keep_subjects))),
        );
        warnings = errors;
    }
    pairs.sort_by(|a, b| a.0.identity.cmp(&b.0.identity));
    let rule_fits = {
        let reports: Vec<&ResourceReport> = pairs.iter().map(|(r, _)| r).collect();
        ignore::schema_fits(&reports, rules, |r| {
            let id = &r.identity;
            schemas.kind(&id.group, &id.version, &id.kind)
        })
    };
    Ok(ContextOutcome {
        pairs,
        read_only: read_only.names(),
        cluster,
        warnings,
        rule_fits,
    })
}

/// The pipeline manager most live objects of a context were found with, for the objects
/// where none was found (not live, or no manager applied Git's fields); else
/// `DEFAULT_FIELD_MANAGER`.
fn usual_manager(found: &BTreeMap<String, usize>) -> String {
    found
        .iter()
        .max_by_key(|(_, n)| **n)
        .map_or(settings::DEFAULT_FIELD_MANAGER, |(m, _)| m.as_str())
        .to_string()
}

/// A live object's key: (group, version, kind, namespace, name). The version is part of
/// it: each object is read in the version its manifest is written in, and compared in it.
type LiveKey = (String, String, String, Option<String>, String);
/// The placed objects by the key of their live counterpart.
type LiveIndex = HashMap<LiveKey, usize>;
/// Why a (group, version, kind, namespace) could not be listed.
type ListErrors = HashMap<(String, String, String, Option<String>), String>;
/// The namespaces each (group, version, kind) is touched in.
type TouchedKinds = BTreeMap<(String, String, String), (ResourceType, BTreeSet<Option<String>>)>;

/// One compared pair: its report, its subject (where subjects are kept, or a dry run was
/// asked for), and the live object where a dry run was asked for: both are needed again if
/// the type turns out read-only.
type Compared = (ResourceReport, Option<Subject>, Option<Value>);

/// The schema of a placed object's kind, when there is one.
fn schema_of<'s>(p: &Placed, schemas: &'s openapi::Schemas) -> Option<schema::Type<'s>> {
    p.resource
        .and_then(|rt| schemas.kind(&rt.group, &rt.version, &rt.kind))
}

/// Where a placed object's live counterpart is found in a `LiveIndex`.
fn live_key(id: &Identity) -> LiveKey {
    (
        id.group.clone(),
        id.version.clone(),
        id.kind.clone(),
        id.namespace.clone(),
        id.name.clone(),
    )
}

/// Where a placed object's list error is found in `ListErrors`.
fn type_key(id: &Identity) -> (String, String, String, Option<String>) {
    (
        id.group.clone(),
        id.version.clone(),
        id.kind.clone(),
        id.namespace.clone(),
    )
}
/// From this many namespaces of one kind on, one cluster-wide LIST replaces a LIST per
/// namespace: fewer round trips for GitOps repositories that span many namespaces.
const CLUSTER_WIDE_FROM: usize = 8;

/// Lists what the placed manifests touch: one LIST per (type, namespace), or one per type
/// across the cluster where many namespaces are touched and RBAC allows it. Each live object
/// that has a manifest is sent to `found` with its index in `placed` as its page arrives;
/// the others are dropped at once. Returns why each (type, namespace) that failed could not
/// be listed.
async fn list_live(
    cluster: &Cluster,
    placed: &[Placed<'_>],
    index: &LiveIndex,
    permits: &tokio::sync::Semaphore,
    concurrency: usize,
    cache: Option<&LiveCache>,
    found: Found,
) -> ListErrors {
    let mut kinds = TouchedKinds::new();
    for p in placed {
        if let Some(rt) = p.resource {
            kinds
                .entry((rt.group.clone(), rt.version.clone(), rt.kind.clone()))
                .or_insert_with(|| (rt.clone(), BTreeSet::new()))
                .1
                .insert(p.identity.namespace.clone());
        }
    }
    let mut jobs: Vec<(ResourceType, Vec<Option<String>>, bool)> = Vec::new();
    for (rt, namespaces) in kinds.into_values() {
        if rt.namespaced && namespaces.len() >= CLUSTER_WIDE_FROM {
            jobs.push((rt, namespaces.into_iter().collect(), true));
        } else {
            for ns in namespaces {
                jobs.push((rt.clone(), vec![ns], false));
            }
        }
    }
    let failed: Vec<Vec<(ResourceType, Option<String>, String)>> =
        stream::iter(jobs.into_iter().map(|(rt, namespaces, cluster_wide)| {
            let mut found = found.clone();
            async move {
                let mut failed = Vec::new();
                if cluster_wide {
                    if let Some(items) = cache.and_then(|c| c.get(cluster, &rt, None)) {
                        send_found(&rt, items, index, &mut found).await;
                        return failed;
                    }
                    let mut sent = 0;
                    match list_into(cluster, &rt, None, permits, index, &mut found, &mut sent).await
                    {
                        Ok(()) => {
                            if let Some(cache) = cache {
                                cache.start(cluster, &rt, None);
                            }
                            return failed;
                        }
                        // Namespace-scoped permissions: fall back to one LIST per namespace.
                        Err(kube::Error::Api(status)) if status.code == 403 && sent == 0 => {}
                        Err(error) => {
                            let message = api_message(&error, rt.is_secret());
                            return namespaces
                                .into_iter()
                                .map(|ns| (rt.clone(), ns, message.clone()))
                                .collect();
                        }
                    }
                }
                for ns in namespaces {
                    if let Some(items) = cache.and_then(|c| c.get(cluster, &rt, ns.as_deref())) {
                        send_found(&rt, items, index, &mut found).await;
                        continue;
                    }
                    let mut sent = 0;
                    match list_into(
                        cluster,
                        &rt,
                        ns.as_deref(),
                        permits,
                        index,
                        &mut found,
                        &mut sent,
                    )
                    .await
                    {
                        Ok(()) => {
                            if let Some(cache) = cache {
                                cache.start(cluster, &rt, ns.as_deref());
                            }
                        }
                        Err(error) => {
                            let message = api_message(&error, rt.is_secret());
                            failed.push((rt.clone(), ns, message));
                        }
                    }
                }
                failed
            }
        }))
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let mut list_errors = ListErrors::new();
    for (rt, ns, error) in failed.into_iter().flatten() {
        let what = match &ns {
            Some(ns) => format!(
                "cannot list {} in namespace {ns}: {error}",
                rt.qualified_plural()
            ),
            None => format!("cannot list {}: {error}", rt.qualified_plural()),
        };
        list_errors.insert(
            (rt.group.clone(), rt.version.clone(), rt.kind.clone(), ns),
            what,
        );
    }
    list_errors
}

/// Where `list_live` sends each live object that has a manifest, with the manifest's index.
type Found = futures::channel::mpsc::Sender<(usize, Value)>;

/// Lists one (type, namespace) a page at a time, each page's request under a permit, and
/// sends on what has a manifest; `sent` counts what was sent before a failure.
async fn list_into(
    cluster: &Cluster,
    rt: &ResourceType,
    namespace: Option<&str>,
    permits: &tokio::sync::Semaphore,
    index: &LiveIndex,
    found: &mut Found,
    sent: &mut usize,
) -> Result<(), kube::Error> {
    let mut pages = live::Pages::new(cluster, rt, namespace, None);
    loop {
        let page = {
            let _permit = permits
                .acquire()
                .await
                .expect("the permits are never closed");
            pages.next().await?
        };
        let Some(items) = page else {
            return Ok(());
        };
        *sent += send_found(rt, items, index, found).await;
    }
}

/// Sends on the items that have a manifest (in `index`), dropping the others; returns how
/// many were sent.
async fn send_found(
    rt: &ResourceType,
    items: Vec<Value>,
    index: &LiveIndex,
    found: &mut Found,
) -> usize {
    use futures::SinkExt;
    let mut sent = 0;
    for item in items {
        let key = (
            rt.group.clone(),
            rt.version.clone(),
            rt.kind.clone(),
            item["metadata"]["namespace"].as_str().map(str::to_string),
            item["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        );
        if let Some(&i) = index.get(&key) {
            // The receiver is gone only when the context is given up.
            if found.send((i, item)).await.is_err() {
                break;
            }
            sent += 1;
        }
    }
    sent
}

/// The types of one context that may not be dry-run (a 403, or a type that cannot be
/// patched at all), by kubectl's name for them: compared by their declared fields. The
/// fallback is per type: a forbidden Role says nothing about Deployments.
#[derive(Debug, Default)]
struct ReadOnlyTypes(Mutex<BTreeSet<String>>);

impl ReadOnlyTypes {
    fn add(&self, resource: &ResourceType) {
        if let Ok(mut types) = self.0.lock() {
            types.insert(resource.qualified_plural());
        }
    }

    fn contains(&self, resource: &ResourceType) -> bool {
        self.0
            .lock()
            .is_ok_and(|types| types.contains(&resource.qualified_plural()))
    }

    /// Whether this subject's type turned out read-only.
    fn covers(&self, subject: &Subject) -> bool {
        subject
            .resource
            .as_ref()
            .is_some_and(|rt| self.contains(rt))
    }

    fn names(&self) -> Vec<String> {
        self.0
            .lock()
            .map(|types| types.iter().cloned().collect())
            .unwrap_or_default()
    }
}

/// Compares one desired object with its live counterpart, under one of `permits` while a
/// dry run is in flight. Also says whether a dry run was asked for: only such an answer
/// can change if the type turns out read-only.
#[allow(clippy::too_many_arguments)]
async fn compare(
    cluster: &Cluster,
    subject: &Subject,
    live: Option<&Value>,
    list_error: Option<String>,
    schema: Option<schema::Type<'_>>,
    settings: &CheckSettings,
    read_only: &ReadOnlyTypes,
    permits: Option<&tokio::sync::Semaphore>,
) -> (ResourceReport, bool) {
    let mut report =
        ResourceReport::new(&cluster.context, subject.identity.clone(), Status::InSync);
    report.origin = subject.origin.clone();
    if let Some(reason) = ignore::annotation_reason(&subject.manifest) {
        report.status = Status::Ignored;
        report.message = Some(format!("ignored by {}: {reason}", ignore::ANNOTATION));
        return (report, false);
    }
    let Some(resource) = &subject.resource else {
        report.status = Status::Error;
        report.message = Some(format!(
            "the server doesn't serve {} {}",
            subject.manifest["apiVersion"].as_str().unwrap_or_default(),
            subject.identity.kind
        ));
        return (report, false);
    };
    if let Some(message) = list_error {
        report.status = Status::Error;
        report.message = Some(message);
        return (report, false);
    }
    let manifest = &subject.manifest;
    let secret = is_secret(&subject.identity);
    let Some(live) = live else {
        report.status = Status::Missing;
        report.git_object = Some(drift::normalize::normalize(manifest));
        return (report, false);
    };
    // Fields live that Git no longer (or never) declares: the next client-side apply
    // removes the first kind; `--strict` also reports hand-written ones.
    let mut removals = match undeclared::in_last_applied(live, manifest) {
        undeclared::LastApplied::Removals(removals) => removals,
        undeclared::LastApplied::CopyOfLive => {
            report.message = Some(undeclared::COPY_OF_LIVE_NOTE.to_string());
            Vec::new()
        }
    };
    if settings.strict {
        for path in undeclared::hand_written(live, manifest, &subject.field_manager) {
            if !removals.contains(&path) {
                removals.push(path);
            }
        }
    }
    if removals.is_empty()
        && precheck::proves_in_sync(manifest, live, &subject.field_manager, schema)
    {
        return (report, false);
    }
    let mut dry_run = false;
    let drift: PairDrift = if read_only.contains(resource)
        || !resource.verbs.iter().any(|v| v == "patch")
    {
        read_only.add(resource);
        drift::declared(manifest, live, schema)
    } else {
        dry_run = true;
        let predicted = {
            let _permit = match permits {
                Some(permits) => Some(
                    permits
                        .acquire()
                        .await
                        .expect("the permits are never closed"),
                ),
                None => None,
            };
            live::dry_run_apply(
                cluster,
                resource,
                subject.identity.namespace.as_deref(),
                &subject.identity.name,
                manifest,
                &subject.field_manager,
            )
            .await
        };
        match predicted {
            Ok(predicted) => drift::exact(&predicted, live),
            Err(kube::Error::Api(status)) if status.code == 403 => {
                read_only.add(resource);
                drift::declared(manifest, live, schema)
            }
            // The server refuses to merge Git into the live object (say, a changed port
            // whose name now clashes): the declared fields still show what differs.
            Err(kube::Error::Api(status)) if status.code == 422 => {
                let declared = drift::declared(manifest, live, schema);
                if declared.fields.is_empty() {
                    report.status = Status::Error;
                    report.message = Some(format!(
                        "dry run rejected: {}",
                        errors::status_text(&status, secret)
                    ));
                    return (report, dry_run);
                }
                report.message = Some(format!(
                    "dry run rejected ({}); declared fields compared instead",
                    errors::status_text(&status, secret)
                ));
                declared
            }
            Err(error) => {
                report.status = Status::Error;
                report.message = Some(format!("dry run failed: {}", api_message(&error, secret)));
                return (report, dry_run);
            }
        }
    };
    let drift = drift::with_removals(drift, removals, live);
    if !drift.fields.is_empty() {
        report.status = Status::Drifted;
    }
    report.fields = drift.fields;
    report.live_digest = redact::live_digest(&report, live);
    report.git_object = Some(drift.git);
    report.live_object = Some(drift.live);
    (report, dry_run)
}

/// The manifest as it will be sent: with its namespace filled in, as kubectl would, and
/// without one for a cluster-scoped kind, which kubectl ignores there.
fn manifest_for(placed: &Placed) -> Value {
    let mut manifest = placed.desired.manifest();
    let cluster_scoped = placed.resource.is_some_and(|rt| !rt.namespaced);
    if let Some(meta) = manifest["metadata"].as_object_mut() {
        match &placed.identity.namespace {
            Some(ns) => {
                meta.insert("namespace".into(), Value::String(ns.clone()));
            }
            None if cluster_scoped => {
                meta.remove("namespace");
            }
            None => {}
        }
    }
    manifest
}

/// A failed request in words; a Secret's server messages are reduced to paths and reason.
fn api_message(error: &kube::Error, secret: bool) -> String {
    errors::describe(error, secret)
}

fn is_secret(identity: &Identity) -> bool {
    errors::is_secret(&identity.group, &identity.kind)
}

fn place<'a>(desired: &'a DesiredObject, catalog: &'a Catalog, default_ns: &str) -> Placed<'a> {
    let resource = catalog.for_manifest(desired.api_version(), desired.kind());
    let (group, version) = cluster::discovery::split_api_version(desired.api_version());
    let namespace = match &resource {
        Some(rt) if !rt.namespaced => None,
        _ => Some(desired.namespace().unwrap_or(default_ns).to_string()),
    };
    Placed {
        identity: Identity {
            group: group.to_string(),
            version: version.to_string(),
            kind: desired.kind().to_string(),
            namespace,
            name: desired.name().to_string(),
        },
        resource,
        desired,
    }
}

/// The selected types, resolved through discovery, with the names given for each.
fn resolve_types(
    catalog: &Catalog,
    selection: &Selection,
) -> Result<Vec<(ResourceType, Vec<String>)>, ContextError> {
    selection
        .types
        .iter()
        .map(|t| {
            catalog
                .resolve(&t.type_name)
                .map(|rt| (rt.clone(), t.names.clone()))
                .map_err(|e| ContextError::Selection(e.to_string()))
        })
        .collect()
}

fn selected(
    placed: &Placed,
    selection: &Selection,
    types: &[(ResourceType, Vec<String>)],
    context_ns: &str,
) -> bool {
    let id = &placed.identity;
    let type_ok = types.is_empty()
        || types.iter().any(|(rt, names)| {
            rt.group == id.group
                && rt.kind == id.kind
                && (names.is_empty() || names.contains(&id.name))
        });
    let ns_ok = match (&selection.namespace, &id.namespace) {
        (_, None) | (NamespaceScope::All, _) => true,
        (NamespaceScope::Only(want), Some(ns)) => want == ns,
        (NamespaceScope::ContextDefault, Some(ns)) => ns == context_ns,
    };
    let labels_ok = selection
        .labels
        .as_ref()
        .is_none_or(|s| s.matches(placed.desired.manifest()["metadata"]["labels"].as_object()));
    type_ok && ns_ok && labels_ok
}

fn check_duplicates(placed: &[Placed]) -> Result<(), ContextError> {
    for pair in placed.windows(2) {
        if pair[0].identity.key() == pair[1].identity.key() {
            return Err(ContextError::Selection(format!(
                "{} {} is declared twice: {} and {}",
                pair[0].identity.kind,
                pair[0].identity.namespaced_name(),
                pair[0].desired.origin.label(),
                pair[1].desired.origin.label()
            )));
        }
    }
    Ok(())
}

fn describe_empty_selection(selection: &Selection, desired: &DesiredSet) -> String {
    if desired.objects.is_empty() {
        return "nothing to check: no Kubernetes manifests found in the given paths".to_string();
    }
    let mut parts = Vec::new();
    if !selection.types.is_empty() {
        let args: Vec<String> = selection
            .types
            .iter()
            .map(|t| match t.names.as_slice() {
                [] => t.type_name.clone(),
                names => format!("{} {}", t.type_name, names.join(" ")),
            })
            .collect();
        parts.push(args.join(", "));
    }
    match &selection.namespace {
        NamespaceScope::Only(ns) => parts.push(format!("namespace {ns}")),
        NamespaceScope::ContextDefault => parts.push("the context's namespace".to_string()),
        NamespaceScope::All => {}
    }
    if let Some(labels) = &selection.labels {
        parts.push(format!("-l {}", labels.text));
    }
    format!(
        "nothing to check: none of the {} manifests in Git matches {}",
        desired.objects.len(),
        parts.join(", ")
    )
}
