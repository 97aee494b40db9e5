//! Field paths inside an object: how a drifted field is named in output (`spec.replicas`,
//! `spec.template.spec.containers[name=app].image`) and in JSON, one name everywhere.

use serde_json::Value;

/// One step into an object.
#[derive(Debug, Clone, PartialEq)]
pub enum Segment {
    /// A map key.
    Field(String),
    /// A list item found by its key fields, e.g. a container by `name`.
    Key(Vec<(String, Value)>),
    /// A list item found by position, for lists without keys.
    Index(usize),
}

/// A path from the object's root to one field.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FieldPath(pub Vec<Segment>);

impl FieldPath {
    pub fn child(&self, segment: Segment) -> FieldPath {
        let mut segments = self.0.clone();
        segments.push(segment);
        FieldPath(segments)
    }

    pub fn segments(&self) -> &[Segment] {
        &self.0
    }

    /// Whether this path starts with `prefix` given as plain field names.
    pub fn starts_with_fields(&self, prefix: &[&str]) -> bool {
        prefix.len() <= self.0.len()
            && prefix
                .iter()
                .zip(&self.0)
                .all(|(want, have)| matches!(have, Segment::Field(f) if f == want))
    }

    /// Follows the path through `value`.
    pub fn lookup<'a>(&self, value: &'a Value) -> Option<&'a Value> {
        let mut current = value;
        for segment in &self.0 {
            current = match segment {
                Segment::Field(name) => current.get(name)?,
                Segment::Index(i) => current.get(*i)?,
                Segment::Key(pairs) => current
                    .as_array()?
                    .iter()
                    .find(|item| pairs.iter().all(|(k, v)| item.get(k) == Some(v)))?,
            };
        }
        Some(current)
    }
}

impl FieldPath {
    /// Makes `target` hold at this path what `source` holds there (removing the field when
    /// `source` has none), so that a diff of the two no longer shows it. Does nothing when
    /// the path's parent is not in `target`.
    pub fn copy_between(&self, source: &Value, target: &mut Value) {
        let Some((last, parents)) = self.0.split_last() else {
            return;
        };
        let mut parent = target;
        for segment in parents {
            let next = match segment {
                Segment::Field(name) => parent.get_mut(name),
                Segment::Index(i) => parent.get_mut(*i),
                Segment::Key(pairs) => parent.as_array_mut().and_then(|items| {
                    items
                        .iter_mut()
                        .find(|item| pairs.iter().all(|(k, v)| item.get(k) == Some(v)))
                }),
            };
            let Some(next) = next else {
                return;
            };
            parent = next;
        }
        let value = self.lookup(source).cloned();
        match (last, parent) {
            (Segment::Field(name), Value::Object(map)) => match value {
                Some(v) => {
                    map.insert(name.clone(), v);
                }
                None => {
                    map.remove(name);
                }
            },
            (Segment::Index(i), Value::Array(items)) if *i < items.len() => match value {
                Some(v) => items[*i] = v,
                None => {
                    items.remove(*i);
                }
            },
            (Segment::Key(pairs), Value::Array(items)) => {
                let at = items
                    .iter()
                    .position(|item| pairs.iter().all(|(k, v)| item.get(k) == Some(v)));
                match (at, value) {
                    (Some(at), Some(v)) => items[at] = v,
                    (Some(at), None) => {
                        items.remove(at);
                    }
                    (None, Some(v)) => items.push(v),
                    (None, None) => {}
                }
            }
            _ => {}
        }
    }
}

impl std::fmt::Display for FieldPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Field(name) if is_plain(name) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(name)?;
                }
                Segment::Field(name) => write!(f, "[{name:?}]")?,
                Segment::Index(index) => write!(f, "[{index}]")?,
                Segment::Key(pairs) => {
                    f.write_str("[")?;
                    for (j, (k, v)) in pairs.iter().enumerate() {
                        if j > 0 {
                            f.write_str(",")?;
                        }
                        match v {
                            Value::String(s) => write!(f, "{k}={s}")?,
                            other => write!(f, "{k}={other}")?,
                        }
                    }
                    f.write_str("]")?;
                }
            }
        }
        Ok(())
    }
}

