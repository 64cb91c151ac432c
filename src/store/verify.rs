//! `zoomlens verify`: is the case intact? SQLite's own integrity check, then every evidence
//! record's SHA-256 recomputed from its verbatim bytes (decompressed, see `store::raw`) and
//! compared with the stored one.

use super::Store;
use anyhow::Result;
use serde::Serialize;

/// What verification found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Verification {
    /// `ok`, or SQLite's first complaints.
    pub integrity: Vec<String>,
    /// Records checked per table.
    pub checked: Vec<(String, u64)>,
    /// (table, row id) of records whose bytes no longer match their SHA-256 (first 100).
    pub mismatches: Vec<(String, i64)>,
    pub mismatch_count: u64,
}

impl Verification {
    pub fn ok(&self) -> bool {
        self.integrity == ["ok"] && self.mismatch_count == 0
    }
}

/// SQLite's quick check (`PRAGMA quick_check`): `ok` or its complaints. Reads every page.
pub fn quick_check(store: &Store) -> Result<Vec<String>> {
    check(store, "quick_check")
}

fn check(store: &Store, pragma: &str) -> Result<Vec<String>> {
    let mut st = store.conn.prepare(&format!("PRAGMA {pragma}(20)"))?;
    let rows = st.query_map([], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Full verification: integrity check, then the hash of every record that keeps its bytes.
pub fn verify(store: &Store) -> Result<Verification> {
    let mut v = Verification {
        integrity: check(store, "integrity_check")?,
        ..Default::default()
    };
    let tables = super::raw::record_tables(&store.conn)?
        .into_iter()
        .filter_map(|(t, hashed)| hashed.then_some(t));
    let mut dec = super::raw::Decoder::default();
    for t in tables {
        let mut st = store
            .conn
            .prepare(&format!("SELECT id, raw, sha256 FROM \"{t}\""))?;
        let mut rows = st.query([])?;
        let mut n = 0u64;
        while let Some(r) = rows.next()? {
            n += 1;
            let id: i64 = r.get(0)?;
            // A record that no longer decompresses is as damaged as one whose bytes changed.
            let bytes = dec.decode(&store.conn, r.get_ref(1)?).unwrap_or_default();
            let want: Option<crate::util::Sha256Sum> = r.get(2).ok();
            if want != Some(crate::util::Sha256Sum::of(&bytes)) {
                v.mismatch_count += 1;
                if v.mismatches.len() < 100 {
                    v.mismatches.push((t.clone(), id));
                }
            }
        }
        v.checked.push((t, n));
    }
    Ok(v)
}
