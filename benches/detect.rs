//! Detection benchmark: every rule over a case with at least 5 million participant sessions.
//!
//!     cargo bench --bench detect                       # builds the case in a temp dir first
//!     ZOOMLENS_BENCH_CASE=/tmp/big.case cargo bench --bench detect   # build once, then reuse
//!     ZOOMLENS_BENCH_ROWS=1000000 ...                  # a smaller case
//!
//! The case is built through the store's Writer (the same path every import takes), with
//! dashboard-style raw JSON per session so the table has a realistic size. On a busy machine
//! the Writer alone takes long for 5 M rows, so `ZOOMLENS_BENCH_WRITER_ROWS` (default 1.2 M)
//! sessions go through the Writer and the rest are copies of them made in SQL, shifted by 30
//! days per copy (new instance UUIDs, same shapes). Prints per-rule and total times of two
//! runs (see `main`), and each run's peak private (anonymous) and file-backed resident memory.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::time::Instant;
use zoomlens::detect::{Config, RunStatus};
use zoomlens::model::*;
use zoomlens::store::Store;

const DAY: i64 = 86_400;
const START: i64 = 1_717_200_000; // 2024-06-01T00:00:00Z

fn ts(t: i64) -> String {
    time::fmt_utc(chrono::DateTime::from_timestamp(t, 0).unwrap())
}

