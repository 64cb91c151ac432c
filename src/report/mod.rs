//! Case reports: what an incident responder attaches to a ticket.
//!
//! [`gather`] reads a case (read-only: a report never modifies evidence) into a [`CaseReport`]:
//! the case's scope (sources, time span, silent periods and what could not be collected), its
//! incidents with their triage state, each incident's story (findings in time order with their
//! why, technique and evidence records), the analyst's notes, tags and bookmarks, and the
//! provenance of every evidence record cited (origin and SHA-256), so a reader can verify the
//! report against the case. [`doc`] lays it out once as a format-neutral document, which
//! [`markdown`] and [`html`] emit; [`svg`] draws the HTML's per-incident timelines.
//!
//! Reports are deterministic: everything is sorted, and no wall-clock time is read here (the
//! caller passes a "generated at" stamp only when asked to). Every string that came from the
//! case is escaped by the emitters through [`crate::output::md_text`] /
//! [`crate::output::html_text`].

pub mod doc;
pub mod export;
pub mod html;
pub mod markdown;
pub mod svg;

use crate::detect::finding::{self, EVIDENCE_TABLES, StoredFinding};
use crate::detect::incidents::{self, Incident};
use crate::detect::triage::{self, Allow};
use crate::detect::{Severity, rules};
use crate::store::Store;
use crate::store::status::{CaseStatus, case_status};
use anyhow::{Result, bail};
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// What to report on.
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    /// How the report names the case: its file name (never a directory, so a report does not
    /// reveal where the analyst keeps cases, and the same case gives the same bytes anywhere).
    pub case_name: String,
    /// Only these incidents (ids as in `I7`); empty for every incident and the findings that
    /// belong to none.
    pub incidents: Vec<i64>,
    /// The "generated at" stamp; `None` keeps wall-clock time out of the report.
    pub generated_at: Option<String>,
}

/// The output format of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// GitHub/GitLab-flavoured Markdown.
    Markdown,
    /// One self-contained HTML file (inline CSS and SVG, no scripts, no network).
    Html,
}

impl Format {
    /// The format a file name's extension asks for (`.md`, `.markdown`, `.html`, `.htm`).
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "md" | "markdown" => Some(Format::Markdown),
            "html" | "htm" => Some(Format::Html),
            _ => None,
        }
    }
}

/// Render a gathered report.
pub fn render(r: &CaseReport, format: Format) -> String {
    match format {
        Format::Markdown => markdown::render(r),
        Format::Html => html::render(r),
    }
}

/// Everything a report shows, sorted and ready to render.
#[derive(Debug, Clone)]
pub struct CaseReport {
    pub case_name: String,
    pub generated_at: Option<String>,
    /// The incidents the report was limited to (empty: all).
    pub selected: Vec<i64>,
    pub scope: Scope,
    /// The incidents of the report, highest score first.
    pub stories: Vec<Story>,
    /// Findings in no incident (lone info-level context), in time order; empty when the report
    /// is limited to some incidents.
    pub loose: Vec<StoryFinding>,
    pub annotations: Vec<Annotation>,
    pub provenance: Provenance,
}

/// The case's scope: what is in it and what is missing.
#[derive(Debug, Clone)]
pub struct Scope {
    pub status: CaseStatus,
    /// Rejected records by file and reason: (source, reason, count).
    pub rejects: Vec<(String, String, i64)>,
    /// Rules that could not run on this case, with why: (rule, reason).
    pub skipped_rules: Vec<(String, String)>,
    /// The case's allow-list: findings it covers were not stored.
    pub allow: Vec<Allow>,
    pub findings: i64,
    pub incidents: i64,
    pub open_incidents: i64,
}

/// An incident told in full.
#[derive(Debug, Clone)]
pub struct Story {
    pub incident: Incident,
    /// Its findings in time order.
    pub findings: Vec<StoryFinding>,
    /// Every verdict given on the incident or one of its findings, oldest first.
    pub history: Vec<VerdictEntry>,
}

/// A finding in a story: the stored finding (with evidence) and its rule's title.
#[derive(Debug, Clone)]
pub struct StoryFinding {
    pub finding: StoredFinding,
    pub rule_title: String,
    /// The evidence records, grouped by table (tables in catalogue order, rows by id), each
    /// group with the columns worth showing.
    pub evidence: Vec<EvidenceTable>,
}

/// Evidence records of one table, as a table.
#[derive(Debug, Clone)]
pub struct EvidenceTable {
    pub table: String,
    pub columns: Vec<String>,
    /// (record id, cells in `columns` order).
    pub rows: Vec<(i64, Vec<String>)>,
}

