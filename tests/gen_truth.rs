//! Importing the generated captures reproduces truth.json's counts exactly, view by view.

use std::path::PathBuf;
use zoomlens::ingest::{ImportOptions, import_paths};
use zoomlens::sim::generator::{Config, Truth, generate, output::CaptureWriter};
use zoomlens::store::Store;

fn count(store: &Store, view: &str) -> u64 {
    store
        .conn
        .query_row(&format!("SELECT count(*) FROM {view}"), [], |r| {
            r.get::<_, i64>(0)
        })
        .unwrap() as u64
}

#[test]
fn import_of_generated_captures_matches_truth_counts() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("gen");
    let cfg = Config::small(21, 30, 3);
    let mut w = CaptureWriter::create(&out).unwrap();
    let truth: Truth = generate(&cfg, &mut w).unwrap().truth;
    let mut store = Store::open(&t.path().join("case.zl")).unwrap();
    let files: Vec<PathBuf> = [
        "captures.ndjson",
        "departures.csv",
        "assets.csv",
        "vips.csv",
    ]
    .iter()
    .map(|f| out.join(f))
    .collect();
    let summary = import_paths(&mut store, &files, &ImportOptions::default()).unwrap();
    assert_eq!(
        summary.counts.total_rejected(),
        0,
        "rejects: {:?}",
        summary.first_rejects
    );
    for (view, key) in [
        ("zoom_signins", "zoom_signins"),
        ("zoom_operation_logs", "zoom_operation_logs"),
        ("zoom_meetings", "zoom_meetings"),
        ("zoom_participants", "zoom_participants"),
        ("zoom_participants_basic", "zoom_participants_basic"),
        ("zoom_participants_detailed", "zoom_participants_detailed"),
        ("zoom_recordings", "zoom_recordings"),
        ("zoom_users", "zoom_users"),
        ("zoom_chat_messages", "zoom_chat_messages"),
        ("departures", "departures"),
        ("assets", "assets"),
        ("vips", "vips"),
        ("meeting_history", "meeting_history"),
        ("recording_access", "recording_access"),
        ("disclaimers", "disclaimers"),
        ("remote_support", "remote_support"),
    ] {
        assert_eq!(count(&store, view), truth.counts[key], "{view}");
    }
    // Importing the same captures again adds nothing.
    import_paths(&mut store, &files, &ImportOptions::default()).unwrap();
    assert_eq!(
        count(&store, "zoom_participants"),
        truth.counts["zoom_participants"]
    );
    // The webhooks import without rejects and describe the same meetings.
    let s = import_paths(
        &mut store,
        &[out.join("webhooks.ndjson")],
        &ImportOptions::default(),
    )
    .unwrap();
    assert_eq!(
        s.counts.total_rejected(),
        0,
        "webhook rejects: {:?}",
        s.first_rejects
    );
    assert_eq!(
        count(&store, "zoom_webhook_events"),
        truth.counts["webhook_events"]
    );
    assert_eq!(
        count(&store, "zoom_meetings"),
        truth.counts["zoom_meetings"]
    );
    // Every sign-in also came as a webhook (no IP, lowercase client): one row per event still,
    // each of them merged from both doors.
    assert_eq!(count(&store, "zoom_signins"), truth.counts["zoom_signins"]);
    assert_eq!(
        count(&store, "zoom_signins WHERE via = 'report+webhook'"),
        truth.counts["zoom_signins"]
    );

    // Background activity is realistic, not clean: the naive SQL forms of two rules find the
    // plants among benign look-alikes (IPv6 privacy addresses, phones on carrier NAT, dual-stack
    // offices); the rules themselves tell them apart (tests/detect_precision.rs).
    let rows = |sql: &str| -> Vec<(String, String)> {
        let mut st = store.conn.prepare(sql).unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let new_ip = rows(
        "WITH s AS (SELECT DISTINCT email, time, ip_address FROM signins WHERE activity = 'Sign in' AND ip_address <> '')
         SELECT a.email, a.ip_address FROM s a
         WHERE (SELECT count(*) FROM s b WHERE b.email = a.email AND b.time < a.time) >= 3
           AND NOT EXISTS (SELECT 1 FROM s b WHERE b.email = a.email AND b.time < a.time AND b.ip_address = a.ip_address)",
    );
    let planted = &truth.incidents_of("signin-new-ip")[0];
    let want = (planted.user.clone().unwrap(), planted.ip.clone().unwrap());
    assert!(new_ip.contains(&want) && new_ip.len() > 1, "{new_ip:?}");
    let parallel = rows(
        "SELECT DISTINCT s.email, s.ip_address FROM signins s JOIN participants p ON p.email = s.email
         AND s.time > p.join_time AND s.time < p.leave_time AND p.ip_address <> s.ip_address AND p.ip_address <> ''
         WHERE s.activity = 'Sign in' AND s.ip_address <> ''",
    );
    let planted = &truth.incidents_of("parallel-session")[0];
    let want = (planted.user.clone().unwrap(), planted.ip.clone().unwrap());
    assert!(parallel.contains(&want), "{parallel:?}");
}
