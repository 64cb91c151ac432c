//! Findings queue (severity, then newest) with the selected finding's evidence below it;
//! and the bookmarks list.

use crate::store::read::annotations::BookmarkRow;
use crate::store::read::findings::FindingRow;
use crate::tui::app::App;
use crate::tui::theme::Theme;
use crate::tui::widgets::table::Col;
use crate::tui::widgets::{
    clean, fmt_time, fmt_time_short, list_table, position, state_label, state_style,
};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};

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
    // Full times and states where the terminal is wide; every other width follows the content.
    let wide = area.width >= 160;
    list_table(
        f,
        top,
        app,
        theme,
        &v.list,
        title,
        &[
            Col::new("severity", 8, 8),
            Col::new("time", 11, 19),
            Col::new("inc", 3, 5),
            Col::new("state", 9, 14),
            Col::new("rule", 12, 37),
            Col::new("user", 12, 40),
            Col::new("summary", 24, 0),
        ],
        &v.highlight,
        |r| {
            let fr = FindingRow(r);
            let state = fr.state();
            // The analyst's tags and notes follow the summary.
            let mut summary = vec![Span::raw(clean(fr.summary()))];
            if !r.notes.is_empty() {
                summary.push(Span::styled(
                    format!("  {}", clean(&r.notes.join(" "))),
                    theme.fg("medium"),
                ));
            }
            vec![
                Line::from(Span::styled(clean(fr.severity()), theme.severity(r.rank))),
                Line::from(if wide {
                    fmt_time(fr.time(), local)
                } else {
                    fmt_time_short(fr.time(), local)
                }),
                Line::from(clean(fr.incident())),
                Line::from(Span::styled(
                    state_label(state, wide),
                    state_style(state, theme),
                )),
                Line::from(clean(fr.rule())),
                Line::from(clean(fr.user())),
                Line::from(summary),
            ]
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
        &[
            Col::new("when", 19, 19),
            Col::new("kind", 4, 8),
            Col::new("record", 10, 24),
            Col::new("text", 8, 40),
            Col::new("summary", 20, 0),
        ],
        &v.highlight,
        |r| {
            let b = BookmarkRow(r);
            vec![
                Line::from(fmt_time(b.at(), local)),
                Line::from(clean(&r.kind)),
                Line::from(format!("{} #{}", clean(b.table()), clean(b.record()))),
                Line::from(clean(b.text())),
                Line::from(clean(b.summary())),
            ]
        },
    );
}
