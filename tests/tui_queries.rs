//! The console's query layer (store::read) on the fixture: every subject and every filter
//! chip runs (no SQL error) and returns what the case holds.

mod tui_support;

use zoomlens::store::Store;
use zoomlens::store::read::timeline::Subject;
use zoomlens::store::read::*;

fn filters() -> Vec<Filter> {
    let all = Filter {
        external_only: true,
        domain: Some("evil.example".into()),
        suspicious_only: true,
        open_only: true,
        min_severity: Some(2),
        from: Some("2024-06-01T00:00:00Z".into()),
        to: Some("2024-07-01T00:00:00Z".into()),
        text: Some("e".into()),
        tag: Some("bec".into()),
        operator: Some("dave@acme.com".into()),
        category: Some("Recording".into()),
        action: Some("Delete".into()),
    };
    vec![
        Filter::default(),
        Filter {
            external_only: true,
            ..Default::default()
        },
        Filter {
            suspicious_only: true,
            ..Default::default()
        },
        Filter {
            text: Some("50%_".into()),
            ..Default::default()
        },
        Filter {
            open_only: true,
            ..Default::default()
        },
        all,
    ]
}

#[test]
fn every_query_runs_under_every_filter() {
    let (_dir, s) = tui_support::fixture_store();
    let c = &s.conn;
    let info = CaseInfo::load(c).unwrap();
    assert_eq!(info.internal_domains, vec!["acme.com".to_string()]);
    assert!(info.has_findings);
    let subjects = [
        Subject::User("bob@acme.com".into()),
        Subject::Ip("198.51.100.7".into()),
        Subject::Domain("acme.com".into()),
        Subject::Device("PC-3".into(), None),
        Subject::Name("Carol Chen (CFO)".into()),
    ];
    for f in filters() {
        findings::page(c, &info, &f, &Cursor::First, PAGE).unwrap();
        findings::count(c, &info, &f).unwrap();
        incidents::page(c, &info, &f, &Cursor::First, PAGE).unwrap();
        incidents::count(c, &info, &f).unwrap();
        ledger::page(c, &info, &f, &Cursor::Last, PAGE).unwrap();
        ledger::count(c, &info, &f).unwrap();
        recordings::page(c, &info, &f, &Cursor::First, PAGE).unwrap();
        recordings::count(c, &info, &f).unwrap();
        meeting::load(c, &info, &meeting::MeetingRef::Id(tui_support::MID), &f)
            .unwrap()
            .unwrap();
        for sub in &subjects {
            let p = timeline::page(c, &info, sub, &f, &Cursor::First, PAGE).unwrap();
            if let Some(r) = p.rows.first() {
                timeline::page(c, &info, sub, &f, &Cursor::After(r.key.clone()), PAGE).unwrap();
                timeline::page(c, &info, sub, &f, &Cursor::Before(r.key.clone()), PAGE).unwrap();
            }
            let n = timeline::count(c, &info, sub, &f).unwrap();
            let h = timeline::histogram(
                c,
                &info,
                sub,
                &f,
                "2024-06-01T00:00:00Z",
                "2024-07-01T00:00:00Z",
                30,
            )
            .unwrap();
            assert_eq!(
                h.iter().sum::<u64>(),
                n,
                "histogram and count agree for {sub:?} / {f:?}"
            );
        }
    }
    // What the subjects hold.
    let all = |sub: Subject| {
        timeline::page(c, &info, &sub, &Filter::default(), &Cursor::First, PAGE)
            .unwrap()
            .rows
    };
    let bob: Vec<String> = all(Subject::User("bob@acme.com".into()))
        .iter()
        .map(|r| r.kind.clone())
        .collect();
    assert_eq!(
        bob,
        [
            "signin",
            "signin",
            "signin",
            "op-target",
            "op",
            "signin",
            "join",
            "join"
        ]
        .map(String::from)
        .to_vec(),
        "in time order: {bob:?}"
    );
    let ip = all(Subject::Ip("198.51.100.7".into()));
    assert_eq!(ip.len(), 4, "two sign-ins and two sessions from that IP");
    let dom = all(Subject::Domain("evil.example".into()));
    assert_eq!(dom.len(), 1);
    let dev = all(Subject::Device("PC-5".into(), None));
    assert!(dev.iter().all(|r| r.tbl == "participants") && !dev.is_empty());
    // Keyset both ways gives the same rows.
    let bob = |cur: &Cursor| {
        timeline::page(
            c,
            &info,
            &Subject::User("bob@acme.com".into()),
            &Filter::default(),
            cur,
            3,
        )
        .unwrap()
    };
    let fwd = bob(&Cursor::First);
    assert!(fwd.at_start && !fwd.at_end);
    let next = bob(&Cursor::After(fwd.rows[2].key.clone()));
    let back = bob(&Cursor::Before(next.rows[0].key.clone()));
    assert_eq!(
        back.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        fwd.rows.iter().map(|r| r.id).collect::<Vec<_>>()
    );
    // Graphs, search, recordings detail, evidence.
    assert!(
        !graph::around_user(c, &info, "bob@acme.com")
            .unwrap()
            .nodes
            .is_empty()
    );
    assert!(
        !graph::around_meeting(c, &info, tui_support::BOARD)
            .unwrap()
            .nodes
            .is_empty()
    );
    let d = recordings::detail(c, &info, tui_support::BOARD)
        .unwrap()
        .unwrap();
    assert_eq!(d.files.len(), 2);
    assert_eq!(d.actions.len(), 2);
    assert!(
        search::search(c, "85746065432", 10)
            .unwrap()
            .iter()
            .any(|h| h.kind == "meeting")
    );
    let (set, items, total) = findings::evidence(c, 1).unwrap();
    assert_eq!((set.len(), total), (1, 1));
    assert!(items[0].text.contains("eve@evil.example"));
    assert_eq!(items[0].time, "2024-06-10T06:10:00Z");
    annotations::page(c, &Cursor::First, PAGE).unwrap();
}

