//! Load benchmark for `zoomlens listen` (run: `cargo bench --bench listen`).
//!
//! Drives the real release binary over loopback with signed Zoom events (every webhook sample,
//! each made unique) at a fixed offered rate with many requests in flight, then checks the case:
//!
//! 1. steady: deliver for LISTEN_BENCH_SECS (60) at LISTEN_BENCH_RATE (2500/s), SIGTERM, and
//!    require stored = acknowledged (every acknowledged event present, nothing extra).
//! 2. kill: deliver again into a fresh case, SIGKILL the listener after LISTEN_BENCH_KILL_AT
//!    (8) seconds mid-stream, restart it on the same case, and require every event the client
//!    saw acknowledged to be in `webhook_events`.
//!
//! 3. with LISTEN_BENCH_SIM=1, both again with the simulator as the sender
//!    (`zoomlens sim --deliver-to URL --deliver-rate N --deliver-seconds S --deliver-acks F`,
//!    a synthetic tenant of LISTEN_BENCH_SIM_USERS users): its acknowledgement list is
//!    checked against `webhook_events` the same way.
//!
//! Knobs (environment): LISTEN_BENCH_RATE, LISTEN_BENCH_SECS, LISTEN_BENCH_CONC (256),
//! LISTEN_BENCH_KILL_AT, LISTEN_BENCH_SKIP_KILL=1, LISTEN_BENCH_SKIP_STEADY=1,
//! LISTEN_BENCH_SIM=1, LISTEN_BENCH_SIM_USERS (2000).

use serde_json::Value;
use std::collections::HashSet;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use zoomlens::listen::verify::sign;

#[path = "support/samples.rs"]
mod samples;
use samples::{env_or, templates};

const SECRET: &str = "bench-secret";
const TS_BASE: i64 = 1_750_000_000_000;

/// Event number `n`: a template with a unique event_ts (its identity in the check) and, for
/// participant events, a unique participant so sessions are new rows too.
fn event(tpl: &[Value], n: u64) -> Vec<u8> {
    let mut v = tpl[(n as usize) % tpl.len()].clone();
    v["event_ts"] = Value::from(TS_BASE + n as i64);
    if let Some(p) = v
        .pointer_mut("/payload/object/participant")
        .and_then(Value::as_object_mut)
    {
        p.insert("user_id".into(), Value::from(format!("{}", 30_000_000 + n)));
        p.insert("user_name".into(), Value::from(format!("Bench Person {n}")));
    }
    serde_json::to_vec(&v).unwrap()
}

struct Listener {
    child: Child,
    url: String,
}

fn start_listener(case: &Path) -> Listener {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zoomlens"))
        .arg("listen")
        .arg(case)
        .args(["--bind", "127.0.0.1:0", "--healthz-counts"])
        .env("ZOOM_WEBHOOK_SECRET_TOKEN", SECRET)
        .env_remove("ZOOMLENS_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start zoomlens listen");
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected banner {line:?}"))
        .to_string();
    // Keep draining stdout so the child never blocks on a full pipe.
    std::thread::spawn(move || {
        let mut sink = String::new();
        while out.read_line(&mut sink).unwrap_or(0) > 0 {
            sink.clear();
        }
    });
    Listener { child, url }
}

fn signal(child: &Child, sig: &str) {
    Command::new("kill")
        .args([sig, &child.id().to_string()])
        .status()
        .unwrap();
}

struct Run {
    offered: u64,
    acked: Vec<u64>,
    failed: u64,
    elapsed: Duration,
    latencies_ms: Vec<f64>,
}

