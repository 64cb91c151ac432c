//! Issue 18's newer sources, derived from the day's meetings on a random stream of their own
//! (so adding them reshuffles none of the older draws): the account-wide meeting history with
//! its `feature_used` flags, who viewed and downloaded each recording (mostly people who were
//! in the meeting, days later), the recording notice each participant answered, and IT
//! helpdesk remote-support sessions. Plants add their own rows through [`State`].

use super::Gen;
use crate::model::time::{fmt_utc, parse_time};
use anyhow::Result;
use chrono::{DateTime, Duration, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A record of a newer source, as the sink receives it.
#[derive(Debug, Clone)]
pub enum Newer {
    /// A `/report/history_meetings` row.
    History(Value),
    /// An `analytics_details` row of one recording (`download`: `type=by_download`).
    Access {
        uuid: String,
        download: bool,
        row: Value,
    },
    /// A `/report/disclaimer` record.
    Disclaimer(Value),
    /// A `/report/remote_support` row.
    RemoteSupport(Value),
}

impl Newer {
    /// The day the record belongs to (its report window).
    pub fn time(&self) -> &str {
        let (v, k) = match self {
            Newer::History(v) => (v, "start_time"),
            Newer::Access { row, .. } => (row, "date_time"),
            Newer::Disclaimer(v) => (v, "time"),
            Newer::RemoteSupport(v) => (v, "start_time"),
        };
        v.get(k).and_then(Value::as_str).unwrap_or("")
    }
}

/// Someone in a meeting, as the report lists them.
#[derive(Debug, Clone)]
struct Attendee {
    email: String,
    name: String,
    join: String,
}

/// The 37 `feature_used` keys Zoom documents, in its order.
pub const FEATURES: [&str; 37] = [
    "screen_sharing",
    "video_on",
    "remote_control",
    "closed_caption",
    "breakout_room",
    "language_interpretation",
    "telephone_usage",
    "in_meeting_chat",
    "poll",
    "join_by_room",
    "waiting_room",
    "live_transcription",
    "reaction",
    "zoom_apps",
    "annotation",
    "raise_hand",
    "virtual_background",
    "whiteboard",
    "immersive_scene",
    "avatar",
    "switch_to_mobile",
    "file_sharing",
    "meeting_summary",
    "meeting_questions",
    "record_to_computer",
    "record_to_cloud",
    "live_translation",
    "registration",
    "smart_recording",
    "multi_speaker",
    "meeting_wallpaper",
    "gen_ai_virtual_background",
    "multi_share",
    "document_collaboration",
    "portrait_lighting",
    "personalized_audio_isolation",
    "color_themes",
];

pub struct State {
    rng: ChaCha8Rng,
    /// Today's meeting records, with their host's id.
    meetings: Vec<(String, Value)>,
    /// Today's attendees per instance UUID.
    attendees: BTreeMap<String, Vec<Attendee>>,
    /// Today's kept recordings: (uuid, host id, topic, start).
    recordings: Vec<(String, String, String, DateTime<Utc>)>,
    /// Remote-support rows planted today, and the instances remote control was used in.
    support: Vec<Value>,
    remote_control: BTreeSet<String>,
    /// Rows due later (views days after a recording), by time.
    pending: Vec<(String, Newer)>,
    /// Natural keys already emitted, per table (for the truth's counts).
    seen: BTreeMap<&'static str, BTreeSet<String>>,
}

impl State {
    pub fn new(seed: u64) -> State {
        State {
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0x0018_2026_ae57),
            meetings: Vec::new(),
            attendees: BTreeMap::new(),
            recordings: Vec::new(),
            support: Vec::new(),
            remote_control: BTreeSet::new(),
            pending: Vec::new(),
            seen: BTreeMap::new(),
        }
    }

    pub fn meeting(&mut self, host_id: &str, v: &Value) {
        self.meetings.push((host_id.to_string(), v.clone()));
    }

    pub fn participants(&mut self, uuid: &str, report: &[Value]) {
        let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        let list = self.attendees.entry(uuid.to_string()).or_default();
        for r in report {
            list.push(Attendee {
                email: s(r, "user_email"),
                name: s(r, "name"),
                join: s(r, "join_time"),
            });
        }
    }

    pub fn recording(&mut self, v: &Value, trashed: bool) {
        if trashed {
            return;
        }
        let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        if let Some(t) = parse_time(&s("start_time")) {
            self.recordings
                .push((s("uuid"), s("host_id"), s("topic"), t));
        }
    }

    /// A planted remote-support session (emitted with the day's own).
    pub fn support(&mut self, row: Value) {
        if let Some(u) = row.get("meeting_uuid").and_then(Value::as_str) {
            self.remote_control.insert(u.to_string());
        }
        self.support.push(row);
    }

    /// A planted view or download of a recording, emitted on its own day.
    pub fn access(&mut self, uuid: &str, download: bool, row: Value) {
        let t = row["date_time"].as_str().unwrap_or("").to_string();
        self.pending.push((
            t,
            Newer::Access {
                uuid: uuid.to_string(),
                download,
                row,
            },
        ));
    }
}

