//! Hand changes generated from the server's own OpenAPI v3 schema rather than from a fixed
//! list: each live object of the differential corpus is walked with the schema of its kind
//! (`x-kubernetes-list-type`, `x-kubernetes-list-map-keys`, int-or-string, `Quantity`,
//! `default`s, maps), and one change is drawn from what that field allows: a list of any
//! list type reordered, an item added or removed, a map key added, a quantity, an
//! int-or-string or a boolean spelled otherwise, a default set explicitly, a field nulled or
//! removed. The verdicts are compared with kubectl diff's by the differential machinery.
//! `KUBECTL_DRIFT_PROPERTY_CASES` and `KUBECTL_DRIFT_PROPERTY_SEED` set the size and seed
//! (`scripts/property` runs long ones).

use serde_json::{json, Value};

use super::{agree_with_kubectl_diff, env_number, patch, pointer_escape, Change, CONTEXT};
use crate::common::*;

/// The OpenAPI v3 documents of the corpus's group-versions, as the server publishes them.
struct Schemas {
    docs: Vec<Value>,
}

impl Schemas {
    fn fetch() -> Schemas {
        let docs = ["/openapi/v3/api/v1", "/openapi/v3/apis/apps/v1"]
            .iter()
            .map(|path| {
                serde_json::from_str(&kubectl_ok(CONTEXT, &["get", "--raw", path])).unwrap()
            })
            .collect();
        Schemas { docs }
    }

    /// The schema of a kind, with the document it lives in (for its `$ref`s).
    fn of_kind(&self, api_version: &str, kind: &str) -> Option<(&Value, &Value)> {
        let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
        self.docs.iter().find_map(|doc| {
            doc["components"]["schemas"]
                .as_object()?
                .values()
                .find(|s| {
                    s["x-kubernetes-group-version-kind"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|g| {
                            g["group"] == group && g["version"] == version && g["kind"] == kind
                        })
                })
                .map(|s| (doc, s))
        })
    }
}

/// A schema with its `$ref` (bare or in a one-item `allOf`, as v3 writes a described
/// reference) followed, and the name it was reached by.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> (&'a Value, &'a str) {
    let reference = schema["$ref"]
        .as_str()
        .or_else(|| schema["allOf"][0]["$ref"].as_str());
    match reference.and_then(|r| r.strip_prefix("#/components/schemas/")) {
        Some(name) => (&doc["components"]["schemas"][name], name),
        None => (schema, ""),
    }
}

/// A schema's `default`, unless it is only Go's zero value (`""`, `0`, `false`), which
/// v3 writes for required fields.
fn default_of(schema: &Value) -> Option<&Value> {
    schema
        .get("default")
        .filter(|d| !matches!(d, Value::String(s) if s.is_empty()))
        .filter(|d| d.as_f64() != Some(0.0) && **d != Value::Bool(false))
}

/// One field met on the walk: where it is, its live value (None: absent, with a default),
/// what the schema says of it, and whether it is a property of a struct (so removable).
struct Site<'a> {
    pointer: String,
    value: Option<&'a Value>,
    schema: &'a Value,
    name: &'a str,
    default: Option<&'a Value>,
    property: bool,
}

fn walk<'a>(
    doc: &'a Value,
    outer: &'a Value,
    value: &'a Value,
    pointer: String,
    property: bool,
    sites: &mut Vec<Site<'a>>,
) {
    let (schema, name) = resolve(doc, outer);
    if let Some(map) = value.as_object() {
        if let Some(properties) = schema["properties"].as_object() {
            for (key, child) in properties {
                let at = format!("{pointer}/{}", pointer_escape(key));
                match map.get(key) {
                    Some(v) => walk(doc, child, v, at, true, sites),
                    None if default_of(child).is_some() => sites.push(Site {
                        pointer: at,
                        value: None,
                        schema: resolve(doc, child).0,
                        name: resolve(doc, child).1,
                        default: default_of(child),
                        property: true,
                    }),
                    None => {}
                }
            }
        } else if let Some(items) = schema.get("additionalProperties") {
            for (key, v) in map {
                // kubectl's own annotation stands for Git in client-side apply.
                if !key.starts_with("kubectl.kubernetes.io/") {
                    walk(
                        doc,
                        items,
                        v,
                        format!("{pointer}/{}", pointer_escape(key)),
                        false,
                        sites,
                    );
                }
            }
        }
    } else if let Some(list) = value.as_array() {
        for (i, v) in list.iter().enumerate() {
            walk(
                doc,
                &schema["items"],
                v,
                format!("{pointer}/{i}"),
                false,
                sites,
            );
        }
    }
    sites.push(Site {
        pointer,
        value: Some(value),
        schema,
        name,
        default: default_of(outer),
        property,
    });
}

