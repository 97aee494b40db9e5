//! Kustomize: a `--path` folder holding a kustomization is rendered with `kubectl
//! kustomize` instead of read file by file. For Git, the commit's tree is written to a
//! private temporary folder first, and kustomize is asked to annotate every object with
//! the file it came from, so that origins point at the source file, not only the
//! kustomization.

use std::path::Path;

use serde_json::Value;

use super::{manifest, DesiredObject, Origin, SourceError};
use crate::runner::{self, Program};

/// The most output one kustomization may render: as much as a chart.
const MAX_RENDERED_BYTES: u64 = 256 << 20;

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
    let rendered = run_kustomize(&tree.join(&folder), kustomization)?;
    let mut objects = manifest::parse(kustomization, rendered.as_bytes(), commit)?;
    for object in &mut objects {
        let mut manifest = object.manifest();
        let source = take_origin_annotation(&mut manifest);
        let origin = if let Some(source) = source {
            let path = normalize(&if folder.is_empty() {
                source.clone()
            } else {
                format!("{folder}/{source}")
            });
            let line = line_in(sources, &path, &manifest).unwrap_or(1);
            Origin {
                file: path,
                line,
                commit: commit.map(str::to_string),
            }
        } else {
            Origin {
                line: 1,
                ..object.origin.clone()
            }
        };
        *object = DesiredObject::new(&manifest, origin);
    }
    Ok(objects)
}

/// Kustomization fields that list files or folders kustomize loads, and may name a URL.
const LOADED_LISTS: &[&str] = &[
    "resources",
    "bases",
    "components",
    "crds",
    "configurations",
    "generators",
    "transformers",
    "validators",
    "patchesStrategicMerge",
];
/// Kustomization fields whose items load a file named by their `path`.
const LOADED_PATHS: &[&str] = &["patches", "patchesJson6902", "replacements"];
/// The generators whose items load `files`, `envs` and `env`.
const GENERATORS: &[&str] = &["configMapGenerator", "secretGenerator"];

/// Refuses a kustomization that would make kustomize reach the network (a remote base or
/// resource, a URL among the files it loads, a Helm chart from a repository) or a folder
/// outside `root`: checked for the kustomization at `kustomization` (a path inside `root`;
/// empty when `root` holds it) and every local base and component it uses, before kustomize
/// runs. kustomize's own checks keep files within each kustomization's folder.
pub fn refuse_remote(root: &Path, kustomization: &str, confine: bool) -> Result<(), SourceError> {
    let start = root.join(kustomization);
    let start = if kustomization.is_empty() {
        start
    } else {
        start.parent().map(Path::to_path_buf).unwrap_or(start)
    };
    let mut queue = vec![start];
    let mut seen = std::collections::HashSet::new();
    while let Some(folder) = queue.pop() {
        if !seen.insert(folder.clone()) {
            continue;
        }
        let Some(path) = FILE_NAMES
            .iter()
            .map(|n| folder.join(n))
            .find(|p| p.is_file())
        else {
            continue;
        };
        // A Git kustomization is named by its path in the tree.
        let file = match path.strip_prefix(root) {
            Ok(relative) if confine => relative.display().to_string(),
            _ => path.display().to_string(),
        };
        // What kustomize can't read, it reports itself; what it can but this reader can't
        // is refused, so that no remote entry passes unseen.
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let config = crate::yaml::read(&text).map_err(|e| SourceError::Yaml {
            file: file.clone(),
            line: e.line,
            column: e.column,
            message: e.kind.to_string(),
        })?;
        let refuse = |field: &str, entry: &str| SourceError::RemoteBase {
            file: file.clone(),
            field: field.to_string(),
            entry: entry.to_string(),
        };
        let strings = |value: Option<&serde_json::Value>| -> Vec<String> {
            match value {
                Some(serde_json::Value::Array(items)) => items
                    .iter()
                    .filter_map(|i| i.as_str().map(str::to_string))
                    .collect(),
                Some(serde_json::Value::String(s)) => vec![s.clone()],
                _ => Vec::new(),
            }
        };
        for field in LOADED_LISTS {
            for entry in strings(config.get(field)) {
                // patchesStrategicMerge also takes patches written inline.
                if entry.contains('\n') {
                    continue;
                }
                let local = lexical(&folder.join(&entry));
                let outside = !local.starts_with(root);
                let exists = !(confine && outside) && local.exists();
                if is_remote(&entry) || (!exists && looks_like_host(&entry)) {
                    return Err(refuse(field, &entry));
                }
                if confine && outside {
                    return Err(SourceError::OutsideRepo {
                        path: format!("{file}: {field} entry {entry:?}"),
                        message: "it leads out of the repository".into(),
                    });
                }
                if local.is_dir() {
                    queue.push(local);
                }
            }
        }
        for field in LOADED_PATHS {
            if let Some(serde_json::Value::Array(items)) = config.get(field) {
                for item in items {
                    for entry in strings(item.get("path")) {
                        if is_remote(&entry) {
                            return Err(refuse(&format!("{field} path"), &entry));
                        }
                    }
                }
            }
        }
        for field in GENERATORS {
            if let Some(serde_json::Value::Array(items)) = config.get(field) {
                for item in items {
                    let files = ["files", "envs", "env"]
                        .iter()
                        .flat_map(|key| strings(item.get(key)));
                    for entry in files {
                        let path = entry.split_once('=').map_or(entry.as_str(), |(_, p)| p);
                        if is_remote(path) {
                            return Err(refuse(field, &entry));
                        }
                    }
                }
            }
        }
        if let Some(serde_json::Value::Array(charts)) = config.get("helmCharts") {
            for chart in charts {
                let repo = strings(chart.get("repo"));
                let name = strings(chart.get("name"));
                if let Some(entry) = repo.first().or(name.first().filter(|n| is_remote(n))) {
                    return Err(refuse("helmCharts", entry));
                }
            }
        }
        if let Some(path) = config.get("openapi").and_then(|o| o.get("path")) {
            for entry in strings(Some(path)) {
                if is_remote(&entry) {
                    return Err(refuse("openapi path", &entry));
                }
            }
        }
    }
    Ok(())
}

