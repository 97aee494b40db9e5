//! `kubectl drift watch`: runs `check` every interval on the configured targets, keeps what
//! rounds have in common (when each drift was first seen, errors, last success), and serves
//! Prometheus metrics (`/metrics`), liveness (`/healthz`) and the latest JSON report
//! (`/report`). The same alerts as `check --notify` go out after each round, with the same
//! dedupe. SIGTERM or Ctrl-C stop it at once, mid-round if need be.

pub mod metrics;
mod serve;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use chrono::Utc;

use crate::check;
use crate::notify::{self, NotifySettings};
use crate::render::json;
use crate::report::{Report, Style};
use crate::settings::CheckSettings;
use metrics::History;

/// Everything `watch` needs, validated.
#[derive(Debug, Clone)]
pub struct WatchSettings {
    pub check: CheckSettings,
    pub interval: Duration,
    pub listen: SocketAddr,
    /// Serve the latest JSON report on `/report` (`--serve-report`); off by default, since
    /// it holds live values and the endpoints have no authentication.
    pub serve_report: bool,
    /// One round, then exit with check's exit code.
    pub once: bool,
    /// Write the metrics here after each round (node-exporter's textfile collector).
    pub metrics_file: Option<PathBuf>,
    /// Also export one drift-age series per drifted resource.
    pub per_resource: bool,
    pub notify: Option<NotifySettings>,
    /// `--leader-elect`: the Lease that decides which replica runs rounds.
    pub lease: Option<String>,
}

/// Why `watch` could not run.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write the metrics file {path}: {source}")]
    MetricsFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot wait for signals: {0}")]
    Signals(#[source] std::io::Error),
    #[error("leader election on lease {lease}: {message}")]
    Lease { lease: String, message: String },
}

/// What the HTTP endpoints serve: the latest round's metrics and report, and when rounds
/// last finished and last succeeded, for `/healthz` and `/readyz`.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub metrics: String,
    /// The labels of the process's own series (`metrics::process_labels`), for the
    /// leader's.
    pub process_labels: String,
    pub report_json: Option<String>,
    /// Whether `/report` is served at all.
    pub serve_report: bool,
    pub interval: Duration,
    pub started: Option<Instant>,
    /// The end of the last round, whatever it found.
    pub last_round: Option<Instant>,
    /// The end of the last round that checked every context.
    pub last_success: Option<Instant>,
    /// With `--leader-elect`, whether this replica leads.
    pub leader: Option<bool>,
    /// Why the last round could not read the alert state: alerts are silenced until it can.
    pub alert_state_error: Option<String>,
}

impl Snapshot {
    /// Ready while a round has checked every context within three intervals.
    pub fn ready(&self, now: Instant) -> Result<(), String> {
        // A standby runs no rounds; it is ready to take over.
        if self.leader == Some(false) {
            return Ok(());
        }
        if let Some(error) = &self.alert_state_error {
            return Err(format!("alerts are off: {error}"));
        }
        let window = self.interval * 3;
        match self.last_success {
            None => Err("no round has checked every context yet".into()),
            Some(at) if now.duration_since(at) > window => Err(format!(
                "no round has checked every context for {}s (three intervals)",
                now.duration_since(at).as_secs()
            )),
            Some(_) => Ok(()),
        }
    }

    /// Alive while rounds keep finishing, whatever they find: ten intervals, at least five
    /// minutes. A cluster that is down makes watch unready, not dead.
    pub fn alive(&self, now: Instant) -> Result<(), String> {
        if self.leader == Some(false) {
            return Ok(());
        }
        let window = (self.interval * 10).max(Duration::from_secs(300));
        // The later of the last round and the start of this leadership: a standby that
        // just took over is not dead for the rounds it did not run.
        let Some(since) = self.last_round.max(self.started) else {
            return Ok(());
        };
        if now.duration_since(since) > window {
            Err(format!(
                "no round has finished for {}s",
                now.duration_since(since).as_secs()
            ))
        } else {
            Ok(())
        }
    }
}

/// One line per round and per problem, for the caller to print.
pub type Log<'a> = &'a (dyn Fn(String) + Sync);

