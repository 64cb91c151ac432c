//! The listener under slow and too many clients, in-process on loopback: slowloris connections
//! are cut off by the header timeout, a trickled body by the body timeout, connections beyond
//! the cap wait instead of taking descriptors, and Zoom's signed events keep getting stored.
//!
//! Timing: nothing here asserts how fast anything happens. Deadlines are generous bounds that
//! only a listener that never closes a slow connection (or never answers) runs into.

use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use zoomlens::listen::ListenOptions;

mod common;

use common::listen::{self, Running};

const SECRET: &str = "slow-test-secret";

async fn start(options: ListenOptions) -> Running {
    listen::start(listen::secrets(SECRET), None, options).await
}

/// The test opens hundreds of sockets of its own; make sure the soft open-file limit allows it.
fn allow_open_files(n: u64) {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let lim = getrlimit(Resource::Nofile);
    if lim.current.is_some_and(|c| c < n) {
        let want = lim.maximum.map_or(n, |m| m.min(n));
        setrlimit(
            Resource::Nofile,
            Rlimit {
                current: Some(want),
                maximum: lim.maximum,
            },
        )
        .expect("raise the open-file soft limit");
    }
}

/// A participant_joined event unique by `n` (its event_ts is its identity in the checks).
fn numbered_event(n: u64) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/zoom/samples/webhook_meeting.participant_joined.json");
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
    v["event_ts"] = json!(1_719_000_000_000i64 + n as i64);
    v["payload"]["object"]["participant"]["user_id"] = json!(format!("{}", 40_000_000 + n));
    v["payload"]["object"]["participant"]["user_name"] = json!(format!("Steady Guest {n}"));
    serde_json::to_vec(&v).unwrap()
}

/// Deliver one signed event as Zoom does, retrying (with a fresh signature) until it is
/// acknowledged or `deadline` passes. True if acknowledged.
async fn deliver_until_acked(
    client: &reqwest::Client,
    url: &str,
    n: u64,
    deadline: Instant,
) -> bool {
    let body = numbered_event(n);
    while Instant::now() < deadline {
        let r = listen::signed(client, url, SECRET, body.clone())
            .header("content-type", "application/json; charset=utf-8")
            .send()
            .await;
        if let Ok(r) = r
            && r.status() == 200
        {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    false
}

/// A slowloris client: starts a request, then sends one more header line every `every` (never
/// the blank line that ends the head), or nothing at all if `every` is None. Returns when the
/// server closes the connection (true) or at `deadline` (false: still open).
async fn slowloris(addr: SocketAddr, every: Option<Duration>, deadline: Instant) -> bool {
    let Ok(stream) = TcpStream::connect(addr).await else {
        // Refused outright is as good as closed, but loopback with a free backlog never does it.
        return true;
    };
    let (mut rd, mut wr) = stream.into_split();
    if every.is_some()
        && wr
            .write_all(b"POST /webhook HTTP/1.1\r\nhost: 127.0.0.1\r\n")
            .await
            .is_err()
    {
        return true;
    }
    let mut buf = [0u8; 512];
    let mut line = 0u64;
    let pause = every.unwrap_or(Duration::from_secs(3600));
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return false;
        }
        tokio::select! {
            r = rd.read(&mut buf) => match r {
                // Closed (or reset) by the server; a 408 or other answer before that is fine too.
                Ok(0) | Err(_) => return true,
                Ok(_) => {}
            },
            _ = tokio::time::sleep(pause.min(left)) => {
                if every.is_some() {
                    line += 1;
                    if wr.write_all(format!("x-slow-{line}: 1\r\n").as_bytes()).await.is_err() {
                        return true;
                    }
                }
            }
        }
    }
}

