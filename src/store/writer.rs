//! Writes normalised records with their evidence, deduplicating on each source's natural key.
//!
//! A fresh record costs one INSERT. When the key already exists, the new record's evidence is
//! kept in `extra_evidence` (unless those exact bytes are already there) and its fields fill the
//! gaps of the existing row: a dashboard row adds IP and device to a report row for the same
//! session. Identical bytes seen again are "already present" and change nothing.

use crate::model::*;
use anyhow::Result;
use rusqlite::{Connection, OptionalExtension, ToSql, Transaction, params};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

/// What happened to one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Added,
    /// Same key, new evidence: gaps filled, evidence kept.
    Merged,
    /// Already in the case; nothing changed.
    Present,
}

/// Per-table tallies for an import summary.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TableCounts {
    pub added: u64,
    pub merged: u64,
    pub present: u64,
    pub rejected: u64,
    /// Understood but deliberately not stored as a record of this table (e.g. a webhook
    /// URL-validation ping, a leave whose join is not in the case).
    pub skipped: u64,
}

#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Counts(pub BTreeMap<String, TableCounts>);

impl Counts {
    fn entry(&mut self, table: &str) -> &mut TableCounts {
        // Look up before allocating: this runs once per record.
        if !self.0.contains_key(table) {
            self.0.insert(table.to_string(), TableCounts::default());
        }
        self.0.get_mut(table).expect("just inserted")
    }
    pub fn note(&mut self, table: &str, o: Outcome) {
        let c = self.entry(table);
        match o {
            Outcome::Added => c.added += 1,
            Outcome::Merged => c.merged += 1,
            Outcome::Present => c.present += 1,
        }
    }
    pub fn reject(&mut self, table: &str) {
        self.entry(table).rejected += 1;
    }
    pub fn skip(&mut self, table: &str) {
        self.entry(table).skipped += 1;
    }
    pub fn add(&mut self, other: &Counts) {
        for (k, v) in &other.0 {
            let c = self.0.entry(k.clone()).or_default();
            c.added += v.added;
            c.merged += v.merged;
            c.present += v.present;
            c.rejected += v.rejected;
            c.skipped += v.skipped;
        }
    }
    pub fn total_rejected(&self) -> u64 {
        self.0.values().map(|c| c.rejected).sum()
    }
}

/// How existing values combine with a new record's on a key collision.
#[derive(Clone, Copy, PartialEq)]
enum Merge {
    /// Existing non-blank values stay; blanks are filled (evidence-like tables).
    Fill,
    /// New non-null values win (current-state tables such as the users directory).
    Replace,
}

struct Spec {
    table: &'static str,
    /// Columns, key columns first.
    cols: &'static [&'static str],
    nkey: usize,
    /// Boolean columns where true wins on merge.
    or_cols: &'static [&'static str],
    merge: Merge,
    /// The spec's SQL, built once (the hot path must not format SQL per record).
    sql: OnceLock<SpecSql>,
}

struct SpecSql {
    insert: String,
    select: String,
    update: String,
}

impl SpecSql {
    fn build(spec: &Spec) -> SpecSql {
        let n = spec.cols.len();
        let insert = format!(
            "INSERT INTO {} ({}, origin_id, line, raw, sha256) VALUES ({}) ON CONFLICT DO NOTHING",
            spec.table,
            spec.cols.join(", "),
            (1..=n + 4)
                .map(|i| format!("?{i}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let select = format!(
            "SELECT id, sha256 FROM {} WHERE {}",
            spec.table,
            spec.cols[..spec.nkey]
                .iter()
                .enumerate()
                .map(|(i, c)| format!("{c} = ?{}", i + 1))
                .collect::<Vec<_>>()
                .join(" AND ")
        );
        let sets = spec.cols[spec.nkey..]
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let p = i + 1;
                if spec.or_cols.contains(c) {
                    format!("{c} = MAX(COALESCE({c}, 0), COALESCE(?{p}, 0))")
                } else if spec.merge == Merge::Replace {
                    format!("{c} = COALESCE(?{p}, {c})")
                } else {
                    format!("{c} = COALESCE(NULLIF({c}, ''), ?{p}, {c})")
                }
            })
            .collect::<Vec<_>>()
            .join(", ");
        let update = format!(
            "UPDATE {} SET {sets} WHERE id = ?{}",
            spec.table,
            n - spec.nkey + 1
        );
        SpecSql {
            insert,
            select,
            update,
        }
    }
}

