//! ECS documents (Elastic Common Schema 8.11, the version Elastic's Zoom integration writes)
//! with the field names that integration gives Zoom data: sign-ins as its `zoom.activity`
//! data stream does, operations as `zoom.operation`, meetings, participants, recordings and
//! chat as its webhook data stream (`zoom.meeting.*`, `zoom.participant.*`,
//! `zoom.recording.*`, `zoom.chat_message.*`), so its dashboards and searches work on them.
//! What the integration has no field for goes under `zoomlens.*`; findings are ECS alerts
//! (`event.kind: alert`, `rule.*`, `threat.technique.id`).

use super::rows::{self, Chat, Meeting, Operation, Participant, Recording, Signin};
use super::writer::{Columns, Kind};
use super::{Events, Range, Source, epoch_ms, nb, set};
use crate::detect::finding::StoredFinding;
use anyhow::Result;
use rusqlite::Connection;
use serde_json::{Map, Value, json};

/// The ECS version stated in `ecs.version`.
pub const ECS_VERSION: &str = "8.11.0";

/// Columns every document has.
macro_rules! columns {
    ($($extra:expr),* $(,)?) => {
        &[
            ("@timestamp", Kind::TimestampMs),
            ("ecs.version", Kind::Str),
            ("data_stream.dataset", Kind::Str),
            ("data_stream.type", Kind::Str),
            ("event.kind", Kind::Str),
            ("event.category", Kind::Json),
            ("event.type", Kind::Json),
            ("event.action", Kind::Str),
            ("event.outcome", Kind::Str),
            ("event.dataset", Kind::Str),
            ("event.module", Kind::Str),
            ("event.id", Kind::Str),
            ("event.original", Kind::Str),
            ("observer.vendor", Kind::Str),
            ("observer.product", Kind::Str),
            ("related.user", Kind::Json),
            ("related.ip", Kind::Json),
            ("user.email", Kind::Str),
            ("user.name", Kind::Str),
            ("user.full_name", Kind::Str),
            ("zoomlens.table", Kind::Str),
            ("zoomlens.id", Kind::Int64),
            ("zoomlens.via", Kind::Str),
            $($extra),*
        ]
    };
}

const SIGNIN_COLS: Columns = columns![
    ("source.ip", Kind::Str),
    ("zoom.activity.client_type", Kind::Str),
    ("zoom.activity.client_version", Kind::Str),
    ("zoom.activity.type", Kind::Str),
    ("zoomlens.login_type", Kind::Int64),
];

const OPERATION_COLS: Columns = columns![
    ("user.target.name", Kind::Str),
    ("user.target.email", Kind::Str),
    ("zoom.operation.action", Kind::Str),
    ("zoom.operation.category_type", Kind::Str),
    ("zoom.operation.operation_detail", Kind::Str),
    ("zoomlens.changes", Kind::Json),
];

const MEETING_COLS: Columns = columns![
    ("event.start", Kind::TimestampMs),
    ("event.end", Kind::TimestampMs),
    ("zoom.meeting.id", Kind::Str),
    ("zoom.meeting.uuid", Kind::Str),
    ("zoom.meeting.host_id", Kind::Str),
    ("zoom.meeting.topic", Kind::Str),
    ("zoom.meeting.type", Kind::Str),
    ("zoom.meeting.start_time", Kind::TimestampMs),
    ("zoom.meeting.duration", Kind::Int64),
    ("zoomlens.meeting.participants_count", Kind::Int64),
];

