//! A guest without an email shares their screen; the near-miss is the host sharing while a
//! guest watches.

use super::Gen;
use super::build::{It, guest, mins, sec, secs};
use anyhow::Result;

pub(super) const RULE: &str = "guest-screen-share";

pub(super) fn mid(g: &mut Gen) -> Result<()> {
    let host = g.regular("Sales", 2);
    let mut m = g.meeting("Vendor Demo - Contoso", host, sec(19, 0), 40, &[]);
    let (name, ip) = ("Presenter (Contoso)", "203.0.113.245");
    let j = m.join(guest(name, ip, "Seattle (US)"), secs(120), mins(30));
    m.seat().shares = true;
    let key = g.held(m)?;
    let note = "a guest without email shared their desktop";
    g.incident(RULE, It::new(note).user(name).of(key).ip(ip).at(j));
    let host = g.regular("Sales", 3);
    let topic = "Customer Call - Stark Industries";
    let mut m = g.meeting(topic, host, sec(20, 0), 40, &[]);
    m.inst.seats[0].shares = true;
    let who = guest("Visitor iPad", "203.0.113.246", "Boston (US)");
    m.join(who, secs(150), mins(30));
    let key = g.held(m)?;
    let note = "the host shared while a guest watched";
    g.near_miss(RULE, It::new(note).user(g.email(host)).of(key));
    Ok(())
}
