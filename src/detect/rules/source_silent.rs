//! `source-silent`: collection health. A source (sign-ins, operation logs, meetings,
//! participants, webhooks, chat) with no events for more than `max_gap_hours` (default 24, as
//! Panther's "no events processed" alert) inside the case window *while other sources were
//! active* (at least `min_other_events`, default 20, elsewhere in the gap): weekends and
//! holidays, when everything is quiet, are not collector failures, and neither is a source's
//! own week: a gap whose same hours were silent in most other weeks of the case (admins change
//! settings on weekdays; sign-ins and meetings go on at the weekend). Also every sync window
//! that could not complete (`coverage` state failed or partial).

use crate::detect::{Ctx, Finding, RuleOutcome};
use anyhow::Result;

const SOURCES: &[(&str, &str, &str)] = &[
    ("signins", "time", "sign-ins"),
    ("operations", "time", "operation logs"),
    ("meetings", "start_time", "meetings"),
    ("participants", "join_time", "participants"),
    ("webhook_events", "time", "webhooks"),
    ("chat_messages", "time", "chat"),
];

pub fn run(ctx: &Ctx) -> Result<RuleOutcome> {
    let mut out = Vec::new();
    // Active hours per source (index scans over the time columns).
    let mut hours: Vec<(usize, Vec<i64>)> = Vec::new();
    for (i, (tbl, col, _)) in SOURCES.iter().enumerate() {
        let h = if *tbl == "chat_messages" {
            distinct_hours(ctx, tbl, col)?
        } else {
            seek_hours(ctx, tbl, col)?
        };
        if !h.is_empty() {
            hours.push((i, h));
        }
    }
    let has_cov = ctx.any("SELECT 1 FROM coverage")?;
    if hours.is_empty() && !has_cov {
        return Ok(RuleOutcome::CouldNotRun("the case holds no events".into()));
    }
    let max_gap = ctx.num("max_gap_hours");
    let min_other = ctx.int("min_other_events");
    let fmt = |h: i64| {
        chrono::DateTime::from_timestamp(h * 3600, 0)
            .map(crate::model::time::fmt_utc)
            .unwrap_or_default()
    };
    // The case window, exact.
    let mut case_from = String::new();
    let mut case_to = String::new();
    for (i, _) in &hours {
        let (tbl, col, _) = SOURCES[*i];
        let (a, b): (String, String) = ctx.conn.query_row(
            &format!("SELECT min({col}), max({col}) FROM {tbl} WHERE {col} <> ''"),
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if case_from.is_empty() || a < case_from {
            case_from = a;
        }
        if b > case_to {
            case_to = b;
        }
    }
    // Widened to the sync windows the case pulled: silence after every source stopped,
    // inside days that were asked for, is a feed that stopped, not a quiet weekend.
    let (events_from, events_to) = (case_from.clone(), case_to.clone());
    if let Some((a, b)) = crate::store::status::claimed_window(
        ctx.conn,
        (!case_from.is_empty()).then(|| (case_from.clone(), case_to.clone())),
        None,
    )? {
        (case_from, case_to) = (a, b);
    }
    let secs = |a: &str, b: &str| match (
        crate::model::time::parse_time(a),
        crate::model::time::parse_time(b),
    ) {
        (Some(a), Some(b)) => (b - a).num_seconds() as f64 / 3600.0,
        _ => 0.0,
    };
    for (i, h) in &hours {
        let (tbl, col, label) = SOURCES[*i];
        // Candidate silences between active hours (and before the first / after the last),
        // then the exact gap from the last event before to the first event after.
        let mut cands: Vec<(Option<i64>, Option<i64>)> = vec![(None, Some(h[0]))];
        cands.extend(
            h.windows(2)
                .filter(|w| (w[1] - w[0] + 1) as f64 > max_gap)
                .map(|w| (Some(w[0]), Some(w[1]))),
        );
        cands.push((Some(*h.last().unwrap()), None));
        for (a, b) in cands {
            let from = match a {
                Some(a) => ctx.conn.query_row(
                    &format!("SELECT max({col}) FROM {tbl} WHERE {col} < ?1"),
                    [fmt(a + 1)],
                    |r| r.get::<_, String>(0),
                )?,
                None => case_from.clone(),
            };
            let to = match b {
                Some(b) => ctx.conn.query_row(
                    &format!("SELECT min({col}) FROM {tbl} WHERE {col} >= ?1"),
                    [fmt(b)],
                    |r| r.get::<_, String>(0),
                )?,
                None => case_to.clone(),
            };
            let silent = secs(&from, &to);
            if silent <= max_gap {
                continue;
            }
            // The part of the gap outside every source's events but inside what was synced
            // needs no other source to be active: all of them stopped.
            let unexplained = (a.is_none() && secs(&case_from, &events_from) > max_gap)
                || (b.is_none() && secs(&events_to, &case_to) > max_gap);
            if !unexplained && weekly(ctx, tbl, col, &from, &to, &events_from, &events_to)? {
                continue;
            }
            let mut others = 0i64;
            for (j, _) in &hours {
                if j == i {
                    continue;
                }
                let (t2, c2, _) = SOURCES[*j];
                others += ctx.conn.query_row(
                    &format!("SELECT count(*) FROM {t2} WHERE {c2} > ?1 AND {c2} < ?2"),
                    [&from, &to],
                    |r| r.get::<_, i64>(0),
                )?;
            }
            if others < min_other && !unexplained {
                continue;
            }
            let why = if others >= min_other {
                format!("while other sources logged {others} events")
            } else {
                "inside the synced window, and no other source logged events either: a \
                 collector or an export stopped"
                    .to_string()
            };
            let mut f = Finding::new(
                format!("gap:{tbl}:{from}"),
                from.clone(),
                format!("no {label} for {silent:.1} h ({from} – {to}) {why}"),
            );
            f.fact(format!(
                "no {label} for {silent:.1} h, from {from} to {to}; threshold {max_gap} h"
            ));
            f.fact(if others >= min_other {
                format!(
                    "other sources logged {} events in the gap (at least {min_other} needed: quiet weekends are not gaps)",
                    crate::output::thousands(others)
                )
            } else {
                "inside the synced window, and no other source logged events either".to_string()
            });
            f.target = Some(label.to_string());
            for (cmp, t) in [("=", &from), ("=", &to)] {
                if let Ok(id) = ctx.conn.query_row(
                    &format!("SELECT id FROM {tbl} WHERE {col} {cmp} ?1 LIMIT 1"),
                    [t],
                    |r| r.get::<_, i64>(0),
                ) {
                    f.ev(tbl, id);
                }
            }
            out.push(f);
        }
    }
    if has_cov {
        let mut st = ctx.conn.prepare(
            "SELECT id, source, scope, win_from, win_to, state, detail, updated_at FROM coverage
             WHERE state IN ('failed', 'partial') ORDER BY updated_at",
        )?;
        let rows = st.query_map([], |r| {
            <(i64, String, String, String, String, String, String, String)>::try_from(r)
        })?;
        for row in rows {
            let (id, source, scope, from, to, state, detail, at) = row?;
            let time = if from.is_empty() { at } else { from.clone() };
            let mut f = Finding::new(
                format!("cov:{id}"),
                time,
                format!(
                    "sync of {source}{} for {from} – {to} {state}: {detail}",
                    if scope.is_empty() {
                        String::new()
                    } else {
                        format!(" ({scope})")
                    }
                ),
            );
            f.fact(format!(
                "the sync window {from} – {to} of {source} ended {state}"
            ));
            f.fact("what it would have held is missing from the case");
            f.target = Some(source.clone());
            f.ev("coverage", id);
            out.push(f);
        }
    }
    Ok(RuleOutcome::Findings(out))
}

/// The distinct UTC hours (epoch hours) of a time column, in order, by one pass over it.
fn distinct_hours(ctx: &Ctx, tbl: &str, col: &str) -> Result<Vec<i64>> {
    let mut st = ctx.conn.prepare(&format!(
        "SELECT DISTINCT unixepoch(substr({col}, 1, 13) || ':00:00Z') / 3600 FROM {tbl}
         WHERE {col} IS NOT NULL AND {col} <> '' ORDER BY 1"
    ))?;
    let h: Vec<i64> = st
        .query_map([], |r| r.get::<_, Option<i64>>(0))?
        .filter_map(|r| r.transpose())
        .collect::<rusqlite::Result<_>>()?;
    Ok(h)
}

/// The same as [`distinct_hours`] for a column with an index led by it: one index seek per
/// distinct hour prefix instead of a pass over every row (millions of sessions, a few hundred
/// active hours). Values it cannot step over as text fall back to the full pass.
fn seek_hours(ctx: &Ctx, tbl: &str, col: &str) -> Result<Vec<i64>> {
    let mut next = ctx.conn.prepare(&format!(
        "SELECT {col}, substr({col}, 1, 13), unixepoch(substr({col}, 1, 13) || ':00:00Z') / 3600
         FROM {tbl} WHERE {col} > ?1 ORDER BY {col} LIMIT 1"
    ))?;
    let mut hours = std::collections::BTreeSet::new();
    // '' is below every non-empty text; NULLs and numbers never compare greater.
    let mut after = String::new();
    loop {
        let row = next.query_row([&after], |r| <(String, String, Option<i64>)>::try_from(r));
        let (value, prefix, h) = match row {
            Ok(v) => v,
            Err(rusqlite::Error::QueryReturnedNoRows) => break,
            // Not text (a blob, bad UTF-8): let the plain pass judge it as before.
            Err(_) => return distinct_hours(ctx, tbl, col),
        };
        if let Some(h) = h {
            hours.insert(h);
        }
        // Past every value starting with this prefix (U+10FFFF sorts after any other text);
        // never backwards.
        let skip = format!("{prefix}\u{10FFFF}");
        if skip <= value {
            return distinct_hours(ctx, tbl, col);
        }
        after = skip;
    }
    Ok(hours.into_iter().collect())
}

/// Whether the source was silent over the same hours of most other weeks the case's events
/// span (up to four either side): then the gap is its rhythm, not a collector failure. The
/// other weeks are asked about the gap's middle (a tenth off each end, at least an hour):
/// the last change on a Friday and the first on a Monday come at a different minute each
/// week.
fn weekly(
    ctx: &Ctx,
    tbl: &str,
    col: &str,
    from: &str,
    to: &str,
    events_from: &str,
    events_to: &str,
) -> Result<bool> {
    use crate::model::time::{fmt_utc, parse_time};
    let (Some(a), Some(b), Some(lo), Some(hi)) = (
        parse_time(from),
        parse_time(to),
        parse_time(events_from),
        parse_time(events_to),
    ) else {
        return Ok(false);
    };
    let trim = ((b - a) / 10).max(chrono::Duration::hours(1));
    let (a, b) = (a + trim, b - trim);
    if a >= b {
        return Ok(false);
    }
    let mut any = ctx.conn.prepare_cached(&format!(
        "SELECT EXISTS (SELECT 1 FROM {tbl} WHERE {col} > ?1 AND {col} < ?2)"
    ))?;
    let (mut weeks, mut quiet) = (0, 0);
    for k in (-4i64..=4).filter(|&k| k != 0) {
        let shift = chrono::Duration::days(7 * k);
        let (sa, sb) = (a + shift, b + shift);
        if sa < lo || sb > hi {
            continue;
        }
        weeks += 1;
        let busy: bool = any.query_row([fmt_utc(sa), fmt_utc(sb)], |r| r.get(0))?;
        quiet += usize::from(!busy);
    }
    Ok(weeks > 0 && 2 * quiet > weeks)
}
