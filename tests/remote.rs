//! Remote repositories end to end: real Git repositories made with the git CLI, served over
//! file://, `git daemon` and `git http-backend` on 127.0.0.1, synced into a private cache
//! with `source::remote::sync_in` and read back with `source::git::read_tree`.

#[path = "support/git_servers.rs"]
mod git_servers;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{mpsc, Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

use git_servers::{GitDaemon, HttpGitServer, Mode};
use kubectl_drift::source::git::read_tree;
use kubectl_drift::source::remote::{self, Fetched, RemoteError};

/// Longest any one sync may take before the test fails instead of hanging.
const SYNC_TIMEOUT: Duration = Duration::from_secs(90);

/// Tests that change environment variables hold this, as the environment is process-wide.
static ENV_LOCK: Mutex<()> = Mutex::new(());

fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .output()
        .expect("run git");
    assert!(
        output.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// A bare repository `origin.git` (what servers serve) and a work clone that pushes to it.
struct Origin {
    dir: tempfile::TempDir,
}

impl Origin {
    fn new(default_branch: &str) -> Origin {
        let dir = tempfile::tempdir().unwrap();
        let origin = Origin { dir };
        git(
            origin.dir.path(),
            &["init", "--bare", "-q", "-b", default_branch, "origin.git"],
        );
        git(
            origin.dir.path(),
            &["init", "-q", "-b", default_branch, "work"],
        );
        git(
            &origin.work(),
            &["remote", "add", "origin", origin.bare().to_str().unwrap()],
        );
        origin
    }

    /// The folder that holds `origin.git`, for servers' base paths.
    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn bare(&self) -> PathBuf {
        self.dir.path().join("origin.git")
    }

    fn work(&self) -> PathBuf {
        self.dir.path().join("work")
    }

    fn file_url(&self) -> String {
        format!("file://{}", self.bare().display())
    }

    /// Writes a ConfigMap manifest whose data says `value`, commits it and returns the id.
    fn commit(&self, value: &str) -> String {
        let manifest = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  namespace: default\n\
             data:\n  value: {value}\n"
        );
        std::fs::write(self.work().join("app.yaml"), manifest).unwrap();
        git(&self.work(), &["add", "app.yaml"]);
        git(&self.work(), &["commit", "-q", "-m", value]);
        git(&self.work(), &["rev-parse", "HEAD"])
    }

    fn push(&self, args: &[&str]) {
        let mut all = vec!["push", "-q", "origin"];
        all.extend_from_slice(args);
        git(&self.work(), &all);
    }
}

/// `sync_in`, failing the test if it takes longer than [`SYNC_TIMEOUT`].
fn sync(cache: &Path, url: &str, rev: &str, offline: bool) -> Result<Fetched, RemoteError> {
    let (send, receive) = mpsc::channel();
    let (cache, url, rev) = (cache.to_path_buf(), url.to_string(), rev.to_string());
    std::thread::spawn(move || {
        let _ = send.send(remote::sync_in(&cache, &url, &rev, offline));
    });
    match receive.recv_timeout(SYNC_TIMEOUT) {
        Ok(result) => result,
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("sync did not finish within {SYNC_TIMEOUT:?}")
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("sync panicked"),
    }
}

/// The commit the fetched rev resolves to, and the manifest's `value` there.
fn read(fetched: &Fetched) -> (String, String) {
    let snapshot = read_tree(Some(&fetched.path), &fetched.rev, &[], false)
        .unwrap_or_else(|e| panic!("read {} at {}: {e}", fetched.path.display(), fetched.rev));
    let (name, bytes) = snapshot
        .files
        .iter()
        .find(|(name, _)| name == "app.yaml")
        .expect("app.yaml in the tree");
    assert_eq!(name, "app.yaml");
    let text = String::from_utf8(bytes.clone()).unwrap();
    let value = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("value: "))
        .expect("a value line")
        .to_string();
    (snapshot.commit, value)
}

