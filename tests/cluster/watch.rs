//! `kubectl drift watch` against the real clusters: metrics that promtool accepts, a real
//! Prometheus on loopback scraping the drift count rise and fall and the drift age grow, an
//! API server that goes away and comes back, and a clean shutdown on SIGTERM.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::*;

const SETTINGS: &str =
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata: {mode: one}\n";

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A GET on loopback; returns the status code and the body.
pub fn get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n"
    )
    .ok()?;
    let mut text = String::new();
    stream.read_to_string(&mut text).ok()?;
    let status = text.split(' ').nth(1)?.parse().ok()?;
    let body = text.split_once("\r\n\r\n")?.1.to_string();
    // Chunked answers (Prometheus) carry hex lengths between chunks.
    let body = if text
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        let mut out = String::new();
        let mut rest = body.as_str();
        while let Some((len, after)) = rest.split_once("\r\n") {
            let n = usize::from_str_radix(len.trim(), 16).ok()?;
            if n == 0 {
                break;
            }
            out.push_str(&after[..n]);
            rest = &after[n + 2..];
        }
        out
    } else {
        body
    };
    Some((status, body))
}

pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `watch` every second on `ns` of staging, serving `/report` on `port`; killed when dropped.
pub fn spawn_watch(
    dir: &std::path::Path,
    kubeconfig: &std::path::Path,
    ns: &str,
    port: u16,
) -> Killed {
    spawn_watch_with(
        dir,
        kubeconfig,
        "staging",
        port,
        &["-n", ns, "--serve-report"],
    )
}

