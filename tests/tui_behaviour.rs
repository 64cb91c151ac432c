//! Behaviour tests of the console's state bugs a new analyst hit, one test each, driven through
//! the pure `update` step with the real queries (tui::harness) on the fixture case.

mod common;
mod tui_support;

use common::case::count;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_support::{assert_shows, open_at, select_where};
use zoomlens::tui::app::{Action, Mode, PaneKind, Target};
use zoomlens::tui::harness::Harness;
use zoomlens::tui::keymap::Cmd;

fn case(d: &tempfile::TempDir) -> std::path::PathBuf {
    d.path().join("incident.case")
}

fn sel(h: &Harness) -> usize {
    h.app.view().list.sel
}

fn crumb(h: &Harness) -> String {
    h.screen().lines().nth(1).unwrap_or("").trim().to_string()
}

#[test]
fn every_pane_keeps_its_selection_across_digits_and_tab() {
    let (_d, mut h) = open_at(140, 34);
    h.cmd(Cmd::PaneFindings).unwrap();
    h.cmd(Cmd::Down).unwrap();
    h.cmd(Cmd::Down).unwrap();
    assert_eq!(sel(&h), 2);
    let id = h.app.view().list.selected().unwrap().id;
    // 3 then 2: back on the same finding.
    h.cmd(Cmd::PaneTimeline).unwrap();
    assert_eq!(h.app.view().kind, PaneKind::Timeline);
    h.cmd(Cmd::PaneFindings).unwrap();
    assert_eq!(sel(&h), 2, "the Findings cursor survives 3 then 2");
    assert_eq!(h.app.view().list.selected().unwrap().id, id);
    // Tab away and Shift-Tab back.
    h.cmd(Cmd::NextPane).unwrap();
    assert_ne!(h.app.view().kind, PaneKind::Findings);
    h.cmd(Cmd::PrevPane).unwrap();
    assert_eq!(h.app.view().kind, PaneKind::Findings);
    assert_eq!(sel(&h), 2, "and Tab / Shift-Tab");
    // The incidents keep theirs too.
    h.cmd(Cmd::PaneIncidents).unwrap();
    h.cmd(Cmd::Down).unwrap();
    h.cmd(Cmd::PaneLedger).unwrap();
    h.cmd(Cmd::PaneIncidents).unwrap();
    assert_eq!(sel(&h), 1);
}

#[test]
fn the_linked_context_is_the_selected_rows_never_a_previous_ones() {
    let (_d, mut h) = open_at(140, 34);
    h.cmd(Cmd::PaneFindings).unwrap();
    // bob's new IP: a sign-in, no meeting. Before it, eve's finding linked the board meeting.
    assert!(h.app.ctx.meeting.is_some());
    select_where(&mut h, |r| r.cells[2] == "signin-new-ip");
    assert_eq!(h.app.ctx.user.as_deref(), Some("bob@acme.com"));
    assert_eq!(
        h.app.ctx.meeting, None,
        "no stale meeting from the row before"
    );
    h.cmd(Cmd::PaneMeeting).unwrap();
    assert_eq!(
        h.app.view().kind,
        PaneKind::Findings,
        "4 has no meeting to open"
    );
    assert!(h.app.status.contains("no meeting"), "{}", h.app.status);
    // A recording row links its own meeting.
    h.cmd(Cmd::PaneRecordings).unwrap();
    assert_eq!(h.app.ctx.meeting.as_deref(), Some(tui_support::BOARD));
    assert_eq!(h.app.ctx.recording.as_deref(), Some(tui_support::BOARD));
}

#[test]
fn ledger_operator_chip_leaves_with_its_view() {
    let (_d, mut h) = open_at(140, 34);
    h.cmd(Cmd::PaneLedger).unwrap();
    assert_eq!(h.app.view().list.rows.len(), 3);
    h.cmd(Cmd::PivotOperator).unwrap();
    assert_shows(&h, "[operator ");
    assert_eq!(h.app.view().list.rows.len(), 1);
    h.key(KeyCode::Esc).unwrap();
    let s = h.screen();
    assert!(
        !s.contains("[operator"),
        "no chip once its view is gone:\n{s}"
    );
    assert_eq!(h.app.view().list.rows.len(), 3);
    // A later chip does not bring it back.
    h.command("filter category Account").unwrap();
    assert!(!h.screen().contains("[operator"), "{}", h.screen());
    assert_eq!(
        h.app.view().list.rows.len(),
        1,
        "only the Account operation"
    );
}

