//! `kubectl drift compare`: the same live objects on two sides (two contexts, or two
//! namespaces of one), listed once per type and namespace on each side, paired by kind and
//! name, normalized as `check` normalizes, diffed field by field with keyed lists, and each
//! difference attributed on both sides from `managedFields`. What only the server writes
//! (fields no manager owns on either side, such as an allocated `clusterIP`) is left out.
//! With `--path` only what Git declares is compared, and a field the two sides' targets
//! set differently in Git is a declared, expected difference. Ignore rules of the config
//! apply. Nothing here prints.

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

/// Annotations a controller writes on its own, whatever anyone declared: they count
/// rollouts, not intent.
const CONTROLLER_ANNOTATIONS: &[&str] = &["deployment.kubernetes.io/revision"];

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
type Key = (String, String, Option<String>, String);

/// One side's objects by key: the live object, and (with `--path`) the manifest that
/// selected it and the one its target declares.
#[derive(Default)]
struct Found {
    live: BTreeMap<Key, Value>,
    /// What Git declares for the side, by key: the selecting manifest's origin, and the
    /// target's manifest, which tells declared differences.
    declared: BTreeMap<Key, (Origin, Option<Value>)>,
    /// What could not be listed: (group, kind, namespace, none for every one) and why. An
    /// object of these is not absent there, only unknown.
    failed: Vec<(String, String, Option<String>, String)>,
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
        apply_rules(object, rules, &contexts, today);
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

/// One side, as it is listed.
struct Side<'a> {
    cluster: &'a Cluster,
    catalog: &'a Catalog,
    /// The namespace given for the side, if any.
    namespace: Option<&'a str>,
    /// The sides look in namespaces of their own: objects pair by kind and name alone.
    split: bool,
    target: Option<&'a TargetSettings>,
    /// With `--path`: the objects the paths select, and what the side's target declares.
    desired: Option<(&'a DesiredSet, Option<&'a DesiredSet>)>,
}

/// A type (group, version, kind) in a namespace (none: every namespace, or cluster-scoped).
type TypeIn = (String, String, String, Option<String>);

/// What a side lists: a type in a namespace (or the cluster), with a label selector.
type Job<'a> = (&'a ResourceType, Option<String>, Option<String>);

