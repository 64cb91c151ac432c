//! `unexpected-ip-recurring-meeting`: in a recurring series (one meeting id with at least
//! `min_instances` instances, default 4), a regular attendee — who came to at least `baseline`
//! earlier instances (default 3, as the sign-in baseline) — joins from an IP never seen for
//! them before (in any session or sign-in), outside `known_ip_ranges`. Networks are compared,
//! not addresses (see `detect::net`): a new address in a /64, /24 or office the person was
//! already seen on is not unexpected (IPv6 privacy addresses, an ISP renumbering a home), nor
//! is a phone on a mobile carrier, nor a dual-stack home's IPv4 address on a day when all the
//! person's meetings came from it and all their sign-ins from its IPv6 network. A standing seat
//! suddenly used from elsewhere is how a borrowed account or forwarded link shows up.
//! `include_internal` = 0 limits it to outsiders' seats.

use crate::detect::Snapshot;
use crate::detect::net::Places;
use crate::detect::{Ctx, Finding, RuleOutcome};
use crate::model::time::fmt_utc;
use anyhow::Result;

/// Fill `zl_first_ip` with each (lower-cased email, IP)'s earliest session join time, and
/// `zl_first_sess` with the sessions that joined at that very time, from the snapshot.
fn first_session_per_ip(ctx: &Ctx) -> Result<()> {
    let snap = ctx.snapshot()?;
    let mut all: Vec<_> = snap.first_sightings().collect();
    all.sort_unstable();
    let mut ins = ctx
        .conn
        .prepare("INSERT INTO temp.zl_first_ip VALUES (?1, ?2, ?3)")?;
    for ((e, ip), t) in &all {
        let t = chrono::DateTime::from_timestamp(*t, 0).unwrap_or_default();
        ins.execute([snap.str(*e), snap.str(*ip), &fmt_utc(t)])?;
    }
    let mut ins = ctx
        .conn
        .prepare("INSERT INTO temp.zl_first_sess VALUES (?1)")?;
    for p in &snap.rows {
        if p.email != Snapshot::NONE
            && p.ip != Snapshot::NONE
            && snap.first_on_ip(p.email, p.ip) == Some(p.join)
        {
            ins.execute([p.id])?;
        }
    }
    Ok(())
}

