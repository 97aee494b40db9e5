//! The monitoring files in `deploy/`: the alert rules pass `promtool check rules` and their
//! unit tests (`promtool test rules`), and the Grafana dashboard has the four panels the
//! README describes, each with PromQL that names only metrics `watch` exports. (Every
//! query is also run against a real Prometheus in tests/cluster/watch.rs.)

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

/// The PromQL of every panel of the dashboard.
pub fn dashboard_queries() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(deploy().join("grafana/kubectl-drift.json")).unwrap();
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
    let queries = dashboard_queries();
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
    let exported = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/watch/metrics.rs"),
    )
    .unwrap();
    for (title, expr) in &queries {
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
