//! Response bodies of every Zoom endpoint zoomlens reads: the page's record list is sliced out
//! as raw JSON (each record's evidence is its exact bytes), then each record is normalised.
//! A record that cannot be used is rejected on its own; the rest of the page continues.

use super::lax::{B, N, S, int_text, text_req, time_opt, time_req};
use super::sink::Sink;
use crate::model::*;
use crate::store::MeetingActivity;
use anyhow::Result;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::HashMap;

/// The endpoint a page came from (which decides what its records are).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `/report/activities`: sign-in / sign-out.
    Activities,
    /// `/report/operationlogs`.
    OperationLogs,
    /// `/report/users/{id}/meetings`.
    UserMeetings,
    /// `/report/meetings/{uuid}/participants`.
    ReportParticipants,
    /// `/metrics/meetings/{uuid}/participants`.
    MetricsParticipants,
    /// `/past_meetings/{id}/instances`.
    PastInstances,
    /// `/users/{id}/recordings` (with `trash=true`: trashed recordings).
    Recordings,
    /// `/chat/users/{id}/messages`.
    Chat,
    /// `/chat/users/{id}/channels`: names and types for messages' channel ids.
    Channels,
    /// `/users`.
    Users,
    /// `/report/meeting_activities`.
    MeetingActivities,
    /// `/report/history_meetings`: every past meeting of the account, with feature flags.
    HistoryMeetings,
    /// `/meetings/{uuid}/recordings/analytics_details`: who viewed or downloaded a recording.
    RecordingAnalytics,
    /// `/report/disclaimer`: responses to the recording / AI / login notices.
    Disclaimers,
    /// `/report/remote_support`: who took remote control of whose machine.
    RemoteSupport,
}

impl Endpoint {
    /// The body key holding the page's records.
    pub fn list_key(self) -> &'static str {
        match self {
            Endpoint::Activities => "activity_logs",
            Endpoint::OperationLogs => "operation_logs",
            Endpoint::UserMeetings | Endpoint::PastInstances | Endpoint::Recordings => "meetings",
            Endpoint::ReportParticipants | Endpoint::MetricsParticipants => "participants",
            Endpoint::Chat => "messages",
            Endpoint::Channels => "channels",
            Endpoint::Users => "users",
            Endpoint::MeetingActivities => "meeting_activity_logs",
            Endpoint::HistoryMeetings => "history_meetings",
            Endpoint::RecordingAnalytics => "analytics_details",
            Endpoint::Disclaimers => "disclaimer_records",
            Endpoint::RemoteSupport => "remote_support_logs",
        }
    }
    /// The table its records go to (for counts and rejects).
    pub fn table(self) -> &'static str {
        match self {
            Endpoint::Activities => "signins",
            Endpoint::OperationLogs => "operations",
            Endpoint::UserMeetings | Endpoint::PastInstances => "meetings",
            Endpoint::ReportParticipants | Endpoint::MetricsParticipants => "participants",
            Endpoint::Recordings => "recordings",
            Endpoint::Chat => "chat_messages",
            Endpoint::Channels => "chat_channels",
            Endpoint::Users => "users",
            Endpoint::MeetingActivities => "meeting_activities",
            Endpoint::HistoryMeetings => "meeting_history",
            Endpoint::RecordingAnalytics => "recording_access",
            Endpoint::Disclaimers => "disclaimers",
            Endpoint::RemoteSupport => "remote_support",
        }
    }
}

/// What the request (path and query) says about a page's records.
#[derive(Debug, Clone)]
pub struct PageCtx {
    pub endpoint: Endpoint,
    /// Meeting instance UUID (participant pages), decoded.
    pub meeting_uuid: Option<String>,
    /// Numeric meeting id (instances pages; participant pages requested by number).
    pub meeting_id: Option<i64>,
    /// The user the request was about (`/users/{id}/...`, `/report/users/{id}/...`).
    pub user: Option<String>,
    /// `trash=true` on a recordings request.
    pub trash: bool,
    pub to_contact: Option<String>,
    pub to_channel: Option<String>,
    /// When the page was fetched (normalised), used as the deletion time of trashed
    /// recordings that carry none.
    pub fetched_at: Option<String>,
    /// `report`, `metrics`, `file`, ...
    pub via: &'static str,
    /// `view` or `download`: the `type` of a recording analytics request.
    pub access_kind: Option<String>,
}

