//! `kubectl drift compare` against the two real API servers of testenv (contexts `staging`
//! and `production`), and against two namespaces of one.

use serde_json::Value;

use crate::common::*;

/// Runs `compare -o json` (in `dir` when given) and returns the exit code and the document.
fn compare_json(dir: Option<&std::path::Path>, args: &[&str]) -> (i32, Value) {
    let mut cmd = drift();
    if let Some(dir) = dir {
        cmd.current_dir(dir);
    } else {
        cmd.current_dir(std::env::temp_dir());
    }
    let out = cmd
        .args(["compare", "-o", "json"])
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

fn object<'a>(report: &'a Value, kind: &str, name: &str) -> &'a Value {
    report["objects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["kind"] == kind && o["name"] == name)
        .unwrap_or_else(|| panic!("{kind}/{name} not in report: {report:#}"))
}

const TWO: [&str; 4] = ["--context", "staging", "--context", "production"];

const APP: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "registry.example.com/shop/web:1.4.0"}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{port: 80}]}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web-config}
data: {banner: Welcome, api_url: "http://api:8080"}
"#;

#[test]
fn identical_objects_differ_only_in_what_the_server_writes() {
    let ns = namespace("cmp-same", &["staging", "production"]);
    apply("staging", &ns, APP);
    apply("production", &ns, APP);
    // The server wrote different uids (and versions, times, cluster IPs) on each side.
    let uid = |c: &str| {
        kubectl_ok(
            c,
            &[
                "get",
                "svc",
                "web",
                "-n",
                &ns,
                "-o",
                "jsonpath={.metadata.uid}",
            ],
        )
    };
    assert_ne!(uid("staging"), uid("production"));
    let (code, report) = compare_json(None, &[&TWO[..], &["deploy,svc,cm", "-n", &ns]].concat());
    assert_eq!(code, 0, "{report:#}");
    let objects = report["objects"].as_array().unwrap();
    // The namespace's own kube-root-ca.crt (a different CA per cluster) is Kubernetes'.
    assert_eq!(objects.len(), 3, "{report:#}");
    for o in objects {
        assert_eq!(o["status"], "Same", "{o:#}");
        assert_eq!(o["fields"], serde_json::json!([]));
    }
    let (code, out, _) = run_drift(&[&TWO[..], &["compare", "deploy,svc,cm", "-n", &ns]].concat());
    assert_eq!(code, 0);
    assert!(
        out.contains("staging ↔ production: 0 different, 3 same"),
        "{out}"
    );
}

