//! Fix plans: `fix --dry-run --save-plan FILE` freezes what `fix --yes` would write, object
//! by object (action, manager, fields, forced conflicts, exact body, and the resourceVersion
//! it was computed against), so that a person can approve it; `fix --plan FILE` executes
//! exactly that plan later, each write guarded by its resourceVersion (a create only if the
//! object still does not exist). An entry whose object has moved since is not written and is
//! listed. A plan holds no Secret value: a Secret's entry names its manifest (file, line,
//! commit) and its SHA-256, and the body is read again from that commit when the plan runs.

use std::io::{self, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::check::ResourceHandle;
use crate::cluster::{errors, kubeconfig, live, Cluster, ResourceType};
use crate::drift::{Identity, Status};
use crate::report::{terminal_text, ResourceReport};
use crate::settings::source::SourceSpec;
use crate::settings::CheckSettings;
use crate::source;

pub const API_VERSION: &str = "kubectl-drift/v1";
pub const KIND: &str = "FixPlan";

/// A saved plan.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FixPlan {
    pub api_version: String,
    pub kind: String,
    /// The Git commit the manifests were read from.
    pub commit: Option<String>,
    pub created: chrono::DateTime<chrono::Utc>,
    /// In write order.
    pub entries: Vec<PlanEntry>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Apply,
    Create,
    Delete,
}

impl Action {
    fn word(self) -> &'static str {
        match self {
            Action::Apply => "apply",
            Action::Create => "create",
            Action::Delete => "delete",
        }
    }
}

/// One object's write, frozen.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlanEntry {
    pub context: String,
    pub action: Action,
    pub api_version: String,
    pub kind: String,
    /// The type's plural resource name, as served when the plan was made.
    pub resource: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub name: String,
    /// The field manager the write is made as (empty for a delete).
    pub manager: String,
    /// Written as client-side `kubectl apply` writes (last-applied annotation included).
    #[serde(default)]
    pub client_side: bool,
    /// The fields that will change.
    pub fields: Vec<String>,
    /// Drifted fields another manager last wrote: the apply takes them over (forces).
    pub conflicts: Vec<String>,
    /// The resourceVersion the entry was computed against; none for a create.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_version: Option<String>,
    /// A create: the object must not exist when the plan runs.
    #[serde(default)]
    pub must_not_exist: bool,
    /// The exact body to write (ignored fields left out); none for a delete and a Secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// For a client-side write: the manifest recorded in the last-applied annotation, when it
    /// differs from `body` (ignored fields); none for a Secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_applied: Option<Value>,
    /// For a Secret: where its manifest is, to be read again when the plan runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_source: Option<SecretSource>,
}

/// Where a Secret's manifest is written, and its hash.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SecretSource {
    pub file: String,
    pub line: usize,
    pub commit: String,
    /// PBKDF2-HMAC-SHA256 of the manifest as it is sent (compact JSON, namespace filled
    /// in), salted with its namespace and name.
    pub sha256: String,
}

