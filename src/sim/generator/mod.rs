//! The generator: `zoomlens gen`.

/// Entry point of `zoomlens gen`.
pub fn cmd_gen(_a: &crate::cli::GenArgs) -> anyhow::Result<std::process::ExitCode> {
    anyhow::bail!("`zoomlens gen` is not built yet (issue 3)")
}
