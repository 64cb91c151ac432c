//! `zoomlens triage`, `zoomlens incidents` and `zoomlens config`: the analyst's verdicts, the
//! stories they are given on, and the case's allow-list.

use super::args::{ConfigArgs, IncidentsArgs, OutFormat, TriageArgs};
use crate::detect::triage::{self, Target, Verdict};
use crate::detect::{self, incidents};
use crate::output::{self, clip, sanitize};
use crate::store::Store;
use anyhow::{Result, bail};
use std::io::Write;
use std::process::ExitCode;

/// `zoomlens triage`.
pub fn run(a: &TriageArgs) -> Result<ExitCode> {
    let targets = a
        .ids
        .iter()
        .map(|s| Target::parse(s))
        .collect::<Result<Vec<_>>>()?;
    // Every --allow entry is checked before anything is recorded.
    for pair in a.allow.chunks(2) {
        triage::normalise_allow(&pair[0], &pair[1])?;
    }
    if !a.case.exists() {
        bail!("no case file at {}", a.case.display());
    }
    let mut store = Store::open(&a.case)?;
    let v = Verdict {
        state: a.state.into(),
        reason: a.reason.trim().to_string(),
        analyst: a.analyst.clone().unwrap_or_else(triage::default_analyst),
        at: crate::model::time::fmt_utc(chrono::Utc::now()),
    };
    triage::set(&mut store.conn, &targets, &v)?;
    let ids: Vec<String> = targets.iter().map(|t| t.to_string()).collect();
    println!(
        "{} {} by {}{}",
        ids.join(", "),
        v.state.as_str(),
        sanitize(&v.analyst),
        if v.reason.is_empty() {
            String::new()
        } else {
            format!(": {}", sanitize(&v.reason))
        }
    );
    for pair in a.allow.chunks(2) {
        let e = triage::allow(
            &store.conn,
            &pair[0],
            &pair[1],
            &v.reason,
            &v.analyst,
            &v.at,
        )?;
        println!(
            "allow-listed {} {}{}",
            e.kind,
            sanitize(&e.value),
            if a.redetect {
                ""
            } else {
                " (applies from the next `zoomlens detect`; --redetect runs it now)"
            }
        );
    }
    if a.redetect {
        let (cfg, _) = detect::Config::load(None)?;
        let report = detect::run(&mut store, &cfg, &[])?;
        println!(
            "detect: {} findings in {} incidents, {} covered by the allow-list",
            report.total_findings(),
            report.incidents.incidents,
            report.total_suppressed()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `zoomlens incidents`.
pub fn list(a: &IncidentsArgs) -> Result<ExitCode> {
    let store = Store::open_readonly(&a.case)?;
    let found = incidents::load(&store.conn, a.open)?;
    let mut out = std::io::stdout().lock();
    match a.format {
        OutFormat::Json => output::write_json(&mut out, &found)?,
        OutFormat::Csv => bail!("incidents print as a table or JSON (use --format json)"),
        OutFormat::Table => {
            if found.is_empty() {
                writeln!(
                    out,
                    "no incidents{} (run `zoomlens detect {}` first)",
                    if a.open { " open" } else { "" },
                    sanitize(&a.case.display().to_string())
                )?;
                return Ok(ExitCode::SUCCESS);
            }
            writeln!(
                out,
                "{:<6} {:>6}  {:<8}  {:<14}  {:<35}  FINDINGS",
                "ID", "SCORE", "SEVERITY", "STATE", "SPAN (UTC)"
            )?;
            writeln!(out, "{}", "-".repeat(100))?;
            let minute = |t: &str| t.replace('T', " ").chars().take(16).collect::<String>();
            for i in &found {
                let (first, last) = (minute(&i.first_time), minute(&i.last_time));
                let span = if first == last {
                    first
                } else if first[..10] == last[..10] {
                    format!("{first} → {}", &last[11..])
                } else {
                    format!("{first} → {}", &last[5..])
                };
                writeln!(
                    out,
                    "{:<6} {:>6.1}  {:<8}  {:<14}  {:<35}  {}",
                    format!("I{}", i.id),
                    i.score,
                    i.severity.to_uppercase(),
                    i.state,
                    span,
                    i.findings
                )?;
                for line in output::wrap(&sanitize(&i.title), 92) {
                    writeln!(out, "        {line}")?;
                }
                if !i.reason.is_empty() {
                    writeln!(out, "        reason: {}", clip(&sanitize(&i.reason), 84))?;
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `zoomlens config`.
pub fn config(a: &ConfigArgs) -> Result<ExitCode> {
    let store = Store::open_readonly(&a.case)?;
    let entries = triage::allow_list(&store.conn)?;
    let mut out = std::io::stdout().lock();
    if a.json {
        output::write_json(&mut out, &serde_json::json!({ "allow": entries }))?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "allow-list of {}:",
        sanitize(&a.case.display().to_string())
    )?;
    if entries.is_empty() {
        writeln!(
            out,
            "  (empty; add entries with `zoomlens triage CASE ID --state benign --allow KIND VALUE`)"
        )?;
    }
    for e in &entries {
        writeln!(
            out,
            "  {:<15} {:<32} {} {}{}",
            e.kind,
            sanitize(&e.value),
            sanitize(&e.analyst),
            e.at,
            if e.reason.is_empty() {
                String::new()
            } else {
                format!("  {}", sanitize(&e.reason))
            }
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
