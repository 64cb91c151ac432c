//! Bulk loading: a large import into a new or mostly empty case drops the indexes that only
//! readers use and builds each once at the end (SQLite sorts the table's keys in one pass)
//! instead of updating it row by row. Indexes the writer's own lookups need (natural keys,
//! the sign-in and operation matching) stay.
//!
//! The dropped indexes' SQL is kept in `meta` in the same transaction that drops them, so a
//! killed import leaves a consistent case (readers work, only slower) and the next command
//! that opens it for writing builds them again ([`restore`]).

use anyhow::Result;
use rusqlite::{Connection, OptionalExtension};

/// Indexes no write path reads (checked against the writer's queries: participants are
/// matched on their unique key, sign-ins on `signins_email_time`, operations on
/// `operations_operator`, identity-provider and file-access events on (source, event_id)).
const READ_SIDE: &[&str] = &[
    "participants_email",
    "participants_join",
    "participants_ip",
    "participants_name",
    "participants_meeting_join",
    "webhook_events_time",
    "webhook_events_event",
    "webhook_events_operator",
    "chat_sender",
    "chat_time",
    "signins_time",
    "signins_ip",
    "extra_evidence_row",
    "idp_log_user",
    "idp_log_time",
    "idp_log_ip",
    "data_access_user",
    "data_access_time",
    "data_access_ip",
];

/// Full-text indexes kept in step with their tables by triggers (schema 1 and 9). A bulk load
/// drops the triggers and builds each index once at the end ('rebuild' reads its whole table),
/// instead of adding every new value as it comes and merging segments at each commit (a fifth
/// of the writing thread's time on the 20k tenant's Dashboard pages). All of a table's triggers
/// go together: an update or delete trigger would otherwise take out of the index words that
/// were never put in.
const FULL_TEXT: &[(&str, &[&str])] = &[
    ("search_fts", &["search_terms_ai"]),
    ("chat_fts", &["chat_fts_ai", "chat_fts_ad", "chat_fts_au"]),
    (
        "operation_fts",
        &["operation_fts_ai", "operation_fts_ad", "operation_fts_au"],
    ),
];

const KEY: &str = "bulk_indexes";

/// Drop the read-side indexes and full-text triggers (remembering them and the rebuilds
/// they need); false when there was nothing to drop.
pub fn begin(conn: &mut Connection) -> Result<bool> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let mut kept = pending(&tx)?;
    let mut dropped = false;
    let sql_of = |kind: &str, name: &str| -> Result<Option<String>> {
        Ok(tx
            .query_row(
                "SELECT sql FROM sqlite_schema WHERE type = ?1 AND name = ?2",
                [kind, name],
                |r| r.get(0),
            )
            .optional()?)
    };
    for name in READ_SIDE {
        if let Some(sql) = sql_of("index", name)? {
            tx.execute_batch(&format!("DROP INDEX \"{name}\""))?;
            kept.push(sql);
            dropped = true;
        }
    }
    for (index, triggers) in FULL_TEXT {
        let sqls = triggers
            .iter()
            .map(|t| sql_of("trigger", t))
            .collect::<Result<Option<Vec<String>>>>()?;
        let Some(sqls) = sqls else { continue };
        for (name, sql) in triggers.iter().zip(sqls) {
            tx.execute_batch(&format!("DROP TRIGGER \"{name}\""))?;
            kept.push(sql);
        }
        kept.push(format!("INSERT INTO {index}({index}) VALUES ('rebuild')"));
        dropped = true;
    }
    if dropped {
        set_pending(&tx, &kept)?;
    }
    tx.commit()?;
    Ok(dropped)
}

/// The SQL of indexes dropped and not yet built again (by a bulk load, or a pack).
pub fn pending(conn: &Connection) -> Result<Vec<String>> {
    let v: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [KEY], |r| r.get(0))
        .optional()?;
    Ok(match v {
        Some(v) => serde_json::from_str(&v)?,
        None => Vec::new(),
    })
}

/// Remember `sqls` as the indexes the next writing open builds ([`restore`]).
pub fn set_pending(conn: &Connection, sqls: &[String]) -> Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
        rusqlite::params![KEY, serde_json::to_string(sqls)?],
    )?;
    Ok(())
}

/// Build the indexes a bulk load dropped, in one transaction; nothing when none are missing.
pub fn restore(conn: &mut Connection) -> Result<()> {
    let pending = pending(conn)?;
    if pending.is_empty() {
        return Ok(());
    }
    // SQLite's sorter sorts each index's keys on helper threads, a memory-load (bounded by
    // the page cache) at a time, while the table scan goes on. With the case's usual 64 MiB
    // cache one index's keys fit in one load and nothing runs beside the scan; with a small
    // cache they do. The five participant indexes of 737 k Dashboard rows: 4.0–4.3 s with
    // 64 MiB, 2.3–2.7 s with 4 MiB, on two cores (the table is read sequentially, so the
    // cache does not help the scan).
    let cache: i64 = conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
    conn.pragma_update(None, "threads", i64::try_from(crate::util::cores())?)?;
    conn.pragma_update(None, "cache_size", -SORT_CACHE_KIB)?;
    let built = (|| -> Result<()> {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        for sql in pending {
            tx.execute_batch(&idempotent(&sql))?;
        }
        tx.execute("DELETE FROM meta WHERE key = ?1", [KEY])?;
        tx.commit()?;
        Ok(())
    })();
    conn.pragma_update(None, "cache_size", cache)?;
    conn.pragma_update(None, "threads", 0)?;
    built
}

