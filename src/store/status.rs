//! `zoomlens status`: per-source counts, time spans and silent gaps.
//!
//! A source that went quiet (a collector that stopped, a window sync could not fetch) is what
//! an analyst must notice before trusting any absence of evidence. Gaps are computed in SQL
//! with a window function over each source's time index; nothing is loaded into memory.

use super::Store;
use anyhow::Result;
use rusqlite::params;
use serde::Serialize;
use std::io::Write;

/// Gaps longer than this inside the case's window are reported by default (Panther's "no events
/// processed" alert uses the same day).
pub const GAP_HOURS: f64 = 24.0;

/// How silence is judged.
#[derive(Debug, Clone)]
pub struct StatusOptions {
    /// Silence longer than this is a gap.
    pub gap_hours: f64,
    /// Judge silence up to this time too (RFC 3339): "now" for a case fed live.
    pub until: Option<String>,
}

impl Default for StatusOptions {
    fn default() -> Self {
        StatusOptions {
            gap_hours: GAP_HOURS,
            until: None,
        }
    }
}

/// The window a case claims to cover: the span of its events, widened to the sync windows it
/// asked Zoom for (each up to when it was fetched, since later hours could not have data yet)
/// and to `until`. A feed that stopped days before the end of what was pulled is silent there,
/// even when every other feed stopped too.
pub fn claimed_window(
    conn: &rusqlite::Connection,
    span: Option<(String, String)>,
    until: Option<&str>,
) -> Result<Option<(String, String)>> {
    let mut st = conn.prepare(
        "SELECT win_from, win_to, updated_at FROM coverage
         WHERE scope = '' AND win_from <> '' AND win_to <> '' AND state IN ('done', 'partial')",
    )?;
    let mut first = span.as_ref().map(|s| s.0.clone());
    let mut last = span.as_ref().map(|s| s.1.clone());
    let day = |d: &str| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok();
    for row in st.query_map([], |r| <(String, String, String)>::try_from(r))? {
        let (from, to, fetched) = row?;
        let (Some(f), Some(t)) = (day(&from), day(&to)) else {
            continue;
        };
        let start = crate::model::time::fmt_utc(f.and_hms_opt(0, 0, 0).unwrap().and_utc());
        let mut end = crate::model::time::fmt_utc(
            (t + chrono::Days::new(1))
                .and_hms_opt(0, 0, 0)
                .unwrap()
                .and_utc(),
        );
        if let Some(fetched) = crate::model::time::parse_time(&fetched) {
            end = end.min(crate::model::time::fmt_utc(fetched));
        }
        if first.as_ref().is_none_or(|x| start < *x) {
            first = Some(start);
        }
        if last.as_ref().is_none_or(|x| end > *x) {
            last = Some(end);
        }
    }
    if let Some(u) = until
        && last.as_ref().is_none_or(|x| u > x.as_str())
    {
        last = Some(u.to_string());
    }
    Ok(first.zip(last))
}

/// One source of evidence: a table (optionally filtered) and its event-time column.
struct Source {
    name: &'static str,
    table: &'static str,
    /// Event time column; `None` for lists without a time (assets, VIPs).
    time: Option<&'static str>,
    filter: &'static str,
    /// Whether silence in this source means something (event streams, not lists).
    gaps: bool,
}

