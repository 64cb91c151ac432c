//! Health of live feeds, kept in the case so `status` can tell a quiet account from a feed that
//! was down.
//!
//! Zoom's WebSocket delivery does not buffer: events that happen while no connection is open
//! are never delivered. So every disconnected period is a gap in the evidence, to be backfilled
//! from the REST reports. `listen --websocket` keeps one `meta` row per subscription
//! (`feed:websocket:<id>`, JSON) with its counters, its state and its recent gaps, replaced as
//! it runs; this module reads and prints them.

use crate::output::thousands;
use anyhow::Result;
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::io::Write;

/// Gaps kept in full per feed; older ones are only counted (`gap_count`, `gap_seconds`).
pub const MAX_GAPS: usize = 200;

/// A period during which the feed had no open connection.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FeedGap {
    pub from: String,
    pub to: String,
    pub seconds: f64,
    /// Why the connection ended (or "listener not running" between two runs).
    pub reason: String,
}

/// One feed's health. Counters marked "this run" restart with each `listen`; totals carry over.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct FeedHealth {
    /// "websocket".
    pub kind: String,
    pub subscription: String,
    /// connecting | connected | reconnecting | stopped.
    pub state: String,
    /// When this run started, and when this row was last written.
    pub started_at: String,
    pub updated_at: String,
    /// How often a running listener rewrites this row, so a reader can tell a listener that
    /// died without saying so (SIGKILL, power loss) from one that is alive.
    pub update_every_secs: f64,
    pub connected_since: Option<String>,
    /// Events committed this run: new, already present (redeliveries), and kept in rejects.
    pub stored: u64,
    pub duplicates: u64,
    pub rejected: u64,
    /// Events committed over every run of this feed.
    pub stored_total: u64,
    /// Events per second committed over the last progress interval.
    pub events_per_sec: f64,
    /// Connections made this run beyond the first, and how many were to renew the token.
    pub reconnects: u64,
    pub token_renewals: u64,
    /// Connection attempts Zoom refused (`build_connection` with `success: false`).
    pub refusals: u64,
    /// When the last event was committed, and the event's own time (`event_ts`).
    pub last_event_at: Option<String>,
    pub last_event_time: Option<String>,
    /// Why the last connection ended or failed, if it did.
    pub last_error: Option<String>,
    /// Since the feed was first run: gaps, and their total length.
    pub gap_count: u64,
    pub gap_seconds: f64,
    /// The most recent gaps (at most [`MAX_GAPS`]), oldest first.
    pub gaps: Vec<FeedGap>,
}

impl FeedHealth {
    /// The `meta` key of a WebSocket subscription's feed.
    pub fn key(kind: &str, id: &str) -> String {
        format!("feed:{kind}:{id}")
    }

    pub fn add_gap(&mut self, gap: FeedGap) {
        self.gap_count += 1;
        self.gap_seconds += gap.seconds;
        self.gaps.push(gap);
        if self.gaps.len() > MAX_GAPS {
            let extra = self.gaps.len() - MAX_GAPS;
            self.gaps.drain(..extra);
        }
    }

    /// Whether the row says "running" but has not been rewritten for three of its intervals.
    pub fn looks_dead(&self, now: chrono::DateTime<chrono::Utc>) -> bool {
        if self.state == "stopped" {
            return false;
        }
        let Some(at) = crate::model::time::parse_time(&self.updated_at) else {
            return true;
        };
        let every = self.update_every_secs.max(1.0);
        (now - at).num_milliseconds() as f64 / 1000.0 > 3.0 * every + 5.0
    }
}

/// Keep `h` in the case (replacing the earlier row of the same feed).
pub fn store(conn: &Connection, h: &FeedHealth) -> Result<()> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        rusqlite::params![
            FeedHealth::key(&h.kind, &h.subscription),
            serde_json::to_string(h)?
        ],
    )?;
    Ok(())
}

/// The row of one feed, if it ever ran on this case.
pub fn load(conn: &Connection, kind: &str, id: &str) -> Result<Option<FeedHealth>> {
    let v: Option<String> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = ?1",
            [FeedHealth::key(kind, id)],
            |r| r.get(0),
        )
        .optional()?;
    Ok(v.and_then(|s| serde_json::from_str(&s).ok()))
}

