//! `zoomlens stack` and `zoomlens exposure` on a small organisation with known answers: Sales
//! is an outdated pocket (5.12.0 under a 5.17.0 minimum), Dave's home computer is not in the
//! asset inventory, and Sales brings a competitor's domain into sensitive meetings.

mod common;

use common::cli::{json, zl};
use std::path::Path;
use zoomlens::model::*;
use zoomlens::store::Store;

const CONFIG: &str = "min_client_version = \"5.17.0\"\nvip_emails = [\"erin@acme.example\"]\n";

/// (email, name, department, role, version, pc name)
const STAFF: [(&str, &str, &str, &str, &str, &str); 5] = [
    (
        "alice@acme.example",
        "Alice Ames",
        "Engineering",
        "Member",
        "6.0.1",
        "ALICE-LT",
    ),
    (
        "bob@acme.example",
        "Bob Burns",
        "Engineering",
        "Member",
        "6.0.1",
        "BOB-LT",
    ),
    (
        "carol@acme.example",
        "Carol Cruz",
        "Sales",
        "Member",
        "5.12.0",
        "CAROL-LT",
    ),
    (
        "dave@acme.example",
        "Dave Dunn",
        "Sales",
        "Member",
        "5.12.0",
        "DAVE-HOME",
    ),
    (
        "erin@acme.example",
        "Erin Eng",
        "Finance",
        "Admin",
        "6.0.1",
        "ERIN-LT",
    ),
];

/// The org case and its detection config in `dir`, as the command line takes them.
fn fixture(dir: &Path) -> (String, String) {
    let path = dir.join("org.zl");
    let mut store = Store::open(&path).unwrap();
    let mut w = store.writer().unwrap();
    let o = w.origin(&Origin::new("file", "test")).unwrap();
    let mut n = 0;
    let mut ev = || {
        n += 1;
        Evidence::new(o, Some(n), format!("{{\"test\":{n}}}"))
    };
    for (email, name, dept, role, _, pc) in STAFF {
        let u = User {
            zoom_id: Some(format!("z-{email}")),
            email: email.into(),
            display_name: Some(name.into()),
            dept: Some(dept.into()),
            role_name: Some(role.into()),
            status: Some("active".into()),
            ..Default::default()
        };
        w.user(&u, &ev()).unwrap();
        // Dave's home computer is the one the inventory does not know.
        let listed = if pc == "DAVE-HOME" { "DAVE-LT" } else { pc };
        let a = Asset {
            pc_name: Some(listed.into()),
            mac_addr: None,
            owner_email: email.into(),
        };
        w.asset(&a, &ev()).unwrap();
    }
    // (uuid, topic, host, day, outsiders: (name, email))
    type Held<'a> = (&'a str, &'a str, &'a str, u32, &'a [(&'a str, &'a str)]);
    let meetings: [Held; 5] = [
        (
            "m1==",
            "Pricing review - confidential",
            "carol@acme.example",
            1,
            &[("Mallory Marsh", "mallory@rival.example")],
        ),
        (
            "m2==",
            "Pricing review - confidential",
            "carol@acme.example",
            2,
            &[("Mallory Marsh", "mallory@rival.example")],
        ),
        (
            "m3==",
            "Sprint sync",
            "alice@acme.example",
            2,
            &[("iPhone", "")],
        ),
        ("m4==", "Sprint sync", "alice@acme.example", 3, &[]),
        ("m5==", "Budget", "erin@acme.example", 3, &[]),
    ];
    for (k, (uuid, topic, host, day, outsiders)) in meetings.iter().enumerate() {
        let start = format!("2026-11-0{day}T1{k}:00:00Z");
        let end = format!("2026-11-0{day}T1{k}:30:00Z");
        let m = Meeting {
            uuid: uuid.to_string(),
            meeting_id: Some(1000 + k as i64),
            topic: Some(topic.to_string()),
            host_email: Some(host.to_string()),
            start_time: Some(start.clone()),
            end_time: Some(end.clone()),
            via: "report".into(),
            ..Default::default()
        };
        w.meeting(&m, &ev()).unwrap();
        let mut seats: Vec<Participant> = vec![];
        for (email, name, dept, _, version, pc) in STAFF {
            // Each department meets itself; the host's department only.
            let host_dept = STAFF.iter().find(|s| s.0 == *host).unwrap().2;
            if dept != host_dept {
                continue;
            }
            seats.push(Participant {
                zoom_user_id: Some(format!("z-{email}")),
                email: Some(email.into()),
                name: Some(name.into()),
                version: Some(version.into()),
                pc_name: Some(pc.into()),
                device: Some("Windows".into()),
                location: Some("Lisbon (PT)".into()),
                ..Default::default()
            });
        }
        for (name, email) in outsiders.iter() {
            seats.push(Participant {
                email: Some(email.to_string()),
                name: Some(name.to_string()),
                version: Some("6.1.0".into()),
                device: Some("Mac".into()),
                location: Some("Madrid (ES)".into()),
                ..Default::default()
            });
        }
        for (i, mut p) in seats.into_iter().enumerate() {
            p.meeting_uuid = uuid.to_string();
            p.meeting_id = Some(1000 + k as i64);
            p.user_id = format!("{}", 16_000 + i);
            p.join_time = start.clone();
            p.leave_time = Some(end.clone());
            p.via = "metrics".into();
            w.participant(&p, &ev()).unwrap();
        }
    }
    w.commit().unwrap();
    drop(store);
    let cfg = dir.join("detect.toml");
    std::fs::write(&cfg, CONFIG).unwrap();
    (path.display().to_string(), cfg.display().to_string())
}

