//! Field diff: walks two normalized objects side by side and lists every field whose value
//! differs, matching list items by their keys so that an inserted item is not reported as
//! many changes; items both sides hold in another order are one change, of the list. With
//! the kind's schema, lists are what server-side apply merges them as (`schema.rs`): keyed
//! lists by the schema's keys, set lists one value, atomic lists never by keys, as the
//! pre-check sees them.
//! Only where no schema can be had are keys guessed (`path::list_key`: containers by
//! name, ports by port and protocol).

use serde_json::Value;

use super::path::{item_key, list_key, FieldPath, Segment};
use super::schema::{ListType, Shape, Type};

/// One field that differs. `None` means the field is absent on that side.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldChange {
    pub path: FieldPath,
    pub git: Option<Value>,
    pub live: Option<Value>,
}

/// Every field where `git` and `live` differ, in document order, lists keyed by guesswork.
pub fn diff(git: &Value, live: &Value) -> Vec<FieldChange> {
    diff_typed(git, live, None)
}

/// Every field where `git` and `live` differ, in document order, lists as `schema` (the
/// kind's type) says where it says.
pub fn diff_typed(git: &Value, live: &Value, schema: Option<Type<'_>>) -> Vec<FieldChange> {
    let mut changes = Vec::new();
    walk(
        &FieldPath::default(),
        Some(git),
        Some(live),
        schema,
        &mut changes,
    );
    changes
}

/// The type of a struct's field or a map's values, where `ty` is known.
fn child<'a>(ty: Option<Type<'a>>, key: &str) -> Option<Type<'a>> {
    let ty = ty?;
    match ty.shape() {
        Shape::Struct { fields, .. } => Some(Type::field(fields, key, &ty)),
        Shape::Map { values, .. } => Some(values),
        _ => None,
    }
}

/// A list item with its key pairs, e.g. `([("name", "app")], item)`.
type Keyed = (Vec<(String, Value)>, Value);

/// The keys of a list's items by the schema's key fields (a missing one takes the schema's
/// default, as the server does); `None` when an item has no key.
fn schema_keys(items: &[Value], keys: &[String], ty: Type<'_>) -> Option<Vec<Keyed>> {
    let defaults = match ty.shape() {
        Shape::Struct { defaults, .. } => Some(defaults),
        _ => None,
    };
    items
        .iter()
        .map(|item| {
            let object = item.as_object()?;
            let key = keys
                .iter()
                .map(|k| {
                    let value = match object.get(k) {
                        Some(v) if !v.is_null() => v.clone(),
                        _ => defaults.and_then(|d| d.get(k)).cloned()?,
                    };
                    Some((k.clone(), value))
                })
                .collect::<Option<Vec<_>>>()?;
            Some((key, item.clone()))
        })
        .collect()
}

fn walk(
    path: &FieldPath,
    git: Option<&Value>,
    live: Option<&Value>,
    ty: Option<Type<'_>>,
    out: &mut Vec<FieldChange>,
) {
    match (git, live) {
        (Some(Value::Object(g)), Some(Value::Object(l))) => {
            for (key, gv) in g {
                walk(
                    &path.child(Segment::Field(key.clone())),
                    Some(gv),
                    l.get(key),
                    child(ty, key),
                    out,
                );
            }
            for (key, lv) in l.iter().filter(|(k, _)| !g.contains_key(*k)) {
                walk(
                    &path.child(Segment::Field(key.clone())),
                    None,
                    Some(lv),
                    child(ty, key),
                    out,
                );
            }
        }
        (Some(Value::Array(g)), Some(Value::Array(l))) if g != l => {
            let schema_list = ty.and_then(|ty| match ty.shape() {
                Shape::List { items, list } => Some((items, list)),
                _ => None,
            });
            // The schema's keys; the usual ones only where there is no schema.
            let keyed: Option<(Vec<_>, Vec<_>, Option<Type<'_>>)> = match schema_list {
                Some((items, ListType::Map(keys))) => {
                    match (schema_keys(g, keys, items), schema_keys(l, keys, items)) {
                        (Some(gk), Some(lk)) => Some((gk, lk, Some(items))),
                        _ => None,
                    }
                }
                // A set is one value: applying puts its items back in Git's order.
                Some((_, ListType::Set)) => return out.push(change(path, git, live)),
                // An atomic list is replaced whole; of one length, it shows position by
                // position (where ignore rules name positions).
                Some((_, ListType::Atomic)) => None,
                None => list_key(&[g, l]).map(|fields| {
                    let keyed = |items: &Vec<Value>| -> Vec<(Vec<(String, Value)>, Value)> {
                        items
                            .iter()
                            .filter_map(|i| item_key(i, fields).map(|k| (k, i.clone())))
                            .collect()
                    };
                    (keyed(g), keyed(l), None)
                }),
            };
            match keyed {
                Some((gk, lk, items)) => {
                    // Items both sides hold, in another order: applying reorders them (an env
                    // var's order decides what `$(VAR)` expands to).
                    if common(&gk, &lk) != common(&lk, &gk) {
                        out.push(change(path, git, live));
                    }
                    for (key, gv) in &gk {
                        let lv = lk.iter().find(|(k, _)| k == key).map(|(_, v)| v);
                        walk(
                            &path.child(Segment::Key(key.clone())),
                            Some(gv),
                            lv,
                            items,
                            out,
                        );
                    }
                    for (key, lv) in lk.iter().filter(|(k, _)| !gk.iter().any(|(g, _)| g == k)) {
                        walk(
                            &path.child(Segment::Key(key.clone())),
                            None,
                            Some(lv),
                            items,
                            out,
                        );
                    }
                }
                None if g.len() == l.len() => {
                    for (i, (gv, lv)) in g.iter().zip(l).enumerate() {
                        let items = schema_list.map(|(items, _)| items);
                        walk(
                            &path.child(Segment::Index(i)),
                            Some(gv),
                            Some(lv),
                            items,
                            out,
                        );
                    }
                }
                None => out.push(change(path, git, live)),
            }
        }
        (g, l) if g != l => out.push(change(path, g, l)),
        _ => {}
    }
}

