//! `zoomlens status`: per-source counts, spans and silent gaps of a case.

use super::args::StatusArgs;
use crate::output;
use crate::store::Store;
use crate::store::status::{case_status, write_status};
use anyhow::Result;
use std::process::ExitCode;

/// `zoomlens status`.
pub fn run(a: &StatusArgs) -> Result<ExitCode> {
    let store = Store::open_readonly(&a.case)?;
    let st = case_status(&store)?;
    let out = std::io::stdout();
    let mut out = out.lock();
    if a.json {
        let v = serde_json::json!({
            "case": a.case.display().to_string(),
            "span": st.span.as_ref().map(|(a, b)| serde_json::json!({"first": a, "last": b})),
            "sources": st.sources,
            "coverage": st.coverage,
        });
        output::write_json(&mut out, &v)?;
    } else {
        write_status(&mut out, &a.case.display().to_string(), &st)?;
    }
    Ok(ExitCode::SUCCESS)
}
