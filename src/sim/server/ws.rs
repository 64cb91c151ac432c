//! Zoom's WebSocket event subscriptions, simulated (`zoomlens sim --ws`).
//!
//! `GET /ws?subscriptionId=ID&access_token=TOKEN` upgrades to a WebSocket. As Zoom does, the
//! server refuses in-band: the first frame is `{"module":"build_connection","success":true}`, or
//! `success:false` with "Token is invalid" (an unknown, expired or revoked token) or "Invalid
//! subscriptionId", then a close. It answers each `{"module":"heartbeat"}` with
//! `{"module":"heartbeat","success":true,"content":"live","header":{}}` and closes a connection
//! that sent none for `idle_timeout`. Events go out as `{"module":"message","content":"<webhook
//! body as a string>","header":{...}}` (signed like a webhook when a secret is set), at `rate` per
//! second, in the tenant's order. A new connection to the subscription closes the old one.
//!
//! One simplification, so a test or a demo gets the whole tenant: the tenant's events are a
//! script that advances only while a consumer is connected (Zoom would drop what happens while
//! nobody is connected). So `delivered` counts each event once, and a consumer that stored
//! every frame it read holds exactly `delivered` events.
//!
//! Faults (`--ws-faults`, drawn per event with probability `--ws-fault-rate`):
//! * `drop` — the connection is cut without a close frame (the TCP stream is shut after what
//!   was sent, so nothing already sent is lost in flight);
//! * `silence` — the server stops answering heartbeats and delivering, as a half-dead
//!   connection does, until the client gives up on it;
//! * `expire` — the connection's token is revoked, Zoom's refusal frame ("Token is invalid") is
//!   sent and the connection closed with 1008: reconnecting with the same token is refused, so
//!   the client must fetch a new one;
//! * `duplicate` — not drawn: every connection after the first begins by sending again the last
//!   `replay` events sent before it (duplicate deliveries after a reconnect).

use super::AppState;
use super::deliver::signature;
use axum::extract::{RawQuery, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::{SinkExt, StreamExt};
use hyper_util::rt::TokioIo;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::time::Instant;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role};

/// The subscription id the simulator serves by default.
pub const DEFAULT_SUBSCRIPTION: &str = "sim-subscription";

/// What a connection can meet (`--ws-faults`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WsFault {
    Drop,
    Silence,
    Expire,
    Duplicate,
}

impl WsFault {
    pub const ALL: [WsFault; 4] = [
        WsFault::Drop,
        WsFault::Silence,
        WsFault::Expire,
        WsFault::Duplicate,
    ];
}

/// How the WebSocket endpoint behaves.
#[derive(Debug, Clone)]
pub struct WsSimConfig {
    pub subscription: String,
    /// Events per second while a consumer is connected.
    pub rate: f64,
    pub faults: Vec<WsFault>,
    /// Chance per event sent that a connection fault (drop, silence, expire) happens instead.
    pub fault_rate: f64,
    /// With `duplicate`: events sent again at the start of each reconnection.
    pub replay: usize,
    /// A connection that sent no heartbeat for this long is closed (Zoom's tolerance is not
    /// documented; three missed 30 s heartbeats).
    pub idle_timeout: Duration,
    /// Sign each frame's `header` as Zoom signs webhooks (`x-zm-signature`), when set.
    pub secret: Option<String>,
}

impl Default for WsSimConfig {
    fn default() -> Self {
        WsSimConfig {
            subscription: DEFAULT_SUBSCRIPTION.into(),
            rate: 100.0,
            faults: Vec::new(),
            fault_rate: 0.0,
            replay: 20,
            idle_timeout: Duration::from_secs(90),
            secret: None,
        }
    }
}

struct Inner {
    /// Events delivered so far (the next one to send).
    cursor: usize,
    /// The connection that owns the subscription now.
    generation: u64,
    rng: ChaCha8Rng,
}

#[derive(Default)]
struct Counters {
    connections: AtomicU64,
    refused: AtomicU64,
    replaced: AtomicU64,
    delivered: AtomicU64,
    duplicates: AtomicU64,
    heartbeats: AtomicU64,
    idle_closed: AtomicU64,
    drop: AtomicU64,
    silence: AtomicU64,
    expire: AtomicU64,
}

/// The endpoint's state: the tenant's events as bodies, the script's position, counters.
pub struct WsState {
    pub cfg: WsSimConfig,
    bodies: Vec<String>,
    inner: Mutex<Inner>,
    generation: tokio::sync::watch::Sender<u64>,
    n: Counters,
}

impl WsState {
    pub fn new(cfg: WsSimConfig, events: &[Value], seed: u64) -> WsState {
        WsState {
            bodies: events.iter().map(|e| e.to_string()).collect(),
            inner: Mutex::new(Inner {
                cursor: 0,
                generation: 0,
                rng: ChaCha8Rng::seed_from_u64(seed ^ 0x0005_0c4e),
            }),
            generation: tokio::sync::watch::channel(0).0,
            cfg,
            n: Counters::default(),
        }
    }

