//! `/` search: entities (names, emails, IPs, devices, topics: the FTS5 index over distinct
//! values, ranked with a fuzzy matcher) and meeting ids, then words inside chat messages and
//! operation details (the full-text indexes `chat_fts` and `operation_fts`), each leading to
//! its record.

use super::*;
use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};
use std::ops::Range;

/// One hit: its kind (email, name, ip, device, topic, meeting; chat, operation) and value (for
/// chat and operation, the message or detail the words were found in).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    pub kind: String,
    pub value: String,
    pub score: u32,
    /// A word found inside a record: which record, when and by whom.
    pub record: Option<TextHit>,
}

/// The record a full-text hit is in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextHit {
    pub tbl: &'static str,
    pub id: i64,
    pub time: String,
    /// The sender of a message, the operator of an operation.
    pub who: String,
}

/// A searched word as the full-text index matches it: whole, or (the word being typed) as the
/// start of a word.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Term {
    pub word: String,
    pub prefix: bool,
}

/// The words of a query as the index tokenises them (runs of letters and digits, any case); the
/// last is a prefix unless the query ends with a space.
pub fn terms(query: &str) -> Vec<Term> {
    let mut out: Vec<Term> = words(query)
        .map(|r| Term {
            word: query[r].to_lowercase(),
            prefix: false,
        })
        .collect();
    if let Some(last) = out.last_mut() {
        last.prefix = !query.ends_with(char::is_whitespace);
    }
    out
}

/// Byte ranges of the words of `text` (the `unicode61` tokeniser's letters and digits).
fn words(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut it = text.char_indices().peekable();
    std::iter::from_fn(move || {
        while let Some(&(_, c)) = it.peek() {
            if c.is_alphanumeric() {
                break;
            }
            it.next();
        }
        let (start, _) = *it.peek()?;
        let mut end = start;
        while let Some(&(i, c)) = it.peek() {
            if !c.is_alphanumeric() {
                break;
            }
            end = i + c.len_utf8();
            it.next();
        }
        Some(start..end)
    })
}

/// Where `terms` occur in `text`: byte ranges of the words they match, in order (what the
/// console highlights in a hit and in the row it leads to).
pub fn marks(text: &str, terms: &[Term]) -> Vec<Range<usize>> {
    if terms.is_empty() {
        return vec![];
    }
    words(text)
        .filter(|r| {
            let w = text[r.clone()].to_lowercase();
            terms.iter().any(|t| {
                if t.prefix {
                    w.starts_with(&t.word)
                } else {
                    w == t.word
                }
            })
        })
        .collect()
}

