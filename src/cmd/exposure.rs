//! `zoomlens exposure`: which teams meet outsiders, whom, and in what kind of meetings.

use super::args::{ExposureArgs, OutFormat};
use crate::output::{self, CsvOut, Safety, sanitize};
use crate::store::Store;
use crate::store::read::exposure::{self, ExposureBy};
use anyhow::Result;
use std::io::Write;
use std::process::ExitCode;

/// `zoomlens exposure`.
pub fn run(a: &ExposureArgs) -> Result<ExitCode> {
    let store = Store::open_readonly(&a.case)?;
    let (cfg, _) = crate::detect::Config::load(a.config.as_deref())?;
    crate::detect::sql_functions(&store.conn, &cfg)?;
    let by = ExposureBy::from(a.by);
    let e = exposure::exposure(&store.conn, by, usize::MAX >> 1)?;
    let mut out = std::io::stdout().lock();
    let headers: Vec<String> = [
        by.name(),
        "meetings",
        "exposed",
        "externals",
        "guests",
        "sensitive",
        "why",
        "domains",
        "top_hosts",
        "trend",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let cells = |r: &exposure::ExposureRow, spark: bool| {
        vec![
            r.group.clone(),
            r.meetings.to_string(),
            r.exposed.to_string(),
            r.with_externals.to_string(),
            r.with_guests.to_string(),
            r.sensitive.to_string(),
            exposure::why_text(r),
            exposure::domains_text(&r.domains),
            r.top_hosts
                .iter()
                .map(|(h, n)| format!("{h} {n}"))
                .collect::<Vec<_>>()
                .join(", "),
            if spark {
                output::sparkline(&r.trend)
            } else {
                r.trend
                    .iter()
                    .map(|n| n.to_string())
                    .collect::<Vec<_>>()
                    .join(" ")
            },
        ]
    };
    match a.format {
        OutFormat::Json => output::write_json(&mut out, &e)?,
        OutFormat::Csv => {
            let mut w = CsvOut::new(&mut out, Safety::for_stdout(a.safe));
            w.row(&headers)?;
            for r in &e.rows {
                w.row(cells(r, false))?;
            }
            w.finish()?;
        }
        OutFormat::Table => {
            let rows: Vec<Vec<String>> = e
                .rows
                .iter()
                .map(|r| {
                    cells(r, true)
                        .iter()
                        .map(|c| sanitize(c).into_owned())
                        .collect()
                })
                .collect();
            let headers: Vec<String> = headers.iter().map(|h| h.to_uppercase()).collect();
            output::write_table(&mut out, &headers, &rows)?;
            writeln!(out, "({})", output::plural(rows.len(), "row"))?;
            if !e.from.is_empty() {
                writeln!(
                    out,
                    "exposed: meetings with an external (an email outside the account's domains) or a guest (no email); \
                     sensitive: topic, a VIP present or recorded; trend: exposed meetings per {} from {}",
                    if e.bucket_days == 1 { "day" } else { "week" },
                    e.from
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
