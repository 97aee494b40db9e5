//! The pre-check by the server's own schema: fields added by hand inside atomic values
//! (a toleration's effect, a `secretKeyRef`'s `optional`, a label selector's key, an atomic
//! map, a CRD's atomic struct) are drift, as `kubectl diff --server-side` says, with and
//! without `--strict`; untouched objects stay in sync; and a warm schema cache costs the
//! OpenAPI index only, counted by the API server itself; and generated hand changes agree
//! with `kubectl diff` object for object.

use std::path::Path;

use crate::check::{check_json, statuses};
use crate::common::*;

const WORKLOADS: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata: {name: tolerant}
spec:
  selector: {matchLabels: {app: tolerant}}
  template:
    metadata: {labels: {app: tolerant}}
    spec:
      tolerations:
      - {key: dedicated, operator: Equal, value: web}
      containers:
      - name: app
        image: registry.example.com/app:1
        resources: {requests: {cpu: 0.5, memory: 64Mi}}
        ports: [{containerPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: secretive}
spec:
  selector: {matchLabels: {app: secretive}}
  template:
    metadata: {labels: {app: secretive}}
    spec:
      containers:
      - name: app
        image: registry.example.com/app:1
        env:
        - name: TOKEN
          valueFrom: {secretKeyRef: {name: creds, key: token}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: steady}
spec:
  selector: {matchLabels: {app: steady}}
  template:
    metadata: {labels: {app: steady}}
    spec:
      tolerations:
      - {key: dedicated, operator: Exists}
      nodeSelector: {disk: ssd}
      containers:
      - name: app
        image: registry.example.com/app:1
        resources: {limits: {cpu: 1.5, memory: 1Gi}}
        env:
        - name: TOKEN
          valueFrom: {secretKeyRef: {name: creds, key: token}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: selective}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
---
apiVersion: v1
kind: Service
metadata: {name: mapped}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: calm}
spec:
  selector: {app: calm}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: plain}
data: {a: "1"}
"#;

fn crd(group: &str) -> String {
    format!(
        r#"apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {{name: gadgets.{group}}}
spec:
  group: {group}
  scope: Namespaced
  names: {{plural: gadgets, singular: gadget, kind: Gadget}}
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
              size: {{type: string}}
              target:
                type: object
                x-kubernetes-map-type: atomic
                properties:
                  name: {{type: string}}
                  port: {{type: integer}}
"#
    )
}

fn gadgets(group: &str) -> String {
    format!(
        r#"apiVersion: {group}/v1
kind: Gadget
metadata: {{name: aimed}}
spec:
  size: small
  target: {{name: backend}}
---
apiVersion: {group}/v1
kind: Gadget
metadata: {{name: idle}}
spec:
  size: large
  target: {{name: backend}}
"#
    )
}

