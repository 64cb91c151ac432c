//! Per-category request pacing for one Zoom account.
//!
//! Zoom limits each account per rate-limit label (Light, Medium, Heavy) and plan, and shares the
//! budget with every other app on the account. Each category is paced as a GCRA
//! (evenly spaced requests at `target × limit`), which keeps the budget full without bursts that
//! a per-second window would count twice. The rate adapts: a 429 cuts it and pauses the category
//! for Retry-After; successes climb back to the target. Daily caps are counted per UTC day.

use chrono::{DateTime, Datelike, TimeZone, Utc};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Zoom's rate-limit labels used by the endpoints this tool calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum Category {
    Light,
    Medium,
    Heavy,
}

impl Category {
    pub const ALL: [Category; 3] = [Category::Light, Category::Medium, Category::Heavy];
    fn idx(self) -> usize {
        self as usize
    }
    pub fn name(self) -> &'static str {
        match self {
            Category::Light => "Light",
            Category::Medium => "Medium",
            Category::Heavy => "Heavy",
        }
    }
}

/// What to do when a daily cap is reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DailyCapPolicy {
    /// Stop with a message saying when Zoom resumes (the default: the budget is shared).
    #[default]
    Stop,
    /// Sleep until 00:00 UTC and carry on.
    Wait,
}

/// The account's Zoom plan, which sets its rate limits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Plan {
    Free,
    Pro,
    #[default]
    Business,
}

/// Requests per second and the daily cap of a category on a plan.
pub fn plan_limits(plan: Plan, cat: Category) -> (f64, Option<u64>) {
    match (plan, cat) {
        (Plan::Free, Category::Light) => (4.0, Some(6_000)),
        (Plan::Free, Category::Medium) => (2.0, Some(2_000)),
        (Plan::Free, Category::Heavy) => (1.0, Some(1_000)),
        (Plan::Pro, Category::Light) => (30.0, None),
        (Plan::Pro, Category::Medium) => (20.0, None),
        (Plan::Pro, Category::Heavy) => (10.0, Some(30_000)),
        (Plan::Business, Category::Light) => (80.0, None),
        (Plan::Business, Category::Medium) => (60.0, None),
        (Plan::Business, Category::Heavy) => (40.0, Some(60_000)),
    }
}

/// The next 00:00 UTC after `now`, when Zoom's daily limits reset.
pub fn next_utc_midnight(now: DateTime<Utc>) -> DateTime<Utc> {
    let d = now.date_naive().succ_opt().unwrap_or(now.date_naive());
    Utc.with_ymd_and_hms(d.year(), d.month(), d.day(), 0, 0, 0)
        .single()
        .unwrap_or(now)
}

struct Pace {
    /// Current rate (req/s); between `floor` and `target`.
    rate: f64,
    /// Theoretical arrival time of the next request.
    next: Instant,
    /// Requests counted today (UTC) against the daily cap.
    day: i32,
    day_count: u64,
}

struct Bucket {
    limit: f64,
    target: f64,
    daily: Option<u64>,
    pace: Mutex<Pace>,
    sent: AtomicU64,
}

/// Outcome of asking for a slot.
pub enum Slot {
    /// Send now.
    Go,
    /// The local daily count reached the cap; Zoom resumes at this time.
    DailyCap(DateTime<Utc>),
}

/// The account's pacing state for every category.
pub struct RateLimiter {
    buckets: Vec<Bucket>,
}

impl RateLimiter {
    /// `share` is the fraction of each limit to aim for (0.95 leaves room for scheduling jitter).
    pub fn new(plan: Plan, share: f64, scale: f64) -> RateLimiter {
        let now = Instant::now();
        let buckets = Category::ALL
            .iter()
            .map(|&c| {
                let (limit, daily) = plan_limits(plan, c);
                let limit = limit * scale;
                let target = (limit * share).max(0.05);
                Bucket {
                    limit,
                    target,
                    daily,
                    pace: Mutex::new(Pace {
                        rate: target,
                        next: now,
                        day: 0,
                        day_count: 0,
                    }),
                    sent: AtomicU64::new(0),
                }
            })
            .collect();
        RateLimiter { buckets }
    }

    /// The category's published limit in requests per second.
    pub fn limit(&self, cat: Category) -> f64 {
        self.buckets[cat.idx()].limit
    }

    /// Requests let through so far in this category.
    pub fn sent(&self, cat: Category) -> u64 {
        self.buckets[cat.idx()].sent.load(Ordering::Relaxed)
    }

