//! Shared helpers of the simulator tests: a small tenant built from ../shared/zoom/samples,
//! an in-process server on 127.0.0.1:0, and a JSON shape comparator.
#![allow(dead_code)]

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use zoomlens::sim::server::{SimConfig, serve};
use zoomlens::sim::tenant::Tenant;

pub const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/zoom/samples");
pub const DAVE: &str = "z8yCxjabcdEFGHfp8uQ";
pub const JILL: &str = "KDcuGIm1QgePTO8WbOqwIQ";
pub const LATEST_UUID: &str = "4444AAAiAAAAAiAiAiiAii==";
pub const SLASH_UUID: &str = "/ajXp112QmuoKj4854875==";
pub const OLD_UUID: &str = "OLDmeet+ing//abc==";
pub const MEETING_ID: i64 = 85746065432;
pub const OLD_MEETING_ID: i64 = 11122233344;

/// A sample body without the "_" annotation keys.
pub fn sample(name: &str) -> Value {
    let text = std::fs::read_to_string(format!("{SAMPLES}/{name}"))
        .unwrap_or_else(|e| panic!("read sample {name}: {e}"));
    let mut v: Value = serde_json::from_str(&text).unwrap();
    strip(&mut v);
    v
}

fn strip(v: &mut Value) {
    match v {
        Value::Object(o) => {
            o.retain(|k, _| !k.starts_with('_'));
            o.values_mut().for_each(strip);
        }
        Value::Array(a) => a.iter_mut().for_each(strip),
        _ => {}
    }
}

fn arr(v: &Value, k: &str) -> Vec<Value> {
    v[k].as_array().cloned().unwrap_or_default()
}

