//! Desired state: manifests read from a Git commit (straight from the object database, no
//! checkout) or from plain files, split into Kubernetes objects that each keep their origin.

pub mod git;
pub mod helm;
pub mod kustomize;
pub mod manifest;
pub mod remote;

/// The largest manifest file read, from Git or from disk (16 MiB): bundles of many CRDs fit,
/// and a bigger file is refused with its name before it is read whole.
pub const MAX_FILE_BYTES: u64 = 16 << 20;

/// The most all the files read from one commit may take together (256 MiB).
pub const MAX_TREE_BYTES: u64 = 256 << 20;

/// The largest rendered output parsed at once (a chart's or a kustomization's, 64 MiB).
pub const MAX_RENDERED_BYTES: usize = 64 << 20;

/// The largest one object may be, as compact JSON: 3 MiB, the API server's own limit on a
/// request's body (etcd's on a stored object is 1.5 MiB).
pub const MAX_OBJECT_BYTES: usize = 3 << 20;

use std::path::PathBuf;

use serde::Serialize;
use serde_json::Value;

/// Where a desired object came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// Path inside the repository (or on disk for `-f`).
    pub file: String,
    /// 1-based line where the object's document starts.
    pub line: usize,
    /// Full commit id, for manifests read from Git.
    pub commit: Option<String>,
}

impl Origin {
    /// `path:line @ abc1234`, as shown above the Git side of a diff.
    pub fn label(&self) -> String {
        match &self.commit {
            Some(commit) => format!("{}:{} @ {}", self.file, self.line, short_commit(commit)),
            None => format!("{}:{}", self.file, self.line),
        }
    }
}

pub fn short_commit(commit: &str) -> &str {
    &commit[..commit.len().min(7)]
}

/// One Kubernetes object as written in Git. The manifest is kept as compact JSON and parsed
/// again where it is needed: a parsed value takes ten to twenty times the room, which counts
/// at tens of thousands of objects.
#[derive(Debug, Clone)]
pub struct DesiredObject {
    json: Box<str>,
    api_version: Box<str>,
    kind: Box<str>,
    name: Box<str>,
    namespace: Option<Box<str>>,
    pub origin: Origin,
}

impl DesiredObject {
    pub fn new(manifest: &Value, origin: Origin) -> DesiredObject {
        let text = |v: &Value| v.as_str().unwrap_or_default().into();
        DesiredObject {
            json: manifest.to_string().into(),
            api_version: text(&manifest["apiVersion"]),
            kind: text(&manifest["kind"]),
            name: text(&manifest["metadata"]["name"]),
            namespace: manifest["metadata"]["namespace"]
                .as_str()
                .filter(|n| !n.is_empty())
                .map(Into::into),
            origin,
        }
    }

    /// The manifest, exactly as read (serde_json writes and reads back every value alike).
    pub fn manifest(&self) -> Value {
        serde_json::from_str(&self.json).expect("serde_json reads back what it wrote")
    }

    pub fn api_version(&self) -> &str {
        &self.api_version
    }
    pub fn kind(&self) -> &str {
        &self.kind
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }
}

impl PartialEq for DesiredObject {
    fn eq(&self, other: &DesiredObject) -> bool {
        self.origin == other.origin && self.manifest() == other.manifest()
    }
}

/// Everything read from one source.
#[derive(Debug, Clone, Default)]
pub struct DesiredSet {
    pub objects: Vec<DesiredObject>,
    /// Files that held no Kubernetes object (plain data, kustomize config), and as
    /// `file:line` the documents beside objects that are not objects.
    pub skipped_files: Vec<String>,
    /// The commit the manifests were read from, when they came from Git.
    pub commit: Option<String>,
    /// Helm charts found under the paths: rendered per cluster, as `.Capabilities` differ.
    pub charts: Vec<helm::Chart>,
}

use crate::settings::source::{HelmSettings, RepoSpec, SourceSpec};

