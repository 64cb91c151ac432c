//! `parallel-session`: a sign-in from one place while the same user sits in a meeting from
//! another — the session-hijack pattern seen with Zoom data alone. The window is the meeting
//! session's span (join to leave), as the design says.
//!
//! "Another place" is judged as an analyst would (see [`crate::detect::net`]):
//! - the same address, IPv6 /64, IPv4 /24 or configured office is the same place (a dual-stack
//!   office: meeting media over its IPv4 NAT, sign-ins over its IPv6 prefix);
//! - a phone or tablet signing in from a mobile carrier's or CGNAT range is the user's phone
//!   beside their laptop (the same range from a desktop client is reported at low severity);
//! - an IPv4 and an IPv6 network that are the only two places the user used that day, neither
//!   an office, are one dual-stack home (sign-ins over IPv6, meeting media over IPv4);
//! - sign-ins from `known_ip_ranges` are never parallel.
//!
//! Severity: high when either place is an office (two known-distinct places at once) or the
//! sign-in's network was never seen for the user before; medium otherwise (two of the user's
//! own places at once). `require_unseen_ip` = 1 keeps only first sightings.

use crate::detect::net::{Place, Places, phone_client};
use crate::detect::{Ctx, Finding, RuleOutcome, Severity, Snapshot};
use anyhow::Result;
use std::collections::BTreeSet;

/// Why a rule comparing where people sit in meetings cannot run: the meeting sessions (built
/// here for the rule) carry no participant IP. None when some do.
pub(super) fn without_meeting_ips(ctx: &Ctx) -> Result<Option<RuleOutcome>> {
    ctx.sessions(&[])?;
    if !ctx.any("SELECT 1 FROM temp.zl_sess WHERE ip_address <> ''")? {
        return Ok(Some(RuleOutcome::CouldNotRun(
            "no participant IP addresses: needs dashboard participants (/metrics, Business plan)"
                .into(),
        )));
    }
    Ok(None)
}

