//! Client behaviour a Zoom outage or policy change exercises, against a tiny scripted mock:
//! expired page tokens restart the window, 401/124 fetches a fresh token, Retry-After given as
//! an HTTP date is honoured, a daily cap stops with a clear message, persistent 5xx is recorded
//! as failed coverage, a truncated body is retried. Plus `auth login` against the simulator.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use zoomlens::store::Store;
use zoomlens::sync::plan::Source;
use zoomlens::sync::progress::{Mode, Progress};
use zoomlens::sync::run::{SyncOptions, SyncReport, run};
use zoomlens::zoom::Plan;
use zoomlens::zoom::auth::{Credentials, Secret};
use zoomlens::zoom::retry::RetryPolicy;
use zoomlens::zoom::{Client, ClientConfig};

#[derive(Clone, Copy, PartialEq)]
enum Script {
    /// Page 2 of sign-ins answers code 300 the first time it is asked.
    ExpiredToken,
    /// Operation logs: 401/124, then 429 with an HTTP-date Retry-After, then the page.
    AuthThen429,
    /// Sign-ins: always the daily-cap 429.
    DailyCap,
    /// Operation logs: always 503.
    Always503,
    /// Operation logs: a truncated body once, then the page.
    TruncatedOnce,
}

struct Mock {
    script: Script,
    tokens: u32,
    hits: HashMap<String, u32>,
}

type St = Arc<Mutex<Mock>>;

fn zoom_err(status: StatusCode, code: i64, msg: &str) -> Response {
    (status, axum::Json(json!({"code": code, "message": msg}))).into_response()
}

async fn handler(State(st): State<St>, req: Request) -> Response {
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    let headers: HeaderMap = req.headers().clone();
    let mut m = st.lock().unwrap();
    if path == "/oauth/token" {
        m.tokens += 1;
        return axum::Json(json!({"access_token": format!("tok{}", m.tokens), "token_type": "bearer", "expires_in": 3600})).into_response();
    }
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let key = format!("{path}?{}", query.contains("next_page_token"));
    let n = {
        let e = m.hits.entry(key).or_default();
        *e += 1;
        *e
    };
    let signin = |i: u32| json!({"email": format!("u{i}@example.com"), "time": "2026-11-02T10:00:00Z", "type": "Sign in", "ip_address": "192.0.2.1", "client_type": "Mac", "version": "6.0"});
    let op = json!({"time": "2026-11-02T10:00:00Z", "operator": "a@example.com", "category_type": "User", "action": "Update", "operation_detail": "Update User b@example.com"});
    match (m.script, path.as_str()) {
        (Script::ExpiredToken, "/v2/report/activities") => {
            if !query.contains("next_page_token") {
                axum::Json(json!({"activity_logs": [signin(1)], "next_page_token": "p2"}))
                    .into_response()
            } else if n == 1 {
                zoom_err(
                    StatusCode::BAD_REQUEST,
                    300,
                    "The next page token is invalid or expired.",
                )
            } else {
                axum::Json(json!({"activity_logs": [signin(2)], "next_page_token": ""}))
                    .into_response()
            }
        }
        (Script::AuthThen429, "/v2/report/operationlogs") => match n {
            1 => {
                assert_eq!(auth, "Bearer tok1");
                zoom_err(StatusCode::UNAUTHORIZED, 124, "Invalid access token.")
            }
            2 => {
                assert_eq!(auth, "Bearer tok2", "a fresh token after 401/124");
                let at = chrono::Utc::now() + chrono::Duration::seconds(2);
                let mut r = zoom_err(
                    StatusCode::TOO_MANY_REQUESTS,
                    429,
                    "You have reached the maximum per-second rate limit for this API. Try again later.",
                );
                r.headers_mut().insert(
                    "Retry-After",
                    at.to_rfc2822().replace("+0000", "GMT").parse().unwrap(),
                );
                r
            }
            _ => axum::Json(json!({"operation_logs": [op]})).into_response(),
        },
        (Script::DailyCap, "/v2/report/activities") => {
            let mut r = zoom_err(
                StatusCode::TOO_MANY_REQUESTS,
                429,
                "You have reached the maximum daily rate limit for this API.",
            );
            r.headers_mut()
                .insert("X-RateLimit-Type", "Daily-limit".parse().unwrap());
            r.headers_mut()
                .insert("Retry-After", "2099-01-01T00:00:00Z".parse().unwrap());
            r
        }
        (Script::Always503, "/v2/report/operationlogs") => (
            StatusCode::SERVICE_UNAVAILABLE,
            "<html>upstream down</html>",
        )
            .into_response(),
        (Script::TruncatedOnce, "/v2/report/operationlogs") => {
            let body = json!({"operation_logs": [op], "next_page_token": ""}).to_string();
            if n == 1 {
                Response::new(Body::from(body[..body.len() / 2].to_string()))
            } else {
                Response::new(Body::from(body))
            }
        }
        _ => zoom_err(StatusCode::NOT_FOUND, 404, "not scripted"),
    }
}

