//! Snapshot tests of every console pane on a fixture case, driven through the real app state
//! and query code (tui::harness) and drawn on ratatui's TestBackend; plus behaviour tests of
//! pivots, filters, search, annotations, export and keyset paging.

mod common;
mod tui_support;

use common::case::count;
use crossterm::event::KeyCode;
use tui_support::{assert_shows, column, open_at, select_where};
use zoomlens::tui::app::{Action, PaneKind, Target};
use zoomlens::tui::harness::Harness;
use zoomlens::tui::keymap::Cmd;

/// The fixture case on the findings queue (the console opens on the incidents; `2`).
fn open() -> (tempfile::TempDir, Harness) {
    let (dir, mut h) = open_at(140, 34);
    h.cmd(Cmd::PaneFindings).unwrap();
    (dir, h)
}

fn selected(h: &Harness) -> zoomlens::store::read::Row {
    h.app
        .view()
        .list
        .selected()
        .cloned()
        .expect("a selected row")
}

/// Nothing from the case may reach the terminal as a control character or bidi override.
fn assert_inert(screen: &str) {
    for c in screen.chars() {
        assert!(
            !(matches!(c as u32, 0x202A..=0x202E | 0x2066..=0x2069 | 0x200E | 0x200F)
                || (c.is_control() && c != '\n')),
            "control/bidi char {:?} reached the screen:\n{screen}",
            c
        );
    }
}

#[test]
fn findings_pane_orders_by_severity_and_previews_evidence() {
    let (_d, h) = open();
    let s = h.screen();
    insta::assert_snapshot!("findings", s);
    let rows = &h.app.view().list.rows;
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0].cells[0], "critical");
    assert_eq!(rows[0].link.user.as_deref(), Some("eve@evil.example"));
    // high findings: newest first
    assert_eq!(rows[1].cells[2], "recording-deleted");
    assert_eq!(rows[3].cells[0], "medium");
    assert!(
        s.contains("◆ 2024-06-10 06:10:00 joined  eve@evil.example"),
        "{s}"
    );
}

#[test]
fn triage_path_pivots_and_comes_back() {
    let (_d, mut h) = open();
    // top finding → its user, evidence highlighted and selected
    h.cmd(Cmd::Pivot).unwrap();
    assert_eq!(h.app.view().kind, PaneKind::Timeline);
    let r = selected(&h);
    assert_eq!(
        (r.tbl, r.link.user.as_deref()),
        ("participants", Some("eve@evil.example"))
    );
    assert!(
        h.app
            .view()
            .highlight
            .contains(&("participants".to_string(), r.id))
    );
    insta::assert_snapshot!("timeline", h.screen());

    // → the meeting, with the row we came from selected
    h.cmd(Cmd::Pivot).unwrap();
    assert_eq!(h.app.view().kind, PaneKind::Meeting);
    assert_eq!(selected(&h).link.user.as_deref(), Some("eve@evil.example"));
    let s = h.screen();
    insta::assert_snapshot!("meeting", s);
    assert!(s.contains("1 external · 2 guests · 2 flagged"), "{s}");
    assert!(s.contains("external! Eve"), "{s}");

    // → its recording: who touched it, and whether they attended
    h.cmd(Cmd::PivotRecording).unwrap();
    assert_eq!(h.app.view().kind, PaneKind::Recording);
    let s = h.screen();
    insta::assert_snapshot!("recording", s);
    let a = selected(&h);
    assert_eq!(a.cells[1], "dave@acme.com");
    assert_eq!(a.cells[4], "NO", "dave deleted it without attending");

    // → who deleted it
    h.cmd(Cmd::Pivot).unwrap();
    assert_eq!(
        h.app.view().target,
        Target::Timeline(zoomlens::store::read::timeline::Subject::User(
            "dave@acme.com".into()
        ))
    );
    let s = h.screen();
    assert!(s.contains("Findings › user eve@evil.example › meeting \"Q3 Board Review\" › recording board-2== › user dave@acme.com"), "{s}");
    assert!(s.contains("Delete Recording meeting_id:85746065432"), "{s}");

    // → back to the start; Esc never quits
    for _ in 0..4 {
        h.key(KeyCode::Esc).unwrap();
    }
    assert_eq!(h.app.views.len(), 1);
    assert_eq!(h.app.view().kind, PaneKind::Findings);
    assert_eq!(h.app.view().list.sel, 0, "selection kept");
    h.key(KeyCode::Esc).unwrap();
    assert!(!h.app.quit);
    h.key(KeyCode::Char('q')).unwrap();
    assert!(h.app.quit);
}

#[test]
fn graph_ledger_recordings_sql_and_help_panes() {
    let (_d, mut h) = open();
    h.cmd(Cmd::Pivot).unwrap(); // links user eve
    h.cmd(Cmd::PaneGraph).unwrap();
    let s = h.screen();
    insta::assert_snapshot!("graph", s);
    let names: Vec<String> = column(&h, 0);
    assert!(names.contains(&"carol@acme.com".to_string()), "{names:?}");
    assert!(
        !names.contains(&"eve@evil.example".to_string()),
        "the centre is not its own neighbour"
    );

    h.cmd(Cmd::PaneLedger).unwrap();
    let s = h.screen();
    insta::assert_snapshot!("ledger", s);
    assert!(s.contains("User Role: Member → Admin"), "{s}");
    assert!(s.contains("Waiting room: On → Off"), "{s}");

    h.cmd(Cmd::PaneRecordings).unwrap();
    insta::assert_snapshot!("recordings", h.screen());
    assert_eq!(h.app.view().list.rows.len(), 1);

    h.command("sql SELECT email, count(*) AS n FROM zoom_signins GROUP BY email ORDER BY email")
        .unwrap();
    let s = h.screen();
    insta::assert_snapshot!("sql", s);
    assert!(s.contains("bob@acme.com   4"), "{s}");
    // The SQL prompt cannot edit evidence.
    for _ in 0..100 {
        h.key(KeyCode::Backspace).unwrap();
    }
    h.type_str("DELETE FROM signins").unwrap();
    h.key(KeyCode::Enter).unwrap();
    assert_shows(&h, "read-only");

    h.key(KeyCode::Esc).unwrap();
    h.cmd(Cmd::Help).unwrap();
    let s = h.screen();
    insta::assert_snapshot!("help", s);
    assert!(
        s.contains("ctrl-d") && s.contains("half a screen down"),
        "help comes from the keymap"
    );
}

