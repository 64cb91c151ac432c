//! Landscape and Exposure: the organisation-wide views. Landscape counts people and sessions
//! per client version, device, OS, location... (marking outdated clients and computers the
//! asset inventory does not list) and charts a department's upgrade adoption; Exposure shows
//! which departments (or hosts) meet outsiders, whom, and in what kind of meetings. Enter
//! opens the people or the meetings behind a row; Enter on those goes on to a person's
//! timeline or a meeting.

use crate::output::sparkline;
use crate::store::read::exposure::{self, ExposedMeetingCells, ExposureBy, ExposureCells};
use crate::store::read::landscape::{self, BehindCells, GroupBy, StackBy, StackCells, StackQuery};
use crate::store::read::{Filter, Row};
use crate::tui::app::{App, Effect, Extra, PaneKind, Target, View};
use crate::tui::keymap::Cmd;
use crate::tui::theme::Theme;
use crate::tui::widgets::table::Col;
use crate::tui::widgets::{clean, fmt_time_short, view_table};
use crate::tui::worker::{OrgData, OrgSubject, Query, Reply};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

pub struct Landscape;
pub struct Exposure;

/// What a tab opens on first: client versions per department, exposure per department.
pub fn default_target(kind: PaneKind) -> Target {
    match kind {
        PaneKind::Exposure => Target::Org(OrgSubject::Exposure(ExposureBy::Department)),
        _ => Target::Org(OrgSubject::Stack(StackQuery {
            by: StackBy::Version,
            group: Some(GroupBy::Department),
            rarest: false,
        })),
    }
}

/// The breadcrumb's words for a view.
pub fn label(s: &OrgSubject) -> String {
    match s {
        OrgSubject::Stack(q) => format!("landscape by {}{}", q.by.name(), group_words(q)),
        OrgSubject::StackPeople { q, value, group } => format!(
            "people on {} {}{}",
            q.by.name(),
            value,
            group
                .as_ref()
                .map(|g| format!(" in {g}"))
                .unwrap_or_default()
        ),
        OrgSubject::Exposure(by) => format!("exposure by {}", by.name()),
        OrgSubject::ExposureMeetings(_, g) => format!("meetings of {g} with outsiders"),
    }
}

fn group_words(q: &StackQuery) -> String {
    q.group
        .map(|g| format!(" per {}", g.name()))
        .unwrap_or_default()
}

/// `:stack DIMENSION` and `:exposure department|host`.
pub fn command(app: &mut App, cmd: &str, words: &[&str]) -> Vec<Effect> {
    let arg = words.first().copied().unwrap_or("");
    let target = if cmd == "stack" {
        match StackBy::ALL.iter().find(|b| b.name() == arg) {
            Some(by) => OrgSubject::Stack(StackQuery {
                by: *by,
                group: Some(GroupBy::Department),
                rarest: false,
            }),
            None => {
                return app.say(
                    "usage: stack version|device|os|client|location|country|network|domain|pc-name",
                );
            }
        }
    } else {
        match arg {
            "" | "department" => OrgSubject::Exposure(ExposureBy::Department),
            "host" => OrgSubject::Exposure(ExposureBy::Host),
            _ => return app.say("usage: exposure department|host"),
        }
    };
    let kind = if cmd == "stack" {
        PaneKind::Landscape
    } else {
        PaneKind::Exposure
    };
    app.go(View::new(kind, Target::Org(target)))
}

fn subject(app: &App) -> Option<OrgSubject> {
    match &app.view().target {
        Target::Org(s) => Some(s.clone()),
        _ => None,
    }
}

