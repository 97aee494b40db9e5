//! Splitting a file into Kubernetes objects: multi-document YAML, JSON and `kind: List`,
//! each object remembering the line its document starts on. Documents that are not
//! Kubernetes objects (no apiVersion or kind, or kustomize's own config) are left out.

use serde_json::Value;

use super::{DesiredObject, Origin, SourceError};

/// API groups whose objects configure tools and never reach a cluster.
const TOOL_GROUPS: &[&str] = &["kustomize.config.k8s.io", "config.kubernetes.io"];

/// Parses one file into its Kubernetes objects.
pub fn parse(
    file: &str,
    bytes: &[u8],
    commit: Option<&str>,
) -> Result<Vec<DesiredObject>, SourceError> {
    let text = std::str::from_utf8(bytes).map_err(|e| SourceError::Invalid {
        file: file.to_string(),
        line: 1,
        message: format!("not UTF-8 text: {e}"),
    })?;
    let mut objects = Vec::new();
    if file.ends_with(".json") {
        let value: Value = serde_json::from_str(text).map_err(|e| SourceError::Json {
            file: file.to_string(),
            line: e.line(),
            message: e.to_string(),
        })?;
        collect(file, 1, commit, value, &mut objects)?;
        return Ok(objects);
    }
    for (line, doc) in split_documents(text) {
        let value: Value = serde_yaml::from_str(doc).map_err(|e| {
            let (l, c) = e
                .location()
                .map(|loc| (loc.line(), loc.column()))
                .unwrap_or((1, 1));
            SourceError::Yaml {
                file: file.to_string(),
                line: line + l - 1,
                column: c,
                message: strip_location(&e.to_string()),
            }
        })?;
        collect(file, line, commit, value, &mut objects)?;
    }
    Ok(objects)
}

fn collect(
    file: &str,
    line: usize,
    commit: Option<&str>,
    value: Value,
    out: &mut Vec<DesiredObject>,
) -> Result<(), SourceError> {
    let Value::Object(map) = &value else {
        return Ok(());
    };
    let (Some(api_version), Some(kind)) = (
        map.get("apiVersion").and_then(Value::as_str),
        map.get("kind").and_then(Value::as_str),
    ) else {
        return Ok(());
    };
    let group = api_version.split_once('/').map(|(g, _)| g).unwrap_or("");
    if TOOL_GROUPS.contains(&group) {
        return Ok(());
    }
    let invalid = |message: String| SourceError::Invalid {
        file: file.to_string(),
        line,
        message,
    };
    if kind == "List" || kind.ends_with("List") && map.contains_key("items") {
        let items = map
            .get("items")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for item in items {
            collect(file, line, commit, item, out)?;
        }
        return Ok(());
    }
    let name = value["metadata"]["name"].as_str().unwrap_or_default();
    if name.is_empty() {
        return Err(invalid(format!("{kind} has no metadata.name")));
    }
    out.push(DesiredObject {
        manifest: value,
        origin: Origin {
            file: file.to_string(),
            line,
            commit: commit.map(str::to_string),
        },
    });
    Ok(())
}

/// Splits YAML text at `---` lines, returning each document with its 1-based first line.
fn split_documents(text: &str) -> Vec<(usize, &str)> {
    let mut docs = Vec::new();
    let mut start_byte = 0;
    let mut start_line = 1;
    let mut offset = 0;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let bare = line.trim_end();
        if bare == "---" || bare.starts_with("--- ") || bare == "..." {
            docs.push((start_line, &text[start_byte..offset]));
            start_byte = offset + line.len();
            start_line = index + 2;
        }
        offset += line.len();
    }
    docs.push((start_line, &text[start_byte..]));
    docs.into_iter()
        .filter_map(|(line, doc)| {
            // Report the line of the first real content, which is what an editor jumps to.
            let skipped = doc
                .lines()
                .take_while(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
                .count();
            if skipped == doc.lines().count() {
                None
            } else {
                Some((line + skipped, doc))
            }
        })
        .collect()
}

/// serde_yaml appends "at line L column C" relative to the document; we print our own.
fn strip_location(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_documents_and_keeps_lines() {
        let text = "# header\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n---\nfoo: bar\n";
        let objects = parse("cm.yaml", text.as_bytes(), Some("abcdef0123")).unwrap();
        assert_eq!(objects.len(), 2);
        assert_eq!(objects[0].name(), "a");
        assert_eq!(objects[0].origin.line, 2);
        assert_eq!(objects[1].name(), "b");
        assert_eq!(objects[1].origin.line, 8);
        assert_eq!(objects[1].origin.label(), "cm.yaml:8 @ abcdef0");
    }

    #[test]
    fn reads_lists_and_json() {
        let json = r#"{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Service","metadata":{"name":"s"}}]}"#;
        let objects = parse("l.json", json.as_bytes(), None).unwrap();
        assert_eq!(objects.len(), 1);
        assert_eq!(objects[0].kind(), "Service");
    }

    #[test]
    fn skips_kustomize_config_and_plain_yaml() {
        let text = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]\n";
        assert!(parse("kustomization.yaml", text.as_bytes(), None)
            .unwrap()
            .is_empty());
        assert!(parse("values.yaml", b"replicas: 3\n", None)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn malformed_yaml_names_file_line_and_column() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [b\n";
        let err = parse("bad.yaml", text.as_bytes(), None)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("bad.yaml:"), "{err}");
        let line: usize = err.split(':').nth(1).unwrap().parse().unwrap();
        assert!(line >= 9, "{err}");
    }

    #[test]
    fn missing_name_is_an_error() {
        let err = parse("x.yaml", b"apiVersion: v1\nkind: ConfigMap\n", None).unwrap_err();
        assert_eq!(err.to_string(), "x.yaml:1: ConfigMap has no metadata.name");
    }
}
