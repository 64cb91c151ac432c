//! Domain types shared by every module: what the doors produce and the store keeps.
//!
//! Times are already normalised (see [`time`]); strings are kept as Zoom sent them (blank
//! strings mean hidden PII and stay blank). Nothing here knows about SQLite or the terminal.

pub mod beyond;
pub mod opdetail;
pub mod time;

use serde::{Deserialize, Serialize};

/// Where a record came from: a file and line, or an endpoint with its query and fetch time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Origin {
    /// `capture`, `file`, `webhook`, `api`, `csv`, `panther`, `sim`.
    pub kind: String,
    /// File path, or the API path as requested (e.g. `/report/activities`).
    pub source: String,
    /// The request's query as JSON text (API pages), empty otherwise.
    pub query: String,
    /// RFC 3339 time the page was fetched or the event received, empty for plain files.
    pub fetched_at: String,
}

impl Origin {
    /// A file-like origin: no query, no fetch time.
    pub fn new(kind: impl Into<String>, source: impl Into<String>) -> Origin {
        Origin {
            kind: kind.into(),
            source: source.into(),
            ..Origin::default()
        }
    }
}

/// The verbatim evidence behind one normalised record.
#[derive(Debug, Clone)]
pub struct Evidence {
    pub origin_id: i64,
    /// 1-based line in the source file, when it has lines.
    pub line: Option<i64>,
    /// The record's original JSON (or CSV line) text, byte for byte.
    pub raw: String,
    /// SHA-256 of `raw`.
    pub sha256: crate::util::Sha256Sum,
    /// `raw` as stored, when the thread reading an import compressed it ahead of the writer.
    pub packed: Option<Vec<u8>>,
    /// What kind of record this is, set by the thread reading an import (see [`Route`]).
    pub route: Option<Route>,
}

/// A kind of record as the thread reading an import sees it: the dictionary key its evidence
/// is stored under when it is a new row, and the door it came through (a report row, a
/// Dashboard row, a webhook...). Whether it becomes a new row or further evidence for one only
/// the writer can tell; it tells the reading thread where each route's records last went, so
/// that, say, Dashboard rows arriving after their report rows are compressed for further
/// evidence before they reach the writer (see `store::raw::Shared`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Route {
    pub key: std::borrow::Cow<'static, str>,
    pub shape: &'static str,
}

/// A record's door, as a [`Route`]'s shape: the `via` values the importers set.
pub fn shape_of(via: &str) -> &'static str {
    match via {
        "report" => "report",
        "metrics" => "metrics",
        "instances" => "instances",
        "history" => "history",
        "webhook" => "webhook",
        "csv" => "csv",
        _ => "",
    }
}

impl Evidence {
    pub fn new(origin_id: i64, line: Option<i64>, raw: impl Into<String>) -> Self {
        let raw = raw.into();
        let sha256 = crate::util::Sha256Sum::of(raw.as_bytes());
        Evidence {
            origin_id,
            line,
            raw,
            sha256,
            packed: None,
            route: None,
        }
    }
}

/// A row of the users directory (`GET /users`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct User {
    /// Zoom user id; absent for pending users (keyed by email then).
    pub zoom_id: Option<String>,
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub display_name: Option<String>,
    pub user_type: Option<i64>,
    pub status: Option<String>,
    pub role_id: Option<String>,
    pub role_name: Option<String>,
    pub dept: Option<String>,
    pub timezone: Option<String>,
    pub pmi: Option<i64>,
    pub last_client_version: Option<String>,
    pub last_login_time: Option<String>,
    pub created_at: Option<String>,
}

/// One sign-in or sign-out (`/report/activities`, `user.signed_in/out`, portal CSV, Panther).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SignIn {
    pub time: String,
    pub email: String,
    /// `Sign in` or `Sign out`, as Zoom spells them.
    pub activity: String,
    pub ip_address: Option<String>,
    pub client_type: Option<String>,
    pub version: Option<String>,
    pub login_type: Option<i64>,
    /// `report`, `webhook`, `csv`, `panther`.
    pub via: String,
}

/// One admin/user operation-log entry (`/report/operationlogs`, portal CSV, Panther).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Operation {
    pub time: String,
    pub operator: String,
    pub category_type: String,
    pub action: String,
    pub operation_detail: String,
    pub via: String,
}

/// One meeting instance (keyed by its UUID; `meeting_id` is the numeric id shared by a series).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Meeting {
    pub uuid: String,
    pub meeting_id: Option<i64>,
    pub topic: Option<String>,
    pub host_id: Option<String>,
    pub host_email: Option<String>,
    pub host_name: Option<String>,
    pub meeting_type: Option<i64>,
    pub start_time: Option<String>,
    pub end_time: Option<String>,
    /// Minutes, as the reports give it.
    pub duration: Option<i64>,
    pub participants_count: Option<i64>,
    pub has_screen_share: Option<bool>,
    pub has_recording: Option<bool>,
    pub has_chat: Option<bool>,
    pub via: String,
}

