//! `zoomlens detect` as a user runs it: JSON for machines, a table that reads at 100 columns.

mod detect_support;
use detect_support::{Case, sharing_guest};
use std::process::Command;

fn case() -> Case {
    let mut c = Case::new();
    c.user("admin@acme.com", "Ada Admin");
    c.op("2024-06-10T09:00:00Z", "admin@acme.com", "Account", "Update",
        "Security  - Waiting Room: from On to Off - Sign in with Two-Factor Authentication: from On to Off");
    // A guest whose name carries terminal escapes and a bidi override.
    c.part(sharing_guest("Evil\x1b]0;pwned\x07\u{202e}name"));
    c
}

fn detect(c: &Case, args: &[&str]) -> (String, String, bool) {
    let out = Command::new(env!("CARGO_BIN_EXE_zoomlens"))
        .arg("detect")
        .arg(c.dir.path().join("t.case"))
        .args(args)
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.success(),
    )
}

#[test]
fn json_has_the_documented_fields_and_evidence() {
    let c = case();
    let (out, err, ok) = detect(&c, &["--format", "json"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let arr = v.as_array().unwrap();
    let sec = arr
        .iter()
        .find(|f| f["rule"] == "security-setting-disabled")
        .unwrap();
    for k in [
        "rule",
        "severity",
        "time",
        "summary",
        "user",
        "meeting_id",
        "meeting_uuid",
        "ip",
        "technique",
        "incident",
        "state",
        "reason",
        "actor",
        "target",
        "question",
        "why",
        "evidence",
    ] {
        assert!(sec.get(k).is_some(), "missing {k}");
    }
    // Who did what to what, and why it fired.
    assert_eq!(sec["actor"], "admin@acme.com");
    assert_eq!(sec["target"], "Security settings");
    assert!(sec["incident"].is_i64(), "{sec}");
    assert_eq!(sec["state"], "new");
    assert!(sec["question"].as_str().unwrap().ends_with('?'));
    let why: Vec<&str> = sec["why"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert!(
        why.contains(&"weakens security: Waiting Room: On → Off"),
        "{why:?}"
    );
    assert!(why.iter().any(|w| w.contains("Two-Factor")), "{why:?}");
    // A guest's name reaches JSON faithfully (escaped as JSON, not as a terminal would).
    let share = arr
        .iter()
        .find(|f| f["rule"] == "guest-screen-share")
        .unwrap();
    assert_eq!(share["actor"], "guest 'Evil\x1b]0;pwned\x07\u{202e}name'");
    assert_eq!(sec["severity"], "high");
    assert_eq!(sec["time"], "2024-06-10T09:00:00Z");
    let ev = sec["evidence"].as_array().unwrap();
    let op = ev.iter().find(|e| e["table"] == "operations").unwrap();
    assert!(
        op["fields"]["operation_detail"]
            .as_str()
            .unwrap()
            .contains("Two-Factor")
    );
    assert!(op["origin"].as_str().unwrap().contains("test"));
    assert_eq!(ev.iter().filter(|e| e["table"] == "op_changes").count(), 2);
    // Raw bytes stay in the case; evidence shows normalised fields.
    assert!(op["fields"].get("raw").is_none());
    // "Could not run" goes to stderr so stdout stays JSON.
    assert!(err.contains("could not run join-after-departure"), "{err}");
}

#[test]
fn table_fits_100_columns_and_neutralises_log_text() {
    let c = case();
    let (out, _err, ok) = detect(&c, &[]);
    assert!(ok);
    for line in out.lines() {
        assert!(line.chars().count() <= 100, "too wide: {line}");
    }
    assert!(!out.contains('\x1b') && !out.contains('\u{202e}'), "{out}");
    assert!(out.contains("\\x1b]0;pwned"), "{out}");
    assert!(out.contains("guest-screen-share"));
    // Actor → target and the facts that made it fire, under each finding.
    assert!(out.contains("admin@acme.com → Security settings"), "{out}");
    assert!(out.contains("why · "), "{out}");
    assert!(out.contains("could not run join-after-departure: no HR departures list"));
}

#[test]
fn filters_and_errors() {
    let c = case();
    let (out, _, ok) = detect(&c, &["--format", "json", "--min-severity", "high"]);
    assert!(ok);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .all(|f| f["severity"] == "high" || f["severity"] == "critical")
    );
    let (out, _, ok) = detect(&c, &["--format", "json", "--rule", "guest-screen-share"]);
    assert!(ok);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1);
    let (_, err, ok) = detect(&c, &["--rule", "nope"]);
    assert!(!ok && err.contains("no rule \"nope\""), "{err}");
    let bad = c.dir.path().join("bad.toml");
    std::fs::write(&bad, "[rules.brief-join]\nmax_minute = 3\n").unwrap();
    let (_, err, ok) = detect(&c, &["--config", bad.to_str().unwrap()]);
    assert!(!ok && err.contains("max_minutes"), "{err}");
    let (_, err, ok) = {
        let out = Command::new(env!("CARGO_BIN_EXE_zoomlens"))
            .args(["detect", "/nonexistent/x.case"])
            .output()
            .unwrap();
        (
            String::new(),
            String::from_utf8(out.stderr).unwrap(),
            out.status.success(),
        )
    };
    assert!(!ok && err.contains("zoomlens import"), "{err}");
}
