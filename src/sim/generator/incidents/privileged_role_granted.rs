//! Admin and custom admin roles granted, one in a batch update that names the person but
//! not their email; the near-miss is a demotion. (new-admin-activity grants two more.)

use super::Gen;
use super::build::sec;
use crate::sim::generator::org::Role;
use anyhow::Result;

pub(super) const RULE: &str = "privileged-role-granted";

/// The roles as the directory shows them at the end of the window.
pub(super) fn prepare(g: &mut Gen) {
    g.persona_mut("promoted").role = Role::Custom;
    g.persona_mut("promoted2").role = Role::Admin;
    g.persona_mut("demoted").role = Role::Member;
}

pub(super) fn early(g: &mut Gen) -> Result<()> {
    let p = g.org.persona("promoted");
    let roles = (Role::Member, Role::Custom);
    let it = g.role_change(g.at(sec(9, 15)), g.org.owner, p, false, roles)?;
    g.incident(RULE, it.note("custom admin role Security Admin"));
    Ok(())
}

pub(super) fn mid(g: &mut Gen) -> Result<()> {
    let p = g.org.persona("promoted2");
    let roles = (Role::Member, Role::Admin);
    let it = g.role_change(g.at(sec(9, 20)), g.org.admins[0], p, true, roles)?;
    g.incident(
        RULE,
        it.note("batch update; the detail names the person but no email"),
    );
    let q = g.org.persona("demoted");
    let roles = (Role::Admin, Role::Member);
    let it = g.role_change(g.at(sec(9, 30)), g.org.owner, q, false, roles)?;
    g.near_miss(RULE, it.note("a demotion"));
    Ok(())
}