/// The same amount of a quantity spelled another way: `1Gi` as `1073741824` and back,
/// `0.5` as `500m` and back; None where no other spelling is simple.
fn respelled(q: &str) -> Option<String> {
    const BINARY: [(&str, u64); 3] = [("Ki", 1 << 10), ("Mi", 1 << 20), ("Gi", 1 << 30)];
    for (suffix, factor) in BINARY {
        if let Some(n) = q.strip_suffix(suffix) {
            return Some((n.parse::<u64>().ok()? * factor).to_string());
        }
    }
    if let Some(milli) = q.strip_suffix('m') {
        let m: u64 = milli.parse().ok()?;
        return Some(if m.is_multiple_of(1000) {
            (m / 1000).to_string()
        } else {
            format!("{}", m as f64 / 1000.0)
        });
    }
    if let Ok(n) = q.parse::<u64>() {
        return Some(
            match BINARY
                .iter()
                .rev()
                .find(|(_, f)| n >= *f && n.is_multiple_of(*f))
            {
                Some((suffix, f)) => format!("{}{suffix}", n / f),
                None => format!("{}m", n * 1000),
            },
        );
    }
    let x: f64 = q.parse().ok()?;
    ((x * 1000.0).fract() == 0.0).then(|| format!("{}m", (x * 1000.0) as u64))
}

fn json_patch(ops: Value, what: String) -> Change {
    // Whether Git declared the field is not tracked here: `--strict` may add any object.
    patch("json", ops, what, true)
}

/// A new item for a list of this schema, unlike the others under its map keys.
fn new_item(doc: &Value, schema: &Value, list: &[Value], n: usize) -> Option<Value> {
    let (items, _) = resolve(doc, &schema["items"]);
    match items["type"].as_str() {
        Some("string") => Some(json!(format!("hand-{n}"))),
        Some("integer") => Some(json!(30000 + n % 2000)),
        _ => {
            let mut item = list.first()?.clone();
            for key in schema["x-kubernetes-list-map-keys"]
                .as_array()
                .into_iter()
                .flatten()
            {
                let key = key.as_str()?;
                match item.get(key) {
                    Some(Value::Number(_)) => item[key] = json!(30000 + n % 2000),
                    Some(Value::String(_)) => item[key] = json!(format!("hand-{n}")),
                    _ => {}
                }
            }
            Some(item)
        }
    }
}

/// The changes the schema allows at one field.
fn changes_at(doc: &Value, site: &Site, n: usize) -> Vec<(&'static str, Change)> {
    let at = &site.pointer;
    let mut out = Vec::new();
    let Some(value) = site.value else {
        let default = site.default.unwrap();
        out.push((
            "default set",
            json_patch(
                json!([{"op": "add", "path": at, "value": default}]),
                format!("default {default} of {at} set explicitly"),
            ),
        ));
        return out;
    };
    let schema = site.schema;
    if let Some(list) = value.as_array() {
        let kind = schema["x-kubernetes-list-type"]
            .as_str()
            .unwrap_or("atomic");
        if list.len() >= 2 {
            let mut reordered = list.clone();
            reordered.rotate_left(1 + n % (list.len() - 1));
            out.push((
                match kind {
                    "map" => "map list reordered",
                    "set" => "set list reordered",
                    _ => "atomic list reordered",
                },
                json_patch(
                    json!([{"op": "replace", "path": at, "value": reordered}]),
                    format!("{kind} list {at} reordered"),
                ),
            ));
        }
        if !list.is_empty() {
            let i = n % list.len();
            out.push((
                "item removed",
                json_patch(
                    json!([{"op": "remove", "path": format!("{at}/{i}")}]),
                    format!("item removed from {kind} list {at}"),
                ),
            ));
        }
        if let Some(item) = new_item(doc, schema, list, n) {
            out.push((
                "item added",
                json_patch(
                    json!([{"op": "add", "path": format!("{at}/-"), "value": item}]),
                    format!("item added to {kind} list {at}"),
                ),
            ));
        }
    } else if value.is_object() && schema.get("additionalProperties").is_some() {
        let (values, name) = resolve(doc, &schema["additionalProperties"]);
        let v = if name.ends_with(".Quantity") {
            json!("1")
        } else if values["type"] == "string" {
            json!(format!("v{n}"))
        } else {
            Value::Null
        };
        if !v.is_null() {
            out.push((
                "map key added",
                json_patch(
                    json!([{"op": "add", "path": format!("{at}/hand-{n}"), "value": v}]),
                    format!("key added to map {at}"),
                ),
            ));
        }
    } else if site.name.ends_with(".Quantity") {
        if let Some(other) = value.as_str().and_then(respelled) {
            out.push((
                "quantity respelled",
                json_patch(
                    json!([{"op": "replace", "path": at, "value": other}]),
                    format!("quantity {value} of {at} spelled {other}"),
                ),
            ));
        }
    } else if schema["format"] == "int-or-string"
        || schema["x-kubernetes-int-or-string"] == true
        || site.name.ends_with(".IntOrString")
    {
        let other = match value {
            Value::Number(x) => Some(json!(x.to_string())),
            Value::String(s) => s.parse::<i64>().ok().map(|x| json!(x)),
            _ => None,
        };
        if let Some(other) = other {
            out.push((
                "int-or-string respelled",
                json_patch(
                    json!([{"op": "replace", "path": at, "value": other}]),
                    format!("int-or-string {value} of {at} spelled {other}"),
                ),
            ));
        }
    } else if let Some(b) = value.as_bool() {
        out.push((
            "boolean flipped",
            json_patch(
                json!([{"op": "replace", "path": at, "value": !b}]),
                format!("boolean {at} flipped"),
            ),
        ));
    } else if value.is_string() || value.is_number() {
        out.push((
            "own value",
            json_patch(
                json!([{"op": "replace", "path": at, "value": value}]),
                format!("{at} set to its own value {value}"),
            ),
        ));
        if let Some(default) = site.default.filter(|d| *d != value) {
            out.push((
                "default value",
                json_patch(
                    json!([{"op": "replace", "path": at, "value": default}]),
                    format!("{at} set to its default {default}"),
                ),
            ));
        }
    }
    if site.property {
        out.push((
            "field removed",
            json_patch(
                json!([{"op": "remove", "path": at}]),
                format!("{at} removed"),
            ),
        ));
        out.push((
            "field nulled",
            json_patch(
                json!([{"op": "replace", "path": at, "value": null}]),
                format!("{at} nulled"),
            ),
        ));
    }
    out
}

