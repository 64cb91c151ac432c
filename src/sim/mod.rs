//! Synthetic Zoom tenant: deterministic generator, Zoom-compatible HTTP simulator, planted incidents.

/// Entry point of `zoomlens gen`.
pub fn cmd_gen(_a: &crate::cli::GenArgs) -> anyhow::Result<std::process::ExitCode> {
    anyhow::bail!("`zoomlens gen` is not built yet (issue 3)")
}

/// Entry point of `zoomlens sim`.
pub fn cmd_sim(_a: &crate::cli::SimArgs) -> anyhow::Result<std::process::ExitCode> {
    anyhow::bail!("`zoomlens sim` is not built yet (issue 3)")
}

/// Entry point of `zoomlens demo`.
pub fn cmd_demo(_a: &crate::cli::DemoArgs) -> anyhow::Result<std::process::ExitCode> {
    anyhow::bail!("`zoomlens demo` is not built yet (issue 3)")
}
