//! The cross-built binaries run: linux/arm64 (static musl) under qemu-user checks a real cluster,
//! and windows/amd64 under wine answers `version` and `--help`. `scripts/platforms` (run by
//! `scripts/test`) builds them first; a missing binary or emulator fails the test.

use std::path::PathBuf;
use std::process::{Command, Output};

use super::static_binary::has_interpreter;
use crate::common::*;

fn built(target: &str, file: &str) -> PathBuf {
    let binary = target_dir().join(format!("{target}/debug/{file}"));
    assert!(
        binary.exists(),
        "{}: missing; build it with scripts/platforms {target} (scripts/test does)",
        binary.display()
    );
    binary
}

fn ok(out: &Output, what: &str) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{what}: {:?}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn version_line() -> String {
    format!("kubectl-drift {}", env!("CARGO_PKG_VERSION"))
}

#[test]
fn the_arm64_binary_checks_a_cluster_under_qemu() {
    let binary = built("aarch64-unknown-linux-musl", "kubectl-drift");
    let elf = std::fs::read(&binary).unwrap();
    // e_machine 183 is EM_AARCH64.
    assert_eq!(
        u16::from_le_bytes([elf[18], elf[19]]),
        183,
        "not an arm64 binary"
    );
    assert!(
        !has_interpreter(&elf),
        "the arm64 binary is dynamically linked"
    );

    let run = |args: &[&str]| {
        Command::new("qemu-aarch64")
            .arg(&binary)
            .args(args)
            .env("KUBECONFIG", &testenv().kubeconfig)
            .output()
            .expect("qemu-aarch64 (Debian's qemu-user) is needed; scripts/setup installs it")
    };
    assert_eq!(ok(&run(&["version"]), "version").trim(), version_line());

    let ns = namespace("arm64", &["staging"]);
    let settings =
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata: {mode: one}\n";
    let folder = tempfile::tempdir().unwrap();
    write_files(folder.path(), &[("settings.yaml", settings)]);
    apply("staging", &ns, settings);
    let file = folder.path().display().to_string();
    let check = [
        "check",
        "--context",
        "staging",
        "-n",
        &ns,
        "-o",
        "json",
        "-f",
        &file,
    ];
    let report: serde_json::Value =
        serde_json::from_str(&ok(&run(&check), "check in sync")).unwrap();
    assert_eq!(report["summary"][0]["in_sync"], 1, "{report}");

    kubectl_ok(
        "staging",
        &[
            "-n",
            &ns,
            "patch",
            "configmap",
            "settings",
            "-p",
            r#"{"data":{"mode":"two"}}"#,
        ],
    );
    let drifted = run(&check);
    assert_eq!(
        drifted.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&drifted.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&drifted.stdout).unwrap();
    assert_eq!(report["summary"][0]["drifted"], 1, "{report}");
}

#[test]
fn the_windows_binary_runs_under_wine() {
    let binary = built("x86_64-pc-windows-gnu", "kubectl-drift.exe");
    let exe = std::fs::read(&binary).unwrap();
    assert_eq!(&exe[..2], b"MZ", "not a Windows executable");
    // Wine before 9 (Debian 12 has 8) lacks bcryptprimitives.dll, whose ProcessPrng Rust's
    // standard library imports: a copy of the binary runs beside a build of that one function.
    let folder = tempfile::tempdir().unwrap();
    let exe = folder.path().join("kubectl-drift.exe");
    std::fs::copy(&binary, &exe).unwrap();
    let shim = Command::new("x86_64-w64-mingw32-gcc")
        .args(["-shared", "-O2", "-o"])
        .arg(folder.path().join("bcryptprimitives.dll"))
        .arg(root().join("tests/support/wine/bcryptprimitives.c"))
        .arg("-ladvapi32")
        .output()
        .expect("x86_64-w64-mingw32-gcc (Debian's gcc-mingw-w64-x86-64) is needed; scripts/setup installs it");
    ok(&shim, "building bcryptprimitives.dll");
    // One wine prefix per target folder: creating it is the slow part of the first run.
    let prefix = target_dir().join("wine-prefix");
    let run = |args: &[&str]| {
        Command::new("wine")
            .arg(&exe)
            .args(args)
            .env("WINEPREFIX", &prefix)
            .env("WINEDEBUG", "-all")
            .env_remove("DISPLAY")
            .output()
            .expect("wine (Debian's wine) is needed; scripts/setup installs it")
    };
    assert_eq!(ok(&run(&["version"]), "version").trim(), version_line());
    let help = ok(&run(&["--help"]), "--help");
    for command in ["check", "fix", "watch"] {
        assert!(help.contains(command), "--help lacks {command}:\n{help}");
    }
}
