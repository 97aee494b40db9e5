//! What `check` must not invent: drift from a kind seen in two API versions, a read-only
//! fallback that spreads from one type to the rest, a last-applied annotation that is a
//! copy of a live object, objects Kubernetes or Helm made counted as extra, and a namespace
//! on a cluster-scoped kind. Each is compared with what `kubectl diff --server-side
//! --force-conflicts` says for the same state.

use base64::Engine;
use serde_json::Value;

use crate::check::{check_json, field, resource, statuses};
use crate::common::*;

/// `kubectl diff --server-side --force-conflicts` of one manifest: the changed lines,
/// without kubectl's own last-applied annotation (which kubectl-drift never compares).
fn kubectl_diff(context: &str, ns: &str, yaml: &str, extra: &[&str]) -> Vec<String> {
    let mut args = vec!["diff", "--server-side", "--force-conflicts", "-n", ns];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["-f", "-"]);
    let out = kubectl_stdin(context, &args, Some(yaml));
    let code = out.status.code().unwrap();
    assert!(
        code == 0 || code == 1,
        "kubectl diff failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut lines = Vec::new();
    let mut in_annotation = false;
    for line in text.lines() {
        let body = line.get(1..).unwrap_or_default();
        if body
            .trim_start()
            .starts_with("kubectl.kubernetes.io/last-applied-configuration")
        {
            in_annotation = true;
            continue;
        }
        // The annotation's JSON value follows, one indented line.
        if in_annotation && body.trim_start().starts_with('{') {
            continue;
        }
        in_annotation = false;
        if (line.starts_with('+') || line.starts_with('-'))
            && !line.starts_with("+++")
            && !line.starts_with("---")
        {
            lines.push(line.to_string());
        }
    }
    lines
}

const HPA_V1: &str = r#"apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata:
  name: old-style
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 5
  targetCPUUtilizationPercentage: 70
"#;

const HPA_V2: &str = r#"apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: new-style
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 4
  metrics:
  - type: Resource
    resource:
      name: memory
      target: {type: Utilization, averageUtilization: 80}
"#;

#[test]
fn two_api_versions_of_one_kind_are_each_compared_in_their_own_version() {
    let ns = namespace("hpa-versions", &["staging"]);
    let repo = git_repo(&[("k8s/old.yaml", HPA_V1), ("k8s/new.yaml", HPA_V2)]);
    apply("staging", &ns, HPA_V1);
    apply("staging", &ns, HPA_V2);
    let (code, report) = check_json(
        repo.path(),
        &["--context", "staging", "--path", "k8s", "-n", &ns],
    );
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(
        resource(&report, "HorizontalPodAutoscaler", "old-style")["version"],
        "v1"
    );
    assert_eq!(
        resource(&report, "HorizontalPodAutoscaler", "new-style")["version"],
        "v2"
    );
    // kubectl agrees: applying both files changes nothing.
    for yaml in [HPA_V1, HPA_V2] {
        let lines = kubectl_diff("staging", &ns, yaml, &[]);
        assert!(lines.is_empty(), "{lines:?}");
    }

    // A real change to the v1 object shows as exactly that field, in v1.
    kubectl_ok(
        "staging",
        &[
            "-n",
            &ns,
            "patch",
            "horizontalpodautoscalers.v1.autoscaling",
            "old-style",
            "--type=merge",
            "-p",
            r#"{"spec":{"maxReplicas":9}}"#,
        ],
    );
    let (code, report) = check_json(
        repo.path(),
        &["--context", "staging", "--path", "k8s", "-n", &ns],
    );
    assert_eq!(code, 1, "{report:#}");
    let old = resource(&report, "HorizontalPodAutoscaler", "old-style");
    assert_eq!(old["fields"].as_array().unwrap().len(), 1, "{old:#}");
    assert_eq!(field(old, "spec.maxReplicas")["live"], 9);
    assert_eq!(
        resource(&report, "HorizontalPodAutoscaler", "new-style")["status"],
        "InSync"
    );
    let lines = kubectl_diff("staging", &ns, HPA_V1, &[]);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines.iter().all(|l| l.contains("maxReplicas")), "{lines:?}");
}