#[test]
fn hostile_display_name_is_made_visible_not_executed() {
    let (_d, mut h) = open();
    h.cmd(Cmd::Pivot).unwrap();
    h.cmd(Cmd::Pivot).unwrap(); // meeting with the hostile guest
    let s = h.screen();
    assert_inert(&s);
    assert!(s.contains("Mallory\\x1b]0;p"), "escape shown as text:\n{s}");
    // Pivot on the hostile guest: the breadcrumb and timeline are sanitised too.
    select_where(&mut h, |r| r.cells[0].starts_with("Mallory"));
    h.cmd(Cmd::Pivot).unwrap();
    let s = h.screen();
    assert_inert(&s);
    assert!(s.contains("name \"Mallory\\x1b]0;pwned\\x07"), "{s}");
    // Search results and the status line too.
    h.cmd(Cmd::Search).unwrap();
    h.type_str("Mallory").unwrap();
    let s = h.screen();
    assert_inert(&s);
    assert!(s.contains("\\u{202e}evil"), "{s}");
}

#[test]
fn filter_chips_apply_and_show() {
    let (_d, mut h) = open();
    h.key(KeyCode::Char('x')).unwrap();
    assert!(h.screen().contains("[external only]"));
    let users: Vec<_> = h
        .app
        .view()
        .list
        .rows
        .iter()
        .map(|r| r.link.user.clone())
        .collect();
    assert_eq!(users, vec![Some("eve@evil.example".to_string())]);
    h.key(KeyCode::Char('c')).unwrap();
    assert_eq!(h.app.view().list.rows.len(), 4);
    // severity chip: ≥ low, medium, high
    for _ in 0..3 {
        h.key(KeyCode::Char('v')).unwrap();
    }
    assert_shows(&h, "[severity ≥ high]");
    assert_eq!(h.app.view().list.rows.len(), 3);
    h.key(KeyCode::Char('c')).unwrap();
    // free text, applied after the debounce
    h.key(KeyCode::Char('f')).unwrap();
    h.type_str("dave").unwrap();
    assert_eq!(h.app.view().list.rows.len(), 1);
    h.key(KeyCode::Enter).unwrap();
    assert!(h.screen().contains("[text \"dave\"]"));
    // suspicious only in a meeting: the flagged sessions
    h.key(KeyCode::Char('c')).unwrap();
    h.cmd(Cmd::Pivot).unwrap();
    h.cmd(Cmd::Pivot).unwrap();
    h.key(KeyCode::Char('s')).unwrap();
    let v = h.app.view();
    let parts: Vec<_> = v
        .list
        .rows
        .iter()
        .filter(|r| r.tbl == "participants")
        .map(|r| r.cells[0].clone())
        .collect();
    assert_eq!(
        parts,
        vec!["Eve".to_string(), "Carol Chen (CFO)".to_string()]
    );
    // time range zoom narrows the timeline's range chip
    h.key(KeyCode::Char('c')).unwrap();
    h.key(KeyCode::Esc).unwrap();
    h.key(KeyCode::Char('+')).unwrap();
    assert!(h.app.filter.from.is_some() && h.app.filter.to.is_some());
    assert!(h.screen().contains("→"));
    h.key(KeyCode::Char('=')).unwrap();
    assert!(h.app.filter.from.is_none());
}

#[test]
fn fuzzy_search_opens_hits_and_n_walks_them() {
    let (_d, mut h) = open();
    h.cmd(Cmd::Search).unwrap();
    h.type_str("evil").unwrap();
    let hits: Vec<_> = h.app.search.hits.iter().map(|x| x.value.clone()).collect();
    assert!(hits.contains(&"eve@evil.example".to_string()), "{hits:?}");
    h.key(KeyCode::Enter).unwrap();
    assert_eq!(h.app.view().kind, PaneKind::Timeline);
    let depth = h.app.views.len();
    h.key(KeyCode::Char('n')).unwrap();
    h.key(KeyCode::Char('N')).unwrap();
    assert_eq!(h.app.views.len(), depth, "n/N replace the hit view");
    // a typo still finds the person (fuzzy fallback)
    h.cmd(Cmd::Search).unwrap();
    for _ in 0..10 {
        h.key(KeyCode::Backspace).unwrap();
    }
    h.type_str("dvae").unwrap();
    assert!(
        h.app.search.hits.iter().any(|x| x.value == "dave@acme.com"),
        "{:?}",
        h.app.search.hits
    );
    // IPs and meeting ids are searchable
    for _ in 0..10 {
        h.key(KeyCode::Backspace).unwrap();
    }
    h.type_str("203.0.113").unwrap();
    assert!(
        h.app
            .search
            .hits
            .iter()
            .any(|x| x.kind == "ip" && x.value == "203.0.113.66")
    );
}