/// The org data a reply carries, applied as the view's rows and kept for the drawing.
fn apply_org(app: &mut App, r: Reply) -> Result<Vec<Effect>, Reply> {
    let Reply::Org(data) = r else {
        return Err(r);
    };
    let rows = match data.as_ref() {
        OrgData::Stack(s) => landscape::stack_rows(s),
        OrgData::Exposure(e) => exposure::exposure_rows(e),
        OrgData::Rows(r) => r.clone(),
    };
    let total = match data.as_ref() {
        OrgData::Stack(s) => s.total.max(0) as usize,
        _ => rows.len(),
    };
    let v = app.view_mut();
    v.list.set_all(rows, total);
    v.extra = Extra::Org(data);
    v.list.clamp();
    Ok(app.on_select())
}

fn detail(target: &Target) -> Option<Query> {
    match target {
        Target::Org(s) => Some(Query::Org(s.clone())),
        _ => None,
    }
}

impl super::Pane for Landscape {
    fn detail(&self, target: &Target, _: &Filter) -> Option<Query> {
        detail(target)
    }
    /// A value: the people behind it; a person: their timeline.
    fn enter(&self, app: &mut App, row: &Row) -> Vec<Effect> {
        match subject(app) {
            Some(OrgSubject::Stack(q)) => {
                let c = StackCells(row);
                let t = OrgSubject::StackPeople {
                    q: q.clone(),
                    value: c.value().to_string(),
                    group: q.group.map(|_| c.group().to_string()),
                };
                app.go(View::new(PaneKind::Landscape, Target::Org(t)))
            }
            _ => app.pivot_user_of(&row.link),
        }
    }
    fn on_cmd(&self, app: &mut App, c: Cmd) -> Option<Vec<Effect>> {
        let s = subject(app)?;
        let q = match (&s, c) {
            (_, Cmd::Inspect) if !matches!(s, OrgSubject::Stack(_)) => return None,
            (OrgSubject::Stack(_), Cmd::Inspect) => {
                return Some(app.say(
                    "a stack row counts sessions, it is not a record: Enter lists the people behind it",
                ));
            }
            (OrgSubject::Stack(q), Cmd::NextBy | Cmd::PrevBy) => StackQuery {
                by: q.by.step(c == Cmd::NextBy),
                ..q.clone()
            },
            (OrgSubject::Stack(q), Cmd::CycleGroup) => StackQuery {
                group: GroupBy::cycle(q.group),
                ..q.clone()
            },
            (OrgSubject::Stack(q), Cmd::ToggleRarest) => StackQuery {
                rarest: !q.rarest,
                ..q.clone()
            },
            (_, Cmd::NextBy | Cmd::PrevBy | Cmd::CycleGroup | Cmd::ToggleRarest) => {
                return Some(app.say("Esc back to the stack to change what it counts"));
            }
            _ => return None,
        };
        Some(app.retarget(Target::Org(OrgSubject::Stack(q))))
    }
    fn apply(&self, app: &mut App, r: Reply) -> Result<Vec<Effect>, Reply> {
        apply_org(app, r)
    }
    fn draw(&self, f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
        match subject(app) {
            Some(OrgSubject::StackPeople { .. }) => draw_people(f, area, app, theme),
            Some(OrgSubject::Stack(q)) => draw_stack(f, area, app, theme, &q),
            _ => {}
        }
    }
}

