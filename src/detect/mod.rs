//! Detection engine and rules (one file per rule); rules read the store and write findings.
//!
//! A rule is set-based SQL over the normalised tables (never raw JSON), or, where SQLite would
//! sort millions of sessions (per-person lookups, grouping every session), integer work over
//! the in-memory [`Snapshot`]. The engine gives every rule the same [`Ctx`]: the connection with a
//! few classification functions registered on it (`zl_internal(email)`, `zl_known_ip(ip)`,
//! `zl_sensitive(topic)`, `zl_vip(email)`, `zl_version_lt(v)`, `zl_weakening(section, setting,
//! from, to)`, `zl_privileged(role)`), the configuration and the rule's parameters. A rule
//! whose data is missing returns [`RuleOutcome::CouldNotRun`] with the reason, which is stored
//! in `rule_runs` and printed.

pub mod beyond;
pub mod config;
pub mod finding;
pub mod geo;
pub mod incidents;
pub mod net;
pub mod rules;
pub mod snapshot;
pub mod triage;

use crate::store::Store;
use anyhow::{Context, Result, bail};
use rusqlite::functions::FunctionFlags;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use config::Config;
pub use finding::{Finding, Severity, StoredFinding};
pub use snapshot::Snapshot;

/// Where a rule's data comes from (documentation and `detect --list` style output).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Users,
    SignIns,
    Operations,
    Meetings,
    Participants,
    /// Dashboard (metrics) participant fields: IP, device, sharing.
    Dashboard,
    Recordings,
    Webhooks,
    Departures,
    Assets,
    Vips,
    Coverage,
    /// `/report/remote_support` sessions.
    RemoteSupport,
}

/// A tunable threshold of a rule: `[rules.<id>] <name> = <number>`.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    pub name: &'static str,
    pub default: f64,
    pub help: &'static str,
}

impl Param {
    pub const fn new(name: &'static str, default: f64, help: &'static str) -> Param {
        Param {
            name,
            default,
            help,
        }
    }
}

/// What a run of one rule produced.
#[derive(Debug)]
pub enum RuleOutcome {
    Findings(Vec<Finding>),
    /// The data the rule needs is missing; the reason says which and how to get it.
    CouldNotRun(String),
}

/// A rule: its identity (one entry of the catalogue in `rules/mod.rs`) and its logic (one file
/// per rule, named after the id).
pub struct Rule {
    /// Stable id (tests, configs and exports use it).
    pub id: &'static str,
    pub title: &'static str,
    /// The question the rule asks of the data, in one sentence (the first line of every
    /// finding's why).
    pub question: &'static str,
    pub severity: Severity,
    /// MITRE ATT&CK technique, where one fits.
    pub technique: Option<&'static str>,
    pub needs: &'static [Source],
    /// Whether the rule reads [`Ctx::snapshot`]: the engine then starts building it in the
    /// background as the run begins. (A rule that reads it without saying so still works; it
    /// just waits for the snapshot to be built then.)
    pub uses_snapshot: bool,
    pub params: &'static [Param],
    pub run: fn(&Ctx) -> Result<RuleOutcome>,
}

/// Everything a rule may read.
pub struct Ctx<'a> {
    pub conn: &'a Connection,
    pub cfg: &'a Config,
    pub env: &'a Env,
    rule: &'a Rule,
}

