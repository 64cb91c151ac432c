//! One file per pane, each a component (as in gitui): the list it pages through and its
//! columns, what Enter does on its rows, the commands it handles itself, the replies only it
//! understands, and how it draws. The app keeps the trail of views and routes every action to
//! the pane of the view on top ([`of`]); a pane's state is that view (its list window, its
//! detail data, its own chips), which the app parks and restores as panes switch.

pub mod evidence;
pub mod findings;
pub mod graph;
pub mod incidents;
pub mod ledger;
pub mod meeting;
pub mod org;
pub mod recordings;
pub mod sql;
pub mod timeline;

use super::app::{App, Effect, PaneKind, Target, View};
use super::keymap::Cmd;
use super::theme::Theme;
use super::worker::{ListQuery, Query, Reply};
use crate::store::read::{Filter, Row};
use ratatui::Frame;
use ratatui::layout::Rect;

pub trait Pane: Sync {
    /// The list this pane pages through for `target` (None: a detail pane, loaded whole).
    fn list(&self, _target: &Target) -> Option<ListQuery> {
        None
    }
    /// The query that loads a detail pane whole (a meeting, a recording, a graph).
    fn detail(&self, _target: &Target, _filter: &Filter) -> Option<Query> {
        None
    }
    /// What it shows beside its list, asked when it loads, when the case's facts arrive and
    /// when the terminal is resized.
    fn beside(&self, _app: &mut App) -> Vec<Effect> {
        vec![]
    }
    /// Its list's columns, as an export names them.
    fn headers(&self) -> &'static [&'static str] {
        &[]
    }
    /// Enter on the selected row: where it leads.
    fn enter(&self, app: &mut App, row: &Row) -> Vec<Effect>;
    /// A command this pane gives its own meaning (None: the app's common handling).
    fn on_cmd(&self, _app: &mut App, _c: Cmd) -> Option<Vec<Effect>> {
        None
    }
    /// A reply only this pane understands (its detail data), applied to its view (the top
    /// one); the reply comes back when it is not this pane's.
    fn apply(&self, _app: &mut App, r: Reply) -> Result<Vec<Effect>, Reply> {
        Err(r)
    }
    fn draw(&self, f: &mut Frame, area: Rect, app: &App, theme: &Theme);
}

/// The component behind a kind of view.
pub fn of(kind: PaneKind) -> &'static dyn Pane {
    match kind {
        PaneKind::Incidents => &incidents::Incidents,
        PaneKind::Incident => &incidents::Story,
        PaneKind::Findings => &findings::Findings,
        PaneKind::Bookmarks => &findings::Bookmarks,
        PaneKind::Timeline => &timeline::Timeline,
        PaneKind::Meeting => &meeting::Meeting,
        PaneKind::Graph => &graph::GraphPane,
        PaneKind::Ledger => &ledger::Ledger,
        PaneKind::Recordings => &recordings::Recordings,
        PaneKind::Recording => &recordings::Recording,
        PaneKind::Sql => &sql::Sql,
        PaneKind::Landscape => &org::Landscape,
        PaneKind::Exposure => &org::Exposure,
    }
}

/// A detail pane with nothing to show yet: loading, or `missing` when the case has no such
/// thing.
fn placeholder(f: &mut Frame, area: Rect, theme: &Theme, title: &str, v: &View, missing: &str) {
    use ratatui::widgets::{Block, Borders, Paragraph};
    let msg = if v.missing {
        missing
    } else {
        "loading\u{2026}"
    };
    f.render_widget(
        Paragraph::new(ratatui::text::Span::styled(msg, theme.fg("dim"))).block(
            Block::default()
                .borders(Borders::ALL)
                .title(title.to_string()),
        ),
        area,
    );
}
