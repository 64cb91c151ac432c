//! The simulator's WebSocket endpoint in-process on a loopback port, a WebSocket feed into a
//! fresh case, and the checks the WebSocket tests share.

#![allow(dead_code)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::oneshot;
use zoomlens::listen::ws::{self, Progress, WsConfig, WsOptions};
use zoomlens::sim::server::ws::WsSimConfig;
use zoomlens::sim::server::{SimConfig, serve_until};
use zoomlens::sim::tenant::Tenant;
use zoomlens::store::feed::FeedHealth;
use zoomlens::zoom::auth::{Credentials, Secret};

pub const SUBSCRIPTION: &str = "sim-subscription";

/// A generated tenant's webhook events (the first `n`), in delivery order.
pub fn tenant(n: usize) -> Tenant {
    let mut t = Tenant::generate(&zoomlens::sim::generator::Config::small(7, 40, 4)).unwrap();
    assert!(
        t.webhooks.len() >= n,
        "the tenant has only {} events",
        t.webhooks.len()
    );
    t.webhooks.truncate(n);
    t
}

pub struct Sim {
    pub http: String,
    pub ws_base: String,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

impl Sim {
    pub async fn start(tenant: Tenant, cfg: SimConfig) -> Sim {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(serve_until(Arc::new(tenant), cfg, listener, async move {
            let _ = rx.await;
        }));
        Sim {
            http: format!("http://{addr}"),
            ws_base: format!("ws://{addr}/ws"),
            stop: Some(tx),
            task: Some(task),
        }
    }

    pub async fn stats(&self) -> Value {
        let rq = reqwest::Client::new().get(format!("{}/_sim/stats", self.http));
        super::listen::json_reply(rq).await
    }

    pub async fn ws(&self) -> Value {
        self.stats().await["websocket"].clone()
    }

    /// Wait until the endpoint has delivered every event (a bound against hanging, not a
    /// timing assertion).
    pub async fn wait_delivered(&self, total: u64) -> Value {
        let deadline = Instant::now() + Duration::from_secs(180);
        loop {
            let s = self.ws().await;
            if s["delivered"].as_u64() == Some(total) {
                return s;
            }
            assert!(Instant::now() < deadline, "not all delivered: {s}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        let _ = tokio::time::timeout(Duration::from_secs(10), self.task.take().unwrap()).await;
    }
}

/// The simulator with a WebSocket endpoint at `rate` events/s and these faults.
pub fn sim_config(ws: WsSimConfig) -> SimConfig {
    SimConfig {
        ws: Some(ws),
        ..SimConfig::default()
    }
}

pub fn credentials() -> Credentials {
    Credentials::ServerToServer {
        account_id: "sim-account".into(),
        client_id: "sim-client".into(),
        client_secret: Secret::new("sim-secret"),
    }
}

/// Timings a test can wait for: a dead connection is noticed in well under a second.
pub fn quick() -> WsOptions {
    WsOptions {
        heartbeat: Duration::from_millis(200),
        heartbeat_timeout: Duration::from_millis(400),
        connect_timeout: Duration::from_secs(5),
        close_timeout: Duration::from_secs(2),
        backoff_base: Duration::from_millis(20),
        backoff_cap: Duration::from_millis(300),
        progress_every: Duration::from_millis(250),
    }
}

pub struct Feed {
    pub case: PathBuf,
    pub stop: Option<oneshot::Sender<()>>,
    pub task: Option<tokio::task::JoinHandle<anyhow::Result<FeedHealth>>>,
    pub log: Arc<std::sync::Mutex<Vec<String>>>,
}

impl Feed {
    /// Start `listen --websocket` in-process on `case`.
    pub fn start(case: &Path, sim: &Sim, options: WsOptions) -> Feed {
        let cfg = WsConfig {
            case: case.to_path_buf(),
            subscription: SUBSCRIPTION.into(),
            ws_base: sim.ws_base.clone(),
            oauth_base: sim.http.clone(),
            credentials: credentials(),
            options,
        };
        let (tx, rx) = oneshot::channel::<()>();
        let log = Arc::new(std::sync::Mutex::new(Vec::new()));
        let l2 = log.clone();
        let progress = Arc::new(move |p: Progress| {
            let line = match p {
                Progress::Connected { reconnect } => format!("connected reconnect={reconnect}"),
                Progress::Disconnected { reason, .. } => format!("disconnected: {reason}"),
                Progress::Tick(h) => format!("tick stored={}", h.stored),
            };
            l2.lock().unwrap().push(line);
        });
        let task = tokio::spawn(ws::run(
            cfg,
            async move {
                let _ = rx.await;
            },
            progress,
        ));
        Feed {
            case: case.to_path_buf(),
            stop: Some(tx),
            task: Some(task),
            log,
        }
    }

    /// Wait until the feed has reported a connection.
    pub async fn connected(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while !self
            .log
            .lock()
            .unwrap()
            .iter()
            .any(|l| l.starts_with("connected"))
        {
            assert!(Instant::now() < deadline, "never connected");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Graceful stop (SIGTERM): the final health.
    pub async fn stop(mut self) -> FeedHealth {
        let _ = self.stop.take().unwrap().send(());
        self.task
            .take()
            .unwrap()
            .await
            .unwrap()
            .expect("the feed stopped cleanly")
    }
}

/// Rows per table that events fill: a case fed by the WebSocket must hold what an import of
/// the same webhook bodies holds.
pub const TABLES: &[&str] = &[
    "webhook_events",
    "users",
    "signins",
    "operations",
    "op_changes",
    "meetings",
    "participants",
    "recordings",
    "recording_files",
    "waiting_room",
    "rejects",
];

/// Rows per table of [`TABLES`], in that order.
pub fn counts(case: &Path) -> Vec<(String, i64)> {
    let names: Vec<String> = TABLES.iter().map(|t| t.to_string()).collect();
    let n = super::tenant::counts(case, &names.iter().collect::<Vec<_>>());
    names
        .into_iter()
        .map(|t| {
            let rows = n[&t];
            (t, rows)
        })
        .collect()
}

/// The same events imported as a webhook file, for comparison.
pub fn reference(dir: &Path, tenant: &Tenant) -> Vec<(String, i64)> {
    let file = dir.join("events.ndjson");
    let text: String = tenant.webhooks.iter().map(|e| format!("{e}\n")).collect();
    std::fs::write(&file, text).unwrap();
    let case = dir.join("reference.zl");
    let mut store = zoomlens::store::Store::open(&case).unwrap();
    zoomlens::ingest::import_paths(
        &mut store,
        &[file],
        &zoomlens::ingest::ImportOptions::default(),
    )
    .unwrap();
    drop(store);
    counts(&case)
}

/// Distinct deliveries in the tenant (its identity: event, event_ts and payload).
pub fn distinct(tenant: &Tenant) -> usize {
    let mut seen = std::collections::HashSet::new();
    for e in &tenant.webhooks {
        seen.insert(e.to_string());
    }
    seen.len()
}
