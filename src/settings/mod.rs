//! Settings: the command line lowered once into validated values, before any I/O. Bad flags
//! and malformed arguments are rejected here with a message that names them.

use std::io::IsTerminal;
use std::path::PathBuf;

pub mod compare;
pub mod config;
mod labels;
pub mod paths;
pub mod rules;
pub mod source;

use crate::cli::{CheckArgs, ClusterArgs, ColorChoice, CommonArgs, OutputFormat};
use config::{Config, ConfigError};
pub use labels::LabelSelector;
use source::{check_release_name, HelmSettings, RepoSpec, SourceSpec};

/// The field manager of dry runs and fixes when neither a flag nor a target names one.
pub const DEFAULT_FIELD_MANAGER: &str = "kubectl-drift";

/// Width used when stdout is not a terminal and `--width` is not given.
pub const DEFAULT_WIDTH: usize = 120;
/// Narrower than this, two columns cannot show anything useful.
pub const MIN_WIDTH: usize = 40;
/// Wider than any screen; a bound so that one diff line cannot take megabytes.
pub const MAX_WIDTH: usize = 1000;
/// API requests in flight per cluster at most: more only overloads the API server.
pub const MAX_CONCURRENCY: usize = 256;

/// A flag or argument that cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SettingsError {
    #[error("invalid value for {flag}: {message}")]
    Flag { flag: &'static str, message: String },
    #[error("invalid resource argument {arg:?}: {message}")]
    Resource { arg: String, message: String },
}

/// Which kubeconfig and contexts to use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterSettings {
    pub kubeconfig: Option<PathBuf>,
    pub contexts: Vec<String>,
    pub all_contexts: bool,
    /// The longest one API request may take; `None` for no limit (`--request-timeout 0`).
    pub request_timeout: Option<std::time::Duration>,
}

impl ClusterSettings {
    pub fn from_args(args: &ClusterArgs) -> ClusterSettings {
        ClusterSettings {
            kubeconfig: args.kubeconfig.clone(),
            contexts: args.contexts.clone(),
            all_contexts: args.all_contexts,
            request_timeout: args.request_timeout.0,
        }
    }
}

/// Which namespaces to look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NamespaceScope {
    /// Only this namespace (`-n`); also the namespace of manifests that name none.
    Only(String),
    /// Every namespace the manifests use (`-A`, or no `-n` and no TYPE arguments).
    All,
    /// The context's namespace (TYPE arguments without `-n` or `-A`, as in kubectl).
    ContextDefault,
}

/// One TYPE argument and the names given for it (empty: every object of the type).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeSelection {
    pub type_name: String,
    pub names: Vec<String>,
}

/// What to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// Empty: everything in Git.
    pub types: Vec<TypeSelection>,
    pub namespace: NamespaceScope,
    pub labels: Option<LabelSelector>,
}

/// Everything `check` needs, validated.
#[derive(Debug, Clone)]
pub struct CheckSettings {
    pub source: SourceSpec,
    pub cluster: ClusterSettings,
    pub selection: Selection,
    pub output: OutputFormat,
    pub color: bool,
    pub width: usize,
    /// `--field-manager`; targets may name their own, else each object's pipeline manager
    /// (found live), else `DEFAULT_FIELD_MANAGER`.
    pub field_manager: Option<String>,
    pub concurrency: usize,
    pub show_secrets: bool,
    /// Report hand-written fields Git does not declare.
    pub strict: bool,
    /// `--config`: the config file to use instead of the repository's `.kubectl-drift.yaml`.
    pub config_file: Option<PathBuf>,
    /// `--helm-release`, `--helm-values`, `--helm-set`: over each target's `helm:` block.
    pub helm: HelmSettings,
    /// `--helm-binary`; `None`: `helm` on PATH.
    pub helm_binary: Option<PathBuf>,
    /// The ConfigMap `watch` keeps its alert state in (`--state configmap/…`), as
    /// (namespace, `None` for the context's; name): the run's own, never Extra.
    pub alert_state: Option<(Option<String>, String)>,
    /// `--fail-on`: the lowest severity of drift that makes the run exit 1; `None`: any.
    pub fail_on: Option<crate::severity::Severity>,
}

