//! A sign-in from an address outside the person's baseline; the near-miss is a latecomer
//! whose first sign-ins have no baseline to stand out from.

use super::Gen;
use super::build::{It, sec};
use anyhow::Result;

pub(super) const RULE: &str = "signin-new-ip";

pub(super) fn baseline(g: &mut Gen) -> Result<()> {
    g.baseline_signins("traveller")
}

pub(super) fn last(g: &mut Gen) -> Result<()> {
    let p = g.org.persona("traveller");
    let t = g.at(sec(3, 0));
    let ip = "203.0.113.201";
    g.signin(p, t, "Sign in", ip, 0)?;
    let note = "sign-in from an address outside a baseline of 4+ sign-ins";
    g.incident(RULE, It::new(note).user(g.email(p)).ip(ip).at(t));
    let q = g.org.persona("latecomer");
    for (k, ip) in ["192.0.2.253", "198.51.100.40"].iter().enumerate() {
        let t = g.at(sec(9, 0) + 3600 * k as i64);
        g.signin(q, t, "Sign in", ip, 0)?;
        let note = "a person's first sign-ins in the case have no baseline";
        g.near_miss(RULE, It::new(note).user(g.email(q)).ip(*ip).at(t));
    }
    Ok(())
}
