//! Detection on issue 18's newer sources, on a generated tenant imported through the real
//! doors: remote control of a VIP by an outsider (and its near-misses), a recording watched or
//! downloaded by someone who was not in the meeting (one finding per person and recording,
//! whichever sources saw it), and the join burst citing Zoom's own risk alert.

use zoomlens::detect::{self, StoredFinding, finding};
use zoomlens::sim::generator::Config;
use zoomlens::store::Store;

fn findings(rule: &str) -> (Vec<StoredFinding>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("n.zl");
    let cfg = Config::small(11, 60, 14);
    let truth = zoomlens::sim::demo::build_demo(&cfg, &case).unwrap();
    let mut store = Store::open(&case).unwrap();
    let dcfg = zoomlens::sim::score::detect_config(&truth);
    detect::run(&mut store, &dcfg, &[]).unwrap();
    let mut all = finding::load_findings(&store.conn, detect::Severity::Info, &[]).unwrap();
    finding::load_evidence(&store.conn, &mut all).unwrap();
    (all.into_iter().filter(|f| f.rule == rule).collect(), dir)
}

/// The one finding `rule` reports (all of their summaries in the failure otherwise).
fn only_finding(rule: &str) -> StoredFinding {
    let (mut fs, _dir) = findings(rule);
    assert_eq!(
        fs.len(),
        1,
        "{:?}",
        fs.iter().map(|f| &f.summary).collect::<Vec<_>>()
    );
    fs.remove(0)
}

fn why(f: &StoredFinding) -> String {
    f.why.join(" | ")
}

fn cites(f: &StoredFinding, table: &str) -> bool {
    f.evidence.iter().any(|e| e.table == table)
}

#[test]
fn an_outsider_controlling_the_ctos_machine_is_flagged_and_the_near_misses_are_not() {
    let f = &only_finding("remote-control-of-privileged-user");
    assert_eq!(f.actor.as_deref(), Some("tech@fastfix-support.example"));
    assert!(f.target.as_deref().unwrap_or("").contains("'s machine"));
    let w = why(f);
    assert!(w.contains("is a VIP (CTO)"), "{w}");
    assert!(w.contains("not an address of the organisation"), "{w}");
    assert!(cites(f, "remote_support"));
    assert!(f.meeting_uuid.is_some() && f.meeting_id.is_some());
    // Neither the helpdesk on the CFO's machine nor the vendor on a salesperson's.
    assert!(!f.summary.contains("crm-vendor") && !f.summary.contains("Printer"));
}

#[test]
fn views_and_downloads_by_non_participants_are_one_finding_per_person_and_recording() {
    let (fs, _d) = findings("recording-download-by-non-participant");
    let board: Vec<&StoredFinding> = fs
        .iter()
        .filter(|f| f.summary.contains("Board Meeting"))
        .collect();
    assert_eq!(
        board.len(),
        2,
        "{:?}",
        fs.iter().map(|f| &f.summary).collect::<Vec<_>>()
    );
    // The snoop's download: in the operation log and in the analytics, one finding citing both.
    let dl = board
        .iter()
        .find(|f| f.summary.contains(" downloaded "))
        .expect("the download");
    assert!(cites(dl, "operations") && cites(dl, "recording_access"));
    assert!(
        why(dl)
            .contains("the operation log (1 download) and the recording's analytics (1 download)"),
        "{}",
        why(dl)
    );
    // Someone else watched it: analytics only.
    let view = board
        .iter()
        .find(|f| f.summary.contains(" watched "))
        .expect("the view");
    assert!(cites(view, "recording_access") && !cites(view, "operations"));
    assert!(why(view).contains("analytics (1 view)"), "{}", why(view));
    assert_ne!(dl.actor, view.actor);
}

#[test]
fn the_join_burst_cites_zooms_risk_alert_instead_of_a_second_finding() {
    let f = &only_finding("join-burst-multiple-ips");
    assert!(cites(f, "risk_alerts") && cites(f, "participants"));
    let w = why(f);
    assert!(
        w.contains("corroborated by Zoom's risk alert")
            && w.contains("posted on Twitter by launchleaks"),
        "{w}"
    );
}