fn draw_stack(f: &mut Frame, area: Rect, app: &App, theme: &Theme, q: &StackQuery) {
    let v = app.view();
    let Extra::Org(data) = &v.extra else {
        super::placeholder(f, area, theme, " Landscape ", v, "nothing to count");
        return;
    };
    let OrgData::Stack(stack) = data.as_ref() else {
        return;
    };
    let selected_group = v.list.selected().map(|r| StackCells(r).group().to_string());
    let adoption = selected_group
        .as_deref()
        .and_then(|g| stack.adoption.iter().find(|a| a.group == g));
    let (table, chart) = match adoption {
        Some(_) if area.height >= 18 => {
            let h = (area.height / 3).clamp(7, 14);
            let [a, b] = Layout::vertical([Constraint::Min(8), Constraint::Length(h)]).areas(area);
            (a, Some(b))
        }
        _ => (area, None),
    };
    let mut notes = vec![];
    if q.by == StackBy::PcName && !stack.inventory {
        notes.push("no asset inventory: unknown pcs not marked");
    }
    let title = format!(
        " Landscape \u{b7} {}{} \u{b7} {} \u{b7} {} of {}{} \u{b7} ]/[ p R \u{b7} Enter: people ",
        q.by.name(),
        group_words(q),
        if q.rarest {
            "rarest first"
        } else {
            "most first"
        },
        v.list.rows.len(),
        stack.total,
        notes
            .iter()
            .map(|n| format!(" \u{b7} {n}"))
            .collect::<String>()
    );
    let local = app.local_time;
    let mut cols = vec![Col::new("value", 10, 32)];
    if q.group.is_some() {
        cols.push(Col::new("group", 10, 24));
    }
    cols.extend([
        Col::new("people", 6, 7),
        Col::new("sessions", 8, 9),
        Col::new("first seen", 11, 19),
        Col::new("last seen", 11, 19),
        Col::new("mark", 4, 18),
    ]);
    let grouped = q.group.is_some();
    view_table(f, table, app, theme, title, &cols, |r| {
        let c = StackCells(r);
        let mut out = vec![Line::from(clean(c.value()))];
        if grouped {
            out.push(Line::from(clean(c.group())));
        }
        out.extend([
            Line::from(c.people().to_string()),
            Line::from(c.sessions().to_string()),
            Line::from(fmt_time_short(c.first(), local)),
            Line::from(fmt_time_short(c.last(), local)),
            Line::from(Span::styled(c.marks().to_string(), theme.fg("error"))),
        ]);
        out
    });
    if let (Some(area), Some(a)) = (chart, adoption) {
        let outdated: Vec<&str> = stack
            .rows
            .iter()
            .filter(|r| r.outdated)
            .map(|r| r.value.as_str())
            .collect();
        let mut lines = vec![Line::from(Span::styled(
            format!(
                "share of {} people on each version, per {} from {} (\u{2588} all, \u{b7} nobody seen)",
                clean(&a.group),
                if a.bucket_days == 1 { "day" } else { "week" },
                a.buckets.first().cloned().unwrap_or_default()
            ),
            theme.fg("dim"),
        ))];
        let width = area.width.saturating_sub(24) as usize;
        let skip = a.buckets.len().saturating_sub(width);
        for (ver, counts) in a
            .versions
            .iter()
            .take(area.height.saturating_sub(3) as usize)
        {
            let bar = share_bar(&counts[skip..], &a.people[skip..]);
            let latest = a
                .people
                .iter()
                .rposition(|n| *n > 0)
                .map(|i| counts[i] * 100 / a.people[i].max(1))
                .unwrap_or(0);
            let st = if outdated.contains(&ver.as_str()) {
                theme.fg("error")
            } else {
                theme.fg("accent")
            };
            lines.push(Line::from(vec![
                Span::styled(format!("{:<13}", crate::tui::widgets::fit(ver, 12)), st),
                Span::raw(format!("{bar} {latest:>3}%")),
                Span::styled(
                    if outdated.contains(&ver.as_str()) {
                        " outdated"
                    } else {
                        ""
                    },
                    theme.fg("error"),
                ),
            ]));
        }
        f.render_widget(
            Paragraph::new(lines).block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(" upgrade adoption "),
            ),
            area,
        );
    }
}

/// One block per bucket: the share of the bucket's people on a version (`·` where nobody was
/// seen at all).
fn share_bar(counts: &[i64], people: &[i64]) -> String {
    const BARS: [char; 9] = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    counts
        .iter()
        .zip(people)
        .map(|(&c, &p)| match (c, p) {
            (_, 0) => '\u{b7}',
            (0, _) => ' ',
            (c, p) => BARS[((c * 8 + p - 1) / p).clamp(1, 8) as usize],
        })
        .collect()
}