fn hms(secs: i64) -> String {
    format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
}

/// A `/report/remote_support` row.
#[allow(clippy::too_many_arguments)]
pub fn support_row(
    uuid: &str,
    number: i64,
    topic: &str,
    meeting_start: DateTime<Utc>,
    host_id: &str,
    supporter: (&str, &str),
    supportee: (&str, &str),
    request: DateTime<Utc>,
    wait_s: i64,
    dur_s: i64,
) -> Value {
    let start = request + Duration::seconds(wait_s);
    json!({
        "meeting_start_time": fmt_utc(meeting_start),
        "meeting_uuid": uuid,
        "meeting_number": number,
        "topic": topic,
        "meeting_host_id": host_id,
        "supporter_name": supporter.0,
        "supporter_email": supporter.1,
        "supportee_name": supportee.0,
        "supportee_email": supportee.1,
        "request_time": fmt_utc(request),
        "wait_time": hms(wait_s),
        "start_time": fmt_utc(start),
        "end_time": fmt_utc(start + Duration::seconds(dur_s)),
        "duration": hms(dur_s),
    })
}

fn key(n: &Newer) -> (&'static str, String) {
    let s = |v: &Value, k: &str| v.get(k).map(|x| x.to_string()).unwrap_or_default();
    match n {
        Newer::History(v) => ("meeting_history", s(v, "meeting_uuid")),
        Newer::Access {
            uuid,
            download,
            row,
        } => (
            "recording_access",
            format!(
                "{uuid}|{download}|{}|{}|{}",
                s(row, "date_time"),
                s(row, "email").to_lowercase(),
                s(row, "name")
            ),
        ),
        Newer::Disclaimer(v) => (
            "disclaimers",
            crate::sim::tenant::DISCLAIMER_KEY
                .map(|k| s(v, k).to_lowercase())
                .join("|"),
        ),
        Newer::RemoteSupport(v) => (
            "remote_support",
            [
                "meeting_uuid",
                "start_time",
                "supporter_email",
                "supportee_email",
            ]
            .map(|k| s(v, k).to_lowercase())
            .join("|"),
        ),
    }
}