async fn mock(script: Script) -> (String, St) {
    let st: St = Arc::new(Mutex::new(Mock {
        script,
        tokens: 0,
        hits: HashMap::new(),
    }));
    let app = axum::Router::new().fallback(handler).with_state(st.clone());
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", l.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
    (base, st)
}

async fn sync(base: &str, case: &Path, sources: Vec<Source>) -> SyncReport {
    let client = Arc::new(
        Client::new(
            ClientConfig {
                api_base: Some(format!("{base}/v2")),
                oauth_base: base.to_string(),
                plan: Plan::Business,
                retry: RetryPolicy {
                    max_attempts: 3,
                    base: Duration::from_millis(5),
                    cap: Duration::from_millis(20),
                    ..RetryPolicy::default()
                },
                ..ClientConfig::default()
            },
            Credentials::ServerToServer {
                account_id: "acc".into(),
                client_id: "id".into(),
                client_secret: Secret::new("s3cr3t-value"),
            },
        )
        .unwrap(),
    );
    let o = SyncOptions {
        from: chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        to: chrono::NaiveDate::from_ymd_opt(2026, 11, 5).unwrap(),
        sources: sources.clone(),
        users: vec![],
        since_last: false,
        capture: None,
    };
    let progress = Progress::new(Mode::Quiet, &sources, client.clone());
    run(Store::open(case).unwrap(), client, o, progress)
        .await
        .unwrap()
}

fn q(case: &Path, sql: &str) -> String {
    let c = rusqlite::Connection::open(case).unwrap();
    c.query_row(sql, [], |r| r.get::<_, rusqlite::types::Value>(0))
        .map(|v| format!("{v:?}"))
        .unwrap_or_else(|e| format!("{e}"))
}

#[tokio::test]
async fn expired_page_token_restarts_the_window() {
    let (base, st) = mock(Script::ExpiredToken).await;
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("c.case");
    let r = sync(&base, &case, vec![Source::Signins]).await;
    assert!(r.complete, "{:?}", r.failed);
    assert_eq!(q(&case, "SELECT COUNT(*) FROM signins"), "Integer(2)");
    assert_eq!(
        q(&case, "SELECT state FROM coverage WHERE source='signins'"),
        "Text(\"done\")"
    );
    let hits = &st.lock().unwrap().hits;
    assert_eq!(
        hits["/v2/report/activities?false"], 2,
        "first page asked again"
    );
}

#[tokio::test]
async fn fresh_token_after_401_and_http_date_retry_after_honoured() {
    let (base, st) = mock(Script::AuthThen429).await;
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("c.case");
    let t0 = Instant::now();
    let r = sync(&base, &case, vec![Source::Operations]).await;
    assert!(r.complete, "{:?}", r.failed);
    assert_eq!(r.rate_limited, 1);
    assert_eq!(r.tokens_fetched, 2);
    assert_eq!(st.lock().unwrap().tokens, 2);
    // HTTP dates have whole seconds: at least one second of the two was waited.
    assert!(
        t0.elapsed() >= Duration::from_millis(1000),
        "{:?}",
        t0.elapsed()
    );
    assert_eq!(q(&case, "SELECT COUNT(*) FROM operations"), "Integer(1)");
}

