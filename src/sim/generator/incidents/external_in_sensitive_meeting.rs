//! A partner engineer in five Engineering meetings, one a day from the start; the
//! near-misses are an external in only two of them and one in an ordinary customer call.
//! Beside it, the research seed's own scenario: a competitor's employee in one recurring
//! engineering sync (the same meeting id) in four of its instances, which the seed's
//! external-repeat query (grouped by meeting id) finds as written.

use super::Gen;
use super::build::{It, mins, outsider, sec, secs};
use anyhow::Result;
use chrono::{DateTime, Utc};

pub(super) const RULE: &str = "external-in-sensitive-meeting";

const TOPICS: [&str; 5] = [
    "Engineering Roadmap Review",
    "Engineering Design Review",
    "Engineering Architecture Sync",
    "Engineering Security Review",
    "Engineering Release Planning",
];

/// An outsider who sits 25 minutes in each planted meeting: (name, email, ip, location).
type Visitor = (&'static str, &'static str, &'static str, &'static str);

const PARTNER: Visitor = (
    "Rafael Castellanos",
    "rafael.castellanos@globex.example",
    "203.0.113.207",
    "Madrid (ES)",
);
const GUEST: Visitor = (
    "Winifred Oyelaran",
    "w.oyelaran@initech.example",
    "203.0.113.208",
    "Paris (FR)",
);
const CUSTOMER: Visitor = (
    "Desmond Lindqvist",
    "desmond.lindqvist@initech.example",
    "203.0.113.209",
    "Berlin (DE)",
);

/// The competitor's employee in the recurring sync.
const RIVAL: Visitor = (
    "Vikram Osei",
    "vikram.osei@piper-networks.example",
    "203.0.113.221",
    "Austin (US)",
);

/// Holds the meeting with `v` in it; returns its key and `v`'s join time.
fn visit(
    g: &mut Gen,
    (topic, host, at, insiders): (&str, usize, i64, &[usize]),
    (name, email, ip, loc): Visitor,
    after: i64,
) -> Result<((i64, String), DateTime<Utc>)> {
    let mut m = g.meeting(topic, host, at, 30, insiders);
    let j = m.join(outsider(name, email, ip, loc), secs(after), mins(25));
    Ok((g.held(m)?, j))
}

/// Truth names an outsider with an email by that email, and by their address.
fn seen(v: Visitor, note: &str) -> It {
    It::new(note).user(v.1).ip(v.2)
}

pub(super) fn daily(g: &mut Gen) -> Result<()> {
    for (k, idx) in g.todays(5).enumerate() {
        let idx = idx as usize;
        let host = g.regular("Engineering", 3 + idx);
        let insiders = [g.regular("Engineering", 4 + idx)];
        let at = sec(14, 0) + sec(1, 0) * k as i64;
        let (key, j) = visit(g, (TOPICS[idx], host, at, &insiders), PARTNER, 120)?;
        if idx == 4 {
            let note = "partner engineer in 5 Engineering meetings (more than 3)";
            g.incident(RULE, seen(PARTNER, note).of(key).at(j));
        }
    }
    if g.day != g.plan.mid {
        return Ok(());
    }
    for k in 0..2 {
        let host = g.regular("Engineering", 10 + k);
        let at = sec(20, 0) + sec(1, 0) * k as i64;
        let (key, j) = visit(g, ("Engineering Office Hours", host, at, &[]), GUEST, 90)?;
        if k == 1 {
            let note = "an external in only 2 Engineering meetings (not more than 3)";
            g.near_miss(RULE, seen(GUEST, note).of(key).at(j));
        }
    }
    let host = g.regular("Sales", 5);
    let call = ("Customer Call - Initech", host, sec(21, 0), &[][..]);
    let (key, j) = visit(g, call, CUSTOMER, 90)?;
    let note = "an external in an ordinary customer call";
    g.near_miss(RULE, seen(CUSTOMER, note).of(key).at(j));
    Ok(())
}

/// The recurring "Engineering Platform Sync" (one meeting id), with the competitor's employee
/// in its first four instances, front-loaded so that all four happen in the shortest window.
/// Its randomness comes from a stream of its own, so the rest of the tenant (and every other
/// rule's findings on it) is what it was before this plant.
pub(super) fn series(g: &mut Gen) -> Result<()> {
    use rand::SeedableRng;
    let own = rand_chacha::ChaCha8Rng::seed_from_u64(g.cfg.seed ^ 0x5eed_5e71e5 ^ g.day as u64);
    let shared = std::mem::replace(&mut g.rng, own);
    let r = sync_with_rival(g);
    g.rng = shared;
    r
}

fn sync_with_rival(g: &mut Gen) -> Result<()> {
    const INSTANCES: u32 = 4;
    let id = super::super::meetings::series_number(900_001);
    for k in g.todays(INSTANCES) {
        let host = g.regular("Engineering", 20);
        let insiders = [g.regular("Engineering", 21), g.regular("Engineering", 22)];
        let at = sec(16, 30) + sec(1, 0) * (k as i64 % 2);
        let start = g.at(at);
        let mut inst = g.instance("Engineering Platform Sync", host, start, 30, 8, Some(id));
        for p in insiders {
            if p != host {
                g.seat_in(&mut inst, p);
            }
        }
        let mut m = super::build::Meeting { inst, start };
        let (name, email, ip, loc) = RIVAL;
        let j = m.join(outsider(name, email, ip, loc), secs(150), mins(25));
        let key = g.held(m)?;
        if k + 1 == INSTANCES {
            let note = "a competitor's employee in 4 instances of one recurring Engineering sync";
            g.incident(RULE, seen(RIVAL, note).of(key).at(j));
        }
    }
    Ok(())
}
