//! Writing live values into a manifest's YAML text without rewriting it: the document at a
//! line is edited through a lossless syntax tree (yaml-edit), one field at a time, so that
//! comments, key order, quoting, indentation and the other documents of the file stay byte
//! for byte. Only what the drift names changes: a scalar keeps its quoting style, a flow
//! collection stays flow, a removed field takes the comment lines that are its alone.

use std::str::FromStr;

use rowan::ast::AstNode;
use serde_json::Value;
use yaml_edit::{Document, Mapping, ScalarStyle, ScalarValue, Sequence, YamlFile, YamlNode};

use crate::drift::path::{FieldPath, Segment};

/// Why a field cannot be written in place.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("line {0}: no document of this file starts there any more")]
    NoDocument(usize),
    #[error("{0}: malformed YAML")]
    Yaml(String),
    #[error("{path}: {why}")]
    Field { path: String, why: String },
}

/// One field to write: `live` is the value to put at `path`, `None` to remove the field.
#[derive(Debug, Clone)]
pub struct FieldEdit {
    pub path: FieldPath,
    pub shown: String,
    pub live: Option<Value>,
}

/// The file `text` with the fields of the document whose root value is on `line` set to
/// their live values. The document's other fields, and every other document, are kept as
/// they are, byte for byte.
pub fn edit_document(text: &str, line: usize, edits: &[FieldEdit]) -> Result<String, EditError> {
    let spans = crate::yaml::document_spans(text)
        .map_err(|e| EditError::Yaml(format!("line {}", e.line)))?;
    let (_, range) = spans
        .into_iter()
        .find(|(l, _)| *l == line)
        .ok_or(EditError::NoDocument(line))?;
    let mut document = text[range.clone()].to_string();
    for edit in edits {
        let edited = edit_field(&document, edit)?;
        if shared_elsewhere(&document, &edited, &edit.path) {
            return Err(EditError::Field {
                path: edit.shown.clone(),
                why: "its value is an anchor (&anchor) that aliases elsewhere share: writing it would change them too; edit it by hand".into(),
            });
        }
        document = edited;
    }
    Ok(format!(
        "{}{}{}",
        &text[..range.start],
        document,
        &text[range.end..]
    ))
}

