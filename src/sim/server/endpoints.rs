//! The `/v2` endpoints with Zoom's data semantics: date windows, paging, meeting-id resolution
//! (numeric id = latest instance; UUIDs double-URL-encoded), retention limits, plan gating and
//! Zoom's error codes. Bodies carry the fields Zoom documents for each error.

use super::paging::{CHAT, Page, PageRule, Params, STANDARD};
use super::{ApiError, AppState};
use crate::model::time::parse_time;
use crate::sim::tenant::Tenant;
use crate::zoom::Plan;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::get;
use chrono::{DateTime, Duration, Months, NaiveDate, Utc};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

type Reply = Result<axum::Json<Value>, ApiError>;
type St = State<Arc<AppState>>;

/// The routes under `/v2`.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/users", get(users))
        .route("/report/activities", get(activities))
        .route("/report/operationlogs", get(operationlogs))
        .route("/report/users/{user_id}/meetings", get(user_meetings))
        .route(
            "/report/meetings/{meeting_id}/participants",
            get(report_participants),
        )
        .route(
            "/metrics/meetings/{meeting_id}/participants",
            get(metrics_participants),
        )
        .route("/past_meetings/{meeting_id}/instances", get(past_instances))
        .route("/users/{user_id}/recordings", get(recordings))
        .route("/chat/users/{user_id}/messages", get(chat_messages))
        .route("/chat/users/{user_id}/channels", get(user_channels))
        .route("/report/history_meetings", get(history_meetings))
        .route("/report/disclaimer", get(disclaimer))
        .route("/report/remote_support", get(remote_support))
        .route(
            "/meetings/{meeting_id}/recordings/analytics_details",
            get(analytics_details),
        )
}

/// Records sorted by time, for range queries on large lists.
#[derive(Debug, Default)]
pub struct TimeIndex {
    /// Record positions in time order (records without a parsable time are left out).
    order: Vec<usize>,
    /// Epoch seconds, parallel to `order`.
    times: Vec<i64>,
}

impl TimeIndex {
    fn build(records: &[Value], field: &str) -> TimeIndex {
        let mut v: Vec<(i64, usize)> = records
            .iter()
            .enumerate()
            .filter_map(|(i, r)| {
                r.get(field)
                    .and_then(Value::as_str)
                    .and_then(parse_time)
                    .map(|t| (t.timestamp(), i))
            })
            .collect();
        v.sort_by_key(|&(t, i)| (t, i));
        TimeIndex {
            times: v.iter().map(|p| p.0).collect(),
            order: v.iter().map(|p| p.1).collect(),
        }
    }
    /// Positions of records with `from <= t < to_excl`.
    fn range(&self, from: i64, to_excl: i64) -> &[usize] {
        let lo = self.times.partition_point(|&t| t < from);
        let hi = self.times.partition_point(|&t| t < to_excl);
        &self.order[lo..hi.max(lo)]
    }
}

/// One meeting instance.
#[derive(Debug, Clone)]
struct Instance {
    uuid: String,
    start: Option<DateTime<Utc>>,
    start_text: String,
}

/// Lookups built once from the tenant.
#[derive(Debug, Default)]
pub struct Index {
    users_by_status: HashMap<String, Vec<usize>>,
    /// User id and lower-case email → position in `tenant.users`.
    user_by_key: HashMap<String, usize>,
    activities: TimeIndex,
    operations: TimeIndex,
    instances_by_uuid: HashMap<String, Instance>,
    /// Numeric meeting id → its instances, newest first.
    instances_by_id: HashMap<i64, Vec<Instance>>,
    /// User id → the chat channels the tenant has messages of for that user, sorted.
    channels_by_user: HashMap<String, Vec<String>>,
    /// `/report/history_meetings` rows: the tenant's own, plus one made from each meeting
    /// record that has none (a hand-built tenant), as Zoom lists every past meeting there.
    history_rows: Vec<Value>,
    history: TimeIndex,
    disclaimers: TimeIndex,
    remote_support: TimeIndex,
    /// Instance UUIDs with a cloud recording (kept or in the trash).
    recorded: std::collections::HashSet<String>,
}

