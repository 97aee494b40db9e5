//! A hostile or broken API server, or hostile live values, must not hurt the person running
//! kubectl drift: no Secret value in any output, no hang on a frozen server, errors that
//! name their cause, no escape sequences from the cluster on the terminal.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;

use base64::Engine;

use crate::common::*;

/// Fails when `text` holds the secret in clear or in base64.
fn assert_no_secret(what: &str, text: &str, secret: &str) {
    let b64 = base64::engine::general_purpose::STANDARD.encode(secret);
    assert!(
        !text.contains(secret),
        "{what} prints the Secret's value {secret}:\n{text}"
    );
    assert!(
        !text.contains(&b64),
        "{what} prints the Secret's value in base64 ({b64}):\n{text}"
    );
}

#[test]
fn a_secret_value_in_a_server_message_reaches_no_output() {
    let ns = namespace("hostile-secret", &["staging"]);
    // The value is a YAML number: the server refuses it and quotes it in its message.
    let value = "987654321";
    let live = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\nstringData: {password: old-value}\n";
    let git = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\n  namespace: {ns}\nstringData:\n  password: {value}\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: fresh\n  namespace: {ns}\nstringData:\n  token: {value}\n"
    );
    apply("staging", &ns, live);
    let repo = git_repo(&[("k8s/creds.yaml", &git)]);
    let repo_path = repo.path().to_str().unwrap();
    let base = [
        "check",
        "--repo",
        repo_path,
        "--path",
        "k8s",
        "--context",
        "staging",
        "-n",
        &ns,
    ];
    let mut seen_error = false;
    for format in [
        "side-by-side",
        "unified",
        "json",
        "summary",
        "junit",
        "html",
    ] {
        let mut args = base.to_vec();
        args.extend(["-o", format]);
        let (code, out, err) = run_drift(&args);
        assert_eq!(
            code, 2,
            "-o {format}: the refused dry run is an error\n{out}{err}"
        );
        assert_no_secret(&format!("-o {format} stdout"), &out, value);
        assert_no_secret(&format!("-o {format} stderr"), &err, value);
        if format == "json" {
            // The reduced message still says where and why.
            assert!(out.contains("stringData.password"), "{out}");
            seen_error = true;
        }
    }
    assert!(seen_error);

    // Report files and alerts.
    let dir = tempfile::tempdir().unwrap();
    let reports = dir.path().join("reports");
    let (url, bodies) = webhook_receiver("/hook");
    let notify = format!("webhook={url}");
    let mut args = base.to_vec();
    args.extend([
        "--report-dir",
        reports.to_str().unwrap(),
        "--notify",
        &notify,
        "--notify-on-resolve",
    ]);
    let (code, out, err) = run_drift(&args);
    assert_eq!(code, 2, "{out}{err}");
    assert_no_secret(
        "check with --report-dir and --notify",
        &format!("{out}{err}"),
        value,
    );
    let mut files = 0;
    for entry in std::fs::read_dir(&reports).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        assert_no_secret("a --report-dir file", &text, value);
        files += 1;
    }
    assert_eq!(files, 1);
    for body in bodies.lock().unwrap().iter() {
        assert_no_secret("the webhook alert", body, value);
    }

    // fix: the dry run of the live Secret and the dry-run create of the missing one both
    // fail, so both are errors before any write: nothing is attempted.
    let audit = dir.path().join("audit.log");
    let mut args = base.to_vec();
    args[0] = "fix";
    args.extend(["--yes", "--audit-log", audit.to_str().unwrap()]);
    let (code, out, err) = run_drift(&args);
    assert_eq!(code, 2, "a refused object is an error\n{out}{err}");
    assert_no_secret("fix", &format!("{out}{err}"), value);
    assert!(
        format!("{out}{err}").contains("fresh"),
        "the refused object is named:\n{out}{err}"
    );
    let log = std::fs::read_to_string(&audit).unwrap_or_default();
    assert!(!log.contains("fresh"), "no creation was attempted: {log}");
    assert_no_secret("the audit log", &log, value);
    assert!(
        kubectl("staging", &["-n", &ns, "get", "secret", "fresh"])
            .status
            .code()
            != Some(0),
        "nothing was created"
    );
}

