//! Import speed and case size on `zoomlens gen` output, side by side in one run:
//!
//! * the Dashboard participant pages alone (`/metrics/meetings/{uuid}/participants`, the
//!   widest records), the whole tenant (captures, webhooks, CSV lists), and the tenant with the
//!   identity-provider and file-access logs `gen` also writes (this build only);
//! * for each: an older zoomlens binary given as `ZOOMLENS_BENCH_OLD` (today's import, same
//!   machine, same run), this build's import, and for the Dashboard pages SQLite's own C code
//!   inserting the same rows into this build's schema (`INSERT … SELECT` over the pages' JSON,
//!   every index kept, the raw text stored plain): the machine's limit for these rows.
//!
//! Each import runs the release binary as its own process under `/usr/bin/time`, so its peak
//! memory is its own. Rows/s counts every record the import handled; the size is the case
//! file (plus its log) over the bytes of the files it was imported from.
//!
//! Run: `cargo bench --bench import`. Knobs: `ZOOMLENS_BENCH_GEN=DIR` (a `zoomlens gen` output
//! folder; default: generated into target/bench-import with `ZOOMLENS_BENCH_USERS` users ×
//! `ZOOMLENS_BENCH_DAYS` days, default 2000 × 30), `ZOOMLENS_BENCH_OLD=/path/to/old/zoomlens`,
//! `ZOOMLENS_BENCH_GROUPS=dashboard,zoom,all` (which of the three to measure).

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;
use zoomlens::store::Store;

fn env(k: &str) -> Option<String> {
    std::env::var(k).ok().filter(|v| !v.is_empty())
}

