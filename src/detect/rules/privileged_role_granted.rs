//! `privileged-role-granted`: someone was given a role that administers the account.
//!
//! Privileged = any role whose name contains "Admin" or "Owner", so custom roles ("Security
//! Admin", "IT Admin") count as much as Admin, Owner, Co-Owner and Billing Admin. A grant is a
//! change *into* a privileged role from a non-privileged (or unstated) one: "Change Role",
//! "Update User x - User Role", batch and SCIM updates, and a user added directly with an admin
//! role. Moves between privileged roles (Admin → Co-Owner, Admin → Billing Admin) and demotions
//! are not grants: the person already administered the account (they stay visible in the
//! operation ledger); this matches Panther's tested semantics. A detail naming no email still
//! yields a finding ("a user the detail does not name").

use super::NO_OPS;
use crate::detect::{Ctx, Finding, RuleOutcome};
use anyhow::Result;

/// Grants as SQL (shared with `new-admin-activity`): operation id, time, operator, change id,
/// target, from, to.
/// A target that is a name rather than an email ("Change Role  - Bart Simpson: ...") is resolved
/// through the users directory when exactly one user has that name; in a large organisation
/// names repeat, and then the `user.updated` webhook the same operator caused within a minute
/// names the account (its object id) among the namesakes.
pub(crate) const GRANTS_SQL: &str = "
    SELECT o.id, o.time, o.operator, c.id,
           CASE WHEN c.target IS NULL OR instr(c.target, '@') > 0 THEN c.target
                ELSE coalesce((SELECT min(u.email) FROM users u
                               WHERE zl_norm_name(coalesce(nullif(u.display_name, ''),
                                       coalesce(u.first_name, '') || ' ' || coalesce(u.last_name, '')))
                                     = zl_norm_name(c.target)
                               HAVING count(*) = 1),
                              (SELECT min(u.email) FROM webhook_events w
                               JOIN users u ON u.zoom_id = w.object_id
                               WHERE w.operator = o.operator AND w.event = 'user.updated'
                                 AND w.time BETWEEN strftime('%Y-%m-%dT%H:%M:%SZ', o.time, '-60 seconds')
                                                AND strftime('%Y-%m-%dT%H:%M:%SZ', o.time, '+60 seconds')
                                 AND zl_norm_name(coalesce(nullif(u.display_name, ''),
                                       coalesce(u.first_name, '') || ' ' || coalesce(u.last_name, '')))
                                     = zl_norm_name(c.target)
                               HAVING count(DISTINCT u.email) = 1), c.target) END,
           c.from_value, c.to_value
    FROM op_changes c JOIN operations o ON o.id = c.operation_id
    WHERE (c.kind = 'role' OR (c.kind = 'add_user' AND lower(c.setting) LIKE '%role%'))
      AND zl_privileged(c.to_value) AND NOT zl_privileged(c.from_value)
    ORDER BY o.time, c.id";

pub(crate) type Grant = (
    i64,
    String,
    String,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
);

pub(crate) fn grants(ctx: &Ctx) -> Result<Vec<Grant>> {
    let mut st = ctx.conn.prepare(GRANTS_SQL)?;
    let rows = st.query_map([], |r| Grant::try_from(r))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn run(ctx: &Ctx) -> Result<RuleOutcome> {
    if !ctx.any("SELECT 1 FROM operations")? {
        return Ok(RuleOutcome::CouldNotRun(NO_OPS.into()));
    }
    let mut out = Vec::new();
    for (oid, time, operator, cid, target, from, to) in grants(ctx)? {
        let who = target
            .clone()
            .unwrap_or_else(|| "a user the detail does not name".into());
        let from = from.unwrap_or_else(|| "?".into());
        let to_role = to.clone().unwrap_or_default();
        let mut f = Finding::new(
            format!("chg:{cid}"),
            time,
            format!("{who} granted {to_role} (from {from}) by {operator}"),
        );
        f.fact(format!("granted by the admin {operator}"));
        f.fact(format!(
            "role {from} → {to_role}: '{to_role}' administers the account, '{from}' does not"
        ));
        if target.as_deref().is_none_or(|t| !t.contains('@')) {
            f.fact("the detail names no email and no single user has that name: the grantee is not resolved");
        }
        f.actor = Some(operator);
        f.target = Some(who);
        f.user = target;
        f.ev("operations", oid);
        f.ev("op_changes", cid);
        out.push(f);
    }
    Ok(RuleOutcome::Findings(out))
}
