//! Identity-provider and file-access imports (issue 19): Okta System Log, Entra ID sign-ins,
//! Google Workspace login/admin/drive activities, Microsoft 365 unified audit log records (JSON
//! and Purview's CSV export) and the generic data-access CSV, each written from the vendor's
//! documentation. Formats are sniffed from content; every record keeps its own raw text and
//! SHA-256; bad records are rejects with reasons.

mod common;

use common::case::{import, new_case};
use std::path::{Path, PathBuf};
use zoomlens::ingest::{ImportOptions, sniff_all};
use zoomlens::store::Store;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/beyond")
        .join(name)
}

/// Rows as text, NULL spelled `NULL`.
fn rows(store: &Store, sql: &str) -> Vec<Vec<String>> {
    common::case::rows(store, sql, "NULL")
}

/// Import fixture `name`, which must be sniffed as `format`.
fn import_sniffed(store: &mut Store, name: &str, format: &str) {
    let formats = sniff_all(&[fixture(name)], &ImportOptions::default()).unwrap();
    assert_eq!(formats[0].name(), format);
    import(store, &[fixture(name)]);
}

fn rejects(store: &Store) -> Vec<String> {
    rows(store, "SELECT reason FROM rejects ORDER BY id")
        .into_iter()
        .map(|r| r[0].clone())
        .collect()
}