impl PageCtx {
    pub fn new(endpoint: Endpoint) -> PageCtx {
        PageCtx {
            endpoint,
            meeting_uuid: None,
            meeting_id: None,
            user: None,
            trash: false,
            to_contact: None,
            to_channel: None,
            fetched_at: None,
            via: match endpoint {
                Endpoint::MetricsParticipants => "metrics",
                Endpoint::PastInstances => "instances",
                Endpoint::HistoryMeetings => "history",
                _ => "report",
            },
            access_kind: None,
        }
    }
}

/// Where the records being stored came from (for evidence and rejects).
pub struct At<'s> {
    pub origin_id: i64,
    /// File (or `api`) named in rejects.
    pub source: &'s str,
    pub line: Option<i64>,
    /// The body is a whole pretty-printed file starting at `line`: give each record the line
    /// it starts on instead.
    pub rows_own_lines: bool,
}

/// The top-level keys of a JSON object, values unparsed.
pub type TopLevel<'a> = HashMap<Cow<'a, str>, &'a RawValue>;

pub fn top_level(text: &str) -> serde_json::Result<TopLevel<'_>> {
    serde_json::from_str(text)
}

/// Guess the endpoint of a bare body from its keys (and its first record's keys).
pub fn endpoint_of_body(top: &TopLevel) -> Option<Endpoint> {
    let first_keys = |key: &str| -> Vec<String> {
        top.get(key)
            .and_then(|v| serde_json::from_str::<Vec<&RawValue>>(v.get()).ok())
            .and_then(|rows| rows.first().copied())
            .and_then(|r| top_level(r.get()).ok())
            .map(|m| m.keys().map(|k| k.to_string()).collect())
            .unwrap_or_default()
    };
    if top.contains_key("activity_logs") {
        return Some(Endpoint::Activities);
    }
    if top.contains_key("operation_logs") {
        return Some(Endpoint::OperationLogs);
    }
    for ep in [
        Endpoint::HistoryMeetings,
        Endpoint::RecordingAnalytics,
        Endpoint::Disclaimers,
        Endpoint::RemoteSupport,
    ] {
        if top.contains_key(ep.list_key()) {
            return Some(ep);
        }
    }
    if top.contains_key("meeting_activity_logs") {
        return Some(Endpoint::MeetingActivities);
    }
    if top.contains_key("users") {
        return Some(Endpoint::Users);
    }
    if top.contains_key("messages") {
        return Some(Endpoint::Chat);
    }
    if top.contains_key("channels") {
        return Some(Endpoint::Channels);
    }
    // A participants *page* holds a list; a meeting's own `participants` is a count.
    if top
        .get("participants")
        .is_some_and(|v| v.get().trim_start().starts_with('['))
    {
        let k = first_keys("participants");
        let has = |s: &str| k.iter().any(|x| x == s);
        return Some(
            if has("user_name") || has("ip_address") || has("participant_uuid") || has("device") {
                Endpoint::MetricsParticipants
            } else {
                Endpoint::ReportParticipants
            },
        );
    }
    if top.contains_key("meetings") {
        let k = first_keys("meetings");
        let has = |s: &str| k.iter().any(|x| x == s);
        if has("recording_files") || has("recording_count") {
            return Some(Endpoint::Recordings);
        }
        if !k.is_empty() && k.iter().all(|x| x == "uuid" || x == "start_time") {
            return Some(Endpoint::PastInstances);
        }
        return Some(Endpoint::UserMeetings);
    }
    None
}

/// The records of a body whose `list` key holds a list, in one pass over the body (the
/// slower [`top_level`] then list route was a third of the reading thread on Dashboard pages).
/// `None` for anything else, which [`store_body`] then explains.
fn records_of<'a>(body: &'a str, list: &str) -> Option<Vec<&'a RawValue>> {
    use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
    struct Records<'k>(&'k str);
    impl<'de> Visitor<'de> for Records<'_> {
        type Value = Option<Vec<&'de RawValue>>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut rows = None;
            while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                if key == self.0 {
                    // The last of repeated keys counts, as in `top_level`.
                    rows = Some(map.next_value()?);
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(rows)
        }
    }
    impl<'de> DeserializeSeed<'de> for Records<'_> {
        type Value = Option<Vec<&'de RawValue>>;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_map(self)
        }
    }
    let mut de = serde_json::Deserializer::from_str(body);
    let rows = Records(list).deserialize(&mut de).ok()?;
    de.end().ok()?;
    rows
}

/// Store every record of one response body. Returns the number of records seen.
pub fn store_body(w: &mut impl Sink, ctx: &PageCtx, body: &str, at: &At) -> Result<usize> {
    match records_of(body, ctx.endpoint.list_key()) {
        Some(rows) => store_rows(w, ctx, body, &rows, at),
        None => reject_body(w, ctx, body, at).map(|()| 0),
    }
}

