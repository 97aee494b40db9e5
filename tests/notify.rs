//! Alerts end to end, against real servers on 127.0.0.1: an HTTP server written here takes
//! the Slack and webhook posts, and aiosmtpd (Python, `pip install aiosmtpd`) the email.
//! Checks what arrives (shape, counts, names, paths, commit, never a Secret's value), when
//! something is sent at all (the state file), and that dead endpoints fail in bounded time
//! without showing the webhook's secret path.
//!
//! The reports are built by hand, as in tests/render.rs.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use kubectl_drift::drift::path::{FieldPath, Segment};
use kubectl_drift::drift::{Attribution, FieldDrift, Identity, Status};
use kubectl_drift::notify::{notify, Channel, Delivery, NotifyError, NotifySettings, Smtp};
use kubectl_drift::report::{redact, ContextSummary, Report, ResourceReport};
use kubectl_drift::source::Origin;

const COMMIT: &str = "3f9c2a1e8b7d6c5f4a3b2c1d0e9f8a7b6c5d4e3f";
/// The Secret's values, plain and base64, in Git and live: none may reach any message.
const SECRET_VALUES: &[&str] = &[
    "s3cr3t-password",
    "czNjcjN0LXBhc3N3b3Jk",
    "rotated-by-hand",
    "cm90YXRlZC1ieS1oYW5k",
];
/// The secret parts of the webhook URLs.
const SLACK_PATH: &str = "/services/T0SECRET/B0SECRET/xoxb-slack-token";
const HOOK_PATH: &str = "/alerts/hook-token-42?sig=deadbeefcafe";
const SMTP_PASSWORD: &str = "smtp-pa55word";

// ---------------------------------------------------------------------------------------
// Reports

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn path(text: &str) -> FieldPath {
    FieldPath(
        text.split('.')
            .map(|f| Segment::Field(f.to_string()))
            .collect(),
    )
}

fn identity(group: &str, kind: &str, namespace: Option<&str>, name: &str) -> Identity {
    Identity {
        group: group.to_string(),
        version: "v1".to_string(),
        kind: kind.to_string(),
        namespace: namespace.map(str::to_string),
        name: name.to_string(),
    }
}

fn by(manager: &str, subresource: Option<&str>, hours_ago: i64) -> Option<Attribution> {
    Some(Attribution {
        manager: manager.to_string(),
        operation: "Update".to_string(),
        time: Some(now() - Duration::hours(hours_ago)),
        subresource: subresource.map(str::to_string),
    })
}

fn resource(
    context: &str,
    id: Identity,
    status: Status,
    fields: Vec<FieldDrift>,
) -> ResourceReport {
    let mut report = ResourceReport {
        context: context.to_string(),
        identity: id,
        status,
        origin: Some(Origin {
            file: "deploy/app.yaml".to_string(),
            line: 1,
            commit: Some(COMMIT.to_string()),
        }),
        fields,
        live_digest: None,
        ignored_fields: vec![],
        message: None,
        predicted_object: None,
        live_object: None,
    };
    // Rated as a check rates them.
    kubectl_drift::severity::apply(std::slice::from_mut(&mut report));
    report
}

