//! A new hire added by an admin, who then signs in; the near-miss is an update of an
//! existing user.

use super::Gen;
use super::build::sec;
use crate::model::time::fmt_utc;
use crate::sim::generator::ids;
use crate::sim::generator::org::{ACCOUNT_ID, DOMAIN, Role, Status};
use anyhow::Result;
use serde_json::json;

pub(super) const RULE: &str = "user-created";

/// The new hire is in the directory from the start (the pull sees the end of the window).
pub(super) fn prepare(g: &mut Gen) {
    let i = g.org.people.len();
    let mut np = g.org.people[30.min(i - 1)].clone();
    np.idx = i;
    np.id = ids::user_id(&mut g.rng, i as u64);
    np.first = "Quinn".into();
    np.last = "Newhire".into();
    np.email = format!("quinn.newhire@{DOMAIN}");
    np.dept = "Finance";
    np.user_type = 1;
    np.role = Role::Member;
    np.background = false;
    np.vip = false;
    np.oncall = false;
    np.status = Status::Active;
    np.home_ip = "192.0.2.252".into();
    np.created_at = fmt_utc(g.at_day(g.plan.early, sec(14, 0)));
    g.org.people.push(np);
    g.days_active.push(0);
    g.since_share.push(0);
    g.plan.new_user = Some(i);
}

pub(super) fn early(g: &mut Gen) -> Result<()> {
    let Some(nu) = g.plan.new_user else {
        return Ok(());
    };
    let admin = g.org.admins[0];
    let t = g.at(sec(14, 0));
    let pe = &g.org.people[nu];
    let detail = format!(
        "Add User {}  - User Type: Basic - Department: Finance",
        pe.email
    );
    let wh = json!({"event": "user.created", "event_ts": t.timestamp_millis() + 700, "payload": {"account_id": ACCOUNT_ID, "operator": g.email(admin), "operator_id": g.org.people[admin].id, "creation_type": "create", "object": {"id": pe.id, "first_name": pe.first, "last_name": pe.last, "display_name": pe.name(), "email": pe.email, "type": 1}}});
    let it = g.op(t, admin, ("User", "Add"), &detail, Some(wh))?;
    g.incident(RULE, it.user(g.email(nu)).note("Add User by an admin"));
    let c = g.email(g.org.persona("contractor"));
    let detail = format!("Update User {c}  - Job Title: set to Contractor");
    let it = g.op(g.at(sec(15, 0)), admin, ("User", "Update"), &detail, None)?;
    let note = "an update of an existing user, not a creation";
    g.near_miss(RULE, it.user(c).note(note));
    Ok(())
}

/// The day after the creation the new hire signs in from home and from the office.
pub(super) fn first_signins(g: &mut Gen) -> Result<()> {
    let Some(nu) = g.plan.new_user else {
        return Ok(());
    };
    // Home, then their own office (a new hire in London does not sign in from New York
    // half an hour after leaving home: impossible-travel would rightly say so).
    let office = g.org.people[nu].office_ip().to_string();
    for (k, ip) in ["192.0.2.252", office.as_str()].iter().enumerate() {
        let t = g.at(sec(13, 0) + 1800 * k as i64);
        g.signin(nu, t, "Sign in", ip, 0)?;
    }
    Ok(())
}
