//! `/` search: candidates from the FTS5 index over distinct values (names, emails, IPs,
//! devices, topics, details, chat) and meeting ids, ranked with a fuzzy matcher.

use super::*;
use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

/// One hit: its kind (email, name, ip, device, topic, detail, chat, meeting) and value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    pub kind: String,
    pub value: String,
    pub score: u32,
}

/// FTS prefix query: every token must start a word of the value.
fn fts_query(q: &str) -> String {
    q.split_whitespace()
        .map(|t| format!("\"{}\"*", t.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Up to 5000 (kind, value) rows matching an FTS5 expression, found within 40 ms: a short
/// prefix can match many thousand words, so the query is interrupted at the budget and what it
/// found by then is kept.
fn fts_budgeted(conn: &Connection, expr: &str, cands: &mut Vec<(String, String)>) -> Result<()> {
    let (done, wait) = std::sync::mpsc::channel::<()>();
    let handle = conn.get_interrupt_handle();
    let timer = std::thread::spawn(move || {
        if let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
            wait.recv_timeout(std::time::Duration::from_millis(40))
        {
            handle.interrupt();
        }
    });
    let res = (|| -> rusqlite::Result<()> {
        let mut st = conn.prepare_cached(
            "SELECT t.kind, t.value FROM search_fts JOIN search_terms t ON t.id = search_fts.rowid
             WHERE search_fts MATCH ?1 AND t.kind <> 'chat' LIMIT 5000",
        )?;
        let mut rows = st.query([expr])?;
        while let Some(r) = rows.next()? {
            cands.push((r.get(0)?, r.get(1)?));
        }
        Ok(())
    })();
    let _ = done.send(());
    let _ = timer.join();
    match res {
        Ok(()) => Ok(()),
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::OperationInterrupted =>
        {
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}

/// Search the case. `limit` hits, best first.
pub fn search(conn: &Connection, query: &str, limit: usize) -> Result<Vec<Hit>> {
    let query = query.trim();
    if query.is_empty() {
        return Ok(vec![]);
    }
    let mut cands: Vec<(String, String)> = vec![];
    // Values that start with the query: a range scan of the (kind, value) index per kind,
    // instant at any size.
    let mut st = conn.prepare_cached(
        "SELECT kind, value FROM search_terms WHERE kind = ?1 AND value >= ?2 AND value < ?2 || char(1114111)
         LIMIT 500",
    )?;
    let lower = query.to_lowercase();
    for kind in ["email", "name", "ip", "device", "topic"] {
        for q in [query, lower.as_str()] {
            let mut rows = st.query(rusqlite::params![kind, q])?;
            while let Some(r) = rows.next()? {
                cands.push((r.get(0)?, r.get(1)?));
            }
        }
    }
    // Words that start with the query's words (FTS5). A short prefix can match many thousand
    // words, so this part has a time budget: what it has found by then is kept.
    let fts = fts_budgeted(conn, &fts_query(query), &mut cands);
    fts?;
    if let Ok(n) = query.replace(' ', "").parse::<i64>() {
        let mut st = conn.prepare_cached(
            "SELECT DISTINCT meeting_id FROM meetings WHERE meeting_id = ?1 LIMIT 1",
        )?;
        let mut rows = st.query([n])?;
        while let Some(r) = rows.next()? {
            cands.push(("meeting".into(), r.get::<_, i64>(0)?.to_string()));
        }
    }
    if let Ok(u) = conn.query_row("SELECT uuid FROM meetings WHERE uuid = ?1", [query], |r| {
        r.get::<_, String>(0)
    }) {
        cands.push(("meeting".into(), u));
    }
    // Fuzzy fallback for typos: words starting like the query's words (FTS, bounded), plus a
    // small bounded scan, ranked by the fuzzy matcher below. Bounded so a miss stays fast.
    if cands.len() < 20 {
        let first: String = query
            .split_whitespace()
            .filter_map(|t| t.chars().next())
            .map(|c| format!("\"{}\"*", c.to_string().replace('"', "\"\"")))
            .collect::<Vec<_>>()
            .join(" OR ");
        if !first.is_empty() {
            fts_budgeted(conn, &first, &mut cands)?;
        }
        let mut st = conn.prepare_cached(
            "SELECT kind, value FROM search_terms WHERE kind <> 'chat' LIMIT 20000",
        )?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            cands.push((r.get(0)?, r.get(1)?));
        }
    }
    let mut matcher = Matcher::new(Config::DEFAULT);
    let pat = Pattern::new(
        query,
        CaseMatching::Ignore,
        Normalization::Smart,
        AtomKind::Fuzzy,
    );
    let mut buf = vec![];
    let mut seen = std::collections::HashSet::new();
    let mut hits: Vec<Hit> = cands
        .into_iter()
        .filter(|c| seen.insert(c.clone()))
        .filter_map(|(kind, value)| {
            let s = pat.score(Utf32Str::new(&value, &mut buf), &mut matcher)?;
            Some(Hit {
                kind,
                value,
                score: s,
            })
        })
        .collect();
    hits.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then(a.value.len().cmp(&b.value.len()))
            .then(a.value.cmp(&b.value))
    });
    hits.truncate(limit);
    Ok(hits)
}
