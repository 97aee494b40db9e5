//! Helm in one context: the charts Git holds rendered for this cluster (its version and
//! APIs are what `.Capabilities` says), and, with `--from-release`, the manifests of the
//! releases Helm last deployed here, read from their release records. Either way the result
//! is a desired set like any other.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use serde_json::Value;

use super::ContextError;
use crate::cluster::{kubeconfig, live, Catalog, Cluster};
use crate::drift::Identity;
use crate::settings::source::SourceSpec;
use crate::settings::{CheckSettings, NamespaceScope};
use crate::source::helm::{self, Capabilities, RenderRun};
use crate::source::{DesiredObject, DesiredSet};

/// Renders kept by their key (commit, chart, settings, namespace, capabilities), so that
/// contexts of one run, and `watch`'s rounds, render each chart once.
#[derive(Debug, Clone, Default)]
pub struct Renders {
    done: Arc<Mutex<HashMap<String, RenderCell>>>,
}

type RenderCell = Arc<tokio::sync::OnceCell<Result<Arc<Vec<DesiredObject>>, String>>>;

/// Renders kept at most; `watch` over a moving branch would otherwise keep every commit's.
const KEPT_RENDERS: usize = 64;

/// Charts rendered with `helm template` since start, for the bench and tests.
pub static RENDERS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

impl Renders {
    fn cell(&self, key: String) -> RenderCell {
        let mut done = self.done.lock().expect("no panic while holding the lock");
        if done.len() >= KEPT_RENDERS && !done.contains_key(&key) {
            done.clear();
        }
        done.entry(key).or_default().clone()
    }
}

/// What Helm needs to know of one context.
pub(super) struct Context<'a> {
    pub cluster: &'a Cluster,
    pub catalog: &'a Catalog,
    /// The namespace of manifests that name none: charts render into it.
    pub default_ns: &'a str,
    pub settings: &'a CheckSettings,
    /// `--allow-remote-bases`: helm may fetch dependencies that are not vendored.
    pub allow_remote: bool,
    pub renders: &'a Renders,
}

impl Context<'_> {
    /// What Helm adds to a context's desired set: `desired` with its charts rendered, and the
    /// release records' objects when the source is `--from-release`. `None`: nothing to add.
    /// Beside it, what release records may not declare: errors of their own.
    pub(super) async fn complete(
        &self,
        desired: &DesiredSet,
    ) -> Result<Option<(DesiredSet, Vec<Refused>)>, ContextError> {
        let Context {
            cluster,
            catalog,
            default_ns,
            settings,
            allow_remote,
            renders,
        } = *self;
        let source = &settings.source;
        let namespace = &settings.selection.namespace;
        let helm_binary = settings.helm_binary.as_deref();
        let releases = match source {
            SourceSpec::Releases {
                names,
                all,
                all_namespaces,
                trusted,
            } => Some((names, *all, *all_namespaces, trusted)),
            _ => None,
        };
        if desired.charts.is_empty() && releases.is_none() {
            return Ok(None);
        }
        let mut set = DesiredSet {
            objects: desired.objects.clone(),
            skipped_files: desired.skipped_files.clone(),
            commit: desired.commit.clone(),
            charts: Vec::new(),
        };
        if !desired.charts.is_empty() {
            let capabilities = Capabilities {
                kube_version: kubeconfig::server_version(cluster).await?,
                api_versions: api_versions(catalog),
            };
            for chart in &desired.charts {
                let run = RenderRun {
                    binary: helm_binary,
                    namespace: default_ns,
                    capabilities: &capabilities,
                    allow_remote,
                };
                let cell = renders.cell(chart.render_key(&run));
                let objects = cell
                    .get_or_init(|| async {
                        let (chart, capabilities) = (chart.clone(), capabilities.clone());
                        let (binary, namespace) =
                            (helm_binary.map(|b| b.to_path_buf()), default_ns.to_string());
                        tokio::task::spawn_blocking(move || {
                            RENDERS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            let run = RenderRun {
                                binary: binary.as_deref(),
                                namespace: &namespace,
                                capabilities: &capabilities,
                                allow_remote,
                            };
                            helm::render(&chart, &run)
                                .map(Arc::new)
                                .map_err(|e| e.to_string())
                        })
                        .await
                        .unwrap_or_else(|e| Err(format!("rendering panicked: {e}")))
                    })
                    .await
                    .clone()
                    .map_err(ContextError::Selection)?;
                set.objects.extend(objects.iter().cloned());
            }
        }
        let mut refused = Vec::new();
        if let Some((names, all, all_namespaces, trusted)) = releases {
            let namespaces = match namespace {
                NamespaceScope::Only(ns) => Some(ns.as_str()),
                _ if all_namespaces => None,
                _ => Some(default_ns),
            };
            let (objects, refusals) =
                release_objects(cluster, catalog, namespaces, (names, all), trusted).await?;
            set.objects.extend(objects);
            refused = refusals;
        }
        Ok(Some((set, refused)))
    }
}

