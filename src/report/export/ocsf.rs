//! OCSF 1.3.0 events (Open Cybersecurity Schema Framework), the schema Amazon Security Lake
//! and many SIEMs take.
//!
//! | Zoom record | OCSF class |
//! | --- | --- |
//! | sign-in / sign-out | Authentication (3002): Logon / Logoff |
//! | operation: add / delete / (de)activate / update a user | Account Change (3001) |
//! | operation: role change | User Access Management (3005): Assign Privileges |
//! | operation: group change | Group Management (3006) |
//! | operation: setting change, anything else | Entity Management (3004) |
//! | operation on a recording, a cloud recording | File Hosting Activity (6006) |
//! | participant join / leave | Web Resources Activity (6001), activity Other: Join / Leave |
//! | finding | Detection Finding (2004) |
//!
//! Every event carries `metadata.product` (zoomlens and its version), the verbatim Zoom record
//! as `raw_data`, and Zoom's and zoomlens's ids under `unmapped`.

use super::rows::{self, Operation, Participant, Recording, Signin};
use super::writer::{Columns, Kind};
use super::{Events, Range, Source, epoch_ms, nb, set};
use crate::detect::finding::StoredFinding;
use anyhow::Result;
use rusqlite::Connection;
use serde_json::{Map, Value, json};

/// The OCSF schema version every event states in `metadata.version`.
pub const VERSION: &str = "1.3.0";

/// One OCSF class: its ids and names, and its Parquet columns.
pub struct Class {
    pub uid: i64,
    pub name: &'static str,
    pub category_uid: i64,
    pub category_name: &'static str,
    /// The partition and file name (`class=<file>`).
    pub file: &'static str,
    pub columns: Columns,
}

/// A class's columns: those every class has, then `$extra` (a macro, so each class's list
/// stays one flat constant).
macro_rules! columns {
    ($($extra:expr),* $(,)?) => {
        &[
            ("activity_id", Kind::Int32),
        ("activity_name", Kind::Str),
        ("category_uid", Kind::Int32),
        ("category_name", Kind::Str),
        ("class_uid", Kind::Int32),
        ("class_name", Kind::Str),
        ("type_uid", Kind::Int64),
        ("type_name", Kind::Str),
        ("severity_id", Kind::Int32),
        ("severity", Kind::Str),
        ("status_id", Kind::Int32),
        ("status", Kind::Str),
        ("time", Kind::TimestampMs),
        ("message", Kind::Str),
        ("metadata.version", Kind::Str),
        ("metadata.uid", Kind::Str),
        ("metadata.log_name", Kind::Str),
        ("metadata.correlation_uid", Kind::Str),
        ("metadata.profiles", Kind::Json),
        ("metadata.product.name", Kind::Str),
        ("metadata.product.vendor_name", Kind::Str),
        ("metadata.product.version", Kind::Str),
        ("raw_data", Kind::Str),
        ("unmapped.zoomlens.table", Kind::Str),
        ("unmapped.zoomlens.id", Kind::Int64),
        ("unmapped.zoomlens.via", Kind::Str),
            $($extra),*
        ]
    };
}

/// [`columns!`] of a class an operation maps to: who did it, and Zoom's fields.
macro_rules! op_columns {
    ($($extra:expr),* $(,)?) => {
        columns![
            ("actor.user.name", Kind::Str),
        ("actor.user.email_addr", Kind::Str),
        ("unmapped.zoom.operator", Kind::Str),
        ("unmapped.zoom.category_type", Kind::Str),
        ("unmapped.zoom.action", Kind::Str),
        ("unmapped.zoom.changes", Kind::Json),
            $($extra),*
        ]
    };
}

const IAM: &str = "Identity & Access Management";

pub const AUTHENTICATION: Class = Class {
    uid: 3002,
    name: "Authentication",
    category_uid: 3,
    category_name: IAM,
    file: "authentication",
    columns: columns![
        ("user.name", Kind::Str),
        ("user.email_addr", Kind::Str),
        ("user.type_id", Kind::Int32),
        ("user.type", Kind::Str),
        ("src_endpoint.ip", Kind::Str),
        ("service.name", Kind::Str),
        ("is_remote", Kind::Bool),
        ("unmapped.zoom.client_type", Kind::Str),
        ("unmapped.zoom.version", Kind::Str),
        ("unmapped.zoom.login_type", Kind::Int64),
    ],
};