    /// The connection fault (if any) instead of the next event.
    fn draw(&self) -> Option<WsFault> {
        let kinds: Vec<WsFault> = self
            .cfg
            .faults
            .iter()
            .copied()
            .filter(|k| *k != WsFault::Duplicate)
            .collect();
        if self.cfg.fault_rate <= 0.0 || kinds.is_empty() {
            return None;
        }
        let mut g = self.inner.lock().expect("ws lock");
        if g.rng.random::<f64>() >= self.cfg.fault_rate {
            return None;
        }
        Some(kinds[g.rng.random_range(0..kinds.len())])
    }

    fn frame(&self, i: usize) -> String {
        let body = &self.bodies[i];
        let header = match &self.cfg.secret {
            Some(s) => {
                let ts = chrono::Utc::now().timestamp().to_string();
                let sig = signature(s, &ts, body.as_bytes());
                json!({ "x-zm-request-timestamp": ts, "x-zm-signature": sig })
            }
            None => json!({}),
        };
        json!({ "module": "message", "content": body, "header": header }).to_string()
    }

    pub fn stats_json(&self) -> Value {
        let g = |c: &AtomicU64| c.load(Relaxed);
        let n = &self.n;
        json!({
            "subscription": self.cfg.subscription,
            "rate": self.cfg.rate,
            "events": self.bodies.len(),
            "delivered": g(&n.delivered),
            "remaining": self.bodies.len() as u64 - g(&n.delivered),
            "duplicates": g(&n.duplicates),
            "connections": g(&n.connections),
            "refused": g(&n.refused),
            "replaced": g(&n.replaced),
            "idle_closed": g(&n.idle_closed),
            "heartbeats": g(&n.heartbeats),
            "faults": { "drop": g(&n.drop), "silence": g(&n.silence), "expire": g(&n.expire) },
        })
    }
}

/// `GET /ws`: check the upgrade, answer 101, and serve the connection on its own task.
pub async fn handler(
    State(st): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
    req: Request,
) -> Response {
    if st.ws.is_none() {
        return super::ApiError::new(
            StatusCode::NOT_FOUND,
            404,
            "The requested resource does not exist.",
        )
        .into_response();
    }
    let h = req.headers();
    let upgrade = h
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    let Some(key) = h.get(header::SEC_WEBSOCKET_KEY).filter(|_| upgrade) else {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"code": 400, "message": "WebSocket upgrade required."})),
        )
            .into_response();
    };
    let accept = derive_accept_key(key.as_bytes());
    let p = super::paging::query_pairs(query.as_deref());
    let token = p.get("access_token").cloned().unwrap_or_default();
    let sub = p.get("subscriptionId").cloned().unwrap_or_default();
    let on_upgrade = hyper::upgrade::on(req);
    tokio::spawn(async move {
        let Ok(up) = on_upgrade.await else {
            return;
        };
        let ws = WebSocketStream::from_raw_socket(TokioIo::new(up), Role::Server, None).await;
        serve(st, ws, token, sub).await;
    });
    let mut r = StatusCode::SWITCHING_PROTOCOLS.into_response();
    let h = r.headers_mut();
    h.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
    h.insert(header::CONNECTION, HeaderValue::from_static("Upgrade"));
    if let Ok(v) = HeaderValue::from_str(&accept) {
        h.insert(header::SEC_WEBSOCKET_ACCEPT, v);
    }
    r
}

type Socket = WebSocketStream<TokioIo<hyper::upgrade::Upgraded>>;

fn text(v: Value) -> Message {
    Message::text(v.to_string())
}

async fn close(ws: &mut Socket, code: CloseCode, why: &'static str) {
    let _ = ws
        .close(Some(CloseFrame {
            code,
            reason: why.into(),
        }))
        .await;
    // Read until the client answers (or goes), so nothing it sends meets a reset.
    let _ = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(Ok(_)) = ws.next().await {}
    })
    .await;
}

fn is_heartbeat(m: &Message) -> bool {
    let Message::Text(t) = m else {
        return false;
    };
    serde_json::from_str::<Value>(t.as_str())
        .ok()
        .is_some_and(|v| v["module"] == "heartbeat")
}

