//! One meeting instance: header, the series' other instances, participant sessions (with
//! class, finding badges and everything needed for the presence chart), its recordings, and
//! the operations that mention it. A meeting's sessions are bounded (capped at [`MAX_SESSIONS`]).

use super::*;
use rusqlite::OptionalExtension;

pub const MAX_SESSIONS: usize = 3000;

/// How a meeting was named by whatever pivoted to it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum MeetingRef {
    Uuid(String),
    /// A numeric meeting id: its latest instance.
    Id(i64),
    /// A topic (from search): its latest instance.
    Topic(String),
}

#[derive(Clone, Debug, Default)]
pub struct Header {
    pub uuid: String,
    pub meeting_id: Option<i64>,
    pub topic: String,
    pub host_email: String,
    pub host_name: String,
    pub meeting_type: Option<i64>,
    pub start: String,
    pub end: String,
    pub duration_min: Option<i64>,
    pub participants_count: Option<i64>,
    /// The host's department (`/report/history_meetings`), '' when unknown.
    pub department: String,
    /// `feature_used` flags that were on, security-relevant ones first; `None` when the
    /// meeting history has no row for this instance (flags unknown, not off).
    pub features: Option<Vec<String>>,
    /// Zoom's risk alerts on this meeting: where its link was posted.
    pub risk_alerts: Vec<String>,
}

/// `feature_used` keys an investigator reads first, in this order.
const TELLING: &[&str] = &[
    "remote_control",
    "file_sharing",
    "record_to_computer",
    "record_to_cloud",
    "screen_sharing",
    "telephone_usage",
    "join_by_room",
    "in_meeting_chat",
    "zoom_apps",
    "meeting_summary",
    "live_transcription",
    "document_collaboration",
    "switch_to_mobile",
    "waiting_room",
];

/// The flags that were on, the telling ones first, then the rest by name.
fn features_on(json: &str) -> Vec<String> {
    let map: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(json).unwrap_or_default();
    let on = |k: &str| map.get(k).and_then(|v| v.as_bool()) == Some(true);
    let mut out: Vec<String> = TELLING
        .iter()
        .filter(|k| on(k))
        .map(|k| k.replace('_', " "))
        .collect();
    let mut rest: Vec<&String> = map
        .keys()
        .filter(|k| !TELLING.contains(&k.as_str()) && on(k))
        .collect();
    rest.sort();
    out.extend(rest.into_iter().map(|k| k.replace('_', " ")));
    out
}

#[derive(Clone, Debug, Default)]
pub struct Detail {
    pub header: Header,
    /// Other instances of the same meeting id (newest first).
    pub instances: Vec<Row>,
    pub participants: Vec<Row>,
    pub truncated: bool,
    pub recordings: Vec<Row>,
    pub operations: Vec<Row>,
}

row_view! {
    /// A participant session's cells by name.
    ParticipantRow {
        name = 0,
        email = 1,
        join = 2,
        leave = 3,
        ip = 4,
        location = 5,
        device = 6,
        version = 7,
        role = 8,
        shared = 9,
        // The waiting-room stay before this session (or, on a row of its own, a stay that
        // never became one): entered, admitted or left, and its outcome.
        waited_from = 10,
        waited_to = 11,
        waited = 12,
    }
}