const PARTICIPANT_COLS: Columns = columns![
    ("event.start", Kind::TimestampMs),
    ("event.end", Kind::TimestampMs),
    ("event.duration", Kind::Int64),
    ("source.ip", Kind::Str),
    ("source.geo.name", Kind::Str),
    ("host.hostname", Kind::Str),
    ("host.mac", Kind::Json),
    ("host.os.name", Kind::Str),
    ("host.os.version", Kind::Str),
    ("zoom.meeting.id", Kind::Str),
    ("zoom.meeting.uuid", Kind::Str),
    ("zoom.meeting.host_id", Kind::Str),
    ("zoom.meeting.topic", Kind::Str),
    ("zoom.participant.id", Kind::Str),
    ("zoom.participant.user_id", Kind::Str),
    ("zoom.participant.user_name", Kind::Str),
    ("zoom.participant.email", Kind::Str),
    ("zoom.participant.join_time", Kind::TimestampMs),
    ("zoom.participant.leave_time", Kind::TimestampMs),
    ("zoom.participant.participant_uuid", Kind::Str),
    ("zoom.participant.registrant_id", Kind::Str),
    ("zoomlens.participant.device", Kind::Str),
    ("zoomlens.participant.version", Kind::Str),
    ("zoomlens.participant.network_type", Kind::Str),
    ("zoomlens.participant.data_center", Kind::Str),
    ("zoomlens.participant.role", Kind::Str),
    ("zoomlens.participant.share_desktop", Kind::Bool),
    ("zoomlens.participant.share_application", Kind::Bool),
];

const RECORDING_COLS: Columns = columns![
    ("zoom.recording.id", Kind::Str),
    ("zoom.recording.uuid", Kind::Str),
    ("zoom.recording.host_id", Kind::Str),
    ("zoom.recording.host_email", Kind::Str),
    ("zoom.recording.topic", Kind::Str),
    ("zoom.recording.start_time", Kind::TimestampMs),
    ("zoom.recording.duration", Kind::Int64),
    ("zoom.recording.total_size", Kind::Int64),
    ("zoom.recording.recording_count", Kind::Int64),
];

const CHAT_COLS: Columns = columns![
    ("zoom.chat_message.id", Kind::Str),
    ("zoom.chat_message.type", Kind::Str),
    ("zoom.chat_message.channel_id", Kind::Str),
    ("zoom.chat_message.contact_email", Kind::Str),
    ("zoom.chat_message.contact_id", Kind::Str),
    ("zoom.chat_message.message", Kind::Str),
    ("zoomlens.chat.owner", Kind::Str),
    ("zoomlens.chat.reply_main_message_id", Kind::Str),
];

const FINDING_COLS: Columns = columns![
    ("message", Kind::Str),
    ("event.severity", Kind::Int64),
    ("rule.id", Kind::Str),
    ("rule.name", Kind::Str),
    ("rule.description", Kind::Str),
    ("threat.framework", Kind::Str),
    ("threat.technique.id", Kind::Json),
    ("source.ip", Kind::Str),
    ("zoom.meeting.id", Kind::Str),
    ("zoom.meeting.uuid", Kind::Str),
    ("zoomlens.finding.uid", Kind::Str),
    ("zoomlens.finding.severity", Kind::Str),
    ("zoomlens.finding.incident", Kind::Str),
    ("zoomlens.finding.actor", Kind::Str),
    ("zoomlens.finding.target", Kind::Str),
    ("zoomlens.finding.question", Kind::Str),
    ("zoomlens.finding.why", Kind::Json),
    ("zoomlens.finding.state", Kind::Str),
    ("zoomlens.finding.reason", Kind::Str),
    ("zoomlens.finding.analyst", Kind::Str),
    ("zoomlens.finding.triaged_at", Kind::Str),
    ("zoomlens.finding.recording_id", Kind::Int64),
    ("zoomlens.finding.evidence", Kind::Json),
];

/// The fields every document has.
#[allow(clippy::too_many_arguments)]
fn doc(
    time: &str,
    dataset: &str,
    kind: &str,
    category: &[&str],
    types: &[&str],
    action: &str,
    table: &str,
    id: i64,
) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("@timestamp".into(), time.into());
    set(&mut m, "ecs.version", ECS_VERSION);
    set(&mut m, "data_stream.dataset", dataset);
    set(&mut m, "data_stream.type", "logs");
    set(&mut m, "event.kind", kind);
    if !category.is_empty() {
        set(&mut m, "event.category", json!(category));
    }
    set(&mut m, "event.type", json!(types));
    set(&mut m, "event.action", action);
    set(&mut m, "event.dataset", dataset);
    set(&mut m, "event.module", "zoom");
    set(&mut m, "event.id", format!("{table}:{id}"));
    set(&mut m, "observer.vendor", "Zoom");
    set(&mut m, "observer.product", "Zoom");
    set(&mut m, "zoomlens.table", table);
    set(&mut m, "zoomlens.id", id);
    m
}

