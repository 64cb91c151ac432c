//! Panther's `Zoom.Activity` and `Zoom.Operation` log types: one NDJSON file each, with the
//! fields Panther's schemas define (`email, time, type, ip_address, client_type, version` and
//! `time, operator, category_type, action, operation_detail`), times in RFC 3339 as the schemas
//! ask. Panther adds its own `p_*` fields when it ingests a row, so none are written here.
//! `zoomlens import` reads these files back (the round trip gives the same sign-ins and
//! operations).

use super::rows;
use super::writer::NdjsonFile;
use super::{ExportSummary, FileCount, Range, Source, epoch_ms};
use anyhow::Result;
use rusqlite::Connection;
use serde_json::{Map, Value};
use std::path::Path;

pub const ACTIVITY_FILE: &str = "Zoom.Activity.ndjson";
pub const OPERATION_FILE: &str = "Zoom.Operation.ndjson";

/// A `Zoom.Activity` row; empty optional fields are left out, as the API leaves them out.
pub fn activity(s: &rows::Signin) -> Value {
    let mut m = Map::new();
    m.insert("email".into(), s.email.as_str().into());
    m.insert("time".into(), s.time.as_str().into());
    m.insert("type".into(), s.activity.as_str().into());
    for (k, v) in [
        ("ip_address", &s.ip_address),
        ("client_type", &s.client_type),
        ("version", &s.version),
    ] {
        if !v.is_empty() {
            m.insert(k.into(), v.as_str().into());
        }
    }
    Value::Object(m)
}

/// A `Zoom.Operation` row.
pub fn operation(o: &rows::Operation) -> Value {
    let mut m = Map::new();
    m.insert("time".into(), o.time.as_str().into());
    m.insert("operator".into(), o.operator.as_str().into());
    m.insert("category_type".into(), o.category_type.as_str().into());
    m.insert("action".into(), o.action.as_str().into());
    m.insert(
        "operation_detail".into(),
        o.operation_detail.as_str().into(),
    );
    Value::Object(m)
}

pub fn export(
    conn: &Connection,
    r: &Range,
    sources: &[Source],
    out: &Path,
) -> Result<ExportSummary> {
    let mut summary = ExportSummary::default();
    let mut undated = 0u64;
    for s in sources {
        let (class, file) = match s {
            Source::Signins => ("Zoom.Activity", ACTIVITY_FILE),
            Source::Operations => ("Zoom.Operation", OPERATION_FILE),
            _ => continue,
        };
        let mut f = NdjsonFile::create(out.join(file))?;
        match s {
            Source::Signins => rows::signins(conn, r, |x| f.push(&activity(&x)))?,
            _ => rows::operations(conn, r, |o| {
                // Panther's schema requires a time; an undated operation cannot be one.
                if epoch_ms(&o.time).is_none() {
                    undated += 1;
                    return Ok(());
                }
                f.push(&operation(&o))
            })?,
        }
        let (_, rows) = f.finish()?;
        summary.files.push(FileCount {
            class: class.into(),
            path: file.into(),
            rows,
        });
    }
    if undated > 0 {
        summary.skipped.push((
            "operations without a time (Zoom.Operation requires one)".into(),
            undated,
        ));
    }
    Ok(summary)
}
