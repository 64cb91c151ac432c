//! Running the real binary as a user would, and the small demo case tests share.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// Run `zoomlens ARGS` (analyst "dana"): stdout, stderr, success.
pub fn zl(args: &[&str]) -> (String, String, bool) {
    let out = Command::new(env!("CARGO_BIN_EXE_zoomlens"))
        .args(args)
        .env("ZOOMLENS_ANALYST", "dana")
        .output()
        .unwrap();
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
