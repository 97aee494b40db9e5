//! One context checked: its manifests placed, its live objects listed and compared as they
//! arrive, the pairs put back in manifest order, and its extra objects found.

use super::*;
use crate::cluster::admission::Mutating;

/// One context's results.
pub(super) struct ContextOutcome {
    /// Each report with its handle, where handles are kept.
    pub(super) pairs: Vec<(ResourceReport, Option<ResourceHandle>)>,
    /// The types compared by their declared fields: dry runs of them are forbidden.
    pub(super) read_only: Vec<String>,
    pub(super) cluster: Cluster,
    /// What could not be looked at while searching for extra objects.
    pub(super) warnings: Vec<String>,
    /// Whether the schemas here know each ignore rule's paths.
    pub(super) rule_fits: Vec<Vec<ignore::SchemaFit>>,
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn check_context(
    cluster: Cluster,
    catalog: Catalog,
    server: &str,
    (desired, declaring): (&DesiredSet, &Declaring),
    settings: &CheckSettings,
    target: &TargetSettings,
    progress: &(dyn Fn(Progress) + Sync),
    rules: &[crate::settings::rules::Rule],
    live_cache: Option<&LiveCache>,
    renders: &super::helm::Renders,
    keep_handles: bool,
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
    // Helm charts render for this cluster; release records are read from it.
    let helm = super::helm::Context {
        cluster: &cluster,
        catalog: &catalog,
        default_ns: &default_ns,
        settings,
        allow_remote: source_allows_remote(&settings.source),
        renders,
    };
    let (completed, refused) = match helm.complete(desired).await? {
        Some((set, refused)) => (Some(set), refused),
        None => (None, Vec::new()),
    };
    let desired = completed.as_ref().unwrap_or(desired);
    let whole_completed = match declaring {
        Declaring::Whole(set) => helm
            .complete(set)
            .await?
            .map(|(set, _)| Declaring::Whole(set)),
        _ => None,
    };
    let declaring = whole_completed.as_ref().unwrap_or(declaring);

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
        // What a release record may not declare is an error, never extra (nor pruned).
        Declaring::Desired => Some(
            desired
                .objects
                .iter()
                .chain(refused.iter().filter_map(|r| r.object.as_ref()))
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
    let refused = refused_reports(&cluster.context, &refused, &catalog, &default_ns, |p| {
        selected(p, selection, &selected_types, context_ns)
    });
    if placed.is_empty() && refused.is_empty() {
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
    let handle_of = |p: &Placed, live: Option<&Value>, usual: &str| {
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
        ResourceHandle {
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
        let (schemas, mutating) = tokio::join!(
            openapi::load(&cluster, server, &group_versions),
            Mutating::load(&cluster, &catalog, live_cache)
        );
        let compared: Vec<(usize, Compared)> = arriving
            .map(|(i, live): (usize, Value)| {
                let (p, schemas, read_only, permits) = (&placed[i], &schemas, &read_only, &permits);
                let mutating = &mutating;
                let (cluster, handle_of, tick) = (&cluster, &handle_of, &tick);
                async move {
                    let handle = handle_of(p, Some(&live), settings::DEFAULT_FIELD_MANAGER);
                    let schema = schema_of(p, schemas);
                    let (report, dry_run) = compare(
                        cluster,
                        &handle,
                        Some(&live),
                        None,
                        schema,
                        mutating,
                        settings,
                        read_only,
                        Some(permits),
                    )
                    .await;
                    tick();
                    // The live object is kept only where the type may yet turn out
                    // read-only: see below.
                    let handle = (keep_handles || dry_run).then_some(handle);
                    (i, (report, handle, dry_run.then_some(live)))
                }
            })
            .buffer_unordered(settings.concurrency)
            .collect()
            .await;
        (schemas, mutating, compared)
    };
    let (list_errors, (schemas, mutating, mut compared)) = tokio::join!(listing, comparing);
    compared.sort_unstable_by_key(|(i, _)| *i);
    let mut compared = compared.into_iter().peekable();
    let usual = usual_manager(&managers_found.lock().expect("never poisoned"));
    let mut pairs: Vec<(ResourceReport, Option<ResourceHandle>)> = Vec::with_capacity(placed.len());
    for (i, p) in placed.iter().enumerate() {
        let found = compared.next_if(|(j, _)| *j == i).map(|(_, pair)| pair);
        let list_error = list_errors.get(&type_key(&p.identity)).cloned();
        let (mut report, mut handle, live) = match found {
            Some(pair) if list_error.is_none() => pair,
            // Not found live, or its type could not be listed (even part way through: then
            // none of its pairs counts as compared).
            found => {
                let handle = handle_of(p, None, &usual);
                let (report, _) = compare(
                    &cluster,
                    &handle,
                    None,
                    list_error,
                    schema_of(p, &schemas),
                    &mutating,
                    settings,
                    &read_only,
                    Some(&permits),
                )
                .await;
                if found.is_none() {
                    tick();
                }
                (report, Some(handle), None)
            }
        };
        // A type found read-only only part way through had some of its pairs compared with
        // a dry run already: those are compared again by their declared fields, so that the
        // answer does not depend on the order in which requests finished. Every other
        // pair's answer holds whatever the type turned out to be.
        if let (Some(handle), Some(live)) = (&handle, &live) {
            if read_only.covers(handle) {
                (report, _) = compare(
                    &cluster,
                    handle,
                    Some(live),
                    None,
                    schema_of(p, &schemas),
                    &mutating,
                    settings,
                    &read_only,
                    Some(&permits),
                )
                .await;
            }
        }
        if let Some(handle) = handle.as_mut() {
            // Live, but no pipeline manager applied Git's fields: the usual one writes.
            if target.field_manager.is_none()
                && handle.field_manager == settings::DEFAULT_FIELD_MANAGER
            {
                handle.field_manager.clone_from(&usual);
            }
        }
        pairs.push((report, handle.filter(|_| keep_handles)));
    }
    pairs.extend(
        refused
            .into_iter()
            .map(|(r, h)| (r, Some(h).filter(|_| keep_handles))),
    );
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
            // As the state's store finds it: in the client's own namespace when it names none.
            alert_state: settings.alert_state.as_ref().map(|(ns, name)| {
                (
                    ns.as_deref().unwrap_or(&cluster.default_namespace),
                    name.as_str(),
                )
            }),
        };
        let (extras, errors) = extra::find(
            &cluster,
            &catalog,
            declared,
            target,
            &scope,
            settings.concurrency,
            live_cache,
        )
        .await;
        pairs.extend(
            extras
                .into_iter()
                .map(|(r, s)| (r, Some(s).filter(|_| keep_handles))),
        );
        warnings = errors;
    }
    if let Mutating::Unknown(why) = &mutating {
        warnings.push(format!(
            "mutating admission cannot be listed ({why}): no object is proven in sync without asking the server"
        ));
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

/// The reports of what release records may not declare (those of the selected types and
/// labels, and every record in error), with handles that nothing acts on: no type, no origin, no manifest.
fn refused_reports(
    context: &str,
    refused: &[super::helm::Refused],
    catalog: &Catalog,
    default_ns: &str,
    selected: impl Fn(&Placed) -> bool,
) -> Vec<(ResourceReport, ResourceHandle)> {
    let mut out = Vec::new();
    for r in refused {
        let (identity, origin) = match &r.object {
            Some(object) => {
                let mut placed = place(object, catalog, default_ns);
                // The types and labels selected, in any namespace: an object outside the
                // release's namespace is what is refused.
                let namespace = placed.identity.namespace.take();
                if !selected(&placed) {
                    continue;
                }
                placed.identity.namespace = namespace;
                (placed.identity, Some(object.origin.clone()))
            }
            None => (r.record.clone(), None),
        };
        let mut report = ResourceReport::new(context, identity.clone(), Status::Error);
        report.origin = origin;
        report.message = Some(r.message.clone());
        let handle = ResourceHandle {
            context: context.to_string(),
            identity,
            origin: None,
            resource: None,
            manifest: Value::Null,
            field_manager: String::new(),
            live_resource_version: None,
            commit: None,
        };
        out.push((report, handle));
    }
    out
}

/// The pipeline manager most live objects of a context were found with, for the objects
/// where none was found (not live, or no manager applied Git's fields); else
/// `DEFAULT_FIELD_MANAGER`.
pub(super) fn usual_manager(found: &BTreeMap<String, usize>) -> String {
    found
        .iter()
        .max_by_key(|(_, n)| **n)
        .map_or(settings::DEFAULT_FIELD_MANAGER, |(m, _)| m.as_str())
        .to_string()
}

/// One compared pair: its report, its handle (where handles are kept, or a dry run was
/// asked for), and the live object where a dry run was asked for: both are needed again if
/// the type turns out read-only.
pub(super) type Compared = (ResourceReport, Option<ResourceHandle>, Option<Value>);

/// The schema of a placed object's kind, when there is one.
pub(super) fn schema_of<'s>(p: &Placed, schemas: &'s openapi::Schemas) -> Option<schema::Type<'s>> {
    p.resource
        .and_then(|rt| schemas.kind(&rt.group, &rt.version, &rt.kind))
}

/// `--allow-remote-bases`, wherever the source keeps it.
pub(super) fn source_allows_remote(source: &crate::settings::source::SourceSpec) -> bool {
    use crate::settings::source::SourceSpec;
    match source {
        SourceSpec::Git {
            allow_remote_bases, ..
        }
        | SourceSpec::Files {
            allow_remote_bases, ..
        } => *allow_remote_bases,
        SourceSpec::Releases { .. } => false,
    }
}
