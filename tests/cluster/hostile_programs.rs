//! The programs kubectl-drift starts (helm, kubectl kustomize, git), against a hostile
//! repository and a hostile environment: a release name that is a helm flag, from the config
//! and from a chart's own `Chart.yaml`; a remote base on a loopback server that accepts and
//! never answers; a program that prints megabytes to stderr; and `HELM_*`, `KUSTOMIZE_*` and
//! `GIT_*` variables that would plant a plugin or point git at another repository. Real helm,
//! real kubectl kustomize, real git, the built binary.

use std::net::TcpListener;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::common::*;
use crate::helm::helm_binary;

/// A chart whose rendered output, piped into `sh` by `--post-renderer=sh`, would create
/// `marker`: the line is a value of the ConfigMap, so the output is valid YAML too.
fn planted_chart(name: &str, marker: &Path) -> Vec<(String, String)> {
    vec![
        (
            "charts/evil/Chart.yaml".into(),
            format!("apiVersion: v2\nname: {name}\nversion: 1.0.0\n"),
        ),
        (
            "charts/evil/templates/cm.yaml".into(),
            format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: evil\ndata:\n  script: |\n    touch {}\n",
                marker.display()
            ),
        ),
    ]
}

fn repo_of(files: &[(String, String)]) -> tempfile::TempDir {
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    git_repo(&files)
}

fn run_in(dir: &Path, envs: &[(&str, &str)], args: &[&str]) -> (i32, String, String) {
    let mut cmd = drift();
    cmd.current_dir(dir).args(args);
    for (key, value) in envs {
        cmd.env(key, value);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_release_name_that_is_a_helm_flag_never_reaches_helm() {
    let ns = namespace("hostile-release", &["staging"]);
    let scratch = tempfile::tempdir().unwrap();
    let marker = scratch.path().join("post-renderer-ran");
    let binary = helm_binary();

    // From a target's helm.release.
    let mut files = planted_chart("evil", &marker);
    files.push((
        ".kubectl-drift.yaml".into(),
        format!(
            "targets:\n  - context: staging\n    namespace: {ns}\n    paths: [charts/evil]\n    helm:\n      release: \"--post-renderer=sh\"\n"
        ),
    ));
    let repo = repo_of(&files);
    let (code, stdout, stderr) = run_in(repo.path(), &[], &["check", &binary[0], &binary[1]]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(
        stderr.contains(".kubectl-drift.yaml:6: helm.release: ")
            && stderr.contains("not a valid Helm release name"),
        "{stderr}"
    );
    assert!(!marker.exists(), "the post-renderer ran");

    // From a chart's own name, the release's name when none is given.
    let repo = repo_of(&planted_chart("--post-renderer=sh", &marker));
    let args = [
        "check",
        "--context",
        "staging",
        "-n",
        &ns,
        "--path",
        "charts/evil",
        &binary[0],
        &binary[1],
    ];
    let (code, stdout, stderr) = run_in(repo.path(), &[], &args);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(
        stderr.contains("charts/evil/Chart.yaml:2: ")
            && stderr.contains("starts with '-'")
            && stderr.contains("--post-renderer=sh"),
        "{stderr}"
    );
    assert!(!marker.exists(), "the post-renderer ran");

    // A --set key from the config that is a flag.
    let mut files = planted_chart("evil", &marker);
    files.push((
        ".kubectl-drift.yaml".into(),
        format!(
            "targets:\n  - context: staging\n    namespace: {ns}\n    paths: [charts/evil]\n    helm:\n      set:\n        \"--post-renderer\": sh\n"
        ),
    ));
    let repo = repo_of(&files);
    let (code, stdout, stderr) = run_in(repo.path(), &[], &["check", &binary[0], &binary[1]]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(
        stderr.contains(".kubectl-drift.yaml:7: helm.set: "),
        "{stderr}"
    );
    assert!(!marker.exists(), "the post-renderer ran");

    // The same chart under a valid name renders, the touch line and all, and runs nothing:
    // the refusals above were the names'. Its ConfigMap is not live: Missing, exit 1.
    let repo = repo_of(&planted_chart("evil", &marker));
    let (code, stdout, stderr) = run_in(repo.path(), &[], &args);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.contains("evil"), "{stdout}");
    assert!(!marker.exists(), "the post-renderer ran");
}

#[test]
fn a_remote_base_that_never_answers_fails_at_the_render_deadline() {
    // Accepts every connection and never answers; the streams are kept open.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = accepted.clone();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            held.push(stream);
        }
    });
    let repo = git_repo(&[
        (
            "app/kustomization.yaml",
            &format!("resources:\n- cm.yaml\n- http://127.0.0.1:{port}/remote.yaml\n"),
        ),
        (
            "app/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: local\n",
        ),
    ]);
    let started = Instant::now();
    let (code, stdout, stderr) = run_in(
        repo.path(),
        &[("KUBECTL_DRIFT_RENDER_TIMEOUT", "3")],
        &[
            "check",
            "--path",
            "app",
            "--context",
            "staging",
            "-n",
            "default",
            "--allow-remote-bases",
        ],
    );
    let took = started.elapsed();
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(
        stderr.contains("app/kustomization.yaml: kubectl kustomize did not finish within 3 s")
            && stderr.contains("KUBECTL_DRIFT_RENDER_TIMEOUT"),
        "{stderr}"
    );
    assert!(
        accepted.load(std::sync::atomic::Ordering::SeqCst) > 0,
        "kustomize never reached the server"
    );
    assert!(took < Duration::from_secs(20), "took {took:?}");
    eprintln!("a stalled remote base failed the check after {took:?} (deadline 3 s)");

    // A deadline that is not a number of seconds is an error naming the variable.
    let (code, _, stderr) = run_in(
        repo.path(),
        &[("KUBECTL_DRIFT_RENDER_TIMEOUT", "soon")],
        &[
            "check",
            "--path",
            "app",
            "--context",
            "staging",
            "-n",
            "default",
            "--allow-remote-bases",
        ],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("KUBECTL_DRIFT_RENDER_TIMEOUT=\"soon\""),
        "{stderr}"
    );
}

