//! Console state and its pure step function (as in csvlens): `update(app, action, now_ms)`
//! changes the state and returns [`Effect`]s (queries to post, text to copy, quit). Nothing here
//! touches the terminal or the database, so every behaviour is testable without either.

use super::inspector::{self, Ask};
use super::keymap::{Cmd, Keymap};
use super::worker::{
    GraphSubject, ListQuery, Merge, OrgSubject, Query, Reply, Request, Response, Slot,
};
use crate::detect::triage::{State as TriageState, Target as TriageTarget};
use crate::store::read::meeting::MeetingRef;
use crate::store::read::timeline::Subject;
use crate::store::read::{self, CaseInfo, Cursor, EvidenceSet, Filter, Key, Row};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Rect;
use std::cell::Cell;
use std::collections::HashMap;

/// Keep at most this many rows of a list in memory (a sliding window).
pub const MAX_ROWS: usize = 1000;
/// Free-text filter and search are applied this long after the last keystroke.
pub const DEBOUNCE_MS: u64 = 200;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PaneKind {
    Incidents,
    /// One incident's story: its findings in time order (under the Incidents tab).
    Incident,
    Findings,
    Timeline,
    Meeting,
    Graph,
    Ledger,
    Recordings,
    Recording,
    Bookmarks,
    Sql,
    /// The endpoint landscape (stacks) and the people behind a value.
    Landscape,
    /// External exposure per department or host, and the meetings behind it.
    Exposure,
}

/// The tabs, in order (an incident's story, Recording detail and Bookmarks live under
/// Incidents, Recordings and Findings).
pub const TABS: [PaneKind; 10] = [
    PaneKind::Incidents,
    PaneKind::Findings,
    PaneKind::Timeline,
    PaneKind::Meeting,
    PaneKind::Graph,
    PaneKind::Ledger,
    PaneKind::Recordings,
    PaneKind::Sql,
    PaneKind::Landscape,
    PaneKind::Exposure,
];

impl PaneKind {
    pub fn title(self) -> &'static str {
        match self {
            PaneKind::Incidents => "Incidents",
            PaneKind::Incident => "Incident",
            PaneKind::Findings => "Findings",
            PaneKind::Timeline => "Timeline",
            PaneKind::Meeting => "Meeting",
            PaneKind::Graph => "Graph",
            PaneKind::Ledger => "Ledger",
            PaneKind::Recordings => "Recordings",
            PaneKind::Recording => "Recording",
            PaneKind::Bookmarks => "Bookmarks",
            PaneKind::Sql => "SQL",
            PaneKind::Landscape => "Landscape",
            PaneKind::Exposure => "Exposure",
        }
    }
    pub fn tab(self) -> PaneKind {
        match self {
            PaneKind::Recording => PaneKind::Recordings,
            PaneKind::Incident => PaneKind::Incidents,
            PaneKind::Bookmarks => PaneKind::Findings,
            k => k,
        }
    }
}

/// What a view shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    None,
    Timeline(Subject),
    Meeting(MeetingRef),
    Graph(GraphSubject),
    Recording(String),
    Incident(i64),
    /// A stack or an exposure view (Landscape, Exposure).
    Org(OrgSubject),
}

/// A window of a list: the loaded rows (at most [`MAX_ROWS`]), selection and scroll.
#[derive(Clone, Debug, Default)]
pub struct ListWin {
    pub rows: Vec<Row>,
    pub sel: usize,
    pub top: usize,
    pub at_start: bool,
    pub at_end: bool,
    pub loading: bool,
    pub loaded: bool,
    pub total: Option<u64>,
    /// Rows visible, recorded by the last draw.
    pub height: Cell<usize>,
    /// Columns scrolled off to the left (`←`/`→`), and how far they can scroll (last draw).
    pub hcol: usize,
    pub hmax: Cell<usize>,
}

impl ListWin {
    pub fn selected(&self) -> Option<&Row> {
        self.rows.get(self.sel)
    }
    /// The whole list at once (a detail pane's rows), `total` of them counted as its own.
    pub(crate) fn set_all(&mut self, rows: Vec<Row>, total: usize) {
        self.rows = rows;
        self.total = Some(total as u64);
        self.at_start = true;
        self.at_end = true;
        self.loading = false;
        self.loaded = true;
    }
    pub(crate) fn clamp(&mut self) {
        if self.rows.is_empty() {
            self.sel = 0;
            self.top = 0;
            return;
        }
        self.sel = self.sel.min(self.rows.len() - 1);
        let h = self.height.get().max(1);
        if self.sel < self.top {
            self.top = self.sel;
        }
        if self.sel >= self.top + h {
            self.top = self.sel + 1 - h;
        }
    }
}

/// Data a pane shows besides its list.
#[derive(Clone, Debug, Default)]
pub enum Extra {
    #[default]
    None,
    Meeting(Box<read::meeting::Detail>),
    Recording(Box<read::recordings::Detail>),
    Graph(read::graph::Graph),
    /// The incident above its story.
    Incident(Box<Row>),
    /// What a Landscape or Exposure view shows beside its rows (adoption, trends).
    Org(Box<super::worker::OrgData>),
    /// A timeline grouped by country (`p`) in place of its histogram; None while loading.
    Places(Option<Vec<read::timeline::Place>>),
}

/// One entry of the breadcrumb: a pane looking at something.
#[derive(Clone, Debug)]
pub struct View {
    pub kind: PaneKind,
    pub target: Target,
    pub list: ListWin,
    pub extra: Extra,
    /// Evidence of the finding this view was pivoted from: rows drawn highlighted.
    pub highlight: EvidenceSet,
    pub evidence_of: Option<i64>,
    /// Where the first page starts (a pivot can start near a time).
    pub start: Cursor,
    pub hist: Option<(Vec<u64>, String, String)>,
    pub missing: bool,
    /// Opened from a search hit (n/N replace it instead of growing the trail).
    pub from_hit: bool,
    /// The record this view was pivoted from, selected when it appears (a participant row
    /// pivoted from a timeline is selected in the meeting).
    pub focus: Option<(String, i64)>,
    /// This view's free-text filter and ledger chips (operator, category, action: set by `o`
    /// or `:filter`, they leave with the view on Esc); the other chips are shared by all views.
    pub text: Option<String>,
    pub operator: Option<String>,
    pub category: Option<String>,
    pub action: Option<String>,
    /// A verdict was recorded while this view was under another: reload it when it is back.
    pub stale: bool,
    /// Words a search found in this view's record: highlighted wherever its rows show them.
    pub marks: Vec<read::search::Term>,
}

impl View {
    pub fn new(kind: PaneKind, target: Target) -> View {
        View {
            kind,
            target,
            list: ListWin::default(),
            extra: Extra::None,
            highlight: EvidenceSet::new(),
            evidence_of: None,
            start: Cursor::First,
            hist: None,
            missing: false,
            from_hit: false,
            focus: None,
            text: None,
            operator: None,
            category: None,
            action: None,
            stale: false,
            marks: vec![],
        }
    }

    pub fn label(&self) -> String {
        match &self.target {
            Target::None => self.kind.title().to_string(),
            Target::Timeline(s) => s.label(),
            Target::Meeting(_) => match &self.extra {
                Extra::Meeting(d) if !d.header.topic.is_empty() => {
                    format!("meeting \"{}\"", d.header.topic)
                }
                Extra::Meeting(d) => format!("meeting {}", d.header.uuid),
                _ => match &self.target {
                    Target::Meeting(MeetingRef::Uuid(u)) => format!("meeting {u}"),
                    Target::Meeting(MeetingRef::Id(i)) => format!("meeting {i}"),
                    Target::Meeting(MeetingRef::Topic(t)) => format!("meeting \"{t}\""),
                    _ => String::new(),
                },
            },
            Target::Graph(GraphSubject::User(u)) => format!("graph around {u}"),
            Target::Graph(GraphSubject::Meeting(m)) => format!("graph around meeting {m}"),
            Target::Graph(GraphSubject::Organisation) => "graph of the organisation".into(),
            Target::Org(o) => super::panes::org::label(o),
            Target::Recording(u) => format!("recording {u}"),
            Target::Incident(i) => format!("incident I{i}"),
        }
    }

