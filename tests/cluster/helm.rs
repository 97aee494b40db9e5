//! Helm, for real: the chart fixture (tests/fixtures/helm/shop) installed with the helm that
//! `tests/testenv/helm` builds from the Go module proxy, then checked from Git (rendered with
//! that helm) and from its release records (no helm at all).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value;

use crate::check::{check_json, field, resource, statuses};
use crate::common::*;

/// `tests/testenv/helm`: builds helm on first use, then runs it.
fn helm_wrapper() -> PathBuf {
    root().join("tests/testenv/helm")
}

/// Runs helm against a context of the test clusters and fails the test when it fails.
pub(crate) fn helm(context: &str, args: &[&str]) -> String {
    crds_installed();
    let out = std::process::Command::new(helm_wrapper())
        .arg("--kubeconfig")
        .arg(&testenv().kubeconfig)
        .args(["--kube-context", context])
        .args(args)
        .output()
        .expect("cannot run tests/testenv/helm");
    assert!(
        out.status.success(),
        "helm {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The chart's CRD, installed once before any release: releases installed side by side
/// would otherwise race to create it.
fn crds_installed() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        let crd = root().join("tests/fixtures/helm/shop/crds/shopfeatures.yaml");
        for context in ["staging", "production"] {
            kubectl_ok(context, &["apply", "-f", crd.to_str().unwrap()]);
            kubectl_ok(
                context,
                &[
                    "wait",
                    "--for=condition=Established",
                    "crd/shopfeatures.shop.example.com",
                ],
            );
        }
    });
}

/// Every file of the fixture chart, as `charts/shop/…` in a repository.
fn chart_files() -> Vec<(String, String)> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, base, out);
            } else {
                let relative = path.strip_prefix(base).unwrap().to_string_lossy();
                out.push((
                    format!("charts/shop/{relative}"),
                    std::fs::read_to_string(&path).unwrap(),
                ));
            }
        }
    }
    let base = root().join("tests/fixtures/helm/shop");
    let mut out = Vec::new();
    walk(&base, &base, &mut out);
    out.sort();
    out
}

/// A repository holding the chart, with `extra` files beside it.
pub(crate) fn chart_repo(extra: &[(&str, &str)]) -> tempfile::TempDir {
    let files = chart_files();
    let mut all: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    all.extend_from_slice(extra);
    git_repo(&all)
}

pub(crate) const PRODUCTION_VALUES: &str = "charts/shop/values-production.yaml";

/// `helm install shop` from the repository's chart into `ns` of production, with the
/// production values and without hooks (nothing runs pods in the test clusters).
pub(crate) fn install(repo: &Path, ns: &str) {
    let chart = repo.join("charts/shop");
    let values = repo.join(PRODUCTION_VALUES);
    helm(
        "production",
        &[
            "install",
            "shop",
            chart.to_str().unwrap(),
            "-n",
            ns,
            "-f",
            values.to_str().unwrap(),
            "--no-hooks",
        ],
    );
}

/// The flags that point the check at the built helm.
pub(crate) fn helm_binary() -> [String; 2] {
    ["--helm-binary".into(), helm_wrapper().display().to_string()]
}

/// `check -o json` of the chart in production, with `args` after the common ones.
fn check_chart(repo: &Path, ns: &str, args: &[&str]) -> (i32, Value) {
    let binary = helm_binary();
    let mut all: Vec<&str> = vec!["--context", "production", "--path", "charts/shop", "-n", ns];
    all.extend(binary.iter().map(String::as_str));
    all.extend_from_slice(args);
    check_json(repo, &all)
}

