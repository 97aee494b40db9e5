//! Remote repositories for `--repo URL`: a bare clone per URL is kept in a cache folder and
//! fetched on each run (or used as it is with `--offline`), so manifests can be read from a
//! commit of a repository that is not on disk, with the same Git reading code as local ones.
//!
//! The cache mirrors the remote's branches and tags (force-updated and pruned, so a
//! force-pushed or deleted branch never resolves to stale data) and records the remote's
//! default branch as its `HEAD`. Every entry is guarded by a lock file, so concurrent runs
//! never see a half-written clone.
//!
//! Every network read is bounded ([`Bounds`]): a connect timeout, a stall timeout (no byte
//! from the server for that long fails the read) and a deadline for the whole clone or fetch,
//! at which an interrupt flag is set and the connection is shut, so a server that accepts and
//! never answers fails the run with its URL named instead of hanging it.

use std::any::Any;
use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use gix::bstr::{BString, ByteSlice};
use gix::refs::transaction::{Change, LogChange, PreviousValue, RefEdit, RefLog};
use gix::remote::Direction;
use sha2::{Digest, Sha256};

/// The HTTPS password (a personal access token, say) to send when the server asks for one.
pub const TOKEN_ENV: &str = "KUBECTL_DRIFT_GIT_TOKEN";
/// The user name sent with [`TOKEN_ENV`]; `git` when unset (most hosts ignore it for tokens).
pub const USERNAME_ENV: &str = "KUBECTL_DRIFT_GIT_USERNAME";

/// Mirror branches and tags under their own names so a local rev-parse of a branch, tag or
/// commit works as it would on the remote. Forced, so rewritten history is followed.
const REFSPECS: [&str; 2] = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"];

/// How long a clone or fetch may wait on its server. Over HTTP(S) the connect and stall
/// timeouts are reqwest's (`connect_timeout`, and `timeout`, which bounds the wait for an
/// answer and each read of it); over `git://` they are the socket's own. ssh runs the ssh
/// program, which has timeouts of its own, and `file://` reads no network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// Opening the TCP connection.
    pub connect: Duration,
    /// The longest the server may send nothing while we wait for it.
    pub stall: Duration,
    /// The whole clone or fetch, handshake and pack included.
    pub deadline: Duration,
}

impl Default for Bounds {
    /// 10 s to connect, 30 s without a byte (the default `--request-timeout`), 10 minutes in all.
    fn default() -> Bounds {
        Bounds {
            connect: Duration::from_secs(10),
            stall: crate::cli::DEFAULT_REQUEST_TIMEOUT,
            deadline: Duration::from_secs(600),
        }
    }
}

/// What can go wrong while syncing a remote repository. No message holds credentials:
/// URLs are shown without their user information, and known secrets are masked.
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    #[error("{url} is not a usable Git URL: {message}")]
    InvalidUrl { url: String, message: String },
    #[error("no cached clone of {url}; run once without --offline")]
    NotCached { url: String },
    #[error("cannot use the repository cache at {}: {message}", path.display())]
    Cache { path: PathBuf, message: String },
    #[error("cannot clone {url}: {message}")]
    Clone { url: String, message: String },
    #[error("cannot fetch {url}: {message}; use --offline to read its cached clone as it is")]
    Fetch { url: String, message: String },
    #[error("{rev:?} is not a branch, tag or commit of {url}{}", offline_hint(*.offline))]
    UnknownRev {
        url: String,
        rev: String,
        offline: bool,
    },
    #[error("{url} has no default branch (its HEAD names no existing branch){}", offline_hint(*.offline))]
    NoDefaultBranch { url: String, offline: bool },
}

fn offline_hint(offline: bool) -> &'static str {
    if offline {
        " as of its cached clone (run without --offline to fetch)"
    } else {
        ""
    }
}

/// A synced bare clone, locked for as long as this value lives.
#[derive(Debug)]
pub struct Fetched {
    /// The bare repository in the cache; pass to git::read_tree(Some(&path), &rev, ...).
    pub path: PathBuf,
    /// What to resolve in it: the remote's default branch (as a full ref like refs/heads/main)
    /// when the caller asked for "HEAD", else the caller's rev unchanged.
    pub rev: String,
    /// The URL with any credentials removed, for messages.
    pub url: String,
    /// false when the cache was used as it is (offline)
    pub fetched: bool,
    /// The open, exclusively locked `<entry>.lock`; dropping it releases the entry.
    _lock: EntryLock,
}

/// An entry's lock file, held exclusively. Dropping it removes the file (while still
/// holding it) and then releases it, so the cache keeps no lock file of a finished run.
#[derive(Debug)]
struct EntryLock {
    file: File,
    #[cfg_attr(not(unix), allow(dead_code))]
    path: PathBuf,
}

