//! Splitting a file into Kubernetes objects: multi-document YAML, JSON and `kind: List`,
//! each object remembering the line its document starts on. Documents that are not
//! Kubernetes objects (no apiVersion or kind, or kustomize's own config) are left out.

use serde_json::Value;

use super::{DesiredObject, Origin, SourceError};
use crate::yaml::redact_message;

/// API groups whose objects configure tools and never reach a cluster.
const TOOL_GROUPS: &[&str] = &["kustomize.config.k8s.io", "config.kubernetes.io"];

/// One file's objects, and the documents in it that are not Kubernetes objects.
#[derive(Debug, Default)]
pub struct Parsed {
    pub objects: Vec<DesiredObject>,
    /// First lines of documents left out: not objects, and not like one (plain data,
    /// kustomize's own config).
    pub skipped: Vec<usize>,
}

/// Parses one file into its Kubernetes objects.
pub fn parse(
    file: &str,
    bytes: &[u8],
    commit: Option<&str>,
) -> Result<Vec<DesiredObject>, SourceError> {
    Ok(parse_counted(file, bytes, commit)?.objects)
}

/// Parses one file into its Kubernetes objects, noting the documents left out. A document
/// that looks like an object (it has `kind` or `metadata`, or a key spelled nearly like
/// `apiVersion` or `kind`) but lacks `apiVersion` or `kind` is an error, not left out.
pub fn parse_counted(
    file: &str,
    bytes: &[u8],
    commit: Option<&str>,
) -> Result<Parsed, SourceError> {
    let yaml_error = |e: crate::yaml::Error| SourceError::Yaml {
        file: file.to_string(),
        line: e.line,
        column: e.column,
        message: e.kind.to_string(),
    };
    if bytes.len() > super::MAX_RENDERED_BYTES {
        return Err(SourceError::TooLarge {
            path: file.to_string(),
            what: "a manifest stream",
            size: bytes.len() as u64,
            limit: super::MAX_RENDERED_BYTES as u64,
        });
    }
    let text = crate::yaml::decode(bytes).map_err(yaml_error)?;
    let mut parsed = Parsed::default();
    if file.ends_with(".json") {
        let value: Value = serde_json::from_str(&text).map_err(|e| SourceError::Json {
            file: file.to_string(),
            line: e.line(),
            message: redact_message(&e.to_string()),
        })?;
        let before = parsed.objects.len();
        collect(file, 1, &text, commit, value, &mut parsed.objects)?;
        if parsed.objects.len() == before {
            parsed.skipped.push(1);
        }
        return Ok(parsed);
    }
    for document in crate::yaml::read_stream(&text).map_err(yaml_error)? {
        let before = parsed.objects.len();
        let rest = from_line(&text, document.line);
        collect(
            file,
            document.line,
            rest,
            commit,
            document.value,
            &mut parsed.objects,
        )?;
        if parsed.objects.len() == before {
            parsed.skipped.push(document.line);
        }
    }
    Ok(parsed)
}

/// The text from 1-based `line` on: where a document's content starts.
fn from_line(text: &str, line: usize) -> &str {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    &text[start.min(text.len())..]
}

