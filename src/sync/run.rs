//! Runs a planned sync: fetcher tasks (bounded per rate-limit category) feed one writer thread
//! that stores each page with its checkpoint in one transaction and appends it to the capture.

use super::checkpoint::{self, Checkpoint, Coverage, State};
use super::plan::{self, Source, Unit};
use super::progress::{Progress, SourceLine};
use crate::ingest::capture::{CapturePage, store_page};
use crate::store::{Counts, Store};
use crate::zoom::endpoints::ChatWith;
use crate::zoom::paging::Pager;
use crate::zoom::{ApiError, Category, Client, Page};
use anyhow::{Context, Result};
use chrono::NaiveDate;
use rusqlite::Connection;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::sync::{Semaphore, mpsc, oneshot};
use tokio::task::JoinSet;

pub struct SyncOptions {
    /// First day for sources with no earlier checkpoint (and every source without --since-last).
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub sources: Vec<Source>,
    /// Emails (or user ids) to scope to; empty = everyone.
    pub users: Vec<String>,
    pub since_last: bool,
    pub capture: Option<PathBuf>,
}

#[derive(serde::Serialize)]
pub struct SyncReport {
    pub event: &'static str,
    pub elapsed_s: f64,
    /// Records per table: added / merged / present / rejected.
    pub tables: Counts,
    pub requests: BTreeMap<&'static str, u64>,
    /// Achieved Heavy request rate and its share of the plan's Heavy limit.
    pub heavy_req_per_s: Option<f64>,
    pub heavy_share: Option<f64>,
    pub retries: u64,
    pub rate_limited: u64,
    pub tokens_fetched: u64,
    pub units_skipped: u64,
    pub sources: Vec<SourceLine>,
    pub failed: Vec<Checkpoint>,
    pub unavailable: Vec<Checkpoint>,
    /// Why the run stopped early (daily cap, interrupt), if it did.
    pub stopped: Option<String>,
    /// Every planned unit is done or unavailable.
    pub complete: bool,
}

type ReadFn = Box<dyn FnOnce(&Connection) + Send>;

enum Msg {
    Page {
        line: String,
        page: CapturePage,
        source: Source,
        ckpt: Checkpoint,
    },
    Mark(Checkpoint),
    /// Run after everything sent before it is committed.
    Read(ReadFn),
}

/// A user of the directory, as per-user endpoints address them.
#[derive(Clone, Debug)]
struct DirUser {
    /// Zoom user id, or the email for pending users (who have no id).
    key: String,
    email: String,
}

struct Ctx {
    client: Arc<Client>,
    progress: Arc<Progress>,
    tx: mpsc::Sender<Msg>,
    sems: [Arc<Semaphore>; 3],
    stop: AtomicBool,
    stop_reason: Mutex<Option<String>>,
    failed: Mutex<Vec<Checkpoint>>,
    unavailable: Mutex<Vec<Checkpoint>>,
    directory: Mutex<Vec<DirUser>>,
    metrics_off: AtomicBool,
    /// Sources the app has no scope for, with the scopes Zoom named: their other units are
    /// not tried (the answer would be the same), the rest of the sync goes on.
    no_scope: Mutex<BTreeMap<Source, Vec<String>>>,
    skipped: AtomicU64,
}

impl Ctx {
    fn halt(&self, why: String) {
        let mut r = self.stop_reason.lock().unwrap();
        if r.is_none() {
            *r = Some(why);
        }
        self.stop.store(true, Ordering::SeqCst);
    }
    fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }
    async fn send(&self, m: Msg) -> bool {
        if self.tx.send(m).await.is_err() {
            self.halt("the case writer stopped (see the error below)".into());
            return false;
        }
        true
    }
    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> T + Send + 'static,
    ) -> Option<T> {
        let (otx, orx) = oneshot::channel();
        let ok = self
            .send(Msg::Read(Box::new(move |c| {
                let _ = otx.send(f(c));
            })))
            .await;
        if !ok {
            return None;
        }
        orx.await.ok()
    }
}

fn to_capture(p: &Page) -> Result<(CapturePage, String)> {
    let query = p
        .query
        .iter()
        .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
        .collect();
    let cp = CapturePage {
        path: p.path.clone(),
        query,
        fetched_at: p
            .fetched_at
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        body: serde_json::value::RawValue::from_string(p.body.clone())?,
    };
    let line = serde_json::to_string(&cp)?;
    Ok((cp, line))
}

