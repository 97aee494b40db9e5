//! Live state and predicted state: one LIST per (type, namespace), and a server-side
//! dry-run apply per manifest. Objects travel as plain JSON so that nothing is lost or
//! reordered between the server and the diff.

use kube::api::{ListParams, Patch, PatchParams};
use kube::core::{DynamicObject, Request, Resource};
use serde_json::Value;

use super::{Cluster, ResourceType};
use crate::retry;

/// Objects per LIST page.
const PAGE_SIZE: u32 = 500;

/// The most objects one page may hold: a server that ignores `limit` and answers a whole
/// type at once is refused past this, before the page is held in memory.
pub const MAX_PAGE_OBJECTS: usize = 20 * PAGE_SIZE as usize;

/// The most bytes one page's answer may take: 500 objects of ~0.5 MiB, large CRDs say.
pub const MAX_PAGE_BYTES: usize = 256 << 20;

/// The most objects one type may hold in one LIST (all pages together): a server that
/// hands out continue tokens without end is refused past this.
pub const MAX_TYPE_OBJECTS: usize = 500_000;

/// LIST requests this process has sent (every page counts), for `watch`'s metrics.
pub static LIST_REQUESTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Lists every object of one type in one namespace (or the whole cluster for `None`).
/// Items come back with `apiVersion` and `kind` filled in, as a GET would return them.
pub async fn list(
    cluster: &Cluster,
    resource: &ResourceType,
    namespace: Option<&str>,
    selector: Option<&str>,
) -> Result<Vec<Value>, kube::Error> {
    let mut pages = Pages::new(cluster, resource, namespace, selector);
    let mut items = Vec::new();
    while let Some(page) = pages.next().await? {
        items.extend(page);
    }
    Ok(items)
}

/// One LIST, a page at a time, so that a caller can be done with each page before the
/// next arrives: memory stays bounded by a page, however many objects there are. Pages
/// and types over [`MAX_PAGE_OBJECTS`], [`MAX_PAGE_BYTES`] and [`MAX_TYPE_OBJECTS`] are
/// refused with the type and the server named.
pub struct Pages<'a> {
    cluster: &'a Cluster,
    request: Request,
    params: ListParams,
    api_version: String,
    kind: &'a str,
    /// The type's plural, for messages (`deployments.apps`).
    plural: String,
    /// Objects of all pages so far.
    seen: usize,
    done: bool,
}

impl<'a> Pages<'a> {
    pub fn new(
        cluster: &'a Cluster,
        resource: &'a ResourceType,
        namespace: Option<&str>,
        selector: Option<&str>,
    ) -> Pages<'a> {
        let url = DynamicObject::url_path(&resource.api_resource(), namespace);
        let mut params = ListParams::default().limit(PAGE_SIZE);
        if let Some(selector) = selector {
            params = params.labels(selector);
        }
        Pages {
            cluster,
            request: Request::new(url),
            params,
            api_version: resource.api_version(),
            kind: &resource.kind,
            plural: resource.qualified_plural(),
            seen: 0,
            done: false,
        }
    }

    /// The next page's items (typed as `list`'s are), or `None` after the last page.
    pub async fn next(&mut self) -> Result<Option<Vec<Value>>, kube::Error> {
        if self.done {
            return Ok(None);
        }
        LIST_REQUESTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (request, params, cluster) = (&self.request, &self.params, self.cluster);
        let what = format!("the LIST of {}", self.plural);
        let over = |what: String, limit: String| {
            kube::Error::Service(Box::new(super::OverLimit {
                what,
                server: cluster.server.clone(),
                limit,
            }))
        };
        let page_limit = MAX_PAGE_OBJECTS.min(MAX_TYPE_OBJECTS - self.seen);
        let page: ListPage = retry::with_retries(|| async {
            let req = request.list(params).map_err(kube::Error::BuildRequest)?;
            let body = cluster
                .deadline
                .bound(super::read_bounded(
                    cluster,
                    req,
                    MAX_PAGE_BYTES,
                    &format!("{what} page"),
                ))
                .await?;
            ListPage::read(&body, page_limit).map_err(kube::Error::SerdeError)
        })
        .await?;
        if page.over {
            return Err(if page_limit < MAX_PAGE_OBJECTS {
                over(what, format!("{MAX_TYPE_OBJECTS} objects"))
            } else {
                over(
                    format!("one page of {what} (asked for {PAGE_SIZE})"),
                    format!("{MAX_PAGE_OBJECTS} objects"),
                )
            });
        }
        self.seen += page.items.len();
        match page.continue_token.filter(|c| !c.is_empty()) {
            Some(token) => self.params.continue_token = Some(token),
            None => self.done = true,
        }
        Ok(Some(
            page.items
                .into_iter()
                .map(|item| with_type(item, &self.api_version, self.kind))
                .collect(),
        ))
    }
}

