//! Real setups end to end: a config file with targets in both clusters, ignore rules and
//! the ignore annotation, extra objects found by tracking label and owned namespace (and
//! pruned by `fix`), and a repository given as a URL, fetched into a cache.

use serde_json::Value;

use crate::check::{check_json, resource, statuses};
use crate::common::*;

fn config_map(name: &str, labels: &str, data: &str) -> String {
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  labels: {{{labels}}}\ndata: {{{data}}}\n"
    )
}

fn summary<'a>(report: &'a Value, context: &str) -> &'a Value {
    report["summary"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["context"] == context)
        .unwrap_or_else(|| panic!("no summary for {context}: {report:#}"))
}

#[test]
fn a_config_file_checks_every_target_and_flags_narrow_it() {
    let ns = namespace("cfg", &["staging", "production"]);
    let staging = config_map("settings", "app: shop", "mode: staging");
    let production = config_map("settings", "app: shop", "mode: production");
    let config = format!(
        "# both clusters\ntargets:\n  - name: stage\n    context: staging\n    paths: [k8s/staging]\n    namespace: {ns}\n  - name: prod\n    contexts: [production]\n    paths: [k8s/production]\n    namespace: {ns}\n    fieldManager: pipeline\n"
    );
    let repo = git_repo(&[
        (".kubectl-drift.yaml", &config),
        ("k8s/staging/settings.yaml", &staging),
        ("k8s/production/settings.yaml", &production),
    ]);
    apply("staging", &ns, &staging);
    apply("production", &ns, &production);
    kubectl_ok(
        "production",
        &[
            "-n",
            &ns,
            "patch",
            "configmap",
            "settings",
            "-p",
            r#"{"data":{"mode":"hotfix"}}"#,
        ],
    );

    // No flags: every target, each with its own paths, namespace and field manager.
    let (code, report) = check_json(repo.path(), &[]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(summary(&report, "staging")["target"], "stage");
    assert_eq!(summary(&report, "staging")["in_sync"], 1);
    assert_eq!(summary(&report, "production")["target"], "prod");
    assert_eq!(summary(&report, "production")["drifted"], 1);
    let drifted: Vec<&Value> = report["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "Drifted")
        .collect();
    assert_eq!(drifted.len(), 1);
    assert_eq!(drifted[0]["context"], "production");
    assert_eq!(drifted[0]["namespace"], ns.as_str());
    assert_eq!(drifted[0]["origin"]["file"], "k8s/production/settings.yaml");

    // --context narrows the targets to one.
    let (code, report) = check_json(repo.path(), &["--context", "staging"]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["summary"].as_array().unwrap().len(), 1);

    // --path overrides the target's paths.
    let (code, report) = check_json(
        repo.path(),
        &["--context", "production", "--path", "k8s/staging"],
    );
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(
        resource(&report, "ConfigMap", "settings")["origin"]["file"],
        "k8s/staging/settings.yaml"
    );
}

#[test]
fn config_mistakes_name_the_file_and_line() {
    let cases = [
        (
            "targets:\n  - context: staging\n    pathz: [k8s]\n",
            ".kubectl-drift.yaml:3:",
            "unknown field …, expected one of",
        ),
        (
            "targets:\n  - name: a\n    contexts:\n      - staging\n      - nowhere\n",
            ".kubectl-drift.yaml:5: context \"nowhere\" is not in the kubeconfig",
            "production",
        ),
        (
            "ignore:\n  - kind: Deployment\n    reason: scaled\n    expires: next week\n",
            ".kubectl-drift.yaml:4:",
            "YYYY-MM-DD",
        ),
    ];
    for (config, place, words) in cases {
        let repo = git_repo(&[
            (".kubectl-drift.yaml", config),
            ("k8s/cm.yaml", &config_map("x", "a: b", "k: v")),
        ]);
        let out = drift()
            .current_dir(repo.path())
            .args(["check"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(place), "{place} not in: {stderr}");
        assert!(stderr.contains(words), "{words} not in: {stderr}");
    }
    // --config names a file of its own; a missing one is an error that names it.
    let repo = git_repo(&[("k8s/cm.yaml", &config_map("x", "a: b", "k: v"))]);
    let out = drift()
        .current_dir(repo.path())
        .args(["check", "--config", "elsewhere.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("elsewhere.yaml"));
}

#[test]
fn ignore_rules_hide_fields_count_them_and_expire() {
    let ns = namespace("ign", &["staging"]);
    let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {app: api}\n  template:\n    metadata:\n      labels: {app: api}\n    spec:\n      containers:\n      - name: app\n        image: nginx:1.27\n      - name: proxy\n        image: envoyproxy/envoy:v1.31\n";
    let cache = config_map("cache", "app: api", "size: small");
    let legacy = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: legacy\n  annotations:\n    drift.kubectl.io/ignore: owned by the old deploy job\ndata: {a: b}\n";
    let config = format!(
        "targets:\n  - context: staging\n    namespace: {ns}\nignore:\n  - kind: Deploy*\n    paths: [/spec/replicas]\n    managers: [kubectl]\n    reason: scaled by hand during sales\n  - kind: Deployment\n    paths: [/spec/template/spec/containers/name=proxy/image]\n    reason: the mesh upgrades the proxy\n  - kind: ConfigMap\n    name: \"cach?\"\n    reason: rebuilt at start\n    expires: 2020-01-31\n"
    );
    let repo = git_repo(&[
        (".kubectl-drift.yaml", &config),
        ("k8s/api.yaml", deployment),
        ("k8s/cache.yaml", &cache),
        ("k8s/legacy.yaml", legacy),
    ]);
    apply("staging", &ns, deployment);
    apply("staging", &ns, &cache);
    apply("staging", &ns, legacy);
    kubectl_ok(
        "staging",
        &["-n", &ns, "scale", "deployment/api", "--replicas=5"],
    );
    kubectl_ok(
        "staging",
        &[
            "-n",
            &ns,
            "set",
            "image",
            "deployment/api",
            "app=nginx:1.28",
            "proxy=envoyproxy/envoy:v1.32",
        ],
    );
    for name in ["cache", "legacy"] {
        kubectl_ok(
            "staging",
            &[
                "-n",
                &ns,
                "patch",
                "configmap",
                name,
                "-p",
                r#"{"data":{"a":"changed","size":"big"}}"#,
            ],
        );
    }

    let (code, report) = check_json(repo.path(), &[]);
    assert_eq!(code, 1, "{report:#}");
    let api = resource(&report, "Deployment", "api");
    assert_eq!(api["status"], "Drifted");
    let shown: Vec<&str> = api["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(shown, ["spec.template.spec.containers[name=app].image"]);
    let ignored: Vec<(&str, &str)> = api["ignored_fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), f["reason"].as_str().unwrap()))
        .collect();
    assert!(
        ignored.contains(&("spec.replicas", "scaled by hand during sales")),
        "{ignored:?}"
    );
    assert!(ignored.contains(&(
        "spec.template.spec.containers[name=proxy].image",
        "the mesh upgrades the proxy"
    )));

    // The expired rule hides nothing, and says so.
    let cache = resource(&report, "ConfigMap", "cache");
    assert_eq!(cache["status"], "Drifted");
    let message = cache["message"].as_str().unwrap();
    assert!(message.contains("expired on 2020-01-31"), "{message}");
    assert!(message.contains(".kubectl-drift.yaml:12"), "{message}");

    let legacy = resource(&report, "ConfigMap", "legacy");
    assert_eq!(legacy["status"], "Ignored");
    assert!(legacy["message"]
        .as_str()
        .unwrap()
        .contains("owned by the old deploy job"));

    let summary = summary(&report, "staging");
    assert_eq!(summary["ignored"], 1);
    assert_eq!(summary["ignored_field_count"], 2);
    assert_eq!(summary["drifted"], 2);

    // A person scaling it again is still hidden; the same field from another manager is not.
    kubectl_ok(
        "staging",
        &[
            "-n",
            &ns,
            "patch",
            "deployment",
            "api",
            "--field-manager",
            "hand-patch",
            "-p",
            r#"{"spec":{"replicas":7}}"#,
        ],
    );
    let (_, report) = check_json(repo.path(), &[]);
    let api = resource(&report, "Deployment", "api");
    assert!(api["fields"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["path"] == "spec.replicas"));

    // fix puts Git's state back except where a rule leaves the field to others, and the
    // re-check after each apply still ignores what the rules ignore.
    let out = drift()
        .current_dir(repo.path())
        .args(["fix", "--yes", "--audit-log"])
        .arg(repo.path().join("audit.log"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let images = kubectl_ok(
        "staging",
        &[
            "-n",
            &ns,
            "get",
            "deployment",
            "api",
            "-o",
            "jsonpath={.spec.template.spec.containers[*].image}",
        ],
    );
    assert_eq!(images, "nginx:1.27 envoyproxy/envoy:v1.32");

    // The text output counts what is hidden, under a resource that still drifts.
    kubectl_ok(
        "staging",
        &[
            "-n",
            &ns,
            "set",
            "image",
            "deployment/api",
            "app=nginx:1.29",
        ],
    );
    let out = drift()
        .current_dir(repo.path())
        .args(["check", "--color", "never"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("1 field ignored: spec.template.spec.containers[name=proxy].image"),
        "{text}"
    );
    assert!(text.contains("1 ignored, 1 ignored field"), "{text}");
}

#[test]
fn extra_objects_are_found_by_label_and_namespace_and_pruned() {
    let ns = namespace("ext", &["staging"]);
    let owned = namespace("own", &["staging"]);
    let label = format!("app.kubernetes.io/managed-by=drift-{ns}");
    let tracked = format!("app.kubernetes.io/managed-by: drift-{ns}");
    let declared = config_map("declared", &tracked, "a: b");
    let config = format!(
        "targets:\n  - context: staging\n    namespace: {ns}\n    trackingLabel: {label}\n    namespaces: [{owned}]\n"
    );
    let repo = git_repo(&[
        (".kubectl-drift.yaml", &config),
        ("k8s/declared.yaml", &declared),
    ]);
    apply("staging", &ns, &declared);
    // Tracked by label, no manifest: extra. Untracked: none of our business.
    apply("staging", &ns, &config_map("stray", &tracked, "x: z"));
    apply(
        "staging",
        &ns,
        &config_map("unrelated", "app: other", "x: z"),
    );
    // Anything in an owned namespace needs a manifest, except what a controller derived.
    kubectl_ok(
        "staging",
        &[
            "-n",
            &owned,
            "create",
            "configmap",
            "orphan",
            "--from-literal=k=v",
        ],
    );
    let uid = kubectl_ok(
        "staging",
        &[
            "-n",
            &owned,
            "get",
            "configmap",
            "orphan",
            "-o",
            "jsonpath={.metadata.uid}",
        ],
    );
    let child = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: derived\n  ownerReferences:\n  - apiVersion: v1\n    kind: ConfigMap\n    name: orphan\n    uid: {uid}\ndata: {{k: v}}\n"
    );
    apply("staging", &owned, &child);

    // A narrower selection still knows every manifest: `other` is declared in Git without
    // the team label that someone added live, so it is not extra when -l selects that team.
    let team = format!("{tracked}, team: a");
    apply("staging", &ns, &config_map("other", &tracked, "k: v"));
    write_files(
        repo.path(),
        &[
            ("k8s/declared.yaml", &config_map("declared", &team, "a: b")),
            ("k8s/other.yaml", &config_map("other", &tracked, "k: v")),
        ],
    );
    commit(repo.path(), "team a");
    apply("staging", &ns, &config_map("declared", &team, "a: b"));
    kubectl_ok(
        "staging",
        &["-n", &ns, "label", "configmap", "other", "team=a"],
    );
    let (_, report) = check_json(repo.path(), &["-l", "team=a"]);
    assert!(
        report["resources"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["name"] != "other"),
        "{report:#}"
    );
    // --path reads only part of what Git declares: extras are still judged against every
    // manifest of the target, so what Git declares elsewhere is not extra.
    let (_, report) = check_json(repo.path(), &["--path", "k8s/declared.yaml"]);
    let extras: Vec<(String, String)> = statuses(&report)
        .into_iter()
        .filter(|(_, status)| status == "Extra")
        .collect();
    assert!(
        extras.contains(&("ConfigMap/orphan".to_string(), "Extra".to_string()))
            && !extras.iter().any(|(id, _)| id == "ConfigMap/other"),
        "{report:#}"
    );

    let (code, report) = check_json(repo.path(), &[]);
    assert_eq!(code, 1, "{report:#}");
    let mut found = statuses(&report);
    found.retain(|(_, status)| status == "Extra");
    assert_eq!(
        found,
        [
            ("ConfigMap/orphan".to_string(), "Extra".to_string()),
            ("ConfigMap/stray".to_string(), "Extra".to_string())
        ],
        "{report:#}"
    );
    assert_eq!(
        resource(&report, "ConfigMap", "stray")["origin"],
        Value::Null
    );
    assert_eq!(summary(&report, "staging")["extra"], 2);

    // fix leaves them without --prune, and deletes them with it.
    let out = drift()
        .current_dir(repo.path())
        .args(["fix", "--yes", "--audit-log"])
        .arg(repo.path().join("audit.log"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("--prune deletes such objects"));
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
    let audit = std::fs::read_to_string(repo.path().join("audit.log")).unwrap();
    assert_eq!(audit.matches("\"deleted\"").count(), 2, "{audit}");
    let (code, report) = check_json(repo.path(), &[]);
    assert_eq!(code, 0, "{report:#}");
    let left = kubectl_ok(
        "staging",
        &["-n", &owned, "get", "configmaps", "-o", "name"],
    );
    assert!(
        left.contains("configmap/derived") && !left.contains("orphan"),
        "{left}"
    );
    let left = kubectl_ok("staging", &["-n", &ns, "get", "configmaps", "-o", "name"]);
    assert!(
        left.contains("unrelated") && !left.contains("stray"),
        "{left}"
    );
}

#[test]
fn a_url_repository_is_cloned_fetched_and_used_offline() {
    let ns = namespace("url", &["staging"]);
    let cache = tempfile::tempdir().unwrap();
    let settings = config_map("settings", "app: shop", "mode: one");
    let config = format!("targets:\n  - context: staging\n    namespace: {ns}\n    paths: [k8s]\n");
    let origin = git_repo(&[
        (".kubectl-drift.yaml", &config),
        ("k8s/settings.yaml", &settings),
    ]);
    apply("staging", &ns, &settings);
    let first = git(origin.path(), &["rev-parse", "HEAD"])
        .trim()
        .to_string();
    let url = format!("file://{}", origin.path().display());
    let elsewhere = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| {
        let out = drift()
            .current_dir(elsewhere.path())
            .env("XDG_CACHE_HOME", cache.path())
            .args(["check", "-o", "json", "--repo", &url])
            .args(extra)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let report: Value = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("{e}: {stdout}\n{}", String::from_utf8_lossy(&out.stderr)));
        (out.status.code().unwrap(), report)
    };
    // The config file comes from the commit: no flags name the context or namespace.
    let (code, report) = run(&[]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["summary"][0]["commit"], first.as_str());
    assert!(std::fs::read_dir(cache.path().join("kubectl-drift/repos"))
        .unwrap()
        .next()
        .is_some());

    write_files(
        origin.path(),
        &[(
            "k8s/settings.yaml",
            &config_map("settings", "app: shop", "mode: two"),
        )],
    );
    commit(origin.path(), "mode two");
    let second = git(origin.path(), &["rev-parse", "HEAD"])
        .trim()
        .to_string();
    // Offline: the cache as it is, the old commit.
    let (code, report) = run(&["--offline"]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["summary"][0]["commit"], first.as_str());
    // Online: fetched, the new commit, which the cluster does not match.
    let (code, report) = run(&[]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["summary"][0]["commit"], second.as_str());

    // Accepting needs a work tree to record in.
    let out = drift()
        .current_dir(elsewhere.path())
        .env("XDG_CACHE_HOME", cache.path())
        .args([
            "accept",
            "configmap/settings",
            "--repo",
            &url,
            "--reason",
            "x",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("clone"));
}
