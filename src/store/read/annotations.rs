//! The analyst's bookmarks, tags and notes, keyed by (table, record id).
//!
//! Reads go through the console's read-only connection; [`toggle_bookmark`] and [`add`] take a write
//! connection (the only writes the console makes, never to evidence).

use super::*;

/// Attach each row's annotations (`★` for a bookmark, `#tag`, `note: text`).
pub fn attach(conn: &Connection, rows: &mut [Row]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut by_tbl: std::collections::HashMap<&'static str, Vec<i64>> = Default::default();
    for r in rows.iter() {
        by_tbl.entry(r.tbl).or_default().push(r.id);
    }
    let mut found: std::collections::HashMap<(String, i64), Vec<String>> = Default::default();
    let mut st = conn.prepare_cached(
        "SELECT row_id, kind, text FROM annotations WHERE tbl = ?1 AND row_id IN (SELECT value FROM json_each(?2))
         ORDER BY id",
    )?;
    for (tbl, ids) in by_tbl {
        let mut q = st.query(rusqlite::params![tbl, serde_json::to_string(&ids)?])?;
        while let Some(r) = q.next()? {
            let kind: String = r.get(1)?;
            let t: String = r.get(2)?;
            let label = match kind.as_str() {
                "bookmark" => "\u{2605}".to_string(),
                "tag" => format!("#{t}"),
                _ => format!("note: {t}"),
            };
            found
                .entry((tbl.to_string(), r.get(0)?))
                .or_default()
                .push(label);
        }
    }
    for r in rows.iter_mut() {
        r.notes = found.remove(&(r.tbl.to_string(), r.id)).unwrap_or_default();
    }
    Ok(())
}

/// Toggle a bookmark; returns whether the record is now bookmarked.
pub fn toggle_bookmark(w: &Connection, tbl: &str, row_id: i64) -> Result<bool> {
    let n = w.execute(
        "DELETE FROM annotations WHERE tbl = ?1 AND row_id = ?2 AND kind = 'bookmark'",
        rusqlite::params![tbl, row_id],
    )?;
    if n > 0 {
        return Ok(false);
    }
    add(w, tbl, row_id, "bookmark", "")?;
    Ok(true)
}

/// Add a tag or note (kind `tag` / `note`).
pub fn add(w: &Connection, tbl: &str, row_id: i64, kind: &str, text: &str) -> Result<()> {
    w.execute(
        "INSERT INTO annotations (tbl, row_id, kind, text, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT DO NOTHING",
        rusqlite::params![
            tbl,
            row_id,
            kind,
            text,
            crate::model::time::fmt_utc(chrono::Utc::now())
        ],
    )?;
    Ok(())
}

row_view! {
    /// A bookmark row's cells by name.
    BookmarkRow { at = 0, table = 1, record = 2, text = 3, summary = 4 }
}

/// A page of annotated records (newest annotation first), described for reading and pivoting.
pub fn page(conn: &Connection, cur: &Cursor, limit: usize) -> Result<Page> {
    let mut q = Q::default();
    let (ks, order) = keyset2(&mut q, "a.created_at", "a.id", cur, true);
    q.sql = format!(
        "SELECT a.id, a.tbl, a.row_id, a.kind, a.text, a.created_at FROM annotations a WHERE {ks} ORDER BY {order} LIMIT {}",
        limit + 1
    );
    let raw: Vec<_> = q.rows(conn, |r| {
        Ok((
            r.get::<_, i64>(0)?,
            text(r, 1)?,
            r.get::<_, i64>(2)?,
            text(r, 3)?,
            text(r, 4)?,
            text(r, 5)?,
        ))
    })?;
    let mut rows = vec![];
    for (id, tbl, row_id, kind, t, at) in raw {
        let what = super::findings::describe(conn, &tbl, row_id)?;
        let link = links_of(conn, &tbl, row_id).unwrap_or_default();
        rows.push(Row {
            cells: vec![at.clone(), tbl.clone(), row_id.to_string(), t, what],
            link,
            ..Row::at("annotations", id, kind, at)
        });
    }
    Ok(finish_page(rows, cur, limit))
}

/// What a record links to, for pivoting from a bookmark.
pub fn links_of(conn: &Connection, tbl: &str, id: i64) -> Result<Links> {
    if tbl == "findings" {
        // The user column is `user_email` in schema 2 (`user` in earlier drafts).
        for ucol in ["user_email", "user"] {
            let sql = format!("SELECT \"{ucol}\", meeting_uuid, ip FROM findings WHERE id = ?1");
            if let Ok((user, meeting, ip)) = conn.query_row(&sql, [id], |r| {
                Ok((
                    r.get::<_, Option<String>>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, Option<String>>(2)?,
                ))
            }) {
                return Ok(Links {
                    user,
                    meeting_uuid: meeting,
                    ip,
                    ..Default::default()
                });
            }
        }
        return Ok(Links::default());
    }
    let sql = match tbl {
        "participants" => {
            "SELECT NULLIF(email,''), meeting_uuid, ip_address FROM participants WHERE id = ?1"
        }
        "signins" => "SELECT email, NULL, ip_address FROM signins WHERE id = ?1",
        "operations" => "SELECT operator, NULL, NULL FROM operations WHERE id = ?1",
        "meetings" => "SELECT host_email, uuid, NULL FROM meetings WHERE id = ?1",
        "recordings" => "SELECT host_email, meeting_uuid, NULL FROM recordings WHERE id = ?1",
        "chat_messages" => "SELECT sender, NULL, NULL FROM chat_messages WHERE id = ?1",
        "webhook_events" => "SELECT operator, NULL, NULL FROM webhook_events WHERE id = ?1",
        _ => return Ok(Links::default()),
    };
    let (user, meeting, ip): (Option<String>, Option<String>, Option<String>) =
        conn.query_row(sql, [id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(Links {
        user,
        recording: if tbl == "recordings" {
            meeting.clone()
        } else {
            None
        },
        meeting_uuid: meeting,
        ip,
        ..Default::default()
    })
}
