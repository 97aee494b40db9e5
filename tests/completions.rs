//! The completion scripts in `completions/` match the clap definitions, and bash really
//! completes with them.

use std::process::Command;

fn generated(shell: &str) -> String {
    let out = assert_cmd::Command::cargo_bin("kubectl-drift")
        .unwrap()
        .args(["completion", shell])
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn committed_scripts_are_not_stale() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for (shell, file) in [
        ("bash", "kubectl-drift.bash"),
        ("zsh", "_kubectl-drift"),
        ("fish", "kubectl-drift.fish"),
        ("powershell", "kubectl-drift.ps1"),
    ] {
        let committed = std::fs::read_to_string(root.join("completions").join(file))
            .unwrap_or_else(|e| panic!("completions/{file}: {e}; run scripts/completions"));
        assert!(
            committed == generated(shell),
            "completions/{file} is stale: run scripts/completions"
        );
    }
}

#[test]
fn bash_completes_subcommands_and_flags() {
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("completions/kubectl-drift.bash");
    let complete = |line: &str| {
        let words: Vec<&str> = line.split(' ').collect();
        let program = format!(
            "source '{}'\nCOMP_WORDS=({})\nCOMP_CWORD={}\nCOMP_LINE='{line}'\nCOMP_POINT={}\n_kubectl__drift kubectl-drift '{}' '{}'\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"",
            script.display(),
            words.iter().map(|w| format!("'{w}'")).collect::<Vec<_>>().join(" "),
            words.len() - 1,
            line.len(),
            words.last().unwrap(),
            words[words.len().saturating_sub(2)],
        );
        let out = Command::new("bash")
            .arg("-c")
            .arg(program)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(complete("kubectl-drift che").trim(), "check");
    let flags = complete("kubectl-drift check --fi");
    assert!(flags.lines().any(|l| l == "--field-manager"), "{flags}");
    let formats = complete("kubectl-drift check -o s");
    assert!(
        formats.lines().any(|l| l == "side-by-side") && formats.lines().any(|l| l == "summary"),
        "{formats}"
    );
}
