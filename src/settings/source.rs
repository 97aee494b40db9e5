//! Where manifests are read from, as the settings settle it: a Git repository (a local
//! one, or a URL cloned into the cache) at a ref, or plain files.

use std::path::PathBuf;

/// Where to read manifests from, as settled by the settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceSpec {
    Git {
        repo: RepoSpec,
        rev: String,
        /// Folders or files in the tree; empty means the whole tree.
        paths: Vec<String>,
        /// Use a URL repository's cached clone as it is, without fetching.
        offline: bool,
        /// Whether kustomizations may fetch remote bases, resources and charts.
        allow_remote_bases: bool,
    },
    Files {
        files: Vec<PathBuf>,
        /// Whether kustomizations may fetch remote bases, resources and charts.
        allow_remote_bases: bool,
    },
    /// Helm releases as Helm last deployed them: their release records in each cluster.
    Releases {
        /// Release names; empty with `all`.
        names: Vec<String>,
        /// Every release deployed in the checked namespaces.
        all: bool,
        /// `-A`: records are read from every namespace, not only `-n`'s or the context's.
        all_namespaces: bool,
        /// `--trust-release NS/NAME`: (namespace, release) whose records may declare
        /// cluster-scoped objects and objects of other namespaces.
        trusted: Vec<(String, String)>,
    },
}

/// How Helm charts found under a target's paths are rendered: flags over the target's
/// `helm:` block.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct HelmSettings {
    /// `--helm-release`; `None`: the chart's name.
    pub release: Option<String>,
    /// `--helm-values`: paths in the commit (on disk for `-f`), in order.
    pub values: Vec<String>,
    /// `--helm-set`: `KEY=VALUE`, in order.
    pub set: Vec<String>,
}

/// Which Git repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RepoSpec {
    /// A local repository, or `None` for the one around the current folder.
    Local(Option<PathBuf>),
    /// A remote repository, cloned into the cache and fetched.
    Url(String),
}

impl RepoSpec {
    /// `--repo`'s value: a URL when it looks like one, else a path.
    pub fn parse(repo: Option<&str>) -> RepoSpec {
        match repo {
            Some(r) if is_url(r) => RepoSpec::Url(r.to_string()),
            Some(r) => RepoSpec::Local(Some(PathBuf::from(r))),
            None => RepoSpec::Local(None),
        }
    }
}

/// Whether a --repo value is a URL rather than a local path: https://, http://, ssh://,
/// git://, file://, or scp-like `user@host:path` / `host:path` (git's rule: a colon before
/// the first slash, and not a Windows drive letter like C:\).
pub fn is_url(repo: &str) -> bool {
    if let Some((scheme, _)) = repo.split_once("://") {
        return matches!(
            scheme.to_ascii_lowercase().as_str(),
            "https" | "http" | "ssh" | "git" | "file" | "git+ssh" | "ssh+git"
        );
    }
    let Some(colon) = repo.find(':') else {
        return false;
    };
    let host = &repo[..colon];
    let drive_letter = host.len() == 1 && host.as_bytes()[0].is_ascii_alphabetic();
    !host.is_empty() && !host.contains('/') && !host.contains('\\') && !drive_letter
}
