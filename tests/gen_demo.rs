//! The demo case is built complete, replaces an older demo, and leaves no temporary files.

use zoomlens::sim::demo::build_demo;
use zoomlens::sim::generator::Config;
use zoomlens::store::Store;

#[test]
fn demo_case_is_built_and_replaced_atomically() {
    let t = tempfile::tempdir().unwrap();
    let case = t.path().join("demo.zl");
    let truth = build_demo(&Config::small(1, 30, 3), &case).unwrap();
    let n = |case: &std::path::Path, v: &str| -> i64 {
        let s = Store::open_readonly(case).unwrap();
        s.conn
            .query_row(&format!("SELECT count(*) FROM {v}"), [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(
        n(&case, "zoom_meetings") as u64,
        truth.counts["zoom_meetings"]
    );
    assert_eq!(
        n(&case, "zoom_webhook_events") as u64,
        truth.counts["webhook_events"]
    );
    assert_eq!(n(&case, "departures"), 2);
    // A second build (another seed) replaces the first one whole.
    let truth2 = build_demo(&Config::small(2, 31, 3), &case).unwrap();
    assert_eq!(n(&case, "zoom_users") as u64, truth2.counts["zoom_users"]);
    let left: Vec<String> = std::fs::read_dir(t.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|f| f.starts_with('.'))
        .collect();
    assert!(left.is_empty(), "temporary files left behind: {left:?}");
}
