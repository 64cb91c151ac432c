//! `zoomlens detect`: run the rules, store the findings, print them.

use super::args::{DetectArgs, OutFormat};
use crate::detect::{self, Config, Report, RunStatus, Severity, StoredFinding, finding};
use crate::output::{self, CsvOut, Safety, clip, sanitize, wrap};
use crate::store::Store;
use anyhow::{Result, bail};
use std::io::Write;
use std::process::ExitCode;

/// `zoomlens detect`.
pub fn run(a: &DetectArgs) -> Result<ExitCode> {
    if !a.case.exists() {
        bail!(
            "no case file at {} (create one with `zoomlens import {} FILE...`)",
            a.case.display(),
            a.case.display()
        );
    }
    let (mut cfg, cfg_source) = Config::load(a.config.as_deref())?;
    if let Some(g) = &a.geoip {
        cfg.geoip_db = Some(g.clone());
    }
    let mut store = Store::open(&a.case)?;
    let integrity = crate::store::verify::quick_check(&store)?;
    if integrity != ["ok"] {
        bail!(
            "{} failed SQLite's integrity check ({}); findings from a damaged case cannot be \
             trusted: run `zoomlens verify {}`",
            a.case.display(),
            integrity.join("; "),
            a.case.display()
        );
    }
    let report = detect::run(&mut store, &cfg, &a.rules)?;
    let min = a.min_severity.map(Severity::from).unwrap_or(Severity::Info);
    let found = finding::load_findings(&store.conn, min, &a.rules)?;
    let out = std::io::stdout();
    let mut out = out.lock();
    // Each finding's evidence is read as it is written: on a case with a hundred thousand
    // findings, all of it at once takes gigabytes.
    let with_evidence = |mut f: StoredFinding| -> Result<StoredFinding> {
        finding::load_evidence(&store.conn, std::slice::from_mut(&mut f))?;
        Ok(f)
    };
    match a.format {
        OutFormat::Json => {
            output::write_json_array(&mut out, found.into_iter().map(with_evidence))?;
            let mut err = std::io::stderr().lock();
            write_skipped(&mut err, &report)?;
        }
        OutFormat::Csv => {
            let mut w = CsvOut::new(&mut out, Safety::for_stdout(a.safe));
            w.row([
                "id",
                "rule",
                "severity",
                "time",
                "summary",
                "actor",
                "target",
                "question",
                "why",
                "user",
                "meeting_id",
                "meeting_uuid",
                "ip",
                "technique",
                "incident",
                "state",
                "reason",
                "evidence",
            ])?;
            for f in found.into_iter().map(with_evidence) {
                let f = f?;
                w.row([
                    f.id.to_string(),
                    f.rule.clone(),
                    f.severity.clone(),
                    f.time.clone(),
                    f.summary.clone(),
                    f.actor.clone().unwrap_or_default(),
                    f.target.clone().unwrap_or_default(),
                    f.question.clone(),
                    f.why.join(" | "),
                    f.user.clone().unwrap_or_default(),
                    f.meeting_id.map(|m| m.to_string()).unwrap_or_default(),
                    f.meeting_uuid.clone().unwrap_or_default(),
                    f.ip.clone().unwrap_or_default(),
                    f.technique.clone().unwrap_or_default(),
                    f.incident.map(|i| format!("I{i}")).unwrap_or_default(),
                    f.state.clone(),
                    f.reason.clone(),
                    f.evidence
                        .iter()
                        .map(|e| format!("{}:{}", e.table, e.id))
                        .collect::<Vec<_>>()
                        .join(" "),
                ])?;
            }
            w.finish()?;
            let mut err = std::io::stderr().lock();
            write_skipped(&mut err, &report)?;
        }
        OutFormat::Table => {
            write_table(&mut out, &found)?;
            writeln!(out)?;
            write_summary(&mut out, &report, &cfg_source, found.len())?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

const WIDTH: usize = 100;

/// Findings as a table that reads at 100 columns: a header line per finding, its summary
/// wrapped below, who did it to what, and the facts that made it fire. Every log string is
/// sanitised.
pub fn write_table(out: &mut dyn Write, found: &[StoredFinding]) -> Result<()> {
    writeln!(
        out,
        "{:<8}  {:<19}  {:<37}  ID",
        "SEVERITY", "TIME (UTC)", "RULE"
    )?;
    writeln!(out, "{}", "-".repeat(WIDTH))?;
    for f in found {
        let t = f.time.replace('T', " ");
        let t = t.trim_end_matches('Z');
        writeln!(
            out,
            "{:<8}  {:<19}  {:<37}  {}",
            sanitize(&f.severity).to_uppercase(),
            clip(&sanitize(t), 19),
            sanitize(&f.rule),
            [
                Some(format!("#{}", f.id)),
                f.incident.map(|i| format!("I{i}")),
                (f.state != "new").then(|| sanitize(&f.state).into_owned()),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("  ")
        )?;
        let mut ents = Vec::new();
        match (&f.actor, &f.target) {
            (Some(a), Some(t)) => ents.push(format!("{} → {}", sanitize(a), sanitize(t))),
            (Some(a), None) => ents.push(format!("by {}", sanitize(a))),
            (None, Some(t)) => ents.push(format!("on {}", sanitize(t))),
            (None, None) => {}
        }
        if let Some(u) = &f.user
            && ![&f.actor, &f.target]
                .into_iter()
                .flatten()
                .any(|x| x.eq_ignore_ascii_case(u))
        {
            ents.push(format!("user {}", sanitize(u)));
        }
        if let Some(m) = f.meeting_id {
            ents.push(format!("meeting {m}"));
        }
        if let Some(u) = &f.meeting_uuid {
            ents.push(format!("uuid {}", sanitize(u)));
        }
        if let Some(ip) = &f.ip {
            ents.push(format!("ip {}", sanitize(ip)));
        }
        for line in wrap(&sanitize(&f.summary), WIDTH - 10) {
            writeln!(out, "          {line}")?;
        }
        if !ents.is_empty() {
            writeln!(out, "          {}", clip(&ents.join(" · "), WIDTH - 10))?;
        }
        for (n, fact) in f.why.iter().enumerate() {
            for (i, line) in wrap(&sanitize(fact), WIDTH - 16).iter().enumerate() {
                let lead = match (n, i) {
                    (0, 0) => "why · ",
                    (_, 0) => "    · ",
                    _ => "      ",
                };
                writeln!(out, "          {lead}{line}")?;
            }
        }
    }
    Ok(())
}

fn write_skipped(out: &mut dyn Write, report: &Report) -> Result<()> {
    for r in &report.runs {
        if let RunStatus::Skipped(why) = &r.status {
            let text = format!("could not run {}: {why}", r.rule);
            for (i, line) in wrap(&text, WIDTH - 4).iter().enumerate() {
                let indent = if i == 0 { "" } else { "    " };
                writeln!(out, "{indent}{line}")?;
            }
        }
    }
    Ok(())
}

fn write_summary(
    out: &mut dyn Write,
    report: &Report,
    cfg_source: &str,
    shown: usize,
) -> Result<()> {
    writeln!(
        out,
        "{} finding(s) shown; {} from {} rule(s) in {:.1} s (config: {})",
        shown,
        report.total_findings(),
        report.runs.len(),
        report.elapsed.as_secs_f64(),
        clip(cfg_source, 40)
    )?;
    let g = &report.incidents;
    writeln!(
        out,
        "grouped into {} (`zoomlens incidents CASE` lists them){}",
        output::plural(g.incidents, "incident"),
        if report.total_suppressed() > 0 {
            format!(
                "; {} covered by the case's allow-list",
                report.total_suppressed()
            )
        } else {
            String::new()
        }
    )?;
    if !report.internal_domains.is_empty() {
        writeln!(
            out,
            "internal domains: {}",
            clip(&report.internal_domains.join(", "), WIDTH - 18)
        )?;
    }
    write_skipped(out, report)?;
    Ok(())
}
