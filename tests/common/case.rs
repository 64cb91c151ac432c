//! A fresh case file to import into, and its rows read back as text.

#![allow(dead_code)]

use rusqlite::Connection;
use std::path::PathBuf;
use zoomlens::ingest::{ImportOptions, ImportSummary, import_paths};
use zoomlens::store::Store;

/// A new, empty case (`case.zl`) in a folder of its own, kept while the `TempDir` lives.
pub fn new_case() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("case.zl")).unwrap();
    (dir, store)
}

/// Import `files` into `store` as `zoomlens import` does without flags (formats sniffed).
pub fn import(store: &mut Store, files: &[PathBuf]) -> ImportSummary {
    import_paths(store, files, &ImportOptions::default()).unwrap()
}

/// Every row of `sql`, each value as text and a NULL as `null` (how a test file spells it).
pub fn rows(store: &Store, sql: &str, null: &str) -> Vec<Vec<String>> {
    let mut st = store.conn.prepare(sql).unwrap();
    let n = st.column_count();
    st.query_map([], |r| {
        (0..n)
            .map(|i| {
                Ok(match r.get_ref(i)? {
                    rusqlite::types::ValueRef::Null => null.to_string(),
                    rusqlite::types::ValueRef::Integer(v) => v.to_string(),
                    rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into(),
                    other => format!("{other:?}"),
                })
            })
            .collect()
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

/// The one integer `sql` answers (a count, an id).
pub fn count(db: &Connection, sql: &str) -> i64 {
    db.query_row(sql, [], |r| r.get(0)).unwrap()
}