/// A source made ready to read: the repository found (a URL one synced into the cache and
/// locked while this lives) and the ref resolved to one commit, so that every target of a
/// run reads the same commit.
pub struct Opened {
    pub kind: OpenedKind,
    /// Whether kustomizations may fetch remote bases, resources and charts.
    pub allow_remote_bases: bool,
}

pub enum OpenedKind {
    Git {
        /// The repository's Git folder (or the cached bare clone).
        repo: PathBuf,
        /// The commit every read uses.
        commit: String,
        /// The work tree, for local repositories that have one.
        work_tree: Option<PathBuf>,
        /// The URL, credentials removed, for URL repositories.
        url: Option<String>,
        /// Holds the cache lock of a URL repository.
        _fetched: Option<remote::Fetched>,
    },
    Files(Vec<PathBuf>),
    /// Helm release records, read from each cluster by the check.
    Releases {
        /// Release names; empty with `all`.
        names: Vec<String>,
        all: bool,
    },
}

impl Opened {
    /// The folder files kept beside the manifests (config, accepted drift) are read from
    /// and written to: the work tree, the current folder for plain files, none for a URL.
    pub fn work_tree(&self) -> Option<PathBuf> {
        match &self.kind {
            OpenedKind::Git { work_tree, .. } => work_tree.clone(),
            OpenedKind::Files(_) | OpenedKind::Releases { .. } => Some(PathBuf::from(".")),
        }
    }

    /// The commit, when the source is Git.
    pub fn commit(&self) -> Option<&str> {
        match &self.kind {
            OpenedKind::Git { commit, .. } => Some(commit),
            OpenedKind::Files(_) | OpenedKind::Releases { .. } => None,
        }
    }