/// `desired` with its charts rendered for this cluster (`None`: it holds none), for the
/// commands beside `check` that read Git the same way (`compare`); errors in words.
pub async fn render_charts(
    cluster: &Cluster,
    catalog: &Catalog,
    default_ns: &str,
    settings: &CheckSettings,
    renders: &Renders,
    desired: &DesiredSet,
) -> Result<Option<DesiredSet>, String> {
    let context = Context {
        cluster,
        catalog,
        default_ns,
        settings,
        allow_remote: super::source_allows_remote(&settings.source),
        renders,
    };
    match context.complete(desired).await {
        Ok(completed) => Ok(completed.map(|(set, _)| set)),
        Err(e) => Err(e.to_string()),
    }
}

/// Every served `group/version` and `group/version/Kind`, as `helm install` tells the chart.
fn api_versions(catalog: &Catalog) -> Vec<String> {
    let mut out = BTreeSet::new();
    for t in catalog.types() {
        let gv = t.api_version();
        out.insert(format!("{gv}/{}", t.kind));
        out.insert(gv);
    }
    out.into_iter().collect()
}

/// What a release record may not declare, or a record that cannot be read: an `Error` of
/// its own, never applied. `object`: the object refused; `None` for the record itself
/// (`record`, the Secret).
#[derive(Debug, Clone)]
pub(super) struct Refused {
    pub object: Option<DesiredObject>,
    pub record: Identity,
    pub message: String,
}

/// `--trust-release NS/NAME`: the releases whose records may declare objects outside their
/// namespace.
type Trusted<'a> = &'a [(String, String)];

