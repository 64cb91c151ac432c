//! Command-line definitions of every subcommand.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "zoomlens",
    version,
    about = "Terminal investigation console for Zoom security telemetry"
)]
pub struct Cli {
    /// More logging (repeat for more); logs go to stderr.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Import files into a case (created if missing); the format is detected from content.
    Import(ImportArgs),
    /// Run a read-only SQL query on a case.
    Sql(SqlArgs),
    /// Per-source counts, time spans and silent gaps of a case.
    Status(StatusArgs),
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// The case file.
    pub case: PathBuf,
    /// Files to import: captures, bare API bodies, webhooks, Panther rows, CSV lists and exports.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Meeting UUID that bare participant pages belong to.
    #[arg(long)]
    pub meeting: Option<String>,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Clone, Copy, Debug, Default, ValueEnum, PartialEq, Eq)]
pub enum OutFormat {
    #[default]
    Table,
    Json,
    Csv,
}

#[derive(Args, Debug)]
pub struct SqlArgs {
    pub case: PathBuf,
    /// The query; runs on a read-only connection.
    pub query: String,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutFormat,
}

#[derive(Args, Debug)]
pub struct StatusArgs {
    pub case: PathBuf,
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
}
