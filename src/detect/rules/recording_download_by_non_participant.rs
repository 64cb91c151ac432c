//! `recording-download-by-non-participant`: a recording was downloaded (operation log, parsed
//! kind `recording`, "Download ...", or the recording's analytics `by_download`) or watched
//! (analytics `by_view`) by someone who neither hosted nor attended any instance of that
//! meeting. Only meetings whose participants are in the case are judged: without the
//! attendance list, "non-participant" would be a guess. One finding per person and meeting,
//! whichever sources saw it; anonymous share-link views (no email) cannot be judged.

use crate::detect::snapshot::NO_ID;
use crate::detect::{Ctx, Finding, RuleOutcome};
use anyhow::Result;
use std::collections::BTreeMap;

/// Everything one person did to one meeting's recording.
struct Group {
    person: String,
    first: String,
    recording: Option<i64>,
    topic: Option<String>,
    instances: i64,
    host: Option<String>,
    /// (operation id, change id, time) of each download in the operation log.
    ops: Vec<(i64, i64, String)>,
    /// (recording_access id, view | download, time) from the recording's analytics.
    access: Vec<(i64, String, String)>,
}

/// What both queries say of the recording's meeting: the recording's id, the topic, how many
/// instances it had, its host.
type Facts = (Option<i64>, Option<String>, i64, Option<String>);

/// A row of either query: its id, time, the person, what they did (the operation log's change
/// id, or the analytics' view or download), the meeting id and the meeting's facts.
fn act<T: rusqlite::types::FromSql>(
    r: &rusqlite::Row<'_>,
) -> rusqlite::Result<(i64, String, String, T, i64, Facts)> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        (r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?),
    ))
}

/// The group of `person` and meeting `mid`, opened with the meeting's facts, having seen `time`.
fn group<'a>(
    groups: &'a mut BTreeMap<(String, i64), Group>,
    person: &str,
    time: &str,
    mid: i64,
    facts: Facts,
) -> &'a mut Group {
    let g = groups
        .entry((person.to_lowercase(), mid))
        .or_insert_with(|| Group::new(person, time, facts));
    g.see(time);
    g
}

impl Group {
    fn new(person: &str, time: &str, (recording, topic, instances, host): Facts) -> Group {
        Group {
            person: person.to_string(),
            first: time.to_string(),
            recording,
            topic,
            instances,
            host,
            ops: vec![],
            access: vec![],
        }
    }
    fn see(&mut self, time: &str) {
        if time < self.first.as_str() {
            self.first = time.to_string();
        }
    }
}

