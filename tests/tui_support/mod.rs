//! A small incident case for the console tests, built through the real store writer, plus the
//! detection engine's `findings` / `finding_evidence` tables in the shape it writes them.
//!
//! Story: the board meeting "Q3 Board Review" (recurring, id 85746065432) had an external,
//! eve@evil.example, and a guest calling herself "Carol Chen (CFO)". Its recording was then
//! deleted by dave@acme.com, who never attended. Bob signed in from a new IP and was made an
//! admin. A guest's display name is hostile (terminal escapes and a bidi override). The findings
//! are grouped into two incidents, as `detect` groups them: the board story and bob's new IP.
#![allow(dead_code)]

use std::path::Path;
use zoomlens::model::*;
use zoomlens::store::Store;

pub const HOSTILE: &str = "Mallory\x1b]0;pwned\x07\x1b[2J\x1b[H\u{202e}evil\x1b[31m";
pub const BOARD: &str = "board-2==";
pub const BOARD_PREV: &str = "board-1==";
pub const SYNC: &str = "sync-1==";
pub const MID: i64 = 85746065432;

fn ev(o: i64, line: i64, raw: &str) -> Evidence {
    Evidence::new(o, Some(line), raw.to_string())
}

/// The fixture case (`incident.case` in a new folder) in the console as it opens: on the
/// incidents, drawn at `w` × `h`.
pub fn open_at(w: u16, h: u16) -> (tempfile::TempDir, zoomlens::tui::harness::Harness) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("incident.case");
    build(&p);
    let h = zoomlens::tui::harness::Harness::open(&p, w, h).unwrap();
    (dir, h)
}

/// Move the selection to the first row of the top view that `pred` accepts.
pub fn select_where(
    h: &mut zoomlens::tui::harness::Harness,
    pred: impl Fn(&zoomlens::store::read::Row) -> bool,
) {
    use zoomlens::tui::keymap::Cmd;
    let i = h
        .app
        .view()
        .list
        .rows
        .iter()
        .position(pred)
        .expect("a matching row");
    h.cmd(Cmd::Top).unwrap();
    for _ in 0..i {
        h.cmd(Cmd::Down).unwrap();
    }
}

/// Cell `i` of every row of the top view, in order.
pub fn column(h: &zoomlens::tui::harness::Harness, i: usize) -> Vec<String> {
    h.app
        .view()
        .list
        .rows
        .iter()
        .map(|r| r.cells.get(i).cloned().unwrap_or_default())
        .collect()
}

/// The fixture case built in a new folder and opened read-only, as the console's worker opens it.
pub fn fixture_store() -> (tempfile::TempDir, zoomlens::store::Store) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("q.case");
    build(&p);
    let s = zoomlens::store::Store::open_readonly(&p).unwrap();
    (dir, s)
}

/// That the screen shows `text` (the screen in the failure message).
pub fn assert_shows(h: &zoomlens::tui::harness::Harness, text: &str) {
    let s = h.screen();
    assert!(s.contains(text), "expected {text:?} on screen:\n{s}");
}