/// A Secret whose password was changed by hand, redacted the way the report does it; its
/// last-applied annotation (which the report does not redact) holds the value too.
fn secret(context: &str) -> ResourceReport {
    let git = json!({"apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "db", "namespace": "shop"},
        "data": {"password": "czNjcjN0LXBhc3N3b3Jk"}});
    let live = json!({"apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "db", "namespace": "shop"},
        "data": {"password": "cm90YXRlZC1ieS1oYW5k"}});
    let mut r = resource(
        context,
        identity("", "Secret", Some("shop"), "db"),
        Status::Drifted,
        vec![
            FieldDrift {
                rating: None,
                path: path("data.password"),
                git: Some(json!("czNjcjN0LXBhc3N3b3Jk")),
                live: Some(json!("cm90YXRlZC1ieS1oYW5k")),
                attribution: by("kubectl-edit", None, 1),
            },
            FieldDrift {
                rating: None,
                path: FieldPath(vec![
                    Segment::Field("metadata".into()),
                    Segment::Field("annotations".into()),
                    Segment::Field("kubectl.kubernetes.io/last-applied-configuration".into()),
                ]),
                git: None,
                live: Some(json!(r#"{"stringData":{"password":"rotated-by-hand"}}"#)),
                attribution: by("kubectl-client-side-apply", None, 1),
            },
        ],
    );
    r.predicted_object = Some(git);
    r.live_object = Some(live);
    // An error text quoting the value; notes of Secrets are never shown.
    r.message = Some("webhook said: s3cr3t-password is weak".to_string());
    redact::redact(&mut r);
    r
}

fn web(context: &str, replicas: u64) -> ResourceReport {
    resource(
        context,
        identity("apps", "Deployment", Some("shop"), "web"),
        Status::Drifted,
        vec![
            FieldDrift {
                rating: None,
                path: path("spec.replicas"),
                git: Some(json!(3)),
                live: Some(json!(replicas)),
                attribution: by("kubectl", Some("scale"), 2),
            },
            FieldDrift {
                rating: None,
                path: path("spec.template.spec.containers"),
                git: Some(json!("nginx:1.27")),
                live: Some(json!("nginx:1.28")),
                attribution: by("kubectl-set", None, 3),
            },
        ],
    )
}

fn report_of(resources: Vec<ResourceReport>, contexts: &[&str]) -> Report {
    let contexts = contexts
        .iter()
        .map(|c| {
            let mut summary = ContextSummary {
                context: c.to_string(),
                target: Some(c.to_string()),
                commit: Some(COMMIT.to_string()),
                ..ContextSummary::default()
            };
            summary.count(&resources);
            summary
        })
        .collect();
    Report {
        resources,
        contexts,
    }
}

/// production: web drifted (replicas as given), db Secret drifted, a ConfigMap missing,
/// one Service in sync.
fn drifted(replicas: u64) -> Report {
    report_of(
        vec![
            web("production", replicas),
            secret("production"),
            resource(
                "production",
                identity("", "ConfigMap", Some("shop"), "settings"),
                Status::Missing,
                vec![],
            ),
            resource(
                "production",
                identity("", "Service", Some("shop"), "web"),
                Status::InSync,
                vec![],
            ),
        ],
        &["production"],
    )
}

fn clean() -> Report {
    report_of(
        vec![resource(
            "production",
            identity("apps", "Deployment", Some("shop"), "web"),
            Status::InSync,
            vec![],
        )],
        &["production"],
    )
}

fn assert_no_secret(text: &str) {
    for value in SECRET_VALUES {
        assert!(
            !text.contains(value),
            "secret value {value} leaked:\n{text}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// An HTTP server that records requests

#[derive(Debug, Clone)]
struct Request {
    method: String,
    path: String,
    headers: HashMap<String, String>,
    body: String,
}

struct HttpServer {
    port: u16,
    requests: Arc<Mutex<Vec<Request>>>,
}

impl HttpServer {
    /// Answers every request with `status`.
    fn start(status: u16) -> HttpServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorded = requests.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let recorded = recorded.clone();
                std::thread::spawn(move || serve(stream, status, &recorded));
            }
        });
        HttpServer { port, requests }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }
}

fn serve(mut stream: TcpStream, status: u16, recorded: &Mutex<Vec<Request>>) {
    stream
        .set_read_timeout(Some(StdDuration::from_secs(10)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let path = parts.next().unwrap_or_default().to_string();
    let mut headers = HashMap::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).unwrap();
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_string());
        }
    }
    let length: usize = headers
        .get("content-length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    let answer = if status == 200 {
        "ok".to_string()
    } else {
        // An error page that quotes the secret path, as some servers do.
        format!("internal error handling {path}")
    };
    recorded.lock().unwrap().push(Request {
        method,
        path,
        headers,
        body: String::from_utf8(body).unwrap(),
    });
    let _ = write!(
        stream,
        "HTTP/1.1 {status} Whatever\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
        answer.len()
    );
}

/// A port nothing listens on.
fn dead_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

fn settings(channels: Vec<Channel>) -> NotifySettings {
    NotifySettings {
        channels,
        ..NotifySettings::default()
    }
}

