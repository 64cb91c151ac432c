//! Drawing: a pure function of the app state (never a query). Layout: tabs, breadcrumb,
//! filter chips, the pane, a status line; popups for help, the palette and search.

use super::app::{App, Mode, TABS};
use super::panes;
use super::theme::Theme;
use super::widgets::{clean, fmt_time, fmt_time_short, marked};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

pub fn draw(f: &mut Frame, app: &App, theme: &Theme) {
    let area = f.area();
    app.hitboxes.borrow_mut().tabs.clear();
    app.hitboxes.borrow_mut().lists.clear();
    let [tabs, crumbs, chips, main, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_tabs(f, tabs, app, theme);
    draw_breadcrumb(f, crumbs, app, theme);
    draw_chips(f, chips, app, theme);
    panes::of(app.view().kind).draw(f, main, app, theme);
    if app.mode == Mode::Inspect {
        super::inspector::draw(f, main, &app.inspector, app.local_time, theme);
    }
    draw_status(f, status, app, theme);
    match &app.mode {
        Mode::Help { scroll } => draw_help(f, area, app, theme, *scroll),
        Mode::Palette { input } => draw_palette(f, area, input, theme),
        Mode::Search { input } => draw_search(f, area, app, input, theme),
        Mode::Triage {
            label,
            state,
            reason,
            ..
        } => draw_triage(f, area, label, *state, reason, theme),
        _ => {}
    }
}

fn draw_tabs(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let cur = app.view().kind.tab();
    let mut spans = vec![];
    let mut x = area.x;
    // Digits 1-9 then 0, as the keys; titles shortened (the current one kept whole) when all
    // of them would leave no room for the time zone.
    let full: usize = TABS.iter().map(|k| k.title().chars().count() + 4).sum();
    let short = full + 12 > area.width as usize;
    for (i, k) in TABS.iter().enumerate() {
        let title: String = if short && *k != cur {
            k.title().chars().take(4).collect()
        } else {
            k.title().to_string()
        };
        let label = format!(" {} {} ", (i + 1) % 10, title);
        let w = label.chars().count() as u16;
        let st = if *k == cur {
            theme.selected().add_modifier(Modifier::BOLD)
        } else {
            theme.fg("dim")
        };
        app.hitboxes.borrow_mut().tabs.push((
            Rect {
                x,
                y: area.y,
                width: w,
                height: 1,
            },
            *k,
        ));
        x += w;
        spans.push(Span::styled(label, st));
    }
    let tz = if app.local_time {
        format!("local: {}", super::widgets::local_zone())
    } else {
        "UTC".to_string()
    };
    let used: usize = spans.iter().map(|s| s.content.chars().count()).sum();
    // The case name where it fits, else cut short (the time zone always shows).
    let room = (area.width as usize).saturating_sub(used + tz.len() + 5);
    let name = clean(&app.case_name);
    let name = if name.chars().count() > room {
        name.chars()
            .take(room.saturating_sub(1))
            .collect::<String>()
            + "\u{2026}"
    } else {
        name
    };
    let right = format!(" {name} \u{b7} {tz} ");
    let pad = (area.width as usize).saturating_sub(used + right.chars().count());
    spans.push(Span::raw(" ".repeat(pad)));
    spans.push(Span::styled(right, theme.accent()));
    f.render_widget(Line::from(spans), area);
}

fn draw_breadcrumb(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let labels: Vec<String> = app
        .views
        .iter()
        .map(|v| {
            let l = clean(&v.label());
            if l.chars().count() > 40 {
                l.chars().take(39).collect::<String>() + "\u{2026}"
            } else {
                l
            }
        })
        .collect();
    let back = if labels.len() > 1 {
        "   (Esc back)"
    } else {
        ""
    };
    let room = (area.width as usize).saturating_sub(3 + back.len());
    let shown = elide_trail(&labels, room);
    let mut spans = vec![Span::styled(" \u{2302} ", theme.fg("dim"))];
    let n = shown.len();
    for (i, l) in shown.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" \u{203a} ", theme.fg("dim")));
        }
        let st = if i + 1 == n {
            theme.accent()
        } else {
            theme.fg("dim")
        };
        spans.push(Span::styled(l, st));
    }
    spans.push(Span::styled(back, theme.fg("dim")));
    f.render_widget(Line::from(spans), area);
}