pub fn run(ctx: &Ctx) -> Result<RuleOutcome> {
    if !ctx.any("SELECT 1 FROM operations")? && !ctx.any("SELECT 1 FROM recording_access")? {
        return Ok(RuleOutcome::CouldNotRun(format!(
            "{} and no recording analytics (sync the analytics source)",
            super::NO_OPS
        )));
    }
    if !ctx.any("SELECT 1 FROM participants")? {
        return Ok(RuleOutcome::CouldNotRun(
            "no participant sessions: cannot tell who attended (import participant reports)".into(),
        ));
    }
    let mut st = ctx.conn.prepare(
        "WITH dl AS (
           SELECT o.id oid, o.time, o.operator, c.id cid, c.meeting_id mid
           FROM op_changes c JOIN operations o ON o.id = c.operation_id
           WHERE c.kind = 'recording' AND c.meeting_id IS NOT NULL
             AND (lower(c.setting) LIKE 'download%' OR lower(o.action) LIKE '%download%'))
         SELECT dl.oid, dl.time, dl.operator, dl.cid, dl.mid,
                (SELECT r.id FROM recordings r WHERE r.meeting_id = dl.mid
                  ORDER BY r.start_time DESC LIMIT 1),
                (SELECT m.topic FROM meetings m WHERE m.meeting_id = dl.mid LIMIT 1),
                (SELECT count(*) FROM meetings m WHERE m.meeting_id = dl.mid),
                (SELECT min(m.host_email) FROM meetings m WHERE m.meeting_id = dl.mid)
         FROM dl
         WHERE EXISTS (SELECT 1 FROM meetings m JOIN participants p ON p.meeting_uuid = m.uuid
                       WHERE m.meeting_id = dl.mid)
           AND NOT EXISTS (SELECT 1 FROM meetings m WHERE m.meeting_id = dl.mid AND m.host_email = dl.operator)
           AND NOT EXISTS (SELECT 1 FROM recordings r WHERE r.meeting_id = dl.mid AND r.host_email = dl.operator)
         ORDER BY dl.time",
    )?;
    let rows = st.query_map([], act::<i64>)?;
    // Whether the operator attended an instance: their sessions, from the snapshot, in a
    // meeting with that id (the session's own id, or its instance's).
    let snap = ctx.snapshot()?;
    let mut id_of = vec![NO_ID; snap.syms()];
    {
        let mut st = ctx
            .conn
            .prepare("SELECT uuid, meeting_id FROM meetings WHERE meeting_id IS NOT NULL")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            if let Some(m) = snap.sym(&r.get::<_, String>(0)?) {
                id_of[m as usize] = r.get(1)?;
            }
        }
    }
    let attended = |operator: &str, mid: i64| {
        snap.email(operator).is_some_and(|e| {
            snap.of_email_joined(e, i64::MIN, i64::MAX)
                .any(|p| p.meeting_id == mid || id_of[p.meeting as usize] == mid)
        })
    };
    // One finding per person and meeting, whichever sources saw it: the operation log's
    // downloads and the recording analytics' downloads and views.
    let mut groups: BTreeMap<(String, i64), Group> = BTreeMap::new();
    for row in rows {
        let (oid, time, operator, cid, mid, facts) = row?;
        if attended(&operator, mid) {
            continue;
        }
        group(&mut groups, &operator, &time, mid, facts)
            .ops
            .push((oid, cid, time));
    }
    if ctx.any("SELECT 1 FROM recording_access WHERE email <> ''")? {
        let mut st = ctx.conn.prepare(
            "WITH acc AS (
               SELECT a.id, a.kind, a.time, a.email, a.meeting_uuid,
                      coalesce((SELECT r.meeting_id FROM recordings r WHERE r.meeting_uuid = a.meeting_uuid),
                               (SELECT m.meeting_id FROM meetings m WHERE m.uuid = a.meeting_uuid)) mid
               FROM recording_access a WHERE a.email <> '')
             SELECT acc.id, acc.time, acc.email, acc.kind, acc.mid,
                    (SELECT r.id FROM recordings r WHERE r.meeting_uuid = acc.meeting_uuid),
                    (SELECT m.topic FROM meetings m WHERE m.meeting_id = acc.mid LIMIT 1),
                    (SELECT count(*) FROM meetings m WHERE m.meeting_id = acc.mid),
                    (SELECT min(m.host_email) FROM meetings m WHERE m.meeting_id = acc.mid)
             FROM acc
             WHERE acc.mid IS NOT NULL
               AND EXISTS (SELECT 1 FROM meetings m JOIN participants p ON p.meeting_uuid = m.uuid
                           WHERE m.meeting_id = acc.mid)
               AND NOT EXISTS (SELECT 1 FROM meetings m WHERE m.meeting_id = acc.mid AND m.host_email = acc.email)
               AND NOT EXISTS (SELECT 1 FROM recordings r WHERE r.meeting_id = acc.mid AND r.host_email = acc.email)
             ORDER BY acc.time, acc.id",
        )?;
        let rows = st.query_map([], act::<String>)?;
        for row in rows {
            let (aid, time, email, kind, mid, facts) = row?;
            if attended(&email, mid) {
                continue;
            }
            let rid = facts.0;
            let g = group(&mut groups, &email, &time, mid, facts);
            if g.recording.is_none() {
                g.recording = rid;
            }
            g.access.push((aid, kind, time));
        }
    }
    let mut out = Vec::new();
    for ((_, mid), g) in groups {
        let topic = g.topic.clone().unwrap_or_default();
        let downloads_op = g.ops.len();
        let downloads_an = g.access.iter().filter(|a| a.1 == "download").count();
        let views = g.access.len() - downloads_an;
        let did = match (downloads_op + downloads_an > 0, views > 0) {
            (true, true) => "downloaded and watched",
            (true, false) => "downloaded",
            _ => "watched",
        };
        // The key stays the first operation's when the log saw it (as before analytics).
        let key = match g.ops.first() {
            Some((_, cid, _)) => format!("chg:{cid}"),
            None => format!("rec:{mid}:{}", g.person.to_lowercase()),
        };
        let mut f = Finding::new(
            key,
            g.first.clone(),
            format!(
                "{} {did} the recording of '{topic}' ({mid}) without having hosted or attended it",
                g.person
            ),
        );
        f.fact(format!(
            "{} hosted none and attended none of the {} instance(s) of meeting {mid} in the case",
            g.person,
            crate::output::thousands(g.instances)
        ));
        if let Some(h) = &g.host {
            f.fact(format!("the meeting's host is {h}"));
        }
        let mut seen_by = vec![];
        if downloads_op > 0 {
            seen_by.push(format!(
                "the operation log ({downloads_op} download{})",
                if downloads_op == 1 { "" } else { "s" }
            ));
        }
        if !g.access.is_empty() {
            let mut parts = vec![];
            if downloads_an > 0 {
                parts.push(format!(
                    "{downloads_an} download{}",
                    if downloads_an == 1 { "" } else { "s" }
                ));
            }
            if views > 0 {
                parts.push(format!("{views} view{}", if views == 1 { "" } else { "s" }));
            }
            seen_by.push(format!("the recording's analytics ({})", parts.join(", ")));
        }
        f.fact(format!("seen in {}", seen_by.join(" and ")));
        f.fact(if g.recording.is_some() {
            "the recording is in the case"
        } else {
            "the recording itself is not in the case (only the download operation)"
        });
        f.actor = Some(g.person.clone());
        f.target = Some(format!("recording of '{topic}' ({mid})"));
        f.user = Some(g.person.clone());
        f.meeting_id = Some(mid);
        f.recording = g.recording;
        for (oid, cid, _) in &g.ops {
            f.ev("operations", *oid);
            f.ev("op_changes", *cid);
        }
        for (aid, _, _) in &g.access {
            f.ev("recording_access", *aid);
        }
        if let Some(r) = g.recording {
            f.ev("recordings", r);
        }
        out.push(f);
    }
    out.sort_by(|a, b| a.time.cmp(&b.time).then_with(|| a.key.cmp(&b.key)));
    Ok(RuleOutcome::Findings(out))
}
