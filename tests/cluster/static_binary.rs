//! The static (musl) binary that the container image ships: it has no program interpreter,
//! so it runs on any Linux, and it checks a real cluster from a URL repository. `scripts/test`
//! builds it (`cargo build --target x86_64-unknown-linux-musl`) before the tests run.

use crate::common::*;

const TARGET: &str = "x86_64-unknown-linux-musl";

/// Whether an ELF file asks for a dynamic loader (a `PT_INTERP` program header).
pub fn has_interpreter(elf: &[u8]) -> bool {
    assert_eq!(&elf[..4], b"\x7fELF", "not an ELF file");
    assert_eq!(elf[4], 2, "not a 64-bit ELF file");
    let u16_at = |at: usize| u16::from_le_bytes([elf[at], elf[at + 1]]) as usize;
    let phoff = u64::from_le_bytes(elf[32..40].try_into().unwrap()) as usize;
    let (phentsize, phnum) = (u16_at(54), u16_at(56));
    (0..phnum).any(|i| {
        let at = phoff + i * phentsize;
        u32::from_le_bytes(elf[at..at + 4].try_into().unwrap()) == 3
    })
}

#[test]
fn the_static_binary_runs_without_a_loader_and_checks_a_cluster() {
    let binary = std::env::var_os("KUBECTL_DRIFT_STATIC_BINARY")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| target_dir().join(format!("{TARGET}/debug/kubectl-drift")));
    let elf = std::fs::read(&binary).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; build it with: CC_x86_64_unknown_linux_musl=musl-gcc cargo build --target {TARGET} (scripts/test does)",
            binary.display()
        )
    });
    assert!(
        !has_interpreter(&elf),
        "{} is dynamically linked",
        binary.display()
    );
    let host = std::fs::read(assert_cmd::cargo::cargo_bin("kubectl-drift")).unwrap();
    assert!(
        has_interpreter(&host),
        "the check itself must tell the two apart"
    );

    let ns = namespace("static", &["staging"]);
    let settings =
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata: {mode: one}\n";
    let origin = git_repo(&[("k8s/settings.yaml", settings)]);
    apply("staging", &ns, settings);
    let cache = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(&binary)
        .env("KUBECONFIG", &testenv().kubeconfig)
        .env("XDG_CACHE_HOME", cache.path())
        .args([
            "check",
            "--context",
            "staging",
            "-n",
            &ns,
            "-o",
            "json",
            "--repo",
        ])
        .arg(format!("file://{}", origin.path().display()))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["summary"][0]["in_sync"], 1);
}

/// The arguments of deploy/job.yaml's container, with the Job's environment put in.
fn job_args(repo: &str, rev: &str) -> Vec<String> {
    let job = std::fs::read_to_string(root().join("deploy/job.yaml")).unwrap();
    let args = job
        .lines()
        .find_map(|line| line.trim().strip_prefix("args: ["))
        .expect("deploy/job.yaml has a one-line args list");
    args.trim_end_matches(']')
        .split(',')
        .map(|arg| {
            arg.trim()
                .replace("$(DRIFT_REPO)", repo)
                .replace("$(DRIFT_REF)", rev)
        })
        .collect()
}

#[test]
fn the_jobs_command_line_renders_a_kustomization_with_the_images_tools() {
    let binary = std::env::var_os("KUBECTL_DRIFT_STATIC_BINARY")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| target_dir().join(format!("{TARGET}/debug/kubectl-drift")));
    assert!(
        binary.exists(),
        "{}: build it first (scripts/test does)",
        binary.display()
    );
    let ns = namespace("job", &["staging"]);
    let settings =
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata: {mode: one}\n";
    let config = format!("targets:\n  - context: staging\n    namespace: {ns}\n    paths: [k8s]\n");
    let origin = git_repo(&[
        (".kubectl-drift.yaml", &config),
        (
            "k8s/kustomization.yaml",
            "resources: [settings.yaml]\ncommonLabels: {team: shop}\n",
        ),
        ("k8s/settings.yaml", settings),
    ]);
    // What the pipeline deployed: the rendered kustomization.
    let rendered = kubectl_ok(
        "staging",
        &["kustomize", origin.path().join("k8s").to_str().unwrap()],
    );
    apply("staging", &ns, &rendered);

    let cache = tempfile::tempdir().unwrap();
    let url = format!("file://{}", origin.path().display());
    let run = || {
        std::process::Command::new(&binary)
            .args(job_args(&url, "main"))
            .env("KUBECONFIG", &testenv().kubeconfig)
            .env("XDG_CACHE_HOME", cache.path())
            .output()
            .unwrap()
    };
    let out = run();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("InSync") && stdout.contains("settings"),
        "{stdout}"
    );

    // The label only the kustomization adds is compared: removing it live is drift.
    kubectl_ok(
        "staging",
        &["-n", &ns, "label", "configmap", "settings", "team-"],
    );
    let out = run();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("Drifted"), "{stdout}");
}
