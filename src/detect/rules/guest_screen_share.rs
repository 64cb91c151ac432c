//! `guest-screen-share`: a participant without an account identity (no email: a guest) shared
//! their screen or an application — the zoombombing and "let me show you this file" pattern.
//! Sharing flags come from the dashboard.

use crate::detect::{Ctx, Finding, RuleOutcome};
use anyhow::Result;

pub fn run(ctx: &Ctx) -> Result<RuleOutcome> {
    ctx.sessions(&[])?;
    if !ctx.any("SELECT 1 FROM temp.zl_sess WHERE in_metrics = 1")? {
        return Ok(RuleOutcome::CouldNotRun(
            "no dashboard participants: sharing flags come from /metrics (Business plan)".into(),
        ));
    }
    let mut st = ctx.conn.prepare(
        "SELECT p.meeting_uuid, p.user_id, min(p.join_time), group_concat(p.id),
                max(nullif(p.name, '')), max(nullif(p.ip_address, '')),
                coalesce(max(p.meeting_id), max(m.meeting_id)), max(m.topic),
                max(p.share_desktop), max(p.share_application)
         FROM temp.zl_sess p LEFT JOIN meetings m ON m.uuid = p.meeting_uuid
         WHERE coalesce(p.email, '') = '' AND coalesce(p.zoom_user_id, '') = ''
           AND (p.share_desktop = 1 OR p.share_application = 1)
         GROUP BY p.meeting_uuid, p.user_id ORDER BY 3",
    )?;
    let rows = st.query_map([], |r| {
        <(
            String,
            String,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<i64>,
            Option<String>,
            Option<i64>,
            Option<i64>,
        )>::try_from(r)
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (uuid, uid, first, ids, name, ip, mid, topic, desk, app) = row?;
        let what = match (desk == Some(1), app == Some(1)) {
            (true, true) => "desktop and an application",
            (true, false) => "desktop",
            _ => "an application",
        };
        // The topic, else (Dashboard pages alone carry none) the meeting's number or UUID.
        let meeting = match (topic.filter(|t| !t.is_empty()), mid) {
            (Some(t), _) => format!("'{t}'"),
            (None, Some(m)) => format!("meeting {m}"),
            (None, None) => format!("meeting {uuid}"),
        };
        let mut f = Finding::new(
            format!("sess:{uuid}:{uid}"),
            first,
            format!(
                "guest '{}' shared their {what} in {meeting}",
                name.clone().unwrap_or_else(|| "(no name)".into()),
            ),
        );
        f.fact(format!("shared their {what} (dashboard sharing flags)"));
        f.fact("no email and no Zoom user id: a guest, not signed in");
        f.actor = Some(format!(
            "guest '{}'",
            name.unwrap_or_else(|| "(no name)".into())
        ));
        f.target = Some(meeting);
        f.ip = ip;
        f.meeting_uuid = Some(uuid);
        f.meeting_id = mid;
        f.evidence_csv("participants", ids.as_deref());
        out.push(f);
    }
    Ok(RuleOutcome::Findings(out))
}
