//! `billing-or-license-changed`: billing, plan or licence changes (category Billing, or a
//! change naming a plan, licence, subscription, user type). Low: usually routine, but a
//! takeover often starts by buying or moving licences, and a downgrade can silently remove
//! features such as cloud recording or the Dashboard API. Creating a user with a type is part
//! of `user-created`, not reported here.

use super::{CHANGE_TEXT, OpWords, per_operation};
use crate::detect::{Ctx, RuleOutcome};
use anyhow::Result;

pub fn run(ctx: &Ctx) -> Result<RuleOutcome> {
    per_operation(
        ctx,
        CHANGE_TEXT,
        "c.kind <> 'add_user'
         AND (lower(o.category_type) IN ('billing', 'sub_account', 'sub account')
              OR zl_billing(c.setting) OR zl_billing(c.section))",
        |op| {
            let on = op
                .target
                .as_ref()
                .map(|t| format!(" for {t}"))
                .unwrap_or_default();
            let what = op.changes.join("; ");
            // The licensed user (or the account) is what was changed.
            let mut facts = vec![match &op.target {
                Some(t) => format!("affected user: {t}"),
                None => "the detail names no user: an account-level billing change".into(),
            }];
            if !what.is_empty() {
                facts.push(format!("change: {what}"));
            }
            OpWords {
                summary: format!("{} changed billing/licence{on}: {what}", op.operator),
                facts,
                target: op
                    .target
                    .clone()
                    .unwrap_or_else(|| "account billing".into()),
            }
        },
    )
}
