//! Import of issue 18's newer sources from the real sample bodies: the account-wide meeting
//! history (with its feature flags), recording analytics (captured with their requests),
//! disclaimer responses, remote-support sessions and the `meeting.risk_alert` webhook.

mod common;

use common::case::{import, new_case};
use std::path::{Path, PathBuf};
use zoomlens::ingest::{ImportOptions, import_paths};
use zoomlens::store::Store;

fn newer() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/zoom/samples/newer")
}

/// Rows as text, NULL as an empty string.
fn rows(store: &Store, sql: &str) -> Vec<Vec<String>> {
    common::case::rows(store, sql, "")
}

#[test]
fn bare_bodies_of_the_newer_reports_are_sniffed_and_stored_with_their_evidence() {
    let (_d, mut store) = new_case();
    let files = [
        "report_history_meetings.json",
        "report_disclaimer.json",
        "report_remote_support.json",
    ]
    .map(|f| newer().join(f));
    let s = import(&mut store, &files);
    assert_eq!(s.counts.total_rejected(), 0, "{:?}", s.first_rejects);

    // History: both meetings, each also a meeting row, the flags kept as Zoom sent them.
    let h = rows(
        &store,
        "SELECT h.meeting_uuid, h.department, h.type, h.host_email, m.topic, m.has_recording,
                json_extract(h.features, '$.remote_control'), json_extract(h.features, '$.file_sharing'),
                (SELECT count(*) FROM json_each(h.features)), length(h.sha256), zl_raw(h.raw) LIKE '%\"feature_used\"%'
         FROM meeting_history h JOIN meetings m ON m.uuid = h.meeting_uuid ORDER BY h.meeting_uuid",
    );
    assert_eq!(h.len(), 2, "{h:?}");
    assert_eq!(h[0][0], "4444AAAiAAAAAiAiAiiAii==");
    assert_eq!(
        &h[0][1..6],
        [
            "Developers",
            "Meeting",
            "jchill@example.com",
            "Weekly Sync",
            "1"
        ]
    );
    assert_eq!(h[0][8], "37", "all 37 feature_used keys are kept");
    assert_eq!(h[1][0], "9hW2kQ0bTzeP3jq1cX8LrA==");
    assert_eq!(
        &h[1][6..8],
        ["1", "1"],
        "remote control and file sharing used"
    );
    assert_eq!(h[1][9], "32", "a SHA-256 kept as its 32 bytes");
    assert_eq!(h[1][10], "1", "raw keeps the record verbatim");

    // Disclaimers: the guest's passive consent then "Decline Attend", keyed apart.
    let d = rows(
        &store,
        "SELECT time, display_name, email, disclaimer_type, status, is_guest, meeting_number
         FROM disclaimers ORDER BY time",
    );
    assert_eq!(d.len(), 4, "{d:?}");
    assert_eq!(
        d[1],
        [
            "2024-06-10T06:14:06Z",
            "Guest Caller",
            "",
            "recording",
            "Passive Agree",
            "1",
            "85746065432"
        ]
    );
    assert_eq!(d[3][4], "Decline Attend");

    // Remote support: two sessions, durations as seconds.
    let r = rows(
        &store,
        "SELECT start_time, supporter_email, supportee_email, wait_s, duration_s, end_time
         FROM remote_support ORDER BY start_time",
    );
    assert_eq!(
        r,
        vec![
            vec![
                "2024-06-12T14:03:35Z",
                "helpdesk@example.com",
                "jchill@example.com",
                "25",
                "1050",
                "2024-06-12T14:21:05Z"
            ],
            vec![
                "2024-06-12T14:24:58Z",
                "helpdesk@example.com",
                "jchill@example.com",
                "8",
                "282",
                "2024-06-12T14:29:40Z"
            ]
        ]
    );
    // Importing again adds nothing.
    let again = import(&mut store, &files);
    for t in ["meeting_history", "disclaimers", "remote_support"] {
        assert_eq!(again.counts.0[t].added, 0, "{t}");
    }
}