impl Drop for EntryLock {
    fn drop(&mut self) {
        // A waiting run that opened this file finds, once it holds it, that the path no
        // longer names it, and takes a new one (see `lock_entry`). Windows can't remove a
        // file that others hold open, so there the lock file stays.
        #[cfg(unix)]
        let _ = std::fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

/// Whether two metadata describe the same file (device and inode).
#[cfg(unix)]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

/// On Windows the lock file is never removed (see `EntryLock`), so the path names it still.
#[cfg(not(unix))]
fn same_file(_: &std::fs::Metadata, _: &std::fs::Metadata) -> bool {
    true
}

use crate::settings::source::is_url;

/// The cache folder: `repos` in the user's cache (`$XDG_CACHE_HOME/kubectl-drift/repos`, else
/// `~/.cache/…`; `%LOCALAPPDATA%\kubectl-drift\repos` on Windows).
pub fn cache_root() -> PathBuf {
    crate::dirs::cache().join("repos")
}

/// Clones `url` bare into the cache on first use, fetches it on later uses (unless
/// `offline`), and returns it locked.
pub fn sync(url: &str, rev: &str, offline: bool) -> Result<Fetched, RemoteError> {
    sync_in(&cache_root(), url, rev, offline)
}

/// [`sync`] with the cache in `cache_root`.
pub fn sync_in(
    cache_root: &Path,
    url: &str,
    rev: &str,
    offline: bool,
) -> Result<Fetched, RemoteError> {
    sync_bounded(cache_root, url, rev, offline, &Bounds::default())
}

/// [`sync_in`] with the network reads bounded by `bounds`.
pub fn sync_bounded(
    cache_root: &Path,
    url: &str,
    rev: &str,
    offline: bool,
    bounds: &Bounds,
) -> Result<Fetched, RemoteError> {
    let redact = Redactor::new(url);
    let clean = redact.clean_url.clone();
    let cache_error = |path: &Path, e: &dyn std::fmt::Display| RemoteError::Cache {
        path: path.to_path_buf(),
        message: redact.apply(&e.to_string()),
    };
    if url.trim().is_empty() {
        return Err(RemoteError::InvalidUrl {
            url: clean,
            message: "the URL is empty".into(),
        });
    }
    if let Err(e) = gix::url::parse(url.as_bytes().as_bstr()) {
        return Err(RemoteError::InvalidUrl {
            url: clean,
            message: redact.apply(&describe(&e)),
        });
    }
    let name = entry_name(&clean);
    let entry = cache_root.join(&name);
    if offline && !entry.is_dir() {
        // Checked again under the lock; this first look keeps offline runs from creating
        // anything in the cache.
        return Err(RemoteError::NotCached { url: clean });
    }
    std::fs::create_dir_all(cache_root).map_err(|e| cache_error(cache_root, &e))?;
    let lock = lock_entry(&cache_root.join(format!("{name}.lock")))
        .map_err(|e| cache_error(cache_root, &e))?;
    // Only the lock holder makes temporary clones, so any left now are from a run that died.
    remove_stale_temporaries(cache_root, &name);

    let cached = entry.is_dir();
    if offline && !cached {
        return Err(RemoteError::NotCached { url: clean });
    }
    if !offline {
        if cached {
            let repo = open(&entry).map_err(|e| cache_error(&entry, &e))?;
            fetch(&repo, url, &redact, bounds).map_err(|message| RemoteError::Fetch {
                url: clean.clone(),
                message,
            })?;
        } else {
            clone(cache_root, &name, &entry, url, &redact, bounds)?;
        }
    }
    let repo = open(&entry).map_err(|e| cache_error(&entry, &e))?;
    let rev = resolve(&repo, rev, &clean, offline)?;
    Ok(Fetched {
        path: entry,
        rev,
        url: clean,
        fetched: !offline,
        _lock: lock,
    })
}

/// Makes the first clone in a temporary folder beside the entry and renames it into place
/// once complete, so an interrupted clone never leaves a half-made entry behind.
fn clone(
    cache_root: &Path,
    name: &str,
    entry: &Path,
    url: &str,
    redact: &Redactor,
    bounds: &Bounds,
) -> Result<(), RemoteError> {
    let clone_error = |message: String| RemoteError::Clone {
        url: redact.clean_url.clone(),
        message,
    };
    let cache_error = |path: &Path, e: &dyn std::fmt::Display| RemoteError::Cache {
        path: path.to_path_buf(),
        message: redact.apply(&e.to_string()),
    };
    let temp = tempfile::Builder::new()
        .prefix(&temp_prefix(name))
        .tempdir_in(cache_root)
        .map_err(|e| cache_error(cache_root, &e))?;
    {
        let repo = gix::ThreadSafeRepository::init_opts(
            temp.path(),
            gix::create::Kind::Bare,
            gix::create::Options::default(),
            open_options(),
        )
        .map_err(|e| cache_error(temp.path(), &describe(&e)))?
        .to_thread_local();
        fetch(&repo, url, redact, bounds).map_err(clone_error)?;
    }
    let made = temp.keep();
    std::fs::rename(&made, entry).map_err(|e| {
        let _ = std::fs::remove_dir_all(&made);
        cache_error(entry, &e)
    })
}

/// Fetches all branches and tags, prunes the ones the remote no longer has, and points
/// `HEAD` at the remote's default branch. Errors come back as credential-free text; one
/// that comes of a bound says which bound.
fn fetch(
    repo: &gix::Repository,
    url: &str,
    redact: &Redactor,
    bounds: &Bounds,
) -> Result<(), String> {
    let watchdog = Watchdog::start(bounds.deadline);
    fetch_within(repo, url, redact, bounds, &watchdog).map_err(|message| {
        if watchdog.expired() {
            format!(
                "the server did not finish within {} (the deadline of a clone or fetch): \
                 {message}",
                seconds(bounds.deadline)
            )
        } else if watchdog.stalled.load(Ordering::Relaxed) || is_timeout(&message) {
            format!(
                "the server sent nothing for {} or could not be reached within {}: {message}",
                seconds(bounds.stall),
                seconds(bounds.connect)
            )
        } else {
            message
        }
    })
}

fn seconds(d: Duration) -> String {
    format!("{}s", d.as_secs_f64())
}

/// Whether a transport's message tells of a timeout (reqwest's and the socket's words).
fn is_timeout(message: &str) -> bool {
    let message = message.to_ascii_lowercase();
    message.contains("timed out") || message.contains("timeout")
}

/// The deadline of one clone or fetch: a timer thread that, when the deadline passes, sets
/// the interrupt flag gix checks while receiving and shuts the `git://` socket, so that a
/// read blocked on it returns. Dropping it stops the timer.
struct Watchdog {
    interrupt: Arc<AtomicBool>,
    /// Set when a `git://` read or write gave up after the stall timeout.
    stalled: Arc<AtomicBool>,
    socket: Arc<Mutex<Option<TcpStream>>>,
    stop: Option<mpsc::Sender<()>>,
    timer: Option<std::thread::JoinHandle<()>>,
}

impl Watchdog {
    fn start(deadline: Duration) -> Watchdog {
        let interrupt = Arc::new(AtomicBool::new(false));
        let socket: Arc<Mutex<Option<TcpStream>>> = Arc::new(Mutex::new(None));
        let (stop, stopped) = mpsc::channel::<()>();
        let timer = {
            let (interrupt, socket) = (interrupt.clone(), socket.clone());
            std::thread::spawn(move || {
                if let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(deadline) {
                    interrupt.store(true, Ordering::SeqCst);
                    if let Some(socket) = &*socket.lock().unwrap_or_else(|e| e.into_inner()) {
                        let _ = socket.shutdown(std::net::Shutdown::Both);
                    }
                }
            })
        };
        Watchdog {
            interrupt,
            stalled: Arc::new(AtomicBool::new(false)),
            socket,
            stop: Some(stop),
            timer: Some(timer),
        }
    }

    fn expired(&self) -> bool {
        self.interrupt.load(Ordering::SeqCst)
    }

    /// Shuts `socket` at the deadline (at once, if it has passed already).
    fn guard(&self, socket: TcpStream) {
        if self.expired() {
            let _ = socket.shutdown(std::net::Shutdown::Both);
        }
        *self.socket.lock().unwrap_or_else(|e| e.into_inner()) = Some(socket);
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(timer) = self.timer.take() {
            let _ = timer.join();
        }
    }
}

/// A `git://` socket whose reads time out after the stall timeout, marking the watchdog.
struct StallRead {
    stream: TcpStream,
    stalled: Arc<AtomicBool>,
}

impl std::io::Read for StallRead {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        std::io::Read::read(&mut self.stream, buf).map_err(|e| stall_error(e, &self.stalled))
    }
}

/// The write side of a `git://` socket, marking the watchdog as [`StallRead`] does.
struct StallWrite {
    stream: TcpStream,
    stalled: Arc<AtomicBool>,
}

impl std::io::Write for StallWrite {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        std::io::Write::write(&mut self.stream, buf).map_err(|e| stall_error(e, &self.stalled))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::Write::flush(&mut self.stream)
    }
}

