//! What the local pre-check may not prove, against the real server and `kubectl diff
//! --server-side --force-conflicts`: a set reordered live, a quantity spelled otherwise, a
//! custom resource's `status` without a status subresource, a kind a mutating webhook may
//! touch; and accepted drift bound to what Git said when it was accepted.

use std::path::Path;

use crate::check::{check_json, resource, statuses};
use crate::common::*;
use crate::schema::kubectl_diff_names;

/// A CRD with a set list (`tags`), and one without a status subresource (`Lamp`) beside one
/// with it (`Bulb`).
fn crds(group: &str) -> String {
    let crd = |plural: &str, kind: &str, subresources: &str, properties: &str| {
        format!(
            r#"apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {{name: {plural}.{group}}}
spec:
  group: {group}
  scope: Namespaced
  names: {{plural: {plural}, singular: {singular}, kind: {kind}}}
  versions:
  - name: v1
    served: true
    storage: true{subresources}
    schema:
      openAPIV3Schema:
        type: object
        properties:
{properties}
"#,
            singular = kind.to_lowercase()
        )
    };
    let status = r#"          spec:
            type: object
            properties:
              watts: {type: integer}
          status:
            type: object
            properties:
              phase: {type: string}"#;
    [
        crd(
            "trees",
            "Tree",
            "",
            r#"          spec:
            type: object
            properties:
              tags:
                type: array
                x-kubernetes-list-type: set
                items: {type: string}"#,
        ),
        crd("lamps", "Lamp", "", status),
        crd("bulbs", "Bulb", "\n    subresources: {status: {}}", status),
    ]
    .join("---\n")
}