impl CheckSettings {
    pub fn from_args(
        args: &CheckArgs,
        cluster: &ClusterArgs,
    ) -> Result<CheckSettings, SettingsError> {
        let settings = CheckSettings::from_common(
            &args.common,
            cluster,
            args.output.unwrap_or(OutputFormat::SideBySide),
        )?;
        Ok(CheckSettings {
            fail_on: args.fail_on,
            ..settings
        })
    }

    /// The flags `check` and `fix` share, with the output format chosen by the caller.
    pub fn from_common(
        args: &CommonArgs,
        cluster: &ClusterArgs,
        output: OutputFormat,
    ) -> Result<CheckSettings, SettingsError> {
        if args.concurrency == 0 || args.concurrency > MAX_CONCURRENCY {
            return Err(SettingsError::Flag {
                flag: "--concurrency",
                message: format!(
                    "{} is out of range: use 1 to {MAX_CONCURRENCY}",
                    args.concurrency
                ),
            });
        }
        if args
            .field_manager
            .as_deref()
            .is_some_and(|m| m.trim().is_empty())
        {
            return Err(SettingsError::Flag {
                flag: "--field-manager",
                message: "must not be empty".into(),
            });
        }
        let width = output_width(args.width)?;
        let labels = args
            .selector
            .as_deref()
            .map(LabelSelector::parse)
            .transpose()
            .map_err(|message| SettingsError::Flag {
                flag: "--selector (-l)",
                message,
            })?;
        let types = parse_resource_args(&args.resources)?;
        let namespace = match (&args.namespace, args.all_namespaces) {
            (Some(ns), _) => NamespaceScope::Only(ns.clone()),
            (None, true) => NamespaceScope::All,
            (None, false) if !types.is_empty() => NamespaceScope::ContextDefault,
            (None, false) => NamespaceScope::All,
        };
        if let Some(ns) = &args.namespace {
            check_namespace(ns).map_err(|message| SettingsError::Flag {
                flag: "--namespace (-n)",
                message,
            })?;
        }
        let releases = !args.from_release.is_empty() || args.all_releases;
        for name in &args.from_release {
            check_release_name(name).map_err(|message| SettingsError::Flag {
                flag: "--from-release",
                message,
            })?;
        }
        if let Some(name) = &args.helm_release {
            check_release_name(name).map_err(|message| SettingsError::Flag {
                flag: "--helm-release",
                message,
            })?;
        }
        for set in &args.helm_set {
            let Some((key, _)) = set.split_once('=').filter(|(k, _)| !k.is_empty()) else {
                return Err(SettingsError::Flag {
                    flag: "--helm-set",
                    message: format!("{set:?} is not KEY=VALUE"),
                });
            };
            source::check_set_key(key).map_err(|message| SettingsError::Flag {
                flag: "--helm-set",
                message,
            })?;
        }
        for values in &args.helm_values {
            source::check_values_name(values).map_err(|message| SettingsError::Flag {
                flag: "--helm-values",
                message,
            })?;
        }
        if args.from_release.len() > 1 && args.all_releases {
            return Err(SettingsError::Flag {
                flag: "--all-releases",
                message: "names every release already; give it without --from-release".into(),
            });
        }
        let mut trusted = Vec::new();
        for text in &args.trust_release {
            let flag = "--trust-release";
            if !releases {
                return Err(SettingsError::Flag {
                    flag,
                    message: "only means something with --from-release or --all-releases".into(),
                });
            }
            let Some((ns, name)) = text.split_once('/') else {
                return Err(SettingsError::Flag {
                    flag,
                    message: format!("{text:?} is not NAMESPACE/NAME"),
                });
            };
            check_namespace(ns).map_err(|message| SettingsError::Flag { flag, message })?;
            check_release_name(name).map_err(|message| SettingsError::Flag { flag, message })?;
            trusted.push((ns.to_string(), name.to_string()));
        }
        let source = if releases {
            SourceSpec::Releases {
                names: args.from_release.clone(),
                all: args.all_releases,
                all_namespaces: args.all_namespaces,
                trusted,
            }
        } else if args.files.is_empty() {
            let repo = RepoSpec::parse(args.repo.as_deref());
            if args.offline && matches!(repo, RepoSpec::Local(_)) {
                return Err(SettingsError::Flag {
                    flag: "--offline",
                    message: "only means something with a URL --repo; a local repository is read as it is".into(),
                });
            }
            SourceSpec::Git {
                repo,
                rev: args.git_ref.clone(),
                paths: args.paths.clone(),
                offline: args.offline,
                allow_remote_bases: args.allow_remote_bases,
            }
        } else {
            SourceSpec::Files {
                files: args.files.clone(),
                allow_remote_bases: args.allow_remote_bases,
            }
        };
        let color = use_color(args.color);
        Ok(CheckSettings {
            source,
            cluster: ClusterSettings::from_args(cluster),
            selection: Selection {
                types,
                namespace,
                labels,
            },
            output,
            color,
            width,
            field_manager: args.field_manager.clone(),
            concurrency: args.concurrency,
            show_secrets: args.show_secrets,
            strict: args.strict,
            config_file: args.config.clone(),
            helm: HelmSettings {
                release: args.helm_release.clone(),
                values: args.helm_values.clone(),
                set: args.helm_set.clone(),
            },
            helm_binary: args.helm_binary.clone(),
            alert_state: None,
            fail_on: None,
        })
    }
}

