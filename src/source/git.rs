//! Reading files straight out of a Git commit with gix: resolve the ref, walk the named
//! paths of its tree, and return the manifest blobs. Nothing is checked out, so
//! uncommitted edits never count as desired state.

use std::path::{Path, PathBuf};

use super::{is_manifest_file, SourceError};

/// The manifest files of one commit.
pub struct Snapshot {
    pub commit: String,
    /// (path in the tree, contents), in tree order.
    pub files: Vec<(String, Vec<u8>)>,
}

/// A local repository, found.
pub struct Located {
    pub git_dir: PathBuf,
    pub work_tree: Option<PathBuf>,
    /// The path as the user gave it, for messages.
    pub shown: PathBuf,
}

/// Opens `repo`, or discovers the repository around the current folder.
pub fn locate(repo: Option<&Path>) -> Result<Located, SourceError> {
    let start: PathBuf = repo
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let repository = if repo.is_some() {
        gix::open(&start)
    } else {
        gix::discover(&start)
    }
    .map_err(|e| SourceError::NotARepo {
        path: start.clone(),
        message: e.to_string(),
    })?;
    Ok(Located {
        git_dir: repository.path().to_path_buf(),
        work_tree: repository.workdir().map(Path::to_path_buf),
        shown: start,
    })
}

/// The full id of the commit `rev` names in the repository at `git_dir`.
pub fn resolve(git_dir: &Path, rev: &str, shown: &Path) -> Result<String, SourceError> {
    let repository = open(git_dir)?;
    let unknown_ref = |message: String| SourceError::UnknownRef {
        repo: shown.to_path_buf(),
        rev: rev.to_string(),
        message,
    };
    let commit = repository
        .rev_parse_single(rev)
        .map_err(|e| unknown_ref(e.to_string()))?
        .object()
        .map_err(|e| unknown_ref(e.to_string()))?
        .peel_to_commit()
        .map_err(|e| unknown_ref(e.to_string()))?;
    Ok(commit.id.to_string())
}

fn open(git_dir: &Path) -> Result<gix::Repository, SourceError> {
    gix::open(git_dir).map_err(|e| SourceError::NotARepo {
        path: git_dir.to_path_buf(),
        message: e.to_string(),
    })
}

/// Reads the manifest files (every file with `all_files`) under `paths` (all of the tree
/// when empty) at `rev`, in the repository at `repo` (or around the current folder).
pub fn read_tree(
    repo: Option<&Path>,
    rev: &str,
    paths: &[String],
    all_files: bool,
) -> Result<Snapshot, SourceError> {
    let located = locate(repo)?;
    let repository = open(&located.git_dir)?;
    let id = resolve(&located.git_dir, rev, &located.shown)?;
    let git_error = |what: &str, e: &dyn std::fmt::Display| SourceError::Git {
        what: what.to_string(),
        message: e.to_string(),
    };
    let commit = repository
        .find_commit(gix::ObjectId::from_hex(id.as_bytes()).map_err(|e| git_error(&id, &e))?)
        .map_err(|e| git_error(&id, &e))?;
    let commit_id = commit.id.to_string();
    let tree = commit
        .tree()
        .map_err(|e| git_error("the commit's tree", &e))?;

    let wanted: Vec<String> = if paths.is_empty() {
        vec![String::new()]
    } else {
        paths.iter().map(|p| normalize_path(p)).collect()
    };
    let mut files = Vec::new();
    for path in &wanted {
        let (subtree, prefix) = if path.is_empty() {
            (tree.clone(), String::new())
        } else {
            let entry = tree
                .lookup_entry_by_path(path)
                .map_err(|e| git_error(path, &e))?
                .ok_or_else(|| SourceError::PathNotInTree {
                    path: path.clone(),
                    commit: super::short_commit(&commit_id).to_string(),
                })?;
            if !entry.mode().is_tree() {
                let blob = repository
                    .find_blob(entry.oid())
                    .map_err(|e| git_error(path, &e))?;
                files.push((path.clone(), blob.data.clone()));
                continue;
            }
            let subtree = repository
                .find_tree(entry.oid())
                .map_err(|e| git_error(path, &e))?;
            (subtree, format!("{path}/"))
        };
        let entries = subtree
            .traverse()
            .breadthfirst
            .files()
            .map_err(|e| git_error(path, &e))?;
        for entry in entries {
            let name = format!("{prefix}{}", entry.filepath);
            if !entry.mode.is_blob() || !(all_files || is_manifest_file(&name)) {
                continue;
            }
            let blob = repository
                .find_blob(entry.oid)
                .map_err(|e| git_error(&name, &e))?;
            files.push((name, blob.data.clone()));
        }
    }
    Ok(Snapshot {
        commit: commit_id,
        files,
    })
}

/// `./k8s/prod/` → `k8s/prod`: tree paths have no leading `./` and no trailing slash.
pub fn normalize_path(path: &str) -> String {
    let trimmed = path.trim_start_matches("./").trim_end_matches('/');
    if trimmed == "." {
        String::new()
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::normalize_path;

    #[test]
    fn normalizes_tree_paths() {
        assert_eq!(normalize_path("./k8s/prod/"), "k8s/prod");
        assert_eq!(normalize_path("."), "");
        assert_eq!(normalize_path("app.yaml"), "app.yaml");
    }
}
