//! Importers through the library: every shared sample and Panther log, evidence, dedup and
//! merges. (The user-facing behaviour of `zoomlens import` is in import_cli.rs.)

mod common;

use common::case::{import, new_case};
use common::cli::fixture;
use std::path::{Path, PathBuf};
use zoomlens::ingest::{ImportOptions, ImportSummary, import_paths};
use zoomlens::store::Store;

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/zoom/samples")
}

/// Samples that are not telemetry: credentials, error bodies, test vectors.
const NOT_TELEMETRY: &[&str] = &[
    "oauth_token_s2s.json",
    "oauth_token_authorization_code.json",
    "errors.json",
    "webhook_signature_test_vector.json",
    "webhook_endpoint.url_validation_response.json",
];
const PARTICIPANT_PAGES: &[&str] = &[
    "report_meeting_participants.json",
    "metrics_meeting_participants.json",
];
const SAMPLE_MEETING: &str = "4444AAAiAAAAAiAiAiiAii==";

fn telemetry_samples() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(samples())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .filter(|p| {
            let n = p.file_name().unwrap().to_str().unwrap();
            !NOT_TELEMETRY.contains(&n) && !PARTICIPANT_PAGES.contains(&n)
        })
        .collect();
    v.sort();
    v
}

/// That an import added and merged nothing (a second import of the same files).
fn assert_nothing_new(again: &ImportSummary) {
    assert!(
        again
            .counts
            .0
            .values()
            .all(|c| c.added == 0 && c.merged == 0),
        "{:?}",
        again.counts
    );
}

fn count(store: &Store, sql: &str) -> i64 {
    store.conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// Participant pages first: the sharing sample is about a session only the report has, and
/// a share whose session is not yet in the case is not stored (a later re-import applies it).
fn import_all_samples(store: &mut Store) -> ImportSummary {
    let pages: Vec<PathBuf> = PARTICIPANT_PAGES
        .iter()
        .map(|p| samples().join(p))
        .collect();
    let opts = ImportOptions {
        meeting: Some(SAMPLE_MEETING.into()),
        ..Default::default()
    };
    let mut s = import_paths(store, &pages, &opts).unwrap();
    let more = import(store, &telemetry_samples());
    s.counts.add(&more.counts);
    s.first_rejects.extend(more.first_rejects);
    s
}

#[test]
fn every_zoom_sample_imports_without_a_reject_and_reimport_adds_nothing() {
    let (_d, mut store) = new_case();
    let first = import_all_samples(&mut store);
    assert_eq!(
        first.counts.total_rejected(),
        0,
        "rejects: {:?}",
        first.first_rejects
    );
    for (table, min) in [
        ("users", 3),
        ("signins", 5),
        ("operations", 4),
        ("meetings", 2),
        ("participants", 3),
        ("recordings", 1),
        ("recording_files", 3),
        ("chat_messages", 3),
        ("webhook_events", 19),
        ("meeting_activities", 2),
    ] {
        let n = count(&store, &format!("SELECT COUNT(*) FROM {table}"));
        assert!(n >= min, "{table}: {n} rows, expected at least {min}");
    }
    // The URL-validation ping is not evidence.
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM webhook_events WHERE event = 'endpoint.url_validation'"
        ),
        0
    );
    // The sample share (an application, by the report's first participant) marked their
    // session.
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM participants WHERE user_id = '16778240'
             AND share_application = 1"
        ),
        1
    );
    // The sample user.updated (type 1 -> 2) changed the directory.
    assert_eq!(
        count(
            &store,
            "SELECT user_type FROM users WHERE zoom_id = 'z8yCxjabcdEFGHfp8uQ'"
        ),
        2
    );
    let before = count(&store, "SELECT COUNT(*) FROM extra_evidence");
    let again = import_all_samples(&mut store);
    for (table, c) in &again.counts.0 {
        assert_eq!((c.added, c.merged, c.rejected), (0, 0, 0), "{table}: {c:?}");
    }
    assert_eq!(count(&store, "SELECT COUNT(*) FROM extra_evidence"), before);
}