/// The trail in `room` columns: whole when it fits, else its start and as much of its end as
/// fits, the middle replaced by "…" (the current view is always shown).
pub fn elide_trail(labels: &[String], room: usize) -> Vec<String> {
    let w = |ls: &[String]| -> usize {
        ls.iter().map(|l| l.chars().count()).sum::<usize>() + 3 * ls.len().saturating_sub(1)
    };
    if w(labels) <= room || labels.len() <= 2 {
        return labels.to_vec();
    }
    let mut tail: Vec<String> = vec![labels[labels.len() - 1].clone()];
    for l in labels[1..labels.len() - 1].iter().rev() {
        let mut t = vec![labels[0].clone(), "\u{2026}".to_string(), l.clone()];
        t.extend(tail.iter().cloned());
        if w(&t) > room {
            break;
        }
        tail.insert(0, l.clone());
    }
    let mut out = vec![labels[0].clone(), "\u{2026}".to_string()];
    out.extend(tail);
    out
}

fn draw_chips(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let fl = &app.filter;
    let mut chips: Vec<String> = vec![];
    if fl.external_only {
        chips.push("external only".into());
    }
    if let Some(d) = &fl.domain {
        chips.push(format!("domain {}", clean(d)));
    }
    if fl.suspicious_only {
        chips.push("suspicious only".into());
    }
    if fl.open_only {
        chips.push("open only".into());
    }
    if let Some(s) = fl.min_severity {
        chips.push(format!(
            "severity \u{2265} {}",
            crate::store::read::severity_name(s)
        ));
    }
    if fl.from.is_some() || fl.to.is_some() {
        let a = fl
            .from
            .as_deref()
            .map(|t| fmt_time(t, app.local_time))
            .unwrap_or_else(|| "start".into());
        let b = fl
            .to
            .as_deref()
            .map(|t| fmt_time(t, app.local_time))
            .unwrap_or_else(|| "end".into());
        chips.push(format!("{a} \u{2192} {b}"));
    }
    let ef = app.eff_filter();
    match &app.mode {
        Mode::FilterText { input, .. } => chips.push(format!("text \"{}\u{2588}\"", clean(input))),
        _ => {
            if let Some(t) = &ef.text {
                chips.push(format!("text \"{}\"", clean(t)));
            }
            if let Some(t) = &ef.tag {
                chips.push(format!("tag #{}", clean(t)));
            }
        }
    }
    // The ledger's chips belong to the view they were set on (they leave with it on Esc).
    for (k, v) in [
        ("operator", &ef.operator),
        ("category", &ef.category),
        ("action", &ef.action),
    ] {
        if let Some(v) = v {
            chips.push(format!("{k} {}", clean(v)));
        }
    }
    let mut spans = vec![Span::styled(" filters: ", theme.fg("dim"))];
    if chips.is_empty() {
        spans.push(Span::styled(
            "none  (x external \u{b7} s suspicious \u{b7} O open \u{b7} v severity \u{b7} f text \u{b7} +/- time \u{b7} c clear)",
            theme.fg("dim"),
        ));
    }
    for c in chips {
        spans.push(Span::styled(
            format!("[{c}]"),
            theme.fg("chip").add_modifier(Modifier::BOLD),
        ));
        spans.push(Span::raw(" "));
    }
    f.render_widget(Line::from(spans), area);
}

