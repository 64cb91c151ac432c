//! `join-after-departure`: a person on the HR departures list joined a meeting or signed in
//! after leaving. A `departed_at` at midnight is taken as a date (the whole day is still
//! theirs), so a join on the last working day is not reported; `grace_hours` adds more slack.

use crate::detect::{Ctx, Finding, RuleOutcome};
use anyhow::Result;

/// When a leaver's access should have ended (text time; `?1` is the grace in seconds).
const GONE: &str = "strftime('%Y-%m-%dT%H:%M:%SZ', unixepoch(departed_at)
   + CASE WHEN substr(departed_at, 12, 8) IN ('00:00:00', '') OR length(departed_at) = 10
          THEN 86400 ELSE 0 END + ?1, 'unixepoch')";

pub fn run(ctx: &Ctx) -> Result<RuleOutcome> {
    if !ctx.any("SELECT 1 FROM departures")? {
        return Ok(RuleOutcome::CouldNotRun(
            "no HR departures list (import a CSV with email, departed_at)".into(),
        ));
    }
    let grace = (ctx.num("grace_hours") * 3600.0) as i64;
    // The sessions each leaver joined after leaving, from the snapshot's per-person order.
    let snap = ctx.snapshot()?;
    ctx.conn.execute_batch(
        "DROP TABLE IF EXISTS temp.zl_dep_sess;
         CREATE TEMP TABLE zl_dep_sess (did INTEGER, id INTEGER, PRIMARY KEY (did, id)) WITHOUT ROWID;",
    )?;
    {
        let mut st = ctx.conn.prepare(&format!(
            "SELECT id, email, unixepoch({GONE}) FROM departures"
        ))?;
        let mut ins = ctx
            .conn
            .prepare("INSERT INTO temp.zl_dep_sess VALUES (?1, ?2)")?;
        let deps = st.query_map([grace], |r| <(i64, String, Option<i64>)>::try_from(r))?;
        for d in deps {
            let (did, email, gone) = d?;
            let (Some(gone), Some(e)) = (gone, snap.email(&email)) else {
                continue;
            };
            for p in snap.of_email_joined(e, gone, i64::MAX) {
                ins.execute([did, p.id])?;
            }
        }
    }
    let mut st = ctx.conn.prepare(
        &format!("WITH d AS (
           SELECT id, email, departed_at, {GONE} AS gone FROM departures),
         act AS (
           SELECT d.id did, 'participants' tbl, p.id, p.join_time t, p.meeting_uuid uuid,
                  coalesce(p.meeting_id, (SELECT m.meeting_id FROM meetings m WHERE m.uuid = p.meeting_uuid)) mid,
                  p.ip_address ip
           FROM temp.zl_dep_sess x JOIN d ON d.id = x.did JOIN participants p ON p.id = x.id
           UNION ALL
           SELECT d.id, 'signins', s.id, s.time, NULL, NULL, s.ip_address
           FROM d JOIN signins s ON s.email = d.email AND s.time >= d.gone
             AND lower(s.activity) = 'sign in')
         SELECT d.id, d.email, d.departed_at, act.tbl, act.id, act.t, act.uuid, act.mid, act.ip
         FROM act JOIN d ON d.id = act.did ORDER BY d.id, act.t"),
    )?;
    let rows = st.query_map([grace], |r| {
        <(
            i64,
            String,
            String,
            String,
            i64,
            String,
            Option<String>,
            Option<i64>,
            Option<String>,
        )>::try_from(r)
    })?;
    let mut out: Vec<Finding> = Vec::new();
    let mut counts: Vec<(usize, usize)> = Vec::new();
    for row in rows {
        let (did, email, departed, tbl, id, t, uuid, mid, ip) = row?;
        let tbl: &'static str = if tbl == "signins" {
            "signins"
        } else {
            "participants"
        };
        let key = format!("dep:{did}");
        if let Some(i) = out.iter().position(|f| f.key == key) {
            out[i].ev(tbl, id);
            if tbl == "participants" {
                counts[i].0 += 1;
            } else {
                counts[i].1 += 1;
            }
            continue;
        }
        let mut f = Finding::new(key, t.clone(), format!("{email} (departed {departed})"));
        f.fact(format!(
            "departed {departed} (HR list){}",
            if grace > 0 {
                format!("; {} h of grace", ctx.num("grace_hours"))
            } else {
                String::new()
            }
        ));
        f.fact(format!("first activity after that: {t}"));
        f.actor = Some(email.clone());
        f.user = Some(email);
        f.meeting_uuid = uuid;
        f.meeting_id = mid;
        f.ip = ip;
        f.ev("departures", did);
        f.ev(tbl, id);
        counts.push(if tbl == "participants" {
            (1, 0)
        } else {
            (0, 1)
        });
        out.push(f);
    }
    for (f, (j, s)) in out.iter_mut().zip(counts) {
        f.fact(format!(
            "{} meeting session(s) and {} sign-in(s) after the departure",
            crate::output::thousands(j as i64),
            crate::output::thousands(s as i64)
        ));
        f.summary = format!(
            "{} was active after leaving: {j} meeting session(s), {s} sign-in(s)",
            f.summary
        );
    }
    Ok(RuleOutcome::Findings(out))
}
