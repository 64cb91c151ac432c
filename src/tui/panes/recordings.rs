//! Recordings list, and one recording: its files and who downloaded, shared, trashed or
//! deleted it, and whether they attended the meeting.

use crate::tui::app::{App, Extra, PaneKind};
use crate::tui::theme::Theme;
use crate::tui::widgets::table::Col;
use crate::tui::widgets::{clean, count_of, fmt_time, human_bytes, list_table, position};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

pub fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let v = app.view();
    let local = app.local_time;
    if v.kind == PaneKind::Recordings {
        list_table(
            f,
            area,
            app,
            theme,
            &v.list,
            format!(
                " Recordings \u{b7} newest first \u{b7} {} \u{b7} Enter: files and who touched them ",
                position(&v.list)
            ),
            &[
                Col::new("start", 19, 19),
                Col::new("topic", 12, 0),
                Col::new("host", 12, 40),
                Col::new("files", 5, 5),
                Col::new("size", 7, 9),
                Col::new("state", 8, 30),
            ],
            &v.highlight,
            |r| {
                vec![
                    Line::from(fmt_time(&r.cells[0], local)),
                    Line::from(clean(&r.cells[1])),
                    Line::from(clean(&r.cells[2])),
                    Line::from(clean(&r.cells[3])),
                    Line::from(human_bytes(&r.cells[4])),
                    Line::from(Span::styled(deleted(&r.cells[5], local), theme.fg("error"))),
                ]
            },
        );
        return;
    }
    let Extra::Recording(d) = &v.extra else {
        let msg = if v.missing {
            "no such recording in this case"
        } else {
            "loading\u{2026}"
        };
        f.render_widget(
            Paragraph::new(msg).block(Block::default().borders(Borders::ALL).title(" Recording ")),
            area,
        );
        return;
    };
    let [head, table] = Layout::vertical([Constraint::Length(4), Constraint::Min(5)]).areas(area);
    let r = &d.recording;
    let lines = vec![
        Line::from(vec![
            Span::styled(clean(&r.cells[1]), theme.accent()),
            Span::raw(format!(
                "   started {} \u{b7} host {}",
                fmt_time(&r.cells[0], local),
                clean(&r.cells[2])
            )),
        ]),
        Line::from(vec![
            Span::raw(format!(
                "{} \u{b7} {} \u{b7} meeting {} ",
                count_of(&r.cells[3], "file"),
                human_bytes(&r.cells[4]),
                clean(r.link.meeting_uuid.as_deref().unwrap_or(""))
            )),
            Span::styled(
                deleted(&r.cells[5], local),
                theme.fg("error").add_modifier(Modifier::BOLD),
            ),
        ]),
    ];
    f.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(" Recording ")),
        head,
    );
    list_table(
        f,
        table,
        app,
        theme,
        &v.list,
        format!(
            " who touched it ({}) \u{b7} then its files \u{b7} Enter: that person ",
            d.actions.len()
        ),
        &[
            Col::new("time", 19, 19),
            Col::new("who", 12, 40),
            Col::new("action", 6, 24),
            Col::new("via", 3, 8),
            Col::new("attended", 8, 8),
            Col::new("detail", 20, 0),
        ],
        &v.highlight,
        |row| match row.tbl {
            "recording_files" => vec![
                Line::from(fmt_time(&row.cells[3], local)),
                Line::from(Span::styled(
                    format!("file {}", clean(&row.cells[0])),
                    theme.fg("dim"),
                )),
                Line::from(clean(&row.cells[1])),
                Line::from(""),
                Line::from(""),
                Line::from(format!(
                    "{}  {}  {}",
                    human_bytes(&row.cells[2]),
                    clean(&row.cells[5]),
                    deleted(&row.cells[6], local)
                )),
            ],
            _ => {
                let att = &row.cells[4];
                let st = if att == "NO" {
                    theme.fg("error").add_modifier(Modifier::BOLD)
                } else {
                    theme.fg("internal")
                };
                vec![
                    Line::from(fmt_time(&row.cells[0], local)),
                    Line::from(Span::styled(clean(&row.cells[1]), theme.class(&row.badge))),
                    Line::from(clean(&row.cells[2])),
                    Line::from(clean(&row.cells[3])),
                    Line::from(Span::styled(clean(att), st)),
                    Line::from(clean(&row.cells[5])),
                ]
            }
        },
    );
}

/// "deleted 2024-06-10 07:31:00" in the display zone, blank when not deleted.
pub fn deleted(t: &str, local: bool) -> String {
    if t.trim().is_empty() {
        String::new()
    } else {
        format!("deleted {}", fmt_time(t, local))
    }
}