fn build(path: &std::path::Path, rows: usize) {
    let t0 = Instant::now();
    let mut store = Store::open(path).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let users = 5_000usize;
    let partners = 300usize;
    let user_email = |i: usize| format!("user{i}@acme.com");
    let user_ip = |i: usize, k: usize| format!("10.{}.{}.{}", (i / 250) % 250, i % 250, 1 + k);
    let mut w = store.writer().unwrap();
    let origin = w
        .origin(&Origin::new("bench", "benches/detect.rs"))
        .unwrap();
    let mut line = 0i64;
    let mut ev = |raw: String| {
        line += 1;
        Evidence::new(origin, Some(line), raw)
    };
    for i in 0..users {
        let u = User {
            zoom_id: Some(format!("zu{i}")),
            email: user_email(i),
            first_name: Some(format!("First{i}")),
            last_name: Some(format!("Last{i}")),
            display_name: Some(format!("First{i} Last{i}")),
            status: Some("active".into()),
            last_client_version: Some(if i % 50 == 0 { "5.9.1" } else { "6.1.2" }.into()),
            ..Default::default()
        };
        let e = ev(format!("{{\"id\":\"zu{i}\",\"email\":\"{}\"}}", u.email));
        w.user(&u, &e).unwrap();
        if i % 250 == 0 {
            let v = Vip {
                email: user_email(i),
                name: Some(format!("First{i} Last{i}")),
                title: Some("VP".into()),
            };
            let e = ev(format!("vip,{i}"));
            w.vip(&v, &e).unwrap();
        }
        let a = Asset {
            pc_name: Some(format!("PC-{i}")),
            mac_addr: None,
            owner_email: user_email(i),
        };
        let e = ev(format!("asset,{i}"));
        w.asset(&a, &e).unwrap();
        if i % 500 == 0 {
            let d = Departure {
                email: user_email(i),
                departed_at: ts(START + 15 * DAY),
            };
            let e = ev(format!("dep,{i}"));
            w.departure(&d, &e).unwrap();
        }
        // Sign-ins: two a work day.
        for d in 0..30 {
            for k in 0..2 {
                let t = START + d * DAY + 8 * 3600 + rng.random_range(0..36_000);
                let ip = if rng.random::<f64>() < 0.01 {
                    format!(
                        "203.0.{}.{}",
                        rng.random_range(0..255),
                        rng.random_range(1..255)
                    )
                } else {
                    user_ip(i, k)
                };
                let s = SignIn {
                    time: ts(t),
                    email: user_email(i),
                    activity: "Sign in".into(),
                    ip_address: Some(ip.clone()),
                    client_type: Some("Mac".into()),
                    version: Some("6.1.2".into()),
                    via: "report".into(),
                    ..Default::default()
                };
                let e = ev(format!(
                    "{{\"email\":\"{}\",\"time\":\"{}\",\"ip_address\":\"{ip}\"}}",
                    s.email, s.time
                ));
                w.signin(&s, &e).unwrap();
            }
        }
    }
    // Operation log.
    for k in 0..5_000 {
        let t = START + rng.random_range(0..30 * DAY);
        let detail = match k % 5 {
            0 => "Security  - Waiting Room: from On to Off - Meeting topic length: from 10 to 20"
                .to_string(),
            1 => format!(
                "Change Role  - {}: from Member to Admin",
                user_email(rng.random_range(0..users))
            ),
            2 => format!(
                "Update User {}  - Job Title: set to Engineer",
                user_email(rng.random_range(0..users))
            ),
            3 => format!(
                "Delete Recording meeting_id:{}",
                900_000_000 + rng.random_range(0..20_000)
            ),
            _ => "Sign-In Password Requirement  - Include at least 1 letter: from Off to On"
                .to_string(),
        };
        let op = Operation {
            time: ts(t),
            operator: user_email(rng.random_range(0..20)),
            category_type: if k % 5 == 3 { "Recording" } else { "Account" }.into(),
            action: if k % 5 == 3 { "Delete" } else { "Update" }.into(),
            operation_detail: detail.clone(),
            via: "report".into(),
        };
        let e = ev(format!(
            "{{\"time\":\"{}\",\"operation_detail\":\"{detail}\",\"k\":{k}}}",
            op.time
        ));
        w.operation(&op, &e).unwrap();
    }
    w.commit().unwrap();
    eprintln!(
        "directory, sign-ins, operations: {:.1} s",
        t0.elapsed().as_secs_f64()
    );

    // Meetings and sessions: recurring series (many instances per meeting id) and ad-hoc.
    let mut made = 0usize;
    let mut inst = 0usize;
    let topics = [
        "Standup",
        "Weekly sync",
        "Board review",
        "Customer call",
        "1:1",
        "All hands",
        "Planning",
    ];
    while made < rows {
        let mut w = store.writer().unwrap();
        let batch_end = (made + 200_000).min(rows);
        while made < batch_end {
            inst += 1;
            let series = inst % 20_000;
            let mid = 900_000_000 + series as i64;
            let uuid = format!("inst{inst:08}==");
            let start = START + rng.random_range(0..30 * DAY);
            let len = 900 + rng.random_range(0..3600);
            let host = (series * 7) % users;
            let n = rng.random_range(2..14usize);
            let topic = topics[series % topics.len()];
            let m = Meeting {
                uuid: uuid.clone(),
                meeting_id: Some(mid),
                topic: Some(format!("{topic} {series}")),
                host_email: Some(user_email(host)),
                start_time: Some(ts(start)),
                end_time: Some(ts(start + len)),
                duration: Some(len / 60),
                via: "report".into(),
                ..Default::default()
            };
            let e = ev(format!(
                "{{\"uuid\":\"{uuid}\",\"id\":{mid},\"topic\":\"{topic}\",\"start_time\":\"{}\"}}",
                ts(start)
            ));
            w.meeting(&m, &e).unwrap();
            let registration = series.is_multiple_of(20);
            for k in 0..n {
                let r: f64 = rng.random();
                let join = start + rng.random_range(0..120);
                let leave = join + rng.random_range(60..len);
                let (email, name, ip, pc) = if r < 0.04 {
                    (
                        String::new(),
                        format!("Guest {}", rng.random_range(0..50_000)),
                        format!(
                            "198.51.{}.{}",
                            rng.random_range(0..255),
                            rng.random_range(1..255)
                        ),
                        None,
                    )
                } else if r < 0.12 {
                    let p = (series * 3 + k) % 3000;
                    (
                        format!("ext{p}@partner{}.com", p % partners),
                        format!("Ext {p}"),
                        format!("192.0.{}.{}", p % 250, 1 + (p / 250) % 250),
                        None,
                    )
                } else {
                    let u = (host + k * 13 + series) % users;
                    (
                        user_email(u),
                        format!("First{u} Last{u}"),
                        user_ip(u, k % 2),
                        Some(format!("PC-{u}")),
                    )
                };
                let p = Participant {
                    meeting_uuid: uuid.clone(),
                    meeting_id: Some(mid),
                    user_id: format!("{}", 16_000_000 + k),
                    zoom_user_id: None,
                    participant_uuid: Some(format!("pu{inst}-{k}")),
                    name: Some(name.clone()),
                    email: Some(email.clone()),
                    join_time: ts(join),
                    leave_time: Some(ts(leave)),
                    duration: Some(leave - join),
                    status: Some("in_meeting".into()),
                    role: Some(if k == 0 { "host" } else { "attendee" }.into()),
                    registrant_id: (registration && k % 3 != 2).then(|| format!("reg{inst}{k}")),
                    ip_address: Some(ip.clone()),
                    location: Some("Somewhere (US)".into()),
                    network_type: Some("Wifi".into()),
                    data_center: Some("US".into()),
                    connection_type: Some("UDP".into()),
                    device: Some("Mac".into()),
                    os: Some("Mac".into()),
                    os_version: Some("14.5".into()),
                    pc_name: pc.clone(),
                    version: Some(
                        if rng.random::<f64>() < 0.02 {
                            "5.9.1"
                        } else {
                            "6.1.2"
                        }
                        .into(),
                    ),
                    share_desktop: Some(rng.random::<f64>() < 0.08),
                    share_application: Some(false),
                    share_whiteboard: Some(false),
                    recording: Some(false),
                    via: "metrics".into(),
                    ..Default::default()
                };
                let raw = format!(
                    "{{\"id\":\"\",\"user_id\":\"{}\",\"user_name\":\"{name}\",\"email\":\"{email}\",\"role\":\"attendee\",\"status\":\"in_meeting\",\"device\":\"Mac\",\"ip_address\":\"{ip}\",\"location\":\"Somewhere (US)\",\"network_type\":\"Wifi\",\"data_center\":\"US\",\"full_data_center\":\"United States;US (Primary)\",\"connection_type\":\"UDP\",\"join_time\":\"{}\",\"leave_time\":\"{}\",\"share_application\":false,\"share_desktop\":false,\"share_whiteboard\":false,\"recording\":false,\"pc_name\":\"{}\",\"domain\":\"\",\"mac_addr\":\"\",\"harddisk_id\":\"\",\"version\":\"6.1.2\",\"leave_reason\":\"left the meeting\",\"participant_uuid\":\"pu{inst}-{k}\"}}",
                    p.user_id,
                    p.join_time,
                    p.leave_time.as_deref().unwrap_or(""),
                    pc.unwrap_or_default()
                );
                let e = ev(raw);
                w.participant(&p, &e).unwrap();
                made += 1;
            }
        }
        w.commit().unwrap();
        eprintln!("  {made} sessions, {:.0} s", t0.elapsed().as_secs_f64());
    }
    eprintln!(
        "case built: {made} sessions in {inst} instances, {:.1} s",
        t0.elapsed().as_secs_f64()
    );
}