impl Side<'_> {
    /// The context's namespace, or the target's, for what names none.
    fn default_namespace(&self) -> String {
        self.namespace
            .or(self.target.and_then(|t| t.default_namespace.as_deref()))
            .unwrap_or(&self.cluster.default_namespace)
            .to_string()
    }

    /// Lists the side's objects, one LIST per type and namespace; returns them with what
    /// could not be listed.
    async fn list(
        &self,
        settings: &CompareSettings,
        renders: &check::helm::Renders,
    ) -> Result<(Found, Vec<String>), CompareError> {
        let selection = &settings.check.selection;
        let side_error = |message: String| CompareError::Side {
            context: self.cluster.context.clone(),
            message,
        };
        let mut types = Vec::new();
        for t in &selection.types {
            let rt = self
                .catalog
                .resolve(&t.type_name)
                .map_err(|e| side_error(e.to_string()))?;
            types.push((rt, t.names.clone()));
        }
        let default_ns = self.default_namespace();
        let mut found = Found::default();
        // (type, namespace, names wanted: none for every object).
        let mut wanted: BTreeMap<TypeIn, Option<BTreeSet<String>>> = BTreeMap::new();
        let mut jobs: Vec<Job> = Vec::new();
        let labels = selection.labels.as_ref().map(|l| l.text.clone());
        match self.desired {
            None => {
                for (rt, names) in &types {
                    let ns = match (rt.namespaced, self.namespace, &selection.namespace) {
                        (false, _, _) => None,
                        (true, Some(ns), _) => Some(ns.to_string()),
                        (true, None, NamespaceScope::All) => None,
                        (true, None, _) => Some(self.cluster.default_namespace.clone()),
                    };
                    // A type named twice (`deploy/a deployment/b`) is listed once, for both.
                    let key = (
                        rt.group.clone(),
                        rt.version.clone(),
                        rt.kind.clone(),
                        ns.clone(),
                    );
                    let names: Option<BTreeSet<String>> =
                        (!names.is_empty()).then(|| names.iter().cloned().collect());
                    match wanted.get_mut(&key) {
                        None => {
                            wanted.insert(key, names);
                            jobs.push((rt, ns, labels.clone()));
                        }
                        Some(Some(so_far)) => match names {
                            Some(names) => so_far.extend(names),
                            None => *wanted.get_mut(&key).expect("present") = None,
                        },
                        Some(None) => {}
                    }
                }
            }
            Some((selecting, declaring)) => {
                let render = |set: &'_ DesiredSet| {
                    let set = set.clone();
                    let default_ns = default_ns.clone();
                    async move {
                        check::helm::render_charts(
                            self.cluster,
                            self.catalog,
                            &default_ns,
                            &settings.check,
                            renders,
                            &set,
                        )
                        .await
                        .map(|rendered| rendered.unwrap_or(set))
                    }
                };
                let selecting = render(selecting).await.map_err(side_error)?;
                let declaring = match declaring {
                    Some(set) => Some(render(set).await.map_err(side_error)?),
                    None => None,
                };
                let declared_by: BTreeMap<Key, Value> = declaring
                    .as_ref()
                    .unwrap_or(&selecting)
                    .objects
                    .iter()
                    .filter_map(|d| {
                        self.place(d, &default_ns)
                            .map(|(_, key)| (key, d.manifest()))
                    })
                    .collect();
                for d in &selecting.objects {
                    let Some((rt, key)) = self.place(d, &default_ns) else {
                        continue;
                    };
                    let manifest = d.manifest();
                    let type_ok = types.is_empty()
                        || types.iter().any(|(t, names)| {
                            t.group == rt.group
                                && t.kind == rt.kind
                                && (names.is_empty() || names.contains(&key.3))
                        });
                    let ns = self.namespace_of(rt, d, &default_ns);
                    let ns_ok = match (&selection.namespace, &ns) {
                        (NamespaceScope::Only(want), Some(ns)) => want == ns,
                        _ => true,
                    };
                    let labels_ok = selection
                        .labels
                        .as_ref()
                        .is_none_or(|s| s.matches(manifest["metadata"]["labels"].as_object()));
                    if !(type_ok && ns_ok && labels_ok) {
                        continue;
                    }
                    let entry = wanted
                        .entry((
                            rt.group.clone(),
                            rt.version.clone(),
                            rt.kind.clone(),
                            ns.clone(),
                        ))
                        .or_insert_with(|| {
                            jobs.push((rt, ns.clone(), None));
                            Some(BTreeSet::new())
                        });
                    if let Some(names) = entry {
                        names.insert(key.3.clone());
                    }
                    let declared = declared_by.get(&key).cloned();
                    found
                        .declared
                        .entry(key)
                        .or_insert((d.origin.clone(), declared));
                }
            }
        }
        let concurrency = settings.check.concurrency;
        let answers: Vec<_> = stream::iter(jobs.into_iter().map(|(rt, ns, label)| async move {
            let result = live::list(self.cluster, rt, ns.as_deref(), label.as_deref()).await;
            (rt, ns, result)
        }))
        .buffer_unordered(concurrency)
        .collect()
        .await;
        let mut list_errors = Vec::new();
        for (rt, ns, result) in answers {
            let items = match result {
                Ok(items) => items,
                Err(error) => {
                    let scope = ns
                        .as_ref()
                        .map(|n| format!(" in namespace {n}"))
                        .unwrap_or_default();
                    let why = format!(
                        "cannot list {}{scope}: {}",
                        rt.qualified_plural(),
                        errors::describe(&error, rt.is_secret())
                    );
                    list_errors.push(why.clone());
                    found
                        .failed
                        .push((rt.group.clone(), rt.kind.clone(), ns, why));
                    continue;
                }
            };
            let names = &wanted[&(rt.group.clone(), rt.version.clone(), rt.kind.clone(), ns)];
            for object in items {
                let name = object["metadata"]["name"].as_str().unwrap_or_default();
                let identity = Identity {
                    group: rt.group.clone(),
                    version: rt.version.clone(),
                    kind: rt.kind.clone(),
                    namespace: object["metadata"]["namespace"].as_str().map(str::to_string),
                    name: name.to_string(),
                };
                let chosen = match names {
                    Some(names) => names.contains(name),
                    // Every object of a type: what Kubernetes itself made (a namespace's
                    // `kube-root-ca.crt`, its `default` ServiceAccount) is no one's choice.
                    None => check::extra::made_by_kubernetes(&identity, &object).is_none(),
                };
                if chosen {
                    let key = self.key(&identity);
                    found.live.insert(key, object);
                }
            }
        }
        Ok((found, list_errors))
    }

    /// A manifest's type here and its key; none when the cluster does not serve its type.
    fn place<'c>(&'c self, d: &DesiredObject, default_ns: &str) -> Option<(&'c ResourceType, Key)> {
        let rt = self.catalog.for_manifest(d.api_version(), d.kind())?;
        let identity = Identity {
            group: rt.group.clone(),
            version: rt.version.clone(),
            kind: rt.kind.clone(),
            namespace: self.namespace_of(rt, d, default_ns),
            name: d.name().to_string(),
        };
        Some((rt, self.key(&identity)))
    }

    /// Where a manifest's object is looked for on this side: the side's own namespace when
    /// the sides look in namespaces of their own, else the manifest's, else the default.
    fn namespace_of(
        &self,
        rt: &ResourceType,
        d: &DesiredObject,
        default_ns: &str,
    ) -> Option<String> {
        if !rt.namespaced {
            return None;
        }
        match (self.split, self.namespace) {
            (true, Some(ns)) => Some(ns.to_string()),
            _ => Some(d.namespace().unwrap_or(default_ns).to_string()),
        }
    }

    fn key(&self, id: &Identity) -> Key {
        let namespace = if self.split {
            None
        } else {
            id.namespace.clone()
        };
        (
            id.group.clone(),
            id.kind.clone(),
            namespace,
            id.name.clone(),
        )
    }
}