    fn list_query(&self) -> Option<ListQuery> {
        super::panes::of(self.kind).list(&self.target)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    Normal,
    Help {
        scroll: usize,
    },
    Palette {
        input: String,
    },
    Search {
        input: String,
    },
    FilterText {
        input: String,
        before: Option<String>,
    },
    Tag {
        input: String,
    },
    Note {
        input: String,
    },
    Sql {
        input: String,
    },
    /// The record inspector is open (its pages are `App::inspector`).
    Inspect,
    /// The verdict popup: pick a state (index into `triage::State::ALL`), type a reason.
    Triage {
        target: TriageTarget,
        label: String,
        state: usize,
        reason: String,
    },
}

/// The selected finding's evidence, as the evidence box shows it.
#[derive(Clone, Debug, Default)]
pub struct Preview {
    pub finding: i64,
    pub set: EvidenceSet,
    /// Described, in time order (at most `record::MAX_EVIDENCE`).
    pub items: Vec<read::record::EvidenceItem>,
    /// Records the finding cites in all.
    pub total: u64,
}

/// Linked selection: the entities last selected anywhere; Tab shows them in the next pane.
#[derive(Clone, Debug, Default)]
pub struct Context {
    pub user: Option<String>,
    pub meeting: Option<String>,
    pub recording: Option<String>,
    pub ip: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct Search {
    pub query: String,
    pub hits: Vec<read::search::Hit>,
    pub idx: usize,
    pub pending: bool,
    /// Earlier searches, oldest first (↑ on an empty prompt recalls them).
    pub history: Vec<String>,
    /// The history entry shown while ↑/↓ walk it.
    pub browsing: Option<usize>,
}

impl Search {
    /// The next (or previous) hit, round the list.
    fn step(&mut self, forward: bool) {
        let n = self.hits.len();
        if n > 0 {
            self.idx = if forward {
                (self.idx + 1) % n
            } else {
                (self.idx + n - 1) % n
            };
        }
    }

    fn remember(&mut self, q: &str) {
        let q = q.trim();
        self.browsing = None;
        if q.is_empty() || self.history.last().is_some_and(|l| l == q) {
            return;
        }
        self.history.retain(|h| h != q);
        self.history.push(q.to_string());
        if self.history.len() > 50 {
            self.history.remove(0);
        }
    }

    /// The previous (`older`) or next history entry; `None` past either end.
    fn recall(&mut self, older: bool) -> Option<String> {
        let n = self.history.len();
        let i = match (self.browsing, older) {
            (None, true) if n > 0 => n - 1,
            (Some(i), true) if i > 0 => i - 1,
            (Some(i), false) if i + 1 < n => i + 1,
            (Some(_), false) => {
                self.browsing = None;
                return Some(String::new());
            }
            _ => return None,
        };
        self.browsing = Some(i);
        Some(self.history[i].clone())
    }
}

#[derive(Clone, Debug, Default)]
pub struct SqlState {
    pub input: String,
    pub result: Option<super::worker::SqlResult>,
    pub error: Option<String>,
    pub running: bool,
    pub list: ListWin,
}

/// Where things were drawn (for mouse clicks), recorded by the last draw.
#[derive(Clone, Debug, Default)]
pub struct Hitboxes {
    pub tabs: Vec<(Rect, PaneKind)>,
    /// Boxes showing the selectable list: area and the row index drawn at its first line.
    pub lists: Vec<(Rect, usize)>,
}

#[derive(Debug)]
pub enum Action {
    Key(KeyEvent),
    Cmd(Cmd),
    Mouse(MouseEvent),
    Resize(u16, u16),
    Tick,
    Response(Response),
}

#[derive(Debug)]
pub enum Effect {
    Send(Box<Request>),
    /// Stop the query of this slot if it is running (the worker interrupts SQLite).
    Cancel(Slot),
    Copy(String),
    Quit,
}

pub struct App {
    pub case_name: String,
    pub views: Vec<View>,
    pub filter: Filter,
    pub info: Option<CaseInfo>,
    pub local_time: bool,
    pub mode: Mode,
    pub ctx: Context,
    pub search: Search,
    pub sql: SqlState,
    pub keymap: Keymap,
    pub status: String,
    pub size: (u16, u16),
    pub hitboxes: std::cell::RefCell<Hitboxes>,
    /// Evidence of the selected finding (for the evidence box and for the next pivot).
    pub preview: Option<Preview>,
    /// The evidence box's cursor (an index into the preview's items).
    pub ev_sel: usize,
    pub ev_top: Cell<usize>,
    /// The record inspector's pages (empty when it is closed; Enter on evidence pushes).
    pub inspector: Vec<inspector::Page>,
    /// The last view of each pane that left the screen by a pane switch (its selection kept).
    parked: HashMap<PaneKind, View>,
    gens: HashMap<Slot, u64>,
    next_gen: u64,
    /// (what, due time) for debounced input.
    pending_filter: Option<u64>,
    pending_search: Option<u64>,
    pub quit: bool,
    /// An annotation was just written: the next data-change notice is ours.
    own_write: bool,
    /// The write in flight is a verdict (views below the top show states: reload them later).
    triaged: bool,
    /// Time of the last reply per slot (for the status line).
    pub last_took: Option<std::time::Duration>,
}

impl App {
    pub fn new(case_name: impl Into<String>, keymap: Keymap, size: (u16, u16)) -> App {
        App {
            case_name: case_name.into(),
            views: vec![View::new(PaneKind::Incidents, Target::None)],
            filter: Filter::default(),
            info: None,
            local_time: false,
            mode: Mode::Normal,
            ctx: Context::default(),
            search: Search::default(),
            sql: SqlState::default(),
            keymap,
            status: String::new(),
            size,
            hitboxes: Default::default(),
            preview: None,
            ev_sel: 0,
            ev_top: Cell::new(0),
            inspector: vec![],
            parked: HashMap::new(),
            gens: HashMap::new(),
            next_gen: 0,
            pending_filter: None,
            pending_search: None,
            quit: false,
            own_write: false,
            triaged: false,
            last_took: None,
        }
    }

    pub fn view(&self) -> &View {
        self.views.last().expect("there is always a view")
    }
    pub(crate) fn view_mut(&mut self) -> &mut View {
        self.views.last_mut().expect("there is always a view")
    }

    /// The chips with the current view's own (free text, ledger operator/category/action).
    pub fn eff_filter(&self) -> Filter {
        let v = self.view();
        let mut f = self.filter.clone();
        // `#word` is a tag, matched whole: `f #BEC` never matches "became".
        match v.text.as_deref().map(str::trim) {
            Some(t) if t.len() > 1 && t.starts_with('#') => f.tag = Some(t[1..].to_string()),
            _ => f.text = v.text.clone(),
        }
        f.operator = v.operator.clone();
        f.category = v.category.clone();
        f.action = v.action.clone();
        f
    }

    /// The first requests: case facts, then the root view.
    pub fn start(&mut self) -> Vec<Effect> {
        let mut fx = vec![self.req(Slot::Info, Query::Info)];
        fx.extend(self.load_view());
        fx
    }

    pub(crate) fn req(&mut self, slot: Slot, q: Query) -> Effect {
        self.next_gen += 1;
        self.gens.insert(slot, self.next_gen);
        Effect::Send(Box::new(Request {
            slot,
            generation: self.next_gen,
            q,
        }))
    }

    /// A page of the top view's list, into `merge`.
    fn page_req(&mut self, list: ListQuery, filter: Filter, cur: Cursor, merge: Merge) -> Effect {
        self.req(
            Slot::Main,
            Query::Page {
                list,
                filter,
                cur,
                merge,
            },
        )
    }

    /// Is anything the screen waits for still outstanding?
    pub fn busy(&self) -> bool {
        self.view().list.loading
    }

    /// Requests for the top view's content (replacing its window).
    fn load_view(&mut self) -> Vec<Effect> {
        let filter = self.eff_filter();
        let v = self.view_mut();
        v.list.loading = true;
        let mut fx = vec![];
        let kind = v.kind;
        let target = v.target.clone();
        let start = v.start.clone();
        if let Some(list) = v.list_query() {
            let focus = !v.highlight.is_empty() || v.evidence_of.is_some() || v.focus.is_some();
            fx.push(self.page_req(
                list.clone(),
                filter.clone(),
                start,
                Merge::Replace {
                    focus,
                    keep_sel: None,
                },
            ));
            fx.push(self.req(
                Slot::Count,
                Query::Count {
                    list,
                    filter: filter.clone(),
                },
            ));
        } else {
            match super::panes::of(kind).detail(&target, &filter) {
                Some(q) => fx.push(self.req(Slot::Main, q)),
                None => self.view_mut().list.loading = false,
            }
        }
        fx.extend(self.beside());
        fx
    }

    /// What the pane on top shows beside its list (a histogram, the incident above a story).
    fn beside(&mut self) -> Vec<Effect> {
        super::panes::of(self.view().kind).beside(self)
    }

    /// The event histogram of `subject` over the case span (or the zoomed range), one bucket a
    /// column of the terminal.
    pub(crate) fn histogram(&mut self, subject: Subject) -> Vec<Effect> {
        let Some(info) = &self.info else {
            return vec![];
        };
        let from = self.filter.from.clone().or(info.span_from.clone());
        let to = self
            .filter
            .to
            .clone()
            .or(info.span_to.clone().map(|t| bump(&t)));
        let (Some(from), Some(to)) = (from, to) else {
            return vec![];
        };
        let buckets = (self.size.0 as usize).saturating_sub(2).clamp(10, 400);
        let mut filter = self.eff_filter();
        filter.from = None;
        filter.to = None;
        vec![self.req(
            Slot::Hist,
            Query::Histogram {
                subject,
                filter,
                from,
                to,
                buckets,
            },
        )]
    }

