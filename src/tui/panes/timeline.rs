//! Timeline of one subject: histogram over the case span (or the zoomed range), or with `p`
//! its events grouped by country, and every source merged in time order.

use crate::store::read::Row;
use crate::store::read::timeline::Place;
use crate::store::read::timeline::{Subject, TimelineRow};
use crate::tui::app::{App, Effect, Extra, Target};
use crate::tui::keymap::Cmd;
use crate::tui::theme::Theme;
use crate::tui::widgets::table::Col;
use crate::tui::widgets::{clean, epoch, fmt_time, marked, position, view_table};
use crate::tui::worker::ListQuery;
use crate::tui::worker::{Query, Reply, Slot};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row as TRow, Sparkline, Table};

pub struct Timeline;

impl super::Pane for Timeline {
    fn list(&self, target: &Target) -> Option<ListQuery> {
        match target {
            Target::Timeline(s) => Some(ListQuery::Timeline(s.clone())),
            _ => None,
        }
    }
    fn headers(&self) -> &'static [&'static str] {
        &["time", "source", "who", "what", "ip", "detail"]
    }
    /// The event histogram above the list, or its countries.
    fn beside(&self, app: &mut App) -> Vec<Effect> {
        match app.view().target.clone() {
            Target::Timeline(s) if matches!(app.view().extra, Extra::Places(_)) => {
                let filter = app.eff_filter();
                vec![app.req(Slot::Hist, Query::Places { subject: s, filter })]
            }
            Target::Timeline(s) => app.histogram(s),
            _ => vec![],
        }
    }
    /// `p` (split by): the events grouped by country in place of the histogram, and back.
    fn on_cmd(&self, app: &mut App, c: Cmd) -> Option<Vec<Effect>> {
        if c != Cmd::CycleGroup {
            return None;
        }
        let v = app.view_mut();
        v.extra = match v.extra {
            Extra::Places(_) => Extra::None,
            _ => Extra::Places(None),
        };
        Some(self.beside(app))
    }
    fn apply(&self, app: &mut App, r: Reply) -> Result<Vec<Effect>, Reply> {
        match r {
            Reply::Places(p) => {
                let v = app.view_mut();
                if matches!(v.extra, Extra::Places(_)) {
                    v.extra = Extra::Places(Some(p));
                }
                Ok(vec![])
            }
            r => Err(r),
        }
    }
    /// A session or a meeting: the meeting; a recording: it; a sign-in: everything from its IP
    /// (its user once there); an operation: what it changed; anything else: its person.
    fn enter(&self, app: &mut App, row: &Row) -> Vec<Effect> {
        let l = &row.link;
        match row.tbl {
            "participants" | "meetings" => app.pivot_meeting_of(l),
            "recordings" => app.pivot_recording_of(l),
            "signins" => match &l.ip {
                Some(ip) if app.view().target != Target::Timeline(Subject::Ip(ip.clone())) => {
                    let v = app.timeline_view(Subject::Ip(ip.clone()));
                    app.push(v)
                }
                _ => app.pivot_user_of(l),
            },
            "operations" => app.pivot_operation(l),
            _ => app.pivot_user_of(l),
        }
    }
    fn draw(&self, f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
        draw(f, area, app, theme)
    }
}

fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let v = app.view();
    let top = match &v.extra {
        Extra::Places(Some(p)) => (p.len() as u16 + 3).clamp(4, (area.height / 3).max(6)),
        _ => 6,
    };
    let [hist, list, detail] = Layout::vertical([
        Constraint::Length(top),
        Constraint::Min(5),
        Constraint::Length(3),
    ])
    .areas(area);
    let subject = match &v.target {
        Target::Timeline(s) => clean(&s.label()),
        _ => String::new(),
    };
    if let Extra::Places(places) = &v.extra {
        draw_places(f, hist, places.as_deref(), app, theme);
    } else {
        draw_histogram(f, hist, app, theme);
    }
    draw_list(f, list, detail, &subject, app, theme);
}

