//! Operation ledger: admin operations in time order; the selected one's parsed changes.

use crate::tui::app::App;
use crate::tui::theme::Theme;
use crate::tui::widgets::{clean, fmt_time, list_table, position};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Wrap};

pub fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let v = app.view();
    let [top, bottom] = Layout::vertical([Constraint::Min(5), Constraint::Length(7)]).areas(area);
    let local = app.local_time;
    list_table(
        f,
        top,
        app,
        theme,
        &v.list,
        format!(
            " Operation ledger \u{b7} {} \u{b7} o: filter by operator \u{b7} :filter category/action X ",
            position(&v.list)
        ),
        &["time", "operator", "category", "action", "change"],
        &[
            Constraint::Length(19),
            Constraint::Length(26),
            Constraint::Length(14),
            Constraint::Length(10),
            Constraint::Fill(1),
        ],
        &v.highlight,
        |r| {
            let change = r
                .extra
                .first()
                .cloned()
                .unwrap_or_else(|| r.cells[4].clone());
            vec![
                Cell::from(fmt_time(&r.cells[0], local)),
                Cell::from(clean(&r.cells[1])),
                Cell::from(clean(&r.cells[2])),
                Cell::from(clean(&r.cells[3])),
                Cell::from(clean(&change)),
            ]
        },
    );
    let mut lines = vec![];
    if let Some(r) = v.list.selected() {
        lines.push(Line::from(vec![
            Span::styled("detail  ", theme.fg("dim")),
            Span::raw(clean(&r.cells[4])),
        ]));
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
