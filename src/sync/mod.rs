//! Plans and runs a pull from the Zoom API into a case, with checkpoints.

/// Entry point of `zoomlens sync`.
pub fn cmd_sync(_a: &crate::cli::SyncArgs) -> anyhow::Result<std::process::ExitCode> {
    anyhow::bail!("`zoomlens sync` is not built yet (issue 4)")
}

/// Entry point of `zoomlens auth login`.
pub fn cmd_auth(_a: &crate::cli::AuthArgs) -> anyhow::Result<std::process::ExitCode> {
    anyhow::bail!("`zoomlens auth login` is not built yet (issue 4)")
}
