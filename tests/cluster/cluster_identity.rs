//! Targets pinned to a cluster (`clusterUID:`): one config for a laptop and the CronJob in
//! the cluster, whose contexts have different names. Two kubeconfig contexts of different
//! names reach the same testenv cluster; drift accepted through one holds through the other.

use serde_json::Value;

use crate::common::*;

const SETTINGS: &str =
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: one\n";

#[test]
fn a_target_pinned_to_its_cluster_takes_any_context_that_reaches_it() {
    let ns = namespace("cluid", &["production"]);
    let uid = kubectl_ok(
        "production",
        &[
            "get",
            "namespace",
            "kube-system",
            "-o",
            "jsonpath={.metadata.uid}",
        ],
    );
    assert!(!uid.is_empty());
    // The CronJob's context name; this kubeconfig has no such context.
    let config = format!(
        "targets:\n  - name: production\n    context: in-cluster\n    clusterUID: {uid}\n    paths: [k8s]\n    namespace: {ns}\n"
    );
    let repo = git_repo(&[
        (".kubectl-drift.yaml", &config),
        ("k8s/settings.yaml", SETTINGS),
    ]);
    apply("production", &ns, SETTINGS);
    kubectl_ok(
        "production",
        &[
            "-n",
            &ns,
            "patch",
            "configmap/settings",
            "-p",
            r#"{"data":{"mode":"two"}}"#,
        ],
    );
    // A laptop's kubeconfig: the same cluster and user under an alias.
    let kubeconfig = repo.path().join("laptop-kubeconfig");
    std::fs::copy(&testenv().kubeconfig, &kubeconfig).unwrap();
    let set = std::process::Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(&kubeconfig)
        .args([
            "config",
            "set-context",
            "prod-laptop",
            "--cluster=production",
            "--user=production-admin",
        ])
        .output()
        .unwrap();
    assert!(set.status.success(), "{set:?}");
    let run = |args: &[&str]| {
        let out = drift()
            .current_dir(repo.path())
            .env("KUBECONFIG", &kubeconfig)
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let json = |stdout: &str| -> Value { serde_json::from_str(stdout).unwrap() };

    // The alias is the target: its paths and namespace apply, and the summary names it.
    let (code, stdout, stderr) = run(&["check", "--context", "prod-laptop", "-o", "json"]);
    assert_eq!(code, 1, "{stderr}");
    let report = json(&stdout);
    assert_eq!(report["summary"][0]["target"], "production", "{report:#}");
    assert_eq!(report["resources"][0]["status"], "Drifted");
    assert_eq!(report["resources"][0]["namespace"], ns.as_str());

    // Accepted through the alias...
    let (code, _, stderr) = run(&[
        "accept",
        "configmap/settings",
        "--context",
        "prod-laptop",
        "--reason",
        "load test",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let records =
        std::fs::read_to_string(repo.path().join(".kubectl-drift/accepted.yaml")).unwrap();
    assert!(records.contains("target: production"), "{records}");
    // ...holds through another context of the same cluster.
    let (code, stdout, stderr) = run(&["check", "--context", "production", "-o", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let report = json(&stdout);
    assert_eq!(report["summary"][0]["target"], "production");
    assert_eq!(report["resources"][0]["status"], "Accepted", "{report:#}");

    // A context of another cluster is not the target: checked with the flags alone.
    let (_, stdout, stderr) = run(&[
        "check",
        "--context",
        "staging",
        "--path",
        "k8s",
        "-n",
        &ns,
        "-o",
        "json",
    ]);
    let report = json(&stdout);
    assert_eq!(
        report["summary"][0]["target"],
        Value::Null,
        "{stderr} {report:#}"
    );
}

/// A context that may not read `kube-system` cannot be told to be a pinned target's: it is
/// an error of its own, never checked as no target's (with the whole repository, under
/// its own name, as a fleet's dashboards would then show a cluster that is not there).
#[test]
fn a_context_whose_cluster_cannot_be_told_is_an_error_not_a_target_of_its_own() {
    let ns = namespace("cluid-unknown", &["staging"]);
    let uid = kubectl_ok(
        "staging",
        &[
            "get",
            "namespace",
            "kube-system",
            "-o",
            "jsonpath={.metadata.uid}",
        ],
    );
    // An account that reads ConfigMaps in one namespace and nothing else.
    let rbac = format!(
        "apiVersion: v1\nkind: ServiceAccount\nmetadata: {{name: limited, namespace: {ns}}}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {{name: limited, namespace: {ns}}}\nrules:\n- apiGroups: [\"\"]\n  resources: [configmaps]\n  verbs: [get, list, watch, patch]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {{name: limited, namespace: {ns}}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: limited}}\nsubjects:\n- {{kind: ServiceAccount, name: limited, namespace: {ns}}}\n"
    );
    apply("staging", &ns, &rbac);
    apply("staging", &ns, SETTINGS);
    let token = kubectl_ok(
        "staging",
        &["create", "token", "limited", "-n", &ns, "--duration=1h"],
    );
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = crate::versions::token_kubeconfig(dir.path(), token.trim());
    let config = format!(
        "targets:\n  - name: staging\n    context: stage-admin\n    clusterUID: {}\n    paths: [k8s]\n    namespace: {ns}\n",
        uid.trim()
    );
    let repo = git_repo(&[
        (".kubectl-drift.yaml", &config),
        ("k8s/settings.yaml", SETTINGS),
        // Outside the target's paths: checked only if the context were no target's.
        ("other/settings.yaml", SETTINGS),
    ]);
    let out = drift()
        .current_dir(repo.path())
        .env("KUBECONFIG", &kubeconfig)
        .args(["check", "--context", "limited", "-o", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let summary = &report["summary"][0];
    assert_eq!(summary["context"], "limited", "{report:#}");
    assert_eq!(summary["target"], Value::Null);
    let error = summary["error"].as_str().unwrap();
    assert!(error.contains("cannot tell which target it is"), "{error}");
    assert!(error.contains("kube-system"), "{error}");
    assert_eq!(report["resources"], serde_json::json!([]), "{report:#}");
}