impl Ctx<'_> {
    /// A parameter of the running rule: configured value, else its default.
    pub fn num(&self, name: &str) -> f64 {
        let def = self
            .rule
            .params
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.default)
            .unwrap_or_else(|| panic!("rule {} has no parameter {name}", self.rule.id));
        self.cfg.param(self.rule.id, name).unwrap_or(def)
    }
    pub fn int(&self, name: &str) -> i64 {
        self.num(name).round() as i64
    }
    /// Whether a query returns at least one row.
    pub fn any(&self, sql: &str) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached(&format!("SELECT EXISTS ({sql})"))?
            .query_row([], |r| r.get::<_, bool>(0))?)
    }
    /// Make sure `temp.zl_sess` exists — the narrow copy of `participants` (every
    /// column a rule reads, no raw JSON) built in one scan on first use in a run — with the
    /// named indexes (only `meeting`: by instance, then join time). Rules read it instead of the wide table:
    /// on a multi-million-session case each full scan of `participants` reads gigabytes.
    pub fn sessions(&self, indexes: &[&str]) -> Result<()> {
        let built: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM temp.sqlite_master WHERE type = 'table' AND name = 'zl_sess')",
            [],
            |r| r.get(0),
        )?;
        if !built {
            let t = Instant::now();
            self.conn.execute_batch(SESS_SQL)?;
            tracing::info!(ms = t.elapsed().as_millis() as u64, "session copy built");
        }
        for i in indexes {
            // Per-person and time-ordered access goes through the snapshot, which sorts far
            // faster than SQLite builds an index.
            let cols = match *i {
                "meeting" => "meeting_uuid, join_time",
                other => bail!("no session index {other:?}"),
            };
            self.conn.execute_batch(&format!(
                "CREATE INDEX IF NOT EXISTS temp.zl_sess_{i} ON zl_sess ({cols})"
            ))?;
        }
        Ok(())
    }
    /// The in-memory session snapshot, for rules that group or look up sessions per person:
    /// see [`snapshot`]. Usually being built on a second connection since the run began; else
    /// built here from the copy. Another process may write to the case meanwhile (`listen`),
    /// so the snapshot and the copy can differ by a few fresh sessions: fetch a session's
    /// details from `participants`, which has every committed one.
    pub fn snapshot(&self) -> Result<&Snapshot> {
        if let Some(s) = self.env.snapshot.get() {
            return Ok(s);
        }
        // Snapshot users read the copy too: build it while the snapshot job runs.
        self.sessions(&[])?;
        let job = self.env.snapshot_job.borrow_mut().take();
        let snap = match job {
            Some(job) => match job.join() {
                Ok(built) => built?,
                Err(_) => bail!("building the session snapshot panicked"),
            },
            None => Snapshot::build(self.conn, "temp.zl_sess", &self.env.internal)?,
        };
        Ok(self.env.snapshot.get_or_init(|| snap))
    }
    /// The reason internal and external cannot be told apart, if so.
    pub fn need_internal(&self) -> Option<String> {
        self.env.internal.is_empty().then(|| {
            "no internal domains: the case has no users directory and no sign-ins, and the \
             config sets no internal_domains (import /users, or set internal_domains)"
                .to_string()
        })
    }
}

/// The narrow session table: same column names, types and collations as `participants`.
const SESS_SQL: &str = "
CREATE TEMP TABLE zl_sess (
  id INTEGER PRIMARY KEY, meeting_uuid TEXT NOT NULL, meeting_id INTEGER, user_id TEXT NOT NULL,
  zoom_user_id TEXT, name TEXT, email TEXT COLLATE NOCASE, join_time TEXT NOT NULL,
  leave_time TEXT, duration INTEGER, status TEXT, role TEXT, registrant_id TEXT,
  ip_address TEXT, device TEXT, os TEXT, pc_name TEXT, domain TEXT, mac_addr TEXT,
  harddisk_id TEXT, version TEXT, share_application INTEGER, share_desktop INTEGER,
  share_whiteboard INTEGER, recording INTEGER, in_report INTEGER NOT NULL,
  in_metrics INTEGER NOT NULL, in_webhook INTEGER NOT NULL);
INSERT INTO temp.zl_sess SELECT id, meeting_uuid, meeting_id, user_id, zoom_user_id, name, email,
  join_time, leave_time, duration, status, role, registrant_id, ip_address, device, os, pc_name,
  domain, mac_addr, harddisk_id, version, share_application, share_desktop, share_whiteboard,
  recording, in_report, in_metrics, in_webhook FROM main.participants ORDER BY id;
";

/// Per-run facts resolved once: internal domains, VIPs.
pub struct Env {
    pub internal: Arc<HashSet<String>>,
    pub vips: Arc<HashSet<String>>,
    snapshot: std::cell::OnceCell<Snapshot>,
    /// The snapshot being built on a second connection while the first runs rules.
    snapshot_job: std::cell::RefCell<Option<std::thread::JoinHandle<Result<Snapshot>>>>,
}

