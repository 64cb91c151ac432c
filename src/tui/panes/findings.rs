//! Findings queue (severity, then newest) with the selected finding's evidence below it;
//! and the bookmarks list.

use crate::store::read::Row;
use crate::store::read::findings::{INCIDENT, STATE};
use crate::tui::app::App;
use crate::tui::theme::Theme;
use crate::tui::widgets::{
    clean, fit, fmt_time, fmt_time_short, list_table, position, state_label, state_style,
};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Wrap};

pub fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let v = app.view();
    let [top, bottom] = Layout::vertical([Constraint::Min(5), Constraint::Length(8)]).areas(area);
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
            c.push(Cell::from(clean(&r.cells[4])));
            c
        },
    );
    draw_evidence(f, bottom, app, theme, v.list.selected());
}

/// The selected finding's summary, verdict, entities and evidence (Findings and story panes).
pub fn draw_evidence(f: &mut Frame, area: Rect, app: &App, theme: &Theme, row: Option<&Row>) {
    let mut lines: Vec<Line> = vec![];
    if let Some(row) = row {
        lines.push(Line::from(vec![
            Span::styled(
                format!("{} ", clean(&row.cells[2])),
                theme.severity(row.rank),
            ),
            Span::raw(clean(&row.cells[4])),
        ]));
        let state = &row.cells[STATE];
        let mut verdict = vec![
            Span::styled("state ", theme.fg("dim")),
            Span::styled(clean(state), state_style(state, theme)),
        ];
        let reason = &row.cells[7];
        if !reason.is_empty() {
            verdict.push(Span::raw(format!(": {}", clean(reason))));
        }
        let inc = &row.cells[INCIDENT];
        if !inc.is_empty() {
            verdict.push(Span::styled(
                format!(" \u{b7} incident {}", clean(inc)),
                theme.fg("dim"),
            ));
        }
        let tech = &row.cells[8];
        if !tech.is_empty() {
            verdict.push(Span::styled(
                format!(" \u{b7} technique {}", clean(tech)),
                theme.fg("dim"),
            ));
        }
        verdict.push(Span::styled("  (T verdict)", theme.fg("dim")));
        lines.push(Line::from(verdict));
        let l = &row.link;
        let mut ents = vec![];
        for (k, val) in [
            ("user", &l.user),
            ("meeting", &l.meeting_uuid),
            ("ip", &l.ip),
            ("recording", &l.recording),
            ("device", &l.device),
        ] {
            if let Some(val) = val {
                ents.push(format!("{k} {}", clean(val)));
            }
        }
        if let Some(m) = l.meeting_id {
            ents.push(format!("meeting id {m}"));
        }
        lines.push(Line::styled(ents.join(" \u{b7} "), theme.fg("dim")));
        match &app.preview {
            Some((id, _, ev)) if *id == row.id => {
                for e in ev.iter().take(5) {
                    lines.push(Line::from(vec![
                        Span::styled("\u{25c6} ", theme.fg("highlight")),
                        Span::raw(clean(e)),
                    ]));
                }
                if ev.len() > 5 {
                    lines.push(Line::styled(
                        format!("  \u{2026} {} more evidence records", ev.len() - 5),
                        theme.fg("dim"),
                    ));
                }
            }
            _ => lines.push(Line::styled("evidence \u{2026}", theme.fg("dim"))),
        }
    }
    f.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: true }).block(
            Block::default().borders(Borders::ALL).title(
                " evidence \u{b7} Enter pivots to it (u user \u{b7} M meeting \u{b7} r recording) ",
            ),
        ),
        area,
    );
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