fn meeting_number(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

impl Index {
    pub fn build(t: &Tenant) -> Index {
        let mut ix = Index::default();
        for (i, u) in t.users.iter().enumerate() {
            let status = u
                .get("status")
                .and_then(Value::as_str)
                .unwrap_or("active")
                .to_string();
            ix.users_by_status.entry(status).or_default().push(i);
            if let Some(id) = u
                .get("id")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
            {
                ix.user_by_key.insert(id.to_string(), i);
            }
            if let Some(e) = u.get("email").and_then(Value::as_str) {
                ix.user_by_key.entry(e.to_lowercase()).or_insert(i);
            }
        }
        ix.activities = TimeIndex::build(&t.activities, "time");
        ix.history_rows = t.history.clone();
        let have: std::collections::HashSet<String> = t
            .history
            .iter()
            .filter_map(|h| h.get("meeting_uuid").and_then(Value::as_str))
            .map(str::to_string)
            .collect();
        for m in t.meetings_by_host.values().flatten() {
            if let Some(u) = m.get("uuid").and_then(Value::as_str)
                && !have.contains(u)
            {
                ix.history_rows.push(history_of(m));
            }
        }
        ix.history = TimeIndex::build(&ix.history_rows, "start_time");
        ix.disclaimers = TimeIndex::build(&t.disclaimers, "time");
        ix.remote_support = TimeIndex::build(&t.remote_support, "start_time");
        for r in t
            .recordings_by_host
            .values()
            .chain(t.trash_by_host.values())
            .flatten()
        {
            if let Some(u) = r.get("uuid").and_then(Value::as_str) {
                ix.recorded.insert(u.to_string());
            }
        }
        ix.operations = TimeIndex::build(&t.operations, "time");
        for m in t.meetings_by_host.values().flatten() {
            let Some(uuid) = m.get("uuid").and_then(Value::as_str) else {
                continue;
            };
            let start_text = m
                .get("start_time")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let inst = Instance {
                uuid: uuid.to_string(),
                start: parse_time(&start_text),
                start_text,
            };
            if let Some(id) = m.get("id").and_then(meeting_number) {
                ix.instances_by_id.entry(id).or_default().push(inst.clone());
            }
            ix.instances_by_uuid.insert(uuid.to_string(), inst);
        }
        // Meetings the tenant has participant rows for but no meeting record: known, undated.
        for uuid in t.participants.keys().chain(t.metrics.keys()) {
            ix.instances_by_uuid
                .entry(uuid.clone())
                .or_insert_with(|| Instance {
                    uuid: uuid.clone(),
                    start: None,
                    start_text: String::new(),
                });
        }
        for (user, msgs) in &t.chat_by_user {
            let mut chans: Vec<String> = msgs
                .iter()
                .filter_map(|m| m.get("id").and_then(Value::as_str))
                .filter_map(|id| t.chat_channel.get(id).cloned())
                .collect();
            chans.sort();
            chans.dedup();
            if !chans.is_empty() {
                ix.channels_by_user.insert(user.clone(), chans);
            }
        }
        for list in ix.instances_by_id.values_mut() {
            list.sort_by(|a, b| b.start.cmp(&a.start).then_with(|| b.uuid.cmp(&a.uuid)));
            list.dedup_by(|a, b| a.uuid == b.uuid);
        }
        ix
    }
}

// ---------- shared validation ----------

fn parse_date(p: &Params, field: &str) -> Result<Option<NaiveDate>, ApiError> {
    match p.get(field) {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| ApiError::validation(field, "Invalid field. Use the format yyyy-mm-dd.")),
    }
}

fn day_start(d: NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc()
        .timestamp()
}

/// A validated `from`/`to` window: inclusive UTC days, at most one calendar month apart.
#[derive(Debug, Clone, Copy)]
struct Window {
    from: NaiveDate,
    to: NaiveDate,
}

impl Window {
    fn start(&self) -> i64 {
        day_start(self.from)
    }
    /// Exclusive end: the day after `to`.
    fn end(&self) -> i64 {
        day_start(self.to) + 86_400
    }
    fn contains(&self, t: Option<DateTime<Utc>>) -> bool {
        t.is_some_and(|t| (self.start()..self.end()).contains(&t.timestamp()))
    }
}

fn check_span(from: NaiveDate, to: NaiveDate) -> Result<Window, ApiError> {
    if to < from {
        return Err(ApiError::validation(
            "to",
            "Invalid field. 'to' must not be earlier than 'from'.",
        ));
    }
    if from
        .checked_add_months(Months::new(1))
        .is_some_and(|m| to > m)
    {
        return Err(ApiError::validation(
            "to",
            "The date range can not be more than one month.",
        ));
    }
    Ok(Window { from, to })
}

