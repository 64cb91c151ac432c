//! `zoomlens sql`: a read-only query, streamed as CSV or JSON, or printed as a table.

use super::args::{OutFormat, SqlArgs};
use crate::output::{self, CsvOut, Safety, sanitize};
use crate::store::Store;
use crate::store::query::{self, cell_text};
use anyhow::Result;
use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Rows a table shows: it must see every row to size its columns, so it stops here; CSV and
/// JSON stream any number.
pub const TABLE_ROWS: usize = 10_000;

/// `zoomlens sql`.
pub fn run(a: &SqlArgs) -> Result<ExitCode> {
    let mut store = Store::open_readonly(&a.case)?;
    let (mut cfg, _) = crate::detect::Config::load(a.config.as_deref())?;
    if let Some(g) = &a.geoip {
        cfg.geoip_db = Some(g.clone());
    }
    crate::detect::sql_functions(&store.conn, &cfg)?;
    if a.timeout > 0 {
        let deadline = Instant::now() + Duration::from_secs(a.timeout);
        store
            .conn
            .progress_handler(10_000, Some(move || Instant::now() > deadline))?;
    }
    let out = std::io::stdout();
    let mut out = out.lock();
    let mut shown = 0usize;
    let mut cut = false;
    let result = match a.format {
        OutFormat::Json => {
            let mut first = true;
            let r = query::stream(&store, &a.query, |cols, row| {
                let obj: serde_json::Map<String, serde_json::Value> =
                    cols.iter().cloned().zip(row).collect();
                write!(out, "{}\n  ", if first { "[" } else { "," })?;
                out.write_all(output::json_line(&obj)?.as_bytes())?;
                first = false;
                Ok(true)
            });
            if r.is_ok() {
                writeln!(out, "{}", if first { "[]" } else { "\n]" })?;
            }
            r.map(drop)
        }
        OutFormat::Csv => {
            let mut w = CsvOut::new(&mut out, Safety::for_stdout(a.safe));
            let mut header = true;
            let r = query::stream(&store, &a.query, |cols, row| {
                if header {
                    w.row(cols)?;
                    header = false;
                }
                w.row(row.iter().map(cell_text))?;
                Ok(true)
            });
            if let Ok(cols) = &r
                && header
            {
                w.row(cols)?;
            }
            w.finish()?;
            r.map(drop)
        }
        OutFormat::Table => {
            let mut cells: Vec<Vec<String>> = Vec::new();
            let r = query::stream(&store, &a.query, |_, row| {
                if cells.len() >= TABLE_ROWS {
                    cut = true;
                    return Ok(false);
                }
                cells.push(
                    row.iter()
                        .map(|v| sanitize(&cell_text(v)).into_owned())
                        .collect(),
                );
                Ok(true)
            });
            if let Ok(cols) = &r {
                let headers: Vec<String> = cols.iter().map(|c| sanitize(c).into_owned()).collect();
                output::write_table(&mut out, &headers, &cells)?;
                shown = cells.len();
            }
            r.map(drop)
        }
    };
    result.map_err(|e| {
        let msg = format!("{e:#}");
        if msg.contains("interrupted") {
            anyhow::anyhow!(
                "the query ran longer than --timeout {} s and was stopped",
                a.timeout
            )
        } else if msg.contains("readonly") || msg.contains("query_only") {
            anyhow::anyhow!(
                "the case is read-only here: `zoomlens sql` runs queries, it never edits evidence"
            )
        } else {
            e
        }
    })?;
    if a.format == OutFormat::Table {
        if cut {
            writeln!(
                out,
                "(first {TABLE_ROWS} rows; --format csv or json streams them all)"
            )?;
        } else {
            writeln!(out, "({})", output::plural(shown, "row"))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