    /// A file beside the manifests, by its path from the repository root: from the work tree
    /// when there is one, else from the commit. `None` when it does not exist. Returns the
    /// file as named in messages, and its bytes.
    ///
    /// The name must stay inside the repository, and no symlink is followed on the way.
    pub fn repo_file(&self, name: &str) -> Result<Option<(String, Vec<u8>)>, SourceError> {
        git::check_path(name)?;
        if let Some(root) = self.work_tree() {
            let path = inside_work_tree(&root, name)?;
            return match std::fs::read(&path) {
                Ok(bytes) => Ok(Some((path.display().to_string(), bytes))),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(source) => Err(SourceError::Io { path, source }),
            };
        }
        let OpenedKind::Git { repo, commit, .. } = &self.kind else {
            return Ok(None);
        };
        match git::read_tree(Some(repo), commit, &[name.to_string()], true) {
            Ok(snapshot) => {
                if let Some(link) = snapshot.symlinks.first() {
                    return Err(SourceError::Symlink {
                        path: format!("{link} @ {}", short_commit(commit)),
                    });
                }
                Ok(snapshot
                    .files
                    .into_iter()
                    .next()
                    .map(|(file, bytes)| (format!("{file} @ {}", short_commit(commit)), bytes)))
            }
            Err(SourceError::PathNotInTree { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// `root/name` for a file kept in a work tree (config, accepted drift), when nothing on the
/// way is a symlink and the file, if it exists, is a regular file: a symlink committed in
/// the repository could otherwise make the tool read or replace any file of the user's.
/// `name` is relative and has no `..` ([`git::check_path`]).
pub fn inside_work_tree(root: &std::path::Path, name: &str) -> Result<PathBuf, SourceError> {
    git::check_path(name)?;
    let mut path = root.to_path_buf();
    for component in name.split('/').filter(|c| !c.is_empty()) {
        path.push(component);
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(SourceError::Symlink {
                    path: path.display().to_string(),
                })
            }
            Ok(meta) if !meta.is_dir() && !meta.is_file() => {
                return Err(SourceError::OutsideRepo {
                    path: path.display().to_string(),
                    message: "not a regular file".into(),
                })
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => break,
            Err(source) => return Err(SourceError::Io { path, source }),
        }
    }
    Ok(root.join(name))
}

/// Finds (or fetches) the repository and resolves the ref to a commit.
pub fn open(spec: &SourceSpec) -> Result<Opened, SourceError> {
    let (repo, rev, offline, allow_remote_bases) = match spec {
        SourceSpec::Files {
            files,
            allow_remote_bases,
        } => {
            return Ok(Opened {
                kind: OpenedKind::Files(files.clone()),
                allow_remote_bases: *allow_remote_bases,
            })
        }
        SourceSpec::Releases { names, all, .. } => {
            return Ok(Opened {
                kind: OpenedKind::Releases {
                    names: names.clone(),
                    all: *all,
                },
                allow_remote_bases: false,
            })
        }
        SourceSpec::Git {
            repo,
            rev,
            offline,
            allow_remote_bases,
            ..
        } => (repo, rev, *offline, *allow_remote_bases),
    };
    let kind = match repo {
        RepoSpec::Local(path) => {
            let found = git::locate(path.as_deref())?;
            let commit = git::resolve(&found.git_dir, rev, &found.shown)?;
            OpenedKind::Git {
                repo: found.git_dir,
                commit,
                work_tree: found.work_tree,
                url: None,
                _fetched: None,
            }
        }
        RepoSpec::Url(url) => {
            let fetched = remote::sync(url, rev, offline)?;
            let commit = git::resolve(&fetched.path, &fetched.rev, &PathBuf::from(&fetched.url))?;
            OpenedKind::Git {
                repo: fetched.path.clone(),
                commit,
                work_tree: None,
                url: Some(fetched.url.clone()),
                _fetched: Some(fetched),
            }
        }
    };
    Ok(Opened {
        kind,
        allow_remote_bases,
    })
}

/// What can go wrong while reading desired state.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error(transparent)]
    Remote(#[from] remote::RemoteError),
    /// helm or kustomize could not run, failed or ran out of time.
    #[error(transparent)]
    Program(#[from] crate::runner::RunError),
    #[error("{path} is not in a Git repository: {message}")]
    NotARepo { path: PathBuf, message: String },
    #[error("Git ref {rev:?} does not exist in {repo}: {message}")]
    UnknownRef {
        repo: PathBuf,
        rev: String,
        message: String,
    },
    #[error("path {path:?} is not in the tree of commit {commit}")]
    PathNotInTree { path: String, commit: String },
    #[error("cannot read {what} from Git: {message}")]
    Git { what: String, message: String },
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}:{line}:{column}: malformed YAML: {message}")]
    Yaml {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{file}:{line}: malformed JSON: {message}")]
    Json {
        file: String,
        line: usize,
        message: String,
    },
    #[error("{chart}: {message}")]
    Helm { chart: String, message: String },
    #[error("{path}: kustomize failed: {message}")]
    Kustomize { path: String, message: String },
    #[error("{file}:{line}: {message}")]
    Invalid {
        file: String,
        line: usize,
        message: String,
    },
    #[error(
        "commit {commit} holds an unsafe tree entry {entry}: {reason}; nothing was read from it"
    )]
    UnsafeEntry {
        commit: String,
        entry: String,
        reason: String,
    },
    #[error("{path} is a symlink: kubectl-drift follows no symlinks in a repository (they can point outside it)")]
    Symlink { path: String },
    #[error("{path}: submodule {submodule} is not read (its files are in another repository); check a path outside it, or check the submodule's own repository")]
    Submodule { path: String, submodule: String },
    #[error("{path} is not inside the repository: {message}")]
    OutsideRepo { path: String, message: String },
    #[error("{path}: {what} of {size} bytes is over the limit of {}; it is not read", crate::cluster::mebibytes(*.limit as usize))]
    TooLarge {
        path: String,
        what: &'static str,
        size: u64,
        limit: u64,
    },
    #[error("{file}: {field} entry {entry:?} would be fetched from the network; kubectl-drift renders only what the repository holds unless --allow-remote-bases is given")]
    RemoteBase {
        file: String,
        field: String,
        entry: String,
    },
}

/// A desired set's key: the commit, the paths, and how charts under them render.
type DesiredKey = (String, Vec<String>, HelmSettings);

/// Desired sets read from Git, by commit and paths, for `watch`: a commit never changes, so
/// its manifests are read again only when the ref moves.
#[derive(Debug, Default)]
pub struct DesiredCache {
    sets: std::sync::Mutex<std::collections::HashMap<DesiredKey, DesiredSet>>,
}

impl DesiredCache {
    /// `read`, or what an earlier read of the same commit and paths found.
    pub fn read(
        &self,
        opened: &Opened,
        paths: &[String],
        helm: &HelmSettings,
    ) -> Result<DesiredSet, SourceError> {
        let Some(commit) = opened.commit() else {
            // Plain files can change under the same name: always read.
            return read(opened, paths, helm);
        };
        let key = (commit.to_string(), paths.to_vec(), helm.clone());
        if let Some(set) = self.sets.lock().ok().and_then(|s| s.get(&key).cloned()) {
            return Ok(set);
        }
        let set = read(opened, paths, helm)?;
        if let Ok(mut sets) = self.sets.lock() {
            // Only the current commit's sets are worth keeping.
            sets.retain(|(c, _, _), _| c == commit);
            sets.insert(key, set.clone());
        }
        Ok(set)
    }
}

/// Commits' trees read since start (every `read` of a Git source), for `watch`'s metrics.
pub static GIT_READS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Reads every manifest under `paths` (Git sources; the whole tree when empty). Helm charts
/// under them are found, not rendered: `helm` says how they will be.
pub fn read(
    opened: &Opened,
    paths: &[String],
    helm: &HelmSettings,
) -> Result<DesiredSet, SourceError> {
    let mut rendered = Vec::new();
    let mut charts = Vec::new();
    let (files, commit) = match &opened.kind {
        OpenedKind::Releases { .. } => (Vec::new(), None),
        OpenedKind::Git { repo, commit, .. } => {
            GIT_READS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let (repo, rev) = (Some(repo.as_path()), commit.as_str());
            let snapshot = git::read_tree(repo, rev, paths, false)?;
            let folders: Vec<String> = if paths.is_empty() {
                vec![String::new()]
            } else {
                paths.iter().map(|p| git::normalize_path(p)).collect()
            };
            if let Some(link) = snapshot.symlinks.first() {
                return Err(SourceError::Symlink {
                    path: format!("{link} @ {}", short_commit(commit)),
                });
            }
            if let Some(submodule) = snapshot.submodules.first() {
                let holder = folders
                    .iter()
                    .find(|f| f.is_empty() || submodule.starts_with(&format!("{f}/")))
                    .map_or_else(String::new, Clone::clone);
                return Err(SourceError::Submodule {
                    path: if holder.is_empty() {
                        "the whole tree".to_string()
                    } else {
                        holder
                    },
                    submodule: submodule.clone(),
                });
            }
            let kustomizations: Vec<String> = folders
                .iter()
                .filter_map(|f| {
                    kustomize::kustomization_in(f, snapshot.files.iter().map(|(p, _)| p))
                })
                .collect();
            let mut files = snapshot.files;
            // Every chart under the paths, subcharts left to their parent.
            let mut chart_files: Vec<String> = files
                .iter()
                .map(|(p, _)| p)
                .filter(|p| {
                    *p == helm::CHART_FILE || p.ends_with(&format!("/{}", helm::CHART_FILE))
                })
                .cloned()
                .collect();
            chart_files.sort_by_key(|p| p.matches('/').count());
            let mut chart_folders: Vec<String> = Vec::new();
            if !chart_files.is_empty() {
                for path in &helm.values {
                    git::check_path(path).map_err(|e| SourceError::Helm {
                        chart: format!("--helm-values {path}"),
                        message: e.to_string(),
                    })?;
                }
                let values = if helm.values.is_empty() {
                    Vec::new()
                } else {
                    git::read_tree(repo, rev, &helm.values, true)
                        .map_err(|e| match e {
                            SourceError::PathNotInTree { path, commit } => SourceError::Helm {
                                chart: format!("--helm-values {path}"),
                                message: format!(
                                    "no such file in commit {}",
                                    short_commit(&commit)
                                ),
                            },
                            other => other,
                        })?
                        .files
                };
                for chart_file in chart_files {
                    let folder = chart_file
                        .rsplit_once('/')
                        .map(|(f, _)| format!("{f}/"))
                        .unwrap_or_default();
                    if chart_folders.iter().any(|f| folder.starts_with(f.as_str())) {
                        continue;
                    }
                    // Templates, helpers and packed subcharts are not manifests: the
                    // chart's folder is read whole.
                    let chart_paths: Vec<String> = [folder.trim_end_matches('/')]
                        .iter()
                        .filter(|f| !f.is_empty())
                        .map(|f| f.to_string())
                        .collect();
                    let chart_tree = git::read_tree(repo, rev, &chart_paths, true)?;
                    if let Some(link) = chart_tree.symlinks.first() {
                        return Err(SourceError::Symlink {
                            path: format!("{link} @ {}", short_commit(commit)),
                        });
                    }
                    charts.push(helm::chart_from_tree(
                        &chart_file,
                        &chart_tree.files,
                        values.clone(),
                        Some(commit),
                        helm,
                        opened.allow_remote_bases,
                    )?);
                    chart_folders.push(folder);
                }
                files.retain(|(p, _)| !chart_folders.iter().any(|f| p.starts_with(f.as_str())));
            }
            if !kustomizations.is_empty() {
                // kustomize reads files (bases, generators) from anywhere in the tree. Symlinks
                // and submodules are not written: a kustomization that uses one fails on it.
                let whole = git::read_tree(repo, rev, &[], true)?;
                let tree = write_tree(&whole.files)?;
                for kustomization in &kustomizations {
                    if !opened.allow_remote_bases {
                        kustomize::refuse_remote(tree.path(), kustomization, true)?;
                    }
                    rendered.extend(kustomize::render_tree(
                        tree.path(),
                        kustomization,
                        Some(&whole.commit),
                        &whole.files,
                    )?);
                    let folder = kustomization
                        .rsplit_once('/')
                        .map(|(f, _)| format!("{f}/"))
                        .unwrap_or_default();
                    files.retain(|(p, _)| !p.starts_with(&folder));
                }
            }
            (files, Some(snapshot.commit))
        }
        OpenedKind::Files(paths) => {
            let mut plain = Vec::new();
            for path in paths {
                if path.is_dir() && path.join(helm::CHART_FILE).is_file() {
                    charts.push(helm::chart_on_disk(path, helm)?);
                } else if path.is_dir()
                    && kustomize::FILE_NAMES.iter().any(|n| path.join(n).exists())
                {
                    if !opened.allow_remote_bases {
                        kustomize::refuse_remote(path, "", false)?;
                    }
                    rendered.extend(kustomize::render_folder(path)?);
                } else {
                    plain.push(path.clone());
                }
            }
            (read_plain_files(&plain)?, None)
        }
    };
    let mut set = DesiredSet {
        commit: commit.clone(),
        objects: rendered,
        charts,
        ..Default::default()
    };
    for ((file, _), parsed) in files.iter().zip(parse_all(&files, commit.as_deref())) {
        let parsed = parsed?;
        if parsed.objects.is_empty() {
            set.skipped_files.push(file.clone());
        } else {
            // Documents beside objects that are not objects: named by their line.
            set.skipped_files
                .extend(parsed.skipped.iter().map(|line| format!("{file}:{line}")));
            set.objects.extend(parsed.objects);
        }
    }
    Ok(set)
}

impl DesiredSet {
    /// The files (and `file:line` documents) left out, as one line for under the summary.
    pub fn skipped_note(&self) -> Option<String> {
        const SHOWN: usize = 10;
        if self.skipped_files.is_empty() {
            return None;
        }
        let mut names = self.skipped_files[..self.skipped_files.len().min(SHOWN)].join(", ");
        if self.skipped_files.len() > SHOWN {
            names.push_str(&format!(" and {} more", self.skipped_files.len() - SHOWN));
        }
        Some(format!("skipped, no Kubernetes object in: {names}"))
    }
}

/// Parses files on every core; YAML parsing is most of the time spent reading a large
/// repository. Results keep the files' order.
fn parse_all(
    files: &[(String, Vec<u8>)],
    commit: Option<&str>,
) -> Vec<Result<manifest::Parsed, SourceError>> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let chunk = files.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let workers: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|(file, bytes)| manifest::parse_counted(file, bytes, commit))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("parsing does not panic"))
            .collect()
    })
}

