//! Findings: what a rule reports, how it is stored in the case, and how it is read back with
//! the evidence records behind it.

use anyhow::Result;
use rusqlite::{Connection, OptionalExtension, params, types::ValueRef};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
    pub fn rank(self) -> i64 {
        self as i64
    }
    pub fn from_rank(r: i64) -> Severity {
        match r {
            i64::MIN..=0 => Severity::Info,
            1 => Severity::Low,
            2 => Severity::Medium,
            3 => Severity::High,
            _ => Severity::Critical,
        }
    }
}

/// Tables a finding may cite as evidence: the case's record tables, as the store lists them.
pub const EVIDENCE_TABLES: &[&str] = crate::store::read::record::RECORD_TABLES;

/// One suspicious indicator, as a rule reports it.
#[derive(Debug, Clone, Default)]
pub struct Finding {
    /// Identity within the rule (stable across re-runs, so a re-found finding keeps its id).
    pub key: String,
    /// Overrides the rule's severity when set.
    pub severity: Option<Severity>,
    /// UTC time of the suspicious activity.
    pub time: String,
    /// One line; may contain log text (sanitised when printed).
    pub summary: String,
    /// The person the console pivots to (timeline, incident grouping): usually the actor,
    /// the grantee of a role.
    pub user: Option<String>,
    /// Who did it: the admin operator, the person signing in, the downloader, a guest's name.
    pub actor: Option<String>,
    /// What it was done to, when that is not the actor's own account: the affected user, a
    /// meeting, a recording, the account's settings.
    pub target: Option<String>,
    /// The thresholds and baseline facts that made the rule fire, one sentence each (log text
    /// inside is sanitised when printed).
    pub why: Vec<String>,
    pub meeting_id: Option<i64>,
    pub meeting_uuid: Option<String>,
    pub ip: Option<String>,
    /// `recordings.id` of the recording involved.
    pub recording: Option<i64>,
    /// (table, row id) of the evidence records.
    pub evidence: Vec<(&'static str, i64)>,
}

impl Finding {
    pub fn new(
        key: impl Into<String>,
        time: impl Into<String>,
        summary: impl Into<String>,
    ) -> Self {
        Finding {
            key: key.into(),
            time: time.into(),
            summary: summary.into(),
            ..Default::default()
        }
    }
    /// Add evidence ids given as a comma-separated list (as SQL `group_concat` returns them).
    pub fn evidence_csv(&mut self, tbl: &'static str, ids: Option<&str>) {
        for s in ids.unwrap_or("").split(',') {
            if let Ok(id) = s.trim().parse::<i64>()
                && !self.evidence.contains(&(tbl, id))
            {
                self.evidence.push((tbl, id));
            }
        }
    }
    /// Add one fact to the why.
    pub fn fact(&mut self, s: impl Into<String>) -> &mut Self {
        self.why.push(s.into());
        self
    }
    pub fn ev(&mut self, tbl: &'static str, id: i64) {
        if !self.evidence.contains(&(tbl, id)) {
            self.evidence.push((tbl, id));
        }
    }
}

/// Replace a rule's findings with a new set, inside the caller's transaction. A finding whose
/// (rule, key) already exists keeps its row id; findings not found again are removed.
pub fn replace_findings(
    tx: &Connection,
    rule: &super::Rule,
    findings: &[Finding],
    now: &str,
) -> Result<()> {
    let (default_sev, technique, question) = (rule.severity, rule.technique, rule.question);
    let rule = rule.id;
    tx.execute(
        "CREATE TEMP TABLE IF NOT EXISTS zl_keep (id INTEGER PRIMARY KEY)",
        [],
    )?;
    tx.execute("DELETE FROM temp.zl_keep", [])?;
    {
        let mut up = tx.prepare_cached(
            "INSERT INTO findings (rule, fkey, severity, sev_rank, time, summary, user_email,
               meeting_id, meeting_uuid, ip, recording_id, technique, detected_at, actor, target,
               question, why)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
             ON CONFLICT (rule, fkey) DO UPDATE SET severity = excluded.severity,
               sev_rank = excluded.sev_rank, time = excluded.time, summary = excluded.summary,
               user_email = excluded.user_email, meeting_id = excluded.meeting_id,
               meeting_uuid = excluded.meeting_uuid, ip = excluded.ip,
               recording_id = excluded.recording_id, technique = excluded.technique,
               detected_at = excluded.detected_at, actor = excluded.actor,
               target = excluded.target, question = excluded.question, why = excluded.why
             RETURNING id",
        )?;
        let mut del_ev = tx.prepare_cached("DELETE FROM finding_evidence WHERE finding_id = ?1")?;
        let mut add_ev = tx.prepare_cached(
            "INSERT OR IGNORE INTO finding_evidence (finding_id, tbl, row_id) VALUES (?1, ?2, ?3)",
        )?;
        let mut keep = tx.prepare_cached("INSERT OR IGNORE INTO temp.zl_keep (id) VALUES (?1)")?;
        for f in findings {
            let sev = f.severity.unwrap_or(default_sev);
            let id: i64 = up.query_row(
                params![
                    rule,
                    f.key,
                    sev.as_str(),
                    sev.rank(),
                    f.time,
                    f.summary,
                    f.user,
                    f.meeting_id,
                    f.meeting_uuid,
                    f.ip,
                    f.recording,
                    technique,
                    now,
                    f.actor,
                    f.target,
                    question,
                    serde_json::to_string(&f.why)?
                ],
                |r| r.get(0),
            )?;
            keep.execute([id])?;
            del_ev.execute([id])?;
            for (tbl, row) in &f.evidence {
                add_ev.execute(params![id, tbl, row])?;
            }
        }
    }
    tx.execute(
        "DELETE FROM finding_evidence WHERE finding_id IN
           (SELECT id FROM findings WHERE rule = ?1 AND id NOT IN (SELECT id FROM temp.zl_keep))",
        [rule],
    )?;
    tx.execute(
        "DELETE FROM findings WHERE rule = ?1 AND id NOT IN (SELECT id FROM temp.zl_keep)",
        [rule],
    )?;
    Ok(())
}

