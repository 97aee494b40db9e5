//! Splitting a file into Kubernetes objects: multi-document YAML (read as kubectl reads
//! it, see `crate::yaml`), JSON and `kind: List`, each object remembering the line its
//! document starts on. Documents that are not Kubernetes objects (no apiVersion or kind,
//! or kustomize's own config) are left out.

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
    let yaml_error = |e: crate::yaml::Error| SourceError::Yaml {
        file: file.to_string(),
        line: e.line,
        column: e.column,
        message: e.kind.to_string(),
    };
    let text = crate::yaml::decode(bytes).map_err(yaml_error)?;
    let mut objects = Vec::new();
    if file.ends_with(".json") {
        let value: Value = serde_json::from_str(&text).map_err(|e| SourceError::Json {
            file: file.to_string(),
            line: e.line(),
            message: e.to_string(),
        })?;
        collect(file, 1, commit, value, &mut objects)?;
        return Ok(objects);
    }
    for document in crate::yaml::read_stream(&text).map_err(yaml_error)? {
        collect(file, document.line, commit, document.value, &mut objects)?;
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
