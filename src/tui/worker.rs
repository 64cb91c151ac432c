//! Query workers: background threads that own read-only connections to the case.
//!
//! The console never queries while drawing. It posts [`Request`]s tagged with a slot and a
//! generation number; per slot only the newest request matters: queued older ones are dropped
//! and a running older one is interrupted (SQLite interrupt handle). Replies come back over a
//! channel and the app drops any whose generation is stale. Two lanes keep slow work (counts,
//! histograms, SQL, exports) from delaying the pages a keystroke waits for. The fast lane polls
//! `PRAGMA data_version` so rows written by `sync`/`listen` show up without a restart.

use crate::store::Store;
use crate::store::read::{self, CaseInfo, Cursor, EvidenceSet, Filter, PAGE, Page};
use anyhow::Result;
use rusqlite::InterruptHandle;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Independent streams of requests; a newer request supersedes an older one in the same slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Slot {
    Info,
    Main,
    Side,
    Count,
    Hist,
    Search,
    Sql,
    Annot,
    Export,
    /// The header of a detail view (an incident above its story).
    Head,
    /// The record inspector.
    Inspect,
}

impl Slot {
    /// Served by the slow lane (its replies arrive asynchronously, after the frame).
    pub fn slow(self) -> bool {
        matches!(self, Slot::Count | Slot::Hist | Slot::Sql | Slot::Export)
    }
}

/// A paged list the console can show, count and export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListQuery {
    Incidents,
    /// One incident's findings in time order.
    Story(i64),
    Findings,
    Timeline(read::timeline::Subject),
    Ledger,
    Recordings,
    Bookmarks,
}

/// What to do with a page when it arrives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Merge {
    /// Replace the window; select the first evidence row (else the first row) when `focus`.
    Replace {
        focus: bool,
        keep_sel: Option<usize>,
    },
    Append,
    Prepend,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GraphSubject {
    User(String),
    Meeting(String),
    /// Departments and outside domains (the organisation's graph).
    Organisation,
}

/// What the Landscape and Exposure panes show: aggregates, or the people or meetings behind
/// one of them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OrgSubject {
    Stack(read::landscape::StackQuery),
    /// The people behind one value of a stack (in one group).
    StackPeople {
        q: read::landscape::StackQuery,
        value: String,
        group: Option<String>,
    },
    Exposure(read::exposure::ExposureBy),
    /// The meetings with outsiders of one department (or host).
    ExposureMeetings(read::exposure::ExposureBy, String),
}

/// The Landscape's and Exposure's data.
#[derive(Clone, Debug)]
pub enum OrgData {
    Stack(read::landscape::Stack),
    Exposure(read::exposure::Exposure),
    /// People or meetings behind an aggregate.
    Rows(Vec<read::Row>),
}

/// Rows the Landscape and Exposure panes hold at most.
pub const ORG_ROWS: usize = 500;

#[derive(Clone, Debug)]
pub enum Query {
    Info,
    Page {
        list: ListQuery,
        filter: Filter,
        cur: Cursor,
        merge: Merge,
    },
    Count {
        list: ListQuery,
        filter: Filter,
    },
    Histogram {
        subject: read::timeline::Subject,
        filter: Filter,
        from: String,
        to: String,
        buckets: usize,
    },
    /// A timeline's events grouped by country.
    Places {
        subject: read::timeline::Subject,
        filter: Filter,
    },
    Evidence {
        finding: i64,
    },
    Meeting {
        r: read::meeting::MeetingRef,
        filter: Filter,
    },
    Recording {
        uuid: String,
    },
    Graph(GraphSubject),
    Org(OrgSubject),
    Search {
        text: String,
    },
    Sql {
        text: String,
    },
    /// kind: "bookmark" (toggles), "tag", "note".
    Annotate {
        tbl: String,
        row_id: i64,
        kind: String,
        text: String,
    },
    Export {
        list: ListQuery,
        filter: Filter,
        headers: Vec<String>,
        format: String,
        path: PathBuf,
        /// Replace an existing file (`:export!`); the open case is refused regardless.
        overwrite: bool,
    },
    /// One record in full (the inspector).
    Record {
        tbl: String,
        id: i64,
    },
    /// One incident as a row (the story's header).
    Incident {
        id: i64,
    },
    /// Record a verdict (through `detect::triage::set`, on the writer connection; the analyst
    /// is `triage::default_analyst()`, the time now).
    Triage {
        target: crate::detect::triage::Target,
        state: crate::detect::triage::State,
        reason: String,
    },
}

