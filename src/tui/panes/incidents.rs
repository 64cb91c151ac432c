//! Incidents (the first pane): the stories `detect` grouped the findings into, highest score
//! first, with their verdicts; and one incident's story: its findings in time order, each with
//! why it was flagged, its technique, its state and the evidence below.

use crate::store::read::incidents::IncidentRow;
use crate::store::read::{self, Row};
use crate::tui::app::{App, Effect, Extra, PaneKind, Target, View};
use crate::tui::keymap::Cmd;
use crate::tui::theme::Theme;
use crate::tui::widgets::table::Col;
use crate::tui::widgets::{
    clean, fit, fmt_time, fmt_time_short, position, span_len, state_label, state_style, view_table,
};
use crate::tui::worker::{ListQuery, Query, Slot};

pub struct Incidents;
/// One incident's story (under the Incidents tab).
pub struct Story;

impl super::Pane for Incidents {
    fn list(&self, _: &Target) -> Option<ListQuery> {
        Some(ListQuery::Incidents)
    }
    fn headers(&self) -> &'static [&'static str] {
        &read::incidents::CELLS
    }
    fn enter(&self, app: &mut App, row: &Row) -> Vec<Effect> {
        let mut nv = View::new(PaneKind::Incident, Target::Incident(row.id));
        nv.extra = Extra::Incident(Box::new(row.clone()));
        app.push(nv)
    }
    fn on_cmd(&self, app: &mut App, c: Cmd) -> Option<Vec<Effect>> {
        (c == Cmd::Triage).then(|| super::findings::open_triage(app))
    }
    fn draw(&self, f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
        draw(f, area, app, theme)
    }
}

impl super::Pane for Story {
    fn list(&self, target: &Target) -> Option<ListQuery> {
        match target {
            Target::Incident(i) => Some(ListQuery::Story(*i)),
            _ => None,
        }
    }
    fn headers(&self) -> &'static [&'static str] {
        &read::findings::CELLS
    }
    /// The incident itself, above its story (its verdict may have changed since the list).
    fn beside(&self, app: &mut App) -> Vec<Effect> {
        match app.view().target {
            Target::Incident(id) => vec![app.req(Slot::Head, Query::Incident { id })],
            _ => vec![],
        }
    }
    fn enter(&self, app: &mut App, row: &Row) -> Vec<Effect> {
        super::findings::enter_finding(app, row)
    }
    fn on_cmd(&self, app: &mut App, c: Cmd) -> Option<Vec<Effect>> {
        super::findings::finding_cmd(app, c)
    }
    fn draw(&self, f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
        draw_story(f, area, app, theme)
    }
}
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

/// The title without its leading "who: " (the actors column shows who).
fn story_of(title: &str, actors: &str) -> String {
    match title.split_once(": ") {
        Some((who, rest))
            if actors
                .split(", ")
                .next()
                .is_some_and(|a| who.starts_with(a)) =>
        {
            rest.to_string()
        }
        _ => title.to_string(),
    }
}

/// The actors in `w` columns: as many as fit, then "+N". Where room is short, people of the
/// case's own domains go by the part before the `@` (outsiders keep their domain).
fn actors_cell(actors: &str, w: usize, internal: &[String], short: bool) -> String {
    let all: Vec<&str> = actors
        .split(", ")
        .filter(|a| !a.is_empty())
        .map(|a| match a.rsplit_once('@') {
            Some((local, d)) if short && internal.iter().any(|i| i.eq_ignore_ascii_case(d)) => {
                local
            }
            _ => a,
        })
        .collect();
    let mut out = String::new();
    for (i, a) in all.iter().enumerate() {
        let rest = all.len() - i - 1;
        let more = if rest > 0 {
            format!(" +{rest}")
        } else {
            String::new()
        };
        let next = if out.is_empty() {
            clean(a)
        } else {
            format!("{out}, {}", clean(a))
        };
        if next.chars().count() + more.chars().count() > w {
            if out.is_empty() {
                return fit(a, w.saturating_sub(more.chars().count())) + &more;
            }
            return format!("{out} +{}", all.len() - i);
        }
        out = next;
    }
    out
}

fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let v = app.view();
    let [top, bottom] = Layout::vertical([Constraint::Min(5), Constraint::Length(7)]).areas(area);
    let info = app.info.as_ref();
    let title = if info.is_some_and(|i| !i.detect_ran) {
        " Incidents \u{b7} none in this case yet: run `zoomlens detect CASE` ".to_string()
    } else {
        format!(
            " Incidents \u{b7} {} \u{b7} Enter story \u{b7} T verdict \u{b7} O open only ",
            position(&v.list)
        )
    };
    let local = app.local_time;
    let wide = area.width >= 160;
    // Actors get a third of what is left once the fixed columns are drawn.
    let actors_w = ((area.width as usize).saturating_sub(60) / 3).clamp(16, 60);
    let internal: &[String] = info.map(|i| i.internal_domains.as_slice()).unwrap_or(&[]);
    view_table(
        f,
        top,
        app,
        theme,
        title,
        &[
            Col::new("id", 3, 5),
            Col::new("score", 5, 6),
            Col::new("severity", 8, 8),
            Col::new("state", 9, 14),
            Col::new("n", 2, 4),
            Col::new("span", 15, 23),
            Col::new("actors", 12, actors_w as u16),
            Col::new("story", 20, 0),
        ],
        |r| {
            let c = IncidentRow(r);
            let state = c.state();
            let when = if wide {
                let t = fmt_time(c.first(), local);
                t.get(..16).map(str::to_string).unwrap_or(t)
            } else {
                fmt_time_short(c.first(), local)
            };
            let len = span_len(c.first(), c.last());
            let span = if len.is_empty() {
                when
            } else {
                format!("{when} +{len}")
            };
            vec![
                Line::from(clean(c.incident())),
                Line::from(Span::styled(clean(c.score()), theme.severity(r.rank))),
                Line::from(Span::styled(clean(c.severity()), theme.severity(r.rank))),
                Line::from(Span::styled(
                    state_label(state, wide),
                    state_style(state, theme),
                )),
                Line::from(clean(c.findings())),
                Line::from(span),
                Line::from(actors_cell(c.actors(), actors_w, internal, !wide)),
                Line::from(clean(&story_of(c.title(), c.actors()))),
            ]
        },
    );
    let lines = v
        .list
        .selected()
        .map(|r| summary(r, app, theme))
        .unwrap_or_default();
    incident_box(f, bottom, lines, " incident \u{b7} Enter opens its story ");
}

/// The incident's summary in a box under `title`.
fn incident_box(f: &mut Frame, area: Rect, lines: Vec<Line<'static>>, title: &'static str) {
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: true })
            .block(Block::default().borders(Borders::ALL).title(title)),
        area,
    );
}

/// An incident in a few lines: id, score, severity, state and reason; the title; actors; span.
fn summary(r: &Row, app: &App, theme: &Theme) -> Vec<Line<'static>> {
    let c = IncidentRow(r);
    let local = app.local_time;
    let state = c.state();
    let mut head = vec![
        Span::styled(format!("{} ", clean(c.incident())), theme.accent()),
        Span::styled(
            format!("{} score {} ", clean(c.severity()), clean(c.score())),
            theme.severity(r.rank),
        ),
        Span::styled("\u{b7} state ", theme.fg("dim")),
        Span::styled(clean(state), state_style(state, theme)),
    ];
    if !c.reason().is_empty() {
        head.push(Span::raw(format!(": {}", clean(c.reason()))));
    }
    if !c.analyst().is_empty() {
        head.push(Span::styled(
            format!(" ({})", clean(c.analyst())),
            theme.fg("dim"),
        ));
    }
    let n: usize = c.findings().parse().unwrap_or(0);
    let when = if c.first() == c.last() {
        fmt_time(c.first(), local)
    } else {
        format!(
            "{} \u{2192} {}",
            fmt_time(c.first(), local),
            fmt_time(c.last(), local)
        )
    };
    vec![
        Line::from(head),
        Line::raw(clean(c.title())),
        Line::from(vec![
            Span::styled("who ", theme.fg("dim")),
            Span::raw(clean(c.actors())),
        ]),
        Line::styled(
            format!("{when} \u{b7} {}", crate::output::plural(n, "finding")),
            theme.fg("dim"),
        ),
    ]
}

/// One incident's story: the incident above, its findings in time order, the evidence below.
fn draw_story(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let v = app.view();
    // The story's list takes the lines its findings need; the evidence box the rest.
    let rest = area.height.saturating_sub(6);
    let need = (v.list.total.unwrap_or(v.list.rows.len() as u64) as u16).saturating_add(3);
    let list_h = need.clamp(5, rest.saturating_sub(8).max(5));
    let [head, list, bottom] = Layout::vertical([
        Constraint::Length(6),
        Constraint::Length(list_h),
        Constraint::Min(8),
    ])
    .areas(area);
    let lines = match &v.extra {
        Extra::Incident(r) => summary(r, app, theme),
        _ if v.missing => vec![Line::styled(
            "this incident is gone (a later `detect` regrouped its findings)",
            theme.fg("error"),
        )],
        _ => vec![Line::styled("loading\u{2026}", theme.fg("dim"))],
    };
    incident_box(f, head, lines, " incident \u{b7} Esc back to the list ");
    super::findings::draw_findings(
        f,
        list,
        app,
        theme,
        format!(
            " Story \u{b7} {} \u{b7} Enter/u/M/r pivot \u{b7} T verdict \u{b7} d inspect ",
            position(&v.list)
        ),
        &[
            Col::new("time", 11, 19),
            Col::new("severity", 8, 8),
            Col::new("state", 9, 14),
            Col::new("rule", 12, 37),
            Col::new("technique", 9, 9),
            Col::new("user", 12, 40),
            Col::new("why", 24, 0),
        ],
    );
    super::evidence::draw(f, bottom, app, theme, v.list.selected());
}
