//! Fix plans: `fix --dry-run --save-plan FILE` freezes what `fix --yes` would write, object
//! by object (action, manager, fields, forced conflicts, exact body, and the resourceVersion
//! it was computed against), so that a person can approve it; `fix --plan FILE` executes
//! exactly that plan later, each write guarded by its resourceVersion (a create only if the
//! object still does not exist). An entry whose object has moved since is not written and is
//! listed. A plan holds no Secret value: a Secret's entry names its manifest (file, line,
//! commit) and its SHA-256, and the body is read again from that commit when the plan runs.
//!
//! A plan is bound to what it was made from, and checked whole before it is shown: each
//! context's server URL and cluster identity (the `kube-system` namespace's UID), the Git
//! commit, and per entry a digest over exactly what it sends; kind, plural and body must
//! agree, every apply and delete hold a resourceVersion, every delete still pass the prune
//! rules (tracked, not Git-declared, not Kubernetes' own), and every field its body changes
//! be among the fields it shows. Any disagreement refuses the whole plan, naming the entry.

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

pub const API_VERSION: &str = "kubectl-drift/v2";
pub const KIND: &str = "FixPlan";
/// The first version bound a plan to no cluster and no digest: such plans are made again.
const UNBOUND_VERSION: &str = "kubectl-drift/v1";

/// A saved plan.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FixPlan {
    pub api_version: String,
    pub kind: String,
    /// The Git commit the manifests were read from.
    pub commit: Option<String>,
    pub created: chrono::DateTime<chrono::Utc>,
    /// The clusters the plan was made for, one per context its entries name.
    pub contexts: Vec<PlanContext>,
    /// In write order.
    pub entries: Vec<PlanEntry>,
}

/// The cluster one context reached when the plan was made; the plan runs only where the
/// context reaches the same server and the same cluster.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlanContext {
    pub name: String,
    /// The server URL the kubeconfig gives the context.
    pub server: String,
    /// The cluster's identity: its `kube-system` namespace's UID.
    #[serde(rename = "clusterUID")]
    pub cluster_uid: String,
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
    /// SHA-256 over the plan's commit, the entry's cluster and every other field of the
    /// entry: what it sends, where, as whom, under which guard.
    pub digest: String,
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

/// The entry for one resource that `fix --dry-run` would write or delete; `body` is what the
/// write would send (Git's manifest, ignored fields as `fix` treats them). Unsealed: `seal`
/// gives it its digest once the plan's contexts are known.
pub fn entry(
    resource: &ResourceReport,
    handle: &ResourceHandle,
    body: Value,
) -> Result<PlanEntry, PlanError> {
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
        digest: String::new(),
    })
}

/// Gives every entry its digest.
pub fn seal(plan: &mut FixPlan) {
    let digests: Vec<String> = plan.entries.iter().map(|e| digest(plan, e)).collect();
    for (e, d) in plan.entries.iter_mut().zip(digests) {
        e.digest = d;
    }
}

/// SHA-256 (hex) of the entry with everything it is bound to: the commit, its context's
/// server and cluster, and all its fields but the digest itself.
fn digest(plan: &FixPlan, e: &PlanEntry) -> String {
    use sha2::Digest;
    let mut unsealed = e.clone();
    unsealed.digest = String::new();
    let bound = serde_json::json!({
        "commit": plan.commit,
        "context": plan.contexts.iter().find(|c| c.name == e.context),
        "entry": unsealed,
    });
    let bytes = serde_json::to_vec(&bound).unwrap_or_default();
    format!("{:x}", sha2::Sha256::digest(bytes))
}

/// The server URL a kubeconfig gives `context`, as kubectl resolves it.
pub fn server_of(config: &kube::config::Kubeconfig, context: &str) -> Option<String> {
    let cluster = config
        .contexts
        .iter()
        .find(|c| c.name == context)?
        .context
        .as_ref()?
        .cluster
        .clone();
    config
        .clusters
        .iter()
        .find(|c| c.name == cluster)?
        .cluster
        .as_ref()?
        .server
        .clone()
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

/// Reads a plan (JSON, or YAML) and checks it whole (`check`).
pub fn load(path: &Path) -> Result<FixPlan, PlanError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| PlanError::Invalid {
        file: file.clone(),
        message: format!("cannot be read: {e}"),
    })?;
    parse(&bytes, &file)
}