fn draw_people(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let v = app.view();
    if !matches!(v.extra, Extra::Org(_)) {
        super::placeholder(f, area, theme, " Landscape ", v, "nobody");
        return;
    }
    let local = app.local_time;
    view_table(
        f,
        area,
        app,
        theme,
        format!(
            " {} \u{b7} {} people \u{b7} Enter: their timeline, M: a meeting of theirs ",
            clean(&v.label()),
            v.list.rows.len()
        ),
        &[
            Col::new("who", 14, 0),
            Col::new("name", 10, 24),
            Col::new("group", 8, 20),
            Col::new("sessions", 8, 8),
            Col::new("first", 11, 19),
            Col::new("last", 11, 19),
        ],
        |r| {
            let c = BehindCells(r);
            vec![
                Line::from(Span::styled(clean(c.who()), theme.class(&r.badge))),
                Line::from(clean(c.name())),
                Line::from(clean(c.group())),
                Line::from(c.sessions().to_string()),
                Line::from(fmt_time_short(c.first(), local)),
                Line::from(fmt_time_short(c.last(), local)),
            ]
        },
    );
}

impl super::Pane for Exposure {
    fn detail(&self, target: &Target, _: &Filter) -> Option<Query> {
        detail(target)
    }
    /// A department (or host): its meetings with outsiders; a meeting: the meeting.
    fn enter(&self, app: &mut App, row: &Row) -> Vec<Effect> {
        match subject(app) {
            Some(OrgSubject::Exposure(by)) => {
                let t = OrgSubject::ExposureMeetings(by, ExposureCells(row).group().to_string());
                app.go(View::new(PaneKind::Exposure, Target::Org(t)))
            }
            _ => app.pivot_meeting_of(&row.link),
        }
    }
    fn on_cmd(&self, app: &mut App, c: Cmd) -> Option<Vec<Effect>> {
        let s = subject(app)?;
        match (s, c) {
            (OrgSubject::Exposure(_), Cmd::Inspect) => Some(app.say(
                "a department's row counts meetings, it is not a record: Enter lists its meetings",
            )),
            (OrgSubject::Exposure(by), Cmd::NextBy | Cmd::PrevBy) => {
                let by = match by {
                    ExposureBy::Department => ExposureBy::Host,
                    ExposureBy::Host => ExposureBy::Department,
                };
                Some(app.retarget(Target::Org(OrgSubject::Exposure(by))))
            }
            (_, Cmd::NextBy | Cmd::PrevBy) => {
                Some(app.say("Esc back to the departments to switch to hosts"))
            }
            _ => None,
        }
    }
    fn apply(&self, app: &mut App, r: Reply) -> Result<Vec<Effect>, Reply> {
        apply_org(app, r)
    }
    fn draw(&self, f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
        match subject(app) {
            Some(OrgSubject::Exposure(by)) => draw_exposure(f, area, app, theme, by),
            Some(OrgSubject::ExposureMeetings(..)) => draw_meetings(f, area, app, theme),
            _ => {}
        }
    }
}

