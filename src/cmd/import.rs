//! `zoomlens import`: files into a case; rejects make the exit code 3.

use super::args::ImportArgs;
use crate::ingest::{ImportOptions, ImportSummary, import_prepared, prepare};
use crate::output::{self, sanitize};
use crate::store::Store;
use anyhow::Result;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// `zoomlens import`.
pub fn run(a: &ImportArgs) -> Result<ExitCode> {
    let opts = ImportOptions {
        meeting: a.meeting.clone(),
        channel: a.channel.clone(),
        contact: a.contact.clone(),
    };
    // Refuse unknown files before the case is even created. Each input is read once: a pipe
    // or standard input goes on from the bytes the format check read.
    let prepared = prepare(&a.files, &opts)?;
    let mut store = Store::open(&a.case)?;
    let summary = import_prepared(&mut store, prepared, &opts)?;
    let out = std::io::stdout();
    let mut out = out.lock();
    if a.json {
        let rejects: Vec<serde_json::Value> = summary
            .first_rejects
            .iter()
            .map(|(f, l, r)| serde_json::json!({"file": f, "line": l, "reason": r}))
            .collect();
        let v = serde_json::json!({
            "case": a.case.display().to_string(),
            "files": summary.files,
            "counts": summary.counts,
            "rejected": summary.counts.total_rejected(),
            "first_rejects": rejects,
            "notes": summary.notes,
        });
        output::write_json(&mut out, &v)?;
    } else {
        print_summary(&mut out, &a.case, &summary)?;
    }
    Ok(if summary.counts.total_rejected() > 0 {
        ExitCode::from(super::EXIT_INCOMPLETE)
    } else {
        ExitCode::SUCCESS
    })
}

/// The human summary: files, per-table counts, the first rejects.
fn print_summary(out: &mut dyn Write, case: &Path, s: &ImportSummary) -> Result<()> {
    for f in &s.files {
        writeln!(
            out,
            "{}: {} records ({})",
            sanitize(&f.path),
            f.records,
            f.format
        )?;
    }
    let headers: Vec<String> = [
        "table",
        "added",
        "merged",
        "present",
        "rejected",
        "not stored",
    ]
    .iter()
    .map(|h| h.to_string())
    .collect();
    let rows: Vec<Vec<String>> = s
        .counts
        .0
        .iter()
        .map(|(t, c)| {
            vec![
                t.clone(),
                c.added.to_string(),
                c.merged.to_string(),
                c.present.to_string(),
                c.rejected.to_string(),
                c.skipped.to_string(),
            ]
        })
        .collect();
    writeln!(out, "case {}", sanitize(&case.display().to_string()))?;
    if rows.is_empty() {
        writeln!(out, "no records")?;
    } else {
        output::write_table(out, &headers, &rows)?;
    }
    for (note, n) in &s.notes {
        writeln!(out, "note: {n} {}", sanitize(note))?;
    }
    let total = s.counts.total_rejected();
    if total > 0 {
        writeln!(
            out,
            "{total} record{} rejected (kept whole in zoom_rejects); first:",
            if total == 1 { "" } else { "s" }
        )?;
        for (f, l, r) in &s.first_rejects {
            let at = match l {
                Some(l) => format!("{f}:{l}"),
                None => f.clone(),
            };
            writeln!(out, "  {}: {}", sanitize(&at), sanitize(r))?;
        }
    }
    Ok(())
}