/// A LIST answer's items and continue token, read with at most `max` items kept: past that
/// it stops with `over` set, so an oversized page never becomes a vector of values.
#[derive(Debug, Default)]
struct ListPage {
    items: Vec<Value>,
    continue_token: Option<String>,
    over: bool,
}

/// The message the item reader stops with; never shown (`over` is).
const OVER: &str = "over the page limit";

impl ListPage {
    fn read(body: &[u8], max: usize) -> Result<ListPage, serde_json::Error> {
        use serde::de::DeserializeSeed;
        let mut page = ListPage::default();
        let mut deserializer = serde_json::Deserializer::from_slice(body);
        match (PageSeed {
            page: &mut page,
            max,
        })
        .deserialize(&mut deserializer)
        {
            Ok(()) => {
                deserializer.end()?;
                Ok(page)
            }
            Err(_) if page.over => Ok(ListPage {
                items: Vec::new(),
                continue_token: None,
                over: true,
            }),
            Err(e) => Err(e),
        }
    }
}

struct PageSeed<'p> {
    page: &'p mut ListPage,
    max: usize,
}

impl<'de> serde::de::DeserializeSeed<'de> for PageSeed<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for PageSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a LIST answer (an object with items)")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match &*key {
                "items" => map.next_value_seed(ItemsSeed {
                    page: &mut *self.page,
                    max: self.max,
                })?,
                "metadata" => {
                    let metadata: Value = map.next_value()?;
                    self.page.continue_token = metadata["continue"].as_str().map(str::to_string);
                }
                _ => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

struct ItemsSeed<'p> {
    page: &'p mut ListPage,
    max: usize,
}

impl<'de> serde::de::DeserializeSeed<'de> for ItemsSeed<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for ItemsSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a list of objects")
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        // `"items": null`: an empty type, as Go's encoder writes a nil slice.
        Ok(())
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(item) = seq.next_element::<Value>()? {
            if self.page.items.len() == self.max {
                self.page.over = true;
                return Err(serde::de::Error::custom(OVER));
            }
            self.page.items.push(item);
        }
        Ok(())
    }
}

#[cfg(test)]
mod list_page_tests {
    use super::ListPage;

