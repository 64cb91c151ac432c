//! Collaboration graph: the centre (a person or a meeting series) and the people who meet
//! them, drawn on a canvas (edges coloured internal / external / guest, labelled with how many
//! meetings they share), next to the same people as a selectable list.

use crate::store::read::Filter;
use crate::store::read::Row;
use crate::store::read::graph::PersonRow;
use crate::tui::app::{App, Effect, Extra, Target};
use crate::tui::keymap::Cmd;
use crate::tui::theme::Theme;
use crate::tui::widgets::table::Col;
use crate::tui::widgets::{clean, view_table};
use crate::tui::worker::{Query, Reply};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Color;
use ratatui::text::{Line, Span};
use ratatui::widgets::canvas::{Canvas, Line as CLine};
use ratatui::widgets::{Block, Borders};

pub struct GraphPane;

impl super::Pane for GraphPane {
    fn detail(&self, target: &Target, _: &Filter) -> Option<Query> {
        match target {
            Target::Graph(g) => Some(Query::Graph(g.clone())),
            _ => None,
        }
    }
    /// A person: their timeline.
    fn enter(&self, app: &mut App, row: &Row) -> Vec<Effect> {
        app.pivot_user_of(&row.link)
    }
    fn on_cmd(&self, app: &mut App, c: Cmd) -> Option<Vec<Effect>> {
        (c == Cmd::Inspect).then(|| {
            app.say(
                "a graph node is a person, not a record: Enter opens their timeline, where d inspects each record",
            )
        })
    }
    fn apply(&self, app: &mut App, r: Reply) -> Result<Vec<Effect>, Reply> {
        let Reply::Graph(g) = r else {
            return Err(r);
        };
        let v = app.view_mut();
        v.list.set_all(g.nodes.clone(), g.nodes.len());
        v.extra = Extra::Graph(g);
        v.list.clamp();
        // The linked person stays the one the graph is around until a node is chosen.
        Ok(vec![])
    }
    fn draw(&self, f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
        draw(f, area, app, theme)
    }
}

fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let v = app.view();
    let Extra::Graph(g) = &v.extra else {
        super::placeholder(f, area, theme, " Graph ", v, "nobody to show");
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
                let p = PersonRow(node);
                let who = clean(if p.is_guest() { p.name() } else { p.who() });
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
    view_table(
        f,
        right,
        app,
        theme,
        " people \u{b7} Enter: their timeline ".into(),
        &[
            Col::new("who", 12, 0),
            Col::new("shared", 6, 6),
            Col::new("class", 8, 8),
        ],
        |r| {
            let p = PersonRow(r);
            let who = if p.is_guest() {
                format!("\"{}\" (guest)", clean(p.name()))
            } else {
                clean(p.who())
            };
            vec![
                Line::from(who),
                Line::from(clean(p.shared())),
                Line::from(Span::styled(r.badge.clone(), theme.class(&r.badge))),
            ]
        },
    );
}
