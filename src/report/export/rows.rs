//! The case's records as exports read them: one streaming query per source, in time order,
//! handing each row to a callback (SQLite steps through the rows; nothing collects a table).

use super::Range;
use crate::model::OpChange;
use anyhow::Result;
use rusqlite::{Connection, params};

/// A sign-in or sign-out (`signins`).
#[derive(Debug, Clone)]
pub struct Signin {
    pub id: i64,
    pub time: String,
    pub email: String,
    pub activity: String,
    pub ip_address: String,
    pub client_type: String,
    pub version: String,
    pub login_type: Option<i64>,
    pub via: String,
    pub raw: String,
}

pub fn signins(
    conn: &Connection,
    r: &Range,
    mut each: impl FnMut(Signin) -> Result<()>,
) -> Result<()> {
    let mut st = conn.prepare(
        "SELECT id, time, email, activity, ip_address, client_type, version, login_type, via, zl_raw(raw)
         FROM signins WHERE time >= ?1 AND time < ?2 ORDER BY time, id",
    )?;
    let mut rows = st.query(params![r.from, r.to])?;
    while let Some(x) = rows.next()? {
        each(Signin {
            id: x.get(0)?,
            time: x.get(1)?,
            email: x.get(2)?,
            activity: x.get(3)?,
            ip_address: x.get(4)?,
            client_type: x.get(5)?,
            version: x.get(6)?,
            login_type: x.get(7)?,
            via: x.get(8)?,
            raw: x.get(9)?,
        })?;
    }
    Ok(())
}

/// An admin operation (`operations`) with its parsed changes. `time` is empty for an undated
/// operation (a Panther rule-test row).
#[derive(Debug, Clone)]
pub struct Operation {
    pub id: i64,
    pub time: String,
    pub operator: String,
    pub category_type: String,
    pub action: String,
    pub operation_detail: String,
    pub via: String,
    pub raw: String,
    pub changes: Vec<OpChange>,
}