/// Writes a commit's files into a private temporary folder, removed when dropped. The names
/// were checked when the tree was read; each is still written only as plain folders and new
/// files below the folder (never through an existing entry, never over one), so that no
/// name can reach outside it.
fn write_tree(files: &[(String, Vec<u8>)]) -> Result<tempfile::TempDir, SourceError> {
    use std::path::Component;
    let io = |path: PathBuf| {
        move |source| SourceError::Io {
            path: path.clone(),
            source,
        }
    };
    let dir = tempfile::Builder::new()
        .prefix("kubectl-drift-")
        .tempdir()
        .map_err(io(std::env::temp_dir()))?;
    for (name, bytes) in files {
        let relative = std::path::Path::new(name);
        if name.is_empty()
            || !relative
                .components()
                .all(|c| matches!(c, Component::Normal(_)))
        {
            return Err(SourceError::OutsideRepo {
                path: format!("{name:?}"),
                message: "not a plain relative path".into(),
            });
        }
        let mut path = dir.path().to_path_buf();
        let mut components = relative.components().peekable();
        while let Some(component) = components.next() {
            path.push(component);
            if components.peek().is_none() {
                break;
            }
            match std::fs::symlink_metadata(&path) {
                Ok(meta) if meta.is_dir() => {}
                Ok(_) => {
                    return Err(io(path.clone())(std::io::Error::new(
                        std::io::ErrorKind::AlreadyExists,
                        "a file of the commit has this name too",
                    )))
                }
                Err(_) => std::fs::create_dir(&path).map_err(io(path.clone()))?,
            }
        }
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(io(path.clone()))?;
        std::io::Write::write_all(&mut file, bytes).map_err(io(path.clone()))?;
    }
    Ok(dir)
}