/// Pairs the two sides' objects by key and compares each pair.
fn pair(
    a: &Found,
    b: &Found,
    split: bool,
    side_namespaces: &[Option<String>; 2],
    side_labels: [&str; 2],
) -> Vec<ObjectComparison> {
    let mut keys: BTreeSet<&Key> = a.live.keys().chain(b.live.keys()).collect();
    keys.extend(a.declared.keys().chain(b.declared.keys()));
    let mut out = Vec::new();
    for key in keys {
        let (la, lb) = (a.live.get(key), b.live.get(key));
        let declared = [a.declared.get(key), b.declared.get(key)];
        let origin = declared.iter().flatten().map(|(o, _)| o.clone()).next();
        let namespace_of = |side: usize, live: Option<&Value>| -> Option<String> {
            match live {
                Some(object) => object["metadata"]["namespace"].as_str().map(str::to_string),
                None if !split => key.2.clone(),
                None => side_namespaces[side].clone(),
            }
        };
        let namespaces = [namespace_of(0, la), namespace_of(1, lb)];
        let version = la
            .or(lb)
            .and_then(|o| o["apiVersion"].as_str())
            .map(|v| {
                crate::cluster::discovery::split_api_version(v)
                    .1
                    .to_string()
            })
            .unwrap_or_default();
        let identity = Identity {
            group: key.0.clone(),
            version,
            kind: key.1.clone(),
            namespace: if namespaces[0] == namespaces[1] {
                namespaces[0].clone()
            } else {
                None
            },
            name: key.3.clone(),
        };
        let mut object = ObjectComparison {
            identity,
            namespaces,
            status: Difference::Same,
            fields: Vec::new(),
            ignored_fields: Vec::new(),
            origin,
            message: None,
            objects: [la.map(normalize::normalize), lb.map(normalize::normalize)],
        };
        let failures = [a.failure(key), b.failure(key)];
        match (la, lb) {
            _ if failures.iter().any(Option::is_some) => {
                object.status = Difference::Error;
                let why: Vec<String> = failures
                    .iter()
                    .zip(side_labels)
                    .filter_map(|(why, side)| why.map(|why| format!("{side}: {why}")))
                    .collect();
                object.message = Some(why.join("; "));
            }
            (None, None) => object.status = Difference::Absent,
            (Some(_), None) | (None, Some(_)) => {
                let (here, there) = if la.is_some() { (0, 1) } else { (1, 0) };
                let manifest = |side: usize| declared[side].and_then(|(_, m)| m.as_ref());
                // Only this side's target declares it in Git: its absence there is expected.
                if manifest(here).is_some() && manifest(there).is_none() {
                    object.status = Difference::Declared;
                    object.message = Some(format!(
                        "live in {} only, as Git declares it for {} only",
                        side_labels[here], side_labels[here]
                    ));
                } else if here == 0 {
                    object.status = Difference::OnlyInA;
                } else {
                    object.status = Difference::OnlyInB;
                }
            }
            (Some(la), Some(lb)) => {
                let manifests = [
                    declared[0].and_then(|(_, m)| m.as_ref()),
                    declared[1].and_then(|(_, m)| m.as_ref()),
                ];
                compare_pair(&mut object, la, lb, split, manifests);
            }
        }
        if errors::is_secret(&object.identity.group, &object.identity.kind) {
            let [oa, ob] = &mut object.objects;
            redact::redact_objects(oa.as_mut(), ob.as_mut());
            for field in &mut object.fields {
                redact::redact_values(&field.path, &mut field.a, &mut field.b);
            }
        }
        out.push(object);
    }
    out
}

