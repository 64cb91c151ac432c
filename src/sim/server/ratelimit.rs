//! Zoom's account-wide rate limits, per category and plan.
//!
//! Per-second limits are token buckets holding one second's worth of requests (at least one).
//! Daily caps reset at 00:00 UTC: on Free every category has its own cap; on Pro and Business
//! Heavy and Resource-intensive share one cap (30,000 / 60,000) and Light/Medium have none.
//! `--rate-limit-scale` multiplies every number. A 429 carries Zoom's body and the
//! X-RateLimit-* headers; `Retry-After` is seconds for a per-second limit and the RFC 3339 time
//! of the next 00:00 UTC for a daily one (the form Zoom's documentation showed).

use crate::zoom::Plan;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, Utc};
use serde_json::{Value, json};
use std::sync::Mutex;
use std::time::Instant;

/// Zoom's rate-limit labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    Light = 0,
    Medium = 1,
    Heavy = 2,
    Resource = 3,
}

impl Category {
    pub const ALL: [Category; 4] = [
        Category::Light,
        Category::Medium,
        Category::Heavy,
        Category::Resource,
    ];
    /// The value of `X-RateLimit-Category`.
    pub fn name(self) -> &'static str {
        match self {
            Category::Light => "Light",
            Category::Medium => "Medium",
            Category::Heavy => "Heavy",
            Category::Resource => "Resource-intensive",
        }
    }
    /// Label of an endpoint: reports and dashboards are Heavy; users, recordings,
    /// chat and past-meeting instances are Medium; anything else Light.
    pub fn of_path(path: &str) -> Category {
        let p = path.strip_prefix("/v2").unwrap_or(path);
        if p.starts_with("/report/") || p.starts_with("/metrics/") {
            Category::Heavy
        } else if p == "/users"
            || p.starts_with("/users/")
            || p.starts_with("/chat/")
            || p.starts_with("/past_meetings/")
            || p.starts_with("/meetings/")
        {
            Category::Medium
        } else {
            Category::Light
        }
    }
}

/// Requests per second of each category, by plan.
fn qps(plan: Plan, c: Category) -> f64 {
    use Category::*;
    match (plan, c) {
        (Plan::Free, Light) => 4.0,
        (Plan::Free, Medium) => 2.0,
        (Plan::Free, Heavy) => 1.0,
        (Plan::Free | Plan::Pro, Resource) => 10.0 / 60.0,
        (Plan::Pro, Light) => 30.0,
        (Plan::Pro, Medium) => 20.0,
        (Plan::Pro, Heavy) => 10.0,
        (Plan::Business, Light) => 80.0,
        (Plan::Business, Medium) => 60.0,
        (Plan::Business, Heavy) => 40.0,
        (Plan::Business, Resource) => 20.0 / 60.0,
    }
}