/// A testenv of this test's own, for tests that freeze or break its servers: stopped (and
/// every stopped process resumed first) when dropped, whether the test passes or fails.
pub(crate) struct OwnTestenv {
    dir: tempfile::TempDir,
    pub(crate) stopped: Vec<u32>,
}

impl OwnTestenv {
    pub(crate) fn start() -> OwnTestenv {
        let dir = tempfile::tempdir().unwrap();
        let up = std::process::Command::new(root().join("tests/testenv/up"))
            .arg(dir.path())
            .output()
            .expect("cannot run tests/testenv/up");
        assert!(
            up.status.success(),
            "tests/testenv/up failed: {}",
            String::from_utf8_lossy(&up.stderr)
        );
        OwnTestenv {
            dir,
            stopped: Vec::new(),
        }
    }

    fn kubeconfig(&self) -> std::path::PathBuf {
        self.dir.path().join("kubeconfig")
    }

    pub(crate) fn pid(&self, name: &str) -> u32 {
        let file = self.dir.path().join("pids").join(format!("{name}.pid"));
        std::fs::read_to_string(&file)
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()))
            .trim()
            .parse()
            .unwrap()
    }

    /// Freezes a process (`kill -STOP`), as a hung server would be.
    pub(crate) fn freeze(&mut self, name: &str) {
        let pid = self.pid(name);
        self.stopped.push(pid);
        signal(pid, "STOP");
    }

    /// Resumes a process `freeze` (or a test) stopped.
    pub(crate) fn thaw(&mut self, name: &str) {
        let pid = self.pid(name);
        self.stopped.retain(|p| *p != pid);
        signal(pid, "CONT");
    }

    pub(crate) fn drift(&self, args: &[&str]) -> (i32, String, String, std::time::Duration) {
        let started = std::time::Instant::now();
        let out = assert_cmd::Command::cargo_bin("kubectl-drift")
            .unwrap()
            .env("KUBECONFIG", self.kubeconfig())
            .env_remove("NO_COLOR")
            .args(args)
            .timeout(std::time::Duration::from_secs(120))
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
            started.elapsed(),
        )
    }

    pub(crate) fn kubectl(&self, context: &str, args: &[&str], stdin: &str) {
        let mut child = std::process::Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(self.kubeconfig())
            .args(["--context", context])
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "kubectl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

pub(crate) fn signal(pid: u32, name: &str) {
    let _ = std::process::Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status();
}

impl Drop for OwnTestenv {
    fn drop(&mut self) {
        for pid in &self.stopped {
            signal(*pid, "CONT");
        }
        let _ = std::process::Command::new(root().join("tests/testenv/down"))
            .arg(self.dir.path())
            .output();
    }
}

#[test]
fn a_frozen_api_server_fails_its_own_context_within_the_timeout() {
    let mut env = OwnTestenv::start();
    let manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: default\ndata: {mode: one}\n";
    for context in ["staging", "production"] {
        env.kubectl(context, &["apply", "-f", "-"], manifest);
    }
    env.kubectl(
        "staging",
        &[
            "patch",
            "configmap",
            "settings",
            "-p",
            r#"{"data":{"mode":"two"}}"#,
        ],
        "",
    );
    let repo = git_repo(&[("k8s/settings.yaml", manifest)]);
    let repo_path = repo.path().to_str().unwrap();
    env.freeze("production-apiserver");

    let base = [
        "--repo",
        repo_path,
        "--path",
        "k8s",
        "--context",
        "staging",
        "--context",
        "production",
        "--request-timeout",
        "3s",
    ];
    let mut args = vec!["check", "-o", "json"];
    args.extend(base);
    let (code, out, err, took) = env.drift(&args);
    assert_eq!(code, 2, "a frozen context is an error\n{out}{err}");
    assert!(
        took < std::time::Duration::from_secs(20),
        "took {took:?} with --request-timeout 3s"
    );
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let staging = report["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["context"] == "staging")
        .expect("the healthy context is reported");
    assert_eq!(staging["status"], "Drifted", "{out}");
    let production = report["summary"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["context"] == "production")
        .unwrap();
    let error = production["error"].as_str().unwrap_or_default();
    assert!(error.contains("timed out"), "{out}");
    assert!(
        err.contains("context production") && err.contains("3s"),
        "{err}"
    );

    // A watch round likewise.
    let mut args = vec!["watch", "--once"];
    args.extend(base);
    let (code, out, err, took) = env.drift(&args);
    assert_eq!(code, 2, "{out}{err}");
    assert!(took < std::time::Duration::from_secs(20), "took {took:?}");
    assert!(err.contains("timed out"), "{err}");

    // A bare number is seconds, 0 is no limit, and nonsense is refused.
    for bad in ["3x", "-1", "99999999999999999999"] {
        let flag = format!("--request-timeout={bad}");
        let (code, _, err, _) = env.drift(&["check", &flag]);
        assert_eq!(code, 2, "{bad}: {err}");
        assert!(err.contains("--request-timeout"), "{err}");
    }
}

/// Sets the live Secret `creds`'s password, as a person with `kubectl edit` would.
fn set_password(ns: &str, value: &str) {
    let patch = format!(r#"{{"stringData":{{"password":"{value}"}}}}"#);
    kubectl_ok(
        "staging",
        &["-n", ns, "patch", "secret", "creds", "-p", &patch],
    );
}

#[test]
fn accepted_secret_drift_that_changes_again_is_drifted_and_alerted_again() {
    let ns = namespace("hostile-accept", &["staging"]);
    let secret = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\n  namespace: {ns}\nstringData: {{password: git-value}}\n"
    );
    let repo = git_repo(&[("k8s/creds.yaml", &secret)]);
    apply("staging", &ns, &secret);
    set_password(&ns, "hand-1");
    let args = ["--context", "staging", "--path", "k8s", "-n", &ns];
    let check = || {
        let out = drift()
            .current_dir(repo.path())
            .args(["check", "-o", "json"])
            .args(args)
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        (out.status.code(), report["resources"][0].clone())
    };
    let (code, creds) = check();
    assert_eq!((code, creds["status"].as_str()), (Some(1), Some("Drifted")));

    let out = drift()
        .current_dir(repo.path())
        .args(["accept", "secret/creds", "--reason", "rotation"])
        .args(args)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let (code, creds) = check();
    assert_eq!(
        (code, creds["status"].as_str()),
        (Some(0), Some("Accepted")),
        "{creds}"
    );

    // The same key, another value: no longer the drift that was accepted.
    set_password(&ns, "hand-2");
    let (code, creds) = check();
    assert_eq!(
        (code, creds["status"].as_str()),
        (Some(1), Some("Drifted")),
        "{creds}"
    );
    assert!(
        creds["message"]
            .as_str()
            .unwrap_or_default()
            .contains("changed since"),
        "{creds}"
    );

    // The record holds neither the values nor a plain hash of them.
    let record = std::fs::read_to_string(repo.path().join(".kubectl-drift/accepted.yaml")).unwrap();
    for value in ["hand-1", "hand-2"] {
        assert_no_plain_digest("accepted.yaml", &record, value);
    }

    // --state: a second change of a drifted Secret is alerted again.
    let (url, bodies) = webhook_receiver("/hook");
    let state = repo.path().join("state.json");
    let notify = format!("webhook={url}");
    let alert = || {
        let out = drift()
            .current_dir(repo.path())
            .args(["check", "-o", "summary", "--notify", &notify, "--state"])
            .arg(&state)
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        bodies.lock().unwrap().len()
    };
    assert_eq!(alert(), 1);
    assert_eq!(alert(), 1, "the same drift is sent once");
    set_password(&ns, "hand-3");
    assert_eq!(alert(), 2, "a changed Secret value is a new alert");
    let text = std::fs::read_to_string(&state).unwrap();
    for value in ["hand-2", "hand-3"] {
        assert_no_plain_digest("the --state file", &text, value);
    }
    for body in bodies.lock().unwrap().iter() {
        assert_no_secret("an alert", body, "hand-3");
    }
}

/// Fails when `text` holds the value, its base64, or a plain SHA-256 of either.
fn assert_no_plain_digest(what: &str, text: &str, value: &str) {
    use sha2::Digest;
    assert_no_secret(what, text, value);
    let b64 = base64::engine::general_purpose::STANDARD.encode(value);
    for form in [value, b64.as_str()] {
        let digest = format!("{:x}", sha2::Sha256::digest(form.as_bytes()));
        assert!(
            !text.contains(&digest),
            "{what} holds a plain hash of {value}:\n{text}"
        );
    }
}

/// A TLS server on 127.0.0.1 with this certificate chain that completes no request: enough
/// for the client to judge the certificate.
fn tls_server(cert: &rcgen::Certificate, key: &rcgen::KeyPair) -> u16 {
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![cert.der().clone()], key)
    .unwrap();
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let config = config.clone();
            std::thread::spawn(move || {
                let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(20)));
                if let Ok(connection) = rustls::ServerConnection::new(config) {
                    let mut tls = rustls::StreamOwned::new(connection, stream);
                    let mut buf = [0u8; 1024];
                    let _ = tls.read(&mut buf);
                }
            });
        }
    });
    port
}

