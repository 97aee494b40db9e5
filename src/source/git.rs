//! Reading files straight out of a Git commit with gix: resolve the ref, walk the named
//! paths of its tree, and return the manifest blobs. Nothing is checked out, so
//! uncommitted edits never count as desired state.

use std::path::{Path, PathBuf};

use super::{is_manifest_file, SourceError};
pub use crate::settings::paths::{normalize_path, unsafe_characters};

/// The manifest files of one commit.
pub struct Snapshot {
    pub commit: String,
    /// (path in the tree, contents), in tree order.
    pub files: Vec<(String, Vec<u8>)>,
    /// Symlinks met (with a manifest's name, or any with `all_files`): never followed.
    pub symlinks: Vec<String>,
    /// Submodules (commit entries) met: their files are in another repository.
    pub submodules: Vec<String>,
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
    let short = super::short_commit(&commit_id).to_string();
    let mut snapshot = Snapshot {
        commit: commit_id.clone(),
        files: Vec::new(),
        symlinks: Vec::new(),
        submodules: Vec::new(),
    };
    let mut budget = super::MAX_TREE_BYTES;
    for path in &wanted {
        check_path(path)?;
        // Down the path one entry at a time, so that a submodule on the way is named
        // rather than looked into.
        let mut current = tree.clone();
        let mut walked = String::new();
        let components: Vec<&str> = path.split('/').filter(|c| !c.is_empty()).collect();
        let mut leaf = None;
        for (i, component) in components.iter().enumerate() {
            let not_in_tree = || SourceError::PathNotInTree {
                path: path.clone(),
                commit: short.clone(),
            };
            let entry = current.find_entry(*component).ok_or_else(not_in_tree)?;
            let (mode, oid) = (entry.mode(), entry.oid().to_owned());
            checked_name(entry.filename(), mode, &walked, &short)?;
            walked = join(&walked, component);
            let last = i + 1 == components.len();
            if mode.is_commit() {
                return Err(SourceError::Submodule {
                    path: path.clone(),
                    submodule: walked,
                });
            }
            if last && !mode.is_tree() {
                leaf = Some((mode, oid));
                break;
            }
            if !mode.is_tree() {
                return Err(not_in_tree());
            }
            current = repository.find_tree(oid).map_err(|e| git_error(path, &e))?;
        }
        match leaf {
            Some((mode, _)) if mode.is_link() => snapshot.symlinks.push(path.clone()),
            Some((_, oid)) => {
                let data = read_blob(&repository, oid, path, &mut budget)?;
                snapshot.files.push((path.clone(), data));
            }
            None => walk(
                &repository,
                current,
                &walked,
                all_files,
                &short,
                &mut snapshot,
                &mut budget,
            )?,
        }
    }
    Ok(snapshot)
}

/// Reads every entry under `tree` (at `prefix`) breadth-first, in tree order: a tree's own
/// files, then its subtrees'. Every entry's name is checked before it is used.
fn walk(
    repository: &gix::Repository,
    tree: gix::Tree<'_>,
    prefix: &str,
    all_files: bool,
    commit: &str,
    snapshot: &mut Snapshot,
    budget: &mut u64,
) -> Result<(), SourceError> {
    let git_error = |what: &str, e: &dyn std::fmt::Display| SourceError::Git {
        what: what.to_string(),
        message: e.to_string(),
    };
    let mut queue = std::collections::VecDeque::from([(tree.id, prefix.to_string())]);
    while let Some((id, prefix)) = queue.pop_front() {
        let tree = repository
            .find_tree(id)
            .map_err(|e| git_error(&prefix, &e))?;
        let decoded = tree.decode().map_err(|e| git_error(&prefix, &e))?;
        for entry in &decoded.entries {
            let name = checked_name(entry.filename, entry.mode, &prefix, commit)?;
            let path = join(&prefix, name);
            if entry.mode.is_tree() {
                queue.push_back((entry.oid.to_owned(), path));
            } else if entry.mode.is_commit() {
                snapshot.submodules.push(path);
            } else if entry.mode.is_link() {
                if all_files || is_manifest_file(&path) {
                    snapshot.symlinks.push(path);
                }
            } else if all_files || is_manifest_file(&path) {
                let data = read_blob(repository, entry.oid.to_owned(), &path, budget)?;
                snapshot.files.push((path, data));
            }
        }
    }
    Ok(())
}

