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
                "/chat/users/{DAVE}/messages?to_channel={CHANNEL}&from=2024-06-10T00:00:00Z&to=2024-06-11T00:00:00Z&page_size=50&include_deleted_and_edited_message=true"
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

/// The same check over a tenant from the generator: every record the simulator serves for it
/// has the sample's fields and types.
#[tokio::test]
async fn generated_tenant_matches_the_samples() {
    use zoomlens::sim::generator::Config;
    use zoomlens::sim::tenant::Tenant;
    let t = Tenant::generate(&Config::small(11, 40, 4)).unwrap();
    let start = t.start.unwrap();
    let end = t.end.unwrap();
    let (from, to) = (start.format("%Y-%m-%d"), end.format("%Y-%m-%d"));
    let host = t
        .meetings_by_host
        .iter()
        .find(|(_, m)| !m.is_empty())
        .map(|(h, _)| h.clone())
        .expect("a host with meetings");
    let (uuid, id) = t
        .participants
        .iter()
        .find(|(u, rows)| !rows.is_empty() && t.metrics.get(*u).is_some_and(|m| !m.is_empty()))
        .map(|(u, _)| {
            let m = t
                .meetings_by_host
                .values()
                .flatten()
                .find(|m| m["uuid"] == u.as_str())
                .expect("participants belong to a meeting");
            (u.clone(), m["id"].as_i64().unwrap())
        })
        .expect("a meeting with participants");
    let rec_host = t.recordings_by_host.keys().next().cloned();
    let trash_host = t.trash_by_host.keys().next().cloned();
    let chat_user = t.chat_by_user.iter().next().map(|(u, msgs)| {
        let id = msgs[0]["id"].as_str().unwrap();
        (u.clone(), t.chat_channel[id].clone())
    });
    let t = std::sync::Arc::new(t);
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", l.local_addr().unwrap());
    tokio::spawn(zoomlens::sim::server::serve(
        t.clone(),
        zoomlens::sim::server::SimConfig::default(),
        l,
    ));
    let c = client();
    let tok = token(&c, &base).await;
    let u = encode(&encode(&uuid));
    let mut cases = vec![
        (
            "/users?status=active&page_size=300".to_string(),
            "users.json",
            "users",
        ),
        (
            format!("/report/activities?from={from}&to={to}&page_size=300"),
            "report_activities.json",
            "activity_logs",
        ),
        (
            format!("/report/operationlogs?from={from}&to={to}&page_size=300"),
            "report_operationlogs.json",
            "operation_logs",
        ),
        (
            format!("/report/users/{host}/meetings?from={from}&to={to}&page_size=300"),
            "report_user_meetings.json",
            "meetings",
        ),
        (
            format!("/report/meetings/{u}/participants?page_size=300&include_fields=registrant_id"),
            "report_meeting_participants.json",
            "participants",
        ),
        (
            format!(
                "/metrics/meetings/{u}/participants?type=past&page_size=300&include_fields=registrant_id"
            ),
            "metrics_meeting_participants.json",
            "participants",
        ),
        (
            format!("/past_meetings/{id}/instances"),
            "past_meeting_instances.json",
            "meetings",
        ),
    ];
    if let Some(h) = rec_host {
        cases.push((
            format!("/users/{h}/recordings?from={from}&to={to}&page_size=300"),
            "user_recordings.json",
            "meetings",
        ));
    }
    if let Some(h) = trash_host {
        cases.push((
            format!("/users/{h}/recordings?trash=true"),
            "user_recordings_trash.json",
            "meetings",
        ));
    }
    if let Some((h, ch)) = chat_user {
        cases.push((format!("/chat/users/{h}/messages?to_channel={ch}&from={from}T00:00:00Z&to={to}T00:00:00Z&page_size=50&include_deleted_and_edited_message=true"), "chat_messages.json", "messages"));
    }
    let mut problems = Vec::new();
    for (path, file, key) in &cases {
        let (s, v) = get(&c, &base, &tok, path).await;
        assert_eq!(s, 200, "{path}: {v}");
        assert!(
            !v[*key].as_array().unwrap().is_empty(),
            "{path}: no records to compare"
        );
        problems.extend(check(path, &v, file));
    }
    assert!(
        problems.is_empty(),
        "shape differences:\n{}",
        problems.join("\n")
    );
}