/// A helm that prints `stderr_bytes` to stderr, records its environment in `env_file`, then
/// runs the real helm.
fn chatty_helm(dir: &Path, stderr_bytes: usize, env_file: &Path) -> std::path::PathBuf {
    let script = dir.join("helm");
    let real = root().join("tests/testenv/helm");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nenv > '{}'\nhead -c {stderr_bytes} /dev/zero | tr '\\0' x >&2\nexec '{}' \"$@\"\n",
            env_file.display(),
            real.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script
}

#[test]
fn a_chatty_helm_does_not_block_and_helm_sees_no_variable_of_the_user() {
    let ns = namespace("hostile-chatty", &["staging"]);
    let scratch = tempfile::tempdir().unwrap();
    let env_file = scratch.path().join("env");
    let helm = chatty_helm(scratch.path(), 8 << 20, &env_file);
    let repo = git_repo(&[
        (
            "charts/quiet/Chart.yaml",
            "apiVersion: v2\nname: quiet\nversion: 1.0.0\n",
        ),
        (
            "charts/quiet/templates/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: quiet\ndata:\n  a: b\n",
        ),
    ]);
    kubectl_ok(
        "staging",
        &[
            "-n",
            &ns,
            "create",
            "configmap",
            "quiet",
            "--from-literal=a=b",
        ],
    );
    let planted = scratch.path().join("planted");
    std::fs::create_dir(&planted).unwrap();
    let planted = planted.display().to_string();
    let started = Instant::now();
    let (code, stdout, stderr) = run_in(
        repo.path(),
        &[
            ("HELM_PLUGINS", &planted),
            ("HELM_CONFIG_HOME", &planted),
            ("HELM_REPOSITORY_CONFIG", &planted),
            ("HELM_NO_PLUGINS", "0"),
            ("HELM_KUBECONTEXT", "elsewhere"),
            ("KUSTOMIZE_PLUGIN_HOME", &planted),
            ("GIT_DIR", &planted),
            ("XDG_DATA_HOME", &planted),
            ("LC_ALL", "C"),
        ],
        &[
            "check",
            "--context",
            "staging",
            "-n",
            &ns,
            "--path",
            "charts/quiet",
            "--helm-binary",
            helm.to_str().unwrap(),
        ],
    );
    let took = started.elapsed();
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(took < Duration::from_secs(60), "took {took:?}");
    eprintln!("a helm printing 8 MiB to stderr rendered in a check of {took:?}");
    let env = std::fs::read_to_string(&env_file).unwrap();
    assert!(!env.contains(&planted), "{env}");
    for gone in [
        "HELM_KUBECONTEXT=",
        "KUSTOMIZE_",
        "GIT_DIR=",
        "KUBECONFIG=",
        "XDG_",
    ] {
        assert!(!env.lines().any(|l| l.starts_with(gone)), "{gone}: {env}");
    }
    for kept in ["HELM_NO_PLUGINS=1", "LC_ALL=C", "PATH="] {
        assert!(env.lines().any(|l| l.starts_with(kept)), "{kept}: {env}");
    }
    assert!(
        env.lines()
            .any(|l| l.starts_with("HELM_PLUGINS=") && l.contains("kubectl-drift-helm-")),
        "{env}"
    );
}

