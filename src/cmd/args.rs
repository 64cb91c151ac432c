//! What the user can type: clap's definitions of every subcommand and flag.
//!
//! Only the command layer sees these types; each `cmd::<name>` turns them into the plain
//! option structs the library defines. Enums that mirror library enums (`Plan`, `Severity`...)
//! exist so that clap stays out of the library.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "zoomlens",
    version,
    about = "Terminal investigation console for Zoom security telemetry",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// More logging (repeat for more); logs go to stderr. ZOOMLENS_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Option<Command>,
    /// A case file to open in the console (`zoomlens CASE` is `zoomlens open CASE`).
    pub case: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Import files into a case (created if missing); the format is detected from content.
    Import(ImportArgs),
    /// Run a read-only SQL query on a case.
    Sql(SqlArgs),
    /// Per-source counts, time spans and silent gaps of a case.
    Status(StatusArgs),
    /// Generate a synthetic Zoom tenant (captures, webhooks, enrichment lists, ground truth).
    Gen(GenArgs),
    /// Serve a synthetic tenant over a Zoom-compatible HTTP API.
    Sim(SimArgs),
    /// Build the demo case (planted incidents) and open the console on it.
    Demo(DemoArgs),
    /// Pull an account's Zoom logs into a case through the API.
    Sync(SyncArgs),
    /// Sign in with an OAuth app (authorization-code flow).
    Auth(AuthArgs),
    /// Check which sources the credentials can read (scopes granted or missing, what the plan
    /// allows) and keep the answer in the case for `status`.
    Doctor(DoctorArgs),
    /// Run the detection rules over a case, store the findings and group them into incidents.
    Detect(DetectArgs),
    /// List a case's incidents (findings grouped into stories), highest score first.
    Incidents(IncidentsArgs),
    /// Record a verdict on findings or incidents (kept across re-runs of detect).
    Triage(TriageArgs),
    /// Show the case's own configuration: its allow-list.
    Config(ConfigArgs),
    /// Check a case: SQLite integrity, and every record's SHA-256 against its original bytes.
    Verify(VerifyArgs),
    /// Bring a case made by an older zoomlens up to this version's schema.
    Upgrade(UpgradeArgs),
    /// Compress a case's evidence in place (resumable; the original bytes stay verifiable).
    Compact(CompactArgs),
    /// Pack a case into one compressed file to hand over (the case itself is only read).
    Pack(PackArgs),
    /// Unpack a packed case into a case file, checking every record against the pack.
    Unpack(UnpackArgs),
    /// Receive Zoom webhook events into a case.
    Listen(ListenArgs),
    /// Write a report of a case's incidents for a ticket (Markdown or self-contained HTML).
    Report(ReportArgs),
    /// Export a case for a SIEM or data lake: OCSF or ECS (NDJSON or Parquet), Panther rows, CSV.
    Export(ExportArgs),
    /// Open the investigation console on a case.
    Open(OpenArgs),
    /// The endpoint landscape: people and sessions per client version, device, OS, location...
    Stack(StackArgs),
    /// External exposure per department or host: meetings with outsiders, their domains,
    /// how many were sensitive, who hosts guests, the trend.
    Exposure(ExposureArgs),
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// The case file to import into (created if missing).
    pub case: PathBuf,
    /// Files to import: captures, bare API bodies, webhooks, Panther rows, CSV lists and exports.
    /// `-` reads standard input; pipes and FIFOs work; gzip and zstd are read directly.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Meeting UUID that bare participant pages belong to.
    #[arg(long)]
    pub meeting: Option<String>,
    /// Channel id that bare chat message pages belong to (the request's `to_channel`).
    #[arg(long, conflicts_with = "contact")]
    pub channel: Option<String>,
    /// Contact (email or id) that bare chat message pages are with (the request's `to_contact`).
    #[arg(long)]
    pub contact: Option<String>,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

/// How a command prints its rows.
#[derive(Clone, Copy, Debug, Default, ValueEnum, PartialEq, Eq)]
pub enum OutFormat {
    /// Aligned text for reading; log text is escaped.
    #[default]
    Table,
    /// JSON; control and invisible characters are written as \u escapes.
    Json,
    /// CSV for spreadsheets; cells that a spreadsheet would run as a formula are neutralised.
    Csv,
}

