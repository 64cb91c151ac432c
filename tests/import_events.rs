//! Events that carry more than a delivery: settings-change webhooks become operations (the
//! settings rules fire on a case built from webhooks alone; the same change from the webhook
//! and the operation log is one operation, in either import order), waiting-room events
//! become stays with their outcome, and channel lists name the channels of chat messages.

mod common;

use common::cli::{json, sql_rows as rows, zl};
use std::path::{Path, PathBuf};

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/zoom/samples")
        .join(name)
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn import(case: &Path, files: &[&Path]) {
    let mut args = vec!["import".to_string(), case.display().to_string()];
    args.extend(files.iter().map(|f| f.display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (out, err, ok) = zl(&args);
    assert!(ok, "{out}{err}");
    assert!(!out.contains("rejected (kept"), "{out}");
}

fn oplog(dir: &Path, name: &str, entries: &[(&str, &str, &str, &str)]) -> PathBuf {
    let logs: Vec<serde_json::Value> = entries
        .iter()
        .map(|(time, operator, category, detail)| {
            serde_json::json!({"time": time, "operator": operator, "category_type": category,
                               "action": "Update", "operation_detail": detail})
        })
        .collect();
    let page = serde_json::json!({"from": "2024-06-01", "to": "2024-06-30", "page_size": 300,
                                  "next_page_token": "", "operation_logs": logs});
    write(dir, name, &page.to_string())
}

#[test]
fn a_case_built_from_settings_webhooks_alone_has_their_changes_and_the_rules_fire() {
    let d = tempfile::tempdir().unwrap();
    let case = d.path().join("w.zl");
    let files = [
        sample("webhook_user.settings_updated.json"),
        sample("webhook_user.settings_updated_meeting_authentication.json"),
        sample("webhook_account.settings_updated.json"),
        sample("webhook_account.lock_settings_updated.json"),
    ];
    import(
        &case,
        &files.iter().map(PathBuf::as_path).collect::<Vec<_>>(),
    );
    let ops = rows(
        &case,
        "SELECT time, operator, category_type, action, operation_detail, via FROM operations ORDER BY time",
    );
    let details: Vec<&str> = ops
        .iter()
        .map(|r| r["operation_detail"].as_str().unwrap())
        .collect();
    assert_eq!(
        details,
        [
            "Update User z8yCxjabcdEFGHfp8uQ  - In Meeting / Private chat: from On to Off",
            "Update User z8yCxjabcdEFGHfp8uQ  - Only authenticated users can join meetings: from On to Off",
            "Recording  - Cloud recording: from On to Off",
            "Schedule Meeting (lock)  - Waiting Room: from Locked to Unlocked",
        ]
    );
    assert_eq!(
        ops[2]["time"], "2024-06-10T09:16:39Z",
        "the payload's time_stamp"
    );
    assert_eq!(ops[2]["operator"], "superadmin@example.com");
    assert!(ops.iter().all(|r| r["via"] == "webhook"));
    // Parsed like operation-log entries: the ledger's changes and the rules read them.
    let auth = rows(
        &case,
        "SELECT kind, setting, from_value, to_value FROM op_changes WHERE setting LIKE 'Only authenticated%'",
    );
    assert_eq!(auth.len(), 1);
    assert_eq!(auth[0]["kind"], "update_user");
    assert_eq!(
        (auth[0]["from_value"].as_str(), auth[0]["to_value"].as_str()),
        (Some("On"), Some("Off"))
    );

    let c = case.display().to_string();
    let found = json(&["detect", &c, "--format", "json"]);
    let disabled: Vec<&serde_json::Value> = found
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "security-setting-disabled")
        .collect();
    assert_eq!(disabled.len(), 1, "{found:#}");
    assert!(
        disabled[0]["summary"]
            .as_str()
            .unwrap()
            .contains("authenticated"),
        "{:#}",
        disabled[0]
    );
}

#[test]
fn the_same_change_from_both_doors_is_one_operation_in_either_order() {
    let d = tempfile::tempdir().unwrap();
    let hook = sample("webhook_account.settings_updated.json");
    // Zoom's operation log writes the portal's label, a second earlier than the webhook.
    let log = oplog(
        d.path(),
        "log.json",
        &[(
            "2024-06-10T09:16:38Z",
            "superadmin@example.com",
            "Account",
            "Change account setting Cloud Recording from ON to OFF",
        )],
    );
    for (name, order) in [("a.zl", [&hook, &log]), ("b.zl", [&log, &hook])] {
        let case = d.path().join(name);
        import(&case, &[order[0]]);
        import(&case, &[order[1]]);
        let ops = rows(
            &case,
            "SELECT id, operation_detail, via, time FROM operations",
        );
        assert_eq!(ops.len(), 1, "{name}: {ops:?}");
        // The log's own words and time win; both deliveries are evidence.
        assert_eq!(
            ops[0]["operation_detail"],
            "Change account setting Cloud Recording from ON to OFF"
        );
        assert_eq!(ops[0]["time"], "2024-06-10T09:16:38Z");
        assert!(
            ops[0]["via"].as_str().unwrap().ends_with("+webhook"),
            "{ops:?}"
        );
        let extra = rows(
            &case,
            "SELECT COUNT(*) AS n FROM extra_evidence WHERE tbl = 'operations'",
        );
        assert_eq!(extra[0]["n"], 1, "{name}");
        let changes = rows(&case, "SELECT COUNT(*) AS n FROM op_changes");
        assert_eq!(changes[0]["n"], 1, "{name}: the log's change, once");
        // Importing both again adds nothing.
        import(&case, &[&hook, &log]);
        assert_eq!(rows(&case, "SELECT id FROM operations").len(), 1);
        let extra = rows(
            &case,
            "SELECT COUNT(*) AS n FROM extra_evidence WHERE tbl = 'operations'",
        );
        assert_eq!(extra[0]["n"], 1, "{name}");
    }
}

#[test]
fn two_changes_by_one_admin_within_a_minute_pair_up_one_to_one() {
    let d = tempfile::tempdir().unwrap();
    let hook = |name: &str, ms: i64, section: &str, key: &str, old: bool, new: bool| {
        let v = serde_json::json!({
            "event": "account.settings_updated", "event_ts": ms + 400,
            "payload": {"account_id": "A", "operator": "ops@example.com", "operator_id": "X",
                        "time_stamp": ms,
                        "object": {"id": "A", "settings": {section: {key: new}}},
                        "old_object": {"id": "A", "settings": {section: {key: old}}}}});
        write(d.path(), name, &v.to_string())
    };
    // 2024-06-10T09:00:00Z and 30 s later.
    let h1 = hook(
        "h1.json",
        1_718_010_000_000,
        "security",
        "waiting_room",
        true,
        false,
    );
    let h2 = hook(
        "h2.json",
        1_718_010_030_000,
        "schedule_meeting",
        "host_video",
        false,
        true,
    );
    let log = oplog(
        d.path(),
        "log.json",
        &[
            (
                "2024-06-10T09:00:00Z",
                "ops@example.com",
                "Account",
                "Security  - Waiting Room: from On to Off",
            ),
            (
                "2024-06-10T09:00:30Z",
                "ops@example.com",
                "Account",
                "Schedule Meeting  - Host video: from Off to On",
            ),
        ],
    );
    let case = d.path().join("c.zl");
    import(&case, &[&h2, &h1]);
    import(&case, &[&log]);
    let ops = rows(
        &case,
        "SELECT operation_detail, via FROM operations ORDER BY time",
    );
    assert_eq!(ops.len(), 2, "{ops:?}");
    assert_eq!(
        ops[0]["operation_detail"],
        "Security  - Waiting Room: from On to Off"
    );
    assert_eq!(
        ops[1]["operation_detail"],
        "Schedule Meeting  - Host video: from Off to On"
    );
    assert!(
        ops.iter()
            .all(|r| r["via"].as_str().unwrap().ends_with("+webhook"))
    );
    // A different admin's change at the same second is not folded in.
    let other = oplog(
        d.path(),
        "other.json",
        &[(
            "2024-06-10T09:00:00Z",
            "someone@example.com",
            "Account",
            "Security  - Waiting Room: from On to Off",
        )],
    );
    import(&case, &[&other]);
    assert_eq!(rows(&case, "SELECT id FROM operations").len(), 3);
}

#[test]
fn waiting_room_events_make_one_stay_with_its_outcome_in_either_order() {
    let d = tempfile::tempdir().unwrap();
    let joined = sample("webhook_meeting.participant_joined_waiting_room.json");
    let admitted = sample("webhook_meeting.participant_admitted.json");
    let left = sample("webhook_meeting.participant_left_waiting_room.json");
    for (name, order) in [
        ("a.zl", [&joined, &admitted, &left]),
        ("b.zl", [&joined, &left, &admitted]),
        ("e.zl", [&admitted, &joined, &left]),
        ("f.zl", [&left, &admitted, &joined]),
    ] {
        let case = d.path().join(name);
        for f in order {
            import(&case, &[f]);
        }
        import(&case, &[&joined, &admitted, &left]); // again: nothing new
        let stays = rows(
            &case,
            "SELECT name, entered_at, admitted_at, outcome FROM waiting_room",
        );
        assert_eq!(stays.len(), 1, "{name}: {stays:?}");
        assert_eq!(stays[0]["name"], "Guest Caller");
        assert_eq!(stays[0]["entered_at"], "2024-06-10T06:13:50Z");
        assert_eq!(stays[0]["admitted_at"], "2024-06-10T06:14:04Z");
        assert_eq!(stays[0]["outcome"], "admitted", "{name}");
    }
    // Left without admission: the stay says so.
    let case = d.path().join("c.zl");
    import(&case, &[&joined, &left]);
    let stays = rows(&case, "SELECT outcome, left_at FROM waiting_room");
    assert_eq!(stays[0]["outcome"], "left");
    assert_eq!(stays[0]["left_at"], "2024-06-10T06:14:04Z");
    // An admission whose entry was never seen is still a stay.
    let case = d.path().join("d.zl");
    import(&case, &[&admitted]);
    let stays = rows(&case, "SELECT outcome, entered_at FROM waiting_room");
    assert_eq!(stays.len(), 1);
    assert_eq!(stays[0]["outcome"], "admitted");
}

#[test]
fn chat_channel_lists_name_the_channels_of_messages() {
    let d = tempfile::tempdir().unwrap();
    let page = |path: &str, body: serde_json::Value| {
        serde_json::json!({"path": path, "query": {"to_channel": "CH1"},
                           "fetched_at": "2024-06-11T00:00:00Z", "body": body})
        .to_string()
    };
    let capture = [
        page(
            "/v2/chat/users/u1/channels",
            serde_json::json!({"total_records": 1, "page_size": 50, "next_page_token": "",
                "channels": [{"id": "CH1", "jid": "ch1@conference.xmpp.zoom.us",
                              "name": "deal-room", "type": 3}]}),
        ),
        page(
            "/v2/chat/users/u1/messages",
            serde_json::json!({"from": "2024-06-10T00:00:00Z", "to": "2024-06-11T00:00:00Z",
                "page_size": 50, "next_page_token": "",
                "messages": [{"id": "M1", "message": "wire it today", "sender": "cfo@acme.com",
                              "sender_display_name": "CFO", "date_time": "2024-06-10T20:25:21Z",
                              "timestamp": 1718051121626i64, "status": "Normal"}]}),
        ),
    ]
    .join("\n");
    let f = write(d.path(), "cap.ndjson", &capture);
    let case = d.path().join("c.zl");
    import(&case, &[&f]);
    let ch = rows(
        &case,
        "SELECT m.message, c.name, c.type FROM chat_messages m JOIN chat_channels c ON c.channel_id = m.to_channel",
    );
    assert_eq!(ch.len(), 1, "{ch:?}");
    assert_eq!(ch[0]["name"], "deal-room");
    assert_eq!(ch[0]["type"], 3);
}

#[test]
fn a_bare_chat_page_takes_its_channel_from_the_command_line() {
    let d = tempfile::tempdir().unwrap();
    let case = d.path().join("c.zl");
    let c = case.display().to_string();
    let page = sample("chat_messages.json");
    let (out, err, ok) = zl(&[
        "import",
        &c,
        &page.display().to_string(),
        "--channel",
        "CH9",
    ]);
    assert!(ok, "{out}{err}");
    let msgs = rows(
        &case,
        "SELECT DISTINCT to_channel, to_contact FROM chat_messages",
    );
    assert_eq!(msgs.len(), 1, "{msgs:?}");
    assert_eq!(msgs[0]["to_channel"], "CH9");
    assert!(msgs[0]["to_contact"].is_null());
    // A channel and a contact at once cannot both be right.
    let (_, err, ok) = zl(&[
        "import",
        &c,
        &page.display().to_string(),
        "--channel",
        "CH9",
        "--contact",
        "a@b.c",
    ]);
    assert!(!ok);
    assert!(err.contains("cannot be used with"), "{err}");
}
