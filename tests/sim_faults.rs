//! Rate limits, injected faults and webhook delivery, seen from outside.

mod sim_common;

use serde_json::Value;
use sim_common::*;
use std::time::Duration;
use zoomlens::sim::server::deliver::{DeliverConfig, deliver};
use zoomlens::sim::server::{FaultKind, SimConfig};
use zoomlens::zoom::Plan;

const ACTS: &str = "/report/activities?from=2024-06-01&to=2024-06-02";

#[tokio::test]
async fn per_second_limit_answers_429_with_retry_after() {
    // Pro Heavy is 10/s; scaled by 0.2 → 2/s, a bucket of 2.
    let cfg = SimConfig {
        plan: Plan::Pro,
        rate_limit_scale: 0.2,
        ..cfg()
    };
    let api = Api::start(tenant(), cfg).await;
    let mut statuses = Vec::new();
    let mut limited = None;
    for _ in 0..5 {
        let r = api.raw(ACTS).await;
        statuses.push(r.status().as_u16());
        if r.status() == 429 && limited.is_none() {
            let h = r.headers().clone();
            limited = Some((h, r.json::<Value>().await.unwrap()));
        }
    }
    assert_eq!(&statuses[..2], &[200, 200], "{statuses:?}");
    assert!(statuses[2..].iter().all(|&s| s == 429), "{statuses:?}");
    let (h, body) = limited.unwrap();
    assert_eq!(body["code"], 429);
    assert_eq!(
        body["message"],
        "You have reached the maximum per-second rate limit for this API. Try again later."
    );
    assert_eq!(h["x-ratelimit-category"], "Heavy");
    assert_eq!(h["x-ratelimit-type"], "QPS");
    assert_eq!(h["x-ratelimit-limit"], "2");
    assert_eq!(h["x-ratelimit-remaining"], "0");
    let retry: u64 = h["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry));
    // Medium is a separate bucket.
    let r = api.raw("/users").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-ratelimit-category"], "Medium");
    // After the advertised wait, requests pass again.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(api.raw(ACTS).await.status(), 200);

    let stats = api.stats().await;
    let heavy = &stats["categories"]["Heavy"];
    assert_eq!(heavy["served"], 3);
    assert_eq!(heavy["limited_qps"], 3);
    assert_eq!(heavy["qps_limit"], 2.0);
    assert_eq!(stats["categories"]["Medium"]["served"], 1);
}

#[tokio::test]
async fn daily_cap_answers_429_until_midnight_utc() {
    // Business Heavy+Resource share 60,000/day; a daily scale of 0.0001 makes that 6.
    let cfg = SimConfig {
        daily_limit_scale: Some(0.0001),
        ..cfg()
    };
    let api = Api::start(tenant(), cfg).await;
    let mut statuses = Vec::new();
    let mut daily = None;
    for _ in 0..8 {
        let r = api.raw(ACTS).await;
        statuses.push(r.status().as_u16());
        if r.status() == 429 {
            daily = Some((r.headers().clone(), r.json::<Value>().await.unwrap()));
        }
    }
    assert_eq!(statuses, vec![200, 200, 200, 200, 200, 200, 429, 429]);
    let (h, body) = daily.unwrap();
    assert_eq!(h["x-ratelimit-type"], "Daily-limit");
    assert_eq!(h["x-ratelimit-limit"], "6");
    assert_eq!(h["x-ratelimit-remaining"], "0");
    let tomorrow = chrono::Utc::now().date_naive() + chrono::Days::new(1);
    assert_eq!(
        h["retry-after"],
        format!("{}T00:00:00Z", tomorrow.format("%Y-%m-%d")).as_str()
    );
    assert_eq!(body["code"], 429);
    assert!(body["message"].as_str().unwrap().contains("daily"));
    // Heavy's cap does not touch Medium on Business.
    assert_eq!(api.raw("/users").await.status(), 200);
    // Dashboard calls share the Heavy daily counter.
    let m = format!("/metrics/meetings/{MEETING_ID}/participants?type=past");
    assert_eq!(api.raw(&m).await.status(), 429);
}

#[tokio::test]
async fn free_plan_limits_are_lower() {
    let cfg = SimConfig {
        plan: Plan::Free,
        rate_limit_scale: 0.5,
        ..cfg()
    };
    let api = Api::start(tenant(), cfg).await;
    // 0.5 × 2/s = 1/s, daily 1,000: a QPS 429 on the second immediate call.
    assert_eq!(api.raw("/users").await.status(), 200);
    let r = api.raw("/users").await;
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["x-ratelimit-type"], "QPS");
    assert_eq!(r.headers()["x-ratelimit-category"], "Medium");
}