#[test]
fn a_case_without_findings_still_opens() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("empty.case");
    drop(Store::open(&p).unwrap());
    let s = Store::open_readonly(&p).unwrap();
    let info = CaseInfo::load(&s.conn).unwrap();
    assert!(!info.detect_ran, "detect has not run on a new case");
    let f = Filter {
        suspicious_only: true,
        ..Default::default()
    };
    assert!(
        findings::page(&s.conn, &info, &f, &Cursor::First, PAGE)
            .unwrap()
            .rows
            .is_empty()
    );
    assert!(
        timeline::page(
            &s.conn,
            &info,
            &Subject::User("x@y".into()),
            &f,
            &Cursor::First,
            PAGE
        )
        .unwrap()
        .rows
        .is_empty()
    );
    let mut h = zoomlens::tui::harness::Harness::open(&p, 100, 30).unwrap();
    assert!(
        h.screen().contains("none in this case yet"),
        "{}",
        h.screen()
    );
    h.cmd(zoomlens::tui::keymap::Cmd::PaneLedger).unwrap();
    assert!(h.screen().contains("nothing here"), "{}", h.screen());
}

#[test]
fn domain_chips_and_subjects_match_literally() {
    let (_dir, s) = tui_support::fixture_store();
    let c = &s.conn;
    let info = CaseInfo::load(c).unwrap();
    let dom = |d: &str| Filter {
        domain: Some(d.into()),
        ..Default::default()
    };
    // The real domain matches ...
    assert!(findings::count(c, &info, &dom("evil.example")).unwrap() > 0);
    assert!(ledger::count(c, &info, &dom("acme.com")).unwrap() > 0);
    assert!(recordings::count(c, &info, &dom("acme.com")).unwrap() > 0);
    let tl = |d: &str| timeline::count(c, &info, &Subject::Domain(d.into()), &Filter::default());
    assert!(tl("evil.example").unwrap() > 0);
    // ... but LIKE wildcards and the escape character in what the user typed are literal.
    for d in [
        "evil_example",
        "evil%",
        "%",
        "_vil.example",
        "evil\\.example",
    ] {
        assert_eq!(
            findings::count(c, &info, &dom(d)).unwrap(),
            0,
            "findings {d}"
        );
        assert_eq!(tl(d).unwrap(), 0, "timeline {d}");
    }
    for d in ["acme_com", "acme%", "%", "acme\\.com"] {
        assert_eq!(ledger::count(c, &info, &dom(d)).unwrap(), 0, "ledger {d}");
        assert_eq!(
            recordings::count(c, &info, &dom(d)).unwrap(),
            0,
            "recordings {d}"
        );
    }
}

