//! The Zoom-compatible HTTP simulator: `zoomlens sim`.
//!
//! Serves a [`Tenant`] the way Zoom serves an account: OAuth tokens (`auth`), the `/v2`
//! endpoints with Zoom's validation, paging and error codes (`endpoints`, `paging`), per-plan
//! rate limits (`ratelimit`), injected faults (`faults`), and events delivered as signed
//! webhooks (`deliver`) or over Zoom's WebSocket endpoint (`ws`). Every request under `/v2`
//! passes one gate (bearer token → rate limit → fault) before its handler runs, so handlers
//! only deal with Zoom's data semantics.

pub mod auth;
pub mod deliver;
pub mod endpoints;
pub mod faults;
pub mod paging;
pub mod ratelimit;
pub mod truth;
pub mod ws;

use crate::sim::tenant::Tenant;
use crate::zoom::Plan;
use anyhow::Context;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use faults::FaultKind;

/// Everything that shapes the simulator's behaviour apart from the tenant itself.
#[derive(Debug, Clone)]
pub struct SimConfig {
    pub account_id: String,
    pub client_id: String,
    pub client_secret: String,
    pub plan: Plan,
    /// Access-token lifetime.
    pub token_ttl: Duration,
    /// Lifetime of a `next_page_token` (Zoom: 15 minutes).
    pub page_token_ttl: Duration,
    /// Multiplies every rate limit (per-second and daily).
    pub rate_limit_scale: f64,
    /// Multiplies the daily caps instead of `rate_limit_scale` (to reach a daily 429 quickly).
    pub daily_limit_scale: Option<f64>,
    /// Share of `/v2` requests answered with a fault.
    pub fault_rate: f64,
    /// Which faults may be drawn.
    pub fault_kinds: Vec<FaultKind>,
    /// Seeds the fault RNG, so the same request sequence meets the same faults.
    pub seed: u64,
    /// Sources whose scopes the simulated app lacks: their endpoints answer Zoom's 400 / 4711
    /// "does not contain scopes" naming the granular scope.
    pub missing_scopes: Vec<crate::sync::plan::Source>,
    /// How long a "slow answer" fault waits before answering.
    pub slow_delay: Duration,
    /// The simulator's idea of "now" for Zoom's retention rules (6-month report lookback,
    /// meetings older than a year, the recordings' default day). `None`: the end of the
    /// tenant's window when it has one (so a tenant generated with any `--start` is servable),
    /// else the real clock. Tokens and page tokens always use the real clock.
    pub now: Option<DateTime<Utc>>,
    /// Serve the tenant's events over Zoom's WebSocket endpoint (`GET /ws`).
    pub ws: Option<ws::WsSimConfig>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            account_id: "sim-account".into(),
            client_id: "sim-client".into(),
            client_secret: "sim-secret".into(),
            plan: Plan::Business,
            token_ttl: Duration::from_secs(3600),
            page_token_ttl: Duration::from_secs(15 * 60),
            rate_limit_scale: 1.0,
            daily_limit_scale: None,
            fault_rate: 0.0,
            fault_kinds: FaultKind::ALL.to_vec(),
            seed: 42,
            slow_delay: Duration::from_secs(4),
            missing_scopes: Vec::new(),
            now: None,
            ws: None,
        }
    }
}

impl SimConfig {
    /// "Now" for retention checks.
    pub fn now(&self) -> DateTime<Utc> {
        self.now.unwrap_or_else(Utc::now)
    }

    /// Pin `now` to the end of the tenant's window unless it was given.
    fn settle_now(mut self, t: &Tenant) -> SimConfig {
        if self.now.is_none()
            && let Some(end) = t.end
        {
            self.now = end.and_hms_opt(0, 0, 0).map(|d| d.and_utc());
        }
        self
    }
}

/// Shared state behind every handler.
pub struct AppState {
    pub tenant: Arc<Tenant>,
    pub cfg: SimConfig,
    pub index: endpoints::Index,
    pub auth: auth::AuthStore,
    pub limiter: ratelimit::Limiter,
    pub faults: faults::Injector,
    pub pager: paging::Pager,
    /// What the token endpoint reports as `api_url`: this simulator's own base.
    pub base_url: String,
    pub started: Instant,
    /// The WebSocket endpoint, when serving one.
    pub ws: Option<ws::WsState>,
}

/// A Zoom API error: HTTP status plus `{"code","message"[,"errors"]}`.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: i64,
    pub message: String,
    pub errors: Option<Value>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: i64, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            errors: None,
        }
    }
    /// Code 300 "Validation Failed." naming the offending field.
    pub fn validation(field: &str, message: &str) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code: 300,
            message: "Validation Failed.".into(),
            errors: Some(json!([{ "field": field, "message": message }])),
        }
    }
    pub fn invalid_token() -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, 124, "Invalid access token.")
    }
    pub fn no_permission() -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, 200, "No permission.")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({ "code": self.code, "message": self.message });
        if let Some(e) = self.errors {
            body["errors"] = e;
        }
        (self.status, axum::Json(body)).into_response()
    }
}