fn faulty(kind: FaultKind, rate: f64) -> SimConfig {
    SimConfig {
        fault_rate: rate,
        fault_kinds: vec![kind],
        slow_delay: Duration::from_millis(300),
        ..cfg()
    }
}

#[tokio::test]
async fn server_errors() {
    let api = Api::start(tenant(), faulty(FaultKind::ServerError, 1.0)).await;
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..30 {
        let s = api.raw("/users").await.status().as_u16();
        assert!([500, 502, 503, 504].contains(&s), "{s}");
        seen.insert(s);
    }
    assert!(seen.len() >= 3, "several kinds of 5xx: {seen:?}");
    assert_eq!(api.stats().await["faults"]["server_error"], 30);
}

#[tokio::test]
async fn storms_are_runs_of_429() {
    let api = Api::start(tenant(), faulty(FaultKind::Storm, 0.1)).await;
    let mut longest = 0;
    let mut run = 0;
    for _ in 0..50 {
        let r = api.raw("/users").await;
        if r.status() == 429 {
            assert_eq!(r.headers()["x-ratelimit-type"], "QPS");
            assert_eq!(r.headers()["retry-after"], "1");
            assert_eq!(r.headers()["x-ratelimit-category"], "Medium");
            assert_eq!(r.headers()["x-ratelimit-limit"], "60");
            assert_eq!(r.headers()["x-ratelimit-remaining"], "0");
            run += 1;
            longest = longest.max(run);
        } else {
            assert_eq!(r.status(), 200);
            run = 0;
        }
    }
    assert!(longest >= 3, "a storm is a burst, longest run {longest}");
}

#[tokio::test]
async fn resets_leave_the_client_without_an_answer() {
    let api = Api::start(tenant(), faulty(FaultKind::Reset, 1.0)).await;
    for _ in 0..3 {
        let got = async {
            let r = api
                .c
                .get(format!("{}/v2/users", api.base))
                .bearer_auth(&api.tok)
                .send()
                .await?;
            r.bytes().await
        }
        .await;
        assert!(got.is_err(), "expected a transport error, got {got:?}");
    }
}

#[tokio::test]
async fn slow_answers_arrive_late_but_whole() {
    let api = Api::start(tenant(), faulty(FaultKind::Slow, 1.0)).await;
    let t0 = std::time::Instant::now();
    let (s, v) = api.get("/users").await;
    assert!(t0.elapsed() >= Duration::from_millis(300));
    assert_eq!((s, v["total_records"].as_i64()), (200, Some(72)));
}

#[tokio::test]
async fn truncated_and_malformed_bodies_are_200_but_not_json() {
    let clean = Api::start(tenant(), cfg()).await;
    let whole = clean.raw("/users?page_size=5").await.text().await.unwrap();
    for kind in [FaultKind::Truncated, FaultKind::Malformed] {
        let api = Api::start(tenant(), faulty(kind, 1.0)).await;
        let r = api.raw("/users?page_size=5").await;
        assert_eq!(r.status(), 200);
        let body = r.text().await.unwrap();
        assert!(
            serde_json::from_str::<Value>(&body).is_err(),
            "{kind:?}: {body}"
        );
        if kind == FaultKind::Truncated {
            assert!(body.len() < whole.len() && !body.is_empty());
            // The cut body starts like the real one (page tokens differ per request).
            assert_eq!(&body[..20], &whole[..20]);
        }
    }
}

#[tokio::test]
async fn a_revoked_token_stays_revoked() {
    let api = Api::start(tenant(), faulty(FaultKind::Revoke, 1.0)).await;
    let (s, v) = api.get("/users").await;
    assert_eq!((s, v["code"].as_i64()), (401, Some(124)));
    assert_eq!(api.stats().await["faults"]["revoke"], 1);
    for _ in 0..3 {
        let (s, v) = api.get("/users").await;
        assert_eq!((s, v["code"].as_i64()), (401, Some(124)));
    }
    // Refused at the token check: no new faults were drawn.
    assert_eq!(api.stats().await["faults"]["revoke"], 1);
}

