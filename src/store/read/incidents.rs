//! Incidents: the stories `detect` grouped the findings into, highest score first, each with
//! its verdict. Read a window at a time like every other list (keyset on score, severity,
//! first time and id, in the order `zoomlens incidents` prints them). An incident's own
//! findings, in time order, are [`super::findings::of_incident`].

use super::*;
use crate::store::read::findings::open_sql;

/// Cells of an incident row, in order.
pub const CELLS: [&str; 11] = [
    "incident", "score", "severity", "state", "title", "actors", "first", "last", "findings",
    "reason", "analyst",
];
/// Index of the state in an incident row's cells.
pub const STATE: usize = 3;
/// Index of the verdict's reason in an incident row's cells.
pub const REASON: usize = 9;

row_view! {
    /// An incident row's cells by name.
    IncidentRow {
        incident = 0,
        score = 1,
        severity = 2,
        state = 3,
        title = 4,
        actors = 5,
        first = 6,
        last = 7,
        findings = 8,
        reason = 9,
        analyst = 10,
    }
}

/// The sort key's number: score (one decimal, as stored) then severity, in one integer.
const SKEY: &str = "(CAST(round(i.score * 10) AS INTEGER) * 8 + i.sev_rank)";
const STATE_SQL: &str = "coalesce(t.state, 'new')";

fn where_clause(q: &mut Q, f: &Filter) -> String {
    let mut w = span_sql(q, f, "i.first_time", "i.last_time");
    if f.open_only {
        w.push(open_sql(STATE_SQL));
    }
    if let Some(min) = f.min_severity {
        w.push(format!("i.sev_rank >= {}", q.p(min)));
    }
    if let Some(d) = &f.domain {
        // actors is a JSON array of addresses: "...@domain" ends with a quote.
        w.push(format!(
            "lower(i.actors) LIKE {} ESCAPE '\\'",
            q.p(format!("%@{}\"%", like_escape(&d.to_lowercase())))
        ));
    }
    w.push(text_sql(
        q,
        f,
        &["i.title", "i.actors", "i.rules", "('I' || i.id)"],
    ));
    w.push(tag_sql(q, f, "incidents", "i.id"));
    w.join(" AND ")
}

const SELECT: &str = "SELECT i.id, i.title, i.score, i.severity, i.sev_rank, i.first_time,
       i.last_time, i.actors, i.findings, coalesce(t.state, 'new'), coalesce(t.reason, ''),
       coalesce(t.analyst, ''), (CAST(round(i.score * 10) AS INTEGER) * 8 + i.sev_rank)
     FROM incidents i
     LEFT JOIN triage t ON t.subject = 'incident' AND t.ref = CAST(i.id AS TEXT)";

fn map_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    let id: i64 = r.get(0)?;
    let title = text(r, 1)?;
    let score: f64 = r.get(2)?;
    let severity = text(r, 3)?;
    let rank: i64 = r.get(4)?;
    let first = text(r, 5)?;
    let last = text(r, 6)?;
    let actors: Vec<String> = serde_json::from_str(&text(r, 7)?).unwrap_or_default();
    let findings: i64 = r.get(8)?;
    let skey: i64 = r.get(12)?;
    // The main actor links the incident to a person (Tab to the timeline, `u`).
    let user = actors.iter().find(|a| a.contains('@')).cloned();
    Ok(Row {
        tbl: "incidents",
        id,
        key: Key {
            t: first.clone(),
            s: skey,
            id,
        },
        kind: "incident".into(),
        time: first.clone(),
        cells: vec![
            format!("I{id}"),
            format!("{score:.1}"),
            severity.clone(),
            text(r, 9)?,
            title,
            actors.join(", "),
            first,
            last,
            findings.to_string(),
            text(r, 10)?,
            text(r, 11)?,
        ],
        link: Links {
            user,
            ..Default::default()
        },
        badge: severity,
        rank,
        notes: vec![],
        extra: vec![],
    })
}

/// A page of incidents: score desc, severity desc, first time asc, id asc.
pub fn page(
    conn: &Connection,
    info: &CaseInfo,
    f: &Filter,
    cur: &Cursor,
    limit: usize,
) -> Result<Page> {
    if !info.has_incidents {
        return Ok(finish_page(vec![], cur, limit));
    }
    let mut q = Q::default();
    let w = where_clause(&mut q, f);
    // Display order mixes directions (score down, time up), so the keyset is spelled out.
    let fwd = cur.forward();
    let (sop, top, sdir, tdir) = if fwd {
        ("<", ">", "DESC", "ASC")
    } else {
        (">", "<", "ASC", "DESC")
    };
    let ks = match cur.key() {
        Some(k) => {
            let s1 = q.p(k.s);
            let s2 = q.p(k.s);
            let t1 = q.p(k.t.clone());
            let t2 = q.p(k.t.clone());
            let id = q.p(k.id);
            format!(
                "({SKEY} {sop} {s1} OR ({SKEY} = {s2} AND (i.first_time {top} {t1} \
                 OR (i.first_time = {t2} AND i.id {top} {id}))))"
            )
        }
        None => "1".into(),
    };
    q.sql = format!(
        "{SELECT} WHERE {w} AND {ks} ORDER BY {SKEY} {sdir}, i.first_time {tdir}, i.id {tdir} LIMIT {}",
        limit + 1
    );
    let rows: Vec<Row> = q.rows(conn, map_row)?;
    Ok(finish_page(rows, cur, limit))
}

/// Number of incidents matching the filter.
pub fn count(conn: &Connection, info: &CaseInfo, f: &Filter) -> Result<u64> {
    if !info.has_incidents {
        return Ok(0);
    }
    let mut q = Q::default();
    let w = where_clause(&mut q, f);
    q.sql = format!(
        "SELECT count(*) FROM incidents i
         LEFT JOIN triage t ON t.subject = 'incident' AND t.ref = CAST(i.id AS TEXT) WHERE {w}"
    );
    q.count(conn)
}

/// One incident as a row (the story view's header), `None` when it is gone (a re-run of
/// `detect` regrouped it).
pub fn one(conn: &Connection, info: &CaseInfo, id: i64) -> Result<Option<Row>> {
    if !info.has_incidents {
        return Ok(None);
    }
    let mut st = conn.prepare_cached(&format!("{SELECT} WHERE i.id = ?1"))?;
    let mut rows = st.query_map([id], map_row)?;
    Ok(rows.next().transpose()?)
}
