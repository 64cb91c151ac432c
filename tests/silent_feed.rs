//! A feed that stops is noticed even when every feed stops: silence is judged over the window
//! the case was pulled for, not only between its first and last record.

mod detect_support;
use detect_support::Case;
use std::process::Command;

/// Sign-ins and operations every few hours from June 1 to June 4, then nothing, although the
/// sync asked Zoom for June 1–7 (fetched on June 8).
fn stopped_early() -> Case {
    let mut c = Case::new();
    c.user("ada@acme.com", "Ada Admin");
    for h in (0..96).step_by(3) {
        let t = format!("2024-06-{:02}T{:02}:10:00Z", 1 + h / 24, h % 24);
        c.signin(&t, "ada@acme.com", "198.51.100.7");
        c.op(
            &t,
            "ada@acme.com",
            "User",
            "Update",
            "Update User b@acme.com",
        );
    }
    c.store
        .conn
        .execute_batch(
            "INSERT INTO coverage (source, scope, win_from, win_to, state, detail, updated_at) VALUES
               ('signins', '', '2024-06-01', '2024-06-07', 'done', '', '2024-06-08T06:00:00Z'),
               ('operations', '', '2024-06-01', '2024-06-07', 'done', '', '2024-06-08T06:00:00Z');",
        )
        .unwrap();
    c
}

#[test]
fn every_feed_stopping_before_the_synced_window_ends_is_flagged() {
    let mut c = stopped_early();
    let found = c.run("source-silent");
    let about = |label: &str| {
        found
            .iter()
            .find(|f| f.summary.starts_with(&format!("no {label} for")))
            .unwrap_or_else(|| panic!("no gap for {label}: {found:#?}"))
    };
    for label in ["sign-ins", "operation logs"] {
        let f = about(label);
        assert!(f.summary.contains("2024-06-08T00:00:00Z"), "{}", f.summary);
        assert!(f.summary.contains("no other source"), "{}", f.summary);
    }

    // status agrees, with the window it judged over.
    let out = Command::new(env!("CARGO_BIN_EXE_zoomlens"))
        .args(["status", "--json"])
        .arg(c.dir.path().join("t.case"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["window"]["last"], "2024-06-08T00:00:00Z");
    assert_eq!(v["gap_hours"], 24.0);
    let signins = source(&v, "signins");
    let last_gap = signins["gaps"].as_array().unwrap().last().unwrap();
    assert_eq!(last_gap["to"], "2024-06-08T00:00:00Z");
    assert!(last_gap["hours"].as_f64().unwrap() > 70.0, "{last_gap}");

    // The threshold is the user's: a 4-day tolerance hides it.
    let out = Command::new(env!("CARGO_BIN_EXE_zoomlens"))
        .args(["status", "--json", "--gap-hours", "96"])
        .arg(c.dir.path().join("t.case"))
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let signins = source(&v, "signins");
    assert!(signins["gaps"].as_array().unwrap().is_empty(), "{signins}");
}

/// One source's entry in `status --json`.
fn source<'a>(status: &'a serde_json::Value, table: &str) -> &'a serde_json::Value {
    status["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["table"] == table)
        .unwrap_or_else(|| panic!("no source {table} in {status}"))
}

#[test]
fn a_quiet_end_within_the_threshold_is_not_a_gap() {
    let mut c = Case::new();
    c.user("ada@acme.com", "Ada Admin");
    for h in (0..160).step_by(3) {
        let t = format!("2024-06-{:02}T{:02}:10:00Z", 1 + h / 24, h % 24);
        c.signin(&t, "ada@acme.com", "198.51.100.7");
    }
    c.store
        .conn
        .execute_batch(
            "INSERT INTO coverage (source, scope, win_from, win_to, state, detail, updated_at) VALUES
               ('signins', '', '2024-06-01', '2024-06-07', 'done', '', '2024-06-08T06:00:00Z');",
        )
        .unwrap();
    let found = c.run("source-silent");
    assert!(found.is_empty(), "{found:#?}");
}
