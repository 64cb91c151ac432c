//! `user-created`: a user account was added (operation log "Add User ...", category User /
//! action Add, as Panther's Standard.NewUserAccountCreated; and `user.created` webhooks). Info:
//! context for other findings (a new account that then joins sensitive meetings, gets admin...).
//! A webhook for a user an operation already reports is added to that finding's evidence.

use super::NO_OPS;
use crate::detect::{Ctx, Finding, RuleOutcome};
use anyhow::Result;

pub fn run(ctx: &Ctx) -> Result<RuleOutcome> {
    let has_hooks = ctx.any("SELECT 1 FROM webhook_events WHERE event = 'user.created'")?;
    if !ctx.any("SELECT 1 FROM operations")? && !has_hooks {
        return Ok(RuleOutcome::CouldNotRun(NO_OPS.into()));
    }
    let mut st = ctx.conn.prepare(
        "SELECT o.id, o.time, o.operator, max(c.target), group_concat(c.id), o.action
         FROM operations o LEFT JOIN op_changes c ON c.operation_id = o.id AND c.kind = 'add_user'
         WHERE c.id IS NOT NULL
            OR (lower(o.category_type) = 'user' AND lower(o.action) = 'add')
         GROUP BY o.id ORDER BY o.time",
    )?;
    let mut out: Vec<Finding> = Vec::new();
    let rows = st.query_map([], |r| {
        <(i64, String, String, Option<String>, Option<String>, String)>::try_from(r)
    })?;
    for row in rows {
        let (oid, time, operator, target, cids, action) = row?;
        let who = target.clone().unwrap_or_else(|| "a user".into());
        let mut f = Finding::new(
            format!("op:{oid}"),
            time,
            format!("{operator} created {who}"),
        );
        f.fact(format!("created by {operator} (operation log)"));
        if action.to_ascii_lowercase().contains("scim") {
            f.fact("provisioned through SCIM by the identity provider: routine onboarding");
        }
        f.fact("info level: a new account is context, not an alert");
        f.actor = Some(operator);
        f.target = Some(who);
        f.user = target;
        f.ev("operations", oid);
        f.evidence_csv("op_changes", cids.as_deref());
        out.push(f);
    }
    if has_hooks {
        let mut st = ctx.conn.prepare(
            "SELECT w.id, w.time, w.operator, u.email FROM webhook_events w
             LEFT JOIN users u ON u.zoom_id = w.object_id
             WHERE w.event = 'user.created' ORDER BY w.time",
        )?;
        let rows = st.query_map([], |r| {
            <(i64, String, Option<String>, Option<String>)>::try_from(r)
        })?;
        for row in rows {
            let (wid, time, operator, email) = row?;
            let same = email.as_ref().and_then(|e| {
                out.iter_mut()
                    .find(|f| f.user.as_deref().is_some_and(|u| u.eq_ignore_ascii_case(e)))
            });
            if let Some(f) = same {
                f.ev("webhook_events", wid);
                f.fact("confirmed by a user.created webhook");
                continue;
            }
            let who = email.clone().unwrap_or_else(|| "a user".into());
            let by = operator.unwrap_or_else(|| "someone".into());
            let by_text = by.clone();
            let mut f = Finding::new(
                format!("wh:{wid}"),
                time,
                format!("{by_text} created {who} (webhook)"),
            );
            f.fact(format!("created by {by} (user.created webhook)"));
            f.fact("info level: a new account is context, not an alert");
            f.actor = Some(by);
            f.target = Some(who);
            f.user = email;
            f.ev("webhook_events", wid);
            out.push(f);
        }
    }
    Ok(RuleOutcome::Findings(out))
}
