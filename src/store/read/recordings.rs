//! Recordings: the list (newest first, keyset on start time) and one recording's files plus
//! who viewed, downloaded, shared, trashed or deleted it (operation log, webhooks, the
//! recording's analytics), and whether each of them attended.

use super::*;

row_view! {
    /// A recording's cells by name (the list's rows, a recording's own header, and a
    /// meeting's recordings).
    RecordingRow { start = 0, topic = 1, host = 2, files = 3, bytes = 4, deleted = 5 }
}

row_view! {
    /// One file of a recording.
    RecordingFileRow {
        file_type = 0,
        recording_type = 1,
        bytes = 2,
        start = 3,
        end = 4,
        status = 5,
        deleted = 6,
    }
}

row_view! {
    /// Someone (or Zoom) acting on a recording: downloaded, shared, trashed, deleted.
    RecordingActionRow { time = 0, who = 1, action = 2, via = 3, attended = 4, detail = 5 }
}

/// Where an action row says whether its actor attended the meeting.
const ATTENDED: usize = 4;

fn where_clause(q: &mut Q, info: &CaseInfo, f: &Filter) -> String {
    let mut w = span_sql(q, f, "r.start_time", "r.start_time");
    if let Some(d) = &f.domain {
        w.push(format!(
            "r.host_email LIKE {} ESCAPE '\\'",
            q.p(domain_pattern(d))
        ));
    }
    w.push(text_sql(
        q,
        f,
        &["r.topic", "r.host_email", "r.meeting_uuid"],
    ));
    // Behind a finding: cited as evidence, or the finding's own recording. In SQL, so the
    // count in the title agrees with the rows.
    if f.suspicious_only {
        if info.has_findings {
            let own = if info.has_finding_col("recording_id") {
                " OR r.id IN (SELECT recording_id FROM findings WHERE recording_id IS NOT NULL)"
            } else {
                ""
            };
            w.push(format!(
                "(r.id IN (SELECT row_id FROM finding_evidence WHERE tbl = 'recordings'){own})"
            ));
        } else {
            w.push("0".into());
        }
    }
    w.push(tag_sql(q, f, "recordings", "r.id"));
    w.join(" AND ")
}

fn list_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    let id: i64 = r.get(0)?;
    let uuid = text(r, 1)?;
    let t = text(r, 2)?;
    let host = nonblank(opt(r, 4)?);
    let deleted = nonblank(opt(r, 7)?);
    Ok(Row {
        cells: vec![
            t.clone(),
            text(r, 3)?,
            host.clone().unwrap_or_default(),
            text(r, 5)?,
            text(r, 6)?,
            deleted.clone().unwrap_or_default(),
        ],
        link: Links {
            user: host,
            meeting_id: r.get(8)?,
            ..Links::recording(&uuid)
        },
        badge: if deleted.is_some() {
            "deleted".into()
        } else {
            String::new()
        },
        ..Row::at("recordings", id, "recording", t)
    })
}

const COLS: &str = "r.id, r.meeting_uuid, COALESCE(r.start_time, ''), r.topic, r.host_email, r.recording_count, r.total_size, r.deleted_time, r.meeting_id";

pub fn page(
    conn: &Connection,
    info: &CaseInfo,
    f: &Filter,
    cur: &Cursor,
    limit: usize,
) -> Result<Page> {
    let mut q = Q::default();
    let w = where_clause(&mut q, info, f);
    let (ks, order) = keyset2(&mut q, "COALESCE(r.start_time, '')", "r.id", cur, true);
    q.sql = format!(
        "SELECT {COLS} FROM recordings r WHERE {w} AND {ks} ORDER BY {order} LIMIT {}",
        limit + 1
    );
    let mut rows: Vec<Row> = q.rows(conn, list_row)?;
    mark_findings(conn, info, &mut rows)?;
    Ok(finish_page(rows, cur, limit))
}

pub fn count(conn: &Connection, info: &CaseInfo, f: &Filter) -> Result<u64> {
    let mut q = Q::default();
    let w = where_clause(&mut q, info, f);
    q.sql = format!("SELECT count(*) FROM recordings r WHERE {w}");
    q.count(conn)
}

#[derive(Clone, Debug, Default)]
pub struct Detail {
    pub recording: Row,
    pub files: Vec<Row>,
    /// Downloads, shares, trash and deletes: who, when, how, and whether they attended.
    pub actions: Vec<Row>,
}

