//! `security-setting-disabled`: any security setting turned off or weakened.
//!
//! Every change of a batched operation detail is examined (`op_changes`, one row per change),
//! so "Sign-In Password Requirement  - length 8→14 - Include at least 1 letter On→Off" and a
//! 2FA switch buried second in a batch are both caught, group names with hyphens do not matter,
//! and account, group and user scopes all count. What weakens is decided by
//! [`super::weakening`]: protective settings turned off (passcodes, waiting room,
//! secure-all-meetings, 2FA, automatic sign-out, password rules, authenticated-only join, E2EE),
//! risky ones turned on (join before host, passcode embedded in the link), password lengths
//! lowered, sign-out timeouts raised. Covers Panther's Zoom settings rules.
//!
//! Settings webhooks (`account/user.settings_updated`) reach this rule too: the importer
//! writes each as an operation in the log's own grammar, folded into the log's entry for the
//! same change when both are in the case (`ingest::settings`, `Writer::settings_change`).
//! One finding per operation (all its weakening changes in the summary).

use super::NO_OPS;
use crate::detect::{Ctx, Finding, RuleOutcome};
use anyhow::Result;

pub fn run(ctx: &Ctx) -> Result<RuleOutcome> {
    if !ctx.any("SELECT 1 FROM operations")? {
        return Ok(RuleOutcome::CouldNotRun(NO_OPS.into()));
    }
    let mut st = ctx.conn.prepare(
        "SELECT o.id, o.time, o.operator, max(c.section), max(c.target),
                group_concat(c.id), group_concat(zl_weakening(c.section, c.setting, c.from_value, c.to_value), '; ')
         FROM op_changes c JOIN operations o ON o.id = c.operation_id
         WHERE c.kind NOT IN ('role', 'add_user', 'delete_user', 'recording')
           AND zl_weakening(c.section, c.setting, c.from_value, c.to_value) IS NOT NULL
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
            Option<String>,
        )>::try_from(r)
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (oid, time, operator, section, target, cids, why) = row?;
        let scope = match (&target, &section) {
            (Some(t), _) => format!(" for {t}"),
            (None, Some(s)) if !s.is_empty() => format!(" in {s}"),
            _ => String::new(),
        };
        let mut f = Finding::new(
            format!("op:{oid}"),
            time,
            format!(
                "{operator} weakened security{scope}: {}",
                why.clone().unwrap_or_default()
            ),
        );
        f.fact(format!("changed by the admin {operator}"));
        for w in why
            .as_deref()
            .unwrap_or("")
            .split("; ")
            .filter(|w| !w.is_empty())
        {
            f.fact(format!("weakens security: {w}"));
        }
        f.fact(match (&target, &section) {
            (Some(t), _) => format!("applies to {t} only"),
            (None, Some(s)) if !s.is_empty() => format!("scope: {s}"),
            _ => "scope: the account".to_string(),
        });
        f.user = Some(operator.clone());
        f.actor = Some(operator);
        f.target = Some(match (&target, &section) {
            (Some(t), _) => t.clone(),
            (None, Some(s)) if !s.is_empty() => format!("{s} settings"),
            _ => "account settings".into(),
        });
        f.ev("operations", oid);
        f.evidence_csv("op_changes", cids.as_deref());
        out.push(f);
    }
    Ok(RuleOutcome::Findings(out))
}
