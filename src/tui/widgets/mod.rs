//! Small drawing helpers shared by the panes. Every string that came from the case goes
//! through [`clean`] (output::sanitize) before it reaches a widget.

pub mod table;
pub mod wrapped;

use super::app::{App, ListWin};
use super::theme::Theme;
use crate::store::read::search::Term;
use crate::store::read::{EvidenceSet, Row};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders};

/// Untrusted text made safe for the terminal.
pub fn clean(s: &str) -> String {
    crate::output::sanitize(s).into_owned()
}

/// Untrusted text made safe, with the words a search found in it in `style`. When the first
/// of them lies more than `lead` characters in, the text before it is cut to "…" and the
/// `lead` characters just before it, so the hit shows in a cell that would otherwise cut it off.
pub fn marked(s: &str, terms: &[Term], style: Style, lead: usize) -> Line<'static> {
    let c = clean(s);
    let ranges = crate::store::read::search::marks(&c, terms);
    let Some(first) = ranges.first() else {
        return Line::from(c);
    };
    let before = c[..first.start].chars().count();
    let mut from = 0;
    let mut spans = vec![];
    if before > lead {
        from = c[..first.start]
            .char_indices()
            .nth(before - lead)
            .map(|(i, _)| i)
            .unwrap_or(0);
        spans.push(Span::raw("\u{2026}"));
    }
    for r in ranges {
        if r.start > from {
            spans.push(Span::raw(c[from..r.start].to_string()));
        }
        spans.push(Span::styled(c[r.clone()].to_string(), style));
        from = r.end;
    }
    if from < c.len() {
        spans.push(Span::raw(c[from..].to_string()));
    }
    Line::from(spans)
}

/// A stored UTC time for display: `YYYY-MM-DD HH:MM:SS` in UTC, or local time when asked.
pub fn fmt_time(t: &str, local: bool) -> String {
    match crate::model::time::parse_time(t) {
        Some(d) if local => d
            .with_timezone(&chrono::Local)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string(),
        Some(d) => d.format("%Y-%m-%d %H:%M:%S").to_string(),
        None => clean(t),
    }
}

/// The marker column: evidence highlight, finding severity, annotations.
pub fn marker(row: &Row, highlight: &EvidenceSet, theme: &Theme) -> Line<'static> {
    let mut spans = vec![];
    if highlight.contains(&(row.tbl.to_string(), row.id)) {
        spans.push(Span::styled(
            "\u{25c6}",
            theme.fg("highlight").add_modifier(Modifier::BOLD),
        ));
    } else {
        spans.push(Span::raw(" "));
    }
    if row.rank >= 0 {
        spans.push(Span::styled("!", theme.severity(row.rank)));
    } else {
        spans.push(Span::raw(" "));
    }
    if row.notes.iter().any(|n| n == "\u{2605}") {
        spans.push(Span::styled("\u{2605}", theme.fg("medium")));
    } else if !row.notes.is_empty() {
        spans.push(Span::styled("#", theme.fg("accent")));
    } else {
        spans.push(Span::raw(" "));
    }
    Line::from(spans)
}

/// Draw the top view's list as a table (its evidence rows marked); records the visible height
/// and the click target.
pub fn view_table<'a>(
    f: &mut Frame,
    area: Rect,
    app: &App,
    theme: &Theme,
    title: String,
    cols: &[table::Col],
    cells: impl Fn(&Row) -> Vec<Line<'a>>,
) {
    let v = app.view();
    list_section(
        f,
        area,
        app,
        theme,
        &v.list,
        0..v.list.rows.len(),
        true,
        title,
        cols,
        &v.highlight,
        cells,
    )
}

