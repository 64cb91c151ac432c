//! `outdated-client`: a user whose most recent Zoom client (from sign-ins, dashboard sessions
//! or the users directory) is below `min_client_version` in the config. Judged on the latest
//! version seen, so someone who has since updated is not reported. Guests (no email) are not
//! attributable and are skipped.

use crate::detect::{Ctx, Finding, Rule, RuleOutcome, Severity, Source};
use anyhow::Result;

pub struct OutdatedClient;

impl Rule for OutdatedClient {
    fn id(&self) -> &'static str {
        "outdated-client"
    }
    fn title(&self) -> &'static str {
        "Outdated Zoom client"
    }
    fn severity(&self) -> Severity {
        Severity::Low
    }
    fn technique(&self) -> Option<&'static str> {
        Some("T1203")
    }
    fn needs(&self) -> &'static [Source] {
        &[Source::SignIns, Source::Dashboard, Source::Users]
    }
    fn run(&self, ctx: &Ctx) -> Result<RuleOutcome> {
        ctx.sessions(&["email"])?;
        if !ctx.any("SELECT 1 FROM signins WHERE version <> ''")?
            && !ctx.any("SELECT 1 FROM temp.zl_sess WHERE version <> '' AND email <> ''")?
            && !ctx.any("SELECT 1 FROM users WHERE last_client_version <> ''")?
        {
            return Ok(RuleOutcome::CouldNotRun(
                "no client versions in the case (sign-ins, dashboard participants or the users directory carry them)"
                    .into(),
            ));
        }
        let mut st = ctx.conn.prepare(
            "WITH emails AS (
               SELECT DISTINCT email FROM temp.zl_sess WHERE email <> ''
               UNION SELECT email FROM signins UNION SELECT email FROM users),
             cand AS (
               SELECT e.email,
                 (SELECT p.id FROM temp.zl_sess p WHERE p.email = e.email AND p.version <> ''
                   ORDER BY p.join_time DESC LIMIT 1) pid,
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
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
            ))
        })?;
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
                t,
                format!("{email} last used Zoom client {version}, below the minimum {min}"),
            );
            f.user = Some(email);
            f.ev(tbl, id);
            out.push(f);
        }
        Ok(RuleOutcome::Findings(out))
    }
}
