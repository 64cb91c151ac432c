//! `new-admin-activity`: a privileged role was granted (as `privileged-role-granted` decides)
//! and the new admin then changed settings or users within the window (default 24 h, the
//! design's sequence window). A grant whose detail names no email cannot be followed and is
//! left to `privileged-role-granted`.

use crate::detect::{Ctx, Finding, RuleOutcome};
use anyhow::Result;
use rusqlite::params;

pub fn run(ctx: &Ctx) -> Result<RuleOutcome> {
    if !ctx.any("SELECT 1 FROM operations")? {
        return Ok(RuleOutcome::CouldNotRun(super::NO_OPS.into()));
    }
    let window = (ctx.num("window_hours") * 3600.0) as i64;
    let mut acts = ctx.conn.prepare(
        "SELECT o.id, o.time, o.operation_detail FROM operations o
         WHERE o.operator = ?1 AND o.time > ?2
           AND o.time <= strftime('%Y-%m-%dT%H:%M:%SZ', unixepoch(?2) + ?3, 'unixepoch')
           AND EXISTS (SELECT 1 FROM op_changes c WHERE c.operation_id = o.id
                       AND c.kind IN ('setting', 'group', 'role', 'add_user', 'delete_user', 'update_user'))
         ORDER BY o.time LIMIT 50",
    )?;
    let mut out = Vec::new();
    for (oid, time, operator, cid, target, _from, to) in
        super::privileged_role_granted::grants(ctx)?
    {
        let Some(admin) = target else { continue };
        let list: Vec<(i64, String, String)> = acts
            .query_map(params![admin, time, window], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let Some(first) = list.first() else { continue };
        let mut f = Finding::new(
            format!("chg:{cid}"),
            first.1.clone(),
            format!(
                "{admin} became {} (by {operator} at {time}) and made {} change(s) within {} h, first: {}",
                to.clone().unwrap_or_default(),
                list.len(),
                ctx.num("window_hours"),
                first.2
            ),
        );
        let role = to.clone().unwrap_or_default();
        let after = crate::model::time::parse_time(&first.1)
            .zip(crate::model::time::parse_time(&time))
            .map(|(a, b)| (a - b).num_minutes())
            .unwrap_or(0);
        f.fact(format!(
            "{admin} was granted {role} by {operator} at {time}"
        ));
        f.fact(format!(
            "{} change(s) of settings or users by {admin} within {} h of the grant (at most 50 listed)",
            crate::output::thousands(list.len() as i64),
            ctx.num("window_hours")
        ));
        f.fact(format!(
            "first change {} min after the grant: {}",
            crate::output::thousands(after),
            first.2
        ));
        f.actor = Some(admin.clone());
        f.target = Some("account settings and users".into());
        f.user = Some(admin.clone());
        f.ev("operations", oid);
        f.ev("op_changes", cid);
        for a in &list {
            f.ev("operations", a.0);
        }
        out.push(f);
    }
    Ok(RuleOutcome::Findings(out))
}
