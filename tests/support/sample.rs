//! The pieces of the sample report that the renderer tests share: a fixed clock and
//! commit, the Secret values that must never reach any output, and builders for paths,
//! identities, origins, attributions and objects.

// Each test crate uses its own subset of these.
#![allow(dead_code)]

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use kubectl_drift::drift::path::{FieldPath, Segment};
use kubectl_drift::drift::IgnoredField;
use kubectl_drift::drift::{Attribution, FieldDrift, Identity, Status};
use kubectl_drift::report::{redact, ResourceReport};
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

/// The sample report's resources: every status but Accepted, in two contexts.
pub fn resources() -> Vec<ResourceReport> {
    let image_path = FieldPath(vec![
        Segment::Field("spec".into()),
        Segment::Field("template".into()),
        Segment::Field("spec".into()),
        Segment::Field("containers".into()),
        Segment::Key(vec![("name".into(), json!("web"))]),
        Segment::Field("image".into()),
    ]);
    let mut env_path = image_path.clone();
    env_path.0.pop();
    env_path.0.push(Segment::Field("env".into()));
    let env = json!([{"name": "LOG_LEVEL", "value": "debug"}]);
    let web = ResourceReport {
        context: "production".into(),
        identity: identity("apps", "Deployment", Some("shop"), "web"),
        status: Status::Drifted,
        origin: origin("deploy/shop/web.yaml", 1),
        fields: vec![
            FieldDrift {
                rating: None,
                path: path("spec.replicas"),
                git: Some(json!(3)),
                live: Some(json!(5)),
                attribution: by("kubectl", Some("scale"), 2),
            },
            FieldDrift {
                rating: None,
                path: image_path,
                git: Some(json!("registry.example.com/shop/web:1.4.2")),
                live: Some(json!("registry.example.com/shop/web:1.4.3-hotfix")),
                attribution: by("kubectl-set", None, 26),
            },
            FieldDrift {
                rating: None,
                path: env_path,
                git: None,
                live: Some(env.clone()),
                attribution: by("kubectl-set", None, 26),
            },
        ],
        live_digest: None,
        ignored_fields: vec![IgnoredField {
            path: "spec.revisionHistoryLimit".into(),
            reason: "tuned by the platform team".into(),
            field: path("spec.revisionHistoryLimit"),
        }],
        message: None,
        predicted_object: Some(deployment(3, "registry.example.com/shop/web:1.4.2", None)),
        live_object: Some(deployment(
            5,
            "registry.example.com/shop/web:1.4.3-hotfix",
            Some(env),
        )),
    };
    let settings = ResourceReport {
        context: "production".into(),
        identity: identity("", "ConfigMap", Some("shop"), "settings"),
        status: Status::Missing,
        origin: origin("deploy/shop/settings.yaml", 1),
        fields: vec![],
        live_digest: None,
        ignored_fields: vec![],
        message: None,
        predicted_object: Some(json!({
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "settings", "namespace": "shop"},
            "data": {"currency": "EUR", "checkout.timeout": "30s"},
        })),
        live_object: None,
    };
    let service_object = json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {"selector": {"app.kubernetes.io/name": "web"}, "ports": [{"port": 80}]},
    });
    let service = ResourceReport {
        context: "production".into(),
        identity: identity("", "Service", Some("shop"), "web"),
        status: Status::InSync,
        origin: origin("deploy/shop/web.yaml", 48),
        fields: vec![],
        live_digest: None,
        ignored_fields: vec![],
        message: None,
        predicted_object: Some(service_object.clone()),
        live_object: Some(service_object),
    };
    let mut credentials = ResourceReport {
        context: "production".into(),
        identity: identity("", "Secret", Some("shop"), "db-credentials"),
        status: Status::Drifted,
        origin: origin("deploy/shop/secrets.yaml", 1),
        fields: vec![FieldDrift {
            rating: None,
            path: path("data.password"),
            git: Some(json!("czNjcjN0LXBhc3N3b3Jk")),
            live: Some(json!("cm90YXRlZC1ieS1oYW5k")),
            attribution: by("kubectl-edit", None, 5),
        }],
        live_digest: None,
        ignored_fields: vec![],
        message: None,
        predicted_object: Some(secret("czNjcjN0LXBhc3N3b3Jk")),
        live_object: Some(secret("cm90YXRlZC1ieS1oYW5k")),
    };
    redact::redact(&mut credentials);
    let staging_web = ResourceReport {
        context: "staging".into(),
        identity: identity("apps", "Deployment", Some("shop"), "web"),
        status: Status::InSync,
        origin: origin("deploy/shop/web.yaml", 1),
        fields: vec![],
        live_digest: None,
        ignored_fields: vec![],
        message: None,
        predicted_object: None,
        live_object: None,
    };
    let reader = ResourceReport {
        context: "staging".into(),
        identity: identity(
            "rbac.authorization.k8s.io",
            "ClusterRole",
            None,
            "shop-reader",
        ),
        status: Status::Error,
        origin: origin("deploy/cluster/rbac.yaml", 12),
        fields: vec![],
        live_digest: None,
        ignored_fields: vec![],
        message: Some(
            "clusterroles.rbac.authorization.k8s.io \"shop-reader\" is forbidden: User \
             \"system:serviceaccount:ci:drift\" cannot get resource \"clusterroles\" in API \
             group \"rbac.authorization.k8s.io\" at the cluster scope"
                .into(),
        ),
        predicted_object: None,
        live_object: None,
    };
    let debug_flags = ResourceReport {
        context: "production".into(),
        identity: identity("", "ConfigMap", Some("shop"), "debug-flags"),
        status: Status::Extra,
        origin: None,
        fields: vec![],
        live_digest: None,
        ignored_fields: vec![],
        message: Some(
            "live in namespace shop, which the target owns, with no manifest in Git".into(),
        ),
        predicted_object: None,
        live_object: Some(json!({
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "debug-flags", "namespace": "shop"},
            "data": {"verbose": "true"},
        })),
    };
    let report_job = ResourceReport {
        context: "production".into(),
        identity: identity("batch", "CronJob", Some("shop"), "report"),
        status: Status::Ignored,
        origin: origin("deploy/shop/report.yaml", 1),
        fields: vec![],
        live_digest: None,
        ignored_fields: vec![],
        message: Some("ignored by drift.kubectl.io/ignore: moving to Argo Workflows".into()),
        predicted_object: None,
        live_object: None,
    };
    let mut resources = vec![
        web,
        settings,
        debug_flags,
        report_job,
        service,
        credentials,
        staging_web,
        reader,
    ];
    // Rated as a check rates them.
    kubectl_drift::severity::apply(&mut resources);
    resources
}
