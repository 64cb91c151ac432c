//! The observer sits in 24 office hours and never shares; the near-miss, the quiet one,
//! sits in 15. Neither shares in any background meeting either.

use super::Gen;
use super::build::{It, mins, sec, secs};
use crate::sim::generator::meetings::Who;
use anyhow::Result;

pub(super) const RULE: &str = "silent-presence";

pub(super) fn prepare(g: &mut Gen) {
    let (obs, quiet) = (g.org.persona("observer"), g.org.persona("quiet"));
    g.plan.no_share.extend([obs, quiet]);
}

pub(super) fn daily(g: &mut Gen) -> Result<()> {
    let obs = g.org.persona("observer");
    let quiet = g.org.persona("quiet");
    for (k, idx) in g.todays(24).enumerate() {
        let idx = idx as usize;
        let host = g.regular("", 20 + idx);
        let other = g.regular("", 60 + idx);
        let at = sec(1, 0) + sec(0, 50) * k as i64;
        let mut m = g.meeting("Open Office Hours", host, at, 30, &[other]);
        m.join(Who::In(obs), secs(120), mins(25));
        if idx < 15 {
            // Half a minute after the observer, and gone a minute before.
            m.join(Who::In(quiet), secs(150), mins(24) - secs(30));
        }
        g.held(m)?;
    }
    if g.day == g.plan.last {
        let note = "24 meetings, never shared";
        g.incident(RULE, It::new(note).user(g.email(obs)));
        let note = "15 meetings without sharing (not more than 20)";
        g.near_miss(RULE, It::new(note).user(g.email(quiet)));
    }
    Ok(())
}
