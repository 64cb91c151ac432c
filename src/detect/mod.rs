//! Detection engine and rules (one file per rule); rules read the store and write findings.

/// Entry point of `zoomlens detect`.
pub fn cmd_detect(_a: &crate::cli::DetectArgs) -> anyhow::Result<std::process::ExitCode> {
    anyhow::bail!("`zoomlens detect` is not built yet (issue 5)")
}
