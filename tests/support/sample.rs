//! The pieces of the sample report that the renderer tests share: a fixed clock and
//! commit, the Secret values that must never reach any output, and builders for paths,
//! identities, origins, attributions and objects.

// Each test crate uses its own subset of these.
#![allow(dead_code)]

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use kubectl_drift::drift::path::{FieldPath, Segment};
use kubectl_drift::drift::{Attribution, Identity};
use kubectl_drift::source::Origin;

pub const COMMIT: &str = "3f9c2a1e8b7d6c5f4a3b2c1d0e9f8a7b6c5d4e3f";
/// The Secret's password in Git and live, plain and base64: none may reach any output.
pub const SECRET_VALUES: &[&str] = &[
    "s3cr3t-password",
    "czNjcjN0LXBhc3N3b3Jk",
    "rotated-by-hand",
    "cm90YXRlZC1ieS1oYW5k",
];

pub fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

pub fn path(text: &str) -> FieldPath {
    FieldPath(
        text.split('.')
            .map(|f| Segment::Field(f.to_string()))
            .collect(),
    )
}

pub fn identity(group: &str, kind: &str, namespace: Option<&str>, name: &str) -> Identity {
    Identity {
        group: group.to_string(),
        version: "v1".to_string(),
        kind: kind.to_string(),
        namespace: namespace.map(str::to_string),
        name: name.to_string(),
    }
}

pub fn origin(file: &str, line: usize) -> Option<Origin> {
    Some(Origin {
        file: file.to_string(),
        line,
        commit: Some(COMMIT.to_string()),
    })
}

pub fn by(manager: &str, subresource: Option<&str>, hours_ago: i64) -> Option<Attribution> {
    Some(Attribution {
        manager: manager.to_string(),
        operation: "Update".to_string(),
        time: Some(now() - Duration::hours(hours_ago)),
        subresource: subresource.map(str::to_string),
    })
}

/// A Deployment as the server's dry run returns it, defaults included.
pub fn deployment(replicas: u64, image: &str, env: Option<Value>) -> Value {
    let mut container = json!({
        "name": "web",
        "image": image,
        "ports": [{"containerPort": 8080, "protocol": "TCP"}],
    });
    if let Some(env) = env {
        container["env"] = env;
    }
    container["resources"] = json!({"limits": {"memory": "256Mi"}, "requests": {"cpu": "100m"}});
    container["terminationMessagePath"] = json!("/dev/termination-log");
    container["imagePullPolicy"] = json!("IfNotPresent");
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": "web",
            "namespace": "shop",
            "labels": {"app.kubernetes.io/name": "web", "app.kubernetes.io/part-of": "shop"},
        },
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app.kubernetes.io/name": "web"}},
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"},
            },
            "revisionHistoryLimit": 10,
            "progressDeadlineSeconds": 600,
            "template": {
                "metadata": {"labels": {"app.kubernetes.io/name": "web"}},
                "spec": {
                    "containers": [container],
                    "restartPolicy": "Always",
                    "terminationGracePeriodSeconds": 30,
                    "dnsPolicy": "ClusterFirst",
                },
            },
        },
    })
}

pub fn secret(password: &str) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "db-credentials", "namespace": "shop"},
        "type": "Opaque",
        "data": {"username": "c2hvcA==", "password": password},
    })
}
