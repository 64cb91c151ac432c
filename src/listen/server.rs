//! HTTP side of the listener: the webhook route, the health route, and their refusals.
//!
//! Order of checks on the webhook route: body within the body timeout (408) and size (413) →
//! timestamp and signature over the exact bytes (401) → url_validation answer (400 without its
//! plainToken), or hand the body to the writer and answer 200 once it is committed. Nothing
//! refused reaches the writer. An authenticated body that is not a usable event (not UTF-8, not
//! JSON, no event name...) is not refused: it is kept in `rejects` with the reason and answered
//! 200 `{"status":"rejected"}`, since Zoom would only retry it and then drop it.

use super::verify::Verifier;
use super::writer::{Ack, Job, Msg};
use crate::output::sanitize;
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequest, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;
use serde_json::value::RawValue;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tracing::{debug, info, warn};

/// Largest body accepted (Zoom's events are a few KiB).
pub const MAX_BODY: usize = 1 << 20;

/// Counters shown in the shutdown summary (and by `/healthz` when asked to).
#[derive(Debug, Default)]
pub struct Stats {
    /// Authentic event deliveries handed to the writer.
    pub received: AtomicU64,
    pub stored: AtomicU64,
    pub duplicates: AtomicU64,
    pub rejected: AtomicU64,
    pub failed: AtomicU64,
    pub batches: AtomicU64,
    pub url_validations: AtomicU64,
    pub refused_signature: AtomicU64,
    pub refused_timestamp: AtomicU64,
    pub refused_too_large: AtomicU64,
    /// `endpoint.url_validation` without `payload.plainToken`.
    pub refused_bad_challenge: AtomicU64,
    /// Body not received within the body timeout (408).
    pub refused_body_timeout: AtomicU64,
    /// Client connections open now, and the most open at once.
    pub connections_open: AtomicU64,
    pub connections_peak: AtomicU64,
    /// Times a new connection had to wait for a slot (the connection cap was reached).
    pub connection_limit_reached: AtomicU64,
}

impl Stats {
    /// Requests answered 4xx (never stored).
    pub fn refused_total(&self) -> u64 {
        [
            &self.refused_signature,
            &self.refused_timestamp,
            &self.refused_too_large,
            &self.refused_bad_challenge,
            &self.refused_body_timeout,
        ]
        .iter()
        .map(|c| c.load(Relaxed))
        .sum()
    }

    pub fn snapshot(&self) -> serde_json::Value {
        let g = |c: &AtomicU64| c.load(Relaxed);
        json!({
            "received": g(&self.received),
            "stored": g(&self.stored),
            "duplicates": g(&self.duplicates),
            "rejected": g(&self.rejected),
            "failed": g(&self.failed),
            "batches": g(&self.batches),
            "url_validations": g(&self.url_validations),
            "refused": {
                "signature": g(&self.refused_signature),
                "timestamp": g(&self.refused_timestamp),
                "too_large": g(&self.refused_too_large),
                "bad_challenge": g(&self.refused_bad_challenge),
                "body_timeout": g(&self.refused_body_timeout),
            },
            "connections": {
                "open": g(&self.connections_open),
                "peak": g(&self.connections_peak),
                "limit_reached": g(&self.connection_limit_reached),
            },
        })
    }
}

pub struct AppState {
    pub verifier: Verifier,
    pub tx: mpsc::Sender<Msg>,
    pub stats: Arc<Stats>,
    pub started: chrono::DateTime<chrono::Utc>,
    pub body_timeout: Duration,
    /// `/healthz` shows the counters (otherwise only its status).
    pub healthz_counts: bool,
}

pub fn router(state: Arc<AppState>, path: &str) -> Router {
    Router::new()
        .route(path, post(webhook))
        .route("/healthz", get(health))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(state)
}

fn refuse(status: StatusCode, msg: &str) -> Response {
    (status, Json(json!({ "error": msg }))).into_response()
}

/// The envelope field the listener itself needs, to answer url_validation challenges; the writer
/// reads the rest (and keeps what it cannot use in `rejects`).
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(default)]
    event: Option<String>,
    #[serde(borrow, default)]
    payload: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct Challenge {
    #[serde(rename = "plainToken")]
    plain_token: String,
}