/// The whole application: OAuth, `/v2` behind the gate, and `/_sim/stats`.
pub fn router(tenant: Arc<Tenant>, cfg: SimConfig, base_url: String) -> Router {
    let cfg = cfg.settle_now(&tenant);
    let t0 = Instant::now();
    let index = endpoints::Index::build(&tenant);
    tracing::info!(seconds = t0.elapsed().as_secs_f64(), "tenant indexed");
    let ws = cfg
        .ws
        .clone()
        .map(|w| ws::WsState::new(w, &tenant.webhooks, cfg.seed));
    let state = Arc::new(AppState {
        ws,
        index,
        limiter: ratelimit::Limiter::new(
            cfg.plan,
            cfg.rate_limit_scale,
            cfg.daily_limit_scale.unwrap_or(cfg.rate_limit_scale),
        ),
        faults: faults::Injector::new(
            cfg.fault_rate,
            cfg.fault_kinds.clone(),
            cfg.seed,
            cfg.slow_delay,
        ),
        pager: paging::Pager::new(cfg.page_token_ttl),
        auth: auth::AuthStore::default(),
        tenant,
        cfg,
        base_url,
        started: Instant::now(),
    });
    let v2 =
        endpoints::routes().route_layer(axum::middleware::from_fn_with_state(state.clone(), gate));
    Router::new()
        .route("/oauth/token", post(auth::token))
        .route("/oauth/authorize", get(auth::authorize))
        .route("/_sim/stats", get(stats))
        .route("/ws", get(ws::handler))
        .nest("/v2", v2)
        .fallback(not_found)
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        404,
        "The requested resource does not exist.",
    )
}

/// Serve `tenant` on `listener` until the process ends.
pub async fn serve(
    tenant: Arc<Tenant>,
    cfg: SimConfig,
    listener: tokio::net::TcpListener,
) -> anyhow::Result<()> {
    serve_until(tenant, cfg, listener, std::future::pending()).await
}

/// Serve until `shutdown` completes (graceful: in-flight requests finish).
pub async fn serve_until(
    tenant: Arc<Tenant>,
    cfg: SimConfig,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let addr = listener.local_addr()?;
    let app = router(tenant, cfg, format!("http://{addr}"));
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
        .context("the simulator's HTTP server failed")
}

/// Bearer token → rate limit → fault, then the handler; adds the rate-limit headers Zoom sends.
async fn gate(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let token = req
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|t| t.trim().to_string());
    let Some(token) = token.filter(|t| st.auth.access_valid(t)) else {
        return ApiError::invalid_token().into_response();
    };
    if let Some(src) = source_of_path(req.uri().path())
        && st.cfg.missing_scopes.contains(&src)
    {
        let scopes = src.scopes().0.join(", ");
        return ApiError::new(
            StatusCode::BAD_REQUEST,
            4711,
            format!("Invalid access token, does not contain scopes:[{scopes}]."),
        )
        .into_response();
    }
    let category = ratelimit::Category::of_path(req.uri().path());
    let allowed = match st.limiter.check(category) {
        Ok(a) => a,
        Err(limited) => return limited.into_response(),
    };
    let mut resp = match st.faults.draw() {
        None => next.run(req).await,
        Some(fault) => faults::apply(&st, fault, &token, req, next).await,
    };
    let h = resp.headers_mut();
    h.insert(
        "X-RateLimit-Category",
        HeaderValue::from_static(category.name()),
    );
    if h.get("X-RateLimit-Type").is_some_and(|t| t == "QPS")
        && let Ok(v) = HeaderValue::from_str(&st.limiter.qps_limit(category))
    {
        // A storm 429 advertises the category's real per-second limit.
        h.insert("X-RateLimit-Limit", v);
    }
    if !h.contains_key("X-RateLimit-Limit") {
        h.insert("X-RateLimit-Limit", HeaderValue::from(allowed.limit));
        h.insert(
            "X-RateLimit-Remaining",
            HeaderValue::from(allowed.remaining),
        );
    }
    resp
}

/// Which sync source an API path belongs to (for the missing-scope fault).
fn source_of_path(path: &str) -> Option<crate::sync::plan::Source> {
    use crate::sync::plan::Source;
    let p = path.strip_prefix("/v2").unwrap_or(path);
    Some(if p == "/users" {
        Source::Users
    } else if p.starts_with("/report/history_meetings") {
        Source::History
    } else if p.starts_with("/report/disclaimer") {
        Source::Disclaimers
    } else if p.starts_with("/report/remote_support") {
        Source::RemoteSupport
    } else if p.starts_with("/meetings/") && p.contains("/recordings/analytics_") {
        Source::Analytics
    } else if p.starts_with("/report/activities") {
        Source::Signins
    } else if p.starts_with("/report/operationlogs") {
        Source::Operations
    } else if p.starts_with("/report/users/") || p.starts_with("/past_meetings/") {
        Source::Meetings
    } else if p.starts_with("/report/meetings/") {
        Source::Participants
    } else if p.starts_with("/metrics/") {
        Source::Metrics
    } else if p.starts_with("/users/") && p.contains("/recordings") {
        Source::Recordings
    } else if p.starts_with("/chat/") {
        Source::Chat
    } else {
        return None;
    })
}

/// `GET /_sim/stats`: per-category served/limited counts and the limits, faults drawn, tokens.
async fn stats(State(st): State<Arc<AppState>>) -> axum::Json<Value> {
    axum::Json(json!({
        "plan": format!("{:?}", st.cfg.plan).to_lowercase(),
        "rate_limit_scale": st.cfg.rate_limit_scale,
        "uptime_s": st.started.elapsed().as_secs_f64(),
        "categories": st.limiter.stats_json(),
        "faults": st.faults.stats_json(),
        "tokens_issued": st.auth.issued(),
        "websocket": st.ws.as_ref().map(ws::WsState::stats_json),
    }))
}