/// One file's bytes, after its size from the object's header (read without inflating the
/// object) is checked against [`MAX_FILE_BYTES`](super::MAX_FILE_BYTES) and what is left of
/// the commit's `budget`.
fn read_blob(
    repository: &gix::Repository,
    oid: gix::ObjectId,
    path: &str,
    budget: &mut u64,
) -> Result<Vec<u8>, SourceError> {
    let git_error = |e: &dyn std::fmt::Display| SourceError::Git {
        what: path.to_string(),
        message: e.to_string(),
    };
    let size = repository
        .find_header(oid)
        .map_err(|e| git_error(&e))?
        .size();
    let too_large = |what, limit| SourceError::TooLarge {
        path: path.to_string(),
        what,
        size,
        limit,
    };
    if size > super::MAX_FILE_BYTES {
        return Err(too_large("a manifest file", super::MAX_FILE_BYTES));
    }
    if size > *budget {
        return Err(too_large(
            "a file past what one commit may hold in all",
            super::MAX_TREE_BYTES,
        ));
    }
    *budget -= size;
    let blob = repository.find_blob(oid).map_err(|e| git_error(&e))?;
    Ok(blob.detach().data)
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}/{name}")
    }
}

/// A tree entry's name, if it is one a checkout could write safely and a report can show
/// as it is: one path component (no `/`, `..`, `.`), never `.git` in any spelling a file
/// system folds to it (case, NTFS short names and streams, HFS+ ignorables), UTF-8, and no
/// backslash, control or text-reordering characters. Git itself never writes such names;
/// a crafted tree can.
fn checked_name<'a>(
    name: &'a gix::bstr::BStr,
    mode: gix::object::tree::EntryMode,
    prefix: &str,
    commit: &str,
) -> Result<&'a str, SourceError> {
    use gix::validate::path::component;
    let unsafe_entry = |reason: String| SourceError::UnsafeEntry {
        commit: commit.to_string(),
        entry: format!("{:?}", join(prefix, &String::from_utf8_lossy(name))),
        reason,
    };
    let options = component::Options {
        // Windows' reserved names and characters are legal file names here.
        protect_windows: false,
        protect_hfs: true,
        protect_ntfs: true,
    };
    let link = mode.is_link().then_some(component::Mode::Symlink);
    component(name, link, options).map_err(|e| unsafe_entry(e.to_string()))?;
    let text = std::str::from_utf8(name).map_err(|_| unsafe_entry("not UTF-8".into()))?;
    if let Some(reason) = unsafe_characters(text) {
        return Err(unsafe_entry(reason.into()));
    }
    Ok(text)
}

/// A path a user or config names in the tree: relative, with no `.` or `..` steps and no
/// characters [`unsafe_characters`] refuses, so that it can only name what is inside.
pub fn check_path(path: &str) -> Result<(), SourceError> {
    match crate::settings::paths::outside_reason(path) {
        Some(reason) => Err(SourceError::OutsideRepo {
            path: format!("{path:?}"),
            message: reason.to_string(),
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::normalize_path;

    #[test]
    fn paths_must_stay_inside() {
        use super::check_path;
        for ok in [
            "k8s",
            "./k8s/",
            ".",
            "",
            "a/b.yaml",
            ".kubectl-drift/accepted.yaml",
        ] {
            assert!(check_path(ok).is_ok(), "{ok}");
        }
        for bad in [
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a/./b",
            "a\\b",
            "x\u{1b}[2J",
        ] {
            assert!(check_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn normalizes_tree_paths() {
        assert_eq!(normalize_path("./k8s/prod/"), "k8s/prod");
        assert_eq!(normalize_path("."), "");
        assert_eq!(normalize_path("app.yaml"), "app.yaml");
    }
}