/// Draw rows `range` of a list as a table (a section of a pane that shows one list in several
/// boxes). The `primary` section sets the list's page height. Columns follow the content on
/// screen (see [`table`]); the marker and the first column stay when `←`/`→` scroll the rest.
#[allow(clippy::too_many_arguments)]
pub fn list_section<'a>(
    f: &mut Frame,
    area: Rect,
    app: &App,
    theme: &Theme,
    list: &ListWin,
    range: std::ops::Range<usize>,
    primary: bool,
    title: String,
    cols: &[table::Col],
    highlight: &EvidenceSet,
    cells: impl Fn(&Row) -> Vec<Line<'a>>,
) {
    let probe = Block::default().borders(Borders::ALL);
    let inner = probe.inner(area);
    let h = inner.height.saturating_sub(1) as usize; // header line
    if primary {
        list.height.set(h.max(1));
    }
    let in_range = range.contains(&list.sel);
    let sel = if in_range {
        list.sel - range.start
    } else {
        usize::MAX
    };
    let mut top = if primary {
        list.top.min(range.len().saturating_sub(1))
    } else {
        0
    };
    if in_range && sel >= top + h {
        top = sel + 1 - h.max(1);
    }
    if in_range && sel < top {
        top = sel;
    }
    let rows_slice = &list.rows[range.clone()];
    let shown: Vec<&Row> = rows_slice.iter().skip(top).take(h).collect();
    let mut all = vec![table::Col::new("", 3, 3)];
    all.extend_from_slice(cols);
    let hcol = if primary { list.hcol } else { 0 };
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(title, theme.accent()));
    let fit = table::draw(
        f,
        area,
        block,
        &all,
        theme.fg("dim").add_modifier(Modifier::BOLD),
        &shown,
        2,
        hcol,
        |r: &&Row| {
            let mut c = vec![marker(r, highlight, theme)];
            c.extend(cells(r));
            c
        },
        |i, r: &&Row| {
            let mut st = Style::default();
            if highlight.contains(&(r.tbl.to_string(), r.id)) {
                st = st.add_modifier(Modifier::BOLD);
            }
            if top + i == sel {
                st = st.patch(theme.selected());
            }
            st
        },
        0,
    );
    if primary {
        list.hmax.set(fit.hcol + fit.more_right);
        if fit.hcol > 0 || fit.more_right > 0 {
            let hint = format!(
                " \u{2190}/\u{2192} {} more column{} ",
                fit.hcol + fit.more_right,
                if fit.hcol + fit.more_right == 1 {
                    ""
                } else {
                    "s"
                }
            );
            let r = Rect {
                x: area.x + area.width.saturating_sub(hint.chars().count() as u16 + 1),
                y: area.bottom().saturating_sub(1),
                width: (hint.chars().count() as u16).min(area.width),
                height: 1,
            };
            f.render_widget(Span::styled(hint, theme.fg("accent")), r);
        }
    }
    if shown.is_empty() {
        let msg = if list.loading || !list.loaded {
            "loading\u{2026}"
        } else {
            "nothing here (filters? press c to clear)"
        };
        let r = Rect {
            x: inner.x + 1,
            y: inner.y + 1,
            width: inner.width.saturating_sub(2),
            height: 1.min(inner.height),
        };
        f.render_widget(Span::styled(msg, theme.fg("dim")), r);
    }
    let body = Rect {
        x: inner.x,
        y: inner.y + 1,
        width: inner.width,
        height: inner.height.saturating_sub(1),
    };
    app.hitboxes
        .borrow_mut()
        .lists
        .push((body, range.start + top));
}

/// "12 of 3,456" style position text for a list title.
pub fn position(list: &ListWin) -> String {
    let total = match list.total {
        Some(n) => fmt_count(n),
        None => "\u{2026}".into(),
    };
    if list.rows.is_empty() {
        return format!("0 of {total}");
    }
    let more = if list.at_start { "" } else { "\u{2191}" };
    let less = if list.at_end { "" } else { "\u{2193}" };
    format!(
        "row {}{}{} \u{b7} {} total",
        list.sel + 1,
        more,
        less,
        total
    )
}

pub use crate::output::thousands as fmt_count;

/// A byte count as a person writes it: "116 MB", "7.2 MB", "512 bytes" (decimal units, as
/// Zoom's own web portal shows sizes). Not a number: shown as it is.
pub fn human_bytes(raw: &str) -> String {
    let Ok(n) = raw.trim().parse::<u64>() else {
        return clean(raw);
    };
    if n < 1000 {
        return crate::output::plural(n as usize, "byte");
    }
    let mut f = n as f64;
    let mut unit = 0;
    const UNITS: [&str; 5] = ["bytes", "KB", "MB", "GB", "TB"];
    while f >= 999.95 && unit < UNITS.len() - 1 {
        f /= 1000.0;
        unit += 1;
    }
    if f >= 99.95 {
        format!("{f:.0} {}", UNITS[unit])
    } else {
        format!("{f:.1} {}", UNITS[unit])
    }
}