impl Gen<'_> {
    fn emit_newer(&mut self, n: Newer) -> Result<()> {
        let (table, k) = key(&n);
        if self.newer.seen.entry(table).or_default().insert(k) {
            self.count(table, 1);
        }
        self.sink.newer(n)
    }

    /// The day's newer-source records: helpdesk sessions, the meeting history, recording
    /// notices, and the views and downloads due today.
    pub(super) fn newer_day(&mut self) -> Result<()> {
        let by_id: HashMap<&str, usize> = self
            .org
            .people
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.as_str(), i))
            .collect();
        let meetings = std::mem::take(&mut self.newer.meetings);
        let attendees = std::mem::take(&mut self.newer.attendees);
        let internal = |e: &str| e.to_ascii_lowercase().ends_with(super::org::DOMAIN);
        let mut out: Vec<Newer> = Vec::new();
        // The IT helpdesk takes control of a colleague's machine in some of its meetings.
        for (host_id, m) in &meetings {
            let Some(&h) = by_id.get(host_id.as_str()) else {
                continue;
            };
            let host = &self.org.people[h];
            let uuid = m["uuid"].as_str().unwrap_or("");
            let others: Vec<&Attendee> = attendees
                .get(uuid)
                .into_iter()
                .flatten()
                .filter(|a| internal(&a.email) && !a.email.eq_ignore_ascii_case(&host.email))
                .collect();
            if host.dept != "IT" || others.is_empty() || !self.newer.rng.random_bool(0.35) {
                continue;
            }
            let who = others[self.newer.rng.random_range(0..others.len())];
            let (Some(start), Some(join)) = (
                m["start_time"].as_str().and_then(parse_time),
                parse_time(&who.join),
            ) else {
                continue;
            };
            let request = join + Duration::seconds(self.newer.rng.random_range(60..600));
            let wait = self.newer.rng.random_range(4..45);
            let dur = self.newer.rng.random_range(180..1500);
            let number = m["id"].as_i64().unwrap_or(0);
            let row = support_row(
                uuid,
                number,
                m["topic"].as_str().unwrap_or(""),
                start,
                host_id,
                (&host.name(), &host.email),
                (&who.name, &who.email),
                request,
                wait,
                dur,
            );
            self.newer.remote_control.insert(uuid.to_string());
            out.push(Newer::RemoteSupport(row));
        }
        for row in std::mem::take(&mut self.newer.support) {
            out.push(Newer::RemoteSupport(row));
        }
        // One history row per instance, with the host's department and the features used.
        for (host_id, m) in &meetings {
            let uuid = m["uuid"].as_str().unwrap_or("").to_string();
            let dept = by_id
                .get(host_id.as_str())
                .map(|&i| self.org.people[i].dept)
                .unwrap_or("");
            let b = |k: &str| m.get(k).and_then(Value::as_bool).unwrap_or(false);
            let mut f = serde_json::Map::new();
            for k in FEATURES {
                f.insert(k.into(), json!(false));
            }
            let r = &mut self.newer.rng;
            let mut set = |k: &str, v: bool| {
                f.insert(k.into(), json!(v));
            };
            set("screen_sharing", b("has_screen_share"));
            set("record_to_cloud", b("has_recording"));
            set("in_meeting_chat", b("has_chat"));
            set("remote_control", self.newer.remote_control.contains(&uuid));
            set("video_on", r.random_bool(0.85));
            set("waiting_room", r.random_bool(0.3));
            set("reaction", r.random_bool(0.4));
            set("raise_hand", r.random_bool(0.2));
            set("telephone_usage", r.random_bool(0.05));
            set("file_sharing", b("has_chat") && r.random_bool(0.15));
            set("record_to_computer", r.random_bool(0.03));
            set("meeting_summary", r.random_bool(0.1));
            set("live_transcription", r.random_bool(0.05));
            let start = m["start_time"].as_str().unwrap_or("");
            let created = parse_time(start)
                .map(|t| fmt_utc(t - Duration::hours(r.random_range(1..240))))
                .unwrap_or_default();
            out.push(Newer::History(json!({
                "meeting_uuid": uuid,
                "meeting_id": m["id"].as_i64().unwrap_or(0),
                "type": "Meeting",
                "host_display_name": m["host_name"],
                "host_email": m["user_email"],
                "start_time": start,
                "end_time": m["end_time"],
                "topic": m["topic"],
                "participants": m["participants_count"],
                "duration": m["duration"],
                "total_participant_minutes": m["total_minutes"],
                "department": dept,
                "group": if dept.is_empty() { json!([]) } else { json!([dept]) },
                "source": "Zoom",
                "unique_viewers": 0,
                "max_concurrent_views": 0,
                "create_time": created,
                "custom_fields": [],
                "tracking_fields": [],
                "feature_used": f,
            })));
            // The recording notice, answered as each participant joined a recorded meeting
            // (a guest's consent is passive: joining after the notice).
            if b("has_recording") {
                let mut seen = BTreeSet::new();
                for a in attendees.get(&uuid).into_iter().flatten() {
                    if !seen.insert((a.email.to_lowercase(), a.name.clone())) {
                        continue;
                    }
                    let guest = !internal(&a.email);
                    let status = if !guest {
                        "Agree"
                    } else if self.newer.rng.random_bool(0.05) {
                        "Decline Attend"
                    } else {
                        "Passive Agree"
                    };
                    let time = parse_time(&a.join)
                        .map(|t| fmt_utc(t + Duration::seconds(2)))
                        .unwrap_or_else(|| a.join.clone());
                    out.push(Newer::Disclaimer(json!({
                        "client_type": if guest { "Windows" } else { "Mac" },
                        "disclaimer_status": status,
                        "disclaimer_type": "recording",
                        "display_name": a.name,
                        "group_ids": [],
                        "is_guest": guest,
                        "is_zoom_event": false,
                        "meeting_id": uuid,
                        "meeting_number": m["id"].as_i64().unwrap_or(0),
                        "time": time,
                        "user_email": a.email,
                    })));
                }
            }
        }
        // Recordings are watched by people who were in the meeting, days later; the host
        // sometimes downloads one.
        for (uuid, host_id, _topic, start) in std::mem::take(&mut self.newer.recordings) {
            let host_email = by_id
                .get(host_id.as_str())
                .map(|&i| self.org.people[i].email.clone())
                .unwrap_or_default();
            let mut seen = BTreeSet::new();
            let people: Vec<Attendee> = attendees
                .get(&uuid)
                .into_iter()
                .flatten()
                .filter(|a| internal(&a.email) && seen.insert(a.email.to_lowercase()))
                .cloned()
                .collect();
            for a in &people {
                if !self.newer.rng.random_bool(0.25) {
                    continue;
                }
                let t = start
                    + Duration::hours(self.newer.rng.random_range(3..96))
                    + Duration::seconds(self.newer.rng.random_range(0..3600));
                let dur = self.newer.rng.random_range(60..2400);
                self.newer.access(
                    &uuid,
                    false,
                    json!({"date_time": fmt_utc(t), "name": a.name, "email": a.email, "duration": dur}),
                );
            }
            if let Some(h) = people
                .iter()
                .find(|a| a.email.eq_ignore_ascii_case(&host_email))
                && self.newer.rng.random_bool(0.15)
            {
                let t = start + Duration::hours(self.newer.rng.random_range(2..48));
                self.newer.access(
                    &uuid,
                    true,
                    json!({"date_time": fmt_utc(t), "name": h.name, "email": h.email}),
                );
            }
        }
        // Views and downloads due by the end of today; later ones wait (those after the
        // window never happen: the pull is done by then).
        let end = fmt_utc(self.at(86_400));
        let pending = std::mem::take(&mut self.newer.pending);
        let (due, later): (Vec<_>, Vec<_>) = pending.into_iter().partition(|(t, _)| *t < end);
        self.newer.pending = later;
        let mut due = due;
        due.sort_by(|a, b| a.0.cmp(&b.0));
        out.extend(due.into_iter().map(|(_, n)| n));
        for n in out {
            self.emit_newer(n)?;
        }
        Ok(())
    }
}
