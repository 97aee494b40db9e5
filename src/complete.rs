//! Shell completion. Static scripts for bash, zsh, fish and PowerShell come from the clap
//! definitions; dynamic completion (`kubectl-drift __complete WORDS…`) speaks kubectl's
//! plugin protocol, used by `kubectl drift <TAB>` through `kubectl_complete-drift`: one
//! candidate per line, then `:<directive>`. It completes subcommands, flags, contexts from
//! the kubeconfig, and namespaces, types and names from the cluster, with a short timeout
//! and silence on any failure.

use std::io::{self, Write};
use std::path::PathBuf;
use std::time::Duration;

use clap::{Command, CommandFactory};
use clap_complete::Shell;

use crate::cli::Cli;
use crate::cluster::{kubeconfig, live, Catalog};

/// The name the static scripts complete.
pub const BIN: &str = "kubectl-drift";

/// Cobra's directives, which kubectl passes on to the shell.
const DEFAULT: u8 = 0;
const NO_SPACE: u8 = 2;
const NO_FILE: u8 = 4;

/// How long a completion may wait for a cluster.
const CLUSTER_TIMEOUT: Duration = Duration::from_secs(2);

/// Writes the completion script for `shell`.
pub fn script(shell: Shell, out: &mut dyn Write) -> io::Result<()> {
    let mut text = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), BIN, &mut text);
    let mut text = String::from_utf8_lossy(&text).into_owned();
    if shell == Shell::Bash {
        // clap_complete names the bash case arms of subcommands with the binary's `-`
        // turned into its subcommand separator, but the variable they are matched against
        // with `-` turned into `__`; for a hyphenated binary the arms never match.
        text = text.replace("kubectl__subcmd__drift", "kubectl__drift");
    }
    out.write_all(text.as_bytes())
}

/// Writes the man page.
pub fn man_page(out: &mut dyn Write) -> io::Result<()> {
    clap_mangen::Man::new(Cli::command().name(BIN)).render(out)
}

/// The candidates for the last of `words` (the word being typed, possibly empty).
pub async fn candidates(words: &[String]) -> (Vec<String>, u8) {
    let (typed, before) = match words.split_last() {
        Some((last, rest)) => (last.as_str(), rest),
        None => ("", &[][..]),
    };
    // Built, so that the global cluster flags are part of every subcommand.
    let mut root = Cli::command();
    root.build();
    let Some(sub_name) = before.first() else {
        let names = root
            .get_subcommands()
            .filter(|c| !c.is_hide_set() && c.get_name() != "help")
            .map(|c| c.get_name().to_string());
        return (matching(names, typed), NO_FILE);
    };
    let Some(sub) = root.find_subcommand(sub_name) else {
        return (Vec::new(), NO_FILE);
    };
    if let Some(flag) = before.last().filter(|w| w.starts_with('-')) {
        if let Some(arg) = find_flag(sub, flag).filter(|a| a.get_action().takes_values()) {
            return flag_values(arg.get_id().as_str(), arg, typed, before).await;
        }
    }
    if typed.starts_with('-') {
        let mut flags = Vec::new();
        for arg in sub.get_arguments().filter(|a| !a.is_hide_set()) {
            if let Some(long) = arg.get_long() {
                flags.push(format!("--{long}"));
            }
            if let Some(short) = arg.get_short() {
                flags.push(format!("-{short}"));
            }
        }
        return (matching(flags, typed), NO_FILE);
    }
    if sub.get_arguments().any(|a| a.get_id() == "resources") {
        return resources(typed, before).await;
    }
    (Vec::new(), NO_FILE)
}

/// Prints candidates in kubectl's protocol.
pub fn print(candidates: &[String], directive: u8, out: &mut dyn Write) -> io::Result<()> {
    for c in candidates {
        writeln!(out, "{c}")?;
    }
    writeln!(out, ":{directive}")
}

fn find_flag<'a>(command: &'a Command, word: &str) -> Option<&'a clap::Arg> {
    command.get_arguments().find(|a| {
        a.get_long().is_some_and(|l| word == format!("--{l}"))
            || a.get_short().is_some_and(|s| word == format!("-{s}"))
    })
}

fn matching(items: impl IntoIterator<Item = String>, typed: &str) -> Vec<String> {
    let mut out: Vec<String> = items.into_iter().filter(|i| i.starts_with(typed)).collect();
    out.sort();
    out.dedup();
    out
}

/// The value of `--flag VALUE` among the words already typed.
fn flag_value(before: &[String], long: &str, short: Option<&str>) -> Option<String> {
    before
        .windows(2)
        .rev()
        .find(|w| w[0] == long || Some(w[0].as_str()) == short)
        .map(|w| w[1].clone())
}

