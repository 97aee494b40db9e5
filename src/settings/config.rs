//! The config file, `.kubectl-drift.yaml` at the repository root (or `--config FILE`): the
//! targets a plain `kubectl drift check` checks, the ignore rules, and where accepted drift
//! is recorded. Parsing is strict: an unknown key, a bad value or a missing reason is an
//! error that names the file and line.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Deserialize;

use super::rules::{Glob, Pointer, Rule, Selector};
use super::LabelSelector;

/// The file's name at the repository root.
pub const FILE_NAME: &str = ".kubectl-drift.yaml";

/// What can be wrong with a config file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}:{line}:{column}: {message}")]
    Parse {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{file}:{line}: {message}")]
    Invalid {
        file: String,
        line: usize,
        message: String,
    },
}

/// A parsed config file.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The file, as named in messages.
    pub file: String,
    pub targets: Vec<TargetConfig>,
    pub ignore: Vec<Rule>,
    /// Where accepted drift is recorded, relative to the repository root.
    pub accepted: Option<String>,
    /// `controllers:`, managers that reconcile objects on their own: what only they wrote is
    /// never `Extra` (beside Kubernetes' own components).
    pub controllers: Vec<String>,
    text: String,
}

/// One target: which contexts to check against which paths, and how.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetConfig {
    pub name: String,
    pub contexts: Vec<String>,
    /// Folders or files in the repository; empty means the whole tree.
    pub paths: Vec<String>,
    /// Namespace for manifests that name none.
    pub namespace: Option<String>,
    pub field_manager: Option<String>,
    /// Live objects with this label and no manifest are `Extra`.
    pub tracking_label: Option<LabelSelector>,
    /// Namespaces the target owns: every object in them needs a manifest.
    pub namespaces: Vec<String>,
    /// How Helm charts under the target's paths are rendered (`helm:`).
    pub helm: super::source::HelmSettings,
    /// `clusterUID:`, the cluster's identity (the `kube-system` namespace's UID): any
    /// context given with `--context` that reaches this cluster is this target, whatever
    /// its name (a laptop's alias, `in-cluster`).
    pub cluster_uid: Option<String>,
    /// The line the target starts on.
    pub line: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawConfig {
    #[serde(default)]
    targets: Vec<RawTarget>,
    #[serde(default)]
    ignore: Vec<RawRule>,
    accepted: Option<String>,
    #[serde(default)]
    controllers: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawTarget {
    name: Option<String>,
    context: Option<String>,
    #[serde(default)]
    contexts: Vec<String>,
    #[serde(default)]
    paths: Vec<String>,
    namespace: Option<String>,
    field_manager: Option<String>,
    tracking_label: Option<Tracking>,
    #[serde(default)]
    namespaces: Vec<String>,
    helm: Option<RawHelm>,
    #[serde(rename = "clusterUID")]
    cluster_uid: Option<String>,
}

/// A target's `helm:` block: `release`, `values` (paths in the commit), `set` (a map of
/// `KEY: VALUE`, as `--set KEY=VALUE`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawHelm {
    release: Option<String>,
    #[serde(default)]
    values: Vec<String>,
    #[serde(default)]
    set: std::collections::BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawRule {
    context: Option<String>,
    kind: Option<String>,
    namespace: Option<String>,
    name: Option<String>,
    #[serde(default)]
    paths: Vec<PointerText>,
    #[serde(default)]
    managers: Vec<String>,
    reason: String,
    expires: Option<Date>,
}

/// A label selector, checked while parsing so that a bad one is reported at its line.
struct Tracking(LabelSelector);
struct PointerText(Pointer);
struct Date(NaiveDate);

impl<'de> Deserialize<'de> for Tracking {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        checked(d, |text| {
            LabelSelector::parse(text)
                .map(Tracking)
                .map_err(|e| format!("invalid trackingLabel: {e}"))
        })
    }
}

impl<'de> Deserialize<'de> for PointerText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        checked(d, |text| Pointer::parse(text).map(PointerText))
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        checked(d, |text| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map(Date)
                .map_err(|_| format!("invalid date {text:?}: expected YYYY-MM-DD"))
        })
    }
}

/// Parses a scalar while the parser still stands on it, so that an error carries the
/// scalar's own line rather than its mapping's.
fn checked<'de, D, T>(d: D, parse: fn(&str) -> Result<T, String>) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct Scalar<T>(fn(&str) -> Result<T, String>);
    impl<T> serde::de::Visitor<'_> for Scalar<T> {
        type Value = T;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<T, E> {
            (self.0)(v).map_err(E::custom)
        }
    }
    d.deserialize_str(Scalar(parse))
}