/// A certificate authority, and its PEM.
fn authority() -> (rcgen::Issuer<'static, rcgen::KeyPair>, String) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let key = KeyPair::generate().unwrap();
    let pem = params.self_signed(&key).unwrap().pem();
    (Issuer::new(params, key), pem)
}

fn server_cert(
    names: &[&str],
    issuer: &rcgen::Issuer<'static, rcgen::KeyPair>,
    expired: bool,
) -> (rcgen::Certificate, rcgen::KeyPair) {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params =
        rcgen::CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
            .unwrap();
    if expired {
        params.not_before = rcgen::date_time_ymd(2020, 1, 1);
        params.not_after = rcgen::date_time_ymd(2020, 2, 1);
    }
    (params.signed_by(&key, issuer).unwrap(), key)
}

#[test]
fn connection_errors_name_their_cause() {
    let b64 = |pem: &str| base64::engine::general_purpose::STANDARD.encode(pem);
    let (ca, ca_pem) = authority();
    let (other_ca, other_pem) = authority();
    drop(other_ca);
    let (good, good_key) = server_cert(&["127.0.0.1", "localhost"], &ca, false);
    let (wrong_name, wrong_key) = server_cert(&["wrong.example"], &ca, false);
    let (expired, expired_key) = server_cert(&["127.0.0.1", "localhost"], &ca, true);
    let good = tls_server(&good, &good_key);
    let wrong_name = tls_server(&wrong_name, &wrong_key);
    let expired = tls_server(&expired, &expired_key);
    let refused = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    // Accepts connections and never answers.
    let stalled = TcpListener::bind("127.0.0.1:0").unwrap();
    let stall = stalled.local_addr().unwrap().port();

    // The real staging server, for credentials it refuses or lacks.
    let env_kubeconfig: serde_json::Value =
        kubectl_drift::yaml::read(&std::fs::read_to_string(&testenv().kubeconfig).unwrap())
            .unwrap();
    let staging = env_kubeconfig["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "staging")
        .unwrap()["cluster"]
        .clone();
    let staging_server = staging["server"].as_str().unwrap();
    let staging_ca = staging["certificate-authority-data"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| {
            let file = staging["certificate-authority"].as_str().unwrap();
            b64(&std::fs::read_to_string(file).unwrap())
        });
    let admin_token = env_kubeconfig["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == "staging-admin")
        .unwrap()["user"]["token"]
        .as_str()
        .unwrap()
        .to_string();

    let cluster = |name: &str, server: String, ca: Option<String>, insecure: bool| {
        let mut c = serde_json::json!({"server": server});
        if let Some(ca) = ca {
            c["certificate-authority-data"] = ca.into();
        }
        if insecure {
            c["insecure-skip-tls-verify"] = true.into();
        }
        serde_json::json!({"name": name, "cluster": c})
    };
    let url = |port: u16| format!("https://127.0.0.1:{port}");
    let clusters = vec![
        cluster("unknown-ca", url(good), Some(b64(&other_pem)), false),
        cluster("no-ca", url(good), None, false),
        cluster("mismatch", url(wrong_name), Some(b64(&ca_pem)), false),
        cluster("expired", url(expired), Some(b64(&ca_pem)), false),
        cluster("refused", url(refused), Some(b64(&ca_pem)), false),
        cluster("stall", url(stall), Some(b64(&ca_pem)), false),
        cluster(
            "unauthorized",
            staging_server.into(),
            Some(staging_ca.clone()),
            false,
        ),
        cluster(
            "anonymous",
            staging_server.into(),
            Some(staging_ca.clone()),
            false,
        ),
        cluster("insecure", staging_server.into(), None, true),
    ];
    let names: Vec<String> = clusters
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect();
    let users = serde_json::json!([
        {"name": "nobody", "user": {}},
        {"name": "bad-token", "user": {"token": "not-a-valid-token"}},
        {"name": "admin", "user": {"token": admin_token}},
    ]);
    let contexts: Vec<serde_json::Value> = names
        .iter()
        .map(|n| {
            let user = match n.as_str() {
                "unauthorized" => "bad-token",
                "anonymous" => "nobody",
                "insecure" => "admin",
                _ => "nobody",
            };
            serde_json::json!({"name": n, "context": {"cluster": n, "user": user, "namespace": "default"}})
        })
        .collect();
    let kubeconfig = serde_json::json!({
        "apiVersion": "v1", "kind": "Config", "clusters": clusters, "users": users,
        "contexts": contexts, "current-context": "insecure",
    });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kubeconfig");
    std::fs::write(&path, serde_json::to_string(&kubeconfig).unwrap()).unwrap();

    let ns = namespace("hostile-tls", &["staging"]);
    let manifest = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: {ns}\ndata: {{mode: one}}\n"
    );
    apply("staging", &ns, &manifest);
    let repo = git_repo(&[("k8s/settings.yaml", &manifest)]);
    let mut args = vec![
        "check".to_string(),
        "-o".into(),
        "json".into(),
        "--repo".into(),
        repo.path().display().to_string(),
        "--request-timeout".into(),
        "2s".into(),
    ];
    for n in &names {
        args.extend(["--context".to_string(), n.clone()]);
    }
    let started = std::time::Instant::now();
    let out = drift()
        .env("KUBECONFIG", &path)
        .args(&args)
        .output()
        .unwrap();
    let took = started.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    assert!(took < std::time::Duration::from_secs(30), "took {took:?}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let error = |context: &str| -> String {
        let summary = report["summary"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["context"] == context)
            .unwrap_or_else(|| panic!("no summary for {context}: {stdout}"));
        let resources: Vec<String> = report["resources"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["context"] == context)
            .filter_map(|r| r["message"].as_str().map(str::to_string))
            .collect();
        format!(
            "{} {}",
            summary["error"].as_str().unwrap_or_default(),
            resources.join(" ")
        )
    };
    for (context, wanted) in [
        ("unknown-ca", "unknown authority"),
        ("no-ca", "unknown authority"),
        ("mismatch", "name mismatch"),
        ("expired", "expired"),
        ("refused", "connection refused"),
        ("stall", "timed out"),
        ("unauthorized", "401 Unauthorized"),
        ("anonymous", "403 Forbidden"),
    ] {
        let text = error(context);
        assert!(
            text.contains(wanted),
            "{context}: wanted {wanted:?} in {text:?}"
        );
        assert!(
            !text.contains("Status {") && !text.contains("ServiceError"),
            "{context}: {text}"
        );
    }
    // 403 names the user and the verb.
    let text = error("anonymous");
    assert!(
        text.contains("system:anonymous") && text.contains("get"),
        "{text}"
    );
    // Insecure works, and says so on stderr.
    assert_eq!(error("insecure").trim(), "", "{stdout}");
    assert!(
        stderr.contains("warning")
            && stderr.contains("insecure-skip-tls-verify")
            && stderr.contains("insecure"),
        "{stderr}"
    );
    drop(stalled);
}

#[test]
fn control_characters_from_the_cluster_reach_the_terminal_escaped() {
    let ns = namespace("hostile-tty", &["staging"]);
    let manifest = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: {ns}\ndata:\n  mode: one\n  banner: plain\n"
    );
    apply("staging", &ns, &manifest);
    let repo = git_repo(&[("k8s/settings.yaml", &manifest)]);
    // A hand-edited value that retitles the window, clears the screen and hides the rest;
    // C1 and bidirectional controls too.
    let patch = r#"{"data":{"mode":"\u001b]0;owned\u0007\u001b[2J\u001b[8m","banner":"a\u009b31mb\u202ec\rd"}}"#;
    kubectl_ok(
        "staging",
        &["-n", &ns, "patch", "configmap", "settings", "-p", patch],
    );
    let base = [
        "--repo",
        repo.path().to_str().unwrap(),
        "--path",
        "k8s",
        "--context",
        "staging",
        "-n",
        &ns,
        "--color",
        "never",
    ];
    let dangerous = |text: &str| {
        text.chars()
            .any(|c| c.is_control() && c != '\n' || ('\u{202a}'..='\u{202e}').contains(&c))
    };
    for format in ["side-by-side", "unified", "summary"] {
        for width in ["80", "200"] {
            let mut args = vec!["check", "-o", format, "--width", width];
            args.extend(base);
            let (code, out, err) = run_drift(&args);
            assert_eq!(code, 1, "{out}{err}");
            assert!(
                !dangerous(&out),
                "-o {format}: raw control characters:\n{out:?}"
            );
            assert!(!dangerous(&err), "-o {format}: {err:?}");
            if format != "summary" {
                assert!(
                    out.contains(r"\x1b") || out.contains(r"\e"),
                    "-o {format}: the value still shows, escaped:\n{out}"
                );
            }
        }
    }
    let mut args = vec!["fix", "--dry-run"];
    args.extend(base);
    let (code, out, err) = run_drift(&args);
    assert_eq!(code, 1, "{out}{err}");
    assert!(!dangerous(&out) && !dangerous(&err), "fix: {out:?}{err:?}");

    // A role binding whose subject's name carries escape sequences: `rbac` names it.
    let binding = format!(
        r#"{{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{{"name":"tty-edit","namespace":"{ns}"}},"roleRef":{{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"edit"}},"subjects":[{{"apiGroup":"rbac.authorization.k8s.io","kind":"User","name":"mallory\u001b]0;owned\u0007\u001b[2J"}}]}}"#
    );
    apply("staging", &ns, &binding);
    let mut args = vec!["rbac"];
    args.extend(&base[..base.len() - 2]);
    let (code, out, err) = run_drift(&args);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains(r"User mallory\x1b]0;owned"), "{out}");
    assert!(!dangerous(&out) && !dangerous(&err), "rbac: {out:?}{err:?}");

    // A saved report is a file like any other: `history` escapes what it holds.
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec![
        "check",
        "-o",
        "summary",
        "--report-dir",
        dir.path().to_str().unwrap(),
    ];
    args.extend(base);
    let (code, out, err) = run_drift(&args);
    assert_eq!(code, 1, "{out}{err}");
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let text = std::fs::read_to_string(&path).unwrap();
            let text = text.replace("\"staging\"", "\"stag\\u001b[2Jing\"");
            std::fs::write(&path, text).unwrap();
        }
    }
    let (code, out, err) = run_drift(&["history", "--report-dir", dir.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains(r"stag\x1b[2Jing"), "{out}");
    assert!(
        !dangerous(&out) && !dangerous(&err),
        "history: {out:?}{err:?}"
    );
}

