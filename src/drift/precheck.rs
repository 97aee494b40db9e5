//! The local pre-check: compares what the manifest declares with the live object the way
//! server-side apply would merge it, by the kind's schema from the server (`schema.rs`):
//! granular fields leaf by leaf, atomic structs, maps and lists whole, keyed lists by their
//! keys, set lists as sets in Git's order, quantities by the spelling the server stores and
//! int-or-string values as given. It lets the server's dry run be skipped only where the
//! pair is provably in sync; without a schema it proves nothing. It never proves drift; only in read-only mode do its differences stand
//! in for the server's answer.

use base64::Engine as _;
use serde_json::Value;

use super::attribution::ManagedFields;
use super::diff::FieldChange;
use super::path::{item_key, list_key, FieldPath, Segment};
use super::schema::{ListType, Scalar, Shape, Type};
use super::undeclared;

/// True when the pair is in sync without asking the server: with the kind's schema, every
/// declared field matches by meaning (atomic values whole), and the live object holds
/// nothing that `field_manager` applied and Git dropped. Without a schema nothing is proven.
pub fn proves_in_sync(
    desired: &Value,
    live: &Value,
    field_manager: &str,
    schema: Option<Type<'_>>,
) -> bool {
    let Some(schema) = schema else {
        return false;
    };
    if !declared_differences(desired, live, Some(schema)).is_empty() {
        return false;
    }
    match ManagedFields::of(live).applied_by(field_manager) {
        Some(applied) => undeclared::in_fieldset(applied, desired).is_empty(),
        None => true,
    }
}

/// The declared fields of `desired` whose live values differ by meaning, and the atomic
/// values (compared whole) that differ. Without a schema, lists are matched by the usual
/// keys and scalars compared as they are.
pub fn declared_differences(
    desired: &Value,
    live: &Value,
    schema: Option<Type<'_>>,
) -> Vec<FieldChange> {
    let desired = secret_string_data_as_data(desired);
    let mut out = Vec::new();
    match schema {
        Some(ty) => compare(&FieldPath::default(), &desired, Some(live), ty, &mut out),
        None => compare_untyped(&FieldPath::default(), &desired, Some(live), &mut out),
    }
    out
}

fn differ(path: &FieldPath, desired: &Value, live: Option<&Value>, out: &mut Vec<FieldChange>) {
    out.push(FieldChange {
        path: path.clone(),
        git: Some(desired.clone()),
        live: live.cloned(),
    })
}

/// Compares `desired` with `live` as server-side apply would merge it: granular structs,
/// maps and keyed or set lists entry by entry (what live has beyond Git stays), atomic
/// values whole.
fn compare(
    path: &FieldPath,
    desired: &Value,
    live: Option<&Value>,
    ty: Type<'_>,
    out: &mut Vec<FieldChange>,
) {
    if desired.is_null() {
        if !matches!(live, None | Some(Value::Null)) {
            differ(path, desired, live, out);
        }
        return;
    }
    match (ty.shape(), desired, live) {
        (Shape::Struct { atomic: true, .. } | Shape::Map { atomic: true, .. }, _, _)
        | (
            Shape::List {
                list: ListType::Atomic,
                ..
            },
            _,
            _,
        )
        | (Shape::Untyped, Value::Array(_), _) => {
            if !live.is_some_and(|l| atomic_equal(desired, l, ty, holder(path))) {
                differ(path, desired, live, out);
            }
        }
        (Shape::Struct { fields, .. }, Value::Object(d), Some(Value::Object(l))) => {
            for (key, dv) in d {
                let child = Type::field(fields, key, &ty);
                compare(
                    &path.child(Segment::Field(key.clone())),
                    dv,
                    l.get(key),
                    child,
                    out,
                );
            }
        }
        (Shape::Map { values, .. }, Value::Object(d), Some(Value::Object(l))) => {
            for (key, dv) in d {
                compare(
                    &path.child(Segment::Field(key.clone())),
                    dv,
                    l.get(key),
                    values,
                    out,
                );
            }
        }
        (Shape::Untyped, Value::Object(d), Some(Value::Object(l))) => {
            for (key, dv) in d {
                let child = ty.untyped();
                compare(
                    &path.child(Segment::Field(key.clone())),
                    dv,
                    l.get(key),
                    child,
                    out,
                );
            }
        }
        (
            Shape::List {
                items,
                list: ListType::Set,
            },
            Value::Array(d),
            Some(Value::Array(l)),
        ) => {
            let unique = d
                .iter()
                .enumerate()
                .all(|(i, a)| !d[..i].iter().any(|b| atomic_equal(a, b, items, "")));
            // Applying keeps a set in the applied order, as a keyed list: Git's items must
            // stand live in Git's order, whatever live holds around them.
            let positions: Option<Vec<usize>> = d
                .iter()
                .map(|dv| l.iter().position(|lv| atomic_equal(dv, lv, items, "")))
                .collect();
            if !unique || !positions.is_some_and(|p| p.is_sorted()) {
                differ(path, desired, live, out);
            }
        }
        (
            Shape::List {
                items,
                list: ListType::Map(keys),
            },
            Value::Array(d),
            Some(Value::Array(l)),
        ) => compare_keyed(path, d, l, items, keys, out),
        (Shape::Scalar(scalar), d, Some(l)) if scalars_equal(scalar, d, l) => {}
        (Shape::Untyped, d, Some(l)) if scalars_equal(Scalar::Plain, d, l) => {}
        _ => differ(path, desired, live, out),
    }
}