/// A stored finding with its evidence records, as `detect --format json` prints it.
#[derive(Debug, Clone, Serialize)]
pub struct StoredFinding {
    pub id: i64,
    pub rule: String,
    pub severity: String,
    pub time: String,
    pub summary: String,
    pub user: Option<String>,
    /// Who did it.
    pub actor: Option<String>,
    /// What it was done to (empty when the actor acted on their own account).
    pub target: Option<String>,
    /// The rule's question in one sentence.
    pub question: String,
    /// The thresholds and baseline facts that made it fire.
    pub why: Vec<String>,
    pub meeting_id: Option<i64>,
    pub meeting_uuid: Option<String>,
    pub ip: Option<String>,
    pub recording: Option<i64>,
    pub technique: Option<String>,
    /// The incident this finding is part of (`I<n>`), if any.
    pub incident: Option<i64>,
    /// Triage: the finding's own verdict, else its incident's, else `new`.
    pub state: String,
    pub reason: String,
    pub analyst: Option<String>,
    pub triaged_at: Option<String>,
    pub evidence: Vec<EvidenceRecord>,
}

/// One evidence record: its table, row id, where it came from, and its normalised fields.
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceRecord {
    pub table: String,
    pub id: i64,
    /// `kind source[:line]` of the verbatim record, when the table keeps provenance.
    pub origin: Option<String>,
    pub fields: serde_json::Map<String, serde_json::Value>,
}

/// The columns [`stored_finding`] reads, for a query over `findings f`.
fn finding_columns() -> String {
    format!(
        "f.id, f.rule, f.severity, f.time, f.summary, f.user_email, f.meeting_id,
         f.meeting_uuid, f.ip, f.recording_id, f.technique, f.incident_id, {},
         f.actor, f.target, f.question, f.why",
        super::triage::STANDING_COLUMNS
    )
}

