//! A London employee's Okta account signs in from Moscow at 02:30 UTC, hours from any of
//! their own activity (so it is no travel case); the near-miss is a failed attempt from Moscow
//! on a colleague's account (Panther's rule, like this one, wants a successful sign-in).

use super::Gen;
use super::build::{It, sec};
use crate::sim::generator::beyond::{PLANT_MOSCOW, PLANT_MOSCOW_2};
use anyhow::Result;

pub(super) const RULE: &str = "rogue-country";

const UA: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0";

pub(super) fn mid(g: &mut Gen) -> Result<()> {
    let p = g.regular_at(1, 18);
    let q = g.regular_at(1, 19);
    let t = g.at(sec(2, 30));
    g.okta(p, t, "user.session.start", PLANT_MOSCOW, UA, None, true)?;
    g.incident(
        RULE,
        It::new("successful Okta sign-in from Moscow")
            .user(g.email(p))
            .ip(PLANT_MOSCOW)
            .at(t),
    );
    let t = g.at(sec(2, 41));
    g.okta(q, t, "user.session.start", PLANT_MOSCOW_2, UA, None, false)?;
    g.near_miss(
        RULE,
        It::new("failed Okta sign-in attempt from Moscow")
            .user(g.email(q))
            .ip(PLANT_MOSCOW_2)
            .at(t),
    );
    Ok(())
}