/// The countries the events came from, most events first.
fn draw_places(f: &mut Frame, area: Rect, places: Option<&[Place]>, app: &App, theme: &Theme) {
    let block = Block::default().borders(Borders::ALL).title(
        " by country \u{b7} events, addresses, first and last seen, sources \u{b7} p: histogram ",
    );
    let Some(places) = places else {
        f.render_widget(
            Paragraph::new(Span::styled("counting\u{2026}", theme.fg("dim"))).block(block),
            area,
        );
        return;
    };
    let local = app.local_time;
    // To the minute: the seconds would only crowd out the places at 100 columns.
    let when = |t: &str| fmt_time(t, local).chars().take(16).collect::<String>();
    let rows = places.iter().map(|p| {
        TRow::new(vec![
            Cell::from(Span::styled(clean(&p.country), theme.fg("accent"))),
            Cell::from(p.events.to_string()),
            Cell::from(p.addresses.to_string()),
            Cell::from(when(&p.first)),
            Cell::from(when(&p.last)),
            Cell::from(Span::styled(clean(&p.sources), theme.fg("dim"))),
            Cell::from(clean(&p.places.join(" \u{b7} "))),
        ])
    });
    let header = TRow::new([
        "country", "events", "addr", "first", "last", "sources", "places",
    ])
    .style(theme.fg("dim"));
    f.render_widget(
        Table::new(
            rows,
            [
                Constraint::Length(12),
                Constraint::Length(6),
                Constraint::Length(4),
                Constraint::Length(16),
                Constraint::Length(16),
                Constraint::Length(24),
                Constraint::Min(12),
            ],
        )
        .header(header)
        .block(block),
        area,
    );
}

fn draw_histogram(f: &mut Frame, hist: Rect, app: &App, theme: &Theme) {
    let v = app.view();
    // Histogram with a caret under the selected row's time.
    let block = Block::default().borders(Borders::ALL).title(match &v.hist {
        Some((b, from, to)) => format!(
            " events {} \u{2192} {} \u{b7} peak {} \u{b7} +/- zoom, = whole case ",
            fmt_time(from, app.local_time),
            fmt_time(to, app.local_time),
            b.iter().max().unwrap_or(&0)
        ),
        None => " events \u{2026} ".into(),
    });
    let inner = block.inner(hist);
    f.render_widget(block, hist);
    if let Some((bins, from, to)) = &v.hist {
        let [spark, caret, axis] = Layout::vertical([
            Constraint::Min(1),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(inner);
        if let (Some(a), Some(b)) = (epoch(from), epoch(to)) {
            let cols = bins.len().min(axis.width as usize);
            f.render_widget(
                Span::styled(date_axis(a, b, cols, app.local_time), theme.fg("dim")),
                axis,
            );
        }
        f.render_widget(
            Sparkline::default()
                .data(bins.iter().copied())
                .style(theme.fg("accent")),
            spark,
        );
        if let (Some(sel), Some(a), Some(b)) = (
            v.list.selected().and_then(|r| epoch(&r.time)),
            epoch(from),
            epoch(to),
        ) && b > a
            && sel >= a
            && sel < b
        {
            let x = ((sel - a) as f64 / (b - a) as f64
                * bins.len().min(caret.width as usize) as f64) as u16;
            let r = Rect {
                x: caret.x + x.min(caret.width.saturating_sub(1)),
                y: caret.y,
                width: 1,
                height: 1,
            };
            f.render_widget(Span::styled("\u{25b2}", theme.fg("highlight")), r);
        }
    }
}

fn draw_list(f: &mut Frame, list: Rect, detail: Rect, subject: &str, app: &App, theme: &Theme) {
    let v = app.view();
    let local = app.local_time;
    view_table(
        f,
        list,
        app,
        theme,
        format!(" Timeline \u{b7} {subject} \u{b7} {} ", position(&v.list)),
        &[
            Col::new("time", 19, 19),
            Col::new("source", 6, 9),
            Col::new("who", 10, 34),
            Col::new("what", 8, 30),
            Col::new("ip", 7, 39),
            Col::new("detail", 24, 0),
        ],
        |r| {
            let t = TimelineRow(r);
            vec![
                Line::from(fmt_time(t.time(), local)),
                Line::from(Span::styled(clean(t.source()), theme.fg("dim"))),
                Line::from(Span::styled(clean(t.who()), theme.class(&r.badge))),
                Line::from(clean(t.what())),
                Line::from(clean(t.ip())),
                marked(t.detail(), &v.marks, theme.found(), 16),
            ]
        },
    );
    let mut lines = vec![];
    if let Some(r) = v.list.selected() {
        let hint = match r.tbl {
            "participants" | "meetings" => {
                "Enter: the meeting \u{b7} i: this IP \u{b7} e: device \u{b7} @: domain"
            }
            "recordings" => "Enter: the recording",
            "signins" => "Enter: everything from this IP",
            "operations" => {
                "Enter: what it changed (meeting / target user) \u{b7} o: operator's ledger"
            }
            _ => "",
        };
        let mut spans = vec![Span::styled(hint, theme.fg("dim"))];
        spans.push(Span::styled(
            if hint.is_empty() {
                "p: by country"
            } else {
                " \u{b7} p: by country"
            },
            theme.fg("dim"),
        ));
        if !r.notes.is_empty() {
            spans.push(Span::styled(
                format!("   {}", clean(&r.notes.join(" "))),
                theme.fg("medium"),
            ));
        }
        lines.push(Line::from(spans));
    }
    f.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::TOP)),
        detail,
    );
}