/// A CRD serving `v1beta1` and `v1` (the storage version) with one schema: no conversion
/// webhook is needed when both versions have the same shape.
const GADGETS: &str = r#"apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gadgets.versions.example.com
spec:
  group: versions.example.com
  scope: Namespaced
  names: {plural: gadgets, singular: gadget, kind: Gadget}
  conversion: {strategy: None}
  versions:
  - name: v1beta1
    served: true
    storage: false
    schema: &schema
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer}
              color: {type: string, default: blue}
              tags: {type: array, items: {type: string}}
  - name: v1
    served: true
    storage: true
    schema: *schema
"#;

#[test]
fn custom_resources_in_a_served_and_the_storage_version_are_both_in_sync() {
    let out = kubectl_stdin("staging", &["apply", "-f", "-"], Some(GADGETS));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    kubectl_ok(
        "staging",
        &[
            "wait",
            "--for=condition=Established",
            "crd/gadgets.versions.example.com",
            "--timeout=30s",
        ],
    );
    let ns = namespace("crd-versions", &["staging"]);
    let beta = "apiVersion: versions.example.com/v1beta1\nkind: Gadget\nmetadata:\n  name: beta\nspec:\n  size: 3\n  tags: [a, b]\n";
    let stable = "apiVersion: versions.example.com/v1\nkind: Gadget\nmetadata:\n  name: stable\nspec:\n  size: 4\n";
    let repo = git_repo(&[("k8s/beta.yaml", beta), ("k8s/stable.yaml", stable)]);
    apply("staging", &ns, beta);
    apply("staging", &ns, stable);
    let (code, report) = check_json(
        repo.path(),
        &["--context", "staging", "--path", "k8s", "-n", &ns],
    );
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(resource(&report, "Gadget", "beta")["version"], "v1beta1");
    assert_eq!(resource(&report, "Gadget", "stable")["version"], "v1");
    for yaml in [beta, stable] {
        let lines = kubectl_diff("staging", &ns, yaml, &[]);
        assert!(lines.is_empty(), "{lines:?}");
    }
    // One field changed on the v1beta1 object: that field, nothing made up.
    kubectl_ok(
        "staging",
        &[
            "-n",
            &ns,
            "patch",
            "gadgets.v1beta1.versions.example.com",
            "beta",
            "--type=merge",
            "-p",
            r#"{"spec":{"size":7}}"#,
        ],
    );
    let (code, report) = check_json(
        repo.path(),
        &["--context", "staging", "--path", "k8s", "-n", &ns],
    );
    assert_eq!(code, 1, "{report:#}");
    let changed = resource(&report, "Gadget", "beta");
    assert_eq!(
        changed["fields"].as_array().unwrap().len(),
        1,
        "{changed:#}"
    );
    assert_eq!(field(changed, "spec.size")["live"], 7);
    assert_eq!(resource(&report, "Gadget", "stable")["status"], "InSync");
}

/// A kubeconfig for a token on the staging cluster, as context `limited`.
pub(crate) fn token_kubeconfig(dir: &std::path::Path, token: &str) -> std::path::PathBuf {
    let text = std::fs::read_to_string(&testenv().kubeconfig).unwrap();
    let config = kubectl_drift::yaml::read(&text).unwrap();
    let cluster = config["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "staging")
        .expect("a staging cluster in the kubeconfig");
    let server = cluster["cluster"]["server"].as_str().unwrap();
    let ca = cluster["cluster"]["certificate-authority-data"]
        .as_str()
        .unwrap();
    let file = dir.join("kubeconfig");
    std::fs::write(
        &file,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: staging\n  cluster:\n    server: {server}\n    certificate-authority-data: {ca}\nusers:\n- name: limited\n  user:\n    token: {token}\ncontexts:\n- name: limited\n  context: {{cluster: staging, user: limited}}\ncurrent-context: limited\n"
        ),
    )
    .unwrap();
    file
}