pub fn build(path: &Path) {
    let mut store = Store::open(path).unwrap();
    let mut w = store.writer().unwrap();
    let o = w.origin(&Origin::new("file", "fixture")).unwrap();
    let mut line = 0;
    let mut next = |what: &str| {
        line += 1;
        (line, format!("{{\"fixture\":{line},\"what\":{what:?}}}"))
    };
    for (email, first, role) in [
        ("alice@acme.com", "Alice", "Owner"),
        ("bob@acme.com", "Bob", "Member"),
        ("carol@acme.com", "Carol", "Member"),
        ("dave@acme.com", "Dave", "Member"),
    ] {
        let (l, raw) = next(email);
        w.user(
            &User {
                zoom_id: Some(format!("z-{first}")),
                email: email.into(),
                first_name: Some(first.into()),
                last_name: Some("Acme".into()),
                display_name: Some(format!("{first} Acme")),
                role_name: Some(role.into()),
                ..Default::default()
            },
            &ev(o, l, &raw),
        )
        .unwrap();
    }
    for (time, email, ip, ver) in [
        ("2024-06-03T08:00:00Z", "bob@acme.com", "10.0.0.5", "6.0.2"),
        ("2024-06-05T08:00:00Z", "bob@acme.com", "10.0.0.5", "6.0.2"),
        ("2024-06-07T08:00:00Z", "bob@acme.com", "10.0.0.5", "6.0.2"),
        (
            "2024-06-10T05:40:00Z",
            "bob@acme.com",
            "198.51.100.7",
            "5.9.0",
        ),
        (
            "2024-06-10T05:50:00Z",
            "dave@acme.com",
            "198.51.100.7",
            "6.0.2",
        ),
        (
            "2024-06-10T05:55:00Z",
            "carol@acme.com",
            "10.0.0.9",
            "6.0.2",
        ),
    ] {
        let (l, raw) = next(time);
        w.signin(
            &SignIn {
                time: time.into(),
                email: email.into(),
                activity: "Sign in".into(),
                ip_address: Some(ip.into()),
                client_type: Some("Windows".into()),
                version: Some(ver.into()),
                via: "report".into(),
                ..Default::default()
            },
            &ev(o, l, &raw),
        )
        .unwrap();
    }
    for (uuid, start, end, topic) in [
        (
            BOARD_PREV,
            "2024-06-03T06:00:00Z",
            "2024-06-03T07:00:00Z",
            "Q3 Board Review",
        ),
        (
            BOARD,
            "2024-06-10T06:00:00Z",
            "2024-06-10T07:00:00Z",
            "Q3 Board Review",
        ),
        (
            SYNC,
            "2024-06-10T09:00:00Z",
            "2024-06-10T09:30:00Z",
            "Weekly Sync",
        ),
    ] {
        let (l, raw) = next(uuid);
        w.meeting(
            &Meeting {
                uuid: uuid.into(),
                meeting_id: Some(if uuid == SYNC { 91112223333 } else { MID }),
                topic: Some(topic.into()),
                host_id: Some("z-Carol".into()),
                host_email: Some("carol@acme.com".into()),
                host_name: Some("Carol Acme".into()),
                meeting_type: Some(8),
                start_time: Some(start.into()),
                end_time: Some(end.into()),
                duration: Some(60),
                participants_count: Some(5),
                has_recording: Some(uuid == BOARD),
                via: "report".into(),
                ..Default::default()
            },
            &ev(o, l, &raw),
        )
        .unwrap();
    }
    let sessions: &[(&str, &str, &str, &str, &str, &str, &str)] = &[
        // meeting, user_id, name, email, join, leave, ip
        (
            BOARD_PREV,
            "1",
            "Carol Acme",
            "carol@acme.com",
            "2024-06-03T06:00:00Z",
            "2024-06-03T07:00:00Z",
            "10.0.0.9",
        ),
        (
            BOARD_PREV,
            "2",
            "Alice Acme",
            "alice@acme.com",
            "2024-06-03T06:01:00Z",
            "2024-06-03T07:00:00Z",
            "10.0.0.4",
        ),
        (
            BOARD,
            "1",
            "Carol Acme",
            "carol@acme.com",
            "2024-06-10T06:00:00Z",
            "2024-06-10T07:00:00Z",
            "10.0.0.9",
        ),
        (
            BOARD,
            "2",
            "Alice Acme",
            "alice@acme.com",
            "2024-06-10T06:02:00Z",
            "2024-06-10T06:58:00Z",
            "10.0.0.4",
        ),
        (
            BOARD,
            "3",
            "Bob Acme",
            "bob@acme.com",
            "2024-06-10T06:05:00Z",
            "2024-06-10T06:40:00Z",
            "198.51.100.7",
        ),
        (
            BOARD,
            "4",
            "Eve",
            "eve@evil.example",
            "2024-06-10T06:10:00Z",
            "2024-06-10T06:14:00Z",
            "203.0.113.66",
        ),
        (
            BOARD,
            "5",
            "Carol Chen (CFO)",
            "",
            "2024-06-10T06:20:00Z",
            "2024-06-10T06:50:00Z",
            "203.0.113.9",
        ),
        (
            BOARD,
            "6",
            HOSTILE,
            "",
            "2024-06-10T06:30:00Z",
            "2024-06-10T06:31:00Z",
            "203.0.113.13",
        ),
        (
            SYNC,
            "1",
            "Bob Acme",
            "bob@acme.com",
            "2024-06-10T09:00:00Z",
            "2024-06-10T09:30:00Z",
            "198.51.100.7",
        ),
        (
            SYNC,
            "2",
            "Alice Acme",
            "alice@acme.com",
            "2024-06-10T09:00:00Z",
            "2024-06-10T09:30:00Z",
            "10.0.0.4",
        ),
    ];
    for (m, uid, name, email, join, leave, ip) in sessions {
        let (l, raw) = next(join);
        w.participant(
            &Participant {
                meeting_uuid: m.to_string(),
                meeting_id: Some(if *m == SYNC { 91112223333 } else { MID }),
                user_id: uid.to_string(),
                name: Some(name.to_string()),
                email: Some(email.to_string()),
                join_time: join.to_string(),
                leave_time: Some(leave.to_string()),
                ip_address: Some(ip.to_string()),
                location: Some(
                    if ip.starts_with("10.") {
                        "Office"
                    } else {
                        "Remote"
                    }
                    .into(),
                ),
                device: Some("Windows".into()),
                pc_name: Some(format!("PC-{uid}")),
                version: Some("6.0.2".into()),
                via: "metrics".into(),
                ..Default::default()
            },
            &ev(o, l, &raw),
        )
        .unwrap();
    }
    for (time, op, cat, action, detail) in [
        (
            "2024-06-08T10:00:00Z",
            "alice@acme.com",
            "User",
            "Update",
            "Update User bob@acme.com  - User Role: from Member to Admin",
        ),
        (
            "2024-06-09T10:00:00Z",
            "bob@acme.com",
            "Account",
            "Update",
            "Security  - Waiting room: from On to Off",
        ),
        (
            "2024-06-10T07:30:00Z",
            "dave@acme.com",
            "Recording",
            "Delete",
            "Delete Recording meeting_id:85746065432",
        ),
    ] {
        let (l, raw) = next(time);
        w.operation(
            &Operation {
                time: time.into(),
                operator: op.into(),
                category_type: cat.into(),
                action: action.into(),
                operation_detail: detail.into(),
                via: "report".into(),
            },
            &ev(o, l, &raw),
        )
        .unwrap();
    }
    let (l, raw) = next("recording");
    // The board recording's files: the whole meeting, completed.
    let file = |id: &str, kind: &str, size: i64, recording_type: &str| RecordingFile {
        file_id: Some(id.into()),
        file_type: Some(kind.into()),
        file_size: Some(size),
        recording_start: Some("2024-06-10T06:00:30Z".into()),
        recording_end: Some("2024-06-10T06:58:00Z".into()),
        recording_type: Some(recording_type.into()),
        status: Some("completed".into()),
        ..Default::default()
    };
    w.recording(
        &Recording {
            meeting_uuid: BOARD.into(),
            meeting_id: Some(MID),
            host_email: Some("carol@acme.com".into()),
            topic: Some("Q3 Board Review".into()),
            start_time: Some("2024-06-10T06:00:30Z".into()),
            duration: Some(58),
            total_size: Some(59_648_373),
            recording_count: Some(2),
            deleted_time: Some("2024-06-10T07:31:00Z".into()),
            files: vec![
                file(
                    "f-mp4",
                    "MP4",
                    52_428_800,
                    "shared_screen_with_speaker_view",
                ),
                file("f-m4a", "M4A", 7_219_573, "audio_only"),
            ],
            via: "api".into(),
            ..Default::default()
        },
        &ev(o, l, &raw),
    )
    .unwrap();
    let (l, raw) = next("trashed");
    w.webhook_event(
        &WebhookEvent {
            event: "recording.trashed".into(),
            event_ts: 1718004660000,
            time: "2024-06-10T07:31:00Z".into(),
            operator: Some("dave@acme.com".into()),
            object_id: Some(BOARD.into()),
            payload_sha256: zoomlens::util::Sha256Sum([0xab; 32]),
            ..Default::default()
        },
        &ev(o, l, &raw),
    )
    .unwrap();
    // Team chat: dave asks for a wire transfer the evening the recording went (a word to find
    // inside a message), and a channel message without it.
    for (mid, time, sender, text) in [
        (
            "msg-1",
            "2024-06-10T07:25:00Z",
            "dave@acme.com",
            "Before the audit: please wire the vendor payment to the new account today",
        ),
        (
            "msg-2",
            "2024-06-10T08:00:00Z",
            "alice@acme.com",
            "Board pack is on the drive",
        ),
    ] {
        let (l, raw) = next(mid);
        w.chat(
            &ChatMessage {
                message_id: mid.into(),
                owner: Some(sender.into()),
                sender: Some(sender.into()),
                sender_display_name: None,
                time: time.into(),
                message: Some(text.into()),
                to_channel: Some("ch-finance".into()),
                ..Default::default()
            },
            &ev(o, l, &raw),
        )
        .unwrap();
    }
    // The board meeting's waiting room: Alice waited two minutes and was admitted; "Frank
    // (Auditor)" waited and left, never admitted.
    let stay =
        |name: &str, email: &str, uid: &str, at: &str| zoomlens::store::writer::WaitingStay {
            meeting_uuid: BOARD.into(),
            meeting_id: Some(MID),
            user_id: uid.into(),
            participant_uuid: format!("pu-{uid}"),
            name: Some(name.into()),
            email: Some(email.into()),
            at: at.into(),
        };
    for (name, email, uid, entered, ended, admitted) in [
        (
            "Alice Acme",
            "alice@acme.com",
            "2",
            "2024-06-10T06:00:00Z",
            "2024-06-10T06:02:00Z",
            true,
        ),
        (
            "Frank (Auditor)",
            "",
            "7",
            "2024-06-10T06:15:00Z",
            "2024-06-10T06:27:00Z",
            false,
        ),
    ] {
        let (l, raw) = next(entered);
        w.waiting_entered(&stay(name, email, uid, entered), &ev(o, l, &raw))
            .unwrap();
        let (l, raw) = next(ended);
        w.waiting_ended(&stay(name, email, uid, ended), admitted, &ev(o, l, &raw))
            .unwrap();
    }
    w.commit().unwrap();
    add_findings(&store);
    // Group them into incidents as `detect` does: the board story (eve, the fake CFO, dave's
    // deletion: one meeting) and bob's new IP on its own.
    zoomlens::detect::incidents::regroup(&mut store.conn, 24.0, "2024-06-11T00:00:00Z").unwrap();
}