pub fn operations(
    conn: &Connection,
    r: &Range,
    mut each: impl FnMut(Operation) -> Result<()>,
) -> Result<()> {
    let mut st = conn.prepare(
        "SELECT id, time, operator, category_type, action, operation_detail, via, zl_raw(raw)
         FROM operations WHERE time >= ?1 AND time < ?2 ORDER BY time, id",
    )?;
    let mut ch = conn.prepare(
        "SELECT kind, section, setting, from_value, to_value, target, meeting_id
         FROM op_changes WHERE operation_id = ?1 ORDER BY seq",
    )?;
    let mut rows = st.query(params![r.from, r.to])?;
    while let Some(x) = rows.next()? {
        let id: i64 = x.get(0)?;
        let changes = ch
            .query_map([id], |c| {
                Ok(OpChange {
                    kind: c.get(0)?,
                    section: c.get(1)?,
                    setting: c.get(2)?,
                    from: c.get(3)?,
                    to: c.get(4)?,
                    target: c.get(5)?,
                    meeting_id: c.get(6)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        each(Operation {
            id,
            time: x.get(1)?,
            operator: x.get(2)?,
            category_type: x.get(3)?,
            action: x.get(4)?,
            operation_detail: x.get(5)?,
            via: x.get(6)?,
            raw: x.get(7)?,
            changes,
        })?;
    }
    Ok(())
}

/// A meeting instance (`meetings`).
#[derive(Debug, Clone)]
pub struct Meeting {
    pub id: i64,
    pub uuid: String,
    pub meeting_id: Option<i64>,
    pub topic: Option<String>,
    pub host_id: Option<String>,
    pub host_email: Option<String>,
    pub host_name: Option<String>,
    pub meeting_type: Option<i64>,
    pub start_time: String,
    pub end_time: Option<String>,
    pub duration: Option<i64>,
    pub participants_count: Option<i64>,
    pub raw: String,
}

/// Meetings by start time; a meeting without one cannot be placed in time and is left out
/// (counted by the caller through [`meetings_undated`]).
pub fn meetings(
    conn: &Connection,
    r: &Range,
    mut each: impl FnMut(Meeting) -> Result<()>,
) -> Result<()> {
    let mut st = conn.prepare(
        "SELECT id, uuid, meeting_id, topic, host_id, host_email, host_name, meeting_type,
                start_time, end_time, duration, participants_count, zl_raw(raw)
         FROM meetings WHERE start_time >= ?1 AND start_time < ?2 ORDER BY start_time, id",
    )?;
    let mut rows = st.query(params![r.from, r.to])?;
    while let Some(x) = rows.next()? {
        each(Meeting {
            id: x.get(0)?,
            uuid: x.get(1)?,
            meeting_id: x.get(2)?,
            topic: x.get(3)?,
            host_id: x.get(4)?,
            host_email: x.get(5)?,
            host_name: x.get(6)?,
            meeting_type: x.get(7)?,
            start_time: x.get(8)?,
            end_time: x.get(9)?,
            duration: x.get(10)?,
            participants_count: x.get(11)?,
            raw: x.get(12)?,
        })?;
    }
    Ok(())
}

/// Meetings without a start time (left out of time-ordered exports).
pub fn meetings_undated(conn: &Connection) -> Result<u64> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM meetings WHERE start_time IS NULL OR start_time = ''",
        [],
        |r| r.get(0),
    )?;
    Ok(n as u64)
}

/// A participant session (`participants`) with its meeting's topic and number.
#[derive(Debug, Clone)]
pub struct Participant {
    pub id: i64,
    pub meeting_uuid: String,
    pub meeting_id: Option<i64>,
    pub topic: Option<String>,
    pub host_id: Option<String>,
    pub user_id: String,
    pub zoom_user_id: Option<String>,
    pub participant_uuid: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub join_time: String,
    pub leave_time: Option<String>,
    pub duration: Option<i64>,
    pub ip_address: Option<String>,
    pub location: Option<String>,
    pub network_type: Option<String>,
    pub data_center: Option<String>,
    pub device: Option<String>,
    pub os: Option<String>,
    pub os_version: Option<String>,
    pub pc_name: Option<String>,
    pub mac_addr: Option<String>,
    pub version: Option<String>,
    pub registrant_id: Option<String>,
    pub share_desktop: Option<i64>,
    pub share_application: Option<i64>,
    pub role: Option<String>,
    pub raw: String,
}

pub fn participants(
    conn: &Connection,
    r: &Range,
    mut each: impl FnMut(Participant) -> Result<()>,
) -> Result<()> {
    let mut st = conn.prepare(
        "SELECT p.id, p.meeting_uuid, COALESCE(p.meeting_id, m.meeting_id), m.topic, m.host_id,
                p.user_id, p.zoom_user_id, p.participant_uuid, p.name, p.email, p.join_time,
                p.leave_time, p.duration, p.ip_address, p.location, p.network_type,
                p.data_center, p.device, p.os, p.os_version, p.pc_name, p.mac_addr, p.version,
                p.registrant_id, p.share_desktop, p.share_application, p.role, zl_raw(p.raw)
         FROM participants p LEFT JOIN meetings m ON m.uuid = p.meeting_uuid
         WHERE p.join_time >= ?1 AND p.join_time < ?2 ORDER BY p.join_time, p.id",
    )?;
    let mut rows = st.query(params![r.from, r.to])?;
    while let Some(x) = rows.next()? {
        each(Participant {
            id: x.get(0)?,
            meeting_uuid: x.get(1)?,
            meeting_id: x.get(2)?,
            topic: x.get(3)?,
            host_id: x.get(4)?,
            user_id: x.get(5)?,
            zoom_user_id: x.get(6)?,
            participant_uuid: x.get(7)?,
            name: x.get(8)?,
            email: x.get(9)?,
            join_time: x.get(10)?,
            leave_time: x.get(11)?,
            duration: x.get(12)?,
            ip_address: x.get(13)?,
            location: x.get(14)?,
            network_type: x.get(15)?,
            data_center: x.get(16)?,
            device: x.get(17)?,
            os: x.get(18)?,
            os_version: x.get(19)?,
            pc_name: x.get(20)?,
            mac_addr: x.get(21)?,
            version: x.get(22)?,
            registrant_id: x.get(23)?,
            share_desktop: x.get(24)?,
            share_application: x.get(25)?,
            role: x.get(26)?,
            raw: x.get(27)?,
        })?;
    }
    Ok(())
}

/// A cloud recording (`recordings`). URLs are not read: share and download links can carry
/// access tokens (they stay in the verbatim record only).
#[derive(Debug, Clone)]
pub struct Recording {
    pub id: i64,
    pub meeting_uuid: String,
    pub meeting_id: Option<i64>,
    pub host_id: Option<String>,
    pub host_email: Option<String>,
    pub topic: Option<String>,
    pub start_time: String,
    pub duration: Option<i64>,
    pub total_size: Option<i64>,
    pub recording_count: Option<i64>,
    pub deleted_time: Option<String>,
    pub raw: String,
}

pub fn recordings(
    conn: &Connection,
    r: &Range,
    mut each: impl FnMut(Recording) -> Result<()>,
) -> Result<()> {
    let mut st = conn.prepare(
        "SELECT id, meeting_uuid, meeting_id, host_id, host_email, topic, start_time, duration,
                total_size, recording_count, deleted_time, zl_raw(raw)
         FROM recordings WHERE start_time >= ?1 AND start_time < ?2 ORDER BY start_time, id",
    )?;
    let mut rows = st.query(params![r.from, r.to])?;
    while let Some(x) = rows.next()? {
        each(Recording {
            id: x.get(0)?,
            meeting_uuid: x.get(1)?,
            meeting_id: x.get(2)?,
            host_id: x.get(3)?,
            host_email: x.get(4)?,
            topic: x.get(5)?,
            start_time: x.get(6)?,
            duration: x.get(7)?,
            total_size: x.get(8)?,
            recording_count: x.get(9)?,
            deleted_time: x.get(10)?,
            raw: x.get(11)?,
        })?;
    }
    Ok(())
}

/// A team chat message (`chat_messages`).
#[derive(Debug, Clone)]
pub struct Chat {
    pub id: i64,
    pub message_id: String,
    pub owner: Option<String>,
    pub sender: Option<String>,
    pub sender_display_name: Option<String>,
    pub time: String,
    pub message: Option<String>,
    pub to_contact: Option<String>,
    pub to_channel: Option<String>,
    pub reply_main_message_id: Option<String>,
    pub raw: String,
}

pub fn chat(conn: &Connection, r: &Range, mut each: impl FnMut(Chat) -> Result<()>) -> Result<()> {
    let mut st = conn.prepare(
        "SELECT id, message_id, owner, sender, sender_display_name, time, message, to_contact,
                to_channel, reply_main_message_id, zl_raw(raw)
         FROM chat_messages WHERE time >= ?1 AND time < ?2 ORDER BY time, id",
    )?;
    let mut rows = st.query(params![r.from, r.to])?;
    while let Some(x) = rows.next()? {
        each(Chat {
            id: x.get(0)?,
            message_id: x.get(1)?,
            owner: x.get(2)?,
            sender: x.get(3)?,
            sender_display_name: x.get(4)?,
            time: x.get(5)?,
            message: x.get(6)?,
            to_contact: x.get(7)?,
            to_channel: x.get(8)?,
            reply_main_message_id: x.get(9)?,
            raw: x.get(10)?,
        })?;
    }
    Ok(())
}

/// Every finding in the range, in time order, with its evidence, read through detect a page at
/// a time (a page's evidence records are loaded together; memory stays flat).
pub fn findings(
    conn: &Connection,
    r: &Range,
    mut each: impl FnMut(crate::detect::finding::StoredFinding) -> Result<()>,
) -> Result<()> {
    use crate::detect::finding::{findings_page, load_evidence};
    let mut after: Option<(String, i64)> = None;
    loop {
        let mut page = findings_page(
            conn,
            &r.from,
            &r.to,
            after.as_ref().map(|(t, i)| (t.as_str(), *i)),
            500,
        )?;
        let Some(last) = page.last() else { break };
        after = Some((last.time.clone(), last.id));
        load_evidence(conn, &mut page)?;
        for f in page {
            each(f)?;
        }
    }
    Ok(())
}