fn is_plain(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Merge keys of the lists Kubernetes objects use. A list is keyed by the first candidate
/// that every item carries, with values unique within the list. `name` comes first because it is what people call an item by, even where the server
/// merges by another key (ports by number and protocol).
const KEY_CANDIDATES: &[&[&str]] = &[
    &["name"],
    &["containerPort", "protocol"],
    &["port", "protocol"],
    &["mountPath"],
    &["devicePath"],
    &["ip"],
];

/// The key fields that identify items of these lists, if there are any.
pub fn list_key(lists: &[&Vec<Value>]) -> Option<&'static [&'static str]> {
    KEY_CANDIDATES.iter().copied().find(|candidate| {
        lists.iter().all(|items| {
            let mut seen = Vec::new();
            items.iter().all(|item| {
                // A missing protocol defaults to TCP: the first field is the one that matters.
                let Some(key) = item_key(item, candidate) else {
                    return false;
                };
                if seen.contains(&key) {
                    return false;
                }
                seen.push(key);
                true
            })
        }) && lists.iter().any(|l| !l.is_empty())
    })
}

/// The key pairs of one item, e.g. `[("name", "app")]`.
pub fn item_key(item: &Value, fields: &[&str]) -> Option<Vec<(String, Value)>> {
    let object = item.as_object()?;
    let mut pairs = Vec::new();
    for (i, field) in fields.iter().enumerate() {
        match object.get(*field) {
            Some(v) => pairs.push((field.to_string(), v.clone())),
            // Only a port's protocol may be left out; the server defaults it to TCP.
            None if i > 0 && *field == "protocol" => {
                pairs.push((field.to_string(), Value::String("TCP".into())))
            }
            None => return None,
        }
    }
    Some(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn displays_like_kubectl_explain() {
        let path = FieldPath(vec![
            Segment::Field("spec".into()),
            Segment::Field("containers".into()),
            Segment::Key(vec![("name".into(), json!("app"))]),
            Segment::Field("image".into()),
        ]);
        assert_eq!(path.to_string(), "spec.containers[name=app].image");
        let label = FieldPath(vec![
            Segment::Field("metadata".into()),
            Segment::Field("labels".into()),
            Segment::Field("app.kubernetes.io/name".into()),
        ]);
        assert_eq!(
            label.to_string(),
            "metadata.labels[\"app.kubernetes.io/name\"]"
        );
    }

    #[test]
    fn copies_one_field_between_objects() {
        let live = json!({"spec": {"containers": [{"name": "app", "image": "b"}], "paused": true}});
        let mut git = json!({"spec": {"containers": [{"name": "app", "image": "a"}], "x": 1}});
        let image = FieldPath(vec![
            Segment::Field("spec".into()),
            Segment::Field("containers".into()),
            Segment::Key(vec![("name".into(), json!("app"))]),
            Segment::Field("image".into()),
        ]);
        image.copy_between(&live, &mut git);
        assert_eq!(git["spec"]["containers"][0]["image"], "b");
        let x = FieldPath(vec![
            Segment::Field("spec".into()),
            Segment::Field("x".into()),
        ]);
        x.copy_between(&live, &mut git);
        assert!(git["spec"].get("x").is_none());
        let missing_parent = FieldPath(vec![
            Segment::Field("status".into()),
            Segment::Field("y".into()),
        ]);
        missing_parent.copy_between(&live, &mut git);
        assert!(git.get("status").is_none());
    }

    #[test]
    fn finds_keys_for_ports_and_containers() {
        let ports = vec![
            json!({"containerPort": 80}),
            json!({"containerPort": 443, "protocol": "TCP"}),
        ];
        assert_eq!(
            list_key(&[&ports]),
            Some(&["containerPort", "protocol"][..])
        );
        let args = vec![json!("--a"), json!("--b")];
        assert_eq!(list_key(&[&args]), None);
        let dupes = vec![json!({"name": "a"}), json!({"name": "a"})];
        assert_eq!(list_key(&[&dupes]), None);
    }
}