/// Runs rounds until a signal arrives (or once). Returns the exit code: with `once`, the
/// round's (0, 1 or 2); otherwise 0 after a clean shutdown.
pub async fn run(settings: &WatchSettings, log: Log<'_>) -> Result<i32, WatchError> {
    // The ConfigMap the alert state is kept in is watch's own: never Extra.
    let mut settings = settings.clone();
    settings.check.alert_state = settings
        .notify
        .as_ref()
        .and_then(|n| n.state_configmap.as_ref())
        .map(|at| (at.namespace.clone(), at.name.clone()));
    let settings = &settings;
    // Later rounds read Git only when the ref moves, and live state from watches.
    let caches = std::sync::Arc::new(check::Caches::default());
    let snapshot = Arc::new(RwLock::new(Snapshot {
        serve_report: settings.serve_report,
        interval: settings.interval,
        started: Some(Instant::now()),
        ..Snapshot::default()
    }));
    let mut history = History::default();
    if settings.once {
        let report = round(settings, &caches, &mut history, &snapshot, log).await?;
        return Ok(report
            .as_ref()
            .map_or(crate::report::EXIT_ERROR, Report::exit_code));
    }
    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .map_err(|source| WatchError::Listen {
            addr: settings.listen,
            source,
        })?;
    log(format!(
        "serving /metrics, /healthz, /readyz{} on http://{}",
        if settings.serve_report {
            " and /report"
        } else {
            ""
        },
        listener.local_addr().unwrap_or(settings.listen)
    ));
    let server = tokio::spawn(serve::serve(listener, snapshot.clone()));
    let shutdown = shutdown_signal()?;
    tokio::pin!(shutdown);
    // With --leader-elect, rounds run only while this replica holds the Lease.
    let mut leader = match &settings.lease {
        // A SIGTERM while the election starts stops the watch too.
        Some(lease) => tokio::select! {
            _ = &mut shutdown => {
                server.abort();
                log("stopped".into());
                return Ok(0);
            }
            channel = leadership(settings, lease, log) => Some(channel?),
        },
        None => None,
    };
    set_leader(&snapshot, leader.as_ref().map(|l| *l.borrow()));
    loop {
        if let Some(channel) = leader.as_mut() {
            if !*channel.borrow_and_update() {
                set_leader(&snapshot, Some(false));
                log("standby: another replica holds the lease".into());
                tokio::select! {
                    _ = &mut shutdown => break,
                    changed = channel.changed() => {
                        if changed.is_err() {
                            log("error: leader election stopped".into());
                            break;
                        }
                        continue;
                    }
                }
            }
            set_leader(&snapshot, Some(true));
        }
        tokio::select! {
            _ = &mut shutdown => break,
            result = round(settings, &caches, &mut history, &snapshot, log) => { result?; }
        }
        let lost = async {
            match leader.as_mut() {
                Some(channel) => loop {
                    if channel.changed().await.is_err() || !*channel.borrow() {
                        break;
                    }
                },
                None => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = &mut shutdown => break,
            _ = tokio::time::sleep(settings.interval) => {}
            _ = lost => {}
        }
    }
    // Dropping the channel lets the election task release the Lease for a standby.
    drop(leader);
    server.abort();
    log("stopped".into());
    Ok(0)
}

/// Starts the election for `lease` in the namespace of the first checked context (the
/// pod's, in the cluster); the channel says whether this replica leads.
async fn leadership(
    settings: &WatchSettings,
    lease: &str,
    log: Log<'_>,
) -> Result<tokio::sync::watch::Receiver<bool>, WatchError> {
    let failed = |message: String| WatchError::Lease {
        lease: lease.to_string(),
        message,
    };
    let cluster = &settings.check.cluster;
    let config = crate::cluster::kubeconfig::load_kubeconfig(cluster.kubeconfig.as_deref())
        .map_err(|e| failed(e.to_string()))?;
    let context = cluster
        .contexts
        .first()
        .cloned()
        .or_else(|| config.current_context.clone())
        .ok_or_else(|| failed("no context to hold it in".into()))?;
    // Each Lease call answered within 5 s, a third of the lease: a server that accepts and
    // never answers fails the call, and the manager tries again, instead of hanging.
    let client = crate::cluster::kubeconfig::connect_with(
        &config,
        &context,
        cluster.request_timeout,
        Some(Duration::from_secs(5)),
    )
    .await
    .map_err(|e| failed(e.to_string()))?;
    let identity = format!(
        "{}-{}",
        std::env::var("HOSTNAME").unwrap_or_else(|_| "kubectl-drift".into()),
        std::process::id()
    );
    let manager = kube_lease_manager::LeaseManagerBuilder::new(client.client.clone(), lease)
        .with_namespace(client.default_namespace.clone())
        .with_identity(identity.clone())
        .with_duration(15)
        .with_grace(5)
        .with_field_manager(crate::settings::DEFAULT_FIELD_MANAGER)
        .build()
        .await
        .map_err(|e| failed(crate::report::terminal_text(&e.to_string()).into_owned()))?;
    let (channel, _task) = manager.watch().await;
    log(format!(
        "leader election: lease {}/{lease} as {identity}",
        client.default_namespace
    ));
    Ok(channel)
}

fn set_leader(snapshot: &RwLock<Snapshot>, leader: Option<bool>) {
    let mut shared = snapshot.write().unwrap_or_else(|e| e.into_inner());
    if shared.leader == Some(false) && leader == Some(true) {
        // A new leader's rounds start now: liveness counts from here.
        shared.started = Some(Instant::now());
    }
    if leader == Some(false) {
        // A replica that lost the lease serves no stale gauges: beside the new leader's,
        // a fleet's `sum by (target, cluster_uid)` would count its clusters twice.
        shared.metrics.clear();
        shared.report_json = None;
    }
    shared.leader = leader;
}

/// Resolves on SIGTERM or Ctrl-C (a Pod's stop, a terminal's interrupt).
#[cfg(unix)]
fn shutdown_signal() -> Result<impl std::future::Future<Output = ()>, WatchError> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).map_err(WatchError::Signals)?;
    let mut int = signal(SignalKind::interrupt()).map_err(WatchError::Signals)?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    })
}