/// A change to `live` drawn from its kind's schema: a field of the object, then one of the
/// changes its schema allows there, the class of change drawn first so that the rarer
/// fields (lists, quantities) are met as often as the many plain scalars.
fn schema_change(schemas: &Schemas, live: &Value, rng: &mut Rng) -> (&'static str, Change) {
    let (doc, schema) = schemas
        .of_kind(
            live["apiVersion"].as_str().unwrap(),
            live["kind"].as_str().unwrap(),
        )
        .unwrap_or_else(|| panic!("no schema for {}", live["kind"]));
    let mut sites = Vec::new();
    let (root, _) = resolve(doc, schema);
    for (key, child) in root["properties"].as_object().unwrap() {
        let Some(value) = live.get(key) else { continue };
        match key.as_str() {
            "spec" | "data" => walk(doc, child, value, format!("/{key}"), true, &mut sites),
            "metadata" => {
                let (meta, _) = resolve(doc, child);
                for field in ["labels", "annotations"] {
                    if let Some(v) = value.get(field) {
                        let at = format!("/metadata/{field}");
                        walk(doc, &meta["properties"][field], v, at, true, &mut sites);
                    }
                }
            }
            _ => {}
        }
    }
    // The roots themselves are not removed: that is not a hand change to a field.
    sites.retain(|s| !matches!(s.pointer.as_str(), "/spec" | "/metadata/labels"));
    let n = rng.below(100_000);
    let mut by_class: Vec<(&'static str, Vec<Change>)> = Vec::new();
    for site in &sites {
        for (class, change) in changes_at(doc, site, n) {
            match by_class.iter_mut().find(|(c, _)| *c == class) {
                Some((_, changes)) => changes.push(change),
                None => by_class.push((class, vec![change])),
            }
        }
    }
    if by_class.is_empty() {
        // An object with no field to change (a bare ServiceAccount): a label added.
        let change = patch(
            "merge",
            json!({"metadata": {"labels": {format!("hand-{n}"): "x"}}}),
            "label added".into(),
            true,
        );
        return ("label added", change);
    }
    let (class, mut changes) = by_class.swap_remove(rng.below(by_class.len()));
    (class, changes.swap_remove(rng.below(changes.len())))
}

#[test]
fn schema_generated_mutations_agree_with_the_server() {
    let cases = env_number("KUBECTL_DRIFT_PROPERTY_CASES", 150) as usize;
    let seed = env_number("KUBECTL_DRIFT_PROPERTY_SEED", 0x5c4e_3a00);
    let schemas = Schemas::fetch();
    let mut classes: std::collections::BTreeMap<&str, usize> = Default::default();
    agree_with_kubectl_diff("property", cases, seed, &mut |live, rng| {
        let (class, change) = schema_change(&schemas, live, rng);
        *classes.entry(class).or_default() += 1;
        change
    });
    eprintln!("property: changes drawn, by class (refused ones too): {classes:?}");
}
