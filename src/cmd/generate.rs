//! `zoomlens gen`: write a synthetic tenant to a folder.

use super::args::GenArgs;
use crate::sim::generator::{Config, generate, output::CaptureWriter};
use anyhow::Result;
use std::io::Write;
use std::process::ExitCode;

/// `zoomlens gen`.
pub fn run(a: &GenArgs) -> Result<ExitCode> {
    let cfg = Config::from_knobs(&super::knobs(&a.tenant))?;
    let t0 = std::time::Instant::now();
    let mut w = CaptureWriter::create(&a.out)?;
    let s = generate(&cfg, &mut w)?;
    let secs = t0.elapsed().as_secs_f64();
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "generated {} users x {} days (seed {}, {}..{}) into {} in {:.1} s",
        cfg.users,
        cfg.days,
        cfg.seed,
        cfg.start,
        cfg.end(),
        a.out.display(),
        secs
    )?;
    for (k, v) in &s.truth.counts {
        writeln!(out, "  {k:<28} {v}")?;
    }
    writeln!(
        out,
        "  planted incidents: {}, near-misses: {} (see truth.json)",
        s.truth.incidents.len(),
        s.truth.near_misses.len()
    )?;
    Ok(ExitCode::SUCCESS)
}
