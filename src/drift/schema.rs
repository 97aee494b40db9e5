//! Field semantics from the server's own OpenAPI v3 schema, reduced to what server-side
//! apply (structured-merge-diff) merges by: which structs, maps and lists are atomic
//! (replaced whole) or granular (merged field by field, item by item), the keys of keyed
//! lists, set lists, open (`x-kubernetes-preserve-unknown-fields`) subtrees, and which
//! scalars are resource quantities or int-or-string values. Pure: built from a document
//! the cluster module fetched, and kept (serialized) in its cache.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The type every quantity field refers to.
const QUANTITY: &str = "io.k8s.apimachinery.pkg.api.resource.Quantity";
const REF_PREFIX: &str = "#/components/schemas/";
/// How deep a chain of references may go before the type counts as unknown.
const MAX_REF_DEPTH: usize = 32;

/// One group-version's schema: its named types and the kinds it serves.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Schema {
    types: BTreeMap<String, Def>,
    /// `group/version/Kind` → the name of the kind's type.
    kinds: BTreeMap<String, String>,
}

/// How server-side apply treats a value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum Def {
    Scalar {
        #[serde(default, skip_serializing_if = "is_plain")]
        scalar: Scalar,
    },
    /// Named fields. `open` structs keep unknown fields (their values are untyped).
    Struct {
        fields: BTreeMap<String, Def>,
        #[serde(default, skip_serializing_if = "is_false")]
        atomic: bool,
        #[serde(default, skip_serializing_if = "is_false")]
        open: bool,
        /// Non-empty scalar defaults the schema states, for fields that key list items.
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        defaults: BTreeMap<String, Value>,
    },
    /// String keys to values of one type (`additionalProperties`).
    Map {
        values: Box<Def>,
        #[serde(default, skip_serializing_if = "is_false")]
        atomic: bool,
    },
    List {
        items: Box<Def>,
        list: ListType,
    },
    /// Another named type; `atomic` when the referring field makes it so.
    Ref {
        name: String,
        #[serde(default, skip_serializing_if = "is_false")]
        atomic: bool,
    },
    /// No type information: structured-merge-diff deduces one from the value (maps
    /// granular, lists atomic).
    Untyped,
}

/// What kind of scalar a field holds, for comparing by meaning.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scalar {
    #[default]
    Plain,
    /// A resource quantity: `500m` and `0.5` are the same.
    Quantity,
    /// An int or a string (ports, surges).
    IntOrString,
}

/// `x-kubernetes-list-type`; a list without one is atomic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListType {
    Atomic,
    Set,
    /// Items merged by these key fields (`x-kubernetes-list-map-keys`).
    Map(Vec<String>),
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_plain(s: &Scalar) -> bool {
    *s == Scalar::Plain
}

/// A type within its schema: what the pre-check walks with.
#[derive(Debug, Clone, Copy)]
pub struct Type<'a> {
    schema: &'a Schema,
    def: &'a Def,
}

/// A resolved type: references followed, atomic-ness of the referring field applied.
#[derive(Debug, Clone, Copy)]
pub enum Shape<'a> {
    Scalar(Scalar),
    Struct {
        fields: &'a BTreeMap<String, Def>,
        atomic: bool,
        open: bool,
        defaults: &'a BTreeMap<String, Value>,
    },
    Map {
        values: Type<'a>,
        atomic: bool,
    },
    List {
        items: Type<'a>,
        list: &'a ListType,
    },
    Untyped,
}

static UNTYPED: Def = Def::Untyped;