/// 500 slowloris connections (400 trickling one header line every 200 ms, 100 connected and
/// silent) against a cap of 50 connections, while a steady stream of 200 signed events is
/// delivered: every event is stored, every slow connection is cut off, the cap was reached and
/// never exceeded.
///
/// Why a cap of 50 rather than the default 512: the point is that slow clients outnumber the
/// cap tenfold (as 200 slow clients did a 128-descriptor limit in the report that prompted
/// this); a lowered cap proves it without asking CI for thousands of descriptors. The test
/// still holds all 500 client sockets itself, so it raises its own soft limit if that is low.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slowloris_flood_is_cut_off_and_every_signed_event_is_stored() {
    const SLOW: usize = 500;
    const SILENT_EVERY: usize = 5;
    const EVENTS: u64 = 200;
    const CAP: usize = 50;
    allow_open_files(4096);
    let mut l = start(ListenOptions {
        header_timeout: Duration::from_secs(1),
        body_timeout: Duration::from_secs(1),
        max_connections: CAP,
        ..ListenOptions::default()
    })
    .await;
    let started = Instant::now();
    // Bounds, not expectations: about 500 / 50 × 1 s = 10 s of slow connections to work through.
    let deadline = started + Duration::from_secs(40);

    let mut slow = tokio::task::JoinSet::new();
    for i in 0..SLOW {
        let every = (i % SILENT_EVERY != 0).then_some(Duration::from_millis(200));
        slow.spawn(async move { (i, slowloris(l.addr, every, deadline).await) });
    }
    // Let the flood connect first, so the events queue behind it.
    tokio::time::sleep(Duration::from_millis(300)).await;

    // A fresh connection per delivery: each event has to get through the accept queue.
    let client = listen::fresh_connections(Duration::from_secs(20));
    let mut events = tokio::task::JoinSet::new();
    for n in 0..EVENTS {
        let (c, u) = (client.clone(), l.url.clone());
        events.spawn(async move { (n, deliver_until_acked(&c, &u, n, deadline).await) });
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut unacked = vec![];
    while let Some(r) = events.join_next().await {
        let (n, ok) = r.unwrap();
        if !ok {
            unacked.push(n);
        }
    }
    let mut still_open = vec![];
    while let Some(r) = slow.join_next().await {
        let (i, closed) = r.unwrap();
        if !closed {
            still_open.push(i);
        }
    }
    still_open.sort();
    let stats = l.stop().await;
    eprintln!(
        "{SLOW} slow connections, {EVENTS} events, cap {CAP}: {:.1}s; peak {} connections, \
         limit reached {} times",
        started.elapsed().as_secs_f64(),
        stats.connections_peak.load(Relaxed),
        stats.connection_limit_reached.load(Relaxed)
    );
    assert!(unacked.is_empty(), "events never acknowledged: {unacked:?}");
    assert!(
        still_open.is_empty(),
        "slow connections never cut off (5th ones silent): {still_open:?}"
    );
    assert!(
        stats.connection_limit_reached.load(Relaxed) > 0,
        "the flood should have reached the cap"
    );
    assert!(
        stats.connections_peak.load(Relaxed) <= CAP as u64,
        "more connections open than the cap: {}",
        stats.connections_peak.load(Relaxed)
    );
    assert_eq!(stats.connections_open.load(Relaxed), 0);
    let db = rusqlite::Connection::open(&l.case).unwrap();
    let mut st = db
        .prepare("SELECT COUNT(*) FROM webhook_events WHERE event_ts = ?1")
        .unwrap();
    for n in 0..EVENTS {
        let c: i64 = st
            .query_row([1_719_000_000_000i64 + n as i64], |r| r.get(0))
            .unwrap();
        assert_eq!(c, 1, "event {n} not stored");
    }
}

/// Headers sent in full, then the body trickled (here: one byte of a promised hundred): answered
/// 408 once the body timeout passes, and the connection is closed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trickled_body_is_answered_408_and_closed() {
    let mut l = start(ListenOptions {
        body_timeout: Duration::from_secs(1),
        ..ListenOptions::default()
    })
    .await;
    let mut s = TcpStream::connect(l.addr).await.unwrap();
    let ts = chrono::Utc::now().timestamp().to_string();
    s.write_all(
        format!(
            "POST /webhook HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n\
             content-length: 100\r\nx-zm-request-timestamp: {ts}\r\n\
             x-zm-signature: v0=00\r\n\r\n{{"
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    // Everything the server sends until it closes, within a bound far above the timeout.
    let mut answer = vec![];
    let read = tokio::time::timeout(Duration::from_secs(15), s.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        read.is_ok(),
        "no answer and no close 15 s into a trickled body; got {answer:?}"
    );
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    let stats = l.stop().await;
    assert_eq!(stats.refused_body_timeout.load(Relaxed), 1);
    assert_eq!(stats.received.load(Relaxed), 0);
}