fn draw_status(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let line = match &app.mode {
        Mode::Palette { input } => prompt(":", input, theme),
        Mode::Search { input } => prompt("/", input, theme),
        Mode::Triage { .. } => Line::from(vec![Span::styled(
            " verdict: \u{2191}/\u{2193} state \u{b7} type the reason \u{b7} Enter records \u{b7} Esc cancels",
            theme.accent(),
        )]),
        Mode::Tag { input } => prompt("tag: ", input, theme),
        Mode::Note { input } => prompt("note: ", input, theme),
        Mode::FilterText { input, .. } => {
            let mut l = prompt("filter: ", input, theme);
            l.push_span(Span::styled(
                "  (applies as you type; Enter keeps, Esc undoes)",
                theme.fg("dim"),
            ));
            l
        }
        _ => {
            let mut spans = vec![];
            if !app.status.is_empty() {
                let st = if app.status.starts_with("error") {
                    theme.fg("error")
                } else {
                    theme.fg("accent")
                };
                spans.push(Span::styled(format!(" {} ", clean(&app.status)), st));
            }
            let ctx = [("user", &app.ctx.user), ("meeting", &app.ctx.meeting)]
                .iter()
                .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k} {}", clean(v))))
                .collect::<Vec<_>>()
                .join(" \u{b7} ");
            if !ctx.is_empty() {
                spans.push(Span::styled(format!(" linked: {ctx} "), theme.fg("dim")));
            }
            // The longest key hint that fits beside the status and the links: "q quit" is
            // never cut in half at 100 columns.
            let used: usize = spans.iter().map(|s| s.content.chars().count()).sum();
            let room = (area.width as usize).saturating_sub(used);
            let hint = [
                " ? help  : commands  / search  Enter pivot  Esc back  q quit ",
                " ? help  : commands  / search  q quit ",
                " ? help  q quit ",
            ]
            .into_iter()
            .find(|h| h.len() <= room)
            .unwrap_or("");
            let pad = room.saturating_sub(hint.len());
            spans.push(Span::raw(" ".repeat(pad)));
            spans.push(Span::styled(hint, theme.fg("dim")));
            Line::from(spans)
        }
    };
    f.render_widget(line, area);
}

/// A prompt on the status line: its label, what is typed so far (made safe), a cursor.
fn prompt(label: &'static str, input: &str, theme: &Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(label, theme.accent()),
        Span::raw(clean(input)),
        Span::raw("\u{2588}"),
    ])
}

fn popup(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width.saturating_sub(2));
    let h = h.min(area.height.saturating_sub(2));
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

fn draw_help(f: &mut Frame, area: Rect, app: &App, theme: &Theme, scroll: usize) {
    let r = popup(area, 78, area.height.saturating_sub(4));
    f.render_widget(Clear, r);
    let mut lines = vec![
        Line::styled(
            "Keys (from the keymap; override in ~/.config/zoomlens/keymap.toml)",
            theme.accent(),
        ),
        Line::raw(""),
    ];
    for (keys, help) in app.keymap.help_lines() {
        lines.push(Line::from(vec![
            Span::styled(format!("{keys:>22}  "), theme.fg("chip")),
            Span::raw(help),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("Commands (:)", theme.accent()));
    for (c, h) in App::palette_commands() {
        lines.push(Line::from(vec![
            Span::styled(format!("  {c}"), theme.fg("chip")),
            Span::raw(format!("  {h}")),
        ]));
    }
    let p = Paragraph::new(lines).scroll((scroll as u16, 0)).block(
        Block::default()
            .borders(Borders::ALL)
            .title(" help \u{b7} j/k scroll \u{b7} any other key closes "),
    );
    f.render_widget(p, r);
}

fn draw_palette(f: &mut Frame, area: Rect, input: &str, theme: &Theme) {
    let cmds: Vec<_> = App::palette_commands()
        .iter()
        .filter(|(c, _)| {
            let w = input.split_whitespace().next().unwrap_or("");
            c.starts_with(w)
        })
        .collect();
    let h = (cmds.len() as u16 + 2)
        .min(area.height.saturating_sub(4))
        .max(3);
    let r = above_bottom(f, area, h, 90);
    let lines: Vec<Line> = cmds
        .iter()
        .map(|(c, h)| {
            Line::from(vec![
                Span::styled(format!("{c:<44}"), theme.fg("chip")),
                Span::styled(*h, theme.fg("dim")),
            ])
        })
        .collect();
    f.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" commands \u{b7} Tab completes \u{b7} Enter runs "),
        ),
        r,
    );
}

