//! `zoomlens listen CASE --websocket --subscription ID`: Zoom's WebSocket event subscriptions.
//!
//! The app connects out, so no public endpoint is needed: `wss://ws.zoom.us/ws?subscriptionId=
//! ID&access_token=TOKEN` with a Server-to-Server token (the token is in the URL, so no log line
//! ever shows the URL). Zoom answers `{"module":"build_connection","success":true}`, or
//! `success:false` on an open socket when it refuses the token or the subscription (the text has
//! changed over the years, so only `success` is read). The client sends `{"module":"heartbeat"}`
//! every 30 s; an unanswered heartbeat means a dead connection. Events arrive as
//! `{"module":"message","content":"<webhook body as a string>"}` and go through the HTTP
//! listener's writer, so they are stored and normalised exactly as webhook deliveries are, and a
//! redelivery is stored once.
//!
//! Zoom neither acknowledges nor retries over a WebSocket, and buffers nothing while no
//! connection is open: every disconnection is a gap, kept in the case with its reason (see
//! [`crate::store::feed`]) so the analyst knows what to backfill with `sync`. So reconnection is
//! prompt (exponential backoff with jitter after failures, none after a planned token renewal),
//! and the token is renewed before it expires rather than after Zoom refuses it. Zoom allows one
//! connection per subscription, a new one knocking the old off, so one consumer per (case,
//! subscription) is enforced with an exclusive lock beside the case that the kernel releases
//! when its holder dies, even by SIGKILL.

use super::Stats;
use super::writer::{self, Ack, Job, Msg};
use crate::output::sanitize;
use crate::store::feed::{FeedGap, FeedHealth};
use crate::zoom::ApiError;
use crate::zoom::auth::{Credentials, TokenSource};
use crate::zoom::retry::RetryPolicy;
use anyhow::{Context, Result, anyhow, bail};
use chrono::{DateTime, Utc};
use futures::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot, watch};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tracing::{debug, info};

/// Zoom's WebSocket endpoint (the part of the app's "WebSocket EndPoint URL" before `?`).
pub const DEFAULT_WS_BASE: &str = "wss://ws.zoom.us/ws";

/// The heartbeat Zoom asks for.
pub const HEARTBEAT: Duration = Duration::from_secs(30);

/// The one frame the client sends.
const HEARTBEAT_FRAME: &str = r#"{"module":"heartbeat"}"#;

/// How often an event that could not be committed is handed to the writer again before the
/// listener gives up (nothing else would ever deliver it again).
const STORE_ATTEMPTS: u32 = 5;

/// Timings of the connection. `Default` is what `zoomlens listen --websocket` runs with.
#[derive(Clone, Debug)]
pub struct WsOptions {
    /// Send a heartbeat this often.
    pub heartbeat: Duration,
    /// A heartbeat not answered within this long means the connection is dead.
    pub heartbeat_timeout: Duration,
    /// Connecting (TCP, TLS, upgrade) and Zoom's `build_connection` answer must take no longer.
    pub connect_timeout: Duration,
    /// After we close, how long to keep reading (and storing) what Zoom sent before it saw
    /// the close.
    pub close_timeout: Duration,
    /// Backoff between failed attempts: exponential from `backoff_base`, at most `backoff_cap`,
    /// half of each step random.
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    /// How often progress is reported and the feed's health rewritten in the case.
    pub progress_every: Duration,
}

impl Default for WsOptions {
    fn default() -> Self {
        WsOptions {
            heartbeat: HEARTBEAT,
            heartbeat_timeout: Duration::from_secs(15),
            connect_timeout: Duration::from_secs(20),
            close_timeout: Duration::from_secs(3),
            backoff_base: Duration::from_secs(1),
            backoff_cap: Duration::from_secs(60),
            progress_every: Duration::from_secs(10),
        }
    }
}

/// Everything [`run`] needs.
pub struct WsConfig {
    pub case: PathBuf,
    pub subscription: String,
    /// e.g. `wss://ws.zoom.us/ws`; `subscriptionId` and `access_token` are appended.
    pub ws_base: String,
    pub oauth_base: String,
    pub credentials: Credentials,
    pub options: WsOptions,
}

/// What the feed reports as it goes (the command layer prints it).
#[derive(Debug, Clone)]
pub enum Progress {
    /// Zoom accepted a connection.
    Connected { reconnect: bool },
    /// The connection ended or could not be made; the next attempt is in `retry_in`.
    Disconnected { reason: String, retry_in: Duration },
    /// The periodic health report (also written to the case).
    Tick(Box<FeedHealth>),
}

/// A subscription id as typed, or the whole "WebSocket EndPoint URL" copied from the app's page
/// (then its base is returned too).
pub fn parse_subscription(s: &str) -> Result<(String, Option<String>)> {
    let s = s.trim();
    if s.starts_with("wss://") || s.starts_with("ws://") {
        let u = url::Url::parse(s).context("--subscription looks like a URL but is not one")?;
        let id = u
            .query_pairs()
            .find(|(k, _)| k == "subscriptionId")
            .map(|(_, v)| v.into_owned())
            .context(
                "--subscription URL has no subscriptionId=...; copy the app's whole \
                 WebSocket EndPoint URL, or give the id alone",
            )?;
        let mut base = u.clone();
        base.set_query(None);
        check_id(&id)?;
        return Ok((id, Some(base.to_string())));
    }
    check_id(s)?;
    Ok((s.to_string(), None))
}