    #[test]
    fn reads_items_and_the_continue_token() {
        let page = ListPage::read(
            br#"{"kind":"List","metadata":{"continue":"abc","resourceVersion":"3"},"items":[{"a":1},{"b":2}]}"#,
            10,
        )
        .unwrap();
        assert!(!page.over);
        assert_eq!(page.items.len(), 2);
        assert_eq!(page.continue_token.as_deref(), Some("abc"));
        let empty = ListPage::read(br#"{"metadata":{},"items":null}"#, 10).unwrap();
        assert!(empty.items.is_empty() && empty.continue_token.is_none());
    }

    #[test]
    fn stops_at_the_cap_without_keeping_the_rest() {
        let body = format!(
            r#"{{"items":[{}],"metadata":{{"continue":"x"}}}}"#,
            [r#"{"a":1}"#; 5].join(",")
        );
        let page = ListPage::read(body.as_bytes(), 4).unwrap();
        assert!(page.over);
        assert!(page.items.is_empty());
        let page = ListPage::read(body.as_bytes(), 5).unwrap();
        assert!(!page.over && page.items.len() == 5);
    }

    #[test]
    fn malformed_answers_are_errors() {
        assert!(ListPage::read(b"{\"items\":[{]}", 10).is_err());
        assert!(ListPage::read(b"{\"items\":\"no\"}", 10).is_err());
        assert!(ListPage::read(b"{} trailing", 10).is_err());
    }
}

/// What the server would make of `manifest` if it were applied now with `field_manager`
/// (force, dry run): defaults, admission and webhooks included. Nothing is stored.
pub async fn dry_run_apply(
    cluster: &Cluster,
    resource: &ResourceType,
    namespace: Option<&str>,
    name: &str,
    manifest: &Value,
    field_manager: &str,
) -> Result<Value, kube::Error> {
    let params = PatchParams::apply(field_manager).force().dry_run();
    apply_with(cluster, resource, namespace, name, manifest, &params).await
}

/// How a real apply is made.
#[derive(Debug, Clone, Copy)]
pub struct ApplyOptions<'a> {
    pub field_manager: &'a str,
    /// Take over fields other managers own instead of failing with a conflict.
    pub force: bool,
    /// Write only if the live object is still at this version (409 Conflict otherwise).
    pub resource_version: Option<&'a str>,
}

/// Applies `manifest` for real with server-side apply. Without `force`, fields owned by
/// other managers are a 409 Conflict that lists them.
///
/// A server-side apply creates an object that is absent, whatever resourceVersion it
/// carries; so an apply held to a `resource_version` writes only to the object the diff was
/// made from: `held` reads it just before (404 when it is gone, 409 when it moved) and the
/// body carries its UID as well as its version. The server refuses an apply whose UID
/// finds no object (409, "uid mismatch") or another one (422, the UID is immutable), so an
/// object deleted in the instant between is not made anew either.
pub async fn apply(
    cluster: &Cluster,
    resource: &ResourceType,
    namespace: Option<&str>,
    name: &str,
    manifest: &Value,
    options: &ApplyOptions<'_>,
) -> Result<Value, kube::Error> {
    let mut params = PatchParams::apply(options.field_manager);
    if options.force {
        params = params.force();
    }
    let mut body = manifest.clone();
    let Some(rv) = options.resource_version else {
        return apply_with(cluster, resource, namespace, name, &body, &params).await;
    };
    let uid = held(cluster, resource, namespace, name, rv).await?;
    if let Some(meta) = body["metadata"].as_object_mut() {
        meta.insert("resourceVersion".into(), Value::String(rv.to_string()));
        meta.insert("uid".into(), Value::String(uid.clone()));
    }
    apply_with(cluster, resource, namespace, name, &body, &params).await
}

/// The UID of the object `name` when it is still at `resource_version`: a 404 when it is
/// gone, a 409 Conflict when it has moved on.
async fn held(
    cluster: &Cluster,
    resource: &ResourceType,
    namespace: Option<&str>,
    name: &str,
    resource_version: &str,
) -> Result<String, kube::Error> {
    let Some(live) = get(cluster, resource, namespace, name).await? else {
        return Err(refusal(404, "NotFound", name, "it no longer exists"));
    };
    if live["metadata"]["resourceVersion"].as_str() != Some(resource_version) {
        return Err(refusal(
            409,
            "Conflict",
            name,
            "it was modified since (another resourceVersion)",
        ));
    }
    match live["metadata"]["uid"].as_str() {
        Some(uid) if !uid.is_empty() => Ok(uid.to_string()),
        _ => Err(refusal(
            409,
            "Conflict",
            name,
            "it has no UID to hold it to",
        )),
    }
}

/// A refusal made before a write, worded as the server words its own.
pub(crate) fn refusal(code: u16, reason: &str, name: &str, why: &str) -> kube::Error {
    kube::Error::Api(Box::new(
        kube::core::Status::failure(&format!("{name}: not written: {why}"), reason).with_code(code),
    ))
}

/// The annotation client-side `kubectl apply` keeps the applied manifest in.
pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// The manager client-side `kubectl apply` writes as.
pub use crate::drift::attribution::CLIENT_SIDE_APPLY;

/// `manifest` as client-side `kubectl apply` writes it: with the last-applied annotation
/// holding `applied` (the whole Git manifest) encoded byte for byte as kubectl encodes it,
/// so that the pipeline's next `kubectl apply` and `kubectl diff` find nothing to change.
pub fn with_last_applied(manifest: &Value, applied: &Value) -> Value {
    let mut applied = applied.clone();
    // kubectl sets the annotation on the object before encoding it without the annotation,
    // so an object without annotations is encoded with an empty map of them.
    if let Some(meta) = applied.get_mut("metadata").and_then(Value::as_object_mut) {
        let annotations = meta
            .entry("annotations")
            .or_insert_with(|| Value::Object(Default::default()));
        match annotations.as_object_mut() {
            Some(annotations) => {
                annotations.remove(LAST_APPLIED);
            }
            None => *annotations = Value::Object(Default::default()),
        }
    }
    let mut text = String::new();
    go_json(&applied, &mut text);
    text.push('\n');
    let mut body = manifest.clone();
    if let Some(meta) = body["metadata"].as_object_mut() {
        let annotations = meta
            .entry("annotations")
            .or_insert_with(|| Value::Object(Default::default()));
        if !annotations.is_object() {
            *annotations = Value::Object(Default::default());
        }
        annotations[LAST_APPLIED] = Value::String(text);
    }
    body
}

/// JSON as Go's `encoding/json` writes a map (what kubectl stores): keys sorted, no spaces,
/// `<`, `>`, `&`, U+2028 and U+2029 escaped.
fn go_json(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                go_string(key, out);
                out.push(':');
                go_json(&map[key], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                go_json(item, out);
            }
            out.push(']');
        }
        Value::String(text) => go_string(text, out),
        other => out.push_str(&other.to_string()),
    }
}