    /// Re-read everything visible (filter change, new data).
    fn reload(&mut self) -> Vec<Effect> {
        let v = self.view_mut();
        v.start = Cursor::First;
        self.load_view()
    }

    pub(crate) fn push(&mut self, mut v: View) -> Vec<Effect> {
        if v.focus.is_none()
            && let Some(r) = self.view().list.selected()
        {
            v.focus = Some((r.tbl.to_string(), r.id));
        }
        if self.views.len() >= 64 {
            self.views.remove(1);
        }
        v.list.height.set(self.view().list.height.get());
        self.views.push(v);
        self.mode = Mode::Normal;
        let mut fx = self.load_view();
        fx.extend(self.on_select());
        fx
    }

    /// Switch panes (a digit, Tab, Shift-Tab) without growing the trail: back to the view of
    /// that pane already on the trail (with the same subject), else in place of the top view.
    /// Each pane keeps its window and selection while another is shown.
    fn switch_to(&mut self, kind: PaneKind) -> Vec<Effect> {
        let target = match kind {
            PaneKind::Timeline => match (&self.ctx.user, &self.ctx.ip) {
                (Some(u), _) => Target::Timeline(Subject::User(u.clone())),
                (None, Some(ip)) => Target::Timeline(Subject::Ip(ip.clone())),
                _ => {
                    return self.say(
                        "no user selected yet: select a row that names one (or use / to search)",
                    );
                }
            },
            PaneKind::Meeting => match &self.ctx.meeting {
                Some(m) => Target::Meeting(MeetingRef::Uuid(m.clone())),
                None => return self.say("no meeting selected yet: select a row that names one"),
            },
            // From a meeting: who comes to its series; elsewhere: who meets the linked person.
            PaneKind::Graph => match (&self.ctx.user, &self.ctx.meeting) {
                (_, Some(m)) if self.view().kind == PaneKind::Meeting => {
                    Target::Graph(GraphSubject::Meeting(m.clone()))
                }
                (Some(u), _) => Target::Graph(GraphSubject::User(u.clone())),
                (None, Some(m)) => Target::Graph(GraphSubject::Meeting(m.clone())),
                // Nobody linked yet: the organisation as a whole.
                _ => Target::Graph(GraphSubject::Organisation),
            },
            // The stack or exposure last looked at, else the default one.
            PaneKind::Landscape | PaneKind::Exposure => match self.parked.get(&kind) {
                Some(v) => v.target.clone(),
                None => super::panes::org::default_target(kind),
            },
            _ => Target::None,
        };
        self.invalidate(&[Slot::Main, Slot::Count, Slot::Hist, Slot::Head]);
        self.status.clear();
        let same = |v: &View| v.kind == kind && v.target == target;
        if let Some(i) = self.views.iter().rposition(same) {
            // Already on the trail: go back to it.
            while self.views.len() > i + 1 {
                let v = self.views.pop().unwrap();
                self.park(v);
            }
        } else {
            let v = match self.parked.remove(&kind) {
                Some(v) if v.target == target => v,
                _ => {
                    let v = View::new(kind, target);
                    v.list.height.set(self.view().list.height.get());
                    v
                }
            };
            let old = std::mem::replace(self.view_mut(), v);
            self.park(old);
        }
        if kind == PaneKind::Sql {
            self.mode = Mode::Sql {
                input: self.sql.input.clone(),
            };
            return vec![];
        }
        self.mode = Mode::Normal;
        if self.view().list.loaded {
            // Its window, refreshed where it stands (filters may have changed meanwhile).
            self.view_mut().stale = false;
            self.refresh_in_place()
        } else {
            self.load_view()
        }
    }

    /// Keep a view that leaves the screen, one per pane, to come back to.
    fn park(&mut self, v: View) {
        self.parked.insert(v.kind, v);
    }

    /// Make any reply still in flight for these slots stale (it was for a view now gone).
    fn invalidate(&mut self, slots: &[Slot]) {
        for s in slots {
            self.next_gen += 1;
            self.gens.insert(*s, self.next_gen);
        }
    }

    pub(crate) fn back(&mut self) -> Vec<Effect> {
        if self.views.len() > 1 {
            self.views.pop();
            self.invalidate(&[Slot::Main, Slot::Count, Slot::Hist, Slot::Head]);
            let v = self.view_mut();
            v.list.loading = false;
            self.status.clear();
            // The view kept its window; refresh it only if it never loaded, or in place when a
            // verdict was recorded meanwhile.
            if !self.view().list.loaded {
                return self.load_view();
            }
            if std::mem::take(&mut self.view_mut().stale) {
                return self.refresh_in_place();
            }
            if self.view().kind == PaneKind::Sql {
                self.mode = Mode::Sql {
                    input: self.sql.input.clone(),
                };
            }
            return self.on_select();
        }
        self.status = "at the start of the trail (q quits)".into();
        vec![]
    }

    /// Selection changed: update the linked context and the finding preview.
    pub(crate) fn on_select(&mut self) -> Vec<Effect> {
        let Some(row) = self.view().list.selected().cloned() else {
            return vec![];
        };
        // The linked context is the selected row's, whole: what a row does not name is not
        // linked (a recording row must not keep the previous row's meeting).
        let l = &row.link;
        self.ctx = Context {
            user: l.user.clone().or(l.operator.clone()),
            // A recording is keyed by its meeting instance.
            meeting: l.meeting_uuid.clone().or(l.recording.clone()),
            recording: l.recording.clone(),
            ip: l.ip.clone(),
        };
        if row.tbl == "findings" && self.preview.as_ref().is_none_or(|p| p.finding != row.id) {
            return vec![self.req(Slot::Side, Query::Evidence { finding: row.id })];
        }
        vec![]
    }

    fn move_sel(&mut self, delta: i64) -> Vec<Effect> {
        let v = self.view_mut();
        let n = v.list.rows.len();
        if n == 0 {
            return vec![];
        }
        let new = (v.list.sel as i64 + delta).clamp(0, n as i64 - 1) as usize;
        v.list.sel = new;
        v.list.clamp();
        let mut fx = self.more();
        fx.extend(self.on_select());
        fx
    }

    /// Fetch the next or previous page when the selection nears a window edge.
    fn more(&mut self) -> Vec<Effect> {
        let filter = self.eff_filter();
        let v = self.view();
        let Some(list) = v.list_query() else {
            return vec![];
        };
        if v.list.loading || v.list.rows.is_empty() {
            return vec![];
        }
        let h = v.list.height.get().max(10);
        let (cur, merge) = if !v.list.at_end && v.list.sel + 2 * h >= v.list.rows.len() {
            (
                Cursor::After(v.list.rows.last().unwrap().key.clone()),
                Merge::Append,
            )
        } else if !v.list.at_start && v.list.sel < 2 * h {
            (Cursor::Before(v.list.rows[0].key.clone()), Merge::Prepend)
        } else {
            return vec![];
        };
        self.view_mut().list.loading = true;
        vec![self.page_req(list, filter, cur, merge)]
    }

    fn jump(&mut self, last: bool) -> Vec<Effect> {
        let filter = self.eff_filter();
        let v = self.view_mut();
        let at_edge = if last { v.list.at_end } else { v.list.at_start };
        if at_edge || v.list_query().is_none() {
            v.list.sel = if last {
                v.list.rows.len().saturating_sub(1)
            } else {
                0
            };
            v.list.clamp();
            return self.on_select();
        }
        let list = v.list_query().unwrap();
        v.list.loading = true;
        let cur = if last { Cursor::Last } else { Cursor::First };
        let keep = if last { Some(usize::MAX) } else { Some(0) };
        vec![self.page_req(
            list,
            filter,
            cur,
            Merge::Replace {
                focus: false,
                keep_sel: keep,
            },
        )]
    }

    /// Every chip off: the shared ones and this view's own.
    fn clear_filters(&mut self) {
        self.filter = Filter::default();
        let v = self.view_mut();
        v.text = None;
        v.operator = None;
        v.category = None;
        v.action = None;
    }

    fn refilter(&mut self) -> Vec<Effect> {
        self.status.clear();
        self.reload()
    }

    // ---- pivots -------------------------------------------------------------------------

    /// Enter: where the selected row leads, as its pane decides.
    fn pivot(&mut self) -> Vec<Effect> {
        let Some(row) = self.view().list.selected().cloned() else {
            return vec![];
        };
        super::panes::of(self.view().kind).enter(self, &row)
    }

