//! `cargo bench --bench ui`: drive the real console state and query code through scroll,
//! filter toggle, pivot and search on a big case and print keystroke-to-frame percentiles.
//!
//! The case is ZOOMLENS_BENCH_CASE if set (e.g. one built by `zoomlens gen`; built there when
//! missing), else target/bench-ui-N.case; a case this bench builds goes through the store
//! writer with ZOOMLENS_BENCH_PARTICIPANTS (N) participant sessions (default 5,000,000). Frames are drawn on a 160x48 TestBackend. As in
//! the console, counts and histograms come from the slow lane after the frame: they are timed
//! separately.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use zoomlens::model::*;
use zoomlens::tui::app::Action;
use zoomlens::tui::harness::Harness;
use zoomlens::tui::keymap::Cmd;

const USERS: usize = 5000;

fn build(path: &Path, sessions: usize) {
    let t = Instant::now();
    let mut store = zoomlens::store::Store::open(path).unwrap();
    let per_meeting = 20;
    let meetings = sessions / per_meeting;
    let t0 = 1_717_200_000i64; // 2024-06-01
    let span = 90 * 86400i64;
    let email = |u: usize| format!("user{u}@acme.com");
    let mut rng: u64 = 0x9E3779B97F4A7C15;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let ts =
        |s: i64| zoomlens::model::time::fmt_utc(chrono::DateTime::from_timestamp(s, 0).unwrap());
    let mut w = store.writer().unwrap();
    let o = w.origin(&Origin::new("file", "bench")).unwrap();
    for u in 0..USERS {
        let raw = format!("{{\"u\":{u}}}");
        w.user(
            &User {
                zoom_id: Some(format!("z{u}")),
                email: email(u),
                display_name: Some(format!("User {u}")),
                ..Default::default()
            },
            &Evidence::new(o, None, raw),
        )
        .unwrap();
    }
    w.commit().unwrap();
    let batch = 2000;
    for chunk in 0..meetings.div_ceil(batch) {
        let mut w = store.writer().unwrap();
        for m in chunk * batch..((chunk + 1) * batch).min(meetings) {
            let start = t0 + (m as i64 * span) / meetings as i64;
            let host = (next() as usize) % USERS;
            let uuid = format!("m{m}==");
            let mid = 80_000_000_000 + (m % 20_000) as i64;
            w.meeting(
                &Meeting {
                    uuid: uuid.clone(),
                    meeting_id: Some(mid),
                    topic: Some(format!(
                        "Topic {} {}",
                        m % 20_000,
                        ["sync", "board", "sales", "standup"][m % 4]
                    )),
                    host_email: Some(email(host)),
                    start_time: Some(ts(start)),
                    end_time: Some(ts(start + 3600)),
                    meeting_type: Some(8),
                    via: "report".into(),
                    ..Default::default()
                },
                &Evidence::new(o, None, format!("{{\"m\":{m}}}")),
            )
            .unwrap();
            for k in 0..per_meeting {
                let r = next() as usize;
                let (name, em) = if k == per_meeting - 1 && r.is_multiple_of(3) {
                    (format!("Guest {}", r % 100_000), String::new())
                } else if k == per_meeting - 2 && r.is_multiple_of(4) {
                    (
                        format!("Ext {}", r % 50_000),
                        format!("ext{}@partner{}.example", r % 50_000, r % 300),
                    )
                } else {
                    let u = if k == 0 { host } else { r % USERS };
                    (format!("User {u}"), email(u))
                };
                let join = start + (k as i64 * 17) % 600;
                w.participant(
                    &Participant {
                        meeting_uuid: uuid.clone(),
                        meeting_id: Some(mid),
                        user_id: format!("{k}"),
                        name: Some(name),
                        email: Some(em),
                        join_time: ts(join),
                        leave_time: Some(ts(join + 1800 + (r % 1800) as i64)),
                        ip_address: Some(format!(
                            "10.{}.{}.{}",
                            r % 200,
                            (r >> 8) % 250,
                            (r >> 16) % 250
                        )),
                        device: Some("Windows".into()),
                        pc_name: Some(format!("PC-{}", r % 8000)),
                        version: Some("6.0.2".into()),
                        via: "metrics".into(),
                        ..Default::default()
                    },
                    &Evidence::new(o, None, format!("{{\"m\":{m},\"k\":{k}}}")),
                )
                .unwrap();
            }
        }
        w.commit().unwrap();
        if chunk % 25 == 0 {
            eprintln!(
                "  built {} meetings in {:.0?}",
                (chunk + 1) * batch,
                t.elapsed()
            );
        }
    }
    let mut w = store.writer().unwrap();
    for i in 0..200_000usize {
        let u = (next() as usize) % USERS;
        w.signin(
            &SignIn {
                time: ts(t0 + (i as i64 * span) / 200_000),
                email: email(u),
                activity: "Sign in".into(),
                ip_address: Some(format!("10.9.{}.{}", u % 250, i % 250)),
                client_type: Some("Windows".into()),
                version: Some("6.0.2".into()),
                via: "report".into(),
                ..Default::default()
            },
            &Evidence::new(o, None, format!("{{\"s\":{i}}}")),
        )
        .unwrap();
    }
    for i in 0..50_000usize {
        let u = (next() as usize) % 50;
        w.operation(
            &Operation {
                time: ts(t0 + (i as i64 * span) / 50_000),
                operator: email(u),
                category_type: "Account".into(),
                action: "Update".into(),
                operation_detail: format!("Security  - Setting {}: from On to Off", i % 40),
                via: "report".into(),
            },
            &Evidence::new(o, None, format!("{{\"o\":{i}}}")),
        )
        .unwrap();
    }
    for i in 0..20_000usize {
        w.webhook_event(
            &WebhookEvent {
                event: "meeting.participant_joined".into(),
                event_ts: t0 * 1000 + i as i64,
                time: ts(t0 + (i as i64 * span) / 20_000),
                operator: Some(email(i % USERS)),
                object_id: Some(format!("m{i}==")),
                payload_sha256: zoomlens::util::Sha256Sum::of(&i.to_le_bytes()),
                ..Default::default()
            },
            &Evidence::new(o, None, format!("{{\"w\":{i}}}")),
        )
        .unwrap();
    }
    w.commit().unwrap();
    // 10,000 findings as the detection engine stores them (schema 2).
    let c = &store.conn;
    c.execute_batch("BEGIN;").unwrap();
    for i in 0..10_000i64 {
        let pid = 1 + (next() % sessions as u64) as i64;
        let (uuid, em, jt): (String, String, String) = c
            .query_row(
                "SELECT meeting_uuid, email, join_time FROM participants WHERE id = ?1",
                [pid],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        c.execute(
            "INSERT INTO findings (rule, fkey, severity, sev_rank, time, summary, user_email, meeting_uuid, detected_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, '2024-09-01T00:00:00Z')",
            rusqlite::params![
                ["brief-join", "external-in-sensitive-meeting", "signin-new-ip", "guest-screen-share"][i as usize % 4],
                format!("p{pid}:{i}"),
                ["low", "medium", "high", "critical"][(i as usize * 7) % 4],
                (i * 7) % 4 + 1,
                jt,
                format!("bench finding {i}"),
                em,
                uuid
            ],
        )
        .unwrap();
        c.execute(
            "INSERT INTO finding_evidence (finding_id, tbl, row_id) VALUES (?1, 'participants', ?2)",
            rusqlite::params![c.last_insert_rowid(), pid],
        )
        .unwrap();
    }
    c.execute_batch("COMMIT; ANALYZE;").unwrap();
    eprintln!("built {} in {:.1?}", path.display(), t.elapsed());
}

fn pct(mut v: Vec<Duration>) -> String {
    v.sort();
    let p = |q: f64| v[((v.len() as f64 - 1.0) * q).round() as usize];
    format!(
        "n={:<4} p50 {:>7.2} ms   p99 {:>7.2} ms   max {:>7.2} ms",
        v.len(),
        p(0.5).as_secs_f64() * 1e3,
        p(0.99).as_secs_f64() * 1e3,
        v.last().unwrap().as_secs_f64() * 1e3
    )
}

fn key(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn rss_mb() -> (f64, f64) {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let get = |k: &str| {
        s.lines()
            .find(|l| l.starts_with(k))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    };
    (get("VmRSS:"), get("VmHWM:"))
}

fn main() {
    // `cargo bench` passes --bench; ignore arguments.
    let n: usize = std::env::var("ZOOMLENS_BENCH_PARTICIPANTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5_000_000);
    // A named case that does not exist yet is built there (a few GB: /tmp, say).
    let case: PathBuf = match std::env::var_os("ZOOMLENS_BENCH_CASE") {
        Some(p) => p.into(),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("target/bench-ui-{n}.case")),
    };
    if !case.exists() {
        eprintln!("building a {n}-session case at {} (once)", case.display());
        let tmp = case.with_extension("tmp");
        let _ = std::fs::remove_file(&tmp);
        build(&tmp, n);
        std::fs::rename(&tmp, &case).unwrap();
    }
    let (rss0, _) = rss_mb();
    let t = Instant::now();
    let mut h = Harness::open_with(&case, 160, 48, true).unwrap();
    let first = t.elapsed();
    let slow = h.flush_slow().unwrap();
    let info = h.app.info.clone().unwrap_or_default();
    println!(
        "case {} ({} participant rows)",
        case.display(),
        info.participants
    );
    println!(
        "first frame                 {:>7.2} ms   (findings count arrived {:.2} ms later)",
        first.as_secs_f64() * 1e3,
        slow.as_secs_f64() * 1e3
    );

    // Scroll the findings queue (the console opens on the incidents) and a busy timeline.
    h.cmd(Cmd::PaneFindings).unwrap();
    h.flush_slow().unwrap();
    let mut scroll = vec![];
    for i in 0..600 {
        let c = if i % 50 == 49 {
            Cmd::HalfDown
        } else {
            Cmd::Down
        };
        scroll.push(h.timed(Action::Cmd(c)).unwrap());
        h.deferred.clear();
    }
    h.cmd(Cmd::Pivot).unwrap(); // a user's timeline
    h.flush_slow().unwrap();
    for _ in 0..300 {
        scroll.push(h.timed(Action::Cmd(Cmd::Down)).unwrap());
    }
    scroll.push(h.timed(Action::Cmd(Cmd::Bottom)).unwrap());
    for _ in 0..300 {
        scroll.push(h.timed(Action::Cmd(Cmd::Up)).unwrap());
    }
    h.deferred.clear();
    h.cmd(Cmd::PaneLedger).unwrap();
    for _ in 0..400 {
        scroll.push(h.timed(Action::Cmd(Cmd::Down)).unwrap());
    }
    println!("scroll                      {}", pct(scroll));

    // Filter toggles (external only, suspicious only) on the ledger, timeline and findings.
    let mut toggle = vec![];
    let mut slow_t = vec![];
    for pane in [Cmd::PaneFindings, Cmd::PaneLedger, Cmd::PaneTimeline] {
        h.cmd(pane).unwrap();
        h.deferred.clear();
        for c in ['x', 'x', 's', 's', 'v', 'v', 'v', 'v', 'v'] {
            toggle.push(h.timed(key(c)).unwrap());
            slow_t.push(h.flush_slow().unwrap());
        }
    }
    println!("filter toggle               {}", pct(toggle));
    println!(
        "  (slow lane: count+histogram after a toggle: {})",
        pct(slow_t)
    );

    // Pivots: findings → user → meeting → back, over many findings.
    h.cmd(Cmd::PaneFindings).unwrap();
    h.deferred.clear();
    let mut pivot = vec![];
    for i in 0..60 {
        pivot.push(h.timed(Action::Cmd(Cmd::Pivot)).unwrap()); // → user timeline
        pivot.push(h.timed(Action::Cmd(Cmd::Pivot)).unwrap()); // → meeting
        pivot.push(h.timed(Action::Cmd(Cmd::PaneGraph)).unwrap()); // graph around the linked user
        pivot.push(
            h.timed(Action::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)))
                .unwrap(),
        );
        pivot.push(
            h.timed(Action::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)))
                .unwrap(),
        );
        h.deferred.clear();
        for _ in 0..(i % 3 + 1) {
            h.act(Action::Cmd(Cmd::Down)).unwrap();
        }
        h.deferred.clear();
    }
    println!("pivot                       {}", pct(pivot));

    // Search: time from the keystroke that fires the debounced query to the frame with hits.
    let mut search = vec![];
    // The last three are words inside chat messages and operation details (a case from
    // `zoomlens gen` has them; "the" matches thousands of messages).
    for q in [
        "user12", "ext4", "10.3.4", "topic 77", "guest 99", "pc-12", "usr77", "board", "handover",
        "the", "role",
    ] {
        h.cmd(Cmd::Search).unwrap();
        for _ in 0..20 {
            h.act(Action::Key(KeyEvent::new(
                KeyCode::Backspace,
                KeyModifiers::NONE,
            )))
            .unwrap();
        }
        for c in q.chars() {
            let fx = zoomlens::tui::app::update(&mut h.app, key(c), h.now);
            h.run(fx).unwrap();
        }
        h.now += zoomlens::tui::app::DEBOUNCE_MS + 1;
        let d = h.timed(Action::Tick).unwrap();
        println!(
            "  search {q:<10} {:>7.2} ms, {} hits",
            d.as_secs_f64() * 1e3,
            h.app.search.hits.len()
        );
        search.push(d);
        h.act(Action::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)))
            .unwrap();
    }
    println!("search (after debounce)     {}", pct(search));
    let (rss, hwm) = rss_mb();
    println!("resident memory: now {rss:.0} MB, peak {hwm:.0} MB (process start {rss0:.0} MB)");
}