/// `related.user` and `related.ip` from what a document names.
fn related(m: &mut Map<String, Value>, users: &[Option<&str>], ips: &[Option<&str>]) {
    let u: Vec<&str> = users.iter().filter_map(|u| nb(*u)).collect();
    let i: Vec<&str> = ips.iter().filter_map(|u| nb(*u)).collect();
    if !u.is_empty() {
        set(m, "related.user", json!(u));
    }
    if !i.is_empty() {
        set(m, "related.ip", json!(i));
    }
}

pub fn signin(s: &Signin) -> Value {
    let out = s.activity == "Sign out";
    let mut m = doc(
        &s.time,
        "zoom.activity",
        "event",
        &["authentication", "session"],
        &[if out { "end" } else { "start" }],
        if out { "sign-out" } else { "sign-in" },
        "signins",
        s.id,
    );
    set(&mut m, "event.outcome", "success");
    set(&mut m, "event.original", s.raw.as_str());
    set(&mut m, "user.email", nb(Some(&s.email)));
    set(&mut m, "user.name", nb(Some(&s.email)));
    set(&mut m, "source.ip", nb(Some(&s.ip_address)));
    related(&mut m, &[Some(&s.email)], &[Some(&s.ip_address)]);
    set(
        &mut m,
        "zoom.activity.client_type",
        nb(Some(&s.client_type)),
    );
    set(&mut m, "zoom.activity.client_version", nb(Some(&s.version)));
    set(&mut m, "zoom.activity.type", s.activity.as_str());
    set(&mut m, "zoomlens.login_type", s.login_type);
    set(&mut m, "zoomlens.via", s.via.as_str());
    Value::Object(m)
}

pub fn operation(o: &Operation) -> Value {
    let cat = o.category_type.to_ascii_lowercase();
    let mut category = vec!["configuration"];
    if cat.contains("user") || cat.contains("role") {
        category.push("iam");
    }
    let a = o.action.to_ascii_lowercase();
    let mut types = vec!["change"];
    if a.contains("create") || a.contains("add") {
        types.push("creation");
    } else if a.contains("delete") || a.contains("remove") {
        types.push("deletion");
    } else {
        types.push("info");
    }
    let mut m = doc(
        &o.time,
        "zoom.operation",
        "event",
        &category,
        &types,
        &o.action,
        "operations",
        o.id,
    );
    set(&mut m, "event.original", o.raw.as_str());
    set(&mut m, "user.name", nb(Some(&o.operator)));
    if o.operator.contains('@') {
        set(&mut m, "user.email", o.operator.trim());
    }
    let target = o.changes.iter().find_map(|c| nb(c.target.as_deref()));
    if let Some(t) = target {
        set(&mut m, "user.target.name", t);
        if t.contains('@') {
            set(&mut m, "user.target.email", t);
        }
    }
    related(&mut m, &[Some(&o.operator), target], &[]);
    set(&mut m, "zoom.operation.action", nb(Some(&o.action)));
    set(
        &mut m,
        "zoom.operation.category_type",
        nb(Some(&o.category_type)),
    );
    set(
        &mut m,
        "zoom.operation.operation_detail",
        o.operation_detail.as_str(),
    );
    if !o.changes.is_empty() {
        set(&mut m, "zoomlens.changes", json!(o.changes));
    }
    set(&mut m, "zoomlens.via", o.via.as_str());
    Value::Object(m)
}

