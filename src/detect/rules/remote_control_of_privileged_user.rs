//! `remote-control-of-privileged-user`: someone from outside the organisation (an external
//! address or a guest without one) took remote control of a VIP's or an admin's machine
//! (`/report/remote_support`). Remote control hands over keyboard and mouse; on an executive's
//! or administrator's machine it is the shortest path to their mail, files and admin console.
//! The IT helpdesk doing the same, or an outsider helping an ordinary employee, is routine.

use crate::detect::{Ctx, Finding, RuleOutcome};
use anyhow::Result;

pub fn run(ctx: &Ctx) -> Result<RuleOutcome> {
    if !ctx.any("SELECT 1 FROM remote_support")? {
        return Ok(RuleOutcome::CouldNotRun(
            "no remote-support sessions (sync the remote_support source, scope \
             report:read:remote_support:admin, or import /report/remote_support pages)"
                .into(),
        ));
    }
    if let Some(why) = ctx.need_internal() {
        return Ok(RuleOutcome::CouldNotRun(why));
    }
    let mut st = ctx.conn.prepare(
        "SELECT r.id, r.start_time, r.supporter_email, coalesce(r.supporter_name, ''),
                r.supportee_email, coalesce(r.supportee_name, ''), r.meeting_uuid,
                r.meeting_number, coalesce(r.topic, ''), r.end_time, r.duration_s,
                (SELECT v.title FROM vips v WHERE v.email = r.supportee_email),
                (SELECT u.role_name FROM users u WHERE u.email = r.supportee_email
                  AND u.role_name IS NOT NULL ORDER BY u.id LIMIT 1)
         FROM remote_support r
         WHERE r.supporter_email = '' OR NOT zl_internal(r.supporter_email)
         ORDER BY r.start_time, r.id",
    )?;
    type Row = (
        i64,
        String,
        String,
        String,
        String,
        String,
        String,
        Option<i64>,
        String,
        Option<String>,
        Option<i64>,
        Option<String>,
        Option<String>,
    );
    let rows = st.query_map([], |r| Row::try_from(r))?;
    let mut out = Vec::new();
    for row in rows {
        let (id, start, sup, sup_name, tgt, tgt_name, uuid, number, topic, end, dur, title, role) =
            row?;
        let vip = title.is_some() || ctx.env.vips.contains(&tgt.to_lowercase());
        let admin = role.as_deref().is_some_and(super::is_privileged_role);
        if !(vip || admin) {
            continue;
        }
        let who = if sup.is_empty() {
            format!("guest '{sup_name}'")
        } else {
            sup.clone()
        };
        let whose = if tgt_name.is_empty() {
            tgt.clone()
        } else {
            format!("{tgt_name} ({tgt})")
        };
        let mut f = Finding::new(
            format!("rs:{id}"),
            start.clone(),
            format!("{who} took remote control of {whose}'s machine in '{topic}'"),
        );
        f.fact(if sup.is_empty() {
            format!("the supporter is a guest without an email, known only as '{sup_name}'")
        } else {
            format!("{sup} is not an address of the organisation")
        });
        f.fact(match (&title, &role) {
            (Some(t), _) if !t.is_empty() => format!("{tgt} is a VIP ({t})"),
            (_, Some(r)) if admin => format!("{tgt} holds the {r} role"),
            _ => format!("{tgt} is a VIP"),
        });
        f.fact(format!(
            "remote control from {start} to {}{}",
            end.unwrap_or_else(|| "?".into()),
            dur.map(|d| format!(" ({} min)", (d + 59) / 60))
                .unwrap_or_default()
        ));
        f.actor = Some(who);
        f.target = Some(format!("{tgt}'s machine"));
        f.user = Some(if sup.is_empty() { tgt.clone() } else { sup });
        f.meeting_uuid = Some(uuid);
        f.meeting_id = number;
        f.ev("remote_support", id);
        out.push(f);
    }
    Ok(RuleOutcome::Findings(out))
}
