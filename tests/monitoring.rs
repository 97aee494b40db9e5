//! The monitoring files in `deploy/`: the alert rules (one cluster's and the fleet's) pass
//! `promtool check rules` and their unit tests (`promtool test rules`), and the Grafana
//! dashboards have the panels the README describes, each with PromQL that names only
//! metrics `watch` exports; the fleet's aggregate by target and cluster. (Every query is
//! also run against a real Prometheus in tests/cluster/watch.rs and tests/cluster/fleet.rs.)

use std::path::PathBuf;
use std::process::Command;

fn deploy() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("deploy")
}

fn promtool(args: &[&str]) -> String {
    let out = Command::new("promtool")
        .args(args)
        .current_dir(deploy().join("prometheus"))
        .output()
        .expect("promtool is missing: install Debian's prometheus package");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "promtool {args:?}: {text}");
    text
}

#[test]
fn alert_rules_are_valid_and_their_unit_tests_pass() {
    let checked = promtool(&["check", "rules", "kubectl-drift.rules.yaml"]);
    assert!(checked.contains("SUCCESS: 3 rules found"), "{checked}");
    let tested = promtool(&["test", "rules", "kubectl-drift.rules.test.yaml"]);
    assert!(tested.contains("SUCCESS"), "{tested}");
}

#[test]
fn fleet_alert_rules_are_valid_and_their_unit_tests_pass() {
    let checked = promtool(&["check", "rules", "kubectl-drift-fleet.rules.yaml"]);
    assert!(checked.contains("SUCCESS: 7 rules found"), "{checked}");
    let tested = promtool(&["test", "rules", "kubectl-drift-fleet.rules.test.yaml"]);
    assert!(tested.contains("SUCCESS"), "{tested}");
}

/// The PromQL of every panel of a dashboard in `deploy/grafana`, with the panel's title.
pub fn dashboard_queries(file: &str) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(deploy().join("grafana").join(file)).unwrap();
    let dashboard: serde_json::Value = serde_json::from_str(&text).unwrap();
    dashboard["panels"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|panel| {
            let title = panel["title"].as_str().unwrap().to_string();
            panel["targets"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |t| (title.clone(), t["expr"].as_str().unwrap().to_string()))
        })
        .collect()
}

#[test]
fn the_dashboard_has_its_panels_on_exported_metrics() {
    let queries = dashboard_queries("kubectl-drift.json");
    let titles: Vec<&str> = {
        let mut t: Vec<&str> = queries.iter().map(|(t, _)| t.as_str()).collect();
        t.dedup();
        t
    };
    assert_eq!(
        titles,
        [
            "Drift over time by cluster",
            "Oldest drift",
            "Top drifted kinds",
            "Check health"
        ]
    );
    names_only_exported_metrics(&queries);
}

/// Each query names at least one metric, and only metrics `watch` exports.
fn names_only_exported_metrics(queries: &[(String, String)]) {
    let exported = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/watch/metrics.rs"),
    )
    .unwrap();
    for (title, expr) in queries {
        let metrics: Vec<&str> = expr
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|w| w.starts_with("kubectl_drift_"))
            .collect();
        assert!(!metrics.is_empty(), "{title}: {expr}");
        for metric in metrics {
            assert!(
                exported.contains(&format!("\"{metric}")),
                "{title}: {metric} is not exported by watch"
            );
        }
    }
}

#[test]
fn the_fleet_dashboard_aggregates_every_panel_by_cluster() {
    let queries = dashboard_queries("kubectl-drift-fleet.json");
    let titles: Vec<&str> = queries.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Drifted resources by cluster",
            "Drifted fields by cluster",
            "Oldest drift by cluster",
            "Clusters checked",
            "Time since the last good check",
            "Check errors by cluster",
            "Commit checked by cluster"
        ]
    );
    for (title, expr) in &queries {
        assert!(
            expr.contains(" by (target, cluster_uid"),
            "{title}: {expr} does not keep one series per cluster"
        );
    }
    names_only_exported_metrics(&queries);
}
