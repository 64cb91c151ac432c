//! Findings queue: severity first, then newest first; and one finding's evidence.
//!
//! The `findings` table belongs to the detection engine; its optional columns are read when
//! present (see [`CaseInfo::finding_cols`]) so the queue works with any version of it. Each row
//! carries its incident and its standing verdict (its own, else its incident's: the triage
//! module's `STANDING_JOIN`).

use super::*;
use crate::detect::triage::{STANDING_COLUMNS, STANDING_JOIN};

/// Cells of a finding row, in order (the console's columns and exports name them so).
pub const CELLS: [&str; 12] = [
    "severity",
    "time",
    "rule",
    "user",
    "summary",
    "incident",
    "state",
    "reason",
    "technique",
    "why",
    "actor",
    "target",
];

row_view! {
    /// A finding row's cells by name.
    FindingRow {
        severity = 0,
        time = 1,
        rule = 2,
        user = 3,
        summary = 4,
        incident = 5,
        state = 6,
        reason = 7,
        technique = 8,
        // Why the rule fired (thresholds, baseline), where the case's findings carry it.
        why = 9,
        // Who did it, and to what (blank for cases detected before findings carried them).
        actor = 10,
        target = 11,
    }
}
/// Index of the standing state in a finding row's cells.
pub const STATE: usize = 6;
/// Index of the verdict's reason in a finding row's cells.
pub const REASON: usize = 7;
/// Index of the incident (`I7`, or empty) in a finding row's cells.
pub const INCIDENT: usize = 5;

/// The optional columns, in the order `page` reads them.
fn optional(info: &CaseInfo) -> Vec<String> {
    vec![
        user_col(info),
        col(info, "meeting_id"),
        col(info, "meeting_uuid"),
        col(info, "ip"),
        info.finding_recording(),
        col(info, "device"),
    ]
}

fn user_col(info: &CaseInfo) -> String {
    info.finding_user_col()
        .map(|c| format!("f.\"{c}\""))
        .unwrap_or_else(|| "NULL".into())
}

fn col(info: &CaseInfo, c: &str) -> String {
    if info.finding_cols.iter().any(|x| x == c) {
        format!("f.\"{c}\"")
    } else {
        "NULL".into()
    }
}

/// The verdict join and its columns (state, reason, analyst, at), when the case has them.
fn standing(info: &CaseInfo) -> (&'static str, &'static str) {
    if info.has_finding_col("incident_id") && info.has_finding_col("fkey") {
        (STANDING_JOIN, STANDING_COLUMNS)
    } else {
        ("", "'new', '', NULL, NULL")
    }
}

/// SQL for a finding's standing state (valid with [`standing`]'s join).
fn state_sql(info: &CaseInfo) -> &'static str {
    if standing(info).0.is_empty() {
        "'new'"
    } else {
        "coalesce(tf.state, ti.state, 'new')"
    }
}

/// SQL condition: the finding still needs the analyst (new or investigating).
pub(crate) fn open_sql(state: &str) -> String {
    format!("{state} IN ('new', 'investigating')")
}

/// The select list and FROM clause every finding list shares (see [`map_row`]).
fn select_from(info: &CaseInfo) -> String {
    let rank = info.finding_rank();
    let (join, cols) = standing(info);
    format!(
        "SELECT f.id, {rank}, f.severity, f.time, f.rule, f.summary, {}, {}, {cols}, {}, {}, {}, {}
         FROM findings f {join}",
        optional(info).join(", "),
        col(info, "incident_id"),
        col(info, "technique"),
        col(info, "why"),
        col(info, "actor"),
        col(info, "target"),
    )
}