pub const ACCOUNT_CHANGE: Class = Class {
    uid: 3001,
    name: "Account Change",
    category_uid: 3,
    category_name: IAM,
    file: "account_change",
    columns: op_columns![("user.name", Kind::Str), ("user.email_addr", Kind::Str),],
};

pub const USER_ACCESS: Class = Class {
    uid: 3005,
    name: "User Access Management",
    category_uid: 3,
    category_name: IAM,
    file: "user_access",
    columns: op_columns![
        ("user.name", Kind::Str),
        ("user.email_addr", Kind::Str),
        ("privileges", Kind::Json),
    ],
};

pub const GROUP_MANAGEMENT: Class = Class {
    uid: 3006,
    name: "Group Management",
    category_uid: 3,
    category_name: IAM,
    file: "group_management",
    columns: op_columns![
        ("group.name", Kind::Str),
        ("privileges", Kind::Json),
        ("user.name", Kind::Str),
        ("user.email_addr", Kind::Str),
    ],
};

pub const ENTITY_MANAGEMENT: Class = Class {
    uid: 3004,
    name: "Entity Management",
    category_uid: 3,
    category_name: IAM,
    file: "entity_management",
    columns: op_columns![
        ("entity.name", Kind::Str),
        ("entity.type", Kind::Str),
        ("entity.data", Kind::Json),
    ],
};

pub const FILE_HOSTING: Class = Class {
    uid: 6006,
    name: "File Hosting Activity",
    category_uid: 6,
    category_name: "Application Activity",
    file: "file_hosting",
    columns: op_columns![
        ("actor.user.uid", Kind::Str),
        ("file.name", Kind::Str),
        ("file.type_id", Kind::Int32),
        ("file.type", Kind::Str),
        ("file.uid", Kind::Str),
        ("file.size", Kind::Int64),
        ("src_endpoint.name", Kind::Str),
        ("unmapped.zoom.meeting_uuid", Kind::Str),
        ("unmapped.zoom.meeting_id", Kind::Int64),
        ("unmapped.zoom.host_id", Kind::Str),
        ("unmapped.zoom.topic", Kind::Str),
        ("unmapped.zoom.duration", Kind::Int64),
        ("unmapped.zoom.recording_count", Kind::Int64),
    ],
};

pub const WEB_RESOURCES: Class = Class {
    uid: 6001,
    name: "Web Resources Activity",
    category_uid: 6,
    category_name: "Application Activity",
    file: "web_resources_activity",
    columns: columns![
        ("start_time", Kind::TimestampMs),
        ("end_time", Kind::TimestampMs),
        ("duration", Kind::Int64),
        ("actor.user.name", Kind::Str),
        ("actor.user.email_addr", Kind::Str),
        ("actor.user.uid", Kind::Str),
        ("src_endpoint.ip", Kind::Str),
        ("src_endpoint.hostname", Kind::Str),
        ("src_endpoint.mac", Kind::Str),
        ("src_endpoint.uid", Kind::Str),
        ("dst_endpoint.svc_name", Kind::Str),
        ("dst_endpoint.name", Kind::Str),
        ("web_resources", Kind::Json),
        ("unmapped.zoom.meeting_uuid", Kind::Str),
        ("unmapped.zoom.meeting_id", Kind::Int64),
        ("unmapped.zoom.topic", Kind::Str),
        ("unmapped.zoom.host_id", Kind::Str),
        ("unmapped.zoom.user_id", Kind::Str),
        ("unmapped.zoom.participant_user_id", Kind::Str),
        ("unmapped.zoom.participant_uuid", Kind::Str),
        ("unmapped.zoom.registrant_id", Kind::Str),
        ("unmapped.zoom.location", Kind::Str),
        ("unmapped.zoom.network_type", Kind::Str),
        ("unmapped.zoom.data_center", Kind::Str),
        ("unmapped.zoom.device", Kind::Str),
        ("unmapped.zoom.os", Kind::Str),
        ("unmapped.zoom.os_version", Kind::Str),
        ("unmapped.zoom.version", Kind::Str),
        ("unmapped.zoom.role", Kind::Str),
        ("unmapped.zoom.share_desktop", Kind::Bool),
        ("unmapped.zoom.share_application", Kind::Bool),
    ],
};

