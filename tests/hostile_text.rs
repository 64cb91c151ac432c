//! Log text is the attacker's: on every output path it stays inert (terminal, JSON, CSV,
//! clipboard) while files keep the values faithfully.

mod detect_support;
use crossterm::event::KeyCode;
use detect_support::{Case, SessExt, sess, sharing_guest};
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

/// The identity-provider and file-access sources carry the attacker's text too (an Okta
/// target, a file name in a SharePoint URL): findings, SQL output and the console's timeline
/// and by-country table keep it inert.
#[test]
fn identity_and_file_events_stay_inert_on_every_path() {
    use zoomlens::model::beyond::{AccessKind, DataAccess, IdpEvent};
    let mut c = Case::new();
    c.user("raj@acme.example", "Raj");
    c.cfg.internal_domains = vec!["acme.example".into()];
    c.meeting(
        "m1",
        111,
        "Deal review",
        "raj@acme.example",
        "2026-03-03T14:00:00Z",
        "2026-03-03T15:00:00Z",
    );
    c.part(
        sess(
            "m1",
            "1",
            "Raj",
            "raj@acme.example",
            "2026-03-03T14:00:00Z",
            "2026-03-03T14:55:00Z",
        )
        .ip("198.51.100.10"),
    );
    c.part(
        sess(
            "m1",
            "2",
            "Pat",
            "pat@rival.example",
            "2026-03-03T14:05:00Z",
            "2026-03-03T14:55:00Z",
        )
        .ip("203.0.113.9"),
    );
    let file = format!("https://acme-my.sharepoint.com/Documents/confidential {NAME}.xlsx");
    let d = DataAccess {
        source: "m365".into(),
        event_id: "a1".into(),
        time: "2026-03-03T15:05:00Z".into(),
        user: "raj@acme.example".into(),
        action: AccessKind::Download,
        vendor_action: "FileDownloaded".into(),
        resource: file,
        sensitivity: format!("Confidential{NAME}"),
        ip: "198.51.100.10".into(),
        shared_with: None,
    };
    let e = IdpEvent {
        source: "okta".into(),
        event_id: "e1".into(),
        time: "2026-03-03T14:30:00Z".into(),
        user: "raj@acme.example".into(),
        ip: "203.0.113.250".into(),
        action: "user.account.privilege.grant".into(),
        outcome: "success".into(),
        is_admin_action: true,
        app: Some(NAME.into()),
        target: Some(EMAIL.into()),
        location: Some(format!("Moscow ({NAME})")),
        ..Default::default()
    };
    c.with(|w, ev| {
        let evd = ev(w);
        w.data_access(&d, &evd).unwrap();
        w.idp_event(&e, &evd).unwrap();
    });
    assert_eq!(c.run("data-access-after-external-meeting").len(), 1);
    for args in [
        vec!["detect", "--format", "json"],
        vec![
            "sql",
            "SELECT * FROM data_access_events",
            "--format",
            "json",
        ],
        vec![
            "sql",
            "SELECT * FROM idp_events",
            "--format",
            "csv",
            "--safe",
        ],
        vec!["sql", "SELECT * FROM idp_events"],
    ] {
        let (out, ok) = zl(&c, &args);
        assert!(ok, "{args:?}");
        assert!(
            hostile_bytes(&out).is_empty(),
            "{args:?}: {:?}",
            String::from_utf8_lossy(&out)
        );
    }
    let mut h =
        zoomlens::tui::harness::Harness::open(&c.dir.path().join("t.case"), 160, 45).unwrap();
    h.command("user raj@acme.example").unwrap();
    h.flush_slow().unwrap();
    h.draw().unwrap();
    let screen = h.screen();
    assert!(screen.contains("Timeline"), "{screen}");
    assert!(screen.contains("m365 download"), "{screen}");
    assert!(hostile_bytes(screen.as_bytes()).is_empty(), "{screen}");
    h.key(KeyCode::Char('p')).unwrap();
    h.flush_slow().unwrap();
    h.draw().unwrap();
    let screen = h.screen();
    assert!(screen.contains("by country"), "{screen}");
    assert!(screen.contains("Moscow"), "{screen}");
    assert!(hostile_bytes(screen.as_bytes()).is_empty(), "{screen}");
}
