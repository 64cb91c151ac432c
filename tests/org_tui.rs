//! The organisation-wide panes on the demo: Landscape (client versions per department, the
//! upgrade adoption chart, the people behind a value), Exposure (departments meeting outsiders,
//! the meetings behind one) and the graph at department level, drawn as an analyst sees them.

mod common;

use zoomlens::store::read::Row;
use zoomlens::tui::app::{PaneKind, Target};
use zoomlens::tui::harness::Harness;
use zoomlens::tui::keymap::Cmd;
use zoomlens::tui::worker::{GraphSubject, OrgSubject};

fn demo_at(w: u16, h: u16) -> (tempfile::TempDir, Harness) {
    let d = tempfile::tempdir().unwrap();
    let case = common::cli::demo(d.path());
    let h = Harness::open(&case, w, h).unwrap();
    (d, h)
}

fn rows(h: &Harness) -> Vec<Row> {
    h.app.view().list.rows.clone()
}

/// Select the first row `pred` accepts.
fn select(h: &mut Harness, pred: impl Fn(&Row) -> bool) {
    let i = rows(h).iter().position(pred).expect("a row to select");
    h.cmd(Cmd::Top).unwrap();
    for _ in 0..i {
        h.cmd(Cmd::Down).unwrap();
    }
}

#[test]
fn landscape_counts_versions_marks_the_outdated_and_pivots_to_the_people() {
    let (_d, mut h) = demo_at(160, 45);
    h.cmd(Cmd::PaneLandscape).unwrap();
    assert_eq!(h.app.view().kind, PaneKind::Landscape);
    let s = h.screen();
    assert!(s.contains("by version per department"), "{s}");
    // The adoption chart of the selected row's department.
    assert!(s.contains("upgrade adoption"), "{s}");
    insta::assert_snapshot!("landscape", s);

    // The planted outdated client: one person below 5.17.0, marked.
    let old: Vec<Row> = rows(&h)
        .into_iter()
        .filter(|r| r.cells[6].contains("outdated"))
        .collect();
    assert_eq!(old.len(), 1, "{old:?}");
    assert!(old[0].cells[0].starts_with("5.11"), "{:?}", old[0]);

    // Rarest first: the long tail leads.
    h.cmd(Cmd::ToggleRarest).unwrap();
    let people: Vec<i64> = rows(&h).iter().map(|r| r.key.s).collect();
    assert!(people.windows(2).all(|w| w[0] <= w[1]), "{people:?}");

    // Without a split, by pc name: the planted unknown computer is first and marked.
    h.cmd(Cmd::CycleGroup).unwrap(); // department -> domain
    h.cmd(Cmd::CycleGroup).unwrap(); // -> role
    h.cmd(Cmd::CycleGroup).unwrap(); // -> none
    h.cmd(Cmd::PrevBy).unwrap(); // version -> pc-name
    assert!(h.screen().contains("by pc-name"), "{}", h.screen());
    let unknown: Vec<Row> = rows(&h)
        .into_iter()
        .filter(|r| r.cells[6].contains("not in inventory"))
        .collect();
    assert_eq!(unknown.len(), 1, "{unknown:?}");

    // Enter on the value: the person behind it; Enter on them: their timeline.
    let pc = unknown[0].cells[0].clone();
    select(&mut h, |r| r.cells[0] == pc);
    h.cmd(Cmd::Pivot).unwrap();
    assert!(matches!(
        h.app.view().target,
        Target::Org(OrgSubject::StackPeople { .. })
    ));
    let people = rows(&h);
    assert_eq!(people.len(), 1, "{people:?}");
    let who = people[0].link.user.clone().expect("an employee");
    h.cmd(Cmd::Pivot).unwrap();
    assert_eq!(h.app.view().kind, PaneKind::Timeline);
    assert_eq!(h.app.ctx.user.as_deref(), Some(who.as_str()));
    // Esc comes back along the trail to the stack as it was left.
    h.cmd(Cmd::Back).unwrap();
    h.cmd(Cmd::Back).unwrap();
    assert!(h.screen().contains("by pc-name"));
}