/// Bodies of a unit's pages, for listings the run itself reads (a user's chat channels).
type Collect = Option<Arc<Mutex<Vec<String>>>>;

/// Fetch every page of one unit, handing each to the writer with its checkpoint (and a copy of
/// its body to `collect`, if given).
async fn run_unit(ctx: Arc<Ctx>, unit: Unit, collect: Collect) {
    let cat = unit.req.category;
    let Ok(_permit) = ctx.sems[cat as usize].clone().acquire_owned().await else {
        return;
    };
    let src = unit.source;
    let mut restarts = 0;
    'window: loop {
        let mut pager = Pager::new(unit.req.clone());
        loop {
            if ctx.stopped() || (src == Source::Metrics && ctx.metrics_off.load(Ordering::SeqCst)) {
                // Not checkpointed: the next run fetches it (or metrics is recorded unavailable).
                return;
            }
            if ctx.no_scope.lock().unwrap().contains_key(&src) {
                // Not checkpointed: once the scope is granted, the next run fetches it.
                ctx.progress.unit_end(src, State::MissingScope);
                return;
            }
            match pager.next(&ctx.client).await {
                Ok(Some(page)) => {
                    ctx.progress.page(src, page.attempts);
                    if let Some(c) = &collect {
                        c.lock().unwrap().push(page.body.clone());
                    }
                    let last = pager.finished();
                    let ckpt = if last {
                        Checkpoint::of(&unit, State::Done, format!("{} pages", pager.pages))
                    } else {
                        Checkpoint::of(&unit, State::Partial, format!("page {}", pager.pages))
                    };
                    let (cp, line) = match to_capture(&page) {
                        Ok(x) => x,
                        Err(e) => {
                            fail(&ctx, &unit, format!("cannot encode page: {e}")).await;
                            return;
                        }
                    };
                    let msg = Msg::Page {
                        line,
                        page: cp,
                        source: src,
                        ckpt,
                    };
                    if !ctx.send(msg).await {
                        return;
                    }
                    if last {
                        ctx.progress.unit_end(src, State::Done);
                        return;
                    }
                }
                Ok(None) => return,
                Err(ApiError::PageTokenExpired) if restarts < 3 => {
                    restarts += 1;
                    tracing::info!(source = src.name(), scope = %crate::output::sanitize(&unit.scope), "page token expired; restarting the window");
                    continue 'window;
                }
                Err(ApiError::MissingScope { scopes }) => {
                    tracing::warn!(source = src.name(), scopes = %scopes.join(", "), "missing scope");
                    ctx.no_scope.lock().unwrap().entry(src).or_insert(scopes);
                    ctx.progress.unit_end(src, State::MissingScope);
                    return;
                }
                Err(e) if src == Source::Metrics && e.is_no_permission() => {
                    ctx.metrics_off.store(true, Ordering::SeqCst);
                    return;
                }
                Err(e) if e.is_entity_unavailable() => {
                    let c = Checkpoint::of(&unit, State::Unavailable, e.to_string());
                    ctx.unavailable.lock().unwrap().push(c.clone());
                    ctx.send(Msg::Mark(c)).await;
                    ctx.progress.unit_end(src, State::Unavailable);
                    return;
                }
                Err(e @ ApiError::DailyCap { .. }) => {
                    ctx.halt(e.to_string());
                    return;
                }
                Err(e @ ApiError::Auth(_)) => {
                    ctx.halt(e.to_string());
                    return;
                }
                Err(e) => {
                    fail(&ctx, &unit, e.to_string()).await;
                    return;
                }
            }
        }
    }
}

async fn fail(ctx: &Ctx, unit: &Unit, detail: String) {
    tracing::warn!(source = unit.source.name(), scope = %crate::output::sanitize(&unit.scope), win_from = %unit.win_from, detail = %crate::output::sanitize(&detail), "unit failed");
    let c = Checkpoint::of(unit, State::Failed, detail);
    ctx.failed.lock().unwrap().push(c.clone());
    ctx.send(Msg::Mark(c)).await;
    ctx.progress.unit_end(unit.source, State::Failed);
}