/// Entries in the cache folder other than lock files: the clones (and any leftovers).
fn cache_entries(cache: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(cache)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.ends_with(".lock"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn local_refs(repo: &Path) -> String {
    git(
        repo,
        &[
            "for-each-ref",
            "--format=%(refname) %(objectname)",
            "refs/heads",
            "refs/tags",
        ],
    )
}

#[test]
fn file_url_clones_then_fetches_new_commits() {
    let origin = Origin::new("main");
    let first = origin.commit("one");
    origin.push(&["main"]);
    git(&origin.work(), &["tag", "-a", "v1", "-m", "release 1"]);
    origin.push(&["v1"]);
    let cache = tempfile::tempdir().unwrap();
    let url = origin.file_url();

    let fetched = sync(cache.path(), &url, "HEAD", false).unwrap();
    assert!(fetched.fetched);
    assert_eq!(fetched.rev, "refs/heads/main");
    assert_eq!(fetched.url, url);
    assert!(fetched.path.starts_with(cache.path()));
    let name = fetched
        .path
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(name.ends_with(".git") && name.contains("origin"), "{name}");
    assert_eq!(read(&fetched), (first.clone(), "one".to_string()));
    // Bare, with branches and tags mirrored under their own names.
    assert_eq!(
        git(&fetched.path, &["rev-parse", "--is-bare-repository"]),
        "true"
    );
    assert_eq!(local_refs(&fetched.path), local_refs(&origin.bare()));
    drop(fetched);

    let second = origin.commit("two");
    origin.push(&["main"]);
    let fetched = sync(cache.path(), &url, "HEAD", false).unwrap();
    assert_eq!(read(&fetched), (second.clone(), "two".to_string()));
    drop(fetched);

    // A tag, a branch name and a commit id are passed through and resolve.
    let tagged = sync(cache.path(), &url, "v1", false).unwrap();
    assert_eq!(tagged.rev, "v1");
    assert_eq!(read(&tagged).0, first);
    drop(tagged);
    let by_name = sync(cache.path(), &url, "main", false).unwrap();
    assert_eq!(read(&by_name).0, second);
    drop(by_name);
    let by_id = sync(cache.path(), &url, &first, true).unwrap();
    assert!(!by_id.fetched);
    assert_eq!(read(&by_id), (first, "one".to_string()));
    drop(by_id);

    assert_eq!(cache_entries(cache.path()), vec![name]);
}

#[test]
fn git_daemon_clone_fetch_and_connection_refused() {
    let origin = Origin::new("main");
    let first = origin.commit("one");
    origin.push(&["main"]);
    let mut daemon = GitDaemon::start(origin.root());
    let url = daemon.url("origin.git");
    let cache = tempfile::tempdir().unwrap();

    let fetched = sync(cache.path(), &url, "HEAD", false).unwrap();
    assert_eq!(fetched.rev, "refs/heads/main");
    assert_eq!(read(&fetched), (first.clone(), "one".to_string()));
    drop(fetched);

    let second = origin.commit("two");
    origin.push(&["main"]);
    let fetched = sync(cache.path(), &url, "main", false).unwrap();
    assert_eq!(read(&fetched), (second.clone(), "two".to_string()));
    drop(fetched);

    // With the server gone the fetch fails, says where and what to do, and the cache stays.
    origin.commit("three");
    origin.push(&["main"]);
    daemon.stop();
    let error = sync(cache.path(), &url, "HEAD", false).unwrap_err();
    assert!(matches!(error, RemoteError::Fetch { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains(&url), "{message}");
    assert!(message.contains("--offline"), "{message}");
    let offline = sync(cache.path(), &url, "HEAD", true).unwrap();
    assert!(!offline.fetched);
    assert_eq!(read(&offline), (second, "two".to_string()));
}

#[test]
fn http_clone_and_fetch() {
    let origin = Origin::new("main");
    let first = origin.commit("one");
    origin.push(&["main"]);
    let server = HttpGitServer::start(origin.root());
    let url = server.url("origin.git");
    let cache = tempfile::tempdir().unwrap();

    let fetched = sync(cache.path(), &url, "HEAD", false).unwrap();
    assert_eq!(fetched.rev, "refs/heads/main");
    assert_eq!(read(&fetched), (first, "one".to_string()));
    drop(fetched);
    let served = server.requests();
    assert!(
        served >= 2,
        "the clone went through the server ({served} requests)"
    );

    let second = origin.commit("two");
    origin.push(&["main"]);
    let fetched = sync(cache.path(), &url, "HEAD", false).unwrap();
    assert_eq!(read(&fetched), (second, "two".to_string()));
    assert!(server.requests() > served);
}

/// Restores environment variables when dropped.
struct EnvGuard(Vec<(&'static str, Option<std::ffi::OsString>)>);

impl EnvGuard {
    fn set(&mut self, name: &'static str, value: Option<&str>) {
        if !self.0.iter().any(|(n, _)| *n == name) {
            self.0.push((name, std::env::var_os(name)));
        }
        match value {
            Some(value) => std::env::set_var(name, value),
            None => std::env::remove_var(name),
        }
    }
}

impl Drop for EnvGuard {
    fn drop(&mut self) {
        for (name, value) in self.0.drain(..).rev() {
            match value {
                Some(value) => std::env::set_var(name, value),
                None => std::env::remove_var(name),
            }
        }
    }
}

#[test]
fn https_basic_auth_uses_the_token_and_never_shows_credentials() {
    const TOKEN: &str = "tok3n-VERY-secret-1234";
    const URL_PASSWORD: &str = "url-pa55word-secret";
    let _env_lock = ENV_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let origin = Origin::new("main");
    let first = origin.commit("one");
    origin.push(&["main"]);
    let server = HttpGitServer::start_https(origin.root());
    let ca = origin.root().join("ca.pem");
    std::fs::write(&ca, server.ca_pem.as_ref().unwrap()).unwrap();
    let url = server.url("origin.git");
    assert!(url.starts_with("https://127.0.0.1:"));
    let cache = tempfile::tempdir().unwrap();

    let mut env = EnvGuard(Vec::new());
    // No prompting in tests: without the token, authentication must simply fail.
    env.set("GIT_TERMINAL_PROMPT", Some("0"));
    env.set("GIT_ASKPASS", None);
    env.set("SSH_ASKPASS", None);
    env.set(remote::USERNAME_ENV, None);
    env.set(remote::TOKEN_ENV, None);

    // The server's certificate is trusted only through http.sslCAInfo (here GIT_SSL_CAINFO).
    env.set("GIT_SSL_CAINFO", None);
    let error = sync(cache.path(), &url, "HEAD", false).unwrap_err();
    assert!(matches!(error, RemoteError::Clone { .. }), "{error:?}");
    assert!(error.to_string().contains(&url), "{error}");
    env.set("GIT_SSL_CAINFO", Some(ca.to_str().unwrap()));
    let fetched = sync(cache.path(), &url, "HEAD", false).unwrap();
    assert_eq!(read(&fetched).0, first);
    let entry = fetched.path.clone();
    drop(fetched);

    // The token, with the default user name `git`.
    server.require_auth(Some(&format!("git:{TOKEN}")));
    env.set(remote::TOKEN_ENV, Some(TOKEN));
    let second = origin.commit("two");
    origin.push(&["main"]);
    let fetched = sync(cache.path(), &url, "HEAD", false).unwrap();
    assert_eq!(read(&fetched), (second.clone(), "two".to_string()));
    assert!(
        server.unauthorized() >= 1,
        "the server did ask for credentials"
    );
    drop(fetched);
    let config = std::fs::read_to_string(entry.join("config")).unwrap();
    assert!(!config.contains(TOKEN), "{config}");

    // The user name comes from KUBECTL_DRIFT_GIT_USERNAME.
    server.require_auth(Some(&format!("alice:{TOKEN}")));
    env.set(remote::USERNAME_ENV, Some("alice"));
    let third = origin.commit("three");
    origin.push(&["main"]);
    let fetched = sync(cache.path(), &url, "HEAD", false).unwrap();
    assert_eq!(read(&fetched).0, third);
    drop(fetched);

    // A rejected token fails the fetch without showing it.
    server.require_auth(Some(&format!("alice:{TOKEN}-rotated")));
    let error = sync(cache.path(), &url, "HEAD", false).unwrap_err();
    let message = format!("{error} {error:?}");
    assert!(matches!(error, RemoteError::Fetch { .. }), "{error:?}");
    assert!(!message.contains(TOKEN), "{message}");
    assert!(message.contains(&url), "{message}");

    // Without the token nothing is sent that the server takes, and the error says so
    // without any secret; the cache from before is still there to read offline.
    env.set(remote::TOKEN_ENV, None);
    env.set(remote::USERNAME_ENV, None);
    server.require_auth(Some(&format!("git:{TOKEN}")));
    let error = sync(cache.path(), &url, "HEAD", false).unwrap_err();
    let message = format!("{error} {error:?}");
    assert!(matches!(error, RemoteError::Fetch { .. }), "{error:?}");
    assert!(!message.contains(TOKEN), "{message}");
    assert!(error.to_string().contains(&url), "{message}");
    assert!(error.to_string().contains("--offline"), "{message}");
    let offline = sync(cache.path(), &url, "HEAD", true).unwrap();
    assert_eq!(read(&offline).0, third);
    drop(offline);

    // Credentials in the URL: used, but never shown, nor used to name the cache entry.
    let with_userinfo = url.replacen("https://", &format!("https://git:{TOKEN}@"), 1);
    let fourth = origin.commit("four");
    origin.push(&["main"]);
    let fetched = sync(cache.path(), &with_userinfo, "HEAD", false).unwrap();
    assert_eq!(fetched.url, url);
    assert_eq!(fetched.path, entry);
    assert_eq!(read(&fetched).0, fourth);
    drop(fetched);
    let error = sync(cache.path(), &with_userinfo, "no-such-branch", false).unwrap_err();
    let message = format!("{error} {error:?}");
    assert!(
        message.contains("no-such-branch") && message.contains(&url),
        "{message}"
    );
    assert!(!message.contains(TOKEN), "{message}");

    // Wrong credentials in the URL: the error shows neither them nor the URL with them.
    let wrong = url.replacen("https://", &format!("https://bob:{URL_PASSWORD}@"), 1);
    let error = sync(cache.path(), &wrong, "HEAD", false).unwrap_err();
    let message = format!("{error} {error:?}");
    assert!(!message.contains(URL_PASSWORD), "{message}");
    assert!(!message.contains("bob:"), "{message}");
    assert!(message.contains(&url), "{message}");
    // A first clone with wrong credentials fails the same way, leaving no entry behind.
    let fresh = tempfile::tempdir().unwrap();
    let error = sync(fresh.path(), &wrong, "HEAD", false).unwrap_err();
    let message = format!("{error} {error:?}");
    assert!(matches!(error, RemoteError::Clone { .. }), "{error:?}");
    assert!(!message.contains(URL_PASSWORD), "{message}");
    assert!(cache_entries(fresh.path()).is_empty());

    // Over plain http, gix refuses to send credentials at all; the error says why and
    // shows no secret.
    let plain = HttpGitServer::start(origin.root());
    plain.require_auth(Some(&format!("git:{TOKEN}")));
    env.set(remote::TOKEN_ENV, Some(TOKEN));
    let plain_url = plain.url("origin.git");
    for url in [
        plain_url.clone(),
        plain_url.replacen("http://", &format!("http://git:{TOKEN}@"), 1),
    ] {
        let error = sync(fresh.path(), &url, "HEAD", false).unwrap_err();
        let message = format!("{error} {error:?}");
        assert!(!message.contains(TOKEN), "{message}");
        assert!(message.contains(&plain_url), "{message}");
        assert!(message.contains("clear text"), "{message}");
    }
    assert!(plain.unauthorized() >= 1);
}

#[test]
fn ssh_runs_the_ssh_program_with_the_users_environment() {
    let _env_lock = ENV_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let origin = Origin::new("main");
    let commit = origin.commit("one");
    origin.push(&["main"]);
    let log = origin.root().join("ssh.log");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/fake-ssh.sh");
    let mut env = EnvGuard(Vec::new());
    // core.sshCommand / GIT_SSH_COMMAND is honoured like git; the stand-in runs the remote
    // command locally and records its arguments and whether the agent socket reached it.
    env.set(
        "GIT_SSH_COMMAND",
        Some(&format!("sh '{}' '{}'", script.display(), log.display())),
    );
    env.set("SSH_AUTH_SOCK", Some("/run/test-agent.sock"));
    let cache = tempfile::tempdir().unwrap();
    let bare = origin.bare().display().to_string();

    for url in [
        format!("ssh://git@git.example.invalid:2222{bare}"),
        format!("git@git.example.invalid:{bare}"),
    ] {
        let fetched = sync(cache.path(), &url, "HEAD", false).unwrap();
        assert_eq!(fetched.url, url, "an ssh user name is no secret and stays");
        assert_eq!(fetched.rev, "refs/heads/main");
        assert_eq!(read(&fetched).0, commit);
    }
    let calls = std::fs::read_to_string(&log).unwrap();
    assert!(
        calls.contains(&format!(
            "args: -o SendEnv=GIT_PROTOCOL -p2222 git@git.example.invalid git-upload-pack '{bare}'"
        )),
        "{calls}"
    );
    assert!(
        calls.contains(&format!("git@git.example.invalid git-upload-pack '{bare}'")),
        "{calls}"
    );
    assert!(!calls.contains("agent: \n"), "{calls}");
    assert!(calls.contains("agent: /run/test-agent.sock"), "{calls}");
}

#[test]
fn force_pushed_branch_is_followed() {
    let origin = Origin::new("main");
    let base = origin.commit("one");
    let old = origin.commit("two");
    origin.push(&["main"]);
    let cache = tempfile::tempdir().unwrap();
    let url = origin.file_url();
    let fetched = sync(cache.path(), &url, "main", false).unwrap();
    assert_eq!(read(&fetched).0, old);
    drop(fetched);

    // Rewrite history: `two` is replaced by `rewritten`, which does not descend from it.
    git(&origin.work(), &["reset", "-q", "--hard", &base]);
    let rewritten = origin.commit("rewritten");
    origin.push(&["--force", "main"]);
    let status = Command::new("git")
        .args(["merge-base", "--is-ancestor", &old, &rewritten])
        .current_dir(origin.work())
        .status()
        .unwrap();
    assert!(
        !status.success(),
        "the new commit is no descendant of the old one"
    );

    let fetched = sync(cache.path(), &url, "main", false).unwrap();
    assert_eq!(read(&fetched), (rewritten.clone(), "rewritten".to_string()));
    drop(fetched);
    let head = sync(cache.path(), &url, "HEAD", false).unwrap();
    assert_eq!(read(&head).0, rewritten);
}

#[test]
fn deleted_branch_and_tag_error_clearly() {
    let origin = Origin::new("main");
    let main = origin.commit("one");
    origin.push(&["main"]);
    git(&origin.work(), &["checkout", "-q", "-b", "feature"]);
    let feature = origin.commit("feature");
    git(&origin.work(), &["tag", "v-feature"]);
    origin.push(&["feature", "v-feature"]);
    git(&origin.work(), &["checkout", "-q", "main"]);
    let cache = tempfile::tempdir().unwrap();
    let url = origin.file_url();

    let fetched = sync(cache.path(), &url, "feature", false).unwrap();
    assert_eq!(read(&fetched).0, feature);
    drop(fetched);

    origin.push(&["--delete", "feature", "v-feature"]);
    for rev in ["feature", "v-feature"] {
        let error = sync(cache.path(), &url, rev, false).unwrap_err();
        assert!(matches!(error, RemoteError::UnknownRev { .. }), "{error:?}");
        let message = error.to_string();
        assert!(message.contains(rev) && message.contains(&url), "{message}");
    }
    let fetched = sync(cache.path(), &url, "HEAD", false).unwrap();
    assert_eq!(read(&fetched).0, main);
    let refs = local_refs(&fetched.path);
    assert!(!refs.contains("feature"), "{refs}");
    drop(fetched);
    // The commit itself is still in the cache, so asking for it by id works.
    let by_id = sync(cache.path(), &url, &feature, true).unwrap();
    assert_eq!(read(&by_id).0, feature);
    drop(by_id);

    // A branch that never existed fails the same way, online and offline.
    let error = sync(cache.path(), &url, "nope", true).unwrap_err();
    assert!(error.to_string().contains("\"nope\""), "{error}");
    assert!(error.to_string().contains("--offline"), "{error}");
}

#[test]
fn server_dying_mid_fetch_leaves_the_cache_usable() {
    let origin = Origin::new("main");
    let first = origin.commit("one");
    origin.push(&["main"]);
    let server = HttpGitServer::start(origin.root());
    let url = server.url("origin.git");

    // A first clone cut short leaves no entry and no temporary folder behind.
    let cache = tempfile::tempdir().unwrap();
    server.set_mode(Mode::TruncatePack);
    let error = sync(cache.path(), &url, "HEAD", false).unwrap_err();
    assert!(matches!(error, RemoteError::Clone { .. }), "{error:?}");
    assert!(error.to_string().contains(&url), "{error}");
    assert_eq!(server.truncated(), 1);
    assert!(
        cache_entries(cache.path()).is_empty(),
        "{:?}",
        cache_entries(cache.path())
    );
    let error = sync(cache.path(), &url, "HEAD", true).unwrap_err();
    assert!(matches!(error, RemoteError::NotCached { .. }), "{error:?}");

    server.set_mode(Mode::Healthy);
    let fetched = sync(cache.path(), &url, "HEAD", false).unwrap();
    assert_eq!(read(&fetched).0, first);
    drop(fetched);

    // The next fetch dies mid-pack: an error, and the cache as it was.
    let second = origin.commit("two");
    origin.push(&["main"]);
    server.set_mode(Mode::TruncatePack);
    let error = sync(cache.path(), &url, "HEAD", false).unwrap_err();
    assert_eq!(server.truncated(), 2);
    assert!(matches!(error, RemoteError::Fetch { .. }), "{error:?}");
    let message = error.to_string();
    assert!(
        message.contains(&url) && message.contains("--offline"),
        "{message}"
    );
    let offline = sync(cache.path(), &url, "HEAD", true).unwrap();
    assert!(!offline.fetched);
    assert_eq!(read(&offline), (first, "one".to_string()));
    let entry = offline.path.clone();
    drop(offline);
    git(&entry, &["fsck", "--no-progress"]);

    server.set_mode(Mode::Healthy);
    let fetched = sync(cache.path(), &url, "HEAD", false).unwrap();
    assert_eq!(read(&fetched), (second, "two".to_string()));
    git(&fetched.path, &["fsck", "--no-progress"]);
}

#[test]
fn offline_without_a_cache_says_so() {
    let cache = tempfile::tempdir().unwrap();
    let url = "https://user:hunter2@git.example.com/org/repo.git";
    let started = Instant::now();
    let error = sync(cache.path(), url, "HEAD", true).unwrap_err();
    assert!(matches!(error, RemoteError::NotCached { .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        "no cached clone of https://git.example.com/org/repo.git; run once without --offline"
    );
    // No network was tried (the host does not exist), and nothing was made.
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(std::fs::read_dir(cache.path()).unwrap().next().is_none());

    // A URL that is no URL fails before anything is made, without its password.
    for bad in [
        "https://user:hunter2@/repo.git",
        "git://host:99999/repo.git",
        " ",
    ] {
        let error = sync(cache.path(), bad, "HEAD", false).unwrap_err();
        assert!(matches!(error, RemoteError::InvalidUrl { .. }), "{error:?}");
        let message = format!("{error} {error:?}");
        assert!(!message.contains("hunter2"), "{message}");
    }
    assert!(std::fs::read_dir(cache.path()).unwrap().next().is_none());
}

#[test]
fn default_branch_comes_from_the_remote() {
    let origin = Origin::new("trunk");
    let trunk = origin.commit("trunk");
    origin.push(&["trunk"]);
    let cache = tempfile::tempdir().unwrap();
    let url = origin.file_url();

    let fetched = sync(cache.path(), &url, "HEAD", false).unwrap();
    assert_eq!(fetched.rev, "refs/heads/trunk");
    assert_eq!(read(&fetched).0, trunk);
    drop(fetched);
    let offline = sync(cache.path(), &url, "HEAD", true).unwrap();
    assert_eq!(offline.rev, "refs/heads/trunk");
    drop(offline);

    // The remote switches its default branch; the next sync follows.
    git(&origin.work(), &["checkout", "-q", "-b", "release"]);
    let release = origin.commit("release");
    origin.push(&["release"]);
    git(
        &origin.bare(),
        &["symbolic-ref", "HEAD", "refs/heads/release"],
    );
    let fetched = sync(cache.path(), &url, "HEAD", false).unwrap();
    assert_eq!(fetched.rev, "refs/heads/release");
    assert_eq!(read(&fetched).0, release);
}

#[test]
fn concurrent_syncs_of_one_url_both_succeed() {
    let origin = Origin::new("main");
    let commit = origin.commit("one");
    origin.push(&["main"]);
    let server = HttpGitServer::start(origin.root());
    let url = server.url("origin.git");
    let cache = tempfile::tempdir().unwrap();

    // Two first clones at once: one clones, the other waits and then fetches.
    let barrier = Arc::new(Barrier::new(2));
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let (barrier, cache, url) = (barrier.clone(), cache.path().to_path_buf(), url.clone());
            std::thread::spawn(move || {
                barrier.wait();
                let fetched = sync(&cache, &url, "HEAD", false).unwrap();
                read(&fetched)
            })
        })
        .collect();
    for worker in workers {
        assert_eq!(worker.join().unwrap(), (commit.clone(), "one".to_string()));
    }
    let entries = cache_entries(cache.path());
    assert_eq!(entries.len(), 1, "{entries:?}");
    let entry = cache.path().join(&entries[0]);
    git(&entry, &["fsck", "--no-progress"]);
    assert_eq!(local_refs(&entry), local_refs(&origin.bare()));

    // While one run holds the entry, another waits for it.
    let held = sync(cache.path(), &url, "HEAD", true).unwrap();
    let (done_send, done) = mpsc::channel();
    let waiter = {
        let (cache, url) = (cache.path().to_path_buf(), url.clone());
        std::thread::spawn(move || {
            let fetched = sync(&cache, &url, "HEAD", false).unwrap();
            done_send.send(Instant::now()).unwrap();
            read(&fetched)
        })
    };
    assert!(
        done.recv_timeout(Duration::from_millis(700)).is_err(),
        "the second sync waited for the lock"
    );
    let released = Instant::now();
    drop(held);
    let finished = done.recv_timeout(SYNC_TIMEOUT).unwrap();
    assert!(finished >= released);
    assert_eq!(waiter.join().unwrap().0, commit);
}

/// Lock files in the cache folder.
fn lock_files(cache: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(cache)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".lock"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn no_lock_file_outlives_a_clone_or_fetch_that_succeeded_or_failed() {
    let origin = Origin::new("main");
    origin.commit("one");
    origin.push(&["main"]);
    let server = HttpGitServer::start(origin.root());
    let url = server.url("origin.git");
    let cache = tempfile::tempdir().unwrap();

    // A clone that fails, one that works, a fetch that fails, an unknown rev, offline.
    server.set_mode(Mode::TruncatePack);
    sync(cache.path(), &url, "HEAD", false).unwrap_err();
    assert_eq!(lock_files(cache.path()), Vec::<String>::new());
    server.set_mode(Mode::Healthy);
    drop(sync(cache.path(), &url, "HEAD", false).unwrap());
    assert_eq!(lock_files(cache.path()), Vec::<String>::new());
    origin.commit("two");
    origin.push(&["main"]);
    server.set_mode(Mode::TruncatePack);
    sync(cache.path(), &url, "HEAD", false).unwrap_err();
    assert_eq!(lock_files(cache.path()), Vec::<String>::new());
    server.set_mode(Mode::Healthy);
    sync(cache.path(), &url, "no-such-branch", false).unwrap_err();
    drop(sync(cache.path(), &url, "HEAD", true).unwrap());
    assert_eq!(lock_files(cache.path()), Vec::<String>::new());

    // Every URL ever tried, reachable or not.
    for dead in [
        format!("http://127.0.0.1:{}/gone.git", git_servers::free_port()),
        format!("file://{}/missing.git", cache.path().display()),
    ] {
        sync(cache.path(), &dead, "HEAD", false).unwrap_err();
    }
    assert_eq!(lock_files(cache.path()), Vec::<String>::new());

    // Runs that wait on one another still take turns, and leave no lock behind.
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let (cache, url) = (cache.path().to_path_buf(), url.clone());
            std::thread::spawn(move || {
                let fetched = sync(&cache, &url, "HEAD", false).unwrap();
                read(&fetched).1
            })
        })
        .collect();
    for worker in workers {
        assert_eq!(worker.join().unwrap(), "two");
    }
    assert_eq!(lock_files(cache.path()), Vec::<String>::new());
}

/// A loopback server that accepts connections and never answers, holding them open; with
/// `trickle`, it sends one byte every 200 ms instead (a long git pkt-line that never ends).
fn silent_server(trickle: bool) -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                use std::io::Write;
                if trickle {
                    let _ = stream.write_all(b"fff0");
                    while stream.write_all(b"a").is_ok() {
                        std::thread::sleep(Duration::from_millis(200));
                    }
                } else {
                    // Read whatever comes, answer nothing, keep the connection.
                    let mut sink = [0u8; 4096];
                    while matches!(std::io::Read::read(&mut stream, &mut sink), Ok(n) if n > 0) {}
                    std::thread::sleep(Duration::from_secs(600));
                }
            });
        }
    });
    port
}