#[test]
fn bookmarks_tags_notes_persist_and_export() {
    let (d, mut h) = open();
    h.key(KeyCode::Char('m')).unwrap();
    assert!(
        h.app.status.contains("bookmarked findings #"),
        "{}",
        h.app.status
    );
    assert!(h.app.view().list.rows[0].notes.contains(&"★".to_string()));
    h.key(KeyCode::Char('t')).unwrap();
    h.type_str("exfil").unwrap();
    h.key(KeyCode::Enter).unwrap();
    h.key(KeyCode::Char('a')).unwrap();
    h.type_str("called Eve's manager").unwrap();
    h.key(KeyCode::Enter).unwrap();
    let notes = &h.app.view().list.rows[0].notes;
    assert!(
        notes.contains(&"#exfil".to_string()) && notes.iter().any(|n| n.contains("manager")),
        "{notes:?}"
    );
    // Saved in the case, keyed by record id.
    let c = rusqlite::Connection::open(d.path().join("incident.case")).unwrap();
    assert_eq!(
        count(
            &c,
            "SELECT count(*) FROM annotations WHERE tbl = 'findings'"
        ),
        3
    );
    // bookmarks view and export
    h.key(KeyCode::Char('b')).unwrap();
    assert_eq!(h.app.view().kind, PaneKind::Bookmarks);
    assert_eq!(h.app.view().list.rows.len(), 3);
    let md = d.path().join("b.md");
    h.command(&format!("export bookmarks md {}", md.display()))
        .unwrap();
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(
        text.contains("| exfil |") && text.contains("external eve\\@evil\\.example joined"),
        "{text}"
    );
    // export of the current list (ledger) as CSV
    h.cmd(Cmd::PaneLedger).unwrap();
    let csvp = d.path().join("l.csv");
    h.command(&format!("export csv {}", csvp.display()))
        .unwrap();
    let mut r = csv::Reader::from_path(&csvp).unwrap();
    assert_eq!(
        r.headers().unwrap().iter().take(3).collect::<Vec<_>>(),
        vec!["table", "id", "time"]
    );
    assert_eq!(r.records().count(), 3);
    // y copies the selected value
    h.key(KeyCode::Char('y')).unwrap();
    assert_eq!(h.copied.last().map(String::as_str), Some("alice@acme.com"));
}

#[test]
fn export_keeps_existing_files_and_never_touches_the_case() {
    let (d, mut h) = open();
    let case = d.path().join("incident.case");
    let before = std::fs::read(&case).unwrap();
    let run = |h: &mut Harness, line: &str| {
        h.command(line).unwrap();
        h.app.status.clone()
    };
    // An existing file is kept, and the user is told how to replace it.
    let p = d.path().join("f.csv");
    std::fs::write(&p, "precious").unwrap();
    let st = run(&mut h, &format!("export csv {}", p.display()));
    assert!(
        st.contains("already exists") && st.contains("export!"),
        "{st}"
    );
    assert_eq!(std::fs::read_to_string(&p).unwrap(), "precious");
    // export! replaces it.
    let st = run(&mut h, &format!("export! csv {}", p.display()));
    assert!(st.contains("exported"), "{st}");
    let mut r = csv::Reader::from_path(&p).unwrap();
    assert_eq!(r.headers().unwrap().get(0), Some("table"));
    assert!(r.records().count() > 0);
    // The open case and its sidecars are refused even with export!.
    for name in ["incident.case", "incident.case-wal", "incident.case-shm"] {
        let st = run(
            &mut h,
            &format!("export! json {}", d.path().join(name).display()),
        );
        assert!(st.contains("open case"), "{name}: {st}");
    }
    assert_eq!(
        std::fs::read(&case).unwrap(),
        before,
        "the case is untouched"
    );
    // No temporary files are left in the folder.
    let names: Vec<String> = std::fs::read_dir(d.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.ends_with(".part")), "{names:?}");
    // The palette documents the overwrite form.
    assert!(
        zoomlens::tui::app::App::palette_commands()
            .iter()
            .any(|(c, _)| c.starts_with("export!"))
    );
}

/// A case whose ledger holds 2,500 operations, more than one export/read page.
fn long_ledger_case(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let p = dir.path().join("long.case");
    {
        let mut s = zoomlens::store::Store::open(&p).unwrap();
        let mut w = s.writer().unwrap();
        let o = w
            .origin(&zoomlens::model::Origin::new("file", "gen"))
            .unwrap();
        for i in 0..2500i64 {
            // Pairs share a second, so the id tie-breaker matters.
            let t = chrono::DateTime::from_timestamp(1_717_200_000 + (i / 2) * 60, 0).unwrap();
            let op = zoomlens::model::Operation {
                time: zoomlens::model::time::fmt_utc(t),
                operator: format!("admin{}@acme.com", i % 7),
                category_type: "Account".into(),
                action: "Update".into(),
                operation_detail: format!("Security  - Setting {i}: from On to Off"),
                via: "report".into(),
            };
            w.operation(
                &op,
                &zoomlens::model::Evidence::new(o, Some(i), format!("{{\"n\":{i}}}")),
            )
            .unwrap();
        }
        w.commit().unwrap();
    }
    p
}

#[test]
fn keyset_paging_walks_a_long_ledger_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let p = long_ledger_case(&dir);
    let mut h = Harness::open(&p, 120, 30).unwrap();
    h.cmd(Cmd::PaneLedger).unwrap();
    assert_eq!(h.app.view().list.total, Some(2500));
    let detail = |h: &Harness| selected(h).cells[4].clone();
    // Walk down 1200 rows: every row in order, never more than MAX_ROWS held.
    for i in 1..1200 {
        h.act(Action::Cmd(Cmd::Down)).unwrap();
        assert_eq!(
            detail(&h),
            format!("Security  - Setting {i}: from On to Off")
        );
        assert!(h.app.view().list.rows.len() <= zoomlens::tui::app::MAX_ROWS);
    }
    assert!(!h.app.view().list.at_start, "the window slid");
    // G: the last row, fetched from the end (not by scanning)
    h.cmd(Cmd::Bottom).unwrap();
    assert_eq!(detail(&h), "Security  - Setting 2499: from On to Off");
    // and back up across a page boundary
    for i in (2300..2499).rev() {
        h.act(Action::Cmd(Cmd::Up)).unwrap();
        assert_eq!(
            detail(&h),
            format!("Security  - Setting {i}: from On to Off")
        );
    }
    for _ in 0..300 {
        h.act(Action::Cmd(Cmd::HalfUp)).unwrap();
    }
    assert_eq!(detail(&h), "Security  - Setting 0: from On to Off");
    let rows = &h.app.view().list.rows;
    assert!(
        rows.windows(2)
            .all(|w| (w[0].key.t.as_str(), w[0].id) < (w[1].key.t.as_str(), w[1].id))
    );
}

