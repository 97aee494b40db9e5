//! The ground the rest stands on: kubeconfig contexts, server-side dry runs, RBAC, and the
//! binary's exit codes.

use crate::common::*;

#[test]
fn all_three_contexts_load_from_a_merged_kubeconfig() {
    let env = testenv();
    // Split the kubeconfig in two and let KUBECONFIG merge them, as kubectl does.
    let full =
        kubectl_drift::yaml::read(&std::fs::read_to_string(&env.kubeconfig).unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut first = full.clone();
    let mut second = full.clone();
    let contexts = full["contexts"].as_array().unwrap().clone();
    first["contexts"] = serde_json::Value::Array(contexts[..1].to_vec());
    second["contexts"] = serde_json::Value::Array(contexts[1..].to_vec());
    second["current-context"] = serde_json::Value::Null;
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    std::fs::write(&a, kubectl_drift::yaml::to_string(&first).unwrap()).unwrap();
    std::fs::write(&b, kubectl_drift::yaml::to_string(&second).unwrap()).unwrap();
    let missing = dir.path().join("does-not-exist");
    let list = std::env::join_paths([&a, &missing, &b]).unwrap();

    let out = drift()
        .env("KUBECONFIG", &list)
        .args([
            "version",
            "--context",
            "staging",
            "--context",
            "production",
            "--context",
            "production-viewer",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    for context in ["staging", "production", "production-viewer"] {
        assert!(
            stdout.contains(&format!("{context}: server v1.33.")),
            "{stdout}"
        );
    }
    assert!(stdout.starts_with(&format!("kubectl-drift {}", env!("CARGO_PKG_VERSION"))));
}

#[test]
fn server_side_dry_run_returns_the_defaulted_object_and_stores_nothing() {
    let ns = namespace("dryrun", &["staging"]);
    let manifest = format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: {ns}\nspec:\n  selector:\n    matchLabels: {{app: web}}\n  template:\n    metadata:\n      labels: {{app: web}}\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.27\n"
    );
    let out = kubectl_stdin(
        "staging",
        &[
            "apply",
            "--server-side",
            "--dry-run=server",
            "--field-manager",
            "kubectl-drift",
            "-o",
            "json",
            "-f",
            "-",
        ],
        Some(&manifest),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let predicted: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(predicted["spec"]["strategy"]["type"], "RollingUpdate");
    assert_eq!(predicted["spec"]["revisionHistoryLimit"], 10);
    assert_eq!(predicted["spec"]["progressDeadlineSeconds"], 600);
    let container = &predicted["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(container["imagePullPolicy"], "IfNotPresent");
    assert_eq!(container["terminationMessagePath"], "/dev/termination-log");
    let get = kubectl("staging", &["get", "deployment", "web", "-n", &ns]);
    assert!(!get.status.success(), "the dry run stored the Deployment");
    assert!(String::from_utf8_lossy(&get.stderr).contains("NotFound"));
}

#[test]
fn the_viewer_may_list_but_not_patch() {
    let can = |verb: &str| {
        kubectl(
            "production-viewer",
            &["auth", "can-i", verb, "deployments", "-n", "default"],
        )
    };
    assert_eq!(String::from_utf8_lossy(&can("list").stdout).trim(), "yes");
    assert_eq!(String::from_utf8_lossy(&can("patch").stdout).trim(), "no");
    kubectl_ok(
        "production-viewer",
        &["get", "deployments", "-n", "default"],
    );
}

#[test]
fn exit_codes_for_help_unknown_flags_and_unknown_contexts() {
    let (code, stdout, _) = run_drift(&["--help"]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("kubectl drift") && stdout.contains("check"),
        "{stdout}"
    );
    let (code, _, stderr) = run_drift(&["check", "--no-such-flag"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--no-such-flag"), "{stderr}");
    let (code, _, stderr) = run_drift(&["version", "--context", "nowhere"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("\"nowhere\"") && stderr.contains("production-viewer"),
        "{stderr}"
    );

    // kubectl's cluster flags also work before the subcommand, as kubectl users type them.
    let (code, stdout, stderr) = run_drift(&["--context", "staging", "version"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("staging: server v1.33."), "{stdout}");
    // A bare `kubectl drift` prints help.
    let (code, _, stderr) = run_drift(&[]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("Commands:") && stderr.contains("check"),
        "{stderr}"
    );
}