fn check_id(id: &str) -> Result<()> {
    let ok = !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !ok {
        bail!(
            "--subscription {:?} is not a WebSocket subscription id (letters, digits, - and _, \
             as in the subscriptionId= of the app's WebSocket EndPoint URL)",
            sanitize(id)
        );
    }
    Ok(())
}

/// Check a `ZOOM_WS_BASE` before anything connects.
pub fn check_base(base: &str) -> Result<()> {
    let u = url::Url::parse(base).with_context(|| {
        format!(
            "ZOOM_WS_BASE / --ws-base {:?} is not a URL; Zoom's is {DEFAULT_WS_BASE}",
            sanitize(base)
        )
    })?;
    if !matches!(u.scheme(), "ws" | "wss") {
        bail!(
            "ZOOM_WS_BASE / --ws-base must be a ws:// or wss:// URL (Zoom's is {DEFAULT_WS_BASE})"
        );
    }
    if u.query().is_some() {
        bail!(
            "ZOOM_WS_BASE / --ws-base must not carry a query; give the subscription with --subscription"
        );
    }
    Ok(())
}

/// Replace what follows `access_token=` so no message can carry the token.
pub fn redact(s: &str) -> String {
    const KEY: &str = "access_token=";
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find(KEY) {
        out.push_str(&rest[..i + KEY.len()]);
        out.push_str("<redacted>");
        rest = &rest[i + KEY.len()..];
        let end = rest
            .find(|c: char| c == '&' || c == '"' || c == '\'' || c.is_whitespace())
            .unwrap_or(rest.len());
        rest = &rest[end..];
    }
    out.push_str(rest);
    sanitize(&out).into_owned()
}

/// The exclusive claim on (case, subscription): a lock file beside the case, locked with
/// `flock`, which the kernel drops when the holder exits however it exits.
pub struct FeedLock {
    _file: std::fs::File,
    pub path: PathBuf,
}

impl FeedLock {
    pub fn path_for(case: &Path, subscription: &str) -> PathBuf {
        let name = case
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "case".into());
        case.with_file_name(format!("{name}.ws-{subscription}.lock"))
    }

    pub fn acquire(case: &Path, subscription: &str) -> Result<FeedLock> {
        use std::io::{Read, Seek, Write};
        let path = Self::path_for(case, subscription);
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .with_context(|| {
                format!(
                    "cannot create the consumer lock {} beside the case (is its folder writable?)",
                    path.display()
                )
            })?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = holder.trim();
                bail!(
                    "another `zoomlens listen --websocket` is already consuming subscription {} \
                     into {}{}; Zoom keeps one connection per subscription and a second would \
                     knock the first off, so stop that one first (or use another case)",
                    subscription,
                    case.display(),
                    if holder.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", sanitize(holder))
                    }
                );
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("cannot lock {}", path.display()));
            }
        }
        file.set_len(0)?;
        file.rewind()?;
        writeln!(
            file,
            "pid {} since {}",
            std::process::id(),
            crate::model::time::fmt_utc(Utc::now())
        )?;
        Ok(FeedLock { _file: file, path })
    }
}

fn now_s() -> String {
    crate::model::time::fmt_utc(Utc::now())
}

fn secs_between(a: &str, b: DateTime<Utc>) -> f64 {
    crate::model::time::parse_time(a)
        .map(|a| ((b - a).num_milliseconds() as f64 / 1000.0).max(0.0))
        .unwrap_or(0.0)
}

/// One frame from Zoom, read.
#[derive(Debug, PartialEq)]
enum Frame {
    /// A webhook body to store; with a reason it goes to the rejects as it is.
    Event {
        raw: String,
        reason: Option<String>,
    },
    Heartbeat {
        success: bool,
    },
    Build {
        success: bool,
        content: String,
    },
    Other(String),
}

#[derive(Deserialize)]
struct Wire<'a> {
    #[serde(default)]
    module: Option<String>,
    #[serde(default)]
    success: Option<bool>,
    #[serde(borrow, default)]
    content: Option<&'a RawValue>,
}

