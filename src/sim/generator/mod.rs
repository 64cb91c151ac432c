//! The generator: `zoomlens gen`, and the deterministic synthetic tenant behind `sim` and
//! `demo`.
//!
//! One ChaCha8 stream seeded from `--seed` drives everything; nothing reads the clock (unless
//! `--start` is omitted) and nothing iterates a hash map, so the same seed and knobs give
//! byte-identical output. Records are produced day by day into a [`Sink`]: the in-memory
//! [`crate::sim::tenant::Tenant`] (simulator, tests, demo) or the streaming
//! [`output::CaptureWriter`] (`gen --out`), which keeps only one day's small buffers.

pub mod activity;
pub mod background;
pub mod beyond;
pub mod ids;
pub mod incidents;
pub mod meetings;
pub mod newer;
pub mod org;
pub mod output;
pub mod truth;

use crate::model::time::fmt_utc;
use anyhow::{Context, Result, bail};
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc, Weekday};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
pub use truth::{Truth, TruthItem};

/// Every rule of the detection catalogue (DESIGN.md), each with a planted incident.
pub const RULES: &[&str] = &[
    "security-setting-disabled",
    "sign-in-method-enabled",
    "privileged-role-granted",
    "user-created",
    "sso-config-changed",
    "billing-or-license-changed",
    "recording-deleted",
    "recording-download-by-non-participant",
    "weakened-then-exposed",
    "new-admin-activity",
    "signin-new-ip",
    "outdated-client",
    "parallel-session",
    "external-in-sensitive-meeting",
    "direct-link-join",
    "display-name-impersonation",
    "join-after-departure",
    "join-burst-multiple-ips",
    "brief-join",
    "unexpected-ip-recurring-meeting",
    "unknown-device-vip-meeting",
    "silent-presence",
    "shared-ip-many-names",
    "guest-screen-share",
    "source-silent",
    // issue 19
    "idp-parallel-session",
    "data-access-after-external-meeting",
    "impossible-travel",
    "rogue-country",
    "remote-control-of-privileged-user",
];

/// The generator's knobs as given (by `gen`, `sim`, `demo` or a test), before validation.
#[derive(Debug, Clone)]
pub struct Knobs {
    /// The same seed and knobs give byte-identical output.
    pub seed: u64,
    pub users: u32,
    pub days: u32,
    /// First day (YYYY-MM-DD); `None`: `days` days before today.
    pub start: Option<String>,
    /// Share of meeting participants from outside the account.
    pub external_share: f64,
    /// Share of meeting participants who are guests without an email.
    pub guest_share: f64,
    /// `all`, `none`, or a comma-separated list of rule ids.
    pub incidents: String,
}

impl Default for Knobs {
    fn default() -> Self {
        Knobs {
            seed: 42,
            users: 200,
            days: 14,
            start: None,
            external_share: 0.08,
            guest_share: 0.04,
            incidents: "all".into(),
        }
    }
}

/// The generator's knobs, validated.
#[derive(Debug, Clone)]
pub struct Config {
    pub seed: u64,
    pub users: usize,
    pub days: u32,
    pub start: NaiveDate,
    pub external_share: f64,
    pub guest_share: f64,
    /// Rule ids whose incidents are planted.
    pub incidents: BTreeSet<String>,
}

impl Config {
    /// Validate the knobs. Without `start` the window ends yesterday (the only input that
    /// depends on the clock; give `start` for reproducible output).
    pub fn from_knobs(a: &Knobs) -> Result<Config> {
        if a.users < 30 {
            bail!(
                "--users must be at least 30 (the organisation needs executives, admins and the people incidents are planted on)"
            );
        }
        if a.users > 1_000_000 {
            bail!("--users must be at most 1000000");
        }
        if a.days < 3 || a.days > 180 {
            bail!(
                "--days must be between 3 and 180 (Zoom keeps reports for 6 months; incidents need 3 days)"
            );
        }
        for (n, v) in [
            ("--external-share", a.external_share),
            ("--guest-share", a.guest_share),
        ] {
            if !(0.0..=0.9).contains(&v) || v.is_nan() {
                bail!("{n} must be between 0 and 0.9, got {v}");
            }
        }
        if a.external_share + a.guest_share > 0.9 {
            bail!("--external-share plus --guest-share must stay below 0.9");
        }
        let start = match &a.start {
            Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .with_context(|| format!("--start {s:?} is not a date; use YYYY-MM-DD"))?,
            None => Utc::now().date_naive() - chrono::Days::new(a.days as u64),
        };
        Ok(Config {
            seed: a.seed,
            users: a.users as usize,
            days: a.days,
            start,
            external_share: a.external_share,
            guest_share: a.guest_share,
            incidents: parse_incidents(&a.incidents)?,
        })
    }

