//! The console on issue 18's newer sources: the recording says who viewed and who downloaded
//! it (and whether they attended), the meeting its feature flags and Zoom's risk alert, and
//! the timeline the remote control and the recording notice.

mod tui_support;

use tui_support::{BOARD, MID, open_at};
use zoomlens::model::{Evidence, Origin};
use zoomlens::store::{HistoryMeeting, RecordingAccess, RemoteSupport, RiskAlert, Store};
use zoomlens::tui::app::PaneKind;
use zoomlens::tui::keymap::Cmd;

/// The fixture plus the newer sources' rows: eve (who was in the board meeting) watched its
/// recording, dave (who was not) downloaded it; the history says remote control and file
/// sharing were used; Zoom saw the link posted; an outsider controlled eve's machine.
fn add_newer(case: &std::path::Path) {
    let mut store = Store::open(case).unwrap();
    let mut w = store.writer().unwrap();
    let o = w.origin(&Origin::new("file", "newer-fixture")).unwrap();
    let ev = |n: i64, raw: &str| Evidence::new(o, Some(n), raw.to_string());
    w.recording_access(
        &RecordingAccess {
            meeting_uuid: BOARD.into(),
            kind: "view".into(),
            time: "2024-06-12T09:00:00Z".into(),
            email: "eve@evil.example".into(),
            name: "Eve".into(),
            duration: Some(600),
        },
        &ev(1, "{\"v\":1}"),
    )
    .unwrap();
    w.recording_access(
        &RecordingAccess {
            meeting_uuid: BOARD.into(),
            kind: "download".into(),
            time: "2024-06-12T10:00:00Z".into(),
            email: "dave@acme.com".into(),
            name: "Dave".into(),
            duration: None,
        },
        &ev(2, "{\"d\":1}"),
    )
    .unwrap();
    w.history_meeting(
        &HistoryMeeting {
            meeting_uuid: BOARD.into(),
            meeting_id: Some(MID),
            kind: Some("Meeting".into()),
            department: Some("Finance".into()),
            features: r#"{"file_sharing":true,"remote_control":true,"screen_sharing":true,"video_on":false}"#
                .into(),
            ..Default::default()
        },
        &ev(3, "{\"h\":1}"),
    )
    .unwrap();
    w.risk_alert(
        &RiskAlert {
            meeting_id: Some(MID),
            meeting_uuid: BOARD.into(),
            post_time: "2024-06-09T20:00:00Z".into(),
            social_link: "https://social.example.net/x/1".into(),
            alert_time: "2024-06-09T21:00:00Z".into(),
            post_platform: Some("Twitter".into()),
            post_user: Some("leaker".into()),
            ..Default::default()
        },
        &ev(4, "{\"r\":1}"),
    )
    .unwrap();
    w.remote_support(
        &RemoteSupport {
            meeting_uuid: BOARD.into(),
            start_time: "2024-06-10T09:20:00Z".into(),
            supporter_email: "tech@fastfix.example".into(),
            supportee_email: "eve@evil.example".into(),
            supporter_name: Some("Tech".into()),
            supportee_name: Some("Eve".into()),
            topic: Some("Q3 Board Review".into()),
            duration_s: Some(600),
            wait_s: Some(10),
            ..Default::default()
        },
        &ev(5, "{\"s\":1}"),
    )
    .unwrap();
    w.commit().unwrap();
}

#[test]
fn the_recording_shows_who_viewed_and_downloaded_it_and_the_meeting_its_flags() {
    let (dir, _) = open_at(140, 34);
    let case = dir.path().join("incident.case");
    add_newer(&case);
    let mut h = zoomlens::tui::harness::Harness::open(&case, 140, 34).unwrap();
    h.cmd(Cmd::PaneFindings).unwrap();
    h.cmd(Cmd::Pivot).unwrap(); // eve's timeline
    assert_eq!(h.app.view().kind, PaneKind::Timeline);
    let whats: Vec<String> = h
        .app
        .view()
        .list
        .rows
        .iter()
        .map(|r| format!("{} | {}", r.cells[3], r.cells[5]))
        .collect();
    assert!(
        whats.contains(&"machine remotely controlled by tech@fastfix.example | Q3 Board Review · 10 min · Tech".to_string()),
        "{whats:?}"
    );
    assert!(
        whats.contains(&"viewed recording | Q3 Board Review · 10 min watched".to_string()),
        "{whats:?}"
    );
    h.cmd(Cmd::Pivot).unwrap(); // the board meeting
    assert_eq!(h.app.view().kind, PaneKind::Meeting);
    let s = h.screen();
    insta::assert_snapshot!("newer_meeting", s);
    assert!(
        s.contains("dept Finance · features used: remote control, file sharing, screen sharing"),
        "{s}"
    );
    assert!(
        s.contains("Zoom risk alert 2024-06-09T21:00:00Z: link posted on Twitter by leaker"),
        "{s}"
    );
    h.cmd(Cmd::PivotRecording).unwrap();
    assert_eq!(h.app.view().kind, PaneKind::Recording);
    let s = h.screen();
    insta::assert_snapshot!("newer_recording", s);
    assert!(
        s.contains("viewed by eve@evil.example (attended: yes)"),
        "{s}"
    );
    assert!(
        s.contains("downloaded by dave@acme.com (attended: NO)"),
        "{s}"
    );
    assert!(s.contains("viewed                   analyti"), "{s}");
}