fn all_ok(deliveries: &[Delivery]) {
    for d in deliveries {
        assert!(d.result.is_ok(), "{}: {:?}", d.channel, d.result);
    }
}

// ---------------------------------------------------------------------------------------
// Slack and webhook

#[tokio::test]
async fn slack_and_webhook_posts() {
    let server = HttpServer::start(200);
    let settings = settings(vec![
        Channel::Slack(server.url(SLACK_PATH)),
        Channel::Webhook(server.url(HOOK_PATH)),
    ]);
    let deliveries = notify(&drifted(5), &settings, now()).await.unwrap();
    assert_eq!(deliveries.len(), 2);
    all_ok(&deliveries);
    assert_eq!(deliveries[0].channel, "slack");
    assert_eq!(
        deliveries[1].channel,
        format!("webhook http://127.0.0.1:{}/…", server.port)
    );

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let by_path = |p: &str| requests.iter().find(|r| r.path == p).unwrap().clone();
    for r in &requests {
        assert_eq!(r.method, "POST");
        assert_eq!(r.headers["content-type"], "application/json");
        assert!(r.headers["user-agent"].starts_with("kubectl-drift/"));
        assert_no_secret(&r.body);
        assert!(
            !r.body.contains("weak"),
            "a Secret's note leaked: {}",
            r.body
        );
    }

    // Slack: a header, one section per context, a context block with the commit.
    let slack: Value = serde_json::from_str(&by_path(SLACK_PATH).body).unwrap();
    assert_eq!(
        slack["text"],
        "kubectl-drift: 2 drifted, 1 missing in production"
    );
    let blocks = slack["blocks"].as_array().unwrap();
    assert_eq!(blocks.len(), 3, "{slack:#}");
    assert_eq!(blocks[0]["type"], "header");
    assert_eq!(blocks[0]["text"]["type"], "plain_text");
    assert_eq!(blocks[1]["type"], "section");
    assert_eq!(blocks[1]["text"]["type"], "mrkdwn");
    let section = blocks[1]["text"]["text"].as_str().unwrap();
    for expected in [
        "*production*: 2 drifted, 1 missing, 1 in sync",
        "`Deployment shop/web` Drifted",
        "`spec.replicas: 3 → 5`",
        "kubectl (scale) · Update · 2026-03-01 10:00 UTC",
        "`Secret shop/db` Drifted",
        "`data.password (value hidden)`",
        "last-applied-configuration\"] (value hidden)",
        "`ConfigMap shop/settings` Missing",
    ] {
        assert!(
            section.contains(expected),
            "{expected:?} not in:\n{section}"
        );
    }
    assert!(!section.contains("Service shop/web"), "{section}");
    assert_eq!(blocks[2]["type"], "context");
    let footer = blocks[2]["elements"][0]["text"].as_str().unwrap();
    assert!(footer.contains("Git `3f9c2a1`"), "{footer}");

    // The webhook document: the report's own shapes, drifted resources only.
    let hook: Value = serde_json::from_str(&by_path(HOOK_PATH).body).unwrap();
    assert_eq!(hook["apiVersion"], "kubectl-drift/v1");
    assert_eq!(hook["kind"], "DriftAlert");
    assert_eq!(hook["state"], "drift");
    assert_eq!(hook["at"], "2026-03-01T12:00:00Z");
    assert_eq!(hook["more_resources"], 0);
    let context = &hook["summary"][0];
    assert_eq!(context["context"], "production");
    assert_eq!(context["target"], "production");
    assert_eq!(context["commit"], COMMIT);
    assert_eq!(context["drifted"], 2);
    assert_eq!(context["missing"], 1);
    assert_eq!(context["in_sync"], 1);
    let resources = hook["resources"].as_array().unwrap();
    let names: Vec<String> = resources
        .iter()
        .map(|r| format!("{} {} {}", r["kind"], r["name"], r["status"]))
        .collect();
    assert_eq!(
        names,
        [
            r#""Deployment" "web" "Drifted""#,
            r#""Secret" "db" "Drifted""#,
            r#""ConfigMap" "settings" "Missing""#
        ]
    );
    assert_eq!(
        resources[0]["fields"][0],
        json!({"path": "spec.replicas", "git": 3, "live": 5, "manager": "kubectl",
               "operation": "Update", "subresource": "scale", "time": "2026-03-01T10:00:00Z",
               "severity": "low", "rule": "replicas"})
    );
    assert_eq!(resources[0]["severity"], "medium");
    assert_eq!(resources[0]["context"], "production");
    assert_eq!(resources[0]["namespace"], "shop");
    assert_eq!(resources[0]["group"], "apps");
    assert_eq!(resources[0]["origin"]["file"], "deploy/app.yaml");
    assert_eq!(resources[0]["more_fields"], 0);
    // The same resource as the report's JSON has it, but for the bound on fields.
    let mut out = Vec::new();
    let style = kubectl_drift::report::Style {
        color: false,
        width: 100,
        now: now(),
    };
    kubectl_drift::render::json::render(&drifted(5), &style, &mut out).unwrap();
    let document: Value = serde_json::from_slice(&out).unwrap();
    let mut same = resources[0].clone();
    same.as_object_mut().unwrap().remove("more_fields");
    assert!(
        document["resources"].as_array().unwrap().contains(&same),
        "{same}"
    );
    // A Secret's fields: paths and attribution, no values at all, and no note.
    for field in resources[1]["fields"].as_array().unwrap() {
        assert!(
            field.get("git").is_none() && field.get("live").is_none(),
            "{field}"
        );
        assert!(field["path"].as_str().is_some());
    }
    assert_eq!(resources[1]["message"], Value::Null);
}