fn go_string(text: &str, out: &mut String) {
    let quoted = Value::String(text.to_string()).to_string();
    for c in quoted.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
}

/// What client-side `kubectl apply` makes of the live object, written in one guarded
/// update as `kubectl-client-side-apply`: Git's fields merged in as server-side apply merges
/// them (the server's dry run, forced, so hand-made changes to Git's fields go), the fields
/// the old last-applied annotation holds and Git no longer declares removed, and the
/// annotation set to `applied`. Guarded by `resource_version` throughout (409 otherwise),
/// and held to the object the diff was made from as `apply` is (404 when it is gone): the
/// update carries its UID, which the server holds an update to (409 when none has it).
pub async fn apply_client_side(
    cluster: &Cluster,
    resource: &ResourceType,
    namespace: Option<&str>,
    name: &str,
    manifest: &Value,
    applied: &Value,
    resource_version: Option<&str>,
) -> Result<Value, kube::Error> {
    client_side_update(
        cluster,
        resource,
        namespace,
        name,
        (manifest, applied),
        resource_version,
        false,
    )
    .await
}

/// What `apply_client_side` would make of the live object, the server's dry run of its
/// update: nothing is stored.
pub async fn dry_run_client_side(
    cluster: &Cluster,
    resource: &ResourceType,
    namespace: Option<&str>,
    name: &str,
    manifest: &Value,
    applied: &Value,
    resource_version: Option<&str>,
) -> Result<Value, kube::Error> {
    client_side_update(
        cluster,
        resource,
        namespace,
        name,
        (manifest, applied),
        resource_version,
        true,
    )
    .await
}

