//! `zoomlens sql`: a read-only query, printed as a table, JSON or CSV.

use super::args::{OutFormat, SqlArgs};
use crate::output::{self, CsvOut, Safety, sanitize};
use crate::store::Store;
use crate::store::query::{self, cell_text};
use anyhow::Result;
use std::io::Write;
use std::process::ExitCode;

/// `zoomlens sql`.
pub fn run(a: &SqlArgs) -> Result<ExitCode> {
    let store = Store::open_readonly(&a.case)?;
    let res = query::run(&store, &a.query, None).map_err(|e| {
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
            output::write_json(&mut out, &arr)?;
        }
        OutFormat::Csv => {
            let mut w = CsvOut::new(out, Safety::for_stdout(a.safe));
            w.row(&res.columns)?;
            for r in &res.rows {
                w.row(r.iter().map(cell_text))?;
            }
            drop(w.finish()?);
        }
        OutFormat::Table => {
            let cells: Vec<Vec<String>> = res
                .rows
                .iter()
                .map(|r| {
                    r.iter()
                        .map(|v| sanitize(&cell_text(v)).into_owned())
                        .collect()
                })
                .collect();
            let headers: Vec<String> = res
                .columns
                .iter()
                .map(|c| sanitize(c).into_owned())
                .collect();
            output::write_table(&mut out, &headers, &cells)?;
            writeln!(out, "({})", output::plural(cells.len(), "row"))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
