//! Meeting: header (topic, host, ids, type, the series' other instances), participant table
//! with internal/external/guest and finding badges and a presence chart column, then the
//! meeting's recordings, the operations that mention it and the other instances.

use crate::store::read::Filter;
use crate::store::read::Row;
use crate::store::read::meeting::ParticipantRow;
use crate::store::read::recordings::RecordingRow;
use crate::tui::app::{App, Effect, Extra, Target};
use crate::tui::keymap::Cmd;
use crate::tui::theme::Theme;
use crate::tui::widgets::table::Col;
use crate::tui::widgets::{
    PRESENT, WAITING, clean, epoch, fmt_time, list_section, presence_bar, span_len,
};
use crate::tui::worker::{Query, Reply};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
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

pub struct Meeting;

impl super::Pane for Meeting {
    fn detail(&self, target: &Target, filter: &Filter) -> Option<Query> {
        match target {
            Target::Meeting(r) => Some(Query::Meeting {
                r: r.clone(),
                filter: filter.clone(),
            }),
            _ => None,
        }
    }
    /// A participant or someone who waited: their timeline; a recording: it; another
    /// instance: that meeting.
    fn enter(&self, app: &mut App, row: &Row) -> Vec<Effect> {
        match row.tbl {
            "recordings" => app.pivot_recording_of(&row.link),
            "meetings" => app.pivot_meeting_of(&row.link),
            _ => app.pivot_user_of(&row.link),
        }
    }
    /// `r` on any row: the meeting's recording when the row names none.
    fn on_cmd(&self, app: &mut App, c: Cmd) -> Option<Vec<Effect>> {
        if c != Cmd::PivotRecording {
            return None;
        }
        let named = app.view().list.selected().map(|r| r.link.clone());
        let own = match &app.view().extra {
            Extra::Meeting(d) => d.recordings.first().map(|r| r.link.clone()),
            _ => None,
        };
        let l = named
            .filter(|l| l.recording.is_some())
            .or(own)
            .unwrap_or_default();
        Some(app.pivot_recording_of(&l))
    }
    fn apply(&self, app: &mut App, r: Reply) -> Result<Vec<Effect>, Reply> {
        let Reply::Meeting(d) = r else {
            return Err(r);
        };
        let v = app.view_mut();
        match d {
            Some(d) => {
                let mut rows = d.participants.clone();
                rows.extend(d.recordings.iter().cloned());
                rows.extend(d.operations.iter().cloned());
                rows.extend(d.instances.iter().cloned());
                v.list.set_all(rows, d.participants.len());
                // The record it was opened on (evidence, the row pivoted from), else where it was.
                if let Some(i) = v.list.rows.iter().position(|r| {
                    let k = (r.tbl.to_string(), r.id);
                    v.highlight.contains(&k) || v.focus.as_ref() == Some(&k)
                }) {
                    v.list.sel = i;
                }
                v.extra = Extra::Meeting(d);
            }
            None => v.missing = true,
        }
        v.list.clamp();
        Ok(app.on_select())
    }
    fn draw(&self, f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
        draw(f, area, app, theme)
    }
}

fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let v = app.view();
    let Extra::Meeting(d) = &v.extra else {
        super::placeholder(
            f,
            area,
            theme,
            " Meeting ",
            v,
            "no such meeting in this case",
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
    // Narrow terminals wrap the header's counts onto a fourth line rather than cut them.
    let head_h = if area.width < 140 { 7 } else { 6 } + h.risk_alerts.len().min(2) as u16;
    let [head, table, rel] = Layout::vertical([
        Constraint::Length(head_h),
        Constraint::Min(5),
        Constraint::Length(rel_h),
    ])
    .areas(area);
    let local = app.local_time;
    let sessions: Vec<&Row> = d
        .participants
        .iter()
        .filter(|p| p.tbl == "participants")
        .collect();
    let ext = sessions.iter().filter(|p| p.badge == "external").count();
    let guests = sessions.iter().filter(|p| p.badge == "guest").count();
    let flagged = sessions.iter().filter(|p| p.rank >= 0).count();
    let n_waited = d
        .participants
        .iter()
        .filter(|p| !ParticipantRow(p).waited().is_empty())
        .count();
    let never = d.participants.len() - sessions.len();
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
            Span::raw(plural(sessions.len(), "session")),
            Span::raw(" \u{b7} "),
            Span::styled(format!("{ext} external"), theme.class("external")),
            Span::raw(" \u{b7} "),
            Span::styled(plural(guests, "guest"), theme.class("guest")),
            Span::raw(" \u{b7} "),
            Span::styled(format!("{flagged} flagged"), theme.severity(3)),
            Span::styled(
                match (n_waited, never) {
                    (0, _) => String::new(),
                    (w, 0) => format!(" \u{b7} {w} waited"),
                    (w, n) => format!(" \u{b7} {w} waited, {n} never admitted"),
                },
                theme.fg("waiting"),
            ),
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
        features_line(h, theme),
    ];
    let mut lines = lines;
    for a in h.risk_alerts.iter().take(2) {
        lines.push(Line::from(Span::styled(
            format!("Zoom risk alert {}", clean(a)),
            theme.fg("error").add_modifier(Modifier::BOLD),
        )));
    }
    f.render_widget(
        Paragraph::new(lines)
            .wrap(ratatui::widgets::Wrap { trim: true })
            .block(Block::default().borders(Borders::ALL).title(" Meeting ")),
        head,
    );

    // Presence chart span: the meeting's own times, else its sessions', widened to the waiting
    // room (people wait before the host starts).
    let times = |f: for<'r> fn(&ParticipantRow<'r>) -> &'r str| {
        d.participants
            .iter()
            .filter_map(move |p| epoch(f(&ParticipantRow(p))))
    };
    let lo = epoch(&h.start)
        .or_else(|| times(|p| p.join()).min())
        .into_iter()
        .chain(times(|p| p.waited_from()))
        .min()
        .unwrap_or(0);
    let hi = epoch(&h.end)
        .or_else(|| times(|p| p.leave()).max())
        .unwrap_or(lo + 1)
        .max(times(|p| p.leave()).max().unwrap_or(0))
        .max(times(|p| p.waited_to()).max().unwrap_or(0));
    // The chart's own ends (the waiting room may open before the meeting starts).
    let at = |t: i64| {
        chrono::DateTime::from_timestamp(t, 0)
            .map(|d| fmt_time(&crate::model::time::fmt_utc(d), local))
            .unwrap_or_default()
    };
    let cols = [
        Col::new("class", 9, 9),
        Col::new("name", 10, 40),
        Col::new("email", 12, 44),
        Col::new("ip", 7, 39),
        Col::new("location", 6, 24),
        Col::new("device", 6, 24),
        Col::new("version", 7, 12),
        // Wide enough for "12m left": how a wait ended is the point of the column.
        Col::new("waited", 8, 18),
    ];
    // The presence bar has a fifth of the width, never squeezed by the other columns, nor so
    // wide that it pushes itself off screen: what their narrowest leaves (with the marker
    // column, a space between columns and the box's border).
    let narrowest: usize = cols
        .iter()
        .map(|c| c.min.max(c.header.chars().count() as u16) as usize + 1)
        .sum::<usize>()
        + 4
        + 2;
    // On a wide terminal the bar also takes what the other columns' content leaves.
    let natural: usize = cols
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let widest = d
                .participants
                .iter()
                .map(|r| {
                    let p = ParticipantRow(r);
                    let cell = match i {
                        0 => r.badge.clone() + "!",
                        1 => clean(p.name()),
                        2 => clean(p.email()),
                        3 => clean(p.ip()),
                        4 => clean(p.location()),
                        5 => clean(p.device()),
                        6 => clean(p.version()),
                        _ => waited(&p),
                    };
                    unicode_width::UnicodeWidthStr::width(cell.as_str())
                })
                .max()
                .unwrap_or(0);
            widest.clamp(
                c.min.max(c.header.chars().count() as u16) as usize,
                c.max as usize,
            ) + 1
        })
        .sum::<usize>()
        + 4
        + 2;
    let bar_w = (table.width as usize / 5)
        .max((table.width as usize).saturating_sub(natural))
        .min((table.width as usize).saturating_sub(narrowest))
        .clamp(10, 120);
    let mut cols = cols.to_vec();
    cols.push(Col::new("presence", bar_w as u16, bar_w as u16));
    list_section(
        f,
        table,
        app,
        theme,
        &v.list,
        0..np,
        true,
        format!(
            " participants \u{b7} presence {} \u{2192} {} ({PRESENT} in the meeting, {WAITING} waiting room) ",
            at(lo),
            at(hi)
        ),
        &cols,
        &v.highlight,
        |r| {
            let p = ParticipantRow(r);
            let session = (r.tbl == "participants").then(|| {
                (
                    epoch(p.join()).unwrap_or(lo),
                    epoch(p.leave()).unwrap_or(hi),
                )
            });
            let wait = epoch(p.waited_from()).map(|a| (a, epoch(p.waited_to()).unwrap_or(hi)));
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
                Line::from(Span::styled(waited(&p), theme.fg("waiting"))),
                bar_line(
                    &presence_bar(lo, hi, session, wait, bar_w),
                    theme.class(&r.badge),
                    theme.fg("waiting"),
                ),
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
                    let c = RecordingRow(r);
                    dots(&[
                        clean(c.topic()),
                        crate::tui::widgets::count_of(c.files(), "file"),
                        crate::tui::widgets::human_bytes(c.bytes()),
                        super::recordings::deleted(c.deleted(), local),
                    ])
                } else {
                    // An operation (who, action, detail) or an instance (topic, sessions, uuid).
                    r.cells.iter().skip(1).map(|c| clean(c)).filter(|c| !c.is_empty()).collect::<Vec<_>>().join("  ")
                };
                vec![Line::from(Span::styled(label, theme.accent())), Line::from(fmt_time(&r.time, local)), Line::from(rest)]
            },
        );
    }
}

