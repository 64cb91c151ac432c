//! `zoomlens stack`: the endpoint landscape, one dimension at a time.

use super::args::{OutFormat, StackArgs};
use crate::output::{self, CsvOut, Safety, sanitize};
use crate::store::Store;
use crate::store::read::landscape::{self, GroupBy, StackBy, StackQuery};
use anyhow::Result;
use std::io::Write;
use std::process::ExitCode;

/// `zoomlens stack`.
pub fn run(a: &StackArgs) -> Result<ExitCode> {
    let store = Store::open_readonly(&a.case)?;
    let (cfg, _) = crate::detect::Config::load(a.config.as_deref())?;
    crate::detect::sql_functions(&store.conn, &cfg)?;
    let q = StackQuery {
        by: StackBy::from(a.by),
        group: a.group.map(GroupBy::from),
        rarest: a.rarest,
    };
    let s = landscape::stack(&store.conn, &q, usize::MAX >> 1)?;
    let mut out = std::io::stdout().lock();
    let marks = |r: &landscape::StackRow| {
        let mut m = vec![];
        if r.outdated {
            m.push("outdated");
        }
        if r.unknown_pc {
            m.push("not in inventory");
        }
        m.join(", ")
    };
    let mut headers = vec![q.by.name().to_string()];
    if let Some(g) = q.group {
        headers.push(g.name().to_string());
    }
    headers.extend(
        ["people", "sessions", "first_seen", "last_seen", "mark"]
            .iter()
            .map(|s| s.to_string()),
    );
    let cells = |r: &landscape::StackRow| {
        let mut c = vec![r.value.clone()];
        if q.group.is_some() {
            c.push(r.group.clone().unwrap_or_default());
        }
        c.extend([
            r.people.to_string(),
            r.sessions.to_string(),
            r.first_seen.clone(),
            r.last_seen.clone(),
            marks(r),
        ]);
        c
    };
    match a.format {
        OutFormat::Json => output::write_json(
            &mut out,
            &serde_json::json!({
                "by": q.by,
                "group": q.group,
                "rarest": q.rarest,
                "min_client_version": cfg.min_client_version,
                "inventory": s.inventory,
                "geolocated": s.geolocated,
                "rows": s.rows,
                "adoption": s.adoption,
            }),
        )?,
        OutFormat::Csv => {
            let mut w = CsvOut::new(&mut out, Safety::for_stdout(a.safe));
            w.row(&headers)?;
            for r in &s.rows {
                w.row(cells(r))?;
            }
            w.finish()?;
        }
        OutFormat::Table => {
            let rows: Vec<Vec<String>> = s
                .rows
                .iter()
                .map(|r| cells(r).iter().map(|c| sanitize(c).into_owned()).collect())
                .collect();
            let headers: Vec<String> = headers.iter().map(|h| h.to_uppercase()).collect();
            output::write_table(&mut out, &headers, &rows)?;
            writeln!(out, "({})", output::plural(rows.len(), "row"))?;
            if q.by == StackBy::Version {
                writeln!(
                    out,
                    "outdated: below min_client_version {}",
                    sanitize(&cfg.min_client_version)
                )?;
            }
            if q.by == StackBy::PcName && !s.inventory {
                writeln!(
                    out,
                    "no asset inventory in the case: import one (pc_name, mac_addr, owner email CSV) to mark unknown computers"
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