#[test]
fn a_planted_helm_plugin_is_never_run() {
    let scratch = tempfile::tempdir().unwrap();
    let marker = scratch.path().join("plugin-ran");
    // A downloader plugin for `evil://` repositories: helm runs it to fetch a dependency,
    // HELM_NO_PLUGINS or not.
    let plugin = scratch.path().join("plugins/evil");
    std::fs::create_dir_all(&plugin).unwrap();
    std::fs::write(
        plugin.join("plugin.yaml"),
        "name: evil\nversion: 0.1.0\nusage: evil\ndescription: evil\ncommand: \"$HELM_PLUGIN_DIR/run.sh\"\ndownloaders:\n- command: run.sh\n  protocols: [evil]\n",
    )
    .unwrap();
    std::fs::write(
        plugin.join("run.sh"),
        format!("#!/bin/sh\ntouch '{}'\nexit 1\n", marker.display()),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        plugin.join("run.sh"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    let chart = "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n- name: dep\n  version: 1.0.0\n  repository: evil://x/charts\n";
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n";
    let repo = git_repo(&[
        ("charts/app/Chart.yaml", chart),
        ("charts/app/templates/cm.yaml", cm),
    ]);
    let plugins = scratch.path().join("plugins").display().to_string();
    let homes = scratch.path().join("homes").display().to_string();

    // The plant works: helm run as the user's environment says runs it.
    let out = std::process::Command::new(root().join("tests/testenv/helm"))
        .args(["template", "--dependency-update", "app"])
        .arg(repo.path().join("charts/app"))
        .env("HELM_PLUGINS", &plugins)
        .env("HELM_NO_PLUGINS", "1")
        .env("HELM_CACHE_HOME", &homes)
        .env("HELM_CONFIG_HOME", &homes)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        marker.exists(),
        "the planted plugin did not run under plain helm"
    );
    std::fs::remove_file(&marker).unwrap();

    let binary = helm_binary();
    let (code, stdout, stderr) = run_in(
        repo.path(),
        &[("HELM_PLUGINS", &plugins), ("HELM_CACHE_HOME", &homes)],
        &[
            "check",
            "--context",
            "staging",
            "-n",
            "default",
            "--path",
            "charts/app",
            "--allow-remote-bases",
            &binary[0],
            &binary[1],
        ],
    );
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(
        stderr.contains("charts/app/Chart.yaml: helm template failed (exit status 1)")
            && stderr.contains("could not find protocol handler for: evil"),
        "{stderr}"
    );
    assert!(!marker.exists(), "the planted plugin ran");
}

#[test]
fn git_variables_in_the_environment_do_not_move_adopt() {
    let ns = namespace("hostile-git", &["staging"]);
    let manifest =
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: calm\n";
    let repo = git_repo(&[("k8s/settings.yaml", manifest)]);
    let decoy = git_repo(&[("other.txt", "other\n")]);
    let decoy_head = git(decoy.path(), &["rev-parse", "HEAD"]);
    apply("staging", &ns, manifest);
    set_mode(&ns, "loud");
    let decoy_git = decoy.path().join(".git").display().to_string();
    let decoy_tree = decoy.path().display().to_string();
    let decoy_index = decoy.path().join(".git/index").display().to_string();
    let identity = [
        ("GIT_AUTHOR_NAME", "On Call"),
        ("GIT_AUTHOR_EMAIL", "oncall@example.com"),
        ("GIT_COMMITTER_NAME", "On Call"),
        ("GIT_COMMITTER_EMAIL", "oncall@example.com"),
    ];
    let args = [
        "adopt",
        "--context",
        "staging",
        "-n",
        &ns,
        "--path",
        "k8s",
        "--commit",
    ];
    let decoy_untouched = || {
        assert_eq!(git(decoy.path(), &["rev-parse", "HEAD"]), decoy_head);
        assert_eq!(git(decoy.path(), &["status", "--porcelain"]), "");
        assert!(!decoy.path().join("k8s").exists());
    };

    // GIT_WORK_TREE moves the work tree the repository reader reports: the git adopt runs
    // is not moved with it, finds another HEAD, and adopt refuses before writing anything.
    let mut envs = identity.to_vec();
    envs.push(("GIT_WORK_TREE", &decoy_tree));
    let (code, stdout, stderr) = run_in(repo.path(), &envs, &args);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains("but the work tree is at"), "{stderr}");
    decoy_untouched();

    // GIT_DIR and GIT_INDEX_FILE never reach git: the commit lands in the work tree's own
    // repository, by the identity the environment gives.
    let mut envs = identity.to_vec();
    envs.extend([
        ("GIT_DIR", decoy_git.as_str()),
        ("GIT_INDEX_FILE", &decoy_index),
    ]);
    let (code, stdout, stderr) = run_in(repo.path(), &envs, &args);
    assert_eq!(code, 0, "{stdout}{stderr}");
    decoy_untouched();
    let log = git(repo.path(), &["log", "-1", "--format=%an"]);
    assert_eq!(log.trim(), "On Call");
    assert!(
        std::fs::read_to_string(repo.path().join("k8s/settings.yaml"))
            .unwrap()
            .contains("mode: loud")
    );
    assert_eq!(git(repo.path(), &["status", "--porcelain"]), "");
}