/// How long someone waited, and how it ended when not by admission: "2m", "12m left",
/// "waiting" (blank without a stay).
fn waited(p: &ParticipantRow) -> String {
    let how = match p.waited() {
        "" => return String::new(),
        "admitted" => "",
        "left" => "left",
        _ => "waiting",
    };
    let long = match span_len(p.waited_from(), p.waited_to()) {
        l if l.is_empty() && !p.waited_to().is_empty() => "<1m".to_string(),
        l => l,
    };
    [long.as_str(), how]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A presence bar with its waiting-room cells in their own colour.
fn bar_line(bar: &str, present: Style, waiting: Style) -> Line<'static> {
    let mut spans: Vec<Span<'static>> = vec![];
    let mut run = String::new();
    let mut cur: Option<char> = None;
    let flush = |run: &mut String, c: Option<char>, spans: &mut Vec<Span<'static>>| {
        if !run.is_empty() {
            let st = if c == Some(WAITING) { waiting } else { present };
            spans.push(Span::styled(std::mem::take(run), st));
        }
    };
    for ch in bar.chars() {
        let kind = Some(if ch == WAITING { WAITING } else { PRESENT });
        if kind != cur {
            flush(&mut run, cur, &mut spans);
            cur = kind;
        }
        run.push(ch);
    }
    flush(&mut run, cur, &mut spans);
    Line::from(spans)
}

/// The meeting history's `feature_used` flags that were on (remote control and file sharing
/// first) and the host's department.
fn features_line(h: &crate::store::read::meeting::Header, theme: &Theme) -> Line<'static> {
    let mut spans = vec![];
    if !h.department.is_empty() {
        spans.push(Span::raw(format!("dept {} \u{b7} ", clean(&h.department))));
    }
    spans.push(Span::styled("features used: ", theme.fg("dim")));
    match &h.features {
        None => spans.push(Span::styled(
            "unknown (no meeting history row)",
            theme.fg("dim"),
        )),
        Some(f) if f.is_empty() => spans.push(Span::raw("none")),
        Some(f) => {
            for (i, name) in f.iter().enumerate() {
                if i > 0 {
                    spans.push(Span::raw(", "));
                }
                let loud = matches!(
                    name.as_str(),
                    "remote control" | "file sharing" | "record to computer"
                );
                spans.push(if loud {
                    Span::styled(clean(name), theme.fg("error").add_modifier(Modifier::BOLD))
                } else {
                    Span::raw(clean(name))
                });
            }
        }
    }
    Line::from(spans)
}
