//! Evidence compressed at rest (schema 10): every record's original bytes come back identical
//! and hash to its stored SHA-256, whatever door brought it and whether it was merged; old
//! cases compact in place; a SIGKILL mid-import or mid-compaction is completed by a rerun.

mod common;

use common::cli::{fixture, run, sql_rows, zl};
use rusqlite::types::ValueRef;
use std::collections::BTreeMap;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use zoomlens::store::Store;
use zoomlens::store::raw::{Decoder, evidence_tables};

/// `zoomlens gen` into `dir/gen` (a fixed start, so runs agree).
fn generate(dir: &Path, users: &str, days: &str) -> PathBuf {
    let out = dir.join("gen");
    let (_, err, ok) = zl(&[
        "gen",
        "--users",
        users,
        "--days",
        days,
        "--start",
        "2026-10-01",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    out
}

fn gen_files(g: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(g)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.file_name().unwrap() != "truth.json")
        .collect();
    v.sort();
    v
}

fn import(case: &Path, files: &[PathBuf], extra: &[&str]) {
    let mut args = vec!["import".to_string(), case.display().to_string()];
    args.extend(files.iter().map(|p| p.display().to_string()));
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(&args);
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(3),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Rows per evidence table (and extra evidence per table it is kept for).
/// A generated tenant of `users` × `days` imported into `c.zl` in `dir` and made an old case
/// (plain records, schema 9); the path and its record counts from before.
fn legacy_case(dir: &Path, users: &str, days: &str) -> (PathBuf, BTreeMap<String, i64>) {
    let g = generate(dir, users, days);
    let case = dir.join("c.zl");
    import(&case, &gen_files(&g), &[]);
    let before = counts(&case);
    make_legacy(&case);
    (case, before)
}

fn counts(case: &Path) -> BTreeMap<String, i64> {
    let s = Store::open_readonly(case).unwrap();
    let mut m = BTreeMap::new();
    for t in evidence_tables(&s.conn).unwrap() {
        let n: i64 = s
            .conn
            .query_row(&format!("SELECT count(*) FROM \"{t}\""), [], |r| r.get(0))
            .unwrap();
        m.insert(t, n);
    }
    let mut st = s
        .conn
        .prepare("SELECT tbl, count(*) FROM extra_evidence GROUP BY tbl")
        .unwrap();
    for r in st
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
        .unwrap()
    {
        let (t, n) = r.unwrap();
        m.insert(format!("extra_evidence/{t}"), n);
    }
    m
}

/// (compressed, plain) records of `table`; read with a bare connection, since the case may be an
/// old one that the store's read-only open refuses.
fn stored_forms(case: &Path, table: &str) -> (i64, i64) {
    stored_forms_if_ready(case, table).expect("the case reads")
}

/// [`stored_forms`] while another process may be writing the case: `None` until it can be read.
fn stored_forms_if_ready(case: &Path, table: &str) -> Option<(i64, i64)> {
    let c = rusqlite::Connection::open_with_flags(case, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .ok()?;
    c.query_row(
        &format!("SELECT sum(typeof(raw) = 'blob'), sum(typeof(raw) = 'text') FROM \"{table}\""),
        [],
        |r| {
            Ok((
                r.get::<_, Option<i64>>(0)?.unwrap_or(0),
                r.get::<_, Option<i64>>(1)?.unwrap_or(0),
            ))
        },
    )
    .ok()
}

/// (references, copies) among the further evidence whose bytes are a webhook delivery's: kept
/// as a reference to the delivery's row, or as a second copy of the bytes.
fn delivery_evidence(case: &Path) -> (i64, i64) {
    let c = rusqlite::Connection::open_with_flags(case, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap();
    c.query_row(
        "SELECT count(*) FILTER (WHERE is_ref), count(*) FILTER (WHERE NOT is_ref) FROM (
           SELECT typeof(raw) = 'blob' AND length(raw) = 9 AND substr(raw, 1, 1) = X'02' AS is_ref
           FROM extra_evidence WHERE sha256 IN (SELECT sha256 FROM webhook_events))",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .unwrap()
}

/// Every stored record of the case decoded: its bytes hash to its SHA-256, `zl_raw` (what SQL,
/// views and exports read) gives the same bytes, and a sample of them appears verbatim in the
/// imported files. Returns how many records were checked.
fn check_every_record(case: &Path, inputs: &str) -> u64 {
    let s = Store::open_readonly(case).unwrap();
    let mut dec = Decoder::default();
    let mut tables = evidence_tables(&s.conn).unwrap();
    tables.push("extra_evidence".into());
    let mut n = 0u64;
    for t in tables {
        let mut st = s
            .conn
            .prepare(&format!("SELECT id, raw, sha256, zl_raw(raw) FROM \"{t}\""))
            .unwrap();
        let mut rows = st.query([]).unwrap();
        let mut i = 0usize;
        while let Some(r) = rows.next().unwrap() {
            let id: i64 = r.get(0).unwrap();
            let bytes = dec.decode(&s.conn, r.get_ref(1).unwrap()).unwrap();
            let sha: zoomlens::util::Sha256Sum = r.get(2).unwrap();
            assert_eq!(
                zoomlens::util::Sha256Sum::of(&bytes),
                sha,
                "{t} #{id}: decoded bytes do not hash to the stored SHA-256"
            );
            let via_sql = match r.get_ref(3).unwrap() {
                ValueRef::Text(b) | ValueRef::Blob(b) => b.to_vec(),
                other => panic!("{t} #{id}: zl_raw gave {other:?}"),
            };
            assert_eq!(
                via_sql, bytes,
                "{t} #{id}: zl_raw differs from the store's decoder"
            );
            // Rejects keep a redacted or cut copy; every other record is a piece of its input.
            if t != "rejects" && i.is_multiple_of(97) && i < 97 * 20 {
                let text = std::str::from_utf8(&bytes).unwrap();
                assert!(
                    inputs.contains(text),
                    "{t} #{id}: {text:.200} is not verbatim in the imported files"
                );
            }
            i += 1;
            n += 1;
        }
    }
    n
}

/// Every format the importer reads, beside a generated tenant large enough for the tables to
/// train dictionaries: records come back byte for byte, merged ones included.
#[test]
fn every_record_of_every_format_comes_back_verbatim_and_hashes_to_its_sha256() {
    let dir = tempfile::tempdir().unwrap();
    let g = generate(dir.path(), "120", "5");
    let case = dir.path().join("c.zl");
    let mut inputs = String::new();
    let mut read = |p: &Path| inputs.push_str(&std::fs::read_to_string(p).unwrap());
    // Captures, webhooks (gzip-compressed, as exported), CSV lists.
    let mut files = gen_files(&g);
    for f in &files {
        read(f);
    }
    let hooks = g.join("webhooks.ndjson");
    let gz = dir.path().join("webhooks.ndjson.gz");
    {
        let mut e = flate2_writer(&gz);
        std::io::copy(&mut std::fs::File::open(&hooks).unwrap(), &mut e).unwrap();
    }
    files.retain(|f| f != &hooks);
    files.push(gz);
    // The portal's CSV exports, single records, meeting objects, an operation without operator.
    for f in [
        "portal_operation_logs.csv",
        "portal_operations_daily.csv",
        "portal_signins.csv",
        "real/meeting_activities_rows.ndjson",
        "real/metrics_meeting_detail.json",
        "real/operations_without_operator.ndjson",
        "engineering_capture.ndjson",
    ] {
        read(&fixture(f));
        files.push(fixture(f));
    }
    // Panther rows.
    let panther = dir.path().join("panther.ndjson");
    let rows = [
        r#"{"p_log_type":"Zoom.Operation","time":"2026-10-02 10:00:00.000","operator":"ava.ops@acme-corp.example","category_type":"User","action":"Update","operation_detail":"Update User jo@acme-corp.example  - Role: from Member to Admin","p_event_time":"2026-10-02 10:00:00.000"}"#,
        r#"{"p_log_type":"Zoom.Activity","time":"2026-10-02 10:01:00.000","email":"jo@acme-corp.example","ip_address":"198.51.100.77","type":"Sign in","client_type":"Browser","version":"-","p_event_time":"2026-10-02 10:01:00.000"}"#,
    ];
    std::fs::write(&panther, rows.join("\n") + "\n").unwrap();
    read(&panther);
    files.push(panther);
    import(&case, &files, &[]);
    // Bare participant pages of the shared samples, merged with each other (report + dashboard).
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/zoom/samples");
    let pages: Vec<PathBuf> = [
        "report_meeting_participants.json",
        "metrics_meeting_participants.json",
    ]
    .iter()
    .map(|n| samples.join(n))
    .filter(|p| p.exists())
    .collect();
    for p in &pages {
        read(p);
    }
    if !pages.is_empty() {
        import(&case, &pages, &["--meeting", "4444AAAiAAAAAiAiAiiAii=="]);
    }

    let (blobs, _) = stored_forms(&case, "participants");
    assert!(blobs > 1000, "participants are stored compressed ({blobs})");
    let (extra_blobs, _) = stored_forms(&case, "extra_evidence");
    assert!(
        extra_blobs > 100,
        "merged evidence is compressed too ({extra_blobs})"
    );
    // A delivery that reported a session or sign-in is its evidence without a second copy.
    let (refs, copies) = delivery_evidence(&case);
    assert!(
        refs > 100 && copies == 0,
        "{refs} references, {copies} copies"
    );
    let n = check_every_record(&case, &inputs);
    assert!(n > 5000, "{n} records checked");
    let (out, err, ok) = zl(&["verify", case.to_str().unwrap()]);
    assert!(ok, "{out}{err}");
    assert!(out.contains(": 0 mismatches"), "{out}");
}

fn flate2_writer(p: &Path) -> impl std::io::Write {
    flate2::write::GzEncoder::new(
        std::fs::File::create(p).unwrap(),
        flate2::Compression::fast(),
    )
}

/// Turn a case back into what schema 9 wrote: every record plain, no dictionaries.
fn make_legacy(case: &Path) {
    let s = Store::open(case).unwrap();
    let mut tables = evidence_tables(&s.conn).unwrap();
    tables.push("extra_evidence".into());
    for t in tables {
        s.conn
            .execute(&format!("UPDATE \"{t}\" SET raw = zl_raw(raw)"), [])
            .unwrap();
    }
    s.conn
        .execute_batch(
            "DROP TABLE raw_dicts; DELETE FROM meta WHERE key = 'compact_pending';
             PRAGMA user_version = 9; VACUUM;",
        )
        .unwrap();
}

/// An upgraded old case compacts in place: smaller, the same records, every one verifiable, and
/// `sql`, the inspector and exports read the original text.
#[test]
fn an_old_case_compacts_in_place_and_every_reader_still_sees_the_original() {
    let dir = tempfile::tempdir().unwrap();
    let (case, before) = legacy_case(dir.path(), "120", "5");
    assert_eq!(stored_forms(&case, "participants").0, 0);
    let (refs, copies) = delivery_evidence(&case);
    assert!(
        refs == 0 && copies > 100,
        "{refs} references, {copies} copies"
    );
    let plain_bytes = std::fs::metadata(&case).unwrap().len();
    // Read-only commands refuse the old case; compact upgrades and compresses it.
    let (out, err, ok) = zl(&["compact", case.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(out.contains("MB ->"), "{out}");
    let packed = std::fs::metadata(&case).unwrap().len();
    assert!(
        packed * 10 < plain_bytes * 8,
        "{plain_bytes} -> {packed} bytes"
    );
    assert_eq!(counts(&case), before);
    assert_eq!(
        delivery_evidence(&case),
        (copies, 0),
        "copies became references"
    );
    let (blobs, texts) = stored_forms(&case, "participants");
    assert!(
        blobs > 0 && blobs > texts * 10,
        "{blobs} compressed, {texts} plain"
    );
    let (out, _, ok) = zl(&["verify", case.to_str().unwrap()]);
    assert!(ok && out.contains(": 0 mismatches"), "{out}");

    // `zoomlens sql` (read-only connection) reads the original through zl_raw.
    let rows = sql_rows(
        &case,
        "SELECT id, sha256, zl_raw(raw) AS raw FROM participants ORDER BY id LIMIT 20",
    );
    assert_eq!(rows.len(), 20);
    for r in &rows {
        let raw = r["raw"].as_str().unwrap();
        assert!(raw.starts_with('{'), "{raw}");
        assert_eq!(
            zoomlens::util::sha256_hex(raw.as_bytes()),
            r["sha256"].as_str().unwrap()
        );
    }
    // The webhook view's body is the delivery's text.
    let rows = sql_rows(&case, "SELECT body FROM zoom_webhook_events LIMIT 3");
    assert!(rows[0]["body"].as_str().unwrap().contains("\"event\""));
    // The inspector's record shows the raw text, verified.
    let s = Store::open_readonly(&case).unwrap();
    let id: i64 = s
        .conn
        .query_row(
            "SELECT id FROM participants WHERE typeof(raw) = 'blob' LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let rec = zoomlens::store::read::record::load(&s.conn, "participants", id)
        .unwrap()
        .unwrap();
    let raw = rec.raw.unwrap();
    assert!(raw.intact && raw.text.starts_with('{'), "{}", raw.text);
    drop(s);
    // Exports carry the original record.
    let out_dir = dir.path().join("ecs");
    let (_, err, ok) = zl(&[
        "export",
        case.to_str().unwrap(),
        "--to",
        "ecs",
        "--out",
        out_dir.to_str().unwrap(),
        "--source",
        "participants",
        "--quiet",
    ]);
    assert!(ok, "{err}");
    let mut text = String::new();
    for e in std::fs::read_dir(&out_dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_file() {
            std::fs::File::open(&p)
                .unwrap()
                .read_to_string(&mut text)
                .unwrap();
        }
    }
    let first = text.lines().next().expect("an exported participant");
    let v: serde_json::Value = serde_json::from_str(first).unwrap();
    let original = v["event"]["original"].as_str().unwrap();
    assert!(
        original.starts_with('{') && original.contains("join_time"),
        "{original}"
    );
}

/// A compressed record whose bytes are damaged is reported by `verify`, not a crash.
#[test]
fn verify_reports_a_damaged_compressed_record() {
    let dir = tempfile::tempdir().unwrap();
    let g = generate(dir.path(), "120", "5");
    let case = dir.path().join("c.zl");
    import(&case, &gen_files(&g), &[]);
    {
        let s = Store::open(&case).unwrap();
        let (id, mut b): (i64, Vec<u8>) = s
            .conn
            .query_row(
                "SELECT id, raw FROM participants WHERE typeof(raw) = 'blob' LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("a compressed participant");
        let last = b.len() - 1;
        b[last] ^= 0x55;
        s.conn
            .execute(
                "UPDATE participants SET raw = ?1 WHERE id = ?2",
                rusqlite::params![b, id],
            )
            .unwrap();
    }
    let (out, _, ok) = zl(&["verify", case.to_str().unwrap()]);
    assert!(!ok, "{out}");
    assert!(out.contains("1 mismatch"), "{out}");
}

/// Start `zoomlens ARGS`, SIGKILL it once `ready` says so (polled), and return whether it was
/// still running when killed.
fn kill_when(args: &[&str], mut ready: impl FnMut(&str) -> bool) -> bool {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zoomlens"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let err = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        let mut r = BufReader::new(err);
        let mut buf = Vec::new();
        // Progress lines end in '\r'; read up to either.
        loop {
            buf.clear();
            let mut byte = [0u8];
            loop {
                match r.read(&mut byte) {
                    Ok(0) | Err(_) => return,
                    Ok(_) if byte[0] == b'\r' || byte[0] == b'\n' => break,
                    Ok(_) => buf.push(byte[0]),
                }
            }
            if tx.send(String::from_utf8_lossy(&buf).into_owned()).is_err() {
                return;
            }
        }
    });
    let t0 = Instant::now();
    loop {
        if let Ok(Some(_)) = child.try_wait() {
            return false;
        }
        let line = rx
            .recv_timeout(Duration::from_millis(5))
            .unwrap_or_default();
        if ready(&line) {
            child.kill().unwrap(); // SIGKILL
            child.wait().unwrap();
            return true;
        }
        assert!(t0.elapsed() < Duration::from_secs(300), "never ready");
    }
}

/// SIGKILL during `zoomlens compact` leaves a consistent case; a rerun completes it with the same
/// records.
#[test]
fn a_compaction_killed_midway_is_completed_by_a_rerun() {
    let dir = tempfile::tempdir().unwrap();
    let (case, before) = legacy_case(dir.path(), "200", "7");
    let c = case.to_str().unwrap();
    // Killed once the first chunk of participants has committed compressed.
    let killed = kill_when(&["compact", c], |_| {
        stored_forms_if_ready(&case, "participants").is_some_and(|(blobs, _)| blobs > 0)
    });
    assert!(killed, "compact finished before it could be killed");
    let (_, plain_left) = stored_forms(&case, "participants");
    let later_plain = stored_forms(&case, "webhook_events").1;
    assert!(plain_left + later_plain > 0, "the kill left work to do");
    // Consistent as it stands: intact, every record (compressed or not yet) verifiable.
    let (out, _, ok) = zl(&["verify", c]);
    assert!(ok && out.contains(": 0 mismatches"), "{out}");
    let (_, err, ok) = zl(&["compact", c]);
    assert!(ok, "{err}");
    assert_eq!(counts(&case), before);
    let (blobs, plain) = stored_forms(&case, "participants");
    assert!(
        blobs > 0 && plain * 100 < blobs,
        "{blobs} compressed, {plain} plain"
    );
    let (out, _, ok) = zl(&["verify", c]);
    assert!(ok && out.contains(": 0 mismatches"), "{out}");
}

/// SIGKILL during an import: the rerun ends with exactly the records of an uninterrupted import.
#[test]
fn an_import_killed_midway_is_completed_by_a_rerun_with_identical_counts() {
    let dir = tempfile::tempdir().unwrap();
    let g = generate(dir.path(), "200", "7");
    let files = gen_files(&g);
    let clean = dir.path().join("clean.zl");
    import(&clean, &files, &[]);
    let want = counts(&clean);

    let case = dir.path().join("killed.zl");
    let mut args = vec!["import".to_string(), case.display().to_string()];
    args.extend(files.iter().map(|p| p.display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let probe = case.clone();
    let killed = kill_when(&args, |_| {
        // Killed once a batch with compressed participants has committed.
        Store::open_readonly(&probe).is_ok_and(|s| {
            s.conn
                .query_row(
                    "SELECT count(*) FROM participants WHERE typeof(raw) = 'blob'",
                    [],
                    |r| r.get::<_, i64>(0),
                )
                .is_ok_and(|n| n > 0)
        })
    });
    assert!(killed, "the import finished before it could be killed");
    let partial = counts(&case);
    assert!(partial != want, "the kill left work to do");
    let (out, _, ok) = zl(&["verify", case.to_str().unwrap()]);
    assert!(ok && out.contains(": 0 mismatches"), "{out}");
    import(&case, &files, &[]);
    assert_eq!(counts(&case), want);
    let (out, _, ok) = zl(&["verify", case.to_str().unwrap()]);
    assert!(ok && out.contains(": 0 mismatches"), "{out}");
}

/// Stored bytes per record of `table` from `source`.
fn stored_per_record(case: &Path, table: &str, source: &str) -> f64 {
    let c = rusqlite::Connection::open_with_flags(case, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap();
    c.query_row(
        &format!(
            "SELECT avg(length(raw)), sum(typeof(raw) = 'blob') FROM {table} WHERE source = ?1"
        ),
        [source],
        |r| {
            let blobs: i64 = r.get(1)?;
            assert!(
                blobs >= 1000,
                "{table}/{source}: {blobs} compressed records"
            );
            r.get(0)
        },
    )
    .unwrap()
}

/// Okta events after a month of Entra ID sign-ins compress as well as Okta events alone: a
/// table that holds several sources' shapes has a dictionary per source, so what a case
/// weighs does not depend on which log the analyst imported first.
#[test]
fn each_identity_provider_compresses_as_well_whatever_was_imported_first() {
    let dir = tempfile::tempdir().unwrap();
    let g = generate(dir.path(), "600", "5");
    let (entra, okta) = (g.join("entra_signins.ndjson"), g.join("okta.ndjson"));
    let after = dir.path().join("after.zl");
    import(&after, std::slice::from_ref(&entra), &[]);
    import(&after, std::slice::from_ref(&okta), &[]);
    let alone = dir.path().join("alone.zl");
    import(&alone, std::slice::from_ref(&okta), &[]);
    let (a, b) = (
        stored_per_record(&after, "idp_log", "okta"),
        stored_per_record(&alone, "idp_log", "okta"),
    );
    assert!(
        a <= b * 1.1,
        "an Okta event takes {a:.0} bytes after Entra ID, {b:.0} alone"
    );
    stored_per_record(&after, "idp_log", "entra");
    let (out, _, ok) = zl(&["verify", after.to_str().unwrap()]);
    assert!(ok && out.contains(": 0 mismatches"), "{out}");
}

/// Webhook deliveries in the order a feed sends them: `signins` sign-ins (the small hours of
/// a first day), then `joins` participants joining meetings, varied as a real tenant's are.
fn feed(path: &Path, signins: usize, joins: usize) {
    use std::io::Write;
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let names = [
        "amelia.hill",
        "owen.rivera",
        "asher.rodriguez",
        "mia.chen",
        "noah.patel",
    ];
    let topics = [
        "Open Office Hours",
        "Weekly sync",
        "Design review",
        "1:1",
        "All hands",
    ];
    let clients = ["ios", "mac", "windows", "android"];
    let ts0 = 1_772_409_660_350u64;
    for i in 0..signins + joins {
        let (r, who) = (next(), names[i % names.len()]);
        let ts = ts0 + i as u64 * 1000;
        let line = if i < signins {
            format!(
                r#"{{"event":"user.signed_in","event_ts":{ts},"payload":{{"account_id":"AcmeAcct0000001","object":{{"client_type":"{}","date_time":"2026-03-02T00:{:02}:{:02}Z","email":"{who}{i}@acme-corp.example","id":"u{:016x}","login_type":101,"version":"6.2.{}.{}"}}}}}}"#,
                clients[(r % 4) as usize],
                i / 60 % 60,
                i % 60,
                r,
                r % 13,
                r % 60000
            )
        } else {
            format!(
                r#"{{"event":"meeting.participant_joined","event_ts":{ts},"payload":{{"account_id":"AcmeAcct0000001","object":{{"duration":30,"host_id":"h{:016x}","id":"{}","participant":{{"customer_key":"","email":"{who}{}@acme-corp.example","id":"p{:016x}","join_time":"2026-03-02T{:02}:{:02}:00Z","participant_user_id":"p{:016x}","participant_uuid":"{:08X}-36CB-43C7-A0EB-{:012X}","phone_number":"","registrant_id":"","user_id":"{}","user_name":"{who}"}},"start_time":"2026-03-02T{:02}:00:00Z","timezone":"America/New_York","topic":"{}","type":2,"uuid":"m{:016x}=="}}}}}}"#,
                r >> 8,
                80_000_000_000 + r % 1_000_000_000,
                i % 2000,
                r >> 4,
                i / 3600 % 24,
                i / 60 % 60,
                r >> 4,
                r as u32,
                r >> 16 & 0xffff_ffff_ffff,
                r % 100_000_000,
                i / 3600 % 24,
                topics[(r % 5) as usize],
                r >> 12
            )
        };
        writeln!(f, "{line}").unwrap();
    }
}

/// A feed whose first thousand deliveries are all sign-ins still compresses its participant
/// deliveries as well as a feed of those alone: the first dictionary, learnt from the first
/// deliveries, is learnt again from the whole feed once there is enough of it.
#[test]
fn a_feed_whose_first_deliveries_are_one_kind_compresses_the_rest_as_well() {
    let dir = tempfile::tempdir().unwrap();
    let (mixed, joins) = (
        dir.path().join("mixed.ndjson"),
        dir.path().join("joins.ndjson"),
    );
    feed(&mixed, 1500, 45_000);
    feed(&joins, 0, 46_500);
    let stored = |file: &Path, name: &str| -> f64 {
        let case = dir.path().join(name);
        import(&case, &[file.to_path_buf()], &[]);
        let c = rusqlite::Connection::open(&case).unwrap();
        // The last 10,000 deliveries, all participants joining.
        c.query_row(
            "SELECT avg(length(raw)) FROM (SELECT raw FROM webhook_events ORDER BY id DESC
             LIMIT 10000)",
            [],
            |r| r.get(0),
        )
        .unwrap()
    };
    let (after, alone) = (stored(&mixed, "mixed.zl"), stored(&joins, "joins.zl"));
    assert!(
        after <= alone * 1.15,
        "a participant delivery takes {after:.0} bytes after sign-ins, {alone:.0} alone"
    );
    let (out, _, ok) = zl(&["verify", dir.path().join("mixed.zl").to_str().unwrap()]);
    assert!(ok && out.contains(": 0 mismatches"), "{out}");
}

/// Records written before a key's dictionary was learnt again (the feed's first participant
/// deliveries, compressed with what the sign-ins taught) are compressed again by `compact`
/// with the later dictionary, their bytes unchanged.
#[test]
fn compact_recompresses_what_an_earlier_dictionary_compressed_poorly() {
    let dir = tempfile::tempdir().unwrap();
    let (mixed, joins) = (
        dir.path().join("mixed.ndjson"),
        dir.path().join("joins.ndjson"),
    );
    feed(&mixed, 1500, 25_000);
    feed(&joins, 0, 26_500);
    let first_joins = |case: &Path| -> f64 {
        rusqlite::Connection::open(case)
            .unwrap()
            .query_row(
                "SELECT avg(length(raw)) FROM webhook_events WHERE id BETWEEN 2001 AND 12000",
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    let (case, alone) = (dir.path().join("mixed.zl"), dir.path().join("joins.zl"));
    import(&case, &[mixed], &[]);
    import(&alone, &[joins], &[]);
    let (before, single) = (first_joins(&case), first_joins(&alone));
    assert!(
        before > single * 2.0,
        "{before:.0} bytes before compact, {single:.0} alone"
    );
    let (out, err, ok) = zl(&["compact", case.to_str().unwrap()]);
    assert!(ok, "{out}{err}");
    let after = first_joins(&case);
    assert!(
        after <= single * 1.15,
        "{after:.0} bytes after compact ({before:.0} before), {single:.0} alone"
    );
    let (out, _, ok) = zl(&["verify", case.to_str().unwrap()]);
    assert!(ok && out.contains(": 0 mismatches"), "{out}");
}

/// The first column of every row `sql` returns.
fn strings(conn: &rusqlite::Connection, sql: &str) -> Vec<String> {
    conn.prepare(sql)
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Hidden files in `dir`: work in progress a command left behind.
fn work_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect()
}

/// Everything a reader of `case` sees: every table's rows (records as their original bytes) and
/// every index's SQL.
fn contents(case: &Path) -> BTreeMap<String, Vec<String>> {
    let s = Store::open_readonly(case).unwrap();
    let mut dec = Decoder::default();
    let tables = strings(
        &s.conn,
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    );
    let mut out = BTreeMap::new();
    for t in tables {
        let mut st = s.conn.prepare(&format!("SELECT * FROM \"{t}\"")).unwrap();
        let names: Vec<String> = st.column_names().map(|c| c.to_string()).collect();
        let mut rows = st.query([]).unwrap();
        let mut seen = Vec::new();
        while let Some(r) = rows.next().unwrap() {
            let mut row = String::new();
            for (i, name) in names.iter().enumerate() {
                let v = r.get_ref(i).unwrap();
                let shown = if name == "raw" {
                    String::from_utf8_lossy(&dec.decode(&s.conn, v).unwrap()).into_owned()
                } else {
                    format!("{v:?}")
                };
                row.push_str(&shown);
                row.push('\u{1f}');
            }
            seen.push(row);
        }
        seen.sort();
        out.insert(t, seen);
    }
    let indexes = strings(
        &s.conn,
        "SELECT name || ': ' || sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL
         ORDER BY name",
    );
    out.insert("(indexes)".into(), indexes);
    out
}

/// A case handed over as a pack comes back as the same case: every table's rows, each record's
/// original bytes and stored SHA-256, the analyst's verdicts and every index. Packing only
/// reads the case; the pack is a fraction of it; a pack is refused where a case is expected.
#[test]
fn a_packed_case_unpacks_to_the_same_records_hashes_verdicts_and_indexes() {
    let dir = tempfile::tempdir().unwrap();
    let case = common::cli::demo(dir.path());
    let c = case.display().to_string();
    let (_, err, ok) = zl(&[
        "triage",
        &c,
        "1",
        "--state",
        "benign",
        "--reason",
        "known VPN",
    ]);
    assert!(ok, "{err}");
    let before = std::fs::read(&case).unwrap();
    let pack = dir.path().join("handover.zlpack");
    let p = pack.display().to_string();
    let (out, err, ok) = zl(&["pack", &c, &p]);
    assert!(ok, "{err}");
    assert!(out.contains("zoomlens unpack"), "{out}");
    assert_eq!(
        std::fs::read(&case).unwrap(),
        before,
        "packing changed the case"
    );
    let (case_len, pack_len) = (before.len() as u64, std::fs::metadata(&pack).unwrap().len());
    assert!(
        pack_len * 3 < case_len,
        "pack {pack_len} bytes for a case of {case_len}"
    );

    let back = dir.path().join("back.zl");
    let b = back.display().to_string();
    let (out, err, ok) = zl(&["unpack", &p, &b]);
    assert!(ok, "{err}");
    assert!(out.contains("checked against the pack"), "{out}");
    let (out, err, ok) = zl(&["verify", &b]);
    assert!(ok, "{out}{err}");
    assert_eq!(contents(&back), contents(&case));
    let verdicts = sql_rows(&back, "SELECT state, reason FROM triage");
    assert_eq!(verdicts.len(), 1, "{verdicts:?}");

    // An existing case is never replaced unless asked.
    let (_, err, ok) = zl(&["unpack", &p, &b]);
    assert!(
        !ok && err.contains("already exists") && err.contains("--force"),
        "{err}"
    );
    let (_, err, ok) = zl(&["unpack", &p, &b, "--force"]);
    assert!(ok, "{err}");
    // Evidence is never replaced by its own pack, even when asked to replace files.
    let wal = format!("{c}-wal");
    for dest in [&c, &wal] {
        let (_, err, ok) = zl(&["pack", &c, dest, "--force"]);
        assert!(
            !ok && err.contains("would replace the case"),
            "{dest}: {err}"
        );
    }
    assert_eq!(std::fs::read(&case).unwrap(), before);
    // A pack is not a case: commands that expect one say what to do.
    let (_, err, ok) = zl(&["status", &p]);
    assert!(!ok && err.contains("zoomlens unpack"), "{err}");
    let other = dir.path().join("other.zl").display().to_string();
    let (_, err, ok) = zl(&["import", &other, &p]);
    assert!(
        !ok && err.contains("packed case") && err.contains("zoomlens unpack"),
        "{err}"
    );
    assert_eq!(work_files(dir.path()), Vec::<String>::new());
}

/// A pack cut short, or whose records were altered after packing (a valid stream holding other
/// bytes), is refused by unpack, which writes nothing.
#[test]
fn a_cut_or_altered_pack_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let case = common::cli::demo(dir.path());
    let pack = dir.path().join("p.zlpack");
    let p = pack.display().to_string();
    let (_, err, ok) = zl(&["pack", &case.display().to_string(), &p]);
    assert!(ok, "{err}");
    let bytes = std::fs::read(&pack).unwrap();
    let dest = dir.path().join("out.zl");
    let d = dest.display().to_string();

    let cut = dir.path().join("cut.zlpack");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let (_, err, ok) = zl(&["unpack", &cut.display().to_string(), &d]);
    assert!(!ok && err.contains("damaged or cut short"), "{err}");
    assert!(!dest.exists());

    // The header is a 24-byte skippable frame; the rest is the database as one zstd frame.
    let db = dir.path().join("inner.db");
    std::fs::write(&db, zstd::stream::decode_all(&bytes[24..]).unwrap()).unwrap();
    {
        let c = rusqlite::Connection::open(&db).unwrap();
        let n = c
            .execute(
                "UPDATE webhook_events SET raw = replace(raw, '\"event\"', '\"evenT\"')
                 WHERE id = (SELECT min(id) FROM webhook_events WHERE typeof(raw) = 'text')",
                [],
            )
            .unwrap();
        assert_eq!(n, 1);
    }
    let mut altered = bytes[..24].to_vec();
    altered.extend(zstd::stream::encode_all(&std::fs::read(&db).unwrap()[..], 3).unwrap());
    let forged = dir.path().join("forged.zlpack");
    std::fs::write(&forged, altered).unwrap();
    let (_, err, ok) = zl(&["unpack", &forged.display().to_string(), &d]);
    assert!(
        !ok && err.contains("damaged") && err.contains("are not those that were packed"),
        "{err}"
    );
    assert!(!dest.exists());
    assert_eq!(work_files(dir.path()), Vec::<String>::new());
}