static USERS: Spec = Spec {
    table: "users",
    cols: &[
        "ukey",
        "zoom_id",
        "email",
        "first_name",
        "last_name",
        "display_name",
        "user_type",
        "status",
        "role_id",
        "role_name",
        "dept",
        "timezone",
        "pmi",
        "last_client_version",
        "last_login_time",
        "created_at",
    ],
    nkey: 1,
    or_cols: &[],
    merge: Merge::Replace,
    sql: OnceLock::new(),
};
static SIGNINS: Spec = Spec {
    table: "signins",
    cols: &[
        "email",
        "time",
        "activity",
        "ip_address",
        "client_type",
        "version",
        "login_type",
        "via",
    ],
    nkey: 6,
    or_cols: &[],
    merge: Merge::Fill,
    sql: OnceLock::new(),
};
static OPERATIONS: Spec = Spec {
    table: "operations",
    cols: &[
        "time",
        "operator",
        "category_type",
        "action",
        "operation_detail",
        "via",
    ],
    nkey: 5,
    or_cols: &[],
    merge: Merge::Fill,
    sql: OnceLock::new(),
};
static MEETINGS: Spec = Spec {
    table: "meetings",
    cols: &[
        "uuid",
        "meeting_id",
        "topic",
        "host_id",
        "host_email",
        "host_name",
        "meeting_type",
        "start_time",
        "end_time",
        "duration",
        "participants_count",
        "has_screen_share",
        "has_recording",
        "has_chat",
        "via",
    ],
    nkey: 1,
    or_cols: &["has_screen_share", "has_recording", "has_chat"],
    merge: Merge::Fill,
    sql: OnceLock::new(),
};
static PARTICIPANTS: Spec = Spec {
    table: "participants",
    cols: &[
        "meeting_uuid",
        "user_id",
        "join_time",
        "meeting_id",
        "zoom_user_id",
        "participant_uuid",
        "name",
        "email",
        "leave_time",
        "duration",
        "status",
        "role",
        "registrant_id",
        "customer_key",
        "failover",
        "ip_address",
        "location",
        "network_type",
        "data_center",
        "connection_type",
        "device",
        "os",
        "os_version",
        "pc_name",
        "domain",
        "mac_addr",
        "harddisk_id",
        "version",
        "leave_reason",
        "share_application",
        "share_desktop",
        "share_whiteboard",
        "recording",
        "in_report",
        "in_metrics",
        "in_webhook",
    ],
    nkey: 3,
    or_cols: &[
        "share_application",
        "share_desktop",
        "share_whiteboard",
        "recording",
        "in_report",
        "in_metrics",
        "in_webhook",
    ],
    merge: Merge::Fill,
    sql: OnceLock::new(),
};
static RECORDINGS: Spec = Spec {
    table: "recordings",
    cols: &[
        "meeting_uuid",
        "meeting_id",
        "host_id",
        "host_email",
        "topic",
        "start_time",
        "duration",
        "total_size",
        "recording_count",
        "share_url",
        "deleted_time",
        "via",
    ],
    nkey: 1,
    or_cols: &[],
    merge: Merge::Fill,
    sql: OnceLock::new(),
};
static CHAT: Spec = Spec {
    table: "chat_messages",
    cols: &[
        "message_id",
        "owner",
        "sender",
        "sender_display_name",
        "time",
        "message",
        "status",
        "to_contact",
        "to_channel",
        "reply_main_message_id",
    ],
    nkey: 1,
    or_cols: &[],
    merge: Merge::Fill,
    sql: OnceLock::new(),
};
static WEBHOOKS: Spec = Spec {
    table: "webhook_events",
    cols: &[
        "event",
        "event_ts",
        "payload_sha256",
        "time",
        "account_id",
        "operator",
        "object_id",
    ],
    nkey: 3,
    or_cols: &[],
    merge: Merge::Fill,
    sql: OnceLock::new(),
};
static DEPARTURES: Spec = Spec {
    table: "departures",
    cols: &["email", "departed_at"],
    nkey: 1,
    or_cols: &[],
    merge: Merge::Replace,
    sql: OnceLock::new(),
};
static ASSETS: Spec = Spec {
    table: "assets",
    cols: &["pc_name", "mac_addr", "owner_email"],
    nkey: 3,
    or_cols: &[],
    merge: Merge::Fill,
    sql: OnceLock::new(),
};
static VIPS: Spec = Spec {
    table: "vips",
    cols: &["email", "name", "title"],
    nkey: 1,
    or_cols: &[],
    merge: Merge::Replace,
    sql: OnceLock::new(),
};

