//! `zoomlens export`: a case for a SIEM or data lake (OCSF, ECS, Panther, CSV).

use super::args::ExportArgs;
use crate::model::time::{fmt_utc, parse_time};
use crate::output::{plural, sanitize, write_table};
use crate::report::export::{self, ExportOptions};
use crate::store::Store;
use anyhow::{Result, anyhow};
use std::process::ExitCode;

/// `zoomlens export`.
pub fn run(a: &ExportArgs) -> Result<ExitCode> {
    let from = a
        .from
        .as_deref()
        .map(|t| bound(t, "--from", false))
        .transpose()?;
    let to = a
        .until
        .as_deref()
        .map(|t| bound(t, "--until", true))
        .transpose()?;
    let store = Store::open_readonly(&a.case)?;
    let opts = ExportOptions {
        target: a.target.into(),
        format: a.format.into(),
        out: a.out.clone(),
        from,
        to,
        sources: a.sources.iter().map(|s| (*s).into()).collect(),
        force: a.force,
    };
    let summary = export::export(&store, &opts)?;
    drop(store);
    if a.quiet {
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = std::io::stdout().lock();
    let per = summary.per_class();
    let rows: Vec<Vec<String>> = per
        .iter()
        .map(|(class, (files, n))| vec![class.clone(), files.to_string(), n.to_string()])
        .collect();
    write_table(
        &mut out,
        &["CLASS".to_string(), "FILES".into(), "ROWS".into()],
        &rows,
    )?;
    let total: u64 = per.values().map(|(_, n)| n).sum();
    use std::io::Write;
    writeln!(
        out,
        "wrote {} ({} rows) to {}",
        plural(summary.files.len(), "file"),
        total,
        sanitize(&a.out.display().to_string())
    )?;
    for (why, n) in &summary.skipped {
        writeln!(out, "left out {n} {why}")?;
    }
    Ok(ExitCode::SUCCESS)
}

/// A window bound as stored UTC text: a time as given (an upper bound includes its second), a
/// date its midnight (an upper bound includes the whole day).
fn bound(t: &str, flag: &str, upper: bool) -> Result<String> {
    let parsed = parse_time(t).ok_or_else(|| {
        anyhow!(
            "{flag} {:?} is not a time; use RFC 3339 (2026-03-16T09:00:00Z) or a date (2026-03-16)",
            sanitize(t)
        )
    })?;
    let is_date = t.trim().len() == 10;
    let end = if !upper {
        parsed
    } else if is_date {
        parsed + chrono::Duration::days(1)
    } else {
        parsed + chrono::Duration::seconds(1)
    };
    Ok(fmt_utc(end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds() {
        assert_eq!(
            bound("2026-03-16", "--from", false).unwrap(),
            "2026-03-16T00:00:00Z"
        );
        assert_eq!(
            bound("2026-03-16", "--until", true).unwrap(),
            "2026-03-17T00:00:00Z"
        );
        assert_eq!(
            bound("2026-03-16T10:00:00+01:00", "--until", true).unwrap(),
            "2026-03-16T09:00:01Z"
        );
        assert!(bound("yesterday", "--from", false).is_err());
    }
}
