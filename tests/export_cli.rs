//! `zoomlens export`: the demo case as OCSF (checked against the OCSF facts fixture), ECS
//! (field names checked against Elastic's Zoom integration), Parquet read back with the parquet
//! crate, Panther rows imported back into a new case, and formula-safe CSV; the case is never
//! modified and an existing folder is never overwritten by surprise.

mod common;
use common::cli::*;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;
use rusqlite::Connection;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// One demo case (120 users, 7 days, every incident planted, detected) for every test here;
/// exports only read it.
fn case() -> &'static Path {
    static CASE: OnceLock<PathBuf> = OnceLock::new();
    CASE.get_or_init(|| {
        let dir =
            Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("export-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let case = demo(&dir);
        // One verdict, so findings carry a triage state other than `new`.
        let (_, err, ok) = zl(&[
            "triage",
            case.to_str().unwrap(),
            "I1",
            "--state",
            "investigating",
            "--reason",
            "looking",
        ]);
        assert!(ok, "{err}");
        case
    })
}

fn sha(path: &Path) -> String {
    zoomlens::util::sha256_hex(&std::fs::read(path).unwrap())
}

fn export(args: &[&str]) -> String {
    let mut a = vec!["export", case().to_str().unwrap()];
    a.extend_from_slice(args);
    let (out, err, ok) = zl(&a);
    assert!(ok, "{a:?}: {err}");
    out
}