static MEETING_ACTIVITIES: Spec = Spec {
    table: "meeting_activities",
    cols: &[
        "time",
        "meeting_number",
        "operator_email",
        "category",
        "detail",
        "operator",
    ],
    nkey: 5,
    or_cols: &[],
    merge: Merge::Fill,
    sql: OnceLock::new(),
};

/// One row of the meeting audit trail (`/report/meeting_activities`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MeetingActivity {
    pub time: String,
    pub meeting_number: i64,
    pub operator: Option<String>,
    /// Blank when the log has none (part of the natural key, so never NULL).
    pub operator_email: String,
    pub category: String,
    pub detail: String,
}

/// One write batch: an open transaction plus the tallies of what it did.
pub struct Writer<'c> {
    tx: Transaction<'c>,
    pub counts: Counts,
    /// (source, line, reason) of the first rejects of this batch, for summaries.
    pub first_rejects: Vec<(String, Option<i64>, String)>,
    /// Search terms already indexed in this batch, per kind (names and emails repeat on every
    /// session; looked up without allocating).
    seen_terms: HashMap<&'static str, HashSet<String>>,
}

fn b(v: Option<bool>) -> Option<i64> {
    v.map(i64::from)
}

impl<'c> Writer<'c> {
    pub(crate) fn begin(conn: &'c mut Connection) -> Result<Writer<'c>> {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        Ok(Writer {
            tx,
            counts: Counts::default(),
            first_rejects: Vec::new(),
            seen_terms: HashMap::new(),
        })
    }

    /// Commit the batch atomically, returning its tallies.
    pub fn commit(self) -> Result<Counts> {
        self.tx.commit()?;
        Ok(self.counts)
    }

    /// Direct access for modules that keep their own tables (findings, coverage, annotations).
    pub fn conn(&self) -> &Connection {
        &self.tx
    }

    /// The id of an origin, creating it if new.
    pub fn origin(&mut self, o: &Origin) -> Result<i64> {
        self.tx
            .prepare_cached(
                "INSERT INTO origins (kind, source, query, fetched_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT DO NOTHING",
            )?
            .execute(params![o.kind, o.source, o.query, o.fetched_at])?;
        Ok(self.tx.prepare_cached(
            "SELECT id FROM origins WHERE kind = ?1 AND source = ?2 AND query = ?3 AND fetched_at = ?4",
        )?
        .query_row(params![o.kind, o.source, o.query, o.fetched_at], |r| r.get(0))?)
    }

    fn put(&mut self, spec: &Spec, vals: &[&dyn ToSql], ev: &Evidence) -> Result<(Outcome, i64)> {
        debug_assert_eq!(vals.len(), spec.cols.len());
        let sql = spec.sql.get_or_init(|| SpecSql::build(spec));
        let tail: [&dyn ToSql; 4] = [&ev.origin_id, &ev.line, &ev.raw, &ev.sha256];
        let inserted = self
            .tx
            .prepare_cached(&sql.insert)?
            .execute(rusqlite::params_from_iter(vals.iter().chain(tail.iter())))?;
        if inserted == 1 {
            let id = self.tx.last_insert_rowid();
            self.counts.note(spec.table, Outcome::Added);
            return Ok((Outcome::Added, id));
        }
        let (id, sha): (i64, String) = self
            .tx
            .prepare_cached(&sql.select)?
            .query_row(&vals[..spec.nkey], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let outcome = if sha == ev.sha256 || !self.extra_evidence(spec.table, id, ev)? {
            Outcome::Present
        } else {
            let id_param: [&dyn ToSql; 1] = [&id];
            self.tx
                .prepare_cached(&sql.update)?
                .execute(rusqlite::params_from_iter(
                    vals[spec.nkey..].iter().chain(id_param.iter()),
                ))?;
            Outcome::Merged
        };
        self.counts.note(spec.table, outcome);
        Ok((outcome, id))
    }

    /// Keep further evidence for an existing row; false when those bytes are already kept.
    fn extra_evidence(&mut self, table: &str, row_id: i64, ev: &Evidence) -> Result<bool> {
        Ok(self
            .tx
            .prepare_cached(
                "INSERT INTO extra_evidence (tbl, row_id, origin_id, line, raw, sha256)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
            )?
            .execute(params![
                table,
                row_id,
                ev.origin_id,
                ev.line,
                ev.raw,
                ev.sha256
            ])?
            == 1)
    }

    /// Index a value for full-text search (once per distinct value).
    pub fn search_term(&mut self, kind: &'static str, value: &str) -> Result<()> {
        let value = value.trim();
        if value.is_empty()
            || self
                .seen_terms
                .get(kind)
                .is_some_and(|seen| seen.contains(value))
        {
            return Ok(());
        }
        self.tx
            .prepare_cached(
                "INSERT INTO search_terms (kind, value) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            )?
            .execute(params![kind, value])?;
        self.seen_terms
            .entry(kind)
            .or_default()
            .insert(value.to_string());
        Ok(())
    }

    fn terms(&mut self, pairs: &[(&'static str, Option<&str>)]) -> Result<()> {
        for (k, v) in pairs {
            if let Some(v) = v {
                self.search_term(k, v)?;
            }
        }
        Ok(())
    }

    pub fn user(&mut self, u: &User, ev: &Evidence) -> Result<Outcome> {
        let ukey = match &u.zoom_id {
            Some(id) if !id.is_empty() => id.clone(),
            _ => u.email.to_lowercase(),
        };
        let (o, _) = self.put(
            &USERS,
            &[
                &ukey,
                &u.zoom_id,
                &u.email,
                &u.first_name,
                &u.last_name,
                &u.display_name,
                &u.user_type,
                &u.status,
                &u.role_id,
                &u.role_name,
                &u.dept,
                &u.timezone,
                &u.pmi,
                &u.last_client_version,
                &u.last_login_time,
                &u.created_at,
            ],
            ev,
        )?;
        let full = match (&u.first_name, &u.last_name) {
            (Some(f), Some(l)) => Some(format!("{f} {l}")),
            _ => None,
        };
        self.terms(&[
            ("email", Some(&u.email)),
            ("name", u.display_name.as_deref()),
            ("name", full.as_deref()),
        ])?;
        Ok(o)
    }

    pub fn signin(&mut self, s: &SignIn, ev: &Evidence) -> Result<Outcome> {
        let blank = |v: &Option<String>| v.clone().unwrap_or_default();
        let (ip, ct, ver) = (
            blank(&s.ip_address),
            blank(&s.client_type),
            blank(&s.version),
        );
        let (o, _) = self.put(
            &SIGNINS,
            &[
                &s.email,
                &s.time,
                &s.activity,
                &ip,
                &ct,
                &ver,
                &s.login_type,
                &s.via,
            ],
            ev,
        )?;
        self.terms(&[("email", Some(&s.email)), ("ip", s.ip_address.as_deref())])?;
        Ok(o)
    }

    /// Store an operation and, when new, its parsed changes.
    pub fn operation(&mut self, op: &Operation, ev: &Evidence) -> Result<Outcome> {
        let (o, id) = self.put(
            &OPERATIONS,
            &[
                &op.time,
                &op.operator,
                &op.category_type,
                &op.action,
                &op.operation_detail,
                &op.via,
            ],
            ev,
        )?;
        if o == Outcome::Added {
            let changes = opdetail::parse(&op.category_type, &op.action, &op.operation_detail);
            let mut st = self.tx.prepare_cached(
                "INSERT INTO op_changes (operation_id, seq, kind, section, setting, from_value,
                 to_value, target, meeting_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            for (seq, c) in changes.iter().enumerate() {
                st.execute(params![
                    id,
                    seq as i64,
                    c.kind,
                    c.section,
                    c.setting,
                    c.from,
                    c.to,
                    c.target,
                    c.meeting_id
                ])?;
            }
            drop(st);
            self.terms(&[
                ("detail", Some(&op.operation_detail)),
                ("email", Some(&op.operator)),
            ])?;
        }
        Ok(o)
    }

    pub fn meeting(&mut self, m: &Meeting, ev: &Evidence) -> Result<Outcome> {
        let (o, _) = self.put(
            &MEETINGS,
            &[
                &m.uuid,
                &m.meeting_id,
                &m.topic,
                &m.host_id,
                &m.host_email,
                &m.host_name,
                &m.meeting_type,
                &m.start_time,
                &m.end_time,
                &m.duration,
                &m.participants_count,
                &b(m.has_screen_share),
                &b(m.has_recording),
                &b(m.has_chat),
                &m.via,
            ],
            ev,
        )?;
        self.terms(&[
            ("topic", m.topic.as_deref()),
            ("email", m.host_email.as_deref()),
        ])?;
        Ok(o)
    }

    pub fn participant(&mut self, p: &Participant, ev: &Evidence) -> Result<Outcome> {
        let flag = |via: &str| i64::from(p.via == via);
        let (o, _) = self.put(
            &PARTICIPANTS,
            &[
                &p.meeting_uuid,
                &p.user_id,
                &p.join_time,
                &p.meeting_id,
                &p.zoom_user_id,
                &p.participant_uuid,
                &p.name,
                &p.email,
                &p.leave_time,
                &p.duration,
                &p.status,
                &p.role,
                &p.registrant_id,
                &p.customer_key,
                &b(p.failover),
                &p.ip_address,
                &p.location,
                &p.network_type,
                &p.data_center,
                &p.connection_type,
                &p.device,
                &p.os,
                &p.os_version,
                &p.pc_name,
                &p.domain,
                &p.mac_addr,
                &p.harddisk_id,
                &p.version,
                &p.leave_reason,
                &b(p.share_application),
                &b(p.share_desktop),
                &b(p.share_whiteboard),
                &b(p.recording),
                &flag("report"),
                &flag("metrics"),
                &flag("webhook"),
            ],
            ev,
        )?;
        self.terms(&[
            ("name", p.name.as_deref()),
            ("email", p.email.as_deref()),
            ("ip", p.ip_address.as_deref()),
            ("device", p.pc_name.as_deref()),
        ])?;
        Ok(o)
    }

    /// A leave without its join (webhook `participant_left`): closes the latest open session of
    /// that participant that began before the leave. Returns false when no session matched.
    pub fn participant_left(
        &mut self,
        meeting_uuid: &str,
        user_id: &str,
        leave_time: &str,
        leave_reason: Option<&str>,
        ev: &Evidence,
    ) -> Result<bool> {
        let id: Option<i64> = self
            .tx
            .prepare_cached(
                "SELECT id FROM participants WHERE meeting_uuid = ?1 AND user_id = ?2
                 AND join_time <= ?3 AND (leave_time IS NULL OR leave_time = ?3)
                 ORDER BY join_time DESC LIMIT 1",
            )?
            .query_row(params![meeting_uuid, user_id, leave_time], |r| r.get(0))
            .optional()?;
        let Some(id) = id else { return Ok(false) };
        if self.extra_evidence("participants", id, ev)? {
            self.tx
                .prepare_cached(
                    "UPDATE participants SET leave_time = ?1,
                     leave_reason = COALESCE(NULLIF(leave_reason, ''), ?2),
                     duration = COALESCE(duration, CAST(strftime('%s', ?1) - strftime('%s', join_time) AS INTEGER)),
                     in_webhook = 1 WHERE id = ?3",
                )?
                .execute(params![leave_time, leave_reason, id])?;
            self.counts.note("participants", Outcome::Merged);
        } else {
            self.counts.note("participants", Outcome::Present);
        }
        Ok(true)
    }

    pub fn recording(&mut self, r: &Recording, ev: &Evidence) -> Result<Outcome> {
        let (o, id) = self.put(
            &RECORDINGS,
            &[
                &r.meeting_uuid,
                &r.meeting_id,
                &r.host_id,
                &r.host_email,
                &r.topic,
                &r.start_time,
                &r.duration,
                &r.total_size,
                &r.recording_count,
                &r.share_url,
                &r.deleted_time,
                &r.via,
            ],
            ev,
        )?;
        for f in &r.files {
            let fkey = match &f.file_id {
                Some(id) if !id.is_empty() => id.clone(),
                _ => format!(
                    "{}|{}|{}",
                    r.meeting_uuid,
                    f.file_type.as_deref().unwrap_or(""),
                    f.recording_start.as_deref().unwrap_or("")
                ),
            };
            self.tx
                .prepare_cached(
                    "INSERT INTO recording_files (fkey, recording_id, meeting_uuid, file_id, file_type,
                     file_extension, file_size, recording_start, recording_end, recording_type, status,
                     play_url, download_url, deleted_time)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
                     ON CONFLICT (fkey) DO UPDATE SET
                       deleted_time = COALESCE(deleted_time, excluded.deleted_time),
                       status = COALESCE(excluded.status, status)",
                )?
                .execute(params![
                    fkey, id, r.meeting_uuid, f.file_id, f.file_type, f.file_extension, f.file_size,
                    f.recording_start, f.recording_end, f.recording_type, f.status, f.play_url,
                    f.download_url, f.deleted_time
                ])?;
        }
        self.terms(&[("topic", r.topic.as_deref())])?;
        Ok(o)
    }

    pub fn chat(&mut self, c: &ChatMessage, ev: &Evidence) -> Result<Outcome> {
        let (o, _) = self.put(
            &CHAT,
            &[
                &c.message_id,
                &c.owner,
                &c.sender,
                &c.sender_display_name,
                &c.time,
                &c.message,
                &c.status,
                &c.to_contact,
                &c.to_channel,
                &c.reply_main_message_id,
            ],
            ev,
        )?;
        if o == Outcome::Added {
            self.terms(&[
                ("chat", c.message.as_deref()),
                ("name", c.sender_display_name.as_deref()),
            ])?;
        }
        Ok(o)
    }

    pub fn webhook_event(&mut self, w: &WebhookEvent, ev: &Evidence) -> Result<Outcome> {
        let (o, _) = self.put(
            &WEBHOOKS,
            &[
                &w.event,
                &w.event_ts,
                &w.payload_sha256,
                &w.time,
                &w.account_id,
                &w.operator,
                &w.object_id,
            ],
            ev,
        )?;
        Ok(o)
    }

    pub fn meeting_activity(&mut self, a: &MeetingActivity, ev: &Evidence) -> Result<Outcome> {
        let (o, _) = self.put(
            &MEETING_ACTIVITIES,
            &[
                &a.time,
                &a.meeting_number,
                &a.operator_email,
                &a.category,
                &a.detail,
                &a.operator,
            ],
            ev,
        )?;
        self.terms(&[
            ("email", Some(&a.operator_email)),
            ("name", a.operator.as_deref()),
        ])?;
        Ok(o)
    }

    pub fn departure(&mut self, d: &Departure, ev: &Evidence) -> Result<Outcome> {
        Ok(self.put(&DEPARTURES, &[&d.email, &d.departed_at], ev)?.0)
    }

    pub fn asset(&mut self, a: &Asset, ev: &Evidence) -> Result<Outcome> {
        let pc = a.pc_name.clone().unwrap_or_default();
        let mac = a.mac_addr.clone().unwrap_or_default();
        Ok(self.put(&ASSETS, &[&pc, &mac, &a.owner_email], ev)?.0)
    }

    pub fn vip(&mut self, v: &Vip, ev: &Evidence) -> Result<Outcome> {
        Ok(self.put(&VIPS, &[&v.email, &v.name, &v.title], ev)?.0)
    }

    /// Keep a record that could not be used, whole, with the reason. `table` names the table
    /// it was meant for (for the summary); the same bytes at the same place are kept once.
    pub fn reject(
        &mut self,
        table: &str,
        source: &str,
        line: Option<i64>,
        reason: &str,
        raw: &str,
    ) -> Result<()> {
        let sha = crate::util::sha256_hex(raw.as_bytes());
        let now = crate::model::time::fmt_utc(chrono::Utc::now());
        self.tx
            .prepare_cached(
                "INSERT INTO rejects (source, line, reason, raw, sha256, rejected_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
            )?
            .execute(params![source, line, reason, raw, sha, now])?;
        self.counts.reject(table);
        if self.first_rejects.len() < 20 {
            self.first_rejects
                .push((source.to_string(), line, reason.to_string()));
        }
        Ok(())
    }
}
