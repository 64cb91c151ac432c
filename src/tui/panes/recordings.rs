//! Recordings list, and one recording: its files and who downloaded, shared, trashed or
//! deleted it, and whether they attended the meeting.

use crate::store::read::recordings::{RecordingActionRow, RecordingFileRow, RecordingRow};
use crate::store::read::{Filter, Row};
use crate::tui::app::{App, Effect, Extra, Target};
use crate::tui::theme::Theme;
use crate::tui::widgets::table::Col;
use crate::tui::widgets::{clean, count_of, fmt_time, human_bytes, position, view_table};
use crate::tui::worker::{ListQuery, Query, Reply};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

pub struct Recordings;
/// One recording (under the Recordings tab).
pub struct Recording;

impl super::Pane for Recordings {
    fn list(&self, _: &Target) -> Option<ListQuery> {
        Some(ListQuery::Recordings)
    }
    fn headers(&self) -> &'static [&'static str] {
        &["start", "topic", "host", "files", "bytes", "deleted"]
    }
    fn enter(&self, app: &mut App, row: &Row) -> Vec<Effect> {
        app.pivot_recording_of(&row.link)
    }
    fn draw(&self, f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
        let local = app.local_time;
        view_table(
            f,
            area,
            app,
            theme,
            format!(
                " Recordings \u{b7} newest first \u{b7} {} \u{b7} Enter: files and who touched them ",
                position(&app.view().list)
            ),
            &[
                Col::new("start", 19, 19),
                Col::new("topic", 12, 0),
                Col::new("host", 12, 40),
                Col::new("files", 5, 5),
                Col::new("size", 7, 9),
                Col::new("state", 8, 30),
            ],
            |r| {
                let c = RecordingRow(r);
                vec![
                    Line::from(fmt_time(c.start(), local)),
                    Line::from(clean(c.topic())),
                    Line::from(clean(c.host())),
                    Line::from(clean(c.files())),
                    Line::from(human_bytes(c.bytes())),
                    Line::from(Span::styled(deleted(c.deleted(), local), theme.fg("error"))),
                ]
            },
        );
    }
}

impl super::Pane for Recording {
    fn detail(&self, target: &Target, _: &Filter) -> Option<Query> {
        match target {
            Target::Recording(uuid) => Some(Query::Recording { uuid: uuid.clone() }),
            _ => None,
        }
    }
    /// Who acted on it: their timeline.
    fn enter(&self, app: &mut App, row: &Row) -> Vec<Effect> {
        app.pivot_user_of(&row.link)
    }
    fn apply(&self, app: &mut App, r: Reply) -> Result<Vec<Effect>, Reply> {
        let Reply::Recording(d) = r else {
            return Err(r);
        };
        let v = app.view_mut();
        match d {
            Some(d) => {
                let mut rows = d.actions.clone();
                rows.extend(d.files.iter().cloned());
                v.list.set_all(rows, d.actions.len());
                // Start on who destroyed it, else on anything flagged.
                let destructive = |r: &Row| {
                    let a = RecordingActionRow(r).action().to_lowercase();
                    r.kind == "action" && (a.contains("delet") || a.contains("trash"))
                };
                let rows = &v.list.rows;
                v.list.sel = rows
                    .iter()
                    .position(destructive)
                    .or_else(|| rows.iter().position(|r| r.rank >= 0))
                    .unwrap_or(0);
                v.extra = Extra::Recording(d);
            }
            None => v.missing = true,
        }
        v.list.clamp();
        Ok(app.on_select())
    }
    fn draw(&self, f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
        draw_one(f, area, app, theme)
    }
}

