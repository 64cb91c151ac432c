//! One sign-in event is one `signins` row, whichever doors it came through: the
//! `user.signed_in/out` webhook (no IP, lowercase client type) and the `/report/activities`
//! row for the same event merge, in either import order, and re-imports add nothing.

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;
use zoomlens::ingest::{ImportOptions, ImportSummary, import_paths};
use zoomlens::store::Store;
use zoomlens::store::read::timeline::{self, Subject};
use zoomlens::store::read::{CaseInfo, Cursor, Filter};

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/zoom/samples")
        .join(name)
}

fn read_json(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// The webhook sample's object (email, second, client, version).
fn webhook_object(name: &str) -> Value {
    read_json(&sample(name))["payload"]["object"].clone()
}

/// A `/report/activities` page built from the real sample page: its first row (which has an
/// IP), moved to each given (type, time, ip) with the report's spelling of the webhook's
/// client ("mac" -> "Mac") and its version.
fn report_page(dir: &Path, name: &str, wh: &Value, rows: &[(&str, &str)]) -> PathBuf {
    let mut page = read_json(&sample("report_activities.json"));
    let base = page["activity_logs"][0].clone();
    let logs: Vec<Value> = rows
        .iter()
        .map(|(kind, ip)| {
            let mut r = base.clone();
            r["email"] = wh["email"].clone();
            r["time"] = wh["date_time"].clone();
            r["type"] = json!(kind);
            r["ip_address"] = json!(ip);
            r["client_type"] = json!("Mac");
            r["version"] = wh["version"].clone();
            r
        })
        .collect();
    page["activity_logs"] = json!(logs);
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_string_pretty(&page).unwrap()).unwrap();
    p
}

fn import(store: &mut Store, files: &[PathBuf]) -> ImportSummary {
    let s = import_paths(store, files, &ImportOptions::default()).unwrap();
    assert_eq!(s.counts.total_rejected(), 0, "{:?}", s.first_rejects);
    s
}

fn signins(s: &ImportSummary) -> (u64, u64, u64) {
    let c = &s.counts.0["signins"];
    (c.added, c.merged, c.present)
}

/// Import one file; (added, merged, present) sign-ins.
fn signins_of(store: &mut Store, file: &Path) -> (u64, u64, u64) {
    signins(&import(store, &[file.to_path_buf()]))
}