/// One field written into one document's text.
fn edit_field(document: &str, edit: &FieldEdit) -> Result<String, EditError> {
    let fail = |why: &str| EditError::Field {
        path: edit.shown.clone(),
        why: why.to_string(),
    };
    let file = YamlFile::from_str(document).map_err(|_| EditError::Yaml(edit.shown.clone()))?;
    let doc: Document = file
        .documents()
        .next()
        .ok_or_else(|| fail("the document is empty"))?;
    // The same document as JSON (aliases resolved), to find list items by their keys.
    let json =
        crate::yaml::read(document).map_err(|e| EditError::Yaml(format!("line {}", e.line)))?;
    let segments = edit.path.segments();
    let Some((last, parents)) = segments.split_last() else {
        return Err(fail("the whole object cannot be adopted"));
    };
    let mut node: YamlNode = doc
        .as_mapping()
        .map(YamlNode::Mapping)
        .ok_or_else(|| fail("the document is not a mapping"))?;
    let mut at = &json;
    for (depth, segment) in parents.iter().enumerate() {
        let next = match (&node, segment) {
            (YamlNode::Mapping(map), Segment::Field(name)) => map.get(name.as_str()),
            (YamlNode::Sequence(seq), _) => {
                let index = item_index(at, segment)
                    .ok_or_else(|| fail("its list item is not in the file"))?;
                seq.get(index)
            }
            (YamlNode::Alias(_), _) => None,
            _ => return Err(fail("the file holds another shape there")),
        };
        let json_next = FieldPath(vec![segment.clone()]).lookup(at);
        match next {
            Some(YamlNode::Alias(_)) => return Err(fail(
                "its value comes from an anchor (*alias) that other fields share; edit it by hand",
            )),
            Some(child) => {
                node = child;
                at = json_next.unwrap_or(&Value::Null);
            }
            None => {
                // The file does not write the parent: write it with the field inside.
                let Some(live) = &edit.live else {
                    return Ok(document.to_string());
                };
                let rest = FieldPath(segments[depth + 1..].to_vec());
                let mut value = live.clone();
                for step in rest.segments().iter().rev() {
                    match step {
                        Segment::Field(name) => {
                            value = serde_json::json!({ name.clone(): value });
                        }
                        _ => return Err(fail("its list is not in the file")),
                    }
                }
                let Segment::Field(name) = segment else {
                    return Err(fail("its list item is not in the file"));
                };
                let YamlNode::Mapping(map) = &node else {
                    return Err(fail("the file holds another shape there"));
                };
                map.set(name.as_str(), fragment(&value, false)?);
                return Ok(file.to_string());
            }
        }
    }
    match (&node, last) {
        (YamlNode::Mapping(map), Segment::Field(name)) => match &edit.live {
            None => match map.find_entry_by_key(name.as_str()) {
                Some(entry) if !map.is_flow_style() => {
                    let range = entry.syntax().text_range();
                    let text = file.to_string();
                    Ok(remove_lines(
                        &text,
                        usize::from(range.start()),
                        usize::from(range.end()),
                    ))
                }
                Some(_) => {
                    map.remove(name.as_str());
                    Ok(file.to_string())
                }
                None => Ok(document.to_string()),
            },
            Some(live) => {
                let old = map.get(name.as_str());
                if matches!(old, Some(YamlNode::Alias(_))) {
                    return Err(fail(
                        "its value comes from an anchor (*alias) that other fields share; edit it by hand",
                    ));
                }
                set_in_mapping(map, name, old.as_ref(), live)?;
                Ok(file.to_string())
            }
        },
        (YamlNode::Sequence(seq), segment) => {
            let index = item_index(at, segment);
            match (&edit.live, index) {
                (None, Some(i)) => {
                    seq.remove(i);
                    Ok(file.to_string())
                }
                (None, None) => Ok(document.to_string()),
                (Some(live), Some(i)) => {
                    let old = seq.get(i);
                    set_in_sequence(seq, i, old.as_ref(), live)?;
                    Ok(file.to_string())
                }
                (Some(live), None) => {
                    seq.push(fragment(live, seq.is_flow_style())?);
                    Ok(file.to_string())
                }
            }
        }
        _ => Err(fail("the file holds another shape there")),
    }
}

/// Whether an edit at `path` changed the document anywhere else, as kubectl reads it: the
/// value written was an anchor that aliases repeat (or an alias now points nowhere).
fn shared_elsewhere(before: &str, after: &str, path: &FieldPath) -> bool {
    let (Ok(mut before), Ok(mut after)) = (crate::yaml::read(before), crate::yaml::read(after))
    else {
        return true;
    };
    path.copy_between(&Value::Null, &mut before);
    path.copy_between(&Value::Null, &mut after);
    prune_empty(&mut before);
    prune_empty(&mut after);
    before != after
}

/// Drops empty mappings inside `value`: a parent the edit wrote for its field is not a
/// change elsewhere.
fn prune_empty(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.values_mut().for_each(prune_empty);
            map.retain(|_, v| !matches!(v, Value::Object(m) if m.is_empty()));
        }
        Value::Array(items) => items.iter_mut().for_each(prune_empty),
        _ => {}
    }
}

/// The position of the list item a segment names, in the document's JSON.
fn item_index(list: &Value, segment: &Segment) -> Option<usize> {
    let items = list.as_array()?;
    match segment {
        Segment::Index(i) => (*i < items.len()).then_some(*i),
        Segment::Key(pairs) => items
            .iter()
            .position(|item| pairs.iter().all(|(k, v)| item.get(k) == Some(v))),
        Segment::Field(_) => None,
    }
}

fn set_in_mapping(
    map: &Mapping,
    name: &str,
    old: Option<&YamlNode>,
    live: &Value,
) -> Result<(), EditError> {
    match live {
        Value::Object(_) | Value::Array(_) => {
            let flow = match old {
                Some(YamlNode::Mapping(m)) => m.is_flow_style(),
                Some(YamlNode::Sequence(s)) => s.is_flow_style(),
                _ => false,
            };
            map.set(name, fragment(live, flow)?);
        }
        Value::Bool(b) => map.set(name, *b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => map.set(name, i),
            None => map.set(name, n.as_f64().unwrap_or_default()),
        },
        scalar => map.set(name, scalar_like(scalar, old)),
    }
    Ok(())
}

