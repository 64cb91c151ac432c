//! Import throughput on a capture of ≥1,000,000 participant rows, beside the machine's limit:
//! a bare rusqlite loop inserting the same rows (same columns, same schema and indexes) with
//! one prepared statement in one transaction.
//!
//! Run: `cargo bench --bench import` (rows: ZOOMLENS_BENCH_ROWS, default 1,000,200 = 3,334
//! pages of 300).

use rusqlite::params;
use std::io::Write;
use std::time::{Duration, Instant};
use zoomlens::ingest::{ImportOptions, import_paths};
use zoomlens::store::Store;

const PAGE: usize = 300;

/// Instance UUID of page `p`; every seventh starts with '/' so it must be double-encoded.
fn uuid(p: usize) -> String {
    if p.is_multiple_of(7) {
        format!("/b{p:08}nchUUIDxxxxxx==")
    } else {
        format!("b{p:08}+nchUUIDxxxxxx==")
    }
}

fn enc(s: &str) -> String {
    let once: String =
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string();
    percent_encoding::utf8_percent_encode(&once, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// Row `i` of page `p`, as the participant report returns it (compact JSON).
fn row(p: usize, i: usize) -> serde_json::Value {
    let n = (p * 31 + i * 7) % 7000;
    let (id, name, email) = if n < 5000 {
        (
            format!("zu{n:05}ABCDEFG"),
            format!("Person {n}"),
            format!("person{n}@acme.example"),
        )
    } else if n < 6500 {
        (
            String::new(),
            format!("Partner {n}"),
            format!("p{n}@partner{}.example", n % 40),
        )
    } else {
        (String::new(), format!("Guest {}", n % 300), String::new())
    };
    let base = 1_717_200_000 + (p as i64) * 3600;
    let join = base + (i as i64) * 5;
    let leave = join + 600 + (i as i64 % 50) * 60;
    let t = |s: i64| {
        chrono::DateTime::from_timestamp(s, 0)
            .unwrap()
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    };
    serde_json::json!({
        "id": id, "participant_user_id": id, "user_id": format!("{}", 16_000_000 + i),
        "name": name, "user_email": email, "join_time": t(join), "leave_time": t(leave),
        "duration": leave - join, "failover": false, "status": "in_meeting",
        "registrant_id": "", "customer_key": "", "bo_mtg_id": ""
    })
}

fn write_capture(path: &std::path::Path, pages: usize) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for p in 0..pages {
        let rows: Vec<serde_json::Value> = (0..PAGE).map(|i| row(p, i)).collect();
        let line = serde_json::json!({
            "path": format!("/v2/report/meetings/{}/participants", enc(&uuid(p))),
            "query": {"page_size": 300, "include_fields": "registrant_id"},
            "fetched_at": "2024-07-01T00:00:00Z",
            "body": {"page_count": 1, "page_size": 300, "total_records": PAGE,
                     "next_page_token": "", "participants": rows}
        });
        serde_json::to_writer(&mut f, &line).unwrap();
        f.write_all(b"\n").unwrap();
    }
    f.flush().unwrap();
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|k| k.parse::<f64>().ok())
            })
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// The same rows, same columns, into the same schema: one statement, one transaction.
fn bare_loop(path: &std::path::Path, pages: usize) -> Duration {
    let mut store = Store::open(path).unwrap();
    store
        .conn
        .execute(
            "INSERT INTO origins (kind, source) VALUES ('bench', 'bench')",
            [],
        )
        .unwrap();
    let tx = store.conn.transaction().unwrap();
    let mut st = tx
        .prepare(
            "INSERT INTO participants (meeting_uuid, user_id, join_time, meeting_id, zoom_user_id,
             participant_uuid, name, email, leave_time, duration, status, role, registrant_id,
             customer_key, failover, ip_address, location, network_type, data_center,
             connection_type, device, os, os_version, pc_name, domain, mac_addr, harddisk_id,
             version, leave_reason, share_application, share_desktop, share_whiteboard,
             recording, in_report, in_metrics, in_webhook, origin_id, line, raw, sha256)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
             ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34,
             ?35, ?36, ?37, ?38, ?39, ?40)",
        )
        .unwrap();
    let mut spent = Duration::ZERO;
    let none: Option<String> = None;
    for p in 0..pages {
        // Build the page's values outside the clock: only the inserts are the limit.
        let u = uuid(p);
        let vals: Vec<(serde_json::Value, String, String)> = (0..PAGE)
            .map(|i| {
                let r = row(p, i);
                let raw = r.to_string();
                let sha = zoomlens::util::sha256_hex(raw.as_bytes());
                (r, raw, sha)
            })
            .collect();
        let t0 = Instant::now();
        for (r, raw, sha) in &vals {
            let s = |k: &str| r[k].as_str().map(str::to_string);
            st.execute(params![
                u,
                s("user_id"),
                s("join_time"),
                none,
                s("id"),
                none,
                s("name"),
                s("user_email"),
                s("leave_time"),
                r["duration"].as_i64(),
                s("status"),
                none,
                s("registrant_id"),
                s("customer_key"),
                0i64,
                none,
                none,
                none,
                none,
                none,
                none,
                none,
                none,
                none,
                none,
                none,
                none,
                none,
                none,
                none,
                none,
                none,
                none,
                1i64,
                0i64,
                0i64,
                1i64,
                (p + 1) as i64,
                raw,
                sha
            ])
            .unwrap();
        }
        spent += t0.elapsed();
    }
    drop(st);
    let t0 = Instant::now();
    tx.commit().unwrap();
    spent + t0.elapsed()
}