fn collect(
    file: &str,
    line: usize,
    doc: &str,
    commit: Option<&str>,
    value: Value,
    out: &mut Vec<DesiredObject>,
) -> Result<(), SourceError> {
    let Value::Object(map) = &value else {
        return Ok(());
    };
    let invalid = |line: usize, message: String| SourceError::Invalid {
        file: file.to_string(),
        line,
        message,
    };
    let (Some(api_version), Some(kind)) = (
        map.get("apiVersion").and_then(Value::as_str),
        map.get("kind").and_then(Value::as_str),
    ) else {
        return match not_quite_an_object(map) {
            Some((key, message)) => {
                // `line` is the document's first line of content; `doc` may start before it.
                let leading = doc
                    .lines()
                    .take_while(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
                    .count();
                let at = key_line(doc, &key).map_or(line, |l| line + l.saturating_sub(leading));
                Err(invalid(at, message))
            }
            None => Ok(()),
        };
    };
    let group = api_version.split_once('/').map(|(g, _)| g).unwrap_or("");
    if TOOL_GROUPS.contains(&group) {
        return Ok(());
    }
    if kind == "List" || kind.ends_with("List") && map.contains_key("items") {
        let items = map
            .get("items")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for (i, item) in items.into_iter().enumerate() {
            let count = out.len();
            collect(file, line, "", commit, item, out)?;
            if out.len() == count {
                return Err(invalid(
                    line,
                    format!("item {i} of the {kind} is not a Kubernetes object (it needs apiVersion and kind)"),
                ));
            }
        }
        return Ok(());
    }
    let name = value["metadata"]["name"].as_str().unwrap_or_default();
    if name.is_empty() {
        return Err(invalid(line, format!("{kind} has no metadata.name")));
    }
    let object = DesiredObject::new(
        &value,
        Origin {
            file: file.to_string(),
            line,
            commit: commit.map(str::to_string),
        },
    );
    if object.json.len() > super::MAX_OBJECT_BYTES {
        return Err(SourceError::TooLarge {
            path: format!("{file}:{line}"),
            what: "an object",
            size: object.json.len() as u64,
            limit: super::MAX_OBJECT_BYTES as u64,
        });
    }
    out.push(object);
    Ok(())
}

/// For a mapping without a string `apiVersion` and `kind`: the key at fault and what is
/// wrong, when it still looks like a Kubernetes object (a misspelled `apiVersion` or `kind`,
/// or one of them, or `metadata`, present without the other). `None` for plain data.
fn not_quite_an_object(map: &serde_json::Map<String, Value>) -> Option<(String, String)> {
    for key in map.keys() {
        let folded: String = key
            .chars()
            .filter(|c| !matches!(c, '_' | '-' | ' '))
            .flat_map(char::to_lowercase)
            .collect();
        if key != "apiVersion" && edits(&folded, "apiversion") <= 2 {
            return Some((key.clone(), format!("{key:?} is not a Kubernetes field: did you mean apiVersion? (keys are case-sensitive)")));
        }
        if key != "kind" && (folded == "kind" || (key.len() != 4 && edits(&folded, "kind") <= 1)) {
            return Some((key.clone(), format!("{key:?} is not a Kubernetes field: did you mean kind? (keys are case-sensitive)")));
        }
    }
    let has = |key: &str| map.contains_key(key);
    let looks_like = has("kind") || has("metadata") || (has("apiVersion") && has("spec"));
    if !looks_like {
        return None;
    }
    for key in ["apiVersion", "kind"] {
        match map.get(key) {
            None => {
                return Some((
                    String::new(),
                    format!("this document looks like a Kubernetes object but has no {key}"),
                ))
            }
            Some(v) if !v.is_string() => {
                return Some((key.to_string(), format!("{key} must be a string")))
            }
            Some(_) => {}
        }
    }
    None
}

/// Levenshtein distance, for short keys.
fn edits(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = (previous + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(current + 1);
            previous = current;
        }
    }
    row[b.len()]
}

