//! `listen --websocket` against the simulator's WebSocket endpoint over loopback: every event
//! delivered is stored once and normalised as an imported webhook is, whatever the connection
//! goes through (cuts, half-dead connections, revoked tokens, redeliveries, token renewals, a
//! SIGKILL of the real binary); a second consumer of the same subscription is refused.

mod common;

use common::ws::*;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use zoomlens::sim::server::SimConfig;
use zoomlens::sim::server::ws::{WsFault, WsSimConfig};

fn ws_sim(rate: f64, faults: &[WsFault], fault_rate: f64) -> WsSimConfig {
    WsSimConfig {
        rate,
        faults: faults.to_vec(),
        fault_rate,
        replay: 15,
        ..WsSimConfig::default()
    }
}

/// Deliver `n` events under `faults`; return (the sim's final counters, the feed's health,
/// the case's counts, the reference counts).
async fn run(
    n: usize,
    cfg: SimConfig,
) -> (
    serde_json::Value,
    serde_json::Value,
    zoomlens::store::feed::FeedHealth,
    Vec<(String, i64)>,
    Vec<(String, i64)>,
) {
    let dir = tempfile::tempdir().unwrap();
    let t = tenant(n);
    assert_eq!(
        distinct(&t),
        n,
        "the tenant's events are distinct deliveries"
    );
    let want = reference(dir.path(), &t);
    let sim = Sim::start(t, cfg).await;
    let case = dir.path().join("ws.zl");
    let feed = Feed::start(&case, &sim, quick());
    let ws = sim.wait_delivered(n as u64).await;
    let health = feed.stop().await;
    let all = sim.stats().await;
    sim.stop().await;
    let got = counts(&case);
    (all, ws, health, got, want)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_is_stored_once_and_normalised_as_an_imported_webhook() {
    let n = 600;
    let (_, ws, h, got, want) = run(n, sim_config(ws_sim(3000.0, &[], 0.0))).await;
    assert_eq!(
        got, want,
        "case fed over the WebSocket vs the same events imported"
    );
    assert_eq!(got[0], ("webhook_events".to_string(), n as i64));
    assert!(
        want.iter().any(|(t, c)| t == "participants" && *c > 0),
        "{want:?}"
    );
    assert_eq!(h.stored, n as u64);
    assert_eq!(h.duplicates, 0);
    assert_eq!(h.state, "stopped");
    assert_eq!(ws["connections"], 1);
    assert_eq!(ws["refused"], 0);
    assert!(h.last_event_time.is_some() && h.last_event_at.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_every_fault_stored_equals_delivered_with_no_duplicates() {
    let n = 500;
    for (faults, rate) in [
        (vec![WsFault::Drop], 0.01),
        (vec![WsFault::Silence], 0.006),
        (vec![WsFault::Expire], 0.01),
        (vec![WsFault::Drop, WsFault::Duplicate], 0.01),
        (
            vec![
                WsFault::Drop,
                WsFault::Silence,
                WsFault::Expire,
                WsFault::Duplicate,
            ],
            0.01,
        ),
    ] {
        let (all, ws, h, got, want) = run(n, sim_config(ws_sim(2000.0, &faults, rate))).await;
        let what = format!("{faults:?}: sim {ws}, feed {h:?}");
        assert_eq!(got, want, "{what}");
        assert_eq!(got[0].1, n as i64, "{what}");
        assert_eq!(h.stored, n as u64, "{what}");
        // Every frame sent again after a reconnect was recognised as already stored.
        assert_eq!(h.duplicates, ws["duplicates"].as_u64().unwrap(), "{what}");
        let drawn: u64 = ["drop", "silence", "expire"]
            .iter()
            .map(|k| ws["faults"][k].as_u64().unwrap())
            .sum();
        assert!(drawn > 0, "no fault happened: {what}");
        assert!(h.reconnects >= drawn, "{what}");
        // Each fault left a gap in the feed, kept in the case.
        assert!(h.gap_count >= drawn, "{what}");
        if faults.contains(&WsFault::Duplicate) {
            assert!(h.duplicates > 0, "{what}");
        }
        if faults.contains(&WsFault::Expire) && ws["faults"]["expire"].as_u64().unwrap() > 0 {
            // A revoked token is never presented again: a fresh one is fetched at once.
            assert_eq!(ws["refused"], 0, "{what}");
            assert!(
                all["tokens_issued"].as_u64().unwrap() > ws["faults"]["expire"].as_u64().unwrap(),
                "{what} {all}"
            );
        }
        if faults == [WsFault::Silence] {
            // Nothing but missed heartbeat answers told the client the connection was dead.
            assert!(
                h.gaps
                    .iter()
                    .any(|g| g.reason.contains("heartbeat not answered")),
                "{what}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_is_renewed_before_it_expires() {
    let n = 300;
    let cfg = SimConfig {
        token_ttl: Duration::from_secs(4),
        ..sim_config(ws_sim(60.0, &[], 0.0))
    };
    let (all, ws, h, got, want) = run(n, cfg).await;
    assert_eq!(got, want);
    assert!(h.token_renewals >= 1, "{h:?}");
    assert!(
        all["tokens_issued"].as_u64().unwrap() > h.token_renewals,
        "{all}"
    );
    // Renewed ahead of time: Zoom never saw an expired token.
    assert_eq!(ws["refused"], 0, "{ws}");
    assert!(h.gaps.iter().any(|g| g.reason == "token renewal"), "{h:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_consumer_of_the_subscription_is_refused_and_the_first_goes_on() {
    let n = 200;
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::start(tenant(n), sim_config(ws_sim(100.0, &[], 0.0))).await;
    let case = dir.path().join("one.zl");
    let first = Feed::start(&case, &sim, quick());
    first.connected().await;
    let second = Feed::start(&case, &sim, quick());
    let e = second
        .task
        .unwrap()
        .await
        .unwrap()
        .expect_err("the second consumer is refused")
        .to_string();
    assert!(
        e.contains("already consuming subscription sim-subscription"),
        "{e}"
    );
    sim.wait_delivered(n as u64).await;
    let h = first.stop().await;
    assert_eq!(h.stored, n as u64);
    assert_eq!(h.reconnects, 0, "the first was never knocked off");
    sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_subscription_is_a_clear_error_not_a_retry_loop() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::start(tenant(10), sim_config(ws_sim(100.0, &[], 0.0))).await;
    let cfg = zoomlens::listen::ws::WsConfig {
        case: dir.path().join("x.zl"),
        subscription: "not-the-one".into(),
        ws_base: sim.ws_base.clone(),
        oauth_base: sim.http.clone(),
        credentials: credentials(),
        options: quick(),
    };
    let e = zoomlens::listen::ws::run(cfg, std::future::pending(), std::sync::Arc::new(|_| {}))
        .await
        .expect_err("refused")
        .to_string();
    assert!(e.contains("refused the WebSocket connection"), "{e}");
    assert!(e.contains("Invalid subscriptionId"), "{e}");
    assert_eq!(sim.ws().await["refused"], 2);
    sim.stop().await;
}

/// The simulator speaks Zoom's protocol as the samples record it, seen by a bare client.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulator_speaks_zoom_websocket_protocol() {
    use futures::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    let t = tenant(5);
    let first_body = t.webhooks[0].to_string();
    let sim = Sim::start(
        t,
        sim_config(WsSimConfig {
            secret: Some("frame-secret".into()),
            ..ws_sim(1000.0, &[], 0.0)
        }),
    )
    .await;
    let token = common::listen::json_reply(
        reqwest::Client::new()
            .post(format!(
                "{}/oauth/token?grant_type=client_credentials",
                sim.http
            ))
            .basic_auth("sim-client", Some("sim-secret")),
    )
    .await;
    let token = token["access_token"].as_str().unwrap().to_string();
    let url = |tok: &str| {
        format!(
            "{}?subscriptionId={SUBSCRIPTION}&access_token={tok}",
            sim.ws_base
        )
    };
    let json = |m: Message| -> serde_json::Value {
        serde_json::from_str(m.into_text().unwrap().as_str()).unwrap()
    };

    // A bad token is refused in-band, on an open socket.
    let (mut bad, _) = tokio_tungstenite::connect_async(url("nope")).await.unwrap();
    let refusal = json(bad.next().await.unwrap().unwrap());
    assert_eq!(
        refusal,
        serde_json::json!({"module": "build_connection", "success": false, "content": "Token is invalid"})
    );

    let (mut ws, _) = tokio_tungstenite::connect_async(url(&token)).await.unwrap();
    assert_eq!(
        json(ws.next().await.unwrap().unwrap()),
        serde_json::json!({"module": "build_connection", "success": true})
    );
    ws.send(Message::text(r#"{"module":"heartbeat"}"#))
        .await
        .unwrap();
    let mut events = vec![];
    let mut beat = None;
    while events.len() < 5 || beat.is_none() {
        let f = json(ws.next().await.unwrap().unwrap());
        match f["module"].as_str().unwrap() {
            "message" => events.push(f),
            "heartbeat" => beat = Some(f),
            m => panic!("unexpected module {m}"),
        }
    }
    assert_eq!(
        beat.unwrap(),
        serde_json::json!({"module": "heartbeat", "success": true, "content": "live", "header": {}})
    );
    // The body is a string holding the webhook JSON, signed as a webhook is.
    let content = events[0]["content"].as_str().unwrap();
    assert_eq!(content, first_body);
    let h = &events[0]["header"];
    let ts = h["x-zm-request-timestamp"].as_str().unwrap();
    assert_eq!(
        h["x-zm-signature"],
        zoomlens::sim::server::deliver::signature("frame-secret", ts, content.as_bytes())
    );
    // A second connection to the subscription knocks the first off.
    let (mut newer, _) = tokio_tungstenite::connect_async(url(&token)).await.unwrap();
    assert_eq!(json(newer.next().await.unwrap().unwrap())["success"], true);
    let closed = loop {
        match ws.next().await {
            Some(Ok(Message::Close(f))) => break f,
            Some(Ok(_)) => {}
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(
        closed.unwrap().reason.as_str(),
        "replaced by a newer connection"
    );
    let s = sim.ws().await;
    assert_eq!(s["refused"], 1);
    assert_eq!(s["replaced"], 1);
    assert_eq!(s["delivered"], 5);
    sim.stop().await;
}

const SECRET: &str = "ws-client-secret-DO-NOT-LEAK";

fn listen_bin(case: &std::path::Path, sim: &Sim, config_dir: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_zoomlens"));
    c.args(["listen"])
        .arg(case)
        .args(["--websocket", "--subscription", SUBSCRIPTION])
        .args(["--progress-secs", "1", "--heartbeat-secs", "1"])
        .env_remove("ZOOMLENS_LOG")
        .env("ZOOMLENS_CONFIG_DIR", config_dir)
        .env("ZOOM_WS_BASE", &sim.ws_base)
        .env("ZOOM_OAUTH_BASE", &sim.http)
        .env("ZOOM_ACCOUNT_ID", "sim-account")
        .env("ZOOM_CLIENT_ID", "sim-client")
        .env("ZOOM_CLIENT_SECRET", SECRET)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

fn stored_in(case: &std::path::Path) -> i64 {
    let db = rusqlite::Connection::open(case).unwrap();
    common::case::count(&db, "SELECT COUNT(*) FROM webhook_events")
}

/// The real binary, SIGKILLed mid-stream: what it reported committed is in the case; a second
/// consumer is refused while it runs; a restart on the same case completes the stream (the
/// simulator sends the last events again after the reconnect, as Zoom may) with no duplicates,
/// and `status` shows the feed with the time it was down.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_stream_loses_no_committed_event_and_a_restart_completes() {
    let n = 1500;
    let dir = tempfile::tempdir().unwrap();
    let t = tenant(n);
    let sim_cfg = SimConfig {
        client_secret: SECRET.into(),
        ..sim_config(WsSimConfig {
            replay: 400,
            ..ws_sim(150.0, &[WsFault::Duplicate], 0.0)
        })
    };
    let sim = Sim::start(t, sim_cfg).await;
    let case = dir.path().join("killed.zl");
    let mut child = listen_bin(&case, &sim, dir.path()).spawn().unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut banner = String::new();
    out.read_line(&mut banner).unwrap();
    assert!(
        banner.starts_with("consuming WebSocket subscription sim-subscription"),
        "{banner}"
    );
    assert!(!banner.contains("access_token"), "{banner}");
    // Progress lines until the listener reports enough committed events.
    let err = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        let mut all = String::new();
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            all.push_str(&line);
            all.push('\n');
            let _ = tx.send(line);
        }
        all
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    let committed = loop {
        let line = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("progress lines");
        if let Some(rest) = line.strip_prefix("websocket: ")
            && let Some(num) = rest.split(" events stored").next()
            && let Ok(k) = num.parse::<i64>()
            && k >= 200
        {
            break k;
        }
    };
    // A second consumer of the same subscription and case is refused while this one runs.
    let second = listen_bin(&case, &sim, dir.path()).output().unwrap();
    assert_eq!(second.status.code(), Some(1));
    let msg = String::from_utf8_lossy(&second.stderr);
    assert!(
        msg.contains("already consuming subscription sim-subscription"),
        "{msg}"
    );
    assert!(
        msg.contains(&format!("pid {}", child.id())),
        "names the holder: {msg}"
    );

    child.kill().unwrap();
    child.wait().unwrap();
    let log = reader.join().unwrap();
    let after_kill = stored_in(&case);
    assert!(
        after_kill >= committed,
        "{committed} reported committed, {after_kill} in the case after SIGKILL"
    );
    assert!((after_kill as usize) < n, "killed mid-stream");
    assert!(
        !log.contains(SECRET),
        "the client secret leaked into the log"
    );

    // The restart takes the lock the dead process held and completes the stream.
    let mut again = listen_bin(&case, &sim, dir.path()).spawn().unwrap();
    let reader2 = common::cli::drain(again.stderr.take().unwrap());
    sim.wait_delivered(n as u64).await;
    // Everything delivered is committed once the stream is stored; wait for the count.
    let deadline = Instant::now() + Duration::from_secs(60);
    while stored_in(&case) < n as i64 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    common::cli::terminate(again.id());
    let status = again.wait().unwrap();
    let log2 = reader2.join().unwrap();
    assert!(status.success(), "{status:?}: {log2}");
    let mut summary = String::new();
    std::io::Read::read_to_string(&mut again.stdout.take().unwrap(), &mut summary).unwrap();
    assert!(summary.contains("stopped: "), "{summary}");
    assert_eq!(stored_in(&case), n as i64, "complete, each event once");
    let db = rusqlite::Connection::open(&case).unwrap();
    let distinct = common::case::count(
        &db,
        "SELECT COUNT(*) FROM (SELECT DISTINCT event, event_ts, payload_sha256 FROM webhook_events)",
    );
    assert_eq!(distinct, n as i64);
    drop(db);
    sim.stop().await;

    // `status` (read-only) shows the feed, stopped, with the time it was down.
    let text = common::cli::status(&case);
    assert!(text.contains("live feeds"), "{text}");
    assert!(
        text.contains("websocket sim-subscription: stopped at"),
        "{text}"
    );
    assert!(
        text.contains("listener not running (the previous one ended without stopping)"),
        "{text}"
    );
    let json = Command::new(env!("CARGO_BIN_EXE_zoomlens"))
        .args(["status", "--json"])
        .arg(&case)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["feeds"][0]["stored_total"], n as u64);
    for f in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = std::fs::read(f.unwrap().path()).unwrap();
        assert!(
            !bytes.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()),
            "secret found beside the case"
        );
    }
}
