//! `zoomlens sql`: read-only queries on a case, printed as a table, JSON or CSV.

use super::Store;
use crate::cli::{OutFormat, SqlArgs};
use anyhow::{Context, Result};
use rusqlite::types::ValueRef;
use std::io::Write;
use std::process::ExitCode;

/// Column names and rows of a query, values as JSON.
pub struct QueryResult {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<serde_json::Value>>,
}

/// Run a query on a read-only connection (the connection refuses any write).
pub fn run(store: &Store, sql: &str, limit: Option<usize>) -> Result<QueryResult> {
    let mut st = store.conn.prepare(sql).context("the query did not parse")?;
    let columns: Vec<String> = st.column_names().map(|s| s.to_string()).collect();
    let n = columns.len();
    let mut rows = Vec::new();
    let mut it = st.query([])?;
    while let Some(r) = it.next()? {
        if limit.is_some_and(|l| rows.len() >= l) {
            break;
        }
        let mut row = Vec::with_capacity(n);
        for i in 0..n {
            row.push(match r.get_ref(i)? {
                ValueRef::Null => serde_json::Value::Null,
                ValueRef::Integer(v) => v.into(),
                ValueRef::Real(v) => v.into(),
                ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned().into(),
                ValueRef::Blob(b) => format!("<{} bytes>", b.len()).into(),
            });
        }
        rows.push(row);
    }
    Ok(QueryResult { columns, rows })
}

fn cell(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub fn cmd_sql(a: &SqlArgs) -> Result<ExitCode> {
    let store = Store::open_readonly(&a.case)?;
    let res = run(&store, &a.query, None).map_err(|e| {
        let msg = format!("{e:#}");
        if msg.contains("readonly") || msg.contains("query_only") {
            anyhow::anyhow!(
                "the case is read-only here: `zoomlens sql` runs queries, it never edits evidence"
            )
        } else {
            e
        }
    })?;
    let out = std::io::stdout();
    let mut out = out.lock();
    match a.format {
        OutFormat::Json => {
            let arr: Vec<serde_json::Map<String, serde_json::Value>> = res
                .rows
                .iter()
                .map(|r| res.columns.iter().cloned().zip(r.iter().cloned()).collect())
                .collect();
            serde_json::to_writer_pretty(&mut out, &arr)?;
            writeln!(out)?;
        }
        OutFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(&res.columns)?;
            for r in &res.rows {
                w.write_record(r.iter().map(cell))?;
            }
            w.flush()?;
        }
        OutFormat::Table => {
            let cells: Vec<Vec<String>> = res
                .rows
                .iter()
                .map(|r| {
                    r.iter()
                        .map(|v| crate::util::sanitize(&cell(v)).into_owned())
                        .collect()
                })
                .collect();
            let headers: Vec<String> = res
                .columns
                .iter()
                .map(|c| crate::util::sanitize(c).into_owned())
                .collect();
            write_table(&mut out, &headers, &cells)?;
            writeln!(
                out,
                "({} row{})",
                cells.len(),
                if cells.len() == 1 { "" } else { "s" }
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A plain aligned text table; cells wider than 60 characters are cut with an ellipsis.
pub fn write_table(out: &mut dyn Write, headers: &[String], rows: &[Vec<String>]) -> Result<()> {
    const MAX: usize = 60;
    let clip = |s: &str| -> String {
        if s.chars().count() > MAX {
            let mut t: String = s.chars().take(MAX - 1).collect();
            t.push('…');
            t
        } else {
            s.to_string()
        }
    };
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(clip(c).chars().count());
        }
    }
    let line = |cells: Vec<String>| -> String {
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{:<w$}", c, w = widths[i]))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    writeln!(out, "{}", line(headers.to_vec()))?;
    writeln!(
        out,
        "{}",
        line(widths.iter().map(|w| "-".repeat(*w)).collect())
    )?;
    for r in rows {
        writeln!(out, "{}", line(r.iter().map(|c| clip(c)).collect()))?;
    }
    Ok(())
}