#[test]
fn a_missing_object_created_by_someone_else_meanwhile_is_not_merged_into() {
    use crate::fix::{audit_lines, choose, exit_code, fix_in_pty};
    let ns = namespace("hostile-create", &["staging"]);
    let manifest = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: late\n  namespace: {ns}\ndata:\n  mode: ours\n  git-only: from-git\n"
    );
    let repo = git_repo(&[("k8s/late.yaml", &manifest)]);
    let audit = repo.path().join("audit.log");
    let mut s = fix_in_pty(
        repo.path(),
        &audit,
        &[
            "cm/late",
            "--context",
            "staging",
            "--path",
            "k8s",
            "-n",
            &ns,
        ],
    );
    s.exp_string("Missing").unwrap();
    s.exp_string("create it from Git").unwrap();
    // Someone creates the object while the prompt is open, with none of Git's fields: an
    // apply would merge into it without a conflict.
    kubectl_ok(
        "staging",
        &[
            "-n",
            &ns,
            "create",
            "configmap",
            "late",
            "--from-literal=other=theirs",
        ],
    );
    choose(&mut s, 0);
    s.exp_string("changed since its diff was shown; nothing was written")
        .unwrap();
    s.exp_string("theirs").unwrap();
    s.exp_string("apply the Git state").unwrap();
    choose(&mut s, 1); // skip
    assert_eq!(exit_code(&mut s), 1);
    let data = kubectl_ok(
        "staging",
        &[
            "-n",
            &ns,
            "get",
            "configmap",
            "late",
            "-o",
            "jsonpath={.data}",
        ],
    );
    assert_eq!(
        data, r#"{"other":"theirs"}"#,
        "nothing of Git was merged in"
    );
    let outcomes: Vec<String> = audit_lines(&audit)
        .iter()
        .map(|l| l["outcome"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(outcomes, ["intent", "changed-since-diff"]);
}

#[test]
fn out_of_range_widths_and_concurrency_are_refused() {
    for (flag, value) in [
        ("--width", "10000000"),
        ("--width", "18446744073709551615"),
        ("--width", "18446744073709551616"),
        ("--width", "39"),
        ("--concurrency", "99999999999"),
        ("--concurrency", "0"),
        ("--concurrency", "257"),
    ] {
        let (code, out, err) = run_drift(&["check", "--context", "staging", flag, value]);
        assert_eq!(code, 2, "{flag} {value}: {err}");
        assert!(err.contains(flag), "{flag} {value}: {err}");
        assert!(
            out.len() < 1000,
            "{flag} {value}: printed {} bytes",
            out.len()
        );
    }
    // The largest allowed width works, and no line is wider.
    let ns = namespace("hostile-width", &["staging"]);
    let manifest = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: {ns}\ndata: {{mode: one}}\n"
    );
    apply("staging", &ns, &manifest);
    set_mode(&ns, &"x".repeat(3000));
    let repo = git_repo(&[("k8s/settings.yaml", &manifest)]);
    let (code, out, err) = run_drift(&[
        "check",
        "--repo",
        repo.path().to_str().unwrap(),
        "--context",
        "staging",
        "-n",
        &ns,
        "--width",
        "1000",
        "--color",
        "never",
    ]);
    assert_eq!(code, 1, "{err}");
    let widest = out.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    assert!(widest <= 1000, "a line of {widest} columns");
    assert!(out.len() < 200_000, "{} bytes for one diff", out.len());
}

