//! Packaging: one version everywhere, and the krew manifest validated and installed for
//! real with krew built from the Go module proxy (krew/validate).

use std::process::Command;

fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_crate_the_binary_the_manifest_and_the_archives_agree_on_the_version() {
    let version = env!("CARGO_PKG_VERSION");
    let out = assert_cmd::Command::cargo_bin("kubectl-drift")
        .unwrap()
        .arg("version")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("kubectl-drift {version}")
    );

    let manifest =
        kubectl_drift::yaml::read(&std::fs::read_to_string(root().join("plugin.yaml")).unwrap())
            .unwrap();
    let tag = format!("v{version}");
    assert_eq!(manifest["spec"]["version"].as_str(), Some(tag.as_str()));
    assert_eq!(manifest["metadata"]["name"].as_str(), Some("drift"));
    for platform in manifest["spec"]["platforms"].as_array().unwrap() {
        let uri = platform["uri"].as_str().unwrap();
        let file = uri.rsplit('/').next().unwrap();
        assert!(file.starts_with(&format!("kubectl-drift_{tag}_")), "{uri}");
        assert!(uri.contains(&format!("/download/{tag}/")), "{uri}");
        let sha = platform["sha256"].as_str().unwrap();
        assert!(
            sha.len() == 64
                && sha
                    .chars()
                    .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)),
            "{sha}"
        );
        let files = platform["files"].as_array().unwrap();
        assert!(files.iter().any(|f| f["from"] == "LICENSE"), "{platform:?}");
    }
    let template = std::fs::read_to_string(root().join("krew/.krew.yaml")).unwrap();
    for platform in [
        "linux_amd64",
        "linux_arm64",
        "darwin_amd64",
        "darwin_arm64",
        "windows_amd64",
    ] {
        assert!(
            template.contains(&format!("kubectl-drift_{{{{ .TagName }}}}_{platform}.")),
            "{platform}"
        );
    }
}

#[test]
fn krew_validates_installs_runs_and_uninstalls_the_plugin() {
    let out = Command::new(root().join("krew/validate"))
        .arg("--debug")
        .output()
        .expect("cannot run krew/validate");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "krew/validate failed:\n{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout.trim(),
        format!("ok: v{}", env!("CARGO_PKG_VERSION")),
        "{stderr}"
    );
    assert!(
        stderr.contains("manifest valid") && stderr.contains("uninstalled"),
        "{stderr}"
    );
}