fn ndjson(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn count(sql: &str) -> u64 {
    let c =
        Connection::open_with_flags(case(), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    c.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap() as u64
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// What the case's views hold per OCSF class: the counts an export must reach.
fn expected_ocsf() -> BTreeMap<&'static str, u64> {
    let ops = |class: &str| -> u64 {
        // Recomputed from the parsed changes, the way the exporter classifies an operation.
        let c = Connection::open_with_flags(case(), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
        let mut st = c
            .prepare(
                "SELECT coalesce((SELECT kind FROM op_changes WHERE operation_id = o.id ORDER BY seq LIMIT 1), 'other')
                 FROM operations o WHERE o.time <> ''",
            )
            .unwrap();
        let kinds: Vec<String> = st
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        kinds
            .iter()
            .filter(|k| match class {
                "account_change" => k.ends_with("_user"),
                "user_access" => *k == "role",
                "group_management" => *k == "group",
                "file_hosting" => *k == "recording",
                _ => ![
                    "add_user",
                    "delete_user",
                    "update_user",
                    "role",
                    "group",
                    "recording",
                ]
                .contains(&k.as_str()),
            })
            .count() as u64
    };
    let mut m = BTreeMap::new();
    m.insert("authentication", count("SELECT count(*) FROM zoom_signins"));
    m.insert(
        "web_resources_activity",
        count("SELECT count(*) FROM zoom_participants")
            + count("SELECT count(*) FROM zoom_participants WHERE coalesce(leave_time, '') <> ''"),
    );
    m.insert(
        "file_hosting",
        count("SELECT count(*) FROM recordings")
            + count("SELECT count(*) FROM recordings WHERE coalesce(deleted_time, '') <> ''")
            + ops("file_hosting"),
    );
    m.insert("detection_finding", count("SELECT count(*) FROM findings"));
    for c in [
        "account_change",
        "user_access",
        "group_management",
        "entity_management",
    ] {
        m.insert(c, ops(c));
    }
    m.retain(|_, n| *n > 0);
    m
}

/// Every OCSF event has its class's required attributes with valid enum values, only
/// attributes its class (or a profile it declares) defines, `type_uid = class_uid * 100 +
/// activity_id`, and the metadata zoomlens promises — checked against the facts fixture.
#[test]
fn ocsf_events_have_what_their_class_requires() {
    let before = sha(case());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ocsf");
    let printed = export(&["--to", "ocsf", "--out", out.to_str().unwrap()]);
    assert_eq!(sha(case()), before, "the export changed the case");
    assert!(
        printed.contains("CLASS") && printed.contains("wrote "),
        "{printed}"
    );

    let fx: Value = serde_json::from_str(
        &std::fs::read_to_string("tests/fixtures/ocsf/ocsf-1.3.0-classes.json").unwrap(),
    )
    .unwrap();
    let base = &fx["base"];
    let strs = |v: &Value| -> BTreeSet<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .map(|s| s.as_str().unwrap().to_string())
            .collect()
    };
    let mut seen: BTreeMap<String, u64> = BTreeMap::new();
    for f in files(&out) {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with('_') {
            continue;
        }
        let class_file = name.trim_end_matches(".ndjson").to_string();
        for e in ndjson(&f) {
            *seen.entry(class_file.clone()).or_default() += 1;
            let uid = e["class_uid"].as_i64().unwrap();
            let class = &fx["classes"][uid.to_string()];
            assert!(class.is_object(), "class {uid} is not in the fixture: {e}");
            assert_eq!(e["category_uid"], class["category_uid"], "{e}");
            assert_eq!(e["class_name"], class["name"]);
            let aid = e["activity_id"].as_i64().unwrap();
            assert!(
                aid == 99 || class["activity_id"][aid.to_string()].is_string(),
                "activity {aid} of class {uid}"
            );
            if aid != 99 {
                assert_eq!(
                    e["activity_name"],
                    class["activity_id"][aid.to_string()],
                    "{e}"
                );
            }
            assert_eq!(e["type_uid"].as_i64().unwrap(), uid * 100 + aid);
            let sev = e["severity_id"].as_i64().unwrap().to_string();
            assert_eq!(e["severity"], base["severity_id"][&sev], "{e}");
            let statuses = if class["status_id"].is_object() {
                &class["status_id"]
            } else {
                &base["status_id"]
            };
            let st = e["status_id"].as_i64().unwrap().to_string();
            assert_eq!(e["status"], statuses[&st], "{e}");
            assert!(
                e["time"].as_i64().unwrap() > 1_600_000_000_000,
                "time is epoch ms: {e}"
            );
            assert_eq!(e["metadata"]["version"], "1.3.0");
            assert_eq!(e["metadata"]["product"]["name"], "zoomlens");
            assert_eq!(
                e["metadata"]["product"]["version"],
                env!("CARGO_PKG_VERSION")
            );
            for r in strs(&fx["objects"]["metadata"]["required"]) {
                assert!(!e["metadata"][&r].is_null(), "metadata.{r}: {e}");
            }
            assert!(e["metadata"]["product"]["vendor_name"].is_string());
            for r in strs(&base["required"])
                .iter()
                .chain(strs(&class["required"]).iter())
            {
                assert!(!e[r].is_null(), "{r} missing in class {uid}: {e}");
            }
            for group in class["at_least_one"].as_array().into_iter().flatten() {
                assert!(
                    strs(group).iter().any(|a| !e[a].is_null()),
                    "none of {group} in {e}"
                );
            }
            // Only attributes the class defines (or a profile it declares in metadata).
            let mut allowed = strs(&base["attributes"]);
            allowed.extend(strs(&class["attributes"]));
            for p in strs(&e["metadata"]["profiles"]) {
                assert!(
                    strs(&class["profiles"]).contains(&p),
                    "profile {p} on class {uid}"
                );
                allowed.extend(strs(&fx["profiles"][&p]));
            }
            for k in e.as_object().unwrap().keys() {
                assert!(allowed.contains(k), "class {uid} has no attribute {k}");
            }
            // Objects the class names carry what their type requires.
            for (attr, obj) in class["objects"].as_object().into_iter().flatten() {
                let v = &e[attr];
                if v.is_null() {
                    continue;
                }
                let o = &fx["objects"][obj.as_str().unwrap()];
                for r in strs(&o["required"]) {
                    assert!(!v[&r].is_null(), "{attr}.{r} in {e}");
                }
                if o["at_least_one"].is_array() {
                    assert!(
                        strs(&o["at_least_one"]).iter().any(|a| !v[a].is_null()),
                        "{attr}: {e}"
                    );
                }
            }
            // The original Zoom record and zoomlens's ids travel with every event.
            assert!(e["raw_data"].as_str().is_some_and(|r| !r.is_empty()));
            assert!(e["unmapped"]["zoomlens"]["id"].is_i64());
            if uid == 2004 {
                let fi = &e["finding_info"];
                assert!(fi["analytic"]["type_id"].is_i64());
                assert!(e["unmapped"]["zoomlens"]["state"].is_string());
            }
        }
    }
    let expected: BTreeMap<String, u64> = expected_ocsf()
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    assert_eq!(seen, expected);
    // Findings carry their evidence, incident and triage state.
    let findings = ndjson(&out.join("detection_finding.ndjson"));
    assert!(
        findings
            .iter()
            .all(|f| f["evidences"].as_array().is_some_and(|a| !a.is_empty()))
    );
    assert!(
        findings
            .iter()
            .any(|f| f["metadata"]["correlation_uid"] == "I1"
                && f["unmapped"]["zoomlens"]["state"] == "investigating"
                && f["status_id"] == 2
                && f["comment"] == "looking")
    );
    assert!(
        findings
            .iter()
            .any(|f| f["finding_info"]["attacks"][0]["technique"]["uid"].is_string())
    );
}

/// Parquet: read back with the parquet crate's reader, every class's row count equals what the
/// case's views hold, and timestamps round-trip to the millisecond.
#[test]
fn parquet_reads_back_with_the_cases_counts_and_times() {
    let before = sha(case());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pq");
    export(&[
        "--to",
        "ocsf",
        "--format",
        "parquet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(sha(case()), before);
    let mut rows: BTreeMap<String, u64> = BTreeMap::new();
    let mut auth_times: Vec<i64> = Vec::new();
    for f in files(&out) {
        let rel = f.strip_prefix(&out).unwrap().to_string_lossy().into_owned();
        if rel.starts_with('_') {
            continue;
        }
        // class=<name>/eventDay=YYYYMMDD/part-NNNN.parquet
        let parts: Vec<&str> = rel.split('/').collect();
        assert_eq!(parts.len(), 3, "{rel}");
        let class = parts[0].strip_prefix("class=").unwrap().to_string();
        let day = parts[1].strip_prefix("eventDay=").unwrap();
        assert!(
            parts[2].starts_with("part-") && parts[2].ends_with(".parquet"),
            "{rel}"
        );
        let r = SerializedFileReader::new(std::fs::File::open(&f).unwrap()).unwrap();
        for row in r.get_row_iter(None).unwrap() {
            let row = row.unwrap();
            *rows.entry(class.clone()).or_default() += 1;
            let mut time = None;
            for (name, field) in row.get_column_iter() {
                if name == "time" {
                    let Field::TimestampMillis(t) = field else {
                        panic!("time is {field:?}")
                    };
                    time = Some(*t);
                }
                if name == "type_uid" {
                    assert!(matches!(field, Field::Long(_)), "type_uid is {field:?}");
                }
            }
            let t = time.unwrap();
            let d = chrono::DateTime::from_timestamp_millis(t)
                .unwrap()
                .format("%Y%m%d")
                .to_string();
            assert_eq!(d, day, "an event of {d} in partition {day}");
            if class == "authentication" {
                auth_times.push(t);
            }
        }
    }
    let expected: BTreeMap<String, u64> = expected_ocsf()
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    assert_eq!(rows, expected);
    let c =
        Connection::open_with_flags(case(), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mut want: Vec<i64> = c
        .prepare("SELECT time FROM signins")
        .unwrap()
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|t| {
            chrono::DateTime::parse_from_rfc3339(&t.unwrap())
                .unwrap()
                .timestamp_millis()
        })
        .collect();
    want.sort();
    auth_times.sort();
    assert_eq!(auth_times, want);

    // ECS Parquet: one partition set per source, @timestamp typed.
    let ecs = dir.path().join("ecs");
    export(&[
        "--to",
        "ecs",
        "--format",
        "parquet",
        "--out",
        ecs.to_str().unwrap(),
    ]);
    let mut participants = 0u64;
    for f in files(&ecs.join("class=participants")) {
        let r = SerializedFileReader::new(std::fs::File::open(&f).unwrap()).unwrap();
        for row in r.get_row_iter(None).unwrap() {
            let row = row.unwrap();
            participants += 1;
            let (_, ts) = row
                .get_column_iter()
                .find(|(n, _)| *n == "@timestamp")
                .unwrap();
            assert!(matches!(ts, Field::TimestampMillis(_)), "{ts:?}");
        }
    }
    assert_eq!(
        participants,
        count("SELECT count(*) FROM zoom_participants")
    );
}

/// ECS: every field name is one Elastic's Zoom integration uses, an ECS core field, or under
/// zoomlens's own namespace.
#[test]
fn ecs_field_names_are_elastics() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ecs");
    export(&["--to", "ecs", "--out", out.to_str().unwrap()]);
    let fx: Value = serde_json::from_str(
        &std::fs::read_to_string("tests/fixtures/ecs/zoom-integration-fields.json").unwrap(),
    )
    .unwrap();
    let mut known: BTreeSet<String> = BTreeSet::new();
    for k in ["zoom_fields", "ecs_fields_used_by_integration", "ecs_core"] {
        known.extend(
            fx[k]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().to_string()),
        );
    }
    let ns = format!("{}.", fx["custom_namespace"].as_str().unwrap());
    fn leaves(v: &Value, prefix: &str, out: &mut BTreeSet<String>) {
        match v {
            Value::Object(m) if !prefix.ends_with("evidence") && !prefix.ends_with("changes") => {
                for (k, x) in m {
                    let p = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    leaves(x, &p, out);
                }
            }
            _ => {
                out.insert(prefix.to_string());
            }
        }
    }
    let mut names = BTreeSet::new();
    let mut per_file = BTreeMap::new();
    for f in files(&out) {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with('_') {
            continue;
        }
        let docs = ndjson(&f);
        per_file.insert(name, docs.len() as u64);
        for d in &docs {
            leaves(d, "", &mut names);
            assert_eq!(
                d["ecs.version"],
                Value::Null,
                "dotted keys are nested objects"
            );
            assert_eq!(d["ecs"]["version"], "8.11.0");
        }
    }
    let unknown: Vec<&String> = names
        .iter()
        .filter(|n| !known.contains(*n) && !n.starts_with(&ns))
        .collect();
    assert!(unknown.is_empty(), "not Elastic's names: {unknown:?}");
    for f in [
        "zoom.activity.client_type",
        "zoom.operation.operation_detail",
        "user.email",
        "source.ip",
        "event.action",
    ] {
        assert!(names.contains(f), "{f} never written");
    }
    assert_eq!(
        per_file["signins.ndjson"],
        count("SELECT count(*) FROM zoom_signins")
    );
    assert_eq!(
        per_file["participants.ndjson"],
        count("SELECT count(*) FROM zoom_participants")
    );
    assert_eq!(
        per_file["chat.ndjson"],
        count("SELECT count(*) FROM zoom_chat_messages")
    );
    let signins = ndjson(&out.join("signins.ndjson"));
    assert!(
        signins
            .iter()
            .all(|d| d["event"]["action"] == "sign-in" || d["event"]["action"] == "sign-out")
    );
}

fn rows_of(case: &Path, sql: &str) -> Vec<Vec<String>> {
    let c = Connection::open_with_flags(case, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mut st = c.prepare(sql).unwrap();
    let n = st.column_count();
    let mut v: Vec<Vec<String>> = st
        .query_map([], |r| {
            (0..n)
                .map(|i| r.get::<_, Option<String>>(i).map(Option::unwrap_or_default))
                .collect()
        })
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    v.sort();
    v
}

/// Panther: the export imported into a new case gives the same sign-ins and operations.
#[test]
fn panther_export_imports_back_to_the_same_signins_and_operations() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("panther");
    export(&["--to", "panther", "--out", out.to_str().unwrap()]);
    let first = std::fs::read_to_string(out.join("Zoom.Activity.ndjson")).unwrap();
    let row: Value = serde_json::from_str(first.lines().next().unwrap()).unwrap();
    let keys: BTreeSet<&str> = row
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    assert!(
        keys.is_subset(
            &[
                "email",
                "time",
                "type",
                "ip_address",
                "client_type",
                "version"
            ]
            .into()
        ),
        "{keys:?}"
    );
    let back = dir.path().join("back.zl");
    let (_, err, ok) = zl(&[
        "import",
        back.to_str().unwrap(),
        out.join("Zoom.Activity.ndjson").to_str().unwrap(),
        out.join("Zoom.Operation.ndjson").to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let signins = "SELECT time, email, activity, ip_address, client_type, version FROM signins";
    let ops = "SELECT time, operator, category_type, action, operation_detail FROM operations";
    let changes = "SELECT o.time, CAST(c.seq AS TEXT), c.kind, c.section, c.setting, c.from_value, c.to_value, c.target
                   FROM op_changes c JOIN operations o ON o.id = c.operation_id";
    for q in [signins, ops, changes] {
        let (a, b) = (rows_of(case(), q), rows_of(&back, q));
        assert!(!a.is_empty());
        assert_eq!(a, b, "{q}");
    }
}

/// CSV: one file per view, with the findings' technique, evidence, incident and state; a cell
/// a spreadsheet would run is neutralised.
#[test]
fn csv_files_per_view_are_formula_safe() {
    let dir = tempfile::tempdir().unwrap();
    // A case whose logs carry formulas.
    let rows = dir.path().join("rows.ndjson");
    std::fs::write(
        &rows,
        concat!(
            r#"{"time":"2026-03-02T10:00:00Z","operator":"=HYPERLINK(\"http://evil.example\",\"x\")","category_type":"User","action":"Update","operation_detail":"@SUM(A1) \u001b[31m"}"#,
            "\n",
            r#"{"email":"+cmd@evil.example","time":"2026-03-02T10:01:00Z","type":"Sign in","ip_address":"203.0.113.9","client_type":"-2+3","version":"5.0"}"#,
            "\n"
        ),
    )
    .unwrap();
    let hostile = dir.path().join("h.zl");
    let (_, err, ok) = zl(&["import", hostile.to_str().unwrap(), rows.to_str().unwrap()]);
    assert!(ok, "{err}");
    let out = dir.path().join("csv");
    let (printed, err, ok) = zl(&[
        "export",
        hostile.to_str().unwrap(),
        "--to",
        "csv",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    assert!(
        !printed.contains('\u{1b}') && !printed.contains("HYPERLINK"),
        "log text on the terminal: {printed}"
    );
    let read = |name: &str| -> Vec<Vec<String>> {
        csv::Reader::from_path(out.join(name))
            .unwrap()
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect()
    };
    let ops = read("operations.csv");
    assert_eq!(ops.len(), 1);
    assert!(
        ops[0].iter().any(|c| c.starts_with("'=HYPERLINK")),
        "{ops:?}"
    );
    assert!(ops[0].iter().any(|c| c.starts_with("'@SUM")), "{ops:?}");
    let si = read("signins.csv");
    assert!(si[0].iter().any(|c| c == "'+cmd@evil.example"), "{si:?}");
    assert!(si[0].iter().any(|c| c == "'-2+3"), "{si:?}");
    for f in [
        "signins.csv",
        "operations.csv",
        "meetings.csv",
        "participants.csv",
        "recordings.csv",
        "chat.csv",
        "findings.csv",
    ] {
        assert!(out.join(f).exists(), "{f}");
    }

    // The demo's findings: technique, evidence, incident and state in their columns.
    let demo_out = dir.path().join("demo-csv");
    export(&[
        "--to",
        "csv",
        "--source",
        "findings",
        "--out",
        demo_out.to_str().unwrap(),
    ]);
    let mut r = csv::Reader::from_path(demo_out.join("findings.csv")).unwrap();
    let h: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    for c in ["technique", "evidence", "incident", "state"] {
        assert!(h.contains(&c.to_string()), "{h:?}");
    }
    let recs: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    assert_eq!(recs.len() as u64, count("SELECT count(*) FROM findings"));
    let col = |name: &str| h.iter().position(|x| x == name).unwrap();
    assert!(recs.iter().all(|x| !x[col("evidence")].is_empty()));
    assert!(
        recs.iter()
            .any(|x| x[col("incident")].starts_with('I') && !x[col("technique")].is_empty())
    );
}

/// An existing folder is refused unless --force, which replaces only what the earlier export
/// wrote; the time window and --source choose what is written; unsupported combinations say
/// what to do.
#[test]
fn folders_windows_and_sources() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("mine.txt"), "keep me").unwrap();
    let c = case().to_str().unwrap();
    let o = out.to_str().unwrap();
    let (_, err, ok) = zl(&["export", c, "--to", "ecs", "--out", o]);
    assert!(
        !ok && err.contains("not empty") && err.contains("--force"),
        "{err}"
    );

    let (_, err, ok) = zl(&[
        "export", c, "--to", "ecs", "--format", "parquet", "--out", o, "--force", "--quiet",
    ]);
    assert!(ok, "{err}");
    let first = files(&out);
    assert!(
        first
            .iter()
            .any(|p| p.to_string_lossy().contains("class=signins/eventDay="))
    );
    // A second export with --force replaces the first one's files and keeps the user's.
    let (printed, err, ok) = zl(&[
        "export",
        c,
        "--to",
        "ecs",
        "--out",
        o,
        "--force",
        "--source",
        "signins",
        "--from",
        "2026-03-03",
        "--until",
        "2026-03-03",
    ]);
    assert!(ok, "{err}");
    assert!(printed.contains("signins"), "{printed}");
    let names: Vec<String> = files(&out)
        .iter()
        .map(|p| p.strip_prefix(&out).unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        ["_zoomlens_export.json", "mine.txt", "signins.ndjson"]
    );
    assert_eq!(
        std::fs::read_to_string(out.join("mine.txt")).unwrap(),
        "keep me"
    );
    let day = ndjson(&out.join("signins.ndjson"));
    assert_eq!(
        day.len() as u64,
        count("SELECT count(*) FROM signins WHERE time >= '2026-03-03' AND time < '2026-03-04'")
    );
    assert!(
        day.iter()
            .all(|d| d["@timestamp"].as_str().unwrap().starts_with("2026-03-03"))
    );

    let fresh = dir.path().join("f");
    let (_, err, ok) = zl(&[
        "export",
        c,
        "--to",
        "ocsf",
        "--source",
        "chat",
        "--out",
        fresh.to_str().unwrap(),
    ]);
    assert!(!ok && err.contains("ecs") && err.contains("chat"), "{err}");
    let (_, err, ok) = zl(&[
        "export",
        c,
        "--to",
        "panther",
        "--format",
        "parquet",
        "--out",
        fresh.to_str().unwrap(),
    ]);
    assert!(!ok && err.contains("parquet"), "{err}");
    let (_, err, ok) = zl(&[
        "export",
        c,
        "--to",
        "csv",
        "--from",
        "last tuesday",
        "--out",
        fresh.to_str().unwrap(),
    ]);
    assert!(
        !ok && err.contains("--from") && err.contains("RFC 3339"),
        "{err}"
    );
}
