//! Issue 18's newer sources through `sync` against the simulator: each equals the tenant's
//! truth under faults; the account-wide history replaces the per-user meeting loop with far
//! fewer requests, and falls back to the loop when its scope is missing; a missing scope of
//! a newer source is recorded like the others.

mod common;

use common::sync::{Sim, start_sim};
use common::tenant;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use zoomlens::sim::server::SimConfig;
use zoomlens::sim::tenant::Tenant;
use zoomlens::sync::plan::Source;
use zoomlens::sync::run::{SyncOptions, SyncReport};
use zoomlens::zoom::Plan;

const NEWER: &[&str] = &[
    "meeting_history",
    "recording_access",
    "disclaimers",
    "remote_support",
];

async fn sync(base: &str, case: &Path, t: &Tenant, sources: Vec<Source>) -> SyncReport {
    let o = SyncOptions {
        from: t.start.unwrap(),
        to: chrono::Utc::now().date_naive(),
        sources,
        users: vec![],
        since_last: false,
        capture: None,
    };
    common::sync::sync(base, Plan::Business, case, o).await
}

fn newer_truth(t: &Tenant) -> std::collections::BTreeMap<String, i64> {
    let c = t.truth().counts;
    NEWER
        .iter()
        .map(|k| (k.to_string(), c[*k] as i64))
        .collect()
}

fn coverage(case: &Path, source: &str) -> Vec<(String, String)> {
    let c = rusqlite::Connection::open(case).unwrap();
    let mut st = c
        .prepare("SELECT state, detail FROM coverage WHERE source = ?1 AND state <> 'done'")
        .unwrap();
    st.query_map([source], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// The generated tenant (planted remote support, board recording views, helpdesk sessions):
/// at a 10% fault rate every newer table, and every older view, equals the truth.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn newer_sources_sync_equal_to_truth_under_faults() {
    let t = Arc::new(tenant::generated(40, 10, 7));
    let want = newer_truth(&t);
    for (k, n) in &want {
        assert!(*n > 0, "tenant has no {k}: {want:?}");
    }
    let cfg = SimConfig {
        fault_rate: 0.1,
        slow_delay: Duration::from_millis(200),
        seed: 5,
        ..SimConfig::default()
    };
    let sim = Sim::serve(t.clone(), cfg).await;
    let r = sync(&sim.base, &sim.case, &t, Source::ALL.to_vec()).await;
    assert!(r.complete, "{:?} {:?}", r.failed, r.stopped);
    assert!(r.retries > 0, "faults were injected");
    let views: Vec<String> = want.keys().cloned().collect();
    let got = tenant::counts(&sim.case, &views.iter().collect::<Vec<_>>());
    assert_eq!(got, want);
    // The older views too: the history stood in for the per-user meeting reports.
    let old = tenant::truth(&t);
    let got = tenant::counts(&sim.case, &old.keys().collect::<Vec<_>>());
    assert_eq!(got, old);
    // Every recording's analytics were asked for, window by window, and answered.
    let c = rusqlite::Connection::open(&sim.case).unwrap();
    let (done, recs): (i64, i64) = c
        .query_row(
            "SELECT (SELECT count(DISTINCT scope) FROM coverage WHERE source = 'analytics' AND state = 'done'),
                    (SELECT count(*) FROM recordings)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(done, 2 * recs, "a view and a download scope per recording");
    // A second run adds nothing.
    let r2 = sync(&sim.base, &sim.case, &t, Source::ALL.to_vec()).await;
    for k in NEWER {
        assert_eq!(r2.tables.0.get(*k).map_or(0, |c| c.added), 0, "{k}");
    }
}

/// One paged account-wide report instead of one request per user and window: on the same
/// tenant, listing the meetings takes far fewer requests, and without the history scope the
/// sync falls back to the per-user loop, records the missing scope, and still gets them all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_replaces_the_per_user_loop_and_falls_back_without_its_scope() {
    let t = Arc::new(tenant::generated(60, 10, 3));
    let sources = vec![Source::Users, Source::Meetings];
    let dir = tempfile::tempdir().unwrap();

    let base = start_sim(t.clone(), SimConfig::default()).await;
    let case = dir.path().join("history.case");
    let with = sync(&base, &case, &t, sources.clone()).await;
    assert!(with.complete, "{:?}", with.failed);

    let base = start_sim(
        t.clone(),
        SimConfig {
            missing_scopes: vec![Source::History],
            ..SimConfig::default()
        },
    )
    .await;
    let case2 = dir.path().join("loop.case");
    let without = sync(&base, &case2, &t, sources).await;
    assert!(!without.complete, "the missing scope is reported");
    let total = |r: &SyncReport| r.requests.values().sum::<u64>();
    let (a, b) = (total(&with), total(&without));
    eprintln!("meetings listing: {a} requests with history_meetings, {b} with the per-user loop");
    assert!(
        a * 5 < b,
        "history should need far fewer requests: {a} vs {b}"
    );
    let views = ["zoom_meetings".to_string()];
    let want = tenant::truth(&t)["zoom_meetings"];
    for c in [&case, &case2] {
        assert_eq!(
            tenant::counts(c, &views.iter().collect::<Vec<_>>())["zoom_meetings"],
            want
        );
    }
    let cov = coverage(&case2, "history");
    assert!(
        cov.iter()
            .any(|(s, d)| s == "missing-scope"
                && d.contains("report:read:list_history_meetings:admin")),
        "{cov:?}"
    );
}

/// A newer source without its scope is recorded as such, named in `status`, and the rest of
/// the sync goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_analytics_scope_is_recorded_and_shown() {
    let t = Arc::new(tenant::generated(30, 6, 9));
    let base = start_sim(
        t.clone(),
        SimConfig {
            missing_scopes: vec![Source::Analytics, Source::RemoteSupport],
            ..SimConfig::default()
        },
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("s.case");
    let r = sync(&base, &case, &t, Source::ALL.to_vec()).await;
    assert!(r.failed.is_empty() && r.stopped.is_none(), "{:?}", r.failed);
    let want = newer_truth(&t);
    let got = tenant::counts(&case, &want.keys().collect::<Vec<_>>());
    assert_eq!(got["recording_access"], 0);
    assert_eq!(got["remote_support"], 0);
    assert_eq!(got["disclaimers"], want["disclaimers"]);
    assert_eq!(got["meeting_history"], want["meeting_history"]);
    let text = common::cli::status(&case);
    assert!(
        text.contains("cloud_recording:read:recording_analytics_details:admin")
            && text.contains("report:read:remote_support:admin"),
        "{text}"
    );
    assert!(text.contains("recording views/downloads"), "{text}");
}