/// Errors that stop a plan from being saved or run; nothing is written after one.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("the plan {file}: {message}")]
    Invalid { file: String, message: String },
    #[error("the plan {file} cannot be written: {source}")]
    Write { file: String, source: io::Error },
    #[error("cannot save a plan: {0}")]
    NotPlannable(String),
    #[error("the plan is refused: {0}")]
    Refused(String),
    #[error(transparent)]
    Cluster(#[from] crate::cluster::ClusterError),
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// The digest a plan keeps of a Secret's manifest: slow and salted with the Secret's
/// namespace and name, as every stored digest of Secret values is, so that a short password
/// in Git can't be recovered from a plan by trying candidates against a plain hash.
fn sha256_hex(value: &Value) -> String {
    let bytes = serde_json::to_vec(value).unwrap_or_default();
    let salt = format!(
        "kubectl-drift plan digest\u{0}{}\u{0}{}",
        value["metadata"]["namespace"].as_str().unwrap_or_default(),
        value["metadata"]["name"].as_str().unwrap_or_default()
    );
    crate::report::redact::slow_digest(&salt, &bytes)
}

/// The entry for one resource that `fix --dry-run` would write or delete.
pub fn entry(resource: &ResourceReport, handle: &ResourceHandle) -> Result<PlanEntry, PlanError> {
    let who = describe_identity(&handle.identity, &handle.context);
    let Some(resource_type) = handle.resource.as_ref() else {
        return Err(PlanError::NotPlannable(format!(
            "{who}: its type is not served"
        )));
    };
    let action = match resource.status {
        Status::Extra => Action::Delete,
        Status::Missing => Action::Create,
        _ => Action::Apply,
    };
    let secret = errors::is_secret(&handle.identity.group, &handle.identity.kind);
    let client_side = action != Action::Delete && handle.field_manager == live::CLIENT_SIDE_APPLY;
    let (body, last_applied, secret_source) = match action {
        Action::Delete => (None, None, None),
        _ => {
            let (body, _) = crate::ignore::without_ignored(&handle.manifest, resource);
            if secret {
                if body != handle.manifest {
                    return Err(PlanError::NotPlannable(format!(
                        "{who}: a Secret with ignored fields cannot be planned (its body is not stored in a plan)"
                    )));
                }
                let (Some(origin), Some(commit)) = (&handle.origin, &handle.commit) else {
                    return Err(PlanError::NotPlannable(format!(
                        "{who}: a Secret's manifest must come from a Git commit to be planned"
                    )));
                };
                let source = SecretSource {
                    file: origin.file.clone(),
                    line: origin.line,
                    commit: commit.clone(),
                    sha256: sha256_hex(&handle.manifest),
                };
                (None, None, Some(source))
            } else {
                let last =
                    (client_side && body != handle.manifest).then(|| handle.manifest.clone());
                (Some(body), last, None)
            }
        }
    };
    let manager = match action {
        Action::Delete => String::new(),
        _ => handle.field_manager.clone(),
    };
    let conflicts = match action {
        Action::Apply => resource
            .fields
            .iter()
            .filter(|f| {
                f.attribution
                    .as_ref()
                    .is_some_and(|a| a.manager != handle.field_manager)
            })
            .map(|f| f.path.to_string())
            .collect(),
        _ => Vec::new(),
    };
    Ok(PlanEntry {
        context: handle.context.clone(),
        action,
        api_version: resource_type.api_version(),
        kind: resource_type.kind.clone(),
        resource: resource_type.plural.clone(),
        namespace: handle.identity.namespace.clone(),
        name: handle.identity.name.clone(),
        manager,
        client_side,
        fields: resource.fields.iter().map(|f| f.path.to_string()).collect(),
        conflicts,
        resource_version: match action {
            Action::Create => None,
            _ => handle.live_resource_version.clone(),
        },
        must_not_exist: action == Action::Create,
        body,
        last_applied,
        secret_source,
    })
}

/// Writes the plan to `path` whole or not at all: a temporary file beside it, synced, then
/// renamed over it.
pub fn save(plan: &FixPlan, path: &Path) -> Result<(), PlanError> {
    let file = path.display().to_string();
    let write_error = |source| PlanError::Write {
        file: file.clone(),
        source,
    };
    let mut text =
        serde_json::to_string_pretty(plan).map_err(|e| write_error(io::Error::other(e)))?;
    text.push('\n');
    let dir = match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(dir) => dir.to_path_buf(),
        None => std::path::PathBuf::from("."),
    };
    let mut temp = tempfile::NamedTempFile::new_in(&dir).map_err(write_error)?;
    temp.write_all(text.as_bytes()).map_err(write_error)?;
    temp.as_file().sync_all().map_err(write_error)?;
    temp.persist(path).map_err(|e| write_error(e.error))?;
    Ok(())
}