#[derive(Args, Debug)]
pub struct SqlArgs {
    /// The case file (opened read-only).
    pub case: PathBuf,
    /// The query; runs on a read-only connection.
    pub query: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: OutFormat,
    /// Escape control and invisible characters in CSV cells even when writing to a file or
    /// pipe (always on when stdout is a terminal).
    #[arg(long)]
    pub safe: bool,
    /// Stop the query after this many seconds (0: no limit).
    #[arg(long, default_value_t = 0)]
    pub timeout: u64,
    /// Detection config whose internal domains, VIPs, sensitive topics and minimum client
    /// version the query's `zl_*` functions use (default: the user's config file, else
    /// built-in defaults).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Offline geolocation database (a MaxMind .mmdb, or a DB-IP / IP2Location CSV of
    /// ranges) for `zl_country(ip)` / `zl_city(ip)`; overrides the config's geoip_db.
    #[arg(long, value_name = "PATH")]
    pub geoip: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct StatusArgs {
    /// The case file (opened read-only).
    pub case: PathBuf,
    /// Silence longer than this many hours is a gap (default: the detect configuration's
    /// `[rules.source-silent] max_gap_hours`, else 24).
    #[arg(long)]
    pub gap_hours: Option<f64>,
    /// Judge silence up to now, as for a case fed live by `listen` or a scheduled sync.
    #[arg(long)]
    pub until_now: bool,
    /// Detection configuration file the default threshold is read from.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Knobs of the synthetic tenant, shared by `gen`, `sim` and `demo`.
#[derive(Args, Debug, Clone)]
pub struct TenantArgs {
    /// Seed: the same seed and knobs give byte-identical output.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Number of users in the account.
    #[arg(long, default_value_t = 200)]
    pub users: u32,
    /// Days of activity.
    #[arg(long, default_value_t = 14)]
    pub days: u32,
    /// First day (YYYY-MM-DD); default: `days` days before today.
    #[arg(long)]
    pub start: Option<String>,
    /// Share of meeting participants from outside the account (0..1).
    #[arg(long, default_value_t = 0.08)]
    pub external_share: f64,
    /// Share of meeting participants who are guests without an email (0..1).
    #[arg(long, default_value_t = 0.04)]
    pub guest_share: f64,
    /// Planted incidents: `all`, `none`, or a comma-separated list of rule ids.
    #[arg(long, default_value = "all")]
    pub incidents: String,
}

#[derive(Args, Debug)]
pub struct GenArgs {
    /// Output folder.
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub tenant: TenantArgs,
}

/// A Zoom plan; it sets the API rate limits.
#[derive(Clone, Copy, Debug, Default, ValueEnum, PartialEq, Eq)]
pub enum Plan {
    /// Basic (free) accounts: low per-second limits and daily caps on every category.
    Free,
    /// Pro accounts.
    Pro,
    /// Business, Education, Enterprise and higher.
    #[default]
    Business,
}

impl From<Plan> for crate::zoom::Plan {
    fn from(p: Plan) -> Self {
        match p {
            Plan::Free => Self::Free,
            Plan::Pro => Self::Pro,
            Plan::Business => Self::Business,
        }
    }
}

/// Kinds of fault the simulator injects.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum FaultKind {
    /// 500, 502, 503 or 504 with a Zoom-like (or gateway HTML) body.
    ServerError,
    /// A burst of consecutive 429s, like the per-second limit's.
    Storm,
    /// The connection is dropped without a complete answer.
    Reset,
    /// The answer comes only after a delay (--slow-ms).
    Slow,
    /// 200 with the JSON body cut in half.
    Truncated,
    /// 200 with a body that is not valid JSON.
    Malformed,
    /// The caller's access token is revoked: later calls with it get 401 / 124.
    Revoke,
}

impl From<FaultKind> for crate::sim::server::FaultKind {
    fn from(k: FaultKind) -> Self {
        match k {
            FaultKind::ServerError => Self::ServerError,
            FaultKind::Storm => Self::Storm,
            FaultKind::Reset => Self::Reset,
            FaultKind::Slow => Self::Slow,
            FaultKind::Truncated => Self::Truncated,
            FaultKind::Malformed => Self::Malformed,
            FaultKind::Revoke => Self::Revoke,
        }
    }
}

/// What `sync` does when a daily request cap is reached.
#[derive(Clone, Copy, Debug, Default, ValueEnum, PartialEq, Eq)]
pub enum DailyCap {
    /// Stop with a message saying when Zoom resumes (the budget is shared with other apps).
    #[default]
    Stop,
    /// Sleep until 00:00 UTC and carry on.
    Wait,
}

impl From<DailyCap> for crate::zoom::DailyCapPolicy {
    fn from(p: DailyCap) -> Self {
        match p {
            DailyCap::Stop => Self::Stop,
            DailyCap::Wait => Self::Wait,
        }
    }
}

#[derive(Args, Debug)]
pub struct SimArgs {
    /// Address to listen on, e.g. 127.0.0.1:8080 (port 0 picks a free one and prints it).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// Boxed to keep `Command` small.
    #[command(flatten)]
    pub tenant: Box<TenantArgs>,
    /// The plan whose rate limits the simulator enforces.
    #[arg(long, value_enum, default_value_t)]
    pub plan: Plan,
    /// Share of requests answered with a fault (5xx, 429 storm, reset, slow, truncated body...).
    #[arg(long, default_value_t = 0.0)]
    pub fault_rate: f64,
    /// Write the counts a complete pull must produce to this file, then serve.
    #[arg(long)]
    pub truth: Option<PathBuf>,
    /// Access-token lifetime in seconds.
    #[arg(long, default_value_t = 3600)]
    pub token_ttl: u64,
    /// Multiply the rate limits (e.g. 0.1 for tests that want 429s quickly).
    #[arg(long, default_value_t = 1.0)]
    pub rate_limit_scale: f64,
    /// Multiply only the daily caps (default: --rate-limit-scale), to reach a daily 429 quickly.
    #[arg(long)]
    pub daily_limit_scale: Option<f64>,
    /// Account id the simulator accepts in Server-to-Server OAuth token requests.
    #[arg(long, default_value = "sim-account")]
    pub account_id: String,
    /// OAuth client id the simulator accepts.
    #[arg(long, default_value = "sim-client")]
    pub client_id: String,
    /// OAuth client secret the simulator accepts.
    #[arg(
        long,
        default_value = "sim-secret",
        env = "ZOOMLENS_SIM_SECRET",
        hide_env_values = true
    )]
    pub client_secret: String,
    /// Deliver the tenant's webhook events, signed, to this URL.
    #[arg(long)]
    pub deliver_to: Option<String>,
    /// Webhook events per second when delivering.
    #[arg(long, default_value_t = 100.0)]
    pub deliver_rate: f64,
    /// How long to deliver, in seconds (default: until every event is sent).
    #[arg(long)]
    pub deliver_seconds: Option<u64>,
    /// Webhook secret token used to sign deliveries.
    #[arg(long, env = "ZOOM_WEBHOOK_SECRET_TOKEN", hide_env_values = true)]
    pub webhook_secret: Option<String>,
    /// Write the acknowledged deliveries (one `{"event","event_ts"}` JSON line each) here.
    #[arg(long, requires = "deliver_to")]
    pub deliver_acks: Option<PathBuf>,
    /// Webhook deliveries in flight at once.
    #[arg(long, default_value_t = 256)]
    pub deliver_concurrency: usize,
    /// Fault kinds to draw from (default: all): server-error, storm, reset, slow, truncated,
    /// malformed, revoke.
    #[arg(long, value_enum, value_delimiter = ',')]
    pub fault_kinds: Vec<FaultKind>,
    /// Sources whose scope the simulated app lacks (answered 400 / code 4711 "does not contain
    /// scopes"): users, signins, operations, meetings, participants, metrics, recordings, chat, history, analytics, disclaimers, remote_support.
    #[arg(long, value_delimiter = ',')]
    pub missing_scope: Vec<String>,
    /// Delay of a "slow answer" fault, in milliseconds.
    #[arg(long, default_value_t = 4000)]
    pub slow_ms: u64,
    /// Lifetime of next_page_token values in seconds (Zoom: 15 minutes).
    #[arg(long, default_value_t = 900)]
    pub page_token_ttl: u64,
    /// Pretend the current time is this (for the 6-month report and 1-year meeting limits).
    #[arg(long)]
    pub now: Option<String>,
    /// Also serve the tenant's events over Zoom's WebSocket endpoint,
    /// ws://ADDR/ws?subscriptionId=ID&access_token=TOKEN (for `listen --websocket`).
    #[arg(long)]
    pub ws: bool,
    /// The WebSocket subscription id the simulator accepts.
    #[arg(long, default_value = "sim-subscription")]
    pub ws_subscription: String,
    /// Events per second sent over the WebSocket while a consumer is connected.
    #[arg(long = "ws-rate", visible_alias = "rate", default_value_t = 100.0)]
    pub ws_rate: f64,
    /// WebSocket faults: drop (connection cut), silence (heartbeats unanswered, nothing sent),
    /// expire (token revoked, Zoom's refusal frame and a close), duplicate (the last
    /// --ws-replay events sent again after each reconnect).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub ws_faults: Vec<WsFaultKind>,
    /// Chance per event sent over the WebSocket that one of the drop, silence or expire faults
    /// of --ws-faults happens instead.
    #[arg(long, default_value_t = 0.0)]
    pub ws_fault_rate: f64,
    /// With the duplicate fault: how many events are sent again after a reconnect.
    #[arg(long, default_value_t = 20)]
    pub ws_replay: usize,
    /// Close a WebSocket that sent no heartbeat for this many seconds.
    #[arg(long, default_value_t = 90)]
    pub ws_idle_secs: u64,
}