fn draw_exposure(f: &mut Frame, area: Rect, app: &App, theme: &Theme, by: ExposureBy) {
    let v = app.view();
    let Extra::Org(data) = &v.extra else {
        super::placeholder(f, area, theme, " Exposure ", v, "no meetings");
        return;
    };
    let OrgData::Exposure(e) = data.as_ref() else {
        return;
    };
    let [table, below] = Layout::vertical([Constraint::Min(6), Constraint::Length(8)]).areas(area);
    let title = format!(
        " Exposure \u{b7} by {} \u{b7} most exposed first \u{b7} ]: {} \u{b7} Enter: meetings with outsiders ",
        by.name(),
        match by {
            ExposureBy::Department => "by host",
            ExposureBy::Host => "by department",
        }
    );
    view_table(
        f,
        table,
        app,
        theme,
        title,
        &[
            Col::new(by.name(), 12, 32),
            Col::new("meetings", 8, 8),
            Col::new("outsiders", 9, 9),
            Col::new("sensitive", 9, 9),
            Col::new("trend", 5, 30),
            Col::new("outside domains", 16, 0),
        ],
        |r| {
            let c = ExposureCells(r);
            let trend = e
                .rows
                .get(r.id as usize)
                .map(|x| sparkline(&x.trend))
                .unwrap_or_default();
            vec![
                Line::from(clean(c.group())),
                Line::from(c.meetings().to_string()),
                Line::from(c.exposed().to_string()),
                Line::from(Span::styled(
                    c.sensitive().to_string(),
                    if c.sensitive() != "0" {
                        theme.fg("error")
                    } else {
                        theme.fg("dim")
                    },
                )),
                Line::from(Span::styled(trend, theme.fg("accent"))),
                Line::from(clean(c.domains())),
            ]
        },
    );
    let sel = v.list.selected().and_then(|r| e.rows.get(r.id as usize));
    let lines = match sel {
        None => vec![],
        Some(r) => {
            let label = |s: &str| Span::styled(s.to_string(), theme.fg("dim"));
            let mut l = vec![
                Line::from(vec![
                    Span::styled(clean(&r.group), theme.accent()),
                    Span::raw(format!(
                        ": {} of {} meetings had outsiders ({} with externals, {} with guests); {} of them sensitive{}",
                        r.exposed,
                        r.meetings,
                        r.with_externals,
                        r.with_guests,
                        r.sensitive,
                        match exposure::why_text(r) {
                            w if w.is_empty() => String::new(),
                            w => format!(" ({w})"),
                        }
                    )),
                ]),
                Line::from(vec![
                    label(&format!(
                        "per {} from {}: ",
                        if e.bucket_days == 1 { "day" } else { "week" },
                        e.from
                    )),
                    Span::styled(sparkline(&r.trend), theme.fg("accent")),
                    Span::raw(format!(
                        "  ({} at most)",
                        r.trend.iter().max().copied().unwrap_or(0)
                    )),
                ]),
                Line::from(vec![
                    label("outside domains: "),
                    Span::raw(clean(&exposure::domains_text(&r.domains))),
                ]),
                Line::from(vec![
                    label("hosts of outsiders: "),
                    Span::raw(clean(
                        &r.top_hosts
                            .iter()
                            .map(|(h, n)| format!("{h} {n}"))
                            .collect::<Vec<_>>()
                            .join(", "),
                    )),
                ]),
            ];
            l.truncate(6);
            l
        }
    };
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: true })
            .block(Block::default().borders(Borders::ALL).title(" selected ")),
        below,
    );
}

fn draw_meetings(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let v = app.view();
    if !matches!(v.extra, Extra::Org(_)) {
        super::placeholder(f, area, theme, " Exposure ", v, "no meetings");
        return;
    }
    let local = app.local_time;
    view_table(
        f,
        area,
        app,
        theme,
        format!(
            " {} \u{b7} {} newest first \u{b7} Enter: the meeting ",
            clean(&v.label()),
            v.list.rows.len()
        ),
        &[
            Col::new("start", 11, 11),
            Col::new("topic", 12, 0),
            Col::new("host", 10, 30),
            Col::new("outside domains", 10, 30),
            Col::new("guests", 6, 6),
            Col::new("sensitive", 9, 22),
        ],
        |r| {
            let c = ExposedMeetingCells(r);
            vec![
                Line::from(fmt_time_short(c.start(), local)),
                Line::from(clean(c.topic())),
                Line::from(clean(c.host())),
                Line::from(clean(c.domains())),
                Line::from(c.guests().to_string()),
                Line::from(Span::styled(clean(c.sensitive()), theme.fg("error"))),
            ]
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn share_bars_scale_to_the_buckets_people() {
        assert_eq!(share_bar(&[0, 1, 4, 2, 0], &[0, 4, 4, 4, 3]), "\u{b7}▂█▄ ");
    }
}