fn parse_frame(text: &str) -> Frame {
    let Ok(w) = serde_json::from_str::<Wire>(text) else {
        return Frame::Event {
            raw: text.to_string(),
            reason: Some("WebSocket frame is not JSON".into()),
        };
    };
    let content_str = || {
        w.content
            .and_then(|c| serde_json::from_str::<String>(c.get()).ok())
    };
    match w.module.as_deref() {
        Some("message") => match (content_str(), w.content) {
            // The webhook body, serialised into a string: parse twice.
            (Some(s), _) => Frame::Event {
                raw: s,
                reason: None,
            },
            // Should Zoom ever send the body as an object, it is the body all the same.
            (None, Some(c)) if c.get().starts_with('{') => Frame::Event {
                raw: c.get().to_string(),
                reason: None,
            },
            _ => Frame::Event {
                raw: text.to_string(),
                reason: Some("WebSocket message frame without a content body".into()),
            },
        },
        Some("heartbeat") => Frame::Heartbeat {
            success: w.success != Some(false),
        },
        Some("build_connection") => Frame::Build {
            success: w.success == Some(true),
            content: content_str().unwrap_or_default(),
        },
        other => Frame::Other(other.unwrap_or("(none)").chars().take(40).collect()),
    }
}

/// The event's own time, for the health report.
fn event_time(raw: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct Ts {
        event_ts: Option<serde_json::Number>,
    }
    let ms = serde_json::from_str::<Ts>(raw).ok()?.event_ts?.as_i64()?;
    DateTime::from_timestamp_millis(ms).map(crate::model::time::fmt_utc)
}

/// An event handed to the writer, awaiting its commit.
struct Pending {
    ack: oneshot::Receiver<Ack>,
    raw: String,
    reason: Option<String>,
    event_time: Option<String>,
    attempts: u32,
}

/// What the ack collector learnt, read by the health reports.
#[derive(Default)]
struct Live {
    last_event_at: Option<String>,
    last_event_time: Option<String>,
    fatal: Option<String>,
}

/// Awaits commits in order: an event counts as received only here. An event that could not be
/// committed is handed back to the writer a few times, since Zoom will never send it again;
/// after that the listener stops rather than drop events silently.
async fn collect_acks(
    mut rx: mpsc::UnboundedReceiver<Pending>,
    tx: mpsc::Sender<Msg>,
    live: Arc<Mutex<Live>>,
    stop: watch::Sender<bool>,
) {
    let mut queue = std::collections::VecDeque::new();
    loop {
        let mut p = match queue.pop_front() {
            Some(p) => p,
            None => match rx.recv().await {
                Some(p) => p,
                None => return,
            },
        };
        let a = (&mut p.ack).await;
        match a {
            Ok(Ack::Stored | Ack::Duplicate | Ack::Rejected) => {
                let mut l = live.lock().expect("live lock");
                l.last_event_at = Some(now_s());
                if p.event_time.is_some() {
                    l.last_event_time = p.event_time.take();
                }
            }
            Ok(Ack::Failed) if p.attempts < STORE_ATTEMPTS => {
                tokio::time::sleep(Duration::from_millis(200 * u64::from(p.attempts))).await;
                let (ack_tx, ack_rx) = oneshot::channel();
                let job = Job {
                    raw: p.raw.clone(),
                    reason: p.reason.clone(),
                    ack: ack_tx,
                };
                if tx.send(Msg::Event(job)).await.is_err() {
                    fail(&live, &stop, "the case writer stopped".into());
                    return;
                }
                p.ack = ack_rx;
                p.attempts += 1;
                queue.push_front(p);
            }
            Ok(Ack::Failed) => {
                fail(
                    &live,
                    &stop,
                    format!(
                        "an event could not be committed after {STORE_ATTEMPTS} attempts \
                         (is the disk full or the case locked?); stopping so no more are lost"
                    ),
                );
                return;
            }
            Err(_) => {
                fail(&live, &stop, "the case writer stopped".into());
                return;
            }
        }
    }
}

fn fail(live: &Mutex<Live>, stop: &watch::Sender<bool>, why: String) {
    live.lock().expect("live lock").fatal.get_or_insert(why);
    let _ = stop.send(true);
}

/// Resolves once stopping is asked for (holding no borrow of the flag across an await).
async fn stopped(rx: &mut watch::Receiver<bool>) {
    let _ = rx.wait_for(|s| *s).await;
}

/// Why a connection ended.
enum End {
    /// Shutdown was asked for; closed cleanly.
    Stop,
    /// Closed by us to reconnect with a fresh token.
    Renew,
    /// Zoom refused the connection (`success: false`), with its text.
    Refused(String),
    /// Anything else: closed by Zoom, dropped, dead (unanswered heartbeat), an error.
    Lost(String),
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The state of one run shared by the connection loop and the progress task.
struct Shared {
    stats: Arc<Stats>,
    live: Arc<Mutex<Live>>,
    health: Mutex<FeedHealth>,
    /// Counters at the previous progress report, for events per second.
    last_tick: Mutex<(Instant, u64)>,
    stored_before: u64,
}

impl Shared {
    /// The health row as of now.
    fn snapshot(&self) -> FeedHealth {
        let mut h = self.health.lock().expect("health lock").clone();
        let s = &self.stats;
        h.stored = s.stored.load(Relaxed);
        h.duplicates = s.duplicates.load(Relaxed);
        h.rejected = s.rejected.load(Relaxed);
        h.stored_total = self.stored_before + h.stored;
        let l = self.live.lock().expect("live lock");
        h.last_event_at = l.last_event_at.clone().or(h.last_event_at);
        h.last_event_time = l.last_event_time.clone().or(h.last_event_time);
        h.updated_at = now_s();
        h
    }