/// Faults of the simulator's WebSocket endpoint.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum WsFaultKind {
    /// The connection is cut without a close frame.
    Drop,
    /// Heartbeats go unanswered and nothing is sent: a half-dead connection.
    Silence,
    /// The token is revoked; Zoom's refusal frame ("Token is invalid") and a close follow.
    Expire,
    /// Each reconnect begins with the last --ws-replay events sent again.
    Duplicate,
}

impl From<WsFaultKind> for crate::sim::server::ws::WsFault {
    fn from(k: WsFaultKind) -> Self {
        match k {
            WsFaultKind::Drop => Self::Drop,
            WsFaultKind::Silence => Self::Silence,
            WsFaultKind::Expire => Self::Expire,
            WsFaultKind::Duplicate => Self::Duplicate,
        }
    }
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Where to build the demo case (default: the user's data directory).
    #[arg(long)]
    pub case: Option<PathBuf>,
    /// Build the case and print its summary without opening the console.
    #[arg(long)]
    pub no_open: bool,
    #[command(flatten)]
    pub tenant: TenantArgs,
}

#[derive(Args, Debug)]
pub struct SyncArgs {
    /// The case file to pull into (created if missing).
    pub case: PathBuf,
    /// First day to pull (YYYY-MM-DD).
    #[arg(long)]
    pub from: Option<String>,
    /// Last day to pull (YYYY-MM-DD), inclusive.
    #[arg(long)]
    pub to: Option<String>,
    /// Sources: users,signins,operations,meetings,participants,metrics,recordings,chat,history,analytics,disclaimers,remote_support (empty: all).
    #[arg(long, value_delimiter = ',')]
    pub sources: Vec<String>,
    /// Only these users (emails) and the meetings they are in.
    #[arg(long, value_delimiter = ',')]
    pub users: Vec<String>,
    /// Pull only what is new since the last completed sync.
    #[arg(long)]
    pub since_last: bool,
    /// Also append every fetched page to this capture file (the import format).
    #[arg(long)]
    pub capture: Option<PathBuf>,
    /// No progress bars and no summary; failures still go to stderr.
    #[arg(long, conflicts_with = "json")]
    pub quiet: bool,
    /// Progress and summary as JSON lines.
    #[arg(long)]
    pub json: bool,
    /// API base URL (default: the token's api_url, else <https://api.zoom.us/v2>).
    #[arg(long, env = "ZOOM_API_BASE")]
    pub api_base: Option<String>,
    /// OAuth base URL.
    #[arg(long, env = "ZOOM_OAUTH_BASE", default_value = "https://zoom.us")]
    pub oauth_base: String,
    /// The account's plan, which sets the rate limits requests are paced against.
    #[arg(long, value_enum, default_value = "pro")]
    pub plan: Plan,
    /// Share of each rate limit to use (the budget is shared with the account's other apps).
    #[arg(long, default_value_t = 0.95)]
    pub rate_share: f64,
    /// When a daily request cap is reached: stop (say when to resume) or wait until 00:00 UTC.
    #[arg(long, value_enum, default_value = "stop")]
    pub on_daily_cap: DailyCap,
}

#[derive(Args, Debug)]
pub struct DoctorArgs {
    /// The case file the answer is kept in (created if missing).
    pub case: PathBuf,
    /// API base URL (default: the token's api_url, else <https://api.zoom.us/v2>).
    #[arg(long, env = "ZOOM_API_BASE")]
    pub api_base: Option<String>,
    /// OAuth base URL.
    #[arg(long, env = "ZOOM_OAUTH_BASE", default_value = "https://zoom.us")]
    pub oauth_base: String,
    /// The account's plan, which sets the rate limits requests are paced against.
    #[arg(long, value_enum, default_value = "pro")]
    pub plan: Plan,
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct AuthArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: AuthCommand,
}

#[derive(Subcommand, Debug)]
pub enum AuthCommand {
    /// Authorize an OAuth app in the browser; the refresh token is stored in the config dir.
    Login {
        /// The OAuth app's client id (the secret comes from ZOOM_CLIENT_SECRET or credentials.toml).
        #[arg(long, env = "ZOOM_CLIENT_ID")]
        client_id: String,
        /// Loopback port for the redirect.
        #[arg(long, default_value_t = 8765)]
        port: u16,
        /// OAuth base URL.
        #[arg(long, env = "ZOOM_OAUTH_BASE", default_value = "https://zoom.us")]
        oauth_base: String,
        /// Don't try to open a browser; only print the authorization URL.
        #[arg(long)]
        no_browser: bool,
        /// Give up waiting for the browser redirect after this many seconds.
        #[arg(long, default_value_t = 300)]
        timeout: u64,
    },
}

/// A finding's severity.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Context worth knowing, not an alert (e.g. a routine user creation).
    Info,
    /// Unusual; worth a look when time allows.
    Low,
    /// Suspicious; look at it today.
    Medium,
    /// Likely malicious; look at it now.
    High,
    /// Account takeover or data loss in progress.
    Critical,
}

