//! OAuth as Zoom does it: `POST /oauth/token` (account_credentials, client_credentials,
//! authorization_code, refresh_token grants, parameters in the query string or the form body,
//! client credentials in HTTP Basic) and `GET /oauth/authorize` (auto-approved: it redirects straight back with a code).
//! Token errors use Zoom's `{"reason","error"}` shape, not `{code,message}`.

use super::AppState;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use rand::RngCore;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Authorization codes live 5 minutes (D-DSO).
const CODE_TTL: Duration = Duration::from_secs(300);

#[derive(Debug)]
struct Access {
    expires: Instant,
    revoked: bool,
}

#[derive(Debug)]
struct Code {
    redirect_uri: String,
    issued: Instant,
}

#[derive(Default, Debug)]
struct Inner {
    access: HashMap<String, Access>,
    codes: HashMap<String, Code>,
    /// Live refresh tokens; a refresh removes the old one.
    refresh: HashMap<String, ()>,
    issued: u64,
}

/// Every token the simulator has handed out.
#[derive(Default, Debug)]
pub struct AuthStore {
    inner: Mutex<Inner>,
}

impl AuthStore {
    /// Is this bearer token known, unexpired and not revoked?
    pub fn access_valid(&self, token: &str) -> bool {
        let g = self.inner.lock().expect("auth lock");
        g.access
            .get(token)
            .is_some_and(|a| !a.revoked && Instant::now() < a.expires)
    }

    /// Revoke an access token (the "token revoked mid-run" fault).
    pub fn revoke(&self, token: &str) {
        if let Some(a) = self.inner.lock().expect("auth lock").access.get_mut(token) {
            a.revoked = true;
        }
    }

    pub fn issued(&self) -> u64 {
        self.inner.lock().expect("auth lock").issued
    }

    fn new_access(&self, ttl: Duration) -> String {
        let t = random_token(32);
        let mut g = self.inner.lock().expect("auth lock");
        let now = Instant::now();
        g.access.retain(|_, a| a.expires > now);
        g.access.insert(
            t.clone(),
            Access {
                expires: now + ttl,
                revoked: false,
            },
        );
        g.issued += 1;
        t
    }

    fn new_refresh(&self) -> String {
        let t = random_token(32);
        self.inner
            .lock()
            .expect("auth lock")
            .refresh
            .insert(t.clone(), ());
        t
    }

    fn take_refresh(&self, t: &str) -> bool {
        self.inner
            .lock()
            .expect("auth lock")
            .refresh
            .remove(t)
            .is_some()
    }

    fn new_code(&self, redirect_uri: &str) -> String {
        let c = random_token(24);
        let mut g = self.inner.lock().expect("auth lock");
        g.codes.retain(|_, c| c.issued.elapsed() < CODE_TTL);
        g.codes.insert(
            c.clone(),
            Code {
                redirect_uri: redirect_uri.to_string(),
                issued: Instant::now(),
            },
        );
        c
    }

    /// A code is single-use and bound to the redirect_uri given at authorize time.
    fn take_code(&self, code: &str, redirect_uri: &str) -> bool {
        let mut g = self.inner.lock().expect("auth lock");
        match g.codes.remove(code) {
            Some(c) => c.issued.elapsed() < CODE_TTL && c.redirect_uri == redirect_uri,
            None => false,
        }
    }
}

/// URL-safe random token from the OS-seeded thread RNG.
fn random_token(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// Zoom's token-endpoint error body.
fn oauth_error(status: StatusCode, reason: &str, error: &str) -> Response {
    (
        status,
        axum::Json(json!({ "reason": reason, "error": error })),
    )
        .into_response()
}

fn invalid_client() -> Response {
    oauth_error(
        StatusCode::UNAUTHORIZED,
        "Invalid client_id or client_secret",
        "invalid_client",
    )
}

/// Client credentials from `Authorization: Basic base64(id:secret)`.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, b64) = v.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let raw = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .ok()?;
    let s = String::from_utf8(raw).ok()?;
    let (id, secret) = s.split_once(':')?;
    Some((id.to_string(), secret.to_string()))
}

/// Query-string and form-body parameters merged (the body wins on a clash).
fn params(query: Option<&str>, headers: &HeaderMap, body: &[u8]) -> HashMap<String, String> {
    let mut p: HashMap<String, String> = HashMap::new();
    if let Some(q) = query {
        p.extend(url::form_urlencoded::parse(q.as_bytes()).into_owned());
    }
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if is_form && !body.is_empty() {
        p.extend(url::form_urlencoded::parse(body).into_owned());
    }
    p
}

