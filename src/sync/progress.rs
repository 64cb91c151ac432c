//! Progress of a sync: a bar per source (requests per second, share of the category's rate
//! budget, retries, ETA) on a terminal, JSON lines with `--json`, nothing with `--quiet`.

use super::checkpoint::State;
use super::plan::Source;
use crate::zoom::{Category, Client};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Bars,
    Json,
    Quiet,
}

#[derive(Default)]
pub struct SourceStats {
    pub total: AtomicU64,
    pub done: AtomicU64,
    pub failed: AtomicU64,
    pub unavailable: AtomicU64,
    pub pages: AtomicU64,
    pub requests: AtomicU64,
    pub retries: AtomicU64,
}

/// The rate-limit category a source's requests fall in.
pub fn category(s: Source) -> Category {
    match s {
        Source::Users | Source::Recordings | Source::Chat | Source::Analytics => Category::Medium,
        _ => Category::Heavy,
    }
}

#[derive(serde::Serialize)]
pub struct SourceLine {
    pub event: &'static str,
    pub source: Source,
    pub units_done: u64,
    pub units_total: u64,
    pub failed: u64,
    pub unavailable: u64,
    pub pages: u64,
    pub requests: u64,
    pub req_per_s: f64,
    /// Share of the category's rate limit the whole sync is using right now.
    pub budget_share: f64,
    pub retries: u64,
    pub eta_s: Option<u64>,
}

struct Tick {
    at: Instant,
    per_source: BTreeMap<Source, u64>,
    per_cat: [u64; 3],
}

pub struct Progress {
    mode: Mode,
    pub stats: BTreeMap<Source, SourceStats>,
    client: Arc<Client>,
    started: Instant,
    bars: Option<(MultiProgress, BTreeMap<Source, ProgressBar>)>,
    last: Mutex<Tick>,
    stopped: AtomicBool,
}

impl Progress {
    pub fn new(mode: Mode, sources: &[Source], client: Arc<Client>) -> Arc<Progress> {
        let stats = sources
            .iter()
            .map(|&s| (s, SourceStats::default()))
            .collect();
        let bars = (mode == Mode::Bars).then(|| {
            let mp = MultiProgress::with_draw_target(ProgressDrawTarget::stderr_with_hz(8));
            let style = ProgressStyle::with_template(
                "{prefix:>12.bold} [{bar:24}] {pos:>6}/{len:<6} {msg} ETA {eta}",
            )
            .unwrap()
            .progress_chars("=> ");
            let bars = sources
                .iter()
                .map(|&s| {
                    let b = mp.add(ProgressBar::new(0));
                    b.set_style(style.clone());
                    b.set_prefix(s.name());
                    (s, b)
                })
                .collect();
            (mp, bars)
        });
        Arc::new(Progress {
            mode,
            stats,
            client,
            started: Instant::now(),
            bars,
            last: Mutex::new(Tick {
                at: Instant::now(),
                per_source: BTreeMap::new(),
                per_cat: [0; 3],
            }),
            stopped: AtomicBool::new(false),
        })
    }

    fn s(&self, s: Source) -> Option<&SourceStats> {
        self.stats.get(&s)
    }

    pub fn add_total(&self, s: Source, n: u64) {
        if let Some(st) = self.s(s) {
            st.total.fetch_add(n, Ordering::Relaxed);
            if let Some((_, bars)) = &self.bars {
                bars[&s].inc_length(n);
            }
        }
    }

    pub fn page(&self, s: Source, attempts: u32) {
        if let Some(st) = self.s(s) {
            st.pages.fetch_add(1, Ordering::Relaxed);
            st.requests.fetch_add(attempts as u64, Ordering::Relaxed);
            st.retries
                .fetch_add(attempts.saturating_sub(1) as u64, Ordering::Relaxed);
        }
    }