impl Env {
    /// Build the session snapshot from the case file on another thread (its own read-only
    /// connection), so that it costs no time on a two-core machine: the first connection
    /// meanwhile runs the operation-log rules and builds the session copy.
    fn start_snapshot(&self, case: &std::path::Path) {
        let (case, internal) = (case.to_path_buf(), self.internal.clone());
        let job = std::thread::spawn(move || {
            let conn = Connection::open_with_flags(
                &case,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
                    | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?;
            crate::store::raw::register(&conn)?;
            conn.busy_timeout(Duration::from_secs(30))?;
            conn.pragma_update(None, "mmap_size", MMAP_SIZE)?;
            Snapshot::build(&conn, "main.participants", &internal)
        });
        *self.snapshot_job.borrow_mut() = Some(job);
    }
}

/// How much of the case file to memory-map: all of it. Rules scan the multi-gigabyte
/// participants table; mapping it spares a read() copy of every page. (SQLite's default
/// ceiling is 2 GB; `.cargo/config.toml` builds it with a higher one.)
const MMAP_SIZE: i64 = 1 << 40;

/// One rule's run, as reported.
#[derive(Debug, Clone)]
pub struct RuleRun {
    pub rule: &'static str,
    pub title: &'static str,
    pub status: RunStatus,
    pub findings: usize,
    /// Findings the case's allow-list covered (not stored).
    pub suppressed: usize,
    pub elapsed: Duration,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunStatus {
    Ok,
    /// Could not run (missing data) or disabled; the reason says which.
    Skipped(String),
}

#[derive(Debug, Clone)]
pub struct Report {
    pub runs: Vec<RuleRun>,
    pub internal_domains: Vec<String>,
    /// How the findings were grouped into incidents.
    pub incidents: incidents::Regrouped,
    pub elapsed: Duration,
}

impl Report {
    pub fn total_findings(&self) -> usize {
        self.runs.iter().map(|r| r.findings).sum()
    }
    pub fn total_suppressed(&self) -> usize {
        self.runs.iter().map(|r| r.suppressed).sum()
    }
    pub fn run_of(&self, rule: &str) -> Option<&RuleRun> {
        self.runs.iter().find(|r| r.rule == rule)
    }
}

pub(crate) fn domain_of(email: &str) -> Option<String> {
    let (_, d) = email.trim().rsplit_once('@')?;
    let d = d.trim().to_ascii_lowercase();
    (!d.is_empty()).then_some(d)
}

/// Resolve internal domains and VIPs, register the classification functions and load the
/// VIP list into a temp table for the rules.
pub fn prepare(conn: &Connection, cfg: &Config) -> Result<Env> {
    // Read afresh, and kept for readers (detect is the case's writer here).
    let signed_in = signin_domains(conn, true)?;
    conn.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
        rusqlite::params![SIGNIN_DOMAINS, serde_json::to_string(&signed_in)?],
    )?;
    let (internal, vips) = register(conn, cfg, signed_in)?;
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS zl_vips (email TEXT PRIMARY KEY COLLATE NOCASE)",
    )?;
    {
        let mut ins = conn.prepare("INSERT OR IGNORE INTO temp.zl_vips (email) VALUES (?1)")?;
        for e in vips.iter() {
            ins.execute([e])?;
        }
    }
    Ok(Env {
        internal,
        vips,
        snapshot: Default::default(),
        snapshot_job: Default::default(),
    })
}

type Shared = Arc<HashSet<String>>;

/// `meta` key: the domains people signed in to the account with, as `detect` last read them
/// (a JSON list), so that opening the console need not read every sign-in (1 M on a month of
/// 20,000 people: 0.12 s).
const SIGNIN_DOMAINS: &str = "signin_domains";