/// A row read by [`select_from`] as a finding row with sort key (rank, time, id).
fn map_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    let id: i64 = r.get(0)?;
    let rank: i64 = r.get::<_, Option<i64>>(1)?.unwrap_or(0);
    let sev = text(r, 2)?;
    let time = text(r, 3)?;
    let rule = text(r, 4)?;
    let summary = text(r, 5)?;
    let user = nonblank(opt(r, 6)?);
    let meeting_id = opt(r, 7)?.and_then(|v| v.parse().ok());
    let link = Links {
        user: user.clone(),
        meeting_id,
        meeting_uuid: nonblank(opt(r, 8)?),
        ip: nonblank(opt(r, 9)?),
        recording: nonblank(opt(r, 10)?),
        device: nonblank(opt(r, 11)?),
        ..Default::default()
    };
    let incident = opt(r, 12)?.map(|i| format!("I{i}")).unwrap_or_default();
    let state = text(r, 13)?;
    let reason = text(r, 14)?;
    let technique = text(r, 17)?;
    // Stored as a JSON array of facts; shown as one line.
    let why = text(r, 18)?;
    let why = match serde_json::from_str::<Vec<String>>(&why) {
        Ok(facts) => facts.join(" · "),
        Err(_) => why,
    };
    let actor = opt(r, 19)?.unwrap_or_default();
    let target = opt(r, 20)?.unwrap_or_default();
    Ok(Row {
        tbl: "findings",
        id,
        key: Key {
            t: time.clone(),
            s: rank,
            id,
        },
        kind: "finding".into(),
        time: time.clone(),
        cells: vec![
            severity_name(rank).to_string(),
            time,
            rule,
            user.unwrap_or_default(),
            summary,
            incident,
            state,
            reason,
            technique,
            why,
            actor,
            target,
        ],
        link,
        badge: sev,
        rank,
        notes: vec![],
        extra: vec![],
    })
}

fn where_clause(q: &mut Q, info: &CaseInfo, f: &Filter) -> String {
    let mut w = span_sql(q, f, "f.time", "f.time");
    if f.open_only {
        w.push(open_sql(state_sql(info)));
    }
    if let Some(min) = f.min_severity {
        w.push(format!("{} >= {}", info.finding_rank(), q.p(min)));
    }
    let user = user_col(info);
    if let Some(d) = &f.domain {
        w.push(format!(
            "lower({user}) LIKE {} ESCAPE '\\'",
            q.p(domain_pattern(d))
        ));
    }
    if f.external_only {
        let j = q.p(info.domains_json());
        w.push(format!(
            "instr({user}, '@') > 0 AND lower(substr({user}, instr({user}, '@') + 1)) NOT IN (SELECT value FROM json_each({j}))"
        ));
    }
    let user_or_blank = format!("COALESCE({user}, '')");
    w.push(text_sql(q, f, &["f.summary", "f.rule", &user_or_blank]));
    w.push(tag_sql(q, f, "findings", "f.id"));
    w.join(" AND ")
}

/// A page of the findings queue (severity desc, time desc, id desc).
pub fn page(
    conn: &Connection,
    info: &CaseInfo,
    f: &Filter,
    cur: &Cursor,
    limit: usize,
) -> Result<Page> {
    if !info.has_findings {
        return Ok(Page {
            rows: vec![],
            at_start: true,
            at_end: true,
        });
    }
    let mut q = Q::default();
    let rank = info.finding_rank();
    let w = where_clause(&mut q, info, f);
    let fwd = cur.forward();
    // Display order is descending; reading forward walks down.
    let (op, dir) = if fwd { ("<", "DESC") } else { (">", "ASC") };
    let ks = match cur.key() {
        Some(k) => format!(
            "({rank}, f.time, f.id) {op} ({}, {}, {})",
            q.p(k.s),
            q.p(k.t.clone()),
            q.p(k.id)
        ),
        None => "1".into(),
    };
    q.sql = format!(
        "{} WHERE {w} AND {ks} ORDER BY {rank} {dir}, f.time {dir}, f.id {dir} LIMIT {}",
        select_from(info),
        limit + 1
    );
    let rows: Vec<Row> = q.rows(conn, map_row)?;
    Ok(finish_page(rows, cur, limit))
}

/// Number of findings matching the filter.
pub fn count(conn: &Connection, info: &CaseInfo, f: &Filter) -> Result<u64> {
    if !info.has_findings {
        return Ok(0);
    }
    let mut q = Q::default();
    let w = where_clause(&mut q, info, f);
    let join = standing(info).0;
    q.sql = format!("SELECT count(*) FROM findings f {join} WHERE {w}");
    q.count(conn)
}

/// A page of one incident's findings in time order (its story), each with its standing verdict.
pub fn of_incident(
    conn: &Connection,
    info: &CaseInfo,
    incident: i64,
    cur: &Cursor,
    limit: usize,
) -> Result<Page> {
    if !info.has_findings || !info.has_finding_col("incident_id") {
        return Ok(finish_page(vec![], cur, limit));
    }
    let mut q = Q::default();
    let inc = q.p(incident);
    let (ks, order) = keyset2(&mut q, "f.time", "f.id", cur, false);
    q.sql = format!(
        "{} WHERE f.incident_id = {inc} AND {ks} ORDER BY {order} LIMIT {}",
        select_from(info),
        limit + 1
    );
    let rows: Vec<Row> = q.rows(conn, |r| {
        // Story order is time order: the key's secondary is unused.
        let mut row = map_row(r)?;
        row.key.s = 0;
        Ok(row)
    })?;
    Ok(finish_page(rows, cur, limit))
}

