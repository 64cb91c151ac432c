//! Evidence bytes at rest: every record's verbatim text (`raw`) kept compressed.
//!
//! A record is stored either as plain TEXT (small tables, rows written before their table had
//! a dictionary, and tables other code adds before it is wired here) or as a BLOB:
//! `[1][dictionary id, u32 LE][zstd frame]`, compressed with a zstd dictionary trained on
//! that table's own records. Records of one table share most of their keys and many values, so
//! a trained dictionary compresses a 1 KB participant row about 6× where plain zstd manages
//! 1.7× (measured on `gen` output, see `benches/raw_codec.rs`); per record rather than per page
//! keeps every record readable on its own and its SHA-256 over exactly its bytes.
//!
//! A webhook delivery is kept whole in `webhook_events` and is also the evidence of the
//! session, sign-in or meeting it reported. Those records do not store the bytes again: their
//! `raw` is a reference, `[2][webhook_events.id, i64 LE]`, to the delivery holding exactly
//! their bytes (on a month of `gen` output that is 305 k of 402 k further-evidence records).
//! The SHA-256 beside each record still covers its own original bytes.
//!
//! [`Encoder`] is the one place raw is encoded (the writer's put path and [`compact`] use it);
//! [`Decoder`] the one place it is decoded, also behind the SQL function `zl_raw(raw)` that
//! every connection the store opens registers.

use crate::model::Route;
use anyhow::{Context, Result};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

/// First byte of a compressed record (a later format would take another value).
const TAG: u8 = 1;
const HEADER: usize = 5;
/// First byte of a reference to the webhook delivery holding a record's bytes.
const DELIVERY: u8 = 2;
const DELIVERY_LEN: usize = 9;
/// The table a reference points into.
pub const DELIVERIES: &str = "webhook_events";
/// zstd level: 3 is zstd's default; the codec bench shows 1 costs ratio for little speed.
const LEVEL: i32 = 3;
/// Dictionary size: 64 KB holds a table's recurring keys and values; larger ones gain <1%.
const DICT_BYTES: usize = 64 * 1024;
/// A table is given its dictionary once it holds this many plain records (fewer train poorly,
/// and such small tables cost little uncompressed).
pub const MIN_TRAIN: usize = 1000;
/// At most this many records, and this many bytes, are sampled to train a dictionary.
const TRAIN_SAMPLES: usize = 8000;
const TRAIN_BYTES: usize = 8 << 20;
/// A key's first dictionary learnt from its first [`MIN_TRAIN`] records, which in a file
/// written in time order are one kind of record (a large tenant's first thousand webhooks are
/// all sign-ins). Once the key holds this many records it is trained again, once, from a sample
/// spread over all of them, and later records use that. On `gen --users 20000 --days 30` a
/// participant webhook took 412 stored bytes with the first dictionary, 192 at 2,000 users
/// (whose first thousand webhooks happened to hold every kind).
const RETRAIN: usize = 20_000;
/// Records sampled to learn a dictionary again: a quarter of [`TRAIN_SAMPLES`], as spread, trains
/// in a quarter of the time (0.3 s a key otherwise, 15% of a small import).
const RETRAIN_SAMPLES: usize = 2000;

/// Largest original record a compressed one may claim to hold.
const MAX_RECORD: u64 = 128 << 20;

/// Further evidence is its own kind of record (a webhook delivery beside a report row), so
/// `extra_evidence` rows have a dictionary per table they are evidence for: key
/// `extra_evidence/<tbl>`. Every other key is a table name.
pub const EXTRA: &str = "extra_evidence";

/// The dictionary key of further evidence for `table`.
pub fn extra_key(table: &str) -> String {
    format!("{EXTRA}/{table}")
}

/// Tables whose records come in one shape per `source`: an Okta event, an Entra ID sign-in
/// and a Google audit item share almost no keys, nor do a Microsoft 365 audit record and a DLP
/// export's CSV line. One dictionary for all would be trained on whichever was imported first
/// and compress the others poorly (an Okta event after Entra ID sign-ins: 630 stored bytes
/// instead of 96), so each source has its own: key `<table>/<source>`.
pub const BY_SOURCE: &[&str] = &["idp_log", "data_access_log"];

/// The dictionary key of `table`'s records from `source`.
pub fn source_key(table: &str, source: &str) -> String {
    format!("{table}/{source}")
}

/// The column that splits `table`'s records between dictionary keys, if any.
pub fn key_column(table: &str) -> Option<&'static str> {
    if table == EXTRA {
        Some("tbl")
    } else if BY_SOURCE.contains(&table) {
        Some("source")
    } else {
        None
    }
}

/// The dictionary key of a record of `table` whose [`key_column`] holds `value`
/// ([`extra_key`] or [`source_key`] where the table is split, else the table).
pub fn key_of(table: &str, value: Option<&str>) -> String {
    match (key_column(table), value) {
        (Some(_), Some(v)) => format!("{table}/{v}"),
        _ => table.to_string(),
    }
}

/// The rows a dictionary key covers: the quoted table, and a condition to AND to a WHERE.
fn scope(key: &str) -> (String, String) {
    scope_with(key, "")
}

