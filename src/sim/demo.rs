//! `zoomlens demo`: build the demo case and open the console on it.

/// Entry point of `zoomlens demo`.
pub fn cmd_demo(_a: &crate::cli::DemoArgs) -> anyhow::Result<std::process::ExitCode> {
    anyhow::bail!("`zoomlens demo` is not built yet (issue 3)")
}
