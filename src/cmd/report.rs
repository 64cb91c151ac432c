//! `zoomlens report`: a case's incidents as a Markdown or HTML file to attach to a ticket.

use super::args::ReportArgs;
use crate::output::{plural, sanitize};
use crate::report::{self, Format, ReportOptions};
use crate::store::Store;
use anyhow::{Result, anyhow, bail};
use std::path::Path;
use std::process::ExitCode;

/// `zoomlens report`.
pub fn run(a: &ReportArgs) -> Result<ExitCode> {
    let format: Format = match a.format {
        Some(f) => f.into(),
        None => Format::from_path(&a.out).ok_or_else(|| {
            anyhow!(
                "cannot tell the report format from {:?}: name the file .md or .html, or give \
                 --format md|html",
                a.out.display().to_string()
            )
        })?,
    };
    let incidents = a
        .incidents
        .iter()
        .map(|s| incident_id(s))
        .collect::<Result<Vec<_>>>()?;
    let generated_at = a.now.as_deref().map(stamp).transpose()?;
    if same_file(&a.out, &a.case) {
        bail!(
            "--out {} is the case file itself; choose another path",
            a.out.display()
        );
    }
    let store = Store::open_readonly(&a.case)?;
    let opts = ReportOptions {
        case_name: a
            .case
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| a.case.display().to_string()),
        incidents,
        generated_at,
    };
    let r = report::gather(&store, &opts)?;
    drop(store);
    let text = report::render(&r, format);
    super::write_atomically(&a.out, text.as_bytes())?;
    let findings: usize = r.stories.iter().map(|s| s.findings.len()).sum::<usize>() + r.loose.len();
    println!(
        "wrote {}: {}, {}, {}",
        sanitize(&a.out.display().to_string()),
        plural(r.stories.len(), "incident"),
        plural(findings, "finding"),
        plural(r.provenance.records.len(), "evidence record")
    );
    Ok(ExitCode::SUCCESS)
}

/// `I7`, `i7` or `7`.
fn incident_id(s: &str) -> Result<i64> {
    let t = s.trim();
    let n = t.strip_prefix(['I', 'i']).unwrap_or(t);
    n.parse::<i64>().map_err(|_| {
        anyhow!("{s:?} is not an incident id: give it as `zoomlens incidents` prints it (I7 or 7)")
    })
}

/// The "generated at" stamp: `now` is the current time, anything else a time to normalise.
fn stamp(t: &str) -> Result<String> {
    if t == "now" {
        return Ok(crate::model::time::fmt_utc(chrono::Utc::now()));
    }
    crate::model::time::parse_time(t)
        .map(crate::model::time::fmt_utc)
        .ok_or_else(|| {
            anyhow!("--now {t:?} is not a time (use RFC 3339, e.g. 2026-03-16T09:00:00Z)")
        })
}

/// Whether two paths name the same existing file (a report must never replace its case).
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incident_ids_and_stamps() {
        assert_eq!(incident_id("I7").unwrap(), 7);
        assert_eq!(incident_id(" i12 ").unwrap(), 12);
        assert_eq!(incident_id("3").unwrap(), 3);
        assert!(incident_id("F3").is_err());
        assert_eq!(
            stamp("2026-03-16T09:00:00+01:00").unwrap(),
            "2026-03-16T08:00:00Z"
        );
        assert!(stamp("yesterday").is_err());
    }
}
