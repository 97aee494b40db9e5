//! The two sides paired by key and compared: normalized, diffed with keyed lists, attributed
//! on each side, what only the server writes left out, and each difference marked declared
//! where Git sets it differently for the two sides.

use super::*;

/// Annotations a controller writes on its own, whatever anyone declared: they count
/// rollouts, not intent.
const CONTROLLER_ANNOTATIONS: &[&str] = &["deployment.kubernetes.io/revision"];

/// Pairs the two sides' objects by key and compares each pair.
pub(super) fn pair(
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

pub(super) fn status_of(fields: &[FieldDifference]) -> Difference {
    if fields.is_empty() {
        Difference::Same
    } else if fields.iter().all(|f| f.declared) {
        Difference::Declared
    } else {
        Difference::Different
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
