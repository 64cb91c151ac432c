//! `zoomlens pack` and `zoomlens unpack`: a case as one file to hand over, and back.

use super::args::{PackArgs, UnpackArgs};
use crate::output::{self, sanitize};
use crate::store::pack::{self, Packing};
use anyhow::Result;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

/// Run `work`, showing its steps on stderr unless the output is JSON: at a terminal one line
/// that each step overwrites and that is cleared when the work ends (done or not), in a
/// captured log a line each.
fn with_steps<T>(quiet: bool, work: impl FnOnce(&mut dyn FnMut(&str)) -> Result<T>) -> Result<T> {
    const WIDTH: usize = 60;
    let live = !quiet && std::io::stderr().is_terminal();
    let done = work(&mut |step: &str| match (quiet, live) {
        (true, _) => {}
        (false, true) => eprint!("\r{:<WIDTH$}", format!("{}...", sanitize(step))),
        (false, false) => eprintln!("{}...", sanitize(step)),
    });
    if live {
        eprint!("\r{:WIDTH$}\r", "");
    }
    done
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
    let done = with_steps(a.json, |step| {
        pack::pack(&a.case, &out, a.level, a.force, step)
    })?;
    let line = format!(
        "{}: {} in {:.1} MB, packed from {} ({:.1} MB); `zoomlens unpack {}` gives the case back, every record checked",
        shown(&out),
        output::plural(done.records as usize, "record"),
        super::mb(done.pack_bytes),
        shown(&a.case),
        super::mb(done.case_bytes),
        shown(&out),
    );
    print(a.json, &done, line)
}

/// `zoomlens unpack PACK [OUT]`.
pub fn unpack(a: &UnpackArgs) -> Result<ExitCode> {
    let out = a.out.clone().unwrap_or_else(|| a.pack.with_extension("zl"));
    let done = with_steps(a.json, |step| pack::unpack(&a.pack, &out, a.force, step))?;
    let line = format!(
        "{}: {} unpacked and checked against the pack ({:.1} MB -> {:.1} MB)",
        shown(&out),
        output::plural(done.records as usize, "record"),
        super::mb(done.pack_bytes),
        super::mb(done.case_bytes),
    );
    print(a.json, &done, line)
}
