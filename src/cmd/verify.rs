//! `zoomlens verify` and `zoomlens upgrade`.

use super::args::{UpgradeArgs, VerifyArgs};
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