/// One participant session: a join and its leave. Report, dashboard and webhook rows for the
/// same session merge on (meeting_uuid, user_id, join_time).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Participant {
    pub meeting_uuid: String,
    pub meeting_id: Option<i64>,
    /// Per-meeting participant id (repeats across rejoins).
    pub user_id: String,
    /// Zoom user id of a signed-in account user; blank for guests.
    pub zoom_user_id: Option<String>,
    pub participant_uuid: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub join_time: String,
    pub leave_time: Option<String>,
    /// Seconds.
    pub duration: Option<i64>,
    pub status: Option<String>,
    pub role: Option<String>,
    pub registrant_id: Option<String>,
    pub customer_key: Option<String>,
    pub failover: Option<bool>,
    pub ip_address: Option<String>,
    pub location: Option<String>,
    pub network_type: Option<String>,
    pub data_center: Option<String>,
    pub connection_type: Option<String>,
    pub device: Option<String>,
    pub os: Option<String>,
    pub os_version: Option<String>,
    pub pc_name: Option<String>,
    pub domain: Option<String>,
    pub mac_addr: Option<String>,
    pub harddisk_id: Option<String>,
    pub version: Option<String>,
    pub leave_reason: Option<String>,
    pub share_application: Option<bool>,
    pub share_desktop: Option<bool>,
    pub share_whiteboard: Option<bool>,
    pub recording: Option<bool>,
    /// `report`, `metrics`, `webhook`.
    pub via: String,
}

/// A cloud recording (one meeting instance's set of files).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Recording {
    pub meeting_uuid: String,
    pub meeting_id: Option<i64>,
    pub host_id: Option<String>,
    pub host_email: Option<String>,
    pub topic: Option<String>,
    pub start_time: Option<String>,
    pub duration: Option<i64>,
    pub total_size: Option<i64>,
    pub recording_count: Option<i64>,
    pub share_url: Option<String>,
    /// Set when the recording was listed in the trash or a trashed/deleted webhook arrived.
    pub deleted_time: Option<String>,
    pub files: Vec<RecordingFile>,
    pub via: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecordingFile {
    /// Zoom's file id; some files (TIMELINE) have none and are keyed by type and start.
    pub file_id: Option<String>,
    pub file_type: Option<String>,
    pub file_extension: Option<String>,
    pub file_size: Option<i64>,
    pub recording_start: Option<String>,
    pub recording_end: Option<String>,
    pub recording_type: Option<String>,
    pub status: Option<String>,
    pub play_url: Option<String>,
    pub download_url: Option<String>,
    pub deleted_time: Option<String>,
}

/// A Team Chat message.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChatMessage {
    pub message_id: String,
    /// The user whose messages were listed.
    pub owner: Option<String>,
    pub sender: Option<String>,
    pub sender_display_name: Option<String>,
    pub time: String,
    pub message: Option<String>,
    pub status: Option<String>,
    pub to_contact: Option<String>,
    pub to_channel: Option<String>,
    pub reply_main_message_id: Option<String>,
}

/// A webhook delivery, stored whole; its contents are also normalised into the other tables.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WebhookEvent {
    pub event: String,
    pub event_ts: i64,
    pub time: String,
    pub account_id: Option<String>,
    pub operator: Option<String>,
    pub object_id: Option<String>,
    /// SHA-256 of the payload's bytes: with event and event_ts, the delivery's identity.
    pub payload_sha256: crate::util::Sha256Sum,
}

/// HR departures list row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Departure {
    pub email: String,
    pub departed_at: String,
}

/// Asset inventory row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Asset {
    pub pc_name: Option<String>,
    pub mac_addr: Option<String>,
    pub owner_email: String,
}

/// VIP list row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Vip {
    pub email: String,
    pub name: Option<String>,
    pub title: Option<String>,
}

/// One parsed change inside an `operation_detail`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpChange {
    /// `setting`, `role`, `add_user`, `delete_user`, `update_user`, `recording`, `group`, `other`.
    pub kind: String,
    /// Section or object named before the change ("Security", "Edit Group Sales-EMEA", a user).
    pub section: Option<String>,
    /// The setting or field changed ("Sign in with Two-Factor Authentication", "Role").
    pub setting: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// The user, group or object acted on, when the detail names one.
    pub target: Option<String>,
    /// The meeting a recording operation names.
    pub meeting_id: Option<i64>,
}