    /// A small configuration for tests: `users` users, `days` days from 2026-03-02 (a Monday).
    pub fn small(seed: u64, users: usize, days: u32) -> Config {
        Config {
            seed,
            users,
            days,
            start: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
            external_share: 0.08,
            guest_share: 0.04,
            incidents: RULES.iter().map(|s| s.to_string()).collect(),
        }
    }

    pub fn end(&self) -> NaiveDate {
        self.start + chrono::Days::new(self.days as u64)
    }

    pub fn planted(&self, rule: &str) -> bool {
        self.incidents.contains(rule)
    }
}

/// `all`, `none`, or a comma-separated list of rule ids.
pub fn parse_incidents(s: &str) -> Result<BTreeSet<String>> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("all") {
        return Ok(RULES.iter().map(|r| r.to_string()).collect());
    }
    if s.eq_ignore_ascii_case("none") || s.is_empty() {
        return Ok(BTreeSet::new());
    }
    let mut out = BTreeSet::new();
    for r in s.split(',').map(str::trim).filter(|r| !r.is_empty()) {
        if !RULES.contains(&r) {
            bail!(
                "--incidents: unknown rule id {r:?}; use all, none, or some of: {}",
                RULES.join(", ")
            );
        }
        out.insert(r.to_string());
    }
    Ok(out)
}

/// Everything besides the API records that a run produces.
#[derive(Debug, Clone, Default)]
pub struct Finish {
    pub truth: Truth,
    /// (email, departed_at RFC 3339).
    pub departures: Vec<(String, String)>,
    /// (pc_name, mac_addr, owner_email).
    pub assets: Vec<(String, String, String)>,
    /// (email, name, title).
    pub vips: Vec<(String, String, String)>,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub account_id: String,
}

/// Where generated records go. Records are Zoom's exact JSON shapes; the sink decides how
/// to group them into pages or endpoints. Calls for one day come before `end_day(day)`.
pub trait Sink {
    /// Called once before any record, with the window (first day, day after the last).
    fn begin(&mut self, _start: NaiveDate, _end: NaiveDate) -> Result<()> {
        Ok(())
    }
    /// A `/users` record (status active | inactive | pending; pending has no `id`).
    fn user(&mut self, rec: Value) -> Result<()>;
    /// A `/report/activities` row.
    fn activity(&mut self, rec: Value) -> Result<()>;
    /// A `/report/operationlogs` row.
    fn operation(&mut self, rec: Value) -> Result<()>;
    /// A `/report/users/{host}/meetings` record.
    fn meeting(&mut self, host_id: &str, rec: Value) -> Result<()>;
    /// Every report and dashboard participant row of one meeting instance.
    fn participants(&mut self, uuid: &str, report: Vec<Value>, metrics: Vec<Value>) -> Result<()>;
    /// A `/users/{host}/recordings` meeting object; `trashed` ones list under `trash=true`.
    fn recording(&mut self, host_id: &str, rec: Value, trashed: bool) -> Result<()>;
    /// A Team Chat message listed for `owner_id` in `channel`.
    fn chat(&mut self, owner_id: &str, channel: &str, msg: Value) -> Result<()>;
    /// A webhook envelope.
    fn webhook(&mut self, event: Value) -> Result<()>;
    /// A line of one of the identity-provider, file-access or geolocation files
    /// ([`beyond`]); sinks without files ignore them.
    fn beyond(&mut self, _file: &'static str, _line: String) -> Result<()> {
        Ok(())
    }
    /// A record of issue 18's newer sources (history, recording analytics, disclaimers,
    /// remote support), on its own day.
    fn newer(&mut self, rec: newer::Newer) -> Result<()>;
    fn end_day(&mut self, _day: NaiveDate) -> Result<()> {
        Ok(())
    }
    fn finish(&mut self, fin: &Finish) -> Result<()>;
}

/// What a run produced (also written into truth.json).
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub truth: Truth,
}

