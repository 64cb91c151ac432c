//! The case file: one SQLite database per case (WAL, versioned schema, forward migrations).
//!
//! The store only stores and answers queries. Writers go through [`writer::Writer`] (one
//! transaction per batch, so an interrupted import leaves a consistent case); readers use
//! [`Store::open_readonly`], whose connection cannot modify the evidence.

pub mod bulk;
pub mod feed;
pub mod pack;
pub mod query;
pub mod raw;
pub mod read;
pub mod status;
pub mod verify;
pub mod writer;

use anyhow::{Context, Result, bail};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};

pub use writer::{Counts, MeetingActivity, Outcome, Writer};
pub use writer::{Disclaimer, HistoryMeeting, RecordingAccess, RemoteSupport, RiskAlert};

/// A forward migration: its SQL, then, when SQL alone cannot do it, a Rust step run in the
/// same transaction.
type Migration = (&'static str, Option<fn(&Connection) -> Result<()>>);

/// SQLite's page cache of a writing connection, in KiB (a bulk load takes more, see
/// [`bulk::BATCH`]).
pub const CACHE_KIB: i64 = 64 * 1024;

/// Prepared statements a writing connection keeps (rusqlite keeps 16): the writer alone
/// prepares some fifty, and a statement pushed out is parsed again on its next record.
const STATEMENTS: usize = 128;

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
    (
        include_str!("migrations/0006_triage.sql"),
        Some(add_incident_column),
    ),
    (include_str!("migrations/0007_waiting_channels.sql"), None),
    (
        include_str!("migrations/0008_explain.sql"),
        Some(add_explain_columns),
    ),
    (include_str!("migrations/0009_fulltext.sql"), None),
    // The compression itself runs after the upgrade commits (see `Store::finish_compaction`).
    (include_str!("migrations/0010_compact.sql"), None),
    // Issue 18's newer sources.
    (include_str!("migrations/0011_newer.sql"), None),
    // issue 19: identity-provider and file-access events.
    (include_str!("migrations/0012_beyond.sql"), None),
    // Issue 17: SHA-256s as 32 bytes; deliveries kept once (rewritten after the upgrade commits).
    (
        include_str!("migrations/0013_deliveries.sql"),
        Some(sums_as_bytes),
    ),
    // Identity-provider and file-access events by IP (the console's IP timeline).
    (include_str!("migrations/0014_ip_indexes.sql"), None),
    // Further evidence deduplicated through a narrow index on its hash.
    (include_str!("migrations/0015_evidence_key.sql"), None),
];
const VIEWS: &str = include_str!("views.sql");