    /// The current paced rate (after any 429 cut).
    pub fn current_rate(&self, cat: Category) -> f64 {
        self.buckets[cat.idx()].pace.lock().unwrap().rate
    }

    /// Wait for this category's next slot.
    pub async fn acquire(&self, cat: Category) -> Slot {
        let b = &self.buckets[cat.idx()];
        let at = {
            let mut p = b.pace.lock().unwrap();
            let now_utc = Utc::now();
            let today = now_utc.date_naive().num_days_from_ce();
            if p.day != today {
                p.day = today;
                p.day_count = 0;
            }
            if let Some(cap) = b.daily
                && p.day_count >= cap
            {
                return Slot::DailyCap(next_utc_midnight(now_utc));
            }
            p.day_count += 1;
            let now = Instant::now();
            let at = p.next.max(now);
            p.next = at + Duration::from_secs_f64(1.0 / p.rate);
            at
        };
        tokio::time::sleep_until(at.into()).await;
        b.sent.fetch_add(1, Ordering::Relaxed);
        Slot::Go
    }

    /// A request went through: climb back towards the target rate.
    pub fn on_success(&self, cat: Category) {
        let b = &self.buckets[cat.idx()];
        let mut p = b.pace.lock().unwrap();
        if p.rate < b.target {
            p.rate = (p.rate + b.target * 0.01).min(b.target);
        }
    }

    /// Zoom said 429 (per-second): slow down and pause the category for `wait`.
    pub fn on_rate_limited(&self, cat: Category, wait: Duration) {
        let b = &self.buckets[cat.idx()];
        let mut p = b.pace.lock().unwrap();
        p.rate = (p.rate * 0.7).max(b.target * 0.1);
        let resume = Instant::now() + wait;
        if resume > p.next {
            p.next = resume;
        }
    }

    /// Zoom says the daily cap is spent (other apps share it): stop counting locally too.
    pub fn on_daily_cap(&self, cat: Category) {
        let b = &self.buckets[cat.idx()];
        let mut p = b.pace.lock().unwrap();
        if let Some(cap) = b.daily {
            p.day_count = p.day_count.max(cap);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn paces_heavy_at_target_share_of_the_limit() {
        // Pro Heavy scaled ×20 (200/s) so the test takes half a second.
        let rl = RateLimiter::new(Plan::Pro, 0.95, 20.0);
        let start = tokio::time::Instant::now();
        for _ in 0..96 {
            assert!(matches!(rl.acquire(Category::Heavy).await, Slot::Go));
        }
        let secs = start.elapsed().as_secs_f64();
        // The first goes at once, the rest every 1/190 s: never faster than the target.
        assert!(secs >= 95.0 / 190.0 - 0.005, "{secs}");
        // Loose: a loaded CI machine delays wake-ups, but pacing must not drift by seconds.
        assert!(secs < 95.0 / 190.0 + 1.5, "{secs}");
        assert_eq!(rl.sent(Category::Heavy), 96);
    }

    #[tokio::test]
    async fn a_429_pauses_and_slows_the_category_only() {
        let rl = RateLimiter::new(Plan::Pro, 0.95, 1.0);
        rl.on_rate_limited(Category::Heavy, Duration::from_millis(300));
        assert!(rl.current_rate(Category::Heavy) < 9.5 * 0.75);
        let start = tokio::time::Instant::now();
        rl.acquire(Category::Medium).await;
        assert!(start.elapsed() < Duration::from_millis(10));
        rl.acquire(Category::Heavy).await;
        assert!(start.elapsed() >= Duration::from_millis(300));
        for _ in 0..500 {
            rl.on_success(Category::Heavy);
        }
        assert!((rl.current_rate(Category::Heavy) - 9.5).abs() < 1e-9);
    }

    #[tokio::test]
    async fn daily_cap_is_counted() {
        let rl = RateLimiter::new(Plan::Free, 1.0, 100_000.0);
        for _ in 0..1000 {
            assert!(matches!(rl.acquire(Category::Heavy).await, Slot::Go));
        }
        match rl.acquire(Category::Heavy).await {
            Slot::DailyCap(t) => assert!(t > Utc::now()),
            Slot::Go => panic!("cap not enforced"),
        }
    }

    #[test]
    fn midnight_is_next_day() {
        let t = Utc.with_ymd_and_hms(2026, 11, 22, 23, 59, 0).unwrap();
        assert_eq!(
            next_utc_midnight(t),
            Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap()
        );
    }
}