#[test]
fn stale_replies_are_dropped() {
    let (_d, mut h) = open();
    use zoomlens::tui::worker::{Reply, Response, Slot};
    let before = h.app.view().list.rows.len();
    let stale = Response {
        slot: Slot::Main,
        generation: 0,
        reply: Reply::Count(999),
        took: Default::default(),
    };
    h.act(Action::Response(stale)).unwrap();
    assert_ne!(h.app.view().list.total, Some(999));
    assert_eq!(h.app.view().list.rows.len(), before);
}

/// `ZOOMLENS_FIXTURE_OUT=/tmp/x.case cargo test --test tui_panes -- --ignored write_fixture`
/// writes the fixture case for trying the console by hand.
#[test]
#[ignore]
fn write_fixture_case() {
    if let Some(p) = std::env::var_os("ZOOMLENS_FIXTURE_OUT") {
        tui_support::build(std::path::Path::new(&p));
    }
}

#[test]
fn a_reply_for_a_view_left_behind_is_not_applied_to_the_previous_one() {
    use zoomlens::tui::app::Effect;
    let (_d, mut h) = open();
    // Pivot, but hold back the meeting's replies; go back before they arrive.
    h.cmd(Cmd::Pivot).unwrap();
    let fx = zoomlens::tui::app::update(&mut h.app, Action::Cmd(Cmd::Pivot), 0);
    let held: Vec<_> = fx
        .into_iter()
        .filter(|e| matches!(e, Effect::Send(_)))
        .collect();
    assert!(!held.is_empty());
    zoomlens::tui::app::update(
        &mut h.app,
        Action::Key(crossterm::event::KeyEvent::from(KeyCode::Esc)),
        0,
    );
    h.run(held).unwrap();
    let v = h.app.view();
    assert_eq!(v.kind, PaneKind::Timeline);
    assert!(
        v.list
            .rows
            .iter()
            .all(|r| r.tbl != "participants" || r.link.user.as_deref() == Some("eve@evil.example"))
    );
    assert_eq!(v.list.rows.len(), 1, "eve's timeline is intact");
}

#[test]
fn graph_around_a_meeting_series() {
    let (_d, mut h) = open();
    h.cmd(Cmd::Pivot).unwrap();
    h.cmd(Cmd::Pivot).unwrap(); // the board meeting
    h.cmd(Cmd::PaneGraph).unwrap();
    let v = h.app.view();
    let rows: Vec<(String, String)> = v
        .list
        .rows
        .iter()
        .map(|r| (r.cells[0].clone(), r.cells[2].clone()))
        .collect();
    // carol and alice came to both instances of the series, eve to one
    assert!(
        rows.contains(&("carol@acme.com".into(), "2".into())),
        "{rows:?}"
    );
    assert!(
        rows.contains(&("alice@acme.com".into(), "2".into())),
        "{rows:?}"
    );
    assert!(
        rows.contains(&("eve@evil.example".into(), "1".into())),
        "{rows:?}"
    );
    assert_shows(&h, "who meets Q3 Board Review");
}

#[test]
fn free_text_filter_belongs_to_its_view() {
    let (_d, mut h) = open();
    h.key(KeyCode::Char('f')).unwrap();
    h.type_str("dave").unwrap();
    h.key(KeyCode::Enter).unwrap();
    assert_eq!(h.app.view().list.rows.len(), 1);
    // Pivot: dave's timeline is not filtered by the findings' text.
    h.cmd(Cmd::Pivot).unwrap();
    assert_eq!(h.app.view().list.rows.len(), 3, "{}", h.screen());
    assert!(!h.screen().contains("[text"));
    // Back: the findings keep their text filter.
    h.key(KeyCode::Esc).unwrap();
    assert!(h.screen().contains("[text \"dave\"]"));
    assert_eq!(h.app.view().list.rows.len(), 1);
}

#[test]
fn export_streams_every_page_of_a_long_list_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let p = long_ledger_case(&dir);
    let mut h = Harness::open(&p, 120, 30).unwrap();
    h.cmd(Cmd::PaneLedger).unwrap();
    let out = dir.path().join("ledger.csv");
    h.command(&format!("export csv {}", out.display())).unwrap();
    assert!(
        h.app.status.contains("exported 2500 rows"),
        "{}",
        h.app.status
    );
    assert!(!h.app.status.contains("truncated"), "{}", h.app.status);
    let mut r = csv::Reader::from_path(&out).unwrap();
    let detail = r
        .headers()
        .unwrap()
        .iter()
        .position(|c| c == "detail")
        .unwrap();
    let got: Vec<String> = r
        .records()
        .map(|x| x.unwrap()[detail].to_string())
        .collect();
    assert_eq!(
        got.len(),
        2500,
        "every page, across the 2000-row page boundary"
    );
    for (i, d) in got.iter().enumerate() {
        assert_eq!(d, &format!("Security  - Setting {i}: from On to Off"));
    }
}

// ---- incidents, stories and verdicts ------------------------------------------------------

fn case_path(d: &tempfile::TempDir) -> std::path::PathBuf {
    d.path().join("incident.case")
}

