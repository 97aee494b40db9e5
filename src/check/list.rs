//! Listing live state: one LIST per (type, namespace), or one per type across the cluster
//! where many namespaces are touched, a page at a time; each live object that has a manifest
//! is sent on as its page arrives, the others dropped at once.

use super::*;

/// A live object's key: (group, version, kind, namespace, name). The version is part of
/// it: each object is read in the version its manifest is written in, and compared in it.
pub(super) type LiveKey = (String, String, String, Option<String>, String);
/// The placed objects by the key of their live counterpart.
pub(super) type LiveIndex = HashMap<LiveKey, usize>;
/// Why a (group, version, kind, namespace) could not be listed.
pub(super) type ListErrors = HashMap<(String, String, String, Option<String>), String>;
/// The namespaces each (group, version, kind) is touched in.
pub(super) type TouchedKinds =
    BTreeMap<(String, String, String), (ResourceType, BTreeSet<Option<String>>)>;

/// Where a placed object's live counterpart is found in a `LiveIndex`.
pub(super) fn live_key(id: &Identity) -> LiveKey {
    (
        id.group.clone(),
        id.version.clone(),
        id.kind.clone(),
        id.namespace.clone(),
        id.name.clone(),
    )
}

/// Where a placed object's list error is found in `ListErrors`.
pub(super) fn type_key(id: &Identity) -> (String, String, String, Option<String>) {
    (
        id.group.clone(),
        id.version.clone(),
        id.kind.clone(),
        id.namespace.clone(),
    )
}
/// From this many namespaces of one kind on, one cluster-wide LIST replaces a LIST per
/// namespace: fewer round trips for GitOps repositories that span many namespaces.
pub(super) const CLUSTER_WIDE_FROM: usize = 8;

/// Lists what the placed manifests touch: one LIST per (type, namespace), or one per type
/// across the cluster where many namespaces are touched and RBAC allows it. Each live object
/// that has a manifest is sent to `found` with its index in `placed` as its page arrives;
/// the others are dropped at once. Returns why each (type, namespace) that failed could not
/// be listed.
pub(super) async fn list_live(
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
                    if let Some(items) = cache.and_then(|c| c.get(cluster, &rt, None, None)) {
                        send_found(&rt, items, index, &mut found).await;
                        return failed;
                    }
                    let mut sent = 0;
                    match list_into(cluster, &rt, None, permits, index, &mut found, &mut sent).await
                    {
                        Ok(()) => {
                            if let Some(cache) = cache {
                                cache.start(cluster, &rt, None, None);
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
                    if let Some(items) =
                        cache.and_then(|c| c.get(cluster, &rt, ns.as_deref(), None))
                    {
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
                                cache.start(cluster, &rt, ns.as_deref(), None);
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
pub(super) type Found = futures::channel::mpsc::Sender<(usize, Value)>;

/// Lists one (type, namespace) a page at a time, each page's request under a permit, and
/// sends on what has a manifest; `sent` counts what was sent before a failure.
pub(super) async fn list_into(
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
pub(super) async fn send_found(
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