/// Offer `rate` events/s for `secs` seconds (or until `stop` is set), `conc` in flight.
async fn drive(
    url: &str,
    rate: f64,
    secs: f64,
    conc: usize,
    first: u64,
    kill_at: Option<(f64, u32)>,
) -> Run {
    let tpl = Arc::new(templates());
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(3)) // Zoom's deadline: later answers do not count.
        .pool_max_idle_per_host(conc)
        .build()
        .unwrap();
    let permits = Arc::new(tokio::sync::Semaphore::new(conc));
    let mut tasks = tokio::task::JoinSet::new();
    let mut run = Run {
        offered: 0,
        acked: vec![],
        failed: 0,
        elapsed: Duration::ZERO,
        latencies_ms: vec![],
    };
    let reap = |r: (u64, bool, f64), run: &mut Run| {
        if r.1 {
            run.acked.push(r.0);
            run.latencies_ms.push(r.2);
        } else {
            run.failed += 1;
        }
    };
    let start = Instant::now();
    let total = (rate * secs) as u64;
    let mut killed = false;
    while run.offered < total {
        if let Some((at, pid)) = kill_at
            && !killed
            && start.elapsed().as_secs_f64() >= at
        {
            Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status()
                .unwrap();
            killed = true;
        }
        let due = ((start.elapsed().as_secs_f64() * rate) as u64 + 1).min(total);
        while run.offered < due {
            let permit = permits.clone().acquire_owned().await.unwrap();
            let n = first + run.offered;
            let (c, u, tpl) = (client.clone(), url.to_string(), tpl.clone());
            tasks.spawn(async move {
                let _p = permit;
                let body = event(&tpl, n);
                let ts = chrono::Utc::now().timestamp().to_string();
                let sig = sign(SECRET, &ts, &body);
                let t0 = Instant::now();
                let r = c
                    .post(&u)
                    .header("content-type", "application/json; charset=utf-8")
                    .header("x-zm-request-timestamp", ts)
                    .header("x-zm-signature", sig)
                    .body(body)
                    .send()
                    .await;
                let ok = matches!(&r, Ok(r) if r.status() == 200);
                (n, ok, t0.elapsed().as_secs_f64() * 1000.0)
            });
            run.offered += 1;
            while let Some(r) = tasks.try_join_next() {
                reap(r.unwrap(), &mut run);
            }
        }
        let next_due = start + Duration::from_secs_f64(run.offered as f64 / rate);
        tokio::time::sleep_until(
            next_due
                .max(Instant::now() + Duration::from_micros(200))
                .into(),
        )
        .await;
    }
    while let Some(r) = tasks.join_next().await {
        reap(r.unwrap(), &mut run);
    }
    run.elapsed = start.elapsed();
    run
}

/// Events in the case so far (read while the listener writes: WAL readers do not block it).
fn stored_count(case: &Path) -> i64 {
    rusqlite::Connection::open(case)
        .and_then(|db| db.query_row("SELECT COUNT(*) FROM webhook_events", [], |r| r.get(0)))
        .unwrap_or(0)
}

fn stored_ts(case: &Path) -> HashSet<i64> {
    let db = rusqlite::Connection::open(case).unwrap();
    let mut st = db.prepare("SELECT event_ts FROM webhook_events").unwrap();
    st.query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[((v.len() - 1) as f64 * p).round() as usize]
}

fn report(name: &str, run: &mut Run) {
    let secs = run.elapsed.as_secs_f64();
    println!(
        "[{name}] offered {} in {:.1} s: acknowledged {} ({:.0}/s), failed {}, latency ms p50 {:.1} p99 {:.1} max {:.1}",
        run.offered,
        secs,
        run.acked.len(),
        run.acked.len() as f64 / secs,
        run.failed,
        pct(&mut run.latencies_ms, 0.5),
        pct(&mut run.latencies_ms, 0.99),
        pct(&mut run.latencies_ms, 1.0),
    );
}

fn check_acked(case: &Path, acked: &[u64]) -> (usize, usize) {
    let stored = stored_ts(case);
    let missing = acked
        .iter()
        .filter(|n| !stored.contains(&(TS_BASE + **n as i64)))
        .count();
    (stored.len(), missing)
}