impl From<Severity> for crate::detect::Severity {
    fn from(s: Severity) -> Self {
        match s {
            Severity::Info => Self::Info,
            Severity::Low => Self::Low,
            Severity::Medium => Self::Medium,
            Severity::High => Self::High,
            Severity::Critical => Self::Critical,
        }
    }
}

#[derive(Args, Debug)]
pub struct DetectArgs {
    /// The case file; findings are stored in it.
    pub case: PathBuf,
    /// Configuration file (TOML); default: the user's config directory, else built-in defaults.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Run only this rule (repeat for several); rule ids as in the README's catalogue.
    #[arg(long = "rule")]
    pub rules: Vec<String>,
    /// Offline geolocation database (a MaxMind .mmdb, or a DB-IP / IP2Location CSV of
    /// ranges) for rogue-country and impossible-travel; overrides the config's geoip_db.
    #[arg(long, value_name = "PATH")]
    pub geoip: Option<PathBuf>,
    /// Print only findings at or above this severity (all are stored).
    #[arg(long, value_enum)]
    pub min_severity: Option<Severity>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: OutFormat,
    /// Escape control and invisible characters in CSV cells even when writing to a file or
    /// pipe (always on when stdout is a terminal).
    #[arg(long)]
    pub safe: bool,
}

#[derive(Args, Debug)]
pub struct IncidentsArgs {
    /// The case file (opened read-only).
    pub case: PathBuf,
    /// Only incidents still open (new or investigating).
    #[arg(long)]
    pub open: bool,
    /// Output format (table or json).
    #[arg(long, value_enum, default_value_t)]
    pub format: OutFormat,
}