fn stall_error(e: std::io::Error, stalled: &AtomicBool) -> std::io::Error {
    if matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    ) {
        stalled.store(true, Ordering::Relaxed);
        std::io::Error::new(std::io::ErrorKind::TimedOut, "the server stopped sending")
    } else {
        e
    }
}

/// The `git://` transport gix would make, over a socket of our own with the bounds set on it
/// and handed to the watchdog. (gix's own waits 5 s to connect and then forever to read.)
fn daemon_transport(
    url: &gix::Url,
    bounds: &Bounds,
    watchdog: &Watchdog,
) -> Result<Box<dyn gix::protocol::transport::client::blocking_io::Transport + Send>, String> {
    use std::net::ToSocketAddrs;
    let host = url.host().ok_or("the URL names no host")?;
    let port = url.port.unwrap_or(9418);
    let addresses = (host, port)
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {host}: {e}"))?;
    let mut last = None;
    let mut stream = None;
    for address in addresses {
        match TcpStream::connect_timeout(&address, bounds.connect) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last = Some(e),
        }
    }
    let stream = match (stream, last) {
        (Some(stream), _) => stream,
        (None, Some(e)) => return Err(format!("cannot connect to {host}:{port}: {e}")),
        (None, None) => return Err(format!("{host} resolves to no address")),
    };
    let io = |e: std::io::Error| format!("cannot set up the connection to {host}:{port}: {e}");
    stream.set_read_timeout(Some(bounds.stall)).map_err(io)?;
    stream.set_write_timeout(Some(bounds.stall)).map_err(io)?;
    watchdog.guard(stream.try_clone().map_err(io)?);
    let read = StallRead {
        stream: stream.try_clone().map_err(io)?,
        stalled: watchdog.stalled.clone(),
    };
    let write = StallWrite {
        stream,
        stalled: watchdog.stalled.clone(),
    };
    Ok(Box::new(
        gix::protocol::transport::client::git::blocking_io::Connection::new(
            read,
            write,
            gix::protocol::transport::Protocol::V2,
            url.path.clone(),
            Some((host.to_string(), url.port)),
            gix::protocol::transport::client::git::ConnectMode::Daemon,
            false,
        ),
    ))
}