/// Which daily counter a category draws from, and that counter's cap.
fn daily(plan: Plan, c: Category) -> Option<(usize, u64)> {
    use Category::*;
    match (plan, c) {
        (Plan::Free, Light) => Some((0, 6_000)),
        (Plan::Free, Medium) => Some((1, 2_000)),
        (Plan::Free, Heavy) => Some((2, 1_000)),
        (Plan::Free, Resource) => Some((3, 30_000)),
        // Heavy and Resource-intensive share counter 2.
        (Plan::Pro, Heavy | Resource) => Some((2, 30_000)),
        (Plan::Business, Heavy | Resource) => Some((2, 60_000)),
        _ => None,
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    cap: f64,
    rate: f64,
    last: Instant,
}

impl Bucket {
    fn refill(&mut self, now: Instant) {
        let dt = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + dt * self.rate).min(self.cap);
        self.last = now;
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct CatStats {
    served: u64,
    limited_qps: u64,
    limited_daily: u64,
    first: Option<Instant>,
    last: Option<Instant>,
}

struct Inner {
    buckets: [Bucket; 4],
    day: NaiveDate,
    used: [u64; 4],
    stats: [CatStats; 4],
}

/// The account's limiter.
pub struct Limiter {
    plan: Plan,
    scale: f64,
    daily_scale: f64,
    started: Instant,
    inner: Mutex<Inner>,
}

/// What a passing request is told in X-RateLimit-Limit / -Remaining.
#[derive(Debug, Clone, Copy)]
pub struct Allowed {
    pub limit: u64,
    pub remaining: u64,
}

/// A refused request.
#[derive(Debug, Clone)]
pub enum Limited {
    Qps {
        category: Category,
        limit: String,
        retry_after_s: u64,
    },
    Daily {
        category: Category,
        limit: u64,
        reset: String,
    },
}

/// Zoom's per-second 429 body.
pub const QPS_MESSAGE: &str =
    "You have reached the maximum per-second rate limit for this API. Try again later.";
const DAILY_MESSAGE: &str = "You have reached the maximum daily rate limit for this API. Refer to the response header for details on when you can make another request.";

/// A limit as Zoom would print it: whole numbers without decimals.
pub fn fmt_limit(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 {
        format!("{}", x.round() as u64)
    } else {
        format!("{x:.3}")
    }
}

impl IntoResponse for Limited {
    fn into_response(self) -> Response {
        let (category, kind, limit, retry, message) = match self {
            Limited::Qps {
                category,
                limit,
                retry_after_s,
            } => (
                category,
                "QPS",
                limit,
                retry_after_s.to_string(),
                QPS_MESSAGE,
            ),
            Limited::Daily {
                category,
                limit,
                reset,
            } => (
                category,
                "Daily-limit",
                limit.to_string(),
                reset,
                DAILY_MESSAGE,
            ),
        };
        let mut r = (
            StatusCode::TOO_MANY_REQUESTS,
            axum::Json(json!({ "code": 429, "message": message })),
        )
            .into_response();
        let h = r.headers_mut();
        h.insert(
            "X-RateLimit-Category",
            HeaderValue::from_static(category.name()),
        );
        h.insert("X-RateLimit-Type", HeaderValue::from_static(kind));
        if let Ok(v) = HeaderValue::from_str(&limit) {
            h.insert("X-RateLimit-Limit", v);
        }
        h.insert("X-RateLimit-Remaining", HeaderValue::from(0));
        if let Ok(v) = HeaderValue::from_str(&retry) {
            h.insert("Retry-After", v);
        }
        r
    }
}

fn next_midnight_utc() -> String {
    let tomorrow = Utc::now().date_naive() + chrono::Days::new(1);
    format!("{}T00:00:00Z", tomorrow.format("%Y-%m-%d"))
}

impl Limiter {
    pub fn new(plan: Plan, scale: f64, daily_scale: f64) -> Limiter {
        let now = Instant::now();
        let buckets = Category::ALL.map(|c| {
            let rate = qps(plan, c) * scale;
            let cap = rate.max(1.0);
            Bucket {
                tokens: cap,
                cap,
                rate,
                last: now,
            }
        });
        Limiter {
            plan,
            scale,
            daily_scale,
            started: now,
            inner: Mutex::new(Inner {
                buckets,
                day: Utc::now().date_naive(),
                used: [0; 4],
                stats: [CatStats::default(); 4],
            }),
        }
    }

    fn daily_cap(&self, c: Category) -> Option<(usize, u64)> {
        daily(self.plan, c).map(|(slot, cap)| {
            (
                slot,
                ((cap as f64 * self.daily_scale).round() as u64).max(1),
            )
        })
    }

    /// The per-second limit of a category, as advertised in X-RateLimit-Limit.
    pub fn qps_limit(&self, c: Category) -> String {
        fmt_limit(qps(self.plan, c) * self.scale)
    }

    /// Take one request of category `c`, or say why not.
    pub fn check(&self, c: Category) -> Result<Allowed, Limited> {
        let now = Instant::now();
        let mut g = self.inner.lock().expect("limiter lock");
        let today = Utc::now().date_naive();
        if today != g.day {
            g.day = today;
            g.used = [0; 4];
        }
        let i = c as usize;
        let daily = self.daily_cap(c);
        if let Some((slot, cap)) = daily
            && g.used[slot] >= cap
        {
            g.stats[i].limited_daily += 1;
            return Err(Limited::Daily {
                category: c,
                limit: cap,
                reset: next_midnight_utc(),
            });
        }
        let b = &mut g.buckets[i];
        b.refill(now);
        if b.tokens < 1.0 {
            let wait = (1.0 - b.tokens) / b.rate;
            let limit = fmt_limit(b.rate);
            g.stats[i].limited_qps += 1;
            return Err(Limited::Qps {
                category: c,
                limit,
                retry_after_s: wait.ceil().max(1.0) as u64,
            });
        }
        b.tokens -= 1.0;
        let qps_remaining = b.tokens.floor() as u64;
        let qps_limit = b.rate.ceil() as u64;
        let s = &mut g.stats[i];
        s.served += 1;
        s.first.get_or_insert(now);
        s.last = Some(now);
        Ok(match daily {
            Some((slot, cap)) => {
                g.used[slot] += 1;
                Allowed {
                    limit: cap,
                    remaining: cap - g.used[slot],
                }
            }
            None => Allowed {
                limit: qps_limit,
                remaining: qps_remaining,
            },
        })
    }

    /// Per-category counters and limits for `/_sim/stats`.
    pub fn stats_json(&self) -> Value {
        let g = self.inner.lock().expect("limiter lock");
        let mut out = serde_json::Map::new();
        for c in Category::ALL {
            let s = g.stats[c as usize];
            let secs = |t: Option<Instant>| {
                t.map(|t| t.saturating_duration_since(self.started).as_secs_f64())
            };
            let span = match (s.first, s.last) {
                (Some(a), Some(b)) => b.saturating_duration_since(a).as_secs_f64(),
                _ => 0.0,
            };
            let rate = qps(self.plan, c) * self.scale;
            out.insert(
                c.name().to_string(),
                json!({
                    "qps_limit": rate,
                    "daily_limit": self.daily_cap(c).map(|(_, cap)| cap),
                    "served": s.served,
                    "limited_qps": s.limited_qps,
                    "limited_daily": s.limited_daily,
                    "first_served_s": secs(s.first),
                    "last_served_s": secs(s.last),
                    // Requests per second between the first and last served request.
                    "achieved_qps": if span > 0.0 { Some((s.served - 1) as f64 / span) } else { None },
                }),
            );
        }
        Value::Object(out)
    }
}
