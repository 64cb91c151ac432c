//! `--truth FILE`: the row counts a complete pull of the served tenant must produce in the case
//! file's views. Counted with the case file's own keys (API.md §6), so duplicates in the tenant
//! count once, as the store would keep them.

use crate::sim::tenant::Tenant;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

fn s(v: &Value, k: &str) -> String {
    match v.get(k) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn distinct<'a>(rows: impl Iterator<Item = &'a Value>, keys: &[&str]) -> usize {
    rows.map(|r| keys.iter().map(|k| s(r, k)).collect::<Vec<_>>())
        .collect::<BTreeSet<_>>()
        .len()
}

/// `{"counts": {view: rows}}` for the tenant.
pub fn truth(t: &Tenant) -> Value {
    let users = distinct(t.users.iter(), &["id", "email"]);
    let signins = distinct(
        t.activities.iter(),
        &[
            "email",
            "time",
            "type",
            "ip_address",
            "client_type",
            "version",
        ],
    );
    let operations = distinct(
        t.operations.iter(),
        &[
            "time",
            "operator",
            "category_type",
            "action",
            "operation_detail",
        ],
    );
    let meetings = t
        .meetings_by_host
        .values()
        .flatten()
        .map(|m| s(m, "uuid"))
        .collect::<BTreeSet<_>>()
        .len();
    // A session is (meeting uuid, per-meeting user_id, join time); report and dashboard rows of
    // the same session merge into one.
    let mut sessions = BTreeSet::new();
    for (uuid, rows) in t.participants.iter().chain(t.metrics.iter()) {
        for r in rows {
            sessions.insert((uuid.clone(), s(r, "user_id"), s(r, "join_time")));
        }
    }
    // zoom_recordings has one row per recording file (a recording without files still gives
    // one row); a recording in both the list and the trash is one recording.
    let mut files: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for rec in t
        .recordings_by_host
        .values()
        .chain(t.trash_by_host.values())
        .flatten()
    {
        let entry = files.entry(s(rec, "uuid")).or_default();
        for f in rec
            .get("recording_files")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let id = s(f, "id");
            entry.insert(if id.is_empty() {
                format!("{}|{}", s(f, "file_type"), s(f, "recording_start"))
            } else {
                id
            });
        }
    }
    let recording_rows: usize = files.values().map(|f| f.len().max(1)).sum();
    let chat = t
        .chat_by_user
        .values()
        .flatten()
        .map(|m| s(m, "id"))
        .collect::<BTreeSet<_>>()
        .len();
    json!({
        "counts": {
            "zoom_users": users,
            "zoom_signins": signins,
            "zoom_operation_logs": operations,
            "zoom_meetings": meetings,
            "zoom_participants": sessions.len(),
            "zoom_recordings": recording_rows,
            "zoom_chat_messages": chat,
            "zoom_webhook_events": t.webhooks.len(),
        }
    })
}