    pub(crate) fn timeline_view(&self, s: Subject) -> View {
        View::new(PaneKind::Timeline, Target::Timeline(s))
    }

    /// Open `v` unless it is the view already on top.
    pub(crate) fn go(&mut self, v: View) -> Vec<Effect> {
        if self.view().kind == v.kind && self.view().target == v.target {
            return self.say("already here");
        }
        self.push(v)
    }

    /// Show the view on top with another subject (a stack by another dimension), in place:
    /// the trail does not grow.
    pub(crate) fn retarget(&mut self, t: Target) -> Vec<Effect> {
        self.invalidate(&[Slot::Main]);
        let v = self.view_mut();
        v.target = t;
        v.extra = Extra::None;
        v.list = ListWin {
            height: Cell::new(v.list.height.get()),
            ..Default::default()
        };
        v.missing = false;
        self.load_view()
    }

    pub(crate) fn pivot_user_of(&mut self, l: &read::Links) -> Vec<Effect> {
        let s = match (&l.user, &l.name) {
            (Some(u), _) => Subject::User(u.clone()),
            (None, Some(n)) => Subject::Name(n.clone()),
            _ => return self.say("no user on this row"),
        };
        let v = self.timeline_view(s);
        self.go(v)
    }

    pub(crate) fn pivot_meeting_of(&mut self, l: &read::Links) -> Vec<Effect> {
        let r = match (&l.meeting_uuid, l.meeting_id) {
            (Some(u), _) => MeetingRef::Uuid(u.clone()),
            (None, Some(i)) => MeetingRef::Id(i),
            _ => return self.say("no meeting on this row"),
        };
        self.go(View::new(PaneKind::Meeting, Target::Meeting(r)))
    }

    pub(crate) fn pivot_recording_of(&mut self, l: &read::Links) -> Vec<Effect> {
        match &l.recording {
            Some(u) => self.push(View::new(PaneKind::Recording, Target::Recording(u.clone()))),
            None => self.say("no recording on this row"),
        }
    }

    pub(crate) fn pivot_operation(&mut self, l: &read::Links) -> Vec<Effect> {
        if l.meeting_id.is_some() {
            return self.pivot_meeting_of(l);
        }
        if let Some(t) = &l.name {
            let v = self.timeline_view(Subject::User(t.clone()));
            return self.push(v);
        }
        self.pivot_user_of(l)
    }

    fn pivot_cmd(&mut self, c: Cmd) -> Vec<Effect> {
        let Some(row) = self.view().list.selected().cloned() else {
            self.status = "nothing selected".into();
            return vec![];
        };
        let l = row.link;
        match c {
            Cmd::PivotUser => self.pivot_user_of(&l),
            Cmd::PivotMeeting => self.pivot_meeting_of(&l),
            Cmd::PivotRecording => self.pivot_recording_of(&l),
            Cmd::PivotIp => match l.ip {
                Some(ip) => {
                    let v = self.timeline_view(Subject::Ip(ip));
                    self.push(v)
                }
                None => self.say("no IP address on this row"),
            },
            Cmd::PivotDomain => match l
                .user
                .as_deref()
                .map(read::domain_of)
                .filter(|d| !d.is_empty())
            {
                Some(d) => {
                    let v = self.timeline_view(Subject::Domain(d));
                    self.push(v)
                }
                None => self.say("no email domain on this row"),
            },
            // A device by name and whose it is: two people's "Kwame's iPhone" stay apart.
            Cmd::PivotDevice => match l.device {
                Some(d) => {
                    let v = self.timeline_view(Subject::Device(d, l.user.clone()));
                    self.push(v)
                }
                None => self.say("no device on this row"),
            },
            Cmd::PivotOperator => match l.operator.or(l.user) {
                Some(op) => {
                    let mut v = View::new(PaneKind::Ledger, Target::None);
                    v.operator = Some(op);
                    self.push(v)
                }
                None => self.say("no operator on this row"),
            },
            _ => vec![],
        }
    }

    pub(crate) fn say(&mut self, s: &str) -> Vec<Effect> {
        self.status = s.to_string();
        vec![]
    }

    fn open_hit(&mut self) -> Vec<Effect> {
        let Some(h) = self.search.hits.get(self.search.idx).cloned() else {
            return self.say("no search hits");
        };
        self.status = format!(
            "hit {}/{}: {} {}",
            self.search.idx + 1,
            self.search.hits.len(),
            h.kind,
            h.value
        );
        if let Some(rec) = &h.record {
            return self.open_text_hit(rec.clone());
        }
        let mut v = match h.kind.as_str() {
            "email" => self.timeline_view(Subject::User(h.value)),
            "name" => self.timeline_view(Subject::Name(h.value)),
            "ip" => self.timeline_view(Subject::Ip(h.value)),
            "device" => self.timeline_view(Subject::Device(h.value, None)),
            "topic" => View::new(
                PaneKind::Meeting,
                Target::Meeting(MeetingRef::Topic(h.value)),
            ),
            "meeting" => match h.value.parse::<i64>() {
                Ok(id) => View::new(PaneKind::Meeting, Target::Meeting(MeetingRef::Id(id))),
                Err(_) => View::new(
                    PaneKind::Meeting,
                    Target::Meeting(MeetingRef::Uuid(h.value)),
                ),
            },
            _ => {
                // A detail as a whole value (a case searched by an older version).
                let mut v = View::new(PaneKind::Ledger, Target::None);
                v.text = Some(h.value.chars().take(60).collect());
                v
            }
        };
        v.from_hit = true;
        self.push(v)
    }

    /// A word found inside a message or an operation: the sender's timeline or the ledger,
    /// opened at that record, selected, with the words highlighted.
    fn open_text_hit(&mut self, rec: read::search::TextHit) -> Vec<Effect> {
        let mut v = match rec.tbl {
            "chat_messages" if !rec.who.trim().is_empty() => {
                self.timeline_view(Subject::User(rec.who.clone()))
            }
            "chat_messages" => {
                return self.say("this message names no sender: d on it in the SQL pane");
            }
            _ => View::new(PaneKind::Ledger, Target::None),
        };
        v.start = Cursor::After(Key {
            t: minus_secs(&rec.time, 1),
            s: -1,
            id: -1,
        });
        v.focus = Some((rec.tbl.to_string(), rec.id));
        v.marks = read::search::terms(&self.search.query);
        v.from_hit = true;
        self.push(v)
    }

    // ---- annotations, copy, export ------------------------------------------------------

    fn annotate(&mut self, kind: &str, text: String) -> Vec<Effect> {
        let Some(row) = self.view().list.selected().cloned() else {
            return self.say("nothing selected to annotate");
        };
        // Graph nodes are aggregates and bookmark rows are annotations themselves: not records.
        if matches!(
            row.tbl,
            "people" | "annotations" | "stack" | "exposure" | "org"
        ) {
            return self.say("select a record (not a graph node or a bookmark) to annotate");
        }
        self.own_write = true;
        vec![self.req(
            Slot::Annot,
            Query::Annotate {
                tbl: row.tbl.to_string(),
                row_id: row.id,
                kind: kind.into(),
                text,
            },
        )]
    }

    // ---- the record inspector --------------------------------------------------------------

    /// Open the inspector on a record (over the one open, if any: Esc comes back to it).
    pub(crate) fn inspect(&mut self, tbl: String, id: i64) -> Vec<Effect> {
        self.inspector.push(inspector::Page::new(&tbl, id));
        self.mode = Mode::Inspect;
        vec![self.req(Slot::Inspect, Query::Record { tbl, id })]
    }

    /// `d`: the selected row's record (panes whose rows are not records say what to do).
    fn inspect_selected(&mut self) -> Vec<Effect> {
        if let Some(fx) = super::panes::of(self.view().kind).on_cmd(self, Cmd::Inspect) {
            return fx;
        }
        match self.view().list.selected().cloned() {
            Some(row) => self.inspect(row.tbl.to_string(), row.id),
            None => self.say("nothing selected to inspect"),
        }
    }

    /// The evidence record under the evidence box's cursor, when the box shows the selected
    /// finding's evidence.
    pub fn evidence_item(&self) -> Option<&read::record::EvidenceItem> {
        let row = self.view().list.selected()?;
        let p = self.preview.as_ref()?;
        if row.tbl != "findings" || p.finding != row.id {
            return None;
        }
        p.items.get(self.ev_sel)
    }