async fn client_side_update(
    cluster: &Cluster,
    resource: &ResourceType,
    namespace: Option<&str>,
    name: &str,
    (manifest, applied): (&Value, &Value),
    resource_version: Option<&str>,
    dry_run: bool,
) -> Result<Value, kube::Error> {
    let mut body = manifest.clone();
    if let Some(annotations) = body
        .get_mut("metadata")
        .and_then(|m| m.get_mut("annotations"))
        .and_then(Value::as_object_mut)
    {
        annotations.remove(LAST_APPLIED);
    }
    let uid = match resource_version {
        Some(rv) => Some(held(cluster, resource, namespace, name, rv).await?),
        None => None,
    };
    if let (Some(rv), Some(uid), Some(meta)) =
        (resource_version, &uid, body["metadata"].as_object_mut())
    {
        meta.insert("resourceVersion".into(), Value::String(rv.to_string()));
        meta.insert("uid".into(), Value::String(uid.clone()));
    }
    let params = PatchParams::apply(CLIENT_SIDE_APPLY).force().dry_run();
    let merged = apply_with(cluster, resource, namespace, name, &body, &params).await?;
    let removals = match crate::drift::undeclared::in_last_applied(&merged, applied) {
        crate::drift::undeclared::LastApplied::Removals(removals) => removals,
        crate::drift::undeclared::LastApplied::CopyOfLive => Vec::new(),
    };
    let mut object = merged;
    for path in removals {
        path.copy_between(&Value::Null, &mut object);
    }
    let mut object = with_last_applied(&object, applied);
    if let Some(meta) = object["metadata"].as_object_mut() {
        // Without managedFields the server keeps the live ones and records this update.
        meta.remove("managedFields");
        if let (Some(rv), Some(uid)) = (resource_version, &uid) {
            meta.insert("resourceVersion".into(), Value::String(rv.to_string()));
            meta.insert("uid".into(), Value::String(uid.clone()));
        }
    }
    let url = DynamicObject::url_path(&resource.api_resource(), namespace);
    let request = Request::new(url);
    let params = kube::api::PostParams {
        dry_run,
        field_manager: Some(CLIENT_SIDE_APPLY.to_string()),
    };
    let bytes = serde_json::to_vec(&object).map_err(kube::Error::SerdeError)?;
    retry::with_retries(|| async {
        let req = request
            .replace(name, &params, bytes.clone())
            .map_err(kube::Error::BuildRequest)?;
        cluster
            .deadline
            .bound(cluster.client.request::<Value>(req))
            .await
    })
    .await
}

/// Creates `manifest` only if no such object exists yet: 409 AlreadyExists otherwise, and
/// nothing is merged into the object someone else made meanwhile. Then, unless the manager
/// is client-side apply (whose `kubectl apply` creates with a plain create), applies it once
/// with `field_manager`, guarded by the new object's version, so that the manager owns its
/// fields as an applier (as `apply` would have made it), not as an updater.
pub async fn create(
    cluster: &Cluster,
    resource: &ResourceType,
    namespace: Option<&str>,
    name: &str,
    manifest: &Value,
    field_manager: &str,
) -> Result<Value, kube::Error> {
    let url = DynamicObject::url_path(&resource.api_resource(), namespace);
    let request = Request::new(url);
    let params = kube::api::PostParams {
        dry_run: false,
        field_manager: Some(field_manager.to_string()),
    };
    let body = serde_json::to_vec(manifest).map_err(kube::Error::SerdeError)?;
    let req = request
        .create(&params, body)
        .map_err(kube::Error::BuildRequest)?;
    // Not retried: a create that reached the server and failed on the way back would turn
    // into AlreadyExists, which means someone else's object.
    let created = cluster
        .deadline
        .bound(cluster.client.request::<Value>(req))
        .await?;
    if field_manager == CLIENT_SIDE_APPLY {
        return Ok(created);
    }
    let version = created["metadata"]["resourceVersion"]
        .as_str()
        .map(str::to_string);
    let owned = apply(
        cluster,
        resource,
        namespace,
        name,
        manifest,
        &ApplyOptions {
            field_manager,
            force: true,
            resource_version: version.as_deref(),
        },
    )
    .await;
    // The object is there either way; the re-check after a fix shows where it stands.
    Ok(owned.unwrap_or(created))
}

