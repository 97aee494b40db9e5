//! `fix` writes as the pipeline would: after `fix --yes`, the pipeline's own next deploy of
//! the same files (server-side without `--force-conflicts`, or client-side `kubectl apply`)
//! succeeds and changes nothing, `kubectl diff` finds nothing, and no `kubectl-drift`
//! manager owns a field.

use std::path::Path;

use serde_json::Value;

use crate::check::{check_json, APP};
use crate::common::*;

/// Git's second version of the app: the ConfigMap has dropped `retired`, which the first
/// version (the one deployed) declared.
const V1_EXTRA: &str = "  retired: \"yes\"\n";

/// `kubectl ... -n NS -f FILE` in staging.
fn kubectl_file(ns: &str, args: &[&str], file: &Path) -> std::process::Output {
    let file = file.to_str().unwrap();
    let mut full = vec!["-n", ns];
    full.extend_from_slice(args);
    full.extend_from_slice(&["-f", file]);
    kubectl("staging", &full)
}

/// A person's changes: `kubectl scale`, `kubectl set image` and an edit.
fn drift_by_hand(ns: &str) {
    kubectl_ok(
        "staging",
        &["scale", "deployment/web", "--replicas=5", "-n", ns],
    );
    kubectl_ok(
        "staging",
        &["set", "image", "deployment/web", "web=nginx:1.26", "-n", ns],
    );
    // What `kubectl edit` sends, under its manager.
    kubectl_ok(
        "staging",
        &[
            "patch",
            "configmap/web-config",
            "-n",
            ns,
            "--field-manager",
            "kubectl-edit",
            "-p",
            r#"{"data":{"greeting":"edited"}}"#,
        ],
    );
    kubectl_ok(
        "staging",
        &[
            "patch",
            "deployment/web",
            "-n",
            ns,
            "--field-manager",
            "kubectl-edit",
            "--type",
            "json",
            "-p",
            r#"[{"op":"replace","path":"/spec/template/spec/containers/0/resources/limits/cpu","value":"2"}]"#,
        ],
    );
}

fn fix_yes(repo: &Path, ns: &str) -> std::process::Output {
    drift()
        .current_dir(repo)
        .args([
            "fix",
            "--yes",
            "--context",
            "staging",
            "--path",
            "k8s",
            "-n",
            ns,
        ])
        .arg("--audit-log")
        .arg(repo.join("audit.log"))
        .output()
        .unwrap()
}

/// `Kind/name=resourceVersion ...` of the app's objects: a deploy that changes nothing
/// leaves every version as it was.
fn resource_versions(ns: &str) -> String {
    kubectl_ok(
        "staging",
        &[
            "get",
            "deploy,svc,cm,secret",
            "-n",
            ns,
            "-o",
            "jsonpath={range .items[*]}{.kind}/{.metadata.name}={.metadata.resourceVersion} {end}",
        ],
    )
}

/// Every manager of every object in `ns`, by `Kind/name`.
fn managers(ns: &str) -> Vec<(String, String)> {
    let list: Value = serde_json::from_str(&kubectl_ok(
        "staging",
        &[
            "get",
            "deploy,svc,cm,secret",
            "-n",
            ns,
            "-o",
            "json",
            "--show-managed-fields",
        ],
    ))
    .unwrap();
    let mut out = Vec::new();
    for item in list["items"].as_array().unwrap() {
        let id = format!(
            "{}/{}",
            item["kind"].as_str().unwrap(),
            item["metadata"]["name"].as_str().unwrap()
        );
        for entry in item["metadata"]["managedFields"].as_array().unwrap() {
            out.push((id.clone(), entry["manager"].as_str().unwrap().to_string()));
        }
    }
    out
}

fn assert_fixed(out: &std::process::Output) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("fix: 2 fixed"), "{stdout}");
}

