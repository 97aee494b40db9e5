//! Severity against the real API server: hand changes made with kubectl are rated by the
//! built-in rules in the JSON report, and `--fail-on` fails the run only for drift at or
//! above it.

use crate::check::{check_json, field, resource};
use crate::common::*;

fn deployment(name: &str) -> String {
    format!(
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  replicas: 2
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      containers:
      - name: app
        image: registry.example.com/shop/{name}:1.0
        securityContext:
          privileged: false
"#
    )
}

#[test]
fn hand_changes_are_rated_and_fail_on_counts_only_severe_drift() {
    let ns = namespace("sev", &["staging"]);
    let (web, worker) = (deployment("web"), deployment("worker"));
    let repo = git_repo(&[("k8s/web.yaml", &web), ("k8s/worker.yaml", &worker)]);
    apply("staging", &ns, &web);
    apply("staging", &ns, &worker);
    let check = |args: &[&str]| {
        let mut all = vec!["--context", "staging", "-n", &ns];
        all.extend_from_slice(args);
        check_json(repo.path(), &all)
    };
    let (code, report) = check(&[]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(
        resource(&report, "Deployment", "web")["severity"],
        serde_json::Value::Null
    );

    // Someone makes web's container privileged, and scales both by hand.
    kubectl_ok(
        "staging",
        &[
            "-n",
            &ns,
            "patch",
            "deployment",
            "web",
            "-p",
            r#"{"spec":{"template":{"spec":{"containers":[{"name":"app","securityContext":{"privileged":true}}]}}}}"#,
        ],
    );
    for name in ["web", "worker"] {
        kubectl_ok(
            "staging",
            &["-n", &ns, "scale", "deployment", name, "--replicas", "5"],
        );
    }

    let (code, report) = check(&["--fail-on", "critical"]);
    assert_eq!(code, 1, "{report:#}");
    let web = resource(&report, "Deployment", "web");
    assert_eq!(web["status"], "Drifted");
    let privileged = field(
        web,
        "spec.template.spec.containers[name=app].securityContext.privileged",
    );
    assert_eq!(
        (&privileged["git"], &privileged["live"]),
        (&false.into(), &true.into())
    );
    assert_eq!(privileged["severity"], "critical", "{web:#}");
    assert_eq!(privileged["rule"], "privileged");
    let replicas = field(web, "spec.replicas");
    assert_eq!(
        (&replicas["severity"], &replicas["rule"]),
        (&"low".into(), &"replicas".into())
    );
    assert_eq!(
        (&web["severity"], &web["rule"]),
        (&"critical".into(), &"privileged".into())
    );
    let worker = resource(&report, "Deployment", "worker");
    assert_eq!(worker["status"], "Drifted");
    assert_eq!(worker["severity"], "low", "{worker:#}");

    // Only the scaled Deployment: its drift is shown, and below the threshold it passes.
    let (code, report) = check(&["deployment/worker", "--fail-on", "critical"]);
    assert_eq!(code, 0, "{report:#}");
    let worker = resource(&report, "Deployment", "worker");
    assert_eq!(worker["status"], "Drifted");
    assert_eq!(field(worker, "spec.replicas")["severity"], "low");
    // At or above its severity, and without --fail-on, the same drift fails as it always did.
    assert_eq!(check(&["deployment/worker", "--fail-on", "low"]).0, 1);
    assert_eq!(check(&["deployment/worker"]).0, 1);

    // A threshold that is no severity is a usage error naming the flag.
    let (code, _, stderr) = run_drift(&["check", "--fail-on", "severe"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--fail-on"), "{stderr}");
}