fn count(store: &Store, sql: &str) -> i64 {
    store.conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// Everything a sign-in row says, and the set of evidence kept for it (primary first).
fn row_and_evidence(store: &Store) -> Vec<(Vec<Value>, Vec<String>)> {
    let mut st = store
        .conn
        .prepare(
            "SELECT id, email, time, activity, ip_address, client_type, version, login_type, via,
             raw, sha256 FROM signins ORDER BY time, ip_address",
        )
        .unwrap();
    let rows: Vec<(i64, Vec<Value>)> = st
        .query_map([], |r| {
            let mut v = vec![];
            for i in 1..=10 {
                let x: rusqlite::types::Value = r.get(i)?;
                v.push(match x {
                    rusqlite::types::Value::Integer(n) => json!(n),
                    rusqlite::types::Value::Text(t) => json!(t),
                    rusqlite::types::Value::Null => Value::Null,
                    other => json!(format!("{other:?}")),
                });
            }
            Ok((r.get(0)?, v))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    rows.into_iter()
        .map(|(id, v)| {
            let mut extra: Vec<String> = store
                .conn
                .prepare(
                    "SELECT lower(hex(sha256)) FROM extra_evidence WHERE tbl = 'signins' AND row_id = ?1",
                )
                .unwrap()
                .query_map([id], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            extra.sort();
            (v, extra)
        })
        .collect()
}

fn new_case(dir: &Path, name: &str) -> Store {
    Store::open(&dir.join(name)).unwrap()
}

#[test]
fn webhook_and_report_of_one_sign_in_are_one_row_in_either_order_and_reimport_adds_nothing() {
    let d = tempfile::tempdir().unwrap();
    let wh_file = sample("webhook_user.signed_in.json");
    let wh = webhook_object("webhook_user.signed_in.json");
    assert_eq!(wh["client_type"], "mac", "the sample's premise");
    let report = report_page(d.path(), "report.json", &wh, &[("Sign in", "192.0.2.10")]);

    // Webhook first, then the report.
    let mut a = new_case(d.path(), "a.zl");
    assert_eq!(signins_of(&mut a, &wh_file), (1, 0, 0));
    assert_eq!(signins_of(&mut a, &report), (0, 1, 0));
    // Report first, then the webhook.
    let mut b = new_case(d.path(), "b.zl");
    assert_eq!(signins_of(&mut b, &report), (1, 0, 0));
    assert_eq!(signins_of(&mut b, &wh_file), (0, 1, 0));

    let ra = row_and_evidence(&a);
    assert_eq!(ra.len(), 1, "{ra:?}");
    assert_eq!(ra, row_and_evidence(&b), "import order changed the row");
    let (row, extra) = &ra[0];
    // The richer values: the report's IP and spelling, the webhook's login type, both doors.
    assert_eq!(row[0], "jchill@example.com");
    assert_eq!(row[1], wh["date_time"]);
    assert_eq!(row[2], "Sign in");
    assert_eq!(row[3], "192.0.2.10");
    assert_eq!(row[4], "Mac");
    assert_eq!(row[5], wh["version"]);
    assert_eq!(row[6], 101);
    assert_eq!(row[7], "report+webhook");
    // The report row is the primary evidence; the webhook delivery, byte for byte, the other.
    assert!(row[8].as_str().unwrap().contains("192.0.2.10"));
    let wh_raw = std::fs::read_to_string(&wh_file).unwrap();
    let wh_sha = zoomlens::util::sha256_hex(wh_raw.trim_end().as_bytes());
    let wh_sha_full = zoomlens::util::sha256_hex(wh_raw.as_bytes());
    assert_eq!(extra.len(), 1);
    assert!(
        extra[0] == wh_sha || extra[0] == wh_sha_full,
        "webhook evidence kept: {extra:?}"
    );

    // Re-importing either door, or both, in any order adds nothing.
    for store in [&mut a, &mut b] {
        let ev = count(store, "SELECT count(*) FROM extra_evidence");
        for files in [
            vec![wh_file.clone()],
            vec![report.clone()],
            vec![report.clone(), wh_file.clone()],
        ] {
            let s = import(store, &files);
            let (added, merged, _) = signins(&s);
            assert_eq!((added, merged), (0, 0), "{files:?}");
        }
        assert_eq!(count(store, "SELECT count(*) FROM extra_evidence"), ev);
        assert_eq!(count(store, "SELECT count(*) FROM signins"), 1);
    }
    assert_eq!(row_and_evidence(&a), row_and_evidence(&b));
}

#[test]
fn a_sign_out_merges_too() {
    let d = tempfile::tempdir().unwrap();
    let wh_file = sample("webhook_user.signed_out.json");
    let wh = webhook_object("webhook_user.signed_out.json");
    let report = report_page(d.path(), "out.json", &wh, &[("Sign out", "192.0.2.10")]);
    let mut a = new_case(d.path(), "a.zl");
    import(&mut a, &[wh_file.clone(), report.clone()]);
    let mut b = new_case(d.path(), "b.zl");
    import(&mut b, &[report, wh_file]);
    let ra = row_and_evidence(&a);
    assert_eq!(ra.len(), 1, "{ra:?}");
    assert_eq!(ra, row_and_evidence(&b));
    assert_eq!(ra[0].0[2], "Sign out");
    assert_eq!(ra[0].0[3], "192.0.2.10");
    assert_eq!(ra[0].0[7], "report+webhook");
    // A sign-in and a sign-out in the same second are never merged.
    let wh_in = webhook_object("webhook_user.signed_in.json");
    assert_ne!(wh_in["date_time"], wh["date_time"]);
}

#[test]
fn two_sign_ins_in_one_second_from_two_addresses_stay_two_rows() {
    let d = tempfile::tempdir().unwrap();
    let wh_file = sample("webhook_user.signed_in.json");
    let wh = webhook_object("webhook_user.signed_in.json");
    let report = report_page(
        d.path(),
        "two.json",
        &wh,
        &[("Sign in", "192.0.2.10"), ("Sign in", "198.51.100.20")],
    );
    for (name, files) in [
        ("a.zl", vec![wh_file.clone(), report.clone()]),
        ("b.zl", vec![report.clone(), wh_file.clone()]),
    ] {
        let mut s = new_case(d.path(), name);
        import(&mut s, &files);
        let rows = row_and_evidence(&s);
        let ips: Vec<&Value> = rows.iter().map(|(r, _)| &r[3]).collect();
        assert_eq!(ips, vec!["192.0.2.10", "198.51.100.20"], "{name}");
        // The webhook (which cannot say which address) is evidence of exactly one of them,
        // and nothing is lost: 3 records, 3 pieces of evidence.
        let extras: usize = rows.iter().map(|(_, e)| e.len()).sum();
        assert_eq!(extras, 1, "{name}: {rows:?}");
        assert_eq!(
            rows.iter()
                .filter(|(r, _)| r[7] == "report+webhook")
                .count(),
            1
        );
        assert!(rows.iter().all(|(r, _)| r[4] == "Mac"));
        // Re-import keeps it so.
        let again = import(&mut s, &files);
        assert_eq!(signins(&again).0 + signins(&again).1, 0);
        assert_eq!(count(&s, "SELECT count(*) FROM signins"), 2);
    }
}

#[test]
fn details_that_disagree_keep_records_apart_and_email_case_does_not() {
    use zoomlens::model::{Evidence, Origin, SignIn};
    let d = tempfile::tempdir().unwrap();
    let mut store = new_case(d.path(), "c.zl");
    let mut w = store.writer().unwrap();
    let origin = w.origin(&Origin::new("file", "t")).unwrap();
    let base = SignIn {
        time: "2024-06-10T06:08:20Z".into(),
        email: "jchill@example.com".into(),
        activity: "Sign in".into(),
        ip_address: Some("192.0.2.10".into()),
        client_type: Some("Mac".into()),
        version: Some("6.0.12.38947".into()),
        login_type: None,
        via: "report".into(),
    };
    let mut put = |s: &SignIn, tag: &str| {
        w.signin(s, &Evidence::new(origin, None, tag.to_string()))
            .unwrap()
    };
    use zoomlens::store::Outcome::*;
    assert_eq!(put(&base, "r"), Added);
    // Another client, or another version, in the same second: another sign-in.
    let windows = SignIn {
        client_type: Some("Windows".into()),
        ip_address: None,
        via: "webhook".into(),
        ..base.clone()
    };
    assert_eq!(put(&windows, "w1"), Added);
    let older = SignIn {
        version: Some("5.9.1.2581".into()),
        ip_address: None,
        client_type: Some("mac".into()),
        via: "webhook".into(),
        ..base.clone()
    };
    assert_eq!(put(&older, "w2"), Added);
    // The same event with the email in capitals and a blank version: merged.
    let caps = SignIn {
        email: "JChill@Example.COM".into(),
        version: None,
        client_type: Some("MAC".into()),
        ..base.clone()
    };
    assert_eq!(put(&caps, "r2"), Merged);
    // An activity spelled otherwise is the same activity.
    let spelled = SignIn {
        activity: "sign in".into(),
        ..base.clone()
    };
    assert_eq!(put(&spelled, "r3"), Merged);
    w.commit().unwrap();
    assert_eq!(count(&store, "SELECT count(*) FROM signins"), 3);
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM signins WHERE activity = 'Sign in' AND version = '6.0.12.38947'
             AND ip_address = '192.0.2.10'"
        ),
        1
    );
}

#[test]
fn status_and_the_timeline_show_the_sign_in_once() {
    let d = tempfile::tempdir().unwrap();
    let wh_file = sample("webhook_user.signed_in.json");
    let wh = webhook_object("webhook_user.signed_in.json");
    let report = report_page(d.path(), "report.json", &wh, &[("Sign in", "192.0.2.10")]);
    let case = d.path().join("case.zl");
    for f in [&wh_file, &report] {
        let out = Command::new(env!("CARGO_BIN_EXE_zoomlens"))
            .args(["import".as_ref(), case.as_os_str(), f.as_os_str()])
            .env_remove("ZOOMLENS_LOG")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = Command::new(env!("CARGO_BIN_EXE_zoomlens"))
        .args(["status".as_ref(), case.as_os_str(), "--json".as_ref()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let src = v["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == "sign-ins")
        .unwrap();
    assert_eq!(src["records"], 1, "{src}");

    let store = Store::open_readonly(&case).unwrap();
    let info = CaseInfo::load(&store.conn).unwrap();
    let sub = Subject::User("jchill@example.com".into());
    let p = timeline::page(
        &store.conn,
        &info,
        &sub,
        &Filter::default(),
        &Cursor::First,
        50,
    )
    .unwrap();
    let signins: Vec<_> = p.rows.iter().filter(|r| r.kind == "signin").collect();
    assert_eq!(signins.len(), 1, "{:?}", p.rows);
    assert!(
        signins[0].cells.iter().any(|c| c.contains("192.0.2.10")),
        "{:?}",
        signins[0].cells
    );
}

#[test]
fn a_case_with_sign_ins_stored_twice_is_folded_on_upgrade() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("old.zl");
    let wh = webhook_object("webhook_user.signed_in.json");
    let report = report_page(
        d.path(),
        "report.json",
        &wh,
        &[("Sign in", "192.0.2.10"), ("Sign in", "198.51.100.20")],
    );
    let wh_file = sample("webhook_user.signed_in.json");
    // What this build stores, for comparison.
    let mut fresh = new_case(d.path(), "fresh.zl");
    import(&mut fresh, &[wh_file.clone(), report.clone()]);
    {
        // An older build's case: the webhook row and the report rows apart, an annotation
        // and a finding on the webhook row.
        let c = rusqlite::Connection::open(&path).unwrap();
        drop(Store::open(&path).unwrap());
        c.execute_batch(
            "INSERT INTO origins (id, kind, source) VALUES (1, 'file', 'report.json'), (2, 'webhook', 'wh');",
        )
        .unwrap();
        let raw_wh = std::fs::read_to_string(&wh_file).unwrap();
        let page = read_json(&report);
        let ins = "INSERT INTO signins (email, time, activity, ip_address, client_type, version,
                   login_type, via, origin_id, line, raw, sha256)
                   VALUES (?1, ?2, 'Sign in', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
        let t = wh["date_time"].as_str().unwrap();
        let v = wh["version"].as_str().unwrap();
        c.execute(
            ins,
            rusqlite::params![
                "jchill@example.com",
                t,
                "",
                "mac",
                v,
                101,
                "webhook",
                2,
                None::<i64>,
                raw_wh,
                zoomlens::util::sha256_hex(raw_wh.as_bytes())
            ],
        )
        .unwrap();
        let wh_id = c.last_insert_rowid();
        for (i, r) in page["activity_logs"].as_array().unwrap().iter().enumerate() {
            let raw = r.to_string();
            c.execute(
                ins,
                rusqlite::params![
                    "jchill@example.com",
                    t,
                    r["ip_address"].as_str().unwrap(),
                    "Mac",
                    v,
                    None::<i64>,
                    "report",
                    1,
                    i as i64 + 1,
                    raw,
                    zoomlens::util::sha256_hex(raw.as_bytes())
                ],
            )
            .unwrap();
        }
        c.execute(
            "INSERT INTO annotations (tbl, row_id, kind, text, created_at)
             VALUES ('signins', ?1, 'tag', 'seen', 'now')",
            [wh_id],
        )
        .unwrap();
        c.execute_batch(&format!(
            "INSERT INTO findings (id, rule, fkey, severity, sev_rank, time, summary, detected_at)
             VALUES (7, 'r', 'k', 'low', 1, 't', 's', 'now');
             INSERT INTO finding_evidence VALUES (7, 'signins', {wh_id});
             PRAGMA user_version = 3;"
        ))
        .unwrap();
        let n: i64 = c
            .query_row("SELECT count(*) FROM signins", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 3);
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        zoomlens::store::SCHEMA_VERSION
    );
    let rows = row_and_evidence(&store);
    assert_eq!(rows.len(), 2, "{rows:?}");
    let kept: i64 = store
        .conn
        .query_row(
            "SELECT id FROM signins WHERE via = 'report+webhook'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        count(
            &store,
            &format!("SELECT count(*) FROM annotations WHERE tbl = 'signins' AND row_id = {kept}")
        ),
        1
    );
    assert_eq!(
        count(
            &store,
            &format!(
                "SELECT count(*) FROM finding_evidence WHERE tbl = 'signins' AND row_id = {kept}"
            )
        ),
        1
    );
    // Same values as a case this build imported (the evidence bytes differ: the old rows here
    // were hand-made).
    let values = |r: &Vec<(Vec<Value>, Vec<String>)>| {
        r.iter()
            .map(|(v, e)| (v[..8].to_vec(), e.len()))
            .collect::<Vec<_>>()
    };
    assert_eq!(values(&rows), values(&row_and_evidence(&fresh)));
}
