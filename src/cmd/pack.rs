//! `zoomlens pack` and `zoomlens unpack`: a case as one file to hand over, and back.

use super::args::{PackArgs, UnpackArgs};
use crate::output::{self, sanitize};
use crate::store::pack::{self, Packing};
use anyhow::Result;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

/// Steps on stderr unless the output is JSON: at a terminal one line that each step
/// overwrites (and [`steps_done`] clears), in a captured log a line each.
fn steps(quiet: bool) -> impl FnMut(&str) {
    let live = std::io::stderr().is_terminal();
    move |step| match (quiet, live) {
        (true, _) => {}
        (false, true) => eprint!("\r{:<WIDTH$}", format!("{}...", sanitize(step))),
        (false, false) => eprintln!("{}...", sanitize(step)),
    }
}

const WIDTH: usize = 60;

fn steps_done(quiet: bool) {
    if !quiet && std::io::stderr().is_terminal() {
        eprint!("\r{:WIDTH$}\r", "");
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
    let done = pack::pack(&a.case, &out, a.level, a.force, steps(a.json));
    steps_done(a.json);
    let done = done?;
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
    let done = pack::unpack(&a.pack, &out, a.force, steps(a.json));
    steps_done(a.json);
    let done = done?;
    let line = format!(
        "{}: {} unpacked and checked against the pack ({:.1} MB -> {:.1} MB)",
        shown(&out),
        output::plural(done.records as usize, "record"),
        mb(done.pack_bytes),
        mb(done.case_bytes),
    );
    print(a.json, &done, line)
}
