//! `external-in-sensitive-meeting`: outsiders in meetings whose topic matches
//! `sensitive_topics`.
//!
//! People of `known_partner_domains` (long-standing partners in their weekly syncs) are still
//! reported, at info level: expected, kept for the record, not an alert.
//!
//! External participants (an email outside the internal domains) are counted as the research
//! seed's query counts them (`HAVING occurrences > 3`): an external in at least `min_repeats`
//! (default 4, i.e. more than 3) sensitive meeting instances is a standing presence rather than
//! an invited speaker. Instances are counted across all sensitive meetings (the seed groups by
//! meeting id too, which misses a partner spread over five differently named reviews), and
//! counted once each however often the person rejoined. Unauthenticated participants (no email)
//! cannot be counted across meetings; `flag_guests` = 1 reports every sensitive instance with
//! any of them (off by default: brief-join, display-name-impersonation and guest-screen-share
//! already judge guests, and listing every guest in every sensitive meeting drowns them).

use crate::detect::{Ctx, Finding, RuleOutcome, Severity};
use anyhow::Result;

pub fn run(ctx: &Ctx) -> Result<RuleOutcome> {
    ctx.sessions(&["meeting"])?;
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
        "WITH s AS (
           SELECT lower(p.email) e, p.id, p.join_time, p.meeting_uuid, m.topic,
                  coalesce(p.meeting_id, m.meeting_id) mid
           FROM meetings m JOIN temp.zl_sess p ON p.meeting_uuid = m.uuid
           WHERE zl_sensitive(m.topic) AND p.email <> '' AND NOT zl_internal(p.email))
         -- With a single max(), SQLite takes the bare columns (mid, meeting_uuid) from the
         -- row holding the maximum: the latest sensitive instance.
         SELECT mid, e, count(*) n, group_concat(DISTINCT topic), max(join_time),
                group_concat(id), meeting_uuid, count(DISTINCT meeting_uuid) inst
         FROM s GROUP BY e HAVING inst >= ?1 ORDER BY 5",
    )?;
    let rows = st.query_map([ctx.int("min_repeats")], |r| {
        <(
            Option<i64>,
            String,
            i64,
            Option<String>,
            String,
            Option<String>,
            String,
            i64,
        )>::try_from(r)
    })?;
    let partners = ctx.cfg.partner_domains();
    for row in rows {
        let (mid, email, n, topic, last, ids, uuid, inst) = row?;
        let partner = crate::detect::domain_of(&email).is_some_and(|d| partners.contains(&d));
        let last_text = last.clone();
        let mut f = Finding::new(
            format!("ext:{email}"),
            last,
            format!(
                "external {email} attended {inst} sensitive meeting instances ({n} sessions; \
                 threshold {}){}: {}",
                ctx.int("min_repeats"),
                if partner {
                    ", a known partner's domain"
                } else {
                    ""
                },
                topic.clone().unwrap_or_default()
            ),
        );
        f.fact(format!(
            "{} sensitive meeting instances ({} sessions); threshold: {} instances",
            crate::output::thousands(inst),
            crate::output::thousands(n),
            ctx.int("min_repeats")
        ));
        f.fact(format!("topics: {}", topic.unwrap_or_default()));
        f.fact(format!("latest {last_text}"));
        if partner {
            f.severity = Some(Severity::Info);
            f.fact("info level: a known partner's domain (known_partner_domains)");
        } else {
            f.fact("not an internal domain and not a known partner's");
        }
        f.actor = Some(email.clone());
        f.target = Some("sensitive meetings".into());
        f.user = Some(email);
        f.meeting_id = mid;
        f.meeting_uuid = Some(uuid);
        f.evidence_csv("participants", ids.as_deref());
        out.push(f);
    }
    if ctx.int("flag_guests") != 0 {
        let mut st = ctx.conn.prepare(
            "SELECT m.uuid, m.meeting_id, m.topic, min(p.join_time), group_concat(p.id),
                    group_concat(DISTINCT coalesce(nullif(p.name, ''), '(no name)')), count(*)
             FROM meetings m JOIN temp.zl_sess p ON p.meeting_uuid = m.uuid
             WHERE zl_sensitive(m.topic) AND coalesce(p.email, '') = ''
               AND coalesce(p.status, '') <> 'in_waiting_room'
             GROUP BY m.uuid ORDER BY 4",
        )?;
        let rows = st.query_map([], |r| {
            <(
                String,
                Option<i64>,
                Option<String>,
                String,
                Option<String>,
                Option<String>,
                i64,
            )>::try_from(r)
        })?;
        for row in rows {
            let (uuid, mid, topic, first, ids, names, n) = row?;
            let topic_text = topic.clone().unwrap_or_default();
            let mut f = Finding::new(
                format!("guest:{uuid}"),
                first,
                format!(
                    "{n} unauthenticated session(s) in sensitive meeting '{}': {}",
                    topic.unwrap_or_default(),
                    names.clone().unwrap_or_default()
                ),
            );
            f.fact(format!("{n} session(s) without an email: cannot be counted across meetings, so each sensitive instance with any is reported (flag_guests = 1)"));
            f.actor = names.clone();
            f.target = Some(format!("'{}'", topic_text));
            f.meeting_id = mid;
            f.meeting_uuid = Some(uuid);
            f.evidence_csv("participants", ids.as_deref());
            out.push(f);
        }
    }
    Ok(RuleOutcome::Findings(out))
}