/// FTS prefix query: every token must start a word of the value.
fn fts_query(q: &str) -> String {
    q.split_whitespace()
        .map(|t| format!("\"{}\"*", t.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Full-text query: every word of the query, as a whole word, the last one as typed so far.
fn text_query(q: &str) -> Option<String> {
    let parts: Vec<&str> = q
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .collect();
    let open = !q.ends_with(char::is_whitespace);
    let n = parts.len();
    let expr = parts
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let star = if open && i + 1 == n { "*" } else { "" };
            format!("\"{}\"{star}", w.replace('"', "\"\""))
        })
        .collect::<Vec<_>>()
        .join(" ");
    (!expr.is_empty()).then_some(expr)
}

/// Run `f` for at most `ms` milliseconds: a short prefix can match many thousand words, so the
/// query is interrupted at the budget and what it found by then is kept.
fn budgeted(conn: &Connection, ms: u64, f: impl FnOnce() -> rusqlite::Result<()>) -> Result<()> {
    let (done, wait) = std::sync::mpsc::channel::<()>();
    let handle = conn.get_interrupt_handle();
    let timer = std::thread::spawn(move || {
        if let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
            wait.recv_timeout(std::time::Duration::from_millis(ms))
        {
            handle.interrupt();
        }
    });
    let res = f();
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

/// Up to 5000 (kind, value) rows matching an FTS5 expression, found within 40 ms.
fn fts_budgeted(conn: &Connection, expr: &str, cands: &mut Vec<(String, String)>) -> Result<()> {
    budgeted(conn, 40, || {
        // Details and chat bodies once stood here whole; their words are in the full-text
        // indexes now.
        let mut st = conn.prepare_cached(
            "SELECT t.kind, t.value FROM search_fts JOIN search_terms t ON t.id = search_fts.rowid
             WHERE search_fts MATCH ?1 AND t.kind NOT IN ('chat', 'detail') LIMIT 5000",
        )?;
        let mut rows = st.query([expr])?;
        while let Some(r) = rows.next()? {
            cands.push((r.get(0)?, r.get(1)?));
        }
        Ok(())
    })
}

/// Chat messages and operations holding the query's words: the `limit` newest of each table
/// found within 60 ms, newest first.
fn text_hits(conn: &Connection, query: &str, limit: usize) -> Result<Vec<Hit>> {
    let Some(expr) = text_query(query) else {
        return Ok(vec![]);
    };
    let mut out = vec![];
    for (kind, tbl, sql) in [
        (
            "chat",
            "chat_messages",
            "SELECT m.id, m.time, COALESCE(NULLIF(m.sender, ''), m.sender_display_name, ''), m.message
             FROM chat_messages m WHERE m.id IN
               (SELECT rowid FROM chat_fts WHERE chat_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?2)",
        ),
        (
            "operation",
            "operations",
            "SELECT o.id, o.time, o.operator, o.operation_detail
             FROM operations o WHERE o.id IN
               (SELECT rowid FROM operation_fts WHERE operation_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?2)",
        ),
    ] {
        budgeted(conn, 60, || {
            let mut st = conn.prepare_cached(sql)?;
            let mut rows = st.query(rusqlite::params![expr, limit as i64])?;
            while let Some(r) = rows.next()? {
                out.push(Hit {
                    kind: kind.into(),
                    value: text(r, 3)?,
                    score: 0,
                    record: Some(TextHit {
                        tbl,
                        id: r.get(0)?,
                        time: text(r, 1)?,
                        who: text(r, 2)?,
                    }),
                });
            }
            Ok(())
        })?;
    }
    let time = |h: &Hit| {
        h.record
            .as_ref()
            .map(|r| r.time.clone())
            .unwrap_or_default()
    };
    out.sort_by_key(|h| std::cmp::Reverse(time(h)));
    Ok(out)
}

/// Search the case. `limit` hits, best first.
pub fn search(conn: &Connection, query: &str, limit: usize) -> Result<Vec<Hit>> {
    // A space after the last word means it is finished: matched whole, not as a prefix.
    let typed = query.trim_start();
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
    fts_budgeted(conn, &fts_query(query), &mut cands)?;
    let texts = text_hits(conn, typed, limit / 2)?;
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
    // Only when nothing else was found: words in messages are better hits than near-misses.
    if cands.len() < 20 && texts.is_empty() {
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
            "SELECT kind, value FROM search_terms WHERE kind NOT IN ('chat', 'detail') LIMIT 20000",
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
                record: None,
            })
        })
        .collect();
    hits.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then(a.value.len().cmp(&b.value.len()))
            .then(a.value.cmp(&b.value))
    });
    // People, addresses, meetings first; then the records whose text holds the words.
    hits.truncate(limit.saturating_sub(texts.len()).max(limit / 2));
    hits.extend(texts);
    hits.truncate(limit);
    Ok(hits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_find_whole_words_and_the_word_being_typed() {
        let t = terms("wire tran");
        assert_eq!(
            t,
            vec![
                Term {
                    word: "wire".into(),
                    prefix: false
                },
                Term {
                    word: "tran".into(),
                    prefix: true
                }
            ]
        );
        let text = "Please WIRE the transfer today; wireless is off";
        let got: Vec<&str> = marks(text, &t).into_iter().map(|r| &text[r]).collect();
        assert_eq!(got, vec!["WIRE", "transfer"]);
        // A finished word (space after it) is matched whole only.
        let text2 = "became BEC";
        let got: Vec<&str> = marks(text2, &terms("bec "))
            .into_iter()
            .map(|r| &text2[r])
            .collect();
        assert_eq!(got, vec!["BEC"]);
        assert!(marks("anything", &[]).is_empty());
    }

    #[test]
    fn text_queries_quote_every_word() {
        assert_eq!(text_query("wire tr").unwrap(), "\"wire\" \"tr\"*");
        assert_eq!(text_query("say \"hi\" ").unwrap(), "\"say\" \"\"\"hi\"\"\"");
        assert_eq!(text_query(" - "), None);
    }
}