/// Schema 13: every stored SHA-256 (`sha256`, and a delivery's `payload_sha256`) from its
/// 64-character hex text to its 32 bytes, which halves it in each row and unique index.
/// Values that are not a hex SHA-256 stay as they are (`verify` reports them). Replayable.
fn sums_as_bytes(c: &Connection) -> Result<()> {
    let cols: Vec<(String, String)> = c
        .prepare(
            "SELECT m.name, p.name FROM sqlite_schema m, pragma_table_info(m.name) p
             WHERE m.type = 'table' AND p.name IN ('sha256', 'payload_sha256')
             ORDER BY m.name, p.name",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (t, col) in cols {
        c.execute(
            &format!(
                "UPDATE \"{t}\" SET \"{col}\" = unhex(\"{col}\")
                 WHERE typeof(\"{col}\") = 'text' AND length(\"{col}\") = 64
                   AND unhex(\"{col}\") IS NOT NULL"
            ),
            [],
        )?;
    }
    Ok(())
}

/// Schema 6: `findings.incident_id`, added only where missing (SQLite has no
/// `ADD COLUMN IF NOT EXISTS`), so the step can be replayed safely.
fn add_incident_column(c: &Connection) -> Result<()> {
    let has: bool = c.query_row(
        "SELECT count(*) > 0 FROM pragma_table_info('findings') WHERE name = 'incident_id'",
        [],
        |r| r.get(0),
    )?;
    if !has {
        c.execute_batch("ALTER TABLE findings ADD COLUMN incident_id INTEGER")?;
    }
    c.execute_batch("CREATE INDEX IF NOT EXISTS findings_incident ON findings (incident_id)")?;
    Ok(())
}

/// Schema 8: each finding's actor, target, its rule's question and the facts that made it fire,
/// added only where missing so the step can be replayed safely.
fn add_explain_columns(c: &Connection) -> Result<()> {
    for (col, decl) in [
        ("actor", "TEXT"),
        ("target", "TEXT"),
        ("question", "TEXT NOT NULL DEFAULT ''"),
        ("why", "TEXT NOT NULL DEFAULT '[]'"),
    ] {
        let has: bool = c.query_row(
            "SELECT count(*) > 0 FROM pragma_table_info('findings') WHERE name = ?1",
            [col],
            |r| r.get(0),
        )?;
        if !has {
            c.execute_batch(&format!("ALTER TABLE findings ADD COLUMN {col} {decl}"))?;
        }
    }
    c.execute_batch("CREATE INDEX IF NOT EXISTS findings_actor ON findings (actor)")?;
    Ok(())
}

/// `zl_geo(ip, own)`: where an address is, for the console's rows, and `zl_geo_country(ip,
/// own)`, the country alone (what the timeline groups by). Without a geolocation database they
/// read the record's own location (Zoom's "City (CC)", a provider's); with one,
/// [`crate::detect::sql_functions`] registers them again to look the address up (issue 19).
/// `zl_aliases(email)`: the names a person has in other systems, as a JSON array (here only
/// the email; with the detection config, its `user_aliases` too).
fn geo_fallback(conn: &Connection) -> Result<()> {
    use rusqlite::functions::FunctionFlags;
    let det = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    conn.create_scalar_function("zl_geo", 2, det, |c| {
        let own: Option<String> = c.get(1)?;
        Ok(own.filter(|s| !s.trim().is_empty()))
    })?;
    conn.create_scalar_function("zl_geo_country", 2, det, |c| {
        let own: Option<String> = c.get(1)?;
        Ok(own.as_deref().and_then(country_of_location))
    })?;
    conn.create_scalar_function("zl_aliases", 1, det, |c| {
        let email: Option<String> = c.get(0)?;
        Ok(serde_json::json!([email.unwrap_or_default()]).to_string())
    })?;
    Ok(())
}

/// The country in a location as the sources write it: Zoom's "Madrid (ES)", a provider's
/// "Paris, FR" or a bare "DE".
pub fn country_of_location(loc: &str) -> Option<String> {
    let l = loc.trim();
    let c = if let (Some(a), true) = (l.rfind('('), l.ends_with(')')) {
        &l[a + 1..l.len() - 1]
    } else if let Some(a) = l.rfind(',') {
        &l[a + 1..]
    } else {
        l
    };
    let c = c.trim();
    (!c.is_empty()).then(|| c.to_string())
}

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

pub struct Store {
    pub conn: Connection,
    pub path: PathBuf,
    /// Search terms committed by this store's writers (see [`writer::Terms`]).
    terms: writer::Terms,
}

/// `PRAGMA application_id` of a zoomlens case ("ZLEN"); older cases are recognised by their
/// tables instead.
pub const APPLICATION_ID: i64 = 0x5A4C_454E;

/// What a file on disk is, judged without writing to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileKind {
    Missing,
    Empty,
    NotSqlite,
    /// An SQLite database of another application (its first tables, for the message).
    ForeignSqlite(Vec<String>),
    /// A zoomlens case at this schema version.
    Case(i64),
    /// A case packed for hand-over (`zoomlens pack`).
    Pack,
}

/// Look at `path` read-only: is it a zoomlens case, and of which schema version?
pub fn inspect(path: &Path) -> Result<FileKind> {
    use std::io::Read;
    let mut f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(FileKind::Missing),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let mut head = [0u8; 100];
    let n = f.read(&mut head)?;
    if n == 0 {
        return Ok(FileKind::Empty);
    }
    if pack::is_pack(&head[..n]) {
        return Ok(FileKind::Pack);
    }
    if n < 100 || &head[..16] != b"SQLite format 3\0" {
        return Ok(FileKind::NotSqlite);
    }
    let conn = open_ro(path)?;
    let app_id: i64 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let ours = app_id == APPLICATION_ID
        || (app_id == 0
            && version >= 1
            && ["meta", "origins"]
                .iter()
                .all(|t| tables.iter().any(|x| x == t)));
    Ok(if ours {
        FileKind::Case(version)
    } else {
        FileKind::ForeignSqlite(tables.into_iter().take(5).collect())
    })
}

/// A case's size on disk: the file plus its write-ahead log.
pub fn case_bytes(path: &Path) -> u64 {
    let len = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    len(path) + len(Path::new(&wal))
}

/// A read-only connection that never writes to the file, also on read-only media: where
/// SQLite cannot create the WAL index beside the case, the file is opened as immutable.
fn open_ro(path: &Path) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let plain = Connection::open_with_flags(path, flags).and_then(|c| {
        c.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))?;
        Ok(c)
    });
    let conn = match plain {
        Ok(c) => c,
        Err(first) => {
            let abs = std::fs::canonicalize(path)
                .with_context(|| format!("cannot open case file {}", path.display()))?;
            let uri = url::Url::from_file_path(&abs)
                .map_err(|_| anyhow::anyhow!("cannot open case file {}", path.display()))?;
            Connection::open_with_flags(format!("{uri}?immutable=1"), flags)
                .and_then(|c| {
                    c.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))?;
                    Ok(c)
                })
                .map_err(|_| first)
                .with_context(|| format!("cannot open case file {}", path.display()))?
        }
    };
    raw::register(&conn)?;
    Ok(conn)
}

