//! The Zoom-compatible HTTP simulator: `zoomlens sim`.

/// Entry point of `zoomlens sim`.
pub fn cmd_sim(_a: &crate::cli::SimArgs) -> anyhow::Result<std::process::ExitCode> {
    anyhow::bail!("`zoomlens sim` is not built yet (issue 3)")
}