    fn committed(&self) -> u64 {
        let s = &self.stats;
        s.stored.load(Relaxed) + s.duplicates.load(Relaxed) + s.rejected.load(Relaxed)
    }

    fn tick(&self) -> FeedHealth {
        let mut h = self.snapshot();
        let n = self.committed();
        let mut t = self.last_tick.lock().expect("tick lock");
        let secs = t.0.elapsed().as_secs_f64();
        if secs > 0.0 {
            h.events_per_sec = (n.saturating_sub(t.1)) as f64 / secs;
        }
        *t = (Instant::now(), n);
        self.health.lock().expect("health lock").events_per_sec = h.events_per_sec;
        h
    }

    fn set(&self, f: impl FnOnce(&mut FeedHealth)) {
        f(&mut self.health.lock().expect("health lock"));
    }
}

/// Run the feed until `shutdown` completes (or the case cannot be written), then store
/// everything received, mark the feed stopped and return its health.
pub async fn run(
    cfg: WsConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
    progress: Arc<dyn Fn(Progress) + Send + Sync>,
) -> Result<FeedHealth> {
    check_base(&cfg.ws_base)?;
    check_id(&cfg.subscription)?;
    let opts = cfg.options.clone();
    anyhow::ensure!(
        !opts.heartbeat.is_zero() && !opts.heartbeat_timeout.is_zero(),
        "the heartbeat interval and timeout must be longer than zero"
    );
    let store = crate::store::Store::open(&cfg.case)?;
    let lock = FeedLock::acquire(&cfg.case, &cfg.subscription)?;
    debug!(lock = %lock.path.display(), "consumer lock held");
    store.conn.pragma_update(None, "synchronous", "FULL")?;
    let prev = crate::store::feed::load(&store.conn, "websocket", &cfg.subscription)?;
    let source = format!("websocket:{}", cfg.subscription);
    // Counted from the case, not carried over: a run killed between two health rows has
    // committed more than its last row says.
    let stored_before: i64 = store.conn.query_row(
        "SELECT COUNT(*) FROM webhook_events w JOIN origins o ON o.id = w.origin_id
         WHERE o.source = ?1",
        [&source],
        |r| r.get(0),
    )?;
    let stored_before = stored_before as u64;
    let stats = Arc::new(Stats::default());
    let (tx, rx) = mpsc::channel(super::QUEUE);
    let writer = writer::spawn(store, source, stats.clone(), rx)?;

    let started = now_s();
    let mut health = FeedHealth {
        kind: "websocket".into(),
        subscription: cfg.subscription.clone(),
        state: "connecting".into(),
        started_at: started.clone(),
        updated_at: started.clone(),
        update_every_secs: opts.progress_every.as_secs_f64(),
        ..FeedHealth::default()
    };
    // Down since: the previous run's last word, if this feed ran before.
    let mut down: Option<(String, String)> = None;
    if let Some(p) = prev {
        health.gap_count = p.gap_count;
        health.gap_seconds = p.gap_seconds;
        health.gaps = p.gaps;
        health.last_event_at = p.last_event_at;
        health.last_event_time = p.last_event_time;
        down = Some((
            p.updated_at,
            if p.state == "stopped" {
                "listener not running".into()
            } else {
                "listener not running (the previous one ended without stopping)".into()
            },
        ));
    }
    let live = Arc::new(Mutex::new(Live::default()));
    let shared = Arc::new(Shared {
        stats: stats.clone(),
        live: live.clone(),
        health: Mutex::new(health),
        last_tick: Mutex::new((Instant::now(), 0)),
        stored_before,
    });

    let (stop_tx, stop_rx) = watch::channel(false);
    {
        let stop_tx = stop_tx.clone();
        tokio::spawn(async move {
            shutdown.await;
            let _ = stop_tx.send(true);
        });
    }
    let (pending_tx, pending_rx) = mpsc::unbounded_channel();
    let collector = tokio::spawn(collect_acks(
        pending_rx,
        tx.clone(),
        live.clone(),
        stop_tx.clone(),
    ));
    let ticker = {
        let shared = shared.clone();
        let tx = tx.clone();
        let progress = progress.clone();
        let every = opts.progress_every;
        tokio::spawn(async move {
            let mut t = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
            t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                t.tick().await;
                let h = shared.tick();
                if tx.send(Msg::Feed(Box::new(h.clone()))).await.is_err() {
                    return;
                }
                progress(Progress::Tick(Box::new(h)));
            }
        })
    };

    let http = reqwest::Client::builder()
        .timeout(crate::zoom::DEFAULT_TIMEOUT)
        .connect_timeout(Duration::from_secs(10))
        .user_agent(concat!("zoomlens/", env!("CARGO_PKG_VERSION")))
        .build()?;
    let tokens = TokenSource::new(http, &cfg.oauth_base, cfg.credentials.clone())
        .prefer_client_credentials();
    let mut conn = Conn {
        tx: tx.clone(),
        pending: pending_tx,
        stats: stats.clone(),
        opts: opts.clone(),
        stop: stop_rx.clone(),
    };
    let result = connection_loop(&cfg, &tokens, &mut conn, &shared, &mut down, &progress).await;

