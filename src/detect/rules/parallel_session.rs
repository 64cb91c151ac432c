//! `parallel-session`: a sign-in from IP B while the same user sits in a meeting from IP A —
//! the session-hijack pattern seen with Zoom data alone. The window is the meeting session's
//! span (join to leave), as the design says. B outside `known_ip_ranges` only. A user's own
//! second device on another network (phone on cellular, laptop at home) also matches; where
//! that is common, `require_unseen_ip` = 1 keeps only sign-ins from an IP never seen for the
//! user before (default 0: a hijacker often reuses a plausible address, and the planted
//! incidents show a known home IP used while the person sat in the office).

use crate::detect::{Ctx, Finding, Param, Rule, RuleOutcome, Severity, Source};
use anyhow::Result;

pub struct ParallelSession;

impl Rule for ParallelSession {
    fn id(&self) -> &'static str {
        "parallel-session"
    }
    fn title(&self) -> &'static str {
        "Sign-in from another IP during the user's meeting"
    }
    fn severity(&self) -> Severity {
        Severity::High
    }
    fn technique(&self) -> Option<&'static str> {
        Some("T1550.004")
    }
    fn needs(&self) -> &'static [Source] {
        &[Source::SignIns, Source::Dashboard]
    }
    fn params(&self) -> &'static [Param] {
        &[
            Param {
                name: "require_unseen_ip",
                default: 0.0,
                help: "1: the sign-in IP must be new for the user; 0: any different IP",
            },
            Param {
                name: "max_session_hours",
                default: 24.0,
                help: "longest meeting session considered (bounds the search)",
            },
        ]
    }
    fn run(&self, ctx: &Ctx) -> Result<RuleOutcome> {
        ctx.sessions(&["email"])?;
        if !ctx.any("SELECT 1 FROM signins WHERE ip_address <> ''")? {
            return Ok(RuleOutcome::CouldNotRun(
                "no sign-ins with IP addresses (import /report/activities)".into(),
            ));
        }
        if !ctx.any("SELECT 1 FROM temp.zl_sess WHERE ip_address <> ''")? {
            return Ok(RuleOutcome::CouldNotRun(
                "no participant IP addresses: needs dashboard participants (/metrics, Business plan)"
                    .into(),
            ));
        }
        let mut st = ctx.conn.prepare(
            "SELECT s.id, s.email, s.time, s.ip_address, p.id, p.ip_address, p.meeting_uuid,
                    coalesce(p.meeting_id, (SELECT m.meeting_id FROM meetings m WHERE m.uuid = p.meeting_uuid)),
                    p.join_time, p.leave_time
             FROM signins s JOIN temp.zl_sess p
               ON p.email = s.email
              AND p.join_time <= s.time
              AND p.join_time >= strftime('%Y-%m-%dT%H:%M:%SZ', unixepoch(s.time) - ?1, 'unixepoch')
              AND p.leave_time >= s.time
             WHERE lower(s.activity) = 'sign in' AND s.ip_address <> ''
               AND p.ip_address <> '' AND p.ip_address <> s.ip_address
               AND NOT zl_known_ip(s.ip_address)
               AND (?2 = 0 OR (
                    NOT EXISTS (SELECT 1 FROM signins b WHERE b.email = s.email AND b.time < s.time AND b.ip_address = s.ip_address)
                AND NOT EXISTS (SELECT 1 FROM temp.zl_sess q WHERE q.email = s.email AND q.join_time < s.time AND q.ip_address = s.ip_address)))
             ORDER BY s.time",
        )?;
        let max = (ctx.num("max_session_hours") * 3600.0) as i64;
        let rows = st.query_map(rusqlite::params![max, ctx.int("require_unseen_ip")], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, Option<i64>>(7)?,
                r.get::<_, String>(8)?,
                r.get::<_, Option<String>>(9)?,
            ))
        })?;
        let mut out: Vec<Finding> = Vec::new();
        for row in rows {
            let (sid, email, time, ip_b, pid, ip_a, uuid, mid, join, leave) = row?;
            let key = format!("signin:{sid}");
            if let Some(f) = out.iter_mut().find(|f| f.key == key) {
                f.ev("participants", pid);
                continue;
            }
            let mut f = Finding::new(
                key,
                time,
                format!(
                    "{email} signed in from {ip_b} while in meeting {} from {ip_a} ({join} – {})",
                    mid.map(|m| m.to_string()).unwrap_or_else(|| uuid.clone()),
                    leave.unwrap_or_default()
                ),
            );
            f.user = Some(email);
            f.ip = Some(ip_b);
            f.meeting_uuid = Some(uuid);
            f.meeting_id = mid;
            f.ev("signins", sid);
            f.ev("participants", pid);
            out.push(f);
        }
        Ok(RuleOutcome::Findings(out))
    }
}
