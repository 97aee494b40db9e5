//! `kubectl drift compare`: the same live objects on two sides (two contexts, or two
//! namespaces of one), listed once per type and namespace on each side, paired by kind and
//! name, normalized as `check` normalizes, diffed field by field with keyed lists, and each
//! difference attributed on both sides from `managedFields`. What only the server writes
//! (fields no manager owns on either side, such as an allocated `clusterIP`) is left out.
//! With `--path` only what Git declares is compared, and a field the two sides' targets
//! set differently in Git is a declared, expected difference. Ignore rules of the config
//! apply. Nothing here prints.

mod list;
mod pair;

use std::collections::{BTreeMap, BTreeSet};

use futures::stream::{self, StreamExt};
use serde_json::Value;

use crate::check::{self, CheckError};
use crate::cluster::{errors, kubeconfig, live, Catalog, Cluster, ClusterError, ResourceType};
use crate::drift::{self, normalize, FieldPath, Identity, ManagedFields, Status};
use crate::ignore;
use crate::report::compare::{
    Comparison, Difference, FieldDifference, ObjectComparison, SideLabel,
};
use crate::report::{redact, ResourceReport};
use crate::settings::compare::CompareSettings;
use crate::settings::config::Config;
use crate::settings::{self, KnownContexts, NamespaceScope, PlanError, TargetSettings};
use crate::source::{self, DesiredObject, DesiredSet, Origin, SourceError};

use list::*;
use pair::*;

/// Failures that stop a comparison.
#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    #[error(transparent)]
    Check(#[from] CheckError),
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error("nothing to compare: no manifest under --path {0} matches the selection")]
    NothingDeclared(String),
    #[error(transparent)]
    Ignore(#[from] ignore::UnmatchableRule),
    /// Connecting or discovery: the error names the context.
    #[error(transparent)]
    Cluster(Box<ClusterError>),
    #[error("context {context}: {message}")]
    Side { context: String, message: String },
    #[error("context {context}: timed out: the API server did not answer within {}s (--request-timeout)", .after.as_secs_f64())]
    TimedOut {
        context: String,
        after: std::time::Duration,
    },
}

/// An object's key for pairing the two sides: group, kind, namespace (none when the sides
/// look in namespaces of their own) and name.
pub(super) type Key = (String, String, Option<String>, String);

/// One side's objects by key: the live object, and (with `--path`) the manifest that
/// selected it and the one its target declares.
#[derive(Default)]
pub(super) struct Found {
    pub(super) live: BTreeMap<Key, Value>,
    /// What Git declares for the side, by key: the selecting manifest's origin, and the
    /// target's manifest, which tells declared differences.
    pub(super) declared: BTreeMap<Key, (Origin, Option<Value>)>,
    /// What could not be listed: (group, kind, namespace, none for every one) and why. An
    /// object of these is not absent there, only unknown.
    pub(super) failed: Vec<(String, String, Option<String>, String)>,
}

impl Found {
    /// Why an object of this key could not be listed on this side, if it could not.
    fn failure(&self, key: &Key) -> Option<&str> {
        self.failed
            .iter()
            .find(|(group, kind, ns, _)| {
                *group == key.0
                    && *kind == key.1
                    && (ns.is_none() || key.2.is_none() || *ns == key.2)
            })
            .map(|(_, _, _, why)| why.as_str())
    }
}

