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
/// next arrives: memory stays bounded by a page, however many objects there are.
pub struct Pages<'a> {
    cluster: &'a Cluster,
    request: Request,
    params: ListParams,
    api_version: String,
    kind: &'a str,
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
        let page: Value = retry::with_retries(|| async {
            let req = request.list(params).map_err(kube::Error::BuildRequest)?;
            cluster
                .deadline
                .bound(cluster.client.request::<Value>(req))
                .await
        })
        .await?;
        match page["metadata"]["continue"]
            .as_str()
            .filter(|c| !c.is_empty())
        {
            Some(token) => self.params.continue_token = Some(token.to_string()),
            None => self.done = true,
        }
        let items = match page {
            Value::Object(mut map) => match map.remove("items") {
                Some(Value::Array(items)) => items,
                _ => Vec::new(),
            },
            _ => Vec::new(),
        };
        Ok(Some(
            items
                .into_iter()
                .map(|item| with_type(item, &self.api_version, self.kind))
                .collect(),
        ))
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
    if let (Some(rv), Some(meta)) = (options.resource_version, body["metadata"].as_object_mut()) {
        meta.insert("resourceVersion".into(), Value::String(rv.to_string()));
    }
    apply_with(cluster, resource, namespace, name, &body, &params).await
}

/// Creates `manifest` only if no such object exists yet: 409 AlreadyExists otherwise, and
/// nothing is merged into the object someone else made meanwhile. Then, guarded by the new
/// object's version, applies it once with `field_manager` so that the manager owns its fields
/// as an applier (as `apply` would have made it), not as an updater.
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