// ---------------------------------------------------------------------------------------
// Email through aiosmtpd

struct SmtpServer {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl SmtpServer {
    /// Starts tests/support/notify/smtp_server.py; fails, never skips, without aiosmtpd.
    fn start(credentials: Option<(&str, &str)>) -> SmtpServer {
        let check = Command::new("python3")
            .args(["-c", "import aiosmtpd"])
            .output()
            .unwrap_or_else(|e| panic!("python3 is needed for the SMTP tests: {e}"));
        assert!(
            check.status.success(),
            "the SMTP tests need aiosmtpd: pip install aiosmtpd\n{}",
            String::from_utf8_lossy(&check.stderr)
        );
        let dir = tempfile::tempdir().unwrap();
        let port = dead_port();
        let script =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/notify/smtp_server.py");
        let mut command = Command::new("python3");
        command.arg(&script).arg(port.to_string()).arg(dir.path());
        if let Some((user, password)) = credentials {
            command.args([user, password]);
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx
            .recv_timeout(StdDuration::from_secs(30))
            .unwrap_or_default();
        if line.trim() != "ready" {
            let _ = child.kill();
            panic!("the SMTP server did not start: {line:?}");
        }
        SmtpServer { child, port, dir }
    }

    fn smtp(&self, credentials: Option<(&str, &str)>) -> Smtp {
        Smtp {
            server: "127.0.0.1".to_string(),
            port: self.port,
            starttls: false,
            username: credentials.map(|c| c.0.to_string()),
            password: credentials.map(|c| c.1.to_string()),
            from: "kubectl-drift <drift@example.com>".to_string(),
        }
    }

    /// The messages received, in order.
    fn messages(&self) -> Vec<Value> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|f| serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap())
            .collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn email_over_smtp() {
    let server = SmtpServer::start(None);
    let mut settings = settings(vec![Channel::Email("ops@example.com".to_string())]);
    settings.smtp = Some(server.smtp(None));
    let deliveries = notify(&drifted(5), &settings, now()).await.unwrap();
    assert_eq!(deliveries.len(), 1);
    all_ok(&deliveries);
    assert_eq!(deliveries[0].channel, "email ops@example.com");

    let messages = server.messages();
    assert_eq!(messages.len(), 1);
    let m = &messages[0];
    assert_eq!(m["mail_from"], "drift@example.com");
    assert_eq!(m["rcpt_tos"], json!(["ops@example.com"]));
    assert_eq!(
        m["subject"],
        "kubectl-drift: 2 drifted, 1 missing in production"
    );
    assert_eq!(m["to"], "ops@example.com");
    assert!(m["from"].as_str().unwrap().contains("drift@example.com"));
    assert_eq!(m["content_type"], "text/plain");
    let body = m["body"].as_str().unwrap();
    for expected in [
        "production: 2 drifted, 1 missing, 1 in sync · Git 3f9c2a1",
        &format!("commit {COMMIT}"),
        "Deployment shop/web: Drifted (deploy/app.yaml:1)",
        "spec.replicas: 3 → 5",
        "by kubectl (scale) · Update · 2026-03-01 10:00 UTC",
        "Secret shop/db: Drifted",
        "data.password (value hidden)",
        "ConfigMap shop/settings: Missing",
    ] {
        assert!(body.contains(expected), "{expected:?} not in:\n{body}");
    }
    assert!(!body.contains("Service shop/web"), "{body}");
    assert_no_secret(body);
    assert_no_secret(m["data"].as_str().unwrap());
    assert!(!body.contains("weak"), "{body}");
}

#[tokio::test]
async fn email_with_auth() {
    let credentials = ("drift", SMTP_PASSWORD);
    let server = SmtpServer::start(Some(credentials));
    let mut settings = settings(vec![Channel::Email("ops@example.com".to_string())]);
    settings.smtp = Some(server.smtp(Some(credentials)));
    let deliveries = notify(&drifted(5), &settings, now()).await.unwrap();
    all_ok(&deliveries);
    let messages = server.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["login"], "drift");

