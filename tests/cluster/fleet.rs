//! A fleet: the two testenv clusters, each with its own `kubectl drift watch` run with the
//! arguments its kustomize overlay in `deploy/clusters/` gives, each seeing its cluster
//! under the same context name `in-cluster`, as pods do. One repository's config pins a
//! target per cluster by UID. One real Prometheus scrapes both watches and loads the fleet
//! rules; every panel of the fleet dashboard returns one series per cluster, labelled with
//! the target and the cluster's UID.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::common::*;
use crate::watch::{free_port, get, wait_for, Killed, Prometheus};

const CLUSTERS: [&str; 2] = ["staging", "production"];

/// `kubectl kustomize` of an overlay, as JSON objects.
fn rendered(overlay: &Path) -> Vec<Value> {
    let out = Command::new("kubectl")
        .args(["kustomize", overlay.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    kubectl_drift::yaml::read_stream(&text)
        .unwrap()
        .into_iter()
        .map(|d| d.value)
        .collect()
}

/// The PromQL of every panel of the fleet dashboard, with the panel's title.
fn fleet_panel_queries() -> Vec<(String, String)> {
    let text =
        std::fs::read_to_string(root().join("deploy/grafana/kubectl-drift-fleet.json")).unwrap();
    let dashboard: Value = serde_json::from_str(&text).unwrap();
    dashboard["panels"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|panel| {
            panel["targets"].as_array().unwrap().iter().map(|t| {
                (
                    panel["title"].as_str().unwrap().to_string(),
                    t["expr"].as_str().unwrap().to_string(),
                )
            })
        })
        .collect()
}

/// A kubeconfig whose only context reaches `cluster` under the name `in-cluster`, with
/// `namespace` as its namespace (where the Lease and the alert state live).
fn in_cluster_kubeconfig(dir: &Path, cluster: &str, namespace: &str) -> PathBuf {
    let file = dir.join(format!("{cluster}.kubeconfig"));
    let minified = kubectl_ok(
        cluster,
        &[
            "config",
            "view",
            "--raw",
            "--minify",
            "--flatten",
            "--context",
            cluster,
        ],
    );
    std::fs::write(&file, minified).unwrap();
    for args in [
        vec!["config", "rename-context", cluster, "in-cluster"],
        vec![
            "config",
            "set-context",
            "in-cluster",
            "--namespace",
            namespace,
        ],
    ] {
        let out = Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(&file)
            .args(&args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
    }
    file
}

/// The watch container's arguments from an overlay, with the environment put in and the
/// listen address, interval and webhook made local.
fn watch_args(objects: &[Value], repo: &Path, port: u16, webhook: &str) -> Vec<String> {
    let settings = objects
        .iter()
        .find(|o| o["kind"] == "ConfigMap" && o["metadata"]["name"] == "kubectl-drift")
        .expect("the overlay has the repository's ConfigMap");
    let deployment = objects
        .iter()
        .find(|o| o["kind"] == "Deployment")
        .expect("the overlay has the watch Deployment");
    let args: Vec<String> = deployment["spec"]["template"]["spec"]["containers"][0]["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect();
    assert_eq!(args[0], "watch");
    let mut local = vec!["watch".to_string()];
    let mut iter = args.into_iter().skip(1);
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--interval" => {
                iter.next();
                local.extend(["--interval".to_string(), "2s".to_string()]);
            }
            "--listen" => {
                iter.next();
                local.extend(["--listen".to_string(), format!("127.0.0.1:{port}")]);
            }
            _ => local.push(
                arg.replace("$(DRIFT_REPO)", repo.to_str().unwrap())
                    .replace("$(DRIFT_REF)", settings["data"]["ref"].as_str().unwrap())
                    .replace("$(ONCALL_WEBHOOK)", webhook),
            ),
        }
    }
    assert!(
        !local.iter().any(|a| a.contains("$(")),
        "an environment variable the test does not set: {local:?}"
    );
    local
}

#[test]
fn a_fleet_of_watches_fills_every_fleet_panel_with_a_series_per_cluster() {
    let ns = namespace("fleet", &CLUSTERS);
    let uid = |cluster: &str| {
        kubectl_ok(
            cluster,
            &[
                "get",
                "namespace",
                "kube-system",
                "-o",
                "jsonpath={.metadata.uid}",
            ],
        )
        .trim()
        .to_string()
    };
    let uids: Vec<String> = CLUSTERS.iter().map(|c| uid(c)).collect();
    assert_ne!(uids[0], uids[1], "two clusters, two identities");

    // One repository for the fleet: a target per cluster, pinned by UID, under the laptop's
    // context names, which the watches' kubeconfigs do not have.
    let config = format!(
        "targets:\n  - name: staging\n    context: stage-admin\n    clusterUID: {}\n    paths: [k8s/staging]\n    namespace: {ns}\n  - name: production\n    context: prod-admin\n    clusterUID: {}\n    paths: [k8s/production]\n    namespace: {ns}\n",
        uids[0], uids[1]
    );
    let settings = |cluster: &str| {
        format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  cluster: {cluster}\n  mode: one\n")
    };
    let repo = git_repo(&[
        (".kubectl-drift.yaml", &config),
        ("k8s/staging/settings.yaml", &settings("staging")),
        ("k8s/production/settings.yaml", &settings("production")),
    ]);
    // Production's overlay follows the branch its pipeline moves.
    git(repo.path(), &["branch", "production"]);
    for cluster in CLUSTERS {
        apply(cluster, &ns, &settings(cluster));
        // A hand change in each cluster.
        kubectl_ok(
            cluster,
            &[
                "-n",
                &ns,
                "patch",
                "configmap/settings",
                "-p",
                r#"{"data":{"mode":"two"}}"#,
            ],
        );
    }

    let (webhook, alerts) = webhook_receiver("/oncall");
    let kubeconfigs = tempfile::tempdir().unwrap();
    let mut watches = Vec::new();
    let mut ports = Vec::new();
    for cluster in CLUSTERS {
        let objects = rendered(&root().join("deploy/clusters").join(cluster));
        for object in &objects {
            assert_eq!(
                object["metadata"]["labels"]["kubectl-drift.io/cluster"], cluster,
                "every object of the overlay says its cluster: {object}"
            );
        }
        // The Git token is created by hand, never overwritten by an apply of the overlay.
        assert!(
            !objects.iter().any(|o| o["kind"] == "Secret"),
            "{cluster}'s overlay applies a Secret"
        );
        let deployment = objects.iter().find(|o| o["kind"] == "Deployment").unwrap();
        let container = &deployment["spec"]["template"]["spec"]["containers"][0];
        let interval = container["args"]
            .as_array()
            .unwrap()
            .windows(2)
            .find(|w| w[0] == "--interval")
            .map(|w| w[1].clone());
        let expected_interval = if cluster == "staging" { "1m" } else { "5m" };
        assert_eq!(interval, Some(Value::from(expected_interval)), "{cluster}");
        let port = free_port();
        let args = watch_args(&objects, repo.path(), port, &webhook);
        assert!(
            args.windows(2).any(|w| w == ["--context", "in-cluster"]),
            "{args:?}"
        );
        let child = Command::new(assert_cmd::cargo::cargo_bin("kubectl-drift"))
            .current_dir(kubeconfigs.path())
            .env(
                "KUBECONFIG",
                in_cluster_kubeconfig(kubeconfigs.path(), cluster, &ns),
            )
            .env("XDG_CACHE_HOME", kubeconfigs.path().join("cache"))
            .args(&args)
            .stdout(Stdio::null())
            .stderr(
                std::fs::File::create(kubeconfigs.path().join(format!("{cluster}.log"))).unwrap(),
            )
            .spawn()
            .unwrap();
        watches.push(Killed(child));
        ports.push(port);
    }

    let fleet_rules =
        std::fs::read_to_string(root().join("deploy/prometheus/kubectl-drift-fleet.rules.yaml"))
            .unwrap();
    let targets: Vec<String> = ports.iter().map(|p| format!("'127.0.0.1:{p}'")).collect();
    let prometheus = Prometheus::start(
        &format!(
            "global: {{scrape_interval: 1s, evaluation_interval: 1s}}\nrule_files: [fleet.rules.yaml]\nscrape_configs:\n  - job_name: kubectl-drift\n    static_configs: [{{targets: [{}]}}]\n",
            targets.join(", ")
        ),
        &[("fleet.rules.yaml", &fleet_rules)],
    );

    // Each cluster is its own target, whatever its context is called.
    let expected: Vec<(String, String)> = CLUSTERS
        .iter()
        .zip(&uids)
        .map(|(c, u)| (c.to_string(), u.clone()))
        .collect();
    let per_cluster = |result: &[Value]| -> Vec<(String, String)> {
        let mut seen: Vec<(String, String)> = result
            .iter()
            .map(|s| {
                (
                    s["metric"]["target"].as_str().unwrap_or("").to_string(),
                    s["metric"]["cluster_uid"]
                        .as_str()
                        .unwrap_or("")
                        .to_string(),
                )
            })
            .collect();
        seen.sort();
        seen
    };
    let mut wanted = expected.clone();
    wanted.sort();
    let queries = fleet_panel_queries();
    assert_eq!(queries.len(), 7);
    // What each watch said and served, for a failure's message.
    let evidence = || {
        CLUSTERS
            .iter()
            .zip(&ports)
            .map(|(cluster, port)| {
                let log =
                    std::fs::read_to_string(kubeconfigs.path().join(format!("{cluster}.log")))
                        .unwrap_or_default();
                let metrics = get(*port, "/metrics").map(|(_, m)| m).unwrap_or_default();
                format!("--- {cluster} log:\n{log}\n--- {cluster} metrics:\n{metrics}")
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    for (title, expr) in &queries {
        let start = std::time::Instant::now();
        loop {
            let last = prometheus.query(expr);
            if per_cluster(&last) == wanted {
                break;
            }
            for (cluster, watch) in CLUSTERS.iter().zip(watches.iter_mut()) {
                let exited = watch.0.try_wait().unwrap();
                assert!(
                    exited.is_none(),
                    "{cluster}'s watch stopped: {exited:?}\n{}",
                    evidence()
                );
            }
            assert!(
                start.elapsed() < Duration::from_secs(90),
                "the panel {title:?} ({expr}) did not show both clusters: {last:?}\n{}",
                evidence()
            );
            std::thread::sleep(Duration::from_millis(500));
        }
    }
    // Every series each watch serves names its cluster, the process's own ones too.
    for ((cluster, uid), port) in expected.iter().zip(&ports) {
        let (_, metrics) = get(*port, "/metrics").unwrap();
        let identity = format!("target=\"{cluster}\",cluster_uid=\"{uid}\"");
        let samples: Vec<&str> = metrics.lines().filter(|l| !l.starts_with('#')).collect();
        assert!(
            samples
                .iter()
                .any(|l| l.starts_with("kubectl_drift_leader{")),
            "{metrics}"
        );
        for line in samples {
            assert!(line.contains(&identity), "{cluster}: {line}");
        }
    }
    // The values agree with the clusters: one drifted ConfigMap each, checked, on one commit.
    for (target, _) in &expected {
        let drifted = format!(
            "sum by (target) (kubectl_drift_resources{{target=\"{target}\",status=\"Drifted\"}})"
        );
        assert_eq!(prometheus.value(&drifted), Some(1.0), "{target}");
        let up = format!("kubectl_drift_target_up{{target=\"{target}\"}}");
        assert_eq!(prometheus.value(&up), Some(1.0), "{target}");
    }
    let head = git(repo.path(), &["rev-parse", "HEAD"]).trim().to_string();
    let commits = prometheus.query("max by (target, cluster_uid, commit) (kubectl_drift_git_info)");
    assert!(
        commits
            .iter()
            .all(|s| s["metric"]["commit"] == head.as_str()),
        "{commits:?}"
    );
    // The fleet rules load and evaluate; the recorded series has one row per cluster.
    wait_for(
        "the fleet rules to evaluate",
        Duration::from_secs(30),
        || {
            let recorded =
                prometheus.query("target_cluster_uid:kubectl_drift_drifted_resources:sum");
            per_cluster(&recorded) == wanted
        },
    );
    let (_, rules) = get(prometheus.port, "/api/v1/rules").unwrap();
    let rules: Value = serde_json::from_str(&rules).unwrap();
    let all: Vec<&Value> = rules["data"]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["rules"].as_array().unwrap())
        .collect();
    assert_eq!(all.len(), 7, "{rules}");
    for rule in &all {
        assert_eq!(rule["health"], "ok", "{rule}");
    }

    // Production's overlay alerts the on-call webhook, once, naming its target.
    wait_for("production's alert", Duration::from_secs(30), || {
        !alerts.lock().unwrap().is_empty()
    });
    std::thread::sleep(Duration::from_secs(5));
    let sent = alerts.lock().unwrap().clone();
    assert_eq!(sent.len(), 1, "one alert per change: {sent:?}");
    let alert: Value = serde_json::from_str(&sent[0]).unwrap();
    assert_eq!(alert["kind"], "DriftAlert");
    assert_eq!(alert["summary"][0]["target"], "production", "{alert}");
    assert_eq!(
        alert["summary"][0]["cluster_uid"],
        uids[1].as_str(),
        "{alert}"
    );
    // Remembered in the cluster, where a restarted pod finds it.
    kubectl_ok(
        "production",
        &["-n", &ns, "get", "configmap", "kubectl-drift-alerts"],
    );
    drop(watches);
}