    // Wind down: every event read is committed (or failed) before the writer drains.
    ticker.abort();
    drop(conn);
    let _ = collector.await;
    let now = Utc::now();
    if let Some((from, reason)) = down.take() {
        let seconds = secs_between(&from, now);
        shared.set(|h| {
            h.add_gap(FeedGap {
                from,
                to: crate::model::time::fmt_utc(now),
                seconds,
                reason: format!("{reason}; then stopped"),
            })
        });
    }
    shared.set(|h| {
        h.state = "stopped".into();
        h.connected_since = None;
    });
    let fin = shared.snapshot();
    let _ = tx.send(Msg::Feed(Box::new(fin.clone()))).await;
    let _ = tx.send(Msg::Drain).await;
    drop(tx);
    let written = tokio::task::spawn_blocking(move || writer.join())
        .await?
        .map_err(|_| anyhow!("the case writer panicked"))?;
    written?;
    drop(lock);
    if let Some(why) = live.lock().expect("live lock").fatal.clone() {
        bail!("{why}");
    }
    result?;
    info!("stopped; every event received is in the case");
    Ok(fin)
}

/// The sending side of one run: to the writer, and to the ack collector.
struct Conn {
    tx: mpsc::Sender<Msg>,
    pending: mpsc::UnboundedSender<Pending>,
    stats: Arc<Stats>,
    opts: WsOptions,
    stop: watch::Receiver<bool>,
}

impl Conn {
    fn stopping(&self) -> bool {
        *self.stop.borrow()
    }

    /// Hand one event to the writer; it counts once committed (see [`collect_acks`]).
    async fn event(&self, raw: String, reason: Option<String>) -> Result<(), End> {
        self.stats.received.fetch_add(1, Relaxed);
        let event_time = event_time(&raw);
        let (ack_tx, ack_rx) = oneshot::channel();
        let job = Job {
            raw: raw.clone(),
            reason: reason.clone(),
            ack: ack_tx,
        };
        if self.tx.send(Msg::Event(job)).await.is_err() {
            return Err(End::Lost("the case writer stopped".into()));
        }
        let _ = self.pending.send(Pending {
            ack: ack_rx,
            raw,
            reason,
            event_time,
            attempts: 1,
        });
        Ok(())
    }

    /// Act on one text frame. `Some` ends the connection.
    async fn text(&self, text: &str, answered: &mut Option<Instant>) -> Option<End> {
        match parse_frame(text) {
            Frame::Event { raw, reason } => self.event(raw, reason).await.err(),
            Frame::Heartbeat { success: true } => {
                *answered = None;
                None
            }
            Frame::Heartbeat { success: false } => Some(End::Lost(
                "Zoom answered the heartbeat with success: false".into(),
            )),
            Frame::Build { success: true, .. } => None,
            Frame::Build {
                success: false,
                content,
            } => Some(End::Refused(content)),
            Frame::Other(m) => {
                debug!(module = %sanitize(&m), "ignored a frame of another module");
                None
            }
        }
    }

    /// Close from our side, then store what Zoom sent before it saw the close.
    async fn close(&self, ws: &mut Socket, why: &'static str) {
        let _ = ws
            .close(Some(CloseFrame {
                code: CloseCode::Normal,
                reason: why.into(),
            }))
            .await;
        let deadline = tokio::time::Instant::now() + self.opts.close_timeout;
        let mut ignored = None;
        while let Ok(Some(Ok(m))) = tokio::time::timeout_at(deadline, ws.next()).await {
            if let Some(text) = frame_text(&m) {
                // Whatever it is, Zoom sent it: an event among it is stored.
                let _ = self.text(&text, &mut ignored).await;
            }
            if m.is_close() {
                break;
            }
        }
    }
}

fn frame_text(m: &Message) -> Option<String> {
    match m {
        Message::Text(t) => Some(t.as_str().to_string()),
        Message::Binary(b) => std::str::from_utf8(b).ok().map(str::to_string),
        _ => None,
    }
}