/// `from`/`to` of the report endpoints: required, ≤ one month, within the last 6 months.
fn report_window(st: &AppState, p: &Params) -> Result<Window, ApiError> {
    let from = parse_date(p, "from")?
        .ok_or_else(|| ApiError::validation("from", "Invalid field. 'from' is required."))?;
    let to = parse_date(p, "to")?
        .ok_or_else(|| ApiError::validation("to", "Invalid field. 'to' is required."))?;
    let w = check_span(from, to)?;
    let today = st.cfg.now().date_naive();
    if today
        .checked_sub_months(Months::new(6))
        .is_some_and(|limit| from < limit)
    {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            300,
            "Only provide report in recent 6 months.",
        ));
    }
    Ok(w)
}

/// Reports need Pro or higher (GALKIN).
fn require_pro(st: &AppState) -> Result<(), ApiError> {
    if st.cfg.plan == Plan::Free {
        Err(ApiError::no_permission())
    } else {
        Ok(())
    }
}

fn find_user<'a>(st: &'a AppState, key: &str) -> Result<&'a Value, ApiError> {
    st.index
        .user_by_key
        .get(key)
        .or_else(|| st.index.user_by_key.get(&key.to_lowercase()))
        .map(|&i| &st.tenant.users[i])
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                1001,
                format!("User does not exist: {key}."),
            )
        })
}

/// The id the tenant's per-user maps are keyed by (pending users have none).
fn user_id(u: &Value) -> &str {
    u.get("id").and_then(Value::as_str).unwrap_or("")
}

fn meeting_not_found(id: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        3001,
        format!("Meeting {id} not found or has expired."),
    )
}

/// Resolve a `{meetingId}` path parameter (already URL-decoded once by the router) to an
/// instance. Numeric ids mean the latest instance. A UUID that still contains `%` was
/// double-encoded and is decoded again; one that contains `/` after the first decoding was sent
/// single-encoded, which Zoom's gateway splits into extra path segments: not found.
fn resolve_meeting<'a>(st: &'a AppState, raw: &str) -> Result<&'a Instance, ApiError> {
    if raw.contains('/') {
        return Err(meeting_not_found(raw));
    }
    let decoded;
    let key = if raw.contains('%') {
        decoded = percent_encoding::percent_decode_str(raw)
            .decode_utf8()
            .map_err(|_| meeting_not_found(raw))?
            .into_owned();
        decoded.as_str()
    } else {
        raw
    };
    if !key.is_empty() && key.bytes().all(|b| b.is_ascii_digit()) {
        let id: i64 = key.parse().map_err(|_| meeting_not_found(key))?;
        return st
            .index
            .instances_by_id
            .get(&id)
            .and_then(|l| l.first())
            .ok_or_else(|| meeting_not_found(key));
    }
    st.index
        .instances_by_uuid
        .get(key)
        .ok_or_else(|| meeting_not_found(key))
}

/// Zoom refuses participant data of meetings that started more than a year ago.
fn check_retention(st: &AppState, m: &Instance) -> Result<(), ApiError> {
    if let Some(start) = m.start
        && start < st.cfg.now() - Duration::days(365)
    {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            12702,
            "Can not access a meeting a year ago.",
        ));
    }
    Ok(())
}

fn page_of(
    st: &AppState,
    path: &str,
    p: &Params,
    rule: PageRule,
    items: &[&Value],
) -> Result<(Page, Vec<Value>), ApiError> {
    let page = st.pager.page(path, p, rule, items.len())?;
    let rows = items[page.start..page.end]
        .iter()
        .map(|v| (*v).clone())
        .collect();
    Ok((page, rows))
}

/// Like [`page_of`] over positions into `src`, cloning only the page's records (report ranges
/// can hold hundreds of thousands of records).
fn page_of_idx(
    st: &AppState,
    path: &str,
    p: &Params,
    rule: PageRule,
    idx: &[usize],
    src: &[Value],
) -> Result<(Page, Vec<Value>), ApiError> {
    let page = st.pager.page(path, p, rule, idx.len())?;
    let rows = idx[page.start..page.end]
        .iter()
        .map(|&i| src[i].clone())
        .collect();
    Ok((page, rows))
}

fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

// ---------- handlers ----------