/// Reads a plan (JSON, or YAML) and checks its version.
pub fn load(path: &Path) -> Result<FixPlan, PlanError> {
    let file = path.display().to_string();
    let invalid = |message: String| PlanError::Invalid {
        file: file.clone(),
        message,
    };
    let bytes = std::fs::read(path).map_err(|e| invalid(format!("cannot be read: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|_| invalid("is not UTF-8 text".into()))?;
    let plan: FixPlan = match serde_json::from_str(&text) {
        Ok(plan) => plan,
        Err(json) => crate::yaml::from_str(&text).map_err(|yaml| {
            invalid(match text.trim_start().starts_with('{') {
                true => format!("line {}: {json}", json.line()),
                false => yaml.to_string(),
            })
        })?,
    };
    if plan.api_version != API_VERSION || plan.kind != KIND {
        return Err(invalid(format!(
            "is {}/{}, not a {API_VERSION} {KIND}",
            terminal_text(&plan.api_version),
            terminal_text(&plan.kind)
        )));
    }
    for (i, e) in plan.entries.iter().enumerate() {
        let fault = match e.action {
            Action::Delete => None,
            _ if e.secret_source.is_some() => (e.kind != "Secret" || e.body.is_some())
                .then_some("a secretSource is only for a Secret, without a body"),
            _ if e.kind == "Secret" => Some("a Secret's body is never stored in a plan"),
            _ if e.body.is_none() => Some("has no body"),
            _ => None,
        };
        let fault = fault.or_else(|| match e.action {
            Action::Create => (!e.must_not_exist).then_some("a create must have mustNotExist"),
            _ => e
                .resource_version
                .is_none()
                .then_some("has no resourceVersion to hold it to"),
        });
        if let Some(fault) = fault {
            return Err(invalid(format!("entry {}: {fault}", i + 1)));
        }
    }
    Ok(plan)
}

fn describe_identity(identity: &Identity, context: &str) -> String {
    terminal_text(&format!(
        "{} {} ({context})",
        identity.kind,
        identity.namespaced_name()
    ))
    .into_owned()
}

fn describe(entry: &PlanEntry) -> String {
    let name = match &entry.namespace {
        Some(ns) => format!("{ns}/{}", entry.name),
        None => entry.name.clone(),
    };
    terminal_text(&format!("{} {name} ({})", entry.kind, entry.context)).into_owned()
}

/// Shows what the plan will do, entry by entry.
pub fn show(plan: &FixPlan, file: &Path, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "plan {} · Git {} · {} entries",
        terminal_text(&file.display().to_string()),
        terminal_text(
            plan.commit
                .as_deref()
                .map(source::short_commit)
                .unwrap_or("(files)")
        ),
        plan.entries.len()
    )?;
    for e in &plan.entries {
        let guard = match (&e.resource_version, e.must_not_exist) {
            (_, true) => "only if it does not exist".to_string(),
            (Some(rv), _) => format!("at resourceVersion {}", terminal_text(rv)),
            (None, _) => String::new(),
        };
        let manager = match e.action {
            Action::Delete => String::new(),
            _ => format!(
                " as {}{}",
                terminal_text(&e.manager),
                if e.client_side { " (client-side)" } else { "" }
            ),
        };
        writeln!(
            out,
            "  {} {}{manager}, {guard}",
            e.action.word(),
            describe(e)
        )?;
        for field in &e.fields {
            writeln!(out, "      {}", terminal_text(field))?;
        }
        if !e.conflicts.is_empty() {
            writeln!(
                out,
                "    takes over from other managers: {}",
                terminal_text(&e.conflicts.join(", "))
            )?;
        }
        if let Some(s) = &e.secret_source {
            writeln!(
                out,
                "    body read from {}:{} @ {} when the plan runs",
                terminal_text(&s.file),
                s.line,
                source::short_commit(&s.commit)
            )?;
        }
    }
    Ok(())
}

/// How one entry ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryOutcome {
    Written,
    /// The object moved (or, for a create, exists) since the plan: nothing written.
    Stale(String),
    Failed(String),
}

/// The end of a plan's run.
#[derive(Debug, Clone, Default)]
pub struct PlanSummary {
    pub outcomes: Vec<(String, EntryOutcome)>,
}

impl PlanSummary {
    /// 0 when every entry was written; 2 otherwise: the approved plan was not carried out
    /// whole (an entry gone stale, a write refused), and needs a new plan and a new approval.
    pub fn exit_code(&self) -> i32 {
        match self
            .outcomes
            .iter()
            .all(|(_, o)| *o == EntryOutcome::Written)
        {
            true => 0,
            false => 2,
        }
    }
}

/// The Secret bodies of a plan, read again from the commits it names, each checked against
/// its hash; any mismatch refuses the whole plan before anything is written.
fn secret_bodies(plan: &FixPlan, check: &CheckSettings) -> Result<Vec<Option<Value>>, PlanError> {
    let mut bodies = Vec::with_capacity(plan.entries.len());
    for e in &plan.entries {
        let Some(s) = &e.secret_source else {
            bodies.push(None);
            continue;
        };
        let who = describe(e);
        let refused = |why: String| {
            PlanError::Refused(format!(
                "{who}: {why}; make a new plan and have it approved"
            ))
        };
        let (repo, offline) = match &check.source {
            SourceSpec::Git { repo, offline, .. } => (repo.clone(), *offline),
            SourceSpec::Files { .. } | SourceSpec::Releases { .. } => {
                return Err(refused(
                    "its body is read from Git, and this check reads no Git".into(),
                ))
            }
        };
        let spec = SourceSpec::Git {
            repo,
            rev: s.commit.clone(),
            paths: vec![s.file.clone()],
            offline,
            allow_remote_bases: false,
        };
        let opened = source::open(&spec).map_err(|e| {
            refused(format!(
                "commit {} cannot be read: {}",
                source::short_commit(&s.commit),
                terminal_text(&e.to_string())
            ))
        })?;
        if opened.commit() != Some(s.commit.as_str()) {
            return Err(refused(format!(
                "{} is not the commit {}",
                terminal_text(opened.commit().unwrap_or_default()),
                terminal_text(&s.commit)
            )));
        }
        let desired = source::read(&opened, std::slice::from_ref(&s.file), &Default::default())
            .map_err(|e| {
                refused(format!(
                    "{} @ {} cannot be read: {}",
                    terminal_text(&s.file),
                    source::short_commit(&s.commit),
                    terminal_text(&e.to_string())
                ))
            })?;
        let found = desired.objects.into_iter().find(|o| {
            o.origin.file == s.file
                && o.origin.line == s.line
                && o.kind() == "Secret"
                && o.name() == e.name
        });
        let Some(found) = found else {
            return Err(refused(format!(
                "no Secret {} at {}:{} @ {}",
                terminal_text(&e.name),
                terminal_text(&s.file),
                s.line,
                source::short_commit(&s.commit)
            )));
        };
        let mut body = found.manifest();
        if let (Some(ns), Some(meta)) = (&e.namespace, body["metadata"].as_object_mut()) {
            meta.insert("namespace".into(), Value::String(ns.clone()));
        }
        if sha256_hex(&body) != s.sha256 {
            return Err(refused(format!(
                "its manifest {}:{} @ {} no longer hashes as when the plan was made",
                terminal_text(&s.file),
                s.line,
                source::short_commit(&s.commit)
            )));
        }
        bodies.push(Some(body));
    }
    Ok(bodies)
}

/// Checks a plan's Secrets against Git and connects to its contexts: everything that can
/// refuse the plan, before it is shown for approval.
pub struct Ready {
    bodies: Vec<Option<Value>>,
    clusters: Vec<Cluster>,
}

pub async fn prepare(plan: &FixPlan, check: &CheckSettings) -> Result<Ready, PlanError> {
    let bodies = secret_bodies(plan, check)?;
    let config = kubeconfig::load_kubeconfig(check.cluster.kubeconfig.as_deref())?;
    let mut clusters: Vec<Cluster> = Vec::new();
    for e in &plan.entries {
        if clusters.iter().any(|c| c.context == e.context) {
            continue;
        }
        let mut cluster =
            kubeconfig::connect_with_timeout(&config, &e.context, check.cluster.request_timeout)
                .await?;
        cluster.server_user = live::self_subject_review(&cluster).await.ok();
        clusters.push(cluster);
    }
    Ok(Ready { bodies, clusters })
}

fn resource_type(e: &PlanEntry) -> ResourceType {
    let (group, version) = crate::cluster::discovery::split_api_version(&e.api_version);
    ResourceType {
        group: group.to_string(),
        version: version.to_string(),
        kind: e.kind.clone(),
        plural: e.resource.clone(),
        singular: String::new(),
        short_names: Vec::new(),
        namespaced: e.namespace.is_some(),
        verbs: Vec::new(),
        preferred: true,
        status_subresource: true,
    }
}

/// Executes the plan as approved: each entry guarded, in the plan's order, audited before
/// and after as any fix.
pub async fn execute(
    plan: &FixPlan,
    ready: &Ready,
    audit_log: &Path,
    out: &mut dyn Write,
) -> Result<PlanSummary, PlanError> {
    let mut summary = PlanSummary::default();
    for (e, secret_body) in plan.entries.iter().zip(&ready.bodies) {
        let who = describe(e);
        let cluster = ready
            .clusters
            .iter()
            .find(|c| c.context == e.context)
            .expect("every context of the plan is connected in prepare");
        let rt = resource_type(e);
        let identity = Identity {
            group: rt.group.clone(),
            version: rt.version.clone(),
            kind: e.kind.clone(),
            namespace: e.namespace.clone(),
            name: e.name.clone(),
        };
        let secret = errors::is_secret(&rt.group, &rt.kind);
        let audit = |outcome: &str, message: Option<&str>| {
            let server = cluster.server_user.as_ref();
            super::audit::append(
                audit_log,
                &super::audit::AuditLine {
                    time: chrono::Utc::now(),
                    user: server.map(|u| u.username.as_str()),
                    groups: server.map(|u| u.groups.as_slice()).unwrap_or_default(),
                    kubeconfig_user: cluster.user.as_deref(),
                    manager: (!e.manager.is_empty()).then_some(&e.manager),
                    context: &cluster.context,
                    identity: &identity,
                    commit: plan.commit.as_deref(),
                    fields: e.fields.clone(),
                    outcome,
                    message,
                },
            )
        };
        if let Err(error) = audit("intent", Some(e.action.word())) {
            let message = format!(
                "not written: the audit log {} cannot be written: {error}",
                audit_log.display()
            );
            writeln!(out, "{who}: {}", terminal_text(&message))?;
            summary.outcomes.push((who, EntryOutcome::Failed(message)));
            continue;
        }
        let body = secret_body.as_ref().or(e.body.as_ref());
        let ns = e.namespace.as_deref();
        let result = match (e.action, body) {
            (Action::Delete, _) => {
                live::delete(cluster, &rt, ns, &e.name, e.resource_version.as_deref()).await
            }
            (_, None) => unreachable!("load and prepare give every write a body"),
            (Action::Create, Some(body)) => {
                let body = match e.client_side {
                    true => live::with_last_applied(body, e.last_applied.as_ref().unwrap_or(body)),
                    false => body.clone(),
                };
                live::create(cluster, &rt, ns, &e.name, &body, &e.manager)
                    .await
                    .map(|_| ())
            }
            (Action::Apply, Some(body)) if e.client_side => live::apply_client_side(
                cluster,
                &rt,
                ns,
                &e.name,
                body,
                e.last_applied.as_ref().unwrap_or(body),
                e.resource_version.as_deref(),
            )
            .await
            .map(|_| ()),
            // The conflicts were approved with the plan; any later change to the object,
            // a new owner included, moves its resourceVersion and fails the guard.
            (Action::Apply, Some(body)) => live::apply(
                cluster,
                &rt,
                ns,
                &e.name,
                body,
                &live::ApplyOptions {
                    field_manager: &e.manager,
                    force: true,
                    resource_version: e.resource_version.as_deref(),
                },
            )
            .await
            .map(|_| ()),
        };
        let outcome = match result {
            Ok(()) => {
                let done = match e.action {
                    Action::Apply => "applied",
                    Action::Create => "created",
                    Action::Delete => "deleted",
                };
                audit(done, None)?;
                writeln!(out, "{who}: {done}")?;
                if e.action != Action::Delete
                    && e.kind == "CustomResourceDefinition"
                    && rt.group == "apiextensions.k8s.io"
                    && !matches!(
                        live::wait_established(cluster, &rt, &e.name).await,
                        Ok(true)
                    )
                {
                    writeln!(
                        out,
                        "{who}: not Established within {}s; its custom resources may fail",
                        live::ESTABLISHED_WAIT.as_secs()
                    )?;
                }
                EntryOutcome::Written
            }
            Err(kube::Error::Api(status)) if status.code == 409 => {
                let why = match e.action {
                    Action::Create => "it exists now",
                    _ => "it changed since the plan was made",
                };
                audit(
                    "changed-since-plan",
                    Some(&errors::status_text(&status, secret)),
                )?;
                writeln!(out, "{who}: {}: {why}", not_done(e.action))?;
                EntryOutcome::Stale(why.to_string())
            }
            Err(error) => {
                let message = match &error {
                    kube::Error::Api(status) => errors::status_text(status, secret),
                    other => errors::describe(other, secret),
                };
                let word = match &error {
                    kube::Error::Api(status) if status.code == 403 => "forbidden",
                    _ => "failed",
                };
                audit(word, Some(&message))?;
                writeln!(
                    out,
                    "{who}: {}: {}",
                    not_done(e.action),
                    terminal_text(&message)
                )?;
                EntryOutcome::Failed(message)
            }
        };
        summary.outcomes.push((who, outcome));
    }
    let count =
        |want: fn(&EntryOutcome) -> bool| summary.outcomes.iter().filter(|(_, o)| want(o)).count();
    writeln!(
        out,
        "plan: {} written, {} changed since the plan, {} failed",
        count(|o| *o == EntryOutcome::Written),
        count(|o| matches!(o, EntryOutcome::Stale(_))),
        count(|o| matches!(o, EntryOutcome::Failed(_)))
    )?;
    let stale: Vec<&str> = summary
        .outcomes
        .iter()
        .filter(|(_, o)| matches!(o, EntryOutcome::Stale(_)))
        .map(|(who, _)| who.as_str())
        .collect();
    if !stale.is_empty() {
        writeln!(
            out,
            "not written, changed since the plan: {}\nmake a new plan (fix --dry-run --save-plan) and have it approved",
            stale.join(", ")
        )?;
    }
    Ok(summary)
}

/// What an entry that was not carried out says: a delete was not made, a write not written.
fn not_done(action: Action) -> &'static str {
    match action {
        Action::Delete => "not deleted",
        Action::Apply | Action::Create => "not written",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(kind: &str) -> PlanEntry {
        PlanEntry {
            context: "staging".into(),
            action: Action::Apply,
            api_version: "v1".into(),
            kind: kind.into(),
            resource: "configmaps".into(),
            namespace: Some("shop".into()),
            name: "web".into(),
            manager: "pipeline".into(),
            client_side: false,
            fields: vec!["data.greeting".into()],
            conflicts: vec![],
            resource_version: Some("12".into()),
            must_not_exist: false,
            body: Some(serde_json::json!({"apiVersion": "v1", "kind": kind})),
            last_applied: None,
            secret_source: None,
        }
    }

    fn plan(entries: Vec<PlanEntry>) -> FixPlan {
        FixPlan {
            api_version: API_VERSION.into(),
            kind: KIND.into(),
            commit: Some("abc".into()),
            created: chrono::Utc::now(),
            entries,
        }
    }

    fn handle(kind: &str, manifest: Value) -> (ResourceReport, ResourceHandle) {
        let identity = Identity {
            group: String::new(),
            version: "v1".into(),
            kind: kind.into(),
            namespace: Some("shop".into()),
            name: "web".into(),
        };
        let mut report = ResourceReport::new("staging", identity.clone(), Status::Drifted);
        report.fields = vec![crate::drift::FieldDrift {
            path: crate::drift::path::FieldPath(vec![
                crate::drift::path::Segment::Field("data".into()),
                crate::drift::path::Segment::Field("password".into()),
            ]),
            git: Some(Value::String("czNjcmV0".into())),
            live: Some(Value::String("b3RoZXI=".into())),
            attribution: Some(crate::drift::attribution::Attribution {
                manager: "kubectl-edit".into(),
                operation: "Update".into(),
                time: None,
                subresource: None,
            }),
        }];
        let handle = ResourceHandle {
            context: "staging".into(),
            identity,
            origin: Some(crate::source::Origin {
                file: "k8s/app.yaml".into(),
                line: 7,
                commit: Some("c0ffee".into()),
            }),
            resource: Some(ResourceType {
                group: String::new(),
                version: "v1".into(),
                kind: kind.into(),
                plural: format!("{}s", kind.to_lowercase()),
                singular: kind.to_lowercase(),
                short_names: vec![],
                namespaced: true,
                verbs: vec![],
                preferred: true,
                status_subresource: true,
            }),
            manifest,
            field_manager: "pipeline".into(),
            live_resource_version: Some("41".into()),
            commit: Some("c0ffee".into()),
        };
        (report, handle)
    }

    #[test]
    fn a_secret_entry_names_its_manifest_and_holds_no_value() {
        let manifest = serde_json::json!({"apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "web", "namespace": "shop"}, "data": {"password": "czNjcmV0"}});
        let (report, secret) = handle("Secret", manifest.clone());
        let e = super::entry(&report, &secret).unwrap();
        let text = serde_json::to_string(&e).unwrap();
        assert!(
            !text.contains("czNjcmV0") && !text.contains("s3cret"),
            "{text}"
        );
        assert!(!text.contains("b3RoZXI="), "{text}");
        assert_eq!(e.body, None);
        assert_eq!(e.action, Action::Apply);
        assert_eq!(e.conflicts, ["data.password"]);
        assert_eq!(e.resource_version.as_deref(), Some("41"));
        let source = e.secret_source.unwrap();
        assert_eq!((source.file.as_str(), source.line), ("k8s/app.yaml", 7));
        assert_eq!(source.sha256, sha256_hex(&manifest));
        assert_eq!(source.sha256.len(), 64);

        let (mut report, config_map) =
            handle("ConfigMap", serde_json::json!({"kind": "ConfigMap"}));
        report.status = Status::Missing;
        let e = super::entry(&report, &config_map).unwrap();
        assert_eq!(e.action, Action::Create);
        assert!(e.must_not_exist && e.resource_version.is_none() && e.conflicts.is_empty());
        assert_eq!(e.body, Some(serde_json::json!({"kind": "ConfigMap"})));
    }

    #[test]
    fn saved_plans_load_back_and_bad_ones_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plan.json");
        let saved = plan(vec![entry("ConfigMap")]);
        save(&saved, &path).unwrap();
        assert_eq!(load(&path).unwrap(), saved);
        // Nothing but the plan is left in the folder: the temporary file was renamed.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

        let mut secret = entry("Secret");
        secret.resource = "secrets".into();
        save(&plan(vec![secret]), &path).unwrap();
        let error = load(&path).unwrap_err().to_string();
        assert!(
            error.contains("entry 1: a Secret's body is never stored"),
            "{error}"
        );

        let mut unguarded = entry("ConfigMap");
        unguarded.resource_version = None;
        save(&plan(vec![unguarded]), &path).unwrap();
        let error = load(&path).unwrap_err().to_string();
        assert!(error.contains("no resourceVersion"), "{error}");

        std::fs::write(&path, "apiVersion: v9\nkind: FixPlan\ncommit: null\ncreated: 2026-01-01T00:00:00Z\nentries: []\n").unwrap();
        let error = load(&path).unwrap_err().to_string();
        assert!(error.contains("not a kubectl-drift/v1 FixPlan"), "{error}");
    }
}
