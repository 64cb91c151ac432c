//! `sign-in-method-enabled`: a new way to sign in was switched on ("Sign-in Methods  - Allow
//! users to sign in with Google: from Off to On"). Each change of a batched detail counts.
//! Switching 2FA on is a hardening, not a method, and is not reported.

use super::NO_OPS;
use crate::detect::{Ctx, Finding, RuleOutcome};
use anyhow::Result;

pub fn run(ctx: &Ctx) -> Result<RuleOutcome> {
    if !ctx.any("SELECT 1 FROM operations")? {
        return Ok(RuleOutcome::CouldNotRun(NO_OPS.into()));
    }
    let mut st = ctx.conn.prepare(
        "SELECT o.id, o.time, o.operator, c.id, c.setting
         FROM op_changes c JOIN operations o ON o.id = c.operation_id
         WHERE (lower(c.setting) LIKE 'allow users to sign in with %'
                OR (lower(c.section) LIKE 'sign-in method%' AND lower(c.setting) LIKE '%sign in with%'))
           AND lower(c.setting) NOT LIKE '%two-factor%'
           AND lower(trim(coalesce(c.to_value, ''))) IN ('on', 'true', 'enabled')
           AND lower(trim(coalesce(c.from_value, ''))) NOT IN ('on', 'true', 'enabled')
         ORDER BY o.time, c.id",
    )?;
    let rows = st.query_map([], |r| {
        <(i64, String, String, i64, Option<String>)>::try_from(r)
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (oid, time, operator, cid, setting) = row?;
        let setting = setting.unwrap_or_default();
        let method = setting
            .to_lowercase()
            .find("sign in with ")
            .map(|i| setting[i + "sign in with ".len()..].trim().to_string())
            .unwrap_or(setting.clone());
        let mut f = Finding::new(
            format!("chg:{cid}"),
            time,
            format!("{operator} enabled sign-in with {method}"),
        );
        f.fact(format!("changed by the admin {operator}"));
        f.fact(format!(
            "{setting}: Off → On (a new door into every account)"
        ));
        f.user = Some(operator.clone());
        f.actor = Some(operator);
        f.target = Some("account sign-in methods".into());
        f.ev("operations", oid);
        f.ev("op_changes", cid);
        out.push(f);
    }
    Ok(RuleOutcome::Findings(out))
}