/// `GET /users?status=active|inactive|pending[&role_id]`: one status per call.
async fn users(State(st): St, RawQuery(q): RawQuery) -> Reply {
    let p = Params::parse(q.as_deref());
    let status = p.get("status").unwrap_or("active");
    if !matches!(status, "active" | "inactive" | "pending") {
        return Err(ApiError::validation(
            "status",
            "Invalid field. Use active, inactive or pending.",
        ));
    }
    let items: Vec<&Value> = st
        .index
        .users_by_status
        .get(status)
        .map(|v| v.iter().map(|&i| &st.tenant.users[i]).collect())
        .unwrap_or_default();
    let items: Vec<&Value> = match p.get("role_id") {
        None => items,
        Some(r) => items
            .into_iter()
            .filter(|u| u.get("role_id").and_then(Value::as_str) == Some(r))
            .collect(),
    };
    let (page, rows) = page_of(&st, "/users", &p, STANDARD, &items)?;
    Ok(axum::Json(json!({
        "page_count": page.page_count(),
        "page_number": page.page_number(),
        "page_size": page.page_size,
        "total_records": page.total,
        "next_page_token": page.next_page_token,
        "users": rows,
    })))
}

/// `GET /report/activities?from&to`: sign-in/sign-out records of those UTC days.
async fn activities(State(st): St, RawQuery(q): RawQuery) -> Reply {
    require_pro(&st)?;
    let p = Params::parse(q.as_deref());
    let w = report_window(&st, &p)?;
    let idx = st.index.activities.range(w.start(), w.end());
    let (page, rows) = page_of_idx(
        &st,
        "/report/activities",
        &p,
        STANDARD,
        idx,
        &st.tenant.activities,
    )?;
    Ok(axum::Json(json!({
        "from": format!("{}T00:00:00Z", ymd(w.from)),
        "to": format!("{}T00:00:00Z", ymd(w.to)),
        "page_size": page.page_size,
        "next_page_token": page.next_page_token,
        "activity_logs": rows,
    })))
}

/// Zoom spells categories `user_settings` in requests and `User Settings` in records.
fn norm_category(s: &str) -> String {
    s.trim().to_lowercase().replace([' ', '-'], "_")
}

/// `GET /report/operationlogs?from&to[&category_type]`.
async fn operationlogs(State(st): St, RawQuery(q): RawQuery) -> Reply {
    require_pro(&st)?;
    let p = Params::parse(q.as_deref());
    let w = report_window(&st, &p)?;
    let want = p
        .get("category_type")
        .map(norm_category)
        .filter(|c| c != "all");
    let in_window = st.index.operations.range(w.start(), w.end());
    let filtered: Vec<usize>;
    let idx = match &want {
        None => in_window,
        Some(c) => {
            filtered = in_window
                .iter()
                .copied()
                .filter(|&i| {
                    st.tenant.operations[i]
                        .get("category_type")
                        .and_then(Value::as_str)
                        .is_some_and(|rc| norm_category(rc) == *c)
                })
                .collect();
            &filtered
        }
    };
    let (page, rows) = page_of_idx(
        &st,
        "/report/operationlogs",
        &p,
        STANDARD,
        idx,
        &st.tenant.operations,
    )?;
    Ok(axum::Json(json!({
        "from": ymd(w.from),
        "to": ymd(w.to),
        "page_size": page.page_size,
        "next_page_token": page.next_page_token,
        "operation_logs": rows,
    })))
}

fn start_of(v: &Value) -> Option<DateTime<Utc>> {
    v.get("start_time")
        .and_then(Value::as_str)
        .and_then(parse_time)
}

/// `GET /report/users/{userId}/meetings?from&to[&type]`: meetings of that user that started
/// within the window. `type` (past, pastOne, pastJoined) is validated; all three return the
/// user's hosted meetings, which is what the tenant holds.
async fn user_meetings(State(st): St, Path(user): Path<String>, RawQuery(q): RawQuery) -> Reply {
    require_pro(&st)?;
    let p = Params::parse(q.as_deref());
    let u = find_user(&st, &user)?;
    let w = report_window(&st, &p)?;
    if let Some(t) = p.get("type")
        && !matches!(t, "past" | "pastOne" | "pastJoined")
    {
        return Err(ApiError::validation(
            "type",
            "Invalid field. Use past, pastOne or pastJoined.",
        ));
    }
    let items: Vec<&Value> = st
        .tenant
        .meetings_by_host
        .get(user_id(u))
        .map(|l| l.iter().filter(|m| w.contains(start_of(m))).collect())
        .unwrap_or_default();
    let path = format!("/report/users/{user}/meetings");
    meetings_page(&st, &path, &p, &w, &items)
}

