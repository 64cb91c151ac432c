//! Sync benchmark: participants for 10,000 meeting instances on the simulator's Pro plan
//! (Heavy limit 10 req/s). Reports the achieved Heavy request rate as a share of the limit —
//! from the simulator's own counters (`GET /_sim/stats`) and from the client's — and the time.
//!
//!     cargo bench --bench sync                         # 10,000 instances (~18 minutes)
//!     SYNC_BENCH_MEETINGS=1000 cargo bench --bench sync  # a quicker look

#[path = "../tests/common/tenant.rs"]
mod tenant;

use std::sync::Arc;
use std::time::Instant;
use zoomlens::sim::server::{SimConfig, serve};
use zoomlens::store::Store;
use zoomlens::sync::plan::Source;
use zoomlens::sync::progress::{Mode, Progress};
use zoomlens::sync::run::{SyncOptions, run};
use zoomlens::zoom::Plan;
use zoomlens::zoom::auth::{Credentials, Secret};
use zoomlens::zoom::{Category, Client, ClientConfig};

fn main() {
    let meetings: usize = std::env::var("SYNC_BENCH_MEETINGS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let shape = tenant::Shape {
        users: 52,
        days: 29,
        meetings,
        participants_per_meeting: 3,
        big_meeting: 0,
        signins: 100,
        chat_per_user: 0,
    };
    let t = Arc::new(tenant::build(&shape));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", l.local_addr().unwrap());
        let cfg = SimConfig {
            plan: Plan::Pro,
            ..SimConfig::default()
        };
        tokio::spawn(serve(t.clone(), cfg, l));
        let dir = tempfile::tempdir().unwrap();
        let case = dir.path().join("bench.case");
        let client = Arc::new(
            Client::new(
                ClientConfig {
                    oauth_base: base.clone(),
                    plan: Plan::Pro,
                    ..ClientConfig::default()
                },
                Credentials::ServerToServer {
                    account_id: "sim-account".into(),
                    client_id: "sim-client".into(),
                    client_secret: Secret::new("sim-secret"),
                },
            )
            .unwrap(),
        );
        let sources = vec![Source::Users, Source::Meetings, Source::Participants];
        let opts = SyncOptions {
            from: tenant::first_day(&shape).date_naive(),
            to: chrono::Utc::now().date_naive(),
            sources: sources.clone(),
            users: vec![],
            since_last: false,
            capture: None,
        };
        let mode = if std::env::var_os("SYNC_BENCH_BARS").is_some() {
            Mode::Bars
        } else {
            Mode::Quiet
        };
        let progress = Progress::new(mode, &sources, client.clone());
        let started = Instant::now();
        let report = run(Store::open(&case).unwrap(), client.clone(), opts, progress)
            .await
            .unwrap();
        let secs = started.elapsed().as_secs_f64();
        let stats: serde_json::Value = reqwest::get(format!("{base}/_sim/stats"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let c = rusqlite::Connection::open(&case).unwrap();
        let sessions: i64 = c
            .query_row("SELECT COUNT(*) FROM zoom_participants", [], |r| r.get(0))
            .unwrap();
        let instances: i64 = c
            .query_row(
                "SELECT COUNT(DISTINCT meeting_uuid) FROM participants",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let limit = client.limiter.limit(Category::Heavy);
        println!("sync benchmark: participants for {meetings} meeting instances, simulator plan pro (Heavy limit {limit}/s)");
        println!("  complete: {}  failed units: {}", report.complete, report.failed.len());
        println!("  meeting instances with participants stored: {instances}; sessions: {sessions}");
        println!("  total time: {secs:.1} s");
        println!(
            "  requests: {:?}; 429s: {}; retries: {}",
            report.requests, report.rate_limited, report.retries
        );
        if let Some(r) = report.heavy_req_per_s {
            println!(
                "  Heavy rate (client counters): {r:.2} req/s = {:.1}% of the limit",
                100.0 * r / limit
            );
        }
        println!("  simulator stats: {}", stats["categories"]);
    });
}
