//! `compare`'s flags lowered into two sides (each a context and a namespace) and a
//! selection, checked before any I/O. The Git part, when `--path` is given, is kept as
//! `CheckSettings` so that targets are settled by `settings::plan` as for `check`.

use super::{
    check_namespace, output_width, parse_resource_args, source, use_color, CheckSettings,
    ClusterSettings, LabelSelector, NamespaceScope, Selection, SettingsError,
};
use crate::cli::{ClusterArgs, CompareArgs, CompareFormat, OutputFormat};

/// One side of a comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Side {
    /// The kubeconfig context; `None`: the current one.
    pub context: Option<String>,
    /// The namespace looked in (`--namespace-a`/`-b` or `-n`); `None`: each object's own (with
    /// `-A` or `--path`), else the context's namespace.
    pub namespace: Option<String>,
}

/// Everything `compare` needs, validated.
#[derive(Debug, Clone)]
pub struct CompareSettings {
    /// Side A (left) and side B (right).
    pub sides: [Side; 2],
    /// The selection, cluster flags, color and width; with `--path`, the Git source too.
    pub check: CheckSettings,
    /// `--path` given: only what Git declares is compared.
    pub git: bool,
    pub output: CompareFormat,
}

impl CompareSettings {
    pub fn from_args(
        args: &CompareArgs,
        cluster: &ClusterArgs,
    ) -> Result<CompareSettings, SettingsError> {
        let width = output_width(args.width)?;
        let flag = |flag: &'static str, message: &str| SettingsError::Flag {
            flag,
            message: message.to_string(),
        };
        for (name, value) in [
            ("--namespace (-n)", &args.namespace),
            ("--namespace-a", &args.namespace_a),
            ("--namespace-b", &args.namespace_b),
        ] {
            if let Some(ns) = value {
                check_namespace(ns).map_err(|message| SettingsError::Flag {
                    flag: name,
                    message,
                })?;
            }
        }
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
        let git = !args.paths.is_empty();
        if types.is_empty() && !git {
            return Err(SettingsError::Resource {
                arg: String::new(),
                message: "name what to compare: TYPE, TYPE/NAME or TYPE NAME…, or --path for what Git declares".into(),
            });
        }
        if cluster.all_contexts {
            return Err(flag(
                "--all-contexts",
                "compare takes two sides: two --context flags, or one with --namespace-a and --namespace-b",
            ));
        }
        let (namespace_a, namespace_b) = match (&args.namespace_a, &args.namespace_b) {
            (Some(a), Some(b)) => (Some(a.clone()), Some(b.clone())),
            (None, None) => (args.namespace.clone(), args.namespace.clone()),
            _ => {
                return Err(flag(
                    "--namespace-a/--namespace-b",
                    "give both, one namespace for each side",
                ))
            }
        };
        let split = args.namespace_a.is_some();
        let contexts: [Option<String>; 2] = match cluster.contexts.as_slice() {
            [] if split => [None, None],
            [one] if split => [Some(one.clone()), Some(one.clone())],
            [a, b] if a != b || (split && namespace_a != namespace_b) => {
                [Some(a.clone()), Some(b.clone())]
            }
            [a, b] if a == b => {
                return Err(flag(
                    "--context",
                    "both sides are the same context and namespace: name two contexts, or two namespaces with --namespace-a and --namespace-b",
                ))
            }
            [] | [_] => {
                return Err(flag(
                    "--context",
                    "compare takes two sides: two --context flags, or one context with --namespace-a and --namespace-b",
                ))
            }
            _ => {
                return Err(flag(
                    "--context",
                    "compare takes two contexts at most: side A and side B",
                ))
            }
        };
        if split && namespace_a == namespace_b && contexts[0] == contexts[1] {
            return Err(flag(
                "--namespace-a/--namespace-b",
                "both sides are the same context and namespace",
            ));
        }
        let [context_a, context_b] = contexts;
        let namespace = match (&args.namespace, args.all_namespaces) {
            (Some(ns), _) => NamespaceScope::Only(ns.clone()),
            (None, true) => NamespaceScope::All,
            (None, false) if git && !split => NamespaceScope::All,
            (None, false) => NamespaceScope::ContextDefault,
        };
        // Without --path the repository is read for its config only, when there is one.
        let source = source::SourceSpec::Git {
            repo: source::RepoSpec::parse(args.repo.as_deref()),
            rev: args.git_ref.clone(),
            paths: args.paths.clone(),
            offline: args.offline,
            allow_remote_bases: args.allow_remote_bases,
        };
        let check = CheckSettings {
            source,
            cluster: ClusterSettings {
                kubeconfig: cluster.kubeconfig.clone(),
                contexts: [&context_a, &context_b].into_iter().flatten().fold(
                    Vec::new(),
                    |mut named, c| {
                        if !named.contains(c) {
                            named.push(c.clone());
                        }
                        named
                    },
                ),
                all_contexts: false,
                request_timeout: cluster.request_timeout.0,
            },
            selection: Selection {
                types,
                namespace,
                labels,
            },
            output: OutputFormat::SideBySide,
            color: use_color(args.color),
            width,
            field_manager: None,
            // LISTs in flight per side, as check's default --concurrency.
            concurrency: 16,
            show_secrets: false,
            strict: false,
            config_file: args.config.clone(),
            helm: Default::default(),
            helm_binary: args.helm_binary.clone(),
            alert_state: None,
            fail_on: None,
        };
        Ok(CompareSettings {
            sides: [
                Side {
                    context: context_a,
                    namespace: namespace_a,
                },
                Side {
                    context: context_b,
                    namespace: namespace_b,
                },
            ],
            check,
            git,
            output: args.output.unwrap_or(CompareFormat::SideBySide),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn lower(args: &[&str]) -> Result<CompareSettings, SettingsError> {
        let cli = crate::cli::Cli::try_parse_from(
            ["kubectl-drift", "compare"].iter().chain(args).copied(),
        )
        .expect("parses");
        let crate::cli::Command::Compare(compare) = &cli.command else {
            panic!("not compare")
        };
        CompareSettings::from_args(compare, &cli.cluster)
    }

    #[test]
    fn two_sides_are_two_contexts_or_two_namespaces() {
        let s = lower(&["--context", "a", "--context", "b", "deploy", "-n", "shop"]).unwrap();
        assert_eq!(s.sides[0].context.as_deref(), Some("a"));
        assert_eq!(s.sides[1].namespace.as_deref(), Some("shop"));
        let s = lower(&[
            "--context",
            "a",
            "--namespace-a",
            "x",
            "--namespace-b",
            "y",
            "cm",
        ])
        .unwrap();
        assert_eq!(s.sides[0].context, s.sides[1].context);
        assert_eq!(
            (
                s.sides[0].namespace.as_deref(),
                s.sides[1].namespace.as_deref()
            ),
            (Some("x"), Some("y"))
        );
        assert!(lower(&["--context", "a", "cm"]).is_err());
        assert!(lower(&["--context", "a", "--context", "a", "cm"]).is_err());
        assert!(lower(&["--context", "a", "--namespace-a", "x", "cm"]).is_err());
        assert!(lower(&["--context", "a", "--context", "b"]).is_err());
        assert!(lower(&["--context", "a", "--context", "b", "--path", "k8s"]).is_ok());
        assert!(lower(&["--context", "a", "--context", "b", "--context", "c", "cm"]).is_err());
        assert!(lower(&["--context", "a", "--context", "b", "cm", "--width", "10"]).is_err());
    }
}