/// Keep a body whose records could not be found, saying why.
fn reject_body(w: &mut impl Sink, ctx: &PageCtx, body: &str, at: &At) -> Result<()> {
    let table = ctx.endpoint.table();
    let top = match top_level(body) {
        Ok(t) => t,
        Err(e) => {
            w.reject(
                table,
                at.source,
                at.line,
                &format!("body is not a JSON object: {e}"),
                body,
            )?;
            return Ok(());
        }
    };
    let Some(list) = top.get(ctx.endpoint.list_key()) else {
        // A captured error response (`{code, message}`) or an unexpected shape: keep it.
        let reason = match (top.get("code"), top.get("message")) {
            (Some(c), Some(m)) => format!("Zoom error {} {}", c.get(), m.get()),
            _ => format!("body has no \"{}\" list", ctx.endpoint.list_key()),
        };
        w.reject(table, at.source, at.line, &reason, body)?;
        return Ok(());
    };
    let reason = match serde_json::from_str::<Vec<&RawValue>>(list.get()) {
        Err(e) => format!("\"{}\" is not a list: {e}", ctx.endpoint.list_key()),
        Ok(_) => "body is not valid JSON after its records".to_string(),
    };
    w.reject(table, at.source, at.line, &reason, body)
}

/// Store `rows`, the records of `body`. Returns how many there were.
fn store_rows(
    w: &mut impl Sink,
    ctx: &PageCtx,
    body: &str,
    rows: &[&RawValue],
    at: &At,
) -> Result<usize> {
    let table = ctx.endpoint.table();
    let (mut scanned, mut line) = (0usize, at.line.unwrap_or(1));
    for (i, raw) in rows.iter().enumerate() {
        let row_line = if at.rows_own_lines {
            // Rows are slices of `body`, in order: count the newlines up to this one.
            let off = (raw.get().as_ptr() as usize).saturating_sub(body.as_ptr() as usize);
            if off >= scanned && off <= body.len() {
                line += body.as_bytes()[scanned..off]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count() as i64;
                scanned = off;
            }
            Some(line)
        } else {
            at.line
        };
        let ev = || Evidence::new(at.origin_id, row_line, raw.get());
        // Normalise, then store; only a normalising failure makes a reject, a store error
        // aborts the batch.
        macro_rules! put {
            ($norm:expr, $method:ident) => {
                match $norm {
                    Ok(rec) => {
                        w.$method(rec, ev())?;
                        Ok(())
                    }
                    Err(e) => Err(e),
                }
            };
        }
        let raw_text = raw.get();
        let res: Result<(), String> = match ctx.endpoint {
            Endpoint::Activities => put!(activity(raw_text, ctx.via), signin),
            Endpoint::OperationLogs => put!(operation(raw_text, ctx.via), operation),
            Endpoint::UserMeetings => put!(user_meeting(raw_text, ctx), meeting),
            Endpoint::PastInstances => put!(instance(raw_text, ctx), meeting),
            Endpoint::ReportParticipants | Endpoint::MetricsParticipants => {
                put!(participant(raw_text, ctx), participant)
            }
            Endpoint::Recordings => put!(recording(raw_text, ctx), recording),
            Endpoint::Chat => put!(chat(raw_text, ctx), chat),
            Endpoint::Channels => match channel(raw_text) {
                Ok((id, name, kind)) => {
                    w.with_writer(ev(), move |w, ev| {
                        w.chat_channel(&id, name.as_deref(), kind, ev).map(drop)
                    })?;
                    Ok(())
                }
                Err(e) => Err(e),
            },
            Endpoint::Users => put!(user(raw_text), user),
            Endpoint::MeetingActivities => put!(meeting_activity(raw_text), meeting_activity),
            Endpoint::HistoryMeetings => match super::newer::history(raw_text, ctx.via) {
                Ok((m, h)) => {
                    w.meeting(m, ev())?;
                    w.history_meeting(h, ev())?;
                    Ok(())
                }
                Err(e) => Err(e),
            },
            Endpoint::RecordingAnalytics => {
                put!(super::newer::access(raw_text, ctx), recording_access)
            }
            Endpoint::Disclaimers => put!(super::newer::disclaimer(raw_text), disclaimer),
            Endpoint::RemoteSupport => put!(super::newer::remote(raw_text), remote_support),
        };
        if let Err(reason) = res {
            let reason = format!("{}[{i}]: {reason}", ctx.endpoint.list_key());
            w.reject(table, at.source, row_line, &reason, raw_text)?;
        }
    }
    Ok(rows.len())
}

