//! One CSV file per view, for spreadsheets: every cell through [`crate::output::CsvOut`], so a
//! cell a spreadsheet would run as a formula is neutralised. Values are otherwise faithful
//! (these are files, not a terminal). Recording share and download URLs are left out: they can
//! carry access tokens.

use super::{ExportSummary, FileCount, Range, Source, rows};
use crate::output::{CsvOut, Safety};
use anyhow::Result;
use rusqlite::{Connection, params, types::ValueRef};
use std::path::Path;

/// A view's file name, query (over the documented `zoom_*` views) and its time column.
fn view(s: Source) -> (&'static str, &'static str) {
    match s {
        Source::Signins => (
            "signins",
            "SELECT id, time, email, type, ip_address, client_type, version, login_type, via
             FROM zoom_signins WHERE time >= ?1 AND time < ?2 ORDER BY time, id",
        ),
        Source::Operations => (
            "operations",
            "SELECT o.id, o.time, o.operator, o.category_type, o.action, o.operation_detail,
                    (SELECT group_concat(c.kind || ': ' || coalesce(c.setting, '') || ' '
                       || coalesce(c.from_value, '') || ' -> ' || coalesce(c.to_value, '')
                       || CASE WHEN c.target IS NOT NULL THEN ' (' || c.target || ')' ELSE '' END,
                       ' | ')
                     FROM op_changes c WHERE c.operation_id = o.id) AS changes
             FROM zoom_operation_logs o WHERE o.time >= ?1 AND o.time < ?2 ORDER BY o.time, o.id",
        ),
        Source::Meetings => (
            "meetings",
            "SELECT id, meeting_uuid, meeting_id, topic, host_id, host_email, host_name, type,
                    start_time, end_time, duration, participants_count, has_screen_share,
                    has_recording, has_chat
             FROM zoom_meetings WHERE start_time >= ?1 AND start_time < ?2
             ORDER BY start_time, id",
        ),
        Source::Participants => (
            "participants",
            "SELECT * FROM zoom_participants WHERE join_time >= ?1 AND join_time < ?2
             ORDER BY join_time, id",
        ),
        Source::Recordings => (
            "recordings",
            "SELECT id, meeting_uuid, meeting_id, topic, host_id, host_email, start_time,
                    duration, total_size, deleted_time, file_id, file_type, file_extension,
                    file_size, recording_type, recording_start, recording_end, status,
                    file_deleted_time
             FROM zoom_recordings WHERE start_time >= ?1 AND start_time < ?2
             ORDER BY start_time, id, file_id",
        ),
        Source::Chat => (
            "chat",
            "SELECT * FROM zoom_chat_messages WHERE time >= ?1 AND time < ?2 ORDER BY time, id",
        ),
        Source::Findings => ("findings", ""),
    }
}

pub fn export(
    conn: &Connection,
    r: &Range,
    sources: &[Source],
    out: &Path,
) -> Result<ExportSummary> {
    let mut summary = ExportSummary::default();
    for s in sources {
        let (name, sql) = view(*s);
        let file = format!("{name}.csv");
        let mut af = super::writer::AtomicFile::create(&out.join(&file))?;
        let mut rows_written = 0u64;
        {
            let mut csv = CsvOut::new(af.writer(), Safety::Faithful);
            if *s == Source::Findings {
                csv.row([
                    "id",
                    "time",
                    "rule",
                    "severity",
                    "technique",
                    "summary",
                    "actor",
                    "target",
                    "why",
                    "user",
                    "meeting_id",
                    "meeting_uuid",
                    "ip",
                    "recording",
                    "incident",
                    "state",
                    "reason",
                    "analyst",
                    "triaged_at",
                    "evidence",
                ])?;
                rows::findings(conn, r, |f| {
                    let ev: Vec<String> = f
                        .evidence
                        .iter()
                        .map(|e| format!("{}:{}", e.table, e.id))
                        .collect();
                    let o = |v: Option<String>| v.unwrap_or_default();
                    csv.row([
                        f.id.to_string(),
                        f.time.clone(),
                        f.rule.clone(),
                        f.severity.clone(),
                        o(f.technique.clone()),
                        f.summary.clone(),
                        o(f.actor.clone()),
                        o(f.target.clone()),
                        f.why.join("; "),
                        o(f.user.clone()),
                        o(f.meeting_id.map(|n| n.to_string())),
                        o(f.meeting_uuid.clone()),
                        o(f.ip.clone()),
                        o(f.recording.map(|n| n.to_string())),
                        o(f.incident.map(|i| format!("I{i}"))),
                        f.state.clone(),
                        f.reason.clone(),
                        o(f.analyst.clone()),
                        o(f.triaged_at.clone()),
                        ev.join(" "),
                    ])?;
                    rows_written += 1;
                    Ok(())
                })?;
            } else {
                let mut st = conn.prepare(sql)?;
                let cols: Vec<String> = st.column_names().map(|c| c.to_string()).collect();
                csv.row(&cols)?;
                let mut q = st.query(params![r.from, r.to])?;
                let mut cells: Vec<String> = Vec::with_capacity(cols.len());
                while let Some(row) = q.next()? {
                    cells.clear();
                    for i in 0..cols.len() {
                        cells.push(match row.get_ref(i)? {
                            ValueRef::Null => String::new(),
                            ValueRef::Integer(v) => v.to_string(),
                            ValueRef::Real(v) => v.to_string(),
                            ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                            ValueRef::Blob(b) => crate::util::blob_shown(b),
                        });
                    }
                    csv.row(&cells)?;
                    rows_written += 1;
                }
            }
            csv.finish()?;
        }
        af.finish()?;
        summary.files.push(FileCount {
            class: name.into(),
            path: file,
            rows: rows_written,
        });
    }
    Ok(summary)
}