/// Findings as the detection engine writes them (schema 2: `findings`, `finding_evidence`).
#[allow(clippy::type_complexity)]
pub fn add_findings(store: &Store) {
    let c = &store.conn;
    let id = |sql: &str| -> i64 { c.query_row(sql, [], |r| r.get(0)).unwrap() };
    let eve = id("SELECT id FROM participants WHERE email = 'eve@evil.example'");
    let fake = id("SELECT id FROM participants WHERE name = 'Carol Chen (CFO)'");
    let del = id("SELECT id FROM operations WHERE action = 'Delete'");
    let rec = id("SELECT id FROM recordings WHERE meeting_uuid = 'board-2=='");
    let newip =
        id("SELECT id FROM signins WHERE ip_address = '198.51.100.7' AND email = 'bob@acme.com'");
    let rows: &[(
        &str,
        &str,
        &str,
        &str,
        Option<&str>,
        Option<&str>,
        Option<&str>,
        &str,
        i64,
    )] = &[
        (
            "external-in-sensitive-meeting",
            "critical",
            "2024-06-10T06:10:00Z",
            "external eve@evil.example joined board meeting \"Q3 Board Review\"",
            Some("eve@evil.example"),
            Some(BOARD),
            Some("203.0.113.66"),
            "participants",
            eve,
        ),
        (
            "display-name-impersonation",
            "high",
            "2024-06-10T06:20:00Z",
            "guest \"Carol Chen (CFO)\" looks like carol@acme.com",
            None,
            Some(BOARD),
            Some("203.0.113.9"),
            "participants",
            fake,
        ),
        (
            "recording-deleted",
            "high",
            "2024-06-10T07:30:00Z",
            "dave@acme.com deleted the recording of \"Q3 Board Review\" (not a participant)",
            Some("dave@acme.com"),
            Some(BOARD),
            None,
            "operations",
            del,
        ),
        (
            "signin-new-ip",
            "medium",
            "2024-06-10T05:40:00Z",
            "bob@acme.com signed in from new IP 198.51.100.7",
            Some("bob@acme.com"),
            None,
            Some("198.51.100.7"),
            "signins",
            newip,
        ),
    ];
    for (rule, sev, time, summary, user, meeting, ip, tbl, rid) in rows {
        c.execute(
            "INSERT INTO findings (rule, fkey, severity, sev_rank, time, summary, user_email, meeting_id,
               meeting_uuid, ip, recording_id, detected_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, '2024-06-11T00:00:00Z')",
            rusqlite::params![
                rule,
                format!("{tbl}:{rid}"),
                sev,
                zoomlens::store::read::severity_rank(sev),
                time,
                summary,
                user,
                meeting.map(|_| MID),
                meeting,
                ip,
                (*rule == "recording-deleted").then_some(rec)
            ],
        )
        .unwrap();
        let fid = c.last_insert_rowid();
        c.execute(
            "INSERT INTO finding_evidence (finding_id, tbl, row_id) VALUES (?1, ?2, ?3)",
            rusqlite::params![fid, tbl, rid],
        )
        .unwrap();
    }
}
