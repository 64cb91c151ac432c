//! Single records, one JSON object each: a meeting-activity row or a meeting object exported
//! without its page, and sign-in and operation-log records: Panther's `Zoom.Activity`
//! and `Zoom.Operation` rows (with `p_*` fields; `p_event_time` stands in for a missing
//! `time`), or the same records exported bare from the API.
//!
//! A Panther-style operation row with neither time is stored undated (time `""`): Panther's
//! rule tests carry such rows (without any `p_*` field), and they are real operations whose
//! time is simply unknown. Sign-ins without a time, operations in API pages or CSV exports
//! without one, and any unparsable time stay rejects.

use super::bodies::{ActivityRow, At, OperationRow, activity_from, operation_from};
use super::sink::Sink;
use crate::model::Evidence;
use anyhow::Result;

/// Which kind of row a JSON object is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    Activity,
    Operation,
    /// One `/report/meeting_activities` row without its page envelope.
    MeetingActivity,
    /// One meeting object: `/metrics/meetings/{id}` (where `participants` is a count), a row of
    /// `/metrics/meetings` or `/report/users/{id}/meetings` on its own.
    Meeting,
}

/// Classify a single record by its `p_log_type`, else by its fields.
pub fn row_kind(top: &super::bodies::TopLevel) -> Option<RowKind> {
    if let Some(t) = top.get("p_log_type") {
        return match t.get().trim_matches('"') {
            "Zoom.Activity" => Some(RowKind::Activity),
            "Zoom.Operation" => Some(RowKind::Operation),
            _ => None,
        };
    }
    if top.contains_key("operation_detail")
        || (top.contains_key("operator") && top.contains_key("category_type"))
    {
        return Some(RowKind::Operation);
    }
    if top.contains_key("meeting_number") && top.contains_key("activity_time") {
        return Some(RowKind::MeetingActivity);
    }
    if top.contains_key("email") && top.contains_key("type") && !top.contains_key("id") {
        return Some(RowKind::Activity);
    }
    let is_count = |k: &str| {
        top.get(k)
            .is_some_and(|v| v.get().starts_with(|c: char| c.is_ascii_digit()))
    };
    if top.contains_key("uuid")
        && top.contains_key("start_time")
        && !top.contains_key("recording_files")
        && (is_count("participants") || top.contains_key("participants_count"))
    {
        return Some(RowKind::Meeting);
    }
    None
}

/// Store one row; an unusable row becomes a reject naming why.
pub fn store_row(
    w: &mut impl Sink,
    at: &At,
    kind: RowKind,
    raw: &str,
    panther: bool,
) -> Result<()> {
    let via = if panther { "panther" } else { "file" };
    let ev = || Evidence::new(at.origin_id, at.line, raw);
    let unusable = |e: serde_json::Error| format!("unusable record: {e}");
    match kind {
        RowKind::Activity => match serde_json::from_str::<ActivityRow>(raw)
            .map_err(unusable)
            .and_then(|r| activity_from(&r, via))
        {
            Ok(s) => {
                w.signin(s, ev())?;
            }
            Err(reason) => w.reject("signins", at.source, at.line, &reason, raw)?,
        },
        RowKind::Operation => match serde_json::from_str::<OperationRow>(raw)
            .map_err(unusable)
            .and_then(|r| operation_from(&r, via, true))
        {
            Ok(o) => {
                w.operation(o, ev())?;
            }
            Err(reason) => w.reject("operations", at.source, at.line, &reason, raw)?,
        },
        RowKind::MeetingActivity => match super::bodies::meeting_activity(raw) {
            Ok(a) => {
                w.meeting_activity(a, ev())?;
            }
            Err(reason) => w.reject("meeting_activities", at.source, at.line, &reason, raw)?,
        },
        RowKind::Meeting => match super::bodies::meeting_object(raw) {
            Ok(m) => {
                w.meeting(m, ev())?;
            }
            Err(reason) => w.reject("meetings", at.source, at.line, &reason, raw)?,
        },
    }
    Ok(())
}
