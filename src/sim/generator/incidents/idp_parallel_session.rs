//! An Okta admin action from a New York hosting address while the account's owner sits in a
//! meeting at the NYC office (a stolen identity-provider session); the near-miss is a
//! colleague's admin action from the office's own IPv6 prefix during the same meeting.

use super::Gen;
use super::build::{It, at_office, mins, sec, secs};
use crate::sim::generator::beyond::PLANT_NYC_HOSTING;
use crate::sim::generator::meetings::Who;
use anyhow::Result;

pub(super) const RULE: &str = "idp-parallel-session";

pub(super) fn mid(g: &mut Gen) -> Result<()> {
    let p = g.regular_in_office(0, 11);
    let q = g.regular_in_office(0, 12);
    let host = g.regular_at(0, 13);
    let mut m = g.meeting("Account review", host, sec(15, 0), 60, &[]);
    let s = m.start;
    for who in [p, q] {
        m.join(Who::In(who), secs(60), mins(55));
        at_office(m.seat(), &g.org.people[who]);
    }
    let key = g.held(m)?;
    let victim = g.email(p);
    let t = s + mins(20);
    g.okta_admin(
        p,
        t,
        "user.account.privilege.grant",
        PLANT_NYC_HOSTING,
        "ops-temp@acme-corp.example",
    )?;
    g.incident(
        RULE,
        It::new(
            "Okta admin action from a hosting address while the user is in a meeting at the office",
        )
        .user(victim)
        .ip(PLANT_NYC_HOSTING)
        .at(t),
    );
    let v6 = format!(
        "{}:1a2b:3c4d:5e6f:7788",
        crate::sim::generator::background::office_v6_prefix(g.org.people[q].site)
    );
    let t = s + mins(30);
    let colleague = g.email(p);
    g.okta_admin(q, t, "group.user_membership.add", &v6, &colleague)?;
    g.near_miss(
        RULE,
        It::new("admin action from the office's IPv6 prefix during a meeting at that office")
            .user(g.email(q))
            .of(key)
            .ip(v6)
            .at(t),
    );
    Ok(())
}