fn wait_exit(child: &mut Child, what: &str) {
    for _ in 0..600 {
        if let Some(s) = child.try_wait().unwrap() {
            assert!(s.success(), "{what}: listener exited {s:?}");
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{what}: listener did not stop within 30 s");
}

/// User + system CPU seconds a process has used (Linux /proc; 0 elsewhere).
fn cpu_secs(pid: u32) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    // Fields after the command name (which is in parentheses and may contain spaces).
    let rest = stat.rsplit_once(')').map(|x| x.1).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11).and_then(|v| v.parse().ok()).unwrap_or(0.0)
        + f.get(12).and_then(|v| v.parse().ok()).unwrap_or(0.0);
    ticks / 100.0 // USER_HZ is 100 on Linux
}

fn main() {
    let rate: f64 = env_or("LISTEN_BENCH_RATE", 2500.0);
    let secs: f64 = env_or("LISTEN_BENCH_SECS", 60.0);
    let conc: usize = env_or("LISTEN_BENCH_CONC", 256);
    let kill_at: f64 = env_or("LISTEN_BENCH_KILL_AT", 8.0);
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    println!(
        "listen bench: {} templates, offered {rate}/s, {conc} in flight, binary {}",
        templates().len(),
        env!("CARGO_BIN_EXE_zoomlens")
    );
    let mut ok = true;

    if std::env::var("LISTEN_BENCH_SKIP_STEADY").is_err() {
        let case: PathBuf = dir.path().join("steady.case");
        let mut l = start_listener(&case);
        let mut run = rt.block_on(drive(&l.url, rate, secs, conc, 0, None));
        let health: Value = rt.block_on(async {
            reqwest::get(l.url.replace("/webhook", "/healthz"))
                .await
                .unwrap()
                .json()
                .await
                .unwrap()
        });
        // /healthz has counts only when the listener is asked for them; the case always does.
        let stored = stored_count(&case) as f64;
        let commits = match health["batches"].as_f64() {
            Some(b) => format!(
                "in {b} commits ({:.1} events per commit)",
                stored / b.max(1.0)
            ),
            None => "(commit count: /healthz counts are off)".into(),
        };
        let cpu = cpu_secs(l.child.id());
        println!(
            "[steady] listener: {stored} stored {commits}, {cpu:.1} CPU s ({:.0} µs CPU per event)",
            cpu * 1e6 / stored.max(1.0)
        );
        signal(&l.child, "-TERM");
        wait_exit(&mut l.child, "steady");
        report("steady", &mut run);
        let (stored, missing) = check_acked(&case, &run.acked);
        println!(
            "[steady] stored {stored}, acknowledged {}, acknowledged-but-missing {missing} → {}",
            run.acked.len(),
            if stored == run.acked.len() && missing == 0 {
                "stored = acknowledged"
            } else {
                "MISMATCH"
            }
        );
        ok &= missing == 0 && stored >= run.acked.len();
    }

    if std::env::var("LISTEN_BENCH_SKIP_KILL").is_err() {
        let case = dir.path().join("kill.case");
        let l = start_listener(&case);
        let pid = l.child.id();
        let mut child = l.child;
        let mut run = rt.block_on(drive(
            &l.url,
            rate,
            kill_at + 4.0,
            conc,
            10_000_000,
            Some((kill_at, pid)),
        ));
        let st = child.wait().unwrap();
        report("kill", &mut run);
        println!("[kill] listener SIGKILLed at {kill_at} s (exit {st:?})");
        // Restart on the same case: it must open (WAL recovery) and serve again.
        let mut again = start_listener(&case);
        signal(&again.child, "-TERM");
        wait_exit(&mut again.child, "restart");
        let (stored, missing) = check_acked(&case, &run.acked);
        println!(
            "[kill] after restart: rows in webhook_events {stored}, acknowledged by the client {}, acknowledged-but-missing {missing} → {}",
            run.acked.len(),
            if missing == 0 {
                "no acknowledged event lost"
            } else {
                "LOST EVENTS"
            }
        );
        ok &= missing == 0 && !run.acked.is_empty();
    }
    if std::env::var("LISTEN_BENCH_SIM").is_ok() {
        let users: u32 = env_or("LISTEN_BENCH_SIM_USERS", 2000);
        ok &= sim_phase("sim-steady", dir.path(), rate, secs, users, conc, None);
        ok &= sim_phase(
            "sim-kill",
            dir.path(),
            rate,
            kill_at + 4.0,
            users,
            conc,
            Some(kill_at),
        );
    }
    if !ok {
        eprintln!("listen bench: FAILED");
        std::process::exit(1);
    }
}

