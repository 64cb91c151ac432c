//! One GET against the Zoom API, with pacing, token handling and retries.

use super::Plan;
use super::auth::{Secret, TokenSource};
use super::ratelimit::{Category, DailyCapPolicy, RateLimiter, Slot, next_utc_midnight};
use super::retry::{RetryPolicy, parse_retry_after};
use super::{ApiError, DEFAULT_TIMEOUT};
use chrono::{DateTime, Utc};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// A request to one list endpoint (without the page token).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// Path under the API base, already encoded (`/report/meetings/%252F...%253D/participants`).
    pub path: String,
    pub query: Vec<(String, String)>,
    pub category: Category,
}

/// One fetched page: what a capture line records.
#[derive(Clone, Debug)]
pub struct Page {
    pub path: String,
    /// The query as sent, the page token included.
    pub query: Vec<(String, String)>,
    pub fetched_at: DateTime<Utc>,
    /// The body verbatim (validated as a JSON object).
    pub body: String,
    /// Non-empty `next_page_token`, when there are more pages.
    pub next_page_token: Option<String>,
    /// Tries it took (1 = first time).
    pub attempts: u32,
}

pub struct ClientConfig {
    /// Explicit API base (`--api-base` / ZOOM_API_BASE); otherwise `api_url` from the token
    /// response, otherwise <https://api.zoom.us/v2>.
    pub api_base: Option<String>,
    pub oauth_base: String,
    pub plan: Plan,
    /// Share of each category's limit to aim for.
    pub rate_share: f64,
    pub daily_cap: DailyCapPolicy,
    pub retry: RetryPolicy,
    pub timeout: Duration,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            api_base: None,
            oauth_base: "https://zoom.us".into(),
            plan: Plan::Pro,
            rate_share: 0.95,
            daily_cap: DailyCapPolicy::Stop,
            retry: RetryPolicy::default(),
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

/// Counters a progress display reads.
#[derive(Default)]
pub struct Stats {
    pub requests: [AtomicU64; 3],
    pub retries: AtomicU64,
    pub rate_limited: AtomicU64,
    pub reauth: AtomicU64,
    /// First and latest send time per category, to measure achieved rates.
    pub span: std::sync::Mutex<[Option<(std::time::Instant, std::time::Instant)>; 3]>,
}

impl Stats {
    pub fn requests(&self, c: Category) -> u64 {
        self.requests[c as usize].load(Ordering::Relaxed)
    }
    /// Achieved requests per second of a category between its first and latest request.
    pub fn achieved_rate(&self, c: Category) -> Option<f64> {
        let n = self.requests(c);
        let (a, b) = self.span.lock().unwrap()[c as usize]?;
        let secs = (b - a).as_secs_f64();
        (n > 1 && secs > 0.0).then(|| (n - 1) as f64 / secs)
    }
}

pub struct Client {
    http: reqwest::Client,
    pub auth: TokenSource,
    explicit_base: Option<String>,
    pub limiter: RateLimiter,
    pub stats: Stats,
    retry: RetryPolicy,
    daily_cap: DailyCapPolicy,
}

/// Zoom's error body.
#[derive(serde::Deserialize, Default)]
struct ZoomError {
    code: Option<i64>,
    message: Option<String>,
}

enum Step {
    Done(Page),
    Fail(ApiError),
    /// Transient: retry after backoff, with this description.
    Retry(String),
    /// Per-second 429: retry after this pause.
    Slow(Duration),
    /// Token refused: get a new one.
    Reauth(Secret),
    /// Daily cap reached (from Zoom); resume at.
    Daily(DateTime<Utc>),
}

impl Client {
    pub fn new(cfg: ClientConfig, creds: super::auth::Credentials) -> anyhow::Result<Client> {
        let http = reqwest::Client::builder()
            .timeout(cfg.timeout)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("zoomlens/", env!("CARGO_PKG_VERSION")))
            .pool_max_idle_per_host(128)
            .build()?;
        Ok(Client {
            auth: TokenSource::new(http.clone(), &cfg.oauth_base, creds),
            http,
            explicit_base: cfg.api_base.map(|b| b.trim_end_matches('/').to_string()),
            limiter: RateLimiter::new(cfg.plan, cfg.rate_share, 1.0),
            stats: Stats::default(),
            retry: cfg.retry,
            daily_cap: cfg.daily_cap,
        })
    }

    /// The API base in use: explicit, else the token's `api_url` (+ `/v2`), else Zoom's default.
    pub fn base(&self) -> String {
        if let Some(b) = &self.explicit_base {
            return b.clone();
        }
        if let Some(u) = self.auth.api_url() {
            let u = u.trim_end_matches('/');
            return if u.ends_with("/v2") {
                u.to_string()
            } else {
                format!("{u}/v2")
            };
        }
        "https://api.zoom.us/v2".to_string()
    }

