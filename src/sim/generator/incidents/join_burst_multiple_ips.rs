//! A leaked link: seven guests from seven addresses within three minutes; the near-miss has
//! five, seven minutes apart.

use super::Gen;
use super::build::{It, Meeting, guest, mins, sec, secs};
use anyhow::Result;
use chrono::Duration;

pub(super) const RULE: &str = "join-burst-multiple-ips";

/// Holds `m` with guests named `name(k)`, each from its own address from
/// `203.0.113.{ip0}` on, the first a minute in and the next every `gap` seconds.
/// The truth item points at the meeting and the first join.
fn crowd(
    g: &mut Gen,
    mut m: Meeting,
    names: impl Iterator<Item = (i64, String)>,
    ip0: i64,
    gap: i64,
    stay: Duration,
) -> Result<It> {
    for (k, name) in names {
        let ip = format!("203.0.113.{}", ip0 + k);
        m.join(guest(&name, &ip, "Unknown"), secs(60 + gap * k), stay);
    }
    let first = m.start + secs(60);
    Ok(It::default().of(g.held(m)?).at(first))
}

pub(super) fn mid(g: &mut Gen) -> Result<()> {
    let host = g.regular("Marketing", 5);
    let insiders = [g.regular("Marketing", 6)];
    let m = g.meeting("Launch Readiness Review", host, sec(18, 0), 45, &insiders);
    let names = (0..7).map(|k| (k, format!("Zoom User {}", 101 + k)));
    let it = crowd(g, m, names, 220, 25, mins(20))?;
    let note = "7 guests from 7 addresses joined within 3 minutes (a leaked link)";
    g.incident(RULE, it.ip("203.0.113.220").note(note));
    Ok(())
}

pub(super) fn last(g: &mut Gen) -> Result<()> {
    let host = g.regular("Support", 1);
    let m = g.meeting("Community Q&A", host, sec(18, 0), 50, &[]);
    let names = (0..5).map(|k| (k, format!("Community Member {}", k + 1)));
    let it = crowd(g, m, names, 230, 420, mins(12))?;
    g.near_miss(RULE, it.note("5 guests from 5 addresses, 7 minutes apart"));
    Ok(())
}