#[test]
fn files_that_are_not_telemetry_are_refused_and_nothing_is_stored() {
    for name in NOT_TELEMETRY {
        let (d, mut store) = new_case();
        let good = samples().join("report_activities.json");
        let bad = samples().join(name);
        let err = import_paths(&mut store, &[good, bad], &ImportOptions::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains(name), "{name}: {err}");
        assert!(!err.contains('\n'), "one line: {err}");
        // Not even the good file before it: formats are checked first.
        assert_eq!(count(&store, "SELECT COUNT(*) FROM signins"), 0, "{name}");
        drop(store);
        let bytes = std::fs::read(d.path().join("case.zl")).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("EXAMPLE.ACCESS") && !text.contains("EXAMPLE.SIGNATURE"));
    }
}

#[test]
fn bare_participant_pages_need_their_meeting() {
    let (_d, mut store) = new_case();
    let page = samples().join("report_meeting_participants.json");
    let err = import_paths(&mut store, &[page], &ImportOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("--meeting"), "{err}");
    assert_eq!(count(&store, "SELECT COUNT(*) FROM participants"), 0);
}

#[test]
fn report_and_dashboard_rows_of_a_session_merge_guests_and_rejoins_are_kept() {
    let (_d, mut store) = new_case();
    let opts = ImportOptions {
        meeting: Some(SAMPLE_MEETING.into()),
        ..Default::default()
    };
    let pages: Vec<PathBuf> = PARTICIPANT_PAGES
        .iter()
        .map(|p| samples().join(p))
        .collect();
    let s = import_paths(&mut store, &pages, &opts).unwrap();
    let c = &s.counts.0["participants"];
    assert_eq!((c.added, c.merged, c.rejected), (3, 2, 0), "{c:?}");
    // Three sessions: the host, and the guest twice (a rejoin), blank id and email kept.
    assert_eq!(count(&store, "SELECT COUNT(*) FROM zoom_participants"), 3);
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM participants WHERE user_id = '16779264' AND email = ''
             AND zoom_user_id = ''"
        ),
        2
    );
    // The host's session has the report's email and the dashboard's IP and device, once.
    let (email, ip, device, rep, met): (String, String, String, i64, i64) = store
        .conn
        .query_row(
            "SELECT email, ip_address, device, in_report, in_metrics FROM participants
             WHERE user_id = '16778240'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap();
    assert_eq!(
        (email.as_str(), ip.as_str(), device.as_str(), rep, met),
        ("jchill@example.com", "192.0.2.10", "Mac", 1, 1)
    );
    // The dashboard row's bytes are kept as further evidence of that session.
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM extra_evidence WHERE tbl = 'participants'"
        ),
        2
    );
}

#[test]
fn evidence_is_the_verbatim_record_with_its_line_and_hash() {
    let (_d, mut store) = new_case();
    let path = samples().join("report_activities.json");
    import(&mut store, std::slice::from_ref(&path));
    let file = std::fs::read_to_string(&path).unwrap();
    let (raw, sha, line, source): (String, zoomlens::util::Sha256Sum, i64, String) = store
        .conn
        .query_row(
            "SELECT s.raw, s.sha256, s.line, o.source FROM signins s JOIN origins o
             ON o.id = s.origin_id WHERE s.email = 'dave@example.com'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    // Exactly the bytes in the file (pretty-printed as it was), not a re-serialisation.
    let at = file.find(&raw).expect("raw text is a slice of the file");
    assert!(raw.contains("\n"), "kept with its original layout: {raw}");
    assert_eq!(line, 1 + file[..at].matches('\n').count() as i64);
    assert_eq!(sha, zoomlens::util::Sha256Sum::of(raw.as_bytes()));
    assert!(source.ends_with("report_activities.json"), "{source}");
}

/// Panther's test logs, taken out of their rule files into NDJSON as Panther would ship them.
fn panther_ndjson(dir: &Path) -> (PathBuf, usize, usize) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance/panther");
    let mut lines = Vec::new();
    let mut timeless = 0;
    let mut names: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    names.sort();
    for p in names {
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
        // Rule tests carry a "log"; the helper's unit test carries an "input" (not a log).
        for t in v["tests"].as_array().unwrap() {
            let Some(log) = t.get("log") else { continue };
            if log.get("time").is_none() && log.get("p_event_time").is_none() {
                timeless += 1;
            }
            lines.push(serde_json::to_string(log).unwrap());
        }
    }
    let out = dir.join("panther.ndjson");
    std::fs::write(&out, lines.join("\n") + "\n").unwrap();
    (out, lines.len(), timeless)
}