/// The key pairs of one list item, e.g. `[("containerPort", 80), ("protocol", "TCP")]`.
type ItemKey = Vec<(String, Value)>;

/// Items of a keyed list, matched by the schema's keys (a missing key field takes the
/// schema's default, as the server does). Git's items must each match exactly one live item.
fn compare_keyed(
    path: &FieldPath,
    desired: &[Value],
    live: &[Value],
    items: Type<'_>,
    keys: &[String],
    out: &mut Vec<FieldChange>,
) {
    let key_of = |item: &Value| -> Option<ItemKey> {
        let object = item.as_object()?;
        let defaults = match items.shape() {
            Shape::Struct { defaults, .. } => Some(defaults),
            _ => None,
        };
        keys.iter()
            .map(|k| {
                let value = match object.get(k) {
                    Some(v) if !v.is_null() => v.clone(),
                    _ => defaults.and_then(|d| d.get(k)).cloned()?,
                };
                Some((k.clone(), value))
            })
            .collect()
    };
    let same_key = |a: &[(String, Value)], b: &[(String, Value)]| {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|((ka, va), (kb, vb))| ka == kb && scalars_equal(Scalar::Plain, va, vb))
    };
    let live_keyed: Vec<(Option<ItemKey>, &Value)> =
        live.iter().map(|item| (key_of(item), item)).collect();
    let mut seen: Vec<ItemKey> = Vec::new();
    // Where Git's items stand live: applying puts them back in Git's order.
    let mut positions: Vec<usize> = Vec::new();
    for item in desired {
        // An item without its key, or a key twice in Git: only the server can say.
        let key = key_of(item).filter(|key| !seen.iter().any(|k| same_key(k, key)));
        let Some(key) = key else {
            let (desired, live) = (Value::Array(desired.to_vec()), Value::Array(live.to_vec()));
            return differ(path, &desired, Some(&live), out);
        };
        let found: Vec<&Value> = live_keyed
            .iter()
            .filter(|(k, _)| k.as_ref().is_some_and(|k| same_key(k, &key)))
            .map(|(_, v)| *v)
            .collect();
        let here = path.child(Segment::Key(key.clone()));
        match found.as_slice() {
            [one] => {
                positions.extend(live.iter().position(|l| std::ptr::eq(l, *one)));
                compare(&here, item, Some(one), items, out)
            }
            [] => {
                // Not live under the server's key (say, a port number changed by hand):
                // people know items by name, so show what differs in the item of the same
                // name. Whatever that shows, the item stays a difference.
                let before = out.len();
                let lists = (desired.to_vec(), live.to_vec());
                if let Some(fields) = list_key(&[&lists.0, &lists.1]) {
                    let by_name = item_key(item, fields).and_then(|key| {
                        let found = live
                            .iter()
                            .find(|l| item_key(l, fields).as_ref() == Some(&key))?;
                        Some((key, found))
                    });
                    if let Some((key, found)) = by_name {
                        compare(
                            &path.child(Segment::Key(key)),
                            item,
                            Some(found),
                            items,
                            out,
                        );
                    }
                }
                if out.len() == before {
                    differ(&here, item, None, out);
                }
            }
            // Duplicate keys live: only the server knows what a merge makes of them.
            _ => differ(&here, item, Some(found[0]), out),
        }
        seen.push(key);
    }
    if !positions.is_sorted() {
        let (desired, live) = (Value::Array(desired.to_vec()), Value::Array(live.to_vec()));
        differ(path, &desired, Some(&live), out);
    }
}