/// Connect, run, reconnect, until stopped. Errors only when it is pointless to go on before
/// ever connecting (credentials refused, subscription refused twice with a fresh token).
async fn connection_loop(
    cfg: &WsConfig,
    tokens: &TokenSource,
    conn: &mut Conn,
    shared: &Shared,
    down: &mut Option<(String, String)>,
    progress: &Arc<dyn Fn(Progress) + Send + Sync>,
) -> Result<()> {
    let opts = &cfg.options;
    let policy = RetryPolicy {
        base: opts.backoff_base,
        cap: opts.backoff_cap,
        ..RetryPolicy::default()
    };
    let mut ever_connected = false;
    let mut failures: u32 = 0;
    let mut refusals_in_a_row: u32 = 0;
    let mut connections: u64 = 0;
    let mut stop = conn.stop.clone();
    loop {
        if conn.stopping() {
            return Ok(());
        }
        let outcome = attempt(cfg, tokens, conn, shared, down, progress, connections > 0).await;
        let (reason, wait) = match outcome {
            Attempt::Ended { end, was_up } => {
                connections += 1;
                ever_connected = true;
                if was_up {
                    failures = 0;
                }
                refusals_in_a_row = 0;
                match end {
                    End::Stop => return Ok(()),
                    End::Renew => {
                        shared.set(|h| h.token_renewals += 1);
                        ("token renewal".to_string(), Duration::ZERO)
                    }
                    End::Refused(text) => {
                        shared.set(|h| h.refusals += 1);
                        failures += 1;
                        (
                            format!("Zoom refused the connection ({})", redact(&text)),
                            policy.backoff(failures),
                        )
                    }
                    End::Lost(why) => {
                        failures += 1;
                        // The first retry after a working connection goes at once: most drops
                        // are one-off, and every second away is events lost.
                        let wait = if failures == 1 {
                            Duration::ZERO
                        } else {
                            policy.backoff(failures - 1)
                        };
                        (why, wait)
                    }
                }
            }
            Attempt::Refused(text) => {
                shared.set(|h| h.refusals += 1);
                failures += 1;
                refusals_in_a_row += 1;
                if !ever_connected && refusals_in_a_row >= 2 {
                    bail!(
                        "Zoom refused the WebSocket connection to subscription {} twice, with a \
                         fresh token each time ({}): check that --subscription is the \
                         subscriptionId of the app's WebSocket EndPoint URL (Feature → Event \
                         Subscriptions, method WebSocket), that the app is activated, and that \
                         its credentials are the ones of the account that created the subscription",
                        cfg.subscription,
                        redact(&text)
                    );
                }
                (
                    format!("Zoom refused the connection ({})", redact(&text)),
                    policy.backoff(failures),
                )
            }
            Attempt::Failed(why) => {
                failures += 1;
                (why, policy.backoff(failures))
            }
            Attempt::NoToken(ApiError::Auth(why)) if !ever_connected => {
                bail!(
                    "cannot get an access token for the WebSocket: {}",
                    sanitize(&why)
                );
            }
            Attempt::NoToken(e) => {
                failures += 1;
                (
                    format!("no access token: {}", sanitize(&e.to_string())),
                    policy.backoff(failures),
                )
            }
            Attempt::Stopped => return Ok(()),
        };
        if down.is_none() {
            *down = Some((now_s(), reason.clone()));
        }
        shared.set(|h| {
            h.state = "reconnecting".into();
            h.connected_since = None;
            h.last_error = Some(reason.clone());
        });
        let _ = conn.tx.send(Msg::Feed(Box::new(shared.snapshot()))).await;
        progress(Progress::Disconnected {
            reason: reason.clone(),
            retry_in: wait,
        });
        if !wait.is_zero() {
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = stopped(&mut stop) => return Ok(()),
            }
        }
    }
}

enum Attempt {
    /// A connection was made (and `was_up`: it lived at least one heartbeat interval).
    Ended {
        end: End,
        was_up: bool,
    },
    /// Refused at `build_connection`.
    Refused(String),
    /// No connection: network, TLS, HTTP upgrade, timeout.
    Failed(String),
    NoToken(ApiError),
    Stopped,
}

