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

use super::{OpWords, per_operation};
use crate::detect::{Ctx, RuleOutcome};
use anyhow::Result;

pub fn run(ctx: &Ctx) -> Result<RuleOutcome> {
    per_operation(
        ctx,
        "zl_weakening(c.section, c.setting, c.from_value, c.to_value)",
        "c.kind NOT IN ('role', 'add_user', 'delete_user', 'recording')
         AND zl_weakening(c.section, c.setting, c.from_value, c.to_value) IS NOT NULL",
        |op| {
            let (scope, applies, target) = match (&op.target, &op.section) {
                (Some(t), _) => (
                    format!(" for {t}"),
                    format!("applies to {t} only"),
                    t.clone(),
                ),
                (None, Some(s)) if !s.is_empty() => (
                    format!(" in {s}"),
                    format!("scope: {s}"),
                    format!("{s} settings"),
                ),
                _ => (
                    String::new(),
                    "scope: the account".into(),
                    "account settings".into(),
                ),
            };
            let mut facts: Vec<String> = op
                .changes
                .iter()
                .map(|w| format!("weakens security: {w}"))
                .collect();
            facts.push(applies);
            OpWords {
                summary: format!(
                    "{} weakened security{scope}: {}",
                    op.operator,
                    op.changes.join("; ")
                ),
                facts,
                target,
            }
        },
    )
}