impl Schema {
    /// Compiles an OpenAPI v3 document (`/openapi/v3/apis/GROUP/VERSION`).
    pub fn from_openapi(document: &Value) -> Schema {
        let mut schema = Schema::default();
        let Some(schemas) = document["components"]["schemas"].as_object() else {
            return schema;
        };
        for (name, definition) in schemas {
            let def = if name == QUANTITY {
                Def::Scalar {
                    scalar: Scalar::Quantity,
                }
            } else {
                compile(definition)
            };
            schema.types.insert(name.clone(), def);
            for gvk in definition["x-kubernetes-group-version-kind"]
                .as_array()
                .into_iter()
                .flatten()
            {
                let (Some(group), Some(version), Some(kind)) = (
                    gvk["group"].as_str(),
                    gvk["version"].as_str(),
                    gvk["kind"].as_str(),
                ) else {
                    continue;
                };
                schema
                    .kinds
                    .insert(format!("{group}/{version}/{kind}"), name.clone());
            }
        }
        schema
    }

    /// The type of a kind this schema serves.
    pub fn kind(&self, group: &str, version: &str, kind: &str) -> Option<Type<'_>> {
        let name = self.kinds.get(&format!("{group}/{version}/{kind}"))?;
        Some(Type {
            schema: self,
            def: self.types.get(name)?,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }
}

impl<'a> Type<'a> {
    /// The untyped type, in the same schema.
    pub fn untyped(&self) -> Type<'a> {
        Type {
            schema: self.schema,
            def: &UNTYPED,
        }
    }

    fn with(&self, def: &'a Def) -> Type<'a> {
        Type {
            schema: self.schema,
            def,
        }
    }

    /// Follows references; an unknown or endless reference is untyped.
    pub fn shape(&self) -> Shape<'a> {
        let mut def = self.def;
        let mut atomic_ref = false;
        for _ in 0..MAX_REF_DEPTH {
            match def {
                Def::Ref { name, atomic } => {
                    atomic_ref |= *atomic;
                    match self.schema.types.get(name) {
                        Some(next) => def = next,
                        None => return Shape::Untyped,
                    }
                }
                Def::Scalar { scalar } => return Shape::Scalar(*scalar),
                Def::Struct {
                    fields,
                    atomic,
                    open,
                    defaults,
                } => {
                    return Shape::Struct {
                        fields,
                        atomic: *atomic || atomic_ref,
                        open: *open,
                        defaults,
                    }
                }
                Def::Map { values, atomic } => {
                    return Shape::Map {
                        values: self.with(values),
                        atomic: *atomic || atomic_ref,
                    }
                }
                Def::List { items, list } => {
                    return Shape::List {
                        items: self.with(items),
                        list,
                    }
                }
                Def::Untyped => return Shape::Untyped,
            }
        }
        Shape::Untyped
    }

    /// The type of a struct's field (untyped when the schema does not name it).
    pub fn field(fields: &'a BTreeMap<String, Def>, name: &str, within: &Type<'a>) -> Type<'a> {
        match fields.get(name) {
            Some(def) => within.with(def),
            None => within.untyped(),
        }
    }
}

