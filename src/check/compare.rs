//! Comparing one desired object with its live counterpart: the pre-check first, then a
//! server-side dry run (or the declared fields, for types that may not be dry-run).

use super::*;
use crate::cluster::admission::Mutating;
use crate::drift::normalize::StatusField;

/// The types of one context that may not be dry-run (a 403, or a type that cannot be
/// patched at all), by kubectl's name for them: compared by their declared fields. The
/// fallback is per type: a forbidden Role says nothing about Deployments.
#[derive(Debug, Default)]
pub(super) struct ReadOnlyTypes(Mutex<BTreeSet<String>>);

impl ReadOnlyTypes {
    pub(super) fn add(&self, resource: &ResourceType) {
        if let Ok(mut types) = self.0.lock() {
            types.insert(resource.qualified_plural());
        }
    }

    pub(super) fn contains(&self, resource: &ResourceType) -> bool {
        self.0
            .lock()
            .is_ok_and(|types| types.contains(&resource.qualified_plural()))
    }

    /// Whether this handle's type turned out read-only.
    pub(super) fn covers(&self, handle: &ResourceHandle) -> bool {
        handle.resource.as_ref().is_some_and(|rt| self.contains(rt))
    }

    pub(super) fn names(&self) -> Vec<String> {
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
pub(super) async fn compare(
    cluster: &Cluster,
    handle: &ResourceHandle,
    live: Option<&Value>,
    list_error: Option<String>,
    schema: Option<schema::Type<'_>>,
    mutating: &Mutating,
    settings: &CheckSettings,
    read_only: &ReadOnlyTypes,
    permits: Option<&tokio::sync::Semaphore>,
) -> (ResourceReport, bool) {
    let mut report = ResourceReport::new(&cluster.context, handle.identity.clone(), Status::InSync);
    report.origin = handle.origin.clone();
    if let Some(reason) = ignore::annotation_reason(&handle.manifest) {
        report.status = Status::Ignored;
        report.message = Some(format!("ignored by {}: {reason}", ignore::ANNOTATION));
        return (report, false);
    }
    let Some(resource) = &handle.resource else {
        report.status = Status::Error;
        report.message = Some(format!(
            "the server doesn't serve {} {}",
            handle.manifest["apiVersion"].as_str().unwrap_or_default(),
            handle.identity.kind
        ));
        return (report, false);
    };
    if let Some(message) = list_error {
        report.status = Status::Error;
        report.message = Some(message);
        return (report, false);
    }
    let manifest = &handle.manifest;
    let secret = is_secret(&handle.identity);
    let Some(live) = live else {
        report.status = Status::Missing;
        report.predicted_object = Some(drift::normalize::normalize(manifest));
        if read_only.contains(resource) || !resource.verbs.iter().any(|v| v == "create") {
            return (report, false);
        }
        // Validated before it is called Missing: what the server would make of it, or why
        // it would refuse it.
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
            live::dry_run_create(
                cluster,
                resource,
                handle.identity.namespace.as_deref(),
                manifest,
                &handle.field_manager,
            )
            .await
        };
        match predicted {
            Ok(predicted) => {
                report.predicted_object = Some(drift::normalize::normalize(&predicted));
            }
            // Read-only credentials: Missing as Git declares it, unvalidated.
            Err(kube::Error::Api(status)) if status.code == 403 => {
                report.message = Some(format!(
                    "not validated: the dry run of its create was refused ({})",
                    errors::status_text(&status, secret)
                ));
            }
            // Its namespace is missing too (and created first when fixed).
            Err(kube::Error::Api(status)) if status.code == 404 => {
                report.message = Some(format!(
                    "not validated: {}",
                    errors::status_text(&status, secret)
                ));
            }
            // Made since it was listed.
            Err(kube::Error::Api(status)) if status.code == 409 => {
                report.message = Some(format!(
                    "not validated: {}",
                    errors::status_text(&status, secret)
                ));
            }
            Err(kube::Error::Api(status)) => {
                report.status = Status::Error;
                report.predicted_object = None;
                report.message = Some(format!(
                    "missing, and the server would refuse to create it: {}",
                    errors::status_text(&status, secret)
                ));
            }
            Err(error) => {
                report.status = Status::Error;
                report.predicted_object = None;
                report.message = Some(format!(
                    "missing, and the dry run of its create failed: {}",
                    api_message(&error, secret)
                ));
            }
        }
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
        for path in undeclared::hand_written(live, manifest, &handle.field_manager) {
            if !removals.contains(&path) {
                removals.push(path);
            }
        }
    }
    // What admission may change on the way in, only the server's dry run can tell.
    let admitted = mutating.may_touch(&resource.group, &resource.plural);
    if removals.is_empty()
        && admitted.is_none()
        && precheck::proves_in_sync(manifest, live, &handle.field_manager, schema)
    {
        return (report, false);
    }
    let status_field = StatusField::with_subresource(resource.status_subresource);
    let mut dry_run = false;
    let drift: PairDrift = if read_only.contains(resource)
        || !resource.verbs.iter().any(|v| v == "patch")
    {
        read_only.add(resource);
        drift::declared(manifest, live, schema, status_field)
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
                handle.identity.namespace.as_deref(),
                &handle.identity.name,
                manifest,
                &handle.field_manager,
            )
            .await
        };
        match predicted {
            Ok(predicted) => drift::exact(&predicted, live, status_field, schema),
            Err(kube::Error::Api(status)) if status.code == 403 => {
                read_only.add(resource);
                drift::declared(manifest, live, schema, status_field)
            }
            // The server refuses to merge Git into the live object (say, a changed port
            // whose name now clashes): the declared fields still show what differs.
            Err(kube::Error::Api(status)) if status.code == 422 => {
                let declared = drift::declared(manifest, live, schema, status_field);
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
    if !drift.unverified.is_empty() {
        let paths: Vec<String> = drift.unverified.iter().map(|p| p.to_string()).collect();
        let note = format!("can't verify without a dry run: {}", paths.join(", "));
        report.message = Some(match report.message.take() {
            Some(message) => format!("{message}; {note}"),
            None => note,
        });
    }
    if !drift.fields.is_empty() {
        report.status = Status::Drifted;
    }
    report.fields = drift.fields;
    report.live_digest = if secret && !report.fields.is_empty() {
        // A slow digest (PBKDF2, tens of milliseconds): off the threads that run requests.
        let (drifted, live) = (report.clone(), live.clone());
        tokio::task::spawn_blocking(move || redact::live_digest(&drifted, &live))
            .await
            .unwrap_or(None)
    } else {
        None
    };
    report.predicted_object = Some(drift.git);
    report.live_object = Some(drift.live);
    (report, dry_run)
}

/// The manifest as it will be sent: with its namespace filled in, as kubectl would, and
/// without one for a cluster-scoped kind, which kubectl ignores there.
pub(super) fn manifest_for(placed: &Placed) -> Value {
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
pub(super) fn api_message(error: &kube::Error, secret: bool) -> String {
    errors::describe(error, secret)
}

pub(super) fn is_secret(identity: &Identity) -> bool {
    errors::is_secret(&identity.group, &identity.kind)
}