/// One entry of the triage log.
#[derive(Debug, Clone)]
pub struct VerdictEntry {
    /// `I7` or `F42` (or the rule and key of a finding no longer in the case).
    pub target: String,
    pub state: String,
    pub reason: String,
    pub analyst: String,
    pub at: String,
}

/// A bookmark, tag or note of the analyst's.
#[derive(Debug, Clone)]
pub struct Annotation {
    pub table: String,
    pub row_id: i64,
    /// `bookmark`, `tag` or `note`.
    pub kind: String,
    pub text: String,
    pub created_at: String,
    /// What the record is, in one line.
    pub what: String,
    /// Findings of this report that are, or cite, the record (finding ids).
    pub cited_by: Vec<i64>,
}

/// Where every evidence record of the report came from.
#[derive(Debug, Clone, Default)]
pub struct Provenance {
    /// The origins the records cite, by id.
    pub origins: Vec<Origin>,
    /// Every evidence record cited, by table and id.
    pub records: Vec<RecordProvenance>,
}

/// A file, endpoint or webhook stream records were read from.
#[derive(Debug, Clone)]
pub struct Origin {
    pub id: i64,
    /// `file`, `csv`, `capture`, `api`, `webhook`, `panther`...
    pub kind: String,
    /// File path, or the API path as requested.
    pub source: String,
    /// The request's query (JSON text), for API pages.
    pub query: String,
    pub fetched_at: String,
}

/// One evidence record and the verbatim records behind it.
#[derive(Debug, Clone)]
pub struct RecordProvenance {
    pub table: String,
    pub id: i64,
    /// For a record derived from another (a parsed change of an operation, a file of a
    /// recording): that record, whose copies are listed.
    pub derived_from: Option<(String, i64)>,
    /// The verbatim copies: the first stored, then every other door that reported it (a
    /// participant in the report and the dashboard). Empty for bookkeeping rows.
    pub copies: Vec<Verbatim>,
}

/// One verbatim copy of a record.
#[derive(Debug, Clone)]
pub struct Verbatim {
    pub origin: i64,
    pub line: Option<i64>,
    pub sha256: String,
}

/// Tables whose rows keep their verbatim record (`origin_id`, `line`, `raw`, `sha256`).
const PROVENANCE_TABLES: &[&str] = &[
    "users",
    "signins",
    "operations",
    "meetings",
    "participants",
    "recordings",
    "chat_messages",
    "webhook_events",
    "departures",
    "assets",
    "vips",
];

/// Columns an evidence table shows, in order (the full record is in the case; its SHA-256 is
/// in the appendix). Recording URLs are left out: they can carry access tokens.
fn columns_of(table: &str) -> &'static [&'static str] {
    match table {
        "users" => &[
            "email",
            "display_name",
            "status",
            "role_name",
            "dept",
            "created_at",
            "last_login_time",
            "last_client_version",
        ],
        "signins" => &[
            "time",
            "activity",
            "email",
            "ip_address",
            "client_type",
            "version",
            "via",
        ],
        "operations" => &[
            "time",
            "operator",
            "category_type",
            "action",
            "operation_detail",
        ],
        "op_changes" => &[
            "operation_id",
            "kind",
            "section",
            "setting",
            "from_value",
            "to_value",
            "target",
            "meeting_id",
        ],
        "meetings" => &[
            "start_time",
            "end_time",
            "meeting_id",
            "uuid",
            "topic",
            "host_email",
            "meeting_type",
            "participants_count",
        ],
        "participants" => &[
            "join_time",
            "leave_time",
            "meeting_id",
            "name",
            "email",
            "ip_address",
            "location",
            "device",
            "pc_name",
            "version",
            "role",
            "registrant_id",
            "share_desktop",
            "share_application",
        ],
        "recordings" => &[
            "start_time",
            "meeting_id",
            "topic",
            "host_email",
            "total_size",
            "deleted_time",
        ],
        "recording_files" => &[
            "recording_start",
            "recording_end",
            "recording_type",
            "file_type",
            "file_size",
            "status",
            "deleted_time",
        ],
        "chat_messages" => &[
            "time",
            "sender",
            "sender_display_name",
            "to_channel",
            "to_contact",
            "message",
        ],
        "webhook_events" => &["time", "event", "operator", "object_id"],
        "departures" => &["email", "departed_at"],
        "assets" => &["owner_email", "pc_name", "mac_addr"],
        "vips" => &["email", "name", "title"],
        "coverage" => &["source", "scope", "win_from", "win_to", "state", "detail"],
        _ => &[],
    }
}

