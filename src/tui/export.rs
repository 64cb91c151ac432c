//! Export of a view or of the bookmarks as CSV, JSON or Markdown. Cells are written as the
//! case holds them (CSV/JSON are data); Markdown is for reading, so it is sanitised and pipes
//! are escaped.

use anyhow::{Context, Result, bail};
use std::io::Write;
use std::path::Path;

pub fn write(path: &Path, format: &str, headers: &[String], rows: &[Vec<String>]) -> Result<()> {
    let file =
        std::fs::File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
    let mut out = std::io::BufWriter::new(file);
    match format {
        "csv" => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(headers)?;
            for r in rows {
                w.write_record(r)?;
            }
            w.flush()?;
        }
        "json" => {
            let arr: Vec<serde_json::Map<String, serde_json::Value>> = rows
                .iter()
                .map(|r| {
                    headers
                        .iter()
                        .cloned()
                        .zip(r.iter().map(|c| serde_json::Value::String(c.clone())))
                        .collect()
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &arr)?;
            writeln!(out)?;
        }
        "md" | "markdown" => {
            let esc = |s: &str| crate::util::sanitize(s).replace('|', "\\|");
            writeln!(
                out,
                "| {} |",
                headers
                    .iter()
                    .map(|h| esc(h))
                    .collect::<Vec<_>>()
                    .join(" | ")
            )?;
            writeln!(out, "|{}", "---|".repeat(headers.len()))?;
            for r in rows {
                writeln!(
                    out,
                    "| {} |",
                    r.iter().map(|c| esc(c)).collect::<Vec<_>>().join(" | ")
                )?;
            }
        }
        other => bail!("unknown export format {other:?}: use csv, json or md"),
    }
    Ok(())
}