/// The objects of the releases deployed in `namespace` (every namespace for `None`): the
/// newest deployed revision of each release named (of every release with `all`). A release
/// record is cluster data anyone with a Secret's rights can write: a release's objects are
/// confined to its own namespace unless `trusted` names it, and a record whose name, labels
/// and content disagree is refused.
async fn release_objects(
    cluster: &Cluster,
    catalog: &Catalog,
    namespace: Option<&str>,
    (names, all): (&[String], bool),
    trusted: Trusted<'_>,
) -> Result<(Vec<DesiredObject>, Vec<Refused>), ContextError> {
    let secrets = catalog
        .for_manifest("v1", "Secret")
        .ok_or_else(|| ContextError::Selection("the server serves no Secrets".into()))?;
    let selector = match names {
        [one] if !all => format!("owner=helm,status=deployed,name={one}"),
        _ => "owner=helm,status=deployed".to_string(),
    };
    let where_ = namespace.map_or("any namespace".to_string(), |n| format!("namespace {n}"));
    let records = cluster
        .deadline
        .bound(live::list(cluster, secrets, namespace, Some(&selector)))
        .await
        .map_err(|e| {
            ContextError::Selection(format!("cannot read Helm release records in {where_}: {e}"))
        })?;
    let wanted = |name: &str| all || names.iter().any(|n| n == name);
    let mut refused = Vec::new();
    // Releases with a record in error: named, but not "missing".
    let mut in_error: Vec<String> = Vec::new();
    // The newest deployed revision of each release, by namespace and name, from what the
    // records' names say: only that one is read.
    let mut newest: HashMap<(String, String), (helm::RecordName, Value)> = HashMap::new();
    for record in records {
        if record["type"].as_str() != Some(helm::RELEASE_SECRET_TYPE) {
            continue;
        }
        let meta = &record["metadata"];
        let ns = meta["namespace"].as_str().unwrap_or_default().to_string();
        let release = meta["labels"]["name"].as_str().unwrap_or_default();
        let named = match helm::record_name(&record) {
            Ok(named) => named,
            Err(message) => {
                if wanted(release) {
                    in_error.push(release.to_string());
                    refused.push(record_error(&record, message));
                }
                continue;
            }
        };
        if named.status != "deployed" || !wanted(&named.name) {
            continue;
        }
        let key = (ns, named.name.clone());
        if newest
            .get(&key)
            .is_none_or(|(known, _)| known.revision < named.revision)
        {
            newest.insert(key, (named, record));
        }
    }
    for name in names {
        if !newest.keys().any(|(_, n)| n == name) && !in_error.contains(name) {
            return Err(ContextError::Selection(format!(
                "no deployed Helm release {name:?} in {where_}"
            )));
        }
    }
    let mut releases: Vec<((String, String), (helm::RecordName, Value))> =
        newest.into_iter().collect();
    releases.sort_by(|a, b| a.0.cmp(&b.0));
    let mut objects = Vec::new();
    for ((ns, _), (named, record)) in releases {
        let secret_name = record["metadata"]["name"].as_str().unwrap_or_default();
        let release = match helm::decode_release(&record).and_then(|release| {
            helm::verify_release(&release, &named, &ns)
                .map(|()| release)
                .map_err(|e| format!("Secret {secret_name:?}: {e}"))
        }) {
            Ok(release) => release,
            Err(message) => {
                refused.push(record_error(&record, message));
                continue;
            }
        };
        let decoded = match helm::release_objects(&release) {
            Ok(decoded) => decoded,
            Err(e) => {
                refused.push(record_error(&record, e.to_string()));
                continue;
            }
        };
        let trust = trusted
            .iter()
            .any(|(n, name)| *n == release.namespace && *name == release.name);
        for object in decoded {
            if trust {
                objects.push(in_namespace(object, catalog, &release.namespace));
                continue;
            }
            match confined(&object, catalog, &release.namespace) {
                Ok(()) => objects.push(in_namespace(object, catalog, &release.namespace)),
                Err(why) => {
                    let message = format!(
                        "release {ns}/{name} v{revision} declares {kind} {object_name}, {why}: \
                         a release's objects are confined to its namespace {ns}; \
                         --trust-release {ns}/{name} allows it",
                        ns = release.namespace,
                        name = release.name,
                        revision = release.revision,
                        kind = object.kind(),
                        object_name = match object.namespace() {
                            Some(on) => format!("{on}/{}", object.name()),
                            None => object.name().to_string(),
                        },
                    );
                    refused.push(Refused {
                        object: Some(object),
                        record: record_identity(&record),
                        message,
                    });
                }
            }
        }
    }
    Ok((objects, refused))
}

/// Why an untrusted release may not declare `object`: cluster-scoped, in another
/// namespace, or of a type the server does not serve (whose scope is unknown).
fn confined(object: &DesiredObject, catalog: &Catalog, namespace: &str) -> Result<(), String> {
    let Some(rt) = catalog.for_manifest(object.api_version(), object.kind()) else {
        return Err(format!(
            "a type the server does not serve ({} {}), so its scope is unknown",
            object.api_version(),
            object.kind()
        ));
    };
    if !rt.namespaced {
        return Err("which is cluster-scoped".into());
    }
    match object.namespace() {
        Some(other) if other != namespace => Err(format!("which is in namespace {other}")),
        _ => Ok(()),
    }
}

/// The identity of a release record's Secret.
fn record_identity(record: &Value) -> Identity {
    let meta = &record["metadata"];
    Identity {
        group: String::new(),
        version: "v1".into(),
        kind: "Secret".into(),
        namespace: meta["namespace"].as_str().map(str::to_string),
        name: meta["name"].as_str().unwrap_or_default().to_string(),
    }
}

/// A release record that cannot be read or does not agree with itself.
fn record_error(record: &Value, message: String) -> Refused {
    let identity = record_identity(record);
    let release = record["metadata"]["labels"]["name"]
        .as_str()
        .unwrap_or_default();
    let ns = identity.namespace.as_deref().unwrap_or_default();
    Refused {
        message: format!("Helm release {ns}/{release}: {message}"),
        object: None,
        record: identity,
    }
}

/// A release's object in the release's namespace, as Helm applied it, unless it names one
/// or its kind is cluster-scoped.
fn in_namespace(object: DesiredObject, catalog: &Catalog, namespace: &str) -> DesiredObject {
    if object.namespace().is_some()
        || catalog
            .for_manifest(object.api_version(), object.kind())
            .is_some_and(|t| !t.namespaced)
    {
        return object;
    }
    let mut manifest: Value = object.manifest();
    manifest["metadata"]["namespace"] = Value::String(namespace.to_string());
    DesiredObject::new(&manifest, object.origin)
}
