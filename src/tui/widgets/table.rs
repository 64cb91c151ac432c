//! The one table every pane draws with (findings, story, incidents, timeline, meeting, ledger,
//! recordings, bookmarks, graph, SQL): column widths follow the content of the rows on screen
//! and the terminal's width; what does not fit scrolls sideways (`←`/`→`), a column at a time,
//! the first column staying put.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Row, Table};

/// A column: its header, the narrowest it may be squeezed to, and the widest its content may
/// make it (0: no limit, and it takes what room is left).
#[derive(Clone, Debug)]
pub struct Col {
    pub header: std::borrow::Cow<'static, str>,
    pub min: u16,
    pub max: u16,
}

impl Col {
    pub const fn new(header: &'static str, min: u16, max: u16) -> Col {
        Col {
            header: std::borrow::Cow::Borrowed(header),
            min,
            max,
        }
    }
}

/// Where the columns landed: widths of the columns shown (None: scrolled off) and how many
/// columns can still scroll in on the right.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fit {
    pub widths: Vec<Option<u16>>,
    pub more_right: usize,
    /// The scroll offset actually used (clamped).
    pub hcol: usize,
}

/// Lay out columns of natural (content) widths `want` in `room` columns with one space between
/// them: shrink the widest towards their minimum, give what is left to the unlimited columns,
/// and when even the minimums do not fit, scroll: the first `frozen` columns stay, the others
/// start `hcol` columns further right.
pub fn fit(cols: &[Col], want: &[u16], room: u16, frozen: usize, hcol: usize) -> Fit {
    let n = cols.len();
    let gap = |k: usize| k.saturating_sub(1) as u16;
    let mut w: Vec<u16> = (0..n)
        .map(|i| {
            let min = cols[i].min.max(cols[i].header.chars().count() as u16);
            let cap = if cols[i].max == 0 {
                u16::MAX
            } else {
                cols[i].max
            };
            want[i].clamp(min, cap.max(min))
        })
        .collect();
    let mins: Vec<u16> = (0..n)
        .map(|i| cols[i].min.max(cols[i].header.chars().count() as u16))
        .collect();
    // Which columns are shown: all, or the first plus a window starting at hcol.
    let mut shown: Vec<usize> = (0..n).collect();
    let min_total = |s: &[usize]| s.iter().map(|&i| mins[i]).sum::<u16>() + gap(s.len());
    let frozen = frozen.min(n.saturating_sub(1));
    let mut hcol = hcol.min(n.saturating_sub(frozen + 1));
    if min_total(&shown) > room && n > frozen {
        loop {
            let mut s: Vec<usize> = (0..frozen).collect();
            for i in (frozen + hcol)..n {
                s.push(i);
                if min_total(&s) > room {
                    s.pop();
                    break;
                }
            }
            shown = s;
            // Scrolled past the point where the last column is in view: scroll back.
            if hcol > 0 && shown.last() == Some(&(n - 1)) && {
                let mut t = shown.clone();
                t.insert(frozen, frozen + hcol - 1);
                min_total(&t) <= room
            } {
                hcol -= 1;
                continue;
            }
            break;
        }
    } else {
        hcol = 0;
    }
    let total = |w: &[u16], s: &[usize]| s.iter().map(|&i| w[i]).sum::<u16>() + gap(s.len());
    // Shrink the widest shown column (down to its minimum) until the row fits.
    while total(&w, &shown) > room {
        let Some(&i) = shown
            .iter()
            .filter(|&&i| w[i] > mins[i])
            .max_by_key(|&&i| w[i] - mins[i])
        else {
            break;
        };
        w[i] -= 1;
    }
    // Room left: to the unlimited columns (else the last shown).
    let used = total(&w, &shown);
    if used < room {
        let extra = room - used;
        let flex: Vec<usize> = shown
            .iter()
            .copied()
            .filter(|&i| cols[i].max == 0)
            .collect();
        let flex = if flex.is_empty() {
            vec![*shown.last().unwrap_or(&0)]
        } else {
            flex
        };
        let each = extra / flex.len() as u16;
        for (k, &i) in flex.iter().enumerate() {
            w[i] += each + u16::from((k as u16) < extra % flex.len() as u16);
        }
    }
    let last = *shown.last().unwrap_or(&0);
    Fit {
        widths: (0..n).map(|i| shown.contains(&i).then_some(w[i])).collect(),
        more_right: n.saturating_sub(last + 1),
        hcol,
    }
}

