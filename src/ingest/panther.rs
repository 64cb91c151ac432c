//! Single sign-in and operation-log records, one JSON object each: Panther's `Zoom.Activity`
//! and `Zoom.Operation` rows (with `p_*` fields; `p_event_time` stands in for a missing
//! `time`), or the same records exported bare from the API.

use super::bodies::{ActivityRow, At, OperationRow, activity_from, operation_from};
use crate::model::Evidence;
use crate::store::Writer;
use anyhow::Result;

/// Which kind of row a JSON object is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    Activity,
    Operation,
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
    if top.contains_key("email") && top.contains_key("type") && !top.contains_key("id") {
        return Some(RowKind::Activity);
    }
    None
}

/// Store one row; an unusable row becomes a reject naming why.
pub fn store_row(w: &mut Writer, at: &At, kind: RowKind, raw: &str, panther: bool) -> Result<()> {
    let via = if panther { "panther" } else { "file" };
    let ev = || Evidence::new(at.origin_id, at.line, raw);
    let unusable = |e: serde_json::Error| format!("unusable record: {e}");
    match kind {
        RowKind::Activity => match serde_json::from_str::<ActivityRow>(raw)
            .map_err(unusable)
            .and_then(|r| activity_from(&r, via))
        {
            Ok(s) => {
                w.signin(&s, &ev())?;
            }
            Err(reason) => w.reject("signins", at.source, at.line, &reason, raw)?,
        },
        RowKind::Operation => match serde_json::from_str::<OperationRow>(raw)
            .map_err(unusable)
            .and_then(|r| operation_from(&r, via))
        {
            Ok(o) => {
                w.operation(&o, &ev())?;
            }
            Err(reason) => w.reject("operations", at.source, at.line, &reason, raw)?,
        },
    }
    Ok(())
}
