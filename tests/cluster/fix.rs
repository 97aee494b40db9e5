//! `kubectl drift fix` end to end: real prompts through a pseudo-terminal, real applies
//! against the test clusters, and the audit log they leave.

use std::process::Command;

use rexpect::session::{spawn_with_options, Options, PtySession};
use serde_json::Value;

use crate::check::{app_scenario, check_json, field, resource, statuses, APP};
use crate::common::*;

const DOWN: &str = "\x1b[B";
const ENTER: &str = "\r";

pub(crate) fn fix_in_pty(
    repo: &std::path::Path,
    audit: &std::path::Path,
    args: &[&str],
) -> PtySession {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("kubectl-drift"));
    cmd.current_dir(repo)
        .env("KUBECONFIG", &testenv().kubeconfig)
        .env("NO_COLOR", "1")
        .args(["fix", "--width", "120", "--color", "never", "--audit-log"])
        .arg(audit)
        .args(args);
    spawn_with_options(
        cmd,
        Options::new()
            .timeout_ms(Some(60_000))
            .strip_ansi_escape_codes(true),
    )
    .unwrap()
}

pub(crate) fn choose(session: &mut PtySession, downs: usize) {
    for _ in 0..downs {
        session.send(DOWN).unwrap();
    }
    session.send(ENTER).unwrap();
    session.flush().unwrap();
}

/// Runs `fix` without a terminal and returns its output.
fn fix_unattended(
    repo: &std::path::Path,
    audit: &std::path::Path,
    args: &[&str],
) -> std::process::Output {
    drift()
        .current_dir(repo)
        .arg("fix")
        .args(args)
        .arg("--audit-log")
        .arg(audit)
        .output()
        .unwrap()
}

pub(crate) fn exit_code(session: &mut PtySession) -> i32 {
    session.exp_eof().unwrap();
    match session.process().wait().unwrap() {
        rexpect::process::WaitStatus::Exited(_, code) => code,
        other => panic!("fix did not exit normally: {other:?}"),
    }
}

pub(crate) fn audit_lines(path: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("audit line is not JSON ({e}): {l}"))
        })
        .collect()
}

fn resource_versions(ns: &str) -> String {
    kubectl_ok(
        "staging",
        &[
            "get",
            "deploy,svc,cm,secret",
            "-n",
            ns,
            "-o",
            "jsonpath={range .items[*]}{.kind}/{.metadata.name}={.metadata.resourceVersion} {end}",
        ],
    )
}