fn draw_one(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let v = app.view();
    let local = app.local_time;
    let Extra::Recording(d) = &v.extra else {
        super::placeholder(
            f,
            area,
            theme,
            " Recording ",
            v,
            "no such recording in this case",
        );
        return;
    };
    let [head, table] = Layout::vertical([Constraint::Length(5), Constraint::Min(5)]).areas(area);
    let r = RecordingRow(&d.recording);
    let lines = vec![
        Line::from(vec![
            Span::styled(clean(r.topic()), theme.accent()),
            Span::raw(format!(
                "   started {} \u{b7} host {}",
                fmt_time(r.start(), local),
                clean(r.host())
            )),
        ]),
        Line::from(vec![
            Span::raw(format!(
                "{} \u{b7} {} \u{b7} meeting {} ",
                count_of(r.files(), "file"),
                human_bytes(r.bytes()),
                clean(d.recording.link.meeting_uuid.as_deref().unwrap_or(""))
            )),
            Span::styled(
                deleted(r.deleted(), local),
                theme.fg("error").add_modifier(Modifier::BOLD),
            ),
        ]),
        audience_line(d, theme),
    ];
    f.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(" Recording ")),
        head,
    );
    view_table(
        f,
        table,
        app,
        theme,
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
        |row| match row.tbl {
            "recording_files" => {
                let file = RecordingFileRow(row);
                vec![
                    Line::from(fmt_time(file.start(), local)),
                    Line::from(Span::styled(
                        format!("file {}", clean(file.file_type())),
                        theme.fg("dim"),
                    )),
                    Line::from(clean(file.recording_type())),
                    Line::from(""),
                    Line::from(""),
                    Line::from(format!(
                        "{}  {}  {}",
                        human_bytes(file.bytes()),
                        clean(file.status()),
                        deleted(file.deleted(), local)
                    )),
                ]
            }
            _ => {
                let a = RecordingActionRow(row);
                let st = if a.attended() == "NO" {
                    theme.fg("error").add_modifier(Modifier::BOLD)
                } else {
                    theme.fg("internal")
                };
                vec![
                    Line::from(fmt_time(a.time(), local)),
                    Line::from(Span::styled(clean(a.who()), theme.class(&row.badge))),
                    Line::from(clean(a.action())),
                    Line::from(clean(a.via())),
                    Line::from(Span::styled(clean(a.attended()), st)),
                    Line::from(clean(a.detail())),
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

/// "viewed by ... · downloaded by ..." from the recording's analytics and the operation log,
/// each person once with whether they attended (a NO stands out).
fn audience_line(d: &crate::store::read::recordings::Detail, theme: &Theme) -> Line<'static> {
    let mut spans = vec![];
    for (label, verb) in [("viewed by ", "viewed"), ("downloaded by ", "download")] {
        let mut seen: Vec<(String, String)> = vec![];
        for a in d.actions.iter().filter(|r| r.kind == "action") {
            let a = RecordingActionRow(a);
            if !a.action().to_lowercase().starts_with(verb) {
                continue;
            }
            let who = if a.who().is_empty() {
                "(anonymous)".to_string()
            } else {
                a.who().to_string()
            };
            if !seen.iter().any(|(w, _)| *w == who) {
                seen.push((who, a.attended().to_string()));
            }
        }
        if !spans.is_empty() {
            spans.push(Span::raw("  \u{b7}  "));
        }
        spans.push(Span::styled(label, theme.fg("dim")));
        if seen.is_empty() {
            spans.push(Span::raw("nobody in the case"));
        }
        for (i, (who, attended)) in seen.into_iter().enumerate() {
            if i > 0 {
                spans.push(Span::raw(", "));
            }
            spans.push(Span::raw(clean(&who)));
            let (text, st) = match attended.as_str() {
                "NO" => (
                    " (attended: NO)",
                    theme.fg("error").add_modifier(Modifier::BOLD),
                ),
                "yes" => (" (attended: yes)", theme.fg("internal")),
                "host" => (" (host)", theme.fg("internal")),
                _ => ("", theme.fg("dim")),
            };
            spans.push(Span::styled(text, st));
        }
    }
    Line::from(spans)
}
