//! Findings queue (severity, then newest) with the selected finding's evidence below it;
//! and the bookmarks list.

use crate::store::read::findings::{INCIDENT, STATE};
use crate::tui::app::App;
use crate::tui::theme::Theme;
use crate::tui::widgets::{
    clean, fit, fmt_time, fmt_time_short, list_table, position, state_label, state_style,
};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::Cell;

pub fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let v = app.view();
    // The queue takes the lines its rows need, up to three fifths; the evidence box the rest.
    let need = (v.list.total.unwrap_or(v.list.rows.len() as u64) as u16).saturating_add(3);
    let list_h = need.clamp(6, (area.height * 3 / 5).max(6));
    let [top, bottom] =
        Layout::vertical([Constraint::Length(list_h), Constraint::Min(8)]).areas(area);
    let no_table = app.info.as_ref().is_some_and(|i| !i.detect_ran);
    let title = if no_table {
        " Findings \u{b7} none in this case yet: run `zoomlens detect CASE` ".to_string()
    } else {
        format!(" Findings \u{b7} {} ", position(&v.list))
    };
    let local = app.local_time;
    // Columns by width: full times and states from 160 columns, the user from 120.
    let w = area.width;
    let wide = w >= 160;
    let with_user = w >= 120;
    let rule_w = if wide { 37 } else { 24 };
    let mut headers = vec!["severity", "time", "inc", "state", "rule"];
    let mut widths = vec![
        Constraint::Length(8),
        Constraint::Length(if wide { 19 } else { 11 }),
        Constraint::Length(4),
        Constraint::Length(if wide { 14 } else { 9 }),
        Constraint::Length(rule_w),
    ];
    if with_user {
        headers.push("user");
        widths.push(Constraint::Length(if wide { 28 } else { 22 }));
    }
    headers.push("summary");
    widths.push(Constraint::Fill(1));
    list_table(
        f,
        top,
        app,
        theme,
        &v.list,
        title,
        &headers,
        &widths,
        &v.highlight,
        |r| {
            let state = &r.cells[STATE];
            let mut c = vec![
                Cell::from(Span::styled(clean(&r.cells[0]), theme.severity(r.rank))),
                Cell::from(if wide {
                    fmt_time(&r.cells[1], local)
                } else {
                    fmt_time_short(&r.cells[1], local)
                }),
                Cell::from(clean(&r.cells[INCIDENT])),
                Cell::from(Span::styled(
                    state_label(state, wide),
                    state_style(state, theme),
                )),
                Cell::from(fit(&r.cells[2], rule_w as usize)),
            ];
            if with_user {
                c.push(Cell::from(clean(&r.cells[3])));
            }
            // The analyst's tags and notes follow the summary.
            let mut summary = vec![Span::raw(clean(&r.cells[4]))];
            if !r.notes.is_empty() {
                summary.push(Span::styled(
                    format!("  {}", clean(&r.notes.join(" "))),
                    theme.fg("medium"),
                ));
            }
            c.push(Cell::from(ratatui::text::Line::from(summary)));
            c
        },
    );
    super::evidence::draw(f, bottom, app, theme, v.list.selected());
}

pub fn draw_bookmarks(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let v = app.view();
    let local = app.local_time;
    list_table(
        f,
        area,
        app,
        theme,
        &v.list,
        format!(
            " Bookmarks, tags and notes \u{b7} {} \u{b7} :export bookmarks md FILE ",
            position(&v.list)
        ),
        &["when", "kind", "record", "text", "summary"],
        &[
            Constraint::Length(19),
            Constraint::Length(8),
            Constraint::Length(22),
            Constraint::Length(20),
            Constraint::Fill(1),
        ],
        &v.highlight,
        |r| {
            vec![
                Cell::from(fmt_time(&r.cells[0], local)),
                Cell::from(clean(&r.kind)),
                Cell::from(format!("{} #{}", clean(&r.cells[1]), clean(&r.cells[2]))),
                Cell::from(clean(&r.cells[3])),
                Cell::from(clean(&r.cells[4])),
            ]
        },
    );
}
