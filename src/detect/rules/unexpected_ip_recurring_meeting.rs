//! `unexpected-ip-recurring-meeting`: in a recurring series (one meeting id with at least
//! `min_instances` instances, default 4), a regular attendee — who came to at least `baseline`
//! earlier instances (default 3, as the sign-in baseline) — joins from an IP never seen for
//! them before (in any session or sign-in), outside `known_ip_ranges`. A standing seat
//! suddenly used from elsewhere is how a borrowed account or forwarded link shows up.
//! `include_internal` = 0 limits it to outsiders' seats.

use crate::detect::{Ctx, Finding, Param, Rule, RuleOutcome, Severity, Source};
use anyhow::Result;

pub struct UnexpectedIpRecurringMeeting;

impl Rule for UnexpectedIpRecurringMeeting {
    fn id(&self) -> &'static str {
        "unexpected-ip-recurring-meeting"
    }
    fn title(&self) -> &'static str {
        "Regular attendee of a recurring meeting joined from an unexpected IP"
    }
    fn severity(&self) -> Severity {
        Severity::Medium
    }
    fn technique(&self) -> Option<&'static str> {
        Some("T1078")
    }
    fn needs(&self) -> &'static [Source] {
        &[Source::Meetings, Source::Dashboard, Source::Users]
    }
    fn params(&self) -> &'static [Param] {
        &[
            Param {
                name: "min_instances",
                default: 4.0,
                help: "instances a meeting id needs to count as a recurring series",
            },
            Param {
                name: "baseline",
                default: 3.0,
                help: "earlier instances the attendee must have attended",
            },
            Param {
                name: "include_internal",
                default: 1.0,
                help: "1: judge internal attendees too; 0: outsiders only",
            },
        ]
    }
    fn run(&self, ctx: &Ctx) -> Result<RuleOutcome> {
        ctx.sessions(&["meeting"])?;
        if !ctx.any("SELECT 1 FROM temp.zl_sess WHERE ip_address <> ''")? {
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
        ctx.conn
            .execute("DROP TABLE IF EXISTS temp.zl_series", [])?;
        ctx.conn.execute(
            "CREATE TEMP TABLE zl_series AS
               WITH series AS (SELECT meeting_id FROM meetings WHERE meeting_id IS NOT NULL
                               GROUP BY meeting_id HAVING count(*) >= ?1)
               SELECT m.meeting_id mid, m.uuid, m.start_time st, m.topic, p.id, lower(p.email) e,
                      p.ip_address ip, p.join_time
               FROM series JOIN meetings m ON m.meeting_id = series.meeting_id
               JOIN temp.zl_sess p ON p.meeting_uuid = m.uuid
               WHERE coalesce(p.email, '') <> '' AND p.ip_address <> ''
                 AND (?2 = 1 OR NOT zl_internal(p.email))",
            rusqlite::params![ctx.int("min_instances"), ctx.int("include_internal")],
        )?;
        // When each person was first seen on each IP (any session or sign-in): one grouped
        // pass instead of a probe per candidate.
        ctx.conn.execute_batch(
            "DROP TABLE IF EXISTS temp.zl_first_ip;
             CREATE TEMP TABLE zl_first_ip (e TEXT, ip TEXT, t TEXT, PRIMARY KEY (e, ip)) WITHOUT ROWID;
             INSERT INTO temp.zl_first_ip
               SELECT lower(email), ip_address, min(join_time) FROM temp.zl_sess
               WHERE email <> '' AND ip_address <> '' GROUP BY 1, 2;
             INSERT INTO temp.zl_first_ip
               SELECT lower(email), ip_address, min(time) FROM signins
               WHERE ip_address <> '' GROUP BY 1, 2
               ON CONFLICT (e, ip) DO UPDATE SET t = min(t, excluded.t);",
        )?;
        let mut st = ctx.conn.prepare(
            "WITH r AS (
               SELECT s.*,
                      dense_rank() OVER (PARTITION BY mid, e ORDER BY st, uuid) - 1 AS prior,
                      row_number() OVER (PARTITION BY mid, e, ip ORDER BY join_time, id) AS k
               FROM temp.zl_series s)
             SELECT r.id, r.mid, r.uuid, r.topic, r.e, r.ip, r.join_time, r.prior,
                    (SELECT group_concat(DISTINCT s2.ip) FROM temp.zl_series s2
                      WHERE s2.mid = r.mid AND s2.e = r.e AND s2.join_time < r.join_time)
             FROM r
             WHERE r.k = 1 AND r.prior >= ?1 AND NOT zl_known_ip(r.ip)
               AND NOT EXISTS (SELECT 1 FROM temp.zl_first_ip f
                               WHERE f.e = r.e AND f.ip = r.ip AND f.t < r.join_time)
             ORDER BY r.join_time",
        )?;
        let rows = st.query_map([ctx.int("baseline")], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, i64>(7)?,
                r.get::<_, Option<String>>(8)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, mid, uuid, topic, email, ip, join, prior, usual) = row?;
            let mut f = Finding::new(
                format!("sess:{id}"),
                join,
                format!(
                    "{email} joined recurring '{}' ({mid}) from new IP {ip} after {prior} instances from {}",
                    topic.unwrap_or_default(),
                    usual.unwrap_or_else(|| "other IPs".into())
                ),
            );
            f.user = Some(email);
            f.ip = Some(ip);
            f.meeting_id = Some(mid);
            f.meeting_uuid = Some(uuid);
            f.ev("participants", id);
            out.push(f);
        }
        Ok(RuleOutcome::Findings(out))
    }
}
