//! A case as one compressed file to hand over (`zoomlens pack`), and back (`zoomlens unpack`).
//!
//! The working case keeps what makes the console answer in milliseconds: indexes, each record
//! compressed on its own so one can be read without its neighbours, and each record's SHA-256.
//! None of that needs to travel. A pack is the case without its indexes (their SQL is kept and
//! they are built again on unpacking), with every record's bytes as text so that one zstd
//! stream with a long window compresses them across records, and without the stored SHA-256s
//! (32 random bytes a record, which no compressor shrinks): a digest per table over every
//! record's id and hash stands for them, and unpacking hashes every record again and refuses
//! the pack unless each table's digest comes out the same. On a month of a 2,000- or
//! 20,000-person company (`gen` with every log it writes) the pack is 0.18–0.19× the captures'
//! size, the case about as large as the captures.
//!
//! The file is a zstd skippable frame naming it (so `zstd -d` still yields the database and
//! [`super::inspect`] recognises a pack), then the packed database as one zstd frame.

use super::{Store, raw};
use crate::util::Sha256Sum;
use anyhow::{Context, Result, bail, ensure};
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// A zstd skippable frame's magic (0x184D2A50 + our nibble, little-endian on disk).
const FRAME_MAGIC: u32 = 0x184D_2A5A;
/// What the skippable frame holds first: a pack of this format.
const TAG: &[u8] = b"zoomlens pack 1\n";
/// The manifest's key in the packed database's `meta`.
const META: &str = "pack";
/// The long-distance window: records of one table far apart in the file still match.
const WINDOW_LOG: u32 = 27;
/// zstd level by default: measured on the 2k tenant (see the README).
pub const LEVEL: i32 = 9;
/// A working copy's page cache (KiB): every table is read and rewritten, and with SQLite's
/// default 8 MB cache most page reads went back to the file.
const CACHE_KIB: i64 = 256 * 1024;
/// Rows read and rewritten per statement batch.
const CHUNK: i64 = 5000;

/// What travels instead of the per-record SHA-256s.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Manifest {
    /// The version that packed it, for whoever reads the manifest.
    zoomlens: String,
    tables: Vec<TableDigest>,
}

/// A table's records and the SHA-256 over each one's (id, SHA-256) in id order.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
struct TableDigest {
    table: String,
    records: u64,
    digest: String,
}

/// What a pack or an unpack did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Packing {
    pub records: u64,
    pub case_bytes: u64,
    pub pack_bytes: u64,
}

/// A file being written beside its destination: removed (with SQLite's side files) unless it
/// is moved into place.
struct Scratch(Option<PathBuf>);

impl Scratch {
    fn beside(dest: &Path, what: &str) -> Result<Scratch> {
        let s = Scratch(Some(crate::util::beside(dest, what)?));
        s.remove();
        Ok(s)
    }

    fn path(&self) -> &Path {
        self.0.as_deref().expect("not yet moved")
    }

    fn remove(&self) {
        if let Some(p) = &self.0 {
            crate::util::remove_case_files(p);
        }
    }

    /// Move into place, never over an existing file unless `replace`.
    fn persist(mut self, dest: &Path, replace: bool) -> Result<()> {
        let p = self.0.take().expect("not yet moved");
        let moved = if replace {
            std::fs::rename(&p, dest)
        } else {
            // A hard link fails when `dest` exists, unlike a rename. File systems without links
            // (FAT and exFAT sticks, where packs travel) get a check, then the rename.
            match std::fs::hard_link(&p, dest) {
                Ok(()) => std::fs::remove_file(&p),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists || dest.exists() => Err(e),
                Err(_) => std::fs::rename(&p, dest),
            }
        };
        if let Err(e) = moved {
            self.0 = Some(p);
            return Err(e).with_context(|| format!("cannot write {}", dest.display()));
        }
        Ok(())
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        self.remove();
    }
}

fn refuse_existing(dest: &Path, replace: bool) -> Result<()> {
    if !replace && dest.exists() {
        bail!(
            "{} already exists; choose another name or pass --force to replace it",
            dest.display()
        );
    }
    Ok(())
}

fn file_len(p: &Path) -> u64 {
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
}