async fn apply_with(
    cluster: &Cluster,
    resource: &ResourceType,
    namespace: Option<&str>,
    name: &str,
    manifest: &Value,
    params: &PatchParams,
) -> Result<Value, kube::Error> {
    let url = DynamicObject::url_path(&resource.api_resource(), namespace);
    let request = Request::new(url);
    retry::with_retries(|| async {
        let req = request
            .patch(name, params, &Patch::Apply(manifest))
            .map_err(kube::Error::BuildRequest)?;
        cluster
            .deadline
            .bound(cluster.client.request::<Value>(req))
            .await
    })
    .await
}

/// One object, or `None` when it does not exist.
pub async fn get(
    cluster: &Cluster,
    resource: &ResourceType,
    namespace: Option<&str>,
    name: &str,
) -> Result<Option<Value>, kube::Error> {
    let url = DynamicObject::url_path(&resource.api_resource(), namespace);
    let request = Request::new(url);
    let result = retry::with_retries(|| async {
        let req = request
            .get(name, &Default::default())
            .map_err(kube::Error::BuildRequest)?;
        cluster
            .deadline
            .bound(cluster.client.request::<Value>(req))
            .await
    })
    .await;
    match result {
        Ok(object) => Ok(Some(with_type(
            object,
            &resource.api_version(),
            &resource.kind,
        ))),
        Err(kube::Error::Api(status)) if status.code == 404 => Ok(None),
        Err(error) => Err(error),
    }
}

/// Who the server says the credentials are: a SelfSubjectReview
/// (`authentication.k8s.io/v1`), which every authenticated user may create.
pub async fn self_subject_review(
    cluster: &Cluster,
) -> Result<super::kubeconfig::ServerUser, kube::Error> {
    let request = Request::new("/apis/authentication.k8s.io/v1/selfsubjectreviews");
    let body = serde_json::json!({
        "apiVersion": "authentication.k8s.io/v1",
        "kind": "SelfSubjectReview",
    });
    let bytes = serde_json::to_vec(&body).map_err(kube::Error::SerdeError)?;
    let answer: Value = retry::with_retries(|| async {
        let req = request
            .create(&Default::default(), bytes.clone())
            .map_err(kube::Error::BuildRequest)?;
        cluster
            .deadline
            .bound(cluster.client.request::<Value>(req))
            .await
    })
    .await?;
    let info = &answer["status"]["userInfo"];
    Ok(super::kubeconfig::ServerUser {
        username: info["username"].as_str().unwrap_or_default().to_string(),
        groups: info["groups"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|g| g.as_str().map(str::to_string))
            .collect(),
    })
}