#[test]
fn recordings_suspicious_chip_agrees_with_its_count() {
    let (d, mut h) = open_at(140, 34);
    // A second recording, behind no finding.
    {
        let c = rusqlite::Connection::open(case(&d)).unwrap();
        c.execute(
            "INSERT INTO recordings (meeting_uuid, meeting_id, topic, start_time, via, origin_id, raw, sha256)
             VALUES ('sync-1==', 91112223333, 'Weekly Sync', '2024-06-10T09:00:00Z', 'api', 1, '{}', '')",
            [],
        )
        .unwrap();
    }
    h.cmd(Cmd::PaneRecordings).unwrap();
    assert_eq!(h.app.view().list.total, Some(2));
    h.cmd(Cmd::ToggleSuspicious).unwrap();
    assert_eq!(h.app.view().list.rows.len(), 1);
    assert_eq!(
        h.app.view().list.total,
        Some(1),
        "the title counts what is shown"
    );
    assert_shows(&h, "1 total");
}

#[test]
fn a_day_as_the_end_of_the_range_means_the_whole_day() {
    let (_d, mut h) = open_at(140, 34);
    h.cmd(Cmd::PaneLedger).unwrap();
    for cmd in ["filter from 2024-06-10", "filter to 2024-06-10"] {
        h.command(cmd).unwrap();
    }
    assert_eq!(h.app.filter.to.as_deref(), Some("2024-06-11T00:00:00Z"));
    assert_eq!(h.app.view().list.rows.len(), 1, "dave's delete on the 10th");
    // An end before the start says so.
    h.command("filter to 2024-06-09T12:00:00Z").unwrap();
    assert!(h.app.status.contains("empty"), "{}", h.app.status);
}

#[test]
fn q_in_help_closes_help_only() {
    let (_d, mut h) = open_at(100, 30);
    h.cmd(Cmd::Help).unwrap();
    assert!(matches!(h.app.mode, Mode::Help { .. }));
    h.key(KeyCode::Char('q')).unwrap();
    assert!(!h.app.quit, "q closed the help, not the console");
    assert_eq!(h.app.mode, Mode::Normal);
}

#[test]
fn the_breadcrumb_does_not_grow_on_pane_switches_and_elides_its_middle() {
    let (_d, mut h) = open_at(100, 30);
    h.cmd(Cmd::PaneFindings).unwrap();
    for _ in 0..3 {
        h.cmd(Cmd::Pivot).unwrap(); // → eve's timeline
        h.cmd(Cmd::PaneFindings).unwrap();
    }
    assert_eq!(h.app.views.len(), 1, "{}", crumb(&h));
    assert_eq!(crumb(&h), "⌂ Findings");
    // A long trail keeps its start and end, and "(Esc back)" stays on screen.
    h.cmd(Cmd::Pivot).unwrap(); // eve
    h.cmd(Cmd::Pivot).unwrap(); // the meeting
    h.cmd(Cmd::PivotRecording).unwrap();
    h.cmd(Cmd::Pivot).unwrap(); // dave
    h.cmd(Cmd::PivotIp).ok();
    h.cmd(Cmd::PivotOperator).unwrap();
    let c = crumb(&h);
    assert!(c.starts_with("⌂ Findings › …"), "{c}");
    assert!(c.ends_with("Ledger   (Esc back)"), "{c}");
    assert!(c.chars().count() <= 100);
}

#[test]
fn tags_filter_whole_words_and_notes_show_in_the_queue() {
    let (_d, mut h) = open_at(160, 40);
    h.cmd(Cmd::PaneFindings).unwrap();
    h.cmd(Cmd::Down).unwrap();
    h.act(Action::Cmd(Cmd::Tag)).unwrap();
    h.type_str("BEC").unwrap();
    h.key(KeyCode::Enter).unwrap();
    h.act(Action::Cmd(Cmd::Note)).unwrap();
    h.type_str("asked dave by phone").unwrap();
    h.key(KeyCode::Enter).unwrap();
    let s = h.screen();
    assert!(
        s.contains("#BEC") && s.contains("asked dave by phone"),
        "{s}"
    );
    // A free-text "became" finding must not match the tag.
    h.cmd(Cmd::FilterText).unwrap();
    h.type_str("#bec").unwrap();
    h.key(KeyCode::Enter).unwrap();
    let rows = &h.app.view().list.rows;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].cells[2], "recording-deleted");
    assert_shows(&h, "[tag #bec]");
}

