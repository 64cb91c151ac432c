//! The case file: one SQLite database per case (WAL, versioned schema, forward migrations).
//!
//! The store only stores and answers queries. Writers go through [`writer::Writer`] (one
//! transaction per batch, so an interrupted import leaves a consistent case); readers use
//! [`Store::open_readonly`], whose connection cannot modify the evidence.

pub mod query;
pub mod read;
pub mod status;
pub mod writer;

use anyhow::{Context, Result, bail};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};

pub use writer::{Counts, MeetingActivity, Outcome, Writer};

/// A forward migration: its SQL, then, when SQL alone cannot do it, a Rust step run in the
/// same transaction.
type Migration = (&'static str, Option<fn(&Connection) -> Result<()>>);

/// Forward migrations; index + 1 is the schema version they produce.
const MIGRATIONS: &[Migration] = &[
    (include_str!("migrations/0001_init.sql"), None),
    (include_str!("migrations/0002_findings.sql"), None),
    (include_str!("migrations/0003_sync.sql"), None),
    (
        include_str!("migrations/0004_signin_merge.sql"),
        Some(|c| writer::fold_signins(c).map(drop)),
    ),
    (include_str!("migrations/0005_pivot_indexes.sql"), None),
    (include_str!("migrations/0006_triage.sql"), None),
];
const VIEWS: &str = include_str!("views.sql");

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

pub struct Store {
    pub conn: Connection,
    pub path: PathBuf,
}

impl Store {
    /// Open a case for writing, creating it if missing and upgrading an older schema.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
            && !dir.exists()
        {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create the folder for case {}", path.display()))?;
        }
        let conn = Connection::open(path)
            .with_context(|| format!("cannot open case file {}", path.display()))?;
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "OFF")?;
        conn.pragma_update(None, "cache_size", -65536)?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store.migrate()?;
        Ok(store)
    }

    /// Open an existing case read-only: the connection itself refuses writes.
    pub fn open_readonly(path: &Path) -> Result<Store> {
        if !path.exists() {
            bail!(
                "no case file at {} (create one with `zoomlens import {} FILE...`)",
                path.display(),
                path.display()
            );
        }
        // Bring an older case up to date first, so the views readers rely on exist.
        drop(Store::open(path)?);
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI,
        )
        .with_context(|| format!("cannot open case file {}", path.display()))?;
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        conn.pragma_update(None, "query_only", true)?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
        })
    }

    pub fn schema_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    fn migrate(&mut self) -> Result<()> {
        let have = self.schema_version()?;
        if have > SCHEMA_VERSION {
            bail!(
                "case file {} has schema version {have}, newer than this zoomlens understands ({SCHEMA_VERSION}); \
                 open it with a newer zoomlens",
                self.path.display()
            );
        }
        if have < SCHEMA_VERSION {
            let tx = self.conn.transaction()?;
            for (i, (sql, then)) in MIGRATIONS.iter().enumerate().skip(have as usize) {
                tx.execute_batch(sql)
                    .with_context(|| format!("migrating case to schema version {}", i + 1))?;
                if let Some(step) = then {
                    step(&tx)
                        .with_context(|| format!("migrating case to schema version {}", i + 1))?;
                }
                tx.pragma_update(None, "user_version", (i + 1) as i64)?;
            }
            tx.execute_batch(VIEWS)?;
            tx.commit()?;
        }
        Ok(())
    }

    /// Begin a write batch (one atomic transaction).
    pub fn writer(&mut self) -> Result<Writer<'_>> {
        Writer::begin(&mut self.conn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_case_is_wal_and_current_version() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.case");
        let s = Store::open(&p).unwrap();
        assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
        let mode: String = s
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }

    #[test]
    fn newer_case_is_refused_with_a_clear_message() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.case");
        {
            let c = Connection::open(&p).unwrap();
            c.pragma_update(None, "user_version", SCHEMA_VERSION + 5)
                .unwrap();
        }
        let err = Store::open(&p).err().unwrap().to_string();
        assert!(err.contains("newer than this zoomlens"), "{err}");
    }

    #[test]
    fn readonly_connection_refuses_writes() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.case");
        drop(Store::open(&p).unwrap());
        let s = Store::open_readonly(&p).unwrap();
        assert!(s.conn.execute("DELETE FROM signins", []).is_err());
    }
}
