//! One record in full, for the console's inspector (`d`): every column, the verbatim record it
//! was normalised from with its provenance and SHA-256 (rehashed here, as `zoomlens verify`
//! does), further evidence merged into it, and for a finding the records it cites.

use super::*;
use crate::store::raw::Decoder;

/// Where a verbatim record came from (an `origins` row plus the line in it).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Provenance {
    /// capture | file | webhook | api | csv | panther
    pub kind: String,
    pub source: String,
    pub query: String,
    pub fetched_at: String,
    pub line: Option<i64>,
}

impl Provenance {
    /// In words: "file x.ndjson, line 4", "GET /report/... ?{...} fetched ...", "webhook ...".
    pub fn describe(&self) -> String {
        let line = self.line.map(|l| format!(", line {l}")).unwrap_or_default();
        let query = if self.query.is_empty() || self.query == "{}" {
            String::new()
        } else {
            format!(" query {}", self.query)
        };
        let at = if self.fetched_at.is_empty() {
            String::new()
        } else {
            format!(" fetched {}", self.fetched_at)
        };
        match self.kind.as_str() {
            "api" => format!("API GET {}{query}{at}{line}", self.source),
            "capture" => format!("captured API page {}{query}{at}{line}", self.source),
            "webhook" => {
                let day = self
                    .fetched_at
                    .get(..10)
                    .map(|d| format!(", received on {d}"))
                    .unwrap_or_default();
                format!("webhook delivery to {}{day}{line}", self.source)
            }
            k => format!("{k} {}{line}", self.source),
        }
    }
}

/// A verbatim record as kept in the case.
#[derive(Clone, Debug, Default)]
pub struct Raw {
    /// The bytes as received (text).
    pub text: String,
    /// Stored SHA-256 of `text`.
    pub sha256: String,
    /// Whether `text` still hashes to `sha256`.
    pub intact: bool,
    pub origin: Provenance,
}

/// A record cited as evidence, for evidence lists: identity, time and a one-line description
/// without the time (the console formats the time, in UTC or local).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EvidenceItem {
    pub tbl: String,
    pub id: i64,
    pub time: String,
    pub text: String,
    /// The analyst's annotations on it ("★", "#tag", "note: ...").
    pub notes: Vec<String>,
}

/// One record in full.
#[derive(Clone, Debug, Default)]
pub struct Record {
    pub tbl: String,
    pub id: i64,
    /// Every column but the verbatim record's own (raw, sha256, origin, line): name, value
    /// (NULL as empty).
    pub fields: Vec<(String, String)>,
    /// The verbatim record, when the table keeps one (derived tables do not). For a recording
    /// file, its recording's.
    pub raw: Option<Raw>,
    /// Further verbatim records merged into this row (a dashboard row for a report session).
    pub extra: Vec<Raw>,
    /// For a finding: the records it cites, in time order.
    pub evidence: Vec<EvidenceItem>,
    pub notes: Vec<String>,
}

/// The case's record tables, each with an `id` column, in the order a report lists a finding's
/// evidence: the one list of them. A finding may cite any of them, and the inspector opens
/// them (see [`inspected_table`]). Table names cannot be bound as SQL parameters, so a name is
/// checked against this list before it is written into SQL.
pub const RECORD_TABLES: &[&str] = &[
    "users",
    "signins",
    "operations",
    "op_changes",
    "meetings",
    "participants",
    "recordings",
    "recording_files",
    "chat_messages",
    "chat_channels",
    "webhook_events",
    "waiting_room",
    "departures",
    "assets",
    "vips",
    "meeting_activities",
    "coverage",
    "idp_log",
    "data_access_log",
    // Issue 18's newer sources.
    "recording_access",
    "remote_support",
    "risk_alerts",
    "disclaimers",
    "meeting_history",
];

/// The case's own tables the inspector opens besides the records.
const CASE_TABLES: &[&str] = &["rejects", "findings", "incidents", "annotations"];

/// `t` as a table whose rows the inspector opens, `None` for any other name. Coverage rows
/// (sync windows a finding may cite) are not among them.
pub fn inspected_table(t: &str) -> Option<&'static str> {
    RECORD_TABLES
        .iter()
        .chain(CASE_TABLES)
        .find(|x| **x == t && **x != "coverage")
        .copied()
}

