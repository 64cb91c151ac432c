//! Operation ledger: admin operations in time order; the selected one's parsed changes.

use crate::store::read::Row;
use crate::store::read::ledger::LedgerRow;
use crate::store::read::search::marks;
use crate::tui::app::{App, Effect, Target};
use crate::tui::theme::Theme;
use crate::tui::widgets::table::Col;
use crate::tui::widgets::{clean, fmt_time, marked, position, view_table};
use crate::tui::worker::ListQuery;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

pub struct Ledger;

impl super::Pane for Ledger {
    fn list(&self, _: &Target) -> Option<ListQuery> {
        Some(ListQuery::Ledger)
    }
    fn headers(&self) -> &'static [&'static str] {
        &["time", "operator", "category", "action", "detail"]
    }
    /// What the operation changed: its meeting, else the user it targets, else its operator.
    fn enter(&self, app: &mut App, row: &Row) -> Vec<Effect> {
        app.pivot_operation(&row.link)
    }
    fn draw(&self, f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
        draw(f, area, app, theme)
    }
}

fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let v = app.view();
    let [top, bottom] = Layout::vertical([Constraint::Min(5), Constraint::Length(7)]).areas(area);
    let local = app.local_time;
    view_table(
        f,
        top,
        app,
        theme,
        format!(
            " Operation ledger \u{b7} {} \u{b7} o: filter by operator \u{b7} :filter category/action X ",
            position(&v.list)
        ),
        &[
            Col::new("time", 19, 19),
            Col::new("operator", 12, 40),
            Col::new("category", 8, 20),
            Col::new("action", 6, 16),
            Col::new("change", 24, 0),
        ],
        |r| {
            let o = LedgerRow(r);
            // The parsed change reads best; where a search found words in the detail, the
            // detail itself, with them highlighted.
            let change = match r.extra.first() {
                Some(c) if marks(o.detail(), &v.marks).is_empty() => Line::from(clean(c)),
                _ => marked(o.detail(), &v.marks, theme.found(), 16),
            };
            vec![
                Line::from(fmt_time(o.time(), local)),
                Line::from(clean(o.operator())),
                Line::from(clean(o.category())),
                Line::from(clean(o.action())),
                change,
            ]
        },
    );
    let mut lines = vec![];
    if let Some(r) = v.list.selected() {
        let mut detail = vec![Span::styled("detail  ", theme.fg("dim"))];
        detail.extend(marked(LedgerRow(r).detail(), &v.marks, theme.found(), usize::MAX).spans);
        lines.push(Line::from(detail));
        for e in &r.extra {
            lines.push(Line::from(vec![
                Span::styled("  \u{2022} ", theme.fg("accent")),
                Span::raw(clean(e)),
            ]));
        }
    }
    f.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" parsed changes "),
        ),
        bottom,
    );
}