/// A field's value as text ("" for null).
fn cell(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Nothing to show: null, empty or 0 (a flag that is off).
fn blank(v: Option<&serde_json::Value>) -> bool {
    match v {
        None | Some(serde_json::Value::Null) => true,
        Some(serde_json::Value::String(s)) => s.is_empty(),
        Some(serde_json::Value::Number(n)) => n.as_f64() == Some(0.0),
        Some(_) => false,
    }
}

/// A finding's evidence as one table per evidence table; columns blank in every row are
/// dropped.
fn evidence_tables(f: &StoredFinding) -> Vec<EvidenceTable> {
    let mut out = Vec::new();
    for table in EVIDENCE_TABLES {
        let mut recs: Vec<&finding::EvidenceRecord> =
            f.evidence.iter().filter(|e| e.table == *table).collect();
        if recs.is_empty() {
            continue;
        }
        recs.sort_by_key(|e| e.id);
        let preferred = columns_of(table);
        let candidates: Vec<String> = if preferred.is_empty() {
            let names: BTreeSet<&String> = recs.iter().flat_map(|r| r.fields.keys()).collect();
            names.into_iter().cloned().collect()
        } else {
            preferred.iter().map(|c| c.to_string()).collect()
        };
        let columns: Vec<String> = candidates
            .into_iter()
            .filter(|c| recs.iter().any(|r| !blank(r.fields.get(c))))
            .collect();
        let rows = recs
            .iter()
            .map(|r| {
                (
                    r.id,
                    columns
                        .iter()
                        .map(|c| r.fields.get(c).map(cell).unwrap_or_default())
                        .collect(),
                )
            })
            .collect();
        out.push(EvidenceTable {
            table: table.to_string(),
            columns,
            rows,
        });
    }
    out
}

fn rule_title(id: &str) -> String {
    rules::registry()
        .iter()
        .find(|r| r.id == id)
        .map(|r| r.title.to_string())
        .unwrap_or_default()
}

fn story_finding(f: StoredFinding) -> StoryFinding {
    StoryFinding {
        rule_title: rule_title(&f.rule),
        evidence: evidence_tables(&f),
        finding: f,
    }
}

/// Read a report's contents from a case. Open the store with [`Store::open_readonly`]: this
/// only reads.
pub fn gather(store: &Store, opts: &ReportOptions) -> Result<CaseReport> {
    let conn = &store.conn;
    let all_incidents = incidents::load(conn, false)?;
    let mut selected = opts.incidents.clone();
    selected.sort_unstable();
    selected.dedup();
    for id in &selected {
        if !all_incidents.iter().any(|i| i.id == *id) {
            bail!("no incident I{id} in this case (`zoomlens incidents CASE` lists them)");
        }
    }
    let wanted = |inc: Option<i64>| match inc {
        Some(i) => selected.is_empty() || selected.contains(&i),
        None => selected.is_empty(),
    };

    // Findings of the report, in time order, with their evidence.
    let mut findings: Vec<StoredFinding> = finding::load_findings(conn, Severity::Info, &[])?
        .into_iter()
        .filter(|f| wanted(f.incident))
        .collect();
    findings.sort_by(|a, b| a.time.cmp(&b.time).then(a.id.cmp(&b.id)));
    finding::load_evidence(conn, &mut findings)?;

    let keys = finding_keys(conn)?;
    let log = triage_log(conn)?;
    let mut by_incident: BTreeMap<i64, Vec<StoryFinding>> = BTreeMap::new();
    let mut loose = Vec::new();
    let mut cited: BTreeMap<(String, i64), BTreeSet<i64>> = BTreeMap::new();
    for f in findings {
        cited
            .entry(("findings".to_string(), f.id))
            .or_default()
            .insert(f.id);
        for e in &f.evidence {
            cited
                .entry((e.table.clone(), e.id))
                .or_default()
                .insert(f.id);
        }
        match f.incident {
            Some(i) => by_incident.entry(i).or_default().push(story_finding(f)),
            None => loose.push(story_finding(f)),
        }
    }

    let mut stories = Vec::new();
    for inc in &all_incidents {
        let Some(fs) = by_incident.remove(&inc.id) else {
            continue;
        };
        let refs: BTreeMap<String, String> = fs
            .iter()
            .filter_map(|f| {
                keys.get(&f.finding.id)
                    .map(|k| (k.clone(), format!("F{}", f.finding.id)))
            })
            .collect();
        let inc_ref = inc.id.to_string();
        let history = log
            .iter()
            .filter_map(|(subject, r, v)| match subject.as_str() {
                "incident" if *r == inc_ref => Some(VerdictEntry {
                    target: format!("I{}", inc.id),
                    ..v.clone()
                }),
                "finding" => refs.get(r).map(|t| VerdictEntry {
                    target: t.clone(),
                    ..v.clone()
                }),
                _ => None,
            })
            .collect();
        stories.push(Story {
            incident: inc.clone(),
            findings: fs,
            history,
        });
    }

    let annotations = annotations(conn, &cited, selected.is_empty())?;
    let provenance = provenance(conn, cited.keys())?;
    let count = |sql: &str| -> Result<i64> { Ok(conn.query_row(sql, [], |r| r.get(0))?) };
    let mut rejects = Vec::new();
    {
        let mut st = conn.prepare(
            "SELECT source, reason, count(*) FROM rejects GROUP BY source, reason
             ORDER BY source, reason",
        )?;
        for r in st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))? {
            rejects.push(r?);
        }
    }
    let mut skipped_rules = Vec::new();
    {
        let mut st =
            conn.prepare("SELECT rule, reason FROM rule_runs WHERE status <> 'ok' ORDER BY rule")?;
        for r in st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))? {
            skipped_rules.push(r?);
        }
    }
    let mut allow = triage::allow_list(conn)?;
    allow.sort_by(|a, b| (&a.kind, &a.value).cmp(&(&b.kind, &b.value)));
    let open_incidents = all_incidents
        .iter()
        .filter(|i| triage::State::parse(&i.state).is_some_and(|s| s.is_open()))
        .count() as i64;
    let scope = Scope {
        status: case_status(store)?,
        rejects,
        skipped_rules,
        allow,
        findings: count("SELECT count(*) FROM findings")?,
        incidents: all_incidents.len() as i64,
        open_incidents,
    };
    Ok(CaseReport {
        case_name: opts.case_name.clone(),
        generated_at: opts.generated_at.clone(),
        selected,
        scope,
        stories,
        loose,
        annotations,
        provenance,
    })
}