/// Whether a file name looks like a manifest.
pub fn is_manifest_file(name: &str) -> bool {
    [".yaml", ".yml", ".json"]
        .iter()
        .any(|ext| name.ends_with(ext))
}

fn read_plain_files(paths: &[PathBuf]) -> Result<Vec<(String, Vec<u8>)>, SourceError> {
    let mut out = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|source| SourceError::Io {
            path: path.clone(),
            source,
        })?;
        if meta.is_dir() {
            let mut stack = vec![path.clone()];
            let mut found = Vec::new();
            while let Some(dir) = stack.pop() {
                let entries = std::fs::read_dir(&dir).map_err(|source| SourceError::Io {
                    path: dir.clone(),
                    source,
                })?;
                for entry in entries {
                    let entry = entry.map_err(|source| SourceError::Io {
                        path: dir.clone(),
                        source,
                    })?;
                    let p = entry.path();
                    if p.is_dir() {
                        stack.push(p);
                    } else if is_manifest_file(&p.to_string_lossy()) {
                        found.push(p);
                    }
                }
            }
            found.sort();
            for p in found {
                out.push(read_file(&p)?);
            }
        } else {
            out.push(read_file(path)?);
        }
    }
    Ok(out)
}

/// Reads one plain file, to at most [`MAX_FILE_BYTES`] (a file that grows while read, or a
/// pipe, is cut off there too).
fn read_file(path: &std::path::Path) -> Result<(String, Vec<u8>), SourceError> {
    use std::io::Read;
    let io = |source| SourceError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    let shown = path.display().to_string();
    if bytes.len() as u64 > MAX_FILE_BYTES {
        let size = std::fs::metadata(path).map_or(bytes.len() as u64, |m| m.len());
        return Err(SourceError::TooLarge {
            path: shown,
            what: "a manifest file",
            size,
            limit: MAX_FILE_BYTES,
        });
    }
    Ok((shown, bytes))
}