/// One recording by its meeting instance uuid.
pub fn detail(conn: &Connection, info: &CaseInfo, uuid: &str) -> Result<Option<Detail>> {
    let rec = conn
        .query_row(
            &format!("SELECT {COLS} FROM recordings r WHERE r.meeting_uuid = ?1"),
            [uuid],
            list_row,
        )
        .ok();
    let Some(mut rec) = rec else { return Ok(None) };
    mark_findings(conn, info, std::slice::from_mut(&mut rec))?;
    let mut st = conn.prepare_cached(
        "SELECT id, file_type, file_extension, file_size, recording_start, recording_end, recording_type,
                status, deleted_time, file_id
         FROM recording_files WHERE recording_id = ?1 ORDER BY recording_start, id",
    )?;
    let files = st
        .query_map([rec.id], |r| {
            let id: i64 = r.get(0)?;
            let t = text(r, 4)?;
            Ok(Row {
                cells: vec![
                    text(r, 1)?,
                    text(r, 6)?,
                    text(r, 3)?,
                    t.clone(),
                    text(r, 5)?,
                    text(r, 7)?,
                    nonblank(opt(r, 8)?).unwrap_or_default(),
                ],
                link: Links::recording(uuid),
                ..Row::at("recording_files", id, "file", t)
            })
        })?
        .collect::<rusqlite::Result<Vec<Row>>>()?;

    let mut actions = vec![];
    if let Some(mid) = rec.link.meeting_id {
        let mut st = conn.prepare_cached(
            "SELECT o.id, o.time, o.operator, o.action, o.operation_detail FROM operations o
             WHERE o.id IN (SELECT operation_id FROM op_changes WHERE kind = 'recording' AND meeting_id = ?1)
             ORDER BY o.time, o.id LIMIT 200",
        )?;
        for row in st.query_map([mid], |r| {
            let (t, who, action, detail) = (text(r, 1)?, text(r, 2)?, text(r, 3)?, text(r, 4)?);
            Ok(action_row(
                "operations",
                r.get(0)?,
                t,
                who,
                action,
                detail,
                "op log",
            ))
        })? {
            actions.push(row?);
        }
    }
    // Webhook deliveries about this recording (trashed, deleted, recovered...). The time index
    // bounds the scan to events after the recording started.
    let start = rec.time.clone();
    let mid_text = rec
        .link
        .meeting_id
        .map(|m| m.to_string())
        .unwrap_or_default();
    let mut st = conn.prepare_cached(
        "SELECT id, time, COALESCE(operator, ''), event FROM webhook_events
         WHERE time >= ?1 AND event LIKE 'recording.%' AND object_id IN (?2, ?3)
         ORDER BY time, id LIMIT 200",
    )?;
    for row in st.query_map(rusqlite::params![start, uuid, mid_text], |r| {
        let (t, who, event) = (text(r, 1)?, text(r, 2)?, text(r, 3)?);
        let action = event.trim_start_matches("recording.").to_string();
        Ok(action_row(
            "webhook_events",
            r.get(0)?,
            t,
            who,
            action,
            event,
            "webhook",
        ))
    })? {
        actions.push(row?);
    }
    // Who watched or downloaded it, from the recording's analytics.
    let mut st = conn.prepare_cached(
        "SELECT id, time, email, kind, name, duration FROM recording_access
         WHERE meeting_uuid = ?1 ORDER BY time, id LIMIT 500",
    )?;
    for row in st.query_map([uuid], |r| {
        let (t, who, kind, name) = (text(r, 1)?, text(r, 2)?, text(r, 3)?, text(r, 4)?);
        let action = if kind == "download" {
            "downloaded"
        } else {
            "viewed"
        };
        let detail = match (who.is_empty(), r.get::<_, Option<i64>>(5)?) {
            (true, _) => "anonymous share-link viewer".to_string(),
            (false, Some(s)) => format!("{name}, watched {} min", (s + 59) / 60),
            (false, None) => name,
        };
        Ok(action_row(
            "recording_access",
            r.get(0)?,
            t,
            who,
            action.into(),
            detail,
            "analytics",
        ))
    })? {
        actions.push(row?);
    }
    actions.sort_by(|a, b| a.key.t.cmp(&b.key.t).then(a.id.cmp(&b.id)));
    let mut st = conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM participants WHERE meeting_uuid = ?1 AND email = ?2)",
    )?;
    for a in actions.iter_mut() {
        let who = RecordingActionRow(a).who().to_string();
        let attended: bool =
            !who.is_empty() && st.query_row(rusqlite::params![uuid, who], |r| r.get(0))?;
        let host = rec
            .link
            .user
            .as_deref()
            .is_some_and(|h| h.eq_ignore_ascii_case(&who));
        a.cells[ATTENDED] = if who.is_empty() {
            String::new() // Zoom's own events (recording.completed) have no actor
        } else if attended {
            "yes".into()
        } else if host {
            "host".into()
        } else {
            "NO".into()
        };
        a.badge = info.class_of(Some(&who)).to_string();
        a.link.recording = Some(uuid.to_string());
        a.link.meeting_uuid = Some(uuid.to_string());
    }
    mark_findings(conn, info, &mut actions)?;
    Ok(Some(Detail {
        recording: rec,
        files,
        actions,
    }))
}

fn action_row(
    tbl: &'static str,
    id: i64,
    t: String,
    who: String,
    action: String,
    detail: String,
    via: &str,
) -> Row {
    Row {
        cells: vec![
            t.clone(),
            who.clone(),
            action,
            via.to_string(),
            String::new(),
            detail,
        ],
        link: Links {
            user: Some(who.clone()).filter(|w| !w.is_empty()),
            operator: Some(who).filter(|w| !w.is_empty()),
            ..Default::default()
        },
        ..Row::at(tbl, id, "action", t)
    }
}