/// "1 guest", "3 guests": a count and its noun, for numbers read from the case as text.
pub fn count_of(raw: &str, noun: &str) -> String {
    match raw.trim().parse::<usize>() {
        Ok(n) => crate::output::plural(n, noun),
        Err(_) => String::new(),
    }
}

/// The local time zone, named: "Europe/Paris +01:00" (the offset now), or the offset alone.
pub fn local_zone() -> String {
    let off = chrono::Local::now().format("%:z").to_string();
    match iana_time_zone::get_timezone() {
        Ok(name) if !name.is_empty() => format!("{} {off}", clean(&name)),
        _ => format!("UTC{off}"),
    }
}

/// Glyphs of the presence chart: in the meeting, in its waiting room, absent.
pub const PRESENT: char = '\u{2588}';
pub const WAITING: char = '\u{2591}';
pub const ABSENT: char = '\u{b7}';

/// The cells of [lo, hi] that [a, b] covers (at least one: a blip still shows).
fn cells(lo: i64, hi: i64, a: i64, b: i64, width: usize) -> std::ops::Range<usize> {
    let span = (hi - lo) as f64;
    let x0 = (((a - lo) as f64 / span) * width as f64)
        .floor()
        .clamp(0.0, width as f64) as usize;
    let mut x1 = (((b - lo) as f64 / span) * width as f64)
        .ceil()
        .clamp(0.0, width as f64) as usize;
    if x1 <= x0 {
        x1 = (x0 + 1).min(width);
    }
    x0.min(width.saturating_sub(1))..x1
}

/// A presence bar: `width` cells over [lo, hi], [`PRESENT`] where the session [a, b] was in the
/// meeting and [`WAITING`] where `wait` was spent in its waiting room (a session wins a cell
/// both touch, so a short wait right before the join still shows as its own cell).
pub fn presence_bar(
    lo: i64,
    hi: i64,
    session: Option<(i64, i64)>,
    wait: Option<(i64, i64)>,
    width: usize,
) -> String {
    if width == 0 || hi <= lo {
        return String::new();
    }
    let mut out = vec![ABSENT; width];
    let mut s = session.map(|(a, b)| cells(lo, hi, a, b, width));
    if let Some((a, b)) = wait {
        let mut w = cells(lo, hi, a, b, width);
        // Keep a wait visible beside the session it led to: the cell before the join, or, at
        // the chart's very start, the session's first cell.
        if let Some(s) = &mut s
            && w.start >= s.start
            && w.start < s.end
        {
            if s.start > 0 {
                w = s.start - 1..s.start;
            } else if s.end > 1 {
                w = 0..1;
                s.start = 1;
            }
        }
        for c in &mut out[w] {
            *c = WAITING;
        }
    }
    if let Some(s) = s {
        for c in &mut out[s] {
            *c = PRESENT;
        }
    }
    out.into_iter().collect()
}

pub fn epoch(t: &str) -> Option<i64> {
    crate::model::time::parse_time(t).map(|d| d.timestamp())
}

/// A stored time in 11 columns (`MM-DD HH:MM`), for narrow panes.
pub fn fmt_time_short(t: &str, local: bool) -> String {
    let full = fmt_time(t, local);
    if full.len() == 19 && full.is_char_boundary(5) && full.is_char_boundary(16) {
        full[5..16].to_string()
    } else {
        full
    }
}

/// A triage state for a column: in full where there is room, else in at most 9 columns.
pub fn state_label(state: &str, wide: bool) -> String {
    let s = clean(state);
    if wide {
        return s;
    }
    match s.as_str() {
        "investigating" => "investig.".into(),
        "false-positive" => "false-pos".into(),
        _ => s,
    }
}

/// Style of a triage state: open states stand out, closed ones recede.
pub fn state_style(state: &str, theme: &Theme) -> Style {
    match state {
        "new" => theme.fg("accent"),
        "investigating" => theme.fg("medium").add_modifier(Modifier::BOLD),
        _ => theme.fg("dim"),
    }
}