/// Waiting-room stays of a meeting laid on its sessions: an admitted stay goes on the
/// session it led to (the same person's first join from its entry on); every other stay
/// (left, still waiting, or admitted into a session the case does not hold) becomes a row of
/// its own, placed in time order among the sessions.
fn add_waiting(conn: &Connection, info: &CaseInfo, uuid: &str, parts: &mut Vec<Row>) -> Result<()> {
    let mut st = conn.prepare_cached(
        "SELECT id, name, email, entered_at, admitted_at, left_at, outcome, meeting_id
         FROM waiting_room WHERE meeting_uuid = ?1 ORDER BY entered_at, id LIMIT ?2",
    )?;
    type Stay = (
        i64,
        String,
        Option<String>,
        String,
        String,
        String,
        String,
        Option<i64>,
    );
    let stays: Vec<Stay> = st
        .query_map(rusqlite::params![uuid, MAX_SESSIONS as i64], |r| {
            Ok((
                r.get(0)?,
                text(r, 1)?,
                nonblank(opt(r, 2)?),
                text(r, 3)?,
                text(r, 4)?,
                text(r, 5)?,
                text(r, 6)?,
                r.get(7)?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let same = |p: &Row, name: &str, email: &Option<String>| match email {
        Some(e) => p
            .link
            .user
            .as_deref()
            .is_some_and(|u| u.eq_ignore_ascii_case(e)),
        None => p.link.user.is_none() && p.link.name.as_deref() == Some(name),
    };
    let mut own = vec![];
    for (id, name, email, entered, admitted, left, outcome, mid) in stays {
        let end = if admitted.is_empty() {
            &left
        } else {
            &admitted
        };
        if outcome == "admitted" {
            let lo = crate::model::time::parse_time(&entered)
                .map(|t| crate::model::time::fmt_utc(t - chrono::Duration::seconds(60)))
                .unwrap_or_default();
            let session = parts
                .iter_mut()
                .filter(|p| {
                    p.tbl == "participants"
                        && p.cells.len() == 10
                        && p.cells[2] >= lo
                        && same(p, &name, &email)
                })
                .min_by(|a, b| a.cells[2].cmp(&b.cells[2]));
            if let Some(p) = session {
                p.cells.extend([entered, end.clone(), outcome]);
                continue;
            }
        }
        own.push(Row {
            cells: vec![
                name.clone(),
                email.clone().unwrap_or_default(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                entered.clone(),
                end.clone(),
                outcome,
            ],
            link: Links {
                user: email.clone(),
                name: Some(name).filter(|n| !n.is_empty()),
                meeting_uuid: Some(uuid.to_string()),
                meeting_id: mid,
                ..Default::default()
            },
            badge: info.class_of(email.as_deref()).to_string(),
            ..Row::at("waiting_room", id, "waiting", entered)
        });
    }
    for p in parts.iter_mut() {
        p.cells.resize(13, String::new());
    }
    if !own.is_empty() {
        parts.extend(own);
        parts.sort_by(|a, b| a.time.cmp(&b.time).then(a.id.cmp(&b.id)));
    }
    Ok(())
}

/// Resolve a reference to an instance uuid.
pub fn resolve(conn: &Connection, r: &MeetingRef) -> Result<Option<String>> {
    Ok(match r {
        MeetingRef::Uuid(u) => Some(u.clone()),
        MeetingRef::Id(id) => conn
            .query_row(
                "SELECT uuid FROM meetings WHERE meeting_id = ?1 ORDER BY start_time DESC LIMIT 1",
                [id],
                |r| r.get(0),
            )
            .ok()
            .or_else(|| {
                conn.query_row(
                    "SELECT meeting_uuid FROM participants WHERE meeting_id = ?1 LIMIT 1",
                    [id],
                    |r| r.get(0),
                )
                .ok()
            }),
        MeetingRef::Topic(t) => conn
            .query_row(
                "SELECT uuid FROM meetings WHERE topic = ?1 ORDER BY start_time DESC LIMIT 1",
                [t],
                |r| r.get(0),
            )
            .ok(),
    })
}

pub fn load(
    conn: &Connection,
    info: &CaseInfo,
    r: &MeetingRef,
    f: &Filter,
) -> Result<Option<Detail>> {
    let Some(uuid) = resolve(conn, r)? else {
        return Ok(None);
    };
    let mut d = Detail::default();
    let header = conn
        .query_row(
            "SELECT uuid, meeting_id, topic, host_email, host_name, meeting_type, start_time, end_time,
                    duration, participants_count
             FROM meetings WHERE uuid = ?1",
            [&uuid],
            |r| {
                Ok(Header {
                    uuid: text(r, 0)?,
                    meeting_id: r.get(1)?,
                    topic: text(r, 2)?,
                    host_email: text(r, 3)?,
                    host_name: text(r, 4)?,
                    meeting_type: r.get(5)?,
                    start: text(r, 6)?,
                    end: text(r, 7)?,
                    duration_min: r.get(8)?,
                    participants_count: r.get(9)?,
                    ..Default::default()
                })
            },
        )
        .ok();
    d.header = header.unwrap_or(Header {
        uuid: uuid.clone(),
        ..Default::default()
    });
    if let Some((dept, flags)) = conn
        .query_row(
            "SELECT coalesce(department, ''), features FROM meeting_history WHERE meeting_uuid = ?1",
            [&uuid],
            |r| Ok((text(r, 0)?, text(r, 1)?)),
        )
        .optional()?
    {
        d.header.department = dept;
        d.header.features = Some(features_on(&flags));
    }
    let mut st = conn.prepare_cached(
        "SELECT alert_time, coalesce(post_platform, ''), coalesce(post_user, ''), post_time, social_link
         FROM risk_alerts WHERE meeting_uuid = ?1 OR (?2 IS NOT NULL AND meeting_id = ?2)
         ORDER BY alert_time, id",
    )?;
    d.header.risk_alerts = st
        .query_map(rusqlite::params![uuid, d.header.meeting_id], |r| {
            let (at, platform, user, posted, link) = (
                text(r, 0)?,
                text(r, 1)?,
                text(r, 2)?,
                text(r, 3)?,
                text(r, 4)?,
            );
            let mut s = format!("{at}: link posted");
            if !platform.is_empty() {
                s.push_str(&format!(" on {platform}"));
            }
            if !user.is_empty() {
                s.push_str(&format!(" by {user}"));
            }
            if !posted.is_empty() {
                s.push_str(&format!(" at {posted}"));
            }
            if !link.is_empty() {
                s.push_str(&format!(" ({link})"));
            }
            Ok(s)
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;

    // Sessions (the UNIQUE (meeting_uuid, user_id, join_time) index serves this).
    let mut st = conn.prepare_cached(
        "SELECT id, name, email, join_time, leave_time, ip_address, location, device, os, version,
                role, pc_name, meeting_id, registrant_id, share_desktop, share_application, duration
         FROM participants WHERE meeting_uuid = ?1 ORDER BY join_time, id LIMIT ?2",
    )?;
    let mut parts = st
        .query_map(rusqlite::params![uuid, (MAX_SESSIONS + 1) as i64], |r| {
            let id: i64 = r.get(0)?;
            let name = text(r, 1)?;
            let email = nonblank(opt(r, 2)?);
            let join = text(r, 3)?;
            let leave = text(r, 4)?;
            let ip = nonblank(opt(r, 5)?);
            let device = format!("{} {}", text(r, 7)?, text(r, 8)?)
                .trim()
                .to_string();
            let pc = nonblank(opt(r, 11)?);
            let shared = r.get::<_, Option<i64>>(14)?.unwrap_or(0)
                + r.get::<_, Option<i64>>(15)?.unwrap_or(0)
                > 0;
            Ok(Row {
                cells: vec![
                    name.clone(),
                    email.clone().unwrap_or_default(),
                    join.clone(),
                    leave,
                    ip.clone().unwrap_or_default(),
                    text(r, 6)?,
                    device,
                    text(r, 9)?,
                    text(r, 10)?,
                    if shared {
                        "shared".into()
                    } else {
                        String::new()
                    },
                ],
                link: Links {
                    user: email,
                    name: Some(name).filter(|n| !n.is_empty()),
                    meeting_uuid: Some(uuid.clone()),
                    meeting_id: r.get(12)?,
                    ip,
                    device: pc,
                    ..Default::default()
                },
                badge: String::new(),
                notes: vec![],
                extra: vec![],
                ..Row::at("participants", id, "participant", join)
            })
        })?
        .collect::<rusqlite::Result<Vec<Row>>>()?;
    d.truncated = parts.len() > MAX_SESSIONS;
    parts.truncate(MAX_SESSIONS);
    for p in parts.iter_mut() {
        p.badge = info.class_of(p.link.user.as_deref()).to_string();
    }
    add_waiting(conn, info, &uuid, &mut parts)?;
    mark_findings(conn, info, &mut parts)?;
    if info.has_findings
        && info.finding_cols.iter().any(|c| c == "meeting_uuid")
        && let Some(ucol) = info.finding_user_col()
    {
        let mut st = conn.prepare_cached(&format!(
            "SELECT lower(f.\"{ucol}\"), max({}) FROM findings f WHERE meeting_uuid = ?1 GROUP BY 1",
            info.finding_rank()
        ))?;
        let by_user: Vec<(Option<String>, i64)> = st
            .query_map([&uuid], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (u, k) in by_user {
            let Some(u) = u else { continue };
            for p in parts.iter_mut() {
                if p.link.user.as_deref().map(str::to_lowercase).as_deref() == Some(u.as_str())
                    || p.link.name.as_deref().map(str::to_lowercase).as_deref() == Some(u.as_str())
                {
                    p.rank = p.rank.max(k);
                }
            }
        }
    }
    // Participant-level filters (external only, domain, suspicious, tag, text) apply to the
    // table.
    let tagged: Option<std::collections::HashSet<i64>> = match f.tag.as_deref() {
        Some(t) => Some(
            conn.prepare_cached(
                "SELECT row_id FROM annotations WHERE tbl = 'participants' AND kind = 'tag'
                 AND text = ?1 COLLATE NOCASE",
            )?
            .query_map([t.trim()], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?,
        ),
        None => None,
    };
    parts.retain(|p| {
        tagged.as_ref().is_none_or(|t| t.contains(&p.id))
            && (!f.external_only || p.badge != "internal")
            && f.domain.as_ref().is_none_or(|d| {
                p.link.user.as_deref().map(domain_of).as_deref() == Some(d.as_str())
            })
            && (!f.suspicious_only || p.rank >= 0)
            && f.text
                .as_ref()
                .filter(|t| !t.trim().is_empty())
                .is_none_or(|t| {
                    let t = t.to_lowercase();
                    p.cells.iter().any(|c| c.to_lowercase().contains(&t))
                })
    });
    d.participants = parts;

    if let Some(mid) = d.header.meeting_id {
        let mut st = conn.prepare_cached(
            "SELECT id, uuid, start_time, topic, participants_count FROM meetings
             WHERE meeting_id = ?1 ORDER BY start_time DESC LIMIT 30",
        )?;
        d.instances = st
            .query_map([mid], |r| {
                let id: i64 = r.get(0)?;
                let u = text(r, 1)?;
                let t = text(r, 2)?;
                Ok(Row {
                    cells: vec![t.clone(), text(r, 3)?, text(r, 4)?, u.clone()],
                    link: Links {
                        meeting_uuid: Some(u),
                        meeting_id: Some(mid),
                        ..Default::default()
                    },
                    ..Row::at("meetings", id, "instance", t)
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        d.instances
            .retain(|r| r.link.meeting_uuid.as_deref() != Some(uuid.as_str()));

        let mut st = conn.prepare_cached(
            "SELECT o.id, o.time, o.operator, o.action, o.operation_detail FROM operations o
             WHERE o.id IN (SELECT operation_id FROM op_changes WHERE meeting_id = ?1)
             ORDER BY o.time LIMIT 200",
        )?;
        d.operations = st
            .query_map([mid], |r| {
                let id: i64 = r.get(0)?;
                let t = text(r, 1)?;
                let who = text(r, 2)?;
                Ok(Row {
                    cells: vec![t.clone(), who.clone(), text(r, 3)?, text(r, 4)?],
                    link: Links {
                        user: Some(who.clone()),
                        operator: Some(who),
                        meeting_id: Some(mid),
                        ..Default::default()
                    },
                    ..Row::at("operations", id, "op", t)
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        mark_findings(conn, info, &mut d.operations)?;
    }
    let mut st = conn.prepare_cached(
        "SELECT id, start_time, topic, total_size, recording_count, deleted_time, host_email
         FROM recordings WHERE meeting_uuid = ?1",
    )?;
    d.recordings = st
        .query_map([&uuid], |r| {
            let id: i64 = r.get(0)?;
            let t = text(r, 1)?;
            let deleted = nonblank(opt(r, 5)?);
            Ok(Row {
                // As the recordings list has them (`recordings::RecordingRow`).
                cells: vec![
                    t.clone(),
                    text(r, 2)?,
                    text(r, 6)?,
                    text(r, 4)?,
                    text(r, 3)?,
                    deleted.unwrap_or_default(),
                ],
                link: Links::recording(&uuid),
                ..Row::at("recordings", id, "recording", t)
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    mark_findings(conn, info, &mut d.recordings)?;
    Ok(Some(d))
}
