//! `idp-parallel-session`: the seed's detection 1 in full. While a person sits in a Zoom
//! meeting from one network, an identity-provider session from another network performs an
//! admin action or touches sensitive data — the meeting-time session hijack.
//!
//! "Another network" is the precision issue's same-network judgement ([`crate::detect::net`]):
//! one office (its IPv4 NAT and IPv6 prefix), one IPv6 /64, one IPv4 /24 are one place; a day
//! whose meetings all came from one IPv4 network and whose identity events all came from one
//! IPv6 network (neither an office) is one dual-stack home. Addresses in `known_ip_ranges` (the
//! corporate VPN) and phones on mobile carriers are never "another place". People are matched
//! by email (any case) and `user_aliases`.

use crate::detect::net::Places;
use crate::detect::{Ctx, Finding, RuleOutcome};
use anyhow::Result;

pub fn run(ctx: &Ctx) -> Result<RuleOutcome> {
    if !ctx.any("SELECT 1 FROM idp_log WHERE ip <> ''")?
        && !ctx.any("SELECT 1 FROM data_access_log WHERE ip <> ''")?
    {
        return Ok(RuleOutcome::CouldNotRun(
            "no identity-provider or file-access events with IP addresses (import Okta, \
             Entra ID, Google Workspace or Microsoft 365 audit logs)"
                .into(),
        ));
    }
    if let Some(why) = super::parallel_session::without_meeting_ips(ctx)? {
        return Ok(why);
    }
    let snap = ctx.snapshot()?;
    let places = Places::new(ctx.cfg);
    let max = (ctx.num("max_session_hours") * 3600.0) as i64;
    // Admin actions, and sensitive data touched, from outside the known ranges.
    let mut st = ctx.conn.prepare(
        "SELECT 'idp_log', id, time, unixepoch(time), zl_person(user), ip,
                source || ' ' || action || CASE WHEN target IS NOT NULL THEN ' on ' || target ELSE '' END
         FROM idp_log
         WHERE is_admin_action = 1 AND ip <> '' AND NOT zl_known_ip(ip)
         UNION ALL
         SELECT 'data_access_log', id, time, unixepoch(time), zl_person(user), ip,
                source || ' ' || action || ' of ' || resource
                  || CASE WHEN sensitivity <> '' THEN ' [' || sensitivity || ']' ELSE '' END
         FROM data_access_log
         WHERE ip <> '' AND NOT zl_known_ip(ip) AND zl_sensitive_data(resource, sensitivity)
         ORDER BY 3, 2",
    )?;
    let acts = st.query_map([], |r| {
        <(String, i64, String, Option<i64>, String, String, String)>::try_from(r)
    })?;
    let mut detail = ctx.conn.prepare(
        "SELECT p.ip_address, p.meeting_uuid,
                coalesce(p.meeting_id, (SELECT m.meeting_id FROM meetings m WHERE m.uuid = p.meeting_uuid)),
                p.join_time, COALESCE(p.leave_time, '')
         FROM participants p WHERE p.id = ?1",
    )?;
    let mut out = Vec::new();
    // A person's day, judged once: a busy day brings many candidate events.
    let mut days: std::collections::HashMap<(String, i64), super::DayPlaces> = Default::default();
    for a in acts {
        let (tbl, id, time, t, who, ip_b, what) = a?;
        let (Some(t), Some(e)) = (t, snap.email(&who)) else {
            continue;
        };
        if places.mobile(&ip_b) {
            continue;
        }
        let Some(place_b) = places.place(&ip_b) else {
            continue;
        };
        let mut hits = snap
            .in_meeting_at(e, t, max)
            .filter(|p| !places.mobile(snap.str(p.ip)) && !places.same(snap.str(p.ip), &ip_b));
        let Some(first) = hits.next() else {
            continue;
        };
        let Some(place_a) = places.place(snap.str(first.ip)) else {
            continue;
        };
        let day0 = t - t.rem_euclid(86_400);
        let day = match days.entry((who.clone(), day0)) {
            std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
            std::collections::hash_map::Entry::Vacant(v) => {
                let mut day = super::day_places(ctx, snap, &places, &who, e, day0)?;
                // The provider's own events of the day count as sign-ins for the dual-stack
                // judgement.
                for ip in idp_ips(ctx, &who, day0)? {
                    if !places.mobile(&ip)
                        && let Some(pl) = places.place(&ip)
                    {
                        day.signins.insert(pl);
                    }
                }
                v.insert(day)
            }
        };
        if day.dual_stack(place_a, place_b) {
            continue;
        }
        let (ip_a, uuid, mid, join, leave) = detail.query_row([first.id], |r| {
            <(String, String, Option<i64>, String, String)>::try_from(r)
        })?;
        let meeting = mid.map(|m| m.to_string()).unwrap_or_else(|| uuid.clone());
        let mut f = Finding::new(
            format!("{tbl}:{id}"),
            time.clone(),
            format!(
                "{who}: {what} from {ip_b} ({}) while in meeting {meeting} from {ip_a} ({}) \
                 ({join} – {leave}); not one network",
                places.describe(place_b),
                places.describe(place_a)
            ),
        );
        f.fact(format!(
            "{time}: {what} from {ip_b} ({})",
            places.describe(place_b)
        ));
        f.fact(format!(
            "at that moment in meeting {meeting} from {ip_a} ({}), {join} – {leave}",
            places.describe(place_a)
        ));
        f.fact("not one network: different office, IPv6 /64 or IPv4 /24, not a dual-stack home, not a known range, not a carrier");
        f.actor = Some(who.clone());
        f.user = Some(who);
        f.ip = Some(ip_b);
        f.meeting_uuid = Some(uuid);
        f.meeting_id = mid;
        f.ev(
            if tbl == "idp_log" {
                "idp_log"
            } else {
                "data_access_log"
            },
            id,
        );
        f.ev("participants", first.id);
        out.push(f);
    }
    Ok(RuleOutcome::Findings(out))
}

/// The addresses a person's identity-provider events came from during one UTC day: read
/// through the (user, time) index under each of their names, not by testing every event of
/// the day (60,000 of them in a 20,000-person company) for whose it is.
fn idp_ips(ctx: &Ctx, who: &str, day0: i64) -> Result<Vec<String>> {
    let mut st = ctx.conn.prepare_cached(
        "SELECT DISTINCT ip FROM idp_log
         WHERE user IN (SELECT value FROM json_each(zl_aliases(?1)))
           AND time >= ?2 AND time < ?3 AND ip <> ''",
    )?;
    let rows = st.query_map(
        rusqlite::params![who, super::ts(day0), super::ts(day0 + 86_400)],
        |r| r.get::<_, String>(0),
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
