//! Operation ledger: admin changes in time order (keyset on (time, id) over the time index),
//! each with its parsed from → to changes.

use super::*;

row_view! {
    /// An operation row's cells by name.
    LedgerRow { time = 0, operator = 1, category = 2, action = 3, detail = 4 }
}

fn where_clause(q: &mut Q, info: &CaseInfo, f: &Filter) -> String {
    let mut w = span_sql(q, f, "o.time", "o.time");
    if let Some(v) = &f.operator {
        w.push(format!("o.operator = {}", q.p(v.clone())));
    }
    if let Some(v) = &f.category {
        w.push(format!("o.category_type = {}", q.p(v.clone())));
    }
    if let Some(v) = &f.action {
        w.push(format!("o.action = {}", q.p(v.clone())));
    }
    if let Some(d) = &f.domain {
        w.push(format!(
            "o.operator LIKE {} ESCAPE '\\'",
            q.p(domain_pattern(d))
        ));
    }
    if f.external_only {
        let j = q.p(info.domains_json());
        w.push(format!(
            "lower(substr(o.operator, instr(o.operator, '@') + 1)) NOT IN (SELECT value FROM json_each({j}))"
        ));
    }
    if f.suspicious_only {
        if info.has_findings {
            w.push("o.id IN (SELECT row_id FROM finding_evidence WHERE tbl = 'operations')".into());
        } else {
            w.push("0".into());
        }
    }
    w.push(text_sql(
        q,
        f,
        &[
            "o.operation_detail",
            "o.operator",
            "o.action",
            "o.category_type",
        ],
    ));
    w.push(tag_sql(q, f, "operations", "o.id"));
    w.join(" AND ")
}

pub fn page(
    conn: &Connection,
    info: &CaseInfo,
    f: &Filter,
    cur: &Cursor,
    limit: usize,
) -> Result<Page> {
    let mut q = Q::default();
    let w = where_clause(&mut q, info, f);
    let (ks, order) = keyset2(&mut q, "o.time", "o.id", cur, false);
    q.sql = format!(
        "SELECT o.id, o.time, o.operator, o.category_type, o.action, o.operation_detail FROM operations o
         WHERE {w} AND {ks} ORDER BY {order} LIMIT {}",
        limit + 1
    );
    let mut rows: Vec<Row> = q.rows(conn, |r| {
        let id: i64 = r.get(0)?;
        let t = text(r, 1)?;
        let who = text(r, 2)?;
        Ok(Row {
            cells: vec![
                t.clone(),
                who.clone(),
                text(r, 3)?,
                text(r, 4)?,
                text(r, 5)?,
            ],
            link: Links {
                user: Some(who.clone()),
                operator: Some(who),
                ..Default::default()
            },
            ..Row::at("operations", id, "op", t)
        })
    })?;
    attach_changes(conn, &mut rows)?;
    mark_findings(conn, info, &mut rows)?;
    Ok(finish_page(rows, cur, limit))
}

pub fn count(conn: &Connection, info: &CaseInfo, f: &Filter) -> Result<u64> {
    let mut q = Q::default();
    let w = where_clause(&mut q, info, f);
    q.sql = format!("SELECT count(*) FROM operations o WHERE {w}");
    q.count(conn)
}

/// Parsed changes of the window's operations, as `extra` lines ("Section › Setting: from → to").
/// Only rows of the `operations` table are touched (timelines mix tables).
pub(crate) fn attach_changes(conn: &Connection, rows: &mut [Row]) -> Result<()> {
    let ids: Vec<i64> = rows
        .iter()
        .filter(|r| r.tbl == "operations")
        .map(|r| r.id)
        .collect();
    if ids.is_empty() {
        return Ok(());
    }
    let mut st = conn.prepare_cached(
        "SELECT operation_id, kind, section, setting, from_value, to_value, target, meeting_id
         FROM op_changes WHERE operation_id IN (SELECT value FROM json_each(?1)) ORDER BY operation_id, seq",
    )?;
    type Changes = Vec<(String, Option<String>, Option<i64>)>;
    let mut by: std::collections::HashMap<i64, Changes> = Default::default();
    let mut q = st.query([serde_json::to_string(&ids)?])?;
    while let Some(r) = q.next()? {
        let kind = text(r, 1)?;
        let section = text(r, 2)?;
        let setting = text(r, 3)?;
        let from = opt(r, 4)?;
        let to = opt(r, 5)?;
        let target = nonblank(opt(r, 6)?);
        let mid: Option<i64> = r.get(7)?;
        let mut line = format!("[{kind}] ");
        if !section.is_empty() {
            line.push_str(&section);
            if !setting.is_empty() {
                line.push_str(" \u{203a} ");
            }
        }
        line.push_str(&setting);
        match (from, to) {
            (Some(a), Some(b)) => line.push_str(&format!(": {a} \u{2192} {b}")),
            (None, Some(b)) => line.push_str(&format!(": \u{2192} {b}")),
            (Some(a), None) => line.push_str(&format!(": {a} \u{2192}")),
            _ => {}
        }
        if let Some(t) = &target {
            line.push_str(&format!("  (target {t})"));
        }
        if let Some(m) = mid {
            line.push_str(&format!("  (meeting {m})"));
        }
        by.entry(r.get(0)?).or_default().push((line, target, mid));
    }
    for r in rows.iter_mut().filter(|r| r.tbl == "operations") {
        if let Some(ch) = by.remove(&r.id) {
            for (line, target, mid) in ch {
                r.extra.push(line);
                if r.link.meeting_id.is_none() {
                    r.link.meeting_id = mid;
                }
                if let Some(t) = target
                    && t.contains('@')
                {
                    r.link.name = Some(t);
                }
            }
        }
    }
    Ok(())
}