/// How long `wait_established` waits.
pub const ESTABLISHED_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// Waits until the CRD `name` has the `Established` condition (its types are served), up to
/// `ESTABLISHED_WAIT`; `false` when it has not by then.
pub async fn wait_established(
    cluster: &Cluster,
    resource: &ResourceType,
    name: &str,
) -> Result<bool, kube::Error> {
    let started = std::time::Instant::now();
    loop {
        let established = get(cluster, resource, None, name)
            .await?
            .is_some_and(|crd| {
                crd["status"]["conditions"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|c| c["type"] == "Established" && c["status"] == "True")
            });
        if established {
            return Ok(true);
        }
        if started.elapsed() >= ESTABLISHED_WAIT {
            return Ok(false);
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// Puts `apiVersion` and `kind` first, where LIST items leave them out.
pub(crate) fn with_type(item: Value, api_version: &str, kind: &str) -> Value {
    let Value::Object(fields) = item else {
        return item;
    };
    let mut typed = serde_json::Map::with_capacity(fields.len() + 2);
    typed.insert("apiVersion".into(), Value::String(api_version.into()));
    typed.insert("kind".into(), Value::String(kind.into()));
    for (key, value) in fields {
        if key != "apiVersion" && key != "kind" {
            typed.insert(key, value);
        }
    }
    Value::Object(typed)
}

/// Deletes one object, only if it is still at `resource_version` (409 Conflict otherwise);
/// a 404 counts as done.
pub async fn delete(
    cluster: &Cluster,
    resource: &ResourceType,
    namespace: Option<&str>,
    name: &str,
    resource_version: Option<&str>,
) -> Result<(), kube::Error> {
    let url = DynamicObject::url_path(&resource.api_resource(), namespace);
    let request = Request::new(url);
    let params = kube::api::DeleteParams {
        preconditions: resource_version.map(|rv| kube::api::Preconditions {
            resource_version: Some(rv.to_string()),
            uid: None,
        }),
        ..Default::default()
    };
    let result = retry::with_retries(|| async {
        let req = request
            .delete(name, &params)
            .map_err(kube::Error::BuildRequest)?;
        cluster
            .deadline
            .bound(cluster.client.request::<Value>(req))
            .await
    })
    .await;
    match result {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(status)) if status.code == 404 => Ok(()),
        Err(error) => Err(error),
    }
}

/// What the server would make of `manifest` if it were created now (a POST with
/// `dryRun=All`, as `kubectl diff` asks for an object that does not exist): defaults,
/// validation, admission and webhooks included; nothing is stored. An object the server
/// would refuse comes back as its error. Retried as reads are: a dry run stores nothing.
pub async fn dry_run_create(
    cluster: &Cluster,
    resource: &ResourceType,
    namespace: Option<&str>,
    manifest: &Value,
    field_manager: &str,
) -> Result<Value, kube::Error> {
    let url = DynamicObject::url_path(&resource.api_resource(), namespace);
    let request = Request::new(url);
    let params = kube::api::PostParams {
        dry_run: true,
        field_manager: Some(field_manager.to_string()),
    };
    let body = serde_json::to_vec(manifest).map_err(kube::Error::SerdeError)?;
    retry::with_retries(|| async {
        let req = request
            .create(&params, body.clone())
            .map_err(kube::Error::BuildRequest)?;
        cluster
            .deadline
            .bound(cluster.client.request::<Value>(req))
            .await
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_last_applied_annotation_is_encoded_as_kubectl_encodes_it() {
        let manifest = json!({"kind": "ConfigMap", "apiVersion": "v1",
            "metadata": {"name": "a", "namespace": "shop", "annotations": {
                LAST_APPLIED: "old"}},
            "data": {"z": "<b>&</b>", "a": "1\u{2028}"}});
        let body = with_last_applied(&manifest, &manifest);
        assert_eq!(
            body["metadata"]["annotations"][LAST_APPLIED],
            "{\"apiVersion\":\"v1\",\"data\":{\"a\":\"1\\u2028\",\"z\":\"\\u003cb\\u003e\\u0026\\u003c/b\\u003e\"},\"kind\":\"ConfigMap\",\"metadata\":{\"annotations\":{},\"name\":\"a\",\"namespace\":\"shop\"}}\n"
        );
        assert_eq!(body["data"], manifest["data"]);
        let plain = json!({"kind": "ConfigMap", "metadata": {"name": "a"}});
        let body = with_last_applied(&plain, &plain);
        assert_eq!(
            body["metadata"]["annotations"][LAST_APPLIED],
            "{\"kind\":\"ConfigMap\",\"metadata\":{\"annotations\":{},\"name\":\"a\"}}\n"
        );
    }
}