#[test]
fn search_opens_empty_and_recalls_history_on_up() {
    let (_d, mut h) = open_at(140, 34);
    h.cmd(Cmd::Search).unwrap();
    h.type_str("eve").unwrap();
    h.key(KeyCode::Enter).unwrap();
    h.cmd(Cmd::Search).unwrap();
    assert_eq!(
        h.app.mode,
        Mode::Search {
            input: String::new()
        },
        "a new search starts empty"
    );
    h.key(KeyCode::Up).unwrap();
    assert_eq!(
        h.app.mode,
        Mode::Search {
            input: "eve".into()
        }
    );
    let _ = KeyEvent::new(KeyCode::Up, KeyModifiers::NONE);
}

#[test]
fn device_pivot_from_a_timeline_join_is_by_person_and_device() {
    let (d, mut h) = open_at(140, 34);
    // Two people with a device of the same name.
    {
        let c = rusqlite::Connection::open(case(&d)).unwrap();
        c.execute(
            "UPDATE participants SET pc_name = 'Kwame''s iPhone' WHERE email IN ('alice@acme.com', 'bob@acme.com')",
            [],
        )
        .unwrap();
    }
    h.command("user bob@acme.com").unwrap();
    select_where(&mut h, |r| r.tbl == "participants");
    h.cmd(Cmd::PivotDevice).unwrap();
    assert!(!h.app.status.contains("no device"), "{}", h.app.status);
    let rows = &h.app.view().list.rows;
    assert_eq!(rows.len(), 2, "bob's two sessions from it, not alice's");
    assert!(
        rows.iter()
            .all(|r| r.link.user.as_deref() == Some("bob@acme.com"))
    );
    assert!(matches!(h.app.view().target, Target::Timeline(_)));
}

#[test]
fn local_time_reaches_every_time_on_screen_and_the_header_names_the_zone() {
    let (_d, mut h) = open_at(160, 40);
    h.cmd(Cmd::PaneFindings).unwrap();
    let utc = "2024-06-10 06:10:00";
    assert_shows(&h, &format!("◆ {utc}"));
    h.cmd(Cmd::ToggleTime).unwrap();
    let local = chrono::DateTime::parse_from_rfc3339("2024-06-10T06:10:00Z")
        .unwrap()
        .with_timezone(&chrono::Local)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    let s = h.screen();
    let header = s.lines().next().unwrap();
    assert!(
        header.contains("local: "),
        "the header names the zone: {header}"
    );
    let off = chrono::Local::now().format("%:z").to_string();
    assert!(header.contains(&off), "{header}");
    assert!(
        s.contains(&format!("◆ {local}")),
        "the evidence follows:\n{s}"
    );
    // The inspector too: local with its offset, the stored UTC beside it.
    h.cmd(Cmd::InspectEvidence).unwrap();
    let s = h.screen();
    assert!(
        s.contains(&format!("{local} {}", chrono::Local::now().format("%:z")))
            || s.contains(&local),
        "{s}"
    );
    assert!(s.contains("(2024-06-10T06:10:00Z)"), "{s}");
}

#[test]
fn zoom_centres_on_the_selected_event_and_keeps_it_selected() {
    let (_d, mut h) = open_at(140, 34);
    h.command("user bob@acme.com").unwrap();
    // Select a late event (bob's weekly sync join), not row 1.
    h.cmd(Cmd::Bottom).unwrap();
    let r = h.app.view().list.selected().cloned().unwrap();
    assert!(sel(&h) > 0);
    h.cmd(Cmd::ZoomIn).unwrap();
    let (from, to) = (
        h.app.filter.from.clone().unwrap(),
        h.app.filter.to.clone().unwrap(),
    );
    assert!(from.as_str() < r.time.as_str() && r.time.as_str() < to.as_str());
    assert_eq!(
        h.app.view().list.selected().map(|x| x.id),
        Some(r.id),
        "the event stays selected"
    );
    h.cmd(Cmd::ZoomIn).unwrap();
    let mid = |a: &str, b: &str| {
        let a = chrono::DateTime::parse_from_rfc3339(a).unwrap().timestamp();
        let b = chrono::DateTime::parse_from_rfc3339(b).unwrap().timestamp();
        (a + b) / 2
    };
    let t = chrono::DateTime::parse_from_rfc3339(&r.time)
        .unwrap()
        .timestamp();
    let m = mid(
        h.app.filter.from.as_deref().unwrap(),
        h.app.filter.to.as_deref().unwrap(),
    );
    assert!(
        (m - t).abs() <= 1,
        "the second zoom centres on it again ({m} vs {t})"
    );
    // The histogram has a date axis.
    assert!(
        h.screen().lines().any(|l| l.contains("|06-10 ")),
        "{}",
        h.screen()
    );
}