const SHORT: remote::Bounds = remote::Bounds {
    connect: Duration::from_secs(2),
    stall: Duration::from_secs(2),
    deadline: Duration::from_secs(4),
};

#[test]
fn a_server_that_accepts_and_never_answers_fails_within_the_stall_timeout() {
    for scheme in ["http", "git"] {
        let port = silent_server(false);
        let url = format!("{scheme}://127.0.0.1:{port}/origin.git");
        let cache = tempfile::tempdir().unwrap();
        let started = Instant::now();
        let error = remote::sync_bounded(cache.path(), &url, "HEAD", false, &SHORT).unwrap_err();
        let elapsed = started.elapsed();
        let message = error.to_string();
        assert!(
            matches!(error, RemoteError::Clone { .. }),
            "{scheme}: {error:?}"
        );
        assert!(message.contains(&url), "{scheme}: {message}");
        assert!(
            message.contains("sent nothing for 2s"),
            "{scheme}: {message}"
        );
        // The stall timeout (the deadline is longer), plus a margin for a loaded machine.
        assert!(
            elapsed < Duration::from_secs(2 + 5),
            "{scheme}: took {elapsed:?}"
        );
        assert!(
            cache_entries(cache.path()).is_empty(),
            "{scheme}: no entry is left"
        );
    }
}