/// [`scope`] for a walk in rowid order, a chunk at a time: the key's column behind a unary `+`,
/// so SQLite walks the rowids instead of the index on (source, ...) or (tbl, ...), which read
/// every row of the key again for each chunk (a case whose records were all plain took 22 s to
/// compact at 2,000 users, 5 s this way).
fn scope_walk(key: &str) -> (String, String) {
    scope_with(key, "+")
}

fn scope_with(key: &str, op: &str) -> (String, String) {
    let quote = |v: &str| v.replace('\'', "''");
    match key
        .split_once('/')
        .and_then(|(t, v)| Some((t, key_column(t)?, v)))
    {
        Some((t, column, v)) => (
            format!("\"{t}\""),
            format!(" AND {op}{column} = '{}'", quote(v)),
        ),
        None => (format!("\"{}\"", key.replace('"', "\"\"")), String::new()),
    }
}

/// A compressed record's dictionary id, or `None` for plain bytes.
fn header(b: &[u8]) -> Option<i64> {
    (b.len() > HEADER && b[0] == TAG)
        .then(|| i64::from(u32::from_le_bytes([b[1], b[2], b[3], b[4]])))
}

/// Whether a stored value is a record compressed with a dictionary.
pub fn is_compressed(b: &[u8]) -> bool {
    header(b).is_some()
}

/// The delivery a reference names, or `None` when `b` is not a reference.
fn delivery_of(b: &[u8]) -> Option<i64> {
    (b.len() == DELIVERY_LEN && b[0] == DELIVERY)
        .then(|| i64::from_le_bytes(b[1..].try_into().expect("eight bytes")))
}

/// The stored form of a record whose bytes are exactly those of delivery `id` (a
/// `webhook_events` row): a reference instead of a second copy.
pub fn delivery_ref(id: i64) -> rusqlite::types::Value {
    let mut out = Vec::with_capacity(DELIVERY_LEN);
    out.push(DELIVERY);
    out.extend_from_slice(&id.to_le_bytes());
    rusqlite::types::Value::Blob(out)
}

/// One table's compressor (its dictionary loaded once), or none while it has no dictionary.
enum Slot {
    Plain,
    /// The dictionary's id, its compressor, and whether it is the key's last (see [`RETRAIN`]).
    Dict(u32, zstd::bulk::Compressor<'static>, bool),
}

/// Compresses records for one write transaction. Tables without a dictionary are written
/// plain until they hold [`MIN_TRAIN`] records; then a dictionary is trained on them, they are
/// recompressed, and later records use it.
#[derive(Default)]
pub struct Encoder {
    slots: HashMap<String, Slot>,
    /// Plain records written per table since its dictionary was last looked for. Ordered, so
    /// [`Self::finish`] trains in the same order every run and a case's bytes are reproducible.
    plain: BTreeMap<String, usize>,
    /// Records compressed per key with its first dictionary.
    first: BTreeMap<String, usize>,
    /// Where the dictionaries it loads are published for a [`Precoder`], if one reads ahead.
    shared: Option<Shared>,
    /// The key each route's last record was stored under: published to a [`Precoder`], and
    /// what tells the writer to look for a row before inserting ([`Self::went_as_extra`]).
    routes: HashMap<Route, String>,
}

impl Encoder {
    /// Publish every dictionary this encoder loads to `shared` (see [`Precoder`]).
    pub fn share(&mut self, shared: Shared) {
        self.shared = Some(shared);
    }

    /// The value to store for `text`, a record of `table` (or evidence for it): compressed when
    /// the table has a dictionary and that is smaller, else the text itself.
    pub fn encode(
        &mut self,
        conn: &Connection,
        table: &str,
        text: &str,
    ) -> Result<rusqlite::types::Value> {
        self.encode_packed(conn, table, text, None)
    }

    /// [`Self::encode`] for a record a [`Precoder`] may have compressed already (`packed`):
    /// bytes compressed with `table`'s current dictionary are stored as they are. Others are
    /// compressed again: a Dashboard row that turns out to be further evidence for a report
    /// row took 4× the bytes with the participants' dictionary than with its own (2k tenant:
    /// 47.9 → 94.5 MB of further evidence), and a key's first dictionary gives way to the
    /// one learnt again from all its records.
    pub fn encode_packed(
        &mut self,
        conn: &Connection,
        table: &str,
        text: &str,
        packed: Option<&[u8]>,
    ) -> Result<rusqlite::types::Value> {
        if !self.slots.contains_key(table) {
            self.load(conn, table)?;
        }
        if let Some(Slot::Dict(id, c, last)) = self.slots.get_mut(table) {
            if !*last {
                let n = self.first.entry(table.to_string()).or_default();
                *n += 1;
                if *n == RETRAIN {
                    retrain(conn, table)?;
                    self.load(conn, table)?;
                    return self.encode_packed(conn, table, text, packed);
                }
            }
            return match packed {
                Some(b) if header(b) == Some(i64::from(*id)) => {
                    Ok(rusqlite::types::Value::Blob(b.to_vec()))
                }
                _ => compress(c, *id, text),
            };
        }
        let n = self.plain.entry(table.to_string()).or_default();
        *n += 1;
        if (*n).is_multiple_of(MIN_TRAIN) && train(conn, table)?.is_some() {
            compact_rows(conn, table, usize::MAX)?;
            self.load(conn, table)?;
            return self.encode_packed(conn, table, text, packed);
        }
        Ok(rusqlite::types::Value::Text(text.to_string()))
    }

