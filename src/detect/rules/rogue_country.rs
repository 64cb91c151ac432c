//! `rogue-country`: a successful sign-in, to Zoom or to the identity provider, from a country
//! on the configured list (`rogue_countries`; Panther's Standard.SignInFromRogueState default:
//! CN, IR, RU). The country comes from the geolocation database (`geoip_db` / `--geoip`), else
//! from the record's own country (Entra ID's `countryOrRegion`); each finding says which.
//! Addresses in `known_ip_ranges` (the corporate VPN's egress) are never reported.

use crate::detect::beyond::{Locator, said_by};
use crate::detect::{Ctx, Finding, RuleOutcome};
use anyhow::Result;

pub fn run(ctx: &Ctx) -> Result<RuleOutcome> {
    let loc = Locator::new(ctx.cfg)?;
    let own = ctx.any("SELECT 1 FROM idp_log WHERE is_signin = 1 AND country IS NOT NULL")?;
    if !loc.has_db() && !own {
        return Ok(RuleOutcome::CouldNotRun(
            "no geolocation: set geoip_db in the config or pass --geoip PATH (a .mmdb or a \
             DB-IP / IP2Location CSV); only identity-provider records carrying their own \
             country can be judged without one"
                .into(),
        ));
    }
    let rogue: Vec<String> = (ctx.cfg.rogue_countries.iter())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let list = rogue.join(", ");
    // Zoom sign-ins (no location of their own) and the providers' successful sign-ins.
    let mut st = ctx.conn.prepare(
        "SELECT 'signins', id, time, lower(email), ip_address, NULL, 'Zoom', COALESCE(client_type, '')
         FROM signins
         WHERE lower(activity) = 'sign in' AND ip_address <> '' AND NOT zl_known_ip(ip_address)
         UNION ALL
         SELECT 'idp_log', id, time, zl_person(user), ip, country, source, COALESCE(app, '')
         FROM idp_log
         WHERE is_signin = 1 AND (outcome = 'success' OR outcome = '') AND ip <> ''
           AND NOT zl_known_ip(ip)
         ORDER BY 3, 2",
    )?;
    let rows = st.query_map([], |r| {
        <(
            String,
            i64,
            String,
            String,
            String,
            Option<String>,
            String,
            String,
        )>::try_from(r)
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (tbl, id, time, who, ip, own_cc, src, app) = row?;
        let Some((l, via)) = loc.locate(&ip, own_cc.as_deref(), None) else {
            continue;
        };
        if !rogue.contains(&l.country) {
            continue;
        }
        let door = if tbl == "signins" {
            "Zoom".to_string()
        } else {
            format!("{src} ({app})")
        };
        let mut f = Finding::new(
            format!("{tbl}:{id}"),
            time.clone(),
            format!(
                "{who} signed in to {door} from {ip} in {} (rogue list: {list})",
                l.label()
            ),
        );
        f.fact(format!("sign-in {time} to {door} from {ip}"));
        f.fact(format!("{ip} is in {}: {}", l.label(), said_by(via)));
        f.fact(format!("rogue_countries: {list}"));
        f.actor = Some(who.clone());
        f.user = Some(who);
        f.ip = Some(ip);
        f.ev(
            if tbl == "signins" {
                "signins"
            } else {
                "idp_log"
            },
            id,
        );
        out.push(f);
    }
    Ok(RuleOutcome::Findings(out))
}