/// Creates the CRD and waits until the server publishes its OpenAPI document.
fn install_crd(context: &str, group: &str) {
    kubectl_stdin(context, &["apply", "-f", "-"], Some(&crd(group)));
    kubectl_ok(
        context,
        &[
            "wait",
            "--for",
            "condition=established",
            "--timeout=60s",
            &format!("crd/gadgets.{group}"),
        ],
    );
    let path = format!("apis/{group}/v1");
    for _ in 0..120 {
        if kubectl_ok(context, &["get", "--raw", "/openapi/v3"]).contains(&path) {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    panic!("the server never published the OpenAPI document of {group}");
}

/// The names `kubectl diff --server-side --force-conflicts` reports for these files.
pub(crate) fn kubectl_diff_names(context: &str, ns: &str, files: &[&Path]) -> Vec<String> {
    let mut args = vec![
        "diff",
        "--server-side",
        "--field-manager",
        "kubectl-drift",
        "--force-conflicts",
        "-n",
        ns,
    ];
    for file in files {
        args.extend(["-f", file.to_str().unwrap()]);
    }
    let out = kubectl(context, &args);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "kubectl diff failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut names: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix("diff -u -N "))
        .map(|l| {
            let path = l.split_whitespace().next().unwrap();
            path.rsplit('.').next().unwrap().to_string()
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

fn drifted_names(report: &serde_json::Value) -> Vec<String> {
    let mut names: Vec<String> = statuses(report)
        .into_iter()
        .filter(|(_, s)| s != "InSync")
        .map(|(id, _)| id.split('/').nth(1).unwrap().to_string())
        .collect();
    names.sort();
    names
}

fn patch_json(context: &str, ns: &str, target: &str, patch: &str) {
    kubectl_ok(
        context,
        &["patch", target, "-n", ns, "--type", "json", "-p", patch],
    );
}

#[test]
fn fields_added_inside_atomic_values_are_drift_as_kubectl_diff_says() {
    let context = "staging";
    let ns = namespace("atomic", &[context]);
    let group = format!("s{}.drift.example.com", std::process::id());
    install_crd(context, &group);
    let repo = git_repo(&[
        ("k8s/workloads.yaml", WORKLOADS),
        ("k8s/gadgets.yaml", &gadgets(&group)),
    ]);
    let files = [
        repo.path().join("k8s/workloads.yaml"),
        repo.path().join("k8s/gadgets.yaml"),
    ];
    for file in &files {
        apply(context, &ns, &std::fs::read_to_string(file).unwrap());
    }
    let args = ["--context", context, "--path", "k8s", "-n", &ns];
    let (code, report) = check_json(repo.path(), &args);
    assert_eq!(code, 0, "freshly applied: {report:#}");

    patch_json(
        context,
        &ns,
        "deployment/tolerant",
        r#"[{"op":"add","path":"/spec/template/spec/tolerations/0/effect","value":"NoSchedule"}]"#,
    );
    patch_json(
        context,
        &ns,
        "deployment/secretive",
        r#"[{"op":"add","path":"/spec/template/spec/containers/0/env/0/valueFrom/secretKeyRef/optional","value":true}]"#,
    );
    patch_json(
        context,
        &ns,
        "networkpolicy/selective",
        r#"[{"op":"add","path":"/spec/podSelector/matchLabels/tier","value":"front"}]"#,
    );
    patch_json(
        context,
        &ns,
        "service/mapped",
        r#"[{"op":"add","path":"/spec/selector/tier","value":"front"}]"#,
    );
    patch_json(
        context,
        &ns,
        &format!("gadget.{group}/aimed"),
        r#"[{"op":"add","path":"/spec/target/port","value":8443}]"#,
    );
    // A granular field added by hand is no drift (as in kubectl diff) without --strict.
    kubectl_ok(
        context,
        &["annotate", "configmap/plain", "-n", &ns, "note=by-hand"],
    );

    let expected = ["aimed", "mapped", "secretive", "selective", "tolerant"];
    let (code, report) = check_json(repo.path(), &args);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(drifted_names(&report), expected, "{report:#}");
    let theirs = kubectl_diff_names(context, &ns, &[&files[0], &files[1]]);
    assert_eq!(drifted_names(&report), theirs);

    let strict: Vec<&str> = args.iter().copied().chain(["--strict"]).collect();
    let (code, report) = check_json(repo.path(), &strict);
    assert_eq!(code, 1, "{report:#}");
    let drifted = drifted_names(&report);
    for name in expected {
        assert!(drifted.contains(&name.to_string()), "{name}: {report:#}");
    }
    for name in ["steady", "calm", "idle"] {
        assert!(!drifted.contains(&name.to_string()), "{name}: {report:#}");
    }

    // Each drift names the atomic value the dry run would put back.
    let tolerant = crate::check::resource(&report, "Deployment", "tolerant");
    let paths: Vec<&str> = tolerant["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(
        paths.iter().any(|p| p.contains("tolerations")),
        "{tolerant:#}"
    );
    kubectl(
        context,
        &["delete", "crd", &format!("gadgets.{group}"), "--wait=false"],
    );
}

/// The API servers of a testenv of this test's own, so that no other test's requests
/// count; stopped when dropped.
struct OwnTestenv {
    dir: tempfile::TempDir,
}

impl Drop for OwnTestenv {
    fn drop(&mut self) {
        let _ = std::process::Command::new(root().join("tests/testenv/down"))
            .arg(self.dir.path())
            .output();
    }
}

#[test]
fn a_warm_schema_cache_costs_the_index_request_only() {
    let own = OwnTestenv {
        dir: tempfile::tempdir().unwrap(),
    };
    let up = std::process::Command::new(root().join("tests/testenv/up"))
        .arg(own.dir.path())
        .output()
        .unwrap();
    assert!(
        up.status.success(),
        "tests/testenv/up failed: {}",
        String::from_utf8_lossy(&up.stderr)
    );
    let kubeconfig = own.dir.path().join("kubeconfig");
    let own_kubectl = |args: &[&str], stdin: Option<&str>| {
        use std::io::Write;
        let mut child = std::process::Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(&kubeconfig)
            .args(["--context", "production"])
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.unwrap_or("").as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "kubectl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    // The server counts the index under `openapi/v3`, documents under `openapi/v3/`, and
    // dry runs with `dry_run="All"`.
    let requests = |label: &str| {
        own_kubectl(&["get", "--raw", "/metrics"], None)
            .lines()
            .filter(|l| l.starts_with("apiserver_request_total{") && l.contains(label))
            .map(|l| l.rsplit(' ').next().unwrap().parse::<f64>().unwrap())
            .sum::<f64>()
    };
    let counts = || {
        (
            requests(r#"subresource="openapi/v3""#),
            requests(r#"subresource="openapi/v3/""#),
            requests(r#"dry_run="All""#),
        )
    };
    own_kubectl(&["create", "namespace", "warm"], None);
    let repo = git_repo(&[("k8s/workloads.yaml", WORKLOADS)]);
    own_kubectl(&["apply", "-n", "warm", "-f", "-"], Some(WORKLOADS));
    let cache = tempfile::tempdir().unwrap();
    let run = || {
        let out = assert_cmd::Command::cargo_bin("kubectl-drift")
            .unwrap()
            .current_dir(repo.path())
            .env("KUBECONFIG", &kubeconfig)
            .env("XDG_CACHE_HOME", cache.path())
            .args(["check", "-o", "json", "--context", "production"])
            .args(["--path", "k8s", "-n", "warm"])
            .timeout(std::time::Duration::from_secs(120))
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)));
        (out.status.code(), report)
    };

    let before = counts();
    let (code, report) = run();
    let after = counts();
    assert_eq!(code, Some(0), "{report:#}");
    // The index, then one document each for core v1, apps/v1 and networking.k8s.io/v1.
    // Everything is in sync, and the schema proves it: no dry run at all.
    assert_eq!(
        (after.0 - before.0, after.1 - before.1, after.2 - before.2),
        (1.0, 3.0, 0.0),
        "cold run: (index, documents, dry runs)"
    );
    let cached: Vec<_> = walk(&cache.path().join("kubectl-drift/openapi"));
    assert_eq!(cached.len(), 3, "{cached:?}");

    let before = counts();
    let (code, report) = run();
    let after = counts();
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(
        (after.0 - before.0, after.1 - before.1, after.2 - before.2),
        (1.0, 0.0, 0.0),
        "a warm run asks for the index only"
    );
    assert_eq!(walk(&cache.path().join("kubectl-drift/openapi")), cached);

    // A change inside an atomic value: that object, and only that one, gets a dry run.
    own_kubectl(
        &[
            "patch",
            "deployment/tolerant",
            "-n",
            "warm",
            "--type",
            "json",
            "-p",
            r#"[{"op":"add","path":"/spec/template/spec/tolerations/0/effect","value":"NoSchedule"}]"#,
        ],
        None,
    );
    let before = counts();
    let (code, report) = run();
    let after = counts();
    assert_eq!(code, Some(1), "{report:#}");
    assert_eq!(drifted_names(&report), ["tolerant"]);
    assert_eq!(
        (after.0 - before.0, after.1 - before.1, after.2 - before.2),
        (1.0, 0.0, 1.0),
        "(index, documents, dry runs)"
    );
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// Hand changes for the generated cases: (patch type, patch), inside and outside atomic
/// values, some drift and some not; the oracle decides which.
pub(crate) const MUTATIONS: &[(&str, &str)] = &[
    (
        "json",
        r#"[{"op":"add","path":"/spec/template/spec/tolerations/0/effect","value":"NoSchedule"}]"#,
    ),
    (
        "json",
        r#"[{"op":"replace","path":"/spec/template/spec/tolerations/0/value","value":"api"}]"#,
    ),
    (
        "json",
        r#"[{"op":"add","path":"/spec/template/spec/tolerations/-","value":{"key":"extra","operator":"Exists"}}]"#,
    ),
    (
        "json",
        r#"[{"op":"add","path":"/spec/template/spec/nodeSelector/zone","value":"a"}]"#,
    ),
    (
        "json",
        r#"[{"op":"add","path":"/spec/template/spec/containers/0/env/1/valueFrom/secretKeyRef/optional","value":true}]"#,
    ),
    (
        "json",
        r#"[{"op":"add","path":"/spec/template/spec/containers/0/args/-","value":"--debug"}]"#,
    ),
    (
        "json",
        r#"[{"op":"replace","path":"/spec/template/spec/containers/0/resources/requests/cpu","value":"500m"}]"#,
    ),
    (
        "json",
        r#"[{"op":"replace","path":"/spec/template/spec/containers/0/resources/requests/memory","value":"128Mi"}]"#,
    ),
    (
        "merge",
        r#"{"metadata":{"annotations":{"note":"by-hand"}}}"#,
    ),
    (
        "json",
        r#"[{"op":"add","path":"/spec/template/spec/containers/0/env/-","value":{"name":"EXTRA","value":"1"}}]"#,
    ),
    (
        "json",
        r#"[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"registry.example.com/app:2"}]"#,
    ),
    (
        "merge",
        r#"{"spec":{"template":{"metadata":{"labels":{"extra":"x"}}}}}"#,
    ),
    (
        "json",
        r#"[{"op":"add","path":"/spec/template/spec/containers/0/ports/0/name","value":"http"}]"#,
    ),
    (
        "json",
        r#"[{"op":"replace","path":"/spec/replicas","value":3}]"#,
    ),
];

pub(crate) fn generated(i: usize) -> String {
    format!(
        r#"apiVersion: apps/v1
kind: Deployment
metadata: {{name: gen-{i:02}, labels: {{app: gen-{i:02}}}}}
spec:
  replicas: 1
  selector: {{matchLabels: {{app: gen-{i:02}}}}}
  template:
    metadata: {{labels: {{app: gen-{i:02}}}}}
    spec:
      nodeSelector: {{disk: ssd}}
      tolerations: [{{key: dedicated, operator: Equal, value: web}}]
      containers:
      - name: app
        image: registry.example.com/app:1
        args: [--port=8080]
        resources: {{requests: {{cpu: 0.5, memory: 64Mi}}}}
        ports: [{{containerPort: 8080}}]
        env:
        - {{name: MODE, value: fast}}
        - name: TOKEN
          valueFrom: {{secretKeyRef: {{name: creds, key: token}}}}
"#
    )
}

#[test]
fn generated_hand_changes_agree_with_kubectl_diff() {
    let context = "production";
    let ns = namespace("generated", &[context]);
    let count = MUTATIONS.len() * 3;
    let yaml: Vec<String> = (0..count).map(generated).collect();
    let yaml = yaml.join("---\n");
    let repo = git_repo(&[("k8s/generated.yaml", &yaml)]);
    let file = repo.path().join("k8s/generated.yaml");
    let out = kubectl_stdin(
        context,
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
        Some(&yaml),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Each change alone, then pairs and a few untouched objects, from a fixed sequence.
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut next = |n: usize| rng.below(n);
    for i in 0..count {
        let changes: Vec<usize> = match i / MUTATIONS.len() {
            0 => vec![i],
            1 => vec![next(MUTATIONS.len()), next(MUTATIONS.len())],
            _ if next(3) == 0 => vec![],
            _ => vec![next(MUTATIONS.len())],
        };
        for change in changes {
            let (kind, patch) = MUTATIONS[change];
            kubectl_ok(
                context,
                &[
                    "patch",
                    &format!("deployment/gen-{i:02}"),
                    "-n",
                    &ns,
                    "--type",
                    kind,
                    "-p",
                    patch,
                ],
            );
        }
    }
    let args = ["--context", context, "--path", "k8s", "-n", &ns];
    let (code, report) = check_json(repo.path(), &args);
    let ours = drifted_names(&report);
    let theirs = kubectl_diff_names(context, &ns, &[&file]);
    assert_eq!(ours, theirs, "{report:#}");
    assert_eq!(code, i32::from(!ours.is_empty()));
    // The sequence holds both kinds of change: some objects drift, some stay in sync.
    assert!(!ours.is_empty() && ours.len() < count, "{ours:?}");
    let (_, strict) = check_json(repo.path(), &[&args[..], &["--strict"]].concat());
    let strict = drifted_names(&strict);
    assert!(ours.iter().all(|name| strict.contains(name)), "{strict:?}");
}