pub fn run(ctx: &Ctx) -> Result<RuleOutcome> {
    ctx.sessions(&["meeting"])?;
    if !ctx.any("SELECT 1 FROM participants WHERE ip_address <> ''")? {
        return Ok(RuleOutcome::CouldNotRun(
            "no participant IP addresses: needs dashboard participants (/metrics, Business plan)"
                .into(),
        ));
    }
    if ctx.int("include_internal") == 0
        && let Some(why) = ctx.need_internal()
    {
        return Ok(RuleOutcome::CouldNotRun(why));
    }
    // When each person was first seen on each IP (any session or sign-in): one grouped
    // pass instead of a probe per candidate.
    ctx.conn.execute_batch(
        "DROP TABLE IF EXISTS temp.zl_first_ip;
         CREATE TEMP TABLE zl_first_ip (e TEXT, ip TEXT, t TEXT, PRIMARY KEY (e, ip)) WITHOUT ROWID;
         DROP TABLE IF EXISTS temp.zl_first_sess;
         CREATE TEMP TABLE zl_first_sess (id INTEGER PRIMARY KEY);",
    )?;
    first_session_per_ip(ctx)?;
    ctx.conn.execute_batch(
        "INSERT INTO temp.zl_first_ip
           SELECT lower(email), ip_address, min(time) FROM signins
           WHERE ip_address <> '' GROUP BY 1, 2
           ON CONFLICT (e, ip) DO UPDATE SET t = min(t, excluded.t);
         DROP TABLE IF EXISTS temp.zl_series_ids;
         CREATE TEMP TABLE zl_series_ids (mid INTEGER PRIMARY KEY);",
    )?;
    ctx.conn.execute(
        "INSERT INTO temp.zl_series_ids SELECT meeting_id FROM meetings
         WHERE meeting_id IS NOT NULL GROUP BY meeting_id HAVING count(*) >= ?1",
        [ctx.int("min_instances")],
    )?;
    // Only a session at the very time its person was first seen on its IP can be a first
    // sighting, so candidates come from the (few) first sightings, not from every
    // session of every series; the series facts (earlier instances attended, the IPs used
    // before) are then counted for those candidates alone.
    ctx.conn
        .execute("DROP TABLE IF EXISTS temp.zl_uip_cand", [])?;
    ctx.conn.execute(
        "CREATE TEMP TABLE zl_uip_cand AS
           SELECT m.meeting_id mid, m.uuid, m.start_time st, m.topic, p.id, f.e e,
                  p.ip_address ip, p.join_time
           FROM temp.zl_first_sess s
           JOIN temp.zl_sess p ON p.id = s.id
           JOIN temp.zl_first_ip f ON f.e = lower(p.email) AND f.ip = p.ip_address AND f.t = p.join_time
           JOIN meetings m ON m.uuid = p.meeting_uuid
           WHERE m.meeting_id IN (SELECT mid FROM temp.zl_series_ids)
             AND (?1 = 1 OR NOT zl_internal(p.email))",
        [ctx.int("include_internal")],
    )?;
    let mut st = ctx.conn.prepare(
        "WITH c AS (
           SELECT c.*,
                  -- earlier instances of the series (by start, then uuid) the person attended
                  (SELECT count(*) FROM meetings m2
                    WHERE m2.meeting_id = c.mid
                      AND CASE WHEN c.st IS NULL THEN m2.start_time IS NULL AND m2.uuid < c.uuid
                               ELSE m2.start_time IS NULL OR m2.start_time < c.st
                                    OR (m2.start_time = c.st AND m2.uuid < c.uuid) END
                      AND EXISTS (SELECT 1 FROM temp.zl_sess q WHERE q.meeting_uuid = m2.uuid
                                    AND q.email = c.e AND q.ip_address <> '')) prior
           FROM temp.zl_uip_cand c
           WHERE NOT zl_known_ip(c.ip)
             -- the first session of the person on this IP in this series
             AND NOT EXISTS (SELECT 1 FROM temp.zl_uip_cand q
                             WHERE q.e = c.e AND q.join_time = c.join_time
                               AND q.ip = c.ip AND q.id < c.id AND q.mid = c.mid))
         SELECT c.id, c.mid, c.uuid, c.topic, c.e, c.ip, c.join_time, c.prior,
                (SELECT group_concat(DISTINCT q.ip_address)
                   FROM meetings m2 JOIN temp.zl_sess q ON q.meeting_uuid = m2.uuid
                  WHERE m2.meeting_id = c.mid AND q.email = c.e AND q.ip_address <> ''
                    AND q.join_time < c.join_time)
         FROM c WHERE c.prior >= ?1
         ORDER BY c.join_time",
    )?;
    let rows = st.query_map([ctx.int("baseline")], |r| {
        <(
            i64,
            i64,
            String,
            Option<String>,
            String,
            String,
            String,
            i64,
            Option<String>,
        )>::try_from(r)
    })?;
    let snap = ctx.snapshot()?;
    let places = Places::new(ctx.cfg);
    let mut signed = ctx.conn.prepare(
        "SELECT ip_address FROM signins WHERE email = ?1 AND time < ?2 AND ip_address <> ''",
    )?;
    let mut out = Vec::new();
    for row in rows {
        let (id, mid, uuid, topic, email, ip, join, prior, usual) = row?;
        let Some(pl) = places.place(&ip) else {
            continue;
        };
        if places.mobile(&ip) {
            continue;
        }
        let (Some(e), Some(t)) = (
            snap.email(&email),
            crate::detect::snapshot::unix_time(&join),
        ) else {
            continue;
        };
        let mut known = snap
            .of_email_joined(e, i64::MIN, t - 1)
            .any(|p| places.place(snap.str(p.ip)) == Some(pl));
        if !known {
            let ips =
                signed.query_map(rusqlite::params![email, join], |r| r.get::<_, String>(0))?;
            for i in ips {
                if places.place(&i?) == Some(pl) {
                    known = true;
                    break;
                }
            }
        }
        if known {
            continue;
        }
        let day0 = t - t.rem_euclid(86_400);
        let day = super::day_places(ctx, snap, &places, &email, e, day0)?;
        if let Some(&other) = day.signins.first()
            && day.dual_stack(pl, other)
        {
            continue;
        }
        let mut f = Finding::new(
            format!("sess:{id}"),
            join,
            format!(
                "{email} joined recurring '{}' ({mid}) from new IP {ip} after {prior} instances from {}; \
                 its network ({}) never seen for them in any earlier meeting or sign-in",
                topic.clone().unwrap_or_default(),
                usual.clone().unwrap_or_else(|| "other IPs".into()),
                places.describe(pl)
            ),
        );
        f.fact(format!(
            "{} earlier instances of the series attended (baseline {}), from {}",
            crate::output::thousands(prior),
            ctx.int("baseline"),
            usual.unwrap_or_else(|| "other IPs".into())
        ));
        f.fact(format!(
            "{ip} ({}) never seen for them in any earlier meeting or sign-in",
            places.describe(pl)
        ));
        f.fact("not a known range, not a phone on a carrier, not a dual-stack home");
        f.actor = Some(email.clone());
        f.target = Some(format!("series {mid} '{}'", topic.unwrap_or_default()));
        f.user = Some(email);
        f.ip = Some(ip);
        f.meeting_id = Some(mid);
        f.meeting_uuid = Some(uuid);
        f.ev("participants", id);
        out.push(f);
    }
    Ok(RuleOutcome::Findings(out))
}