/// Runs a comparison and returns its report.
pub async fn run(settings: &CompareSettings) -> Result<Comparison, CompareError> {
    let check = &settings.check;
    let config_file = check.config_file.clone();
    let (spec, git) = (check.source.clone(), settings.git);
    let explicit_repo = matches!(
        &check.source,
        settings::source::SourceSpec::Git {
            repo: settings::source::RepoSpec::Url(_) | settings::source::RepoSpec::Local(Some(_)),
            ..
        }
    );
    let opening = tokio::task::spawn_blocking(move || open(&spec, config_file, git, explicit_repo));
    let kubeconfig = kubeconfig::load_kubeconfig(check.cluster.kubeconfig.as_deref())
        .map_err(CheckError::from)?;
    let (opened, config) = opening.await.expect("opening Git does not panic")?;
    let known = KnownContexts {
        all: kubeconfig.contexts.iter().map(|c| c.name.clone()).collect(),
        current: kubeconfig.current_context.clone().filter(|c| !c.is_empty()),
        // Targets are matched by their context names here.
        clusters: Default::default(),
    };
    let mut contexts = Vec::new();
    for side in &settings.sides {
        let context = match &side.context {
            Some(context) => context.clone(),
            None => known.current.clone().ok_or(PlanError::NoCurrentContext)?,
        };
        if !known.all.contains(&context) {
            return Err(PlanError::UnknownContext {
                name: context,
                known: known.all.join(", "),
            }
            .into());
        }
        contexts.push(context);
    }
    // With --path, each side's target: the objects its paths select, and what it declares.
    let targets: Option<Vec<TargetSettings>> = if git && opened.is_some() {
        let mut check = check.clone();
        check.cluster.contexts = contexts.clone();
        check.cluster.contexts.dedup();
        let plan = settings::plan(&check, config.as_ref(), &known)?;
        Some(
            contexts
                .iter()
                .map(|c| {
                    plan.iter()
                        .find(|t| t.contexts.contains(c))
                        .cloned()
                        .expect("every context is planned")
                })
                .collect(),
        )
    } else {
        None
    };
    let reading = {
        let (opened, targets) = (opened.clone(), targets.clone());
        tokio::task::spawn_blocking(move || {
            let (Some(opened), Some(targets)) = (opened, targets) else {
                return Ok(None);
            };
            targets
                .iter()
                .map(|t| {
                    let selecting = source::read(&opened, &t.paths, &t.helm)?;
                    // A config target's own paths say what it declares; without one, the
                    // paths given.
                    let declaring = match &t.name {
                        Some(_) => Some(source::read(&opened, &t.own_paths, &t.helm)?),
                        None => None,
                    };
                    Ok((selecting, declaring))
                })
                .collect::<Result<Vec<_>, SourceError>>()
                .map(Some)
        })
    };
    let connecting = futures::future::join_all(contexts.iter().map(|context| {
        let config = &kubeconfig;
        async move {
            let timeout = check.cluster.request_timeout;
            let cluster = kubeconfig::connect_with_timeout(config, context, timeout).await?;
            let catalog = Catalog::discover(&cluster).await?;
            Ok::<_, ClusterError>((cluster, catalog))
        }
    }));
    let (desired, connected) = tokio::join!(reading, connecting);
    let desired = desired.expect("reading Git does not panic")?;
    let mut sides = Vec::new();
    for connected in connected {
        sides.push(connected.map_err(|e| CompareError::Cluster(Box::new(e)))?);
    }
    let renders = check::helm::Renders::default();
    // The namespace each side looks in: the one given, else (for TYPE arguments) the
    // context's own, as kubectl would; none where each object's own counts (`-A`, Git).
    let context_default = !git && check.selection.namespace == NamespaceScope::ContextDefault;
    let namespaces: [Option<String>; 2] = [0, 1].map(|i| {
        settings.sides[i]
            .namespace
            .clone()
            .or_else(|| context_default.then(|| sides[i].0.default_namespace.clone()))
    });
    let split = namespaces[0] != namespaces[1];
    // Both sides are listed at once; a side whose server stops answering is given up at
    // its first timed-out request.
    let listing = sides.iter().enumerate().map(|(i, (cluster, catalog))| {
        let side = Side {
            cluster,
            catalog,
            namespace: namespaces[i].as_deref(),
            split,
            target: targets.as_ref().map(|t| &t[i]),
            desired: desired.as_ref().map(|d| (&d[i].0, d[i].1.as_ref())),
        };
        let renders = &renders;
        async move {
            let deadline = cluster.deadline.clone();
            tokio::select! {
                listed = side.list(settings, renders) => listed,
                after = deadline.passed() => Err(CompareError::TimedOut {
                    context: cluster.context.clone(),
                    after,
                }),
            }
        }
    });
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for ((cluster, _), listed) in sides.iter().zip(futures::future::join_all(listing).await) {
        let (listed, list_errors) = listed?;
        errors.extend(
            list_errors
                .into_iter()
                .map(|e| format!("{}: {e}", cluster.context)),
        );
        found.push(listed);
    }
    let same_context = contexts[0] == contexts[1];
    let labels: Vec<SideLabel> = (0..2)
        .map(|i| {
            let namespace = namespaces[i].clone();
            let label = match (&namespace, same_context) {
                (Some(ns), true) => format!("{}/{ns}", contexts[i]),
                _ => contexts[i].clone(),
            };
            SideLabel {
                context: contexts[i].clone(),
                namespace,
                label,
            }
        })
        .collect();
    let [a, b]: [Found; 2] = found.try_into().ok().expect("two sides");
    let side_labels = [labels[0].label.as_str(), labels[1].label.as_str()];
    let mut objects = pair(&a, &b, split, &namespaces, side_labels);
    if git && objects.is_empty() {
        let paths = match &check.source {
            settings::source::SourceSpec::Git { paths, .. } => paths.join(", "),
            _ => String::new(),
        };
        return Err(CompareError::NothingDeclared(paths));
    }
    let rules = config.as_ref().map_or(&[][..], |c| c.ignore.as_slice());
    let today = chrono::Utc::now().date_naive();
    for object in &mut objects {
        apply_rules(object, rules, &contexts, today)?;
    }
    Ok(Comparison {
        sides: [labels[0].clone(), labels[1].clone()],
        objects,
        commit: desired
            .as_ref()
            .and_then(|d| d.first())
            .and_then(|d| d.0.commit.clone()),
        errors,
    })
}

