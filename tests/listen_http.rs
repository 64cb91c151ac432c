//! The webhook listener over real HTTP on loopback, in-process: Zoom's samples signed as Zoom
//! signs them, every refusal, retries, rotation, url_validation and graceful shutdown.

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use zoomlens::listen::ListenOptions;
use zoomlens::listen::verify::{Clock, Secret, Secrets, sign};

mod common;

use common::case::count;
use common::listen::{self, Running};

const SECRET: &str = "test-secret-token-123";

fn samples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/zoom/samples")
}

fn sample(name: &str) -> Value {
    let p = samples_dir().join(name);
    serde_json::from_str(&std::fs::read_to_string(&p).expect("sample")).unwrap()
}

/// Every webhook event sample (not the challenge, its answer, or the signature vector).
fn event_samples() -> Vec<(String, Value)> {
    let mut out = vec![];
    for e in std::fs::read_dir(samples_dir()).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        if name.starts_with("webhook_")
            && name.ends_with(".json")
            && !name.contains("url_validation")
            && !name.contains("signature_test_vector")
        {
            out.push((name.clone(), sample(&name)));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

async fn start_with(secrets: Secrets, clock: Option<Clock>) -> Running {
    listen::start(secrets, clock, ListenOptions::default()).await
}

async fn start() -> Running {
    start_with(listen::secrets(SECRET), None).await
}

/// Post with Zoom's two signature headers as given.
async fn post_with(url: &str, body: Vec<u8>, ts: &str, sig: &str) -> (u16, Value) {
    post_raw(
        url,
        body,
        &[("x-zm-request-timestamp", ts), ("x-zm-signature", sig)],
    )
    .await
}

fn now() -> String {
    chrono::Utc::now().timestamp().to_string()
}

async fn post_raw(url: &str, body: Vec<u8>, headers: &[(&str, &str)]) -> (u16, Value) {
    let mut rq = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json; charset=utf-8")
        .header("user-agent", "Zoom Marketplace/1.0a");
    for (k, v) in headers {
        rq = rq.header(*k, *v);
    }
    let r = rq.body(body).send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// POST as Zoom does: timestamp in seconds, signature over the exact bytes.
async fn post_signed(url: &str, secret: &str, body: &[u8]) -> (u16, Value) {
    let ts = now();
    let sig = sign(secret, &ts, body);
    post_with(url, body.to_vec(), &ts, &sig).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_webhook_sample_is_accepted_and_normalised() {
    let mut l = start().await;
    let samples = event_samples();
    assert!(samples.len() >= 15, "samples found: {}", samples.len());
    for (name, body) in &samples {
        // Zoom sends compact JSON.
        let bytes = serde_json::to_vec(body).unwrap();
        let (status, answer) = post_signed(&l.url, SECRET, &bytes).await;
        assert_eq!(status, 200, "{name}: {answer}");
        assert_eq!(answer["status"], "stored", "{name}: {answer}");
    }
    let stats = l.stop().await;
    assert_eq!(
        stats.stored.load(std::sync::atomic::Ordering::Relaxed),
        samples.len() as u64
    );
    let db = l.db();
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM webhook_events"),
        samples.len() as i64
    );
    for (name, body) in &samples {
        let n: i64 = db
            .query_row(
                "SELECT COUNT(*) FROM webhook_events WHERE event = ?1 AND event_ts = ?2",
                rusqlite::params![
                    body["event"].as_str().unwrap(),
                    body["event_ts"].as_i64().unwrap()
                ],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 1, "{name} not in webhook_events");
    }
    // Normalised like the reports: the guest's join is a participant session from a webhook.
    let joined = sample("webhook_meeting.participant_joined.json");
    let p = &joined["payload"]["object"];
    let (name, in_webhook): (String, i64) = db
        .query_row(
            "SELECT name, in_webhook FROM participants WHERE meeting_uuid = ?1 AND user_id = ?2",
            rusqlite::params![
                p["uuid"].as_str().unwrap(),
                p["participant"]["user_id"].as_str().unwrap()
            ],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("participant_joined normalised into participants");
    assert_eq!(name, p["participant"]["user_name"].as_str().unwrap());
    assert_eq!(in_webhook, 1);
    let started = sample("webhook_meeting.started.json");
    assert_eq!(
        count(
            &db,
            &format!(
                "SELECT COUNT(*) FROM meetings WHERE uuid = '{}'",
                started["payload"]["object"]["uuid"].as_str().unwrap()
            )
        ),
        1,
        "meeting.started normalised into meetings"
    );
    let signed_in = sample("webhook_user.signed_in.json");
    assert!(
        count(
            &db,
            &format!(
                "SELECT COUNT(*) FROM signins WHERE email = '{}'",
                signed_in["payload"]["object"]["email"].as_str().unwrap()
            )
        ) >= 1,
        "user.signed_in normalised into signins"
    );
    let deleted = sample("webhook_recording.deleted.json");
    assert_eq!(
        count(
            &db,
            &format!(
                "SELECT COUNT(*) FROM recordings WHERE meeting_uuid = '{}' AND deleted_time IS NOT NULL",
                deleted["payload"]["object"]["uuid"].as_str().unwrap()
            )
        ),
        1,
        "recording.deleted marks the recording deleted"
    );
    // Provenance: all events under one webhook origin, not one origin per event.
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM origins WHERE kind = 'webhook'"),
        1
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM rejects"), 0);
}

fn relaxed(c: &std::sync::atomic::AtomicU64) -> u64 {
    c.load(std::sync::atomic::Ordering::Relaxed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn url_validation_is_answered_as_zoom_expects_and_not_stored() {
    let req = sample("webhook_endpoint.url_validation.json");
    let want = sample("webhook_endpoint.url_validation_response.json");
    let ts = req["_headers"]["x-zm-request-timestamp"].as_str().unwrap();
    let sig = req["_headers"]["x-zm-signature"].as_str().unwrap();
    let raw = req["_raw_body"].as_str().unwrap();
    let t: i64 = ts.parse().unwrap();
    let mut l = start_with(
        Secrets {
            current: Secret::new("EXAMPLE_WEBHOOK_SECRET_TOKEN"),
            old: None,
        },
        Some(Arc::new(move || t + 2)),
    )
    .await;
    let (status, answer) = post_raw(
        &l.url,
        raw.as_bytes().to_vec(),
        &[("x-zm-request-timestamp", ts), ("x-zm-signature", sig)],
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["plainToken"], want["plainToken"]);
    assert_eq!(answer["encryptedToken"], want["encryptedToken"]);
    // The challenge must be signed too: the same body with a wrong signature is refused.
    let (status, _) = post_raw(
        &l.url,
        raw.as_bytes().to_vec(),
        &[
            ("x-zm-request-timestamp", ts),
            ("x-zm-signature", &sign("wrong", ts, raw.as_bytes())),
        ],
    )
    .await;
    assert_eq!(status, 401);
    let stats = l.stop().await;
    assert_eq!(relaxed(&stats.url_validations), 1);
    assert_eq!(count(&l.db(), "SELECT COUNT(*) FROM webhook_events"), 0);
    assert_eq!(count(&l.db(), "SELECT COUNT(*) FROM rejects"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zoom_test_vector_is_accepted_with_its_clock_and_refused_as_replay_now() {
    let v = sample("webhook_signature_test_vector.json");
    let secret = v["secret_token"].as_str().unwrap();
    let ts = v["headers"]["x-zm-request-timestamp"].as_str().unwrap();
    let sig = v["headers"]["x-zm-signature"].as_str().unwrap();
    let raw = v["raw_body"].as_str().unwrap().as_bytes().to_vec();
    let hdrs = [("x-zm-request-timestamp", ts), ("x-zm-signature", sig)];
    // Today the vector is two years old: a replay.
    let mut real = start_with(listen::secrets(secret), None).await;
    let (status, answer) = post_raw(&real.url, raw.clone(), &hdrs).await;
    assert_eq!(status, 401, "{answer}");
    assert!(answer["error"].as_str().unwrap().contains("in the past"));
    real.stop().await;
    assert_eq!(count(&real.db(), "SELECT COUNT(*) FROM webhook_events"), 0);

    let t: i64 = ts.parse().unwrap();
    let mut then = start_with(listen::secrets(secret), Some(Arc::new(move || t))).await;
    let (status, answer) = post_raw(&then.url, raw, &hdrs).await;
    assert_eq!(status, 200, "{answer}");
    then.stop().await;
    assert_eq!(
        count(
            &then.db(),
            "SELECT COUNT(*) FROM webhook_events WHERE event = 'meeting.started' AND event_ts = 1718000000123"
        ),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_refusal_stores_nothing() {
    let counts = ListenOptions {
        healthz_counts: true,
        ..ListenOptions::default()
    };
    let mut l = listen::start(listen::secrets(SECRET), None, counts).await;
    let body = serde_json::to_vec(&sample("webhook_meeting.participant_joined.json")).unwrap();
    let ts = now();
    let t: i64 = ts.parse().unwrap();
    let good = sign(SECRET, &ts, &body);

    // No signature.
    let (s, a) = post_raw(&l.url, body.clone(), &[("x-zm-request-timestamp", &ts)]).await;
    assert_eq!(s, 401, "{a}");
    // No timestamp.
    let (s, _) = post_raw(&l.url, body.clone(), &[("x-zm-signature", &good)]).await;
    assert_eq!(s, 401);
    // Signed with another secret.
    let other = sign("someone-else", &ts, &body);
    let (s, a) = post_with(&l.url, body.clone(), &ts, &other).await;
    assert_eq!(s, 401);
    assert!(!a.to_string().contains(SECRET));
    // Right signature, body altered after signing (one space added).
    let mut altered = body.clone();
    altered.insert(1, b' ');
    let (s, _) = post_with(&l.url, altered, &ts, &good).await;
    assert_eq!(s, 401);
    // Right signature, timestamp header changed.
    let later = (t + 1).to_string();
    let (s, _) = post_raw(
        &l.url,
        body.clone(),
        &[
            ("x-zm-request-timestamp", &later),
            ("x-zm-signature", &good),
        ],
    )
    .await;
    assert_eq!(s, 401);
    // Correctly signed but stale (a replay) or from the future: more than 5 minutes off (the
    // exact ±300 s boundary is unit-tested with an injected clock).
    for off in [-360, 360, -86_400] {
        let tt = (t + off).to_string();
        let sig = sign(SECRET, &tt, &body);
        let (s, a) = post_raw(
            &l.url,
            body.clone(),
            &[("x-zm-request-timestamp", &tt), ("x-zm-signature", &sig)],
        )
        .await;
        assert_eq!(s, 401, "offset {off}: {a}");
    }
    // Over 1 MiB, correctly signed: 413 before anything else.
    let mut big = br#"{"event":"meeting.started","event_ts":1,"payload":{"x":""#.to_vec();
    big.extend(std::iter::repeat_n(b'a', (1 << 20) + 10));
    big.extend(br#""}}"#);
    let sig = sign(SECRET, &ts, &big);
    let (s, _) = post_with(&l.url, big, &ts, &sig).await;
    assert_eq!(s, 413);
    // Not JSON, not UTF-8, unsigned: refused before anything is read from it.
    let (s, _) = post_raw(
        &l.url,
        vec![b'{', 0xff, 0xfe, b'}'],
        &[("x-zm-request-timestamp", &ts)],
    )
    .await;
    assert_eq!(s, 401);
    // url_validation without a plainToken.
    let ch = br#"{"event":"endpoint.url_validation","event_ts":1,"payload":{}}"#;
    let sig = sign(SECRET, &ts, ch);
    let (s, _) = post_with(&l.url, ch.to_vec(), &ts, &sig).await;
    assert_eq!(s, 400);

    let health = l.health().await;
    assert_eq!(health["status"], "ok");
    assert_eq!(health["received"], 0);
    assert_eq!(health["refused"]["signature"], 5);
    assert_eq!(health["refused"]["timestamp"], 4);
    assert_eq!(health["refused"]["too_large"], 1);
    assert_eq!(health["refused"]["bad_challenge"], 1);

    let stats = l.stop().await;
    assert_eq!(relaxed(&stats.received), 0);
    let db = l.db();
    for table in ["webhook_events", "participants", "meetings", "rejects"] {
        assert_eq!(
            count(&db, &format!("SELECT COUNT(*) FROM {table}")),
            0,
            "{table} must stay empty"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retried_delivery_is_stored_once() {
    let mut l = start().await;
    let body = serde_json::to_vec(&sample("webhook_recording.deleted.json")).unwrap();
    let (s, a) = post_signed(&l.url, SECRET, &body).await;
    assert_eq!((s, a["status"].as_str()), (200, Some("stored")));
    // Zoom's retry: same body, new timestamp and signature.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (s, a) = post_signed(&l.url, SECRET, &body).await;
    assert_eq!((s, a["status"].as_str()), (200, Some("duplicate")));
    // And several copies at once (same batch).
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let (u, b) = (l.url.clone(), body.clone());
        set.spawn(async move { post_signed(&u, SECRET, &b).await.0 });
    }
    while let Some(s) = set.join_next().await {
        assert_eq!(s.unwrap(), 200);
    }
    let stats = l.stop().await;
    assert_eq!(relaxed(&stats.stored), 1);
    assert_eq!(relaxed(&stats.duplicates), 9);
    assert_eq!(count(&l.db(), "SELECT COUNT(*) FROM webhook_events"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_token_is_accepted_during_rotation() {
    let mut l = start_with(
        Secrets {
            current: Secret::new("new-token"),
            old: Some(Secret::new("old-token")),
        },
        None,
    )
    .await;
    let a = serde_json::to_vec(&sample("webhook_user.signed_in.json")).unwrap();
    let b = serde_json::to_vec(&sample("webhook_user.signed_out.json")).unwrap();
    assert_eq!(post_signed(&l.url, "old-token", &a).await.0, 200);
    assert_eq!(post_signed(&l.url, "new-token", &b).await.0, 200);
    assert_eq!(post_signed(&l.url, "older-token", &b).await.0, 401);
    // A url_validation signed with the old token is answered with the old token.
    let ch = br#"{"payload":{"plainToken":"abc"},"event_ts":1,"event":"endpoint.url_validation"}"#;
    let (s, ans) = post_signed(&l.url, "old-token", ch).await;
    assert_eq!(s, 200);
    let mut m = <hmac::Hmac<sha2::Sha256> as hmac::KeyInit>::new_from_slice(b"old-token").unwrap();
    hmac::Mac::update(&mut m, b"abc");
    assert_eq!(
        ans["encryptedToken"],
        hex::encode(hmac::Mac::finalize(m).into_bytes())
    );
    l.stop().await;
    assert_eq!(count(&l.db(), "SELECT COUNT(*) FROM webhook_events"), 2);
}

/// A participant_joined event unique by `n` (user id and event_ts).
fn numbered_event(n: u64) -> Vec<u8> {
    let mut v = sample("webhook_meeting.participant_joined.json");
    v["event_ts"] = json!(1_718_000_000_000i64 + n as i64);
    v["payload"]["object"]["participant"]["user_id"] = json!(format!("{}", 20_000_000 + n));
    v["payload"]["object"]["participant"]["user_name"] = json!(format!("Load Guest {n}"));
    serde_json::to_vec(&v).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_shutdown_keeps_every_acknowledged_event() {
    let mut l = start().await;
    let client = reqwest::Client::new();
    let done = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut set = tokio::task::JoinSet::new();
    for n in 0..400u64 {
        let (c, u, d) = (client.clone(), l.url.clone(), done.clone());
        set.spawn(async move {
            let r = listen::signed(&c, &u, SECRET, numbered_event(n))
                .send()
                .await;
            let ok = matches!(&r, Ok(r) if r.status() == 200);
            d.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            (n, ok)
        });
    }
    // Stop once some answers are back, while the rest are in flight or queued.
    while relaxed(&done) < 100 {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let _ = l.stop.take().unwrap().send(());
    let mut acked = vec![];
    while let Some(r) = set.join_next().await {
        let (n, ok) = r.unwrap();
        if ok {
            acked.push(n);
        }
    }
    let stats = l.task.take().unwrap().await.unwrap().unwrap();
    assert!(!acked.is_empty());
    let db = l.db();
    let mut st = db
        .prepare("SELECT COUNT(*) FROM webhook_events WHERE event_ts = ?1")
        .unwrap();
    for n in &acked {
        let c: i64 = st
            .query_row([1_718_000_000_000i64 + *n as i64], |r| r.get(0))
            .unwrap();
        assert_eq!(c, 1, "acknowledged event {n} missing after shutdown");
    }
    // Nothing stored that the writer did not also count.
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM webhook_events") as u64,
        relaxed(&stats.stored)
    );
    assert!(relaxed(&stats.stored) >= acked.len() as u64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authentic_but_unusable_event_is_kept_in_rejects() {
    let mut l = start().await;
    // Signed and JSON, but no event_ts: not refused (Zoom would retry it forever), kept whole.
    let body = br#"{"event":"meeting.started","payload":{"object":{"uuid":"x"}}}"#;
    let (s, a) = post_signed(&l.url, SECRET, body).await;
    assert_eq!((s, a["status"].as_str()), (200, Some("rejected")), "{a}");
    let stats = l.stop().await;
    assert_eq!(relaxed(&stats.rejected), 1);
    let db = l.db();
    assert_eq!(count(&db, "SELECT COUNT(*) FROM webhook_events"), 0);
    let raw: String = db
        .query_row("SELECT raw FROM rejects", [], |r| r.get(0))
        .unwrap();
    assert_eq!(raw.as_bytes(), body);
}

/// Signed by Zoom but unreadable as an event (not UTF-8, not JSON, JSON that is not an event):
/// authenticated, so kept in zoom_rejects with the reason and answered 200 "rejected" (a 400
/// only made Zoom retry it three times and then drop it). What is kept is the body: never the
/// Secret Token, nor the signature headers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_bodies_that_are_not_events_are_kept_in_rejects() {
    let mut l = start().await;
    let not_utf8 = vec![b'{', 0xff, 0xfe, b'}'];
    let bodies: Vec<Vec<u8>> = vec![
        b"event=meeting.started".to_vec(),
        b"{\"event\":\"x\"".to_vec(),
        b"[1,2,3]".to_vec(),
        b"{\"payload\":{}}".to_vec(),
        not_utf8.clone(),
    ];
    let mut sigs = vec![];
    for body in &bodies {
        let ts = now();
        let sig = sign(SECRET, &ts, body);
        let (s, a) = post_with(&l.url, body.clone(), &ts, &sig).await;
        assert_eq!(
            (s, a["status"].as_str()),
            (200, Some("rejected")),
            "{:?}: {a}",
            String::from_utf8_lossy(body)
        );
        sigs.push(sig);
    }
    let stats = l.stop().await;
    assert_eq!(relaxed(&stats.rejected), bodies.len() as u64);
    assert_eq!(stats.refused_total(), 0);
    let db = l.db();
    assert_eq!(count(&db, "SELECT COUNT(*) FROM webhook_events"), 0);
    let rows: Vec<(String, String)> = db
        .prepare("SELECT raw, reason FROM zoom_rejects ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows.len(), bodies.len(), "{rows:?}");
    for ((raw, reason), body) in rows.iter().zip(&bodies) {
        assert!(!reason.is_empty());
        if body == &not_utf8 {
            // Kept byte for byte, as base64 (the column is text), and the reason says so.
            assert!(
                reason.contains("not UTF-8") && reason.contains("base64"),
                "{reason}"
            );
            let back =
                base64::Engine::decode(&base64::engine::general_purpose::STANDARD, raw).unwrap();
            assert_eq!(&back, body);
        } else {
            assert_eq!(raw.as_bytes(), body.as_slice(), "{reason}");
        }
    }
    // Neither the secret nor a signature anywhere in the case (database and WAL).
    drop(db);
    for f in std::fs::read_dir(l.case.parent().unwrap()).unwrap() {
        let bytes = std::fs::read(f.unwrap().path()).unwrap();
        for needle in std::iter::once(SECRET).chain(sigs.iter().map(String::as_str)) {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "{needle:?} found in the case"
            );
        }
    }
}

/// /healthz needs no authentication, so by default it says only that the listener is up; the
/// counters are opt-in (ListenOptions::healthz_counts).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_shows_counts_only_when_asked() {
    let body = serde_json::to_vec(&sample("webhook_meeting.started.json")).unwrap();
    let mut plain = start().await;
    assert_eq!(post_signed(&plain.url, SECRET, &body).await.0, 200);
    let r = reqwest::get(format!("{}/healthz", plain.base))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let health: Value = r.json().await.unwrap();
    assert_eq!(health, json!({ "status": "ok" }));
    plain.stop().await;

    let counts = ListenOptions {
        healthz_counts: true,
        ..ListenOptions::default()
    };
    let mut counted = listen::start(listen::secrets(SECRET), None, counts).await;
    assert_eq!(post_signed(&counted.url, SECRET, &body).await.0, 200);
    let health = counted.health().await;
    assert_eq!(health["status"], "ok");
    assert_eq!(health["stored"], 1, "{health}");
    assert_eq!(health["connections"]["limit_reached"], 0, "{health}");
    counted.stop().await;
}
