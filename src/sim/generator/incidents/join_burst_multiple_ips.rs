//! A leaked link: seven guests from seven addresses within three minutes; the near-miss has
//! five, seven minutes apart.

use super::Gen;
use super::build::{It, Meeting, guest, mins, sec, secs};
use crate::model::time::fmt_utc;
use crate::sim::generator::org::ACCOUNT_ID;
use anyhow::Result;
use chrono::Duration;
use serde_json::json;

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
    let (number, uuid, start, host_email) = {
        let h = &g.org.people[host];
        (m.inst.id, m.inst.uuid.clone(), m.start, h.email.clone())
    };
    let host_id = g.org.people[host].id.clone();
    let it = crowd(g, m, names, 220, 25, mins(20))?;
    let note = "7 guests from 7 addresses joined within 3 minutes (a leaked link)";
    g.incident(RULE, it.ip("203.0.113.220").note(note));
    // Zoom's At-Risk Meeting Notifier saw the link posted publicly beforehand.
    let alert = start - Duration::minutes(40);
    g.emit_webhook(json!({
        "event": "meeting.risk_alert",
        "event_ts": alert.timestamp_millis(),
        "payload": {"account_id": ACCOUNT_ID, "object": {
            "id": number, "uuid": uuid, "host_id": host_id, "host_email": host_email,
            "topic": "Launch Readiness Review", "type": 2,
            "start_time": fmt_utc(start), "timezone": "UTC",
            "armn_details": {
                "post_platform": "Twitter",
                "social_link": "https://social.example.net/launchleaks/status/1862000000000000001",
                "post_time": fmt_utc(start - Duration::minutes(75)),
                "post_user": "launchleaks",
                "meeting_url": format!("https://acme-corp.zoom.us/j/{number}"),
                "recommended_enable_settings": ["waiting_room", "meeting_authentication"],
                "recommended_disable_settings": ["join_before_host", "screen_sharing_for_participants"],
            }}}
    }))?;
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
