//! Timeline of one subject: histogram over the case span (or the zoomed range) and every
//! source merged in time order.

use crate::tui::app::{App, Target};
use crate::tui::theme::Theme;
use crate::tui::widgets::{clean, epoch, fmt_time, list_table, position};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Sparkline};

pub fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let v = app.view();
    let [hist, list, detail] = Layout::vertical([
        Constraint::Length(5),
        Constraint::Min(5),
        Constraint::Length(3),
    ])
    .areas(area);
    let subject = match &v.target {
        Target::Timeline(s) => clean(&s.label()),
        _ => String::new(),
    };
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
        let [spark, caret] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
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
    let local = app.local_time;
    list_table(
        f,
        list,
        app,
        theme,
        &v.list,
        format!(" Timeline \u{b7} {subject} \u{b7} {} ", position(&v.list)),
        &["time", "source", "who", "what", "ip", "detail"],
        &[
            Constraint::Length(19),
            Constraint::Length(9),
            Constraint::Length(24),
            Constraint::Length(22),
            Constraint::Length(15),
            Constraint::Fill(1),
        ],
        &v.highlight,
        |r| {
            let who = Span::styled(clean(&r.cells[2]), theme.class(&r.badge));
            vec![
                Cell::from(fmt_time(&r.cells[0], local)),
                Cell::from(Span::styled(clean(&r.cells[1]), theme.fg("dim"))),
                Cell::from(who),
                Cell::from(clean(&r.cells[3])),
                Cell::from(clean(&r.cells[4])),
                Cell::from(clean(&r.cells[5])),
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