    /// Fetch one page of `req` (the first when `page_token` is None).
    pub async fn get(&self, req: &Request, page_token: Option<&str>) -> Result<Page, ApiError> {
        let mut query = req.query.clone();
        if let Some(t) = page_token {
            query.push(("next_page_token".into(), t.to_string()));
        }
        let (mut attempts, mut slowed, mut reauths) = (0u32, 0u32, 0u32);
        loop {
            match self.limiter.acquire(req.category).await {
                Slot::Go => {}
                Slot::DailyCap(at) => {
                    self.daily_wait(req.category, at).await?;
                    continue;
                }
            }
            attempts += 1;
            self.stats.requests[req.category as usize].fetch_add(1, Ordering::Relaxed);
            {
                let now = std::time::Instant::now();
                let mut span = self.stats.span.lock().unwrap();
                let e = &mut span[req.category as usize];
                *e = Some((e.map_or(now, |(a, _)| a), now));
            }
            let token = self.auth.token().await?;
            let step = self.once(req, &query, &token, page_token.is_some()).await;
            match step {
                Step::Done(mut p) => {
                    self.limiter.on_success(req.category);
                    p.attempts = attempts;
                    return Ok(p);
                }
                Step::Fail(e) => return Err(e),
                Step::Retry(why) => {
                    if attempts - slowed - reauths >= self.retry.max_attempts {
                        return Err(ApiError::Exhausted {
                            attempts,
                            last: why,
                        });
                    }
                    tracing::debug!(path = %crate::output::sanitize(&req.path), why = %crate::output::sanitize(&why.to_string()), attempts, "retrying");
                    self.stats.retries.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(self.retry.backoff(attempts - slowed - reauths)).await;
                }
                Step::Slow(wait) => {
                    slowed += 1;
                    self.stats.rate_limited.fetch_add(1, Ordering::Relaxed);
                    self.stats.retries.fetch_add(1, Ordering::Relaxed);
                    if slowed > self.retry.max_rate_limited {
                        return Err(ApiError::Exhausted {
                            attempts,
                            last: "HTTP 429 rate limited on every retry".into(),
                        });
                    }
                    self.limiter.on_rate_limited(req.category, wait);
                }
                Step::Reauth(used) => {
                    reauths += 1;
                    self.stats.reauth.fetch_add(1, Ordering::Relaxed);
                    if reauths > 3 {
                        return Err(ApiError::Auth(
                            "Zoom keeps refusing fresh access tokens (401 / code 124); check \
                             the app's scopes and that it is activated"
                                .into(),
                        ));
                    }
                    self.auth.invalidate(&used).await;
                }
                Step::Daily(at) => {
                    self.stats.rate_limited.fetch_add(1, Ordering::Relaxed);
                    self.limiter.on_daily_cap(req.category);
                    self.daily_wait(req.category, at).await?;
                }
            }
        }
    }

    async fn daily_wait(&self, category: Category, at: DateTime<Utc>) -> Result<(), ApiError> {
        match self.daily_cap {
            DailyCapPolicy::Stop => Err(ApiError::DailyCap {
                category,
                resume_at: at,
            }),
            DailyCapPolicy::Wait => {
                let d = (at - Utc::now()).to_std().unwrap_or(Duration::ZERO);
                tracing::warn!("daily {} cap reached; waiting until {at}", category.name());
                tokio::time::sleep(d + Duration::from_secs(1)).await;
                Ok(())
            }
        }
    }

    async fn once(
        &self,
        req: &Request,
        query: &[(String, String)],
        token: &Secret,
        follow_up: bool,
    ) -> Step {
        let url = format!("{}{}", self.base(), req.path);
        let fetched_at = Utc::now();
        let resp = self
            .http
            .get(&url)
            .bearer_auth(token.expose())
            .query(query)
            .send()
            .await;
        let resp = match resp {
            Ok(r) => r,
            Err(e) => return Step::Retry(transport(e)),
        };
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = match resp.bytes().await {
            Ok(b) => b,
            Err(e) => return Step::Retry(format!("body cut short: {}", transport(e))),
        };
        if (200..300).contains(&status) {
            let v: serde_json::Value = match serde_json::from_slice(&body) {
                Ok(v) => v,
                Err(e) => return Step::Retry(format!("malformed or truncated JSON body: {e}")),
            };
            if !v.is_object() {
                return Step::Retry("response body is not a JSON object".into());
            }
            let next_page_token = super::paging::next_token(&v);
            return Step::Done(Page {
                path: req.path.clone(),
                query: query.to_vec(),
                fetched_at,
                body: String::from_utf8_lossy(&body).into_owned(),
                next_page_token,
                attempts: 0,
            });
        }
        let err: ZoomError = serde_json::from_slice(&body).unwrap_or_default();
        let message = crate::output::sanitize(err.message.as_deref().unwrap_or("")).into_owned();
        let code = err.code.unwrap_or(status as i64);
        let header = |k: &str| {
            headers
                .get(k)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        if status == 429 {
            let retry_after = header("retry-after").and_then(|v| parse_retry_after(&v, Utc::now()));
            let daily = header("x-ratelimit-type")
                .is_some_and(|t| t.to_ascii_lowercase().contains("daily"))
                || message.to_ascii_lowercase().contains("daily");
            if daily {
                let at = retry_after
                    .and_then(|d| chrono::Duration::from_std(d).ok())
                    .map(|d| Utc::now() + d)
                    .unwrap_or_else(|| next_utc_midnight(Utc::now()));
                return Step::Daily(at);
            }
            return Step::Slow(retry_after.unwrap_or(Duration::from_secs(1)));
        }
        // A missing scope is not a stale token: a new token would have the same scopes.
        if let Some(scopes) = ApiError::missing_scopes(&message) {
            return Step::Fail(ApiError::MissingScope { scopes });
        }
        if status == 401 || code == 124 || code == 4700 {
            return Step::Reauth(token.clone());
        }
        if status >= 500 || status == 408 {
            return Step::Retry(format!("HTTP {status}"));
        }
        if code == 300 && follow_up {
            return Step::Fail(ApiError::PageTokenExpired);
        }
        Step::Fail(ApiError::Zoom {
            status,
            code,
            message,
        })
    }
}

fn transport(e: reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_body() || e.is_decode() {
        "body error"
    } else {
        "connection error"
    };
    // The URL carries no secrets, but keep messages short and stable.
    format!("{kind}: {}", e.without_url())
}