#[tokio::test]
async fn daily_cap_stops_with_a_clear_message_and_no_checkpoint() {
    let (base, _) = mock(Script::DailyCap).await;
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("c.case");
    let r = sync(&base, &case, vec![Source::Signins]).await;
    assert!(!r.complete);
    let why = r.stopped.unwrap();
    assert!(why.contains("daily") && why.contains("2099-01-01"), "{why}");
    assert_eq!(
        q(&case, "SELECT COUNT(*) FROM coverage WHERE state='done'"),
        "Integer(0)"
    );
}

#[tokio::test]
async fn persistent_5xx_is_recorded_as_failed_coverage() {
    let (base, _) = mock(Script::Always503).await;
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("c.case");
    let r = sync(&base, &case, vec![Source::Operations]).await;
    assert!(!r.complete);
    assert_eq!(r.failed.len(), 1);
    assert_eq!(r.retries, 2, "three attempts in all");
    let detail = q(
        &case,
        "SELECT detail FROM coverage WHERE source='operations' AND state='failed'",
    );
    assert!(detail.contains("503"), "{detail}");
    assert!(!detail.contains("s3cr3t"));
}

#[tokio::test]
async fn truncated_body_is_retried_not_stored() {
    let (base, _) = mock(Script::TruncatedOnce).await;
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("c.case");
    let r = sync(&base, &case, vec![Source::Operations]).await;
    assert!(r.complete);
    assert_eq!(r.retries, 1);
    assert_eq!(q(&case, "SELECT COUNT(*) FROM operations"), "Integer(1)");
    assert_eq!(q(&case, "SELECT COUNT(*) FROM rejects"), "Integer(0)");
}

/// `auth login` against the simulator's /oauth/authorize (which approves at once): the state
/// round-trips, the refresh token is stored 0600, and each refresh rotates it on disk.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_stores_the_refresh_token_privately_and_refresh_rotates_it() {
    use std::os::unix::fs::PermissionsExt;
    use zoomlens::sync::login::{LoginConfig, login};
    let t = Arc::new(zoomlens::sim::tenant::Tenant {
        users: vec![json!({"id": "U1", "email": "a@example.com", "status": "active"})],
        ..Default::default()
    });
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", l.local_addr().unwrap());
    tokio::spawn(zoomlens::sim::server::serve(t, Default::default(), l));
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("cfg/oauth_token.json");
    let cfg = LoginConfig {
        oauth_base: base.clone(),
        client_id: "sim-client".into(),
        client_secret: Secret::new("sim-secret"),
        port: 0,
        open_browser: false,
        timeout: Duration::from_secs(20),
        token_file: token_file.clone(),
    };
    // The "browser": follow the authorization URL, which redirects to the loopback listener.
    let stored = login(&cfg, |url| {
        let url = url.to_string();
        assert!(url.contains("state=") && url.contains("redirect_uri=http%3A%2F%2F127.0.0.1"));
        tokio::spawn(async move {
            // A forged redirect (wrong state) is refused and does not end the wait.
            let u = url::Url::parse(&url).unwrap();
            let redirect = u
                .query_pairs()
                .find(|(k, _)| k == "redirect_uri")
                .unwrap()
                .1
                .into_owned();
            let forged = reqwest::get(format!("{redirect}?code=evil&state=forged"))
                .await
                .unwrap();
            assert_eq!(forged.status(), 400);
            reqwest::get(url).await.unwrap()
        });
    })
    .await
    .unwrap();
    let mode = std::fs::metadata(&token_file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let first = std::fs::read_to_string(&token_file).unwrap();
    assert!(first.contains(stored.refresh_token.expose()));

    let client = Arc::new(
        Client::new(
            ClientConfig {
                oauth_base: base.clone(),
                plan: Plan::Business,
                ..ClientConfig::default()
            },
            Credentials::AuthorizationCode {
                client_id: "sim-client".into(),
                client_secret: Secret::new("sim-secret"),
                token_file: token_file.clone(),
            },
        )
        .unwrap(),
    );
    let p = client
        .get(&zoomlens::zoom::endpoints::users("active"), None)
        .await
        .unwrap();
    assert!(p.body.contains("a@example.com"));
    let second = std::fs::read_to_string(&token_file).unwrap();
    assert_ne!(
        first, second,
        "the rotated refresh token replaced the old one"
    );
}