#[tokio::test]
async fn the_same_seed_gives_the_same_faults() {
    let mut runs = Vec::new();
    for seed in [7, 7, 8] {
        let cfg = SimConfig {
            fault_rate: 0.4,
            fault_kinds: vec![
                FaultKind::ServerError,
                FaultKind::Storm,
                FaultKind::Truncated,
            ],
            seed,
            ..cfg()
        };
        let api = Api::start(tenant(), cfg).await;
        let mut seq = Vec::new();
        for _ in 0..40 {
            let r = api.raw("/users?page_size=1").await;
            let s = r.status().as_u16();
            let ok_json = serde_json::from_str::<Value>(&r.text().await.unwrap()).is_ok();
            seq.push((s, ok_json));
        }
        runs.push(seq);
    }
    assert_eq!(runs[0], runs[1]);
    assert_ne!(runs[0], runs[2]);
    assert!(runs[0].iter().any(|&(s, ok)| s == 200 && ok));
    assert!(runs[0].iter().any(|&(s, ok)| s != 200 || !ok));
}

// ---------- webhook delivery ----------

/// Delivery to `url` at `rate` a second, signed with `secret`: no time limit, no acks file.
fn delivery(url: String, rate: f64, secret: &str, concurrency: usize) -> DeliverConfig {
    DeliverConfig {
        url,
        rate,
        seconds: None,
        secret: secret.into(),
        acks_out: None,
        concurrency,
    }
}

#[tokio::test]
async fn webhooks_are_signed_counted_and_acks_recorded() {
    let secret = "s3cret-token";
    let (url, got) = receiver(secret).await;
    let t = tenant();
    // Many distinct events: the samples repeated with shifted event_ts.
    let mut events = Vec::new();
    for i in 0..20 {
        for e in &t.webhooks {
            let mut e = e.clone();
            e["event_ts"] = serde_json::json!(e["event_ts"].as_i64().unwrap() + i);
            events.push(e);
        }
    }
    let n = events.len() as u64;
    let refused = events
        .iter()
        .filter(|e| e["event"] == "user.created")
        .count() as u64;
    assert!(refused > 0);
    let dir = tempfile::tempdir().unwrap();
    let acks = dir.path().join("acks.ndjson");
    let cfg = DeliverConfig {
        acks_out: Some(acks.clone()),
        ..delivery(url, 1000.0, secret, 32)
    };
    let report = deliver(&events, &cfg).await.unwrap();
    assert_eq!(report.sent, n);
    assert_eq!(report.failed, refused);
    assert_eq!(report.acknowledged, n - refused);
    // A fixed rate: n events at 1000/s take at least (n-1) ms.
    assert!(
        report.elapsed >= Duration::from_millis(n - 1),
        "{:?}",
        report.elapsed
    );
    let g = got.lock().unwrap();
    assert_eq!(g.events.len() as u64, n);
    assert_eq!(g.bad_signatures, 0);
    let lines: Vec<Value> = std::fs::read_to_string(&acks)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len() as u64, n - refused);
    assert!(
        lines
            .iter()
            .all(|l| l["event"] != "user.created" && l["event_ts"].is_i64())
    );
}

#[tokio::test]
async fn delivery_stops_after_the_time_limit_and_counts_unreachable_targets() {
    let events: Vec<Value> = (0..1000)
        .map(|i| serde_json::json!({"event": "user.signed_in", "event_ts": 1_718_000_000_000i64 + i, "payload": {}}))
        .collect();
    // Nothing listens on this port: every delivery fails.
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/webhook", l.local_addr().unwrap());
    drop(l);
    let cfg = DeliverConfig {
        seconds: Some(1),
        ..delivery(url, 100.0, "x", 8)
    };
    let report = deliver(&events, &cfg).await.unwrap();
    assert!((90..=110).contains(&report.sent), "{report:?}");
    assert_eq!(report.acknowledged, 0);
    assert_eq!(report.failed, report.sent);
}

/// Throughput of webhook delivery to an in-process receiver (a measurement, not a check):
/// `cargo test --release --test sim_faults delivery_throughput -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark"]
async fn delivery_throughput() {
    let rate: f64 = std::env::var("DELIVER_RATE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(4000.0);
    let n: i64 = std::env::var("DELIVER_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_000);
    let (url, got) = receiver("bench-secret").await;
    let proto = tenant().webhooks[0].clone();
    let events: Vec<Value> = (0..n)
        .map(|i| {
            let mut e = proto.clone();
            e["event_ts"] = serde_json::json!(1_718_000_000_000i64 + i);
            e
        })
        .collect();
    let cfg = delivery(url, rate, "bench-secret", 256);
    let report = deliver(&events, &cfg).await.unwrap();
    println!("target {rate}/s: {}", report.summary());
    assert_eq!(got.lock().unwrap().events.len() as i64, n);
}
