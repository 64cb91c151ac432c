//! `zoomlens import` on the inputs a user really has: standard input, pipes, FIFOs, process
//! substitution, gzip and zstd, UTF-16 exports, stray bytes, huge lines, and files that hold
//! credentials. The real binary, as a user runs it.

mod common;

use common::cli::{count, fixture, sql_rows, text};

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_zoomlens")
}

fn zoomlens(args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .env_remove("ZOOMLENS_LOG")
        .stdin(Stdio::null())
        .output()
        .expect("run zoomlens")
}

/// Run with `input` written to standard input from another thread (so a big input cannot
/// dead-lock against the child's output).
fn zoomlens_stdin(args: &[&str], input: Vec<u8>) -> Output {
    let mut child = Command::new(bin())
        .args(args)
        .env_remove("ZOOMLENS_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = wait_bounded(child, Duration::from_secs(120));
    feeder.join().unwrap();
    out
}

/// Wait for a child, failing the test instead of hanging when it does not finish.
fn wait_bounded(mut child: std::process::Child, limit: Duration) -> Output {
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("zoomlens did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn capture() -> Vec<u8> {
    std::fs::read(fixture("engineering_capture.ndjson")).unwrap()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn zstd(data: &[u8]) -> Vec<u8> {
    ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest)
}

/// What the capture fixture stores, read from a case made from the plain file.
fn reference_counts() -> (i64, i64) {
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("ref.zl").display().to_string();
    let out = zoomlens(&[
        "import",
        &case,
        &fixture("engineering_capture.ndjson").display().to_string(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    (count(&case, "participants"), count(&case, "meetings"))
}

#[test]
fn standard_input_is_read_once_and_named_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("c.zl").display().to_string();
    let out = zoomlens_stdin(&["import", &case, "-"], capture());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (p, m) = reference_counts();
    assert!(p > 0);
    assert_eq!(
        (count(&case, "participants"), count(&case, "meetings")),
        (p, m)
    );
    let stdout = text(&out.stdout);
    assert!(stdout.contains("-: 36 records (NDJSON)"), "{stdout}");
    let kinds = sql_rows(
        &case,
        "SELECT DISTINCT source FROM origins WHERE kind = 'file'",
    );
    assert_eq!(kinds.len(), 1, "{kinds:?}");
    assert_eq!(kinds[0]["source"], "stdin");
}

#[test]
fn gzip_and_zstd_are_recognised_by_their_bytes_not_their_names() {
    let dir = tempfile::tempdir().unwrap();
    let (p, _) = reference_counts();
    // A gzip file named .log, a zstd file named .ndjson, two gzip members back to back.
    let gz = dir.path().join("export.log");
    std::fs::write(&gz, gzip(&capture())).unwrap();
    let zs = dir.path().join("capture.ndjson");
    std::fs::write(&zs, zstd(&capture())).unwrap();
    let lines = capture();
    let half = lines.iter().position(|&b| b == b'\n').unwrap() + 1;
    let mut two = gzip(&lines[..half]);
    two.extend(gzip(&lines[half..]));
    let members = dir.path().join("two.ndjson.gz");
    std::fs::write(&members, two).unwrap();
    for (f, label) in [(&gz, "gzip"), (&zs, "zstd"), (&members, "gzip")] {
        let case = dir
            .path()
            .join(format!("{label}{}.zl", f.display().to_string().len()));
        let case = case.display().to_string();
        let out = zoomlens(&["import", &case, &f.display().to_string()]);
        assert!(
            out.status.success(),
            "{}: {}",
            f.display(),
            text(&out.stderr)
        );
        assert!(
            text(&out.stdout).contains(&format!("(NDJSON, {label})")),
            "{}",
            text(&out.stdout)
        );
        assert_eq!(count(&case, "participants"), p, "{}", f.display());
    }
    // Compressed standard input too.
    let case = dir.path().join("stdin.zl").display().to_string();
    let out = zoomlens_stdin(&["import", &case, "-"], gzip(&capture()));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(count(&case, "participants"), p);
}

#[cfg(unix)]
#[test]
fn a_fifo_and_a_process_substitution_import_everything_without_hanging() {
    let dir = tempfile::tempdir().unwrap();
    let (p, _) = reference_counts();
    let fifo = dir.path().join("feed");
    let st = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(st.success());
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut f = std::fs::OpenOptions::new().write(true).open(fifo).unwrap();
            f.write_all(&capture()).unwrap();
        })
    };
    let case = dir.path().join("fifo.zl").display().to_string();
    let child = Command::new(bin())
        .args(["import", &case, &fifo.display().to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = wait_bounded(child, Duration::from_secs(60));
    writer.join().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(count(&case, "participants"), p);

    // `zoomlens import CASE <(zcat x.gz)`, as a shell runs it.
    let gz = dir.path().join("x.gz");
    std::fs::write(&gz, gzip(&capture())).unwrap();
    let case = dir.path().join("subst.zl").display().to_string();
    let script = format!(
        "exec '{}' import '{}' <(gzip -dc '{}')",
        bin(),
        case,
        gz.display()
    );
    let child = Command::new("bash")
        .args(["-c", &script])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = wait_bounded(child, Duration::from_secs(60));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(count(&case, "participants"), p);
}

#[test]
fn a_first_line_over_256_kib_is_still_ndjson() {
    // One metrics participants page of 300 QoS-rich rows on one line (~330 KB), as sync and
    // gen write them, then an ordinary sign-in line.
    let row = |i: usize| {
        serde_json::json!({
            "id": format!("u{i}"), "user_id": format!("{}", 16778240 + i),
            "participant_uuid": format!("A1B2C3D4-0000-4000-8000-{i:012}"),
            "user_name": format!("Participant {i}"), "email": format!("p{i}@acme.example"),
            "device": "Mac", "os": "Mac", "os_version": "14.5", "ip_address": "192.0.2.10",
            "location": "San Jose (US)", "network_type": "Wifi",
            "data_center": "United States (SC Top)", "connection_type": "UDP",
            "join_time": "2024-06-10T06:00:00Z", "leave_time": "2024-06-10T07:00:00Z",
            "share_application": false, "share_desktop": false, "share_whiteboard": false,
            "recording": false, "pc_name": format!("PC-{i}"), "domain": "acme.example",
            "mac_addr": "00:11:22:33:44:55", "harddisk_id": "HD-000000000000000000",
            "version": "6.0.12.38947", "leave_reason": "left the meeting",
            "microphone": "MacBook Pro Microphone", "speaker": "MacBook Pro Speakers",
            "camera": "FaceTime HD Camera", "audio_quality": "good", "video_quality": "good",
            "screen_share_quality": "good", "client": "Zoom Workplace",
            "device_name": format!("Participant-{i}s-MacBook-Pro"),
            "full_data_center": "United States (SC Top);United States (NY Top)",
            "internal_ip_addresses": ["10.0.0.23", "fe80::1c2b:3d4e:5f60:7182"],
        })
    };
    let rows: Vec<_> = (0..300).map(row).collect();
    let page = serde_json::json!({
        "path": "/v2/metrics/meetings/abc%252B%252F%253D%253D/participants",
        "query": {"type": "past", "page_size": 300},
        "fetched_at": "2024-06-11T00:00:00Z",
        "body": {"page_count": 1, "page_size": 300, "total_records": 300,
                 "next_page_token": "", "participants": rows},
    });
    let mut data = serde_json::to_vec(&page).unwrap();
    assert!(data.len() > 256 * 1024, "{}", data.len());
    data.extend_from_slice(b"\n{\"email\":\"a@acme.example\",\"time\":\"2024-06-10T06:00:00Z\",\"type\":\"Sign in\"}\n");
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("metrics.ndjson");
    std::fs::write(&f, &data).unwrap();
    let case = dir.path().join("c.zl").display().to_string();
    let out = zoomlens(&["import", &case, &f.display().to_string()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(count(&case, "participants"), 300);
    assert_eq!(count(&case, "signins"), 1);
}

#[test]
fn a_bad_byte_in_a_csv_rejects_that_row_with_its_line_and_keeps_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("c.zl").display().to_string();
    let f = fixture("real/vips_latin1_byte.csv").display().to_string();
    let out = zoomlens(&["import", &case, &f]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("vips_latin1_byte.csv:3: not UTF-8 text"),
        "{stdout}"
    );
    assert_eq!(count(&case, "vips"), 2);
    let r = sql_rows(&case, "SELECT line, reason, raw FROM zoom_rejects");
    assert_eq!(r.len(), 1);
    assert_eq!(r[0]["line"], 3);
    assert!(
        r[0]["raw"]
            .as_str()
            .unwrap()
            .starts_with("renee@acme.example,Ren")
    );
}

#[test]
fn utf16_exports_are_decoded() {
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("c.zl").display().to_string();
    let f = fixture("real/portal_signins_utf16le.csv")
        .display()
        .to_string();
    let out = zoomlens(&["import", &case, &f]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("(CSV sign-ins, UTF-16LE)"),
        "{}",
        text(&out.stdout)
    );
    let rows = sql_rows(&case, "SELECT email FROM signins ORDER BY time");
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["email"], "zoë.müller@acme.example");
    // UTF-16BE without a byte-order mark, and UTF-8 with one.
    let be: Vec<u8> = std::fs::read_to_string(fixture("vips.csv"))
        .unwrap()
        .encode_utf16()
        .flat_map(u16::to_be_bytes)
        .collect();
    let f = dir.path().join("vips16.csv");
    std::fs::write(&f, be).unwrap();
    let mut bom = b"\xef\xbb\xbf".to_vec();
    bom.extend(std::fs::read(fixture("departures.csv")).unwrap());
    let g = dir.path().join("departures_bom.csv");
    std::fs::write(&g, bom).unwrap();
    let case = dir.path().join("d.zl").display().to_string();
    let out = zoomlens(&[
        "import",
        &case,
        &f.display().to_string(),
        &g.display().to_string(),
    ]);
    // The departures fixture has one row with an unparsable date, on purpose.
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("(CSV VIPs, UTF-16BE)"),
        "{}",
        text(&out.stdout)
    );
    assert!(count(&case, "vips") > 0);
    assert_eq!(count(&case, "departures"), 2);
}

#[test]
fn a_record_over_the_size_cap_is_a_reject_not_an_exhausted_memory() {
    let mut data =
        b"{\"email\":\"a@acme.example\",\"time\":\"2024-06-10T06:00:00Z\",\"type\":\"Sign in\"}\n"
            .to_vec();
    data.extend_from_slice(b"{\"email\":\"b@acme.example\",\"note\":\"");
    data.resize(data.len() + (65 << 20), b'x');
    data.extend_from_slice(b"\"}\n{\"email\":\"c@acme.example\",\"time\":\"2024-06-10T07:00:00Z\",\"type\":\"Sign in\"}\n");
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("c.zl").display().to_string();
    let out = zoomlens_stdin(&["import", &case, "-"], data);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("stdin:2: record of"), "{stdout}");
    assert!(stdout.contains("over the 64 MiB limit"), "{stdout}");
    assert_eq!(count(&case, "signins"), 2);
    let r = sql_rows(&case, "SELECT length(raw) AS n FROM zoom_rejects");
    assert!(r[0]["n"].as_i64().unwrap() <= 4096);
}

#[test]
fn credentials_are_never_stored_not_even_in_the_rejects() {
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("c.zl").display().to_string();
    let f = fixture("real/mixed_with_token.ndjson")
        .display()
        .to_string();
    let out = zoomlens(&["import", &case, &f]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("it held credentials: access_token, refresh_token; stored redacted"),
        "{stdout}"
    );
    assert!(
        stdout.contains("it held credentials: secret_token; stored redacted"),
        "{stdout}"
    );
    assert_eq!(count(&case, "signins"), 2);
    let r = sql_rows(&case, "SELECT raw FROM zoom_rejects ORDER BY line");
    assert_eq!(r.len(), 2);
    assert!(
        r[0]["raw"]
            .as_str()
            .unwrap()
            .contains("\"access_token\":\"[redacted]\"")
    );
    // Not a byte of any secret anywhere in the case (nor its journal).
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        for secret in ["SECRET-ACCESS", "SECRET-REFRESH", "SECRET-WEBHOOK"] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{secret} stored"
            );
        }
    }
}
