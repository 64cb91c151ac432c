//! A guest who stays three minutes; the near-miss stays just over six.

use super::Gen;
use super::build::{It, guest, sec, secs};
use anyhow::Result;

pub(super) const RULE: &str = "brief-join";

pub(super) fn early(g: &mut Gen) -> Result<()> {
    let host = g.regular("Sales", 0);
    let insiders = [g.regular("Sales", 1)];
    let mut m = g.meeting("Sales Pipeline Review", host, sec(17, 0), 40, &insiders);
    let (name, ip) = ("Unknown Caller", "203.0.113.212");
    let j = m.join(guest(name, ip, "Kyiv (UA)"), secs(300), secs(180));
    let key = g.held(m)?;
    let note = "guest stayed 3 minutes";
    g.incident(RULE, It::new(note).user(name).of(key).ip(ip).at(j));
    let host = g.regular("Support", 0);
    let mut m = g.meeting("Support Escalation - Globex", host, sec(18, 0), 40, &[]);
    let (name, ip) = ("Taylor (Visitor)", "203.0.113.213");
    let j = m.join(guest(name, ip, "Austin (US)"), secs(240), secs(370));
    let key = g.held(m)?;
    let note = "guest stayed 6 minutes 10 seconds";
    g.near_miss(RULE, It::new(note).user(name).of(key).ip(ip).at(j));
    Ok(())
}