fn args<'a>(cmd: &'a str, case: &'a str, cfg: &'a str, rest: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec![cmd, case, "--config", cfg];
    v.extend_from_slice(rest);
    v
}

#[test]
fn stack_marks_the_outdated_pocket_and_the_unknown_computer() {
    let d = tempfile::tempdir().unwrap();
    let (case, cfg) = fixture(d.path());
    let before = std::fs::read(&case).unwrap();

    let v = json(&args(
        "stack",
        &case,
        &cfg,
        &[
            "--by",
            "version",
            "--group",
            "department",
            "--format",
            "json",
        ],
    ));
    let rows = v["rows"].as_array().unwrap();
    let row = |value: &str, group: &str| {
        rows.iter()
            .find(|r| r["value"] == value && r["group"] == group)
            .unwrap_or_else(|| panic!("no {value} / {group} in {rows:?}"))
    };
    // Sales: Carol and Dave in both pricing reviews, all on 5.12.0: the outdated pocket.
    let sales = row("5.12.0", "Sales");
    assert_eq!(
        (sales["people"].as_i64(), sales["sessions"].as_i64()),
        (Some(2), Some(4))
    );
    assert_eq!(sales["outdated"], true);
    assert_eq!(sales["first_seen"], "2026-11-01T10:00:00Z");
    assert_eq!(sales["last_seen"], "2026-11-02T11:00:00Z");
    let eng = row("6.0.1", "Engineering");
    assert_eq!(
        (eng["people"].as_i64(), eng["outdated"].as_bool()),
        (Some(2), Some(false))
    );
    // The competitor and the guest are not staff.
    assert_eq!(row("6.1.0", "(external)")["people"], 1);
    assert_eq!(row("6.1.0", "(guest)")["people"], 1);
    assert_eq!(
        rows.iter().filter(|r| r["outdated"] == true).count(),
        1,
        "{rows:?}"
    );

    // Rarest first: the long tail leads.
    let v = json(&args(
        "stack",
        &case,
        &cfg,
        &["--by", "version", "--rarest", "--format", "json"],
    ));
    let order: Vec<(&str, i64, i64)> = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let n = |k: &str| r[k].as_i64().unwrap();
            (r["value"].as_str().unwrap(), n("people"), n("sessions"))
        })
        .collect();
    assert_eq!(
        order,
        vec![("6.1.0", 2, 3), ("5.12.0", 2, 4), ("6.0.1", 3, 5)],
        "fewest people, then fewest sessions, first"
    );

    // PC names: DAVE-HOME is the one the inventory does not list.
    let (out, err, ok) = zl(&args("stack", &case, &cfg, &["--by", "pc-name"]));
    assert!(ok, "{err}");
    let unknown: Vec<&str> = out
        .lines()
        .filter(|l| l.contains("not in inventory"))
        .collect();
    assert_eq!(unknown.len(), 1, "{out}");
    assert!(unknown[0].starts_with("DAVE-HOME"), "{out}");

    // Countries from Zoom's locations.
    let v = json(&args(
        "stack",
        &case,
        &cfg,
        &["--by", "country", "--format", "json"],
    ));
    let countries: Vec<(&str, i64)> = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["value"].as_str().unwrap(), r["people"].as_i64().unwrap()))
        .collect();
    assert_eq!(countries, vec![("PT", 5), ("ES", 2)]);

    // CSV: formula-safe, with the group column.
    let (out, _, ok) = zl(&args(
        "stack",
        &case,
        &cfg,
        &["--by", "device", "--group", "role", "--format", "csv"],
    ));
    assert!(ok);
    assert_eq!(
        out.lines().next().unwrap(),
        "device,role,people,sessions,first_seen,last_seen,mark"
    );
    assert!(out.contains("Windows,Admin,1,1,"), "{out}");

    // Read-only: the case is byte for byte what it was.
    assert_eq!(std::fs::read(&case).unwrap(), before);
}