#[derive(Clone, Debug)]
pub struct Request {
    pub slot: Slot,
    pub generation: u64,
    pub q: Query,
}

#[derive(Clone, Debug)]
pub enum Reply {
    Info(CaseInfo),
    Page {
        page: Page,
        merge: Merge,
        cur: Cursor,
    },
    Count(u64),
    Histogram {
        bins: Vec<u64>,
        from: String,
        to: String,
    },
    Evidence {
        finding: i64,
        set: EvidenceSet,
        items: Vec<read::record::EvidenceItem>,
        /// Evidence records the finding cites (more than `items` holds when capped).
        total: u64,
    },
    Record {
        tbl: String,
        id: i64,
        rec: Option<Box<read::record::Record>>,
    },
    Meeting(Option<Box<read::meeting::Detail>>),
    Recording(Option<Box<read::recordings::Detail>>),
    Graph(read::graph::Graph),
    Places(Vec<read::timeline::Place>),
    Org(Box<OrgData>),
    Search(Vec<read::search::Hit>),
    Sql(Result<SqlResult, String>),
    Incident(Option<Box<read::Row>>),
    Done(String),
    Error(String),
    /// Another process committed to the case.
    DataChanged,
}

/// Columns and rows of a SQL prompt query (values as JSON).
#[derive(Clone, Debug, Default)]
pub struct SqlResult {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<serde_json::Value>>,
}

#[derive(Clone, Debug)]
pub struct Response {
    pub slot: Slot,
    pub generation: u64,
    pub reply: Reply,
    /// Time the query took.
    pub took: Duration,
}

struct Lane {
    tx: Sender<Request>,
    interrupt: InterruptHandle,
    running: Arc<Mutex<Option<(Slot, u64)>>>,
}

/// Handle on the worker threads.
pub struct Worker {
    fast: Lane,
    slow: Lane,
}

impl Worker {
    /// Start both lanes on `path`; replies go to `out`, wrapped by `wrap`.
    pub fn spawn<M: Send + 'static>(
        path: &Path,
        cfg: &crate::detect::Config,
        out: Sender<M>,
        wrap: fn(Response) -> M,
    ) -> Result<Worker> {
        let fast = Lane::spawn(path, cfg, out.clone(), wrap, true)?;
        let slow = Lane::spawn(path, cfg, out, wrap, false)?;
        Ok(Worker { fast, slow })
    }

    /// Interrupt the query of `slot` if it is the one running.
    pub fn cancel(&self, slot: Slot) {
        let lane = if slot.slow() { &self.slow } else { &self.fast };
        if let Ok(cur) = lane.running.lock()
            && cur.is_some_and(|(s, _)| s == slot)
        {
            lane.interrupt.interrupt();
        }
    }

    pub fn send(&self, r: Request) {
        let lane = if r.slot.slow() {
            &self.slow
        } else {
            &self.fast
        };
        if let Ok(cur) = lane.running.lock()
            && let Some((slot, generation)) = *cur
            && slot == r.slot
            && generation < r.generation
        {
            lane.interrupt.interrupt();
        }
        let _ = lane.tx.send(r);
    }
}

impl Lane {
    fn spawn<M: Send + 'static>(
        path: &Path,
        cfg: &crate::detect::Config,
        out: Sender<M>,
        wrap: fn(Response) -> M,
        poll: bool,
    ) -> Result<Lane> {
        let store = Store::open_readonly(path)?;
        let exec = Executor::new(store, cfg);
        let interrupt = exec.store.conn.get_interrupt_handle();
        let running = Arc::new(Mutex::new(None));
        let (tx, rx) = channel();
        let run2 = running.clone();
        let path = path.to_path_buf();
        std::thread::Builder::new()
            .name(
                if poll {
                    "zoomlens-query"
                } else {
                    "zoomlens-query-slow"
                }
                .into(),
            )
            .spawn(move || lane_loop(exec, path, rx, out, wrap, run2, poll))?;
        Ok(Lane {
            tx,
            interrupt,
            running,
        })
    }
}