    fn inspector_key(&mut self, k: &KeyEvent) -> Vec<Effect> {
        let Some(p) = self.inspector.last_mut() else {
            self.mode = Mode::Normal;
            return vec![];
        };
        match inspector::on_key(p, k) {
            Ask::Nothing => vec![],
            Ask::Back => {
                self.inspector.pop();
                if self.inspector.is_empty() {
                    self.mode = if self.view().kind == PaneKind::Sql {
                        Mode::Sql {
                            input: self.sql.input.clone(),
                        }
                    } else {
                        Mode::Normal
                    };
                }
                vec![]
            }
            Ask::Copy => match p.copy_text() {
                Some((what, text)) => {
                    // As `y` elsewhere: what the screen shows, minus control and invisible
                    // characters, so a pasted value cannot run a second command.
                    let v = crate::output::visible(&text).into_owned();
                    self.status = format!("copied {}", crate::output::sanitize(&what));
                    vec![Effect::Copy(v)]
                }
                None => self.say("a heading: move to a field to copy it"),
            },
            Ask::Open(t, id) => self.inspect(t, id),
            Ask::ToggleTime => {
                self.local_time = !self.local_time;
                vec![]
            }
        }
    }

    // ---- triage ---------------------------------------------------------------------------

    /// Record the verdict through the worker's writer connection.
    fn record_triage(&mut self, target: TriageTarget, state: usize, reason: String) -> Vec<Effect> {
        let state = TriageState::ALL[state.min(TriageState::ALL.len() - 1)];
        self.own_write = true;
        self.triaged = true;
        self.status = format!("recording {target} {}...", state.as_str());
        vec![self.req(
            Slot::Annot,
            Query::Triage {
                target,
                state,
                reason: reason.trim().to_string(),
            },
        )]
    }

    fn copy(&mut self) -> Vec<Effect> {
        let Some(row) = self.view().list.selected() else {
            return self.say("nothing selected");
        };
        // What goes on the clipboard is what the screen shows, minus control and invisible
        // characters: an email "eve@evil.example\ntouch pwned" pasted into a shell must not run
        // a second command.
        let clean = |s: &str| crate::output::visible(s).into_owned();
        let l = &row.link;
        let v = l
            .user
            .as_deref()
            .or(l.operator.as_deref())
            .or(l.ip.as_deref())
            .or(l.meeting_uuid.as_deref())
            .map(clean)
            .unwrap_or_else(|| {
                row.cells
                    .iter()
                    .map(|c| clean(c))
                    .collect::<Vec<_>>()
                    .join("\t")
            });
        self.status = format!("copied {}", crate::output::sanitize(&v));
        vec![Effect::Copy(v)]
    }

    /// The columns of a pane's list, as an export names them.
    pub fn headers(kind: PaneKind) -> Vec<String> {
        super::panes::of(kind)
            .headers()
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    /// `export` never replaces a file; `export!` may (never the open case).
    fn export(&mut self, args: &[&str], overwrite: bool) -> Vec<Effect> {
        let (bookmarks, rest): (bool, &[&str]) = match args.first() {
            Some(&"bookmarks") => (true, &args[1..]),
            _ => (false, args),
        };
        let (Some(fmt), Some(path)) = (rest.first(), rest.get(1)) else {
            return self
                .say("usage: export[!] [bookmarks] csv|json|md PATH (export! replaces a file)");
        };
        if !matches!(*fmt, "csv" | "json" | "md") {
            return self.say("export formats: csv, json, md");
        }
        let (list, kind) = if bookmarks {
            (ListQuery::Bookmarks, PaneKind::Bookmarks)
        } else {
            match self.view().list_query() {
                Some(l) => (l, self.view().kind),
                None => return self.say("this pane is not a list; export from Incidents, Findings, Timeline, Ledger, Recordings or bookmarks"),
            }
        };
        let filter = if bookmarks {
            Filter::default()
        } else {
            self.eff_filter()
        };
        self.status = format!("exporting to {path}...");
        vec![self.req(
            Slot::Export,
            Query::Export {
                list,
                filter,
                headers: App::headers(kind),
                format: fmt.to_string(),
                path: path.into(),
                overwrite,
            },
        )]
    }

    // ---- commands -----------------------------------------------------------------------

    pub fn palette_commands() -> &'static [(&'static str, &'static str)] {
        &[
            ("user EMAIL", "timeline of a person"),
            ("ip ADDRESS", "everything from an IP"),
            ("domain NAME", "everything from an email domain"),
            ("device NAME", "sessions from a device"),
            ("meeting UUID|ID", "a meeting instance"),
            ("recording UUID", "a recording"),
            ("graph", "collaboration graph of the linked user"),
            (
                "graph org",
                "the organisation's graph: departments and outside domains",
            ),
            (
                "stack version|device|os|client|location|country|network|domain|pc-name",
                "the endpoint landscape by that dimension",
            ),
            (
                "exposure department|host",
                "external exposure per department or host",
            ),
            ("bookmarks", "bookmarked records"),
            (
                "filter domain D | from T | to T | operator X | category X | action X | clear",
                "set a chip",
            ),
            (
                "severity info|low|medium|high|critical",
                "minimum severity chip",
            ),
            ("sql QUERY", "run a read-only query"),
            (
                "export csv|json|md PATH",
                "export the current list (never replaces a file)",
            ),
            (
                "export! csv|json|md PATH",
                "export, replacing PATH if it exists",
            ),
            (
                "export bookmarks csv|json|md PATH",
                "export bookmarked records",
            ),
            ("tag TEXT", "tag the selected record"),
            ("note TEXT", "note on the selected record"),
            ("time utc|local", "time zone of the display"),
            ("quit", "quit"),
        ]
    }

    fn run_command(&mut self, line: &str) -> Vec<Effect> {
        let line = line.trim();
        let (cmd, arg) = line
            .split_once(' ')
            .map(|(a, b)| (a, b.trim()))
            .unwrap_or((line, ""));
        let words: Vec<&str> = arg.split_whitespace().collect();
        match cmd {
            "" => vec![],
            "q" | "quit" => {
                self.quit = true;
                vec![Effect::Quit]
            }
            "help" => {
                self.mode = Mode::Help { scroll: 0 };
                vec![]
            }
            "user" | "ip" | "domain" | "device" | "name" if !arg.is_empty() => {
                let s = match cmd {
                    "user" => Subject::User(arg.into()),
                    "ip" => Subject::Ip(arg.into()),
                    "domain" => Subject::Domain(arg.trim_start_matches('@').to_lowercase()),
                    "device" => Subject::Device(arg.into(), None),
                    _ => Subject::Name(arg.into()),
                };
                let v = self.timeline_view(s);
                self.push(v)
            }
            "meeting" if !arg.is_empty() => {
                let r = match arg.replace(' ', "").parse::<i64>() {
                    Ok(i) => MeetingRef::Id(i),
                    Err(_) => MeetingRef::Uuid(arg.into()),
                };
                self.push(View::new(PaneKind::Meeting, Target::Meeting(r)))
            }
            "recording" if !arg.is_empty() => self.push(View::new(
                PaneKind::Recording,
                Target::Recording(arg.into()),
            )),
            "graph" if words.first() == Some(&"org") => self.go(View::new(
                PaneKind::Graph,
                Target::Graph(GraphSubject::Organisation),
            )),
            "graph" => self.switch_to(PaneKind::Graph),
            "stack" | "exposure" => super::panes::org::command(self, cmd, &words),
            "bookmarks" => self.push(View::new(PaneKind::Bookmarks, Target::None)),
            "severity" => match words.first().map(|w| read::severity_rank(w)) {
                Some(r) => {
                    self.filter.min_severity = Some(r);
                    self.refilter()
                }
                None => self.say("usage: severity info|low|medium|high|critical"),
            },
            "filter" => {
                let val = words
                    .get(1..)
                    .map(|w| w.join(" "))
                    .filter(|s| !s.is_empty());
                match (words.first().copied(), val) {
                    (Some("clear"), _) => self.clear_filters(),
                    (Some("domain"), Some(v)) => self.filter.domain = Some(v.trim_start_matches('@').to_lowercase()),
                    (Some("from"), Some(v)) => match crate::model::time::norm_time(&v) {
                        Some(t) => self.filter.from = Some(t),
                        None => return self.say("not a time: try 2024-06-10 or 2024-06-10T06:00:00Z"),
                    },
                    // A day alone as the end means the whole of that day.
                    (Some("to"), Some(v)) => match crate::model::time::norm_time(&v) {
                        Some(t) if is_day(&v) => self.filter.to = Some(bump_day(&t)),
                        Some(t) => self.filter.to = Some(t),
                        None => return self.say("not a time: try 2024-06-10 or 2024-06-10T06:00:00Z"),
                    },
                    (Some("operator"), Some(v)) => self.view_mut().operator = Some(v),
                    (Some("category"), Some(v)) => self.view_mut().category = Some(v),
                    (Some("action"), Some(v)) => self.view_mut().action = Some(v),
                    (Some("tag"), Some(v)) => {
                        self.view_mut().text = Some(format!("#{}", v.trim_start_matches('#')))
                    }
                    (Some("text"), Some(v)) => self.view_mut().text = Some(v),
                    _ => return self.say("usage: filter domain D | from T | to T | operator X | category X | action X | tag T | text T | clear"),
                }
                let fx = self.refilter();
                if let (Some(a), Some(b)) = (&self.filter.from, &self.filter.to)
                    && b <= a
                {
                    self.status = format!(
                        "the time range is empty: it ends ({b}) before it starts ({a}); `:filter to` takes the end (a day alone means all of it)"
                    );
                }
                fx
            }
            "sql" => {
                self.sql.input = arg.to_string();
                let mut fx = self.switch_to(PaneKind::Sql);
                if !arg.is_empty() {
                    fx.extend(self.run_sql());
                }
                fx
            }
            "export" => self.export(&words, false),
            "export!" => self.export(&words, true),
            "tag" if !arg.is_empty() => self.annotate("tag", arg.into()),
            "note" if !arg.is_empty() => self.annotate("note", arg.into()),
            "time" => {
                self.local_time = words.first() == Some(&"local");
                vec![]
            }
            _ => self.say(&format!(
                "unknown command {:?}: press : and see the list",
                crate::output::sanitize(line)
            )),
        }
    }

