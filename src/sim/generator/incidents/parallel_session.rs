//! A sign-in from home while the same account sits in a meeting from the office; the
//! near-miss signs in from the address of their own meeting session.

use super::Gen;
use super::build::{It, at_office, mins, sec, secs};
use crate::sim::generator::meetings::Who;
use anyhow::Result;

pub(super) const RULE: &str = "parallel-session";

pub(super) fn baseline(g: &mut Gen) -> Result<()> {
    g.baseline_signins("hijacked")
}

pub(super) fn last(g: &mut Gen) -> Result<()> {
    let p = g.org.persona("hijacked");
    let host = g.regular("IT", 0);
    let other = g.regular("IT", 1);
    let mut m = g.meeting("Quarterly Planning", host, sec(14, 0), 60, &[other]);
    let s = m.start;
    let office = g.org.people[p].office_ip().to_string();
    m.join(Who::In(p), secs(90), mins(55));
    at_office(m.seat(), &g.org.people[p]);
    let key = g.held(m)?;
    let home = g.org.people[p].home_ip.clone();
    let t = s + mins(25);
    g.signin(p, t, "Sign in", &home, 0)?;
    let note = format!("sign-in from another address while in the meeting from {office}");
    g.incident(
        RULE,
        It::new(note)
            .user(g.email(p))
            .of(key.clone())
            .ip(home)
            .at(t),
    );
    let (oip, _, dev) = g.whereabouts(other);
    let t = s + mins(40);
    g.signin(other, t, "Sign in", &oip, dev)?;
    let note = "sign-in from the same address as the meeting session";
    g.near_miss(
        RULE,
        It::new(note).user(g.email(other)).of(key).ip(oip).at(t),
    );
    Ok(())
}