/// One connection: token, connect, `build_connection`, then the session until it ends.
async fn attempt(
    cfg: &WsConfig,
    tokens: &TokenSource,
    conn: &mut Conn,
    shared: &Shared,
    down: &mut Option<(String, String)>,
    progress: &Arc<dyn Fn(Progress) + Send + Sync>,
    reconnect: bool,
) -> Attempt {
    let opts = &cfg.options;
    let mut stop = conn.stop.clone();
    let (token, renew_at) = tokio::select! {
        t = tokens.token_until() => match t {
            Ok(t) => t,
            Err(e) => return Attempt::NoToken(e),
        },
        _ = stopped(&mut stop) => return Attempt::Stopped,
    };
    let mut url = match url::Url::parse(&cfg.ws_base) {
        Ok(u) => u,
        Err(e) => return Attempt::Failed(format!("bad WebSocket base URL: {e}")),
    };
    url.query_pairs_mut()
        .append_pair("subscriptionId", &cfg.subscription)
        .append_pair("access_token", token.expose());
    let connect = tokio::time::timeout(
        opts.connect_timeout,
        tokio_tungstenite::connect_async_with_config(url.as_str(), None, true),
    );
    let mut ws = tokio::select! {
        r = connect => match r {
            Ok(Ok((ws, _response))) => ws,
            Ok(Err(e)) => return Attempt::Failed(format!("cannot connect: {}", redact(&e.to_string()))),
            Err(_) => return Attempt::Failed(format!(
                "cannot connect within {} s", opts.connect_timeout.as_secs_f64()
            )),
        },
        _ = stopped(&mut stop) => return Attempt::Stopped,
    };
    drop(url);
    // Zoom's first frame says whether it accepts the token and subscription.
    let deadline = tokio::time::Instant::now() + opts.connect_timeout;
    let mut ignored = None;
    loop {
        let m = tokio::select! {
            m = tokio::time::timeout_at(deadline, ws.next()) => m,
            _ = stopped(&mut stop) => {
                conn.close(&mut ws, "stopping").await;
                return Attempt::Stopped;
            }
        };
        match m {
            Err(_) => {
                conn.close(&mut ws, "no build_connection answer").await;
                return Attempt::Failed(format!(
                    "Zoom did not acknowledge the connection within {} s",
                    opts.connect_timeout.as_secs_f64()
                ));
            }
            Ok(None) => return Attempt::Failed("closed before acknowledging".into()),
            Ok(Some(Err(e))) => {
                return Attempt::Failed(format!(
                    "connection failed before acknowledgement: {}",
                    redact(&e.to_string())
                ));
            }
            Ok(Some(Ok(m))) => {
                let Some(text) = frame_text(&m) else {
                    if let Message::Close(f) = &m {
                        return Attempt::Failed(format!(
                            "closed before acknowledging{}",
                            close_text(f.as_ref())
                        ));
                    }
                    continue;
                };
                match parse_frame(&text) {
                    Frame::Build { success: true, .. } => break,
                    Frame::Build {
                        success: false,
                        content,
                    } => {
                        // Never match the text (it has changed): any refusal means a new token.
                        tokens.invalidate(&token).await;
                        conn.close(&mut ws, "refused").await;
                        return Attempt::Refused(content);
                    }
                    _ => {
                        // Lenient: an event before the acknowledgement is still an event.
                        if let Some(end) = conn.text(&text, &mut ignored).await {
                            return Attempt::Ended { end, was_up: false };
                        }
                    }
                }
            }
        }
    }
    // Connected.
    let now = Utc::now();
    let now_str = crate::model::time::fmt_utc(now);
    if let Some((from, reason)) = down.take() {
        let seconds = secs_between(&from, now);
        shared.set(|h| {
            h.add_gap(FeedGap {
                from,
                to: now_str.clone(),
                seconds,
                reason,
            })
        });
    }
    shared.set(|h| {
        h.state = "connected".into();
        h.connected_since = Some(now_str.clone());
        if reconnect {
            h.reconnects += 1;
        }
    });
    let _ = conn.tx.send(Msg::Feed(Box::new(shared.snapshot()))).await;
    progress(Progress::Connected { reconnect });
    info!(subscription = %cfg.subscription, "connected");
    let up_at = Instant::now();
    let end = session(&mut ws, conn, renew_at, &token, tokens).await;
    let was_up = up_at.elapsed() >= opts.heartbeat;
    Attempt::Ended { end, was_up }
}

fn close_text(f: Option<&CloseFrame>) -> String {
    match f {
        Some(f) => format!(
            " (close code {}{})",
            u16::from(f.code),
            if f.reason.is_empty() {
                String::new()
            } else {
                format!(", {}", redact(f.reason.as_str()))
            }
        ),
        None => String::new(),
    }
}

