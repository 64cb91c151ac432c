//! `billing-or-license-changed`: billing, plan or licence changes (category Billing, or a
//! change naming a plan, licence, subscription, user type). Low: usually routine, but a
//! takeover often starts by buying or moving licences, and a downgrade can silently remove
//! features such as cloud recording or the Dashboard API. Creating a user with a type is part
//! of `user-created`, not reported here.

use super::NO_OPS;
use crate::detect::{Ctx, Finding, RuleOutcome};
use anyhow::Result;

pub fn run(ctx: &Ctx) -> Result<RuleOutcome> {
    if !ctx.any("SELECT 1 FROM operations")? {
        return Ok(RuleOutcome::CouldNotRun(NO_OPS.into()));
    }
    let mut st = ctx.conn.prepare(
        "SELECT o.id, o.time, o.operator, max(c.target), group_concat(c.id),
                group_concat(coalesce(c.setting, c.section) ||
                  CASE WHEN c.to_value IS NOT NULL THEN ': ' || coalesce(c.from_value, '') || ' → ' || c.to_value ELSE '' END, '; ')
         FROM op_changes c JOIN operations o ON o.id = c.operation_id
         WHERE c.kind <> 'add_user'
           AND (lower(o.category_type) IN ('billing', 'sub_account', 'sub account')
                OR zl_billing(c.setting) OR zl_billing(c.section))
         GROUP BY o.id ORDER BY o.time",
    )?;
    let rows = st.query_map([], |r| {
        <(
            i64,
            String,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
        )>::try_from(r)
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (oid, time, operator, target, cids, what) = row?;
        let on = target
            .as_ref()
            .map(|t| format!(" for {t}"))
            .unwrap_or_default();
        let mut f = Finding::new(
            format!("op:{oid}"),
            time,
            format!(
                "{operator} changed billing/licence{on}: {}",
                what.clone().unwrap_or_default()
            ),
        );
        // The admin who made the change is the actor; the licensed user (or the account)
        // is what was changed.
        f.fact(format!("changed by the admin {operator}"));
        match &target {
            Some(t) => f.fact(format!("affected user: {t}")),
            None => f.fact("the detail names no user: an account-level billing change"),
        };
        if let Some(w) = &what {
            f.fact(format!("change: {w}"));
        }
        f.user = Some(operator.clone());
        f.actor = Some(operator);
        f.target = Some(target.unwrap_or_else(|| "account billing".into()));
        f.ev("operations", oid);
        f.evidence_csv("op_changes", cids.as_deref());
        out.push(f);
    }
    Ok(RuleOutcome::Findings(out))
}