/// Generate the tenant into `sink`.
pub fn generate(cfg: &Config, sink: &mut dyn Sink) -> Result<Summary> {
    let mut g = Gen::new(cfg, sink);
    g.run()?;
    Ok(Summary {
        truth: g.fin.truth.clone(),
    })
}

/// Generator state. Per-day buffers are emptied at each day's end; what persists across days
/// is small and per person (counters) or per incident.
pub struct Gen<'a> {
    pub cfg: &'a Config,
    pub rng: ChaCha8Rng,
    pub org: org::Org,
    sink: &'a mut dyn Sink,
    pub day: u32,
    pub date: NaiveDate,
    pub n_meeting: u64,
    pub series: Vec<meetings::Series>,
    /// Days on which each person has signed in so far (drives home/office alternation).
    pub days_active: Vec<u32>,
    /// Meetings since each person last shared their screen.
    pub since_share: Vec<u16>,
    /// Meetings each outsider has joined (capped so no outsider becomes a "silent" regular).
    pub out_meetings: Vec<u16>,
    acts: Vec<Value>,
    ops: Vec<Value>,
    chat: Vec<(String, String, Value)>,
    pub plan: incidents::Plan,
    pub fin: Finish,
    counts: BTreeMap<&'static str, u64>,
    /// The random stream of the later background (webinars, housekeeping, onboarding...), apart
    /// from the main one so that those additions do not reshuffle the day's other draws.
    pub bg: ChaCha8Rng,
    /// Meeting numbers of that background, far above the main stream's.
    pub bg_meetings: u64,
    /// People that background made up (webinar attendees, new hires).
    pub bg_people: u64,
    // issue 19: the identity-provider and file-access stream (beyond.rs).
    beyond_rng: ChaCha8Rng,
    /// Per person: 1 + the day of their last Okta session start.
    beyond_day: Vec<u32>,
    beyond_seq: u64,
    /// Issue 18's newer sources, derived from each day's meetings.
    pub newer: newer::State,
}