/// A field the server fills in inside atomic values where Git leaves it out, by the name of
/// the field holding the value, that the schema does not state as a default.
fn known_default(holder: &str, key: &str) -> Option<Value> {
    match (holder, key) {
        // An env var's or a downward-API volume's field selector.
        ("fieldRef", "apiVersion") => Some(Value::String("v1".into())),
        // A projected service account token lives an hour unless Git says otherwise.
        ("serviceAccountToken", "expirationSeconds") => Some(Value::from(3600)),
        _ => None,
    }
}

/// Whether `live` equals `desired` whole, by meaning: same fields at every level, but for
/// the defaults the server fills in (the schema's, and `known_default`). `holder` is the
/// name of the field that holds the value.
fn atomic_equal(desired: &Value, live: &Value, ty: Type<'_>, holder: &str) -> bool {
    match (desired, live) {
        (Value::Null, Value::Null) => true,
        (Value::Object(d), Value::Object(l)) => {
            let shape = ty.shape();
            let defaulted = |key: &str, lv: &Value| {
                let stated = match shape {
                    Shape::Struct { defaults, .. } => defaults.get(key),
                    _ => None,
                };
                stated.is_some_and(|v| scalars_equal(Scalar::Plain, v, lv))
                    || known_default(holder, key).is_some_and(|v| v == *lv)
            };
            l.iter()
                .all(|(key, lv)| d.contains_key(key) || defaulted(key, lv))
                && d.iter().all(|(key, dv)| {
                    let Some(lv) = l.get(key) else {
                        return false;
                    };
                    let child = match shape {
                        Shape::Struct { fields, .. } => Type::field(fields, key, &ty),
                        Shape::Map { values, .. } => values,
                        _ => ty.untyped(),
                    };
                    atomic_equal(dv, lv, child, key)
                })
        }
        (Value::Array(d), Value::Array(l)) => {
            let items = match ty.shape() {
                Shape::List { items, .. } => items,
                _ => ty.untyped(),
            };
            d.len() == l.len()
                && d.iter()
                    .zip(l)
                    .all(|(dv, lv)| atomic_equal(dv, lv, items, holder))
        }
        (d, l) => {
            let scalar = match ty.shape() {
                Shape::Scalar(scalar) => scalar,
                _ => Scalar::Plain,
            };
            scalars_equal(scalar, d, l)
        }
    }
}

/// The name of the field at the end of `path` (empty for a list item or the root).
fn holder(path: &FieldPath) -> &str {
    match path.segments().last() {
        Some(Segment::Field(name)) => name,
        _ => "",
    }
}

/// Without a schema (read-only mode only): lists by the usual keys, scalars as they are.
fn compare_untyped(
    path: &FieldPath,
    desired: &Value,
    live: Option<&Value>,
    out: &mut Vec<FieldChange>,
) {
    match (desired, live) {
        (Value::Null, None | Some(Value::Null)) => {}
        (Value::Object(d), Some(Value::Object(l))) => {
            for (key, dv) in d {
                compare_untyped(
                    &path.child(Segment::Field(key.clone())),
                    dv,
                    l.get(key),
                    out,
                );
            }
        }
        (Value::Array(d), Some(Value::Array(l))) => {
            if d.len() != l.len() {
                return differ(path, desired, live, out);
            }
            match list_key(&[d]) {
                Some(fields) => {
                    for item in d {
                        let Some(key) = item_key(item, fields) else {
                            return differ(path, desired, live, out);
                        };
                        let found = l
                            .iter()
                            .find(|li| item_key(li, fields).as_ref() == Some(&key));
                        compare_untyped(&path.child(Segment::Key(key)), item, found, out);
                    }
                }
                None => {
                    for (i, (dv, lv)) in d.iter().zip(l).enumerate() {
                        compare_untyped(&path.child(Segment::Index(i)), dv, Some(lv), out);
                    }
                }
            }
        }
        (d, Some(l)) if scalars_equal(Scalar::Plain, d, l) => {}
        _ => differ(path, desired, live, out),
    }
}

/// Scalars by meaning: numbers by value; a quantity by the spelling the server would store
/// for Git's (it keeps `1Gi` and `1073741824` apart, and writes `0.5` as `500m`); an
/// int-or-string value keeps its kind (the server stores `"80"` and `80` as given).
fn scalars_equal(scalar: Scalar, desired: &Value, live: &Value) -> bool {
    if desired == live {
        return true;
    }
    match (scalar, desired, live) {
        (Scalar::Quantity, d, Value::String(l)) => canonical_quantity(d).as_ref() == Some(l),
        (Scalar::Quantity, _, _) => false,
        (_, Value::Number(a), Value::Number(b)) => numbers_equal(a, b),
        _ => false,
    }
}