/// One property or definition of the OpenAPI document as a `Def`.
fn compile(node: &Value) -> Def {
    let Some(map) = node.as_object() else {
        return Def::Untyped;
    };
    let map_atomic = map.get("x-kubernetes-map-type").and_then(Value::as_str) == Some("atomic");
    if let Some(name) = reference(node) {
        if name == QUANTITY {
            return Def::Scalar {
                scalar: Scalar::Quantity,
            };
        }
        return Def::Ref {
            name,
            atomic: map_atomic,
        };
    }
    if map.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true))
        || map.get("format").and_then(Value::as_str) == Some("int-or-string")
    {
        return Def::Scalar {
            scalar: Scalar::IntOrString,
        };
    }
    let open = map.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true));
    match map.get("type").and_then(Value::as_str) {
        Some("array") => {
            let list = match map.get("x-kubernetes-list-type").and_then(Value::as_str) {
                Some("set") => ListType::Set,
                Some("map") => {
                    let keys: Vec<String> = map
                        .get("x-kubernetes-list-map-keys")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(|k| k.as_str().map(str::to_string))
                        .collect();
                    if keys.is_empty() {
                        // A keyed list without keys cannot be merged by key: treat as whole.
                        ListType::Atomic
                    } else {
                        ListType::Map(keys)
                    }
                }
                _ => ListType::Atomic,
            };
            Def::List {
                items: Box::new(map.get("items").map(compile).unwrap_or(Def::Untyped)),
                list,
            }
        }
        Some("object") | None => {
            if let Some(Value::Object(properties)) = map.get("properties") {
                let fields = properties
                    .iter()
                    .map(|(k, v)| (k.clone(), compile(v)))
                    .collect();
                // Zero values stand for "no default" in the built-in types' documents.
                let defaults = properties
                    .iter()
                    .filter(|(_, v)| match &v["default"] {
                        Value::String(s) => !s.is_empty(),
                        Value::Number(n) => n.as_f64() != Some(0.0),
                        _ => false,
                    })
                    .map(|(k, v)| (k.clone(), v["default"].clone()))
                    .collect();
                return Def::Struct {
                    fields,
                    atomic: map_atomic,
                    open,
                    defaults,
                };
            }
            match map.get("additionalProperties") {
                Some(values @ Value::Object(_)) => Def::Map {
                    values: Box::new(compile(values)),
                    atomic: map_atomic,
                },
                _ if map.get("type").is_none()
                    && (map.contains_key("oneOf") || map.contains_key("anyOf")) =>
                {
                    // `oneOf` of scalars (like Quantity's string-or-number).
                    let scalars = map
                        .get("oneOf")
                        .or_else(|| map.get("anyOf"))
                        .and_then(Value::as_array)
                        .is_some_and(|alts| {
                            alts.iter().all(|a| {
                                matches!(
                                    a["type"].as_str(),
                                    Some("string" | "number" | "integer" | "boolean")
                                )
                            })
                        });
                    if scalars {
                        Def::Scalar {
                            scalar: Scalar::Plain,
                        }
                    } else {
                        Def::Untyped
                    }
                }
                _ => Def::Untyped,
            }
        }
        Some(_) => Def::Scalar {
            scalar: Scalar::Plain,
        },
    }
}