pub const DETECTION_FINDING: Class = Class {
    uid: 2004,
    name: "Detection Finding",
    category_uid: 2,
    category_name: "Findings",
    file: "detection_finding",
    columns: columns![
        ("comment", Kind::Str),
        ("finding_info.uid", Kind::Str),
        ("finding_info.title", Kind::Str),
        ("finding_info.desc", Kind::Str),
        ("finding_info.types", Kind::Json),
        ("finding_info.attacks", Kind::Json),
        ("finding_info.analytic.name", Kind::Str),
        ("finding_info.analytic.uid", Kind::Str),
        ("finding_info.analytic.type_id", Kind::Int32),
        ("finding_info.analytic.type", Kind::Str),
        ("finding_info.related_events", Kind::Json),
        ("evidences", Kind::Json),
        ("unmapped.zoomlens.rule", Kind::Str),
        ("unmapped.zoomlens.actor", Kind::Str),
        ("unmapped.zoomlens.target", Kind::Str),
        ("unmapped.zoomlens.question", Kind::Str),
        ("unmapped.zoomlens.why", Kind::Json),
        ("unmapped.zoomlens.severity", Kind::Str),
        ("unmapped.zoomlens.incident", Kind::Str),
        ("unmapped.zoomlens.state", Kind::Str),
        ("unmapped.zoomlens.reason", Kind::Str),
        ("unmapped.zoomlens.analyst", Kind::Str),
        ("unmapped.zoomlens.triaged_at", Kind::Str),
        ("unmapped.zoom.user", Kind::Str),
        ("unmapped.zoom.meeting_id", Kind::Int64),
        ("unmapped.zoom.meeting_uuid", Kind::Str),
        ("unmapped.zoom.ip", Kind::Str),
        ("unmapped.zoom.recording_id", Kind::Int64),
    ],
};

/// Every class an OCSF export may write.
pub const CLASSES: [&Class; 8] = [
    &AUTHENTICATION,
    &ACCOUNT_CHANGE,
    &ENTITY_MANAGEMENT,
    &USER_ACCESS,
    &GROUP_MANAGEMENT,
    &WEB_RESOURCES,
    &FILE_HOSTING,
    &DETECTION_FINDING,
];

/// The attributes every event has, for `class` and one activity.
fn base(
    class: &Class,
    activity_id: i64,
    activity_name: &str,
    time: &str,
    table: &str,
    id: i64,
) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("activity_id".into(), activity_id.into());
    m.insert("activity_name".into(), activity_name.into());
    m.insert("category_uid".into(), class.category_uid.into());
    m.insert("category_name".into(), class.category_name.into());
    m.insert("class_uid".into(), class.uid.into());
    m.insert("class_name".into(), class.name.into());
    m.insert("type_uid".into(), (class.uid * 100 + activity_id).into());
    m.insert(
        "type_name".into(),
        format!("{}: {activity_name}", class.name).into(),
    );
    m.insert("severity_id".into(), 1.into());
    m.insert("severity".into(), "Informational".into());
    m.insert("status_id".into(), 1.into());
    m.insert("status".into(), "Success".into());
    m.insert("time".into(), epoch_ms(time).into());
    m.insert(
        "metadata".into(),
        json!({
            "version": VERSION,
            "uid": format!("{table}:{id}"),
            "log_name": table,
            "product": {
                "name": "zoomlens",
                "vendor_name": "zoomlens",
                "version": env!("CARGO_PKG_VERSION"),
            },
        }),
    );
    m.insert(
        "unmapped".into(),
        json!({ "zoomlens": { "table": table, "id": id } }),
    );
    m
}

/// A person named in a log: the name, and the email when it is one.
fn person(m: &mut Map<String, Value>, at: &str, who: &str) {
    let who = who.trim();
    if who.is_empty() {
        return;
    }
    set(m, &format!("{at}.name"), who);
    if who.contains('@') {
        set(m, &format!("{at}.email_addr"), who);
    }
}

