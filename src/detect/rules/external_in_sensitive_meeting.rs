//! `external-in-sensitive-meeting`: outsiders in meetings whose topic matches
//! `sensitive_topics`.
//!
//! External participants (an email outside the internal domains) are counted as in the
//! research seed's SQL: sessions per (meeting id, email) in sensitive meetings, reported when
//! more than `min_repeats` - 1 (default: more than 3, the seed's `HAVING occurrences > 3`, i.e.
//! a standing presence rather than an invited guest speaker). Unauthenticated participants (no
//! email) cannot be counted across meetings, so each sensitive instance with any of them is
//! reported once (`flag_guests` = 1).

use crate::detect::{Ctx, Finding, Param, Rule, RuleOutcome, Severity, Source};
use anyhow::Result;

pub struct ExternalInSensitiveMeeting;

impl Rule for ExternalInSensitiveMeeting {
    fn id(&self) -> &'static str {
        "external-in-sensitive-meeting"
    }
    fn title(&self) -> &'static str {
        "Outsider in a sensitive meeting"
    }
    fn severity(&self) -> Severity {
        Severity::High
    }
    fn technique(&self) -> Option<&'static str> {
        Some("T1213")
    }
    fn needs(&self) -> &'static [Source] {
        &[Source::Meetings, Source::Participants, Source::Users]
    }
    fn params(&self) -> &'static [Param] {
        &[
            Param {
                name: "min_repeats",
                default: 4.0,
                help: "sessions of one external in one sensitive series before it is reported (seed: > 3)",
            },
            Param {
                name: "flag_guests",
                default: 1.0,
                help: "1: report sensitive instances attended by participants without an email",
            },
        ]
    }
    fn run(&self, ctx: &Ctx) -> Result<RuleOutcome> {
        if !ctx.any("SELECT 1 FROM participants")? || !ctx.any("SELECT 1 FROM meetings")? {
            return Ok(RuleOutcome::CouldNotRun(
                "needs meetings (topics) and participant sessions".into(),
            ));
        }
        if let Some(why) = ctx.need_internal() {
            return Ok(RuleOutcome::CouldNotRun(why));
        }
        let mut out = Vec::new();
        let mut st = ctx.conn.prepare(
            "SELECT coalesce(p.meeting_id, m.meeting_id) mid, lower(p.email) e, count(*) n,
                    max(m.topic), max(p.join_time), group_concat(p.id), max(p.meeting_uuid),
                    count(DISTINCT p.meeting_uuid)
             FROM meetings m JOIN participants p ON p.meeting_uuid = m.uuid
             WHERE zl_sensitive(m.topic) AND p.email <> '' AND NOT zl_internal(p.email)
             GROUP BY mid, e HAVING n >= ?1 ORDER BY 5",
        )?;
        let rows = st.query_map([ctx.int("min_repeats")], |r| {
            Ok((
                r.get::<_, Option<i64>>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, i64>(7)?,
            ))
        })?;
        for row in rows {
            let (mid, email, n, topic, last, ids, uuid, inst) = row?;
            let mut f = Finding::new(
                format!(
                    "ext:{}:{email}",
                    mid.map(|m| m.to_string()).unwrap_or_else(|| uuid.clone())
                ),
                last,
                format!(
                    "external {email} attended sensitive meeting '{}' {n} times ({inst} instance(s))",
                    topic.unwrap_or_default()
                ),
            );
            f.user = Some(email);
            f.meeting_id = mid;
            if mid.is_none() {
                f.meeting_uuid = Some(uuid);
            }
            f.evidence_csv("participants", ids.as_deref());
            out.push(f);
        }
        if ctx.int("flag_guests") != 0 {
            let mut st = ctx.conn.prepare(
                "SELECT m.uuid, m.meeting_id, m.topic, min(p.join_time), group_concat(p.id),
                        group_concat(DISTINCT coalesce(nullif(p.name, ''), '(no name)')), count(*)
                 FROM meetings m JOIN participants p ON p.meeting_uuid = m.uuid
                 WHERE zl_sensitive(m.topic) AND coalesce(p.email, '') = ''
                   AND coalesce(p.status, '') <> 'in_waiting_room'
                 GROUP BY m.uuid ORDER BY 4",
            )?;
            let rows = st.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<i64>>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, i64>(6)?,
                ))
            })?;
            for row in rows {
                let (uuid, mid, topic, first, ids, names, n) = row?;
                let mut f = Finding::new(
                    format!("guest:{uuid}"),
                    first,
                    format!(
                        "{n} unauthenticated session(s) in sensitive meeting '{}': {}",
                        topic.unwrap_or_default(),
                        names.unwrap_or_default()
                    ),
                );
                f.meeting_id = mid;
                f.meeting_uuid = Some(uuid);
                f.evidence_csv("participants", ids.as_deref());
                out.push(f);
            }
        }
        Ok(RuleOutcome::Findings(out))
    }
}