async fn flag_values(
    id: &str,
    arg: &clap::Arg,
    typed: &str,
    before: &[String],
) -> (Vec<String>, u8) {
    let possible: Vec<String> = arg
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| v.get_name().to_string())
        .collect();
    if !possible.is_empty() {
        return (matching(possible, typed), NO_FILE);
    }
    match id {
        "contexts" => {
            let config = kubeconfig::load_kubeconfig(kubeconfig_flag(before).as_deref()).ok();
            let names = config
                .map(|c| c.contexts.into_iter().map(|c| c.name).collect::<Vec<_>>())
                .unwrap_or_default();
            (matching(names, typed), NO_FILE)
        }
        "namespace" | "namespace_a" | "namespace_b" => {
            let names = with_cluster(before, |cluster| async move {
                let rt = Catalog::discover(&cluster)
                    .await
                    .ok()?
                    .resolve("namespaces")
                    .ok()?
                    .clone();
                let items = live::list(&cluster, &rt, None, None).await.ok()?;
                Some(
                    items
                        .iter()
                        .filter_map(|i| i["metadata"]["name"].as_str().map(str::to_string))
                        .collect(),
                )
            })
            .await;
            (matching(names, typed), NO_FILE)
        }
        // Paths: let the shell complete files.
        _ => (Vec::new(), DEFAULT),
    }
}

fn kubeconfig_flag(before: &[String]) -> Option<PathBuf> {
    flag_value(before, "--kubeconfig", None).map(PathBuf::from)
}

/// Runs `f` against the context named in `before` (or the current one), within the timeout.
async fn with_cluster<F, Fut>(before: &[String], f: F) -> Vec<String>
where
    F: FnOnce(kubeconfig::Cluster) -> Fut,
    Fut: std::future::Future<Output = Option<Vec<String>>>,
{
    let work = async {
        let config = kubeconfig::load_kubeconfig(kubeconfig_flag(before).as_deref()).ok()?;
        let context = match flag_value(before, "--context", None) {
            Some(c) => c,
            None => config.current_context.clone()?,
        };
        let cluster = kubeconfig::connect(&config, &context).await.ok()?;
        f(cluster).await
    };
    tokio::time::timeout(CLUSTER_TIMEOUT, work)
        .await
        .ok()
        .flatten()
        .unwrap_or_default()
}

/// `TYPE` from discovery, or `TYPE/NAME` from the cluster once a slash is typed.
async fn resources(typed: &str, before: &[String]) -> (Vec<String>, u8) {
    let namespace = flag_value(before, "--namespace", Some("-n"));
    let typed_owned = typed.to_string();
    let found = with_cluster(before, |cluster| async move {
        let catalog = Catalog::discover(&cluster).await.ok()?;
        match typed_owned.split_once('/') {
            None => Some(
                catalog
                    .types()
                    .iter()
                    .filter(|t| t.preferred && t.verbs.iter().any(|v| v == "list"))
                    .flat_map(|t| std::iter::once(t.plural.clone()).chain(t.short_names.clone()))
                    .collect(),
            ),
            Some((type_name, _)) => {
                let rt = catalog.resolve(type_name).ok()?.clone();
                let ns = namespace.unwrap_or(cluster.default_namespace.clone());
                let ns = rt.namespaced.then_some(ns);
                let items = live::list(&cluster, &rt, ns.as_deref(), None).await.ok()?;
                Some(
                    items
                        .iter()
                        .filter_map(|i| i["metadata"]["name"].as_str())
                        .map(|name| format!("{type_name}/{name}"))
                        .collect(),
                )
            }
        }
    })
    .await;
    let directive = if typed.contains('/') {
        NO_FILE
    } else {
        NO_FILE | NO_SPACE
    };
    (matching(found, typed), directive)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(w: &[&str]) -> Vec<String> {
        w.iter().map(|s| s.to_string()).collect()
    }

    #[tokio::test]
    async fn completes_subcommands_flags_and_choices() {
        assert_eq!(
            candidates(&words(&["ch"])).await,
            (vec!["check".to_string()], NO_FILE)
        );
        let (flags, _) = candidates(&words(&["check", "--con"])).await;
        assert_eq!(flags, ["--concurrency", "--config", "--context"]);
        let (formats, _) = candidates(&words(&["check", "-o", "s"])).await;
        assert_eq!(formats, ["side-by-side", "summary"]);
        assert_eq!(
            candidates(&words(&["check", "--path", ""])).await,
            (vec![], DEFAULT)
        );
    }

    #[test]
    fn scripts_name_the_binary() {
        let mut out = Vec::new();
        script(Shell::Bash, &mut out).unwrap();
        assert!(String::from_utf8(out).unwrap().contains("kubectl-drift"));
    }
}