/// `--width` checked, else the terminal's width, else `DEFAULT_WIDTH`.
fn output_width(width: Option<usize>) -> Result<usize, SettingsError> {
    if let Some(width) = width {
        if width < MIN_WIDTH {
            return Err(SettingsError::Flag {
                flag: "--width",
                message: format!("{width} is too narrow; use at least {MIN_WIDTH}"),
            });
        }
        if width > MAX_WIDTH {
            return Err(SettingsError::Flag {
                flag: "--width",
                message: format!("{width} is too wide; use at most {MAX_WIDTH}"),
            });
        }
    }
    Ok(width.unwrap_or_else(|| {
        terminal_size::terminal_size()
            .map(|(w, _)| (w.0 as usize).min(MAX_WIDTH))
            .filter(|w| *w >= MIN_WIDTH)
            .unwrap_or(DEFAULT_WIDTH)
    }))
}

/// `--color`: `auto` colors a terminal unless `NO_COLOR` is set.
fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

/// A namespace name as kubectl accepts it: an RFC 1123 label (at most 63 lowercase letters,
/// digits and `-`, starting and ending with a letter or digit).
fn check_namespace(name: &str) -> Result<(), String> {
    let valid = !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-');
    if valid {
        Ok(())
    } else {
        Err(format!(
            "{name:?} is not a valid namespace name: at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit"
        ))
    }
}

/// Which contexts a target covers.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetSettings {
    /// The config's name for the target; `None` for contexts checked with the flags alone.
    pub name: Option<String>,
    pub contexts: Vec<String>,
    /// Folders or files in the repository; empty means the whole tree.
    pub paths: Vec<String>,
    /// Namespace for manifests that name none, when `-n` does not say.
    pub default_namespace: Option<String>,
    /// `--field-manager`, else the target's `fieldManager`; `None`: each object's own
    /// pipeline manager, found in its live `managedFields` (see `check`).
    pub field_manager: Option<String>,
    /// Live objects with this label and no manifest are `Extra`.
    pub tracking_label: Option<LabelSelector>,
    /// Namespaces whose every object needs a manifest.
    pub owned_namespaces: Vec<String>,
    /// The config's `controllers:`: managers whose objects are never `Extra`.
    pub controllers: Vec<String>,
    /// `--path` replaced the target's paths: what Git declares is only partly read, so
    /// extra objects are told by the target's own paths, read whole.
    pub paths_narrowed: bool,
    /// The target's own paths (the config's, whatever `--path` says): what it declares,
    /// read whole to tell extra objects.
    pub own_paths: Vec<String>,
    /// How Helm charts under the paths are rendered.
    pub helm: HelmSettings,
}

