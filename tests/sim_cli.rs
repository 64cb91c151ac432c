//! `zoomlens sim` as a user runs it: the real binary, a generated tenant, a port picked by the
//! OS, the truth file, and webhook delivery from the command line.

mod sim_common;

use serde_json::Value;
use sim_common::*;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const TENANT: [&str; 8] = [
    "--users",
    "40",
    "--days",
    "4",
    "--start",
    "2026-03-02",
    "--seed",
    "7",
];

/// Kills the child when the test ends, pass or fail.
struct Child(std::process::Child);
impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn serves_a_generated_tenant_on_a_free_port_and_writes_the_truth() {
    let dir = tempfile::tempdir().unwrap();
    let truth = dir.path().join("truth.json");
    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_zoomlens"))
            .args(["sim", "--bind", "127.0.0.1:0", "--truth"])
            .arg(&truth)
            .args(TENANT)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut line = String::new();
    BufReader::new(child.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    let truth: Value = serde_json::from_str(&std::fs::read_to_string(&truth).unwrap()).unwrap();
    let c = client();
    let t = token(&c, &base).await;
    let mut users = 0;
    for status in ["active", "inactive", "pending"] {
        users += walk(
            &c,
            &base,
            &t,
            &format!("/users?status={status}&page_size=300"),
            "users",
        )
        .await
        .len();
    }
    assert_eq!(
        users as u64,
        truth["counts"]["zoom_users"].as_u64().unwrap()
    );
    let signins = walk(
        &c,
        &base,
        &t,
        "/report/activities?from=2026-03-01&to=2026-03-31&page_size=300",
        "activity_logs",
    )
    .await;
    assert_eq!(
        signins.len() as u64,
        truth["counts"]["zoom_signins"].as_u64().unwrap()
    );
}

#[test]
fn bad_flags_get_a_clear_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_zoomlens"))
        .args(["sim", "--bind", "127.0.0.1:0", "--fault-rate", "2"])
        .args(TENANT)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--fault-rate must be between 0 and 1"),
        "{err}"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_zoomlens"))
        .args([
            "sim",
            "--bind",
            "127.0.0.1:0",
            "--deliver-to",
            "http://127.0.0.1:9/hook",
        ])
        .args(TENANT)
        .env_remove("ZOOM_WEBHOOK_SECRET_TOKEN")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--webhook-secret"), "{err}");
}

#[tokio::test]
async fn delivers_the_tenants_webhooks_from_the_command_line() {
    let (url, got) = receiver("cli-secret").await;
    let dir = tempfile::tempdir().unwrap();
    let acks = dir.path().join("acks.ndjson");
    let truth = dir.path().join("truth.json");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_zoomlens"));
    cmd.args(["sim", "--bind", "127.0.0.1:0", "--deliver-rate", "2000"])
        .args([
            "--deliver-to",
            &url,
            "--webhook-secret",
            "cli-secret",
            "--deliver-acks",
        ])
        .arg(&acks)
        .arg("--truth")
        .arg(&truth)
        .args(TENANT);
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let truth: Value = serde_json::from_str(&std::fs::read_to_string(&truth).unwrap()).unwrap();
    let events = truth["counts"]["webhook_events"]
        .as_u64()
        .or(truth["counts"]["zoom_webhook_events"].as_u64())
        .unwrap();
    assert!(events > 0);
    let g = got.lock().unwrap();
    assert_eq!(g.events.len() as u64, events, "every event delivered once");
    assert_eq!(g.bad_signatures, 0);
    let refused = g
        .events
        .iter()
        .filter(|e| e["event"] == "user.created")
        .count() as u64;
    let acked = std::fs::read_to_string(&acks).unwrap().lines().count() as u64;
    assert_eq!(acked, events - refused);
    let summary = stdout.lines().last().unwrap_or("");
    assert!(
        summary.contains(&format!(
            "sent {events} acknowledged {acked} failed {refused}"
        )),
        "{stdout}"
    );
}