/// The simulator delivers its tenant's events; its acknowledgement list must be in the case.
fn sim_phase(
    name: &str,
    dir: &Path,
    rate: f64,
    secs: f64,
    users: u32,
    conc: usize,
    kill_at: Option<f64>,
) -> bool {
    let case = dir.join(format!("{name}.case"));
    let acks = dir.join(format!("{name}.acks"));
    let mut l = start_listener(&case);
    let t0 = Instant::now();
    let mut sim = Command::new(env!("CARGO_BIN_EXE_zoomlens"))
        .args([
            "sim",
            "--bind",
            "127.0.0.1:0",
            "--users",
            &users.to_string(),
        ])
        .args(["--deliver-to", &l.url])
        .args(["--deliver-rate", &rate.to_string()])
        .args(["--deliver-seconds", &(secs.ceil() as u64).to_string()])
        .args(["--deliver-concurrency", &conc.to_string()])
        .arg("--deliver-acks")
        .arg(&acks)
        .env("ZOOM_WEBHOOK_SECRET_TOKEN", SECRET)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start zoomlens sim");
    let sim_out = sim.stdout.take().unwrap();
    let lines = std::thread::spawn(move || {
        std::io::BufReader::new(sim_out)
            .lines()
            .map_while(Result::ok)
            .collect::<Vec<_>>()
    });
    if let Some(at) = kill_at {
        // The simulator builds its tenant before delivering; count from the first acknowledgement.
        let started = loop {
            if stored_count(&case) > 0 {
                break Instant::now();
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        while started.elapsed().as_secs_f64() < at {
            std::thread::sleep(Duration::from_millis(10));
        }
        signal(&l.child, "-KILL");
        let _ = l.child.wait();
    }
    let status = sim.wait().unwrap();
    let out = lines.join().unwrap();
    if kill_at.is_none() {
        signal(&l.child, "-TERM");
        wait_exit(&mut l.child, name);
    } else {
        let mut again = start_listener(&case);
        signal(&again.child, "-TERM");
        wait_exit(&mut again.child, name);
    }
    let summary = out
        .iter()
        .find(|l| l.starts_with("delivered:"))
        .cloned()
        .unwrap_or_else(|| format!("(no delivery summary; sim exited {status:?})"));
    println!(
        "[{name}] simulator: {summary} (wall {:.1} s incl. tenant build)",
        t0.elapsed().as_secs_f64()
    );
    let acked: Vec<(String, i64)> = std::fs::read_to_string(&acks)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .map(|v| {
            (
                v["event"].as_str().unwrap_or("").to_string(),
                v["event_ts"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    let db = rusqlite::Connection::open(&case).unwrap();
    let mut st = db
        .prepare("SELECT event, event_ts FROM webhook_events")
        .unwrap();
    let stored: HashSet<(String, i64)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    drop(st);
    // The tenant has distinct events sharing (event, event_ts): compare row counts too.
    let rows: i64 = db
        .query_row("SELECT COUNT(*) FROM webhook_events", [], |r| r.get(0))
        .unwrap();
    let missing = acked.iter().filter(|k| !stored.contains(*k)).count();
    println!(
        "[{name}] rows in webhook_events {rows}, acknowledged to the simulator {}, acknowledged-but-missing {missing} → {}",
        acked.len(),
        if missing == 0 {
            "no acknowledged event lost"
        } else {
            "LOST EVENTS"
        }
    );
    missing == 0 && !acked.is_empty()
}
