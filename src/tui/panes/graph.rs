//! Collaboration graph: the centre (a person or a meeting series) and the people who meet
//! them, drawn on a canvas (edges coloured internal / external / guest, labelled with how many
//! meetings they share and chat channels, around a person), next to the same people as a
//! selectable list. At department level (`l`) the nodes are the organisation's departments and
//! the outside domains they meet, joined by shared meetings and chat channels; each node's key
//! and a glyph of its outsider mix are drawn (names only where they fit, so labels never
//! overlap), and the selected node's neighbours are listed beside the drawing.

use crate::store::read::Filter;
use crate::store::read::Row;
use crate::store::read::exposure::ExposureBy;
use crate::store::read::graph::{Graph, OrgNodeRow, PersonRow};
use crate::store::read::timeline::Subject;
use crate::tui::app::{App, Effect, Extra, Target};
use crate::tui::app::{PaneKind, View};
use crate::tui::keymap::Cmd;
use crate::tui::theme::Theme;
use crate::tui::widgets::table::Col;
use crate::tui::widgets::{clean, view_table};
use crate::tui::worker::{GraphSubject, OrgSubject};
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
    /// A person: their timeline; a department: its meetings with outsiders; an outside
    /// domain: everything from it.
    fn enter(&self, app: &mut App, row: &Row) -> Vec<Effect> {
        if row.tbl == "org" {
            let n = OrgNodeRow(row);
            return if n.kind() == "department" {
                let t = OrgSubject::ExposureMeetings(ExposureBy::Department, n.name().to_string());
                app.go(View::new(PaneKind::Exposure, Target::Org(t)))
            } else if n.name() == "(guests)" {
                app.say("guests have no email domain: open a meeting to see them")
            } else {
                let v = app.timeline_view(Subject::Domain(n.name().to_string()));
                app.go(v)
            };
        }
        app.pivot_user_of(&row.link)
    }
    fn on_cmd(&self, app: &mut App, c: Cmd) -> Option<Vec<Effect>> {
        match c {
            Cmd::Inspect => Some(app.say(
                "a graph node is a person or a department, not a record: Enter opens what is behind it, where d inspects each record",
            )),
            Cmd::GraphLevel => {
                let org = matches!(app.view().target, Target::Graph(GraphSubject::Organisation));
                let to = if org {
                    match (&app.ctx.user, &app.ctx.meeting) {
                        (Some(u), _) if !u.is_empty() => GraphSubject::User(u.clone()),
                        (_, Some(m)) => GraphSubject::Meeting(m.clone()),
                        _ => return Some(app.say("nobody linked yet: select a person first (Enter on a node, or /)")),
                    }
                } else {
                    GraphSubject::Organisation
                };
                Some(app.retarget(Target::Graph(to)))
            }
            _ => None,
        }
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
    if g.org {
        draw_org(f, area, app, theme, g);
        return;
    }
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
                let label = match p.chats() {
                    "" | "0" => format!("{who} ({})", node.key.s),
                    c => format!("{who} ({}, {c} chat)", node.key.s),
                };
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
            Col::new("shared", 6, 12),
            Col::new("class", 8, 8),
        ],
        |r| {
            let p = PersonRow(r);
            let who = if p.is_guest() {
                format!("\"{}\" (guest)", clean(p.name()))
            } else {
                clean(p.who())
            };
            let shared = match p.chats() {
                "" | "0" => clean(p.shared()),
                c => format!("{} +{c} chat", clean(p.shared())),
            };
            vec![
                Line::from(who),
                Line::from(shared),
                Line::from(Span::styled(r.badge.clone(), theme.class(&r.badge))),
            ]
        },
    );
}

/// A glyph for a node's outsider mix: ○ none .. ● all of its meetings had outsiders.
fn mix_glyph(pct: i64) -> char {
    match pct {
        p if p <= 0 => '\u{25cb}',
        p if p <= 25 => '\u{25d4}',
        p if p <= 50 => '\u{25d1}',
        p if p < 100 => '\u{25d5}',
        _ => '\u{25cf}',
    }
}

