//! Every simulator response has the field names and JSON types of the matching Zoom sample in
//! ../shared/zoom/samples (annotation keys starting with "_" aside).

mod sim_common;

use serde_json::{Value, json};
use sim_common::*;

fn check(name: &str, actual: &Value, sample_file: &str) -> Vec<String> {
    let mut out = Vec::new();
    shape_diff(actual, &sample(sample_file), name, &mut out);
    out
}

#[test]
fn the_comparator_catches_missing_extra_and_mistyped_fields() {
    let s = sample("users.json");
    let mut ok = Vec::new();
    shape_diff(&s, &s, "users", &mut ok);
    assert!(ok.is_empty(), "{ok:?}");
    let mut bad = s.clone();
    bad["users"][0].as_object_mut().unwrap().remove("email");
    bad["users"][1]["type"] = json!("1");
    bad["users"][1]["surprise"] = json!(1);
    bad["page_size"] = json!(30.5);
    let mut out = Vec::new();
    shape_diff(&bad, &s, "users", &mut out);
    assert_eq!(out.len(), 4, "{out:?}");
    // Optional fields (present in only some sample elements) may be absent.
    let mut opt = s.clone();
    opt["users"][0]
        .as_object_mut()
        .unwrap()
        .remove("employee_unique_id");
    let mut out = Vec::new();
    shape_diff(&opt, &s, "users", &mut out);
    assert!(out.is_empty(), "{out:?}");
}

#[tokio::test]
async fn every_endpoint_matches_its_sample() {
    let base = start(tenant(), cfg()).await;
    let c = client();
    let t = token(&c, &base).await;
    let uuid = encode(&encode(LATEST_UUID));
    let cases = [
        ("/users?status=active&page_size=300", "users.json"),
        (
            "/report/activities?from=2024-06-01&to=2024-06-30&page_size=300",
            "report_activities.json",
        ),
        (
            "/report/operationlogs?from=2024-06-01&to=2024-06-30&page_size=300",
            "report_operationlogs.json",
        ),
        (
            &format!("/report/users/{DAVE}/meetings?from=2024-06-01&to=2024-06-30&page_size=300"),
            "report_user_meetings.json",
        ),
        (
            &format!(
                "/report/meetings/{uuid}/participants?page_size=300&include_fields=registrant_id"
            ),
            "report_meeting_participants.json",
        ),
        (
            &format!(
                "/metrics/meetings/{uuid}/participants?type=past&page_size=300&include_fields=registrant_id"
            ),
            "metrics_meeting_participants.json",
        ),
        (
            &format!("/past_meetings/{MEETING_ID}/instances"),
            "past_meeting_instances.json",
        ),
        (
            &format!("/users/{DAVE}/recordings?from=2024-06-01&to=2024-06-30&page_size=300"),
            "user_recordings.json",
        ),
        (
            &format!("/users/{DAVE}/recordings?trash=true&trash_type=meeting_recordings"),
            "user_recordings_trash.json",
        ),
        (
            &format!(
                "/chat/users/{DAVE}/messages?from=2024-06-10T00:00:00Z&to=2024-06-11T00:00:00Z&page_size=50&include_deleted_and_edited_message=true"
            ),
            "chat_messages.json",
        ),
    ];
    let mut problems = Vec::new();
    for (path, file) in cases {
        let (s, v) = get(&c, &base, &t, path).await;
        assert_eq!(s, 200, "{path}: {v}");
        problems.extend(check(path, &v, file));
    }
    // Tokens and errors.
    let r = c
        .post(format!(
            "{base}/oauth/token?grant_type=account_credentials&account_id=sim-account"
        ))
        .basic_auth("sim-client", Some("sim-secret"))
        .send()
        .await
        .unwrap();
    problems.extend(check(
        "token",
        &r.json().await.unwrap(),
        "oauth_token_s2s.json",
    ));
    let errors = sample("errors.json");
    let (_, v) = get(&c, &base, "bad", "/users").await;
    let mut out = Vec::new();
    shape_diff(&v, &errors["invalid_access_token"]["body"], "401", &mut out);
    let (_, v) = get(&c, &base, &t, "/report/activities").await;
    shape_diff(&v, &errors["validation_failed"]["body"], "300", &mut out);
    let (_, v) = get(&c, &base, &t, "/users/nobody/recordings").await;
    shape_diff(&v, &errors["user_not_found"]["body"], "1001", &mut out);
    problems.extend(out);
    assert!(
        problems.is_empty(),
        "shape differences:\n{}",
        problems.join("\n")
    );
}
