//! A hostile repository against the built binary and the real API servers: crafted tree
//! entries (made with `git hash-object --literally`, as no Git client would), symlinks and
//! submodules, config paths that lead out of the repository, near-manifests, and
//! kustomizations that would fetch from a loopback HTTP server. Nothing outside the
//! repository may be read, written or fetched, and every refusal exits 2 naming its cause.

#[allow(dead_code)]
#[path = "../support/git_servers.rs"]
mod git_servers;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use crate::check::check_json;
use crate::common::*;

/// A namespace-less ConfigMap and a kustomization that renders it.
fn kustomized_repo() -> tempfile::TempDir {
    git_repo(&[
        (
            "app/kustomization.yaml",
            "resources:\n- cm.yaml\nnamespace: default\n",
        ),
        (
            "app/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hostile-probe\ndata:\n  a: b\n",
        ),
    ])
}

fn git_stdin(dir: &Path, args: &[&str], input: &[u8]) -> String {
    let mut child = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn raw_id(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

/// Commits on `main` a root tree holding HEAD's entries plus `extra` (mode, name, object id),
/// written byte for byte, and returns the commit.
fn craft(repo: &Path, extra: &[(&str, &[u8], String)]) -> String {
    let mut tree = Vec::new();
    for line in git(repo, &["ls-tree", "HEAD"]).lines() {
        let (meta, name) = line.split_once('\t').unwrap();
        let parts: Vec<&str> = meta.split_whitespace().collect();
        let mode = parts[0].trim_start_matches('0');
        tree.extend_from_slice(format!("{mode} {name}\0").as_bytes());
        tree.extend(raw_id(parts[2]));
    }
    for (mode, name, id) in extra {
        tree.extend_from_slice(format!("{mode} ").as_bytes());
        tree.extend_from_slice(name);
        tree.push(0);
        tree.extend(raw_id(id));
    }
    let tree = git_stdin(
        repo,
        &["hash-object", "-t", "tree", "--literally", "-w", "--stdin"],
        &tree,
    );
    let commit = git(
        repo,
        &[
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.com",
            "commit-tree",
            &tree,
            "-p",
            "HEAD",
            "-m",
            "crafted",
        ],
    );
    let commit = commit.trim().to_string();
    git(repo, &["update-ref", "refs/heads/main", &commit]);
    commit
}

fn blob(repo: &Path, text: &str) -> String {
    git_stdin(repo, &["hash-object", "-w", "--stdin"], text.as_bytes())
}

fn run_in(dir: &Path, envs: &[(&str, &Path)], args: &[&str]) -> (i32, String, String) {
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

fn leftovers(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_crafted_entry_name_writes_nothing_through_local_file_and_http_repositories() {
    let repo = kustomized_repo();
    let payload = blob(repo.path(), "written by a hostile repository\n");
    let commit = craft(
        repo.path(),
        &[("100644", b"zz/../../victim.txt", payload.clone())],
    );
    let short = &commit[..7];
    // The kustomize copy goes to $TMPDIR/kubectl-drift-XXXX, so this name means $TMPDIR/victim.txt.
    let scratch = tempfile::tempdir().unwrap();
    let tmp = scratch.path().join("tmp");
    let cache = scratch.path().join("cache");
    std::fs::create_dir_all(&tmp).unwrap();
    let served = tempfile::tempdir().unwrap();
    git(
        served.path(),
        &[
            "clone",
            "-q",
            "--bare",
            repo.path().to_str().unwrap(),
            "origin.git",
        ],
    );
    let http = git_servers::HttpGitServer::start(served.path());
    let file_url = format!("file://{}", served.path().join("origin.git").display());
    let sources = [
        repo.path().display().to_string(),
        file_url,
        http.url("origin.git"),
    ];
    for source in &sources {
        let (code, stdout, stderr) = run_in(
            repo.path(),
            &[("TMPDIR", &tmp), ("XDG_CACHE_HOME", &cache)],
            &[
                "check",
                "--repo",
                source,
                "--path",
                "app",
                "--context",
                "staging",
            ],
        );
        assert_eq!(code, 2, "{source}: {stdout}{stderr}");
        assert!(
            stderr.contains(&format!(
                "commit {short} holds an unsafe tree entry \"zz/../../victim.txt\""
            )),
            "{source}: {stderr}"
        );
        assert!(
            !tmp.join("victim.txt").exists(),
            "{source} wrote outside its folder"
        );
        assert!(
            leftovers(&tmp).is_empty(),
            "{source} left {:?}",
            leftovers(&tmp)
        );
    }
    assert!(
        http.requests() > 0,
        "the HTTP repository was not read at all"
    );
}

#[test]
fn unsafe_names_are_refused_and_shown_escaped() {
    let names: [&[u8]; 7] = [
        b"..",
        b".git",
        b".GIT",
        b"git~1",
        ".git\u{200c}".as_bytes(),
        b"a\\b.yaml",
        b"evil\x1b[2J.yaml",
    ];
    for name in names {
        let repo = kustomized_repo();
        let payload = blob(repo.path(), "kind: x\n");
        craft(repo.path(), &[("100644", name, payload)]);
        let tmp = tempfile::tempdir().unwrap();
        let (code, stdout, stderr) = run_in(
            repo.path(),
            &[("TMPDIR", tmp.path())],
            &["check", "--path", "app", "--context", "staging"],
        );
        let shown = String::from_utf8_lossy(name);
        assert_eq!(code, 2, "{shown:?}: {stdout}{stderr}");
        assert!(
            stderr.contains("unsafe tree entry") && stderr.contains(&format!("{shown:?}")),
            "{shown:?}: {stderr}"
        );
        assert!(!stderr.contains('\x1b'), "{stderr:?}");
        assert!(leftovers(tmp.path()).is_empty());
    }
}

#[test]
fn symlinks_and_submodules_are_named_not_followed() {
    let ns = namespace("hostile-link", &["staging"]);
    let repo = git_repo(&[(
        "app/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: real\ndata:\n  a: b\n",
    )]);
    apply(
        "staging",
        &ns,
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: real\ndata:\n  a: b\n",
    );
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("outside.yaml");
    std::fs::write(
        &target,
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: outside\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(&target, repo.path().join("app/link.yaml")).unwrap();
    commit(repo.path(), "a symlink");
    let args = ["check", "--path", "app", "--context", "staging", "-n", &ns];
    let (code, stdout, stderr) = run_in(repo.path(), &[], &args);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(
        stderr.contains("app/link.yaml @ ") && stderr.contains("is a symlink"),
        "{stderr}"
    );

    git(repo.path(), &["rm", "-q", "app/link.yaml"]);
    let head = git(repo.path(), &["rev-parse", "HEAD"]);
    git(
        repo.path(),
        &[
            "update-index",
            "--add",
            "--cacheinfo",
            &format!("160000,{},app/vendored", head.trim()),
        ],
    );
    // Committed as it is: `git add -A` would drop a gitlink with no folder behind it.
    git(
        repo.path(),
        &[
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.com",
            "commit",
            "-q",
            "-m",
            "a submodule",
        ],
    );
    let (code, stdout, stderr) = run_in(repo.path(), &[], &args);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(
        stderr.contains("app: submodule app/vendored is not read"),
        "{stderr}"
    );
    let inside = [
        "check",
        "--path",
        "app/vendored/k8s",
        "--context",
        "staging",
    ];
    let (code, _, stderr) = run_in(repo.path(), &[], &inside);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("submodule app/vendored"), "{stderr}");
}

const TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.c2VydmljZS1hY2NvdW50.hostile-test-token";

#[test]
fn config_paths_stay_inside_the_repository_and_errors_quote_nothing() {
    let outside = tempfile::tempdir().unwrap();
    let token = outside.path().join("token");
    std::fs::write(&token, TOKEN).unwrap();

    // `accepted:` naming a file elsewhere.
    let repo = git_repo(&[
        (
            ".kubectl-drift.yaml",
            &format!("accepted: {}\n", token.display()),
        ),
        (
            "app/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
        ),
    ]);
    let (code, stdout, stderr) = run_in(
        repo.path(),
        &[],
        &["check", "--path", "app", "--context", "staging"],
    );
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(
        stderr.contains(".kubectl-drift.yaml:1: accepted:")
            && stderr.contains("not inside the repository"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("eyJ") && !stdout.contains("eyJ"),
        "{stderr}"
    );

    // A committed symlink as the config file.
    let repo = git_repo(&[(
        "app/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
    )]);
    std::os::unix::fs::symlink(&token, repo.path().join(".kubectl-drift.yaml")).unwrap();
    commit(repo.path(), "config");
    let (code, stdout, stderr) = run_in(
        repo.path(),
        &[],
        &["check", "--path", "app", "--context", "staging"],
    );
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains("is a symlink"), "{stderr}");
    assert!(
        !stderr.contains("eyJ") && !stdout.contains("eyJ"),
        "{stderr}"
    );

    // In the repository, a config that does not parse is named by position only.
    let repo = git_repo(&[
        (".kubectl-drift.yaml", TOKEN),
        (
            "app/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
        ),
    ]);
    let (code, _, stderr) = run_in(
        repo.path(),
        &[],
        &["check", "--path", "app", "--context", "staging"],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains(".kubectl-drift.yaml:1:1: invalid type"),
        "{stderr}"
    );
    assert!(!stderr.contains("eyJ"), "{stderr}");
}

/// A drifted ConfigMap `settings` in a new namespace, and its repository.
fn drifted(prefix: &str, config: &str) -> (String, tempfile::TempDir) {
    let ns = namespace(prefix, &["staging"]);
    let manifest =
        format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: {ns}\ndata:\n  mode: calm\n");
    let repo = git_repo(&[(".kubectl-drift.yaml", config), ("app/cm.yaml", &manifest)]);
    apply("staging", &ns, &manifest);
    set_mode(&ns, "wild");
    (ns, repo)
}

#[test]
fn accept_writes_nothing_outside_the_repository() {
    let outside = tempfile::tempdir().unwrap();
    let kubeconfig = outside.path().join("kubeconfig");
    let original = "apiVersion: v1\nkind: Config\nclusters: []\n";
    std::fs::write(&kubeconfig, original).unwrap();
    let accept = |repo: &Path, ns: &str| {
        run_in(
            repo,
            &[],
            &[
                "accept",
                "configmap/settings",
                "-n",
                ns,
                "--path",
                "app",
                "--context",
                "staging",
                "--reason",
                "hostile",
            ],
        )
    };

    // `accepted:` climbing out of the work tree.
    let (ns, repo) = drifted(
        "hostile-acc",
        &format!("accepted: ../../../../../../..{}\n", kubeconfig.display()),
    );
    let (code, stdout, stderr) = accept(repo.path(), &ns);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains("accepted:"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&kubeconfig).unwrap(), original);

    // The records' folder a committed symlink to a folder elsewhere.
    let (ns, repo) = drifted("hostile-accdir", "# defaults\n");
    std::os::unix::fs::symlink(outside.path(), repo.path().join(".kubectl-drift")).unwrap();
    commit(repo.path(), "records elsewhere");
    let (code, stdout, stderr) = accept(repo.path(), &ns);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains("symlink"), "{stderr}");
    assert_eq!(leftovers(outside.path()), vec!["kubeconfig".to_string()]);

    // And where nothing is hostile, the record is written in the work tree.
    let (ns, repo) = drifted("hostile-accok", "# defaults\n");
    let (code, stdout, stderr) = accept(repo.path(), &ns);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(repo.path().join(".kubectl-drift/accepted.yaml").is_file());
}

#[test]
fn near_manifests_are_errors_and_skipped_files_are_named() {
    let ns = namespace("hostile-docs", &["staging"]);
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: calm\n";
    apply("staging", &ns, cm);
    for (typo, line) in [
        (
            "apiversion: v1\nkind: ConfigMap\nmetadata:\n  name: typo\n",
            8,
        ),
        ("apiVersion: v1\nmetadata:\n  name: nokind\ndata: {}\n", 8),
    ] {
        let text = format!("{cm}---\n{typo}");
        let repo = git_repo(&[("app/cm.yaml", &text)]);
        let (code, stdout, stderr) = run_in(
            repo.path(),
            &[],
            &["check", "--path", "app", "--context", "staging", "-n", &ns],
        );
        assert_eq!(code, 2, "{stdout}{stderr}");
        assert!(
            stderr.contains(&format!("app/cm.yaml:{line}: ")),
            "{stderr}"
        );
    }
    let repo = git_repo(&[
        ("app/cm.yaml", &format!("{cm}---\nreplicas: 3\n")),
        ("app/values.yaml", "image: {tag: latest}\n"),
    ]);
    let (code, report) = check_json(
        repo.path(),
        &["--path", "app", "--context", "staging", "-n", &ns],
    );
    assert_eq!(code, 0, "{report:#}");
    let summary = &report["summary"][0];
    assert_eq!(summary["skipped_files"], 2, "{report:#}");
    let warnings = summary["warnings"].to_string();
    assert!(
        warnings.contains("app/values.yaml") && warnings.contains("app/cm.yaml:8"),
        "{warnings}"
    );
}

/// An HTTP server on loopback that counts requests and serves a ConfigMap to each.
fn counting_server() -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let requests = Arc::new(AtomicUsize::new(0));
    let seen = requests.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            seen.fetch_add(1, Ordering::SeqCst);
            let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(5)));
            let mut buffer = [0u8; 4096];
            let _ = stream.read(&mut buffer);
            let body = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: remote\n";
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (port, requests)
}