async fn webhook(
    State(st): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Request,
) -> Response {
    let timestamp = req.headers().get("x-zm-request-timestamp").cloned();
    let signature = req.headers().get("x-zm-signature").cloned();
    // The headers are in (the connection's header timeout saw to that); the body must follow
    // within the body timeout, or a client trickling it would hold its connection for ever.
    let body = match tokio::time::timeout(st.body_timeout, Bytes::from_request(req, &())).await {
        Err(_) => {
            st.stats.refused_body_timeout.fetch_add(1, Relaxed);
            warn!(
                %peer,
                "refused: body not received within {}s",
                st.body_timeout.as_secs_f64()
            );
            let mut r = refuse(
                StatusCode::REQUEST_TIMEOUT,
                "request body not received in time",
            );
            r.headers_mut().insert(
                header::CONNECTION,
                header::HeaderValue::from_static("close"),
            );
            return r;
        }
        Ok(Ok(b)) => b,
        Ok(Err(e)) => {
            let status = e.status();
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                st.stats.refused_too_large.fetch_add(1, Relaxed);
                warn!(%peer, "refused: body over {MAX_BODY} bytes");
                return refuse(status, "body larger than 1 MiB");
            }
            warn!(%peer, %status, "refused: body could not be read");
            return refuse(status, "request body could not be read");
        }
    };
    let key = match st.verifier.verify(
        timestamp.as_ref().map(|v| v.as_bytes()),
        signature.as_ref().map(|v| v.as_bytes()),
        &body,
    ) {
        Ok(k) => k,
        Err(r) => {
            match r.label() {
                "stale_timestamp" | "bad_timestamp" => &st.stats.refused_timestamp,
                _ => &st.stats.refused_signature,
            }
            .fetch_add(1, Relaxed);
            warn!(%peer, reason = %r, "refused: not authenticated");
            return refuse(StatusCode::UNAUTHORIZED, &r.to_string());
        }
    };
    // Authenticated from here on: whatever it is, Zoom sent it, so it is kept.
    let Ok(text) = std::str::from_utf8(&body) else {
        let raw = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &body);
        let reason = "webhook body is not UTF-8 text (raw holds it base64-encoded)";
        return deliver(
            &st,
            peer,
            "(not UTF-8)".into(),
            key,
            raw,
            Some(reason.into()),
        )
        .await;
    };
    let env = serde_json::from_str::<Envelope>(text).ok();
    let event_name = env.as_ref().and_then(|e| e.event.as_deref());
    if event_name == Some("endpoint.url_validation") {
        let plain = env
            .and_then(|e| e.payload)
            .and_then(|p| serde_json::from_str::<Challenge>(p.get()).ok());
        let Some(Challenge { plain_token }) = plain else {
            st.stats.refused_bad_challenge.fetch_add(1, Relaxed);
            warn!(%peer, "refused: url_validation without payload.plainToken");
            return refuse(
                StatusCode::BAD_REQUEST,
                "endpoint.url_validation without payload.plainToken",
            );
        };
        st.stats.url_validations.fetch_add(1, Relaxed);
        info!(%peer, ?key, "answered endpoint.url_validation");
        let encrypted = st.verifier.encrypted_token(key, &plain_token);
        return Json(json!({ "plainToken": plain_token, "encryptedToken": encrypted }))
            .into_response();
    }
    // Not JSON, or no event name: the writer keeps it in rejects with the parser's reason.
    let event = match event_name {
        Some(e) => sanitize(e).chars().take(80).collect::<String>(),
        None => "(not a Zoom event)".into(),
    };
    deliver(&st, peer, event, key, text.to_owned(), None).await
}

/// Hand an authenticated delivery to the writer and answer once it is committed. With a
/// `reason`, it is kept in `rejects` as it is, not parsed.
async fn deliver(
    st: &AppState,
    peer: SocketAddr,
    event: String,
    key: super::verify::KeyUsed,
    raw: String,
    reason: Option<String>,
) -> Response {
    st.stats.received.fetch_add(1, Relaxed);
    let (ack_tx, ack_rx) = oneshot::channel();
    let job = Job {
        raw,
        reason,
        ack: ack_tx,
    };
    if st.tx.send(Msg::Event(job)).await.is_err() {
        warn!(%peer, event, "refused: shutting down");
        return refuse(StatusCode::SERVICE_UNAVAILABLE, "listener is shutting down");
    }
    match ack_rx.await {
        Ok(Ack::Rejected) => {
            warn!(%peer, event, ?key, "authenticated but unusable: kept in zoom_rejects");
            Json(json!({ "status": "rejected" })).into_response()
        }
        Ok(a @ (Ack::Stored | Ack::Duplicate)) => {
            debug!(%peer, event, ?key, ack = ?a, "event committed");
            let status = match a {
                Ack::Stored => "stored",
                _ => "duplicate",
            };
            Json(json!({ "status": status })).into_response()
        }
        Ok(Ack::Failed) => refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            "event could not be stored; deliver it again",
        ),
        Err(_) => refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            "listener is shutting down; deliver it again",
        ),
    }
}

/// `{"status":"ok"}`; with `healthz_counts`, the counters too (the route is unauthenticated, so
/// they are opt-in).
async fn health(State(st): State<Arc<AppState>>) -> Response {
    if !st.healthz_counts {
        return Json(json!({ "status": "ok" })).into_response();
    }
    let queued = st.tx.max_capacity() - st.tx.capacity();
    let mut v = st.stats.snapshot();
    v["status"] = json!("ok");
    v["queued"] = json!(queued);
    v["since"] = json!(crate::model::time::fmt_utc(st.started));
    Json(v).into_response()
}
