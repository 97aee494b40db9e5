//! Fixing one resource: show its drift, ask (or not, with `--yes`), write it as its pipeline's
//! manager under its resourceVersion, audited before and after, and compare it again, a
//! bounded number of times when it moved meanwhile.

use super::*;

/// How many times one object may be diffed again because it moved under a write, before
/// it is skipped: something that keeps writing it would otherwise hold the run forever.
pub(super) const MAX_REDIFFS: usize = 3;

// Everything one resource's fix touches; bundling them would only rename them.
#[allow(clippy::too_many_arguments)]
pub(super) async fn fix_one(
    settings: &FixSettings,
    decider: &mut dyn Decider,
    style: &Style,
    out: &mut dyn Write,
    cluster: &Cluster,
    accepted_file: Option<&std::path::Path>,
    adopting: Option<crate::adopt::Repository<'_>>,
    target: Option<String>,
    mut resource: ResourceReport,
    mut handle: ResourceHandle,
) -> Result<(ResourceReport, Outcome), FixError> {
    let mut force = false;
    let mut rediffs = 0;
    let secret = errors::is_secret(&handle.identity.group, &handle.identity.kind);
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
                crate::report::terminal_text(&handle.field_manager)
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
                let outcome =
                    crate::accepted::acceptance(&resource, target.as_deref(), &reason, until, &by)
                        .and_then(|record| crate::accepted::record(file, record));
                return Ok(match outcome {
                    Ok(()) => {
                        writeln!(out, "accepted: recorded in {}\n", file.display())?;
                        (resource, Outcome::Accepted)
                    }
                    Err(e) => (resource, Outcome::Failed(e.to_string())),
                });
            }
            Choice::Adopt => {
                let outcome = match adopting {
                    None => Err("adopting writes into a local repository's work tree at HEAD; run fix there without --ref".to_string()),
                    Some(repository) => crate::adopt::plan_for(
                        [(&resource, &handle)],
                        repository,
                        crate::adopt::Options::default(),
                    )
                    .map_err(|e| e.to_string())
                    .and_then(|adoption| match adoption.refused.first() {
                        Some(refusal) => Err(refusal.why.clone()),
                        None => crate::adopt::write(&adoption)
                            .map(|()| adoption)
                            .map_err(|e| e.to_string()),
                    }),
                };
                return Ok(match outcome {
                    Ok(adoption) => {
                        for change in &adoption.changes {
                            writeln!(
                                out,
                                "adopted: written into {} (review it with git diff, then commit it)",
                                terminal_text(&change.file)
                            )?;
                        }
                        writeln!(out)?;
                        (resource, Outcome::Adopted)
                    }
                    Err(message) => {
                        writeln!(
                            out,
                            "{}: not adopted: {}\n",
                            describe(&resource),
                            terminal_text(&message)
                        )?;
                        (resource, Outcome::Skipped)
                    }
                });
            }
            Choice::Apply => {}
        }
        let Some(resource_type) = handle.resource.clone() else {
            return Ok((resource, Outcome::Failed("its type is not served".into())));
        };
        let (manifest, notes) = crate::ignore::without_ignored(&handle.manifest, &resource);
        for note in notes {
            writeln!(out, "{}: {}", describe(&resource), terminal_text(&note))?;
        }
        let created = resource.status == Status::Missing;
        // A client-side pipeline's objects are written as its `kubectl apply` writes them,
        // last-applied annotation included, so that its next deploy finds them current.
        let client_side = handle.field_manager == live::CLIENT_SIDE_APPLY;
        let action = if created { "create" } else { "apply" };
        if let Err(message) = audit_intent(settings, cluster, &handle, &resource, action) {
            return Ok(not_audited(resource, message, out)?);
        }
        // Ignored fields the pipeline's manager owns are applied as they are live: left out,
        // its apply would remove them.
        let kept = match created || client_side || resource.ignored_fields.is_empty() {
            true => Ok(manifest),
            false => kept_ignored(cluster, &resource_type, &handle, &resource, manifest).await,
        };
        // A missing object has no version to hold on to: it is created only if it still does
        // not exist (409 AlreadyExists otherwise, handled as a change since the diff).
        let result = match kept {
            Err(error) => Err(error),
            Ok(manifest) => {
                if created {
                    let body = match client_side {
                        true => live::with_last_applied(&manifest, &handle.manifest),
                        false => manifest,
                    };
                    live::create(
                        cluster,
                        &resource_type,
                        handle.identity.namespace.as_deref(),
                        &handle.identity.name,
                        &body,
                        &handle.field_manager,
                    )
                    .await
                } else if client_side {
                    live::apply_client_side(
                        cluster,
                        &resource_type,
                        handle.identity.namespace.as_deref(),
                        &handle.identity.name,
                        &manifest,
                        &handle.manifest,
                        handle.live_resource_version.as_deref(),
                    )
                    .await
                } else {
                    live::apply(
                        cluster,
                        &resource_type,
                        handle.identity.namespace.as_deref(),
                        &handle.identity.name,
                        &manifest,
                        &live::ApplyOptions {
                            field_manager: &handle.field_manager,
                            force,
                            resource_version: handle.live_resource_version.as_deref(),
                        },
                    )
                    .await
                }
            }
        };
        match result {
            Ok(_) => {
                audit_write(
                    settings,
                    cluster,
                    &handle,
                    &resource,
                    if created { "created" } else { "applied" },
                    None,
                )?;
                if is_crd(&handle.identity) {
                    // Its custom resources, later in the run, need the type served.
                    match live::wait_established(cluster, &resource_type, &handle.identity.name)
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
                let (mut after, _) = check::recheck(cluster, &handle, &settings.check).await;
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
                let (now, new_target) = check::recheck(cluster, &handle, &settings.check).await;
                if now.status == Status::Missing && !created {
                    // Deleted since its diff (the server refused the apply's UID): making
                    // it anew is nothing anybody was shown.
                    return vanished(settings, cluster, &handle, resource, &status, out);
                }
                let moved = new_target.live_resource_version != handle.live_resource_version;
                if moved || !is_field_conflict(&status) {
                    audit_write(
                        settings,
                        cluster,
                        &handle,
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
                    handle = new_target;
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
                    &handle,
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
            Err(kube::Error::Api(status)) if status.code == 404 && !created => {
                return vanished(settings, cluster, &handle, resource, &status, out);
            }
            Err(error) if gave_up(cluster, &error) => {
                let message = unknown_write(settings, cluster, &handle, &resource, &error).await?;
                writeln!(
                    out,
                    "{}: {}\n",
                    describe(&resource),
                    terminal_text(&message)
                )?;
                return Ok((resource, Outcome::Failed(message)));
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
                    &handle,
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

/// An object deleted since its diff was shown: not made anew (nobody was shown that),
/// audited as changed since the diff, and an error.
fn vanished(
    settings: &FixSettings,
    cluster: &Cluster,
    handle: &ResourceHandle,
    resource: ResourceReport,
    status: &kube::core::Status,
    out: &mut dyn Write,
) -> Result<(ResourceReport, Outcome), FixError> {
    let secret = errors::is_secret(&handle.identity.group, &handle.identity.kind);
    audit_write(
        settings,
        cluster,
        handle,
        &resource,
        "changed-since-diff",
        Some(&errors::status_text(status, secret)),
    )?;
    let message =
        "changed since its diff was shown: it was deleted; nothing was written".to_string();
    writeln!(out, "{}: {message}\n", describe(&resource))?;
    Ok((resource, Outcome::Failed(message)))
}

/// Git's manifest (ignored fields already left out) with each ignored field that the
/// pipeline's manager owns through apply put back as it is live, read just before: left
/// out of that manager's apply, the server would remove it. Fields others own stay left
/// out, and so theirs. A 404 or 409 when the object is gone or moved since its diff.
pub(super) async fn kept_ignored(
    cluster: &Cluster,
    resource_type: &crate::cluster::ResourceType,
    handle: &ResourceHandle,
    resource: &ResourceReport,
    mut body: serde_json::Value,
) -> Result<serde_json::Value, kube::Error> {
    let Some(rv) = handle.live_resource_version.as_deref() else {
        return Ok(body);
    };
    let name = &handle.identity.name;
    let Some(object) = live::get(
        cluster,
        resource_type,
        handle.identity.namespace.as_deref(),
        name,
    )
    .await?
    else {
        return Err(live::refusal(404, "NotFound", name, "it no longer exists"));
    };
    if object["metadata"]["resourceVersion"].as_str() != Some(rv) {
        return Err(live::refusal(
            409,
            "Conflict",
            name,
            "it was modified since",
        ));
    }
    let owners = crate::drift::attribution::ManagedFields::of(&object);
    for ignored in &resource.ignored_fields {
        // An item of a list without keys: the list is what an apply owns and replaces.
        let segments = ignored.field.segments();
        let field = match segments
            .iter()
            .position(|s| matches!(s, crate::drift::path::Segment::Index(_)))
        {
            Some(at) => crate::drift::path::FieldPath(segments[..at].to_vec()),
            None => ignored.field.clone(),
        };
        if owners.applied_owns(&handle.field_manager, &field, &object) {
            field.copy_between(&object, &mut body);
        }
    }
    Ok(body)
}

/// Whether a write failed for want of an answer: the context's deadline has passed (the
/// server is taken as frozen) and the error is the client's, not the server's.
pub(super) fn gave_up(cluster: &Cluster, error: &kube::Error) -> bool {
    !matches!(error, kube::Error::Api(_)) && given_up(cluster).is_some()
}

/// The request timeout after which the context was given up, once one of its requests got
/// no answer: the rest of its work is not tried.
pub(super) fn given_up(cluster: &Cluster) -> Option<std::time::Duration> {
    futures::FutureExt::now_or_never(cluster.deadline.passed())
}

/// A write whose answer never came: audited as `unknown` (it may have landed), then read
/// back once if the server answers now, and audited as found. The message says what is
/// known.
pub(super) async fn unknown_write(
    settings: &FixSettings,
    cluster: &Cluster,
    handle: &ResourceHandle,
    resource: &ResourceReport,
    error: &kube::Error,
) -> io::Result<String> {
    let secret = errors::is_secret(&handle.identity.group, &handle.identity.kind);
    let message = format!(
        "no answer, so whether it was written is unknown: {}",
        errors::describe(error, secret)
    );
    audit_write(
        settings,
        cluster,
        handle,
        resource,
        "unknown",
        Some(&message),
    )?;
    let (after, _) = check::recheck(cluster, handle, &settings.check).await;
    let found = match after.status {
        Status::InSync => "read back: in sync, the write landed",
        Status::Error => return Ok(format!("{message}; it could not be read back")),
        _ => "read back: it still differs from Git",
    };
    audit_write(
        settings,
        cluster,
        handle,
        resource,
        "read-back",
        Some(found),
    )?;
    Ok(format!("{message}; {found}"))
}

/// `Deployment shop/web (production)`, safe for the terminal.
pub(super) fn describe(resource: &ResourceReport) -> String {
    terminal_text(&format!(
        "{} {} ({})",
        resource.identity.kind,
        resource.identity.namespaced_name(),
        resource.context
    ))
    .into_owned()
}

pub(super) fn is_field_conflict(status: &kube::core::Status) -> bool {
    status
        .details
        .as_ref()
        .is_some_and(|d| d.causes.iter().any(|c| c.reason == "FieldManagerConflict"))
}

/// `  .spec.replicas  owned by kubectl (conflict with "kubectl" …)`, one per conflicting field.
/// For a Secret only the fields: the server's words are not passed on.
pub(super) fn conflict_lines(status: &kube::core::Status, secret: bool) -> String {
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
pub(super) fn audit_intent(
    settings: &FixSettings,
    cluster: &Cluster,
    handle: &ResourceHandle,
    resource: &ResourceReport,
    action: &str,
) -> Result<(), String> {
    audit_write(settings, cluster, handle, resource, "intent", Some(action)).map_err(|e| {
        format!(
            "not written: the audit log {} cannot be written: {e}",
            settings.audit_log.display()
        )
    })
}

/// A resource left unwritten because its intent line could not be written: said, and failed.
pub(super) fn not_audited(
    resource: ResourceReport,
    message: String,
    out: &mut dyn Write,
) -> io::Result<(ResourceReport, Outcome)> {
    writeln!(
        out,
        "{}: {}\n",
        describe(&resource),
        terminal_text(&message)
    )?;
    Ok((resource, Outcome::Failed(message)))
}

pub(super) fn audit_write(
    settings: &FixSettings,
    cluster: &Cluster,
    handle: &ResourceHandle,
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
            manager: (!handle.field_manager.is_empty()).then_some(&handle.field_manager),
            context: &cluster.context,
            identity: &handle.identity,
            commit: handle.commit.as_deref(),
            fields: resource.fields.iter().map(|f| f.path.to_string()).collect(),
            outcome,
            message,
        },
    )
}
