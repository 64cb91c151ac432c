//! Fault injection: what a client must survive against the real Zoom.
//!
//! Each `/v2` request that passed auth and the rate limiter draws from a ChaCha RNG seeded with
//! `--seed`; with probability `--fault-rate` it meets one fault from the enabled kinds. The same
//! request sequence meets the same faults. Faults only change answers: the tenant is read-only.
//! `/oauth/token` sees only 503s, at a twentieth of the rate.

use super::AppState;
use super::ratelimit::QPS_MESSAGE;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};
use std::sync::Mutex;
use std::time::Duration;

/// The kinds of fault (`--fault-kinds`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FaultKind {
    /// 500, 502, 503 or 504 with a Zoom-like (or gateway HTML) body.
    ServerError,
    /// A burst of consecutive 429s (this request and the next few), like the per-second limit's.
    Storm,
    /// The connection is dropped without a complete answer.
    Reset,
    /// The answer comes only after a delay (`--slow-ms`).
    Slow,
    /// 200 with the JSON body cut in half.
    Truncated,
    /// 200 with a body that is not valid JSON.
    Malformed,
    /// The caller's access token is revoked: this and later calls with it get 401 / 124.
    Revoke,
}

impl FaultKind {
    pub const ALL: [FaultKind; 7] = [
        FaultKind::ServerError,
        FaultKind::Storm,
        FaultKind::Reset,
        FaultKind::Slow,
        FaultKind::Truncated,
        FaultKind::Malformed,
        FaultKind::Revoke,
    ];
    fn name(self) -> &'static str {
        match self {
            FaultKind::ServerError => "server_error",
            FaultKind::Storm => "storm",
            FaultKind::Reset => "reset",
            FaultKind::Slow => "slow",
            FaultKind::Truncated => "truncated",
            FaultKind::Malformed => "malformed",
            FaultKind::Revoke => "revoke",
        }
    }
}

/// One drawn fault.
#[derive(Debug, Clone, Copy)]
pub enum Fault {
    ServerError(u16),
    Storm,
    Reset,
    Slow,
    Truncated,
    Malformed,
    Revoke,
}

struct Inner {
    rng: ChaCha8Rng,
    /// 429s still owed by the current storm.
    storm_left: u32,
    counts: [u64; 7],
}

pub struct Injector {
    rate: f64,
    kinds: Vec<FaultKind>,
    slow: Duration,
    inner: Mutex<Inner>,
}

impl Injector {
    pub fn new(rate: f64, kinds: Vec<FaultKind>, seed: u64, slow: Duration) -> Injector {
        Injector {
            rate,
            kinds,
            slow,
            inner: Mutex::new(Inner {
                rng: ChaCha8Rng::seed_from_u64(seed ^ 0x5a17_fa17),
                storm_left: 0,
                counts: [0; 7],
            }),
        }
    }

    fn count(g: &mut Inner, k: FaultKind) {
        g.counts[FaultKind::ALL.iter().position(|x| *x == k).unwrap_or(0)] += 1;
    }

    /// The fault (if any) for the next `/v2` request.
    pub fn draw(&self) -> Option<Fault> {
        let mut g = self.inner.lock().expect("fault lock");
        if g.storm_left > 0 {
            g.storm_left -= 1;
            Self::count(&mut g, FaultKind::Storm);
            return Some(Fault::Storm);
        }
        if self.rate <= 0.0 || self.kinds.is_empty() || g.rng.random::<f64>() >= self.rate {
            return None;
        }
        let kind = self.kinds[g.rng.random_range(0..self.kinds.len())];
        Self::count(&mut g, kind);
        Some(match kind {
            FaultKind::ServerError => {
                Fault::ServerError([500, 502, 503, 504][g.rng.random_range(0..4)])
            }
            FaultKind::Storm => {
                g.storm_left = g.rng.random_range(2..=7);
                Fault::Storm
            }
            FaultKind::Reset => Fault::Reset,
            FaultKind::Slow => Fault::Slow,
            FaultKind::Truncated => Fault::Truncated,
            FaultKind::Malformed => Fault::Malformed,
            FaultKind::Revoke => Fault::Revoke,
        })
    }

