//! Importers: format sniffing and one parser per input format; rejects are kept.
//!
//! The same normalisers serve every door: `import` replays files, `sync` stores the pages it
//! fetches through [`capture::store_page`], `listen` stores deliveries through
//! [`webhook::store_event`].

pub mod capture;
pub mod webhook;

use crate::cli::ImportArgs;
use crate::store::{Counts, Store};
use anyhow::Result;
use std::path::PathBuf;
use std::process::ExitCode;

/// Options of an import run.
#[derive(Debug, Default, Clone)]
pub struct ImportOptions {
    /// Meeting UUID that bare participant pages belong to.
    pub meeting: Option<String>,
}

/// What an import did, per table, plus the first rejects for the summary.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct ImportSummary {
    pub counts: Counts,
    /// (file, line, reason) of the first rejects.
    pub first_rejects: Vec<(String, Option<i64>, String)>,
}

/// Import files into an open case (the library entry used by `import`, `demo` and tests).
pub fn import_paths(
    _store: &mut Store,
    _paths: &[PathBuf],
    _opts: &ImportOptions,
) -> Result<ImportSummary> {
    anyhow::bail!("import is not built yet (issue 2)")
}

/// Entry point of `zoomlens import`.
pub fn cmd_import(_a: &ImportArgs) -> Result<ExitCode> {
    anyhow::bail!("`zoomlens import` is not built yet (issue 2)")
}
