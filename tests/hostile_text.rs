//! Log text is the attacker's: on every output path it stays inert (terminal, JSON, CSV,
//! clipboard) while files keep the values faithfully.

mod detect_support;
use crossterm::event::KeyCode;
use detect_support::{Case, sharing_guest};
use std::process::Command;

const NAME: &str =
    "=HYPERLINK(\"http://evil.example\")\u{1b}]52;c;dG91Y2ggcHduZWQ=\u{7}\u{9b}2J\u{202e}\u{2060}";
const EMAIL: &str = "eve@evil.example\ntouch pwned\n";

fn case() -> Case {
    let mut c = Case::new();
    c.user("admin@acme.com", "Ada Admin");
    c.part(sharing_guest(NAME));
    c
}

fn zl(c: &Case, args: &[&str]) -> (Vec<u8>, bool) {
    let out = Command::new(env!("CARGO_BIN_EXE_zoomlens"))
        .arg(args[0])
        .arg(c.dir.path().join("t.case"))
        .args(&args[1..])
        .output()
        .unwrap();
    (out.stdout, out.status.success())
}

fn hostile_bytes(b: &[u8]) -> Vec<char> {
    String::from_utf8_lossy(b)
        .chars()
        .filter(|&ch| ch != '\n' && ch != '\r' && zoomlens::output::is_hostile(ch))
        .collect()
}

#[test]
fn csv_neutralises_formulas_and_escapes_when_safe() {
    let c = case();
    let q = "SELECT name FROM participants";
    // To a file or pipe: the value as stored, but a spreadsheet will not run it.
    let (out, ok) = zl(&c, &["sql", q, "--format", "csv"]);
    assert!(ok);
    let mut r = csv::Reader::from_reader(out.as_slice());
    let cell = r.records().next().unwrap().unwrap()[0].to_string();
    assert_eq!(cell, format!("'{NAME}"));
    // --safe (the default on a terminal): nothing left that acts on a terminal.
    let (out, ok) = zl(&c, &["sql", q, "--format", "csv", "--safe"]);
    assert!(ok);
    assert!(
        hostile_bytes(&out).is_empty(),
        "{:?}",
        String::from_utf8_lossy(&out)
    );
    assert!(String::from_utf8_lossy(&out).contains("'=HYPERLINK"));
}

#[test]
fn json_is_inert_bytes_with_the_same_value() {
    let mut c = case();
    c.run_all();
    for args in [
        vec!["sql", "SELECT name FROM participants", "--format", "json"],
        vec!["detect", "--format", "json"],
    ] {
        let (out, ok) = zl(&c, &args);
        assert!(ok, "{args:?}");
        assert!(
            hostile_bytes(&out).is_empty(),
            "{args:?}: raw control characters"
        );
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert!(v.to_string().contains("HYPERLINK"), "{args:?}");
    }
    let (out, _) = zl(
        &c,
        &["sql", "SELECT name FROM participants", "--format", "json"],
    );
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v[0]["name"], NAME, "JSON must stay faithful");
}

#[test]
fn the_console_copies_no_newline_or_escape() {
    let c = case();
    c.store
        .conn
        .execute(
            "INSERT INTO findings (rule, fkey, severity, sev_rank, time, summary, user_email,
               detected_at) VALUES ('r', 'k', 'high', 3, '2024-06-10T10:00:00Z', 's', ?1, 'now')",
            [EMAIL],
        )
        .unwrap();
    let mut h =
        zoomlens::tui::harness::Harness::open(&c.dir.path().join("t.case"), 140, 34).unwrap();
    // The console opens on Incidents; the finding is in the Findings pane.
    h.key(KeyCode::Char('2')).unwrap();
    h.key(KeyCode::Char('y')).unwrap();
    assert_eq!(
        h.copied.last().map(String::as_str),
        Some("eve@evil.exampletouch pwned")
    );
}
