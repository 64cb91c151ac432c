//! A New York employee leaves a meeting at the office and, an hour later, their Okta account
//! signs in from São Paulo (7,700 km); the near-miss signs in through the corporate VPN, whose
//! egress is abroad, an hour after a meeting in New York.

use super::Gen;
use super::build::{It, at_office, mins, sec, secs};
use crate::sim::generator::beyond::PLANT_SAO_PAULO;
use crate::sim::generator::meetings::Who;
use anyhow::Result;

pub(super) const RULE: &str = "impossible-travel";

const UA: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36";

pub(super) fn mid(g: &mut Gen) -> Result<()> {
    let p = g.regular_in_office(0, 15);
    let q = g.regular_in_office(0, 16);
    let host = g.regular_at(0, 17);
    let mut m = g.meeting("Design review", host, sec(13, 0), 30, &[]);
    let s = m.start;
    for who in [p, q] {
        m.join(Who::In(who), secs(30), mins(28));
        at_office(m.seat(), &g.org.people[who]);
    }
    g.held(m)?;
    let t = s + mins(90);
    g.okta(p, t, "user.session.start", PLANT_SAO_PAULO, UA, None, true)?;
    g.incident(
        RULE,
        It::new("Okta sign-in from São Paulo an hour after a meeting at the New York office")
            .user(g.email(p))
            .ip(PLANT_SAO_PAULO)
            .at(t),
    );
    let vpn = crate::sim::generator::background::VPN_RANGE.replace("0/24", "77");
    let t = s + mins(80);
    g.okta(q, t, "user.session.start", &vpn, UA, None, true)?;
    g.near_miss(
        RULE,
        It::new(
            "sign-in through the corporate VPN (egress abroad) an hour after a New York meeting",
        )
        .user(g.email(q))
        .ip(vpn)
        .at(t),
    );
    Ok(())
}