/// The verdict stored in the case for (subject, ref), read with a plain connection.
fn stored_verdict(d: &tempfile::TempDir, subject: &str, r: &str) -> Option<(String, String)> {
    let c = rusqlite::Connection::open(case_path(d)).unwrap();
    c.query_row(
        "SELECT state, reason FROM triage WHERE subject = ?1 AND ref = ?2",
        [subject, r],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .ok()
}

#[test]
fn incidents_pane_ranks_stories_and_opens_one() {
    let (_d, mut h) = open_at(100, 30);
    assert_eq!(h.app.view().kind, PaneKind::Incidents, "the first pane");
    let s = h.screen();
    insta::assert_snapshot!("incidents", s);
    let rows = h.app.view().list.rows.clone();
    assert_eq!(rows.len(), 2, "the board story and bob's new IP");
    // Highest score first: the board story (critical, three findings, two rules' evidence).
    assert_eq!(rows[0].cells[2], "critical");
    assert_eq!(rows[0].cells[8], "3");
    assert_eq!(rows[0].cells[3], "new");
    assert_eq!(rows[1].cells[5], "bob@acme.com");
    assert!(rows[0].cells[1].parse::<f64>().unwrap() > rows[1].cells[1].parse::<f64>().unwrap());
    assert!(s.contains("Incidents · row 1 · 2 total"), "{s}");
    assert!(s.contains(&rows[0].cells[0]), "the id (I1) is shown:\n{s}");
    assert_inert(&s);

    // Enter: the story, in time order, with why each finding was raised.
    h.cmd(Cmd::Pivot).unwrap();
    assert_eq!(h.app.view().kind, PaneKind::Incident);
    let s = h.screen();
    insta::assert_snapshot!("story", s);
    let story: Vec<String> = column(&h, 2);
    assert_eq!(
        story,
        [
            "external-in-sensitive-meeting",
            "display-name-impersonation",
            "recording-deleted"
        ]
    );
    assert!(s.contains("Story · row 1 · 3 total"), "{s}");
    assert!(s.contains("external eve@evil.example joined board"), "{s}");
    assert!(
        s.contains(&format!("Incidents › incident {}", rows[0].cells[0])),
        "{s}"
    );

    // Each finding pivots as in the findings queue: Enter → its user, the evidence selected.
    h.cmd(Cmd::Pivot).unwrap();
    assert_eq!(h.app.view().kind, PaneKind::Timeline);
    assert_eq!(
        selected(&h).link.user.as_deref(),
        Some("eve@evil.example"),
        "the evidence row is selected"
    );
    h.key(KeyCode::Esc).unwrap();
    // r: the recording of the deletion finding.
    h.cmd(Cmd::Bottom).unwrap();
    assert_eq!(selected(&h).cells[2], "recording-deleted");
    h.cmd(Cmd::PivotRecording).unwrap();
    assert_eq!(h.app.view().kind, PaneKind::Recording);
    h.key(KeyCode::Esc).unwrap();
    // M: the meeting of the impersonation finding (it names no user).
    h.cmd(Cmd::Up).unwrap();
    h.cmd(Cmd::PivotMeeting).unwrap();
    assert_eq!(h.app.view().kind, PaneKind::Meeting);
    h.key(KeyCode::Esc).unwrap();
    h.key(KeyCode::Esc).unwrap();
    assert_eq!(h.app.view().kind, PaneKind::Incidents);
}

#[test]
fn findings_columns_fit_at_100_columns() {
    let (_d, mut h) = open_at(100, 30);
    h.cmd(Cmd::PaneFindings).unwrap();
    let s = h.screen();
    insta::assert_snapshot!("findings_100", s);
    for l in s.lines() {
        assert!(l.chars().count() <= 100);
    }
    let head = s.lines().find(|l| l.contains("severity time")).unwrap();
    for c in ["time", "inc", "state", "rule", "summary"] {
        assert!(head.contains(c), "column {c} shown: {head}");
    }
    // Each finding names its incident and its state.
    assert!(s.contains("critical 06-10 06:10 I"), "{s}");
    assert!(
        s.lines().filter(|l| l.contains(" new ")).count() >= 4,
        "{s}"
    );
}

#[test]
fn a_verdict_is_recorded_shown_inherited_filtered_and_kept() {
    let (d, mut h) = open_at(100, 30);
    let board = h.app.view().list.rows[0].id;
    h.cmd(Cmd::Pivot).unwrap(); // the board story
    h.cmd(Cmd::Down).unwrap(); // the fake CFO
    let fake = selected(&h);
    assert_eq!(fake.cells[2], "display-name-impersonation");

    // T opens the popup on the current state; ↓↓ false-positive; a reason; Enter records it.
    h.key(KeyCode::Char('T')).unwrap();
    assert!(matches!(
        h.app.mode,
        zoomlens::tui::app::Mode::Triage { state: 0, .. }
    ));
    let s = h.screen();
    insta::assert_snapshot!("triage_popup", s);
    assert!(s.contains("verdict on F"), "{s}");
    h.key(KeyCode::Down).unwrap();
    h.key(KeyCode::Down).unwrap();
    h.type_str("carol really is the CFO").unwrap();
    h.key(KeyCode::Enter).unwrap();
    assert_eq!(h.app.mode, zoomlens::tui::app::Mode::Normal);

    // Recorded in the case (keyed by rule and key), shown after the refresh, selection kept.
    let fkey: String = rusqlite::Connection::open(case_path(&d))
        .unwrap()
        .query_row("SELECT fkey FROM findings WHERE id = ?1", [fake.id], |r| {
            r.get(0)
        })
        .unwrap();
    let key = format!("display-name-impersonation {fkey}");
    assert_eq!(
        stored_verdict(&d, "finding", &key),
        Some((
            "false-positive".to_string(),
            "carol really is the CFO".to_string()
        ))
    );
    let s = h.screen();
    assert_eq!(selected(&h).id, fake.id, "the selection stays");
    assert_eq!(selected(&h).cells[6], "false-positive");
    assert!(s.contains("false-pos"), "{s}");
    assert!(s.contains("false-positive: carol really is the CFO"), "{s}");
    assert!(s.contains("marked false-positive"), "{s}");

    // The incident as a whole: investigating. Its other findings show it; the FP keeps its own.
    h.key(KeyCode::Esc).unwrap();
    h.key(KeyCode::Char('T')).unwrap();
    h.key(KeyCode::Down).unwrap();
    h.type_str("calling the board").unwrap();
    h.key(KeyCode::Enter).unwrap();
    assert_eq!(
        stored_verdict(&d, "incident", &board.to_string()).map(|v| v.0),
        Some("investigating".into())
    );
    assert_eq!(h.app.view().list.rows[0].cells[3], "investigating");
    h.cmd(Cmd::Pivot).unwrap();
    let states: Vec<String> = column(&h, 6);
    assert_eq!(states, ["investigating", "false-positive", "investigating"]);
    match &h.app.view().extra {
        zoomlens::tui::app::Extra::Incident(r) => assert_eq!(r.cells[3], "investigating"),
        e => panic!("story header missing: {e:?}"),
    }

    // Findings pane: a State column; O shows open ones only (the FP is gone).
    h.cmd(Cmd::PaneFindings).unwrap();
    assert_eq!(h.app.view().list.rows.len(), 4);
    h.key(KeyCode::Char('O')).unwrap();
    let s = h.screen();
    assert!(s.contains("[open only]"), "{s}");
    let rules: Vec<String> = column(&h, 2);
    assert_eq!(rules.len(), 3, "{rules:?}");
    assert!(!rules.contains(&"display-name-impersonation".to_string()));
    assert_eq!(h.app.view().list.total, Some(3));

    // Bob's incident resolved: open only hides it from the incidents too.
    h.cmd(Cmd::PaneIncidents).unwrap();
    h.cmd(Cmd::Bottom).unwrap();
    h.key(KeyCode::Char('T')).unwrap();
    for _ in 0..4 {
        h.key(KeyCode::Down).unwrap();
    }
    h.key(KeyCode::Enter).unwrap();
    let ids: Vec<i64> = h.app.view().list.rows.iter().map(|r| r.id).collect();
    assert_eq!(ids, [board], "only the open incident is left");
    h.key(KeyCode::Char('O')).unwrap();
    assert_eq!(h.app.view().list.rows.len(), 2);
    assert_eq!(h.app.view().list.rows[1].cells[3], "resolved");

    // Esc cancels without writing.
    h.key(KeyCode::Char('T')).unwrap();
    h.key(KeyCode::Up).unwrap();
    h.key(KeyCode::Esc).unwrap();
    assert_eq!(h.app.view().list.rows[0].cells[3], "investigating");
    assert_eq!(
        stored_verdict(&d, "incident", &board.to_string()).map(|v| v.0),
        Some("investigating".into())
    );

    // Kept after reopening the case.
    drop(h);
    let mut h = Harness::open(&case_path(&d), 100, 30).unwrap();
    assert_eq!(h.app.view().list.rows[0].cells[3], "investigating");
    h.cmd(Cmd::Pivot).unwrap();
    h.cmd(Cmd::Down).unwrap();
    assert_eq!(selected(&h).cells[6], "false-positive");
    assert_eq!(selected(&h).cells[7], "carol really is the CFO");
}

#[test]
fn t_outside_findings_and_incidents_explains() {
    let (_d, mut h) = open();
    h.cmd(Cmd::PaneLedger).unwrap();
    h.key(KeyCode::Char('T')).unwrap();
    assert_eq!(h.app.mode, zoomlens::tui::app::Mode::Normal);
    assert!(
        h.app.status.contains("finding or an incident"),
        "{}",
        h.app.status
    );
    // The help is built from the keymap: T and O are listed with what they do.
    let help = h.app.keymap.help_lines();
    assert!(
        help.iter()
            .any(|(k, what)| k == "T" && what.contains("verdict"))
    );
    assert!(
        help.iter()
            .any(|(k, what)| k == "O" && what.contains("open"))
    );
}

// ---- the record inspector and the evidence box ----------------------------------------------

/// Select the first row of the current list whose cells satisfy `pred`.
/// Move the inspector's cursor to the entry labelled `label`.
fn inspector_to(h: &mut Harness, label: &str) {
    let i = h
        .app
        .inspector
        .last()
        .unwrap()
        .entries
        .iter()
        .position(|e| e.label == label)
        .unwrap_or_else(|| panic!("no entry {label}"));
    h.key(KeyCode::Char('g')).unwrap();
    for _ in 0..i {
        h.key(KeyCode::Char('j')).unwrap();
    }
}

#[test]
fn inspector_shows_a_record_in_full_and_copies_the_chosen_field() {
    let (_d, mut h) = open_at(100, 30);
    h.cmd(Cmd::PaneFindings).unwrap();
    select_where(&mut h, |r| r.cells[2] == "display-name-impersonation");
    // D: the evidence record chosen in the box (the guest's session).
    h.cmd(Cmd::InspectEvidence).unwrap();
    assert_eq!(h.app.mode, zoomlens::tui::app::Mode::Inspect);
    let s = h.screen();
    insta::assert_snapshot!("inspector", s);
    assert!(s.contains("record participants #"), "{s}");
    assert!(
        s.contains("Carol Chen (CFO)"),
        "the full display name:\n{s}"
    );
    assert!(s.contains("203.0.113.9"), "{s}");
    // The raw record, its hash (checked) and where it came from.
    h.key(KeyCode::Char('G')).unwrap();
    let s = h.screen();
    assert!(s.contains("(verified: the"), "{s}");
    assert!(
        s.contains("provenance") && s.contains("file fixture, line"),
        "{s}"
    );
    assert!(s.contains("\"fixture\": "), "pretty-printed JSON:\n{s}");
    // y copies the chosen field: the name, whole; on the raw record, the record as received.
    inspector_to(&mut h, "name");
    h.key(KeyCode::Char('y')).unwrap();
    assert_eq!(h.copied.last().unwrap(), "Carol Chen (CFO)");
    assert!(h.app.status.contains("copied name"), "{}", h.app.status);
    inspector_to(&mut h, "raw");
    h.key(KeyCode::Char('y')).unwrap();
    assert!(h.copied.last().unwrap().starts_with("{\"fixture\":"));
    // Esc closes it; nothing else moved.
    h.key(KeyCode::Esc).unwrap();
    assert_eq!(h.app.mode, zoomlens::tui::app::Mode::Normal);
    assert_eq!(h.app.view().kind, PaneKind::Findings);

    // d on the finding: its fields and evidence; Enter opens an evidence record, Esc returns.
    h.cmd(Cmd::Inspect).unwrap();
    let s = h.screen();
    assert!(s.contains("record findings #"), "{s}");
    assert!(
        s.contains("no verbatim record: zoomlens derived this row"),
        "{s}"
    );
    let ev = h.app.inspector[0]
        .entries
        .iter()
        .position(|e| matches!(e.what, zoomlens::tui::inspector::What::Evidence(..)))
        .unwrap();
    h.key(KeyCode::Char('g')).unwrap();
    for _ in 0..ev {
        h.key(KeyCode::Char('j')).unwrap();
    }
    h.key(KeyCode::Enter).unwrap();
    assert_eq!(h.app.inspector.len(), 2);
    assert_shows(&h, "record findings #2 › participants #");
    h.key(KeyCode::Esc).unwrap();
    assert_eq!(h.app.inspector.len(), 1);
    h.key(KeyCode::Esc).unwrap();
    assert!(h.app.inspector.is_empty());
}

#[test]
fn inspector_on_any_pane_and_a_tampered_record_is_flagged() {
    let (d, mut h) = open_at(140, 34);
    // The hostile guest's record reaches the screen inert.
    h.cmd(Cmd::PaneFindings).unwrap();
    h.cmd(Cmd::Pivot).unwrap();
    h.cmd(Cmd::Pivot).unwrap(); // the board meeting
    select_where(&mut h, |r| r.cells[0].starts_with("Mallory"));
    h.cmd(Cmd::Inspect).unwrap();
    let s = h.screen();
    assert_inert(&s);
    assert!(s.contains("Mallory\\x1b]0;pwned"), "{s}");
    h.key(KeyCode::Esc).unwrap();
    // The ledger, and a SQL row that names its table and id.
    h.cmd(Cmd::PaneLedger).unwrap();
    h.cmd(Cmd::Inspect).unwrap();
    assert_shows(&h, "record operations #");
    h.key(KeyCode::Esc).unwrap();
    h.command("sql SELECT id, user_name FROM zoom_participants WHERE user_name = 'Eve'")
        .unwrap();
    // In the SQL pane keys type into the prompt: Ctrl-D describes the selected row.
    h.act(Action::Key(crossterm::event::KeyEvent::new(
        KeyCode::Char('d'),
        crossterm::event::KeyModifiers::CONTROL,
    )))
    .unwrap();
    assert_shows(&h, "eve@evil.example");
    h.key(KeyCode::Esc).unwrap();
    assert!(
        matches!(h.app.mode, zoomlens::tui::app::Mode::Sql { .. }),
        "back at the prompt"
    );
    h.key(KeyCode::Esc).unwrap();
    // A record whose bytes changed after import no longer verifies.
    {
        let c = rusqlite::Connection::open(case_path(&d)).unwrap();
        c.execute(
            "UPDATE operations SET raw = raw || ' ' WHERE action = 'Delete'",
            [],
        )
        .unwrap();
    }
    h.cmd(Cmd::PaneLedger).unwrap();
    select_where(&mut h, |r| r.cells[3] == "Delete");
    h.cmd(Cmd::Inspect).unwrap();
    h.key(KeyCode::Char('G')).unwrap();
    assert_shows(&h, "MISMATCH");
}

#[test]
fn evidence_box_lists_every_record_in_time_order_and_scrolls() {
    let (d, mut h) = open_at(100, 30);
    // Give eve's finding a dozen evidence records, inserted out of time order.
    {
        let c = rusqlite::Connection::open(case_path(&d)).unwrap();
        c.execute(
            "INSERT INTO finding_evidence (finding_id, tbl, row_id)
             SELECT 1, 'participants', id FROM participants WHERE id NOT IN
               (SELECT row_id FROM finding_evidence WHERE finding_id = 1 AND tbl = 'participants')",
            [],
        )
        .unwrap();
        c.execute(
            "INSERT INTO finding_evidence (finding_id, tbl, row_id) SELECT 1, 'signins', id FROM signins",
            [],
        )
        .unwrap();
    }
    h.cmd(Cmd::PaneFindings).unwrap();
    h.cmd(Cmd::Refresh).unwrap();
    let p = h.app.preview.clone().unwrap();
    assert_eq!(p.total, 16);
    assert_eq!(p.items.len(), 16);
    let times: Vec<&str> = p.items.iter().map(|e| e.time.as_str()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    let s = h.screen();
    insta::assert_snapshot!("evidence_box", s);
    assert!(s.contains("evidence 1 of 16"), "{s}");
    assert!(s.contains("state ") && s.contains("incident I"), "{s}");
    assert!(
        s.contains("↓ +"),
        "says how many more records are below:\n{s}"
    );
    // J walks the records; the box scrolls and says how many are above.
    for _ in 0..15 {
        h.cmd(Cmd::EvidenceDown).unwrap();
    }
    let s = h.screen();
    assert!(s.contains("evidence 16 of 16"), "{s}");
    assert!(s.contains("↑ +"), "{s}");
    assert!(!s.contains("↓ +"), "{s}");
    let last = p.items.last().unwrap();
    assert_eq!(h.app.evidence_item().map(|e| e.id), Some(last.id));
    h.cmd(Cmd::InspectEvidence).unwrap();
    assert_shows(&h, &format!("record {} #{}", last.tbl, last.id));
}

#[test]
fn the_presence_chart_shows_waiting_room_stays_and_who_was_never_admitted() {
    let (_d, mut h) = open_at(160, 45);
    h.command(&format!("meeting {}", tui_support::BOARD))
        .unwrap();
    assert_eq!(h.app.view().kind, PaneKind::Meeting);
    let s = h.screen();
    insta::assert_snapshot!("meeting_waiting", s);
    assert!(s.contains("2 waited, 1 never admitted"), "{s}");
    let line = |who: &str| s.lines().find(|l| l.contains(who)).unwrap().to_string();
    // Alice waited two minutes before her join: the waiting glyph, then her presence.
    let alice = line("alice@acme.com");
    assert!(alice.contains("2m"), "{alice}");
    assert!(alice.contains("░█"), "{alice}");
    // Frank waited twelve minutes and left, never admitted: a row of his own, the wait alone.
    let frank = line("Frank (Auditor)");
    assert!(frank.contains("12m left"), "{frank}");
    assert!(frank.contains('░') && !frank.contains('█'), "{frank}");
    // People who never waited show no waiting cell.
    assert!(!line("eve@evil.example").contains('░'));
    // The stay is a record: d inspects it, Enter leads to the person.
    select_where(&mut h, |r| r.tbl == "waiting_room");
    h.cmd(Cmd::Inspect).unwrap();
    assert_shows(&h, "outcome");
    h.key(KeyCode::Esc).unwrap();
    h.cmd(Cmd::Pivot).unwrap();
    assert_eq!(
        h.app.view().target,
        Target::Timeline(zoomlens::store::read::timeline::Subject::Name(
            "Frank (Auditor)".into()
        ))
    );
    assert_shows(&h, "waiting room: left");
}

#[test]
fn a_findings_export_carries_evidence_state_reason_and_technique_safely() {
    let (d, mut h) = open();
    let case = d.path().join("incident.case");
    {
        let c = rusqlite::Connection::open(&case).unwrap();
        c.execute(
            "UPDATE findings SET technique = 'T1078' WHERE rule = 'external-in-sensitive-meeting'",
            [],
        )
        .unwrap();
    }
    // A verdict whose reason a spreadsheet would run and Markdown would format.
    h.cmd(Cmd::Top).unwrap();
    h.cmd(Cmd::Triage).unwrap();
    h.key(KeyCode::Down).unwrap(); // investigating
    h.type_str("=HYPERLINK(\"http://x\") *call* | eve").unwrap();
    h.key(KeyCode::Enter).unwrap();
    let run = |h: &mut Harness, line: &str| {
        h.command(line).unwrap();
        h.app.status.clone()
    };
    let eve_id = count(
        &rusqlite::Connection::open(&case).unwrap(),
        "SELECT id FROM participants WHERE email = 'eve@evil.example'",
    );
    // CSV: evidence as table:id, state, reason, technique; the formula neutralised.
    let p = d.path().join("findings.csv");
    let st = run(&mut h, &format!("export csv {}", p.display()));
    assert!(st.contains("exported 4 rows"), "{st}");
    let mut r = csv::Reader::from_path(&p).unwrap();
    let head: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    for c in ["state", "reason", "technique", "evidence"] {
        assert!(head.contains(&c.to_string()), "{head:?}");
    }
    let col = |n: &str| head.iter().position(|h| h == n).unwrap();
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    let top = rows
        .iter()
        .find(|x| &x[col("rule")] == "external-in-sensitive-meeting")
        .unwrap();
    assert_eq!(&top[col("evidence")], format!("participants:{eve_id}"));
    assert_eq!(&top[col("state")], "investigating");
    assert_eq!(&top[col("technique")], "T1078");
    assert_eq!(
        &top[col("reason")],
        "'=HYPERLINK(\"http://x\") *call* | eve",
        "a formula is neutralised, the text otherwise kept"
    );
    // Every finding names its evidence.
    assert!(rows.iter().all(|x| x[col("evidence")].contains(':')));
    // Markdown: the same columns, the reason escaped (no cell break, no emphasis, no link).
    let p = d.path().join("findings.md");
    run(&mut h, &format!("export md {}", p.display()));
    let md = std::fs::read_to_string(&p).unwrap();
    let header = md.lines().next().unwrap();
    assert!(header.contains("| evidence |"), "{header}");
    let line = md
        .lines()
        .find(|l| l.contains("participants\\:"))
        .unwrap_or_else(|| panic!("{md}"));
    // `:` escaped too (md_text keeps anything from reading as a link).
    assert!(line.contains(&format!("participants\\:{eve_id}")), "{line}");
    assert!(line.contains("\\*call\\* \\| eve"), "{line}");
    assert!(line.contains("hxxp"), "a URL is defanged: {line}");
    assert_eq!(
        line.matches(" | ").count(),
        header.matches(" | ").count(),
        "the reason does not break the table: {line}"
    );
    // JSON: the evidence under its name.
    let p = d.path().join("findings.json");
    run(&mut h, &format!("export json {}", p.display()));
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    assert!(v.as_array().unwrap().iter().any(|x| x["evidence"]
        == format!("participants:{eve_id}")
        && x["state"] == "investigating"));
}
