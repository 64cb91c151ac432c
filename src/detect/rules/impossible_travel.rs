//! `impossible-travel`: two activities of one person, from any source (Zoom sign-ins and
//! meeting sessions, identity-provider events, file access), whose places are farther apart
//! than `max_speed_kmh` (default 900, an airliner) allows in the time between them.
//!
//! Needs a geolocation database with coordinates (`geoip_db` / `--geoip`). Addresses in
//! `known_ip_ranges` (the corporate VPN, whose egress is wherever the VPN is) and on mobile
//! carriers (`mobile_ip_ranges`: carrier-grade NAT geolocates to the carrier's gateway, not the
//! phone) are left out; jumps shorter than `min_km` (default 500) are geolocation noise. One
//! finding per person and UTC day: the first jump.

use crate::detect::beyond::{Locator, said_by};
use crate::detect::geo::km;
use crate::detect::net::Places;
use crate::detect::{Ctx, Finding, RuleOutcome};
use anyhow::Result;
use std::collections::{BTreeMap, HashSet};

#[derive(Clone)]
struct Act {
    t: i64,
    tbl: &'static str,
    id: i64,
    ip: String,
    what: &'static str,
}

pub fn run(ctx: &Ctx) -> Result<RuleOutcome> {
    let loc = Locator::new(ctx.cfg)?;
    if !loc.has_db() {
        return Ok(RuleOutcome::CouldNotRun(
            "needs a geolocation database with coordinates: set geoip_db in the config or \
             pass --geoip PATH (a GeoLite2/DB-IP City .mmdb or a city-level CSV)"
                .into(),
        ));
    }
    let places = Places::new(ctx.cfg);
    // The VPN's egress is wherever the VPN is; offices are real places and stay in.
    let known: Vec<_> = (ctx.cfg.known_ip_ranges.iter())
        .filter_map(|r| crate::detect::config::Cidr::parse(r))
        .collect();
    let usable = |ip: &str| {
        !ip.is_empty()
            && !places.mobile(ip)
            && ip
                .parse::<std::net::IpAddr>()
                .is_ok_and(|a| !known.iter().any(|r| r.contains(&a)))
    };
    let max_speed = ctx.num("max_speed_kmh");
    let min_km = ctx.num("min_km");
    // Every person's activities: sessions from the snapshot, the rest from SQL.
    let mut acts: BTreeMap<String, Vec<Act>> = BTreeMap::new();
    let mut st = ctx.conn.prepare(
        "SELECT 'signins', id, lower(email), unixepoch(time), ip_address FROM signins
           WHERE ip_address <> ''
         UNION ALL
         SELECT 'idp_log', id, zl_person(user), unixepoch(time), ip FROM idp_log
           WHERE ip <> '' AND outcome IN ('success', '')
         UNION ALL
         SELECT 'data_access_log', id, zl_person(user), unixepoch(time), ip FROM data_access_log
           WHERE ip <> ''",
    )?;
    let rows = st.query_map([], |r| {
        <(String, i64, String, Option<i64>, String)>::try_from(r)
    })?;
    for r in rows {
        let (tbl, id, who, t, ip) = r?;
        let (Some(t), true) = (t, usable(&ip)) else {
            continue;
        };
        let (tbl, what) = match tbl.as_str() {
            "signins" => ("signins", "Zoom sign-in"),
            "idp_log" => ("idp_log", "identity-provider event"),
            _ => ("data_access_log", "file access"),
        };
        acts.entry(who).or_default().push(Act {
            t,
            tbl,
            id,
            ip,
            what,
        });
    }
    let has_sessions = ctx.any("SELECT 1 FROM participants WHERE ip_address <> ''")?;
    if has_sessions {
        let snap = ctx.snapshot()?;
        for s in snap.by_email() {
            let ip = snap.str(s.ip);
            if !usable(ip) {
                continue;
            }
            acts.entry(snap.str(s.email).to_string())
                .or_default()
                .push(Act {
                    t: s.join,
                    tbl: "participants",
                    id: s.id,
                    ip: ip.to_string(),
                    what: "meeting session",
                });
        }
    }
    let mut out = Vec::new();
    for (who, mut list) in acts {
        list.sort_by_key(|a| (a.t, a.id));
        let mut reported: HashSet<i64> = HashSet::new();
        let mut prev: Option<(Act, crate::detect::geo::Loc)> = None;
        for a in list {
            let Some((l, via)) = loc.locate(&a.ip, None, None) else {
                continue;
            };
            let Some(c) = l.coords else { continue };
            if let Some((p, pl)) = &prev
                && let Some(pc) = pl.coords
            {
                let d = km(pc, c);
                let hours = (a.t - p.t) as f64 / 3600.0;
                let speed = if hours > 0.0 {
                    d / hours
                } else {
                    f64::INFINITY
                };
                let day = a.t.div_euclid(86_400);
                if d >= min_km && speed > max_speed && reported.insert(day) {
                    let speed_text = if speed.is_finite() {
                        format!("{speed:.0} km/h")
                    } else {
                        "at the same moment".to_string()
                    };
                    let time = super::ts(a.t);
                    let mut f = Finding::new(
                        format!("{}:{}", a.tbl, a.id),
                        time.clone(),
                        format!(
                            "{who}: {} from {} ({}) {} min after a {} from {} ({}): {d:.0} km, {speed_text}",
                            a.what,
                            a.ip,
                            l.label(),
                            (a.t - p.t) / 60,
                            p.what,
                            p.ip,
                            pl.label()
                        ),
                    );
                    f.fact(format!(
                        "{} {} from {} in {}",
                        super::ts(p.t),
                        p.what,
                        p.ip,
                        pl.label()
                    ));
                    f.fact(format!("{time} {} from {} in {}", a.what, a.ip, l.label()));
                    f.fact(format!(
                        "{d:.0} km in {:.1} h needs {speed_text} (max_speed_kmh {max_speed:.0}, min_km {min_km:.0})",
                        hours
                    ));
                    f.fact(format!(
                        "{}; known ranges (VPN) and mobile carriers left out",
                        said_by(via)
                    ));
                    f.actor = Some(who.clone());
                    f.user = Some(who.clone());
                    f.ip = Some(a.ip.clone());
                    f.ev(p.tbl, p.id);
                    f.ev(a.tbl, a.id);
                    out.push(f);
                }
            }
            prev = Some((a, l));
        }
    }
    Ok(RuleOutcome::Findings(out))
}