#[test]
fn exposure_shows_who_meets_outsiders_and_pivots_to_the_meetings() {
    let (_d, mut h) = demo_at(160, 45);
    h.cmd(Cmd::PaneExposure).unwrap();
    let s = h.screen();
    insta::assert_snapshot!("exposure", s);
    // Engineering brings the planted competitor and partner into sensitive meetings.
    let eng = rows(&h)
        .into_iter()
        .find(|r| r.cells[0] == "Engineering")
        .unwrap();
    assert!(
        eng.cells[4].contains("piper-networks.example 4 (4 sensitive)"),
        "{:?}",
        eng.cells
    );
    select(&mut h, |r| r.cells[0] == "Engineering");
    assert!(h.screen().contains("Engineering: "), "{}", h.screen());
    h.cmd(Cmd::Pivot).unwrap();
    let meetings = rows(&h);
    let syncs = meetings
        .iter()
        .filter(|r| r.cells[1] == "Engineering Platform Sync")
        .count();
    assert_eq!(syncs, 4, "the competitor's four instances");
    select(&mut h, |r| r.cells[1] == "Engineering Platform Sync");
    h.cmd(Cmd::Pivot).unwrap();
    assert_eq!(h.app.view().kind, PaneKind::Meeting);
    let s = h.screen();
    assert!(s.contains("Vikram Osei"), "{s}");
    // By host.
    h.cmd(Cmd::PaneExposure).unwrap();
    h.cmd(Cmd::Back).unwrap();
    h.cmd(Cmd::NextBy).unwrap();
    assert!(h.screen().contains("by host"), "{}", h.screen());
    assert!(rows(&h).iter().all(|r| r.cells[0].contains('@')));
}

/// How often `text` is drawn in the left `width` columns of the screen (the canvas).
fn drawn(screen: &str, width: usize, text: &str) -> usize {
    screen
        .lines()
        .map(|l| {
            l.chars()
                .take(width)
                .collect::<String>()
                .matches(text)
                .count()
        })
        .sum()
}

#[test]
fn the_department_graph_keeps_every_label_apart_and_lists_neighbours() {
    for (w, hgt, name) in [(160u16, 45u16, "org_graph"), (100, 30, "org_graph_100")] {
        let (_d, mut h) = demo_at(w, hgt);
        h.command("graph org").unwrap();
        assert_eq!(
            h.app.view().target,
            Target::Graph(GraphSubject::Organisation)
        );
        let s = h.screen();
        insta::assert_snapshot!(name, s);
        let nodes = rows(&h);
        assert!(nodes.iter().any(|r| r.cells[1] == "Engineering"));
        assert!(
            nodes.iter().any(|r| r.cells[1] == "piper-networks.example"),
            "the competitor's domain is a node"
        );
        // Every node's key is drawn, once: no label covers another.
        let canvas = (w as usize) * 60 / 100;
        for r in &nodes {
            let key = &r.cells[0];
            let glyph = ["\u{25cb}", "\u{25d4}", "\u{25d1}", "\u{25d5}", "\u{25cf}"]
                .iter()
                .map(|g| drawn(&s, canvas, &format!("{key}{g}")))
                .sum::<usize>();
            assert_eq!(glyph, 1, "{key} ({}) drawn {glyph} times:\n{s}", r.cells[1]);
        }
        // The selected node's neighbours beside the drawing.
        assert!(s.contains(" neighbours "), "{s}");
    }
    // Around a person, the people they share chat channels with carry those ties.
    let (d, mut h) = demo_at(160, 45);
    let talker = common::cli::sql_rows(
        d.path().join("demo.zl"),
        "SELECT sender FROM chat_messages WHERE to_channel <> '' GROUP BY sender
         ORDER BY count(*) DESC, sender LIMIT 1",
    )[0]["sender"]
        .as_str()
        .unwrap()
        .to_string();
    h.command(&format!("user {talker}")).unwrap();
    h.cmd(Cmd::PaneGraph).unwrap();
    let tied: Vec<Row> = rows(&h).into_iter().filter(|r| r.cells[4] != "0").collect();
    assert!(!tied.is_empty(), "nobody shares a channel with {talker}");
    assert!(h.screen().contains(" chat"), "{}", h.screen());

    // `l` goes to the linked person's graph and back.
    let (_d, mut h) = demo_at(160, 45);
    h.command("user vikram.osei@piper-networks.example")
        .unwrap();
    h.cmd(Cmd::PaneGraph).unwrap();
    assert!(matches!(
        h.app.view().target,
        Target::Graph(GraphSubject::User(_))
    ));
    h.cmd(Cmd::GraphLevel).unwrap();
    assert_eq!(
        h.app.view().target,
        Target::Graph(GraphSubject::Organisation)
    );
    h.cmd(Cmd::GraphLevel).unwrap();
    assert_eq!(
        h.app.view().target,
        Target::Graph(GraphSubject::User(
            "vikram.osei@piper-networks.example".into()
        ))
    );
}