    /// Note that a record of `route` is stored under `key`: the [`Precoder`] compresses the
    /// route's next records for that key.
    pub fn went(&mut self, route: &Route, key: &str) {
        if self.routes.get(route).map(String::as_str) != Some(key) {
            if let Some(shared) = &self.shared {
                shared.reroute(route, key);
            }
            self.routes.insert(route.clone(), key.to_string());
        }
    }

    /// Whether the last record of `route` was further evidence for a row of `table`.
    pub fn went_as_extra(&self, route: &Route, table: &str) -> bool {
        self.routes
            .get(route)
            .and_then(|k| k.strip_prefix(EXTRA)?.strip_prefix('/'))
            == Some(table)
    }

    /// Load `key`'s current dictionary into its slot (and publish it when shared).
    fn load(&mut self, conn: &Connection, key: &str) -> Result<()> {
        let found = load_dict(conn, key)?;
        let slot = slot_of(found.as_ref())?;
        if let (Some(shared), Some((id, dict, _))) = (&self.shared, found) {
            shared.publish(key, id, dict);
        }
        self.slots.insert(key.to_string(), slot);
        Ok(())
    }
}

/// What a writer shares with the thread that reads an import ahead of it: the dictionaries it
/// has loaded, and where each [`Route`]'s records last went.
#[derive(Clone, Default)]
pub struct Shared(Arc<Mutex<SharedState>>);

#[derive(Default)]
struct SharedState {
    /// key → the key's current dictionary.
    dicts: HashMap<String, SharedDict>,
    /// A route → the key its last stored record was compressed for, where that is not the
    /// route's own key (further evidence).
    routes: HashMap<Route, String>,
}

/// A published dictionary: its id and bytes.
type SharedDict = (u32, Arc<[u8]>);

impl Shared {
    fn state(&self) -> std::sync::MutexGuard<'_, SharedState> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn publish(&self, key: &str, id: u32, dict: Vec<u8>) {
        self.state()
            .dicts
            .insert(key.to_string(), (id, dict.into()));
    }

    fn reroute(&self, route: &Route, key: &str) {
        let mut state = self.state();
        if route.key == key {
            state.routes.remove(route);
        } else {
            state.routes.insert(route.clone(), key.to_string());
        }
    }

    /// The dictionary for `route`'s next record: that of the key its last one went to.
    fn get(&self, route: &Route) -> Option<SharedDict> {
        let state = self.state();
        let key = state.routes.get(route).map_or(&*route.key, String::as_str);
        state.dicts.get(key).cloned()
    }
}

/// Compresses records on the thread that reads an import, with the dictionaries the writer
/// has published, so that the writing thread (the import's bottleneck: SQLite) only stores
/// them ([`Encoder::encode_packed`]). A key the writer has no dictionary for yet is left to it.
pub struct Precoder {
    shared: Shared,
    compressors: HashMap<u32, zstd::bulk::Compressor<'static>>,
}

impl Precoder {
    pub fn new(shared: Shared) -> Precoder {
        Precoder {
            shared,
            compressors: HashMap::new(),
        }
    }

    /// `text`, a record of kind `route`, compressed with the dictionary its kind's last record
    /// was stored with, or `None` when there is none yet or compressing would not make it
    /// smaller.
    pub fn encode(&mut self, route: &Route, text: &str) -> Result<Option<Vec<u8>>> {
        let Some((id, dict)) = self.shared.get(route) else {
            return Ok(None);
        };
        let c = match self.compressors.entry(id) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(v) => v.insert(compressor(&dict)?),
        };
        Ok(match compress(c, id, text)? {
            rusqlite::types::Value::Blob(b) => Some(b),
            _ => None,
        })
    }
}

impl Encoder {
    /// Before the transaction commits: a table written plain in it that now holds enough plain
    /// records (over any number of batches) gets its dictionary, and they are recompressed.
    pub fn finish(&mut self, conn: &Connection) -> Result<()> {
        for (table, n) in std::mem::take(&mut self.plain) {
            if n == 0 {
                continue;
            }
            // Counting reads only the record headers, not the bytes.
            let (t, w) = scope(&table);
            let plain: i64 = conn.query_row(
                &format!(
                    "SELECT count(*) FROM (SELECT 1 FROM {t} WHERE typeof(raw) = 'text'{w}
                     LIMIT {MIN_TRAIN})"
                ),
                [],
                |r| r.get(0),
            )?;
            if plain as usize >= MIN_TRAIN && train(conn, &table)?.is_some() {
                compact_rows(conn, &table, usize::MAX)?;
            }
        }
        // Writers of small batches (the listener) reach RETRAIN over many: a key that is a
        // whole table counts its rows cheaply by the largest rowid.
        for (table, n) in std::mem::take(&mut self.first) {
            let whole_table = scope(&table).1.is_empty();
            if n > 0 && n < RETRAIN && whole_table && rows_of(conn, &table)? >= RETRAIN as i64 {
                retrain(conn, &table)?;
            }
        }
        Ok(())
    }
}

