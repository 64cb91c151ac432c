//! `zoomlens import`, `sql` and `status` as a user runs them: the real binary.

mod common;

use common::cli::{count, run as zoomlens, sql_rows, text};

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(name: &str) -> String {
    common::cli::fixture(name).display().to_string()
}

fn case_in(dir: &tempfile::TempDir) -> String {
    dir.path().join("case.zl").display().to_string()
}

#[test]
fn broken_lines_are_rejected_with_line_and_reason_and_the_rest_is_committed() {
    let dir = tempfile::tempdir().unwrap();
    let case = case_in(&dir);
    let file = fixture("broken_lines.ndjson");
    let out = zoomlens(&["import", &case, &file]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("4 records rejected"), "{stdout}");
    assert!(
        stdout.contains("broken_lines.ndjson:2: malformed JSON"),
        "{stdout}"
    );
    assert!(stdout.contains("broken_lines.ndjson:5: time: unparsable time \"last tuesday\""));

    let rejects = sql_rows(
        &case,
        "SELECT line, reason, raw FROM zoom_rejects ORDER BY line",
    );
    let lines: Vec<i64> = rejects
        .iter()
        .map(|r| r["line"].as_i64().unwrap())
        .collect();
    assert_eq!(lines, vec![2, 4, 5, 8]);
    assert_eq!(rejects[1]["reason"], "missing email");
    assert!(
        rejects[3]["reason"]
            .as_str()
            .unwrap()
            .contains("missing join_time")
    );
    // The broken line is kept whole.
    assert!(rejects[0]["raw"].as_str().unwrap().ends_with("BROKEN"));

    // Every good line before and after the bad ones is in the case.
    let n = sql_rows(
        &case,
        "SELECT (SELECT COUNT(*) FROM signins) AS s, (SELECT COUNT(*) FROM operations) AS o,
                (SELECT COUNT(*) FROM webhook_events) AS w",
    );
    assert_eq!(
        (n[0]["s"].as_i64(), n[0]["o"].as_i64(), n[0]["w"].as_i64()),
        (Some(3), Some(1), Some(2))
    );

    // Importing again adds nothing, and still says what is rejected.
    let out = zoomlens(&["import", &case, &file, "--json"]);
    assert_eq!(out.status.code(), Some(3));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for (table, c) in v["counts"].as_object().unwrap() {
        assert_eq!(c["added"], 0, "{table}");
        assert_eq!(c["merged"], 0, "{table}");
    }
    assert_eq!(v["rejected"], 4);
    assert_eq!(count(&case, "zoom_rejects"), 4);
}

#[test]
fn a_file_in_no_known_format_is_one_line_error_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let case = case_in(&dir);
    let bad = fixture("not_zoom.txt");
    let out = zoomlens(&["import", &case, &fixture("vips.csv"), &bad]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.contains("not_zoom.txt") && err.contains("nothing was imported"),
        "{err}"
    );
    // The case was not even created.
    assert!(!Path::new(&case).exists());
}

#[test]
fn seed_query_finds_the_external_in_a_recurring_engineering_meeting() {
    let dir = tempfile::tempdir().unwrap();
    let case = case_in(&dir);
    let out = zoomlens(&["import", &case, &fixture("engineering_capture.ndjson")]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let rows = sql_rows(
        &case,
        "SELECT meeting_id, user_email, COUNT(*) AS occurrences FROM zoom_participants \
         WHERE user_email NOT LIKE '%@acme.example' AND meeting_topic LIKE '%engineering%' \
         GROUP BY meeting_id, user_email HAVING occurrences > 3",
    );
    // Eve, in all five instances; not Mallory (twice), not the guest, not Eve's sales calls.
    assert_eq!(
        rows,
        vec![serde_json::json!({
            "meeting_id": 81234567890i64, "user_email": "eve@partner.example", "occurrences": 5
        })]
    );
}

#[test]
fn sql_refuses_to_modify_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let case = case_in(&dir);
    assert!(
        zoomlens(&["import", &case, &fixture("portal_signins.csv")])
            .status
            .success()
    );
    for q in [
        "DELETE FROM signins",
        "UPDATE signins SET email = 'x'",
        "DROP TABLE signins",
        "INSERT INTO vips (email, origin_id, raw, sha256) VALUES ('a', 1, '', '')",
    ] {
        let out = zoomlens(&["sql", &case, q]);
        assert!(!out.status.success(), "{q} was allowed");
        assert!(
            text(&out.stderr).contains("read-only"),
            "{q}: {}",
            text(&out.stderr)
        );
    }
    assert_eq!(count(&case, "signins"), 4);
}