/// Every feed that ever ran on this case, by key.
pub fn load_all(conn: &Connection) -> Result<Vec<FeedHealth>> {
    let mut st = conn.prepare("SELECT value FROM meta WHERE key LIKE 'feed:%' ORDER BY key")?;
    let rows = st.query_map([], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for r in rows {
        if let Ok(h) = serde_json::from_str::<FeedHealth>(&r?) {
            out.push(h);
        }
    }
    Ok(out)
}

/// The human summary of the live feeds `status` prints (nothing when there are none).
pub fn write_feeds(
    out: &mut dyn Write,
    feeds: &[FeedHealth],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    use crate::output::{sanitize, wrap};
    if feeds.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(out, "live feeds (zoomlens listen --websocket):")?;
    for f in feeds {
        let state = if f.looks_dead(now) {
            format!(
                "{} at {} and not updated since: the listener stopped without saying so",
                f.state, f.updated_at
            )
        } else if f.state == "stopped" {
            format!("stopped at {}", f.updated_at)
        } else {
            match &f.connected_since {
                Some(t) if f.state == "connected" => format!("connected since {t}"),
                _ => format!("{} (updated {})", f.state, f.updated_at),
            }
        };
        writeln!(
            out,
            "  {} {}: {}",
            sanitize(&f.kind),
            sanitize(&f.subscription),
            state
        )?;
        writeln!(
            out,
            "      this run (since {}): {} events stored, {} redelivered, {} rejected",
            f.started_at,
            thousands(f.stored),
            thousands(f.duplicates),
            thousands(f.rejected),
        )?;
        writeln!(
            out,
            "      {:.1} events/s lately; {} reconnects ({} to renew the token), {} refused by Zoom",
            f.events_per_sec, f.reconnects, f.token_renewals, f.refusals
        )?;
        writeln!(
            out,
            "      all runs: {} events; last event received {}{}",
            thousands(f.stored_total),
            f.last_event_at.as_deref().unwrap_or("never"),
            f.last_event_time
                .as_deref()
                .map(|t| format!(" (event time {t})"))
                .unwrap_or_default()
        )?;
        if let Some(e) = &f.last_error {
            for l in wrap(&format!("last disconnect: {}", sanitize(e)), 90) {
                writeln!(out, "      {l}")?;
            }
        }
        if f.gap_count > 0 {
            let longest = f.gaps.iter().max_by(|a, b| a.seconds.total_cmp(&b.seconds));
            writeln!(
                out,
                "      gaps (no connection; Zoom does not redeliver: backfill them with sync): {}, \
                 {:.1} s in all{}",
                f.gap_count,
                f.gap_seconds,
                longest
                    .map(|g| format!("; longest {:.1} s from {} to {}", g.seconds, g.from, g.to))
                    .unwrap_or_default()
            )?;
            const SHOW: usize = 5;
            writeln!(out, "      latest:")?;
            for g in f.gaps.iter().rev().take(SHOW) {
                writeln!(out, "        {} → {}  {:>8.1} s", g.from, g.to, g.seconds)?;
                for l in wrap(&sanitize(&g.reason), 88) {
                    writeln!(out, "          {l}")?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gap(i: usize) -> FeedGap {
        FeedGap {
            from: format!("2026-01-01T00:00:{:02}Z", i % 60),
            to: format!("2026-01-01T00:01:{:02}Z", i % 60),
            seconds: 1.0,
            reason: "dropped".into(),
        }
    }

    #[test]
    fn gaps_are_capped_but_counted() {
        let mut h = FeedHealth::default();
        for i in 0..MAX_GAPS + 7 {
            h.add_gap(gap(i));
        }
        assert_eq!(h.gaps.len(), MAX_GAPS);
        assert_eq!(h.gap_count, (MAX_GAPS + 7) as u64);
        assert_eq!(h.gap_seconds, (MAX_GAPS + 7) as f64);
        assert_eq!(h.gaps[0], gap(7), "the oldest are dropped first");
    }

    #[test]
    fn a_running_feed_that_stopped_writing_is_called_dead() {
        let now: chrono::DateTime<chrono::Utc> = "2026-01-01T01:00:00Z".parse().unwrap();
        let mut h = FeedHealth {
            state: "connected".into(),
            updated_at: "2026-01-01T00:59:50Z".into(),
            update_every_secs: 10.0,
            ..FeedHealth::default()
        };
        assert!(!h.looks_dead(now));
        h.updated_at = "2026-01-01T00:58:00Z".into();
        assert!(h.looks_dead(now));
        h.state = "stopped".into();
        assert!(!h.looks_dead(now));
    }
}
