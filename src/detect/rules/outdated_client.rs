//! `outdated-client`: a user whose most recent Zoom client (from sign-ins, dashboard sessions
//! or the users directory) is below `min_client_version` in the config. Judged on the latest
//! version seen, so someone who has since updated is not reported. Guests (no email) are not
//! attributable and are skipped.

use crate::detect::snapshot::Sym;
use crate::detect::{Ctx, Finding, RuleOutcome};
use anyhow::Result;

pub fn run(ctx: &Ctx) -> Result<RuleOutcome> {
    ctx.sessions(&[])?;
    if !ctx.any("SELECT 1 FROM signins WHERE version <> ''")?
        && !ctx.any("SELECT 1 FROM temp.zl_sess WHERE version <> '' AND email <> ''")?
        && !ctx.any("SELECT 1 FROM users WHERE last_client_version <> ''")?
    {
        return Ok(RuleOutcome::CouldNotRun(
            "no client versions in the case (sign-ins, dashboard participants or the users directory carry them)"
                .into(),
        ));
    }
    // Each participant's latest session that carries a version, from the snapshot.
    let snap = ctx.snapshot()?;
    ctx.conn.execute_batch(
        "DROP TABLE IF EXISTS temp.zl_last_version;
         CREATE TEMP TABLE zl_last_version (email TEXT PRIMARY KEY COLLATE NOCASE, pid INTEGER);",
    )?;
    {
        let mut ins = ctx
            .conn
            .prepare("INSERT INTO temp.zl_last_version VALUES (?1, ?2)")?;
        let mut last: Option<(Sym, Option<i64>)> = None;
        let mut flush = |l: Option<(Sym, Option<i64>)>| -> Result<()> {
            if let Some((e, pid)) = l {
                ins.execute(rusqlite::params![snap.str(e), pid])?;
            }
            Ok(())
        };
        for p in snap.by_email() {
            match &mut last {
                Some((e, pid)) if *e == p.email => {
                    if p.has_version() {
                        *pid = Some(p.id);
                    }
                }
                _ => {
                    flush(last.take())?;
                    last = Some((p.email, p.has_version().then_some(p.id)));
                }
            }
        }
        flush(last)?;
    }
    let mut st = ctx.conn.prepare(
        "WITH emails AS (
           SELECT email FROM temp.zl_last_version
           UNION SELECT email FROM signins UNION SELECT email FROM users),
         cand AS (
           SELECT e.email,
             (SELECT z.pid FROM temp.zl_last_version z WHERE z.email = e.email) pid,
             (SELECT s.id FROM signins s WHERE s.email = e.email AND s.version <> ''
               ORDER BY s.time DESC LIMIT 1) sid,
             (SELECT u.id FROM users u WHERE u.email = e.email AND u.last_client_version <> ''
               LIMIT 1) uid
           FROM emails e),
         v AS (
           SELECT c.email, p.join_time t, p.version, 'participants' tbl, p.id
             FROM cand c JOIN temp.zl_sess p ON p.id = c.pid
           UNION ALL
           SELECT c.email, s.time, s.version, 'signins', s.id FROM cand c JOIN signins s ON s.id = c.sid
           UNION ALL
           SELECT c.email, coalesce(u.last_login_time, ''), u.last_client_version, 'users', u.id
             FROM cand c JOIN users u ON u.id = c.uid),
         ranked AS (SELECT v.*, row_number() OVER (PARTITION BY lower(email) ORDER BY t DESC, tbl) rn FROM v)
         SELECT email, t, version, tbl, id FROM ranked WHERE rn = 1 AND zl_version_lt(version)
         ORDER BY t",
    )?;
    let rows = st.query_map([], |r| <(String, String, String, String, i64)>::try_from(r))?;
    let min = &ctx.cfg.min_client_version;
    let mut out = Vec::new();
    for row in rows {
        let (email, t, version, tbl, id) = row?;
        let tbl: &'static str = match tbl.as_str() {
            "signins" => "signins",
            "participants" => "participants",
            _ => "users",
        };
        let mut f = Finding::new(
            format!("user:{}", email.to_lowercase()),
            t.clone(),
            format!("{email} last used Zoom client {version}, below the minimum {min}"),
        );
        f.fact(format!(
            "latest client seen: {version} ({} at {t}); minimum: {min}",
            match tbl {
                "signins" => "a sign-in",
                "participants" => "a meeting session",
                _ => "the users directory",
            }
        ));
        f.fact("judged on the latest version only: someone who updated since is not reported");
        f.actor = Some(email.clone());
        f.user = Some(email);
        f.ev(tbl, id);
        out.push(f);
    }
    Ok(RuleOutcome::Findings(out))
}
