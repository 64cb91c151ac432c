//! `zoomlens sync` against the in-process simulator over loopback: the synced case must equal
//! the tenant's truth in every view, with faults off and on, resume after SIGKILL, and a
//! second run must add nothing.

mod common;

use common::sync::{Sim, client, start_sim};
use common::tenant::{self, Shape};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use zoomlens::sim::server::SimConfig;
use zoomlens::sim::tenant::Tenant;
use zoomlens::store::Store;
use zoomlens::sync::plan::Source;
use zoomlens::sync::run::SyncOptions;
use zoomlens::zoom::Plan;

/// A tenant small enough for a quick pull that still has every kind of record.
fn small_shape() -> Shape {
    Shape {
        meetings: 6,
        big_meeting: 0,
        signins: 20,
        chat_per_user: 5,
        ..Shape::default()
    }
}

fn opts(shape: &Shape, users: Vec<String>, capture: Option<&Path>) -> SyncOptions {
    SyncOptions {
        from: tenant::first_day(shape).date_naive(),
        to: chrono::Utc::now().date_naive(),
        sources: Source::ALL.to_vec(),
        users,
        since_last: false,
        capture: capture.map(Path::to_path_buf),
    }
}

fn assert_equals_truth(case: &Path, t: &Tenant) {
    assert_equals_truth_on(case, t, Plan::Business)
}

/// Every API view holds exactly the truth's rows; on a plan without the Dashboard API, the
/// dashboard-only view is empty instead.
fn assert_equals_truth_on(case: &Path, t: &Tenant, plan: Plan) {
    let mut want = tenant::truth(t);
    assert!(
        want.values().filter(|n| **n > 0).count() >= 8,
        "tenant too thin to prove anything: {want:?}"
    );
    if plan != Plan::Business {
        want.insert("zoom_participants_detailed".into(), 0);
    }
    let views: Vec<&String> = want.keys().collect();
    let got = tenant::counts(case, &views);
    assert_eq!(got, want, "synced case differs from the tenant's truth");
}