    /// The token endpoint fails rarely: a 503 at a twentieth of the fault rate.
    pub fn draw_token(&self) -> Option<Fault> {
        if self.rate <= 0.0 || !self.kinds.contains(&FaultKind::ServerError) {
            return None;
        }
        let mut g = self.inner.lock().expect("fault lock");
        if g.rng.random::<f64>() < self.rate / 20.0 {
            Self::count(&mut g, FaultKind::ServerError);
            Some(Fault::ServerError(503))
        } else {
            None
        }
    }

    pub fn stats_json(&self) -> Value {
        let g = self.inner.lock().expect("fault lock");
        let mut m = serde_json::Map::new();
        for (k, n) in FaultKind::ALL.iter().zip(g.counts) {
            m.insert(k.name().into(), json!(n));
        }
        m.insert("rate".into(), json!(self.rate));
        Value::Object(m)
    }
}

fn html(status: StatusCode, title: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html")],
        format!(
            "<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n</body>\r\n</html>\r\n"
        ),
    )
        .into_response()
}

impl IntoResponse for Fault {
    /// The answer of a fault that needs no handler output.
    fn into_response(self) -> Response {
        match self {
            Fault::ServerError(500) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                axum::Json(json!({"code": 500, "message": "Internal Error."})),
            )
                .into_response(),
            Fault::ServerError(502) => html(StatusCode::BAD_GATEWAY, "502 Bad Gateway"),
            Fault::ServerError(504) => html(StatusCode::GATEWAY_TIMEOUT, "504 Gateway Time-out"),
            Fault::ServerError(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(json!({"code": 503, "message": "Service Temporarily Unavailable. Please try again later."})),
            )
                .into_response(),
            Fault::Reset => {
                // A body that fails before its first byte: hyper drops the connection, so the
                // client sees a reset or an incomplete message instead of an answer.
                let stream = futures::stream::once(async {
                    Err::<Bytes, std::io::Error>(std::io::Error::new(
                        std::io::ErrorKind::ConnectionReset,
                        "simulated connection reset",
                    ))
                });
                Response::builder()
                    .status(StatusCode::OK)
                    .header(header::CONTENT_TYPE, "application/json;charset=UTF-8")
                    .body(Body::from_stream(stream))
                    .expect("static response")
            }
            Fault::Revoke => super::ApiError::invalid_token().into_response(),
            // Storm answers are built in `apply` (they carry a category); the rest need the
            // handler's answer.
            _ => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        }
    }
}

/// Answer one request that drew `fault`.
pub async fn apply(st: &AppState, fault: Fault, token: &str, req: Request, next: Next) -> Response {
    match fault {
        Fault::Storm => {
            let mut r = (
                StatusCode::TOO_MANY_REQUESTS,
                axum::Json(json!({"code": 429, "message": QPS_MESSAGE})),
            )
                .into_response();
            let h = r.headers_mut();
            h.insert("X-RateLimit-Type", HeaderValue::from_static("QPS"));
            h.insert("X-RateLimit-Remaining", HeaderValue::from(0));
            h.insert("Retry-After", HeaderValue::from(1));
            r
        }
        Fault::Revoke => {
            st.auth.revoke(token);
            fault.into_response()
        }
        Fault::Slow => {
            tokio::time::sleep(st.faults.slow).await;
            next.run(req).await
        }
        Fault::Truncated | Fault::Malformed => {
            let resp = next.run(req).await;
            if resp.status() != StatusCode::OK {
                return resp;
            }
            let (mut parts, body) = resp.into_parts();
            let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            };
            let bad: Vec<u8> = if matches!(fault, Fault::Truncated) {
                bytes[..bytes.len() / 2].to_vec()
            } else {
                // Valid length, invalid JSON: an object that never closes its last member.
                let mut v = bytes[..bytes.len().saturating_sub(1)].to_vec();
                v.extend_from_slice(b",\"\x00");
                v
            };
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::from(bad))
        }
        Fault::ServerError(_) | Fault::Reset => fault.into_response(),
    }
}
