//! Evidence is never modified by a reader: read-only commands refuse what is not a zoomlens
//! case and leave it byte-identical; user SQL cannot write; damage is found and reported.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;

fn zl(args: &[&str]) -> (String, String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_zoomlens"))
        .args(args)
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

fn hash(p: &Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(p).unwrap()))
}

fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn small_case(dir: &Path) -> PathBuf {
    let case = dir.join("c.zl");
    zoomlens::sim::demo::build_demo(&zoomlens::sim::generator::Config::small(7, 40, 3), &case)
        .unwrap();
    case
}

#[test]
fn another_applications_database_is_refused_and_left_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("places.sqlite");
    {
        let c = rusqlite::Connection::open(&other).unwrap();
        c.execute_batch(
            "CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT);
             INSERT INTO moz_places (url) VALUES ('https://example.com');
             PRAGMA user_version = 74;",
        )
        .unwrap();
    }
    let before = (hash(&other), files(dir.path()));
    let o = other.to_str().unwrap();
    let vips = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/vips.csv");
    for args in [
        vec!["sql", o, "SELECT * FROM moz_places"],
        vec!["status", o],
        vec!["detect", o],
        vec!["incidents", o],
        vec!["verify", o],
        vec!["stack", o, "--by", "version"],
        vec!["exposure", o],
        vec!["upgrade", o],
        vec!["import", o, vips],
        vec!["triage", o, "1", "--state", "benign"],
        vec!["pack", o],
    ] {
        let (_, err, code) = zl(&args);
        assert_eq!(code, 1, "{args:?}: {err}");
        assert!(
            err.contains("another application") && err.contains("moz_places"),
            "{args:?}: {err}"
        );
        assert_eq!(
            (hash(&other), files(dir.path())),
            before,
            "{args:?} changed it"
        );
    }
    // An empty file is no case for a reader; a writer makes it one (`mktemp` is common) and
    // says so. A text file is never a case and stays as it was.
    let empty = dir.path().join("empty.zl");
    std::fs::write(&empty, b"").unwrap();
    let (_, err, code) = zl(&["status", empty.to_str().unwrap()]);
    assert!(code == 1 && err.contains("empty file"), "{err}");
    assert_eq!(std::fs::metadata(&empty).unwrap().len(), 0);
    let (_, err, code) = zl(&["import", empty.to_str().unwrap(), vips]);
    assert!(code == 0 && err.contains("was an empty file"), "{err}");
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, b"hello").unwrap();
    let (_, err, code) = zl(&["status", text.to_str().unwrap()]);
    assert!(code == 1 && err.contains("not an SQLite database"), "{err}");
    let (_, err, code) = zl(&["status", dir.path().join("nope.zl").to_str().unwrap()]);
    assert!(code == 1 && err.contains("no case file"), "{err}");
    assert!(!dir.path().join("nope.zl").exists());
}

#[test]
fn user_sql_can_only_read() {
    let dir = tempfile::tempdir().unwrap();
    let case = small_case(dir.path());
    let c = case.to_str().unwrap();
    let before = hash(&case);
    let copy = dir.path().join("copy.db");
    for q in [
        "PRAGMA query_only = OFF".to_string(),
        format!("VACUUM INTO '{}'", copy.display()),
        format!("ATTACH '{}' AS x", dir.path().join("x.db").display()),
        "DELETE FROM signins".into(),
        "CREATE TABLE t (x)".into(),
        "PRAGMA journal_mode = DELETE".into(),
    ] {
        let (_, err, code) = zl(&["sql", c, &q]);
        assert_eq!(code, 1, "{q}: {err}");
        assert!(err.contains("read-only"), "{q}: {err}");
    }
    assert!(!copy.exists(), "VACUUM INTO wrote a copy");
    assert!(!dir.path().join("x.db").exists());
    // Reporting pragmas and ordinary reads still work.
    let (out, err, code) = zl(&["sql", c, "PRAGMA table_info(signins)"]);
    assert!(code == 0 && out.contains("email"), "{err}");
    let (out, _, code) = zl(&["sql", c, "SELECT count(*) AS n FROM zoom_participants"]);
    assert!(code == 0 && out.contains("(1 row)"));
    assert_eq!(hash(&case), before);
}

#[test]
fn verify_finds_a_record_whose_bytes_changed_and_status_flags_damage() {
    let dir = tempfile::tempdir().unwrap();
    let case = small_case(dir.path());
    let c = case.to_str().unwrap();
    let (out, err, code) = zl(&["verify", c]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("integrity check ok") && out.contains(" 0 mismatches"),
        "{out}"
    );
    // Someone edits one sign-in's evidence behind zoomlens's back.
    let id: i64 = {
        let conn = rusqlite::Connection::open(&case).unwrap();
        let id = conn
            .query_row("SELECT min(id) FROM signins", [], |r| r.get(0))
            .unwrap();
        conn.execute(
            "UPDATE signins SET raw = replace(raw, '\"', '''') WHERE id = ?1",
            [id],
        )
        .unwrap();
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
            .unwrap();
        id
    };
    let (out, _, code) = zl(&["verify", c]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(&format!("signins #{id}")), "{out}");
    assert!(out.contains(" 1 mismatch"), "{out}");

    // Damage below SQLite's level: status and detect refuse to present it as fine.
    let mut bytes = std::fs::read(&case).unwrap();
    let page = 4096;
    let n = bytes.len() / page;
    for p in [n / 2, n / 2 + 1, n - 2] {
        for b in &mut bytes[p * page + 8..p * page + 200] {
            *b = 0xA5;
        }
    }
    std::fs::write(&case, &bytes).unwrap();
    let (_, err, code) = zl(&["status", c]);
    assert_ne!(code, 0, "status accepted a damaged case: {err}");
    let (_, err, code) = zl(&["detect", c]);
    assert_ne!(code, 0, "detect accepted a damaged case: {err}");
}
