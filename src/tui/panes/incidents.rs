//! Incidents (the first pane): the stories `detect` grouped the findings into, highest score
//! first, with their verdicts; and one incident's story: its findings in time order, each with
//! why it was flagged, its technique, its state and the evidence below.

use crate::store::read::Row;
use crate::store::read::findings::STATE as FSTATE;
use crate::store::read::incidents::STATE;
use crate::tui::app::{App, Extra};
use crate::tui::theme::Theme;
use crate::tui::widgets::{
    clean, fit, fmt_time, fmt_time_short, list_table, position, span_len, state_label, state_style,
};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Wrap};

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

pub fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
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
    let actors_w = if wide { 36 } else { 20 };
    let internal: &[String] = info.map(|i| i.internal_domains.as_slice()).unwrap_or(&[]);
    let headers = [
        "id", "score", "severity", "state", "n", "span", "actors", "story",
    ];
    let widths = [
        Constraint::Length(4),
        Constraint::Length(5),
        Constraint::Length(8),
        Constraint::Length(if wide { 14 } else { 9 }),
        Constraint::Length(3),
        Constraint::Length(if wide { 23 } else { 15 }),
        Constraint::Length(actors_w as u16),
        Constraint::Fill(1),
    ];
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
            let c = &r.cells;
            let state = &c[STATE];
            let when = if wide {
                let t = fmt_time(&c[6], local);
                t.get(..16).map(str::to_string).unwrap_or(t)
            } else {
                fmt_time_short(&c[6], local)
            };
            let len = span_len(&c[6], &c[7]);
            let span = if len.is_empty() {
                when
            } else {
                format!("{when} +{len}")
            };
            vec![
                Cell::from(clean(&c[0])),
                Cell::from(Span::styled(clean(&c[1]), theme.severity(r.rank))),
                Cell::from(Span::styled(clean(&c[2]), theme.severity(r.rank))),
                Cell::from(Span::styled(
                    state_label(state, wide),
                    state_style(state, theme),
                )),
                Cell::from(clean(&c[8])),
                Cell::from(span),
                Cell::from(actors_cell(&c[5], actors_w, internal, !wide)),
                Cell::from(clean(&story_of(&c[4], &c[5]))),
            ]
        },
    );
    let lines = v
        .list
        .selected()
        .map(|r| summary(r, app, theme))
        .unwrap_or_default();
    f.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: true }).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" incident \u{b7} Enter opens its story "),
        ),
        bottom,
    );
}

/// An incident in a few lines: id, score, severity, state and reason; the title; actors; span.
fn summary(r: &Row, app: &App, theme: &Theme) -> Vec<Line<'static>> {
    let c = &r.cells;
    let local = app.local_time;
    let state = &c[STATE];
    let mut head = vec![
        Span::styled(format!("{} ", clean(&c[0])), theme.accent()),
        Span::styled(
            format!("{} score {} ", clean(&c[2]), clean(&c[1])),
            theme.severity(r.rank),
        ),
        Span::styled("\u{b7} state ", theme.fg("dim")),
        Span::styled(clean(state), state_style(state, theme)),
    ];
    if !c[9].is_empty() {
        head.push(Span::raw(format!(": {}", clean(&c[9]))));
    }
    if !c[10].is_empty() {
        head.push(Span::styled(
            format!(" ({})", clean(&c[10])),
            theme.fg("dim"),
        ));
    }
    vec![
        Line::from(head),
        Line::raw(clean(&c[4])),
        Line::from(vec![
            Span::styled("who ", theme.fg("dim")),
            Span::raw(clean(&c[5])),
        ]),
        Line::styled(
            format!(
                "{} \u{2192} {} \u{b7} {} findings",
                fmt_time(&c[6], local),
                fmt_time(&c[7], local),
                clean(&c[8])
            ),
            theme.fg("dim"),
        ),
    ]
}

/// One incident's story: the incident above, its findings in time order, the evidence below.
pub fn draw_story(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
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
    f.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: true }).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" incident \u{b7} Esc back to the list "),
        ),
        head,
    );
    let local = app.local_time;
    let wide = area.width >= 160;
    let with_user = area.width >= 120;
    let rule_w = if wide { 37 } else { 24 };
    let mut headers = vec!["time", "severity", "state", "rule", "technique"];
    let mut widths = vec![
        Constraint::Length(if wide { 19 } else { 11 }),
        Constraint::Length(8),
        Constraint::Length(if wide { 14 } else { 9 }),
        Constraint::Length(rule_w),
        Constraint::Length(9),
    ];
    if with_user {
        headers.push("user");
        widths.push(Constraint::Length(if wide { 28 } else { 22 }));
    }
    headers.push("why");
    widths.push(Constraint::Fill(1));
    list_table(
        f,
        list,
        app,
        theme,
        &v.list,
        format!(
            " Story \u{b7} {} \u{b7} Enter/u/M/r pivot \u{b7} T verdict ",
            position(&v.list)
        ),
        &headers,
        &widths,
        &v.highlight,
        |r| {
            let c = &r.cells;
            let state = &c[FSTATE];
            let mut cells = vec![
                Cell::from(if wide {
                    fmt_time(&c[1], local)
                } else {
                    fmt_time_short(&c[1], local)
                }),
                Cell::from(Span::styled(clean(&c[0]), theme.severity(r.rank))),
                Cell::from(Span::styled(
                    state_label(state, wide),
                    state_style(state, theme),
                )),
                Cell::from(fit(&c[2], rule_w as usize)),
                Cell::from(clean(&c[8])),
            ];
            if with_user {
                cells.push(Cell::from(clean(&c[3])));
            }
            cells.push(Cell::from(clean(&c[4])));
            cells
        },
    );
    super::evidence::draw(f, bottom, app, theme, v.list.selected());
}