#[test]
fn every_panther_log_imports_without_a_reject_and_timeless_ones_are_stored_undated() {
    let (d, mut store) = new_case();
    let (file, n, timeless) = panther_ndjson(d.path());
    assert!(n >= 30, "{n} logs");
    let s = import(&mut store, std::slice::from_ref(&file));
    assert_eq!(s.counts.total_rejected(), 0, "{:?}", s.first_rejects);
    let stored: u64 = s.counts.0.values().map(|c| c.added + c.present).sum();
    assert_eq!(stored as usize, n);
    // Three hand-written rule tests carry neither `time` nor `p_event_time`: real operations
    // at an unknown time, stored undated (time '') with their raw text, never a made-up time.
    assert_eq!(timeless, 3);
    assert_eq!(
        count(&store, "SELECT COUNT(*) FROM operations WHERE time = ''"),
        timeless as i64
    );
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM operations WHERE time = '' AND zl_raw(raw) LIKE '%Job Title%'
             AND operation_detail LIKE 'Update User % - Job Title: set to Contractor'
             AND origin_id IS NOT NULL AND line > 0"
        ),
        2
    );
    // Their changes are parsed like any other operation's.
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM op_changes c JOIN operations o ON o.id = c.operation_id
             WHERE o.time = '' AND c.to_value = 'Admin'"
        ),
        1
    );
    // `status` counts them as undated and keeps them out of the operations' time span.
    let st = zoomlens::store::status::case_status(&store).unwrap();
    let ops = st.sources.iter().find(|s| s.table == "operations").unwrap();
    assert_eq!(ops.undated, 3);
    assert!(
        ops.first.as_deref().is_some_and(|t| !t.is_empty()),
        "{ops:?}"
    );
    // p_event_time stands in for a missing time.
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM operations WHERE time = '2021-06-27T00:08:28Z'
             AND via = 'panther'"
        ),
        1
    );
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM signins WHERE ip_address = '1.1.1.1'"
        ),
        1
    );
    // A batched detail is parsed into several changes.
    assert!(
        count(
            &store,
            "SELECT COUNT(*) FROM zoom_operation_changes
             WHERE setting = 'Include at least 1 number' AND to_value = 'Off'"
        ) >= 1
    );
    let again = import(&mut store, &[file]);
    assert_nothing_new(&again);
}

#[test]
fn only_a_missing_time_on_an_operation_row_is_undated_an_unparsable_one_is_rejected() {
    let (d, mut store) = new_case();
    let file = d.path().join("rows.ndjson");
    std::fs::write(
        &file,
        concat!(
            r#"{"p_log_type":"Zoom.Operation","time":"yesterday-ish","operator":"a@x.io","#,
            r#""category_type":"User","action":"Update","operation_detail":"Update User b@x.io"}"#,
            "\n",
            r#"{"p_log_type":"Zoom.Activity","email":"a@x.io","type":"Sign in","ip_address":"1.2.3.4"}"#,
            "\n",
            r#"{"p_log_type":"Zoom.Operation","operator":"a@x.io","category_type":"User","#,
            r#""action":"Delete","operation_detail":"Delete User c@x.io"}"#,
            "\n",
        ),
    )
    .unwrap();
    let s = import(&mut store, &[file]);
    assert_eq!(s.counts.total_rejected(), 2, "{:?}", s.first_rejects);
    let reasons: Vec<&str> = s.first_rejects.iter().map(|r| r.2.as_str()).collect();
    assert!(reasons[0].contains("unparsable time"), "{reasons:?}");
    assert!(reasons[1].contains("missing time"), "{reasons:?}");
    assert_eq!(count(&store, "SELECT COUNT(*) FROM signins"), 0);
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM operations WHERE time = '' AND action = 'Delete'"
        ),
        1
    );
    assert_eq!(count(&store, "SELECT COUNT(*) FROM operations"), 1);
}

