//! Meeting: header (topic, host, ids, type, the series' other instances), participant table
//! with internal/external/guest and finding badges and a presence chart column, then the
//! meeting's recordings, the operations that mention it and the other instances.

use crate::store::read::meeting::ParticipantRow;
use crate::tui::app::{App, Extra};
use crate::tui::theme::Theme;
use crate::tui::widgets::table::Col;
use crate::tui::widgets::{clean, epoch, fmt_time, list_section, presence_bar};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

fn meeting_type(t: Option<i64>) -> Option<&'static str> {
    Some(match t? {
        1 => "instant",
        2 => "scheduled",
        3 => "recurring, no fixed time",
        4 => "PMI",
        8 => "recurring, fixed time",
        _ => return None,
    })
}

/// Non-empty parts joined by " · " (an unknown field leaves no gap behind).
fn dots(parts: &[String]) -> String {
    parts
        .iter()
        .filter(|p| !p.trim().is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join(" \u{b7} ")
}

pub fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let v = app.view();
    let Extra::Meeting(d) = &v.extra else {
        let msg = if v.missing {
            "no such meeting in this case"
        } else {
            "loading\u{2026}"
        };
        f.render_widget(
            Paragraph::new(msg).block(Block::default().borders(Borders::ALL).title(" Meeting ")),
            area,
        );
        return;
    };
    let h = &d.header;
    let np = d.participants.len();
    let related = v.list.rows.len().saturating_sub(np);
    let rel_h = if related == 0 {
        0
    } else {
        (related as u16 + 3).min(10)
    };
    let [head, table, rel] = Layout::vertical([
        Constraint::Length(5),
        Constraint::Min(5),
        Constraint::Length(rel_h),
    ])
    .areas(area);
    let local = app.local_time;
    let ext = d
        .participants
        .iter()
        .filter(|p| p.badge == "external")
        .count();
    let guests = d.participants.iter().filter(|p| p.badge == "guest").count();
    let flagged = d.participants.iter().filter(|p| p.rank >= 0).count();
    let plural = |n: usize, w: &str| crate::output::plural(n, w);
    let lines = vec![
        Line::from(vec![
            Span::styled(clean(&h.topic), theme.accent()),
            Span::raw(format!(
                "   {}",
                dots(&[
                    h.meeting_id.map(|m| format!("id {m}")).unwrap_or_default(),
                    meeting_type(h.meeting_type).unwrap_or("").to_string(),
                    format!("uuid {}", clean(&h.uuid)),
                ])
            )),
        ]),
        Line::raw(dots(&[
            match format!("{} {}", clean(&h.host_name), clean(&h.host_email)).trim() {
                "" => String::new(),
                who => format!("host {who}"),
            },
            if h.start.is_empty() {
                String::new()
            } else {
                format!(
                    "{} \u{2192} {}",
                    fmt_time(&h.start, local),
                    fmt_time(&h.end, local)
                )
            },
            h.duration_min
                .map(|m| format!("{m} min"))
                .unwrap_or_default(),
        ])),
        Line::from(vec![
            Span::raw(plural(d.participants.len(), "session")),
            Span::raw(" \u{b7} "),
            Span::styled(format!("{ext} external"), theme.class("external")),
            Span::raw(" \u{b7} "),
            Span::styled(plural(guests, "guest"), theme.class("guest")),
            Span::raw(" \u{b7} "),
            Span::styled(format!("{flagged} flagged"), theme.severity(3)),
            Span::raw(format!(
                " \u{b7} {} \u{b7} {} \u{b7} {}{}",
                plural(d.recordings.len(), "recording"),
                plural(d.operations.len(), "operation"),
                plural(d.instances.len(), "other instance"),
                if d.truncated {
                    " \u{b7} (sessions capped)"
                } else {
                    ""
                }
            )),
        ]),
    ];
    f.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(" Meeting ")),
        head,
    );

    // Presence chart span: the meeting's own times, else its sessions'.
    let lo = epoch(&h.start)
        .or_else(|| {
            d.participants
                .iter()
                .filter_map(|p| epoch(&p.cells[2]))
                .min()
        })
        .unwrap_or(0);
    let hi = epoch(&h.end)
        .or_else(|| {
            d.participants
                .iter()
                .filter_map(|p| epoch(&p.cells[3]))
                .max()
        })
        .unwrap_or(lo + 1)
        .max(
            d.participants
                .iter()
                .filter_map(|p| epoch(&p.cells[3]))
                .max()
                .unwrap_or(0),
        );
    // The presence bar has a fifth of the width, never squeezed by the other columns.
    let bar_w = (table.width as usize / 5).clamp(10, 60);
    list_section(
        f,
        table,
        app,
        theme,
        &v.list,
        0..np,
        true,
        format!(
            " participants \u{b7} presence {} \u{2192} {} ",
            fmt_time(&h.start, local),
            fmt_time(&h.end, local)
        ),
        &[
            Col::new("class", 9, 9),
            Col::new("name", 10, 40),
            Col::new("email", 12, 44),
            Col::new("ip", 7, 39),
            Col::new("location", 8, 24),
            Col::new("device", 6, 24),
            Col::new("version", 7, 12),
            Col::new("presence", bar_w as u16, bar_w as u16),
        ],
        &v.highlight,
        |r| {
            let p = ParticipantRow(r);
            let a = epoch(p.join()).unwrap_or(lo);
            let b = epoch(p.leave()).unwrap_or(hi);
            let mut bst = theme.class(&r.badge);
            if r.rank >= 0 {
                bst = bst.add_modifier(Modifier::BOLD | Modifier::UNDERLINED);
            }
            let badge = Span::styled(
                if r.rank >= 0 {
                    format!("{}!", r.badge)
                } else {
                    r.badge.clone()
                },
                bst,
            );
            vec![
                Line::from(badge),
                Line::from(clean(p.name())),
                Line::from(clean(p.email())),
                Line::from(clean(p.ip())),
                Line::from(clean(p.location())),
                Line::from(clean(p.device())),
                Line::from(clean(p.version())),
                Line::from(Span::styled(
                    presence_bar(lo, hi, a, b, bar_w),
                    theme.class(&r.badge),
                )),
            ]
        },
    );
    if related > 0 {
        list_section(
            f,
            rel,
            app,
            theme,
            &v.list,
            np..v.list.rows.len(),
            false,
            " its recordings \u{b7} operations that mention it \u{b7} other instances of the series (r: recording) ".into(),
            &[Col::new("what", 9, 10), Col::new("time", 19, 19), Col::new("detail", 20, 0)],
            &v.highlight,
            |r| {
                let label = match r.tbl {
                    "recordings" => "recording",
                    "operations" => "operation",
                    _ => "instance",
                };
                let rest = if r.tbl == "recordings" {
                    dots(&[
                        clean(&r.cells[1]),
                        crate::tui::widgets::count_of(&r.cells[2], "file"),
                        crate::tui::widgets::human_bytes(&r.cells[3]),
                        super::recordings::deleted(&r.cells[4], local),
                    ])
                } else {
                    r.cells[1..].iter().map(|c| clean(c)).filter(|c| !c.is_empty()).collect::<Vec<_>>().join("  ")
                };
                vec![Line::from(Span::styled(label, theme.accent())), Line::from(fmt_time(&r.cells[0], local)), Line::from(rest)]
            },
        );
    }
}