/// The field differences of one object live on both sides, attributed on each, without
/// what only the server writes, each marked declared where the sides' manifests differ.
fn compare_pair(
    object: &mut ObjectComparison,
    la: &Value,
    lb: &Value,
    split: bool,
    manifests: [Option<&Value>; 2],
) {
    let [Some(na), Some(nb)] = &mut object.objects else {
        return;
    };
    for normal in [&mut *na, &mut *nb] {
        if split {
            // Looked for in namespaces of their own: that they differ is the question asked.
            if let Some(meta) = normal.get_mut("metadata").and_then(Value::as_object_mut) {
                meta.remove("namespace");
            }
        }
        // `get_mut`, not indexing: indexing a missing key would add it as null.
        if let Some(meta) = normal.get_mut("metadata").and_then(Value::as_object_mut) {
            if let Some(annotations) = meta.get_mut("annotations").and_then(Value::as_object_mut) {
                for annotation in CONTROLLER_ANNOTATIONS {
                    annotations.remove(*annotation);
                }
                if annotations.is_empty() {
                    meta.remove("annotations");
                }
            }
        }
    }
    let (ma, mb) = (ManagedFields::of(la), ManagedFields::of(lb));
    let tracked = |live: &Value| {
        live["metadata"]["managedFields"]
            .as_array()
            .is_some_and(|m| !m.is_empty())
    };
    let (tracked_a, tracked_b) = (tracked(la), tracked(lb));
    let mut server_written: Vec<FieldPath> = Vec::new();
    for change in drift::diff::diff(na, nb) {
        let a_by = ma.owner(&change.path, la);
        let b_by = mb.owner(&change.path, lb);
        // No manager owns it on either side: the server wrote it (an allocated clusterIP, a
        // default that differs between versions), no one chose it.
        if a_by.is_none() && b_by.is_none() && tracked_a && tracked_b {
            server_written.push(change.path);
            continue;
        }
        let declared = match manifests {
            [Some(da), Some(db)] => {
                let (ga, gb) = (change.path.lookup(da), change.path.lookup(db));
                // Git sets the field differently for the two sides, and each side holds what
                // its own manifest says: a hand edit on top of a declared difference counts.
                ga != gb && holds(ga, change.git.as_ref()) && holds(gb, change.live.as_ref())
            }
            _ => false,
        };
        object.fields.push(FieldDifference {
            path: change.path,
            a: change.git,
            b: change.live,
            a_by,
            b_by,
            declared,
        });
    }
    // The diffs show what still counts: the left side takes the right's server-written values.
    for path in &server_written {
        path.copy_between(nb, na);
    }
    object.status = status_of(&object.fields);
}