#[test]
fn capture_pages_take_meeting_uuid_trash_and_dashboard_from_the_request() {
    let (_d, mut store) = new_case();
    let s = import(&mut store, &[fixture("engineering_capture.ndjson")]);
    assert_eq!(s.counts.total_rejected(), 0, "{:?}", s.first_rejects);
    // Double-encoded UUIDs are stored decoded.
    for uuid in [
        "/eng1AAAAAAAAAAAAAAAAA==",
        "eng2+BBBBBBBBBBBBBBBBB==",
        "eng4//DDDDDDDDDDDDDDDD==",
    ] {
        assert_eq!(
            count(
                &store,
                &format!(
                    "SELECT COUNT(*) FROM zoom_participants WHERE meeting_uuid = '{uuid}'
                          AND meeting_topic = 'Weekly Engineering Sync'"
                )
            ),
            if uuid.starts_with("eng4") { 2 } else { 3 },
            "{uuid}"
        );
    }
    assert_eq!(
        count(&store, "SELECT COUNT(*) FROM zoom_participants_detailed"),
        2
    );
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM zoom_recordings WHERE deleted_time IS NOT NULL
             AND file_deleted_time IS NOT NULL"
        ),
        1
    );
    // Provenance of a capture row: the endpoint path, its query and fetch time.
    let (kind, query, fetched): (String, String, String) = store
        .conn
        .query_row(
            "SELECT o.kind, o.query, o.fetched_at FROM recordings r
             JOIN origins o ON o.id = r.origin_id",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(kind, "capture");
    assert!(query.contains("\"trash\":\"true\""), "{query}");
    assert_eq!(fetched, "2024-07-01T02:00:00Z");
}

#[test]
fn webhooks_as_object_array_or_ndjson_become_the_same_records() {
    let dir = tempfile::tempdir().unwrap();
    let names = [
        "webhook_meeting.started.json",
        "webhook_meeting.participant_joined.json",
        "webhook_meeting.participant_left.json",
        "webhook_meeting.ended.json",
        "webhook_recording.trashed.json",
        "webhook_user.signed_in.json",
    ];
    let events: Vec<serde_json::Value> = names
        .iter()
        .map(|n| {
            serde_json::from_str(&std::fs::read_to_string(samples().join(n)).unwrap()).unwrap()
        })
        .collect();
    let array = dir.path().join("events.json");
    std::fs::write(&array, serde_json::to_string_pretty(&events).unwrap()).unwrap();
    let ndjson = dir.path().join("events.ndjson");
    let lines: Vec<String> = events.iter().map(|e| e.to_string()).collect();
    std::fs::write(&ndjson, lines.join("\n")).unwrap();
    let singles: Vec<PathBuf> = names.iter().map(|n| samples().join(n)).collect();

    let mut results = Vec::new();
    for input in [vec![array], vec![ndjson], singles] {
        let (_d, mut store) = new_case();
        let s = import(&mut store, &input);
        assert_eq!(s.counts.total_rejected(), 0, "{:?}", s.first_rejects);
        let row: (String, Option<String>, i64, i64, Option<String>, i64) = store
            .conn
            .query_row(
                "SELECT (SELECT join_time FROM participants), (SELECT leave_time FROM participants),
                        (SELECT in_webhook FROM participants), (SELECT COUNT(*) FROM webhook_events),
                        (SELECT deleted_time FROM recordings), (SELECT COUNT(*) FROM signins)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
            )
            .unwrap();
        results.push(row);
    }
    let want = (
        "2024-06-10T06:14:05Z".to_string(),
        Some("2024-06-10T06:20:40Z".to_string()),
        1,
        6,
        Some("2024-06-11T07:13:20Z".to_string()),
        1,
    );
    for r in results {
        assert_eq!(r, want);
    }
}