/// How long from `first` to `last`, compactly ("", "45m", "3h", "2d").
pub fn span_len(first: &str, last: &str) -> String {
    let (Some(a), Some(b)) = (
        crate::model::time::parse_time(first),
        crate::model::time::parse_time(last),
    ) else {
        return String::new();
    };
    let s = (b - a).num_seconds().max(0);
    match s {
        s if s < 60 => String::new(),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 2 * 86400 => format!("{}h", (s + 1800) / 3600),
        s => format!("{}d", (s + 43200) / 86400),
    }
}

/// Clean text cut to `n` columns with an ellipsis, for columns that would clip it silently.
pub fn fit(s: &str, n: usize) -> String {
    let c = clean(s);
    if c.chars().count() <= n || n == 0 {
        return c;
    }
    c.chars().take(n - 1).collect::<String>() + "\u{2026}"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presence_bar_covers_the_session() {
        assert_eq!(presence_bar(0, 100, Some((0, 50)), None, 10), "█████·····");
        assert_eq!(
            presence_bar(0, 100, Some((90, 100)), None, 10),
            "·········█"
        );
        // A blip still shows.
        assert_eq!(presence_bar(0, 100, Some((40, 40)), None, 10), "····█·····");
        // The waiting room before the join, in its own glyph.
        assert_eq!(
            presence_bar(0, 100, Some((50, 100)), Some((20, 50)), 10),
            "··░░░█████"
        );
        // A wait too short for a cell of its own still shows, just before the session.
        assert_eq!(
            presence_bar(0, 100, Some((52, 100)), Some((51, 52)), 10),
            "····░█████"
        );
        // Waited from the chart's start: the first cell is the wait's.
        assert_eq!(
            presence_bar(0, 100, Some((2, 100)), Some((0, 2)), 10),
            "░█████████"
        );
        // Waited, never admitted: the wait alone.
        assert_eq!(presence_bar(0, 100, None, Some((10, 30)), 10), "·░░·······");
    }

    #[test]
    fn sizes_and_counts_read_as_a_person_writes_them() {
        assert_eq!(human_bytes("116367948"), "116 MB");
        assert_eq!(human_bytes("7219573"), "7.2 MB");
        assert_eq!(human_bytes("1"), "1 byte");
        assert_eq!(human_bytes("999"), "999 bytes");
        assert_eq!(human_bytes(""), "");
        assert_eq!(count_of("1", "guest"), "1 guest");
        assert_eq!(count_of("2", "guest"), "2 guests");
        assert_eq!(count_of("", "guest"), "");
    }

    #[test]
    fn marked_text_highlights_the_words_and_brings_a_late_one_into_view() {
        let t = crate::store::read::search::terms("wire");
        let hot = Style::default().add_modifier(Modifier::UNDERLINED);
        let l = marked("please wire it", &t, hot, 40);
        assert_eq!(l.to_string(), "please wire it");
        assert_eq!(l.spans[1].content, "wire");
        assert_eq!(l.spans[1].style, hot);
        let long = format!("{} wire now", "x".repeat(100));
        let l = marked(&long, &t, hot, 20);
        assert!(l.to_string().starts_with('\u{2026}'), "{l}");
        assert!(l.to_string().ends_with(" wire now"));
        assert!(l.width() < 30);
        // Hostile text stays escaped around the marks.
        let l = marked("wire\x1b[2J", &t, hot, 40);
        assert_eq!(l.to_string(), "wire\\x1b[2J");
    }

    #[test]
    fn counts_have_separators() {
        assert_eq!(fmt_count(5_000_123), "5,000,123");
        assert_eq!(fmt_count(12), "12");
    }

    #[test]
    fn narrow_cells_cut_with_an_ellipsis_and_spans_read_short() {
        assert_eq!(
            fit("external-in-sensitive-meeting", 10),
            "external-\u{2026}"
        );
        assert_eq!(fit("short", 10), "short");
        assert_eq!(state_label("false-positive", false), "false-pos");
        assert_eq!(state_label("false-positive", true), "false-positive");
        assert_eq!(
            span_len("2024-06-10T06:10:00Z", "2024-06-10T07:30:00Z"),
            "1h"
        );
        assert_eq!(span_len("2024-06-10T06:10:00Z", "2024-06-10T06:10:30Z"), "");
        assert_eq!(fmt_time_short("2024-06-10T06:10:00Z", false), "06-10 06:10");
    }
}
