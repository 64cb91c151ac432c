//! Running the real binary as a user would, and the small demo case tests share.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Run `zoomlens ARGS` as a user at a terminal would (analyst "dana", no log override,
/// nothing on standard input).
pub fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zoomlens"))
        .args(args)
        .env("ZOOMLENS_ANALYST", "dana")
        .env_remove("ZOOMLENS_LOG")
        .stdin(Stdio::null())
        .output()
        .expect("run zoomlens")
}

/// [`run`]: stdout, stderr, success.
pub fn zl(args: &[&str]) -> (String, String, bool) {
    let out = run(args);
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.success(),
    )
}

/// Run `zoomlens ARGS` and parse its JSON output (it must succeed).
pub fn json(args: &[&str]) -> serde_json::Value {
    let (out, err, ok) = zl(args);
    assert!(ok, "{args:?}: {err}");
    serde_json::from_str(&out).unwrap()
}

/// The demo case at a test's size (120 users, 7 days, every incident planted), detected.
pub fn demo(dir: &Path) -> PathBuf {
    let case = dir.join("demo.zl");
    zoomlens::sim::demo::build_demo(&zoomlens::sim::generator::Config::small(42, 120, 7), &case)
        .unwrap();
    case
}

/// `zoomlens sql CASE QUERY --format json`: the rows as JSON objects.
pub fn sql_rows(case: impl AsRef<Path>, query: &str) -> Vec<serde_json::Value> {
    let case = case.as_ref().display().to_string();
    match json(&["sql", &case, query, "--format", "json"]) {
        serde_json::Value::Array(rows) => rows,
        other => panic!("not an array of rows: {other}"),
    }
}

/// Rows of `table` (or view) in the case, through `zoomlens sql`.
pub fn count(case: impl AsRef<Path>, table: &str) -> i64 {
    sql_rows(case, &format!("SELECT COUNT(*) AS n FROM {table}"))[0]["n"]
        .as_i64()
        .unwrap()
}

/// A process's output as text (invalid UTF-8 replaced).
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A file under tests/fixtures.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Read all of a child's pipe on a thread of its own, so a chatty log can never block the child
/// on a full pipe; join the thread for the text.
pub fn drain(mut pipe: impl std::io::Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut s = String::new();
        let _ = pipe.read_to_string(&mut s);
        s
    })
}

/// SIGTERM to process `pid`, as a service manager stops it.
pub fn terminate(pid: u32) {
    let ok = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok);
}

/// What `zoomlens status CASE` prints.
pub fn status(case: &Path) -> String {
    let out = run(&["status", &case.display().to_string()]);
    String::from_utf8_lossy(&out.stdout).into_owned()
}
