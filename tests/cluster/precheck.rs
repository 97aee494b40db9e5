//! What the local pre-check may not prove, against the real server and `kubectl diff
//! --server-side --force-conflicts`: a set reordered live, a quantity spelled otherwise, a
//! custom resource's `status` without a status subresource, a kind a mutating webhook may
//! touch; accepted drift bound to what Git said when it was accepted; the read-only
//! comparison under the `view` role, which knows the server's defaults; and controllers
//! told by evidence, not by their names.

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

const DOWNWARD: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata: {name: downward}
spec:
  selector: {matchLabels: {app: downward}}
  template:
    metadata: {labels: {app: downward}}
    spec:
      containers:
      - name: app
        image: registry.example.com/app:1
        args: []
        env:
        - {name: EMPTY, value: ""}
        - name: POD
          valueFrom: {fieldRef: {fieldPath: metadata.name}}
        volumeMounts: [{name: token, mountPath: /var/run/token}]
      volumes:
      - name: token
        projected:
          sources:
          - serviceAccountToken: {path: token}
"#;

#[test]
fn read_only_check_knows_the_servers_defaults_inside_atomic_values() {
    let ns = namespace("viewer", &["production"]);
    apply("production", &ns, DOWNWARD);
    let repo = git_repo(&[("k8s/downward.yaml", DOWNWARD)]);
    let file = repo.path().join("k8s/downward.yaml");
    // The premise: applying Git changes nothing.
    assert_eq!(
        kubectl_diff_names("production", &ns, &[Path::new(&file)]),
        Vec::<String>::new()
    );
    let args = ["--context", "production-viewer", "--path", "k8s", "-n", &ns];
    let (code, report) = check_json(repo.path(), &args);
    assert_eq!(code, 0, "{report:#}");
    let deploy = resource(&report, "Deployment", "downward");
    assert_eq!(deploy["status"], "InSync", "{deploy:#}");
    let message = deploy["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("can't verify without a dry run")
            && message.contains("args")
            && message.contains("env[name=EMPTY].value"),
        "{deploy:#}"
    );
    // What the viewer may not dry-run is compared by its declared fields, and a change
    // there is still drift.
    kubectl_ok(
        "production",
        &[
            "set",
            "image",
            "deployment/downward",
            "app=registry.example.com/app:2",
            "-n",
            &ns,
        ],
    );
    let (code, report) = check_json(repo.path(), &args);
    assert_eq!(code, 1, "{report:#}");
    let deploy = resource(&report, "Deployment", "downward");
    let paths: Vec<&str> = deploy["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        ["spec.template.spec.containers[name=app].image"],
        "{deploy:#}"
    );
}

#[test]
fn check_tells_controllers_by_evidence_not_by_their_names() {
    let ns = namespace("writers", &["staging"]);
    let web = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  v: \"1\"\n";
    let config = |controllers: &str| {
        format!(
            "targets:\n  - name: shop\n    context: staging\n    namespace: {ns}\n    paths: [k8s]\n    namespaces: [{ns}]\n{controllers}"
        )
    };
    let repo = git_repo(&[("k8s/web.yaml", web), (".kubectl-drift.yaml", &config(""))]);
    apply("staging", &ns, web);
    for (name, manager) in [
        ("settings", "longhorn-manager"),
        ("hotfix", "hotfix-controller"),
    ] {
        kubectl_ok(
            "staging",
            &[
                "create",
                "configmap",
                name,
                "-n",
                &ns,
                "--from-literal=a=b",
                "--field-manager",
                manager,
            ],
        );
    }
    // Installed by kustomize-controller: its label tells.
    apply(
        "staging",
        &ns,
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fluxed\n  labels: {kustomize.toolkit.fluxcd.io/name: apps}\ndata: {a: b}\n",
    );
    let args = ["--context", "staging"];
    let (code, report) = check_json(repo.path(), &args);
    assert_eq!(code, 1, "{report:#}");
    let extra: Vec<(String, String)> = statuses(&report)
        .into_iter()
        .filter(|(_, s)| s == "Extra")
        .collect();
    assert_eq!(
        extra,
        [
            ("ConfigMap/hotfix".to_string(), "Extra".to_string()),
            ("ConfigMap/settings".to_string(), "Extra".to_string())
        ],
        "{report:#}"
    );
    let message = resource(&report, "ConfigMap", "settings")["message"]
        .as_str()
        .unwrap();
    assert!(
        message.contains("written by longhorn-manager") && message.contains("controllers:"),
        "{message}"
    );

    // Declared a controller in the config: what only it wrote is its business.
    write_files(
        repo.path(),
        &[(
            ".kubectl-drift.yaml",
            &config("controllers: [longhorn-manager]\n"),
        )],
    );
    commit(repo.path(), "longhorn-manager is a controller");
    let (code, report) = check_json(repo.path(), &args);
    assert_eq!(code, 1, "{report:#}");
    let extra: Vec<String> = statuses(&report)
        .into_iter()
        .filter(|(_, s)| s == "Extra")
        .map(|(id, _)| id)
        .collect();
    assert_eq!(extra, ["ConfigMap/hotfix"], "{report:#}");
}