#[test]
fn numbers_read_as_a_person_writes_them() {
    let (_d, mut h) = open_at(160, 40);
    h.cmd(Cmd::PaneRecordings).unwrap();
    let s = h.screen();
    assert!(s.contains("59.6 MB"), "{s}");
    assert!(!s.contains("59648373"), "{s}");
    h.cmd(Cmd::Pivot).unwrap();
    let s = h.screen();
    assert!(s.contains("2 files · 59.6 MB"), "{s}");
    assert!(s.contains("52.4 MB"), "{s}");
    h.cmd(Cmd::PivotMeeting).unwrap();
    let s = h.screen();
    assert!(s.contains("2 guests"), "{s}");
    assert!(s.contains("1 recording ·"), "{s}");
    assert!(
        !s.lines().skip(3).take(4).any(|l| l.contains('?')),
        "no unknowns spelled as ? in the header:\n{s}"
    );
    // A session with no duration leaves no "? min" in the timeline.
    h.command("user eve@evil.example").unwrap();
    let s = h.screen();
    assert!(!s.contains("? min") && !s.contains("·  ·"), "{s}");
    assert!(
        s.contains("Q3 Board Review · Windows 6.0.2 · Remote · Eve"),
        "{s}"
    );
}

#[test]
fn columns_follow_content_and_the_terminal_and_scroll_sideways() {
    // 100 columns: every header whole (no "summa").
    let (_d, mut h) = open_at(100, 30);
    h.cmd(Cmd::PaneFindings).unwrap();
    let s = h.screen();
    let header = s.lines().nth(4).unwrap();
    assert!(header.contains("summary"), "{header}");
    // 220 columns: the rule and the summary widen to their content.
    let (_d, mut h) = open_at(220, 60);
    h.cmd(Cmd::PaneFindings).unwrap();
    let s = h.screen();
    assert!(s.contains("display-name-impersonation "), "{s}");
    assert!(
        s.contains("external eve@evil.example joined board meeting \"Q3 Board Review\""),
        "{s}"
    );
    // 70 columns: what does not fit scrolls with ←/→, and the table says so.
    let (_d, mut h) = open_at(70, 30);
    h.cmd(Cmd::PaneFindings).unwrap();
    let s = h.screen();
    assert!(s.contains("←/→"), "{s}");
    assert!(!s.contains("summary"), "{s}");
    for _ in 0..6 {
        h.cmd(Cmd::ScrollRight).unwrap();
    }
    let s = h.screen();
    assert!(s.contains("summary"), "scrolled into view:\n{s}");
    assert!(s.contains("critical"), "the first column stays:\n{s}");
    h.cmd(Cmd::ScrollLeft).unwrap();
}

#[test]
fn the_sql_pane_sizes_columns_to_content_scrolls_and_states_its_cap() {
    let (_d, mut h) = open_at(120, 30);
    h.command("sql SELECT * FROM zoom_participants ORDER BY id")
        .unwrap();
    let s = h.screen();
    assert!(s.contains("10 rows · 23 columns"), "{s}");
    // Content-wide columns: the meeting uuid whole, not squeezed to a few characters.
    assert!(s.contains("board-1=="), "{s}");
    assert!(!s.contains("participant_user_id"), "{s}");
    for _ in 0..25 {
        h.key(KeyCode::Right).unwrap();
    }
    let s = h.screen();
    assert!(
        s.contains("participant_user_id") || s.contains("status"),
        "{s}"
    );
    // A capped result says so.
    h.key(KeyCode::Esc).unwrap();
    h.command("sql WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n LIMIT 5000) SELECT i FROM n").unwrap();
    assert_shows(&h, "stops at 1,000");
}

/// Where on screen `word` is drawn: (x, y) of its first cell, on the row holding `on_line`.
fn find_cell(h: &Harness, on_line: &str, word: &str) -> Option<(u16, u16)> {
    let s = h.screen();
    let y = s.lines().position(|l| l.contains(on_line))?;
    let line = s.lines().nth(y)?;
    let byte = line.find(word)?;
    Some((line[..byte].chars().count() as u16, y as u16))
}

fn underlined(h: &Harness, (x, y): (u16, u16)) -> bool {
    let buf = h.term.backend().buffer();
    buf[(x, y)]
        .modifier
        .contains(ratatui::style::Modifier::UNDERLINED)
}

