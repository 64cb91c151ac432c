//! `parallel-session`: a sign-in from IP B while the same user sits in a meeting from IP A —
//! the session-hijack pattern seen with Zoom data alone. The window is the meeting session's
//! span (join to leave), as the design says. B outside `known_ip_ranges` only. A user's own
//! second device on another network (phone on cellular, laptop at home) also matches; where
//! that is common, `require_unseen_ip` = 1 keeps only sign-ins from an IP never seen for the
//! user before (default 0: a hijacker often reuses a plausible address, and the planted
//! incidents show a known home IP used while the person sat in the office).

use crate::detect::snapshot::NO_TIME;
use crate::detect::{Ctx, Finding, Param, Rule, RuleOutcome, Severity, Snapshot, Source};
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
    fn uses_snapshot(&self) -> bool {
        true
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
        if !ctx.any("SELECT 1 FROM signins WHERE ip_address <> ''")? {
            return Ok(RuleOutcome::CouldNotRun(
                "no sign-ins with IP addresses (import /report/activities)".into(),
            ));
        }
        ctx.sessions(&[])?;
        if !ctx.any("SELECT 1 FROM temp.zl_sess WHERE ip_address <> ''")? {
            return Ok(RuleOutcome::CouldNotRun(
                "no participant IP addresses: needs dashboard participants (/metrics, Business plan)"
                    .into(),
            ));
        }
        let snap = ctx.snapshot()?;
        let unseen = ctx.int("require_unseen_ip") != 0;
        let max = (ctx.num("max_session_hours") * 3600.0) as i64;
        // Sign-ins from outside the known ranges (and, with require_unseen_ip, from an IP the
        // user had not signed in from before); the meeting sessions they overlap come from the
        // snapshot's per-person time order.
        let mut st = ctx.conn.prepare(
            "SELECT s.id, s.email, s.time, unixepoch(s.time), s.ip_address FROM signins s
             WHERE lower(s.activity) = 'sign in' AND s.ip_address <> ''
               AND NOT zl_known_ip(s.ip_address)
               AND (?1 = 0 OR NOT EXISTS (SELECT 1 FROM signins b WHERE b.email = s.email
                                          AND b.time < s.time AND b.ip_address = s.ip_address))
             ORDER BY s.time, s.id",
        )?;
        let signins = st.query_map([unseen], |r| {
            <(i64, String, String, Option<i64>, String)>::try_from(r)
        })?;
        let mut detail = ctx.conn.prepare(
            "SELECT p.ip_address, p.meeting_uuid,
                    coalesce(p.meeting_id, (SELECT m.meeting_id FROM meetings m WHERE m.uuid = p.meeting_uuid)),
                    p.join_time, p.leave_time
             FROM participants p WHERE p.id = ?1",
        )?;
        let mut out: Vec<Finding> = Vec::new();
        for row in signins {
            let (sid, email, time, t, ip_b) = row?;
            let (Some(t), Some(e)) = (t, snap.email(&email)) else {
                continue;
            };
            if unseen && snap.on_ip_before(&email, &ip_b, t) {
                continue;
            }
            let other = snap.sym(&ip_b);
            let mut hits = snap
                .of_email_joined(e, t - max, t)
                .filter(|p| {
                    p.leave != NO_TIME
                        && p.leave >= t
                        && p.ip != Snapshot::NONE
                        && Some(p.ip) != other
                })
                .map(|p| p.id);
            let Some(first) = hits.next() else {
                continue;
            };
            let (ip_a, uuid, mid, join, leave) = detail.query_row([first], |r| {
                <(String, String, Option<i64>, String, Option<String>)>::try_from(r)
            })?;
            let mut f = Finding::new(
                format!("signin:{sid}"),
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
            f.ev("participants", first);
            for pid in hits {
                f.ev("participants", pid);
            }
            out.push(f);
        }
        Ok(RuleOutcome::Findings(out))
    }
}