#[test]
fn a_server_side_pipeline_deploys_again_without_forcing_after_fix() {
    let ns = namespace("fixssa", &["staging"]);
    let repo = git_repo(&[("k8s/app.yaml", APP)]);
    let file = repo.path().join("k8s/app.yaml");
    let deploy = ["apply", "--server-side", "--field-manager", "pipeline"];
    let out = kubectl_file(&ns, &deploy, &file);
    assert!(out.status.success(), "{out:?}");
    drift_by_hand(&ns);
    let (code, _) = check_json(
        repo.path(),
        &["--context", "staging", "--path", "k8s", "-n", &ns],
    );
    assert_eq!(code, 1);

    let out = fix_yes(repo.path(), &ns);
    assert_fixed(&out);
    let audit = std::fs::read_to_string(repo.path().join("audit.log")).unwrap();
    assert!(
        audit.contains("\"conflict\""),
        "forced after a conflict: {audit}"
    );

    // The pipeline's next deploy, without --force-conflicts, and its diff.
    let before = resource_versions(&ns);
    let out = kubectl_file(&ns, &deploy, &file);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(resource_versions(&ns), before, "the deploy changed objects");
    let out = kubectl_file(
        &ns,
        &["diff", "--server-side", "--field-manager", "pipeline"],
        &file,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let managers = managers(&ns);
    assert!(
        !managers.iter().any(|(_, m)| m == "kubectl-drift"),
        "{managers:?}"
    );
    // The hand-made managers lost every field of Git's they held.
    for hand in ["kubectl-edit", "kubectl-set"] {
        assert!(!managers.iter().any(|(_, m)| m == hand), "{managers:?}");
    }
    let (code, report) = check_json(
        repo.path(),
        &["--context", "staging", "--path", "k8s", "-n", &ns],
    );
    assert_eq!(code, 0, "{report:#}");
}

#[test]
fn a_client_side_pipeline_deploys_again_unchanged_after_fix() {
    let ns = namespace("fixcsa", &["staging"]);
    // Deployed from the first version, which still declared `retired`.
    let first = APP.replace(
        "  greeting: hello\n",
        &format!("  greeting: hello\n{V1_EXTRA}"),
    );
    let repo = git_repo(&[("k8s/app.yaml", &first)]);
    let file = repo.path().join("k8s/app.yaml");
    let out = kubectl_file(&ns, &["apply"], &file);
    assert!(out.status.success(), "{out:?}");
    write_files(repo.path(), &[("k8s/app.yaml", APP)]);
    commit(repo.path(), "retire a key");
    drift_by_hand(&ns);
    kubectl_ok("staging", &["delete", "service/web", "-n", &ns]);

    let out = fix_yes(repo.path(), &ns);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("fix: 3 fixed"), "{stdout}");
    let audit = std::fs::read_to_string(repo.path().join("audit.log")).unwrap();
    assert!(!audit.contains("\"conflict\""), "{audit}");

    // What the next deploy removes, the fix removed.
    let data = kubectl_ok(
        "staging",
        &[
            "get",
            "configmap/web-config",
            "-n",
            &ns,
            "-o",
            "jsonpath={.data}",
        ],
    );
    assert!(!data.contains("retired"), "{data}");
    // The pipeline's next `kubectl apply` of the same files changes nothing.
    let out = kubectl_file(&ns, &["diff"], &file);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let before = resource_versions(&ns);
    let out = kubectl_file(&ns, &["apply"], &file);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(resource_versions(&ns), before, "the deploy changed objects");
    let managers = managers(&ns);
    assert!(
        !managers.iter().any(|(_, m)| m == "kubectl-drift"),
        "{managers:?}"
    );
    let (code, report) = check_json(
        repo.path(),
        &["--context", "staging", "--path", "k8s", "-n", &ns],
    );
    assert_eq!(code, 0, "{report:#}");
}