/// Spawn the units that earlier runs have not completed.
fn launch(ctx: &Arc<Ctx>, cov: &Coverage, units: Vec<Unit>, set: &mut JoinSet<()>) {
    for u in units {
        ctx.progress.add_total(u.source, 1);
        if cov.is_complete(&u) {
            ctx.skipped.fetch_add(1, Ordering::Relaxed);
            ctx.progress.unit_end(u.source, State::Done);
            continue;
        }
        set.spawn(run_unit(ctx.clone(), u, None));
    }
}

/// Start of the windows for (source, scope): with --since-last, the end of the last completed
/// window (its day is fetched again: it may have been incomplete).
fn start_for(cov: &Coverage, opts: &SyncOptions, source: Source, scope: &str) -> Option<NaiveDate> {
    Span::of(opts).start(cov, source, scope)
}

/// The date range of a run, for tasks that plan units themselves.
#[derive(Clone, Copy)]
struct Span {
    from: NaiveDate,
    to: NaiveDate,
    since_last: bool,
}

impl Span {
    fn of(o: &SyncOptions) -> Span {
        Span {
            from: o.from,
            to: o.to,
            since_last: o.since_last,
        }
    }
    fn start(&self, cov: &Coverage, source: Source, scope: &str) -> Option<NaiveDate> {
        if self.since_last
            && let Some(d) = cov.last_done_to(source, scope)
        {
            return Some(d.min(self.to));
        }
        Some(self.from)
    }
}

