//! Webhook events: normalised into the same tables as the reports, and kept whole.
//!
//! Every delivery is kept in `webhook_events` (keyed by event, event_ts and a hash of the
//! payload, since Zoom sends no event id). What it describes also goes to the normal tables:
//! `meeting.started/ended` → meetings, `meeting.participant_joined` → a participant session
//! that `meeting.participant_left` closes and `meeting.sharing_started` marks as sharing,
//! `recording.*` → recordings (trashed and deleted set the deletion time),
//! `user.signed_in/out` → sign-ins, `user.created/activated/deactivated/updated` → the users
//! directory. `endpoint.url_validation` pings are not evidence and are not stored.

use super::bodies::{
    ParticipantRow, RecordingRow, activity_kind, participant_from, recording_from,
};
use super::lax::{N, S, text_req, time_opt};
use super::sink::Sink;
use crate::model::*;
use crate::store::writer::{Shared, WaitingStay};
use crate::store::{Outcome, Writer};
use anyhow::Result;
use rusqlite::OptionalExtension;
use serde::Deserialize;
use serde_json::value::RawValue;

/// Store one webhook delivery (its raw body bytes as text) and normalise what it describes.
/// The same delivery stored again is `Outcome::Present`. A delivery that cannot be used (not
/// JSON, no event name or timestamp) is kept in the rejects and also reported as `Present`
/// (nothing new was stored); the writer's counts tell the two apart.
pub fn store_event(
    w: &mut Writer,
    origin_id: i64,
    line: Option<i64>,
    raw: &str,
) -> Result<Outcome> {
    let source: String = w
        .conn()
        .query_row(
            "SELECT source FROM origins WHERE id = ?1",
            [origin_id],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or_else(|| "webhook".to_string());
    let deliveries = |w: &Writer| {
        w.counts
            .0
            .get("webhook_events")
            .cloned()
            .unwrap_or_default()
    };
    let before = deliveries(w);
    store_event_at(w, origin_id, &source, line, raw)?;
    let after = deliveries(w);
    Ok(if after.added > before.added {
        Outcome::Added
    } else if after.merged > before.merged {
        Outcome::Merged
    } else {
        Outcome::Present
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Envelope<'a> {
    #[serde(borrow)]
    event: S<'a>,
    event_ts: N,
    #[serde(borrow)]
    payload: Option<&'a RawValue>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Payload<'a> {
    #[serde(borrow)]
    account_id: S<'a>,
    #[serde(borrow)]
    operator: S<'a>,
    #[serde(borrow)]
    object: Option<&'a RawValue>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct MeetingObject<'a> {
    id: N,
    #[serde(borrow)]
    uuid: S<'a>,
    #[serde(borrow)]
    host_id: S<'a>,
    #[serde(borrow)]
    topic: S<'a>,
    #[serde(rename = "type")]
    kind: N,
    #[serde(borrow)]
    start_time: S<'a>,
    #[serde(borrow)]
    end_time: S<'a>,
    #[serde(borrow)]
    participant: Option<ParticipantRow<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WaitingObject<'a> {
    id: N,
    #[serde(borrow)]
    participant: Option<WaitingParticipant<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WaitingParticipant<'a> {
    #[serde(borrow)]
    user_id: S<'a>,
    #[serde(borrow)]
    participant_uuid: S<'a>,
    #[serde(borrow)]
    user_name: S<'a>,
    #[serde(borrow)]
    email: S<'a>,
    #[serde(borrow)]
    date_time: S<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SignObject<'a> {
    #[serde(borrow)]
    email: S<'a>,
    #[serde(borrow)]
    date_time: S<'a>,
    #[serde(borrow)]
    client_type: S<'a>,
    #[serde(borrow)]
    version: S<'a>,
    login_type: N,
}

/// The participant of a sharing event and what they shared.
#[derive(Deserialize, Default)]
#[serde(default)]
struct SharingObject<'a> {
    #[serde(borrow)]
    participant: Option<SharingParticipant<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SharingParticipant<'a> {
    #[serde(borrow)]
    user_id: S<'a>,
    #[serde(borrow)]
    sharing_details: Option<SharingDetails<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SharingDetails<'a> {
    #[serde(borrow)]
    content: S<'a>,
    #[serde(borrow)]
    date_time: S<'a>,
}

/// The id of the object an event is about, as text (`id` may be a number or a string).
#[derive(Deserialize, Default)]
#[serde(default)]
struct ObjectId<'a> {
    #[serde(borrow)]
    id: S<'a>,
    #[serde(borrow)]
    uuid: S<'a>,
}

pub(crate) fn store_event_at(
    w: &mut impl Sink,
    origin_id: i64,
    source: &str,
    line: Option<i64>,
    raw: &str,
) -> Result<()> {
    // serde reads a struct from a JSON array too (fields in order): `[1,2,3]` would be an event.
    if !raw.trim_start().starts_with('{') {
        w.reject(
            "webhook_events",
            source,
            line,
            "not a webhook event: not a JSON object",
            raw,
        )?;
        return Ok(());
    }
    let env: Envelope = match serde_json::from_str(raw) {
        Ok(e) => e,
        Err(e) => {
            w.reject(
                "webhook_events",
                source,
                line,
                &format!("not a webhook event: {e}"),
                raw,
            )?;
            return Ok(());
        }
    };
    let Some(event) = env.event.nonblank().map(str::to_string) else {
        w.reject(
            "webhook_events",
            source,
            line,
            "webhook event without \"event\"",
            raw,
        )?;
        return Ok(());
    };
    if event == "endpoint.url_validation" {
        // A reachability ping with a challenge token: not evidence of anything.
        w.skip("webhook_events");
        return Ok(());
    }
    let payload_text = env.payload.map(|p| p.get()).unwrap_or("null");
    let event_ts = match env.event_ts.0 {
        Some(ts) => ts,
        // Exports and relays often drop the envelope's event_ts; the payload still says when.
        None => match payload_time_ms(&event, payload_text) {
            Some(ts) => ts,
            None => {
                w.reject(
                    "webhook_events",
                    source,
                    line,
                    "webhook event without a numeric event_ts, and no time in its payload \
                     (time_stamp, object.date_time, participant join/leave time)",
                    raw,
                )?;
                return Ok(());
            }
        },
    };
    let Some(time) = from_epoch_number(event_ts) else {
        w.reject(
            "webhook_events",
            source,
            line,
            "event_ts is not a valid time",
            raw,
        )?;
        return Ok(());
    };
    let time = fmt_utc(time);
    let payload: Payload = serde_json::from_str(payload_text).unwrap_or_default();
    let object_text = payload.object.map(|o| o.get()).unwrap_or("null");
    let oid: ObjectId = serde_json::from_str(object_text).unwrap_or_default();
    let ev = Evidence::new(origin_id, line, raw);
    let record = WebhookEvent {
        event: event.clone(),
        event_ts,
        time: time.clone(),
        account_id: payload.account_id.own(),
        operator: payload.operator.own(),
        object_id: oid.id.own().or_else(|| oid.uuid.own()),
        payload_sha256: crate::util::Sha256Sum::of(payload_text.as_bytes()),
    };
    w.webhook_event(record, ev.clone())?;
    // Normalised even when the delivery is already present, so a re-import reports the same
    // rejects (what was stored before is simply "present" again).
    if let Err((table, reason)) = normalise(w, &event, &time, object_text, &ev)? {
        w.reject(table, source, line, &format!("{event}: {reason}"), raw)?;
    }
    if super::settings::is_settings_event(&event) {
        settings_change(w, &event, payload_text, &time, &ev)?;
    }
    Ok(())
}

/// A settings webhook as an operation (merged with its operation-log entry by the writer).
/// The change's own time is the payload's `time_stamp` when it has one. A delivery that
/// names no changed setting stays in webhook_events only (it is not a reject: nothing in it
/// is lost).
fn settings_change(
    w: &mut impl Sink,
    event: &str,
    payload: &str,
    time: &str,
    ev: &Evidence,
) -> Result<()> {
    let Ok(p) = serde_json::from_str::<serde_json::Value>(payload) else {
        w.skip("operations");
        return Ok(());
    };
    let at = p
        .get("time_stamp")
        .and_then(serde_json::Value::as_i64)
        .and_then(from_epoch_number)
        .map_or_else(|| time.to_string(), fmt_utc);
    // A user's settings: name them by email when the case knows the id (which only the
    // writing side can look up).
    let event = event.to_string();
    w.with_writer(ev.clone(), move |w, ev| {
        let subject = match (event.starts_with("user."), p.pointer("/object/id")) {
            (true, Some(serde_json::Value::String(id))) => w
                .conn()
                .prepare_cached("SELECT email FROM users WHERE zoom_id = ?1")?
                .query_row([id], |r| r.get::<_, String>(0))
                .ok(),
            _ => None,
        };
        match super::settings::operation(&event, &p, &at, subject.as_deref()) {
            Ok(op) => {
                w.settings_change(&op, ev)?;
            }
            Err(_) => w.counts.skip("operations"),
        }
        Ok(())
    })
}

use crate::model::time::{fmt_utc, from_epoch_number};

#[derive(Deserialize, Default)]
#[serde(default)]
struct TimedPayload<'a> {
    time_stamp: N,
    #[serde(borrow)]
    object: Option<TimedObject<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TimedObject<'a> {
    #[serde(borrow)]
    date_time: S<'a>,
    #[serde(borrow)]
    participant: Option<TimedParticipant<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TimedParticipant<'a> {
    #[serde(borrow)]
    date_time: S<'a>,
    #[serde(borrow)]
    join_time: S<'a>,
    #[serde(borrow)]
    leave_time: S<'a>,
    #[serde(borrow)]
    sharing_details: Option<SharingDetails<'a>>,
}

/// The time an event's payload gives, as epoch milliseconds, for a delivery without
/// `event_ts`: `payload.time_stamp`, else `object.date_time`, else the participant's own time
/// (the leave time of a `*_left` event, the join time of others, or `date_time`).
fn payload_time_ms(event: &str, payload: &str) -> Option<i64> {
    let p: TimedPayload = serde_json::from_str(payload).ok()?;
    if let Some(ts) = p.time_stamp.0
        && from_epoch_number(ts).is_some()
    {
        return Some(ts);
    }
    let o = p.object.unwrap_or_default();
    let part = o.participant.unwrap_or_default();
    let share = part.sharing_details.unwrap_or_default();
    let (first, second) = if event.ends_with("_left") {
        (&part.leave_time, &part.join_time)
    } else {
        (&part.join_time, &part.leave_time)
    };
    [
        &o.date_time,
        &part.date_time,
        first,
        second,
        &share.date_time,
    ]
    .into_iter()
    .find_map(|t| time_opt("time", t).ok().flatten())
    .and_then(|t| crate::model::time::parse_time(&t))
    .map(|t| t.timestamp_millis())
}

type Norm = std::result::Result<(), (&'static str, String)>;

/// Store what an event describes. The outer error is a store failure; the inner one names
/// the table the event could not be normalised into, and why.
fn normalise(
    w: &mut impl Sink,
    event: &str,
    time: &str,
    object: &str,
    ev: &Evidence,
) -> Result<Norm> {
    let (family, action) = event.split_once('.').unwrap_or((event, ""));
    if event == "meeting.risk_alert" {
        // About where a link was posted, not an instance that ran: no meeting row.
        return Ok(
            super::newer::store_risk_alert(w, object, time, ev)?.map_err(|e| ("risk_alerts", e))
        );
    }
    match family {
        "meeting" | "webinar" => {
            let o: MeetingObject = match serde_json::from_str(object) {
                Ok(o) => o,
                Err(e) => return Ok(Err(("meetings", format!("unusable object: {e}")))),
            };
            let Some(uuid) = o.uuid.nonblank().map(str::to_string) else {
                // `meeting.updated`, `.deleted`, registration events and the like are about
                // the scheduled meeting (its `id`), not an instance: the delivery is kept in
                // webhook_events and no meeting row is made. Events about an instance
                // (started, ended, participants, sharing) need its uuid.
                let about_instance = matches!(action, "started" | "ended")
                    || action.starts_with("participant_")
                    || action.starts_with("sharing_");
                if about_instance {
                    return Ok(Err(("meetings", "object without uuid".into())));
                }
                return Ok(Ok(()));
            };
            let start = match time_opt("start_time", &o.start_time) {
                Ok(t) => t,
                Err(e) => return Ok(Err(("meetings", e))),
            };
            let end = match time_opt("end_time", &o.end_time) {
                Ok(t) => t,
                Err(e) => return Ok(Err(("meetings", e))),
            };
            let duration = match (&start, &end) {
                (Some(s), Some(e)) if action == "ended" => {
                    let s = crate::model::time::parse_time(s);
                    let e = crate::model::time::parse_time(e);
                    s.zip(e).map(|(s, e)| (e - s).num_minutes())
                }
                _ => None,
            };
            // Participant and sharing events repeat the meeting: they add it when it is new,
            // but do not pile a copy of every event onto it as further evidence (each event
            // is kept whole in webhook_events already).
            let about_meeting = matches!(action, "started" | "ended");
            let m = Meeting {
                uuid: uuid.clone(),
                meeting_id: o.id.0,
                topic: o.topic.own(),
                host_id: o.host_id.own(),
                meeting_type: o.kind.0,
                start_time: start,
                end_time: end,
                duration,
                via: "webhook".into(),
                ..Default::default()
            };
            w.with_writer(ev.clone(), move |w, ev| {
                let known = !about_meeting
                    && w.conn()
                        .prepare_cached("SELECT 1 FROM meetings WHERE uuid = ?1")?
                        .exists([&m.uuid])?;
                if !known {
                    w.meeting(&m, ev)?;
                }
                Ok(())
            })?;
            match (action, &o.participant) {
                ("participant_joined", Some(p)) => {
                    match participant_from(p, &uuid, o.id.0, "webhook") {
                        Ok(p) => {
                            w.participant(p, ev.clone())?;
                        }
                        Err(e) => return Ok(Err(("participants", e))),
                    }
                }
                ("participant_left", Some(p)) => {
                    let user_id = match text_req("participant.user_id", &p.user_id) {
                        Ok(u) => u,
                        Err(e) => return Ok(Err(("participants", e))),
                    };
                    let leave = match time_opt("participant.leave_time", &p.leave_time) {
                        Ok(Some(t)) => t,
                        Ok(None) => time.to_string(),
                        Err(e) => return Ok(Err(("participants", e))),
                    };
                    let (uuid, reason) = (uuid.clone(), p.leave_reason.own());
                    w.with_writer(ev.clone(), move |w, ev| {
                        if !w.participant_left(&uuid, &user_id, &leave, reason.as_deref(), ev)? {
                            // The join is not in the case (it happened before collection
                            // began): the leave stays in webhook_events only.
                            w.counts.skip("participants");
                        }
                        Ok(())
                    })?;
                }
                (
                    "participant_joined_waiting_room"
                    | "participant_put_in_waiting_room"
                    | "participant_admitted"
                    | "participant_left_waiting_room",
                    _,
                ) => {
                    let o: WaitingObject = serde_json::from_str(object).unwrap_or_default();
                    let p = o.participant.unwrap_or_default();
                    let at = match time_opt("participant.date_time", &p.date_time) {
                        Ok(Some(t)) => t,
                        Ok(None) => time.to_string(),
                        Err(e) => return Ok(Err(("waiting_room", e))),
                    };
                    let stay = WaitingStay {
                        meeting_uuid: uuid.clone(),
                        meeting_id: o.id.0,
                        user_id: p.user_id.own().unwrap_or_default(),
                        participant_uuid: p.participant_uuid.own().unwrap_or_default(),
                        name: p.user_name.own(),
                        email: p.email.own(),
                        at,
                    };
                    if stay.user_id.is_empty() && stay.participant_uuid.is_empty() {
                        return Ok(Err((
                            "waiting_room",
                            "participant without user_id or participant_uuid".into(),
                        )));
                    }
                    match action {
                        "participant_admitted" | "participant_left_waiting_room" => {
                            let admitted = action == "participant_admitted";
                            w.with_writer(ev.clone(), move |w, ev| {
                                w.waiting_ended(&stay, admitted, ev).map(drop)
                            })?
                        }
                        _ => w.waiting_entered(stay, ev.clone())?,
                    };
                }
                ("sharing_started", _) => {
                    let o: SharingObject = serde_json::from_str(object).unwrap_or_default();
                    let p = o.participant.unwrap_or_default();
                    let user_id = match text_req("participant.user_id", &p.user_id) {
                        Ok(u) => u,
                        Err(e) => return Ok(Err(("participants", e))),
                    };
                    let d = p.sharing_details.unwrap_or_default();
                    let at = match time_opt("sharing_details.date_time", &d.date_time) {
                        Ok(Some(t)) => t,
                        Ok(None) => time.to_string(),
                        Err(e) => return Ok(Err(("participants", e))),
                    };
                    let content = d.content.nonblank().map(str::to_ascii_lowercase);
                    let shared = match content.as_deref() {
                        Some("desktop") => Some(Shared::Desktop),
                        Some("application") => Some(Shared::Application),
                        Some("whiteboard") => Some(Shared::Whiteboard),
                        // "unknown" or none: no column says it; the delivery is kept whole.
                        _ => None,
                    };
                    // No session open then (joined before collection began), or nothing a
                    // session column can say: the event stays in webhook_events only.
                    match shared {
                        Some(s) => {
                            let uuid = uuid.clone();
                            w.with_writer(ev.clone(), move |w, ev| {
                                if !w.participant_shared(&uuid, &user_id, &at, s, ev)? {
                                    w.counts.skip("participants");
                                }
                                Ok(())
                            })?;
                        }
                        None => w.skip("participants"),
                    }
                }
                _ => {}
            }
        }
        "recording" => {
            let r: RecordingRow = match serde_json::from_str(object) {
                Ok(r) => r,
                Err(e) => return Ok(Err(("recordings", format!("unusable object: {e}")))),
            };
            let deleted = matches!(action, "trashed" | "deleted").then_some(time);
            match recording_from(&r, "webhook", deleted) {
                Ok(rec) => {
                    w.recording(rec, ev.clone())?;
                }
                Err(e) => return Ok(Err(("recordings", e))),
            }
        }
        "user" if action == "signed_in" || action == "signed_out" => {
            let o: SignObject = match serde_json::from_str(object) {
                Ok(o) => o,
                Err(e) => return Ok(Err(("signins", format!("unusable object: {e}")))),
            };
            let email = match text_req("email", &o.email) {
                Ok(e) => e,
                Err(e) => return Ok(Err(("signins", e))),
            };
            let t = match time_opt("date_time", &o.date_time) {
                Ok(t) => t.unwrap_or_else(|| time.to_string()),
                Err(e) => return Ok(Err(("signins", e))),
            };
            let kind = if action == "signed_in" {
                "signin"
            } else {
                "signout"
            };
            w.signin(
                SignIn {
                    time: t,
                    email,
                    activity: activity_kind(kind).unwrap_or("Sign in").to_string(),
                    ip_address: None,
                    client_type: o.client_type.own(),
                    version: o.version.own(),
                    login_type: o.login_type.0,
                    via: "webhook".into(),
                },
                ev.clone(),
            )?;
        }
        "user" if matches!(action, "created" | "activated" | "deactivated") => {
            let r: super::bodies::UserRow = serde_json::from_str(object).unwrap_or_default();
            if r.email.nonblank().is_some()
                && let Ok(mut u) = super::bodies::user_from(&r)
            {
                u.status = match action {
                    "deactivated" => Some("inactive".into()),
                    "activated" => Some("active".into()),
                    _ => u.status,
                };
                w.user(u, ev.clone())?;
            }
        }
        "user" if action == "updated" => {
            // Only the id and the changed fields (the previous values are in `old_object`,
            // kept in the delivery).
            let r: super::bodies::UserRow = match serde_json::from_str(object) {
                Ok(r) => r,
                Err(e) => return Ok(Err(("users", format!("unusable object: {e}")))),
            };
            if r.id.nonblank().is_none() && r.email.nonblank().is_none() {
                return Ok(Err(("users", "object without id or email".into())));
            }
            let u = match super::bodies::user_fields(&r) {
                Ok(u) => u,
                Err(e) => return Ok(Err(("users", e))),
            };
            w.with_writer(ev.clone(), move |w, ev| {
                if !w.user_updated(&u, ev)? {
                    // A user the case does not know yet, without an email to add them by.
                    w.counts.skip("users");
                }
                Ok(())
            })?;
        }
        _ => {}
    }
    Ok(Ok(()))
}
