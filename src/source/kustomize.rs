//! Kustomize: a `--path` folder holding a kustomization is rendered with `kubectl
//! kustomize` instead of read file by file. For Git, the commit's tree is written to a
//! private temporary folder first, and kustomize is asked to annotate every object with
//! the file it came from, so that origins point at the source file, not only the
//! kustomization.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use super::{manifest, DesiredObject, Origin, SourceError};

/// The names kustomize looks for in a folder.
pub const FILE_NAMES: &[&str] = &["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// The annotation kustomize writes with `buildMetadata: [originAnnotations]`.
const ORIGIN_ANNOTATION: &str = "config.kubernetes.io/origin";

/// The kustomization file in `folder` (a tree path, "" for the root), among `files`.
pub fn kustomization_in<'a>(
    folder: &str,
    files: impl IntoIterator<Item = &'a String>,
) -> Option<String> {
    let files: Vec<&String> = files.into_iter().collect();
    FILE_NAMES.iter().find_map(|name| {
        let path = if folder.is_empty() {
            name.to_string()
        } else {
            format!("{folder}/{name}")
        };
        files.iter().any(|f| **f == path).then_some(path)
    })
}

/// Renders the kustomization at `kustomization` (a path inside `tree`, a folder holding
/// the whole commit) and returns its objects, each with its origin.
pub fn render_tree(
    tree: &Path,
    kustomization: &str,
    commit: Option<&str>,
    sources: &[(String, Vec<u8>)],
) -> Result<Vec<DesiredObject>, SourceError> {
    let file = tree.join(kustomization);
    let folder = Path::new(kustomization)
        .parent()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default();
    let fail = |message: String| SourceError::Kustomize {
        path: kustomization.to_string(),
        message,
    };
    // Ask kustomize to say where each object came from; this copy is private.
    let text = std::fs::read_to_string(&file).map_err(|e| fail(e.to_string()))?;
    let config =
        crate::yaml::read(&text).map_err(|e| fail(format!("line {}: {}", e.line, e.kind)))?;
    // kustomize reads its file as YAML 1.2, so the text stays as it is and the setting is
    // appended; only a flow-style file, or one with buildMetadata of its own, is rewritten.
    let flow = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .is_some_and(|l| l.starts_with('{'));
    let text = match config {
        Value::Object(map) if !flow && !map.contains_key("buildMetadata") => {
            let newline = if text.is_empty() || text.ends_with('\n') {
                ""
            } else {
                "\n"
            };
            format!("{text}{newline}buildMetadata: [originAnnotations]\n")
        }
        Value::Object(mut map) => {
            map.insert(
                "buildMetadata".into(),
                serde_json::json!(["originAnnotations"]),
            );
            crate::yaml::to_string(&map).map_err(fail)?
        }
        _ => text,
    };
    std::fs::write(&file, text).map_err(|e| fail(e.to_string()))?;
    let rendered = run_kustomize(&tree.join(&folder)).map_err(fail)?;
    let mut objects = manifest::parse(kustomization, rendered.as_bytes(), commit)?;
    for object in &mut objects {
        let source = take_origin_annotation(&mut object.manifest);
        if let Some(source) = source {
            let path = normalize(&if folder.is_empty() {
                source.clone()
            } else {
                format!("{folder}/{source}")
            });
            let line = line_in(sources, &path, &object.manifest).unwrap_or(1);
            object.origin = Origin {
                file: path,
                line,
                commit: commit.map(str::to_string),
            };
        } else {
            object.origin.line = 1;
        }
    }
    Ok(objects)
}

/// Renders a kustomization folder on disk as it is (for `-f`): origins name the kustomization.
pub fn render_folder(folder: &Path) -> Result<Vec<DesiredObject>, SourceError> {
    let label = folder.display().to_string();
    let rendered = run_kustomize(folder).map_err(|message| SourceError::Kustomize {
        path: label.clone(),
        message,
    })?;
    let mut objects = manifest::parse(&label, rendered.as_bytes(), None)?;
    for object in &mut objects {
        object.origin.line = 1;
    }
    Ok(objects)
}

fn run_kustomize(folder: &Path) -> Result<String, String> {
    let out = Command::new("kubectl")
        .arg("kustomize")
        .arg(folder)
        .output()
        .map_err(|e| format!("cannot run kubectl kustomize: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    String::from_utf8(out.stdout).map_err(|e| e.to_string())
}

/// Removes kustomize's origin annotation and returns the source path it names.
fn take_origin_annotation(object: &mut Value) -> Option<String> {
    let annotations = object["metadata"]["annotations"].as_object_mut()?;
    let origin = annotations.remove(ORIGIN_ANNOTATION)?;
    if annotations.is_empty() {
        if let Some(meta) = object["metadata"].as_object_mut() {
            meta.remove("annotations");
        }
    }
    let origin = crate::yaml::read(origin.as_str()?).ok()?;
    origin.get("path")?.as_str().map(str::to_string)
}

/// The line where the object with this kind and name starts in the source file.
fn line_in(sources: &[(String, Vec<u8>)], path: &str, object: &Value) -> Option<usize> {
    let (_, bytes) = sources.iter().find(|(p, _)| p == path)?;
    let objects = manifest::parse(path, bytes, None).ok()?;
    objects
        .iter()
        .find(|o| {
            o.manifest["kind"] == object["kind"]
                && o.manifest["metadata"]["name"] == object["metadata"]["name"]
        })
        .map(|o| o.origin.line)
}

/// `a/./b/../c.yaml` → `a/c.yaml`.
fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_kustomizations_and_normalizes_paths() {
        let files = vec![
            "base/kustomization.yaml".to_string(),
            "base/app.yaml".to_string(),
        ];
        assert_eq!(
            kustomization_in("base", &files).as_deref(),
            Some("base/kustomization.yaml")
        );
        assert_eq!(kustomization_in("", &files), None);
        assert_eq!(
            normalize("overlays/prod/../../base/./app.yaml"),
            "base/app.yaml"
        );
    }
}