/// Edges drawn at most besides the selected node's own (the strongest ties).
const ORG_EDGES: usize = 30;

fn draw_org(f: &mut Frame, area: Rect, app: &App, theme: &Theme, g: &Graph) {
    let v = app.view();
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(area);
    let sel = v.list.sel;
    let n = g.nodes.len();
    let color_of = |class: &str| -> Color {
        if !theme.color {
            return Color::Reset;
        }
        theme.class(class).fg.unwrap_or(Color::Reset)
    };
    let (w, h) = (
        left.width.saturating_sub(2).max(1) as f64,
        left.height.saturating_sub(2).max(1) as f64,
    );
    // Bounds in cells (one x unit a column, one y unit a row): positions map to cells exactly,
    // so labels can be checked for overlap before they are printed.
    let (rx, ry) = ((w / 2.0 - 1.0).max(1.0), (h / 2.0 - 1.0).max(1.0));
    let pos: Vec<(f64, f64)> = (0..n)
        .map(|i| {
            let a =
                std::f64::consts::FRAC_PI_2 - std::f64::consts::TAU * i as f64 / n.max(1) as f64;
            ((rx * 0.62) * a.cos(), ry * 0.85 * a.sin())
        })
        .collect();
    let mut edges: Vec<&crate::store::read::graph::Edge> = g.edges.iter().collect();
    edges.sort_by_key(|e| std::cmp::Reverse(e.meetings + e.chats));
    let shown: Vec<_> = edges
        .iter()
        .enumerate()
        .filter(|(k, e)| *k < ORG_EDGES || e.a == sel || e.b == sel)
        .map(|(_, e)| *e)
        .collect();
    // Labels: key and mix glyph always; the name where it fits without touching another.
    // Positions are whole cells (the canvas spans one unit a cell), so what is checked here is
    // exactly where ratatui prints.
    let mut taken: Vec<(i64, i64, i64)> = vec![]; // (row, first col, last col)
    let mut labels: Vec<(f64, f64, String, usize)> = vec![];
    let fits = |taken: &[(i64, i64, i64)], lx: f64, y: f64, len: usize| {
        let (row, c0) = ((ry - y).floor() as i64, (lx + rx).floor() as i64);
        let c1 = c0 + len as i64 - 1;
        let inside = c0 >= 0 && c1 < w as i64 && row >= 0 && row < h as i64;
        let free = !taken
            .iter()
            .any(|&(r, a, b)| r == row && !(c1 + 1 < a || b + 1 < c0));
        (inside && free).then_some((row, c0, c1))
    };
    for (i, (node, at)) in g.nodes.iter().zip(&pos).enumerate() {
        let node = OrgNodeRow(node);
        let pct: i64 = node.external().parse().unwrap_or(0);
        let key = format!("{}{}", node.key(), mix_glyph(pct));
        let name = clean(node.name());
        let (x, y) = (at.0.round(), at.1.round());
        let mut tries: Vec<(f64, f64, String)> = vec![];
        for len in [18usize, 12, 8, 4] {
            let nm: String = if name.chars().count() > len {
                name.chars().take(len.saturating_sub(1)).collect::<String>() + "\u{2026}"
            } else {
                name.clone()
            };
            // The key sits at the node, the name grows away from the centre.
            let text = if x < 0.0 {
                format!("{nm} {key}")
            } else {
                format!("{key} {nm}")
            };
            let wlen = text.chars().count() as f64;
            let lx = if x < 0.0 { x - wlen + 2.0 } else { x };
            tries.push((lx, y, text));
        }
        // The key alone, at the node or nudged beside it.
        for (dx, dy) in [
            (0.0, 0.0),
            (0.0, 1.0),
            (0.0, -1.0),
            (2.0, 0.0),
            (-2.0, 0.0),
            (0.0, 2.0),
            (0.0, -2.0),
        ] {
            tries.push((x + dx, y + dy, key.clone()));
        }
        for (lx, ly, text) in tries {
            if let Some(cell) = fits(&taken, lx, ly, text.chars().count()) {
                taken.push(cell);
                labels.push((lx, ly, text, i));
                break;
            }
        }
    }
    let canvas = Canvas::default()
        .block(Block::default().borders(Borders::ALL).title(format!(
            " organisation \u{b7} {} nodes \u{b7} {} ties \u{b7} l: around a person ",
            n,
            g.edges.len()
        )))
        .x_bounds([-rx, w - 1.0 - rx])
        .y_bounds([ry - (h - 1.0), ry])
        .paint(|ctx| {
            for e in &shown {
                let (a, b) = (pos[e.a], pos[e.b]);
                let outside = [e.a, e.b].iter().any(|&k| g.nodes[k].badge == "external");
                let mine = e.a == sel || e.b == sel;
                let c = if mine {
                    if theme.color {
                        Color::Yellow
                    } else {
                        Color::Reset
                    }
                } else {
                    color_of(if outside { "external" } else { "internal" })
                };
                ctx.draw(&CLine {
                    x1: a.0,
                    y1: a.1,
                    x2: b.0,
                    y2: b.1,
                    color: c,
                });
            }
            ctx.layer();
            for (x, y, text, i) in &labels {
                let mut st = theme.class(&g.nodes[*i].badge);
                if *i == sel {
                    st = st.patch(theme.selected());
                }
                ctx.print(*x, *y, Line::from(Span::styled(text.clone(), st)));
            }
        });
    f.render_widget(canvas, left);
    let nb_h = (right.height / 3).max(6);
    let [list, nbrs] =
        Layout::vertical([Constraint::Min(6), Constraint::Length(nb_h)]).areas(right);
    view_table(
        f,
        list,
        app,
        theme,
        " key \u{b7} \u{25cb}\u{2192}\u{25cf} share with outsiders \u{b7} Enter: its meetings "
            .into(),
        &[
            Col::new("key", 3, 3),
            Col::new("node", 10, 0),
            Col::new("meetings", 8, 8),
            Col::new("outside", 7, 7),
            Col::new("chats", 5, 5),
        ],
        |r| {
            let c = OrgNodeRow(r);
            let pct: i64 = c.external().parse().unwrap_or(0);
            vec![
                Line::from(format!("{}{}", c.key(), mix_glyph(pct))),
                Line::from(Span::styled(clean(c.name()), theme.class(&r.badge))),
                Line::from(c.meetings().to_string()),
                Line::from(format!("{pct}%")),
                Line::from(c.chats().to_string()),
            ]
        },
    );
    let lines: Vec<Line> = match g.nodes.get(sel) {
        None => vec![],
        Some(r) => {
            let me = OrgNodeRow(r);
            let nb = g.neighbours(sel);
            let mut l = vec![Line::from(Span::styled(
                format!("{} {}: {} neighbours", me.key(), clean(me.name()), nb.len()),
                theme.accent(),
            ))];
            for (k, m, c) in nb.iter().take(nb_h.saturating_sub(3) as usize) {
                let o = OrgNodeRow(&g.nodes[*k]);
                let chats = if *c > 0 {
                    format!(", {c} chats")
                } else {
                    String::new()
                };
                l.push(Line::from(vec![
                    Span::raw(format!("{:<3}", o.key())),
                    Span::styled(clean(o.name()), theme.class(&g.nodes[*k].badge)),
                    Span::raw(format!(
                        "  {}{chats}",
                        crate::output::plural(*m as usize, "meeting")
                    )),
                ]));
            }
            l
        }
    };
    f.render_widget(
        ratatui::widgets::Paragraph::new(lines)
            .block(Block::default().borders(Borders::ALL).title(" neighbours ")),
        nbrs,
    );
}
