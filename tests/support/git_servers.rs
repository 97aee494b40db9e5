//! Real Git servers on 127.0.0.1 for the remote tests: `git daemon`, and `git http-backend`
//! behind a small HTTP/1.1 server (plain or HTTPS with its own certificate authority) that
//! can require basic auth or cut a pack short.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use base64::Engine as _;

/// A port that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind an ephemeral port")
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for_port(port: u16, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("git daemon exited early: {status}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("git daemon did not listen on port {port}");
}

/// `git daemon` serving every repository under `base`, stopped when dropped.
pub struct GitDaemon {
    pub port: u16,
    child: Child,
}

impl GitDaemon {
    pub fn start(base: &Path) -> GitDaemon {
        let port = free_port();
        // Run git-daemon itself: `git daemon` would leave it running as a child when killed.
        let exec_path = Command::new("git")
            .arg("--exec-path")
            .output()
            .expect("run git --exec-path");
        let exec_path = String::from_utf8_lossy(&exec_path.stdout)
            .trim()
            .to_string();
        let mut child = Command::new(Path::new(&exec_path).join("git-daemon"))
            .arg("--reuseaddr")
            .arg(format!("--base-path={}", base.display()))
            .arg("--export-all")
            .arg("--listen=127.0.0.1")
            .arg(format!("--port={port}"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("run git daemon");
        wait_for_port(port, &mut child);
        GitDaemon { port, child }
    }

    pub fn url(&self, repo: &str) -> String {
        format!("git://127.0.0.1:{}/{repo}", self.port)
    }

    /// Stops the daemon now; later connections are refused.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for GitDaemon {
    fn drop(&mut self) {
        self.stop();
    }
}

/// How the HTTP server answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Healthy,
    /// Answers a `fetch` command with the full Content-Length but only half the body, then
    /// closes the connection: a server dying mid-fetch.
    TruncatePack,
}

struct State {
    root: PathBuf,
    mode: Mutex<Mode>,
    /// `user:password` that requests must carry, if any.
    auth: Mutex<Option<String>>,
    truncated: AtomicUsize,
    unauthorized: AtomicUsize,
    requests: AtomicUsize,
}

/// `git http-backend` as a CGI behind a minimal HTTP/1.1 server, stopped when dropped.
pub struct HttpGitServer {
    pub port: u16,
    /// PEM of the certificate authority that signed the HTTPS server's certificate.
    pub ca_pem: Option<String>,
    state: Arc<State>,
    stop: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
}

/// A certificate authority and a certificate it signed for 127.0.0.1 and localhost.
fn tls_config() -> (Arc<rustls::ServerConfig>, String) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_key = KeyPair::generate().unwrap();
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let server_key = KeyPair::generate().unwrap();
    let server = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
        .unwrap()
        .signed_by(&server_key, &issuer)
        .unwrap();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(server_key.serialize_der().into());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![server.der().clone()], key)
    .unwrap();
    (Arc::new(config), ca.pem())
}

impl HttpGitServer {
    /// Serves the repositories under `root` (GIT_PROJECT_ROOT) over plain HTTP.
    pub fn start(root: &Path) -> HttpGitServer {
        Self::start_with(root, None)
    }

    /// Serves the repositories under `root` over HTTPS; trust [`Self::ca_pem`] to connect.
    pub fn start_https(root: &Path) -> HttpGitServer {
        let (config, ca_pem) = tls_config();
        let mut server = Self::start_with(root, Some(config));
        server.ca_pem = Some(ca_pem);
        server
    }

    fn start_with(root: &Path, tls: Option<Arc<rustls::ServerConfig>>) -> HttpGitServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the HTTP server");
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(State {
            root: root.to_path_buf(),
            mode: Mutex::new(Mode::Healthy),
            auth: Mutex::new(None),
            truncated: AtomicUsize::new(0),
            unauthorized: AtomicUsize::new(0),
            requests: AtomicUsize::new(0),
        });
        let stop = Arc::new(AtomicBool::new(false));
        let acceptor = {
            let state = state.clone();
            let stop = stop.clone();
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let state = state.clone();
                    let tls = tls.clone();
                    std::thread::spawn(move || {
                        let _ = stream.set_read_timeout(Some(Duration::from_secs(20)));
                        let _ = match tls {
                            Some(config) => match rustls::ServerConnection::new(config) {
                                Ok(connection) => {
                                    serve(rustls::StreamOwned::new(connection, stream), &state)
                                }
                                Err(_) => Ok(()),
                            },
                            None => serve(stream, &state),
                        };
                    });
                }
            })
        };
        HttpGitServer {
            port,
            ca_pem: None,
            state,
            stop,
            acceptor: Some(acceptor),
        }
    }

    pub fn url(&self, repo: &str) -> String {
        let scheme = if self.ca_pem.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://127.0.0.1:{}/{repo}", self.port)
    }

    pub fn set_mode(&self, mode: Mode) {
        *self.state.mode.lock().unwrap() = mode;
    }

    /// Requires `Authorization: Basic` with `user:password` from now on (`None`: no auth).
    pub fn require_auth(&self, user_password: Option<&str>) {
        *self.state.auth.lock().unwrap() = user_password.map(str::to_string);
    }

    pub fn truncated(&self) -> usize {
        self.state.truncated.load(Ordering::SeqCst)
    }

    pub fn unauthorized(&self) -> usize {
        self.state.unauthorized.load(Ordering::SeqCst)
    }

    pub fn requests(&self) -> usize {
        self.state.requests.load(Ordering::SeqCst)
    }
}