/// The base table behind a documented view (views show the table's own `id`).
pub fn table_of_view(name: &str) -> Option<&'static str> {
    let n = name.to_ascii_lowercase();
    Some(match n.as_str() {
        "zoom_meetings" => "meetings",
        "zoom_participants" | "zoom_participants_basic" | "zoom_participants_detailed" => {
            "participants"
        }
        "zoom_recordings" => "recordings",
        "zoom_operation_logs" => "operations",
        "zoom_operation_changes" => "op_changes",
        "zoom_signins" => "signins",
        "zoom_users" => "users",
        "zoom_webhook_events" => "webhook_events",
        "zoom_chat_messages" => "chat_messages",
        "zoom_rejects" => "rejects",
        "zoom_meeting_activities" => "meeting_activities",
        "idp_events" => "idp_log",
        "data_access_events" => "data_access_log",
        t => return inspected_table(t),
    })
}

fn raw_of(conn: &Connection, tbl: &str, id: i64) -> Result<Option<Raw>> {
    let sql = format!(
        "SELECT x.raw, x.sha256, x.line, o.kind, o.source, o.query, o.fetched_at
         FROM \"{tbl}\" x LEFT JOIN origins o ON o.id = x.origin_id WHERE x.id = ?1"
    );
    let mut st = conn.prepare(&sql)?;
    let mut rows = st.query([id])?;
    let Some(r) = rows.next()? else {
        return Ok(None);
    };
    Ok(Some(raw_row(conn, &mut Decoder::default(), r, 0)?))
}

/// A verbatim record from columns raw, sha256, line, kind, source, query, fetched_at at `i`..
fn raw_row(conn: &Connection, dec: &mut Decoder, r: &rusqlite::Row<'_>, i: usize) -> Result<Raw> {
    // Undecodable bytes show as they are and fail the hash check below, as changed bytes do.
    let stored = r.get_ref(i)?;
    let bytes = dec
        .decode(conn, stored)
        .unwrap_or_else(|_| stored.as_bytes().unwrap_or_default().to_vec());
    let sha256 = text(r, i + 1)?;
    Ok(Raw {
        intact: crate::util::sha256_hex(&bytes) == sha256,
        text: String::from_utf8_lossy(&bytes).into_owned(),
        sha256,
        origin: Provenance {
            line: r.get(i + 2)?,
            kind: text(r, i + 3)?,
            source: text(r, i + 4)?,
            query: text(r, i + 5)?,
            fetched_at: text(r, i + 6)?,
        },
    })
}

/// Everything about one record, `None` when there is no such row (or no such table).
pub fn load(conn: &Connection, tbl: &str, id: i64) -> Result<Option<Record>> {
    let Some(tbl) = inspected_table(tbl) else {
        return Ok(None);
    };
    let cols = table_columns(conn, tbl)?;
    if cols.is_empty() {
        return Ok(None);
    }
    let mut st = conn.prepare(&format!("SELECT * FROM \"{tbl}\" WHERE id = ?1"))?;
    let names: Vec<String> = st.column_names().map(|s| s.to_string()).collect();
    let mut rows = st.query([id])?;
    let Some(r) = rows.next()? else {
        return Ok(None);
    };
    let own = ["raw", "sha256", "origin_id", "line"];
    let keeps_raw = own.iter().all(|c| cols.iter().any(|x| x == c));
    let mut fields = vec![];
    for (i, n) in names.iter().enumerate() {
        if keeps_raw && own.contains(&n.as_str()) {
            continue;
        }
        fields.push((n.clone(), opt(r, i)?.unwrap_or_default()));
    }
    drop(rows);
    drop(st);
    let field = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let raw = if keeps_raw {
        raw_of(conn, tbl, id)?
    } else if tbl == "recording_files" {
        match field("recording_id").and_then(|v| v.parse::<i64>().ok()) {
            Some(rid) => raw_of(conn, "recordings", rid)?,
            None => None,
        }
    } else {
        None
    };
    let mut extra = vec![];
    {
        let mut st = conn.prepare_cached(
            "SELECT x.raw, x.sha256, x.line, o.kind, o.source, o.query, o.fetched_at
             FROM extra_evidence x LEFT JOIN origins o ON o.id = x.origin_id
             WHERE x.tbl = ?1 AND x.row_id = ?2 ORDER BY x.id LIMIT 50",
        )?;
        let mut rows = st.query(rusqlite::params![tbl, id])?;
        let mut dec = Decoder::default();
        while let Some(r) = rows.next()? {
            extra.push(raw_row(conn, &mut dec, r, 0)?);
        }
    }
    let evidence = if tbl == "findings" {
        evidence_items(conn, id)?
    } else {
        vec![]
    };
    let mut notes = vec![];
    {
        let mut one = [Row {
            tbl: super::static_table(tbl),
            id,
            ..Default::default()
        }];
        super::annotations::attach(conn, &mut one)?;
        notes.append(&mut one[0].notes);
    }
    Ok(Some(Record {
        tbl: tbl.to_string(),
        id,
        fields,
        raw,
        extra,
        evidence,
        notes,
    }))
}

