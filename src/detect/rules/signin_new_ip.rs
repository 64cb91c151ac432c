//! `signin-new-ip`: a sign-in from a network the user had not been seen on before.
//!
//! Baseline: at least `baseline` (default 3) earlier sign-ins with an IP, so a person's first
//! sign-ins in a case are never "new" (the design's default: fewer than three earlier sign-ins
//! say nothing about someone's usual places). Networks, not addresses, are compared (see
//! `detect::net`): IPv6 privacy addresses change daily inside a home's /64, an ISP renumbers a
//! home inside its /24, and an office's IPv4 NAT and IPv6 prefix are one office. Only the first
//! sign-in from a new network is reported. Not new: an IP inside `known_ip_ranges` or an
//! office, a network the dashboard already showed the user in a meeting from, and a phone or
//! tablet on a mobile carrier (carrier NAT addresses rotate every few hours and say nothing
//! about place).
//!
//! Panther's Standard.SignInFromRogueState is `rogue-country` (offline geolocation); this rule
//! judges networks, not countries.

use crate::detect::net::{Place, Places, phone_client};
use crate::detect::snapshot::Sym;
use crate::detect::{Ctx, Finding, RuleOutcome};
use anyhow::Result;
use rustc_hash::FxHashMap as HashMap;

pub fn run(ctx: &Ctx) -> Result<RuleOutcome> {
    if !ctx.any("SELECT 1 FROM signins WHERE ip_address <> ''")? {
        return Ok(RuleOutcome::CouldNotRun(
            "no sign-ins with IP addresses (import /report/activities or user.signed_in webhooks)"
                .into(),
        ));
    }
    let snap = ctx.snapshot()?;
    let places = Places::new(ctx.cfg);
    let baseline = ctx.int("baseline").max(0) as usize;
    // Each person's meeting networks with when they were first seen there.
    let mut met: HashMap<Sym, Vec<(Place, i64)>> = HashMap::default();
    for ((e, ip), t) in snap.first_sightings() {
        if let Some(pl) = places.place(snap.str(ip)) {
            let v = met.entry(e).or_default();
            match v.iter_mut().find(|(p, _)| *p == pl) {
                Some(x) => x.1 = x.1.min(t),
                None => v.push((pl, t)),
            }
        }
    }
    let mut st = ctx.conn.prepare(
        "SELECT id, lower(email), time, ip_address, unixepoch(time), coalesce(client_type, ''),
                zl_known_ip(ip_address)
         FROM signins WHERE lower(activity) = 'sign in' AND ip_address <> ''
         ORDER BY lower(email), time, id",
    )?;
    let mut rows = st.query([])?;
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut n = 0usize;
    let mut seen: Vec<Place> = Vec::new();
    // The person's first sign-in and their previous one (time, IP), for the why.
    let mut first_time = String::new();
    let mut prev: Option<(String, String)> = None;
    while let Some(r) = rows.next()? {
        let (id, email, time, ip, t, client, known) =
            <(i64, String, String, String, Option<i64>, String, bool)>::try_from(r)?;
        if email != cur {
            cur = email.clone();
            n = 0;
            seen.clear();
            first_time = time.clone();
            prev = None;
        }
        let before = n;
        n += 1;
        let last = prev.replace((time.clone(), ip.clone()));
        let Some(pl) = places.place(&ip) else {
            continue;
        };
        if seen.contains(&pl) {
            continue;
        }
        seen.push(pl);
        if known || before < baseline || (places.mobile(&ip) && phone_client(&client)) {
            continue;
        }
        // Not new if a meeting session already came from this network for them.
        let e = snap.email(&email);
        if let (Some(t), Some(v)) = (t, e.and_then(|e| met.get(&e)))
            && v.iter().any(|(p, f)| *p == pl && *f < t)
        {
            continue;
        }
        let mut f = Finding::new(
            format!("signin:{id}"),
            time,
            format!(
                "{email} signed in from new IP {ip}: its network ({}) never seen for this user \
                 in {before} earlier sign-ins (from {} network(s)) or any earlier meeting; \
                 first seen now{}",
                places.describe(pl),
                seen.len() - 1,
                if client.is_empty() {
                    String::new()
                } else {
                    format!(" ({client} client)")
                }
            ),
        );
        f.fact(format!(
            "IP {ip} ({}) never seen for this user in {} earlier sign-ins from {} network(s), \
             nor in any earlier meeting",
            places.describe(pl),
            crate::output::thousands(before as i64),
            seen.len() - 1
        ));
        f.fact(format!(
            "baseline: sign-ins since {first_time}; at least {baseline} earlier sign-ins needed"
        ));
        if let Some((lt, lip)) = last {
            f.fact(format!("previous sign-in {lt} from {lip}"));
        }
        f.fact(if places.mobile(&ip) {
            format!(
                "a carrier address, but from a {} client, not a phone",
                if client.is_empty() {
                    "unknown"
                } else {
                    client.as_str()
                }
            )
        } else {
            "not an office, a known range or a phone on a carrier".to_string()
        });
        f.actor = Some(email.clone());
        f.user = Some(email);
        f.ip = Some(ip);
        f.ev("signins", id);
        out.push(f);
    }
    Ok(RuleOutcome::Findings(out))
}