fn lane_loop<M>(
    mut exec: Executor,
    path: PathBuf,
    rx: Receiver<Request>,
    out: Sender<M>,
    wrap: fn(Response) -> M,
    running: Arc<Mutex<Option<(Slot, u64)>>>,
    poll: bool,
) {
    let _ = path;
    let mut version = exec.data_version();
    let mut last_poll = Instant::now();
    loop {
        let first = match rx.recv_timeout(Duration::from_millis(500)) {
            Ok(r) => Some(r),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => return,
        };
        if poll && last_poll.elapsed() >= Duration::from_millis(500) {
            last_poll = Instant::now();
            let v = exec.data_version();
            if v != version {
                version = v;
                if out
                    .send(wrap(Response {
                        slot: Slot::Info,
                        generation: 0,
                        reply: Reply::DataChanged,
                        took: Duration::ZERO,
                    }))
                    .is_err()
                {
                    return;
                }
            }
        }
        let Some(first) = first else { continue };
        // Coalesce: of everything queued, keep the newest request per slot, in arrival order.
        let mut batch = vec![first];
        while let Ok(r) = rx.try_recv() {
            batch.push(r);
        }
        let mut keep: Vec<Request> = vec![];
        for r in batch {
            if matches!(r.slot, Slot::Annot | Slot::Export) {
                keep.push(r);
                continue;
            }
            if let Some(i) = keep.iter().position(|k| k.slot == r.slot) {
                if keep[i].generation <= r.generation {
                    keep.remove(i);
                    keep.push(r);
                }
            } else {
                keep.push(r);
            }
        }
        for r in keep {
            *running.lock().unwrap() = Some((r.slot, r.generation));
            let t = Instant::now();
            let reply = exec.run(&r.q);
            *running.lock().unwrap() = None;
            let reply = match reply {
                Ok(rep) => rep,
                Err(e) => {
                    let msg = format!("{e:#}");
                    if msg.contains("interrupted") {
                        continue; // superseded: a newer request for this slot is queued
                    }
                    Reply::Error(msg)
                }
            };
            if out
                .send(wrap(Response {
                    slot: r.slot,
                    generation: r.generation,
                    reply,
                    took: t.elapsed(),
                }))
                .is_err()
            {
                return;
            }
        }
    }
}

/// The case opened for writing on first use (annotations and verdicts; everything else reads
/// through the read-only connection).
fn writer<'a>(writer: &'a mut Option<Store>, path: &Path) -> Result<&'a mut Store> {
    if writer.is_none() {
        *writer = Some(Store::open(path)?);
    }
    Ok(writer.as_mut().expect("opened above"))
}

/// Runs queries on one connection. Public so tests and the UI benchmark can drive the app
/// synchronously with exactly the code the threads run.
pub struct Executor {
    store: Store,
    info: CaseInfo,
    writer: Option<Store>,
}

impl Executor {
    /// `cfg` is the analyst's detection config: its geolocation database places addresses,
    /// its `user_aliases` bring a person's other names onto their timeline, and the rules'
    /// helpers (`zl_internal(email)`...) serve the SQL pane as in `zoomlens sql`.
    pub fn new(store: Store, cfg: &crate::detect::Config) -> Executor {
        let info = CaseInfo::load(&store.conn).unwrap_or_default();
        if let Err(e) = crate::detect::sql_functions(&store.conn, cfg) {
            tracing::warn!("SQL helpers unavailable in the console: {e:#}");
        }
        Executor {
            store,
            info,
            writer: None,
        }
    }

    /// With the user's detection config (else built-in defaults), as `zoomlens open` without
    /// `--config`.
    pub fn open(path: &Path) -> Result<Executor> {
        let (cfg, _) = crate::detect::Config::load(None)?;
        Ok(Executor::new(Store::open_readonly(path)?, &cfg))
    }

