//! `join-burst-multiple-ips`: many distinct IP addresses of outsiders (external or guest
//! sessions) joining one meeting instance within minutes — a leaked or posted link. Default: 5
//! or more distinct IPs within 5 minutes (the design's default; a partner team joining from one
//! office shares one IP and counts once). Registered attendees (a `registrant_id`) are not
//! counted: a hundred registrants arriving as a webinar starts is the webinar working. Zoom's
//! own `meeting.risk_alert` webhooks are reported here too.

use crate::detect::{Ctx, Finding, RuleOutcome};
use anyhow::Result;
use std::collections::HashMap;

pub fn run(ctx: &Ctx) -> Result<RuleOutcome> {
    ctx.sessions(&[])?;
    let alerts = ctx.any("SELECT 1 FROM webhook_events WHERE event = 'meeting.risk_alert'")?;
    let ips = ctx.any("SELECT 1 FROM temp.zl_sess WHERE ip_address <> ''")?;
    if !ips && !alerts {
        return Ok(RuleOutcome::CouldNotRun(
            "no participant IP addresses: needs dashboard participants (/metrics, Business plan)"
                .into(),
        ));
    }
    let mut out = Vec::new();
    // Meetings whose burst finding cites Zoom's own alert (no second finding for it).
    let mut cited: std::collections::HashSet<String> = std::collections::HashSet::new();
    if ips {
        if let Some(why) = ctx.need_internal() {
            return Ok(RuleOutcome::CouldNotRun(why));
        }
        ctx.conn.execute_batch(
            "DROP TABLE IF EXISTS temp.zl_burst;
             CREATE TEMP TABLE zl_burst AS
               SELECT id, meeting_uuid, unixepoch(join_time) t, ip_address ip FROM temp.zl_sess
               WHERE ip_address <> '' AND NOT zl_internal(email)
                 AND coalesce(registrant_id, '') = '';
             CREATE INDEX temp.zl_burst_mt ON zl_burst (meeting_uuid, t);",
        )?;
        let mut st = ctx.conn.prepare(
            "SELECT a.meeting_uuid, a.t, count(DISTINCT b.ip) n, group_concat(b.id)
             FROM zl_burst a JOIN zl_burst b
               ON b.meeting_uuid = a.meeting_uuid AND b.t >= a.t AND b.t < a.t + ?1
             GROUP BY a.id HAVING n >= ?2",
        )?;
        let win = (ctx.num("window_minutes") * 60.0) as i64;
        // Per instance keep the window with most IPs (earliest on ties).
        let mut best: HashMap<String, (i64, i64, String)> = HashMap::new();
        let rows = st.query_map(rusqlite::params![win, ctx.int("min_ips")], |r| {
            <(String, i64, i64, String)>::try_from(r)
        })?;
        for row in rows {
            let (uuid, t, n, ids) = row?;
            let e = best.entry(uuid).or_insert((t, n, ids.clone()));
            if n > e.1 || (n == e.1 && t < e.0) {
                *e = (t, n, ids);
            }
        }
        let mut info = ctx
            .conn
            .prepare("SELECT meeting_id, topic FROM meetings WHERE uuid = ?1")?;
        let mut keys: Vec<_> = best.into_iter().collect();
        keys.sort_by(|a, b| a.1.0.cmp(&b.1.0).then(a.0.cmp(&b.0)));
        for (uuid, (t, n, ids)) in keys {
            let (mid, topic): (Option<i64>, Option<String>) = info
                .query_row([&uuid], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap_or((None, None));
            let time = chrono::DateTime::from_timestamp(t, 0)
                .map(crate::model::time::fmt_utc)
                .unwrap_or_default();
            let mut f = Finding::new(
                format!("inst:{uuid}"),
                time,
                format!(
                    "{n} distinct outsider IPs joined '{}' within {} min",
                    topic.clone().unwrap_or_default(),
                    ctx.num("window_minutes")
                ),
            );
            let sessions = ids.split(',').count();
            f.fact(format!(
                "{} distinct outsider IPs ({} sessions) joined within {} min from {}; threshold {} IPs",
                crate::output::thousands(n),
                crate::output::thousands(sessions as i64),
                ctx.num("window_minutes"),
                f.time,
                ctx.int("min_ips")
            ));
            f.fact("outsiders: external or guest sessions without a registration; a partner team behind one office IP counts once");
            // Many outsiders, no one actor: the facts say how many; the incident is titled
            // by the meeting.
            f.target = Some(format!("'{}'", topic.unwrap_or_default()));
            f.meeting_uuid = Some(uuid.clone());
            f.meeting_id = mid;
            f.evidence_csv("participants", Some(&ids));
            // Zoom's At-Risk Meeting Notifier saw this meeting's link posted publicly:
            // corroboration from outside the case's own telemetry.
            let mut ra = ctx.conn.prepare_cached(
                "SELECT id, alert_time, coalesce(post_platform, ''), coalesce(post_user, ''),
                        post_time, social_link
                 FROM risk_alerts
                 WHERE meeting_uuid = ?1 OR (?2 IS NOT NULL AND meeting_id = ?2)
                 ORDER BY alert_time, id",
            )?;
            let alerts = ra
                .query_map(rusqlite::params![uuid, mid], |r| {
                    <(i64, String, String, String, String, String)>::try_from(r)
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            for (aid, at, platform, user, posted, link) in alerts {
                let by = if user.is_empty() {
                    String::new()
                } else {
                    format!(" by {user}")
                };
                let when = if posted.is_empty() {
                    String::new()
                } else {
                    format!(" at {posted}")
                };
                f.fact(format!(
                    "corroborated by Zoom's risk alert of {at}: the meeting link was posted on {}{by}{when} ({link})",
                    if platform.is_empty() { "social media" } else { &platform }
                ));
                f.ev("risk_alerts", aid);
                cited.insert(uuid.clone());
                if let Some(m) = mid {
                    cited.insert(m.to_string());
                }
            }
            out.push(f);
        }
    }
    let mut st = ctx.conn.prepare(
        "SELECT id, time, object_id FROM webhook_events WHERE event = 'meeting.risk_alert' ORDER BY time",
    )?;
    let rows = st.query_map([], |r| <(i64, String, Option<String>)>::try_from(r))?;
    for row in rows {
        let (id, time, obj) = row?;
        if obj.as_ref().is_some_and(|o| cited.contains(o)) {
            continue;
        }
        let mut f = Finding::new(
            format!("wh:{id}"),
            time,
            format!(
                "Zoom raised a meeting risk alert for {}",
                obj.clone().unwrap_or_default()
            ),
        );
        f.fact("Zoom's own meeting.risk_alert webhook");
        f.target = Some(format!("meeting {}", obj.clone().unwrap_or_default()));
        f.meeting_id = obj.as_deref().and_then(|o| o.parse().ok());
        if f.meeting_id.is_none() {
            f.meeting_uuid = obj;
        }
        f.ev("webhook_events", id);
        out.push(f);
    }
    Ok(RuleOutcome::Findings(out))
}