/// A verdict.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum TriageState {
    /// Not looked at yet.
    New,
    /// Someone is on it.
    Investigating,
    /// The rule was wrong: not what it claims.
    FalsePositive,
    /// True but expected (a sanctioned change, a known partner).
    Benign,
    /// Handled.
    Resolved,
}

impl From<TriageState> for crate::detect::triage::State {
    fn from(s: TriageState) -> Self {
        match s {
            TriageState::New => Self::New,
            TriageState::Investigating => Self::Investigating,
            TriageState::FalsePositive => Self::FalsePositive,
            TriageState::Benign => Self::Benign,
            TriageState::Resolved => Self::Resolved,
        }
    }
}

#[derive(Args, Debug)]
pub struct TriageArgs {
    /// The case file.
    pub case: PathBuf,
    /// Findings (42, F42) and incidents (I7), as detect and incidents print them.
    #[arg(required = true)]
    pub ids: Vec<String>,
    /// The verdict.
    #[arg(long, value_enum)]
    pub state: TriageState,
    /// Why, in a sentence a colleague will understand.
    #[arg(long, default_value = "")]
    pub reason: String,
    /// Who decided (default: ZOOMLENS_ANALYST, else the login name).
    #[arg(long)]
    pub analyst: Option<String>,
    /// Also allow-list what made this fire, so the next detect does not flag it again. KIND is
    /// partner-domain (an email domain), ip (address or CIDR range), device or name.
    #[arg(long, num_args = 2, value_names = ["KIND", "VALUE"])]
    pub allow: Vec<String>,
    /// Re-run detect right away (applies an --allow entry now).
    #[arg(long)]
    pub redetect: bool,
}

