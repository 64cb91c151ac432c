//! An in-memory synthetic tenant: every record in the exact JSON shape Zoom's API returns,
//! grouped the way the endpoints serve them. Built by the generator; served by the simulator.

use crate::sim::generator::{self, Config, Finish, Sink, Truth};
use anyhow::Result;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// The fields that make two sign-in records one (as the case's unique key does): the truth
/// counts, and the generator dedupes, by them.
pub const SIGNIN_KEY: [&str; 6] = [
    "email",
    "time",
    "type",
    "ip_address",
    "client_type",
    "version",
];
/// The fields that make two operation-log records one (compared ignoring case).
pub const OPERATION_KEY: [&str; 5] = [
    "time",
    "operator",
    "category_type",
    "action",
    "operation_detail",
];
/// The fields that make two disclaimer responses one (compared ignoring case).
pub const DISCLAIMER_KEY: [&str; 6] = [
    "time",
    "meeting_id",
    "user_email",
    "display_name",
    "disclaimer_type",
    "disclaimer_status",
];

#[derive(Debug, Default, Clone)]
pub struct Tenant {
    pub account_id: String,
    /// `/users` records; each has "status": active | inactive | pending (pending: no "id").
    pub users: Vec<Value>,
    /// `/report/activities` records, in time order.
    pub activities: Vec<Value>,
    /// `/report/operationlogs` records, in time order.
    pub operations: Vec<Value>,
    /// `/report/users/{id}/meetings` records (one per instance), keyed by host user id.
    pub meetings_by_host: BTreeMap<String, Vec<Value>>,
    /// `/report/meetings/{uuid}/participants` rows, keyed by instance UUID.
    pub participants: BTreeMap<String, Vec<Value>>,
    /// `/metrics/meetings/{uuid}/participants?type=past` rows, keyed by instance UUID.
    pub metrics: BTreeMap<String, Vec<Value>>,
    /// `/users/{id}/recordings` meeting objects (with recording_files), keyed by host user id.
    pub recordings_by_host: BTreeMap<String, Vec<Value>>,
    /// The same endpoint with trash=true, keyed by host user id.
    pub trash_by_host: BTreeMap<String, Vec<Value>>,
    /// `/chat/users/{id}/messages` messages, keyed by user id.
    pub chat_by_user: BTreeMap<String, Vec<Value>>,
    /// Webhook events (full envelopes), in event_ts order.
    pub webhooks: Vec<Value>,
    /// Channel id of each chat message (message id → channel id), for `to_channel`.
    pub chat_channel: BTreeMap<String, String>,
    /// `/report/history_meetings` rows, in start order.
    pub history: Vec<Value>,
    /// `analytics_details?type=by_view` rows, keyed by instance UUID.
    pub views: BTreeMap<String, Vec<Value>>,
    /// `analytics_details?type=by_download` rows, keyed by instance UUID.
    pub downloads: BTreeMap<String, Vec<Value>>,
    /// `/report/disclaimer` records.
    pub disclaimers: Vec<Value>,
    /// `/report/remote_support` rows.
    pub remote_support: Vec<Value>,
    /// Planted incidents, near-misses and the generator's own counts.
    pub planted: Truth,
    /// HR departures list: (email, departed_at).
    pub departures: Vec<(String, String)>,
    /// Asset inventory: (pc_name, mac_addr, owner_email).
    pub assets: Vec<(String, String, String)>,
    /// VIP list: (email, name, title).
    pub vips: Vec<(String, String, String)>,
    /// First day and the day after the last, UTC.
    pub start: Option<chrono::NaiveDate>,
    pub end: Option<chrono::NaiveDate>,
    /// issue 19: the identity-provider, file-access and geolocation lines, by file name (the
    /// simulator serves Zoom's API only; these are for tests).
    pub beyond: BTreeMap<&'static str, Vec<String>>,
}

impl Tenant {
    /// Generate a tenant from validated knobs.
    pub fn generate(cfg: &Config) -> Result<Tenant> {
        let mut t = Tenant::default();
        generator::generate(cfg, &mut t)?;
        Ok(t)
    }

    /// Generate a tenant from unvalidated knobs.
    pub fn from_knobs(a: &generator::Knobs) -> Result<Tenant> {
        Tenant::generate(&Config::from_knobs(a)?)
    }

