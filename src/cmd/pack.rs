//! `zoomlens pack` and `zoomlens unpack`: a case as one file to hand over, and back.

use super::args::{PackArgs, UnpackArgs};
use crate::output::{self, sanitize};
use crate::store::pack::{self, Packing};
use anyhow::Result;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// Steps on stderr, one line each, unless the output is JSON.
fn steps(quiet: bool) -> impl FnMut(&str) {
    move |step| {
        if !quiet {
            eprintln!("{}...", sanitize(step));
        }
    }
}

fn mb(b: u64) -> f64 {
    // Decimal megabytes, as the README's numbers and the benches give them.
    b as f64 / 1e6
}

fn shown(p: &Path) -> String {
    sanitize(&p.display().to_string()).into_owned()
}

fn print(json: bool, done: &Packing, line: String) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    if json {
        output::write_json(&mut out, done)?;
    } else {
        writeln!(out, "{line}")?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `zoomlens pack CASE [OUT]`.
pub fn pack(a: &PackArgs) -> Result<ExitCode> {
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| a.case.with_extension("zlpack"));
    let done = pack::pack(&a.case, &out, a.level, a.force, steps(a.json))?;
    let line = format!(
        "{}: {} in {:.1} MB, packed from {} ({:.1} MB); `zoomlens unpack {}` gives the case back, every record checked",
        shown(&out),
        output::plural(done.records as usize, "record"),
        mb(done.pack_bytes),
        shown(&a.case),
        mb(done.case_bytes),
        shown(&out),
    );
    print(a.json, &done, line)
}

/// `zoomlens unpack PACK [OUT]`.
pub fn unpack(a: &UnpackArgs) -> Result<ExitCode> {
    let out = a.out.clone().unwrap_or_else(|| a.pack.with_extension("zl"));
    let done = pack::unpack(&a.pack, &out, a.force, steps(a.json))?;
    let line = format!(
        "{}: {} unpacked and checked against the pack ({:.1} MB -> {:.1} MB)",
        shown(&out),
        output::plural(done.records as usize, "record"),
        mb(done.pack_bytes),
        mb(done.case_bytes),
    );
    print(a.json, &done, line)
}