#[test]
fn a_git_server_that_trickles_forever_fails_at_the_deadline() {
    let port = silent_server(true);
    let url = format!("git://127.0.0.1:{port}/origin.git");
    let cache = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let error = remote::sync_bounded(cache.path(), &url, "HEAD", false, &SHORT).unwrap_err();
    let elapsed = started.elapsed();
    let message = error.to_string();
    assert!(message.contains(&url), "{message}");
    assert!(message.contains("did not finish within 4s"), "{message}");
    assert!(elapsed >= Duration::from_secs(4), "took {elapsed:?}");
    assert!(elapsed < Duration::from_secs(4 + 5), "took {elapsed:?}");
}

/// The run as a person starts it, with the default bounds: exit 2 within the stall timeout
/// (30 s), the server's URL named. (Credentials in an http:// URL are refused before any
/// request, so none are given here; their redaction is tested above.)
#[test]
fn a_check_of_a_stalled_repository_url_exits_2_naming_the_server() {
    let port = silent_server(false);
    let url = format!("http://127.0.0.1:{port}/origin.git");
    let home = tempfile::tempdir().unwrap();
    // A kubeconfig is read beside the repository; its server is never reached.
    let kubeconfig = home.path().join("kubeconfig");
    std::fs::write(
        &kubeconfig,
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: 'https://127.0.0.1:1'}\n\
         users:\n- name: u\n  user: {}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\n\
         current-context: x\n",
    )
    .unwrap();
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_kubectl-drift"))
        .args(["check", "--repo", &url])
        .env("XDG_CACHE_HOME", home.path())
        .env("HOME", home.path())
        .env("KUBECONFIG", &kubeconfig)
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(&url), "{stderr}");
    assert!(stderr.contains("sent nothing for 30s"), "{stderr}");
    let stall = remote::Bounds::default().stall;
    assert!(elapsed >= stall, "took {elapsed:?}");
    assert!(
        elapsed < stall + Duration::from_secs(15),
        "took {elapsed:?}"
    );
}
