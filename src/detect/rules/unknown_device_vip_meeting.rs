//! `unknown-device-vip-meeting`: in a meeting a VIP hosts or attends, an account user joined
//! from a device (pc_name / MAC) that is not theirs: not in the asset inventory for that user
//! when an inventory is loaded; otherwise never seen for that user before (after a baseline of
//! `baseline` earlier sessions with device data, default 3 — a first appearance says nothing).
//! Device fields are blank for outsiders, so only account users are judged.

use crate::detect::{Ctx, Finding, RuleOutcome};
use anyhow::Result;

pub fn run(ctx: &Ctx) -> Result<RuleOutcome> {
    ctx.sessions(&["meeting"])?;
    if ctx.env.vips.is_empty() {
        return Ok(RuleOutcome::CouldNotRun(
            "no VIPs: import a VIP list or set vip_emails".into(),
        ));
    }
    if !ctx.any("SELECT 1 FROM participants WHERE pc_name <> '' OR mac_addr <> ''")? {
        return Ok(RuleOutcome::CouldNotRun(
            "no device data: needs dashboard participants with pc_name/mac_addr (/metrics)".into(),
        ));
    }
    let inventory = ctx.any("SELECT 1 FROM assets")?;
    let unknown = if inventory {
        "NOT EXISTS (SELECT 1 FROM assets a WHERE a.owner_email = p.email
           AND ((a.pc_name <> '' AND a.pc_name = p.pc_name) OR (a.mac_addr <> '' AND a.mac_addr = p.mac_addr)))"
    } else {
        "(SELECT count(*) FROM participants q WHERE q.email = p.email AND q.join_time < p.join_time
            AND (q.pc_name <> '' OR q.mac_addr <> '')) >= ?1
         AND NOT EXISTS (SELECT 1 FROM participants q WHERE q.email = p.email AND q.join_time < p.join_time
            AND ((coalesce(p.pc_name, '') <> '' AND q.pc_name = p.pc_name)
              OR (coalesce(p.mac_addr, '') <> '' AND q.mac_addr = p.mac_addr)))"
    };
    // What the user's known devices are, for the why (only computed for the few hits).
    let known = if inventory {
        "(SELECT count(*) FROM assets a WHERE a.owner_email = p.email)"
    } else {
        "(SELECT count(*) FROM participants q WHERE q.email = p.email AND q.join_time < p.join_time
            AND (q.pc_name <> '' OR q.mac_addr <> ''))"
    };
    // CROSS JOIN keeps SQLite from scanning every session to find the few VIPs' ones (it has
    // no statistics saying the VIP list is small).
    let sql = format!(
        "WITH vm AS (
           SELECT DISTINCT p.meeting_uuid FROM temp.zl_vips v CROSS JOIN participants p ON p.email = v.email
           UNION
           SELECT m.uuid FROM meetings m WHERE zl_vip(m.host_email))
         SELECT p.id, p.email, p.pc_name, p.mac_addr, p.join_time, p.meeting_uuid, p.ip_address,
                coalesce(p.meeting_id, (SELECT m.meeting_id FROM meetings m WHERE m.uuid = p.meeting_uuid)),
                (SELECT m.topic FROM meetings m WHERE m.uuid = p.meeting_uuid),
                {known}
         FROM vm JOIN temp.zl_sess p ON p.meeting_uuid = vm.meeting_uuid
         WHERE coalesce(p.email, '') <> '' AND (coalesce(p.pc_name, '') <> '' OR coalesce(p.mac_addr, '') <> '')
           AND ?1 >= 0 AND {unknown}
         ORDER BY p.join_time"
    );
    let mut st = ctx.conn.prepare(&sql)?;
    let rows = st.query_map([ctx.int("baseline")], |r| {
        <(
            i64,
            String,
            Option<String>,
            Option<String>,
            String,
            String,
            Option<String>,
            Option<i64>,
            Option<String>,
            i64,
        )>::try_from(r)
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, email, pc, mac, join, uuid, ip, mid, topic, known) = row?;
        let topic_text = topic.clone().unwrap_or_default();
        let dev = match (pc.filter(|s| !s.is_empty()), mac.filter(|s| !s.is_empty())) {
            (Some(p), Some(m)) => format!("{p} ({m})"),
            (Some(p), None) => p,
            (None, Some(m)) => m,
            _ => "?".into(),
        };
        let why = if inventory {
            "not in the asset inventory for them"
        } else {
            "never seen for them before (no asset inventory loaded)"
        };
        let mut f = Finding::new(
            format!("sess:{id}"),
            join,
            format!(
                "{email} joined VIP meeting '{}' from device {dev}, {why}",
                topic.unwrap_or_default()
            ),
        );
        f.fact(if inventory {
            format!(
                "device {dev} is not among the {} device(s) the asset inventory lists for {email}",
                crate::output::thousands(known)
            )
        } else {
            format!(
                "device {dev} never seen in {} earlier session(s) of {email} with device data (baseline {}); no asset inventory loaded",
                crate::output::thousands(known),
                ctx.int("baseline")
            )
        });
        f.fact("a VIP hosts or attends this meeting");
        f.actor = Some(email.clone());
        f.target = Some(format!("VIP meeting '{topic_text}'"));
        f.user = Some(email);
        f.ip = ip;
        f.meeting_uuid = Some(uuid);
        f.meeting_id = mid;
        f.ev("participants", id);
        out.push(f);
    }
    Ok(RuleOutcome::Findings(out))
}