    pub fn data_version(&self) -> i64 {
        self.store
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))
            .unwrap_or(0)
    }

    pub fn run(&mut self, q: &Query) -> Result<Reply> {
        let c = &self.store.conn;
        Ok(match q {
            Query::Info => {
                self.info = CaseInfo::load(c)?;
                Reply::Info(self.info.clone())
            }
            Query::Page {
                list,
                filter,
                cur,
                merge,
            } => {
                let page = self.page(list, filter, cur, PAGE)?;
                Reply::Page {
                    page,
                    merge: merge.clone(),
                    cur: cur.clone(),
                }
            }
            Query::Count { list, filter } => Reply::Count(match list {
                ListQuery::Incidents => read::incidents::count(c, &self.info, filter)?,
                ListQuery::Story(id) => read::findings::count_of_incident(c, &self.info, *id)?,
                ListQuery::Findings => read::findings::count(c, &self.info, filter)?,
                ListQuery::Timeline(s) => read::timeline::count(c, &self.info, s, filter)?,
                ListQuery::Ledger => read::ledger::count(c, &self.info, filter)?,
                ListQuery::Recordings => read::recordings::count(c, &self.info, filter)?,
                ListQuery::Bookmarks => {
                    c.query_row("SELECT count(*) FROM annotations", [], |r| {
                        r.get::<_, i64>(0)
                    })? as u64
                }
            }),
            Query::Histogram {
                subject,
                filter,
                from,
                to,
                buckets,
            } => Reply::Histogram {
                bins: read::timeline::histogram(
                    c, &self.info, subject, filter, from, to, *buckets,
                )?,
                from: from.clone(),
                to: to.clone(),
            },
            Query::Places { subject, filter } => {
                Reply::Places(read::timeline::places(c, &self.info, subject, filter)?)
            }
            Query::Evidence { finding } => {
                let (set, items, total) = read::findings::evidence(c, *finding)?;
                Reply::Evidence {
                    finding: *finding,
                    set,
                    items,
                    total,
                }
            }
            Query::Record { tbl, id } => Reply::Record {
                tbl: tbl.clone(),
                id: *id,
                rec: read::record::load(c, tbl, *id)?.map(Box::new),
            },
            Query::Meeting { r, filter } => {
                let mut d = read::meeting::load(c, &self.info, r, filter)?;
                if let Some(d) = d.as_mut() {
                    read::annotations::attach(c, &mut d.participants)?;
                    read::annotations::attach(c, &mut d.recordings)?;
                    read::annotations::attach(c, &mut d.operations)?;
                }
                Reply::Meeting(d.map(Box::new))
            }
            Query::Recording { uuid } => {
                let mut d = read::recordings::detail(c, &self.info, uuid)?;
                if let Some(d) = d.as_mut() {
                    read::annotations::attach(c, &mut d.actions)?;
                }
                Reply::Recording(d.map(Box::new))
            }
            Query::Graph(GraphSubject::User(e)) => {
                Reply::Graph(read::graph::around_user(c, &self.info, e)?)
            }
            Query::Graph(GraphSubject::Meeting(u)) => {
                Reply::Graph(read::graph::around_meeting(c, &self.info, u)?)
            }
            Query::Graph(GraphSubject::Organisation) => Reply::Graph(read::graph::organisation(c)?),
            Query::Org(s) => Reply::Org(Box::new(self.org(s)?)),
            Query::Search { text } => Reply::Search(read::search::search(c, text, 200)?),
            Query::Sql { text } => Reply::Sql(
                crate::store::query::run(
                    &self.store,
                    text,
                    Some(crate::tui::panes::sql::SQL_ROW_CAP),
                )
                .map(|r| SqlResult {
                    columns: r.columns,
                    rows: r.rows,
                })
                .map_err(|e| sql_error(&e)),
            ),
            Query::Annotate {
                tbl,
                row_id,
                kind,
                text,
            } => {
                let w = &writer(&mut self.writer, &self.store.path)?.conn;
                let msg = if kind == "bookmark" {
                    if read::annotations::toggle_bookmark(w, tbl, *row_id)? {
                        format!("bookmarked {tbl} #{row_id}")
                    } else {
                        format!("bookmark removed from {tbl} #{row_id}")
                    }
                } else {
                    read::annotations::add(w, tbl, *row_id, kind, text)?;
                    format!("{kind} saved on {tbl} #{row_id}")
                };
                Reply::Done(msg)
            }
            Query::Incident { id } => {
                let mut row = read::incidents::one(c, &self.info, *id)?;
                if let Some(r) = row.as_mut() {
                    read::annotations::attach(c, std::slice::from_mut(r))?;
                }
                Reply::Incident(row.map(Box::new))
            }
            Query::Triage {
                target,
                state,
                reason,
            } => {
                use crate::detect::triage;
                let w = &mut writer(&mut self.writer, &self.store.path)?.conn;
                let v = triage::Verdict {
                    state: *state,
                    reason: reason.clone(),
                    analyst: triage::default_analyst(),
                    at: crate::model::time::fmt_utc(chrono::Utc::now()),
                };
                triage::set(w, &[*target], &v)?;
                Reply::Done(format!(
                    "{target} marked {} by {}",
                    state.as_str(),
                    crate::output::sanitize(&v.analyst)
                ))
            }
            Query::Export {
                list,
                filter,
                headers,
                format,
                path,
                overwrite,
            } => {
                let n = self.export(list, filter, headers, format, path, *overwrite)?;
                Reply::Done(format!("exported {n} rows to {}", path.display()))
            }
        })
    }

    pub fn info(&self) -> &CaseInfo {
        &self.info
    }

    fn org(&self, s: &OrgSubject) -> Result<OrgData> {
        use read::{exposure, landscape};
        let c = &self.store.conn;
        Ok(match s {
            OrgSubject::Stack(q) => OrgData::Stack(landscape::stack(c, q, ORG_ROWS)?),
            OrgSubject::StackPeople { q, value, group } => {
                OrgData::Rows(landscape::people(c, q, value, group.as_deref(), ORG_ROWS)?)
            }
            OrgSubject::Exposure(by) => OrgData::Exposure(exposure::exposure(c, *by, ORG_ROWS)?),
            OrgSubject::ExposureMeetings(by, g) => {
                OrgData::Rows(exposure::meetings(c, *by, g, ORG_ROWS)?)
            }
        })
    }

    fn page(&self, list: &ListQuery, f: &Filter, cur: &Cursor, n: usize) -> Result<Page> {
        let c = &self.store.conn;
        let mut p = match list {
            ListQuery::Incidents => read::incidents::page(c, &self.info, f, cur, n)?,
            ListQuery::Story(id) => read::findings::of_incident(c, &self.info, *id, cur, n)?,
            ListQuery::Findings => read::findings::page(c, &self.info, f, cur, n)?,
            ListQuery::Timeline(s) => {
                let mut p = read::timeline::page(c, &self.info, s, f, cur, n)?;
                read::mark_findings(c, &self.info, &mut p.rows)?;
                p
            }
            ListQuery::Ledger => read::ledger::page(c, &self.info, f, cur, n)?,
            ListQuery::Recordings => read::recordings::page(c, &self.info, f, cur, n)?,
            ListQuery::Bookmarks => read::annotations::page(c, cur, n)?,
        };
        read::annotations::attach(c, &mut p.rows)?;
        Ok(p)
    }

    /// Page through a whole list into a file (CSV, JSON or Markdown), writing each page as it
    /// arrives so memory stays flat however long the list is.
    fn export(
        &self,
        list: &ListQuery,
        f: &Filter,
        headers: &[String],
        format: &str,
        path: &Path,
        overwrite: bool,
    ) -> Result<usize> {
        // Findings carry the records they cite, so the file stands on its own as evidence.
        let findings = matches!(list, ListQuery::Findings | ListQuery::Story(_));
        let mut h = vec!["table".to_string(), "id".to_string()];
        h.extend(headers.iter().cloned());
        if findings {
            h.push("evidence".into());
        }
        h.push("annotations".into());
        let mut out =
            crate::tui::export::Export::begin(path, &self.store.path, format, &h, overwrite)?;
        let mut cur = Cursor::First;
        loop {
            let p = self.page(list, f, &cur, 2000)?;
            let mut cites = if findings {
                let ids: Vec<i64> = p.rows.iter().map(|r| r.id).collect();
                read::findings::evidence_refs(&self.store.conn, &ids)?
            } else {
                Default::default()
            };
            for r in &p.rows {
                let mut cells = vec![r.tbl.to_string(), r.id.to_string()];
                cells.extend(r.cells.iter().cloned());
                cells.resize(2 + headers.len(), String::new());
                if findings {
                    cells.push(cites.remove(&r.id).unwrap_or_default().join(" "));
                }
                cells.push(r.notes.join(" "));
                out.row(&cells)?;
            }
            match p.rows.last() {
                Some(last) if !p.at_end => cur = Cursor::After(last.key.clone()),
                _ => break,
            }
        }
        out.finish()
    }
}

fn sql_error(e: &anyhow::Error) -> String {
    let msg = format!("{e:#}");
    if msg.contains("readonly") || msg.contains("query_only") {
        "read-only: the SQL prompt runs queries, it never edits evidence".into()
    } else {
        msg
    }
}