/// One page of a windowed `meetings` list (a user's report meetings and recordings share it).
fn meetings_page(st: &AppState, path: &str, p: &Params, w: &Window, items: &[&Value]) -> Reply {
    let (page, rows) = page_of(st, path, p, STANDARD, items)?;
    Ok(axum::Json(json!({
        "from": ymd(w.from),
        "to": ymd(w.to),
        "page_count": page.page_count(),
        "page_size": page.page_size,
        "total_records": page.total,
        "next_page_token": page.next_page_token,
        "meetings": rows,
    })))
}

/// `registrant_id` only with `include_fields=registrant_id`.
fn with_registrant(rows: Vec<Value>, include: bool) -> Vec<Value> {
    if include {
        return rows
            .into_iter()
            .map(|mut r| {
                if let Some(o) = r.as_object_mut() {
                    o.entry("registrant_id").or_insert(json!(""));
                }
                r
            })
            .collect();
    }
    rows.into_iter()
        .map(|mut r| {
            if let Some(o) = r.as_object_mut() {
                o.remove("registrant_id");
            }
            r
        })
        .collect()
}

fn includes_registrant(p: &Params) -> bool {
    p.get("include_fields")
        .is_some_and(|f| f.split(',').any(|x| x.trim() == "registrant_id"))
}

/// `GET /report/meetings/{meetingId}/participants[?include_fields=registrant_id]`.
async fn report_participants(
    State(st): St,
    Path(meeting): Path<String>,
    RawQuery(q): RawQuery,
) -> Reply {
    require_pro(&st)?;
    let p = Params::parse(q.as_deref());
    let m = resolve_meeting(&st, &meeting)?;
    check_retention(&st, m)?;
    participants_page(&st, &p, &st.tenant.participants, "report", &m.uuid)
}

/// `GET /metrics/meetings/{meetingId}/participants?type=past`: the Dashboard API (Business+).
/// Without `type=past` (or `pastOne`) only live meetings are visible, and the tenant has none.
async fn metrics_participants(
    State(st): St,
    Path(meeting): Path<String>,
    RawQuery(q): RawQuery,
) -> Reply {
    if st.cfg.plan != Plan::Business {
        return Err(ApiError::no_permission());
    }
    let p = Params::parse(q.as_deref());
    let kind = p.get("type").unwrap_or("live");
    if !matches!(kind, "live" | "past" | "pastOne") {
        return Err(ApiError::validation(
            "type",
            "Invalid field. Use live, past or pastOne.",
        ));
    }
    let m = resolve_meeting(&st, &meeting)?;
    if kind == "live" {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            3001,
            "Meeting ID is invalid or not end.",
        ));
    }
    check_retention(&st, m)?;
    participants_page(&st, &p, &st.tenant.metrics, "metrics", &m.uuid)
}

/// One page of an instance's participant rows, as both participant endpoints answer it
/// (`/{api}/meetings/{uuid}/participants`).
fn participants_page(
    st: &AppState,
    p: &Params,
    rows_by_uuid: &std::collections::BTreeMap<String, Vec<Value>>,
    api: &str,
    uuid: &str,
) -> Reply {
    let items: Vec<&Value> = rows_by_uuid
        .get(uuid)
        .map(|l| l.iter().collect())
        .unwrap_or_default();
    let path = format!("/{api}/meetings/{uuid}/participants");
    let (page, rows) = page_of(st, &path, p, STANDARD, &items)?;
    Ok(axum::Json(json!({
        "page_count": page.page_count(),
        "page_size": page.page_size,
        "total_records": page.total,
        "next_page_token": page.next_page_token,
        "participants": with_registrant(rows, includes_registrant(p)),
    })))
}

/// `GET /past_meetings/{meetingId}/instances`: every ended instance, newest first; no paging.
async fn past_instances(State(st): St, Path(meeting): Path<String>) -> Reply {
    let list = meeting
        .parse::<i64>()
        .ok()
        .and_then(|id| st.index.instances_by_id.get(&id))
        .ok_or_else(|| meeting_not_found(&meeting))?;
    let meetings: Vec<Value> = list
        .iter()
        .map(|i| json!({ "uuid": i.uuid, "start_time": i.start_text }))
        .collect();
    Ok(axum::Json(json!({ "meetings": meetings })))
}

