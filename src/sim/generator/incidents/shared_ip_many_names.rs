//! Six guest names from one address across three support clinics; the near-misses are an
//! office NAT (set up in the organisation) and two people of one household.

use super::Gen;
use super::build::{It, guest, mins, sec, secs};
use crate::sim::generator::org::SITES;
use anyhow::Result;

pub(super) const RULE: &str = "shared-ip-many-names";

pub(super) fn office_nat(g: &mut Gen) -> Result<()> {
    let note = "the New York office NAT: many signed-in employees behind one address";
    g.near_miss(RULE, It::new(note).ip(SITES[0].2));
    Ok(())
}

/// On the mid day only, but after the plants that span the window (a daily step).
pub(super) fn clinics(g: &mut Gen) -> Result<()> {
    if g.day != g.plan.mid {
        return Ok(());
    }
    let names = [
        "Alex P.",
        "Sam K.",
        "Jordan M.",
        "Casey R.",
        "Riley T.",
        "Morgan L.",
    ];
    let ip = "203.0.113.240";
    for (m, pair) in names.chunks(2).enumerate() {
        let host = g.regular("Support", 2 + m);
        let mut clinic = g.meeting(
            "Support Clinic",
            host,
            sec(19, 30) + sec(1, 0) * m as i64,
            40,
            &[],
        );
        for (k, name) in pair.iter().enumerate() {
            clinic.join(
                guest(name, ip, "Unknown"),
                secs(120 + 200 * k as i64),
                mins(20),
            );
        }
        let key = g.held(clinic)?;
        if m == 2 {
            let note = "6 different guest names from one address across 3 meetings";
            g.incident(RULE, It::new(note).of(key).ip(ip));
        }
    }
    let host = g.regular("Support", 6);
    let mut clinic = g.meeting("Support Clinic", host, sec(22, 0), 40, &[]);
    let ip = "203.0.113.241";
    for (k, name) in ["Pat Morgan", "Lee Morgan"].iter().enumerate() {
        clinic.join(
            guest(name, ip, "Leeds (GB)"),
            secs(100 + 60 * k as i64),
            mins(25),
        );
    }
    let key = g.held(clinic)?;
    g.near_miss(RULE, It::new("two people of one household").of(key).ip(ip));
    Ok(())
}