impl Config {
    /// Reads and parses a config file from disk.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Config::parse(&path.display().to_string(), &text)
    }

    /// Parses a config file's text; `file` names it in messages.
    pub fn parse(file: &str, text: &str) -> Result<Config, ConfigError> {
        let parse_error = |e: crate::yaml::Error| ConfigError::Parse {
            file: file.to_string(),
            line: e.line,
            column: e.column,
            // Only the position and the kind of error: the file may not be a config at all.
            message: crate::yaml::redact_message(&e.kind.to_string()),
        };
        // An empty file (or only comments) is an empty config.
        let raw: RawConfig = if text.trim().lines().all(|l| l.trim_start().starts_with('#')) {
            RawConfig {
                targets: Vec::new(),
                ignore: Vec::new(),
                accepted: None,
                controllers: Vec::new(),
            }
        } else {
            crate::yaml::from_str(text).map_err(parse_error)?
        };
        let invalid = |line: usize, message: String| ConfigError::Invalid {
            file: file.to_string(),
            line,
            message,
        };
        let target_lines = item_lines(text, "targets");
        let mut targets = Vec::new();
        for (i, raw) in raw.targets.into_iter().enumerate() {
            let line = target_lines.get(i).copied().unwrap_or(1);
            let mut contexts = raw.contexts;
            if let Some(context) = raw.context {
                contexts.insert(0, context);
            }
            if contexts.is_empty() {
                return Err(invalid(
                    line,
                    "target needs a context (context: NAME or contexts: [NAME, …])".into(),
                ));
            }
            if let Some(empty) = contexts.iter().find(|c| c.trim().is_empty()) {
                return Err(invalid(line, format!("empty context name {empty:?}")));
            }
            if raw
                .field_manager
                .as_deref()
                .is_some_and(|m| m.trim().is_empty())
            {
                return Err(invalid(line, "fieldManager must not be empty".into()));
            }
            let name = raw.name.unwrap_or_else(|| contexts.join(","));
            if targets.iter().any(|t: &TargetConfig| t.name == name) {
                return Err(invalid(
                    line,
                    format!("a second target named {name:?}; give each target its own name"),
                ));
            }
            for path in &raw.paths {
                super::paths::check_path(path)
                    .map_err(|e| invalid(line_after(text, path, line), e))?;
            }
            let helm = match raw.helm {
                Some(helm) => {
                    // Each name reaches helm as an argument: checked here, at its line.
                    if let Some(release) = &helm.release {
                        super::source::check_release_name(release).map_err(|e| {
                            invalid(
                                line_after(text, "release:", line),
                                format!("helm.release: {e}"),
                            )
                        })?;
                    }
                    for path in &helm.values {
                        super::paths::check_path(path)
                            .and_then(|()| super::source::check_values_name(path))
                            .map_err(|e| invalid(line_after(text, path, line), e))?;
                    }
                    for key in helm.set.keys() {
                        super::source::check_set_key(key).map_err(|e| {
                            invalid(line_after(text, key, line), format!("helm.set: {e}"))
                        })?;
                    }
                    super::source::HelmSettings {
                        release: helm.release,
                        values: helm.values,
                        set: helm
                            .set
                            .into_iter()
                            .map(|(k, v)| format!("{k}={v}"))
                            .collect(),
                    }
                }
                None => Default::default(),
            };
            targets.push(TargetConfig {
                name,
                contexts,
                paths: raw.paths,
                namespace: raw.namespace,
                field_manager: raw.field_manager,
                tracking_label: raw.tracking_label.map(|t| t.0),
                namespaces: raw.namespaces,
                helm,
                cluster_uid: raw.cluster_uid.filter(|u| !u.trim().is_empty()),
                line,
            });
        }
        let rule_lines = item_lines(text, "ignore");
        let mut ignore = Vec::new();
        for (i, raw) in raw.ignore.into_iter().enumerate() {
            let line = rule_lines.get(i).copied().unwrap_or(1);
            if raw.reason.trim().is_empty() {
                return Err(invalid(line, "ignore rule needs a reason".into()));
            }
            let glob = |g: Option<String>| g.map(Glob).unwrap_or_else(Glob::any);
            ignore.push(Rule {
                selector: Selector {
                    context: glob(raw.context),
                    kind: glob(raw.kind),
                    namespace: glob(raw.namespace),
                    name: glob(raw.name),
                },
                paths: raw.paths.into_iter().map(|p| p.0).collect(),
                managers: raw.managers.into_iter().map(Glob).collect(),
                reason: raw.reason,
                expires: raw.expires.map(|d| d.0),
                source: format!("{file}:{line}"),
            });
        }
        if let Some(accepted) = &raw.accepted {
            let line = item_lines_key(text, "accepted");
            check_accepted(accepted).map_err(|message| invalid(line, message))?;
        }
        Ok(Config {
            file: file.to_string(),
            targets,
            ignore,
            accepted: raw.accepted,
            controllers: raw.controllers,
            text: text.to_string(),
        })
    }

    /// Checks every target's contexts against the kubeconfig's, naming the line of an
    /// unknown one.
    pub fn check_contexts(&self, known: &[String]) -> Result<(), ConfigError> {
        // A target pinned to its cluster may name contexts this kubeconfig lacks: the
        // CronJob's `in-cluster` on a laptop, the laptop's alias in the cluster.
        for target in self.targets.iter().filter(|t| t.cluster_uid.is_none()) {
            for context in &target.contexts {
                if !known.contains(context) {
                    return Err(ConfigError::Invalid {
                        file: self.file.clone(),
                        line: self.line_of(context, target.line),
                        message: format!(
                            "context {context:?} is not in the kubeconfig (it has: {})",
                            known.join(", ")
                        ),
                    });
                }
            }
        }
        Ok(())
    }

    /// The first line at or after `from` that holds `word` as a whole word.
    fn line_of(&self, word: &str, from: usize) -> usize {
        self.text
            .lines()
            .enumerate()
            .skip(from.saturating_sub(1))
            .find(|(_, line)| {
                line.match_indices(word).any(|(at, _)| {
                    let before = line[..at].chars().next_back();
                    let after = line[at + word.len()..].chars().next();
                    let boundary =
                        |c: Option<char>| c.is_none_or(|c| !(c.is_alphanumeric() || c == '-'));
                    boundary(before) && boundary(after)
                })
            })
            .map_or(from, |(i, _)| i + 1)
    }
}