fn at(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The clock the fixture's dates are recent against.
pub fn fixture_now() -> DateTime<Utc> {
    "2024-06-20T00:00:00Z".parse().unwrap()
}

/// Counts of the fixture, for paging tests.
pub const N_ACTIVITIES: usize = 121;
pub const N_EXTRA_USERS: usize = 70;
pub const N_EXTRA_PARTICIPANTS: usize = 64;
pub const N_EXTRA_CHAT: usize = 23;
/// The channel all of Dave's chat messages are in.
pub const CHANNEL: &str = "CHENG001";

/// A small tenant made of the sample records, multiplied where paging needs volume.
pub fn tenant() -> Tenant {
    let mut t = Tenant {
        account_id: "sim-account".into(),
        ..Tenant::default()
    };
    // Users: the two samples, 70 more active, one inactive, one pending (no id).
    let users = sample("users.json");
    t.users = arr(&users, "users");
    let proto = t.users[0].clone();
    for i in 0..N_EXTRA_USERS {
        let mut u = proto.clone();
        u["id"] = json!(format!("user{i:03}"));
        u["email"] = json!(format!("user{i:03}@example.com"));
        t.users.push(u);
    }
    let mut gone = proto.clone();
    gone["id"] = json!("inactive001");
    gone["email"] = json!("gone@example.com");
    gone["status"] = json!("inactive");
    t.users.push(gone);
    let mut pending = proto.clone();
    pending.as_object_mut().unwrap().remove("id");
    pending["email"] = json!("invited@example.com");
    pending["status"] = json!("pending");
    t.users.push(pending);

    // Activities: 121 records every 2 hours from 2024-06-01 (about 10 days).
    let acts = arr(&sample("report_activities.json"), "activity_logs");
    let start: DateTime<Utc> = "2024-06-01T00:00:00Z".parse().unwrap();
    for i in 0..N_ACTIVITIES {
        let mut a = acts[i % acts.len()].clone();
        a["time"] = json!(at(start + Duration::hours(2 * i as i64)));
        a["ip_address"] = json!(format!("192.0.2.{}", i % 250));
        t.activities.push(a);
    }
    t.operations = arr(&sample("report_operationlogs.json"), "operation_logs");

    // Meetings of Dave: the sample (latest instance), an earlier instance of the same meeting
    // whose UUID starts with "/", and a meeting from more than a year before fixture_now().
    let m = arr(&sample("report_user_meetings.json"), "meetings")[0].clone();
    let mut earlier = m.clone();
    earlier["uuid"] = json!(SLASH_UUID);
    earlier["start_time"] = json!("2024-06-03T06:01:11Z");
    earlier["end_time"] = json!("2024-06-03T06:40:00Z");
    let mut old = m.clone();
    old["uuid"] = json!(OLD_UUID);
    old["id"] = json!(OLD_MEETING_ID);
    old["start_time"] = json!("2023-05-02T10:00:00Z");
    old["end_time"] = json!("2023-05-02T11:00:00Z");
    t.meetings_by_host
        .insert(DAVE.into(), vec![earlier.clone(), m.clone(), old]);

    let parts = arr(&sample("report_meeting_participants.json"), "participants");
    let mut latest = parts.clone();
    for i in 0..N_EXTRA_PARTICIPANTS {
        let mut p = parts[0].clone();
        p["user_id"] = json!(format!("{}", 16_800_000 + i));
        p["name"] = json!(format!("Person {i}"));
        latest.push(p);
    }
    t.participants.insert(LATEST_UUID.into(), latest);
    t.participants
        .insert(SLASH_UUID.into(), parts[..1].to_vec());
    t.participants.insert(OLD_UUID.into(), parts[..1].to_vec());
    let metrics = arr(&sample("metrics_meeting_participants.json"), "participants");
    t.metrics.insert(LATEST_UUID.into(), metrics.clone());
    t.metrics.insert(OLD_UUID.into(), metrics);

    t.recordings_by_host.insert(
        DAVE.into(),
        arr(&sample("user_recordings.json"), "meetings"),
    );
    t.trash_by_host.insert(
        DAVE.into(),
        arr(&sample("user_recordings_trash.json"), "meetings"),
    );

    let msgs = arr(&sample("chat_messages.json"), "messages");
    let mut chat = msgs.clone();
    let base: DateTime<Utc> = "2024-06-10T08:00:00Z".parse().unwrap();
    for i in 0..N_EXTRA_CHAT {
        let mut c = msgs[0].clone();
        let ts = base + Duration::minutes(i as i64);
        c["id"] = json!(format!("msg{i:03}"));
        c["date_time"] = json!(at(ts));
        c["timestamp"] = json!(ts.timestamp_millis());
        chat.push(c);
    }
    let mut deleted = msgs[0].clone();
    deleted["id"] = json!("deleted001");
    deleted["status"] = json!("Deleted");
    chat.push(deleted);
    // All of Dave's messages are in one channel (Zoom asks for a channel or a contact).
    for m in &chat {
        t.chat_channel
            .insert(m["id"].as_str().unwrap().to_string(), CHANNEL.into());
    }
    t.chat_by_user.insert(DAVE.into(), chat);

    let mut hooks: Vec<Value> = std::fs::read_dir(SAMPLES)
        .unwrap()
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            (name.starts_with("webhook_")
                && !name.contains("url_validation")
                && !name.contains("test_vector"))
            .then(|| sample(&name))
        })
        .collect();
    hooks.sort_by_key(|h| h["event_ts"].as_i64());
    t.webhooks = hooks;
    t
}

/// Test configuration: fixture clock, defaults otherwise.
pub fn cfg() -> SimConfig {
    SimConfig {
        now: Some(fixture_now()),
        ..SimConfig::default()
    }
}

