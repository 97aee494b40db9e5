//! Field diff: walks two normalized objects side by side and lists every field whose value
//! differs, matching list items by their keys (containers by name, ports by port and
//! protocol) so that an inserted item is not reported as many changes; items both sides
//! hold in another order are one change, of the list.

use serde_json::Value;

use super::path::{item_key, list_key, FieldPath, Segment};

/// One field that differs. `None` means the field is absent on that side.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldChange {
    pub path: FieldPath,
    pub git: Option<Value>,
    pub live: Option<Value>,
}

/// Every field where `git` and `live` differ, in document order.
pub fn diff(git: &Value, live: &Value) -> Vec<FieldChange> {
    let mut changes = Vec::new();
    walk(&FieldPath::default(), Some(git), Some(live), &mut changes);
    changes
}

fn walk(path: &FieldPath, git: Option<&Value>, live: Option<&Value>, out: &mut Vec<FieldChange>) {
    match (git, live) {
        (Some(Value::Object(g)), Some(Value::Object(l))) => {
            for (key, gv) in g {
                walk(
                    &path.child(Segment::Field(key.clone())),
                    Some(gv),
                    l.get(key),
                    out,
                );
            }
            for (key, lv) in l.iter().filter(|(k, _)| !g.contains_key(*k)) {
                walk(
                    &path.child(Segment::Field(key.clone())),
                    None,
                    Some(lv),
                    out,
                );
            }
        }
        (Some(Value::Array(g)), Some(Value::Array(l))) if g != l => match list_key(&[g, l]) {
            Some(fields) => {
                let keyed = |items: &Vec<Value>| -> Vec<(Vec<(String, Value)>, Value)> {
                    items
                        .iter()
                        .filter_map(|i| item_key(i, fields).map(|k| (k, i.clone())))
                        .collect()
                };
                let (gk, lk) = (keyed(g), keyed(l));
                // Items both sides hold, in another order: applying reorders them (an env
                // var's order decides what `$(VAR)` expands to).
                if common(&gk, &lk) != common(&lk, &gk) {
                    out.push(change(path, git, live));
                }
                for (key, gv) in &gk {
                    let lv = lk.iter().find(|(k, _)| k == key).map(|(_, v)| v);
                    walk(&path.child(Segment::Key(key.clone())), Some(gv), lv, out);
                }
                for (key, lv) in lk.iter().filter(|(k, _)| !gk.iter().any(|(g, _)| g == k)) {
                    walk(&path.child(Segment::Key(key.clone())), None, Some(lv), out);
                }
            }
            None if g.len() == l.len() => {
                for (i, (gv, lv)) in g.iter().zip(l).enumerate() {
                    walk(&path.child(Segment::Index(i)), Some(gv), Some(lv), out);
                }
            }
            None => out.push(change(path, git, live)),
        },
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
    fn missing_fields_show_as_none() {
        let changes = diff(&json!({"a": 1}), &json!({"b": 2}));
        assert_eq!(changes[0].git, Some(json!(1)));
        assert_eq!(changes[0].live, None);
        assert_eq!(changes[1].git, None);
    }
}