    /// A unit ended (done, failed or unavailable); also counts units skipped as complete.
    pub fn unit_end(&self, s: Source, state: State) {
        if let Some(st) = self.s(s) {
            match state {
                State::Failed => st.failed.fetch_add(1, Ordering::Relaxed),
                State::Unavailable | State::MissingScope => {
                    st.unavailable.fetch_add(1, Ordering::Relaxed)
                }
                _ => 0,
            };
            st.done.fetch_add(1, Ordering::Relaxed);
            if let Some((_, bars)) = &self.bars {
                bars[&s].inc(1);
            }
        }
    }

    /// Current figures per source (rates over the time since the previous call).
    pub fn snapshot(&self) -> Vec<SourceLine> {
        let mut last = self.last.lock().unwrap();
        let now = Instant::now();
        let dt = (now - last.at).as_secs_f64().max(1e-3);
        let cats: [u64; 3] = Category::ALL.map(|c| self.client.stats.requests(c));
        let elapsed = (now - self.started).as_secs_f64();
        let mut out = vec![];
        for (&s, st) in &self.stats {
            let req = st.requests.load(Ordering::Relaxed);
            let prev = last.per_source.get(&s).copied().unwrap_or(0);
            let cat = category(s) as usize;
            let share = (cats[cat] - last.per_cat[cat]) as f64
                / dt
                / self.client.limiter.limit(category(s));
            let (done, total) = (
                st.done.load(Ordering::Relaxed),
                st.total.load(Ordering::Relaxed),
            );
            let eta_s = (done > 0 && total > done)
                .then(|| ((total - done) as f64 * elapsed / done as f64) as u64);
            out.push(SourceLine {
                event: "progress",
                source: s,
                units_done: done,
                units_total: total,
                failed: st.failed.load(Ordering::Relaxed),
                unavailable: st.unavailable.load(Ordering::Relaxed),
                pages: st.pages.load(Ordering::Relaxed),
                requests: req,
                req_per_s: (req - prev) as f64 / dt,
                budget_share: share,
                retries: st.retries.load(Ordering::Relaxed),
                eta_s,
            });
            last.per_source.insert(s, req);
        }
        last.at = now;
        last.per_cat = cats;
        out
    }

    /// Refresh bars (or print JSON lines) until [`Progress::finish`].
    pub fn spawn_ticker(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let me = self.clone();
        tokio::spawn(async move {
            let every = if me.mode == Mode::Json {
                Duration::from_secs(1)
            } else {
                Duration::from_millis(500)
            };
            while !me.stopped.load(Ordering::Relaxed) {
                tokio::time::sleep(every).await;
                me.emit();
            }
        })
    }

    fn emit(&self) {
        match self.mode {
            Mode::Quiet => {}
            Mode::Json => {
                let mut out = std::io::stdout().lock();
                for l in self.snapshot() {
                    if l.units_total > 0 {
                        let _ = writeln!(out, "{}", serde_json::to_string(&l).unwrap_or_default());
                    }
                }
                let _ = out.flush();
            }
            Mode::Bars => {
                let Some((_, bars)) = &self.bars else { return };
                for l in self.snapshot() {
                    bars[&l.source].set_message(format!(
                        "{:>6.1} req/s {:>3.0}% of {} budget · {} pages · {} retries{}",
                        l.req_per_s,
                        l.budget_share * 100.0,
                        category(l.source).name(),
                        l.pages,
                        l.retries,
                        if l.failed > 0 {
                            format!(" · {} FAILED", l.failed)
                        } else {
                            String::new()
                        }
                    ));
                }
            }
        }
    }

    pub fn finish(&self) {
        self.stopped.store(true, Ordering::Relaxed);
        self.emit();
        if let Some((mp, bars)) = &self.bars {
            for b in bars.values() {
                b.finish();
            }
            let _ = mp.clear();
        }
    }

    /// Print a line above the bars without tearing them.
    pub fn println(&self, msg: &str) {
        match &self.bars {
            Some((mp, _)) => {
                let _ = mp.println(msg);
            }
            None if self.mode == Mode::Json => {}
            None => eprintln!("{msg}"),
        }
    }
}
