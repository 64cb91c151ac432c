//! The one task that owns the case file while listening.
//!
//! Handlers send (raw body, ack) here and wait. The writer takes everything queued, stores it in
//! ONE transaction (group commit), commits, and only then acks each event: an event is
//! acknowledged to Zoom only once it is durable, and a single fsync covers many events. If a
//! batch fails, it is retried one event per transaction so one bad event cannot sink the others.

use crate::model::Origin;
use crate::store::{Outcome, Store, Writer};
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use tokio::sync::{mpsc, oneshot};
use tracing::{debug, error, info, warn};

use super::server::Stats;

/// The most events committed in one transaction; more wait for the next one.
pub const MAX_BATCH: usize = 4096;

/// What the writer did with one delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ack {
    /// Committed: new, or merged into an existing record.
    Stored,
    /// Already in the case (a retried delivery); nothing changed.
    Duplicate,
    /// Authentic but unusable: kept whole in `rejects` with the reason, committed.
    Rejected,
    /// Could not be committed (disk, lock): the caller must answer 5xx so Zoom retries.
    Failed,
}

pub struct Job {
    pub raw: String,
    /// Kept in `rejects` with this reason as it is, not parsed (an authenticated body the
    /// handler could not even read as text; `raw` then says how it is encoded).
    pub reason: Option<String>,
    pub ack: oneshot::Sender<Ack>,
}

pub enum Msg {
    Event(Job),
    /// Replace a live feed's health row (after the events queued before it are committed).
    Feed(Box<crate::store::feed::FeedHealth>),
    /// Stop accepting, store what is queued, exit.
    Drain,
}

/// Which origin row events are filed under: one per listener start, renewed each UTC day so a
/// long-running listener's provenance says roughly when events arrived.
struct OriginSlot {
    source: String,
    day: String,
    id: i64,
}

impl OriginSlot {
    fn current(&mut self, store: &mut Store) -> anyhow::Result<i64> {
        let now = chrono::Utc::now();
        let day = now.format("%Y-%m-%d").to_string();
        if day != self.day || self.id == 0 {
            let mut w = store.writer()?;
            let id = w.origin(&Origin {
                kind: "webhook".into(),
                source: self.source.clone(),
                query: String::new(),
                fetched_at: crate::model::time::fmt_utc(now),
            })?;
            w.commit()?;
            self.day = day;
            self.id = id;
        }
        Ok(self.id)
    }
}

/// Record the origin, then run the writer on its own thread until drained.
pub fn spawn(
    mut store: Store,
    source: String,
    stats: Arc<Stats>,
    rx: mpsc::Receiver<Msg>,
) -> anyhow::Result<std::thread::JoinHandle<anyhow::Result<()>>> {
    let mut origin = OriginSlot {
        source,
        day: String::new(),
        id: 0,
    };
    origin.current(&mut store)?;
    Ok(std::thread::Builder::new()
        .name("zoomlens-writer".into())
        .spawn(move || run(store, origin, stats, rx))?)
}

fn run(
    mut store: Store,
    mut origin: OriginSlot,
    stats: Arc<Stats>,
    mut rx: mpsc::Receiver<Msg>,
) -> anyhow::Result<()> {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    // After `close`, messages sent before it are still received; `None` means all are in.
    while let Some(first) = rx.blocking_recv() {
        let mut next = Some(first);
        let mut feed = None;
        while let Some(m) = next.take() {
            match m {
                Msg::Event(j) => batch.push(j),
                // Only the latest matters; it is written after this batch's events.
                Msg::Feed(h) => feed = Some(h),
                Msg::Drain => rx.close(),
            }
            if batch.len() < MAX_BATCH {
                next = rx.try_recv().ok();
            }
        }
        if !batch.is_empty() {
            commit_batch(&mut store, &mut origin, &stats, &mut batch);
        }
        if let Some(h) = feed
            && let Err(e) = crate::store::feed::store(&store.conn, &h)
        {
            warn!(error = %crate::output::sanitize(&format!("{e:#}")), "cannot record the feed's health");
        }
    }
    info!(
        stored = stats.stored.load(Relaxed),
        duplicates = stats.duplicates.load(Relaxed),
        "writer drained"
    );
    Ok(())
}