/// Read events, send heartbeats, renew the token, until the connection ends.
async fn session(
    ws: &mut Socket,
    conn: &mut Conn,
    renew_at: Instant,
    token: &crate::zoom::auth::Secret,
    tokens: &TokenSource,
) -> End {
    let opts = conn.opts.clone();
    let mut stop = conn.stop.clone();
    let start = tokio::time::Instant::now();
    let mut beat = tokio::time::interval_at(start + opts.heartbeat, opts.heartbeat);
    beat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // When the heartbeat in flight must be answered by.
    let mut answer_by: Option<Instant> = None;
    let renew = tokio::time::sleep_until(renew_at.into());
    tokio::pin!(renew);
    loop {
        let deadline = answer_by.map(tokio::time::Instant::from_std);
        // Timers before frames: a stream that never pauses must not starve the heartbeat or
        // the renewal. The answer deadline comes after frames, so a reply already received is
        // read before the connection is called dead.
        tokio::select! {
            biased;
            _ = stopped(&mut stop) => {
                conn.close(ws, "stopping").await;
                return End::Stop;
            }
            _ = beat.tick() => {
                if let Err(e) = ws.send(Message::text(HEARTBEAT_FRAME)).await {
                    return End::Lost(format!("cannot send the heartbeat: {}", redact(&e.to_string())));
                }
                if answer_by.is_none() {
                    answer_by = Some(Instant::now() + opts.heartbeat_timeout);
                }
            }
            _ = &mut renew => {
                debug!("renewing the token: reconnecting");
                conn.close(ws, "token renewal").await;
                return End::Renew;
            }
            m = ws.next() => match m {
                Some(Ok(m)) => {
                    if let Some(text) = frame_text(&m) {
                        if let Some(end) = conn.text(&text, &mut answer_by).await {
                            if let End::Refused(_) = end {
                                tokens.invalidate(token).await;
                            }
                            conn.close(ws, "refused").await;
                            return end;
                        }
                    } else if let Message::Close(f) = &m {
                        // tungstenite answers the close; anything after it is not ours.
                        return End::Lost(format!("closed by Zoom{}", close_text(f.as_ref())));
                    }
                }
                Some(Err(e)) => return End::Lost(format!("connection lost: {}", redact(&e.to_string()))),
                None => return End::Lost("connection closed".into()),
            },
            _ = async { tokio::time::sleep_until(deadline.expect("guarded")).await }, if deadline.is_some() => {
                conn.close(ws, "heartbeat not answered").await;
                return End::Lost(format!(
                    "heartbeat not answered within {} s: connection dead",
                    opts.heartbeat_timeout.as_secs_f64()
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_frames() -> Vec<serde_json::Value> {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/zoom/samples/newer/websocket_messages.json"
        ))
        .expect("samples (../shared)");
        serde_json::from_str(&text).unwrap()
    }

    /// A frame as it arrives: without the sample's annotations.
    fn wire(v: &serde_json::Value) -> String {
        let mut v = v.clone();
        v.as_object_mut()
            .unwrap()
            .retain(|k, _| !k.starts_with('_'));
        v.to_string()
    }

    #[test]
    fn the_documented_frames_are_read_as_zoom_means_them() {
        let frames: Vec<_> = sample_frames()
            .iter()
            .filter(|f| f["_direction"] == "server->client")
            .map(|f| parse_frame(&wire(f)))
            .collect();
        assert!(matches!(frames[0], Frame::Build { success: true, .. }));
        match &frames[1] {
            Frame::Event { raw, reason: None } => {
                let body: serde_json::Value = serde_json::from_str(raw).unwrap();
                assert_eq!(body["event"], "meeting.participant_joined");
                assert_eq!(event_time(raw).as_deref(), Some("2024-06-10T06:14:05Z"));
            }
            f => panic!("{f:?}"),
        }
        assert_eq!(frames[2], Frame::Heartbeat { success: true });
        assert!(matches!(&frames[4], Frame::Event { reason: None, .. }));
        assert_eq!(
            frames.last().unwrap(),
            &Frame::Build {
                success: false,
                content: "Token is invalid".into()
            }
        );
    }

    #[test]
    fn odd_frames_are_kept_or_ignored_never_fatal() {
        assert!(matches!(
            parse_frame("not json"),
            Frame::Event {
                reason: Some(_),
                ..
            }
        ));
        assert!(matches!(
            parse_frame(r#"{"module":"message"}"#),
            Frame::Event {
                reason: Some(_),
                ..
            }
        ));
        assert_eq!(
            parse_frame(r#"{"module":"message","content":{"event":"x","event_ts":1}}"#),
            Frame::Event {
                raw: r#"{"event":"x","event_ts":1}"#.into(),
                reason: None
            }
        );
        assert_eq!(
            parse_frame(r#"{"module":"notice","content":"hello"}"#),
            Frame::Other("notice".into())
        );
    }

    #[test]
    fn the_token_never_survives_redaction() {
        let s = "IO error at wss://ws.zoom.us/ws?subscriptionId=abc&access_token=eyJ.secret.sig&x=1 and access_token=zzz";
        let r = redact(s);
        assert!(!r.contains("eyJ.secret.sig") && !r.contains("zzz"), "{r}");
        assert!(
            r.contains("subscriptionId=abc&access_token=<redacted>&x=1"),
            "{r}"
        );
    }

    #[test]
    fn subscriptions_are_ids_or_the_copied_endpoint_url() {
        assert_eq!(
            parse_subscription("ZhPGtK84QbapRWXzEBW7MA").unwrap(),
            ("ZhPGtK84QbapRWXzEBW7MA".into(), None)
        );
        assert_eq!(
            parse_subscription("wss://ws.zoom.us/ws?subscriptionId=ZhPGtK84QbapRWXzEBW7MA")
                .unwrap(),
            (
                "ZhPGtK84QbapRWXzEBW7MA".into(),
                Some("wss://ws.zoom.us/ws".into())
            )
        );
        assert!(parse_subscription("../../etc").is_err());
        assert!(parse_subscription("wss://ws.zoom.us/ws").is_err());
        assert!(check_base("https://ws.zoom.us/ws").is_err());
        assert!(check_base("wss://ws.zoom.us/ws").is_ok());
    }

    #[test]
    fn a_second_consumer_of_the_same_subscription_is_refused_until_the_first_lets_go() {
        let d = tempfile::tempdir().unwrap();
        let case = d.path().join("c.zl");
        let first = FeedLock::acquire(&case, "SUB1").unwrap();
        let e = FeedLock::acquire(&case, "SUB1").err().unwrap().to_string();
        assert!(e.contains("already consuming subscription SUB1"), "{e}");
        assert!(e.contains(&format!("pid {}", std::process::id())), "{e}");
        // Another subscription into the same case is another consumer.
        let _other = FeedLock::acquire(&case, "SUB2").unwrap();
        drop(first);
        FeedLock::acquire(&case, "SUB1").unwrap();
    }
}
