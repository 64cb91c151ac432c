//! Writes normalised records with their evidence, deduplicating on each source's natural key.
//!
//! A fresh record costs one INSERT. When the key already exists, the new record's evidence is
//! kept in `extra_evidence` (unless those exact bytes are already there) and its fields fill the
//! gaps of the existing row: a dashboard row adds IP and device to a report row for the same
//! session. Identical bytes seen again are "already present" and change nothing.
//!
//! Sign-ins have no natural key all doors share (a webhook has no IP), so they match on email,
//! second and activity plus compatible details instead: see [`Writer::signin`].

use crate::model::*;
use crate::util::Sha256Sum;
use anyhow::Result;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, ToSql, Transaction, params};
use std::collections::BTreeMap;
use std::sync::OnceLock;

mod newer;
pub use newer::{Disclaimer, HistoryMeeting, RecordingAccess, RemoteSupport, RiskAlert};

/// The dictionary key (see [`super::raw`]) under which a new record's evidence is stored, for a
/// reader that compresses it ahead of the writer (`ingest::sink`). Further evidence for a row
/// already in the case goes under another key, which only the writer can tell.
pub trait EvidenceKey {
    fn evidence_key(&self) -> std::borrow::Cow<'static, str>;

    /// The door the record came through, where records of one table come through several
    /// (a [`Route`]'s shape).
    fn evidence_shape(&self) -> &'static str {
        ""
    }

    /// The record's [`Route`].
    fn route(&self) -> Route {
        Route {
            key: self.evidence_key(),
            shape: self.evidence_shape(),
        }
    }
}

/// [`EvidenceKey`] for records kept in the table of a [`Spec`]; `via` after the table for
/// records whose `via` field names their door.
macro_rules! evidence_in {
    ($($ty:ty => $spec:expr $(, $via:ident)?);* $(;)?) => {$(
        impl EvidenceKey for $ty {
            fn evidence_key(&self) -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed($spec.table)
            }
            $(fn evidence_shape(&self) -> &'static str {
                shape_of(&self.$via)
            })?
        }
    )*};
}
pub(crate) use evidence_in;

evidence_in! {
    User => USERS; Operation => OPERATIONS, via; Meeting => MEETINGS, via;
    Participant => PARTICIPANTS, via; Recording => RECORDINGS, via; ChatMessage => CHAT;
    WebhookEvent => WEBHOOKS; MeetingActivity => MEETING_ACTIVITIES; Departure => DEPARTURES;
    Asset => ASSETS; Vip => VIPS;
}

impl EvidenceKey for SignIn {
    fn evidence_key(&self) -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed(SIGNINS)
    }

    fn evidence_shape(&self) -> &'static str {
        shape_of(&self.via)
    }
}

impl EvidenceKey for WaitingStay {
    fn evidence_key(&self) -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed(WAITING)
    }
}

impl EvidenceKey for crate::model::beyond::IdpEvent {
    fn evidence_key(&self) -> std::borrow::Cow<'static, str> {
        super::raw::source_key(IDP.table, &self.source).into()
    }
}

impl EvidenceKey for crate::model::beyond::DataAccess {
    fn evidence_key(&self) -> std::borrow::Cow<'static, str> {
        super::raw::source_key(DATA_ACCESS.table, &self.source).into()
    }
}

/// The two record tables written by their own SQL rather than through a [`Spec`].
const SIGNINS: &str = "signins";
const WAITING: &str = "waiting_room";

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

impl Spec {
    const fn new(
        table: &'static str,
        cols: &'static [&'static str],
        nkey: usize,
        merge: Merge,
    ) -> Spec {
        Spec {
            table,
            cols,
            nkey,
            or_cols: &[],
            merge,
            sql: OnceLock::new(),
        }
    }

    const fn or_cols(mut self, or_cols: &'static [&'static str]) -> Spec {
        self.or_cols = or_cols;
        self
    }
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

static USERS: Spec = Spec::new(
    "users",
    &[
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
    1,
    Merge::Replace,
);
static OPERATIONS: Spec = Spec::new(
    "operations",
    &[
        "time",
        "operator",
        "category_type",
        "action",
        "operation_detail",
        "via",
    ],
    5,
    Merge::Fill,
);
static MEETINGS: Spec = Spec::new(
    "meetings",
    &[
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
    1,
    Merge::Fill,
)
.or_cols(&["has_screen_share", "has_recording", "has_chat"]);
static PARTICIPANTS: Spec = Spec::new(
    "participants",
    &[
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
    3,
    Merge::Fill,
)
.or_cols(&[
    "share_application",
    "share_desktop",
    "share_whiteboard",
    "recording",
    "in_report",
    "in_metrics",
    "in_webhook",
]);
static RECORDINGS: Spec = Spec::new(
    "recordings",
    &[
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
    1,
    Merge::Fill,
);
static CHAT: Spec = Spec::new(
    "chat_messages",
    &[
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
    1,
    Merge::Fill,
);
static WEBHOOKS: Spec = Spec::new(
    "webhook_events",
    &[
        "event",
        "event_ts",
        "payload_sha256",
        "time",
        "account_id",
        "operator",
        "object_id",
    ],
    3,
    Merge::Fill,
);
static CHANNELS: Spec = Spec::new(
    "chat_channels",
    &["channel_id", "name", "type"],
    1,
    Merge::Replace,
);
static DEPARTURES: Spec = Spec::new("departures", &["email", "departed_at"], 1, Merge::Replace);
static ASSETS: Spec = Spec::new(
    "assets",
    &["pc_name", "mac_addr", "owner_email"],
    3,
    Merge::Fill,
);
static VIPS: Spec = Spec::new("vips", &["email", "name", "title"], 1, Merge::Replace);

static MEETING_ACTIVITIES: Spec = Spec::new(
    "meeting_activities",
    &[
        "time",
        "meeting_number",
        "operator_email",
        "category",
        "detail",
        "operator",
    ],
    5,
    Merge::Fill,
);

// issue 19: identity-provider and file-access events (keyed by source and the source's id).
static IDP: Spec = Spec::new(
    "idp_log",
    &[
        "source",
        "event_id",
        "time",
        "user",
        "ip",
        "action",
        "outcome",
        "is_signin",
        "is_admin_action",
        "app",
        "target",
        "client",
        "session_id",
        "location",
        "country",
    ],
    2,
    Merge::Fill,
);
static DATA_ACCESS: Spec = Spec::new(
    "data_access_log",
    &[
        "source",
        "event_id",
        "time",
        "user",
        "action",
        "vendor_action",
        "resource",
        "sensitivity",
        "ip",
        "shared_with",
    ],
    2,
    Merge::Fill,
);

/// What a participant shared (`sharing_details.content` of a sharing webhook).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shared {
    Desktop,
    Application,
    Whiteboard,
}

/// One participant's stays in one meeting's waiting room (?1 meeting, ?2 participant uuid,
/// ?3 user id): by participant uuid when the event has one.
const SAME_STAY: &str = "meeting_uuid = ?1 AND ((participant_uuid <> '' AND participant_uuid = ?2)
     OR (participant_uuid = '' AND user_id = ?3))";

/// One waiting-room event's participant: who, in which meeting, and when.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WaitingStay {
    pub meeting_uuid: String,
    pub meeting_id: Option<i64>,
    pub user_id: String,
    pub participant_uuid: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub at: String,
}

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
    /// Things stored with something unknown, for the summary (what, how many records).
    pub notes: std::collections::BTreeMap<&'static str, u64>,
    /// Search terms indexed in this batch, per kind (names and emails repeat on every
    /// session; looked up without allocating).
    seen_terms: TermSets,
    /// Those earlier batches committed.
    committed_terms: &'c mut Terms,
    /// Compresses each record's verbatim bytes (the one place raw is encoded).
    codec: super::raw::Encoder,
    /// The webhook delivery being normalised: (its SHA-256, the `webhook_events` row holding
    /// exactly those bytes). Records it reports point at that row instead of a second copy.
    delivery: Option<(Sha256Sum, i64)>,
}

/// Whether bytes with SHA-256 `?2` are kept as further evidence of some row of table `?1`:
/// found through `extra_evidence_sha`, the index on the hash's first 8 bytes (schema 15). The
/// unary `+`s keep the plan from depending on the planner: SQLite 3.40 substitutes `?2` for
/// `sha256` inside the indexed expression and then scans the table (the bundled 3.54 does
/// not), and the index by table and row could otherwise look as good.
const EXTRA_KEPT: &str = "SELECT 1 FROM extra_evidence
     WHERE substr(sha256, 1, 8) = substr(?2, 1, 8) AND +tbl = ?1 AND +sha256 = ?2";

/// Keep bytes as further evidence (`?1` table, `?2` SHA-256, then row id, origin, line, raw)
/// unless [`EXTRA_KEPT`] finds them; one insert or none.
static EXTRA_INSERT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "INSERT INTO extra_evidence (tbl, row_id, origin_id, line, raw, sha256)
         SELECT ?1, ?3, ?4, ?5, ?6, ?2 WHERE NOT EXISTS ({EXTRA_KEPT})"
    )
});

