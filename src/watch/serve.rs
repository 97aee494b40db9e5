//! The HTTP side of `watch`: `/metrics` in Prometheus' text format, `/healthz` (rounds keep
//! finishing), `/readyz` (a round checked every context within three intervals), and, with
//! `--serve-report`, `/report`, the latest JSON report. Plain HTTP/1.1 on hyper; nothing else is served.
//!
//! The port is bounded so that idle or slow clients cannot take it, or the process's file
//! descriptors, from the scrapes and the rounds: at most [`MAX_CONNECTIONS`] at once (one
//! more is closed at once), [`HEADER_READ_TIMEOUT`] to send a request's head (on a new or
//! an idle kept-alive connection), [`MAX_CONNECTION_TIME`] in all, and accept errors
//! (`EMFILE`: out of file descriptors) waited out with a growing pause instead of retried
//! at once.

use std::convert::Infallible;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;

use super::Snapshot;

/// Connections served at once; Prometheus needs one per scraper.
pub const MAX_CONNECTIONS: usize = 128;

/// How long a client has to send a request's head, from connecting or from the answer
/// before on a kept-alive connection.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);

/// The longest one connection is kept, however busy.
pub const MAX_CONNECTION_TIME: Duration = Duration::from_secs(60);

/// The longest pause after failed accepts.
const MAX_ACCEPT_PAUSE: Duration = Duration::from_secs(1);

/// Accepts connections until the task is aborted.
pub async fn serve(listener: tokio::net::TcpListener, snapshot: Arc<RwLock<Snapshot>>) {
    let permits = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    let mut pause = Duration::ZERO;
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => {
                pause = Duration::ZERO;
                stream
            }
            Err(_) => {
                // Out of file descriptors, most likely: retrying at once would spin, and the
                // descriptors come back only as connections and rounds finish.
                pause = (pause * 2).clamp(Duration::from_millis(10), MAX_ACCEPT_PAUSE);
                tokio::time::sleep(pause).await;
                continue;
            }
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            // Full: closed now, so it holds no descriptor and waits in no queue.
            drop(stream);
            continue;
        };
        let snapshot = snapshot.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let snapshot = snapshot.clone();
                async move { Ok::<_, Infallible>(answer(&request, &snapshot)) }
            });
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service);
            let _ = tokio::time::timeout(MAX_CONNECTION_TIME, connection).await;
            drop(permit);
        });
    }
}

fn answer<B>(request: &Request<B>, snapshot: &RwLock<Snapshot>) -> Response<Full<Bytes>> {
    let shared = snapshot.read().unwrap_or_else(|e| e.into_inner());
    let (status, content_type, body) = match request.uri().path() {
        "/metrics" => (
            StatusCode::OK,
            "text/plain; version=0.0.4; charset=utf-8",
            match shared.leader {
                Some(leader) => format!(
                    "{}# HELP kubectl_drift_leader 1 when this replica holds the lease and runs rounds, 0 on a standby.\n# TYPE kubectl_drift_leader gauge\nkubectl_drift_leader{} {}\n",
                    shared.metrics,
                    shared.process_labels,
                    u8::from(leader)
                ),
                None => shared.metrics.clone(),
            },
        ),
        "/healthz" | "/readyz" => {
            let now = std::time::Instant::now();
            let state = if request.uri().path() == "/healthz" {
                shared.alive(now)
            } else {
                shared.ready(now)
            };
            match state {
                Ok(()) => (StatusCode::OK, "text/plain", "ok\n".to_string()),
                Err(why) => (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "text/plain",
                    format!("{why}\n"),
                ),
            }
        }
        "/report" if !shared.serve_report => (
            StatusCode::NOT_FOUND,
            "text/plain",
            "not served: start watch with --serve-report to serve the report\n".to_string(),
        ),
        "/report" => match &shared.report_json {
            Some(json) => (StatusCode::OK, "application/json", json.clone()),
            None => (
                StatusCode::SERVICE_UNAVAILABLE,
                "text/plain",
                "no round has finished yet\n".to_string(),
            ),
        },
        _ => (
            StatusCode::NOT_FOUND,
            "text/plain",
            "not found: try /metrics, /healthz, /readyz or /report\n".to_string(),
        ),
    };
    Response::builder()
        .status(status)
        .header("content-type", content_type)
        .body(Full::new(Bytes::from(body)))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}
