use clap::Parser;
use std::process::ExitCode;
use zoomlens::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.verbose);
    let result = match cli.command {
        Command::Import(a) => zoomlens::ingest::cmd_import(&a),
        Command::Sql(a) => zoomlens::store::query::cmd_sql(&a),
        Command::Status(a) => zoomlens::store::status::cmd_status(&a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("zoomlens: {}", zoomlens::util::sanitize(&format!("{e:#}")));
            ExitCode::from(1)
        }
    }
}

fn init_tracing(verbose: u8) {
    let level = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("ZOOMLENS_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