/// `watch` every second on `context` with `args`, from `dir`, listening on `port`; killed
/// when dropped.
pub fn spawn_watch_with(
    dir: &std::path::Path,
    kubeconfig: &std::path::Path,
    context: &str,
    port: u16,
    args: &[&str],
) -> Killed {
    let child = Command::new(assert_cmd::cargo::cargo_bin("kubectl-drift"))
        .current_dir(dir)
        .env("KUBECONFIG", kubeconfig)
        .args(["watch", "--interval", "1s", "--context", context])
        .args(args)
        .arg("--listen")
        .arg(format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    Killed(child)
}

/// A real Prometheus on loopback, stopped when dropped.
pub struct Prometheus {
    pub port: u16,
    _data: tempfile::TempDir,
    _process: Killed,
}

impl Prometheus {
    /// Starts Prometheus with `config` (prometheus.yml's text); `files` are written beside it.
    pub fn start(config: &str, files: &[(&str, &str)]) -> Prometheus {
        let data = tempfile::tempdir().unwrap();
        let port = free_port();
        std::fs::write(data.path().join("prometheus.yml"), config).unwrap();
        for (name, text) in files {
            std::fs::write(data.path().join(name), text).unwrap();
        }
        let process = Command::new("prometheus")
            .current_dir(data.path())
            .arg("--config.file=prometheus.yml")
            .arg(format!(
                "--storage.tsdb.path={}",
                data.path().join("tsdb").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("prometheus is missing: install Debian's prometheus package");
        Prometheus {
            port,
            _data: data,
            _process: Killed(process),
        }
    }

    /// An instant query's result vector (empty while Prometheus cannot answer).
    pub fn query(&self, expr: &str) -> Vec<Value> {
        let encoded: String = expr
            .bytes()
            .map(|b| match b {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect();
        get(self.port, &format!("/api/v1/query?query={encoded}"))
            .and_then(|(_, body)| serde_json::from_str::<Value>(&body).ok())
            .and_then(|answer| answer["data"]["result"].as_array().cloned())
            .unwrap_or_default()
    }

    /// The value of the first series of an instant query.
    pub fn value(&self, expr: &str) -> Option<f64> {
        self.query(expr).first()?["value"][1].as_str()?.parse().ok()
    }
}

pub fn wait_for(what: &str, timeout: Duration, mut check: impl FnMut() -> bool) {
    let start = Instant::now();
    while !check() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// The value of the first sample of `series` (`name` or `name{label="value",…}`) whose
/// labels include the ones given, in any order: so that a test names only the labels it
/// cares about.
pub fn sample(metrics: &str, series: &str) -> Option<f64> {
    let (name, wanted) = split_series(series);
    metrics
        .lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|line| {
            let (head, value) = line.rsplit_once(' ')?;
            let (n, labels) = split_series(head);
            (n == name && wanted.iter().all(|w| labels.contains(w)))
                .then(|| value.parse().ok())
                .flatten()
        })
}

/// `name{a="1",b="2"}` as its name and its `a="1"` pairs.
fn split_series(series: &str) -> (&str, Vec<&str>) {
    match series.split_once('{') {
        None => (series, Vec::new()),
        Some((name, rest)) => {
            let inner = rest.strip_suffix('}').unwrap_or(rest);
            let mut pairs = Vec::new();
            let mut start = 0;
            let mut quoted = false;
            let mut escaped = false;
            for (i, c) in inner.char_indices() {
                match c {
                    _ if escaped => escaped = false,
                    '\\' => escaped = true,
                    '"' => quoted = !quoted,
                    ',' if !quoted => {
                        pairs.push(&inner[start..i]);
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            if start < inner.len() {
                pairs.push(&inner[start..]);
            }
            (name, pairs)
        }
    }
}

#[test]
fn watch_once_writes_metrics_that_promtool_accepts() {
    let ns = namespace("wonce", &["staging"]);
    let repo = git_repo(&[("k8s/settings.yaml", SETTINGS)]);
    apply("staging", &ns, SETTINGS);
    set_mode(&ns, "two");
    let file = repo.path().join("drift.prom");
    let out = drift()
        .current_dir(repo.path())
        .args([
            "watch",
            "--once",
            "--per-resource-metrics",
            "--context",
            "staging",
            "-n",
            &ns,
            "--metrics-file",
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let metrics = std::fs::read_to_string(&file).unwrap();
    let drifted = format!(
        "kubectl_drift_resources{{context=\"staging\",namespace=\"{ns}\",kind=\"ConfigMap\",status=\"Drifted\"}}"
    );
    assert_eq!(sample(&metrics, &drifted), Some(1.0), "{metrics}");
    assert!(
        metrics.contains("kubectl_drift_resource_drift_age_seconds{"),
        "{metrics}"
    );
    // Every series about the context carries its target and the cluster's identity.
    let uid = kubectl_ok(
        "staging",
        &[
            "get",
            "namespace",
            "kube-system",
            "-o",
            "jsonpath={.metadata.uid}",
        ],
    );
    assert!(!uid.trim().is_empty());
    let identity = format!(
        "{{context=\"staging\",target=\"staging\",cluster_uid=\"{}\"",
        uid.trim()
    );
    assert!(
        metrics.contains(&format!("kubectl_drift_git_info{identity},commit=\"")),
        "{metrics}"
    );
    for line in metrics.lines().filter(|l| l.contains("context=")) {
        assert!(line.contains(&identity), "{line}");
    }
    let mut promtool = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool is missing: install Debian's prometheus package");
    promtool
        .stdin
        .take()
        .unwrap()
        .write_all(metrics.as_bytes())
        .unwrap();
    let result = promtool.wait_with_output().unwrap();
    assert!(
        result.status.success(),
        "promtool: {}{}",
        String::from_utf8_lossy(&result.stdout),
        String::from_utf8_lossy(&result.stderr)
    );
}

#[test]
fn prometheus_sees_drift_rise_age_and_fall_and_watch_stops_on_sigterm() {
    let ns = namespace("wprom", &["staging"]);
    let repo = git_repo(&[("k8s/settings.yaml", SETTINGS)]);
    apply("staging", &ns, SETTINGS);
    let port = free_port();
    let mut watch = spawn_watch(repo.path(), &testenv().kubeconfig, &ns, port);
    wait_for("watch's first round", Duration::from_secs(30), || {
        get(port, "/report").is_some_and(|(status, _)| status == 200)
    });
    assert_eq!(get(port, "/healthz").unwrap(), (200, "ok\n".to_string()));
    let lists = || {
        let (_, metrics) = get(port, "/metrics").unwrap();
        sample(&metrics, "kubectl_drift_list_requests_total").unwrap()
    };
    let first_lists = lists();
    assert!(first_lists >= 1.0);
    let git_reads = || {
        let (_, metrics) = get(port, "/metrics").unwrap();
        sample(&metrics, "kubectl_drift_git_reads_total").unwrap()
    };
    let first_reads = git_reads();
    assert!(first_reads >= 1.0);
    let (_, report) = get(port, "/report").unwrap();
    let report: Value = serde_json::from_str(&report).unwrap();
    assert_eq!(report["summary"][0]["in_sync"], 1);

    let prometheus = Prometheus::start(
        &format!(
            "global: {{scrape_interval: 1s, evaluation_interval: 1s}}\nscrape_configs:\n  - job_name: kubectl-drift\n    static_configs: [{{targets: ['127.0.0.1:{port}']}}]\n"
        ),
        &[],
    );
    let query = |expr: &str| prometheus.value(expr);
    let drifted = format!("sum(kubectl_drift_resources{{namespace=\"{ns}\",status=\"Drifted\"}})");
    wait_for(
        "Prometheus to scrape an in-sync round",
        Duration::from_secs(60),
        || query(&drifted) == Some(0.0),
    );

    set_mode(&ns, "two");
    wait_for("the drift count to rise", Duration::from_secs(30), || {
        query(&drifted) == Some(1.0)
    });
    // Rounds after the first read the watched state: the change came in without a LIST,
    // and Git, whose ref did not move, was not read again.
    assert_eq!(lists(), first_lists, "later rounds listed again");
    assert_eq!(git_reads(), first_reads, "later rounds read Git again");
    let age = format!("max(kubectl_drift_drift_age_seconds{{namespace=\"{ns}\"}})");
    let mut first = None;
    wait_for("a drift age", Duration::from_secs(30), || {
        first = query(&age);
        first.is_some()
    });
    wait_for("the drift age to grow", Duration::from_secs(30), || {
        query(&age).is_some_and(|later| later >= first.unwrap() + 2.0)
    });

    set_mode(&ns, "one");
    wait_for("the drift count to fall", Duration::from_secs(30), || {
        query(&drifted) == Some(0.0)
    });

    // The ref moves: the next round reads the new commit.
    write_files(repo.path(), &[("README.md", "shop manifests\n")]);
    commit(repo.path(), "docs");
    let head = git(repo.path(), &["rev-parse", "HEAD"]).trim().to_string();
    wait_for("a round on the new commit", Duration::from_secs(30), || {
        get(port, "/metrics").is_some_and(|(_, m)| m.contains(&format!("commit=\"{head}\"")))
    });
    assert!(git_reads() > first_reads);

    // SIGTERM: gone within a second, exit code 0.
    let pid = watch.0.id().to_string();
    let sent = Instant::now();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let mut status = None;
    while sent.elapsed() < Duration::from_secs(3) {
        if let Some(s) = watch.0.try_wait().unwrap() {
            status = Some(s);
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = status.expect("watch did not stop after SIGTERM");
    assert!(
        sent.elapsed() < Duration::from_secs(1),
        "took {:?}",
        sent.elapsed()
    );
    assert_eq!(status.code(), Some(0));
}

/// A TCP forwarder in front of an API server that can be cut off (every connection closed,
/// nothing accepted) and brought back on the same port.
struct Cutoff {
    port: u16,
    alive: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<TcpStream>>>,
}

impl Cutoff {
    fn start(upstream: String) -> Cutoff {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let alive = Arc::new(AtomicBool::new(true));
        let open: Arc<Mutex<Vec<TcpStream>>> = Arc::new(Mutex::new(Vec::new()));
        let (a, o) = (alive.clone(), open.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                if !a.load(Ordering::SeqCst) {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                }
                let Ok(server) = TcpStream::connect(&upstream) else {
                    continue;
                };
                let mut streams = o.lock().unwrap();
                streams.push(client.try_clone().unwrap());
                streams.push(server.try_clone().unwrap());
                for (mut from, mut to) in [
                    (client.try_clone().unwrap(), server.try_clone().unwrap()),
                    (server, client),
                ] {
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut from, &mut to);
                        let _ = to.shutdown(Shutdown::Both);
                    });
                }
            }
        });
        Cutoff { port, alive, open }
    }

    fn cut(&self) {
        self.alive.store(false, Ordering::SeqCst);
        for stream in self.open.lock().unwrap().drain(..) {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }

    fn restore(&self) {
        self.alive.store(true, Ordering::SeqCst);
    }
}

#[test]
fn watch_keeps_serving_while_the_api_server_is_gone_and_recovers() {
    let ns = namespace("wdown", &["staging"]);
    let repo = git_repo(&[("k8s/settings.yaml", SETTINGS)]);
    apply("staging", &ns, SETTINGS);
    // A kubeconfig whose staging server is the forwarder.
    let text = std::fs::read_to_string(&testenv().kubeconfig).unwrap();
    let mut config = kubectl_drift::yaml::read(&text).unwrap();
    let cluster = config["clusters"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|c| c["name"] == "staging")
        .unwrap();
    let server = cluster["cluster"]["server"].as_str().unwrap().to_string();
    let upstream = server.trim_start_matches("https://").to_string();
    let cutoff = Cutoff::start(upstream);
    cluster["cluster"]["server"] = format!("https://127.0.0.1:{}", cutoff.port).into();
    let kubeconfig = repo.path().join("kubeconfig");
    std::fs::write(
        &kubeconfig,
        kubectl_drift::yaml::to_string(&config).unwrap(),
    )
    .unwrap();

    let port = free_port();
    let _watch = spawn_watch(repo.path(), &kubeconfig, &ns, port);
    let errors = "kubectl_drift_check_errors_total{context=\"staging\"}";
    let success = "kubectl_drift_last_success_timestamp_seconds{context=\"staging\"}";
    let metrics = || {
        get(port, "/metrics")
            .map(|(_, body)| body)
            .unwrap_or_default()
    };
    wait_for("a good round", Duration::from_secs(30), || {
        sample(&metrics(), success).is_some()
    });
    assert_eq!(sample(&metrics(), errors), Some(0.0));

    cutoff.cut();
    wait_for(
        "errors while the server is gone",
        Duration::from_secs(60),
        || sample(&metrics(), errors).is_some_and(|n| n >= 2.0),
    );
    assert_eq!(
        get(port, "/healthz").unwrap().0,
        200,
        "alive: rounds keep finishing"
    );
    let stale = sample(&metrics(), success).unwrap();
    // Unready once no round has checked the cluster for three intervals; the gauges keep
    // their last values, and say the target is down.
    wait_for("unready", Duration::from_secs(30), || {
        get(port, "/readyz").is_some_and(|(code, _)| code == 503)
    });
    let text = metrics();
    let resources = format!(
        "kubectl_drift_resources{{context=\"staging\",namespace=\"{ns}\",kind=\"ConfigMap\",status=\"InSync\"}}"
    );
    assert_eq!(sample(&text, &resources), Some(1.0), "{text}");
    assert_eq!(
        sample(
            &text,
            "kubectl_drift_target_up{context=\"staging\",target=\"staging\"}"
        ),
        Some(0.0),
        "{text}"
    );
    // The metrics are the last finished round's: its age of the last success grows.
    wait_for(
        "the age of the last success",
        Duration::from_secs(30),
        || {
            sample(
                &metrics(),
                "kubectl_drift_last_success_age_seconds{context=\"staging\"}",
            )
            .is_some_and(|age| age >= 3.0)
        },
    );

    cutoff.restore();
    wait_for(
        "a good round after the server came back",
        Duration::from_secs(60),
        || sample(&metrics(), success).is_some_and(|t| t > stale),
    );
    assert_eq!(get(port, "/readyz").unwrap(), (200, "ok\n".to_string()));
    assert_eq!(
        sample(
            &metrics(),
            "kubectl_drift_target_up{context=\"staging\",target=\"staging\"}"
        ),
        Some(1.0)
    );
    let settled = sample(&metrics(), errors).unwrap();
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(
        sample(&metrics(), errors),
        Some(settled),
        "errors stopped growing"
    );
}

/// Without `--state`, `watch` remembers in memory what it alerted: an unchanged drift
/// alerts once, not every round; a change alerts again.
#[test]
fn watch_alerts_once_per_change_without_a_state_file() {
    let ns = namespace("walert", &["staging"]);
    let repo = git_repo(&[("k8s/settings.yaml", SETTINGS)]);
    apply("staging", &ns, SETTINGS);
    set_mode(&ns, "two");
    let (url, bodies) = webhook_receiver("/hooks/watch");
    let port = free_port();
    let webhook = format!("webhook={url}");
    let _watch = spawn_watch_with(
        repo.path(),
        &testenv().kubeconfig,
        "staging",
        port,
        &["-n", &ns, "--notify", &webhook],
    );
    let rounds = || {
        get(port, "/metrics")
            .and_then(|(_, body)| sample(&body, "kubectl_drift_rounds_total"))
            .unwrap_or(0.0)
    };
    wait_for("four rounds", Duration::from_secs(60), || rounds() >= 4.0);
    assert_eq!(bodies.lock().unwrap().len(), 1, "one alert for one drift");
    set_mode(&ns, "three");
    wait_for("the changed drift's alert", Duration::from_secs(60), || {
        bodies.lock().unwrap().len() == 2
    });
    let now = rounds();
    wait_for("three more rounds", Duration::from_secs(60), || {
        rounds() >= now + 3.0
    });
    assert_eq!(bodies.lock().unwrap().len(), 2);
}

/// Two replicas with `--leader-elect`: one runs rounds and alerts, the other stands by with
/// `kubectl_drift_leader 0`; when the leader stops, the standby takes over.
#[test]
fn two_replicas_elect_one_leader_and_never_alert_twice() {
    let ns = namespace("wlead", &["staging"]);
    let repo = git_repo(&[("k8s/settings.yaml", SETTINGS)]);
    apply("staging", &ns, SETTINGS);
    set_mode(&ns, "two");
    let (url, bodies) = webhook_receiver("/hooks/lead");
    let lease = format!("lease-{ns}");
    // Shared alert state: a handover does not alert again either.
    let state = format!("configmap/{ns}/alerts");
    let webhook = format!("webhook={url}");
    let spawn = |port: u16| {
        spawn_watch_with(
            repo.path(),
            &testenv().kubeconfig,
            "staging",
            port,
            &[
                "-n",
                &ns,
                "--leader-elect",
                "--leader-election-lease",
                &lease,
                "--state",
                &state,
                "--notify",
                &webhook,
            ],
        )
    };
    let ports = [free_port(), free_port()];
    let mut replicas: Vec<Option<Killed>> = ports.iter().map(|p| Some(spawn(*p))).collect();
    let leader_of = |port: u16| {
        get(port, "/metrics").and_then(|(_, body)| sample(&body, "kubectl_drift_leader"))
    };
    wait_for(
        "one leader and one standby",
        Duration::from_secs(60),
        || {
            let mut states: Vec<Option<f64>> = ports.iter().map(|p| leader_of(*p)).collect();
            states.sort_by(|a, b| a.partial_cmp(b).unwrap());
            states == [Some(0.0), Some(1.0)]
        },
    );
    let leader = if leader_of(ports[0]) == Some(1.0) {
        0
    } else {
        1
    };
    let standby = 1 - leader;
    let rounds = |port: u16| {
        get(port, "/metrics")
            .and_then(|(_, body)| sample(&body, "kubectl_drift_rounds_total"))
            .unwrap_or(0.0)
    };
    wait_for(
        "three rounds by the leader",
        Duration::from_secs(60),
        || rounds(ports[leader]) >= 3.0,
    );
    // While it stands by, the standby runs no rounds.
    let before = rounds(ports[standby]);
    std::thread::sleep(Duration::from_secs(3));
    if let Some((_, body)) = get(ports[standby], "/metrics") {
        // Read once, so that the lease cannot move between the checks.
        if sample(&body, "kubectl_drift_leader") == Some(0.0) {
            assert_eq!(
                sample(&body, "kubectl_drift_rounds_total").unwrap_or(0.0),
                before,
                "the standby runs no rounds"
            );
            // Nor does it serve gauges a fleet's sums would count twice.
            assert!(!body.contains("kubectl_drift_resources{"), "{body}");
        }
    }
    assert!(
        ports.iter().filter(|p| leader_of(**p) == Some(1.0)).count() <= 1,
        "never two leaders"
    );
    assert_eq!(
        get(ports[standby], "/readyz").unwrap().0,
        200,
        "a standby is ready to take over"
    );
    assert_eq!(
        bodies.lock().unwrap().len(),
        1,
        "one alert between two replicas"
    );

    // The leader stops (its lease released): the standby takes over and runs rounds.
    if let Some(mut replica) = replicas[leader].take() {
        // SIGTERM, as a Pod is stopped: it releases the lease on its way out.
        let _ = Command::new("kill")
            .arg(replica.0.id().to_string())
            .status();
        let _ = replica.0.wait();
    }
    wait_for("the standby to lead", Duration::from_secs(60), || {
        leader_of(ports[standby]) == Some(1.0) && rounds(ports[standby]) >= 1.0
    });
}

/// Extra-object scans are kept current by watches too: after the first rounds no LIST is
/// sent; a kind Git stops declaring has its watch dropped.
#[test]
fn watch_lists_once_and_drops_watches_git_no_longer_needs() {
    let ns = namespace("wevent", &["staging"]);
    let service =
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports: [{port: 80}]\n";
    let config = format!(
        "targets:\n  - context: staging\n    paths: [k8s]\n    namespace: {ns}\n    trackingLabel: team=web\n"
    );
    let repo = git_repo(&[
        (".kubectl-drift.yaml", &config),
        ("k8s/settings.yaml", SETTINGS),
        ("k8s/service.yaml", service),
    ]);
    apply("staging", &ns, SETTINGS);
    apply("staging", &ns, service);
    let port = free_port();
    let _watch = spawn_watch_with(
        repo.path(),
        &testenv().kubeconfig,
        "staging",
        port,
        &["-n", &ns],
    );
    let value = |series: &str| {
        get(port, "/metrics")
            .and_then(|(_, body)| sample(&body, series))
            .unwrap_or(0.0)
    };
    wait_for("three rounds", Duration::from_secs(60), || {
        value("kubectl_drift_rounds_total") >= 3.0
    });
    let lists = value("kubectl_drift_list_requests_total");
    let watches = value("kubectl_drift_watches");
    assert!(
        watches > 2.0,
        "the declared kinds and the extra scans: {watches}"
    );
    let rounds = value("kubectl_drift_rounds_total");
    wait_for("three more rounds", Duration::from_secs(60), || {
        value("kubectl_drift_rounds_total") >= rounds + 3.0
    });
    assert_eq!(
        value("kubectl_drift_list_requests_total"),
        lists,
        "no LIST after the watches run"
    );

    // An extra object labeled team=web appears: seen through the watch.
    kubectl_ok(
        "staging",
        &[
            "-n",
            &ns,
            "create",
            "configmap",
            "stray",
            "--from-literal=a=b",
        ],
    );
    kubectl_ok(
        "staging",
        &["-n", &ns, "label", "configmap/stray", "team=web"],
    );
    let extra = format!(
        "kubectl_drift_resources{{context=\"staging\",namespace=\"{ns}\",kind=\"ConfigMap\",status=\"Extra\"}}"
    );
    wait_for("the extra object", Duration::from_secs(60), || {
        value(&extra) == 1.0
    });
    assert_eq!(value("kubectl_drift_list_requests_total"), lists);

    // Git stops declaring Services, and tracks nothing any more: their watches go.
    std::fs::remove_file(repo.path().join("k8s/service.yaml")).unwrap();
    std::fs::write(
        repo.path().join(".kubectl-drift.yaml"),
        format!("targets:\n  - context: staging\n    paths: [k8s]\n    namespace: {ns}\n"),
    )
    .unwrap();
    commit(repo.path(), "no Service, no tracking");
    wait_for("fewer watches", Duration::from_secs(60), || {
        let now = value("kubectl_drift_watches");
        now > 0.0 && now < watches
    });
    assert_eq!(
        value("kubectl_drift_watches"),
        2.0,
        "only the ConfigMaps of the namespace, and the mutating webhook configurations the \
         pre-check reads"
    );
}

/// `watch` on `ns` of staging with `args`, from `dir`, its stderr kept in `log`.
fn spawn_watch_logged(
    dir: &std::path::Path,
    port: u16,
    log: &std::path::Path,
    args: &[&str],
) -> Killed {
    let child = Command::new(assert_cmd::cargo::cargo_bin("kubectl-drift"))
        .current_dir(dir)
        .env("KUBECONFIG", &testenv().kubeconfig)
        .args(["watch", "--interval", "1s", "--context", "staging"])
        .args(args)
        .arg("--listen")
        .arg(format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .unwrap();
    Killed(child)
}

/// The alert state kept in a ConfigMap of a namespace the target owns is watch's own: never
/// Extra in its rounds, and `fix --prune` leaves it.
#[test]
fn the_alert_state_in_an_owned_namespace_is_never_extra_nor_pruned() {
    let ns = namespace("wstate", &["staging"]);
    let config = format!(
        "targets:\n  - name: staging\n    context: staging\n    paths: [k8s]\n    namespace: {ns}\n    namespaces: [{ns}]\n"
    );
    let repo = git_repo(&[
        ("k8s/settings.yaml", SETTINGS),
        (".kubectl-drift.yaml", &config),
    ]);
    apply("staging", &ns, SETTINGS);
    set_mode(&ns, "two");
    let (url, bodies) = webhook_receiver("/hooks/state");
    let port = free_port();
    let webhook = format!("webhook={url}");
    let state = format!("configmap/{ns}/alerts");
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("watch.log");
    let watch = spawn_watch_logged(
        repo.path(),
        port,
        &log,
        &["--serve-report", "--state", &state, "--notify", &webhook],
    );
    let rounds = || {
        get(port, "/metrics")
            .and_then(|(_, body)| sample(&body, "kubectl_drift_rounds_total"))
            .unwrap_or(0.0)
    };
    wait_for("the alert", Duration::from_secs(60), || {
        !bodies.lock().unwrap().is_empty()
    });
    let after_alert = rounds();
    wait_for("two more rounds", Duration::from_secs(60), || {
        rounds() >= after_alert + 2.0
    });
    kubectl_ok("staging", &["-n", &ns, "get", "configmap", "alerts"]);
    let (_, body) = get(port, "/report").unwrap();
    let report: Value = serde_json::from_str(&body).unwrap();
    let statuses = crate::check::statuses(&report);
    assert!(
        statuses.contains(&("ConfigMap/settings".into(), "Drifted".into())),
        "{statuses:?}"
    );
    assert!(
        !statuses.iter().any(|(_, status)| status == "Extra"),
        "{statuses:?}"
    );
    assert_eq!(
        bodies.lock().unwrap().len(),
        1,
        "one alert, no drift of its own"
    );
    drop(watch);

    // `fix --prune`, which knows nothing of --state, leaves it too.
    let out = drift()
        .current_dir(repo.path())
        .args(["fix", "--yes", "--prune", "--context", "staging"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    kubectl_ok("staging", &["-n", &ns, "get", "configmap", "alerts"]);
    // It did prune what is extra.
    kubectl_ok("staging", &["-n", &ns, "create", "configmap", "stray"]);
    let out = drift()
        .current_dir(repo.path())
        .args(["fix", "--yes", "--prune", "--context", "staging"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(
        !kubectl("staging", &["-n", &ns, "get", "configmap", "stray"])
            .status
            .success()
    );
    kubectl_ok("staging", &["-n", &ns, "get", "configmap", "alerts"]);
}

/// A state ConfigMap that cannot be read silences alerts, and says so: a counter, a
/// failing `/readyz`, and a log line naming the ConfigMap without quoting it.
#[test]
fn a_corrupt_alert_state_is_counted_unready_and_never_quoted() {
    let ns = namespace("wcorrupt", &["staging"]);
    let repo = git_repo(&[("k8s/settings.yaml", SETTINGS)]);
    apply("staging", &ns, SETTINGS);
    set_mode(&ns, "two");
    kubectl_ok(
        "staging",
        &[
            "-n",
            &ns,
            "create",
            "configmap",
            "alerts",
            "--from-literal=state.json={\"version\": \"T0P-S3CRET-content\"",
        ],
    );
    let (url, bodies) = webhook_receiver("/hooks/corrupt");
    let port = free_port();
    let webhook = format!("webhook={url}");
    let state = format!("configmap/{ns}/alerts");
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("watch.log");
    let watch = spawn_watch_logged(
        repo.path(),
        port,
        &log,
        &["-n", &ns, "--state", &state, "--notify", &webhook],
    );
    let errors = || {
        get(port, "/metrics")
            .and_then(|(_, body)| sample(&body, "kubectl_drift_alert_state_errors_total"))
            .unwrap_or(0.0)
    };
    wait_for("a state error", Duration::from_secs(60), || errors() >= 1.0);
    let (status, why) = get(port, "/readyz").unwrap();
    assert_ne!(status, 200, "{why}");
    assert!(why.contains(&format!("ConfigMap {ns}/alerts")), "{why}");
    assert!(bodies.lock().unwrap().is_empty());
    drop(watch);
    let stderr = std::fs::read_to_string(&log).unwrap();
    assert!(
        stderr.contains(&format!("ConfigMap {ns}/alerts")) && stderr.contains("corrupt"),
        "{stderr}"
    );
    assert!(!stderr.contains("S3CRET"), "{stderr}");
    assert!(!why.contains("S3CRET"), "{why}");
}