/// What the kubeconfig offers: every context, and the current one.
#[derive(Debug, Clone, Default)]
pub struct KnownContexts {
    pub all: Vec<String>,
    pub current: Option<String>,
    /// The cluster each context reaches, by its identity (the `kube-system` namespace's
    /// UID), where it was looked up: for targets pinned with `clusterUID:`.
    pub clusters: std::collections::BTreeMap<String, String>,
}

/// Why the targets of a run cannot be settled.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("context {name:?} is not in the kubeconfig (known contexts: {known})")]
    UnknownContext { name: String, known: String },
    #[error("the kubeconfig sets no current-context: choose one with --context")]
    NoCurrentContext,
    #[error("{file}:{line}: context {context:?} is already in target {other:?}; a context belongs to one target")]
    SharedContext {
        file: String,
        line: usize,
        context: String,
        other: String,
    },
}

/// Settles the targets of a run: the config's targets, narrowed by `--context` and
/// `--all-contexts`, with `--path` and `--field-manager` overriding theirs; contexts no
/// target names are checked with the flags alone. Without a config (or targets), one
/// target covers the contexts the flags choose, as in kubectl.
pub fn plan(
    settings: &CheckSettings,
    config: Option<&Config>,
    known: &KnownContexts,
) -> Result<Vec<TargetSettings>, PlanError> {
    let flag_paths = match &settings.source {
        SourceSpec::Git { paths, .. } => paths.clone(),
        SourceSpec::Files { .. } | SourceSpec::Releases { .. } => Vec::new(),
    };
    // Each flag replaces the target's setting of the same name.
    let helm = |target: &HelmSettings| HelmSettings {
        release: settings.helm.release.clone().or(target.release.clone()),
        values: if settings.helm.values.is_empty() {
            target.values.clone()
        } else {
            settings.helm.values.clone()
        },
        set: if settings.helm.set.is_empty() {
            target.set.clone()
        } else {
            settings.helm.set.clone()
        },
    };
    let field_manager = |target: Option<&str>| {
        settings
            .field_manager
            .as_deref()
            .or(target)
            .map(str::to_string)
    };
    let unknown = |name: &str| PlanError::UnknownContext {
        name: name.to_string(),
        known: known.all.join(", "),
    };
    for name in &settings.cluster.contexts {
        if !known.all.contains(name) {
            return Err(unknown(name));
        }
    }
    let targets = config.map(|c| c.targets.as_slice()).unwrap_or_default();
    if let Some(config) = config {
        config.check_contexts(&known.all)?;
        let mut owner: Vec<(&str, &str)> = Vec::new();
        for target in targets {
            for context in &target.contexts {
                if let Some((_, other)) = owner.iter().find(|(c, _)| c == context) {
                    return Err(PlanError::SharedContext {
                        file: config.file.clone(),
                        line: target.line,
                        context: context.clone(),
                        other: other.to_string(),
                    });
                }
                owner.push((context, &target.name));
            }
        }
    }
    let mut wanted: Vec<String> = if settings.cluster.all_contexts {
        known.all.clone()
    } else if !settings.cluster.contexts.is_empty() {
        let mut named: Vec<String> = Vec::new();
        for name in &settings.cluster.contexts {
            if !named.contains(name) {
                named.push(name.clone());
            }
        }
        named
    } else if !targets.is_empty() {
        targets
            .iter()
            .flat_map(|t| t.contexts.clone())
            .filter(|c| known.all.contains(c))
            .collect()
    } else {
        vec![known.current.clone().ok_or(PlanError::NoCurrentContext)?]
    };
    let mut planned = Vec::new();
    let named: Vec<&String> = targets.iter().flat_map(|t| &t.contexts).collect();
    for target in targets {
        // Its own contexts, and any other context that reaches its cluster.
        let contexts: Vec<String> = wanted
            .iter()
            .filter(|c| {
                target.contexts.contains(c)
                    || (!named.contains(c)
                        && target.cluster_uid.is_some()
                        && known.clusters.get(*c) == target.cluster_uid.as_ref())
            })
            .cloned()
            .collect();
        if contexts.is_empty() {
            continue;
        }
        wanted.retain(|c| !contexts.contains(c));
        planned.push(TargetSettings {
            name: Some(target.name.clone()),
            contexts,
            paths: if flag_paths.is_empty() {
                target.paths.clone()
            } else {
                flag_paths.clone()
            },
            default_namespace: target.namespace.clone(),
            field_manager: field_manager(target.field_manager.as_deref()),
            tracking_label: target.tracking_label.clone(),
            owned_namespaces: target.namespaces.clone(),
            controllers: config.map(|c| c.controllers.clone()).unwrap_or_default(),
            paths_narrowed: !flag_paths.is_empty(),
            own_paths: target.paths.clone(),
            helm: helm(&target.helm),
        });
    }
    if !wanted.is_empty() {
        planned.push(TargetSettings {
            name: None,
            contexts: wanted,
            paths: flag_paths,
            default_namespace: None,
            field_manager: field_manager(None),
            tracking_label: None,
            owned_namespaces: Vec::new(),
            controllers: config.map(|c| c.controllers.clone()).unwrap_or_default(),
            paths_narrowed: false,
            own_paths: Vec::new(),
            helm: helm(&HelmSettings::default()),
        });
    }
    Ok(planned)
}

