//! Alerts from `check` end to end: a real cluster drifts, the binary posts to a webhook
//! server on loopback, remembers what it sent in a state file, and reports a dead endpoint
//! as an error without hiding the drift.

use std::net::TcpListener;

use serde_json::Value;

use crate::common::*;

#[test]
fn check_alerts_once_per_change_and_reports_a_dead_endpoint() {
    let ns = namespace("alert", &["staging"]);
    let settings =
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata: {mode: one}\n";
    let secret = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\nstringData: {password: git-value-1}\n";
    let repo = git_repo(&[("k8s/settings.yaml", settings), ("k8s/creds.yaml", secret)]);
    apply("staging", &ns, settings);
    apply("staging", &ns, secret);
    set_mode(&ns, "two");
    kubectl_ok(
        "staging",
        &[
            "-n",
            &ns,
            "patch",
            "secret",
            "creds",
            "-p",
            r#"{"stringData":{"password":"live-value-2"}}"#,
        ],
    );
    let (url, bodies) = webhook_receiver("/hooks/T0K3N-secret-path");
    let state = repo.path().join("alert-state.json");
    let run = |notify: &str| {
        let out = drift()
            .current_dir(repo.path())
            .args(["check", "--context", "staging", "-n", &ns, "-o", "summary"])
            .args(["--notify", notify, "--state"])
            .arg(&state)
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let hook = format!("webhook={url}");
    let (code, _, stderr) = run(&hook);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(bodies.lock().unwrap().len(), 1, "{stderr}");
    let body: Value = serde_json::from_str(&bodies.lock().unwrap()[0]).unwrap();
    let text = body.to_string();
    assert_eq!(body["state"], "drift", "{text}");
    assert!(
        text.contains("settings") && text.contains("data.mode"),
        "{text}"
    );
    assert!(
        !text.contains("live-value-2") && !text.contains("git-value-1"),
        "{text}"
    );
    assert!(state.exists());

    // The same drift again: remembered, not sent.
    let (code, _, stderr) = run(&hook);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(bodies.lock().unwrap().len(), 1, "sent twice: {stderr}");

    // Nothing listens there: the alert fails after its retries, the drift still shows,
    // and the exit code says error; the URL's secret path is not printed.
    let dead = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = dead.local_addr().unwrap().port();
    drop(dead);
    set_mode(&ns, "three");
    let (code, stdout, stderr) = run(&format!(
        "webhook=http://127.0.0.1:{port}/hooks/T0K3N-secret-path"
    ));
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.contains("Drifted"), "{stdout}");
    assert!(stderr.contains("alert not sent"), "{stderr}");
    assert!(!stderr.contains("T0K3N"), "{stderr}");

    // A bad flag is refused before anything runs.
    let (code, _, stderr) = run("pager=someone");
    assert_eq!(code, 2);
    assert!(stderr.contains("--notify"), "{stderr}");
    // A URL given without its kind is refused without printing its secret path.
    let (code, _, stderr) = run("https://hooks.example.com/T0K3N-secret-path");
    assert_eq!(code, 2);
    assert!(
        stderr.contains("--notify") && !stderr.contains("T0K3N"),
        "{stderr}"
    );
}