#[test]
fn a_type_that_may_not_be_dry_run_falls_back_alone_whatever_the_order() {
    let ns = namespace("per-type", &["staging"]);
    // An account that may read ConfigMaps, Deployments and Roles but patch (dry-run) only
    // Deployments, as deploy/base/rbac.yaml does for Roles.
    let rbac = format!(
        r#"apiVersion: v1
kind: ServiceAccount
metadata: {{name: limited, namespace: {ns}}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: limited, namespace: {ns}}}
rules:
- apiGroups: [""]
  resources: [configmaps]
  verbs: [get, list, watch]
- apiGroups: [apps]
  resources: [deployments]
  verbs: [get, list, watch, patch]
- apiGroups: [rbac.authorization.k8s.io]
  resources: [roles]
  verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: limited, namespace: {ns}}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: limited}}
subjects:
- {{kind: ServiceAccount, name: limited, namespace: {ns}}}
"#
    );
    apply("staging", &ns, &rbac);
    let token = kubectl_ok(
        "staging",
        &["create", "token", "limited", "-n", &ns, "--duration=1h"],
    );
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = token_kubeconfig(dir.path(), token.trim());

    // The pipeline applies server-side as `pipeline`; Git has since dropped a label, which
    // its next apply removes: only the dry run can see that.
    let deployment = |labels: &str| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels: {{{labels}}}\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {{app: web}}\n  template:\n    metadata:\n      labels: {{app: web}}\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.27\n"
        )
    };
    let settings =
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata: {mode: one}\n";
    let applied = deployment("app: web, canary: \"yes\"");
    let out = kubectl_stdin(
        "staging",
        &[
            "apply",
            "--server-side",
            "--field-manager",
            "pipeline",
            "-n",
            &ns,
            "-f",
            "-",
        ],
        Some(&format!("{applied}---\n{settings}")),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    set_mode(&ns, "two");
    let in_git = deployment("app: web");
    let role = "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: reader\nrules:\n- apiGroups: [\"\"]\n  resources: [configmaps]\n  verbs: [get]\n";
    apply("staging", &ns, role);
    kubectl_ok(
        "staging",
        &[
            "-n",
            &ns,
            "patch",
            "role",
            "reader",
            "--type=json",
            "-p",
            r#"[{"op":"replace","path":"/rules/0/verbs","value":["get","list"]}]"#,
        ],
    );
    let repo = git_repo(&[
        ("k8s/web.yaml", &in_git),
        ("k8s/settings.yaml", settings),
        ("k8s/role.yaml", role),
    ]);

    // One request at a time, the ConfigMap (sorted first) is refused before the Deployment
    // is compared; with many at a time the order is the race's. Both give one answer.
    for concurrency in ["1", "16"] {
        let (code, report) = check_json(
            repo.path(),
            &[
                "--kubeconfig",
                kubeconfig.to_str().unwrap(),
                "--context",
                "limited",
                "--path",
                "k8s",
                "-n",
                &ns,
                "--field-manager",
                "pipeline",
                "--concurrency",
                concurrency,
            ],
        );
        assert_eq!(code, 1, "{report:#}");
        let web = resource(&report, "Deployment", "web");
        assert_eq!(web["status"], "Drifted", "{report:#}");
        assert_eq!(field(web, "metadata.labels.canary")["git"], Value::Null);
        assert_eq!(
            field(resource(&report, "ConfigMap", "settings"), "data.mode")["live"],
            "two"
        );
        let summary = &report["summary"][0];
        assert_eq!(summary["read_only"], true);
        assert_eq!(
            summary["read_only_types"],
            serde_json::json!(["configmaps", "roles.rbac.authorization.k8s.io"]),
            "{summary:#}"
        );
        let reader = resource(&report, "Role", "reader");
        assert_eq!(reader["status"], "Drifted", "{reader:#}");
        assert_eq!(reader["fields"].as_array().unwrap().len(), 1, "{reader:#}");
    }
    // The summary line names the type too.
    let out = drift()
        .current_dir(repo.path())
        .args(["check", "--kubeconfig", kubeconfig.to_str().unwrap()])
        .args(["--context", "limited", "--path", "k8s", "-n", &ns])
        .args([
            "--field-manager",
            "pipeline",
            "-o",
            "summary",
            "--width",
            "200",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "read-only: declared fields only for configmaps, roles.rbac.authorization.k8s.io"
        ),
        "{text}"
    );
    // kubectl, with the rights to dry-run, sees the label go as well.
    let lines = kubectl_diff("staging", &ns, &in_git, &["--field-manager", "pipeline"]);
    assert!(lines.iter().any(|l| l.contains("canary")), "{lines:?}");
}

