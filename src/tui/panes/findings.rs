//! Findings queue (severity, then newest) with the selected finding's evidence below it; the
//! bookmarks list; and what findings do wherever they are listed (here and in a story): their
//! cells, Enter to what they are about, `T` a verdict, `J`/`K`/`D` their evidence.

use crate::detect::triage::{State as TriageState, Target as TriageTarget};
use crate::store::read::annotations::BookmarkRow;
use crate::store::read::findings::FindingRow;
use crate::store::read::incidents::IncidentRow;
use crate::store::read::timeline::Subject;
use crate::store::read::{self, Cursor, Key, Row};
use crate::tui::app::{App, Effect, Mode, PaneKind, Target, View};
use crate::tui::keymap::Cmd;
use crate::tui::theme::Theme;
use crate::tui::widgets::table::Col;
use crate::tui::widgets::{
    clean, fmt_time, fmt_time_short, position, state_label, state_style, view_table,
};
use crate::tui::worker::{ListQuery, Query, Slot};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};

pub struct Findings;
pub struct Bookmarks;

impl super::Pane for Findings {
    fn list(&self, _: &Target) -> Option<ListQuery> {
        Some(ListQuery::Findings)
    }
    fn headers(&self) -> &'static [&'static str] {
        &read::findings::CELLS
    }
    fn enter(&self, app: &mut App, row: &Row) -> Vec<Effect> {
        enter_finding(app, row)
    }
    fn on_cmd(&self, app: &mut App, c: Cmd) -> Option<Vec<Effect>> {
        finding_cmd(app, c)
    }
    fn draw(&self, f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
        draw(f, area, app, theme)
    }
}

impl super::Pane for Bookmarks {
    fn list(&self, _: &Target) -> Option<ListQuery> {
        Some(ListQuery::Bookmarks)
    }
    fn headers(&self) -> &'static [&'static str] {
        &["annotated", "table", "record", "text", "record summary"]
    }
    fn enter(&self, app: &mut App, row: &Row) -> Vec<Effect> {
        let l = &row.link;
        if l.recording.is_some() {
            app.pivot_recording_of(l)
        } else if l.meeting_uuid.is_some() {
            app.pivot_meeting_of(l)
        } else {
            app.pivot_user_of(l)
        }
    }
    fn on_cmd(&self, app: &mut App, c: Cmd) -> Option<Vec<Effect>> {
        // A bookmark row stands for the record it is on.
        let row = app.view().list.selected()?.clone();
        match c {
            Cmd::Inspect => {
                let b = BookmarkRow(&row);
                Some(match b.record().parse() {
                    Ok(id) => app.inspect(b.table().to_string(), id),
                    Err(_) => app.say("this annotation names no record"),
                })
            }
            _ => None,
        }
    }
    fn draw(&self, f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
        draw_bookmarks(f, area, app, theme)
    }
}

/// Enter on a finding: its user, else its meeting, recording or IP, with its evidence
/// highlighted (and the timeline opened an hour before it).
pub(crate) fn enter_finding(app: &mut App, row: &Row) -> Vec<Effect> {
    let l = &row.link;
    let mut nv = if let Some(u) = &l.user {
        app.timeline_view(Subject::User(u.clone()))
    } else if let Some(m) = &l.meeting_uuid {
        View::new(
            PaneKind::Meeting,
            Target::Meeting(read::meeting::MeetingRef::Uuid(m.clone())),
        )
    } else if let Some(m) = l.meeting_id {
        View::new(
            PaneKind::Meeting,
            Target::Meeting(read::meeting::MeetingRef::Id(m)),
        )
    } else if let Some(r) = &l.recording {
        View::new(PaneKind::Recording, Target::Recording(r.clone()))
    } else if let Some(ip) = &l.ip {
        app.timeline_view(Subject::Ip(ip.clone()))
    } else {
        return app.say("this finding names no user, meeting, recording or IP");
    };
    if nv.kind == PaneKind::Timeline {
        nv.start = Cursor::After(Key {
            t: crate::tui::app::minus_hours(&row.time, 1),
            s: -1,
            id: -1,
        });
    }
    nv.evidence_of = Some(row.id);
    if let Some(p) = &app.preview
        && p.finding == row.id
    {
        nv.highlight = p.set.clone();
    }
    let mut fx = app.push(nv);
    if app.view().highlight.is_empty() {
        fx.push(app.req(Slot::Side, Query::Evidence { finding: row.id }));
    }
    fx
}

/// The commands a listed finding answers: `T` a verdict, `J`/`K` choose in its evidence, `D`
/// inspect the chosen record.
pub(crate) fn finding_cmd(app: &mut App, c: Cmd) -> Option<Vec<Effect>> {
    Some(match c {
        Cmd::Triage => open_triage(app),
        Cmd::EvidenceDown => move_evidence(app, 1),
        Cmd::EvidenceUp => move_evidence(app, -1),
        Cmd::InspectEvidence => match app.evidence_item().cloned() {
            Some(item) => app.inspect(item.tbl, item.id),
            None => {
                app.say("no evidence record chosen: select a finding (J/K choose its evidence)")
            }
        },
        _ => return None,
    })
}

