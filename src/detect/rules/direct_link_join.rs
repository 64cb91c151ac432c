//! `direct-link-join`: in a meeting instance where others came through registration
//! (`registrant_id` set), someone joined without one — they had the join link itself. The host
//! and internal users (`include_internal` = 0) are not reported: they reach meetings from the
//! client, not through registration.

use crate::detect::{Ctx, Finding, RuleOutcome};
use anyhow::Result;

pub fn run(ctx: &Ctx) -> Result<RuleOutcome> {
    ctx.sessions(&["meeting"])?;
    if !ctx.any("SELECT 1 FROM temp.zl_sess WHERE registrant_id <> ''")? {
        return Ok(RuleOutcome::CouldNotRun(
            "no registrant ids: participant reports were pulled without include_fields=registrant_id, or no meeting used registration"
                .into(),
        ));
    }
    if ctx.int("include_internal") == 0
        && let Some(why) = ctx.need_internal()
    {
        return Ok(RuleOutcome::CouldNotRun(why));
    }
    let mut st = ctx.conn.prepare(
        "WITH reg AS (SELECT meeting_uuid, count(*) n FROM temp.zl_sess
                      WHERE registrant_id <> '' GROUP BY meeting_uuid HAVING n >= ?1)
         SELECT p.meeting_uuid, coalesce(max(p.meeting_id), max(m.meeting_id)), max(m.topic),
                min(p.join_time), group_concat(p.id), count(*),
                group_concat(DISTINCT coalesce(nullif(p.email, ''), nullif(p.name, ''), '?')),
                max(p.ip_address), max(nullif(p.email, '')), max(reg.n)
         FROM reg JOIN temp.zl_sess p ON p.meeting_uuid = reg.meeting_uuid
         LEFT JOIN meetings m ON m.uuid = p.meeting_uuid
         WHERE coalesce(p.registrant_id, '') = ''
           AND lower(coalesce(p.role, '')) <> 'host'
           AND (m.host_email IS NULL OR coalesce(p.email, '') <> m.host_email)
           AND (?2 = 1 OR NOT zl_internal(p.email))
         GROUP BY p.meeting_uuid ORDER BY 4",
    )?;
    let rows = st.query_map(
        rusqlite::params![ctx.int("min_registered"), ctx.int("include_internal")],
        |r| {
            <(
                String,
                Option<i64>,
                Option<String>,
                String,
                Option<String>,
                i64,
                Option<String>,
                Option<String>,
                Option<String>,
                i64,
            )>::try_from(r)
        },
    )?;
    let mut out = Vec::new();
    for row in rows {
        let (uuid, mid, topic, first, ids, n, who, ip, email, registered) = row?;
        let topic_text = topic.clone().unwrap_or_default();
        let mut f = Finding::new(
            format!("inst:{uuid}"),
            first,
            format!(
                "{n} session(s) joined registration meeting '{}' without registering: {}",
                topic.unwrap_or_default(),
                who.clone().unwrap_or_default()
            ),
        );
        f.fact(format!(
            "{} registered session(s) in this instance (threshold {}); {} joined without a registrant id",
            crate::output::thousands(registered),
            ctx.int("min_registered"),
            crate::output::thousands(n)
        ));
        f.fact(if ctx.int("include_internal") == 0 {
            "not the host and not internal: they did not reach it from the client"
        } else {
            "not the host"
        });
        f.actor = who;
        f.target = Some(format!("'{topic_text}'"));
        f.meeting_uuid = Some(uuid);
        f.meeting_id = mid;
        if n == 1 {
            f.ip = ip;
            f.user = email;
        }
        f.evidence_csv("participants", ids.as_deref());
        out.push(f);
    }
    Ok(RuleOutcome::Findings(out))
}