/// Keep row `id` of `table`'s own evidence, as stored, as further evidence of it (before the
/// row takes another record's), unless those bytes are kept already.
fn keep_own_as_extra(conn: &Connection, table: &str, id: i64) -> Result<()> {
    let own: Option<(i64, Option<i64>, Value, Value)> = conn
        .prepare_cached(&format!(
            "SELECT origin_id, line, raw, sha256 FROM \"{table}\" WHERE id = ?1"
        ))?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?;
    if let Some((origin, line, raw, sha)) = own {
        conn.prepare_cached(&EXTRA_INSERT)?
            .execute(params![table, sha, id, origin, line, raw])?;
    }
    Ok(())
}

/// The summary note for operation-log records without an operator.
pub const NOTE_NO_OPERATOR: &str =
    "operation-log records name no operator: stored with the operator unknown (empty)";

fn b(v: Option<bool>) -> Option<i64> {
    v.map(i64::from)
}

/// Search terms a store's writers have committed, so that a large import's later batches do
/// not offer the same IP addresses and names to the index again (7% of the CPU of a month of
/// 2,000 people's import).
#[derive(Default)]
pub(crate) struct Terms {
    kinds: TermSets,
    len: usize,
}

/// Values per kind of term. foldhash rather than std's SipHash: every participant row looks up
/// four terms (SipHash was 5% of a Dashboard import's writing thread), and foldhash's seeds
/// are still random per process.
type TermSets = foldhash::HashMap<&'static str, foldhash::HashSet<String>>;

impl Terms {
    /// Enough for the distinct addresses, names and topics of a month of a large company.
    const MAX: usize = 2_000_000;

    fn contains(&self, kind: &str, value: &str) -> bool {
        self.kinds.get(kind).is_some_and(|s| s.contains(value))
    }

    fn absorb(&mut self, batch: TermSets) {
        for (kind, values) in batch {
            self.len += values.len();
            self.kinds.entry(kind).or_default().extend(values);
        }
        if self.len > Self::MAX {
            *self = Terms::default();
        }
    }
}