fn set_in_sequence(
    seq: &Sequence,
    index: usize,
    old: Option<&YamlNode>,
    live: &Value,
) -> Result<(), EditError> {
    match live {
        Value::Object(_) | Value::Array(_) => {
            let flow = seq.is_flow_style()
                || matches!(old, Some(YamlNode::Mapping(m)) if m.is_flow_style());
            seq.set(index, fragment(live, flow)?);
        }
        Value::Bool(b) => {
            seq.set(index, *b);
        }
        Value::Number(n) => {
            match n.as_i64() {
                Some(i) => seq.set(index, i),
                None => seq.set(index, n.as_f64().unwrap_or_default()),
            };
        }
        scalar => {
            seq.set(index, scalar_like(scalar, old));
        }
    }
    Ok(())
}

/// A scalar written as the one it replaces was: quoted the same way when it was quoted,
/// plain when that reads back as the same value, else double-quoted.
fn scalar_like(value: &Value, old: Option<&YamlNode>) -> ScalarValue {
    let old_text = match old {
        Some(YamlNode::Scalar(s)) => s.to_string(),
        _ => String::new(),
    };
    let old_text = old_text.trim();
    match value {
        Value::String(text) => {
            let style = if old_text.starts_with('\'') && !text.contains('\n') {
                ScalarStyle::SingleQuoted
            } else if old_text.starts_with('"') || !reads_back_plain(text) {
                ScalarStyle::DoubleQuoted
            } else {
                ScalarStyle::Plain
            };
            ScalarValue::with_style(text.clone(), style)
        }
        Value::Null => ScalarValue::null(),
        other => ScalarValue::plain(other.to_string()),
    }
}

/// Whether `text` written plain reads back, as kubectl reads YAML, as the same string.
fn reads_back_plain(text: &str) -> bool {
    !text.is_empty()
        && !text.contains(['\n', '#', '"', '\''])
        && !text.starts_with([
            ' ', '-', '?', ':', ',', '[', ']', '{', '}', '&', '*', '!', '|', '>', '%', '@', '`',
        ])
        && !text.ends_with([' ', ':'])
        && crate::yaml::read(&format!("v: {text}\n"))
            .is_ok_and(|v| v["v"] == Value::String(text.to_string()))
}

/// A mapping or list written as YAML, block style (flow style, as JSON, when `flow`), to
/// be put into the tree.
fn fragment(value: &Value, flow: bool) -> Result<YamlNode, EditError> {
    let text = if flow || !matches!(value, Value::Object(_) | Value::Array(_)) {
        value.to_string()
    } else {
        crate::yaml::to_string(value).map_err(|e| EditError::Yaml(e.to_string()))?
    };
    let doc = Document::from_str(&text).map_err(|_| EditError::Yaml("a written value".into()))?;
    doc.as_mapping()
        .map(YamlNode::Mapping)
        .or_else(|| doc.as_sequence().map(YamlNode::Sequence))
        .or_else(|| doc.as_scalar().map(YamlNode::Scalar))
        .ok_or_else(|| EditError::Yaml("a written value".into()))
}