#[test]
fn a_last_applied_annotation_copied_from_a_live_object_invents_no_removals() {
    let ns = namespace("replaced", &["staging"]);
    let service = "apiVersion: v1\nkind: Service\nmetadata:\n  name: api\nspec:\n  selector: {app: api}\n  ports:\n  - port: 80\n    targetPort: 8080\n";
    let repo = git_repo(&[("k8s/api.yaml", service)]);
    apply("staging", &ns, service);
    let live = kubectl_ok(
        "staging",
        &["-n", &ns, "get", "service", "api", "-o", "yaml"],
    );
    let out = kubectl_stdin("staging", &["replace", "-f", "-"], Some(&live));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let annotation = kubectl_ok(
        "staging",
        &[
            "-n",
            &ns,
            "get",
            "service",
            "api",
            "-o",
            r"jsonpath={.metadata.annotations.kubectl\.kubernetes\.io/last-applied-configuration}",
        ],
    );
    assert!(annotation.contains("resourceVersion"), "{annotation}");

    let (code, report) = check_json(
        repo.path(),
        &["--context", "staging", "--path", "k8s", "-n", &ns],
    );
    assert_eq!(code, 0, "{report:#}");
    let api = resource(&report, "Service", "api");
    assert_eq!(api["status"], "InSync", "{api:#}");
    let note = api["message"].as_str().unwrap();
    assert!(note.contains("copy of a live object"), "{note}");
    // kubectl changes only its own annotation, which kubectl-drift never compares.
    let lines = kubectl_diff("staging", &ns, service, &[]);
    assert!(lines.is_empty(), "{lines:?}");

    // A real change still shows, with the note.
    kubectl_ok(
        "staging",
        &[
            "-n",
            &ns,
            "patch",
            "service",
            "api",
            "--type=json",
            "-p",
            r#"[{"op":"replace","path":"/spec/ports/0/targetPort","value":9090}]"#,
        ],
    );
    let (code, report) = check_json(
        repo.path(),
        &["--context", "staging", "--path", "k8s", "-n", &ns],
    );
    assert_eq!(code, 1, "{report:#}");
    let api = resource(&report, "Service", "api");
    let fields = api["fields"].as_array().unwrap();
    assert_eq!(fields.len(), 1, "{api:#}");
    assert!(
        fields[0]["path"].as_str().unwrap().ends_with("targetPort"),
        "{api:#}"
    );
    assert_eq!(fields[0]["live"], 9090);
}