    /// What a complete pull of this tenant must produce in each view, recomputed from the
    /// records with the store's own keys (so it also checks the generator's bookkeeping), and
    /// the planted incidents and near-misses.
    pub fn truth(&self) -> Truth {
        let mut c: BTreeMap<String, u64> = BTreeMap::new();
        let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        let users: BTreeSet<String> = self
            .users
            .iter()
            .map(|u| match u.get("id").and_then(Value::as_str) {
                Some(id) => id.to_string(),
                None => s(u, "email").to_ascii_lowercase(),
            })
            .collect();
        c.insert("zoom_users".into(), users.len() as u64);
        let signins: BTreeSet<Vec<String>> = self
            .activities
            .iter()
            .map(|a| SIGNIN_KEY.iter().map(|k| s(a, k)).collect())
            .collect();
        c.insert("zoom_signins".into(), signins.len() as u64);
        let ops: BTreeSet<Vec<String>> = self
            .operations
            .iter()
            .map(|o| {
                OPERATION_KEY
                    .iter()
                    .map(|k| s(o, k).to_ascii_lowercase())
                    .collect()
            })
            .collect();
        c.insert("zoom_operation_logs".into(), ops.len() as u64);
        let meetings: BTreeSet<String> = self
            .meetings_by_host
            .values()
            .flatten()
            .map(|m| s(m, "uuid"))
            .collect();
        c.insert("zoom_meetings".into(), meetings.len() as u64);
        let mut sessions: BTreeSet<(String, String, String)> = BTreeSet::new();
        for (uuid, rows) in self.participants.iter().chain(self.metrics.iter()) {
            for r in rows {
                sessions.insert((uuid.clone(), s(r, "user_id"), s(r, "join_time")));
            }
        }
        c.insert("zoom_participants".into(), sessions.len() as u64);
        c.insert(
            "zoom_participants_basic".into(),
            self.participants.values().map(|v| v.len() as u64).sum(),
        );
        c.insert(
            "zoom_participants_detailed".into(),
            self.metrics.values().map(|v| v.len() as u64).sum(),
        );
        // zoom_recordings has one row per file (a recording without files still shows once).
        let mut recs: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for r in self
            .recordings_by_host
            .values()
            .chain(self.trash_by_host.values())
            .flatten()
        {
            let uuid = s(r, "uuid");
            let files = recs.entry(uuid.clone()).or_default();
            for f in r
                .get("recording_files")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let key = match f.get("id").and_then(Value::as_str) {
                    Some(id) if !id.is_empty() => id.to_string(),
                    _ => format!("{uuid}|{}|{}", s(f, "file_type"), s(f, "recording_start")),
                };
                files.insert(key);
            }
        }
        c.insert("recordings".into(), recs.len() as u64);
        c.insert(
            "zoom_recordings".into(),
            recs.values().map(|f| f.len().max(1) as u64).sum(),
        );
        let chat: BTreeSet<String> = self
            .chat_by_user
            .values()
            .flatten()
            .map(|m| s(m, "id"))
            .collect();
        c.insert("zoom_chat_messages".into(), chat.len() as u64);
        c.insert("webhook_events".into(), self.webhooks.len() as u64);
        // Issue 18's sources, with the store's keys.
        // The simulator lists every past meeting there, with or without a row of its own.
        let history: BTreeSet<String> = self
            .history
            .iter()
            .map(|h| s(h, "meeting_uuid"))
            .chain(
                self.meetings_by_host
                    .values()
                    .flatten()
                    .map(|m| s(m, "uuid")),
            )
            .collect();
        c.insert("meeting_history".into(), history.len() as u64);
        let mut access: BTreeSet<Vec<String>> = BTreeSet::new();
        for (kind, map) in [("view", &self.views), ("download", &self.downloads)] {
            for (uuid, rows) in map {
                for r in rows {
                    access.insert(vec![
                        uuid.clone(),
                        kind.into(),
                        s(r, "date_time"),
                        s(r, "email").to_lowercase(),
                        s(r, "name"),
                    ]);
                }
            }
        }
        c.insert("recording_access".into(), access.len() as u64);
        let keyed = |rows: &[Value], keys: &[&str]| -> u64 {
            rows.iter()
                .map(|r| {
                    keys.iter()
                        .map(|k| s(r, k).to_lowercase())
                        .collect::<Vec<_>>()
                })
                .collect::<BTreeSet<_>>()
                .len() as u64
        };
        c.insert(
            "disclaimers".into(),
            keyed(&self.disclaimers, &DISCLAIMER_KEY),
        );
        c.insert(
            "remote_support".into(),
            keyed(
                &self.remote_support,
                &[
                    "meeting_uuid",
                    "start_time",
                    "supporter_email",
                    "supportee_email",
                ],
            ),
        );
        c.insert("departures".into(), self.departures.len() as u64);
        c.insert("assets".into(), self.assets.len() as u64);
        c.insert("vips".into(), self.vips.len() as u64);
        Truth {
            counts: c,
            incidents: self.planted.incidents.clone(),
            near_misses: self.planted.near_misses.clone(),
            assumptions: self.planted.assumptions.clone(),
        }
    }

    /// Instances of a numeric meeting id, newest first: `(uuid, start_time)`
    /// (`/past_meetings/{id}/instances`).
    pub fn instances_of(&self, id: i64) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = self
            .meetings_by_host
            .values()
            .flatten()
            .filter(|m| m.get("id").and_then(Value::as_i64) == Some(id))
            .map(|m| {
                (
                    m["uuid"].as_str().unwrap_or("").to_string(),
                    m["start_time"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1));
        v
    }
}