/// `accepted:` names a file inside the repository: relative, no `..`, not in `.git`.
fn check_accepted(path: &str) -> Result<(), String> {
    super::paths::check_path(path).map_err(|e| format!("accepted: {e}"))?;
    let trimmed = super::paths::normalize_path(path);
    if trimmed.is_empty() {
        return Err("accepted: needs a file name".into());
    }
    if trimmed
        .split('/')
        .any(|c| c.eq_ignore_ascii_case(".git") || c.is_empty())
    {
        return Err(format!("accepted: {path:?} is not a file of the work tree"));
    }
    Ok(())
}

/// The line of a top-level `key:`, else 1.
fn item_lines_key(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| {
            l.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
        .map_or(1, |i| i + 1)
}

/// The first line at or after `from` that mentions `word`, else `from`.
fn line_after(text: &str, word: &str, from: usize) -> usize {
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find(|(_, l)| l.contains(word))
        .map_or(from, |(i, _)| i + 1)
}

/// The 1-based lines where the items of a top-level block sequence start.
fn item_lines(text: &str, key: &str) -> Vec<usize> {
    let mut lines = Vec::new();
    let mut inside = false;
    let mut indent: Option<usize> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let depth = line.len() - trimmed.len();
        if depth == 0 && !trimmed.starts_with('-') {
            inside = trimmed
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(':'));
            indent = None;
            continue;
        }
        if inside && (trimmed == "-" || trimmed.starts_with("- ")) {
            match indent {
                None => {
                    indent = Some(depth);
                    lines.push(i + 1);
                }
                Some(d) if d == depth => lines.push(i + 1),
                _ => {}
            }
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = "\
# Checked by a plain `kubectl drift check`.
targets:
  - name: production
    contexts: [production-eu, production-us]
    paths: [k8s/production]
    namespace: shop
    fieldManager: spinnaker
    trackingLabel: app.kubernetes.io/managed-by=spinnaker
  - context: staging
    paths:
      - k8s/staging
    namespaces: [shop-staging]

ignore:
  - kind: Deployment
    namespace: shop
    paths: [/spec/replicas]
    managers: [kube-controller-manager]
    reason: the HPA scales these
  - kind: ConfigMap
    name: \"*-cache\"
    reason: rebuilt at start
    expires: 2026-12-31

accepted: ops/accepted.yaml
";

    #[test]
    fn parses_a_complete_file() {
        let config = Config::parse(".kubectl-drift.yaml", EXAMPLE).unwrap();
        assert_eq!(config.targets.len(), 2);
        let prod = &config.targets[0];
        assert_eq!(prod.contexts, vec!["production-eu", "production-us"]);
        assert_eq!(prod.line, 3);
        assert_eq!(prod.field_manager.as_deref(), Some("spinnaker"));
        assert!(prod.tracking_label.is_some());
        let staging = &config.targets[1];
        assert_eq!(staging.name, "staging");
        assert_eq!(staging.line, 9);
        assert_eq!(staging.namespaces, vec!["shop-staging"]);
        assert_eq!(config.ignore.len(), 2);
        assert_eq!(config.ignore[0].source, ".kubectl-drift.yaml:15");
        assert_eq!(config.ignore[1].source, ".kubectl-drift.yaml:20");
        assert_eq!(
            config.ignore[1].expires,
            Some(NaiveDate::from_ymd_opt(2026, 12, 31).unwrap())
        );
        assert_eq!(config.accepted.as_deref(), Some("ops/accepted.yaml"));
    }

    #[test]
    fn helm_names_are_checked_at_their_line() {
        let bad = |helm: &str| {
            let text = format!("targets:\n  - context: a\n    helm:\n{helm}");
            Config::parse("f.yaml", &text).unwrap_err().to_string()
        };
        let release = bad("      release: --post-renderer=sh\n");
        assert!(
            release.starts_with("f.yaml:4: helm.release: ") && release.contains("--post-renderer"),
            "{release}"
        );
        let values = bad("      values:\n        - ok.yaml\n        - --post-renderer=sh\n");
        assert!(values.starts_with("f.yaml:6: "), "{values}");
        let key = bad("      set:\n        --post-renderer: sh\n");
        assert!(key.starts_with("f.yaml:5: helm.set: "), "{key}");
        let good = "targets:\n  - context: a\n    helm:\n      release: shop.prod\n      set:\n        image.tag: v1\n";
        assert_eq!(
            Config::parse("f.yaml", good).unwrap().targets[0]
                .helm
                .release
                .as_deref(),
            Some("shop.prod")
        );
    }

    #[test]
    fn errors_name_the_line() {
        let bad = |text: &str| Config::parse("f.yaml", text).unwrap_err().to_string();
        let unknown = bad("targets:\n  - context: a\n    pathz: [x]\n");
        assert!(unknown.starts_with("f.yaml:3:"), "{unknown}");
        assert!(
            unknown.contains("unknown field …, expected one of"),
            "{unknown}"
        );
        assert!(!unknown.contains("pathz"), "{unknown}");
        let date = bad("ignore:\n  - kind: A\n    reason: r\n    expires: tomorrow\n");
        assert!(date.starts_with("f.yaml:4:"), "{date}");
        assert!(date.contains("YYYY-MM-DD"), "{date}");
        let reason = bad("ignore:\n  - kind: A\n");
        assert!(reason.starts_with("f.yaml:2:"), "{reason}");
        assert!(reason.contains("reason"), "{reason}");
        let pointer = bad("ignore:\n  - reason: r\n    paths: [spec.replicas]\n");
        assert!(pointer.starts_with("f.yaml:3:"), "{pointer}");
        let label = bad("targets:\n  - context: a\n    trackingLabel: \"a in b\"\n");
        assert!(label.starts_with("f.yaml:3:"), "{label}");
        let no_context = bad("targets:\n  - paths: [x]\n  - name: w\n");
        assert!(no_context.starts_with("f.yaml:2:"), "{no_context}");
        let top = bad("target:\n  - context: a\n");
        assert!(top.starts_with("f.yaml:1:"), "{top}");
    }

    #[test]
    fn paths_stay_inside_the_repository() {
        let bad = |text: &str| Config::parse("f.yaml", text).unwrap_err().to_string();
        for accepted in [
            "/var/run/secrets/kubernetes.io/serviceaccount/token",
            "../../.kube/config",
            "ops/../../x",
            ".git/config",
            ".GIT/hooks/pre-commit",
        ] {
            let error = bad(&format!("# accepted drift\naccepted: {accepted}\n"));
            assert!(error.starts_with("f.yaml:2: accepted"), "{error}");
        }
        let path = bad("targets:\n  - context: a\n    paths:\n      - k8s\n      - ../other\n");
        assert!(path.starts_with("f.yaml:5: "), "{path}");
        assert!(Config::parse("f", "accepted: ops/accepted.yaml\n").is_ok());
    }

    #[test]
    fn parse_errors_quote_nothing_from_the_file() {
        let token = "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEyMyJ9.secret-part";
        let error = Config::parse("token", token).unwrap_err().to_string();
        assert!(
            !error.contains("eyJ") && !error.contains("secret"),
            "{error}"
        );
        assert!(error.starts_with("token:1:1: invalid type"), "{error}");
        let error = Config::parse("f", "password: hunter2\n")
            .unwrap_err()
            .to_string();
        assert!(
            !error.contains("password") && !error.contains("hunter2"),
            "{error}"
        );
        assert!(error.contains("unknown field"), "{error}");
    }

    #[test]
    fn unknown_contexts_name_their_line() {
        let config = Config::parse(".kubectl-drift.yaml", EXAMPLE).unwrap();
        let known = vec!["production-eu".to_string(), "staging".to_string()];
        let error = config.check_contexts(&known).unwrap_err().to_string();
        assert!(
            error.starts_with(".kubectl-drift.yaml:4: context \"production-us\""),
            "{error}"
        );
        assert!(Config::parse("f", "# nothing yet\n")
            .unwrap()
            .targets
            .is_empty());
    }
}