/// `sql` (an index or trigger as `sqlite_schema` keeps it, or a rebuild) such that running it
/// again after a kill mid-[`restore`] does no harm.
fn idempotent(sql: &str) -> String {
    for what in ["INDEX", "TRIGGER"] {
        let create = format!("CREATE {what} ");
        if sql.starts_with(&create) && !sql.starts_with(&format!("{create}IF NOT EXISTS ")) {
            return sql.replacen(&create, &format!("{create}IF NOT EXISTS "), 1);
        }
    }
    sql.to_string()
}

/// The page cache while indexes are built ([`restore`]), KiB.
const SORT_CACHE_KIB: i64 = 4 * 1024;

/// Records per transaction in a bulk load (twenty-five times `ingest::BATCH`). A batch writes
/// every page its rows touch, and most are pages of indexes over random keys (SHA-256s, natural
/// keys) that every batch touches again: fewer, larger batches write far fewer pages. With
/// [`CACHE_KIB`], measured with `strace -c` on `gen --users 2000 --days 30`'s captures and
/// webhooks into a new case: `pwrite`s 1.36 M → 0.69 M from 20,000 to 100,000 records, 28.3 s
/// against 29–34 s. On everything `gen --users 20000 --days 30` writes, 100,000 → 500,000:
/// 40 → 20 GB written for a 6 GB case, 310 → 285 s; the WAL peaks at 0.78 GB (a batch's pages
/// that do not fit the cache spill into it, each page once).
pub const BATCH: usize = 500_000;

/// SQLite's page cache during a bulk load (KiB): it must hold a whole batch's dirty pages, or
/// they spill mid-batch and are written again at the commit. Peak memory of that import rises
/// by about 200 MB for its duration.
const CACHE_KIB: i64 = 256 * 1024;

/// The larger page cache of a bulk load (`on`), or back to the case's usual one.
pub fn load_cache(conn: &Connection, on: bool) -> Result<()> {
    let kib = if on { CACHE_KIB } else { super::CACHE_KIB };
    conn.pragma_update(None, "cache_size", -kib)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(conn: &Connection, kind: &str) -> Vec<String> {
        conn.prepare("SELECT name FROM sqlite_schema WHERE type = ?1 ORDER BY name")
            .unwrap()
            .query_map([kind], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    #[test]
    fn a_bulk_load_finds_every_value_once_its_full_text_indexes_are_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = crate::store::Store::open(&dir.path().join("c.zl")).unwrap();
        let conn = &mut store.conn;
        let (triggers, indexes) = (names(conn, "trigger"), names(conn, "index"));
        conn.execute(
            "INSERT INTO search_terms (kind, value) VALUES ('name', 'Before Load')",
            [],
        )
        .unwrap();
        assert!(begin(conn).unwrap());
        assert!(
            names(conn, "trigger").is_empty(),
            "{:?}",
            names(conn, "trigger")
        );
        conn.execute(
            "INSERT INTO search_terms (kind, value) VALUES ('name', 'Mallory Loaded')",
            [],
        )
        .unwrap();
        restore(conn).unwrap();
        assert_eq!(names(conn, "trigger"), triggers);
        assert_eq!(names(conn, "index"), indexes);
        assert!(pending(conn).unwrap().is_empty());
        let found = |word: &str| -> i64 {
            conn.query_row(
                "SELECT count(*) FROM search_fts WHERE search_fts MATCH ?1",
                [word],
                |r| r.get(0),
            )
            .unwrap()
        };
        assert_eq!((found("before"), found("mallory")), (1, 1));
        conn.execute(
            "INSERT INTO search_fts(search_fts) VALUES ('integrity-check')",
            [],
        )
        .unwrap();
        // And the triggers work again for what comes next.
        conn.execute(
            "INSERT INTO search_terms (kind, value) VALUES ('name', 'Trent After')",
            [],
        )
        .unwrap();
        assert_eq!(found("trent"), 1);
    }

    #[test]
    fn a_restore_killed_midway_runs_again_without_error() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = crate::store::Store::open(&dir.path().join("c.zl")).unwrap();
        let conn = &mut store.conn;
        assert!(begin(conn).unwrap());
        let sqls = pending(conn).unwrap();
        restore(conn).unwrap();
        // As if killed after its statements ran but before `meta` was cleared.
        set_pending(conn, &sqls).unwrap();
        restore(conn).unwrap();
        assert!(pending(conn).unwrap().is_empty());
        assert_eq!(
            idempotent("CREATE TRIGGER IF NOT EXISTS t AFTER INSERT ON x BEGIN SELECT 1; END"),
            "CREATE TRIGGER IF NOT EXISTS t AFTER INSERT ON x BEGIN SELECT 1; END"
        );
    }
}