/// Most evidence records listed for one finding (the box says how many more there are).
pub const MAX_EVIDENCE: usize = 500;

/// A finding's evidence records in time order (then table and id), each described, with the
/// analyst's annotations; at most [`MAX_EVIDENCE`].
pub fn evidence_items(conn: &Connection, finding_id: i64) -> Result<Vec<EvidenceItem>> {
    let mut st = conn.prepare_cached(
        "SELECT tbl, row_id FROM finding_evidence WHERE finding_id = ?1 ORDER BY tbl, row_id
         LIMIT 5000",
    )?;
    let pairs = st
        .query_map([finding_id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut items: Vec<EvidenceItem> = pairs
        .into_iter()
        .map(|(tbl, id)| {
            let (time, text) = describe_timed(conn, &tbl, id)
                .unwrap_or_else(|_| (String::new(), format!("{tbl} #{id}")));
            EvidenceItem {
                tbl,
                id,
                time,
                text,
                notes: vec![],
            }
        })
        .collect();
    items.sort_by(|a, b| {
        a.time
            .cmp(&b.time)
            .then(a.tbl.cmp(&b.tbl))
            .then(a.id.cmp(&b.id))
    });
    items.truncate(MAX_EVIDENCE);
    let mut rows: Vec<Row> = items
        .iter()
        .map(|e| Row {
            tbl: super::static_table(&e.tbl),
            id: e.id,
            ..Default::default()
        })
        .collect();
    super::annotations::attach(conn, &mut rows)?;
    for (e, r) in items.iter_mut().zip(rows) {
        e.notes = r.notes;
    }
    Ok(items)
}

/// A record's time and a one-line description of it without the time.
pub fn describe_timed(conn: &Connection, tbl: &str, id: i64) -> Result<(String, String)> {
    let sql = match tbl {
        "participants" => {
            "SELECT join_time, 'joined  ' || COALESCE(NULLIF(email, ''), '(guest)') || '  \"' || COALESCE(name, '') || '\"'
               || CASE WHEN COALESCE(pc_name, device, '') <> '' THEN '  device ' || COALESCE(NULLIF(pc_name, ''), device) ELSE '' END
               || CASE WHEN COALESCE(ip_address, '') <> '' THEN '  ip ' || ip_address ELSE '' END
               || '  meeting ' || meeting_uuid FROM participants WHERE id = ?1"
        }
        "signins" => {
            "SELECT time, activity || '  ' || email || CASE WHEN ip_address <> '' THEN '  ip ' || ip_address ELSE '' END
               || '  ' || trim(client_type || ' ' || version) FROM signins WHERE id = ?1"
        }
        "operations" => {
            "SELECT time, 'operation  ' || operator || '  ' || action || '  ' || operation_detail FROM operations WHERE id = ?1"
        }
        "op_changes" => {
            "SELECT o.time, 'change  ' || o.operator || '  ' || c.kind || '  '
               || trim(COALESCE(c.section, '') || ' \u{203a} ' || COALESCE(c.setting, ''), ' \u{203a}')
               || CASE WHEN c.from_value IS NOT NULL OR c.to_value IS NOT NULL
                       THEN ': ' || COALESCE(c.from_value, '') || ' \u{2192} ' || COALESCE(c.to_value, '') ELSE '' END
               || CASE WHEN c.target IS NOT NULL THEN '  (target ' || c.target || ')' ELSE '' END
             FROM op_changes c JOIN operations o ON o.id = c.operation_id WHERE c.id = ?1"
        }
        "meetings" => {
            "SELECT COALESCE(start_time, ''), 'meeting  ' || COALESCE(topic, '') || '  ' || uuid FROM meetings WHERE id = ?1"
        }
        "recordings" => {
            "SELECT COALESCE(start_time, ''), 'recording  ' || COALESCE(topic, '')
               || CASE WHEN deleted_time IS NOT NULL THEN '  (deleted)' ELSE '' END FROM recordings WHERE id = ?1"
        }
        "webhook_events" => {
            "SELECT time, 'webhook  ' || event || '  ' || COALESCE(operator, '') || '  ' || COALESCE(object_id, '') FROM webhook_events WHERE id = ?1"
        }
        "chat_messages" => {
            "SELECT time, 'chat  ' || COALESCE(sender, '') || ': ' || COALESCE(message, '') FROM chat_messages WHERE id = ?1"
        }
        "meeting_activities" => {
            "SELECT time, 'activity  ' || operator_email || '  ' || category || '  ' || detail FROM meeting_activities WHERE id = ?1"
        }
        "idp_log" => {
            "SELECT time, source || '  ' || action || '  ' || user || '  ' || ip || '  ' || outcome FROM idp_log WHERE id = ?1"
        }
        "data_access_log" => {
            "SELECT time, source || '  ' || action || '  ' || user || '  ' || resource || '  ' || sensitivity FROM data_access_log WHERE id = ?1"
        }
        "recording_access" => {
            "SELECT time, 'recording ' || kind || '  ' || COALESCE(NULLIF(email, ''), '(anonymous)') || '  \"' || name || '\"  meeting ' || meeting_uuid FROM recording_access WHERE id = ?1"
        }
        "remote_support" => {
            "SELECT start_time, 'remote control  ' || COALESCE(NULLIF(supporter_email, ''), supporter_name, '') || ' \u{2192} ' || supportee_email || '  ' || COALESCE(topic, '') FROM remote_support WHERE id = ?1"
        }
        "risk_alerts" => {
            "SELECT alert_time, 'risk alert  meeting ' || COALESCE(meeting_id, meeting_uuid) || ' link posted on ' || COALESCE(post_platform, '?') || ' ' || social_link FROM risk_alerts WHERE id = ?1"
        }
        "disclaimers" => {
            "SELECT time, 'notice  ' || disclaimer_type || ' ' || status || '  ' || COALESCE(NULLIF(email, ''), display_name) FROM disclaimers WHERE id = ?1"
        }
        "users" => {
            "SELECT COALESCE(created_at, ''), 'user  ' || email || '  ' || COALESCE(display_name, '') || '  ' || COALESCE(role_name, '') FROM users WHERE id = ?1"
        }
        "departures" => {
            "SELECT departed_at, 'departed  ' || email FROM departures WHERE id = ?1"
        }
        "findings" => {
            "SELECT time, severity || ' ' || rule || ': ' || summary FROM findings WHERE id = ?1"
        }
        _ => return Ok((String::new(), format!("{tbl} #{id}"))),
    };
    let s: Option<(String, String)> = conn
        .query_row(sql, [id], |r| Ok((text(r, 0)?, text(r, 1)?)))
        .ok();
    Ok(s.unwrap_or_else(|| (String::new(), format!("{tbl} #{id} (missing)"))))
}

/// JSON text laid out one member per line, two spaces per level, keys in the order received
/// and every value exactly as written (nothing is parsed into a map and printed back). Text
/// that is not JSON is returned unchanged.
pub fn pretty_json(s: &str) -> String {
    let t = s.trim();
    if !(t.starts_with('{') || t.starts_with('['))
        || serde_json::from_str::<serde::de::IgnoredAny>(t).is_err()
    {
        return s.to_string();
    }
    let mut out = String::with_capacity(t.len() * 2);
    let mut depth = 0usize;
    let mut in_str = false;
    let mut esc = false;
    let mut chars = t.chars().peekable();
    let nl = |out: &mut String, d: usize| {
        out.push('\n');
        out.push_str(&"  ".repeat(d));
    };
    while let Some(c) = chars.next() {
        if in_str {
            out.push(c);
            if esc {
                esc = false;
            } else if c == '\\' {
                esc = true;
            } else if c == '"' {
                in_str = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_str = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                // An empty object or array stays on one line.
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
                if matches!(chars.peek(), Some('}') | Some(']')) {
                    out.push(chars.next().unwrap());
                } else {
                    depth += 1;
                    nl(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                nl(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                nl(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_json_keeps_order_and_values() {
        let s = r#"{"z":1,"a":{"b":[1, 2.50,{}],"c":"x, {y}: \"q\""},"e":[]}"#;
        assert_eq!(
            pretty_json(s),
            "{\n  \"z\": 1,\n  \"a\": {\n    \"b\": [\n      1,\n      2.50,\n      {}\n    ],\n    \"c\": \"x, {y}: \\\"q\\\"\"\n  },\n  \"e\": []\n}"
        );
        assert_eq!(pretty_json("a,b,c"), "a,b,c", "a CSV line stays as it is");
        assert_eq!(pretty_json("{broken"), "{broken");
    }

    #[test]
    fn provenance_reads_as_words() {
        let p = Provenance {
            kind: "file".into(),
            source: "export.ndjson".into(),
            line: Some(4),
            ..Default::default()
        };
        assert_eq!(p.describe(), "file export.ndjson, line 4");
        let p = Provenance {
            kind: "capture".into(),
            source: "/v2/report/activities".into(),
            query: "{\"from\":\"2024-06-01\"}".into(),
            fetched_at: "2024-06-02T00:00:00Z".into(),
            line: Some(2),
        };
        assert_eq!(
            p.describe(),
            "captured API page /v2/report/activities query {\"from\":\"2024-06-01\"} fetched 2024-06-02T00:00:00Z, line 2"
        );
    }
}