pub fn meeting(x: &Meeting) -> Value {
    let mut m = doc(
        &x.start_time,
        "zoom.webhook",
        "event",
        &["session"],
        &["start"],
        "meeting.started",
        "meetings",
        x.id,
    );
    set(&mut m, "event.original", x.raw.as_str());
    set(&mut m, "event.start", x.start_time.as_str());
    set(
        &mut m,
        "event.end",
        nb(x.end_time.as_deref()).filter(|t| epoch_ms(t).is_some()),
    );
    set(&mut m, "user.email", nb(x.host_email.as_deref()));
    set(&mut m, "user.name", nb(x.host_email.as_deref()));
    set(&mut m, "user.full_name", nb(x.host_name.as_deref()));
    related(&mut m, &[x.host_email.as_deref()], &[]);
    set(
        &mut m,
        "zoom.meeting.id",
        x.meeting_id.map(|n| n.to_string()),
    );
    set(&mut m, "zoom.meeting.uuid", x.uuid.as_str());
    set(&mut m, "zoom.meeting.host_id", nb(x.host_id.as_deref()));
    set(&mut m, "zoom.meeting.topic", nb(x.topic.as_deref()));
    set(
        &mut m,
        "zoom.meeting.type",
        x.meeting_type.map(|n| n.to_string()),
    );
    set(&mut m, "zoom.meeting.start_time", x.start_time.as_str());
    set(&mut m, "zoom.meeting.duration", x.duration);
    set(
        &mut m,
        "zoomlens.meeting.participants_count",
        x.participants_count,
    );
    Value::Object(m)
}

pub fn participant(p: &Participant) -> Value {
    let mut m = doc(
        &p.join_time,
        "zoom.webhook",
        "event",
        &["session"],
        &["start"],
        "meeting.participant_joined",
        "participants",
        p.id,
    );
    set(&mut m, "event.original", p.raw.as_str());
    let leave = nb(p.leave_time.as_deref()).filter(|t| epoch_ms(t).is_some());
    set(&mut m, "event.start", p.join_time.as_str());
    set(&mut m, "event.end", leave);
    if let (Some(s), Some(e)) = (epoch_ms(&p.join_time), leave.and_then(epoch_ms)) {
        // ECS durations are nanoseconds.
        set(&mut m, "event.duration", (e - s).saturating_mul(1_000_000));
    }
    set(&mut m, "user.email", nb(p.email.as_deref()));
    set(
        &mut m,
        "user.name",
        nb(p.email.as_deref()).or(nb(p.name.as_deref())),
    );
    set(&mut m, "user.full_name", nb(p.name.as_deref()));
    set(&mut m, "source.ip", nb(p.ip_address.as_deref()));
    set(&mut m, "source.geo.name", nb(p.location.as_deref()));
    set(&mut m, "host.hostname", nb(p.pc_name.as_deref()));
    set(
        &mut m,
        "host.mac",
        nb(p.mac_addr.as_deref()).map(|s| json!([s])),
    );
    set(&mut m, "host.os.name", nb(p.os.as_deref()));
    set(&mut m, "host.os.version", nb(p.os_version.as_deref()));
    related(&mut m, &[p.email.as_deref()], &[p.ip_address.as_deref()]);
    set(
        &mut m,
        "zoom.meeting.id",
        p.meeting_id.map(|n| n.to_string()),
    );
    set(&mut m, "zoom.meeting.uuid", p.meeting_uuid.as_str());
    set(&mut m, "zoom.meeting.host_id", nb(p.host_id.as_deref()));
    set(&mut m, "zoom.meeting.topic", nb(p.topic.as_deref()));
    set(&mut m, "zoom.participant.id", nb(p.zoom_user_id.as_deref()));
    set(&mut m, "zoom.participant.user_id", nb(Some(&p.user_id)));
    set(&mut m, "zoom.participant.user_name", nb(p.name.as_deref()));
    set(&mut m, "zoom.participant.email", nb(p.email.as_deref()));
    set(&mut m, "zoom.participant.join_time", p.join_time.as_str());
    set(&mut m, "zoom.participant.leave_time", leave);
    set(
        &mut m,
        "zoom.participant.participant_uuid",
        nb(p.participant_uuid.as_deref()),
    );
    set(
        &mut m,
        "zoom.participant.registrant_id",
        nb(p.registrant_id.as_deref()),
    );
    set(
        &mut m,
        "zoomlens.participant.device",
        nb(p.device.as_deref()),
    );
    set(
        &mut m,
        "zoomlens.participant.version",
        nb(p.version.as_deref()),
    );
    set(
        &mut m,
        "zoomlens.participant.network_type",
        nb(p.network_type.as_deref()),
    );
    set(
        &mut m,
        "zoomlens.participant.data_center",
        nb(p.data_center.as_deref()),
    );
    set(&mut m, "zoomlens.participant.role", nb(p.role.as_deref()));
    set(
        &mut m,
        "zoomlens.participant.share_desktop",
        p.share_desktop.map(|v| v != 0),
    );
    set(
        &mut m,
        "zoomlens.participant.share_application",
        p.share_application.map(|v| v != 0),
    );
    Value::Object(m)
}

