//! The report as one self-contained HTML file: inline CSS, an inline SVG timeline per incident,
//! no script and no external reference (a Content-Security-Policy forbids both, should a
//! browser ever be asked). Every string that came from the case goes through [`html_text`].

use super::{CaseReport, EvidenceTable, Story, StoryFinding, severity_colour, span, svg};
use crate::output::{html_text as h, plural};
use std::fmt::Write;

const STYLE: &str = "
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color: #111827;
  margin: 0 auto; max-width: 1200px; padding: 24px; }
h1 { font-size: 24px; margin: 0 0 8px; }
h2 { font-size: 19px; margin: 32px 0 8px; padding-top: 8px; border-top: 2px solid #e5e7eb; }
h3 { font-size: 16px; margin: 20px 0 6px; }
h4 { font-size: 14px; margin: 18px 0 4px; }
ul.facts { list-style: none; padding: 0; margin: 0 0 12px; }
ul.facts li { margin: 2px 0; }
.note { color: #4b5563; }
nav { background: #f9fafb; border: 1px solid #e5e7eb; padding: 8px 12px; border-radius: 6px; }
nav a { margin-right: 10px; }
.scroll { overflow-x: auto; margin: 6px 0 14px; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border: 1px solid #e5e7eb; padding: 3px 7px; text-align: left; vertical-align: top; }
th { background: #f3f4f6; font-weight: 600; }
td { overflow-wrap: break-word; max-width: 520px; }
td.num { text-align: right; white-space: nowrap; }
td.time { white-space: nowrap; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
.sev { display: inline-block; white-space: nowrap; color: #fff; border-radius: 4px; padding: 0 6px; font-size: 12px; }
.silent { color: #9b1c31; font-weight: 600; }
section.incident { margin-top: 28px; }
p.story { font-size: 15px; font-weight: 600; margin: 4px 0 8px; }
article.finding { border-left: 3px solid #e5e7eb; padding-left: 12px; margin: 14px 0; }
dl { display: grid; grid-template-columns: max-content auto; gap: 2px 12px; margin: 6px 0; }
dt { color: #4b5563; }
dd { margin: 0; }
figure { margin: 8px 0 12px; overflow-x: auto; }
figcaption { color: #4b5563; font-size: 12px; }
svg.timeline { max-width: 100%; height: auto; font-family: system-ui, sans-serif; }
@media print { h2 { break-before: page; } .scroll, figure { overflow: visible; } }
";

/// A severity as a coloured chip (the colour comes from a fixed palette, never from the case).
fn sev(s: &str) -> String {
    format!(
        "<span class=\"sev\" style=\"background:{}\">{}</span>",
        severity_colour(s),
        h(s)
    )
}

/// An HTML table; cells must already be escaped. `classes` gives each column's `td` class.
fn table(out: &mut String, headers: &[&str], classes: &[&str], rows: &[Vec<String>]) {
    out.push_str("<div class=\"scroll\"><table><thead><tr>");
    for hd in headers {
        let _ = write!(out, "<th>{hd}</th>");
    }
    out.push_str("</tr></thead><tbody>\n");
    for r in rows {
        out.push_str("<tr>");
        for (i, c) in r.iter().enumerate() {
            match classes.get(i).filter(|c| !c.is_empty()) {
                Some(class) => {
                    let _ = write!(out, "<td class=\"{class}\">{c}</td>");
                }
                None => {
                    let _ = write!(out, "<td>{c}</td>");
                }
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");
}

fn opt(s: &Option<String>) -> String {
    s.as_deref().map(h).unwrap_or_default()
}

/// The id of an evidence record's row in the provenance appendix.
fn rec_anchor(table: &str, id: i64) -> String {
    format!("rec-{}-{id}", h(table))
}

/// Render a report as HTML.
pub fn render(r: &CaseReport) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; img-src data:\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Case report: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        h(&r.case_name)
    );
    header(&mut out, r);
    scope(&mut out, r);
    incidents(&mut out, r);
    for s in &r.stories {
        story(&mut out, s);
    }
    if !r.loose.is_empty() {
        out.push_str(
            "<section id=\"findings-outside-any-incident\">\n<h2>Findings outside any incident</h2>\n\
             <p class=\"note\">Routine context (info level) that touches no incident. They are \
             listed for completeness.</p>\n",
        );
        story_table(&mut out, &r.loose);
        for f in &r.loose {
            finding(&mut out, f);
        }
        out.push_str("</section>\n");
    }
    notes(&mut out, r);
    provenance(&mut out, r);
    out.push_str("</body>\n</html>\n");
    out
}

fn header(out: &mut String, r: &CaseReport) {
    let _ = write!(
        out,
        "<header>\n<h1>Case report: {}</h1>\n<ul class=\"facts\">\n<li><b>Case file:</b> {}</li>\n",
        h(&r.case_name),
        h(&r.case_name)
    );
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
            let _ = writeln!(out, "<li><b>Events:</b> {} → {}{days}</li>", h(a), h(b));
        }
        None => out.push_str("<li><b>Events:</b> none with a time</li>\n"),
    }
    let _ = writeln!(
        out,
        "<li><b>Incidents:</b> {} ({} open) · <b>Findings:</b> {}</li>",
        r.scope.incidents, r.scope.open_incidents, r.scope.findings
    );
    if r.selected.is_empty() {
        out.push_str("<li><b>This report:</b> every incident and finding</li>\n");
    } else {
        let ids: Vec<String> = r.selected.iter().map(|i| format!("I{i}")).collect();
        let _ = writeln!(
            out,
            "<li><b>This report:</b> {} {} only</li>",
            if ids.len() == 1 {
                "incident"
            } else {
                "incidents"
            },
            ids.join(", ")
        );
    }
    if let Some(t) = &r.generated_at {
        let _ = writeln!(out, "<li><b>Generated at:</b> {}</li>", h(t));
    }
    out.push_str(
        "</ul>\n<p class=\"note\">Text from the logs is shown escaped: control and invisible \
         characters appear as <code>\\x1b</code> or <code>\\u{202e}</code>, and links are defanged \
         (<code>hxxps://</code>). Times are UTC.</p>\n\
         </header>\n<nav><a href=\"#scope\">Scope</a><a href=\"#incidents\">Incidents</a>",
    );
    for s in &r.stories {
        let _ = write!(
            out,
            "<a href=\"#incident-i{id}\">I{id}</a>",
            id = s.incident.id
        );
    }
    if !r.loose.is_empty() {
        out.push_str("<a href=\"#findings-outside-any-incident\">Other findings</a>");
    }
    out.push_str("<a href=\"#notes\">Notes</a><a href=\"#provenance\">Provenance</a></nav>\n");
}

fn scope(out: &mut String, r: &CaseReport) {
    let st = &r.scope.status;
    out.push_str(
        "<section id=\"scope\">\n<h2>Scope</h2>\n<h3>Sources</h3>\n<p class=\"note\">Records per \
         source, their first and last event, and silences longer than 24 h inside the case's \
         span (a source without records is silent throughout).</p>\n",
    );
    let rows: Vec<Vec<String>> = st
        .sources
        .iter()
        .map(|s| {
            let gaps = if !s.tracks_gaps || st.span.is_none() {
                "-".to_string()
            } else if s.records == 0 {
                "<span class=\"silent\">SILENT</span> (no records)".to_string()
            } else if s.gaps.is_empty() {
                "none".to_string()
            } else {
                let longest = s.gaps.iter().map(|g| g.hours).fold(0.0, f64::max);
                format!("{} (longest {longest:.0} h)", s.gaps.len())
            };
            vec![
                h(&s.source),
                s.records.to_string(),
                if s.undated > 0 {
                    s.undated.to_string()
                } else {
                    String::new()
                },
                opt(&s.first),
                opt(&s.last),
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
            "silent &gt; 24 h",
        ],
        &["", "num", "num", "time", "time", ""],
        &rows,
    );
    const SHOW: usize = 10;
    let mut gaps = Vec::new();
    for s in &st.sources {
        for g in s.gaps.iter().take(SHOW) {
            gaps.push(vec![
                h(&s.source),
                h(&g.from),
                h(&g.to),
                format!("{:.1}", g.hours),
            ]);
        }
        if s.gaps.len() > SHOW {
            gaps.push(vec![
                h(&s.source),
                format!("… and {} more", s.gaps.len() - SHOW),
                String::new(),
                String::new(),
            ]);
        }
    }
    if !gaps.is_empty() {
        out.push_str("<h3>Silent periods</h3>\n");
        table(
            out,
            &["source", "from", "to", "hours"],
            &["", "time", "time", "num"],
            &gaps,
        );
    }
    out.push_str("<h3>What could not be collected</h3>\n");
    if st.coverage.is_empty() {
        out.push_str("<p>Sync windows: none failed, was unavailable or partial.</p>\n");
    } else {
        out.push_str("<p>Sync windows not fully fetched:</p>\n");
        let rows: Vec<Vec<String>> = st
            .coverage
            .iter()
            .map(|c| {
                vec![
                    h(&c.source),
                    h(&c.state),
                    h(&c.win_from),
                    h(&c.win_to),
                    if c.scope.is_empty() {
                        "account".into()
                    } else {
                        h(&c.scope)
                    },
                    h(&c.detail),
                ]
            })
            .collect();
        table(
            out,
            &["source", "state", "from", "to", "scope", "detail"],
            &["", "", "time", "time", "", ""],
            &rows,
        );
    }
    if r.scope.rejects.is_empty() {
        out.push_str("<p>Rejected records: none.</p>\n");
    } else {
        out.push_str("<p>Rejected records (kept whole in the case with the reason):</p>\n");
        let rows: Vec<Vec<String>> = r
            .scope
            .rejects
            .iter()
            .map(|(src, reason, n)| vec![h(src), h(reason), n.to_string()])
            .collect();
        table(out, &["file", "reason", "records"], &["", "", "num"], &rows);
    }
    if r.scope.skipped_rules.is_empty() {
        out.push_str("<p>Detection rules that could not run: none.</p>\n");
    } else {
        out.push_str(
            "<p>Detection rules that could not run (they found nothing because they could not \
             look):</p>\n",
        );
        let rows: Vec<Vec<String>> = r
            .scope
            .skipped_rules
            .iter()
            .map(|(rule, why)| vec![h(rule), h(why)])
            .collect();
        table(out, &["rule", "why"], &[], &rows);
    }
    out.push_str("<h3>Allow-list</h3>\n");
    if r.scope.allow.is_empty() {
        out.push_str("<p>Empty: every finding the rules made is stored.</p>\n");
    } else {
        out.push_str("<p>Findings this case's allow-list covers were not stored:</p>\n");
        let rows: Vec<Vec<String>> = r
            .scope
            .allow
            .iter()
            .map(|a| {
                vec![
                    h(&a.kind),
                    h(&a.value),
                    h(&a.analyst),
                    h(&a.at),
                    h(&a.reason),
                ]
            })
            .collect();
        table(
            out,
            &["kind", "value", "analyst", "at", "reason"],
            &["", "", "", "time", ""],
            &rows,
        );
    }
    out.push_str("</section>\n");
}

fn incidents(out: &mut String, r: &CaseReport) {
    out.push_str("<section id=\"incidents\">\n<h2>Incidents</h2>\n");
    if r.stories.is_empty() {
        out.push_str(
            "<p>No incidents (run <code>zoomlens detect</code> on the case first).</p>\n</section>\n",
        );
        return;
    }
    out.push_str("<p class=\"note\">Highest score first.</p>\n");
    let rows: Vec<Vec<String>> = r
        .stories
        .iter()
        .map(|s| {
            let i = &s.incident;
            vec![
                format!("<a href=\"#incident-i{id}\">I{id}</a>", id = i.id),
                format!("{:.1}", i.score),
                sev(&i.severity),
                h(&i.state),
                h(&span(&i.first_time, &i.last_time)),
                i.findings.to_string(),
                h(&i.title),
                opt(&i.analyst),
                h(&i.reason),
            ]
        })
        .collect();
    table(
        out,
        &[
            "incident", "score", "severity", "state", "span", "findings", "story", "analyst",
            "reason",
        ],
        &["", "num", "", "", "time", "num", "", "", ""],
        &rows,
    );
    out.push_str("</section>\n");
}

fn story(out: &mut String, s: &Story) {
    let i = &s.incident;
    let _ = write!(
        out,
        "<section class=\"incident\" id=\"incident-i{id}\">\n<h2>Incident I{id} {}</h2>\n\
         <p class=\"story\">{}</p>\n<dl>\n<dt>State</dt><dd>{}",
        sev(&i.severity),
        h(&i.title),
        h(&i.state),
        id = i.id
    );
    if let Some(a) = &i.analyst {
        let _ = write!(out, " (by {}", h(a));
        if let Some(t) = &i.triaged_at {
            let _ = write!(out, ", {}", h(t));
        }
        out.push(')');
    }
    out.push_str("</dd>\n");
    if !i.reason.is_empty() {
        let _ = writeln!(out, "<dt>Reason</dt><dd>{}</dd>", h(&i.reason));
    }
    let _ = writeln!(
        out,
        "<dt>Score</dt><dd>{:.1} ({})</dd>\n<dt>When</dt><dd>{}</dd>",
        i.score,
        plural(i.findings as usize, "finding"),
        h(&span(&i.first_time, &i.last_time))
    );
    if !i.actors.is_empty() {
        let a: Vec<String> = i.actors.iter().map(|a| h(a)).collect();
        let _ = writeln!(out, "<dt>Involved</dt><dd>{}</dd>", a.join(", "));
    }
    let rules: Vec<String> = i.rules.iter().map(|r| h(r)).collect();
    let _ = writeln!(out, "<dt>Rules</dt><dd>{}</dd>\n</dl>", rules.join(", "));
    let _ = writeln!(
        out,
        "<figure>{}<figcaption>Findings over time, one lane per rule (hover a dot for the \
         finding; times UTC).</figcaption></figure>",
        svg::timeline(s)
    );
    out.push_str("<h3>Story</h3>\n");
    story_table(out, &s.findings);
    for f in &s.findings {
        finding(out, f);
    }
    if !s.history.is_empty() {
        out.push_str("<h3>Verdicts</h3>\n");
        let rows: Vec<Vec<String>> = s
            .history
            .iter()
            .map(|v| {
                vec![
                    h(&v.at),
                    h(&v.target),
                    h(&v.state),
                    h(&v.analyst),
                    h(&v.reason),
                ]
            })
            .collect();
        table(
            out,
            &["at", "on", "state", "analyst", "reason"],
            &["time", "", "", "", ""],
            &rows,
        );
    }
    out.push_str("</section>\n");
}

fn story_table(out: &mut String, fs: &[StoryFinding]) {
    let rows: Vec<Vec<String>> = fs
        .iter()
        .map(|sf| {
            let f = &sf.finding;
            vec![
                h(&f.time),
                format!("<a href=\"#finding-f{id}\">F{id}</a>", id = f.id),
                sev(&f.severity),
                h(&f.rule),
                opt(&f.technique),
                h(&f.summary),
            ]
        })
        .collect();
    table(
        out,
        &["time", "finding", "severity", "rule", "technique", "why"],
        &["time", "", "", "", "", ""],
        &rows,
    );
}

fn finding(out: &mut String, sf: &StoryFinding) {
    let f = &sf.finding;
    let _ = write!(
        out,
        "<article class=\"finding\" id=\"finding-f{id}\">\n<h4>Finding F{id} {}</h4>\n<dl>\n\
         <dt>Rule</dt><dd>{}",
        sev(&f.severity),
        h(&f.rule),
        id = f.id
    );
    if !sf.rule_title.is_empty() {
        let _ = write!(out, " ({})", h(&sf.rule_title));
    }
    let _ = writeln!(
        out,
        "</dd>\n<dt>When</dt><dd>{}</dd>\n<dt>Technique</dt><dd>{}</dd>\n<dt>Why</dt><dd>{}</dd>",
        h(&f.time),
        f.technique.as_deref().map(h).unwrap_or_else(|| "-".into()),
        h(&f.summary)
    );
    let mut about = Vec::new();
    if let Some(u) = &f.user {
        about.push(format!("user {}", h(u)));
    }
    if let Some(m) = f.meeting_id {
        about.push(format!("meeting {m}"));
    }
    if let Some(u) = &f.meeting_uuid {
        about.push(format!("instance {}", h(u)));
    }
    if let Some(ip) = &f.ip {
        about.push(format!("IP {}", h(ip)));
    }
    if let Some(r) = f.recording {
        about.push(format!("recording {r}"));
    }
    if !about.is_empty() {
        let _ = writeln!(out, "<dt>About</dt><dd>{}</dd>", about.join(" · "));
    }
    let _ = write!(out, "<dt>State</dt><dd>{}", h(&f.state));
    if let Some(a) = &f.analyst {
        let _ = write!(out, " (by {})", h(a));
    }
    if !f.reason.is_empty() {
        let _ = write!(out, ": {}", h(&f.reason));
    }
    out.push_str("</dd>\n</dl>\n");
    if sf.evidence.is_empty() {
        out.push_str("<p class=\"note\">No evidence records (the summary is the evidence).</p>\n");
    }
    for t in &sf.evidence {
        evidence(out, t);
    }
    out.push_str("</article>\n");
}

fn evidence(out: &mut String, t: &EvidenceTable) {
    let _ = writeln!(
        out,
        "<p>Evidence: {} in <code>{}</code></p>",
        plural(t.rows.len(), "record"),
        h(&t.table)
    );
    let mut headers: Vec<String> = vec!["record".into()];
    headers.extend(t.columns.iter().map(|c| h(c)));
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    let rows: Vec<Vec<String>> = t
        .rows
        .iter()
        .map(|(id, cells)| {
            let mut r = vec![format!(
                "<a href=\"#{}\">{id}</a>",
                rec_anchor(&t.table, *id)
            )];
            r.extend(cells.iter().map(|c| h(c)));
            r
        })
        .collect();
    // Times and ids do not wrap.
    let mut classes = vec!["num"];
    classes.extend(t.columns.iter().map(|c| {
        let unbroken = ["time", "_at", "_start", "_end", "_id"]
            .iter()
            .any(|end| c.ends_with(end))
            || c == "version";
        if unbroken { "time" } else { "" }
    }));
    table(out, &headers, &classes, &rows);
}

fn notes(out: &mut String, r: &CaseReport) {
    out.push_str("<section id=\"notes\">\n<h2>Analyst's notes, tags and bookmarks</h2>\n");
    if r.annotations.is_empty() {
        out.push_str("<p>None.</p>\n</section>\n");
        return;
    }
    let rows: Vec<Vec<String>> = r
        .annotations
        .iter()
        .map(|a| {
            vec![
                h(&a.created_at),
                h(&a.kind),
                h(&a.text),
                format!("{} {}", h(&a.table), a.row_id),
                h(&a.what),
                a.cited_by
                    .iter()
                    .map(|f| format!("<a href=\"#finding-{}\">{f}</a>", f.to_ascii_lowercase()))
                    .collect::<Vec<_>>()
                    .join(", "),
            ]
        })
        .collect();
    table(
        out,
        &["at", "kind", "text", "record", "what it is", "cited by"],
        &["time", "", "", "", "", ""],
        &rows,
    );
    out.push_str("</section>\n");
}

fn provenance(out: &mut String, r: &CaseReport) {
    let p = &r.provenance;
    out.push_str(
        "<section id=\"provenance\">\n<h2>Appendix: provenance</h2>\n<p class=\"note\">Every \
         evidence record cited above, with the verbatim record it was normalised from: where \
         that came from (origin, and line in the imported file: for API pages, in the capture \
         file) and the SHA-256 of its text as kept in the case (the \
         record's <code>raw</code> column; a record several doors reported has one copy per \
         door). Check one with <code>zoomlens sql CASE \"SELECT sha256, raw FROM &lt;table&gt; \
         WHERE id = &lt;record&gt;\"</code>.</p>\n",
    );
    if p.records.is_empty() {
        out.push_str("<p>No evidence records are cited.</p>\n</section>\n");
        return;
    }
    out.push_str("<h3>Origins</h3>\n");
    let rows: Vec<Vec<String>> = p
        .origins
        .iter()
        .map(|o| {
            vec![
                format!("<span id=\"o{id}\">O{id}</span>", id = o.id),
                h(&o.kind),
                h(&o.source),
                format!("<span class=\"mono\">{}</span>", h(&o.query)),
                h(&o.fetched_at),
            ]
        })
        .collect();
    table(
        out,
        &["origin", "kind", "source", "query", "fetched at"],
        &["", "", "", "", "time"],
        &rows,
    );
    out.push_str("<h3>Evidence records</h3>\n");
    let mut rows = Vec::new();
    for rec in &p.records {
        let name = format!(
            "<span id=\"{}\">{} {}</span>",
            rec_anchor(&rec.table, rec.id),
            h(&rec.table),
            rec.id
        );
        let from = rec
            .derived_from
            .as_ref()
            .map(|(t, i)| format!("{} {i}", h(t)))
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
        for (k, c) in rec.copies.iter().enumerate() {
            rows.push(vec![
                // The anchor once per record.
                if k == 0 {
                    name.clone()
                } else {
                    format!("{} {}", h(&rec.table), rec.id)
                },
                from.clone(),
                format!("<a href=\"#o{id}\">O{id}</a>", id = c.origin),
                c.line.map(|l| l.to_string()).unwrap_or_default(),
                format!("<span class=\"mono\">{}</span>", h(&c.sha256)),
            ]);
        }
    }
    table(
        out,
        &["record", "derived from", "origin", "line", "sha256"],
        &["", "", "", "num", ""],
        &rows,
    );
    out.push_str("</section>\n");
}
