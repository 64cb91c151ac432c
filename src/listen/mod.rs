//! Webhook receiver: verifies Zoom's signatures and commits events before acknowledging them.

/// Entry point of `zoomlens listen`.
pub fn cmd_listen(_a: &crate::cli::ListenArgs) -> anyhow::Result<std::process::ExitCode> {
    anyhow::bail!("`zoomlens listen` is not built yet (issue 7)")
}