impl Drop for HttpGitServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

struct Request {
    method: String,
    path: String,
    query: String,
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

fn read_request<S: Read>(reader: &mut BufReader<S>) -> std::io::Result<Option<Request>> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let target = parts.next().unwrap_or_default().to_string();
    let (path, query) = target
        .split_once('?')
        .map(|(p, q)| (p.to_string(), q.to_string()))
        .unwrap_or((target.clone(), String::new()));
    let mut headers = HashMap::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header)?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_string());
        }
    }
    let mut body = Vec::new();
    if headers
        .get("transfer-encoding")
        .is_some_and(|t| t.eq_ignore_ascii_case("chunked"))
    {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size)?;
            let size = usize::from_str_radix(size.trim().split(';').next().unwrap_or("0"), 16)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
            if size == 0 {
                // Trailers, up to the blank line.
                loop {
                    let mut trailer = String::new();
                    reader.read_line(&mut trailer)?;
                    if trailer.trim_end().is_empty() {
                        break;
                    }
                }
                break;
            }
            let mut chunk = vec![0; size];
            reader.read_exact(&mut chunk)?;
            body.extend_from_slice(&chunk);
            let mut crlf = [0; 2];
            reader.read_exact(&mut crlf)?;
        }
    } else if let Some(length) = headers.get("content-length") {
        let length: usize = length.parse().unwrap_or(0);
        body.resize(length, 0);
        reader.read_exact(&mut body)?;
    }
    Ok(Some(Request {
        method,
        path,
        query,
        headers,
        body,
    }))
}

/// Answers one request on `stream` and closes it.
fn serve<S: Read + Write>(stream: S, state: &State) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream);
    let Some(request) = read_request(&mut reader)? else {
        return Ok(());
    };
    // The whole request is read, so nothing is lost by writing to the stream beneath.
    let writer = reader.get_mut();
    state.requests.fetch_add(1, Ordering::SeqCst);

    let required = state.auth.lock().unwrap().clone();
    if let Some(user_password) = required {
        let expected = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(user_password)
        );
        if request.headers.get("authorization") != Some(&expected) {
            state.unauthorized.fetch_add(1, Ordering::SeqCst);
            let body = b"authentication required\n";
            write!(
                writer,
                "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"git\"\r\n\
                 Content-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )?;
            writer.write_all(body)?;
            return writer.flush();
        }
    }

    let (status, headers, body) = run_http_backend(&request, &state.root)?;
    let mut head = format!("HTTP/1.1 {status}\r\n");
    for (name, value) in &headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    writer.write_all(head.as_bytes())?;

    let is_fetch = request.method == "POST"
        && request.path.ends_with("/git-upload-pack")
        && contains(&request.body, b"command=fetch");
    if is_fetch && *state.mode.lock().unwrap() == Mode::TruncatePack {
        state.truncated.fetch_add(1, Ordering::SeqCst);
        writer.write_all(&body[..body.len() / 2])?;
        writer.flush()?;
        // Dropping both halves closes the connection mid-body.
        return Ok(());
    }
    writer.write_all(&body)?;
    writer.flush()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

type CgiResponse = (String, Vec<(String, String)>, Vec<u8>);

/// Runs `git http-backend` for one request, the way a web server runs a CGI program.
fn run_http_backend(request: &Request, root: &Path) -> std::io::Result<CgiResponse> {
    let mut command = Command::new("git");
    command
        .arg("http-backend")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_PROJECT_ROOT", root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("GATEWAY_INTERFACE", "CGI/1.1")
        .env("SERVER_PROTOCOL", "HTTP/1.1")
        .env("SERVER_SOFTWARE", "kubectl-drift-tests")
        .env("REMOTE_ADDR", "127.0.0.1")
        .env("REQUEST_METHOD", &request.method)
        .env("PATH_INFO", &request.path)
        .env("QUERY_STRING", &request.query)
        .env("CONTENT_LENGTH", request.body.len().to_string())
        .env(
            "CONTENT_TYPE",
            request
                .headers
                .get("content-type")
                .cloned()
                .unwrap_or_default(),
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(protocol) = request.headers.get("git-protocol") {
        command.env("GIT_PROTOCOL", protocol);
    }
    for (name, value) in &request.headers {
        if name == "authorization" || name == "content-length" || name == "content-type" {
            continue;
        }
        let var = format!("HTTP_{}", name.to_ascii_uppercase().replace('-', "_"));
        command.env(var, value);
    }
    let mut child = command.spawn()?;
    let mut stdin = child.stdin.take().expect("piped stdin");
    let body = request.body.clone();
    // Write the body from another thread so a large answer can't deadlock against it.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&body);
    });
    let mut output = Vec::new();
    child
        .stdout
        .take()
        .expect("piped stdout")
        .read_to_end(&mut output)?;
    let _ = writer.join();
    child.wait()?;

    let split = output
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| (i, 4))
        .or_else(|| output.windows(2).position(|w| w == b"\n\n").map(|i| (i, 2)))
        .unwrap_or((output.len(), 0));
    let head = String::from_utf8_lossy(&output[..split.0]).into_owned();
    let body = output[(split.0 + split.1).min(output.len())..].to_vec();
    let mut status = "200 OK".to_string();
    let mut headers = Vec::new();
    for line in head.lines() {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        if name.eq_ignore_ascii_case("status") {
            status = value.trim().to_string();
        } else {
            headers.push((name.trim().to_string(), value.trim().to_string()));
        }
    }
    Ok((status, headers, body))
}