#[test]
fn a_hand_edit_shows_the_value_and_writer_on_each_side() {
    let ns = namespace("cmp-diff", &["staging", "production"]);
    apply("staging", &ns, APP);
    apply("production", &ns, APP);
    kubectl_ok(
        "production",
        &[
            "-n",
            &ns,
            "patch",
            "configmap",
            "web-config",
            "-p",
            r#"{"data":{"banner":"Maintenance tonight"}}"#,
        ],
    );
    kubectl_ok(
        "production",
        &["-n", &ns, "scale", "deployment", "web", "--replicas=5"],
    );
    let (code, report) = compare_json(None, &[&TWO[..], &["deploy,cm", "-n", &ns]].concat());
    assert_eq!(code, 1, "{report:#}");
    let cm = object(&report, "ConfigMap", "web-config");
    assert_eq!(cm["status"], "Different");
    let fields = cm["fields"].as_array().unwrap();
    assert_eq!(fields.len(), 1, "{cm:#}");
    let banner = &fields[0];
    assert_eq!(banner["path"], "data.banner");
    assert_eq!(banner["declared"], false);
    assert_eq!(banner["a"]["value"], "Welcome");
    assert_eq!(banner["b"]["value"], "Maintenance tonight");
    assert_eq!(banner["a"]["manager"], "kubectl-client-side-apply");
    assert_eq!(banner["b"]["manager"], "kubectl-patch");
    for side in ["a", "b"] {
        let time = banner[side]["time"].as_str().unwrap();
        assert!(chrono::DateTime::parse_from_rfc3339(time).is_ok(), "{time}");
    }
    let web = object(&report, "Deployment", "web");
    let replicas = &web["fields"][0];
    assert_eq!(replicas["path"], "spec.replicas");
    assert_eq!(
        (
            replicas["a"]["value"].clone(),
            replicas["b"]["value"].clone()
        ),
        (2.into(), 5.into())
    );
    assert_eq!(replicas["b"]["manager"], "kubectl");
    assert_eq!(replicas["b"]["subresource"], "scale");
    assert_eq!(web["fields"].as_array().unwrap().len(), 1, "{web:#}");

    // Side A is on the left, and each side names its writer.
    let (code, out, _) = run_drift(
        &[
            &TWO[..],
            &[
                "compare",
                "cm/web-config",
                "-n",
                &ns,
                "--color",
                "never",
                "--width",
                "120",
            ],
        ]
        .concat(),
    );
    assert_eq!(code, 1);
    assert!(
        out.contains("ConfigMap") && out.contains("Different (1 field)"),
        "{out}"
    );
    let staging = out
        .lines()
        .find(|l| l.trim_start().starts_with("staging "))
        .unwrap();
    assert!(
        staging.contains("Welcome") && staging.contains("kubectl-client-side-apply"),
        "{out}"
    );
    let production = out
        .lines()
        .find(|l| l.trim_start().starts_with("production "))
        .unwrap();
    assert!(
        production.contains("Maintenance tonight") && production.contains("kubectl-patch"),
        "{out}"
    );
    let title = out
        .lines()
        .find(|l| l.contains('│') && l.contains("staging"))
        .unwrap();
    assert!(
        title.find("staging").unwrap() < title.find("production").unwrap(),
        "{out}"
    );
    let (code, out, _) =
        run_drift(&[&TWO[..], &["compare", "cm", "-n", &ns, "-o", "unified"]].concat());
    assert_eq!(code, 1);
    assert!(
        out.contains("-  banner: Welcome") && out.contains("+  banner: Maintenance tonight"),
        "{out}"
    );
}

#[test]
fn objects_on_one_side_only_are_listed_as_such() {
    let ns = namespace("cmp-one", &["staging", "production"]);
    apply("staging", &ns, APP);
    apply("production", &ns, APP);
    kubectl_ok(
        "staging",
        &[
            "-n",
            &ns,
            "create",
            "configmap",
            "debug-flags",
            "--from-literal=trace=on",
        ],
    );
    kubectl_ok(
        "production",
        &[
            "-n",
            &ns,
            "create",
            "configmap",
            "hotfix",
            "--from-literal=a=b",
        ],
    );
    let (code, report) = compare_json(None, &[&TWO[..], &["cm", "-n", &ns]].concat());
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(
        object(&report, "ConfigMap", "debug-flags")["status"],
        "OnlyInA"
    );
    assert_eq!(object(&report, "ConfigMap", "hotfix")["status"], "OnlyInB");
    assert_eq!(object(&report, "ConfigMap", "web-config")["status"], "Same");
    let (_, out, _) =
        run_drift(&[&TWO[..], &["compare", "cm", "-n", &ns, "--color", "never"]].concat());
    assert!(
        out.contains("Only in staging") && out.contains("Only in production"),
        "{out}"
    );
    assert!(
        out.contains("1 only in staging, 1 only in production"),
        "{out}"
    );
    // Named, only that object is compared.
    let (code, _, _) = run_drift(&[&TWO[..], &["compare", "cm/web-config", "-n", &ns]].concat());
    assert_eq!(code, 0);
}