/// A finding from a row of [`finding_columns`] (evidence not yet loaded): the one place a
/// stored finding's fields are read, so a new field is added once for every reader.
fn stored_finding(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredFinding> {
    Ok(StoredFinding {
        id: r.get(0)?,
        rule: r.get(1)?,
        severity: r.get(2)?,
        time: r.get(3)?,
        summary: r.get(4)?,
        user: r.get(5)?,
        meeting_id: r.get(6)?,
        meeting_uuid: r.get(7)?,
        ip: r.get(8)?,
        recording: r.get(9)?,
        technique: r.get(10)?,
        incident: r.get(11)?,
        state: r.get(12)?,
        reason: r.get(13)?,
        analyst: r.get(14)?,
        triaged_at: r.get(15)?,
        actor: r.get(16)?,
        target: r.get(17)?,
        question: r.get(18)?,
        why: serde_json::from_str(&r.get::<_, String>(19)?).unwrap_or_default(),
        evidence: Vec::new(),
    })
}

/// Stored findings, most severe and newest first, optionally limited to some rules.
pub fn load_findings(
    conn: &Connection,
    min: Severity,
    rules: &[String],
) -> Result<Vec<StoredFinding>> {
    let mut st = conn.prepare(&format!(
        "SELECT {} FROM findings f {}
         WHERE f.sev_rank >= ?1 ORDER BY f.sev_rank DESC, f.time DESC, f.id",
        finding_columns(),
        super::triage::STANDING_JOIN
    ))?;
    let rows = st.query_map([min.rank()], stored_finding)?;
    let mut out = Vec::new();
    for f in rows {
        let f = f?;
        if rules.is_empty() || rules.contains(&f.rule) {
            out.push(f);
        }
    }
    Ok(out)
}

/// One page of findings in time order with `from <= time < to`, after the `(time, id)` of the
/// previous page's last finding: exports walk every finding with flat memory.
pub fn findings_page(
    conn: &Connection,
    from: &str,
    to: &str,
    after: Option<(&str, i64)>,
    limit: usize,
) -> Result<Vec<StoredFinding>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {} FROM findings f {}
         WHERE f.time >= ?1 AND f.time < ?2 AND (f.time, f.id) > (?3, ?4)
         ORDER BY f.time, f.id LIMIT ?5",
        finding_columns(),
        super::triage::STANDING_JOIN
    ))?;
    let (t, id) = after.unwrap_or(("", i64::MIN));
    let rows = st.query_map(params![from, to, t, id, limit as i64], stored_finding)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Fill in each finding's evidence records (normalised fields, provenance; never raw bytes).
pub fn load_evidence(conn: &Connection, findings: &mut [StoredFinding]) -> Result<()> {
    let mut refs = conn.prepare_cached(
        "SELECT tbl, row_id FROM finding_evidence WHERE finding_id = ?1 ORDER BY tbl, row_id",
    )?;
    for f in findings.iter_mut() {
        let pairs: Vec<(String, i64)> = refs
            .query_map([f.id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (tbl, id) in pairs {
            if let Some(rec) = evidence_record(conn, &tbl, id)? {
                f.evidence.push(rec);
            }
        }
    }
    Ok(())
}

fn evidence_record(conn: &Connection, tbl: &str, id: i64) -> Result<Option<EvidenceRecord>> {
    // The table name is checked against a fixed list before it reaches SQL.
    let Some(tbl) = EVIDENCE_TABLES.iter().find(|t| **t == tbl) else {
        return Ok(None);
    };
    let mut st = conn.prepare_cached(&format!("SELECT * FROM {tbl} WHERE id = ?1"))?;
    let names: Vec<String> = st.column_names().map(|s| s.to_string()).collect();
    let rec = st
        .query_row([id], |r| {
            let mut fields = serde_json::Map::new();
            let (mut origin_id, mut line) = (None::<i64>, None::<i64>);
            for (i, n) in names.iter().enumerate() {
                let v = match r.get_ref(i)? {
                    ValueRef::Null => serde_json::Value::Null,
                    ValueRef::Integer(v) => v.into(),
                    ValueRef::Real(v) => v.into(),
                    ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned().into(),
                    ValueRef::Blob(b) => crate::util::blob_shown(b).into(),
                };
                match n.as_str() {
                    "raw" | "sha256" | "id" => {}
                    "origin_id" => origin_id = v.as_i64(),
                    "line" => line = v.as_i64(),
                    _ => {
                        fields.insert(n.clone(), v);
                    }
                }
            }
            Ok((fields, origin_id, line))
        })
        .optional()?;
    let Some((fields, origin_id, line)) = rec else {
        return Ok(None);
    };
    let origin = match origin_id {
        Some(oid) => conn
            .prepare_cached("SELECT kind, source FROM origins WHERE id = ?1")?
            .query_row([oid], |r| {
                let (k, s): (String, String) = (r.get(0)?, r.get(1)?);
                Ok(match line {
                    Some(l) => format!("{k} {s}:{l}"),
                    None => format!("{k} {s}"),
                })
            })
            .optional()?,
        None => None,
    };
    Ok(Some(EvidenceRecord {
        table: tbl.to_string(),
        id,
        origin,
        fields,
    }))
}