pub fn run(ctx: &Ctx) -> Result<RuleOutcome> {
    if !ctx.any("SELECT 1 FROM signins WHERE ip_address <> ''")? {
        return Ok(RuleOutcome::CouldNotRun(
            "no sign-ins with IP addresses (import /report/activities)".into(),
        ));
    }
    if let Some(why) = without_meeting_ips(ctx)? {
        return Ok(why);
    }
    let snap = ctx.snapshot()?;
    let places = Places::new(ctx.cfg);
    let unseen = ctx.int("require_unseen_ip") != 0;
    let max = (ctx.num("max_session_hours") * 3600.0) as i64;
    // Sign-ins from outside the known ranges; the meeting sessions they overlap come from
    // the snapshot's per-person time order.
    let mut st = ctx.conn.prepare(
        "SELECT s.id, s.email, s.time, unixepoch(s.time), s.ip_address,
                coalesce(s.client_type, '')
         FROM signins s
         WHERE lower(s.activity) = 'sign in' AND s.ip_address <> ''
           AND NOT zl_known_ip(s.ip_address)
         ORDER BY s.time, s.id",
    )?;
    let signins = st.query_map([], |r| {
        <(i64, String, String, Option<i64>, String, String)>::try_from(r)
    })?;
    let mut detail = ctx.conn.prepare(
        "SELECT p.ip_address, p.meeting_uuid,
                coalesce(p.meeting_id, (SELECT m.meeting_id FROM meetings m WHERE m.uuid = p.meeting_uuid)),
                p.join_time, p.leave_time
         FROM participants p WHERE p.id = ?1",
    )?;
    let mut out: Vec<Finding> = Vec::new();
    for row in signins {
        let (sid, email, time, t, ip_b, client) = row?;
        let (Some(t), Some(e)) = (t, snap.email(&email)) else {
            continue;
        };
        let mobile = places.mobile(&ip_b);
        if mobile && phone_client(&client) {
            continue;
        }
        let Some(place_b) = places.place(&ip_b) else {
            continue;
        };
        let mut hits = snap
            .in_meeting_at(e, t, max)
            .filter(|p| !places.same(snap.str(p.ip), &ip_b));
        let Some(first) = hits.next() else {
            continue;
        };
        let Some(place_a) = places.place(snap.str(first.ip)) else {
            continue;
        };
        let hits: Vec<i64> = hits.map(|p| p.id).collect();
        // Where the user was that UTC day, by channel: a dual-stack home shows exactly
        // one network for meetings and another of the other family for sign-ins.
        let day0 = t - t.rem_euclid(86_400);
        let day = super::day_places(ctx, snap, &places, &email, e, day0)?;
        if !mobile && day.dual_stack(place_a, place_b) {
            continue;
        }
        let earlier_days = seen_days_before(ctx, snap, &places, &email, e, place_b, day0)?;
        if unseen && earlier_days > 0 {
            continue;
        }
        let (ip_a, uuid, mid, join, leave) = detail.query_row([first.id], |r| {
            <(String, String, Option<i64>, String, Option<String>)>::try_from(r)
        })?;
        let f_leave = leave.clone().unwrap_or_default();
        let sev = if mobile {
            Severity::Low
        } else if place_a.is_office() || place_b.is_office() || earlier_days == 0 {
            Severity::High
        } else {
            Severity::Medium
        };
        let seen = if earlier_days == 0 {
            "never seen for this user before".to_string()
        } else {
            format!("seen for this user on {earlier_days} earlier day(s)")
        };
        let mut f = Finding::new(
            format!("signin:{sid}"),
            time.clone(),
            format!(
                "{email} signed in from {ip_b} ({}; {seen}; {} client) while in meeting {} \
                 from {ip_a} ({}) ({join} – {}); not one network (different office, /64 or \
                 /24){}; places that day: {}",
                places.describe(place_b),
                if client.is_empty() {
                    "unknown"
                } else {
                    client.as_str()
                },
                mid.map(|m| m.to_string()).unwrap_or_else(|| uuid.clone()),
                places.describe(place_a),
                f_leave,
                if mobile {
                    ", a carrier address from a desktop client"
                } else {
                    ", not a phone on a carrier"
                },
                day.len()
            ),
        );
        let client_text = if client.is_empty() {
            "unknown"
        } else {
            client.as_str()
        };
        f.fact(format!(
            "sign-in {time} from {ip_b} ({}; {client_text} client): {seen}",
            places.describe(place_b)
        ));
        f.fact(format!(
            "at that moment in meeting {} from {ip_a} ({}), {join} – {}",
            mid.map(|m| m.to_string()).unwrap_or_else(|| uuid.clone()),
            places.describe(place_a),
            f_leave
        ));
        f.fact("not one network: different office, IPv6 /64 or IPv4 /24, and not a dual-stack home (one IPv4 and one IPv6 network all day)");
        f.fact(format!("{} place(s) for this user that day", day.len()));
        f.fact(match sev {
            Severity::Low => "low: a carrier address, but from a desktop client".to_string(),
            Severity::High if earlier_days == 0 => {
                "high: the sign-in's network was never seen for this user".to_string()
            }
            Severity::High => "high: an office is one of the two places".to_string(),
            _ => "medium: two of the user's own places at once".to_string(),
        });
        f.severity = Some(sev);
        f.actor = Some(email.clone());
        f.user = Some(email);
        f.ip = Some(ip_b);
        f.meeting_uuid = Some(uuid);
        f.meeting_id = mid;
        f.ev("signins", sid);
        f.ev("participants", first.id);
        for pid in hits {
            f.ev("participants", pid);
        }
        out.push(f);
    }
    Ok(RuleOutcome::Findings(out))
}

use super::ts;

/// On how many days before `day0` the user was seen (sign-in or meeting) at `place`.
fn seen_days_before(
    ctx: &Ctx,
    snap: &Snapshot,
    places: &Places,
    email: &str,
    e: crate::detect::snapshot::Sym,
    place: Place,
    day0: i64,
) -> Result<usize> {
    let mut days: BTreeSet<i64> = BTreeSet::new();
    for p in snap.of_email_joined(e, i64::MIN, day0 - 1) {
        if places.place(snap.str(p.ip)) == Some(place) {
            days.insert(p.join.div_euclid(86_400));
        }
    }
    let mut st = ctx.conn.prepare_cached(
        "SELECT ip_address, unixepoch(time) FROM signins
         WHERE email = ?1 AND time < ?2 AND ip_address <> ''",
    )?;
    let rows = st.query_map(rusqlite::params![email, ts(day0)], |r| {
        <(String, Option<i64>)>::try_from(r)
    })?;
    for r in rows {
        let (ip, t) = r?;
        if let Some(t) = t
            && places.place(&ip) == Some(place)
        {
            days.insert(t.div_euclid(86_400));
        }
    }
    Ok(days.len())
}