/// The type a node refers to: `$ref`, or a single-entry `allOf` of one `$ref`.
fn reference(node: &Value) -> Option<String> {
    if let Some(r) = node["$ref"].as_str() {
        return r.strip_prefix(REF_PREFIX).map(str::to_string);
    }
    match node["allOf"].as_array().map(Vec::as_slice) {
        Some([only]) => only["$ref"]
            .as_str()
            .and_then(|r| r.strip_prefix(REF_PREFIX))
            .map(str::to_string),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn document() -> Value {
        json!({"components": {"schemas": {
            "io.k8s.api.core.v1.Pod": {
                "type": "object",
                "x-kubernetes-group-version-kind": [{"group": "", "version": "v1", "kind": "Pod"}],
                "properties": {
                    "spec": {"default": {}, "allOf": [{"$ref": "#/components/schemas/io.k8s.api.core.v1.PodSpec"}]}
                }
            },
            "io.k8s.api.core.v1.PodSpec": {
                "type": "object",
                "properties": {
                    "tolerations": {"type": "array", "items": {"allOf": [{"$ref": "#/components/schemas/io.k8s.api.core.v1.Toleration"}]}, "x-kubernetes-list-type": "atomic"},
                    "containers": {"type": "array", "items": {"$ref": "#/components/schemas/io.k8s.api.core.v1.Container"},
                        "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"]},
                    "nodeSelector": {"type": "object", "additionalProperties": {"type": "string"}, "x-kubernetes-map-type": "atomic"},
                    "overhead": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity"}},
                    "args": {"type": "array", "items": {"type": "string"}}
                }
            },
            "io.k8s.api.core.v1.Toleration": {"type": "object", "properties": {"key": {"type": "string"}}},
            "io.k8s.api.core.v1.Container": {"type": "object", "properties": {
                "ports": {"type": "array", "items": {"$ref": "#/components/schemas/io.k8s.api.core.v1.ContainerPort"},
                    "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["containerPort", "protocol"]}}},
            "io.k8s.api.core.v1.ContainerPort": {"type": "object", "properties": {
                "containerPort": {"type": "integer"},
                "protocol": {"type": "string", "default": "TCP"},
                "name": {"type": "string", "default": ""},
                "port": {"allOf": [{"$ref": "#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString"}]}}},
            "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {"format": "int-or-string", "oneOf": [{"type": "integer"}, {"type": "string"}]},
            "io.k8s.apimachinery.pkg.api.resource.Quantity": {"oneOf": [{"type": "string"}, {"type": "number"}]}
        }}})
    }

    fn field<'a>(ty: Type<'a>, name: &str) -> Type<'a> {
        match ty.shape() {
            Shape::Struct { fields, .. } => Type::field(fields, name, &ty),
            other => panic!("not a struct: {other:?}"),
        }
    }

    #[test]
    fn reads_list_map_and_scalar_semantics() {
        let schema = Schema::from_openapi(&document());
        let pod = schema.kind("", "v1", "Pod").expect("Pod is served");
        let spec = field(pod, "spec");
        assert!(matches!(
            field(spec, "tolerations").shape(),
            Shape::List {
                list: ListType::Atomic,
                ..
            }
        ));
        assert!(matches!(
            field(spec, "args").shape(),
            Shape::List {
                list: ListType::Atomic,
                ..
            }
        ));
        assert!(matches!(
            field(spec, "nodeSelector").shape(),
            Shape::Map { atomic: true, .. }
        ));
        let Shape::Map {
            values,
            atomic: false,
        } = field(spec, "overhead").shape()
        else {
            panic!("overhead is a granular map");
        };
        assert!(matches!(values.shape(), Shape::Scalar(Scalar::Quantity)));
        let Shape::List {
            items,
            list: ListType::Map(keys),
        } = field(spec, "containers").shape()
        else {
            panic!("containers are keyed");
        };
        assert_eq!(keys, &["name"]);
        let Shape::List {
            items: port,
            list: ListType::Map(keys),
        } = field(items, "ports").shape()
        else {
            panic!("ports are keyed");
        };
        assert_eq!(keys, &["containerPort", "protocol"]);
        let Shape::Struct { defaults, .. } = port.shape() else {
            panic!("a port is a struct");
        };
        assert_eq!(defaults.get("protocol"), Some(&json!("TCP")));
        assert!(!defaults.contains_key("name"));
        assert!(matches!(
            field(port, "port").shape(),
            Shape::Scalar(Scalar::IntOrString)
        ));
        assert!(matches!(field(port, "unknown").shape(), Shape::Untyped));
        assert!(schema.kind("", "v1", "Service").is_none());
    }

    #[test]
    fn crd_extensions_and_round_trip() {
        let doc = json!({"components": {"schemas": {"com.example.v1.Widget": {
            "type": "object",
            "x-kubernetes-group-version-kind": [{"group": "example.com", "version": "v1", "kind": "Widget"}],
            "properties": {"spec": {"type": "object", "properties": {
                "target": {"type": "object", "x-kubernetes-map-type": "atomic", "properties": {"name": {"type": "string"}}},
                "tags": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "set"},
                "size": {"x-kubernetes-int-or-string": true, "anyOf": [{"type": "integer"}, {"type": "string"}]},
                "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}
            }}}
        }}}});
        let schema = Schema::from_openapi(&doc);
        let text = serde_json::to_string(&schema).unwrap();
        let back: Schema = serde_json::from_str(&text).unwrap();
        assert_eq!(back, schema);
        let spec = field(back.kind("example.com", "v1", "Widget").unwrap(), "spec");
        assert!(matches!(
            field(spec, "target").shape(),
            Shape::Struct { atomic: true, .. }
        ));
        assert!(matches!(
            field(spec, "tags").shape(),
            Shape::List {
                list: ListType::Set,
                ..
            }
        ));
        assert!(matches!(
            field(spec, "size").shape(),
            Shape::Scalar(Scalar::IntOrString)
        ));
        assert!(matches!(field(spec, "extra").shape(), Shape::Untyped));
    }
}