/// A cleared popup `h` rows tall and at most `max_width` wide, just above the bottom line of
/// `area` (the prompt's completions, the search hits).
fn above_bottom(f: &mut Frame, area: Rect, h: u16, max_width: u16) -> Rect {
    let r = Rect {
        x: area.x + 1,
        y: area.bottom().saturating_sub(h + 1),
        width: area.width.saturating_sub(2).min(max_width),
        height: h,
    };
    f.render_widget(Clear, r);
    r
}

fn draw_search(f: &mut Frame, area: Rect, app: &App, input: &str, theme: &Theme) {
    let hits = &app.search.hits;
    let h = (hits.len().min(12) as u16 + 2).max(3);
    let r = above_bottom(f, area, h, 100);
    let title = if app.search.pending {
        format!(" search \"{}\" \u{2026} ", clean(input))
    } else {
        format!(
            " {} hits \u{b7} \u{2191}/\u{2193} choose \u{b7} Enter opens \u{b7} n/N later ",
            hits.len()
        )
    };
    let start = app.search.idx.saturating_sub(11);
    let terms = crate::store::read::search::terms(&app.search.query);
    let width = r.width.saturating_sub(2) as usize;
    let lines: Vec<Line> = hits
        .iter()
        .enumerate()
        .skip(start)
        .take(12)
        .map(|(i, hit)| {
            let st = if i == app.search.idx {
                theme.selected()
            } else {
                ratatui::style::Style::default()
            };
            let mut spans = vec![Span::styled(format!("{:>9}  ", hit.kind), theme.fg("dim"))];
            match &hit.record {
                // A word inside a message or an operation: when, who, and the words in it.
                Some(rec) => {
                    spans.push(Span::styled(
                        format!(
                            "{} {}  ",
                            fmt_time_short(&rec.time, app.local_time),
                            clean(&rec.who)
                        ),
                        theme.fg("dim"),
                    ));
                    // The words brought into view, with what context fits before them.
                    let used: usize = spans.iter().map(|s| s.width()).sum();
                    let lead = width.saturating_sub(used + 16).max(8);
                    spans.extend(marked(&hit.value, &terms, theme.found(), lead).spans);
                }
                None => spans.push(Span::raw(clean(&hit.value))),
            }
            super::widgets::table::cut(Line::from(spans), width).style(st)
        })
        .collect();
    f.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(title)),
        r,
    );
}

/// The verdict popup: the five states (the chosen one marked) and the reason being typed.
fn draw_triage(f: &mut Frame, area: Rect, label: &str, state: usize, reason: &str, theme: &Theme) {
    use crate::detect::triage::State;
    let r = popup(area, 64, State::ALL.len() as u16 + 7);
    f.render_widget(Clear, r);
    let mut lines = vec![];
    for (i, s) in State::ALL.iter().enumerate() {
        let (mark, st) = if i == state {
            ("(\u{2022}) ", theme.selected())
        } else {
            ("( ) ", ratatui::style::Style::default())
        };
        let what = match s {
            State::New => "not looked at yet",
            State::Investigating => "being looked at",
            State::FalsePositive => "the rule was wrong",
            State::Benign => "true but expected",
            State::Resolved => "dealt with",
        };
        lines.push(Line::from(vec![
            Span::styled(format!(" {mark}{:<15}", s.as_str()), st),
            Span::styled(format!(" {what}"), theme.fg("dim")),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        Span::styled(" reason: ", theme.accent()),
        Span::raw(clean(reason)),
        Span::raw("\u{2588}"),
    ]));
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        " \u{2191}/\u{2193} state \u{b7} type \u{b7} Enter records \u{b7} Esc cancels",
        theme.fg("dim"),
    ));
    let title = format!(" verdict on {} ", clean(label));
    let title: String = if title.chars().count() > 60 {
        title.chars().take(58).collect::<String>() + "\u{2026} "
    } else {
        title
    };
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::default().borders(Borders::ALL).title(title)),
        r,
    );
}