fn move_evidence(app: &mut App, d: i64) -> Vec<Effect> {
    let n = match (&app.preview, app.view().list.selected()) {
        (Some(p), Some(r)) if r.tbl == "findings" && p.finding == r.id => p.items.len(),
        _ => return app.say("no evidence here: select a finding"),
    };
    if n > 0 {
        app.ev_sel = (app.ev_sel as i64 + d).clamp(0, n as i64 - 1) as usize;
    }
    vec![]
}

/// `T`: the verdict popup on the selected finding or incident, on its current state and reason
/// (Ctrl-U clears the reason).
pub(crate) fn open_triage(app: &mut App) -> Vec<Effect> {
    let Some(row) = app.view().list.selected().cloned() else {
        return app.say("select a finding or an incident to triage (T)");
    };
    let (target, state, reason, what) = match row.tbl {
        "findings" => {
            let f = FindingRow(&row);
            (
                TriageTarget::Finding(row.id),
                f.state(),
                f.reason(),
                f.rule(),
            )
        }
        "incidents" => {
            let i = IncidentRow(&row);
            (
                TriageTarget::Incident(row.id),
                i.state(),
                i.reason(),
                i.title(),
            )
        }
        _ => return app.say("select a finding or an incident to triage (T)"),
    };
    let state = TriageState::parse(state)
        .and_then(|st| TriageState::ALL.iter().position(|x| *x == st))
        .unwrap_or(0);
    app.mode = Mode::Triage {
        target,
        label: format!("{target} {what}"),
        state,
        reason: reason.to_string(),
    };
    vec![]
}

/// A finding's cell for the column named `col` (the queue and a story show different columns
/// of the same rows).
pub(crate) fn finding_cell(
    r: &Row,
    col: &str,
    theme: &Theme,
    local: bool,
    wide: bool,
) -> Line<'static> {
    let c = FindingRow(r);
    match col {
        "severity" => Line::from(Span::styled(clean(c.severity()), theme.severity(r.rank))),
        "time" if wide => Line::from(fmt_time(c.time(), local)),
        "time" => Line::from(fmt_time_short(c.time(), local)),
        "inc" => Line::from(clean(c.incident())),
        "state" => Line::from(Span::styled(
            state_label(c.state(), wide),
            state_style(c.state(), theme),
        )),
        "rule" => Line::from(clean(c.rule())),
        "technique" => Line::from(clean(c.technique())),
        "user" => Line::from(clean(c.user())),
        // The analyst's tags and notes follow the summary.
        "summary" if !r.notes.is_empty() => Line::from(vec![
            Span::raw(clean(c.summary())),
            Span::styled(
                format!("  {}", clean(&r.notes.join(" "))),
                theme.fg("medium"),
            ),
        ]),
        "summary" => Line::from(clean(c.summary())),
        "why" if c.why().is_empty() => Line::from(clean(c.summary())),
        "why" => Line::from(clean(c.why())),
        _ => Line::default(),
    }
}

/// Findings as a table of `cols` (named as [`finding_cell`] knows them).
pub(crate) fn draw_findings(
    f: &mut Frame,
    area: Rect,
    app: &App,
    theme: &Theme,
    title: String,
    cols: &[Col],
) {
    let local = app.local_time;
    // Full times and states where the terminal is wide; every other width follows the content.
    let wide = area.width >= 160;
    view_table(f, area, app, theme, title, cols, |r| {
        cols.iter()
            .map(|c| finding_cell(r, &c.header, theme, local, wide))
            .collect()
    });
}

fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let v = app.view();
    // The queue takes the lines its rows need, up to three fifths; the evidence box the rest.
    let need = (v.list.total.unwrap_or(v.list.rows.len() as u64) as u16).saturating_add(3);
    let list_h = need.clamp(6, (area.height * 3 / 5).max(6));
    let [top, bottom] =
        Layout::vertical([Constraint::Length(list_h), Constraint::Min(8)]).areas(area);
    let no_table = app.info.as_ref().is_some_and(|i| !i.detect_ran);
    let title = if no_table {
        " Findings \u{b7} none in this case yet: run `zoomlens detect CASE` ".to_string()
    } else {
        format!(" Findings \u{b7} {} ", position(&v.list))
    };
    draw_findings(
        f,
        top,
        app,
        theme,
        title,
        &[
            Col::new("severity", 8, 8),
            Col::new("time", 11, 19),
            Col::new("inc", 3, 5),
            Col::new("state", 9, 14),
            Col::new("rule", 12, 37),
            Col::new("user", 12, 40),
            Col::new("summary", 24, 0),
        ],
    );
    super::evidence::draw(f, bottom, app, theme, v.list.selected());
}

fn draw_bookmarks(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let v = app.view();
    let local = app.local_time;
    view_table(
        f,
        area,
        app,
        theme,
        format!(
            " Bookmarks, tags and notes \u{b7} {} \u{b7} :export bookmarks md FILE ",
            position(&v.list)
        ),
        &[
            Col::new("when", 19, 19),
            Col::new("kind", 4, 8),
            Col::new("record", 10, 24),
            Col::new("text", 8, 40),
            Col::new("summary", 20, 0),
        ],
        |r| {
            let b = BookmarkRow(r);
            vec![
                Line::from(fmt_time(b.at(), local)),
                Line::from(clean(&r.kind)),
                Line::from(format!("{} #{}", clean(b.table()), clean(b.record()))),
                Line::from(clean(b.text())),
                Line::from(clean(b.summary())),
            ]
        },
    );
}
