//! A registration-only webinar that someone joins by the direct link, without a registrant
//! id; the near-miss joins a meeting nobody registered for.

use super::Gen;
use super::build::{It, mins, outsider, sec, secs};
use crate::sim::generator::ids;
use anyhow::Result;

pub(super) const RULE: &str = "direct-link-join";

pub(super) fn mid(g: &mut Gen) -> Result<()> {
    let host = g.regular("Marketing", 0);
    let insiders = [g.regular("Marketing", 1), g.regular("Marketing", 2)];
    let topic = "Investor Webinar (Registration Required)";
    let mut m = g.meeting(topic, host, sec(15, 0), 45, &insiders);
    for (k, (n, e, ip)) in [
        (
            "Bartholomew Ellsworth",
            "b.ellsworth@globex.example",
            "203.0.113.214",
        ),
        (
            "Philippa Drummond",
            "pdrummond@hooli.example",
            "203.0.113.216",
        ),
        ("Rufus Northcott", "rufus.n@outlook.com", "203.0.113.217"),
    ]
    .iter()
    .enumerate()
    {
        let after = secs(120 + 150 * k as i64);
        m.join(outsider(n, e, ip, "Chicago (US)"), after, mins(35));
    }
    // Everyone seated so far registered (insiders too); the direct-link joiner comes next.
    for seat in m.inst.seats.iter_mut().skip(1) {
        seat.registrant_id = ids::token(&mut g.rng, 22);
    }
    let (email, ip) = ("chris.vance@proton.me", "203.0.113.218");
    let j = m.join(
        outsider("Chris Vance", email, ip, "Toronto (CA)"),
        secs(700),
        mins(25),
    );
    let key = g.held(m)?;
    let note = "joined a registration meeting without a registrant id";
    g.incident(RULE, It::new(note).user(email).of(key).ip(ip).at(j));
    let host = g.regular("Marketing", 3);
    let insiders = [g.regular("Marketing", 4)];
    let mut m = g.meeting("Team Social", host, sec(16, 30), 30, &insiders);
    let (email, ip) = ("imogen.f@gmail.com", "203.0.113.219");
    let who = outsider("Imogen Fairweather", email, ip, "Dublin (IE)");
    let j = m.join(who, secs(90), mins(25));
    let key = g.held(m)?;
    let note = "nobody registered for this meeting";
    g.near_miss(RULE, It::new(note).user(email).of(key).ip(ip).at(j));
    Ok(())
}