    pub(crate) fn run_sql(&mut self) -> Vec<Effect> {
        let text = self.sql.input.trim().to_string();
        if text.is_empty() {
            return vec![];
        }
        self.sql.running = true;
        self.sql.error = None;
        vec![self.req(Slot::Sql, Query::Sql { text })]
    }

    fn zoom(&mut self, dir: i32) -> Vec<Effect> {
        let Some(info) = &self.info else {
            return vec![];
        };
        let (Some(lo), Some(hi)) = (
            self.filter.from.clone().or(info.span_from.clone()),
            self.filter
                .to
                .clone()
                .or(info.span_to.clone().map(|t| bump(&t))),
        ) else {
            return vec![];
        };
        if dir == 0 {
            self.filter.from = None;
            self.filter.to = None;
            return self.refilter();
        }
        let (Some(a), Some(b)) = (parse(&lo), parse(&hi)) else {
            return vec![];
        };
        let sel = self.view().list.selected().cloned();
        let center = sel
            .as_ref()
            .and_then(|r| parse(&r.time))
            .unwrap_or(a + (b - a) / 2);
        let half = if dir > 0 { (b - a) / 4 } else { b - a };
        let half = half.max(chrono::Duration::minutes(5));
        self.filter.from = Some(crate::model::time::fmt_utc(center - half));
        self.filter.to = Some(crate::model::time::fmt_utc(center + half));
        self.status.clear();
        // The selected event stays selected (and the next zoom centres on it again): the new
        // window starts just before it, and it is chosen when the page arrives.
        let v = self.view_mut();
        v.start = Cursor::First;
        if let Some(r) = sel {
            v.focus = Some((r.tbl.to_string(), r.id));
            if matches!(v.kind, PaneKind::Timeline | PaneKind::Ledger) {
                v.start = Cursor::After(Key {
                    t: minus_secs(&r.time, 1),
                    s: -1,
                    id: -1,
                });
            }
        }
        self.load_view()
    }

    // ---- replies ------------------------------------------------------------------------

    fn on_response(&mut self, r: Response) -> Vec<Effect> {
        if let Reply::DataChanged = r.reply {
            return self.on_data_changed();
        }
        if self.gens.get(&r.slot) != Some(&r.generation) {
            return vec![]; // superseded
        }
        self.last_took = Some(r.took);
        // A detail pane's data (a meeting, a recording, a graph) is its pane's to apply.
        let reply = match super::panes::of(self.view().kind).apply(self, r.reply) {
            Ok(fx) => return fx,
            Err(reply) => reply,
        };
        match reply {
            Reply::Info(info) => {
                self.info = Some(info);
                return self.beside();
            }
            Reply::Page { page, merge, .. } => {
                let v = self.view_mut();
                let l = &mut v.list;
                l.loading = false;
                l.loaded = true;
                match merge {
                    Merge::Replace { focus, keep_sel } => {
                        l.rows = page.rows;
                        l.at_start = page.at_start;
                        l.at_end = page.at_end;
                        l.top = 0;
                        l.sel = match keep_sel {
                            Some(usize::MAX) => l.rows.len().saturating_sub(1),
                            Some(i) => i,
                            None => 0,
                        };
                        // The record this view was opened or zoomed on, else the first
                        // evidence row.
                        let key = |r: &Row| (r.tbl.to_string(), r.id);
                        if focus
                            && let Some(i) = l
                                .rows
                                .iter()
                                .position(|r| v.focus.as_ref() == Some(&key(r)))
                                .or_else(|| {
                                    l.rows.iter().position(|r| v.highlight.contains(&key(r)))
                                })
                        {
                            l.sel = i;
                        }
                        if l.sel >= l.height.get() {
                            l.top = l.sel.saturating_sub(l.height.get() / 2);
                        }
                    }
                    Merge::Append => {
                        l.at_end = page.at_end;
                        l.rows.extend(page.rows);
                        if l.rows.len() > MAX_ROWS {
                            let drop = l.rows.len() - MAX_ROWS;
                            l.rows.drain(..drop);
                            l.sel = l.sel.saturating_sub(drop);
                            l.top = l.top.saturating_sub(drop);
                            l.at_start = false;
                        }
                    }
                    Merge::Prepend => {
                        l.at_start = page.at_start;
                        let n = page.rows.len();
                        let mut rows = page.rows;
                        rows.append(&mut l.rows);
                        l.rows = rows;
                        l.sel += n;
                        l.top += n;
                        if l.rows.len() > MAX_ROWS {
                            l.rows.truncate(MAX_ROWS);
                            l.at_end = false;
                        }
                    }
                }
                l.clamp();
                return self.on_select();
            }
            Reply::Count(n) => self.view_mut().list.total = Some(n),
            Reply::Histogram { bins, from, to } => self.view_mut().hist = Some((bins, from, to)),
            Reply::Evidence {
                finding,
                set,
                items,
                total,
            } => {
                for v in self.views.iter_mut() {
                    if v.evidence_of == Some(finding) && v.highlight.is_empty() {
                        v.highlight = set.clone();
                    }
                }
                if self.preview.as_ref().is_none_or(|p| p.finding != finding) {
                    self.ev_sel = 0;
                    self.ev_top.set(0);
                }
                self.preview = Some(Preview {
                    finding,
                    set,
                    items,
                    total,
                });
            }
            Reply::Record { tbl, id, rec } => {
                if let Some(p) = self.inspector.last_mut()
                    && p.tbl == tbl
                    && p.id == id
                {
                    p.set(rec);
                }
            }
            // Not for the pane on top (it was left meanwhile): nothing to apply.
            Reply::Meeting(_)
            | Reply::Recording(_)
            | Reply::Graph(_)
            | Reply::Org(_)
            | Reply::Places(_) => {}
            Reply::Search(hits) => {
                self.search.pending = false;
                self.search.hits = hits;
                self.search.idx = 0;
            }
            Reply::Sql(res) => {
                self.sql.running = false;
                match res {
                    Ok(r) => {
                        self.sql.error = None;
                        self.sql.list = ListWin {
                            height: Cell::new(self.sql.list.height.get()),
                            ..Default::default()
                        };
                        self.status = format!("{} rows", r.rows.len());
                        self.sql.result = Some(r);
                    }
                    Err(e) => self.sql.error = Some(e),
                }
            }
            Reply::Incident(row) => {
                let v = self.view_mut();
                match row {
                    Some(row) if v.target == Target::Incident(row.id) => {
                        v.extra = Extra::Incident(row)
                    }
                    Some(_) => {}
                    None if matches!(v.target, Target::Incident(_)) => v.missing = true,
                    None => {}
                }
            }
            Reply::Done(msg) => {
                if r.slot == Slot::Annot && std::mem::take(&mut self.triaged) {
                    // A verdict: every view under this one shows states; reload them on return.
                    let n = self.views.len();
                    for v in &mut self.views[..n - 1] {
                        v.stale = true;
                    }
                }
                self.status = msg;
                if r.slot == Slot::Annot {
                    // Show the new annotation: reload the visible window at its position.
                    return self.refresh_in_place();
                }
            }
            Reply::Error(e) => {
                self.view_mut().list.loading = false;
                self.status = format!("error: {e}");
            }
            Reply::DataChanged => {}
        }
        vec![]
    }

    /// Reload the current view keeping the position (new rows, annotations).
    fn refresh_in_place(&mut self) -> Vec<Effect> {
        let filter = self.eff_filter();
        let v = self.view_mut();
        let sel = v.list.sel;
        if let Some(list) = v.list_query() {
            let cur = if v.list.at_start || v.list.rows.is_empty() {
                Cursor::First
            } else {
                Cursor::After(v.list.rows[0].key.clone())
            };
            v.list.loading = true;
            let sel = if matches!(cur, Cursor::First) {
                sel
            } else {
                sel.saturating_sub(1)
            };
            let mut fx = vec![self.page_req(
                list.clone(),
                filter.clone(),
                cur,
                Merge::Replace {
                    focus: false,
                    keep_sel: Some(sel),
                },
            )];
            fx.push(self.req(Slot::Count, Query::Count { list, filter }));
            fx.extend(self.beside());
            return fx;
        }
        self.load_view()
    }