fn ack_all(stats: &Stats, jobs: &mut Vec<Job>, acks: Vec<Ack>) {
    for (job, a) in jobs.drain(..).zip(acks) {
        let c = match a {
            Ack::Stored => &stats.stored,
            Ack::Duplicate => &stats.duplicates,
            Ack::Rejected => &stats.rejected,
            Ack::Failed => &stats.failed,
        };
        c.fetch_add(1, Relaxed);
        // The requester may have gone (client timeout); the event is committed regardless.
        let _ = job.ack.send(a);
    }
}

/// Store one delivery in the open batch. `store_event` keeps an unusable delivery (not JSON, no
/// event_ts, say) in `rejects` and reports it `Present`; the reject tally tells it apart from a
/// retried delivery.
fn store_one(
    w: &mut Writer,
    origin: &OriginSlot,
    origin_id: i64,
    job: &Job,
) -> anyhow::Result<Ack> {
    if let Some(reason) = &job.reason {
        w.reject("webhook_events", &origin.source, None, reason, &job.raw)?;
        return Ok(Ack::Rejected);
    }
    let before = w.counts.total_rejected();
    let o = crate::ingest::webhook::store_event(w, origin_id, None, &job.raw)?;
    Ok(match o {
        Outcome::Added | Outcome::Merged => Ack::Stored,
        Outcome::Present if w.counts.total_rejected() > before => Ack::Rejected,
        Outcome::Present => Ack::Duplicate,
    })
}

fn commit_batch(store: &mut Store, origin: &mut OriginSlot, stats: &Stats, jobs: &mut Vec<Job>) {
    let started = std::time::Instant::now();
    let origin_id = match origin.current(store) {
        Ok(id) => id,
        Err(e) => {
            error!(error = %crate::output::sanitize(&format!("{e:#}")), "cannot record the origin; answering 503");
            let n = jobs.len();
            ack_all(stats, jobs, vec![Ack::Failed; n]);
            return;
        }
    };
    let whole = (|| -> anyhow::Result<Vec<Ack>> {
        let mut w = store.writer()?;
        let mut acks = Vec::with_capacity(jobs.len());
        for j in jobs.iter() {
            acks.push(store_one(&mut w, origin, origin_id, j)?);
        }
        w.commit()?;
        Ok(acks)
    })();
    let n = jobs.len();
    match whole {
        Ok(acks) => {
            stats.batches.fetch_add(1, Relaxed);
            debug!(
                events = n,
                micros = started.elapsed().as_micros() as u64,
                "batch committed"
            );
            ack_all(stats, jobs, acks);
        }
        Err(e) => {
            warn!(events = n, error = %crate::output::sanitize(&format!("{e:#}")), "batch failed; storing its events one by one");
            let acks: Vec<Ack> = jobs
                .iter()
                .map(|j| one_by_one(store, origin, origin_id, j))
                .collect();
            stats.batches.fetch_add(1, Relaxed);
            ack_all(stats, jobs, acks);
        }
    }
}

/// Store one event in its own transaction. A content error (the event cannot be normalised)
/// keeps the body in `rejects`; a database error fails the event so Zoom delivers it again.
fn one_by_one(store: &mut Store, origin: &OriginSlot, origin_id: i64, job: &Job) -> Ack {
    let raw = job.raw.as_str();
    let r = (|| -> anyhow::Result<Ack> {
        let mut w = store.writer()?;
        let a = store_one(&mut w, origin, origin_id, job)?;
        w.commit()?;
        Ok(a)
    })();
    match r {
        Ok(a) => a,
        Err(e) if is_database_error(&e) => {
            error!(error = %crate::output::sanitize(&format!("{e:#}")), "event not stored; answering 500 so Zoom retries");
            Ack::Failed
        }
        Err(e) => {
            let reason = format!("webhook event not normalised: {e:#}");
            let kept = (|| -> anyhow::Result<()> {
                let mut w = store.writer()?;
                w.reject("webhook_events", &origin.source, None, &reason, raw)?;
                w.commit()?;
                Ok(())
            })();
            match kept {
                Ok(()) => {
                    warn!(reason = %crate::output::sanitize(&reason), "event kept in rejects");
                    Ack::Rejected
                }
                Err(e2) => {
                    error!(error = %crate::output::sanitize(&format!("{e2:#}")), "cannot keep rejected event; answering 500");
                    Ack::Failed
                }
            }
        }
    }
}

fn is_database_error(e: &anyhow::Error) -> bool {
    e.chain()
        .any(|c| c.downcast_ref::<rusqlite::Error>().is_some())
}