    // A wrong password is permanent: one try, and the password is not in the error.
    settings.smtp = Some(server.smtp(Some(("drift", "wrong-pa55word"))));
    let deliveries = notify(&drifted(5), &settings, now()).await.unwrap();
    let error = deliveries[0].result.clone().unwrap_err();
    assert!(
        error.starts_with("email ops@example.com: via 127.0.0.1:"),
        "{error}"
    );
    assert!(
        error.contains("535") && error.contains("tried once"),
        "{error}"
    );
    assert!(!error.contains("wrong-pa55word"), "{error}");
    assert_eq!(server.messages().len(), 1);

    // STARTTLS required and not offered: nothing is sent, the password included.
    let mut smtp = server.smtp(Some(credentials));
    smtp.starttls = true;
    settings.smtp = Some(smtp);
    let deliveries = notify(&drifted(5), &settings, now()).await.unwrap();
    let error = deliveries[0].result.clone().unwrap_err();
    assert!(error.to_lowercase().contains("starttls"), "{error}");
    assert!(!error.contains(SMTP_PASSWORD), "{error}");
    assert_eq!(server.messages().len(), 1);
}

#[tokio::test]
async fn settings_that_cannot_work_are_errors() {
    let mut settings = settings(vec![Channel::Email("ops@example.com".to_string())]);
    let err = notify(&drifted(5), &settings, now()).await.unwrap_err();
    assert!(matches!(err, NotifyError::NoSmtp(_)), "{err}");
    // A password in the clear to another machine is refused before anything is sent.
    settings.smtp = Some(Smtp {
        server: "smtp.example.com".to_string(),
        port: 25,
        starttls: false,
        username: Some("drift".to_string()),
        password: Some(SMTP_PASSWORD.to_string()),
        from: "drift@example.com".to_string(),
    });
    let err = notify(&drifted(5), &settings, now()).await.unwrap_err();
    assert!(matches!(err, NotifyError::PlainTextAuth(_)), "{err}");
    assert!(!err.to_string().contains(SMTP_PASSWORD));
}

// ---------------------------------------------------------------------------------------
// When to send

#[tokio::test]
async fn state_file_dedupes_and_resolves() {
    let server = HttpServer::start(200);
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state/notify.json");
    let mut settings = settings(vec![Channel::Webhook(server.url(HOOK_PATH))]);
    settings.state_file = Some(state.clone());
    settings.every = Some(StdDuration::from_secs(3600));
    settings.on_resolve = true;
    let t0 = now();
    let sent = |deliveries: &[Delivery]| {
        all_ok(deliveries);
        deliveries.len()
    };

    // First drift: sent, and remembered.
    assert_eq!(sent(&notify(&drifted(5), &settings, t0).await.unwrap()), 1);
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&state).unwrap()).unwrap();
    assert_eq!(saved["version"], 1);
    // One entry per channel: the run's contexts, the channel's label and a short hash.
    let scopes = saved["scopes"].as_object().unwrap();
    assert_eq!(scopes.len(), 1, "{saved}");
    let (key, entry) = scopes.iter().next().unwrap();
    assert!(
        key.starts_with("production|webhook http://127.0.0.1:"),
        "{key}"
    );
    assert!(entry["fingerprint"]
        .as_str()
        .unwrap()
        .starts_with("sha256:"));
    assert_eq!(entry["last_alert"], "2026-03-01T12:00:00Z");
    assert_eq!(entry["last_alert_drift"], true);
    assert_no_secret(&saved.to_string());

    // The same drift a minute later: nothing.
    let t1 = t0 + Duration::minutes(1);
    assert_eq!(sent(&notify(&drifted(5), &settings, t1).await.unwrap()), 0);
    // Changed drift: sent.
    let t2 = t0 + Duration::minutes(2);
    assert_eq!(sent(&notify(&drifted(6), &settings, t2).await.unwrap()), 1);
    // Unchanged, before `every` has passed since the last alert: nothing; after: again.
    let t3 = t2 + Duration::minutes(59);
    assert_eq!(sent(&notify(&drifted(6), &settings, t3).await.unwrap()), 0);
    let t4 = t2 + Duration::hours(1) + Duration::seconds(1);
    assert_eq!(sent(&notify(&drifted(6), &settings, t4).await.unwrap()), 1);
    // Gone: one "resolved" message; clean again: nothing.
    let t5 = t4 + Duration::minutes(1);
    assert_eq!(sent(&notify(&clean(), &settings, t5).await.unwrap()), 1);
    let t6 = t5 + Duration::hours(5);
    assert_eq!(sent(&notify(&clean(), &settings, t6).await.unwrap()), 0);
    // The same drift as before, back: alerted again.
    let t7 = t6 + Duration::minutes(1);
    assert_eq!(sent(&notify(&drifted(6), &settings, t7).await.unwrap()), 1);

    let bodies: Vec<Value> = server
        .requests()
        .iter()
        .map(|r| serde_json::from_str(&r.body).unwrap())
        .collect();
    let states: Vec<&str> = bodies
        .iter()
        .map(|b| b["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["drift", "drift", "drift", "resolved", "drift"]);
    let resolved = &bodies[3];
    assert_eq!(resolved["headline"], "drift resolved in production");
    assert_eq!(resolved["resources"], json!([]));
    assert_eq!(resolved["summary"][0]["in_sync"], 1);

    // Without a state file every run with drift alerts, and a clean run never does.
    settings.state_file = None;
    assert_eq!(sent(&notify(&drifted(6), &settings, t7).await.unwrap()), 1);
    assert_eq!(sent(&notify(&drifted(6), &settings, t7).await.unwrap()), 1);
    assert_eq!(sent(&notify(&clean(), &settings, t7).await.unwrap()), 0);

    // A corrupt state file is an error naming it, before anything is sent.
    std::fs::write(&state, "{\"version\": 1, \"scopes\": ").unwrap();
    settings.state_file = Some(state.clone());
    let before = server.requests().len();
    let err = notify(&drifted(7), &settings, t7).await.unwrap_err();
    assert!(matches!(err, NotifyError::StateCorrupt { .. }), "{err}");
    assert!(err.to_string().contains("notify.json"), "{err}");
    assert_eq!(server.requests().len(), before);
}

// ---------------------------------------------------------------------------------------
// Failures

#[tokio::test]
async fn dead_endpoints_fail_in_bounded_time() {
    let failing = HttpServer::start(500);
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("notify.json");
    let mut settings = settings(vec![
        Channel::Slack(format!("http://127.0.0.1:{}{SLACK_PATH}", dead_port())),
        Channel::Webhook(failing.url(HOOK_PATH)),
    ]);
    settings.state_file = Some(state.clone());

    let started = Instant::now();
    let deliveries = notify(&drifted(5), &settings, now()).await.unwrap();
    let elapsed = started.elapsed();
    assert!(elapsed < StdDuration::from_secs(10), "took {elapsed:?}");
    assert_eq!(deliveries.len(), 2);

    let refused = deliveries[0].result.clone().unwrap_err();
    assert!(
        refused.starts_with("slack: cannot connect: Connection refused"),
        "{refused}"
    );
    assert!(refused.contains("tried 3 times"), "{refused}");
    let answered = deliveries[1].result.clone().unwrap_err();
    let host = format!("webhook http://127.0.0.1:{}/…", failing.port);
    assert!(
        answered.starts_with(&format!("{host}: HTTP 500 Internal Server Error: ")),
        "{answered}"
    );
    assert_eq!(answered.matches(&host).count(), 1, "{answered}");
    assert!(answered.contains("tried 3 times"), "{answered}");
    assert_eq!(failing.requests().len(), 3);
    for error in [&refused, &answered] {
        for secret in [
            "T0SECRET",
            "B0SECRET",
            "xoxb-slack-token",
            "hook-token-42",
            "deadbeefcafe",
        ] {
            assert!(!error.contains(secret), "{secret} in {error}");
        }
    }

    // Nothing got through: each channel is remembered as failed, and tried again after a
    // backoff (30 s after the first failure, then doubling), not every run.
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&state).unwrap()).unwrap();
    for entry in saved["scopes"].as_object().unwrap().values() {
        assert_eq!(entry["failures"], 1, "{saved}");
        assert_eq!(entry["retry_at"], "2026-03-01T12:00:30Z", "{saved}");
        assert_eq!(entry["fingerprint"], Value::Null, "{saved}");
    }
    let soon = now() + Duration::seconds(10);
    assert!(notify(&drifted(5), &settings, soon)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(failing.requests().len(), 3);
    let later = now() + Duration::seconds(31);
    let deliveries = notify(&drifted(5), &settings, later).await.unwrap();
    assert_eq!(deliveries.len(), 2);
    assert_eq!(failing.requests().len(), 6);
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&state).unwrap()).unwrap();
    for entry in saved["scopes"].as_object().unwrap().values() {
        assert_eq!(entry["failures"], 2, "{saved}");
        assert_eq!(entry["retry_at"], "2026-03-01T12:01:31Z", "{saved}");
    }
    // A state whose retry time is further off than any backoff (corrupted, or edited by
    // hand) does not mute the channels: they are tried now.
    let text = std::fs::read_to_string(&state).unwrap();
    std::fs::write(
        &state,
        text.replace("2026-03-01T12:01:31Z", "9999-01-01T00:00:00Z"),
    )
    .unwrap();
    let deliveries = notify(&drifted(5), &settings, later + Duration::seconds(1))
        .await
        .unwrap();
    assert_eq!(deliveries.len(), 2, "{deliveries:?}");
    assert_eq!(failing.requests().len(), 9);
}

