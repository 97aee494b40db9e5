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

/// Helm's longest release name.
pub const MAX_RELEASE_NAME: usize = 53;

/// A Helm release name as Helm accepts it: at most 53 characters, dot-separated RFC 1123
/// labels (`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`). It reaches
/// `helm template` as an argument, so nothing else passes, whatever its source.
pub fn check_release_name(name: &str) -> Result<(), String> {
    let label = |l: &str| {
        !l.is_empty()
            && l.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if name.len() <= MAX_RELEASE_NAME && name.split('.').all(label) {
        Ok(())
    } else {
        Err(format!(
            "{name:?} is not a valid Helm release name: at most {MAX_RELEASE_NAME} lowercase letters, digits, '-' and '.', each dot-separated part starting and ending with a letter or digit"
        ))
    }
}

/// A chart's `name:` as Helm accepts it (a single path component), and never one that
/// could be read as a flag.
pub fn check_chart_name(name: &str) -> Result<(), String> {
    let bad = if name.is_empty() {
        Some("it is empty")
    } else if name.starts_with('-') {
        Some("it starts with '-'")
    } else if name.contains(['/', '\\']) || name == "." || name == ".." {
        Some("it is not a single file name")
    } else if name.chars().any(char::is_control) {
        Some("it holds a control character")
    } else {
        None
    };
    match bad {
        Some(reason) => Err(format!("chart name {name:?} is not valid: {reason}")),
        None => Ok(()),
    }
}

/// The key of a `--set KEY=VALUE` as Helm's `strvals` reads it: dot-separated names, each
/// with optional `[N]` list indexes; `\` escapes the next character. No empty name, no `,`
/// or `=` (which would start another assignment), no control character, and no leading `-`.
pub fn check_set_key(key: &str) -> Result<(), String> {
    let fail = |reason: &str| Err(format!("{key:?} is not a Helm value key: {reason}"));
    if key.starts_with('-') {
        return fail("it starts with '-'");
    }
    if key.chars().any(char::is_control) {
        return fail("it holds a control character");
    }
    let mut chars = key.chars().peekable();
    // Whether the current name has a character yet; a name is needed before `.`, `[` and the end.
    let mut named = false;
    let mut indexed = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if chars.next().is_none() {
                    return fail("it ends with '\\'");
                }
                named = true;
            }
            '.' => {
                if !named && !indexed {
                    return fail("an empty name");
                }
                named = false;
                indexed = false;
            }
            '[' => {
                if !named && !indexed {
                    return fail("an index without a name");
                }
                let mut digits = String::new();
                loop {
                    match chars.next() {
                        Some(']') => break,
                        Some(d) if d.is_ascii_digit() && digits.len() < 6 => digits.push(d),
                        _ => return fail("a list index is [N]"),
                    }
                }
                if digits.is_empty() {
                    return fail("a list index is [N]");
                }
                indexed = true;
            }
            ']' | ',' | '=' => return fail(&format!("{c:?} outside an index")),
            _ if indexed => return fail("a name right after an index needs a '.'"),
            _ => named = true,
        }
    }
    if !named && !indexed {
        return fail("an empty name");
    }
    Ok(())
}

/// A values file named in a target's `helm:` block or by `--helm-values`: never one that
/// could be read as a flag (where it stays is checked with the other paths).
pub fn check_values_name(path: &str) -> Result<(), String> {
    if path.starts_with('-') {
        Err(format!("values file {path:?} starts with '-'"))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_names_follow_helm() {
        for good in ["shop", "a", "shop-1", "a.b", "web.prod-2", &"a".repeat(53)] {
            assert!(check_release_name(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "--post-renderer=sh",
            "-a",
            "a-",
            "Shop",
            "a..b",
            "a.-b",
            ".a",
            "a.",
            "a_b",
            "a b",
            &"a".repeat(54),
        ] {
            assert!(check_release_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn chart_names_and_values_files_are_never_flags() {
        assert!(check_chart_name("My_Chart-1.0").is_ok());
        for bad in ["", "-x", "--post-renderer=sh", "a/b", "..", "a\nb"] {
            assert!(check_chart_name(bad).is_err(), "{bad:?}");
        }
        assert!(check_values_name("charts/shop/values.yaml").is_ok());
        assert!(check_values_name("--post-renderer=sh").is_err());
    }

    #[test]
    fn set_keys_follow_strvals() {
        for good in [
            "replicas",
            "image.tag",
            "list[0]",
            "list[0].name",
            "a[1][2]",
            r"nodeSelector.kubernetes\.io/role",
            "UPPER_case-1",
        ] {
            assert!(check_set_key(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "-x",
            "--post-renderer",
            ".a",
            "a.",
            "a..b",
            "[0]",
            "a[]",
            "a[x]",
            "a[0]b",
            "a,b",
            "a=b",
            "a]",
            "a\\",
            "a\nb",
            "a[1234567]",
        ] {
            assert!(check_set_key(bad).is_err(), "{bad:?}");
        }
    }
}