/// Copy the Writer-built meetings and sessions, shifted by k × 30 days, until `rows` sessions.
fn top_up(store: &mut Store, rows: usize) {
    let count = |s: &Store| -> usize {
        s.conn
            .query_row("SELECT count(*) FROM participants", [], |r| {
                r.get::<_, i64>(0)
            })
            .unwrap() as usize
    };
    let mut k = 1;
    while count(store) < rows {
        let t = Instant::now();
        let need = rows - count(store);
        let tx = store.conn.transaction().unwrap();
        tx.execute_batch(&format!(
            "DROP TABLE IF EXISTS temp.base;
             CREATE TEMP TABLE base AS SELECT m.uuid FROM meetings m
               WHERE m.uuid NOT LIKE '%-r%' AND NOT EXISTS (SELECT 1 FROM meetings c WHERE c.uuid = m.uuid || '-r{k}')
               ORDER BY m.id LIMIT {lim};
             INSERT INTO meetings (uuid, meeting_id, topic, host_id, host_email, host_name, meeting_type,
               start_time, end_time, duration, participants_count, has_screen_share, has_recording, has_chat,
               via, origin_id, line, raw, sha256)
             SELECT uuid || '-r{k}', meeting_id, topic, host_id, host_email, host_name, meeting_type,
               strftime('%Y-%m-%dT%H:%M:%SZ', unixepoch(start_time) + {k} * 2592000, 'unixepoch'),
               strftime('%Y-%m-%dT%H:%M:%SZ', unixepoch(end_time) + {k} * 2592000, 'unixepoch'),
               duration, participants_count, has_screen_share, has_recording, has_chat, via, origin_id,
               line, raw, sha256 || '-r{k}'
             FROM meetings WHERE uuid IN (SELECT uuid FROM temp.base);
             INSERT INTO participants (meeting_uuid, user_id, join_time, meeting_id, zoom_user_id,
               participant_uuid, name, email, leave_time, duration, status, role, registrant_id,
               customer_key, failover, ip_address, location, network_type, data_center, connection_type,
               device, os, os_version, pc_name, domain, mac_addr, harddisk_id, version, leave_reason,
               share_application, share_desktop, share_whiteboard, recording, in_report, in_metrics,
               in_webhook, origin_id, line, raw, sha256)
             SELECT meeting_uuid || '-r{k}', user_id,
               strftime('%Y-%m-%dT%H:%M:%SZ', unixepoch(join_time) + {k} * 2592000, 'unixepoch'),
               meeting_id, zoom_user_id, participant_uuid, name, email,
               strftime('%Y-%m-%dT%H:%M:%SZ', unixepoch(leave_time) + {k} * 2592000, 'unixepoch'),
               duration, status, role, registrant_id, customer_key, failover, ip_address, location,
               network_type, data_center, connection_type, device, os, os_version, pc_name, domain,
               mac_addr, harddisk_id, version, leave_reason, share_application, share_desktop,
               share_whiteboard, recording, in_report, in_metrics, in_webhook, origin_id, line, raw,
               sha256 || '-r{k}'
             FROM participants WHERE meeting_uuid IN (SELECT uuid FROM temp.base);",
            lim = need / 7 + 1
        ))
        .unwrap();
        tx.commit().unwrap();
        eprintln!(
            "  copy {k}: {} sessions, {:.0} s",
            count(store),
            t.elapsed().as_secs_f64()
        );
        k += 1;
    }
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` runs this too: keep that instant.
    if std::env::args().any(|a| a == "--test" || a == "--list")
        || !std::env::args().any(|a| a == "--bench")
    {
        eprintln!("detect benchmark: run with `cargo bench --bench detect`");
        return;
    }
    let rows: usize = std::env::var("ZOOMLENS_BENCH_ROWS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5_000_000);
    let tmp = tempfile::tempdir().unwrap();
    let path = std::env::var_os("ZOOMLENS_BENCH_CASE")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| tmp.path().join("bench.case"));
    if !path.exists() {
        let through_writer: usize = std::env::var("ZOOMLENS_BENCH_WRITER_ROWS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(1_200_000)
            .min(rows);
        eprintln!(
            "building {} with {through_writer} participant sessions through the Writer...",
            path.display()
        );
        build(&path, through_writer);
    }
    let mut store = Store::open(&path).unwrap();
    top_up(&mut store, rows);
    let n: i64 = store
        .conn
        .query_row("SELECT count(*) FROM participants", [], |r| r.get(0))
        .unwrap();
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!(
        "case {} : {n} participant sessions, {:.1} GB",
        path.display(),
        size as f64 / 1e9
    );
    let cfg = Config::default();
    // ZOOMLENS_BENCH_RULES=a,b times only those rules (to work on one slow rule).
    let only: Vec<String> = std::env::var("ZOOMLENS_BENCH_RULES")
        .map(|s| s.split(',').map(|r| r.trim().to_string()).collect())
        .unwrap_or_default();
    // Two detect runs over all rules, as `zoomlens detect` does them. The first may find the
    // case file partly out of the page cache (as after a reboot, or when the machine reclaimed
    // it); the second finds it cached (as right after an import). Each run builds the narrow
    // session copy in the first rule that reads sessions, and the session snapshot on a
    // second thread from the start; a rule's time includes any wait for them.
    let mut reps = Vec::new();
    let mut totals = Vec::new();
    let mut peaks = Vec::new();
    for _ in 0..2 {
        let t0 = Instant::now();
        let (rep, peak) = peak_memory(|| zoomlens::detect::run(&mut store, &cfg, &only).unwrap());
        reps.push(rep);
        totals.push(t0.elapsed().as_secs_f64());
        peaks.push(peak);
    }
    println!(
        "{:<40} {:>7} {:>7} {:>9}  status",
        "rule", "run 1 s", "run 2 s", "findings"
    );
    for (r, r2) in reps[0].runs.iter().zip(&reps[1].runs) {
        assert_eq!(
            r.findings, r2.findings,
            "{}: a re-run found otherwise",
            r.rule
        );
        let st = match &r.status {
            RunStatus::Ok => "ok".to_string(),
            RunStatus::Skipped(w) => format!("could not run: {w}"),
        };
        println!(
            "{:<40} {:>7.2} {:>7.2} {:>9}  {}",
            r.rule,
            r.elapsed.as_secs_f64(),
            r2.elapsed.as_secs_f64(),
            r.findings,
            st
        );
    }
    println!(
        "{:<40} {:>7.2} {:>7.2} {:>9}",
        "TOTAL (all rules)",
        totals[0],
        totals[1],
        reps[0].total_findings()
    );
    // What issue 17's memory goal counts is private memory: the mapped case file and
    // temp files are page cache, which the OS shares and reclaims.
    let mb = |kb: u64| kb as f64 / 1024.0;
    for (i, p) in peaks.iter().enumerate() {
        match p {
            Some((anon, file)) => println!(
                "run {}: peak private memory (RssAnon) {:.0} MB; peak file-backed (RssFile: the mapped case and temp files) {:.0} MB",
                i + 1,
                mb(*anon),
                mb(*file)
            ),
            None => println!(
                "run {}: memory not measured (needs /proc/self/status)",
                i + 1
            ),
        }
    }
}

/// Runs `f`, sampling this process's resident memory from `/proc/self/status` every 20 ms:
/// the peak anonymous (private) and file-backed kilobytes, or None where there is no /proc.
fn peak_memory<T>(f: impl FnOnce() -> T) -> (T, Option<(u64, u64)>) {
    use std::sync::atomic::{AtomicBool, Ordering};
    let stop = std::sync::Arc::new(AtomicBool::new(false));
    let done = stop.clone();
    let sampler = std::thread::spawn(move || {
        let mut peak: Option<(u64, u64)> = None;
        loop {
            if let Some((anon, file)) = resident() {
                let p = peak.get_or_insert((0, 0));
                *p = (p.0.max(anon), p.1.max(file));
            }
            if done.load(Ordering::Relaxed) {
                return peak;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    });
    let out = f();
    stop.store(true, Ordering::Relaxed);
    (out, sampler.join().unwrap())
}

/// RssAnon and RssFile of this process, in kB.
fn resident() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
    };
    Some((kb("RssAnon:")?, kb("RssFile:")?))
}