fn fetch_within(
    repo: &gix::Repository,
    url: &str,
    redact: &Redactor,
    bounds: &Bounds,
    watchdog: &Watchdog,
) -> Result<(), String> {
    let failed =
        |what: &str, e: &dyn std::error::Error| redact.apply(&format!("{what}: {}", describe(e)));
    let mut repo = repo.clone();
    // Ref updates may write a reflog, which needs a committer even if none is configured.
    repo.committer_or_set_generic_fallback()
        .map_err(|e| failed("cannot set a committer", &e))?;
    let parsed = gix::url::parse(url.as_bytes().as_bstr())
        .map_err(|e| redact.apply(&format!("invalid URL: {}", describe(&e))))?;
    if matches!(
        parsed.scheme,
        gix::url::Scheme::Https | gix::url::Scheme::Http
    ) {
        // reqwest is built without a crypto provider of its own and sets up TLS even for
        // plain http; use ring, the one the kube client already uses. An error only means a
        // provider is installed already.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
    let remote = repo
        .remote_at(parsed.clone())
        .and_then(|r| r.with_refspecs(REFSPECS, Direction::Fetch))
        .map_err(|e| failed("invalid remote", &e))?
        .with_fetch_tags(gix::remote::fetch::Tags::None);
    let mut connection = if matches!(parsed.scheme, gix::url::Scheme::Git) {
        let transport = daemon_transport(&parsed, bounds, watchdog)
            .map_err(|e| redact.apply(&format!("cannot connect: {e}")))?;
        remote.to_connection_with_transport(transport)
    } else {
        remote
            .connect(Direction::Fetch)
            .map_err(|e| failed("cannot connect", &e))?
    };
    if matches!(
        parsed.scheme,
        gix::url::Scheme::Https | gix::url::Scheme::Http
    ) {
        let options = http_options(&repo, &parsed, bounds).map_err(|e| redact.apply(&e))?;
        connection.set_transport_options(options);
    }
    if let Some(token) = std::env::var(TOKEN_ENV).ok().filter(|t| !t.is_empty()) {
        let username = std::env::var(USERNAME_ENV)
            .ok()
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| "git".to_string());
        connection.set_credentials(token_credentials(username, token));
    }
    // Without a credentials function gix asks git's credential helpers from the user's git
    // config (and then askpass or the terminal, unless GIT_TERMINAL_PROMPT=0), as git does.
    let options = gix::remote::ref_map::Options {
        // An implicit `HEAD` spec makes the server advertise its HEAD symref: the default branch.
        extra_refspecs: vec![gix::refspec::parse(
            "HEAD".into(),
            gix::refspec::parse::Operation::Fetch,
        )
        .expect("HEAD is a valid refspec")
        .to_owned()],
        ..Default::default()
    };
    let prepared = connection
        .prepare_fetch(gix::progress::Discard, options)
        .map_err(|e| {
            let message = failed("cannot list the remote's refs", &e);
            if e.is_unauthenticated() && !message.contains("clear text") {
                format!("{message} ({})", auth_hint())
            } else if message.contains("invalid peer certificate") {
                format!(
                    "{message} (a private certificate authority can be trusted with git's \
                     http.sslCAInfo or GIT_SSL_CAINFO)"
                )
            } else {
                message
            }
        })?;
    let advertised = &prepared.ref_map().remote_refs;
    let names: HashSet<BString> = advertised.iter().map(|r| r.unpack().0.to_owned()).collect();
    let default_branch = advertised.iter().find_map(|r| match r {
        gix::protocol::handshake::Ref::Symbolic {
            full_ref_name,
            target,
            ..
        }
        | gix::protocol::handshake::Ref::Unborn {
            full_ref_name,
            target,
        } if full_ref_name == "HEAD" => Some(target.clone()),
        _ => None,
    });
    // Prune before writing new refs, so a deleted `a` can't block a new `a/b` (as git does).
    prune(&repo, &names).map_err(|e| failed("cannot prune deleted refs", &*e))?;
    let outcome = prepared
        .receive(gix::progress::Discard, &watchdog.interrupt)
        .map_err(|e| failed("cannot receive objects", &e))?;
    let update_refs = match &outcome.status {
        gix::remote::fetch::Status::NoPackReceived { update_refs, .. }
        | gix::remote::fetch::Status::Change { update_refs, .. } => update_refs,
    };
    let rejected: Vec<String> = update_refs
        .updates
        .iter()
        .zip(&outcome.ref_map.mappings)
        .filter(|(update, _)| {
            use gix::remote::fetch::refs::update::Mode;
            matches!(
                update.mode,
                Mode::RejectedSourceObjectNotFound { .. }
                    | Mode::RejectedTagUpdate
                    | Mode::RejectedNonFastForward
                    | Mode::RejectedCurrentlyCheckedOut { .. }
            )
        })
        .filter_map(|(_, mapping)| mapping.remote.as_name().map(|n| n.to_string()))
        .collect();
    if !rejected.is_empty() {
        return Err(redact.apply(&format!("could not update {}", rejected.join(", "))));
    }
    if let Some(target) = default_branch {
        set_head(&repo, target).map_err(|e| failed("cannot record the default branch", &*e))?;
    }
    Ok(())
}