#[test]
fn status_shows_a_silent_gap_in_one_source() {
    let dir = tempfile::tempdir().unwrap();
    let case = case_in(&dir);
    // Operations every day from the 1st to the 7th; sign-ins on the 1st, 2nd, 6th and 7th.
    let out = zoomlens(&[
        "import",
        &case,
        &fixture("portal_signins.csv"),
        &fixture("portal_operations_daily.csv"),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = zoomlens(&["status", &case]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    assert!(
        s.contains("sign-ins                 2024-06-02T08:00:00Z → 2024-06-06T08:00:00Z"),
        "{s}"
    );
    // Sources with nothing at all are flagged, and operations have no gap.
    assert!(s.contains("SILENT (no records)"), "{s}");
    assert!(
        s.lines()
            .any(|l| l.starts_with("operations") && l.ends_with("none")),
        "{s}"
    );
    assert!(s.lines().all(|l| l.chars().count() <= 100), "{s}");

    let out = zoomlens(&["status", &case, "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let signins = v["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == "sign-ins")
        .unwrap();
    assert_eq!(signins["records"], 4);
    assert_eq!(
        signins["gaps"],
        serde_json::json!([{"from": "2024-06-02T08:00:00Z", "to": "2024-06-06T08:00:00Z", "hours": 96.0}])
    );
}

/// A capture of `pages` participant pages of 300 rows.
fn big_capture(path: &Path, pages: usize) -> usize {
    let mut out = String::new();
    for p in 0..pages {
        let rows: Vec<serde_json::Value> = (0..300)
            .map(|i| {
                serde_json::json!({
                    "id": "", "user_id": format!("{}", 1000 + i), "name": format!("Guest {i}"),
                    "user_email": "", "join_time": format!("2024-06-{:02}T10:{:02}:{:02}Z", 1 + p % 28, i / 60, i % 60),
                    "duration": 60
                })
            })
            .collect();
        let line = serde_json::json!({
            "path": format!("/report/meetings/kill{p:05}==/participants"),
            "query": {}, "fetched_at": "2024-07-01T00:00:00Z",
            "body": {"participants": rows}
        });
        out.push_str(&line.to_string());
        out.push('\n');
    }
    std::fs::write(path, out).unwrap();
    pages * 300
}

#[test]
fn an_import_killed_midway_leaves_a_consistent_case_that_a_rerun_completes() {
    let dir = tempfile::tempdir().unwrap();
    let case = case_in(&dir);
    let capture: PathBuf = dir.path().join("big.ndjson");
    let total = big_capture(&capture, 150); // 45,000 rows: three batches
    let mut child = Command::new(env!("CARGO_BIN_EXE_zoomlens"))
        .args(["import", &case, capture.to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait for the first batch to commit, then SIGKILL.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let committed = loop {
        let n: i64 = rusqlite::Connection::open_with_flags(
            &case,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .and_then(|c| c.query_row("SELECT COUNT(*) FROM participants", [], |r| r.get(0)))
        .unwrap_or(0);
        if n > 0 || std::time::Instant::now() > deadline {
            break n;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(committed > 0, "no batch committed before the deadline");
    assert_eq!(
        committed % 300,
        0,
        "only whole pages (whole batches) are ever visible"
    );

    let c = rusqlite::Connection::open(&case).unwrap();
    let ok: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    eprintln!("killed with {committed} rows committed");
    let before: i64 = c
        .query_row("SELECT COUNT(*) FROM participants", [], |r| r.get(0))
        .unwrap();
    drop(c);
    if before as usize == total {
        eprintln!("the import finished before the kill landed");
        return;
    }
    let out = zoomlens(&["import", &case, capture.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let p = &v["counts"]["participants"];
    assert_eq!(p["present"].as_i64().unwrap(), before);
    assert_eq!(p["added"].as_i64().unwrap() + before, total as i64);
    assert_eq!(count(&case, "participants"), total as i64);
}