/// The keys of `from` that `other` holds too, in `from`'s order.
fn common(
    from: &[(Vec<(String, Value)>, Value)],
    other: &[(Vec<(String, Value)>, Value)],
) -> Vec<Vec<(String, Value)>> {
    from.iter()
        .filter(|(k, _)| other.iter().any(|(o, _)| o == k))
        .map(|(k, _)| k.clone())
        .collect()
}

fn change(path: &FieldPath, git: Option<&Value>, live: Option<&Value>) -> FieldChange {
    FieldChange {
        path: path.clone(),
        git: git.cloned(),
        live: live.cloned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reports_scalar_map_and_keyed_list_changes() {
        let git = json!({"spec": {"replicas": 3, "template": {"spec": {"containers": [
            {"name": "app", "image": "app:1", "env": [{"name": "A", "value": "1"}]},
            {"name": "side", "image": "side:1"}]}}}});
        let live = json!({"spec": {"replicas": 5, "template": {"spec": {"containers": [
            {"name": "side", "image": "side:1"},
            {"name": "app", "image": "app:2", "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]}]}}}});
        let paths: Vec<String> = diff(&git, &live)
            .iter()
            .map(|c| c.path.to_string())
            .collect();
        assert_eq!(
            paths,
            vec![
                "spec.replicas",
                "spec.template.spec.containers",
                "spec.template.spec.containers[name=app].image",
                "spec.template.spec.containers[name=app].env[name=B]",
            ]
        );
    }

    #[test]
    fn keyed_items_in_another_order_are_one_change_of_the_list() {
        let git = json!({"env": [{"name": "A", "value": "1"}, {"name": "B", "value": "$(A)"}]});
        let live = json!({"env": [{"name": "B", "value": "$(A)"}, {"name": "A", "value": "1"}]});
        let changes = diff(&git, &live);
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert_eq!(changes[0].path.to_string(), "env");
        // An item added live, wherever it stands, is no reordering.
        let live = json!({"env": [{"name": "C"}, {"name": "A", "value": "1"}, {"name": "B", "value": "$(A)"}]});
        let paths: Vec<String> = diff(&git, &live)
            .iter()
            .map(|c| c.path.to_string())
            .collect();
        assert_eq!(paths, ["env[name=C]"]);
    }

    #[test]
    fn unkeyed_lists_of_different_length_are_one_change() {
        let changes = diff(&json!({"args": ["a"]}), &json!({"args": ["a", "b"]}));
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].live, Some(json!(["a", "b"])));
    }

    #[test]
    fn with_a_schema_lists_are_what_the_server_merges_them_as() {
        use crate::drift::schema::Schema;
        let schema = Schema::from_openapi(&json!({"components": {"schemas": {"W": {
            "type": "object",
            "x-kubernetes-group-version-kind": [{"group": "g", "version": "v1", "kind": "W"}],
            "properties": {
                "tags": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "set"},
                "args": {"type": "array", "items": {"type": "string"}},
                "ports": {"type": "array", "x-kubernetes-list-type": "map",
                    "x-kubernetes-list-map-keys": ["port", "protocol"],
                    "items": {"type": "object", "properties": {"port": {"type": "integer"},
                        "protocol": {"type": "string", "default": "TCP"}, "name": {"type": "string"}}}}}}}}}));
        let ty = schema.kind("g", "v1", "W");
        let paths = |git: Value, live: Value| -> Vec<String> {
            diff_typed(&git, &live, ty)
                .iter()
                .map(|c| c.path.to_string())
                .collect()
        };
        assert_eq!(
            paths(json!({"tags": ["a", "b"]}), json!({"tags": ["b", "a"]})),
            ["tags"]
        );
        assert_eq!(
            paths(json!({"args": ["a", "b"]}), json!({"args": ["a", "c"]})),
            ["args[1]"]
        );
        // An atomic list of items with names is not keyed by them.
        assert_eq!(
            paths(
                json!({"args": [{"name": "a"}, {"name": "b"}]}),
                json!({"args": [{"name": "b"}, {"name": "a"}]})
            ),
            ["args[0].name", "args[1].name"]
        );
        // Keyed by the schema's keys, not by the name people call an item by.
        assert_eq!(
            paths(
                json!({"ports": [{"name": "http", "port": 80}]}),
                json!({"ports": [{"name": "web", "port": 80, "protocol": "TCP"}]})
            ),
            [
                "ports[port=80,protocol=TCP].name",
                "ports[port=80,protocol=TCP].protocol"
            ]
        );
        // Without a schema, the usual keys.
        assert_eq!(
            diff(&json!({"args": ["a", "b"]}), &json!({"args": ["a", "c"]}))[0]
                .path
                .to_string(),
            "args[1]"
        );
    }

    #[test]
    fn missing_fields_show_as_none() {
        let changes = diff(&json!({"a": 1}), &json!({"b": 2}));
        assert_eq!(changes[0].git, Some(json!(1)));
        assert_eq!(changes[0].live, None);
        assert_eq!(changes[1].git, None);
    }
}