/// The transport options gix would use for `url`, plus what its reqwest backend leaves out:
/// the connect and stall timeouts of `bounds`, and for https `http.sslCAInfo` (also
/// `GIT_SSL_CAINFO`) as the only trusted roots, as with git and curl, and `http.sslVerify=false`.
fn http_options(
    repo: &gix::Repository,
    url: &gix::Url,
    bounds: &Bounds,
) -> Result<Box<dyn Any>, String> {
    use gix::protocol::transport::client::blocking_io::http;
    let options = repo
        .transport_options(url.to_bstring().as_bstr(), None)
        .map_err(|e| format!("invalid http configuration: {}", describe(&e)))?;
    let mut options = options.unwrap_or_else(|| Box::new(http::Options::default()));
    let Some(http_options) = options.downcast_mut::<http::Options>() else {
        return Ok(options);
    };
    let https = matches!(url.scheme, gix::url::Scheme::Https);
    let roots = match &http_options.ssl_ca_info {
        Some(path) if https => {
            let pem = std::fs::read(path)
                .map_err(|e| format!("cannot read http.sslCAInfo {}: {e}", path.display()))?;
            let roots = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| format!("invalid http.sslCAInfo {}: {e}", path.display()))?;
            if roots.is_empty() {
                return Err(format!(
                    "http.sslCAInfo {} holds no certificates",
                    path.display()
                ));
            }
            Some(roots)
        }
        _ => None,
    };
    let verify = http_options.ssl_verify || !https;
    http_options.connect_timeout = Some(bounds.connect);
    let (connect, stall) = (bounds.connect, bounds.stall);
    let configure = move |builder: reqwest::blocking::ClientBuilder| {
        // reqwest's blocking `timeout` bounds the wait for each answer and each read of its
        // body: the stall timeout.
        let builder = builder.connect_timeout(connect).timeout(stall);
        let builder = match &roots {
            Some(roots) => builder.tls_certs_only(roots.clone()),
            None => builder,
        };
        Ok(builder.tls_danger_accept_invalid_certs(!verify))
    };
    http_options.backend = Some(Arc::new(Mutex::new(http::reqwest::Options {
        configure_client: Some(Box::new(configure)),
        configure_request: None,
    })));
    Ok(options)
}

