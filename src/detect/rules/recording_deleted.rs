//! `recording-deleted`: a cloud recording deleted or moved to the trash: recordings listed in
//! the trash or with deleted files (`deleted_time`), `recording.deleted`/`recording.trashed`
//! webhooks, and "Delete Recording ..." operations. A host removing their own recording at
//! least `routine_age_days` (default 21: three weeks, past the fortnight in which a recording
//! is still being watched and shared) after it was made is housekeeping, kept at info level;
//! someone else's, or a fresher one, stays medium. One finding per recording; operations and
//! webhooks about the same meeting are gathered as its evidence, and those with no recording in
//! the case become findings of their own (by meeting number).

use crate::detect::{Ctx, Finding, RuleOutcome, Severity};
use anyhow::Result;

/// Recording operations that delete or trash (parsed kind 'recording').
const DELETE_OPS: &str = "c.kind = 'recording'
    AND (lower(c.setting) IN ('delete', 'trash', 'remove', 'move', 'permanently')
         OR lower(o.action) LIKE '%delete%' OR lower(o.action) LIKE '%trash%')
    AND lower(o.action) NOT LIKE '%recover%' AND lower(coalesce(c.setting, '')) <> 'recover'";

pub fn run(ctx: &Ctx) -> Result<RuleOutcome> {
    if !ctx.any("SELECT 1 FROM recordings")?
        && !ctx.any("SELECT 1 FROM operations")?
        && !ctx.any("SELECT 1 FROM webhook_events")?
    {
        return Ok(RuleOutcome::CouldNotRun(
            "no recordings, operation logs or webhooks in the case".into(),
        ));
    }
    let mut out = Vec::new();
    // Recordings known deleted or trashed.
    let sql = format!(
        "WITH del AS (
           SELECT r.id, r.meeting_uuid, r.meeting_id, r.topic, r.host_email, r.start_time,
                  coalesce(r.deleted_time, (SELECT min(f.deleted_time) FROM recording_files f
                    WHERE f.recording_id = r.id AND f.deleted_time IS NOT NULL)) AS dt,
                  (SELECT group_concat(f.id) FROM recording_files f
                    WHERE f.recording_id = r.id AND f.deleted_time IS NOT NULL) AS fids
           FROM recordings r
           WHERE r.deleted_time IS NOT NULL
              OR EXISTS (SELECT 1 FROM recording_files f WHERE f.recording_id = r.id AND f.deleted_time IS NOT NULL))
         SELECT d.id, d.meeting_uuid, d.meeting_id, d.topic, d.host_email, coalesce(d.dt, d.start_time), d.fids,
                (SELECT group_concat(o.id) FROM op_changes c JOIN operations o ON o.id = c.operation_id
                  WHERE {DELETE_OPS} AND c.meeting_id = d.meeting_id AND o.time >= coalesce(d.start_time, '')),
                (SELECT o.operator FROM op_changes c JOIN operations o ON o.id = c.operation_id
                  WHERE {DELETE_OPS} AND c.meeting_id = d.meeting_id AND o.time >= coalesce(d.start_time, '')
                  ORDER BY o.time LIMIT 1),
                (SELECT group_concat(w.id) FROM webhook_events w
                  WHERE w.event IN ('recording.deleted', 'recording.trashed')
                    AND (w.object_id = d.meeting_uuid OR w.object_id = CAST(d.meeting_id AS TEXT))),
                (SELECT w.operator FROM webhook_events w
                  WHERE w.event IN ('recording.deleted', 'recording.trashed')
                    AND (w.object_id = d.meeting_uuid OR w.object_id = CAST(d.meeting_id AS TEXT)) LIMIT 1),
                d.start_time
         FROM del d ORDER BY 6"
    );
    let mut st = ctx.conn.prepare(&sql)?;
    let rows = st.query_map([], |r| {
        <(
            i64,
            String,
            Option<i64>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
        )>::try_from(r)
    })?;
    for row in rows {
        let (rid, uuid, mid, topic, host, time, fids, oids, op_by, wids, wh_by, start) = row?;
        let by = op_by.or(wh_by);
        let what = format!(
            "recording of '{}' ({})",
            topic.clone().unwrap_or_default(),
            mid.map(|m| m.to_string()).unwrap_or_else(|| uuid.clone())
        );
        let mut f = Finding::new(
            format!("rec:{uuid}"),
            time.clone().unwrap_or_default(),
            format!(
                "{what} deleted{}",
                by.as_ref().map(|b| format!(" by {b}")).unwrap_or_default()
            ),
        );
        match (&by, &host) {
            (Some(b), Some(h)) if b.eq_ignore_ascii_case(h) => {
                f.fact(format!("deleted by its host {h}"))
            }
            (Some(b), Some(h)) => f.fact(format!("deleted by {b}, who is not its host {h}")),
            (Some(b), None) => f.fact(format!("deleted by {b}; the case does not name its host")),
            (None, Some(h)) => f.fact(format!(
                "no operation or webhook names who deleted it; its host is {h}"
            )),
            (None, None) => f.fact("no operation or webhook names who deleted it"),
        };
        if let (Some(s), Some(d)) = (
            start.as_deref().and_then(crate::model::time::parse_time),
            time.as_deref().and_then(crate::model::time::parse_time),
        ) {
            let age = (d - s).num_days();
            f.fact(format!(
                "recorded {}, deleted {} day(s) later",
                start.clone().unwrap_or_default(),
                crate::output::thousands(age)
            ));
            let own = matches!((&by, &host), (Some(b), Some(h)) if b.eq_ignore_ascii_case(h));
            if own && age as f64 >= ctx.num("routine_age_days") {
                f.severity = Some(Severity::Info);
                f.fact(format!(
                    "info level: its host cleared out a recording at least {} days old (routine_age_days)",
                    ctx.num("routine_age_days")
                ));
            }
        }
        let nfiles = fids.as_deref().map(|s| s.split(',').count()).unwrap_or(0);
        if nfiles > 0 {
            f.fact(format!("{nfiles} file(s) with a deletion time"));
        }
        f.actor = by.clone();
        f.target = Some(what);
        f.user = by.or(host);
        f.meeting_id = mid;
        f.meeting_uuid = Some(uuid);
        f.recording = Some(rid);
        f.ev("recordings", rid);
        f.evidence_csv("recording_files", fids.as_deref());
        f.evidence_csv("operations", oids.as_deref());
        f.evidence_csv("webhook_events", wids.as_deref());
        out.push(f);
    }
    // Delete operations about meetings with no deleted recording in the case.
    let sql = format!(
        "SELECT o.id, o.time, o.operator, c.meeting_id, c.id FROM op_changes c
         JOIN operations o ON o.id = c.operation_id
         WHERE {DELETE_OPS}
           AND NOT EXISTS (SELECT 1 FROM recordings r WHERE r.meeting_id = c.meeting_id
               AND (r.deleted_time IS NOT NULL OR EXISTS (SELECT 1 FROM recording_files f
                    WHERE f.recording_id = r.id AND f.deleted_time IS NOT NULL)))
         ORDER BY o.time"
    );
    let mut st = ctx.conn.prepare(&sql)?;
    let rows = st.query_map([], |r| {
        <(i64, String, String, Option<i64>, i64)>::try_from(r)
    })?;
    for row in rows {
        let (oid, time, operator, mid, cid) = row?;
        let mut f = Finding::new(
            format!("op:{oid}"),
            time,
            format!(
                "{operator} deleted the recording of meeting {}",
                mid.map(|m| m.to_string())
                    .unwrap_or_else(|| "(not named)".into())
            ),
        );
        f.fact(format!("{operator} deleted it (operation log)"));
        f.fact("the case holds no recording of this meeting: its topic, host and age are unknown");
        f.user = Some(operator.clone());
        f.actor = Some(operator);
        f.target = Some(format!(
            "recording of meeting {}",
            mid.map(|m| m.to_string())
                .unwrap_or_else(|| "(not named)".into())
        ));
        f.meeting_id = mid;
        f.ev("operations", oid);
        f.ev("op_changes", cid);
        out.push(f);
    }
    // Webhooks about recordings the case does not hold.
    let mut st = ctx.conn.prepare(
        "SELECT w.id, w.time, w.operator, w.object_id, w.event FROM webhook_events w
         WHERE w.event IN ('recording.deleted', 'recording.trashed')
           AND NOT EXISTS (SELECT 1 FROM recordings r
               WHERE w.object_id = r.meeting_uuid OR w.object_id = CAST(r.meeting_id AS TEXT))
         ORDER BY w.time",
    )?;
    let rows = st.query_map([], |r| {
        <(i64, String, Option<String>, Option<String>, String)>::try_from(r)
    })?;
    for row in rows {
        let (wid, time, operator, object, event) = row?;
        let verb = if event.ends_with("trashed") {
            "trashed"
        } else {
            "deleted"
        };
        let mut f = Finding::new(
            format!("wh:{wid}"),
            time,
            format!(
                "{} {verb} the recording of meeting {}",
                operator.clone().unwrap_or_else(|| "someone".into()),
                object.clone().unwrap_or_default()
            ),
        );
        f.fact(format!(
            "{} it ({event} webhook)",
            match &operator {
                Some(o) => format!("{o} {verb}"),
                None => format!("someone {verb}"),
            }
        ));
        f.fact("the case holds no recording of this meeting: its topic, host and age are unknown");
        f.actor = operator.clone();
        f.target = Some(format!(
            "recording of meeting {}",
            object.clone().unwrap_or_default()
        ));
        f.user = operator;
        f.meeting_id = object.as_deref().and_then(|o| o.parse().ok());
        if f.meeting_id.is_none() {
            f.meeting_uuid = object;
        }
        f.ev("webhook_events", wid);
        out.push(f);
    }
    Ok(RuleOutcome::Findings(out))
}
