use clap::{CommandFactory, Parser};
use std::process::ExitCode;
use zoomlens::cli::{Cli, Command, OpenArgs};

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.verbose);
    let command = match (cli.command, cli.case) {
        (Some(c), _) => c,
        (None, Some(case)) => Command::Open(OpenArgs { case }),
        (None, None) => {
            let _ = Cli::command().print_help();
            return ExitCode::from(2);
        }
    };
    let result = match command {
        Command::Import(a) => zoomlens::ingest::cmd_import(&a),
        Command::Sql(a) => zoomlens::store::query::cmd_sql(&a),
        Command::Status(a) => zoomlens::store::status::cmd_status(&a),
        Command::Gen(a) => zoomlens::sim::cmd_gen(&a),
        Command::Sim(a) => zoomlens::sim::cmd_sim(&a),
        Command::Demo(a) => zoomlens::sim::cmd_demo(&a),
        Command::Sync(a) => zoomlens::sync::cmd_sync(&a),
        Command::Auth(a) => zoomlens::sync::cmd_auth(&a),
        Command::Detect(a) => zoomlens::detect::cmd_detect(&a),
        Command::Listen(a) => zoomlens::listen::cmd_listen(&a),
        Command::Open(a) => zoomlens::tui::cmd_open(&a),
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