/// The incidents list and a story page through keyset windows in the same order as one page.
#[test]
fn incidents_and_stories_page_in_windows() {
    let (_dir, s) = tui_support::fixture_store();
    let c = &s.conn;
    let info = CaseInfo::load(c).unwrap();
    assert!(info.has_incidents);
    let f = Filter::default();
    let all = incidents::page(c, &info, &f, &Cursor::First, PAGE).unwrap();
    assert_eq!(all.rows.len(), 2);
    assert!(all.at_start && all.at_end);
    let one = incidents::page(c, &info, &f, &Cursor::First, 1).unwrap();
    assert!(!one.at_end);
    let next = incidents::page(c, &info, &f, &Cursor::After(one.rows[0].key.clone()), 1).unwrap();
    assert_eq!(next.rows[0].id, all.rows[1].id);
    assert!(next.at_end);
    let back = incidents::page(c, &info, &f, &Cursor::Before(next.rows[0].key.clone()), 1).unwrap();
    assert_eq!(back.rows[0].id, all.rows[0].id);
    let last = incidents::page(c, &info, &f, &Cursor::Last, 1).unwrap();
    assert_eq!(last.rows[0].id, all.rows[1].id);
    // The same order as `zoomlens incidents`.
    let cli: Vec<i64> = zoomlens::detect::incidents::load(c, false)
        .unwrap()
        .iter()
        .map(|i| i.id)
        .collect();
    let ids: Vec<i64> = all.rows.iter().map(|r| r.id).collect();
    assert_eq!(ids, cli);

    let story = findings::of_incident(c, &info, all.rows[0].id, &Cursor::First, PAGE).unwrap();
    let times: Vec<&str> = story.rows.iter().map(|r| r.time.as_str()).collect();
    assert_eq!(times.len(), 3);
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    let first = findings::of_incident(c, &info, all.rows[0].id, &Cursor::First, 2).unwrap();
    let rest = findings::of_incident(
        c,
        &info,
        all.rows[0].id,
        &Cursor::After(first.rows[1].key.clone()),
        2,
    )
    .unwrap();
    assert_eq!(rest.rows.len(), 1);
    assert_eq!(rest.rows[0].id, story.rows[2].id);
    assert_eq!(
        findings::count_of_incident(c, &info, all.rows[0].id).unwrap(),
        3
    );
}

/// The inspector's record: every column, the verbatim record with its provenance and a hash
/// that still matches, further evidence, and for a finding its evidence in time order.
#[test]
fn a_record_in_full_with_its_provenance() {
    let (_dir, s) = tui_support::fixture_store();
    let c = &s.conn;
    let id: i64 = c
        .query_row(
            "SELECT id FROM participants WHERE name = 'Carol Chen (CFO)'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let rec = record::load(c, "participants", id).unwrap().unwrap();
    let field = |n: &str| {
        rec.fields
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(field("name"), Some("Carol Chen (CFO)"));
    assert_eq!(field("ip_address"), Some("203.0.113.9"));
    assert_eq!(
        field("raw"),
        None,
        "the raw record is shown as such, not as a field"
    );
    let raw = rec.raw.as_ref().unwrap();
    assert!(raw.intact, "the kept bytes hash to the stored SHA-256");
    assert!(raw.text.starts_with("{\"fixture\":"), "{}", raw.text);
    assert_eq!(raw.origin.kind, "file");
    assert_eq!(
        raw.origin.describe(),
        format!("file fixture, line {}", raw.origin.line.unwrap())
    );
    // A finding: its fields and its evidence, described.
    let f = record::load(c, "findings", 2).unwrap().unwrap();
    assert!(f.raw.is_none());
    assert_eq!(f.evidence.len(), 1);
    assert_eq!(f.evidence[0].tbl, "participants");
    assert!(
        f.evidence[0].text.contains("\"Carol Chen (CFO)\""),
        "{:?}",
        f.evidence
    );
    // No such table or row: nothing, and never SQL built from the name.
    assert!(
        record::load(c, "participants; DROP TABLE x", 1)
            .unwrap()
            .is_none()
    );
    assert!(record::load(c, "participants", 999_999).unwrap().is_none());
    assert_eq!(
        record::table_of_view("zoom_participants"),
        Some("participants")
    );
}