    fn on_data_changed(&mut self) -> Vec<Effect> {
        let mut fx = vec![self.req(Slot::Info, Query::Info)];
        fx.extend(self.refresh_in_place());
        if std::mem::take(&mut self.own_write) {
            return fx; // our own annotation: the status line already says so
        }
        self.status = "new data in the case: view refreshed".into();
        fx
    }

    // ---- input --------------------------------------------------------------------------

    fn on_key(&mut self, k: KeyEvent, now: u64) -> Vec<Effect> {
        if k.kind == crossterm::event::KeyEventKind::Release {
            return vec![];
        }
        if k.modifiers.contains(KeyModifiers::CONTROL) && k.code == KeyCode::Char('c') {
            self.quit = true;
            return vec![Effect::Quit];
        }
        // Esc stops a running SQL query; a late answer to it is dropped.
        if k.code == KeyCode::Esc && self.sql.running && self.view().kind == PaneKind::Sql {
            self.sql.running = false;
            self.gens.remove(&Slot::Sql);
            self.status = "query cancelled".into();
            return vec![Effect::Cancel(Slot::Sql)];
        }
        match self.mode.clone() {
            Mode::Normal => match self.keymap.lookup(&k) {
                Some(c) => self.on_cmd(c, now),
                None => vec![],
            },
            Mode::Help { scroll } => {
                // Any key but a scroll closes help, `q` included: it never quits from here.
                match self.keymap.lookup(&k) {
                    Some(Cmd::Down) => self.mode = Mode::Help { scroll: scroll + 1 },
                    Some(Cmd::Up) => {
                        self.mode = Mode::Help {
                            scroll: scroll.saturating_sub(1),
                        }
                    }
                    _ => self.mode = Mode::Normal,
                }
                vec![]
            }
            Mode::Inspect => self.inspector_key(&k),
            Mode::Sql { input } => super::panes::sql::on_key(self, &k, input, now),
            Mode::Palette { mut input } => match k.code {
                KeyCode::Enter => {
                    self.mode = Mode::Normal;
                    self.run_command(&input)
                }
                KeyCode::Esc => {
                    self.mode = Mode::Normal;
                    vec![]
                }
                KeyCode::Tab => {
                    // Complete to the first matching command word.
                    if let Some((c, _)) = App::palette_commands()
                        .iter()
                        .find(|(c, _)| c.starts_with(input.trim()))
                    {
                        input = c.split(' ').next().unwrap_or("").to_string() + " ";
                    }
                    self.mode = Mode::Palette { input };
                    vec![]
                }
                _ => {
                    edit(&mut input, &k);
                    self.mode = Mode::Palette { input };
                    vec![]
                }
            },
            Mode::Search { mut input } => match k.code {
                KeyCode::Enter => {
                    self.mode = Mode::Normal;
                    self.search.remember(&input);
                    if self.search.query != input || self.search.pending {
                        // Run now; open the best hit when it arrives.
                        self.search.query = input.clone();
                        self.pending_search = None;
                        return vec![self.req(Slot::Search, Query::Search { text: input })];
                    }
                    self.open_hit()
                }
                KeyCode::Esc => {
                    self.mode = Mode::Normal;
                    vec![]
                }
                // ↑ on an empty prompt (or while recalling) walks the history; else the hits.
                KeyCode::Up | KeyCode::Down
                    if input.is_empty() || self.search.browsing.is_some() =>
                {
                    if let Some(h) = self.search.recall(k.code == KeyCode::Up) {
                        input = h;
                        self.search.pending = true;
                        self.pending_search = Some(now + DEBOUNCE_MS);
                    }
                    self.mode = Mode::Search { input };
                    vec![]
                }
                KeyCode::Down | KeyCode::Up => {
                    self.search.step(k.code == KeyCode::Down);
                    self.mode = Mode::Search { input };
                    vec![]
                }
                _ => {
                    edit(&mut input, &k);
                    self.search.browsing = None;
                    self.search.pending = true;
                    self.pending_search = Some(now + DEBOUNCE_MS);
                    self.mode = Mode::Search { input };
                    vec![]
                }
            },
            Mode::FilterText { mut input, before } => match k.code {
                KeyCode::Enter => {
                    self.mode = Mode::Normal;
                    self.pending_filter = None;
                    self.view_mut().text = Some(input).filter(|s| !s.trim().is_empty());
                    self.refilter()
                }
                KeyCode::Esc => {
                    self.mode = Mode::Normal;
                    self.pending_filter = None;
                    if self.view().text != before {
                        self.view_mut().text = before;
                        return self.refilter();
                    }
                    vec![]
                }
                _ => {
                    edit(&mut input, &k);
                    self.pending_filter = Some(now + DEBOUNCE_MS);
                    self.mode = Mode::FilterText { input, before };
                    vec![]
                }
            },
            Mode::Triage {
                target,
                label,
                state,
                mut reason,
            } => {
                let n = TriageState::ALL.len();
                let state = match k.code {
                    KeyCode::Enter => {
                        self.mode = Mode::Normal;
                        return self.record_triage(target, state, reason);
                    }
                    KeyCode::Esc => {
                        self.mode = Mode::Normal;
                        return self.say("triage cancelled");
                    }
                    KeyCode::Down | KeyCode::Tab => (state + 1) % n,
                    KeyCode::Up | KeyCode::BackTab => (state + n - 1) % n,
                    _ => {
                        edit(&mut reason, &k);
                        state
                    }
                };
                self.mode = Mode::Triage {
                    target,
                    label,
                    state,
                    reason,
                };
                vec![]
            }
            Mode::Tag { mut input } | Mode::Note { mut input } => {
                let is_tag = matches!(self.mode, Mode::Tag { .. });
                match k.code {
                    KeyCode::Enter => {
                        self.mode = Mode::Normal;
                        if input.trim().is_empty() {
                            return vec![];
                        }
                        self.annotate(
                            if is_tag { "tag" } else { "note" },
                            input.trim().to_string(),
                        )
                    }
                    KeyCode::Esc => {
                        self.mode = Mode::Normal;
                        vec![]
                    }
                    _ => {
                        edit(&mut input, &k);
                        self.mode = if is_tag {
                            Mode::Tag { input }
                        } else {
                            Mode::Note { input }
                        };
                        vec![]
                    }
                }
            }
        }
    }

