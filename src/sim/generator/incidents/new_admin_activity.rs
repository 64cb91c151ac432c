//! A new admin changes account settings within hours of the grant; the near-miss is an
//! admin whose first change comes 30 h after theirs. Both grants are also
//! privileged-role-granted incidents.

use super::Gen;
use super::build::{It, sec};
use crate::sim::generator::org::Role;
use anyhow::Result;

pub(super) const RULE: &str = "new-admin-activity";
const GRANTED: &str = super::privileged_role_granted::RULE;
const TO_ADMIN: (Role, Role) = (Role::Member, Role::Admin);

pub(super) fn prepare(g: &mut Gen) {
    for persona in ["new_admin", "slow_admin"] {
        g.persona_mut(persona).role = Role::Admin;
    }
}

/// The slow admin is granted on day 0 and first acts on the early day at 13:00.
pub(super) fn slow_grant(g: &mut Gen) -> Result<()> {
    let s = g.org.persona("slow_admin");
    let it = g.role_change(g.at(sec(7, 0)), g.org.owner, s, false, TO_ADMIN)?;
    let note = "Member to Admin (the slow admin of the new-admin-activity near-miss)";
    g.incident(GRANTED, it.note(note));
    let t = g.at_day(g.plan.early, sec(13, 0));
    let note = "granted Admin, first settings change 30 h later (outside the 24 h window)";
    g.near_miss(RULE, It::new(note).user(g.email(s)).at(t));
    Ok(())
}

pub(super) fn early(g: &mut Gen) -> Result<()> {
    let p = g.org.persona("new_admin");
    let it = g.role_change(g.at(sec(8, 0)), g.org.owner, p, false, TO_ADMIN)?;
    g.incident(
        GRANTED,
        it.note("Member to Admin (the new admin of new-admin-activity)"),
    );
    let detail = "Email Notification  - When attendees join meeting before host: from Off to On";
    let key = ("email_notification", "jbh_reminder");
    let it = g.setting(g.at(sec(10, 45)), p, detail, key, true)?;
    let note = "granted Admin at 08:00, changed account settings 2 h 45 min later";
    g.incident(RULE, it.note(note));
    let s = g.org.persona("slow_admin");
    let detail = "Schedule Meeting  - Host video: from On to Off";
    let key = ("schedule_meeting", "host_video");
    g.setting(g.at(sec(13, 0)), s, detail, key, false)?;
    Ok(())
}
