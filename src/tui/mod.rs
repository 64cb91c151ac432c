//! The investigation console.

/// Entry point of `zoomlens open`.
pub fn cmd_open(_a: &crate::cli::OpenArgs) -> anyhow::Result<std::process::ExitCode> {
    anyhow::bail!("`zoomlens open` is not built yet (issue 6)")
}
