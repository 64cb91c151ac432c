//! Load benchmark for `zoomlens listen --websocket` (run: `cargo bench --bench listen_ws`).
//!
//! The simulator's WebSocket endpoint runs in this process on loopback with N events (every
//! webhook sample, each made unique by its event_ts); the real release binary consumes them
//! into a fresh case. Two phases:
//!
//! 1. flat out: the simulator sends as fast as the listener reads (TCP back-pressure paces
//!    it), so the figure is the listener's sustained ceiling;
//! 2. offered: WS_BENCH_RATE events/s (2500, the HTTP listener's figure), to show that rate is
//!    sustained.
//!
//! Each phase reports events/s from the connection to the last commit and requires stored =
//! delivered: every event the simulator sent is in `webhook_events`, nothing extra.
//!
//! Knobs (environment): WS_BENCH_EVENTS (200000), WS_BENCH_RATE (2500), WS_BENCH_SKIP_FLAT=1,
//! WS_BENCH_SKIP_RATE=1.

use serde_json::Value;
use std::io::BufRead;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use zoomlens::sim::server::ws::WsSimConfig;
use zoomlens::sim::server::{SimConfig, serve_until};

#[path = "support/samples.rs"]
mod samples;
use samples::{env_or, templates};
use zoomlens::sim::tenant::Tenant;

const TS_BASE: i64 = 1_760_000_000_000;

/// `n` distinct events made from every webhook sample.
fn events(n: usize) -> Vec<Value> {
    let tpl = templates();
    (0..n)
        .map(|i| {
            let mut v = tpl[i % tpl.len()].clone();
            v["event_ts"] = Value::from(TS_BASE + i as i64);
            if let Some(p) = v
                .pointer_mut("/payload/object/participant")
                .and_then(Value::as_object_mut)
            {
                p.insert("user_id".into(), Value::from(format!("{}", 40_000_000 + i)));
                p.insert("user_name".into(), Value::from(format!("Bench Person {i}")));
            }
            v
        })
        .collect()
}

fn stored_count(case: &Path) -> i64 {
    rusqlite::Connection::open(case)
        .and_then(|db| db.query_row("SELECT COUNT(*) FROM webhook_events", [], |r| r.get(0)))
        .unwrap_or(0)
}

async fn ws_stats(http: &str) -> Value {
    let v: Value = reqwest::get(format!("{http}/_sim/stats"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["websocket"].clone()
}

async fn phase(name: &str, evs: &[Value], rate: f64) {
    let n = evs.len();
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("ws-bench.zl");
    let tenant = Tenant {
        webhooks: evs.to_vec(),
        ..Tenant::default()
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let http = format!("http://{addr}");
    let cfg = SimConfig {
        ws: Some(WsSimConfig {
            rate,
            ..WsSimConfig::default()
        }),
        ..SimConfig::default()
    };
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve_until(Arc::new(tenant), cfg, listener, async move {
        let _ = stop_rx.await;
    }));
    let mut child = Command::new(env!("CARGO_BIN_EXE_zoomlens"))
        .arg("listen")
        .arg(&case)
        .args(["--websocket", "--subscription", "sim-subscription"])
        .args(["--progress-secs", "5"])
        .env_remove("ZOOMLENS_LOG")
        .env("ZOOMLENS_CONFIG_DIR", dir.path())
        .env("ZOOM_WS_BASE", format!("ws://{addr}/ws"))
        .env("ZOOM_OAUTH_BASE", &http)
        .env("ZOOM_ACCOUNT_ID", "sim-account")
        .env("ZOOM_CLIENT_ID", "sim-client")
        .env("ZOOM_CLIENT_SECRET", "sim-secret")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start zoomlens listen --websocket");
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut banner = String::new();
    out.read_line(&mut banner).unwrap();
    // From the connection on.
    let t0 = loop {
        if ws_stats(&http).await["connections"].as_u64() >= Some(1) {
            break Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    let deadline = Instant::now() + Duration::from_secs(3600);
    let mut delivered_at = None;
    let stored_at = loop {
        let s = ws_stats(&http).await;
        if delivered_at.is_none() && s["delivered"].as_u64() == Some(n as u64) {
            delivered_at = Some(t0.elapsed());
        }
        if delivered_at.is_some() && stored_count(&case) == n as i64 {
            break t0.elapsed();
        }
        assert!(Instant::now() < deadline, "{name}: stalled: {s}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "{name}: listener exit {status:?}");
    let s = ws_stats(&http).await;
    let _ = stop_tx.send(());
    let _ = server.await;
    let stored = stored_count(&case);
    let delivered = s["delivered"].as_u64().unwrap();
    assert_eq!(stored as u64, delivered, "{name}: stored = delivered");
    assert_eq!(delivered, n as u64);
    let secs = stored_at.as_secs_f64();
    println!(
        "{name}: {n} events, offered {}; delivered in {:.1} s, all stored in {secs:.1} s: \
         {:.0} events/s sustained; stored = delivered ({stored}), {} connection(s)",
        if rate >= 1e8 {
            "flat out".to_string()
        } else {
            format!("{rate}/s")
        },
        delivered_at.unwrap().as_secs_f64(),
        n as f64 / secs,
        s["connections"]
    );
}

fn main() {
    let n: usize = env_or("WS_BENCH_EVENTS", 200_000);
    let rate: f64 = env_or("WS_BENCH_RATE", 2500.0);
    let evs = events(n);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        if std::env::var("WS_BENCH_SKIP_FLAT").is_err() {
            phase("flat out", &evs, 1e9).await;
        }
        if std::env::var("WS_BENCH_SKIP_RATE").is_err() {
            phase("offered rate", &evs, rate).await;
        }
    });
}