/// kubectl's forms: `TYPE`, `TYPE1,TYPE2`, `TYPE NAME...`, `TYPE/NAME...`.
pub fn parse_resource_args(args: &[String]) -> Result<Vec<TypeSelection>, SettingsError> {
    let Some(first) = args.first() else {
        return Ok(Vec::new());
    };
    let bad = |arg: &str, message: &str| SettingsError::Resource {
        arg: arg.to_string(),
        message: message.to_string(),
    };
    if first.contains('/') {
        let mut out: Vec<TypeSelection> = Vec::new();
        for arg in args {
            let (type_name, name) = arg
                .split_once('/')
                .ok_or_else(|| bad(arg, "mix TYPE/NAME with other forms is not allowed; write every argument as TYPE/NAME"))?;
            if type_name.is_empty() || name.is_empty() || name.contains('/') {
                return Err(bad(arg, "expected TYPE/NAME"));
            }
            match out.iter_mut().find(|t| t.type_name == type_name) {
                Some(t) => t.names.push(name.to_string()),
                None => out.push(TypeSelection {
                    type_name: type_name.to_string(),
                    names: vec![name.to_string()],
                }),
            }
        }
        return Ok(out);
    }
    let names: Vec<String> = args[1..].to_vec();
    if let Some(arg) = names.iter().find(|n| n.contains('/')) {
        return Err(bad(arg, "there is no need to specify a resource type as a separate argument when passing arguments in resource/name form"));
    }
    let types: Vec<&str> = first.split(',').collect();
    if types.iter().any(|t| t.is_empty()) {
        return Err(bad(first, "empty TYPE"));
    }
    if types.len() > 1 && !names.is_empty() {
        return Err(bad(first, "names can only follow a single TYPE"));
    }
    Ok(types
        .into_iter()
        .map(|t| TypeSelection {
            type_name: t.to_string(),
            names: names.clone(),
        })
        .collect())
}

#[cfg(test)]
mod tests {

    use super::*;

    #[test]
    fn resource_args_follow_kubectl() {
        let args = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let parsed = parse_resource_args(&args(&["deploy/a", "svc/b", "deploy/c"])).unwrap();
        assert_eq!(parsed[0].names, vec!["a", "c"]);
        assert_eq!(parsed[1].type_name, "svc");
        let parsed = parse_resource_args(&args(&["deploy", "a", "b"])).unwrap();
        assert_eq!(
            parsed,
            vec![TypeSelection {
                type_name: "deploy".into(),
                names: vec!["a".into(), "b".into()]
            }]
        );
        assert_eq!(
            parse_resource_args(&args(&["deploy,svc"])).unwrap().len(),
            2
        );
        assert!(parse_resource_args(&args(&["deploy/a", "b"])).is_err());
        assert!(parse_resource_args(&args(&["deploy", "svc/b"])).is_err());
    }
}