#[test]
fn okta_system_log_array_gives_sign_ins_and_admin_actions() {
    let (_d, mut s) = new_case();
    let sum = import(&mut s, &[fixture("okta_logs.json")]);
    assert_eq!(sum.files[0].format, "JSON array");
    let got = rows(
        &s,
        "SELECT time, user, ip, action, outcome, is_signin, is_admin_action, COALESCE(app, ''),
                COALESCE(target, ''), COALESCE(location, ''), source
         FROM idp_events ORDER BY time",
    );
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!(
        got[0],
        [
            "2026-03-03T13:58:21Z",
            "Jane.Doe@acme-corp.example",
            "198.51.100.10",
            "user.session.start",
            "success",
            "1",
            "0",
            "Okta",
            "",
            "New York (United States)",
            "okta"
        ]
    );
    assert_eq!(got[1][3], "user.authentication.sso");
    assert_eq!(got[1][7], "Zoom", "the SSO's app is its AppInstance target");
    assert_eq!(got[2][3], "user.account.privilege.grant");
    assert_eq!((got[2][5].as_str(), got[2][6].as_str()), ("0", "1"));
    assert_eq!(got[2][8], "mallory.temp@acme-corp.example");
    // The event without a readable time is a reject naming the field.
    let r = rejects(&s);
    assert_eq!(r.len(), 1);
    assert!(r[0].contains("published: unparsable time"), "{r:?}");
    // Each record keeps its own JSON, hashed.
    let (raw, sha): (String, zoomlens::util::Sha256Sum) = s
        .conn
        .query_row(
            "SELECT raw, sha256 FROM idp_log WHERE action = 'user.account.privilege.grant'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(raw.trim_start().starts_with('{') && raw.contains("c1f3e7a2"));
    assert_eq!(sha, zoomlens::util::Sha256Sum::of(raw.as_bytes()));
    // Re-importing adds nothing.
    let again = import(&mut s, &[fixture("okta_logs.json")]);
    assert_eq!(again.counts.0["idp_log"].added, 0);
    assert_eq!(rows(&s, "SELECT count(*) FROM idp_log")[0][0], "3");
}

#[test]
fn entra_graph_page_keeps_each_sign_in_with_its_outcome_and_country() {
    let (_d, mut s) = new_case();
    import(&mut s, &[fixture("entra_signins.json")]);
    let got = rows(
        &s,
        "SELECT user, ip, outcome, app, country, location, source FROM idp_events ORDER BY time",
    );
    assert_eq!(got.len(), 2);
    assert_eq!(
        got[0],
        [
            "jdoe@acmecorp.onmicrosoft.com",
            "2001:db8:f:1:a1b2:c3d4:e5f6:1",
            "success",
            "Office 365 Exchange Online",
            "US",
            "New York (US)",
            "entra"
        ]
    );
    assert_eq!(got[1][2], "failure (50126)");
    assert_eq!(got[1][4], "BR");
    // The element, not the page, is the evidence; lines point into the pretty-printed page.
    let lines = rows(
        &s,
        "SELECT line, substr(raw, 1, 1) FROM idp_log ORDER BY line",
    );
    assert_eq!(lines[0], ["4", "{"]);
    assert_eq!(lines[1][0], "29");
    assert!(rejects(&s)[0].contains("missing userPrincipalName"));
}

#[test]
fn google_login_admin_and_drive_activities() {
    let (_d, mut s) = new_case();
    let files = [
        fixture("google_login.json"),
        fixture("google_admin_drive.ndjson"),
    ];
    let sum = import(&mut s, &files);
    assert_eq!(sum.files[0].format, "JSON");
    assert_eq!(sum.files[1].format, "NDJSON");
    let idp = rows(
        &s,
        "SELECT action, outcome, is_signin, is_admin_action, COALESCE(target, ''), ip FROM idp_events ORDER BY time",
    );
    assert_eq!(
        idp,
        [
            ["login_success", "success", "1", "0", "", "192.0.2.44"],
            ["login_failure", "failure", "1", "0", "", "203.0.113.77"],
            [
                "ASSIGN_ROLE",
                "success",
                "0",
                "1",
                "eve.ext@acme-corp.example",
                "203.0.113.77"
            ],
        ]
    );
    let files = rows(
        &s,
        "SELECT action, vendor_action, resource, COALESCE(shared_with, ''), source FROM data_access_events ORDER BY time, vendor_action",
    );
    assert_eq!(
        files,
        [
            [
                "download",
                "download",
                "FY27 Board Financials",
                "",
                "google-drive"
            ],
            [
                "share",
                "change_document_visibility",
                "FY27 Board Financials",
                "people_with_link",
                "google-drive"
            ],
            [
                "share",
                "change_user_access",
                "FY27 Board Financials",
                "someone@gmail.com",
                "google-drive"
            ],
        ]
    );
    // The edit is neither an access nor a share: counted as not stored.
    assert_eq!(sum.counts.0["data_access_log"].skipped, 1);
}

#[test]
fn m365_audit_records_json_and_purview_csv() {
    let (_d, mut s) = new_case();
    let sum = import(&mut s, &[fixture("m365_ual.ndjson")]);
    let got = rows(
        &s,
        "SELECT action, vendor_action, resource, ip, sensitivity, COALESCE(shared_with, '') FROM data_access_events ORDER BY time",
    );
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!(got[0][0], "download");
    assert!(got[0][2].ends_with("Q1 board deck.pptx"));
    assert_eq!(got[0][4], "c5d6e7f8-0a1b-2c3d-4e5f-6a7b8c9d0e1f");
    assert_eq!(
        (got[1][0].as_str(), got[1][3].as_str(), got[1][5].as_str()),
        ("share", "198.51.100.10", "partner@globex.example"),
        "the port comes off ClientIP"
    );
    assert_eq!(got[2][0], "sync");
    // UserLoggedIn is an Entra sign-in.
    let idp = rows(
        &s,
        "SELECT source, action, outcome, is_signin FROM idp_events",
    );
    assert_eq!(idp, [["entra", "UserLoggedIn", "success", "1"]]);
    assert_eq!(sum.counts.0["data_access_log"].skipped, 1, "FileModified");
    assert!(rejects(&s)[0].contains("missing UserId"));

    // The same records exported from Purview as CSV are the same events.
    let (_d2, mut s2) = new_case();
    import_sniffed(
        &mut s2,
        "purview_export.csv",
        "CSV Microsoft 365 audit export",
    );
    let got2 = rows(
        &s2,
        "SELECT action, event_id FROM data_access_events ORDER BY time",
    );
    assert_eq!(got2.len(), 2);
    assert_eq!(got2[0][1], "4f8a1a52-61f0-4c7e-93b9-08dc3b1c2d01");
    let raw: String = s2
        .conn
        .query_row("SELECT raw FROM data_access_log LIMIT 1", [], |r| r.get(0))
        .unwrap();
    assert!(
        raw.starts_with("4f8a1a52"),
        "the CSV line is the evidence: {raw}"
    );
    assert!(rejects(&s2)[0].contains("AuditData is not JSON"));
}

#[test]
fn generic_data_access_csv() {
    let (_d, mut s) = new_case();
    import_sniffed(&mut s, "data_access.csv", "CSV data access");
    let got = rows(
        &s,
        "SELECT time, email, action, resource, sensitivity, source FROM data_access_events ORDER BY time",
    );
    assert_eq!(
        got[0],
        [
            "2026-03-03T17:10:00Z",
            "jane.doe@acme-corp.example",
            "download",
            "\\\\fs01\\finance\\Payroll 2026.xlsx",
            "Highly Confidential",
            "csv:netskope"
        ]
    );
    assert_eq!(got[1][2], "share");
    assert_eq!(got.len(), 3);
    assert!(rejects(&s)[0].contains("missing user"));
    // A second import of the same file adds nothing.
    import(&mut s, &[fixture("data_access.csv")]);
    assert_eq!(rows(&s, "SELECT count(*) FROM data_access_log")[0][0], "3");
}

#[test]
fn people_match_zoom_users_by_email_in_any_case() {
    let (_d, mut s) = new_case();
    {
        let mut w = s.writer().unwrap();
        let o = w
            .origin(&zoomlens::model::Origin::new("file", "users"))
            .unwrap();
        w.user(
            &zoomlens::model::User {
                zoom_id: Some("z1".into()),
                email: "jane.doe@acme-corp.example".into(),
                ..Default::default()
            },
            &zoomlens::model::Evidence::new(o, Some(1), "{}"),
        )
        .unwrap();
        w.commit().unwrap();
    }
    import(&mut s, &[fixture("okta_logs.json")]);
    let got = rows(&s, "SELECT DISTINCT email FROM idp_events");
    assert_eq!(got, [["jane.doe@acme-corp.example"]]);
}

/// The console's timeline of a person shows their identity and file events, marked with their
/// source, with where the address is: the record's own location without a database, the
/// database's "City, CC" with one (as `open --geoip` or the config's geoip_db gives it).
#[test]
fn timeline_shows_identity_and_file_events_with_their_place() {
    use zoomlens::store::read::timeline::{self, Subject};
    use zoomlens::store::read::{CaseInfo, Cursor, Filter};
    let (d, mut s) = new_case();
    import(
        &mut s,
        &[fixture("okta_logs.json"), fixture("data_access.csv")],
    );
    let path = d.path().join("case.zl");
    drop(s);
    let s = Store::open_readonly(&path).unwrap();
    let info = CaseInfo::load(&s.conn).unwrap();
    let sub = Subject::User("jane.doe@acme-corp.example".into());
    let page = |f: &Filter| {
        timeline::page(&s.conn, &info, &sub, f, &Cursor::First, 50)
            .unwrap()
            .rows
    };
    let rows = page(&Filter::default());
    let kinds: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r.kind.as_str(), r.cells[3].as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("idp", "okta user.session.start"),
            ("idp", "okta user.authentication.sso"),
            ("idp", "okta user.account.privilege.grant"),
            ("file", "csv:netskope download"),
        ]
    );
    assert!(
        rows[0].cells[5].contains("New York (United States)"),
        "{:?}",
        rows[0].cells
    );
    // The text filter picks a source, or a place.
    let only = |t: &str| Filter {
        text: Some(t.into()),
        ..Default::default()
    };
    assert_eq!(page(&only("netskope")).len(), 1);
    assert_eq!(page(&only("Russia")).len(), 1);
    // With a geolocation database, the address's place comes from it.
    let cfg = zoomlens::detect::Config {
        geoip_db: Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/geo/geo.mmdb")),
        ..Default::default()
    };
    zoomlens::detect::sql_functions(&s.conn, &cfg).unwrap();
    let rows = page(&only("privilege"));
    assert!(
        rows[0].cells[5].contains("Moscow, RU"),
        "{:?}",
        rows[0].cells
    );
    let rows = page(&only("netskope"));
    assert!(
        rows[0].cells[5].contains("New York, US"),
        "{:?}",
        rows[0].cells
    );
}