/// The analytics sample holds both request types with their `_request` lines: as capture
/// lines, the path gives the meeting and `type` says view or download.
#[test]
fn recording_analytics_captures_say_who_viewed_and_who_downloaded() {
    let (d, mut store) = new_case();
    let text = std::fs::read_to_string(newer().join("recording_analytics_details.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut lines = String::new();
    for kind in ["by_view", "by_download"] {
        let req = v[kind]["_request"].as_str().unwrap();
        let url = req.strip_prefix("GET ").unwrap();
        // The sample writes the path as a placeholder; the real request carries the UUID.
        let url = url.replace("{double-encoded uuid}", "4444AAAiAAAAAiAiAiiAii%253D%253D");
        let line = serde_json::json!({
            "path": url,
            "fetched_at": "2024-07-01T00:00:00Z",
            "body": v[kind]["body"],
        });
        lines.push_str(&line.to_string());
        lines.push('\n');
    }
    let cap = d.path().join("analytics.ndjson");
    std::fs::write(&cap, lines).unwrap();
    let s = import(&mut store, &[cap]);
    assert_eq!(s.counts.total_rejected(), 0, "{:?}", s.first_rejects);
    let a = rows(
        &store,
        "SELECT kind, time, email, name, duration, meeting_uuid FROM recording_access ORDER BY time",
    );
    assert_eq!(a.len(), 4, "{a:?}");
    assert_eq!(
        a[0][..5],
        [
            "view",
            "2024-06-11T09:02:11Z",
            "jchill@example.com",
            "Jill Chill",
            "1260"
        ]
    );
    assert_eq!(
        a[1][..3],
        ["view", "2024-06-11T17:40:03Z", ""],
        "the anonymous link viewer is kept"
    );
    assert_eq!(
        a[2][..5],
        [
            "download",
            "2024-06-12T22:48:30Z",
            "contractor@vendor.example.org",
            "Pat Vendor",
            ""
        ]
    );
    assert!(a.iter().all(|r| r[5] == "4444AAAiAAAAAiAiAiiAii=="));
}

/// A bare analytics body has no request: it needs `--meeting`, and then a row with a viewing
/// duration reads as a view, one without as a download.
#[test]
fn a_bare_analytics_body_needs_its_meeting() {
    let (d, mut store) = new_case();
    let text = std::fs::read_to_string(newer().join("recording_analytics_details.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let body = d.path().join("views.json");
    std::fs::write(&body, v["by_download"]["body"].to_string()).unwrap();
    let s = import(&mut store, std::slice::from_ref(&body));
    assert_eq!(s.counts.total_rejected(), 1);
    assert!(
        s.first_rejects[0].2.contains("--meeting"),
        "{:?}",
        s.first_rejects
    );
    let o = ImportOptions {
        meeting: Some("4444AAAiAAAAAiAiAiiAii==".into()),
        ..Default::default()
    };
    let s = import_paths(&mut store, &[body], &o).unwrap();
    assert_eq!(s.counts.0["recording_access"].added, 1);
    let a = rows(&store, "SELECT kind, email FROM recording_access");
    assert_eq!(a, vec![vec!["download", "contractor@vendor.example.org"]]);
}

#[test]
fn the_risk_alert_webhook_says_where_the_link_was_posted() {
    let (_d, mut store) = new_case();
    let f = newer().join("../webhook_meeting.risk_alert.json");
    let s = import(&mut store, &[f]);
    assert_eq!(s.counts.total_rejected(), 0, "{:?}", s.first_rejects);
    let r = rows(
        &store,
        "SELECT meeting_id, meeting_uuid, post_platform, post_user, post_time, social_link, alert_time,
                json_extract(recommended, '$.enable[0]')
         FROM risk_alerts",
    );
    assert_eq!(
        r,
        vec![vec![
            "81234567890",
            "kT7pM2xQRQ2vXb9s0Yc5dA==",
            "Twitter",
            "someone_example",
            "2024-06-14T21:37:00Z",
            "https://social.example.net/someone_example/status/1801234567890123456",
            "2024-06-14T22:00:00Z",
            "waiting_room"
        ]]
    );
    // The delivery is kept too, and no meeting instance is invented from the alert.
    assert_eq!(
        rows(&store, "SELECT count(*) FROM webhook_events")[0][0],
        "1"
    );
    assert_eq!(rows(&store, "SELECT count(*) FROM meetings")[0][0], "0");
}