/// URLs and the repository forms kustomize clones: `https://…`, `ssh://…`, `file://…`,
/// `git::…`, `git@host:…`, `github.com/…` and the like.
fn is_remote(entry: &str) -> bool {
    let lower = entry.trim().to_ascii_lowercase();
    lower.contains("://")
        || lower.starts_with("git::")
        || lower.starts_with("git@")
        || lower.starts_with("gh:")
        || lower.contains("?ref=")
        || lower.contains("?version=")
        || lower.contains("/_git/")
        || ["github.com", "gitlab.com", "bitbucket.org", "dev.azure.com"]
            .iter()
            .any(|host| {
                lower.starts_with(&format!("{host}/")) || lower.starts_with(&format!("{host}:"))
            })
}

/// `host.name/org/repo`: what kustomize tries to clone when no such local path exists.
fn looks_like_host(entry: &str) -> bool {
    let first = entry.split('/').next().unwrap_or_default();
    entry.contains('/') && first.contains('.') && !first.starts_with('.')
}

/// `a/b/../c` → `a/c`, without looking at the disk (nothing written from Git is a symlink).
fn lexical(path: &Path) -> std::path::PathBuf {
    let mut out = std::path::PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Renders a kustomization folder on disk as it is (for `-f`): origins name the kustomization.
pub fn render_folder(folder: &Path) -> Result<Vec<DesiredObject>, SourceError> {
    let label = folder.display().to_string();
    let rendered = run_kustomize(folder, &label)?;
    let mut objects = manifest::parse(&label, rendered.as_bytes(), None)?;
    for object in &mut objects {
        object.origin.line = 1;
    }
    Ok(objects)
}

/// Runs `kubectl kustomize` over `folder` for `subject` (the kustomization or folder named
/// in messages), bounded as every render: a deadline, a cap on output, no standard input,
/// and an environment of the runner's allow list only (no `KUSTOMIZE_*`, no kubeconfig:
/// rendering reaches no cluster).
fn run_kustomize(folder: &Path, subject: &str) -> Result<String, SourceError> {
    let deadline = runner::render_deadline().map_err(|e| SourceError::Kustomize {
        path: subject.to_string(),
        message: e.to_string(),
    })?;
    Ok(Program::new("kubectl", "kubectl kustomize", subject)
        .arg("kustomize")
        .operand(folder)
        .deadline(deadline)
        .max_stdout(MAX_RENDERED_BYTES)
        .hint_missing(
            "kustomizations are rendered with kubectl (https://kubernetes.io/docs/tasks/tools/)",
        )
        .hint_deadline(runner::RENDER_DEADLINE_HINT)
        .run_text()?)
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
            Some(o.kind()) == object["kind"].as_str()
                && Some(o.name()) == object["metadata"]["name"].as_str()
        })
        .map(|o| o.origin.line)
}

/// `a/./b/../c.yaml` → `a/c.yaml`.
pub fn normalize(path: &str) -> String {
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