/// Number of findings in an incident.
pub fn count_of_incident(conn: &Connection, info: &CaseInfo, incident: i64) -> Result<u64> {
    if !info.has_findings || !info.has_finding_col("incident_id") {
        return Ok(0);
    }
    Ok(conn.query_row(
        "SELECT count(*) FROM findings WHERE incident_id = ?1",
        [incident],
        |r| r.get::<_, i64>(0),
    )? as u64)
}

/// One finding's evidence: every record it cites as (table, id), the first
/// [`record::MAX_EVIDENCE`](super::record::MAX_EVIDENCE) described in time order, and how many
/// it cites in all.
pub fn evidence(
    conn: &Connection,
    finding_id: i64,
) -> Result<(EvidenceSet, Vec<super::record::EvidenceItem>, u64)> {
    let mut st = conn.prepare_cached(
        "SELECT tbl, row_id FROM finding_evidence WHERE finding_id = ?1 ORDER BY tbl, row_id",
    )?;
    let set: EvidenceSet = st
        .query_map([finding_id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let items = super::record::evidence_items(conn, finding_id)?;
    let total = set.len() as u64;
    Ok((set, items, total))
}

/// The records each of `ids` cites, as `table:id` (in table, then id order): what an export
/// of findings carries so a reader can find every record behind each one.
pub fn evidence_refs(
    conn: &Connection,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, Vec<String>>> {
    let mut out: std::collections::HashMap<i64, Vec<String>> = Default::default();
    if ids.is_empty() || table_columns(conn, "finding_evidence")?.is_empty() {
        return Ok(out);
    }
    let mut st = conn.prepare_cached(
        "SELECT finding_id, tbl, row_id FROM finding_evidence
         WHERE finding_id IN (SELECT value FROM json_each(?1)) ORDER BY finding_id, tbl, row_id",
    )?;
    let mut rows = st.query([serde_json::to_string(ids)?])?;
    while let Some(r) = rows.next()? {
        let (f, t, id): (i64, String, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
        out.entry(f).or_default().push(format!("{t}:{id}"));
    }
    Ok(out)
}

/// A one-line description of a record, for evidence lists and bookmarks.
pub fn describe(conn: &Connection, tbl: &str, id: i64) -> Result<String> {
    let sql = match tbl {
        "participants" => {
            "SELECT 'join ' || join_time || '  ' || COALESCE(NULLIF(email,''), '(guest)') || ' \"' || COALESCE(name,'') || '\"  ip ' || COALESCE(ip_address,'?') || '  meeting ' || meeting_uuid FROM participants WHERE id = ?1"
        }
        "signins" => {
            "SELECT activity || ' ' || time || '  ' || email || '  ip ' || ip_address || '  ' || client_type || ' ' || version FROM signins WHERE id = ?1"
        }
        "operations" => {
            "SELECT 'op ' || time || '  ' || operator || '  ' || action || '  ' || operation_detail FROM operations WHERE id = ?1"
        }
        "meetings" => {
            "SELECT 'meeting ' || COALESCE(start_time,'') || '  ' || COALESCE(topic,'') || '  ' || uuid FROM meetings WHERE id = ?1"
        }
        "recordings" => {
            "SELECT 'recording ' || COALESCE(start_time,'') || '  ' || COALESCE(topic,'') || CASE WHEN deleted_time IS NOT NULL THEN '  deleted ' || deleted_time ELSE '' END FROM recordings WHERE id = ?1"
        }
        "webhook_events" => {
            "SELECT 'webhook ' || time || '  ' || event || '  ' || COALESCE(operator,'') FROM webhook_events WHERE id = ?1"
        }
        "chat_messages" => {
            "SELECT 'chat ' || time || '  ' || COALESCE(sender,'') || ': ' || COALESCE(message,'') FROM chat_messages WHERE id = ?1"
        }
        "findings" => {
            "SELECT severity || ' ' || rule || ': ' || summary FROM findings WHERE id = ?1"
        }
        "users" => {
            "SELECT 'user ' || email || '  ' || COALESCE(role_name,'') FROM users WHERE id = ?1"
        }
        _ => return Ok(format!("{tbl} #{id}")),
    };
    let s: Option<String> = conn.query_row(sql, [id], |r| r.get(0)).unwrap_or(None);
    Ok(s.unwrap_or_else(|| format!("{tbl} #{id} (missing)")))
}
