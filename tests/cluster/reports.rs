//! Reports for pipelines: `-o junit` for CI systems, and `--report-dir` with `history`, the
//! audit trail of scheduled checks, across real runs against a real cluster.

use crate::common::*;

#[test]
fn junit_report_dir_and_history_follow_drift_over_runs() {
    let ns = namespace("rep", &["staging"]);
    let settings =
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata: {mode: one}\n";
    let web = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata: {a: b}\n";
    let repo = git_repo(&[("k8s/settings.yaml", settings), ("k8s/web.yaml", web)]);
    apply("staging", &ns, settings);
    apply("staging", &ns, web);
    let reports = tempfile::tempdir().unwrap();
    let dir = reports.path().join("runs");
    let run = |format: &str| {
        let out = drift()
            .current_dir(repo.path())
            .args([
                "check",
                "--context",
                "staging",
                "-n",
                &ns,
                "-o",
                format,
                "--report-dir",
            ])
            .arg(&dir)
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };

    let (code, xml) = run("junit");
    assert_eq!(code, 0, "{xml}");
    assert!(
        xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites"),
        "{xml}"
    );
    assert!(
        xml.contains(r#"tests="2" failures="0" errors="0""#),
        "{xml}"
    );
    assert!(xml.contains(&format!(
        r#"<testcase classname="staging.{ns}" name="ConfigMap/settings" file="k8s/settings.yaml" line="1"/>"#
    )), "{xml}");

    kubectl_ok(
        "staging",
        &[
            "-n",
            &ns,
            "patch",
            "configmap",
            "settings",
            "--field-manager",
            "on-call",
            "-p",
            r#"{"data":{"mode":"two"}}"#,
        ],
    );
    let (code, xml) = run("junit");
    assert_eq!(code, 1, "{xml}");
    assert!(xml.contains(r#"tests="2" failures="1""#), "{xml}");
    let failure = xml
        .split("<failure ")
        .nth(1)
        .and_then(|f| f.split("</failure>").next())
        .unwrap_or_else(|| panic!("no failure: {xml}"));
    assert!(
        failure.starts_with(r#"message="Drifted (1 field)" type="Drifted">"#),
        "{failure}"
    );
    assert!(
        failure.contains("data.mode  one → two  on-call · Update"),
        "{failure}"
    );
    assert!(failure.contains("-  mode: one\n+  mode: two"), "{failure}");

    set_mode(&ns, "one");
    let (code, _) = run("summary");
    assert_eq!(code, 0);

    // Three runs, three files, even within one second; none half-written.
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files.len(), 3, "{files:?}");
    assert!(
        files
            .iter()
            .all(|f| f.ends_with(".json") && !f.starts_with('.')),
        "{files:?}"
    );

    let out = drift()
        .args(["history", "--report-dir"])
        .arg(&dir)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("Runs (3):"), "{text}");
    assert!(
        text.contains("staging: 1 drifted, 0 missing, 0 extra, 1 in sync"),
        "{text}"
    );
    let line = text
        .lines()
        .find(|l| l.contains(&format!("ConfigMap {ns}/settings")))
        .unwrap_or_else(|| panic!("no drift line: {text}"));
    assert!(
        line.contains("Drifted  from ") && line.contains("(1 run)"),
        "{line}"
    );
    assert!(!text.contains(&format!("ConfigMap {ns}/web")), "{text}");

    // A file that is not a report is an error that names it.
    std::fs::write(dir.join("notes.json"), "{}").unwrap();
    let out = drift()
        .args(["history", "--report-dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("notes.json"));
}