pub fn signin(s: &Signin) -> Value {
    let (aid, aname) = if s.activity == "Sign out" {
        (2, "Logoff")
    } else {
        (1, "Logon")
    };
    let mut m = base(&AUTHENTICATION, aid, aname, &s.time, "signins", s.id);
    person(&mut m, "user", &s.email);
    set(&mut m, "user.type_id", 1);
    set(&mut m, "user.type", "User");
    set(&mut m, "src_endpoint.ip", nb(Some(&s.ip_address)));
    set(&mut m, "service.name", "Zoom");
    set(&mut m, "is_remote", true);
    set(&mut m, "message", format!("Zoom {}", s.activity));
    set(
        &mut m,
        "unmapped.zoom.client_type",
        nb(Some(&s.client_type)),
    );
    set(&mut m, "unmapped.zoom.version", nb(Some(&s.version)));
    set(&mut m, "unmapped.zoom.login_type", s.login_type);
    set(&mut m, "unmapped.zoomlens.via", s.via.as_str());
    set(&mut m, "raw_data", s.raw.as_str());
    Value::Object(m)
}

/// The class and activity of an operation, from its first parsed change.
pub fn operation_class(o: &Operation) -> (&'static Class, i64, &'static str) {
    let head = o.operation_detail.trim_start().to_ascii_lowercase();
    let first = o
        .changes
        .first()
        .map(|c| c.kind.as_str())
        .unwrap_or("other");
    let crud = |action: &str| -> (i64, &'static str) {
        let a = action.to_ascii_lowercase();
        if a.contains("add") || a.contains("create") {
            (1, "Create")
        } else if a.contains("delete") || a.contains("remove") {
            (4, "Delete")
        } else if a.contains("update") || a.contains("edit") || a.contains("change") {
            (3, "Update")
        } else {
            (99, "Other")
        }
    };
    match first {
        "add_user" => (&ACCOUNT_CHANGE, 1, "Create"),
        "delete_user" => (&ACCOUNT_CHANGE, 6, "Delete"),
        "update_user" if head.starts_with("deactivate") => (&ACCOUNT_CHANGE, 5, "Disable"),
        "update_user" if head.starts_with("activate") => (&ACCOUNT_CHANGE, 2, "Enable"),
        "update_user" => (&ACCOUNT_CHANGE, 99, "Update"),
        "role" => (&USER_ACCESS, 1, "Assign Privileges"),
        "group" => {
            let a = o.action.to_ascii_lowercase();
            if head.contains("add") && (head.contains("member") || head.contains("user")) {
                (&GROUP_MANAGEMENT, 3, "Add User")
            } else if (a.contains("remove") || a.contains("delete"))
                && (head.contains("member") || head.contains("user"))
            {
                (&GROUP_MANAGEMENT, 4, "Remove User")
            } else {
                (&GROUP_MANAGEMENT, 99, "Update")
            }
        }
        "recording" => {
            let (id, name) = crud(&o.action);
            // File Hosting has no Create; a recording operation is a delete, trash, recover...
            match id {
                4 => (&FILE_HOSTING, 4, "Delete"),
                _ if head.contains("recover") || head.contains("restore") => {
                    (&FILE_HOSTING, 8, "Restore")
                }
                _ if head.contains("download") => (&FILE_HOSTING, 2, "Download"),
                _ => (&FILE_HOSTING, 99, name),
            }
        }
        _ => {
            let (id, name) = crud(&o.action);
            (&ENTITY_MANAGEMENT, id, name)
        }
    }
}

