//! Someone HR lists as departed joins a meeting before their account is deactivated; the
//! near-miss departed, was deactivated and stays away.

use super::Gen;
use super::build::{It, mins, sec, secs};
use crate::model::time::fmt_utc;
use crate::sim::generator::meetings::Who;
use crate::sim::generator::org::{ACCOUNT_ID, Status};
use anyhow::Result;
use serde_json::json;

pub(super) const RULE: &str = "join-after-departure";

/// Both leave on the early day; the HR list (departures.csv) has them with those times.
pub(super) fn prepare(g: &mut Gen) {
    let early = g.plan.early;
    let (tp, tq) = (g.at_day(early, sec(17, 0)), g.at_day(early, sec(12, 0)));
    for (persona, t) in [("departed", tp), ("departed_ok", tq)] {
        let pe = g.persona_mut(persona);
        pe.active_until = Some(t);
        let email = pe.email.clone();
        g.plan.departures.push((email, fmt_utc(t)));
    }
    g.persona_mut("departed_ok").status = Status::Inactive;
}

pub(super) fn early(g: &mut Gen) -> Result<()> {
    let admin = g.org.admins[0];
    let q = g.org.persona("departed_ok");
    let t = g.at(sec(13, 0));
    let pe = &g.org.people[q];
    let detail = format!("Deactivate User {}", pe.email);
    let wh = json!({"event": "user.deactivated", "event_ts": t.timestamp_millis() + 600, "payload": {"account_id": ACCOUNT_ID, "operator": g.email(admin), "operator_id": g.org.people[admin].id, "object": {"id": pe.id, "first_name": pe.first, "last_name": pe.last, "email": pe.email, "type": pe.user_type}}});
    let it = g.op(t, admin, ("User", "Update"), &detail, Some(wh))?;
    // At the departure, not the deactivation.
    let it = it.user(g.email(q)).at(g.at(sec(12, 0)));
    let note = "departed and deactivated; no meetings after the departure";
    g.near_miss(RULE, it.note(note));
    Ok(())
}

pub(super) fn last(g: &mut Gen) -> Result<()> {
    let dp = g.org.persona("departed");
    let host = g.regular("Sales", 4);
    let mut m = g.meeting("Partner Pipeline Review", host, sec(15, 0), 40, &[]);
    let home = g.org.people[dp].home_ip.clone();
    let j = m.join(Who::In(dp), secs(200), mins(35));
    m.seat().ip = Some(home.clone());
    let key = g.held(m)?;
    let note = "joined after the HR departure date (account not yet deactivated)";
    g.incident(RULE, It::new(note).user(g.email(dp)).of(key).ip(home).at(j));
    Ok(())
}
