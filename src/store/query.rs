//! `zoomlens sql`: read-only queries on a case, printed as a table, JSON or CSV.

use super::Store;
use anyhow::{Result, bail};
use rusqlite::types::ValueRef;

/// Column names and rows of a query, values as JSON.
pub struct QueryResult {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<serde_json::Value>>,
}

/// Run a query on a read-only connection (the connection refuses any write), keeping at most
/// `limit` rows in memory.
pub fn run(store: &Store, sql: &str, limit: Option<usize>) -> Result<QueryResult> {
    let mut rows = Vec::new();
    let columns = stream(store, sql, |_, row| {
        if limit.is_some_and(|l| rows.len() >= l) {
            return Ok(false);
        }
        rows.push(row);
        Ok(true)
    })?;
    Ok(QueryResult { columns, rows })
}

/// Run a query and hand each row to `each` as it comes (memory stays flat however many rows
/// there are); `each` returns false to stop early. Returns the column names.
pub fn stream(
    store: &Store,
    sql: &str,
    mut each: impl FnMut(&[String], Vec<serde_json::Value>) -> Result<bool>,
) -> Result<Vec<String>> {
    let mut st = store.conn.prepare(sql).map_err(|e| {
        if e.to_string().contains("not authorized") {
            anyhow::anyhow!("the case is read-only here: queries may read, never write ({e})")
        } else {
            anyhow::Error::new(e).context("the query did not parse")
        }
    })?;
    // VACUUM INTO and the like write elsewhere without a table write the authorizer would see.
    if !st.readonly() {
        bail!("the case is read-only here: queries may read, never write");
    }
    let columns: Vec<String> = st.column_names().map(|s| s.to_string()).collect();
    let n = columns.len();
    let mut it = st.query([])?;
    while let Some(r) = it.next()? {
        let mut row = Vec::with_capacity(n);
        for i in 0..n {
            row.push(match r.get_ref(i)? {
                ValueRef::Null => serde_json::Value::Null,
                ValueRef::Integer(v) => v.into(),
                ValueRef::Real(v) => v.into(),
                ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned().into(),
                ValueRef::Blob(b) => crate::util::blob_shown(b).into(),
            });
        }
        if !each(&columns, row)? {
            break;
        }
    }
    Ok(columns)
}

/// A value as text: blank for NULL, strings as they are, numbers in JSON form.
pub fn cell_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
