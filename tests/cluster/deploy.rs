//! The manifests in `deploy/`, on a real API server: every one is accepted by a server-side
//! dry run (the Spinnaker pipeline's Jobs too), and `check` run as the deployed service
//! account, configured the way a pod is (no kubeconfig, a minted token), finds drift while
//! every real write is refused.

use std::path::Path;

use base64::Engine;
use serde_json::Value;

use crate::check::resource;
use crate::common::*;

/// The staging cluster's server address and CA, from the test kubeconfig.
fn staging_server() -> (String, String, Vec<u8>) {
    let text = std::fs::read_to_string(&testenv().kubeconfig).unwrap();
    let config = kubectl_drift::yaml::read(&text).unwrap();
    let cluster = config["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "staging")
        .expect("a staging cluster in the kubeconfig");
    let server = cluster["cluster"]["server"].as_str().unwrap();
    let (host, port) = server
        .trim_start_matches("https://")
        .rsplit_once(':')
        .unwrap();
    let ca = base64::engine::general_purpose::STANDARD
        .decode(
            cluster["cluster"]["certificate-authority-data"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
    (host.to_string(), port.to_string(), ca)
}

fn dry_run(file: &Path) {
    let out = kubectl(
        "staging",
        &[
            "apply",
            "--server-side",
            "--dry-run=server",
            "-f",
            file.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{} was refused: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn deploy_manifests_work_and_the_check_account_only_reads() {
    let deploy = root().join("deploy");
    // Namespaced objects need their namespace to exist, even in a dry run.
    let out = kubectl_stdin(
        "staging",
        &["apply", "--server-side", "-f", "-"],
        Some("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: kubectl-drift\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut files: Vec<_> = [deploy.clone(), deploy.join("base")]
        .iter()
        .flat_map(|dir| std::fs::read_dir(dir).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .filter(|p| !p.ends_with("kustomization.yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 6, "{files:?}");
    for file in &files {
        dry_run(file);
    }
    // Each cluster's overlay of the base, as `kubectl apply -k` sends it.
    let overlays: Vec<_> = std::fs::read_dir(deploy.join("clusters"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(overlays.len() >= 2, "{overlays:?}");
    for overlay in &overlays {
        let out = kubectl(
            "staging",
            &[
                "apply",
                "--server-side",
                "--dry-run=server",
                "-k",
                overlay.to_str().unwrap(),
            ],
        );
        assert!(
            out.status.success(),
            "{} was refused: {}",
            overlay.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // The Spinnaker pipeline's Run Job stages carry Job manifests of their own.
    let pipeline: Value = serde_json::from_str(
        &std::fs::read_to_string(deploy.join("spinnaker/pipeline.json")).unwrap(),
    )
    .unwrap();
    let stages = pipeline["stages"].as_array().unwrap();
    let names: Vec<&str> = stages.iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["Check drift", "Drift found", "Fix drift", "Accept drift"]
    );
    assert_eq!(pipeline["triggers"][0]["type"], "cron");
    assert_eq!(
        stages[1]["judgmentInputs"],
        serde_json::json!([{"value": "fix"}, {"value": "accept"}])
    );
    let jobs = tempfile::tempdir().unwrap();
    for stage in stages.iter().filter(|s| s["type"] == "runJobManifest") {
        let file = jobs
            .path()
            .join(format!("{}.json", stage["refId"].as_str().unwrap()));
        std::fs::write(&file, stage["manifest"].to_string()).unwrap();
        dry_run(&file);
        let script = stage["manifest"]["spec"]["template"]["spec"]["containers"][0]["args"][0]
            .as_str()
            .unwrap();
        assert!(script.contains("kubectl-drift "), "{script}");
    }

    // For real: the service account, its role, and the policy that refuses its writes.
    kubectl_ok(
        "staging",
        &[
            "apply",
            "-f",
            deploy.join("base/rbac.yaml").to_str().unwrap(),
        ],
    );
    let token = kubectl_ok(
        "staging",
        &[
            "create",
            "token",
            "kubectl-drift",
            "-n",
            "kubectl-drift",
            "--duration=1h",
        ],
    );

    let ns = namespace("sa", &["staging"]);
    let settings =
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata: {mode: one}\n";
    let config = format!("targets:\n  - context: in-cluster\n    namespace: {ns}\n");
    let repo = git_repo(&[
        (".kubectl-drift.yaml", &config),
        ("k8s/settings.yaml", settings),
    ]);
    apply("staging", &ns, settings);
    set_mode(&ns, "two");

    // A pod's view: no kubeconfig, the service account's token, CA and namespace in a folder.
    let (host, port, ca) = staging_server();
    let account = tempfile::tempdir().unwrap();
    std::fs::write(account.path().join("token"), token.trim()).unwrap();
    std::fs::write(account.path().join("ca.crt"), ca).unwrap();
    std::fs::write(account.path().join("namespace"), "kubectl-drift").unwrap();
    let home = tempfile::tempdir().unwrap();
    let as_pod = |args: &[&str]| {
        let out = drift()
            .current_dir(repo.path())
            .env_remove("KUBECONFIG")
            .env("HOME", home.path())
            .env("KUBERNETES_SERVICE_HOST", &host)
            .env("KUBERNETES_SERVICE_PORT", &port)
            .env("KUBECTL_DRIFT_SERVICEACCOUNT_DIR", account.path())
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };

    // The VAP takes effect asynchronously; a dry run by the account must work right away.
    let (code, stdout, stderr) = as_pod(&["check", "-o", "json"]);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["summary"][0]["context"], "in-cluster");
    assert_eq!(
        report["summary"][0]["read_only"], false,
        "dry runs are allowed"
    );
    let settings = resource(&report, "ConfigMap", "settings");
    assert_eq!(settings["status"], "Drifted");
    assert_eq!(settings["fields"][0]["path"], "data.mode");

    // A real write is refused, whatever the command; the live object keeps its value.
    let mut refused = false;
    for _ in 0..20 {
        let audit = home.path().join("audit.log");
        // As a server-side pipeline's manager: a patch, which RBAC allows and the policy
        // refuses (a client-side pipeline's update is refused by RBAC already).
        let (code, stdout, _) = as_pod(&[
            "fix",
            "--yes",
            "--field-manager",
            "pipeline",
            "--audit-log",
            audit.to_str().unwrap(),
        ]);
        if stdout.contains("may only send dry runs") {
            assert_eq!(code, 2, "a refused write is an error: {stdout}");
            refused = true;
            break;
        }
        // Until the policy is active, RBAC alone would let the patch through: undo and retry.
        assert!(
            stdout.contains("fix:"),
            "neither refused nor applied: {stdout}"
        );
        kubectl_ok(
            "staging",
            &[
                "-n",
                &ns,
                "patch",
                "configmap",
                "settings",
                "-p",
                r#"{"data":{"mode":"two"}}"#,
            ],
        );
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    assert!(
        refused,
        "the admission policy never refused the service account's write"
    );
    let live = kubectl_ok(
        "staging",
        &[
            "-n",
            &ns,
            "get",
            "configmap",
            "settings",
            "-o",
            "jsonpath={.data.mode}",
        ],
    );
    assert_eq!(live, "two");

    // The one write it may make: what it alerted, in its own ConfigMap, so that a second
    // run (a restarted pod) does not alert again for the same drift.
    let (url, bodies) = webhook_receiver("/hooks/pod");
    let hook = format!("webhook={url}");
    let alerting = [
        "check",
        "-o",
        "summary",
        "--notify",
        &hook,
        "--state",
        "configmap/kubectl-drift-alerts",
    ];
    let (code, stdout, stderr) = as_pod(&alerting);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert_eq!(bodies.lock().unwrap().len(), 1, "{stderr}");
    let kept = kubectl_ok(
        "staging",
        &[
            "-n",
            "kubectl-drift",
            "get",
            "configmap",
            "kubectl-drift-alerts",
            "-o",
            "jsonpath={.data.state\\.json}",
        ],
    );
    assert!(kept.contains("sha256:"), "{kept}");
    let (code, _, stderr) = as_pod(&alerting);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        bodies.lock().unwrap().len(),
        1,
        "the same drift is not alerted again"
    );
}