fn bytes(paths: &[PathBuf]) -> u64 {
    paths
        .iter()
        .map(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
        .sum()
}

fn case_bytes(case: &Path) -> u64 {
    let mut wal = case.as_os_str().to_owned();
    wal.push("-wal");
    bytes(&[case.to_path_buf(), PathBuf::from(wal)])
}

struct Run {
    secs: f64,
    records: u64,
    case_bytes: u64,
    peak_mb: f64,
}

/// `BIN import CASE FILES --json` under /usr/bin/time: wall time, records handled, peak RSS.
fn import(bin: &Path, case: &Path, files: &[PathBuf]) -> Run {
    let _ = std::fs::remove_file(case);
    let times = case.with_extension("time");
    let t0 = Instant::now();
    let out = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(&times)
        .arg(bin)
        .arg("import")
        .arg(case)
        .args(files)
        .arg("--json")
        .env_remove("ZOOMLENS_LOG")
        .output()
        .expect("run /usr/bin/time zoomlens import");
    let secs = t0.elapsed().as_secs_f64();
    assert!(
        out.status.code().is_some_and(|c| c == 0 || c == 3),
        "import failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("import --json");
    let records = v["counts"]
        .as_object()
        .unwrap()
        .values()
        .map(|c| {
            ["added", "merged", "present", "rejected", "skipped"]
                .iter()
                .map(|k| c[k].as_u64().unwrap_or(0))
                .sum::<u64>()
        })
        .sum();
    let kb: f64 = std::fs::read_to_string(&times)
        .unwrap()
        .lines()
        .last()
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    Run {
        secs,
        records,
        case_bytes: case_bytes(case),
        peak_mb: kb / 1024.0,
    }
}

fn report(label: &str, r: &Run, input: u64) {
    println!(
        "  {label:<34} {:>8.1} s {:>10.0} rows/s   case {:>7.1} MB = {:.2}x the input   peak RSS {:>5.0} MB",
        r.secs,
        r.records as f64 / r.secs,
        r.case_bytes as f64 / 1e6,
        r.case_bytes as f64 / input as f64,
        r.peak_mb
    );
}

/// `BIN pack CASE` (the file to hand over) and `BIN unpack` of it: time and size against the
/// input.
fn pack(bin: &Path, case: &Path, input: u64) {
    let packed = case.with_extension("zlpack");
    let back = case.with_extension("back.zl");
    let _ = std::fs::remove_file(&packed);
    let _ = std::fs::remove_file(&back);
    let run = |args: &[&Path]| {
        let t0 = Instant::now();
        let ok = Command::new(bin)
            .args(args)
            .arg("--json")
            .env_remove("ZOOMLENS_LOG")
            .output()
            .expect("run zoomlens")
            .status
            .success();
        assert!(ok, "zoomlens {args:?} failed");
        t0.elapsed().as_secs_f64()
    };
    let secs = run(&[Path::new("pack"), case, &packed]);
    let size = std::fs::metadata(&packed).unwrap().len();
    let back_secs = run(&[Path::new("unpack"), &packed, &back]);
    println!(
        "  {:<34} {secs:>8.1} s   pack {:>7.1} MB = {:.2}x the input   unpack {back_secs:.1} s",
        "pack (to hand over)",
        size as f64 / 1e6,
        size as f64 / input as f64,
    );
    let _ = std::fs::remove_file(&packed);
    let _ = std::fs::remove_file(&back);
}

/// SQLite inserting the Dashboard rows itself: the pages loaded into a table first (not
/// timed), then one `INSERT … SELECT` over their JSON into `participants` with every index of
/// this schema, raw kept as plain text.
fn sqlite_limit(dir: &Path, pages: &Path) -> Run {
    let case = dir.join("limit.zl");
    let _ = std::fs::remove_file(&case);
    let store = Store::open(&case).unwrap();
    let c = &store.conn;
    c.execute_batch(
        "CREATE TEMP TABLE pages (line TEXT);
         INSERT INTO origins (kind, source) VALUES ('bench', 'bench');",
    )
    .unwrap();
    {
        let mut st = c.prepare("INSERT INTO temp.pages VALUES (?1)").unwrap();
        let f = std::io::BufReader::new(std::fs::File::open(pages).unwrap());
        for l in f.lines() {
            st.execute([l.unwrap()]).unwrap();
        }
    }
    let t0 = Instant::now();
    let n = c
        .execute(
            "INSERT INTO participants (meeting_uuid, user_id, join_time, zoom_user_id,
               participant_uuid, name, email, leave_time, duration, status, ip_address, location,
               network_type, data_center, connection_type, device, os, os_version, pc_name,
               domain, mac_addr, harddisk_id, version, leave_reason, share_application,
               share_desktop, share_whiteboard, recording, in_metrics, origin_id, line, raw,
               sha256)
             SELECT json_extract(p.line, '$.path'), coalesce(r.value ->> 'user_id', r.value ->> 'id', ''),
               r.value ->> 'join_time', r.value ->> 'id', r.value ->> 'participant_uuid',
               r.value ->> 'user_name', r.value ->> 'email', r.value ->> 'leave_time',
               r.value ->> 'duration', r.value ->> 'status', r.value ->> 'ip_address',
               r.value ->> 'location', r.value ->> 'network_type', r.value ->> 'data_center',
               r.value ->> 'connection_type', r.value ->> 'device', r.value ->> 'os',
               r.value ->> 'os_version', r.value ->> 'pc_name', r.value ->> 'domain',
               r.value ->> 'mac_addr', r.value ->> 'harddisk_id', r.value ->> 'version',
               r.value ->> 'leave_reason', r.value ->> 'share_application',
               r.value ->> 'share_desktop', r.value ->> 'share_whiteboard',
               r.value ->> 'recording', 1, 1, p.rowid, r.value, ''
             FROM temp.pages p, json_each(p.line, '$.body.participants') r
             WHERE true ON CONFLICT DO NOTHING",
            [],
        )
        .unwrap();
    c.execute_batch("DROP TABLE temp.pages").unwrap();
    let secs = t0.elapsed().as_secs_f64();
    drop(store);
    Run {
        secs,
        records: n as u64,
        case_bytes: case_bytes(&case),
        peak_mb: 0.0,
    }
}

fn main() {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_zoomlens"));
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-import");
    std::fs::create_dir_all(&root).unwrap();
    let gen_dir = match env("ZOOMLENS_BENCH_GEN") {
        Some(d) => PathBuf::from(d),
        None => {
            let users = env("ZOOMLENS_BENCH_USERS").unwrap_or("2000".into());
            let days = env("ZOOMLENS_BENCH_DAYS").unwrap_or("30".into());
            let d = root.join(format!("gen-{users}x{days}"));
            if !d.join("captures.ndjson").exists() {
                let t0 = Instant::now();
                let ok = Command::new(&bin)
                    .args([
                        "gen",
                        "--users",
                        &users,
                        "--days",
                        &days,
                        "--start",
                        "2026-10-01",
                    ])
                    .arg("--out")
                    .arg(&d)
                    .status()
                    .unwrap()
                    .success();
                assert!(ok, "zoomlens gen failed");
                println!(
                    "generated {users} users x {days} days in {:.0} s",
                    t0.elapsed().as_secs_f64()
                );
            }
            d
        }
    };
    let work = env("ZOOMLENS_BENCH_WORK")
        .map(PathBuf::from)
        .unwrap_or(root.clone());
    std::fs::create_dir_all(&work).unwrap();

    // The Dashboard participant pages, on their own (cut from this run's captures each time:
    // the work folder may have served another tenant).
    let dash = work.join("dashboard.ndjson");
    {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&dash).unwrap());
        let f =
            std::io::BufReader::new(std::fs::File::open(gen_dir.join("captures.ndjson")).unwrap());
        for l in f.lines() {
            let l = l.unwrap();
            let head = &l[..l.len().min(200)];
            if head.contains("/metrics/meetings/") && head.contains("/participants\"") {
                writeln!(out, "{l}").unwrap();
            }
        }
    }
    // Zoom's own sources (what every build reads), and then with the identity-provider and
    // file-access logs `gen` also writes (Okta, Entra ID, Microsoft 365, DLP CSV).
    let mut everything: Vec<PathBuf> = std::fs::read_dir(&gen_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.file_name().unwrap() != "truth.json")
        .collect();
    everything.sort();
    let beyond = [
        "okta.ndjson",
        "entra_signins.ndjson",
        "m365_audit.ndjson",
        "dlp.csv",
    ];
    let zoom: Vec<PathBuf> = everything
        .iter()
        .filter(|p| !beyond.iter().any(|b| p.ends_with(b)))
        .cloned()
        .collect();
    let old = env("ZOOMLENS_BENCH_OLD").map(PathBuf::from);

    // `ZOOMLENS_BENCH_GROUPS=dashboard,zoom,all` (the default) picks what to measure.
    let groups = env("ZOOMLENS_BENCH_GROUPS").unwrap_or("dashboard,zoom,all".into());
    for (group, name, files) in [
        (
            "dashboard",
            "Dashboard participant pages",
            vec![dash.clone()],
        ),
        ("zoom", "whole tenant (captures, webhooks, CSV lists)", zoom),
        (
            "all",
            "whole tenant with the Okta, Entra ID, M365 and DLP logs",
            everything,
        ),
    ] {
        if !groups.split(',').any(|g| g.trim() == group) {
            continue;
        }
        let input = bytes(&files);
        println!(
            "{name}: {:.1} MB of input ({})",
            input as f64 / 1e6,
            gen_dir.display()
        );
        if let Some(old) = &old
            && !name.contains("Okta")
        {
            let r = import(old, &work.join("old.zl"), &files);
            report(&format!("old import ({})", old.display()), &r, input);
            let _ = std::fs::remove_file(work.join("old.zl"));
        } else {
            println!(
                "  old import: not measured (ZOOMLENS_BENCH_OLD=/path/to/older/zoomlens; older builds do not read the identity and file-access logs)"
            );
        }
        let new = import(&bin, &work.join("new.zl"), &files);
        report("this build's import", &new, input);
        pack(&bin, &work.join("new.zl"), input);
        let _ = std::fs::remove_file(work.join("new.zl"));
        if files.len() == 1 {
            let lim = sqlite_limit(&work, &dash);
            report("SQLite INSERT…SELECT (raw plain)", &lim, input);
            let _ = std::fs::remove_file(work.join("limit.zl"));
        }
    }
}