pub fn operation(o: &Operation) -> Value {
    let (class, aid, aname) = operation_class(o);
    let mut m = base(class, aid, aname, &o.time, "operations", o.id);
    if class.uid == USER_ACCESS.uid || class.uid == GROUP_MANAGEMENT.uid {
        // These classes take `actor` through the host profile.
        set(&mut m, "metadata.profiles", json!(["host"]));
    }
    person(&mut m, "actor.user", &o.operator);
    set(&mut m, "message", o.operation_detail.as_str());
    set(&mut m, "unmapped.zoom.operator", nb(Some(&o.operator)));
    set(
        &mut m,
        "unmapped.zoom.category_type",
        nb(Some(&o.category_type)),
    );
    set(&mut m, "unmapped.zoom.action", nb(Some(&o.action)));
    if !o.changes.is_empty() {
        set(&mut m, "unmapped.zoom.changes", json!(o.changes));
    }
    set(&mut m, "unmapped.zoomlens.via", o.via.as_str());
    set(&mut m, "raw_data", o.raw.as_str());
    let target = o.changes.iter().find_map(|c| nb(c.target.as_deref()));
    let privileges = |cs: &[crate::model::OpChange]| -> Value {
        cs.iter()
            .filter_map(|c| match (nb(c.setting.as_deref()), nb(c.to.as_deref())) {
                (Some(s), Some(t)) if class.uid == USER_ACCESS.uid => {
                    Some(t.to_string()).filter(|_| !s.is_empty())
                }
                (Some(s), Some(t)) => Some(format!("{s}: {t}")),
                (None, Some(t)) => Some(t.to_string()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .into()
    };
    match class.uid {
        3001 => {
            if let Some(t) = target {
                person(&mut m, "user", t);
            } else {
                // The user acted on is named in the detail's head ("Add User x@y.z").
                let named = o
                    .operation_detail
                    .split_whitespace()
                    .find(|w| w.contains('@'));
                person(&mut m, "user", named.unwrap_or(""));
            }
            if !m.contains_key("user") {
                // Zoom named no one: the attribute is required, so say who is unknown.
                set(&mut m, "user.name", "unknown");
            }
        }
        3005 => {
            person(&mut m, "user", target.unwrap_or("unknown"));
            set(&mut m, "privileges", privileges(&o.changes));
        }
        3006 => {
            let group = o
                .changes
                .iter()
                .find_map(|c| nb(c.target.as_deref()).or(nb(c.section.as_deref())))
                .unwrap_or(o.operation_detail.trim());
            set(&mut m, "group.name", group);
            let p = privileges(&o.changes);
            if p.as_array().is_some_and(|a| !a.is_empty()) {
                set(&mut m, "privileges", p);
            } else {
                // A membership change without a change list names its user in the detail.
                let named = o
                    .operation_detail
                    .split_whitespace()
                    .find(|w| w.contains('@'))
                    .unwrap_or("unknown");
                person(&mut m, "user", named);
            }
        }
        6006 => {
            let meeting = o.changes.iter().find_map(|c| c.meeting_id);
            set(
                &mut m,
                "file.name",
                format!(
                    "Cloud recording of {}",
                    meeting
                        .map(|n| n.to_string())
                        .unwrap_or_else(|| "a meeting".into())
                ),
            );
            set(&mut m, "file.type_id", 1);
            set(&mut m, "file.type", "Regular File");
            set(&mut m, "src_endpoint.name", "Zoom web portal");
            set(&mut m, "unmapped.zoom.meeting_id", meeting);
        }
        _ => {
            let c = o.changes.first();
            let name = c
                .and_then(|c| nb(c.setting.as_deref()).or(nb(c.section.as_deref())))
                .or(nb(Some(&o.category_type)))
                .unwrap_or("Zoom account");
            set(&mut m, "entity.name", name);
            set(
                &mut m,
                "entity.type",
                format!("Zoom {}", nb(Some(&o.category_type)).unwrap_or("setting")),
            );
            if let Some(c) = c {
                set(
                    &mut m,
                    "entity.data",
                    json!({"section": c.section, "from": c.from, "to": c.to}),
                );
            }
        }
    }
    Value::Object(m)
}

/// A participant session as a join (at its join time) and, when it ended, a leave (at its
/// leave time, carrying the whole session as start, end and duration).
pub fn participant(p: &Participant) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let one = |aname: &str, time: &str| {
        let mut m = base(&WEB_RESOURCES, 99, aname, time, "participants", p.id);
        set(&mut m, "metadata.profiles", json!(["host"]));
        set(&mut m, "metadata.correlation_uid", p.meeting_uuid.as_str());
        set(&mut m, "actor.user.name", nb(p.name.as_deref()));
        set(&mut m, "actor.user.email_addr", nb(p.email.as_deref()));
        set(&mut m, "actor.user.uid", nb(p.zoom_user_id.as_deref()));
        if !m.contains_key("actor") {
            set(&mut m, "actor.user.name", "unknown");
        }
        set(&mut m, "src_endpoint.ip", nb(p.ip_address.as_deref()));
        set(&mut m, "src_endpoint.hostname", nb(p.pc_name.as_deref()));
        set(&mut m, "src_endpoint.mac", nb(p.mac_addr.as_deref()));
        set(
            &mut m,
            "src_endpoint.uid",
            nb(p.participant_uuid.as_deref()).or(nb(Some(&p.user_id))),
        );
        set(&mut m, "dst_endpoint.svc_name", "Zoom Meetings");
        set(&mut m, "dst_endpoint.name", nb(p.data_center.as_deref()));
        set(
            &mut m,
            "web_resources",
            json!([{"uid": p.meeting_uuid, "name": nb(p.topic.as_deref()), "type": "Zoom meeting"}]),
        );
        set(
            &mut m,
            "message",
            format!(
                "{} {} meeting {}",
                nb(p.name.as_deref())
                    .or(nb(p.email.as_deref()))
                    .unwrap_or("a participant"),
                if aname == "Join" { "joined" } else { "left" },
                p.meeting_id
                    .map(|n| n.to_string())
                    .unwrap_or_else(|| p.meeting_uuid.clone())
            ),
        );
        for (k, v) in [
            ("meeting_uuid", Some(p.meeting_uuid.as_str())),
            ("topic", p.topic.as_deref()),
            ("host_id", p.host_id.as_deref()),
            ("user_id", Some(p.user_id.as_str())),
            ("participant_user_id", p.zoom_user_id.as_deref()),
            ("participant_uuid", p.participant_uuid.as_deref()),
            ("registrant_id", p.registrant_id.as_deref()),
            ("location", p.location.as_deref()),
            ("network_type", p.network_type.as_deref()),
            ("data_center", p.data_center.as_deref()),
            ("device", p.device.as_deref()),
            ("os", p.os.as_deref()),
            ("os_version", p.os_version.as_deref()),
            ("version", p.version.as_deref()),
            ("role", p.role.as_deref()),
        ] {
            set(&mut m, &format!("unmapped.zoom.{k}"), nb(v));
        }
        set(&mut m, "unmapped.zoom.meeting_id", p.meeting_id);
        set(
            &mut m,
            "unmapped.zoom.share_desktop",
            p.share_desktop.map(|v| v != 0),
        );
        set(
            &mut m,
            "unmapped.zoom.share_application",
            p.share_application.map(|v| v != 0),
        );
        set(&mut m, "raw_data", p.raw.as_str());
        m
    };
    let join = one("Join", &p.join_time);
    out.push((p.join_time.clone(), Value::Object(join)));
    if let Some(leave) = nb(p.leave_time.as_deref()).filter(|t| epoch_ms(t).is_some()) {
        let mut m = one("Leave", leave);
        let (s, e) = (epoch_ms(&p.join_time), epoch_ms(leave));
        set(&mut m, "start_time", s);
        set(&mut m, "end_time", e);
        if let (Some(s), Some(e)) = (s, e) {
            set(&mut m, "duration", e - s);
        }
        out.push((leave.to_string(), Value::Object(m)));
    }
    out
}

/// A cloud recording: made available (Upload, at its start) and, when deleted, a Delete.
pub fn recording(r: &Recording) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let one = |aid: i64, aname: &str, time: &str| {
        let mut m = base(&FILE_HOSTING, aid, aname, time, "recordings", r.id);
        person(&mut m, "actor.user", r.host_email.as_deref().unwrap_or(""));
        set(&mut m, "actor.user.uid", nb(r.host_id.as_deref()));
        if !m.contains_key("actor") {
            set(&mut m, "actor.user.name", "unknown");
        }
        set(
            &mut m,
            "file.name",
            nb(r.topic.as_deref())
                .map(str::to_string)
                .unwrap_or_else(|| format!("Cloud recording of {}", r.meeting_uuid)),
        );
        set(&mut m, "file.type_id", 1);
        set(&mut m, "file.type", "Regular File");
        set(&mut m, "file.uid", r.meeting_uuid.as_str());
        set(&mut m, "file.size", r.total_size);
        set(&mut m, "src_endpoint.name", "Zoom cloud recording");
        set(
            &mut m,
            "message",
            format!("Zoom cloud recording {}", aname.to_lowercase()),
        );
        set(
            &mut m,
            "unmapped.zoom.meeting_uuid",
            r.meeting_uuid.as_str(),
        );
        set(&mut m, "unmapped.zoom.meeting_id", r.meeting_id);
        set(&mut m, "unmapped.zoom.host_id", nb(r.host_id.as_deref()));
        set(&mut m, "unmapped.zoom.topic", nb(r.topic.as_deref()));
        set(&mut m, "unmapped.zoom.duration", r.duration);
        set(&mut m, "unmapped.zoom.recording_count", r.recording_count);
        set(&mut m, "raw_data", r.raw.as_str());
        Value::Object(m)
    };
    out.push((r.start_time.clone(), one(1, "Upload", &r.start_time)));
    if let Some(d) = nb(r.deleted_time.as_deref()).filter(|t| epoch_ms(t).is_some()) {
        out.push((d.to_string(), one(4, "Delete", d)));
    }
    out
}

/// OCSF severity of a zoomlens severity.
fn severity(s: &str) -> (i64, &'static str) {
    match s {
        "low" => (2, "Low"),
        "medium" => (3, "Medium"),
        "high" => (4, "High"),
        "critical" => (5, "Critical"),
        _ => (1, "Informational"),
    }
}

/// A finding as a Detection Finding: the one place a finding's fields are mapped (a new field
/// of [`StoredFinding`] is one more `set` here).
pub fn finding(f: &StoredFinding) -> Value {
    let (aid, aname) = match f.state.as_str() {
        "investigating" => (2, "Update"),
        "resolved" | "false-positive" | "benign" => (3, "Close"),
        _ => (1, "Create"),
    };
    let mut m = base(&DETECTION_FINDING, aid, aname, &f.time, "findings", f.id);
    let (sid, sname) = severity(&f.severity);
    set(&mut m, "severity_id", sid);
    set(&mut m, "severity", sname);
    let (st, stname) = match f.state.as_str() {
        "investigating" => (2, "In Progress"),
        "false-positive" | "benign" => (3, "Suppressed"),
        "resolved" => (4, "Resolved"),
        _ => (1, "New"),
    };
    set(&mut m, "status_id", st);
    set(&mut m, "status", stname);
    set(&mut m, "message", f.summary.as_str());
    set(&mut m, "comment", nb(Some(&f.reason)));
    set(&mut m, "finding_info.uid", format!("F{}", f.id));
    set(&mut m, "finding_info.title", f.rule.as_str());
    set(&mut m, "finding_info.desc", f.summary.as_str());
    set(&mut m, "finding_info.types", json!(["Zoom", f.rule]));
    if let Some(t) = nb(f.technique.as_deref()) {
        set(
            &mut m,
            "finding_info.attacks",
            json!([{"technique": {"uid": t}}]),
        );
    }
    set(&mut m, "finding_info.analytic.name", f.rule.as_str());
    set(&mut m, "finding_info.analytic.uid", f.rule.as_str());
    set(&mut m, "finding_info.analytic.type_id", 1);
    set(&mut m, "finding_info.analytic.type", "Rule");
    let related: Vec<Value> = f
        .evidence
        .iter()
        .map(|e| json!({"uid": format!("{}:{}", e.table, e.id)}))
        .collect();
    if !related.is_empty() {
        set(&mut m, "finding_info.related_events", related);
        let ev: Vec<Value> = f
            .evidence
            .iter()
            .map(|e| {
                json!({"data": {"table": e.table, "id": e.id, "origin": e.origin, "fields": e.fields}})
            })
            .collect();
        set(&mut m, "evidences", ev);
    }
    if let Some(i) = f.incident {
        set(&mut m, "metadata.correlation_uid", format!("I{i}"));
        set(&mut m, "unmapped.zoomlens.incident", format!("I{i}"));
    }
    set(&mut m, "unmapped.zoomlens.rule", f.rule.as_str());
    set(&mut m, "unmapped.zoomlens.actor", nb(f.actor.as_deref()));
    set(&mut m, "unmapped.zoomlens.target", nb(f.target.as_deref()));
    set(&mut m, "unmapped.zoomlens.question", nb(Some(&f.question)));
    if !f.why.is_empty() {
        set(&mut m, "unmapped.zoomlens.why", json!(f.why));
    }
    set(&mut m, "unmapped.zoomlens.severity", f.severity.as_str());
    set(&mut m, "unmapped.zoomlens.state", f.state.as_str());
    set(&mut m, "unmapped.zoomlens.reason", nb(Some(&f.reason)));
    set(
        &mut m,
        "unmapped.zoomlens.analyst",
        nb(f.analyst.as_deref()),
    );
    set(
        &mut m,
        "unmapped.zoomlens.triaged_at",
        nb(f.triaged_at.as_deref()),
    );
    set(&mut m, "unmapped.zoom.user", nb(f.user.as_deref()));
    set(&mut m, "unmapped.zoom.meeting_id", f.meeting_id);
    set(
        &mut m,
        "unmapped.zoom.meeting_uuid",
        nb(f.meeting_uuid.as_deref()),
    );
    set(&mut m, "unmapped.zoom.ip", nb(f.ip.as_deref()));
    set(&mut m, "unmapped.zoom.recording_id", f.recording);
    // A finding is derived: its evidence records carry the verbatim Zoom records.
    set(
        &mut m,
        "raw_data",
        serde_json::to_string(f).unwrap_or_default(),
    );
    Value::Object(m)
}

/// Export the chosen sources.
pub fn export(conn: &Connection, r: &Range, sources: &[Source], ev: &mut Events) -> Result<()> {
    for s in sources {
        match s {
            Source::Signins => rows::signins(conn, r, |s| {
                ev.emit(
                    AUTHENTICATION.file,
                    AUTHENTICATION.columns,
                    &s.time,
                    &signin(&s),
                )
            })?,
            Source::Operations => rows::operations(conn, r, |o| {
                if epoch_ms(&o.time).is_none() {
                    ev.skip("operations without a time (OCSF requires one)", 1);
                    return Ok(());
                }
                let (class, _, _) = operation_class(&o);
                ev.emit(class.file, class.columns, &o.time, &operation(&o))
            })?,
            Source::Participants => rows::participants(conn, r, |p| {
                for (t, e) in participant(&p) {
                    ev.emit(WEB_RESOURCES.file, WEB_RESOURCES.columns, &t, &e)?;
                }
                Ok(())
            })?,
            Source::Recordings => rows::recordings(conn, r, |x| {
                for (t, e) in recording(&x) {
                    ev.emit(FILE_HOSTING.file, FILE_HOSTING.columns, &t, &e)?;
                }
                Ok(())
            })?,
            Source::Findings => rows::findings(conn, r, |f| {
                ev.emit(
                    DETECTION_FINDING.file,
                    DETECTION_FINDING.columns,
                    &f.time,
                    &finding(&f),
                )
            })?,
            Source::Meetings | Source::Chat => {}
        }
        ev.close_open()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(detail: &str, action: &str, category: &str) -> Operation {
        let changes = crate::model::opdetail::parse(category, action, detail);
        Operation {
            id: 1,
            time: "2026-03-02T10:00:00Z".into(),
            operator: "admin@acme.example".into(),
            category_type: category.into(),
            action: action.into(),
            operation_detail: detail.into(),
            via: "report".into(),
            raw: "{}".into(),
            changes,
        }
    }

    /// Zoom's operation shapes land in the OCSF class and activity an analyst looks for.
    #[test]
    fn operations_map_to_their_classes() {
        let cases = [
            (
                "Add User homer@simpson.io  - User Type: Basic",
                "Add",
                "User",
                3001,
                1,
            ),
            ("Delete User bart@simpson.io", "Delete", "User", 3001, 6),
            ("Deactivate User lisa@simpson.io", "Update", "User", 3001, 5),
            (
                "Change Role  - homer@duff.io: from Admin to Co-Owner",
                "Update",
                "User",
                3005,
                1,
            ),
            (
                "Edit Group Sales-EMEA  - Personal Meeting ID (PMI) Passcode: from On to Off",
                "Update",
                "Group",
                3006,
                99,
            ),
            (
                "Security  - Sign in with Two-Factor Authentication: from On to Off",
                "Update",
                "Account",
                3004,
                3,
            ),
            (
                "Delete Recording meeting_id:123",
                "Delete",
                "Recording",
                6006,
                4,
            ),
        ];
        for (detail, action, cat, class, activity) in cases {
            let o = op(detail, action, cat);
            let (c, a, _) = operation_class(&o);
            assert_eq!((c.uid, a), (class, activity), "{detail}");
            let e = operation(&o);
            assert_eq!(e["type_uid"], class * 100 + activity);
            assert_eq!(e["raw_data"], "{}");
        }
        let role = operation(&op(
            "Change Role  - homer@duff.io: from Admin to Co-Owner",
            "Update",
            "User",
        ));
        assert_eq!(role["user"]["email_addr"], "homer@duff.io");
        assert_eq!(role["privileges"], json!(["Co-Owner"]));
        let setting = operation(&op(
            "Security  - Sign in with Two-Factor Authentication: from On to Off",
            "Update",
            "Account",
        ));
        assert_eq!(
            setting["entity"]["name"],
            "Sign in with Two-Factor Authentication"
        );
        assert_eq!(setting["entity"]["data"]["to"], "Off");
    }
}