#[derive(Args, Debug)]
pub struct ConfigArgs {
    /// The case file (opened read-only).
    pub case: PathBuf,
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The case file (opened read-only).
    pub case: PathBuf,
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct UpgradeArgs {
    /// The case file to upgrade in place (one transaction: all or nothing).
    pub case: PathBuf,
}

#[derive(Args, Debug)]
pub struct CompactArgs {
    /// The case file to compact in place.
    pub case: PathBuf,
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct PackArgs {
    /// The case file to pack (only read).
    pub case: PathBuf,
    /// Where to write the pack [default: the case's name ending in .zlpack].
    pub out: Option<PathBuf>,
    /// zstd level: 1 is fastest, 19 smallest.
    #[arg(long, default_value_t = crate::store::pack::LEVEL,
          value_parser = clap::value_parser!(i32).range(1..=19))]
    pub level: i32,
    /// Replace OUT if it exists.
    #[arg(long)]
    pub force: bool,
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct UnpackArgs {
    /// The pack (made by `zoomlens pack`).
    pub pack: PathBuf,
    /// The case file to create [default: the pack's name ending in .zl].
    pub out: Option<PathBuf>,
    /// Replace OUT if it exists.
    #[arg(long)]
    pub force: bool,
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct ListenArgs {
    /// The case file events are stored in (created if missing).
    pub case: PathBuf,
    /// Address to listen on (port 0 picks a free one and prints it). The Secret Token comes
    /// from ZOOM_WEBHOOK_SECRET_TOKEN (and ZOOM_WEBHOOK_SECRET_TOKEN_OLD during a rotation).
    #[arg(long, default_value = "127.0.0.1:8090")]
    pub bind: String,
    /// Route Zoom posts events to (the path of the app's Event notification endpoint URL).
    #[arg(long, default_value = "/webhook")]
    pub path: String,
    /// TLS certificate (PEM); with --tls-key, serve HTTPS directly.
    #[arg(long, requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// TLS private key (PEM) for --tls-cert.
    #[arg(long, requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// On SIGINT/SIGTERM, how long to let requests in flight finish (seconds).
    #[arg(long, default_value_t = 10)]
    pub grace_secs: u64,
    /// Close a connection that has not sent complete request headers (or finished its TLS
    /// handshake) within this many seconds.
    #[arg(long, default_value_t = 5)]
    pub header_timeout_secs: u64,
    /// Answer 408 and close when a request body takes longer than this many seconds.
    #[arg(long, default_value_t = 5)]
    pub body_timeout_secs: u64,
    /// Connections served at once (lowered at start if the open-file limit cannot hold them).
    #[arg(long, default_value_t = 512)]
    pub max_connections: usize,
    /// Show the counters on /healthz (it needs no authentication, so they are off by default).
    #[arg(long)]
    pub healthz_counts: bool,
    /// Receive events over a Zoom WebSocket subscription instead of serving HTTP: connect out
    /// with the Server-to-Server credentials `sync` uses (ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID,
    /// ZOOM_CLIENT_SECRET or credentials.toml), so no public endpoint is needed.
    #[arg(
        long,
        requires = "subscription",
        conflicts_with_all = ["bind", "path", "tls_cert", "tls_key", "healthz_counts", "max_connections"]
    )]
    pub websocket: bool,
    /// The WebSocket subscription: the subscriptionId of the app's WebSocket EndPoint URL, or
    /// that whole URL.
    #[arg(long, requires = "websocket")]
    pub subscription: Option<String>,
    /// Zoom's WebSocket endpoint (default wss://ws.zoom.us/ws, or the base of a --subscription
    /// URL).
    #[arg(long, env = "ZOOM_WS_BASE")]
    pub ws_base: Option<String>,
    /// OAuth base URL the WebSocket's access tokens come from.
    #[arg(long, env = "ZOOM_OAUTH_BASE", default_value = "https://zoom.us")]
    pub oauth_base: String,
    /// With --websocket: send Zoom's heartbeat this often, in seconds (Zoom expects 30).
    #[arg(long, default_value_t = 30)]
    pub heartbeat_secs: u64,
    /// With --websocket: a heartbeat unanswered for this many seconds means the connection is
    /// dead, and it is replaced.
    #[arg(long, default_value_t = 15)]
    pub heartbeat_timeout_secs: u64,
    /// With --websocket: print progress (events/s, reconnects, last event) and record the
    /// feed's health in the case this often, in seconds.
    #[arg(long, default_value_t = 10)]
    pub progress_secs: u64,
}