#[tokio::test]
async fn a_channel_that_failed_is_retried_alone_and_the_others_are_not_sent_again() {
    let good = HttpServer::start(200);
    let flaky = HttpServer::start(500);
    let dir = tempfile::tempdir().unwrap();
    let mut settings = settings(vec![
        Channel::Webhook(good.url(HOOK_PATH)),
        Channel::Webhook(flaky.url(HOOK_PATH)),
    ]);
    settings.state_file = Some(dir.path().join("notify.json"));
    let t0 = now();
    let first = notify(&drifted(5), &settings, t0).await.unwrap();
    assert_eq!(first.iter().filter(|d| d.result.is_ok()).count(), 1);
    assert_eq!((good.requests().len(), flaky.requests().len()), (1, 3));
    // After the backoff only the channel that missed the alert gets it.
    let t1 = t0 + Duration::minutes(1);
    let second = notify(&drifted(5), &settings, t1).await.unwrap();
    assert_eq!(second.len(), 1, "{second:?}");
    assert_eq!((good.requests().len(), flaky.requests().len()), (1, 6));
    // The drift resolves before it ever got through: it is not sent any more.
    let t2 = t1 + Duration::hours(1);
    assert!(notify(&clean(), &settings, t2).await.unwrap().is_empty());
    let t3 = t2 + Duration::hours(1);
    assert!(notify(&clean(), &settings, t3).await.unwrap().is_empty());
    assert_eq!((good.requests().len(), flaky.requests().len()), (1, 6));
}
