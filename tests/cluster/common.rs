//! The shared fixture for tests against the real API servers: starts `tests/testenv/up`
//! once per test run (or uses `KUBECTL_DRIFT_TESTENV` when a caller already started one),
//! stops it when the test process ends, and gives each test its own namespaces and Git
//! repositories. A cluster that cannot start fails the tests; nothing is skipped.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

pub struct Testenv {
    pub kubeconfig: PathBuf,
}

static TESTENV: OnceLock<Testenv> = OnceLock::new();

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Cargo's target folder: `CARGO_TARGET_DIR` (relative to the crate) when set, as CI sets it
/// to keep builds between clean clones, else `target/`.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root().join(dir),
        _ => root().join("target"),
    }
}

/// The running clusters, started on first use.
pub fn testenv() -> &'static Testenv {
    TESTENV.get_or_init(|| {
        if let Some(dir) = std::env::var_os("KUBECTL_DRIFT_TESTENV") {
            let kubeconfig = PathBuf::from(dir).join("kubeconfig");
            assert!(kubeconfig.exists(), "KUBECTL_DRIFT_TESTENV is set but {} is missing", kubeconfig.display());
            return Testenv { kubeconfig };
        }
        let dir = std::env::temp_dir().join(format!("kubectl-drift-testenv-{}", std::process::id()));
        let up = Command::new(root().join("tests/testenv/up"))
            .arg(&dir)
            .stdout(Stdio::inherit())
            .stderr(Stdio::inherit())
            .status()
            .expect("cannot run tests/testenv/up");
        assert!(up.success(), "tests/testenv/up failed: the tests need the real API servers");
        // Stop the clusters when this test process exits, however it exits.
        let watchdog = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; exec '{down}' '{dir}' >/dev/null 2>&1",
            pid = std::process::id(),
            down = root().join("tests/testenv/down").display(),
            dir = dir.display()
        );
        // `setsid -f` detaches the watchdog and returns at once.
        let started = Command::new("setsid")
            .args(["-f", "bash", "-c", &watchdog])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("cannot start the testenv watchdog");
        assert!(started.success(), "cannot start the testenv watchdog");
        Testenv {
            kubeconfig: dir.join("kubeconfig"),
        }
    })
}

/// Runs kubectl against a context and returns its output.
pub fn kubectl(context: &str, args: &[&str]) -> Output {
    kubectl_stdin(context, args, None)
}

pub fn kubectl_stdin(context: &str, args: &[&str], stdin: Option<&str>) -> Output {
    use std::io::Write;
    let env = testenv();
    let mut child = Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(&env.kubeconfig)
        .arg("--context")
        .arg(context)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot run kubectl");
    let mut pipe = child.stdin.take().unwrap();
    pipe.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(pipe);
    child.wait_with_output().unwrap()
}

/// Runs kubectl and fails the test when it fails.
pub fn kubectl_ok(context: &str, args: &[&str]) -> String {
    let out = kubectl(context, args);
    assert!(
        out.status.success(),
        "kubectl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Applies YAML text through kubectl (client-side apply, as many pipelines do).
pub fn apply(context: &str, namespace: &str, yaml: &str) {
    let out = kubectl_stdin(context, &["apply", "-n", namespace, "-f", "-"], Some(yaml));
    assert!(
        out.status.success(),
        "kubectl apply failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A fresh namespace, created in the given contexts.
pub fn namespace(prefix: &str, contexts: &[&str]) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = format!("{prefix}-{}-{n}", std::process::id() % 100000);
    for context in contexts {
        kubectl_ok(context, &["create", "namespace", &name]);
    }
    name
}

/// A real Git repository with these files committed.
pub fn git_repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    write_files(dir.path(), files);
    commit(dir.path(), "manifests");
    dir
}

pub fn write_files(dir: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let full = dir.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }
}

pub fn commit(dir: &Path, message: &str) {
    git(dir, &["add", "-A"]);
    git(
        dir,
        &[
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.com",
            "commit",
            "-q",
            "-m",
            message,
        ],
    );
}

pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The plugin binary, pointed at the test clusters.
pub fn drift() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("kubectl-drift").unwrap();
    cmd.env("KUBECONFIG", &testenv().kubeconfig)
        .env_remove("NO_COLOR")
        .timeout(std::time::Duration::from_secs(120));
    cmd
}

/// Runs the plugin and returns (exit code, stdout, stderr).
pub fn run_drift(args: &[&str]) -> (i32, String, String) {
    let out = drift().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Sets `data.mode` of the ConfigMap `settings` in `ns` of staging, as a person would.
pub fn set_mode(ns: &str, mode: &str) {
    let patch = format!(r#"{{"data":{{"mode":"{mode}"}}}}"#);
    kubectl_ok(
        "staging",
        &["-n", ns, "patch", "configmap", "settings", "-p", &patch],
    );
}

/// A small seeded generator (a 64-bit LCG) for generated cases: one seed, one sequence of
/// cases, so a failure names the seed that reproduces it.
pub struct Rng(pub u64);

impl Rng {
    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n
    }

    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// A webhook receiver on 127.0.0.1 at `path` that answers 200 and keeps each request's body.
pub fn webhook_receiver(path: &str) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}{path}", listener.local_addr().unwrap());
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