#[test]
fn a_namespace_a_crd_and_its_custom_resource_all_missing_are_created_in_one_run() {
    let ns = format!("fixorder-{}", std::process::id() % 100000);
    let group = format!("o{}.example.com", std::process::id() % 100000);
    let crd = format!(
        r#"apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.{group}
spec:
  group: {group}
  scope: Namespaced
  names: {{plural: widgets, singular: widget, kind: Widget}}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {{type: integer}}
"#
    );
    let widget = format!(
        "apiVersion: {group}/v1\nkind: Widget\nmetadata:\n  name: w\n  namespace: {ns}\nspec:\n  size: 3\n"
    );
    let namespace = format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n");
    // Sorted by name, the custom resource and the namespace would come before the CRD.
    let repo = git_repo(&[
        ("k8s/a-widget.yaml", &widget),
        ("k8s/b-namespace.yaml", &namespace),
        ("k8s/c-crd.yaml", &crd),
    ]);
    let out = drift()
        .current_dir(repo.path())
        .args(["fix", "--yes", "--context", "staging", "--path", "k8s"])
        .arg("--audit-log")
        .arg(repo.path().join("audit.log"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let cleanup = || {
        kubectl("staging", &["delete", "namespace", &ns, "--wait=false"]);
        kubectl("staging", &["delete", "crd", &format!("widgets.{group}")]);
    };
    if out.status.code() != Some(0) {
        cleanup();
    }
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("fix: 3 fixed"), "{stdout}");
    let audit = std::fs::read_to_string(repo.path().join("audit.log")).unwrap();
    let kinds: Vec<String> = audit
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|l| l["outcome"] == "created")
        .map(|l| l["kind"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(kinds, ["Namespace", "CustomResourceDefinition", "Widget"]);
    let size = kubectl_ok(
        "staging",
        &[
            "get",
            &format!("widgets.{group}/w"),
            "-n",
            &ns,
            "-o",
            "jsonpath={.spec.size}",
        ],
    );
    assert_eq!(size, "3");
    let (code, report) = check_json(repo.path(), &["--context", "staging", "--path", "k8s"]);
    cleanup();
    assert_eq!(code, 0, "{report:#}");
}

#[test]
fn the_audit_names_who_the_server_says_and_an_unwritable_log_means_no_write() {
    let ns = namespace("fixaudit", &["staging"]);
    let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: audited\ndata:\n  value: git\n";
    let repo = git_repo(&[("k8s/cm.yaml", yaml)]);
    apply("staging", &ns, yaml);
    let drift_it = || {
        kubectl_ok(
            "staging",
            &[
                "patch",
                "configmap/audited",
                "-n",
                &ns,
                "-p",
                r#"{"data":{"value":"hand"}}"#,
            ],
        )
    };
    let value = || {
        kubectl_ok(
            "staging",
            &[
                "get",
                "configmap/audited",
                "-n",
                &ns,
                "-o",
                "jsonpath={.data.value}",
            ],
        )
    };
    let fix = |audit: &Path| {
        drift()
            .current_dir(repo.path())
            .args([
                "fix",
                "--yes",
                "--context",
                "staging",
                "--path",
                "k8s",
                "-n",
                &ns,
            ])
            .arg("--audit-log")
            .arg(audit)
            .output()
            .unwrap()
    };
    drift_it();

    // A log that cannot be written (a folder stands where the file would be): no write.
    let folder = repo.path().join("audit-folder");
    std::fs::create_dir(&folder).unwrap();
    let out = fix(&folder);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(stdout.contains("the audit log"), "{stdout}");
    assert_eq!(value(), "hand", "written without an audit line");

    let audit = repo.path().join("audit.log");
    let out = fix(&audit);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(value(), "git");
    let whoami: Value =
        serde_json::from_str(&kubectl_ok("staging", &["auth", "whoami", "-o", "json"])).unwrap();
    let user_info = &whoami["status"]["userInfo"];
    let lines: Vec<Value> = std::fs::read_to_string(&audit)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let outcomes: Vec<&str> = lines
        .iter()
        .map(|l| l["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["intent", "applied"], "{lines:#?}");
    for line in &lines {
        assert_eq!(line["user"], user_info["username"], "{line}");
        assert_eq!(line["groups"], user_info["groups"], "{line}");
        assert_eq!(line["kubeconfig_user"], "staging-admin", "{line}");
        assert_eq!(line["manager"], "kubectl-client-side-apply", "{line}");
    }
    assert_eq!(lines[0]["message"], "apply");
}

#[test]
fn prune_with_one_file_deletes_nothing_git_declares_elsewhere() {
    let ns = namespace("fixprune", &["staging"]);
    let web = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  v: \"1\"\n";
    let api = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: api\ndata:\n  v: \"1\"\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: api\nstringData:\n  token: t0ken\n";
    let config = format!(
        "targets:\n  - name: shop\n    context: staging\n    namespace: {ns}\n    paths: [k8s]\n    namespaces: [{ns}]\n"
    );
    let repo = git_repo(&[
        ("k8s/web.yaml", web),
        ("k8s/api.yaml", api),
        (".kubectl-drift.yaml", &config),
    ]);
    apply("staging", &ns, web);
    apply("staging", &ns, api);
    // Made by hand: extra. Helm-managed, or owned by another object: never pruned.
    kubectl_ok(
        "staging",
        &[
            "create",
            "configmap",
            "stray",
            "-n",
            &ns,
            "--from-literal=a=b",
        ],
    );
    apply(
        "staging",
        &ns,
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: charted\n  labels: {app.kubernetes.io/managed-by: Helm}\ndata: {a: b}\n",
    );
    apply(
        "staging",
        &ns,
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: owned\n  ownerReferences:\n  - {apiVersion: v1, kind: ConfigMap, name: web, uid: 0b5a4c1e-0000-4000-8000-000000000001}\ndata: {a: b}\n",
    );

    let out = drift()
        .current_dir(repo.path())
        .args([
            "fix",
            "-f",
            "k8s/web.yaml",
            "--prune",
            "--yes",
            "--context",
            "staging",
        ])
        .arg("--audit-log")
        .arg(repo.path().join("audit.log"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let left = kubectl_ok("staging", &["get", "cm,secret", "-n", &ns, "-o", "name"]);
    for kept in [
        "configmap/web",
        "configmap/api",
        "secret/api",
        "configmap/charted",
        "configmap/owned",
    ] {
        assert!(
            left.lines().any(|l| l == kept),
            "{kept} deleted: {left}\n{stdout}"
        );
    }
    assert!(!left.contains("configmap/stray"), "{left}\n{stdout}");

    // The same with --path and a TYPE argument: Git's objects elsewhere are not extra.
    for args in [
        &[
            "check",
            "-o",
            "json",
            "--context",
            "staging",
            "--path",
            "k8s/web.yaml",
        ][..],
        &["check", "-o", "json", "--context", "staging", "configmaps"][..],
    ] {
        let out = drift()
            .current_dir(repo.path())
            .args(args)
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        let extra: Vec<&Value> = report["resources"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["status"] == "Extra")
            .collect();
        assert!(extra.is_empty(), "{args:?}: {extra:#?}");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {report:#}");
    }
}

#[test]
fn an_ignored_item_of_an_atomic_list_leaves_the_list_as_live_and_a_position_in_a_keyed_list_is_an_error(
) {
    let ns = namespace("fixkeyed", &["staging"]);
    let app = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: job\nspec:\n  selector:\n    matchLabels: {app: job}\n  template:\n    metadata:\n      labels: {app: job}\n    spec:\n      containers:\n      - name: job\n        image: busybox:1.36\n        args: [a, b, c]\n";
    let config = |path: &str| {
        format!(
            "targets:\n  - context: staging\n    namespace: {ns}\n    paths: [k8s]\nignore:\n  - kind: Deployment\n    paths: [{path}]\n    reason: tuned by hand\n"
        )
    };
    let repo = git_repo(&[
        ("k8s/job.yaml", app),
        (
            ".kubectl-drift.yaml",
            &config("/spec/template/spec/containers/name=job/args/1"),
        ),
    ]);
    apply("staging", &ns, app);
    kubectl_ok(
        "staging",
        &[
            "patch",
            "deployment/job",
            "-n",
            &ns,
            "--type",
            "json",
            "-p",
            r#"[{"op":"replace","path":"/spec/template/spec/containers/0/args/1","value":"tuned"},{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"busybox:1.37"}]"#,
        ],
    );
    let out = drift()
        .current_dir(repo.path())
        .args(["fix", "--yes", "--context", "staging"])
        .arg("--audit-log")
        .arg(repo.path().join("audit.log"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("is left as live has it"), "{stdout}");
    let container = kubectl_ok(
        "staging",
        &[
            "get",
            "deployment/job",
            "-n",
            &ns,
            "-o",
            "jsonpath={.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].args}",
        ],
    );
    // The image is Git's again; the list is live's, whole: neither Git's nor a mix.
    assert_eq!(container, r#"busybox:1.36 ["a","tuned","c"]"#);

    // A position in a keyed list can never match: an error naming the rule's file and line.
    write_files(
        repo.path(),
        &[(
            ".kubectl-drift.yaml",
            &config("/spec/template/spec/containers/0/image"),
        )],
    );
    kubectl_ok(
        "staging",
        &[
            "set",
            "image",
            "deployment/job",
            "job=busybox:1.37",
            "-n",
            &ns,
        ],
    );
    let (code, stdout, stderr) = {
        let out = drift()
            .current_dir(repo.path())
            .args(["check", "--context", "staging"])
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    assert_eq!(code, Some(2), "{stdout}{stderr}");
    assert!(
        stderr.contains(".kubectl-drift.yaml:6")
            && stderr.contains("/spec/template/spec/containers/0/image")
            && stderr.contains("name=job"),
        "{stderr}"
    );

    // A field the kind's schema doesn't have can never match either, whether or not the
    // resource drifts; a field it has is no error.
    let check = |path: &str| {
        write_files(repo.path(), &[(".kubectl-drift.yaml", &config(path))]);
        let out = drift()
            .current_dir(repo.path())
            .args(["check", "--context", "staging", "-o", "summary"])
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let (code, output) = check("/spec/template/spec/containers/name=job/imagePullPolicyy");
    assert_eq!(code, Some(2), "{output}");
    assert!(
        output.contains(".kubectl-drift.yaml:6")
            && output.contains("no field \"imagePullPolicyy\" in the schema of Deployment"),
        "{output}"
    );
    let (code, output) = check("/spec/template/spec/containers/name=job/imagePullPolicy");
    assert_eq!(code, Some(1), "the image still drifts: {output}");
    kubectl_ok(
        "staging",
        &[
            "set",
            "image",
            "deployment/job",
            "job=busybox:1.36",
            "-n",
            &ns,
        ],
    );
    let (code, output) = check("/spec/template/spec/containers/name=job/args/1");
    assert_eq!(code, Some(0), "{output}");
    let (code, output) = check("/spec/strategy/rollingUpdate/maxSurgee");
    assert_eq!(code, Some(2), "in sync, and still an error: {output}");
    assert!(output.contains("maxSurgee"), "{output}");
}