/// `GET /users/{userId}/recordings[?from&to][&trash=true][&meeting_id]`. `from`/`to` default
/// to today → tomorrow (UTC) and do not filter trash.
async fn recordings(State(st): St, Path(user): Path<String>, RawQuery(q): RawQuery) -> Reply {
    require_pro(&st)?;
    let p = Params::parse(q.as_deref());
    let u = find_user(&st, &user)?;
    let today = st.cfg.now().date_naive();
    let from = parse_date(&p, "from")?.unwrap_or(today);
    let to = parse_date(&p, "to")?.unwrap_or(from + chrono::Days::new(1));
    let w = check_span(from, to)?;
    let trash = p.flag("trash");
    if let Some(t) = p.get("trash_type")
        && !matches!(t, "meeting_recordings" | "recording_file")
    {
        return Err(ApiError::validation(
            "trash_type",
            "Invalid field. Use meeting_recordings or recording_file.",
        ));
    }
    let meeting_filter = match p.get("meeting_id") {
        None => None,
        Some(s) => Some(s.parse::<i64>().map_err(|_| {
            ApiError::validation("meeting_id", "Invalid field. meeting_id is a number.")
        })?),
    };
    let source = if trash {
        &st.tenant.trash_by_host
    } else {
        &st.tenant.recordings_by_host
    };
    let items: Vec<&Value> = source
        .get(user_id(u))
        .map(|l| {
            l.iter()
                .filter(|r| trash || w.contains(start_of(r)))
                .filter(|r| {
                    meeting_filter.is_none_or(|id| r.get("id").and_then(meeting_number) == Some(id))
                })
                .collect()
        })
        .unwrap_or_default();
    let path = format!("/users/{user}/recordings");
    meetings_page(&st, &path, &p, &w, &items)
}

/// Chat `from`/`to`: `yyyy-MM-dd'T'HH:mm:ss'Z'` (a bare date is accepted too).
fn chat_time(p: &Params, field: &str) -> Result<Option<DateTime<Utc>>, ApiError> {
    match p.get(field) {
        None => Ok(None),
        Some(s) => parse_time(s).map(Some).ok_or_else(|| {
            ApiError::validation(field, "Invalid field. Use yyyy-MM-dd'T'HH:mm:ss'Z'.")
        }),
    }
}

fn message_time(m: &Value) -> Option<DateTime<Utc>> {
    m.get("date_time")
        .and_then(Value::as_str)
        .and_then(parse_time)
        .or_else(|| {
            m.get("timestamp")
                .and_then(Value::as_i64)
                .and_then(DateTime::from_timestamp_millis)
        })
}

/// `GET /chat/users/{userId}/messages?to_channel|to_contact[&from&to|date]`: the user's
/// messages of one conversation in the window (`from` → `to` inclusive; without `from`, the UTC
/// day `date`, default today). As on Zoom, one of `to_channel` / `to_contact` is required (code
/// 300 otherwise). Deleted messages only with `include_deleted_and_edited_message=true`.
/// `to_channel` keeps the messages of that channel and `to_contact` the direct messages (those
/// outside any channel; the generator writes none, so the contact itself is not matched), when
/// the tenant records channels (`Tenant::chat_channel`); a tenant without that map does not
/// model conversations and its messages are served whatever the contact or channel.
async fn chat_messages(State(st): St, Path(user): Path<String>, RawQuery(q): RawQuery) -> Reply {
    let p = Params::parse(q.as_deref());
    let u = find_user(&st, &user)?;
    if p.get("to_channel").is_none() && p.get("to_contact").is_none() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            300,
            "Either to_contact or to_channel is required.",
        ));
    }
    let (from, to) = match chat_time(&p, "from")? {
        Some(f) => {
            let to = chat_time(&p, "to")?.unwrap_or_else(|| st.cfg.now());
            (f, to)
        }
        None => {
            let day = parse_date(&p, "date")?.unwrap_or_else(|| st.cfg.now().date_naive());
            let f = DateTime::from_timestamp(day_start(day), 0).expect("valid day");
            (f, f + Duration::seconds(86_399))
        }
    };
    if to < from {
        return Err(ApiError::validation(
            "to",
            "Invalid field. 'to' must not be earlier than 'from'.",
        ));
    }
    let deleted_too = p.flag("include_deleted_and_edited_message");
    let channels = &st.tenant.chat_channel;
    let channel_of = |m: &Value| {
        m.get("id")
            .and_then(Value::as_str)
            .and_then(|id| channels.get(id))
    };
    let conversation = |m: &Value| {
        if channels.is_empty() {
            return true;
        }
        match (p.get("to_channel"), p.get("to_contact")) {
            (Some(ch), _) => channel_of(m).is_some_and(|c| c == ch),
            (None, _) => channel_of(m).is_none(),
        }
    };
    let items: Vec<&Value> = st
        .tenant
        .chat_by_user
        .get(user_id(u))
        .map(|l| {
            l.iter()
                .filter(|m| message_time(m).is_some_and(|t| t >= from && t <= to))
                .filter(|m| {
                    deleted_too || m.get("status").and_then(Value::as_str) != Some("Deleted")
                })
                .filter(|m| conversation(m))
                .collect()
        })
        .unwrap_or_default();
    let path = format!("/chat/users/{user}/messages");
    let (page, rows) = page_of(&st, &path, &p, CHAT, &items)?;
    Ok(axum::Json(json!({
        "from": crate::model::time::fmt_utc(from),
        "to": crate::model::time::fmt_utc(to),
        "page_size": page.page_size,
        "next_page_token": page.next_page_token,
        "messages": rows,
    })))
}