/// GET over plain HTTP/1.1 on 127.0.0.1: the status and the body, or None when nothing answers.
fn http_get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n"
    )
    .ok()?;
    let mut text = String::new();
    stream.read_to_string(&mut text).ok()?;
    let status = text.split(' ').nth(1)?.parse().ok()?;
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string())?;
    Some((status, body))
}

#[test]
fn credentials_are_never_sent_in_clear_and_the_report_is_served_only_on_request() {
    let ns = namespace("hostile-creds", &["staging"]);
    let manifest = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: {ns}\ndata: {{mode: one}}\n"
    );
    apply("staging", &ns, &manifest);
    set_mode(&ns, "live-only-value-Q7");
    let repo = git_repo(&[("k8s/settings.yaml", &manifest)]);
    let repo_path = repo.path().to_str().unwrap();

    // A webhook URL with user:password@ over plain http is refused, and nothing is sent.
    let (url, bodies) = webhook_receiver("/hook");
    let with_creds = url.replace("http://", "http://alert:hunter2-pw@");
    let notify = format!("webhook={with_creds}");
    let (code, out, err) = run_drift(&[
        "check",
        "--repo",
        repo_path,
        "--context",
        "staging",
        "-n",
        &ns,
        "--notify",
        &notify,
    ]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("--notify") && err.contains("https"), "{err}");
    assert!(
        !err.contains("hunter2-pw") && !out.contains("hunter2-pw"),
        "{err}"
    );
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert!(bodies.lock().unwrap().is_empty(), "a request was sent");
    // Over https the same URL is accepted as a flag.
    let https = format!("webhook={}", with_creds.replace("http://", "https://"));
    let (code, _, err) = run_drift(&[
        "check",
        "--repo",
        repo_path,
        "--context",
        "staging",
        "-n",
        &ns,
        "--notify",
        &https,
        "--request-timeout",
        "5s",
    ]);
    assert!(!err.contains("plain http"), "{code}: {err}");

    // watch: /report only with --serve-report.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("kubectl-drift"))
        .env("KUBECONFIG", &testenv().kubeconfig)
        .args([
            "watch",
            "--repo",
            repo_path,
            "--interval",
            "1s",
            "--context",
            "staging",
            "-n",
            &ns,
            "--listen",
        ])
        .arg(format!("127.0.0.1:{port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let mut answered = None;
    while started.elapsed() < std::time::Duration::from_secs(30) {
        if let Some((200, metrics)) = http_get(port, "/metrics") {
            if crate::watch::sample(&metrics, "kubectl_drift_rounds_total")
                .is_some_and(|rounds| rounds >= 1.0)
            {
                answered = http_get(port, "/report");
                break;
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let _ = child.kill();
    let _ = child.wait();
    let (status, body) = answered.expect("watch served /metrics after a round");
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("--serve-report"), "{body}");
    assert!(!body.contains("live-only-value-Q7"));

    // deploy/base/watch.yaml: no /report, and a NetworkPolicy that admits only the metrics port.
    let out = kubectl_ok(
        "staging",
        &[
            "create",
            "--dry-run=client",
            "-o",
            "json",
            "-f",
            root().join("deploy/base/watch.yaml").to_str().unwrap(),
        ],
    );
    // One JSON document per object.
    let items: Vec<serde_json::Value> = serde_json::Deserializer::from_str(&out)
        .into_iter::<serde_json::Value>()
        .map(Result::unwrap)
        .collect();
    let deployment = items.iter().find(|i| i["kind"] == "Deployment").unwrap();
    let args = deployment["spec"]["template"]["spec"]["containers"][0]["args"].to_string();
    assert!(!args.contains("--serve-report"), "{args}");
    let policy = items
        .iter()
        .find(|i| i["kind"] == "NetworkPolicy")
        .expect("deploy/base/watch.yaml has a NetworkPolicy");
    assert_eq!(
        policy["spec"]["podSelector"]["matchLabels"],
        deployment["spec"]["template"]["metadata"]["labels"]
    );
    let ingress = policy["spec"]["ingress"].as_array().unwrap();
    let ports: Vec<&serde_json::Value> = ingress
        .iter()
        .flat_map(|rule| {
            rule["ports"]
                .as_array()
                .expect("every rule names its ports")
        })
        .collect();
    assert_eq!(ports.len(), 1, "{policy}");
    assert_eq!(ports[0]["port"], 9877);
    assert_eq!(
        policy["spec"]["policyTypes"],
        serde_json::json!(["Ingress"])
    );
}

#[test]
fn an_api_server_frozen_during_the_dry_runs_fails_its_context_within_the_timeout() {
    let mut env = OwnTestenv::start();
    let doc = |i: usize, mode: &str| {
        format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm{i}\n  namespace: default\ndata:\n  mode: {mode}\n")
    };
    let count = 400;
    let git: Vec<String> = (0..count).map(|i| doc(i, "one")).collect();
    let live: Vec<String> = (0..count).map(|i| doc(i, "two")).collect();
    for context in ["staging", "production"] {
        env.kubectl(context, &["apply", "-f", "-"], &live.join("---\n"));
    }
    let repo = git_repo(&[("k8s/all.yaml", &git.join("---\n"))]);
    let args = [
        "check",
        "-o",
        "json",
        "--repo",
        repo.path().to_str().unwrap(),
        "--context",
        "staging",
        "--context",
        "production",
        "--request-timeout",
        "3s",
        "--concurrency",
        "2",
    ];
    // Every object drifts, so each needs a dry run: the run lasts well past the freeze.
    let pid = env.pid("production-apiserver");
    let freezer = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(1500));
        signal(pid, "STOP");
    });
    env.stopped.push(pid);
    let (code, out, err, took) = env.drift(&args);
    freezer.join().unwrap();
    assert_eq!(code, 2, "{err}");
    assert!(
        took < std::time::Duration::from_millis(1500 + 3000 + 8000),
        "took {took:?} with --request-timeout 3s"
    );
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let summary = |context: &str| {
        report["summary"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["context"] == context)
            .unwrap()
            .clone()
    };
    assert_eq!(summary("staging")["drifted"], count, "{err}");
    let error = summary("production")["error"].to_string();
    assert!(error.contains("timed out"), "{error}");
}