/// Resolves on Ctrl-C, Ctrl-Break, or the console window closing: Windows has no SIGTERM.
#[cfg(windows)]
fn shutdown_signal() -> Result<impl std::future::Future<Output = ()>, WatchError> {
    use tokio::signal::windows::{ctrl_break, ctrl_c, ctrl_close, ctrl_shutdown};
    let mut int = ctrl_c().map_err(WatchError::Signals)?;
    let mut brk = ctrl_break().map_err(WatchError::Signals)?;
    let mut close = ctrl_close().map_err(WatchError::Signals)?;
    let mut shutdown = ctrl_shutdown().map_err(WatchError::Signals)?;
    Ok(async move {
        tokio::select! {
            _ = int.recv() => {}
            _ = brk.recv() => {}
            _ = close.recv() => {}
            _ = shutdown.recv() => {}
        }
    })
}

/// One check: updates the history, the snapshot, the metrics file and sends alerts.
async fn round(
    settings: &WatchSettings,
    caches: &std::sync::Arc<check::Caches>,
    history: &mut History,
    snapshot: &RwLock<Snapshot>,
    log: Log<'_>,
) -> Result<Option<Report>, WatchError> {
    let started = Instant::now();
    let result = check::run_cached(&settings.check, caches, &|_| {}).await;
    let now = Utc::now();
    let duration = started.elapsed().as_secs_f64();
    let report = match result {
        Ok(report) => Some(report),
        Err(error) => {
            log(format!("round {}: error: {error}", history.rounds + 1));
            None
        }
    };
    history.record(report.as_ref(), now, duration);
    history.watches = caches.live.watches();
    // Alerts before the metrics, so that a state that cannot be read shows in this round's.
    let mut alert_state_error = None;
    if let (Some(alerts), Some(report)) = (&settings.notify, &report) {
        // Without a state file, what was alerted is remembered across rounds in memory:
        // each change alerts once per channel, and a failed channel is retried.
        match notify::configmap_store(alerts, report, &settings.check.cluster).await {
            // Memory this round would not know what the ConfigMap says was sent: every
            // channel would get the same drift again. The next round tries again.
            Err(e) => log(format!(
                "error: alerts: {e}; none sent this round, the next round tries again"
            )),
            Ok(store) => {
                let memory = match (&store, &alerts.state_file) {
                    (Some(store), _) => notify::Memory::ConfigMap(store),
                    (None, Some(path)) => notify::Memory::File(path),
                    (None, None) => notify::Memory::Rounds(&mut history.alerts),
                };
                let result = notify::notify_with(report, alerts, now, memory).await;
                if let Some(e) = result.as_ref().err().filter(|e| e.is_unreadable_state()) {
                    history.alert_state_errors += 1;
                    alert_state_error = Some(e.to_string());
                }
                notify::outcome_lines(&result).0.into_iter().for_each(log);
            }
        }
    }
    let text = metrics::exposition(report.as_ref(), history, now, settings.per_resource);
    let report_json = report
        .as_ref()
        .filter(|_| settings.serve_report)
        .map(|report| {
            let style = Style {
                color: false,
                width: settings.check.width,
                now,
            };
            let mut out = Vec::new();
            // Writing to memory cannot fail.
            let _ = json::render(report, &style, &mut out);
            String::from_utf8_lossy(&out).into_owned()
        });
    if let Some(report) = &report {
        let lines: Vec<String> = report
            .contexts
            .iter()
            .map(|c| crate::report::terminal_text(&c.line()).into_owned())
            .collect();
        log(format!(
            "round {} ({duration:.1}s): {}",
            history.rounds,
            lines.join("; ")
        ));
    }
    {
        let mut shared = snapshot.write().unwrap_or_else(|e| e.into_inner());
        shared.metrics = text.clone();
        shared.process_labels = metrics::process_labels(history);
        shared.last_round = Some(Instant::now());
        shared.alert_state_error = alert_state_error;
        let checked_all = report
            .as_ref()
            .is_some_and(|r| r.contexts.iter().all(|c| c.error.is_none()));
        if checked_all {
            shared.last_success = shared.last_round;
        }
        if report_json.is_some() {
            shared.report_json = report_json;
        }
    }
    if let Some(path) = &settings.metrics_file {
        write_atomically(path, text.as_bytes()).map_err(|source| WatchError::MetricsFile {
            path: path.clone(),
            source,
        })?;
    }
    Ok(report)
}