/// Deletes local branches and tags that the remote no longer advertises.
fn prune(
    repo: &gix::Repository,
    advertised: &HashSet<BString>,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let mut edits = Vec::new();
    for prefix in ["refs/heads/", "refs/tags/"] {
        for reference in repo.references()?.prefixed(prefix)? {
            let reference = reference?;
            let name = reference.name().to_owned();
            if !advertised.contains(name.as_bstr()) {
                edits.push(RefEdit {
                    change: Change::Delete {
                        expected: PreviousValue::Any,
                        log: RefLog::AndReference,
                    },
                    name,
                    deref: false,
                });
            }
        }
    }
    if !edits.is_empty() {
        repo.edit_references(edits)?;
    }
    Ok(())
}

/// Points the bare repository's `HEAD` at `target`, so offline runs know the default branch.
fn set_head(
    repo: &gix::Repository,
    target: BString,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let target = gix::refs::FullName::try_from(target)?;
    if repo.head_name()?.as_ref() == Some(&target) {
        return Ok(());
    }
    repo.edit_reference(RefEdit {
        change: Change::Update {
            log: LogChange {
                message: "kubectl-drift: remote HEAD".into(),
                ..Default::default()
            },
            expected: PreviousValue::Any,
            new: gix::refs::Target::Symbolic(target),
        },
        name: "HEAD".try_into()?,
        deref: false,
    })?;
    Ok(())
}

/// Settles what the caller should resolve: the default branch for `HEAD`, else `rev` as
/// given once it is known to resolve, so a missing ref fails here with the URL in the message.
fn resolve(
    repo: &gix::Repository,
    rev: &str,
    url: &str,
    offline: bool,
) -> Result<String, RemoteError> {
    if rev == "HEAD" {
        let branch = repo
            .head_name()
            .ok()
            .flatten()
            .filter(|name| repo.find_reference(name.as_ref()).is_ok());
        return branch
            .map(|name| name.as_bstr().to_string())
            .ok_or_else(|| RemoteError::NoDefaultBranch {
                url: url.to_string(),
                offline,
            });
    }
    let resolves = repo
        .rev_parse_single(rev.as_bytes().as_bstr())
        .ok()
        .is_some_and(|id| id.object().is_ok());
    if resolves {
        Ok(rev.to_string())
    } else {
        Err(RemoteError::UnknownRev {
            url: url.to_string(),
            rev: rev.to_string(),
            offline,
        })
    }
}

fn auth_hint() -> String {
    if std::env::var_os(TOKEN_ENV).is_some_and(|t| !t.is_empty()) {
        format!("the server did not accept the token in {TOKEN_ENV}")
    } else {
        format!(
            "the server wants credentials: set {TOKEN_ENV}, with {USERNAME_ENV} if the user \
             name matters, or configure a git credential helper"
        )
    }
}

/// Answers the server's request for credentials with the token from the environment.
fn token_credentials(
    username: String,
    token: String,
) -> impl FnMut(
    gix::credentials::helper::Action,
) -> gix::Result<Option<gix::credentials::protocol::Outcome>> {
    move |action| match action {
        gix::credentials::helper::Action::Get(context) => {
            Ok(Some(gix::credentials::protocol::Outcome {
                identity: gix::sec::identity::Account {
                    username: username.clone(),
                    password: token.clone(),
                    oauth_refresh_token: None,
                },
                next: context.into(),
            }))
        }
        // Nothing to store or erase: the token lives in the environment.
        gix::credentials::helper::Action::Store(_) | gix::credentials::helper::Action::Erase(_) => {
            Ok(None)
        }
    }
}

/// Like `gix::prepare_clone_bare`: full trust in the user's own cache, and the git
/// installation's config too, so credential helpers configured there are used.
fn open_options() -> gix::open::Options {
    use gix::sec::trust::DefaultForLevel;
    let mut options = gix::open::Options::default_for_level(gix::sec::Trust::Full);
    options.permissions.config.git_binary = true;
    options
}

fn open(path: &Path) -> Result<gix::Repository, String> {
    gix::open_opts(path, open_options())
        .map_err(|e| format!("{} (delete it to clone afresh)", describe(&e)))
}

