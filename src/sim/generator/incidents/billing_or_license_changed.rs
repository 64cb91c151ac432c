//! The payment method changed, and a license removed; the near-miss is a department change
//! of the same user.

use super::Gen;
use super::build::sec;
use anyhow::Result;
use serde_json::json;

pub(super) const RULE: &str = "billing-or-license-changed";

const USER: (&str, &str) = ("User", "Update");

/// The directory shows the user as Basic, after the change.
pub(super) fn prepare(g: &mut Gen) {
    g.persona_mut("licensed").user_type = 1;
}

pub(super) fn mid(g: &mut Gen) -> Result<()> {
    let detail =
        "Billing Information  - Payment Method: from Visa ending 4242 to Mastercard ending 4444";
    let it = g.op(
        g.at(sec(17, 0)),
        g.org.owner,
        ("Billing", "Update"),
        detail,
        None,
    )?;
    g.incident(RULE, it.note("payment method changed"));
    Ok(())
}

pub(super) fn last(g: &mut Gen) -> Result<()> {
    let (p, admin) = (g.org.persona("licensed"), g.org.admins[0]);
    let email = g.email(p);
    let t = g.at(sec(10, 0));
    let detail = format!("Edit User {email}  - Change Type: from Licensed to Basic");
    let wh = g.user_updated_webhook(t, admin, p, "type", json!(2), json!(1));
    let it = g.op(t, admin, USER, &detail, Some(wh))?;
    g.incident(
        RULE,
        it.user(&email).note("license removed (Licensed to Basic)"),
    );
    let detail = format!("Update User {email}  - Department: from Sales to Marketing");
    let it = g.op(g.at(sec(10, 5)), admin, USER, &detail, None)?;
    g.near_miss(RULE, it.user(email).note("department change only"));
    Ok(())
}