fn main() {
    let rows: usize = std::env::var("ZOOMLENS_BENCH_ROWS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_200);
    let pages = rows.div_ceil(PAGE);
    let rows = pages * PAGE;
    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("capture.ndjson");
    let t0 = Instant::now();
    write_capture(&capture, pages);
    let size = std::fs::metadata(&capture).unwrap().len();
    println!(
        "capture: {rows} participant rows in {pages} pages, {:.0} MB, written in {:.1} s",
        size as f64 / 1e6,
        t0.elapsed().as_secs_f64()
    );
    let rss_before = peak_rss_mb();

    let case = dir.path().join("bench.case");
    let mut store = Store::open(&case).unwrap();
    let t0 = Instant::now();
    let s = import_paths(
        &mut store,
        std::slice::from_ref(&capture),
        &ImportOptions::default(),
    )
    .unwrap();
    let import = t0.elapsed();
    let c = &s.counts.0["participants"];
    assert_eq!(c.added as usize, rows, "{c:?}");
    assert_eq!(s.counts.total_rejected(), 0);
    let import_rate = rows as f64 / import.as_secs_f64();
    println!(
        "zoomlens import:   {:>8.2} s  {:>9.0} rows/s  (peak RSS {:.0} MB, {:.0} MB before)",
        import.as_secs_f64(),
        import_rate,
        peak_rss_mb(),
        rss_before
    );

    let t0 = Instant::now();
    let again = import_paths(
        &mut store,
        std::slice::from_ref(&capture),
        &ImportOptions::default(),
    )
    .unwrap();
    let re = t0.elapsed();
    assert_eq!(again.counts.0["participants"].present as usize, rows);
    println!(
        "re-import (all already present): {:.2} s  {:.0} rows/s",
        re.as_secs_f64(),
        rows as f64 / re.as_secs_f64()
    );
    drop(store);

    let bare = bare_loop(&dir.path().join("bare.case"), pages);
    let bare_rate = rows as f64 / bare.as_secs_f64();
    println!(
        "bare rusqlite loop: {:>7.2} s  {:>9.0} rows/s  (same columns, schema and indexes)",
        bare.as_secs_f64(),
        bare_rate
    );
    println!(
        "ratio import / bare: {:.2}x (aim: within 2x)",
        import.as_secs_f64() / bare.as_secs_f64()
    );
}