fn coverage_states(case: &Path) -> Vec<(String, String, String)> {
    let c = rusqlite::Connection::open(case).unwrap();
    let mut st = c
        .prepare(
            "SELECT source, state, detail FROM coverage WHERE state NOT IN ('done') ORDER BY 1",
        )
        .unwrap();
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clean_sync_equals_truth_and_a_second_sync_adds_nothing() {
    let shape = Shape::default();
    let sim = Sim::start(&shape, SimConfig::default()).await;
    let cap = sim.dir.path().join("a.capture.ndjson");
    let r = sim
        .sync(Plan::Business, opts(&shape, vec![], Some(&cap)))
        .await;
    assert!(
        r.complete,
        "failed: {:?} stopped: {:?}",
        r.failed, r.stopped
    );
    assert_equals_truth(&sim.case, &sim.t);
    // Dashboard rows merged into the report rows (Business plan has the Dashboard API).
    let c = rusqlite::Connection::open(&sim.case).unwrap();
    let merged: i64 = c
        .query_row(
            "SELECT COUNT(*) FROM participants WHERE in_report = 1 AND in_metrics = 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(merged > 0);
    // Only the pending user's per-user calls may be "unavailable"; nothing failed.
    assert!(
        coverage_states(&sim.case)
            .iter()
            .all(|(_, s, _)| s != "failed")
    );
    // Every fetched page is in the capture, one JSON line each, without secrets.
    let text = std::fs::read_to_string(&cap).unwrap();
    let pages = r.sources.iter().map(|s| s.pages).sum::<u64>() as usize;
    assert_eq!(text.lines().count(), pages);
    assert!(!text.contains("sim-secret") && !text.to_lowercase().contains("bearer"));
    for l in text.lines() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        assert!(v["path"].is_string() && v["body"].is_object() && v["fetched_at"].is_string());
    }
    assert!(
        text.contains("%252F"),
        "UUIDs double-encoded in captured paths"
    );

    let r2 = sim.sync(Plan::Business, opts(&shape, vec![], None)).await;
    assert!(r2.complete);
    let added: u64 = r2.tables.0.values().map(|c| c.added).sum();
    assert_eq!(added, 0, "second sync added rows: {:?}", r2.tables);
    assert!(
        r2.units_skipped > 0,
        "completed windows are not fetched again"
    );
    assert_equals_truth(&sim.case, &sim.t);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_through_faults_equals_truth() {
    let shape = Shape::default();
    let cfg = SimConfig {
        fault_rate: 0.1,
        slow_delay: Duration::from_millis(300),
        seed: 7,
        ..SimConfig::default()
    };
    let sim = Sim::start(&shape, cfg).await;
    let r = sim.sync(Plan::Business, opts(&shape, vec![], None)).await;
    assert!(
        r.complete,
        "failed: {:?} stopped: {:?}",
        r.failed, r.stopped
    );
    assert!(
        r.retries > 0,
        "faults were injected, so some requests were retried"
    );
    assert_equals_truth(&sim.case, &sim.t);
}

/// The simulator's own generator (planted incidents, guests, rejoins, trash, chat channels):
/// faults off and at a 10% fault rate, the case equals `Tenant::truth()` in every API view.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_tenant_equals_truth_with_faults_off_and_at_ten_percent() {
    let t = Arc::new(tenant::generated(30, 10, 42));
    let from = t.start.unwrap();
    for (i, rate) in [0.0, 0.1].into_iter().enumerate() {
        let cfg = SimConfig {
            fault_rate: rate,
            slow_delay: Duration::from_millis(300),
            seed: 11 + i as u64,
            ..SimConfig::default()
        };
        let sim = Sim::serve(t.clone(), cfg).await;
        let o = SyncOptions {
            from,
            to: chrono::Utc::now().date_naive(),
            sources: Source::ALL.to_vec(),
            users: vec![],
            since_last: false,
            capture: None,
        };
        let r = sim.sync(Plan::Business, o).await;
        assert!(
            r.complete,
            "fault rate {rate}: {:?} {:?}",
            r.failed, r.stopped
        );
        if rate > 0.0 {
            assert!(r.retries > 0);
        }
        assert_equals_truth(&sim.case, &t);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_without_dashboard_records_metrics_unavailable_not_failed() {
    let shape = small_shape();
    let sim = Sim::start(
        &shape,
        SimConfig {
            plan: Plan::Pro,
            ..SimConfig::default()
        },
    )
    .await;
    let r = sim.sync(Plan::Pro, opts(&shape, vec![], None)).await;
    assert!(r.complete, "{:?}", r.failed);
    assert!(
        r.unavailable
            .iter()
            .any(|u| u.source == "metrics" && u.detail.contains("Dashboard"))
    );
    let states = coverage_states(&sim.case);
    assert!(
        states
            .iter()
            .any(|(s, st, _)| s == "metrics" && st == "unavailable"),
        "{states:?}"
    );
    // The probe costs one request; the other meetings are not asked.
    let metrics = r
        .sources
        .iter()
        .find(|s| s.source == Source::Metrics)
        .unwrap();
    assert_eq!(metrics.requests, 0, "a refused probe stores no page");
    assert_equals_truth_on(&sim.case, &sim.t, Plan::Pro);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_scope_fetches_their_meetings_only() {
    let shape = Shape {
        big_meeting: 0,
        ..Shape::default()
    };
    let sim = Sim::start(&shape, SimConfig::default()).await;
    let who = "USER1@example.com".to_string();
    let r = sim
        .sync(Plan::Business, opts(&shape, vec![who], None))
        .await;
    assert!(r.complete, "{:?}", r.failed);
    let hosted = sim.t.meetings_by_host.get("UID0001xyz").map_or(0, Vec::len) as i64;
    assert!(hosted > 0);
    let c = rusqlite::Connection::open(&sim.case).unwrap();
    let q = |sql: &str| -> i64 { c.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(q("SELECT COUNT(*) FROM zoom_meetings"), hosted);
    assert_eq!(
        q("SELECT COUNT(DISTINCT meeting_uuid) FROM participants"),
        hosted
    );
    // Their own channels and the one of USER0 they are a member of, each message once.
    let theirs: std::collections::BTreeSet<&str> = sim.t.chat_by_user["UID0001xyz"]
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert!(theirs.len() > shape.chat_per_user);
    assert_eq!(q("SELECT COUNT(*) FROM chat_messages"), theirs.len() as i64);
    // Chat went channel by channel, checkpointed per (user, channel, window): their three
    // channels and USER0's first one.
    assert_eq!(
        q(
            "SELECT COUNT(DISTINCT scope) FROM coverage WHERE source = 'chat' \
           AND scope LIKE 'channel:%:UID0001xyz' AND state = 'done'"
        ),
        4
    );
    assert_eq!(
        q("SELECT COUNT(*) FROM coverage WHERE scope = 'channels:UID0001xyz' AND state = 'done'"),
        1
    );
    // The meetings they joined (type=pastJoined) were asked for too, and checkpointed.
    assert!(
        q("SELECT COUNT(*) FROM coverage WHERE scope = 'joined:UID0001xyz' AND state = 'done'") > 0
    );
}

/// The real binaries: `zoomlens sim` as a child process, `zoomlens sync` killed with SIGKILL
/// mid-run and started again: equal to the truth, and the capture it wrote imports to the same.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_killed_with_sigkill_resumes_to_the_truth() {
    use std::io::BufRead;
    let (users, days, seed) = (30u32, 7u32, 7u64);
    let t = tenant::generated(users, days, seed);
    let exe = env!("CARGO_BIN_EXE_zoomlens");
    let mut sim = std::process::Command::new(exe)
        .args(["sim", "--bind", "127.0.0.1:0", "--plan", "business"])
        .args(["--users", &users.to_string(), "--days", &days.to_string()])
        .args(["--seed", &seed.to_string()])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(sim.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("sim said {line:?}"))
        .to_string();
    struct KillOnDrop(std::process::Child);
    impl Drop for KillOnDrop {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _sim = KillOnDrop(sim);

    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("k.case");
    let cap = dir.path().join("k.ndjson");
    let from = t.start.unwrap().to_string();
    let (case_s, cap_s, dir_p, base_s) = (
        case.to_str().unwrap().to_string(),
        cap.to_str().unwrap().to_string(),
        dir.path().to_path_buf(),
        base.clone(),
    );
    // The first run is slowed down so the kill lands mid-pull; the resumed run goes full speed.
    let cmd = move |share: &str| {
        let mut c = std::process::Command::new(exe);
        c.args(["sync", &case_s, "--from", &from, "--quiet"])
            .args(["--plan", "business", "--rate-share", share])
            .args(["--capture", &cap_s])
            .env("ZOOM_ACCOUNT_ID", "sim-account")
            .env("ZOOM_CLIENT_ID", "sim-client")
            .env("ZOOM_CLIENT_SECRET", "sim-secret")
            .env("ZOOM_OAUTH_BASE", &base_s)
            .env("ZOOMLENS_CONFIG_DIR", &dir_p)
            .env_remove("ZOOM_API_BASE");
        c
    };
    let mut child = cmd("0.25").spawn().unwrap();
    // Wait until some windows are checkpointed but the pull is far from finished.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let done: i64 = rusqlite::Connection::open(&case)
            .ok()
            .and_then(|c| {
                c.query_row(
                    "SELECT COUNT(*) FROM coverage WHERE source = 'participants' AND state = 'done'",
                    [],
                    |r| r.get(0),
                )
                .ok()
            })
            .unwrap_or(0);
        if done >= 5 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "sync made no progress"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "sync ended before the kill"
        );
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let mid = tenant::counts(&case, &[&"zoom_participants".to_string()]);
    let want = tenant::truth(&t);
    assert!(
        mid["zoom_participants"] < want["zoom_participants"],
        "killed too late"
    );
    let again = cmd.clone();
    let status = tokio::task::spawn_blocking(move || again("0.95").status().unwrap())
        .await
        .unwrap();
    assert!(status.success(), "resumed sync failed: {status:?}");
    assert_equals_truth(&case, &t);
    // The capture holds every page too: importing it gives the same case.
    let case2 = dir.path().join("replay.case");
    let mut s = Store::open(&case2).unwrap();
    let imported =
        zoomlens::ingest::import_paths(&mut s, std::slice::from_ref(&cap), &Default::default())
            .unwrap();
    drop(s);
    assert!(
        imported.first_rejects.is_empty(),
        "channel listings and every other page import without rejects: {:?}",
        imported.first_rejects
    );
    assert_equals_truth(&case2, &t);
}

/// `--since-last` asks only for what is new: windows start on the last completed day, and
/// participants of meetings already fetched are not asked again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn since_last_asks_only_for_the_new_days() {
    let shape = Shape {
        big_meeting: 0,
        ..Shape::default()
    };
    let sim = Sim::start(&shape, SimConfig::default()).await;
    let r = sim.sync(Plan::Business, opts(&shape, vec![], None)).await;
    assert!(r.complete);
    let cap = sim.dir.path().join("since.ndjson");
    let mut o = opts(&shape, vec![], Some(&cap));
    o.since_last = true;
    let r2 = sim.sync(Plan::Business, o).await;
    assert!(r2.complete, "{:?}", r2.failed);
    assert_eq!(r2.tables.0.values().map(|c| c.added).sum::<u64>(), 0);
    let today = chrono::Utc::now().date_naive().to_string();
    let text = std::fs::read_to_string(&cap).unwrap();
    let mut windowed = 0;
    for l in text.lines() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        let path = v["path"].as_str().unwrap();
        assert!(!path.contains("/participants"), "asked again: {path}");
        if let Some(from) = v["query"]["from"].as_str() {
            windowed += 1;
            assert!(from.starts_with(&today), "{path} from {from}");
        }
    }
    assert!(windowed > 0);
}

/// 1:1 chats need `to_contact`, which cannot be enumerated account-wide: with two or more
/// `--users`, each pair is asked once and checkpointed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scoped_users_ask_their_one_to_one_chats_once_per_pair() {
    let shape = Shape {
        meetings: 2,
        big_meeting: 0,
        chat_per_user: 6,
        ..Shape::default()
    };
    let sim = Sim::start(&shape, SimConfig::default()).await;
    let who = vec!["UID0001xyz".to_string(), "UID0002xyz".to_string()];
    let r = sim.sync(Plan::Business, opts(&shape, who, None)).await;
    assert!(r.complete, "{:?}", r.failed);
    let c = rusqlite::Connection::open(&sim.case).unwrap();
    let scopes: Vec<String> = c
        .prepare(
            "SELECT DISTINCT scope FROM coverage WHERE source = 'chat' AND scope LIKE 'contact:%'",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(scopes.len(), 1, "{scopes:?}");
    assert!(scopes[0].ends_with(":UID0001xyz"), "{scopes:?}");
    // The tenant's messages are all in channels: the pair adds none, the channels give the rest.
    let ids: std::collections::BTreeSet<&str> = ["UID0001xyz", "UID0002xyz"]
        .iter()
        .flat_map(|u| sim.t.chat_by_user[*u].iter())
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    let n: i64 = c
        .query_row("SELECT COUNT(*) FROM chat_messages", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, ids.len() as i64);
}

/// An app without the operation-log scope: Zoom answers 400 / 4711 naming it. The sync records
/// it for that source, fetches everything else, and says it is incomplete; status shows why
/// the operations are empty instead of calling the account quiet.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_scope_is_recorded_for_its_source_and_the_rest_is_fetched() {
    let shape = small_shape();
    let sim = Sim::start(
        &shape,
        SimConfig {
            missing_scopes: vec![Source::Operations],
            ..SimConfig::default()
        },
    )
    .await;
    let r = sim.sync(Plan::Business, opts(&shape, vec![], None)).await;
    assert!(!r.complete, "a missing scope leaves the sync incomplete");
    assert!(
        r.failed.is_empty(),
        "not a failure to retry: {:?}",
        r.failed
    );
    assert!(
        r.stopped.is_none(),
        "the other sources go on: {:?}",
        r.stopped
    );
    let states = coverage_states(&sim.case);
    let (_, _, detail) = states
        .iter()
        .find(|(s, st, _)| s == "operations" && st == "missing-scope")
        .unwrap_or_else(|| panic!("{states:?}"));
    assert!(
        detail.contains("report:read:operation_logs:admin"),
        "{detail}"
    );
    // Everything else arrived.
    let want = tenant::truth(&sim.t);
    let got = tenant::counts(&sim.case, &want.keys().collect::<Vec<_>>());
    assert_eq!(got["zoom_operation_logs"], 0);
    for (view, n) in &want {
        if view != "zoom_operation_logs" && !view.starts_with("zoom_operation") {
            assert_eq!(got[view], *n, "{view}");
        }
    }
    // status names it.
    let text = common::cli::status(&sim.case);
    assert!(
        text.contains("missing-scope") && text.contains("report:read:operation_logs"),
        "{text}"
    );
}

/// `doctor` tells granted, missing-scope and not-on-plan apart, one small request per source,
/// and `status` shows the answer kept in the case.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_names_missing_scopes_and_plan_limits() {
    let shape = small_shape();
    let t = Arc::new(tenant::build(&shape));
    let base = start_sim(
        t.clone(),
        SimConfig {
            plan: Plan::Pro,
            missing_scopes: vec![Source::Operations, Source::Recordings],
            ..SimConfig::default()
        },
    )
    .await;
    let client = client(&base, Plan::Pro);
    let today = tenant::first_day(&shape).date_naive() + chrono::Days::new(10);
    let caps = zoomlens::sync::doctor::check(&client, today).await;
    let state = |s: &str| {
        caps.sources
            .iter()
            .find(|c| c.source == s)
            .map(|c| (c.state.clone(), c.detail.clone()))
            .unwrap()
    };
    assert_eq!(state("users").0, "ok");
    assert_eq!(state("signins").0, "ok");
    let (st, detail) = state("operations");
    assert_eq!(st, "missing-scope");
    assert!(
        detail.contains("report:read:operation_logs:admin"),
        "{detail}"
    );
    assert_eq!(state("recordings").0, "missing-scope");
    assert_eq!(state("chat").0, "ok");
    assert_eq!(caps.sources.len(), Source::ALL.len(), "{caps:?}");
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("d.case");
    {
        let s = Store::open(&case).unwrap();
        zoomlens::sync::doctor::store(&s.conn, &caps).unwrap();
    }
    let text = common::cli::status(&case);
    assert!(
        text.contains("what the credentials can read") && text.contains("missing-scope"),
        "{text}"
    );
}
