//! `silent-presence`: an identity (an email, or a guest's display name) present in more than
//! `min_meetings` meeting instances (default 20) within `window_days` (default 30) that never
//! shared anything — a standing silent listener (a compromised account or a bot taking notes).
//! The design's defaults: 20 meetings a month is daily attendance. `include_internal` = 0
//! limits it to outsiders where employees commonly attend daily stand-ups without sharing.
//! Only instances with dashboard data count, since sharing is only known there.

use crate::detect::{Ctx, Finding, Param, Rule, RuleOutcome, Severity, Source};
use anyhow::Result;

pub struct SilentPresence;

impl Rule for SilentPresence {
    fn id(&self) -> &'static str {
        "silent-presence"
    }
    fn title(&self) -> &'static str {
        "Outsider in many meetings, never sharing"
    }
    fn severity(&self) -> Severity {
        Severity::Low
    }
    fn technique(&self) -> Option<&'static str> {
        Some("T1125")
    }
    fn needs(&self) -> &'static [Source] {
        &[Source::Dashboard, Source::Users]
    }
    fn params(&self) -> &'static [Param] {
        &[
            Param {
                name: "include_internal",
                default: 1.0,
                help: "1: judge account users too; 0: outsiders only",
            },
            Param {
                name: "min_meetings",
                default: 20.0,
                help: "instances attended (more than this) within the window",
            },
            Param {
                name: "window_days",
                default: 30.0,
                help: "sliding window length",
            },
        ]
    }
    fn run(&self, ctx: &Ctx) -> Result<RuleOutcome> {
        ctx.sessions(&[])?;
        if !ctx.any("SELECT 1 FROM temp.zl_sess WHERE in_metrics = 1")? {
            return Ok(RuleOutcome::CouldNotRun(
                "no dashboard participants: sharing flags come from /metrics (Business plan)"
                    .into(),
            ));
        }
        if ctx.int("include_internal") == 0
            && let Some(why) = ctx.need_internal()
        {
            return Ok(RuleOutcome::CouldNotRun(why));
        }
        let win = (ctx.num("window_days") * 86400.0) as i64;
        // Each identity's instances, materialised once with an index on the identity: the
        // evidence list below looks them up per finding instead of rescanning all of them.
        ctx.conn
            .execute_batch("DROP TABLE IF EXISTS temp.zl_silent")?;
        ctx.conn.execute(
            "CREATE TEMP TABLE zl_silent AS
               SELECT CASE WHEN coalesce(p.email, '') <> '' THEN lower(p.email)
                           ELSE 'guest:' || lower(trim(p.name)) END ident,
                      p.meeting_uuid, min(unixepoch(p.join_time)) t, min(p.id) id,
                      max(coalesce(p.share_desktop, 0) + coalesce(p.share_application, 0)
                          + coalesce(p.share_whiteboard, 0)) shared
               FROM temp.zl_sess p
               WHERE p.in_metrics = 1 AND (?1 = 1 OR NOT zl_internal(p.email))
                 AND (coalesce(p.email, '') <> '' OR trim(coalesce(p.name, '')) <> '')
               GROUP BY ident, p.meeting_uuid",
            [ctx.int("include_internal")],
        )?;
        ctx.conn
            .execute_batch("CREATE INDEX temp.zl_silent_ident ON zl_silent (ident)")?;
        let mut st = ctx.conn.prepare(
            "WITH quiet AS (SELECT ident FROM temp.zl_silent GROUP BY ident
                            HAVING max(shared) = 0 AND count(*) > ?1),
             w AS (SELECT s.*, count(*) OVER (PARTITION BY s.ident ORDER BY s.t
                        RANGE BETWEEN ?2 PRECEDING AND CURRENT ROW) n
                   FROM temp.zl_silent s JOIN quiet USING (ident))
             SELECT ident, max(n), min(t),
                    (SELECT group_concat(id) FROM (SELECT id FROM temp.zl_silent s2
                                                   WHERE s2.ident = w.ident LIMIT 100))
             FROM w GROUP BY ident HAVING max(n) > ?1 ORDER BY 3",
        )?;
        let rows = st.query_map(rusqlite::params![ctx.int("min_meetings"), win], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (ident, n, t, ids) = row?;
            let (who, user) = match ident.strip_prefix("guest:") {
                Some(name) => (format!("guest '{name}'"), None),
                None => (ident.clone(), Some(ident.clone())),
            };
            let mut f = Finding::new(
                format!("id:{ident}"),
                chrono::DateTime::from_timestamp(t, 0)
                    .map(crate::model::time::fmt_utc)
                    .unwrap_or_default(),
                format!(
                    "{who} attended {n} meetings within {} days and never shared",
                    ctx.num("window_days")
                ),
            );
            f.user = user;
            f.evidence_csv("participants", ids.as_deref());
            out.push(f);
        }
        Ok(RuleOutcome::Findings(out))
    }
}