/// Plans that do not depend on the values bound. SQLite (3.54) marks a statement to be planned
/// again when a value bound to an `= ?` term its index does not use changes, and rusqlite
/// clears a cached statement's values when it is handed back: without this, the writer's
/// lookups (a webhook's leave matched to its join, say) were parsed and planned anew for every
/// record, 5% of an import. The only values that could choose a better plan are `LIKE`
/// patterns, and every pattern zoomlens binds starts with `%` (a search, an address domain),
/// which no index serves; a case has no `sqlite_stat4` either.
fn plans_fixed(conn: &Connection) -> Result<()> {
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    conn.set_prepared_statement_cache_capacity(STATEMENTS);
    Ok(())
}

/// The error for a file that is not a case; `None` when it is one (or may become one).
pub fn refuse(path: &Path, kind: &FileKind, creating: bool) -> Option<anyhow::Error> {
    let p = path.display();
    Some(match kind {
        FileKind::Missing | FileKind::Empty if creating => return None,
        FileKind::Missing => {
            anyhow::anyhow!("no case file at {p} (create one with `zoomlens import {p} FILE...`)")
        }
        FileKind::Empty => anyhow::anyhow!(
            "{p} is an empty file, not a zoomlens case yet (`zoomlens import {p} FILE...` \
             makes it one)"
        ),
        FileKind::NotSqlite => anyhow::anyhow!(
            "{p} is not a zoomlens case (not an SQLite database); nothing was changed"
        ),
        FileKind::ForeignSqlite(tables) => anyhow::anyhow!(
            "{p} is an SQLite database of another application (tables {}), not a zoomlens case; \
             zoomlens never modifies other files",
            if tables.is_empty() {
                "none".to_string()
            } else {
                tables.join(", ")
            }
        ),
        FileKind::Pack => anyhow::anyhow!(
            "{p} is a packed case (made by `zoomlens pack`); unpack it first: \
             `zoomlens unpack {p}`; nothing was changed"
        ),
        FileKind::Case(v) if *v > SCHEMA_VERSION => anyhow::anyhow!(
            "case file {p} has schema version {v}, newer than this zoomlens understands \
             ({SCHEMA_VERSION}); open it with a newer zoomlens"
        ),
        FileKind::Case(_) => return None,
    })
}

/// Only reading: no user SQL may write, attach, vacuum into a copy or turn `query_only` off.
/// Pragmas that only report (table_info, user_version...) stay allowed.
fn read_only_authorizer(ctx: rusqlite::hooks::AuthContext<'_>) -> rusqlite::hooks::Authorization {
    use rusqlite::hooks::{AuthAction as A, Authorization};
    const REPORTING: &[&str] = &[
        "table_info",
        "table_xinfo",
        "table_list",
        "index_list",
        "index_info",
        "index_xinfo",
        "foreign_key_list",
        "function_list",
        "pragma_list",
        "module_list",
        "collation_list",
        "database_list",
        "compile_options",
        "quick_check",
        "integrity_check",
    ];
    match ctx.action {
        A::Select | A::Read { .. } | A::Function { .. } | A::Recursive => Authorization::Allow,
        A::Transaction { .. } | A::Savepoint { .. } => Authorization::Allow,
        A::Pragma {
            pragma_name,
            pragma_value,
        } => {
            let name = pragma_name.to_ascii_lowercase();
            if pragma_value.is_none() || REPORTING.contains(&name.as_str()) {
                Authorization::Allow
            } else {
                Authorization::Deny
            }
        }
        _ => Authorization::Deny,
    }
}

