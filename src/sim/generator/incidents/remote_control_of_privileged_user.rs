//! An outside "support technician" takes remote control of the CTO's machine in a meeting
//! the CTO hosts. Near-misses: the IT helpdesk controlling the CFO's machine, and an outsider
//! controlling an ordinary employee's.

use super::Gen;
use super::build::{It, mins, outsider, sec};
use crate::sim::generator::newer::support_row;
use anyhow::Result;
use chrono::Duration;

pub(super) const RULE: &str = "remote-control-of-privileged-user";

/// A meeting hosted by `host` with `seated` (an insider) or an outsider joining, in which
/// `supporter` controls `supportee`'s machine ten minutes in. Returns the meeting's key.
fn session(
    g: &mut Gen,
    topic: &str,
    host: usize,
    at: i64,
    insider: Option<usize>,
    supporter: (&str, &str),
    supportee: usize,
) -> Result<(i64, String)> {
    let insiders: Vec<usize> = insider.into_iter().collect();
    let mut m = g.meeting(topic, host, at, 40, &insiders);
    if insider.is_none() {
        m.join(
            outsider(supporter.0, supporter.1, "198.18.7.44", "Unknown"),
            mins(2),
            mins(35),
        );
    }
    let start = m.start;
    let key = g.held(m)?;
    let (host_id, who) = {
        let p = &g.org.people[supportee];
        (g.org.people[host].id.clone(), (p.name(), p.email.clone()))
    };
    let row = support_row(
        &key.1,
        key.0,
        topic,
        start,
        &host_id,
        supporter,
        (&who.0, &who.1),
        start + Duration::minutes(10),
        20,
        14 * 60,
    );
    g.newer.support(row);
    Ok(key)
}

pub(super) fn mid(g: &mut Gen) -> Result<()> {
    let cto = g.org.vip("CTO");
    let tech = ("Remote Support Tech", "tech@fastfix-support.example");
    let key = session(g, "Laptop won't sync", cto, sec(15, 0), None, tech, cto)?;
    let note = "an outside support technician took remote control of the CTO's machine";
    g.incident(
        RULE,
        It::new(note).of(key).user(tech.1).at(g.at(sec(15, 10))),
    );
    // The helpdesk doing its job for the CFO.
    let cfo = g.org.vip("CFO");
    let it = g.regular("IT", 2);
    let helper = (g.org.people[it].name(), g.email(it));
    let key = session(
        g,
        "Printer setup",
        it,
        sec(16, 0),
        Some(cfo),
        (&helper.0, &helper.1),
        cfo,
    )?;
    g.near_miss(
        RULE,
        It::new("the internal IT helpdesk controlled the CFO's machine")
            .of(key)
            .user(helper.1.clone()),
    );
    // An outsider helping an ordinary employee.
    let user = g.regular("Sales", 4);
    let vendor = ("Vendor Support", "help@crm-vendor.example");
    let key = session(
        g,
        "CRM plug-in install",
        user,
        sec(17, 0),
        None,
        vendor,
        user,
    )?;
    g.near_miss(
        RULE,
        It::new("an outsider controlled an ordinary employee's machine")
            .of(key)
            .user(vendor.1),
    );
    Ok(())
}