/// A recording: completed (at its start) and, when deleted, a deletion.
pub fn recording(r: &Recording) -> Vec<(String, Value)> {
    let one = |time: &str, action: &str, ty: &str| {
        let mut m = doc(
            time,
            "zoom.webhook",
            "event",
            &["file"],
            &[ty],
            action,
            "recordings",
            r.id,
        );
        set(&mut m, "event.original", r.raw.as_str());
        set(&mut m, "user.email", nb(r.host_email.as_deref()));
        set(&mut m, "user.name", nb(r.host_email.as_deref()));
        related(&mut m, &[r.host_email.as_deref()], &[]);
        set(
            &mut m,
            "zoom.recording.id",
            r.meeting_id.map(|n| n.to_string()),
        );
        set(&mut m, "zoom.recording.uuid", r.meeting_uuid.as_str());
        set(&mut m, "zoom.recording.host_id", nb(r.host_id.as_deref()));
        set(
            &mut m,
            "zoom.recording.host_email",
            nb(r.host_email.as_deref()),
        );
        set(&mut m, "zoom.recording.topic", nb(r.topic.as_deref()));
        set(&mut m, "zoom.recording.start_time", r.start_time.as_str());
        set(&mut m, "zoom.recording.duration", r.duration);
        set(&mut m, "zoom.recording.total_size", r.total_size);
        set(&mut m, "zoom.recording.recording_count", r.recording_count);
        Value::Object(m)
    };
    let mut out = vec![(
        r.start_time.clone(),
        one(&r.start_time, "recording.completed", "creation"),
    )];
    if let Some(d) = nb(r.deleted_time.as_deref()).filter(|t| epoch_ms(t).is_some()) {
        out.push((d.to_string(), one(d, "recording.deleted", "deletion")));
    }
    out
}

pub fn chat(c: &Chat) -> Value {
    let mut m = doc(
        &c.time,
        "zoom.webhook",
        "event",
        &[],
        &["info"],
        "chat_message.sent",
        "chat_messages",
        c.id,
    );
    set(&mut m, "event.original", c.raw.as_str());
    set(&mut m, "user.email", nb(c.sender.as_deref()));
    set(&mut m, "user.name", nb(c.sender.as_deref()));
    set(
        &mut m,
        "user.full_name",
        nb(c.sender_display_name.as_deref()),
    );
    related(&mut m, &[c.sender.as_deref()], &[]);
    set(&mut m, "zoom.chat_message.id", c.message_id.as_str());
    let to_channel = nb(c.to_channel.as_deref());
    set(
        &mut m,
        "zoom.chat_message.type",
        if to_channel.is_some() {
            "to_channel"
        } else {
            "to_contact"
        },
    );
    set(&mut m, "zoom.chat_message.channel_id", to_channel);
    if let Some(to) = nb(c.to_contact.as_deref()) {
        let key = if to.contains('@') {
            "zoom.chat_message.contact_email"
        } else {
            "zoom.chat_message.contact_id"
        };
        set(&mut m, key, to);
    }
    set(
        &mut m,
        "zoom.chat_message.message",
        nb(c.message.as_deref()),
    );
    set(&mut m, "zoomlens.chat.owner", nb(c.owner.as_deref()));
    set(
        &mut m,
        "zoomlens.chat.reply_main_message_id",
        nb(c.reply_main_message_id.as_deref()),
    );
    Value::Object(m)
}