const SOURCES: &[Source] = &[
    Source {
        name: "users",
        table: "users",
        time: None,
        filter: "",
        gaps: false,
    },
    Source {
        name: "sign-ins",
        table: "signins",
        time: Some("time"),
        filter: "",
        gaps: true,
    },
    Source {
        name: "operations",
        table: "operations",
        time: Some("time"),
        filter: "",
        gaps: true,
    },
    Source {
        name: "meetings",
        table: "meetings",
        time: Some("start_time"),
        filter: "",
        gaps: true,
    },
    Source {
        name: "participants (report)",
        table: "participants",
        time: Some("join_time"),
        filter: "in_report = 1",
        gaps: true,
    },
    Source {
        name: "participants (dashboard)",
        table: "participants",
        time: Some("join_time"),
        filter: "in_metrics = 1",
        gaps: true,
    },
    Source {
        name: "participants (webhook)",
        table: "participants",
        time: Some("join_time"),
        filter: "in_webhook = 1",
        gaps: true,
    },
    Source {
        name: "recordings",
        table: "recordings",
        time: Some("start_time"),
        filter: "",
        gaps: true,
    },
    Source {
        name: "chat",
        table: "chat_messages",
        time: Some("time"),
        filter: "",
        gaps: true,
    },
    // A feature Zoom Support must enable: no records means "not collected", not "silent".
    Source {
        name: "meeting activities",
        table: "meeting_activities",
        time: Some("time"),
        filter: "",
        gaps: true,
    },
    // issue 19: sources beyond Zoom, collected only where the organisation imports them.
    Source {
        name: "identity provider",
        table: "idp_log",
        time: Some("time"),
        filter: "",
        gaps: true,
    },
    Source {
        name: "data access",
        table: "data_access_log",
        time: Some("time"),
        filter: "",
        gaps: true,
    },
    Source {
        name: "webhook events",
        table: "webhook_events",
        time: Some("time"),
        filter: "",
        gaps: true,
    },
    // Issue 18's newer sources.
    Source {
        name: "meeting history",
        table: "meeting_history",
        time: Some("start_time"),
        filter: "",
        gaps: true,
    },
    Source {
        name: "recording views/downloads",
        table: "recording_access",
        time: Some("time"),
        filter: "",
        gaps: false,
    },
    Source {
        name: "disclaimer responses",
        table: "disclaimers",
        time: Some("time"),
        filter: "",
        gaps: true,
    },
    Source {
        name: "remote support",
        table: "remote_support",
        time: Some("start_time"),
        filter: "",
        gaps: false,
    },
    Source {
        name: "risk alerts",
        table: "risk_alerts",
        time: Some("alert_time"),
        filter: "",
        gaps: false,
    },
    Source {
        name: "departures",
        table: "departures",
        time: Some("departed_at"),
        filter: "",
        gaps: false,
    },
    Source {
        name: "assets",
        table: "assets",
        time: None,
        filter: "",
        gaps: false,
    },
    Source {
        name: "vips",
        table: "vips",
        time: None,
        filter: "",
        gaps: false,
    },
    Source {
        name: "rejects",
        table: "rejects",
        time: None,
        filter: "",
        gaps: false,
    },
];

