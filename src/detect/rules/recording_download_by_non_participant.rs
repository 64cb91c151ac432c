//! `recording-download-by-non-participant`: a recording was downloaded (operation log, parsed
//! kind `recording`, "Download ...") by someone who neither hosted nor attended any instance of
//! that meeting. Only meetings whose participants are in the case are judged: without the
//! attendance list, "non-participant" would be a guess.

use crate::detect::snapshot::NO_ID;
use crate::detect::{Ctx, Finding, RuleOutcome};
use anyhow::Result;

pub fn run(ctx: &Ctx) -> Result<RuleOutcome> {
    if !ctx.any("SELECT 1 FROM operations")? {
        return Ok(RuleOutcome::CouldNotRun(super::NO_OPS.into()));
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
    let rows = st.query_map([], |r| {
        <(
            i64,
            String,
            String,
            i64,
            i64,
            Option<i64>,
            Option<String>,
            i64,
            Option<String>,
        )>::try_from(r)
    })?;
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
    let mut out = Vec::new();
    for row in rows {
        let (oid, time, operator, cid, mid, rid, topic, instances, host) = row?;
        if attended(&operator, mid) {
            continue;
        }
        let mut f = Finding::new(
            format!("chg:{cid}"),
            time,
            format!(
                "{operator} downloaded the recording of '{}' ({mid}) without having hosted or attended it",
                topic.clone().unwrap_or_default()
            ),
        );
        f.fact(format!(
            "{operator} hosted none and attended none of the {} instance(s) of meeting {mid} in the case",
            crate::output::thousands(instances)
        ));
        if let Some(h) = host {
            f.fact(format!("the meeting's host is {h}"));
        }
        f.fact(if rid.is_some() {
            "the recording is in the case"
        } else {
            "the recording itself is not in the case (only the download operation)"
        });
        f.actor = Some(operator.clone());
        f.target = Some(format!(
            "recording of '{}' ({mid})",
            topic.unwrap_or_default()
        ));
        f.user = Some(operator);
        f.meeting_id = Some(mid);
        f.recording = rid;
        f.ev("operations", oid);
        f.ev("op_changes", cid);
        if let Some(r) = rid {
            f.ev("recordings", r);
        }
        out.push(f);
    }
    Ok(RuleOutcome::Findings(out))
}