/// Train `key`'s last dictionary from a sample spread over all its records (decoded; records
/// that refer to a delivery are another key's bytes and are left out). When that cannot learn,
/// the current dictionary is stored again as the last, so it is not tried again.
fn retrain(conn: &Connection, key: &str) -> Result<()> {
    let (t, w) = scope(key);
    let rows = rows_of(conn, key)?;
    let stride = (rows / RETRAIN_SAMPLES as i64).max(1);
    let mut samples: Vec<Vec<u8>> = Vec::new();
    let mut bytes = 0usize;
    {
        let mut dec = Decoder::default();
        let mut st = conn.prepare(&format!(
            "SELECT raw FROM {t} WHERE rowid % ?1 = 0{w} LIMIT {RETRAIN_SAMPLES}"
        ))?;
        let mut q = st.query([stride])?;
        while let Some(r) = q.next()? {
            let v = r.get_ref(0)?;
            if matches!(v, ValueRef::Blob(b) if delivery_of(b).is_some()) {
                continue;
            }
            let b = dec.decode(conn, v)?;
            bytes += b.len();
            samples.push(b);
            if bytes >= TRAIN_BYTES {
                break;
            }
        }
    }
    let learnt = (samples.len() >= MIN_TRAIN)
        .then(|| zstd::dict::from_samples(&samples, DICT_BYTES).ok())
        .flatten();
    let dict = match learnt {
        Some(d) => d,
        None => conn
            .prepare_cached("SELECT dict FROM raw_dicts WHERE tbl = ?1 ORDER BY id DESC LIMIT 1")?
            .query_row([key], |r| r.get(0))?,
    };
    conn.prepare_cached("INSERT INTO raw_dicts (tbl, dict) VALUES (?1, ?2)")?
        .execute(params![key, dict])?;
    Ok(())
}

fn compress(
    c: &mut zstd::bulk::Compressor<'static>,
    id: u32,
    text: &str,
) -> Result<rusqlite::types::Value> {
    let frame = c.compress(text.as_bytes())?;
    if frame.len() + HEADER >= text.len() {
        return Ok(rusqlite::types::Value::Text(text.to_string()));
    }
    let mut out = Vec::with_capacity(frame.len() + HEADER);
    out.push(TAG);
    out.extend_from_slice(&id.to_le_bytes());
    out.extend_from_slice(&frame);
    Ok(rusqlite::types::Value::Blob(out))
}

fn compressor(dict: &[u8]) -> Result<zstd::bulk::Compressor<'static>> {
    use zstd::zstd_safe::CParameter;
    let mut c = zstd::bulk::Compressor::with_dictionary(LEVEL, dict)?;
    // The SHA-256 beside each record already checks it, and the header names the dictionary.
    c.set_parameter(CParameter::ChecksumFlag(false))?;
    c.set_parameter(CParameter::DictIdFlag(false))?;
    c.set_parameter(CParameter::ContentSizeFlag(true))?;
    Ok(c)
}

fn has_dict_table(conn: &Connection) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'raw_dicts'")?
        .exists([])?)
}

fn load_slot(conn: &Connection, table: &str) -> Result<Slot> {
    slot_of(load_dict(conn, table)?.as_ref())
}

/// The slot for a key's current dictionary ([`load_dict`]), or a plain one without.
fn slot_of(found: Option<&(u32, Vec<u8>, bool)>) -> Result<Slot> {
    Ok(match found {
        Some((id, dict, last)) => Slot::Dict(*id, compressor(dict)?, *last),
        None => Slot::Plain,
    })
}

