//! Deleting one extra object (`--prune`): asked like any fix, guarded by its
//! resourceVersion, audited before and after.

use super::*;

/// An `Extra` object: deleted with `--prune` (after asking, in a terminal), else left alone.
pub(super) async fn prune_one(
    settings: &FixSettings,
    decider: &mut dyn Decider,
    style: &Style,
    out: &mut dyn Write,
    cluster: &Cluster,
    resource: ResourceReport,
    handle: &ResourceHandle,
) -> Result<(ResourceReport, Outcome), FixError> {
    // What Kubernetes, Helm or a controller made is never deleted, whatever the report says.
    if let Some(why) = extra::made_by_kubernetes(&handle.identity, &handle.manifest, &[]) {
        writeln!(out, "{}: left in place: {why}\n", describe(&resource))?;
        return Ok((resource, Outcome::Skipped));
    }
    let secret = errors::is_secret(&handle.identity.group, &handle.identity.kind);
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
            Choice::Adopt | Choice::Accept { .. } => {
                writeln!(
                    out,
                    "an object with no manifest cannot be accepted or adopted; add its manifest to Git instead\n"
                )?;
            }
            Choice::Apply => break,
        }
    }
    let Some(resource_type) = handle.resource.clone() else {
        return Ok((resource, Outcome::Failed("its type is not served".into())));
    };
    if let Err(message) = audit_intent(settings, cluster, handle, &resource, "delete") {
        return Ok(not_audited(resource, message, out)?);
    }
    let result = live::delete(
        cluster,
        &resource_type,
        handle.identity.namespace.as_deref(),
        &handle.identity.name,
        handle.live_resource_version.as_deref(),
    )
    .await;
    match result {
        Ok(()) => {
            audit_write(settings, cluster, handle, &resource, "deleted", None)?;
            let (after, _) = check::recheck(cluster, handle, &settings.check).await;
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
        Err(error) if gave_up(cluster, &error) => {
            let message = unknown_write(settings, cluster, handle, &resource, &error).await?;
            writeln!(
                out,
                "{}: {}\n",
                describe(&resource),
                terminal_text(&message)
            )?;
            Ok((resource, Outcome::Failed(message)))
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
                handle,
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
