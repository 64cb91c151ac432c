//! `sso-config-changed`: any change to single sign-on / identity federation (SSO, SAML, IdP,
//! managed or associated domains). Whoever controls SSO controls every sign-in, so every change
//! is reported, whatever its direction.

use super::{CHANGE_TEXT, OpWords, per_operation};
use crate::detect::{Ctx, RuleOutcome};
use anyhow::Result;

pub fn run(ctx: &Ctx) -> Result<RuleOutcome> {
    per_operation(
        ctx,
        CHANGE_TEXT,
        "zl_sso(o.category_type) OR zl_sso(c.section) OR zl_sso(c.setting)",
        |op| OpWords {
            summary: format!("{} changed SSO: {}", op.operator, op.changes.join("; ")),
            facts: op
                .changes
                .iter()
                .map(|w| format!("SSO change: {w}"))
                .collect(),
            target: "SSO configuration".into(),
        },
    )
}
