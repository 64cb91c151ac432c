//! `zoomlens verify`, `zoomlens upgrade` and `zoomlens compact`.

use super::args::{CompactArgs, UpgradeArgs, VerifyArgs};
use crate::output::{self, sanitize};
use crate::store::{self, FileKind, SCHEMA_VERSION, Store};
use anyhow::Result;
use std::io::Write;
use std::process::ExitCode;

/// `zoomlens verify`: exit 0 when intact, 1 when not.
pub fn run(a: &VerifyArgs) -> Result<ExitCode> {
    let s = Store::open_readonly(&a.case)?;
    let v = store::verify::verify(&s)?;
    let mut out = std::io::stdout().lock();
    if a.json {
        output::write_json(&mut out, &v)?;
    } else {
        let case = sanitize(&a.case.display().to_string()).into_owned();
        if v.integrity == ["ok"] {
            writeln!(out, "{case}: SQLite integrity check ok")?;
        } else {
            writeln!(out, "{case}: SQLite integrity check FAILED:")?;
            for l in &v.integrity {
                writeln!(out, "  {}", sanitize(l))?;
            }
        }
        let total: u64 = v.checked.iter().map(|(_, n)| n).sum();
        writeln!(
            out,
            "{total} evidence records in {} tables rehashed: {} mismatch{}",
            v.checked.len(),
            v.mismatch_count,
            if v.mismatch_count == 1 { "" } else { "es" }
        )?;
        for (t, id) in &v.mismatches {
            writeln!(out, "  {t} #{id}: bytes do not match the stored SHA-256")?;
        }
    }
    Ok(if v.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `zoomlens upgrade`.
pub fn upgrade(a: &UpgradeArgs) -> Result<ExitCode> {
    let before = match store::inspect(&a.case)? {
        FileKind::Case(v) => v,
        other => {
            return Err(store::refuse(&a.case, &other, false).unwrap_or_else(|| {
                anyhow::anyhow!("{} is not a zoomlens case", a.case.display())
            }));
        }
    };
    drop(Store::open(&a.case)?);
    if before == SCHEMA_VERSION {
        println!(
            "{} is already at schema version {SCHEMA_VERSION}",
            a.case.display()
        );
    } else {
        println!(
            "{} upgraded from schema version {before} to {SCHEMA_VERSION}",
            a.case.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `zoomlens compact`: compress what is still stored plain and shrink the file.
pub fn compact(a: &CompactArgs) -> Result<ExitCode> {
    let kind = store::inspect(&a.case)?;
    if let Some(e) = store::refuse(&a.case, &kind, false) {
        return Err(e);
    }
    let case = sanitize(&a.case.display().to_string()).into_owned();
    let before = store::case_bytes(&a.case);
    let mut s = Store::open_to_compact(&a.case)?;
    let quiet = a.json;
    let mut done = s.compact(|t, n| {
        if !quiet {
            eprint!(
                "\r{}: {} compacted   ",
                sanitize(t),
                output::plural(n as usize, "record")
            );
        }
    })?;
    if !quiet && !done.tables.is_empty() {
        eprintln!();
    }
    done.bytes_before = before;
    let mut out = std::io::stdout().lock();
    if a.json {
        output::write_json(&mut out, &done)?;
    } else {
        for (t, n) in &done.tables {
            writeln!(
                out,
                "  {:<22} {} compacted",
                sanitize(t),
                output::plural(*n as usize, "record")
            )?;
        }
        writeln!(
            out,
            "{case}: {:.1} MB -> {:.1} MB (every record's original bytes kept; `zoomlens verify` rehashes them)",
            super::mb(done.bytes_before),
            super::mb(done.bytes_after)
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