/// Channel ids of a `GET /chat/users/{userId}/channels` page.
fn parse_channels(body: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    v.get("channels")
        .and_then(|c| c.as_array())
        .map(|cs| {
            cs.iter()
                .filter_map(|c| c.get("id").and_then(|i| i.as_str()))
                .filter(|id| !id.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// One user's Team Chat: list their channels (every run: membership changes), then fetch each
/// channel's messages window by window with `to_channel`, checkpointed per (user, channel,
/// window). A channel seen through several members is fetched once per member; the store keeps
/// each message once (keyed by message id).
async fn chat_user(ctx: Arc<Ctx>, cov: Arc<Coverage>, span: Span, user: String) {
    let listing = plan::channels_unit(&user);
    ctx.progress.add_total(Source::Chat, 1);
    let bodies = Arc::new(Mutex::new(Vec::new()));
    run_unit(ctx.clone(), listing, Some(bodies.clone())).await;
    let bodies = std::mem::take(&mut *bodies.lock().unwrap());
    let mut channels: Vec<String> = bodies.iter().flat_map(|b| parse_channels(b)).collect();
    channels.sort();
    channels.dedup();
    let mut set = JoinSet::new();
    for ch in &channels {
        let with = ChatWith::Channel(ch);
        if let Some(from) = span.start(&cov, Source::Chat, &plan::chat_scope(&user, with)) {
            launch(
                &ctx,
                &cov,
                plan::chat_units(&user, with, from, span.to),
                &mut set,
            );
        }
    }
    while set.join_next().await.is_some() {}
}

/// 1:1 chats need `to_contact`, and Zoom lists contacts only for the token's own user
/// (`GET /chat/users/me/contacts`), so an account-wide sweep cannot enumerate them and asking
/// every pair of users would cost n² requests per window. 1:1 messages are therefore fetched
/// only between the users a run is scoped to with `--users` (two or more): once per pair, from
/// the first user's side, with the second as contact (email, or id for a user without one).
fn contact_units(cov: &Coverage, span: Span, dir: &[DirUser]) -> Vec<Unit> {
    let mut out = vec![];
    for (i, a) in dir.iter().enumerate() {
        for b in &dir[i + 1..] {
            let contact = if b.email.is_empty() { &b.key } else { &b.email };
            let with = ChatWith::Contact(contact);
            if let Some(from) = span.start(cov, Source::Chat, &plan::chat_scope(&a.key, with)) {
                out.extend(plan::chat_units(&a.key, with, from, span.to));
            }
        }
    }
    out
}

fn parse_directory(body: &str) -> Vec<DirUser> {
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    v.get("users")
        .and_then(|u| u.as_array())
        .map(|us| {
            us.iter()
                .filter_map(|u| {
                    let email = u.get("email").and_then(|e| e.as_str()).unwrap_or("");
                    let id = u.get("id").and_then(|e| e.as_str()).unwrap_or("");
                    let key = if id.is_empty() { email } else { id };
                    (!key.is_empty()).then(|| DirUser {
                        key: key.to_string(),
                        email: email.to_string(),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

fn writer_loop(
    mut store: Store,
    mut rx: mpsc::Receiver<Msg>,
    mut capture: Option<std::fs::File>,
    directory: Arc<Mutex<Vec<String>>>,
) -> Result<Counts> {
    let mut counts = Counts::default();
    while let Some(first) = rx.blocking_recv() {
        let mut batch = vec![first];
        while batch.len() < 256 {
            match rx.try_recv() {
                Ok(m) => batch.push(m),
                Err(_) => break,
            }
        }
        // Capture first: a line may repeat after a crash (import deduplicates), never go missing.
        if let Some(f) = capture.as_mut() {
            let mut any = false;
            for m in &batch {
                if let Msg::Page { line, .. } = m {
                    f.write_all(line.as_bytes())?;
                    f.write_all(b"\n")?;
                    any = true;
                }
            }
            if any {
                f.sync_data().context("cannot fsync the capture file")?;
            }
        }
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let mut reads = vec![];
        let mut w = store.writer()?;
        for m in batch {
            match m {
                Msg::Page {
                    page, source, ckpt, ..
                } => {
                    store_page(&mut w, &page, "api", None)
                        .with_context(|| format!("storing a {} page", source.name()))?;
                    if source == Source::Meetings || source == Source::History {
                        let user = ckpt.scope.strip_prefix(plan::JOINED).unwrap_or(&ckpt.scope);
                        checkpoint::record_meetings(w.conn(), user, page.body.get())?;
                    }
                    if source == Source::Users {
                        directory.lock().unwrap().push(page.body.get().to_string());
                    }
                    checkpoint::upsert(w.conn(), &ckpt, &now)?;
                }
                Msg::Mark(c) => checkpoint::upsert(w.conn(), &c, &now)?,
                Msg::Read(f) => reads.push(f),
            }
        }
        counts.add(&w.commit()?);
        for f in reads {
            f(&store.conn);
        }
    }
    Ok(counts)
}

/// Pull everything the options ask for into `store`.
pub async fn run(
    store: Store,
    client: Arc<Client>,
    opts: SyncOptions,
    progress: Arc<Progress>,
) -> Result<SyncReport> {
    let started = Instant::now();
    let cov = Arc::new(Coverage::load(&store.conn)?);
    let capture = match &opts.capture {
        Some(p) => Some(open_capture(p)?),
        None => None,
    };
    let (tx, rx) = mpsc::channel::<Msg>(512);
    let dir_pages = Arc::new(Mutex::new(Vec::<String>::new()));
    let writer = {
        let dir_pages = dir_pages.clone();
        std::thread::spawn(move || writer_loop(store, rx, capture, dir_pages))
    };
    let sems = Category::ALL.map(|c| {
        let permits = (client.limiter.limit(c) * 3.0).clamp(8.0, 256.0) as usize;
        Arc::new(Semaphore::new(permits))
    });
    let ctx = Arc::new(Ctx {
        client: client.clone(),
        progress: progress.clone(),
        tx,
        sems,
        stop: AtomicBool::new(false),
        stop_reason: Mutex::new(None),
        failed: Mutex::new(vec![]),
        unavailable: Mutex::new(vec![]),
        directory: Mutex::new(vec![]),
        metrics_off: AtomicBool::new(false),
        no_scope: Mutex::new(BTreeMap::new()),
        skipped: AtomicU64::new(0),
    });
    // Ctrl-C stops between pages; what is committed stays, the next run resumes from it.
    let interrupt = {
        let weak = Arc::downgrade(&ctx);
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok()
                && let Some(ctx) = weak.upgrade()
            {
                ctx.halt("interrupted (Ctrl-C); run the same command again to resume".into());
            }
        })
    };
    let ticker = progress.spawn_ticker();
    let has = |s: Source| opts.sources.contains(&s);
    let needs_users = opts.sources.iter().any(|s| {
        *s == Source::Users || matches!(s, Source::Meetings | Source::Recordings | Source::Chat)
    });

    // Phase 1: the users directory (every status), which per-user endpoints walk.
    if needs_users {
        let mut set = JoinSet::new();
        launch(&ctx, &cov, plan::users_units(), &mut set);
        while set.join_next().await.is_some() {}
        ctx.read(|_| ()).await;
        let pages = std::mem::take(&mut *dir_pages.lock().unwrap());
        let mut dir: Vec<DirUser> = pages.iter().flat_map(|b| parse_directory(b)).collect();
        dir.sort_by(|a, b| a.key.cmp(&b.key));
        dir.dedup_by(|a, b| a.key == b.key);
        if !opts.users.is_empty() {
            let mut scoped = vec![];
            for want in &opts.users {
                match dir.iter().find(|u| {
                    u.email.eq_ignore_ascii_case(want) || u.key.eq_ignore_ascii_case(want)
                }) {
                    Some(u) => scoped.push(u.clone()),
                    None => {
                        progress.println(&format!(
                            "warning: {} is not in the users directory; asking Zoom by that name",
                            crate::output::sanitize(want)
                        ));
                        scoped.push(DirUser {
                            key: want.clone(),
                            email: want.clone(),
                        });
                    }
                }
            }
            dir = scoped;
        }
        *ctx.directory.lock().unwrap() = dir;
    }
    let dir = ctx.directory.lock().unwrap().clone();

    // Phase 2: account-wide reports and per-user windows.
    let mut set = JoinSet::new();
    let mut meetings_set = JoinSet::new();
    let mut earliest: Option<NaiveDate> = None;
    for s in [
        Source::Signins,
        Source::Operations,
        Source::Disclaimers,
        Source::RemoteSupport,
    ] {
        if has(s)
            && let Some(from) = start_for(&cov, &opts, s, "")
        {
            launch(&ctx, &cov, plan::account_units(s, from, opts.to), &mut set);
        }
    }
    // The account-wide meeting history replaces the per-user meeting loop (one paged report
    // instead of one request per user and window); a `--users` run keeps the loop, which is
    // scoped, and so does an app without the history scope.
    let use_history = (has(Source::Meetings) || has(Source::History)) && opts.users.is_empty();
    if use_history && let Some(from) = start_for(&cov, &opts, Source::History, "") {
        earliest = Some(from);
        launch(
            &ctx,
            &cov,
            plan::account_units(Source::History, from, opts.to),
            &mut meetings_set,
        );
    }
    for u in &dir {
        if has(Source::Chat) {
            set.spawn(chat_user(
                ctx.clone(),
                cov.clone(),
                Span::of(&opts),
                u.key.clone(),
            ));
        }
        for s in [Source::Meetings, Source::Recordings] {
            if !has(s) || (s == Source::Meetings && use_history) {
                continue;
            }
            if let Some(from) = start_for(&cov, &opts, s, &u.key) {
                if s == Source::Meetings {
                    earliest = Some(earliest.map_or(from, |e: NaiveDate| e.min(from)));
                    launch(
                        &ctx,
                        &cov,
                        plan::user_units(s, &u.key, from, opts.to),
                        &mut meetings_set,
                    );
                    if !opts.users.is_empty() {
                        // Scoped: also the meetings they joined, which others hosted.
                        let scope = format!("{}{}", plan::JOINED, u.key);
                        let jfrom = start_for(&cov, &opts, s, &scope).unwrap_or(from);
                        launch(
                            &ctx,
                            &cov,
                            plan::joined_units(&u.key, jfrom, opts.to),
                            &mut meetings_set,
                        );
                    }
                } else {
                    launch(
                        &ctx,
                        &cov,
                        plan::user_units(s, &u.key, from, opts.to),
                        &mut set,
                    );
                }
            }
        }
        if has(Source::Recordings) {
            launch(&ctx, &cov, vec![plan::trash_unit(&u.key)], &mut set);
        }
    }
    if has(Source::Chat) && !opts.users.is_empty() {
        launch(
            &ctx,
            &cov,
            contact_units(&cov, Span::of(&opts), &dir),
            &mut set,
        );
    }
    while meetings_set.join_next().await.is_some() {}
    if use_history
        && has(Source::Meetings)
        && ctx.no_scope.lock().unwrap().contains_key(&Source::History)
    {
        progress.println(
            "note: no scope for /report/history_meetings; listing meetings user by user instead",
        );
        for u in &dir {
            if let Some(from) = start_for(&cov, &opts, Source::Meetings, &u.key) {
                earliest = Some(earliest.map_or(from, |e: NaiveDate| e.min(from)));
                launch(
                    &ctx,
                    &cov,
                    plan::user_units(Source::Meetings, &u.key, from, opts.to),
                    &mut meetings_set,
                );
            }
        }
        while meetings_set.join_next().await.is_some() {}
    }

    // Phase 3: participants of every meeting instance the reports listed (report + dashboard).
    if (has(Source::Participants) || has(Source::Metrics)) && !ctx.stopped() {
        let scope: Option<Vec<String>> =
            (!opts.users.is_empty()).then(|| dir.iter().map(|u| u.key.clone()).collect());
        let lo = if opts.since_last {
            NaiveDate::MIN
        } else {
            earliest.unwrap_or(opts.from).min(opts.from)
        };
        let to = opts.to;
        let uuids = ctx
            .read(move |c| checkpoint::meetings_in(c, scope.as_deref(), lo, to))
            .await
            .transpose()?
            .unwrap_or_default();
        if has(Source::Participants) {
            let units = uuids
                .iter()
                .map(|u| plan::meeting_unit(Source::Participants, u))
                .collect();
            launch(&ctx, &cov, units, &mut set);
        }
        if has(Source::Metrics) && !uuids.is_empty() {
            let mut units: Vec<Unit> = uuids
                .iter()
                .map(|u| plan::meeting_unit(Source::Metrics, u))
                .collect();
            // Probe with one meeting first: a plan without the Dashboard answers code 200.
            if let Some(i) = units.iter().position(|u| !cov.is_complete(u)) {
                let probe = units.remove(i);
                progress.add_total(Source::Metrics, 1);
                run_unit(ctx.clone(), probe, None).await;
            }
            if ctx.metrics_off.load(Ordering::SeqCst) {
                progress.add_total(Source::Metrics, units.len() as u64);
                for _ in 0..=units.len() {
                    progress.unit_end(Source::Metrics, State::Unavailable);
                }
            } else {
                launch(&ctx, &cov, units, &mut set);
            }
        }
    }
    while set.join_next().await.is_some() {}

    // Phase 4: who viewed and downloaded each recording the case holds, from its day on.
    if has(Source::Analytics) && !ctx.stopped() {
        let hosts: Option<Vec<String>> = (!opts.users.is_empty()).then(|| {
            dir.iter()
                .flat_map(|u| [u.key.clone(), u.email.clone()])
                .collect()
        });
        let to = opts.to;
        let recs = ctx
            .read(move |c| recordings_for_analytics(c, hosts.as_deref(), to))
            .await
            .transpose()?
            .unwrap_or_default();
        for (uuid, day) in recs {
            for download in [false, true] {
                let scope = plan::analytics_scope(&uuid, download);
                let Some(from) = start_for(&cov, &opts, Source::Analytics, &scope) else {
                    continue;
                };
                let from = day.map_or(from, |d| d.max(from));
                launch(
                    &ctx,
                    &cov,
                    plan::analytics_units(&uuid, download, from, opts.to),
                    &mut set,
                );
            }
        }
        while set.join_next().await.is_some() {}
    }
    if ctx.metrics_off.load(Ordering::SeqCst) {
        // A plan fact, not a failure: one account-level row says why metrics are missing.
        let c = Checkpoint {
            source: Source::Metrics.name(),
            scope: String::new(),
            win_from: opts.from.to_string(),
            win_to: opts.to.to_string(),
            state: State::Unavailable,
            detail: "the account's plan has no Dashboard API (Zoom code 200); participants \
                     come from the report endpoint only"
                .into(),
        };
        ctx.unavailable.lock().unwrap().push(c.clone());
        ctx.send(Msg::Mark(c)).await;
    }
    let no_scope = std::mem::take(&mut *ctx.no_scope.lock().unwrap());
    for (src, scopes) in &no_scope {
        // One account-level row per source says why it is empty: not a quiet account.
        let (granular, classic) = src.scopes();
        let c = Checkpoint {
            source: src.name(),
            scope: String::new(),
            win_from: opts.from.to_string(),
            win_to: opts.to.to_string(),
            state: State::MissingScope,
            detail: format!(
                "missing scope: {} (grant it to the app; this source needs {} or, for apps \
                 made before 2024, {}), then sync again",
                scopes.join(" or "),
                granular.join(" + "),
                classic.join(" + ")
            ),
        };
        ctx.unavailable.lock().unwrap().push(c.clone());
        ctx.send(Msg::Mark(c)).await;
    }
    ctx.read(|_| ()).await;
    let stats = &client.stats;
    let heavy = stats.achieved_rate(Category::Heavy);
    let failed = std::mem::take(&mut *ctx.failed.lock().unwrap());
    let unavailable = std::mem::take(&mut *ctx.unavailable.lock().unwrap());
    let stopped = ctx.stop_reason.lock().unwrap().clone();
    let skipped = ctx.skipped.load(Ordering::Relaxed);
    progress.finish();
    ticker.abort();
    let sources = progress.snapshot();
    interrupt.abort();
    drop(ctx); // closes the channel: the writer drains it and ends
    let tables = tokio::task::spawn_blocking(move || writer.join())
        .await?
        .map_err(|_| anyhow::anyhow!("the case writer panicked"))??;
    Ok(SyncReport {
        event: "summary",
        elapsed_s: started.elapsed().as_secs_f64(),
        tables,
        requests: Category::ALL
            .iter()
            .map(|&c| (c.name(), stats.requests(c)))
            .collect(),
        heavy_req_per_s: heavy,
        heavy_share: heavy.map(|r| r / client.limiter.limit(Category::Heavy)),
        retries: stats.retries.load(Ordering::Relaxed),
        rate_limited: stats.rate_limited.load(Ordering::Relaxed),
        tokens_fetched: client.auth.tokens_fetched(),
        units_skipped: skipped,
        complete: failed.is_empty() && stopped.is_none() && no_scope.is_empty(),
        sources,
        failed,
        unavailable,
        stopped,
    })
}

/// Recordings in the case (of these hosts, by id or email, when scoped) that started by `to`,
/// with their start day.
fn recordings_for_analytics(
    c: &Connection,
    hosts: Option<&[String]>,
    to: NaiveDate,
) -> Result<Vec<(String, Option<NaiveDate>)>> {
    let hi = to.succ_opt().unwrap_or(to).format("%Y-%m-%d").to_string();
    let mut st = c.prepare(
        "SELECT meeting_uuid, start_time, coalesce(host_id, ''), coalesce(host_email, '')
         FROM recordings WHERE start_time IS NULL OR start_time < ?1 ORDER BY start_time, meeting_uuid",
    )?;
    let rows = st.query_map([hi], |r| {
        <(String, Option<String>, String, String)>::try_from(r)
    })?;
    let mut out = vec![];
    for r in rows {
        let (uuid, start, id, email) = r?;
        if let Some(hs) = hosts
            && !hs
                .iter()
                .any(|h| h.eq_ignore_ascii_case(&id) || h.eq_ignore_ascii_case(&email))
        {
            continue;
        }
        let day = start
            .as_deref()
            .and_then(|s| s.get(..10))
            .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok());
        out.push((uuid, day));
    }
    Ok(out)
}

/// Open a capture for appending. A run killed mid-write can leave a last line without its
/// newline; end it first, so the next page starts a line of its own instead of being glued
/// onto the fragment (which would make both unreadable on import).
fn open_capture(p: &std::path::Path) -> Result<std::fs::File> {
    use std::io::{Read, Seek, SeekFrom, Write};
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .read(true)
        .append(true)
        .open(p)
        .with_context(|| format!("cannot open capture file {}", p.display()))?;
    let len = f.metadata()?.len();
    if len > 0 {
        let mut last = [0u8; 1];
        f.seek(SeekFrom::Start(len - 1))?;
        f.read_exact(&mut last)?;
        if last[0] != b'\n' {
            f.write_all(b"\n")?;
        }
    }
    Ok(f)
}

#[cfg(test)]
mod capture_tests {
    use super::open_capture;
    use std::io::Write;

    #[test]
    fn a_torn_last_line_is_ended_before_appending() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.ndjson");
        std::fs::write(&p, "{\"a\":1}\n{\"torn\"").unwrap();
        let mut f = open_capture(&p).unwrap();
        f.write_all(b"{\"b\":2}\n").unwrap();
        drop(f);
        let text = std::fs::read_to_string(&p).unwrap();
        assert_eq!(text, "{\"a\":1}\n{\"torn\"\n{\"b\":2}\n");
        // A clean file is left as it is.
        let mut f = open_capture(&p).unwrap();
        f.write_all(b"{\"c\":3}\n").unwrap();
        drop(f);
        assert!(
            std::fs::read_to_string(&p)
                .unwrap()
                .ends_with("{\"b\":2}\n{\"c\":3}\n")
        );
    }
}
