//! The HTTP side of `watch`: `/metrics` in Prometheus' text format, `/healthz` (rounds keep
//! finishing), `/readyz` (a round checked every context within three intervals), and, with
//! `--serve-report`, `/report`, the latest JSON report. Plain HTTP/1.1 on hyper; nothing else is served.

use std::convert::Infallible;
use std::sync::{Arc, RwLock};

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;

use super::Snapshot;

/// Accepts connections until the task is aborted.
pub async fn serve(listener: tokio::net::TcpListener, snapshot: Arc<RwLock<Snapshot>>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let snapshot = snapshot.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let snapshot = snapshot.clone();
                async move { Ok::<_, Infallible>(answer(&request, &snapshot)) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
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