/// `text` without the lines of the entry at `start..end`, and without the comment lines
/// right above it when they are its alone: attached to it, and not followed by a sibling
/// that they could describe too.
fn remove_lines(text: &str, start: usize, end: usize) -> String {
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    // The entry's range may end before its newline, or after trailing blank lines.
    let mut line_end = text[end..].find('\n').map_or(text.len(), |i| end + i + 1);
    while text[..line_end].ends_with("\n\n") {
        line_end -= 1;
    }
    let indent = text[line_start..start].len();
    let rest = &text[line_end..];
    let next = rest.lines().next().unwrap_or("");
    let sibling_follows = !next.trim().is_empty()
        && next.len() - next.trim_start().len() == indent
        && !next.trim_start().starts_with('#');
    let mut cut_from = line_start;
    if !sibling_follows {
        let before: Vec<&str> = text[..line_start].split_inclusive('\n').collect();
        let mut i = before.len();
        while i > 0 {
            let l = before[i - 1];
            let is_comment =
                l.trim_start().starts_with('#') && l.len() - l.trim_start().len() == indent;
            if !is_comment {
                break;
            }
            i -= 1;
            cut_from -= l.len();
        }
    }
    // A blank line that separated the field from what came before goes with it when
    // nothing of its mapping follows.
    let ends_mapping = next.trim().is_empty() && rest.len() <= next.len() + 1
        || next.starts_with("---")
        || (!next.trim().is_empty() && next.len() - next.trim_start().len() < indent);
    if ends_mapping && text[..cut_from].ends_with("\n\n") {
        cut_from -= 1;
    }
    format!("{}{}", &text[..cut_from], &text[line_end..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(path: &[&str], live: Option<Value>) -> FieldEdit {
        FieldEdit {
            path: FieldPath(path.iter().map(|p| Segment::Field(p.to_string())).collect()),
            shown: path.join("."),
            live,
        }
    }

    const TEXT: &str = "# the web tier\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web   # keep\ndata:\n  banner: \"Welcome\"   # shown on top\n  mode: 'fast'\n  size: 3\n\n  # only for the sale\n  sale: on\n---\n# second\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: other}\ndata: {a: \"1\"}\n";

    #[test]
    fn scalars_keep_their_quoting_and_the_other_documents_stay() {
        let out = edit_document(
            TEXT,
            2,
            &[
                field(&["data", "banner"], Some(json!("Back soon"))),
                field(&["data", "mode"], Some(json!("slow"))),
                field(&["data", "size"], Some(json!(5))),
            ],
        )
        .unwrap();
        let expected = TEXT
            .replace("\"Welcome\"", "\"Back soon\"")
            .replace("'fast'", "'slow'")
            .replace("size: 3", "size: 5");
        assert_eq!(out, expected);
    }

    #[test]
    fn a_removed_field_takes_its_own_comment_and_an_added_one_goes_last() {
        let out = edit_document(TEXT, 2, &[field(&["data", "sale"], None)]).unwrap();
        assert_eq!(
            out,
            TEXT.replace("\n  # only for the sale\n  sale: on\n", "")
        );
        let out = edit_document(TEXT, 15, &[field(&["data", "b"], Some(json!("true")))]).unwrap();
        assert!(out.ends_with("data: {a: \"1\", b: \"true\"}\n"), "{out}");
        assert!(out.starts_with(&TEXT[..TEXT.find("---").unwrap()]));
    }

    #[test]
    fn list_items_are_found_by_their_keys_and_anchored_values_are_refused() {
        let text = "kind: Deployment\nbase: &limits\n  cpu: 1\nspec:\n  containers:\n  - name: a\n    image: a:1\n  - name: b   # the sidecar\n    image: b:1\n    resources: *limits\n";
        let keyed = |last: &str| FieldEdit {
            path: FieldPath(vec![
                Segment::Field("spec".into()),
                Segment::Field("containers".into()),
                Segment::Key(vec![("name".into(), json!("b"))]),
                Segment::Field(last.into()),
            ]),
            shown: format!("spec.containers[name=b].{last}"),
            live: Some(json!("b:2")),
        };
        let out = edit_document(text, 1, &[keyed("image")]).unwrap();
        assert_eq!(out, text.replace("image: b:1", "image: b:2"));
        // The anchor itself, which the alias repeats: refused too.
        let err = edit_document(text, 1, &[field(&["base", "cpu"], Some(json!(2)))]).unwrap_err();
        assert!(err.to_string().contains("anchor"), "{err}");
        let whole = field(&["base"], Some(json!({"cpu": 2})));
        assert!(edit_document(text, 1, &[whole]).is_err());
        // An anchor no alias repeats is a value like any other.
        let lone = "kind: Deployment
base: &limits
  cpu: 1
";
        let out = edit_document(lone, 1, &[field(&["base", "cpu"], Some(json!(2)))]).unwrap();
        assert_eq!(out, lone.replace("cpu: 1", "cpu: 2"));
        let mut anchored = keyed("resources");
        anchored.path.0.push(Segment::Field("cpu".into()));
        let err = edit_document(text, 1, &[anchored]).unwrap_err();
        assert!(err.to_string().contains("anchor"), "{err}");
    }

    #[test]
    fn strings_that_would_read_as_other_types_are_quoted() {
        assert!(!reads_back_plain("true") && !reads_back_plain("0644") && !reads_back_plain("1.0"));
        assert!(reads_back_plain("registry.example.com/api:1.4.1"));
    }
}