/// Whether a live value is what a manifest's value for it says: equal scalars, every key
/// the manifest gives (the server may default more), lists item by item. A side whose
/// manifest does not set the field holds whatever it holds.
fn holds(manifest: Option<&Value>, live: Option<&Value>) -> bool {
    match (manifest, live) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(Value::Object(m)), Some(Value::Object(l))) => m
            .iter()
            .all(|(k, v)| v.is_null() || holds(Some(v), l.get(k))),
        (Some(Value::Array(m)), Some(Value::Array(l))) => {
            m.len() == l.len() && m.iter().zip(l).all(|(m, l)| holds(Some(m), Some(l)))
        }
        (Some(Value::Number(m)), Some(Value::Number(l))) => m.as_f64() == l.as_f64(),
        (Some(m), Some(l)) => m == l,
    }
}

fn status_of(fields: &[FieldDifference]) -> Difference {
    if fields.is_empty() {
        Difference::Same
    } else if fields.iter().all(|f| f.declared) {
        Difference::Declared
    } else {
        Difference::Different
    }
}

/// Applies the config's ignore rules as `check` does, to each side in turn (its context,
/// namespace and writers): a rule that matches either side hides the field, or the object.
fn apply_rules(
    object: &mut ObjectComparison,
    rules: &[crate::settings::rules::Rule],
    contexts: &[String],
    today: chrono::NaiveDate,
) {
    if rules.is_empty() || matches!(object.status, Difference::Same | Difference::Absent) {
        return;
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
        ignore::apply(std::slice::from_mut(&mut report), rules, today);
        if report.message.is_some() {
            object.message = report.message.clone();
        }
        if report.status == Status::Ignored {
            object.status = Difference::Ignored;
            return;
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SIDES: [&str; 2] = ["staging", "production"];

    fn key(kind: &str, name: &str) -> Key {
        ("".into(), kind.into(), Some("shop".into()), name.into())
    }

    fn managed(manager: &str, fields: Value) -> Value {
        json!([{"manager": manager, "operation": "Update", "time": "2026-01-01T00:00:00Z",
                "fieldsV1": fields}])
    }

    #[test]
    fn server_written_fields_drop_and_hand_edits_show_on_both_sides() {
        let service = |ip: &str, uid: &str, port: u64, manager: &str| {
            json!({"apiVersion": "v1", "kind": "Service",
                "metadata": {"name": "web", "namespace": "shop", "uid": uid, "resourceVersion": uid,
                    "managedFields": managed(manager, json!({"f:spec": {"f:ports": {}}}))},
                "spec": {"clusterIP": ip, "clusterIPs": [ip], "ports": [{"port": port}]}})
        };
        let mut a = Found::default();
        let mut b = Found::default();
        a.live.insert(
            key("Service", "web"),
            service("10.0.0.1", "1", 80, "pipeline"),
        );
        b.live.insert(
            key("Service", "web"),
            service("10.0.0.9", "2", 80, "pipeline"),
        );
        let none = [None, None];
        let same = pair(&a, &b, false, &none, SIDES);
        assert_eq!(same[0].status, Difference::Same, "{:?}", same[0].fields);
        // The diffs show no server-written difference either.
        assert_eq!(same[0].objects[0], same[0].objects[1]);
        b.live.insert(
            key("Service", "web"),
            service("10.0.0.9", "2", 8080, "kubectl-edit"),
        );
        let different = pair(&a, &b, false, &none, SIDES);
        let field = &different[0].fields[0];
        assert_eq!(different[0].status, Difference::Different);
        // Ports are keyed: the item on A is gone on B, and B's is new.
        assert_eq!(field.path.to_string(), "spec.ports[port=80,protocol=TCP]");
        assert_eq!(different[0].fields.len(), 2);
        assert_eq!(field.a_by.as_ref().unwrap().manager, "pipeline");
        assert_eq!(field.b_by.as_ref().unwrap().manager, "kubectl-edit");
        a.live.remove(&key("Service", "web"));
        assert_eq!(
            pair(&a, &b, false, &none, SIDES)[0].status,
            Difference::OnlyInB
        );
        // Not listed on A: unknown there, not absent.
        a.failed.push((
            "".into(),
            "Service".into(),
            Some("shop".into()),
            "cannot list services in namespace shop: 403 Forbidden".into(),
        ));
        let unknown = pair(&a, &b, false, &none, SIDES);
        assert_eq!(unknown[0].status, Difference::Error);
        assert!(unknown[0]
            .message
            .as_deref()
            .unwrap()
            .starts_with("staging: cannot list"));
    }

    #[test]
    fn fields_git_sets_differently_per_side_are_declared() {
        let deployment = |replicas: u64, image: &str| {
            json!({"apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": "web", "namespace": "shop",
                    "managedFields": managed("pipeline", json!({"f:spec": {"f:replicas": {}, "f:image": {}}}))},
                "spec": {"replicas": replicas, "image": image}})
        };
        let origin = Origin {
            file: "k8s/web.yaml".into(),
            line: 1,
            commit: None,
        };
        let mut a = Found::default();
        let mut b = Found::default();
        let k = key("Deployment", "web");
        a.live.insert(k.clone(), deployment(2, "web:1"));
        b.live.insert(k.clone(), deployment(3, "web:2"));
        let manifest = |replicas: u64| json!({"spec": {"replicas": replicas, "image": "web:1"}});
        a.declared
            .insert(k.clone(), (origin.clone(), Some(manifest(2))));
        b.declared.insert(k.clone(), (origin, Some(manifest(3))));
        let compared = pair(&a, &b, false, &[None, None], SIDES);
        let fields: Vec<(String, bool)> = compared[0]
            .fields
            .iter()
            .map(|f| (f.path.to_string(), f.declared))
            .collect();
        assert_eq!(
            fields,
            [("spec.image".into(), false), ("spec.replicas".into(), true)]
        );
        assert_eq!(compared[0].status, Difference::Different);
        b.live.insert(k.clone(), deployment(3, "web:1"));
        assert_eq!(
            pair(&a, &b, false, &[None, None], SIDES)[0].status,
            Difference::Declared
        );
        // An object only B's target declares, live on B only: expected.
        let only = key("ConfigMap", "b-only");
        b.live.insert(only.clone(), json!({"kind": "ConfigMap"}));
        b.declared.insert(
            only.clone(),
            (
                Origin {
                    file: "k8s/b.yaml".into(),
                    line: 1,
                    commit: None,
                },
                Some(json!({"kind": "ConfigMap"})),
            ),
        );
        let compared = pair(&a, &b, false, &[None, None], SIDES);
        let found = compared
            .iter()
            .find(|o| o.identity.name == "b-only")
            .unwrap();
        assert_eq!(found.status, Difference::Declared);
        // Declared for both sides, live on one: missing on the other.
        a.declared.insert(only.clone(), b.declared[&only].clone());
        let compared = pair(&a, &b, false, &[None, None], SIDES);
        let found = compared
            .iter()
            .find(|o| o.identity.name == "b-only")
            .unwrap();
        assert_eq!(found.status, Difference::OnlyInB);
        b.live.remove(&only);
        a.declared.remove(&only);
        b.declared.remove(&only);
        // Scaled by hand past what Git declares for B: no longer only declared.
        b.live.insert(k, deployment(5, "web:1"));
        let compared = pair(&a, &b, false, &[None, None], SIDES);
        assert_eq!(compared[0].status, Difference::Different);
        assert!(!compared[0].fields[0].declared);
    }

    #[test]
    fn secret_values_never_reach_the_report() {
        let secret = |value: &str, uid: &str| {
            json!({"apiVersion": "v1", "kind": "Secret",
                "metadata": {"name": "creds", "namespace": "shop", "uid": uid,
                    "managedFields": managed("pipeline", json!({"f:data": {"f:password": {}, "f:user": {}}}))},
                "data": {"password": value, "user": "c2hvcA=="}})
        };
        let mut a = Found::default();
        let mut b = Found::default();
        a.live
            .insert(key("Secret", "creds"), secret("aHVudGVyMg==", "1"));
        b.live
            .insert(key("Secret", "creds"), secret("czNjcmV0", "2"));
        let compared = pair(&a, &b, false, &[None, None], SIDES);
        let text = format!("{compared:?}");
        for value in ["aHVudGVyMg==", "czNjcmV0", "c2hvcA=="] {
            assert!(!text.contains(value), "{value} in {text}");
        }
        assert_eq!(compared[0].status, Difference::Different);
        assert_eq!(compared[0].fields[0].path.to_string(), "data.password");
        assert_eq!(compared[0].fields[0].b, Some(json!(redact::HIDDEN_CHANGED)));
    }
}
