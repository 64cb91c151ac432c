//! The command layer: the only code that knows the command line.
//!
//! Each subcommand has a file here that turns clap's [`args`] into the plain option structs the
//! library defines, calls the library, prints through [`crate::output`] and chooses the exit
//! code. The library below never sees a flag (ripgrep's `flags` → `HiArgs` split is the model),
//! so it can be driven from another program, a test or a benchmark unchanged.
//!
//! Exit codes: 0 done; 1 error (message on stderr); 2 usage; 3 done but incomplete (records
//! rejected, a sync window not fetched).

pub mod args;
mod demo;
mod detect;
mod export;
mod exposure;
mod generate;
mod import;
mod listen;
mod pack;
mod report;
mod sim;
mod sql;
mod stack;
mod status;
mod sync;
mod triage;
mod verify;

pub use args::Cli;

use anyhow::{Context, Result};
use args::{Command, TenantArgs};
use clap::CommandFactory;
use std::path::Path;
use std::process::ExitCode;

/// Exit status of a run that finished but left something out (rejects, unfetched windows).
pub const EXIT_INCOMPLETE: u8 = 3;

/// Run a parsed command line; errors are printed (sanitised) and become exit code 1.
pub fn run(cli: Cli) -> ExitCode {
    let command = match (cli.command, cli.case) {
        (Some(c), _) => c,
        (None, Some(case)) => Command::Open(args::OpenArgs {
            case,
            config: None,
            geoip: None,
        }),
        (None, None) => {
            let _ = Cli::command().print_help();
            return ExitCode::from(2);
        }
    };
    let result = match command {
        Command::Import(a) => import::run(&a),
        Command::Sql(a) => sql::run(&a),
        Command::Status(a) => status::run(&a),
        Command::Gen(a) => generate::run(&a),
        Command::Sim(a) => sim::run(&a),
        Command::Demo(a) => demo::run(&a),
        Command::Sync(a) => sync::run(&a),
        Command::Auth(a) => sync::auth(&a),
        Command::Doctor(a) => sync::doctor(&a),
        Command::Detect(a) => detect::run(&a),
        Command::Incidents(a) => triage::list(&a),
        Command::Triage(a) => triage::run(&a),
        Command::Config(a) => triage::config(&a),
        Command::Verify(a) => verify::run(&a),
        Command::Upgrade(a) => verify::upgrade(&a),
        Command::Compact(a) => verify::compact(&a),
        Command::Pack(a) => pack::pack(&a),
        Command::Unpack(a) => pack::unpack(&a),
        Command::Listen(a) => listen::run(&a),
        Command::Report(a) => report::run(&a),
        Command::Export(a) => export::run(&a),
        Command::Open(a) => open(&a),
        Command::Stack(a) => stack::run(&a),
        Command::Exposure(a) => exposure::run(&a),
    };
    match result {
        Ok(code) => code,
        // `zoomlens ... | head`: the reader has what it wanted.
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("zoomlens: {}", crate::output::sanitize(&format!("{e:#}")));
            ExitCode::from(1)
        }
    }
}

/// `zoomlens open CASE` (and `zoomlens CASE`).
fn open(a: &args::OpenArgs) -> Result<ExitCode> {
    let (mut cfg, _) = crate::detect::Config::load(a.config.as_deref())?;
    if let Some(g) = &a.geoip {
        cfg.geoip_db = Some(g.clone());
    }
    console(&a.case, &cfg)
}

/// The console on `case`, seen through the analyst's detection config.
fn console(case: &Path, cfg: &crate::detect::Config) -> Result<ExitCode> {
    crate::tui::run(case, cfg)?;
    Ok(ExitCode::SUCCESS)
}

/// The generator's knobs from `gen`, `sim` and `demo`'s shared flags.
fn knobs(a: &TenantArgs) -> crate::sim::generator::Knobs {
    crate::sim::generator::Knobs {
        seed: a.seed,
        users: a.users,
        days: a.days,
        start: a.start.clone(),
        external_share: a.external_share,
        guest_share: a.guest_share,
        incidents: a.incidents.clone(),
    }
}

/// Decimal megabytes, as the README's numbers and the benches give them.
fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

/// Write `bytes` to a temporary file beside `dest`, sync it and rename it into place, so a
/// reader never sees half a file and a failed run leaves any earlier one untouched.
pub(super) fn write_atomically(dest: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = crate::util::beside(dest, "tmp")?;
    let result = (|| -> Result<()> {
        let mut f = std::fs::File::create(&tmp)
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        std::io::Write::write_all(&mut f, bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, dest).with_context(|| format!("cannot write {}", dest.display()))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