/// A plan from its bytes, checked whole; `file` names it in errors.
pub fn parse(bytes: &[u8], file: &str) -> Result<FixPlan, PlanError> {
    let invalid = |message: String| PlanError::Invalid {
        file: file.to_string(),
        message,
    };
    let text = std::str::from_utf8(bytes).map_err(|_| invalid("is not UTF-8 text".into()))?;
    let head: serde_json::Map<String, Value> = serde_json::from_str(text)
        .or_else(|_| crate::yaml::from_str(text))
        .unwrap_or_default();
    if head.get("apiVersion").and_then(Value::as_str) == Some(UNBOUND_VERSION) {
        return Err(invalid(format!(
            "is a {UNBOUND_VERSION} plan, which is bound to no cluster and holds no digests; make a new plan (fix --dry-run --save-plan)"
        )));
    }
    let plan: FixPlan = match serde_json::from_str(text) {
        Ok(plan) => plan,
        Err(json) => crate::yaml::from_str(text).map_err(|yaml| {
            invalid(match text.trim_start().starts_with('{') {
                true => format!("line {}: {json}", json.line()),
                false => yaml.to_string(),
            })
        })?,
    };
    check(&plan).map_err(invalid)?;
    Ok(plan)
}

/// Everything that can be checked of a plan without a cluster: its version; every entry
/// bound to one of its contexts and sealed by its digest; kind, apiVersion, name and
/// namespace the same in the entry and in its body; no Secret body, by the body's own kind
/// as by the entry's; a non-empty resourceVersion for every apply and delete, none for a
/// create; a client-side write as client-side apply's manager. The first fault, named.
pub fn check(plan: &FixPlan) -> Result<(), String> {
    if plan.api_version != API_VERSION || plan.kind != KIND {
        return Err(format!(
            "is {}/{}, not a {API_VERSION} {KIND}",
            terminal_text(&plan.api_version),
            terminal_text(&plan.kind)
        ));
    }
    for (i, c) in plan.contexts.iter().enumerate() {
        let fault = if c.server.is_empty() || c.cluster_uid.is_empty() {
            Some("names no server or no cluster UID")
        } else if plan.contexts[..i].iter().any(|o| o.name == c.name) {
            Some("is listed twice")
        } else {
            None
        };
        if let Some(fault) = fault {
            return Err(format!("context {}: {fault}", terminal_text(&c.name)));
        }
    }
    for (i, e) in plan.entries.iter().enumerate() {
        if let Some(fault) = entry_fault(plan, e) {
            return Err(format!("entry {} ({}): {fault}", i + 1, describe(e)));
        }
    }
    Ok(())
}