const S2S_SCOPE: &str = "report:read:user_activities:admin report:read:operation_logs:admin report:read:list_meeting_participants:admin report:read:user:admin dashboard:read:list_meeting_participants:admin cloud_recording:read:list_user_recordings:admin team_chat:read:list_user_messages:admin user:read:list_users:admin meeting:read:list_past_instances:admin";

/// `POST /oauth/token`.
pub async fn token(
    State(st): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Some(fault) = st.faults.draw_token() {
        return fault.into_response();
    }
    let cfg = &st.cfg;
    match basic_credentials(&headers) {
        Some((id, secret)) if id == cfg.client_id && secret == cfg.client_secret => {}
        _ => return invalid_client(),
    }
    let p = params(query.as_deref(), &headers, &body);
    let get = |k: &str| p.get(k).map(String::as_str).unwrap_or("");
    let ttl = cfg.token_ttl;
    match get("grant_type") {
        "account_credentials" => {
            if get("account_id") != cfg.account_id {
                return oauth_error(StatusCode::BAD_REQUEST, "Bad Request", "invalid_request");
            }
            s2s_token(&st, ttl)
        }
        // Zoom's WebSocket page documents this grant for Server-to-Server apps: the client's
        // Basic credentials alone, no account_id.
        "client_credentials" => s2s_token(&st, ttl),
        "authorization_code" => {
            if !st.auth.take_code(get("code"), get("redirect_uri")) {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "Invalid authorization code",
                    "invalid_request",
                );
            }
            user_tokens(&st, ttl)
        }
        "refresh_token" => {
            if !st.auth.take_refresh(get("refresh_token")) {
                return oauth_error(StatusCode::BAD_REQUEST, "Invalid Token!", "invalid_request");
            }
            user_tokens(&st, ttl)
        }
        "" => oauth_error(
            StatusCode::BAD_REQUEST,
            "Missing grant type",
            "invalid_request",
        ),
        _ => oauth_error(
            StatusCode::BAD_REQUEST,
            "Unsupported grant type",
            "unsupported_grant_type",
        ),
    }
}

/// Access + a fresh refresh token (authorization-code and refresh grants).
fn user_tokens(st: &AppState, ttl: Duration) -> Response {
    let access = st.auth.new_access(ttl);
    let refresh = st.auth.new_refresh();
    axum::Json(json!({
        "access_token": access,
        "token_type": "bearer",
        "refresh_token": refresh,
        "expires_in": ttl.as_secs(),
        "scope": "report:read:admin user:read:admin dashboard_meetings:read:admin recording:read:admin chat_message:read:admin meeting:read:admin",
        "api_url": st.base_url,
    }))
    .into_response()
}

/// A new Server-to-Server access token, as both S2S grants answer it.
fn s2s_token(st: &AppState, ttl: Duration) -> Response {
    let access = st.auth.new_access(ttl);
    axum::Json(json!({
        "access_token": access,
        "token_type": "bearer",
        "expires_in": ttl.as_secs(),
        "scope": S2S_SCOPE,
        "api_url": st.base_url,
    }))
    .into_response()
}

/// `GET /oauth/authorize?response_type=code&client_id&redirect_uri[&state]`: the simulated
/// admin approves at once, so this redirects to `redirect_uri?code=…[&state=…]`.
pub async fn authorize(State(st): State<Arc<AppState>>, RawQuery(query): RawQuery) -> Response {
    let p = super::paging::query_pairs(query.as_deref());
    if p.get("response_type").map(String::as_str) != Some("code") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "Unsupported response type",
            "unsupported_response_type",
        );
    }
    if p.get("client_id") != Some(&st.cfg.client_id) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "Invalid client_id",
            "invalid_client",
        );
    }
    let Some(redirect) = p.get("redirect_uri").and_then(|r| url::Url::parse(r).ok()) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "Invalid redirect uri",
            "invalid_request",
        );
    };
    let code = st
        .auth
        .new_code(p.get("redirect_uri").map_or("", |s| s.as_str()));
    let mut to = redirect;
    {
        let mut q = to.query_pairs_mut();
        q.append_pair("code", &code);
        if let Some(s) = p.get("state") {
            q.append_pair("state", s);
        }
    }
    (StatusCode::FOUND, [(header::LOCATION, to.to_string())]).into_response()
}