impl Store {
    /// Open a case for writing, creating it if missing and upgrading an older schema. A file
    /// that is not a zoomlens case (another application's database, a text file) is refused
    /// and left untouched; an empty file (`mktemp`) becomes a case, and the log says so.
    pub fn open(path: &Path) -> Result<Store> {
        Self::open_as(path, true)
    }

    /// [`Self::open`] for `zoomlens compact`, which does the compaction an upgrade leaves
    /// pending itself, with progress, rather than silently on opening.
    pub fn open_to_compact(path: &Path) -> Result<Store> {
        Self::open_as(path, false)
    }

    fn open_as(path: &Path, compact_pending: bool) -> Result<Store> {
        let kind = inspect(path)?;
        if let Some(e) = refuse(path, &kind, true) {
            return Err(e);
        }
        if kind == FileKind::Empty {
            tracing::warn!(
                "{} was an empty file; it is now a zoomlens case",
                path.display()
            );
        }
        if let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
            && !dir.exists()
        {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create the folder for case {}", path.display()))?;
        }
        let conn = Connection::open(path)
            .with_context(|| format!("cannot open case file {}", path.display()))?;
        raw::register(&conn)?;
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .with_context(|| {
                format!(
                    "cannot switch case file {} to WAL mode (is its folder writable?)",
                    path.display()
                )
            })?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "OFF")?;
        conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
        plans_fixed(&conn)?;
        geo_fallback(&conn)?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            terms: Default::default(),
        };
        store.migrate()?;
        if compact_pending {
            store.finish_compaction()?;
        }
        // A bulk import killed before it rebuilt its indexes: build them now.
        bulk::restore(&mut store.conn)?;
        Ok(store)
    }

    /// Whether an upgrade left a compaction to do (see migrations 0010 and 0013).
    fn compact_pending(&self) -> Result<bool> {
        Ok(self
            .conn
            .prepare("SELECT 1 FROM meta WHERE key = 'compact_pending'")?
            .exists([])?)
    }

    /// Compress the records an upgrade to schema 10 left plain and point copies of webhook
    /// deliveries at them (schema 13), a chunk per transaction, so a kill loses one chunk and
    /// the next writing open continues; then give the freed pages back to the file system.
    fn finish_compaction(&mut self) -> Result<()> {
        if self.compact_pending()? {
            tracing::info!("compressing the evidence of {}", self.path.display());
            raw::compact(&mut self.conn, false, |_, _| {})?;
            self.conn
                .execute("DELETE FROM meta WHERE key = 'compact_pending'", [])?;
            // Rows rewritten smaller (by the upgrade or the compaction) leave pages part empty
            // rather than free: only a rewrite of the file gives the space back.
            self.vacuum()?;
        }
        Ok(())
    }

    /// `zoomlens compact`: compress every record still stored plain (training the dictionaries
    /// tables lack), then rewrite the file without its free pages. Each step is atomic and a
    /// killed run leaves a consistent case that the next run completes.
    pub fn compact(&mut self, progress: impl FnMut(&str, u64)) -> Result<raw::Compaction> {
        let before = self.file_bytes();
        let pending = self.compact_pending()?;
        let mut done = raw::compact(&mut self.conn, true, progress)?;
        self.conn
            .execute("DELETE FROM meta WHERE key = 'compact_pending'", [])?;
        let free: i64 = self
            .conn
            .query_row("PRAGMA freelist_count", [], |r| r.get(0))?;
        if pending || free > 0 || !done.tables.is_empty() {
            self.vacuum()?;
        }
        done.bytes_before = before;
        done.bytes_after = self.file_bytes();
        Ok(done)
    }

    /// The case's size on disk: the file plus its write-ahead log.
    pub fn file_bytes(&self) -> u64 {
        case_bytes(&self.path)
    }

    /// VACUUM (one transaction: a kill leaves the case as it was), then fold the log back.
    fn vacuum(&mut self) -> Result<()> {
        self.conn.execute_batch("VACUUM")?;
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// Open an existing case read-only, without writing a byte: the file must be a zoomlens
    /// case of the current schema (an older one is refused with the command that upgrades it),
    /// and the connection refuses any write through SQL, including `PRAGMA query_only = OFF`,
    /// `ATTACH` and `VACUUM INTO`.
    pub fn open_readonly(path: &Path) -> Result<Store> {
        let kind = inspect(path)?;
        if let Some(e) = refuse(path, &kind, false) {
            return Err(e);
        }
        if let FileKind::Case(v) = kind
            && v < SCHEMA_VERSION
        {
            bail!(
                "case file {p} has schema version {v}; this zoomlens reads version {SCHEMA_VERSION}. \
                 Upgrade it first with `zoomlens upgrade {p}` (commands that only read never \
                 change a case)",
                p = path.display()
            );
        }
        let mut conn = open_ro(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        conn.pragma_update(None, "query_only", true)?;
        conn.authorizer(Some(read_only_authorizer))?;
        geo_fallback(&conn)?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            terms: Default::default(),
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
            if have > 0 {
                // Some steps rewrite whole tables: on a large case the user waits minutes once.
                tracing::warn!(
                    "upgrading case {} from schema version {have} to {SCHEMA_VERSION} \
                     (once; a large case takes minutes)",
                    self.path.display()
                );
            }
            self.conn
                .pragma_update(None, "application_id", APPLICATION_ID)?;
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
        Writer::begin(&mut self.conn, &mut self.terms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::OptionalExtension;

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

    /// The writer's per-record lookups are planned once, not once per record: the statement
    /// a webhook's leave uses to find its join, run for records with different values.
    #[test]
    fn a_cached_lookup_is_not_planned_again_for_each_record() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("a.case")).unwrap();
        let sql = "SELECT id FROM participants WHERE meeting_uuid = ?1 AND user_id = ?2
                   AND join_time <= ?3 AND (leave_time IS NULL OR leave_time = ?3)
                   ORDER BY join_time DESC LIMIT 1";
        for i in 0..20 {
            let t = format!("2026-03-{:02}T10:00:00Z", i + 1);
            let mut st = s.conn.prepare_cached(sql).unwrap();
            let _: Option<i64> = st
                .query_row(rusqlite::params!["m", format!("u{i}"), t], |r| r.get(0))
                .optional()
                .unwrap();
        }
        let st = s.conn.prepare_cached(sql).unwrap();
        assert_eq!(
            st.get_status(rusqlite::StatementStatus::RePrepare),
            0,
            "planned again on new values"
        );
    }

    #[test]
    fn newer_case_is_refused_with_a_clear_message() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.case");
        {
            let c = Connection::open(&p).unwrap();
            c.execute_batch("CREATE TABLE meta (k); CREATE TABLE origins (id);")
                .unwrap();
            c.pragma_update(None, "user_version", SCHEMA_VERSION + 5)
                .unwrap();
        }
        let err = Store::open(&p).err().unwrap().to_string();
        assert!(err.contains("newer than this zoomlens"), "{err}");
    }

    /// A case from an older zoomlens is read only after `upgrade`: the read-only open refuses
    /// it (naming the command) without changing a byte; a writing open upgrades it.
    #[test]
    fn older_case_is_refused_read_only_and_upgraded_by_a_writer() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("old.case");
        {
            let c = Connection::open(&p).unwrap();
            c.pragma_update(None, "journal_mode", "WAL").unwrap();
            for (i, (sql, _)) in MIGRATIONS.iter().take(5).enumerate() {
                c.execute_batch(sql).unwrap();
                c.pragma_update(None, "user_version", (i + 1) as i64)
                    .unwrap();
            }
            c.execute_batch(VIEWS).unwrap();
        }
        let before = std::fs::read(&p).unwrap();
        let err = Store::open_readonly(&p).err().unwrap().to_string();
        assert!(err.contains("zoomlens upgrade"), "{err}");
        assert_eq!(std::fs::read(&p).unwrap(), before);
        let s = Store::open(&p).unwrap();
        assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
        drop(s);
        assert!(Store::open_readonly(&p).is_ok());
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