impl Sink for Tenant {
    fn beyond(&mut self, file: &'static str, line: String) -> Result<()> {
        self.beyond.entry(file).or_default().push(line);
        Ok(())
    }
    fn user(&mut self, rec: Value) -> Result<()> {
        self.users.push(rec);
        Ok(())
    }
    fn activity(&mut self, rec: Value) -> Result<()> {
        self.activities.push(rec);
        Ok(())
    }
    fn operation(&mut self, rec: Value) -> Result<()> {
        self.operations.push(rec);
        Ok(())
    }
    fn meeting(&mut self, host_id: &str, rec: Value) -> Result<()> {
        self.meetings_by_host
            .entry(host_id.to_string())
            .or_default()
            .push(rec);
        Ok(())
    }
    fn participants(&mut self, uuid: &str, report: Vec<Value>, metrics: Vec<Value>) -> Result<()> {
        self.participants
            .entry(uuid.to_string())
            .or_default()
            .extend(report);
        self.metrics
            .entry(uuid.to_string())
            .or_default()
            .extend(metrics);
        Ok(())
    }
    fn recording(&mut self, host_id: &str, rec: Value, trashed: bool) -> Result<()> {
        let m = if trashed {
            &mut self.trash_by_host
        } else {
            &mut self.recordings_by_host
        };
        m.entry(host_id.to_string()).or_default().push(rec);
        Ok(())
    }
    fn chat(&mut self, owner_id: &str, channel: &str, msg: Value) -> Result<()> {
        if let Some(id) = msg.get("id").and_then(Value::as_str) {
            self.chat_channel
                .insert(id.to_string(), channel.to_string());
        }
        self.chat_by_user
            .entry(owner_id.to_string())
            .or_default()
            .push(msg);
        Ok(())
    }
    fn webhook(&mut self, event: Value) -> Result<()> {
        self.webhooks.push(event);
        Ok(())
    }
    fn newer(&mut self, rec: generator::newer::Newer) -> Result<()> {
        use generator::newer::Newer;
        match rec {
            Newer::History(v) => self.history.push(v),
            Newer::Access {
                uuid,
                download,
                row,
            } => {
                let m = if download {
                    &mut self.downloads
                } else {
                    &mut self.views
                };
                m.entry(uuid).or_default().push(row);
            }
            Newer::Disclaimer(v) => self.disclaimers.push(v),
            Newer::RemoteSupport(v) => self.remote_support.push(v),
        }
        Ok(())
    }
    fn finish(&mut self, fin: &Finish) -> Result<()> {
        self.account_id = fin.account_id.clone();
        self.planted = fin.truth.clone();
        self.departures = fin.departures.clone();
        self.assets = fin.assets.clone();
        self.vips = fin.vips.clone();
        self.start = Some(fin.start);
        self.end = Some(fin.end);
        self.webhooks
            .sort_by_key(|w| w.get("event_ts").and_then(Value::as_i64).unwrap_or(0));
        Ok(())
    }
}
