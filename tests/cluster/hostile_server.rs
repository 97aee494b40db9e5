//! A hostile or broken API server, or hostile live values, must not hurt the person running
//! kubectl drift: no Secret value in any output, no hang on a frozen server, errors that
//! name their cause, no escape sequences from the cluster on the terminal.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use base64::Engine;

use crate::common::*;

/// A webhook receiver on 127.0.0.1 that answers 200 and keeps each request's body.
fn receiver() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let kept = bodies.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            kept.lock()
                .unwrap()
                .push(String::from_utf8_lossy(&body).into_owned());
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
        }
    });
    (url, bodies)
}

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
    let (url, bodies) = receiver();
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

    // fix: the dry run of the live Secret and the creation of the missing one both fail.
    let audit = dir.path().join("audit.log");
    let mut args = base.to_vec();
    args[0] = "fix";
    args.extend(["--yes", "--audit-log", audit.to_str().unwrap()]);
    let (code, out, err) = run_drift(&args);
    assert_eq!(code, 2, "a refused write is an error\n{out}{err}");
    assert_no_secret("fix", &format!("{out}{err}"), value);
    let log = std::fs::read_to_string(&audit).unwrap();
    assert!(
        log.contains("fresh"),
        "the refused creation is audited: {log}"
    );
    assert_no_secret("the audit log", &log, value);
    assert!(
        kubectl("staging", &["-n", &ns, "get", "secret", "fresh"])
            .status
            .code()
            != Some(0),
        "nothing was created"
    );
}
