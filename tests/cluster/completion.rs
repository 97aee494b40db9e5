//! `kubectl drift <TAB>` through kubectl's own plugin completion: kubectl finds
//! `kubectl_complete-drift` on PATH, which asks `kubectl-drift __complete`.

use std::process::Command;

use crate::common::*;

fn kubectl_complete(args: &[&str]) -> Vec<String> {
    let bin_dir = assert_cmd::cargo::cargo_bin("kubectl-drift")
        .parent()
        .unwrap()
        .to_path_buf();
    let path = std::env::join_paths(
        [root().join("completions"), bin_dir]
            .into_iter()
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap();
    let out = Command::new("kubectl")
        .arg("__complete")
        .arg("drift")
        .args(args)
        .env("PATH", path)
        .env("KUBECONFIG", &testenv().kubeconfig)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn kubectl_completes_subcommands_contexts_namespaces_and_names() {
    // `kubectl drift ch<TAB>`: kubectl passes the word being typed last.
    let lines = kubectl_complete(&["ch"]);
    assert_eq!(lines, ["check", ":4"]);
    // `kubectl drift <TAB>`: every subcommand, the hidden ones left out.
    let lines = kubectl_complete(&[""]);
    assert_eq!(
        lines,
        [
            "accept",
            "adopt",
            "check",
            "compare",
            "completion",
            "fix",
            "history",
            "rbac",
            "version",
            "watch",
            ":4"
        ]
    );

    let contexts = kubectl_complete(&["check", "--context", ""]);
    for context in ["staging", "production", "production-viewer"] {
        assert!(contexts.iter().any(|c| c == context), "{contexts:?}");
    }

    let ns = namespace("complete", &["staging"]);
    kubectl_ok("staging", &["create", "configmap", "settings", "-n", &ns]);
    let namespaces = kubectl_complete(&["check", "--context", "staging", "-n", ""]);
    assert!(namespaces.contains(&ns), "{namespaces:?}");

    let types = kubectl_complete(&["check", "--context", "staging", "-n", &ns, "deploy"]);
    assert!(types.iter().any(|t| t == "deployments"), "{types:?}");
    let names = kubectl_complete(&["check", "--context", "staging", "-n", &ns, "cm/"]);
    assert!(names.iter().any(|t| t == "cm/settings"), "{names:?}");
}