/// Opens the repository and reads its config: with `--path` both are needed; without, the
/// config is read where there is one (`--config`, or the repository around the current
/// folder), and no repository is fine unless `--repo` named one.
fn open(
    spec: &settings::source::SourceSpec,
    config_file: Option<std::path::PathBuf>,
    git: bool,
    explicit_repo: bool,
) -> Result<(Option<std::sync::Arc<source::Opened>>, Option<Config>), CompareError> {
    let opened = match source::open(spec) {
        Ok(opened) => Some(opened),
        Err(e) if git || explicit_repo => return Err(e.into()),
        Err(_) => None,
    };
    let config = match (&opened, config_file.as_deref()) {
        (_, Some(path)) => Some(
            Config::load(path)
                .map_err(CheckError::from)
                .map_err(CompareError::from)?,
        ),
        (Some(opened), None) => check::load_config(opened, None)?,
        (None, None) => None,
    };
    Ok((opened.map(std::sync::Arc::new), config))
}

/// Applies the config's ignore rules as `check` does, to each side in turn (its context,
/// namespace and writers): a rule that matches either side hides the field, or the object.
fn apply_rules(
    object: &mut ObjectComparison,
    rules: &[crate::settings::rules::Rule],
    contexts: &[String],
    today: chrono::NaiveDate,
) -> Result<(), ignore::UnmatchableRule> {
    if rules.is_empty() {
        return Ok(());
    }
    for (side, context) in contexts.iter().enumerate() {
        let mut identity = object.identity.clone();
        identity.namespace = object.namespaces[side].clone();
        let mut report = ResourceReport::new(context, identity, Status::Drifted);
        if matches!(object.status, Difference::OnlyInA | Difference::OnlyInB) {
            report.status = Status::Missing;
        }
        report.fields = object
            .fields
            .iter()
            .map(|f| drift::FieldDrift {
                rating: None,
                path: f.path.clone(),
                git: f.a.clone(),
                live: f.b.clone(),
                attribution: if side == 0 {
                    f.a_by.clone()
                } else {
                    f.b_by.clone()
                },
            })
            .collect();
        let [oa, ob] = &object.objects;
        report.predicted_object = oa.clone();
        report.live_object = ob.clone();
        // A rule that can never match these objects is an error, as in `check`.
        ignore::check_rules(std::slice::from_ref(&report), rules)?;
        if matches!(
            object.status,
            Difference::Same | Difference::Absent | Difference::Error
        ) {
            continue;
        }
        ignore::apply(std::slice::from_mut(&mut report), rules, today);
        if report.message.is_some() {
            object.message = report.message.clone();
        }
        if report.status == Status::Ignored {
            object.status = Difference::Ignored;
            return Ok(());
        }
        if report.ignored_fields.is_empty() {
            continue;
        }
        object
            .fields
            .retain(|f| !report.ignored_fields.iter().any(|i| i.field == f.path));
        object.objects[0] = report.predicted_object;
        object.ignored_fields.extend(report.ignored_fields);
        if !matches!(object.status, Difference::OnlyInA | Difference::OnlyInB) {
            object.status = status_of(&object.fields);
        }
    }
    Ok(())
}
