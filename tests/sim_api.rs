//! The simulator seen by a plain HTTP client: OAuth, bearer checks, date windows, paging,
//! meeting-id resolution, retention and plan errors.

mod sim_common;

use serde_json::Value;
use sim_common::*;
use std::collections::BTreeSet;
use std::time::Duration;
use zoomlens::sim::server::SimConfig;
use zoomlens::zoom::Plan;

async fn token_req(
    c: &reqwest::Client,
    base: &str,
    user: &str,
    pass: &str,
    query: &str,
    form: &[(&str, &str)],
) -> (u16, Value) {
    let r = c
        .post(format!("{base}/oauth/token{query}"))
        .basic_auth(user, Some(pass))
        .form(form)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

/// POST /oauth/token with the right client credentials.
async fn grant(
    c: &reqwest::Client,
    base: &str,
    query: &str,
    form: &[(&str, &str)],
) -> (u16, Value) {
    token_req(c, base, "sim-client", "sim-secret", query, form).await
}

/// Every row of the sign-in report for a query (`from`, `to` and more).
async fn activities(api: &Api, query: &str) -> Vec<Value> {
    let path = format!("/report/activities?{query}");
    api.walk(&path, "activity_logs").await
}

#[tokio::test]
async fn s2s_token_in_query_or_form_and_token_errors() {
    let base = start(tenant(), cfg()).await;
    let c = client();
    // Parameters in the query string (Elastic's style)...
    let (s, v) = grant(
        &c,
        &base,
        "?grant_type=account_credentials&account_id=sim-account",
        &[],
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["token_type"], "bearer");
    assert_eq!(v["expires_in"], 3600);
    assert_eq!(v["api_url"], base.as_str());
    let t1 = v["access_token"].as_str().unwrap().to_string();
    // ...or in the form body (RIVET's style); tokens are random, so two differ.
    let t2 = token(&c, &base).await;
    assert_ne!(t1, t2);
    assert!(t1.len() >= 32);
    for t in [&t1, &t2] {
        let (s, _) = get(&c, &base, t, "/users").await;
        assert_eq!(s, 200);
    }

    let form = [
        ("grant_type", "account_credentials"),
        ("account_id", "sim-account"),
    ];
    let (s, v) = token_req(&c, &base, "sim-client", "wrong", "", &form).await;
    assert_eq!(s, 401);
    assert_eq!(
        v,
        serde_json::json!({"reason":"Invalid client_id or client_secret","error":"invalid_client"})
    );
    let (s, v) = token_req(&c, &base, "other-client", "sim-secret", "", &form).await;
    assert_eq!((s, v["error"].as_str()), (401, Some("invalid_client")));
    let (s, v) = grant(
        &c,
        &base,
        "",
        &[
            ("grant_type", "account_credentials"),
            ("account_id", "nope"),
        ],
    )
    .await;
    assert_eq!(s, 400);
    assert_eq!(
        v,
        serde_json::json!({"reason":"Bad Request","error":"invalid_request"})
    );
    // No Basic credentials at all.
    let r = c
        .post(format!("{base}/oauth/token"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn bearer_token_required_valid_and_unexpired() {
    let cfg = SimConfig {
        token_ttl: Duration::from_secs(1),
        ..cfg()
    };
    let base = start(tenant(), cfg).await;
    let c = client();
    let expect_124 = |s: u16, v: &Value| {
        assert_eq!(s, 401, "{v}");
        assert_eq!(v["code"], 124);
        assert_eq!(v["message"], "Invalid access token.");
    };
    let r = c.get(format!("{base}/v2/users")).send().await.unwrap();
    let s = r.status().as_u16();
    expect_124(s, &r.json().await.unwrap());
    let (s, v) = get(&c, &base, "not-a-token", "/users").await;
    expect_124(s, &v);
    let t = token(&c, &base).await;
    let (s, _) = get(&c, &base, &t, "/users").await;
    assert_eq!(s, 200);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (s, v) = get(&c, &base, &t, "/users").await;
    expect_124(s, &v);
}

#[tokio::test]
async fn authorization_code_grant_and_refresh_rotation() {
    let base = start(tenant(), cfg()).await;
    let c = client();
    let redirect = "http://127.0.0.1:8765/callback";
    let r = c
        .get(format!("{base}/oauth/authorize"))
        .query(&[
            ("response_type", "code"),
            ("client_id", "sim-client"),
            ("redirect_uri", redirect),
            ("state", "xyz 1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302);
    let loc = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    assert!(loc.as_str().starts_with(redirect));
    let q: std::collections::HashMap<_, _> = loc.query_pairs().into_owned().collect();
    assert_eq!(q["state"], "xyz 1");
    let code = q["code"].clone();

    // A different redirect_uri than at authorize time is refused (and burns the code).
    let exchange = |code: String, redirect: &'static str| {
        let c = c.clone();
        let base = base.clone();
        async move {
            grant(
                &c,
                &base,
                "",
                &[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", redirect),
                ],
            )
            .await
        }
    };
    let (s, v) = exchange(code.clone(), "http://127.0.0.1:9999/other").await;
    assert_eq!(s, 400, "{v}");
    // A fresh code with the right redirect works once.
    let r = c
        .get(format!(
            "{base}/oauth/authorize?response_type=code&client_id=sim-client&redirect_uri={}",
            encode(redirect)
        ))
        .send()
        .await
        .unwrap();
    let loc = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    let code: String = loc
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let (s, v) = exchange(code.clone(), "http://127.0.0.1:8765/callback").await;
    assert_eq!(s, 200, "{v}");
    for k in [
        "access_token",
        "refresh_token",
        "expires_in",
        "scope",
        "token_type",
    ] {
        assert!(v.get(k).is_some(), "{k} missing in {v}");
    }
    let (s, _) = exchange(code, "http://127.0.0.1:8765/callback").await;
    assert_eq!(s, 400, "a code is single-use");
    let (s, _) = get(&c, &base, v["access_token"].as_str().unwrap(), "/users").await;
    assert_eq!(s, 200);

    // Refresh returns a new refresh token and the old one stops working.
    let old = v["refresh_token"].as_str().unwrap().to_string();
    let refresh = |rt: String| {
        let c = c.clone();
        let base = base.clone();
        async move {
            grant(
                &c,
                &base,
                "",
                &[("grant_type", "refresh_token"), ("refresh_token", &rt)],
            )
            .await
        }
    };
    let (s, v2) = refresh(old.clone()).await;
    assert_eq!(s, 200, "{v2}");
    let new = v2["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(new, old);
    let (s, _) = refresh(old).await;
    assert_eq!(s, 400);
    let (s, _) = refresh(new).await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn report_windows_are_validated_with_code_300() {
    let api = Api::start(tenant(), cfg()).await;
    for path in [
        "/report/activities",
        "/report/activities?from=2024-06-01",
        "/report/activities?to=2024-06-10",
        "/report/activities?from=2024-06-01&to=2024-07-02",
        "/report/activities?from=06/01/2024&to=2024-06-10",
        "/report/activities?from=2024-06-10&to=2024-06-01",
        "/report/operationlogs?from=2024-05-01&to=2024-06-15",
        "/report/users/z8yCxjabcdEFGHfp8uQ/meetings",
        "/report/operationlogs?from=2023-11-01&to=2023-11-30",
    ] {
        let (s, v) = api.get(path).await;
        assert_eq!((s, v["code"].as_i64()), (400, Some(300)), "{path}: {v}");
        assert!(v["message"].is_string());
    }
    // Exactly one calendar month is allowed.
    let (s, v) = api
        .get("/report/activities?from=2024-06-01&to=2024-07-01")
        .await;
    assert_eq!(s, 200, "{v}");
}

#[tokio::test]
async fn dates_filter_inclusively_by_utc_day() {
    let api = Api::start(tenant(), cfg()).await;
    // Activities are every 2 hours from 2024-06-01T00:00Z: 12 per day.
    let day = activities(&api, "from=2024-06-02&to=2024-06-02").await;
    assert_eq!(day.len(), 12);
    assert!(
        day.iter()
            .all(|a| a["time"].as_str().unwrap().starts_with("2024-06-02"))
    );
    let two = activities(&api, "from=2024-06-02&to=2024-06-03&page_size=5").await;
    assert_eq!(two.len(), 24);
    let (s, v) = api
        .get("/report/operationlogs?from=2024-06-08&to=2024-06-08")
        .await;
    assert_eq!(s, 200);
    assert_eq!(v["operation_logs"].as_array().unwrap().len(), 1);
    let (_, v) = api
        .get("/report/operationlogs?from=2024-06-01&to=2024-06-30&category_type=recording")
        .await;
    assert_eq!(v["operation_logs"].as_array().unwrap().len(), 1);
    // Meetings by start day; the earlier instance of 2024-06-03 only in its window.
    let (_, v) = api
        .get(&format!(
            "/report/users/{DAVE}/meetings?from=2024-06-03&to=2024-06-03"
        ))
        .await;
    let uuids: Vec<&str> = v["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["uuid"].as_str().unwrap())
        .collect();
    assert_eq!(uuids, vec![SLASH_UUID]);
    // By email too.
    let (s, v) = api
        .get("/report/users/DAVE@example.com/meetings?from=2024-06-01&to=2024-06-30")
        .await;
    assert_eq!(s, 200);
    assert_eq!(v["total_records"], 2);
}

#[tokio::test]
async fn paging_walks_every_record_exactly_once() {
    let api = Api::start(tenant(), cfg()).await;
    let all = activities(&api, "from=2024-06-01&to=2024-06-30&page_size=7").await;
    assert_eq!(all.len(), N_ACTIVITIES);
    let times: BTreeSet<&str> = all.iter().map(|a| a["time"].as_str().unwrap()).collect();
    assert_eq!(times.len(), N_ACTIVITIES, "no record twice");

    let users = api.walk("/users?status=active", "users").await;
    assert_eq!(users.len(), 2 + N_EXTRA_USERS);
    let ids: BTreeSet<&str> = users.iter().map(|u| u["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), users.len());
    let (_, v) = api.get("/users").await;
    assert_eq!(v["page_size"], 30, "default page size");
    assert_eq!(v["total_records"], 72);
    assert_eq!(v["page_count"], 3);
    let inactive = api.walk("/users?status=inactive", "users").await;
    assert_eq!(inactive.len(), 1);
    let pending = api.walk("/users?status=pending", "users").await;
    assert_eq!(pending.len(), 1);
    assert!(pending[0].get("id").is_none(), "pending users have no id");

    let path = format!(
        "/report/meetings/{}/participants?page_size=10",
        encode(&encode(LATEST_UUID))
    );
    let parts = api.walk(&path, "participants").await;
    assert_eq!(parts.len(), 3 + N_EXTRA_PARTICIPANTS);

    // Chat needs a conversation, as on Zoom: without to_channel / to_contact it is code 300.
    let (s, v) = api
        .get(&format!("/chat/users/{DAVE}/messages?date=2024-06-10"))
        .await;
    assert_eq!((s, v["code"].as_i64()), (400, Some(300)), "{v}");
    assert!(v["message"].as_str().unwrap().contains("to_channel"), "{v}");
    // Dave's messages are all in one channel: none are 1:1 with a contact.
    let direct = api
        .walk(
            &format!("/chat/users/{DAVE}/messages?date=2024-06-10&to_contact=someone@example.com"),
            "messages",
        )
        .await;
    assert!(direct.is_empty(), "{direct:?}");
    let other = api
        .walk(
            &format!("/chat/users/{DAVE}/messages?date=2024-06-10&to_channel=NOPE"),
            "messages",
        )
        .await;
    assert!(other.is_empty(), "another channel holds none of them");
    // Dave's channels: Zoom's "List user's channels" shape, paged like the others.
    let (s, v) = api.get(&format!("/chat/users/{DAVE}/channels")).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["total_records"], 1);
    assert_eq!(v["page_size"], 10);
    assert_eq!(v["next_page_token"], "");
    let ch = &v["channels"][0];
    assert_eq!(ch["id"], CHANNEL);
    for k in ["jid", "name", "type", "channel_settings"] {
        assert!(!ch[k].is_null(), "channel lacks {k}: {ch}");
    }
    let (s, v) = api.get("/chat/users/nobody/channels").await;
    assert_eq!((s, v["code"].as_i64()), (404, Some(1001)), "{v}");
    // Chat: default 10, max 50 (larger sizes are clamped).
    let chat = format!("/chat/users/{DAVE}/messages?date=2024-06-10&to_channel={CHANNEL}");
    let (_, v) = api.get(&chat).await;
    assert_eq!(v["page_size"], 10);
    assert_eq!(v["messages"].as_array().unwrap().len(), 10);
    let msgs = api.walk(&format!("{chat}&page_size=500"), "messages").await;
    assert_eq!(msgs.len(), 3 + N_EXTRA_CHAT, "deleted message hidden");
    let (_, v) = api.get(&format!("{chat}&page_size=500")).await;
    assert_eq!(v["page_size"], 50);
    let with_deleted = api
        .walk(
            &format!("{chat}&include_deleted_and_edited_message=true"),
            "messages",
        )
        .await;
    assert_eq!(with_deleted.len(), 4 + N_EXTRA_CHAT);
    // Standard endpoints clamp at 300; a non-number is a 300 error.
    let (_, v) = api.get("/users?page_size=5000").await;
    assert_eq!(v["page_size"], 300);
    let (s, v) = api.get("/users?page_size=abc").await;
    assert_eq!((s, v["code"].as_i64()), (400, Some(300)));
}

#[tokio::test]
async fn page_tokens_expire_and_bind_the_other_params() {
    let cfg = SimConfig {
        page_token_ttl: Duration::from_millis(400),
        ..cfg()
    };
    let api = Api::start(tenant(), cfg).await;
    let first = "/report/activities?from=2024-06-01&to=2024-06-30&page_size=10";
    let (_, v) = api.get(first).await;
    let tok = v["next_page_token"].as_str().unwrap().to_string();
    assert!(!tok.is_empty());
    let expect_300 = |s: u16, v: &Value| {
        assert_eq!((s, v["code"].as_i64()), (400, Some(300)), "{v}");
    };
    // Different other params with the token: refused.
    let (s, v) = api
        .get(&format!(
            "/report/activities?from=2024-06-02&to=2024-06-30&next_page_token={tok}"
        ))
        .await;
    expect_300(s, &v);
    // Garbage and tampered tokens: refused.
    let (s, v) = api.get(&format!("{first}&next_page_token=garbage")).await;
    expect_300(s, &v);
    let mut bad = tok.clone().into_bytes();
    bad[3] = if bad[3] == b'A' { b'B' } else { b'A' };
    let (s, v) = api
        .get(&format!(
            "{first}&next_page_token={}",
            String::from_utf8(bad).unwrap()
        ))
        .await;
    expect_300(s, &v);
    // The right token in time works...
    let (s, v) = api.get(&format!("{first}&next_page_token={tok}")).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["activity_logs"][0]["time"], "2024-06-01T20:00:00Z");
    // ...and not after it expired.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (s, v) = api.get(&format!("{first}&next_page_token={tok}")).await;
    expect_300(s, &v);
    assert_eq!(v["message"], "The next page token is invalid or expired.");
}

#[tokio::test]
async fn meeting_ids_uuids_and_meeting_errors() {
    let api = Api::start(tenant(), cfg()).await;
    let parts = |id: String| format!("/report/meetings/{id}/participants?page_size=300");

    // Numeric id: the latest instance.
    let (s, v) = api.get(&parts(MEETING_ID.to_string())).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["total_records"], 3 + N_EXTRA_PARTICIPANTS);
    // A UUID with "/" works double-encoded...
    let (s, v) = api.get(&parts(encode(&encode(SLASH_UUID)))).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["total_records"], 1);
    // ...and fails single-encoded, as in Zoom.
    let (s, v) = api.get(&parts(encode(SLASH_UUID))).await;
    assert_eq!(s, 404, "{v}");
    // A UUID without "/" works encoded once or twice.
    for id in [encode(LATEST_UUID), encode(&encode(LATEST_UUID))] {
        let (s, v) = api.get(&parts(id)).await;
        assert_eq!((s, v["total_records"].as_i64()), (200, Some(67)));
    }
    // Unknown meeting: 404 / 3001.
    for id in ["99999999999".to_string(), encode(&encode("nope+nope=="))] {
        let (s, v) = api.get(&parts(id)).await;
        assert_eq!((s, v["code"].as_i64()), (404, Some(3001)), "{v}");
    }
    // Older than a year: 400 / 12702 on both participant endpoints.
    let (s, v) = api.get(&parts(encode(&encode(OLD_UUID)))).await;
    assert_eq!((s, v["code"].as_i64()), (400, Some(12702)), "{v}");
    let (s, v) = api.get(&parts(OLD_MEETING_ID.to_string())).await;
    assert_eq!((s, v["code"].as_i64()), (400, Some(12702)), "{v}");
    let (s, v) = api
        .get(&format!(
            "/metrics/meetings/{}/participants?type=past",
            encode(&encode(OLD_UUID))
        ))
        .await;
    assert_eq!((s, v["code"].as_i64()), (400, Some(12702)), "{v}");

    // registrant_id only on request.
    let (_, v) = api.get(&parts(MEETING_ID.to_string())).await;
    assert!(
        v["participants"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p.get("registrant_id").is_none())
    );
    let (_, v) = api
        .get(&format!(
            "{}&include_fields=registrant_id",
            parts(MEETING_ID.to_string())
        ))
        .await;
    assert_eq!(
        v["participants"][2]["registrant_id"],
        "_f08HhPJS82MIVLuuFaJPg"
    );
    // Guests keep their blank ids and emails.
    assert_eq!(v["participants"][1]["id"], "");
    assert_eq!(v["participants"][1]["user_email"], "");

    // Dashboard: type=past needed; default live is 3001.
    let m = format!(
        "/metrics/meetings/{}/participants",
        encode(&encode(LATEST_UUID))
    );
    let (s, v) = api.get(&m).await;
    assert_eq!((s, v["code"].as_i64()), (404, Some(3001)), "{v}");
    let (s, v) = api.get(&format!("{m}?type=past")).await;
    assert_eq!((s, v["total_records"].as_i64()), (200, Some(2)), "{v}");

    // Past instances, newest first.
    let (s, v) = api
        .get(&format!("/past_meetings/{MEETING_ID}/instances"))
        .await;
    assert_eq!(s, 200);
    let uuids: Vec<&str> = v["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["uuid"].as_str().unwrap())
        .collect();
    assert_eq!(uuids, vec![LATEST_UUID, SLASH_UUID]);
    let (s, v) = api.get("/past_meetings/123/instances").await;
    assert_eq!((s, v["code"].as_i64()), (404, Some(3001)));
}

/// A simulator of an account on `plan`, signed in.
async fn on_plan(plan: Plan) -> Api {
    Api::start(tenant(), SimConfig { plan, ..cfg() }).await
}

#[tokio::test]
async fn users_recordings_and_plans() {
    let api = Api::start(tenant(), cfg()).await;
    for path in [
        "/report/users/nobody@example.com/meetings?from=2024-06-01&to=2024-06-30",
        "/users/nobody/recordings",
        "/chat/users/nobody/messages?to_channel=C1",
    ] {
        let (s, v) = api.get(path).await;
        assert_eq!((s, v["code"].as_i64()), (404, Some(1001)), "{path}: {v}");
    }
    // Recordings default to today→tomorrow (fixture clock 2024-06-20): nothing.
    let (s, v) = api.get(&format!("/users/{DAVE}/recordings")).await;
    assert_eq!((s, v["total_records"].as_i64()), (200, Some(0)));
    assert_eq!(v["from"], "2024-06-20");
    let (_, v) = api
        .get(&format!(
            "/users/{DAVE}/recordings?from=2024-06-01&to=2024-06-30"
        ))
        .await;
    assert_eq!(v["total_records"], 1);
    let (_, v) = api
        .get(&format!("/users/{DAVE}/recordings?trash=true"))
        .await;
    assert_eq!(v["total_records"], 1, "from/to do not filter trash");
    assert!(v["meetings"][0]["recording_files"][0]["deleted_time"].is_string());
    let (s, v) = api
        .get(&format!(
            "/users/{DAVE}/recordings?from=2024-01-01&to=2024-06-30"
        ))
        .await;
    assert_eq!((s, v["code"].as_i64()), (400, Some(300)));

    // The Dashboard API is absent below Business; reports below Pro.
    let pro = on_plan(Plan::Pro).await;
    let (s, v) = pro
        .get(&format!(
            "/metrics/meetings/{MEETING_ID}/participants?type=past"
        ))
        .await;
    assert_eq!(
        (s, v["code"].as_i64(), v["message"].as_str()),
        (400, Some(200), Some("No permission."))
    );
    let (s, _) = pro
        .get("/report/activities?from=2024-06-01&to=2024-06-02")
        .await;
    assert_eq!(s, 200);
    let free = on_plan(Plan::Free).await;
    let (s, v) = free
        .get("/report/activities?from=2024-06-01&to=2024-06-02")
        .await;
    assert_eq!((s, v["code"].as_i64()), (400, Some(200)));
    let (s, _) = free.get("/users").await;
    assert_eq!(s, 200);
}

#[test]
fn truth_counts_the_fixture() {
    let t = tenant();
    let v = zoomlens::sim::server::truth::truth(&t);
    let c = &v["counts"];
    assert_eq!(c["zoom_users"], 2 + N_EXTRA_USERS as i64 + 2);
    assert_eq!(c["zoom_signins"], N_ACTIVITIES as i64);
    assert_eq!(c["zoom_operation_logs"], 4);
    assert_eq!(c["zoom_meetings"], 3);
    // Report rows: 67 (latest) + 1 (earlier) + 1 (old). Dashboard rows of the latest meeting
    // are the same two sessions as its report rows (same user_id and join_time); the old
    // meeting's dashboard adds the guest's session its report lacks.
    assert_eq!(c["zoom_participants"], 67 + 1 + 1 + 1);
    // Recording (3 files) and trash (file already counted: same id) of one meeting.
    assert_eq!(c["zoom_recordings"], 3);
}

/// "List user's channels" pages like the other endpoints, and each listed channel answers
/// `to_channel` with its own messages only.
#[tokio::test]
async fn user_channels_page_and_each_channel_holds_its_messages() {
    let mut ten = tenant();
    let base_msg = ten.chat_by_user[DAVE][0].clone();
    for i in 0..24 {
        let mut m = base_msg.clone();
        m["id"] = serde_json::json!(format!("chx{i:02}"));
        ten.chat_channel
            .insert(format!("chx{i:02}"), format!("CHX{i:02}"));
        ten.chat_by_user.get_mut(DAVE).unwrap().push(m);
    }
    let api = Api::start(ten, cfg()).await;
    let path = format!("/chat/users/{DAVE}/channels?page_size=10");
    let (_, first) = api.get(&path).await;
    assert_eq!(first["total_records"], 25);
    assert_eq!(first["channels"].as_array().unwrap().len(), 10);
    assert_ne!(first["next_page_token"], "");
    let chans = api.walk(&path, "channels").await;
    let ids: BTreeSet<String> = chans
        .iter()
        .map(|ch| ch["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 25, "every channel once across 3 pages");
    assert!(ids.contains(CHANNEL));
    let day = base_msg["date_time"].as_str().unwrap()[..10].to_string();
    let msgs = api
        .walk(
            &format!("/chat/users/{DAVE}/messages?date={day}&to_channel=CHX07"),
            "messages",
        )
        .await;
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0]["id"], "chx07");
}