/// The textfile collector reads whole files: write beside, then rename over.
fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&temp, bytes)?;
    std::fs::rename(&temp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replica_that_loses_the_lease_stops_serving_its_last_round() {
        let snapshot = RwLock::new(Snapshot::default());
        set_leader(&snapshot, Some(true));
        {
            let mut shared = snapshot.write().unwrap();
            shared.metrics = "kubectl_drift_resources{} 1\n".into();
            shared.report_json = Some("{}".into());
        }
        set_leader(&snapshot, Some(true));
        assert!(!snapshot.read().unwrap().metrics.is_empty());
        set_leader(&snapshot, Some(false));
        let shared = snapshot.read().unwrap();
        assert!(shared.metrics.is_empty());
        assert!(shared.report_json.is_none());
        assert_eq!(shared.leader, Some(false));
    }

    #[test]
    fn an_alert_state_that_cannot_be_read_makes_watch_unready() {
        let mut snapshot = Snapshot {
            interval: Duration::from_secs(5),
            last_success: Some(Instant::now()),
            ..Default::default()
        };
        assert_eq!(snapshot.ready(Instant::now()), Ok(()));
        snapshot.alert_state_error = Some("the state in ConfigMap ops/alerts is corrupt".into());
        let why = snapshot.ready(Instant::now()).unwrap_err();
        assert!(why.contains("ops/alerts"), "{why}");
    }

    #[test]
    fn a_standby_that_takes_over_is_alive_until_its_own_rounds_are_late() {
        let snapshot = RwLock::new(Snapshot {
            interval: Duration::from_secs(5),
            ..Default::default()
        });
        set_leader(&snapshot, Some(true));
        // Its last round as leader, long ago; then it stood by.
        snapshot.write().unwrap().last_round = Instant::now().checked_sub(Duration::from_secs(900));
        set_leader(&snapshot, Some(false));
        set_leader(&snapshot, Some(true));
        assert_eq!(snapshot.read().unwrap().alive(Instant::now()), Ok(()));
    }
}
