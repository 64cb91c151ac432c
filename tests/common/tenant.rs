//! A small synthetic tenant built by hand for sync tests and the sync benchmark: every shape
//! that matters to a complete pull (users of every status, pages that need following, UUIDs
//! that need double encoding, windows longer than a month, trash, chat).

#![allow(dead_code)]

use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use std::collections::BTreeMap;
use zoomlens::sim::tenant::Tenant;

pub struct Shape {
    pub users: usize,
    pub days: i64,
    pub meetings: usize,
    pub participants_per_meeting: usize,
    /// One meeting gets this many participants (more than a page of 300).
    pub big_meeting: usize,
    pub signins: usize,
    pub chat_per_user: usize,
}

impl Default for Shape {
    fn default() -> Self {
        Shape {
            users: 6,
            days: 45,
            meetings: 24,
            participants_per_meeting: 4,
            big_meeting: 320,
            signins: 420,
            chat_per_user: 60,
        }
    }
}

fn ts(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Meeting instance UUIDs, some of which need double encoding.
fn uuid(i: usize) -> String {
    match i % 4 {
        0 => format!("/ab{i:04}Qmuo+Kj48=="),
        1 => format!("cd{i:04}//ef+gh=="),
        2 => format!("Zz{i:04}abcdEFGH12=="),
        _ => format!("q{i:05}R+s/t=="),
    }
}

/// The first day of the tenant's activity (UTC midnight), `days` before today.
pub fn first_day(shape: &Shape) -> DateTime<Utc> {
    let today = Utc::now()
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc();
    today - Duration::days(shape.days)
}

pub fn build(shape: &Shape) -> Tenant {
    let start = first_day(shape);
    let mut t = Tenant {
        account_id: "sim-account".into(),
        ..Tenant::default()
    };
    let mut ids = vec![];
    for i in 0..shape.users {
        let status = match i {
            _ if i + 1 == shape.users => "pending",
            _ if i + 2 == shape.users => "inactive",
            _ => "active",
        };
        let email = format!("user{i}@example.com");
        let mut u = json!({
            "email": email,
            "first_name": format!("First{i}"),
            "last_name": format!("Last{i}"),
            "display_name": format!("First{i} Last{i}"),
            "type": 2,
            "status": status,
            "role_id": "2",
            "dept": "Eng",
            "timezone": "UTC",
            "verified": 1,
        });
        if status != "pending" {
            let id = format!("UID{i:04}xyz");
            u["id"] = json!(id);
            ids.push((id, email));
        }
        t.users.push(u);
    }
    let span = shape.days * 86_400;
    for k in 0..shape.signins {
        let (_, email) = &ids[k % ids.len()];
        let at = start + Duration::seconds((k as i64 * span / shape.signins as i64) + 17);
        t.activities.push(json!({
            "email": email, "time": ts(at),
            "type": if k % 2 == 0 { "Sign in" } else { "Sign out" },
            "ip_address": format!("198.51.100.{}", k % 250), "client_type": "Mac",
            "version": "6.0.12.38947",
        }));
    }
    for k in 0..50 {
        let at = start + Duration::seconds(k * span / 50 + 33);
        t.operations.push(json!({
            "time": ts(at), "operator": "user0@example.com", "category_type": "User",
            "action": "Update",
            "operation_detail": format!("Update User user{}@example.com - Department: from A{k} to B{k}", k % 5),
        }));
    }
    let mut big_done = false;
    for m in 0..shape.meetings {
        let (host_id, host_email) = &ids[m % ids.len()];
        let at = start + Duration::seconds(m as i64 * span / shape.meetings as i64 + 3600);
        let u = uuid(m);
        let n = if !big_done && shape.big_meeting > 0 {
            big_done = true;
            shape.big_meeting
        } else {
            shape.participants_per_meeting
        };
        t.meetings_by_host
            .entry(host_id.clone())
            .or_default()
            .push(json!({
                "uuid": u, "id": 85_000_000_000i64 + (m as i64 % 7), "type": 2,
                "topic": format!("Topic {m}"), "user_name": "Host", "user_email": host_email,
                "start_time": ts(at), "end_time": ts(at + Duration::minutes(40)), "duration": 40,
                "total_minutes": 80, "participants_count": n, "source": "Zoom",
                "has_screen_share": false, "has_recording": m % 5 == 0, "has_chat": false,
            }));
        let mut rows = vec![];
        let mut metrics = vec![];
        for p in 0..n {
            let join = at + Duration::seconds(p as i64 * 7);
            let guest = p % 5 == 4;
            let email = if guest {
                String::new()
            } else {
                format!("user{}@example.com", p % shape.users)
            };
            rows.push(json!({
                "id": if guest { "".to_string() } else { format!("PID{p}") },
                "participant_user_id": "", "user_id": format!("{}", 16_778_240 + p),
                "name": format!("Person {p}"), "user_email": email,
                "join_time": ts(join), "leave_time": ts(join + Duration::minutes(30)),
                "duration": 1800, "failover": false, "status": "in_meeting",
                "registrant_id": "", "customer_key": "", "bo_mtg_id": "",
            }));
            if p < 3 {
                metrics.push(json!({
                    "id": "", "user_id": format!("{}", 16_778_240 + p), "user_name": format!("Person {p}"),
                    "email": email, "role": "attendee", "status": "in_meeting", "device": "Mac",
                    "ip_address": format!("203.0.113.{p}"), "location": "Somewhere",
                    "network_type": "Wifi", "version": "6.0.12",
                    "join_time": ts(join), "leave_time": ts(join + Duration::minutes(30)),
                    "leave_reason": "left", "share_application": false, "share_desktop": false,
                    "share_whiteboard": false, "recording": false,
                }));
            }
        }
        t.participants.insert(u.clone(), rows);
        t.metrics.insert(u.clone(), metrics);
        if m % 5 == 0 {
            let rec = json!({
                "uuid": u, "id": 85_000_000_000i64 + (m as i64 % 7), "account_id": "sim-account",
                "host_id": host_id, "topic": format!("Topic {m}"), "type": "2",
                "start_time": ts(at), "duration": 40, "total_size": 1000, "recording_count": 2,
                "recording_files": [
                    {"id": format!("F{m}a"), "meeting_id": u, "recording_start": ts(at),
                     "recording_end": ts(at + Duration::minutes(40)), "file_type": "MP4",
                     "file_extension": "MP4", "file_size": 900, "status": "completed",
                     "recording_type": "shared_screen_with_speaker_view"},
                    {"meeting_id": u, "recording_start": ts(at),
                     "recording_end": ts(at + Duration::minutes(40)), "file_type": "TIMELINE",
                     "file_extension": "JSON", "file_size": 100},
                ],
            });
            let target = if m % 10 == 0 {
                &mut t.trash_by_host
            } else {
                &mut t.recordings_by_host
            };
            target.entry(host_id.clone()).or_default().push(rec);
        }
    }
    let mut shared: Vec<serde_json::Value> = vec![];
    for (ui, (id, email)) in ids.iter().enumerate() {
        let mut msgs = vec![];
        for k in 0..shape.chat_per_user {
            let at =
                start + Duration::seconds(k as i64 * span / shape.chat_per_user as i64 + 86_399);
            // Three channels per user, so sync must list them and ask each one.
            t.chat_channel
                .insert(format!("MSG{ui}-{k}"), format!("CH{ui}-{}", k % 3));
            msgs.push(json!({
                "id": format!("MSG{ui}-{k}"), "message": format!("hello {k}"), "sender": email,
                "sender_display_name": "Someone", "date_time": ts(at),
                "timestamp": at.timestamp_millis(), "status": "Normal",
            }));
        }
        // The previous user's first channel has this user as a member too: its messages are
        // listed for both, and a pull must keep each message once.
        let mine: Vec<serde_json::Value> = msgs
            .iter()
            .filter(|m| t.chat_channel[m["id"].as_str().unwrap()].ends_with("-0"))
            .cloned()
            .collect();
        msgs.extend(std::mem::replace(&mut shared, mine));
        t.chat_by_user.insert(id.clone(), msgs);
    }
    t
}

/// The views a complete API pull fills (webhooks and enrichment lists come through other doors).
pub const API_VIEWS: &[&str] = &[
    "zoom_users",
    "zoom_signins",
    "zoom_operation_logs",
    "zoom_meetings",
    "zoom_participants",
    "zoom_participants_basic",
    "zoom_participants_detailed",
    "zoom_recordings",
    "zoom_chat_messages",
];

/// Expected rows per view: `Tenant::truth()` restricted to what the API serves.
pub fn truth(t: &Tenant) -> BTreeMap<String, i64> {
    let counts = t.truth().counts;
    API_VIEWS
        .iter()
        .map(|v| {
            let n = counts
                .get(*v)
                .copied()
                .unwrap_or_else(|| panic!("truth has no {v}"));
            (v.to_string(), n as i64)
        })
        .collect()
}

/// A generated tenant (the simulator's own generator), small enough for tests.
pub fn generated(users: u32, days: u32, seed: u64) -> Tenant {
    Tenant::from_knobs(&zoomlens::sim::generator::Knobs {
        seed,
        users,
        days,
        start: None,
        external_share: 0.08,
        guest_share: 0.04,
        incidents: "all".into(),
    })
    .unwrap()
}

/// Rows per view in a case.
pub fn counts(case: &std::path::Path, views: &[&String]) -> BTreeMap<String, i64> {
    let c = rusqlite::Connection::open(case).unwrap();
    views
        .iter()
        .map(|v| {
            let n: i64 = c
                .query_row(&format!("SELECT COUNT(*) FROM {v}"), [], |r| r.get(0))
                .unwrap();
            (v.to_string(), n)
        })
        .collect()
}