/// Visit `table`'s rows in rowid order, [`CHUNK`] at a time, each batch in its own statement so
/// `visit` may rewrite the rows it was given.
fn each_chunk(
    conn: &Connection,
    table: &str,
    columns: &str,
    mut visit: impl FnMut(&[(i64, Vec<rusqlite::types::Value>)]) -> Result<()>,
) -> Result<()> {
    let sel = format!(
        "SELECT rowid, {columns} FROM \"{table}\" WHERE rowid > ?1 ORDER BY rowid LIMIT {CHUNK}"
    );
    let width = columns.split(',').count();
    let mut after = i64::MIN;
    loop {
        let batch: Vec<(i64, Vec<rusqlite::types::Value>)> = conn
            .prepare_cached(&sel)?
            .query_map([after], |r| {
                let vals = (1..=width)
                    .map(|i| r.get(i))
                    .collect::<rusqlite::Result<_>>()?;
                Ok((r.get(0)?, vals))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let Some(last) = batch.last() else {
            return Ok(());
        };
        after = last.0;
        visit(&batch)?;
    }
}

/// A working copy is nobody's evidence until it is moved into place: no journal, no syncs.
fn scratch_pragmas(conn: &Connection) -> Result<()> {
    conn.execute_batch(&format!(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -{CACHE_KIB};"
    ))?;
    Ok(())
}

fn digest_step(h: &mut Sha256, id: i64, sha: &Sha256Sum) {
    h.update(id.to_le_bytes());
    h.update(sha.0);
}

/// Pack `case` into `dest`. The case is only read (the copy is SQLite's `VACUUM INTO` from a
/// read-only connection); `dest` appears whole or not at all. `progress` hears each step.
pub fn pack(
    case: &Path,
    dest: &Path,
    level: i32,
    replace: bool,
    mut progress: impl FnMut(&str),
) -> Result<Packing> {
    // Refuses what is not a case of this schema, with the command that helps.
    drop(Store::open_readonly(case)?);
    // A destination whose folder does not exist yet cannot be the case.
    let names_case = match (crate::util::resolve(dest), crate::util::resolve(case)) {
        (Ok(d), Ok(c)) => crate::util::is_case_file(&d, &c),
        _ => false,
    };
    ensure!(
        !names_case,
        "the pack would replace the case {} itself; write it to another file",
        case.display()
    );
    refuse_existing(dest, replace)?;
    let db = Scratch::beside(dest, "pack-db")?;
    progress("copying the case");
    {
        let src = super::open_ro(case)?;
        src.execute("VACUUM INTO ?1", [db.path().to_string_lossy()])
            .with_context(|| {
                format!(
                    "cannot copy {} beside {} (packing needs about twice the case's size free \
                     there while it works)",
                    case.display(),
                    dest.display()
                )
            })?;
    }
    let mut copy = Connection::open(db.path())?;
    scratch_pragmas(&copy)?;
    raw::register(&copy)?;
    // One transaction: SQLite walks its whole page cache at the end of each one.
    let conn = copy.transaction()?;

    // Indexes travel as their SQL; the bulk loader's list is what a writing open builds again.
    progress("setting the indexes aside");
    let indexes: Vec<(String, String)> = conn
        .prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut kept = super::bulk::pending(&conn)?;
    for (name, sql) in indexes {
        conn.execute_batch(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))?;
        kept.push(sql);
    }
    super::bulk::set_pending(&conn, &kept)?;

    let mut manifest = Manifest {
        zoomlens: env!("CARGO_PKG_VERSION").to_string(),
        tables: Vec::new(),
    };
    let mut dec = raw::Decoder::default();
    let mut records = 0u64;
    for (table, hashed) in raw::record_tables(&conn)? {
        progress(&format!("preparing the records of {table}"));
        let mut h = Sha256::new();
        let mut n = 0u64;
        let cols = if hashed { "raw, sha256" } else { "raw" };
        let rewrite = |set: &str| format!("UPDATE \"{table}\" SET {set} WHERE rowid = ?1");
        each_chunk(&conn, &table, cols, |rows| {
            for (id, v) in rows {
                n += 1;
                if hashed {
                    let sha: Sha256Sum = rusqlite::types::FromSql::column_result((&v[1]).into())
                        .with_context(|| format!("{table} #{id} has no SHA-256"))?;
                    digest_step(&mut h, *id, &sha);
                }
                // Compressed records as text, for the whole stream to compress across them;
                // references to a delivery stay references.
                let text = match &v[0] {
                    rusqlite::types::Value::Blob(b) if raw::is_compressed(b) => {
                        String::from_utf8(dec.decode(&conn, (&v[0]).into())?).ok()
                    }
                    _ => None,
                };
                match (text, hashed) {
                    (Some(t), true) => conn
                        .prepare_cached(&rewrite("raw = ?2, sha256 = x''"))?
                        .execute(params![id, t])?,
                    (Some(t), false) => conn
                        .prepare_cached(&rewrite("raw = ?2"))?
                        .execute(params![id, t])?,
                    (None, true) => conn
                        .prepare_cached(&rewrite("sha256 = x''"))?
                        .execute([id])?,
                    (None, false) => 0,
                };
            }
            Ok(())
        })?;
        records += n;
        if hashed {
            manifest.tables.push(TableDigest {
                table,
                records: n,
                digest: hex::encode(h.finalize()),
            });
        }
    }
    conn.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
        params![META, serde_json::to_string(&manifest)?],
    )?;
    conn.commit()?;
    progress("rewriting the copy");
    copy.execute_batch("VACUUM")?;
    drop(copy);

    progress("compressing the pack");
    let out = Scratch::beside(dest, "pack")?;
    {
        let mut f = std::io::BufWriter::new(
            std::fs::File::create(out.path())
                .with_context(|| format!("cannot write beside {}", dest.display()))?,
        );
        f.write_all(&FRAME_MAGIC.to_le_bytes())?;
        f.write_all(&u32::try_from(TAG.len())?.to_le_bytes())?;
        f.write_all(TAG)?;
        let mut z = zstd::stream::Encoder::new(f, level)?;
        z.long_distance_matching(true)?;
        z.window_log(WINDOW_LOG)?;
        z.multithread(u32::try_from(crate::util::cores())?)?;
        z.include_checksum(true)?;
        std::io::copy(&mut std::fs::File::open(db.path())?, &mut z)?;
        let f = z.finish()?;
        f.into_inner()?.sync_all()?;
    }
    let pack_bytes = file_len(out.path());
    out.persist(dest, replace)?;
    Ok(Packing {
        records,
        case_bytes: super::case_bytes(case),
        pack_bytes,
    })
}