#[test]
fn prompts_apply_show_skip_accept_and_force_through_a_terminal() {
    let (ns, repo) = app_scenario("fixtty");
    let audit = repo.path().join("audit.log");
    kubectl_ok(
        "staging",
        &[
            "patch",
            "configmap/web-config",
            "-n",
            &ns,
            "-p",
            r#"{"data":{"greeting":"hi"}}"#,
        ],
    );
    kubectl_ok(
        "staging",
        &[
            "patch",
            "secret/web-secret",
            "-n",
            &ns,
            "-p",
            r#"{"stringData":{"password":"pty-secret-Qw7"}}"#,
        ],
    );
    kubectl_ok("staging", &["delete", "service/web", "-n", &ns]);
    kubectl_ok(
        "staging",
        &["scale", "deployment/web", "--replicas=4", "-n", &ns],
    );

    // A server-side pipeline's manager: fields others own are conflicts, forced on a yes.
    let mut s = fix_in_pty(
        repo.path(),
        &audit,
        &[
            "--context",
            "staging",
            "--path",
            "k8s",
            "-n",
            &ns,
            "--field-manager",
            "pipeline",
        ],
    );
    // ConfigMap: show in full, then apply; its field is owned by kubectl-patch, so force.
    s.exp_string("ConfigMap").unwrap();
    s.exp_string("apply the Git state").unwrap();
    choose(&mut s, 4);
    s.exp_string("greeting: hello").unwrap();
    s.exp_string("apply the Git state").unwrap();
    choose(&mut s, 0);
    s.exp_string("also managed by others").unwrap();
    s.exp_string("kubectl-patch").unwrap();
    s.exp_string("(force)?").unwrap();
    s.send("y").unwrap();
    s.flush().unwrap();
    s.exp_string("web-config (staging): in sync").unwrap();
    // Secret: skip.
    s.exp_string("Secret").unwrap();
    s.exp_string("apply the Git state").unwrap();
    choose(&mut s, 1);
    // Service: missing, created.
    s.exp_string("create it from Git").unwrap();
    choose(&mut s, 0);
    s.exp_string("Service").unwrap();
    s.exp_string("in sync").unwrap();
    // Deployment: accept with a reason.
    s.exp_string("Deployment").unwrap();
    s.exp_string("accept as intentional").unwrap();
    choose(&mut s, 2);
    s.exp_string("Why is this drift intentional?").unwrap();
    s.send_line("load test until Friday").unwrap();
    s.exp_string("Accept until").unwrap();
    s.send_line("2099-01-31").unwrap();
    s.exp_string("accepted: recorded in").unwrap();
    s.exp_string("fix: 2 fixed, 1 skipped, 1 accepted").unwrap();
    assert_eq!(exit_code(&mut s), 1, "a skipped resource still drifts");

    let (_, report) = check_json(
        repo.path(),
        &["--context", "staging", "--path", "k8s", "-n", &ns],
    );
    let status = statuses(&report);
    assert!(
        status.contains(&("ConfigMap/web-config".into(), "InSync".into())),
        "{status:?}"
    );
    assert!(
        status.contains(&("Service/web".into(), "InSync".into())),
        "{status:?}"
    );
    assert!(
        status.contains(&("Secret/web-secret".into(), "Drifted".into())),
        "{status:?}"
    );
    // The accepted drift is reported as such until it changes.
    assert!(
        status.contains(&("Deployment/web".into(), "Accepted".into())),
        "{status:?}"
    );
    kubectl_ok(
        "staging",
        &["scale", "deployment/web", "--replicas=6", "-n", &ns],
    );
    let (_, later) = check_json(
        repo.path(),
        &["--context", "staging", "--path", "k8s", "-n", &ns],
    );
    let deploy = resource(&later, "Deployment", "web");
    assert_eq!(deploy["status"], "Drifted");
    assert!(
        deploy["message"]
            .as_str()
            .unwrap()
            .contains("changed since"),
        "{deploy}"
    );
    let accepted =
        std::fs::read_to_string(repo.path().join(".kubectl-drift/accepted.yaml")).unwrap();
    assert!(
        accepted.contains("load test until Friday") && accepted.contains("2099-01-31"),
        "{accepted}"
    );
    assert!(accepted.contains("spec.replicas"), "{accepted}");

    let lines = audit_lines(&audit);
    let outcomes: Vec<&str> = lines
        .iter()
        .map(|l| l["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(
        outcomes,
        ["intent", "conflict", "intent", "applied", "intent", "created"],
        "{lines:#?}"
    );
    for line in &lines {
        assert_eq!(line["context"], "staging");
        assert_eq!(line["commit"].as_str().unwrap().len(), 40);
        assert!(line["time"].as_str().is_some() && line["user"].as_str().is_some());
    }
    let text = std::fs::read_to_string(&audit).unwrap();
    assert!(!text.contains("pty-secret-Qw7") && !text.contains("s3cr3t-hunter2"));
}

#[test]
fn quitting_writes_nothing() {
    let (ns, repo) = app_scenario("fixquit");
    let audit = repo.path().join("audit.log");
    kubectl_ok(
        "staging",
        &["scale", "deployment/web", "--replicas=4", "-n", &ns],
    );
    let before = resource_versions(&ns);
    let mut s = fix_in_pty(
        repo.path(),
        &audit,
        &["--context", "staging", "--path", "k8s", "-n", &ns],
    );
    s.exp_string("quit").unwrap();
    choose(&mut s, 5);
    s.exp_string("1 not reached").unwrap();
    assert_eq!(exit_code(&mut s), 1);
    assert_eq!(before, resource_versions(&ns));
    assert!(audit_lines(&audit).is_empty());
}

#[test]
fn an_object_changed_after_its_diff_is_not_overwritten_blindly() {
    let (ns, repo) = app_scenario("fixrace");
    let audit = repo.path().join("audit.log");
    kubectl_ok(
        "staging",
        &["scale", "deployment/web", "--replicas=4", "-n", &ns],
    );
    let mut s = fix_in_pty(
        repo.path(),
        &audit,
        &[
            "deploy/web",
            "--context",
            "staging",
            "--path",
            "k8s",
            "-n",
            &ns,
            "--field-manager",
            "pipeline",
        ],
    );
    s.exp_string("apply the Git state").unwrap();
    // Someone changes the object while the diff is on screen.
    kubectl_ok(
        "staging",
        &["set", "image", "deployment/web", "web=nginx:9.9", "-n", &ns],
    );
    choose(&mut s, 0);
    s.exp_string("changed since its diff was shown; nothing was written")
        .unwrap();
    s.exp_string("nginx:9.9").unwrap();
    s.exp_string("apply the Git state").unwrap();
    choose(&mut s, 0);
    s.exp_string("(force)?").unwrap();
    s.send("y").unwrap();
    s.flush().unwrap();
    s.exp_string("in sync").unwrap();
    assert_eq!(exit_code(&mut s), 0);
    let outcomes: Vec<String> = audit_lines(&audit)
        .iter()
        .map(|l| l["outcome"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(outcomes[..2], ["intent", "changed-since-diff"]);
    assert_eq!(outcomes.last().unwrap(), "applied");
    let image = kubectl_ok(
        "staging",
        &[
            "get",
            "deploy/web",
            "-n",
            &ns,
            "-o",
            "jsonpath={.spec.template.spec.containers[0].image}",
        ],
    );
    assert_eq!(image, "nginx:1.27");
}

#[test]
fn yes_fixes_fifty_drifted_objects_and_check_then_passes() {
    let ns = namespace("fixyes", &["staging"]);
    let mut yaml = String::new();
    for i in 0..50 {
        yaml.push_str(&format!("---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i:02}\ndata:\n  value: \"{i}\"\n"));
    }
    let repo = git_repo(&[("k8s/cms.yaml", &yaml)]);
    apply("staging", &ns, &yaml);
    for i in 0..50 {
        kubectl_ok(
            "staging",
            &[
                "patch",
                &format!("configmap/cm-{i:02}"),
                "-n",
                &ns,
                "-p",
                r#"{"data":{"value":"changed"}}"#,
            ],
        );
    }
    let (code, _) = check_json(
        repo.path(),
        &["--context", "staging", "--path", "k8s", "-n", &ns],
    );
    assert_eq!(code, 1);
    let audit = repo.path().join("audit.log");
    let out = fix_unattended(
        repo.path(),
        &audit,
        &["--yes", "--context", "staging", "--path", "k8s", "-n", &ns],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("fix: 50 fixed"), "{stdout}");
    let (code, report) = check_json(
        repo.path(),
        &["--context", "staging", "--path", "k8s", "-n", &ns],
    );
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(
        audit_lines(&audit)
            .iter()
            .filter(|l| l["outcome"] == "applied")
            .count(),
        50
    );
}

#[test]
fn dry_run_writes_nothing_and_no_terminal_refuses() {
    let (ns, repo) = app_scenario("fixdry");
    kubectl_ok(
        "staging",
        &["scale", "deployment/web", "--replicas=4", "-n", &ns],
    );
    kubectl_ok("staging", &["delete", "configmap/web-config", "-n", &ns]);
    let before = resource_versions(&ns);
    let audit = repo.path().join("audit.log");
    let out = fix_unattended(
        repo.path(),
        &audit,
        &[
            "--dry-run",
            "--context",
            "staging",
            "--path",
            "k8s",
            "-n",
            &ns,
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("would apply Deployment") && stdout.contains("2 would be applied"),
        "{stdout}"
    );

    let out = fix_unattended(
        repo.path(),
        &audit,
        &["--context", "staging", "--path", "k8s", "-n", &ns],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--yes"));
    assert_eq!(before, resource_versions(&ns));
    assert!(!audit.exists());
}

#[test]
fn the_viewer_is_forbidden_per_resource_and_nothing_changes() {
    let ns = namespace("fixviewer", &["production"]);
    let manifests: String = APP
        .split("---\n")
        .filter(|d| !d.contains("kind: Secret"))
        .collect::<Vec<_>>()
        .join("---\n");
    let repo = git_repo(&[("k8s/app.yaml", &manifests)]);
    apply("production", &ns, &manifests);
    kubectl_ok(
        "production",
        &["scale", "deployment/web", "--replicas=4", "-n", &ns],
    );
    kubectl_ok(
        "production",
        &[
            "patch",
            "configmap/web-config",
            "-n",
            &ns,
            "-p",
            r#"{"data":{"greeting":"hi"}}"#,
        ],
    );
    let audit = repo.path().join("audit.log");
    let out = fix_unattended(
        repo.path(),
        &audit,
        &[
            "--yes",
            "--context",
            "production-viewer",
            "--path",
            "k8s",
            "-n",
            &ns,
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(2),
        "a refused write is an error: {stdout}"
    );
    assert_eq!(
        stdout.matches("not written: 403 Forbidden").count(),
        2,
        "{stdout}"
    );
    assert!(stdout.contains("fix: 2 failed"), "{stdout}");
    let replicas = kubectl_ok(
        "production",
        &[
            "get",
            "deploy/web",
            "-n",
            &ns,
            "-o",
            "jsonpath={.spec.replicas}",
        ],
    );
    assert_eq!(replicas, "4");
    let lines = audit_lines(&audit);
    assert_eq!(lines.len(), 4);
    // The server's name for the user, and the kubeconfig's beside it.
    assert!(
        lines.iter().all(|l| l["user"] == "viewer"
            && l["kubeconfig_user"] == "production-viewer"
            && ["intent", "forbidden"].contains(&l["outcome"].as_str().unwrap())),
        "{lines:#?}"
    );
    let (_, report) = check_json(
        repo.path(),
        &["--context", "production", "--path", "k8s", "-n", &ns],
    );
    assert_eq!(
        field(resource(&report, "Deployment", "web"), "spec.replicas")["live"],
        4
    );
}

#[test]
fn accept_records_drift_that_check_then_reports_as_accepted() {
    let (ns, repo) = app_scenario("accept");
    kubectl_ok(
        "staging",
        &["scale", "deployment/web", "--replicas=5", "-n", &ns],
    );
    let args = ["--context", "staging", "--path", "k8s", "-n", &ns];
    let run = |extra: &[&str]| {
        drift()
            .current_dir(repo.path())
            .arg("accept")
            .args(extra)
            .args(args)
            .output()
            .unwrap()
    };
    // Everything at once is never accepted by accident.
    let out = run(&["--reason", "x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("TYPE/NAME"));

    let out = run(&[
        "deploy/web",
        "--reason",
        "load test",
        "--until",
        "2099-01-31",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("accepted: Deployment"), "{stdout}");
    let record = std::fs::read_to_string(repo.path().join(".kubectl-drift/accepted.yaml")).unwrap();
    assert!(
        record.contains("reason: load test") && record.contains("until: \"2099-01-31\""),
        "{record}"
    );
    // Recorded as the user the server authenticates, not the kubeconfig's name for it.
    let whoami = kubectl_ok(
        "staging",
        &[
            "auth",
            "whoami",
            "-o",
            "jsonpath={.status.userInfo.username}",
        ],
    );
    assert!(
        record.contains(&format!("by: {whoami}\n")) && whoami != "staging-admin",
        "{whoami}: {record}"
    );

    let (code, report) = check_json(repo.path(), &args);
    assert_eq!(code, 0, "{report:#}");
    let deploy = resource(&report, "Deployment", "web");
    assert_eq!(deploy["status"], "Accepted");
    assert!(deploy["message"].as_str().unwrap().contains("load test"));
    assert_eq!(report["summary"][0]["accepted"], 1);

    let out = run(&["deploy/web", "--reason", "late", "--until", "someday"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--until"));
}
