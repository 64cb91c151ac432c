//! `zoomlens status`: per-source counts, spans and silent gaps of a case.

use super::args::StatusArgs;
use crate::output;
use crate::store::Store;
use crate::store::status::{StatusOptions, case_status_with, write_status};
use anyhow::Result;
use std::process::ExitCode;

/// `zoomlens status`.
pub fn run(a: &StatusArgs) -> Result<ExitCode> {
    let store = Store::open_readonly(&a.case)?;
    let integrity = crate::store::verify::quick_check(&store)?;
    let gap_hours = match a.gap_hours {
        Some(h) if h > 0.0 && h.is_finite() => h,
        Some(h) => anyhow::bail!("--gap-hours must be a positive number of hours (got {h})"),
        None => {
            let (cfg, _) = crate::detect::Config::load(a.config.as_deref())?;
            cfg.param("source-silent", "max_gap_hours")
                .unwrap_or(crate::store::status::GAP_HOURS)
        }
    };
    let opts = StatusOptions {
        gap_hours,
        until: a
            .until_now
            .then(|| crate::model::time::fmt_utc(chrono::Utc::now())),
    };
    let st = case_status_with(&store, &opts)?;
    let out = std::io::stdout();
    let mut out = out.lock();
    if a.json {
        let v = serde_json::json!({
            "case": a.case.display().to_string(),
            "span": st.span.as_ref().map(|(a, b)| serde_json::json!({"first": a, "last": b})),
            "window": st.window.as_ref().map(|(a, b)| serde_json::json!({"first": a, "last": b})),
            "gap_hours": st.gap_hours,
            "sources": st.sources,
            "coverage": st.coverage,
            "integrity": integrity,
            "capabilities": crate::sync::doctor::load(&store.conn)?,
            "feeds": crate::store::feed::load_all(&store.conn)?,
        });
        output::write_json(&mut out, &v)?;
    } else {
        write_status(&mut out, &a.case.display().to_string(), &st)?;
        if let Some(caps) = crate::sync::doctor::load(&store.conn)? {
            use std::io::Write;
            writeln!(out)?;
            writeln!(
                out,
                "what the credentials can read (zoomlens doctor, {}):",
                caps.checked_at
            )?;
            for c in &caps.sources {
                writeln!(
                    out,
                    "  {:<13} {:<12} {}",
                    c.source,
                    c.state,
                    output::clip(&output::sanitize(&c.detail), 70)
                )?;
            }
        }
        let feeds = crate::store::feed::load_all(&store.conn)?;
        crate::store::feed::write_feeds(&mut out, &feeds, chrono::Utc::now())?;
    }
    if integrity != ["ok"] {
        eprintln!(
            "zoomlens: the case failed SQLite's integrity check ({}); run `zoomlens verify {}` \
             and work on a copy from the original evidence",
            output::sanitize(&integrity.join("; ")),
            output::sanitize(&a.case.display().to_string())
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