/// Whether `head` (a file's first bytes) starts a pack: the skippable frame holding [`TAG`].
pub fn is_pack(head: &[u8]) -> bool {
    head.len() >= 8 + TAG.len()
        && head[..4] == FRAME_MAGIC.to_le_bytes()
        && head[4..8] == (TAG.len() as u32).to_le_bytes()
        && &head[8..8 + TAG.len()] == TAG
}

/// Unpack `pack` into a new case `dest`: every record hashed again and checked against the
/// pack's digests, compressed with its table's dictionary, the indexes built. `dest` appears
/// whole and verified, or not at all.
pub fn unpack(
    pack: &Path,
    dest: &Path,
    replace: bool,
    mut progress: impl FnMut(&str),
) -> Result<Packing> {
    let mut f = std::io::BufReader::new(
        std::fs::File::open(pack).with_context(|| format!("cannot read {}", pack.display()))?,
    );
    let mut head = vec![0u8; 8 + TAG.len()];
    ensure!(
        f.read_exact(&mut head).is_ok() && is_pack(&head),
        "{} is not a zoomlens pack (made by `zoomlens pack`)",
        pack.display()
    );
    refuse_existing(dest, replace)?;

    progress("decompressing the pack");
    let db = Scratch::beside(dest, "unpack")?;
    {
        let mut z = zstd::stream::Decoder::with_buffer(f)?;
        z.window_log_max(WINDOW_LOG)?;
        let mut out = std::fs::File::create(db.path())
            .with_context(|| format!("cannot write beside {}", dest.display()))?;
        if let Err(e) = std::io::copy(&mut z, &mut out) {
            if e.kind() == std::io::ErrorKind::StorageFull {
                bail!(
                    "no space left beside {} to unpack {} (it needs about ten times the \
                     pack's size free while it works); nothing was written",
                    dest.display(),
                    pack.display()
                );
            }
            return Err(e).with_context(|| {
                format!(
                    "{} is damaged or cut short (it does not decompress)",
                    pack.display()
                )
            });
        }
    }
    let damaged = |why: String| {
        anyhow::anyhow!(
            "{} is damaged: {why}; nothing was written (ask for the pack again)",
            pack.display()
        )
    };
    match super::inspect(db.path())? {
        super::FileKind::Case(v) if v <= super::SCHEMA_VERSION => {}
        super::FileKind::Case(v) => bail!(
            "{} holds a case of schema version {v}, newer than this zoomlens understands ({}); \
             unpack it with a newer zoomlens",
            pack.display(),
            super::SCHEMA_VERSION
        ),
        _ => return Err(damaged("it does not hold a zoomlens case".into())),
    }
    let mut conn = Connection::open(db.path())?;
    scratch_pragmas(&conn)?;
    raw::register(&conn)?;
    let manifest: Manifest = conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [META], |r| {
            r.get::<_, String>(0)
        })
        .map_err(|_| damaged("its manifest is missing".into()))
        .and_then(|m| {
            serde_json::from_str(&m).map_err(|_| damaged("its manifest is unreadable".into()))
        })?;

    let mut dec = raw::Decoder::default();
    let mut records = 0u64;
    let hashed: Vec<String> = raw::record_tables(&conn)?
        .into_iter()
        .filter_map(|(t, h)| h.then_some(t))
        .collect();
    let listed: Vec<&str> = manifest.tables.iter().map(|t| t.table.as_str()).collect();
    if hashed != listed {
        return Err(damaged(format!(
            "its tables ({}) are not those its manifest lists ({})",
            hashed.join(", "),
            listed.join(", ")
        )));
    }
    // Each record is hashed from its bytes and, in the same pass, stored compressed with its
    // table's dictionary as an import would have (a compaction afterwards walked each
    // multi-gigabyte table once per dictionary key).
    let mut codec = raw::Encoder::default();
    for (table, _) in raw::record_tables(&conn)? {
        let want = manifest.tables.iter().find(|t| t.table == table);
        progress(&format!("checking the records of {table}"));
        let mut h = Sha256::new();
        let mut n = 0u64;
        let split = raw::key_column(&table);
        let cols = split.map_or("raw".to_string(), |c| format!("raw, {c}"));
        let set = |what: &str| format!("UPDATE \"{table}\" SET {what} WHERE rowid = ?1");
        let tx = conn.transaction()?;
        each_chunk(&tx, &table, &cols, |rows| {
            for (id, v) in rows {
                let bytes = dec
                    .decode(&tx, (&v[0]).into())
                    .map_err(|e| damaged(format!("{table} #{id} cannot be read ({e})")))?;
                let sha = Sha256Sum::of(&bytes);
                digest_step(&mut h, *id, &sha);
                n += 1;
                let stored = match &v[0] {
                    rusqlite::types::Value::Text(text) => {
                        let value = v.get(1).and_then(|k| match k {
                            rusqlite::types::Value::Text(k) => Some(k.as_str()),
                            _ => None,
                        });
                        Some(codec.encode(&tx, &raw::key_of(&table, value), text)?)
                    }
                    _ => None,
                };
                match (stored, want.is_some()) {
                    (Some(r), true) => tx
                        .prepare_cached(&set("raw = ?2, sha256 = ?3"))?
                        .execute(params![id, r, sha])?,
                    (Some(r), false) => tx
                        .prepare_cached(&set("raw = ?2"))?
                        .execute(params![id, r])?,
                    (None, true) => tx
                        .prepare_cached(&set("sha256 = ?2"))?
                        .execute(params![id, sha])?,
                    (None, false) => 0,
                };
            }
            Ok(())
        })?;
        codec.finish(&tx)?;
        tx.commit()?;
        if let Some(want) = want {
            let got = TableDigest {
                table: table.clone(),
                records: n,
                digest: hex::encode(h.finalize()),
            };
            if &got != want {
                return Err(damaged(format!(
                    "the records of {table} are not those that were packed"
                )));
            }
        }
        records += n;
    }
    conn.execute("DELETE FROM meta WHERE key = ?1", [META])?;

    progress("rewriting the case");
    conn.execute_batch("VACUUM")?;
    progress("building the indexes");
    super::bulk::restore(&mut conn)?;
    drop(conn);
    // A pack from an older zoomlens is upgraded like any case.
    drop(Store::open(db.path())?);
    let case_bytes = file_len(db.path());
    db.persist(dest, replace)?;
    Ok(Packing {
        records,
        case_bytes,
        pack_bytes: file_len(pack),
    })
}