/// Sources most accounts do not have: without records they are reported as not collected.
const OPTIONAL: &[&str] = &[
    "meeting_activities",
    "idp_log",
    "data_access_log",
    "risk_alerts",
    "remote_support",
];

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Gap {
    pub from: String,
    pub to: String,
    pub hours: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceStatus {
    pub source: String,
    pub table: String,
    pub records: i64,
    /// Records without an event time (e.g. Panther rule-test operations, meetings never
    /// started): counted in `records`, left out of `first`, `last` and `gaps`.
    pub undated: i64,
    pub first: Option<String>,
    pub last: Option<String>,
    /// Whether gaps are meaningful for this source (event streams, not lists).
    pub tracks_gaps: bool,
    /// Silences longer than [`GAP_HOURS`] inside the case span, including before the source's
    /// first and after its last record; a source with no records is silent for the whole span.
    pub gaps: Vec<Gap>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CoverageProblem {
    pub source: String,
    pub scope: String,
    pub win_from: String,
    pub win_to: String,
    pub state: String,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CaseStatus {
    /// First and last event time over every event source.
    pub span: Option<(String, String)>,
    /// What the case claims to cover (the span widened to its sync windows and `until`);
    /// silence is judged over this.
    pub window: Option<(String, String)>,
    /// The silence threshold used, in hours.
    pub gap_hours: f64,
    pub sources: Vec<SourceStatus>,
    /// Sync windows that failed, were unavailable or partial.
    pub coverage: Vec<CoverageProblem>,
}

fn hours_between(a: &str, b: &str) -> Option<f64> {
    let a = crate::model::time::parse_time(a)?;
    let b = crate::model::time::parse_time(b)?;
    Some((b - a).num_seconds() as f64 / 3600.0)
}

/// The status of a case (library entry: the console and the `source-silent` rule use it too).
pub fn case_status(store: &Store) -> Result<CaseStatus> {
    case_status_with(store, &StatusOptions::default())
}

/// [`case_status`] with a chosen threshold and end of window.
pub fn case_status_with(store: &Store, opts: &StatusOptions) -> Result<CaseStatus> {
    let conn = &store.conn;
    let gap_hours = opts.gap_hours;
    let mut sources = Vec::new();
    for s in SOURCES {
        let where_ = match (s.time, s.filter) {
            (Some(t), "") => format!("WHERE {t} IS NOT NULL AND {t} <> ''"),
            (Some(t), f) => format!("WHERE {t} IS NOT NULL AND {t} <> '' AND {f}"),
            (None, "") => String::new(),
            (None, f) => format!("WHERE {f}"),
        };
        let count_where = if s.filter.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", s.filter)
        };
        let records: i64 = conn.query_row(
            &format!("SELECT COUNT(*) FROM {} {count_where}", s.table),
            [],
            |r| r.get(0),
        )?;
        let undated: i64 = match s.time {
            Some(t) => {
                let and = if s.filter.is_empty() {
                    String::new()
                } else {
                    format!("AND {}", s.filter)
                };
                conn.query_row(
                    &format!(
                        "SELECT COUNT(*) FROM {} WHERE ({t} IS NULL OR {t} = '') {and}",
                        s.table
                    ),
                    [],
                    |r| r.get(0),
                )?
            }
            None => 0,
        };
        let (first, last) = match s.time {
            Some(t) => conn.query_row(
                &format!("SELECT MIN({t}), MAX({t}) FROM {} {where_}", s.table),
                [],
                |r| {
                    Ok((
                        r.get::<_, Option<String>>(0)?,
                        r.get::<_, Option<String>>(1)?,
                    ))
                },
            )?,
            None => (None, None),
        };
        sources.push(SourceStatus {
            source: s.name.to_string(),
            table: s.table.to_string(),
            records,
            undated,
            first,
            last,
            tracks_gaps: s.gaps,
            gaps: Vec::new(),
        });
    }
    let span = {
        let tracked = || sources.iter().filter(|s| s.tracks_gaps);
        let first = tracked().filter_map(|s| s.first.clone()).min();
        let last = tracked().filter_map(|s| s.last.clone()).max();
        first.zip(last)
    };
    let window = claimed_window(conn, span.clone(), opts.until.as_deref())?;
    if let Some((span_first, span_last)) = &window {
        for (s, st) in SOURCES.iter().zip(sources.iter_mut()) {
            let (Some(t), true) = (s.time, s.gaps) else {
                continue;
            };
            if st.records == 0 && OPTIONAL.contains(&s.table) {
                st.tracks_gaps = false;
                continue;
            }
            let mut gaps = Vec::new();
            match (&st.first, &st.last) {
                (Some(first), Some(last)) => {
                    let mut edge = |from: &str, to: &str| {
                        if let Some(h) = hours_between(from, to)
                            && h > gap_hours
                        {
                            gaps.push(Gap {
                                from: from.into(),
                                to: to.into(),
                                hours: h,
                            });
                        }
                    };
                    edge(span_first, first);
                    let filter = if s.filter.is_empty() {
                        String::new()
                    } else {
                        format!("AND {}", s.filter)
                    };
                    // Consecutive events more than a day apart, walking the time index.
                    let sql = format!(
                        "SELECT prev, t, (julianday(t) - julianday(prev)) * 24.0 FROM (
                           SELECT {t} AS t, LAG({t}) OVER (ORDER BY {t}) AS prev
                           FROM {table} WHERE {t} IS NOT NULL AND {t} <> '' {filter})
                         WHERE prev IS NOT NULL AND julianday(t) - julianday(prev) > ?1 / 24.0
                         ORDER BY prev",
                        table = s.table
                    );
                    let mut st_ = conn.prepare(&sql)?;
                    let inner = st_.query_map(params![gap_hours], |r| {
                        Ok(Gap {
                            from: r.get(0)?,
                            to: r.get(1)?,
                            hours: r.get(2)?,
                        })
                    })?;
                    for g in inner {
                        gaps.push(g?);
                    }
                    if let Some(h) = hours_between(last, span_last)
                        && h > gap_hours
                    {
                        gaps.push(Gap {
                            from: last.clone(),
                            to: span_last.clone(),
                            hours: h,
                        });
                    }
                }
                _ => {
                    if let Some(h) = hours_between(span_first, span_last)
                        && h > gap_hours
                    {
                        gaps.push(Gap {
                            from: span_first.clone(),
                            to: span_last.clone(),
                            hours: h,
                        });
                    }
                }
            }
            st.gaps = gaps;
        }
    }
    let mut coverage = Vec::new();
    let mut q = conn.prepare(
        "SELECT source, scope, win_from, win_to, state, detail FROM coverage
         WHERE state <> 'done' ORDER BY source, win_from, scope",
    )?;
    for row in q.query_map([], |r| {
        Ok(CoverageProblem {
            source: r.get(0)?,
            scope: r.get(1)?,
            win_from: r.get(2)?,
            win_to: r.get(3)?,
            state: r.get(4)?,
            detail: r.get(5)?,
        })
    })? {
        coverage.push(row?);
    }
    Ok(CaseStatus {
        span,
        window,
        gap_hours,
        sources,
        coverage,
    })
}

fn thousands(n: i64) -> String {
    crate::output::thousands(n)
}

/// The human report, at most 100 columns wide.
pub fn write_status(out: &mut dyn Write, case: &str, st: &CaseStatus) -> Result<()> {
    use crate::output::sanitize;
    writeln!(out, "case {}", sanitize(case))?;
    match &st.span {
        Some((a, b)) => writeln!(
            out,
            "span {a} → {b} ({:.1} days)",
            hours_between(a, b).unwrap_or(0.0) / 24.0
        )?,
        None => writeln!(out, "span: no timed events yet")?,
    }
    if let Some((a, b)) = &st.window
        && st.span.as_ref() != Some(&(a.clone(), b.clone()))
    {
        writeln!(
            out,
            "window {a} → {b} (what was pulled; silence is judged over it)"
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "{:<24} {:>9}  {:<20}  {:<20}  gaps > {} h",
        "source", "records", "first", "last", st.gap_hours
    )?;
    for s in &st.sources {
        let gaps = if !s.tracks_gaps || st.window.is_none() {
            "-".to_string()
        } else if s.records == 0 {
            "SILENT (no records)".to_string()
        } else if s.gaps.is_empty() {
            "none".to_string()
        } else {
            let longest = s.gaps.iter().map(|g| g.hours).fold(0.0, f64::max);
            format!("{} (longest {:.0} h)", s.gaps.len(), longest)
        };
        writeln!(
            out,
            "{:<24} {:>9}  {:<20}  {:<20}  {}",
            s.source,
            thousands(s.records),
            s.first.as_deref().unwrap_or("-"),
            s.last.as_deref().unwrap_or("-"),
            gaps
        )?;
    }
    let undated: Vec<&SourceStatus> = st.sources.iter().filter(|s| s.undated > 0).collect();
    if !undated.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "undated records (event time unknown; not in first, last or gaps):"
        )?;
        for s in undated {
            writeln!(
                out,
                "  {:<24} {:>9} of {}",
                s.source,
                thousands(s.undated),
                thousands(s.records)
            )?;
        }
    }
    let silent: Vec<(&SourceStatus, &Gap)> = st
        .sources
        .iter()
        .flat_map(|s| s.gaps.iter().map(move |g| (s, g)))
        .collect();
    if !silent.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "silent periods (no records for more than 24 h inside the case span):"
        )?;
        const SHOW: usize = 10;
        for s in st.sources.iter().filter(|s| !s.gaps.is_empty()) {
            for g in s.gaps.iter().take(SHOW) {
                writeln!(
                    out,
                    "  {:<24} {} → {}  {:>7.1} h",
                    s.source, g.from, g.to, g.hours
                )?;
            }
            if s.gaps.len() > SHOW {
                writeln!(
                    out,
                    "  {:<24} ... and {} more",
                    s.source,
                    s.gaps.len() - SHOW
                )?;
            }
        }
    }
    if !st.coverage.is_empty() {
        writeln!(out)?;
        writeln!(out, "collection problems (sync windows not fully fetched):")?;
        for c in &st.coverage {
            let scope = if c.scope.is_empty() {
                "account"
            } else {
                c.scope.as_str()
            };
            let line = format!(
                "  {:<12} {:<13} {} → {}  {}",
                c.source,
                c.state,
                c.win_from,
                c.win_to,
                sanitize(scope)
            );
            let line: String = line.chars().take(100).collect();
            writeln!(out, "{line}")?;
            // The reason in full: it says what to do (which scope to grant, what failed).
            for l in crate::output::wrap(&sanitize(&c.detail), 94) {
                writeln!(out, "      {l}")?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silent_sources_and_failed_sync_windows_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("c.zl")).unwrap();
        {
            let w = store.writer().unwrap();
            let c = w.conn();
            c.execute_batch(
                "INSERT INTO origins (kind, source) VALUES ('test', 't');
                 INSERT INTO signins (time, email, activity, via, origin_id, raw, sha256) VALUES
                   ('2024-06-01T00:00:00Z', 'a@x', 'Sign in', 't', 1, '1', '1'),
                   ('2024-06-01T12:00:00Z', 'a@x', 'Sign in', 't', 1, '2', '2'),
                   ('2024-06-04T12:00:00Z', 'a@x', 'Sign in', 't', 1, '3', '3');
                 INSERT INTO operations (time, operator, category_type, action, operation_detail,
                   via, origin_id, raw, sha256) VALUES
                   ('2024-06-05T00:00:00Z', 'a@x', 'User', 'Add', 'Add User b@x', 't', 1, '4', '4'),
                   ('', 'a@x', 'User', 'Update', 'Update User c@x', 't', 1, '5', '5');
                 INSERT INTO coverage (source, scope, win_from, win_to, state, detail, updated_at)
                 VALUES ('metrics', '', '2024-06-01', '2024-06-05', 'unavailable',
                         'code 200: No permission.', '2024-06-06T00:00:00Z'),
                        ('signins', '', '2024-06-01', '2024-06-05', 'done', '', 'x');",
            )
            .unwrap();
            w.commit().unwrap();
        }
        let st = case_status(&store).unwrap();
        assert_eq!(
            st.span,
            Some(("2024-06-01T00:00:00Z".into(), "2024-06-05T00:00:00Z".into()))
        );
        let by = |n: &str| st.sources.iter().find(|s| s.source == n).unwrap();
        // Inside the sign-ins: 72 h of silence; then nothing from June 4 noon to the end of
        // the sign-ins window that was synced (June 1–5, so up to June 6): 36 h more. The
        // unavailable metrics window does not widen what the case claims.
        assert_eq!(st.window.as_ref().unwrap().1, "2024-06-06T00:00:00Z");
        assert_eq!(
            by("sign-ins").gaps,
            vec![
                Gap {
                    from: "2024-06-01T12:00:00Z".into(),
                    to: "2024-06-04T12:00:00Z".into(),
                    hours: 72.0
                },
                Gap {
                    from: "2024-06-04T12:00:00Z".into(),
                    to: "2024-06-06T00:00:00Z".into(),
                    hours: 36.0
                }
            ]
        );
        // Operations began four days into the case: silent before. The undated one counts
        // as a record but neither widens the span nor fills the silence.
        assert_eq!(by("operations").gaps.len(), 1);
        assert_eq!(by("operations").gaps[0].hours, 96.0);
        assert_eq!((by("operations").records, by("operations").undated), (2, 1));
        assert_eq!(
            by("operations").first.as_deref(),
            Some("2024-06-05T00:00:00Z")
        );
        assert_eq!(by("sign-ins").undated, 0);
        // A source with no records is silent for the whole window (June 1 to 6).
        assert_eq!(by("chat").records, 0);
        assert_eq!(by("chat").gaps[0].hours, 120.0);
        // Lists are not event streams.
        assert!(by("vips").gaps.is_empty() && !by("vips").tracks_gaps);
        // Only the windows sync could not complete.
        assert_eq!(st.coverage.len(), 1);
        assert_eq!(st.coverage[0].state, "unavailable");
        let mut out = Vec::new();
        write_status(&mut out, "c.zl", &st).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("SILENT (no records)"), "{text}");
        assert!(text.contains("unavailable"), "{text}");
        let undated: Vec<&str> = text
            .lines()
            .skip_while(|l| !l.starts_with("undated records"))
            .skip(1)
            .take_while(|l| !l.is_empty())
            .collect();
        assert_eq!(
            undated.len(),
            1,
            "only sources with undated records: {text}"
        );
        assert!(
            undated[0].contains("operations") && undated[0].contains("1 of 2"),
            "{text}"
        );
        assert!(text.lines().all(|l| l.chars().count() <= 100), "{text}");
    }
}
