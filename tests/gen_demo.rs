//! The demo case is built complete, replaces an older demo, and leaves no temporary files.

mod common;

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

#[test]
fn demo_never_replaces_a_case_that_is_not_a_demo() {
    let t = tempfile::tempdir().unwrap();
    let case = t.path().join("real.zl");
    {
        let mut s = Store::open(&case).unwrap();
        let mut w = s.writer().unwrap();
        let origin = w
            .origin(&zoomlens::model::Origin::new("file", "evidence.csv"))
            .unwrap();
        w.departure(
            &zoomlens::model::Departure {
                email: "kept@example.com".into(),
                departed_at: "2026-01-01T00:00:00Z".into(),
            },
            &zoomlens::model::Evidence::new(origin, Some(2), "kept@example.com,2026-01-01"),
        )
        .unwrap();
        w.commit().unwrap();
    }
    let err = build_demo(&Config::small(1, 30, 3), &case)
        .expect_err("a real case must not be replaced")
        .to_string();
    assert!(err.contains("not a zoomlens demo case"), "{err}");
    let s = Store::open_readonly(&case).unwrap();
    let kept: i64 = s
        .conn
        .query_row("SELECT count(*) FROM departures", [], |r| r.get(0))
        .unwrap();
    assert_eq!(kept, 1, "the real case's evidence is intact");
}

/// `demo` leaves its tenant's configuration beside the case: detection run again with it
/// finds what the demo found, and the case can be handed over with it.
#[test]
fn demo_writes_the_configuration_it_was_detected_with() {
    let t = tempfile::tempdir().unwrap();
    let case = t.path().join("d.zl");
    let zl = |args: &[&str]| {
        let (out, err, ok) = common::cli::zl(args);
        assert!(ok, "{args:?}: {err}");
        out
    };
    let c = case.to_str().unwrap();
    let built = zl(&[
        "demo",
        "--no-open",
        "--users",
        "60",
        "--days",
        "4",
        "--case",
        c,
    ]);
    let conf = format!("{c}.toml");
    assert!(built.contains(&format!("--config {conf}")), "{built}");
    let count = |what: &str| zl(&["sql", c, what, "--format", "csv"]);
    let before = count("SELECT rule, count(*) FROM findings GROUP BY rule ORDER BY rule");
    zl(&["detect", c, "--config", &conf]);
    let after = count("SELECT rule, count(*) FROM findings GROUP BY rule ORDER BY rule");
    assert_eq!(before, after);
    assert!(before.lines().count() > 3, "{before}");
}