/// Creates the CRDs and waits until the server publishes their OpenAPI document.
fn install_crds(context: &str, group: &str) {
    kubectl_stdin(context, &["apply", "-f", "-"], Some(&crds(group)));
    for plural in ["trees", "lamps", "bulbs"] {
        kubectl_ok(
            context,
            &[
                "wait",
                "--for",
                "condition=established",
                "--timeout=60s",
                &format!("crd/{plural}.{group}"),
            ],
        );
    }
    let path = format!("apis/{group}/v1");
    for _ in 0..120 {
        if kubectl_ok(context, &["get", "--raw", "/openapi/v3"]).contains(&path) {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    panic!("the server never published the OpenAPI document of {group}");
}

fn remove_crds(context: &str, group: &str) {
    for plural in ["trees", "lamps", "bulbs"] {
        kubectl(
            context,
            &[
                "delete",
                "crd",
                &format!("{plural}.{group}"),
                "--wait=false",
            ],
        );
    }
}

fn objects(group: &str) -> String {
    format!(
        r#"apiVersion: {group}/v1
kind: Tree
metadata: {{name: grove}}
spec:
  tags: [oak, pine, birch]
---
apiVersion: {group}/v1
kind: Lamp
metadata: {{name: desk}}
spec: {{watts: 40}}
status: {{phase: lit}}
---
apiVersion: {group}/v1
kind: Bulb
metadata: {{name: porch}}
spec: {{watts: 60}}
status: {{phase: lit}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: sized}}
spec:
  selector: {{matchLabels: {{app: sized}}}}
  template:
    metadata: {{labels: {{app: sized}}}}
    spec:
      containers:
      - name: app
        image: registry.example.com/app:1
        resources: {{limits: {{cpu: 0.5, memory: 1Gi}}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: steady}}
spec:
  selector: {{matchLabels: {{app: steady}}}}
  template:
    metadata: {{labels: {{app: steady}}}}
    spec:
      containers:
      - name: app
        image: registry.example.com/app:1
        resources: {{limits: {{cpu: 0.5, memory: 1024Mi}}}}
"#
    )
}

fn drifted(report: &serde_json::Value) -> Vec<String> {
    let mut names: Vec<String> = statuses(report)
        .into_iter()
        .filter(|(_, s)| s != "InSync")
        .map(|(id, _)| id.split('/').nth(1).unwrap().to_string())
        .collect();
    names.sort();
    names
}

fn paths(report: &serde_json::Value, kind: &str, name: &str) -> Vec<String> {
    resource(report, kind, name)["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn schema_sets_reordered_quantities_respelled_and_status_without_subresource_are_drift_as_kubectl_diff_says(
) {
    let context = "staging";
    let ns = namespace("unproven", &[context]);
    let group = format!("u{}.drift.example.com", std::process::id());
    install_crds(context, &group);
    let repo = git_repo(&[("k8s/objects.yaml", &objects(&group))]);
    let file = repo.path().join("k8s/objects.yaml");
    kubectl_stdin(
        context,
        &[
            "apply",
            "--server-side",
            "--field-manager",
            "kubectl-drift",
            "-n",
            &ns,
            "-f",
            file.to_str().unwrap(),
        ],
        None,
    );
    // The status of a kind without a status subresource is written with the object.
    let lamp = kubectl_ok(
        context,
        &[
            "get",
            &format!("lamp.{group}/desk"),
            "-n",
            &ns,
            "-o",
            "jsonpath={.status.phase}",
        ],
    );
    assert_eq!(lamp, "lit");
    let args = ["--context", context, "--path", "k8s", "-n", &ns];
    let (code, report) = check_json(repo.path(), &args);
    assert_eq!(code, 0, "freshly applied: {report:#}");
    assert_eq!(
        kubectl_diff_names(context, &ns, &[Path::new(&file)]),
        Vec::<String>::new()
    );

    let patch = |target: &str, patch: &str| {
        kubectl_ok(
            context,
            &["patch", target, "-n", &ns, "--type", "merge", "-p", patch],
        );
    };
    patch(
        &format!("tree.{group}/grove"),
        r#"{"spec":{"tags":["pine","oak","birch"]}}"#,
    );
    patch(
        &format!("lamp.{group}/desk"),
        r#"{"status":{"phase":"dark"}}"#,
    );
    // Through its subresource, as controllers write it: no drift.
    kubectl_ok(
        context,
        &[
            "patch",
            &format!("bulb.{group}/porch"),
            "-n",
            &ns,
            "--subresource",
            "status",
            "--type",
            "merge",
            "-p",
            r#"{"status":{"phase":"dark"}}"#,
        ],
    );
    // The same amount spelled otherwise: applying Git writes `1Gi` back (a rollout).
    kubectl_ok(
        context,
        &[
            "patch",
            "deployment/sized",
            "-n",
            &ns,
            "--type",
            "json",
            "-p",
            r#"[{"op":"replace","path":"/spec/template/spec/containers/0/resources/limits/memory","value":"1073741824"}]"#,
        ],
    );

    let (code, report) = check_json(repo.path(), &args);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(drifted(&report), ["desk", "grove", "sized"], "{report:#}");
    assert_eq!(
        kubectl_diff_names(context, &ns, &[Path::new(&file)]),
        drifted(&report)
    );
    assert_eq!(paths(&report, "Tree", "grove"), ["spec.tags"]);
    assert_eq!(paths(&report, "Lamp", "desk"), ["status.phase"]);
    assert_eq!(
        paths(&report, "Deployment", "sized"),
        ["spec.template.spec.containers[name=app].resources.limits.memory"]
    );
    remove_crds(context, &group);
}

#[test]
fn a_kind_a_mutating_webhook_may_touch_is_never_proven_in_sync() {
    let context = "staging";
    let ns = namespace("admitted", &[context]);
    let group = format!("w{}.drift.example.com", std::process::id());
    install_crds(context, &group);
    let repo = git_repo(&[("k8s/objects.yaml", &objects(&group))]);
    apply(context, &ns, &objects(&group));
    let args = ["--context", context, "--path", "k8s", "-n", &ns];
    let (code, report) = check_json(repo.path(), &args);
    assert_eq!(code, 0, "{report:#}");
    // A webhook no one answers, for this group's trees only: a dry run of a tree fails,
    // so a tree found in sync was proven without asking the server.
    let webhook = format!("trees.{group}");
    kubectl_stdin(
        context,
        &["apply", "-f", "-"],
        Some(&format!(
            r#"apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {{name: {webhook}}}
webhooks:
- name: {webhook}
  admissionReviewVersions: [v1]
  sideEffects: None
  failurePolicy: Fail
  timeoutSeconds: 2
  clientConfig: {{url: "https://127.0.0.1:1/mutate"}}
  rules:
  - {{apiGroups: ["{group}"], apiVersions: ["*"], resources: [trees], operations: [CREATE, UPDATE]}}
"#
        )),
    );
    let (code, report) = check_json(repo.path(), &args);
    kubectl(
        context,
        &["delete", "mutatingwebhookconfiguration", &webhook],
    );
    assert_eq!(code, 2, "{report:#}");
    let tree = resource(&report, "Tree", "grove");
    assert_eq!(tree["status"], "Error", "{tree:#}");
    assert!(
        tree["message"].as_str().unwrap().contains("webhook"),
        "{tree:#}"
    );
    for (id, status) in statuses(&report) {
        if id != "Tree/grove" {
            assert_eq!(status, "InSync", "{id}: {report:#}");
        }
    }
    remove_crds(context, &group);
}

#[test]
fn accepted_drift_whose_git_side_moved_is_drifted_again() {
    let (ns, repo) = crate::check::app_scenario("acceptgit");
    kubectl_ok(
        "staging",
        &["scale", "deployment/web", "--replicas=5", "-n", &ns],
    );
    let args = ["--context", "staging", "--path", "k8s", "-n", &ns];
    let out = drift()
        .current_dir(repo.path())
        .args(["accept", "deploy/web", "--reason", "load test"])
        .args(args)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (code, report) = check_json(repo.path(), &args);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(resource(&report, "Deployment", "web")["status"], "Accepted");

    // Git moves on: "5 while Git says 2" was accepted, not "5 while Git says 4".
    let app = crate::check::APP.replace("replicas: 2", "replicas: 4");
    write_files(repo.path(), &[("k8s/app.yaml", &app)]);
    commit(repo.path(), "four replicas");
    let (code, report) = check_json(repo.path(), &args);
    assert_eq!(code, 1, "{report:#}");
    let web = resource(&report, "Deployment", "web");
    assert_eq!(web["status"], "Drifted", "{web:#}");
    let message = web["message"].as_str().unwrap();
    assert!(
        message.contains("accepted while Git said spec.replicas: 2; Git now says spec.replicas: 4"),
        "{message}"
    );
}