/// The spelling the API server stores for a quantity it is sent, as its `resource.Quantity`
/// writes it back: the amount with its factors of ten removed and its exponent brought down
/// to a multiple of three (`0.5` is `500m`, `1000` is `1k`, `1.5` is `1500m`), binary
/// amounts by their largest power of 1024 (`1024Mi` is `1Gi`, `1.5Gi` is `1536Mi`), small or
/// fractional binary amounts in decimal. `None` where the server might write something
/// else: spellings it keeps as sent (a `+`, leading zeros, an `E` exponent, spaces),
/// amounts it rounds (below a nano) or caps, and amounts too large for this reckoning.
pub fn canonical_quantity(value: &Value) -> Option<String> {
    let text = match value {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        _ => return None,
    };
    let (negative, rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.as_str()),
    };
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    let (number, suffix) = rest.split_at(end);
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty()
        || (number.contains('.') && fraction.is_empty())
        || (whole.len() > 1 && whole.starts_with('0'))
        || !whole
            .chars()
            .chain(fraction.chars())
            .all(|c| c.is_ascii_digit())
        || whole.len() + fraction.len() > 30
    {
        return None;
    }
    let digits: i128 = format!("{whole}{fraction}").parse().ok()?;
    let scale = -i32::try_from(fraction.len()).ok()?;
    enum Format {
        Binary(u32),
        Decimal(i32),
        Exponent(i32),
    }
    const BINARY: &[&str] = &["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
    const DECIMAL: &[(&str, i32)] = &[
        ("n", -9),
        ("u", -6),
        ("m", -3),
        ("", 0),
        ("k", 3),
        ("M", 6),
        ("G", 9),
        ("T", 12),
        ("P", 15),
        ("E", 18),
    ];
    let format = if let Some((_, power)) = DECIMAL.iter().find(|(s, _)| *s == suffix) {
        Format::Decimal(*power)
    } else if let Some(power) = BINARY.iter().position(|s| *s == suffix) {
        Format::Binary(u32::try_from(power).ok()?)
    } else if let Some(e) = suffix.strip_prefix('e') {
        if e.is_empty()
            || !e
                .trim_start_matches('-')
                .chars()
                .all(|c| c.is_ascii_digit())
        {
            return None;
        }
        Format::Exponent(e.parse().ok()?)
    } else {
        return None;
    };
    if digits == 0 {
        return Some("0".into());
    }
    let sign = if negative { "-" } else { "" };
    let ten_to = |n: u32| 10i128.checked_pow(n);
    // Decimal spelling of `mantissa × 10^exponent`.
    let decimal = |mut mantissa: i128, mut exponent: i32, si: bool| -> Option<String> {
        while mantissa % 10 == 0 {
            mantissa /= 10;
            exponent = exponent.checked_add(1)?;
        }
        if exponent < -9 {
            return None;
        }
        let down = u32::try_from(exponent.rem_euclid(3)).ok()?;
        mantissa = mantissa.checked_mul(ten_to(down)?)?;
        exponent -= i32::try_from(down).ok()?;
        if mantissa > i128::from(i64::MAX) {
            return None;
        }
        let suffix = if si {
            DECIMAL.iter().find(|(_, p)| *p == exponent)?.0.to_string()
        } else if exponent == 0 {
            String::new()
        } else {
            format!("e{exponent}")
        };
        Some(format!("{sign}{mantissa}{suffix}"))
    };
    match format {
        Format::Decimal(power) => decimal(digits, scale.checked_add(power)?, true),
        Format::Exponent(power) => decimal(digits, scale.checked_add(power)?, false),
        Format::Binary(power) => {
            let amount = digits.checked_mul(1024i128.checked_pow(power)?)?;
            let divisor = ten_to(u32::try_from(-scale).ok()?)?;
            if amount % divisor != 0 {
                return decimal(amount, scale, true);
            }
            let mut whole = amount / divisor;
            if whole > i128::from(i64::MAX) {
                return None;
            }
            if whole < 1024 {
                return decimal(whole, 0, true);
            }
            let mut power = 0;
            while whole % 1024 == 0 && power < BINARY.len() - 1 {
                whole /= 1024;
                power += 1;
            }
            Some(format!("{sign}{whole}{}", BINARY[power]))
        }
    }
}

