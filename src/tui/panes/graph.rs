//! Collaboration graph: the centre (a person or a meeting series) and the people who meet
//! them, drawn on a canvas (edges coloured internal / external / guest, labelled with how many
//! meetings they share), next to the same people as a selectable list.

use crate::tui::app::{App, Extra};
use crate::tui::theme::Theme;
use crate::tui::widgets::table::Col;
use crate::tui::widgets::{clean, list_table};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Color;
use ratatui::text::{Line, Span};
use ratatui::widgets::canvas::{Canvas, Line as CLine};
use ratatui::widgets::{Block, Borders, Paragraph};

pub fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let v = app.view();
    let Extra::Graph(g) = &v.extra else {
        f.render_widget(
            Paragraph::new("loading\u{2026}")
                .block(Block::default().borders(Borders::ALL).title(" Graph ")),
            area,
        );
        return;
    };
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(area);
    let shown: Vec<_> = g.nodes.iter().take(16).collect();
    let max = shown.iter().map(|n| n.key.s).max().unwrap_or(1).max(1);
    let center = clean(&g.center);
    let sel = v.list.sel;
    let color_of = |class: &str| -> Color {
        if !theme.color {
            return Color::Reset;
        }
        theme.class(class).fg.unwrap_or(Color::Reset)
    };
    // Keep the circle round: a cell is about twice as tall as it is wide.
    let ar = (left.width.saturating_sub(2).max(1) as f64)
        / (left.height.saturating_sub(2).max(1) as f64 * 2.0);
    let (xr, yr) = (1.15 * ar.max(0.5), 1.15);
    let unit = 2.0 * xr / left.width.saturating_sub(2).max(1) as f64;
    let canvas = Canvas::default()
        .block(Block::default().borders(Borders::ALL).title(format!(
            " who meets {center} \u{b7} {} meetings looked at \u{b7} top {} of {} ",
            g.meetings,
            shown.len(),
            g.nodes.len()
        )))
        .x_bounds([-xr, xr])
        .y_bounds([-yr, yr])
        .paint(|ctx| {
            let n = shown.len().max(1) as f64;
            for (i, node) in shown.iter().enumerate() {
                let a = std::f64::consts::FRAC_PI_2
                    + std::f64::consts::TAU * (i as f64 + 1.0 / 3.0) / n;
                // Stronger ties sit closer to the centre.
                let r = 1.0 - 0.3 * (node.key.s as f64 / max as f64);
                let (x, y) = (r * a.cos(), r * a.sin());
                ctx.draw(&CLine {
                    x1: 0.0,
                    y1: 0.0,
                    x2: x,
                    y2: y,
                    color: color_of(&node.badge),
                });
            }
            ctx.layer();
            for (i, node) in shown.iter().enumerate() {
                let a = std::f64::consts::FRAC_PI_2
                    + std::f64::consts::TAU * (i as f64 + 1.0 / 3.0) / n;
                let r = 1.0 - 0.3 * (node.key.s as f64 / max as f64);
                let (x, y) = (r * a.cos(), r * a.sin());
                let who = clean(if node.cells[0] == "(guest)" {
                    &node.cells[1]
                } else {
                    &node.cells[0]
                });
                let who: String = who.chars().take(18).collect();
                let mut st = theme.class(&node.badge);
                if i == sel {
                    st = st.patch(theme.selected());
                }
                let label = format!("{who} ({})", node.key.s);
                // Labels grow away from the centre.
                let lx = if x < 0.0 {
                    x - unit * label.chars().count() as f64
                } else {
                    x
                };
                ctx.print(lx, y, Line::from(Span::styled(label, st)));
            }
            let c: String = center.chars().take(24).collect();
            ctx.print(
                -unit * c.chars().count() as f64 / 2.0,
                0.0,
                Line::from(Span::styled(c, theme.accent())),
            );
        });
    f.render_widget(canvas, left);
    list_table(
        f,
        right,
        app,
        theme,
        &v.list,
        " people \u{b7} Enter: their timeline ".into(),
        &[
            Col::new("who", 12, 0),
            Col::new("shared", 6, 6),
            Col::new("class", 8, 8),
        ],
        &v.highlight,
        |r| {
            let who = if r.cells[0] == "(guest)" {
                format!("\"{}\" (guest)", clean(&r.cells[1]))
            } else {
                clean(&r.cells[0])
            };
            vec![
                Line::from(who),
                Line::from(clean(&r.cells[2])),
                Line::from(Span::styled(r.badge.clone(), theme.class(&r.badge))),
            ]
        },
    );
}