#[test]
fn csv_lists_and_portal_exports_import_by_header() {
    let (_d, mut store) = new_case();
    let files: Vec<PathBuf> = [
        "departures.csv",
        "assets.csv",
        "vips.csv",
        "portal_operation_logs.csv",
        "portal_signins.csv",
    ]
    .iter()
    .map(|f| fixture(f))
    .collect();
    let s = import(&mut store, &files);
    // One departure has no usable date: rejected with its line, the others are kept.
    assert_eq!(s.counts.total_rejected(), 1);
    let (file, line, reason) = &s.first_rejects[0];
    assert!(
        file.ends_with("departures.csv") && *line == Some(4),
        "{file}:{line:?}"
    );
    assert!(reason.contains("someday"), "{reason}");
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM departures WHERE departed_at IN
             ('2024-06-05T00:00:00Z', '2024-06-20T17:00:00Z')"
        ),
        2
    );
    assert_eq!(count(&store, "SELECT COUNT(*) FROM assets"), 2);
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM vips WHERE title LIKE '%Financial%'"
        ),
        1
    );
    assert_eq!(
        count(&store, "SELECT COUNT(*) FROM signins WHERE via = 'csv'"),
        4
    );
    // The batched portal detail is two changes; the hyphenated group name survives.
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM zoom_operation_changes WHERE time = '2024-06-03T10:15:00Z'"
        ),
        2
    );
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM operations WHERE time = '2024-06-04T11:00:00Z'
             AND operation_detail LIKE 'Edit Group Sales-EMEA%'"
        ),
        1
    );
    let raw: String = store
        .conn
        .query_row("SELECT raw FROM vips", [], |r| r.get(0))
        .unwrap();
    assert_eq!(raw, "alice@acme.example,Alice Ng,Chief Financial Officer");
}

#[test]
fn an_empty_file_imports_nothing_without_error() {
    let (d, mut store) = new_case();
    let empty = d.path().join("empty.ndjson");
    std::fs::write(&empty, "\n\n").unwrap();
    let s = import(&mut store, &[empty]);
    assert_eq!(s.files[0].records, 0);
    assert_eq!(s.counts.total_rejected(), 0);
}

fn sample_json(name: &str) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(samples().join(name)).unwrap()).unwrap()
}

/// Import events as one NDJSON file.
fn import_events(store: &mut Store, dir: &Path, events: &[serde_json::Value]) -> ImportSummary {
    let file = dir.join(format!("events{}.ndjson", events.len()));
    let lines: Vec<String> = events.iter().map(|e| e.to_string()).collect();
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    import(store, &[file])
}