/// One connection, from `build_connection` to its end.
async fn serve(st: Arc<AppState>, mut ws: Socket, token: String, sub: String) {
    let w = st.ws.as_ref().expect("checked by the handler");
    let refusal = if !st.auth.access_valid(&token) {
        Some("Token is invalid")
    } else if sub != w.cfg.subscription {
        Some("Invalid subscriptionId")
    } else {
        None
    };
    if let Some(why) = refusal {
        w.n.refused.fetch_add(1, Relaxed);
        let _ = ws
            .send(text(
                json!({"module": "build_connection", "success": false, "content": why}),
            ))
            .await;
        close(&mut ws, CloseCode::Policy, why).await;
        return;
    }
    // This connection takes the subscription over; the previous one is closed by its task.
    let (me, replay) = {
        let mut g = w.inner.lock().expect("ws lock");
        g.generation += 1;
        let replay = if g.generation > 1 && w.cfg.faults.contains(&WsFault::Duplicate) {
            g.cursor.saturating_sub(w.cfg.replay)..g.cursor
        } else {
            0..0
        };
        (g.generation, replay)
    };
    w.n.connections.fetch_add(1, Relaxed);
    let _ = w.generation.send(me);
    let mut owner = w.generation.subscribe();
    if ws
        .send(text(json!({"module": "build_connection", "success": true})))
        .await
        .is_err()
    {
        return;
    }
    for i in replay {
        if ws.send(Message::text(w.frame(i))).await.is_err() {
            return;
        }
        w.n.duplicates.fetch_add(1, Relaxed);
    }
    let start = Instant::now();
    let base = w.inner.lock().expect("ws lock").cursor;
    let mut last_beat = Instant::now();
    let mut silent = false;
    loop {
        let cursor = w.inner.lock().expect("ws lock").cursor;
        let more = cursor < w.bodies.len() && !silent;
        let due = start + Duration::from_secs_f64((cursor - base) as f64 / w.cfg.rate.max(1e-9));
        tokio::select! {
            _ = tokio::time::sleep_until(due), if more => {
                // Everything due by now, in one flush.
                let due_now = base
                    + (start.elapsed().as_secs_f64() * w.cfg.rate).floor() as usize
                    + 1;
                let upto = due_now.min(w.bodies.len()).min(cursor + 512).max(cursor + 1);
                let mut sent = 0;
                for i in cursor..upto {
                    match w.draw() {
                        None => {}
                        Some(f) => {
                            // What was fed so far is delivered before the fault.
                            if ws.flush().await.is_ok() {
                                advance(w, cursor + sent);
                            }
                            match f {
                                WsFault::Drop => {
                                    w.n.drop.fetch_add(1, Relaxed);
                                    cut(&mut ws).await;
                                    return;
                                }
                                WsFault::Expire => {
                                    w.n.expire.fetch_add(1, Relaxed);
                                    st.auth.revoke(&token);
                                    let _ = ws.send(text(json!({
                                        "module": "build_connection",
                                        "success": false,
                                        "content": "Token is invalid",
                                    }))).await;
                                    close(&mut ws, CloseCode::Policy, "Token is invalid").await;
                                    return;
                                }
                                WsFault::Silence | WsFault::Duplicate => {
                                    w.n.silence.fetch_add(1, Relaxed);
                                    silent = true;
                                    break;
                                }
                            }
                        }
                    }
                    if ws.feed(Message::text(w.frame(i))).await.is_err() {
                        return;
                    }
                    sent += 1;
                }
                if sent > 0 {
                    if ws.flush().await.is_err() {
                        return;
                    }
                    advance(w, cursor + sent);
                }
            }
            m = ws.next() => match m {
                Some(Ok(m)) if is_heartbeat(&m) => {
                    last_beat = Instant::now();
                    if !silent {
                        w.n.heartbeats.fetch_add(1, Relaxed);
                        let reply = json!({"module": "heartbeat", "success": true, "content": "live", "header": {}});
                        if ws.send(text(reply)).await.is_err() {
                            return;
                        }
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => {
                    // tungstenite has queued the close answer; send it (a silent server
                    // would not, but the client is gone either way).
                    let _ = ws.flush().await;
                    return;
                }
                Some(Ok(_)) => {}
            },
            _ = owner.changed() => {
                if *owner.borrow() != me {
                    w.n.replaced.fetch_add(1, Relaxed);
                    close(&mut ws, CloseCode::Normal, "replaced by a newer connection").await;
                    return;
                }
            }
            _ = tokio::time::sleep_until(last_beat + w.cfg.idle_timeout) => {
                w.n.idle_closed.fetch_add(1, Relaxed);
                close(&mut ws, CloseCode::Away, "no heartbeat").await;
                return;
            }
        }
    }
}

/// Every event before `upto` reached a client. (Should a replaced connection still be sending,
/// the two may send the same events, a duplicate delivery, but never skip one.)
fn advance(w: &WsState, upto: usize) {
    let mut g = w.inner.lock().expect("ws lock");
    g.cursor = g.cursor.max(upto);
    w.n.delivered.store(g.cursor as u64, Relaxed);
}

/// Cut the connection without a close frame: shut the TCP stream after what was sent (so the
/// client reads every frame, then an end without a closing handshake), and drain what the
/// client still sends so the kernel does not answer it with a reset.
async fn cut(ws: &mut Socket) {
    let _ = ws.flush().await;
    let _ = ws.get_mut().shutdown().await;
    let _ = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(Ok(_)) = ws.next().await {}
    })
    .await;
}