/// Start a simulator on a free port; returns its base URL.
pub async fn start(t: Tenant, cfg: SimConfig) -> String {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(serve(Arc::new(t), cfg, l));
    format!("http://{addr}")
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// An S2S access token with the default credentials.
pub async fn token(c: &reqwest::Client, base: &str) -> String {
    let r = c
        .post(format!("{base}/oauth/token"))
        .basic_auth("sim-client", Some("sim-secret"))
        .form(&[
            ("grant_type", "account_credentials"),
            ("account_id", "sim-account"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    v["access_token"].as_str().unwrap().to_string()
}

/// GET base/v2{path_and_query} with a bearer token: (status, JSON body).
pub async fn get(c: &reqwest::Client, base: &str, tok: &str, path: &str) -> (u16, Value) {
    let r = c
        .get(format!("{base}/v2{path}"))
        .bearer_auth(tok)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    let v = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{path}: body is not JSON ({e}): {text}"));
    (status, v)
}

/// Walk every page of a list endpoint; returns all records (and asserts the token protocol).
pub async fn walk(c: &reqwest::Client, base: &str, tok: &str, path: &str, key: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut next = String::new();
    let sep = if path.contains('?') { '&' } else { '?' };
    for _ in 0..1000 {
        let url = if next.is_empty() {
            path.to_string()
        } else {
            format!("{path}{sep}next_page_token={next}")
        };
        let (s, v) = get(c, base, tok, &url).await;
        assert_eq!(s, 200, "{url}: {v}");
        out.extend(v[key].as_array().unwrap().iter().cloned());
        next = v["next_page_token"].as_str().unwrap_or("").to_string();
        if next.is_empty() {
            return out;
        }
    }
    panic!("{path}: paging never ended");
}

/// A simulator and a client signed in to it with the default credentials: where most
/// simulator tests start.
pub struct Api {
    pub c: reqwest::Client,
    pub base: String,
    pub tok: String,
}

impl Api {
    pub async fn start(t: Tenant, cfg: SimConfig) -> Api {
        let base = start(t, cfg).await;
        let c = client();
        let tok = token(&c, &base).await;
        Api { c, base, tok }
    }

    /// GET /v2{path}: (status, JSON body).
    pub async fn get(&self, path: &str) -> (u16, Value) {
        get(&self.c, &self.base, &self.tok, path).await
    }

    /// Every record of a paged list endpoint.
    pub async fn walk(&self, path: &str, key: &str) -> Vec<Value> {
        walk(&self.c, &self.base, &self.tok, path, key).await
    }

    /// GET /v2{path} as it came: for status, headers and bodies that are not JSON.
    pub async fn raw(&self, path: &str) -> reqwest::Response {
        self.c
            .get(format!("{}/v2{path}", self.base))
            .bearer_auth(&self.tok)
            .send()
            .await
            .unwrap()
    }

    /// The simulator's own counters (/_sim/stats).
    pub async fn stats(&self) -> Value {
        let r = self.c.get(format!("{}/_sim/stats", self.base)).send();
        r.await.unwrap().json().await.unwrap()
    }
}

/// Double URL-encoding of a UUID, escaping `/`, `+` and `=` (API.md §2.0).
pub fn encode(s: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(s, SET).to_string()
}

// ---------- JSON shapes ----------

/// A JSON type name, with integers told apart from floats.
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Where `actual` departs from the shape of `sample`: a field the sample always has is missing,
/// a field the sample never has is present, or a JSON type differs. Arrays compare every
/// element against the union of the sample's elements (keys present in every sample element
/// are required, the others optional).
pub fn shape_diff(actual: &Value, sample: &Value, path: &str, out: &mut Vec<String>) {
    match (actual, sample) {
        (Value::Object(a), Value::Object(s)) => {
            for (k, sv) in s {
                match a.get(k) {
                    None => out.push(format!("{path}.{k}: missing")),
                    Some(av) => shape_diff(av, sv, &format!("{path}.{k}"), out),
                }
            }
            for k in a.keys() {
                if !s.contains_key(k) {
                    out.push(format!("{path}.{k}: not in the sample"));
                }
            }
        }
        (Value::Array(a), Value::Array(s)) => {
            if s.is_empty() {
                return;
            }
            let union = union_shape(s);
            for (i, av) in a.iter().enumerate() {
                let p = format!("{path}[{i}]");
                match (&union, av) {
                    (Union::Objects { fields, required }, Value::Object(ao)) => {
                        for k in required {
                            if !ao.contains_key(k) && !documented_optional(path, k) {
                                out.push(format!("{p}.{k}: missing"));
                            }
                        }
                        for (k, v) in ao {
                            match fields.get(k) {
                                None => out.push(format!("{p}.{k}: not in the sample")),
                                Some(sv) => shape_diff(v, sv, &format!("{p}.{k}"), out),
                            }
                        }
                    }
                    (Union::Scalar(sv), _) => shape_diff(av, sv, &p, out),
                    (Union::Objects { .. }, other) => {
                        out.push(format!("{p}: {} where the sample has object", kind(other)))
                    }
                }
            }
        }
        (a, s) => {
            if kind(a) != kind(s) {
                out.push(format!(
                    "{path}: {} where the sample has {}",
                    kind(a),
                    kind(s)
                ));
            }
        }
    }
}

/// Fields the samples always show but API.md documents as sometimes absent: recording files
/// such as TIMELINE lack `id`, `status` and `recording_type` (API.md §4.5, from Elastic's
/// test-recording.json, where they also carry no `play_url`).
fn documented_optional(array_path: &str, key: &str) -> bool {
    array_path.ends_with(".recording_files")
        && matches!(key, "id" | "status" | "recording_type" | "play_url")
}

enum Union {
    Objects {
        fields: BTreeMap<String, Value>,
        required: Vec<String>,
    },
    Scalar(Value),
}

fn union_shape(s: &[Value]) -> Union {
    if !s.iter().all(Value::is_object) {
        return Union::Scalar(s[0].clone());
    }
    let mut fields: BTreeMap<String, Value> = BTreeMap::new();
    for o in s.iter().filter_map(Value::as_object) {
        for (k, v) in o {
            // Prefer a non-empty array as the field's shape.
            let better = match (fields.get(k), v) {
                (None, _) => true,
                (Some(Value::Array(old)), Value::Array(new)) => old.is_empty() && !new.is_empty(),
                _ => false,
            };
            if better {
                fields.insert(k.clone(), v.clone());
            }
        }
    }
    let required = fields
        .keys()
        .filter(|k| s.iter().all(|o| o.get(k.as_str()).is_some()))
        .cloned()
        .collect();
    Union::Objects { fields, required }
}

// ---------- webhook receiver ----------

#[derive(Default)]
pub struct Received {
    pub events: Vec<Value>,
    pub bad_signatures: usize,
}

/// A receiver that checks Zoom's headers and signature and refuses `user.created` with 500.
pub async fn receiver(secret: &'static str) -> (String, Arc<std::sync::Mutex<Received>>) {
    let got = Arc::new(std::sync::Mutex::new(Received::default()));
    let g = got.clone();
    let app = axum::Router::new().route(
        "/webhook",
        axum::routing::post(move |h: axum::http::HeaderMap, body: axum::body::Bytes| {
            let g = g.clone();
            async move {
                let ts = h["x-zm-request-timestamp"].to_str().unwrap().to_string();
                let now = chrono::Utc::now().timestamp();
                let ts_n: i64 = ts.parse().unwrap();
                let good = h["x-zm-signature"].to_str().unwrap()
                    == zoomlens::sim::server::deliver::signature(secret, &ts, &body)
                    && (now - ts_n).abs() <= 5
                    && h["content-type"] == "application/json; charset=utf-8"
                    && h["user-agent"] == "Zoom Marketplace/1.0a"
                    && !h["x-zm-trackingid"].is_empty();
                let v: Value = serde_json::from_slice(&body).unwrap();
                // Compact JSON: re-serialising gives the same bytes.
                assert_eq!(serde_json::to_vec(&v).unwrap(), body.to_vec());
                let refuse = v["event"] == "user.created";
                let mut g = g.lock().unwrap();
                if !good {
                    g.bad_signatures += 1;
                }
                g.events.push(v);
                if refuse {
                    axum::http::StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    axum::http::StatusCode::NO_CONTENT
                }
            }
        }),
    );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhook", l.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
    (url, got)
}
