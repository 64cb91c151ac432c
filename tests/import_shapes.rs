//! Real Zoom shapes `zoomlens import` used to refuse or mis-read: webhook events without
//! `event_ts`, `meeting.updated`, bare meeting-activity rows, the dashboard's meeting detail,
//! operation rows without an operator, and wrappers users export by mistake.

mod common;

use common::cli::{count, run as zoomlens, sql_rows, text};

use std::path::Path;

/// A real-world sample under tests/fixtures/real.
fn fixture(name: &str) -> String {
    common::cli::fixture(&format!("real/{name}"))
        .display()
        .to_string()
}

fn import_ok(file: &str) -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("c.zl").display().to_string();
    let out = zoomlens(&["import", &case, &fixture(file)]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(!stdout.contains("rejected (kept"), "{stdout}");
    (dir, case, stdout)
}

#[test]
fn webhook_events_without_event_ts_take_their_time_from_the_payload() {
    let (_d, case, _) = import_ok("webhooks_without_event_ts.ndjson");
    let ev = sql_rows(
        &case,
        "SELECT event, time FROM webhook_events ORDER BY time",
    );
    let got: Vec<(String, String)> = ev
        .iter()
        .map(|r| {
            (
                r["event"].as_str().unwrap().into(),
                r["time"].as_str().unwrap().into(),
            )
        })
        .collect();
    let want = [
        ("user.signed_in", "2024-06-10T06:08:20Z"),
        ("meeting.participant_joined", "2024-06-10T06:13:20Z"),
        ("user.settings_updated", "2024-06-10T07:03:20Z"),
        ("meeting.participant_left", "2024-06-10T06:55:00Z"),
    ];
    let mut want: Vec<(String, String)> = want
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    want.sort_by(|a, b| a.1.cmp(&b.1));
    assert_eq!(got, want);
    // And what they describe is normalised as usual.
    let p = sql_rows(&case, "SELECT join_time, leave_time FROM participants");
    assert_eq!(p.len(), 1);
    assert_eq!(p[0]["leave_time"], "2024-06-10T06:55:00Z");
    assert_eq!(count(&case, "signins"), 1);
}

#[test]
fn meeting_updated_is_stored_once_without_a_reject() {
    let (_d, case, stdout) = import_ok("webhook_meeting.updated.json");
    assert!(stdout.contains("webhook_events"), "{stdout}");
    assert!(!stdout.contains("meetings"), "{stdout}");
    let ev = sql_rows(&case, "SELECT event, object_id FROM webhook_events");
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["object_id"], "6962400003");
    assert_eq!(count(&case, "zoom_rejects"), 0);
}

#[test]
fn bare_meeting_activity_rows_are_imported() {
    let (_d, case, _) = import_ok("meeting_activities_rows.ndjson");
    let rows = sql_rows(&case, "SELECT * FROM meeting_activities ORDER BY time");
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(rows[0]["meeting_number"], 9826100285i64);
}

#[test]
fn a_dashboard_meeting_detail_is_a_meeting_not_a_participants_page() {
    let (_d, case, _) = import_ok("metrics_meeting_detail.json");
    let m = sql_rows(
        &case,
        "SELECT uuid, meeting_id, host_email, host_name, participants_count FROM meetings",
    );
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!(m[0]["uuid"], "4444AAAiAAAAAiAiAiiAii==");
    assert_eq!(m[0]["host_email"], "jchill@example.com");
    assert_eq!(m[0]["host_name"], "Jill Chill");
    assert_eq!(m[0]["participants_count"], 7);
}

#[test]
fn operation_rows_without_an_operator_are_kept_and_the_summary_says_so() {
    let (_d, case, stdout) = import_ok("operations_without_operator.ndjson");
    assert!(
        stdout.contains("note: 2 operation-log records name no operator: stored with the operator unknown (empty)"),
        "{stdout}"
    );
    let ops = sql_rows(&case, "SELECT operator FROM operations ORDER BY time");
    assert_eq!(ops.len(), 3);
    assert_eq!(ops[1]["operator"], "");
    // The same from a portal CSV export.
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("ops.csv");
    std::fs::write(
        &csv,
        "Date & Time,Operator,Category Type,Action,Operation Detail\n\
         2024-06-10 09:05:00,,Account,Update,Security  - Waiting Room: from On to Off\n",
    )
    .unwrap();
    let case = dir.path().join("c.zl").display().to_string();
    let out = zoomlens(&["import", &case, &csv.display().to_string(), "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["notes"].as_object().unwrap().values().next().unwrap(), 1);
}

#[test]
fn wrappers_are_refused_by_name_with_what_to_do() {
    for (file, what) in [
        ("elastic_ecs.ndjson", "an Elastic (ECS) document"),
        ("events_wrapper.json", "an {\"events\": [...]} wrapper"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let case = dir.path().join("c.zl").display().to_string();
        let out = zoomlens(&["import", &case, &fixture(file)]);
        assert_eq!(out.status.code(), Some(1));
        let err = text(&out.stderr);
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(err.contains(file) && err.contains(what), "{err}");
        assert!(
            err.contains("what to do:") && err.contains("zoomlens import CASE -"),
            "{err}"
        );
        assert!(!Path::new(&case).exists());
    }
}