fn origin_file(report: &Value, kind: &str, name: &str) -> String {
    resource(report, kind, name)["origin"]["file"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn a_chart_installed_with_its_values_is_in_sync_and_the_values_files_matter() {
    let ns = namespace("helm-sync", &["production"]);
    let repo = chart_repo(&[]);
    install(repo.path(), &ns);

    let (code, report) = check_chart(repo.path(), &ns, &["--helm-values", PRODUCTION_VALUES]);
    assert_eq!(code, 0, "{report:#}");
    let mut found = statuses(&report);
    found.sort();
    assert_eq!(
        found,
        [
            "ConfigMap/shop-config",
            "CustomResourceDefinition/shopfeatures.shop.example.com",
            "Deployment/shop",
            "Deployment/shop-cache",
            "Secret/shop-db",
            "Service/shop",
            "Service/shop-cache",
            "ShopFeature/shop-gift-cards",
            "ShopFeature/shop-new-checkout",
        ]
        .iter()
        .map(|r| (r.to_string(), "InSync".to_string()))
        .collect::<Vec<_>>(),
        "hooks (the migrate Job) and tests (the test Pod) are not desired state; CRDs and \
         the objects .Capabilities enables are"
    );
    assert_eq!(
        origin_file(&report, "Deployment", "shop"),
        "charts/shop/templates/deployment.yaml"
    );
    assert_eq!(
        origin_file(&report, "Deployment", "shop-cache"),
        "charts/shop/charts/cache/templates/deployment.yaml"
    );
    assert_eq!(
        origin_file(
            &report,
            "CustomResourceDefinition",
            "shopfeatures.shop.example.com"
        ),
        "charts/shop/crds/shopfeatures.yaml"
    );
    let commit = git(repo.path(), &["rev-parse", "HEAD"]);
    assert_eq!(
        resource(&report, "Deployment", "shop")["origin"]["commit"],
        commit.trim()
    );

    // Rendered with the chart's defaults, the production values show as drift, each field
    // under the template that writes it.
    let (code, report) = check_chart(repo.path(), &ns, &[]);
    assert_eq!(code, 1, "{report:#}");
    let deployment = resource(&report, "Deployment", "shop");
    assert_eq!(deployment["status"], "Drifted");
    let replicas = field(deployment, "spec.replicas");
    assert_eq!(
        (&replicas["git"], &replicas["live"]),
        (&Value::from(2), &Value::from(3))
    );
    assert_eq!(replicas["manager"], "helm");
    let banner = field(resource(&report, "ConfigMap", "shop-config"), "data.banner");
    assert_eq!(banner["live"], "Welcome to the shop");
    assert_eq!(resource(&report, "Service", "shop")["status"], "InSync");

    // A values file that is not in the commit is named.
    let (code, _, stderr) = run_drift(&[
        "check",
        "--context",
        "production",
        "--repo",
        repo.path().to_str().unwrap(),
        "--path",
        "charts/shop",
        "-n",
        &ns,
        "--helm-values",
        "charts/shop/values-staging.yaml",
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("--helm-values charts/shop/values-staging.yaml")
            && stderr.contains("no such file"),
        "{stderr}"
    );
}

#[test]
fn hand_edits_after_helm_are_found_with_their_template_and_who_made_them() {
    let ns = namespace("helm-edit", &["production"]);
    let repo = chart_repo(&[]);
    install(repo.path(), &ns);
    let n = ns.as_str();
    kubectl_ok(
        "production",
        &["-n", n, "scale", "deployment/shop", "--replicas=7"],
    );
    kubectl_ok(
        "production",
        &[
            "-n",
            n,
            "set",
            "env",
            "deployment/shop",
            "-c",
            "web",
            "LOG_LEVEL=debug",
        ],
    );
    kubectl_ok(
        "production",
        &[
            "-n",
            n,
            "patch",
            "configmap/shop-config",
            "-p",
            r#"{"data":{"banner":"Back soon"}}"#,
        ],
    );
    kubectl_ok(
        "production",
        &[
            "-n",
            n,
            "patch",
            "secret/shop-db",
            "-p",
            r#"{"stringData":{"password":"hunter2-live"}}"#,
        ],
    );
    kubectl_ok("production", &["-n", n, "delete", "service/shop-cache"]);
    kubectl_ok(
        "production",
        &[
            "-n",
            n,
            "patch",
            "shopfeature/shop-new-checkout",
            "--type=merge",
            "-p",
            r#"{"spec":{"rolloutPercent":90}}"#,
        ],
    );

    let (code, report) = check_chart(repo.path(), &ns, &["--helm-values", PRODUCTION_VALUES]);
    assert_eq!(code, 1, "{report:#}");
    let deployment = resource(&report, "Deployment", "shop");
    assert_eq!(field(deployment, "spec.replicas")["live"], 7);
    let log_level = field(
        deployment,
        "spec.template.spec.containers[name=web].env[name=LOG_LEVEL].value",
    );
    assert_eq!(
        (&log_level["git"], &log_level["live"]),
        (&Value::from("warn"), &Value::from("debug"))
    );
    assert_eq!(log_level["manager"], "kubectl-set");
    let banner = field(resource(&report, "ConfigMap", "shop-config"), "data.banner");
    assert_eq!(banner["manager"], "kubectl-patch");
    assert_eq!(
        origin_file(&report, "ConfigMap", "shop-config"),
        "charts/shop/templates/configmap.yaml"
    );
    let secret = resource(&report, "Secret", "shop-db");
    assert_eq!(secret["status"], "Drifted");
    assert_eq!(
        origin_file(&report, "Secret", "shop-db"),
        "charts/shop/templates/secret.yaml"
    );
    assert!(
        !report.to_string().contains("hunter2-live"),
        "a Secret's value is printed"
    );
    let missing = resource(&report, "Service", "shop-cache");
    assert_eq!(missing["status"], "Missing");
    assert_eq!(
        origin_file(&report, "Service", "shop-cache"),
        "charts/shop/charts/cache/templates/service.yaml"
    );
    let feature = resource(&report, "ShopFeature", "shop-new-checkout");
    assert_eq!(field(feature, "spec.rolloutPercent")["live"], 90);
    assert_eq!(
        origin_file(&report, "ShopFeature", "shop-new-checkout"),
        "charts/shop/templates/features.yaml"
    );
    assert_eq!(
        resource(&report, "Deployment", "shop-cache")["status"],
        "InSync"
    );

    // The side-by-side view names the template under Git's title.
    let out = drift()
        .current_dir(repo.path())
        .args([
            "check",
            "--context",
            "production",
            "--path",
            "charts/shop",
            "-n",
            n,
        ])
        .args(helm_binary())
        .args([
            "--helm-values",
            PRODUCTION_VALUES,
            "--color",
            "never",
            "configmap/shop-config",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("charts/shop/templates/configmap.yaml:1 @"),
        "{text}"
    );
}

#[test]
fn the_target_config_renders_the_chart_and_helm_objects_are_never_extra() {
    let ns = namespace("helm-cfg", &["production"]);
    let config = format!(
        "targets:\n  - name: production\n    context: production\n    paths: [charts/shop]\n    namespace: {ns}\n    namespaces: [{ns}]\n    helm:\n      release: shop\n      values: [{PRODUCTION_VALUES}]\n"
    );
    let repo = chart_repo(&[(".kubectl-drift.yaml", &config)]);
    install(repo.path(), &ns);
    let binary = helm_binary();
    let mut args: Vec<&str> = vec!["--context", "production"];
    args.extend(binary.iter().map(String::as_str));
    let (code, report) = check_json(repo.path(), &args);
    assert_eq!(
        code, 0,
        "the release record Secret and Helm's objects are not Extra: {report:#}"
    );
    assert!(statuses(&report).iter().all(|(_, s)| s == "InSync"));

    // A hand-made object in the owned namespace is Extra; Helm's are still not.
    kubectl_ok(
        "production",
        &[
            "-n",
            &ns,
            "create",
            "configmap",
            "hand-made",
            "--from-literal=a=b",
        ],
    );
    let (code, report) = check_json(repo.path(), &args);
    assert_eq!(code, 1);
    let extra: Vec<(String, String)> = statuses(&report)
        .into_iter()
        .filter(|(_, s)| s == "Extra")
        .collect();
    assert_eq!(
        extra,
        [("ConfigMap/hand-made".to_string(), "Extra".to_string())]
    );

    // fix --prune deletes the hand-made object only.
    let out = drift()
        .current_dir(repo.path())
        .args([
            "fix",
            "--context",
            "production",
            "--yes",
            "--prune",
            "--audit-log",
        ])
        .arg(repo.path().join("audit.log"))
        .args(helm_binary())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let left = kubectl_ok(
        "production",
        &["-n", &ns, "get", "secrets,configmaps", "-o", "name"],
    );
    assert!(left.contains("secret/sh.helm.release.v1.shop.v1"), "{left}");
    assert!(!left.contains("hand-made"), "{left}");
}

#[test]
fn release_records_stand_in_for_git_without_a_helm_binary() {
    let ns = namespace("helm-rel", &["production"]);
    let repo = chart_repo(&[]);
    install(repo.path(), &ns);
    // No repository, no helm on PATH.
    let elsewhere = tempfile::tempdir().unwrap();
    let check = |args: &[&str]| {
        let out = drift()
            .current_dir(elsewhere.path())
            .env("PATH", std::env::var("PATH").unwrap())
            .args(["check", "-o", "json", "--context", "production", "-n", &ns])
            .args(args)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let report: Value = serde_json::from_str(&stdout).unwrap_or(Value::Null);
        (
            out.status.code().unwrap(),
            report,
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, report, stderr) = check(&["--from-release", "shop"]);
    assert_eq!(code, 0, "{stderr} {report:#}");
    let names: Vec<String> = statuses(&report).into_iter().map(|(r, _)| r).collect();
    assert!(
        names.contains(&"Deployment/shop-cache".to_string()),
        "{names:?}"
    );
    assert!(
        !names
            .iter()
            .any(|n| n.starts_with("Job/") || n.starts_with("Pod/")),
        "{names:?}"
    );
    assert_eq!(
        origin_file(&report, "Deployment", "shop"),
        "release shop v1: shop/templates/deployment.yaml"
    );
    assert_eq!(
        resource(&report, "Deployment", "shop")["origin"]["commit"],
        Value::Null
    );

    kubectl_ok(
        "production",
        &["-n", &ns, "scale", "deployment/shop", "--replicas=1"],
    );
    let (code, report, _) = check(&["--all-releases"]);
    assert_eq!(code, 1);
    let replicas = field(resource(&report, "Deployment", "shop"), "spec.replicas");
    assert_eq!(
        (&replicas["git"], &replicas["live"]),
        (&Value::from(3), &Value::from(1))
    );

    let (code, _, stderr) = check(&["--from-release", "nosuch"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("no deployed Helm release \"nosuch\""),
        "{stderr}"
    );
}

#[test]
fn after_an_upgrade_the_old_commit_shows_what_the_upgrade_changed() {
    let ns = namespace("helm-upg", &["production"]);
    let repo = chart_repo(&[]);
    install(repo.path(), &ns);
    let old = git(repo.path(), &["rev-parse", "HEAD"]).trim().to_string();
    // Chart 1.1.0 with a new image, committed and upgraded to.
    let chart_yaml = repo.path().join("charts/shop/Chart.yaml");
    let text = std::fs::read_to_string(&chart_yaml).unwrap();
    std::fs::write(
        &chart_yaml,
        text.replace("version: 1.0.0", "version: 1.1.0"),
    )
    .unwrap();
    let values = repo.path().join(PRODUCTION_VALUES);
    let text = std::fs::read_to_string(&values).unwrap();
    std::fs::write(&values, text.replace("tag: \"1.4.0\"", "tag: \"1.5.0\"")).unwrap();
    commit(repo.path(), "shop 1.1.0");
    let chart = repo.path().join("charts/shop");
    helm(
        "production",
        &[
            "upgrade",
            "shop",
            chart.to_str().unwrap(),
            "-n",
            &ns,
            "-f",
            values.to_str().unwrap(),
            "--no-hooks",
        ],
    );

    let (code, report) = check_chart(repo.path(), &ns, &["--helm-values", PRODUCTION_VALUES]);
    assert_eq!(code, 0, "{report:#}");
    let (code, report) = check_chart(
        repo.path(),
        &ns,
        &["--helm-values", PRODUCTION_VALUES, "--ref", &old],
    );
    assert_eq!(code, 1, "{report:#}");
    let image = field(
        resource(&report, "Deployment", "shop"),
        "spec.template.spec.containers[name=web].image",
    );
    assert_eq!(image["git"], "registry.example.com/shop/web:1.4.0");
    assert_eq!(image["live"], "registry.example.com/shop/web:1.5.0");
    assert_eq!(image["manager"], "helm");
    let label = field(
        resource(&report, "Deployment", "shop"),
        "metadata.labels[\"helm.sh/chart\"]",
    );
    assert_eq!(
        (&label["git"], &label["live"]),
        (&Value::from("shop-1.0.0"), &Value::from("shop-1.1.0"))
    );

    // The release record now holds revision 2.
    let elsewhere = tempfile::tempdir().unwrap();
    let out = drift()
        .current_dir(elsewhere.path())
        .args([
            "check",
            "-o",
            "json",
            "--context",
            "production",
            "-n",
            &ns,
            "--from-release",
            "shop",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        origin_file(&report, "Deployment", "shop"),
        "release shop v2: shop/templates/deployment.yaml"
    );
}

#[test]
fn without_helm_or_with_unvendored_dependencies_the_error_says_what_to_do() {
    let ns = namespace("helm-err", &["production"]);
    let repo = chart_repo(&[]);
    let run = |repo: &Path, binary: &str| {
        let out = drift()
            .current_dir(repo)
            .args([
                "check",
                "--context",
                "production",
                "--path",
                "charts/shop",
                "-n",
                &ns,
            ])
            .args(["--helm-binary", binary])
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, stderr) = run(repo.path(), "/nonexistent/helm");
    assert_eq!(code, 2);
    assert!(
        stderr.contains("charts/shop/Chart.yaml")
            && stderr.contains("not found")
            && stderr.contains("--helm-binary"),
        "{stderr}"
    );

    // Values files stay inside the commit.
    let out = drift()
        .current_dir(repo.path())
        .args([
            "check",
            "--context",
            "production",
            "--path",
            "charts/shop",
            "-n",
            &ns,
        ])
        .args(["--helm-values", "../../etc/passwd"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("--helm-values ../../etc/passwd")
            && stderr.contains("not inside the repository"),
        "{stderr}"
    );

    // A symlink in a chart is named, never followed.
    let hostile = chart_repo(&[]);
    std::os::unix::fs::symlink(
        "/etc/passwd",
        hostile.path().join("charts/shop/templates/passwd.yaml"),
    )
    .unwrap();
    commit(hostile.path(), "a symlink");
    let (code, stderr) = run(hostile.path(), &helm_wrapper().display().to_string());
    assert_eq!(code, 2);
    assert!(
        stderr.contains("charts/shop/templates/passwd.yaml") && stderr.contains("symlink"),
        "{stderr}"
    );
    assert!(!stderr.contains("root:"), "{stderr}");

    // The vendored subchart removed: a clear refusal, and helm is not even asked.
    git(repo.path(), &["rm", "-r", "-q", "charts/shop/charts"]);
    commit(repo.path(), "unvendor");
    let (code, stderr) = run(repo.path(), "/nonexistent/helm");
    assert_eq!(code, 2);
    assert!(
        stderr.contains("dependency \"cache\"")
            && stderr.contains("helm dependency build")
            && stderr.contains("--allow-remote-bases"),
        "{stderr}"
    );
}

#[test]
fn watch_renders_a_chart_again_only_when_the_commit_changes() {
    use crate::watch::{free_port, get, sample, wait_for};
    use std::time::Duration;
    let ns = namespace("helm-watch", &["production"]);
    let repo = chart_repo(&[]);
    install(repo.path(), &ns);
    let port = free_port();
    let binary = helm_binary();
    let mut args: Vec<&str> = vec!["--path", "charts/shop", "-n", &ns];
    args.extend(binary.iter().map(String::as_str));
    args.extend(["--helm-values", PRODUCTION_VALUES]);
    let _watch = crate::watch::spawn_watch_with(
        repo.path(),
        &testenv().kubeconfig,
        "production",
        port,
        &args,
    );
    let metrics = || {
        get(port, "/metrics")
            .map(|(_, body)| body)
            .unwrap_or_default()
    };
    let value = |series: &str| sample(&metrics(), series);
    let deployment = |status: &str| {
        format!(
            "kubectl_drift_resources{{context=\"production\",namespace=\"{ns}\",kind=\"Deployment\",status=\"{status}\"}}"
        )
    };
    wait_for("three rounds", Duration::from_secs(60), || {
        value("kubectl_drift_rounds_total").unwrap_or(0.0) >= 3.0
    });
    let text = metrics();
    assert_eq!(sample(&text, &deployment("InSync")), Some(2.0), "{text}");
    assert_eq!(
        sample(&text, "kubectl_drift_helm_renders_total"),
        Some(1.0),
        "{text}"
    );

    // A new commit changes the production values: rendered once more, and the drift seen.
    let values = repo.path().join(PRODUCTION_VALUES);
    let text = std::fs::read_to_string(&values).unwrap();
    std::fs::write(&values, text.replace("replicaCount: 3", "replicaCount: 4")).unwrap();
    commit(repo.path(), "production runs 4");
    wait_for("the new commit's drift", Duration::from_secs(60), || {
        value(&deployment("Drifted")) == Some(1.0)
    });
    let rounds = value("kubectl_drift_rounds_total").unwrap();
    wait_for("two more rounds", Duration::from_secs(60), || {
        value("kubectl_drift_rounds_total").unwrap_or(0.0) >= rounds + 2.0
    });
    assert_eq!(value("kubectl_drift_helm_renders_total"), Some(2.0));
}

#[test]
fn watch_once_checks_release_records() {
    let ns = namespace("helm-wonce", &["production"]);
    let repo = chart_repo(&[]);
    install(repo.path(), &ns);
    kubectl_ok(
        "production",
        &["-n", &ns, "scale", "deployment/shop-cache", "--replicas=5"],
    );
    let elsewhere = tempfile::tempdir().unwrap();
    let file = elsewhere.path().join("drift.prom");
    let out = drift()
        .current_dir(elsewhere.path())
        .args([
            "watch",
            "--once",
            "--context",
            "production",
            "-n",
            &ns,
            "--from-release",
            "shop",
            "--metrics-file",
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let metrics = std::fs::read_to_string(&file).unwrap();
    let drifted = format!(
        "kubectl_drift_resources{{context=\"production\",namespace=\"{ns}\",kind=\"Deployment\",status=\"Drifted\"}}"
    );
    assert_eq!(
        crate::watch::sample(&metrics, &drifted),
        Some(1.0),
        "{metrics}"
    );
}

/// A `helm.sh/release.v1` Secret as Helm writes it (base64 of gzip of the JSON record, in
/// `data.release`), for a release `name` revision `revision` in `ns` holding `manifest`.
fn release_record(ns: &str, name: &str, revision: u64, manifest: &str) -> String {
    use base64::Engine;
    use std::io::Write;
    let record = serde_json::json!({
        "name": name, "namespace": ns, "version": revision,
        "info": {"status": "deployed"},
        "chart": {"metadata": {"name": name, "version": "0.1.0"}},
        "manifest": manifest,
    });
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(record.to_string().as_bytes()).unwrap();
    let engine = base64::engine::general_purpose::STANDARD;
    let inner = engine.encode(gz.finish().unwrap());
    format!(
        "apiVersion: v1\nkind: Secret\ntype: helm.sh/release.v1\nmetadata:\n  name: sh.helm.release.v1.{name}.v{revision}\n  labels:\n    owner: helm\n    name: {name}\n    version: \"{revision}\"\n    status: deployed\ndata:\n  release: {}\n",
        engine.encode(inner)
    )
}

#[test]
fn a_release_record_planted_by_a_secret_writer_reaches_nothing_outside_its_namespace() {
    let ns = namespace("helm-plant", &["production"]);
    let other = namespace("helm-plant-other", &["production"]);
    // A service account that may only create and read Secrets in `ns`.
    apply(
        "production",
        &ns,
        &format!(
            "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: planter\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: secret-writer\nrules:\n- apiGroups: [\"\"]\n  resources: [secrets]\n  verbs: [create, get, list]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: secret-writer\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: secret-writer\nsubjects:\n- kind: ServiceAccount\n  name: planter\n  namespace: {ns}\n"
        ),
    );
    let planter = format!("system:serviceaccount:{ns}:planter");
    let binding = format!("{ns}-planted-admin");
    let plant = |yaml: &str| {
        let out = kubectl_stdin(
            "production",
            &["--as", &planter, "create", "-n", &ns, "-f", "-"],
            Some(yaml),
        );
        assert!(out.status.success(), "{out:?}");
    };
    let escalation = format!(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: {binding}\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: cluster-admin\nsubjects:\n- kind: ServiceAccount\n  name: planter\n  namespace: {ns}\n"
    );
    // The account itself may not bind cluster-admin: only the record could.
    let direct = kubectl_stdin(
        "production",
        &["--as", &planter, "create", "-f", "-"],
        Some(&escalation),
    );
    assert!(!direct.status.success(), "{direct:?}");
    let manifest = format!(
        "---\n# Source: evil/templates/admin.yaml\n{escalation}---\n# Source: evil/templates/elsewhere.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: elsewhere\n  namespace: {other}\ndata:\n  a: b\n---\n# Source: evil/templates/own.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: own\ndata:\n  a: b\n"
    );
    plant(&release_record(&ns, "evil", 1, &manifest));
    // A record whose name and labels disagree: an error of its own.
    plant(&release_record(&ns, "broken", 2, "").replace("version: \"2\"", "version: \"1\""));

    let elsewhere = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = drift()
            .current_dir(elsewhere.path())
            .args(&args[..1])
            .args(["--context", "production", "-n", &ns])
            .args(&args[1..])
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let check = |args: &[&str]| {
        let mut all = vec!["check", "-o", "json"];
        all.extend_from_slice(args);
        let (code, stdout, stderr) = run(&all);
        let report: Value = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {stdout} {stderr}"));
        (code, report)
    };
    let (code, report) = check(&["--from-release", "evil"]);
    assert_eq!(code, 2, "{report:#}");
    let statuses = statuses(&report);
    for refused in [
        format!("ClusterRoleBinding/{binding}"),
        "ConfigMap/elsewhere".into(),
    ] {
        assert!(
            statuses.contains(&(refused.clone(), "Error".into())),
            "{refused}: {statuses:?}"
        );
    }
    assert!(
        statuses.contains(&("ConfigMap/own".into(), "Missing".into())),
        "{statuses:?}"
    );
    let message = resource(&report, "ClusterRoleBinding", &binding)["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.contains(&format!("release {ns}/evil v1"))
            && message.contains(&binding)
            && message.contains("cluster-scoped")
            && message.contains(&format!("--trust-release {ns}/evil")),
        "{message}"
    );
    assert!(
        resource(&report, "ConfigMap", "elsewhere")["message"]
            .as_str()
            .unwrap()
            .contains(&format!("in namespace {other}")),
        "{report:#}"
    );

    // Every release: the broken record is an error of its own, the rest is still checked.
    let (code, report) = check(&["--all-releases"]);
    assert_eq!(code, 2, "{report:#}");
    let statuses = crate::check::statuses(&report);
    assert!(
        statuses.contains(&("Secret/sh.helm.release.v1.broken.v2".into(), "Error".into()))
            && statuses.contains(&("ConfigMap/own".into(), "Missing".into())),
        "{statuses:?}"
    );
    assert!(report["contexts"][0]["error"].is_null(), "{report:#}");

    let (code, stdout, stderr) = run(&["fix", "--from-release", "evil", "--yes"]);
    assert_eq!(code, 2, "{stdout}\n{stderr}");
    assert!(
        !kubectl("production", &["get", "clusterrolebinding", &binding])
            .status
            .success(),
        "the planted ClusterRoleBinding was created"
    );
    assert!(!kubectl(
        "production",
        &["get", "-n", &other, "configmap", "elsewhere"]
    )
    .status
    .success());
    // What the release may declare, in its own namespace, was put back.
    kubectl_ok("production", &["get", "-n", &ns, "configmap", "own"]);

    // Named as trusted, the release's objects are checked like any other (the one in
    // another namespace is outside -n, as a manifest from Git would be).
    let trust = format!("{ns}/evil");
    let (code, report) = check(&["--from-release", "evil", "--trust-release", &trust]);
    assert_eq!(code, 1, "{report:#}");
    let statuses = crate::check::statuses(&report);
    assert_eq!(
        statuses,
        vec![
            (format!("ClusterRoleBinding/{binding}"), "Missing".into()),
            ("ConfigMap/own".into(), "InSync".into())
        ]
    );
    let (code, _, stderr) = run(&["check", "--from-release", "evil", "--trust-release", "evil"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--trust-release"), "{stderr}");
}
