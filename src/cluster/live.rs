//! Live state and predicted state: one LIST per (type, namespace), and a server-side
//! dry-run apply per manifest. Objects travel as plain JSON so that nothing is lost or
//! reordered between the server and the diff.

use kube::api::{ListParams, Patch, PatchParams};
use kube::core::{DynamicObject, Request, Resource};
use serde_json::Value;

use super::{Cluster, ResourceType};
use crate::retry;

/// Lists every object of one type in one namespace (or the whole cluster for `None`).
/// Items come back with `apiVersion` and `kind` filled in, as a GET would return them.
pub async fn list(
    cluster: &Cluster,
    resource: &ResourceType,
    namespace: Option<&str>,
    selector: Option<&str>,
) -> Result<Vec<Value>, kube::Error> {
    let url = DynamicObject::url_path(&resource.api_resource(), namespace);
    let mut params = ListParams::default();
    if let Some(selector) = selector {
        params = params.labels(selector);
    }
    let request = Request::new(url);
    let list: Value = retry::with_retries(|| async {
        let req = request.list(&params).map_err(kube::Error::BuildRequest)?;
        cluster.client.request::<Value>(req).await
    })
    .await?;
    let api_version = resource.api_version();
    let items = match list {
        Value::Object(mut map) => match map.remove("items") {
            Some(Value::Array(items)) => items,
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    Ok(items
        .into_iter()
        .map(|item| with_type(item, &api_version, &resource.kind))
        .collect())
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
    let url = DynamicObject::url_path(&resource.api_resource(), namespace);
    let request = Request::new(url);
    let params = PatchParams::apply(field_manager).force().dry_run();
    retry::with_retries(|| async {
        let req = request
            .patch(name, &params, &Patch::Apply(manifest))
            .map_err(kube::Error::BuildRequest)?;
        cluster.client.request::<Value>(req).await
    })
    .await
}

/// Puts `apiVersion` and `kind` first, where LIST items leave them out.
fn with_type(item: Value, api_version: &str, kind: &str) -> Value {
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