/// `rule fkey` of every finding (how triage keys a finding's verdict), by finding id.
fn finding_keys(conn: &Connection) -> Result<BTreeMap<i64, String>> {
    let mut st = conn.prepare("SELECT id, rule || ' ' || fkey FROM findings")?;
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The whole triage log, oldest first: (subject, ref, entry without its target).
fn triage_log(conn: &Connection) -> Result<Vec<(String, String, VerdictEntry)>> {
    let mut st = conn.prepare(
        "SELECT subject, ref, state, reason, analyst, at FROM triage_log ORDER BY at, id",
    )?;
    let rows = st.query_map([], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            VerdictEntry {
                target: String::new(),
                state: r.get(2)?,
                reason: r.get(3)?,
                analyst: r.get(4)?,
                at: r.get(5)?,
            },
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The analyst's annotations: every one (`all`), or only those on records the report cites.
fn annotations(
    conn: &Connection,
    cited: &BTreeMap<(String, i64), BTreeSet<i64>>,
    all: bool,
) -> Result<Vec<Annotation>> {
    let mut st = conn.prepare(
        "SELECT tbl, row_id, kind, text, created_at FROM annotations
         ORDER BY created_at, tbl, row_id, kind, text",
    )?;
    let rows: Vec<(String, i64, String, String, String)> = st
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::new();
    for (table, row_id, kind, text, created_at) in rows {
        let by = cited.get(&(table.clone(), row_id));
        if !all && by.is_none() {
            continue;
        }
        out.push(Annotation {
            what: crate::store::read::findings::describe(conn, &table, row_id)?,
            cited_by: by.map(|s| s.iter().copied().collect()).unwrap_or_default(),
            table,
            row_id,
            kind,
            text,
            created_at,
        });
    }
    Ok(out)
}

/// The verbatim copies of the records cited, and the origins they name.
fn provenance<'a>(
    conn: &Connection,
    cited: impl Iterator<Item = &'a (String, i64)>,
) -> Result<Provenance> {
    let mut records = Vec::new();
    let mut origin_ids = BTreeSet::new();
    for (table, id) in cited {
        if table == "findings" {
            continue;
        }
        let derived_from = match table.as_str() {
            "op_changes" => parent(
                conn,
                "SELECT operation_id FROM op_changes WHERE id = ?1",
                *id,
            )?
            .map(|p| ("operations".to_string(), p)),
            "recording_files" => parent(
                conn,
                "SELECT recording_id FROM recording_files WHERE id = ?1",
                *id,
            )?
            .map(|p| ("recordings".to_string(), p)),
            _ => None,
        };
        let (src_table, src_id) = match &derived_from {
            Some((t, i)) => (t.as_str(), *i),
            None => (table.as_str(), *id),
        };
        let copies = copies(conn, src_table, src_id)?;
        origin_ids.extend(copies.iter().map(|c| c.origin));
        records.push(RecordProvenance {
            table: table.clone(),
            id: *id,
            derived_from,
            copies,
        });
    }
    records.sort_by(|a, b| (&a.table, a.id).cmp(&(&b.table, b.id)));
    let mut origins = Vec::new();
    let mut st =
        conn.prepare_cached("SELECT kind, source, query, fetched_at FROM origins WHERE id = ?1")?;
    for id in origin_ids {
        if let Some((kind, source, query, fetched_at)) = st
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .optional()?
        {
            origins.push(Origin {
                id,
                kind,
                source,
                query,
                fetched_at,
            });
        }
    }
    Ok(Provenance { origins, records })
}

fn parent(conn: &Connection, sql: &str, id: i64) -> Result<Option<i64>> {
    Ok(conn.query_row(sql, [id], |r| r.get(0)).optional()?)
}

/// The record's own verbatim copy, then the other doors' copies kept in `extra_evidence`.
fn copies(conn: &Connection, table: &str, id: i64) -> Result<Vec<Verbatim>> {
    // The table name is checked against a fixed list before it reaches SQL.
    let Some(table) = PROVENANCE_TABLES.iter().find(|t| **t == table) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    let own = conn
        .prepare_cached(&format!(
            "SELECT origin_id, line, sha256 FROM {table} WHERE id = ?1"
        ))?
        .query_row([id], |r| {
            Ok(Verbatim {
                origin: r.get(0)?,
                line: r.get(1)?,
                sha256: crate::store::read::text(r, 2)?,
            })
        })
        .optional()?;
    out.extend(own);
    let mut st = conn.prepare_cached(
        "SELECT origin_id, line, sha256 FROM extra_evidence WHERE tbl = ?1 AND row_id = ?2
         ORDER BY origin_id, line, sha256",
    )?;
    for c in st.query_map(params![table, id], |r| {
        Ok(Verbatim {
            origin: r.get(0)?,
            line: r.get(1)?,
            sha256: crate::store::read::text(r, 2)?,
        })
    })? {
        out.push(c?);
    }
    Ok(out)
}

/// A severity's colour in the HTML report and its timelines.
pub(crate) fn severity_colour(s: &str) -> &'static str {
    match s {
        "critical" => "#9b1c31",
        "high" => "#c2410c",
        "medium" => "#b7791f",
        "low" => "#2563eb",
        _ => "#6b7280",
    }
}

/// "2026-03-03T10:05:00Z → 13:01:00Z" (the second date only when it differs).
pub(crate) fn span(first: &str, last: &str) -> String {
    if first == last {
        return first.to_string();
    }
    match (first.get(..11), last.get(..11), last.get(11..)) {
        (Some(a), Some(b), Some(time)) if a == b && a.ends_with('T') => {
            format!("{first} → {time}")
        }
        _ => format!("{first} → {last}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_follows_the_extension() {
        assert_eq!(
            Format::from_path(Path::new("a/r.md")),
            Some(Format::Markdown)
        );
        assert_eq!(Format::from_path(Path::new("r.HTML")), Some(Format::Html));
        assert_eq!(Format::from_path(Path::new("r.htm")), Some(Format::Html));
        assert_eq!(Format::from_path(Path::new("r.pdf")), None);
        assert_eq!(Format::from_path(Path::new("report")), None);
    }

    #[test]
    fn spans_drop_the_repeated_date() {
        assert_eq!(
            span("2026-03-03T10:05:00Z", "2026-03-03T13:01:00Z"),
            "2026-03-03T10:05:00Z → 13:01:00Z"
        );
        assert_eq!(
            span("2026-03-03T10:05:00Z", "2026-03-03T10:05:00Z"),
            "2026-03-03T10:05:00Z"
        );
        assert_eq!(
            span("2026-03-03T10:05:00Z", "2026-03-04T01:00:00Z"),
            "2026-03-03T10:05:00Z → 2026-03-04T01:00:00Z"
        );
    }
}