#[test]
fn secrets_say_which_keys_differ_and_never_their_values() {
    let ns = namespace("cmp-secret", &["staging", "production"]);
    let secret = |password: &str| {
        format!(
            "apiVersion: v1\nkind: Secret\nmetadata: {{name: creds}}\nstringData: {{user: shop-user-x, password: {password}}}\n"
        )
    };
    apply("staging", &ns, &secret("hunter2-staging-pw"));
    apply("production", &ns, &secret("s3cret-production-pw"));
    let (code, report) = compare_json(None, &[&TWO[..], &["secret/creds", "-n", &ns]].concat());
    assert_eq!(code, 1, "{report:#}");
    let creds = object(&report, "Secret", "creds");
    let paths: Vec<&str> = creds["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["data.password"], "{creds:#}");
    let values = ["hunter2-staging-pw", "s3cret-production-pw", "shop-user-x"];
    let mut secrets: Vec<String> = values.iter().map(|v| v.to_string()).collect();
    secrets.extend(values.iter().map(|v| base64(v)));
    for format in ["side-by-side", "unified", "json", "summary"] {
        let (code, out, err) = run_drift(
            &[
                &TWO[..],
                &[
                    "compare", "secret", "-n", &ns, "-o", format, "--color", "always",
                ],
            ]
            .concat(),
        );
        assert_eq!(code, 1, "{format}: {out}{err}");
        for secret in &secrets {
            assert!(
                !out.contains(secret.as_str()) && !err.contains(secret.as_str()),
                "{format} shows {secret}: {out}{err}"
            );
        }
        if format != "summary" {
            assert!(out.contains("data.password"), "{format}: {out}");
        }
    }
}

/// `text` in base64, as the API server stores Secret data.
fn base64(text: &str) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new("base64")
        .arg("-w0")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    String::from_utf8(child.wait_with_output().unwrap().stdout).unwrap()
}

#[test]
fn two_namespaces_of_one_cluster() {
    let a = namespace("cmp-ns-a", &["staging"]);
    let b = namespace("cmp-ns-b", &["staging"]);
    apply("staging", &a, APP);
    apply("staging", &b, APP);
    let args = |extra: &[&str]| -> Vec<String> {
        [
            "--context",
            "staging",
            "--namespace-a",
            &a,
            "--namespace-b",
            &b,
        ]
        .iter()
        .chain(extra)
        .map(|s| s.to_string())
        .collect()
    };
    let argv = args(&["deploy,svc,cm"]);
    let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
    let (code, report) = compare_json(None, &argv);
    assert_eq!(code, 0, "{report:#}");
    let web = object(&report, "Deployment", "web");
    assert_eq!(web["status"], "Same");
    assert_eq!(web["namespaces"], serde_json::json!([a, b]));
    kubectl_ok(
        "staging",
        &[
            "-n",
            &b,
            "set",
            "image",
            "deployment/web",
            "web=registry.example.com/shop/web:1.5.0-rc1",
        ],
    );
    let (code, report) = compare_json(None, &argv);
    assert_eq!(code, 1, "{report:#}");
    let field = &object(&report, "Deployment", "web")["fields"][0];
    assert_eq!(
        field["path"],
        "spec.template.spec.containers[name=web].image"
    );
    assert_eq!(field["a"]["value"], "registry.example.com/shop/web:1.4.0");
    assert_eq!(
        field["b"]["value"],
        "registry.example.com/shop/web:1.5.0-rc1"
    );
    assert_eq!(field["b"]["manager"], "kubectl-set");
    assert_eq!(report["sides"][0]["label"], format!("staging/{a}"));
    // `--namespace-b` completes from the cluster, as `-n` does.
    let (_, out, _) = run_drift(&[
        "__complete",
        "compare",
        "--context",
        "staging",
        "--namespace-b",
        &b[..8],
    ]);
    assert!(out.lines().any(|l| l == b), "{out}");
    // Two sides are needed.
    let (code, _, err) = run_drift(&["compare", "--context", "staging", "deploy", "-n", &a]);
    assert_eq!(code, 2);
    assert!(err.contains("two sides"), "{err}");
}

#[test]
fn git_declared_differences_per_environment_are_expected() {
    let ns = namespace("cmp-git", &["staging", "production"]);
    let manifests = |replicas: u32| {
        format!(
            r#"apiVersion: apps/v1
kind: Deployment
metadata: {{name: web, namespace: {ns}}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers: [{{name: web, image: "registry.example.com/shop/web:1.4.0"}}]
---
apiVersion: v1
kind: ConfigMap
metadata: {{name: web-config, namespace: {ns}}}
data: {{banner: Welcome}}
"#
        )
    };
    let (staging, production) = (manifests(2), manifests(3));
    let config = "targets:\n  - context: staging\n    paths: [k8s/staging]\n  - context: production\n    paths: [k8s/production]\n";
    let repo = git_repo(&[
        ("k8s/staging/web.yaml", &staging),
        ("k8s/production/web.yaml", &production),
        (".kubectl-drift.yaml", config),
    ]);
    apply("staging", &ns, &staging);
    apply("production", &ns, &production);
    // Something live that Git does not declare is not compared with --path.
    kubectl_ok(
        "staging",
        &[
            "-n",
            &ns,
            "create",
            "configmap",
            "scratch",
            "--from-literal=a=b",
        ],
    );
    let args = [&TWO[..], &["--path", "k8s"]].concat();
    let (code, report) = compare_json(Some(repo.path()), &args);
    assert_eq!(code, 0, "{report:#}");
    let web = object(&report, "Deployment", "web");
    assert_eq!(web["status"], "Declared", "{web:#}");
    let replicas = &web["fields"][0];
    assert_eq!(replicas["path"], "spec.replicas");
    assert_eq!(replicas["declared"], true);
    assert_eq!(
        (
            replicas["a"]["value"].clone(),
            replicas["b"]["value"].clone()
        ),
        (2.into(), 3.into())
    );
    assert_eq!(object(&report, "ConfigMap", "web-config")["status"], "Same");
    assert!(
        report["objects"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["name"] != "scratch"),
        "{report:#}"
    );
    assert!(
        report["commit"].as_str().is_some_and(|c| c.len() == 40),
        "{report:#}"
    );
    let out = drift()
        .current_dir(repo.path())
        .arg("compare")
        .args(&args)
        .args(["--color", "never"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let out = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.contains("Declared (1 field)") && out.contains("declared in Git"),
        "{out}"
    );

    // A hand edit is a difference Git does not declare.
    kubectl_ok(
        "production",
        &[
            "-n",
            &ns,
            "patch",
            "configmap",
            "web-config",
            "-p",
            r#"{"data":{"banner":"Maintenance"}}"#,
        ],
    );
    let (code, report) = compare_json(Some(repo.path()), &args);
    assert_eq!(code, 1, "{report:#}");
    let cm = object(&report, "ConfigMap", "web-config");
    assert_eq!(cm["status"], "Different");
    assert_eq!(cm["fields"][0]["declared"], false);
    assert_eq!(cm["fields"][0]["b"]["manager"], "kubectl-patch");
    assert_eq!(object(&report, "Deployment", "web")["status"], "Declared");

    // An ignore rule of the config hides it again.
    let ignoring = format!("{config}ignore:\n  - kind: ConfigMap\n    paths: [/data/banner]\n    reason: banners differ by design\n");
    write_files(repo.path(), &[(".kubectl-drift.yaml", &ignoring)]);
    commit(repo.path(), "ignore banners");
    let (code, report) = compare_json(Some(repo.path()), &args);
    assert_eq!(code, 0, "{report:#}");
    let cm = object(&report, "ConfigMap", "web-config");
    assert_eq!(cm["ignored_fields"][0]["path"], "data.banner", "{cm:#}");

    // A hand edit of a field Git declares per environment is no longer what Git declares.
    kubectl_ok(
        "production",
        &["-n", &ns, "scale", "deployment", "web", "--replicas=5"],
    );
    let (code, report) = compare_json(Some(repo.path()), &args);
    assert_eq!(code, 1, "{report:#}");
    let web = object(&report, "Deployment", "web");
    assert_eq!(web["status"], "Different", "{web:#}");
    assert_eq!(web["fields"][0]["declared"], false);
    assert_eq!(web["fields"][0]["b"]["value"], 5);
    assert_eq!(web["fields"][0]["b"]["subresource"], "scale");

    // A rule that can never match (a position in a keyed list) is an error, as in check.
    let unmatchable = format!("{config}ignore:\n  - kind: Deployment\n    paths: [/spec/template/spec/containers/0/image]\n    reason: by position\n");
    write_files(repo.path(), &[(".kubectl-drift.yaml", &unmatchable)]);
    commit(repo.path(), "a rule by position");
    let out = drift()
        .current_dir(repo.path())
        .arg("compare")
        .args(&args)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(".kubectl-drift.yaml:") && err.contains("containers/0/image"),
        "{err}"
    );
}

/// The README's examples are real runs: the same objects in both clusters, the same hand
/// changes, the README's commands run again (namespaces as long as the README's, put back
/// in the output); commits and seconds are masked.
#[test]
fn the_readme_examples_are_real_runs() {
    use crate::readme::{masked_times, readme_example};
    let shows = |command: &str, stdout: &[u8], namespace: &str, shown: &str| {
        let output = String::from_utf8_lossy(stdout).replace(namespace, shown);
        assert!(
            masked_times(&output) == masked_times(&readme_example(command)),
            "the README's example no longer shows what compare prints; paste this after \
             `$ {command}` in README.md:\n{output}"
        );
    };
    let ns = "shxc";
    for context in ["staging", "production"] {
        kubectl_ok(context, &["create", "namespace", ns]);
        apply(context, ns, APP);
        apply(
            context,
            ns,
            "apiVersion: v1\nkind: Secret\nmetadata: {name: web-creds}\nstringData: {password: hunter2, user: shop}\n",
        );
    }
    kubectl_ok(
        "production",
        &["-n", ns, "scale", "deploy/web", "--replicas=5"],
    );
    kubectl_ok(
        "production",
        &[
            "-n",
            ns,
            "patch",
            "secret",
            "web-creds",
            "-p",
            r#"{"stringData":{"password":"s3cret-prod"}}"#,
        ],
    );
    kubectl_ok(
        "staging",
        &[
            "-n",
            ns,
            "create",
            "configmap",
            "debug-flags",
            "--from-literal=trace=on",
        ],
    );
    let command =
        "kubectl drift compare --context staging --context production deploy,svc,cm,secret -n shop";
    let out = drift()
        .args([
            "compare",
            "--context",
            "staging",
            "--context",
            "production",
            "deploy,svc,cm,secret",
            "-n",
            ns,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    shows(command, &out.stdout, ns, "shop");

    let ns = "stxre";
    let manifests = |replicas: u32| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web, namespace: {ns}}}\nspec:\n  replicas: {replicas}\n  selector: {{matchLabels: {{app: web}}}}\n  template:\n    metadata: {{labels: {{app: web}}}}\n    spec:\n      containers: [{{name: web, image: \"registry.example.com/shop/web:1.4.0\"}}]\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: web-config, namespace: {ns}}}\ndata: {{banner: Welcome}}\n"
        )
    };
    let config = readme_example("cat .kubectl-drift.yaml");
    let config = &config[..config.find("$ ").unwrap()];
    let (staging, production) = (manifests(2), manifests(3));
    let repo = git_repo(&[
        ("k8s/staging/web.yaml", &staging),
        ("k8s/production/web.yaml", &production),
        (".kubectl-drift.yaml", config),
    ]);
    for (context, yaml) in [("staging", &staging), ("production", &production)] {
        kubectl_ok(context, &["create", "namespace", ns]);
        apply(context, ns, yaml);
    }
    kubectl_ok(
        "production",
        &[
            "-n",
            ns,
            "patch",
            "configmap",
            "web-config",
            "-p",
            r#"{"data":{"banner":"Maintenance"}}"#,
        ],
    );
    let command =
        "kubectl drift compare --context staging --context production --path k8s -o summary";
    let out = drift()
        .current_dir(repo.path())
        .args([
            "compare",
            "--context",
            "staging",
            "--context",
            "production",
            "--path",
            "k8s",
            "-o",
            "summary",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    shows(command, &out.stdout, ns, "store");
}

#[test]
fn what_a_side_cannot_list_is_an_error_not_an_absence() {
    let ns = namespace("cmp-forbidden", &["staging", "production"]);
    let secret = "apiVersion: v1\nkind: Secret\nmetadata: {name: creds}\nstringData: {password: forbidden-pw-x}\n";
    apply("staging", &ns, secret);
    apply("production", &ns, secret);
    // production-viewer holds the view ClusterRole, which reads no Secrets.
    let (code, report) = compare_json(
        None,
        &[
            "--context",
            "staging",
            "--context",
            "production-viewer",
            "secret,cm",
            "-n",
            &ns,
        ],
    );
    assert_eq!(code, 2, "{report:#}");
    let creds = object(&report, "Secret", "creds");
    assert_eq!(creds["status"], "Error", "{creds:#}");
    let message = creds["message"].as_str().unwrap();
    assert!(
        message.starts_with("production-viewer: cannot list secrets"),
        "{message}"
    );
    assert!(!report.to_string().contains("forbidden-pw-x"));
    let (code, _, err) = run_drift(&[
        "compare",
        "--context",
        "staging",
        "--context",
        "nowhere",
        "cm",
        "-n",
        &ns,
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("\"nowhere\" is not in the kubeconfig"),
        "{err}"
    );
}

/// Seeded, generated hand changes to one side, both sides alike, or an object deleted on
/// one side: `compare` reports exactly the objects changed on one side, each with the
/// changed field, and nothing else (`COMPARE_SEED` picks another sequence).
#[test]
fn generated_hand_changes_are_found_exactly() {
    let seed: u64 = std::env::var("COMPARE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20261202);
    let mut rng = Rng(seed);
    let ns = namespace("cmp-gen", &["staging", "production"]);
    const OBJECTS: usize = 8;
    let mut yaml = String::new();
    for i in 0..OBJECTS {
        yaml.push_str(&format!(
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cm-{i}}}\ndata: {{k: v1, other: same}}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: app-{i}}}\nspec:\n  replicas: 2\n  selector: {{matchLabels: {{app: app-{i}}}}}\n  template:\n    metadata: {{labels: {{app: app-{i}}}}}\n    spec:\n      containers: [{{name: web, image: \"registry.example.com/app:1\"}}]\n"
        ));
    }
    apply("staging", &ns, &yaml);
    apply("production", &ns, &yaml);
    // (kind, name) → the status expected and the field path expected among the fields.
    let mut expected: Vec<(String, String, &str, Option<String>)> = Vec::new();
    for i in 0..OBJECTS {
        for kind in ["ConfigMap", "Deployment"] {
            let name = if kind == "ConfigMap" {
                format!("cm-{i}")
            } else {
                format!("app-{i}")
            };
            let resource = if kind == "ConfigMap" {
                format!("configmap/{name}")
            } else {
                format!("deployment/{name}")
            };
            let changes: &[(&[&str], &str)] = if kind == "ConfigMap" {
                &[
                    (&["patch", "-p", r#"{"data":{"k":"v2"}}"#], "data.k"),
                    (&["label", "team=ops"], "metadata.labels.team"),
                    (&["annotate", "note=hotfix"], "metadata.annotations.note"),
                ]
            } else {
                &[
                    (&["scale", "--replicas=4"], "spec.replicas"),
                    (
                        &["set", "image", "web=registry.example.com/app:2"],
                        "spec.template.spec.containers[name=web].image",
                    ),
                    (
                        &["set", "env", "FOO=bar"],
                        "spec.template.spec.containers[name=web].env[name=FOO]",
                    ),
                ]
            };
            let sides: &[&str] = match rng.below(5) {
                0 | 1 => &[],
                2 => &["staging"],
                3 => &["production"],
                _ => &["staging", "production"],
            };
            let (args, path) = *rng.pick(changes);
            let delete = sides.len() == 1 && rng.chance(25);
            for side in sides {
                let mut argv: Vec<&str> = vec!["-n", &ns];
                if delete {
                    argv.extend(["delete", &resource]);
                } else {
                    match args {
                        ["patch", rest @ ..] => {
                            argv.extend(["patch", &resource]);
                            argv.extend(rest);
                        }
                        ["set", what, rest @ ..] => {
                            argv.extend(["set", what, &resource]);
                            argv.extend(rest);
                        }
                        [verb, rest @ ..] => {
                            argv.extend([*verb, &resource]);
                            argv.extend(rest);
                        }
                        [] => unreachable!(),
                    }
                }
                kubectl_ok(side, &argv);
            }
            let want = match (sides, delete) {
                ([], _) | ([_, _], _) => ("Same", None),
                (["staging"], true) => ("OnlyInB", None),
                (["production"], true) => ("OnlyInA", None),
                (_, false) => ("Different", Some(path.to_string())),
                _ => unreachable!(),
            };
            expected.push((kind.to_string(), name, want.0, want.1));
        }
    }
    let (code, report) = compare_json(None, &[&TWO[..], &["cm,deploy", "-n", &ns]].concat());
    let differs = expected.iter().any(|e| e.2 != "Same");
    assert_eq!(code, if differs { 1 } else { 0 }, "seed {seed}: {report:#}");
    assert_eq!(
        report["objects"].as_array().unwrap().len(),
        expected.len(),
        "seed {seed}: {report:#}"
    );
    for (kind, name, status, path) in &expected {
        let found = object(&report, kind, name);
        assert_eq!(
            found["status"], *status,
            "seed {seed}: {kind}/{name}: {found:#}"
        );
        if let Some(path) = path {
            let paths: Vec<&str> = found["fields"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["path"].as_str().unwrap())
                .collect();
            // The changed field, or the map or list it was added to where the other side
            // has none at all (a first annotation, a first env var).
            assert_eq!(paths.len(), 1, "seed {seed}: {kind}/{name}: {found:#}");
            let under = |parent: &str| {
                path == parent
                    || path.starts_with(&format!("{parent}."))
                    || path.starts_with(&format!("{parent}["))
            };
            assert!(
                under(paths[0]),
                "seed {seed}: {kind}/{name}: {path} expected: {found:#}"
            );
        }
    }
}

#[test]
fn a_frozen_side_fails_within_the_request_timeout() {
    let mut env = crate::hostile_server::OwnTestenv::start();
    let manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: default}\ndata: {mode: one}\n";
    for context in ["staging", "production"] {
        env.kubectl(context, &["apply", "-f", "-"], manifest);
    }
    let args = [
        &["compare"][..],
        &TWO[..],
        &["cm", "-n", "default", "--request-timeout", "3s"],
    ]
    .concat();
    let (code, out, err, _) = env.drift(&args);
    assert_eq!(code, 0, "{out}{err}");
    env.freeze("production-apiserver");
    let (code, out, err, took) = env.drift(&args);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        took < std::time::Duration::from_secs(20),
        "took {took:?} with --request-timeout 3s"
    );
    assert!(
        err.contains("context production") && err.contains("timed out"),
        "{err}"
    );
}

#[test]
fn kustomize_overlays_per_environment_are_read_as_check_reads_them() {
    let ns = namespace("cmp-kz", &["staging", "production"]);
    let base = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 1\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: web, image: \"registry.example.com/shop/web:1.4.0\"}]\n";
    let overlay = |count: u32| {
        format!(
            "namespace: {ns}\nresources: [../../base]\nreplicas:\n- name: web\n  count: {count}\n"
        )
    };
    let config = "targets:\n  - context: staging\n    paths: [overlays/staging]\n  - context: production\n    paths: [overlays/production]\n";
    let repo = git_repo(&[
        ("base/web.yaml", base),
        ("base/kustomization.yaml", "resources: [web.yaml]\n"),
        ("overlays/staging/kustomization.yaml", &overlay(2)),
        ("overlays/production/kustomization.yaml", &overlay(4)),
        (".kubectl-drift.yaml", config),
    ]);
    for context in ["staging", "production"] {
        let dir = repo.path().join("overlays").join(context);
        kubectl_ok(context, &["apply", "-k", dir.to_str().unwrap()]);
    }
    let args = [
        &TWO[..],
        &[
            "--path",
            "overlays/staging",
            "--path",
            "overlays/production",
        ],
    ]
    .concat();
    let (code, report) = compare_json(Some(repo.path()), &args);
    assert_eq!(code, 0, "{report:#}");
    let web = object(&report, "Deployment", "web");
    assert_eq!(web["status"], "Declared", "{web:#}");
    assert_eq!(web["fields"][0]["path"], "spec.replicas");
    assert_eq!(web["origin"]["file"], "base/web.yaml", "{web:#}");
    // Paths that hold no manifest compare nothing: an error, not a pass.
    let (code, _, err) = {
        let out = drift()
            .current_dir(repo.path())
            .args([&["compare"][..], &TWO[..], &["--path", "overlays"]].concat())
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("nothing to compare"), "{err}");
}

#[test]
fn a_chart_with_values_per_environment_differs_only_where_its_values_say() {
    use crate::helm::{chart_repo, helm, helm_binary, PRODUCTION_VALUES};
    let ns = namespace("cmp-helm", &["staging", "production"]);
    let config = format!(
        "targets:\n  - context: staging\n    paths: [charts/shop]\n    namespace: {ns}\n  - context: production\n    paths: [charts/shop]\n    namespace: {ns}\n    helm:\n      values: [{PRODUCTION_VALUES}]\n"
    );
    let repo = chart_repo(&[(".kubectl-drift.yaml", &config)]);
    let chart = repo.path().join("charts/shop");
    let chart = chart.to_str().unwrap();
    helm(
        "staging",
        &["install", "shop", chart, "-n", &ns, "--no-hooks"],
    );
    let values = repo.path().join(PRODUCTION_VALUES);
    helm(
        "production",
        &[
            "install",
            "shop",
            chart,
            "-n",
            &ns,
            "-f",
            values.to_str().unwrap(),
            "--no-hooks",
        ],
    );
    let binary = helm_binary();
    let args = [&TWO[..], &["--path", "charts/shop", &binary[0], &binary[1]]].concat();
    let (code, report) = compare_json(Some(repo.path()), &args);
    assert_eq!(code, 0, "{report:#}");
    let web = object(&report, "Deployment", "shop");
    assert_eq!(web["status"], "Declared", "{web:#}");
    let replicas = web["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "spec.replicas")
        .unwrap_or_else(|| panic!("{web:#}"));
    assert_eq!(
        (
            replicas["a"]["value"].clone(),
            replicas["b"]["value"].clone()
        ),
        (2.into(), 3.into())
    );
    assert_eq!(replicas["declared"], true);
    assert_eq!(replicas["b"]["manager"], "helm");
    // The database password differs, as the values files say, and is never shown.
    let db = object(&report, "Secret", "shop-db");
    assert_eq!(db["status"], "Declared", "{db:#}");
    assert!(!report.to_string().contains("s3cret"), "{report:#}");
    assert_eq!(
        web["origin"]["file"], "charts/shop/templates/deployment.yaml",
        "{web:#}"
    );
    // Only production's values declare the gift-cards feature.
    let gift_cards = object(&report, "ShopFeature", "shop-gift-cards");
    assert_eq!(gift_cards["status"], "Declared", "{gift_cards:#}");
    assert!(gift_cards["message"]
        .as_str()
        .unwrap()
        .contains("production only"));

    // A hand edit on top is a difference.
    kubectl_ok(
        "production",
        &[
            "-n",
            &ns,
            "set",
            "image",
            "deployment/shop",
            "web=registry.example.com/shop/web:1.4.1-hotfix",
        ],
    );
    let (code, report) = compare_json(Some(repo.path()), &args);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(object(&report, "Deployment", "shop")["status"], "Different");
}