/// The domains of everyone who signed in to the account: each is the account's own, since
/// only its users sign in to it (a case of webhooks alone holds a handful of directory rows,
/// and a second email domain would make every colleague on it an outsider). `fresh` reads
/// every distinct sign-in email (from the index on them); otherwise `detect`'s last answer
/// stands when there is one.
fn signin_domains(conn: &Connection, fresh: bool) -> Result<Vec<String>> {
    if !fresh {
        let kept: Option<String> = conn
            .query_row(
                "SELECT value FROM meta WHERE key = ?1",
                [SIGNIN_DOMAINS],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(list) = kept.and_then(|v| serde_json::from_str(&v).ok()) {
            return Ok(list);
        }
    }
    let all = email_domains(conn, "SELECT DISTINCT email FROM signins")?;
    Ok(all.into_iter().collect())
}

/// The domains of the emails `sql` yields, as [`domain_of`] reads them (and `zl_internal`
/// looks them up).
fn email_domains(conn: &Connection, sql: &str) -> Result<std::collections::BTreeSet<String>> {
    let mut out = std::collections::BTreeSet::new();
    let mut st = conn.prepare(sql)?;
    for e in st.query_map([], |r| r.get::<_, String>(0))? {
        out.extend(domain_of(&e?));
    }
    Ok(out)
}

/// The rules' helpers as SQL functions (`zl_internal(email)`, `zl_domain(email)`,
/// `zl_version_lt(v)` and `zl_version_lt(a, b)`, `zl_sensitive(topic)`, `zl_vip(email)`...),
/// on any connection, read-only ones included: `zoomlens sql` and the SQL pane offer them so
/// an analyst's query says what the rules mean. Returns the internal domains and VIPs.
pub fn sql_functions(conn: &Connection, cfg: &Config) -> Result<(Shared, Shared)> {
    register(conn, cfg, signin_domains(conn, false)?)
}

fn register(conn: &Connection, cfg: &Config, signed_in: Vec<String>) -> Result<(Shared, Shared)> {
    let mut internal: HashSet<String> = cfg
        .internal_domains
        .iter()
        .map(|d| d.trim().trim_start_matches('@').to_ascii_lowercase())
        .filter(|d| !d.is_empty())
        .collect();
    internal.extend(email_domains(
        conn,
        "SELECT DISTINCT email FROM users WHERE email IS NOT NULL",
    )?);
    internal.extend(signed_in);
    let mut vips: HashSet<String> = cfg
        .vip_emails
        .iter()
        .map(|e| e.trim().to_ascii_lowercase())
        .filter(|e| !e.is_empty())
        .collect();
    {
        let mut st = conn.prepare("SELECT lower(email) FROM vips")?;
        for e in st.query_map([], |r| r.get::<_, String>(0))? {
            vips.insert(e?);
        }
    }
    let internal = Arc::new(internal);
    let vips = Arc::new(vips);
    let det = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;

    let dom = internal.clone();
    // Called for millions of sessions: reads the text in place and allocates only for a
    // domain that is not already trimmed lower case.
    conn.create_scalar_function("zl_internal", 1, det, move |c| {
        let ValueRef::Text(e) = c.get_raw(0) else {
            return Ok(false);
        };
        let Some(at) = e.iter().rposition(|&b| b == b'@') else {
            return Ok(false);
        };
        let d = std::str::from_utf8(&e[at + 1..]).unwrap_or("");
        if !d.is_empty()
            && !d
                .bytes()
                .any(|b| b.is_ascii_uppercase() || b.is_ascii_whitespace())
        {
            return Ok(dom.contains(d));
        }
        let d = d.trim().to_ascii_lowercase();
        Ok(!d.is_empty() && dom.contains(&d))
    })?;
    let ranges = cfg.known_ranges();
    conn.create_scalar_function("zl_known_ip", 1, det, move |c| {
        let ip: Option<String> = c.get(0)?;
        Ok(ip
            .and_then(|s| s.trim().parse::<std::net::IpAddr>().ok())
            .is_some_and(|ip| ranges.iter().any(|r| r.contains(&ip))))
    })?;
    let topics: Vec<String> = cfg
        .sensitive_topics
        .iter()
        .map(|t| t.to_lowercase())
        .filter(|t| !t.is_empty())
        .collect();
    conn.create_scalar_function("zl_sensitive", 1, det, move |c| {
        let t: Option<String> = c.get(0)?;
        Ok(t.is_some_and(|t| rules::topic_matches(&t, &topics)))
    })?;
    let v = vips.clone();
    conn.create_scalar_function("zl_vip", 1, det, move |c| {
        let e: Option<String> = c.get(0)?;
        Ok(e.is_some_and(|e| v.contains(&e.trim().to_ascii_lowercase())))
    })?;
    let min = rules::version_key(&cfg.min_client_version);
    conn.create_scalar_function("zl_version_lt", 1, det, move |c| {
        let s: Option<String> = c.get(0)?;
        Ok(s.is_some_and(|s| {
            let k = rules::version_key(&s);
            !k.is_empty() && k < min
        }))
    })?;
    conn.create_scalar_function("zl_weakening", 4, det, |c| {
        let g = |i| c.get::<Option<String>>(i);
        Ok(rules::weakening(
            g(0)?.as_deref().unwrap_or(""),
            g(1)?.as_deref().unwrap_or(""),
            g(2)?.as_deref().unwrap_or(""),
            g(3)?.as_deref().unwrap_or(""),
        ))
    })?;
    conn.create_scalar_function("zl_privileged", 1, det, |c| {
        let r: Option<String> = c.get(0)?;
        Ok(r.is_some_and(|r| rules::is_privileged_role(&r)))
    })?;
    conn.create_scalar_function("zl_exposes", 2, det, |c| {
        let g = |i| c.get::<Option<String>>(i);
        Ok(rules::exposes_meetings(
            g(0)?.as_deref().unwrap_or(""),
            g(1)?.as_deref().unwrap_or(""),
        ))
    })?;
    conn.create_scalar_function("zl_norm_name", 1, det, |c| {
        let s: Option<String> = c.get(0)?;
        Ok(rules::display_name_impersonation::norm_name(
            s.as_deref().unwrap_or(""),
        ))
    })?;
    conn.create_scalar_function("zl_sso", 1, det, |c| {
        let s: Option<String> = c.get(0)?;
        Ok(s.is_some_and(|s| rules::is_sso_text(&s)))
    })?;
    conn.create_scalar_function("zl_billing", 1, det, |c| {
        let s: Option<String> = c.get(0)?;
        Ok(s.is_some_and(|s| rules::is_billing_text(&s)))
    })?;
    conn.create_scalar_function("zl_domain", 1, det, |c| {
        let e: Option<String> = c.get(0)?;
        Ok(e.as_deref().and_then(domain_of))
    })?;
    conn.create_scalar_function("zl_version_lt", 2, det, |c| {
        let g = |i| c.get::<Option<String>>(i);
        let (a, b) = (g(0)?.unwrap_or_default(), g(1)?.unwrap_or_default());
        let (a, b) = (rules::version_key(&a), rules::version_key(&b));
        Ok(!a.is_empty() && !b.is_empty() && a < b)
    })?;
    beyond_functions(conn, cfg)?;
    Ok((internal, vips))
}

/// issue 19's helpers: `zl_country(ip)` and `zl_city(ip)` from the configured geolocation
/// database, `zl_person(name)` (an identity provider's name for someone as their Zoom email,
/// through `user_aliases`), `zl_sensitive_data(resource, label)`.
fn beyond_functions(conn: &Connection, cfg: &Config) -> Result<()> {
    let det = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    let geo = match &cfg.geoip_db {
        Some(p) => Some(geo::load_cached(p)?),
        None => None,
    };
    for (name, city) in [("zl_country", false), ("zl_city", true)] {
        let g = geo.clone();
        conn.create_scalar_function(name, 1, det, move |c| {
            let Some(g) = &g else {
                return Err(rusqlite::Error::UserFunctionError(
                    format!(
                        "{name} needs a geolocation database: set geoip_db in the detection \
                         config or pass --geoip PATH (a .mmdb or a DB-IP / IP2Location CSV)"
                    )
                    .into(),
                ));
            };
            let ip: Option<String> = c.get(0)?;
            let loc = ip.and_then(|ip| g.lookup(&ip));
            Ok(if city {
                loc.and_then(|l| l.city)
            } else {
                loc.map(|l| l.country)
            })
        })?;
    }
    if let Some(g) = geo.clone() {
        let g2 = g.clone();
        // The console's place of an address: the database's "City, CC", else the record's own.
        conn.create_scalar_function("zl_geo", 2, det, move |c| {
            let ip: Option<String> = c.get(0)?;
            let own: Option<String> = c.get(1)?;
            Ok(ip
                .and_then(|ip| g.lookup(&ip))
                .map(|l| l.label())
                .or(own.filter(|s| !s.trim().is_empty())))
        })?;
        conn.create_scalar_function("zl_geo_country", 2, det, move |c| {
            let ip: Option<String> = c.get(0)?;
            let own: Option<String> = c.get(1)?;
            Ok(ip
                .and_then(|ip| g2.lookup(&ip))
                .map(|l| l.country)
                .or_else(|| own.as_deref().and_then(crate::store::country_of_location)))
        })?;
    }
    let aliases = cfg.alias_map();
    // The other way round, for the timeline: a person's email and every alias naming them.
    let mut names: std::collections::HashMap<String, Vec<String>> = Default::default();
    for (alias, person) in &aliases {
        names.entry(person.clone()).or_default().push(alias.clone());
    }
    conn.create_scalar_function("zl_aliases", 1, det, move |c| {
        let email = c.get::<Option<String>>(0)?.unwrap_or_default();
        let mut all = vec![email.clone()];
        all.extend(
            names
                .get(&email.trim().to_lowercase())
                .into_iter()
                .flatten()
                .cloned(),
        );
        Ok(serde_json::json!(all).to_string())
    })?;
    conn.create_scalar_function("zl_person", 1, det, move |c| {
        let u: Option<String> = c.get(0)?;
        Ok(u.map(|u| {
            let u = u.trim().to_lowercase();
            aliases.get(&u).cloned().unwrap_or(u)
        }))
    })?;
    let c2 = cfg.clone();
    conn.create_scalar_function("zl_sensitive_data", 2, det, move |c| {
        let g = |i| c.get::<Option<String>>(i);
        Ok(c2.sensitive_data(
            g(0)?.as_deref().unwrap_or(""),
            g(1)?.as_deref().unwrap_or(""),
        ))
    })?;
    Ok(())
}

fn drop_temp(conn: &Connection) -> Result<()> {
    let names: Vec<String> = conn
        .prepare("SELECT name FROM temp.sqlite_master WHERE type = 'table' AND name LIKE 'zl\\_%' ESCAPE '\\'")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for n in names {
        conn.execute_batch(&format!("DROP TABLE IF EXISTS temp.\"{n}\""))?;
    }
    Ok(())
}

/// Run the enabled rules (or only `only`) over a case, replacing their stored findings.
///
/// Temp tables (the narrow session copy and its index, the rules' working tables) and
/// SQLite's large sorts go to temp files for the run (SQLite's temp directory: `SQLITE_TMPDIR`,
/// `TMPDIR`, else `/var/tmp` or `/tmp`), not to private memory: on five million sessions they
/// are about 1.3 GB, which kept in memory was most of the run's 2 GB of private memory. Written
/// once and read back through the memory map (`mmap_size` applies to the temp database too),
/// they stay in the OS page cache when the machine has memory to spare, which the OS can
/// reclaim when it has not; the rules run no slower, and SQLite's sorts may use their helper
/// thread (with temp data in memory it sorts on one thread). The connection's temp store is
/// set back afterwards.
pub fn run(store: &mut Store, cfg: &Config, only: &[String]) -> Result<Report> {
    let before: i64 = store
        .conn
        .pragma_query_value(None, "temp_store", |r| r.get(0))?;
    store.conn.pragma_update(None, "temp_store", "FILE")?;
    let report = run_rules(store, cfg, only);
    // Switching back drops the (by now empty) temp database and its file.
    let restored = store.conn.pragma_update(None, "temp_store", before);
    let report = report?;
    restored?;
    Ok(report)
}

fn run_rules(store: &mut Store, cfg: &Config, only: &[String]) -> Result<Report> {
    let registry = rules::registry();
    for id in only {
        if !registry.iter().any(|r| r.id == id) {
            let ids: Vec<&str> = registry.iter().map(|r| r.id).collect();
            bail!("no rule {id:?}; rule ids are: {}", ids.join(", "));
        }
    }
    let started = Instant::now();
    let conn = &mut store.conn;
    // Large sorts (GROUP BY, index builds over millions of sessions) may use a helper thread.
    conn.pragma_update(None, "threads", 2)?;
    // The case file and the temp database (opened after this) are read through the map.
    conn.pragma_update(None, "mmap_size", MMAP_SIZE)?;
    drop_temp(conn)?;
    // The case's own allow-list: its IP ranges count as known networks for every rule; the
    // rest filters findings below.
    let entries = triage::allow_list(conn)?;
    let allow = triage::AllowSet::from_entries(&entries);
    let effective;
    let cfg = if entries.is_empty() {
        cfg
    } else {
        let mut c = cfg.clone();
        let of = |kind: &'static str| {
            entries
                .iter()
                .filter(move |a| a.kind == kind)
                .map(|a| a.value.clone())
        };
        c.known_ip_ranges.extend(of("ip"));
        c.known_partner_domains.extend(of("partner-domain"));
        effective = c;
        &effective
    };
    let env = prepare(conn, cfg)?;
    let mut internal_domains: Vec<String> = env.internal.iter().cloned().collect();
    internal_domains.sort();
    let selected = |rule: &&Rule| {
        (only.is_empty() || only.iter().any(|o| o == rule.id)) && cfg.enabled(rule.id)
    };
    if registry.iter().filter(selected).any(|r| r.uses_snapshot) {
        env.start_snapshot(&store.path);
    }
    let mut runs = Vec::new();
    for rule in registry {
        if !only.is_empty() && !only.iter().any(|o| o == rule.id) {
            continue;
        }
        let t0 = Instant::now();
        let outcome = if !cfg.enabled(rule.id) {
            RuleOutcome::CouldNotRun("disabled in the configuration".into())
        } else {
            let ctx = Ctx {
                conn,
                cfg,
                env: &env,
                rule,
            };
            (rule.run)(&ctx).with_context(|| format!("rule {} failed", rule.id))?
        };
        let elapsed = t0.elapsed();
        let now = crate::model::time::fmt_utc(chrono::Utc::now());
        let (status, mut findings) = match outcome {
            RuleOutcome::Findings(f) => (RunStatus::Ok, f),
            RuleOutcome::CouldNotRun(why) => (RunStatus::Skipped(why), Vec::new()),
        };
        let before = findings.len();
        if !allow.is_empty() {
            let mut kept = Vec::with_capacity(findings.len());
            for f in findings {
                if !allow.covers(conn, &f)? {
                    kept.push(f);
                }
            }
            findings = kept;
        }
        let suppressed = before - findings.len();
        let tx = conn.transaction()?;
        finding::replace_findings(&tx, rule, &findings, &now)?;
        let (st, reason) = match &status {
            RunStatus::Ok => ("ok", ""),
            RunStatus::Skipped(r) => ("skipped", r.as_str()),
        };
        tx.execute(
            "INSERT INTO rule_runs (rule, ran_at, status, reason, findings, elapsed_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (rule) DO UPDATE SET ran_at = excluded.ran_at, status = excluded.status,
               reason = excluded.reason, findings = excluded.findings,
               elapsed_ms = excluded.elapsed_ms",
            rusqlite::params![
                rule.id,
                now,
                st,
                reason,
                findings.len() as i64,
                elapsed.as_millis() as i64
            ],
        )?;
        tx.commit()?;
        tracing::info!(
            rule = rule.id,
            findings = findings.len(),
            ms = elapsed.as_millis() as u64,
            "rule ran"
        );
        runs.push(RuleRun {
            rule: rule.id,
            title: rule.title,
            status,
            findings: findings.len(),
            suppressed,
            elapsed,
        });
    }
    drop_temp(conn)?;
    if let Some(job) = env.snapshot_job.take() {
        // No rule asked for it after all (each found its data missing): let it finish.
        let _ = job.join();
    }
    let now = crate::model::time::fmt_utc(chrono::Utc::now());
    let incidents = incidents::regroup(conn, cfg.incident_window_hours, &now)?;
    Ok(Report {
        runs,
        internal_domains,
        incidents,
        elapsed: started.elapsed(),
    })
}