impl<'a> Gen<'a> {
    fn new(cfg: &'a Config, sink: &'a mut dyn Sink) -> Gen<'a> {
        let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
        let mut org = org::Org::build(&mut rng, cfg.users, cfg.start);
        background::decorate(&mut org, cfg.seed, cfg.days);
        let n = org.people.len();
        let n_out = org.outsiders.len();
        Gen {
            cfg,
            rng,
            org,
            sink,
            day: 0,
            date: cfg.start,
            n_meeting: 0,
            series: Vec::new(),
            days_active: vec![0; n],
            since_share: vec![0; n],
            out_meetings: vec![0; n_out],
            acts: Vec::new(),
            ops: Vec::new(),
            chat: Vec::new(),
            plan: incidents::Plan::default(),
            fin: Finish::default(),
            counts: BTreeMap::new(),
            bg: ChaCha8Rng::seed_from_u64(cfg.seed ^ 0x5eed_0fb6),
            bg_meetings: 1_000_000_000,
            bg_people: 0,
            beyond_rng: ChaCha8Rng::seed_from_u64(cfg.seed ^ 0xbe70_0d19),
            beyond_day: Vec::new(),
            beyond_seq: 0,
            newer: newer::State::new(cfg.seed),
        }
    }

    fn run(&mut self) -> Result<()> {
        self.plan = incidents::Plan::make(self);
        self.series = meetings::Series::plan(self);
        self.sink.begin(self.cfg.start, self.cfg.end())?;
        self.emit_users()?;
        for d in 0..self.cfg.days {
            self.day = d;
            self.date = self.cfg.start + chrono::Days::new(d as u64);
            self.background_day()?;
            self.meetings_day()?;
            self.trainings_day()?;
            self.incidents_day()?;
            self.realism_day()?;
            self.flush_day()?;
        }
        self.finish()
    }

    /// Midnight UTC of the current day plus `secs`.
    pub fn at(&self, secs: i64) -> DateTime<Utc> {
        Utc.from_utc_datetime(&self.date.and_hms_opt(0, 0, 0).unwrap())
            + chrono::Duration::seconds(secs)
    }

    /// Midnight UTC of day `d` of the window plus `secs`.
    pub fn at_day(&self, d: u32, secs: i64) -> DateTime<Utc> {
        day_at(self.cfg.start, d, secs)
    }

    pub fn is_workday(&self) -> bool {
        !matches!(self.date.weekday(), Weekday::Sat | Weekday::Sun)
    }

    fn count(&mut self, k: &'static str, n: u64) {
        *self.counts.entry(k).or_default() += n;
    }

    pub fn push_activity(&mut self, v: Value) {
        self.acts.push(v);
    }
    pub fn push_op(&mut self, v: Value) {
        self.ops.push(v);
    }
    pub fn push_chat(&mut self, owner: String, channel: String, v: Value) {
        self.chat.push((owner, channel, v));
    }
    pub fn emit_webhook(&mut self, v: Value) -> Result<()> {
        self.count("webhook_events", 1);
        self.sink.webhook(v)
    }
    pub fn emit_meeting(&mut self, host_id: &str, v: Value) -> Result<()> {
        self.count("zoom_meetings", 1);
        self.newer.meeting(host_id, &v);
        self.sink.meeting(host_id, v)
    }
    pub fn emit_participants(
        &mut self,
        uuid: &str,
        report: Vec<Value>,
        metrics: Vec<Value>,
    ) -> Result<()> {
        // Report and dashboard rows of one session merge on (uuid, user_id, join_time).
        let mut keys = BTreeSet::new();
        for r in report.iter().chain(metrics.iter()) {
            keys.insert((
                r["user_id"].as_str().unwrap_or("").to_string(),
                r["join_time"].as_str().unwrap_or("").to_string(),
            ));
        }
        self.count("zoom_participants", keys.len() as u64);
        self.count("zoom_participants_basic", report.len() as u64);
        self.count("zoom_participants_detailed", metrics.len() as u64);
        self.newer.participants(uuid, &report);
        self.sink.participants(uuid, report, metrics)
    }
    pub fn emit_recording(&mut self, host_id: &str, v: Value, trashed: bool) -> Result<()> {
        let files = v["recording_files"]
            .as_array()
            .map(|a| a.len())
            .unwrap_or(0)
            .max(1);
        self.count("zoom_recordings", files as u64);
        self.count("recordings", 1);
        self.newer.recording(&v, trashed);
        self.sink.recording(host_id, v, trashed)
    }

    fn emit_users(&mut self) -> Result<()> {
        let recs: Vec<Value> = (0..self.org.people.len())
            .map(|i| self.user_record(i))
            .collect();
        let mut keys = BTreeSet::new();
        for r in recs {
            let k = match r.get("id").and_then(Value::as_str) {
                Some(id) => id.to_string(),
                None => r["email"].as_str().unwrap_or("").to_ascii_lowercase(),
            };
            keys.insert(k);
            self.sink.user(r)?;
        }
        self.count("zoom_users", keys.len() as u64);
        Ok(())
    }

    /// Sort the day's sign-ins, operations and chat by time and hand them to the sink.
    fn flush_day(&mut self) -> Result<()> {
        let by_time = |a: &Value, b: &Value| {
            a["time"]
                .as_str()
                .cmp(&b["time"].as_str())
                .then_with(|| a.to_string().cmp(&b.to_string()))
        };
        let mut acts = std::mem::take(&mut self.acts);
        acts.sort_by(by_time);
        let mut seen = BTreeSet::new();
        for a in acts {
            let key =
                crate::sim::tenant::SIGNIN_KEY.map(|k| a[k].as_str().unwrap_or("").to_string());
            if seen.insert(key) {
                self.count("zoom_signins", 1);
            }
            self.sink.activity(a)?;
        }
        let mut ops = std::mem::take(&mut self.ops);
        ops.sort_by(by_time);
        let mut seen = BTreeSet::new();
        for o in ops {
            let key = crate::sim::tenant::OPERATION_KEY
                .map(|k| o[k].as_str().unwrap_or("").to_ascii_lowercase());
            if seen.insert(key) {
                self.count("zoom_operation_logs", 1);
            }
            self.sink.operation(o)?;
        }
        let mut chat = std::mem::take(&mut self.chat);
        chat.sort_by(|a, b| {
            a.2["timestamp"]
                .as_i64()
                .cmp(&b.2["timestamp"].as_i64())
                .then_with(|| a.2["id"].as_str().cmp(&b.2["id"].as_str()))
        });
        for (owner, ch, m) in chat {
            if self.plan.in_chat_hole(m["timestamp"].as_i64().unwrap_or(0)) {
                continue;
            }
            self.count("zoom_chat_messages", 1);
            self.sink.chat(&owner, &ch, m)?;
        }
        self.newer_day()?;
        self.sink.end_day(self.date)
    }

    fn finish(&mut self) -> Result<()> {
        // Recordings trashed during the window list under trash=true at pull time.
        let trash = std::mem::take(&mut self.plan.trash);
        for (host, rec) in trash {
            self.emit_recording(&host, rec, true)?;
        }
        let mut truth = std::mem::take(&mut self.plan.truth);
        truth.counts = self
            .counts
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect();
        for k in [
            "zoom_signins",
            "zoom_operation_logs",
            "zoom_meetings",
            "zoom_participants",
            "zoom_recordings",
            "zoom_users",
            "zoom_chat_messages",
            "webhook_events",
            "meeting_history",
            "recording_access",
            "disclaimers",
            "remote_support",
        ] {
            truth.counts.entry(k.to_string()).or_insert(0);
        }
        self.plan.resolve_exposures(&mut truth);
        truth
            .assumptions
            .insert("window_start".into(), fmt_utc(self.at_day(0, 0)));
        truth
            .assumptions
            .insert("window_end".into(), fmt_utc(self.at_day(self.cfg.days, 0)));
        truth.assumptions.insert(
            "internal_domains".into(),
            format!("{},{}", org::DOMAIN, org::ALIAS_DOMAIN),
        );
        truth
            .assumptions
            .insert("min_client_version".into(), "5.17.0".into());
        // The analyst's knowledge of the organisation's networks and partners.
        for (k, site) in org::SITES.iter().enumerate() {
            truth.assumptions.insert(
                format!("office:{}", site.0),
                format!("{}/32,{}::/64", site.2, background::office_v6_prefix(k)),
            );
        }
        truth
            .assumptions
            .insert("mobile_ip_ranges".into(), background::CARRIER_RANGE.into());
        // The corporate VPN's egress, which travellers sign in and meet through.
        truth
            .assumptions
            .insert("known_ip_ranges".into(), background::VPN_RANGE.into());
        truth.assumptions.insert(
            "known_partner_domains".into(),
            background::known_partners().join(","),
        );
        truth.assumptions.insert(
            "sensitive_keywords".into(),
            "Engineering,Board,Finance,Legal,Wire,Exec".into(),
        );
        let mut fin = Finish {
            truth,
            start: self.cfg.start,
            end: self.cfg.end(),
            account_id: org::ACCOUNT_ID.into(),
            ..Default::default()
        };
        fin.departures = self.plan.departures.clone();
        for p in &self.org.people {
            if p.status == org::Status::Pending {
                continue;
            }
            for d in &p.devices {
                fin.assets
                    .push((d.pc_name.clone(), d.mac.clone(), p.email.clone()));
            }
        }
        for (t, i) in &self.org.vips {
            let p = &self.org.people[*i];
            fin.vips.push((p.email.clone(), p.name(), t.to_string()));
        }
        fin.truth
            .counts
            .insert("departures".into(), fin.departures.len() as u64);
        fin.truth
            .counts
            .insert("assets".into(), fin.assets.len() as u64);
        fin.truth
            .counts
            .insert("vips".into(), fin.vips.len() as u64);
        // issue 19: the analyst's geolocation database and the Microsoft 365 UPNs.
        self.beyond_geo()?;
        fin.truth
            .assumptions
            .insert("geoip_db".into(), beyond::GEO.into());
        for p in 0..self.org.people.len() {
            let upn = self.upn(p);
            if upn != self.org.people[p].email {
                fin.truth
                    .assumptions
                    .insert(format!("alias:{upn}"), self.org.people[p].email.clone());
            }
        }
        self.sink.finish(&fin)?;
        self.fin = fin;
        Ok(())
    }
}

/// Midnight UTC of day `d` after `start`, plus `secs`.
pub fn day_at(start: NaiveDate, d: u32, secs: i64) -> DateTime<Utc> {
    let date = start + chrono::Days::new(d as u64);
    Utc.from_utc_datetime(&date.and_hms_opt(0, 0, 0).unwrap()) + chrono::Duration::seconds(secs)
}

/// `MM/DD/YYYY HH:mm`, the user-meetings report's format.
pub fn fmt_mdy(t: DateTime<Utc>) -> String {
    t.format("%m/%d/%Y %H:%M").to_string()
}