/// Date labels under a histogram of `cols` columns over [a, b): a tick (`|`) at each round
/// time (hour, day, week: the finest whose labels do not overlap, aligned in the display zone)
/// with its date, and the hour when ticks are less than a day apart.
pub fn date_axis(a: i64, b: i64, cols: usize, local: bool) -> String {
    let mut out: Vec<char> = vec![' '; cols];
    if b <= a || cols == 0 {
        return String::new();
    }
    let per_col = (b - a) as f64 / cols as f64;
    const H: i64 = 3600;
    let (step, label_w) = [
        (H, 11),
        (3 * H, 11),
        (6 * H, 11),
        (12 * H, 11),
        (24 * H, 5),
        (2 * 24 * H, 5),
        (7 * 24 * H, 5),
        (30 * 24 * H, 5),
    ]
    .into_iter()
    .find(|(step, w)| *step as f64 / per_col >= (*w + 2) as f64)
    .unwrap_or((365 * 24 * H, 5));
    let off = if local {
        chrono::DateTime::from_timestamp(a, 0)
            .map(|d| d.with_timezone(&chrono::Local).offset().local_minus_utc() as i64)
            .unwrap_or(0)
    } else {
        0
    };
    let mut t = ((a + off + step - 1).div_euclid(step)) * step - off;
    while t < b {
        let x = ((t - a) as f64 / per_col) as usize;
        if x + label_w >= cols {
            break;
        }
        if let Some(d) = chrono::DateTime::from_timestamp(t, 0) {
            let full = crate::tui::widgets::fmt_time(&crate::model::time::fmt_utc(d), local);
            let label = full.get(5..5 + label_w).unwrap_or(&full);
            out[x] = '|';
            for (i, c) in label.chars().enumerate() {
                out[x + 1 + i] = c;
            }
        }
        t += step;
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_axis_names_dates_along_the_histogram() {
        // 2024-06-01 .. 2024-06-15 over 60 columns: a tick every other midnight.
        let s = super::date_axis(1717200000, 1717200000 + 14 * 86400, 60, false);
        assert!(s.contains("|06-02  |06-04   |06-06"), "{s}");
        assert_eq!(s.chars().count(), 60);
        // One day over 40 columns: every twelve hours, with the hour.
        let s = super::date_axis(1717200000, 1717200000 + 86400, 40, false);
        assert!(s.starts_with("|06-01 00:00        |06-01 12:00"), "{s}");
    }
}
