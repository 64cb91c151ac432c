//! `sso-config-changed`: any change to single sign-on / identity federation (SSO, SAML, IdP,
//! managed or associated domains). Whoever controls SSO controls every sign-in, so every change
//! is reported, whatever its direction.

use super::NO_OPS;
use crate::detect::{Ctx, Finding, RuleOutcome};
use anyhow::Result;

pub fn run(ctx: &Ctx) -> Result<RuleOutcome> {
    if !ctx.any("SELECT 1 FROM operations")? {
        return Ok(RuleOutcome::CouldNotRun(NO_OPS.into()));
    }
    let mut st = ctx.conn.prepare(
        "SELECT o.id, o.time, o.operator, group_concat(c.id),
                group_concat(coalesce(c.setting, c.section) ||
                  CASE WHEN c.to_value IS NOT NULL THEN ': ' || coalesce(c.from_value, '') || ' → ' || c.to_value ELSE '' END, '; ')
         FROM op_changes c JOIN operations o ON o.id = c.operation_id
         WHERE zl_sso(o.category_type) OR zl_sso(c.section) OR zl_sso(c.setting)
         GROUP BY o.id ORDER BY o.time",
    )?;
    let rows = st.query_map([], |r| {
        <(i64, String, String, Option<String>, Option<String>)>::try_from(r)
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (oid, time, operator, cids, what) = row?;
        let mut f = Finding::new(
            format!("op:{oid}"),
            time,
            format!(
                "{operator} changed SSO: {}",
                what.clone().unwrap_or_default()
            ),
        );
        f.fact(format!("changed by the admin {operator}"));
        for w in what
            .as_deref()
            .unwrap_or("")
            .split("; ")
            .filter(|w| !w.is_empty())
        {
            f.fact(format!("SSO change: {w}"));
        }
        f.user = Some(operator.clone());
        f.actor = Some(operator);
        f.target = Some("SSO configuration".into());
        f.ev("operations", oid);
        f.evidence_csv("op_changes", cids.as_deref());
        out.push(f);
    }
    Ok(RuleOutcome::Findings(out))
}