#[derive(Args, Debug)]
pub struct OpenArgs {
    /// The case file (opened read-only).
    pub case: PathBuf,
    /// Detection config: its geoip_db places addresses, its user_aliases put a person's
    /// identity-provider names on their timeline, its domains and VIPs serve the SQL pane
    /// (default: the user's config file, else built-in defaults).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Offline geolocation database (a MaxMind .mmdb, or a DB-IP / IP2Location CSV) for the
    /// countries the timeline shows; default: the detection config's geoip_db.
    #[arg(long, value_name = "PATH")]
    pub geoip: Option<PathBuf>,
}

/// The format of a report.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ReportFormat {
    /// Markdown that renders on GitHub and GitLab.
    Md,
    /// One self-contained HTML file (inline CSS and SVG timelines; no scripts, no network).
    Html,
}

impl From<ReportFormat> for crate::report::Format {
    fn from(f: ReportFormat) -> Self {
        match f {
            ReportFormat::Md => Self::Markdown,
            ReportFormat::Html => Self::Html,
        }
    }
}

#[derive(Args, Debug)]
pub struct ReportArgs {
    /// The case file (opened read-only; the report never modifies it).
    pub case: PathBuf,
    /// The file to write (replaced atomically if it exists).
    #[arg(long)]
    pub out: PathBuf,
    /// Report only this incident (I7 or 7; repeat for several). Default: every incident and
    /// the findings in none.
    #[arg(long = "incident", value_name = "ID")]
    pub incidents: Vec<String>,
    /// Output format (default: from the --out extension, .md or .html).
    #[arg(long, value_enum)]
    pub format: Option<ReportFormat>,
    /// Stamp the report "generated at" this time (RFC 3339; alone: the current time). Without
    /// it the report holds no wall-clock time, so the same case gives the same bytes.
    #[arg(long, value_name = "TIME", num_args = 0..=1, default_missing_value = "now")]
    pub now: Option<String>,
}

/// What `zoomlens export` writes.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ExportTarget {
    /// OCSF 1.3.0 events: one class per file (Authentication, Account Change, Detection
    /// Finding...).
    Ocsf,
    /// ECS documents with the field names of Elastic's Zoom integration.
    Ecs,
    /// Panther's Zoom.Activity and Zoom.Operation rows (NDJSON).
    Panther,
    /// One CSV file per view, formula-safe for spreadsheets.
    Csv,
}

impl From<ExportTarget> for crate::report::export::Target {
    fn from(t: ExportTarget) -> Self {
        match t {
            ExportTarget::Ocsf => Self::Ocsf,
            ExportTarget::Ecs => Self::Ecs,
            ExportTarget::Panther => Self::Panther,
            ExportTarget::Csv => Self::Csv,
        }
    }
}

/// How OCSF and ECS events are stored.
#[derive(Clone, Copy, Debug, Default, ValueEnum, PartialEq, Eq)]
pub enum ExportFormat {
    /// One JSON object per line, one file per class.
    #[default]
    Ndjson,
    /// Parquet with typed columns, partitioned as class=<name>/eventDay=YYYYMMDD/.
    Parquet,
}

impl From<ExportFormat> for crate::report::export::Format {
    fn from(f: ExportFormat) -> Self {
        match f {
            ExportFormat::Ndjson => Self::Ndjson,
            ExportFormat::Parquet => Self::Parquet,
        }
    }
}

/// The records an export can include.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ExportSource {
    /// Sign-ins and sign-outs.
    #[value(alias = "sign-ins")]
    Signins,
    /// Admin operation logs.
    Operations,
    /// Meeting instances.
    Meetings,
    /// Participant sessions (joins and leaves).
    Participants,
    /// Cloud recordings.
    Recordings,
    /// Team chat messages.
    Chat,
    /// Detection findings with their evidence, incident and triage state.
    Findings,
}

