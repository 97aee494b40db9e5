//! `kubectl drift check` end to end: real Git repositories, the real API servers, the built
//! binary. Each scenario is applied with kubectl, changed by hand the way people do, and
//! checked.

use serde_json::Value;

use crate::common::*;

/// Runs `check -o json` and returns the exit code and the parsed report.
pub fn check_json(repo: &std::path::Path, args: &[&str]) -> (i32, Value) {
    let out = drift()
        .current_dir(repo)
        .args(["check", "-o", "json"])
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {stdout}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), report)
}

pub fn resource<'a>(report: &'a Value, kind: &str, name: &str) -> &'a Value {
    report["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == kind && r["name"] == name)
        .unwrap_or_else(|| panic!("{kind}/{name} not in report: {report:#}"))
}

pub fn field<'a>(resource: &'a Value, path: &str) -> &'a Value {
    resource["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == path)
        .unwrap_or_else(|| panic!("field {path} not drifted: {resource:#}"))
}

pub fn statuses(report: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = report["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                format!(
                    "{}/{}",
                    r["kind"].as_str().unwrap(),
                    r["name"].as_str().unwrap()
                ),
                r["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

pub const APP: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web, tier: frontend}
  annotations: {owner: shop-team}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        env:
        - {name: MODE, value: prod}
        resources:
          limits: {cpu: 0.5, memory: 256Mi}
        ports:
        - containerPort: 8080
          name: http
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - name: http
    port: 80
    targetPort: 8080
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data:
  greeting: hello
---
apiVersion: v1
kind: Secret
metadata:
  name: web-secret
stringData:
  password: s3cr3t-hunter2
"#;

pub fn app_scenario(prefix: &str) -> (String, tempfile::TempDir) {
    let ns = namespace(prefix, &["staging"]);
    let repo = git_repo(&[
        ("k8s/app.yaml", APP),
        ("k8s/README.yaml", "title: not a manifest\n"),
    ]);
    apply("staging", &ns, APP);
    (ns, repo)
}

#[test]
fn applied_manifests_are_in_sync() {
    let (ns, repo) = app_scenario("insync");
    let (code, report) = check_json(
        repo.path(),
        &["--context", "staging", "--path", "k8s", "-n", &ns],
    );
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(
        statuses(&report),
        vec![
            ("ConfigMap/web-config".into(), "InSync".into()),
            ("Deployment/web".into(), "InSync".into()),
            ("Secret/web-secret".into(), "InSync".into()),
            ("Service/web".into(), "InSync".into()),
        ]
    );
    let summary = &report["summary"][0];
    assert_eq!(summary["in_sync"], 4);
    assert_eq!(summary["skipped_files"], 1);
    let head = git(repo.path(), &["rev-parse", "HEAD"]);
    assert_eq!(summary["commit"], head.trim());
    let origin = &resource(&report, "Service", "web")["origin"];
    assert_eq!(origin["file"], "k8s/app.yaml");
    assert_eq!(origin["line"], 26);
}

#[test]
fn hand_made_changes_are_drift_with_the_right_field_and_manager() {
    let (ns, repo) = app_scenario("changes");
    let k = |args: &[&str]| {
        let mut full = args.to_vec();
        full.extend(["-n", &ns]);
        kubectl_ok("staging", &full);
    };
    k(&["scale", "deployment/web", "--replicas=5"]);
    k(&["set", "image", "deployment/web", "web=nginx:1.28"]);
    k(&["set", "env", "deployment/web", "MODE=debug"]);
    k(&["label", "deployment/web", "tier=backend", "--overwrite"]);
    k(&[
        "annotate",
        "deployment/web",
        "owner=someone-else",
        "--overwrite",
    ]);
    k(&[
        "patch",
        "configmap/web-config",
        "-p",
        r#"{"data":{"greeting":"hi"}}"#,
    ]);
    k(&[
        "patch",
        "secret/web-secret",
        "-p",
        r#"{"stringData":{"password":"changed-by-hand"}}"#,
    ]);
    k(&[
        "patch",
        "service/web",
        "--type=json",
        "-p",
        r#"[{"op":"replace","path":"/spec/ports/0/port","value":8081}]"#,
    ]);

    let (code, report) = check_json(
        repo.path(),
        &["--context", "staging", "--path", "k8s", "-n", &ns],
    );
    assert_eq!(code, 1, "{report:#}");
    let deploy = resource(&report, "Deployment", "web");
    assert_eq!(deploy["status"], "Drifted");
    let replicas = field(deploy, "spec.replicas");
    assert_eq!(
        (replicas["git"].clone(), replicas["live"].clone()),
        (Value::from(2), Value::from(5))
    );
    assert!(
        replicas["manager"].as_str().unwrap().starts_with("kubectl"),
        "{replicas}"
    );
    let image = field(deploy, "spec.template.spec.containers[name=web].image");
    assert_eq!(image["live"], "nginx:1.28");
    assert_eq!(image["manager"], "kubectl-set");
    let env = field(
        deploy,
        "spec.template.spec.containers[name=web].env[name=MODE].value",
    );
    assert_eq!(env["live"], "debug");
    assert_eq!(env["manager"], "kubectl-set");
    assert_eq!(
        field(deploy, "metadata.labels.tier")["manager"],
        "kubectl-label"
    );
    assert_eq!(
        field(deploy, "metadata.annotations.owner")["manager"],
        "kubectl-annotate"
    );
    for f in deploy["fields"].as_array().unwrap() {
        assert_eq!(f["operation"], "Update", "{f}");
        // The API server records no time for writes through the scale subresource.
        if f["subresource"].is_null() {
            assert!(f["time"].as_str().is_some(), "{f}");
        }
    }
    assert_eq!(replicas["subresource"], "scale");

    let cm = resource(&report, "ConfigMap", "web-config");
    assert_eq!(field(cm, "data.greeting")["live"], "hi");
    assert_eq!(field(cm, "data.greeting")["manager"], "kubectl-patch");
    let secret = resource(&report, "Secret", "web-secret");
    assert_eq!(secret["status"], "Drifted");
    field(secret, "data.password");
    let svc = resource(&report, "Service", "web");
    assert_eq!(svc["status"], "Drifted");
    assert!(svc["fields"].to_string().contains("8081"), "{svc:#}");
}

#[test]
fn a_deleted_object_is_missing_and_a_missing_namespace_is_not_an_error() {
    let (ns, repo) = app_scenario("missing");
    kubectl_ok("staging", &["delete", "configmap", "web-config", "-n", &ns]);
    let (code, report) = check_json(
        repo.path(),
        &["--context", "staging", "--path", "k8s", "-n", &ns],
    );
    assert_eq!(code, 1);
    assert_eq!(
        resource(&report, "ConfigMap", "web-config")["status"],
        "Missing"
    );
    assert_eq!(resource(&report, "Deployment", "web")["status"], "InSync");

    let (code, report) = check_json(
        repo.path(),
        &[
            "--context",
            "staging",
            "--path",
            "k8s",
            "-n",
            "no-such-namespace-here",
        ],
    );
    assert_eq!(code, 1, "{report:#}");
    assert!(
        statuses(&report).iter().all(|(_, s)| s == "Missing"),
        "{report:#}"
    );
}

#[test]
fn equal_meaning_is_not_drift() {
    // cpu 0.5 against live 500m, a named port, and omitted defaults are all in sync even
    // after a server-side dry run is forced by an unrelated change elsewhere.
    let (ns, repo) = app_scenario("meaning");
    kubectl_ok(
        "staging",
        &["label", "deployment/web", "-n", &ns, "extra=added-by-hand"],
    );
    let live = kubectl_ok(
        "staging",
        &["get", "deployment/web", "-n", &ns, "-o", "json"],
    );
    let live: Value = serde_json::from_str(&live).unwrap();
    assert_eq!(
        live["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["cpu"],
        "500m"
    );
    let (code, report) = check_json(
        repo.path(),
        &["--context", "staging", "--path", "k8s", "-n", &ns],
    );
    assert_eq!(code, 0, "{report:#}");
}

#[test]
fn the_set_of_drifted_objects_agrees_with_kubectl_diff() {
    let (ns, repo) = app_scenario("agree");
    kubectl_ok(
        "staging",
        &["scale", "deployment/web", "--replicas=3", "-n", &ns],
    );
    kubectl_ok(
        "staging",
        &[
            "patch",
            "configmap/web-config",
            "-n",
            &ns,
            "-p",
            r#"{"data":{"greeting":"yo"}}"#,
        ],
    );
    let (_, report) = check_json(
        repo.path(),
        &["--context", "staging", "--path", "k8s", "-n", &ns],
    );
    let ours: Vec<String> = statuses(&report)
        .into_iter()
        .filter(|(_, s)| s != "InSync")
        .map(|(id, _)| id.split('/').nth(1).unwrap().to_string())
        .collect();

    let file = repo.path().join("k8s/app.yaml");
    let out = kubectl(
        "staging",
        &[
            "diff",
            "--server-side",
            "--field-manager",
            "kubectl-drift",
            "--force-conflicts",
            "-n",
            &ns,
            "-f",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let diff = String::from_utf8_lossy(&out.stdout);
    let mut theirs: Vec<String> = diff
        .lines()
        .filter_map(|l| l.strip_prefix("diff -u -N "))
        .map(|l| {
            // ".../LIVE-123/apps.v1.Deployment.<ns>.web" → "web"
            let path = l.split_whitespace().next().unwrap();
            path.rsplit('.').next().unwrap().to_string()
        })
        .collect();
    theirs.sort();
    theirs.dedup();
    let mut ours = ours;
    ours.sort();
    assert_eq!(ours, theirs, "kubectl diff said:\n{diff}");
    assert_eq!(ours, vec!["web", "web-config"]);
}

#[test]
fn no_secret_value_reaches_any_output_format() {
    let (ns, repo) = app_scenario("secrets");
    kubectl_ok(
        "staging",
        &[
            "patch",
            "secret/web-secret",
            "-n",
            &ns,
            "-p",
            r#"{"stringData":{"password":"live-only-Zq9x"}}"#,
        ],
    );
    let forbidden = ["s3cr3t-hunter2", "live-only-Zq9x"];
    let encoded: Vec<String> = forbidden.iter().map(|s| base64_encode(s)).collect();
    for format in ["side-by-side", "unified", "json", "summary"] {
        let out = drift()
            .current_dir(repo.path())
            .args([
                "check",
                "--context",
                "staging",
                "--path",
                "k8s",
                "-n",
                &ns,
                "-o",
                format,
                "--color",
                "always",
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{format}");
        let bytes = [out.stdout.as_slice(), out.stderr.as_slice()].concat();
        let text = String::from_utf8_lossy(&bytes);
        for secret in forbidden
            .iter()
            .map(|s| s.to_string())
            .chain(encoded.clone())
        {
            assert!(!text.contains(&secret), "{format} leaked {secret}:\n{text}");
        }
        if format != "summary" {
            assert!(
                text.contains("password"),
                "{format} must still name the changed key:\n{text}"
            );
        }
    }
    let out = drift()
        .current_dir(repo.path())
        .args([
            "check",
            "--context",
            "staging",
            "--path",
            "k8s",
            "-n",
            &ns,
            "-o",
            "json",
            "--show-secrets",
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains(&encoded[1]));
}

fn base64_encode(s: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(s)
}

#[test]
fn the_viewer_falls_back_to_declared_fields_and_says_so() {
    let ns = namespace("viewer", &["production"]);
    let repo = git_repo(&[("k8s/app.yaml", APP)]);
    apply("production", &ns, APP);
    kubectl_ok(
        "production",
        &["scale", "deployment/web", "--replicas=4", "-n", &ns],
    );
    let (code, report) = check_json(
        repo.path(),
        &["--context", "production-viewer", "--path", "k8s", "-n", &ns],
    );
    // The view role may not read Secrets: that one resource is an error, the rest is checked.
    assert_eq!(code, 2, "{report:#}");
    let secret = resource(&report, "Secret", "web-secret");
    assert_eq!(secret["status"], "Error");
    let message = secret["message"].as_str().unwrap();
    assert!(
        message.starts_with("cannot list secrets in namespace"),
        "{message}"
    );
    assert_eq!(report["summary"][0]["read_only"], true);
    assert_eq!(
        field(resource(&report, "Deployment", "web"), "spec.replicas")["live"],
        4
    );
    assert_eq!(resource(&report, "Service", "web")["status"], "InSync");
}

#[test]
fn several_contexts_are_checked_and_one_bad_context_does_not_stop_the_rest() {
    let ns = namespace("multi", &["staging", "production"]);
    let repo = git_repo(&[("k8s/app.yaml", APP)]);
    apply("staging", &ns, APP);
    apply("production", &ns, APP);
    kubectl_ok(
        "production",
        &["scale", "deployment/web", "--replicas=7", "-n", &ns],
    );
    let (code, report) = check_json(
        repo.path(),
        &[
            "--context",
            "staging",
            "--context",
            "production",
            "--path",
            "k8s",
            "-n",
            &ns,
        ],
    );
    assert_eq!(code, 1);
    let drifted: Vec<&Value> = report["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "Drifted")
        .collect();
    assert_eq!(drifted.len(), 1);
    assert_eq!(drifted[0]["context"], "production");

    // A context whose server is unreachable is an error for that context only.
    let env = testenv();
    let mut config =
        kubectl_drift::yaml::read(&std::fs::read_to_string(&env.kubeconfig).unwrap()).unwrap();
    let clusters = config["clusters"].as_array_mut().unwrap();
    let mut dead = clusters[0].clone();
    dead["name"] = "dead".into();
    dead["cluster"]["server"] = "https://127.0.0.1:1".into();
    clusters.push(dead);
    let mut context = config["contexts"][0].clone();
    context["name"] = "dead".into();
    context["context"]["cluster"] = "dead".into();
    config["contexts"].as_array_mut().unwrap().push(context);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kubeconfig");
    std::fs::write(&path, kubectl_drift::yaml::to_string(&config).unwrap()).unwrap();
    let out = drift()
        .current_dir(repo.path())
        .args([
            "check",
            "-o",
            "json",
            "--kubeconfig",
            path.to_str().unwrap(),
            "--context",
            "dead",
            "--context",
            "staging",
            "--path",
            "k8s",
            "-n",
            &ns,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(statuses(&report).len(), 4, "staging was still checked");
    let dead_summary = report["summary"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["context"] == "dead")
        .unwrap();
    assert!(dead_summary["error"].as_str().is_some());
    assert!(String::from_utf8_lossy(&out.stderr).contains("context dead"));
}

#[test]
fn resource_arguments_select_like_kubectl() {
    let (ns, repo) = app_scenario("select");
    kubectl_ok(
        "staging",
        &["scale", "deployment/web", "--replicas=3", "-n", &ns],
    );
    let (code, report) = check_json(
        repo.path(),
        &[
            "deploy/web",
            "--context",
            "staging",
            "--path",
            "k8s",
            "-n",
            &ns,
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(
        statuses(&report),
        vec![("Deployment/web".into(), "Drifted".into())]
    );
    let (code, report) = check_json(
        repo.path(),
        &["svc,cm", "--context", "staging", "--path", "k8s", "-n", &ns],
    );
    assert_eq!(code, 0);
    assert_eq!(statuses(&report).len(), 2);
    let (code, report) = check_json(
        repo.path(),
        &[
            "--context",
            "staging",
            "--path",
            "k8s",
            "-n",
            &ns,
            "-l",
            "app=web",
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(
        statuses(&report),
        vec![("Deployment/web".into(), "Drifted".into())]
    );
}

#[test]
fn custom_resources_are_checked_like_any_kind() {
    let crd = r#"apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd]}
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
              size: {type: integer}
              color: {type: string, default: blue}
"#;
    let widget =
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w1\nspec:\n  size: 3\n";
    kubectl_stdin("staging", &["apply", "-f", "-"], Some(crd));
    kubectl_ok(
        "staging",
        &[
            "wait",
            "--for=condition=Established",
            "crd/widgets.example.com",
            "--timeout=30s",
        ],
    );
    let ns = namespace("crd", &["staging"]);
    let repo = git_repo(&[("k8s/crd.yaml", crd), ("k8s/widget.yaml", widget)]);
    apply("staging", &ns, widget);
    let (code, report) = check_json(
        repo.path(),
        &["--context", "staging", "--path", "k8s", "-n", &ns],
    );
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(
        resource(&report, "CustomResourceDefinition", "widgets.example.com")["namespace"],
        Value::Null
    );
    kubectl_ok(
        "staging",
        &[
            "patch",
            "widget/w1",
            "-n",
            &ns,
            "--type=merge",
            "-p",
            r#"{"spec":{"size":9}}"#,
        ],
    );
    let (code, report) = check_json(
        repo.path(),
        &["wd", "--context", "staging", "--path", "k8s", "-n", &ns],
    );
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(
        field(resource(&report, "Widget", "w1"), "spec.size")["live"],
        9
    );
}

#[test]
fn the_microservices_demo_applied_unchanged_shows_no_drift() {
    let ns = namespace("corpus", &["staging"]);
    let fixtures = root().join("tests/fixtures/microservices-demo");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&fixtures).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        // Every manifest file as it is, read one by one: the kustomization has a test of
        // its own and stays out, so that nothing is rendered here.
        if name.ends_with(".yaml") && name != "kustomization.yaml" {
            files.push((
                format!("k8s/{name}"),
                std::fs::read_to_string(&path).unwrap(),
            ));
            kubectl_ok(
                "staging",
                &["apply", "-n", &ns, "-f", path.to_str().unwrap()],
            );
        }
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let repo = git_repo(&refs);
    let (code, report) = check_json(
        repo.path(),
        &["--context", "staging", "--path", "k8s", "-n", &ns],
    );
    assert_eq!(code, 0, "{report:#}");
    let summary = &report["summary"][0];
    assert_eq!(summary["drifted"], 0);
    // 12 Deployments, 12 Services, 11 ServiceAccounts.
    assert_eq!(summary["in_sync"], 35, "{summary}");
    assert_eq!(summary["skipped_files"], 0);
    // Nothing was written by hand, so --strict finds nothing either.
    let (code, report) = check_json(
        repo.path(),
        &[
            "--context",
            "staging",
            "--path",
            "k8s",
            "-n",
            &ns,
            "--strict",
        ],
    );
    assert_eq!(code, 0, "{report:#}");
}

#[test]
fn bad_input_names_the_thing_at_fault() {
    let repo = git_repo(&[
        ("k8s/app.yaml", APP),
        (
            "bad/broken.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [oops\n",
        ),
    ]);
    let not_repo = tempfile::tempdir().unwrap();
    let bad_kubeconfig = not_repo.path().join("kubeconfig");
    std::fs::write(&bad_kubeconfig, "clusters: [unclosed\n").unwrap();
    let cases: Vec<(Vec<&str>, &str, Option<&std::path::Path>)> = vec![
        (
            vec!["--path", "bad"],
            "bad/broken.yaml:4:9: malformed YAML: unclosed bracket",
            None,
        ),
        (vec!["--path", "nope"], "\"nope\" is not in the tree", None),
        (
            vec!["--path", "k8s", "--ref", "no-such-branch"],
            "\"no-such-branch\"",
            None,
        ),
        (
            vec!["--path", "k8s"],
            "is not in a Git repository",
            Some(not_repo.path()),
        ),
        (
            vec!["--path", "k8s", "widgets-nope"],
            "\"widgets-nope\"",
            None,
        ),
        (
            vec!["--path", "k8s", "--context", "nowhere"],
            "\"nowhere\"",
            None,
        ),
        (
            vec![
                "--path",
                "k8s",
                "--kubeconfig",
                bad_kubeconfig.to_str().unwrap(),
            ],
            bad_kubeconfig.to_str().unwrap(),
            None,
        ),
        (
            vec!["--path", "k8s", "-l", "app=none"],
            "nothing to check",
            None,
        ),
        (
            vec!["--path", "k8s", "--concurrency", "0"],
            "--concurrency",
            None,
        ),
    ];
    for (args, expected, dir) in cases {
        let mut cmd = drift();
        cmd.current_dir(dir.unwrap_or(repo.path()))
            .arg("check")
            .args(&args);
        if !args.contains(&"--context") {
            cmd.args(["--context", "staging"]);
        }
        let out = cmd.output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(expected),
            "{args:?}: expected {expected:?} in: {stderr}"
        );
    }
}

#[test]
fn check_never_writes_to_the_cluster() {
    let (ns, repo) = app_scenario("readonly");
    kubectl_ok(
        "staging",
        &["scale", "deployment/web", "--replicas=6", "-n", &ns],
    );
    kubectl_ok("staging", &["delete", "configmap/web-config", "-n", &ns]);
    let before = kubectl_ok(
        "staging",
        &[
            "get",
            "deploy,svc,cm,secret",
            "-n",
            &ns,
            "-o",
            "jsonpath={range .items[*]}{.metadata.name}={.metadata.resourceVersion} {end}",
        ],
    );
    let (code, _) = check_json(
        repo.path(),
        &["--context", "staging", "--path", "k8s", "-n", &ns],
    );
    assert_eq!(code, 1);
    let after = kubectl_ok(
        "staging",
        &[
            "get",
            "deploy,svc,cm,secret",
            "-n",
            &ns,
            "-o",
            "jsonpath={range .items[*]}{.metadata.name}={.metadata.resourceVersion} {end}",
        ],
    );
    assert_eq!(before, after);
}

#[test]
fn plain_files_work_without_git_and_duplicates_name_both_files() {
    let ns = namespace("files", &["staging"]);
    apply("staging", &ns, APP);
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &[("app.yaml", APP)]);
    let file = dir.path().join("app.yaml");
    let (code, report) = check_json(
        dir.path(),
        &[
            "--context",
            "staging",
            "-n",
            &ns,
            "-f",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(statuses(&report).len(), 4);
    assert_eq!(
        resource(&report, "Service", "web")["origin"]["commit"],
        Value::Null
    );

    write_files(dir.path(), &[("copy/again.yaml", APP)]);
    let out = drift()
        .current_dir(dir.path())
        .args(["check", "--context", "staging", "-n", &ns, "-f", "."])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("declared twice")
            && stderr.contains("app.yaml")
            && stderr.contains("again.yaml"),
        "{stderr}"
    );
}

#[test]
fn strict_mode_reports_fields_added_by_hand() {
    let (ns, repo) = app_scenario("strict");
    let k = |args: &[&str]| {
        let mut full = args.to_vec();
        full.extend(["-n", &ns]);
        kubectl_ok("staging", &full);
    };
    k(&["label", "deployment/web", "hotfix=yes"]);
    k(&["set", "env", "deployment/web", "DEBUG=1"]);
    k(&[
        "patch",
        "configmap/web-config",
        "-p",
        r#"{"data":{"extra":"added"}}"#,
    ]);
    let args = ["--context", "staging", "--path", "k8s", "-n", &ns];
    // As in kubectl diff, fields Git never declared are no drift by default.
    let (code, report) = check_json(repo.path(), &args);
    assert_eq!(code, 0, "{report:#}");

    let mut strict = args.to_vec();
    strict.push("--strict");
    let (code, report) = check_json(repo.path(), &strict);
    assert_eq!(code, 1, "{report:#}");
    let deploy = resource(&report, "Deployment", "web");
    let label = field(deploy, "metadata.labels.hotfix");
    assert_eq!(
        (label["git"].clone(), label["live"].clone()),
        (Value::Null, Value::from("yes"))
    );
    assert_eq!(label["manager"], "kubectl-label");
    let env = field(
        deploy,
        "spec.template.spec.containers[name=web].env[name=DEBUG]",
    );
    assert_eq!(env["manager"], "kubectl-set");
    assert_eq!(env["live"]["value"], "1");
    let extra = field(resource(&report, "ConfigMap", "web-config"), "data.extra");
    assert_eq!(extra["manager"], "kubectl-patch");
    // The Service and the Secret were not touched by hand.
    assert_eq!(resource(&report, "Service", "web")["status"], "InSync");
    assert_eq!(
        resource(&report, "Secret", "web-secret")["status"],
        "InSync"
    );
}

#[test]
fn fields_git_dropped_since_the_last_client_side_apply_are_removals() {
    let (ns, repo) = app_scenario("dropped");
    // Git drops a label and an annotation that the pipeline's kubectl apply had set.
    let changed = APP
        .replace("labels: {app: web, tier: frontend}", "labels: {app: web}")
        .replace("  annotations: {owner: shop-team}\n", "");
    assert_ne!(changed, APP);
    write_files(repo.path(), &[("k8s/app.yaml", &changed)]);
    commit(repo.path(), "drop the tier label and the owner annotation");
    let (code, report) = check_json(
        repo.path(),
        &["--context", "staging", "--path", "k8s", "-n", &ns],
    );
    assert_eq!(code, 1, "{report:#}");
    let deploy = resource(&report, "Deployment", "web");
    let tier = field(deploy, "metadata.labels.tier");
    assert_eq!(
        (tier["git"].clone(), tier["live"].clone()),
        (Value::Null, Value::from("frontend"))
    );
    assert_eq!(tier["manager"], "kubectl-client-side-apply");
    assert_eq!(
        field(deploy, "metadata.annotations.owner")["live"],
        "shop-team"
    );
    assert_eq!(deploy["fields"].as_array().unwrap().len(), 2, "{deploy:#}");
    assert_eq!(
        resource(&report, "ConfigMap", "web-config")["status"],
        "InSync"
    );
}

#[test]
fn a_kustomization_in_git_is_rendered_and_origins_name_the_source_files() {
    let ns = namespace("kustomize", &["staging"]);
    let fixtures = root().join("tests/fixtures/microservices-demo");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&fixtures).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.ends_with(".yaml") {
            files.push((
                format!("shop/{name}"),
                std::fs::read_to_string(&path).unwrap(),
            ));
        }
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let repo = git_repo(&refs);
    kubectl_ok(
        "staging",
        &["apply", "-n", &ns, "-k", fixtures.to_str().unwrap()],
    );
    let args = ["--context", "staging", "--path", "shop", "-n", &ns];
    let (code, report) = check_json(repo.path(), &args);
    assert_eq!(code, 0, "{report:#}");
    // The kustomization leaves out the load generator (a Deployment and a ServiceAccount),
    // so the 35 objects of the files become 33.
    assert_eq!(
        report["summary"][0]["in_sync"], 33,
        "{:#}",
        report["summary"]
    );
    assert!(report["resources"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["name"] != "loadgenerator"));

    kubectl_ok(
        "staging",
        &["set", "env", "deployment/adservice", "PORT=9999", "-n", &ns],
    );
    let (code, report) = check_json(repo.path(), &args);
    assert_eq!(code, 1);
    let ad = resource(&report, "Deployment", "adservice");
    assert_eq!(ad["status"], "Drifted");
    assert_eq!(ad["origin"]["file"], "shop/adservice.yaml");
    let source = std::fs::read_to_string(fixtures.join("adservice.yaml")).unwrap();
    let line = ad["origin"]["line"].as_u64().unwrap() as usize;
    assert_eq!(
        source.lines().nth(line - 1),
        Some("apiVersion: apps/v1"),
        "line {line}"
    );
}

#[test]
fn objects_over_many_list_pages_are_each_paired_and_compared() {
    // More ConfigMaps than two LIST pages hold, over enough namespaces to be listed across
    // the cluster: each page is compared as it arrives, so a drifted, deleted or extra
    // object on any page must still land on the right manifest.
    const PER_NAMESPACE: usize = 140;
    let namespaces: Vec<String> = (0..8).map(|_| namespace("pages", &["staging"])).collect();
    let files: Vec<(String, String)> = namespaces
        .iter()
        .map(|ns| {
            let docs: Vec<String> = (0..PER_NAMESPACE)
                .map(|i| {
                    format!(
                        "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cm-{i:03}, namespace: {ns}}}\ndata: {{index: \"{i}\"}}\n"
                    )
                })
                .collect();
            (format!("k8s/{ns}.yaml"), docs.join("---\n"))
        })
        .collect();
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let repo = git_repo(&borrowed);
    let k8s = repo.path().join("k8s");
    kubectl_ok(
        "staging",
        &[
            "apply",
            "--server-side",
            "--validate=false",
            "-f",
            k8s.to_str().unwrap(),
        ],
    );
    let k = |args: &[&str]| {
        kubectl_ok("staging", args);
    };
    for (n, name) in [(0, "cm-000"), (3, "cm-070"), (7, "cm-139")] {
        let patch = r#"{"data":{"index":"x"}}"#;
        k(&[
            "patch",
            "configmap",
            name,
            "-n",
            &namespaces[n],
            "-p",
            patch,
        ]);
    }
    k(&["delete", "configmap", "cm-100", "-n", &namespaces[5]]);
    k(&["create", "configmap", "not-in-git", "-n", &namespaces[2]]);

    let run = |concurrency: &str| {
        let (code, mut report) = check_json(
            repo.path(),
            &[
                "--context",
                "staging",
                "--path",
                "k8s",
                "-A",
                "--concurrency",
                concurrency,
            ],
        );
        assert_eq!(code, 1, "{report:#}");
        report.as_object_mut().unwrap().remove("at");
        report
    };
    let report = run("16");
    let not_in_sync: Vec<(String, String, String)> = report["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] != "InSync")
        .map(|r| {
            (
                r["namespace"].as_str().unwrap().to_string(),
                r["name"].as_str().unwrap().to_string(),
                r["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected: Vec<(String, String, String)> = [
        (0, "cm-000", "Drifted"),
        (3, "cm-070", "Drifted"),
        (5, "cm-100", "Missing"),
        (7, "cm-139", "Drifted"),
    ]
    .iter()
    .map(|(n, name, status)| (namespaces[*n].clone(), name.to_string(), status.to_string()))
    .collect();
    let mut sorted = not_in_sync.clone();
    sorted.sort();
    let mut expected_sorted = expected.clone();
    expected_sorted.sort();
    assert_eq!(sorted, expected_sorted, "{report:#}");
    let summary = &report["summary"][0];
    assert_eq!(summary["in_sync"], 8 * PER_NAMESPACE - 4, "{summary:#}");
    assert_eq!(summary["errors"], 0, "{summary:#}");
    let changed = resource_in(&report, &namespaces[7], "cm-139");
    assert_eq!(field(changed, "data.index")["live"], "x", "{changed:#}");
    assert_eq!(field(changed, "data.index")["git"], "139", "{changed:#}");
    // The same answer, in the same order, one request at a time.
    assert_eq!(run("1"), report);
}

fn resource_in<'a>(report: &'a Value, namespace: &str, name: &str) -> &'a Value {
    report["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["namespace"] == namespace && r["name"] == name)
        .unwrap_or_else(|| panic!("{namespace}/{name} not in report"))
}