fn entry_fault(plan: &FixPlan, e: &PlanEntry) -> Option<String> {
    let fault = |text: &str| Some(text.to_string());
    if !plan.contexts.iter().any(|c| c.name == e.context) {
        return fault("its context is not among the plan's contexts");
    }
    if e.digest != digest(plan, e) {
        return fault("its digest does not match what it holds: the entry was changed after the plan was made");
    }
    if e.api_version.is_empty() || e.kind.is_empty() || e.resource.is_empty() || e.name.is_empty() {
        return fault("names no apiVersion, kind, resource or name");
    }
    let (group, _) = crate::cluster::discovery::split_api_version(&e.api_version);
    let secret = errors::is_secret(group, &e.kind);
    for (what, object) in [("body", &e.body), ("lastApplied", &e.last_applied)] {
        let Some(object) = object else { continue };
        let kind = object["kind"].as_str().unwrap_or_default();
        let api_version = object["apiVersion"].as_str().unwrap_or_default();
        let (body_group, _) = crate::cluster::discovery::split_api_version(api_version);
        if secret || errors::is_secret(body_group, kind) {
            return Some(format!(
                "its {what} is a Secret's, and a Secret's body is never stored in a plan"
            ));
        }
        let meta = &object["metadata"];
        let disagrees = if kind != e.kind {
            Some(format!("kind {}", terminal_text(kind)))
        } else if api_version != e.api_version {
            Some(format!("apiVersion {}", terminal_text(api_version)))
        } else if meta["name"].as_str() != Some(e.name.as_str()) {
            Some("another name".to_string())
        } else if meta["namespace"].as_str() != e.namespace.as_deref() {
            Some("another namespace".to_string())
        } else if meta.get("uid").is_some() || meta.get("resourceVersion").is_some() {
            Some("a uid or resourceVersion of its own".to_string())
        } else {
            None
        };
        if let Some(what_differs) = disagrees {
            return Some(format!("its {what} has {what_differs}, not the entry's"));
        }
    }
    let rv = e.resource_version.as_deref().filter(|rv| !rv.is_empty());
    match e.action {
        Action::Delete => {
            if e.body.is_some() || e.last_applied.is_some() || e.secret_source.is_some() {
                return fault("a delete sends no body");
            }
            if !e.manager.is_empty() || e.client_side {
                return fault("a delete is made as no field manager");
            }
        }
        _ => {
            if e.secret_source.is_some() && !(secret && e.body.is_none()) {
                return fault("a secretSource is only for a Secret, without a body");
            }
            if secret && e.secret_source.is_none() {
                return fault("a Secret's body is never stored in a plan");
            }
            if e.body.is_none() && e.secret_source.is_none() {
                return fault("has no body");
            }
            if let Some(s) = &e.secret_source {
                if plan.commit.as_deref() != Some(s.commit.as_str()) {
                    return fault("its Secret is read from another commit than the plan's");
                }
            }
            if e.manager.is_empty() || e.client_side != (e.manager == live::CLIENT_SIDE_APPLY) {
                return fault("its manager and clientSide disagree");
            }
            if e.last_applied.is_some() && !e.client_side {
                return fault("only a client-side write has lastApplied");
            }
        }
    }
    match e.action {
        Action::Create if !e.must_not_exist || e.resource_version.is_some() => {
            fault("a create must have mustNotExist, and no resourceVersion")
        }
        Action::Apply | Action::Delete if rv.is_none() || e.must_not_exist => {
            fault("has no resourceVersion to hold it to")
        }
        _ if e.conflicts.iter().any(|c| !e.fields.contains(c)) => {
            fault("takes over fields it does not show")
        }
        _ => None,
    }
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
    for c in &plan.contexts {
        writeln!(
            out,
            "  context {} at {} · cluster {}",
            terminal_text(&c.name),
            terminal_text(&c.server),
            terminal_text(&c.cluster_uid)
        )?;
    }
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
        writeln!(out, "    digest {}", terminal_text(&e.digest))?;
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
    /// No answer came: it may have been written.
    Unknown(String),
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

/// A plan checked against its clusters and Git, with its contexts connected: everything that
/// can refuse the plan, before it is shown for approval.
pub struct Ready {
    bodies: Vec<Option<Value>>,
    clusters: Vec<Cluster>,
    /// Each entry's type, as its cluster serves it.
    types: Vec<ResourceType>,
}

pub async fn prepare(plan: &FixPlan, check_settings: &CheckSettings) -> Result<Ready, PlanError> {
    check(plan).map_err(PlanError::Refused)?;
    let bodies = secret_bodies(plan, check_settings)?;
    let config = kubeconfig::load_kubeconfig(check_settings.cluster.kubeconfig.as_deref())?;
    let mut clusters: Vec<(
        Cluster,
        crate::cluster::Catalog,
        crate::cluster::openapi::Schemas,
    )> = Vec::new();
    for e in &plan.entries {
        if clusters.iter().any(|(c, _, _)| c.context == e.context) {
            continue;
        }
        let bound = plan
            .contexts
            .iter()
            .find(|c| c.name == e.context)
            .expect("check binds every entry to a context");
        let name = terminal_text(&bound.name);
        let server = server_of(&config, &e.context).unwrap_or_default();
        if server != bound.server {
            return Err(PlanError::Refused(format!(
                "context {name} reaches {}, not {}, the server the plan was made for; nothing was written",
                terminal_text(&server),
                terminal_text(&bound.server)
            )));
        }
        let mut cluster = kubeconfig::connect_with_timeout(
            &config,
            &e.context,
            check_settings.cluster.request_timeout,
        )
        .await?;
        let uid = kubeconfig::cluster_uid(&cluster).await?;
        if uid != bound.cluster_uid {
            return Err(PlanError::Refused(format!(
                "context {name} reaches the cluster {}, not {}, the cluster the plan was made for; nothing was written",
                terminal_text(&uid),
                terminal_text(&bound.cluster_uid)
            )));
        }
        cluster.server_user = live::self_subject_review(&cluster).await.ok();
        let catalog = crate::cluster::Catalog::discover(&cluster).await?;
        // The fields shown were found with the kinds' schemas; they are found again so.
        let group_versions = plan
            .entries
            .iter()
            .filter(|p| p.context == e.context)
            .filter_map(|p| catalog.for_manifest(&p.api_version, &p.kind))
            .map(|rt| (rt.group.clone(), rt.version.clone()))
            .collect();
        let schemas = crate::cluster::openapi::load(&cluster, &server, &group_versions).await;
        clusters.push((cluster, catalog, schemas));
    }
    let mut types = Vec::with_capacity(plan.entries.len());
    let mut rules: Option<PruneRules> = None;
    for (i, (e, secret_body)) in plan.entries.iter().zip(&bodies).enumerate() {
        let refused = |why: String| {
            PlanError::Refused(format!(
                "entry {} ({}): {why}; nothing was written",
                i + 1,
                describe(e)
            ))
        };
        let (cluster, catalog, schemas) = clusters
            .iter()
            .find(|(c, _, _)| c.context == e.context)
            .expect("every context of the plan is connected above");
        let Some(rt) = catalog.for_manifest(&e.api_version, &e.kind) else {
            return Err(refused(format!(
                "{} {} is not served",
                terminal_text(&e.api_version),
                terminal_text(&e.kind)
            )));
        };
        if rt.plural != e.resource {
            return Err(refused(format!(
                "it says resource {}, but {} is served as {}",
                terminal_text(&e.resource),
                terminal_text(&e.kind),
                rt.plural
            )));
        }
        if rt.namespaced != e.namespace.is_some() {
            return Err(refused(match rt.namespaced {
                true => "a namespaced kind without a namespace".into(),
                false => "a cluster-scoped kind with a namespace".into(),
            }));
        }
        let ns = e.namespace.as_deref();
        let read = |error| {
            PlanError::Cluster(crate::cluster::ClusterError::Api {
                context: e.context.clone(),
                what: format!("cannot read {} to check the plan", describe(e)),
                error,
            })
        };
        match e.action {
            Action::Create => {}
            Action::Delete => {
                let live = live::get(cluster, rt, ns, &e.name).await.map_err(read)?;
                let identity = Identity {
                    group: rt.group.clone(),
                    version: rt.version.clone(),
                    kind: e.kind.clone(),
                    namespace: e.namespace.clone(),
                    name: e.name.clone(),
                };
                if let Some(why) = live
                    .as_ref()
                    .and_then(|l| crate::check::extra::made_by_kubernetes(&identity, l, &[]))
                {
                    return Err(refused(format!("a delete of what is never pruned: {why}")));
                }
                if let Some(why) = live.as_ref().and_then(crate::ignore::annotation_reason) {
                    return Err(refused(format!(
                        "a delete of an object its {} annotation keeps: {}",
                        crate::ignore::ANNOTATION,
                        terminal_text(&why)
                    )));
                }
                if rules.is_none() {
                    rules = Some(prune_rules(plan, check_settings).map_err(refused)?);
                }
                let rules = rules.as_ref().expect("read just above");
                let in_git = rules.declared.iter().any(|d| {
                    d.group == rt.group
                        && d.kind == e.kind
                        && d.name == e.name
                        && (d.namespace.is_none() || d.namespace == e.namespace)
                });
                if in_git {
                    return Err(refused(
                        "a delete of an object Git declares at the plan's commit".into(),
                    ));
                }
                let tracked = |object: &Value| {
                    rules.targets.iter().any(|t| {
                        (t.contexts.is_empty() || t.contexts.contains(&e.context))
                            && (e
                                .namespace
                                .as_ref()
                                .is_some_and(|ns| t.namespaces.contains(ns))
                                || t.tracking_label.as_ref().is_some_and(|label| {
                                    label.matches(object["metadata"]["labels"].as_object())
                                }))
                    })
                };
                if live.as_ref().is_some_and(|l| !tracked(l)) {
                    return Err(refused(
                        "a delete of an object no target of the plan's commit tracks (by its namespace or its tracking label)".into(),
                    ));
                }
            }
            Action::Apply => {
                // The fields shown must be the fields the body changes: the server's dry
                // run of it against the object it is held to says which those are.
                let body = secret_body.as_ref().or(e.body.as_ref());
                let live = live::get(cluster, rt, ns, &e.name).await.map_err(read)?;
                let held = live.as_ref().filter(|l| {
                    l["metadata"]["resourceVersion"].as_str() == e.resource_version.as_deref()
                });
                if let (Some(live), Some(body)) = (held, body) {
                    let predicted = match e.client_side {
                        true => {
                            let applied = e.last_applied.as_ref().unwrap_or(body);
                            let rv = e.resource_version.as_deref();
                            live::dry_run_client_side(cluster, rt, ns, &e.name, body, applied, rv)
                                .await
                        }
                        false => {
                            live::dry_run_apply(cluster, rt, ns, &e.name, body, &e.manager).await
                        }
                    };
                    match predicted {
                        Ok(predicted) => {
                            // Every field it changes must be shown; one shown and not
                            // changed (a removal `--strict` lists) writes nothing unseen.
                            let unshown: Vec<String> = crate::drift::exact(
                                &predicted,
                                live,
                                crate::drift::normalize::StatusField::with_subresource(
                                    rt.status_subresource,
                                ),
                                schemas.kind(&rt.group, &rt.version, &rt.kind),
                            )
                            .fields
                            .iter()
                            .map(|f| f.path.to_string())
                            .filter(|path| !e.fields.contains(path))
                            .collect();
                            if !unshown.is_empty() {
                                return Err(refused(format!(
                                    "its body changes {}, which it does not show (it shows {})",
                                    list(&unshown),
                                    list(&e.fields)
                                )));
                            }
                        }
                        // Refused by the server: so will its write be, and it is listed.
                        Err(kube::Error::Api(_)) => {}
                        Err(error) => return Err(read(error)),
                    }
                }
            }
        }
        types.push(rt.clone());
    }
    Ok(Ready {
        bodies,
        clusters: clusters.into_iter().map(|(c, _, _)| c).collect(),
        types,
    })
}

fn list(fields: &[String]) -> String {
    match fields.is_empty() {
        true => "none".into(),
        false => terminal_text(&fields.join(", ")).into_owned(),
    }
}

/// An object Git declares (its namespace as written, none when the manifest leaves it to
/// the context).
struct Declared {
    group: String,
    kind: String,
    namespace: Option<String>,
    name: String,
}

/// What decides, at the plan's commit, whether a delete is a prune: the objects Git
/// declares (never pruned) and the targets, whose namespaces and tracking labels say which
/// objects need a manifest.
struct PruneRules {
    declared: Vec<Declared>,
    targets: Vec<crate::settings::config::TargetConfig>,
}

fn prune_rules(plan: &FixPlan, check: &CheckSettings) -> Result<PruneRules, String> {
    let SourceSpec::Git { repo, offline, .. } = &check.source else {
        return Err("deletes are checked against Git, and this run reads no Git".into());
    };
    let Some(commit) = &plan.commit else {
        return Err("deletes are checked against Git, and the plan names no commit".into());
    };
    let spec = SourceSpec::Git {
        repo: repo.clone(),
        rev: commit.clone(),
        paths: Vec::new(),
        offline: *offline,
        allow_remote_bases: false,
    };
    let cannot = |e: String| {
        format!(
            "deletes are checked against Git, and commit {} cannot be read: {}",
            source::short_commit(commit),
            terminal_text(&e)
        )
    };
    let opened = source::open(&spec).map_err(|e| cannot(e.to_string()))?;
    if opened.commit() != Some(commit.as_str()) {
        return Err(cannot("it is not that commit".into()));
    }
    let config = crate::check::load_config(&opened, check.config_file.as_deref())
        .map_err(|e| cannot(e.to_string()))?;
    let desired =
        source::read(&opened, &[], &Default::default()).map_err(|e| cannot(e.to_string()))?;
    let declared = desired
        .objects
        .iter()
        .map(|o| {
            let (group, _) = crate::cluster::discovery::split_api_version(o.api_version());
            Declared {
                group: group.to_string(),
                kind: o.kind().to_string(),
                namespace: o.namespace().map(str::to_string),
                name: o.name().to_string(),
            }
        })
        .collect();
    Ok(PruneRules {
        declared,
        targets: config.map(|c| c.targets).unwrap_or_default(),
    })
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
    for ((e, secret_body), rt) in plan.entries.iter().zip(&ready.bodies).zip(&ready.types) {
        let who = describe(e);
        let cluster = ready
            .clusters
            .iter()
            .find(|c| c.context == e.context)
            .expect("every context of the plan is connected in prepare");
        if let Some(after) = super::one::given_up(cluster) {
            // As check does: a server that left a request unanswered is taken as frozen,
            // and nothing more is tried on it.
            let message = format!(
                "not tried: {}; the rest of this context was given up",
                crate::cluster::TimedOut { after }
            );
            writeln!(out, "{who}: {message}")?;
            summary.outcomes.push((who, EntryOutcome::Failed(message)));
            continue;
        }
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
                live::delete(cluster, rt, ns, &e.name, e.resource_version.as_deref()).await
            }
            (_, None) => unreachable!("load and prepare give every write a body"),
            (Action::Create, Some(body)) => {
                let body = match e.client_side {
                    true => live::with_last_applied(body, e.last_applied.as_ref().unwrap_or(body)),
                    false => body.clone(),
                };
                live::create(cluster, rt, ns, &e.name, &body, &e.manager)
                    .await
                    .map(|_| ())
            }
            (Action::Apply, Some(body)) if e.client_side => live::apply_client_side(
                cluster,
                rt,
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
                rt,
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
                    && !matches!(live::wait_established(cluster, rt, &e.name).await, Ok(true))
                {
                    writeln!(
                        out,
                        "{who}: not Established within {}s; its custom resources may fail",
                        live::ESTABLISHED_WAIT.as_secs()
                    )?;
                }
                EntryOutcome::Written
            }
            Err(kube::Error::Api(status))
                if status.code == 409 || (status.code == 404 && e.action == Action::Apply) =>
            {
                let why = match e.action {
                    Action::Create => "it exists now",
                    _ if status.code == 404 => "it was deleted since the plan was made",
                    _ => "it changed since the plan was made",
                };
                audit(
                    "changed-since-plan",
                    Some(&errors::status_text(&status, secret)),
                )?;
                writeln!(out, "{who}: {}: {why}", not_done(e.action))?;
                EntryOutcome::Stale(why.to_string())
            }
            Err(error) if super::one::gave_up(cluster, &error) => {
                let message = format!(
                    "no answer, so whether it was written is unknown: {}",
                    errors::describe(&error, secret)
                );
                audit("unknown", Some(&message))?;
                let found = read_back(e, cluster, rt).await;
                if let Some(found) = found {
                    audit("read-back", Some(found))?;
                }
                let message = format!(
                    "{message}; {}",
                    found.unwrap_or("it could not be read back")
                );
                writeln!(out, "{who}: {}", terminal_text(&message))?;
                EntryOutcome::Unknown(message)
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
    let unknown = match count(|o| matches!(o, EntryOutcome::Unknown(_))) {
        0 => String::new(),
        n => format!(", {n} unknown (no answer came)"),
    };
    writeln!(
        out,
        "plan: {} written, {} changed since the plan, {} failed{unknown}",
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

/// What became of a write whose answer never came, read back once: `None` when the server
/// does not answer that either.
async fn read_back(e: &PlanEntry, cluster: &Cluster, rt: &ResourceType) -> Option<&'static str> {
    let live = live::get(cluster, rt, e.namespace.as_deref(), &e.name)
        .await
        .ok()?;
    let moved = live
        .as_ref()
        .map(|l| l["metadata"]["resourceVersion"].as_str())
        != Some(e.resource_version.as_deref());
    Some(match (e.action, live.is_some()) {
        (Action::Create, true) | (Action::Delete, false) => "read back: it landed",
        (Action::Create, false) | (Action::Delete, true) => "read back: it did not land",
        (Action::Apply, false) => "read back: the object is gone",
        (Action::Apply, true) if moved => {
            "read back: the object moved on since, so the write most likely landed"
        }
        (Action::Apply, true) => "read back: the object is unchanged, the write did not land",
    })
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
            body: Some(serde_json::json!({"apiVersion": "v1", "kind": kind,
                "metadata": {"name": "web", "namespace": "shop"}, "data": {"greeting": "hi"}})),
            last_applied: None,
            secret_source: None,
            digest: String::new(),
        }
    }

    fn plan(entries: Vec<PlanEntry>) -> FixPlan {
        let mut plan = FixPlan {
            api_version: API_VERSION.into(),
            kind: KIND.into(),
            commit: Some("abc".into()),
            created: chrono::Utc::now(),
            contexts: vec![PlanContext {
                name: "staging".into(),
                server: "https://127.0.0.1:6443".into(),
                cluster_uid: "5b1e2c3d".into(),
            }],
            entries,
        };
        seal(&mut plan);
        plan
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
            rating: None,
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
        let e = super::entry(&report, &secret, manifest.clone()).unwrap();
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
        let e = super::entry(
            &report,
            &config_map,
            serde_json::json!({"kind": "ConfigMap"}),
        )
        .unwrap();
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
            error.contains("a Secret's body is never stored") && error.contains("entry 1 "),
            "{error}"
        );

        let mut unguarded = entry("ConfigMap");
        unguarded.resource_version = None;
        save(&plan(vec![unguarded]), &path).unwrap();
        let error = load(&path).unwrap_err().to_string();
        assert!(error.contains("no resourceVersion"), "{error}");

        std::fs::write(&path, "apiVersion: v9\nkind: FixPlan\ncommit: null\ncreated: 2026-01-01T00:00:00Z\ncontexts: []\nentries: []\n").unwrap();
        let error = load(&path).unwrap_err().to_string();
        assert!(error.contains("not a kubectl-drift/v2 FixPlan"), "{error}");
        // A plan of the first version, bound to nothing, is made again.
        std::fs::write(&path, "apiVersion: kubectl-drift/v1\nkind: FixPlan\n").unwrap();
        let error = load(&path).unwrap_err().to_string();
        assert!(error.contains("bound to no cluster"), "{error}");
    }

    #[test]
    fn a_plan_changed_in_any_field_that_matters_is_refused() {
        let saved = plan(vec![entry("ConfigMap")]);
        check(&saved).unwrap();
        type Edit = fn(&mut FixPlan);
        let edits: [(&str, Edit, &str); 12] = [
            (
                "namespace",
                |p| p.entries[0].namespace = Some("prod".into()),
                "digest",
            ),
            ("kind", |p| p.entries[0].kind = "Secret".into(), "digest"),
            (
                "body",
                |p| p.entries[0].body.as_mut().unwrap()["data"]["greeting"] = "x".into(),
                "digest",
            ),
            (
                "resourceVersion",
                |p| p.entries[0].resource_version = Some(String::new()),
                "digest",
            ),
            ("commit", |p| p.commit = Some("def".into()), "digest"),
            (
                "server",
                |p| p.contexts[0].server = "https://10.0.0.1".into(),
                "digest",
            ),
            (
                "cluster",
                |p| p.contexts[0].cluster_uid = "other".into(),
                "digest",
            ),
            (
                "context",
                |p| p.entries[0].context = "production".into(),
                "not among the plan's contexts",
            ),
            (
                "added delete",
                |p| {
                    let mut delete = p.entries[0].clone();
                    delete.action = Action::Delete;
                    delete.body = None;
                    delete.manager = String::new();
                    p.entries.push(delete);
                },
                "entry 2",
            ),
            (
                "resealed kind",
                |p| {
                    p.entries[0].kind = "Deployment".into();
                    seal(p)
                },
                "kind ConfigMap, not the entry's",
            ),
            (
                "resealed Secret body",
                |p| {
                    p.entries[0].body.as_mut().unwrap()["kind"] = "Secret".into();
                    p.entries[0].kind = "Secret".into();
                    seal(p)
                },
                "a Secret's body is never stored",
            ),
            (
                "resealed empty resourceVersion",
                |p| {
                    p.entries[0].resource_version = Some(String::new());
                    seal(p)
                },
                "no resourceVersion",
            ),
        ];
        for (what, edit, says) in edits {
            let mut edited = saved.clone();
            edit(&mut edited);
            let error = check(&edited).expect_err(what);
            assert!(error.contains(says), "{what}: {error}");
        }
    }
}