#[test]
fn kustomizations_fetch_nothing_unless_allowed() {
    let (port, requests) = counting_server();
    let url = format!("http://127.0.0.1:{port}/remote.yaml");
    let cases = [
        format!("resources:\n- cm.yaml\n- {url}\n"),
        format!("resources:\n- cm.yaml\n- git::http://127.0.0.1:{port}/repo.git//base?ref=main\n"),
        format!("resources:\n- cm.yaml\n- http://127.0.0.1:{port}/org/repo//base?ref=v1\n"),
        "resources:\n- cm.yaml\n- github.com/example/repo//base?ref=v1\n".to_string(),
        format!("resources:\n- cm.yaml\nhelmCharts:\n- name: app\n  repo: http://127.0.0.1:{port}/charts\n  version: 1.0.0\n"),
        "resources:\n- ../base\n".to_string(),
    ];
    for kustomization in &cases {
        let repo = git_repo(&[
            ("app/kustomization.yaml", kustomization),
            (
                "app/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: local\n",
            ),
            ("base/kustomization.yaml", &format!("resources:\n- {url}\n")),
        ]);
        let (code, stdout, stderr) = run_in(
            repo.path(),
            &[],
            &["check", "--path", "app", "--context", "staging"],
        );
        assert_eq!(code, 2, "{kustomization}: {stdout}{stderr}");
        assert!(
            stderr.contains("kustomization.yaml: ") && stderr.contains("--allow-remote-bases"),
            "{kustomization}: {stderr}"
        );
        assert_eq!(
            requests.load(Ordering::SeqCst),
            0,
            "{kustomization}: the network was reached"
        );
    }
    // The refusal names the file and entry; with the flag, kustomize goes to the server.
    let repo = git_repo(&[
        ("app/kustomization.yaml", &cases[0]),
        (
            "app/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: local\n",
        ),
    ]);
    let args = [
        "check",
        "--path",
        "app",
        "--context",
        "staging",
        "-n",
        "default",
    ];
    let (_, _, stderr) = run_in(repo.path(), &[], &args);
    assert!(
        stderr.contains(&format!(
            "app/kustomization.yaml: resources entry \"{url}\" would be fetched"
        )),
        "{stderr}"
    );
    let mut allowed = args.to_vec();
    allowed.push("--allow-remote-bases");
    let _ = run_in(repo.path(), &[], &allowed);
    assert!(
        requests.load(Ordering::SeqCst) > 0,
        "with --allow-remote-bases kustomize fetches"
    );
}

#[test]
fn flags_that_cannot_apply_are_errors() {
    let repo = git_repo(&[(
        "app/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
    )]);
    for (args, flag) in [
        (
            vec!["check", "--offline", "--context", "staging"],
            "--offline",
        ),
        (
            vec![
                "check",
                "-f",
                "app",
                "--ref",
                "main",
                "--context",
                "staging",
            ],
            "--ref",
        ),
        (
            vec!["check", "-n", "Bad_NS", "--context", "staging"],
            "--namespace",
        ),
    ] {
        let (code, stdout, stderr) = run_in(repo.path(), &[], &args);
        assert_eq!(code, 2, "{args:?}: {stdout}{stderr}");
        assert!(stderr.contains(flag), "{args:?}: {stderr}");
    }
}