/// The 0-based offset of the first line in `doc` where `key` starts a mapping entry.
fn key_line(doc: &str, key: &str) -> Option<usize> {
    if key.is_empty() {
        return None;
    }
    let quoted = format!("\"{key}\"");
    doc.lines().position(|l| {
        let l = l.trim_start().trim_start_matches(['{', '-', ' ']);
        [key, quoted.as_str()].iter().any(|k| {
            l.strip_prefix(k)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
    })
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
    fn a_kept_manifest_reads_back_exactly_as_parsed() {
        // Kept as compact JSON: every value, number type and key order must come back.
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: ns\n  labels: {z: '1', a: 'x'}\ndata: {mode: 0644, on: yes, big: 18446744073709551615, neg: -9223372036854775808, f: 0.1, e: 1.5e300, u: \"\\u00e9\\t\\\"\", nil: ~, list: [1, -0.0, {b: 2, a: 1}]}\n";
        let objects = parse("cm.yaml", text.as_bytes(), None).unwrap();
        let expected = crate::yaml::read(text).unwrap();
        let manifest = objects[0].manifest();
        assert_eq!(manifest, expected);
        assert_eq!(manifest.to_string(), expected.to_string());
        assert_eq!(
            (objects[0].api_version(), objects[0].kind()),
            ("v1", "ConfigMap")
        );
        assert_eq!(
            (objects[0].name(), objects[0].namespace()),
            ("a", Some("ns"))
        );
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
    fn parse_messages_quote_nothing_from_the_file() {
        assert_eq!(
            redact_message("invalid type: string \"eyJhbGciOi\\\"x\", expected struct RawConfig at line 1 column 1"),
            "invalid type: string …, expected struct RawConfig"
        );
        assert_eq!(
            redact_message("unknown field `password`, expected one of `targets`, `ignore`"),
            "unknown field …, expected one of `targets`, `ignore`"
        );
        assert_eq!(
            redact_message("mapping values are not allowed in this context"),
            "mapping values are not allowed in this context"
        );
    }

    #[test]
    fn near_objects_are_errors_with_their_line() {
        let err = |text: &str| {
            parse("m.yaml", text.as_bytes(), None)
                .unwrap_err()
                .to_string()
        };
        let typo = err("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n# b\napiversion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n");
        assert!(typo.starts_with("m.yaml:7: \"apiversion\""), "{typo}");
        let no_kind = err("# x\napiVersion: v1\nmetadata:\n  name: b\ndata: {a: b}\n");
        assert!(
            no_kind.starts_with("m.yaml:2: ") && no_kind.contains("no kind"),
            "{no_kind}"
        );
        let kind_case = err("apiVersion: v1\nKind: ConfigMap\nmetadata: {name: c}\n");
        assert!(kind_case.starts_with("m.yaml:2: \"Kind\""), "{kind_case}");
        let list =
            err("apiVersion: v1\nkind: List\nitems:\n- kind: ConfigMap\n  metadata: {name: d}\n");
        assert!(
            list.starts_with("m.yaml:1: ") && list.contains("no apiVersion"),
            "{list}"
        );
        // Plain data and a chart's metadata are not objects: left out, and noted.
        let parsed = parse_counted(
            "v.yaml",
            b"apiVersion: v2\nname: chart\nversion: 1.0.0\n---\nreplicas: 3\n",
            None,
        )
        .unwrap();
        assert!(parsed.objects.is_empty());
        assert_eq!(parsed.skipped, vec![1, 5]);
    }

    #[test]
    fn missing_name_is_an_error() {
        let err = parse("x.yaml", b"apiVersion: v1\nkind: ConfigMap\n", None).unwrap_err();
        assert_eq!(err.to_string(), "x.yaml:1: ConfigMap has no metadata.name");
    }

    #[test]
    fn objects_and_streams_over_their_caps_are_refused_by_name() {
        let huge = "x".repeat(super::super::MAX_OBJECT_BYTES);
        let text = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  v: {huge}\n"
        );
        let err = parse("k8s/x.yaml", text.as_bytes(), None).unwrap_err();
        let message = err.to_string();
        assert!(
            message.starts_with("k8s/x.yaml:6: an object of "),
            "{message}"
        );
        assert!(message.contains("over the limit of 3 MiB"), "{message}");
        assert!(!message.contains("xxxx"), "{message}");
        let stream = vec![b'#'; super::super::MAX_RENDERED_BYTES + 1];
        let err = parse("rendered", &stream, None).unwrap_err();
        assert!(
            err.to_string().contains("over the limit of 64 MiB"),
            "{err}"
        );
    }
}