/// `table`'s current dictionary: its id, its bytes, and whether it is the key's last.
fn load_dict(conn: &Connection, table: &str) -> Result<Option<(u32, Vec<u8>, bool)>> {
    if !has_dict_table(conn)? {
        return Ok(None);
    }
    let found: Option<(i64, Vec<u8>, i64)> = conn
        .prepare_cached(
            "SELECT id, dict, (SELECT count(*) FROM raw_dicts WHERE tbl = ?1)
             FROM raw_dicts WHERE tbl = ?1 ORDER BY id DESC LIMIT 1",
        )?
        .query_row([table], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    found
        .map(|(id, dict, n)| Ok((u32::try_from(id)?, dict, n >= 2)))
        .transpose()
}

/// Train and store a dictionary for `table` from its plain records, when it has none yet and
/// holds at least [`MIN_TRAIN`] of them. Returns the new dictionary's id.
pub fn train(conn: &Connection, table: &str) -> Result<Option<i64>> {
    train_sampled(conn, table, 1)
}

/// [`train`] from every `stride`-th row (by rowid), so a large table is sampled across its
/// whole span rather than its first rows (a table written in time order starts with one kind
/// of record).
fn train_sampled(conn: &Connection, table: &str, stride: i64) -> Result<Option<i64>> {
    if !has_dict_table(conn)? || dictionaries(conn, table)? > 0 {
        return Ok(None);
    }
    let mut samples: Vec<Vec<u8>> = Vec::new();
    let mut bytes = 0usize;
    {
        let (t, w) = scope(table);
        let mut st = conn.prepare(&format!(
            "SELECT raw FROM {t} WHERE typeof(raw) = 'text'{w} AND rowid % ?1 = 0
             LIMIT {TRAIN_SAMPLES}"
        ))?;
        let mut rows = st.query([stride.max(1)])?;
        while let Some(r) = rows.next()? {
            if let ValueRef::Text(t) = r.get_ref(0)? {
                bytes += t.len();
                samples.push(t.to_vec());
                if bytes >= TRAIN_BYTES {
                    break;
                }
            }
        }
    }
    if samples.len() < MIN_TRAIN {
        return Ok(None);
    }
    // Training fails on samples too uniform or too few to learn from: the table stays plain.
    let Ok(dict) = zstd::dict::from_samples(&samples, DICT_BYTES) else {
        return Ok(None);
    };
    conn.prepare_cached("INSERT INTO raw_dicts (tbl, dict) VALUES (?1, ?2)")?
        .execute(params![table, dict])?;
    Ok(Some(conn.last_insert_rowid()))
}

/// Up to `?2` plain records of dictionary key `key` after rowid `?1`, in rowid order.
fn plain_after(key: &str) -> String {
    let (t, w) = scope_walk(key);
    format!(
        "SELECT rowid, raw FROM {t} WHERE typeof(raw) = 'text'{w} AND rowid > ?1
         ORDER BY rowid LIMIT ?2"
    )
}

/// Recompress up to `limit` plain records under dictionary key `table` with its dictionary;
/// returns how many were rewritten. Records that would not shrink stay plain, so the caller's
/// loop ends when a call rewrites none.
pub fn compact_rows(conn: &Connection, table: &str, limit: usize) -> Result<usize> {
    let Slot::Dict(id, mut c, _) = load_slot(conn, table)? else {
        return Ok(0);
    };
    let (t, _) = scope(table);
    let sel = plain_after(table);
    let upd = format!("UPDATE {t} SET raw = ?1 WHERE rowid = ?2");
    let mut done = 0usize;
    let mut after = 0i64;
    loop {
        let room = limit.saturating_sub(done).min(5000);
        if room == 0 {
            return Ok(done);
        }
        let batch: Vec<(i64, String)> = conn
            .prepare_cached(&sel)?
            .query_map(params![after, room as i64], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let Some(last) = batch.last() else {
            return Ok(done);
        };
        after = last.0;
        let mut st = conn.prepare_cached(&upd)?;
        for (rowid, text) in &batch {
            let v = compress(&mut c, id, text)?;
            if matches!(v, rusqlite::types::Value::Blob(_)) {
                st.execute(params![v, rowid])?;
                done += 1;
            }
        }
    }
}

fn table_has_raw(conn: &Connection, table: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM pragma_table_info(?1) WHERE name = 'raw'")?
        .exists([table])?)
}

/// Every table that keeps verbatim records (has a `raw` column), found in the schema so tables
/// added later are included without being listed here. `extra_evidence` is not among them: its
/// rows are compressed per table they are evidence for (see [`extra_key`]).
pub fn evidence_tables(conn: &Connection) -> Result<Vec<String>> {
    Ok(conn
        .prepare(
            "SELECT m.name FROM sqlite_schema m WHERE m.type = 'table' AND m.name <> ?1
               AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) WHERE name = 'raw')
             ORDER BY m.name",
        )?
        .query_map([EXTRA], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// Tables that keep records (a `raw` column), and whether each also keeps their SHA-256.
pub fn record_tables(conn: &Connection) -> Result<Vec<(String, bool)>> {
    Ok(conn
        .prepare(
            "SELECT m.name, EXISTS (SELECT 1 FROM pragma_table_info(m.name) WHERE name = 'sha256')
             FROM sqlite_schema m WHERE m.type = 'table'
               AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) WHERE name = 'raw')
             ORDER BY m.name",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?)
}

/// Decompresses stored records, keeping each dictionary it has met loaded.
#[derive(Default)]
pub struct Decoder {
    dicts: HashMap<i64, zstd::bulk::Decompressor<'static>>,
}

impl Decoder {
    /// The original bytes of a stored `raw` value: plain text as it is, a compressed record
    /// decompressed with its dictionary (read from `conn` on first use).
    pub fn decode(&mut self, conn: &Connection, v: ValueRef<'_>) -> Result<Vec<u8>> {
        match v {
            ValueRef::Text(t) => Ok(t.to_vec()),
            ValueRef::Blob(b) => match (header(b), delivery_of(b)) {
                (Some(id), _) => self.inflate(conn, id, b),
                (None, Some(id)) => self.delivery(conn, id),
                (None, None) => Ok(b.to_vec()),
            },
            ValueRef::Null => Ok(Vec::new()),
            ValueRef::Integer(i) => Ok(i.to_string().into_bytes()),
            ValueRef::Real(f) => Ok(f.to_string().into_bytes()),
        }
    }

    /// The bytes of delivery `id`, which is itself stored plain or compressed (never as a
    /// reference: the writer only points at a delivery's own row).
    fn delivery(&mut self, conn: &Connection, id: i64) -> Result<Vec<u8>> {
        let stored: Option<rusqlite::types::Value> = conn
            .prepare_cached(&format!("SELECT raw FROM {DELIVERIES} WHERE id = ?1"))?
            .query_row([id], |r| r.get(0))
            .optional()?;
        let stored = stored.with_context(|| {
            format!("record kept as webhook delivery {id}, which the case lacks")
        })?;
        match &stored {
            rusqlite::types::Value::Blob(b) if delivery_of(b).is_some() => {
                anyhow::bail!("webhook delivery {id} is itself a reference")
            }
            v => self.decode(conn, ValueRef::from(v)),
        }
    }

    fn inflate(&mut self, conn: &Connection, id: i64, b: &[u8]) -> Result<Vec<u8>> {
        let d = match self.dicts.entry(id) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let dict: Vec<u8> = conn
                    .prepare_cached("SELECT dict FROM raw_dicts WHERE id = ?1")?
                    .query_row([id], |r| r.get(0))
                    .optional()?
                    .with_context(|| {
                        format!("record compressed with dictionary {id}, which the case lacks")
                    })?;
                e.insert(zstd::bulk::Decompressor::with_dictionary(&dict)?)
            }
        };
        let frame = &b[HEADER..];
        let size = zstd::zstd_safe::get_frame_content_size(frame)
            .ok()
            .flatten()
            .context("compressed record without its size")?;
        // A damaged header must not ask for any amount of memory: no record is this large
        // (the importer keeps 4 KiB of anything over 64 MiB).
        anyhow::ensure!(size <= MAX_RECORD, "compressed record claims {size} bytes");
        Ok(d.decompress(frame, usize::try_from(size)?)?)
    }
}