/// Opens (creating) and exclusively locks the entry's lock file, waiting for other holders.
/// The holder removes the file when done, so a lock is ours only if, once held, the path
/// still names the very file locked; else another run removed it meanwhile, and we retry.
fn lock_entry(path: &Path) -> std::io::Result<EntryLock> {
    loop {
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)?;
        file.lock()?;
        let held = file.metadata()?;
        match std::fs::metadata(path) {
            Ok(now) if same_file(&now, &held) => {
                return Ok(EntryLock {
                    file,
                    path: path.to_path_buf(),
                })
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
}

fn temp_prefix(name: &str) -> String {
    format!(".{name}.tmp-")
}

fn remove_stale_temporaries(cache_root: &Path, name: &str) {
    let prefix = temp_prefix(name);
    let Ok(entries) = std::fs::read_dir(cache_root) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(&prefix) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// `github.com-org-repo-1a2b3c4d.git`: host and path for people, plus a hash of the whole
/// credential-free URL so that different URLs never share an entry.
fn entry_name(clean_url: &str) -> String {
    let url = clean_url.trim_end_matches('/');
    let (host, path) = if let Some((_, rest)) = url.split_once("://") {
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        (host.to_ascii_lowercase(), path)
    } else if is_url(url) {
        let (authority, path) = url.split_once(':').unwrap_or((url, ""));
        let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        (host.to_ascii_lowercase(), path)
    } else {
        (String::new(), url)
    };
    let path = path.trim_end_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    let mut readable = String::new();
    for c in format!("{host}/{path}").chars() {
        let c = if c.is_ascii_alphanumeric() || c == '.' || c == '_' {
            c
        } else {
            '-'
        };
        if !(c == '-' && readable.ends_with('-')) {
            readable.push(c);
        }
    }
    let mut readable = readable.trim_matches(|c| c == '-' || c == '.').to_string();
    readable.truncate(64);
    let readable = readable.trim_end_matches(['-', '.']);
    let readable = if readable.is_empty() {
        "repo"
    } else {
        readable
    };
    let hash = Sha256::digest(url.as_bytes());
    let short: String = hash[..4].iter().map(|b| format!("{b:02x}")).collect();
    format!("{readable}-{short}.git")
}

/// `url` without credentials. For ssh the user name is kept (it is no secret, and `git@`
/// is part of how people write such URLs); elsewhere the whole user information goes, as a
/// lone user name there is often a token.
pub fn strip_credentials(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let Some((userinfo, host)) = authority.rsplit_once('@') else {
        return url.to_string();
    };
    let ssh = matches!(
        scheme.to_ascii_lowercase().as_str(),
        "ssh" | "git+ssh" | "ssh+git"
    );
    let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
    if ssh && !user.is_empty() {
        format!("{scheme}://{user}@{host}{tail}")
    } else {
        format!("{scheme}://{host}{tail}")
    }
}

/// Strips credentials from every `scheme://…` URL inside free text, such as a message from
/// gix that quotes the URL it was given.
fn strip_credentials_in_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let scheme_start = rest[..at]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '+' || c == '-' || c == '.'))
            .map_or(0, |i| i + 1);
        let after = &rest[at + 3..];
        let end = after
            .find(|c: char| c == '/' || c.is_whitespace() || "\"'<>()`,;".contains(c))
            .unwrap_or(after.len());
        out.push_str(&rest[..scheme_start]);
        out.push_str(&strip_credentials(&rest[scheme_start..at + 3 + end]));
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Keeps credentials out of messages: the URL as given is replaced by its clean form, URLs
/// in gix's messages are stripped, and known secrets are masked wherever they appear.
struct Redactor {
    raw_url: String,
    clean_url: String,
    secrets: Vec<String>,
}

impl Redactor {
    fn new(url: &str) -> Self {
        let mut secrets = Vec::new();
        if let Some((_, rest)) = url.split_once("://") {
            let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
            if let Some((userinfo, _)) = authority.rsplit_once('@') {
                if let Some((_, password)) = userinfo.split_once(':') {
                    secrets.push(password.to_string());
                    secrets.push(percent_decode(password));
                }
            }
        }
        if let Ok(token) = std::env::var(TOKEN_ENV) {
            secrets.push(token);
        }
        secrets.retain(|s| !s.is_empty());
        // Longest first, so a secret containing another is masked whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        Redactor {
            raw_url: url.to_string(),
            clean_url: strip_credentials(url),
            secrets,
        }
    }

    fn apply(&self, text: &str) -> String {
        let mut out = if self.raw_url.is_empty() {
            text.to_string()
        } else {
            text.replace(&self.raw_url, &self.clean_url)
        };
        out = strip_credentials_in_text(&out);
        for secret in &self.secrets {
            out = out.replace(secret.as_str(), "***");
        }
        out
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// An error and its sources in one line, as gix keeps the useful part in the sources.
fn describe(error: &dyn std::error::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(error);
    while let Some(e) = next {
        // Some messages quote multi-line protocol text; keep the error on one line.
        let text = e
            .to_string()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = e.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_urls_from_paths() {
        for url in [
            "https://github.com/org/repo.git",
            "http://127.0.0.1:8080/repo.git",
            "ssh://git@github.com/org/repo.git",
            "git://127.0.0.1:9418/repo.git",
            "file:///tmp/repo.git",
            "HTTPS://example.com/r",
            "git@github.com:org/repo.git",
            "github.com:org/repo.git",
            "host:repo",
        ] {
            assert!(is_url(url), "{url} is a URL");
        }
        for path in [
            "",
            ".",
            "./repo",
            "/srv/git/repo.git",
            "repo",
            "C:\\repos\\app",
            "C:/repos/app",
            "./dir:with:colons",
            "dir/sub:thing",
            ":nohost",
            "ftp://example.com/repo",
        ] {
            assert!(!is_url(path), "{path} is a path");
        }
    }

    #[test]
    fn names_cache_entries_readably_and_uniquely() {
        let name = entry_name("https://github.com/org/repo.git");
        assert!(name.starts_with("github.com-org-repo-"), "{name}");
        assert!(name.ends_with(".git"));
        let hash = &name["github.com-org-repo-".len()..name.len() - 4];
        assert_eq!(hash.len(), 8);
        assert!(hash.chars().all(|c| c.is_ascii_hexdigit()));
        assert!(entry_name("git@GitHub.com:org/repo.git").starts_with("github.com-org-repo-"));
        assert!(entry_name("http://127.0.0.1:8080/a/b/").starts_with("127.0.0.1-8080-a-b-"));
        assert!(entry_name("file:///tmp/x y/repo.git").starts_with("tmp-x-y-repo-"));
        // Same readable part, different URLs: different entries.
        assert_ne!(
            entry_name("https://github.com/org/repo.git"),
            entry_name("ssh://git@github.com/org/repo.git")
        );
        // Stable, and a trailing slash makes no new entry.
        assert_eq!(
            entry_name("https://github.com/org/repo.git"),
            entry_name("https://github.com/org/repo.git/")
        );
        // Nothing can climb out of the cache folder or hide.
        let odd = entry_name("file://../../..");
        assert!(!odd.starts_with('.') && !odd.contains('/'), "{odd}");
        assert!(entry_name(&"x/".repeat(200)).len() < 100);
    }

    #[test]
    fn strips_credentials() {
        assert_eq!(
            strip_credentials("https://user:secret@github.com/org/repo.git"),
            "https://github.com/org/repo.git"
        );
        assert_eq!(
            strip_credentials("https://ghp_token@github.com/org/repo.git"),
            "https://github.com/org/repo.git"
        );
        assert_eq!(
            strip_credentials("ssh://git:pw@host:22/repo.git"),
            "ssh://git@host:22/repo.git"
        );
        assert_eq!(
            strip_credentials("git@github.com:org/repo.git"),
            "git@github.com:org/repo.git"
        );
        assert_eq!(
            strip_credentials("https://host/path@v1"),
            "https://host/path@v1"
        );
        assert_eq!(
            strip_credentials("http://a:b@c@127.0.0.1:80/r"),
            "http://127.0.0.1:80/r"
        );
    }

    #[test]
    fn redacts_messages() {
        let redact = Redactor::new("https://me:s%40cret@example.com/r.git");
        let message = redact.apply(
            "auth for \"https://me:s%40cret@example.com/r.git\" failed (password s@cret), \
             redirected to http://x:y@other.example/r.git",
        );
        assert!(!message.contains("cret"), "{message}");
        assert!(!message.contains("x:y"), "{message}");
        assert!(message.contains("https://example.com/r.git"), "{message}");
        assert!(message.contains("http://other.example/r.git"), "{message}");
        let error = RemoteError::Fetch {
            url: redact.clean_url.clone(),
            message: redact.apply("connection refused"),
        };
        let text = error.to_string();
        assert!(
            text.contains("--offline") && !text.contains("cret"),
            "{text}"
        );
    }

    #[test]
    fn decodes_percent_escapes() {
        assert_eq!(percent_decode("a%40b%3a%"), "a@b:%");
        assert_eq!(percent_decode("%4"), "%4");
    }
}