/// Draw `rows` as a table in `area` (inside `block`): `cells` gives each row's cells as lines
/// (their widths size the columns), `style` each row's style. Returns the fit, so a caller can
/// say that columns are scrolled off.
#[allow(clippy::too_many_arguments)]
pub fn draw<'a, T>(
    f: &mut Frame,
    area: Rect,
    block: Block<'a>,
    cols: &[Col],
    header_style: Style,
    rows: &[T],
    frozen: usize,
    hcol: usize,
    cells: impl Fn(&T) -> Vec<Line<'a>>,
    style: impl Fn(usize, &T) -> Style,
    first_index: usize,
) -> Fit {
    let inner = block.inner(area);
    let lines: Vec<Vec<Line<'a>>> = rows.iter().map(&cells).collect();
    let want: Vec<u16> = (0..cols.len())
        .map(|c| {
            lines
                .iter()
                .map(|l| l.get(c).map(|l| l.width()).unwrap_or(0))
                .max()
                .unwrap_or(0)
                .min(u16::MAX as usize) as u16
        })
        .collect();
    let fit = fit(cols, &want, inner.width, frozen, hcol);
    let pick = |v: Vec<Line<'a>>| -> Vec<Cell<'a>> {
        v.into_iter()
            .zip(&fit.widths)
            .filter_map(|(l, w)| w.map(|w| Cell::from(cut(l, w as usize))))
            .collect()
    };
    let hdr: Vec<Line<'a>> = cols
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if fit.hcol > 0 && i == frozen + fit.hcol {
                Line::from(format!("\u{2190} {}", c.header))
            } else {
                Line::from(c.header.clone())
            }
        })
        .collect();
    let body: Vec<Row> = lines
        .into_iter()
        .enumerate()
        .map(|(k, l)| Row::new(pick(l)).style(style(first_index + k, &rows[k])))
        .collect();
    let widths: Vec<Constraint> = fit
        .widths
        .iter()
        .flatten()
        .map(|w| Constraint::Length(*w))
        .collect();
    let table = Table::new(body, widths)
        .header(Row::new(pick(hdr)).style(header_style))
        .block(block)
        .column_spacing(1);
    f.render_widget(table, area);
    fit
}

/// A line cut to `w` display columns, with an ellipsis where it was cut (never silently).
pub fn cut(line: Line<'_>, w: usize) -> Line<'_> {
    if line.width() <= w {
        return line;
    }
    let mut out: Vec<Span> = vec![];
    let mut used = 0;
    let room = w.saturating_sub(1);
    for sp in line.spans {
        let mut t = String::new();
        for c in sp.content.chars() {
            let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
            if used + cw > room {
                break;
            }
            t.push(c);
            used += cw;
        }
        let full = t.chars().count() == sp.content.chars().count();
        out.push(Span::styled(t, sp.style));
        if !full {
            break;
        }
    }
    if w > 0 {
        out.push(Span::raw("\u{2026}"));
    }
    Line::from(out).style(line.style)
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLS: [Col; 4] = [
        Col::new("time", 11, 19),
        Col::new("rule", 10, 40),
        Col::new("user", 10, 40),
        Col::new("summary", 20, 0),
    ];

    #[test]
    fn columns_follow_content_and_the_last_takes_the_rest() {
        let f = fit(&COLS, &[19, 29, 16, 90], 120, 1, 0);
        assert_eq!(
            f.widths,
            vec![Some(19), Some(29), Some(16), Some(120 - 19 - 29 - 16 - 3)]
        );
        // Wider terminal: only the flexible column grows.
        let g = fit(&COLS, &[19, 29, 16, 90], 220, 1, 0);
        assert_eq!(g.widths[3], Some(220 - 19 - 29 - 16 - 3));
    }

    #[test]
    fn a_cut_cell_says_so() {
        let l = cut(Line::from("display-name-impersonation"), 12);
        assert_eq!(l.to_string(), "display-nam\u{2026}");
        assert_eq!(cut(Line::from("short"), 12).to_string(), "short");
    }

    #[test]
    fn narrow_terminals_shrink_the_widest_then_scroll() {
        // 100 columns: the summary keeps at least its header and its minimum.
        let f = fit(&COLS, &[19, 29, 30, 90], 100, 1, 0);
        let w: Vec<u16> = f.widths.iter().flatten().copied().collect();
        assert_eq!(w.iter().sum::<u16>() + 3, 100);
        assert!(w[3] >= 20, "{w:?}");
        assert_eq!(f.more_right, 0);
        // 40 columns: not even the minimums fit; columns scroll, the first stays.
        let f = fit(&COLS, &[19, 29, 30, 90], 40, 1, 0);
        assert!(f.widths[0].is_some());
        assert!(f.widths[3].is_none() && f.more_right > 0, "{f:?}");
        let g = fit(&COLS, &[19, 29, 30, 90], 40, 1, 2);
        assert_eq!(g.hcol, 2);
        assert!(g.widths[1].is_none() && g.widths[2].is_none() && g.widths[3].is_some());
        assert_eq!(g.more_right, 0);
        // Scrolling further than needed is clamped.
        assert_eq!(fit(&COLS, &[19, 29, 30, 90], 40, 1, 9).hcol, 2);
    }
}