fn numbers_equal(a: &serde_json::Number, b: &serde_json::Number) -> bool {
    if let (Some(a), Some(b)) = (a.as_i64(), b.as_i64()) {
        return a == b;
    }
    if let (Some(a), Some(b)) = (a.as_u64(), b.as_u64()) {
        return a == b;
    }
    match (a.as_f64(), b.as_f64()) {
        // Only where both are exact: a float equal to a huge integer proves nothing.
        (Some(x), Some(y)) => x == y && x.abs() < 9.0e15,
        _ => false,
    }
}

/// A Secret's `stringData` is written into `data` base64-encoded by the server.
pub fn secret_string_data_as_data(desired: &Value) -> Value {
    let mut out = desired.clone();
    if desired["kind"] != "Secret" || desired["apiVersion"] != "v1" {
        return out;
    }
    let Some(map) = out.as_object_mut() else {
        return out;
    };
    if let Some(Value::Object(string_data)) = map.remove("stringData") {
        let data = map
            .entry("data")
            .or_insert_with(|| Value::Object(Default::default()));
        if let Some(data) = data.as_object_mut() {
            for (key, value) in string_data {
                let text = value.as_str().unwrap_or_default();
                let encoded = base64::engine::general_purpose::STANDARD.encode(text);
                data.insert(key, Value::String(encoded));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drift::schema::Schema;
    use serde_json::json;

    /// A small schema in the server's own form: a Pod with atomic tolerations, keyed
    /// containers, ports and env, an atomic `secretKeyRef`, an atomic node selector,
    /// quantities and int-or-string ports; a Secret; a CRD with an open field.
    fn schema() -> Schema {
        let r = |name: &str| json!({"allOf": [{"$ref": format!("#/components/schemas/{name}")}]});
        Schema::from_openapi(&json!({"components": {"schemas": {
            "Pod": {"type": "object",
                "x-kubernetes-group-version-kind": [{"group": "", "version": "v1", "kind": "Pod"}],
                "properties": {"apiVersion": {"type": "string"}, "kind": {"type": "string"},
                    "metadata": r("ObjectMeta"), "spec": r("PodSpec")}},
            "Secret": {"type": "object",
                "x-kubernetes-group-version-kind": [{"group": "", "version": "v1", "kind": "Secret"}],
                "properties": {"apiVersion": {"type": "string"}, "kind": {"type": "string"},
                    "metadata": r("ObjectMeta"),
                    "data": {"type": "object", "additionalProperties": {"type": "string", "format": "byte"}},
                    "stringData": {"type": "object", "additionalProperties": {"type": "string"}}}},
            "ObjectMeta": {"type": "object", "properties": {"name": {"type": "string"},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "finalizers": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "set"}}},
            "PodSpec": {"type": "object", "properties": {
                "tolerations": {"type": "array", "items": r("Toleration"), "x-kubernetes-list-type": "atomic"},
                "nodeSelector": {"type": "object", "additionalProperties": {"type": "string"}, "x-kubernetes-map-type": "atomic"},
                "containers": {"type": "array", "items": r("Container"),
                    "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"]}}},
            "Toleration": {"type": "object", "properties": {"key": {"type": "string"},
                "operator": {"type": "string"}, "effect": {"type": "string"}}},
            "Container": {"type": "object", "properties": {"name": {"type": "string"},
                "image": {"type": "string"}, "imagePullPolicy": {"type": "string"},
                "args": {"type": "array", "items": {"type": "string"}},
                "resources": {"type": "object", "properties": {"limits": {"type": "object",
                    "additionalProperties": r("io.k8s.apimachinery.pkg.api.resource.Quantity")}}},
                "ports": {"type": "array", "items": r("ContainerPort"),
                    "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["containerPort", "protocol"]},
                "env": {"type": "array", "items": r("EnvVar"),
                    "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"]}}},
            "ContainerPort": {"type": "object", "properties": {"containerPort": {"type": "integer"},
                "protocol": {"type": "string", "default": "TCP"},
                "hostPort": r("io.k8s.apimachinery.pkg.util.intstr.IntOrString")}},
            "EnvVar": {"type": "object", "properties": {"name": {"type": "string"}, "value": {"type": "string"},
                "valueFrom": {"type": "object", "properties": {"secretKeyRef": r("SecretKeySelector"),
                    "fieldRef": r("ObjectFieldSelector")}}}},
            "ObjectFieldSelector": {"type": "object", "x-kubernetes-map-type": "atomic", "properties": {
                "apiVersion": {"type": "string"}, "fieldPath": {"type": "string"}}},
            "SecretKeySelector": {"type": "object", "x-kubernetes-map-type": "atomic", "properties": {
                "name": {"type": "string"}, "key": {"type": "string"}, "optional": {"type": "boolean"}}},
            "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {"format": "int-or-string",
                "oneOf": [{"type": "integer"}, {"type": "string"}]},
            "io.k8s.apimachinery.pkg.api.resource.Quantity": {"oneOf": [{"type": "string"}, {"type": "number"}]},
            "Widget": {"type": "object",
                "x-kubernetes-group-version-kind": [{"group": "example.com", "version": "v1", "kind": "Widget"}],
                "properties": {"spec": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}
        }}}))
    }

    fn pod(spec: Value) -> Value {
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec})
    }

    fn in_sync(desired: &Value, live: &Value) -> bool {
        let schema = schema();
        let (group, version, kind) = match desired["apiVersion"].as_str() {
            Some("v1") => ("", "v1", desired["kind"].as_str().unwrap()),
            _ => ("example.com", "v1", "Widget"),
        };
        proves_in_sync(desired, live, "pipeline", schema.kind(group, version, kind))
    }

    #[test]
    fn keyed_items_in_another_order_prove_nothing() {
        let env = |names: &[&str]| -> Value {
            names
                .iter()
                .map(|n| json!({"name": n, "value": "1"}))
                .collect()
        };
        let desired = pod(json!({"containers": [{"name": "a", "env": env(&["A", "B"])}]}));
        let swapped = pod(json!({"containers": [{"name": "a", "env": env(&["B", "A"])}]}));
        assert!(!in_sync(&desired, &swapped));
        // Items added live around Git's, in Git's order, change nothing Git declares.
        let added = pod(json!({"containers": [{"name": "a", "env": env(&["C", "A", "D", "B"])}]}));
        assert!(in_sync(&desired, &added));
    }

    #[test]
    fn quantities_compare_by_the_spelling_the_server_stores() {
        let pod_with = |cpu: Value, memory: Value| {
            pod(json!({"containers": [{"name": "a",
                "resources": {"limits": {"cpu": cpu, "memory": memory}},
                "ports": [{"containerPort": 8080}]}]}))
        };
        let desired = pod_with(json!(0.5), json!("1Gi"));
        let mut live = pod_with(json!("500m"), json!("1Gi"));
        live["spec"]["containers"][0]["imagePullPolicy"] = json!("Always");
        live["spec"]["containers"][0]["ports"][0]["protocol"] = json!("TCP");
        assert!(in_sync(&desired, &live));
        // The same amount spelled otherwise: applying Git writes Git's spelling back.
        let bytes = pod_with(json!("500m"), json!("1073741824"));
        assert!(!in_sync(&desired, &bytes));
        assert!(!in_sync(&pod_with(json!(0.5), json!("1073741824")), &live));
    }

    #[test]
    fn canonical_quantities_are_the_servers() {
        let canonical = |v: Value| canonical_quantity(&v);
        for (given, stored) in [
            (json!(0.5), "500m"),
            (json!("0.5"), "500m"),
            (json!("1.5"), "1500m"),
            (json!(1000), "1k"),
            (json!("1500"), "1500"),
            (json!("1000m"), "1"),
            (json!("1Gi"), "1Gi"),
            (json!("1024Mi"), "1Gi"),
            (json!("1.5Gi"), "1536Mi"),
            (json!("1.5Ki"), "1536"),
            (json!("0.5Ki"), "512"),
            (json!("1.1Ki"), "1126400m"),
            (json!("1073741824"), "1073741824"),
            (json!("1e3"), "1e3"),
            (json!("1e4"), "10e3"),
            (json!("0Gi"), "0"),
            (json!("-1Gi"), "-1Gi"),
            (json!("-0.5"), "-500m"),
            (json!("0.0005"), "500u"),
            (json!("100M"), "100M"),
            (json!("2000M"), "2G"),
        ] {
            assert_eq!(canonical(given.clone()).as_deref(), Some(stored), "{given}");
        }
        // Spellings the server keeps as sent, rounds, or that are no quantity: unknown.
        for given in [
            "+1", "01Gi", "1E3", " 1", "1.", ".5", "0.1n", "1Zi", "abc", "1e",
        ] {
            assert_eq!(canonical(json!(given)), None, "{given}");
        }
        assert_eq!(canonical(json!(true)), None);
    }

    #[test]
    fn int_or_string_keeps_its_kind() {
        let desired = pod(
            json!({"containers": [{"name": "a", "ports": [{"containerPort": 80, "hostPort": 80}]}]}),
        );
        let same = pod(
            json!({"containers": [{"name": "a", "ports": [{"containerPort": 80, "hostPort": 80.0}]}]}),
        );
        let text = pod(
            json!({"containers": [{"name": "a", "ports": [{"containerPort": 80, "hostPort": "80"}]}]}),
        );
        assert!(in_sync(&desired, &same));
        assert!(!in_sync(&desired, &text));
    }

    #[test]
    fn numbers_in_plain_strings_are_not_quantities() {
        let desired = json!({"data": {"version": "1.0"}});
        let live = json!({"data": {"version": "1"}});
        assert_eq!(declared_differences(&desired, &live, None).len(), 1);
    }

    #[test]
    fn without_a_schema_nothing_is_proven() {
        let desired = pod(json!({"containers": [{"name": "a"}]}));
        assert!(!proves_in_sync(&desired, &desired, "pipeline", None));
        assert!(declared_differences(&desired, &desired, None).is_empty());
    }

    #[test]
    fn a_field_added_inside_an_atomic_value_is_not_proven() {
        let toleration = pod(json!({"tolerations": [{"key": "k", "operator": "Exists"}]}));
        let with_effect = pod(
            json!({"tolerations": [{"key": "k", "operator": "Exists", "effect": "NoSchedule"}]}),
        );
        assert!(in_sync(&toleration, &toleration));
        assert!(!in_sync(&toleration, &with_effect));

        let env = |selector: Value| {
            pod(
                json!({"containers": [{"name": "a", "env": [{"name": "T", "valueFrom": {"secretKeyRef": selector}}]}]}),
            )
        };
        let desired = env(json!({"name": "s", "key": "k"}));
        assert!(in_sync(&desired, &env(json!({"name": "s", "key": "k"}))));
        let optional = env(json!({"name": "s", "key": "k", "optional": true}));
        assert!(!in_sync(&desired, &optional));
        let paths: Vec<String> =
            declared_differences(&desired, &optional, schema().kind("", "v1", "Pod"))
                .iter()
                .map(|c| c.path.to_string())
                .collect();
        assert_eq!(
            paths,
            ["spec.containers[name=a].env[name=T].valueFrom.secretKeyRef"]
        );

        let selector = pod(json!({"nodeSelector": {"zone": "a"}}));
        assert!(!in_sync(
            &selector,
            &pod(json!({"nodeSelector": {"zone": "a", "disk": "ssd"}}))
        ));
        // A list without a list type is atomic.
        let args = pod(json!({"containers": [{"name": "a", "args": ["x"]}]}));
        assert!(!in_sync(
            &args,
            &pod(json!({"containers": [{"name": "a", "args": ["x", "y"]}]}))
        ));
    }

    #[test]
    fn defaults_the_server_fills_in_inside_atomic_values_are_no_difference() {
        let env = |selector: Value| {
            pod(
                json!({"containers": [{"name": "a", "env": [{"name": "N", "valueFrom": {"fieldRef": selector}}]}]}),
            )
        };
        let desired = env(json!({"fieldPath": "metadata.name"}));
        let defaulted = env(json!({"apiVersion": "v1", "fieldPath": "metadata.name"}));
        assert!(in_sync(&desired, &defaulted));
        let other = env(json!({"apiVersion": "v2", "fieldPath": "metadata.name"}));
        assert!(!in_sync(&desired, &other));
        let widget =
            |spec: Value| json!({"apiVersion": "example.com/v1", "kind": "Widget", "spec": spec});
        // Open values know no defaults: only the schema or the known list do.
        assert!(!in_sync(
            &widget(json!({"list": [{"fieldRef": {"fieldPath": "x"}}]})),
            &widget(json!({"list": [{"fieldRef": {"fieldPath": "x", "other": "v1"}}]}))
        ));
    }

    #[test]
    fn granular_values_keep_what_live_adds() {
        let desired =
            pod(json!({"containers": [{"name": "a", "env": [{"name": "A", "value": "1"}]}]}));
        // Server defaults in a granular struct, and an item someone else added to a keyed list.
        let live = pod(json!({"containers": [
            {"name": "b", "image": "side"},
            {"name": "a", "imagePullPolicy": "Always", "env": [{"name": "B", "value": "2"}, {"name": "A", "value": "1"}]}]}));
        assert!(in_sync(&desired, &live));
        let changed =
            pod(json!({"containers": [{"name": "a", "env": [{"name": "A", "value": "2"}]}]}));
        assert!(!in_sync(&desired, &changed));
        let missing = pod(json!({"containers": [{"name": "b"}]}));
        assert!(!in_sync(&desired, &missing));
        // Duplicate keys in Git: only the server can say.
        let twice = pod(json!({"containers": [{"name": "a"}, {"name": "a"}]}));
        assert!(!in_sync(&twice, &twice));
        // Sets by membership.
        let finalizers =
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"finalizers": ["a"]}});
        let more =
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"finalizers": ["b", "a"]}});
        assert!(in_sync(&finalizers, &more));
        assert!(!in_sync(&more, &finalizers));
        // A set reordered live: applying puts Git's order back.
        let both =
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"finalizers": ["a", "b"]}});
        assert!(!in_sync(&both, &more));
        let around = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"finalizers": ["c", "a", "d", "b"]}});
        assert!(in_sync(&both, &around));
    }

    #[test]
    fn an_item_whose_key_changed_is_shown_by_name_and_never_proven() {
        let schema = schema();
        let pod_type = schema.kind("", "v1", "Pod");
        let desired = pod(json!({"containers": [{"name": "a", "ports": [{"containerPort": 80}]}]}));
        let renumbered = pod(
            json!({"containers": [{"name": "a", "ports": [{"containerPort": 81, "protocol": "TCP"}]}]}),
        );
        let paths: Vec<String> = declared_differences(&desired, &renumbered, pod_type)
            .iter()
            .map(|c| c.path.to_string())
            .collect();
        assert_eq!(
            paths,
            ["spec.containers[name=a].ports[containerPort=80,protocol=TCP]"]
        );
        let named = |port: u16, protocol: &str| {
            pod(
                json!({"containers": [{"name": "a", "ports": [{"name": "http", "containerPort": port, "protocol": protocol}]}]}),
            )
        };
        let desired = pod(
            json!({"containers": [{"name": "a", "ports": [{"name": "http", "containerPort": 80}]}]}),
        );
        let paths: Vec<String> = declared_differences(&desired, &named(81, "TCP"), pod_type)
            .iter()
            .map(|c| c.path.to_string())
            .collect();
        assert_eq!(
            paths,
            ["spec.containers[name=a].ports[name=http].containerPort"]
        );
        // Same name and number, another protocol: the declared fields match, the key does not.
        assert!(!in_sync(&desired, &named(80, "UDP")));
        assert!(in_sync(&desired, &named(80, "TCP")));
    }

    #[test]
    fn open_fields_are_deduced() {
        let desired = json!({"apiVersion": "example.com/v1", "kind": "Widget",
            "spec": {"config": {"a": 1}, "list": [{"x": 1}]}});
        let live = json!({"apiVersion": "example.com/v1", "kind": "Widget",
            "spec": {"config": {"a": 1, "b": 2}, "list": [{"x": 1}]}});
        assert!(in_sync(&desired, &live));
        let longer = json!({"apiVersion": "example.com/v1", "kind": "Widget",
            "spec": {"config": {"a": 1}, "list": [{"x": 1, "y": 2}]}});
        assert!(!in_sync(&desired, &longer));
    }

    #[test]
    fn string_data_compares_with_base64_data() {
        let schema = schema();
        let secret = schema.kind("", "v1", "Secret");
        let desired =
            json!({"apiVersion": "v1", "kind": "Secret", "stringData": {"password": "hunter2"}});
        let live =
            json!({"apiVersion": "v1", "kind": "Secret", "data": {"password": "aHVudGVyMg=="}});
        assert!(declared_differences(&desired, &live, secret).is_empty());
        let changed =
            json!({"apiVersion": "v1", "kind": "Secret", "data": {"password": "b3RoZXI="}});
        assert_eq!(declared_differences(&desired, &changed, secret).len(), 1);
    }

    #[test]
    fn a_field_the_manager_applied_and_git_dropped_is_not_proven() {
        let schema = schema();
        let live = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"labels": {"a": "1", "b": "2"}, "managedFields": [
            {"manager": "pipeline", "operation": "Apply",
             "fieldsV1": {"f:metadata": {"f:labels": {"f:a": {}, "f:b": {}}}}}]}});
        let desired =
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"labels": {"a": "1"}}});
        let pod = schema.kind("", "v1", "Pod");
        assert!(declared_differences(&desired, &live, pod).is_empty());
        assert!(!proves_in_sync(&desired, &live, "pipeline", pod));
        assert!(proves_in_sync(&desired, &live, "someone-else", pod));
    }
}
