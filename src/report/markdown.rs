//! The report as GitHub/GitLab-flavoured Markdown.
//!
//! Every string that came from the case goes through [`md_text`] (sanitised, then every
//! Markdown metacharacter backslash-escaped); the only unescaped text is this file's own. Headings carry no case text, so their anchors (`#incident-i7`) are predictable.

use super::{CaseReport, EvidenceTable, Story, StoryFinding, span};
use crate::output::{md_text, plural};
use std::fmt::Write;

/// A GFM table; cells must already be escaped.
fn table(out: &mut String, headers: &[&str], rows: &[Vec<String>]) {
    let _ = writeln!(out, "| {} |", headers.join(" | "));
    let _ = writeln!(out, "|{}", " --- |".repeat(headers.len()));
    for r in rows {
        let cells: Vec<&str> = r
            .iter()
            .map(|c| if c.is_empty() { " " } else { c.as_str() })
            .collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out.push('\n');
}

fn opt(s: &Option<String>) -> String {
    s.as_deref().map(md_text).unwrap_or_default()
}

/// Render a report as Markdown.
pub fn render(r: &CaseReport) -> String {
    let mut out = String::new();
    header(&mut out, r);
    scope(&mut out, r);
    incidents(&mut out, r);
    for s in &r.stories {
        story(&mut out, s);
    }
    if !r.loose.is_empty() {
        out.push_str("## Findings outside any incident\n\n");
        out.push_str(
            "Routine context (info level) that touches no incident. They are listed for \
             completeness.\n\n",
        );
        story_table(&mut out, &r.loose);
        for f in &r.loose {
            finding(&mut out, f);
        }
    }
    notes(&mut out, r);
    provenance(&mut out, r);
    // One trailing newline.
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

fn header(out: &mut String, r: &CaseReport) {
    let _ = writeln!(out, "# Case report: {}\n", md_text(&r.case_name));
    let _ = writeln!(out, "- **Case file:** {}", md_text(&r.case_name));
    match &r.scope.status.span {
        Some((a, b)) => {
            let days = match (
                crate::model::time::parse_time(a),
                crate::model::time::parse_time(b),
            ) {
                (Some(x), Some(y)) => {
                    format!(" ({:.1} days)", (y - x).num_seconds() as f64 / 86400.0)
                }
                _ => String::new(),
            };
            let _ = writeln!(out, "- **Events:** {} → {}{days}", md_text(a), md_text(b));
        }
        None => {
            let _ = writeln!(out, "- **Events:** none with a time");
        }
    }
    let _ = writeln!(
        out,
        "- **Incidents:** {} ({} open) · **Findings:** {}",
        r.scope.incidents, r.scope.open_incidents, r.scope.findings
    );
    if r.selected.is_empty() {
        let _ = writeln!(out, "- **This report:** every incident and finding");
    } else {
        let ids: Vec<String> = r.selected.iter().map(|i| format!("I{i}")).collect();
        let _ = writeln!(
            out,
            "- **This report:** {} {} only",
            if ids.len() == 1 {
                "incident"
            } else {
                "incidents"
            },
            ids.join(", ")
        );
    }
    if let Some(t) = &r.generated_at {
        let _ = writeln!(out, "- **Generated at:** {}", md_text(t));
    }
    out.push('\n');
    out.push_str(
        "Text from the logs is shown escaped: control and invisible characters appear as \
         `\\x1b` or `\\u{202e}`, and links are defanged (`hxxps://`). Times are UTC.\n\n",
    );
    out.push_str("Contents: [Scope](#scope) · [Incidents](#incidents)");
    for s in &r.stories {
        let _ = write!(out, " · [I{id}](#incident-i{id})", id = s.incident.id);
    }
    if !r.loose.is_empty() {
        out.push_str(" · [Other findings](#findings-outside-any-incident)");
    }
    out.push_str(
        " · [Notes](#analysts-notes-tags-and-bookmarks) · [Provenance](#appendix-provenance)\n\n",
    );
}

fn scope(out: &mut String, r: &CaseReport) {
    let st = &r.scope.status;
    out.push_str("## Scope\n\n### Sources\n\n");
    out.push_str(
        "Records per source, their first and last event, and silences longer than 24 h inside \
         the case's span (a source without records is silent throughout).\n\n",
    );
    let rows: Vec<Vec<String>> = st
        .sources
        .iter()
        .map(|s| {
            let gaps = if !s.tracks_gaps || st.span.is_none() {
                "-".to_string()
            } else if s.records == 0 {
                "**SILENT** (no records)".to_string()
            } else if s.gaps.is_empty() {
                "none".to_string()
            } else {
                let longest = s.gaps.iter().map(|g| g.hours).fold(0.0, f64::max);
                format!("{} (longest {longest:.0} h)", s.gaps.len())
            };
            vec![
                md_text(&s.source),
                s.records.to_string(),
                if s.undated > 0 {
                    s.undated.to_string()
                } else {
                    String::new()
                },
                s.first.as_deref().map(md_text).unwrap_or_default(),
                s.last.as_deref().map(md_text).unwrap_or_default(),
                gaps,
            ]
        })
        .collect();
    table(
        out,
        &[
            "source",
            "records",
            "undated",
            "first",
            "last",
            "silent > 24 h",
        ],
        &rows,
    );
    const SHOW: usize = 10;
    let mut gaps = Vec::new();
    for s in &st.sources {
        for g in s.gaps.iter().take(SHOW) {
            gaps.push(vec![
                md_text(&s.source),
                md_text(&g.from),
                md_text(&g.to),
                format!("{:.1}", g.hours),
            ]);
        }
        if s.gaps.len() > SHOW {
            gaps.push(vec![
                md_text(&s.source),
                format!("… and {} more", s.gaps.len() - SHOW),
                String::new(),
                String::new(),
            ]);
        }
    }
    if !gaps.is_empty() {
        out.push_str("### Silent periods\n\n");
        table(out, &["source", "from", "to", "hours"], &gaps);
    }

    out.push_str("### What could not be collected\n\n");
    if st.coverage.is_empty() {
        out.push_str("Sync windows: none failed, was unavailable or partial.\n\n");
    } else {
        out.push_str("Sync windows not fully fetched:\n\n");
        let rows: Vec<Vec<String>> = st
            .coverage
            .iter()
            .map(|c| {
                vec![
                    md_text(&c.source),
                    md_text(&c.state),
                    md_text(&c.win_from),
                    md_text(&c.win_to),
                    if c.scope.is_empty() {
                        "account".into()
                    } else {
                        md_text(&c.scope)
                    },
                    md_text(&c.detail),
                ]
            })
            .collect();
        table(
            out,
            &["source", "state", "from", "to", "scope", "detail"],
            &rows,
        );
    }
    if r.scope.rejects.is_empty() {
        out.push_str("Rejected records: none.\n\n");
    } else {
        out.push_str("Rejected records (kept whole in the case with the reason):\n\n");
        let rows: Vec<Vec<String>> = r
            .scope
            .rejects
            .iter()
            .map(|(src, reason, n)| vec![md_text(src), md_text(reason), n.to_string()])
            .collect();
        table(out, &["file", "reason", "records"], &rows);
    }
    if r.scope.skipped_rules.is_empty() {
        out.push_str("Detection rules that could not run: none.\n\n");
    } else {
        out.push_str("Detection rules that could not run (they found nothing because they could not look):\n\n");
        let rows: Vec<Vec<String>> = r
            .scope
            .skipped_rules
            .iter()
            .map(|(rule, why)| vec![md_text(rule), md_text(why)])
            .collect();
        table(out, &["rule", "why"], &rows);
    }
    out.push_str("### Allow-list\n\n");
    if r.scope.allow.is_empty() {
        out.push_str("Empty: every finding the rules made is stored.\n\n");
    } else {
        out.push_str("Findings this case's allow-list covers were not stored:\n\n");
        let rows: Vec<Vec<String>> = r
            .scope
            .allow
            .iter()
            .map(|a| {
                vec![
                    md_text(&a.kind),
                    md_text(&a.value),
                    md_text(&a.analyst),
                    md_text(&a.at),
                    md_text(&a.reason),
                ]
            })
            .collect();
        table(out, &["kind", "value", "analyst", "at", "reason"], &rows);
    }
}

fn incidents(out: &mut String, r: &CaseReport) {
    out.push_str("## Incidents\n\n");
    if r.stories.is_empty() {
        out.push_str("No incidents (run `zoomlens detect` on the case first).\n\n");
        return;
    }
    out.push_str("Highest score first.\n\n");
    let rows: Vec<Vec<String>> = r
        .stories
        .iter()
        .map(|s| {
            let i = &s.incident;
            vec![
                format!("[I{id}](#incident-i{id})", id = i.id),
                format!("{:.1}", i.score),
                md_text(&i.severity),
                md_text(&i.state),
                md_text(&span(&i.first_time, &i.last_time)),
                i.findings.to_string(),
                md_text(&i.title),
                opt(&i.analyst),
                md_text(&i.reason),
            ]
        })
        .collect();
    table(
        out,
        &[
            "incident", "score", "severity", "state", "span", "findings", "story", "analyst",
            "reason",
        ],
        &rows,
    );
}

fn story(out: &mut String, s: &Story) {
    let i = &s.incident;
    let _ = writeln!(out, "## Incident I{}\n", i.id);
    let _ = writeln!(out, "**{}**\n", md_text(&i.title));
    let _ = write!(out, "- **State:** {}", md_text(&i.state));
    if let Some(a) = &i.analyst {
        let _ = write!(out, " (by {}", md_text(a));
        if let Some(t) = &i.triaged_at {
            let _ = write!(out, ", {}", md_text(t));
        }
        out.push(')');
    }
    out.push('\n');
    if !i.reason.is_empty() {
        let _ = writeln!(out, "- **Reason:** {}", md_text(&i.reason));
    }
    let _ = writeln!(
        out,
        "- **Severity:** {} · **Score:** {:.1} · **Findings:** {}",
        md_text(&i.severity),
        i.score,
        i.findings
    );
    let _ = writeln!(
        out,
        "- **When:** {}",
        md_text(&span(&i.first_time, &i.last_time))
    );
    if !i.actors.is_empty() {
        let a: Vec<String> = i.actors.iter().map(|a| md_text(a)).collect();
        let _ = writeln!(out, "- **Involved:** {}", a.join(", "));
    }
    let rules: Vec<String> = i.rules.iter().map(|r| md_text(r)).collect();
    let _ = writeln!(out, "- **Rules:** {}\n", rules.join(", "));
    out.push_str("### Story\n\n");
    story_table(out, &s.findings);
    for f in &s.findings {
        finding(out, f);
    }
    if !s.history.is_empty() {
        out.push_str("### Verdicts\n\n");
        let rows: Vec<Vec<String>> = s
            .history
            .iter()
            .map(|v| {
                vec![
                    md_text(&v.at),
                    md_text(&v.target),
                    md_text(&v.state),
                    md_text(&v.analyst),
                    md_text(&v.reason),
                ]
            })
            .collect();
        table(out, &["at", "on", "state", "analyst", "reason"], &rows);
    }
}

/// The findings in time order, one line each.
fn story_table(out: &mut String, fs: &[StoryFinding]) {
    let rows: Vec<Vec<String>> = fs
        .iter()
        .map(|sf| {
            let f = &sf.finding;
            vec![
                md_text(&f.time),
                format!("[F{id}](#finding-f{id})", id = f.id),
                md_text(&f.severity),
                md_text(&f.rule),
                opt(&f.technique),
                md_text(&f.summary),
            ]
        })
        .collect();
    table(
        out,
        &["time", "finding", "severity", "rule", "technique", "why"],
        &rows,
    );
}

fn finding(out: &mut String, sf: &StoryFinding) {
    let f = &sf.finding;
    let _ = writeln!(out, "#### Finding F{}\n", f.id);
    let _ = write!(out, "- **Rule:** {}", md_text(&f.rule));
    if !sf.rule_title.is_empty() {
        let _ = write!(out, " ({})", md_text(&sf.rule_title));
    }
    out.push('\n');
    let _ = writeln!(
        out,
        "- **When:** {} · **Severity:** {} · **Technique:** {}",
        md_text(&f.time),
        md_text(&f.severity),
        f.technique
            .as_deref()
            .map(md_text)
            .unwrap_or_else(|| "-".into())
    );
    let _ = writeln!(out, "- **Why:** {}", md_text(&f.summary));
    let mut about = Vec::new();
    if let Some(u) = &f.user {
        about.push(format!("user {}", md_text(u)));
    }
    if let Some(m) = f.meeting_id {
        about.push(format!("meeting {m}"));
    }
    if let Some(u) = &f.meeting_uuid {
        about.push(format!("instance {}", md_text(u)));
    }
    if let Some(ip) = &f.ip {
        about.push(format!("IP {}", md_text(ip)));
    }
    if let Some(r) = f.recording {
        about.push(format!("recording {r}"));
    }
    if !about.is_empty() {
        let _ = writeln!(out, "- **About:** {}", about.join(" · "));
    }
    let _ = write!(out, "- **State:** {}", md_text(&f.state));
    if let Some(a) = &f.analyst {
        let _ = write!(out, " (by {})", md_text(a));
    }
    if !f.reason.is_empty() {
        let _ = write!(out, ": {}", md_text(&f.reason));
    }
    out.push_str("\n\n");
    if sf.evidence.is_empty() {
        out.push_str("No evidence records (the summary is the evidence).\n\n");
    }
    for t in &sf.evidence {
        evidence(out, t);
    }
}

fn evidence(out: &mut String, t: &EvidenceTable) {
    let _ = writeln!(
        out,
        "Evidence: {} in **{}**\n",
        plural(t.rows.len(), "record"),
        md_text(&t.table)
    );
    let mut headers: Vec<String> = vec!["record".into()];
    headers.extend(t.columns.iter().map(|c| md_text(c)));
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    let rows: Vec<Vec<String>> = t
        .rows
        .iter()
        .map(|(id, cells)| {
            let mut r = vec![id.to_string()];
            r.extend(cells.iter().map(|c| md_text(c)));
            r
        })
        .collect();
    table(out, &headers, &rows);
}

fn notes(out: &mut String, r: &CaseReport) {
    out.push_str("## Analyst's notes, tags and bookmarks\n\n");
    if r.annotations.is_empty() {
        out.push_str("None.\n\n");
        return;
    }
    let rows: Vec<Vec<String>> = r
        .annotations
        .iter()
        .map(|a| {
            vec![
                md_text(&a.created_at),
                md_text(&a.kind),
                md_text(&a.text),
                format!("{} {}", md_text(&a.table), a.row_id),
                md_text(&a.what),
                a.cited_by.join(", "),
            ]
        })
        .collect();
    table(
        out,
        &["at", "kind", "text", "record", "what it is", "cited by"],
        &rows,
    );
}

fn provenance(out: &mut String, r: &CaseReport) {
    let p = &r.provenance;
    out.push_str("## Appendix: provenance\n\n");
    out.push_str(
        "Every evidence record cited above, with the verbatim record it was normalised from: \
         where that came from (origin, and line in the imported file: for API pages, in the \
         capture file) and the SHA-256 of its text as kept in the \
         case (the record's `raw` column; a record several doors reported has one copy per \
         door). Check one with `zoomlens sql CASE \"SELECT sha256, raw FROM <table> WHERE id = \
         <record>\"`.\n\n",
    );
    if p.records.is_empty() {
        out.push_str("No evidence records are cited.\n\n");
        return;
    }
    out.push_str("### Origins\n\n");
    let rows: Vec<Vec<String>> = p
        .origins
        .iter()
        .map(|o| {
            vec![
                format!("O{}", o.id),
                md_text(&o.kind),
                md_text(&o.source),
                md_text(&o.query),
                md_text(&o.fetched_at),
            ]
        })
        .collect();
    table(
        out,
        &["origin", "kind", "source", "query", "fetched at"],
        &rows,
    );
    out.push_str("### Evidence records\n\n");
    let mut rows = Vec::new();
    for rec in &p.records {
        let name = format!("{} {}", md_text(&rec.table), rec.id);
        let from = rec
            .derived_from
            .as_ref()
            .map(|(t, i)| format!("{} {i}", md_text(t)))
            .unwrap_or_default();
        if rec.copies.is_empty() {
            rows.push(vec![
                name.clone(),
                from.clone(),
                "-".into(),
                String::new(),
                "(bookkeeping; no verbatim record)".into(),
            ]);
        }
        for c in &rec.copies {
            rows.push(vec![
                name.clone(),
                from.clone(),
                format!("O{}", c.origin),
                c.line.map(|l| l.to_string()).unwrap_or_default(),
                md_text(&c.sha256),
            ]);
        }
    }
    table(
        out,
        &["record", "derived from", "origin", "line", "sha256"],
        &rows,
    );
}