fn parse<'a, T: Deserialize<'a>>(raw: &'a str) -> Result<T, String> {
    serde_json::from_str(raw).map_err(|e| format!("unusable record: {e}"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct ActivityRow<'a> {
    #[serde(borrow)]
    pub email: S<'a>,
    #[serde(borrow)]
    pub time: S<'a>,
    #[serde(borrow, rename = "type")]
    pub kind: S<'a>,
    #[serde(borrow)]
    pub ip_address: S<'a>,
    #[serde(borrow)]
    pub client_type: S<'a>,
    #[serde(borrow)]
    pub version: S<'a>,
    #[serde(borrow)]
    pub p_event_time: S<'a>,
}

/// "Sign in" / "Sign out" as Zoom spells them, from any capitalisation or "signin".
pub fn activity_kind(s: &str) -> Option<&'static str> {
    let t: String = s
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    match t.as_str() {
        "signin" | "login" => Some("Sign in"),
        "signout" | "logout" => Some("Sign out"),
        _ => None,
    }
}

pub(crate) fn activity_from(r: &ActivityRow, via: &str) -> Result<SignIn, String> {
    let time = if r.time.nonblank().is_some() {
        time_req("time", &r.time)?
    } else {
        time_req("time (or p_event_time)", &r.p_event_time)?
    };
    let kind = text_req("type", &r.kind)?;
    let activity = activity_kind(&kind)
        .ok_or_else(|| format!("type {kind:?} is neither Sign in nor Sign out"))?;
    Ok(SignIn {
        time,
        email: text_req("email", &r.email)?,
        activity: activity.to_string(),
        ip_address: r.ip_address.own(),
        client_type: r.client_type.own(),
        version: r.version.own(),
        login_type: None,
        via: via.to_string(),
    })
}

pub(crate) fn activity(raw: &str, via: &str) -> Result<SignIn, String> {
    activity_from(&parse(raw)?, via)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct OperationRow<'a> {
    #[serde(borrow)]
    pub time: S<'a>,
    #[serde(borrow)]
    pub operator: S<'a>,
    #[serde(borrow)]
    pub category_type: S<'a>,
    #[serde(borrow)]
    pub action: S<'a>,
    #[serde(borrow)]
    pub operation_detail: S<'a>,
    #[serde(borrow)]
    pub p_event_time: S<'a>,
}

/// An operation; with `undated_ok` (single Panther-style rows only) a row with neither `time` nor
/// `p_event_time` is a real operation at an unknown time, stored with time `""` ("undated")
/// rather than lost or given an invented time. A time that is present but unparsable is
/// always an error.
pub(crate) fn operation_from(
    r: &OperationRow,
    via: &str,
    undated_ok: bool,
) -> Result<Operation, String> {
    let time = if r.time.nonblank().is_some() {
        time_req("time", &r.time)?
    } else if undated_ok && r.p_event_time.nonblank().is_none() {
        String::new()
    } else {
        time_req("time (or p_event_time)", &r.p_event_time)?
    };
    Ok(Operation {
        time,
        // Zoom leaves it out for some system operations; the row is still evidence.
        operator: r.operator.get().unwrap_or("").trim().to_string(),
        category_type: r.category_type.get().unwrap_or("").to_string(),
        action: r.action.get().unwrap_or("").to_string(),
        operation_detail: r.operation_detail.get().unwrap_or("").to_string(),
        via: via.to_string(),
    })
}

pub(crate) fn operation(raw: &str, via: &str) -> Result<Operation, String> {
    operation_from(&parse(raw)?, via, false)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct MeetingRow<'a> {
    #[serde(borrow)]
    uuid: S<'a>,
    id: N,
    #[serde(rename = "type")]
    kind: N,
    #[serde(borrow)]
    topic: S<'a>,
    #[serde(borrow)]
    host_id: S<'a>,
    #[serde(borrow)]
    user_name: S<'a>,
    #[serde(borrow)]
    user_email: S<'a>,
    #[serde(borrow)]
    host_email: S<'a>,
    #[serde(borrow)]
    host_name: S<'a>,
    #[serde(borrow)]
    start_time: S<'a>,
    #[serde(borrow)]
    end_time: S<'a>,
    duration: N,
    participants_count: N,
    /// The dashboard's name for the count (`/metrics/meetings`); a list elsewhere.
    #[serde(borrow)]
    participants: Option<&'a RawValue>,
    /// The dashboard's host name and email.
    #[serde(borrow)]
    host: S<'a>,
    #[serde(borrow)]
    email: S<'a>,
    has_pstn: B,
    has_screen_share: B,
    has_recording: B,
    has_chat: B,
}

fn user_meeting(raw: &str, ctx: &PageCtx) -> Result<Meeting, String> {
    let r: MeetingRow = parse(raw)?;
    // In a user's meeting report the row's user is the host; the path names them too.
    let path_user_id = ctx.user.clone().filter(|u| !u.contains('@'));
    Ok(Meeting {
        uuid: text_req("uuid", &r.uuid)?,
        meeting_id: r.id.0,
        topic: r.topic.own(),
        host_id: r.host_id.own().or(path_user_id),
        host_email: r.host_email.own().or(r.user_email.own()).or(r.email.own()),
        host_name: r.host_name.own().or(r.user_name.own()).or(r.host.own()),
        meeting_type: r.kind.0,
        start_time: time_opt("start_time", &r.start_time)?,
        end_time: time_opt("end_time", &r.end_time)?,
        duration: r.duration.0,
        participants_count: r.participants_count.0.or_else(|| count_of(r.participants)),
        has_screen_share: r.has_screen_share.0,
        has_recording: r.has_recording.0,
        has_chat: r.has_chat.0,
        via: ctx.via.to_string(),
    })
}

/// A count field that may also be a list elsewhere (`participants`).
fn count_of(v: Option<&RawValue>) -> Option<i64> {
    v.and_then(|v| serde_json::from_str::<N>(v.get()).ok())
        .and_then(|n| n.0)
}

/// One meeting object on its own: `/metrics/meetings/{id}` (the dashboard's meeting detail,
/// `participants` a count, `host`/`email` the host) or a meeting row exported without its page.
pub(crate) fn meeting_object(raw: &str) -> Result<Meeting, String> {
    let r: MeetingRow = parse(raw)?;
    let dashboard = r.participants.is_some() || r.host.get().is_some() || r.has_pstn.0.is_some();
    let ctx = PageCtx {
        via: if dashboard { "metrics" } else { "report" },
        ..PageCtx::new(Endpoint::UserMeetings)
    };
    user_meeting(raw, &ctx)
}

fn instance(raw: &str, ctx: &PageCtx) -> Result<Meeting, String> {
    let r: MeetingRow = parse(raw)?;
    Ok(Meeting {
        uuid: text_req("uuid", &r.uuid)?,
        meeting_id: ctx.meeting_id,
        start_time: time_opt("start_time", &r.start_time)?,
        via: ctx.via.to_string(),
        ..Default::default()
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct ParticipantRow<'a> {
    #[serde(borrow)]
    pub id: S<'a>,
    #[serde(borrow)]
    pub participant_user_id: S<'a>,
    #[serde(borrow)]
    pub participant_uuid: S<'a>,
    #[serde(borrow)]
    pub user_id: S<'a>,
    #[serde(borrow)]
    pub name: S<'a>,
    #[serde(borrow)]
    pub user_name: S<'a>,
    #[serde(borrow)]
    pub user_email: S<'a>,
    #[serde(borrow)]
    pub email: S<'a>,
    #[serde(borrow)]
    pub join_time: S<'a>,
    #[serde(borrow)]
    pub leave_time: S<'a>,
    pub duration: N,
    pub failover: B,
    #[serde(borrow)]
    pub status: S<'a>,
    #[serde(borrow)]
    pub role: S<'a>,
    #[serde(borrow)]
    pub registrant_id: S<'a>,
    #[serde(borrow)]
    pub customer_key: S<'a>,
    #[serde(borrow)]
    pub ip_address: S<'a>,
    #[serde(borrow)]
    pub location: S<'a>,
    #[serde(borrow)]
    pub network_type: S<'a>,
    #[serde(borrow)]
    pub data_center: S<'a>,
    #[serde(borrow)]
    pub connection_type: S<'a>,
    #[serde(borrow)]
    pub device: S<'a>,
    #[serde(borrow)]
    pub os: S<'a>,
    #[serde(borrow)]
    pub os_version: S<'a>,
    #[serde(borrow)]
    pub pc_name: S<'a>,
    #[serde(borrow)]
    pub domain: S<'a>,
    #[serde(borrow)]
    pub mac_addr: S<'a>,
    #[serde(borrow)]
    pub harddisk_id: S<'a>,
    #[serde(borrow)]
    pub version: S<'a>,
    #[serde(borrow)]
    pub leave_reason: S<'a>,
    pub share_application: B,
    pub share_desktop: B,
    pub share_whiteboard: B,
    pub recording: B,
}

fn seconds_between(a: &str, b: &str) -> Option<i64> {
    let a = crate::model::time::parse_time(a)?;
    let b = crate::model::time::parse_time(b)?;
    Some((b - a).num_seconds())
}

/// A participant session from a report, dashboard or webhook participant object.
pub(crate) fn participant_from(
    r: &ParticipantRow,
    meeting_uuid: &str,
    meeting_id: Option<i64>,
    via: &str,
) -> Result<Participant, String> {
    let join_time = time_req("join_time", &r.join_time)?;
    let leave_time = time_opt("leave_time", &r.leave_time)?;
    let zoom_user_id =
        r.id.nonblank()
            .or(r.participant_user_id.nonblank())
            .map(str::to_string)
            .or_else(|| r.id.own());
    let duration = r.duration.0.or_else(|| {
        leave_time
            .as_deref()
            .and_then(|l| seconds_between(&join_time, l))
    });
    Ok(Participant {
        meeting_uuid: meeting_uuid.to_string(),
        meeting_id,
        user_id: text_req("user_id", &r.user_id)?,
        zoom_user_id,
        participant_uuid: r.participant_uuid.own(),
        name: r.name.own().or_else(|| r.user_name.own()),
        email: r.user_email.own().or_else(|| r.email.own()),
        join_time,
        leave_time,
        duration,
        status: r.status.own(),
        role: r.role.own(),
        registrant_id: r.registrant_id.own(),
        customer_key: r.customer_key.own(),
        failover: r.failover.0,
        ip_address: r.ip_address.own(),
        location: r.location.own(),
        network_type: r.network_type.own(),
        data_center: r.data_center.own(),
        connection_type: r.connection_type.own(),
        device: r.device.own(),
        os: r.os.own(),
        os_version: r.os_version.own(),
        pc_name: r.pc_name.own(),
        domain: r.domain.own(),
        mac_addr: r.mac_addr.own(),
        harddisk_id: r.harddisk_id.own(),
        version: r.version.own(),
        leave_reason: r.leave_reason.own(),
        share_application: r.share_application.0,
        share_desktop: r.share_desktop.0,
        share_whiteboard: r.share_whiteboard.0,
        recording: r.recording.0,
        via: via.to_string(),
    })
}

fn participant(raw: &str, ctx: &PageCtx) -> Result<Participant, String> {
    let r: ParticipantRow = parse(raw)?;
    let uuid = ctx
        .meeting_uuid
        .as_deref()
        .ok_or("participant page without its meeting UUID (import it with --meeting UUID)")?;
    participant_from(&r, uuid, ctx.meeting_id, ctx.via)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct FileRow<'a> {
    #[serde(borrow)]
    pub id: S<'a>,
    #[serde(borrow)]
    pub file_type: S<'a>,
    #[serde(borrow)]
    pub file_extension: S<'a>,
    pub file_size: N,
    #[serde(borrow)]
    pub recording_start: S<'a>,
    #[serde(borrow)]
    pub recording_end: S<'a>,
    #[serde(borrow)]
    pub recording_type: S<'a>,
    #[serde(borrow)]
    pub status: S<'a>,
    #[serde(borrow)]
    pub play_url: S<'a>,
    #[serde(borrow)]
    pub download_url: S<'a>,
    #[serde(borrow)]
    pub deleted_time: S<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct RecordingRow<'a> {
    #[serde(borrow)]
    pub uuid: S<'a>,
    pub id: N,
    #[serde(borrow)]
    pub host_id: S<'a>,
    #[serde(borrow)]
    pub host_email: S<'a>,
    #[serde(borrow)]
    pub topic: S<'a>,
    #[serde(borrow)]
    pub start_time: S<'a>,
    pub duration: N,
    pub total_size: N,
    pub recording_count: N,
    #[serde(borrow)]
    pub share_url: S<'a>,
    #[serde(borrow)]
    pub deleted_time: S<'a>,
    #[serde(borrow)]
    pub recording_files: Vec<FileRow<'a>>,
}

/// A recording; `deleted` (trash listing or trashed/deleted webhook) gives the deletion time
/// used for files and the recording when the record carries none.
pub(crate) fn recording_from(
    r: &RecordingRow,
    via: &str,
    deleted: Option<&str>,
) -> Result<Recording, String> {
    let mut files = Vec::with_capacity(r.recording_files.len());
    for (i, f) in r.recording_files.iter().enumerate() {
        let file_deleted = time_opt(
            &format!("recording_files[{i}].deleted_time"),
            &f.deleted_time,
        )?
        .or_else(|| deleted.map(str::to_string));
        files.push(RecordingFile {
            file_id: f.id.own(),
            file_type: f.file_type.own(),
            file_extension: f.file_extension.own(),
            file_size: f.file_size.0,
            recording_start: time_opt("recording_start", &f.recording_start)?,
            recording_end: time_opt("recording_end", &f.recording_end)?,
            recording_type: f.recording_type.own(),
            status: f.status.own(),
            play_url: f.play_url.own(),
            download_url: f.download_url.own(),
            deleted_time: file_deleted,
        });
    }
    // Deleted as of the record's own deletion time, else its latest file deletion, else the
    // time the caller knows (trash listing fetch, trashed/deleted event).
    let deleted_time = match time_opt("deleted_time", &r.deleted_time)? {
        Some(t) => Some(t),
        None => {
            let files_deleted = files.iter().filter_map(|f| f.deleted_time.clone()).max();
            files_deleted.or_else(|| deleted.map(str::to_string))
        }
    };
    Ok(Recording {
        meeting_uuid: text_req("uuid", &r.uuid)?,
        meeting_id: r.id.0,
        host_id: r.host_id.own(),
        host_email: r.host_email.own(),
        topic: r.topic.own(),
        start_time: time_opt("start_time", &r.start_time)?,
        duration: r.duration.0,
        total_size: r.total_size.0,
        recording_count: r.recording_count.0,
        share_url: r.share_url.own(),
        deleted_time,
        files,
        via: via.to_string(),
    })
}

fn recording(raw: &str, ctx: &PageCtx) -> Result<Recording, String> {
    let r: RecordingRow = parse(raw)?;
    // Trash rows with no deletion time at all: deleted no later than the fetch.
    let deleted = if ctx.trash {
        ctx.fetched_at.as_deref()
    } else {
        None
    };
    let mut rec = recording_from(&r, ctx.via, deleted)?;
    if ctx.trash && rec.deleted_time.is_none() {
        return Err("trashed recording with no deletion or fetch time".into());
    }
    if rec.host_id.is_none() {
        rec.host_id = ctx.user.clone().filter(|u| !u.contains('@'));
    }
    if rec.host_email.is_none() {
        rec.host_email = ctx.user.clone().filter(|u| u.contains('@'));
    }
    Ok(rec)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ChatRow<'a> {
    #[serde(borrow)]
    id: S<'a>,
    #[serde(borrow)]
    message: S<'a>,
    #[serde(borrow)]
    sender: S<'a>,
    #[serde(borrow)]
    sender_display_name: S<'a>,
    #[serde(borrow)]
    date_time: S<'a>,
    #[serde(borrow)]
    timestamp: S<'a>,
    #[serde(borrow)]
    status: S<'a>,
    #[serde(borrow)]
    reply_main_message_id: S<'a>,
}

fn chat(raw: &str, ctx: &PageCtx) -> Result<ChatMessage, String> {
    let r: ChatRow = parse(raw)?;
    let time = match time_opt("date_time", &r.date_time)? {
        Some(t) => t,
        None => time_req("date_time (or timestamp)", &r.timestamp)?,
    };
    Ok(ChatMessage {
        message_id: text_req("id", &r.id)?,
        owner: ctx.user.clone(),
        sender: r.sender.own(),
        sender_display_name: r.sender_display_name.own(),
        time,
        message: r.message.own(),
        status: r.status.own(),
        to_contact: ctx.to_contact.clone(),
        to_channel: ctx.to_channel.clone(),
        reply_main_message_id: r.reply_main_message_id.own().filter(|s| !s.is_empty()),
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ChannelRow<'a> {
    #[serde(borrow)]
    id: S<'a>,
    #[serde(borrow)]
    name: S<'a>,
    #[serde(rename = "type")]
    kind: N,
}

/// A channel of a user's channel list: (id, name, type).
fn channel(raw: &str) -> Result<(String, Option<String>, Option<i64>), String> {
    let r: ChannelRow = parse(raw)?;
    Ok((text_req("id", &r.id)?, r.name.own(), r.kind.0))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct UserRow<'a> {
    #[serde(borrow)]
    pub id: S<'a>,
    #[serde(borrow)]
    pub email: S<'a>,
    #[serde(borrow)]
    pub first_name: S<'a>,
    #[serde(borrow)]
    pub last_name: S<'a>,
    #[serde(borrow)]
    pub display_name: S<'a>,
    #[serde(rename = "type")]
    pub kind: N,
    #[serde(borrow)]
    pub status: S<'a>,
    #[serde(borrow)]
    pub role_id: S<'a>,
    #[serde(borrow)]
    pub role_name: S<'a>,
    #[serde(borrow)]
    pub dept: S<'a>,
    #[serde(borrow)]
    pub timezone: S<'a>,
    pub pmi: N,
    #[serde(borrow)]
    pub last_client_version: S<'a>,
    #[serde(borrow)]
    pub last_login_time: S<'a>,
    #[serde(borrow)]
    pub user_created_at: S<'a>,
    #[serde(borrow)]
    pub created_at: S<'a>,
}

pub(crate) fn user_from(r: &UserRow) -> Result<User, String> {
    text_req("email", &r.email)?;
    user_fields(r)
}

/// The fields of a user object as given; `email` is blank when absent (a `user.updated`
/// event carries only the id and what changed).
pub(crate) fn user_fields(r: &UserRow) -> Result<User, String> {
    let created = if r.user_created_at.nonblank().is_some() {
        time_opt("user_created_at", &r.user_created_at)?
    } else {
        time_opt("created_at", &r.created_at)?
    };
    Ok(User {
        zoom_id: r.id.nonblank().map(str::to_string),
        email: r.email.nonblank().unwrap_or("").to_string(),
        first_name: r.first_name.own(),
        last_name: r.last_name.own(),
        display_name: r.display_name.own(),
        user_type: r.kind.0,
        status: r.status.own(),
        role_id: r.role_id.own(),
        role_name: r.role_name.own(),
        dept: r.dept.own(),
        timezone: r.timezone.own(),
        pmi: r.pmi.0,
        last_client_version: r.last_client_version.own(),
        last_login_time: time_opt("last_login_time", &r.last_login_time)?,
        created_at: created,
    })
}

fn user(raw: &str) -> Result<User, String> {
    user_from(&parse(raw)?)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct MeetingActivityRow<'a> {
    #[serde(borrow)]
    meeting_number: S<'a>,
    #[serde(borrow)]
    activity_time: S<'a>,
    #[serde(borrow)]
    operator: S<'a>,
    #[serde(borrow)]
    operator_email: S<'a>,
    #[serde(borrow)]
    activity_category: S<'a>,
    #[serde(borrow)]
    activity_detail: S<'a>,
}

pub(crate) fn meeting_activity(raw: &str) -> Result<MeetingActivity, String> {
    let r: MeetingActivityRow = parse(raw)?;
    let number = text_req("meeting_number", &r.meeting_number)?;
    Ok(MeetingActivity {
        time: time_req("activity_time", &r.activity_time)?,
        meeting_number: int_text(&number)
            .ok_or_else(|| format!("meeting_number {number:?} is not a number"))?,
        operator: r.operator.own(),
        operator_email: r.operator_email.get().unwrap_or("").to_string(),
        category: r.activity_category.get().unwrap_or("").to_string(),
        detail: r.activity_detail.get().unwrap_or("").to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_s_records_come_out_verbatim_in_one_pass() {
        let body = r#"{"page_size": 2, "participants": [ {"id": "a", "n": "x\"y"} ,{"id":"b"}],
                       "next_page_token": ""}"#;
        let rows = records_of(body, "participants").unwrap();
        let rows: Vec<&str> = rows.iter().map(|r| r.get()).collect();
        assert_eq!(rows, [r#"{"id": "a", "n": "x\"y"}"#, r#"{"id":"b"}"#]);
    }

    #[test]
    fn a_body_without_its_list_is_left_to_be_explained() {
        for body in [
            r#"{"participants": 3}"#,
            r#"{"code": 124, "message": "Invalid access token."}"#,
            r#"{"participants": []} trailing"#,
            r#"{"participants": [{"id": "a"}"#,
            r#"[{"id": "a"}]"#,
        ] {
            assert!(records_of(body, "participants").is_none(), "{body}");
        }
    }

    #[test]
    fn a_body_without_records_is_kept_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = crate::store::Store::open(&dir.path().join("c.zl")).unwrap();
        let mut w = store.writer().unwrap();
        let ctx = PageCtx::new(Endpoint::MetricsParticipants);
        let at = At {
            origin_id: 0,
            source: "f.json",
            line: Some(7),
            rows_own_lines: false,
        };
        for body in [
            r#"{"code": 124, "message": "Invalid access token."}"#,
            r#"{"participants": {"id": "a"}}"#,
            r#"{"participants": [}"#,
        ] {
            assert_eq!(store_body(&mut w, &ctx, body, &at).unwrap(), 0);
        }
        w.commit().unwrap();
        let reasons: Vec<String> = store
            .conn
            .prepare("SELECT reason FROM rejects WHERE source = 'f.json' AND line = 7 ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(reasons.len(), 3, "{reasons:?}");
        assert_eq!(reasons[0], "Zoom error 124 \"Invalid access token.\"");
        assert!(
            reasons[1].starts_with("\"participants\" is not a list"),
            "{}",
            reasons[1]
        );
        assert!(
            reasons[2].starts_with("body is not a JSON object"),
            "{}",
            reasons[2]
        );
    }
}