/// `GET /chat/users/{userId}/channels`: Zoom's "List user's channels" (Medium; default 10,
/// max 50 per page). The tenant keeps only message → channel ids, so a user's channels are those
/// the tenant holds messages of for them; name and settings are derived from the id.
async fn user_channels(State(st): St, Path(user): Path<String>, RawQuery(q): RawQuery) -> Reply {
    let p = Params::parse(q.as_deref());
    let u = find_user(&st, &user)?;
    let chans: Vec<Value> = st
        .index
        .channels_by_user
        .get(user_id(u))
        .map(|l| {
            l.iter()
                .map(|id| {
                    json!({
                        "id": id,
                        "jid": format!("{}@conference.xmpp.zoom.us", id.to_lowercase()),
                        "name": format!("Channel {id}"),
                        // 2: private channel with members of one account.
                        "type": 2,
                        "channel_settings": {
                            "new_members_can_see_previous_messages_files": true,
                            "allow_to_add_external_users": 0,
                            "posting_permissions": 1,
                        },
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let items: Vec<&Value> = chans.iter().collect();
    let path = format!("/chat/users/{user}/channels");
    let (page, rows) = page_of(&st, &path, &p, CHAT, &items)?;
    Ok(axum::Json(json!({
        "total_records": page.total,
        "page_size": page.page_size,
        "next_page_token": page.next_page_token,
        "channels": rows,
    })))
}

// ---------- issue 18's newer sources ----------

/// A history row made from a `/report/users/{id}/meetings` record: what that record knows
/// (its has_* flags); the other `feature_used` keys are left out (unknown, not false).
fn history_of(m: &Value) -> Value {
    let b = |k: &str| m.get(k).and_then(Value::as_bool).unwrap_or(false);
    json!({
        "meeting_uuid": m["uuid"],
        "meeting_id": m.get("id").and_then(meeting_number),
        "type": "Meeting",
        "host_display_name": m.get("host_name").or(m.get("user_name")),
        "host_email": m.get("user_email").or(m.get("host_email")),
        "start_time": m["start_time"],
        "end_time": m.get("end_time"),
        "topic": m["topic"],
        "participants": m.get("participants_count"),
        "duration": m.get("duration"),
        "source": m.get("source").cloned().unwrap_or(json!("Zoom")),
        "custom_fields": [],
        "tracking_fields": [],
        "feature_used": {
            "screen_sharing": b("has_screen_share"),
            "record_to_cloud": b("has_recording"),
            "in_meeting_chat": b("has_chat"),
        },
    })
}

/// `GET /report/history_meetings?from&to[&date_type&meeting_type&report_type]`: every past
/// meeting of the account that started in the window (the tenant has no webinars, and its
/// meetings all have "report data" of kind `all`). No `from`/`to`/`total_records` in the body.
async fn history_meetings(State(st): St, RawQuery(q): RawQuery) -> Reply {
    require_pro(&st)?;
    let p = Params::parse(q.as_deref());
    let w = report_window(&st, &p)?;
    if let Some(t) = p.get("meeting_type")
        && !matches!(t, "meeting" | "webinar" | "all")
    {
        return Err(ApiError::validation(
            "meeting_type",
            "Invalid field. Use meeting, webinar or all.",
        ));
    }
    if let Some(t) = p.get("date_type")
        && !matches!(t, "start_time" | "end_time")
    {
        return Err(ApiError::validation(
            "date_type",
            "Invalid field. Use start_time or end_time.",
        ));
    }
    let webinars_only = p.get("meeting_type") == Some("webinar");
    let idx: Vec<usize> = if webinars_only {
        vec![]
    } else {
        st.index.history.range(w.start(), w.end()).to_vec()
    };
    let (page, rows) = page_of_idx(
        &st,
        "/report/history_meetings",
        &p,
        STANDARD,
        &idx,
        &st.index.history_rows,
    )?;
    Ok(axum::Json(json!({
        "next_page_token": page.next_page_token,
        "page_size": page.page_size,
        "history_meetings": rows,
    })))
}

/// `GET /report/disclaimer?from&to[&disclaimer_type]`.
async fn disclaimer(State(st): St, RawQuery(q): RawQuery) -> Reply {
    require_pro(&st)?;
    let p = Params::parse(q.as_deref());
    let w = report_window(&st, &p)?;
    let want = p.get("disclaimer_type").filter(|t| *t != "all");
    let idx: Vec<usize> = st
        .index
        .disclaimers
        .range(w.start(), w.end())
        .iter()
        .copied()
        .filter(|&i| {
            want.is_none_or(|t| {
                st.tenant.disclaimers[i]
                    .get("disclaimer_type")
                    .and_then(Value::as_str)
                    == Some(t)
            })
        })
        .collect();
    let (page, rows) = page_of_idx(
        &st,
        "/report/disclaimer",
        &p,
        STANDARD,
        &idx,
        &st.tenant.disclaimers,
    )?;
    Ok(axum::Json(json!({
        "next_page_token": page.next_page_token,
        "page_size": page.page_size,
        "disclaimer_records": rows,
    })))
}

/// `GET /report/remote_support?from&to`: sessions that started in the window.
async fn remote_support(State(st): St, RawQuery(q): RawQuery) -> Reply {
    require_pro(&st)?;
    let p = Params::parse(q.as_deref());
    let w = report_window(&st, &p)?;
    let idx = st.index.remote_support.range(w.start(), w.end());
    let (page, rows) = page_of_idx(
        &st,
        "/report/remote_support",
        &p,
        STANDARD,
        idx,
        &st.tenant.remote_support,
    )?;
    Ok(axum::Json(json!({
        "next_page_token": page.next_page_token,
        "page_size": page.page_size,
        "remote_support_logs": rows,
    })))
}

/// `GET /meetings/{meetingId}/recordings/analytics_details?type=by_view|by_download[&from&to]`:
/// who watched or downloaded an instance's recording in the window (at most a month; `from`
/// defaults to today). A meeting without a cloud recording answers 404 / 3301.
async fn analytics_details(
    State(st): St,
    Path(meeting): Path<String>,
    RawQuery(q): RawQuery,
) -> Reply {
    require_pro(&st)?;
    let p = Params::parse(q.as_deref());
    let m = resolve_meeting(&st, &meeting)?;
    if !st.index.recorded.contains(&m.uuid) {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            3301,
            "There is no recording for this meeting.",
        ));
    }
    let map = match p.get("type") {
        Some("by_view") => &st.tenant.views,
        Some("by_download") => &st.tenant.downloads,
        _ => {
            return Err(ApiError::validation(
                "type",
                "Invalid field. Use by_view or by_download.",
            ));
        }
    };
    let today = st.cfg.now().date_naive();
    let from = parse_date(&p, "from")?.unwrap_or(today);
    let to = parse_date(&p, "to")?.unwrap_or(from);
    let w = check_span(from, to)?;
    let items: Vec<&Value> = map
        .get(&m.uuid)
        .map(|l| {
            l.iter()
                .filter(|r| {
                    w.contains(
                        r.get("date_time")
                            .and_then(Value::as_str)
                            .and_then(parse_time),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let path = format!("/meetings/{}/recordings/analytics_details", m.uuid);
    let (page, rows) = page_of(&st, &path, &p, STANDARD, &items)?;
    Ok(axum::Json(json!({
        "from": ymd(w.from),
        "to": ymd(w.to),
        "next_page_token": page.next_page_token,
        "page_size": page.page_size,
        "total_records": page.total,
        "analytics_details": rows,
    })))
}