impl<'c> Writer<'c> {
    pub(crate) fn begin(conn: &'c mut Connection, terms: &'c mut Terms) -> Result<Writer<'c>> {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        Ok(Writer {
            tx,
            counts: Counts::default(),
            first_rejects: Vec::new(),
            notes: Default::default(),
            seen_terms: TermSets::default(),
            committed_terms: terms,
            codec: Default::default(),
            delivery: None,
        })
    }

    /// Commit the batch atomically, returning its tallies.
    pub fn commit(mut self) -> Result<Counts> {
        self.codec.finish(&self.tx)?;
        self.tx.commit()?;
        self.committed_terms.absorb(self.seen_terms);
        Ok(self.counts)
    }

    /// Publish the dictionaries this batch loads to a reader compressing ahead of it.
    pub fn share_dicts(&mut self, shared: super::raw::Shared) {
        self.codec.share(shared);
    }

    /// Direct access for modules that keep their own tables (findings, coverage, annotations).
    pub fn conn(&self) -> &Connection {
        &self.tx
    }

    /// The id of an origin, creating it if new.
    pub fn origin(&mut self, o: &Origin) -> Result<i64> {
        let inserted = self
            .tx
            .prepare_cached(
                "INSERT INTO origins (kind, source, query, fetched_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT DO NOTHING",
            )?
            .execute(params![o.kind, o.source, o.query, o.fetched_at])?;
        // A new origin (every page of a capture) is the row just inserted: looking it up
        // again by its four texts was 5% of a Dashboard import's writing thread.
        if inserted == 1 {
            return Ok(self.tx.last_insert_rowid());
        }
        Ok(self.tx.prepare_cached(
            "SELECT id FROM origins WHERE kind = ?1 AND source = ?2 AND query = ?3 AND fetched_at = ?4",
        )?
        .query_row(params![o.kind, o.source, o.query, o.fetched_at], |r| r.get(0))?)
    }

    /// The stored form of a record of `table` (or evidence for one): see [`super::raw`].
    fn raw(&mut self, table: &str, ev: &Evidence) -> Result<Value> {
        if let Some(route) = &ev.route {
            self.codec.went(route, table);
        }
        match &self.delivery {
            Some((sha, id)) if *sha == ev.sha256 && table != super::raw::DELIVERIES => {
                Ok(super::raw::delivery_ref(*id))
            }
            _ => self
                .codec
                .encode_packed(&self.tx, table, &ev.raw, ev.packed.as_deref()),
        }
    }

    fn put(&mut self, spec: &Spec, vals: &[&dyn ToSql], ev: &Evidence) -> Result<(Outcome, i64)> {
        self.put_from(spec, None, vals, ev)
    }

    /// [`Self::put`] for a table whose records differ in shape by `source` (see
    /// [`super::raw::BY_SOURCE`]).
    fn put_from(
        &mut self,
        spec: &Spec,
        source: Option<&str>,
        vals: &[&dyn ToSql],
        ev: &Evidence,
    ) -> Result<(Outcome, i64)> {
        debug_assert_eq!(vals.len(), spec.cols.len());
        let sql = spec.sql.get_or_init(|| SpecSql::build(spec));
        // The last record of its kind merged into a row (a Dashboard row after its report row,
        // a webhook's join after the report): the row is looked for first, sparing an insert
        // that would fail.
        if ev
            .route
            .as_ref()
            .is_some_and(|r| self.codec.went_as_extra(r, spec.table))
        {
            let found = self
                .tx
                .prepare_cached(&sql.select)?
                .query_row(&vals[..spec.nkey], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            if let Some(found) = found {
                return self.merge(spec, sql, vals, ev, found);
            }
        }
        let raw = match source {
            Some(s) => self.raw(&super::raw::source_key(spec.table, s), ev)?,
            None => self.raw(spec.table, ev)?,
        };
        let tail: [&dyn ToSql; 4] = [&ev.origin_id, &ev.line, &raw, &ev.sha256];
        let inserted = self
            .tx
            .prepare_cached(&sql.insert)?
            .execute(rusqlite::params_from_iter(vals.iter().chain(tail.iter())))?;
        if inserted == 1 {
            let id = self.tx.last_insert_rowid();
            self.counts.note(spec.table, Outcome::Added);
            return Ok((Outcome::Added, id));
        }
        let found = self
            .tx
            .prepare_cached(&sql.select)?
            .query_row(&vals[..spec.nkey], |r| Ok((r.get(0)?, r.get(1)?)))?;
        self.merge(spec, sql, vals, ev, found)
    }

    /// A record whose key is row `id` already, with evidence `sha`: further evidence, and its
    /// fields fill the row's gaps, unless it is those bytes again.
    fn merge(
        &mut self,
        spec: &Spec,
        sql: &SpecSql,
        vals: &[&dyn ToSql],
        ev: &Evidence,
        (id, sha): (i64, Sha256Sum),
    ) -> Result<(Outcome, i64)> {
        // Its row was there, whether it merges or is present already (a rerun of an import
        // that was stopped): the next record of its kind is looked for first.
        if let Some(route) = &ev.route {
            self.codec.went(route, &super::raw::extra_key(spec.table));
        }
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
        let raw = self.raw(&super::raw::extra_key(table), ev)?;
        Ok(self.tx.prepare_cached(&EXTRA_INSERT)?.execute(params![
            table,
            ev.sha256,
            row_id,
            ev.origin_id,
            ev.line,
            raw
        ])? == 1)
    }

    /// Index a value for full-text search (once per distinct value).
    pub fn search_term(&mut self, kind: &'static str, value: &str) -> Result<()> {
        let value = value.trim();
        if value.is_empty()
            || self
                .seen_terms
                .get(kind)
                .is_some_and(|seen| seen.contains(value))
            || self.committed_terms.contains(kind, value)
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

    /// Store a sign-in or sign-out, merging the doors that report the same event.
    ///
    /// Zoom has no id for a sign-in, and its doors describe it differently: a `user.signed_in`
    /// webhook has no IP and a lowercase client type ("mac"), `/report/activities` has both
    /// ("Mac", "192.0.2.10"). A record joins an existing row of the same email (any case),
    /// second and activity when their details are compatible (see `SignVals::compatible`);
    /// otherwise it is a sign-in of its own (two sign-ins in one second from two addresses
    /// stay two rows). A merge is `Outcome::Merged`, keeps the new record in `extra_evidence`
    /// and fills the row with `SignVals::merged`; the row's own evidence (`raw`) is always
    /// the record from the richest door, so import order does not change the final row.
    pub fn signin(&mut self, s: &SignIn, ev: &Evidence) -> Result<Outcome> {
        let new = SignVals::of(s);
        let activity = canonical_activity(&s.activity);
        let rows = sign_rows(&self.tx, &s.email, &s.time, &activity)?;
        let o = if rows.is_empty() {
            self.insert_signin(s, &activity, &new, ev)?;
            Outcome::Added
        } else {
            self.match_signin(rows, s, &activity, &new, ev)?
        };
        self.counts.note(SIGNINS, o);
        self.terms(&[("email", Some(&s.email)), ("ip", s.ip_address.as_deref())])?;
        Ok(o)
    }

    /// A sign-in whose email, second and activity the case already has: present, merged into
    /// the compatible row, or another sign-in in that second.
    fn match_signin(
        &mut self,
        rows: Vec<SignRow>,
        s: &SignIn,
        activity: &str,
        new: &SignVals,
        ev: &Evidence,
    ) -> Result<Outcome> {
        Ok(
            if rows.iter().any(|r| r.sha == ev.sha256) || self.kept(SIGNINS, &ev.sha256)? {
                Outcome::Present
            } else {
                match best_match(&rows, new) {
                    Some(row) => {
                        let raw = self.raw(SIGNINS, ev)?;
                        merge_signin(&self.tx, row, new, &s.email, ev, &raw)?;
                        Outcome::Merged
                    }
                    None => {
                        self.insert_signin(s, activity, new, ev)?;
                        Outcome::Added
                    }
                }
            },
        )
    }

    /// Insert a new sign-in row. No stored row has its key: any would be compatible with it.
    /// (`ON CONFLICT DO NOTHING` only spares SQLite a statement journal per row; a conflict
    /// would be a bug, reported as one.)
    fn insert_signin(
        &mut self,
        s: &SignIn,
        activity: &str,
        v: &SignVals,
        ev: &Evidence,
    ) -> Result<()> {
        let raw = self.raw(SIGNINS, ev)?;
        let n = self
            .tx
            .prepare_cached(
                "INSERT INTO signins (email, time, activity, ip_address, client_type, version,
                 login_type, via, origin_id, line, raw, sha256)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT DO NOTHING",
            )?
            .execute(params![
                s.email,
                s.time,
                activity,
                v.ip,
                v.ct,
                v.ver,
                v.login_type,
                v.via,
                ev.origin_id,
                ev.line,
                raw,
                ev.sha256
            ])?;
        anyhow::ensure!(
            n == 1,
            "internal error: sign-in {} {} {} collided with a stored row it does not match",
            crate::output::sanitize(&s.email),
            crate::output::sanitize(&s.time),
            crate::output::sanitize(activity)
        );
        Ok(())
    }

    /// Whether these bytes are already kept as further evidence of some row of `table`.
    fn kept(&self, table: &str, sha256: &Sha256Sum) -> Result<bool> {
        Ok(self
            .tx
            .prepare_cached(EXTRA_KEPT)?
            .exists(params![table, sha256])?)
    }

    /// Store an operation and, when new, its parsed changes. An operation-log entry for a
    /// change the case so far knows only from its settings webhook takes that row over (same
    /// id, so annotations and finding evidence stay), the delivery kept as further evidence.
    pub fn operation(&mut self, op: &Operation, ev: &Evidence) -> Result<Outcome> {
        if op.operator.is_empty() {
            *self.notes.entry(NOTE_NO_OPERATOR).or_default() += 1;
        }
        if op.via != "webhook"
            && !self.operation_exists(op)?
            && let Some(id) = self.counterpart(op, true)?
        {
            let raw = self.raw(OPERATIONS.table, ev)?;
            keep_own_as_extra(&self.tx, OPERATIONS.table, id)?;
            self.tx.execute(
                "UPDATE operations SET time = ?2, operator = ?3, category_type = ?4, action = ?5,
                 operation_detail = ?6, via = ?7 || '+webhook', origin_id = ?8, line = ?9,
                 raw = ?10, sha256 = ?11 WHERE id = ?1",
                params![
                    id,
                    op.time,
                    op.operator,
                    op.category_type,
                    op.action,
                    op.operation_detail,
                    op.via,
                    ev.origin_id,
                    ev.line,
                    raw,
                    ev.sha256
                ],
            )?;
            self.tx
                .execute("DELETE FROM op_changes WHERE operation_id = ?1", [id])?;
            self.op_changes(id, op)?;
            self.counts.note(OPERATIONS.table, Outcome::Merged);
            return Ok(Outcome::Merged);
        }
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
        match o {
            Outcome::Added => self.op_changes(id, op)?,
            // Word for word the same entry through another door (a settings webhook reads
            // exactly like its log entry): the row lists both doors, the log's first.
            Outcome::Merged => {
                self.tx.execute(
                    "UPDATE operations SET via = CASE
                       WHEN via = 'webhook' THEN ?2 || '+webhook'
                       ELSE via || '+' || ?2 END
                     WHERE id = ?1 AND instr(via, ?2) = 0",
                    params![id, op.via],
                )?;
            }
            Outcome::Present => {}
        }
        Ok(o)
    }

    /// A settings change delivered by webhook (see `ingest::settings`): the operation-log
    /// entry for the same change, when the case has it, gains the delivery as evidence;
    /// otherwise the change becomes an operation of its own until its log entry arrives.
    pub fn settings_change(&mut self, op: &Operation, ev: &Evidence) -> Result<Outcome> {
        if !self.operation_exists(op)?
            && let Some(id) = self.counterpart(op, false)?
        {
            let outcome = if self.extra_evidence(OPERATIONS.table, id, ev)? {
                self.tx.execute(
                    "UPDATE operations SET via = via || '+webhook'
                     WHERE id = ?1 AND via NOT LIKE '%webhook%'",
                    [id],
                )?;
                Outcome::Merged
            } else {
                Outcome::Present
            };
            self.counts.note(OPERATIONS.table, outcome);
            return Ok(outcome);
        }
        self.operation(op, ev)
    }

    fn operation_exists(&self, op: &Operation) -> Result<bool> {
        Ok(self
            .tx
            .prepare_cached(
                "SELECT 1 FROM operations WHERE time = ?1 AND operator = ?2
                 AND category_type = ?3 AND action = ?4 AND operation_detail = ?5",
            )?
            .exists(params![
                op.time,
                op.operator,
                op.category_type,
                op.action,
                op.operation_detail
            ])?)
    }

    /// The stored operation that records the same change as `op` from the other door: same
    /// operator, within two minutes, values that correspond (`opdetail::correspondence`);
    /// `webhook_rows` picks which door's rows to search. The best-corresponding, then the
    /// nearest, wins; rows already holding both doors come last, so two changes made
    /// within the window pair up one to one.
    fn counterpart(&self, op: &Operation, webhook_rows: bool) -> Result<Option<i64>> {
        const WINDOW_SECS: i64 = 120;
        if op.operator.is_empty() {
            return Ok(None);
        }
        let Some(t) = crate::model::time::parse_time(&op.time) else {
            return Ok(None);
        };
        let span = chrono::Duration::seconds(WINDOW_SECS);
        let fmt = crate::model::time::fmt_utc;
        let (lo, hi) = (fmt(t - span), fmt(t + span));
        let mine = opdetail::parse(&op.category_type, &op.action, &op.operation_detail);
        let mut st = self.tx.prepare_cached(
            "SELECT id, time, category_type, action, operation_detail, via FROM operations
             WHERE operator = ?1 AND time BETWEEN ?2 AND ?3",
        )?;
        let rows = st.query_map(params![op.operator, lo, hi], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?;
        let mut best: Option<((bool, usize, i64), i64)> = None;
        for row in rows {
            let (id, time, cat, action, detail, via) = row?;
            let is_webhook_only = via == "webhook";
            if is_webhook_only != webhook_rows {
                continue;
            }
            let theirs = opdetail::parse(&cat, &action, &detail);
            let score = if webhook_rows {
                opdetail::correspondence(&theirs, &mine)
            } else {
                opdetail::correspondence(&mine, &theirs)
            };
            let Some(score) = score else { continue };
            let dist = crate::model::time::parse_time(&time)
                .map_or(i64::MAX, |x| (x - t).num_seconds().abs());
            let both = via.contains("webhook");
            // Higher is better: not yet paired, more shared words, nearer.
            let key = (!both, score, -dist);
            if best.as_ref().is_none_or(|(k, _)| key > *k) {
                best = Some((key, id));
            }
        }
        Ok(best.map(|(_, id)| id))
    }

    fn op_changes(&mut self, id: i64, op: &Operation) -> Result<()> {
        {
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
            // The detail's words are in `operation_fts` (0009), not here.
            self.terms(&[("email", Some(&op.operator))])?;
        }
        Ok(())
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

    /// A share without its session (webhook `sharing_started`): marks what was shared on the
    /// participant's session open at that time (the latest join at or before it, not left
    /// before it). Returns false when no session matched.
    pub fn participant_shared(
        &mut self,
        meeting_uuid: &str,
        user_id: &str,
        time: &str,
        content: Shared,
        ev: &Evidence,
    ) -> Result<bool> {
        let id: Option<i64> = self
            .tx
            .prepare_cached(
                "SELECT id FROM participants WHERE meeting_uuid = ?1 AND user_id = ?2
                 AND join_time <= ?3 AND (leave_time IS NULL OR leave_time = '' OR leave_time >= ?3)
                 ORDER BY join_time DESC LIMIT 1",
            )?
            .query_row(params![meeting_uuid, user_id, time], |r| r.get(0))
            .optional()?;
        let Some(id) = id else { return Ok(false) };
        if self.extra_evidence("participants", id, ev)? {
            // The column is one of three fixed names, never input.
            let col = match content {
                Shared::Desktop => "share_desktop",
                Shared::Application => "share_application",
                Shared::Whiteboard => "share_whiteboard",
            };
            self.tx
                .prepare_cached(&format!(
                    "UPDATE participants SET {col} = 1, in_webhook = 1 WHERE id = ?1"
                ))?
                .execute([id])?;
            self.counts.note("participants", Outcome::Merged);
        } else {
            self.counts.note("participants", Outcome::Present);
        }
        Ok(true)
    }

    /// A partial user record (webhook `user.updated`: only the id and the changed fields):
    /// the fields it carries replace the stored ones, as in the users directory's merge, and
    /// the delivery is kept as further evidence. `u.email` blank means unchanged. A user not
    /// yet in the case is added when the update names their email; otherwise returns false
    /// (nothing to update).
    pub fn user_updated(&mut self, u: &User, ev: &Evidence) -> Result<bool> {
        let email = Some(u.email.trim()).filter(|e| !e.is_empty());
        let found: Option<(i64, Sha256Sum)> = self
            .tx
            .prepare_cached(
                "SELECT id, sha256 FROM users WHERE ukey = ?1 OR zoom_id = ?1
                   OR (?2 IS NOT NULL AND ukey = lower(?2))
                 ORDER BY ukey = ?1 DESC LIMIT 1",
            )?
            .query_row(params![u.zoom_id.as_deref().unwrap_or(""), email], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        // The update that added this user, seen again: nothing new.
        if let Some((_, sha)) = &found
            && *sha == ev.sha256
        {
            self.counts.note("users", Outcome::Present);
            return Ok(true);
        }
        let Some((id, _)) = found else {
            if email.is_none() {
                return Ok(false);
            }
            self.user(u, ev)?;
            return Ok(true);
        };
        if self.extra_evidence("users", id, ev)? {
            self.tx
                .prepare_cached(
                    "UPDATE users SET zoom_id = COALESCE(zoom_id, ?1),
                     email = COALESCE(?2, email), first_name = COALESCE(?3, first_name),
                     last_name = COALESCE(?4, last_name),
                     display_name = COALESCE(?5, display_name),
                     user_type = COALESCE(?6, user_type), status = COALESCE(?7, status),
                     role_id = COALESCE(?8, role_id), role_name = COALESCE(?9, role_name),
                     dept = COALESCE(?10, dept), timezone = COALESCE(?11, timezone),
                     pmi = COALESCE(?12, pmi),
                     last_client_version = COALESCE(?13, last_client_version),
                     last_login_time = COALESCE(?14, last_login_time),
                     created_at = COALESCE(?15, created_at)
                     WHERE id = ?16",
                )?
                .execute(params![
                    u.zoom_id,
                    email,
                    u.first_name,
                    u.last_name,
                    u.display_name,
                    u.user_type,
                    u.status,
                    u.role_id,
                    u.role_name,
                    u.dept,
                    u.timezone,
                    u.pmi,
                    u.last_client_version,
                    u.last_login_time,
                    u.created_at,
                    id
                ])?;
            self.counts.note("users", Outcome::Merged);
            let full = match (&u.first_name, &u.last_name) {
                (Some(f), Some(l)) => Some(format!("{f} {l}")),
                _ => None,
            };
            self.terms(&[
                ("email", email),
                ("name", u.display_name.as_deref()),
                ("name", full.as_deref()),
            ])?;
        } else {
            self.counts.note("users", Outcome::Present);
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
            // The message's words are in `chat_fts` (0009), not here.
            self.terms(&[("name", c.sender_display_name.as_deref())])?;
        }
        Ok(o)
    }

    /// A Team Chat channel as a user's channel list names it.
    pub fn chat_channel(
        &mut self,
        channel_id: &str,
        name: Option<&str>,
        kind: Option<i64>,
        ev: &Evidence,
    ) -> Result<Outcome> {
        let (o, _) = self.put(&CHANNELS, &[&channel_id, &name, &kind], ev)?;
        if o == Outcome::Added {
            self.terms(&[("name", name)])?;
        }
        Ok(o)
    }

    /// Someone entered a meeting's waiting room. A stay already known only from its end (the
    /// admission arrived first) takes this entry time.
    pub fn waiting_entered(&mut self, w: &WaitingStay, ev: &Evidence) -> Result<Outcome> {
        let unseen: Option<i64> = self
            .tx
            .prepare_cached(&format!(
                "SELECT id FROM waiting_room WHERE {SAME_STAY}
                 AND entered_at = COALESCE(admitted_at, left_at) AND entered_at > ?4
                 AND entered_at <= strftime('%Y-%m-%dT%H:%M:%SZ', ?4, '+1 day')
                 ORDER BY entered_at LIMIT 1"
            ))?
            .query_row(
                params![w.meeting_uuid, w.participant_uuid, w.user_id, w.at],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(id) = unseen {
            self.tx.execute(
                "UPDATE waiting_room SET entered_at = ?2 WHERE id = ?1",
                params![id, w.at],
            )?;
            return self.waiting_evidence(id, ev);
        }
        self.waiting_insert(w, ev)
    }

    /// A new stay entered at `w.at` (nothing when that very stay is already stored).
    fn waiting_insert(&mut self, w: &WaitingStay, ev: &Evidence) -> Result<Outcome> {
        let raw = self.raw(WAITING, ev)?;
        let n = self.tx.prepare_cached(
            "INSERT INTO waiting_room (meeting_uuid, meeting_id, user_id, participant_uuid, name,
             email, entered_at, outcome, origin_id, line, raw, sha256)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'waiting', ?8, ?9, ?10, ?11)
             ON CONFLICT DO NOTHING",
        )?
        .execute(params![
            w.meeting_uuid,
            w.meeting_id,
            w.user_id,
            w.participant_uuid,
            w.name,
            w.email,
            w.at,
            ev.origin_id,
            ev.line,
            raw,
            ev.sha256
        ])?;
        let o = if n == 1 {
            self.terms(&[("name", w.name.as_deref()), ("email", w.email.as_deref())])?;
            Outcome::Added
        } else {
            Outcome::Present
        };
        self.counts.note(WAITING, o);
        Ok(o)
    }

    /// Keep `ev` as evidence of stay `id` unless it is already (its own bytes or further).
    fn waiting_evidence(&mut self, id: i64, ev: &Evidence) -> Result<Outcome> {
        let own: Sha256Sum =
            self.tx
                .query_row("SELECT sha256 FROM waiting_room WHERE id = ?1", [id], |r| {
                    r.get(0)
                })?;
        let o = if own != ev.sha256 && self.extra_evidence(WAITING, id, ev)? {
            Outcome::Merged
        } else {
            Outcome::Present
        };
        self.counts.note(WAITING, o);
        Ok(o)
    }

    /// A waiting-room stay ended at `w.at`: admitted, or left (or removed) without admission.
    /// Closes the latest open stay of the same participant; a stay whose entry was not seen
    /// (collection began later) is recorded from its end.
    pub fn waiting_ended(
        &mut self,
        w: &WaitingStay,
        admitted: bool,
        ev: &Evidence,
    ) -> Result<Outcome> {
        // Zoom sends `participant_left_waiting_room` on admission too, in the same second:
        // an end already recorded within a few seconds is this one.
        let near = |secs: i64| {
            crate::model::time::parse_time(&w.at)
                .map(|t| crate::model::time::fmt_utc(t + chrono::Duration::seconds(secs)))
                .unwrap_or_else(|| w.at.clone())
        };
        let done: Option<i64> = self
            .tx
            .prepare_cached(&format!(
                "SELECT id FROM waiting_room WHERE {SAME_STAY} AND outcome <> 'waiting'
                 AND COALESCE(admitted_at, left_at) BETWEEN ?4 AND ?5"
            ))?
            .query_row(
                params![
                    w.meeting_uuid,
                    w.participant_uuid,
                    w.user_id,
                    near(-5),
                    near(5)
                ],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(id) = done {
            if admitted {
                // Left, then the admission for the same moment: it was an admission.
                self.tx.execute(
                    "UPDATE waiting_room SET admitted_at = ?2, outcome = 'admitted'
                     WHERE id = ?1 AND admitted_at IS NULL",
                    params![id, w.at],
                )?;
            }
            return self.waiting_evidence(id, ev);
        }
        let open: Option<i64> = self
            .tx
            .prepare_cached(&format!(
                "SELECT id FROM waiting_room WHERE {SAME_STAY} AND outcome = 'waiting'
                 AND entered_at <= ?4 ORDER BY entered_at DESC LIMIT 1"
            ))?
            .query_row(
                params![w.meeting_uuid, w.participant_uuid, w.user_id, w.at],
                |r| r.get(0),
            )
            .optional()?;
        let (col, outcome) = if admitted {
            ("admitted_at", "admitted")
        } else {
            ("left_at", "left")
        };
        match open {
            Some(id) => {
                self.tx.execute(
                    &format!("UPDATE waiting_room SET {col} = ?2, outcome = ?3 WHERE id = ?1"),
                    params![id, w.at, outcome],
                )?;
                self.waiting_evidence(id, ev)?;
                Ok(Outcome::Merged)
            }
            None => {
                self.waiting_insert(w, ev)?;
                self.tx.execute(
                    &format!(
                        "UPDATE waiting_room SET {col} = ?5, outcome = ?6
                         WHERE {SAME_STAY} AND entered_at = ?4"
                    ),
                    params![
                        w.meeting_uuid,
                        w.participant_uuid,
                        w.user_id,
                        w.at,
                        w.at,
                        outcome
                    ],
                )?;
                Ok(Outcome::Added)
            }
        }
    }

    /// Store a delivery; until the next one, records written with its bytes refer to its row.
    pub fn webhook_event(&mut self, w: &WebhookEvent, ev: &Evidence) -> Result<Outcome> {
        self.delivery = None;
        let (o, id) = self.put(
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
        // A delivery already present may hold other bytes (its envelope differed); then these
        // are further evidence of it, and the records it reports keep their own copy.
        let own = o == Outcome::Added
            || self
                .tx
                .prepare_cached("SELECT sha256 FROM webhook_events WHERE id = ?1")?
                .query_row([id], |r| r.get::<_, Sha256Sum>(0))?
                == ev.sha256;
        if own {
            self.delivery = Some((ev.sha256, id));
        }
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

    /// An identity-provider event (issue 19).
    pub fn idp_event(
        &mut self,
        e: &crate::model::beyond::IdpEvent,
        ev: &Evidence,
    ) -> Result<Outcome> {
        let o = self
            .put_from(
                &IDP,
                Some(&e.source),
                &[
                    &e.source,
                    &e.event_id,
                    &e.time,
                    &e.user,
                    &e.ip,
                    &e.action,
                    &e.outcome,
                    &e.is_signin,
                    &e.is_admin_action,
                    &e.app,
                    &e.target,
                    &e.client,
                    &e.session_id,
                    &e.location,
                    &e.country,
                ],
                ev,
            )?
            .0;
        self.terms(&[("email", Some(&e.user)), ("ip", Some(&e.ip))])?;
        Ok(o)
    }

    /// A file or data access (issue 19).
    pub fn data_access(
        &mut self,
        d: &crate::model::beyond::DataAccess,
        ev: &Evidence,
    ) -> Result<Outcome> {
        let o = self
            .put_from(
                &DATA_ACCESS,
                Some(&d.source),
                &[
                    &d.source,
                    &d.event_id,
                    &d.time,
                    &d.user,
                    &d.action.as_str(),
                    &d.vendor_action,
                    &d.resource,
                    &d.sensitivity,
                    &d.ip,
                    &d.shared_with,
                ],
                ev,
            )?
            .0;
        self.terms(&[("email", Some(&d.user)), ("ip", Some(&d.ip))])?;
        Ok(o)
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
        // Credentials are never stored, not even in the rejects: a redacted copy is kept.
        let redacted = crate::ingest::credentials::redact(raw);
        let (raw, reason) = match &redacted {
            Some((text, keys)) => (
                text.as_str(),
                format!(
                    "{reason} (it held credentials: {}; stored redacted)",
                    keys.join(", ")
                ),
            ),
            None => (raw, reason.to_string()),
        };
        let reason = reason.as_str();
        let sha = Sha256Sum::of(raw.as_bytes());
        let now = crate::model::time::fmt_utc(chrono::Utc::now());
        let raw = self.codec.encode(&self.tx, "rejects", raw)?;
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

/// "Sign in" / "Sign out" whatever the capitalisation or spacing; anything else unchanged.
fn canonical_activity(a: &str) -> String {
    let t: String = a
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    match t.as_str() {
        "signin" => "Sign in".into(),
        "signout" => "Sign out".into(),
        _ => a.to_string(),
    }
}

/// How much a door's sign-in record says, richest first. The primary evidence (`raw`) of a
/// merged row is the record from the highest-ranked door: the report's row, which has the IP,
/// over the webhook, which has none.
fn door_rank(door: &str) -> u8 {
    match door {
        "report" => 4,
        "file" => 3,
        "panther" => 2,
        "csv" => 1,
        _ => 0,
    }
}

/// The rank of a row's richest door (`via` lists every door, see [`via_union`]).
fn via_rank(via: &str) -> u8 {
    via.split('+').map(door_rank).max().unwrap_or(0)
}

/// `via` of a merged sign-in: every door it came through, richest first, joined by '+'
/// ("report+webhook"). A row from one door keeps that door's name alone ("report").
fn via_union(a: &str, b: &str) -> String {
    let mut doors: Vec<&str> = a
        .split('+')
        .chain(b.split('+'))
        .filter(|d| !d.is_empty())
        .collect();
    doors.sort_by(|x, y| door_rank(y).cmp(&door_rank(x)).then(x.cmp(y)));
    doors.dedup();
    doors.join("+")
}

/// Of two spellings of one value (equal ignoring case, or one blank), the one a merged row
/// keeps: the non-blank one; else a capitalised spelling (the report's "Mac") over an
/// all-lowercase one (the webhook's "mac"); else the bytewise smaller. A total order, so the
/// kept spelling never depends on import order.
fn spelling(a: &str, b: &str) -> String {
    if a.is_empty() || b.is_empty() {
        return format!("{a}{b}");
    }
    let key = |s: &str| (s == s.to_lowercase(), s.to_string());
    if key(a) <= key(b) { a } else { b }.to_string()
}

/// The details of a sign-in that decide whether two records are the same event.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct SignVals {
    ip: String,
    ct: String,
    ver: String,
    login_type: Option<i64>,
    via: String,
}

impl SignVals {
    fn of(s: &SignIn) -> SignVals {
        // Stored as given (older rows were), blank for none.
        let blank = |v: &Option<String>| v.clone().unwrap_or_default();
        SignVals {
            ip: blank(&s.ip_address),
            ct: blank(&s.client_type),
            ver: blank(&s.version),
            login_type: s.login_type,
            via: s.via.clone(),
        }
    }

    /// Same event as far as the details tell: IP equal or blank on one side, client type equal
    /// ignoring case or blank on one side, version equal or blank on one side.
    fn compatible(&self, o: &SignVals) -> bool {
        let ok = |a: &str, b: &str| a.is_empty() || b.is_empty() || a.eq_ignore_ascii_case(b);
        ok(&self.ip, &o.ip)
            && ok(&self.ct, &o.ct)
            && (self.ver.is_empty() || o.ver.is_empty() || self.ver == o.ver)
    }

    /// How many details both sides state (and agree on): the closer match wins a tie.
    fn agreement(&self, o: &SignVals) -> usize {
        [(&self.ip, &o.ip), (&self.ct, &o.ct), (&self.ver, &o.ver)]
            .iter()
            .filter(|(a, b)| !a.is_empty() && !b.is_empty())
            .count()
    }

    /// The richer values of two compatible records; commutative, so order never matters.
    fn merged(&self, o: &SignVals) -> SignVals {
        SignVals {
            ip: spelling(&self.ip, &o.ip),
            ct: spelling(&self.ct, &o.ct),
            ver: spelling(&self.ver, &o.ver),
            login_type: match (self.login_type, o.login_type) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            },
            via: via_union(&self.via, &o.via),
        }
    }
}

/// One stored sign-in row, as matching and merging need it.
#[derive(Debug, Clone)]
pub(crate) struct SignRow {
    id: i64,
    vals: SignVals,
    sha: Sha256Sum,
}

/// The rows of one email (any case), second and activity.
fn sign_rows(conn: &Connection, email: &str, time: &str, activity: &str) -> Result<Vec<SignRow>> {
    let mut st = conn.prepare_cached(
        "SELECT id, ip_address, client_type, version, login_type, via, sha256 FROM signins
         WHERE email = ?1 AND time = ?2 AND activity = ?3",
    )?;
    // Sorted here: `ORDER BY id` makes SQLite re-prepare this statement on every run.
    let mut rows: Vec<SignRow> = st
        .query_map(params![email, time, activity], |r| {
            Ok(SignRow {
                id: r.get(0)?,
                vals: SignVals {
                    ip: r.get(1)?,
                    ct: r.get(2)?,
                    ver: r.get(3)?,
                    login_type: r.get(4)?,
                    via: r.get(5)?,
                },
                sha: r.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    rows.sort_by_key(|r| r.id);
    Ok(rows)
}

/// The row a record merges into: a compatible one, the closest match first, then the oldest.
/// None when every row differs from it (a different sign-in in the same second).
fn best_match<'r>(rows: &'r [SignRow], new: &SignVals) -> Option<&'r SignRow> {
    rows.iter()
        .filter(|r| r.vals.compatible(new))
        .max_by(|a, b| {
            a.vals
                .agreement(new)
                .cmp(&b.vals.agreement(new))
                .then(b.id.cmp(&a.id))
        })
}

/// Merge a compatible record into a stored row: the row takes the merged values, and the
/// record's evidence is kept, as the row's primary evidence when it comes from a richer door
/// (the old primary then moves to `extra_evidence`, so nothing is lost), else as further
/// evidence. The choice of primary is a total order (door rank, then bytes), so both import
/// orders end with the same row. Returns the row as it now is.
fn merge_signin(
    conn: &Connection,
    row: &SignRow,
    new: &SignVals,
    email: &str,
    ev: &Evidence,
    raw: &Value,
) -> Result<SignRow> {
    let m = row.vals.merged(new);
    let promote = (via_rank(&new.via), std::cmp::Reverse(ev.sha256))
        > (via_rank(&row.vals.via), std::cmp::Reverse(row.sha));
    if promote {
        keep_own_as_extra(conn, SIGNINS, row.id)?;
        conn.prepare_cached(
            "DELETE FROM extra_evidence WHERE tbl = 'signins' AND row_id = ?1 AND sha256 = ?2",
        )?
        .execute(params![row.id, ev.sha256])?;
        conn.prepare_cached(
            "UPDATE signins SET email = ?1, ip_address = ?2, client_type = ?3, version = ?4,
             login_type = ?5, via = ?6, origin_id = ?7, line = ?8, raw = ?9, sha256 = ?10
             WHERE id = ?11",
        )?
        .execute(params![
            email,
            m.ip,
            m.ct,
            m.ver,
            m.login_type,
            m.via,
            ev.origin_id,
            ev.line,
            raw,
            ev.sha256,
            row.id
        ])?;
    } else {
        conn.prepare_cached(&EXTRA_INSERT)?.execute(params![
            SIGNINS,
            ev.sha256,
            row.id,
            ev.origin_id,
            ev.line,
            raw
        ])?;
        conn.prepare_cached(
            "UPDATE signins SET ip_address = ?1, client_type = ?2, version = ?3,
             login_type = ?4, via = ?5 WHERE id = ?6",
        )?
        .execute(params![m.ip, m.ct, m.ver, m.login_type, m.via, row.id])?;
    }
    Ok(SignRow {
        id: row.id,
        vals: m,
        sha: if promote { ev.sha256 } else { row.sha },
    })
}

/// Fold sign-ins stored twice before the doors were merged (schema version 4): each row that
/// is compatible with an earlier row of the same email, second and activity is merged into it
/// exactly as an import would merge it (values, primary evidence, `via`), its own further
/// evidence, annotations and finding evidence move to the kept row, and it is deleted.
/// Returns how many rows were folded.
pub(crate) fn fold_signins(conn: &Connection) -> Result<u64> {
    let groups: Vec<(String, String, String)> = conn
        .prepare(
            "SELECT email, time, activity FROM signins
             GROUP BY email, time, activity HAVING count(*) > 1",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut folded = 0;
    for (email, time, activity) in groups {
        let mut kept: Vec<SignRow> = Vec::new();
        for r in sign_rows(conn, &email, &time, &activity)? {
            let Some(k) = best_match(&kept, &r.vals).map(|k| k.id) else {
                kept.push(r);
                continue;
            };
            // The stored value moves as it is (compressed or not): it is not re-encoded.
            let (r_email, origin_id, line, raw): (String, i64, Option<i64>, Value) = conn
                .query_row(
                    "SELECT email, origin_id, line, raw FROM signins WHERE id = ?1",
                    [r.id],
                    |x| Ok((x.get(0)?, x.get(1)?, x.get(2)?, x.get(3)?)),
                )?;
            let ev = Evidence {
                origin_id,
                line,
                raw: String::new(),
                sha256: r.sha,
                packed: None,
                route: None,
            };
            // Gone first: the merged row may take this row's exact key.
            conn.execute("DELETE FROM signins WHERE id = ?1", [r.id])?;
            for sql in [
                "UPDATE OR IGNORE extra_evidence SET row_id = ?1 WHERE tbl = 'signins' AND row_id = ?2",
                "UPDATE OR IGNORE annotations SET row_id = ?1 WHERE tbl = 'signins' AND row_id = ?2",
                "DELETE FROM annotations WHERE tbl = 'signins' AND row_id = ?2",
                "UPDATE OR IGNORE finding_evidence SET row_id = ?1 WHERE tbl = 'signins' AND row_id = ?2",
                "DELETE FROM finding_evidence WHERE tbl = 'signins' AND row_id = ?2",
            ] {
                conn.execute(sql, params![k, r.id])?;
            }
            let i = kept
                .iter()
                .position(|x| x.id == k)
                .expect("picked from kept");
            kept[i] = merge_signin(conn, &kept[i], &r.vals, &r_email, &ev, &raw)?;
            folded += 1;
        }
    }
    Ok(folded)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Further evidence is deduplicated through the narrow hash index, whichever statement
    /// asks, never by reading every record of a table.
    #[test]
    fn further_evidence_is_found_through_its_hash_index() {
        let dir = tempfile::tempdir().unwrap();
        let s = crate::store::Store::open(&dir.path().join("a.zl")).unwrap();
        for sql in [EXTRA_KEPT.to_string(), EXTRA_INSERT.to_string()] {
            let mut st = s
                .conn
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .unwrap();
            let nulls = vec![rusqlite::types::Null; st.parameter_count()];
            let plan: Vec<String> = st
                .query_map(rusqlite::params_from_iter(nulls), |r| r.get::<_, String>(3))
                .unwrap()
                .map(|r| r.unwrap())
                .filter(|d| d.contains("extra_evidence") || d.contains(" x "))
                .collect();
            assert!(
                plan.iter()
                    .any(|d| d.contains("USING INDEX extra_evidence_sha")),
                "{sql}: {plan:?}"
            );
        }
    }

    /// Dashboard rows imported after their report rows are compressed by the reading thread
    /// for further evidence (the writer told it where that kind of record went); one whose
    /// session turns out to be new is still stored as a row of its own, readable, and turns
    /// the kind back.
    #[test]
    fn a_record_compressed_for_further_evidence_lands_where_its_key_says() {
        use super::super::raw::{Decoder, Precoder, Shared, extra_key};
        let dir = tempfile::tempdir().unwrap();
        let mut s = crate::store::Store::open(&dir.path().join("a.zl")).unwrap();
        let shared = Shared::default();
        let n = super::super::raw::MIN_TRAIN + 100;
        let part = |i: usize, via: &str| Participant {
            meeting_uuid: format!("m{}", i / 10),
            user_id: format!("u{i}"),
            join_time: "2026-03-02T09:00:00Z".into(),
            name: Some(format!("Person {i}")),
            via: via.into(),
            ..Default::default()
        };
        let text = |i: usize, via: &str| {
            format!(
                r#"{{"id":"u{i}","name":"Person {i}","via":"{via}","ip_address":"10.0.{}.{}"}}"#,
                i / 250,
                i % 250
            )
        };
        let ev = |i: usize, via: &str, packed: Option<Vec<u8>>| {
            let mut e = Evidence::new(1, None, text(i, via));
            e.route = Some(part(i, via).route());
            e.packed = packed;
            e
        };
        for via in ["report", "metrics"] {
            let mut w = s.writer().unwrap();
            w.share_dicts(shared.clone());
            for i in 0..n {
                w.participant(&part(i, via), &ev(i, via, None)).unwrap();
            }
            w.commit().unwrap();
        }
        let dict_of = |s: &crate::store::Store, key: &str| -> i64 {
            s.conn
                .query_row("SELECT max(id) FROM raw_dicts WHERE tbl = ?1", [key], |r| {
                    r.get(0)
                })
                .unwrap()
        };
        let (own, extra) = (
            dict_of(&s, "participants"),
            dict_of(&s, &extra_key("participants")),
        );
        let dict_id = |b: &[u8]| i64::from(u32::from_le_bytes(b[1..5].try_into().unwrap()));
        let mut pre = Precoder::new(shared.clone());
        let metrics = part(0, "metrics").route();
        let ahead = |pre: &mut Precoder, i: usize| {
            pre.encode(&metrics, &text(i, "metrics-2"))
                .unwrap()
                .unwrap()
        };
        // A Dashboard row captured again with other bytes.
        let again = |i: usize, packed: Option<Vec<u8>>| {
            let mut e = ev(i, "metrics-2", packed);
            e.route = Some(metrics.clone());
            e
        };

        let mut w = s.writer().unwrap();
        w.share_dicts(shared.clone());
        // A writer publishes a key's dictionary when it first uses it.
        assert_eq!(
            w.participant(&part(6, "metrics"), &again(6, None)).unwrap(),
            Outcome::Merged
        );
        // A session already in the case: further evidence, stored as compressed ahead.
        let packed = ahead(&mut pre, 5);
        assert_eq!(dict_id(&packed), extra);
        assert_eq!(
            w.participant(&part(5, "metrics"), &again(5, Some(packed.clone())))
                .unwrap(),
            Outcome::Merged
        );
        // A new session compressed the same way: a row of its own, with its own dictionary.
        let new = n + 1;
        let e = again(new, Some(ahead(&mut pre, new)));
        assert_eq!(
            w.participant(&part(new, "metrics"), &e).unwrap(),
            Outcome::Added
        );
        w.commit().unwrap();
        let stored: Vec<u8> = s
            .conn
            .query_row(
                "SELECT raw FROM extra_evidence WHERE tbl = 'participants' AND sha256 = ?1",
                [Sha256Sum::of(text(5, "metrics-2").as_bytes())],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(stored, packed);
        let row: Vec<u8> = s
            .conn
            .query_row(
                "SELECT raw FROM participants WHERE user_id = ?1",
                [format!("u{new}")],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(dict_id(&row), own);
        let mut d = Decoder::default();
        assert_eq!(
            d.decode(&s.conn, rusqlite::types::ValueRef::Blob(&row))
                .unwrap(),
            text(new, "metrics-2").as_bytes()
        );
        // The kind's last record became a row: the next one is compressed for a row again.
        assert_eq!(dict_id(&ahead(&mut pre, 7)), own);
    }

    fn v(ip: &str, ct: &str, ver: &str, lt: Option<i64>, via: &str) -> SignVals {
        SignVals {
            ip: ip.into(),
            ct: ct.into(),
            ver: ver.into(),
            login_type: lt,
            via: via.into(),
        }
    }

    #[test]
    fn merging_sign_in_details_does_not_depend_on_order() {
        let recs = [
            v("", "mac", "6.0", Some(101), "webhook"),
            v("192.0.2.10", "Mac", "6.0", None, "report"),
            v("192.0.2.10", "MAC", "", None, "csv"),
        ];
        let orders = [
            [0, 1, 2],
            [0, 2, 1],
            [1, 0, 2],
            [1, 2, 0],
            [2, 0, 1],
            [2, 1, 0],
        ];
        let fold = |o: &[usize; 3]| {
            o[1..]
                .iter()
                .fold(recs[o[0]].clone(), |acc, &i| acc.merged(&recs[i]))
        };
        let first = fold(&orders[0]);
        for o in &orders {
            assert_eq!(fold(o), first, "{o:?}");
        }
        assert_eq!(
            first,
            v("192.0.2.10", "MAC", "6.0", Some(101), "report+csv+webhook")
        );
        // Between the report's and the webhook's spelling, the report's.
        assert_eq!(recs[0].merged(&recs[1]).ct, "Mac");
        assert_eq!(recs[1].merged(&recs[0]).via, "report+webhook");
    }

    #[test]
    fn details_that_differ_on_both_sides_are_another_sign_in() {
        let wh = v("", "mac", "6.0", None, "webhook");
        assert!(wh.compatible(&v("192.0.2.10", "Mac", "6.0", None, "report")));
        assert!(wh.compatible(&v("192.0.2.10", "", "", None, "report")));
        assert!(!wh.compatible(&v("192.0.2.10", "Windows", "6.0", None, "report")));
        assert!(!wh.compatible(&v("192.0.2.10", "Mac", "5.9", None, "report")));
        let a = v("192.0.2.10", "Mac", "6.0", None, "report");
        assert!(!a.compatible(&v("198.51.100.20", "Mac", "6.0", None, "report")));
        assert_eq!(canonical_activity("sign-in"), "Sign in");
        assert_eq!(canonical_activity("Sign Out"), "Sign out");
    }
}