/// A finding as an ECS alert: the one place a finding's fields are mapped for ECS.
pub fn finding(f: &StoredFinding) -> Value {
    let mut m = doc(
        &f.time,
        "zoom.webhook",
        "alert",
        &["intrusion_detection"],
        &["indicator"],
        &f.rule,
        "findings",
        f.id,
    );
    set(&mut m, "message", f.summary.as_str());
    let sev = match f.severity.as_str() {
        "low" => 2,
        "medium" => 3,
        "high" => 4,
        "critical" => 5,
        _ => 1,
    };
    set(&mut m, "event.severity", sev);
    set(&mut m, "rule.id", f.rule.as_str());
    set(&mut m, "rule.name", f.rule.as_str());
    set(&mut m, "rule.description", f.summary.as_str());
    if let Some(t) = nb(f.technique.as_deref()) {
        set(&mut m, "threat.framework", "MITRE ATT&CK");
        set(&mut m, "threat.technique.id", json!([t]));
    }
    set(&mut m, "user.email", nb(f.user.as_deref()));
    set(&mut m, "user.name", nb(f.user.as_deref()));
    set(&mut m, "source.ip", nb(f.ip.as_deref()));
    related(&mut m, &[f.user.as_deref()], &[f.ip.as_deref()]);
    set(
        &mut m,
        "zoom.meeting.id",
        f.meeting_id.map(|n| n.to_string()),
    );
    set(&mut m, "zoom.meeting.uuid", nb(f.meeting_uuid.as_deref()));
    set(&mut m, "zoomlens.finding.uid", format!("F{}", f.id));
    set(&mut m, "zoomlens.finding.severity", f.severity.as_str());
    set(
        &mut m,
        "zoomlens.finding.incident",
        f.incident.map(|i| format!("I{i}")),
    );
    set(&mut m, "zoomlens.finding.actor", nb(f.actor.as_deref()));
    set(&mut m, "zoomlens.finding.target", nb(f.target.as_deref()));
    set(&mut m, "zoomlens.finding.question", nb(Some(&f.question)));
    if !f.why.is_empty() {
        set(&mut m, "zoomlens.finding.why", json!(f.why));
    }
    set(&mut m, "zoomlens.finding.state", f.state.as_str());
    set(&mut m, "zoomlens.finding.reason", nb(Some(&f.reason)));
    set(&mut m, "zoomlens.finding.analyst", nb(f.analyst.as_deref()));
    set(
        &mut m,
        "zoomlens.finding.triaged_at",
        nb(f.triaged_at.as_deref()),
    );
    set(&mut m, "zoomlens.finding.recording_id", f.recording);
    if !f.evidence.is_empty() {
        set(&mut m, "zoomlens.finding.evidence", json!(f.evidence));
    }
    Value::Object(m)
}

/// Export the chosen sources, one file (or partition set) per source.
pub fn export(conn: &Connection, r: &Range, sources: &[Source], ev: &mut Events) -> Result<()> {
    for s in sources {
        match s {
            Source::Signins => rows::signins(conn, r, |x| {
                ev.emit("signins", SIGNIN_COLS, &x.time, &signin(&x))
            })?,
            Source::Operations => rows::operations(conn, r, |o| {
                if epoch_ms(&o.time).is_none() {
                    ev.skip("operations without a time (@timestamp is required)", 1);
                    return Ok(());
                }
                ev.emit("operations", OPERATION_COLS, &o.time, &operation(&o))
            })?,
            Source::Meetings => {
                ev.skip(
                    "meetings without a start time",
                    rows::meetings_undated(conn)?,
                );
                rows::meetings(conn, r, |x| {
                    ev.emit("meetings", MEETING_COLS, &x.start_time, &meeting(&x))
                })?
            }
            Source::Participants => rows::participants(conn, r, |p| {
                ev.emit(
                    "participants",
                    PARTICIPANT_COLS,
                    &p.join_time,
                    &participant(&p),
                )
            })?,
            Source::Recordings => rows::recordings(conn, r, |x| {
                for (t, d) in recording(&x) {
                    ev.emit("recordings", RECORDING_COLS, &t, &d)?;
                }
                Ok(())
            })?,
            Source::Chat => {
                rows::chat(conn, r, |c| ev.emit("chat", CHAT_COLS, &c.time, &chat(&c)))?
            }
            Source::Findings => rows::findings(conn, r, |f| {
                ev.emit("findings", FINDING_COLS, &f.time, &finding(&f))
            })?,
        }
        ev.close_open()?;
    }
    Ok(())
}