#[test]
fn objects_kubernetes_or_helm_made_are_never_extra_nor_pruned() {
    let owned = namespace("made", &["staging"]);
    let config = format!(
        "targets:\n  - context: staging\n    namespace: {owned}\n    namespaces: [{owned}]\n"
    );
    let declared = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: declared\ndata: {a: b}\n";
    let repo = git_repo(&[
        (".kubectl-drift.yaml", &config),
        ("k8s/declared.yaml", declared),
    ]);
    apply("staging", &owned, declared);
    // What a controller-manager and Helm leave in every namespace they touch (this test
    // cluster runs no controllers, so they are made here by hand, as they look).
    let release = base64::engine::general_purpose::STANDARD.encode("H4sIAAAA");
    let made = format!(
        r#"apiVersion: v1
kind: ServiceAccount
metadata: {{name: default}}
---
apiVersion: v1
kind: ConfigMap
metadata: {{name: kube-root-ca.crt}}
data: {{ca.crt: "-----BEGIN CERTIFICATE-----"}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {{name: builder}}
---
apiVersion: v1
kind: Secret
metadata:
  name: builder-token
  annotations: {{kubernetes.io/service-account.name: builder}}
type: kubernetes.io/service-account-token
---
apiVersion: v1
kind: Secret
metadata:
  name: sh.helm.release.v1.shop.v1
  labels: {{owner: helm, name: shop, status: deployed, version: "1"}}
type: helm.sh/release.v1
data: {{release: {release}}}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: sh.helm.release.v1.cache.v1
  labels: {{owner: helm, name: cache, status: deployed, version: "1"}}
data: {{release: H4sIAAAA}}
---
apiVersion: v1
kind: ConfigMap
metadata: {{name: stray}}
data: {{k: v}}
"#
    );
    let out = kubectl_stdin("staging", &["create", "-n", &owned, "-f", "-"], Some(&made));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let (code, report) = check_json(repo.path(), &[]);
    assert_eq!(code, 1, "{report:#}");
    let mut extra = statuses(&report);
    extra.retain(|(_, status)| status == "Extra");
    // `builder` is a ServiceAccount someone made: extra. Its token is not.
    assert_eq!(
        extra,
        [
            ("ConfigMap/stray".to_string(), "Extra".to_string()),
            ("ServiceAccount/builder".to_string(), "Extra".to_string()),
        ],
        "{report:#}"
    );

    let out = drift()
        .current_dir(repo.path())
        .args(["fix", "--yes", "--prune", "--audit-log"])
        .arg(repo.path().join("audit.log"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let left = kubectl_ok(
        "staging",
        &[
            "-n",
            &owned,
            "get",
            "configmaps,secrets,serviceaccounts",
            "-o",
            "name",
        ],
    );
    for kept in [
        "configmap/kube-root-ca.crt",
        "configmap/sh.helm.release.v1.cache.v1",
        "configmap/declared",
        "secret/builder-token",
        "secret/sh.helm.release.v1.shop.v1",
        "serviceaccount/default",
    ] {
        assert!(
            left.lines().any(|l| l == kept),
            "{kept} was deleted: {left}"
        );
    }
    for gone in ["configmap/stray", "serviceaccount/builder"] {
        assert!(
            !left.lines().any(|l| l == gone),
            "{gone} is still there: {left}"
        );
    }
}

#[test]
fn a_namespace_on_a_cluster_scoped_kind_is_ignored_as_kubectl_does() {
    let ns = namespace("cluster-scoped", &["staging"]);
    let role = format!(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: reader-{ns}\n  namespace: {ns}\nrules:\n- apiGroups: [\"\"]\n  resources: [configmaps]\n  verbs: [get]\n"
    );
    let absent = format!(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: absent-{ns}\n  namespace: nowhere-{ns}\nrules: []\n"
    );
    let repo = git_repo(&[("k8s/role.yaml", &role), ("k8s/absent.yaml", &absent)]);
    // kubectl accepts it and drops the namespace.
    apply("staging", &ns, &role);
    let live = kubectl_ok(
        "staging",
        &["get", "clusterrole", &format!("reader-{ns}"), "-o", "json"],
    );
    let live: Value = serde_json::from_str(&live).unwrap();
    assert_eq!(live["metadata"]["namespace"], Value::Null);
    let (code, report) = check_json(
        repo.path(),
        &["--context", "staging", "--path", "k8s", "-n", &ns],
    );
    assert_eq!(code, 1, "{report:#}");
    let reader = resource(&report, "ClusterRole", &format!("reader-{ns}"));
    assert_eq!(reader["status"], "InSync", "{report:#}");
    assert_eq!(reader["namespace"], Value::Null);
    // Missing, as kubectl diff would create it: without a namespace.
    let missing = resource(&report, "ClusterRole", &format!("absent-{ns}"));
    assert_eq!(missing["status"], "Missing", "{report:#}");
    let lines = kubectl_diff("staging", &ns, &absent, &[]);
    assert!(!lines.is_empty());
    assert!(!lines.iter().any(|l| l.contains("namespace")), "{lines:?}");
    let out = drift()
        .current_dir(repo.path())
        .args(["check", "--context", "staging", "--path", "k8s", "-n", &ns])
        .args(["-o", "unified", "--color", "never"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains(&format!("nowhere-{ns}")), "{text}");

    // A real change is found, as kubectl diff finds it.
    kubectl_ok(
        "staging",
        &[
            "patch",
            "clusterrole",
            &format!("reader-{ns}"),
            "--type=json",
            "-p",
            r#"[{"op":"replace","path":"/rules/0/verbs","value":["get","list"]}]"#,
        ],
    );
    let (_, report) = check_json(
        repo.path(),
        &["--context", "staging", "--path", "k8s", "-n", &ns],
    );
    let reader = resource(&report, "ClusterRole", &format!("reader-{ns}"));
    assert_eq!(reader["status"], "Drifted", "{report:#}");
    let lines = kubectl_diff("staging", &ns, &role, &[]);
    assert!(lines.iter().any(|l| l.trim() == "-  - list"), "{lines:?}");
}

#[test]
fn watch_keeps_each_version_of_a_kind_in_its_own_store() {
    use crate::watch::{free_port, get, sample, spawn_watch, wait_for};
    use std::time::Duration;

    let ns = namespace("watch-versions", &["staging"]);
    let repo = git_repo(&[("k8s/old.yaml", HPA_V1), ("k8s/new.yaml", HPA_V2)]);
    apply("staging", &ns, HPA_V1);
    apply("staging", &ns, HPA_V2);
    let port = free_port();
    let _watch = spawn_watch(repo.path(), &testenv().kubeconfig, &ns, port);
    let report = || -> Option<Value> {
        let (status, body) = get(port, "/report")?;
        (status == 200).then(|| serde_json::from_str(&body).ok())?
    };
    wait_for("watch's first round", Duration::from_secs(30), || {
        report().is_some()
    });
    let lists = || {
        let (_, metrics) = get(port, "/metrics").unwrap();
        sample(&metrics, "kubectl_drift_list_requests_total").unwrap()
    };
    let first_lists = lists();
    // Later rounds read the watched stores, one per version: both stay in sync.
    std::thread::sleep(Duration::from_secs(3));
    let now = report().unwrap();
    assert_eq!(now["summary"][0]["in_sync"], 2, "{now:#}");

    kubectl_ok(
        "staging",
        &[
            "-n",
            &ns,
            "patch",
            "horizontalpodautoscalers.v1.autoscaling",
            "old-style",
            "--type=merge",
            "-p",
            r#"{"spec":{"maxReplicas":9}}"#,
        ],
    );
    wait_for(
        "the change to reach a round",
        Duration::from_secs(30),
        || report().is_some_and(|r| r["summary"][0]["drifted"] == 1),
    );
    let now = report().unwrap();
    let old = resource(&now, "HorizontalPodAutoscaler", "old-style");
    assert_eq!(old["fields"].as_array().unwrap().len(), 1, "{now:#}");
    assert_eq!(field(old, "spec.maxReplicas")["live"], 9);
    assert_eq!(
        resource(&now, "HorizontalPodAutoscaler", "new-style")["status"],
        "InSync",
        "{now:#}"
    );
    assert_eq!(lists(), first_lists, "later rounds listed again");
}