/// Register `zl_raw(raw)` on `conn`: a record's original text, whether stored plain or
/// compressed, so SQL (views, exports, `zoomlens sql`) reads it as received.
pub fn register(conn: &Connection) -> Result<()> {
    use rusqlite::functions::FunctionFlags;
    let dec = std::sync::Mutex::new(Decoder::default());
    conn.create_scalar_function(
        "zl_raw",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        move |ctx| {
            let v = ctx.get_raw(0);
            if let ValueRef::Text(t) = v {
                return Ok(rusqlite::types::Value::Text(
                    String::from_utf8_lossy(t).into_owned(),
                ));
            }
            // SAFETY: the connection is only used to read a dictionary, on this thread, while
            // the statement calling the function runs; SQLite allows such nested reads.
            let conn = unsafe { ctx.get_connection()? };
            let mut dec = dec
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let bytes = dec
                .decode(&conn, v)
                .map_err(|e| rusqlite::Error::UserFunctionError(e.into()))?;
            Ok(match String::from_utf8(bytes) {
                Ok(s) => rusqlite::types::Value::Text(s),
                Err(e) => rusqlite::types::Value::Blob(e.into_bytes()),
            })
        },
    )?;
    Ok(())
}

/// What a compaction did.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Compaction {
    /// (table, records compressed now) for each table that changed.
    pub tables: Vec<(String, u64)>,
    pub bytes_before: u64,
    pub bytes_after: u64,
}

/// Records rewritten per transaction while compacting: a kill loses at most this much work.
const CHUNK: usize = 5000;

/// Compress every plain record of every evidence table: train each table's dictionary where it
/// has none, then recompress in transactions of [`CHUNK`] records. Resumable: plain records are
/// what is left to do, so a run killed at any point leaves a consistent case and the next run
/// continues. `progress` hears (table, records done so far).
///
/// `recompress` also learns again a dictionary an import learnt from a key's first records
/// only, and compresses again what earlier dictionaries compressed less well: most of a large
/// case's records, so only `zoomlens compact` asks for it, not the compaction an upgrade runs
/// on the next writing open.
pub fn compact(
    conn: &mut Connection,
    recompress: bool,
    mut progress: impl FnMut(&str, u64),
) -> Result<Compaction> {
    let mut out = Compaction::default();
    let mut tables = evidence_tables(conn)?;
    // Every table keeping records, for their copies of deliveries.
    let mut with_raw: Vec<String> = tables
        .iter()
        .filter(|t| *t != DELIVERIES)
        .cloned()
        .collect();
    if table_has_raw(conn, EXTRA)? {
        let of: Vec<String> = conn
            .prepare("SELECT DISTINCT tbl FROM extra_evidence ORDER BY tbl")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        tables.extend(of.iter().map(|t| extra_key(t)));
        with_raw.push(EXTRA.to_string());
    }
    for t in BY_SOURCE {
        if tables.iter().any(|x| x == t) {
            let sources: Vec<String> = conn
                .prepare(&format!(
                    "SELECT DISTINCT source FROM \"{t}\" ORDER BY source"
                ))?
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            tables.retain(|x| x != t);
            tables.extend(sources.iter().map(|s| source_key(t, s)));
        }
    }
    if table_has_raw(conn, DELIVERIES)? {
        // Deliveries by hash, once per run (the table has no index on it: nothing else asks).
        conn.execute_batch(&format!(
            "CREATE TEMP TABLE IF NOT EXISTS zl_deliveries AS
               SELECT sha256, min(id) AS id FROM {DELIVERIES} GROUP BY sha256;
             CREATE INDEX IF NOT EXISTS temp.zl_deliveries_sha ON zl_deliveries (sha256);"
        ))?;
        for t in with_raw {
            let n = refer_to_deliveries(conn, &t)?;
            if n > 0 {
                progress(&t, n);
                out.tables.push((t, n));
            }
        }
        conn.execute_batch("DROP TABLE IF EXISTS temp.zl_deliveries")?;
    }
    for t in tables {
        let had = dictionaries(conn, &t)?;
        {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            train_everywhere(&tx, &t)?;
            // A dictionary an import learnt from the key's first records only (cases written
            // before [`RETRAIN`]): learnt again from all of them, and used below.
            if recompress && had == 1 && rows_of(&tx, &t)? >= RETRAIN as i64 {
                retrain(&tx, &t)?;
            }
            tx.commit()?;
        }
        let mut n = 0u64;
        loop {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let done = compact_rows(&tx, &t, CHUNK)?;
            tx.commit()?;
            if done == 0 {
                break;
            }
            n += done as u64;
            progress(&t, n);
        }
        if recompress {
            n += recompress_older(conn, &t, |m| progress(&t, n + m))?;
        }
        if n > 0 {
            out.tables.push((t, n));
        }
    }
    Ok(out)
}

