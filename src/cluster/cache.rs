//! Live state kept current by watches, for `watch`: the first round lists each (type,
//! namespace) as `check` does and starts a reflector for it; later rounds read the
//! reflector's store instead of listing again. A store that is not ready yet, or whose
//! watch is failing (it may be stale), is simply listed again.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use futures::{FutureExt, StreamExt};
use kube::api::{Api, DynamicObject};
use kube::runtime::{reflector, watcher, WatchStreamExt};
use serde_json::Value;

use super::{Cluster, ResourceType};

/// (context, group, version, kind, namespace, label selector; `None` for all namespaces or
/// cluster-scoped, and for no selector). The version is part of the key: objects are read
/// in the version a manifest names.
type Key = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
);

struct Watched {
    reader: reflector::Store<DynamicObject>,
    task: tokio::task::JoinHandle<()>,
    /// False while the watch's last event was an error: its store may be stale.
    healthy: Arc<AtomicBool>,
}

/// The reflectors of one `watch` process, shared by its rounds.
#[derive(Default)]
pub struct LiveCache {
    stores: Mutex<HashMap<Key, Watched>>,
    /// The watches read or started since the last round ended.
    touched: Mutex<std::collections::HashSet<Key>>,
}

impl std::fmt::Debug for LiveCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.stores.lock().map(|s| s.len()).unwrap_or(0);
        f.debug_struct("LiveCache").field("watches", &n).finish()
    }
}

fn key(
    cluster: &Cluster,
    rt: &ResourceType,
    namespace: Option<&str>,
    selector: Option<&str>,
) -> Key {
    (
        cluster.context.clone(),
        rt.group.clone(),
        rt.version.clone(),
        rt.kind.clone(),
        namespace.map(str::to_string),
        selector.map(str::to_string),
    )
}

impl LiveCache {
    /// The objects a LIST would return, from the watch, once its first list has arrived.
    pub fn get(
        &self,
        cluster: &Cluster,
        rt: &ResourceType,
        namespace: Option<&str>,
        selector: Option<&str>,
    ) -> Option<Vec<Value>> {
        let key = key(cluster, rt, namespace, selector);
        if let Ok(mut touched) = self.touched.lock() {
            touched.insert(key.clone());
        }
        let stores = self.stores.lock().ok()?;
        let watched = stores.get(&key)?;
        if watched.task.is_finished() || !watched.healthy.load(Ordering::Relaxed) {
            return None;
        }
        watched.reader.wait_until_ready().now_or_never()?.ok()?;
        let api_version = rt.api_version();
        Some(
            watched
                .reader
                .state()
                .iter()
                .filter_map(|object| serde_json::to_value(object.as_ref()).ok())
                .map(|object| super::live::with_type(object, &api_version, &rt.kind))
                .collect(),
        )
    }

    /// Starts a watch for the next rounds, unless one is running.
    pub fn start(
        &self,
        cluster: &Cluster,
        rt: &ResourceType,
        namespace: Option<&str>,
        selector: Option<&str>,
    ) {
        let key = key(cluster, rt, namespace, selector);
        if let Ok(mut touched) = self.touched.lock() {
            touched.insert(key.clone());
        }
        let Ok(mut stores) = self.stores.lock() else {
            return;
        };
        if stores.get(&key).is_some_and(|w| !w.task.is_finished()) {
            return;
        }
        let resource = rt.api_resource();
        let api: Api<DynamicObject> = match namespace {
            Some(ns) => Api::namespaced_with(cluster.client.clone(), ns, &resource),
            None => Api::all_with(cluster.client.clone(), &resource),
        };
        let writer = reflector::store::Writer::new(resource);
        let reader = writer.as_reader();
        // The watcher re-lists and re-watches on its own, with backoff, when the server
        // goes away; the rounds' discovery reports the outage meanwhile.
        let config = match selector {
            Some(selector) => watcher::Config::default().labels(selector),
            None => watcher::Config::default(),
        };
        let stream = watcher(api, config).default_backoff().reflect(writer);
        let healthy = Arc::new(AtomicBool::new(true));
        let health = healthy.clone();
        let task = tokio::spawn(async move {
            futures::pin_mut!(stream);
            while let Some(event) = stream.next().await {
                health.store(event.is_ok(), Ordering::Relaxed);
            }
        });
        stores.insert(
            key,
            Watched {
                reader,
                task,
                healthy,
            },
        );
    }
}

impl LiveCache {
    /// Ends a round: the watches no round read since the last one (a kind Git no longer
    /// declares, a namespace no longer selected) are stopped and dropped.
    pub fn end_round(&self) {
        let touched = match self.touched.lock() {
            Ok(mut touched) => std::mem::take(&mut *touched),
            Err(_) => return,
        };
        if let Ok(mut stores) = self.stores.lock() {
            stores.retain(|key, watched| {
                let keep = touched.contains(key);
                if !keep {
                    watched.task.abort();
                }
                keep
            });
        }
    }

    /// How many watches run.
    pub fn watches(&self) -> usize {
        self.stores.lock().map(|s| s.len()).unwrap_or(0)
    }
}

impl Drop for LiveCache {
    fn drop(&mut self) {
        if let Ok(stores) = self.stores.lock() {
            for watched in stores.values() {
                watched.task.abort();
            }
        }
    }
}