impl From<ExportSource> for crate::report::export::Source {
    fn from(s: ExportSource) -> Self {
        match s {
            ExportSource::Signins => Self::Signins,
            ExportSource::Operations => Self::Operations,
            ExportSource::Meetings => Self::Meetings,
            ExportSource::Participants => Self::Participants,
            ExportSource::Recordings => Self::Recordings,
            ExportSource::Chat => Self::Chat,
            ExportSource::Findings => Self::Findings,
        }
    }
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// The case file (opened read-only; the export never modifies it).
    pub case: PathBuf,
    /// What to write.
    #[arg(long = "to", value_enum, value_name = "TARGET")]
    pub target: ExportTarget,
    /// How OCSF and ECS events are stored (Panther is NDJSON, CSV is CSV).
    #[arg(long, value_enum, default_value_t)]
    pub format: ExportFormat,
    /// The folder to write into (created if missing; an existing one must be empty).
    #[arg(long)]
    pub out: PathBuf,
    /// Only records at or after this time (RFC 3339, or a date: its midnight UTC).
    #[arg(long, value_name = "TIME")]
    pub from: Option<String>,
    /// Only records up to this time, inclusive (RFC 3339, or a date: the whole day, UTC).
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// Only these sources (comma-separated or repeated); default: every source the target maps.
    #[arg(
        long = "source",
        value_enum,
        value_delimiter = ',',
        value_name = "SOURCE"
    )]
    pub sources: Vec<ExportSource>,
    /// Write into a folder that is not empty, replacing the files an earlier export listed
    /// there (nothing else is removed).
    #[arg(long)]
    pub force: bool,
    /// Print nothing but errors.
    #[arg(long)]
    pub quiet: bool,
}

// ---- org-wide views (issue 20) ----------------------------------------------------------------

/// What `stack` counts.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum StackBy {
    /// Zoom client version (outdated ones, below min_client_version, are marked).
    Version,
    /// Device (Windows, Mac, iOS, Android, Phone, H.323/SIP).
    Device,
    /// Operating system.
    Os,
    /// Client type people sign in with (from sign-ins).
    Client,
    /// Zoom's location of the session.
    Location,
    /// Country of Zoom's location.
    Country,
    /// Network type (Wired, Wifi, Cellular...).
    Network,
    /// The computer's domain.
    Domain,
    /// Computer name (names missing from the asset inventory are marked).
    PcName,
}

impl From<StackBy> for crate::store::read::landscape::StackBy {
    fn from(b: StackBy) -> Self {
        match b {
            StackBy::Version => Self::Version,
            StackBy::Device => Self::Device,
            StackBy::Os => Self::Os,
            StackBy::Client => Self::Client,
            StackBy::Location => Self::Location,
            StackBy::Country => Self::Country,
            StackBy::Network => Self::Network,
            StackBy::Domain => Self::Domain,
            StackBy::PcName => Self::PcName,
        }
    }
}

/// How `stack` splits its counts.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum StackGroup {
    /// The user's department (outsiders read (external) or (guest)).
    Department,
    /// The person's email domain.
    Domain,
    /// The user's role.
    Role,
}

impl From<StackGroup> for crate::store::read::landscape::GroupBy {
    fn from(g: StackGroup) -> Self {
        match g {
            StackGroup::Department => Self::Department,
            StackGroup::Domain => Self::Domain,
            StackGroup::Role => Self::Role,
        }
    }
}

#[derive(Args, Debug)]
pub struct StackArgs {
    /// The case file (opened read-only).
    pub case: PathBuf,
    /// What to count.
    #[arg(long, value_enum)]
    pub by: StackBy,
    /// Split the counts by department, email domain or role.
    #[arg(long, value_enum)]
    pub group: Option<StackGroup>,
    /// Fewest people first (the long tail, where the odd device hides).
    #[arg(long)]
    pub rarest: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: OutFormat,
    /// Escape control and invisible characters in CSV cells even when writing to a file or
    /// pipe (always on when stdout is a terminal).
    #[arg(long)]
    pub safe: bool,
    /// Detection config whose min_client_version marks outdated clients (default: the user's
    /// config file, else built-in defaults).
    #[arg(long)]
    pub config: Option<PathBuf>,
}

/// Whose exposure `exposure` shows.
#[derive(Clone, Copy, Debug, Default, ValueEnum, PartialEq, Eq)]
pub enum ExposureBy {
    /// The host's department.
    #[default]
    Department,
    /// The host.
    Host,
}

impl From<ExposureBy> for crate::store::read::exposure::ExposureBy {
    fn from(b: ExposureBy) -> Self {
        match b {
            ExposureBy::Department => Self::Department,
            ExposureBy::Host => Self::Host,
        }
    }
}

#[derive(Args, Debug)]
pub struct ExposureArgs {
    /// The case file (opened read-only).
    pub case: PathBuf,
    /// Per department (of the host) or per host.
    #[arg(long, value_enum, default_value_t)]
    pub by: ExposureBy,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: OutFormat,
    /// Escape control and invisible characters in CSV cells even when writing to a file or
    /// pipe (always on when stdout is a terminal).
    #[arg(long)]
    pub safe: bool,
    /// Detection config whose internal domains, VIPs and sensitive topics decide what is
    /// external and sensitive (default: the user's config file, else built-in defaults).
    #[arg(long)]
    pub config: Option<PathBuf>,
}