/// How many dictionaries `key` has had.
fn dictionaries(conn: &Connection, key: &str) -> Result<i64> {
    if !has_dict_table(conn)? {
        return Ok(0);
    }
    Ok(conn
        .prepare_cached("SELECT count(*) FROM raw_dicts WHERE tbl = ?1")?
        .query_row([key], |r| r.get(0))?)
}

/// The records under `key` (a whole table counted by its largest rowid).
fn rows_of(conn: &Connection, key: &str) -> Result<i64> {
    let (t, w) = scope(key);
    let sql = if w.is_empty() {
        format!("SELECT coalesce(max(rowid), 0) FROM {t}")
    } else {
        format!("SELECT count(*) FROM {t} WHERE 1{w}")
    };
    Ok(conn.query_row(&sql, [], |r| r.get(0))?)
}

/// Records of `key` compressed with one of its earlier dictionaries are compressed again with
/// its last, where that is smaller, in transactions of [`CHUNK`]. A killed run leaves each
/// record in one form or the other; the next run looks at what still names an earlier one.
/// Returns how many were rewritten; `progress` hears the count so far.
fn recompress_older(
    conn: &mut Connection,
    key: &str,
    mut progress: impl FnMut(u64),
) -> Result<u64> {
    let Slot::Dict(last, mut c, _) = load_slot(conn, key)? else {
        return Ok(0);
    };
    let older: Vec<i64> = conn
        .prepare("SELECT id FROM raw_dicts WHERE tbl = ?1 AND id < ?2 ORDER BY id")?
        .query_map(params![key, last], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let (t, w) = scope_walk(key);
    let sel = format!(
        "SELECT rowid, raw FROM {t} WHERE rowid > ?1 AND typeof(raw) = 'blob'{w}
         AND substr(raw, 1, 5) = ?2 ORDER BY rowid LIMIT {CHUNK}"
    );
    let mut dec = Decoder::default();
    let mut n = 0u64;
    for id in older {
        let mut head = vec![TAG];
        head.extend_from_slice(&u32::try_from(id)?.to_le_bytes());
        n += rewrite_chunks(
            conn,
            &t,
            &sel,
            &[&head],
            |tx, stored: Vec<u8>| {
                let bytes = dec.decode(tx, ValueRef::Blob(&stored))?;
                let text =
                    std::str::from_utf8(&bytes).context("a compressed record that is not text")?;
                Ok(match compress(&mut c, last, text)? {
                    rusqlite::types::Value::Blob(b) if b.len() < stored.len() => {
                        Some(rusqlite::types::Value::Blob(b))
                    }
                    _ => None,
                })
            },
            |m| progress(n + m),
        )?;
    }
    Ok(n)
}

/// Rewrite the `raw` of rows of `table` (quoted) that `sel` picks, [`CHUNK`] per transaction:
/// `sel` takes the last rowid seen as `?1` and `args` after it, and returns (rowid, value) in
/// rowid order; `rewrite` gives a row's new `raw`, or `None` to leave it. A killed run keeps
/// the chunks committed, and the caller's selection leaves out what is done, so a rerun
/// continues. Returns how many rows were rewritten; `progress` hears the count after each chunk.
fn rewrite_chunks<T: rusqlite::types::FromSql>(
    conn: &mut Connection,
    table: &str,
    sel: &str,
    args: &[&dyn rusqlite::ToSql],
    mut rewrite: impl FnMut(&Connection, T) -> Result<Option<rusqlite::types::Value>>,
    mut progress: impl FnMut(u64),
) -> Result<u64> {
    let upd = format!("UPDATE {table} SET raw = ?1 WHERE rowid = ?2");
    let (mut after, mut n) = (0i64, 0u64);
    loop {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let batch: Vec<(i64, T)> = {
            let mut bind: Vec<&dyn rusqlite::ToSql> = vec![&after];
            bind.extend_from_slice(args);
            tx.prepare_cached(sel)?
                .query_map(&*bind, |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?
        };
        let Some(end) = batch.last().map(|b| b.0) else {
            break;
        };
        after = end;
        for (rowid, v) in batch {
            if let Some(new) = rewrite(&tx, v)? {
                tx.prepare_cached(&upd)?.execute(params![new, rowid])?;
                n += 1;
            }
        }
        tx.commit()?;
        progress(n);
    }
    Ok(n)
}

/// Records of `table` stored with their own copy of a webhook delivery's bytes (cases written
/// before references) are rewritten as references to it, in transactions of [`CHUNK`]; the
/// rows left are those whose bytes no delivery holds or that already refer, so a killed run
/// is completed by the next. Returns how many were rewritten.
/// `temp.zl_deliveries` (hash → delivery) must exist.
fn refer_to_deliveries(conn: &mut Connection, table: &str) -> Result<u64> {
    let sel = format!(
        "SELECT t.rowid, d.id FROM \"{table}\" t JOIN zl_deliveries d ON d.sha256 = t.sha256
         WHERE t.rowid > ?1 AND NOT (typeof(t.raw) = 'blob' AND length(t.raw) = {DELIVERY_LEN}
                                     AND substr(t.raw, 1, 1) = X'0{DELIVERY}')
         ORDER BY t.rowid LIMIT {CHUNK}"
    );
    rewrite_chunks(
        conn,
        &format!("\"{table}\""),
        &sel,
        &[],
        |_, id: i64| Ok(Some(delivery_ref(id))),
        |_| {},
    )
}

/// Train `table`'s dictionary from a sample spread over all its plain records.
fn train_everywhere(conn: &Connection, table: &str) -> Result<()> {
    let (t, w) = scope(table);
    let plain: i64 = conn.query_row(
        &format!("SELECT count(*) FROM {t} WHERE typeof(raw) = 'text'{w}"),
        [],
        |r| r.get(0),
    )?;
    if (plain as usize) >= MIN_TRAIN {
        let stride = (plain / TRAIN_SAMPLES as i64).max(1);
        train_sampled(conn, table, stride)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Compaction walks a key's plain records by rowid, a chunk at a time; through the index on
    /// the key's column each chunk would read all the key's rows again.
    #[test]
    fn a_keys_plain_records_are_walked_by_rowid_not_through_its_index() {
        let dir = tempfile::tempdir().unwrap();
        let s = crate::store::Store::open(&dir.path().join("a.case")).unwrap();
        for key in [extra_key("participants"), source_key("idp_log", "okta")] {
            let plan: Vec<String> = s
                .conn
                .prepare(&format!("EXPLAIN QUERY PLAN {}", plain_after(&key)))
                .unwrap()
                .query_map(params![0, 10], |r| r.get(3))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            assert!(plan.iter().all(|p| !p.contains("INDEX")), "{key}: {plan:?}");
        }
    }

    /// What the reading thread of an import compresses with a published dictionary is stored
    /// as it is and decodes to the record's bytes.
    #[test]
    fn a_record_compressed_ahead_is_stored_as_is_and_decodes_to_its_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = crate::store::Store::open(&dir.path().join("a.case")).unwrap();
        let row = |i: usize| format!("{{\"email\":\"v{i}@x.test\",\"name\":\"Vip {i}\"}}");
        let mut w = s.writer().unwrap();
        for i in 0..MIN_TRAIN + 10 {
            let v = crate::model::Vip {
                email: format!("v{i}@x.test"),
                name: Some(format!("Vip {i}")),
                title: None,
            };
            w.vip(&v, &crate::model::Evidence::new(1, None, row(i)))
                .unwrap();
        }
        w.commit().unwrap();
        let shared = Shared::default();
        let mut pre = Precoder::new(shared.clone());
        let text = row(99_999);
        let vips = Route {
            key: "vips".into(),
            shape: "",
        };
        assert_eq!(
            pre.encode(&vips, &text).unwrap(),
            None,
            "nothing published yet"
        );
        let mut enc = Encoder::default();
        enc.share(shared);
        enc.encode(&s.conn, "vips", &row(0)).unwrap();
        let packed = pre.encode(&vips, &text).unwrap().expect("compressed ahead");
        assert!(is_compressed(&packed) && packed.len() < text.len());
        let stored = enc
            .encode_packed(&s.conn, "vips", &text, Some(&packed))
            .unwrap();
        assert_eq!(stored, rusqlite::types::Value::Blob(packed.clone()));
        let back = Decoder::default()
            .decode(&s.conn, ValueRef::Blob(&packed))
            .unwrap();
        assert_eq!(back, text.as_bytes());
        // Compressed with another dictionary than the key's current one: compressed again.
        let mut other = packed.clone();
        other[1..5].copy_from_slice(&9999u32.to_le_bytes());
        let stored = enc
            .encode_packed(&s.conn, "vips", &text, Some(&other))
            .unwrap();
        assert_eq!(stored, rusqlite::types::Value::Blob(packed));
    }
}
