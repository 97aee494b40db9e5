//! The check pipeline: read the desired set, then for every selected context (concurrently)
//! discover, list the live objects once per (type, namespace), pair them with their
//! manifests, skip the dry run where the local pre-check proves a pair in sync, ask the
//! server for the predicted object elsewhere, and collect a `Report`. Nothing here prints;
//! progress goes to a callback.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use futures::stream::{self, StreamExt};
use serde_json::Value;

use crate::cluster::{self, kubeconfig, live, Catalog, Cluster, ClusterError, ResourceType};
use crate::drift::{self, precheck, Identity, PairDrift, Status};
use crate::report::{redact, ContextSummary, Report, ResourceReport};
use crate::settings::{CheckSettings, NamespaceScope, Selection};
use crate::source::{self, DesiredObject, DesiredSet, SourceError};

/// Failures that stop the whole run before any context is checked.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Cluster(#[from] ClusterError),
}

/// Why one context could not be checked.
#[derive(Debug, thiserror::Error)]
enum ContextError {
    #[error(transparent)]
    Cluster(#[from] ClusterError),
    #[error("{0}")]
    Selection(String),
}

/// What the caller hears while a check runs.
#[derive(Debug, Clone)]
pub enum Progress {
    /// A context has its pairs and starts comparing `total` resources.
    Comparing { context: String, total: usize },
    /// One more resource of a context is done.
    Compared {
        context: String,
        done: usize,
        total: usize,
    },
}

/// Runs a whole check and returns its report.
pub async fn run(
    settings: &CheckSettings,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Report, CheckError> {
    let desired = source::read(&settings.source)?;
    let config = kubeconfig::load_kubeconfig(settings.cluster.kubeconfig.as_deref())?;
    let contexts = kubeconfig::select_contexts(
        &config,
        &settings.cluster.contexts,
        settings.cluster.all_contexts,
    )?;
    let outcomes = futures::future::join_all(contexts.iter().map(|context| {
        let (config, desired) = (&config, &desired);
        async move {
            let mut summary = ContextSummary {
                context: context.clone(),
                skipped_files: desired.skipped_files.len(),
                commit: desired.commit.clone(),
                ..Default::default()
            };
            let resources = match check_context(config, context, desired, settings, progress).await
            {
                Ok((resources, read_only)) => {
                    summary.read_only = read_only;
                    resources
                }
                Err(error) => {
                    summary.error = Some(error.to_string());
                    Vec::new()
                }
            };
            summary.count(&resources);
            (resources, summary)
        }
    }))
    .await;
    let mut report = Report::default();
    for (resources, summary) in outcomes {
        report.resources.extend(resources);
        report.contexts.push(summary);
    }
    if !settings.show_secrets {
        report.resources.iter_mut().for_each(redact::redact);
    }
    Ok(report)
}

/// One desired object placed in a context: its type there and its identity.
struct Placed<'a> {
    desired: &'a DesiredObject,
    resource: Option<ResourceType>,
    identity: Identity,
}

async fn check_context(
    config: &kube::config::Kubeconfig,
    context: &str,
    desired: &DesiredSet,
    settings: &CheckSettings,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<(Vec<ResourceReport>, bool), ContextError> {
    let cluster = kubeconfig::connect(config, context).await?;
    let catalog = Catalog::discover(&cluster).await?;
    let selection = &settings.selection;
    let selected_types = resolve_types(&catalog, selection)?;
    let default_ns = match &selection.namespace {
        NamespaceScope::Only(ns) => ns.clone(),
        _ => cluster.default_namespace.clone(),
    };

    let mut placed: Vec<Placed> = desired
        .objects
        .iter()
        .map(|d| place(d, &catalog, &default_ns))
        .filter(|p| selected(p, selection, &selected_types, &cluster.default_namespace))
        .collect();
    placed.sort_by(|a, b| a.identity.cmp(&b.identity));
    check_duplicates(&placed)?;
    if placed.is_empty() {
        return Err(ContextError::Selection(describe_empty_selection(
            selection, desired,
        )));
    }

    // One LIST per (type, namespace) that the selected manifests touch.
    let mut lists: BTreeMap<(String, String, Option<String>), ResourceType> = BTreeMap::new();
    for p in &placed {
        if let Some(rt) = &p.resource {
            lists
                .entry((
                    rt.group.clone(),
                    rt.kind.clone(),
                    p.identity.namespace.clone(),
                ))
                .or_insert_with(|| rt.clone());
        }
    }
    let listed: Vec<_> = stream::iter(lists.into_iter().map(|((_, _, ns), rt)| {
        let cluster = &cluster;
        async move {
            let result = live::list(cluster, &rt, ns.as_deref(), None).await;
            (rt, ns, result)
        }
    }))
    .buffer_unordered(settings.concurrency)
    .collect()
    .await;
    let mut live_objects: HashMap<(String, String, Option<String>, String), Value> = HashMap::new();
    let mut list_errors: HashMap<(String, String, Option<String>), String> = HashMap::new();
    for (rt, ns, result) in listed {
        match result {
            Ok(items) => {
                for item in items {
                    let name = item["metadata"]["name"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string();
                    live_objects
                        .insert((rt.group.clone(), rt.kind.clone(), ns.clone(), name), item);
                }
            }
            Err(error) => {
                let error = api_message(&error);
                let what = match &ns {
                    Some(ns) => format!(
                        "cannot list {} in namespace {ns}: {error}",
                        rt.qualified_plural()
                    ),
                    None => format!("cannot list {}: {error}", rt.qualified_plural()),
                };
                list_errors.insert((rt.group.clone(), rt.kind.clone(), ns), what);
            }
        }
    }

    let total = placed.len();
    progress(Progress::Comparing {
        context: context.to_string(),
        total,
    });
    let read_only = AtomicBool::new(false);
    let done = AtomicUsize::new(0);
    let mut resources: Vec<ResourceReport> = stream::iter(placed.iter().map(|p| {
        let (cluster, read_only, done) = (&cluster, &read_only, &done);
        let key = (
            p.identity.group.clone(),
            p.identity.kind.clone(),
            p.identity.namespace.clone(),
        );
        let live = live_objects.get(&(
            key.0.clone(),
            key.1.clone(),
            key.2.clone(),
            p.identity.name.clone(),
        ));
        let list_error = list_errors.get(&key).cloned();
        async move {
            let report = compare(cluster, p, live, list_error, settings, read_only).await;
            let n = done.fetch_add(1, Ordering::Relaxed) + 1;
            progress(Progress::Compared {
                context: cluster.context.clone(),
                done: n,
                total,
            });
            report
        }
    }))
    .buffer_unordered(settings.concurrency)
    .collect()
    .await;
    resources.sort_by(|a, b| a.identity.cmp(&b.identity));
    Ok((resources, read_only.load(Ordering::Relaxed)))
}

/// Compares one desired object with its live counterpart.
async fn compare(
    cluster: &Cluster,
    placed: &Placed<'_>,
    live: Option<&Value>,
    list_error: Option<String>,
    settings: &CheckSettings,
    read_only: &AtomicBool,
) -> ResourceReport {
    let mut report = ResourceReport {
        context: cluster.context.clone(),
        identity: placed.identity.clone(),
        status: Status::InSync,
        origin: Some(placed.desired.origin.clone()),
        fields: Vec::new(),
        message: None,
        git_object: None,
        live_object: None,
    };
    let Some(resource) = &placed.resource else {
        report.status = Status::Error;
        report.message = Some(format!(
            "the server doesn't serve {} {}",
            placed.desired.api_version(),
            placed.desired.kind()
        ));
        return report;
    };
    if let Some(message) = list_error {
        report.status = Status::Error;
        report.message = Some(message);
        return report;
    }
    let manifest = manifest_for(placed);
    let Some(live) = live else {
        report.status = Status::Missing;
        report.git_object = Some(drift::normalize::normalize(&manifest));
        return report;
    };
    if precheck::proves_in_sync(&manifest, live, &settings.field_manager) {
        return report;
    }
    let drift: PairDrift =
        if read_only.load(Ordering::Relaxed) || !resource.verbs.iter().any(|v| v == "patch") {
            read_only.store(true, Ordering::Relaxed);
            drift::declared(&manifest, live)
        } else {
            let predicted = live::dry_run_apply(
                cluster,
                resource,
                placed.identity.namespace.as_deref(),
                &placed.identity.name,
                &manifest,
                &settings.field_manager,
            )
            .await;
            match predicted {
                Ok(predicted) => drift::exact(&predicted, live),
                Err(kube::Error::Api(status)) if status.code == 403 => {
                    read_only.store(true, Ordering::Relaxed);
                    drift::declared(&manifest, live)
                }
                // The server refuses to merge Git into the live object (say, a changed port
                // whose name now clashes): the declared fields still show what differs.
                Err(kube::Error::Api(status)) if status.code == 422 => {
                    let declared = drift::declared(&manifest, live);
                    if declared.fields.is_empty() {
                        report.status = Status::Error;
                        report.message = Some(format!("dry run rejected: {}", status.message));
                        return report;
                    }
                    report.message = Some(format!(
                        "dry run rejected ({}); declared fields compared instead",
                        status.message
                    ));
                    declared
                }
                Err(error) => {
                    report.status = Status::Error;
                    report.message = Some(format!("dry run failed: {}", api_message(&error)));
                    return report;
                }
            }
        };
    if !drift.fields.is_empty() {
        report.status = Status::Drifted;
    }
    report.fields = drift.fields;
    report.git_object = Some(drift.git);
    report.live_object = Some(drift.live);
    report
}

/// The manifest as it will be sent: with its namespace filled in, as kubectl would.
fn manifest_for(placed: &Placed) -> Value {
    let mut manifest = placed.desired.manifest.clone();
    if let (Some(ns), Some(meta)) = (
        &placed.identity.namespace,
        manifest["metadata"].as_object_mut(),
    ) {
        meta.insert("namespace".into(), Value::String(ns.clone()));
    }
    manifest
}

fn api_message(error: &kube::Error) -> String {
    match error {
        kube::Error::Api(status) => status.message.clone(),
        other => other.to_string(),
    }
}

fn place<'a>(desired: &'a DesiredObject, catalog: &Catalog, default_ns: &str) -> Placed<'a> {
    let resource = catalog
        .for_manifest(desired.api_version(), desired.kind())
        .cloned();
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
        .is_none_or(|s| s.matches(placed.desired.manifest["metadata"]["labels"].as_object()));
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
