//! A daily treasury check-in: two regulars always from the office, then on the last day one
//! of them from an address never seen in the series; the near-miss is the other joining
//! from their own home.
//!
//! Singapore staff: at 13:30 UTC none of them is signing in, so the planted addresses never
//! overlap a sign-in from elsewhere (no parallel-session noise).

use super::Gen;
use super::build::{It, Meeting, at_office, mins, sec, secs};
use crate::sim::generator::meetings::Who;
use anyhow::Result;

pub(super) const RULE: &str = "unexpected-ip-recurring-meeting";

pub(super) fn daily(g: &mut Gen) -> Result<()> {
    let host = g.regular_at(2, 0);
    let a = g.regular_at(2, 1);
    let b = g.regular_at(2, 2);
    let start = g.at(sec(13, 30));
    let id = g.plan.treasury;
    let inst = g.instance("Treasury Daily Check-in", host, start, 20, 8, Some(id));
    let mut m = Meeting { inst, start };
    at_office(&mut m.inst.seats[0], &g.org.people[host]);
    for (k, &p) in [a, b].iter().enumerate() {
        m.join(Who::In(p), secs(60 + 30 * k as i64), mins(18));
        at_office(m.seat(), &g.org.people[p]);
    }
    if g.day == g.plan.last {
        let key = m.key();
        let jt = m.inst.seats[1].sessions[0].0;
        let (ip, home) = ("203.0.113.215", g.org.people[b].home_ip.clone());
        m.inst.seats[1].ip = Some(ip.into());
        m.inst.seats[1].loc = Some("Minsk (BY)".into());
        m.inst.seats[2].ip = Some(home.clone());
        m.inst.seats[2].loc = Some(g.org.people[b].home_loc.clone());
        let note = "a regular of a daily series joined from an address never seen for them";
        g.incident(
            RULE,
            It::new(note).user(g.email(a)).of(key.clone()).ip(ip).at(jt),
        );
        let note = "a regular joined from their own home address (seen in their sign-ins)";
        g.near_miss(RULE, It::new(note).user(g.email(b)).of(key).ip(home).at(jt));
    }
    g.held(m)?;
    Ok(())
}