    pub(crate) fn on_cmd(&mut self, c: Cmd, _now: u64) -> Vec<Effect> {
        let h = self.view().list.height.get().max(1) as i64;
        if c != Cmd::Inspect
            && let Some(fx) = super::panes::of(self.view().kind).on_cmd(self, c)
        {
            return fx;
        }
        match c {
            Cmd::Down => self.move_sel(1),
            Cmd::Up => self.move_sel(-1),
            Cmd::HalfDown => self.move_sel(h / 2),
            Cmd::HalfUp => self.move_sel(-h / 2),
            Cmd::PageDown => self.move_sel(h),
            Cmd::PageUp => self.move_sel(-h),
            Cmd::Top => self.jump(false),
            Cmd::Bottom => self.jump(true),
            Cmd::NextPane | Cmd::PrevPane => {
                let cur = TABS
                    .iter()
                    .position(|k| *k == self.view().kind.tab())
                    .unwrap_or(0);
                let n = TABS.len();
                let mut i = cur;
                // Skip panes with nothing linked yet.
                for _ in 0..n {
                    i = if c == Cmd::NextPane {
                        (i + 1) % n
                    } else {
                        (i + n - 1) % n
                    };
                    let k = TABS[i];
                    let ok = match k {
                        PaneKind::Timeline => self.ctx.user.is_some() || self.ctx.ip.is_some(),
                        PaneKind::Meeting => self.ctx.meeting.is_some(),
                        _ => true,
                    };
                    if ok {
                        break;
                    }
                }
                self.switch_to(TABS[i])
            }
            Cmd::PaneIncidents => self.switch_to(PaneKind::Incidents),
            Cmd::PaneFindings => self.switch_to(PaneKind::Findings),
            Cmd::PaneTimeline => self.switch_to(PaneKind::Timeline),
            Cmd::PaneMeeting => self.switch_to(PaneKind::Meeting),
            Cmd::PaneGraph => self.switch_to(PaneKind::Graph),
            Cmd::PaneLedger => self.switch_to(PaneKind::Ledger),
            Cmd::PaneRecordings => self.switch_to(PaneKind::Recordings),
            Cmd::PaneSql => self.switch_to(PaneKind::Sql),
            Cmd::PaneLandscape => self.switch_to(PaneKind::Landscape),
            Cmd::PaneExposure => self.switch_to(PaneKind::Exposure),
            Cmd::NextBy | Cmd::PrevBy | Cmd::CycleGroup | Cmd::ToggleRarest | Cmd::GraphLevel => {
                self.say("a Landscape, Exposure, Graph or Timeline key: press 9, 0, 5 or 3")
            }
            Cmd::Pivot => self.pivot(),
            Cmd::Back => self.back(),
            Cmd::Quit => {
                self.quit = true;
                vec![Effect::Quit]
            }
            Cmd::Help => {
                self.mode = Mode::Help { scroll: 0 };
                vec![]
            }
            Cmd::Palette => {
                self.mode = Mode::Palette {
                    input: String::new(),
                };
                vec![]
            }
            Cmd::Search => {
                // A new search starts empty; ↑ recalls earlier ones.
                self.search.browsing = None;
                self.mode = Mode::Search {
                    input: String::new(),
                };
                vec![]
            }
            Cmd::NextHit | Cmd::PrevHit => {
                if self.search.hits.is_empty() {
                    return self.say("no search hits (press / to search)");
                }
                self.search.step(c == Cmd::NextHit);
                // n/N walk the hits without growing the trail.
                if self.views.len() > 1 && self.view_from_hit() {
                    self.views.pop();
                }
                self.open_hit()
            }
            Cmd::FilterText => {
                let before = self.view().text.clone();
                self.mode = Mode::FilterText {
                    input: before.clone().unwrap_or_default(),
                    before,
                };
                vec![]
            }
            Cmd::ToggleExternal => {
                self.filter.external_only = !self.filter.external_only;
                self.refilter()
            }
            Cmd::ToggleOpen => {
                self.filter.open_only = !self.filter.open_only;
                self.refilter()
            }
            Cmd::Triage => self.say("select a finding or an incident to triage (T)"),
            Cmd::ToggleSuspicious => {
                self.filter.suspicious_only = !self.filter.suspicious_only;
                self.refilter()
            }
            Cmd::CycleSeverity => {
                self.filter.min_severity = match self.filter.min_severity {
                    None => Some(1),
                    Some(r) if r >= 4 => None,
                    Some(r) => Some(r + 1),
                };
                self.refilter()
            }
            Cmd::ClearFilters => {
                self.clear_filters();
                self.refilter()
            }
            Cmd::ZoomIn => self.zoom(1),
            Cmd::ZoomOut => self.zoom(-1),
            Cmd::ZoomReset => self.zoom(0),
            Cmd::Bookmark => self.annotate("bookmark", String::new()),
            Cmd::Tag => {
                self.mode = Mode::Tag {
                    input: String::new(),
                };
                vec![]
            }
            Cmd::Note => {
                self.mode = Mode::Note {
                    input: String::new(),
                };
                vec![]
            }
            Cmd::Copy => self.copy(),
            Cmd::ToggleTime => {
                self.local_time = !self.local_time;
                vec![]
            }
            Cmd::PivotUser
            | Cmd::PivotMeeting
            | Cmd::PivotIp
            | Cmd::PivotDomain
            | Cmd::PivotDevice
            | Cmd::PivotRecording
            | Cmd::PivotOperator => self.pivot_cmd(c),
            Cmd::Bookmarks => self.push(View::new(PaneKind::Bookmarks, Target::None)),
            Cmd::ScrollLeft => {
                let l = &mut self.view_mut().list;
                l.hcol = l.hcol.saturating_sub(1);
                vec![]
            }
            Cmd::ScrollRight => {
                let l = &mut self.view_mut().list;
                if l.hcol < l.hmax.get() {
                    l.hcol += 1;
                }
                vec![]
            }
            Cmd::Inspect => self.inspect_selected(),
            Cmd::InspectEvidence | Cmd::EvidenceDown | Cmd::EvidenceUp => {
                self.say("no evidence here: select a finding (J/K choose its evidence, D inspects)")
            }
            Cmd::Refresh => self.refresh_in_place(),
        }
    }

    fn view_from_hit(&self) -> bool {
        self.view().from_hit
    }

    fn on_mouse(&mut self, m: MouseEvent) -> Vec<Effect> {
        match m.kind {
            MouseEventKind::ScrollDown => self.move_sel(3),
            MouseEventKind::ScrollUp => self.move_sel(-3),
            MouseEventKind::Down(MouseButton::Left) => {
                let hb = self.hitboxes.borrow().clone();
                for (r, k) in &hb.tabs {
                    if r.contains((m.column, m.row).into()) {
                        return self.switch_to(*k);
                    }
                }
                for (area, first) in hb.lists {
                    if !area.contains((m.column, m.row).into()) {
                        continue;
                    }
                    let i = first + (m.row - area.y) as usize;
                    if i < self.view().list.rows.len() {
                        let was = self.view().list.sel;
                        self.view_mut().list.sel = i;
                        self.view_mut().list.clamp();
                        if was == i {
                            return self.pivot(); // a second click on the selected row pivots
                        }
                        let mut fx = self.more();
                        fx.extend(self.on_select());
                        return fx;
                    }
                }
                vec![]
            }
            _ => vec![],
        }
    }

    fn on_tick(&mut self, now: u64) -> Vec<Effect> {
        let mut fx = vec![];
        if let Some(due) = self.pending_filter
            && now >= due
        {
            self.pending_filter = None;
            if let Mode::FilterText { input, .. } = &self.mode {
                let text = Some(input.clone()).filter(|s| !s.trim().is_empty());
                self.view_mut().text = text;
                fx.extend(self.refilter());
            }
        }
        if let Some(due) = self.pending_search
            && now >= due
        {
            self.pending_search = None;
            if let Mode::Search { input } = &self.mode {
                self.search.query = input.clone();
                let text = input.clone();
                fx.push(self.req(Slot::Search, Query::Search { text }));
            }
        }
        fx
    }

    /// True while a debounce is waiting (the loop ticks until then).
    pub fn wants_tick(&self) -> bool {
        self.pending_filter.is_some() || self.pending_search.is_some()
    }
}

/// The step function: apply one action at time `now_ms`, return what the loop must do.
pub fn update(app: &mut App, action: Action, now_ms: u64) -> Vec<Effect> {
    match action {
        Action::Key(k) => app.on_key(k, now_ms),
        Action::Cmd(c) => app.on_cmd(c, now_ms),
        Action::Mouse(m) => app.on_mouse(m),
        Action::Resize(w, h) => {
            app.size = (w, h);
            app.beside()
        }
        Action::Tick => app.on_tick(now_ms),
        Action::Response(r) => {
            let searched = r.slot == Slot::Search
                && matches!(app.mode, Mode::Normal)
                && app.gens.get(&r.slot) == Some(&r.generation);
            let mut fx = app.on_response(r);
            if searched {
                // Enter was pressed before the results came: open the best hit now.
                fx.extend(app.open_hit());
            }
            fx
        }
    }
}

/// Minimal line editing for prompts.
pub(crate) fn edit(s: &mut String, k: &KeyEvent) {
    match k.code {
        KeyCode::Backspace => {
            s.pop();
        }
        KeyCode::Char('u') if k.modifiers.contains(KeyModifiers::CONTROL) => s.clear(),
        KeyCode::Char('w') if k.modifiers.contains(KeyModifiers::CONTROL) => {
            let t = s.trim_end().rfind(' ').map(|i| i + 1).unwrap_or(0);
            s.truncate(t);
        }
        KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) && !c.is_control() => {
            s.push(c)
        }
        _ => {}
    }
}

fn parse(t: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    crate::model::time::parse_time(t)
}

fn minus_secs(t: &str, n: i64) -> String {
    parse(t)
        .map(|d| crate::model::time::fmt_utc(d - chrono::Duration::seconds(n)))
        .unwrap_or_default()
}

pub(crate) fn minus_hours(t: &str, h: i64) -> String {
    parse(t)
        .map(|d| crate::model::time::fmt_utc(d - chrono::Duration::hours(h)))
        .unwrap_or_default()
}

/// Whether a typed time is a day alone ("2024-06-10").
fn is_day(v: &str) -> bool {
    let v = v.trim();
    v.len() == 10 && !v.contains(':') && !v.contains('T')
}

/// The start of the next day (the exclusive end of the whole day `t` starts).
fn bump_day(t: &str) -> String {
    parse(t)
        .map(|d| crate::model::time::fmt_utc(d + chrono::Duration::days(1)))
        .unwrap_or_else(|| t.to_string())
}

/// One second later (an exclusive upper bound that includes the last event).
fn bump(t: &str) -> String {
    parse(t)
        .map(|d| crate::model::time::fmt_utc(d + chrono::Duration::seconds(1)))
        .unwrap_or_else(|| t.to_string())
}
