//! `brief-join`: an outsider (external or guest) who was in a meeting instance for less than
//! `max_minutes` (default 5, the design's default: long enough to grab a glance or a screen,
//! shorter than any real participation) in total. All of the participant's sessions in the
//! instance are summed, so a dropped connection followed by a rejoin is not brief; people who
//! only sat in the waiting room never got in and are not counted, nor are registered
//! attendees (a `registrant_id`: the host knows who they are, and leaving a webinar after a
//! minute is what the public does).

use super::DUR;
use crate::detect::{Ctx, Finding, RuleOutcome};
use anyhow::Result;

pub fn run(ctx: &Ctx) -> Result<RuleOutcome> {
    ctx.sessions(&["meeting"])?;
    if !ctx.any("SELECT 1 FROM participants")? {
        return Ok(RuleOutcome::CouldNotRun(
            "no participant sessions (import participant reports)".into(),
        ));
    }
    if let Some(why) = ctx.need_internal() {
        return Ok(RuleOutcome::CouldNotRun(why));
    }
    let sql = format!(
        "SELECT p.meeting_uuid, p.user_id, min(p.join_time), sum({DUR}) total, group_concat(p.id),
                max(nullif(p.email, '')), max(nullif(p.name, '')), max(nullif(p.ip_address, '')),
                max(p.meeting_id), count(*)
         FROM temp.zl_sess p
         WHERE NOT zl_internal(p.email) AND coalesce(p.status, '') <> 'in_waiting_room'
         GROUP BY p.meeting_uuid, p.user_id
         HAVING total IS NOT NULL AND total < ?1 AND max(coalesce(p.registrant_id, '')) = ''
           AND NOT EXISTS (SELECT 1 FROM temp.zl_sess q WHERE q.meeting_uuid = p.meeting_uuid
                           AND q.user_id = p.user_id AND zl_internal(q.email))
         ORDER BY 3"
    );
    let mut st = ctx.conn.prepare(&sql)?;
    let max = (ctx.num("max_minutes") * 60.0) as i64;
    let rows = st.query_map([max], |r| {
        <(
            String,
            String,
            String,
            i64,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<i64>,
            i64,
        )>::try_from(r)
    })?;
    let mut topic = ctx
        .conn
        .prepare("SELECT topic, meeting_id FROM meetings WHERE uuid = ?1")?;
    let mut out = Vec::new();
    for row in rows {
        let (uuid, uid, first, total, ids, email, name, ip, mid, sessions) = row?;
        let (t, m): (Option<String>, Option<i64>) = topic
            .query_row([&uuid], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap_or((None, None));
        let who = match (&email, &name) {
            (Some(e), _) => format!("external {e}"),
            (None, Some(n)) => format!("guest '{n}'"),
            _ => "an unnamed guest".into(),
        };
        let mut f = Finding::new(
            format!("sess:{uuid}:{uid}"),
            first,
            format!(
                "{who} was in '{}' for only {}m{:02}s",
                t.clone().unwrap_or_default(),
                total / 60,
                total % 60
            ),
        );
        f.fact(format!(
            "{}m{:02}s in all over {} session(s) in this instance; threshold {} min",
            total / 60,
            total % 60,
            sessions,
            ctx.num("max_minutes")
        ));
        f.fact("not internal, not registered, never in the waiting room only, no internal session under the same id");
        f.actor = email.clone().or(name.map(|n| format!("guest '{n}'")));
        f.target = Some(format!("'{}'", t.unwrap_or_default()));
        f.user = email;
        f.ip = ip;
        f.meeting_uuid = Some(uuid);
        f.meeting_id = mid.or(m);
        f.evidence_csv("participants", ids.as_deref());
        out.push(f);
    }
    Ok(RuleOutcome::Findings(out))
}