#[test]
fn sharing_marks_the_session_open_at_that_time_and_unmatched_shares_are_not_stored() {
    let (d, mut store) = new_case();
    let user = "16779264";
    let joined = |at: &str| {
        let mut e = sample_json("webhook_meeting.participant_joined.json");
        e["payload"]["object"]["participant"]["join_time"] = at.into();
        e
    };
    let share = |who: &str, content: &str, at: &str| {
        let mut e = sample_json("webhook_meeting.sharing_started.json");
        let p = &mut e["payload"]["object"]["participant"];
        p["user_id"] = who.into();
        p["sharing_details"]["content"] = content.into();
        p["sharing_details"]["date_time"] = at.into();
        e
    };
    let events = [
        joined("2024-06-10T06:14:05Z"),
        share(user, "desktop", "2024-06-10T06:15:00Z"),
        // Left at 06:20:40 (the sample), rejoined at 06:21:00.
        sample_json("webhook_meeting.participant_left.json"),
        share(user, "application", "2024-06-10T06:20:50Z"), // between sessions
        joined("2024-06-10T06:21:00Z"),
        share(user, "whiteboard", "2024-06-10T06:22:00Z"),
        share("999", "desktop", "2024-06-10T06:15:00Z"), // never joined
        share(user, "unknown", "2024-06-10T06:23:00Z"),  // nothing a column can say
    ];
    let s = import_events(&mut store, d.path(), &events);
    assert_eq!(s.counts.total_rejected(), 0, "{:?}", s.first_rejects);
    assert_eq!(s.counts.0["participants"].skipped, 3, "{:?}", s.counts);
    let sessions: Vec<(String, i64, i64, i64)> = store
        .conn
        .prepare(
            "SELECT join_time, COALESCE(share_desktop, 0), COALESCE(share_application, 0),
                    COALESCE(share_whiteboard, 0)
             FROM participants WHERE user_id = ?1 ORDER BY join_time",
        )
        .unwrap()
        .query_map([user], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        sessions,
        vec![
            ("2024-06-10T06:14:05Z".into(), 1, 0, 0),
            ("2024-06-10T06:21:00Z".into(), 0, 0, 1),
        ]
    );
    // The view analysts query shows it, and every delivery is kept whole.
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM zoom_participants WHERE share_desktop = 1"
        ),
        1
    );
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM webhook_events WHERE event = 'meeting.sharing_started'"
        ),
        5
    );
    // The share is evidence of the session it marked.
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM extra_evidence e JOIN participants p ON p.id = e.row_id
             WHERE e.tbl = 'participants' AND p.join_time = '2024-06-10T06:14:05Z'
             AND zl_raw(e.raw) LIKE '%sharing_started%'"
        ),
        1
    );
    let again = import_events(&mut store, d.path(), &events);
    assert_nothing_new(&again);
}

#[test]
fn user_updated_applies_the_changed_fields_and_keeps_the_delivery() {
    let (d, mut store) = new_case();
    import(&mut store, &[samples().join("users.json")]);
    let dave = "z8yCxjabcdEFGHfp8uQ";
    let type_change = sample_json("webhook_user.updated.json"); // type 1 -> 2
    let mut dept = type_change.clone();
    dept["event_ts"] = 1718013100000i64.into();
    dept["payload"]["object"] = serde_json::json!({"id": dave, "dept": "Finance"});
    let mut stranger = type_change.clone();
    stranger["payload"]["object"] = serde_json::json!({"id": "nobody", "type": 2});
    let mut newcomer = type_change.clone();
    newcomer["payload"]["object"] =
        serde_json::json!({"id": "new1", "email": "new@example.com", "type": 1});
    let events = [type_change, dept, stranger, newcomer];
    let s = import_events(&mut store, d.path(), &events);
    assert_eq!(s.counts.total_rejected(), 0, "{:?}", s.first_rejects);
    let users = &s.counts.0["users"];
    assert_eq!(
        (users.added, users.merged, users.skipped),
        (1, 2, 1),
        "{users:?}"
    );
    let row: (i64, String, String, String, String) = store
        .conn
        .query_row(
            "SELECT user_type, dept, email, display_name, timezone FROM users WHERE zoom_id = ?1",
            [dave],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap();
    // Both changes applied; what the updates did not mention is unchanged.
    assert_eq!(
        row,
        (
            2,
            "Finance".into(),
            "dave@example.com".into(),
            "Dave Doe".into(),
            "Europe/Berlin".into()
        )
    );
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM extra_evidence e JOIN users u ON u.id = e.row_id
             WHERE e.tbl = 'users' AND u.zoom_id = 'z8yCxjabcdEFGHfp8uQ'
             AND zl_raw(e.raw) LIKE '%user.updated%'"
        ),
        2
    );
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM users WHERE email = 'new@example.com'"
        ),
        1
    );
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM webhook_events WHERE event = 'user.updated'"
        ),
        4
    );
    let again = import_events(&mut store, d.path(), &events);
    assert_nothing_new(&again);
}