#[test]
fn search_finds_a_word_inside_a_chat_message_and_lands_on_it_highlighted() {
    let (_d, mut h) = open_at(160, 40);
    h.cmd(Cmd::Search).unwrap();
    h.type_str("wire").unwrap();
    let hit = h
        .app
        .search
        .hits
        .iter()
        .position(|x| x.kind == "chat")
        .expect("the message holding 'wire' is a hit");
    assert!(
        h.app.search.hits[hit]
            .value
            .contains("please wire the vendor")
    );
    // The hits list shows the message with the word highlighted.
    let at = find_cell(&h, "please wire", "wire").unwrap_or_else(|| panic!("{}", h.screen()));
    assert!(underlined(&h, at), "{}", h.screen());
    // Enter on it: dave's timeline, the message selected, the word highlighted in the list.
    while h.app.search.idx != hit {
        h.key(KeyCode::Down).unwrap();
    }
    h.key(KeyCode::Enter).unwrap();
    assert_eq!(
        h.app.view().target,
        Target::Timeline(zoomlens::store::read::timeline::Subject::User(
            "dave@acme.com".into()
        ))
    );
    let row = h.app.view().list.selected().unwrap().clone();
    assert_eq!(row.tbl, "chat_messages");
    assert!(row.cells[5].contains("please wire"), "{:?}", row.cells);
    let at = find_cell(&h, "please wire", "wire").expect("the message is on screen");
    assert!(underlined(&h, at), "{}", h.screen());
    // Other words of the row are not marked.
    let other = find_cell(&h, "please wire", "vendor").unwrap();
    assert!(!underlined(&h, other));
}

#[test]
fn search_finds_a_word_inside_an_operation_detail_and_lands_on_it_in_the_ledger() {
    let (_d, mut h) = open_at(160, 40);
    h.cmd(Cmd::Search).unwrap();
    // A whole word ("room "), not the start of one.
    h.type_str("room ").unwrap();
    let hits = &h.app.search.hits;
    let hit = hits
        .iter()
        .position(|x| x.kind == "operation")
        .unwrap_or_else(|| panic!("{hits:?}"));
    while h.app.search.idx != hit {
        h.key(KeyCode::Down).unwrap();
    }
    h.key(KeyCode::Enter).unwrap();
    assert_eq!(h.app.view().kind, PaneKind::Ledger);
    let row = h.app.view().list.selected().unwrap().clone();
    assert_eq!(row.tbl, "operations");
    assert_eq!(row.cells[4], "Security  - Waiting room: from On to Off");
    let at = find_cell(&h, "Waiting room: from On", "room").expect("the detail is listed");
    assert!(underlined(&h, at), "{}", h.screen());
    // Only whole words: "roomy" would not be a hit, nor would a prefix of another word.
    h.cmd(Cmd::Search).unwrap();
    h.type_str("roo ").unwrap();
    assert!(
        !h.app.search.hits.iter().any(|x| x.record.is_some()),
        "{:?}",
        h.app.search.hits
    );
}

#[test]
fn the_full_text_index_follows_the_case_and_is_built_for_older_ones() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("c.case");
    tui_support::build(&p);
    let c = rusqlite::Connection::open(&p).unwrap();
    let n = |c: &rusqlite::Connection, q: &str| -> i64 {
        c.query_row(
            "SELECT count(*) FROM chat_fts WHERE chat_fts MATCH ?1",
            [q],
            |r| r.get(0),
        )
        .unwrap()
    };
    assert_eq!(n(&c, "vendor"), 1);
    // An edited message is found by its new words only.
    c.execute(
        "UPDATE chat_messages SET message = 'nothing to see' WHERE message_id = 'msg-1'",
        [],
    )
    .unwrap();
    assert_eq!(n(&c, "vendor"), 0);
    assert_eq!(n(&c, "nothing"), 1);
    // A case from before the index: the upgrade builds it from what the case holds.
    c.execute_batch(
        "DROP TRIGGER chat_fts_ai; DROP TRIGGER chat_fts_ad; DROP TRIGGER chat_fts_au;
         DROP TRIGGER operation_fts_ai; DROP TRIGGER operation_fts_ad; DROP TRIGGER operation_fts_au;
         DROP TABLE chat_fts; DROP TABLE operation_fts; PRAGMA user_version = 7;",
    )
    .unwrap();
    drop(c);
    drop(zoomlens::store::Store::open(&p).unwrap());
    let c = rusqlite::Connection::open(&p).unwrap();
    assert_eq!(n(&c, "nothing"), 1);
    let ops = count(
        &c,
        "SELECT count(*) FROM operation_fts WHERE operation_fts MATCH 'recording'",
    );
    assert_eq!(ops, 1);
}