#[test]
fn exposure_names_the_department_bringing_a_competitor_into_sensitive_meetings() {
    let d = tempfile::tempdir().unwrap();
    let (case, cfg) = fixture(d.path());
    let before = std::fs::read(&case).unwrap();

    let v = json(&args("exposure", &case, &cfg, &["--format", "json"]));
    let rows = v["rows"].as_array().unwrap();
    let names: Vec<&str> = rows.iter().map(|r| r["group"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        vec!["Sales", "Engineering", "Finance"],
        "most exposed first"
    );
    let sales = &rows[0];
    assert_eq!(sales["meetings"], 2);
    assert_eq!(sales["exposed"], 2);
    assert_eq!(sales["with_externals"], 2);
    assert_eq!(sales["sensitive"], 2);
    assert_eq!(sales["sensitive_topic"], 2);
    assert_eq!(
        sales["domains"],
        serde_json::json!([{"domain": "rival.example", "meetings": 2, "sensitive": 2}])
    );
    assert_eq!(
        sales["top_hosts"],
        serde_json::json!([["carol@acme.example", 2]])
    );
    // Engineering met one guest in an ordinary sync; Finance met nobody from outside (its
    // budget meeting has a VIP, but no outsider).
    let eng = &rows[1];
    assert_eq!(
        (eng["exposed"].as_i64(), eng["with_guests"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(eng["sensitive"], 0);
    assert_eq!(rows[2]["exposed"], 0);
    // The trend: one bucket per day from the first meeting's day.
    assert_eq!(v["from"], "2026-11-01");
    assert_eq!(v["bucket_days"], 1);
    assert_eq!(sales["trend"], serde_json::json!([1, 1, 0]));

    // By host, as a table.
    let (out, err, ok) = zl(&args("exposure", &case, &cfg, &["--by", "host"]));
    assert!(ok, "{err}");
    let first = out.lines().nth(2).unwrap();
    assert!(
        first.starts_with("carol@acme.example") && first.contains("rival.example 2 (2 sensitive)"),
        "{out}"
    );

    // CSV, with the department column first.
    let (out, _, ok) = zl(&args("exposure", &case, &cfg, &["--format", "csv"]));
    assert!(ok);
    assert!(out.starts_with("department,meetings,exposed,"), "{out}");
    assert!(
        out.contains("Sales,2,2,2,0,2,topic 2,rival.example 2 (2 sensitive)"),
        "{out}"
    );

    assert_eq!(std::fs::read(&case).unwrap(), before);
}

#[test]
fn a_bad_dimension_is_explained() {
    let (_, err, ok) = zl(&["stack", "x.zl", "--by", "colour"]);
    assert!(!ok);
    assert!(err.contains("possible values"), "{err}");
}
